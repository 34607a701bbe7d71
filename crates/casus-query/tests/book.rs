//! The book: loading is strict (an error refuses the file, with its
//! diagnostics), and acts added to a record may name the documents and
//! cases it already knows (the one rule `whatif --add`, `ledger append`
//! and the server's writes share).

use casus_lang::codes;
use casus_model::Symbols;
use casus_query::{Book, BookError, KnownNames};

const TREATY: (&str, &str) = ("treaties/exercise-silence.md", include_str!("../../../treaties/exercise-silence.md"));
const RECORD: (&str, &str) = ("records/exercise-silence.md", include_str!("../../../records/exercise-silence.md"));

/// An objection to `document`, after the shipped record, with `id`.
fn objection(id: &str, document: &str) -> String {
    format!("2030-03-12T09:00:00Z BRV objection\n  id       {id}\n  document {document}\n  text     \"fiction\"\n  source   \"Fictional act for this test\"\n")
}

fn codes_of(diags: &[casus_lang::Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn a_treaty_and_its_record_load_and_a_broken_file_is_refused_with_its_errors() {
    let book = Book::from_texts(TREATY, RECORD).expect("the shipped exercise loads");
    assert_eq!(book.record.acts.len(), 5);
    let broken = Book::from_texts(TREATY, ("broken.acts", "2030-03-01 HC propose silence\n  document\n")).expect_err("broken");
    match &broken {
        BookError::Rejected { name, errors, .. } => {
            assert_eq!(name, "broken.acts");
            assert!(!errors.is_empty() && errors.iter().all(|d| d.is_error()));
        }
        other => panic!("expected the record's errors, got {other}"),
    }
    assert!(broken.to_string().starts_with("broken.acts has "), "{broken}");
    assert!(broken.render().contains("broken.acts"), "the rendered diagnostics name the file");
    let e = Book::from_treaty_text("t.md", "```casus\ntreaty\n```\n").expect_err("a broken treaty");
    assert!(matches!(e, BookError::Rejected { ref name, .. } if name == "t.md"), "{e}");
}

#[test]
fn added_acts_may_name_what_the_record_knows_and_nothing_else() {
    let mut book = Book::from_texts(TREATY, RECORD).expect("loads");
    let known = KnownNames::of(&book.record.acts, &book.symbols);
    assert!(known.contains("harbour_fees") && known.contains("fees_draft") && !known.contains("HC"));

    // A document the record opened: the language alone calls it unknown, the record knows it.
    let text = objection("late_objection", "harbour_fees");
    let (added, diags) = casus_lang::load_record("add.acts", &text, &book.treaty, &mut book.symbols);
    assert!(codes_of(&diags).contains(&codes::UNKNOWN_DOCUMENT), "{:?}", codes_of(&diags));
    let kept = known.excuse(diags, &added.acts, &book.symbols);
    assert!(!kept.iter().any(|d| d.code == codes::UNKNOWN_DOCUMENT), "{:?}", codes_of(&kept));

    // A document nobody opened stays unknown, and so do the others in that file.
    let text = format!("{}\n{}", objection("a", "harbour_fees"), objection("b", "no_such_text"));
    let (added, diags) = casus_lang::load_record("add.acts", &text, &book.treaty, &mut book.symbols);
    let before = codes_of(&diags).iter().filter(|c| **c == codes::UNKNOWN_DOCUMENT).count();
    let kept = known.excuse(diags, &added.acts, &book.symbols);
    assert_eq!(kept.iter().filter(|d| d.code == codes::UNKNOWN_DOCUMENT).count(), before);
    assert!(before >= 1);
}

/// A treaty whose membership acts change: N joins and L leaves by acts.
const MEMBERSHIP_TREATY: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party N "Norland"
  joins 2010-01-01 source "s"
party L "Lusitania"
  joins 2000-01-01 source "s"
"#;

const MEMBERSHIP_RECORD: &str = r#"2005-01-01 N accession
  source   "s"

2005-01-01 L withdrawal
  effective 2006-01-01
  source   "s"
"#;

#[test]
fn added_acts_are_checked_with_the_membership_earlier_acts_left() {
    let book = Book::from_texts(("t.casus", MEMBERSHIP_TREATY), ("r.acts", MEMBERSHIP_RECORD)).expect("loads");
    let known = KnownNames::of(&book.record.acts, &book.symbols);
    let not_a_member = |diags: &[casus_lang::Diagnostic]| diags.iter().filter(|d| d.code == codes::NOT_A_MEMBER).count();
    let n_acts = "2007-01-01 N request assistance\n  source   \"s\"\n";
    let l_acts = "2007-01-01 L request assistance\n  source   \"s\"\n";

    // Alone, the language knows only the treaty's dates: N joins in 2010, L never leaves.
    let mut symbols = book.symbols.clone();
    let (_, alone) = casus_lang::load_record("add.acts", n_acts, &book.treaty, &mut symbols);
    assert_eq!(not_a_member(&alone), 1, "{:?}", codes_of(&alone));
    let (_, alone) = casus_lang::load_record("add.acts", l_acts, &book.treaty, &mut symbols);
    assert_eq!(not_a_member(&alone), 0, "{:?}", codes_of(&alone));

    // After the record: N acceded in 2005, L's withdrawal took effect in 2006.
    let (added, after) = known.load_after("add.acts", n_acts, &book.treaty, &mut symbols);
    assert_eq!((added.acts.len(), not_a_member(&after)), (1, 0), "{:?}", codes_of(&after));
    let (_, after) = known.load_after("add.acts", l_acts, &book.treaty, &mut symbols);
    assert_eq!(not_a_member(&after), 1, "{:?}", codes_of(&after));

    // A copy of the treaty's names alone (as the server checks requests) reads the same.
    let mut treaty_only = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("t.casus", MEMBERSHIP_TREATY, &mut treaty_only);
    let (_, after) = known.load_after("add.acts", l_acts, &treaty, &mut treaty_only);
    assert_eq!(not_a_member(&after), 1, "{:?}", codes_of(&after));
}
