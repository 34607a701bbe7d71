//! A treaty's own life through the command line: its term, automatic
//! renewal and withdrawal with notice (`examples/exercise-provisions.md`),
//! and the 2020 trilateral statement on Nagorno-Karabakh that uses them. The
//! dates come from the notice acts, never from the record; misuse is
//! reported with its code.

use crate::{casus, stderr, stdout};

const PACT: &str = "examples/exercise-provisions.md";
const PACT_RECORD: &str = "examples/exercise-provisions-record.md";
const TRILATERAL: &str = "treaties/trilateral-2020.md";
const TRILATERAL_RECORD: &str = "records/trilateral-2020-2024.md";

fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-cli-provisions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = casus(args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON")
}

fn party_status(state: &serde_json::Value, code: &str) -> String {
    let parties = state["parties"].as_array().expect("parties");
    let p = parties.iter().find(|p| p["code"] == code).unwrap_or_else(|| panic!("no party {code} in {parties:?}"));
    p["status"].as_str().unwrap_or_default().to_string()
}

#[test]
fn the_examples_check_clean_and_pass_their_expectations() {
    for (treaty, record) in [(PACT, PACT_RECORD), (TRILATERAL, TRILATERAL_RECORD)] {
        let o = casus(&["check", treaty, record]);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(o.status.success() && out.contains("0 errors, 0 warnings"), "{out}");
        let o = casus(&["fmt", "--check", treaty, record]);
        assert!(o.status.success(), "not canonical: {}{}", stdout(&o), stderr(&o));
        let o = casus(&["test", treaty, record]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).lines().last().is_some_and(|l| l.ends_with(" passed, 0 failed")), "{}", stdout(&o));
    }
}

#[test]
fn withdrawal_takes_effect_six_months_after_its_notice() {
    let before = json(&["replay", PACT, PACT_RECORD, "--at", "2032-08-31", "--json"]);
    assert_eq!(party_status(&before, "DUN"), "member");
    let after = json(&["replay", PACT, PACT_RECORD, "--at", "2032-09-01T00:00", "--json"]);
    assert_eq!(party_status(&after, "DUN"), "former");
    assert_eq!(party_status(&after, "ALD"), "member");
    let o = casus(&["explain", PACT, PACT_RECORD, "party/DUN", "--at", "2032-09-02"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Under the treaty's `withdrawal` clause a withdrawal takes effect 6 months after its notice, so Dunmark (fictional)'s notice of 1 March 2032 took effect on 1 September 2032."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_late_notice_against_renewal_ends_the_treaty_with_the_next_term() {
    // Borvania's notice of 15 February 2039 misses the first term (due by
    // 1 January 2039): the pact is renewed to 2045 and ends then for all.
    let renewed = json(&["replay", PACT, PACT_RECORD, "--at", "2044-12-31", "--json"]);
    assert_eq!((party_status(&renewed, "ALD"), party_status(&renewed, "BRV")), ("member".to_string(), "member".to_string()));
    let ended = json(&["replay", PACT, PACT_RECORD, "--at", "2045-01-01", "--json"]);
    for code in ["ALD", "BRV", "CSL", "DUN"] {
        assert_eq!(party_status(&ended, code), "former", "{code}");
    }
    let o = casus(&["explain", PACT, PACT_RECORD, "party/CSL", "--at", "2045-01-02"]);
    assert!(
        stdout(&o).contains("notice against renewal of 15 February 2039 came in time for the term ending 1 January 2045, so the treaty was not renewed and ended then for every party"),
        "{}",
        stdout(&o)
    );
    // The same notice given a month and a half earlier reaches the first
    // term (the record is cut before the acts of 2041, when no one is a
    // party any more).
    let record = std::fs::read_to_string(crate::root().join(PACT_RECORD)).expect("record");
    let cut = record.find("## 2041").expect("the 2041 section");
    let early = record[..cut].replace("2039-02-15 BRV withdrawal termination", "2038-12-15 BRV withdrawal termination");
    assert!(early.contains("2038-12-15 BRV withdrawal termination"));
    let path = temp("early.md", &early);
    let state = json(&["replay", PACT, path.to_str().expect("path"), "--at", "2040-01-01", "--json"]);
    assert_eq!(party_status(&state, "ALD"), "former");
}

#[test]
fn a_wrong_expectation_on_the_computed_date_fails() {
    let record = std::fs::read_to_string(crate::root().join(PACT_RECORD)).expect("record");
    let wrong = record.replacen("on 2032-08-31\n  party DUN is member", "on 2032-08-31\n  party DUN is former", 1);
    assert_ne!(wrong, record);
    let path = temp("wrong.md", &wrong);
    let o = casus(&["test", PACT, path.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("party DUN is former") && stdout(&o).contains("FAILED"), "{}", stdout(&o));
}

#[test]
fn the_trilateral_statement_replays_to_its_sources_verdicts() {
    let fact = |state: &serde_json::Value, duty: &str| -> serde_json::Value {
        let obs: Vec<serde_json::Value> =
            state["cases"].as_array().expect("cases").iter().flat_map(|c| c["obligations"].as_array().cloned().unwrap_or_default()).collect();
        let id = format!("obligation/trilateral_statement/{duty}/ARM");
        obs.into_iter().find(|o| o["fact"] == id.as_str()).unwrap_or_else(|| panic!("no {id}"))
    };
    let agreed = json(&["replay", TRILATERAL, TRILATERAL_RECORD, "--at", "2020-12-02", "--json"]);
    for duty in ["return_aghdam", "return_kalbajar", "return_lachin"] {
        assert_eq!(fact(&agreed, duty)["status"], "fulfilled", "{duty}");
    }
    // Read as written, Kalbajar's return of 25 November was ten days late.
    let written = json(&["replay", TRILATERAL, TRILATERAL_RECORD, "--at", "2020-12-02", "-i", "kalbajar_deadline=as_written", "--json"]);
    let kalbajar = fact(&written, "return_kalbajar");
    assert_eq!((kalbajar["status"].as_str(), kalbajar["performed_late"]["act"].as_str()), (Some("breached"), Some("kalbajar_returned")));
    // No notice under point 4: after the contingent left, all three are
    // still parties, and the explanation gives the date notice was due.
    let o = casus(&["explain", TRILATERAL, TRILATERAL_RECORD, "party/ARM", "--at", "2024-06-30"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("The treaty's current term ends on 9 November 2025; it is renewed then unless a party gives notice by 9 May 2025."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_typed_effective_date_that_differs_is_warned_about() {
    let record = std::fs::read_to_string(crate::root().join(PACT_RECORD)).expect("record");
    let typed = record.replace("2032-03-01 DUN withdrawal\n", "2032-03-01 DUN withdrawal\n  effective 2032-04-01\n");
    let path = temp("typed.md", &typed);
    let o = casus(&["check", PACT, path.to_str().expect("path")]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(o.status.success(), "a warning does not fail the check: {out}");
    assert!(out.contains("warning[W0055]") && out.contains("take effect on 2032-09-01, not 2032-04-01"), "{out}");
    // The computed date is the one used.
    let state = json(&["replay", PACT, path.to_str().expect("path"), "--at", "2032-08-31", "--json"]);
    assert_eq!(party_status(&state, "DUN"), "member");
}

#[test]
fn misuse_is_reported_with_its_code() {
    let dir = "crates/casus-lang/tests/corpus/treaty";
    for (file, codes) in
        [("provisions-malformed.md", &["E0100", "E0101"][..]), ("provisions-renewal.md", &["E0102"][..]), ("provisions-notice-too-long.md", &["E0103"][..])]
    {
        let o = casus(&["check", "--short", &format!("{dir}/{file}")]);
        assert!(!o.status.success());
        let out = format!("{}{}", stdout(&o), stderr(&o));
        for code in codes {
            assert!(out.contains(&format!("error[{code}]")), "{code} missing from: {out}");
        }
    }
    let o =
        casus(&["check", "--short", "crates/casus-lang/tests/corpus/base-treaty.md", "crates/casus-lang/tests/corpus/record/termination-without-renewal.acts"]);
    assert!(format!("{}{}", stdout(&o), stderr(&o)).contains("error[E0104]"), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_suspension_between_two_parties_lapses_their_duties_only() {
    let state = json(&["replay", PACT, PACT_RECORD, "--at", "2041-04-01", "--json"]);
    let obs: Vec<serde_json::Value> =
        state["cases"].as_array().expect("cases").iter().flat_map(|c| c["obligations"].as_array().cloned().unwrap_or_default()).collect();
    let status = |fact: &str| obs.iter().find(|o| o["fact"] == fact).map(|o| o["status"].as_str().unwrap_or_default().to_string());
    assert_eq!(status("obligation/csl_asks/consult/ALD").as_deref(), Some("not_triggered"));
    assert_eq!(status("obligation/csl_asks/consult/BRV").as_deref(), Some("fulfilled"));
    let o = casus(&["explain", PACT, PACT_RECORD, "obligation/csl_asks/consult/ALD", "--at", "2041-04-01"]);
    assert!(
        stdout(&o).contains("But the treaty was suspended between Aldoria (fictional) and Castelia (fictional) when the duty was triggered"),
        "{}",
        stdout(&o)
    );
    // After the suspension's end, the duties between them stand again.
    let state = json(&["replay", PACT, PACT_RECORD, "--at", "2044-07-01", "--json"]);
    let text = state.to_string();
    assert!(text.contains("obligation/ald_asks/consult/CSL"), "{text}");
    let o =
        casus(&["check", "--short", "crates/casus-lang/tests/corpus/base-treaty.md", "crates/casus-lang/tests/corpus/record/suspension-between-parties.acts"]);
    assert_eq!(format!("{}{}", stdout(&o), stderr(&o)).matches("error[E0106]").count(), 3, "{}{}", stdout(&o), stderr(&o));
}

/// The North Atlantic Treaty's Article 13: a notice takes effect one year
/// after it is given, and not before the Treaty has been in force for
/// twenty years (24 August 1969). A notice of 1966 waits for that date; a
/// notice of 1980 takes effect a year later. Both dates are computed.
#[test]
fn a_withdrawal_waits_for_the_years_the_treaty_must_first_be_in_force() {
    let record = temp(
        "nat-withdrawals.md",
        "```acts\nrecord \"Withdrawals (test fixture)\"\n  treaty NAT\n\n1966-03-07 FRA withdrawal\n  id fra_notice\n  source \"https://example.org/fra\" \"fixture\"\n\n1980-05-02 NOR withdrawal\n  id nor_notice\n  source \"https://example.org/nor\" \"fixture\"\n```\n",
    );
    let record = record.to_str().expect("path");
    let nat = "treaties/north-atlantic.md";
    let state = |at: &str| json(&["replay", nat, record, "--at", at, "--json"]);
    assert_eq!(party_status(&state("1969-08-23"), "FRA"), "member", "a year after the notice is not yet twenty years in force");
    assert_eq!(party_status(&state("1969-08-24T00:00"), "FRA"), "former");
    assert_eq!(party_status(&state("1981-05-01"), "NOR"), "member");
    assert_eq!(party_status(&state("1981-05-02T00:00"), "NOR"), "former");
    let o = casus(&["explain", nat, record, "party/FRA", "--at", "1970-01-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("a withdrawal takes effect 1 year after its notice, but not before the treaty has been in force for 20 years, on 24 August 1969; so France's notice of 7 March 1966 took effect then."),
        "{}",
        stdout(&o)
    );
    let o = casus(&["explain", nat, record, "party/NOR", "--at", "1990-01-01"]);
    assert!(stdout(&o).contains("Norway's notice of 2 May 1980 took effect on 2 May 1981."), "{}", stdout(&o));
}
