//! `casus report`: every request is a row (with why it engages no duty, when
//! it engages none); days to first assistance count only performance of an
//! assistance duty; late performance is shown as a breach.

use crate::{casus, stderr, stdout};
use serde_json::Value;

fn rows(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--at", "2025-12-31", "--json"]);
    let out = casus(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).expect("json");
    r["rows"].as_array().expect("rows[]").clone()
}

fn row<'a>(rows: &'a [Value], case: &str) -> &'a Value {
    rows.iter().find(|r| r["case"] == case).unwrap_or_else(|| panic!("no row {case} in {rows:#?}"))
}

/// A record under the North Atlantic Treaty, written to a temporary file.
fn nato_record(name: &str, acts: &str) -> String {
    let dir = std::env::temp_dir().join(format!("casus-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, format!("record \"t\"\n  treaty NAT\n\n{acts}")).expect("write record");
    path.display().to_string()
}

#[test]
fn requests_that_engage_no_duty_are_rows_with_why() {
    let rows = rows(&["treaties/cst.md", "records/csto-2021-2025.md"]);
    for id in ["arm_2021_11_rus", "arm_2022_09_rus"] {
        let r = row(&rows, id);
        let why = r["no_duty"].as_str().unwrap_or_else(|| panic!("{id}: no reason"));
        assert!(why.contains("\"Assistance to the victim of an aggression\" is owed on a request under Article 4; this one names no article"), "{why}");
        assert!(
            why.contains("\"Joint consultations on a threat to a party\" is owed on a request for consultation; this is a request for assistance"),
            "{why}"
        );
        assert_eq!(r["organ"], "RUS");
        assert_eq!(r["verdicts"], serde_json::json!([]));
    }
    // Requests that open a case have no such reason.
    assert_eq!(row(&rows, "kaz_2022_01_art4")["no_duty"], Value::Null);
    let md = stdout(&casus(&["report", "treaties/cst.md", "records/csto-2021-2025.md", "--at", "2025-12-31"]));
    assert!(md.contains("| CST | — | ARM | ARM | 2022-09-13 | RUS | none recorded | no duty engaged: "), "{md}");
}

#[test]
fn days_count_to_a_performance_the_row_lists() {
    let rows = rows(&["treaties/north-atlantic.md", "records/nato-2001.md"]);
    let r = row(&rows, "nac_2001_09_12_art5");
    assert_eq!(r["days_to_first_assistance"], 22);
    assert_eq!(r["first_assistance"], "nac_2001_10_04_measures");
    let response: Vec<&str> = r["response"].as_array().expect("response").iter().filter_map(Value::as_str).collect();
    assert_eq!(response[0], "2001-10-04 NAC decision (nac_2001_10_04_measures), performing assist_attacked", "{response:#?}");
    assert_eq!(response.len(), 3, "{response:#?}");
}

#[test]
fn a_consultation_is_not_assistance() {
    let record = nato_record(
        "consult.acts",
        "2010-01-01 TUR request consultation\n  id tur_consult\n  under art4\n  to NAC\n  source \"s\"\n\n2010-01-02 NAC session\n  id tur_session\n  under art4\n  about TUR\n  from BEL\n  source \"s\"\n",
    );
    let rows = rows(&["treaties/north-atlantic.md", &record]);
    let r = row(&rows, "tur_consult");
    assert!(r["verdicts"][0]["summary"].as_str().unwrap_or("").contains("1 fulfilled"), "{r:#?}");
    assert_eq!(r["days_to_first_assistance"], Value::Null, "{r:#?}");
    assert!(r["response"][0].as_str().unwrap_or("").ends_with("(tur_session), performing consult_on_threat"), "{r:#?}");
}

#[test]
fn late_performance_is_shown_as_a_breach() {
    let record = nato_record(
        "late.acts",
        "2010-01-01 TUR request consultation\n  id tur_consult\n  under art4\n  to NAC\n  source \"s\"\n\n2010-01-20 NAC session\n  id tur_session\n  under art4\n  about TUR\n  from BEL\n  source \"s\"\n",
    );
    let out = casus(&["replay", "treaties/north-atlantic.md", &record, "--at", "2010-02-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let bel = text
        .lines()
        .find(|l| l.trim_start().starts_with("BEL ") && l.contains("Consultation when a party is threatened"))
        .unwrap_or_else(|| panic!("no BEL line in {text}"));
    assert!(bel.contains("breached") && bel.contains("performed late on 2010-01-20 by tur_session"), "{bel}");
    let json: Value = serde_json::from_str(&stdout(&casus(&["replay", "treaties/north-atlantic.md", &record, "--at", "2010-02-01", "--json"]))).expect("json");
    let o = json["cases"][0]["obligations"].as_array().expect("obligations").iter().find(|o| o["debtor"] == "BEL").expect("BEL").clone();
    assert_eq!((o["status"].as_str(), o["fulfilled_by"].as_str(), o["performed_late"]["act"].as_str()), (Some("breached"), None, Some("tur_session")));
}
