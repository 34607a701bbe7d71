//! A treaty's coding in the variables of the Alliance Treaty Obligations and
//! Provisions project (ATOP; Leeds, Ritter, Mitchell and Long 2002, data
//! v5.1), derived from the treaty model's constructs, never typed per treaty.
//!
//! Alliance researchers read treaties through ATOP's typology: which
//! obligations a member takes on (DEFENSE, OFFENSE, NEUTRAL, NONAGG,
//! CONSUL), under which conditions (specific adversary, location, …), and
//! which provisions the text has. casus states the same things as rules it
//! can replay; this module reads those rules back into ATOP's variables, so
//! that a coding can be checked against the record and compared with ATOP's.
//!
//! Each variable is one row of a table with the one function that codes it
//! (a new construct of the language is one new row or one new arm). A value
//! carries its evidence: the rule's clause, its article and the quoted text
//! the rule states. A variable the language cannot yet express is coded as
//! unknown (`None`), with why, never as 0. The variable names and their
//! meanings, and where each was checked, are in `docs/ATOP.md`.

use casus_model::*;
// The model's `only` condition, beside this file's ATOP `Condition` rows.
use casus_model::Condition as Cond;
use serde::Serialize;

/// The codebook whose variable names this module uses.
pub const CODEBOOK: &str = "ATOP (Alliance Treaty Obligations and Provisions), Leeds et al., data and codebook v5.1, atopdata.org";

/// ATOP's five obligation types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Obligation {
    Defense,
    Offense,
    Neutral,
    Nonagg,
    Consul,
}

impl Obligation {
    pub const ALL: [Obligation; 5] = [Obligation::Defense, Obligation::Offense, Obligation::Neutral, Obligation::Nonagg, Obligation::Consul];

    /// The ATOP variable (upper case, as the codebook writes it).
    pub fn variable(self) -> &'static str {
        match self {
            Obligation::Defense => "DEFENSE",
            Obligation::Offense => "OFFENSE",
            Obligation::Neutral => "NEUTRAL",
            Obligation::Nonagg => "NONAGG",
            Obligation::Consul => "CONSUL",
        }
    }

    /// The prefix of the obligation's condition variables (`DEFCOADV`).
    pub fn prefix(self) -> &'static str {
        match self {
            Obligation::Defense => "DEF",
            Obligation::Offense => "OFF",
            Obligation::Neutral => "NEU",
            Obligation::Nonagg => "NON",
            Obligation::Consul => "CON",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Obligation::Defense => "active military support if a partner is attacked",
            Obligation::Offense => "active military support of a partner's military action",
            Obligation::Neutral => "abstain from aiding a partner's attacker (neutrality)",
            Obligation::Nonagg => "refrain from attacking the partners (non-aggression)",
            Obligation::Consul => "consult in a crisis with the potential to become a militarized conflict",
        }
    }

    /// The language construct that states it.
    pub fn construct(self) -> &'static str {
        match self {
            Obligation::Defense => "`duty` with `does assistance to $victim` (or `deployment`), engaged by an attack on or a request of the party owed",
            Obligation::Offense => "`duty` with `does assistance to $party`, engaged by `attack by $party` (the party owed acts itself)",
            Obligation::Neutral => "`duty` with `refrains from assistance to $attacker` (or `deployment`)",
            Obligation::Nonagg => "standing `duty` (no `on`) with `refrains from attack against $victim`",
            Obligation::Consul => "`duty` with `does session about $party`",
        }
    }
}

/// The obligation type of a duty, from the acts it asks for or forbids; a
/// duty of no ATOP type (a report to an organ, say) has none.
pub fn obligation_of(duty: &Duty) -> Option<Obligation> {
    let kinds = |ps: &[Pattern], k: &[ActKind]| ps.iter().any(|p| k.contains(&p.kind));
    if duty.is_refrain() {
        if kinds(&duty.refrains, &[ActKind::Attack]) {
            return Some(Obligation::Nonagg);
        }
        if kinds(&duty.refrains, &[ActKind::Assistance, ActKind::Deployment]) {
            return Some(Obligation::Neutral);
        }
        return None;
    }
    // Active military support: assistance, a deployment, entering the war
    // or joining an attack.
    if kinds(&duty.does, &[ActKind::Assistance, ActKind::Deployment, ActKind::War, ActKind::Attack]) {
        // Offence: the duty follows the party owed into an action it takes
        // itself (an attack whose author is the one the duty is owed to).
        let creditor = match duty.owed_to {
            Term::Var(v) => Some(v),
            _ => None,
        };
        let own_attack = duty.triggers().any(|t| t.kind == ActKind::Attack && creditor.is_some_and(|v| t.constraints.contains(&(Field::By, Term::Var(v)))));
        return Some(if own_attack { Obligation::Offense } else { Obligation::Defense });
    }
    if kinds(&duty.does, &[ActKind::Session]) {
        return Some(Obligation::Consul);
    }
    None
}

/// Where a value comes from: the rule, its clause, and the treaty text the
/// rule states.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub duty: String,
    /// The clause of the rule that carries the value, in the language.
    pub clause: String,
    pub article: String,
    /// The quoted treaty text the rule states (empty if the file quotes none).
    pub quote: String,
    /// 1-based line of the quote in the treaty file (0 if none).
    pub line: u32,
    /// `question=option`: the value holds only under these readings; empty
    /// when it holds under every reading.
    pub readings: Vec<String>,
    /// What the treaty file says is open about the duty (its `note` lines):
    /// where the clause is the file's reading of the sources, not the
    /// quoted text's words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_points: Vec<String>,
}

/// One variable's value in one phase of the treaty.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Value {
    pub variable: String,
    pub meaning: String,
    /// 1 or 0; `None` when the language cannot yet express what the
    /// variable codes, so the value is unknown (see `note`).
    pub value: Option<u8>,
    pub evidence: Vec<Evidence>,
    pub note: Option<String>,
}

/// The coding of the treaty in one version of its text (ATOP codes an
/// alliance in phases, a new phase where an amendment changes a coding).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    pub version: String,
    pub in_force: String,
    pub values: Vec<Value>,
    /// Conditions the rules state that no ATOP variable codes (a
    /// determination by an organ, the victim's request), with their evidence.
    pub other_conditions: Vec<Value>,
    /// Duties of no ATOP obligation type.
    pub uncoded_duties: Vec<String>,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct AtopCoding {
    pub treaty: String,
    pub title: String,
    pub codebook: &'static str,
    pub phases: Vec<Phase>,
}

/// What a condition function finds in one duty.
pub enum Found {
    /// The condition is stated, by these clauses (empty: it is not).
    Clauses(Vec<(String, Vec<String>)>),
    /// The language has no construct for it yet.
    NotExpressible(&'static str),
    /// The language could state it and this treaty file does not, yet the
    /// file's absence does not show the text's (why, in words): unknown, not 0.
    Unknown(&'static str),
}

/// One condition of ATOP's, with the obligations it is coded for and the
/// function that finds it in a duty.
pub struct Condition {
    /// The variable's suffix: `COADV` in `DEFCOADV`.
    pub suffix: &'static str,
    pub obligations: &'static [Obligation],
    pub meaning: &'static str,
    pub construct: &'static str,
    pub find: fn(&Duty, &Symbols) -> Found,
}

use Obligation::{Consul, Defense, Neutral, Offense};

/// ATOP's conditions, with the obligation prefixes the codebook uses for
/// each. One row per condition; a construct added to the language changes
/// only its row's function.
pub const CONDITIONS: &[Condition] = &[
    Condition {
        suffix: "COADV",
        obligations: &[Defense, Offense, Neutral, Consul],
        meaning: "only against a specific adversary",
        construct: "an `attack` pattern naming its author (`on attack against $victim by CODE`, or in `needs`), or `only $attacker is CODE…`",
        find: specific_adversary,
    },
    Condition {
        suffix: "COLOC",
        obligations: &[Defense, Offense, Neutral, Consul],
        meaning: "only for a conflict in a specific location",
        construct: "`only in REGION`, with the treaty's `region`s and the place an act records (`in`)",
        find: |d, s| only_conditions(d, s, |c| matches!(c, Cond::In(_))),
    },
    Condition {
        suffix: "COCON",
        obligations: &[Defense, Offense, Neutral, Consul],
        meaning: "only in a conflict involving a specific state (such as a partner at war with a named state)",
        construct: "`only TERM at war with CODE…`, with `war` acts in the record",
        find: |d, s| only_conditions(d, s, |c| matches!(c, Cond::AtWar(..))),
    },
    Condition {
        suffix: "CONUM",
        obligations: &[Defense, Offense, Neutral],
        meaning: "only if the number of attackers meets a stated count",
        construct: "`only N or more attackers against TERM`",
        find: |d, s| only_conditions(d, s, |c| matches!(c, Cond::Attackers { .. })),
    },
    Condition {
        suffix: "CODEM",
        obligations: &[Defense, Offense, Neutral],
        meaning: "only if a stated demand is not complied with",
        construct: "`only unless PATTERN within DURATION`: no act of compliance (such as `statement compliance by $attacker`) within the time after the demand the duty waits for (`needs statement demand …`)",
        find: |d, s| only_conditions(d, s, |c| matches!(c, Cond::Unless { .. })),
    },
    Condition {
        suffix: "CONPR",
        obligations: &[Defense, Neutral],
        meaning: "only if the partner did not provoke the attack",
        construct: "`only when QUESTION = OPTION`: who provoked is disputed, so it is a reading (the evidence names the question, to check it is about provocation)",
        find: |d, s| only_conditions(d, s, |c| matches!(c, Cond::Reading(..))),
    },
    Condition {
        suffix: "COREQ",
        obligations: &[Consul],
        meaning: "only if a partner requests it",
        construct: "`on request consultation … by $party`: every trigger is the request of the party owed",
        find: only_on_request,
    },
];

/// A specific adversary: an attack pattern (trigger, condition or, for a
/// duty to refrain, the act it forbids) that names its author.
fn specific_adversary(duty: &Duty, symbols: &Symbols) -> Found {
    let mut out = Vec::new();
    let named = |p: &Pattern| p.kind == ActKind::Attack && p.constraints.iter().any(|&(f, t)| f == Field::By && matches!(t, Term::Name(_)));
    for p in duty.triggers().filter(|p| named(p)) {
        out.push((format!("on {}", pattern_source(p, symbols)), Vec::new()));
    }
    for need in &duty.needs {
        for p in need.any_of.iter().filter(|p| named(p)) {
            out.push((format!("needs {}", pattern_source(p, symbols)), when(need, symbols)));
        }
    }
    if let Found::Clauses(more) = only_conditions(duty, symbols, |c| matches!(c, Cond::Is(..))) {
        out.extend(more);
    }
    Found::Clauses(out)
}

/// The duty's `only` conditions of one kind, as written.
fn only_conditions(duty: &Duty, symbols: &Symbols, kind: fn(&Cond) -> bool) -> Found {
    Found::Clauses(duty.only.iter().filter(|o| kind(&o.condition)).map(|o| (format!("only {}", only_source(&o.condition, symbols)), Vec::new())).collect())
}

/// An `only` condition as the treaty language writes it.
fn only_source(c: &Cond, symbols: &Symbols) -> String {
    let codes = |list: &[casus_model::Sym]| list.iter().map(|&s| symbols.name(s)).collect::<Vec<_>>().join(" ");
    match c {
        Cond::In(region) => format!("in {}", symbols.name(*region)),
        Cond::Is(t, list) => format!("{} is {}", term_source(*t, symbols), codes(list)),
        Cond::Reading(q, o) => format!("when {} = {}", symbols.name(*q), symbols.name(*o)),
        Cond::Attackers { at_least, victim } => format!("{at_least} or more attackers against {}", term_source(*victim, symbols)),
        Cond::AtWar(t, list) => format!("{} at war with {}", term_source(*t, symbols), codes(list)),
        Cond::Unless { compliance, within } => format!("unless {} within {within}", pattern_source(compliance, symbols)),
    }
}

/// Consultation only on request: every trigger is a request by the party
/// the duty is owed to.
fn only_on_request(duty: &Duty, symbols: &Symbols) -> Found {
    let Term::Var(creditor) = duty.owed_to else { return Found::Clauses(Vec::new()) };
    let by_creditor = |p: &Pattern| p.kind == ActKind::Request && p.constraints.contains(&(Field::By, Term::Var(creditor)));
    if !duty.standing && duty.triggers().all(by_creditor) {
        Found::Clauses(duty.triggers().map(|p| (format!("on {}", pattern_source(p, symbols)), Vec::new())).collect())
    } else {
        Found::Clauses(Vec::new())
    }
}

/// Conditions the rules state that ATOP codes with no variable of its own.
pub struct OtherCondition {
    pub name: &'static str,
    pub meaning: &'static str,
    pub construct: &'static str,
    pub find: fn(&Duty, &Symbols) -> Found,
}

pub const OTHER_CONDITIONS: &[OtherCondition] = &[
    OtherCondition {
        name: "organ_determination",
        meaning: "only on a determination or decision of an organ",
        construct: "`needs determination … by ORGAN` (a condition), or `on decision … by ORGAN` (the trigger)",
        find: organ_determination,
    },
    OtherCondition {
        name: "victim_request",
        meaning: "only on the request of the party owed",
        construct: "`on request assistance … by $victim`",
        find: victim_request,
    },
];

/// A determination or decision by an organ, as trigger or condition.
fn organ_determination(duty: &Duty, symbols: &Symbols) -> Found {
    let organ = |p: &Pattern| matches!(p.kind, ActKind::Determination | ActKind::Decision);
    let mut out: Vec<(String, Vec<String>)> =
        duty.triggers().filter(|p| organ(p)).map(|p| (format!("on {}", pattern_source(p, symbols)), Vec::new())).collect();
    for need in &duty.needs {
        for p in need.any_of.iter().filter(|p| organ(p)) {
            out.push((format!("needs {}", pattern_source(p, symbols)), when(need, symbols)));
        }
    }
    Found::Clauses(out)
}

/// A duty to act engaged by the request of the one it is owed to, when
/// that request is not a consultation (which `COREQ` codes).
fn victim_request(duty: &Duty, symbols: &Symbols) -> Found {
    let Term::Var(creditor) = duty.owed_to else { return Found::Clauses(Vec::new()) };
    if matches!(obligation_of(duty), Some(Obligation::Consul) | None) {
        return Found::Clauses(Vec::new());
    }
    Found::Clauses(
        duty.triggers()
            .filter(|p| p.kind == ActKind::Request && p.constraints.contains(&(Field::By, Term::Var(creditor))))
            .map(|p| (format!("on {}", pattern_source(p, symbols)), Vec::new()))
            .collect(),
    )
}

/// ATOP provisions: what the language can state of them, and how it is found.
pub struct Provision {
    pub variable: &'static str,
    pub meaning: &'static str,
    pub construct: &'static str,
    pub find: fn(&Treaty, &Symbols) -> Found,
}

pub const PROVISIONS: &[Provision] = &[Provision {
    variable: "RENOUNCE",
    meaning: "whether and on what terms a member may renounce (denounce) the alliance",
    construct: "`withdrawal DURATION after notice` (a withdrawal takes effect that long after its notice), or `renews … unless notice DURATION before end`",
    find: renounce,
}];

/// Denunciation with notice: the treaty's `withdrawal` clause, or the
/// notice its `renews` clause asks against renewal.
fn renounce(treaty: &Treaty, _: &Symbols) -> Found {
    let p = &treaty.provisions;
    let mut out = Vec::new();
    if let Some(n) = p.withdrawal_notice {
        let bound = p.withdrawal_not_before.map(|d| format!(" not before {d} in force")).unwrap_or_default();
        out.push((format!("withdrawal {n} after notice{bound}"), Vec::new()));
    }
    if let Some(r) = p.renewal {
        out.push((format!("renews {} unless notice {} before end", r.period, r.notice), Vec::new()));
    }
    if out.is_empty() {
        // A treaty file without these clauses does not show that the text
        // has none: its notes often say a denunciation article was not
        // encoded. So absent is unknown, never 0.
        return Found::Unknown(
            "the treaty file encodes no `withdrawal` or `renews` clause; the text may have a denunciation article the file does not encode (see its notes)",
        );
    }
    Found::Clauses(out)
}

/// `when QUESTION = OPTION` of a condition, as `question=option`.
fn when(need: &Need, symbols: &Symbols) -> Vec<String> {
    need.when.iter().map(|(q, o)| format!("{}={}", symbols.name(*q), symbols.name(*o))).collect()
}

fn term_source(t: Term, symbols: &Symbols) -> String {
    match t {
        Term::Any => "any".to_string(),
        Term::Name(s) => symbols.name(s).to_string(),
        Term::Var(v) => format!("${}", symbols.name(v)),
    }
}

/// A pattern as the language writes it: `request assistance under art4 by $victim`.
pub fn pattern_source(p: &Pattern, symbols: &Symbols) -> String {
    let mut s = p.kind.keyword().to_string();
    for &(_, t) in p.constraints.iter().filter(|(f, _)| *f == Field::Subject) {
        s.push(' ');
        s.push_str(&term_source(t, symbols));
    }
    for &(f, t) in p.constraints.iter().filter(|(f, _)| *f != Field::Subject) {
        s.push_str(&format!(" {} {}", f.keyword(), term_source(t, symbols)));
    }
    s
}

fn evidence(treaty: &Treaty, duty: &Duty, symbols: &Symbols, clause: String, readings: Vec<String>) -> Evidence {
    let article = if duty.quote.article.is_some() { duty.quote.article } else { duty.article };
    Evidence {
        duty: symbols.name(duty.id).to_string(),
        clause,
        article: if article.is_some() { casus_query::report::article_name(treaty, symbols, article) } else { String::new() },
        quote: duty.quote.text.clone(),
        line: duty.quote.line,
        readings,
        open_points: duty.notes.clone(),
    }
}

/// The clause that makes a duty one of its type: its first `does` or
/// `refrains from` pattern.
fn type_clause(duty: &Duty, symbols: &Symbols) -> String {
    match (duty.does.first(), duty.refrains.first()) {
        (Some(p), _) => format!("does {}", pattern_source(p, symbols)),
        (None, Some(p)) => format!("refrains from {}", pattern_source(p, symbols)),
        (None, None) => String::new(),
    }
}

/// Merges what the duties found into one value: 1 with evidence when some
/// duty states it, 0 when the language could say it and no duty does,
/// unknown (`unknown`: why, in words) when the language cannot say it or
/// the file's silence shows nothing.
fn value(variable: String, meaning: &str, found: Vec<(Evidence, bool)>, unknown: Option<&str>) -> Value {
    let evidence: Vec<Evidence> = found.into_iter().map(|(e, _)| e).collect();
    let (value, note) = match (evidence.is_empty(), unknown) {
        (false, _) => (Some(1), None),
        (true, Some(why)) => (None, Some(format!("not coded: {why}"))),
        (true, None) => (Some(0), None),
    };
    Value { variable, meaning: meaning.to_string(), value, evidence, note }
}

/// The duties of the text in force from `version`.
fn duties_in<'a>(treaty: &'a Treaty, version: &Version) -> impl Iterator<Item = &'a Duty> {
    let id = version.id;
    treaty.duties.iter().filter(move |d| d.versions.is_empty() || d.versions.contains(&id))
}

/// Codes one version of the treaty.
fn phase(treaty: &Treaty, version: &Version, symbols: &Symbols) -> Phase {
    let duties: Vec<&Duty> = duties_in(treaty, version).collect();
    let mut values = Vec::new();
    for ob in Obligation::ALL {
        let typed: Vec<&&Duty> = duties.iter().filter(|d| obligation_of(d) == Some(ob)).collect();
        let found = typed.iter().map(|d| (evidence(treaty, d, symbols, type_clause(d, symbols), Vec::new()), true)).collect();
        values.push(value(ob.variable().to_string(), ob.meaning(), found, None));
        // The obligation's conditions, then whether it is conditional at all.
        let mut any_condition: Vec<Evidence> = Vec::new();
        for c in CONDITIONS.iter().filter(|c| c.obligations.contains(&ob)) {
            let mut found = Vec::new();
            let mut unknown = None;
            for d in &typed {
                match (c.find)(d, symbols) {
                    Found::Clauses(cs) => found.extend(cs.into_iter().map(|(clause, r)| (evidence(treaty, d, symbols, clause, r), true))),
                    Found::NotExpressible(why) | Found::Unknown(why) => unknown = Some(why),
                }
            }
            if typed.is_empty() {
                unknown = None;
            }
            let v = value(format!("{}{}", ob.prefix(), c.suffix), c.meaning, found, unknown);
            any_condition.extend(v.evidence.iter().cloned());
            values.push(v);
        }
        if matches!(ob, Defense | Offense) {
            for o in OTHER_CONDITIONS {
                for d in &typed {
                    if let Found::Clauses(cs) = (o.find)(d, symbols) {
                        // A request is what engages such a duty at all; a
                        // determination is a condition on it.
                        if o.name == "organ_determination" {
                            any_condition.extend(cs.into_iter().map(|(clause, r)| evidence(treaty, d, symbols, clause, r)));
                        }
                    }
                }
            }
            let name = if ob == Defense { "DEFCON" } else { "OFFCON" };
            let meaning = "the obligation is conditional (any condition stated beyond the attack itself)";
            values.push(value(name.to_string(), meaning, any_condition.into_iter().map(|e| (e, true)).collect(), None));
        }
    }
    let mut other_conditions = Vec::new();
    for o in OTHER_CONDITIONS {
        let mut found = Vec::new();
        for d in &duties {
            if let Found::Clauses(cs) = (o.find)(d, symbols) {
                found.extend(cs.into_iter().map(|(clause, r)| (evidence(treaty, d, symbols, clause, r), true)));
            }
        }
        other_conditions.push(value(format!("casus:{}", o.name), o.meaning, found, None));
    }
    for p in PROVISIONS {
        let v = match (p.find)(treaty, symbols) {
            Found::NotExpressible(why) | Found::Unknown(why) => value(p.variable.to_string(), p.meaning, Vec::new(), Some(why)),
            Found::Clauses(cs) => value(
                p.variable.to_string(),
                p.meaning,
                cs.into_iter()
                    .map(|(clause, r)| {
                        (
                            Evidence {
                                duty: String::new(),
                                clause,
                                article: String::new(),
                                quote: String::new(),
                                line: 0,
                                readings: r,
                                open_points: Vec::new(),
                            },
                            true,
                        )
                    })
                    .collect(),
                None,
            ),
        };
        values.push(v);
    }
    let mut uncoded_duties: Vec<String> = duties.iter().filter(|d| obligation_of(d).is_none()).map(|d| symbols.name(d.id).to_string()).collect();
    uncoded_duties.dedup();
    Phase { version: symbols.name(version.id).to_string(), in_force: version.in_force.format(Precision::Day), values, other_conditions, uncoded_duties }
}

/// The treaty's coding, one phase per version of its text.
pub fn atop_coding(treaty: &Treaty, symbols: &Symbols) -> AtopCoding {
    AtopCoding {
        treaty: symbols.name(treaty.id).to_string(),
        title: treaty.title.clone(),
        codebook: CODEBOOK,
        phases: treaty.versions.iter().map(|v| phase(treaty, v, symbols)).collect(),
    }
}

/// The header of [`csv`].
pub const CSV_HEADER: &str = "treaty,version,in_force,variable,value,meaning,duty,clause,article,quote,quote_line,readings,note";

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The coding as CSV: one line per value and piece of evidence (a value
/// with no evidence is one line with the evidence columns empty).
pub fn csv(coding: &AtopCoding) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for p in &coding.phases {
        for v in p.values.iter().chain(&p.other_conditions) {
            let value = v.value.map(|x| x.to_string()).unwrap_or_default();
            let note = v.note.clone().unwrap_or_default();
            let mut line = |e: Option<&Evidence>| {
                let cols = [
                    coding.treaty.clone(),
                    p.version.clone(),
                    p.in_force.clone(),
                    v.variable.clone(),
                    value.clone(),
                    v.meaning.clone(),
                    e.map(|e| e.duty.clone()).unwrap_or_default(),
                    e.map(|e| e.clause.clone()).unwrap_or_default(),
                    e.map(|e| e.article.clone()).unwrap_or_default(),
                    e.map(|e| e.quote.clone()).unwrap_or_default(),
                    e.map(|e| e.line.to_string()).unwrap_or_default(),
                    e.map(|e| e.readings.join(";")).unwrap_or_default(),
                    // The value's note, then the open points of its duty.
                    std::iter::once(note.clone())
                        .chain(e.into_iter().flat_map(|e| e.open_points.iter().map(|p| format!("open point in the treaty file: {p}"))))
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" | "),
                ];
                out.push_str(&cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
                out.push('\n');
            };
            if v.evidence.is_empty() {
                line(None);
            }
            for e in &v.evidence {
                line(Some(e));
            }
        }
    }
    out
}
