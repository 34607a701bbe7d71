//! The limits that keep a file of junk from costing memory or output in
//! proportion to its size: one syntax error per line, at most
//! `MAX_PER_FILE` diagnostics per file (then one that counts the rest), and
//! parsing that holds one declaration at a time, so that parsing takes less
//! than four times the input's size beyond the input itself (it took about
//! ninety before these limits). Memory is measured with a
//! counting allocator, so this file holds a single test: tests in one
//! binary run in parallel threads and would count each other's bytes.

use casus_lang::{Diagnostic, Severity, codes, diagnostic::MAX_PER_FILE, load_record, load_treaty, tally};
use casus_model::Symbols;

// The counting allocator `casus bench` measures memory per act with: one
// implementation for both (the module allows the `unsafe` a global
// allocator needs; the library itself forbids it).
#[path = "../../casus/src/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// Bytes allocated at the peak of `f`, beyond what was allocated before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = alloc::current();
    alloc::reset_peak();
    let out = f();
    (out, alloc::peak().saturating_sub(base))
}

/// Lines of junk, each with several characters that start no token (and
/// nothing else, so that each line gives exactly one diagnostic), `bytes`
/// long in all.
fn junk(bytes: usize) -> (String, usize) {
    const LINES: &[&str] = &["@ !! ~ ^^ &", "%% %% %% %% %% %% %%", "  @@ ~~ !! ??", "*"];
    let mut text = String::with_capacity(bytes + 64);
    let mut lines = 0;
    while text.len() < bytes {
        text.push_str(LINES[lines % LINES.len()]);
        text.push('\n');
        lines += 1;
    }
    (text, lines)
}

fn base_treaty() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/base-treaty.md")).expect("base treaty")
}

fn check_capped(diags: &[Diagnostic], lines: usize, first_line: usize, what: &str) {
    assert!(diags.len() <= MAX_PER_FILE + 1, "{what}: {} diagnostics", diags.len());
    let last = diags.last().expect("diagnostics");
    assert_eq!(last.code, codes::TOO_MANY_ERRORS, "{what}");
    assert!(last.is_error());
    // Exactly one syntax error per line, every one counted.
    assert_eq!(tally(diags), (lines, 0), "{what}");
    assert!(diags.iter().all(|d| d.code == codes::UNEXPECTED_CHARACTER || d.omitted.is_some()), "{what}");
    // The kept ones are the earliest in the file, in order.
    assert!(diags[..diags.len() - 1].windows(2).all(|w| w[0].span.start <= w[1].span.start), "{what}");
    assert_eq!(diags[0].span.start as usize, first_line, "{what}");
}

#[test]
fn junk_costs_bounded_diagnostics_and_memory() {
    let (body, lines) = junk(3 << 20);
    let mut symbols = Symbols::new();
    let (treaty, tdiags) = load_treaty("base.md", &base_treaty(), &mut symbols);
    assert!(tdiags.is_empty());

    // A record: plain, and literate.
    let ((_, diags), peak) = peak_of(|| load_record("junk.acts", &body, &treaty, &mut symbols.clone()));
    check_capped(&diags, lines, 0, "junk.acts");
    eprintln!("junk.acts: {} bytes, peak {peak} bytes", body.len());
    assert!(peak < 4 * body.len(), "junk.acts: parsing {} bytes took {peak} bytes at the peak", body.len());
    let md = format!("# Junk\n\n```acts\n{body}```\n");
    let ((_, diags), peak) = peak_of(|| load_record("junk.md", &md, &treaty, &mut symbols.clone()));
    check_capped(&diags, lines, md.find(&body).expect("body"), "junk.md");
    eprintln!("junk.md: {} bytes, peak {peak} bytes", md.len());
    assert!(peak < 4 * md.len(), "junk.md: {peak} bytes at the peak");

    // A treaty, whose blocks are read twice (ids first), reports each
    // syntax error once.
    let casus = format!("```casus\ntreaty T \"T\"\n  in-force 2000-01-01\n{body}```\n");
    let ((_, diags), peak) = peak_of(|| load_treaty("junk.md", &casus, &mut Symbols::new()));
    check_capped(&diags, lines, casus.find(&body).expect("body"), "treaty junk.md");
    eprintln!("treaty junk.md: {} bytes, peak {peak} bytes", casus.len());
    assert!(peak < 4 * casus.len(), "treaty: {peak} bytes at the peak");

    // Rendering shows the kept ones and the count of the rest.
    let shown = casus_lang::render(&diags, "junk.md", &casus);
    assert!(shown.len() < 400 * (MAX_PER_FILE + 1), "{} bytes rendered", shown.len());
    assert!(
        shown.contains(&format!("{} more diagnostics not shown", casus_lang::count(lines - MAX_PER_FILE, "", "").trim())),
        "{}",
        &shown[shown.len() - 300..]
    );

    // Lines that mix words and junk: a syntax error and at most one more
    // (the declaration the words start) per line.
    let mixed: String = ["@ !! foo ~ \"open\n", "bar:baz $ %% qq\n", "2022-13-45 & @@ ~~ ^^\n", "  or @ x\n"].iter().cycle().take(40_000).copied().collect();
    let (_, diags) = load_record("mixed.acts", &mixed, &treaty, &mut symbols.clone());
    assert!(diags.len() <= MAX_PER_FILE + 1);
    let (errors, _) = tally(&diags);
    assert!((40_000..=80_000).contains(&errors), "{errors} errors on 40,000 lines");

    // Over the cap with warnings only: a `W0004`, not an error, so the
    // record still loads.
    let acts: String = (0..MAX_PER_FILE + 500).map(|i| format!("2001-01-01 AAA statement\n  id a{i}\n\n")).collect();
    let (record, diags) = load_record("quiet.acts", &acts, &treaty, &mut symbols.clone());
    assert_eq!(record.acts.len(), MAX_PER_FILE + 500);
    assert_eq!(diags.len(), MAX_PER_FILE + 1);
    assert!(diags.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(diags[MAX_PER_FILE].code, codes::TOO_MANY_WARNINGS);
    assert_eq!(tally(&diags), (0, MAX_PER_FILE + 500));
}
