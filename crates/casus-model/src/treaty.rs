//! A treaty as data: identity, versions, parties, organs, the questions
//! its readings answer, duties and powers. Produced by `casus-lang` from a literate
//! treaty file; read by the engine.

use crate::{ActKind, Duration, Span, Sym, Time};

/// A public source: an address or a title (or both).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Citation {
    pub url: Sym,
    pub title: Sym,
}

#[derive(Clone, Debug, Default)]
pub struct Treaty {
    pub id: Sym,
    pub title: String,
    pub signed: Option<Time>,
    pub place: String,
    pub sources: Vec<Citation>,
    /// Sorted by `in_force`; the first is the original text.
    pub versions: Vec<Version>,
    pub articles: Vec<Article>,
    pub parties: Vec<Party>,
    pub organs: Vec<Organ>,
    /// Bodies that make statements but take no decisions (`forum`).
    pub forums: Vec<Forum>,
    pub questions: Vec<Question>,
    pub duties: Vec<Duty>,
    pub powers: Vec<Power>,
    /// Symbols of the words acts use with a fixed meaning (`vote yes`,
    /// `propose silence`), interned by whoever built the treaty so that the
    /// engine can compare them without a symbol table.
    pub words: Words,
    /// Open points the treaty file states in words (for example an unknown
    /// withdrawal notice period), shown by `casus check` as notes.
    pub notes: Vec<(Span, String)>,
    /// The treaty's term, renewal and withdrawal notice (`term`, `renews`,
    /// `withdrawal` on the `treaty` declaration).
    pub provisions: crate::Provisions,
    /// Named places and areas (`region ID "Name"`), for duties that hold
    /// only for an act in an area (`only in REGION`).
    pub regions: Vec<Region>,
}

/// A named place or area: the North Atlantic Treaty's Article 6 area, say,
/// made of the places it `includes` (each itself a region). A region that
/// includes nothing is a plain place.
#[derive(Clone, Debug)]
pub struct Region {
    pub id: Sym,
    pub name: String,
    pub includes: Vec<Sym>,
    pub sources: Vec<Citation>,
    pub span: Span,
}

/// How deep regions may nest inside one another; the lowering refuses a
/// deeper nesting (and a cycle), so containment always ends.
pub const REGION_DEPTH_MAX: usize = 32;

/// A condition on a duty that depends on facts of the case rather than on
/// one act (`only …`). Each holds, fails, or cannot be settled from the
/// record (the place of an attack that the record does not give).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `only in REGION`: the act that engaged the duty (or, if it gives no
    /// place, an act that met one of its `needs`) took place in the region.
    In(Sym),
    /// `only TERM is CODE…`: a variable of the trigger names one of these
    /// states (a specific adversary).
    Is(Term, Vec<Sym>),
    /// `only when QUESTION = OPTION`: the duty arises only under that
    /// reading (non-provocation, where who provoked is disputed).
    Reading(Sym, Sym),
    /// `only N or more attackers against TERM`: at least N distinct states
    /// attacked the party (the attackers of `attack` acts against it, with
    /// those who joined them in `from`), counted from the trigger on.
    Attackers { at_least: u32, victim: Term },
    /// `only TERM at war with CODE…`: a recorded state of war (a `war` act
    /// between them, until its `end`) holds when the duty is triggered.
    AtWar(Term, Vec<Sym>),
    /// `only unless PATTERN within DURATION`: the duty holds only if a
    /// stated demand is not complied with. The demand is the last act the
    /// duty waited for (the act that met its last-met `needs`, or the
    /// trigger if it has none); compliance is an act matching the pattern
    /// (with the trigger's bindings) known to be within the duration after
    /// the demand. The duty then arises when the time for compliance ends.
    Unless { compliance: Pattern, within: Duration },
}

/// A condition with where it is written.
#[derive(Clone, Debug)]
pub struct Only {
    pub condition: Condition,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Words {
    pub yes: Sym,
    pub no: Sym,
    pub abstain: Sym,
    pub silence: Sym,
    /// The variable `$debtor` of `does` patterns.
    pub debtor: Sym,
    /// `statement support` and `statement opposition` about a case: a
    /// position on it, counted apart from performance.
    pub support: Sym,
    pub opposition: Sym,
    /// The subject of a notice against renewal: `withdrawal termination`.
    pub termination: Sym,
}

impl Words {
    pub fn intern(symbols: &mut crate::Symbols) -> Words {
        Words {
            yes: symbols.intern("yes"),
            no: symbols.intern("no"),
            abstain: symbols.intern("abstain"),
            silence: symbols.intern("silence"),
            debtor: symbols.intern("debtor"),
            support: symbols.intern("support"),
            opposition: symbols.intern("opposition"),
            termination: symbols.intern(crate::provisions::TERMINATION),
        }
    }
}

/// One text of the treaty, in force from a date until the next version.
#[derive(Clone, Debug)]
pub struct Version {
    pub id: Sym,
    pub title: String,
    pub in_force: Time,
    pub sources: Vec<Citation>,
    pub span: Span,
}

/// An article of the literate file: its heading and the quoted text.
#[derive(Clone, Debug)]
pub struct Article {
    pub id: Sym,
    pub heading: String,
    pub span: Span,
}

/// A quotation of treaty text that a rule states formally.
#[derive(Clone, Debug, Default)]
pub struct Quote {
    pub article: Sym,
    pub text: String,
    /// 1-based line of the quote in the treaty file.
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MembershipChange {
    Join,
    Leave,
    Suspend,
    Return,
}

impl MembershipChange {
    pub fn keyword(self) -> &'static str {
        match self {
            MembershipChange::Join => "joins",
            MembershipChange::Leave => "leaves",
            MembershipChange::Suspend => "suspended",
            MembershipChange::Return => "returns",
        }
    }
}

/// How exactly the date of a membership event is known. Sources often give
/// less than a day: that a state was a party on some date, or had joined by
/// it, or left at some time after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Dating {
    /// On the date (`joins DATE`, `leaves DATE`…).
    #[default]
    On,
    /// A join on or before the date, when exactly not given (`joins by
    /// DATE`): a party from the date, not known to be one before it.
    By,
    /// A leave at some time after the date, when exactly not given
    /// (`leaves after DATE`): a party through that day, not known to be
    /// one after it.
    After,
    /// Only that the state was a party on the date (`member on DATE`):
    /// when it joined is not given. Read as a join on or before the date.
    MemberOn,
}

#[derive(Clone, Debug)]
pub struct MembershipEvent {
    pub time: Time,
    pub change: MembershipChange,
    /// How exactly `time` is known.
    pub dating: Dating,
    pub sources: Vec<Citation>,
    pub note: String,
    pub span: Span,
}

/// A state the treaty knows: a party at some time, or a third state that
/// acts in the record (an attacker, say). A third state has no events.
#[derive(Clone, Debug)]
pub struct Party {
    pub code: Sym,
    pub name: String,
    pub events: Vec<MembershipEvent>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seats {
    /// Every member of the treaty on the date.
    EveryParty,
    /// Named parties (still only while they are members).
    Parties(Vec<Sym>),
    /// An office or body that takes no collective decisions.
    Office,
    /// Every member of the treaty on the date except these (`seats every
    /// party except CODE…`).
    EveryPartyExcept(Vec<Sym>),
}

/// How an organ decides a document put to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionRule {
    /// Adopted once every seated member has signed; one refusal blocks.
    Unanimity,
    /// Like unanimity, but a member may opt out without blocking: the
    /// decision is then adopted "in a limited format" without it.
    ConsensusOptOut,
    /// The organ's decisions are known only from recorded decisions.
    Recorded,
    /// A vote: a share of the members or of those voting.
    Vote(VoteRule),
    /// The silence procedure: a text put under silence until an exact
    /// expiry is adopted then, unless a member objects or proposes an
    /// amendment before it.
    Silence,
}

/// Which count a vote's share is taken of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteBase {
    /// Every eligible member, whether it votes or not.
    Members,
    /// Those who vote (yes or no; abstentions too if they count as no).
    Voting,
}

/// A share: `num/den`, or a simple majority (more than half) when `simple`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub num: u32,
    pub den: u32,
    pub simple: bool,
}

impl Share {
    pub const MAJORITY: Share = Share { num: 1, den: 2, simple: true };

    /// The least whole count that meets the share of `base`.
    pub fn needed(self, base: u32) -> u32 {
        if self.simple { base / 2 + 1 } else { (base as u64 * self.num as u64).div_ceil(self.den.max(1) as u64) as u32 }
    }

    pub fn describe(self) -> String {
        if self.simple { "a majority".to_string() } else { format!("{}/{}", self.num, self.den) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quorum {
    /// A fixed number of members taking part.
    Count(u32),
    /// A share of the eligible members taking part.
    Share(Share),
    /// As many taking part as the votes needed to decide (the Rio Treaty).
    AsNeeded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteRule {
    pub share: Share,
    pub base: VoteBase,
    pub quorum: Option<Quorum>,
    /// Abstentions count as votes against (otherwise they are not counted,
    /// but count towards the quorum).
    pub abstentions_against: bool,
    /// The parties to the dispute (a proposal's `about` and `against`) do
    /// not vote and are not counted.
    pub exclude_disputants: bool,
}

/// What a vote needs, for `eligible` members of whom `yes`, `no` and
/// `abstain` voted: the count the share is taken of, the yes votes needed,
/// and the members who must take part (if there is a quorum). The one
/// place these numbers are computed, for the engine and for the checks of
/// recorded tallies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteThresholds {
    pub base: u32,
    pub needed: u32,
    pub quorum: Option<u32>,
}

impl VoteRule {
    pub fn thresholds(self, eligible: u32, yes: u32, no: u32, abstain: u32) -> VoteThresholds {
        let base = match self.base {
            VoteBase::Members => eligible,
            VoteBase::Voting => yes + no + if self.abstentions_against { abstain } else { 0 },
        };
        let needed = self.share.needed(base).max(1);
        let quorum = self.quorum.map(|q| match q {
            Quorum::Count(n) => n,
            Quorum::Share(s) => s.needed(eligible),
            Quorum::AsNeeded => self.share.needed(eligible),
        });
        VoteThresholds { base, needed, quorum }
    }
}

impl DecisionRule {
    pub fn describe(self) -> String {
        match self {
            DecisionRule::Unanimity => "unanimity by signature".to_string(),
            DecisionRule::ConsensusOptOut => "consensus; a member may opt out without blocking (limited format)".to_string(),
            DecisionRule::Recorded => "no decision rule encoded: its decisions as the record gives them".to_string(),
            DecisionRule::Silence => "the silence procedure: adopted at expiry unless a member breaks silence before it".to_string(),
            DecisionRule::Vote(v) => {
                let base = match v.base {
                    VoteBase::Members => "of the members",
                    VoteBase::Voting => "of those voting",
                };
                let mut s = format!("vote: {} {base}", v.share.describe());
                if let Some(q) = v.quorum {
                    s.push_str(&match q {
                        Quorum::Count(n) => format!("; quorum {n}"),
                        Quorum::Share(sh) => format!("; quorum {} of the members", sh.describe()),
                        Quorum::AsNeeded => "; quorum equal to the votes needed".to_string(),
                    });
                }
                s.push_str(if v.abstentions_against { "; abstentions count as no" } else { "; abstentions are not counted" });
                if v.exclude_disputants {
                    s.push_str("; parties to the dispute do not vote");
                }
                s
            }
        }
    }
}

/// Yearly rotation of the chair in a fixed order, from a date.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub from: Time,
    pub order: Vec<Sym>,
    pub sources: Vec<Citation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Organ {
    pub id: Sym,
    pub name: String,
    /// Who sits, from a date: the first entry applies from the beginning
    /// (`Time::MIN`), each later one from its date.
    pub seats: Vec<(Time, Seats)>,
    /// The rule for a proposal that names no kind, or a kind the organ has
    /// no rule for (`decides RULE` without `for`).
    pub decides: DecisionRule,
    /// The rules for kinds of proposal (`decides RULE for KIND`), in the
    /// order declared; read with [`Organ::rule_for`].
    pub kinds: Vec<KindRule>,
    /// Whether the organ has a rule without `for` (otherwise `decides` is
    /// the implicit "as recorded", and a proposal must name a kind).
    pub has_default: bool,
    pub rotation: Option<Rotation>,
    pub article: Sym,
    pub sources: Vec<Citation>,
    pub quote: Quote,
    pub span: Span,
    /// `until DATE`: the organ exists until this instant; from it, no one
    /// sits in it and it takes no act.
    pub until: Option<Time>,
    /// The open points the treaty file states right after the organ's
    /// declaration (`note` lines following it in its block): what the
    /// sources leave unsettled about its rules, shown with them.
    pub notes: Vec<String>,
}

/// An organ's rule for one kind of proposal: `decides 2/3 of voting for
/// substance`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindRule {
    pub kind: Sym,
    pub rule: DecisionRule,
    pub span: Span,
}

/// A body outside any organ, such as a summit or a contact group, whose
/// participants make statements together but take no decisions: an act by
/// it is a statement by each of its participants.
#[derive(Clone, Debug)]
pub struct Forum {
    pub id: Sym,
    pub name: String,
    /// Who takes part: parties, states or actors of the treaty, in the
    /// order declared.
    pub participants: Vec<Sym>,
    pub article: Sym,
    pub sources: Vec<Citation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct QuestionOption {
    pub id: Sym,
    pub text: String,
    /// For questions about a length of time, such as "immediately".
    pub duration: Option<Duration>,
    pub span: Span,
}

/// A point where the text can be read more than one way.
#[derive(Clone, Debug)]
pub struct Question {
    pub id: Sym,
    pub text: String,
    pub options: Vec<QuestionOption>,
    pub default: usize,
    pub article: Sym,
    pub span: Span,
}

impl Question {
    /// The option with this id.
    pub fn option(&self, id: Sym) -> Option<&QuestionOption> {
        self.options.iter().find(|o| o.id == id)
    }

    /// The option taken when a query names none.
    pub fn default_option(&self) -> Option<&QuestionOption> {
        self.options.get(self.default)
    }
}

/// A value in a pattern: a literal name, a variable, or anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    Any,
    Name(Sym),
    Var(Sym),
}

/// The fields a pattern can constrain, named as in the record format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    By,
    Subject,
    Under,
    To,
    Against,
    About,
    From,
    Document,
    Means,
    Case,
}

impl Field {
    pub const ALL: [Field; 10] =
        [Field::By, Field::Subject, Field::Under, Field::To, Field::Against, Field::About, Field::From, Field::Document, Field::Means, Field::Case];

    pub fn keyword(self) -> &'static str {
        match self {
            Field::By => "by",
            Field::Subject => "subject",
            Field::Under => "under",
            Field::To => "to",
            Field::Against => "against",
            Field::About => "about",
            Field::From => "from",
            Field::Document => "document",
            Field::Means => "means",
            Field::Case => "case",
        }
    }

    pub fn from_keyword(word: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.keyword() == word)
    }
}

/// A pattern over acts: `request assistance under art4 by $victim`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub kind: ActKind,
    pub constraints: Vec<(Field, Term)>,
    pub span: Span,
}

/// A condition on a duty, which applies only under a reading.
#[derive(Clone, Debug)]
pub struct Need {
    /// Satisfied by an act matching any one of these.
    pub any_of: Vec<Pattern>,
    /// `when QUESTION = OPTION`: the condition applies only under that reading.
    pub when: Option<(Sym, Sym)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Debtors {
    /// Every member on the date the duty arises, except these.
    EveryPartyExcept(Vec<Term>),
    /// These parties or variables.
    Listed(Vec<Term>),
}

#[derive(Clone, Debug)]
pub enum Within {
    Fixed(Duration),
    /// A question whose options carry durations (`immediately`).
    Question(Sym),
    /// `within none`: no time is fixed. A duty to act is then never
    /// breached by time alone (it stays open until performed); a duty to
    /// refrain lasts while the text is in force.
    None,
}

/// A duty: when an act matches `trigger` (or one of `also_on`) and every
/// applicable `needs` holds, each debtor owes the creditor an act matching
/// one of `does` within the deadline; or, for a duty to refrain
/// (`refrains` not empty, `does` empty), owes the absence of any act
/// matching one of `refrains` for as long as `within` says.
///
/// A standing duty (`standing`, written without `on`) is a duty to refrain
/// in force between the parties at all times while its text is: nothing
/// triggers it, so its `trigger` and `also_on` are its `refrains` patterns,
/// and the act that breaches it opens its case.
#[derive(Clone, Debug)]
pub struct Duty {
    pub id: Sym,
    /// What the duty is, in words (`duty assist_victim "Assistance to the
    /// victim of an aggression"`); empty if the file gives none.
    pub title: String,
    pub article: Sym,
    /// The versions whose text contains this duty; empty means all.
    pub versions: Vec<Sym>,
    pub trigger: Pattern,
    /// Further triggers (`or PATTERN` under `on`): any one of them engages
    /// the duty as `trigger` does; each binds the same variables.
    pub also_on: Vec<Pattern>,
    pub needs: Vec<Need>,
    pub owed_by: Debtors,
    pub owed_to: Term,
    pub does: Vec<Pattern>,
    /// The acts a duty not to act forbids (`refrains from PATTERN`), each
    /// by `$debtor`; empty for a duty to act.
    pub refrains: Vec<Pattern>,
    /// Written without `on`: a duty to refrain in force at all times.
    pub standing: bool,
    pub within: Within,
    pub quote: Quote,
    pub sources: Vec<Citation>,
    pub span: Span,
    /// Conditions on the facts of the case (`only …`), all of which must
    /// hold for the duty to arise.
    pub only: Vec<Only>,
    /// The open points the treaty file states right after the duty's
    /// declaration (as [`Organ::notes`]): where its encoding is a reading
    /// of the sources rather than their words.
    pub notes: Vec<String>,
}

/// A power: who may perform acts of a kind.
#[derive(Clone, Debug)]
pub struct Power {
    pub id: Sym,
    /// What the power is, in words; empty if the file gives none.
    pub title: String,
    pub article: Sym,
    pub versions: Vec<Sym>,
    pub holders: Debtors,
    pub act: Pattern,
    pub quote: Quote,
    pub sources: Vec<Citation>,
    pub span: Span,
}

impl Duty {
    /// Every pattern that engages the duty: `trigger`, then `also_on`.
    pub fn triggers(&self) -> impl Iterator<Item = &Pattern> {
        std::iter::once(&self.trigger).chain(self.also_on.iter())
    }

    /// Whether the duty is one not to act (`refrains from`).
    pub fn is_refrain(&self) -> bool {
        !self.refrains.is_empty()
    }
}

impl Organ {
    /// Who may sit in the organ at `t` under its seats rule, before
    /// membership is checked: the listed parties, every party of the treaty
    /// (less those excepted), or no one for an office or an organ past its
    /// `until`. The one place a seats rule is read, for the engine and for
    /// the checks of recorded tallies.
    pub fn seat_candidates(&self, parties: &[Party], t: Time) -> Vec<Sym> {
        if self.until.is_some_and(|u| t >= u) {
            return Vec::new();
        }
        match self.seats_at(t) {
            Seats::Parties(list) => list.clone(),
            Seats::Office => Vec::new(),
            Seats::EveryParty => parties.iter().map(|p| p.code).collect(),
            Seats::EveryPartyExcept(except) => parties.iter().map(|p| p.code).filter(|c| !except.contains(c)).collect(),
        }
    }

    /// Whether the organ still exists at `t` (no `until`, or before it).
    pub fn exists_at(&self, t: Time) -> bool {
        self.until.is_none_or(|u| t < u)
    }

    /// The rule that decides a proposal of `kind` (`Sym::NONE` when it
    /// names none), and the kind it is the organ's rule for (`Sym::NONE`
    /// for the default). The one place a proposal's rule is selected, for
    /// the engine and for the checks of recorded tallies.
    pub fn rule_for(&self, kind: Sym) -> (DecisionRule, Sym) {
        match self.kinds.iter().find(|k| kind.is_some() && k.kind == kind) {
            Some(k) => (k.rule, k.kind),
            None => (self.decides, Sym::NONE),
        }
    }

    /// Every rule of the organ in words: its rule without `for` (when it has
    /// one, or no other), then each kind's, as "unanimity by signature · for
    /// procedure: vote: a majority of the members; …".
    pub fn rules_described(&self, symbols: &crate::Symbols) -> String {
        let mut parts = Vec::with_capacity(1 + self.kinds.len());
        if self.has_default || self.kinds.is_empty() {
            parts.push(self.decides.describe());
        }
        parts.extend(self.kinds.iter().map(|k| format!("for {}: {}", symbols.name(k.kind).replace('_', " "), k.rule.describe())));
        parts.join(" · ")
    }

    /// The seats rule in force at `t`.
    pub fn seats_at(&self, t: Time) -> &Seats {
        self.seats.iter().rev().find(|(from, _)| *from <= t).or(self.seats.first()).map(|(_, s)| s).unwrap_or(&Seats::EveryParty)
    }
}

impl Treaty {
    /// The duty's title, or its id in words (`assist_victim` → "assist
    /// victim") when the file gives none.
    pub fn duty_title(&self, duty: &Duty, symbols: &crate::Symbols) -> String {
        if duty.title.is_empty() { symbols.name(duty.id).replace('_', " ") } else { duty.title.clone() }
    }

    /// The name of a party, state or organ; the code itself if unknown.
    pub fn name_of<'a>(&'a self, code: Sym, symbols: &'a crate::Symbols) -> &'a str {
        if let Some(p) = self.party(code) {
            return &p.name;
        }
        if let Some(o) = self.organ(code) {
            return &o.name;
        }
        if let Some(f) = self.forum(code) {
            return &f.name;
        }
        symbols.name(code)
    }

    pub fn party(&self, code: Sym) -> Option<&Party> {
        self.parties.iter().find(|p| p.code == code)
    }

    pub fn organ(&self, id: Sym) -> Option<&Organ> {
        self.organs.iter().find(|o| o.id == id)
    }

    pub fn forum(&self, id: Sym) -> Option<&Forum> {
        self.forums.iter().find(|f| f.id == id)
    }

    /// Who made a statement: a forum's participants and its co-signers
    /// (`from`), each once, for an act by a forum; otherwise the actor
    /// (unless an organ, whose statement is no party's) and those in
    /// `from`. The one place the authors of a joint act are counted.
    pub fn authors_of(&self, act: &crate::Act) -> Vec<Sym> {
        let mut out: Vec<Sym> = match self.forum(act.actor) {
            Some(f) => f.participants.clone(),
            None if self.organ(act.actor).is_some() => Vec::new(),
            None => vec![act.actor],
        };
        for &p in act.from.iter() {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    pub fn region(&self, id: Sym) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// Whether `place` is `area` or lies in it (through `includes`, at most
    /// [`REGION_DEPTH_MAX`] levels down).
    pub fn region_contains(&self, area: Sym, place: Sym) -> bool {
        fn walk(t: &Treaty, area: Sym, place: Sym, depth: usize) -> bool {
            area == place || (depth < REGION_DEPTH_MAX && t.region(area).is_some_and(|r| r.includes.iter().any(|&inner| walk(t, inner, place, depth + 1))))
        }
        walk(self, area, place, 0)
    }

    /// The name of a region; its id if unknown.
    pub fn region_name<'a>(&'a self, id: Sym, symbols: &'a crate::Symbols) -> &'a str {
        self.region(id).map(|r| r.name.as_str()).unwrap_or_else(|| symbols.name(id))
    }

    pub fn question(&self, id: Sym) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// A reading (a question and the option chosen) in the treaty's words:
    /// the option, whose `text` is what people read, and its question.
    /// The one lookup for reports, explanations, analyses and exercises.
    pub fn reading(&self, question: Sym, option: Sym) -> Option<(&Question, &QuestionOption)> {
        let q = self.question(question)?;
        Some((q, q.option(option)?))
    }

    pub fn article(&self, id: Sym) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// The version in force at `t`: the latest whose entry into force is not
    /// after `t`. `None` before the first.
    pub fn version_at(&self, t: Time) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.in_force <= t)
    }

    /// Whether a rule listing `versions` is part of the text in force at `t`.
    pub fn rule_in_force(&self, versions: &[Sym], t: Time) -> bool {
        match self.version_at(t) {
            None => false,
            Some(v) => versions.is_empty() || versions.contains(&v.id),
        }
    }
}
