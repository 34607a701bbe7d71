//! Decision procedures beyond consensus: votes (shares of members or of
//! those voting, quorums, abstentions, parties to a dispute), the silence
//! procedure, organs whose seats change, and matters moved between organs.

mod common;

const TREATY: &str = r#"
```casus
treaty VOT "Voting Alliance Treaty"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "fixture"
party BBB "Borduria"
  joins    2000-01-01  source "fixture"
party CCC "Carpania"
  joins    2000-01-01  source "fixture"
party DDD "Drusselstein"
  joins    2000-01-01  source "fixture"
  suspended 2001-06-01 source "fixture"
party EEE "Elbonia"
  joins    2000-01-01  source "fixture"
  leaves   2001-03-01  source "fixture"
party FFF "Freedonia"
  joins    2000-01-01  source "fixture"

organ TWO "Organ of Consultation"
  seats    every party
  decides  2/3 of members
  quorum   as needed
  excludes parties to the dispute

organ MAJ "Assembly"
  seats    every party
  decides  majority of voting
  quorum   4
  abstentions not counted

organ SIL "Council in silence"
  seats    every party
  decides  by silence

organ SUB "Standing Group"
  seats    parties AAA BBB
  seats    parties AAA BBB CCC from 2001-01-01
  decides  unanimity
```
"#;

fn docs(record: &str, at: &str) -> Vec<String> {
    let r = common::replay(TREATY, record, at, &[]);
    r.documents
        .iter()
        .map(|d| {
            let t = d.tally.as_ref().map(|t| format!(" tally {}y {}n {}a of {} needed {} quorum {:?} met {}", t.yes, t.no, t.abstain, t.eligible, t.needed, t.quorum, t.quorum_met)).unwrap_or_default();
            format!("{} {} blocked_by [{}] excluded [{}] seats [{}]{}", d.id, d.status, d.blocked_by.join(" "), d.excluded.join(" "), d.sheet.iter().map(|s| s.party.as_str()).collect::<Vec<_>>().join(" "), t)
        })
        .collect()
}

fn propose(doc: &str, organ: &str, day: &str, extra: &str) -> String {
    format!("{day} {organ} propose\n  document {doc}\n  to {organ}\n{extra}  source \"f\"\n\n")
}

fn act(party: &str, kind: &str, doc: &str, at: &str) -> String {
    format!("{at} {party} {kind}\n  document {doc}\n  source \"f\"\n\n")
}

#[test]
fn two_thirds_of_members_passes_only_because_the_disputants_are_excluded() {
    // AAA accuses BBB; of the six members, EEE has left by the vote (five
    // remain), and the two disputants do not vote: three eligible, two
    // needed. Two yes votes adopt it; counted over all five members they
    // would fall short (four needed).
    let mut r = propose("measures", "TWO", "2001-04-01", "  about AAA\n  against BBB\n");
    r += &act("CCC", "vote yes", "measures", "2001-04-02");
    r += &act("FFF", "vote yes", "measures", "2001-04-02");
    r += &act("DDD", "vote no", "measures", "2001-04-02");
    let d = docs(&r, "2001-04-03");
    assert_eq!(d, ["measures adopted blocked_by [] excluded [AAA BBB] seats [CCC DDD FFF] tally 2y 1n 0a of 3 needed 2 quorum Some(2) met true"]);
}

#[test]
fn a_party_suspended_on_the_vote_date_does_not_count() {
    // DDD is suspended from 2001-06-01: not eligible for a vote decided after.
    let mut r = propose("late", "TWO", "2001-05-01", "  about AAA\n  against BBB\n  end 2001-07-01\n");
    r += &act("DDD", "vote no", "late", "2001-05-02");
    r += &act("CCC", "vote yes", "late", "2001-05-03");
    let d = docs(&r, "2001-07-02");
    // Two eligible (CCC, FFF), two needed, and only one took part: the
    // quorum (as many as needed) is not met, so the text stays pending.
    assert_eq!(d, ["late pending blocked_by [] excluded [AAA BBB] seats [CCC FFF] tally 1y 0n 0a of 2 needed 2 quorum Some(2) met false"]);
}

#[test]
fn a_quorum_not_met_leaves_a_document_pending() {
    let mut r = propose("budget", "MAJ", "2000-06-01", "  end 2000-07-01\n");
    r += &act("AAA", "vote yes", "budget", "2000-06-02");
    r += &act("BBB", "vote yes", "budget", "2000-06-02");
    r += &act("CCC", "vote no", "budget", "2000-06-02");
    let d = docs(&r, "2000-08-01");
    assert_eq!(d, ["budget pending blocked_by [] excluded [] seats [AAA BBB CCC DDD EEE FFF] tally 2y 1n 0a of 6 needed 2 quorum Some(4) met false"]);
    // An abstention is not counted in the share but counts for the quorum.
    let r2 = r.clone() + &act("DDD", "vote abstain", "budget", "2000-06-03");
    let d = docs(&r2, "2000-08-01");
    assert_eq!(d, ["budget adopted blocked_by [] excluded [] seats [AAA BBB CCC DDD EEE FFF] tally 2y 1n 1a of 6 needed 2 quorum Some(4) met true"]);
    // Before the vote closes, a vote of those voting is not decided.
    let d = docs(&r2, "2000-06-10");
    assert!(d[0].starts_with("budget pending"), "{d:?}");
    // A vote lost at the close is rejected, and names those against.
    let r3 = r + &act("DDD", "vote no", "budget", "2000-06-03") + &act("FFF", "vote no", "budget", "2000-06-03");
    let d = docs(&r3, "2000-08-01");
    assert_eq!(d, ["budget blocked blocked_by [CCC DDD FFF] excluded [] seats [AAA BBB CCC DDD EEE FFF] tally 2y 3n 0a of 6 needed 3 quorum Some(4) met true"]);
}

#[test]
fn a_party_that_left_cannot_block() {
    let mut r = propose("plan", "SUB", "2001-02-01", "");
    r += &act("AAA", "sign", "plan", "2001-02-02");
    r += &act("BBB", "sign", "plan", "2001-02-02");
    r += &act("CCC", "sign", "plan", "2001-02-02");
    r += &propose("exit", "MAJ", "2001-02-01", "");
    r += &act("EEE", "refuse", "exit", "2001-02-10");
    assert!(docs(&r, "2001-02-20").contains(&"plan adopted blocked_by [] excluded [] seats [AAA BBB CCC]".to_string()));
    let d = docs(&r, "2001-04-01");
    assert!(d[1].contains("seats [AAA BBB CCC DDD FFF]"), "EEE left on 2001-03-01 and is off the sheet: {d:?}");
}

#[test]
fn seats_change_over_time() {
    let early = propose("p0", "SUB", "2000-06-01", "") + &act("AAA", "sign", "p0", "2000-06-02") + &act("BBB", "sign", "p0", "2000-06-02");
    assert_eq!(docs(&early, "2000-07-01"), ["p0 adopted blocked_by [] excluded [] seats [AAA BBB]"]);
    let late = early.replace("2000-06", "2001-06");
    assert_eq!(docs(&late, "2001-07-01"), ["p0 pending blocked_by [] excluded [] seats [AAA BBB CCC]"]);
}

#[test]
fn silence_broken_before_expiry_and_kept_after_it() {
    let expiry = "  end 2000-09-13T18:00:00\n";
    let base = propose("stmt", "SIL", "2000-09-12T10:00", expiry);
    assert_eq!(docs(&base, "2000-09-13T17:59:59"), ["stmt pending blocked_by [] excluded [] seats [AAA BBB CCC DDD EEE FFF]"]);
    assert_eq!(docs(&base, "2000-09-13T18:00"), ["stmt adopted blocked_by [] excluded [] seats [AAA BBB CCC DDD EEE FFF]"]);
    // One second before expiry breaks silence; one second after does not.
    let broken = base.clone() + &act("CCC", "objection", "stmt", "2000-09-13T17:59:59");
    assert_eq!(docs(&broken, "2000-09-14"), ["stmt blocked blocked_by [CCC] excluded [] seats [AAA BBB CCC DDD EEE FFF]"]);
    let late = base.clone() + &act("CCC", "objection", "stmt", "2000-09-13T18:00:01");
    assert_eq!(docs(&late, "2000-09-14"), ["stmt adopted blocked_by [] excluded [] seats [AAA BBB CCC DDD EEE FFF]"]);
    let amended = base + &act("FFF", "amendment", "stmt", "2000-09-12T12:00");
    assert!(docs(&amended, "2000-09-14")[0].starts_with("stmt blocked blocked_by [FFF]"));
}

#[test]
fn silence_on_a_proposal_to_any_organ_and_statements_attached() {
    let r = propose("decl", "SUB", "2000-09-12T10:00", "  end 2000-09-13T18:00\n").replace("SUB propose", "SUB propose silence")
        + "2000-09-14 AAA reservation interpretative\n  document decl\n  text \"We read paragraph 2 narrowly.\"\n  source \"f\"\n";
    let rep = common::replay(TREATY, &r, "2000-10-01", &[]);
    assert_eq!(rep.documents[0].status, "adopted");
    assert!(rep.documents[0].procedure.contains("silence"));
    assert_eq!(rep.documents[0].attachments, ["act-2"]);
}

#[test]
fn a_matter_moved_to_another_organ_is_decided_by_its_rule() {
    let mut r = propose("crisis", "SUB", "2001-02-01", "");
    r += "2001-02-05 SUB transfer\n  document crisis\n  to MAJ\n  source \"f\"\n\n";
    r += &act("AAA", "vote yes", "crisis", "2001-02-06");
    let d = docs(&r, "2001-02-07");
    assert!(d[0].starts_with("crisis pending") && d[0].contains("tally 1y"), "{d:?}");
}

#[test]
fn breaking_silence_is_final() {
    // An objection before expiry, then a signature by the same member:
    // silence stays broken.
    let base = propose("stmt", "SIL", "2000-09-12T10:00", "  end 2000-09-13T18:00:00\n");
    let r = base + &act("CCC", "objection", "stmt", "2000-09-13T12:00") + &act("CCC", "sign", "stmt", "2000-09-13T13:00");
    assert!(docs(&r, "2000-09-14")[0].starts_with("stmt blocked blocked_by [CCC]"), "{:?}", docs(&r, "2000-09-14"));
}

#[test]
fn a_vote_of_the_members_is_decided_once_certain() {
    // Four of six yes under a 2/3-of-members rule (disputants none here,
    // as the proposal names none): adopted on the fourth yes; a later no
    // does not reopen it, and "since" stays the day it was decided.
    let mut r = propose("m", "TWO", "2000-06-01", "");
    for p in ["AAA", "BBB", "CCC", "DDD"] {
        r += &act(p, "vote yes", "m", "2000-06-02");
    }
    r += &act("AAA", "vote no", "m", "2000-06-09");
    let rep = common::replay(TREATY, &r, "2000-07-01", &[]);
    assert_eq!((rep.documents[0].status.as_str(), rep.documents[0].since.as_str()), ("adopted", "2000-06-02"));
}

#[test]
fn blocked_since_the_first_refusal() {
    let r = propose("u", "SUB", "2001-02-01", "") + &act("AAA", "refuse", "u", "2001-02-02") + &act("BBB", "refuse", "u", "2001-02-09");
    let rep = common::replay(TREATY, &r, "2001-03-01", &[]);
    assert_eq!((rep.documents[0].status.as_str(), rep.documents[0].since.as_str()), ("blocked", "2001-02-02"));
    assert_eq!(rep.documents[0].blocked_by, ["AAA", "BBB"]);
}
