//! Reading treaty and record files for the commands: bytes to text (with a
//! diagnostic for invalid UTF-8), text to model, diagnostics to stderr.

use anyhow::{Context, Result, bail};
use casus_lang::{Diagnostic, codes, count, render_short, tally};
use casus_model::{Span, Symbols};
use casus_query::Book;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// A treaty with its acts, as every command reads them.
pub type Loaded = Book;

/// Reads a file as UTF-8 text; invalid bytes are replaced, and reported by
/// `decode` when checking. A file over the language's size limit is refused
/// before it is read.
pub fn read(path: &Path) -> Result<String> {
    match read_bytes(path)? {
        Ok(bytes) => Ok(decode(bytes).0),
        Err(len) => bail!("{} is {len} bytes; the limit is {} bytes", path.display(), casus_lang::MAX_FILE_BYTES),
    }
}

/// The bytes of a file, or its length if that is over the size limit (then
/// nothing is read, so that a huge file costs no memory).
fn read_bytes(path: &Path) -> Result<std::result::Result<Vec<u8>, u64>> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let limit = casus_lang::MAX_FILE_BYTES as u64;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > limit {
        return Ok(Err(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grows while read still stops one byte past the limit.
    file.take(limit + 1).read_to_end(&mut bytes).with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

/// Text and, if the bytes were not valid UTF-8, a diagnostic at the first
/// bad byte. Valid bytes become the text without a copy.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text is longer where bytes were replaced; the valid
            // prefix has the same offsets in both.
            let d = Diagnostic::error(codes::INVALID_UTF8, Span::new(at, at + 1), "the file is not valid UTF-8")
                .label("invalid byte here")
                .help("treaty and record files are UTF-8 text");
            (text, Some(d))
        }
    }
}

/// A file for `check`: its text and the diagnostics about its bytes (not
/// UTF-8, over the size limit).
fn read_for_check(path: &Path) -> Result<(String, Vec<Diagnostic>)> {
    Ok(match read_bytes(path)? {
        Ok(bytes) => {
            let (text, bad) = decode(bytes);
            (text, bad.into_iter().collect())
        }
        Err(len) => {
            let d = Diagnostic::error(codes::TOO_LARGE, Span::new(0, 0), format!("the file is {len} bytes; the limit is {}", casus_lang::MAX_FILE_BYTES))
                .help("split the record into files under the limit");
            (String::new(), vec![d])
        }
    })
}

/// `fmt` needs to know which blocks a file holds.
pub fn block_kind(name: &str, text: &str) -> &'static str {
    if name.ends_with(".md") {
        if text.contains("```acts") { "acts" } else { "casus" }
    } else {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
        if first.starts_with("record") || first.starts_with(|c: char| c.is_ascii_digit()) { "acts" } else { "casus" }
    }
}

/// Whether a file reads as a treaty: a literate file with ```casus blocks,
/// or a plain one that starts with `treaty`.
fn looks_like_treaty(name: &str, text: &str) -> bool {
    if name.ends_with(".md") {
        text.contains("```casus")
    } else {
        text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).is_some_and(|l| l.starts_with("treaty "))
    }
}

/// Whether a file reads as a record and not as a treaty.
fn looks_like_record(name: &str, text: &str) -> bool {
    block_kind(name, text) == "acts" && !looks_like_treaty(name, text)
}

/// The error for a treaty and a record given the wrong way round, if they
/// are: `casus check records/x.md treaties/y.md`.
pub fn swapped(treaty: (&str, &str), record: (&str, &str)) -> Option<String> {
    (looks_like_record(treaty.0, treaty.1) && looks_like_treaty(record.0, record.1)).then(|| {
        format!(
            "the treaty and the record look swapped: {} holds acts and {} a treaty; the treaty comes first: casus check {} {}",
            treaty.0, record.0, record.0, treaty.0
        )
    })
}

fn print_diags(diags: &[Diagnostic], name: &str, text: &str, short: bool) {
    let mut err = std::io::stderr().lock();
    if short {
        let _ = err.write_all(render_short(diags, name, text).as_bytes());
    } else {
        let _ = casus_lang::render_to(&mut err, diags, name, text);
    }
}

/// `casus check`: every diagnostic of the treaty, then of the record.
pub fn check(treaty_path: &Path, record_path: Option<&Path>, short: bool) -> Result<ExitCode> {
    let mut symbols = Symbols::new();
    let tname = treaty_path.display().to_string();
    let (ttext, mut tdiags) = read_for_check(treaty_path)?;
    let record_file = match record_path {
        Some(rp) => {
            let rname = rp.display().to_string();
            let (rtext, rbad) = read_for_check(rp)?;
            if let Some(e) = swapped((&tname, &ttext), (&rname, &rtext)) {
                bail!("{e}");
            }
            Some((rname, rtext, rbad))
        }
        None => None,
    };
    let treaty = if tdiags.iter().any(|d| d.code == codes::TOO_LARGE) {
        casus_model::Treaty::default()
    } else {
        let (treaty, diags) = casus_lang::load_treaty(&tname, &ttext, &mut symbols);
        tdiags.extend(diags);
        treaty
    };
    print_diags(&tdiags, &tname, &ttext, short);
    let (mut errors, mut warnings) = tally(&tdiags);
    drop(tdiags);
    if record_path.is_none() && looks_like_record(&tname, &ttext) {
        eprintln!("hint: {tname} looks like a record, not a treaty; check it against its treaty: casus check TREATY {tname}\n");
    }
    let mut acts = None;
    if let Some((rname, rtext, mut rdiags)) = record_file {
        if !rdiags.iter().any(|d| d.code == codes::TOO_LARGE) {
            let (record, diags) = casus_lang::load_record(&rname, &rtext, &treaty, &mut symbols);
            rdiags.extend(diags);
            // The record's `expect` blocks are part of it: their names and
            // shapes are checked here too (`casus test` derives them).
            let (_, expect_diags) = casus_lang::load_expectations(&rname, &rtext, &treaty, &record, &symbols);
            rdiags.extend(expect_diags);
            rdiags.sort_by_key(|d| (d.span.start, d.span.end));
            acts = Some(record.acts.len());
        } else {
            acts = Some(0);
        }
        print_diags(&rdiags, &rname, &rtext, short);
        let (e, w) = tally(&rdiags);
        errors += e;
        warnings += w;
    }
    let mut id = if treaty.id.is_some() { symbols.name(treaty.id).to_string() } else { tname.clone() };
    // An id is a word; the summary line shows at most 64 characters of one.
    if let Some((end, _)) = id.char_indices().nth(64) {
        id = format!("{}…", &id[..end]);
    }
    let treaty_part = format!("treaty {id} ({}, {})", count(treaty.duties.len(), "duty", "duties"), count(treaty.parties.len(), "party", "parties"));
    let what = match acts {
        Some(n) => format!("{treaty_part} and {}", count(n, "act", "acts")),
        None => treaty_part,
    };
    eprintln!("checked {what}: {}, {}", count(errors, "error", "errors"), count(warnings, "warning", "warnings"));
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Loads a treaty and a record from text; fails with the rendered
/// diagnostics (on stderr) if either has errors.
pub fn load_texts(treaty: (&str, &str), record: (&str, &str)) -> Result<Loaded> {
    Book::from_texts(treaty, record).map_err(rendered)
}

/// A book that did not load: its diagnostics on stderr, the reason as the error.
pub fn rendered(e: casus_query::BookError) -> anyhow::Error {
    eprint!("{}", e.render());
    anyhow::Error::new(e)
}

pub fn load_files(treaty: &Path, record: &Path) -> Result<Loaded> {
    let tname = treaty.display().to_string();
    let rname = record.display().to_string();
    let ttext = read(treaty)?;
    let rtext = read(record)?;
    if let Some(e) = swapped((&tname, &ttext), (&rname, &rtext)) {
        bail!("{e}");
    }
    load_texts((&tname, &ttext), (&rname, &rtext))
}

/// A treaty with no acts: the state its own text gives (parties, organs, chairs).
pub fn load_treaty_only(treaty: &Path) -> Result<Loaded> {
    let name = treaty.display().to_string();
    let text = read(treaty)?;
    load_texts((&name, &text), ("no record", ""))
}
