//! The witness's durable state: for each log, the latest checkpoint it
//! cosigned, as a signed note (the log's signatures and the witness's
//! cosignature), in an append-only state log
//! `<state dir>/logs/<hex SHA-256 of the origin>.log`.
//!
//! A witness that forgot what it cosigned could be walked back and then
//! forward onto a fork, so each new checkpoint is appended to the log as one
//! checksummed record and made durable with one `fdatasync` before the
//! cosignature is returned. On start the log is replayed: its last record is
//! the state. A last record cut short (the witness was killed during the
//! append, before it answered) is dropped; any other damage, or a record
//! that does not hold a cosignature by this witness, stops the witness rather
//! than reset it. Every [`MAX_STATE_LOG_RECORDS`] records the log is
//! compacted: replaced whole by its last record (temporary file, fsync,
//! rename, fsync of the directory). Checkpoints a log's key signed but the
//! witness refused (a fork, a bad proof) are kept in `<state dir>/evidence/`:
//! they prove the operator's misbehaviour. The byte format is in
//! `docs/WITNESS.md` ("State and durability").

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use casus_ledger::checkpoint_note::TreeHead;
use casus_ledger::merkle::Hash;
use casus_ledger::note::{MAX_NOTE_BYTES, Note, NoteVerifier, SignatureType};
use casus_ledger::{hex, sha256};

use crate::{Result, WitnessError};

/// The first bytes of every state log.
pub const STATE_LOG_MAGIC: &[u8] = b"casus-witness-state-log v1\n";
/// Bytes before a record's payload: its length (u32, big-endian) and the
/// SHA-256 of the payload.
pub const RECORD_HEADER_BYTES: usize = 4 + 32;
/// Records a state log holds before it is compacted to its last one.
pub const MAX_STATE_LOG_RECORDS: u64 = 1024;
/// Largest state log read on start (a full log of the largest notes).
const MAX_STATE_LOG_BYTES: u64 = (MAX_STATE_LOG_RECORDS + 1) * (RECORD_HEADER_BYTES + MAX_NOTE_BYTES) as u64 + STATE_LOG_MAGIC.len() as u64;
/// The file name the state had before the state log (one note, replaced
/// whole); read once and replaced by a state log.
const LEGACY_EXTENSION: &str = "checkpoint";

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

/// One log's state log, open for appending.
pub struct StateLog {
    path: PathBuf,
    /// None before the first record, or after a failed append (the next
    /// save then replaces the file whole rather than append after a
    /// record that may be partial).
    file: Option<fs::File>,
    records: u64,
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

/// One record: length, SHA-256, payload.
pub fn encode_record(payload: &[u8]) -> Vec<u8> {
    let mut record = Vec::with_capacity(RECORD_HEADER_BYTES + payload.len());
    record.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    record.extend_from_slice(&sha256(payload));
    record.extend_from_slice(payload);
    record
}

/// What replaying a state log found.
#[derive(Debug, PartialEq, Eq)]
pub struct Replayed<'a> {
    /// The payload of the last whole record, if any.
    pub last: Option<&'a [u8]>,
    pub records: u64,
    /// The length of the whole records (with the magic): where a torn last
    /// record, if any, starts.
    pub valid_len: usize,
}

/// Replays a state log's bytes. A last record that runs past the end of
/// the file, or a tail of zero bytes, is torn (an append cut short, which
/// the witness never answered for) and left out; a record whose
/// checksum does not match, or a length above the largest note, is damage.
pub fn replay(bytes: &[u8]) -> std::result::Result<Replayed<'_>, String> {
    let mut rest = bytes.strip_prefix(STATE_LOG_MAGIC).ok_or("it does not start with the state log's magic line")?;
    let mut replayed = Replayed { last: None, records: 0, valid_len: STATE_LOG_MAGIC.len() };
    while !rest.is_empty() {
        // A tail of zeros: the file grew before the appended bytes reached
        // the disk (some file systems show such a tail after a crash).
        if rest.len() < RECORD_HEADER_BYTES || rest.iter().all(|&b| b == 0) {
            break;
        }
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len > MAX_NOTE_BYTES {
            return Err(format!("record {} claims {len} bytes, more than a note", replayed.records + 1));
        }
        let Some(payload) = rest.get(RECORD_HEADER_BYTES..RECORD_HEADER_BYTES + len) else {
            break;
        };
        if sha256(payload)[..] != rest[4..RECORD_HEADER_BYTES] {
            return Err(format!("record {} does not match its checksum", replayed.records + 1));
        }
        replayed.last = Some(payload);
        replayed.records += 1;
        replayed.valid_len += RECORD_HEADER_BYTES + len;
        rest = &rest[RECORD_HEADER_BYTES + len..];
    }
    Ok(replayed)
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
        self.logs.join(format!("{}.log", origin_hash(origin)))
    }

    /// Reads a log's state (none yet is size 0) and opens its state log.
    pub fn load(&self, origin: &str, log_keys: &[NoteVerifier], own: &NoteVerifier) -> Result<(LogState, StateLog)> {
        let path = self.path(origin);
        let legacy = path.with_extension(LEGACY_EXTENSION);
        let corrupt = |path: &Path, why: String| WitnessError::CorruptState { path: path.display().to_string(), why };
        let mut log = StateLog { path: path.clone(), file: None, records: 0 };
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A state from before the state log: one note, replaced whole.
                let note = match fs::read(&legacy) {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((LogState::default(), log)),
                    Err(e) => return Err(io(format!("reading {}", legacy.display()))(e)),
                };
                if note.len() > MAX_NOTE_BYTES {
                    return Err(corrupt(&legacy, "too large".into()));
                }
                let state = parse_state(&note, origin, log_keys, own).map_err(|why| corrupt(&legacy, why))?;
                log.replace(&note)?;
                fs::remove_file(&legacy).map_err(io(format!("removing {}", legacy.display())))?;
                return Ok((state, log));
            }
            Err(e) => return Err(io(format!("reading {}", path.display()))(e)),
        };
        if bytes.len() as u64 > MAX_STATE_LOG_BYTES {
            return Err(corrupt(&path, "too large".into()));
        }
        let replayed = replay(&bytes).map_err(|why| corrupt(&path, why))?;
        let payload = replayed.last.ok_or_else(|| corrupt(&path, "it holds no whole record".into()))?;
        let state = parse_state(payload, origin, log_keys, own).map_err(|why| corrupt(&path, why))?;
        let file = fs::OpenOptions::new().append(true).open(&path).map_err(io(format!("opening {}", path.display())))?;
        if replayed.valid_len < bytes.len() {
            tracing::warn!("{}: dropping a torn last record ({} bytes)", path.display(), bytes.len() - replayed.valid_len);
            file.set_len(replayed.valid_len as u64).map_err(io(format!("truncating {}", path.display())))?;
            file.sync_all().map_err(io(format!("syncing {}", path.display())))?;
        }
        log.file = Some(file);
        log.records = replayed.records;
        Ok((state, log))
    }

    /// Makes a log's new state durable: one record appended and
    /// `fdatasync`ed (or, for the first record and every
    /// [`MAX_STATE_LOG_RECORDS`], the log replaced whole by it).
    pub fn save(&self, log: &mut StateLog, state: &LogState) -> Result<()> {
        let text = state.note.as_ref().map(Note::to_text).unwrap_or_default();
        log.save(text.as_bytes())
    }

    /// Keeps a signed checkpoint the witness refused.
    pub fn save_evidence(&self, head: &TreeHead, note: &Note) -> Result<()> {
        let name = format!("{}-{}-{}.checkpoint", origin_hash(&head.origin), head.size, hex::encode(&head.root[..8]));
        write_durably(&self.evidence.join(name), note.to_text().as_bytes())
    }
}

impl StateLog {
    fn save(&mut self, payload: &[u8]) -> Result<()> {
        match self.file.as_mut() {
            Some(file) if self.records < MAX_STATE_LOG_RECORDS => {
                if let Err(e) = append_durably(file, &self.path, payload) {
                    // The file may end in a partial record: never append after it.
                    self.file = None;
                    return Err(e);
                }
                self.records += 1;
                Ok(())
            }
            _ => self.replace(payload),
        }
    }

    /// Replaces the log whole by one record, and opens it for appending.
    fn replace(&mut self, payload: &[u8]) -> Result<()> {
        self.file = None;
        let mut bytes = STATE_LOG_MAGIC.to_vec();
        bytes.extend_from_slice(&encode_record(payload));
        write_durably(&self.path, &bytes)?;
        let file = fs::OpenOptions::new().append(true).open(&self.path).map_err(io(format!("opening {}", self.path.display())))?;
        self.file = Some(file);
        self.records = 1;
        Ok(())
    }
}

/// Appends one record to an open state log and `fdatasync`s it: the
/// write each `add-checkpoint` makes before it answers.
pub fn append_durably(file: &mut fs::File, path: &Path, payload: &[u8]) -> Result<()> {
    file.write_all(&encode_record(payload)).map_err(io(format!("appending to {}", path.display())))?;
    file.sync_data().map_err(io(format!("syncing {}", path.display())))
}

/// Parses a record's note: a checkpoint of `origin` that the log's keys
/// signed and this witness cosigned.
fn parse_state(bytes: &[u8], origin: &str, log_keys: &[NoteVerifier], own: &NoteVerifier) -> std::result::Result<LogState, String> {
    let note = Note::parse(bytes).map_err(|e| e.to_string())?;
    let head = TreeHead::parse_body(&note.text).map_err(|e| e.to_string())?;
    if head.origin != origin {
        return Err(format!("it holds a checkpoint of {}", head.origin));
    }
    let mut keys = log_keys.to_vec();
    keys.push(own.clone());
    let checked = note.verify(&keys);
    if !checked.invalid.is_empty() {
        return Err("a signature does not verify".into());
    }
    let time = checked
        .valid
        .iter()
        .find(|v| v.signature_type == SignatureType::CosignatureV1 && v.name == own.name && v.key_id == own.key_id)
        .and_then(|v| v.timestamp_secs)
        .ok_or("it holds no cosignature by this witness's key")?;
    Ok(LogState { size: head.size, root: head.root, time_secs: time, note: Some(note) })
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
