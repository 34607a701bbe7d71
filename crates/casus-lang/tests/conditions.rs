//! The record's side of conditions on the facts of a case: an act that
//! engages a duty holding `only in REGION` without saying where it took
//! place gets `W0050` (its verdict would be undetermined); one that says
//! where does not, and a place is read into the act.

use casus_lang::{load_record, load_treaty, render};
use casus_model::Symbols;

const TREATY: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party B "Borduria"
  joins 2000-01-01 source "s"
state Z "Zembla"

region north "the North"
region area "the Area"
  includes north

duty defend "Defence in the Area"
  on       attack against $victim by $attacker
  only     in area
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
"#;

#[test]
fn an_attack_without_a_place_is_warned() {
    let mut symbols = Symbols::new();
    let (treaty, diags) = load_treaty("t.casus", TREATY, &mut symbols);
    assert!(diags.is_empty(), "{}", render(&diags, "t.casus", TREATY));
    assert_eq!(treaty.regions.len(), 2);
    let record = "2001-01-01 Z attack\n  against A\n  source \"s\"\n\n2001-01-02 Z attack\n  against A\n  in north\n  source \"s\"\n";
    let (r, diags) = load_record("place.acts", record, &treaty, &mut symbols);
    assert_eq!(diags.len(), 1, "{}", render(&diags, "place.acts", record));
    insta::assert_snapshot!("record__place-not-recorded", render(&diags, "place.acts", record));
    assert_eq!(r.acts[0].place(), None);
    assert_eq!(r.acts[1].place(), symbols.get("north"));
}
