//! `casus exercise`: create an exercise from a scenario file, move its MSEL
//! in and out as CSV, clone it for another group; and `casus check` on a
//! scenario file.
//!
//! Glue only: scenarios are `casus-exercise`'s, the exercise's files and
//! ledger `casus_server::exercise`'s. This reads the files a scenario names
//! (relative to it), reports their diagnostics, and prints the join links.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use casus_exercise::Scenario;
use casus_lang::Diagnostic;
use casus_ledger::KeyRole;
use casus_model::{Act, Symbols, Treaty};
use casus_server::exercise as ex;

#[derive(clap::Subcommand)]
pub enum ExerciseCmd {
    /// Create an exercise from a scenario file: its ledger (treaty and
    /// starting record), an operator key, and one join link per role,
    /// printed on stdout. Serve it with `casus serve --data-dir DIR`.
    New {
        /// The scenario file (literate Markdown with ```exercise blocks).
        scenario: PathBuf,
        /// The exercise's data directory (created; must not hold an exercise).
        #[arg(long)]
        data_dir: PathBuf,
        /// The address the server will be reached at, for the printed links.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// The master scenario events list (MSEL) as CSV.
    Msel {
        #[command(subcommand)]
        cmd: MselCmd,
    },
    /// A new exercise with the same scenario and MSEL as an existing one, for another group.
    Clone {
        /// The exercise to copy (its data directory).
        #[arg(long)]
        from: PathBuf,
        /// The new exercise's data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The address the server will be reached at, for the printed links.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
}

#[derive(clap::Subcommand)]
pub enum MselCmd {
    /// Print the MSEL as CSV: of a scenario file, or of an exercise (--data-dir).
    Export {
        /// A scenario file (or give --data-dir).
        scenario: Option<PathBuf>,
        /// An exercise's data directory (its MSEL as it stands, imports included).
        #[arg(long, conflicts_with = "scenario")]
        data_dir: Option<PathBuf>,
    },
    /// Replace an exercise's MSEL by a CSV's, before any inject is released.
    Import {
        /// The CSV (`id,turn,scenario_time,after,title,act`).
        csv: PathBuf,
        /// The exercise's data directory.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

/// Largest scenario, treaty or record file read, in bytes.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

fn read(path: &Path) -> Result<String> {
    let len = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    if len > MAX_FILE_BYTES {
        bail!("{} is {len} bytes; the limit is {MAX_FILE_BYTES}", path.display());
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Does this file hold a scenario (an ```exercise block)?
pub fn is_scenario(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md") && read(path).is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("```exercise")))
}

/// A scenario with the files it names, read and checked.
struct Loaded {
    name: String,
    text: String,
    scenario: Scenario,
    diags: Vec<Diagnostic>,
    treaty_name: String,
    treaty_text: String,
    record: Option<(String, String)>,
    symbols: Symbols,
    starting: Vec<Act>,
    /// Diagnostics of the treaty and record files, rendered.
    others: Vec<String>,
    errors: usize,
}

fn load(path: &Path) -> Result<Loaded> {
    let name = path.display().to_string();
    let text = read(path)?;
    let (mut scenario, mut diags) = casus_exercise::scenario::parse(&name, &text);
    let base = path.parent().unwrap_or(Path::new("."));
    let mut others = Vec::new();
    let mut errors = 0;
    let mut symbols = Symbols::new();
    let mut treaty = Treaty::default();
    let (mut treaty_name, mut treaty_text) = (String::new(), String::new());
    let header = scenario.header_span;
    let file_error = |what: &str, e: String| Diagnostic::error(casus_exercise::codes::FILE, header, format!("the {what} {e}"));
    if !scenario.treaty.is_empty() {
        let tp = base.join(&scenario.treaty);
        match read(&tp) {
            Ok(t) => {
                let (tr, td) = casus_lang::load_treaty(&tp.display().to_string(), &t, &mut symbols);
                if td.iter().any(|d| d.is_error()) {
                    errors += td.iter().filter(|d| d.is_error()).count();
                    others.push(casus_lang::render(&td, &tp.display().to_string(), &t));
                    diags.push(file_error("treaty", format!("{} does not load", tp.display())));
                }
                treaty = tr;
                treaty_name = tp.display().to_string();
                treaty_text = t;
            }
            Err(e) => diags.push(file_error("treaty", format!("{e:#}"))),
        }
    }
    let mut record = None;
    let mut starting = Vec::new();
    if let Some(r) = scenario.record.clone().filter(|_| !treaty_text.is_empty()) {
        let rp = base.join(&r);
        match read(&rp) {
            Ok(t) => {
                let (rec, rd) = casus_lang::load_record(&rp.display().to_string(), &t, &treaty, &mut symbols);
                if rd.iter().any(|d| d.is_error()) {
                    errors += rd.iter().filter(|d| d.is_error()).count();
                    others.push(casus_lang::render(&rd, &rp.display().to_string(), &t));
                    diags.push(file_error("starting record", format!("{} does not load", rp.display())));
                }
                starting = casus_exercise::scenario::starting_acts(&scenario, &rec);
                record = Some((rp.display().to_string(), t));
            }
            Err(e) => diags.push(file_error("starting record", format!("{e:#}"))),
        }
    }
    if !treaty_text.is_empty() {
        let (_, more) = casus_exercise::scenario::resolve(&mut scenario, &name, &text, &treaty, &mut symbols, &starting);
        diags.extend(more);
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    errors += diags.iter().filter(|d| d.is_error()).count();
    Ok(Loaded { name, text, scenario, diags, treaty_name, treaty_text, record, symbols, starting, others, errors })
}

fn print(l: &Loaded, short: bool) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    for o in &l.others {
        let _ = err.write_all(o.as_bytes());
    }
    if short {
        let _ = err.write_all(casus_lang::render_short(&l.diags, &l.name, &l.text).as_bytes());
    } else {
        let _ = casus_lang::render_to(&mut err, &l.diags, &l.name, &l.text);
    }
}

/// `casus check SCENARIO`.
pub fn check(path: &Path, short: bool) -> Result<ExitCode> {
    let l = load(path)?;
    print(&l, short);
    let warnings = l.diags.iter().filter(|d| !d.is_error()).count();
    eprintln!(
        "checked scenario {} ({} roles, {} injects, {} starting acts): {} errors, {warnings} warnings",
        l.name,
        l.scenario.roles.len(),
        l.scenario.injects.len(),
        l.starting.len(),
        l.errors
    );
    Ok(if l.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub fn run(cmd: ExerciseCmd) -> Result<ExitCode> {
    match cmd {
        ExerciseCmd::New { scenario, data_dir, url } => {
            let l = load(&scenario)?;
            if l.errors > 0 {
                print(&l, false);
                bail!("{} has {} error(s): nothing was created", l.name, l.errors);
            }
            create(&data_dir, l, &url)
        }
        ExerciseCmd::Clone { from, data_dir, url } => {
            let file = ex::load(&from).map_err(anyhow::Error::msg)?;
            let text = read(&from.join(ex::SCENARIO_FILE))?;
            let (treaty_name, treaty_text) = ledger_treaty(&from)?;
            let mut symbols = Symbols::new();
            let (treaty, _) = casus_lang::load_treaty(&treaty_name, &treaty_text, &mut symbols);
            let record = match read(&from.join(ex::RECORD_FILE)) {
                Ok(t) => Some((ex::RECORD_FILE.to_string(), t)),
                Err(_) => None,
            };
            let starting = match &record {
                Some((n, t)) => casus_exercise::scenario::starting_acts(&file.scenario, &casus_lang::load_record(n, t, &treaty, &mut symbols).0),
                None => Vec::new(),
            };
            let l = Loaded {
                name: ex::SCENARIO_FILE.into(),
                text,
                scenario: file.scenario,
                diags: Vec::new(),
                treaty_name,
                treaty_text,
                record,
                symbols,
                starting,
                others: Vec::new(),
                errors: 0,
            };
            create(&data_dir, l, &url)
        }
        ExerciseCmd::Msel { cmd: MselCmd::Export { scenario, data_dir } } => {
            let injects = match (scenario, data_dir) {
                (Some(p), _) => {
                    let l = load(&p)?;
                    if l.errors > 0 {
                        print(&l, false);
                        bail!("{} has {} error(s)", l.name, l.errors);
                    }
                    l.scenario.injects
                }
                (None, Some(d)) => ex::load(&d).map_err(anyhow::Error::msg)?.scenario.injects,
                (None, None) => bail!("name a scenario file or an exercise's --data-dir"),
            };
            print!("{}", casus_exercise::msel::export(&injects));
            Ok(ExitCode::SUCCESS)
        }
        ExerciseCmd::Msel { cmd: MselCmd::Import { csv, data_dir } } => import(&csv, &data_dir),
    }
}

/// The treaty bound in an exercise's ledger (its genesis).
fn ledger_treaty(dir: &Path) -> Result<(String, String)> {
    let store = crate::cmd_ledger::open_existing_store(&dir.join(ex::LEDGER_FILE).to_string_lossy())?;
    let mut ledger = casus_ledger::Ledger::open(store);
    let t = ledger.treaty()?;
    Ok((t.name, String::from_utf8(t.text).context("the ledger's treaty is not UTF-8")?))
}

/// The `--listen` the printed links need, if not `serve`'s default: the
/// URL's host and port when the host is an address, every interface on
/// that port when it is a name (a proxy or DNS points it here).
fn listen_for(url: &str) -> String {
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest).split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => (host, port),
        _ => (authority, if url.starts_with("https://") { "443" } else { "80" }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let listen = match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_ipv6() => format!("[{ip}]:{port}"),
        Ok(ip) => format!("{ip}:{port}"),
        Err(_) => format!("0.0.0.0:{port}"),
    };
    if listen == "127.0.0.1:8080" { String::new() } else { format!(" --listen {listen}") }
}

fn create(dir: &Path, l: Loaded, url: &str) -> Result<ExitCode> {
    if ex::is_exercise_dir(dir) {
        bail!("{} holds an exercise already: choose another --data-dir", dir.display());
    }
    crate::cmd_keys::create_private_dir(dir)?;
    let operator = crate::cmd_serve::key_in(&dir.join(ex::OPERATOR_KEY_FILE), KeyRole::Operator)?;
    let ledger = dir.join(ex::LEDGER_FILE);
    let mut store = crate::cmd_ledger::open_store(&ledger.to_string_lossy())?;
    if store.len()? > 0 {
        bail!("{} holds a ledger already", ledger.display());
    }
    let now = casus_server::state::system_now();
    let new = ex::NewExercise {
        scenario: l.scenario,
        scenario_text: &l.text,
        treaty: (&l.treaty_name, &l.treaty_text),
        record: l.record.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        starting: l.starting,
        symbols: &l.symbols,
    };
    let title = new.scenario.title.clone();
    let invitations = ex::create(dir, store, new, &operator, now).map_err(anyhow::Error::msg)?;
    eprintln!("created the exercise \"{title}\" in {}; serve it with: casus serve --data-dir {}{}", dir.display(), dir.display(), listen_for(url));
    println!("# One-time join links: give each to its role only. The clock starts paused; control resumes it.");
    let base = url.trim_end_matches('/');
    for i in invitations {
        println!("{:<10} {:<12} {base}/exercise/join/{}", i.role.kind.word(), i.role.name, i.token);
    }
    Ok(ExitCode::SUCCESS)
}

/// `casus exercise msel import`: the CSV's injects, each act read against
/// the exercise's treaty, replace the MSEL before anything is released.
fn import(csv: &Path, dir: &Path) -> Result<ExitCode> {
    let mut injects = casus_exercise::msel::import(&read(csv)?).map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
    let (treaty_name, treaty_text) = ledger_treaty(dir)?;
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty(&treaty_name, &treaty_text, &mut symbols);
    let store = crate::cmd_ledger::open_existing_store(&dir.join(ex::LEDGER_FILE).to_string_lossy())?;
    let mut ledger = casus_ledger::Ledger::open(store);
    let mut lsym = symbols.clone();
    let in_ledger: std::collections::HashSet<String> =
        ledger.acts_as_of(None, &mut lsym)?.iter().filter(|a| a.id.is_some()).map(|a| lsym.name(a.id).to_string()).collect();
    let mut file = ex::load(dir).map_err(anyhow::Error::msg)?;
    if file.scenario.injects.iter().any(|i| in_ledger.contains(&i.act)) {
        bail!("an inject of this exercise is released already: the MSEL can be replaced only before the exercise starts (clone it first)");
    }
    for inj in &mut injects {
        let name = format!("{}, inject {}", csv.display(), inj.id);
        let (record, diags) = casus_lang::load_record("inject.acts", &inj.text, &treaty, &mut symbols);
        let errors: Vec<_> = diags
            .into_iter()
            .filter(|d| {
                d.is_error()
                    && !([casus_lang::codes::UNKNOWN_DOCUMENT, casus_lang::codes::UNKNOWN_CASE].contains(&d.code)
                        && in_ledger.iter().any(|k| d.message.contains(&format!("`{k}`"))))
            })
            .collect();
        if !errors.is_empty() {
            bail!("{name}:\n{}", casus_lang::render(&errors, "inject.acts", &inj.text));
        }
        let [a] = record.acts.as_slice() else { bail!("{name}: the act cell must hold one act") };
        if a.id.is_none() || a.sources.is_empty() {
            bail!("{name}: the act needs an `id` (its release is found by it) and a `source` (it is recorded)");
        }
        inj.act = symbols.name(a.id).to_string();
        inj.time = a.time.0;
        inj.actor = symbols.name(a.actor).to_string();
        inj.kind = a.kind.keyword().to_string();
        if inj.title.is_empty() {
            inj.title = format!("{} {}", inj.actor, a.kind.past());
        }
    }
    let n = injects.len();
    file.scenario.injects = injects;
    ex::save(dir, &file).map_err(anyhow::Error::msg)?;
    eprintln!("the MSEL of {} now holds {n} injects", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The exercise to serve in a data directory, if it holds one: its ledger
/// path and operator key.
pub fn served(dir: &Path) -> Result<Option<(PathBuf, casus_ledger::SecretKey)>> {
    if !ex::is_exercise_dir(dir) {
        return Ok(None);
    }
    let key = crate::cmd_keys::read_key(&dir.join(ex::OPERATOR_KEY_FILE))?.key;
    Ok(Some((dir.join(ex::LEDGER_FILE), key)))
}

#[cfg(test)]
mod tests {
    use super::listen_for;

    #[test]
    fn the_serve_hint_listens_where_the_links_point() {
        assert_eq!(listen_for("http://127.0.0.1:8080"), "");
        assert_eq!(listen_for("http://127.0.0.1:18383/"), " --listen 127.0.0.1:18383");
        assert_eq!(listen_for("http://exercise.example.org:9000/x"), " --listen 0.0.0.0:9000");
        assert_eq!(listen_for("https://exercise.example.org"), " --listen 0.0.0.0:443");
        assert_eq!(listen_for("http://[::1]:8081"), " --listen [::1]:8081");
    }
}
