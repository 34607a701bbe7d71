//! `casus serve`: the HTTP server and dashboard over a ledger.
//!
//! Glue only: the server is `casus-server`; this opens the store a LEDGER
//! argument names (SQLite path or postgres:// URL, as `casus ledger` does),
//! or creates and reuses the demo ledger in a data directory, then listens
//! until interrupted. Requests are logged to stderr; the address is printed
//! on stdout once the socket is bound (so `--listen 127.0.0.1:0` works).
//! The connection limits and timeouts are `casus_server::serve`'s; the soft
//! limit on open files is raised to the hard one first.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use casus_ledger::{KeyFile, KeyRole, LedgerError, SecretKey};
use casus_server::{AppState, Config, StoreOpener};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The ledger to serve: a SQLite file path or a postgres:// URL.
    #[arg(long, conflicts_with = "demo", required_unless_present_any = ["demo", "data_dir"])]
    ledger: Option<String>,
    /// Serve the CSTO demo: the Collective Security Treaty and the 2021–2025
    /// record, in a ledger created on first use in the data directory.
    #[arg(long)]
    demo: bool,
    /// Where the demo keeps its ledger and keys (default: $XDG_DATA_HOME/casus or ~/.local/share/casus);
    /// without --demo or --ledger, the data directory of an exercise (`casus exercise new`) to serve.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Require this token to read (`Authorization: Bearer TOKEN`, or `?token=` once in a browser).
    /// On the command line `ps` shows it: prefer --token-file or the CASUS_TOKEN environment variable.
    #[arg(long, conflicts_with = "token_file")]
    token: Option<String>,
    /// Read the token from this file (its first line; the file should be mode 0600).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The operator key: the server then signs a checkpoint after appends. The demo uses its own.
    #[arg(long, conflicts_with = "demo")]
    operator_key: Option<PathBuf>,
    /// Witnesses that cosign each checkpoint the server signs (with
    /// --operator-key): a checkpoint is stored only with the quorum.
    #[command(flatten)]
    witnesses: crate::cmd_ledger::WitnessArgs,
}

/// The default data directory.
fn default_data_dir() -> Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(x).join("casus"));
    }
    let home = std::env::var_os("HOME").context("neither XDG_DATA_HOME nor HOME is set: pass --data-dir")?;
    Ok(PathBuf::from(home).join(".local/share/casus"))
}

/// Writes a key file (mode 0600) and its public half, unless it exists; returns the key.
pub(crate) fn key_in(path: &Path, role: KeyRole) -> Result<SecretKey> {
    if path.exists() {
        return Ok(crate::cmd_keys::read_key(path)?.key);
    }
    let file = KeyFile { key: SecretKey::generate()?, role: Some(role) };
    write_private(path, file.to_text().as_bytes())?;
    std::fs::write(crate::cmd_keys::pub_path(path), file.public().to_text()?)?;
    Ok(file.key)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).with_context(|| format!("writing {}", path.display()))
}

/// Creates the demo ledger in `dir` unless it is there; returns its path and the operator key.
pub fn ensure_demo(dir: &Path) -> Result<(String, SecretKey)> {
    // The data and keys directories hold secret keys: 0700 whatever the umask.
    crate::cmd_keys::create_private_dir(&dir.join("keys"))?;
    let operator = key_in(&dir.join("operator.key"), KeyRole::Operator)?;
    let ledger = dir.join("demo.sqlite");
    let path = ledger.to_string_lossy().into_owned();
    let mut store = crate::cmd_ledger::open_store(&path)?;
    if store.len()? > 0 {
        return Ok((path, operator));
    }
    let (tname, ttext) = crate::CST_TREATY;
    let mut parties = Vec::new();
    for code in casus_server::demo::party_codes(tname, ttext) {
        let key = key_in(&dir.join("keys").join(format!("{code}.key")), KeyRole::Party(code.clone()))?;
        parties.push((code, key));
    }
    let now = casus_model::Time(casus_server::state::system_now());
    let n = casus_server::demo::create(store, crate::CST_TREATY, crate::CSTO_RECORD, &operator, &parties, now).map_err(anyhow::Error::msg)?;
    eprintln!("created the demo ledger {} ({n} acts; party keys in {})", ledger.display(), dir.join("keys").display());
    Ok((path, operator))
}

/// Longest token accepted, in bytes.
const MAX_TOKEN_BYTES: usize = 4096;

/// The token from `--token`, `--token-file` or the `CASUS_TOKEN` value
/// `env`, in that order.
fn token(flag: Option<&str>, file: Option<&Path>, env: Option<String>) -> Result<Option<String>> {
    let raw = if let Some(t) = flag {
        Some(t.to_string())
    } else if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the token file {}", path.display()))?;
        Some(text.lines().next().unwrap_or("").to_string())
    } else {
        env
    };
    let Some(t) = raw.map(|t| t.trim().to_string()) else { return Ok(None) };
    if t.is_empty() {
        bail!("the token is empty");
    }
    if t.len() > MAX_TOKEN_BYTES || !t.bytes().all(|b| b.is_ascii_graphic()) {
        bail!("the token must be at most {MAX_TOKEN_BYTES} printable ASCII characters without spaces");
    }
    Ok(Some(t))
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let token = token(args.token.as_deref(), args.token_file.as_deref(), std::env::var("CASUS_TOKEN").ok())?;
    let mut exercise = None;
    let (ledger, operator, what) = if let Some((path, key)) =
        args.data_dir.as_deref().filter(|_| !args.demo && args.ledger.is_none()).map(crate::cmd_exercise::served).transpose()?.flatten()
    {
        exercise = args.data_dir.clone().map(|d| (d, key.clone()));
        (path.to_string_lossy().into_owned(), Some(key), "an exercise".to_string())
    } else if args.demo {
        let dir = match args.data_dir {
            Some(d) => d,
            None => default_data_dir()?,
        };
        let (ledger, op) = ensure_demo(&dir)?;
        (ledger, Some(op), format!("the CSTO demo ({})", dir.display()))
    } else {
        let Some(ledger) = args.ledger else { bail!("name a ledger with --ledger, an exercise's --data-dir, or run --demo") };
        let op = args.operator_key.as_deref().map(crate::cmd_keys::read_key).transpose()?.map(|k| k.key);
        let what = if crate::cmd_ledger::is_postgres(&ledger) { "a PostgreSQL ledger".to_string() } else { ledger.clone() };
        (ledger, op, what)
    };
    let l2 = ledger.clone();
    // Serving never creates a ledger: a mistyped path is an error, not an empty file.
    let opener: StoreOpener = Arc::new(move || crate::cmd_ledger::open_existing_store(&l2).map_err(|e| LedgerError::Store(format!("{e:#}"))));
    let cosigners = args.witnesses.cosigners()?;
    if !cosigners.is_empty() && operator.is_none() {
        bail!("--witness and --witness-policy need --operator-key: the witnesses cosign the checkpoints the operator key signs");
    }
    let cosigner: Option<casus_server::state::Cosigner> = if cosigners.is_empty() {
        None
    } else {
        let cosigners = std::sync::Mutex::new(cosigners);
        Some(Arc::new(move |note: &casus_ledger::note::Note, size: u64, proof: &(dyn Fn(u64) -> Option<Vec<casus_ledger::merkle::Hash>> + Sync)| {
            let mut cosigners = cosigners.lock().map_err(|_| "the witnesses' lock is poisoned".to_string())?;
            // The server signs its checkpoints at its clock's time: the
            // policy version in force then names the witnesses.
            let now = casus_query::system_now();
            cosigners.cosign(now, note, size, proof).map(|c| c.note)
        }))
    };
    let featured = if args.demo { casus_server::demo::featured(crate::CST_TREATY, crate::CSTO_RECORD) } else { Default::default() };
    // Replicas of one PostgreSQL ledger hear of each other's appends by
    // LISTEN/NOTIFY; a SQLite file is polled.
    let appends: Option<casus_server::AppendFeed> = if crate::cmd_ledger::is_postgres(&ledger) {
        let url = ledger.clone();
        Some(Arc::new(move |appended: &mut dyn FnMut(Option<u64>) -> bool| casus_store_postgres::listen(&url, appended).map_err(|e| e.to_string())))
    } else {
        None
    };
    let config = Config { token: token.clone(), operator, cosigner, featured, appends, ..Config::default() };
    let state = AppState::open(opener, config).map_err(anyhow::Error::msg)?;
    let exercise = match exercise {
        Some((dir, key)) => Some(Arc::new(casus_server::exercise::Exercise::open(&dir, key).map_err(anyhow::Error::msg)?)),
        None => None,
    };
    if let Some(w) = state.clock_warning().map_err(|e| anyhow::anyhow!(e.message))? {
        eprintln!("warning: {w}");
    }

    init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
        let addr = listener.local_addr()?;
        state.spawn_background();
        // The token is not printed: logs and terminals are often shared.
        let hint = if token.is_some() { " (send the token: `Authorization: Bearer TOKEN`, or open ?token=TOKEN once)" } else { "" };
        println!("casus: serving {what} at http://{addr}/{hint}");
        use std::io::Write;
        std::io::stdout().flush().ok();
        let app = match exercise {
            Some(ex) => casus_server::exercise::api::router(state.clone(), ex).merge(casus_server::app(state)),
            None => casus_server::app(state),
        };
        casus_server::serve::serve_until_interrupted(listener, app).await.context("serving")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The log of a serving process (`serve`, `witness serve`): to stderr, at
/// INFO, colours only on a terminal so that logs piped to a file stay plain
/// text.
pub(crate) fn init_logging() {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(ansi).with_max_level(tracing::Level::INFO).with_target(false).init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_the_flag_a_file_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("casus-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "fromfile\n").unwrap();
        assert_eq!(token(Some("flag"), None, Some("env".into())).unwrap().as_deref(), Some("flag"));
        assert_eq!(token(None, Some(&file), Some("env".into())).unwrap().as_deref(), Some("fromfile"));
        assert_eq!(token(None, None, Some(" env \n".into())).unwrap().as_deref(), Some("env"));
        assert_eq!(token(None, None, None).unwrap(), None);
        assert!(token(None, None, Some("two words".into())).is_err());
        assert!(token(None, None, Some(String::new())).is_err());
        assert!(token(None, Some(&dir.join("missing")), None).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
