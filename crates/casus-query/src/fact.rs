//! The ids of derived facts (`party/ARM`, `obligation/CASE/DUTY/DEBTOR`,
//! `obligation/CASE/DUTY/DEBTOR/CREDITOR`, …): the grammar that reports write, `casus explain FACT`, `/api/explain`
//! and `casus blockers` read, built and parsed here only. Also the name an
//! act goes by when the record gives it no id (`act-N`), since a case is
//! named by the act that opened it.

use casus_model::{Act, Symbols};

/// A derived fact, by the names of what it is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactId {
    /// A party's status: `party/CODE`.
    Party(String),
    /// An organ's chair: `chair/ORGAN`.
    Chair(String),
    /// A document's verdict: `document/ID`.
    Document(String),
    /// A case, named by the act that opened it: `case/ID`.
    Case(String),
    /// One debtor's obligation in a case: `obligation/CASE/DUTY/DEBTOR`;
    /// `…/DEBTOR/CREDITOR` where the debtor owes the same duty in the case
    /// to several parties (a joint request engages it for each requester).
    Obligation { case: String, duty: String, debtor: String, creditor: Option<String> },
}

/// The forms a fact id takes, for error messages.
pub const FACT_FORMS: &str = "party/CODE, chair/ORGAN, document/ID, case/ID, obligation/CASE/DUTY/DEBTOR[/CREDITOR]";

/// Longest fact id read, in bytes.
pub const MAX_FACT_BYTES: usize = 512;

impl FactId {
    /// Reads a fact id; `None` if it is not one (a name is never empty and
    /// never holds a `/`).
    pub fn parse(s: &str) -> Option<FactId> {
        if s.len() > MAX_FACT_BYTES {
            return None;
        }
        let (kind, rest) = s.split_once('/')?;
        let name = |n: &str| (!n.is_empty() && !n.contains('/')).then(|| n.to_string());
        match kind {
            "party" => name(rest).map(FactId::Party),
            "chair" => name(rest).map(FactId::Chair),
            "document" => name(rest).map(FactId::Document),
            "case" => name(rest).map(FactId::Case),
            "obligation" => {
                let mut parts = rest.split('/');
                let (case, duty, debtor) = (name(parts.next()?)?, name(parts.next()?)?, name(parts.next()?)?);
                let creditor = match parts.next() {
                    Some(c) => Some(name(c)?),
                    None => None,
                };
                parts.next().is_none().then_some(FactId::Obligation { case, duty, debtor, creditor })
            }
            _ => None,
        }
    }

    /// The word before the first `/`.
    pub fn kind(&self) -> &'static str {
        match self {
            FactId::Party(_) => "party",
            FactId::Chair(_) => "chair",
            FactId::Document(_) => "document",
            FactId::Case(_) => "case",
            FactId::Obligation { .. } => "obligation",
        }
    }
}

impl std::fmt::Display for FactId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FactId::Party(n) | FactId::Chair(n) | FactId::Document(n) | FactId::Case(n) => write!(f, "{}/{n}", self.kind()),
            FactId::Obligation { case, duty, debtor, creditor: None } => write!(f, "obligation/{case}/{duty}/{debtor}"),
            FactId::Obligation { case, duty, debtor, creditor: Some(c) } => write!(f, "obligation/{case}/{duty}/{debtor}/{c}"),
        }
    }
}

/// The name of the act at `index` (from 0) in its record: its own id, or
/// `act-N` by position (from 1) when the record gives it none.
pub fn act_name(act: &Act, symbols: &Symbols, index: usize) -> String {
    if act.id.is_some() { symbols.name(act.id).to_string() } else { format!("act-{}", index + 1) }
}
