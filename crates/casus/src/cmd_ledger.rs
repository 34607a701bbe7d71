//! `casus ledger`: create, append to, verify and prove a signed ledger.
//!
//! Glue only: files are read and checked with `casus-lang` against the
//! treaty bound into the ledger's genesis entry, and every rule lives in
//! `casus-ledger`. LEDGER is a SQLite file path or a `postgres://` URL (with
//! an optional `#schema`). The record time of each append is the system
//! clock, read here and never inside the library, and never earlier than the
//! ledger's last record time (a clock stepped back a little does not stop
//! appends). When the ledger's last record time stands more than
//! `CLOCK_SKEW_MAX_SECS` ahead of this clock, a command refuses to append
//! unless told `--accept-clock-skew`: one of the two clocks is wrong.
//!
//! Only `ledger init` creates a ledger; every other command opens an
//! existing one and creates nothing (a mistyped path is an error).
//!
//! Exit codes follow `main`: 0 success; 1 the input or the ledger is bad (a
//! diagnostic, a refusal, a failed verification); 2 the command could not run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use casus_ledger::entry::KeyChange;
use casus_ledger::keys::{KeyRegistration, KeyRole};
use casus_ledger::store::Store;
use casus_ledger::{CLOCK_SKEW_MAX_SECS, KeyFile, KeyId, Ledger, LedgerError, PublicKeyFile, hex};
use casus_model::{Symbols, Time, Treaty};

use crate::cmd_keys::{read_key, read_small};

/// The witnesses an operator asks to cosign a checkpoint.
#[derive(clap::Args, Clone, Default)]
pub struct WitnessArgs {
    /// A witness to ask for its cosignature, NAME=URL=VERIFIER_KEY (a
    /// member state's witness: a name for messages, its http:// URL and its
    /// cosignature/v1 verifier key); repeat for each.
    #[arg(long = "witness", value_name = "NAME=URL=VERIFIER_KEY")]
    pub witnesses: Vec<String>,
    /// How many witnesses must cosign, or nothing is stored (default: all
    /// those given).
    #[arg(long)]
    pub witness_quorum: Option<usize>,
    /// A witness policy file with dated versions (docs/WITNESS.md), each
    /// witness with its URL: every checkpoint asks the witnesses of the
    /// version in force at its time, and needs that version's quorum.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["witnesses", "witness_quorum"])]
    pub witness_policy: Option<PathBuf>,
}

impl WitnessArgs {
    /// The witnesses to ask, checked: 1 ≤ K ≤ count, and under a policy,
    /// a URL for every witness of every version.
    pub fn cosigners(&self) -> Result<Cosigners> {
        if let Some(path) = &self.witness_policy {
            let policy = read_policy(path)?;
            for v in &policy.versions {
                if let Some(w) = v.witnesses.iter().find(|w| w.url.is_none()) {
                    bail!(
                        "{}: witness {} of the version of {} has no URL; an operator asks each witness at its address (`witness LABEL KEY URL`)",
                        path.display(),
                        w.label,
                        Time(v.from).display()
                    );
                }
            }
            return Ok(Cosigners::Policy { policy, asked: std::collections::BTreeMap::new() });
        }
        let witnesses = self
            .witnesses
            .iter()
            .map(|w| casus_witness::client::NamedWitness::parse(w, casus_witness::client::WITNESS_TIMEOUT))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let quorum = quorum_of(witnesses.len(), self.witness_quorum, "--witness-quorum")?;
        Ok(Cosigners::Fixed { witnesses, quorum })
    }
}

/// Reads a witness policy file; a broken one names its line.
pub fn read_policy(path: &Path) -> Result<casus_ledger::witness_policy::WitnessPolicy> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the witness policy {}", path.display()))?;
    casus_ledger::witness_policy::WitnessPolicy::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Who cosigns the operator's checkpoints: the witnesses given on the
/// command line, or those of the policy version in force at each
/// checkpoint's time (their connections kept from one checkpoint to the
/// next).
pub enum Cosigners {
    Fixed { witnesses: Vec<casus_witness::client::NamedWitness>, quorum: usize },
    Policy { policy: casus_ledger::witness_policy::WitnessPolicy, asked: std::collections::BTreeMap<usize, Vec<casus_witness::client::NamedWitness>> },
}

/// A checkpoint cosigned by a quorum: the note, who signed, of how many asked, and the quorum.
pub struct Cosigned {
    pub note: casus_ledger::note::Note,
    pub signed: Vec<String>,
    pub asked: usize,
    pub quorum: usize,
}

impl Cosigners {
    /// Whether no witness is configured (checkpoints are the operator's alone).
    pub fn is_empty(&self) -> bool {
        matches!(self, Cosigners::Fixed { witnesses, .. } if witnesses.is_empty())
    }

    /// Asks the witnesses for a checkpoint signed at `at` (seconds since
    /// 1970) and returns it cosigned by at least the quorum, or why not.
    pub fn cosign(
        &mut self,
        at: i64,
        note: &casus_ledger::note::Note,
        size: u64,
        proof: &(dyn Fn(u64) -> Option<Vec<casus_ledger::merkle::Hash>> + Sync),
    ) -> std::result::Result<Cosigned, String> {
        let (witnesses, quorum) = match self {
            Cosigners::Fixed { witnesses, quorum } => (witnesses, *quorum),
            Cosigners::Policy { policy, asked } => {
                let Some(index) = policy.versions.iter().rposition(|v| v.from <= at) else {
                    let first = policy.versions.first().map_or(String::new(), |v| Time(v.from).display());
                    return Err(format!("no version of the witness policy is in force at {} (the first is of {first})", Time(at).display()));
                };
                let version = &policy.versions[index];
                let witnesses = match asked.entry(index) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        let mut named = Vec::new();
                        for w in &version.witnesses {
                            let url = w.url.as_deref().unwrap_or_default();
                            let endpoint = casus_witness::client::WitnessEndpoint::new(url, w.key.clone(), casus_witness::client::WITNESS_TIMEOUT)
                                .map_err(|e| format!("witness {}: {e}", w.label))?;
                            named.push(casus_witness::client::NamedWitness { name: w.label.clone(), endpoint });
                        }
                        e.insert(named)
                    }
                };
                (witnesses, version.quorum)
            }
        };
        let asked = witnesses.len();
        let (note, signed) = casus_witness::client::cosign_with_quorum(witnesses, quorum, note, size, proof).map_err(|e| e.to_string())?;
        Ok(Cosigned { note, signed, asked, quorum })
    }
}

/// The witnesses whose cosignatures a reader counts (`--witness
/// NAME=VERIFIER_KEY … --quorum K`), for `verify-bundle` and `mirror`.
pub struct WitnessKeys {
    /// (the reader's name, the key's name, its key ID), in the order given.
    pub names: Vec<(String, String, u32)>,
    pub keys: Vec<casus_ledger::note::NoteVerifier>,
    pub quorum: usize,
}

impl WitnessKeys {
    /// Parses `NAME=VERIFIER_KEY` arguments (cosignature/v1 keys only);
    /// the quorum defaults to all of them.
    pub fn parse(witnesses: &[String], quorum: Option<usize>) -> Result<WitnessKeys> {
        let mut names = Vec::new();
        let mut keys = Vec::new();
        for w in witnesses {
            let Some((name, vkey)) = w.split_once('=') else { bail!("--witness {w}: expected NAME=VERIFIER_KEY") };
            let key = casus_ledger::note::NoteVerifier::parse(vkey).with_context(|| format!("--witness {name}"))?;
            if key.signature_type != casus_ledger::note::SignatureType::CosignatureV1 {
                bail!("--witness {name}: a witness key is a cosignature/v1 key (type 0x04)");
            }
            names.push((name.to_string(), key.name.clone(), key.key_id));
            keys.push(key);
        }
        let quorum = quorum_of(keys.len(), quorum, "--quorum")?;
        Ok(WitnessKeys { names, keys, quorum })
    }

    /// The witnesses of one version of a dated policy, by their labels.
    pub fn of_policy(version: &casus_ledger::witness_policy::PolicyVersion) -> WitnessKeys {
        WitnessKeys {
            names: version.witnesses.iter().map(|w| (w.label.clone(), w.key.name.clone(), w.key.key_id)).collect(),
            keys: version.witnesses.iter().map(|w| w.key.clone()).collect(),
            quorum: version.quorum,
        }
    }

    /// One line for a counted cosignature: who, and the time it proves.
    pub fn describe(&self, c: &casus_ledger::note::VerifiedSignature) -> String {
        let name = self.names.iter().find(|(_, n, id)| *n == c.name && *id == c.key_id).map_or("?", |(name, _, _)| name.as_str());
        let time = c.timestamp_secs.and_then(|t| i64::try_from(t).ok()).map_or("?".to_string(), |t| Time(t).display().to_string());
        format!("cosigned by {name} ({}) at {time}: logged no later than then", c.name)
    }
}

/// A quorum: by default every witness given; at most their number, and
/// at least 1 when any is given.
fn quorum_of(count: usize, quorum: Option<usize>, flag: &str) -> Result<usize> {
    match quorum {
        None => Ok(count),
        Some(_) if count == 0 => bail!("{flag} needs at least one --witness"),
        Some(0) => bail!("{flag} must be at least 1"),
        Some(k) if k > count => bail!("{flag} {k} is more than the {count} witness(es) given"),
        Some(k) => Ok(k),
    }
}

/// The clock check of the commands that append.
#[derive(clap::Args)]
pub struct ClockArgs {
    /// Append even when the ledger's last record time is more than five
    /// minutes ahead of this machine's clock (the record time is then the
    /// ledger's last). Use it only once this clock is known to be right.
    #[arg(long)]
    pub accept_clock_skew: bool,
}

#[derive(clap::Subcommand)]
pub enum LedgerCommand {
    /// Create a ledger: a genesis entry binding the treaty's SHA-256 and text and the operator key.
    Init {
        /// The treaty file the ledger is bound to.
        #[arg(long)]
        treaty: PathBuf,
        /// A SQLite file path or a postgres:// URL (optionally ending in #schema).
        #[arg(long)]
        ledger: String,
        /// The operator's key file: it signs the genesis, key changes and checkpoints.
        #[arg(long)]
        operator_key: PathBuf,
        /// Public key files (KEYFILE.pub) of parties and recorders to register in the genesis.
        #[arg(long = "register", value_name = "PUBKEY")]
        register: Vec<PathBuf>,
    },
    /// Append the act(s) of an ACT file, signed by KEYFILE: live mode with a party's key, record mode with a recorder's.
    Append {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The signing key file: a party's (live mode) or a recorder's (record mode).
        #[arg(long)]
        key: PathBuf,
        /// A file of one act in the record format (or a record file).
        act: PathBuf,
        #[command(flatten)]
        clock: ClockArgs,
    },
    /// Import a record's acts in record mode, signed by a recorder's key, in one commit with a checkpoint.
    Import {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The record file whose acts are imported.
        #[arg(long)]
        record: PathBuf,
        /// The recorder's key (or the operator's) that signs the acts.
        #[arg(long)]
        key: PathBuf,
        /// The operator's key, which signs the checkpoint covering the
        /// import; needed unless --key is the operator's.
        #[arg(long)]
        operator_key: Option<PathBuf>,
        #[command(flatten)]
        clock: ClockArgs,
    },
    /// Verify every entry, signature, link and checkpoint; exit 0 only if all hold.
    Verify {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// Check every signature strictly, one by one, instead of in batches
        /// (slower; see docs/LEDGER.md on what a batch can let through).
        #[arg(long)]
        strict: bool,
    },
    /// Write an offline proof bundle for entry N.
    Proof {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The entry to prove (0 is the genesis).
        #[arg(long)]
        entry: u64,
        /// The file to write the bundle to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a proof bundle offline (and, with --witness, count the witnesses' cosignatures).
    VerifyBundle {
        /// The proof bundle file, as `casus ledger proof` writes it.
        bundle: PathBuf,
        /// A witness whose cosignature counts, NAME=VERIFIER_KEY (its
        /// cosignature/v1 verifier key); repeat for each.
        #[arg(long = "witness", value_name = "NAME=VERIFIER_KEY")]
        witnesses: Vec<String>,
        /// How many of the witnesses must have cosigned the bundle's
        /// checkpoint (default: all those given).
        #[arg(long)]
        quorum: Option<usize>,
        /// A witness policy file with dated versions (docs/WITNESS.md): the
        /// bundle is judged by the version in force at its checkpoint's time.
        #[arg(long, conflicts_with_all = ["witnesses", "quorum"])]
        policy: Option<PathBuf>,
    },
    /// Copy a remote ledger by its C2SP tiles into a local one, verifying every entry and the checkpoint; again to catch up.
    Mirror(crate::cmd_mirror::MirrorArgs),
    /// Print the ledger's C2SP origin and the operator's note verifier key, which witnesses are configured with.
    Origin {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
    },
    /// Print and check a consistency proof: the log at size TO (default: now) extends the log at size FROM.
    Consistency {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The earlier tree size (at least 1).
        #[arg(long)]
        from: u64,
        /// The later tree size; by default the ledger's size.
        #[arg(long)]
        to: Option<u64>,
    },
    /// Sign a checkpoint of the ledger as it is now, with the operator key (and have witnesses cosign it).
    Checkpoint {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The operator's key file.
        #[arg(long)]
        operator_key: PathBuf,
        #[command(flatten)]
        witnesses: WitnessArgs,
        #[command(flatten)]
        clock: ClockArgs,
    },
    /// Register a party's or recorder's public key (its role is read from the .pub file), with a checkpoint.
    Register {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The operator's key file.
        #[arg(long)]
        operator_key: PathBuf,
        /// The public key file (KEYFILE.pub).
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        clock: ClockArgs,
    },
    /// Replace a key by a new one with the same role (also the operator's own key), with a checkpoint.
    Rotate {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The operator's key file.
        #[arg(long)]
        operator_key: PathBuf,
        /// The id of the key to replace (hex, as `casus ledger keys` lists).
        #[arg(long)]
        old: String,
        /// The new public key file; to rotate the operator key, the new
        /// operator's secret key file, which signs the checkpoint covering
        /// the rotation.
        #[arg(long)]
        new: PathBuf,
        #[command(flatten)]
        clock: ClockArgs,
    },
    /// Revoke a key: it signs nothing after this entry, which a checkpoint covers at once.
    Revoke {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
        /// The operator's key file.
        #[arg(long)]
        operator_key: PathBuf,
        /// The id of the key to revoke (hex, as `casus ledger keys` lists).
        #[arg(long)]
        key_id: String,
        /// Why the key is revoked, kept in the entry.
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        clock: ClockArgs,
    },
    /// List the ledger's keys, their roles and when they were registered and revoked.
    Keys {
        /// The ledger: a SQLite file or a postgres:// URL.
        #[arg(long)]
        ledger: String,
    },
}

pub fn is_postgres(ledger: &str) -> bool {
    ledger.starts_with("postgres://") || ledger.starts_with("postgresql://")
}

/// Opens the store a LEDGER argument names, creating it if it is missing
/// (for `ledger init` and the demo).
pub fn open_store(ledger: &str) -> Result<Box<dyn Store>> {
    if is_postgres(ledger) {
        Ok(Box::new(casus_store_postgres::PgStore::open_url(ledger).context("opening the PostgreSQL ledger")?))
    } else {
        Ok(Box::new(casus_store_sqlite::SqliteStore::open(Path::new(ledger)).with_context(|| format!("opening {ledger}"))?))
    }
}

/// Opens the existing ledger a LEDGER argument names; creates nothing.
pub fn open_existing_store(ledger: &str) -> Result<Box<dyn Store>> {
    if is_postgres(ledger) {
        Ok(Box::new(casus_store_postgres::PgStore::open_existing_url(ledger).context("opening the PostgreSQL ledger")?))
    } else {
        Ok(Box::new(casus_store_sqlite::SqliteStore::open_existing(Path::new(ledger)).with_context(|| format!("opening {ledger}"))?))
    }
}

/// A bundle file's bytes; `None`, with the error printed, when the file is
/// larger than any bundle (it is not read).
fn read_bundle(bundle: &Path) -> Result<Option<Vec<u8>>> {
    let size = std::fs::metadata(bundle).with_context(|| format!("reading {}", bundle.display()))?.len();
    if size > casus_ledger::MAX_BUNDLE_BYTES as u64 {
        eprintln!("error: {} is larger than any bundle ({size} bytes)", bundle.display());
        return Ok(None);
    }
    Ok(Some(std::fs::read(bundle).with_context(|| format!("reading {}", bundle.display()))?))
}

/// `verify-bundle --policy`: the bundle under the version of a dated
/// witness policy in force at its checkpoint's time.
fn verify_bundle_under_policy(bundle: &Path, policy: &Path) -> Result<ExitCode> {
    let policy = read_policy(policy)?;
    let Some(bytes) = read_bundle(bundle)? else { return Ok(ExitCode::from(1)) };
    match casus_ledger::witness_policy::verify_bundle_under_policy(&bytes, &policy) {
        Ok(v) => {
            let r = &v.report;
            println!("ok: entry {} ({:?}, {:?} mode) is in the ledger", r.seq, r.kind, r.mode);
            println!("checkpoint: {} entries, signed {}", r.checkpoint.size, Time(r.checkpoint.time).display());
            println!("origin {}", r.origin);
            let witness = WitnessKeys::of_policy(v.version);
            for c in &r.cosignatures {
                println!("{}", witness.describe(c));
            }
            println!(
                "policy of {}: {} of its {} witnesses cosigned; its quorum is {}",
                Time(v.version.from).display(),
                r.cosignatures.len(),
                v.version.witnesses.len(),
                v.version.quorum
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

fn open(ledger: &str) -> Result<Ledger> {
    Ok(Ledger::open(open_existing_store(ledger)?))
}

fn now() -> Time {
    Time(casus_query::system_now())
}

/// The record time of the next append: now, but never before the last.
/// Refuses when the log's last record time is more than
/// [`CLOCK_SKEW_MAX_SECS`] ahead of this clock, unless `clock` accepts it.
fn record_time(ledger: &mut Ledger, clock: &ClockArgs) -> Result<Time> {
    ledger.sync()?;
    let (now, last) = (now(), ledger.replay().last_record_time);
    if let Some(ahead) = clock_ahead(last, now)
        && !clock.accept_clock_skew
    {
        bail!(
            "the ledger's last record time, {}, is {ahead} s ahead of this machine's clock ({}), more than the {CLOCK_SKEW_MAX_SECS} s allowed: \
             one of the clocks is wrong. Set this clock right; if it is right, an earlier writer's clock ran fast, and \
             --accept-clock-skew appends with the ledger's last record time",
            Time(last).display(),
            now.display()
        );
    }
    Ok(Time(now.0.max(last)))
}

/// How many seconds `record_time` stands ahead of `now`, if more than
/// [`CLOCK_SKEW_MAX_SECS`].
fn clock_ahead(record_time: i64, now: Time) -> Option<i128> {
    let ahead = record_time as i128 - now.0 as i128;
    (ahead > CLOCK_SKEW_MAX_SECS as i128).then_some(ahead)
}

/// Prints an error the ledger raised and turns refusals and tampering into
/// exit code 1; other errors stop the command (exit 2).
fn report(e: LedgerError) -> Result<ExitCode> {
    match e {
        LedgerError::Refused(_) | LedgerError::Tampered { .. } | LedgerError::TamperedCheckpoint { .. } | LedgerError::Bundle(_) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        other => Err(other.into()),
    }
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Loads the treaty bound into the ledger's genesis entry.
fn ledger_treaty(ledger: &mut Ledger, symbols: &mut Symbols) -> Result<(Treaty, String)> {
    let info = ledger.treaty()?;
    let text = String::from_utf8(info.text).context("the ledger's treaty is not UTF-8")?;
    let treaty =
        casus_query::load_treaty(&info.name, &text, symbols).map_err(crate::input::rendered).context("the treaty bound in the ledger does not load")?;
    Ok((treaty, info.name))
}

/// Parses an act or record file against the ledger's treaty. References to
/// documents and cases opened by acts already in the ledger are not errors.
fn load_acts(ledger: &mut Ledger, path: &Path, symbols: &mut Symbols) -> Result<Option<casus_model::Record>> {
    let (treaty, _) = ledger_treaty(ledger, symbols)?;
    let text = read_text(path)?;
    let name = file_name(path);
    let earlier = ledger.acts_as_of(None, symbols)?;
    let (record, diags) = casus_query::KnownNames::of(&earlier, symbols).load_after(&name, &text, &treaty, symbols);
    if !diags.is_empty() {
        eprint!("{}", casus_lang::render(&diags, &name, &text));
    }
    if diags.iter().any(|d| d.is_error()) {
        return Ok(None);
    }
    if record.acts.is_empty() {
        eprintln!("error: {name} holds no act");
        return Ok(None);
    }
    Ok(Some(record))
}

fn parse_key_id(s: &str) -> Result<KeyId> {
    hex::decode_array::<32>(s).map(KeyId).with_context(|| format!("{s:?} is not a key id (64 hex digits)"))
}

fn read_public(path: &Path) -> Result<PublicKeyFile> {
    PublicKeyFile::parse(&read_small(path)?).with_context(|| format!("reading public key file {}", path.display()))
}

pub fn run(cmd: LedgerCommand) -> Result<ExitCode> {
    match cmd {
        LedgerCommand::Init { treaty, ledger, operator_key, register } => {
            let text = read_text(&treaty)?;
            let name = file_name(&treaty);
            let mut symbols = Symbols::new();
            let (parsed, diags) = casus_lang::load_treaty(&name, &text, &mut symbols);
            if diags.iter().any(|d| d.is_error()) {
                eprint!("{}", casus_lang::render(&diags, &name, &text));
                return Ok(ExitCode::from(1));
            }
            let op = read_key(&operator_key)?;
            if matches!(op.role, Some(KeyRole::Party(_) | KeyRole::Recorder)) {
                bail!("{} is a {} key, not an operator key", operator_key.display(), op.role.map_or(String::new(), |r| r.to_string()));
            }
            let mut keys = Vec::new();
            for path in &register {
                let p = read_public(path)?;
                match p.role {
                    Some(role @ (KeyRole::Party(_) | KeyRole::Recorder)) => keys.push(KeyRegistration { key: p.key, role }),
                    _ => bail!("{} names no party or recorder role", path.display()),
                }
            }
            // The file name, extension included: it tells casus-lang how to read the text.
            let treaty_name = name;
            let time = now();
            // No live act may be dated before the treaty's first version.
            let valid_from = parsed.versions.iter().map(|v| v.in_force).min().unwrap_or(time);
            let mut l = match Ledger::create_valid_from(open_store(&ledger)?, &treaty_name, text.as_bytes(), &op.key, &keys, valid_from, time) {
                Ok(l) => l,
                Err(e) => return report(e),
            };
            l.checkpoint(&op.key, time)?;
            let report = l.verify(&mut |_, _| {})?;
            println!("created ledger {ledger}");
            println!("ledger id (genesis leaf hash) {}", hex::encode(&report.genesis));
            println!("treaty {treaty_name} sha256 {}", hex::encode(&report.treaty_sha256));
            println!("operator key {}; {} more keys registered", op.key.id(), keys.len());
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::Append { ledger, key, act, clock } => {
            let key = read_key(&key)?;
            let mut l = open(&ledger)?;
            let mut symbols = Symbols::new();
            let Some(record) = load_acts(&mut l, &act, &mut symbols)? else { return Ok(ExitCode::from(1)) };
            let time = record_time(&mut l, &clock)?;
            match l.append_acts(&record.acts, &symbols, &key.key, time) {
                Ok(range) => {
                    println!("appended entries {}..{} (record time {})", range.start, range.end - 1, time.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report(e),
            }
        }
        LedgerCommand::Import { ledger, record, key, operator_key, clock } => {
            let key = read_key(&key)?;
            let operator = operator_key.as_deref().map(read_key).transpose()?;
            let mut l = open(&ledger)?;
            let mut symbols = Symbols::new();
            let Some(rec) = load_acts(&mut l, &record, &mut symbols)? else { return Ok(ExitCode::from(1)) };
            let time = record_time(&mut l, &clock)?;
            // The import ends with a checkpoint, so that it is provable at once.
            let operator = match operator {
                Some(op) => op.key,
                None if l.replay().registry.operator() == Some(key.key.id()) => key.key.clone(),
                None => bail!("an import ends with a checkpoint signed by the operator: pass --operator-key (or import with the operator's key)"),
            };
            match l.import_checkpointed(&rec, &symbols, &key.key, &operator, time) {
                Ok(range) => {
                    println!("imported {} acts as entries {}..{}", range.end - range.start, range.start, range.end - 1);
                    println!("checkpoint: {} entries", range.end);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report(e),
            }
        }
        LedgerCommand::Verify { ledger, strict } => {
            let mut l = open(&ledger)?;
            let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template("verifying {bar:40} {pos}/{len} entries ({per_sec}, {eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let verify = if strict { Ledger::verify_strict } else { Ledger::verify };
            let result = verify(&mut l, &mut |done, total| {
                // Only long runs get a bar; short ones print nothing extra.
                if total >= 20_000 {
                    bar.set_length(total);
                    bar.set_position(done);
                }
            });
            bar.finish_and_clear();
            match result {
                Ok(r) => {
                    println!(
                        "ok: {} entries ({} acts, {} key entries), {} checkpoints ({} with a C2SP note), root {}",
                        r.entries,
                        r.acts,
                        r.key_entries,
                        r.checkpoints,
                        r.checkpoint_notes,
                        hex::encode(&r.root)
                    );
                    println!("ledger id {}; treaty sha256 {}", hex::encode(&r.genesis), hex::encode(&r.treaty_sha256));
                    if r.checkpoints == 0 {
                        eprintln!("warning: no checkpoint: a truncation of the log could not be detected");
                    }
                    if r.covered < r.entries {
                        let which =
                            if r.entries - r.covered == 1 { format!("entry {}", r.covered) } else { format!("entries {}..{}", r.covered, r.entries - 1) };
                        eprintln!("warning: {which} covered by no checkpoint: cut off the log, they would go unseen (sign one with `casus ledger checkpoint`)");
                    }
                    let now = now();
                    if let Some(ahead) = clock_ahead(r.last_record_time, now) {
                        eprintln!(
                            "warning: the last record time, {}, is {ahead} s ahead of this machine's clock ({}): a writer's clock ran fast, or this one is slow; appends are refused until the clocks agree",
                            Time(r.last_record_time).display(),
                            now.display()
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(LedgerError::State(why)) => {
                    eprintln!("error: {why}");
                    Ok(ExitCode::from(1))
                }
                Err(e) => report(e),
            }
        }
        LedgerCommand::Proof { ledger, entry, out } => {
            let mut l = open(&ledger)?;
            let bundle = match l.proof_bundle(entry) {
                Ok(b) => b,
                Err(LedgerError::State(why)) => {
                    eprintln!("error: {why}");
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return report(e),
            };
            std::fs::write(&out, &bundle).with_context(|| format!("writing {}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), bundle.len());
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::Origin { ledger } => {
            let mut l = open(&ledger)?;
            let origin = l.origin()?;
            let operator = l.replay().registry.operator().and_then(|id| l.replay().registry.get(&id)).map(|s| s.key.to_bytes());
            println!("origin   {origin}");
            if let Some(key) = operator {
                let vkey = casus_ledger::checkpoint_note::operator_note_verifier(&origin, &key)?;
                println!("verifier {vkey}");
                println!("witness  --log '{origin}={vkey}'");
            }
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::VerifyBundle { bundle, policy: Some(policy), .. } => verify_bundle_under_policy(&bundle, &policy),
        LedgerCommand::VerifyBundle { bundle, witnesses, quorum, policy: None } => {
            let witness = WitnessKeys::parse(&witnesses, quorum)?;
            let (keys, quorum) = (&witness.keys, witness.quorum);
            let Some(bytes) = read_bundle(&bundle)? else { return Ok(ExitCode::from(1)) };
            match casus_ledger::verify_bundle_witnessed(&bytes, keys, quorum) {
                Ok(r) => {
                    println!("ok: entry {} ({:?}, {:?} mode) is in the ledger", r.seq, r.kind, r.mode);
                    if let Some((actor, kind, id)) = &r.act {
                        println!("act: {actor} {kind}{}", if id.is_empty() { String::new() } else { format!(" (id {id})") });
                    }
                    println!("signed by key {} registered for {}", r.signer, r.signer_role);
                    println!("valid time {}, recorded {}", Time(r.valid_time).display(), Time(r.record_time).display());
                    println!(
                        "checkpoint: {} entries, root {}, signed {} by operator key {}",
                        r.checkpoint.size,
                        hex::encode(&r.checkpoint.root),
                        Time(r.checkpoint.time).display(),
                        r.operator
                    );
                    println!("ledger id {}; treaty {} sha256 {}", hex::encode(&r.genesis), r.treaty_name, hex::encode(&r.treaty_sha256));
                    println!("origin {}", r.origin);
                    if r.note.is_none() {
                        println!("no checkpoint note (a casus/bundle/v1 bundle): no witness cosignature");
                    }
                    for c in &r.cosignatures {
                        println!("{}", witness.describe(c));
                    }
                    if !keys.is_empty() {
                        println!("witnesses: {} of {} cosigned; the quorum is {quorum}", r.cosignatures.len(), keys.len());
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        LedgerCommand::Consistency { ledger, from, to } => consistency(&ledger, from, to),
        LedgerCommand::Mirror(args) => crate::cmd_mirror::run(args),
        LedgerCommand::Checkpoint { ledger, operator_key, witnesses, clock } => {
            let op = read_key(&operator_key)?;
            let mut cosigners = witnesses.cosigners()?;
            let mut l = open(&ledger)?;
            let time = record_time(&mut l, &clock)?;
            let mut outcome = None;
            let result = l.checkpoint_cosigned(&op.key, time, &mut |note, size, proof| {
                if cosigners.is_empty() {
                    return Ok(note.clone());
                }
                let cosigned = cosigners.cosign(time.0, note, size, proof).map_err(|e| LedgerError::Refused(format!("{e}; nothing was stored")))?;
                let note = cosigned.note.clone();
                outcome = Some(cosigned);
                Ok(note)
            });
            match result {
                Ok((cp, _)) => {
                    println!("checkpoint: {} entries, root {}", cp.size, hex::encode(&cp.root));
                    if let Some(c) = outcome {
                        println!("cosigned by {} of {} witnesses ({}); the quorum is {}", c.signed.len(), c.asked, c.signed.join(", "), c.quorum);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report(e),
            }
        }
        LedgerCommand::Register { ledger, operator_key, key, clock } => {
            let op = read_key(&operator_key)?;
            let p = read_public(&key)?;
            let role = match p.role {
                Some(role @ (KeyRole::Party(_) | KeyRole::Recorder)) => role,
                _ => bail!("{} names no party or recorder role (make it with `casus keys new --party CODE` or `--recorder`)", key.display()),
            };
            key_change(&ledger, &op.key, None, KeyChange::Register(KeyRegistration { key: p.key, role }), &clock)
        }
        LedgerCommand::Rotate { ledger, operator_key, old, new, clock } => {
            let op = read_key(&operator_key)?;
            let old = parse_key_id(&old)?;
            let text = read_small(&new)?;
            // A secret key file (for the operator's own rotation) or a public one.
            let (public, secret) = if text.contains("casus-secret-key") {
                let k = KeyFile::parse(&text).with_context(|| format!("reading key file {}", new.display()))?;
                (k.key.public(), Some(k.key))
            } else {
                (read_public(&new)?.key, None)
            };
            if old == op.key.id() && secret.is_none() {
                bail!(
                    "{} rotates the operator key: pass the new operator's secret key file as --new; it signs the checkpoint covering the rotation",
                    old.short()
                );
            }
            key_change(&ledger, &op.key, secret.filter(|_| old == op.key.id()), KeyChange::Rotate { old, new: public }, &clock)
        }
        LedgerCommand::Revoke { ledger, operator_key, key_id, reason, clock } => {
            let op = read_key(&operator_key)?;
            key_change(&ledger, &op.key, None, KeyChange::Revoke { key: parse_key_id(&key_id)?, reason }, &clock)
        }
        LedgerCommand::Keys { ledger } => {
            let mut l = open(&ledger)?;
            for (id, state) in l.keys()? {
                let revoked = state.revoked_at.map_or(String::new(), |r| format!(", revoked at entry {r}"));
                println!("{id}  {}  (from entry {}{revoked})", state.role, state.introduced_at);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `ledger consistency`: the RFC 6962 consistency proof between two sizes
/// of the log, checked here with the verifier a witness would run, and
/// compared with the signed checkpoints at those sizes if there are any.
fn consistency(ledger: &str, from: u64, to: Option<u64>) -> Result<ExitCode> {
    use casus_ledger::merkle;
    let mut l = open(ledger)?;
    let size = match l.sync() {
        Ok(size) => size,
        Err(e) => return report(e),
    };
    let to = to.unwrap_or(size);
    if from == 0 || from > to || to > size {
        eprintln!("error: need 1 <= --from <= --to <= {size} (the ledger's size); got --from {from} --to {to}");
        return Ok(ExitCode::from(1));
    }
    let leaves = l.replay().leaves.as_deref().context("the ledger kept no leaf hashes")?;
    let old_root = merkle::root(&leaves[..from as usize]);
    let new_root = merkle::root(&leaves[..to as usize]);
    let proof = merkle::consistency_proof(&leaves[..to as usize], from as usize).context("no consistency proof for these sizes")?;
    let holds = merkle::verify_consistency(from, to, &old_root, &new_root, &proof);
    let signed: Vec<_> = l.checkpoints()?;
    let note = |size: u64, root: &merkle::Hash| match signed.iter().find(|cp| cp.size == size) {
        Some(cp) if &cp.root == root => "matches the signed checkpoint at this size".to_string(),
        Some(_) => "DIFFERS from the signed checkpoint at this size".to_string(),
        None => "no signed checkpoint at this size".to_string(),
    };
    let mismatch = signed.iter().any(|cp| (cp.size == from && cp.root != old_root) || (cp.size == to && cp.root != new_root));
    println!("old size {from}, root {} ({})", hex::encode(&old_root), note(from, &old_root));
    println!("new size {to}, root {} ({})", hex::encode(&new_root), note(to, &new_root));
    println!("consistency proof, {} hashes:", proof.len());
    for h in &proof {
        println!("  {}", hex::encode(h));
    }
    if holds && !mismatch {
        println!("ok: the log at size {to} extends the log at size {from}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: the consistency proof does not hold against the signed checkpoints");
        Ok(ExitCode::from(1))
    }
}

/// Appends a key change with a checkpoint covering it, in one commit;
/// `new_operator` signs that checkpoint when the operator key rotates.
fn key_change(
    ledger: &str,
    operator: &casus_ledger::SecretKey,
    new_operator: Option<casus_ledger::SecretKey>,
    change: KeyChange,
    clock: &ClockArgs,
) -> Result<ExitCode> {
    let mut l = open(ledger)?;
    let time = record_time(&mut l, clock)?;
    let result = match &new_operator {
        Some(new) => l.rotate_operator(operator, new, time),
        None => l.change_key(&change, operator, time),
    };
    match result {
        Ok(seq) => {
            println!("entry {seq}: {:?}", change.kind());
            println!("checkpoint: {} entries", seq + 1);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => report(e),
    }
}

/// The treaty and the acts of a ledger, as known at record time `as_of`
/// (every act if `None`), for `replay --ledger`. Signatures are checked by
/// `casus ledger verify`; this reads the log's structure and rules only.
pub fn load_state_input(ledger: &str, as_of: Option<Time>) -> Result<casus_query::Book> {
    casus_query::Book::from_ledger(&mut open(ledger)?, as_of).map_err(crate::input::rendered)
}
