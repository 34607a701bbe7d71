//! Whatever the bytes, reading a treaty or record gives diagnostics, never
//! a panic. Random bytes, and random soups of the language's own words
//! (which reach far deeper into the parser than random bytes do).

use casus_model::Symbols;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "treaty",
    "version",
    "party",
    "state",
    "organ",
    "question",
    "duty",
    "power",
    "note",
    "record",
    "in-force",
    "signed",
    "at",
    "source",
    "joins",
    "leaves",
    "suspended",
    "returns",
    "seats",
    "every",
    "party",
    "parties",
    "office",
    "decides",
    "unanimity",
    "consensus",
    "with",
    "opt-out",
    "as",
    "recorded",
    "chair",
    "yearly",
    "from",
    "in",
    "order",
    "option",
    "default",
    "on",
    "needs",
    "or",
    "when",
    "owed",
    "by",
    "to",
    "held",
    "may",
    "does",
    "within",
    "except",
    "request",
    "assistance",
    "under",
    "art4",
    "against",
    "about",
    "document",
    "means",
    "case",
    "sign",
    "refuse",
    "deployment",
    "decision",
    "determination",
    "$victim",
    "$debtor",
    "$x",
    "AAA",
    "BBB",
    "q",
    "a",
    "b",
    "=",
    "7",
    "days",
    "1",
    "year",
    "\"s\"",
    "\"https://x.org\"",
    "2000-01-01",
    "2000-02-30",
    "2001-01-01T10:00",
    "id",
    "personnel",
    "effective",
    "any",
    "#",
    "\"",
    "\n",
    "\n  ",
    "\n    ",
    "```casus\n",
    "```acts\n",
    "```\n",
    "## Article 4\n",
    "> quote\n",
    "\t",
    "ü",
    "\r\n",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..200).prop_map(|w| w.join(" "))
}

fn exercise(text: &str) {
    for name in ["f.md", "f.casus", "f.acts"] {
        let mut symbols = Symbols::new();
        let (treaty, diags) = casus_lang::load_treaty(name, text, &mut symbols);
        let _ = casus_lang::render(&diags, name, text);
        let (_, rdiags) = casus_lang::load_record(name, text, &treaty, &mut symbols);
        let _ = casus_lang::render_short(&rdiags, name, text);
        for info in ["casus", "acts"] {
            if let Ok(once) = casus_lang::format_file(name, text, info) {
                // Formatting is idempotent whenever it succeeds.
                assert_eq!(casus_lang::format_file(name, &once, info).ok().as_deref(), Some(once.as_str()));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn word_soup_never_panics(text in soup()) {
        exercise(&text);
    }

    #[test]
    fn treaty_with_soup_never_panics(text in soup()) {
        let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/base-treaty.md")).expect("base");
        exercise(&format!("{base}\n```casus\n{text}\n```\n"));
        let mut symbols = Symbols::new();
        let (treaty, _) = casus_lang::load_treaty("base.md", &base, &mut symbols);
        let (_, diags) = casus_lang::load_record("r.acts", &text, &treaty, &mut symbols);
        let _ = casus_lang::render(&diags, "r.acts", &text);
    }
}
