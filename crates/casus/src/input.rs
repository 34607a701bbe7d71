//! Reading treaty and record files for the commands: bytes to text (with a
//! diagnostic for invalid UTF-8), text to model, diagnostics to stderr.

use anyhow::{bail, Context, Result};
use casus_lang::{codes, render, render_short, Diagnostic, Severity};
use casus_model::{Record, Span, Symbols, Time, Treaty};
use std::path::Path;
use std::process::ExitCode;

pub struct Loaded {
    pub symbols: Symbols,
    pub treaty: Treaty,
    pub record: Record,
}

/// Reads a file as UTF-8 text; invalid bytes are replaced, and reported by
/// `decode` when checking.
pub fn read(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(decode(&bytes).0)
}

/// Text and, if the bytes were not valid UTF-8, a diagnostic at the first
/// bad byte.
pub fn decode(bytes: &[u8]) -> (String, Option<Diagnostic>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(e) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            // The lossy text is longer where bytes were replaced; the valid
            // prefix has the same offsets in both.
            let d = Diagnostic::error(codes::INVALID_UTF8, Span::new(at, at + 1), "the file is not valid UTF-8").label("invalid byte here").help("treaty and record files are UTF-8 text");
            (text, Some(d))
        }
    }
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

fn summary(diags: &[Diagnostic]) -> (usize, usize) {
    (diags.iter().filter(|d| d.severity == Severity::Error).count(), diags.iter().filter(|d| d.severity == Severity::Warning).count())
}

fn print_diags(diags: &[Diagnostic], name: &str, text: &str, short: bool) {
    if short {
        eprint!("{}", render_short(diags, name, text));
    } else {
        eprint!("{}", render(diags, name, text));
    }
}

/// `casus check`: every diagnostic of the treaty, then of the record.
pub fn check(treaty_path: &Path, record_path: Option<&Path>, short: bool) -> Result<ExitCode> {
    let mut symbols = Symbols::new();
    let tname = treaty_path.display().to_string();
    let (ttext, bad) = decode(&std::fs::read(treaty_path).with_context(|| format!("reading {tname}"))?);
    let (treaty, mut tdiags) = casus_lang::load_treaty(&tname, &ttext, &mut symbols);
    tdiags.splice(0..0, bad);
    print_diags(&tdiags, &tname, &ttext, short);
    let (mut errors, mut warnings) = summary(&tdiags);
    let mut acts = None;
    if let Some(rp) = record_path {
        let rname = rp.display().to_string();
        let (rtext, bad) = decode(&std::fs::read(rp).with_context(|| format!("reading {rname}"))?);
        let (record, mut rdiags) = casus_lang::load_record(&rname, &rtext, &treaty, &mut symbols);
        rdiags.splice(0..0, bad);
        print_diags(&rdiags, &rname, &rtext, short);
        let (e, w) = summary(&rdiags);
        errors += e;
        warnings += w;
        acts = Some(record.acts.len());
    }
    let what = match acts {
        Some(n) => format!("treaty {} ({} duties, {} parties) and {} acts", symbols.name(treaty.id), treaty.duties.len(), treaty.parties.len(), n),
        None => format!("treaty {} ({} duties, {} parties)", symbols.name(treaty.id), treaty.duties.len(), treaty.parties.len()),
    };
    eprintln!("checked {what}: {errors} error{}, {warnings} warning{}", if errors == 1 { "" } else { "s" }, if warnings == 1 { "" } else { "s" });
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Loads a treaty and a record from text; fails with the rendered
/// diagnostics if either has errors.
pub fn load_texts(treaty: (&str, &str), record: (&str, &str)) -> Result<Loaded> {
    let mut symbols = Symbols::new();
    let (t, tdiags) = casus_lang::load_treaty(treaty.0, treaty.1, &mut symbols);
    if tdiags.iter().any(Diagnostic::is_error) {
        let errors: Vec<Diagnostic> = tdiags.into_iter().filter(Diagnostic::is_error).collect();
        eprint!("{}", render(&errors, treaty.0, treaty.1));
        bail!("{} has {} error(s); run `casus check` for every diagnostic", treaty.0, errors.len());
    }
    let (r, rdiags) = casus_lang::load_record(record.0, record.1, &t, &mut symbols);
    if rdiags.iter().any(Diagnostic::is_error) {
        let errors: Vec<Diagnostic> = rdiags.into_iter().filter(Diagnostic::is_error).collect();
        eprint!("{}", render(&errors, record.0, record.1));
        bail!("{} has {} error(s); run `casus check` for every diagnostic", record.0, errors.len());
    }
    Ok(Loaded { symbols, treaty: t, record: r })
}

/// `--at`: a date means the end of that day; no value means today (the
/// command line reads the clock; the engine never does).
pub fn parse_at(at: Option<&str>) -> Result<Time> {
    match at {
        Some(s) => match Time::parse(s) {
            Some((t, casus_model::Precision::Day)) => Ok(t.end_of_day()),
            Some((t, _)) => Ok(t),
            None => bail!("`{s}` is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"),
        },
        None => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
            Ok(Time(now).end_of_day())
        }
    }
}

pub fn load_files(treaty: &Path, record: &Path) -> Result<Loaded> {
    let tname = treaty.display().to_string();
    let rname = record.display().to_string();
    let ttext = read(treaty)?;
    let rtext = read(record)?;
    load_texts((&tname, &ttext), (&rname, &rtext))
}

/// A treaty with no acts: the state its own text gives (parties, organs, chairs).
pub fn load_treaty_only(treaty: &Path) -> Result<Loaded> {
    let name = treaty.display().to_string();
    let text = read(treaty)?;
    load_texts((&name, &text), ("no record", ""))
}
