//! Outputs for alliance researchers through the command line: `export atop`,
//! `export dyads`, `report --reliability`, the generated `docs/COVERAGE.md`
//! (a drift test), and `casus report` listing every invocation of every
//! shipped record.

use crate::{casus, root, stderr, stdout};

#[test]
fn coverage_md_is_current() {
    let o = casus(&["report", "--coverage-md"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let now = stdout(&o);
    let path = root().join("docs/COVERAGE.md");
    if std::env::var_os("CASUS_UPDATE_COVERAGE").is_some() {
        std::fs::write(&path, &now).expect("write docs/COVERAGE.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == now, "docs/COVERAGE.md is stale: run `CASUS_UPDATE_COVERAGE=1 cargo test -p casus --test cli coverage` and commit it");
}

/// The ids of the `request` acts of a record's act blocks (head line
/// `TIME ACTOR request …`, then its `id` clause).
fn request_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let (mut in_acts, mut in_request) = (false, false);
    for line in text.lines() {
        if line.starts_with("```") {
            in_acts = line.trim() == "```acts";
            in_request = false;
            continue;
        }
        if !in_acts || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            in_request = line.split_whitespace().nth(2) == Some("request");
        } else if in_request && let ["id", id] = line.split_whitespace().collect::<Vec<_>>().as_slice() {
            ids.push(id.to_string());
        }
    }
    ids
}

#[test]
fn report_lists_every_request_of_every_shipped_record() {
    let o = casus(&["report", "--json", "--at", "2100-01-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let listed: Vec<&str> = json["rows"].as_array().expect("rows").iter().filter_map(|r| r["case"].as_str()).collect();
    let mut records: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("records")).expect("records/").filter_map(|e| e.ok().map(|e| e.path())).collect();
    records.sort();
    let mut seen = 0;
    for r in &records {
        let text = std::fs::read_to_string(r).expect("read");
        for id in request_ids(&text) {
            assert!(listed.contains(&id.as_str()), "{}: request {id} is not in `casus report`", r.display());
            seen += 1;
        }
        // And every case the engine opens (requests, decisions, attacks).
        let treaty = text
            .lines()
            .find_map(|l| match l.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["treaty", id] if l.starts_with(' ') => Some(id.to_string()),
                _ => None,
            })
            .expect("record header");
        let treaty_file = std::fs::read_dir(root().join("treaties"))
            .expect("treaties/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.lines().any(|l| l.starts_with(&format!("treaty {treaty} ")))))
            .expect("the record's treaty");
        let rel = |p: &std::path::Path| p.strip_prefix(root()).unwrap_or(p).display().to_string();
        let replay = casus(&["replay", &rel(&treaty_file), &rel(r), "--at", "2100-01-01", "--json"]);
        assert!(replay.status.success(), "{}", stderr(&replay));
        let state: serde_json::Value = serde_json::from_str(&stdout(&replay)).expect("json");
        for c in state["cases"].as_array().expect("cases") {
            let id = c["id"].as_str().expect("case id");
            assert!(listed.contains(&id), "{}: case {id} is not in `casus report`", r.display());
        }
    }
    assert!(seen >= 10, "only {seen} requests found in the shipped records");
}

#[test]
fn export_atop_gives_json_and_csv_with_evidence() {
    let o = casus(&["export", "atop", "treaties/cst.md"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["treaty"], "CST");
    let phases = json["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 2, "the 1992 text and the 2010 one");
    let defense = phases[0]["values"].as_array().expect("values").iter().find(|v| v["variable"] == "DEFENSE").expect("DEFENSE");
    assert_eq!(defense["value"], 1);
    assert_eq!(defense["evidence"][0]["article"], "Article 4");
    assert!(defense["evidence"][0]["quote"].as_str().is_some_and(|q| !q.is_empty()));
    let csv = casus(&["export", "atop", "treaties/cst.md", "--format", "csv"]);
    assert!(csv.status.success());
    let text = stdout(&csv);
    assert!(text.starts_with("treaty,version,in_force,variable,value,"));
    assert!(text.lines().any(|l| l.starts_with("CST,cst2010,2012-12-19,CONCOREQ,1,")), "{text}");
    let missing = casus(&["export", "atop", "treaties/no-such.md"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn export_dyads_gives_both_directions_and_refuses_bad_ranges() {
    let o = casus(&["export", "dyads", "treaties/north-atlantic.md", "--from", "1949", "--to", "1950"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("treaty,year,state_a,state_b,versions,defense,offense,neutral,nonagg,consul,duties\n"));
    assert!(text.contains("\nNAT,1949,USA,CAN,nat1949,1,0,0,0,1,"), "{text}");
    assert!(text.contains("\nNAT,1949,CAN,USA,nat1949,1,0,0,0,1,"), "{text}");
    let backwards = casus(&["export", "dyads", "treaties/north-atlantic.md", "--from", "1950", "--to", "1949"]);
    assert_eq!(backwards.status.code(), Some(2));
    assert!(stderr(&backwards).contains("the years run backwards"), "{}", stderr(&backwards));
    let json = casus(&["export", "dyads", "treaties/cst.md", "records/csto-2021-2025.md", "--from", "2023", "--to", "2023", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert!(rows.as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn reliability_in_markdown_html_and_json() {
    let md = casus(&["report", "--reliability", "--at", "2026-01-01"]);
    assert!(md.status.success(), "{}", stderr(&md));
    let text = stdout(&md);
    // Readings in the treaty's words, not as ids.
    assert!(text.contains("| CST | records/csto-2021-2025.md | The victim's request under Article 4 triggers the duty |"), "{text}");
    assert!(
        text.contains("| CST | records/csto-2021-2025.md | Only a CSC determination of aggression, or a CSC decision under Article 4 about the victim, does |"),
        "{text}"
    );
    assert!(text.contains("small numbers"), "{text}");
    let html = casus(&["report", "--reliability", "--html", "--at", "2026-01-01"]);
    assert!(stdout(&html).starts_with("<!doctype html>") && stdout(&html).contains("<table>") && stdout(&html).contains("<svg"));
    let json = casus(&["report", "--reliability", "--json", "--at", "2026-01-01"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    let lo = v["lowest"]["share_fulfilled"].as_f64().expect("lowest share");
    let hi = v["highest"]["share_fulfilled"].as_f64().expect("highest share");
    assert!(lo < hi, "the readings move the share: {lo} vs {hi}");
}
