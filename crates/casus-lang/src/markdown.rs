//! Finds the parts of a literate Markdown file that casus reads: fenced
//! blocks of a given info string, headings, and blockquotes, each with its
//! byte range in the file.
//!
//! pulldown-cmark does the Markdown; we only keep offsets, so that every
//! diagnostic and every `fmt` edit points into the original file.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A fenced block with the wanted info string: the byte range of its
    /// content (between the fence lines).
    Block(Range<usize>),
    Heading {
        text: String,
        level: u8,
        range: Range<usize>,
    },
    Quote {
        text: String,
        range: Range<usize>,
    },
}

/// The parts of `text` in document order. `info` is the fence info string
/// to keep (`casus` or `acts`).
pub fn parts(text: &str, info: &str) -> Vec<Part> {
    let mut out = Vec::new();
    for_each_part(text, info, |p| out.push(p));
    out
}

/// The parts of `text` in document order, each handed to `f` as soon as it
/// ends, so that a caller keeps only what it needs.
pub fn for_each_part(text: &str, info: &str, mut f: impl FnMut(Part)) {
    // What we are inside: a wanted block (its first content offset), a
    // heading (its text), a quote (its text and nesting depth).
    let mut block: Option<(usize, Option<Range<usize>>)> = None;
    let mut heading: Option<(String, u8, Range<usize>)> = None;
    let mut quote: Option<(String, Range<usize>, usize)> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                let lang = lang.split_whitespace().next().unwrap_or("");
                if lang == info && quote.is_none() {
                    // Content starts after the opening fence line.
                    let first = text[range.clone()].find('\n').map(|i| range.start + i + 1).unwrap_or(range.end);
                    block = Some((first, None));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((first, content)) = block.take() {
                    f(Part::Block(content.unwrap_or(first..first)));
                }
            }
            Event::Text(t) => {
                if let Some((first, content)) = &mut block {
                    // The content runs from the line after the opening fence,
                    // even where the first text event starts later (a CRLF
                    // split after its `\r`), so an edit never leaves half a
                    // line ending behind.
                    *content = Some(match content.take() {
                        None => (*first).min(range.start)..range.end,
                        Some(c) => c.start..range.end,
                    });
                } else if let Some((s, _, _)) = &mut heading {
                    s.push_str(&t);
                } else if let Some((s, _, _)) = &mut quote {
                    s.push_str(&t);
                }
            }
            Event::Code(t) => {
                if let Some((s, _, _)) = &mut heading {
                    s.push_str(&t);
                } else if let Some((s, _, _)) = &mut quote {
                    s.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((s, _, _)) = &mut quote {
                    s.push(' ');
                }
            }
            Event::Start(Tag::Heading { level, .. }) => heading = Some((String::new(), level as u8, range)),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((text, level, range)) = heading.take() {
                    f(Part::Heading { text: text.trim().to_string(), level, range });
                }
            }
            Event::Start(Tag::BlockQuote(_)) => match &mut quote {
                Some((_, _, depth)) => *depth += 1,
                None => quote = Some((String::new(), range, 1)),
            },
            Event::End(TagEnd::BlockQuote(_)) => {
                if let Some((_, _, depth)) = &mut quote {
                    *depth -= 1;
                    if *depth == 0 {
                        let (text, range, _) = quote.take().unwrap_or_default();
                        f(Part::Quote { text: text.split_whitespace().collect::<Vec<_>>().join(" "), range });
                    }
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some((s, _, _)) = &mut quote {
                    s.push(' ');
                }
            }
            _ => {}
        }
    }
}

/// The byte ranges of the blocks a file holds: its fenced blocks of `info`
/// if the file is Markdown (`.md`), or the whole file otherwise.
pub fn block_ranges(name: &str, text: &str, info: &str) -> Vec<Range<usize>> {
    if !name.ends_with(".md") {
        return std::iter::once(0..text.len()).collect();
    }
    let mut out = Vec::new();
    for_each_part(text, info, |p| {
        if let Part::Block(r) = p {
            out.push(r);
        }
    });
    out
}

/// The article id a heading opens, if it is an article heading:
/// `Article 4` → `art4`, `Article 42(7)` → `art42_7`, `Article IV` → `artIV`.
pub fn article_id(heading: &str) -> Option<String> {
    let rest = heading.trim().strip_prefix("Article")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let number = rest.split_whitespace().next()?;
    let number = number.trim_end_matches(['.', ':', ',']);
    let mut id = String::from("art");
    let mut gap = false;
    for c in number.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && id.len() > 3 {
                id.push('_');
            }
            gap = false;
            id.push(c);
        } else {
            gap = true;
        }
    }
    if id.len() == 3 || !id[3..].starts_with(|c: char| c.is_ascii_digit() || "IVXLC".contains(c)) {
        return None;
    }
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_starting_with_crlf_keeps_its_line_ending_whole() {
        // The first text event starts after the `\r`; the content must not.
        let text = "# T\n```casus\n\r\n\n```\n";
        assert_eq!(block_ranges("f.md", text, "casus"), vec![13..16]);
        let once = crate::format_file("f.md", text, "casus").expect("formats");
        assert_eq!(crate::format_file("f.md", &once, "casus").expect("formats again"), once);
    }

    #[test]
    fn article_ids() {
        assert_eq!(article_id("Article 4").as_deref(), Some("art4"));
        assert_eq!(article_id("Article 42(7)").as_deref(), Some("art42_7"));
        assert_eq!(article_id("Article IV — Action").as_deref(), Some("artIV"));
        assert_eq!(article_id("Article 2. Consultations").as_deref(), Some("art2"));
        assert_eq!(article_id("Articles"), None);
        assert_eq!(article_id("Organs"), None);
    }

    #[test]
    fn finds_blocks_quotes_headings() {
        let text = "# T\n\n## Article 4\n> If one\n> is attacked\n\n```casus\nduty x\n  on y\n```\n\n```rust\nfn\n```\n";
        let p = parts(text, "casus");
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(matches!(&p[2], Part::Quote { text, .. } if text == "If one is attacked"));
        let Part::Block(r) = &p[3] else { panic!("{p:?}") };
        assert_eq!(&text[r.clone()], "duty x\n  on y\n");
    }
}
