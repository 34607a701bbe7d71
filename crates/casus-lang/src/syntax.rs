//! The line-oriented syntax shared by `casus` and `acts` blocks: tokens,
//! lines, declarations with clauses and continuations, and comments.
//!
//! Parsing here is purely structural and never stops at an error: every bad
//! token becomes a diagnostic and the rest of the block is still read, so
//! `casus check` can report every problem at once. Meaning (which clauses a
//! declaration takes) is the business of `treaty.rs` and `record.rs`.

use crate::diagnostic::{codes, Diagnostic};
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

/// Splits one line (without its newline) into tokens. `base` is the line's
/// byte offset in the file.
pub fn lex_line(line: &str, base: usize, diags: &mut Vec<Diagnostic>) -> (Vec<Token>, Option<String>) {
    let mut tokens = Vec::new();
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    let span = |a: usize, b: usize| Span::new(base + a, base + b);
    let end_of = |k: usize| bytes.get(k).map(|&(o, _)| o).unwrap_or(line.len());
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
        } else if c == '#' {
            return (tokens, Some(line[start + 1..].trim_end().to_string()));
        } else if c == '"' {
            let mut value = String::new();
            let mut j = i + 1;
            let mut closed = false;
            while j < bytes.len() {
                let (_, d) = bytes[j];
                if d == '\\' && j + 1 < bytes.len() {
                    value.push(bytes[j + 1].1);
                    j += 2;
                } else if d == '"' {
                    closed = true;
                    j += 1;
                    break;
                } else {
                    value.push(d);
                    j += 1;
                }
            }
            if !closed {
                diags.push(
                    Diagnostic::error(codes::UNTERMINATED_STRING, span(start, line.trim_end().len().max(start + 1)), "unterminated string")
                        .label("this string is not closed on its line")
                        .help("close it with `\"`; a string cannot span lines"),
                );
            }
            tokens.push(Token { kind: TokenKind::Str, text: value, span: span(start, end_of(j)) });
            i = j;
        } else if c == '=' {
            tokens.push(Token { kind: TokenKind::Eq, text: "=".into(), span: span(start, start + 1) });
            i += 1;
        } else if c == '$' || is_word_start(c) || c.is_ascii_digit() {
            let mut j = i + 1;
            // `:` belongs to times (2022-01-05T21:30), `/` to shares (2/3).
            while j < bytes.len() && (is_word_char(bytes[j].1) || bytes[j].1 == ':' || (c.is_ascii_digit() && bytes[j].1 == '/')) {
                j += 1;
            }
            let text = &line[start..end_of(j)];
            let kind = if c == '$' {
                TokenKind::Var
            } else if c.is_ascii_digit() {
                let share = text.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|b| b.is_ascii_digit()));
                if text.bytes().all(|b| b.is_ascii_digit()) || share { TokenKind::Number } else { TokenKind::Date }
            } else {
                TokenKind::Word
            };
            if (kind == TokenKind::Word || kind == TokenKind::Var) && text.contains(':') {
                diags.push(Diagnostic::error(codes::UNEXPECTED_CHARACTER, span(start, end_of(j)), format!("unexpected `:` in `{text}`")).label("names cannot contain `:`"));
            }
            if kind == TokenKind::Var && (text.len() == 1 || !is_word_start(text[1..].chars().next().unwrap_or('0'))) {
                diags.push(Diagnostic::error(codes::UNEXPECTED_CHARACTER, span(start, end_of(j)), "a variable needs a name after `$`").label("like `$victim`"));
            }
            let value = if kind == TokenKind::Var { text[1..].to_string() } else { text.to_string() };
            tokens.push(Token { kind, text: value, span: span(start, end_of(j)) });
            i = j;
        } else {
            let mut j = i + 1;
            while j < bytes.len() && !bytes[j].1.is_whitespace() && bytes[j].1 != '"' && bytes[j].1 != '#' {
                j += 1;
            }
            diags.push(
                Diagnostic::error(codes::UNEXPECTED_CHARACTER, span(start, end_of(j)), format!("unexpected `{}`", &line[start..end_of(j)]))
                    .label("not a name, variable, string, date or number"),
            );
            i = j;
        }
    }
    (tokens, None)
}

/// Parses the content of one fenced block. `range` is its byte range in
/// `file`.
pub fn parse_block(file: &str, range: std::ops::Range<usize>, diags: &mut Vec<Diagnostic>) -> Block {
    let mut block = Block::default();
    let content = &file[range.clone()];
    let mut offset = range.start;
    let mut after_blank = false;
    for raw in content.split_inclusive('\n') {
        let base = offset;
        offset += raw.len();
        let text = raw.trim_end_matches('\n').trim_end_matches('\r');
        let indent = text.chars().take_while(|c| *c == ' ' || *c == '\t').count();
        let (tokens, comment) = lex_line(text, base, diags);
        if tokens.is_empty() && comment.is_none() {
            after_blank = true;
            continue;
        }
        let spaced = std::mem::replace(&mut after_blank, false);
        let span = Span::new(base + indent, base + text.len());
        let line = Line { indent, tokens, comment, span };
        let current = match block.items.last_mut() {
            Some(Item::Decl(d)) => Some(d),
            _ => None,
        };
        if line.tokens.is_empty() {
            match current {
                Some(d) if indent > 0 => d.body.push(BodyLine::Comment(line)),
                _ => block.items.push(Item::Comment(line)),
            }
        } else if indent == 0 {
            block.items.push(Item::Decl(Decl { head: line, body: Vec::new(), spaced }));
        } else {
            let first = &line.tokens[0];
            let continuation = first.is_word("or") || first.is_word("when");
            match current {
                Some(d) if continuation && d.body.iter().any(|b| matches!(b, BodyLine::Clause(_))) => d.body.push(BodyLine::Continuation(line)),
                Some(d) if !continuation => d.body.push(BodyLine::Clause(line)),
                _ => {
                    let what = if continuation { format!("`{}` with no clause above it", first.text) } else { "an indented line with no declaration above it".to_string() };
                    diags.push(
                        Diagnostic::error(codes::STRAY_CONTINUATION, first.span, what)
                            .label("nothing to continue")
                            .help("a declaration starts at column 0; its clauses are indented below it"),
                    );
                }
            }
        }
    }
    block
}

/// The canonical text of a block (see docs/LANGUAGE.md, "Canonical form").
pub fn format_block(block: &Block) -> String {
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
    let mut out = String::new();
    let mut previous_was_decl = false;
    let mut first = true;
    for item in &block.items {
        match item {
            Item::Comment(line) => {
                if previous_was_decl {
                    out.push('\n');
                }
                out.push_str(&with_comment(String::new(), &line.comment));
                out.push('\n');
                previous_was_decl = false;
            }
            Item::Decl(decl) => {
                if previous_was_decl || (decl.spaced && !first) {
                    out.push('\n');
                }
                out.push_str(&with_comment(join(&decl.head.tokens), &decl.head.comment));
                out.push('\n');
                for b in &decl.body {
                    let s = match b {
                        BodyLine::Comment(l) => with_comment("  ".to_string(), &l.comment).trim_end().to_string(),
                        BodyLine::Clause(l) => {
                            let split = if l.tokens.len() >= 2 && (l.tokens[0].is_word("owed") || l.tokens[0].is_word("held")) && l.tokens[1].kind == TokenKind::Word { 2 } else { 1 };
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
                previous_was_decl = true;
            }
        }
        first = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(s: &str) -> (Vec<Token>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let (t, _) = lex_line(s, 0, &mut d);
        (t, d)
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
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn format_is_idempotent() {
        let src = "duty x # d\n    on   request  assistance\n  needs a\n or b\n      when q = r\n\n\n\nparty A \"A\"\n";
        let mut d = Vec::new();
        let b = parse_block(src, 0..src.len(), &mut d);
        let once = format_block(&b);
        let b2 = parse_block(&once, 0..once.len(), &mut d);
        assert_eq!(format_block(&b2), once);
        assert!(d.is_empty());
        assert_eq!(once, "duty x  # d\n  on       request assistance\n  needs    a\n           or b\n           when q = r\n\nparty A \"A\"\n");
    }
}
