//! Helpers shared by treaty and record lowering: dates, durations, sources,
//! terms and patterns, each reporting its own diagnostics.

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::syntax::{Token, TokenKind};
use casus_model::{ActKind, Citation, Duration, Field, Pattern, Precision, Span, Sym, Symbols, Term, Time};

pub(crate) struct Cx<'a> {
    pub symbols: &'a mut Symbols,
    pub diags: &'a mut Diagnostics,
}

/// A diagnostic about to be pushed, to add a label or help to; it goes
/// into the file's diagnostics when dropped, at the end of the statement.
pub(crate) struct Pushed<'a>(Option<Diagnostic>, &'a mut Diagnostics);

impl Pushed<'_> {
    pub fn label(mut self, label: impl Into<String>) -> Self {
        if let Some(d) = &mut self.0 {
            d.label = label.into();
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        if let Some(d) = &mut self.0 {
            d.help = Some(help.into());
        }
        self
    }

    /// "did you mean `X`?" when a known name is close to `name`.
    pub fn suggest<'n>(mut self, name: &str, known: impl IntoIterator<Item = &'n str>) -> Self {
        self.0 = self.0.take().map(|d| if self.1.wants(d.span) { d.suggest(name, known) } else { d });
        self
    }
}

impl Drop for Pushed<'_> {
    fn drop(&mut self) {
        if let Some(d) = self.0.take() {
            self.1.push(d);
        }
    }
}

pub(crate) fn span_of(tokens: &[Token], fallback: Span) -> Span {
    match (tokens.first(), tokens.last()) {
        (Some(a), Some(b)) => Span { start: a.span.start, end: b.span.end },
        _ => fallback,
    }
}

impl Cx<'_> {
    pub fn err(&mut self, code: &'static str, span: Span, message: impl Into<String>) -> Pushed<'_> {
        Pushed(Some(Diagnostic::error(code, span, message)), self.diags)
    }

    pub fn date(&mut self, tok: Option<&Token>, at: Span, what: &str) -> Option<(Time, Precision)> {
        let Some(tok) = tok else {
            self.err(codes::MALFORMED_CLAUSE, at, format!("expected {what}")).label("a date such as 2022-09-14 is missing here");
            return None;
        };
        if !matches!(tok.kind, TokenKind::Date | TokenKind::Number | TokenKind::Word) {
            self.err(codes::INVALID_DATE, tok.span, format!("expected {what}, found {}", tok.describe())).label("not a date");
            return None;
        }
        match Time::parse(&tok.text) {
            Some(t) => Some(t),
            None => {
                self.err(codes::INVALID_DATE, tok.span, format!("invalid date `{}`", tok.text))
                    .label("not a real date")
                    .help("write YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][Z] in UTC");
                None
            }
        }
    }

    /// `N unit`: returns the duration and how many tokens it used.
    pub fn duration(&mut self, tokens: &[Token], at: Span) -> Option<Duration> {
        let (Some(n), Some(unit)) = (tokens.first(), tokens.get(1)) else {
            self.err(codes::INVALID_DURATION, span_of(tokens, at), "expected a duration such as `7 days`");
            return None;
        };
        let Ok(value) = n.text.parse::<i64>() else {
            self.err(codes::INVALID_DURATION, n.span, format!("expected a whole number, found {}", n.describe()));
            return None;
        };
        if n.kind != TokenKind::Number || value > 100_000 {
            self.err(codes::INVALID_DURATION, n.span, format!("`{}` is not a usable number here", n.text)).label("at most 100000");
            return None;
        }
        let unit_name = unit.text.trim_end_matches('s');
        let d = match unit_name {
            "second" => Duration { months: 0, seconds: value },
            "minute" => Duration { months: 0, seconds: value * 60 },
            "hour" => Duration { months: 0, seconds: value * 3600 },
            "day" => Duration::days(value),
            "week" => Duration::days(value * 7),
            "month" => Duration { months: value as i32, seconds: 0 },
            "year" => Duration { months: value as i32 * 12, seconds: 0 },
            _ => {
                self.err(codes::INVALID_DURATION, unit.span, format!("unknown unit `{}`", unit.text))
                    .help("units: seconds, minutes, hours, days, weeks, months, years");
                return None;
            }
        };
        Some(d)
    }

    /// The string argument of a clause such as `title "…"`.
    pub fn string(&mut self, tok: Option<&Token>, at: Span, what: &str) -> Option<String> {
        match tok {
            Some(t) if t.kind == TokenKind::Str => Some(t.text.clone()),
            Some(t) => {
                self.err(codes::MALFORMED_CLAUSE, t.span, format!("expected {what} in quotes, found {}", t.describe()));
                None
            }
            None => {
                self.err(codes::MALFORMED_CLAUSE, at, format!("expected {what} in quotes"));
                None
            }
        }
    }

    /// A name (word) argument.
    pub fn name(&mut self, tok: Option<&Token>, at: Span, what: &str) -> Option<(Sym, Span)> {
        match tok {
            Some(t) if t.kind == TokenKind::Word => Some((self.symbols.intern(&t.text), t.span)),
            Some(t) => {
                self.err(codes::MALFORMED_CLAUSE, t.span, format!("expected {what}, found {}", t.describe()));
                None
            }
            None => {
                self.err(codes::MALFORMED_CLAUSE, at, format!("expected {what}"));
                None
            }
        }
    }

    /// `source "url-or-title" ["title"]`, given the tokens after `source`.
    pub fn citation(&mut self, args: &[Token], at: Span) -> Option<Citation> {
        let strings: Vec<&Token> = args.iter().take_while(|t| t.kind == TokenKind::Str).collect();
        if strings.is_empty() || strings.len() > 2 || strings.len() != args.len() {
            self.err(codes::MALFORMED_CLAUSE, span_of(args, at), "expected `source \"address\" \"title\"`, `source \"address\"` or `source \"title\"`");
            return None;
        }
        let first = &strings[0].text;
        let is_url = first.starts_with("http://") || first.starts_with("https://");
        if is_url && first.contains(char::is_whitespace) {
            self.err(codes::MALFORMED_CLAUSE, strings[0].span, "an address cannot contain spaces");
        }
        let (url, title) = if is_url { (first.as_str(), strings.get(1).map(|t| t.text.as_str()).unwrap_or("")) } else { ("", first.as_str()) };
        if !is_url && strings.len() == 2 {
            self.err(codes::MALFORMED_CLAUSE, strings[1].span, "a second string is a title, so the first must be an address (http:// or https://)");
        }
        Some(Citation { url: self.symbols.intern(url), title: self.symbols.intern(title) })
    }

    pub fn term(&mut self, tok: &Token) -> Option<Term> {
        match tok.kind {
            TokenKind::Word if tok.text == "any" => Some(Term::Any),
            TokenKind::Word => Some(Term::Name(self.symbols.intern(&tok.text))),
            TokenKind::Var => Some(Term::Var(self.symbols.intern(&tok.text))),
            _ => {
                self.err(codes::MALFORMED_CLAUSE, tok.span, format!("expected a name, a `$variable` or `any`, found {}", tok.describe()));
                None
            }
        }
    }

    /// `KIND [SUBJECT] (FIELD TERM)*`
    pub fn pattern(&mut self, tokens: &[Token], at: Span) -> Option<Pattern> {
        let span = span_of(tokens, at);
        let Some(first) = tokens.first() else {
            self.err(codes::MALFORMED_CLAUSE, at, "expected a pattern such as `request assistance under art4 by $victim`");
            return None;
        };
        let Some(kind) = (first.kind == TokenKind::Word).then(|| ActKind::from_keyword(&first.text)).flatten() else {
            let kinds: Vec<&str> = ActKind::ALL.iter().map(|k| k.keyword()).collect();
            self.err(codes::UNKNOWN_ACT_KIND, first.span, format!("unknown act kind {}", first.describe()))
                .help(format!("act kinds: {}", kinds.join(", ")))
                .suggest(&first.text, kinds.iter().copied());
            return None;
        };
        let mut constraints = Vec::new();
        let mut rest = &tokens[1..];
        if let Some(t) = rest.first()
            && !(t.kind == TokenKind::Word && Field::from_keyword(&t.text).is_some())
        {
            constraints.push((Field::Subject, self.term(t)?));
            rest = &rest[1..];
        }
        let mut ok = true;
        while let Some(key) = rest.first() {
            let Some(field) = (key.kind == TokenKind::Word).then(|| Field::from_keyword(&key.text)).flatten().filter(|f| *f != Field::Subject) else {
                self.err(codes::MALFORMED_CLAUSE, key.span, format!("expected a field, found {}", key.describe()))
                    .help("fields: by, under, to, against, about, from, document, means, case")
                    .suggest(&key.text, ["by", "under", "to", "against", "about", "from", "document", "means", "case"]);
                return None;
            };
            let Some(value) = rest.get(1) else {
                self.err(codes::MALFORMED_CLAUSE, key.span, format!("`{}` needs a value", key.text));
                return None;
            };
            match self.term(value) {
                Some(term) => constraints.push((field, term)),
                None => ok = false,
            }
            rest = &rest[2..];
        }
        ok.then_some(Pattern { kind, constraints, span })
    }

    /// Splits trailing `source …` and `note "…"` attributes off a line's
    /// arguments: returns the arguments before them, the citations and the note.
    pub fn trailing<'t>(&mut self, args: &'t [Token], at: Span) -> (&'t [Token], Vec<Citation>, String) {
        let cut = args.iter().position(|t| t.is_word("source") || t.is_word("note")).unwrap_or(args.len());
        let (main, mut rest) = args.split_at(cut);
        let mut sources = Vec::new();
        let mut note = String::new();
        while let Some(key) = rest.first() {
            let end = rest[1..].iter().position(|t| t.is_word("source") || t.is_word("note")).map(|i| i + 1).unwrap_or(rest.len());
            let values = &rest[1..end];
            if key.is_word("source") {
                if let Some(c) = self.citation(values, key.span) {
                    sources.push(c);
                }
            } else if let Some(s) = self.string(values.first(), key.span, "a note") {
                note = s;
                if values.len() > 1 {
                    self.err(codes::MALFORMED_CLAUSE, span_of(&values[1..], at), "a note takes one string");
                }
            }
            rest = &rest[end..];
        }
        (main, sources, note)
    }
}
