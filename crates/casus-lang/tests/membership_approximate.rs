//! Membership known only approximately, as the checker of records sees it:
//! an act only a member may perform, by a state whose membership on its
//! date the treaty leaves unknown, is kept with a warning (W0057), while an
//! act by a state known not to be a member stays an error. The treaty-side
//! diagnostics (E0107, E0108, W0056) are in the corpus
//! (`tests/corpus/treaty/membership-approximate.md`).

use casus_lang::{load_record, load_treaty, render};
use casus_model::Symbols;

const TREATY: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party K "Kyrgyzstan"
  member on 2010-06-12 source "s"
party L "Lusitania"
  joins 2000-01-01 source "s"
  leaves 2003-01-01 source "s"
"#;

const RECORD: &str = r#"2009-01-01 K request assistance
  source   "s"

2010-06-12 K request assistance
  source   "s"

2009-01-01 L request assistance
  source   "s"
"#;

#[test]
fn an_act_by_a_state_of_unknown_membership_is_kept_with_a_warning() {
    let mut symbols = Symbols::new();
    let (treaty, diags) = load_treaty("t.casus", TREATY, &mut symbols);
    assert!(diags.is_empty(), "{}", render(&diags, "t.casus", TREATY));
    let (record, diags) = load_record("r.acts", RECORD, &treaty, &mut symbols);
    assert_eq!(record.acts.len(), 3);
    insta::assert_snapshot!(render(&diags, "r.acts", RECORD));
}
