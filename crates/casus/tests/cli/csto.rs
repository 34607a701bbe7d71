//! What the seed case must show, checked from `casus replay --json` over the
//! shipped treaty and record.

use crate::{all_are, case, casus, document, stderr, stdout};
use serde_json::Value;

const TREATY: &str = "treaties/cst.md";
const RECORD: &str = "records/csto-2021-2025.md";
const OTHERS_OF_ARMENIA: [&str; 5] = ["BLR", "KAZ", "KGZ", "RUS", "TJK"];
const KAZAKHSTAN_CONTRIBUTORS: [&str; 5] = ["ARM", "BLR", "KGZ", "RUS", "TJK"];

fn replay(at: &str, readings: &[&str]) -> Value {
    crate::replay_json(TREATY, RECORD, at, readings)
}

fn every_reading() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for trigger in ["request", "determination"] {
        for immediately in ["one_day", "one_week", "one_month"] {
            out.push(vec![format!("art4_trigger={trigger}"), format!("immediately={immediately}")]);
        }
    }
    out
}

#[test]
fn kazakhstan_2022_fulfilled_under_every_reading() {
    for readings in every_reading() {
        let r: Vec<&str> = readings.iter().map(String::as_str).collect();
        let state = replay("2022-02-01", &r);
        let c = case(&state, "kaz_2022_01_art4");
        assert_eq!(c["article"], "art4");
        assert_eq!(c["requester"], "KAZ");
        all_are(c, &KAZAKHSTAN_CONTRIBUTORS, "fulfilled");
        let d = document(&state, "kaz_2022_01_peacekeeping");
        assert_eq!(d["status"], "adopted", "{readings:?}");
        assert_eq!(d["since"], "2022-01-06");
    }
}

#[test]
fn armenia_september_2022_breached_on_request_not_triggered_on_determination() {
    let on_request = replay("2022-12-01", &["art4_trigger=request"]);
    let c = case(&on_request, "arm_2022_09_art4");
    assert_eq!(c["requester"], "ARM");
    all_are(c, &OTHERS_OF_ARMENIA, "breached");
    // The mission is recorded as answering the case, and is not assistance.
    assert!(c["responses"].as_array().expect("responses").iter().any(|r| r["kind"] == "mission"), "{c}");
    let on_determination = replay("2022-12-01", &["art4_trigger=determination"]);
    all_are(case(&on_determination, "arm_2022_09_art4"), &OTHERS_OF_ARMENIA, "not_triggered");
    // Before the deadline the duty is pending.
    let early = replay("2022-09-15", &["art4_trigger=request", "immediately=one_week"]);
    all_are(case(&early, "arm_2022_09_art4"), &OTHERS_OF_ARMENIA, "pending");
}

#[test]
fn a_reading_has_one_flag_with_a_short_and_an_older_name() {
    let run = |flag: &str| {
        let out = casus(&["replay", TREATY, RECORD, "--at", "2022-12-01", flag, "art4_trigger=determination", "--json"]);
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        stdout(&out)
    };
    let by_reading = run("--reading");
    assert!(by_reading.contains("\"option\": \"determination\""), "{by_reading}");
    assert_eq!(run("-i"), by_reading);
    assert_eq!(run("--interpretation"), by_reading);
}

#[test]
fn armenia_september_2022_explanations_say_why() {
    let fact = "obligation/arm_2022_09_art4/assist_victim/RUS";
    let out = casus(&["explain", TREATY, RECORD, fact, "--at", "2022-12-01", "-i", "art4_trigger=determination"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("is not triggered"), "{text}");
    assert!(
        text.contains("determination of aggression against Armenia") && text.contains("No such act was recorded"),
        "the explanation must say no determination was recorded: {text}"
    );
    assert!(text.contains("Article 4"), "{text}");
    let out = casus(&["explain", TREATY, RECORD, fact, "--at", "2022-12-01", "--json"]);
    let e: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert!(e["statement"].as_str().unwrap_or("").contains("breached"), "{e}");
    let trigger = e["acts"].as_array().expect("acts").iter().find(|a| a["role"] == "trigger").expect("trigger act");
    assert!(!trigger["sources"].as_array().expect("sources").is_empty(), "the trigger carries its sources");
    assert!(e["rules"][0]["quote"].as_str().is_some_and(|q| !q.is_empty()), "the rule quotes the article");
    assert_eq!(e["rules"][0]["version"]["id"], "cst2010");
    assert!(e["readings"].as_array().expect("readings").iter().any(|r| r["question"] == "immediately"));
}

#[test]
fn armenia_may_2021_article_2_request() {
    let state = replay("2021-06-30", &[]);
    let c = case(&state, "arm_2021_05_art2");
    assert_eq!(c["article"], "art2");
    assert_eq!(c["opened"], "2021-05-14");
    // No consultation under Article 2 is recorded within the time allowed.
    all_are(c, &OTHERS_OF_ARMENIA, "breached");
    let early = replay("2021-05-15", &[]);
    all_are(case(&early, "arm_2021_05_art2"), &OTHERS_OF_ARMENIA, "pending");
    // The 1992 text of Article 2 was in force before 2012; the 2010 one after.
    let out = casus(&["explain", TREATY, RECORD, "obligation/arm_2021_05_art2/consult_on_threat/KAZ", "--at", "2021-06-30", "--json"]);
    let e: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(e["rules"][0]["version"]["id"], "cst2010");
}

#[test]
fn yerevan_23_november_2022() {
    let state = replay("2022-12-01", &[]);
    for id in ["yerevan_declaration", "assistance_to_armenia"] {
        let d = document(&state, id);
        assert_eq!(d["status"], "blocked", "{id}");
        assert_eq!(d["blocked_by"], serde_json::json!(["ARM"]), "{id}");
        let arm = d["sheet"].as_array().expect("sheet").iter().find(|s| s["party"] == "ARM").expect("ARM on the sheet");
        assert_eq!(arm["position"], "refused");
        assert!(arm["reason"].as_str().is_some_and(|r| r.contains("assessment")), "{arm}");
        assert!(arm["condition"].as_str().is_some_and(|c| c.contains("May 11, 2021")), "{arm}");
    }
    let adopted: Vec<&Value> =
        state["documents"].as_array().expect("documents").iter().filter(|d| d["since"] == "2022-11-23" && d["status"] == "adopted").collect();
    assert!(adopted.len() >= 3, "the session's other recorded decisions are adopted: {adopted:?}");
    assert!(adopted.iter().any(|d| d["title"].as_str().unwrap_or("").contains("Belarus")));
    let next_year = replay("2023-03-01", &[]);
    let chair = next_year["chairs"].as_array().expect("chairs").iter().find(|c| c["organ"] == "CSC").expect("CSC chair");
    assert_eq!(chair["party"], "BLR");
}

#[test]
fn chairs_by_year() {
    for (at, party) in [("2022-06-01", "ARM"), ("2023-06-01", "BLR"), ("2024-06-01", "KAZ"), ("2025-06-01", "KGZ"), ("2026-06-01", "RUS")] {
        let state = replay(at, &[]);
        let chair = state["chairs"].as_array().expect("chairs").iter().find(|c| c["organ"] == "CSC").expect("CSC chair");
        assert_eq!(chair["party"], party, "on {at}");
    }
}

#[test]
fn budget_2024_adopted_in_limited_format() {
    let state = replay("2024-06-01", &[]);
    let d = document(&state, "budget_2024");
    assert_eq!(d["status"], "adopted");
    assert_eq!(d["blocked_by"], serde_json::json!([]));
    assert_eq!(d["limited_format"], true);
    let arm = d["sheet"].as_array().expect("sheet").iter().find(|s| s["party"] == "ARM").expect("ARM");
    assert_eq!(arm["position"], "opted_out");
}

#[test]
fn membership_on_chosen_dates() {
    let expect = [
        ("1995-01-01", vec!["ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"], vec![]),
        ("2000-01-01", vec!["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"], vec![]),
        ("2007-01-01", vec!["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK", "UZB"], vec![]),
        ("2013-01-01", vec!["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"], vec!["UZB"]),
        ("2024-01-01", vec!["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"], vec!["UZB"]),
    ];
    for (at, members, suspended) in expect {
        let state = replay(at, &[]);
        let of = |status: &str| {
            let mut v: Vec<String> = state["parties"]
                .as_array()
                .expect("parties")
                .iter()
                .filter(|p| p["status"] == status)
                .map(|p| p["code"].as_str().unwrap_or("").to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(of("member"), members, "members on {at}");
        assert_eq!(of("suspended"), suspended, "suspended on {at}");
    }
    // Before the treaty was in force, nobody is a party.
    let state = replay("1993-01-01", &[]);
    assert_eq!(state["parties"], serde_json::json!([]));
}

#[test]
fn readings_side_by_side() {
    let out = casus(&["readings", TREATY, RECORD, "--at", "2022-12-01", "--json"]);
    assert!(out.status.success());
    let t: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(t["columns"].as_array().expect("columns").len(), 6);
    let row = t["rows"].as_array().expect("rows").iter().find(|r| r["fact"] == "obligation/arm_2022_09_art4/assist_victim/RUS").expect("row");
    let statuses: Vec<&str> = row["statuses"].as_array().expect("statuses").iter().filter_map(Value::as_str).collect();
    assert!(statuses.contains(&"breached") && statuses.contains(&"not_triggered"), "{statuses:?}");
}

#[test]
fn demo_runs_and_shows_the_case() {
    let out = casus(&["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in ["arm_2022_09_art4", "kaz_2022_01_art4", "yerevan_declaration", "blocked", "not triggered", "Chairs of the Collective Security Council"] {
        assert!(text.contains(needle), "demo output lacks {needle}");
    }
}

#[test]
fn replay_json_is_byte_identical_across_runs() {
    let a = casus(&["replay", TREATY, RECORD, "--at", "2024-06-01", "--json"]);
    let b = casus(&["replay", TREATY, RECORD, "--at", "2024-06-01", "--json"]);
    assert_eq!(a.stdout, b.stdout);
}

fn temp_acts(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-whatif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn what_if_armenia_had_signed_on_23_november_2022() {
    let acts = temp_acts(
        "arm-signs.acts",
        "2022-11-23 ARM sign\n  document yerevan_declaration\n  source \"what-if\"\n\n2022-11-23 ARM sign\n  document assistance_to_armenia\n  source \"what-if\"\n",
    );
    let out = casus(&["whatif", TREATY, RECORD, "--at", "2022-12-01", "--add", acts.to_str().expect("path"), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let w: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let facts = w["facts"].as_array().expect("facts");
    for doc in ["document/yerevan_declaration", "document/assistance_to_armenia"] {
        let f = facts.iter().find(|f| f["fact"] == doc).unwrap_or_else(|| panic!("{doc} unchanged: {w}"));
        assert_eq!(f["before"], "blocked by Armenia");
        assert_eq!(f["after"], "adopted");
    }
    assert_eq!(facts.len(), 2, "nothing else changes: {w}");
}

#[test]
fn what_if_russia_had_deployed_in_september_2022() {
    let acts = temp_acts("rus-deploys.acts", "2022-09-16 CSC deployment\n  to ARM\n  from RUS\n  source \"what-if\"\n");
    let out = casus(&["whatif", TREATY, RECORD, "--at", "2022-12-01", "--add", acts.to_str().expect("path"), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let w: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(w["facts"], serde_json::json!([{ "fact": "obligation/arm_2022_09_art4/assist_victim/RUS", "before": "breached", "after": "fulfilled" }]));
    // Removing Armenia's request removes the case and its five obligations.
    let out = casus(&["whatif", TREATY, RECORD, "--at", "2022-12-01", "--remove", "arm_2022_09_art4", "--json"]);
    let w: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(w["facts"].as_array().expect("facts").len(), 6, "{w}");
    // A rule replaced: under unanimity by signature nothing changes (the
    // Kazakh decision is recorded; Armenia's refusal blocks either way) ...
    let out = casus(&["whatif", TREATY, RECORD, "--at", "2022-12-01", "--rule", "CSC=unanimity", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let w: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(w["changes"], serde_json::json!(["rule: CSC decides by unanimity by signature"]), "{w}");
    assert_eq!(w["facts"], serde_json::json!([]), "{w}");
    // ... but under a majority vote Armenia alone blocks neither text: they
    // fail for want of votes, not by its refusal.
    let out = casus(&["whatif", TREATY, RECORD, "--at", "2022-12-01", "--rule", "CSC=majority of members", "--json"]);
    let w: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let changed = |fact: &str| serde_json::json!({ "fact": fact, "before": "blocked by Armenia", "after": "blocked" });
    assert_eq!(w["facts"], serde_json::json!([changed("document/assistance_to_armenia"), changed("document/yerevan_declaration")]), "{w}");
    let out = casus(&["whatif", TREATY, RECORD, "--rule", "XYZ=unanimity"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn who_could_have_changed_it() {
    let out = casus(&["blockers", TREATY, RECORD, "document/yerevan_declaration", "--at", "2022-12-01", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let b: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(b["verdict"], "blocked by Armenia");
    assert!(b["coalitions"][0]["description"].as_str().is_some_and(|d| d.starts_with("if Armenia ")), "{b}");
    let coalitions = b["coalitions"].as_array().expect("coalitions");
    assert!(!coalitions.is_empty());
    for c in coalitions {
        assert_eq!(c["size"], 1, "Armenia alone: {c}");
        assert_eq!(c["groups"][0]["of"], serde_json::json!(["ARM"]));
        assert_eq!(c["outcome"], "adopted");
    }
    let out = casus(&["blockers", TREATY, RECORD, "obligation/arm_2022_09_art4/assist_victim/RUS", "--at", "2022-12-01", "--json"]);
    let b: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(b["coalitions"][0]["groups"][0]["of"], serde_json::json!(["RUS"]));
}

#[test]
fn report_across_cases() {
    let out = casus(&["report", TREATY, RECORD, "--at", "2025-12-31", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let rows = r["rows"].as_array().expect("rows[]");
    let kaz = rows.iter().find(|row| row["case"] == "kaz_2022_01_art4").expect("Kazakhstan row");
    assert_eq!(kaz["days_to_first_assistance"], 1);
    assert_eq!(kaz["organ"], "CSC");
    let arm = rows.iter().find(|row| row["case"] == "arm_2022_09_art4").expect("Armenia row");
    assert_eq!(arm["days_to_first_assistance"], Value::Null);
    assert_eq!(arm["verdicts"].as_array().expect("verdicts").len(), 6);
    let md = stdout(&casus(&["report", TREATY, RECORD, "--at", "2025-12-31"]));
    // Readings by their option texts, statuses in words.
    assert!(
        md.contains("\"The victim's request under Article 4 triggers the duty\": 5 breached") && md.contains("about the victim, does\": 5 not triggered"),
        "{md}"
    );
    assert!(!md.contains("art4_trigger=") && !md.contains("not_triggered"), "{md}");
    let html = stdout(&casus(&["report", TREATY, RECORD, "--at", "2025-12-31", "--html"]));
    assert!(html.starts_with("<!doctype html>") && html.contains("<svg") && html.contains("KAZ") && !html.contains("<script"), "{html}");
}

#[test]
fn explain_suggests_the_fact_meant() {
    for (asked, meant) in [
        ("arm_2022_09_art4", "case/arm_2022_09_art4"),
        ("obligation/arm_2022_09_art4/assist_victim/RUZ", "obligation/arm_2022_09_art4/assist_victim/RUS"),
        ("party/ARN", "party/ARM"),
        ("obligation/arm_2022_09_art4/asist_victim/KAZ", "obligation/arm_2022_09_art4/assist_victim/KAZ"),
    ] {
        let out = casus(&["explain", TREATY, RECORD, asked, "--at", "2022-12-01"]);
        assert_eq!(out.status.code(), Some(2), "{asked}");
        assert!(stderr(&out).contains(&format!("did you mean {meant}?")), "{asked}: {}", stderr(&out));
    }
    // Far from every fact: no guess, examples instead.
    let out = casus(&["explain", TREATY, RECORD, "case/nothing_like_it_at_all", "--at", "2022-12-01"]);
    assert!(!stderr(&out).contains("did you mean") && stderr(&out).contains("facts look like"), "{}", stderr(&out));
}

/// Words a reader sees carry no rule syntax: no `$variable`, no backtick,
/// no status written with an underscore.
pub fn assert_plain_words(what: &str, text: &str) {
    for bad in ["$", "`", "not_triggered", "opted_out", "voted_yes", "voted_no"] {
        assert!(!text.contains(bad), "{what} contains {bad:?}:\n{text}");
    }
}

#[test]
fn tables_and_explanations_read_as_words() {
    for at in ["2021-06-30", "2022-01-07", "2022-12-01"] {
        for reading in ["art4_trigger=request", "art4_trigger=determination"] {
            let out = casus(&["replay", TREATY, RECORD, "--at", at, "-i", reading]);
            assert!(out.status.success(), "{}", stderr(&out));
            assert_plain_words(&format!("replay at {at}"), &stdout(&out));
            let json = casus(&["replay", TREATY, RECORD, "--at", at, "-i", reading, "--json"]);
            let state: Value = serde_json::from_str(&stdout(&json)).expect("json");
            let mut facts: Vec<String> = Vec::new();
            for list in ["parties", "chairs", "documents"] {
                facts.extend(state[list].as_array().expect("list").iter().map(|x| x["fact"].as_str().unwrap_or("").to_string()));
            }
            for c in state["cases"].as_array().expect("cases") {
                facts.push(c["fact"].as_str().unwrap_or("").to_string());
                facts.extend(c["obligations"].as_array().expect("obligations").iter().map(|o| o["fact"].as_str().unwrap_or("").to_string()));
            }
            {
                for fact in facts {
                    let out = casus(&["explain", TREATY, RECORD, &fact, "--at", at, "-i", reading]);
                    assert!(out.status.success(), "{fact}: {}", stderr(&out));
                    assert_plain_words(&fact, &stdout(&out));
                }
            }
        }
    }
    let out = casus(&["readings", TREATY, RECORD, "--at", "2022-12-01"]);
    assert_plain_words("readings", &stdout(&out));
    let out = casus(&["demo"]);
    assert_plain_words("demo", &stdout(&out));
}

#[test]
fn swapped_treaty_and_record_get_a_hint() {
    let out = casus(&["replay", RECORD, TREATY, "--at", "2022-12-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("hint: records/csto-2021-2025.md looks like a record and treaties/cst.md like a treaty"), "{}", stderr(&out));
    // Files in the right order but broken get no such hint.
    let out = casus(&["replay", TREATY, "Cargo.toml", "--at", "2022-12-01"]);
    assert!(!stderr(&out).contains("hint:"), "{}", stderr(&out));
}

/// The January 2022 decision was shown with every seat "pending": a sheet
/// of a decided document says what each seat did.
#[test]
fn the_kazakhstan_decision_sheet_says_what_each_seat_did() {
    let state = replay("2022-02-01", &[]);
    let d = document(&state, "kaz_2022_01_peacekeeping");
    assert_eq!((d["status"].as_str(), d["basis"].as_str()), (Some("adopted"), Some("decision_recorded")));
    let positions: Vec<&str> = d["sheet"].as_array().expect("sheet").iter().map(|s| s["position"].as_str().unwrap_or("")).collect();
    assert_eq!(positions, ["no_objection"; 6]);
    let out = casus(&["explain", TREATY, RECORD, "document/kaz_2022_01_peacekeeping", "--at", "2022-02-01"]);
    let text = stdout(&out);
    assert!(
        text.contains("No objection on record: Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan.")
            && text.contains("recorded its decision on 6 January 2022"),
        "{text}"
    );
    assert!(!text.contains("every seated member signed") && !text.contains("pending"), "{text}");
}
