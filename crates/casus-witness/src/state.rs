//! The witness's durable state: for each log, the latest checkpoint it
//! cosigned, as a signed note (the log's signatures and the witness's
//! cosignature), in `<state dir>/logs/<hex SHA-256 of the origin>.checkpoint`.
//!
//! A witness that forgot what it cosigned could be walked back and then
//! forward onto a fork, so each file is replaced whole (written to a
//! temporary file, fsynced, renamed over the old one, and the directory
//! fsynced) before the cosignature is returned, and a file that does not
//! verify on start stops the witness rather than reset it. Checkpoints a
//! log's key signed but the witness refused (a fork, a bad proof) are kept
//! in `<state dir>/evidence/`: they prove the operator's misbehaviour.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use casus_ledger::checkpoint_note::TreeHead;
use casus_ledger::merkle::Hash;
use casus_ledger::note::{MAX_NOTE_BYTES, Note, NoteVerifier, SignatureType};
use casus_ledger::{hex, sha256};

use crate::{Result, WitnessError};

/// What a witness knows of one log.
#[derive(Clone, Debug, Default)]
pub struct LogState {
    /// The size of the latest cosigned checkpoint (0: none yet).
    pub size: u64,
    pub root: Hash,
    /// The time of the latest cosignature, POSIX seconds.
    pub time_secs: u64,
    /// The latest cosigned checkpoint.
    pub note: Option<Note>,
}

/// Lowercase hex SHA-256 of an origin: the state file's name, and the
/// `<origin hash>` of the monitoring URL.
pub fn origin_hash(origin: &str) -> String {
    hex::encode(&sha256(origin.as_bytes()))
}

/// The state directory.
pub struct StateDir {
    logs: PathBuf,
    evidence: PathBuf,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> WitnessError {
    move |source| WitnessError::Io { context, source }
}

impl StateDir {
    pub fn open(dir: &Path) -> Result<StateDir> {
        let logs = dir.join("logs");
        let evidence = dir.join("evidence");
        for d in [&logs, &evidence] {
            fs::create_dir_all(d).map_err(io(format!("creating {}", d.display())))?;
        }
        Ok(StateDir { logs, evidence })
    }

    fn path(&self, origin: &str) -> PathBuf {
        self.logs.join(format!("{}.checkpoint", origin_hash(origin)))
    }

    /// Reads a log's state; none yet is size 0.
    pub fn load(&self, origin: &str, log_keys: &[NoteVerifier], own: &NoteVerifier) -> Result<LogState> {
        let path = self.path(origin);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LogState::default()),
            Err(e) => return Err(io(format!("reading {}", path.display()))(e)),
        };
        let corrupt = |why: String| WitnessError::CorruptState { path: path.display().to_string(), why };
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(corrupt("too large".into()));
        }
        let note = Note::parse(&bytes).map_err(|e| corrupt(e.to_string()))?;
        let head = TreeHead::parse_body(&note.text).map_err(|e| corrupt(e.to_string()))?;
        if head.origin != origin {
            return Err(corrupt(format!("it holds a checkpoint of {}", head.origin)));
        }
        let mut keys = log_keys.to_vec();
        keys.push(own.clone());
        let checked = note.verify(&keys);
        if !checked.invalid.is_empty() {
            return Err(corrupt("a signature does not verify".into()));
        }
        let time = checked
            .valid
            .iter()
            .find(|v| v.signature_type == SignatureType::CosignatureV1 && v.name == own.name && v.key_id == own.key_id)
            .and_then(|v| v.timestamp_secs)
            .ok_or_else(|| corrupt("it holds no cosignature by this witness's key".into()))?;
        Ok(LogState { size: head.size, root: head.root, time_secs: time, note: Some(note) })
    }

    /// Replaces a log's state durably.
    pub fn save(&self, origin: &str, state: &LogState) -> Result<()> {
        let text = state.note.as_ref().map(Note::to_text).unwrap_or_default();
        write_durably(&self.path(origin), text.as_bytes())
    }

    /// Keeps a signed checkpoint the witness refused.
    pub fn save_evidence(&self, head: &TreeHead, note: &Note) -> Result<()> {
        let name = format!("{}-{}-{}.checkpoint", origin_hash(&head.origin), head.size, hex::encode(&head.root[..8]));
        write_durably(&self.evidence.join(name), note.to_text().as_bytes())
    }
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside
/// it, fsync, rename, fsync of the directory.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(io(format!("creating {}", tmp.display())))?;
    f.write_all(bytes).map_err(io(format!("writing {}", tmp.display())))?;
    f.sync_all().map_err(io(format!("syncing {}", tmp.display())))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io(format!("renaming {} to {}", tmp.display(), path.display())))?;
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(format!("syncing {}", dir.display())))?;
    Ok(())
}
