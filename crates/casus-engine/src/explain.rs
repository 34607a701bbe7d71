//! Explanations: for any derived fact, why it holds. The rule and its
//! article's text, the treaty version in force, the acts it rests on with
//! their sources and who attests them, and the readings used.

use crate::derive::{ObligationStatus, State};
use crate::documents::{DocumentStatus, Position};
use crate::matcher::{matches, Bindings};
use crate::report::{act_id, case_id, date};
use casus_model::*;
use serde::Serialize;

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub fact: String,
    pub statement: String,
    pub reasons: Vec<String>,
    pub rules: Vec<RuleCite>,
    pub acts: Vec<ActCite>,
    pub readings: Vec<ReadingCite>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SourceCite {
    pub url: Option<String>,
    pub title: Option<String>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct RuleCite {
    pub kind: String,
    pub id: String,
    pub article: Option<String>,
    pub heading: Option<String>,
    pub quote: Option<String>,
    pub quote_line: Option<u32>,
    pub version: Option<crate::report::VersionRef>,
    pub sources: Vec<SourceCite>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ActCite {
    pub role: String,
    pub id: String,
    pub date: String,
    pub actor: String,
    pub kind: String,
    pub summary: String,
    pub title: Option<String>,
    pub reason: Option<String>,
    pub condition: Option<String>,
    pub text: Option<String>,
    pub note: Option<String>,
    pub attested_by: String,
    pub recorded: Option<String>,
    pub sources: Vec<SourceCite>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ReadingCite {
    pub question: String,
    pub question_text: String,
    pub option: String,
    pub option_text: String,
    pub default: bool,
}

struct Ctx<'a> {
    treaty: &'a Treaty,
    acts: &'a [Act],
    symbols: &'a Symbols,
    state: &'a State,
}

impl Ctx<'_> {
    fn n(&self, s: Sym) -> String {
        self.symbols.name(s).to_string()
    }

    fn opt(&self, s: Sym) -> Option<String> {
        s.is_some().then(|| self.n(s))
    }

    fn sources(&self, list: &[Citation]) -> Vec<SourceCite> {
        list.iter().map(|c| SourceCite { url: self.opt(c.url), title: self.opt(c.title) }).collect()
    }

    /// The act as a line of the record format, without sources.
    fn summary(&self, a: &Act) -> String {
        let mut s = format!("{} {} {}", a.time.format(a.precision), self.n(a.actor), a.kind.keyword());
        if a.subject.is_some() {
            s.push(' ');
            s.push_str(&self.n(a.subject));
        }
        for (k, v) in [("under", a.under), ("to", a.to), ("against", a.against), ("about", a.about), ("document", a.document), ("means", a.means), ("organ", a.organ)] {
            if v.is_some() {
                s.push_str(&format!(" {k} {}", self.n(v)));
            }
        }
        if !a.from.is_empty() {
            s.push_str(" from");
            for &p in a.from.iter() {
                s.push(' ');
                s.push_str(&self.n(p));
            }
        }
        if a.personnel > 0 {
            s.push_str(&format!(" personnel {}", a.personnel));
        }
        if let Some(e) = a.effective {
            s.push_str(&format!(" effective {}", date(e)));
        }
        s
    }

    fn cite(&self, role: &str, i: u32) -> ActCite {
        let a = &self.acts[i as usize];
        ActCite {
            role: role.to_string(),
            id: act_id(self.acts, self.symbols, i),
            date: a.time.format(a.precision),
            actor: self.n(a.actor),
            kind: a.kind.keyword().to_string(),
            summary: self.summary(a),
            title: self.opt(a.title),
            reason: self.opt(a.reason),
            condition: self.opt(a.condition),
            text: self.opt(a.text),
            note: self.opt(a.note),
            attested_by: match a.attestation {
                Attestation::File => "record file".to_string(),
                Attestation::Actor => format!("actor ({})", self.n(a.actor)),
                Attestation::Recorder(k) => format!("recorder ({})", self.n(k)),
            },
            recorded: a.recorded.map(date),
            sources: self.sources(&a.sources),
        }
    }

    fn version_ref(&self, t: Time) -> Option<crate::report::VersionRef> {
        self.treaty.version_at(t).map(|v| crate::report::VersionRef { id: self.n(v.id), title: v.title.clone(), in_force: date(v.in_force) })
    }

    fn rule(&self, kind: &str, id: Sym, quote: &Quote, sources: &[Citation], at: Time) -> RuleCite {
        RuleCite {
            kind: kind.to_string(),
            id: self.n(id),
            article: self.opt(quote.article),
            heading: self.treaty.article(quote.article).map(|a| a.heading.clone()),
            quote: (!quote.text.is_empty()).then(|| quote.text.clone()),
            quote_line: (quote.line > 0).then_some(quote.line),
            version: self.version_ref(at),
            sources: self.sources(sources),
        }
    }

    fn term(&self, t: Term, b: &Bindings) -> String {
        match t {
            Term::Any => "any".to_string(),
            Term::Name(s) => self.n(s),
            Term::Var(v) => b.get(v).map(|s| self.n(s)).unwrap_or_else(|| format!("${}", self.n(v))),
        }
    }

    fn pattern(&self, p: &Pattern, b: &Bindings) -> String {
        let mut s = p.kind.keyword().to_string();
        for &(f, t) in &p.constraints {
            if f == Field::Subject {
                s.push_str(&format!(" {}", self.term(t, b)));
            } else {
                s.push_str(&format!(" {} {}", f.keyword(), self.term(t, b)));
            }
        }
        s
    }

    fn readings(&self, only: &[Sym]) -> Vec<ReadingCite> {
        self.state
            .readings
            .iter()
            .filter(|(q, _)| only.contains(q))
            .filter_map(|&(q, o)| {
                let qq = self.treaty.question(q)?;
                let opt = qq.options.iter().find(|x| x.id == o)?;
                Some(ReadingCite { question: self.n(q), question_text: qq.text.clone(), option: self.n(o), option_text: opt.text.clone(), default: qq.options[qq.default].id == o })
            })
            .collect()
    }
}

/// Explains the fact with id `fact` (as listed in a `Report`), or `None`
/// if the state has no such fact.
pub fn explain(treaty: &Treaty, acts: &[Act], symbols: &Symbols, state: &State, fact: &str) -> Option<Explanation> {
    let cx = Ctx { treaty, acts, symbols, state };
    let (kind, rest) = fact.split_once('/')?;
    match kind {
        "party" => explain_party(&cx, fact, rest),
        "chair" => explain_chair(&cx, fact, rest),
        "document" => explain_document(&cx, fact, rest),
        "case" => explain_case(&cx, fact, rest),
        "obligation" => {
            let mut parts = rest.rsplitn(3, '/');
            let (debtor, duty, case) = (parts.next()?, parts.next()?, parts.next()?);
            explain_obligation(&cx, fact, case, duty, debtor)
        }
        _ => None,
    }
}

fn explain_party(cx: &Ctx, fact: &str, code: &str) -> Option<Explanation> {
    let sym = cx.symbols.get(code)?;
    let p = cx.state.parties.iter().find(|p| p.code == sym)?;
    let party = cx.treaty.party(sym)?;
    let mut reasons = Vec::new();
    for e in party.events.iter().filter(|e| e.time <= cx.state.at) {
        let note = if e.note.is_empty() { String::new() } else { format!(" ({})", e.note) };
        reasons.push(format!("{} {} on {} per the treaty file{}.", code, e.change.keyword(), date(e.time), note));
    }
    let acts: Vec<ActCite> = p.acts.iter().map(|&i| cx.cite("membership", i)).collect();
    for a in &acts {
        reasons.push(format!("Recorded act {}: {}.", a.id, a.summary));
    }
    reasons.push(format!("On {}, {} is {} (since {}).", date(cx.state.at), code, p.status.word(), date(p.since)));
    let sources: Vec<Citation> = party.events.iter().flat_map(|e| e.sources.iter().cloned()).collect();
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("{} ({}) is {} on {}, since {}.", party.name, code, p.status.word(), date(cx.state.at), date(p.since)),
        reasons,
        rules: vec![RuleCite { kind: "party".into(), id: code.to_string(), article: None, heading: None, quote: None, quote_line: None, version: cx.version_ref(cx.state.at), sources: cx.sources(&sources) }],
        acts,
        readings: Vec::new(),
    })
}

fn explain_chair(cx: &Ctx, fact: &str, organ_id: &str) -> Option<Explanation> {
    let sym = cx.symbols.get(organ_id)?;
    let c = cx.state.chairs.iter().find(|c| c.organ == sym)?;
    let organ = cx.treaty.organ(sym)?;
    let mut reasons = Vec::new();
    let mut rules = Vec::new();
    if let Some(r) = &organ.rotation {
        let order: Vec<String> = r.order.iter().map(|&p| cx.n(p)).collect();
        reasons.push(format!("The chair of {} rotates yearly from {} in the order {}.", organ_id, date(r.from), order.join(", ")));
        if c.by_rotation {
            reasons.push(format!("The year beginning {} falls to {}.", date(c.since), cx.n(c.party)));
        }
        rules.push(cx.rule("rotation", organ.id, &organ.quote, &r.sources, cx.state.at));
    }
    let mut acts = Vec::new();
    if let Some(h) = c.handover {
        let a = &cx.acts[h as usize];
        reasons.push(format!("The chair passed to {} from {} by the act recorded on {}.", cx.n(c.party), date(c.since), a.time.format(a.precision)));
        acts.push(cx.cite("handover", h));
    }
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("{} chairs {} on {}, since {}.", cx.n(c.party), organ_id, date(cx.state.at), date(c.since)),
        reasons,
        rules,
        acts,
        readings: Vec::new(),
    })
}

fn explain_document(cx: &Ctx, fact: &str, id: &str) -> Option<Explanation> {
    let sym = cx.symbols.get(id)?;
    let d = cx.state.documents.iter().find(|d| d.id == sym)?;
    let organ = cx.treaty.organ(d.organ);
    let mut reasons = Vec::new();
    if let Some(o) = organ {
        reasons.push(format!("{} ({}) decides by {}.", o.name, cx.n(o.id), o.decides.describe()));
    }
    if organ.is_none_or(|o| o.decides != d.procedure) {
        reasons.push(format!("This text is decided by {}.", d.procedure.describe()));
    }
    for &t in &d.transfers {
        let a = &cx.acts[t as usize];
        reasons.push(format!("The matter was moved to {} on {}.", cx.n(a.to), a.time.format(a.precision)));
    }
    if !d.excluded.is_empty() {
        let ex: Vec<String> = d.excluded.iter().map(|&p| cx.n(p)).collect();
        reasons.push(format!("The parties to the dispute ({}) do not vote and are not counted.", ex.join(", ")));
    }
    if let Some(c) = d.closes {
        let what = if d.procedure == casus_model::DecisionRule::Silence { "Silence expires" } else { "The vote closes" };
        reasons.push(format!("{what} at {}.", c.format(casus_model::Precision::Second)));
    }
    if let Some(t) = &d.tally {
        let quorum = match t.quorum {
            Some(q) => format!("; quorum {q}, {}", if t.quorum_met { "met" } else { "not met" }),
            None => String::new(),
        };
        reasons.push(format!("Tally: {} yes, {} no, {} abstaining of {} eligible; {} yes needed of a base of {}{}.", t.yes, t.no, t.abstain, t.eligible, t.needed, t.base, quorum));
    }
    let mut acts = Vec::new();
    if let Some(p) = d.proposed {
        acts.push(cx.cite("proposal", p));
    }
    let recorded_only = d.procedure == casus_model::DecisionRule::Recorded;
    for &(party, pos, act) in d.sheet.iter().filter(|_| !recorded_only) {
        let who = cx.n(party);
        match (pos, act) {
            (Position::Pending, _) if d.procedure == casus_model::DecisionRule::Silence => reasons.push(format!("{who} kept silent.")),
            (Position::Pending, _) => reasons.push(format!("{who}: no position recorded.")),
            (_, Some(i)) => {
                let a = &cx.acts[i as usize];
                let mut line = format!("{who} {} on {}", pos.word().replace('_', " "), a.time.format(a.precision));
                if a.reason.is_some() {
                    line.push_str(&format!("; reason: \"{}\"", cx.n(a.reason)));
                }
                if a.condition.is_some() {
                    line.push_str(&format!("; condition: \"{}\"", cx.n(a.condition)));
                }
                reasons.push(line + ".");
                acts.push(cx.cite(pos.word(), i));
            }
            _ => {}
        }
    }
    for &i in &d.decisions {
        acts.push(cx.cite("decision", i));
    }
    for &i in &d.transfers {
        acts.push(cx.cite("transfer", i));
    }
    for &i in &d.attachments {
        let a = &cx.acts[i as usize];
        reasons.push(format!("{} attached {} on {}.", cx.n(a.actor), if a.subject.is_some() { cx.n(a.subject).replace('_', " ") } else { "a statement".to_string() }, a.time.format(a.precision)));
        acts.push(cx.cite("attachment", i));
    }
    let status = match d.status {
        DocumentStatus::Adopted if !d.decisions.is_empty() && d.limited_format => "adopted in a limited format: the organ recorded the decision, and the members that opted out did not block it".to_string(),
        DocumentStatus::Adopted if !d.decisions.is_empty() => "adopted: the organ recorded the decision".to_string(),
        DocumentStatus::Adopted if d.procedure == casus_model::DecisionRule::Silence => "adopted: silence was not broken before expiry".to_string(),
        DocumentStatus::Adopted if d.tally.is_some() => "adopted: the yes votes reached the number needed".to_string(),
        DocumentStatus::Adopted => "adopted: every seated member signed".to_string(),
        DocumentStatus::Blocked => {
            let by: Vec<String> = d.blocked_by.iter().map(|&p| cx.n(p)).collect();
            match d.procedure {
                casus_model::DecisionRule::Silence => format!("not adopted: silence was broken by {}", by.join(", ")),
                casus_model::DecisionRule::Vote(_) => format!("rejected: the yes votes fall short of the number needed; against: {}", if by.is_empty() { "none".to_string() } else { by.join(", ") }),
                _ => format!("blocked by {}: under this rule one refusal is enough", by.join(", ")),
            }
        }
        DocumentStatus::Pending if recorded_only => "pending: the organ has recorded no decision on it".to_string(),
        DocumentStatus::Pending if d.tally.is_some_and(|t| !t.quorum_met) => "pending: the quorum is not met".to_string(),
        DocumentStatus::Pending if d.procedure == casus_model::DecisionRule::Silence => "pending: under silence, not yet expired".to_string(),
        DocumentStatus::Pending if d.tally.is_some() => "pending: the vote is not decided yet".to_string(),
        DocumentStatus::Pending => "pending: not every seated member has signed, and no one has refused".to_string(),
    };
    reasons.push(format!("So the document is {status}."));
    let rules = organ.map(|o| vec![cx.rule("organ", o.id, &o.quote, &o.sources, d.since)]).unwrap_or_default();
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("\"{}\" ({}) is {} since {}.", cx.n(d.title), id, d.status.word(), date(d.since)),
        reasons,
        rules,
        acts,
        readings: Vec::new(),
    })
}

fn find_case<'a>(cx: &'a Ctx, id: &str) -> Option<&'a crate::CaseState> {
    cx.state.cases.iter().find(|c| case_id(c, cx.acts, cx.symbols) == id)
}

fn explain_case(cx: &Ctx, fact: &str, id: &str) -> Option<Explanation> {
    let c = find_case(cx, id)?;
    let mut reasons = vec![format!("{} opened the case on {} under {}.", cx.n(c.requester), date(c.opened), cx.n(c.article))];
    let mut counts = std::collections::BTreeMap::new();
    for o in &c.obligations {
        *counts.entry(o.status.word()).or_insert(0) += 1;
        reasons.push(format!("{} owes {} under `{}`: {} since {}.", cx.n(o.debtor), cx.n(o.creditor), cx.n(cx.treaty.duties[o.duty].id), o.status.word(), date(o.since)));
    }
    let tally: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let mut acts = vec![cx.cite("trigger", c.trigger)];
    if c.responses.is_empty() {
        reasons.push("No act is recorded as answering the case.".to_string());
    }
    for &i in &c.responses {
        let a = &cx.acts[i as usize];
        reasons.push(format!("Recorded in answer: {} {} on {} (act {}).", cx.n(a.actor), a.kind.past(), a.time.format(a.precision), act_id(cx.acts, cx.symbols, i)));
        acts.push(cx.cite("response", i));
    }
    let mut rules = Vec::new();
    let mut questions = Vec::new();
    for o in &c.obligations {
        let duty = &cx.treaty.duties[o.duty];
        if !rules.iter().any(|r: &RuleCite| r.id == cx.n(duty.id)) {
            rules.push(cx.rule("duty", duty.id, &duty.quote, &duty.sources, c.opened));
            questions.extend(duty.needs.iter().filter_map(|n| n.when.map(|w| w.0)));
            if let Within::Question(q) = duty.within {
                questions.push(q);
            }
        }
    }
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("Case {} ({} by {} on {}): {}.", id, cx.n(c.article), cx.n(c.requester), date(c.opened), tally.join(", ")),
        reasons,
        rules,
        acts,
        readings: cx.readings(&questions),
    })
}

fn explain_obligation(cx: &Ctx, fact: &str, case: &str, duty_id: &str, debtor: &str) -> Option<Explanation> {
    let c = find_case(cx, case)?;
    let debtor_sym = cx.symbols.get(debtor)?;
    let o = c.obligations.iter().find(|o| o.debtor == debtor_sym && cx.n(cx.treaty.duties[o.duty].id) == duty_id)?;
    let duty = &cx.treaty.duties[o.duty];
    let inst = &c.instances[o.instance as usize];
    let trig = &cx.acts[c.trigger as usize];
    let b = matches(&duty.trigger, trig, &Bindings::default()).unwrap_or_default();
    let bd = b.with(cx.treaty.words.debtor, debtor_sym);
    let version = cx.treaty.version_at(trig.time).map(|v| format!("the text {} in force since {}", cx.n(v.id), date(v.in_force))).unwrap_or_default();
    let mut reasons = vec![format!(
        "On {}, {}'s act matched the trigger `{}` of the duty `{}` ({}, {}).",
        trig.time.format(trig.precision),
        cx.n(trig.actor),
        cx.pattern(&duty.trigger, &Bindings::default()),
        duty_id,
        cx.n(duty.article),
        version
    )];
    let owed = match &duty.owed_by {
        Debtors::EveryPartyExcept(ex) if ex.is_empty() => "every party".to_string(),
        Debtors::EveryPartyExcept(ex) => format!("every party except {}", ex.iter().map(|&t| cx.term(t, &b)).collect::<Vec<_>>().join(", ")),
        Debtors::Listed(l) => l.iter().map(|&t| cx.term(t, &b)).collect::<Vec<_>>().join(", "),
    };
    let on_date = if matches!(duty.owed_by, Debtors::EveryPartyExcept(_)) { " (members on that date)" } else { "" };
    reasons.push(format!("It is owed by {owed}{on_date}, so by {debtor}, to {}.", cx.n(o.creditor)));
    let mut acts = vec![cx.cite("trigger", c.trigger)];
    let mut questions = Vec::new();
    let alternatives = |need: &Need| need.any_of.iter().map(|p| format!("`{}`", cx.pattern(p, &b))).collect::<Vec<_>>().join(" or ");
    for &ni in &inst.needs_waived {
        let need = &duty.needs[ni];
        if let Some((q, opt)) = need.when {
            questions.push(q);
            let chosen = cx.state.readings.iter().find(|(qq, _)| *qq == q).map(|(_, o)| cx.n(*o)).unwrap_or_default();
            reasons.push(format!("The condition {} applies only when {} = {}; under the reading {} = {} it does not apply.", alternatives(need), cx.n(q), cx.n(opt), cx.n(q), chosen));
        }
    }
    for &(ni, i) in &inst.needs_met {
        let need = &duty.needs[ni];
        questions.extend(need.when.map(|w| w.0));
        let a = &cx.acts[i as usize];
        reasons.push(format!("The condition {} is met by act {} of {}.", alternatives(need), act_id(cx.acts, cx.symbols, i), a.time.format(a.precision)));
        acts.push(cx.cite("condition", i));
    }
    for &ni in &inst.needs_unmet {
        let need = &duty.needs[ni];
        questions.extend(need.when.map(|w| w.0));
        reasons.push(format!("No determination or other act matching {} was recorded by {}, so the duty was not triggered.", alternatives(need), date(cx.state.at)));
    }
    if let (Some(arose), Some(deadline)) = (o.arose, o.deadline) {
        let within = match duty.within {
            Within::Fixed(d) => format!("within {d}"),
            Within::Question(q) => {
                questions.push(q);
                // The reading and the time it allows, as the derivation took them.
                let chosen = inst.readings.iter().find(|(qq, _)| *qq == q).map(|(_, o)| *o);
                let dur = inst.within;
                format!("within `{}`, read as {} = {} ({})", cx.n(q), cx.n(q), chosen.map(|c| cx.n(c)).unwrap_or_default(), dur.map(|d| d.to_string()).unwrap_or_default())
            }
        };
        reasons.push(format!("The duty arose on {}; it must be done {}, so by {}.", date(arose), within, date(deadline)));
        let does = duty.does.iter().map(|p| format!("`{}`", cx.pattern(p, &bd))).collect::<Vec<_>>().join(" or ");
        performance_reasons(cx, o, debtor, &does, deadline, &mut reasons, &mut acts);
    }
    questions.dedup();
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("{debtor}'s duty `{duty_id}` to {} in case {case} is {} since {}.", cx.n(o.creditor), o.status.word(), date(o.since)),
        reasons,
        rules: vec![cx.rule("duty", duty.id, &duty.quote, &duty.sources, trig.time)],
        acts,
        readings: cx.readings(&questions),
    })
}

/// The lines on how a duty was performed, rendered from the obligation's
/// performance: in time, late (breached, never "fulfilled"), at a time of
/// day the record does not give, or not at all.
fn performance_reasons(cx: &Ctx, o: &crate::ObligationState, debtor: &str, does: &str, deadline: Time, reasons: &mut Vec<String>, acts: &mut Vec<ActCite>) {
    use crate::Performance;
    let when = |i: u32| {
        let a = &cx.acts[i as usize];
        (a.time.format(a.precision), act_id(cx.acts, cx.symbols, i))
    };
    match o.performance {
        Performance::InTime(i) => {
            let (on, id) = when(i);
            reasons.push(format!("{debtor} did {does}: act {id} of {on}, within the deadline. Fulfilled."));
            acts.push(cx.cite("fulfilment", i));
        }
        Performance::Late(i) => {
            let (on, id) = when(i);
            reasons.push(format!("No act {does} was recorded by the deadline {}; on {} the deadline has passed. Breached.", date(deadline), date(cx.state.at)));
            reasons.push(format!("{debtor} performed late, on {on} (act {id}): breached, performed late."));
            acts.push(cx.cite("late performance", i));
        }
        Performance::Unknown(i) => {
            let (on, id) = when(i);
            let actor = cx.n(cx.acts[i as usize].actor);
            reasons.push(format!(
                "{debtor} did {does} by act {id}, dated {on}; the deadline {} falls within that date, so whether it was in time depends on the time of day of {actor}'s act, which the record does not give. Undetermined: fulfilled if it was done by the deadline, breached otherwise.",
                deadline.format(Precision::Second)
            ));
            acts.push(cx.cite("performance at an unknown time", i));
        }
        Performance::None if o.status == ObligationStatus::Breached => {
            reasons.push(format!("No act {does} was recorded by the deadline {}; on {} the deadline has passed. Breached.", date(deadline), date(cx.state.at)));
        }
        Performance::None => reasons.push(format!("No act {does} is recorded yet, and the deadline {} has not passed on {}. Pending.", date(deadline), date(cx.state.at))),
    }
}
