//! Explanations: for any derived fact, why it holds. The rule and its
//! article's text, the treaty version in force, the acts it rests on with
//! their sources and who attests them, and the readings used.
//!
//! Explanations are prose for a reader who does not know the rule syntax:
//! parties, organs and articles by name, duties by title, readings by their
//! option texts, statuses as words ("not triggered"), numbers with digit
//! groups. Ids appear beside a title, never instead of it, and in `fact`.
//! Nothing here is specific to one treaty: every word about a treaty comes
//! from its file.

// A child module, so that it can use this module's private `Ctx`.
#[path = "document_reason.rs"]
mod document_reason;

use crate::fact::FactId;
use crate::report::{act_id, article_name, case_id, case_title, date, kind_noun, long_date, possessive};
use casus_engine::matcher::{Bindings, matches};
use casus_engine::{ObligationStatus, State};
use casus_model::*;
use serde::Serialize;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub fact: String,
    pub statement: String,
    pub reasons: Vec<String>,
    pub rules: Vec<RuleCite>,
    pub acts: Vec<ActCite>,
    pub readings: Vec<ReadingCite>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SourceCite {
    pub url: Option<String>,
    pub title: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// What the treaty file says its sources leave open about this rule
    /// (an organ's `note` lines): the encoding is a choice there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// When the witnesses prove the act was in the ledger (acts read from
    /// a ledger with cosigned checkpoints only; see [`crate::logged`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<crate::LoggedBy>,
    pub sources: Vec<SourceCite>,
    /// The act's index in the record, for callers that add what the
    /// engine does not know (its ledger entry's proven time).
    #[serde(skip)]
    pub index: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// The act as a sentence without its date: "Armenia requested
    /// assistance under Article 4 from the Collective Security Council".
    fn summary(&self, a: &Act) -> String {
        if a.kind == ActKind::Reservation {
            let what = casus_model::attachment_noun(if a.subject.is_some() { self.symbols.name(a.subject) } else { "" });
            return format!("{} attached {what} to {}", self.who(a.actor), self.document_name(a));
        }
        let mut s = format!("{} {}", self.who(a.actor), a.kind.past());
        if a.kind == ActKind::Handover && a.organ.is_some() {
            s.push_str(&format!(" of {}", self.who(a.organ)));
        }
        // Acts on a text read "signed \"Declaration…\"", "proposed \"…\"".
        let document_first = a.document.is_some()
            && matches!(
                a.kind,
                ActKind::Propose | ActKind::Sign | ActKind::Refuse | ActKind::OptOut | ActKind::Objection | ActKind::Amendment | ActKind::Reservation
            );
        if document_first {
            s.push(' ');
            s.push_str(&self.document_name(a));
        }
        if a.kind == ActKind::Deployment && a.personnel > 0 {
            s.push_str(&format!(" {} personnel", grouped(a.personnel as u64)));
        }
        if a.subject.is_some() {
            let prep = match a.kind {
                ActKind::Decision => " on ",
                _ => " ",
            };
            s.push_str(prep);
            s.push_str(&self.n(a.subject).replace('_', " "));
        }
        if a.under.is_some() {
            s.push_str(&format!(" under {}", self.article(a.under)));
        }
        if a.to.is_some() && a.to != a.actor {
            let to = if a.kind == ActKind::Request { "from" } else { "to" };
            s.push_str(&format!(" {to} {}", self.who(a.to)));
        }
        // The actor of an attack is the attacker: "Azerbaijan attacked Armenia".
        if a.against.is_some() {
            let against = if a.kind == ActKind::Attack { "" } else { " against" };
            s.push_str(&format!("{against} {}", self.who(a.against)));
        }
        if a.about.is_some() && a.about != a.to {
            let abouts: Vec<String> = a.abouts().map(|p| self.who(p)).collect();
            s.push_str(&format!(" about {}", and_list(&abouts)));
        }
        // The place belongs to what the act is about, before the title of
        // the document that records it.
        if let Some(place) = a.place() {
            s.push_str(&format!(" in {}", self.treaty.region_name(place, self.symbols)));
        }
        if a.document.is_some() && !document_first {
            match a.kind {
                ActKind::Decision => s.push_str(&format!(": {}", self.document_name(a))),
                _ => s.push_str(&format!(" (document {})", self.document_name(a))),
            }
        }
        if a.means.is_some() {
            s.push_str(&format!(" by {} means", self.n(a.means).replace('_', " ")));
        }
        if a.organ.is_some() && a.kind != ActKind::Handover && a.organ != a.actor {
            s.push_str(&format!(" in {}", self.who(a.organ)));
        }
        if !a.from.is_empty() {
            let from: Vec<String> = a.from.iter().map(|&p| self.who(p)).collect();
            s.push_str(&format!(", with {} taking part", and_list(&from)));
        }
        if a.kind != ActKind::Deployment && a.personnel > 0 {
            s.push_str(&format!(", {} personnel", grouped(a.personnel as u64)));
        }
        if let Some(e) = a.effective() {
            s.push_str(&format!(", effective {}", long_date(e)));
        }
        if a.text.is_some() && matches!(a.kind, ActKind::Offer | ActKind::Statement) {
            s.push_str(&format!(": \"{}\"", self.n(a.text)));
        }
        s
    }

    /// The document an act concerns: its title in quotes, or its id.
    fn document_name(&self, a: &Act) -> String {
        match self.state.documents.iter().find(|d| d.id == a.document).filter(|d| d.title.is_some()) {
            Some(d) => format!("\"{}\"", self.n(d.title)),
            None if a.title.is_some() => format!("\"{}\"", self.n(a.title)),
            None => format!("the document {}", self.n(a.document)),
        }
    }

    /// A name as prose uses it: a party's or state's name, "the" and an
    /// organ's name, or the code when the treaty does not name it.
    fn who(&self, s: Sym) -> String {
        match (self.treaty.party(s), self.treaty.organ(s), self.treaty.forum(s)) {
            (Some(p), _, _) => p.name.clone(),
            (None, Some(o), _) => format!("the {}", o.name),
            // A forum is named with its participants: its statements are
            // theirs.
            (None, None, Some(f)) => {
                let names: Vec<String> = f.participants.iter().map(|&p| self.treaty.name_of(p, self.symbols).to_string()).collect();
                format!("the {} (a forum of {})", f.name, and_list(&names))
            }
            _ => self.n(s),
        }
    }

    /// An article by name ("Article 4"), or its id if the treaty has no
    /// heading for it.
    fn article(&self, s: Sym) -> String {
        article_name(self.treaty, self.symbols, s)
    }

    /// Who vouches for the act, and, when it entered the ledger long after
    /// it happened, when and by whom it was recorded.
    fn attested_by(&self, a: &Act) -> String {
        let who = match a.attestation {
            Attestation::File => "the record file".to_string(),
            Attestation::Actor => format!("{}, by its own signature", self.who(a.actor)),
            Attestation::Recorder(k) => self.recorder(k),
        };
        match (a.recorded, late_by(a)) {
            (Some(r), Some(gap)) => format!("{who}; recorded on {}, {gap} after the fact", long_date(r)),
            _ => who,
        }
    }

    /// A recorder as a reader meets it. In a ledger a recorder is named by
    /// its key id (64 hex digits); its first 16, as key listings show a key,
    /// are enough to tell it from another.
    fn recorder(&self, k: casus_model::Sym) -> String {
        let name = self.n(k);
        match casus_ledger::hex_decode_array::<32>(&name) {
            Some(id) => format!("the recorder whose key is {}", casus_ledger::KeyId(id).short()),
            None => format!("recorder {name}"),
        }
    }

    /// One line for an act a reason rests on: its date, what was done, its
    /// id and its first source.
    fn act_line(&self, i: u32) -> String {
        let a = &self.acts[i as usize];
        let mut s = format!("{}, {} (act {}", crate::report::act_when(a), self.summary(a), act_id(self.acts, self.symbols, i));
        match a.sources.first() {
            Some(c) if c.title.is_some() => s.push_str(&format!("; source: {}", self.n(c.title))),
            Some(c) if c.url.is_some() => s.push_str(&format!("; source: {}", self.n(c.url))),
            _ => {}
        }
        if a.sources.len() > 1 {
            s.push_str(&format!(", and {} more", a.sources.len() - 1));
        }
        // Which key recorded it is in the act's own citation, below.
        if let (Some(r), Some(gap)) = (a.recorded, late_by(a)) {
            let by = if matches!(a.attestation, Attestation::Recorder(_)) { " by a recorder" } else { "" };
            s.push_str(&format!("; recorded{by} on {}, {gap} after the fact", long_date(r)));
        }
        s.push(')');
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
            attested_by: self.attested_by(a),
            recorded: a.recorded.map(date),
            logged_by: None,
            sources: self.sources(&a.sources),
            index: i,
        }
    }

    fn version_ref(&self, t: Time) -> Option<crate::report::VersionRef> {
        self.treaty.version_at(t).map(|v| crate::report::VersionRef { id: self.n(v.id), title: v.title.clone(), in_force: date(v.in_force) })
    }

    /// A rule's citation: its text as quoted, its sources, and the open
    /// points the treaty file states about it (`notes`).
    fn rule(&self, kind: &str, id: Sym, quote: &Quote, sources: &[Citation], notes: &[String], at: Time) -> RuleCite {
        RuleCite {
            kind: kind.to_string(),
            id: self.n(id),
            article: self.opt(quote.article),
            heading: self.treaty.article(quote.article).map(|a| a.heading.clone()),
            quote: (!quote.text.is_empty()).then(|| quote.text.clone()),
            quote_line: (quote.line > 0).then_some(quote.line),
            version: self.version_ref(at),
            sources: self.sources(sources),
            notes: notes.to_vec(),
        }
    }

    /// A term of a rule in words: the bound party's name, "a party" for a
    /// variable not yet bound, "anyone" for `any`.
    fn term(&self, t: Term, b: &Bindings) -> String {
        match t {
            Term::Any => "anyone".to_string(),
            Term::Name(s) => self.who(s),
            Term::Var(v) => b.get(v).map(|s| self.who(s)).unwrap_or_else(|| "a party".to_string()),
        }
    }

    /// A pattern of a rule in words: "a deployment to Armenia in which
    /// Russia takes part".
    fn pattern(&self, p: &Pattern, b: &Bindings) -> String {
        let noun = kind_noun(p.kind);
        let mut s = format!("{} {noun}", if matches!(noun.as_bytes().first(), Some(b'a' | b'e' | b'i' | b'o' | b'u')) { "an" } else { "a" });
        if p.kind == ActKind::Assistance {
            s = "assistance".to_string();
        }
        let mut by = None;
        let mut from = None;
        for &(f, t) in &p.constraints {
            let v = self.term(t, b);
            match f {
                Field::Subject => {
                    let word = match t {
                        Term::Name(x) => self.n(x).replace('_', " "),
                        _ => v,
                    };
                    let prep = match p.kind {
                        ActKind::Request | ActKind::Offer => "for",
                        _ => "of",
                    };
                    s.push_str(&format!(" {prep} {word}"));
                }
                Field::By => by = Some(v),
                Field::From => from = Some(v),
                Field::Under => {
                    let art = match t {
                        Term::Name(x) => self.article(x),
                        _ => v,
                    };
                    s.push_str(&format!(" under {art}"));
                }
                Field::Document => s.push_str(&format!(" on document {v}")),
                Field::Means => s.push_str(&format!(" by {v} means")),
                Field::Case => s.push_str(&format!(" in answer to the case {v}")),
                _ => s.push_str(&format!(" {} {v}", f.keyword())),
            }
        }
        if let Some(by) = by {
            s.push_str(&format!(" by {by}"));
        }
        if let Some(from) = from {
            s.push_str(&format!(" in which {from} takes part"));
        }
        s
    }

    /// An option of a question in the treaty's words.
    fn option_text(&self, q: Sym, o: Sym) -> String {
        self.treaty.reading(q, o).map_or_else(|| self.n(o), |(_, x)| x.text.clone())
    }

    fn readings(&self, only: &[Sym]) -> Vec<ReadingCite> {
        self.state
            .readings
            .iter()
            .filter(|(q, _)| only.contains(q))
            .filter_map(|&(q, o)| {
                let (qq, opt) = self.treaty.reading(q, o)?;
                Some(ReadingCite {
                    question: self.n(q),
                    question_text: qq.text.clone(),
                    option: self.n(o),
                    option_text: opt.text.clone(),
                    default: qq.options[qq.default].id == o,
                })
            })
            .collect()
    }
}

/// Explains the fact with id `fact` (as listed in a `Report`), or `None`
/// if it is not a fact id or the state has no such fact.
pub fn explain(treaty: &Treaty, acts: &[Act], symbols: &Symbols, state: &State, fact: &str) -> Option<Explanation> {
    explain_fact(treaty, acts, symbols, state, &FactId::parse(fact)?)
}

/// The act at `index` as a sentence without its date ("Armenia requested
/// assistance under Article 4 from the Collective Security Council"), as
/// explanations cite it: for timelines and reports that list acts.
pub fn act_sentence(treaty: &Treaty, acts: &[Act], symbols: &Symbols, state: &State, index: usize) -> String {
    let cx = Ctx { treaty, acts, symbols, state };
    acts.get(index).map(|a| cx.summary(a)).unwrap_or_default()
}

/// Explains a fact already read, or `None` if the state has no such fact.
pub fn explain_fact(treaty: &Treaty, acts: &[Act], symbols: &Symbols, state: &State, fact: &FactId) -> Option<Explanation> {
    let cx = Ctx { treaty, acts, symbols, state };
    let id = fact.to_string();
    match fact {
        FactId::Party(code) => explain_party(&cx, &id, code),
        FactId::Chair(organ) => explain_chair(&cx, &id, organ),
        FactId::Document(doc) => document_reason::explain_document(&cx, &id, doc),
        FactId::Case(case) => explain_case(&cx, &id, case),
        FactId::Obligation { case, duty, debtor, creditor } => explain_obligation(&cx, &id, case, duty, debtor, creditor.as_deref()),
    }
}

/// One membership event of the treaty file as a clause: "Kyrgyzstan joined
/// on 1 May 1994", "… is known to be a party on 12 June 2010; when it
/// joined is not given".
fn membership_event(party: &str, e: &MembershipEvent) -> String {
    let change = match e.change {
        MembershipChange::Join => "joined",
        MembershipChange::Leave => "left",
        MembershipChange::Suspend => "was suspended",
        MembershipChange::Return => "returned",
    };
    let date = long_date(e.time);
    match e.dating {
        Dating::On => format!("{party} {change} on {date}"),
        Dating::By => format!("{party} joined on or before {date}; the exact date is not given"),
        Dating::After => format!("{party} left at some time after {date}; when is not given"),
        Dating::MemberOn => format!("{party} is known to be a party on {date}; when it joined is not given"),
    }
}

/// Why an obligation is undetermined when the sources leave a party's
/// membership on the trigger's date unknown: the date, and what the treaty
/// file does say of its membership.
fn membership_unknown_reason(cx: &Ctx, code: Sym, on: Time) -> String {
    let name = cx.who(code);
    let known: Vec<String> = cx.treaty.party(code).map(|p| p.events.iter().map(|e| membership_event(&p.name, e)).collect()).unwrap_or_default();
    let known = if known.is_empty() { String::new() } else { format!(" What is known: {}.", known.join("; ")) };
    format!("Whether {name} was a party on {} is not known, so neither is whether the duty binds it; the obligation is undetermined.{known}", long_date(on))
}

fn explain_party(cx: &Ctx, fact: &str, code: &str) -> Option<Explanation> {
    let sym = cx.symbols.get(code)?;
    let p = cx.state.parties.iter().find(|p| p.code == sym)?;
    let party = cx.treaty.party(sym)?;
    let mut reasons = Vec::new();
    for e in party.events.iter().filter(|e| e.time <= cx.state.at) {
        let note = if e.note.is_empty() { String::new() } else { format!(" ({})", e.note) };
        reasons.push(format!("{}, as the treaty file records{note}.", membership_event(&party.name, e)));
    }
    let acts: Vec<ActCite> = p.acts.iter().map(|&i| cx.cite("membership", i)).collect();
    for &i in &p.acts {
        reasons.push(format!("Recorded: {}.", capitalise(&cx.act_line(i))));
    }
    reasons.extend(provision_reasons(cx, &party.name, &p.acts));
    let statement = match p.status {
        Some(status) => {
            reasons.push(format!("So on {}, {} is {} (since {}).", long_date(cx.state.at), party.name, status.phrase(), long_date(p.since)));
            format!("{} ({}) is {} on {}, since {}.", capitalise(&party.name), code, status.phrase(), long_date(cx.state.at), long_date(p.since))
        }
        None => {
            let later: Vec<String> = party.events.iter().filter(|e| e.time > cx.state.at).map(|e| membership_event(&party.name, e)).collect();
            if !later.is_empty() {
                reasons.push(format!("Later, as the treaty file records: {}.", later.join("; ")));
            }
            reasons.push(format!(
                "So on {}, whether {} is a party is not known (not known since {}); a verdict that depends on it is undetermined.",
                long_date(cx.state.at),
                party.name,
                long_date(p.since)
            ));
            format!("Whether {} ({}) is a party on {} is not known, since {}.", party.name, code, long_date(cx.state.at), long_date(p.since))
        }
    };
    // Each source once, though several events of the party cite it.
    let mut sources: Vec<Citation> = Vec::new();
    for c in party.events.iter().flat_map(|e| e.sources.iter()) {
        if !sources.contains(c) {
            sources.push(c.clone());
        }
    }
    Some(Explanation {
        fact: fact.to_string(),
        statement,
        reasons,
        rules: vec![RuleCite {
            kind: "party".into(),
            id: code.to_string(),
            article: None,
            heading: None,
            quote: None,
            quote_line: None,
            version: cx.version_ref(cx.state.at),
            sources: cx.sources(&sources),
            notes: Vec::new(),
        }],
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
        let order: Vec<String> = r.order.iter().map(|&p| cx.who(p)).collect();
        reasons.push(format!("The chair of the {} rotates every year from {}, in the order {}.", organ.name, long_date(r.from), order.join(", ")));
        if c.by_rotation {
            reasons.push(format!("The year beginning {} falls to {}.", long_date(c.since), cx.who(c.party)));
        }
        rules.push(cx.rule("rotation", organ.id, &organ.quote, &r.sources, &organ.notes, cx.state.at));
    }
    let mut acts = Vec::new();
    if let Some(h) = c.handover {
        reasons.push(format!("The chair passed to {}: {}.", cx.who(c.party), cx.act_line(h)));
        acts.push(cx.cite("handover", h));
    }
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("{} chairs the {} ({}) on {}, since {}.", cx.who(c.party), organ.name, organ_id, long_date(cx.state.at), long_date(c.since)),
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
    let title = case_title(cx.treaty, cx.acts, cx.symbols, c);
    let mut reasons = vec![format!("The case was opened by this act: {}.", cx.act_line(c.trigger))];
    let mut counts: Vec<(ObligationStatus, usize)> = Vec::new();
    for o in &c.obligations {
        match counts.iter_mut().find(|(s, _)| *s == o.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((o.status, 1)),
        }
        let duty = &cx.treaty.duties[o.duty];
        reasons.push(format!(
            "{} owes {} \"{}\": {} since {}.",
            cx.who(o.debtor),
            cx.who(o.creditor),
            cx.treaty.duty_title(duty, cx.symbols),
            o.status.text(),
            long_date(o.since)
        ));
    }
    counts.sort();
    let tally: Vec<String> = counts.iter().map(|(st, n)| format!("{} {}", grouped(*n as u64), st.text())).collect();
    let mut acts = vec![cx.cite("trigger", c.trigger)];
    if c.responses.is_empty() {
        reasons.push("No act is recorded as answering the case.".to_string());
    }
    for &i in &c.responses {
        reasons.push(format!("Recorded in answer: {}.", cx.act_line(i)));
        acts.push(cx.cite("response", i));
    }
    let mut rules = Vec::new();
    let mut questions = Vec::new();
    for o in &c.obligations {
        let duty = &cx.treaty.duties[o.duty];
        if !rules.iter().any(|r: &RuleCite| r.id == cx.n(duty.id)) {
            rules.push(cx.rule("duty", duty.id, &duty.quote, &duty.sources, &duty.notes, c.opened));
            rules.extend(original_rule(cx, duty).map(|(orig, first)| original_cite(cx, orig, first)));
            questions.extend(duty.needs.iter().filter_map(|n| n.when.map(|w| w.0)));
            questions.extend(duty.only.iter().filter_map(|o| if let Condition::Reading(q, _) = o.condition { Some(q) } else { None }));
            if let Within::Question(q) = duty.within {
                questions.push(q);
            }
        }
    }
    let mut verdicts = if tally.is_empty() { "no obligation arises".to_string() } else { tally.join(", ") };
    if let Some(positions) = positions_line(cx, c) {
        verdicts.push_str(&format!("; {positions}"));
        reasons.push(format!("Positions taken on the case, counted apart from what was performed: {positions}."));
    }
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!("{title} (case {id}): {verdicts}."),
        reasons,
        rules,
        acts,
        readings: cx.readings(&questions),
    })
}

/// The rule of the same duty in the treaty's original text, when the text in
/// force quotes something else: an amendment may quote only what it changed
/// (a new definition), while the duty itself is created by the original
/// words.
fn original_rule<'a>(cx: &'a Ctx, duty: &Duty) -> Option<(&'a Duty, &'a Version)> {
    let first = cx.treaty.versions.first()?;
    let original = cx.treaty.duties.iter().find(|d| d.id == duty.id && (d.versions.is_empty() || d.versions.contains(&first.id)))?;
    (original.quote.text != duty.quote.text && !original.quote.text.is_empty()).then_some((original, first))
}

/// The citation of a duty as worded in the original version.
fn original_cite(cx: &Ctx, orig: &Duty, first: &Version) -> RuleCite {
    RuleCite {
        kind: "duty, original text".into(),
        id: cx.n(orig.id),
        article: cx.opt(orig.quote.article),
        heading: cx.treaty.article(orig.quote.article).map(|a| a.heading.clone()),
        quote: Some(orig.quote.text.clone()),
        quote_line: (orig.quote.line > 0).then_some(orig.quote.line),
        version: Some(crate::report::VersionRef { id: cx.n(first.id), title: first.title.clone(), in_force: date(first.in_force) }),
        sources: cx.sources(&orig.sources),
        notes: Vec::new(),
    }
}

/// The verdict of the same obligation under each other option of each
/// question the duty depends on, one question changed at a time.
fn other_readings(cx: &Ctx, c: &crate::CaseState, duty: Sym, debtor: Sym, creditor: Sym, questions: &[Sym]) -> Vec<String> {
    let mut out = Vec::new();
    for &q in questions {
        let Some(question) = cx.treaty.question(q) else { continue };
        let chosen = cx.state.readings.iter().find(|(qq, _)| *qq == q).map(|(_, o)| *o);
        for opt in question.options.iter().filter(|o| Some(o.id) != chosen) {
            let mut readings: std::collections::BTreeMap<Sym, Sym> = cx.state.readings.iter().copied().collect();
            readings.insert(q, opt.id);
            let other = crate::derive(cx.treaty, cx.acts, &crate::Query { at: cx.state.at, readings });
            let status = other
                .cases
                .iter()
                .find(|oc| oc.trigger == c.trigger)
                .and_then(|oc| oc.obligations.iter().find(|o| o.debtor == debtor && o.creditor == creditor && cx.treaty.duties[o.duty].id == duty))
                .map_or("no such obligation", |o| o.status.text());
            out.push(format!("{status} if \"{}\"", opt.text));
        }
    }
    out
}

fn explain_obligation(cx: &Ctx, fact: &str, case: &str, duty_id: &str, debtor: &str, creditor: Option<&str>) -> Option<Explanation> {
    let c = find_case(cx, case)?;
    let debtor_sym = cx.symbols.get(debtor)?;
    let creditor_sym = match creditor {
        Some(name) => Some(cx.symbols.get(name)?),
        None => None,
    };
    let o = c
        .obligations
        .iter()
        .find(|o| o.debtor == debtor_sym && cx.n(cx.treaty.duties[o.duty].id) == duty_id && creditor_sym.is_none_or(|s| o.creditor == s))?;
    let duty = &cx.treaty.duties[o.duty];
    let inst = &c.instances[o.instance as usize];
    let trig = &cx.acts[c.trigger as usize];
    // The trigger's variables as this obligation's instance bound them
    // (for a joint request, this requester).
    let b = Bindings(inst.bindings.clone());
    let bd = b.with(cx.treaty.words.debtor, debtor_sym);
    let debtor_name = cx.who(debtor_sym);
    let title = cx.treaty.duty_title(duty, cx.symbols);
    let article = cx.article(duty.article);
    let mut reasons = Vec::new();
    let mut rules = vec![cx.rule("duty", duty.id, &duty.quote, &duty.sources, &duty.notes, trig.time)];
    // The text: the article that creates the duty, and the version in force.
    let creates = if article.is_empty() {
        format!("The {} creates this duty", cx.treaty.title)
    } else {
        format!("{article} of the {} creates this duty", cx.treaty.title)
    };
    let in_force = cx
        .treaty
        .version_at(trig.time)
        .map(|v| format!("On {} the text in force was \"{}\", in force since {}", long_date(trig.time), v.title, long_date(v.in_force)))
        .unwrap_or_else(|| format!("On {} no text of the treaty was in force", long_date(trig.time)));
    match original_rule(cx, duty) {
        Some((orig, first)) => {
            reasons.push(format!(
                "{creates} in its original text (\"{}\", in force from {}), whose words are quoted. {in_force}; the treaty file's quotation of this article in that text is shown too.",
                first.title,
                long_date(first.in_force)
            ));
            rules.push(original_cite(cx, orig, first));
        }
        None => {
            let quoted = if duty.quote.text.is_empty() { "" } else { ", whose words are quoted" };
            reasons.push(format!("{creates}{quoted}. {in_force}."));
        }
    }
    // The acts.
    if duty.standing {
        let forbidden = or_list(&duty.refrains.iter().map(|p| cx.pattern(p, &Bindings::default())).collect::<Vec<_>>());
        reasons.push(format!("The duty is in force between the parties at all times while its text is; nothing needs to trigger it. It forbids {forbidden}; the act that breaches it opens the case."));
    } else {
        let engaged = or_list(&duty.triggers().map(|p| cx.pattern(p, &Bindings::default())).collect::<Vec<_>>());
        reasons.push(format!("The duty is engaged by {engaged}; {}.", cx.act_line(c.trigger)));
    }
    let owed = match &duty.owed_by {
        Debtors::EveryPartyExcept(ex) if ex.is_empty() => "every party".to_string(),
        Debtors::EveryPartyExcept(ex) => format!("every party except {}", and_list(&ex.iter().map(|&t| cx.term(t, &b)).collect::<Vec<_>>())),
        Debtors::Listed(l) => and_list(&l.iter().map(|&t| cx.term(t, &b)).collect::<Vec<_>>()),
    };
    let on_date = match duty.owed_by {
        Debtors::EveryPartyExcept(_) if o.debtor_membership_unknown => " that was, or may have been, a member on that date",
        Debtors::EveryPartyExcept(_) => " that was a member on that date",
        Debtors::Listed(_) => "",
    };
    reasons.push(format!("It is owed by {owed}{on_date}, so by {debtor_name}, to {}.", cx.who(o.creditor)));
    if c.owed_to_several(o) {
        reasons.push(format!(
            "The act that engaged it was made by several parties together (or concerns several), so the duty is owed to each of them; this obligation is the one owed to {}.",
            cx.who(o.creditor)
        ));
    }
    let mut acts = vec![cx.cite("trigger", c.trigger)];
    for party in o.membership_unknown() {
        reasons.push(membership_unknown_reason(cx, party, trig.time));
    }
    if let Some(s) = o.lapsed_by {
        reasons.push(format!(
            "But the treaty was suspended between {debtor_name} and {} when the duty was triggered: {}. So the duty lapsed between them and is not triggered; the same duty between other parties stands.",
            cx.who(o.creditor),
            cx.act_line(s)
        ));
        acts.push(cx.cite("suspension", s));
    }
    let mut questions = Vec::new();
    let alternatives = |need: &Need| or_list(&need.any_of.iter().map(|p| cx.pattern(p, &b)).collect::<Vec<_>>());
    for &ni in &inst.needs_waived {
        let need = &duty.needs[ni];
        if let Some((q, opt)) = need.when {
            questions.push(q);
            reasons.push(format!(
                "The condition that there be {} applies only under the reading \"{}\"; under the reading chosen it does not apply.",
                alternatives(need),
                cx.option_text(q, opt)
            ));
        }
    }
    for &(ni, i) in &inst.needs_met {
        let need = &duty.needs[ni];
        questions.extend(need.when.map(|w| w.0));
        reasons.push(format!("The condition that there be {} is met: {}.", alternatives(need), cx.act_line(i)));
        acts.push(cx.cite("condition", i));
    }
    for &ni in &inst.needs_unmet {
        let need = &duty.needs[ni];
        questions.extend(need.when.map(|w| w.0));
        reasons.push(format!(
            "The duty arises only if there is {}. No such act was recorded by {}, so the duty is not triggered.",
            alternatives(need),
            long_date(cx.state.at)
        ));
    }
    // Conditions on the facts of the case (`only …`).
    for outcome in &inst.conditions {
        let Some(only) = duty.only.get(outcome.condition) else { continue };
        if let Condition::Reading(q, _) = only.condition {
            questions.push(q);
        }
        reasons.push(condition_reason(cx, &only.condition, outcome, &b));
        if let Some((i, _)) = outcome.demand.filter(|&(i, _)| i != c.trigger) {
            acts.push(cx.cite("demand", i));
        }
        if let Some(i) = outcome.act.filter(|&i| i != c.trigger) {
            acts.push(cx.cite("condition", i));
        }
    }
    if let (Some(arose), Some(deadline)) = (o.arose, o.deadline) {
        // The time the text allows, in words; `None` when it fixes none.
        let period = match duty.within {
            Within::Fixed(d) => Some(d.to_string()),
            Within::Question(q) => {
                questions.push(q);
                let chosen = cx.state.readings.iter().find(|(qq, _)| *qq == q).map(|(_, o)| *o).unwrap_or(Sym::NONE);
                let question = cx.treaty.question(q).map(|qq| qq.text.clone()).unwrap_or_default();
                Some(format!("\"{}\" (the reading chosen for the question \"{question}\")", cx.option_text(q, chosen).to_lowercase()))
            }
            Within::None => None,
        };
        if duty.is_refrain() {
            let forbidden = or_list(&duty.refrains.iter().map(|p| cx.pattern(p, &bd)).collect::<Vec<_>>());
            if !duty.standing {
                reasons.push(match (&period, deadline) {
                    (Some(p), end) if end != Time::MAX => format!("The duty arose on {}; it lasts {p}, so until {}.", long_date(arose), long_date(end)),
                    _ => format!("The duty arose on {}; no end is fixed, so it lasts as long as its text is in force.", long_date(arose)),
                });
            }
            refrain_reasons(cx, o, duty, &bd, &debtor_name, &forbidden, deadline, &mut reasons, &mut acts);
        } else {
            match (&period, &duty.within) {
                (Some(p), Within::Fixed(_)) => {
                    reasons.push(format!("The duty arose on {}; it must be performed within {p}, so by {}.", long_date(arose), long_date(deadline)))
                }
                (Some(p), _) if deadline != Time::MAX => {
                    reasons.push(format!("The duty arose on {}; it must be performed {p}, so by {}.", long_date(arose), long_date(deadline)))
                }
                _ => {
                    reasons.push(format!("The duty arose on {}; no time is fixed for performing it, so it is never breached by time alone.", long_date(arose)))
                }
            }
            let does = or_list(&duty.does.iter().map(|p| cx.pattern(p, &bd)).collect::<Vec<_>>());
            performance_reasons(cx, o, duty, &bd, &debtor_name, &does, deadline, &mut reasons, &mut acts);
        }
    }
    let mut seen = Vec::new();
    questions.retain(|q| {
        if seen.contains(q) {
            false
        } else {
            seen.push(*q);
            true
        }
    });
    // The readings: the one chosen, and what the others give.
    for &q in &questions {
        if let (Some(question), Some(&(_, chosen))) = (cx.treaty.question(q), cx.state.readings.iter().find(|(qq, _)| *qq == q)) {
            let default = question.options.get(question.default).is_some_and(|d| d.id == chosen);
            reasons.push(format!(
                "Reading chosen for \"{}\": \"{}\"{}.",
                question.text,
                cx.option_text(q, chosen),
                if default { " (the default)" } else { "" }
            ));
        }
    }
    let others = other_readings(cx, c, duty.id, debtor_sym, o.creditor, &questions);
    if !others.is_empty() {
        reasons.push(format!("Under each other reading (one question changed at a time), the duty is {}.", others.join("; ")));
    }
    let case_name = case_title(cx.treaty, cx.acts, cx.symbols, c);
    Some(Explanation {
        fact: fact.to_string(),
        statement: format!(
            "{} duty \"{title}\" ({duty_id}) to {}, in the case \"{case_name}\" ({case}), is {} since {}.",
            capitalise(&possessive(&debtor_name)),
            cx.who(o.creditor),
            o.status.text(),
            long_date(o.since)
        ),
        reasons,
        rules,
        acts,
        readings: cx.readings(&questions),
    })
}

/// A sentence's first word with a capital ("the Council" → "The Council").
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A whole number with digit groups: the one rule in `casus_model::words`.
pub use casus_model::words::grouped;

pub(crate) use casus_model::words::{and_list, or_list};

/// Acts entered more than this long after they happened are marked as
/// recorded late in explanations.
const LATE_RECORDING_DAYS: i64 = 30;

/// How long after the fact the act was recorded, in words, if that is more
/// than `LATE_RECORDING_DAYS`.
fn late_by(a: &Act) -> Option<String> {
    let days = (a.recorded?.0 - a.time.0).div_euclid(86_400);
    if days <= LATE_RECORDING_DAYS {
        return None;
    }
    let (n, unit) = if days >= 730 {
        (days / 365, "years")
    } else if days >= 365 {
        (1, "year")
    } else if days >= 60 {
        (days / 30, "months")
    } else {
        (days, "days")
    };
    Some(format!("{n} {unit}"))
}

/// The lines on how a duty was performed, rendered from the obligation's
/// performance: in time, late (breached, never "fulfilled"), at a time of
/// day the record does not give, or not at all.
#[allow(clippy::too_many_arguments)]
fn performance_reasons(
    cx: &Ctx,
    o: &crate::ObligationState,
    duty: &Duty,
    bd: &Bindings,
    debtor_name: &str,
    does: &str,
    deadline: Time,
    reasons: &mut Vec<String>,
    acts: &mut Vec<ActCite>,
) {
    use crate::Performance;
    let passed = || {
        format!(
            "Nothing that counts as {does} was recorded by {}; on {} that date has passed. So the duty is breached.",
            long_date(deadline),
            long_date(cx.state.at)
        )
    };
    match o.performance {
        Performance::InTime(i) => {
            let fulfilling = &cx.acts[i as usize];
            let counts_as = duty.does.iter().find(|p| matches(p, fulfilling, bd).is_some()).map_or(does.to_string(), |p| cx.pattern(p, bd));
            reasons.push(format!("{debtor_name} performed it in time: {}, which counts as {counts_as}. So the duty is fulfilled.", cx.act_line(i)));
            acts.push(cx.cite("fulfilment", i));
        }
        Performance::Late(i) => {
            reasons.push(passed());
            reasons.push(format!("{debtor_name} performed it late: {}. It stays breached, performed late.", cx.act_line(i)));
            acts.push(cx.cite("late performance", i));
        }
        Performance::Unknown(i) => {
            let actor = cx.who(cx.acts[i as usize].actor);
            reasons.push(format!(
                "{debtor_name} performed it: {}. The deadline, {}, falls within the time that act is dated to, so whether it was in time depends on the time of day of {}'s act, which the record does not give. So the verdict is undetermined: fulfilled if it was done by the deadline, breached otherwise.",
                cx.act_line(i),
                long_date(deadline),
                actor
            ));
            acts.push(cx.cite("performance at an unknown time", i));
        }
        Performance::None if o.status == ObligationStatus::Breached => reasons.push(passed()),
        Performance::None if deadline == Time::MAX => reasons.push(format!(
            "Nothing that counts as {does} is recorded yet; on {} the duty has been open for {}, since {}, and having no deadline it stays open until it is performed. So the duty is pending.",
            long_date(cx.state.at),
            days(o.days_open(cx.state.at).unwrap_or(0)),
            long_date(o.arose.unwrap_or(cx.state.at))
        )),
        // A duty to act never carries a forbidden act; rendered plainly if
        // it ever did.
        Performance::Forbidden(i) => reasons.push(format!("{debtor_name} did {}.", cx.act_line(i))),
        Performance::None => reasons.push(format!("Nothing that counts as {does} is recorded yet, and on {} the deadline of {} has not passed. So the duty is pending.", long_date(cx.state.at), long_date(deadline))),
    }
}

/// "1 day", "2,030 days".
fn days(n: i64) -> String {
    if n == 1 { "1 day".to_string() } else { format!("{} days", grouped(n.max(0) as u64)) }
}

/// The lines on how a duty to refrain was kept, rendered from the
/// obligation's performance: the forbidden act (breached), one dated to a
/// day or window that holds the duty's end (undetermined), or none (kept
/// so far, or kept to the end).
#[allow(clippy::too_many_arguments)]
fn refrain_reasons(
    cx: &Ctx,
    o: &crate::ObligationState,
    duty: &Duty,
    bd: &Bindings,
    debtor_name: &str,
    forbidden: &str,
    end: Time,
    reasons: &mut Vec<String>,
    acts: &mut Vec<ActCite>,
) {
    use crate::Performance;
    let arose = o.arose.unwrap_or(cx.state.at);
    match o.performance {
        Performance::Forbidden(i) => {
            let act = &cx.acts[i as usize];
            let counts_as = duty.refrains.iter().find(|p| matches(p, act, bd).is_some()).map_or(forbidden.to_string(), |p| cx.pattern(p, bd));
            if duty.standing {
                reasons.push(format!(
                    "{debtor_name} did what the duty forbids: {}, which counts as {counts_as}; {} was a party on that date. So the duty is breached.",
                    cx.act_line(i),
                    cx.who(o.creditor)
                ));
                // The act is already cited as the one that opened the case.
                return;
            } else {
                reasons.push(format!(
                    "{debtor_name} did what the duty forbids while it was in force: {}, which counts as {counts_as}. So the duty is breached.",
                    cx.act_line(i)
                ));
            }
            acts.push(cx.cite("breach", i));
        }
        Performance::Unknown(i) => {
            let actor = cx.who(cx.acts[i as usize].actor);
            reasons.push(format!(
                "{debtor_name} did what the duty forbids: {}. The duty ended on {}, within the time that act is dated to, so whether the act fell within the duty depends on the time of day of {}'s act, which the record does not give. So the verdict is undetermined: breached if it was done by then, fulfilled otherwise.",
                cx.act_line(i),
                long_date(end),
                actor
            ));
            acts.push(cx.cite("act at an unknown time", i));
        }
        _ if o.status == ObligationStatus::Fulfilled => {
            reasons.push(format!(
                "Nothing the duty forbids ({forbidden}) is recorded from {} until it ended on {}. So the duty is fulfilled.",
                long_date(arose),
                long_date(end)
            ));
        }
        _ => {
            let ends = if end == Time::MAX { "it has no fixed end".to_string() } else { format!("it ends on {}", long_date(end)) };
            reasons.push(format!(
                "Nothing the duty forbids ({forbidden}) is recorded from {} to {}: it has been kept for {}, and {ends}. So the duty is pending: in force and kept so far.",
                long_date(arose),
                long_date(cx.state.at),
                days((cx.state.at.0.saturating_sub(arose.0)).max(0) / 86_400)
            ));
        }
    }
}

/// One line on an `only` condition: what it asks, what the record shows,
/// and what follows (met, not met, or depends on what the record does not
/// give).
fn condition_reason(cx: &Ctx, condition: &Condition, outcome: &crate::ConditionOutcome, b: &Bindings) -> String {
    let names = |list: &[Sym]| list.iter().map(|&s| cx.who(s)).collect::<Vec<_>>();
    let act = || outcome.act.map(|i| cx.act_line(i)).unwrap_or_default();
    // A short reference to the act whose place was read: it is cited below.
    let placed = || {
        outcome
            .act
            .map(|i| format!("the record places act {} ({}) in", act_id(cx.acts, cx.symbols, i), long_date(cx.acts[i as usize].time)))
            .unwrap_or_default()
    };
    let on = long_date(cx.state.at);
    match (condition, outcome.holds) {
        (Condition::In(region), holds) => {
            let area = cx.treaty.region_name(*region, cx.symbols);
            let place = outcome.found.first().map(|&p| cx.treaty.region_name(p, cx.symbols)).unwrap_or_default();
            match holds {
                Known::Yes => format!("The duty holds only for an act in {area}: {} {place}, which lies in it.", placed()),
                Known::No => format!("The duty holds only for an act in {area}: {} {place}, which lies outside it. So the duty is not triggered.", placed()),
                Known::Unknown => format!(
                    "The duty holds only for an act in {area}, and the record does not say where this one took place. So whether the duty arose depends on where: it did if the act took place in {area}, not otherwise. The verdict is undetermined."
                ),
            }
        }
        (Condition::Is(term, list), holds) => {
            let wanted = or_list(&names(list));
            let role = match term {
                Term::Var(v) => format!("the {}", cx.n(*v).replace('_', " ")),
                _ => cx.term(*term, b),
            };
            let who = outcome.found.first().map(|&s| cx.who(s)).unwrap_or_else(|| "not named".to_string());
            match holds {
                Known::Yes => format!("The duty holds only if {role} is {wanted}: it is {who}."),
                _ => format!("The duty holds only if {role} is {wanted}: it is {who}. So the duty is not triggered."),
            }
        }
        (Condition::Reading(q, opt), holds) => {
            let question = cx.treaty.question(*q).map(|qq| qq.text.clone()).unwrap_or_default();
            match holds {
                Known::Yes => {
                    format!("The duty arises only under the reading \"{}\" (on the question \"{question}\"), the reading chosen.", cx.option_text(*q, *opt))
                }
                _ => format!(
                    "The duty arises only under the reading \"{}\" (on the question \"{question}\"); under the reading chosen it does not arise, so it is not triggered.",
                    cx.option_text(*q, *opt)
                ),
            }
        }
        (Condition::Attackers { at_least, victim }, holds) => {
            let victim = cx.term(*victim, b);
            let found = names(&outcome.found);
            let counted = if found.is_empty() { "none".to_string() } else { format!("{} ({})", found.len(), and_list(&found)) };
            match holds {
                Known::Yes if outcome.act.is_some() => {
                    format!(
                        "The duty holds only if {victim} is attacked by {at_least} or more states: by {on} the record shows {counted}, the number reached by {}.",
                        act()
                    )
                }
                Known::Yes => format!("The duty holds only if {victim} is attacked by {at_least} or more states: {counted} were already at war with it."),
                _ => format!(
                    "The duty holds only if {victim} is attacked by {at_least} or more states: by {on} the record shows {counted}. So the duty is not triggered."
                ),
            }
        }
        (Condition::AtWar(term, list), holds) => {
            let who = cx.term(*term, b);
            let enemies = or_list(&names(list));
            match holds {
                Known::Yes => format!("The duty holds only while {who} is at war with {enemies}: {}, and that war had not ended.", act()),
                Known::Unknown => format!(
                    "The duty holds only while {who} is at war with {enemies}: {}. Whether that war had begun, or ended, when the duty was engaged depends on a time the record does not give, so the verdict is undetermined.",
                    act()
                ),
                Known::No if outcome.act.is_some() => {
                    format!(
                        "The duty holds only while {who} is at war with {enemies}: {}, but that war did not hold when the duty was engaged. So the duty is not triggered.",
                        act()
                    )
                }
                Known::No => format!("The duty holds only while {who} is at war with {enemies}, and no such war is recorded. So the duty is not triggered."),
            }
        }
        (Condition::Unless { compliance, within }, holds) => {
            let wanted = cx.pattern(compliance, b);
            let Some((demand, due)) = outcome.demand else { return String::new() };
            let demand = cx.act_line(demand);
            let due = long_date(due);
            let head =
                format!("The duty holds only if a demand is not complied with within {within}. The demand: {demand}. Compliance, {wanted}, was due by {due}");
            match (holds, outcome.act) {
                (Known::No, _) => format!("{head}, and it came in time: {}. So the duty is not triggered.", act()),
                (Known::Yes, Some(_)) => format!("{head}, and it came only after that: {}. So the duty arose when the time for compliance ended.", act()),
                (Known::Yes, None) => format!("{head}, and none was recorded by then. So the duty arose when the time for compliance ended."),
                (Known::Unknown, Some(_)) => format!(
                    "{head}, and the record dates the compliance only to a day that contains that time: {}. So whether it came in time is unknown, and the verdict is undetermined.",
                    act()
                ),
                (Known::Unknown, None) => {
                    format!("{head}; none is recorded by {on}, and the time for it had not yet run out. So the verdict is undetermined until then.")
                }
            }
        }
    }
}

/// "support expressed by 27 of 27, opposition by none": the case's
/// statements of support and opposition, out of the parties that owe a duty
/// in it (or, if none does, the members on the query date other than the
/// party that opened it). `None` when no position was recorded.
fn positions_line(cx: &Ctx, c: &crate::CaseState) -> Option<String> {
    if c.support.is_empty() && c.opposition.is_empty() {
        return None;
    }
    let mut owing: Vec<Sym> = c.obligations.iter().map(|o| o.debtor).collect();
    owing.sort();
    owing.dedup();
    let base: Vec<Sym> = if owing.is_empty() {
        cx.state.parties.iter().filter(|p| p.code != c.requester && p.status == Some(MemberStatus::Member)).map(|p| p.code).collect()
    } else {
        owing
    };
    let of = base.len();
    // Each author once, of those counted: the actor (unless an organ; a
    // forum's participants for a forum) and those in `from`.
    // Authors outside those (a third state, the party that opened the case)
    // are named after the count rather than counted in it.
    let count = |list: &[u32]| {
        let mut authors: Vec<Sym> = list.iter().flat_map(|&i| cx.treaty.authors_of(&cx.acts[i as usize])).collect();
        authors.sort();
        authors.dedup();
        let (counted, outside): (Vec<Sym>, Vec<Sym>) = authors.into_iter().partition(|p| base.contains(p));
        let n = if counted.is_empty() { "none".to_string() } else { format!("{} of {of}", counted.len()) };
        if outside.is_empty() { n } else { format!("{n} (and by {}, outside that count)", and_list(&outside.iter().map(|&p| cx.who(p)).collect::<Vec<_>>())) }
    };
    Some(format!("support expressed by {}, opposition by {}", count(&c.support), count(&c.opposition)))
}

/// What the treaty's provisions on its own life (`term`, `renews`,
/// `withdrawal`) made of a party's membership acts and of the treaty's term,
/// in words: the dates they compute are never in the record.
fn provision_reasons(cx: &Ctx, party: &str, membership_acts: &[u32]) -> Vec<String> {
    let (treaty, at) = (cx.treaty, cx.state.at);
    let tense = |t: Time| if t <= at { "took effect" } else { "takes effect" };
    let mut out = Vec::new();
    for &i in membership_acts {
        let notice = &cx.acts[i as usize];
        match treaty.withdrawal_ending(notice, i) {
            Some(Ending::Withdrawal { at: when, by_renewal: false, .. }) => {
                let after = treaty.provisions.withdrawal_notice.unwrap_or_default();
                match (treaty.withdrawal_earliest(), treaty.provisions.withdrawal_not_before) {
                    (Some(earliest), Some(years)) if when == earliest && notice.time.add(after) < earliest => out.push(format!(
                        "Under the treaty's `withdrawal` clause a withdrawal takes effect {after} after its notice, but not before the treaty has been in force for {years}, on {}; so {party}'s notice of {} {} then.",
                        long_date(earliest),
                        long_date(notice.time),
                        tense(when),
                    )),
                    _ => out.push(format!(
                        "Under the treaty's `withdrawal` clause a withdrawal takes effect {after} after its notice, so {party}'s notice of {} {} on {}.",
                        long_date(notice.time),
                        tense(when),
                        long_date(when)
                    )),
                }
            }
            Some(Ending::Withdrawal { at: when, .. }) => out.push(format!(
                "Under the treaty's `renews` clause notice is due {} before a term ends, so {party}'s notice of {} {} at the end of the term it came in time for, on {}.",
                treaty.provisions.renewal.map(|r| r.notice).unwrap_or_default(),
                long_date(notice.time),
                tense(when),
                long_date(when)
            )),
            _ => {}
        }
    }
    let known: Vec<Act> = cx.acts.iter().filter(|a| a.time <= at).cloned().collect();
    match treaty.ending(&known) {
        Some(Ending::TermExpired { at: end }) if end <= at => out.push(format!(
            "The treaty's term of {} ended on {} and the treaty provides no renewal, so it ended then for every party.",
            treaty.provisions.term.unwrap_or_default(),
            long_date(end)
        )),
        Some(Ending::NotRenewed { notice, at: end }) => {
            let n = &known[notice as usize];
            out.push(format!(
                "{}'s notice against renewal of {} came in time for the term ending {}, so the treaty {} renewed and {} then for every party.",
                cx.who(n.actor),
                long_date(n.time),
                long_date(end),
                if end <= at { "was not" } else { "is not" },
                if end <= at { "ended" } else { "ends" }
            ));
        }
        _ => {}
    }
    if let (Some(start), None) = (treaty.start(), treaty.ending(&known))
        && let Some(end) = treaty.provisions.term_end_at(start, at)
        && let Some(due) = treaty.provisions.notice_due(end)
    {
        out.push(format!("The treaty's current term ends on {}; it is renewed then unless a party gives notice by {}.", long_date(end), long_date(due)));
    }
    out
}
