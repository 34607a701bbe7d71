//! The explanation of every verdict of every shipped record, read as a
//! reader reads it: snapshots of each case and obligation under every
//! reading (reviewed for prose), and a check over every fact of every record
//! that no explanation shows rule syntax (`$variable`, backticks, statuses
//! written with an underscore).

use casus_engine::{Query, all_readings, derive};
use casus_model::{Precision, Symbols, Time};
use casus_query::{Explanation, explain, report};
use std::fmt::Write;

/// Each shipped record with its treaty and the dates its verdicts are read on.
const PAIRS: &[(&str, &str, &[&str])] = &[
    ("cst.md", "csto-2021-2025.md", &["2021-06-30", "2022-12-01", "2025-12-31"]),
    ("north-atlantic.md", "nato-2001.md", &["2001-09-20", "2001-12-01"]),
    ("exercise-majority.md", "exercise-majority.md", &["2031-01-01"]),
    ("exercise-silence.md", "exercise-silence.md", &["2031-01-01"]),
    ("ru-am-1997.md", "ru-am-2021-2022.md", &["2021-12-31", "2022-12-31"]),
    ("cst.md", "csto-kyrgyzstan-2010.md", &["2010-07-01"]),
    ("cst.md", "csto-kgz-tjk-2021-2022.md", &["2022-12-31"]),
    ("rio.md", "rio-1962.md", &["1962-10-24"]),
];

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Loaded {
    symbols: Symbols,
    treaty: casus_model::Treaty,
    acts: Vec<casus_model::Act>,
}

fn load(treaty: &str, record: &str) -> Loaded {
    let mut symbols = Symbols::new();
    let t_text = std::fs::read_to_string(root().join("treaties").join(treaty)).expect("treaty file");
    let (t, diags) = casus_lang::load_treaty(treaty, &t_text, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, treaty, &t_text));
    let r_text = std::fs::read_to_string(root().join("records").join(record)).expect("record file");
    let (r, diags) = casus_lang::load_record(record, &r_text, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, record, &r_text));
    Loaded { symbols, treaty: t, acts: r.acts }
}

fn end_of(date: &str) -> Time {
    match Time::parse(date).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    }
}

/// The explanation as plain text, in the order a reader checks it.
fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n  (fact {})", e.statement, e.fact);
    for r in &e.rules {
        let _ = writeln!(
            out,
            "  Text: {}{}",
            r.heading.as_deref().unwrap_or(&r.kind),
            r.version.as_ref().map(|v| format!(", \"{}\" in force since {}", v.title, v.in_force)).unwrap_or_default()
        );
        if let Some(q) = &r.quote {
            let _ = writeln!(out, "    > {}", q.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    for (i, r) in e.reasons.iter().enumerate() {
        let _ = writeln!(out, "  {}. {r}", i + 1);
    }
    for r in &e.readings {
        let _ = writeln!(out, "  Reading: {} {}{}", r.question_text, r.option_text, if r.default { " (the default)" } else { "" });
    }
    for a in &e.acts {
        let _ = writeln!(out, "  Act {} ({}): {}: {}; attested by {}", a.id, a.role, a.date, a.summary, a.attested_by);
    }
    out
}

/// Every fact of the state, for the checks below.
fn facts(r: &casus_query::Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    out.extend(r.parties.iter().map(|p| p.fact.clone()));
    out.extend(r.chairs.iter().map(|c| c.fact.clone()));
    out.extend(r.documents.iter().map(|d| d.fact.clone()));
    for c in &r.cases {
        out.push(c.fact.clone());
        out.extend(c.obligations.iter().map(|o| o.fact.clone()));
    }
    out
}

const RULE_SYNTAX: [&str; 6] = ["$", "`", "not_triggered", "opted_out", "voted_yes", "voted_no"];

#[test]
fn explanations_of_cases_and_obligations() {
    for &(treaty, record, dates) in PAIRS {
        let l = load(treaty, record);
        for date in dates {
            let mut text = String::new();
            for readings in all_readings(&l.treaty, 64) {
                let state = derive(&l.treaty, &l.acts, &Query { at: end_of(date), readings: readings.clone() });
                let r = report(&l.treaty, &l.acts, &l.symbols, &state);
                if r.cases.is_empty() {
                    continue;
                }
                let words: Vec<String> = r.readings.iter().map(|x| x.option_text.clone()).collect();
                let _ = writeln!(text, "=== Readings: {}\n", words.join("; "));
                for c in &r.cases {
                    let mut ids = vec![c.fact.clone()];
                    ids.extend(c.obligations.iter().map(|o| o.fact.clone()));
                    for fact in ids {
                        let e = explain(&l.treaty, &l.acts, &l.symbols, &state, &fact).unwrap_or_else(|| panic!("no explanation of {fact}"));
                        let _ = writeln!(text, "{}", render(&e));
                    }
                }
            }
            if text.is_empty() {
                continue;
            }
            let name = format!("{}__{date}", record.trim_end_matches(".md"));
            insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("explanations", text);
            });
        }
    }
}

/// Documents do not depend on readings: one snapshot per record and date
/// of every document's explanation.
#[test]
fn explanations_of_documents() {
    for &(treaty, record, dates) in PAIRS {
        let l = load(treaty, record);
        for date in dates {
            let state = derive(&l.treaty, &l.acts, &Query { at: end_of(date), readings: Default::default() });
            let r = report(&l.treaty, &l.acts, &l.symbols, &state);
            let mut text = String::new();
            for d in &r.documents {
                let e = explain(&l.treaty, &l.acts, &l.symbols, &state, &d.fact).unwrap_or_else(|| panic!("no explanation of {}", d.fact));
                let _ = writeln!(text, "{}", render(&e));
            }
            if text.is_empty() {
                continue;
            }
            let name = format!("{}__{date}", record.trim_end_matches(".md"));
            insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("documents", text);
            });
        }
    }
}

#[test]
fn no_explanation_shows_rule_syntax() {
    let mut checked = 0;
    for &(treaty, record, dates) in PAIRS {
        let l = load(treaty, record);
        for date in dates {
            for readings in all_readings(&l.treaty, 64) {
                let state = derive(&l.treaty, &l.acts, &Query { at: end_of(date), readings });
                let r = report(&l.treaty, &l.acts, &l.symbols, &state);
                for fact in facts(&r) {
                    let e = explain(&l.treaty, &l.acts, &l.symbols, &state, &fact).unwrap_or_else(|| panic!("no explanation of {fact}"));
                    let mut words = vec![e.statement.clone()];
                    words.extend(e.reasons.iter().cloned());
                    words.extend(e.acts.iter().map(|a| a.summary.clone()));
                    for w in words {
                        for bad in RULE_SYNTAX {
                            assert!(!w.contains(bad), "{record} on {date}, {fact}: {bad:?} in {w:?}");
                        }
                    }
                    checked += 1;
                }
                for c in &r.cases {
                    assert!(!c.title.contains('_') && !c.title.is_empty(), "case title {:?}", c.title);
                    for o in &c.obligations {
                        assert!(!o.status_text.contains('_') && !o.duty_title.contains('_'), "{o:?}");
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} facts checked");
}

/// What an explanation of a synthetic state claims, checked against the
/// state it explains: the status word of every obligation and case line,
/// the counts in a case's statement, the acts named as fulfilling, meeting a
/// condition or signing.
fn claims_agree(spec: &casus_synth::Spec, at_hours: i64, readings_index: usize) -> Result<usize, String> {
    let mut symbols = Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty("s.md", &casus_synth::treaty_text(spec), &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()));
    let acts = casus_synth::acts(spec, &mut symbols);
    let combos = all_readings(&treaty, 64);
    let readings = combos[readings_index % combos.len()].clone();
    let state = derive(&treaty, &acts, &Query { at: Time(Time::from_date(2001, 1, 1).0 + at_hours * 3600), readings });
    let name = |code: &str| symbols.get(code).and_then(|s| treaty.party(s)).map_or(code.to_string(), |p| p.name.clone());
    let r = report(&treaty, &acts, &symbols, &state);
    let mut claims = 0;
    let fail = |fact: &str, what: String| Err(format!("{fact}: {what}"));
    for c in &r.cases {
        let e = explain(&treaty, &acts, &symbols, &state, &c.fact).ok_or("no case explanation")?;
        // "… (case ID): 3 fulfilled, 2 breached." — each count equals the derived count.
        let verdicts = e.statement.rsplit_once("): ").map(|x| x.1.trim_end_matches('.')).unwrap_or("");
        let mut stated = 0;
        for part in verdicts.split(", ").filter(|p| *p != "no obligation arises") {
            let (n, word) = part.split_once(' ').ok_or(format!("count {part:?}"))?;
            let n: usize = n.replace(',', "").parse().map_err(|_| format!("count {part:?}"))?;
            let derived = c.obligations.iter().filter(|o| o.status_text == word).count();
            if n != derived {
                return fail(&c.fact, format!("says {n} {word}, derived {derived}"));
            }
            stated += n;
            claims += 1;
        }
        if stated != c.obligations.len() {
            return fail(&c.fact, format!("counts add to {stated}, {} obligations", c.obligations.len()));
        }
        // One line per obligation, with its debtor and its status.
        for o in &c.obligations {
            let line = format!("{} owes {} \"{}\": {} since", name(&o.debtor), name(&o.creditor), o.duty_title, o.status_text);
            if !e.reasons.iter().any(|x| x.starts_with(&line)) {
                return fail(&c.fact, format!("no line {line:?}"));
            }
            claims += 1;
        }
        for o in &c.obligations {
            let e = explain(&treaty, &acts, &symbols, &state, &o.fact).ok_or("no obligation explanation")?;
            if !e.statement.contains(&format!(", is {} since", o.status_text)) {
                return fail(&o.fact, format!("statement {:?} does not say {}", e.statement, o.status_text));
            }
            let conclusion = e.reasons.iter().filter_map(|x| x.rsplit_once("So the duty is ")).map(|x| x.1.trim_end_matches('.')).collect::<Vec<_>>();
            let concluded = e.reasons.iter().filter_map(|x| x.split_once(", so the duty is ")).map(|x| x.1.trim_end_matches('.'));
            for word in conclusion.into_iter().chain(concluded) {
                if word != o.status_text {
                    return fail(&o.fact, format!("concludes {word}, status {}", o.status_text));
                }
                claims += 1;
            }
            for a in &e.acts {
                let act = acts
                    .iter()
                    .enumerate()
                    .find(|(i, x)| (if x.id.is_some() { symbols.name(x.id).to_string() } else { format!("act-{}", i + 1) }) == a.id)
                    .map(|x| x.1)
                    .ok_or(format!("act {} cited but not in the record", a.id))?;
                let debtor = symbols.get(&o.debtor).ok_or("debtor")?;
                if a.role == "fulfilment" && !(act.actor == debtor || act.from.contains(&debtor)) {
                    return fail(&o.fact, format!("fulfilment {} is not by {}", a.id, o.debtor));
                }
                if a.role == "fulfilment" && o.status != "fulfilled" {
                    return fail(&o.fact, format!("cites a fulfilment but is {}", o.status));
                }
                claims += 1;
            }
        }
    }
    for d in &r.documents {
        let e = explain(&treaty, &acts, &symbols, &state, &d.fact).ok_or("no document explanation")?;
        if !e.statement.contains(&format!(" is {} ", d.status)) {
            return fail(&d.fact, format!("statement {:?} does not say {}", e.statement, d.status));
        }
        // Each party named as signing has a signature act on this document.
        for a in e.acts.iter().filter(|a| a.role == "signed") {
            let act = acts
                .iter()
                .find(|x| x.id.is_some() && symbols.name(x.id) == a.id)
                .or_else(|| a.id.strip_prefix("act-").and_then(|n| n.parse::<usize>().ok()).and_then(|n| acts.get(n - 1)));
            let Some(act) = act else { return fail(&d.fact, format!("signature {} not in the record", a.id)) };
            if act.kind != casus_model::ActKind::Sign || symbols.name(act.document) != d.id {
                return fail(&d.fact, format!("{} is cited as a signature but is not one of this document", a.id));
            }
            if !d.sheet.iter().any(|s| s.position == "signed" && s.act.as_deref() == Some(a.id.as_str())) {
                return fail(&d.fact, format!("{} is cited as a signature the sheet does not hold", a.id));
            }
            claims += 1;
        }
    }
    Ok(claims)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..proptest::prelude::ProptestConfig::default() })]

    #[test]
    fn every_claim_of_an_explanation_agrees_with_the_verdict(parties in 2usize..8, acts in 0usize..1500, seed in proptest::prelude::any::<u64>(), at_hours in 0i64..1500, readings_index in 0usize..4) {
        let spec = casus_synth::Spec { parties, acts, seed };
        let checked = claims_agree(&spec, at_hours, readings_index);
        proptest::prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
    }
}

/// The property above checks something: on a fixed synthetic record it
/// finds many claims to check.
#[test]
fn the_claims_checked_are_many() {
    let spec = casus_synth::Spec { parties: 5, acts: 3000, seed: 11 };
    let claims = claims_agree(&spec, 1500, 0).expect("claims agree");
    assert!(claims > 100, "only {claims} claims");
}

#[test]
fn an_act_recorded_long_after_its_date_is_marked() {
    let mut l = load("cst.md", "csto-2021-2025.md");
    let key = l.symbols.intern("k1");
    let i = l.acts.iter().position(|a| a.id.is_some() && l.symbols.name(a.id) == "arm_2022_09_art4").expect("the request");
    l.acts[i].recorded = Some(Time::from_date(2025, 10, 1));
    l.acts[i].attestation = casus_model::Attestation::Recorder(key);
    // One act recorded the day after: not marked.
    let j = l.acts.iter().position(|a| a.id.is_some() && l.symbols.name(a.id) == "kaz_2022_01_art4").expect("the request");
    l.acts[j].recorded = Some(Time::from_date(2022, 1, 6));
    let state = derive(&l.treaty, &l.acts, &Query { at: end_of("2022-12-01"), readings: Default::default() });
    let e = explain(&l.treaty, &l.acts, &l.symbols, &state, "obligation/arm_2022_09_art4/assist_victim/RUS").expect("explanation");
    let trigger = e.acts.iter().find(|a| a.role == "trigger").expect("trigger");
    assert_eq!(trigger.attested_by, "recorder k1; recorded on 1 October 2025, 3 years after the fact");
    // The reason says it was recorded late; the act's citation says by whom.
    assert!(e.reasons.iter().any(|r| r.contains("recorded by a recorder on 1 October 2025, 3 years after the fact)")), "{:#?}", e.reasons);
    let e = explain(&l.treaty, &l.acts, &l.symbols, &state, "obligation/kaz_2022_01_art4/assist_victim/RUS").expect("explanation");
    assert!(!e.reasons.iter().any(|r| r.contains("after the fact")), "{:#?}", e.reasons);
}

#[test]
fn numbers_read_as_numbers() {
    let l = load("cst.md", "csto-2021-2025.md");
    let state = derive(&l.treaty, &l.acts, &Query { at: end_of("2022-12-01"), readings: Default::default() });
    let e = explain(&l.treaty, &l.acts, &l.symbols, &state, "obligation/kaz_2022_01_art4/assist_victim/RUS").expect("explanation");
    let text = e.reasons.join("\n");
    assert!(text.contains("deployed 2,030 personnel to Kazakhstan"), "{text}");
    assert!(!text.contains("personnel 2030"), "{text}");
}

/// A ledger names a recorder by its key id; the explanation gives the
/// key's first 16 hex digits, as key listings do, not all 64.
#[test]
fn a_recorder_named_by_its_key_id_is_given_by_its_short_id() {
    let mut l = load("cst.md", "csto-2021-2025.md");
    let key = l.symbols.intern("f865520af308e59f60c28e3dcfb04b4fbeed4e0c9849f67a67106294eeeb574c");
    let i = l.acts.iter().position(|a| a.id.is_some() && l.symbols.name(a.id) == "arm_2022_09_art4").expect("the request");
    l.acts[i].recorded = Some(Time::from_date(2025, 10, 1));
    l.acts[i].attestation = casus_model::Attestation::Recorder(key);
    let state = derive(&l.treaty, &l.acts, &Query { at: end_of("2022-12-01"), readings: Default::default() });
    let e = explain(&l.treaty, &l.acts, &l.symbols, &state, "obligation/arm_2022_09_art4/assist_victim/RUS").expect("explanation");
    let trigger = e.acts.iter().find(|a| a.role == "trigger").expect("trigger");
    assert_eq!(trigger.attested_by, "the recorder whose key is f865520af308e59f; recorded on 1 October 2025, 3 years after the fact");
    assert!(!e.reasons.iter().any(|r| r.contains("f865520af308e59f")), "the reasons leave the key to the act's citation: {:#?}", e.reasons);
}

/// The open points a treaty file states right after an organ or a duty
/// travel with that rule into the explanations citing it, and only there:
/// the CST's chair rule quotes Article 13 but follows the calendar-year
/// chairmanship, which its note says; NATO's duty follows the 2001 practice,
/// not Article 5's words.
#[test]
fn open_points_travel_with_the_rule_they_follow() {
    let l = load("cst.md", "csto-2021-2025.md");
    let state = derive(&l.treaty, &l.acts, &Query { at: end_of("2022-12-01"), readings: Default::default() });
    let chair = explain(&l.treaty, &l.acts, &l.symbols, &state, "chair/CSC").expect("chair");
    let notes: Vec<&String> = chair.rules.iter().flat_map(|r| &r.notes).collect();
    assert!(notes.iter().any(|n| n.starts_with("Chairmanship: ") && n.contains("Not resolved")), "{notes:#?}");
    // The CSC's notes are not the Permanent Council's.
    let pc = explain(&l.treaty, &l.acts, &l.symbols, &state, "chair/PC").expect("chair");
    assert!(pc.rules.iter().flat_map(|r| &r.notes).all(|n| !n.starts_with("Chairmanship: ")), "{:#?}", pc.rules);
    let nato = load("north-atlantic.md", "nato-2001.md");
    let state = derive(&nato.treaty, &nato.acts, &Query { at: end_of("2002-01-01"), readings: Default::default() });
    let e = explain(&nato.treaty, &nato.acts, &nato.symbols, &state, "obligation/nac_2001_09_12_art5/assist_attacked/FRA").expect("obligation");
    let duty = e.rules.iter().find(|r| r.kind == "duty").expect("the duty's rule");
    assert!(duty.notes.iter().any(|n| n.starts_with("Article 5 names no organ and no procedure")), "{:#?}", duty.notes);
    // Both notes after the duty are its own, in order.
    assert_eq!(duty.notes.len(), 2, "{:#?}", duty.notes);
    assert!(duty.notes[1].starts_with("'Forthwith' has no fixed length"), "{:#?}", duty.notes);
}
