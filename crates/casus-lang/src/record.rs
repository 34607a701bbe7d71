//! Lowering a record file (literate Markdown with ```acts blocks) into a
//! `casus_model::Record`, and checking it against its treaty.
//!
//! The checks here are those a reader of the record can verify without the
//! engine: names exist, members act as members, documents and cases are
//! introduced before they are used, and acts are within the powers the
//! treaty grants.

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::lower::{Cx, span_of};
use crate::markdown;
use crate::syntax::{self, Decl, Token, TokenKind};
use casus_model::membership::{may_change_membership, member, timelines};
use casus_model::*;
use std::collections::{BTreeMap, BTreeSet};

/// Reads a record file against its treaty. A file whose name ends in `.md`
/// is literate Markdown; any other is read as one `acts` block.
pub fn load_record(name: &str, text: &str, treaty: &Treaty, symbols: &mut Symbols) -> (Record, Vec<Diagnostic>) {
    let (record, _, diags) = load_record_featured(name, text, treaty, symbols);
    (record, diags)
}

/// What a record asks its readers to look at first (`featured` lines in its
/// header): the date a dashboard opens at and the cases it leads with, in
/// the order written. Kept beside the record rather than in it: it steers
/// how the record is shown and never what is derived from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Featured {
    pub date: Option<Time>,
    /// Case ids (the ids of the acts that open them).
    pub cases: Vec<String>,
}

/// As [`load_record`], for acts that come after `earlier` ones (a
/// ledger's, or a base record's): the membership those acts changed
/// (accessions, withdrawals, suspensions, readmissions, a notice that ends
/// the treaty) counts when the new acts are checked, so a state that
/// acceded in the ledger may act as a member, and one that left may not.
/// Only those fields of `earlier` are read, and they name parties and the
/// treaty's own words: `earlier` may be interned in a table that holds
/// `symbols`' treaty names at the same places (a ledger's, beside a copy
/// of its treaty names).
pub fn load_record_after(name: &str, text: &str, treaty: &Treaty, symbols: &mut Symbols, earlier: &[Act]) -> (Record, Vec<Diagnostic>) {
    let (record, _, diags) = load_record_in(name, text, treaty, symbols, earlier);
    (record, diags)
}

/// As [`load_record`], and the record's [`Featured`] date and cases.
pub fn load_record_featured(name: &str, text: &str, treaty: &Treaty, symbols: &mut Symbols) -> (Record, Featured, Vec<Diagnostic>) {
    load_record_in(name, text, treaty, symbols, &[])
}

fn load_record_in(name: &str, text: &str, treaty: &Treaty, symbols: &mut Symbols, earlier: &[Act]) -> (Record, Featured, Vec<Diagnostic>) {
    let mut diags = Diagnostics::new();
    let mut record = Record::default();
    let mut featured = Featured::default();
    let mut featured_spans: Vec<Span> = Vec::new();
    if let Some(d) = crate::size_limit(text.len()) {
        diags.push(d);
        return (record, featured, diags.into_vec());
    }
    let ranges = markdown::block_ranges(name, text, "acts");
    if ranges.is_empty() {
        diags.push(
            Diagnostic::warning(codes::NO_RULES, Span::new(0, 0), "no ```acts blocks in this file")
                .help("a record file lists its acts in fenced blocks whose info string is `acts`"),
        );
    }
    // Each act is lowered as soon as its declaration ends, so that the
    // record's syntax is never held whole.
    let mut full = false;
    for range in ranges {
        syntax::for_each_item(text, range, &mut diags, |item, diags| {
            let syntax::Item::Decl(decl) = item else { return };
            if full {
                return;
            }
            let mut cx = Cx { symbols: &mut *symbols, diags };
            if record.acts.len() >= crate::MAX_ACTS {
                cx.err(codes::TOO_LARGE, decl.head.span, format!("more than {} acts in one record", crate::MAX_ACTS));
                full = true;
                return;
            }
            let head = &decl.head.tokens[0];
            if head.is_word("record") {
                header(&mut cx, &decl, treaty, &mut record, &mut featured, &mut featured_spans);
            } else if head.kind == TokenKind::Date || head.kind == TokenKind::Number || head.is_word("between") || head.is_word("before") {
                if let Some(act) = lower_act(&mut cx, &decl) {
                    record.acts.push(act);
                }
            } else {
                cx.err(codes::UNKNOWN_DECLARATION, head.span, format!("expected an act, found {}", head.describe()))
                    .help("an act starts with its date, actor and kind: `2022-09-14 ARM request assistance`");
            }
        });
        if full {
            break;
        }
    }
    check(symbols, &mut diags, treaty, &record, earlier, text);
    for (case, span) in featured.cases.iter().zip(&featured_spans) {
        if !record.acts.iter().any(|a| a.id.is_some() && symbols.name(a.id) == case) {
            diags.push(
                Diagnostic::error(codes::FEATURED_CASE_UNKNOWN, *span, format!("no act in this record has the id `{case}`, so it opens no case to feature"))
                    .help("a case is named by the id of the act that opens it (a request or an attack)"),
            );
        }
    }
    (record, featured, diags.into_vec())
}

/// The span of the line of an act that gives `field` (its head line for
/// ""), found again in the text when a diagnostic needs it rather than
/// kept for every act.
fn field_span(text: &str, act: Span, field: &str) -> Option<Span> {
    let (start, end) = (act.start as usize, (act.end as usize).min(text.len()));
    let mut offset = start;
    for (i, line) in text.get(start..end)?.split_inclusive('\n').enumerate() {
        let base = offset;
        offset += line.len();
        let content = line.trim_end_matches('\n').trim_end_matches('\r');
        let indent = content.len() - content.trim_start_matches([' ', '\t']).len();
        let first = content[indent..].split([' ', '\t', '#']).next().unwrap_or("");
        if (i == 0 && field.is_empty()) || (i > 0 && indent > 0 && !field.is_empty() && first == field) {
            return Some(Span::new(base + indent, base + content.len()));
        }
    }
    None
}

/// Most featured cases in one record.
const MAX_FEATURED_CASES: usize = 16;

fn header(cx: &mut Cx, decl: &Decl, treaty: &Treaty, record: &mut Record, featured: &mut Featured, featured_spans: &mut Vec<Span>) {
    record.title = cx.string(decl.head.tokens.get(1), decl.head.span, "the record's title").unwrap_or_default();
    for c in decl.clauses() {
        let toks = &c.line.tokens;
        if toks[0].is_word("treaty") {
            if let Some((id, span)) = cx.name(toks.get(1), toks[0].span, "the treaty's id")
                && treaty.id.is_some()
                && id != treaty.id
            {
                let (want, got) = (cx.symbols.name(treaty.id).to_string(), cx.symbols.name(id).to_string());
                cx.err(codes::WRONG_TREATY, span, format!("this record is for treaty `{got}`, not `{want}`"));
            }
        } else if toks[0].is_word("featured") {
            featured_clause(cx, toks, c.line.span, featured, featured_spans);
        } else {
            cx.err(codes::UNKNOWN_CLAUSE, toks[0].span, format!("`record` takes no clause `{}`", toks[0].text)).help("`record` takes: treaty, featured");
        }
    }
}

/// `featured DATE` or `featured case ID`.
fn featured_clause(cx: &mut Cx, toks: &[Token], line: Span, featured: &mut Featured, featured_spans: &mut Vec<Span>) {
    let help = "`featured 2022-12-01` (the date to open at) or `featured case ID` (a case to lead with)";
    match (toks.get(1), toks.get(2), toks.len()) {
        (Some(d), None, 2) if d.kind == TokenKind::Date => match Time::parse(&d.text) {
            Some(_) if featured.date.is_some() => {
                cx.err(codes::FEATURED_TWICE, d.span, "the featured date is given twice").help("a record opens at one date");
            }
            Some((t, _)) => featured.date = Some(t.end_of_day()),
            None => {
                cx.err(codes::FEATURED_MALFORMED, d.span, format!("`{}` is not a date", d.text)).help(help);
            }
        },
        (Some(w), Some(id), 3) if w.is_word("case") && id.kind == TokenKind::Word => {
            if featured.cases.contains(&id.text) {
                cx.err(codes::FEATURED_TWICE, id.span, format!("case `{}` is featured twice", id.text));
            } else if featured.cases.len() >= MAX_FEATURED_CASES {
                cx.err(codes::TOO_LARGE, id.span, format!("more than {MAX_FEATURED_CASES} featured cases"));
            } else {
                featured.cases.push(id.text.clone());
                featured_spans.push(id.span);
            }
        }
        _ => {
            cx.err(codes::FEATURED_MALFORMED, line, "expected a date or `case ID` after `featured`").help(help);
        }
    }
}

const FIELDS: &str = "id, under, to, against, about, from, document, means, case, organ, in, kind, personnel, votes, by, start, end, effective, title, reason, condition, text, note, source";

fn lower_act(cx: &mut Cx, decl: &Decl) -> Option<Act> {
    let head = &decl.head.tokens;
    let mut act = Act { span: decl.span(), ..Act::default() };
    let (time, precision, used) = act_time(cx, head, decl.head.span)?;
    act.time = time;
    act.precision = precision;
    let head = &head[used - 1..];
    let (actor, _) = cx.name(head.get(1), decl.head.span, "the actor (a party, state or organ)")?;
    act.actor = actor;
    let Some(kind_tok) = head.get(2) else {
        cx.err(codes::MALFORMED_CLAUSE, decl.head.span, "expected the act's kind after the actor").help("`2022-09-14 ARM request assistance`");
        return None;
    };
    let Some(kind) = ActKind::from_keyword(&kind_tok.text).filter(|_| kind_tok.kind == TokenKind::Word) else {
        let kinds: Vec<&str> = ActKind::ALL.iter().map(|k| k.keyword()).collect();
        cx.err(codes::UNKNOWN_ACT_KIND, kind_tok.span, format!("unknown act kind {}", kind_tok.describe()))
            .help(format!("act kinds: {}", kinds.join(", ")))
            .suggest(&kind_tok.text, kinds.iter().copied());
        return None;
    };
    act.kind = kind;
    if let Some(subject) = head.get(3) {
        act.subject = cx.name(Some(subject), subject.span, "the act's subject word")?.0;
    }
    if head.len() > 4 {
        cx.err(codes::MALFORMED_CLAUSE, span_of(&head[4..], decl.head.span), "unexpected words after the act's subject")
            .help("fields go on indented lines below");
    }
    let mut seen = BTreeSet::new();
    let mut sources = Vec::new();
    let mut ok = true;
    for c in decl.clauses() {
        let toks = &c.line.tokens;
        let key = toks[0].text.as_str();
        for cont in &c.continuations {
            cx.err(codes::STRAY_CONTINUATION, cont.tokens[0].span, format!("`{}` cannot continue a field", cont.tokens[0].text));
        }
        if key != "source" && !seen.insert(key.to_string()) {
            cx.err(codes::REPEATED_CLAUSE, toks[0].span, format!("`{key}` is given twice")).label("already given above");
            continue;
        }
        let arg = toks.get(1);
        let at = toks[0].span;
        let one = |cx: &mut Cx| -> Option<Sym> {
            if toks.len() > 2 {
                cx.err(codes::MALFORMED_CLAUSE, span_of(&toks[2..], at), format!("`{key}` takes one value"));
            }
            cx.name(arg, at, &format!("a name after `{key}`")).map(|n| n.0)
        };
        let text = |cx: &mut Cx| -> Option<Sym> {
            let s = cx.string(arg, at, &format!("the {key}"))?;
            if toks.len() > 2 {
                cx.err(codes::MALFORMED_CLAUSE, span_of(&toks[2..], at), format!("`{key}` takes one string"));
            }
            Some(cx.symbols.intern(&s))
        };
        let slot: Option<()> = match key {
            "id" => one(cx).map(|v| act.id = v),
            "under" => one(cx).map(|v| act.under = v),
            "to" => one(cx).map(|v| act.to = v),
            "against" => one(cx).map(|v| act.against = v),
            // One or more parties: a statement or a dispute about several.
            "about" => {
                let mut list = Vec::new();
                for t in &toks[1..] {
                    list.extend(cx.name(Some(t), t.span, "a party, state or organ").map(|n| n.0));
                }
                match list.split_first() {
                    Some((&first, rest)) => {
                        act.about = first;
                        if !rest.is_empty() {
                            act.extra_mut().about_more = rest.into();
                        }
                        Some(())
                    }
                    None => {
                        cx.err(codes::MALFORMED_CLAUSE, at, "`about` needs one or more names");
                        None
                    }
                }
            }
            "document" => one(cx).map(|v| act.document = v),
            "means" => one(cx).map(|v| act.means = v),
            "case" => one(cx).map(|v| act.case = v),
            "organ" => one(cx).map(|v| act.organ = v),
            "in" => one(cx).map(|v| act.extra_mut().place = v),
            "kind" => one(cx).map(|v| act.extra_mut().decision_kind = v),
            "from" => {
                let mut list = Vec::new();
                for t in &toks[1..] {
                    list.extend(cx.name(Some(t), t.span, "a party code").map(|n| n.0));
                }
                if list.is_empty() {
                    cx.err(codes::MALFORMED_CLAUSE, at, "`from` needs one or more party codes");
                }
                act.from = list.into();
                Some(())
            }
            "personnel" => match arg.map(|t| (t.kind, t.text.parse::<u32>())) {
                Some((TokenKind::Number, Ok(n))) => {
                    act.personnel = n;
                    Some(())
                }
                _ => {
                    cx.err(codes::INVALID_DURATION, span_of(&toks[1..], at), "`personnel` takes a whole number");
                    None
                }
            },
            // How a recorded decision was taken: a tally without names, or
            // acclamation.
            "votes" | "by" if kind != ActKind::Decision => {
                cx.err(codes::DECISION_COUNT_MISPLACED, at, format!("`{key}` is given only on a `decision`"))
                    .help("a decision may record `votes YES NO ABSTAIN` or `by acclamation`");
                None
            }
            "votes" | "by" if act.count().is_some() => {
                cx.err(codes::DECISION_COUNT_MISPLACED, at, "a decision records either `votes` or `by acclamation`, not both");
                None
            }
            "votes" => {
                let numbers: Vec<Option<u32>> =
                    toks[1..].iter().map(|t| if t.kind == TokenKind::Number { t.text.parse::<u32>().ok().filter(|&n| n <= 100_000) } else { None }).collect();
                match numbers[..] {
                    [Some(yes), Some(no), Some(abstain)] => {
                        act.extra_mut().count = Some(DecisionCount::Votes { yes, no, abstain });
                        Some(())
                    }
                    _ => {
                        cx.err(codes::MALFORMED_CLAUSE, span_of(&toks[1..], at), "`votes` takes three whole numbers: yes, no, abstaining")
                            .help("`votes 17 0 4`");
                        None
                    }
                }
            }
            "by" => match &toks[1..] {
                [w] if w.is_word("acclamation") => {
                    act.extra_mut().count = Some(DecisionCount::Acclamation);
                    Some(())
                }
                _ => {
                    cx.err(codes::MALFORMED_CLAUSE, span_of(&toks[1..], at), "expected `by acclamation`");
                    None
                }
            },
            "start" | "end" | "effective" => cx.date(arg, at, &format!("the {key} date")).map(|(t, _)| match key {
                "start" => act.extra_mut().start = Some(t),
                "end" => act.extra_mut().end = Some(t),
                _ => act.extra_mut().effective = Some(t),
            }),
            "title" => text(cx).map(|v| act.title = v),
            "reason" => text(cx).map(|v| act.reason = v),
            "condition" => text(cx).map(|v| act.condition = v),
            "text" => text(cx).map(|v| act.text = v),
            "note" => text(cx).map(|v| act.note = v),
            "source" => cx.citation(&toks[1..], at).map(|c| {
                if let Some(w) = crate::sources::mirror_warning(cx.symbols.name(c.url), toks[1].span) {
                    cx.diags.push(w);
                }
                sources.push(c)
            }),
            _ => {
                cx.err(codes::UNKNOWN_CLAUSE, toks[0].span, format!("unknown field `{}`", toks[0].canonical()))
                    .help(format!("fields: {FIELDS}"))
                    .suggest(&toks[0].text, FIELDS.split(", "));
                Some(())
            }
        };
        ok &= slot.is_some();
    }
    act.sources = sources.into();
    ok.then_some(act)
}

/// The act's time at the head of its line: `DATE`, `between DATE and DATE`
/// or `before DATE`. Returns the time, its precision and how many tokens it
/// used.
fn act_time(cx: &mut Cx, head: &[Token], at: Span) -> Option<(Time, Precision, usize)> {
    let word = |i: usize, w: &str| head.get(i).is_some_and(|t| t.kind == TokenKind::Word && t.text == w);
    if word(0, "before") {
        let to = cx.date(head.get(1), at, "the date after `before`")?;
        let (t, p) = Time::before(to);
        return Some((t, p, 2));
    }
    if !word(0, "between") {
        let (t, p) = cx.date(head.first(), at, "the act's date")?;
        return Some((t, p, 1));
    }
    let from = cx.date(head.get(1), at, "the first date after `between`")?;
    if !word(2, "and") {
        let span = head.get(2).map(|t| t.span).unwrap_or(at);
        cx.err(codes::MALFORMED_CLAUSE, span, "expected `and` between the two dates of a window")
            .help("`between 2022-01-05 and 2022-01-07 KAZ request assistance`");
        return None;
    }
    let to = cx.date(head.get(3), at, "the second date after `between`")?;
    match Time::window(from, to) {
        Some((t, p)) => Some((t, p, 4)),
        None => {
            let span = Span::new(head[1].span.start as usize, head[3].span.end as usize);
            if to.0 < from.0 {
                cx.err(codes::INVALID_DATE, span, "the window ends before it begins")
                    .label("an empty window")
                    .help("write the earlier date first: `between EARLIER and LATER`");
            } else {
                cx.err(codes::INVALID_DATE, span, "the window is longer than an act can be dated in (about 136 years)")
                    .label("too long")
                    .help("write `before DATE` when the start is unknown");
            }
            None
        }
    }
}

/// The instant at which membership and powers are checked: the act's date,
/// or for an act dated within a window the window's last instant (by which
/// the act had surely happened; `before T` has no known start).
fn checked_at(act: &Act) -> Time {
    match act.precision {
        Precision::Window(_) | Precision::Before => act.when().latest,
        _ => act.time,
    }
}

/// Whether `actor` holds a power (`holders`) at `t`, given membership.
fn holds(holders: &Debtors, actor: Sym, member: bool) -> bool {
    match holders {
        Debtors::EveryPartyExcept(except) => member && !except.contains(&Term::Name(actor)),
        Debtors::Listed(list) => list.contains(&Term::Name(actor)),
    }
}

/// Whether an act fits a pattern's literal names (variables match anything).
pub(crate) fn fits(p: &Pattern, act: &Act) -> bool {
    p.kind == act.kind
        && p.constraints.iter().all(|&(field, term)| match term {
            Term::Name(s) => act.has(field, s),
            Term::Var(_) | Term::Any => true,
        })
}

fn check(symbols: &Symbols, diags: &mut Diagnostics, treaty: &Treaty, record: &Record, earlier: &[Act], text: &str) {
    let timelines = if earlier.is_empty() {
        timelines(treaty, &record.acts)
    } else {
        let changes: Vec<Act> = earlier.iter().filter(|a| may_change_membership(a)).chain(&record.acts).cloned().collect();
        timelines(treaty, &changes)
    };
    let no_changes = Vec::new();
    // Whether a state is a party at `t`: yes, no, or not known (a join or
    // leave the sources date only approximately). The checks refuse only
    // what is known not to be a member's act.
    let membership = |code: Sym, t: Time| member(timelines.get(&code).unwrap_or(&no_changes), t);
    let member = |code: Sym, t: Time| membership(code, t) != Known::No;
    let is_party = |s: Sym| treaty.party(s).is_some();
    let is_organ = |s: Sym| treaty.organ(s).is_some();
    let is_forum = |s: Sym| treaty.forum(s).is_some();
    // The names a misspelling may have meant.
    let party_names: Vec<&str> = treaty.parties.iter().map(|p| symbols.name(p.code)).collect();
    let organ_names: Vec<&str> = treaty.organs.iter().map(|o| symbols.name(o.id)).chain(treaty.forums.iter().map(|f| symbols.name(f.id))).collect();
    let actor_names = || party_names.iter().chain(&organ_names).copied();
    // Documents: first introduction time; ids: the time and position of the
    // act each names (a case is named by the id of the act that opened it).
    let mut documents: BTreeMap<Sym, Time> = BTreeMap::new();
    let mut proposals: BTreeMap<Sym, &Act> = BTreeMap::new();
    let mut ids: BTreeMap<Sym, (Time, usize)> = BTreeMap::new();
    for act in &record.acts {
        if matches!(act.kind, ActKind::Propose | ActKind::Decision) && act.document.is_some() {
            let e = documents.entry(act.document).or_insert(act.time);
            *e = (*e).min(act.time);
        }
        if act.kind == ActKind::Propose && act.document.is_some() {
            proposals.entry(act.document).or_insert(act);
        }
    }
    // The ids of acts that opened a case, found once, when first needed.
    let opened: std::cell::OnceCell<Vec<&str>> = std::cell::OnceCell::new();
    let opened_cases = || {
        opened.get_or_init(|| record.acts.iter().filter(|a| a.id.is_some() && why_no_case(symbols, treaty, a).is_none()).map(|a| symbols.name(a.id)).collect())
    };
    // Whether any organ has an end (`until`): only then are acts checked against it.
    let any_organ_ends = treaty.organs.iter().any(|o| o.until.is_some());
    for (ai, act) in record.acts.iter().enumerate() {
        let name = |s: Sym| symbols.name(s).to_string();
        // The head line (for ""), or a field's line.
        let at = |field: &str| field_span(text, act.span, field).unwrap_or(act.span);
        let span = at("");
        if act.id.is_some() && ids.insert(act.id, (act.time, ai)).is_some() {
            let id = name(act.id);
            diags.push(Diagnostic::error(codes::DUPLICATE_ID, at("id"), format!("act id `{id}` is used twice")));
        }
        if !is_party(act.actor) && !is_organ(act.actor) && !is_forum(act.actor) {
            let actor = name(act.actor);
            diags.push_suggesting(
                Diagnostic::error(codes::UNKNOWN_PARTY, span, format!("unknown actor `{actor}`"))
                    .label("not a party, state or organ of this treaty")
                    .help("declare it in the treaty with `party`, `state` or `organ`"),
                &actor,
                actor_names(),
            );
        }
        let more_abouts = act.abouts().skip(1).map(|v| ("about", v));
        for (field, value) in [("to", act.to), ("against", act.against), ("about", act.about)].into_iter().chain(more_abouts) {
            // A transfer's `to` is an organ, checked below as one.
            if value.is_some() && !is_party(value) && !is_organ(value) && !is_forum(value) && (field != "to" || act.kind != ActKind::Transfer) {
                let v = name(value);
                diags.push_suggesting(
                    Diagnostic::error(codes::UNKNOWN_PARTY, at(field), format!("unknown party, state or organ `{v}` in `{field}`")),
                    &v,
                    actor_names(),
                );
            }
        }
        for &p in act.from.iter() {
            if !is_party(p) {
                let v = name(p);
                diags.push_suggesting(
                    Diagnostic::error(codes::UNKNOWN_PARTY, at("from"), format!("unknown party `{v}` in `from`")),
                    &v,
                    party_names.iter().copied(),
                );
            } else if act.kind == ActKind::Deployment && !member(p, checked_at(act)) {
                let v = name(p);
                diags.push(Diagnostic::error(
                    codes::NOT_A_MEMBER,
                    at("from"),
                    format!("`{v}` contributes to a deployment but is not a member on {}", act.time.display()),
                ));
            }
        }
        if let Some(place) = act.place()
            && treaty.region(place).is_none()
        {
            let v = name(place);
            let regions: Vec<&str> = treaty.regions.iter().map(|r| symbols.name(r.id)).collect();
            diags.push_suggesting(
                Diagnostic::error(codes::UNKNOWN_REGION, at("in"), format!("unknown region `{v}` in `in`")).help("declare it in the treaty with `region`"),
                &v,
                regions.iter().copied(),
            );
        }
        if act.kind == ActKind::War && act.against.is_none() {
            diags.push(
                Diagnostic::error(codes::WAR_WITHOUT_ADVERSARY, span, "a `war` act needs `against`: the state the actor is at war with")
                    .help("`2001-01-02 AAA war` with `against BBB` on the line below"),
            );
        }
        if act.place().is_none()
            && let Some(duty) = treaty.duties.iter().find(|d| {
                d.only.iter().any(|o| matches!(o.condition, Condition::In(_)))
                    && d.triggers().any(|p| fits(p, act))
                    && treaty.rule_in_force(&d.versions, act.time)
            })
        {
            let region = duty.only.iter().find_map(|o| if let Condition::In(r) = o.condition { Some(r) } else { None }).unwrap_or(Sym::NONE);
            diags.push(
                Diagnostic::warning(
                    codes::PLACE_NOT_RECORDED,
                    span,
                    format!(
                        "this act engages `{}`, which holds only in {}, but the record does not say where it took place",
                        name(duty.id),
                        treaty.region_name(region, symbols)
                    ),
                )
                .help("add `in REGION` (a region of the treaty); without it the verdict depends on where, and is undetermined"),
            );
        }
        if act.organ.is_some() && !is_organ(act.organ) {
            let v = name(act.organ);
            diags.push_suggesting(Diagnostic::error(codes::UNKNOWN_ORGAN, at("organ"), format!("unknown organ `{v}`")), &v, organ_names.iter().copied());
        }
        for (field, organ) in [("", act.actor), ("to", act.to), ("organ", act.organ)].into_iter().filter(|_| any_organ_ends) {
            if let Some(o) = treaty.organ(organ)
                && !o.exists_at(checked_at(act))
                && let Some(until) = o.until
            {
                let v = name(organ);
                diags.push(
                    Diagnostic::error(codes::ORGAN_ENDED, at(field), format!("organ `{v}` exists until {}, before this act", until.display()))
                        .help("an organ with `until DATE` takes no act and receives no matter from that date"),
                );
            }
        }
        if act.under.is_some() && treaty.article(act.under).is_none() {
            let v = name(act.under);
            diags.push_suggesting(
                Diagnostic::error(codes::UNKNOWN_ARTICLE, at("under"), format!("unknown article `{v}`"))
                    .help("articles are named by the treaty file's headings, as `art4` for `## Article 4`"),
                &v,
                treaty.articles.iter().map(|a| symbols.name(a.id)),
            );
        }
        let members_only = matches!(
            act.kind,
            ActKind::Request
                | ActKind::Sign
                | ActKind::Refuse
                | ActKind::OptOut
                | ActKind::Assistance
                | ActKind::Withdrawal
                | ActKind::Vote
                | ActKind::Objection
                | ActKind::Amendment
                | ActKind::Reservation
        );
        if members_only && is_party(act.actor) && !member(act.actor, checked_at(act)) {
            let (actor, kind) = (name(act.actor), act.kind.keyword());
            diags.push(
                Diagnostic::error(codes::NOT_A_MEMBER, span, format!("`{actor}` is not a member on {}, so it cannot `{kind}`", act.time.display()))
                    .help("only members of the treaty on the act's date may perform it"),
            );
        } else if members_only && is_party(act.actor) && membership(act.actor, checked_at(act)) == Known::Unknown {
            let (actor, kind) = (name(act.actor), act.kind.keyword());
            diags.push(
                Diagnostic::warning(
                    codes::MEMBERSHIP_UNKNOWN_ACT,
                    span,
                    format!("whether `{actor}` is a member on {} is not known, and only a member may `{kind}`", act.time.display()),
                )
                .help("the act is kept; verdicts that depend on its membership are undetermined. A source for its membership on that date settles it"),
            );
        }
        let on_document = act.kind.takes_position_on_document();
        if act.kind == ActKind::Vote && ![treaty.words.yes, treaty.words.no, treaty.words.abstain].contains(&act.subject) {
            diags.push(Diagnostic::error(codes::MALFORMED_CLAUSE, span, "a vote is `vote yes`, `vote no` or `vote abstain`"));
        }
        if act.kind == ActKind::Propose && act.subject == treaty.words.silence && act.end().is_none() {
            diags.push(Diagnostic::error(codes::MISSING_CLAUSE, span, "a text put under silence needs its exact expiry: `end 2001-09-13T18:00`"));
        }
        decision_kind_checks(symbols, diags, treaty, act, &at);
        if act.kind == ActKind::Transfer && !is_organ(act.to) && !is_forum(act.to) {
            if act.to.is_none() {
                diags.push(Diagnostic::error(codes::UNKNOWN_ORGAN, span, "a `transfer` moves a document `to` an organ").help("add `to ORGAN`"));
            } else if is_party(act.to) {
                let v = name(act.to);
                diags.push(
                    Diagnostic::error(codes::UNKNOWN_ORGAN, at("to"), format!("`{v}` is a party, not an organ"))
                        .help("a `transfer` moves a document `to` an organ"),
                );
            } else {
                let v = name(act.to);
                diags.push_suggesting(
                    Diagnostic::error(codes::UNKNOWN_ORGAN, at("to"), format!("unknown organ `{v}`")).help("a `transfer` moves a document `to` an organ"),
                    &v,
                    organ_names.iter().copied(),
                );
            }
        }
        if (act.kind == ActKind::Propose || on_document) && act.document.is_none() {
            let kind = act.kind.keyword();
            diags.push(Diagnostic::error(codes::MISSING_CLAUSE, span, format!("`{kind}` needs `document ID`")));
        }
        if on_document && act.document.is_some() {
            match documents.get(&act.document) {
                Some(&t) if t <= act.time => {}
                _ => {
                    let d = name(act.document);
                    diags.push_suggesting(
                        Diagnostic::error(codes::UNKNOWN_DOCUMENT, at("document"), format!("unknown document `{d}`"))
                            .help("a document is introduced by an earlier `propose` or `decision` act with `document ID`"),
                        &d,
                        documents.iter().filter(|&(_, &t)| t <= act.time).map(|(&s, _)| symbols.name(s)),
                    );
                }
            }
        }
        if act.kind == ActKind::Suspension && act.against.is_some() {
            let problem = if act.about.is_some() {
                Some("a suspension is either of a party's membership (`about`) or between two parties (`against`), not both")
            } else if treaty.party(act.actor).is_none() || treaty.organ(act.actor).is_some() {
                Some("a suspension between two parties is made by one of them")
            } else if act.against == act.actor {
                Some("a party cannot suspend the treaty between itself and itself")
            } else {
                None
            };
            if let Some(problem) = problem {
                diags.push(
                    Diagnostic::error(codes::SUSPENSION_MALFORMED, span, problem)
                        .help("`DATE A suspension` with `against B`: A suspends the treaty between itself and B"),
                );
            }
        }
        if treaty.is_termination_notice(act) && treaty.provisions.renewal.is_none() {
            diags.push(
                Diagnostic::error(codes::TERMINATION_WITHOUT_RENEWAL, span, "a notice against renewal, but the treaty does not renew")
                    .help("`withdrawal termination` answers a `renews` clause of the treaty; a party leaving the treaty gives a plain `withdrawal`"),
            );
        }
        if let (Some(typed), Some(ending)) = (act.effective(), treaty.withdrawal_ending(act, ai as u32))
            && typed != ending.at()
        {
            diags.push(
                Diagnostic::warning(
                    codes::EFFECTIVE_DIFFERS,
                    at("effective"),
                    format!("the treaty's provisions make this withdrawal take effect on {}, not {}", ending.at().display(), typed.display()),
                )
                .label("the computed date is used")
                .help("leave `effective` out: the date follows from the notice and the treaty's `withdrawal` or `renews` clause"),
            );
        }
        if act.kind == ActKind::Handover && (act.organ.is_none() || act.to.is_none()) {
            diags.push(Diagnostic::error(codes::MISSING_CLAUSE, span, "a `handover` act needs `organ ID` and `to PARTY`"));
        }
        if act.case.is_some() {
            let c = name(act.case);
            match ids.get(&act.case).map(|&(t, i)| (t, &record.acts[i])) {
                Some((t, opener)) if t <= act.time => {
                    if let Some(why) = why_no_case(symbols, treaty, opener) {
                        let d = Diagnostic::error(codes::OPENS_NO_CASE, at("case"), format!("act `{c}` opened no case: {why}"))
                            .help("a case is named by the id of the earlier act that opened it, an act that matches a duty's trigger (`on`)");
                        let d = if diags.wants(d.span) { d.suggest(&c, opened_cases().iter().copied()) } else { d };
                        diags.push(d);
                    }
                }
                Some((t, _)) => {
                    diags.push(
                        Diagnostic::error(codes::UNKNOWN_CASE, at("case"), format!("case `{c}` is opened on {}, after this act", t.display()))
                            .help("an act can only belong to a case opened before it"),
                    );
                }
                None => {
                    let d = Diagnostic::error(codes::UNKNOWN_CASE, at("case"), format!("unknown case `{c}`"))
                        .help("a case is named by the id of the earlier act that opened it (a request under an article)");
                    let d = if diags.wants(d.span) { d.suggest(&c, opened_cases().iter().copied()) } else { d };
                    diags.push(d);
                }
            }
        }
        let powers: Vec<&Power> = treaty.powers.iter().filter(|p| fits(&p.act, act) && treaty.rule_in_force(&p.versions, checked_at(act))).collect();
        if !powers.is_empty()
            && (is_party(act.actor) || is_organ(act.actor))
            && !powers.iter().any(|p| holds(&p.holders, act.actor, member(act.actor, checked_at(act))))
        {
            let (actor, kind) = (name(act.actor), act.kind.keyword());
            let power = name(powers[0].id);
            diags.push(Diagnostic::error(codes::NO_POWER, span, format!("`{actor}` has no power to `{kind}` here")).help(format!("see the power `{power}`")));
        }
        if let Some(count) = act.count().as_ref() {
            let proposal = proposals.get(&act.document).copied();
            if let Some(problem) = tally_contradiction(treaty, act, proposal, count, &member) {
                diags.push(
                    Diagnostic::error(codes::TALLY_CONTRADICTS_RULE, at("votes"), problem)
                        .help("check the sources' figures, or the organ's `decides` rule in the treaty"),
                );
            }
        }
        if act.sources.is_empty() {
            diags.push(Diagnostic::warning(codes::NO_SOURCE, span, "this act has no source").help("add `source \"https://…\" \"Title\"`"));
        }
    }
}

/// The checks of a forum's acts and of a proposal's kind: a forum makes
/// statements only and receives no text (`E0117`); `kind` is given only on
/// a proposal, transfer or decision (`E0118`), names a kind the organ has a rule for
/// (`E0115`), and must be given to an organ that has no rule without one
/// (`E0116`); under silence it changes nothing (`W0058`).
fn decision_kind_checks(symbols: &Symbols, diags: &mut Diagnostics, treaty: &Treaty, act: &Act, at: &dyn Fn(&str) -> Span) {
    let name = |s: Sym| symbols.name(s).to_string();
    if let Some(f) = treaty.forum(act.actor)
        && act.kind != ActKind::Statement
    {
        diags.push(
            Diagnostic::error(codes::FORUM_DECIDES, at(""), format!("{} is a forum: it makes statements, but takes no `{}`", f.name, act.kind.keyword()))
                .help("a forum's act is a `statement`; decisions are taken by an `organ`"),
        );
    }
    let deciding = matches!(act.kind, ActKind::Propose | ActKind::Transfer);
    if deciding && let Some(f) = treaty.forum(act.to) {
        diags.push(
            Diagnostic::error(codes::FORUM_DECIDES, at("to"), format!("{} is a forum, which takes no decisions: no text can be put to it", f.name))
                .help("put the text `to` an organ of the treaty"),
        );
    }
    let kind = act.decision_kind();
    if kind.is_some() && !deciding && act.kind != ActKind::Decision {
        diags.push(
            Diagnostic::error(
                codes::KIND_MISPLACED,
                at("kind"),
                format!("`kind` is given only on a `propose`, a `transfer` or a `decision`, not on a `{}`", act.kind.keyword()),
            )
            .help("the kind of a proposal selects the rule of the organ it is put to"),
        );
        return;
    }
    // The organ whose rule the kind selects: the one the text is put or
    // moved to, or the one deciding. A decision on a proposed text takes
    // the proposal's kind, so it needs none of its own.
    let organ = if deciding {
        treaty.organ(act.to)
    } else if act.kind == ActKind::Decision && kind.is_some() {
        treaty.organ(act.actor)
    } else {
        None
    };
    let Some(organ) = organ else { return };
    if kind.is_some() && !organ.kinds.iter().any(|k| k.kind == kind) {
        let kinds: Vec<&str> = organ.kinds.iter().map(|k| symbols.name(k.kind)).collect();
        let help = if kinds.is_empty() {
            format!("{} has one rule for every proposal: leave out `kind`", organ.name)
        } else {
            format!("{} has rules for: {}", organ.name, kinds.join(", "))
        };
        let v = name(kind);
        diags.push_suggesting(
            Diagnostic::error(codes::UNKNOWN_DECISION_KIND, at("kind"), format!("{} has no rule for proposals of kind `{v}`", organ.name)).help(help),
            &v,
            kinds.iter().copied(),
        );
    } else if kind.is_none() && !organ.kinds.is_empty() && !organ.has_default && act.subject != treaty.words.silence {
        let kinds: Vec<&str> = organ.kinds.iter().map(|k| symbols.name(k.kind)).collect();
        diags.push(
            Diagnostic::error(
                codes::KIND_REQUIRED,
                at(""),
                format!("{} decides only by kind of proposal, and this `{}` names none", organ.name, act.kind.keyword()),
            )
            .help(format!("add `kind KIND`, one of: {}", kinds.join(", "))),
        );
    }
    if kind.is_some() && act.subject == treaty.words.silence {
        diags.push(
            Diagnostic::warning(codes::KIND_UNDER_SILENCE, at("kind"), "a text put under silence is decided by the silence procedure, whatever its kind")
                .help("leave out `kind`, or `silence`, to say which procedure applies"),
        );
    }
}

/// Why a decision's recorded tally cannot have adopted it under its organ's
/// rule, if it cannot: more votes than members entitled, a quorum not met,
/// fewer yes votes than needed, or votes against under unanimity or
/// consensus. The organ is the one the text was put to, else the decision's
/// author; those entitled are its seats that are members on the date, less
/// the parties to the dispute where the rule excludes them.
fn tally_contradiction(treaty: &Treaty, act: &Act, proposal: Option<&Act>, count: &DecisionCount, member: &dyn Fn(Sym, Time) -> bool) -> Option<String> {
    let DecisionCount::Votes { yes, no, abstain } = *count else { return None };
    let organ = treaty.organ(proposal.map(|p| p.to).unwrap_or(act.actor)).or_else(|| treaty.organ(act.actor))?;
    let name = &organ.name;
    // The rule for the proposal's kind, where it names one the organ has.
    let (rule_of_kind, _) = organ.rule_for(proposal.map_or(act.decision_kind(), |p| p.decision_kind()));
    match rule_of_kind {
        DecisionRule::Vote(rule) => {
            let excluded: Vec<Sym> = if rule.exclude_disputants { proposal.map(|p| vec![p.about, p.against]).unwrap_or_default() } else { Vec::new() };
            let seats: Vec<Sym> = organ.seat_candidates(&treaty.parties, act.time);
            let eligible = seats.into_iter().filter(|&p| member(p, act.time) && !excluded.contains(&p)).count() as u32;
            let t = rule.thresholds(eligible, yes, no, abstain);
            if yes + no + abstain > eligible {
                Some(format!("the tally counts {} votes, but only {eligible} members of {name} may vote on this date", yes + no + abstain))
            } else if let Some(q) = t.quorum.filter(|&q| yes + no + abstain < q) {
                Some(format!(
                    "the tally counts {} members taking part, below the quorum of {q} of {name}, yet the decision is recorded as taken",
                    yes + no + abstain
                ))
            } else if yes < t.needed {
                Some(format!(
                    "{yes} yes votes do not reach the {} that {name} needs ({}), yet the decision is recorded as adopted",
                    t.needed,
                    rule_of_kind.describe()
                ))
            } else {
                None
            }
        }
        DecisionRule::Unanimity | DecisionRule::ConsensusOptOut if no > 0 => Some(format!(
            "{name} decides by {}, so a decision with {no} {} against cannot have been adopted",
            rule_of_kind.describe(),
            if no == 1 { "vote" } else { "votes" }
        )),
        _ => None,
    }
}

/// Why `act` opens no case, or `None` if it opens one: it is of a kind no
/// duty's trigger names, or no such duty was in force on its date, or it
/// does not fit the trigger's names (another article, another party).
fn why_no_case(symbols: &Symbols, treaty: &Treaty, act: &Act) -> Option<String> {
    let kind = act.kind.keyword();
    let same_kind: Vec<&Duty> = treaty.duties.iter().filter(|d| d.triggers().any(|t| t.kind == act.kind)).collect();
    if same_kind.is_empty() {
        let mut kinds: Vec<&str> = treaty.duties.iter().flat_map(|d| d.triggers().map(|t| t.kind.keyword())).collect();
        kinds.sort();
        kinds.dedup();
        let by = if kinds.is_empty() {
            "the treaty has no duty".to_string()
        } else {
            format!("only {} opens cases", kinds.iter().map(|k| format!("a `{k}`")).collect::<Vec<_>>().join(" or "))
        };
        return Some(format!("it is a `{kind}`, and no duty is triggered by a `{kind}` ({by})"));
    }
    let in_force: Vec<&&Duty> = same_kind.iter().filter(|d| treaty.rule_in_force(&d.versions, act.time)).collect();
    if in_force.is_empty() {
        return Some(format!("no duty triggered by a `{kind}` was in force on {}", act.time.display()));
    }
    if in_force.iter().any(|d| d.triggers().any(|t| fits(t, act))) {
        return None;
    }
    let d = in_force[0];
    // The trigger of the act's kind (a duty may have several, joined by `or`).
    let trigger = d.triggers().find(|t| t.kind == act.kind).unwrap_or(&d.trigger);
    let unmet: Vec<String> = trigger
        .constraints
        .iter()
        .filter_map(|&(field, term)| match term {
            Term::Name(s) if !act.has(field, s) && field == Field::Subject => Some(format!("the object `{}`", symbols.name(s))),
            Term::Name(s) if !act.has(field, s) => Some(format!("`{} {}`", field.keyword(), symbols.name(s))),
            _ => None,
        })
        .collect();
    let duty = symbols.name(d.id);
    Some(format!("this `{kind}` lacks {} that duty `{duty}` is triggered by", unmet.join(" and ")))
}
