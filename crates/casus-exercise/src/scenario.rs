//! Scenario files: an exercise written as literate Markdown.
//!
//! A scenario file holds ```exercise blocks (the exercise, its roles and
//! its injects) beside ```acts blocks (the acts the injects release, in the
//! record syntax, read by `casus-lang`'s own record parser: there is no
//! second act parser here). Reading is in two steps, because the treaty and
//! the starting record are files the scenario names, which the caller
//! reads: [`parse`] reads the exercise blocks; [`resolve`] reads the acts
//! blocks against the treaty and checks the roles and injects.
//!
//! ```exercise
//! exercise "Harbour crisis (FICTION)"
//!   fiction
//!   treaty   "exercise-lakes-treaty.md"
//!   record   "exercise-lakes-record.md"
//!   start    2031-03-01T09:00:00Z
//!   end      2031-03-03
//!   rate     60
//!
//! control white_cell
//! delegation ALD
//!   title    "Aldoria"
//! evaluator eval_1
//!
//! inject I1
//!   act      fees_draft
//!   turn     1
//! ```

use std::collections::{BTreeMap, BTreeSet};

use casus_lang::syntax::{self, Decl, Token, TokenKind};
use casus_lang::{Diagnostic, Diagnostics, codes as lang_codes};
use casus_model::{Record, Span, Symbols, Time, Treaty};
use serde::{Deserialize, Serialize};

use crate::codes;

/// Most roles in one scenario.
pub const MAX_ROLES: usize = 256;
/// Most injects in one scenario.
pub const MAX_INJECTS: usize = 10_000;
/// The fastest clock: scenario seconds per exercise second (a year per hour is 8,760).
pub const MAX_RATE: u32 = 1_000_000;
/// The highest turn number.
pub const MAX_TURN: u32 = 10_000;

/// What a role does in the exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleKind {
    /// Plays one party: signs its acts with its own key.
    Delegation,
    /// The white cell: releases injects, runs the clock, records ad-hoc acts.
    Control,
    /// Watches the alliance's state.
    Observer,
    /// Writes observations for the after-action report.
    Evaluator,
}

impl RoleKind {
    pub fn word(self) -> &'static str {
        match self {
            RoleKind::Delegation => "delegation",
            RoleKind::Control => "control",
            RoleKind::Observer => "observer",
            RoleKind::Evaluator => "evaluator",
        }
    }
    fn from_word(w: &str) -> Option<RoleKind> {
        Some(match w {
            "delegation" => RoleKind::Delegation,
            "control" => RoleKind::Control,
            "observer" => RoleKind::Observer,
            "evaluator" => RoleKind::Evaluator,
            _ => return None,
        })
    }
}

/// One role: a delegation (named by its party's code) or a member of the
/// exercise staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub kind: RoleKind,
    pub title: String,
    #[serde(skip)]
    pub span: Span,
}

/// One entry of the MSEL: an act control releases at its scenario time, or
/// once an act with the id `after` is in the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inject {
    pub id: String,
    pub turn: u32,
    /// The id of the act it releases.
    pub act: String,
    pub after: Option<String>,
    pub title: String,
    /// The act's time: the scenario time the inject is due (filled by [`resolve`]).
    pub time: i64,
    /// The act's actor and kind, for listings (filled by [`resolve`]).
    pub actor: String,
    pub kind: String,
    /// The act in the record syntax, as the scenario writes it (filled by [`resolve`]).
    pub text: String,
    #[serde(skip)]
    pub span: Span,
}

/// A scenario as read from its file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub title: String,
    pub fiction: bool,
    /// The treaty file, relative to the scenario file.
    pub treaty: String,
    /// The starting record, relative to the scenario file.
    pub record: Option<String>,
    /// Only the starting record's acts up to the end of this day (or this instant) are taken.
    pub until: Option<i64>,
    /// The scenario time at which the exercise starts.
    pub start: i64,
    /// The scenario time at which the exercise ends, if it says.
    pub end: Option<i64>,
    /// Scenario seconds per exercise second at the start.
    pub rate: u32,
    pub roles: Vec<Role>,
    pub injects: Vec<Inject>,
    #[serde(skip)]
    pub header_span: Span,
}

impl Scenario {
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }
    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|i| i.id == id)
    }
    /// The delegations' party codes, in the order written.
    pub fn delegations(&self) -> impl Iterator<Item = &Role> {
        self.roles.iter().filter(|r| r.kind == RoleKind::Delegation)
    }
}

/// Is this file meant to be fiction by its name (`exercise-*`)?
pub fn named_as_fiction(name: &str) -> bool {
    std::path::Path::new(name).file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("exercise-"))
}

/// Reads the exercise blocks of a scenario file. The treaty and record
/// paths it returns are for the caller to read; [`resolve`] does the rest.
pub fn parse(name: &str, text: &str) -> (Scenario, Vec<Diagnostic>) {
    let mut diags = Diagnostics::new();
    let mut s = Scenario { rate: 1, ..Scenario::default() };
    let mut header = false;
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut full = false;
    for range in casus_lang::markdown::block_ranges(name, text, "exercise") {
        syntax::for_each_item(text, range, &mut diags, |item, diags| {
            let syntax::Item::Decl(decl) = item else { return };
            let head = &decl.head;
            let Some(first) = head.tokens.first() else { return };
            match first.text.as_str() {
                "exercise" if first.kind == TokenKind::Word => {
                    if header {
                        diags.push(
                            Diagnostic::error(codes::HEADER, head.span, "a second `exercise` declaration").help("a scenario file describes one exercise"),
                        );
                        return;
                    }
                    header = true;
                    s.header_span = head.span;
                    s.title = string(head.tokens.get(1), head.span, "the exercise's title", diags).unwrap_or_default();
                    exercise_clauses(&decl, &mut s, diags);
                }
                w if first.kind == TokenKind::Word && RoleKind::from_word(w).is_some() => {
                    let kind = RoleKind::from_word(w).unwrap_or(RoleKind::Observer);
                    let Some(role_name) = name_tok(head.tokens.get(1), head.span, &format!("the {w}'s name"), diags) else { return };
                    if !names.insert(role_name.clone()) {
                        diags.push(Diagnostic::error(codes::DUPLICATE, head.span, format!("the role `{role_name}` is given twice")));
                        return;
                    }
                    if s.roles.len() == MAX_ROLES {
                        if !full {
                            diags.push(Diagnostic::error(codes::TOO_MANY, head.span, format!("more than {MAX_ROLES} roles")));
                        }
                        full = true;
                        return;
                    }
                    let mut role = Role { title: role_name.clone(), name: role_name, kind, span: head.span };
                    for c in decl.clauses() {
                        let toks = &c.line.tokens;
                        match toks[0].text.as_str() {
                            "title" => {
                                if let Some(t) = string(toks.get(1), c.line.span, "the title", diags) {
                                    role.title = t;
                                }
                            }
                            other => diags.push(
                                Diagnostic::error(codes::UNKNOWN, toks[0].span, format!("`{w}` takes no clause `{other}`")).help(format!("`{w}` takes: title")),
                            ),
                        }
                    }
                    s.roles.push(role);
                }
                "inject" if first.kind == TokenKind::Word => {
                    let Some(id) = name_tok(head.tokens.get(1), head.span, "the inject's id", diags) else { return };
                    if s.injects.iter().any(|i| i.id == id) {
                        diags.push(Diagnostic::error(codes::DUPLICATE, head.span, format!("the inject `{id}` is given twice")));
                        return;
                    }
                    if s.injects.len() == MAX_INJECTS {
                        if !full {
                            diags.push(Diagnostic::error(codes::TOO_MANY, head.span, format!("more than {MAX_INJECTS} injects")));
                        }
                        full = true;
                        return;
                    }
                    let mut inject = Inject {
                        id,
                        turn: 1,
                        act: String::new(),
                        after: None,
                        title: String::new(),
                        time: 0,
                        actor: String::new(),
                        kind: String::new(),
                        text: String::new(),
                        span: head.span,
                    };
                    for c in decl.clauses() {
                        let toks = &c.line.tokens;
                        match toks[0].text.as_str() {
                            "act" => inject.act = name_tok(toks.get(1), c.line.span, "the act's id", diags).unwrap_or_default(),
                            "after" => inject.after = name_tok(toks.get(1), c.line.span, "the id of the act it waits for", diags),
                            "title" => inject.title = string(toks.get(1), c.line.span, "the title", diags).unwrap_or_default(),
                            "turn" => match number(toks.get(1), c.line.span, "the turn", diags) {
                                Some(n) if (1..=MAX_TURN).contains(&n) => inject.turn = n,
                                Some(n) => diags.push(Diagnostic::error(codes::BAD_VALUE, toks[1].span, format!("turn {n} is not between 1 and {MAX_TURN}"))),
                                None => {}
                            },
                            other => diags.push(
                                Diagnostic::error(codes::UNKNOWN, toks[0].span, format!("`inject` takes no clause `{other}`"))
                                    .help("`inject` takes: act, turn, after, title"),
                            ),
                        }
                    }
                    if inject.act.is_empty() {
                        diags.push(
                            Diagnostic::error(codes::UNKNOWN_ACT, head.span, format!("the inject `{}` names no act", inject.id))
                                .help("add `act ID`, the id of an act in an ```acts block of this file"),
                        );
                    }
                    s.injects.push(inject);
                }
                _ => diags.push(
                    Diagnostic::error(codes::UNKNOWN, first.span, format!("expected `exercise`, a role or `inject`, found {}", first.describe()))
                        .help("an exercise block declares: exercise, delegation, control, observer, evaluator, inject"),
                ),
            }
        });
    }
    if !header {
        diags.push(
            Diagnostic::error(codes::HEADER, Span::new(0, 0), "no `exercise` declaration")
                .help("a scenario file opens an ```exercise block with `exercise \"TITLE\"` and its treaty and start"),
        );
    }
    if header && !s.roles.iter().any(|r| r.kind == RoleKind::Control) {
        diags.push(
            Diagnostic::error(codes::NO_CONTROL, s.header_span, "no `control` role: nobody could release the injects or run the clock")
                .help("add `control white_cell`"),
        );
    }
    if header && !s.roles.iter().any(|r| r.kind == RoleKind::Evaluator) {
        diags.push(Diagnostic::warning(codes::NO_EVALUATOR, s.header_span, "no `evaluator` role: the after-action report will hold no observations"));
    }
    if header && named_as_fiction(name) != s.fiction {
        let msg = if s.fiction {
            "this scenario is marked `fiction` but its file is not named `exercise-*`"
        } else {
            "this file is named `exercise-*`, which is kept for fiction, but the scenario is not marked `fiction`"
        };
        diags.push(Diagnostic::warning(codes::FICTION_MARK, s.header_span, msg).help("fiction lives only in files named exercise-*, marked as fiction"));
    }
    (s, diags.into_vec())
}

fn exercise_clauses(decl: &Decl, s: &mut Scenario, diags: &mut Diagnostics) {
    let mut start = false;
    for c in decl.clauses() {
        let toks = &c.line.tokens;
        let at = c.line.span;
        match toks[0].text.as_str() {
            "fiction" => s.fiction = true,
            "treaty" => s.treaty = string(toks.get(1), at, "the treaty file's path", diags).unwrap_or_default(),
            "record" => s.record = string(toks.get(1), at, "the starting record's path", diags),
            "until" => s.until = date(toks.get(1), at, diags, true),
            "start" => {
                if let Some(t) = date(toks.get(1), at, diags, false) {
                    s.start = t;
                    start = true;
                }
            }
            "end" => s.end = date(toks.get(1), at, diags, true),
            "rate" => match number(toks.get(1), at, "the clock's rate", diags) {
                Some(n) if (1..=MAX_RATE).contains(&n) => s.rate = n,
                Some(n) => diags.push(
                    Diagnostic::error(codes::BAD_RATE, toks[1].span, format!("a rate of {n}: it must be between 1 and {MAX_RATE}"))
                        .help("the rate is scenario seconds per exercise second; control pauses the clock during the exercise"),
                ),
                None => {}
            },
            other => diags.push(
                Diagnostic::error(codes::UNKNOWN, toks[0].span, format!("`exercise` takes no clause `{other}`"))
                    .help("`exercise` takes: fiction, treaty, record, until, start, end, rate"),
            ),
        }
    }
    if s.treaty.is_empty() {
        diags.push(Diagnostic::error(codes::HEADER, decl.head.span, "the exercise names no treaty").help("add `treaty \"PATH\"`, relative to this file"));
    }
    if !start {
        diags.push(
            Diagnostic::error(codes::HEADER, decl.head.span, "the exercise has no `start`")
                .help("add `start 2022-09-14T12:00:00Z`: the scenario time the exercise opens at"),
        );
    }
    if let (Some(e), true) = (s.end, start)
        && e <= s.start
    {
        diags.push(Diagnostic::error(codes::BAD_VALUE, decl.head.span, "the exercise ends before it starts"));
    }
}

fn string(tok: Option<&Token>, at: Span, what: &str, diags: &mut Diagnostics) -> Option<String> {
    match tok {
        Some(t) if t.kind == TokenKind::Str => Some(t.text.clone()),
        Some(t) => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, t.span, format!("expected {what} as a string, found {}", t.describe())));
            None
        }
        None => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, at, format!("expected {what}")));
            None
        }
    }
}

fn name_tok(tok: Option<&Token>, at: Span, what: &str, diags: &mut Diagnostics) -> Option<String> {
    match tok {
        Some(t) if t.kind == TokenKind::Word => Some(t.text.clone()),
        Some(t) => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, t.span, format!("expected {what} as a name, found {}", t.describe())));
            None
        }
        None => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, at, format!("expected {what}")));
            None
        }
    }
}

fn number(tok: Option<&Token>, at: Span, what: &str, diags: &mut Diagnostics) -> Option<u32> {
    match tok {
        Some(t) if t.kind == TokenKind::Number => match t.text.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                diags.push(Diagnostic::error(codes::BAD_VALUE, t.span, format!("{what} `{}` is too large", t.text)));
                None
            }
        },
        Some(t) => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, t.span, format!("expected {what} as a whole number, found {}", t.describe())));
            None
        }
        None => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, at, format!("expected {what}")));
            None
        }
    }
}

/// A date or time; a bare date means the end of that day when `end_of_day`.
fn date(tok: Option<&Token>, at: Span, diags: &mut Diagnostics, end_of_day: bool) -> Option<i64> {
    let Some(t) = tok else {
        diags.push(Diagnostic::error(codes::BAD_VALUE, at, "expected a date"));
        return None;
    };
    match Time::parse(&t.text) {
        Some((time, casus_model::Precision::Day)) if end_of_day => Some(time.end_of_day().0),
        Some((time, _)) => Some(time.0),
        None => {
            diags.push(Diagnostic::error(codes::BAD_VALUE, t.span, format!("`{}` is not a date", t.text)).help("like 2022-09-14 or 2022-09-14T12:00:00Z"));
            None
        }
    }
}

/// The acts of the starting record the exercise opens with: those up to
/// `until` when it is given.
pub fn starting_acts(s: &Scenario, record: &Record) -> Vec<casus_model::Act> {
    record.acts.iter().filter(|a| s.until.is_none_or(|u| a.time.0 <= u)).cloned().collect()
}

/// Reads the scenario's acts blocks against the treaty (with `casus-lang`'s
/// record reader) and checks the roles and injects; fills each inject's
/// time, actor, kind and text. `starting` holds the acts the exercise
/// opens with, whose documents, cases and ids the injects may name.
pub fn resolve(
    s: &mut Scenario,
    name: &str,
    text: &str,
    treaty: &Treaty,
    symbols: &mut Symbols,
    starting: &[casus_model::Act],
) -> (Vec<casus_model::Act>, Vec<Diagnostic>) {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut known: BTreeSet<String> = BTreeSet::new();
    for a in starting {
        for sym in [a.id, a.document, a.case] {
            if sym.is_some() {
                known.insert(symbols.name(sym).to_string());
            }
        }
    }
    let has_acts = !casus_lang::markdown::block_ranges(name, text, "acts").is_empty();
    let (record, diags) = if has_acts { casus_lang::load_record(name, text, treaty, symbols) } else { (Record::default(), Vec::new()) };
    for d in diags {
        // Documents and cases opened by the starting record are known to
        // the exercise's ledger: the record reader sees only this file.
        if [lang_codes::UNKNOWN_DOCUMENT, lang_codes::UNKNOWN_CASE].contains(&d.code) && known.iter().any(|k| d.message.contains(&format!("`{k}`"))) {
            continue;
        }
        out.push(d);
    }
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for (i, a) in record.acts.iter().enumerate() {
        if a.id.is_some() {
            by_id.insert(symbols.name(a.id).to_string(), i);
        }
    }
    // Roles: each delegation plays a party of the treaty.
    let parties: Vec<String> = treaty.parties.iter().map(|p| symbols.name(p.code).to_string()).collect();
    for r in s.roles.iter().filter(|r| r.kind == RoleKind::Delegation) {
        if !parties.contains(&r.name) {
            out.push(
                Diagnostic::error(codes::NOT_A_PARTY, r.span, format!("`{}` is not a party of the treaty", r.name))
                    .suggest(&r.name, parties.iter().map(String::as_str)),
            );
        }
    }
    if !s.roles.is_empty() {
        // The members when the exercise starts (states that never joined and
        // former members play no part).
        let lines = casus_model::membership::timelines(treaty, starting);
        let members: Vec<String> = lines
            .iter()
            .filter(|(_, changes)| casus_model::membership::is_member(changes, Time(s.start)))
            .map(|(code, _)| symbols.name(*code).to_string())
            .collect();
        for p in &members {
            if !s.roles.iter().any(|r| r.kind == RoleKind::Delegation && &r.name == p) {
                out.push(Diagnostic::warning(codes::PARTY_WITHOUT_DELEGATION, s.header_span, format!("party {p} has no delegation: control plays it")));
            }
        }
    }
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let inject_ids: BTreeSet<String> = s.injects.iter().map(|i| i.id.clone()).collect();
    for inj in &mut s.injects {
        if inj.act.is_empty() {
            continue;
        }
        let Some(&i) = by_id.get(&inj.act) else {
            out.push(
                Diagnostic::error(codes::UNKNOWN_ACT, inj.span, format!("no act of this file's ```acts blocks has the id `{}`", inj.act))
                    .suggest(&inj.act, by_id.keys().map(String::as_str)),
            );
            continue;
        };
        if !used.insert(i) {
            out.push(Diagnostic::error(codes::ACT_TWICE, inj.span, format!("the act `{}` is released by another inject already", inj.act)));
        }
        let a = &record.acts[i];
        if a.sources.is_empty() {
            out.push(
                Diagnostic::error(codes::INJECT_NO_SOURCE, a.span, format!("the act `{}` has no source", inj.act))
                    .help("an inject enters the ledger in record mode, which needs a source: cite the scenario, e.g. source \"Exercise scenario (fiction)\""),
            );
        }
        if a.time.0 < s.start {
            out.push(Diagnostic::warning(codes::INJECT_BEFORE_START, inj.span, format!("the inject `{}` is dated before the exercise starts", inj.id)));
        }
        inj.time = a.time.0;
        inj.actor = symbols.name(a.actor).to_string();
        inj.kind = a.kind.keyword().to_string();
        inj.text = format!("{}\n", text.get(a.span.start as usize..a.span.end as usize).unwrap_or("").trim_end());
        if inj.title.is_empty() {
            inj.title = format!("{} {}", inj.actor, a.kind.past());
        }
        if let Some(after) = &inj.after
            && !known.contains(after)
            && !by_id.contains_key(after)
            && !inject_ids.contains(after)
        {
            out.push(Diagnostic::error(
                codes::UNKNOWN_CONDITION,
                inj.span,
                format!("`after {after}`: no act of the starting record or this file, and no inject, has that id"),
            ));
        }
    }
    for (i, a) in record.acts.iter().enumerate() {
        if !used.contains(&i) {
            let id = if a.id.is_some() { format!("`{}`", symbols.name(a.id)) } else { "without an id".to_string() };
            out.push(
                Diagnostic::warning(codes::ACT_WITHOUT_INJECT, a.span, format!("the act {id} is released by no inject"))
                    .help("add `inject ID` with `act` naming it, or remove it"),
            );
        }
    }
    (record.acts, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_and_roles_are_read() {
        let text = "```exercise\nexercise \"T\"\n  treaty \"t.md\"\n  start 2022-09-14T12:00:00Z\n  rate 60\n\ncontrol cell\ndelegation ARM\n  title \"Armenia\"\nevaluator e1\n\ninject I1\n  act a1\n  turn 2\n```\n";
        let (s, diags) = parse("x.md", text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!((s.title.as_str(), s.treaty.as_str(), s.rate), ("T", "t.md", 60));
        assert_eq!(s.start, Time::parse("2022-09-14T12:00:00Z").unwrap().0.0);
        assert_eq!(
            s.roles.iter().map(|r| (r.name.as_str(), r.kind)).collect::<Vec<_>>(),
            [("cell", RoleKind::Control), ("ARM", RoleKind::Delegation), ("e1", RoleKind::Evaluator)]
        );
        assert_eq!(s.role("ARM").map(|r| r.title.as_str()), Some("Armenia"));
        assert_eq!((s.injects[0].id.as_str(), s.injects[0].act.as_str(), s.injects[0].turn), ("I1", "a1", 2));
    }

    #[test]
    fn a_file_without_an_exercise_is_an_error() {
        let (_, diags) = parse("x.md", "# nothing\n");
        assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), [codes::HEADER]);
    }
}
