//! Outputs for alliance researchers, checked on every shipped treaty and
//! record: the ATOP coding carries its evidence and codes what the rules
//! say; directed dyad-years are symmetric wherever the rule is; and the
//! reliability counts add up and differ between readings where the text's
//! readings differ.

use casus_analysis::atop::{Obligation, atop_coding, obligation_of};
use casus_analysis::dyads::{dyads, is_symmetric, owes};
use casus_analysis::reliability::{reliability, treaty_reliability};
use casus_model::{Act, Symbols, Time, Treaty};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn md_files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("shipped directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

/// A shipped treaty with the acts of each of its records (none: no record).
struct Set {
    name: String,
    treaty: Treaty,
    symbols: Symbols,
    records: Vec<(String, Vec<Act>)>,
}

/// The treaty id a record's header names: the indented `treaty ID` line.
fn header_treaty(text: &str) -> Option<String> {
    text.lines().find_map(|l| match l.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["treaty", id] if l.starts_with(' ') => Some(id.to_string()),
        _ => None,
    })
}

/// Every treaty under treaties/ with its records under records/, and every
/// treaty under examples/ with its records there (treaty ids are unique
/// within each pair of directories, not across them).
fn shipped() -> Vec<Set> {
    let mut sets = Vec::new();
    for (tdir, rdir) in [("treaties", "records"), ("examples", "examples")] {
        let files: Vec<PathBuf> = md_files(tdir).into_iter().chain(if tdir == rdir { Vec::new() } else { md_files(rdir) }).collect();
        sets.extend(sets_in(files));
    }
    assert!(sets.len() >= 8, "the shipped treaties were not found");
    sets
}

fn sets_in(files: Vec<PathBuf>) -> Vec<Set> {
    let texts: Vec<(PathBuf, String)> = files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).expect("read"))).collect();
    let mut sets = Vec::new();
    for (path, text) in texts.iter().filter(|(_, t)| t.contains("```casus")) {
        let mut symbols = Symbols::new();
        let name = path.display().to_string();
        let (treaty, diags) = casus_lang::load_treaty(&name, text, &mut symbols);
        assert!(!diags.iter().any(|d| d.is_error()), "{name} has errors");
        let id = symbols.name(treaty.id).to_string();
        let mut records = Vec::new();
        for (rpath, rtext) in texts.iter().filter(|(_, t)| t.contains("```acts") && header_treaty(t).as_deref() == Some(id.as_str())) {
            let rname = rpath.display().to_string();
            let (record, diags) = casus_lang::load_record(&rname, rtext, &treaty, &mut symbols);
            assert!(!diags.iter().any(|d| d.is_error()), "{rname} has errors");
            records.push((rname, record.acts));
        }
        sets.push(Set { name, treaty, symbols, records });
    }
    sets
}

#[test]
fn every_coded_value_carries_its_rule_article_and_quote() {
    for s in shipped() {
        let coding = atop_coding(&s.treaty, &s.symbols);
        assert_eq!(coding.phases.len(), s.treaty.versions.len(), "{}: one phase per version", s.name);
        for p in &coding.phases {
            for v in p.values.iter().chain(&p.other_conditions) {
                match v.value {
                    Some(1) => assert!(!v.evidence.is_empty(), "{}: {} is 1 with no evidence", s.name, v.variable),
                    Some(0) => assert!(v.evidence.is_empty(), "{}: {} is 0 with evidence", s.name, v.variable),
                    None => assert!(v.note.is_some(), "{}: {} is unknown without saying why", s.name, v.variable),
                    Some(other) => panic!("{}: {} = {other}", s.name, v.variable),
                }
                for e in &v.evidence {
                    // A provision's evidence is a clause of the treaty itself, not of a duty.
                    if casus_analysis::atop::PROVISIONS.iter().any(|p| p.variable == v.variable) {
                        assert!(!e.clause.is_empty() && e.duty.is_empty(), "{}: {} evidence without its clause", s.name, v.variable);
                        continue;
                    }
                    assert!(!e.clause.is_empty() && !e.duty.is_empty(), "{}: {} evidence without its rule", s.name, v.variable);
                    // A duty worded in several versions: the evidence quotes one wording.
                    let duty = s.treaty.duties.iter().find(|d| s.symbols.name(d.id) == e.duty && d.quote.text == e.quote);
                    let Some(duty) = duty else { panic!("{}: {} quotes no wording of {}", s.name, v.variable, e.duty) };
                    if !duty.quote.text.is_empty() {
                        assert!(!e.article.is_empty() && e.line > 0, "{}: {} quote without article or line", s.name, v.variable);
                    }
                }
            }
        }
    }
}

/// The value of a variable in the first phase of a shipped treaty.
fn value(sets: &[Set], file: &str, variable: &str) -> Option<u8> {
    let s = sets.iter().find(|s| s.name.ends_with(file)).expect("shipped file");
    atop_coding(&s.treaty, &s.symbols).phases[0]
        .values
        .iter()
        .chain(&atop_coding(&s.treaty, &s.symbols).phases[0].other_conditions)
        .find(|v| v.variable == variable)
        .expect("variable")
        .value
}

/// Evidence that rests on the file's reading of practice says so: NATO's
/// organ condition carries the note that Article 5 names no organ, in the
/// JSON and in the CSV's note column.
#[test]
fn evidence_carries_the_open_points_of_its_duty() {
    let sets = shipped();
    let s = sets.iter().find(|s| s.name.ends_with("treaties/north-atlantic.md")).expect("shipped file");
    let coding = atop_coding(&s.treaty, &s.symbols);
    let v = coding.phases[0].other_conditions.iter().find(|v| v.variable == "casus:organ_determination").expect("variable");
    assert!(v.evidence.iter().all(|e| e.open_points.iter().any(|p| p.starts_with("Article 5 names no organ"))), "{:#?}", v.evidence);
    let csv = casus_analysis::atop::csv(&coding);
    assert!(csv.lines().any(|l| l.contains("casus:organ_determination") && l.contains("open point in the treaty file: Article 5 names no organ")), "{csv}");
}

#[test]
fn shipped_treaties_are_coded_as_their_rules_say() {
    let sets = shipped();
    // (file, variable, value): what each treaty's rules state.
    let cases: &[(&str, &str, Option<u8>)] = &[
        ("treaties/cst.md", "DEFENSE", Some(1)),
        ("treaties/cst.md", "CONSUL", Some(1)),
        ("treaties/cst.md", "CONCOREQ", Some(1)),
        ("treaties/cst.md", "DEFCON", Some(1)),
        ("treaties/cst.md", "NONAGG", Some(0)),
        ("treaties/cst.md", "DEFCOLOC", Some(0)),
        // The CST file notes its withdrawal article unencoded: unknown, not 0.
        ("treaties/cst.md", "RENOUNCE", None),
        ("treaties/north-atlantic.md", "DEFCOLOC", Some(1)),
        ("treaties/trilateral-2020.md", "RENOUNCE", Some(1)),
        ("examples/anglo-polish-1939.md", "DEFCOADV", Some(1)),
        ("examples/anglo-polish-1939.md", "DEFCONPR", Some(1)),
        ("examples/exercise-conditions.md", "DEFCONUM", Some(1)),
        ("examples/exercise-conditions.md", "DEFCOCON", Some(1)),
        ("examples/exercise-conditions.md", "DEFCODEM", Some(1)),
        ("treaties/north-atlantic.md", "DEFCODEM", Some(0)),
        ("examples/exercise-provisions.md", "RENOUNCE", Some(1)),
        ("treaties/cst.md", "DEFCODEM", Some(0)),
        ("treaties/north-atlantic.md", "DEFENSE", Some(1)),
        ("treaties/north-atlantic.md", "casus:organ_determination", Some(1)),
        ("treaties/anzus.md", "DEFENSE", Some(1)),
        ("treaties/anzus.md", "DEFCON", Some(0)),
        ("treaties/anzus.md", "casus:victim_request", Some(1)),
        ("examples/non-aggression.md", "NONAGG", Some(1)),
        ("examples/non-aggression.md", "NEUTRAL", Some(1)),
        ("examples/non-aggression.md", "DEFENSE", Some(0)),
        ("examples/exercise-triggers.md", "CONSUL", Some(1)),
        ("examples/exercise-triggers.md", "CONCOREQ", Some(0)),
    ];
    for (file, variable, want) in cases {
        assert_eq!(value(&sets, file, variable), *want, "{file}: {variable}");
    }
}

const OFFENCE_TREATY: &str = "# Offence (a test treaty)\n\n## Article 1\n\n> Each party joins the other in war against Ruritania.\n\n```casus\ntreaty OFF \"Offence\"\n  signed 1900-01-01\nversion v1 \"Text\"\n  in-force 1900-01-01\nparty AAA \"A\"\n  joins 1900-01-01\nparty BBB \"B\"\n  joins 1900-01-01\nstate RUR \"Ruritania\"\nduty join_war \"Joining the other's war\"\n  on       attack against RUR by $party\n  owed by  every party except $party\n  owed to  $party\n  does     assistance to $party\n  within   7 days\nduty tribute \"Tribute from B to A\"\n  on       attack against AAA by RUR\n  owed by  BBB\n  owed to  AAA\n  does     assistance to AAA\n  within   7 days\n```\n";

#[test]
fn offence_and_a_named_adversary_are_coded_from_the_rules() {
    let mut symbols = Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty("offence.md", OFFENCE_TREATY, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let duty = |id: &str| treaty.duties.iter().find(|d| symbols.name(d.id) == id).expect("duty");
    assert_eq!(obligation_of(duty("join_war")), Some(Obligation::Offense));
    assert_eq!(obligation_of(duty("tribute")), Some(Obligation::Defense));
    let coding = atop_coding(&treaty, &symbols);
    let v = |name: &str| coding.phases[0].values.iter().find(|v| v.variable == name).expect("variable").clone();
    assert_eq!(v("OFFENSE").value, Some(1));
    assert_eq!(v("DEFCOADV").value, Some(1));
    assert_eq!(v("DEFCOADV").evidence[0].clause, "on attack against AAA by RUR");
    assert_eq!(v("DEFCOADV").evidence[0].quote, "Each party joins the other in war against Ruritania.");
    // The tribute runs one way only: B owes A, A does not owe B.
    let (a, b) = (symbols.get("AAA").expect("A"), symbols.get("BBB").expect("B"));
    assert!(!is_symmetric(duty("tribute")) && owes(duty("tribute"), b, a) && !owes(duty("tribute"), a, b));
    let rows = dyads(&treaty, &[], &symbols, 1900, 1900).expect("rows");
    let row = |x: &str, y: &str| rows.iter().find(|r| r.state_a == x && r.state_b == y).expect("row");
    assert!(row("BBB", "AAA").duties.contains(&"tribute".to_string()));
    assert!(!row("AAA", "BBB").duties.contains(&"tribute".to_string()));
    assert!(row("AAA", "BBB").obligations.contains(&Obligation::Offense));
}

/// Every symmetric duty in a row (A, B, Y) is in the row (B, A, Y).
fn assert_symmetric(treaty: &Treaty, symbols: &Symbols, acts: &[Act], from: i64, to: i64, what: &str) {
    let rows = dyads(treaty, acts, symbols, from, to).expect("rows");
    let index: std::collections::HashMap<(i64, &str, &str), &casus_analysis::dyads::DyadRow> =
        rows.iter().map(|r| ((r.year, r.state_a.as_str(), r.state_b.as_str()), r)).collect();
    for r in &rows {
        let mirror = index.get(&(r.year, r.state_b.as_str(), r.state_a.as_str()));
        let Some(mirror) = mirror else { panic!("{what}: {} {}→{} has no mirror row", r.year, r.state_a, r.state_b) };
        for d in &r.duties {
            let duty = treaty.duties.iter().find(|x| symbols.name(x.id) == d).expect("duty");
            if is_symmetric(duty) {
                assert!(mirror.duties.contains(d), "{what}: {} {}→{} owes {d} but not back", r.year, r.state_a, r.state_b);
            }
        }
    }
}

#[test]
fn dyads_of_every_shipped_treaty_are_symmetric_where_the_rule_is() {
    for s in shipped() {
        let first = s.treaty.versions.first().map(|v| v.in_force.year()).expect("a version");
        let last = first.max(2026) + 1;
        assert_symmetric(&s.treaty, &s.symbols, &[], first, last, &s.name);
        for (name, acts) in &s.records {
            assert_symmetric(&s.treaty, &s.symbols, acts, first, last, name);
        }
    }
}

#[test]
fn dyads_follow_membership_over_time() {
    let sets = shipped();
    let cst = sets.iter().find(|s| s.name.ends_with("treaties/cst.md")).expect("CST");
    let rows = dyads(&cst.treaty, &[], &cst.symbols, 1998, 2013).expect("rows");
    let has = |y: i64, a: &str, b: &str| rows.iter().any(|r| r.year == y && r.state_a == a && r.state_b == b);
    // Uzbekistan left in 1999, returned in 2006 and was suspended in 2012.
    assert!(has(1998, "UZB", "RUS"));
    assert!(!has(2003, "UZB", "RUS") && !has(2003, "RUS", "UZB"));
    assert!(has(2007, "RUS", "UZB"));
    assert!(!has(2013, "RUS", "UZB"));
    // 2012: the 1992 text, then the 2010 one from 19 December.
    let r = rows.iter().find(|r| r.year == 2012 && r.state_a == "ARM" && r.state_b == "RUS").expect("row");
    assert_eq!(r.versions, ["cst1992", "cst2010"]);
    assert!(dyads(&cst.treaty, &[], &cst.symbols, 2013, 2012).is_err());
    assert!(dyads(&cst.treaty, &[], &cst.symbols, 1000, 5000).is_err());
    assert!(dyads(&cst.treaty, &[], &cst.symbols, i64::MIN, i64::MAX).is_err());
    assert!(dyads(&cst.treaty, &[], &cst.symbols, i64::MAX, i64::MAX).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Synthetic treaties and records (random membership changes) give
    /// symmetric dyads for symmetric duties.
    #[test]
    fn synthetic_dyads_are_symmetric(parties in 2usize..8, n in 20usize..400, seed in any::<u64>(), span in 0i64..4) {
        let spec = casus_synth::Spec { parties, acts: n, seed };
        let mut symbols = Symbols::new();
        let (treaty, diags) = casus_lang::load_treaty("s.md", &casus_synth::treaty_text(&spec), &mut symbols);
        prop_assert!(!diags.iter().any(|d| d.is_error()));
        let acts = casus_synth::acts(&spec, &mut symbols);
        let from = acts.first().map(|a| a.time.year()).unwrap_or(2000);
        assert_symmetric(&treaty, &symbols, &acts, from, from + span, "synthetic");
    }
}

#[test]
fn reliability_counts_add_up_and_show_the_readings_apart() {
    let at = Time::parse("2026-01-01").map(|(t, _)| t.end_of_day()).expect("date");
    let mut all = Vec::new();
    for s in shipped() {
        for (name, acts) in &s.records {
            all.push(treaty_reliability(&s.treaty, name, acts, &s.symbols, at));
        }
    }
    for t in &all {
        for r in &t.readings {
            assert_eq!(r.engaged, r.fulfilled + r.breached + r.pending + r.undetermined, "{}", t.record);
            assert!(r.invocations_engaging <= t.invocations, "{}", t.record);
            assert_eq!(r.share_fulfilled.is_some(), r.engaged > 0);
        }
    }
    // The CSTO record under its two readings of Article 4: the share moves.
    let csto = all.iter().find(|t| t.record.ends_with("csto-2021-2025.md")).expect("CSTO record");
    let shares: Vec<Option<f64>> = csto.distinct().iter().map(|(_, r)| r.share_fulfilled).collect();
    assert!(shares.len() >= 2, "the readings of Article 4 give different counts: {shares:?}");
    let rel = reliability(all, at);
    assert!(rel.lowest.share_fulfilled <= rel.highest.share_fulfilled);
    assert!(rel.lowest.engaged > 0);
}

#[test]
fn dyad_obligations_are_those_the_atop_coding_gives_their_versions() {
    for s in shipped() {
        let coding = atop_coding(&s.treaty, &s.symbols);
        let first = s.treaty.versions.first().map(|v| v.in_force.year()).expect("a version");
        for r in dyads(&s.treaty, &[], &s.symbols, first, first.max(2026)).expect("rows") {
            for o in &r.obligations {
                let coded = coding
                    .phases
                    .iter()
                    .filter(|p| r.versions.contains(&p.version))
                    .any(|p| p.values.iter().any(|v| v.variable == o.variable() && v.value == Some(1)));
                assert!(coded, "{}: {} {}→{} has {} but no version in force codes it", s.name, r.year, r.state_a, r.state_b, o.variable());
            }
        }
    }
}

#[test]
fn a_demand_not_complied_with_is_coded_with_its_clause() {
    let sets = shipped();
    let s = sets.iter().find(|s| s.name.ends_with("examples/exercise-conditions.md")).expect("shipped file");
    let coding = atop_coding(&s.treaty, &s.symbols);
    let v = coding.phases[0].values.iter().find(|v| v.variable == "DEFCODEM").expect("DEFCODEM");
    assert_eq!(v.value, Some(1));
    let clauses: Vec<(&str, &str)> = v.evidence.iter().map(|e| (e.duty.as_str(), e.clause.as_str())).collect();
    assert_eq!(clauses, vec![("enforce_demand", "only unless statement compliance to $party by $target within 10 days")]);
}
