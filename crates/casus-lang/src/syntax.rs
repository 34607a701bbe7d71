//! The line-oriented syntax shared by `casus` and `acts` blocks: tokens,
//! lines, declarations with clauses and continuations, and comments.
//!
//! Parsing here is purely structural and never stops at an error: every bad
//! token becomes a diagnostic and the rest of the block is still read, so
//! `casus check` can report every problem at once. Meaning (which clauses a
//! declaration takes) is the business of `treaty.rs` and `record.rs`.

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use casus_model::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Var,
    Str,
    Date,
    Number,
    Eq,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// The value: a word, a variable's name without `$`, a string's
    /// unescaped contents, a date or number as written.
    pub text: String,
    pub span: Span,
}

impl Token {
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text == word
    }

    /// The token as canonical source text.
    pub fn canonical(&self) -> String {
        match self.kind {
            TokenKind::Var => format!("${}", self.text),
            TokenKind::Str => {
                let mut s = String::with_capacity(self.text.len() + 2);
                s.push('"');
                for c in self.text.chars() {
                    if c == '"' || c == '\\' {
                        s.push('\\');
                    }
                    s.push(c);
                }
                s.push('"');
                s
            }
            TokenKind::Eq => "=".to_string(),
            _ => self.text.clone(),
        }
    }

    pub fn describe(&self) -> String {
        match self.kind {
            TokenKind::Str => "a string".to_string(),
            _ => format!("`{}`", self.canonical()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub indent: usize,
    pub tokens: Vec<Token>,
    /// A trailing comment, without the `#`.
    pub comment: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyLine {
    Clause(Line),
    Continuation(Line),
    Comment(Line),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub head: Line,
    pub body: Vec<BodyLine>,
    /// A blank line stood right before the head (kept after a comment).
    pub spaced: bool,
}

/// A clause with the continuation lines (`or …`, `when …`) below it.
pub struct Clause<'a> {
    pub line: &'a Line,
    pub continuations: Vec<&'a Line>,
}

impl Decl {
    pub fn clauses(&self) -> Vec<Clause<'_>> {
        let mut out: Vec<Clause<'_>> = Vec::new();
        for b in &self.body {
            match b {
                BodyLine::Clause(l) => out.push(Clause { line: l, continuations: Vec::new() }),
                BodyLine::Continuation(l) => {
                    if let Some(c) = out.last_mut() {
                        c.continuations.push(l);
                    }
                }
                BodyLine::Comment(_) => {}
            }
        }
        out
    }

    /// The span from the head to the end of the last body line.
    pub fn span(&self) -> Span {
        let end = self
            .body
            .iter()
            .rev()
            .find_map(|b| match b {
                BodyLine::Clause(l) | BodyLine::Continuation(l) => Some(l.span.end),
                BodyLine::Comment(_) => None,
            })
            .unwrap_or(self.head.span.end);
        Span { start: self.head.span.start, end }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Comment(Line),
    Decl(Decl),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    pub items: Vec<Item>,
}

impl Block {
    pub fn decls(&self) -> impl Iterator<Item = &Decl> {
        self.items.iter().filter_map(|i| match i {
            Item::Decl(d) => Some(d),
            Item::Comment(_) => None,
        })
    }
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The most tokens one line may hold; the rest of a longer line is skipped
/// with an error, so that one huge line cannot hold a token per byte.
pub const MAX_LINE_TOKENS: usize = 10_000;
/// The most lines and tokens (counted together) one declaration may hold;
/// the rest of a longer one is skipped with an error. Real declarations
/// hold a few dozen.
pub const MAX_DECL_PARTS: usize = 100_000;

/// Splits one line (without its newline) into tokens. `base` is the line's
/// byte offset in the file. Reports at most one syntax error for the line:
/// the first; a line of junk gives one diagnostic, not one per character.
pub fn lex_line(line: &str, base: usize, diags: &mut Diagnostics) -> (Vec<Token>, Option<String>) {
    let (tokens, comment, error) = lex(line, base);
    if let Some(e) = error {
        diags.push(e);
    }
    (tokens, comment)
}

/// The tokens of a line, its comment, and its first syntax error.
fn lex(line: &str, base: usize) -> (Vec<Token>, Option<String>, Option<Diagnostic>) {
    let mut tokens = Vec::new();
    let mut error: Option<Diagnostic> = None;
    let mut report = |d: Diagnostic| {
        if error.is_none() {
            error = Some(d);
        }
    };
    let span = |a: usize, b: usize| Span::new(base + a, base + b);
    let mut chars = line.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == ' ' || c == '\t' || c == '\r' {
            continue;
        }
        if c == '#' {
            return (tokens, Some(line[start + 1..].trim_end().to_string()), error);
        }
        if tokens.len() == MAX_LINE_TOKENS {
            report(
                Diagnostic::error(codes::TOO_LARGE, span(start, line.len()), format!("a line with more than {MAX_LINE_TOKENS} tokens"))
                    .label("the rest of this line is skipped"),
            );
            break;
        }
        let end_here = |chars: &mut std::iter::Peekable<std::str::CharIndices>| chars.peek().map(|&(o, _)| o).unwrap_or(line.len());
        if c == '"' {
            let mut value = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == '\\' && chars.peek().is_some() {
                    if let Some((_, e)) = chars.next() {
                        value.push(e);
                    }
                } else if d == '"' {
                    closed = true;
                    break;
                } else {
                    value.push(d);
                }
            }
            if !closed {
                report(
                    Diagnostic::error(codes::UNTERMINATED_STRING, span(start, line.trim_end().len().max(start + 1)), "unterminated string")
                        .label("this string is not closed on its line")
                        .help("close it with `\"`; a string cannot span lines"),
                );
            }
            tokens.push(Token { kind: TokenKind::Str, text: value, span: span(start, end_here(&mut chars)) });
        } else if c == '=' {
            tokens.push(Token { kind: TokenKind::Eq, text: "=".into(), span: span(start, start + 1) });
        } else if c == '$' || is_word_start(c) || c.is_ascii_digit() {
            // `:` belongs to times (2022-01-05T21:30), `/` to shares (2/3).
            while chars.next_if(|&(_, d)| is_word_char(d) || d == ':' || (c.is_ascii_digit() && d == '/')).is_some() {}
            let end = end_here(&mut chars);
            let text = &line[start..end];
            let kind = if c == '$' {
                TokenKind::Var
            } else if c.is_ascii_digit() {
                let share = text.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|b| b.is_ascii_digit()));
                if text.bytes().all(|b| b.is_ascii_digit()) || share { TokenKind::Number } else { TokenKind::Date }
            } else {
                TokenKind::Word
            };
            if (kind == TokenKind::Word || kind == TokenKind::Var) && text.contains(':') {
                report(
                    Diagnostic::error(codes::UNEXPECTED_CHARACTER, span(start, end), format!("unexpected `:` in `{}`", shorten(text)))
                        .label("names cannot contain `:`"),
                );
            }
            if kind == TokenKind::Var && (text.len() == 1 || !is_word_start(text[1..].chars().next().unwrap_or('0'))) {
                report(Diagnostic::error(codes::UNEXPECTED_CHARACTER, span(start, end), "a variable needs a name after `$`").label("like `$victim`"));
            }
            let value = if kind == TokenKind::Var { text[1..].to_string() } else { text.to_string() };
            tokens.push(Token { kind, text: value, span: span(start, end) });
        } else {
            while chars.next_if(|&(_, d)| !d.is_whitespace() && d != '"' && d != '#').is_some() {}
            let end = end_here(&mut chars);
            report(
                Diagnostic::error(codes::UNEXPECTED_CHARACTER, span(start, end), format!("unexpected `{}`", shorten(&line[start..end])))
                    .label("not a name, variable, string, date or number"),
            );
        }
    }
    (tokens, None, error)
}

/// A piece of source quoted in a message, cut if long.
fn shorten(s: &str) -> String {
    const MAX_CHARS: usize = 40;
    if s.chars().count() <= MAX_CHARS { s.to_string() } else { format!("{}…", s.chars().take(MAX_CHARS).collect::<String>()) }
}

/// Parses the content of one fenced block. `range` is its byte range in
/// `file`.
pub fn parse_block(file: &str, range: std::ops::Range<usize>, diags: &mut Diagnostics) -> Block {
    let mut block = Block::default();
    for_each_item(file, range, diags, |item, _| block.items.push(item));
    block
}

/// Parses one fenced block item by item, handing each top-level comment or
/// whole declaration to `f` as soon as it ends, so that a caller that
/// lowers as it goes holds one declaration at a time, never the block.
pub fn for_each_item(file: &str, range: std::ops::Range<usize>, diags: &mut Diagnostics, mut f: impl FnMut(Item, &mut Diagnostics)) {
    let content = file.get(range.clone()).unwrap_or("");
    let mut offset = range.start;
    let mut after_blank = false;
    // The item being read, and what the declaration in it holds so far
    // (lines and tokens); `None` once it is over its limit.
    let mut pending: Option<Item> = None;
    let mut parts: Option<usize> = Some(0);
    for raw in content.split_inclusive('\n') {
        let base = offset;
        offset += raw.len();
        let text = raw.trim_end_matches('\n').trim_end_matches('\r');
        let indent = text.chars().take_while(|c| *c == ' ' || *c == '\t').count();
        let starts_item = indent == 0 && !text.is_empty();
        if parts.is_none() && !starts_item {
            // Inside a declaration over its limit: skip to the next head.
            continue;
        }
        let (tokens, comment, error) = lex(text, base);
        let lexed_cleanly = error.is_none();
        if let Some(e) = error {
            diags.push(e);
        }
        if tokens.is_empty() && comment.is_none() {
            after_blank = true;
            continue;
        }
        let spaced = std::mem::replace(&mut after_blank, false);
        let span = Span::new(base + indent, base + text.len());
        let line = Line { indent, tokens, comment, span };
        let in_decl = matches!(pending, Some(Item::Decl(_)));
        if line.tokens.is_empty() && indent > 0 && in_decl {
            if let Some(Item::Decl(d)) = &mut pending {
                d.body.push(BodyLine::Comment(line));
            }
        } else if line.tokens.is_empty() || indent == 0 {
            if let Some(done) = pending.take() {
                f(done, diags);
            }
            parts = Some(line.tokens.len() + 1);
            pending = Some(if line.tokens.is_empty() { Item::Comment(line) } else { Item::Decl(Decl { head: line, body: Vec::new(), spaced }) });
            continue;
        } else {
            let first = &line.tokens[0];
            let continuation = first.is_word("or") || first.is_word("when");
            match &mut pending {
                Some(Item::Decl(d)) if continuation && d.body.iter().any(|b| matches!(b, BodyLine::Clause(_))) => d.body.push(BodyLine::Continuation(line)),
                Some(Item::Decl(d)) if !continuation => d.body.push(BodyLine::Clause(line)),
                _ => {
                    if lexed_cleanly {
                        let what = if continuation {
                            format!("`{}` with no clause above it", first.text)
                        } else {
                            "an indented line with no declaration above it".to_string()
                        };
                        diags.push(
                            Diagnostic::error(codes::STRAY_CONTINUATION, first.span, what)
                                .label("nothing to continue")
                                .help("a declaration starts at column 0; its clauses are indented below it"),
                        );
                    }
                    continue;
                }
            }
        }
        // A line was added to the pending declaration: count it.
        if let (Some(n), Some(Item::Decl(d))) = (parts, &mut pending) {
            let added = d.body.last().map(|b| match b {
                BodyLine::Clause(l) | BodyLine::Continuation(l) | BodyLine::Comment(l) => l.tokens.len() + 1,
            });
            let n = n + added.unwrap_or(1);
            if n > MAX_DECL_PARTS {
                diags.push(
                    Diagnostic::error(codes::TOO_LARGE, d.head.span, format!("a declaration longer than {MAX_DECL_PARTS} lines and tokens"))
                        .label("the rest of this declaration is skipped"),
                );
                d.body.pop();
                parts = None;
            } else {
                parts = Some(n);
            }
        }
    }
    if let Some(done) = pending.take() {
        f(done, diags);
    }
}

/// The canonical text of a block (see docs/LANGUAGE.md, "Canonical form").
pub fn format_block(block: &Block) -> String {
    let mut f = Formatter::default();
    for item in &block.items {
        f.item(item);
    }
    f.out
}

/// Writes items in canonical form one at a time, so that `fmt` holds one
/// declaration at a time.
#[derive(Default)]
pub struct Formatter {
    pub out: String,
    previous_was_decl: bool,
    started: bool,
}

impl Formatter {
    pub fn item(&mut self, item: &Item) {
        const KEY_WIDTH: usize = 9;
        let join = |tokens: &[Token]| tokens.iter().map(Token::canonical).collect::<Vec<_>>().join(" ");
        let with_comment = |mut s: String, comment: &Option<String>| {
            if let Some(c) = comment {
                if !s.is_empty() {
                    s.push_str("  ");
                }
                s.push('#');
                if !c.is_empty() && !c.starts_with(' ') {
                    s.push(' ');
                }
                s.push_str(c);
            }
            s
        };
        let first = !self.started;
        self.started = true;
        let out = &mut self.out;
        match item {
            Item::Comment(line) => {
                if self.previous_was_decl {
                    out.push('\n');
                }
                out.push_str(&with_comment(String::new(), &line.comment));
                out.push('\n');
                self.previous_was_decl = false;
            }
            Item::Decl(decl) => {
                if self.previous_was_decl || (decl.spaced && !first) {
                    out.push('\n');
                }
                out.push_str(&with_comment(join(&decl.head.tokens), &decl.head.comment));
                out.push('\n');
                for b in &decl.body {
                    let s = match b {
                        BodyLine::Comment(l) => with_comment("  ".to_string(), &l.comment).trim_end().to_string(),
                        BodyLine::Clause(l) => {
                            // Two-word keywords: `owed by`, `held by`, and the
                            // approximate membership clauses (`joins by`,
                            // `leaves after`, `member on`).
                            let two_words = l.tokens.len() >= 2
                                && l.tokens[1].kind == TokenKind::Word
                                && (l.tokens[0].is_word("owed")
                                    || l.tokens[0].is_word("held")
                                    || (l.tokens[0].is_word("joins") && l.tokens[1].is_word("by"))
                                    || (l.tokens[0].is_word("leaves") && l.tokens[1].is_word("after"))
                                    || (l.tokens[0].is_word("member") && l.tokens[1].is_word("on")));
                            let split = if two_words { 2 } else { 1 };
                            let key = join(&l.tokens[..split]);
                            let rest = join(&l.tokens[split..]);
                            let s = if rest.is_empty() { format!("  {key}") } else { format!("  {key:<width$} {rest}", width = KEY_WIDTH - 1) };
                            with_comment(s, &l.comment)
                        }
                        BodyLine::Continuation(l) => with_comment(format!("{}{}", " ".repeat(KEY_WIDTH + 2), join(&l.tokens)), &l.comment),
                    };
                    out.push_str(&s);
                    out.push('\n');
                }
                self.previous_was_decl = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(s: &str) -> (Vec<Token>, Vec<Diagnostic>) {
        let mut d = Diagnostics::new();
        let (t, _) = lex_line(s, 0, &mut d);
        (t, d.into_vec())
    }

    #[test]
    fn tokens() {
        let (t, d) = lex(r#"on request $victim "a \"q\"" 2022-01-05T21:30 7 = x # c"#);
        assert!(d.is_empty(), "{d:?}");
        let kinds: Vec<_> = t.iter().map(|t| t.kind).collect();
        use TokenKind::*;
        assert_eq!(kinds, [Word, Word, Var, Str, Date, Number, Eq, Word]);
        assert_eq!(t[3].text, "a \"q\"");
        assert_eq!(t[3].canonical(), r#""a \"q\"""#);
    }

    #[test]
    fn bad_tokens_are_reported_not_fatal() {
        let (t, d) = lex("on @@ \"open");
        assert_eq!(t.len(), 2);
        // One syntax error per line: the first.
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, codes::UNEXPECTED_CHARACTER);
        let (t, d) = lex("on \"open @@");
        assert_eq!((t.len(), d.len()), (2, 1));
        assert_eq!(d[0].code, codes::UNTERMINATED_STRING);
    }

    #[test]
    fn a_huge_line_keeps_a_bounded_number_of_tokens() {
        let line = "a ".repeat(MAX_LINE_TOKENS * 3);
        let (t, d) = lex(&line);
        assert_eq!(t.len(), MAX_LINE_TOKENS);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, codes::TOO_LARGE);
    }

    #[test]
    fn a_huge_declaration_is_cut_at_its_limit() {
        let src = format!("duty x\n{}party A \"A\"\n", "  on a b c d\n".repeat(MAX_DECL_PARTS / 5 + 10));
        let mut d = Diagnostics::new();
        let b = parse_block(&src, 0..src.len(), &mut d);
        let d = d.into_vec();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, codes::TOO_LARGE);
        let decls: Vec<&Decl> = b.decls().collect();
        assert_eq!(decls.len(), 2, "the next declaration is read again");
        assert!(decls[0].body.len() <= MAX_DECL_PARTS / 5);
    }

    #[test]
    fn format_is_idempotent() {
        let src = "duty x # d\n    on   request  assistance\n  needs a\n or b\n      when q = r\n\n\n\nparty A \"A\"\n";
        let mut d = Diagnostics::new();
        let b = parse_block(src, 0..src.len(), &mut d);
        let once = format_block(&b);
        let b2 = parse_block(&once, 0..once.len(), &mut d);
        assert_eq!(format_block(&b2), once);
        assert!(d.into_vec().is_empty());
        assert_eq!(once, "duty x  # d\n  on       request assistance\n  needs    a\n           or b\n           when q = r\n\nparty A \"A\"\n");
    }
}
