//! `casus fmt`: rewrites every rule or act block in canonical form and leaves
//! the prose around them byte for byte.

use crate::diagnostic::Diagnostic;
use crate::markdown;
use crate::syntax;

/// The canonical text of a treaty or record file. `info` is `casus` for a
/// treaty and `acts` for a record; a file not ending in `.md` is one block.
/// Refuses (returns the diagnostics) if a block has a syntax error, since
/// rewriting it could lose text.
pub fn format_file(name: &str, text: &str, info: &str) -> Result<String, Vec<Diagnostic>> {
    let ranges = markdown::block_ranges(name, text, info);
    let mut diags = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for range in ranges {
        let block = syntax::parse_block(text, range.clone(), &mut diags);
        out.push_str(&text[last..range.start]);
        out.push_str(&syntax::format_block(&block));
        last = range.end;
    }
    out.push_str(&text[last..]);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(out)
}
