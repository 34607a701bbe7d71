//! The book a question is asked of: a treaty with its acts, loaded from a
//! treaty file and a record file, or from a ledger as known at a record
//! time. Loading is strict (a file with an error is refused, with its
//! diagnostics for the caller to render), and written once here for the
//! command line and the server.
//!
//! Also here: the names a record already knows ([`KnownNames`]), the one
//! rule by which acts added to a record (a what-if file, an append, a
//! signed write) may refer to documents and cases opened before them.

use casus_lang::{Diagnostic, codes};
use casus_ledger::Ledger;
use casus_model::{Act, Record, Symbols, Time, Treaty};
use std::collections::HashSet;

/// A treaty with its acts, and the names they use.
#[derive(Debug, Default)]
pub struct Book {
    pub symbols: Symbols,
    pub treaty: Treaty,
    pub record: Record,
    /// From a ledger: each act's entry position (empty for files).
    pub positions: Vec<u64>,
    /// From a ledger: when its witnesses' cosignatures prove entries were
    /// logged (empty for files, or a ledger with no cosigned checkpoint).
    pub logged: crate::WitnessedTimes,
}

/// Why a book did not load.
#[derive(Debug)]
pub enum BookError {
    /// A file (or the treaty a ledger binds) has errors: every error
    /// diagnostic, with the file's name and text to render them.
    Rejected { name: String, text: String, errors: Vec<Diagnostic> },
    /// The ledger's treaty is not UTF-8.
    NotText { name: String },
    /// The ledger could not be read.
    Ledger(casus_ledger::LedgerError),
}

impl BookError {
    /// The errors rendered as rustc does, for people (empty when there are none).
    pub fn render(&self) -> String {
        match self {
            BookError::Rejected { name, text, errors } => casus_lang::render(errors, name, text),
            _ => String::new(),
        }
    }
}

impl std::fmt::Display for BookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BookError::Rejected { name, errors, .. } => {
                write!(f, "{name} has {}; run `casus check` for every diagnostic", casus_lang::count(errors.len(), "error", "errors"))
            }
            BookError::NotText { name } => write!(f, "the ledger's treaty {name} is not UTF-8"),
            BookError::Ledger(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BookError {}

impl From<casus_ledger::LedgerError> for BookError {
    fn from(e: casus_ledger::LedgerError) -> BookError {
        BookError::Ledger(e)
    }
}

/// Keeps the error diagnostics, or none.
fn errors_of(name: &str, text: &str, diags: Vec<Diagnostic>) -> Result<(), BookError> {
    let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
    if errors.is_empty() { Ok(()) } else { Err(BookError::Rejected { name: name.to_string(), text: text.to_string(), errors }) }
}

/// A treaty from its text, refused if it has an error.
pub fn load_treaty(name: &str, text: &str, symbols: &mut Symbols) -> Result<Treaty, BookError> {
    let (treaty, diags) = casus_lang::load_treaty(name, text, symbols);
    errors_of(name, text, diags)?;
    Ok(treaty)
}

impl Book {
    /// A treaty and a record from their texts, `(name, text)` each; either
    /// with an error is refused.
    pub fn from_texts(treaty: (&str, &str), record: (&str, &str)) -> Result<Book, BookError> {
        let mut symbols = Symbols::new();
        let t = load_treaty(treaty.0, treaty.1, &mut symbols)?;
        let (r, diags) = casus_lang::load_record(record.0, record.1, &t, &mut symbols);
        errors_of(record.0, record.1, diags)?;
        Ok(Book { symbols, treaty: t, record: r, ..Book::default() })
    }

    /// Adds to an explanation of this book's state what the engine does
    /// not know: when the witnesses prove each cited act was logged.
    pub fn attach_logged(&self, explanation: &mut crate::Explanation) {
        crate::logged::attach(explanation, |i| self.positions.get(i).copied(), &self.logged);
    }

    /// A treaty with no acts: the state its own text gives.
    pub fn from_treaty_text(name: &str, text: &str) -> Result<Book, BookError> {
        Book::from_texts((name, text), ("no record", ""))
    }

    /// The treaty a ledger binds and its acts as known at record time
    /// `as_of` (every act without it), with their positions and the
    /// witnessed times of its cosigned checkpoints. Signatures are checked
    /// by the ledger's `verify`; this reads the log's structure and rules
    /// only.
    pub fn from_ledger(ledger: &mut Ledger, as_of: Option<Time>) -> Result<Book, BookError> {
        let mut symbols = Symbols::new();
        let info = ledger.treaty()?;
        let text = String::from_utf8(info.text).map_err(|_| BookError::NotText { name: info.name.clone() })?;
        let treaty = load_treaty(&info.name, &text, &mut symbols)?;
        let (acts, positions) = ledger.positioned_acts_as_of(as_of, &mut symbols)?;
        let notes = ledger.checkpoint_notes()?;
        let logged = crate::WitnessedTimes::from_notes(notes.iter().map(|(size, bytes)| (*size, &bytes[..])));
        Ok(Book { symbols, treaty, record: Record { title: String::new(), acts }, positions, logged })
    }
}

/// What later acts are checked against: the names acts have introduced so
/// far (their ids, the documents they put forward, the cases they open),
/// so that later acts may refer to them, and the acts that may have
/// changed who is a member, so that a state that acceded may act as a
/// member and one that left may not.
#[derive(Debug, Clone, Default)]
pub struct KnownNames {
    names: HashSet<String>,
    membership: Vec<Act>,
}

impl KnownNames {
    /// The names `acts` introduce.
    pub fn of(acts: &[Act], symbols: &Symbols) -> KnownNames {
        let mut k = KnownNames::default();
        for a in acts {
            k.add(a, symbols);
        }
        k
    }

    /// Takes in the names one act introduces, and the act itself if it
    /// may change membership.
    pub fn add(&mut self, act: &Act, symbols: &Symbols) {
        for s in [act.id, act.document, act.case] {
            if s.is_some() {
                self.names.insert(symbols.name(s).to_string());
            }
        }
        if casus_model::membership::may_change_membership(act) {
            self.membership.push(act.clone());
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Parses and checks acts that come after the ones taken in: the
    /// language's checks with the membership those changed
    /// ([`casus_lang::load_record_after`]), then [`KnownNames::excuse`].
    /// `symbols` must hold the treaty's names where the acts taken in had
    /// them (the same table, or a copy of the treaty's part).
    pub fn load_after(&self, name: &str, text: &str, treaty: &Treaty, symbols: &mut Symbols) -> (Record, Vec<Diagnostic>) {
        let (record, diags) = casus_lang::load_record_after(name, text, treaty, symbols, &self.membership);
        let diags = self.excuse(diags, &record.acts, symbols);
        (record, diags)
    }

    /// The diagnostics of acts added after these names, with "unknown
    /// document" and "unknown case" dropped when every document and case
    /// the added acts name is known, or introduced by an added act before
    /// it (the language checks a file alone, and cannot know them).
    pub fn excuse(&self, diags: Vec<Diagnostic>, added: &[Act], symbols: &Symbols) -> Vec<Diagnostic> {
        let mut introduced: HashSet<&str> = HashSet::new();
        let mut resolved = true;
        for a in added {
            for s in [a.document, a.case] {
                if s.is_some() && !self.contains(symbols.name(s)) && !introduced.contains(symbols.name(s)) {
                    resolved = false;
                }
            }
            for s in [a.id, a.document] {
                if s.is_some() {
                    introduced.insert(symbols.name(s));
                }
            }
        }
        if !resolved {
            return diags;
        }
        diags.into_iter().filter(|d| d.code != codes::UNKNOWN_DOCUMENT && d.code != codes::UNKNOWN_CASE).collect()
    }
}
