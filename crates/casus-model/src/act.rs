//! Acts: what someone did at some time, with its sources.
//!
//! An act has a fixed set of optional fields rather than a map, so that a
//! million of them fit in memory at under 300 bytes each and the engine can
//! read a field without hashing. Absent names are `Sym::NONE`, absent times
//! `None`.

use crate::{Citation, Field, Precision, Span, Sym, Time};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActKind {
    Attack,
    Request,
    Session,
    Propose,
    Sign,
    Refuse,
    OptOut,
    Determination,
    Decision,
    Assistance,
    Deployment,
    Mission,
    Visit,
    #[default]
    Statement,
    Offer,
    Accession,
    Withdrawal,
    Suspension,
    Readmission,
    Handover,
    Vote,
    Objection,
    Amendment,
    Reservation,
    Transfer,
    War,
    /// Giving back territory to another state (`ARM return aghdam` with
    /// `to AZE`): the subject word names what is given back.
    Return,
}

impl ActKind {
    /// An act that takes a position on a document put to an organ (signs,
    /// refuses, opts out, votes, objects, amends, reserves) or moves it to
    /// another organ: it must name its document.
    pub fn takes_position_on_document(self) -> bool {
        matches!(
            self,
            ActKind::Sign
                | ActKind::Refuse
                | ActKind::OptOut
                | ActKind::Vote
                | ActKind::Objection
                | ActKind::Amendment
                | ActKind::Reservation
                | ActKind::Transfer
        )
    }

    /// An act about a document: its proposal, a recorded decision, or a
    /// position on it.
    pub fn concerns_document(self) -> bool {
        matches!(self, ActKind::Propose | ActKind::Decision) || self.takes_position_on_document()
    }

    pub const ALL: [ActKind; 27] = [
        ActKind::Attack,
        ActKind::Request,
        ActKind::Session,
        ActKind::Propose,
        ActKind::Sign,
        ActKind::Refuse,
        ActKind::OptOut,
        ActKind::Determination,
        ActKind::Decision,
        ActKind::Assistance,
        ActKind::Deployment,
        ActKind::Mission,
        ActKind::Visit,
        ActKind::Statement,
        ActKind::Offer,
        ActKind::Accession,
        ActKind::Withdrawal,
        ActKind::Suspension,
        ActKind::Readmission,
        ActKind::Handover,
        ActKind::Vote,
        ActKind::Objection,
        ActKind::Amendment,
        ActKind::Reservation,
        ActKind::Transfer,
        ActKind::War,
        ActKind::Return,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            ActKind::Attack => "attack",
            ActKind::Request => "request",
            ActKind::Session => "session",
            ActKind::Propose => "propose",
            ActKind::Sign => "sign",
            ActKind::Refuse => "refuse",
            ActKind::OptOut => "opt-out",
            ActKind::Determination => "determination",
            ActKind::Decision => "decision",
            ActKind::Assistance => "assistance",
            ActKind::Deployment => "deployment",
            ActKind::Mission => "mission",
            ActKind::Visit => "visit",
            ActKind::Statement => "statement",
            ActKind::Offer => "offer",
            ActKind::Accession => "accession",
            ActKind::Withdrawal => "withdrawal",
            ActKind::Suspension => "suspension",
            ActKind::Readmission => "readmission",
            ActKind::Handover => "handover",
            ActKind::Vote => "vote",
            ActKind::Objection => "objection",
            ActKind::Amendment => "amendment",
            ActKind::Reservation => "reservation",
            ActKind::Transfer => "transfer",
            ActKind::War => "war",
            ActKind::Return => "return",
        }
    }

    pub fn from_keyword(word: &str) -> Option<ActKind> {
        ActKind::ALL.into_iter().find(|k| k.keyword() == word)
    }

    /// A short verb phrase for explanations ("requested", "signed").
    pub fn past(self) -> &'static str {
        match self {
            ActKind::Attack => "attacked",
            ActKind::Request => "requested",
            ActKind::Session => "held a session",
            ActKind::Propose => "proposed",
            ActKind::Sign => "signed",
            ActKind::Refuse => "refused to sign",
            ActKind::OptOut => "opted out of",
            ActKind::Determination => "determined",
            ActKind::Decision => "decided",
            ActKind::Assistance => "gave assistance",
            ActKind::Deployment => "deployed",
            ActKind::Mission => "sent a mission",
            ActKind::Visit => "visited",
            ActKind::Statement => "stated",
            ActKind::Offer => "offered",
            ActKind::Accession => "acceded",
            ActKind::Withdrawal => "gave notice of withdrawal",
            ActKind::Suspension => "suspended",
            ActKind::Readmission => "restored membership",
            ActKind::Handover => "handed over the chair",
            ActKind::Vote => "voted",
            ActKind::Objection => "objected to",
            ActKind::Amendment => "proposed an amendment to",
            ActKind::Reservation => "attached a statement or reservation to",
            ActKind::Transfer => "moved a matter to another organ",
            ActKind::War => "went to war",
            ActKind::Return => "gave back",
        }
    }
}

/// What a `reservation` act attaches, by its subject word (LANGUAGE.md:
/// `interpretative` or `reservation`): "an interpretative statement".
pub fn attachment_noun(subject: &str) -> String {
    match subject {
        "interpretative" => "an interpretative statement".to_string(),
        "reservation" => "a reservation".to_string(),
        "" => "a statement".to_string(),
        other => format!("a statement ({})", other.replace('_', " ")),
    }
}

/// Where an act is attested: an address and/or a title.
pub type Source = Citation;

#[derive(Clone, Debug, Default)]
pub struct Act {
    /// The act's id, unique in its record (`Sym::NONE` if it has none).
    pub id: Sym,
    /// The first instant the act may have happened (midnight for an act
    /// dated to the day); `precision` says until when it may have happened.
    pub time: Time,
    pub precision: Precision,
    pub actor: Sym,
    pub kind: ActKind,
    /// The act's object word: `assistance` in `request assistance`.
    pub subject: Sym,
    pub under: Sym,
    pub to: Sym,
    pub against: Sym,
    pub about: Sym,
    /// Parties taking part (`from` in a deployment).
    pub from: Box<[Sym]>,
    pub document: Sym,
    pub means: Sym,
    pub case: Sym,
    /// The organ a chair is handed over in, or an organ an act concerns.
    pub organ: Sym,
    pub personnel: u32,
    /// The fields few acts carry (`start`, `end`, `effective`, a recorded
    /// tally), behind one pointer so that an act stays small; read them
    /// with [`Act::start`], [`Act::end`], [`Act::effective`], [`Act::count`].
    pub extra: Option<Box<ActExtra>>,
    pub title: Sym,
    pub reason: Sym,
    pub condition: Sym,
    pub text: Sym,
    pub note: Sym,
    pub sources: Box<[Source]>,
    /// Who vouches for this act: a record file, the actor's own signature,
    /// or a recorder's signature (set by the ledger).
    pub attestation: Attestation,
    /// When the act entered the ledger, if it came from one.
    pub recorded: Option<Time>,
    pub span: Span,
}

/// The fields few acts carry, boxed in [`Act::extra`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ActExtra {
    pub start: Option<Time>,
    pub end: Option<Time>,
    pub effective: Option<Time>,
    /// How a recorded decision was taken, where its sources say (`votes
    /// 17 0 4`, `by acclamation`).
    pub count: Option<DecisionCount>,
    /// Where the act took place (`in PLACE`, a region of the treaty); on an
    /// act about an attack (a request, a decision), where the attack did.
    pub place: Sym,
    /// Further parties an act is about, after [`Act::about`] (`about ARM
    /// AZE`): a joint statement about several parties, a dispute between
    /// them. Read all of them with [`Act::abouts`].
    pub about_more: Box<[Sym]>,
    /// The kind of decision a proposal or transfer asks for (`kind
    /// substance`), which selects the organ's rule for it.
    pub decision_kind: Sym,
}

/// How a recorded decision was taken, as its sources give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecisionCount {
    /// A known tally, without the names of the voters.
    Votes { yes: u32, no: u32, abstain: u32 },
    /// Adopted by acclamation, without a vote.
    Acclamation,
}

/// Who vouches for an act.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Attestation {
    /// Read from a record file; nobody signed it.
    #[default]
    File,
    /// Signed by the actor itself with its registered key (live mode).
    Actor,
    /// Signed by a recorder who entered it from its sources (record mode);
    /// the symbol names the recorder's key.
    Recorder(Sym),
}

impl Act {
    /// When a deployment or mission started, if the record gives it.
    pub fn start(&self) -> Option<Time> {
        self.extra.as_ref().and_then(|e| e.start)
    }

    /// When a deployment or mission ended, or silence expires.
    pub fn end(&self) -> Option<Time> {
        self.extra.as_ref().and_then(|e| e.end)
    }

    /// When an act takes effect, if not on its date (a withdrawal).
    pub fn effective(&self) -> Option<Time> {
        self.extra.as_ref().and_then(|e| e.effective)
    }

    /// How a recorded decision was taken, where its sources say.
    pub fn count(&self) -> Option<DecisionCount> {
        self.extra.as_ref().and_then(|e| e.count)
    }

    /// The kind of decision a proposal or transfer asks for (`kind KIND`),
    /// `Sym::NONE` if it names none.
    pub fn decision_kind(&self) -> Sym {
        self.extra.as_ref().map_or(Sym::NONE, |e| e.decision_kind)
    }

    /// Where the act took place, if the record gives it.
    pub fn place(&self) -> Option<Sym> {
        self.extra.as_ref().map(|e| e.place).filter(|p| p.is_some())
    }

    /// Every party the act is about: `about`, then any further ones.
    pub fn abouts(&self) -> impl Iterator<Item = Sym> + '_ {
        std::iter::once(self.about).filter(|s| s.is_some()).chain(self.extra.iter().flat_map(|e| e.about_more.iter().copied()))
    }

    /// The rarely used fields, boxed on first write.
    pub fn extra_mut(&mut self) -> &mut ActExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// When the act happened, as far as the record tells (see [`When`]).
    /// Compare acts with its `by`, `before` and `before_instant`, never
    /// with `time` alone: a day-dated act is not at midnight.
    pub fn when(&self) -> crate::When {
        crate::When::of(self.time, self.precision)
    }

    /// The single value of a pattern field (`From` and `About` are lists;
    /// see `has`).
    pub fn field(&self, field: Field) -> Sym {
        match field {
            Field::By => self.actor,
            Field::Subject => self.subject,
            Field::Under => self.under,
            Field::To => self.to,
            Field::Against => self.against,
            Field::About => self.about,
            Field::From => self.from.first().copied().unwrap_or(Sym::NONE),
            Field::Document => self.document,
            Field::Means => self.means,
            Field::Case => self.case,
        }
    }

    /// Whether the field holds `value` (for lists, whether it contains it).
    pub fn has(&self, field: Field, value: Sym) -> bool {
        match field {
            Field::From => self.from.contains(&value),
            Field::About => self.about == value || self.extra.as_ref().is_some_and(|e| e.about_more.contains(&value)),
            _ => self.field(field) == value,
        }
    }
}

/// A record of acts, in file order.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub title: String,
    pub acts: Vec<Act>,
}
