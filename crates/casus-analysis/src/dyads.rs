//! Directed dyad-years: one row per ordered pair of members per year, with
//! the ATOP obligation types in force between them that year.
//!
//! Alliance research works on dyad-years (ATOP's directed dyad-year files
//! are its most used form). A row (A, B, Y) says what A owed B in year Y:
//! membership over time (joins, leaves, suspensions, and the record's
//! accessions and withdrawals) and the version of the text in force decide
//! it, and each duty's debtors and creditor decide its direction. A pair is
//! a row for a year if both were members (not suspended) at some instant of
//! that year; its obligations are those of every duty in force at such an
//! instant.

use crate::atop::{Obligation, csv_field, obligation_of};
use casus_model::membership::{is_member, timelines};
use casus_model::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The most years one export covers.
pub const MAX_YEARS: i64 = 1_000;
/// The years an export may name (the dates the language reads).
pub const YEARS: std::ops::RangeInclusive<i64> = 1..=9999;
/// The most rows one export gives (parties × parties × years).
pub const MAX_ROWS: usize = 5_000_000;

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct DyadRow {
    pub treaty: String,
    pub year: i64,
    /// The party that owes.
    pub state_a: String,
    /// The party owed.
    pub state_b: String,
    /// The versions of the text in force while both were members.
    pub versions: Vec<String>,
    pub obligations: BTreeSet<Obligation>,
    /// The duties A owed B, by id.
    pub duties: Vec<String>,
}

/// A request the export refuses, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DyadError(pub String);

impl std::fmt::Display for DyadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DyadError {}

/// Whether `a` owes `b` under `duty`, whatever act engages it: the
/// creditor must be able to be `b` and the debtors must include `a`.
/// Variables other than the creditor's (an attacker, an invoker) are bound
/// by the act that engages the duty, so they exclude no party in advance.
pub fn owes(duty: &Duty, a: Sym, b: Sym) -> bool {
    if a == b {
        return false;
    }
    let creditor_var = match duty.owed_to {
        Term::Name(x) if x != b => return false,
        Term::Var(v) => Some(v),
        _ => None,
    };
    match &duty.owed_by {
        Debtors::EveryPartyExcept(except) => !except.contains(&Term::Name(a)),
        Debtors::Listed(terms) => terms.iter().any(|&t| match t {
            Term::Name(x) => x == a,
            Term::Var(v) => Some(v) != creditor_var,
            Term::Any => true,
        }),
    }
}

/// Whether a duty binds every ordered pair alike (owed by every party but
/// the one owed, to whichever party the engaging act names): then A owes B
/// exactly when B owes A.
pub fn is_symmetric(duty: &Duty) -> bool {
    matches!(duty.owed_to, Term::Var(_)) && matches!(&duty.owed_by, Debtors::EveryPartyExcept(ex) if ex.iter().all(|t| matches!(t, Term::Var(_))))
}

/// What A owed B in a year: the versions in force, the obligation types,
/// the duties.
type Owed = (BTreeSet<String>, BTreeSet<Obligation>, Vec<String>);

/// The rows for the years `from..=to`, ordered by year, then A, then B.
pub fn dyads(treaty: &Treaty, acts: &[Act], symbols: &Symbols, from: i64, to: i64) -> Result<Vec<DyadRow>, DyadError> {
    if !YEARS.contains(&from) || !YEARS.contains(&to) {
        return Err(DyadError(format!("years run from {} to {}; {from} to {to} is outside", YEARS.start(), YEARS.end())));
    }
    if to < from {
        return Err(DyadError(format!("the years run backwards: {from} to {to}")));
    }
    if to - from >= MAX_YEARS {
        return Err(DyadError(format!("{from} to {to} is more than {MAX_YEARS} years")));
    }
    let lines = timelines(treaty, acts);
    let treaty_id = symbols.name(treaty.id).to_string();
    let mut rows = Vec::new();
    for year in from..=to {
        let start = Time::from_date(year, 1, 1);
        let end = Time(Time::from_date(year + 1, 1, 1).0 - 1);
        // The instants at which membership or the text may change this year.
        let mut instants: BTreeSet<Time> = BTreeSet::from([start]);
        instants.extend(lines.values().flatten().map(|(t, _)| *t).filter(|t| (start..=end).contains(t)));
        instants.extend(treaty.versions.iter().map(|v| v.in_force).filter(|t| (start..=end).contains(t)));
        let mut pairs: BTreeMap<(&str, &str), Owed> = BTreeMap::new();
        for &t in &instants {
            let Some(version) = treaty.version_at(t) else { continue };
            let members: Vec<Sym> = lines.iter().filter(|(_, l)| is_member(l, t)).map(|(s, _)| *s).collect();
            let duties: Vec<&Duty> = treaty.duties.iter().filter(|d| treaty.rule_in_force(&d.versions, t)).collect();
            for &a in &members {
                for &b in &members {
                    if a == b {
                        continue;
                    }
                    let entry = pairs.entry((symbols.name(a), symbols.name(b))).or_default();
                    entry.0.insert(symbols.name(version.id).to_string());
                    for d in duties.iter().filter(|d| owes(d, a, b)) {
                        if let Some(o) = obligation_of(d) {
                            entry.1.insert(o);
                        }
                        let id = symbols.name(d.id).to_string();
                        if !entry.2.contains(&id) {
                            entry.2.push(id);
                        }
                    }
                }
            }
            if rows.len() + pairs.len() > MAX_ROWS {
                return Err(DyadError(format!("more than {MAX_ROWS} rows: ask for fewer years")));
            }
        }
        for ((a, b), (versions, obligations, duties)) in pairs {
            rows.push(DyadRow {
                treaty: treaty_id.clone(),
                year,
                state_a: a.to_string(),
                state_b: b.to_string(),
                versions: versions.into_iter().collect(),
                obligations,
                duties,
            });
        }
    }
    Ok(rows)
}

/// The header of [`csv`]: the obligation columns are ATOP's names.
pub const CSV_HEADER: &str = "treaty,year,state_a,state_b,versions,defense,offense,neutral,nonagg,consul,duties";

pub fn csv(rows: &[DyadRow]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for r in rows {
        let flags: Vec<&str> = Obligation::ALL.iter().map(|o| if r.obligations.contains(o) { "1" } else { "0" }).collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            csv_field(&r.treaty),
            r.year,
            csv_field(&r.state_a),
            csv_field(&r.state_b),
            csv_field(&r.versions.join(";")),
            flags.join(","),
            csv_field(&r.duties.join(";"))
        ));
    }
    out
}
