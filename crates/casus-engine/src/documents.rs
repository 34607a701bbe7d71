//! Documents put to organs, and how each is decided: unanimity by
//! signature, consensus with opt-out, votes (shares of members or of those
//! voting, quorums, abstentions, parties to a dispute excluded), the silence
//! procedure, or a decision simply recorded.
//!
//! Each document's sheet lists the members entitled to take part on the
//! date it is decided (seated when it was put, and still members then), so
//! a party that has left or is suspended neither blocks nor counts.

use casus_model::*;

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
    Pending,
}

impl Position {
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
        }
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentState {
    pub id: Sym,
    pub title: Sym,
    /// The organ that decides it (the last it was moved to).
    pub organ: Sym,
    pub procedure: DecisionRule,
    pub status: DocumentStatus,
    pub since: Time,
    /// Who blocked it: refusals, votes against, or who broke silence.
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
    let (yes, no, abstain) = (count(Position::VotedYes), count(Position::VotedNo), count(Position::Abstained));
    let eligible = sheet.len() as u32;
    let base = match rule.base {
        VoteBase::Members => eligible,
        VoteBase::Voting => yes + no + if rule.abstentions_against { abstain } else { 0 },
    };
    let needed = rule.share.needed(base).max(1);
    let quorum = rule.quorum.map(|q| match q {
        Quorum::Count(n) => n,
        Quorum::Share(s) => s.needed(eligible),
        Quorum::AsNeeded => rule.share.needed(eligible),
    });
    let quorum_met = quorum.is_none_or(|q| yes + no + abstain >= q);
    Tally { yes, no, abstain, eligible, base, needed, quorum, quorum_met, closed }
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
            } else if (!needed.is_empty() && needed.iter().all(|r| r.1 == Position::Signed) && !(procedure == DecisionRule::Unanimity && opted)) || consensus_at_close {
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
            let against: &dyn Fn(Position) -> bool = if rule.abstentions_against { &|p| matches!(p, Position::VotedNo | Position::Abstained) } else { &|p| p == Position::VotedNo };
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
        matches!(
            kind,
            ActKind::Propose | ActKind::Decision | ActKind::Sign | ActKind::Refuse | ActKind::OptOut | ActKind::Vote | ActKind::Objection | ActKind::Amendment | ActKind::Reservation | ActKind::Transfer
        )
    }
}

pub fn decide(treaty: &Treaty, acts: &[Act], id: Sym, d: &DocumentActs, at: Time, member_at: &dyn Fn(Sym, Time) -> bool) -> Option<DocumentState> {
    let words = &treaty.words;
    let first = d.proposal.or(d.decisions.first().copied()).or(d.positions.first().copied())?;
    let first_act = &acts[first as usize];
    let proposal = d.proposal.map(|p| &acts[p as usize]);
    let mut organ = match proposal {
        Some(p) => p.to,
        None => d.decisions.first().map(|&i| acts[i as usize].actor).unwrap_or(Sym::NONE),
    };
    for &t in &d.transfers {
        if acts[t as usize].to.is_some() {
            organ = acts[t as usize].to;
        }
    }
    let title = [d.proposal, d.decisions.first().copied()].into_iter().flatten().map(|i| acts[i as usize].title).find(|t| t.is_some()).unwrap_or(Sym::NONE);
    let organ_def = treaty.organ(organ);
    let procedure = if proposal.is_some_and(|p| p.subject == words.silence) { DecisionRule::Silence } else { organ_def.map(|o| o.decides).unwrap_or(DecisionRule::Recorded) };
    let closes = proposal.and_then(|p| p.end);
    let decided_at = closes.map(|c| c.min(at)).unwrap_or(at);
    let excluded: Vec<Sym> = match (procedure, proposal) {
        (DecisionRule::Vote(v), Some(p)) if v.exclude_disputants => [p.about, p.against].into_iter().filter(|s| s.is_some()).collect(),
        _ => Vec::new(),
    };
    let seated: Vec<Sym> = match organ_def.map(|o| o.seats_at(first_act.time)) {
        Some(Seats::Parties(list)) => list.clone(),
        Some(Seats::Office) => Vec::new(),
        _ => treaty.parties.iter().map(|p| p.code).collect(),
    };
    let seated: Vec<Sym> = seated.into_iter().filter(|&p| member_at(p, first_act.time) && member_at(p, decided_at) && !excluded.contains(&p)).collect();
    // The positions that count under this procedure, by seated members, in
    // time order: signatures under unanimity and consensus, votes under a
    // vote, breaks of silence (strictly before expiry) under silence.
    let counts_under = |pos: Position| match procedure {
        DecisionRule::Unanimity | DecisionRule::ConsensusOptOut => matches!(pos, Position::Signed | Position::Refused | Position::OptedOut),
        DecisionRule::Vote(_) => matches!(pos, Position::VotedYes | Position::VotedNo | Position::Abstained),
        DecisionRule::Silence => matches!(pos, Position::Objected | Position::Amended),
        DecisionRule::Recorded => false,
    };
    let relevant: Vec<(u32, Position)> = d
        .positions
        .iter()
        .filter_map(|&i| {
            let a = &acts[i as usize];
            let pos = Position::of(a, words.yes, words.no)?;
            let in_time = match pos {
                Position::Objected | Position::Amended => a.time <= at && closes.is_none_or(|c| a.time < c),
                _ => a.time <= decided_at,
            };
            (in_time && counts_under(pos) && seated.contains(&a.actor)).then_some((i, pos))
        })
        .collect();
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
    // as soon as it is certain; silence once broken stays broken.
    let mut latest: Vec<(Sym, Position, u32)> = Vec::new();
    let mut frozen: Option<(Verdict, Time)> = None;
    for (k, &(i, pos)) in relevant.iter().enumerate() {
        let a = &acts[i as usize];
        match latest.iter_mut().find(|(p, _, _)| *p == a.actor) {
            // Breaking silence is final: a later act does not mend it.
            Some(row) if !matches!(row.1, Position::Objected | Position::Amended) => *row = (a.actor, pos, i),
            Some(_) => {}
            None => latest.push((a.actor, pos, i)),
        }
        // Acts of the same time are taken together.
        let same_time_follows = relevant.get(k + 1).is_some_and(|&(j, _)| acts[j as usize].time == a.time);
        if frozen.is_none() && !same_time_follows {
            let v = verdict(procedure, &sheet_of(&latest), false);
            let final_now = match (procedure, v.status) {
                (DecisionRule::Unanimity | DecisionRule::ConsensusOptOut, DocumentStatus::Adopted) => true,
                (DecisionRule::Vote(rule), DocumentStatus::Adopted | DocumentStatus::Blocked) => rule.base == VoteBase::Members,
                (DecisionRule::Silence, DocumentStatus::Blocked) => true,
                _ => false,
            };
            if final_now {
                frozen = Some((v, a.time));
            }
        }
    }
    let sheet = sheet_of(&latest);
    let closed = closes.is_some_and(|c| at >= c);
    let time_of = |i: u32| acts[i as usize].time;
    let (verdict, since) = if let Some(&dec) = d.decisions.first() {
        let opted = sheet.iter().any(|r| r.1 == Position::OptedOut);
        (Verdict { status: DocumentStatus::Adopted, blocked_by: Vec::new(), limited: opted }, time_of(dec))
    } else if let Some(frozen) = frozen {
        frozen
    } else {
        let v = verdict(procedure, &sheet, closed);
        let since = match v.status {
            DocumentStatus::Adopted => closes.filter(|_| closed).unwrap_or_else(|| sheet.iter().filter_map(|r| r.2).map(time_of).max().unwrap_or(first_act.time)),
            // Blocked since the earliest act of those who block it now (or
            // the close, for a vote lost when it closed).
            DocumentStatus::Blocked => match procedure {
                DecisionRule::Vote(_) => closes.unwrap_or(first_act.time),
                _ => sheet.iter().filter(|r| v.blocked_by.contains(&r.0)).filter_map(|r| r.2).map(time_of).min().unwrap_or(first_act.time),
            },
            DocumentStatus::Pending => first_act.time,
        };
        (v, since)
    };
    let tally = match procedure {
        DecisionRule::Vote(rule) => Some(tally_of(rule, &sheet, closed)),
        _ => None,
    };
    let (status, blocked_by, limited) = (verdict.status, verdict.blocked_by, verdict.limited);
    let attachments = if status == DocumentStatus::Adopted { d.attachments.clone() } else { Vec::new() };
    Some(DocumentState {
        id,
        title,
        organ,
        procedure,
        status,
        since,
        blocked_by,
        sheet,
        excluded,
        tally,
        closes,
        proposed: d.proposal,
        decisions: d.decisions.clone(),
        transfers: d.transfers.clone(),
        attachments,
        limited_format: limited,
    })
}
