//! Fact ids: every id built reads back as itself, what is not an id is
//! refused, and every fact a report lists is one the grammar reads (so
//! `casus explain` and `/api/explain` accept every id `replay` prints).

use casus_query::{FactId, MAX_FACT_BYTES};
use proptest::prelude::*;

const TREATY: &str = include_str!("../../../treaties/cst.md");
const RECORD: &str = include_str!("../../../records/csto-2021-2025.md");

/// A name as the language allows: letters, digits, `_` and `-`.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,24}"
}

fn fact() -> impl Strategy<Value = FactId> {
    prop_oneof![
        name().prop_map(FactId::Party),
        name().prop_map(FactId::Chair),
        name().prop_map(FactId::Document),
        name().prop_map(FactId::Case),
        (name(), name(), name(), proptest::option::of(name())).prop_map(|(case, duty, debtor, creditor)| FactId::Obligation { case, duty, debtor, creditor }),
    ]
}

proptest! {
    #[test]
    fn built_then_parsed_is_the_same_fact(f in fact()) {
        let text = f.to_string();
        prop_assert!(text.starts_with(f.kind()));
        prop_assert_eq!(FactId::parse(&text), Some(f));
    }

    #[test]
    fn parsed_then_built_is_the_same_text(s in "[a-z]{1,10}(/[A-Za-z0-9_]{0,6}){0,4}") {
        if let Some(f) = FactId::parse(&s) {
            prop_assert_eq!(f.to_string(), s);
        }
    }
}

#[test]
fn what_is_not_a_fact_id_is_refused() {
    for bad in [
        "",
        "party",
        "party/",
        "party/ARM/x",
        "nation/ARM",
        "obligation/case/duty",
        "obligation/case//RUS",
        "obligation/a/b/c/d/e",
        "obligation/a/b/c/",
        "case/",
        "/ARM",
        "ARM",
    ] {
        assert_eq!(FactId::parse(bad), None, "{bad:?}");
    }
    let long = format!("party/{}", "A".repeat(MAX_FACT_BYTES));
    assert_eq!(FactId::parse(&long), None);
    assert_eq!(
        FactId::parse("obligation/arm_2022_09_art4/assist_victim/RUS"),
        Some(FactId::Obligation { case: "arm_2022_09_art4".into(), duty: "assist_victim".into(), debtor: "RUS".into(), creditor: None })
    );
    assert_eq!(
        FactId::parse("obligation/joint/assist_victim/RUS/KAZ"),
        Some(FactId::Obligation { case: "joint".into(), duty: "assist_victim".into(), debtor: "RUS".into(), creditor: Some("KAZ".into()) })
    );
}

#[test]
fn every_fact_a_report_lists_reads_back_and_is_explained() {
    let mut symbols = casus_model::Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty("cst.md", TREATY, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()));
    let (record, diags) = casus_lang::load_record("csto.md", RECORD, &treaty, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()));
    let at = casus_model::Time::parse("2022-12-01").expect("date").0.end_of_day();
    let state = casus_engine::derive(&treaty, &record.acts, &casus_engine::Query { at, readings: Default::default() });
    let report = casus_query::report(&treaty, &record.acts, &symbols, &state);
    let mut facts: Vec<&str> = report.parties.iter().map(|p| p.fact.as_str()).collect();
    facts.extend(report.chairs.iter().map(|c| c.fact.as_str()));
    facts.extend(report.documents.iter().map(|d| d.fact.as_str()));
    for c in &report.cases {
        facts.push(&c.fact);
        facts.extend(c.obligations.iter().map(|o| o.fact.as_str()));
    }
    assert!(facts.len() > 20, "{facts:?}");
    for f in facts {
        let id = FactId::parse(f).unwrap_or_else(|| panic!("{f} does not read as a fact id"));
        assert_eq!(id.to_string(), f);
        let e = casus_query::explain_fact(&treaty, &record.acts, &symbols, &state, &id).unwrap_or_else(|| panic!("{f} is not explained"));
        assert_eq!(e.fact, f);
    }
}
