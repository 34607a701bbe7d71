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

organ ALL "Full Council"
  seats    every party
  decides  unanimity

organ CON "Consensus Council"
  seats    every party
  decides  consensus with opt-out
```
"#;

fn docs(record: &str, at: &str) -> Vec<String> {
    let r = common::replay(TREATY, record, at, &[]);
    r.documents
        .iter()
        .map(|d| {
            let t = d
                .tally
                .as_ref()
                .map(|t| format!(" tally {}y {}n {}a of {} needed {} quorum {:?} met {}", t.yes, t.no, t.abstain, t.eligible, t.needed, t.quorum, t.quorum_met))
                .unwrap_or_default();
            format!(
                "{} {} blocked_by [{}] excluded [{}] seats [{}]{}",
                d.id,
                d.status,
                d.blocked_by.join(" "),
                d.excluded.join(" "),
                d.sheet.iter().map(|s| s.party.as_str()).collect::<Vec<_>>().join(" "),
                t
            )
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
    assert_eq!((rep.documents[0].status.word(), rep.documents[0].since.as_str()), ("adopted", "2000-06-02"));
}

#[test]
fn blocked_since_the_first_refusal() {
    let r = propose("u", "SUB", "2001-02-01", "") + &act("AAA", "refuse", "u", "2001-02-02") + &act("BBB", "refuse", "u", "2001-02-09");
    let rep = common::replay(TREATY, &r, "2001-03-01", &[]);
    assert_eq!((rep.documents[0].status.word(), rep.documents[0].since.as_str()), ("blocked", "2001-02-02"));
    assert_eq!(rep.documents[0].blocked_by, ["AAA", "BBB"]);
}

/// The explanation of a document, its reasons joined by newlines.
fn explain(record: &str, at: &str, doc: &str) -> String {
    let mut symbols = casus_model::Symbols::new();
    let (t, _) = casus_lang::load_treaty("t.md", TREATY, &mut symbols);
    let (r, diags) = casus_lang::load_record("r.acts", record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "r.acts", record));
    let at = casus_model::Time::parse(at).expect("date").0.end_of_day();
    let state = casus_engine::derive(&t, &r.acts, &casus_engine::Query { at, readings: Default::default() });
    let e = casus_query::explain(&t, &r.acts, &symbols, &state, &format!("document/{doc}")).expect("explained");
    format!("{}\n{}", e.statement, e.reasons.join("\n"))
}

fn positions(rep: &casus_query::Report) -> Vec<String> {
    rep.documents[0].sheet.iter().map(|s| format!("{}:{}", s.party, s.position)).collect()
}

#[test]
fn every_member_that_breaks_silence_is_named_in_the_order_of_its_act() {
    // Three objections at 17:00, 17:30 and 17:59 before an 18:00 expiry,
    // by members whose seats are in another order.
    let mut r = propose("stmt", "SIL", "2000-09-12T10:00", "  end 2000-09-13T18:00:00\n");
    r += &act("FFF", "objection", "stmt", "2000-09-13T17:00");
    r += &act("AAA", "amendment", "stmt", "2000-09-13T17:30");
    r += &act("CCC", "objection", "stmt", "2000-09-13T17:59:59");
    // At expiry: too late.
    r += &act("BBB", "objection", "stmt", "2000-09-13T18:00");
    let rep = common::replay(TREATY, &r, "2000-09-14", &[]);
    let d = &rep.documents[0];
    assert_eq!((d.status.word(), d.since.as_str()), ("blocked", "2000-09-13T17:00:00Z"));
    assert_eq!(d.blocked_by, ["FFF", "AAA", "CCC"]);
    assert_eq!(positions(&rep), ["AAA:amended", "BBB:kept_silent", "CCC:objected", "DDD:kept_silent", "EEE:kept_silent", "FFF:objected"]);
    assert_eq!(d.no_effect.iter().map(|n| (n.party.as_str(), n.why.as_str())).collect::<Vec<_>>(), [("BBB", "after_close")]);
    let e = explain(&r, "2000-09-14", "stmt");
    assert!(e.contains("silence was broken before its expiry by Freedonia (objection on 13 September 2000 at 17:00 UTC), Aland (amendment on 13 September 2000 at 17:30 UTC) and Carpania (objection on 13 September 2000 at 17:59:59 UTC)"), "{e}");
    assert!(
        e.contains("Borduria objected on 13 September 2000 at 18:00 UTC: this had no effect, because silence had expired on 13 September 2000 at 18:00 UTC."),
        "{e}"
    );
    // Before the second and third objections, only the first is named.
    let rep = common::replay(TREATY, &r, "2000-09-13T17:10", &[]);
    assert_eq!(rep.documents[0].blocked_by, ["FFF"]);
}

#[test]
fn a_text_moved_to_another_organ_keeps_its_history_under_the_first() {
    // Put to the full council, refused there by FFF (who does not sit in
    // the standing group), then moved: the standing group's unanimity
    // starts at the transfer, and AAA's signature in the full council does
    // not count there.
    let mut r = propose("plan", "ALL", "2001-02-01", "");
    r += &act("AAA", "sign", "plan", "2001-02-02");
    r += &act("FFF", "refuse", "plan", "2001-02-02");
    r += "2001-02-03 ALL transfer\n  document plan\n  to SUB\n  source \"f\"\n\n";
    r += &act("BBB", "sign", "plan", "2001-02-04");
    r += &act("CCC", "sign", "plan", "2001-02-04");
    let rep = common::replay(TREATY, &r, "2001-02-05", &[]);
    let d = &rep.documents[0];
    assert_eq!((d.organ.as_str(), d.status.word()), ("SUB", "pending"));
    assert_eq!(positions(&rep), ["AAA:pending", "BBB:signed", "CCC:signed"]);
    assert_eq!(d.earlier.len(), 1);
    let first = &d.earlier[0];
    assert_eq!((first.organ.as_str(), first.status.word(), first.until.as_deref()), ("ALL", "blocked", Some("2001-02-03")));
    assert_eq!(first.blocked_by, ["FFF"]);
    assert!(first.procedure.starts_with("unanimity"));
    let sheet: Vec<String> = first.sheet.iter().map(|s| format!("{}:{}", s.party, s.position)).collect();
    assert_eq!(sheet, ["AAA:signed", "BBB:did_not_take_part", "CCC:did_not_take_part", "DDD:did_not_take_part", "EEE:did_not_take_part", "FFF:refused"]);
    let r2 = r.clone() + &act("AAA", "sign", "plan", "2001-02-06");
    let rep = common::replay(TREATY, &r2, "2001-02-07", &[]);
    assert_eq!((rep.documents[0].status.word(), rep.documents[0].since.as_str()), ("adopted", "2001-02-06"));
    let e = explain(&r2, "2001-02-07", "plan");
    assert!(e.contains("Before Full Council (ALL) (from 1 February 2001 until 3 February 2001):"), "{e}");
    assert!(e.contains("There it was blocked by the refusal of Freedonia (refusal on 2 February 2001)."), "{e}");
    assert!(e.contains("The Full Council moved the matter to the Standing Group on 3 February 2001"), "{e}");
    assert!(e.ends_with("So the document is adopted: all 3 seated members signed."), "{e}");
}

#[test]
fn acts_that_can_no_longer_change_anything_are_kept_and_marked() {
    // Adopted by unanimity on the 2nd; a refusal on the 9th changes
    // nothing. A refusal in a vote is not counted; a vote after the close
    // comes too late.
    let mut r = propose("u", "SUB", "2001-02-01", "");
    for p in ["AAA", "BBB", "CCC"] {
        r += &act(p, "sign", "u", "2001-02-02");
    }
    r += &act("BBB", "refuse", "u", "2001-02-09");
    let rep = common::replay(TREATY, &r, "2001-03-01", &[]);
    let d = &rep.documents[0];
    assert_eq!((d.status.word(), d.since.as_str()), ("adopted", "2001-02-02"));
    assert_eq!(positions(&rep), ["AAA:signed", "BBB:signed", "CCC:signed"]);
    assert_eq!(
        (d.no_effect[0].party.as_str(), d.no_effect[0].position.as_str(), d.no_effect[0].why.as_str(), d.no_effect[0].decided.as_deref()),
        ("BBB", "refused", "after_decision", Some("2001-02-02"))
    );
    let e = explain(&r, "2001-03-01", "u");
    assert!(e.contains("Borduria refused on 9 February 2001: this had no effect, because the text had already been decided on 2 February 2001."), "{e}");

    let mut v = propose("budget", "MAJ", "2000-06-01", "  end 2000-07-01\n");
    for p in ["AAA", "BBB", "CCC", "DDD"] {
        v += &act(p, "vote yes", "budget", "2000-06-02");
    }
    v += &act("EEE", "refuse", "budget", "2000-06-03");
    v += &act("FFF", "vote no", "budget", "2000-07-02");
    let rep = common::replay(TREATY, &v, "2000-08-01", &[]);
    let d = &rep.documents[0];
    assert_eq!(d.status, "adopted");
    let whys: Vec<(&str, &str)> = d.no_effect.iter().map(|n| (n.party.as_str(), n.why.as_str())).collect();
    assert_eq!(whys, [("EEE", "not_counted"), ("FFF", "after_close")]);
    assert_eq!(positions(&rep), ["AAA:voted_yes", "BBB:voted_yes", "CCC:voted_yes", "DDD:voted_yes", "EEE:did_not_take_part", "FFF:did_not_take_part"]);
}

#[test]
fn consensus_at_the_close_is_explained_as_such_not_as_signatures() {
    // Nobody signed; the session closed without a refusal.
    let r = propose("text", "CON", "2001-02-01", "  end 2001-02-01T18:00\n");
    let rep = common::replay(TREATY, &r, "2001-02-02", &[]);
    assert_eq!((rep.documents[0].status.word(), rep.documents[0].basis.as_str()), ("adopted", "consensus_at_close"));
    assert!(positions(&rep).iter().all(|p| p.ends_with(":no_objection")), "{:?}", positions(&rep));
    let e = explain(&r, "2001-02-02", "text");
    assert!(
        e.contains(
            "So the document is adopted by consensus when the session closed on 1 February 2001 at 18:00 UTC: no member refused (0 of 6 seated members signed)."
        ),
        "{e}"
    );
    assert!(!e.contains("every seated member signed") && !e.contains("all 6 seated members signed"), "{e}");
    // Adopted in a limited format by signatures: those who did not opt out signed.
    let mut l = propose("lim", "CON", "2001-02-01", "");
    l += &act("AAA", "opt-out", "lim", "2001-02-02");
    for p in ["BBB", "CCC", "DDD", "EEE", "FFF"] {
        l += &act(p, "sign", "lim", "2001-02-03");
    }
    let e = explain(&l, "2001-02-04", "lim");
    assert!(
        e.contains(
            "So the document is adopted: the 5 seated members that did not opt out signed; Aland opted out, so it stands in a limited format, without Aland."
        ),
        "{e}"
    );
}

#[test]
fn a_decision_recorded_in_an_organ_that_votes() {
    let decision = |extra: &str| format!("2001-04-01 TWO decision\n  document res\n  title \"Resolution\"\n{extra}  source \"f\"\n\n");
    // Without ballots or a tally: adopted, tally not recorded, no 0-0-0.
    let rep = common::replay(TREATY, &decision(""), "2001-04-02", &[]);
    let d = &rep.documents[0];
    assert_eq!((d.status.word(), d.basis.as_str()), ("adopted", "tally_not_recorded"));
    assert!(d.tally.is_none());
    assert!(positions(&rep).iter().all(|p| p.ends_with(":not_recorded")), "{:?}", positions(&rep));
    let e = explain(&decision(""), "2001-04-02", "res");
    assert!(e.contains("Tally not recorded") && e.contains("the tally was not recorded") && !e.contains("not met") && !e.contains("0 yes"), "{e}");
    // A known tally without names (five members on 2001-04-01: EEE has left).
    let rep = common::replay(TREATY, &decision("  votes 4 0 1\n"), "2001-04-02", &[]);
    let t = rep.documents[0].tally.as_ref().expect("tally");
    assert_eq!(
        (t.yes, t.no, t.abstain, t.eligible, t.needed, t.counted.as_str(), rep.documents[0].basis.as_str()),
        (4, 0, 1, 5, 4, "decision", "recorded_tally")
    );
    // By acclamation.
    let rep = common::replay(TREATY, &decision("  by acclamation\n"), "2001-04-02", &[]);
    assert_eq!(rep.documents[0].basis, "acclamation");
    assert!(positions(&rep).iter().all(|p| p.ends_with(":assented")));
    // A tally that the rule could not have adopted is an error.
    for (extra, want) in [("  votes 3 2 0\n", "do not reach the 4"), ("  votes 4 1 1\n", "only 5 members")] {
        let mut symbols = casus_model::Symbols::new();
        let (t, _) = casus_lang::load_treaty("t.md", TREATY, &mut symbols);
        let (_, diags) = casus_lang::load_record("r.acts", &decision(extra), &t, &mut symbols);
        assert!(diags.iter().any(|d| d.code == "E0040" && d.message.contains(want)), "{extra}: {diags:?}");
    }
}

#[test]
fn a_decision_recorded_under_consensus_shows_what_each_seat_did() {
    // The January 2022 shape: a decision recorded without signatures, and
    // an opt-out after it (limited format).
    let mut r = "2001-04-01 CON decision\n  document dec\n  title \"Decision\"\n  source \"f\"\n\n".to_string();
    r += &act("AAA", "opt-out", "dec", "2001-05-01");
    r += &act("BBB", "sign", "dec", "2001-05-02");
    let rep = common::replay(TREATY, &r, "2001-06-01", &[]);
    let d = &rep.documents[0];
    assert_eq!((d.status.word(), d.limited_format, d.basis.as_str()), ("adopted", true, "decision_recorded"));
    assert_eq!(positions(&rep), ["AAA:opted_out", "BBB:no_objection", "CCC:no_objection", "DDD:no_objection", "FFF:no_objection"]);
    assert_eq!(d.no_effect.iter().map(|n| n.party.as_str()).collect::<Vec<_>>(), ["BBB"]);
}

/// An objection dated only to the day on which silence expires at 18:00
/// may have come before or after the expiry: it is counted as in time, and
/// the verdict says it depends on the objection's time of day. An
/// objection on the next day had no effect, whatever its time.
#[test]
fn an_objection_dated_to_the_expiry_day_makes_the_verdict_depend_on_its_time_of_day() {
    let mut r = propose("stmt", "SIL", "2000-09-12T10:00", "  end 2000-09-13T18:00:00\n");
    r += &act("CCC", "objection", "stmt", "2000-09-13");
    let rep = common::replay(TREATY, &r, "2000-09-20", &[]);
    let d = &rep.documents[0];
    assert_eq!(d.status, "blocked");
    assert_eq!(d.blocked_by, ["CCC"]);
    assert_eq!(d.depends_on_time_of_day.len(), 1, "{:?}", d.depends_on_time_of_day);
    let e = explain(&r, "2000-09-20", "stmt");
    assert!(e.contains("whether it came in time depends on the time of day of Carpania's objection, which the record does not give"), "{e}");

    // Dated to the minute before the expiry: known, nothing depends on it.
    let mut r = propose("stmt", "SIL", "2000-09-12T10:00", "  end 2000-09-13T18:00:00\n");
    r += &act("CCC", "objection", "stmt", "2000-09-13T17:58");
    let rep = common::replay(TREATY, &r, "2000-09-20", &[]);
    assert_eq!((rep.documents[0].status.word(), rep.documents[0].depends_on_time_of_day.len()), ("blocked", 0));

    // The next day: too late, whatever the hour.
    let mut r = propose("stmt", "SIL", "2000-09-12T10:00", "  end 2000-09-13T18:00:00\n");
    r += &act("CCC", "objection", "stmt", "2000-09-14");
    let rep = common::replay(TREATY, &r, "2000-09-20", &[]);
    let d = &rep.documents[0];
    assert_eq!((d.status.word(), d.depends_on_time_of_day.len()), ("adopted", 0));
    assert_eq!(d.no_effect[0].why, "after_close");
}
