//! The other shipped treaties and records: every treaty file checks clean and
//! is canonical; NATO's 2001 invocation of Article 5 replays as the sources
//! tell it; the fictional exercises show the silence procedure and a vote
//! with the parties to a dispute excluded; Rio, ANZUS and TEU Article 42(7)
//! load and replay.

use crate::{all_are, case, casus, document, root, stderr, stdout};
use serde_json::Value;

const NATO: &str = "treaties/north-atlantic.md";
const NATO_2001: &str = "records/nato-2001.md";
const CASE: &str = "nac_2001_09_12_art5";
const ALLIES_2001: [&str; 18] = ["BEL", "CAN", "CZE", "DEU", "DNK", "ESP", "FRA", "GBR", "GRC", "HUN", "ISL", "ITA", "LUX", "NLD", "NOR", "POL", "PRT", "TUR"];

use crate::replay_json as replay;

fn members(state: &Value) -> Vec<String> {
    let mut v: Vec<String> = state["parties"]
        .as_array()
        .expect("parties[]")
        .iter()
        .filter(|p| p["status"] == "member")
        .map(|p| p["code"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

/// An empty record for a treaty, so that a treaty with no shipped record
/// can be replayed.
fn empty_record(treaty_id: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-cli-treaties-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(format!("empty-{treaty_id}.md"));
    std::fs::write(&p, format!("# Empty record\n\n```acts\nrecord \"empty\"\n  treaty   {treaty_id}\n```\n")).expect("write");
    p
}

fn treaty_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("treaties"))
        .expect("treaties/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("treaties/{n}"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_treaty_checks_clean_and_is_canonical() {
    let files = treaty_files();
    for f in [
        "treaties/north-atlantic.md",
        "treaties/teu-42-7.md",
        "treaties/rio.md",
        "treaties/anzus.md",
        "treaties/exercise-silence.md",
        "treaties/exercise-majority.md",
    ] {
        assert!(files.iter().any(|g| g == f), "{f} is shipped");
    }
    for f in &files {
        let out = casus(&["check", f]);
        assert_eq!(out.status.code(), Some(0), "{f}: {}", stderr(&out));
        assert!(stderr(&out).contains("0 errors, 0 warnings"), "{f}: {}", stderr(&out));
        let fmt = casus(&["fmt", "--check", f]);
        assert_eq!(fmt.status.code(), Some(0), "{f} is not in canonical form: {}{}", stdout(&fmt), stderr(&fmt));
    }
}

#[test]
fn shipped_records_check_clean_against_their_treaties() {
    for (treaty, record) in
        [(NATO, NATO_2001), ("treaties/exercise-silence.md", "records/exercise-silence.md"), ("treaties/exercise-majority.md", "records/exercise-majority.md")]
    {
        let out = casus(&["check", treaty, record]);
        assert_eq!(out.status.code(), Some(0), "{record}: {}", stderr(&out));
        assert!(stderr(&out).contains("0 errors, 0 warnings"), "{record}: {}", stderr(&out));
        let fmt = casus(&["fmt", "--check", record]);
        assert_eq!(fmt.status.code(), Some(0), "{record} is not in canonical form");
    }
}

#[test]
fn nato_2001_conditional_until_the_determination() {
    let state = replay(NATO, NATO_2001, "2001-09-20", &[]);
    let c = case(&state, CASE);
    assert_eq!(c["article"], "art5");
    assert_eq!(c["opened"], "2001-09-12");
    all_are(c, &ALLIES_2001, "not_triggered");
    for ally in ["DEU", "FRA", "GBR"] {
        let fact = format!("obligation/{CASE}/assist_attacked/{ally}");
        let out = casus(&["explain", NATO, NATO_2001, &fact, "--at", "2001-09-20"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("is not triggered"), "{text}");
        assert!(text.contains("determination of attack from abroad"), "the explanation names the missing determination: {text}");
    }
    // Still conditional the day before the determination.
    all_are(case(&replay(NATO, NATO_2001, "2001-10-01", &[]), CASE), &ALLIES_2001, "not_triggered");
}

#[test]
fn nato_2001_triggered_on_2_october_then_fulfilled_on_4_october() {
    let state = replay(NATO, NATO_2001, "2001-10-03", &[]);
    all_are(case(&state, CASE), &ALLIES_2001, "pending");
    for readings in [vec![], vec!["forthwith=one_week"], vec!["forthwith=one_month"]] {
        let state = replay(NATO, NATO_2001, "2001-12-01", &readings);
        let c = case(&state, CASE);
        all_are(c, &ALLIES_2001, "fulfilled");
        for o in c["obligations"].as_array().expect("obligations") {
            assert_eq!(o["since"], "2001-10-04", "{o}");
        }
        let kinds: Vec<&str> = c["responses"].as_array().expect("responses").iter().filter_map(|r| r["kind"].as_str()).collect();
        assert!(kinds.contains(&"deployment") && kinds.contains(&"mission"), "Eagle Assist and Active Endeavour answer the case: {kinds:?}");
    }
    let out = casus(&["explain", NATO, NATO_2001, &format!("obligation/{CASE}/assist_attacked/DEU"), "--at", "2001-12-01", "--json"]);
    let e: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert!(e["statement"].as_str().unwrap_or("").contains("fulfilled"), "{e}");
    assert_eq!(e["rules"][0]["version"]["id"], "nat1949");
    let measures = document(&replay(NATO, NATO_2001, "2001-10-05", &[]), "nac_2001_10_04_measures").clone();
    assert_eq!(measures["status"], "adopted");
}

#[test]
fn nato_members_in_september_2001_and_today() {
    let state = replay(NATO, NATO_2001, "2001-09-12", &[]);
    let mut want: Vec<String> = ALLIES_2001.iter().map(|s| s.to_string()).collect();
    want.push("USA".into());
    want.sort();
    assert_eq!(members(&state), want);
    assert_eq!(members(&replay(NATO, NATO_2001, "2024-06-01", &[])).len(), 32);
    assert_eq!(members(&replay(NATO, NATO_2001, "1950-01-01", &[])).len(), 12);
}

#[test]
fn silence_broken_names_the_objector() {
    let state = replay("treaties/exercise-silence.md", "records/exercise-silence.md", "2030-04-01", &[]);
    let d = document(&state, "harbour_fees");
    assert_eq!(d["status"], "blocked");
    assert_eq!(d["blocked_by"], serde_json::json!(["BRV"]));
    let brv = d["sheet"].as_array().expect("sheet").iter().find(|s| s["party"] == "BRV").expect("BRV");
    assert_eq!(brv["position"], "objected");
}

#[test]
fn silence_kept_despite_an_objection_one_second_late() {
    let state = replay("treaties/exercise-silence.md", "records/exercise-silence.md", "2030-04-01", &[]);
    let d = document(&state, "joint_pilotage");
    assert_eq!(d["status"], "adopted");
    assert_eq!(d["since"], "2030-03-10T18:00:00Z");
    assert_eq!(d["blocked_by"], serde_json::json!([]));
    let csl = d["sheet"].as_array().expect("sheet").iter().find(|s| s["party"] == "CSL").expect("CSL");
    assert_ne!(csl["position"], "objected", "an objection after expiry does not break silence");
    assert_eq!(d["attachments"], serde_json::json!(["pilotage_statement_drn"]));
    // Before expiry the text is still under silence.
    let before = replay("treaties/exercise-silence.md", "records/exercise-silence.md", "2030-03-10T17:59:59Z", &[]);
    assert_eq!(document(&before, "joint_pilotage")["status"], "pending");
}

#[test]
fn majority_passes_because_the_disputants_are_excluded() {
    let state = replay("treaties/exercise-majority.md", "records/exercise-majority.md", "2030-06-01", &[]);
    let d = document(&state, "upper_river");
    assert_eq!(d["status"], "adopted");
    assert_eq!(d["excluded"], serde_json::json!(["HMR", "IVL"]));
    let t = &d["tally"];
    assert_eq!((t["yes"].as_u64(), t["no"].as_u64(), t["eligible"].as_u64(), t["needed"].as_u64()), (Some(3), Some(0), Some(3), Some(2)), "{t}");
    let seated: Vec<&str> = d["sheet"].as_array().expect("sheet").iter().filter_map(|s| s["party"].as_str()).collect();
    assert_eq!(seated, vec!["EMK", "FNL", "GLV"]);
}

#[test]
fn rio_anzus_and_teu_load_and_replay() {
    for (treaty, id, at, count) in
        [("treaties/rio.md", "TIAR", "2020-01-01", 16), ("treaties/anzus.md", "ANZUS", "2001-09-14", 3), ("treaties/teu-42-7.md", "TEU", "2015-11-17", 28)]
    {
        let record = empty_record(id);
        let state = replay(treaty, record.to_str().expect("path"), at, &[]);
        assert_eq!(members(&state).len(), count, "{treaty} on {at}");
        assert!(state["version"].is_object() || state["version"].is_string(), "{treaty}: a version is in force on {at}: {}", state["version"]);
    }
    let teu = empty_record("TEU");
    assert_eq!(members(&replay("treaties/teu-42-7.md", teu.to_str().expect("path"), "2021-06-01", &[])).len(), 27, "without the United Kingdom");
}

/// Every record shipped for the public record of 1962–2022 checks clean
/// against its treaty and is canonical.
#[test]
fn more_of_the_public_record_checks_clean() {
    for (treaty, record) in [
        ("treaties/ru-am-1997.md", "records/ru-am-2021-2022.md"),
        ("treaties/cst.md", "records/csto-kyrgyzstan-2010.md"),
        ("treaties/cst.md", "records/csto-kgz-tjk-2021-2022.md"),
        ("treaties/rio.md", "records/rio-1962.md"),
    ] {
        let out = casus(&["check", treaty, record]);
        assert_eq!(out.status.code(), Some(0), "{record}: {}", stderr(&out));
        assert!(stderr(&out).contains("0 errors, 0 warnings"), "{record}: {}", stderr(&out));
        let fmt = casus(&["fmt", "--check", record]);
        assert_eq!(fmt.status.code(), Some(0), "{record} is not in canonical form");
    }
}

const RUAM: &str = "treaties/ru-am-1997.md";
const RUAM_RECORD: &str = "records/ru-am-2021-2022.md";

/// Armenia's appeals to Russia under the 1997 Treaty each open a case in
/// which Russia owes assistance; Russia's mediation is not assistance, so
/// each duty is breached a week after the appeal (a month, on the longer
/// reading), and pending before.
#[test]
fn ru_am_appeals_are_breached_after_the_deadline() {
    let before = replay(RUAM, RUAM_RECORD, "2021-11-20", &[]);
    all_are(case(&before, "arm_2021_11_16_request"), &["RUS"], "pending");
    let after = replay(RUAM, RUAM_RECORD, "2022-12-01", &[]);
    for id in ["arm_2021_11_16_request", "arm_2022_09_13_request"] {
        all_are(case(&after, id), &["RUS"], "breached");
    }
    let responses: Vec<&str> =
        case(&after, "arm_2021_11_16_request")["responses"].as_array().expect("responses[]").iter().filter_map(|r| r["act"].as_str()).collect();
    assert_eq!(responses, vec!["rus_2021_11_16_shoigu", "rus_2021_11_16_truce"], "mediation is shown as a response, not as assistance");
    let first = &case(&after, "arm_2021_11_16_request")["obligations"][0];
    assert_eq!(first["deadline"], "2021-11-23");
    assert_eq!(first["since"], "2021-11-24");
    let month = replay(RUAM, RUAM_RECORD, "2021-12-10", &["assist_when=one_month"]);
    all_are(case(&month, "arm_2021_11_16_request"), &["RUS"], "pending");
    assert_eq!(members(&after), vec!["ARM", "RUS"]);
}

/// June 2010: Kyrgyzstan asked Russia, not a CSTO organ under Article 4,
/// for troops. Under the 1992 text that engages no duty: no case opens.
#[test]
fn csto_kyrgyzstan_2010_request_engages_no_duty_under_the_1992_text() {
    let state = replay("treaties/cst.md", "records/csto-kyrgyzstan-2010.md", "2010-07-01", &[]);
    assert_eq!(state["version"]["id"], "cst1992");
    assert_eq!(state["cases"].as_array().map(|c| c.len()), Some(0), "{}", state["cases"]);
    assert_eq!(state["acts_considered"], 9);
    assert_eq!(members(&state), vec!["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK", "UZB"]);
}

/// Kyrgyzstan and Tajikistan, both parties, attack each other; no Article 4
/// request is made (the October 2022 request is for peacekeeping), and
/// Article 1 has no rule, so the record replays to no case and both stay
/// members.
#[test]
fn csto_kyrgyzstan_tajikistan_clashes_open_no_case() {
    let state = replay("treaties/cst.md", "records/csto-kgz-tjk-2021-2022.md", "2022-12-01", &[]);
    assert_eq!(state["version"]["id"], "cst2010");
    assert_eq!(state["cases"].as_array().map(|c| c.len()), Some(0), "{}", state["cases"]);
    assert_eq!(state["acts_considered"], 15);
    let m = members(&state);
    assert!(m.contains(&"KGZ".to_string()) && m.contains(&"TJK".to_string()), "{m:?}");
}

/// 23 October 1962: the Council of the OAS, as provisional Organ of
/// Consultation, adopts the quarantine resolution by two thirds of the
/// members, with Cuba excluded as the party the measures are against; no
/// duty to assist arises.
#[test]
fn rio_1962_resolution_adopted_with_cuba_excluded() {
    let state = replay("treaties/rio.md", "records/rio-1962.md", "1962-10-24", &[]);
    let doc = document(&state, "oas_1962_10_23_resolution");
    assert_eq!(doc["organ"], "COAS");
    assert_eq!(doc["status"], "adopted");
    assert_eq!(doc["since"], "1962-10-23");
    assert_eq!(doc["excluded"], serde_json::json!(["CUB"]));
    assert_eq!(doc["tally"]["yes"], 8);
    assert_eq!(doc["tally"]["eligible"], 8);
    assert_eq!(state["cases"].as_array().map(|c| c.len()), Some(0));
    let before = replay("treaties/rio.md", "records/rio-1962.md", "1962-10-22", &[]);
    assert!(before["documents"].as_array().expect("documents[]").is_empty());
}

/// `whatif --rule` with the organ's own rule restated flipped the adopted
/// resolution to blocked: the quorum and the exclusion of the parties to
/// the dispute were dropped. Only the decision rule is replaced now.
#[test]
fn whatif_rule_replaces_only_the_decision_rule() {
    let run = |rule: &str| -> Value {
        let out = casus(&["whatif", "treaties/exercise-majority.md", "records/exercise-majority.md", "--at", "2030-06-01", "--rule", rule, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("JSON")
    };
    let same = run("VA=2/3 of members");
    assert_eq!(same["facts"], serde_json::json!([]), "{same}");
    assert!(
        same["changes"][0].as_str().unwrap_or("").contains("quorum equal to the votes needed; abstentions are not counted; parties to the dispute do not vote"),
        "{same}"
    );
    // A part the new rule states replaces the organ's own.
    let quorum = run("VA=2/3 of members; quorum 5");
    assert_eq!(quorum["facts"][0]["after"], "pending", "{quorum}");
}

/// An objection after silence expired is kept, marked as having had no effect.
#[test]
fn a_late_objection_is_kept_and_marked_as_having_no_effect() {
    let state = replay("treaties/exercise-silence.md", "records/exercise-silence.md", "2030-12-31", &[]);
    let d = document(&state, "joint_pilotage");
    assert_eq!(d["status"], "adopted");
    assert_eq!(d["no_effect"][0]["act"], "pilotage_objection_csl");
    assert_eq!(d["no_effect"][0]["why"], "after_close");
    let csl = d["sheet"].as_array().expect("sheet").iter().find(|s| s["party"] == "CSL").expect("CSL");
    assert_eq!(csl["position"], "kept_silent");
    let out = casus(&["explain", "treaties/exercise-silence.md", "records/exercise-silence.md", "document/joint_pilotage", "--at", "2030-12-31"]);
    assert!(
        stdout(&out).contains(
            "Castelia (fictional) objected on 10 March 2030 at 18:00:01 UTC: this had no effect, because silence had expired on 10 March 2030 at 18:00 UTC."
        ),
        "{}",
        stdout(&out)
    );
}
