//! What-if: replay a record with acts added or removed, or an organ's
//! decision rule replaced, and list every fact whose verdict changes.
//!
//! Only what a change can affect is derived again: the documents it names
//! (or that the replaced rule decides) and the cases of the parties it
//! mentions, from the acts that mention them. That is sound because every
//! duty reaches its acts through the parties its trigger binds (checked per
//! treaty by `focusable`; otherwise, and for changes to membership or
//! chairs, everything is derived again). A property test holds the focused
//! result equal to a full derivation.

use casus_query::report::{CaseRow, DocumentRow};

use casus_engine::{Query, derive};
use casus_model::*;
use casus_query::{Report, report};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub enum Change {
    /// An act that did not happen, as if it had.
    Add(Act),
    /// The act with this id, as if it had not happened.
    Remove(Sym),
    /// The organ decides by another rule: every proposal, whatever its
    /// kind, when `kind` is `Sym::NONE`; else only proposals of that kind
    /// (`ORGAN:KIND=RULE`). Only the decision rule is replaced: the parts
    /// of each replaced vote rule that `said` does not state (its quorum,
    /// how abstentions count, the exclusion of the parties to the dispute)
    /// stay as they are.
    Rule { organ: Sym, kind: Sym, rule: DecisionRule, said: RuleParts },
}

/// Which parts of a vote rule a replacement rule states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleParts {
    pub quorum: bool,
    pub abstentions: bool,
    pub excludes: bool,
}

impl RuleParts {
    /// The parts stated by a rule written as clauses separated by `;`, as
    /// in `2/3 of members; quorum 4; abstentions count as no`.
    pub fn stated_in(text: &str) -> RuleParts {
        let heads: Vec<&str> = text.split(';').filter_map(|c| c.split_whitespace().next()).collect();
        RuleParts { quorum: heads.contains(&"quorum"), abstentions: heads.contains(&"abstentions"), excludes: heads.contains(&"excludes") }
    }
}

/// The organ's rule with its decision rule replaced by `new`: a vote rule
/// replacing a vote rule keeps the quorum, the counting of abstentions
/// and the exclusion of disputants of the old one unless `said` states them.
pub fn replaced_rule(old: DecisionRule, new: DecisionRule, said: RuleParts) -> DecisionRule {
    match (old, new) {
        (DecisionRule::Vote(o), DecisionRule::Vote(mut n)) => {
            if !said.quorum {
                n.quorum = o.quorum;
            }
            if !said.abstentions {
                n.abstentions_against = o.abstentions_against;
            }
            if !said.excludes {
                n.exclude_disputants = o.exclude_disputants;
            }
            DecisionRule::Vote(n)
        }
        _ => new,
    }
}

/// Applies a rule change to the treaty's organ: to its rule for `kind`,
/// or to all its rules (its default and each kind's) for `Sym::NONE`.
fn set_rule(t: &mut Treaty, organ: Sym, kind: Sym, rule: DecisionRule, said: RuleParts) {
    if let Some(o) = t.organs.iter_mut().find(|o| o.id == organ) {
        if kind.is_none() {
            o.decides = replaced_rule(o.decides, rule, said);
        }
        for k in o.kinds.iter_mut().filter(|k| kind.is_none() || k.kind == kind) {
            k.rule = replaced_rule(k.rule, rule, said);
        }
    }
}

/// A fact whose verdict differs.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct FactChange {
    pub fact: String,
    pub before: String,
    pub after: String,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct WhatIf {
    pub at: String,
    pub changes: Vec<String>,
    pub facts: Vec<FactChange>,
    /// Whether only the affected documents and cases were derived again.
    pub focused: bool,
}

/// The verdict of every fact in words (parties by name, statuses as words),
/// keyed by fact id, in a stable order; only the documents and the cases
/// of requesters that `keep` accepts.
fn verdicts(r: &Report, keep_doc: &dyn Fn(&str) -> bool, keep_case: &dyn Fn(&CaseRow) -> bool, everything: bool) -> Vec<(String, String)> {
    let name = |code: &str| r.parties.iter().find(|p| p.code == code).map_or_else(|| code.to_string(), |p| p.name.clone());
    let mut v = Vec::new();
    if everything {
        for p in &r.parties {
            v.push((p.fact.clone(), p.status.clone()));
        }
        for c in &r.chairs {
            v.push((c.fact.clone(), name(&c.party)));
        }
    }
    for d in r.documents.iter().filter(|d| keep_doc(&d.id)) {
        v.push((d.fact.clone(), document_verdict(d, &name)));
    }
    for c in r.cases.iter().filter(|c| keep_case(c)) {
        v.push((c.fact.clone(), "opened".to_string()));
        for o in &c.obligations {
            v.push((o.fact.clone(), o.status_text.clone()));
        }
    }
    v.sort();
    v
}

fn document_verdict(d: &DocumentRow, name: &dyn Fn(&str) -> String) -> String {
    casus_query::report::document_verdict(d.status, &d.blocked_by.iter().map(|p| name(p)).collect::<Vec<_>>())
}

/// What a side without the fact says of it, in words by the fact's kind.
fn missing(fact: &str) -> String {
    match fact.split('/').next() {
        Some("obligation") => "does not arise",
        Some("document") => "never proposed",
        Some("case") => "not opened",
        Some("party") => "not a party",
        Some("chair") => "no chair",
        _ => "not derived",
    }
    .to_string()
}

/// The facts whose verdicts differ between two reports.
pub fn diff(before: &Report, after: &Report) -> Vec<FactChange> {
    let all = |r: &Report| verdicts(r, &|_| true, &|_| true, true);
    diff_verdicts(&all(before), &all(after))
}

fn diff_verdicts(b: &[(String, String)], a: &[(String, String)]) -> Vec<FactChange> {
    let keys: BTreeSet<&String> = b.iter().map(|x| &x.0).chain(a.iter().map(|x| &x.0)).collect();
    let find =
        |list: &[(String, String)], k: &str| list.binary_search_by(|x| x.0.as_str().cmp(k)).ok().map(|i| list[i].1.clone()).unwrap_or_else(|| missing(k));
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (find(b, k), find(a, k));
            (x != y).then(|| FactChange { fact: k.clone(), before: x, after: y })
        })
        .collect()
}

fn describe(change: &Change, treaty: &Treaty, symbols: &Symbols) -> String {
    match change {
        Change::Add(a) => format!(
            "add: {} {} {}{}",
            a.time.format(a.precision),
            symbols.name(a.actor),
            a.kind.keyword(),
            if a.document.is_some() { format!(" document {}", symbols.name(a.document)) } else { String::new() }
        ),
        Change::Remove(id) => format!("remove: act {}", symbols.name(*id)),
        Change::Rule { organ, kind, rule, said } => {
            let old = treaty.organ(*organ).map(|o| o.rule_for(*kind).0).unwrap_or(*rule);
            let has_kinds = treaty.organ(*organ).is_some_and(|o| !o.kinds.is_empty());
            let what = match (kind.is_some(), has_kinds) {
                (true, _) => format!("a proposal of the kind \"{}\"", symbols.name(*kind).replace('_', " ")),
                (false, true) => "every proposal, whatever its kind,".to_string(),
                (false, false) => String::new(),
            };
            let what = if what.is_empty() { String::new() } else { format!(" {what}") };
            format!("rule: {} decides{what} by {}", symbols.name(*organ), replaced_rule(old, *rule, *said).describe())
        }
    }
}

/// The treaty and acts with the changes applied. The record keeps its
/// order (facts of acts without an id are named by position): a removed act
/// becomes a placeholder with no actor, which the engine skips, and added
/// acts follow the record (the engine orders acts by time, stably).
pub fn apply(treaty: &Treaty, acts: &[Act], changes: &[Change]) -> (Treaty, Vec<Act>) {
    let mut t = treaty.clone();
    let removed: BTreeSet<Sym> = changes.iter().filter_map(|c| if let Change::Remove(id) = c { Some(*id) } else { None }).collect();
    let mut out: Vec<Act> =
        acts.iter().map(|a| if a.id.is_some() && removed.contains(&a.id) { Act { time: a.time, ..Act::default() } } else { a.clone() }).collect();
    for c in changes {
        match c {
            Change::Add(a) => out.push(a.clone()),
            Change::Remove(_) => {}
            Change::Rule { organ, kind, rule, said } => set_rule(&mut t, *organ, *kind, *rule, *said),
        }
    }
    (t, out)
}

/// Whether every duty reaches its conditions and fulfilments through the
/// party its trigger names as actor (the requester), so that the acts
/// mentioning a case's requester are all the acts its verdicts depend on.
fn focusable(treaty: &Treaty) -> bool {
    treaty.duties.iter().all(|d| {
        let Some(requester) = d.trigger.constraints.iter().find_map(|&(f, t)| if let (Field::By, Term::Var(v)) = (f, t) { Some(v) } else { None }) else {
            return false;
        };
        let reaches = |p: &Pattern| {
            p.constraints.iter().any(|&(f, t)| matches!(f, Field::By | Field::To | Field::Against | Field::About | Field::From) && t == Term::Var(requester))
        };
        d.does.iter().chain(d.needs.iter().flat_map(|n| n.any_of.iter())).all(reaches)
    })
}

fn mentions(a: &Act, s: &BTreeSet<Sym>) -> bool {
    s.contains(&a.actor) || s.contains(&a.to) || s.contains(&a.against) || s.contains(&a.about) || a.from.iter().any(|p| s.contains(p))
}

/// The documents and parties a set of changes can affect, or `None` when
/// everything must be derived again.
fn affected(treaty: &Treaty, acts: &[Act], changed: &[&Act], rule_organs: &BTreeSet<Sym>) -> Option<(BTreeSet<Sym>, BTreeSet<Sym>)> {
    if !focusable(treaty) || changed.iter().any(|a| membership::change_from_act(a).is_some() || a.kind == ActKind::Handover) {
        return None;
    }
    // Facts of acts without an id are named by position, which a subset of
    // the acts would renumber.
    let trigger_kinds: Vec<ActKind> = treaty.duties.iter().map(|d| d.trigger.kind).collect();
    if acts.iter().chain(changed.iter().copied()).any(|a| a.id.is_none() && trigger_kinds.contains(&a.kind)) {
        return None;
    }
    let mut docs: BTreeSet<Sym> = changed.iter().map(|a| a.document).filter(|d| d.is_some()).collect();
    if !rule_organs.is_empty() {
        for a in acts {
            let organ = match a.kind {
                ActKind::Propose | ActKind::Transfer => a.to,
                ActKind::Decision => a.actor,
                _ => continue,
            };
            if rule_organs.contains(&organ) && a.document.is_some() {
                docs.insert(a.document);
            }
        }
    }
    let is_party = |s: Sym| treaty.party(s).is_some();
    let mut parties = BTreeSet::new();
    for a in changed {
        for s in [a.actor, a.to, a.against, a.about].into_iter().chain(a.from.iter().copied()) {
            if is_party(s) {
                parties.insert(s);
            }
        }
    }
    Some((docs, parties))
}

/// Replays `acts` with `changes` and lists the facts whose verdict changes.
/// `base` is the report of the unchanged record at the same query (derive
/// it once and reuse it across what-ifs).
pub fn what_if(treaty: &Treaty, acts: &[Act], symbols: &Symbols, query: &Query, base: &Report, changes: &[Change]) -> WhatIf {
    let removed: BTreeSet<Sym> = changes.iter().filter_map(|c| if let Change::Remove(id) = c { Some(*id) } else { None }).collect();
    let added: Vec<&Act> = changes.iter().filter_map(|c| if let Change::Add(a) = c { Some(a) } else { None }).collect();
    let changed: Vec<&Act> = added.into_iter().chain(acts.iter().filter(|a| a.id.is_some() && removed.contains(&a.id))).collect();
    let rule_organs: BTreeSet<Sym> = changes.iter().filter_map(|c| if let Change::Rule { organ, .. } = c { Some(*organ) } else { None }).collect();
    let descriptions = changes.iter().map(|c| describe(c, treaty, symbols)).collect();
    if let Some((docs, parties)) = affected(treaty, acts, &changed, &rule_organs) {
        // Derive again from the acts the affected facts can depend on:
        // membership, the affected documents' acts, and every act
        // mentioning an affected party; compare only those facts.
        let mut t2 = treaty.clone();
        for c in changes {
            if let Change::Rule { organ, kind, rule, said } = c {
                set_rule(&mut t2, *organ, *kind, *rule, *said);
            }
        }
        let relevant_act = |a: &Act| membership::change_from_act(a).is_some() || (a.document.is_some() && docs.contains(&a.document)) || mentions(a, &parties);
        let mut relevant: Vec<Act> = acts.iter().filter(|a| !(a.id.is_some() && removed.contains(&a.id)) && relevant_act(a)).cloned().collect();
        relevant.extend(changes.iter().filter_map(|c| if let Change::Add(a) = c { Some(a.clone()) } else { None }));
        relevant.sort_by_key(|a| a.time);
        let state = derive(&t2, &relevant, query);
        let focused = report(&t2, &relevant, symbols, &state);
        let keep_doc = |id: &str| symbols.get(id).is_some_and(|s| docs.contains(&s));
        let keep_case = |c: &CaseRow| symbols.get(&c.requester).is_some_and(|s| parties.contains(&s));
        let facts = diff_verdicts(&verdicts(base, &keep_doc, &keep_case, false), &verdicts(&focused, &keep_doc, &keep_case, false));
        return WhatIf { at: base.at.clone(), changes: descriptions, facts, focused: true };
    }
    let (t2, acts2) = apply(treaty, acts, changes);
    let state = derive(&t2, &acts2, query);
    let after = report(&t2, &acts2, symbols, &state);
    WhatIf { at: base.at.clone(), changes: descriptions, facts: diff(base, &after), focused: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREATY: &str = r#"```casus
treaty TST "Test"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "f"
party BBB "Borduria"
  joins    2000-01-01  source "f"
state XXX "Xland"

organ CNL "Council"
  seats    every party
  decides  as recorded
```

## Article 4

> Assist against a determined aggressor.

```casus
duty assist
  on       request assistance under art4 by $victim against $aggressor
  needs    determination aggression against $aggressor by CNL
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
```
"#;

    const REQUEST: &str = "```acts\nrecord \"r\"\n  treaty TST\n\n2001-01-01 AAA request assistance\n  id c1\n  under art4\n  against XXX\n  source \"s\"\n";
    const DETERMINATION: &str = "\n2001-01-02 CNL determination aggression\n  against XXX\n  source \"s\"\n";

    /// The report on 5 January 2001 of `record`.
    fn report_of(record: &str) -> Report {
        let mut symbols = Symbols::new();
        let (t, d) = casus_lang::load_treaty("t.md", TREATY, &mut symbols);
        assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
        let (r, d) = casus_lang::load_record("r.md", record, &t, &mut symbols);
        assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
        let query = Query { at: casus_model::Time::from_date(2001, 1, 5).end_of_day(), readings: Default::default() };
        report(&t, &r.acts, &symbols, &derive(&t, &r.acts, &query))
    }

    #[test]
    fn diff_lists_only_changes() {
        let before = report_of(&format!("{REQUEST}```\n"));
        let after = report_of(&format!("{REQUEST}{DETERMINATION}```\n"));
        // Reports with parties and a case: nothing differs from itself.
        assert!(!before.parties.is_empty() && !before.cases.is_empty());
        assert_eq!(diff(&before, &before), []);
        // The determination engages Borduria's duty, and nothing else changes.
        let change = FactChange { fact: "obligation/c1/assist/BBB".into(), before: "not triggered".into(), after: "pending".into() };
        assert_eq!(diff(&before, &after), std::slice::from_ref(&change));
        let back = FactChange { before: change.after, after: change.before, ..change };
        assert_eq!(diff(&after, &before), [back]);
    }
}
