//! `casus ledger mirror URL --ledger LOCAL`: a member's own, verified copy
//! of the secretariat's ledger, fetched by C2SP `tlog-tiles`.
//!
//! It exists so that a member state can check the whole log without
//! trusting whoever serves it, and keep reading it (`casus replay --ledger
//! LOCAL`, `casus ledger verify --ledger LOCAL`) if the server goes away.
//! Every rule lives in `casus-ledger`: the tile grammar and bytes in
//! `casus_ledger::tiles`, the entry rules and strict signature checks in
//! `Ledger::append_signed`, the note checks in `checkpoint_note`. Each run:
//!
//! 1. fetches `/checkpoint` (size n, root, cosignatures) and checks the
//!    witnesses' cosignatures against `--witness … --quorum K` before
//!    fetching anything else;
//! 2. fetches the level-0 hash tiles the mirror lacks, checks that they
//!    agree with the leaves it holds (else the remote forked) and that all
//!    the leaves hash to the checkpoint's root: the new tree extends the
//!    mirrored one (consistency with the last mirrored checkpoint, computed
//!    over every leaf rather than a proof's few hashes); then checks every
//!    tile of the upper levels it lacks against the same leaves;
//! 3. fetches the entry bundles from the mirror's size on, checks each
//!    entry's leaf hash against the authenticated tiles, and appends them
//!    with the ledger's own verification (positions, links, record times,
//!    who may sign what, each signature strictly), a commit per
//!    [`COMMIT_ENTRIES`];
//! 4. checks the checkpoint's signature by the operator key in force at n
//!    and stores the note beside the log: the mirror's own checkpoint,
//!    which `verify` checks against the log.
//!
//! Nothing is written before steps 1 and 2 pass; a refusal in step 3
//! keeps what was committed before it (each entry verified), covered by
//! the earlier checkpoint only. Exit codes: 0 mirrored (or up to date),
//! 1 the remote log or its checkpoint is refused, 2 the command could not
//! run (network, files).

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use casus_ledger::checkpoint_note::{self, TreeHead};
use casus_ledger::merkle::{self, Hash};
use casus_ledger::note::Note;
use casus_ledger::tiles::{self, BundleFormat, TileHashes, TileKind};
use casus_ledger::{Ledger, LedgerError, hex};
use casus_server::client::Server;

use crate::cmd_ledger::WitnessKeys;

/// Entries appended per durable commit.
pub const COMMIT_ENTRIES: usize = 4096;
/// Largest checkpoint note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

#[derive(clap::Args)]
pub struct MirrorArgs {
    /// The server: http://HOST:PORT[/prefix] (it serves /checkpoint and /tile/…).
    url: String,
    /// The local copy: a SQLite file (created on the first run) or a postgres:// URL.
    #[arg(long)]
    ledger: String,
    /// The server's read token, if it needs one.
    #[arg(long)]
    token: Option<String>,
    /// The origin the remote ledger must have (`casus ledger origin` prints it); by default the local copy's, if any.
    #[arg(long)]
    origin: Option<String>,
    /// A witness whose cosignature counts, NAME=VERIFIER_KEY (its cosignature/v1 verifier key); repeat for each.
    #[arg(long = "witness", value_name = "NAME=VERIFIER_KEY")]
    witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned the checkpoint (default: all those given).
    #[arg(long)]
    quorum: Option<usize>,
    /// A witness policy file with dated versions (docs/WITNESS.md): the
    /// remote's current checkpoint must carry the quorum of the version in
    /// force now.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["witnesses", "quorum"])]
    policy: Option<std::path::PathBuf>,
}

/// Why a run stopped.
enum Stop {
    /// The remote log or its checkpoint is refused (exit 1).
    Refused(String),
    /// The run could not be made (exit 2).
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Stop {
    fn from(e: anyhow::Error) -> Stop {
        Stop::Failed(e)
    }
}

fn refused(why: impl Into<String>) -> Stop {
    Stop::Refused(why.into())
}

/// A ledger error: a refusal (the remote's entries break the rules) or a failure.
fn ledger_stop(e: LedgerError) -> Stop {
    match e {
        LedgerError::Rejected { .. }
        | LedgerError::Refused(_)
        | LedgerError::Tampered { .. }
        | LedgerError::TamperedCheckpoint { .. }
        | LedgerError::Decode { .. } => refused(e.to_string()),
        other => Stop::Failed(other.into()),
    }
}

pub fn run(args: MirrorArgs) -> Result<ExitCode> {
    match mirror(&args) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Stop::Refused(why)) => {
            eprintln!("error: refused: {why}");
            Ok(ExitCode::from(1))
        }
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// A server's answer other than 200: its status, error code and message.
type NotOk = (u16, Option<String>, String);

/// GET `path`; the body of a 200, or the status and message.
fn get(server: &Server, path: &str) -> Result<Result<Vec<u8>, NotOk>> {
    let reply = server.request("GET", path, None).map_err(|e| anyhow!("GET {path}: {e}"))?;
    if reply.status == 200 { Ok(Ok(reply.body)) } else { Ok(Err((reply.status, reply.code(), reply.message()))) }
}

/// GET a resource the checkpoint says exists: anything but a 200 is a failure.
fn get_ok(server: &Server, path: &str) -> Result<Vec<u8>> {
    get(server, path)?.map_err(|(_, _, why)| anyhow!("GET {path}: {why}"))
}

fn mirror(args: &MirrorArgs) -> Result<(), Stop> {
    let witness = match &args.policy {
        None => WitnessKeys::parse(&args.witnesses, args.quorum)?,
        Some(path) => {
            let policy = crate::cmd_ledger::read_policy(path)?;
            let now = casus_query::system_now();
            let version = policy.in_force(now).ok_or_else(|| anyhow!("{}: no version of the witness policy is in force now", path.display()))?;
            println!(
                "witness policy of {}: {} of its {} witnesses must have cosigned",
                casus_model::Time(version.from).display(),
                version.quorum,
                version.witnesses.len()
            );
            WitnessKeys::of_policy(version)
        }
    };
    let server = Server::parse(&args.url, args.token.clone()).map_err(anyhow::Error::msg)?;

    // 1. The checkpoint, and the witnesses' cosignatures on it.
    let note_bytes = get_ok(&server, "/checkpoint")?;
    if note_bytes.len() > MAX_NOTE_BYTES {
        return Err(refused(format!("the checkpoint is {} bytes, more than {MAX_NOTE_BYTES}", note_bytes.len())));
    }
    let note = Note::parse(&note_bytes).map_err(|e| refused(format!("the checkpoint: {e}")))?;
    let head = TreeHead::parse_body(&note.text).map_err(|e| refused(format!("the checkpoint: {e}")))?;
    if !witness.keys.is_empty() {
        let checked = note.verify(&witness.keys);
        if let Some((name, id)) = checked.invalid.first() {
            return Err(refused(format!("the checkpoint's cosignature by {name}+{id:08x} does not verify")));
        }
        if checked.valid.len() < witness.quorum {
            return Err(refused(format!(
                "the checkpoint of {} entries has {} valid cosignature(s) of the {} witness(es) given; the quorum is {}",
                head.size,
                checked.valid.len(),
                witness.keys.len(),
                witness.quorum
            )));
        }
    }

    // The local copy: its origin, size and leaves.
    let store = crate::cmd_ledger::open_store(&args.ledger)?;
    let mut local = Ledger::open(store);
    let m = local.len().map_err(ledger_stop)?;
    let origin = if m > 0 { Some(local.origin().map_err(ledger_stop)?) } else { None };
    for (what, want) in [("--origin", args.origin.as_ref()), ("the local copy's origin", origin.as_ref())] {
        if let Some(want) = want
            && *want != head.origin
        {
            return Err(refused(format!("the remote checkpoint's origin is `{}`, not {what} `{want}`", head.origin)));
        }
    }
    let n = head.size;
    if n > casus_ledger::MAX_LEDGER_ENTRIES {
        return Err(refused(format!("the checkpoint's size {n} is over the ledger limit")));
    }
    let mut leaves: Vec<Hash> = local.replay().leaves.clone().ok_or_else(|| anyhow!("the local ledger keeps no leaf hashes"))?;
    if n < m {
        if merkle::root(&leaves[..n as usize]) != head.root {
            return Err(refused(format!("the remote's checkpoint of {n} entries is not a prefix of the {m} mirrored: the log was rewritten (fork)")));
        }
        println!("up to date: the remote's checkpoint ({n} entries) is older than the mirror ({m} entries), and consistent with it");
        return Ok(());
    }

    // 2. The leaf hashes of the new entries, authenticated by the root.
    let new_tiles = tiles::tiles_grown(m, n);
    for t in new_tiles.iter().filter(|t| t.kind == TileKind::Hashes(0)) {
        let bytes = get_ok(&server, &format!("/{}", t.path()))?;
        let hashes = tiles::parse_hash_tile(&bytes, t.width).map_err(|e| refused(format!("{}: {e}", t.path())))?;
        let start = t.index * tiles::TILE_WIDTH;
        for (i, h) in hashes.into_iter().enumerate() {
            let pos = (start + i as u64) as usize;
            match leaves.get(pos) {
                Some(mine) if *mine != h => {
                    return Err(refused(format!("{}: entry {pos} differs from the mirrored one: the log was rewritten (fork)", t.path())));
                }
                Some(_) => {}
                None if pos == leaves.len() => leaves.push(h),
                None => return Err(Stop::Failed(anyhow!("{}: tiles out of order", t.path()))),
            }
        }
    }
    if leaves.len() as u64 != n {
        return Err(refused(format!("the tiles give {} leaves, the checkpoint says {n}", leaves.len())));
    }
    if merkle::root(&leaves) != head.root {
        return Err(refused(format!(
            "the tiles do not hash to the checkpoint's root at {n} entries: {} served tampered tiles, or a log inconsistent with the {m} entries mirrored",
            args.url
        )));
    }
    let mut upper = TileHashes::new();
    upper.update(&leaves).map_err(ledger_stop)?;
    for t in new_tiles.iter().filter(|t| t.level() > 0) {
        let bytes = get_ok(&server, &format!("/{}", t.path()))?;
        if upper.tile(&leaves, t).as_deref() != Some(&bytes[..]) {
            return Err(refused(format!("{} does not match the log's leaves (a tampered tile)", t.path())));
        }
    }

    // 3. The entries, each checked against its leaf and the ledger's rules.
    let mut batch: Vec<Vec<u8>> = Vec::new();
    for b in tiles::bundles_for_range(m, n) {
        let bytes = match get(&server, &format!("/{}", b.path()))? {
            Ok(bytes) => (bytes, BundleFormat::Narrow),
            Err((422, Some(code), _)) if code == "entry_too_long" => (get_ok(&server, &format!("/casus/entries/{}", b.index_width()))?, BundleFormat::Wide),
            Err((_, _, why)) => return Err(Stop::Failed(anyhow!("GET /{}: {why}", b.path()))),
        };
        let entries = tiles::decode_bundle(&bytes.0, bytes.1, b.width).map_err(|e| refused(format!("{}: {e}", b.path())))?;
        let start = b.index * tiles::TILE_WIDTH;
        for (i, e) in entries.into_iter().enumerate() {
            let pos = start + i as u64;
            if pos < m {
                continue;
            }
            if merkle::leaf_hash(e) != leaves[pos as usize] {
                return Err(refused(format!("{}: entry {pos} does not hash to its leaf in the tiles (a tampered bundle)", b.path())));
            }
            batch.push(e.to_vec());
        }
        if batch.len() >= COMMIT_ENTRIES {
            local.append_signed(&batch).map_err(ledger_stop)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        local.append_signed(&batch).map_err(ledger_stop)?;
    }

    // 4. The checkpoint's signature by the operator at n, stored as the mirror's own.
    let replay = local.replay();
    let operator =
        replay.registry.operator().and_then(|id| replay.registry.get(&id)).map(|s| s.key.to_bytes()).ok_or_else(|| refused("the log has no operator key"))?;
    let origin = replay.origin().map_err(ledger_stop)?;
    let op_key = checkpoint_note::operator_note_verifier(&origin, &operator).map_err(ledger_stop)?;
    let cosigned = checkpoint_note::verify_cosigned(&note_bytes, &[op_key], &witness.keys, witness.quorum).map_err(ledger_stop)?;
    local.add_checkpoint_note(&note_bytes).map_err(ledger_stop)?;

    println!("mirrored {} new entries ({m}..{n}) from {}", n - m, args.url);
    println!("checkpoint: {n} entries, root {}, signed by the operator; origin {origin}", hex::encode(&head.root));
    for c in &cosigned.cosignatures {
        println!("{}", witness.describe(c));
    }
    if !witness.keys.is_empty() {
        println!("witnesses: {} of {} cosigned; the quorum is {}", cosigned.cosignatures.len(), witness.keys.len(), witness.quorum);
    }
    Ok(())
}
