//! The explanation of a document's verdict, rendered from the reason the
//! engine decided it with (`documents::Section`): the procedure applied in
//! each organ, what each seat did and by which act, the tally, who blocked
//! it and when, who did not count, and which acts had no effect. Nothing
//! here decides: a sentence states only what the reason holds, so the
//! words cannot drift from the verdict.

use super::{ActCite, Ctx, Explanation};
use crate::report::{act_date, act_when, long_date};
use casus_engine::{Basis, DocumentStatus, NoEffect, Position, Section};
use casus_model::*;

use casus_model::words::and_list;

use casus_model::words::count as plural;

use crate::explain::capitalise as capitalised;

/// "on 23 November 2022" for a whole day, "at 10 March 2030, 18:00 UTC"
/// for an instant within one.
fn on_or_at(t: Time) -> String {
    crate::report::on_date(&long_date(t))
}

/// "ARM (objection, 2001-09-13T17:00:00)" for each party, in order.
fn with_acts(cx: &Ctx, s: &Section, parties: &[Sym]) -> Vec<String> {
    parties
        .iter()
        .map(|&p| match s.sheet.iter().find(|r| r.0 == p).and_then(|r| r.2) {
            Some(i) => {
                let a = &cx.acts[i as usize];
                format!("{} ({} {})", cx.who(p), crate::report::kind_noun(a.kind), act_when(a))
            }
            None => cx.who(p),
        })
        .collect()
}

fn organ_name(cx: &Ctx, organ: Sym) -> String {
    match cx.treaty.organ(organ) {
        Some(o) => format!("{} ({})", o.name, cx.n(o.id)),
        None => cx.n(organ),
    }
}

/// The sentence that gives a section's verdict and what it rests on.
fn conclusion(cx: &Ctx, s: &Section) -> String {
    let seated = s.sheet.len();
    let count = |p: Position| s.sheet.iter().filter(|r| r.1 == p).count();
    let who = |p: Position| s.sheet.iter().filter(|r| r.1 == p).map(|r| cx.who(r.0)).collect::<Vec<_>>();
    let organ = organ_name(cx, s.organ);
    let limited = if s.limited_format {
        let out = and_list(&who(Position::OptedOut));
        format!("; {out} opted out, so it stands in a limited format, without {out}")
    } else {
        String::new()
    };
    match (s.status, s.basis) {
        (DocumentStatus::Adopted, Basis::Decision(count_given)) => {
            let on = s.decision.map(|i| act_date(&cx.acts[i as usize])).unwrap_or_else(|| long_date(s.since));
            let how = match count_given {
                Some(DecisionCount::Votes { yes, no, abstain }) => {
                    format!(", by {yes} votes to {no} with {abstain} abstaining (a tally without the voters' names)")
                }
                Some(DecisionCount::Acclamation) => ", by acclamation".to_string(),
                None if matches!(s.procedure, DecisionRule::Vote(_)) && s.tally.is_none() => "; the tally was not recorded".to_string(),
                None => String::new(),
            };
            format!("adopted: {organ} recorded its decision on {on}{how}{limited}")
        }
        (DocumentStatus::Adopted, Basis::ConsensusAtClose) => {
            let close = s.closes.map(on_or_at).unwrap_or_default();
            format!(
                "adopted by consensus when the session closed {close}: no member refused ({} of {} signed){limited}",
                count(Position::Signed),
                plural(seated, "seated member", "seated members")
            )
        }
        (DocumentStatus::Adopted, _) => match s.procedure {
            DecisionRule::Silence => format!("adopted: silence expired {} without being broken", s.closes.map(on_or_at).unwrap_or_default()),
            DecisionRule::Vote(_) => match &s.tally {
                Some(t) if t.yes > t.needed => {
                    format!("adopted: the yes votes reached the {} needed on {}, and {} yes votes were cast in all", t.needed, long_date(s.since), t.yes)
                }
                Some(t) => format!("adopted: the yes votes reached the {} needed on {}", t.needed, long_date(s.since)),
                None => "adopted".to_string(),
            },
            _ if s.limited_format => {
                format!("adopted: the {} that did not opt out signed{limited}", plural(count(Position::Signed), "seated member", "seated members"))
            }
            _ => format!("adopted: all {} signed", plural(seated, "seated member", "seated members")),
        },
        (DocumentStatus::Blocked, _) => {
            let by = and_list(&with_acts(cx, s, &s.blocked_by));
            match s.procedure {
                DecisionRule::Silence => format!("blocked: silence was broken before its expiry by {by}"),
                DecisionRule::Vote(_) => {
                    let short = s
                        .tally
                        .map(|t| format!("{} fell short of the {} needed", plural(t.yes as usize, "yes vote", "yes votes"), t.needed))
                        .unwrap_or_default();
                    if s.blocked_by.is_empty() {
                        format!("rejected: {short}")
                    } else {
                        format!("rejected: {short}; against: {}", and_list(&s.blocked_by.iter().map(|&p| cx.who(p)).collect::<Vec<_>>()))
                    }
                }
                _ => format!("blocked by the refusal of {by}"),
            }
        }
        (DocumentStatus::Pending, Basis::NoDecisionRecorded) => format!("pending: {organ} has recorded no decision on it"),
        (DocumentStatus::Pending, _) => match s.procedure {
            DecisionRule::Silence => format!("pending: silence runs until {} and no member has broken it", s.closes.map(long_date).unwrap_or_default()),
            DecisionRule::Vote(_) => match &s.tally {
                Some(t) if !t.quorum_met => format!("pending: {} took part, fewer than the quorum of {}", t.yes + t.no + t.abstain, t.quorum.unwrap_or(0)),
                Some(t) => format!("pending: {} of the {} needed, and the vote is not decided yet", plural(t.yes as usize, "yes vote", "yes votes"), t.needed),
                None => "pending".to_string(),
            },
            _ => format!("pending: {} of {} signed, and no one refused", count(Position::Signed), plural(seated, "seated member", "seated members")),
        },
    }
}

fn no_effect_line(cx: &Ctx, s: &Section, i: u32, why: NoEffect) -> String {
    let a = &cx.acts[i as usize];
    let what = casus_engine::position_of(a, &cx.treaty.words).map(|p| p.plain()).unwrap_or_else(|| a.kind.keyword());
    let because = match why {
        NoEffect::AfterDecision => format!("the text had already been decided {}", s.decided_at.map(on_or_at).unwrap_or_default()),
        NoEffect::AfterClose if s.procedure == DecisionRule::Silence => format!("silence had expired {}", s.closes.map(on_or_at).unwrap_or_default()),
        NoEffect::AfterClose => format!("the vote had closed {}", s.closes.map(on_or_at).unwrap_or_default()),
        NoEffect::NotEntitled if s.excluded.contains(&a.actor) => "it is a party to the dispute and does not vote".to_string(),
        NoEffect::NotEntitled => format!("it was not entitled to take part in {}", cx.who(s.organ)),
        NoEffect::NotCounted => format!(
            "{} does not count this kind of act",
            match s.procedure {
                DecisionRule::Silence => "the silence procedure",
                DecisionRule::Vote(_) => "a vote",
                DecisionRule::Recorded => "an organ that decides only by recorded decisions",
                _ => "a decision by signature",
            }
        ),
        NoEffect::SilenceAlreadyBroken => "it had already broken silence, which is final".to_string(),
    };
    format!("{} {what} {}: this had no effect, because {because}.", cx.who(a.actor), act_when(a))
}

/// An act dated to a day (or window) that holds the close: the verdict
/// depends on a time of day the record does not give.
fn unknown_time_line(cx: &Ctx, s: &Section, i: u32) -> String {
    let a = &cx.acts[i as usize];
    let what = casus_engine::position_of(a, &cx.treaty.words).map(|p| p.plain()).unwrap_or_else(|| a.kind.keyword());
    let close = match s.procedure {
        DecisionRule::Silence => "silence expired",
        _ => "the vote closed",
    };
    let noun = crate::report::kind_noun(a.kind);
    format!(
        "{who} {what} {on}, and {close} {at}: whether it came in time depends on the time of day of {who}'s {noun}, which the record does not give. It is counted as in time, so the verdict depends on it.",
        who = cx.who(a.actor),
        on = act_when(a),
        at = s.closes.map(on_or_at).unwrap_or_default(),
    )
}

/// Which of the organ's rules decided the text, and why that one: the
/// rule for the kind of proposal the text was put with, or the rule
/// without `for` when it names no kind the organ has a rule for.
fn rule_sentence(cx: &Ctx, s: &Section, organ: &str) -> String {
    let rule = s.procedure.describe();
    let has_kinds = cx.treaty.organ(s.organ).is_some_and(|o| !o.kinds.is_empty());
    if s.kind.is_some() {
        let kind = cx.n(s.kind).replace('_', " ");
        format!("{organ} decides a proposal of the kind \"{kind}\" by {rule}: its rule for that kind, which the text was put with.")
    } else if has_kinds && s.procedure != DecisionRule::Silence {
        format!("{organ} decides by {rule}: its rule for a proposal that names no kind it has a rule for, as this text does not.")
    } else {
        format!("{organ} decides by {rule}.")
    }
}

/// The sentences and cited acts of one section.
fn section(cx: &Ctx, s: &Section, reasons: &mut Vec<String>, acts: &mut Vec<ActCite>) {
    let organ = organ_name(cx, s.organ);
    reasons.push(rule_sentence(cx, s, &organ));
    if !s.excluded.is_empty() {
        reasons.push(format!(
            "The parties to the dispute ({}) do not vote and are not counted.",
            and_list(&s.excluded.iter().map(|&p| cx.who(p)).collect::<Vec<_>>())
        ));
    }
    if !s.not_seated.is_empty() {
        reasons.push(format!(
            "Not seated, so not counted: {} (a member on only one of the two dates that count: when the text came before the organ and when it was decided).",
            and_list(&s.not_seated.iter().map(|&p| cx.who(p)).collect::<Vec<_>>())
        ));
    }
    if !s.seat_unknown.is_empty() {
        reasons.push(format!(
            "Not seated, since the sources do not say whether they were members when the text came before the organ or when it was decided: {}. The verdict holds only if they were not; had they been, their seats would count.",
            and_list(&s.seat_unknown.iter().map(|&p| cx.who(p)).collect::<Vec<_>>())
        ));
    }
    if let Some(c) = s.closes {
        // In the past tense once the date asked is past it.
        let past = c <= cx.state.at;
        let what = match (s.procedure, past) {
            (DecisionRule::Silence, false) => "Silence expires",
            (DecisionRule::Silence, true) => "Silence expired",
            (DecisionRule::Vote(_), false) => "The vote closes",
            (DecisionRule::Vote(_), true) => "The vote closed",
            (_, false) => "The session closes",
            (_, true) => "The session closed",
        };
        reasons.push(format!("{what} {}.", on_or_at(c)));
    }
    let recorded_only = s.procedure == DecisionRule::Recorded;
    for &(party, pos, act) in &s.sheet {
        if let Some(i) = act.filter(|_| pos.is_act()) {
            let a = &cx.acts[i as usize];
            let mut line = format!("{} {} {}", cx.who(party), pos.plain(), act_when(a));
            if a.reason.is_some() {
                line.push_str(&format!("; reason: \"{}\"", cx.n(a.reason)));
            }
            if a.condition.is_some() {
                line.push_str(&format!("; condition: \"{}\"", cx.n(a.condition)));
            }
            reasons.push(line + ".");
            acts.push(cx.cite(pos.plain(), i));
        }
    }
    // Seats without an act, one line per what they did.
    let mut silent: Vec<(Position, Vec<String>)> = Vec::new();
    for &(party, pos, _) in s.sheet.iter().filter(|r| !r.1.is_act() && !recorded_only) {
        match silent.iter_mut().find(|(p, _)| *p == pos) {
            Some((_, list)) => list.push(cx.who(party)),
            None => silent.push((pos, vec![cx.who(party)])),
        }
    }
    for (pos, list) in silent {
        let mut word = pos.plain().to_string();
        word[..1].make_ascii_uppercase();
        reasons.push(format!("{word}: {}.", and_list(&list)));
    }
    match (&s.tally, s.procedure) {
        (Some(t), _) => {
            let quorum = match t.quorum {
                Some(q) => format!("; quorum {q}, {}", if t.quorum_met { "met" } else { "not met" }),
                None => String::new(),
            };
            let from = if t.from_decision { " (as the recorded decision gives it)" } else { "" };
            reasons.push(format!(
                "Tally{from}: {} yes, {} no, {} abstaining of {} eligible; {} yes needed of a base of {}{quorum}.",
                t.yes, t.no, t.abstain, t.eligible, t.needed, t.base
            ));
        }
        (None, DecisionRule::Vote(_)) if matches!(s.basis, Basis::Decision(_)) => {
            reasons.push("Tally not recorded: the sources give the decision but not the votes.".to_string())
        }
        _ => {}
    }
    for &(i, why) in &s.no_effect {
        reasons.push(no_effect_line(cx, s, i, why));
        acts.push(cx.cite("no effect", i));
    }
    for &i in &s.unknown_time {
        reasons.push(unknown_time_line(cx, s, i));
    }
    if let Some(i) = s.decision {
        acts.push(cx.cite("decision", i));
    }
}

pub(super) fn explain_document(cx: &Ctx, fact: &str, id: &str) -> Option<Explanation> {
    let sym = cx.symbols.get(id)?;
    let d = cx.state.documents.iter().find(|d| d.id == sym)?;
    let mut reasons = Vec::new();
    let mut acts = Vec::new();
    if let Some(p) = d.proposed {
        acts.push(cx.cite("proposal", p));
    }
    let sections = d.sections();
    let moved = sections.len() > 1;
    for (k, s) in sections.iter().enumerate() {
        if moved {
            let until = s.until.map(|u| format!(" until {}", long_date(u))).unwrap_or_default();
            reasons.push(format!("Before {} (from {}{until}):", organ_name(cx, s.organ), long_date(s.from)));
        }
        section(cx, s, &mut reasons, &mut acts);
        if k + 1 < sections.len() {
            reasons.push(format!("There it was {}.", conclusion(cx, s)));
            if let Some(&t) = d.transfers.iter().find(|&&t| Some(cx.acts[t as usize].time) == s.until) {
                let a = &cx.acts[t as usize];
                reasons.push(format!(
                    "{} moved the matter to {} {}, whose procedure applies from then on.",
                    capitalised(&cx.who(a.actor)),
                    cx.who(a.to),
                    act_when(a)
                ));
                acts.push(cx.cite("transfer", t));
            }
        }
    }
    for &i in &d.attachments {
        let a = &cx.acts[i as usize];
        reasons.push(format!(
            "{} attached {} {}.",
            capitalised(&cx.who(a.actor)),
            casus_model::attachment_noun(if a.subject.is_some() { cx.symbols.name(a.subject) } else { "" }),
            act_when(a)
        ));
        acts.push(cx.cite("attachment", i));
    }
    if let Some(last) = sections.last() {
        reasons.push(format!("So the document is {}.", conclusion(cx, last)));
    }
    let rules = cx.treaty.organ(d.organ).map(|o| vec![cx.rule("organ", o.id, &o.quote, &o.sources, &o.notes, d.since)]).unwrap_or_default();
    Some(Explanation {
        fact: fact.to_string(),
        statement: {
            let name = if d.title.is_some() { format!("\"{}\" ({id})", cx.n(d.title)) } else { format!("Document {id}") };
            // A limited format comes from the opt-outs, each on its own date.
            let opted_out = d.sheet.iter().filter(|r| r.1 == Position::OptedOut).filter_map(|r| r.2).map(|i| cx.acts[i as usize].time).max();
            let limited = match opted_out {
                Some(t) if d.limited_format && t > d.since => format!(", in a limited format since {}", long_date(t)),
                _ if d.limited_format => ", in a limited format".to_string(),
                _ => String::new(),
            };
            format!("{name} is {} since {}{limited}.", d.status.word(), long_date(d.since))
        },
        reasons,
        rules,
        acts,
        readings: Vec::new(),
    })
}
