//! Whatever an `expect` block holds, reading it gives diagnostics, never a
//! panic: random bytes, and soups of the block's own words.

use casus_model::Symbols;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "on",
    "reading",
    "obligation",
    "document",
    "party",
    "case",
    "is",
    "by",
    "exists",
    "does",
    "not",
    "exist",
    "triggered",
    "breached",
    "fulfilled",
    "pending",
    "not_triggered",
    "undetermined",
    "adopted",
    "blocked",
    "member",
    "suspended",
    "former",
    "=",
    "trigger",
    "request",
    "determination",
    "aaa_case",
    "aaa_case/assist/BBB",
    "aaa_case/assist",
    "/",
    "//",
    "a/b/c/d",
    "draft",
    "AAA",
    "BBB",
    "QQQ",
    "2001-02-01",
    "2001-02-30",
    "2001-02-01T10:00",
    "#",
    "\n",
    "\non 2001-02-01\n ",
    "\non",
    "\n  ",
    "\n\t",
    "```\n",
    "```expect\n",
    "ü",
    "\r\n",
    "==",
];

const RECORD: &str = "# R\n\n```acts\nrecord \"R\"\n  treaty   TST\n\n2001-01-01 AAA request assistance\n  id       aaa_case\n  under    art4\n  to       CNL\n  source   \"s\"\n\n2001-01-02 CNL propose\n  document draft\n  to       CNL\n  title    \"A draft\"\n  source   \"s\"\n```\n\n```expect\n";

fn exercise(block: &str) {
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/base-treaty.md")).expect("base");
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("base.md", &base, &mut symbols);
    let text = format!("{RECORD}{block}\n```\n");
    let (record, _) = casus_lang::load_record("r.md", &text, &treaty, &mut symbols);
    let (groups, diags) = casus_lang::load_expectations("r.md", &text, &treaty, &record, &symbols);
    let _ = casus_lang::render(&diags, "r.md", &text);
    // Every expectation read is one the block states, on a line of its own.
    for g in &groups {
        for e in &g.expectations {
            assert!(text.get(e.span.start as usize..e.span.end as usize) == Some(e.text.as_str()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1000)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn word_soup_never_panics(words in prop::collection::vec(prop::sample::select(WORDS), 0..200)) {
        exercise(&words.join(" "));
    }
}

#[test]
fn a_well_formed_block_reads_every_expectation() {
    let block = "on 2001-02-01\n  reading    trigger = determination\n  obligation aaa_case/assist/BBB is not triggered\n  document draft is pending\n  party CCC is member\n  case aaa_case exists\n";
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/base-treaty.md")).expect("base");
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("base.md", &base, &mut symbols);
    let text = format!("{RECORD}{block}```\n");
    let (record, _) = casus_lang::load_record("r.md", &text, &treaty, &mut symbols);
    let (groups, diags) = casus_lang::load_expectations("r.md", &text, &treaty, &record, &symbols);
    assert!(diags.is_empty(), "{}", casus_lang::render(&diags, "r.md", &text));
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].readings.len(), 1);
    let facts: Vec<String> = groups[0].expectations.iter().map(|e| e.what.fact()).collect();
    assert_eq!(facts, ["obligation/aaa_case/assist/BBB", "document/draft", "party/CCC", "case/aaa_case"]);
    assert!(matches!(&groups[0].expectations[0].what, casus_lang::expect::Expected::Obligation { status, .. } if status == "not_triggered"));
    // A date means the end of that day, as `--at` reads it.
    assert_eq!(groups[0].at, casus_model::Time::parse("2001-02-01").expect("date").0.end_of_day());
}
