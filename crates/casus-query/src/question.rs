//! The question a front end asks: the date to derive the state on (`at`),
//! the record time it is known at (`as_of`) and the readings of the text
//! (`QUESTION=OPTION`), parsed once, with their limits and errors, for the
//! command line's flags and the server's query string alike.
//!
//! "A date means the end of that day" is written here ([`parse_time`]),
//! and so is "today" ([`today`]); [`system_now`] is the one place that
//! reads the clock (the server injects its own clock in tests, and passes
//! its time to [`Question::resolve`] like everyone else).

use casus_model::{Act, Precision, Sym, Symbols, Time, Treaty};
use std::collections::BTreeMap;

/// Most readings one question names (a treaty with more questions than
/// this is read with the rest at their defaults).
pub const MAX_READINGS: usize = 64;
/// Longest date or reading accepted, in bytes.
pub const MAX_VALUE_BYTES: usize = 256;

/// The parameter that names the date (query string; `--at` on the command line).
pub const AT: &str = "at";
/// The parameter that names the record time (query string; `--as-of`).
pub const AS_OF: &str = "as_of";
/// The parameter that names a reading, as links write it (`--reading` /
/// `-i` on the command line).
pub const READING: &str = "reading";
/// Its older name, still accepted (`--interpretation` on the command line).
pub const READING_ALIAS: &str = "interpretation";
/// Its short form, accepted in query strings as `-i` is on the command line.
pub const READING_SHORT: &str = "i";

/// Why a question could not be read or answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionError {
    /// `at` or `as_of` is not a date.
    BadDate { param: &'static str, value: String },
    /// A reading is not `QUESTION=OPTION`.
    BadReading(String),
    /// A reading names no question of the treaty.
    UnknownQuestion { question: String, known: Vec<String> },
    /// A reading names no option of its question.
    UnknownOption { question: String, option: String, known: Vec<String> },
    /// More readings than [`MAX_READINGS`].
    TooManyReadings,
    /// A value longer than [`MAX_VALUE_BYTES`].
    TooLong { param: &'static str },
}

impl QuestionError {
    /// The stable code the server answers with (`docs/SERVER.md`).
    pub fn code(&self) -> &'static str {
        match self {
            QuestionError::BadDate { .. } => "bad_date",
            QuestionError::BadReading(_) | QuestionError::UnknownQuestion { .. } | QuestionError::UnknownOption { .. } => "unknown_reading",
            QuestionError::TooManyReadings | QuestionError::TooLong { .. } => "bad_request",
        }
    }
}

impl std::fmt::Display for QuestionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuestionError::BadDate { param, value } => write!(f, "`{param}`: `{value}` is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"),
            QuestionError::BadReading(r) => write!(f, "`{r}` is not QUESTION=OPTION"),
            QuestionError::UnknownQuestion { question, known } if known.is_empty() => {
                write!(f, "unknown question `{question}`; the treaty asks none")
            }
            QuestionError::UnknownQuestion { question, known } => write!(f, "unknown question `{question}`; the treaty asks: {}", known.join(", ")),
            QuestionError::UnknownOption { question, option, known } => {
                write!(f, "`{option}` is not an option of `{question}`; options: {}", known.join(", "))
            }
            QuestionError::TooManyReadings => write!(f, "at most {MAX_READINGS} readings"),
            QuestionError::TooLong { param } => write!(f, "`{param}` is longer than {MAX_VALUE_BYTES} bytes"),
        }
    }
}

impl std::error::Error for QuestionError {}

/// Seconds since 1970, UTC, from the system clock: the one place casus
/// reads it for a question (the engine never does).
pub fn system_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// "Today" at `now` (seconds): the end of that day, as a date means.
pub fn today(now: i64) -> Time {
    Time(now).end_of_day()
}

/// A date (the end of that day) or a date and time, UTC; surrounding
/// spaces ignored. `None` when it is neither.
pub fn parse_time(s: &str) -> Option<Time> {
    match Time::parse(s.trim())? {
        (t, Precision::Day) => Some(t.end_of_day()),
        (t, _) => Some(t),
    }
}

/// A time as a question writes it, so that [`parse_time`] reads it back
/// as the same time: the end of a day as its date, any other time to the
/// second.
pub fn format_time(t: Time) -> String {
    if t == t.end_of_day() { t.format(Precision::Day) } else { t.format(Precision::Second) }
}

/// One reading of the text: an option chosen for a question, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub question: String,
    pub option: String,
}

impl Reading {
    /// `QUESTION=OPTION`, spaces around either ignored.
    pub fn parse(s: &str) -> Result<Reading, QuestionError> {
        if s.len() > MAX_VALUE_BYTES {
            return Err(QuestionError::TooLong { param: READING });
        }
        match s.split_once('=') {
            Some((q, o)) if !q.trim().is_empty() && !o.trim().is_empty() => Ok(Reading { question: q.trim().to_string(), option: o.trim().to_string() }),
            _ => Err(QuestionError::BadReading(s.trim().to_string())),
        }
    }
}

impl std::fmt::Display for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.question, self.option)
    }
}

/// The question, parsed but not yet checked against a treaty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Question {
    /// The date to derive the state on; `None` is today.
    pub at: Option<Time>,
    /// The record time the state is known at; `None` is everything recorded.
    pub as_of: Option<Time>,
    /// The readings chosen, in the order given (a later one for the same
    /// question wins); other questions take their default.
    pub readings: Vec<Reading>,
}

fn date_param(param: &'static str, value: &str) -> Result<Time, QuestionError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(QuestionError::TooLong { param });
    }
    parse_time(value).ok_or_else(|| QuestionError::BadDate { param, value: value.trim().to_string() })
}

impl Question {
    /// The question of the command line's flags: `--at`, `--as-of` and
    /// every `--reading`.
    pub fn parse(at: Option<&str>, as_of: Option<&str>, readings: &[String]) -> Result<Question, QuestionError> {
        let mut q = Question::default();
        if let Some(a) = at {
            q.set(AT, a)?;
        }
        if let Some(a) = as_of {
            q.set(AS_OF, a)?;
        }
        for r in readings {
            q.push(Reading::parse(r)?)?;
        }
        Ok(q)
    }

    /// Takes one parameter of a query string. Returns whether it belongs
    /// to the question (other parameters are the caller's); an empty value
    /// is no value, as an empty form field sends.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, QuestionError> {
        let value = value.trim();
        match name {
            AT | AS_OF | READING | READING_ALIAS | READING_SHORT if value.is_empty() => {}
            AT => self.at = Some(date_param(AT, value)?),
            AS_OF => self.as_of = Some(date_param(AS_OF, value)?),
            READING | READING_ALIAS | READING_SHORT => self.push(Reading::parse(value)?)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Adds a reading, within [`MAX_READINGS`].
    pub fn push(&mut self, r: Reading) -> Result<(), QuestionError> {
        if self.readings.len() >= MAX_READINGS {
            return Err(QuestionError::TooManyReadings);
        }
        self.readings.push(r);
        Ok(())
    }

    /// The option chosen for `question`, if one is.
    pub fn chosen(&self, question: &str) -> Option<&str> {
        self.readings.iter().rev().find(|r| r.question == question).map(|r| r.option.as_str())
    }

    /// The same question with `option` chosen for `question` (in place of
    /// any other choice for it).
    pub fn choosing(&self, question: &str, option: &str) -> Question {
        let mut q = self.clone();
        q.readings.retain(|r| r.question != question);
        q.readings.push(Reading { question: question.to_string(), option: option.to_string() });
        q
    }

    /// The parameters that ask this question again (for links), in the
    /// order `at`, `as_of`, readings; [`Question::set`] reads them back
    /// as the same question.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(2 + self.readings.len());
        if let Some(t) = self.at {
            out.push((AT, format_time(t)));
        }
        if let Some(t) = self.as_of {
            out.push((AS_OF, format_time(t)));
        }
        out.extend(self.readings.iter().map(|r| (READING, r.to_string())));
        out
    }

    /// The date asked, or today at `now` (seconds).
    pub fn at_or_today(&self, now: i64) -> Time {
        self.at.unwrap_or(today(now))
    }

    /// Checks the readings against the treaty and fixes the date, `now`
    /// (seconds) being the time the caller's clock gives.
    pub fn resolve(&self, treaty: &Treaty, symbols: &Symbols, now: i64) -> Result<Resolved, QuestionError> {
        let mut readings = BTreeMap::new();
        for r in &self.readings {
            let question = symbols.get(&r.question).and_then(|s| treaty.question(s)).ok_or_else(|| QuestionError::UnknownQuestion {
                question: r.question.clone(),
                known: treaty.questions.iter().map(|q| symbols.name(q.id).to_string()).collect(),
            })?;
            let option = symbols.get(&r.option).filter(|s| question.options.iter().any(|o| o.id == *s)).ok_or_else(|| QuestionError::UnknownOption {
                question: r.question.clone(),
                option: r.option.clone(),
                known: question.options.iter().map(|o| symbols.name(o.id).to_string()).collect(),
            })?;
            readings.insert(question.id, option);
        }
        Ok(Resolved { at: self.at_or_today(now), as_of: self.as_of, readings, today: today(now) })
    }
}

/// A question checked against a treaty: what the engine is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub at: Time,
    pub as_of: Option<Time>,
    /// Question → option; questions not named take their default.
    pub readings: BTreeMap<Sym, Sym>,
    /// Today when it was resolved (the default of `at`).
    pub today: Time,
}

/// What a derived state depends on, so that a cache can hold it: the
/// date, how many acts (a prefix of the log) are known, and the readings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateKey {
    pub at: i64,
    pub known: usize,
    pub readings: Vec<(Sym, Sym)>,
}

impl Resolved {
    /// The engine's query.
    pub fn query(&self) -> casus_engine::Query {
        casus_engine::Query { at: self.at, readings: self.readings.clone() }
    }

    /// How many of `acts` (in log order, record times never decreasing)
    /// were recorded by `as_of`: all of them without it. An act with no
    /// record time (from a file) is known from the start.
    pub fn known(&self, acts: &[Act]) -> usize {
        match self.as_of {
            None => acts.len(),
            Some(r) => acts.partition_point(|a| a.recorded.is_none_or(|t| t <= r)),
        }
    }

    /// The cache key of the state this asks of `acts`.
    pub fn key(&self, acts: &[Act]) -> StateKey {
        StateKey { at: self.at.0, known: self.known(acts), readings: self.readings.iter().map(|(q, o)| (*q, *o)).collect() }
    }

    /// Whether this is the question asked most: today, everything known,
    /// every question at its default.
    pub fn is_default(&self) -> bool {
        self.as_of.is_none() && self.readings.is_empty() && self.at == self.today
    }
}
