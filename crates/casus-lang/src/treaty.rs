//! Lowering a literate treaty file into a `casus_model::Treaty`.
//!
//! Two passes over the declarations: the first declares every id (so rules
//! may name a party or question declared further down), the second lowers
//! each declaration and checks every name it uses. Errors never stop the
//! walk; a declaration with an error is left out of the model.

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::lower::{Cx, span_of};
use crate::markdown::{self, Part};
use crate::syntax::{self, Decl, Item, Token, TokenKind};
use casus_model::*;
use std::collections::{BTreeMap, BTreeSet};

/// A quote shared by the rules under one article: its text and offset.
type SharedQuote = std::rc::Rc<(String, usize)>;

/// What an organ's `quorum`, `abstentions` and `excludes` clauses say,
/// applied to each of its vote rules once all its clauses are read.
#[derive(Default)]
struct VoteRefinements {
    quorum: Option<Quorum>,
    abstentions_against: Option<bool>,
    exclude_disputants: bool,
}

impl VoteRefinements {
    fn apply(&self, rule: &mut DecisionRule) {
        if let DecisionRule::Vote(v) = rule {
            v.quorum = self.quorum.or(v.quorum);
            v.abstentions_against = self.abstentions_against.unwrap_or(v.abstentions_against);
            v.exclude_disputants |= self.exclude_disputants;
        }
    }
}

/// The most attackers a condition may count (`only N or more attackers`).
const ATTACKERS_MAX: u32 = 1000;

/// Reads a treaty file. A file whose name ends in `.md` is literate
/// Markdown; any other is read as one `casus` block.
pub fn load_treaty(name: &str, text: &str, symbols: &mut Symbols) -> (Treaty, Vec<Diagnostic>) {
    let mut diags = Diagnostics::new();
    if let Some(d) = crate::size_limit(text.len()) {
        diags.push(d);
        return (Treaty::default(), diags.into_vec());
    }
    let blocks = blocks(name, text, &mut diags);
    let words = Words::intern(symbols);
    let treaty =
        Lowerer { cx: Cx { symbols, diags: &mut diags }, treaty: Treaty { words, ..Treaty::default() }, declared: Declared::default() }.run(&blocks, text);
    (treaty, diags.into_vec())
}

/// A block's byte range with the article section it sits in and the quote
/// a rule in it states (shared by the blocks below one quote).
pub(crate) struct Located {
    pub range: std::ops::Range<usize>,
    pub article: Option<String>,
    pub quote: Option<std::rc::Rc<(String, usize)>>,
}

pub(crate) struct Parsed {
    pub blocks: Vec<Located>,
    pub headings: Vec<(String, String, std::ops::Range<usize>)>,
}

/// Where the blocks are, with their articles and quotes. The blocks are
/// parsed later, one declaration at a time, never held whole.
fn blocks(name: &str, text: &str, diags: &mut Diagnostics) -> Parsed {
    let mut out = Parsed { blocks: Vec::new(), headings: Vec::new() };
    if !name.ends_with(".md") {
        out.blocks.push(Located { range: 0..text.len(), article: None, quote: None });
        return out;
    }
    let mut lines = crate::diagnostic::Cursor::new(text);
    let mut seen_articles = BTreeSet::new();
    // The open article and the level of its heading: a deeper heading
    // (`### 1992 text` under `## Article 4`) stays inside the article.
    let (mut article, mut quote): (Option<(String, u8)>, Option<SharedQuote>) = (None, None);
    markdown::for_each_part(text, "casus", |part| match part {
        Part::Heading { text: heading, level, range } => {
            quote = None;
            match markdown::article_id(&heading) {
                Some(id) => {
                    if seen_articles.insert(id.clone()) {
                        out.headings.push((id.clone(), heading, range));
                    }
                    article = Some((id, level));
                }
                None if article.as_ref().is_some_and(|(_, l)| level > *l) => {}
                None => article = None,
            }
        }
        Part::Quote { text: q, range } => quote = Some(std::rc::Rc::new((q, lines.seek(range.start).0))),
        Part::Block(range) => out.blocks.push(Located { range, article: article.as_ref().map(|a| a.0.clone()), quote: quote.clone() }),
    });
    if out.blocks.is_empty() {
        diags.push(
            Diagnostic::warning(codes::NO_RULES, Span::new(0, 0), "no ```casus blocks in this file")
                .help("a treaty file states its rules in fenced blocks whose info string is `casus`"),
        );
    }
    out
}

/// Where the treaty's provision clauses are, to report a second one and to
/// check them together.
#[derive(Default)]
struct ProvisionSpans {
    term: Option<Span>,
    renews: Option<Span>,
    withdrawal: Option<Span>,
}

#[derive(Default)]
struct Declared {
    versions: BTreeMap<Sym, Span>,
    parties: BTreeMap<Sym, Span>,
    states: BTreeSet<Sym>,
    organs: BTreeMap<Sym, Span>,
    forums: BTreeMap<Sym, Span>,
    questions: BTreeMap<Sym, (Span, Vec<(Sym, bool)>)>,
    articles: BTreeSet<Sym>,
    regions: BTreeMap<Sym, Span>,
}

struct Lowerer<'b> {
    cx: Cx<'b>,
    treaty: Treaty,
    declared: Declared,
}

/// A declaration that the `note` lines right after it are about.
#[derive(Clone, Copy)]
enum Noted {
    Organ(usize),
    Duty(usize),
}

fn head_word(decl: &Decl) -> &str {
    let t = &decl.head.tokens[0];
    if t.kind == TokenKind::Word { &t.text } else { "" }
}

/// A clause's keyword (one or two words) and its arguments.
fn split_clause(tokens: &[Token]) -> (String, &[Token]) {
    if tokens.len() >= 2
        && (tokens[0].is_word("owed") || tokens[0].is_word("held") || (tokens[0].is_word("refrains") && tokens[1].is_word("from")))
        && tokens[1].kind == TokenKind::Word
    {
        return (format!("{} {}", tokens[0].text, tokens[1].text), &tokens[2..]);
    }
    (tokens[0].text.clone(), &tokens[1..])
}

const DECLARATIONS: &str = "treaty, version, party, state, actor, organ, forum, question, duty, power, region, note";

impl Lowerer<'_> {
    fn run(mut self, parsed: &Parsed, text: &str) -> Treaty {
        for (id, heading, range) in &parsed.headings {
            let sym = self.cx.symbols.intern(id);
            if self.declared.articles.insert(sym) {
                self.treaty.articles.push(Article { id: sym, heading: heading.clone(), span: Span::new(range.start, range.end) });
            }
        }
        // Each block is parsed twice, a declaration at a time: first to
        // declare ids (reporting syntax errors), then to lower (quietly).
        let mut syntax_diags = Diagnostics::new();
        for located in &parsed.blocks {
            syntax::for_each_item(text, located.range.clone(), &mut syntax_diags, |item, _| {
                if let Item::Decl(decl) = item {
                    self.declare(&decl);
                }
            });
        }
        let mut treaty_head = None;
        for located in &parsed.blocks {
            // The organ or duty whose declaration the notes that follow it
            // (in this block, with nothing else between) are about.
            let mut noted: Option<Noted> = None;
            syntax::for_each_item(text, located.range.clone(), &mut Diagnostics::muted(), |item, _| {
                if let Item::Decl(decl) = item {
                    let word = head_word(&decl);
                    if word == "treaty" {
                        treaty_head.get_or_insert(decl.head.span);
                    }
                    let (organs, duties) = (self.treaty.organs.len(), self.treaty.duties.len());
                    let notes = self.treaty.notes.len();
                    self.lower(&decl, located, word);
                    noted = match word {
                        "organ" if self.treaty.organs.len() > organs => Some(Noted::Organ(organs)),
                        "duty" if self.treaty.duties.len() > duties => Some(Noted::Duty(duties)),
                        "note" => noted,
                        _ => None,
                    };
                    if let (Some(n), Some((_, text))) = (noted, self.treaty.notes.get(notes).filter(|_| word == "note")) {
                        let text = text.clone();
                        match n {
                            Noted::Organ(i) => self.treaty.organs[i].notes.push(text),
                            Noted::Duty(i) => self.treaty.duties[i].notes.push(text),
                        }
                    }
                }
            });
        }
        self.cx.diags.absorb(syntax_diags);
        self.check_region_nesting();
        match treaty_head {
            None => {
                self.cx
                    .err(codes::MISSING_TREATY, Span::new(0, 0), "no `treaty` declaration")
                    .help("start the first ```casus block with `treaty ID \"Title\"`");
            }
            Some(head) if self.treaty.versions.is_empty() => {
                self.cx
                    .err(codes::MISSING_CLAUSE, head, "the treaty has no date of entry into force")
                    .help("add `in-force DATE` to the treaty declaration, or declare a `version`");
            }
            Some(_) => {}
        }
        self.treaty.versions.sort_by_key(|v| v.in_force);
        self.treaty
    }

    /// Pass 1: ids.
    fn declare(&mut self, decl: &Decl) {
        let word = head_word(decl).to_string();
        let Some(id_tok) = decl.head.tokens.get(1).filter(|t| t.kind == TokenKind::Word) else { return };
        let sym = self.cx.symbols.intern(&id_tok.text);
        let span = id_tok.span;
        let dup = |cx: &mut Cx, what: &str| {
            cx.err(codes::DUPLICATE_ID, span, format!("{what} `{}` is declared twice", id_tok.text)).label("declared again here");
        };
        match word.as_str() {
            "version" if self.declared.versions.insert(sym, span).is_some() => {
                dup(&mut self.cx, "version");
            }
            "party" | "state" | "actor" => {
                if self.declared.parties.contains_key(&sym) || self.declared.organs.contains_key(&sym) {
                    dup(&mut self.cx, "party");
                }
                self.declared.parties.insert(sym, span);
                if word != "party" {
                    self.declared.states.insert(sym);
                }
            }
            "organ" => {
                if self.declared.organs.contains_key(&sym) || self.declared.parties.contains_key(&sym) || self.declared.forums.contains_key(&sym) {
                    dup(&mut self.cx, "organ");
                }
                self.declared.organs.insert(sym, span);
            }
            "forum" => {
                if self.declared.organs.contains_key(&sym) || self.declared.parties.contains_key(&sym) || self.declared.forums.contains_key(&sym) {
                    dup(&mut self.cx, "forum");
                }
                self.declared.forums.insert(sym, span);
            }
            "region" if self.declared.regions.insert(sym, span).is_some() => {
                dup(&mut self.cx, "region");
            }
            "question" => {
                let options = decl
                    .clauses()
                    .iter()
                    .filter(|c| c.line.tokens[0].is_word("option"))
                    .filter_map(|c| c.line.tokens.get(1).filter(|t| t.kind == TokenKind::Word).map(|t| (c, t)))
                    .map(|(c, t)| (self.cx.symbols.intern(&t.text), c.line.tokens.get(2).is_some_and(|n| n.kind == TokenKind::Number)))
                    .collect();
                if self.declared.questions.insert(sym, (span, options)).is_some() {
                    dup(&mut self.cx, "question");
                }
            }
            _ => {}
        }
    }

    fn lower(&mut self, decl: &Decl, at: &Located, word: &str) {
        let article = at.article.as_deref().map(|a| self.cx.symbols.intern(a)).unwrap_or(Sym::NONE);
        let quote =
            Quote { article, text: at.quote.as_ref().map(|q| q.0.clone()).unwrap_or_default(), line: at.quote.as_ref().map(|q| q.1 as u32).unwrap_or(0) };
        let head = &decl.head.tokens;
        let head_span = decl.head.span;
        match word {
            "treaty" => self.lower_treaty(decl),
            "version" => self.lower_version(decl),
            // A state never a party, or a non-state actor (an armed group
            // that attacks): known to the record, never a member.
            "party" | "state" | "actor" => self.lower_party(decl, word != "party"),
            "organ" => self.lower_organ(decl, quote),
            "forum" => self.lower_forum(decl, article),
            "question" => self.lower_question(decl, article),
            "duty" => self.lower_duty(decl, article, quote),
            "power" => self.lower_power(decl, article, quote),
            "region" => self.lower_region(decl),
            "note" => {
                if let Some(text) = self.cx.string(head.get(1), head_span, "the note's text") {
                    self.cx.diags.push(Diagnostic::note(codes::OPEN_POINT, head_span, text.clone()).label("open point"));
                    self.treaty.notes.push((head_span, text));
                }
            }
            _ => {
                let found = head[0].describe();
                self.cx
                    .err(codes::UNKNOWN_DECLARATION, head[0].span, format!("unknown declaration {found}"))
                    .help(format!("declarations: {DECLARATIONS}"))
                    .suggest(&head[0].text, DECLARATIONS.split(", "));
            }
        }
    }

    /// The names of declared ids, for "did you mean".
    fn names<'s>(&self, syms: impl Iterator<Item = &'s Sym>) -> Vec<String> {
        syms.map(|&s| self.cx.symbols.name(s).to_string()).collect()
    }

    fn unknown_clause(&mut self, decl: &str, tok: &Token, allowed: &str) {
        let known = allowed.split(", ").map(|a| a.split(" (").next().unwrap_or(a));
        self.cx
            .err(codes::UNKNOWN_CLAUSE, tok.span, format!("`{decl}` takes no clause `{}`", tok.canonical()))
            .help(format!("`{decl}` takes: {allowed}"))
            .suggest(&tok.text, known);
    }

    fn no_continuations(&mut self, clause: &syntax::Clause) {
        for c in &clause.continuations {
            self.cx
                .err(codes::STRAY_CONTINUATION, c.tokens[0].span, format!("`{}` cannot continue this clause", c.tokens[0].text))
                .help("only `needs` and `does` take `or`, and only `needs` takes `when`");
        }
    }

    fn id_and_title(&mut self, decl: &Decl, what: &str, title_required: bool) -> Option<(Sym, String)> {
        let head = &decl.head.tokens;
        let (id, _) = self.cx.name(head.get(1), decl.head.span, &format!("the {what}'s id"))?;
        let title = match head.get(2) {
            Some(t) if t.kind == TokenKind::Str => t.text.clone(),
            Some(t) => {
                self.cx.err(codes::MALFORMED_CLAUSE, t.span, format!("expected the {what}'s name in quotes, found {}", t.describe()));
                return None;
            }
            None if title_required => {
                self.cx.err(codes::MALFORMED_CLAUSE, decl.head.span, format!("the {what} needs a name in quotes after its id"));
                return None;
            }
            None => String::new(),
        };
        if let Some(extra) = head.get(3) {
            self.cx.err(codes::MALFORMED_CLAUSE, span_of(&head[3..], extra.span), "unexpected words after the name");
        }
        Some((id, title))
    }

    fn lower_treaty(&mut self, decl: &Decl) {
        if self.treaty.id.is_some() {
            self.cx.err(codes::DUPLICATE_ID, decl.head.span, "a second `treaty` declaration").help("one treaty file declares one treaty");
            return;
        }
        let Some((id, title)) = self.id_and_title(decl, "treaty", true) else { return };
        self.treaty.id = id;
        self.treaty.title = title;
        let mut in_force = None;
        let mut provision_spans = ProvisionSpans::default();
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            let (key, args) = split_clause(toks);
            match key.as_str() {
                "signed" => {
                    let (main, sources, _) = self.cx.trailing(args, toks[0].span);
                    self.treaty.sources.extend(sources);
                    if let Some((t, _)) = self.cx.date(main.first(), toks[0].span, "the date of signature") {
                        self.treaty.signed = Some(t);
                    }
                    match main.get(1..) {
                        Some([at, place]) if at.is_word("at") => self.treaty.place = self.cx.string(Some(place), at.span, "the place").unwrap_or_default(),
                        Some([]) | None => {}
                        Some(rest) => {
                            self.cx.err(codes::MALFORMED_CLAUSE, span_of(rest, toks[0].span), "expected `signed DATE at \"Place\"`");
                        }
                    }
                }
                "in-force" => in_force = self.cx.date(args.first(), toks[0].span, "the date of entry into force").map(|d| (d.0, clause.line.span)),
                "source" => {
                    if let Some(c) = self.cx.citation(args, toks[0].span) {
                        self.treaty.sources.push(c);
                    }
                }
                "term" | "renews" | "withdrawal" => self.provision_clause(&key, args, clause.line.span, &mut provision_spans),
                _ => self.unknown_clause("treaty", &toks[0], "signed, in-force, term, renews, withdrawal, source"),
            }
        }
        self.check_provisions(&provision_spans);
        if let Some((t, span)) = in_force {
            let id = self.cx.symbols.intern("original");
            self.treaty.versions.push(Version { id, title: "Original text".into(), in_force: t, sources: Vec::new(), span });
        }
    }

    fn lower_version(&mut self, decl: &Decl) {
        let Some((id, title)) = self.id_and_title(decl, "version", false) else { return };
        let mut in_force = None;
        let mut sources = Vec::new();
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            match toks[0].text.as_str() {
                "in-force" => in_force = self.cx.date(toks.get(1), toks[0].span, "the date of entry into force").map(|d| d.0),
                "source" => sources.extend(self.cx.citation(&toks[1..], toks[0].span)),
                _ => self.unknown_clause("version", &toks[0], "in-force, source"),
            }
        }
        match in_force {
            Some(in_force) => self.treaty.versions.push(Version { id, title, in_force, sources, span: decl.head.span }),
            None => {
                self.cx.err(codes::MISSING_CLAUSE, decl.head.span, "a version needs `in-force DATE`").label("when does this text take effect?");
            }
        }
    }

    fn lower_party(&mut self, decl: &Decl, state: bool) {
        let what = if state { "state" } else { "party" };
        let Some((code, name)) = self.id_and_title(decl, what, true) else { return };
        let mut events: Vec<MembershipEvent> = Vec::new();
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            const CLAUSES: &str = "joins, joins by, member on, leaves, leaves after, suspended, returns (each DATE [source …] [note \"…\"])";
            let second = toks.get(1);
            let approximate = |word: &str| second.is_some_and(|t| t.is_word(word));
            let (change, dating) = match toks[0].text.as_str() {
                _ if state && toks[0].text != "source" => {
                    self.unknown_clause(what, &toks[0], "source");
                    continue;
                }
                "source" if state => {
                    // Checked like any source, though a third state has no
                    // membership events to attach it to.
                    let _ = self.cx.citation(&toks[1..], toks[0].span);
                    continue;
                }
                "joins" if approximate("by") => (MembershipChange::Join, Dating::By),
                "leaves" if approximate("after") => (MembershipChange::Leave, Dating::After),
                "member" if approximate("on") => (MembershipChange::Join, Dating::MemberOn),
                "member" => {
                    self.cx
                        .err(codes::MEMBERSHIP_APPROX_MALFORMED, span_of(toks, toks[0].span), "expected `member on DATE`")
                        .help("`member on DATE` says the state was a party on that date, when it joined not being given");
                    continue;
                }
                word @ ("joins" | "leaves" | "suspended" | "returns") if ["by", "after", "on", "before"].iter().any(|w| approximate(w)) => {
                    let extra = second.map(|t| t.text.clone()).unwrap_or_default();
                    self.cx
                        .err(codes::MEMBERSHIP_APPROX_MALFORMED, span_of(&toks[..2], toks[0].span), format!("`{word} {extra}` is not a membership clause"))
                        .help("a date known only approximately is written `joins by DATE`, `leaves after DATE` or `member on DATE`");
                    continue;
                }
                "joins" => (MembershipChange::Join, Dating::On),
                "leaves" => (MembershipChange::Leave, Dating::On),
                "suspended" => (MembershipChange::Suspend, Dating::On),
                "returns" => (MembershipChange::Return, Dating::On),
                _ => {
                    self.unknown_clause(what, &toks[0], CLAUSES);
                    continue;
                }
            };
            let keyword = if dating == Dating::On { 1 } else { 2 };
            let (main, sources, note) = self.cx.trailing(&toks[keyword..], toks[0].span);
            let Some((time, _)) = self.cx.date(main.first(), span_of(&toks[..keyword], toks[0].span), "a date") else { continue };
            if main.len() > 1 {
                self.cx.err(codes::MALFORMED_CLAUSE, span_of(&main[1..], toks[0].span), "expected only a date, then `source` or `note`");
            }
            let written = toks[..keyword].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
            if sources.is_empty() {
                self.cx.diags.push(
                    Diagnostic::warning(codes::NO_SOURCE, clause.line.span, format!("`{written}` has no source"))
                        .help("add `source \"https://…\" \"Title\"` on the same line"),
                );
            }
            let event = MembershipEvent { time, change, dating, sources, note, span: clause.line.span };
            if !self.membership_consistent(&events, &event, &written, toks[0].span, main[0].span) {
                continue;
            }
            events.push(event);
        }
        self.treaty.parties.push(Party { code, name, events, span: decl.head.span });
    }

    /// Whether `e` may follow `events` (a party's clauses so far), with a
    /// diagnostic where it may not: the date order, the first change, and,
    /// where a date is known only approximately, what the clauses above
    /// already say (a join while already a party, `member on` after a
    /// leave, a leave after `leaves after`). A confirmation that adds
    /// nothing is kept with a warning.
    /// Returns false for a line to drop (one that contradicts or repeats
    /// the lines above); a line out of date order is kept, as before
    /// approximate dates existed, so that the lines after it are checked
    /// against it.
    fn membership_consistent(&mut self, events: &[MembershipEvent], e: &MembershipEvent, written: &str, head: Span, date_span: Span) -> bool {
        let clause = |e: &MembershipEvent| {
            let words = match (e.change, e.dating) {
                (_, Dating::MemberOn) => "member on",
                (MembershipChange::Join, Dating::By) => "joins by",
                (MembershipChange::Leave, Dating::After) => "leaves after",
                (c, _) => c.keyword(),
            };
            format!("`{words} {}`", e.time.display())
        };
        let approximate = |e: &MembershipEvent| e.dating != Dating::On;
        let Some(prev) = events.last() else {
            if e.change != MembershipChange::Join {
                self.cx.err(codes::OUT_OF_ORDER, head, format!("a party's first change must be `joins`, `joins by` or `member on`, not `{written}`"));
            }
            return true;
        };
        if prev.time > e.time {
            if approximate(e) || approximate(prev) {
                let why = if e.change == MembershipChange::Leave { "a party leaves only after it is known to be one" } else { "the clauses go in date order" };
                self.cx
                    .err(codes::MEMBERSHIP_CONTRADICTION, date_span, format!("`{written} {}` is before {} above: {why}", e.time.display(), clause(prev)))
                    .label("earlier than the line above");
            } else {
                self.cx
                    .err(codes::OUT_OF_ORDER, date_span, "membership changes must be in date order")
                    .label(format!("earlier than the {} above", prev.time.display()));
                return true;
            }
            return false;
        }
        if prev.time == e.time && prev.change == e.change && prev.dating == e.dating {
            self.cx.diags.push(
                Diagnostic::warning(codes::MEMBERSHIP_REDUNDANT, e.span, format!("{} repeats the line above", clause(e))).help("remove one of the two lines"),
            );
            return false;
        }
        // What the clauses above leave the party as, just before `e`.
        let steps = casus_model::membership::declared_steps(events);
        let before = casus_model::membership::standing_at(&steps, e.time);
        let left_after = prev.dating == Dating::After;
        use casus_model::membership::Standing;
        let is_party = matches!(before, Some(Standing::Known(MemberStatus::Member | MemberStatus::Suspended, _))) && !left_after;
        let contradiction = match (e.change, e.dating) {
            (_, Dating::MemberOn) if left_after => Some(format!(
                "{} above says it left at some time after that date; if it was still a party on {}, move `leaves after` below this line, or write `joins by` if it joined again",
                clause(prev),
                e.time.display()
            )),
            (_, Dating::MemberOn) => match before {
                Some(Standing::Known(MemberStatus::Member, _)) => {
                    self.cx.diags.push(
                        Diagnostic::warning(
                            codes::MEMBERSHIP_REDUNDANT,
                            e.span,
                            format!("{} adds nothing: {} above already makes it a party then", clause(e), clause(prev)),
                        )
                        .help("remove the line, or put its source on the line above"),
                    );
                    return false;
                }
                Some(Standing::Known(status, _)) => {
                    Some(format!("after {} above it is {} on that date; write `joins by` if it joined again", clause(prev), status.phrase()))
                }
                _ => None,
            },
            (MembershipChange::Join, Dating::By) if is_party => {
                Some(format!("{} above already makes it a party by then; a party joins only when it is not one", clause(prev)))
            }
            (MembershipChange::Join, _) if is_party && approximate(prev) => {
                Some(format!("{} above already makes it a party then; a party joins only when it is not one", clause(prev)))
            }
            (MembershipChange::Join, _) => None,
            (_, _) if left_after => Some(format!("{} above says it left at some time after that date; only `joins` or `joins by` can follow it", clause(prev))),
            (MembershipChange::Leave, Dating::After) if !is_party => Some(format!("after {} above it is not known to be a party to leave", clause(prev))),
            _ if approximate(prev) && !is_party => Some(format!("after {} above it is not known to be a party", clause(prev))),
            _ => None,
        };
        match contradiction {
            Some(why) => {
                self.cx.err(codes::MEMBERSHIP_CONTRADICTION, e.span, format!("{} contradicts the lines above: {why}", clause(e)));
                false
            }
            None => true,
        }
    }

    fn party_ref(&mut self, tok: &Token) -> Option<Sym> {
        let sym = self.cx.symbols.intern(&tok.text);
        if tok.kind != TokenKind::Word || !self.declared.parties.contains_key(&sym) || self.declared.states.contains(&sym) {
            let known = self.names(self.declared.parties.keys().filter(|p| !self.declared.states.contains(p)));
            self.cx
                .err(codes::UNKNOWN_PARTY, tok.span, format!("unknown party {}", tok.describe()))
                .label("not declared with `party`")
                .suggest(&tok.text, known.iter().map(String::as_str));
            return None;
        }
        Some(sym)
    }

    fn lower_organ(&mut self, decl: &Decl, quote: Quote) {
        let Some((id, name)) = self.id_and_title(decl, "organ", true) else { return };
        let mut organ = Organ {
            id,
            name,
            seats: Vec::new(),
            decides: DecisionRule::Recorded,
            kinds: Vec::new(),
            has_default: false,
            rotation: None,
            article: quote.article,
            sources: Vec::new(),
            quote,
            span: decl.head.span,
            until: None,
            notes: Vec::new(),
        };
        // The vote refinements (`quorum`, `abstentions`, `excludes`) apply to
        // every vote rule of the organ, whichever kind it is for.
        let mut refine = VoteRefinements::default();
        let mut vote_clauses: Vec<(&'static str, Span)> = Vec::new();
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            let words: Vec<&str> = toks[1..].iter().map(|t| t.text.as_str()).collect();
            match toks[0].text.as_str() {
                "seats" => {
                    // An optional `from DATE` at the end dates the change.
                    let (body, from) = match words.iter().rposition(|w| *w == "from") {
                        Some(i) if i + 2 == words.len() && i > 0 => {
                            (&toks[1..=i], self.cx.date(toks.get(i + 2), toks[0].span, "the date the seats change").map(|d| d.0))
                        }
                        _ => (&toks[1..], None),
                    };
                    let body_words: Vec<&str> = body.iter().map(|t| t.text.as_str()).collect();
                    let seats = match body_words.as_slice() {
                        ["every", "party"] => Some(Seats::EveryParty),
                        ["every", "party", "except", ..] if body.len() > 3 => {
                            Some(Seats::EveryPartyExcept(body[3..].iter().filter_map(|t| self.party_ref(t)).collect()))
                        }
                        ["office"] => Some(Seats::Office),
                        ["parties", ..] if body.len() > 1 => Some(Seats::Parties(body[1..].iter().filter_map(|t| self.party_ref(t)).collect())),
                        _ => {
                            self.cx.err(
                                codes::MALFORMED_CLAUSE,
                                clause.line.span,
                                "expected `seats every party`, `seats every party except CODE…`, `seats parties CODE…` or `seats office`, optionally followed by `from DATE`",
                            );
                            None
                        }
                    };
                    if let Some(seats) = seats {
                        let from = from.unwrap_or(Time::MIN);
                        if organ.seats.last().is_some_and(|(t, _)| *t >= from) {
                            self.cx.err(codes::OUT_OF_ORDER, clause.line.span, "seat changes must be in date order, the first without `from`");
                        }
                        organ.seats.push((from, seats));
                    }
                }
                "until" => match (toks.get(1), toks.len()) {
                    (Some(_), 2) if organ.until.is_some() => {
                        self.cx.err(codes::REPEATED_CLAUSE, clause.line.span, "`until` is given twice").help("an organ ends once");
                    }
                    (Some(_), 2) => organ.until = self.cx.date(toks.get(1), toks[0].span, "the date the organ ends").map(|d| d.0),
                    _ => {
                        self.cx.err(codes::MALFORMED_CLAUSE, clause.line.span, "expected `until DATE`");
                    }
                },
                "decides" => self.decides_clause(&mut organ, toks, clause.line.span),
                "quorum" => {
                    let q = match words.as_slice() {
                        ["as", "needed"] => Some(Quorum::AsNeeded),
                        [n] if toks[1].kind == TokenKind::Number && !n.contains('/') => match n.parse::<u32>() {
                            Ok(count) if count <= 100_000 => Some(Quorum::Count(count)),
                            _ => {
                                self.cx.err(codes::INVALID_DURATION, toks[1].span, format!("`{n}` is not a usable quorum")).label("at most 100000");
                                None
                            }
                        },
                        [_, "of", "members"] => self.share(&toks[1]).map(Quorum::Share),
                        _ => {
                            self.cx.err(
                                codes::MALFORMED_CLAUSE,
                                clause.line.span,
                                "expected `quorum N`, `quorum 2/3 of members`, `quorum majority of members` or `quorum as needed`",
                            );
                            None
                        }
                    };
                    if let Some(q) = q {
                        vote_clauses.push(("quorum", clause.line.span));
                        refine.quorum = Some(q);
                    }
                }
                "abstentions" => {
                    let against = match words.as_slice() {
                        ["count", "as", "no"] => Some(true),
                        ["not", "counted"] => Some(false),
                        _ => {
                            self.cx.err(codes::MALFORMED_CLAUSE, clause.line.span, "expected `abstentions count as no` or `abstentions not counted`");
                            None
                        }
                    };
                    if let Some(a) = against {
                        vote_clauses.push(("abstentions", clause.line.span));
                        refine.abstentions_against = Some(a);
                    }
                }
                "excludes" => {
                    if words.as_slice() == ["parties", "to", "the", "dispute"] {
                        vote_clauses.push(("excludes", clause.line.span));
                        refine.exclude_disputants = true;
                    } else {
                        self.cx.err(codes::MALFORMED_CLAUSE, clause.line.span, "expected `excludes parties to the dispute`");
                    }
                }
                "chair" => {
                    let (main, sources, _) = self.cx.trailing(&toks[1..], toks[0].span);
                    let ok = main.len() >= 6 && main[0].is_word("yearly") && main[1].is_word("from") && main[3].is_word("in") && main[4].is_word("order");
                    if !ok {
                        self.cx.err(codes::MALFORMED_CLAUSE, clause.line.span, "expected `chair yearly from DATE in order CODE…`");
                        continue;
                    }
                    let Some((from, _)) = self.cx.date(main.get(2), toks[0].span, "the date the rotation starts") else { continue };
                    let order: Vec<Sym> = main[5..].iter().filter_map(|t| self.party_ref(t)).collect();
                    organ.rotation = Some(Rotation { from, order, sources, span: clause.line.span });
                }
                "source" => organ.sources.extend(self.cx.citation(&toks[1..], toks[0].span)),
                _ => self.unknown_clause("organ", &toks[0], "seats, decides, quorum, abstentions, excludes, chair, until, source"),
            }
        }
        let is_vote = |r: &DecisionRule| matches!(r, DecisionRule::Vote(_));
        if is_vote(&organ.decides) || organ.kinds.iter().any(|k| is_vote(&k.rule)) {
            refine.apply(&mut organ.decides);
            for k in &mut organ.kinds {
                refine.apply(&mut k.rule);
            }
        } else {
            for (what, span) in vote_clauses {
                self.cx
                    .err(codes::MALFORMED_CLAUSE, span, format!("`{what}` applies only to an organ that decides by a vote"))
                    .help("add `decides majority of members`, `decides 2/3 of voting`, …");
            }
        }
        if organ.seats.is_empty() {
            organ.seats.push((Time::MIN, Seats::EveryParty));
        } else {
            organ.seats[0].0 = Time::MIN;
        }
        self.treaty.organs.push(organ);
    }

    /// A `decides` clause: `decides RULE`, the organ's default, or `decides
    /// RULE for KIND`, its rule for proposals of that kind. A second
    /// default is `E0113`, a kind given twice `E0114`.
    fn decides_clause(&mut self, organ: &mut Organ, toks: &[Token], span: Span) {
        let (body, kind) = match toks.len() {
            n if n >= 4 && toks[n - 2].is_word("for") => (&toks[1..n - 2], Some(&toks[n - 1])),
            _ => (&toks[1..], None),
        };
        let words: Vec<&str> = body.iter().map(|t| t.text.as_str()).collect();
        let rule = match words.as_slice() {
            ["unanimity"] => DecisionRule::Unanimity,
            ["consensus", "with", "opt-out"] => DecisionRule::ConsensusOptOut,
            ["as", "recorded"] => DecisionRule::Recorded,
            ["by", "silence"] => DecisionRule::Silence,
            [_, "of", base @ ("members" | "voting")] => {
                let Some(share) = self.share(&body[0]) else { return };
                let base = if *base == "members" { VoteBase::Members } else { VoteBase::Voting };
                DecisionRule::Vote(VoteRule { share, base, quorum: None, abstentions_against: false, exclude_disputants: false })
            }
            _ => {
                self.cx.err(codes::MALFORMED_CLAUSE, span, "expected `decides unanimity`, `consensus with opt-out`, `as recorded`, `by silence`, or a vote such as `majority of members` or `2/3 of voting`, optionally followed by `for KIND`");
                return;
            }
        };
        match kind {
            None if organ.has_default => {
                self.cx
                    .err(codes::TWO_DEFAULT_RULES, span, "the organ already has a rule without `for`")
                    .label("a second default rule")
                    .help("an organ has one rule without `for`; give the others a kind of proposal, as `decides 2/3 of voting for substance`");
            }
            None => {
                organ.decides = rule;
                organ.has_default = true;
            }
            Some(tok) => {
                let Some((kind, _)) = self.cx.name(Some(tok), tok.span, "the kind of proposal after `for`") else { return };
                if organ.kinds.iter().any(|k| k.kind == kind) {
                    self.cx
                        .err(codes::KIND_DECLARED_TWICE, span, format!("the organ already has a rule for `{}`", tok.text))
                        .label("a second rule for the same kind")
                        .help("each kind of proposal has one rule");
                } else {
                    organ.kinds.push(KindRule { kind, rule, span });
                }
            }
        }
    }

    /// `forum ID "Name"`: a body whose participants make statements
    /// together but which takes no decisions.
    fn lower_forum(&mut self, decl: &Decl, article: Sym) {
        let Some((id, name)) = self.id_and_title(decl, "forum", true) else { return };
        let (mut participants, mut sources): (Vec<Sym>, Vec<Citation>) = (Vec::new(), Vec::new());
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            match toks[0].text.as_str() {
                "participants" if toks.len() > 1 => {
                    for t in &toks[1..] {
                        let sym = self.cx.symbols.intern(&t.text);
                        if t.kind != TokenKind::Word || !self.declared.parties.contains_key(&sym) {
                            let known = self.names(self.declared.parties.keys());
                            self.cx
                                .err(codes::UNKNOWN_PARTY, t.span, format!("unknown participant {}", t.describe()))
                                .label("not declared with `party`, `state` or `actor`")
                                .suggest(&t.text, known.iter().map(String::as_str));
                        } else if !participants.contains(&sym) {
                            participants.push(sym);
                        }
                    }
                }
                "participants" => {
                    self.cx.err(codes::MALFORMED_CLAUSE, toks[0].span, "`participants` needs one or more parties, states or actors");
                }
                "source" => sources.extend(self.cx.citation(&toks[1..], toks[0].span)),
                "decides" | "seats" | "quorum" | "chair" => {
                    self.cx
                        .err(codes::FORUM_DECIDES, toks[0].span, format!("a forum takes no decisions, so it has no `{}`", toks[0].text))
                        .help("declare an `organ` for a body that decides; a `forum` only makes statements");
                }
                _ => self.unknown_clause("forum", &toks[0], "participants, source"),
            }
        }
        if participants.is_empty() {
            self.cx.err(codes::MISSING_CLAUSE, decl.head.span, "a forum needs `participants CODE…`");
            return;
        }
        self.treaty.forums.push(Forum { id, name, participants, article, sources, span: decl.head.span });
    }

    /// `majority` or `N/M` (0 < N <= M).
    fn share(&mut self, tok: &Token) -> Option<Share> {
        if tok.is_word("majority") {
            return Some(Share::MAJORITY);
        }
        let parsed = tok.text.split_once('/').and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
        match parsed {
            Some((num, den)) if tok.kind == TokenKind::Number && num > 0 && num <= den && den <= 1000 => Some(Share { num, den, simple: false }),
            _ => {
                self.cx.err(codes::MALFORMED_CLAUSE, tok.span, format!("expected `majority` or a share such as `2/3`, found {}", tok.describe()));
                None
            }
        }
    }

    fn lower_question(&mut self, decl: &Decl, article: Sym) {
        let Some((id, text)) = self.id_and_title(decl, "question", true) else { return };
        let mut options: Vec<QuestionOption> = Vec::new();
        let mut default = None;
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            match toks[0].text.as_str() {
                "option" => {
                    let Some((oid, _)) = self.cx.name(toks.get(1), toks[0].span, "the option's id") else { continue };
                    let mut rest = &toks[2..];
                    let mut duration = None;
                    if rest.first().is_some_and(|t| t.kind == TokenKind::Number) {
                        duration = self.cx.duration(rest, toks[0].span);
                        rest = rest.get(2..).unwrap_or(&[]);
                    }
                    let Some(text) = self.cx.string(rest.first(), clause.line.span, "the option's meaning") else { continue };
                    if options.iter().any(|o| o.id == oid) {
                        self.cx.err(codes::DUPLICATE_ID, toks[1].span, format!("option `{}` is declared twice", toks[1].text));
                        continue;
                    }
                    options.push(QuestionOption { id: oid, text, duration, span: clause.line.span });
                }
                "default" => {
                    let Some((d, span)) = self.cx.name(toks.get(1), toks[0].span, "the default option") else { continue };
                    default = Some((d, span));
                }
                _ => self.unknown_clause("question", &toks[0], "option, default"),
            }
        }
        if options.len() < 2 {
            self.cx.err(codes::MISSING_CLAUSE, decl.head.span, "a question needs at least two options").label("one reading is no question");
            return;
        }
        let Some((default_sym, default_span)) = default else {
            self.cx.err(codes::MISSING_CLAUSE, decl.head.span, "a question needs `default OPTION`");
            return;
        };
        let Some(default) = options.iter().position(|o| o.id == default_sym) else {
            let names: Vec<&str> = options.iter().map(|o| self.cx.symbols.name(o.id)).collect();
            let help = format!("options: {}", names.join(", "));
            self.cx.err(codes::UNKNOWN_QUESTION, default_span, "the default is not one of the options").help(help);
            return;
        };
        let timed = options.iter().filter(|o| o.duration.is_some()).count();
        if timed != 0 && timed != options.len() {
            self.cx.err(codes::INVALID_DURATION, decl.head.span, "either every option of a question gives a duration, or none does");
        }
        self.treaty.questions.push(Question { id, text, options, default, article, span: decl.head.span });
    }

    fn check_name(&mut self, field: Field, term: Term, span: Span) {
        let Term::Name(sym) = term else { return };
        let known = match field {
            Field::By | Field::To | Field::Against | Field::About | Field::From => {
                self.declared.parties.contains_key(&sym) || self.declared.organs.contains_key(&sym) || self.declared.forums.contains_key(&sym)
            }
            Field::Under => self.declared.articles.contains(&sym),
            _ => true,
        };
        if !known {
            let name = self.cx.symbols.name(sym).to_string();
            let (code, what) = if field == Field::Under { (codes::UNKNOWN_ARTICLE, "article") } else { (codes::UNKNOWN_PARTY, "party, state or organ") };
            let known = if field == Field::Under {
                self.names(self.declared.articles.iter())
            } else {
                self.names(self.declared.parties.keys().chain(self.declared.organs.keys()))
            };
            self.cx
                .err(code, span, format!("unknown {what} `{name}`"))
                .label(format!("in `{}`", field.keyword()))
                .suggest(&name, known.iter().map(String::as_str));
        }
    }

    fn check_pattern(&mut self, pattern: &Pattern, bound: &BTreeSet<Sym>) {
        for &(field, term) in &pattern.constraints {
            self.check_name(field, term, pattern.span);
            // A forum makes statements only: no rule waits for it to act
            // otherwise (`determination … by SUMMIT`).
            if let (Field::By, Term::Name(s)) = (field, term)
                && self.declared.forums.contains_key(&s)
                && pattern.kind != ActKind::Statement
            {
                let name = self.cx.symbols.name(s).to_string();
                self.cx
                    .err(codes::FORUM_DECIDES, pattern.span, format!("`{name}` is a forum: it makes statements, but takes no `{}`", pattern.kind.keyword()))
                    .help("a forum's act is a `statement`; name an `organ` for a determination or decision");
            }
            if let Term::Var(v) = term
                && !bound.contains(&v)
            {
                let name = self.cx.symbols.name(v).to_string();
                self.cx
                    .err(codes::UNBOUND_VARIABLE, pattern.span, format!("`${name}` is not bound by the trigger"))
                    .help("variables are bound by the `on` pattern (and `$debtor` in `does`)");
            }
        }
    }

    fn versions(&mut self, args: &[Token]) -> Vec<Sym> {
        let mut out = Vec::new();
        for t in args {
            let sym = self.cx.symbols.intern(&t.text);
            if t.kind != TokenKind::Word || !self.declared.versions.contains_key(&sym) {
                let known = self.names(self.declared.versions.keys());
                self.cx
                    .err(codes::UNKNOWN_VERSION, t.span, format!("unknown version {}", t.describe()))
                    .label("not declared with `version`")
                    .suggest(&t.text, known.iter().map(String::as_str));
            } else {
                out.push(sym);
            }
        }
        out
    }

    fn debtors(&mut self, args: &[Token], at: Span, bound: &BTreeSet<Sym>) -> Option<Debtors> {
        let check_terms = |this: &mut Self, toks: &[Token]| -> Option<Vec<Term>> {
            let mut terms = Vec::new();
            for t in toks {
                let term = this.cx.term(t)?;
                match term {
                    Term::Name(_) => {
                        this.party_ref(t)?;
                    }
                    Term::Var(v) if !bound.contains(&v) => {
                        this.cx.err(codes::UNBOUND_VARIABLE, t.span, format!("`${}` is not bound by the trigger", t.text));
                        return None;
                    }
                    Term::Any => {
                        this.cx.err(codes::MALFORMED_CLAUSE, t.span, "`any` cannot owe or hold; name parties or write `every party`");
                        return None;
                    }
                    Term::Var(_) => {}
                }
                terms.push(term);
            }
            Some(terms)
        };
        if args.len() >= 2 && args[0].is_word("every") && args[1].is_word("party") {
            match args.get(2) {
                None => Some(Debtors::EveryPartyExcept(Vec::new())),
                Some(t) if t.is_word("except") && args.len() > 3 => Some(Debtors::EveryPartyExcept(check_terms(self, &args[3..])?)),
                Some(t) => {
                    self.cx.err(codes::MALFORMED_CLAUSE, t.span, "expected `every party` or `every party except TERM…`");
                    None
                }
            }
        } else if args.is_empty() {
            self.cx.err(codes::MALFORMED_CLAUSE, at, "expected `every party [except …]` or parties");
            None
        } else {
            Some(Debtors::Listed(check_terms(self, args)?))
        }
    }

    fn lower_duty(&mut self, decl: &Decl, article: Sym, quote: Quote) {
        let Some((id, title)) = self.id_and_title(decl, "duty", false) else { return };
        let debtor = self.cx.symbols.intern("debtor");
        let clauses = decl.clauses();
        let mut ok = true;
        // The trigger first, since it binds the variables the others use.
        // A duty written without `on` whose content is to refrain is a
        // standing duty: the act it forbids is what opens its case, so its
        // `refrains from` patterns bind the variables.
        let mut trigger = None;
        let mut also_on = Vec::new();
        let mut bound = BTreeSet::new();
        let has_on = clauses.iter().any(|c| c.line.tokens[0].is_word("on"));
        let refrain_clause = clauses.iter().find(|c| split_clause(&c.line.tokens).0 == "refrains from");
        let standing = !has_on && refrain_clause.is_some();
        let trigger_clauses: Vec<&syntax::Clause> =
            if standing { refrain_clause.into_iter().collect() } else { clauses.iter().filter(|c| c.line.tokens[0].is_word("on")).collect() };
        for c in trigger_clauses {
            if trigger.is_some() {
                self.cx.err(
                    codes::REPEATED_CLAUSE,
                    c.line.tokens[0].span,
                    "a duty has one trigger (`on`); write further triggers as `or PATTERN` lines under it",
                );
                continue;
            }
            let skip = if standing { 2 } else { 1 };
            let mut lines = vec![(&c.line.tokens[skip..], c.line.span)];
            for cont in &c.continuations {
                if cont.tokens[0].is_word("or") {
                    lines.push((&cont.tokens[1..], cont.span));
                } else {
                    self.cx.err(codes::STRAY_CONTINUATION, cont.tokens[0].span, "`when` applies to `needs`, not to a trigger");
                }
            }
            let mut first_vars: Option<BTreeSet<Sym>> = None;
            for (tokens, span) in lines {
                let Some(mut p) = self.cx.pattern(tokens, span) else {
                    ok = false;
                    continue;
                };
                if standing && !p.constraints.iter().any(|&(f, _)| f == Field::By) {
                    p.constraints.push((Field::By, Term::Var(debtor)));
                }
                let vars: BTreeSet<Sym> = p.constraints.iter().filter_map(|&(_, t)| if let Term::Var(v) = t { Some(v) } else { None }).collect();
                for &(field, term) in &p.constraints {
                    self.check_name(field, term, p.span);
                }
                match &first_vars {
                    None => {
                        bound.extend(vars.iter().copied());
                        first_vars = Some(vars);
                        trigger = Some(p);
                    }
                    Some(first) if *first != vars => {
                        let names = |set: &BTreeSet<Sym>| set.iter().map(|v| format!("`${}`", self.cx.symbols.name(*v))).collect::<Vec<_>>().join(", ");
                        let (these, those) = (names(&vars), names(first));
                        self.cx
                            .err(
                                codes::TRIGGER_BINDINGS_DIFFER,
                                p.span,
                                format!(
                                    "this trigger binds {} but the first binds {}",
                                    if these.is_empty() { "no variable".to_string() } else { these },
                                    if those.is_empty() { "none".to_string() } else { those }
                                ),
                            )
                            .help("every alternative after `or` must bind the same variables, since the other clauses use them");
                        ok = false;
                    }
                    Some(_) => also_on.push(p),
                }
            }
            if trigger.is_none() {
                ok = false;
            }
        }
        let (mut needs, mut owed_by, mut owed_to, mut does, mut within, mut versions, mut sources) =
            (Vec::new(), None, None, Vec::new(), None, Vec::new(), Vec::new());
        let mut refrains: Vec<Pattern> = Vec::new();
        let mut only: Vec<Only> = Vec::new();
        let mut within_span = None;
        for c in &clauses {
            let toks = &c.line.tokens;
            let (key, args) = split_clause(toks);
            match key.as_str() {
                "on" => {}
                "only" => {
                    self.no_continuations(c);
                    match self.condition(args, c.line.span, &bound) {
                        Some(condition) => only.push(Only { condition, span: c.line.span }),
                        None => ok = false,
                    }
                }
                "needs" => {
                    let mut any_of = Vec::new();
                    let mut when = None;
                    any_of.extend(self.cx.pattern(args, c.line.span));
                    for cont in &c.continuations {
                        let ct = &cont.tokens;
                        if ct[0].is_word("or") {
                            any_of.extend(self.cx.pattern(&ct[1..], cont.span));
                        } else {
                            when = self.when(&ct[1..], cont.span);
                            ok &= when.is_some();
                        }
                    }
                    let expected = 1 + c.continuations.iter().filter(|l| l.tokens[0].is_word("or")).count();
                    ok &= any_of.len() == expected;
                    for p in &any_of {
                        self.check_pattern(p, &bound);
                    }
                    needs.push(Need { any_of, when, span: c.line.span });
                }
                "owed by" => {
                    self.no_continuations(c);
                    owed_by = self.debtors(args, c.line.span, &bound);
                    ok &= owed_by.is_some();
                }
                "owed to" => {
                    self.no_continuations(c);
                    match args {
                        [t] => {
                            owed_to = self.cx.term(t);
                            if let Some(term) = owed_to {
                                self.check_pattern(&Pattern { kind: ActKind::Statement, constraints: vec![(Field::To, term)], span: t.span }, &bound);
                            }
                        }
                        _ => {
                            self.cx.err(codes::MALFORMED_CLAUSE, c.line.span, "expected `owed to TERM`, one party or variable");
                        }
                    }
                    ok &= owed_to.is_some();
                }
                "does" => {
                    let mut lines = vec![(args, c.line.span)];
                    for cont in &c.continuations {
                        if cont.tokens[0].is_word("or") {
                            lines.push((&cont.tokens[1..], cont.span));
                        } else {
                            self.cx.err(codes::STRAY_CONTINUATION, cont.tokens[0].span, "`when` applies to `needs`, not `does`");
                        }
                    }
                    let mut with_debtor = bound.clone();
                    with_debtor.insert(debtor);
                    for (tokens, span) in lines {
                        match self.cx.pattern(tokens, span) {
                            Some(mut p) => {
                                self.check_pattern(&p, &with_debtor);
                                if !p.constraints.iter().any(|&(_, t)| t == Term::Var(debtor)) {
                                    p.constraints.push((Field::By, Term::Var(debtor)));
                                }
                                does.push(p);
                            }
                            None => ok = false,
                        }
                    }
                }
                "refrains from" => {
                    if !refrains.is_empty() {
                        self.cx.err(codes::REPEATED_CLAUSE, toks[0].span, "a duty has one `refrains from`; write further acts as `or PATTERN` lines under it");
                        continue;
                    }
                    let mut lines = vec![(args, c.line.span)];
                    for cont in &c.continuations {
                        if cont.tokens[0].is_word("or") {
                            lines.push((&cont.tokens[1..], cont.span));
                        } else if !standing {
                            self.cx.err(codes::STRAY_CONTINUATION, cont.tokens[0].span, "`when` applies to `needs`, not `refrains from`");
                        }
                    }
                    let mut with_debtor = bound.clone();
                    with_debtor.insert(debtor);
                    for (tokens, span) in lines {
                        // A standing duty's patterns were read (and any
                        // error reported) as its triggers.
                        let parsed = if standing { self.cx_quiet_pattern(tokens, span) } else { self.cx.pattern(tokens, span) };
                        match parsed {
                            Some(mut p) => {
                                let by = p.constraints.iter().find(|&&(f, _)| f == Field::By).map(|&(_, t)| t);
                                match by {
                                    None => p.constraints.push((Field::By, Term::Var(debtor))),
                                    Some(Term::Var(v)) if v == debtor => {}
                                    Some(_) => {
                                        self.cx
                                            .err(codes::REFRAIN_NOT_OWN_ACT, p.span, "a duty to refrain forbids the debtor's own acts")
                                            .help("leave out `by` (it is `by $debtor`), or write `by $debtor`");
                                        ok = false;
                                    }
                                }
                                if !standing {
                                    self.check_pattern(&p, &with_debtor);
                                }
                                refrains.push(p);
                            }
                            None => ok = false,
                        }
                    }
                }
                "within" => {
                    self.no_continuations(c);
                    within_span = Some(c.line.span);
                    within = match args.first() {
                        Some(t) if t.is_word("none") && args.len() == 1 => Some(Within::None),
                        Some(t) if t.kind == TokenKind::Number => self.cx.duration(args, c.line.span).map(Within::Fixed),
                        Some(t) if t.kind == TokenKind::Word => {
                            let q = self.cx.symbols.intern(&t.text);
                            match self.declared.questions.get(&q) {
                                Some((_, opts)) if opts.iter().all(|o| o.1) => Some(Within::Question(q)),
                                Some(_) => {
                                    self.cx.err(codes::INVALID_DURATION, t.span, format!("the options of `{}` do not all give a duration", t.text));
                                    None
                                }
                                None => {
                                    let known = self.names(self.declared.questions.keys());
                                    self.cx
                                        .err(codes::UNKNOWN_QUESTION, t.span, format!("unknown question `{}`", t.text))
                                        .help("`within` takes a duration such as `30 days`, or a question whose options give durations")
                                        .suggest(&t.text, known.iter().map(String::as_str));
                                    None
                                }
                            }
                        }
                        _ => {
                            self.cx.err(codes::INVALID_DURATION, c.line.span, "expected `within DURATION` or `within QUESTION`");
                            None
                        }
                    };
                    ok &= within.is_some();
                }
                "version" => {
                    self.no_continuations(c);
                    versions = self.versions(args);
                }
                "source" => {
                    self.no_continuations(c);
                    sources.extend(self.cx.citation(args, c.line.span));
                }
                _ => self.unknown_clause("duty", &toks[0], "version, on, needs, only, owed by, owed to, does, refrains from, within, source"),
            }
        }
        if !does.is_empty() && refrain_clause.is_some() {
            self.cx
                .err(codes::DOES_AND_REFRAINS, decl.head.span, "a duty is either to act (`does`) or to refrain (`refrains from`), not both")
                .help("declare two duties");
            return;
        }
        if standing && let Some(o) = only.iter().find(|o| matches!(o.condition, Condition::Unless { .. })) {
            self.cx
                .err(codes::UNLESS_ON_STANDING, o.span, "`only unless` needs a demand, and a duty without `on` has none")
                .help("a duty that holds unless a demand is complied with is triggered by an act (`on`), and waits for the demand (`needs`)");
            return;
        }
        if standing {
            if let Some(span) = within_span {
                self.cx
                    .err(codes::STANDING_DUTY_WITHIN, span, "a duty without `on` is in force while its text is, so it takes no `within`")
                    .help("to make it last a fixed time from an event, give it a trigger with `on`");
                return;
            }
            within = Some(Within::None);
        } else if !has_on && !does.is_empty() {
            self.cx
                .err(codes::DUTY_TO_ACT_WITHOUT_TRIGGER, decl.head.span, "a duty to act needs a trigger (`on`)")
                .help("only a duty to refrain (`refrains from`) may be written without `on`: it is then in force at all times");
            return;
        }
        let missing: Vec<&str> = [
            ("on", trigger.is_none()),
            ("owed by", owed_by.is_none()),
            ("owed to", owed_to.is_none()),
            ("does", does.is_empty() && refrain_clause.is_none()),
            ("within", within.is_none()),
        ]
        .into_iter()
        .filter(|(name, absent)| *absent && !clauses.iter().any(|c| split_clause(&c.line.tokens).0 == *name))
        .map(|(name, _)| name)
        .collect();
        if !missing.is_empty() {
            self.cx.err(
                codes::MISSING_CLAUSE,
                decl.head.span,
                format!("the duty lacks {}", missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")),
            );
            return;
        }
        let (Some(trigger), Some(owed_by), Some(owed_to), Some(within), true) = (trigger, owed_by, owed_to, within, ok) else { return };
        self.check_shared_id(id, &versions, decl.head.tokens[1].span, true);
        self.treaty.duties.push(Duty {
            id,
            title,
            article,
            versions,
            trigger,
            also_on,
            needs,
            owed_by,
            owed_to,
            does,
            refrains,
            standing,
            within,
            quote,
            sources,
            span: decl.head.span,
            only,
            notes: Vec::new(),
        });
    }

    /// A region name in a clause: declared with `region`.
    fn region_ref(&mut self, tok: &Token) -> Option<Sym> {
        let sym = self.cx.symbols.intern(&tok.text);
        if tok.kind == TokenKind::Word && self.declared.regions.contains_key(&sym) {
            return Some(sym);
        }
        let known = self.names(self.declared.regions.keys());
        self.cx
            .err(codes::UNKNOWN_REGION, tok.span, format!("unknown region {}", tok.describe()))
            .label("not declared with `region`")
            .suggest(&tok.text, known.iter().map(String::as_str));
        None
    }

    /// `region ID "Name"` with `includes REGION…` and `source …`.
    fn lower_region(&mut self, decl: &Decl) {
        let Some((id, name)) = self.id_and_title(decl, "region", true) else { return };
        let (mut includes, mut sources) = (Vec::new(), Vec::new());
        for clause in decl.clauses() {
            self.no_continuations(&clause);
            let toks = &clause.line.tokens;
            match toks[0].text.as_str() {
                "includes" if toks.len() > 1 => includes.extend(toks[1..].iter().filter_map(|t| self.region_ref(t))),
                "includes" => {
                    self.cx.err(codes::MALFORMED_CONDITION, toks[0].span, "`includes` needs one or more regions");
                }
                "source" => sources.extend(self.cx.citation(&toks[1..], toks[0].span)),
                _ => self.unknown_clause("region", &toks[0], "includes, source"),
            }
        }
        self.treaty.regions.push(Region { id, name, includes, sources, span: decl.head.span });
    }

    /// Regions nest without a cycle and at most `REGION_DEPTH_MAX` deep, so
    /// that containment always ends (`E0087`).
    fn check_region_nesting(&mut self) {
        fn depth(t: &Treaty, id: Sym, path: &mut Vec<Sym>) -> bool {
            if path.contains(&id) || path.len() > REGION_DEPTH_MAX {
                return false;
            }
            path.push(id);
            let ok = t.region(id).is_none_or(|r| r.includes.iter().all(|&i| depth(t, i, path)));
            path.pop();
            ok
        }
        let bad: Vec<(Sym, Span)> = self.treaty.regions.iter().filter(|r| !depth(&self.treaty, r.id, &mut Vec::new())).map(|r| (r.id, r.span)).collect();
        for (id, span) in bad {
            let name = self.cx.symbols.name(id).to_string();
            self.cx
                .err(codes::REGION_CYCLE, span, format!("region `{name}` includes itself, or nests more than {REGION_DEPTH_MAX} regions deep"))
                .help("a region includes smaller regions; none may contain, through them, the region itself");
            self.treaty.regions.retain(|r| r.id != id);
        }
    }

    /// A condition on the facts of the case (`only …`):
    /// `in REGION`, `TERM is CODE…`, `when QUESTION = OPTION`,
    /// `N or more attackers against TERM`, `TERM at war with CODE…`.
    fn condition(&mut self, args: &[Token], at: Span, bound: &BTreeSet<Sym>) -> Option<Condition> {
        let word = |i: usize, w: &str| args.get(i).is_some_and(|t| t.is_word(w));
        let bound_term = |this: &mut Self, tok: &Token| -> Option<Term> {
            let term = this.cx.term(tok)?;
            match term {
                Term::Var(v) if !bound.contains(&v) => {
                    this.cx.err(codes::UNBOUND_VARIABLE, tok.span, format!("`${}` is not bound by the trigger", tok.text));
                    None
                }
                Term::Any => {
                    this.cx.err(codes::MALFORMED_CONDITION, tok.span, "a condition names a party or a `$variable` of the trigger, not `any`");
                    None
                }
                Term::Name(_) => this.party_or_state(tok).map(Term::Name),
                Term::Var(_) => Some(term),
            }
        };
        let codes_list = |this: &mut Self, toks: &[Token], what: &str| -> Option<Vec<Sym>> {
            if toks.is_empty() {
                this.cx.err(codes::MALFORMED_CONDITION, at, format!("{what} needs one or more state codes"));
                return None;
            }
            let list: Vec<Sym> = toks.iter().filter_map(|t| this.party_or_state(t)).collect();
            (list.len() == toks.len()).then_some(list)
        };
        match args {
            [w, region] if w.is_word("in") => self.region_ref(region).map(Condition::In),
            [w, rest @ ..] if w.is_word("when") => self.when(rest, at).map(|(q, o)| Condition::Reading(q, o)),
            [n, ..] if n.kind == TokenKind::Number && word(1, "or") && word(2, "more") && word(3, "attackers") && word(4, "against") && args.len() == 6 => {
                let at_least = match n.text.parse::<u32>() {
                    Ok(v) if (1..=ATTACKERS_MAX).contains(&v) => v,
                    _ => {
                        self.cx.err(codes::MALFORMED_CONDITION, n.span, format!("a number of attackers from 1 to {ATTACKERS_MAX}"));
                        return None;
                    }
                };
                let victim = bound_term(self, &args[5])?;
                Some(Condition::Attackers { at_least, victim })
            }
            [w, rest @ ..] if w.is_word("unless") => self.unless(rest, at, bound),
            [t, w, rest @ ..] if w.is_word("is") => {
                let term = bound_term(self, t)?;
                let list = codes_list(self, rest, "`is`")?;
                Some(Condition::Is(term, list))
            }
            [t, w1, w2, rest @ ..] if w1.is_word("at") && w2.is_word("war") && word(3, "with") => {
                let term = bound_term(self, t)?;
                let list = codes_list(self, &rest[1..], "`at war with`")?;
                Some(Condition::AtWar(term, list))
            }
            _ => {
                self.cx
                    .err(codes::MALFORMED_CONDITION, span_of(args, at), "expected a condition after `only`")
                    .help("`only in REGION`, `only $attacker is CODE…`, `only when QUESTION = OPTION`, `only 2 or more attackers against $victim`, `only $victim at war with CODE…`, `only unless statement compliance by $attacker within 10 days`");
                None
            }
        }
    }

    /// `only unless PATTERN within DURATION`: the duty holds only if no act
    /// of compliance matching the pattern comes within the time after the
    /// demand. The pattern may use only variables the trigger binds.
    fn unless(&mut self, args: &[Token], at: Span, bound: &BTreeSet<Sym>) -> Option<Condition> {
        let help = "write `only unless PATTERN within DURATION`, such as `only unless statement compliance by $attacker within 10 days`";
        let Some(k) = args.iter().rposition(|t| t.is_word("within")) else {
            self.cx.err(codes::UNLESS_WITHOUT_TIME, span_of(args, at), "`only unless` needs the time allowed for compliance: `within DURATION`").help(help);
            return None;
        };
        let (pattern, time) = (&args[..k], &args[k + 1..]);
        if time.first().is_some_and(|t| t.is_word("none")) || time.is_empty() {
            self.cx
                .err(codes::UNLESS_WITHOUT_TIME, span_of(&args[k..], at), "`only unless` needs a fixed time for compliance, such as `within 10 days`")
                .help("a demand with no time for compliance could never be known not to be complied with");
            return None;
        }
        let within = self.cx.duration(time, at)?;
        if within.months == 0 && within.seconds <= 0 {
            self.cx.err(codes::UNLESS_WITHOUT_TIME, span_of(time, at), "the time allowed for compliance must be longer than nothing").help(help);
            return None;
        }
        if pattern.is_empty() {
            self.cx.err(codes::MALFORMED_CONDITION, span_of(&args[..=k], at), "expected the act of compliance after `unless`").help(help);
            return None;
        }
        let compliance = self.cx.pattern(pattern, at)?;
        let mut ok = true;
        for &(field, term) in &compliance.constraints {
            if let Term::Var(v) = term
                && !bound.contains(&v)
            {
                self.cx.err(codes::UNBOUND_VARIABLE, compliance.span, format!("`${}` is not bound by the trigger", self.cx.symbols.name(v)));
                ok = false;
            }
            self.check_name(field, term, compliance.span);
        }
        ok.then_some(Condition::Unless { compliance, within })
    }

    /// One of the treaty's provisions on its own life: `term DURATION`,
    /// `renews DURATION unless notice DURATION before end`, `withdrawal
    /// DURATION after notice [not before DURATION in force]`.
    fn provision_clause(&mut self, key: &str, args: &[Token], line: Span, spans: &mut ProvisionSpans) {
        let (shape, seen) = match key {
            "term" => ("`term DURATION`, such as `term 10 years`", &mut spans.term),
            "renews" => ("`renews DURATION unless notice DURATION before end`, such as `renews 5 years unless notice 6 months before end`", &mut spans.renews),
            _ => ("`withdrawal DURATION after notice [not before DURATION in force]`, such as `withdrawal 6 months after notice`", &mut spans.withdrawal),
        };
        if seen.is_some() {
            self.cx
                .err(codes::PROVISION_TWICE, line, format!("`{key}` is given twice"))
                .label("given again here")
                .help(format!("a treaty states its `{key}` clause once"));
            return;
        }
        *seen = Some(line);
        let words = |from: usize, expected: &[&str]| expected.iter().enumerate().all(|(i, w)| args.get(from + i).is_some_and(|t| t.is_word(w)));
        let duration_at = |i: usize| args.get(i).is_some_and(|t| t.kind == TokenKind::Number) && args.get(i + 1).is_some_and(|t| t.kind == TokenKind::Word);
        let well_formed = match key {
            "term" => duration_at(0) && args.len() == 2,
            "renews" => duration_at(0) && args.len() == 8 && words(2, &["unless", "notice"]) && duration_at(4) && words(6, &["before", "end"]),
            _ => {
                duration_at(0)
                    && words(2, &["after", "notice"])
                    && (args.len() == 4 || (args.len() == 10 && words(4, &["not", "before"]) && duration_at(6) && words(8, &["in", "force"])))
            }
        };
        if !well_formed {
            self.cx.err(codes::PROVISION_MALFORMED, span_of(args, line), format!("expected {shape}")).label("not a provision the language reads");
            *seen = None;
            return;
        }
        let Some(first) = self.cx.duration(&args[..2], line) else { return };
        let p = &mut self.treaty.provisions;
        match key {
            "term" => p.term = Some(first),
            "renews" => {
                if let Some(notice) = self.cx.duration(&args[4..6], line) {
                    self.treaty.provisions.renewal = Some(Renewal { period: first, notice });
                }
            }
            _ => {
                p.withdrawal_notice = Some(first);
                if args.len() == 10 {
                    self.treaty.provisions.withdrawal_not_before = self.cx.duration(&args[6..8], line);
                }
            }
        }
    }

    /// The checks that need every provision clause: a renewal follows a
    /// term, and a notice must be able to come in time.
    fn check_provisions(&mut self, spans: &ProvisionSpans) {
        let p = self.treaty.provisions;
        let (Some(renewal), Some(renews)) = (p.renewal, spans.renews) else { return };
        let Some(term) = p.term else {
            self.cx
                .err(codes::RENEWAL_WITHOUT_TERM, renews, "`renews` needs a `term` to follow")
                .help("state the first term with `term DURATION`, such as `term 10 years`");
            self.treaty.provisions.renewal = None;
            return;
        };
        // Compared from one date: calendar lengths (months, years) are
        // compared as the calendar counts them.
        let from = Time(0);
        let notice = from.add(renewal.notice);
        for (what, length) in [("term", term), ("renewal period", renewal.period)] {
            if notice >= from.add(length) {
                self.cx
                    .err(
                        codes::NOTICE_TOO_LONG,
                        renews,
                        format!("a notice due {} before the end of a {what} of {length} could never come in time", renewal.notice),
                    )
                    .help("the notice period must be shorter than the term and the renewal period");
                self.treaty.provisions.renewal = None;
                return;
            }
        }
    }

    /// A party, a state or an actor the treaty declares.
    fn party_or_state(&mut self, tok: &Token) -> Option<Sym> {
        let sym = self.cx.symbols.intern(&tok.text);
        if tok.kind == TokenKind::Word && self.declared.parties.contains_key(&sym) {
            return Some(sym);
        }
        let known = self.names(self.declared.parties.keys());
        self.cx
            .err(codes::UNKNOWN_PARTY, tok.span, format!("unknown party or state {}", tok.describe()))
            .label("not declared with `party`, `state` or `actor`")
            .suggest(&tok.text, known.iter().map(String::as_str));
        None
    }

    /// A pattern already read (and its errors reported) once: read again
    /// without reporting twice.
    fn cx_quiet_pattern(&mut self, tokens: &[Token], at: Span) -> Option<Pattern> {
        let mut quiet = crate::diagnostic::Diagnostics::muted();
        std::mem::swap(&mut *self.cx.diags, &mut quiet);
        let p = self.cx.pattern(tokens, at);
        std::mem::swap(&mut *self.cx.diags, &mut quiet);
        p
    }

    /// Two rules may share an id only if no version contains both.
    fn check_shared_id(&mut self, id: Sym, versions: &[Sym], span: Span, duty: bool) {
        let overlaps = |other: &[Sym]| versions.is_empty() || other.is_empty() || other.iter().any(|v| versions.contains(v));
        let clash = if duty {
            self.treaty.duties.iter().any(|d| d.id == id && overlaps(&d.versions))
        } else {
            self.treaty.powers.iter().any(|p| p.id == id && overlaps(&p.versions))
        };
        if clash {
            let name = self.cx.symbols.name(id).to_string();
            self.cx
                .err(codes::DUPLICATE_ID, span, format!("`{name}` is declared twice for the same version"))
                .help("rules may share an id only when their `version` lists do not overlap");
        }
    }

    fn when(&mut self, args: &[Token], at: Span) -> Option<(Sym, Sym)> {
        let [q, eq, o] = args else {
            self.cx.err(codes::MALFORMED_CLAUSE, span_of(args, at), "expected `when QUESTION = OPTION`");
            return None;
        };
        if eq.kind != TokenKind::Eq {
            self.cx.err(codes::MALFORMED_CLAUSE, eq.span, "expected `=`");
            return None;
        }
        let qs = self.cx.symbols.intern(&q.text);
        let os = self.cx.symbols.intern(&o.text);
        let Some((_, options)) = self.declared.questions.get(&qs) else {
            let known = self.names(self.declared.questions.keys());
            self.cx.err(codes::UNKNOWN_QUESTION, q.span, format!("unknown question `{}`", q.text)).suggest(&q.text, known.iter().map(String::as_str));
            return None;
        };
        if !options.iter().any(|(id, _)| *id == os) {
            let names: Vec<String> = options.iter().map(|(id, _)| self.cx.symbols.name(*id).to_string()).collect();
            self.cx
                .err(codes::UNKNOWN_QUESTION, o.span, format!("`{}` is not an option of `{}`", o.text, q.text))
                .help(format!("options: {}", names.join(", ")))
                .suggest(&o.text, names.iter().map(String::as_str));
            return None;
        }
        Some((qs, os))
    }

    fn lower_power(&mut self, decl: &Decl, article: Sym, quote: Quote) {
        let Some((id, title)) = self.id_and_title(decl, "power", false) else { return };
        let (mut holders, mut act, mut versions, mut sources, mut ok) = (None, None, Vec::new(), Vec::new(), true);
        for c in decl.clauses() {
            self.no_continuations(&c);
            let toks = &c.line.tokens;
            let (key, args) = split_clause(toks);
            match key.as_str() {
                "held by" => {
                    holders = self.debtors(args, c.line.span, &BTreeSet::new());
                    ok &= holders.is_some();
                }
                "may" => {
                    act = self.cx.pattern(args, c.line.span);
                    if let Some(p) = &act {
                        self.check_pattern(p, &BTreeSet::new());
                    }
                    ok &= act.is_some();
                }
                "version" => versions = self.versions(args),
                "source" => sources.extend(self.cx.citation(args, c.line.span)),
                _ => self.unknown_clause("power", &toks[0], "version, held by, may, source"),
            }
        }
        let (Some(holders), Some(act), true) = (holders, act, ok) else {
            if ok {
                self.cx.err(codes::MISSING_CLAUSE, decl.head.span, "a power needs `held by …` and `may PATTERN`");
            }
            return;
        };
        self.check_shared_id(id, &versions, decl.head.tokens[1].span, false);
        self.treaty.powers.push(Power { id, title, article, versions, holders, act, quote, sources, span: decl.head.span });
    }
}

/// Parses a decision rule written as an organ's clauses, `;` between
/// clauses: `2/3 of members; quorum as needed; excludes parties to the
/// dispute`, `unanimity`, `by silence`. For `casus whatif --rule`.
pub fn parse_decision_rule(text: &str) -> Result<DecisionRule, String> {
    let mut src = String::from("treaty T \"T\"\n  in-force 2000-01-01\n\norgan X \"X\"\n");
    for (i, clause) in text.split(';').map(str::trim).filter(|c| !c.is_empty()).enumerate() {
        if clause.contains('\n') || clause.contains('#') {
            return Err("a rule is one line".to_string());
        }
        let head = clause.split_whitespace().next().unwrap_or("");
        let keyword = if i == 0 && !["quorum", "abstentions", "excludes"].contains(&head) { "decides " } else { "" };
        src.push_str(&format!("  {keyword}{clause}\n"));
    }
    let mut symbols = Symbols::new();
    let (treaty, diags) = load_treaty("rule.casus", &src, &mut symbols);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    if let Some(e) = errors.first() {
        return Err(e.message.clone());
    }
    match treaty.organs.first() {
        Some(o) if !o.kinds.is_empty() => Err("a rule for one kind is written ORGAN:KIND=RULE, without `for`".to_string()),
        Some(o) => Ok(o.decides),
        None => Err("no rule".to_string()),
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn rules_parse() {
        assert_eq!(parse_decision_rule("unanimity"), Ok(DecisionRule::Unanimity));
        assert_eq!(parse_decision_rule("by silence"), Ok(DecisionRule::Silence));
        let Ok(DecisionRule::Vote(v)) = parse_decision_rule("2/3 of members; quorum as needed; excludes parties to the dispute") else { panic!("vote") };
        assert_eq!((v.share.num, v.share.den, v.base, v.quorum, v.exclude_disputants), (2, 3, VoteBase::Members, Some(Quorum::AsNeeded), true));
        assert!(parse_decision_rule("whoever shouts loudest").is_err());
    }
}

#[cfg(test)]
mod title_tests {
    use super::*;

    const TREATY: &str = "treaty T \"T\"\n  in-force 2000-01-01\n\nparty A \"Aland\"\n  joins 2000-01-01 source \"s\"\n\nparty B \"Borduria\"\n  joins 2000-01-01 source \"s\"\n\n";

    fn load(rules: &str) -> (Treaty, Vec<Diagnostic>, Symbols) {
        let mut symbols = Symbols::new();
        let (t, d) = load_treaty("t.casus", &format!("{TREATY}{rules}"), &mut symbols);
        (t, d, symbols)
    }

    #[test]
    fn duties_and_powers_carry_their_titles() {
        let (t, diags, symbols) = load(
            "duty assist_victim \"Assistance to the victim of an aggression\"\n  on request assistance by $victim\n  owed by every party except $victim\n  owed to $victim\n  does assistance to $victim\n  within 7 days\n\npower ask \"Request for assistance\"\n  held by every party\n  may request assistance\n\nduty plain\n  on request consultation by $v\n  owed by every party except $v\n  owed to $v\n  does session about $v\n  within 7 days\n",
        );
        assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
        assert_eq!(t.duties[0].title, "Assistance to the victim of an aggression");
        assert_eq!(t.powers[0].title, "Request for assistance");
        assert_eq!(t.duty_title(&t.duties[0], &symbols), "Assistance to the victim of an aggression");
        // Without a title, the id in words.
        assert_eq!(t.duties[1].title, "");
        assert_eq!(t.duty_title(&t.duties[1], &symbols), "plain");
    }

    #[test]
    fn a_title_is_a_quoted_string() {
        let (t, diags, _) =
            load("duty d assist\n  on request assistance by $v\n  owed by every party except $v\n  owed to $v\n  does assistance to $v\n  within 7 days\n");
        assert!(t.duties.is_empty());
        assert!(diags.iter().any(|d| d.code == codes::MALFORMED_CLAUSE && d.message.contains("in quotes")), "{diags:?}");
    }
}
