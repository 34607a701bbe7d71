//! Documents put to organs, and how each is decided: unanimity by
//! signature, consensus with opt-out, votes (shares of members or of those
//! voting, quorums, abstentions, parties to a dispute excluded), the silence
//! procedure, or a decision simply recorded.
//!
//! The verdict carries its own reason: for each organ the text was before
//! (one `Section` each, since a matter moved to another organ keeps its
//! history under the first organ's seats and rule), the procedure applied,
//! what each seat did and by which act, the tally and threshold, who blocked
//! it and when, who was excluded or not seated, what was counted from a
//! recorded decision rather than from acts, and which acts had no effect.
//! Explanations, reports and analyses render this reason; none of them
//! decides anything again.
//!
//! Each section's sheet lists the members entitled to take part on the
//! date it is decided (seated when the text came before the organ, and
//! still members then), so a party that has left or is suspended neither
//! blocks nor counts.

use casus_model::*;

/// What one seat did about a document. The first nine are taken by acts
/// (or, for `Pending`, not yet); the others describe a seat without an act
/// once the document is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Position {
    Signed,
    Refused,
    OptedOut,
    VotedYes,
    VotedNo,
    Abstained,
    Objected,
    Amended,
    /// No act yet, and the document is not decided.
    Pending,
    /// Decided under silence without an act by this seat.
    KeptSilent,
    /// Adopted by consensus (or recorded as adopted by an organ deciding by
    /// consensus or unanimity) without an act by this seat.
    NoObjection,
    /// Decided (a vote closed or certain, a text blocked) before this seat
    /// took a position.
    DidNotTakePart,
    /// The organ recorded its decision without this seat's vote.
    NotRecorded,
    /// The organ recorded the decision as taken by acclamation.
    Assented,
}

impl Position {
    /// The stable id (JSON, the dashboard's data attributes).
    pub fn word(self) -> &'static str {
        match self {
            Position::Signed => "signed",
            Position::Refused => "refused",
            Position::OptedOut => "opted_out",
            Position::VotedYes => "voted_yes",
            Position::VotedNo => "voted_no",
            Position::Abstained => "abstained",
            Position::Objected => "objected",
            Position::Amended => "amended",
            Position::Pending => "pending",
            Position::KeptSilent => "kept_silent",
            Position::NoObjection => "no_objection",
            Position::DidNotTakePart => "did_not_take_part",
            Position::NotRecorded => "not_recorded",
            Position::Assented => "assented",
        }
    }

    /// The words for people.
    pub fn plain(self) -> &'static str {
        match self {
            Position::Signed => "signed",
            Position::Refused => "refused",
            Position::OptedOut => "opted out",
            Position::VotedYes => "voted yes",
            Position::VotedNo => "voted no",
            Position::Abstained => "abstained",
            Position::Objected => "objected",
            Position::Amended => "proposed an amendment",
            Position::Pending => "no position yet",
            Position::KeptSilent => "kept silent until expiry",
            Position::NoObjection => "no objection on record",
            Position::DidNotTakePart => "did not take part",
            Position::NotRecorded => "vote not recorded",
            Position::Assented => "assented by acclamation",
        }
    }

    /// Whether an act took this position.
    pub fn is_act(self) -> bool {
        self <= Position::Amended
    }

    fn of(act: &Act, yes: Sym, no: Sym) -> Option<Position> {
        Some(match act.kind {
            ActKind::Sign => Position::Signed,
            ActKind::Refuse => Position::Refused,
            ActKind::OptOut => Position::OptedOut,
            ActKind::Vote if act.subject == yes => Position::VotedYes,
            ActKind::Vote if act.subject == no => Position::VotedNo,
            ActKind::Vote => Position::Abstained,
            ActKind::Objection => Position::Objected,
            ActKind::Amendment => Position::Amended,
            _ => return None,
        })
    }
}

/// The position an act takes on a document, if it takes one.
pub fn position_of(act: &Act, words: &Words) -> Option<Position> {
    Position::of(act, words.yes, words.no)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DocumentStatus {
    Adopted,
    Blocked,
    Pending,
}

impl DocumentStatus {
    pub fn word(self) -> &'static str {
        match self {
            DocumentStatus::Adopted => "adopted",
            DocumentStatus::Blocked => "blocked",
            DocumentStatus::Pending => "pending",
        }
    }
}

/// The count of a vote on the date it is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    /// Members entitled to vote.
    pub eligible: u32,
    /// The count the share is taken of.
    pub base: u32,
    /// Yes votes needed.
    pub needed: u32,
    /// Members who must take part, if there is a quorum.
    pub quorum: Option<u32>,
    pub quorum_met: bool,
    pub closed: bool,
    /// The counts are those the recorded decision gives (`votes Y N A`),
    /// not ballots of named members.
    pub from_decision: bool,
}

/// What a section's verdict rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The positions on the sheet, counted under the procedure.
    Positions,
    /// Consensus at the session's close: no member refused, whoever signed.
    ConsensusAtClose,
    /// The organ recorded a decision, with what its sources say of how it
    /// was taken (nothing, a tally, acclamation).
    Decision(Option<DecisionCount>),
    /// The organ decides only by recorded decisions and has recorded none.
    NoDecisionRecorded,
}

impl Basis {
    /// The stable id of the basis under `procedure`; `ballots` is whether
    /// any member's vote is on record.
    pub fn word(self, procedure: DecisionRule, ballots: bool) -> &'static str {
        match self {
            Basis::Positions => "positions",
            Basis::ConsensusAtClose => "consensus_at_close",
            Basis::NoDecisionRecorded => "no_decision_recorded",
            Basis::Decision(Some(DecisionCount::Votes { .. })) => "recorded_tally",
            Basis::Decision(Some(DecisionCount::Acclamation)) => "acclamation",
            Basis::Decision(None) if matches!(procedure, DecisionRule::Vote(_)) && !ballots => "tally_not_recorded",
            Basis::Decision(None) => "decision_recorded",
        }
    }
}

/// Why an act about a document changed nothing. The act is kept, and
/// shown as having had no effect.
/// Fieldless, so that a record full of late acts costs 8 bytes per act; the
/// times it refers to are its section's `decided_at` and `closes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoEffect {
    /// The document was already decided (at the section's `decided_at`).
    AfterDecision,
    /// The vote had closed or silence had expired (at the section's `closes`).
    AfterClose,
    /// Its author was not entitled to take part (not seated in the organ
    /// on the dates that count, or a party to the dispute).
    NotEntitled,
    /// The procedure does not count this kind of act (a signature under
    /// silence, a refusal in a vote).
    NotCounted,
    /// Its author had already broken silence, which is final.
    SilenceAlreadyBroken,
}

impl NoEffect {
    pub fn word(self) -> &'static str {
        match self {
            NoEffect::AfterDecision => "after_decision",
            NoEffect::AfterClose => "after_close",
            NoEffect::NotEntitled => "not_entitled",
            NoEffect::NotCounted => "not_counted",
            NoEffect::SilenceAlreadyBroken => "silence_already_broken",
        }
    }
}

/// The document's time before one organ: the rule applied there and the
/// verdict it gave, with everything that verdict rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub organ: Sym,
    pub procedure: DecisionRule,
    /// The kind of proposal whose rule `procedure` is (`decides … for
    /// KIND`), named by the proposal or transfer; `Sym::NONE` when the
    /// organ's rule without `for` applied.
    pub kind: Sym,
    /// When the text came before this organ (put to it, or moved to it).
    pub from: Time,
    /// When it was moved on to another organ, if it was.
    pub until: Option<Time>,
    /// When the vote closes or silence expires.
    pub closes: Option<Time>,
    pub status: DocumentStatus,
    pub since: Time,
    pub basis: Basis,
    /// Who blocked it (refusals, votes against, breaks of silence), in the
    /// order of their acts.
    pub blocked_by: Vec<Sym>,
    /// One row per seat entitled to take part: party, position, the act.
    pub sheet: Vec<(Sym, Position, Option<u32>)>,
    /// Parties to the dispute, who do not vote.
    pub excluded: Vec<Sym>,
    /// Members of the organ on one of the dates that count but not on the
    /// other (they joined, left or were suspended in between).
    pub not_seated: Vec<Sym>,
    /// States the seats rule names whose membership on a date that counts
    /// the sources leave unknown: not seated, so the verdict holds only if
    /// they were not members then.
    pub seat_unknown: Vec<Sym>,
    pub tally: Option<Tally>,
    /// Adopted without the members that opted out.
    pub limited_format: bool,
    /// Acts about the document in this organ that changed nothing, in time
    /// order, with why.
    pub no_effect: Vec<(u32, NoEffect)>,
    /// Acts dated to a day (or a window) that holds the close: whether they
    /// came before it depends on a time of day the record does not give.
    /// They are counted as in time, and the verdict depends on them.
    pub unknown_time: Vec<u32>,
    /// The recorded decision of this organ, if any.
    pub decision: Option<u32>,
    /// When the verdict became final by the members' acts or a recorded
    /// decision (acts after it had no effect), if it did.
    pub decided_at: Option<Time>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentState {
    pub id: Sym,
    pub title: Sym,
    /// The organ that decides it (the last it was moved to).
    pub organ: Sym,
    pub procedure: DecisionRule,
    /// See [`Section::kind`].
    pub kind: Sym,
    pub status: DocumentStatus,
    pub since: Time,
    /// Who blocked it: refusals, votes against, or who broke silence, in
    /// the order of their acts.
    pub blocked_by: Vec<Sym>,
    /// One row per seat: party, position, the act that took it.
    pub sheet: Vec<(Sym, Position, Option<u32>)>,
    /// Parties to the dispute, who do not vote.
    pub excluded: Vec<Sym>,
    pub tally: Option<Tally>,
    /// When the vote closes or silence expires.
    pub closes: Option<Time>,
    pub proposed: Option<u32>,
    pub decisions: Vec<u32>,
    pub transfers: Vec<u32>,
    /// Interpretative statements and reservations attached to it.
    pub attachments: Vec<u32>,
    /// Adopted without the members that opted out.
    pub limited_format: bool,
    /// What the verdict rests on.
    pub basis: Basis,
    /// Members not seated when it was decided (see `Section::not_seated`).
    pub not_seated: Vec<Sym>,
    /// See `Section::seat_unknown`.
    pub seat_unknown: Vec<Sym>,
    /// Acts before the deciding organ that changed nothing, with why.
    pub no_effect: Vec<(u32, NoEffect)>,
    /// Acts whose time of day decides whether they came before the close
    /// (see [`Section::unknown_time`]).
    pub unknown_time: Vec<u32>,
    /// The organs it was before earlier, each with its own verdict.
    pub earlier: Vec<Section>,
    /// When the text came before the deciding organ.
    pub organ_since: Time,
    /// See `Section::decided_at`.
    pub decided_at: Option<Time>,
}

impl DocumentState {
    /// Every section, the earlier organs' first and the deciding organ's
    /// last, for renderers that show one section per organ.
    pub fn sections(&self) -> Vec<Section> {
        let mut all = self.earlier.clone();
        all.push(Section {
            organ: self.organ,
            procedure: self.procedure,
            kind: self.kind,
            from: self.organ_since,
            until: None,
            closes: self.closes,
            status: self.status,
            since: self.since,
            basis: self.basis,
            blocked_by: self.blocked_by.clone(),
            sheet: self.sheet.clone(),
            excluded: self.excluded.clone(),
            not_seated: self.not_seated.clone(),
            seat_unknown: self.seat_unknown.clone(),
            tally: self.tally,
            limited_format: self.limited_format,
            no_effect: self.no_effect.clone(),
            unknown_time: self.unknown_time.clone(),
            decision: self.decisions.first().copied(),
            decided_at: self.decided_at,
        });
        all
    }
}

/// A document's verdict at one point: its status, who blocks it, and
/// whether it is adopted without members that opted out.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Verdict {
    status: DocumentStatus,
    blocked_by: Vec<Sym>,
    limited: bool,
}

fn tally_of(rule: VoteRule, sheet: &[(Sym, Position, Option<u32>)], closed: bool) -> Tally {
    let count = |p: Position| sheet.iter().filter(|r| r.1 == p).count() as u32;
    counted(rule, (count(Position::VotedYes), count(Position::VotedNo), count(Position::Abstained)), sheet.len() as u32, closed, false)
}

fn counted(rule: VoteRule, (yes, no, abstain): (u32, u32, u32), eligible: u32, closed: bool, from_decision: bool) -> Tally {
    let VoteThresholds { base, needed, quorum } = rule.thresholds(eligible, yes, no, abstain);
    let quorum_met = quorum.is_none_or(|q| yes + no + abstain >= q);
    Tally { yes, no, abstain, eligible, base, needed, quorum, quorum_met, closed, from_decision }
}

/// The status a procedure gives a sheet of positions (one per member
/// entitled to take part), decided as of now; `closed` is whether the
/// session, vote or silence has closed. The rule the engine applies, for
/// analyses that ask what other positions would have given.
pub fn status_of(procedure: DecisionRule, positions: &[Position], closed: bool) -> DocumentStatus {
    let sheet: Vec<(Sym, Position, Option<u32>)> = positions.iter().map(|&p| (Sym::NONE, p, None)).collect();
    verdict(procedure, &sheet, closed).status
}

/// The verdict of a sheet under a procedure; `closed` is whether the
/// session, vote or silence has closed.
fn verdict(procedure: DecisionRule, sheet: &[(Sym, Position, Option<u32>)], closed: bool) -> Verdict {
    let who = |want: &dyn Fn(Position) -> bool| sheet.iter().filter(|r| want(r.1)).map(|r| r.0).collect::<Vec<Sym>>();
    let opted = sheet.iter().any(|r| r.1 == Position::OptedOut);
    let plain = |status| Verdict { status, blocked_by: Vec::new(), limited: false };
    match procedure {
        DecisionRule::Unanimity | DecisionRule::ConsensusOptOut => {
            let refused = who(&|p| p == Position::Refused);
            let needed: Vec<&(Sym, Position, Option<u32>)> = match procedure {
                DecisionRule::ConsensusOptOut => sheet.iter().filter(|r| r.1 != Position::OptedOut).collect(),
                _ => sheet.iter().collect(),
            };
            // Consensus is the absence of objection: a text put to a session
            // that closes (the proposal's `end`) without a refusal is adopted
            // then, whoever signed.
            let consensus_at_close = procedure == DecisionRule::ConsensusOptOut && closed;
            if !refused.is_empty() {
                Verdict { status: DocumentStatus::Blocked, blocked_by: refused, limited: false }
            } else if (!needed.is_empty() && needed.iter().all(|r| r.1 == Position::Signed) && !(procedure == DecisionRule::Unanimity && opted))
                || consensus_at_close
            {
                Verdict { status: DocumentStatus::Adopted, blocked_by: Vec::new(), limited: opted }
            } else {
                plain(DocumentStatus::Pending)
            }
        }
        DecisionRule::Silence => {
            let broke = who(&|p| matches!(p, Position::Objected | Position::Amended));
            if !broke.is_empty() {
                Verdict { status: DocumentStatus::Blocked, blocked_by: broke, limited: false }
            } else if closed {
                plain(DocumentStatus::Adopted)
            } else {
                plain(DocumentStatus::Pending)
            }
        }
        DecisionRule::Vote(rule) => {
            let t = tally_of(rule, sheet, closed);
            let pending = t.eligible - (t.yes + t.no + t.abstain);
            let cannot_pass = rule.base == VoteBase::Members && t.yes + pending < t.needed;
            let against: &dyn Fn(Position) -> bool =
                if rule.abstentions_against { &|p| matches!(p, Position::VotedNo | Position::Abstained) } else { &|p| p == Position::VotedNo };
            let status = if !t.quorum_met {
                DocumentStatus::Pending
            } else if (closed || rule.base == VoteBase::Members) && t.yes >= t.needed {
                DocumentStatus::Adopted
            } else if closed || cannot_pass {
                DocumentStatus::Blocked
            } else {
                DocumentStatus::Pending
            };
            let blocked_by = if status == DocumentStatus::Blocked { who(against) } else { Vec::new() };
            Verdict { status, blocked_by, limited: false }
        }
        DecisionRule::Recorded => plain(DocumentStatus::Pending),
    }
}

/// The acts about one document, in time order.
#[derive(Default)]
pub struct DocumentActs {
    pub proposal: Option<u32>,
    pub decisions: Vec<u32>,
    pub positions: Vec<u32>,
    pub transfers: Vec<u32>,
    pub attachments: Vec<u32>,
}

impl DocumentActs {
    pub fn add(&mut self, i: u32, kind: ActKind) {
        match kind {
            ActKind::Propose => {
                self.proposal.get_or_insert(i);
            }
            ActKind::Decision => self.decisions.push(i),
            ActKind::Transfer => self.transfers.push(i),
            ActKind::Reservation => self.attachments.push(i),
            _ => self.positions.push(i),
        }
    }

    pub fn is_document_kind(kind: ActKind) -> bool {
        kind.concerns_document()
    }
}

/// Where a section starts: the organ, when, when its vote or silence
/// closes, whether the text was put under silence there, and the kind of
/// proposal the act that put it there names.
struct Start {
    organ: Sym,
    from: Time,
    closes: Option<Time>,
    silence: bool,
    kind: Sym,
}

pub fn decide(treaty: &Treaty, acts: &[Act], id: Sym, d: &DocumentActs, at: Time, member_at: &dyn Fn(Sym, Time) -> Known) -> Option<DocumentState> {
    let first = d.proposal.or(d.decisions.first().copied()).or(d.positions.first().copied())?;
    let first_act = &acts[first as usize];
    let proposal = d.proposal.map(|p| &acts[p as usize]);
    let organ = match proposal {
        Some(p) => p.to,
        None => d.decisions.first().map(|&i| acts[i as usize].actor).unwrap_or(Sym::NONE),
    };
    // The kind is the proposal's; a text known only from a decision takes
    // the decision's.
    let kind = match proposal {
        Some(p) => p.decision_kind(),
        None => d.decisions.first().map_or(Sym::NONE, |&i| acts[i as usize].decision_kind()),
    };
    // One section for the organ the text was put to, then one for each
    // organ it was moved to: the second organ's procedure starts at the
    // transfer, and the first organ's history stays under its own rule.
    let mut starts = vec![Start {
        organ,
        from: first_act.time,
        closes: proposal.and_then(|p| p.end()),
        silence: proposal.is_some_and(|p| p.subject == treaty.words.silence),
        kind,
    }];
    for &t in &d.transfers {
        let a = &acts[t as usize];
        if a.to.is_some() {
            starts.push(Start { organ: a.to, from: a.time, closes: a.end(), silence: a.subject == treaty.words.silence, kind: a.decision_kind() });
        }
    }
    let title = [d.proposal, d.decisions.first().copied()].into_iter().flatten().map(|i| acts[i as usize].title).find(|t| t.is_some()).unwrap_or(Sym::NONE);
    let mut sections: Vec<Section> = Vec::with_capacity(starts.len());
    for (k, start) in starts.iter().enumerate() {
        let until = starts.get(k + 1).map(|s| s.from);
        let in_section = |i: &u32| {
            let t = acts[*i as usize].time;
            t >= start.from && until.is_none_or(|u| t < u)
        };
        // Acts dated before the first act of the document belong to the
        // first section.
        let in_section = |i: &u32| in_section(i) || (k == 0 && acts[*i as usize].time < start.from);
        if starts.len() == 1 {
            sections.push(decide_section(treaty, acts, proposal, start, until, &d.positions, &d.decisions, at, member_at));
        } else {
            let positions: Vec<u32> = d.positions.iter().copied().filter(in_section).collect();
            let decisions: Vec<u32> = d.decisions.iter().copied().filter(in_section).collect();
            sections.push(decide_section(treaty, acts, proposal, start, until, &positions, &decisions, at, member_at));
        }
    }
    let last = sections.pop()?;
    // Most texts stay before one organ: keep no empty allocation for them.
    sections.shrink_to_fit();
    let attachments = if last.status == DocumentStatus::Adopted { d.attachments.clone() } else { Vec::new() };
    Some(DocumentState {
        id,
        title,
        organ: last.organ,
        procedure: last.procedure,
        kind: last.kind,
        status: last.status,
        since: last.since,
        blocked_by: last.blocked_by,
        sheet: last.sheet,
        excluded: last.excluded,
        tally: last.tally,
        closes: last.closes,
        proposed: d.proposal,
        decisions: d.decisions.clone(),
        transfers: d.transfers.clone(),
        attachments,
        limited_format: last.limited_format,
        basis: last.basis,
        not_seated: last.not_seated,
        seat_unknown: last.seat_unknown,
        no_effect: last.no_effect,
        unknown_time: last.unknown_time,
        earlier: sections,
        organ_since: last.from,
        decided_at: last.decided_at,
    })
}

#[allow(clippy::too_many_arguments)]
fn decide_section(
    treaty: &Treaty,
    acts: &[Act],
    proposal: Option<&Act>,
    start: &Start,
    until: Option<Time>,
    positions: &[u32],
    decisions: &[u32],
    at: Time,
    member_at: &dyn Fn(Sym, Time) -> Known,
) -> Section {
    let words = &treaty.words;
    let organ_def = treaty.organ(start.organ);
    // The silence procedure, when the text was put under silence; else the
    // organ's rule for the kind named, or its rule without `for`.
    let (procedure, kind) = match organ_def {
        _ if start.silence => (DecisionRule::Silence, Sym::NONE),
        Some(o) => o.rule_for(start.kind),
        None => (DecisionRule::Recorded, Sym::NONE),
    };
    let closes = start.closes;
    // The date that decides who is seated: the close, or now, or when the
    // matter left this organ, whichever is first.
    let decision = decisions.first().copied();
    let decision_time = decision.map(|i| acts[i as usize].time);
    let decided_at = [closes, until.map(|u| Time(u.0 - 1)), decision_time].into_iter().flatten().fold(at, Time::min);
    let excluded: Vec<Sym> = match (procedure, proposal) {
        (DecisionRule::Vote(v), Some(p)) if v.exclude_disputants => p.abouts().chain([p.against]).filter(|s| s.is_some()).collect(),
        _ => Vec::new(),
    };
    let candidates: Vec<Sym> = match organ_def {
        Some(o) => o.seat_candidates(&treaty.parties, start.from),
        None => treaty.parties.iter().map(|p| p.code).collect(),
    };
    let mut seated = Vec::with_capacity(candidates.len());
    let mut not_seated = Vec::new();
    let mut seat_unknown = Vec::new();
    for p in candidates.into_iter().filter(|p| !excluded.contains(p)) {
        match (member_at(p, start.from), member_at(p, decided_at)) {
            (Known::Yes, Known::Yes) => seated.push(p),
            (Known::No, Known::No) => {}
            (Known::Unknown, _) | (_, Known::Unknown) => seat_unknown.push(p),
            _ => not_seated.push(p),
        }
    }
    // The positions that count under this procedure: signatures under
    // unanimity and consensus, votes under a vote, breaks of silence under
    // silence.
    let counts_under = |pos: Position| match procedure {
        DecisionRule::Unanimity | DecisionRule::ConsensusOptOut => matches!(pos, Position::Signed | Position::Refused | Position::OptedOut),
        DecisionRule::Vote(_) => matches!(pos, Position::VotedYes | Position::VotedNo | Position::Abstained),
        DecisionRule::Silence => matches!(pos, Position::Objected | Position::Amended),
        DecisionRule::Recorded => false,
    };
    let sheet_of = |latest: &[(Sym, Position, u32)]| -> Vec<(Sym, Position, Option<u32>)> {
        seated
            .iter()
            .map(|&p| match latest.iter().find(|(q, _, _)| *q == p) {
                Some(&(_, pos, i)) => (p, pos, Some(i)),
                None => (p, Position::Pending, None),
            })
            .collect()
    };
    // Walk the positions in time order: a text is adopted once the rule is
    // met and stays adopted; a vote of the members is decided, either way,
    // as soon as it is certain; a recorded decision decides it. Acts after
    // that, or after the close, or by those not entitled, change nothing
    // and are kept with why. Silence is not decided by the first break:
    // every member that breaks it before expiry is named.
    let mut latest: Vec<(Sym, Position, u32)> = Vec::new();
    let mut frozen: Option<(Verdict, Time)> = None;
    let mut no_effect: Vec<(u32, NoEffect)> = Vec::new();
    let mut unknown_time: Vec<u32> = Vec::new();
    let mut changed = false;
    let mut frozen_by_decision = false;
    for (k, &i) in positions.iter().enumerate() {
        let a = &acts[i as usize];
        let Some(pos) = Position::of(a, words.yes, words.no) else { continue };
        // A recorded decision earlier than this act decides the text.
        if frozen.is_none()
            && let Some(t) = decision_time.filter(|&t| t < a.time)
        {
            frozen = Some((Verdict { status: DocumentStatus::Adopted, blocked_by: Vec::new(), limited: false }, t));
            frozen_by_decision = true;
        }
        // Breaking silence must come before expiry; other positions count
        // up to and including the close. An act dated to a day that holds
        // the close is counted as in time, and the verdict said to depend
        // on its time of day.
        let in_time = match (pos, closes) {
            (Position::Objected | Position::Amended, Some(c)) => a.when().before_instant(c),
            (_, Some(c)) => a.when().by(c),
            _ => Known::Yes,
        };
        if in_time == Known::Unknown {
            unknown_time.push(i);
        }
        let late = in_time == Known::No;
        // An opt-out after adoption by consensus still takes effect: the
        // text stands, in a limited format, without that member.
        let opt_out_after = pos == Position::OptedOut
            && procedure == DecisionRule::ConsensusOptOut
            && frozen.as_ref().is_some_and(|(v, _)| v.status == DocumentStatus::Adopted);
        let row = latest.iter().position(|(p, _, _)| *p == a.actor);
        // A vote decided because its outcome is certain still counts the
        // ballots of members who vote before it closes; it is their
        // changes of vote that come too late.
        let counted_ballot = matches!(procedure, DecisionRule::Vote(_)) && !frozen_by_decision && row.is_none();
        let effect = if !seated.contains(&a.actor) {
            Some(NoEffect::NotEntitled)
        } else if !counts_under(pos) {
            Some(NoEffect::NotCounted)
        } else if late {
            Some(NoEffect::AfterClose)
        } else if frozen.as_ref().is_some_and(|(_, t)| a.time > *t && !opt_out_after && !counted_ballot) {
            Some(NoEffect::AfterDecision)
        } else if row.is_some_and(|r| matches!(latest[r].1, Position::Objected | Position::Amended)) {
            // Breaking silence is final: a later act does not mend it.
            Some(NoEffect::SilenceAlreadyBroken)
        } else {
            None
        };
        match (effect, row) {
            (Some(e), _) => no_effect.push((i, e)),
            (None, Some(r)) => {
                latest[r] = (a.actor, pos, i);
                changed = true;
            }
            (None, None) => {
                latest.push((a.actor, pos, i));
                changed = true;
            }
        }
        // Acts of the same time are taken together.
        let same_time_follows = positions.get(k + 1).is_some_and(|&j| acts[j as usize].time == a.time);
        if frozen.is_none() && changed && !same_time_follows {
            changed = false;
            let v = verdict(procedure, &sheet_of(&latest), false);
            let final_now = match (procedure, v.status) {
                (DecisionRule::Unanimity | DecisionRule::ConsensusOptOut, DocumentStatus::Adopted) => true,
                (DecisionRule::Vote(rule), DocumentStatus::Adopted | DocumentStatus::Blocked) => rule.base == VoteBase::Members,
                _ => false,
            };
            if final_now {
                frozen = Some((v, a.time));
            }
        }
    }
    let mut sheet = sheet_of(&latest);
    let closed = closes.is_some_and(|c| at >= c && until.is_none_or(|u| c <= u));
    let time_of = |i: u32| acts[i as usize].time;
    let count = decision.and_then(|i| acts[i as usize].count());
    let opted = sheet.iter().any(|r| r.1 == Position::OptedOut);
    let final_verdict = frozen.is_some() || decision.is_some() || closed || until.is_some();
    let decided_at = frozen.as_ref().map(|(_, t)| *t).or(decision_time);
    let (mut verdict, since, basis) = match (decision, frozen) {
        // Adopted by the members' acts before the organ recorded it.
        (Some(dec), Some((v, t))) if v.status == DocumentStatus::Adopted && t < time_of(dec) => (v, t, Basis::Positions),
        // Otherwise a recorded decision always adopts the text.
        (Some(dec), _) => (Verdict { status: DocumentStatus::Adopted, blocked_by: Vec::new(), limited: opted }, time_of(dec), Basis::Decision(count)),
        (None, Some((v, t))) => (v, t, Basis::Positions),
        (None, None) => {
            let v = verdict(procedure, &sheet, closed);
            let since = match v.status {
                DocumentStatus::Adopted => {
                    closes.filter(|_| closed).unwrap_or_else(|| sheet.iter().filter_map(|r| r.2).map(time_of).max().unwrap_or(start.from))
                }
                // Blocked since the earliest act of those who block it now (or
                // the close, for a vote lost when it closed).
                DocumentStatus::Blocked => match procedure {
                    DecisionRule::Vote(_) => closes.unwrap_or(start.from),
                    _ => sheet.iter().filter(|r| v.blocked_by.contains(&r.0)).filter_map(|r| r.2).map(time_of).min().unwrap_or(start.from),
                },
                DocumentStatus::Pending => start.from,
            };
            let basis = match procedure {
                DecisionRule::Recorded => Basis::NoDecisionRecorded,
                DecisionRule::ConsensusOptOut if v.status == DocumentStatus::Adopted && sheet.iter().any(|r| r.1 == Position::Pending) => {
                    Basis::ConsensusAtClose
                }
                _ => Basis::Positions,
            };
            (v, since, basis)
        }
    };
    if verdict.status == DocumentStatus::Adopted {
        verdict.limited = opted;
    }
    // Blockers in the order of their acts.
    let act_of = |p: Sym| sheet.iter().find(|r| r.0 == p).and_then(|r| r.2);
    verdict.blocked_by.sort_by_key(|&p| act_of(p).map(|i| (time_of(i), i)));
    let ballots = sheet.iter().any(|r| matches!(r.1, Position::VotedYes | Position::VotedNo | Position::Abstained));
    let tally = match (procedure, basis) {
        (DecisionRule::Vote(rule), Basis::Decision(Some(DecisionCount::Votes { yes, no, abstain }))) => {
            Some(counted(rule, (yes, no, abstain), sheet.len() as u32, true, true))
        }
        (DecisionRule::Vote(_), Basis::Decision(_)) if !ballots => None,
        (DecisionRule::Vote(rule), _) => Some(tally_of(rule, &sheet, closed)),
        _ => None,
    };
    // Once the verdict is final (decided for good, closed, or moved on), a
    // seat without an act is described by what the procedure makes of its
    // silence. A refusal under unanimity is not final: the member may sign
    // later, and the others may still.
    if final_verdict && (procedure != DecisionRule::Recorded || decision.is_some()) {
        let silent = match (basis, procedure) {
            (Basis::Decision(Some(DecisionCount::Acclamation)), _) => Position::Assented,
            (Basis::Decision(_), DecisionRule::Unanimity | DecisionRule::ConsensusOptOut) => Position::NoObjection,
            (Basis::Decision(_), DecisionRule::Silence) => Position::KeptSilent,
            (Basis::Decision(_), _) => Position::NotRecorded,
            (_, DecisionRule::Silence) => Position::KeptSilent,
            // Under consensus, silence is no objection, whatever others did.
            (_, DecisionRule::ConsensusOptOut) => Position::NoObjection,
            _ => Position::DidNotTakePart,
        };
        for row in sheet.iter_mut().filter(|r| r.1 == Position::Pending) {
            row.1 = silent;
        }
    }
    no_effect.sort_by_key(|&(i, _)| (time_of(i), i));
    no_effect.shrink_to_fit();
    Section {
        organ: start.organ,
        procedure,
        kind,
        from: start.from,
        until,
        closes,
        status: verdict.status,
        since,
        basis,
        blocked_by: verdict.blocked_by,
        sheet,
        excluded,
        not_seated,
        seat_unknown,
        tally,
        limited_format: verdict.limited,
        no_effect,
        unknown_time,
        decision,
        decided_at,
    }
}
