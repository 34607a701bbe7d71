//! Who could have changed an outcome: the smallest sets of acts by parties
//! that would have turned a document's verdict or an obligation's status.
//!
//! Parties in the same position are interchangeable under every rule we
//! model (one party, one voice), so the search runs over how many parties
//! leave each position for another, not over subsets of parties: a vote
//! among 32 members has a few thousand distributions, not 2^32 coalitions.
//! Answers are described compactly: "any 11 of these 31".

use casus_engine::{Basis, DocumentState, DocumentStatus, ObligationStatus, Position, State};
use casus_model::*;
use serde::Serialize;

/// `count` of the parties in `of`, each performing `act`.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub count: usize,
    pub of: Vec<String>,
    pub act: String,
}

/// One smallest way to change the outcome.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Coalition {
    pub size: usize,
    pub groups: Vec<Group>,
    /// The verdict it would give.
    pub outcome: String,
    /// The coalition in words, parties by their names.
    pub description: String,
    /// What changes: "the text" or "the obligation".
    #[serde(skip)]
    subject: &'static str,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Blockers {
    pub fact: String,
    pub verdict: String,
    pub coalitions: Vec<Coalition>,
    /// Why there is no coalition, when there is none.
    pub note: Option<String>,
}

/// The groups in words, each party by the name `name` gives its code.
fn describe_groups(groups: &[Group], name: &dyn Fn(&str) -> String) -> String {
    use casus_model::words::and_list;
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let names: Vec<String> = g.of.iter().map(|p| name(p)).collect();
            // A long list is counted first: "one of these 22 (…)".
            let list = if names.len() > 3 { format!("these {} ({})", names.len(), and_list(&names)) } else { and_list(&names) };
            // The same parties as a group before: others of them, not the same ones again.
            let again = groups[..i].iter().any(|h| h.of == g.of);
            if names.len() == 1 {
                format!("{} {}", names[0], g.act)
            } else if again && g.count == 1 {
                format!("another of them {}", g.act)
            } else if again {
                format!("{} others of them {}", g.count, g.act)
            } else if g.count == names.len() {
                format!("all of {list} {}", g.act)
            } else if g.count == 1 {
                format!("one of {list} {}", g.act)
            } else {
                format!("any {} of {list} {}", g.count, g.act)
            }
        })
        .collect::<Vec<_>>()
        .join(", and ")
}

/// A coalition; its description is written once every coalition is known
/// (`described`), with the parties' names.
fn coalition(groups: Vec<Group>, outcome: &str) -> Coalition {
    let size = groups.iter().map(|g| g.count).sum();
    Coalition { size, groups, outcome: outcome.to_string(), description: String::new(), subject: "the text" }
}

/// Each coalition's description, with the parties' names.
fn described(mut b: Blockers, treaty: &Treaty, symbols: &Symbols) -> Blockers {
    let name = |code: &str| symbols.get(code).map(|s| treaty.name_of(s, symbols).to_string()).unwrap_or_else(|| code.to_string());
    for c in &mut b.coalitions {
        c.description = format!("if {}, {} would be {}", describe_groups(&c.groups, &name), c.subject, c.outcome);
    }
    b
}

/// The most seats whose positions are searched (the search is cubic in them).
const MAX_SEATS: usize = 200;

/// The positions a party can take under a procedure, as (position, verb).
fn moves(rule: DecisionRule) -> &'static [(Position, &'static str)] {
    match rule {
        DecisionRule::Unanimity => &[(Position::Signed, "had signed"), (Position::Refused, "had refused"), (Position::Pending, "had taken no position")],
        DecisionRule::ConsensusOptOut => &[
            (Position::Signed, "had signed"),
            (Position::Refused, "had refused"),
            (Position::OptedOut, "had opted out"),
            (Position::Pending, "had taken no position"),
        ],
        DecisionRule::Vote(_) => &[
            (Position::VotedYes, "had voted yes"),
            (Position::VotedNo, "had voted no"),
            (Position::Abstained, "had abstained"),
            (Position::Pending, "had not voted"),
        ],
        DecisionRule::Silence => &[(Position::Objected, "had objected before expiry"), (Position::Pending, "had kept silent")],
        DecisionRule::Recorded => &[],
    }
}

/// The verdict under `rule` of a sheet described by counts per position
/// (in the order of `moves(rule)`): the engine's own rule, applied to a
/// sheet with that many members in each position.
fn verdict(rule: DecisionRule, counts: &[u32], closed: bool) -> DocumentStatus {
    let positions: Vec<Position> = moves(rule).iter().zip(counts).flat_map(|(&(p, _), &n)| std::iter::repeat_n(p, n as usize)).collect();
    casus_engine::status_of(rule, &positions, closed)
}

/// Every way to split `total` parties over `k` positions.
fn distributions(total: u32, k: usize, out: &mut Vec<Vec<u32>>, prefix: &mut Vec<u32>) {
    if prefix.len() + 1 == k {
        prefix.push(total);
        out.push(prefix.clone());
        prefix.pop();
        return;
    }
    for n in 0..=total {
        prefix.push(n);
        distributions(total - n, k, out, prefix);
        prefix.pop();
    }
}

fn document_coalitions(d: &DocumentState, symbols: &Symbols, at: Time) -> (Vec<Coalition>, Option<String>) {
    // The verdict's own reason says what it rests on.
    if matches!(d.basis, Basis::Decision(_)) {
        return (Vec::new(), Some("the organ recorded its decision; no party's act in this record changes a recorded decision".to_string()));
    }
    let options = moves(d.procedure);
    if options.is_empty() {
        return (Vec::new(), Some("this organ's decisions are known only from recorded decisions".to_string()));
    }
    let closed = d.closes.is_some_and(|c| at >= c);
    // An amendment breaks silence as an objection does.
    let position_index = |p: Position| {
        let p = if p == Position::Amended { Position::Objected } else { p };
        options.iter().position(|(q, _)| *q == p).unwrap_or(options.len() - 1)
    };
    if d.sheet.len() > MAX_SEATS {
        return (Vec::new(), Some(format!("more than {MAX_SEATS} seats: too many to search")));
    }
    let mut members: Vec<Vec<Sym>> = vec![Vec::new(); options.len()];
    for &(party, pos, _) in &d.sheet {
        members[position_index(pos)].push(party);
    }
    let counts: Vec<u32> = members.iter().map(|m| m.len() as u32).collect();
    let current = verdict(d.procedure, &counts, closed);
    if current != d.status {
        // The counting here must mirror the engine's; where it cannot (a
        // verdict that depends on the order of acts, such as a vote decided
        // before later votes), say so rather than answer wrongly.
        return (Vec::new(), Some(format!("the verdict ({}) depends on the order of the acts, which this search does not model", d.status.word())));
    }
    let mut all = Vec::new();
    distributions(counts.iter().sum(), options.len(), &mut all, &mut Vec::new());
    // The parties who must change: those leaving positions that shrink.
    let cost = |target: &[u32]| counts.iter().zip(target).map(|(c, t)| c.saturating_sub(*t)).sum::<u32>();
    // Prefer what turns the verdict round (adopted into blocked, blocked or
    // pending into adopted, pending into either); only where nothing can,
    // what merely leaves it pending.
    let wanted = |v: DocumentStatus| match current {
        DocumentStatus::Adopted => v == DocumentStatus::Blocked,
        DocumentStatus::Blocked => v == DocumentStatus::Adopted,
        DocumentStatus::Pending => v != DocumentStatus::Pending,
    };
    let mut changing: Vec<&Vec<u32>> = all.iter().filter(|t| wanted(verdict(d.procedure, t, closed))).collect();
    if changing.is_empty() {
        changing = all.iter().filter(|t| verdict(d.procedure, t, closed) != current).collect();
    }
    let Some(min) = changing.iter().map(|t| cost(t)).min() else {
        return (Vec::new(), Some("no change of position by the members entitled to take part changes this verdict".to_string()));
    };
    let mut out = Vec::new();
    for target in changing.into_iter().filter(|t| cost(t) == min) {
        // A canonical flow: each shrinking position sends its surplus to the
        // growing positions in order.
        let mut deficit: Vec<u32> = target.iter().zip(&counts).map(|(t, c)| t.saturating_sub(*c)).collect();
        let mut groups = Vec::new();
        for (from, &c) in counts.iter().enumerate() {
            let mut surplus = c.saturating_sub(target[from]);
            for (to, need) in deficit.iter_mut().enumerate() {
                let flow = surplus.min(*need);
                if flow > 0 {
                    groups.push(Group {
                        count: flow as usize,
                        of: members[from].iter().map(|&p| symbols.name(p).to_string()).collect(),
                        act: options[to].1.to_string(),
                    });
                    surplus -= flow;
                    *need -= flow;
                }
            }
        }
        let outcome = verdict(d.procedure, target, closed).word();
        let c = coalition(groups, outcome);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    (out, None)
}

/// The smallest sets of acts by parties that would change the verdict of
/// `fact` (a document or an obligation), or `None` if there is no such fact.
pub fn blockers(treaty: &Treaty, acts: &[Act], symbols: &Symbols, state: &State, fact: &str) -> Option<Blockers> {
    match casus_query::FactId::parse(fact)? {
        casus_query::FactId::Document(doc) => {
            let id = symbols.get(&doc)?;
            let d = state.documents.iter().find(|d| d.id == id)?;
            let (coalitions, note) = document_coalitions(d, symbols, state.at);
            let names: Vec<String> = d.blocked_by.iter().map(|&p| treaty.name_of(p, symbols).to_string()).collect();
            let verdict = casus_query::report::document_verdict(d.status, &names);
            Some(described(Blockers { fact: fact.to_string(), verdict, coalitions, note }, treaty, symbols))
        }
        casus_query::FactId::Obligation { case, duty, debtor, creditor } => {
            let (debtor, duty) = (debtor.as_str(), duty.as_str());
            let c = state.cases.iter().find(|c| casus_query::act_name(&acts[c.trigger as usize], symbols, c.trigger as usize) == case)?;
            let debtor_sym = symbols.get(debtor)?;
            let creditor_sym = match creditor {
                Some(name) => Some(symbols.get(&name)?),
                None => None,
            };
            let o = c
                .obligations
                .iter()
                .find(|o| o.debtor == debtor_sym && symbols.name(treaty.duties[o.duty].id) == duty && creditor_sym.is_none_or(|s| o.creditor == s))?;
            let deadline = o.deadline.map(casus_query::report::long_date).unwrap_or_default();
            let (coalitions, note) = match o.status {
                ObligationStatus::Breached | ObligationStatus::Pending => {
                    let act = format!("had performed the duty by its deadline, {deadline}");
                    (
                        vec![
                            coalition(vec![Group { count: 1, of: vec![debtor.to_string()], act }], "fulfilled")
                                .with_outcome_word("the obligation", "fulfilled"),
                        ],
                        None,
                    )
                }
                ObligationStatus::Fulfilled => {
                    // The act that fulfilled it may be another's in which the
                    // debtor took part (an organ's decision `from` it).
                    let by = match o.performance {
                        casus_engine::Performance::InTime(i) => acts.get(i as usize),
                        _ => None,
                    };
                    let act = match by {
                        Some(a) if a.actor != debtor_sym => format!(
                            "had not taken part in the act that fulfilled it ({}{}'s {} {})",
                            if treaty.organ(a.actor).is_some() { "the " } else { "" },
                            treaty.name_of(a.actor, symbols),
                            casus_query::report::kind_noun(a.kind),
                            casus_query::report::act_when(a)
                        ),
                        _ => "had not performed the act that fulfilled it".to_string(),
                    };
                    (
                        vec![
                            coalition(vec![Group { count: 1, of: vec![debtor.to_string()], act }], "breached").with_outcome_word("the obligation", "breached"),
                        ],
                        None,
                    )
                }
                ObligationStatus::Undetermined => (
                    Vec::new(),
                    Some(format!(
                        "undetermined: {} performed on the day of the deadline, {deadline}, at a time the record does not give; no act by a party decides it, only the time of day of the act that was done",
                        treaty.name_of(debtor_sym, symbols)
                    )),
                ),
                ObligationStatus::NotTriggered => (
                    Vec::new(),
                    Some(
                        "not triggered: a condition is unmet; the act that would meet it (such as an organ's determination) is the organ's, not a party's"
                            .to_string(),
                    ),
                ),
            };
            Some(described(Blockers { fact: fact.to_string(), verdict: o.status.text().to_string(), coalitions, note }, treaty, symbols))
        }
        _ => None,
    }
}

impl Coalition {
    fn with_outcome_word(mut self, what: &'static str, outcome: &str) -> Coalition {
        self.subject = what;
        self.outcome = outcome.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_cover_every_split() {
        let mut out = Vec::new();
        distributions(3, 3, &mut out, &mut Vec::new());
        assert_eq!(out.len(), 10);
        assert!(out.iter().all(|d| d.iter().sum::<u32>() == 3));
    }

    #[test]
    fn two_thirds_of_32() {
        let rule = DecisionRule::Vote(VoteRule {
            share: Share { num: 2, den: 3, simple: false },
            base: VoteBase::Members,
            quorum: None,
            abstentions_against: false,
            exclude_disputants: false,
        });
        assert_eq!(verdict(rule, &[22, 10, 0, 0], true), DocumentStatus::Adopted);
        assert_eq!(verdict(rule, &[21, 11, 0, 0], true), DocumentStatus::Blocked);
    }
}
