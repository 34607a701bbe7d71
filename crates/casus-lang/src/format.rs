//! `casus fmt`: rewrites every rule or act block in canonical form and leaves
//! the prose around them byte for byte.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::syntax;

/// The canonical text of a treaty or record file. `info` is `casus` for a
/// treaty and `acts` for a record; a file not ending in `.md` is one block.
/// Refuses (returns the diagnostics) if a block has a syntax error, since
/// rewriting it could lose text.
pub fn format_file(name: &str, text: &str, info: &str) -> Result<String, Vec<Diagnostic>> {
    let ranges = markdown::block_ranges(name, text, info);
    let mut diags = Diagnostics::new();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for range in ranges {
        out.push_str(&text[last..range.start]);
        // Each declaration is written out as soon as it is read.
        let mut f = syntax::Formatter::default();
        syntax::for_each_item(text, range.clone(), &mut diags, |item, _| f.item(&item));
        if f.out.is_empty() {
            // A block of blank lines stays as it is: emptying it could join
            // its fences (a lone `\r` ends a line for Markdown, not for us).
            out.push_str(&text[range.clone()]);
        } else {
            out.push_str(&f.out);
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    if diags.has_errors() {
        return Err(diags.into_vec());
    }
    Ok(out)
}
