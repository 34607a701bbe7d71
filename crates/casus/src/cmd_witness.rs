//! `casus witness`: make a witness key and run a C2SP `tlog-witness` that
//! cosigns a ledger's checkpoints (`crates/casus-witness`; `docs/WITNESS.md`).
//!
//! A witness key file holds one signer key line in the format of
//! `golang.org/x/mod/sumdb/note` (`PRIVATE+KEY+<name>+<hex id>+<base64>`,
//! type `0x04`, cosignature/v1); it is created with mode 0600 and never
//! overwritten. Its verifier key, which log operators and clients
//! configure, is written beside it as `KEYFILE.pub` and printed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use casus_ledger::note::{NoteSigner, NoteVerifier, SignatureType};
use casus_witness::Witness;

/// Largest witness key file read.
const MAX_KEY_FILE_BYTES: u64 = 4096;

#[derive(clap::Subcommand)]
pub enum WitnessCommand {
    /// Make witness keys.
    #[command(subcommand)]
    Keys(WitnessKeysCommand),
    /// Serve the C2SP tlog-witness protocol (POST /add-checkpoint) for the given logs.
    Serve(ServeArgs),
}

#[derive(clap::Subcommand)]
pub enum WitnessKeysCommand {
    /// Make a new cosignature/v1 key: KEYFILE (secret, mode 0600) and KEYFILE.pub (its verifier key).
    New {
        /// Where to write the secret key file.
        #[arg(long)]
        out: PathBuf,
        /// The witness's name, a schema-less URL (e.g. `witness.mfa.am/csto`): no spaces, no `+`.
        #[arg(long)]
        name: String,
    },
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The witness's secret key file (`casus witness keys new`).
    #[arg(long)]
    key: PathBuf,
    /// A log to witness: ORIGIN=VERIFIER_KEY, the checkpoint origin line and the
    /// operator's note verifier key. Repeat for more logs, or for more keys of one log.
    #[arg(long = "log", value_name = "ORIGIN=VERIFIER_KEY", required = true)]
    logs: Vec<String>,
    /// The address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:7380")]
    listen: String,
    /// The directory holding the witness's state (created if absent).
    #[arg(long)]
    state: PathBuf,
}

pub fn run(cmd: WitnessCommand) -> Result<ExitCode> {
    match cmd {
        WitnessCommand::Keys(WitnessKeysCommand::New { out, name }) => keys_new(&out, &name),
        WitnessCommand::Serve(args) => serve(args),
    }
}

fn pub_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

fn keys_new(out: &Path, name: &str) -> Result<ExitCode> {
    let signer = NoteSigner::generate(name, SignatureType::CosignatureV1)?;
    let public = pub_path(out);
    for path in [out, public.as_path()] {
        if path.exists() {
            bail!("{} exists; a key file is never overwritten", path.display());
        }
    }
    let secret = format!("# casus witness key (cosignature/v1): keep this file private.\n{}\n", signer.to_secret_string());
    let vkey = signer.verifier().to_string();
    crate::cmd_keys::write_key_pair(out, secret.as_bytes(), &public, format!("{vkey}\n").as_bytes())?;
    println!("{vkey}");
    eprintln!("wrote {} (secret, mode 0600) and {}", out.display(), public.display());
    Ok(ExitCode::SUCCESS)
}

/// Reads a witness key file: comment lines and one `PRIVATE+KEY+…` line.
pub fn read_witness_key(path: &Path) -> Result<NoteSigner> {
    let len = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    if len > MAX_KEY_FILE_BYTES {
        bail!("{} is larger than a key file ({len} > {MAX_KEY_FILE_BYTES} bytes)", path.display());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let (Some(line), None) = (lines.next(), lines.next()) else {
        bail!("{}: a witness key file holds exactly one PRIVATE+KEY+… line", path.display());
    };
    let signer = NoteSigner::parse(line).with_context(|| format!("reading {}", path.display()))?;
    if signer.signature_type() != SignatureType::CosignatureV1 {
        bail!("{}: not a witness key (its type is not cosignature/v1, 0x04)", path.display());
    }
    Ok(signer)
}

/// Groups `ORIGIN=VERIFIER_KEY` arguments by origin.
fn parse_logs(args: &[String]) -> Result<Vec<(String, Vec<NoteVerifier>)>> {
    let mut logs: BTreeMap<String, Vec<NoteVerifier>> = BTreeMap::new();
    for arg in args {
        let Some((origin, vkey)) = arg.split_once('=') else {
            bail!("--log {arg}: expected ORIGIN=VERIFIER_KEY");
        };
        if origin.is_empty() {
            bail!("--log {arg}: empty origin");
        }
        let v = NoteVerifier::parse(vkey).with_context(|| format!("--log {origin}"))?;
        if v.signature_type != SignatureType::Ed25519 {
            bail!("--log {origin}: a log's key is an Ed25519 note key (type 0x01)");
        }
        logs.entry(origin.to_string()).or_default().push(v);
    }
    Ok(logs.into_iter().collect())
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    let key = read_witness_key(&args.key)?;
    let logs = parse_logs(&args.logs)?;
    let origins: Vec<String> = logs.iter().map(|(o, _)| o.clone()).collect();
    let witness = Arc::new(Witness::open(key, logs, &args.state)?);
    crate::cmd_serve::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
        let addr = listener.local_addr()?;
        println!("casus: witness {} for {} at http://{addr}", witness.verifier(), origins.join(", "));
        std::io::stdout().flush().ok();
        // The server's accept loop: header-read and idle timeouts, a
        // connection cap, TCP_NODELAY (a cosignature is a small answer),
        // and hyper's own errors in the one error shape.
        casus_server::serve::serve_until_interrupted(listener, casus_witness::router(witness)).await.context("serving")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
