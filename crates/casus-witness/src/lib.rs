//! A C2SP `tlog-witness`: cosigns a ledger's checkpoints, after checking
//! that each extends the last one it cosigned.
//!
//! A signed checkpoint binds the operator to one history, but only if
//! others see the same checkpoint: an operator could show one member a
//! log and another member a rewritten one, each validly signed. A witness
//! run by each member state closes that gap. It keeps, for each log it is
//! configured for, the latest checkpoint it cosigned, and cosigns a new one
//! only with an RFC 6962 consistency proof from it: so a fork (two
//! checkpoints of one size with different roots) or a rollback (a smaller
//! size than it saw) is refused, and a client that demands cosignatures
//! from a quorum of witnesses knows that the checkpoint it holds is on the
//! one history all of them saw.
//!
//! The pieces:
//!
//! - [`Witness`]: the protocol, without HTTP: [`Witness::add_checkpoint`]
//!   takes a request body and the time and answers as `c2sp.org/tlog-witness`
//!   says (200 with `cosignature/v1` lines, or 400/403/404/409/422);
//! - [`state`]: the durable per-log state (an append-only state log per
//!   log: one checksummed record and one `fdatasync` per cosignature,
//!   replayed on start, compacted now and then);
//! - [`router`]: the HTTP interface (`POST /add-checkpoint`, and
//!   `GET /<origin hash>/checkpoint` for monitors);
//! - [`client`]: a small blocking HTTP/1.1 client for `add-checkpoint`,
//!   which a log's operator uses to collect cosignatures.
//!
//! Bytes are specified in `docs/LEDGER.md` ("Signed notes, C2SP
//! checkpoints and cosignatures"); running a witness in `docs/WITNESS.md`.

pub mod client;
pub mod state;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use casus_ledger::base64;
use casus_ledger::checkpoint_note::{TreeHead, parse_decimal};
use casus_ledger::merkle::{Hash, MAX_PROOF_HASHES, empty_root, verify_consistency};
use casus_ledger::note::{MAX_NOTE_BYTES, Note, NoteSignature, NoteSigner, NoteVerifier, SignatureType};

use state::{LogState, StateDir, StateLog};

/// Most consistency proof lines in a request (the spec's limit).
pub const MAX_PROOF_LINES: usize = 63;
/// Largest `add-checkpoint` request body, in bytes.
pub const MAX_REQUEST_BYTES: usize = MAX_NOTE_BYTES + 64 * (MAX_PROOF_LINES + 1);
/// Most logs one witness serves.
pub const MAX_LOGS: usize = 1024;
/// The content type of a 409 answer, which holds the witness's known size.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// The one error type of the witness. Each variant answering a request
/// maps to the HTTP status `c2sp.org/tlog-witness` prescribes
/// ([`WitnessError::status`]).
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// 400: a request that does not parse, or an old size above the
    /// checkpoint's size.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 403: no valid signature from the log's key, or a bad one.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: the witness is not configured for this origin.
    #[error("unknown log `{0}`")]
    UnknownLog(String),
    /// 409: the old size is not the size of the latest checkpoint the
    /// witness cosigned for the log (`known_size`).
    #[error("the witness's latest checkpoint for this log has size {known_size}")]
    Conflict { known_size: u64 },
    /// 422: the checkpoint is not consistent with what the witness saw (a
    /// bad proof, a fork at the same size, a size-0 tree with a root other
    /// than the empty tree's).
    #[error("inconsistent: {0}")]
    Inconsistent(String),
    /// A configuration that cannot serve (bad key, duplicate log).
    #[error("{0}")]
    Config(String),
    /// Fewer witnesses cosigned than the quorum asks.
    #[error("{0}")]
    Quorum(String),
    /// The state directory could not be read or written.
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    /// A state file that does not hold a checkpoint this witness cosigned.
    #[error("state file {path}: {why}")]
    CorruptState { path: String, why: String },
    /// The ledger's note code refused something (for instance a time out
    /// of range for a cosignature).
    #[error(transparent)]
    Ledger(#[from] casus_ledger::LedgerError),
}

impl WitnessError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            WitnessError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WitnessError::Forbidden(_) => StatusCode::FORBIDDEN,
            WitnessError::UnknownLog(_) => StatusCode::NOT_FOUND,
            WitnessError::Conflict { .. } => StatusCode::CONFLICT,
            WitnessError::Inconsistent(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

pub type Result<T, E = WitnessError> = std::result::Result<T, E>;

/// A parsed `add-checkpoint` request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint, as sent.
    pub checkpoint: Note,
}

impl AddCheckpointRequest {
    /// `old <size>\n`, one base64 hash per line, a blank line, the checkpoint.
    pub fn to_body(old_size: u64, proof: &[Hash], checkpoint: &str) -> String {
        let mut s = format!("old {old_size}\n");
        for h in proof {
            s.push_str(&base64::encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(checkpoint);
        s
    }

    pub fn parse(body: &[u8]) -> Result<AddCheckpointRequest> {
        let bad = |why: &str| WitnessError::BadRequest(why.to_string());
        if body.len() > MAX_REQUEST_BYTES {
            return Err(bad("the request is too large"));
        }
        let text = std::str::from_utf8(body).map_err(|_| bad("the request is not UTF-8"))?;
        let (first, mut rest) = text.split_once('\n').ok_or_else(|| bad("no old size line"))?;
        let old = first.strip_prefix("old ").and_then(parse_decimal).ok_or_else(|| bad("the first line must be `old <size>`"))?;
        let mut proof = Vec::new();
        loop {
            let (line, after) = rest.split_once('\n').ok_or_else(|| bad("no blank line before the checkpoint"))?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("more than 63 consistency proof lines"));
            }
            proof.push(base64::decode_array::<32>(line).ok_or_else(|| bad("a proof line is not a base64 hash"))?);
        }
        let checkpoint = Note::parse(rest.as_bytes()).map_err(|e| WitnessError::BadRequest(e.to_string()))?;
        Ok(AddCheckpointRequest { old_size: old, proof, checkpoint })
    }
}

/// One log the witness serves: its origin and the keys that sign its checkpoints.
struct Log {
    verifiers: Vec<NoteVerifier>,
    state: Mutex<Held>,
}

/// A log's state and the state log it is made durable in, under one lock.
struct Held {
    state: LogState,
    file: StateLog,
}

/// The witness: its key, its logs, their state.
pub struct Witness {
    key: NoteSigner,
    logs: HashMap<String, Log>,
    dir: StateDir,
}

impl Witness {
    /// Opens the witness over `state_dir` (created if absent), for the logs
    /// `(origin, verifier keys)`. Each log's saved checkpoint is read and
    /// its cosignature by `key` checked: a state file that does not verify
    /// stops the witness rather than let it forget what it cosigned.
    pub fn open(key: NoteSigner, logs: Vec<(String, Vec<NoteVerifier>)>, state_dir: &Path) -> Result<Witness> {
        if key.signature_type() != SignatureType::CosignatureV1 {
            return Err(WitnessError::Config("a witness key must be a cosignature/v1 key (type 0x04)".into()));
        }
        if logs.len() > MAX_LOGS {
            return Err(WitnessError::Config(format!("more than {MAX_LOGS} logs")));
        }
        let dir = StateDir::open(state_dir)?;
        let mut map = HashMap::new();
        for (origin, verifiers) in logs {
            if verifiers.is_empty() || verifiers.iter().any(|v| v.signature_type != SignatureType::Ed25519) {
                return Err(WitnessError::Config(format!("log {origin}: its keys must be Ed25519 note keys (type 0x01)")));
            }
            if map.contains_key(&origin) {
                return Err(WitnessError::Config(format!("log {origin} is configured twice")));
            }
            let (state, file) = dir.load(&origin, &verifiers, &key.verifier())?;
            map.insert(origin, Log { verifiers, state: Mutex::new(Held { state, file }) });
        }
        Ok(Witness { key, logs: map, dir })
    }

    pub fn verifier(&self) -> NoteVerifier {
        self.key.verifier()
    }

    /// The latest checkpoint cosigned for `origin` (with the log's
    /// signatures and this witness's cosignature), if any.
    pub fn latest(&self, origin: &str) -> Option<String> {
        let log = self.logs.get(origin)?;
        let held = log.state.lock().unwrap_or_else(|p| p.into_inner());
        held.state.note.as_ref().map(Note::to_text)
    }

    /// The latest checkpoint of the log whose origin hashes to `origin_hash_hex`.
    pub fn latest_by_hash(&self, origin_hash_hex: &str) -> Option<String> {
        let origin = self.logs.keys().find(|o| state::origin_hash(o) == origin_hash_hex)?;
        self.latest(origin)
    }

    /// Handles an `add-checkpoint` body at `now_secs` (POSIX time): checks
    /// it, persists the new state, and returns the cosignature lines.
    pub fn add_checkpoint(&self, body: &[u8], now_secs: u64) -> Result<String> {
        let req = AddCheckpointRequest::parse(body)?;
        let head = TreeHead::parse_body(&req.checkpoint.text).map_err(|e| WitnessError::BadRequest(e.to_string()))?;
        let log = self.logs.get(&head.origin).ok_or_else(|| WitnessError::UnknownLog(head.origin.clone()))?;
        let checked = req.checkpoint.verify(&log.verifiers);
        if let Some((name, id)) = checked.invalid.first() {
            return Err(WitnessError::Forbidden(format!("the signature of key {name}+{id:08x} does not verify")));
        }
        if checked.valid.is_empty() {
            return Err(WitnessError::Forbidden("no signature from the log's key".into()));
        }
        if req.old_size > head.size {
            return Err(WitnessError::BadRequest(format!("old size {} is above the checkpoint's size {}", req.old_size, head.size)));
        }
        if !head.is_well_formed_empty() {
            return Err(WitnessError::Inconsistent("a checkpoint of size 0 must have the empty tree's root".into()));
        }
        if req.proof.len() > MAX_PROOF_HASHES {
            return Err(WitnessError::Inconsistent("the proof is too long".into()));
        }
        // Check and persist under the log's lock, so that two requests
        // cannot both pass against the same old state (the race the spec
        // describes, which would roll the witness back).
        let mut held = log.state.lock().unwrap_or_else(|p| p.into_inner());
        let Held { state, file } = &mut *held;
        if req.old_size != state.size {
            return Err(WitnessError::Conflict { known_size: state.size });
        }
        let old_root = if state.size == 0 { empty_root() } else { state.root };
        if req.old_size == 0 && !req.proof.is_empty() {
            return self.refuse(&head, &req.checkpoint, "a proof from size 0 must be empty");
        }
        if !verify_consistency(req.old_size, head.size, &old_root, &head.root, &req.proof) {
            let why = if req.old_size == head.size {
                format!("a different root at size {} (a fork)", head.size)
            } else {
                format!("the consistency proof from size {} to {} does not verify", req.old_size, head.size)
            };
            return self.refuse(&head, &req.checkpoint, &why);
        }
        // A cosignature never goes back in time, even if the clock does.
        let time = now_secs.max(state.time_secs).max(1);
        let cosignature = self.key.cosign(&req.checkpoint.text, time)?;
        // Keep the log's valid signatures (one per key) beside the cosignature.
        let mut kept: Vec<NoteSignature> = Vec::new();
        for s in &req.checkpoint.signatures {
            let valid = checked.valid.iter().any(|v| v.name == s.name && v.key_id == s.key_id);
            if valid && !kept.iter().any(|k| k.name == s.name && k.key_id == s.key_id) {
                kept.push(s.clone());
            }
        }
        kept.push(cosignature.clone());
        let note = Note { text: req.checkpoint.text.clone(), signatures: kept };
        let new_state = LogState { size: head.size, root: head.root, time_secs: time, note: Some(note) };
        self.dir.save(file, &new_state)?;
        *state = new_state;
        Ok(cosignature.line())
    }

    /// Refuses an inconsistent checkpoint that the log's key signed, and
    /// keeps it as evidence of the operator's misbehaviour (best effort).
    fn refuse(&self, head: &TreeHead, checkpoint: &Note, why: &str) -> Result<String> {
        if let Err(e) = self.dir.save_evidence(head, checkpoint) {
            tracing::warn!("could not keep the evidence of an inconsistent checkpoint: {e}");
        }
        tracing::warn!(origin = %head.origin, size = head.size, "refused: {why}");
        Err(WitnessError::Inconsistent(why.to_string()))
    }
}

/// The HTTP interface: `POST /add-checkpoint` and `GET /<origin hash>/checkpoint`.
pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/{origin_hash}/checkpoint", get(latest_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(witness)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    // Verification and the durable write block; keep them off the reactor.
    let result = tokio::task::spawn_blocking(move || witness.add_checkpoint(&body, now_secs())).await;
    match result {
        Ok(Ok(lines)) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], lines).into_response(),
        Ok(Err(WitnessError::Conflict { known_size })) => {
            (StatusCode::CONFLICT, [(header::CONTENT_TYPE, SIZE_CONTENT_TYPE)], format!("{known_size}\n")).into_response()
        }
        Ok(Err(e)) => {
            if e.status() == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!("add-checkpoint: {e}");
            }
            (e.status(), [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{e}\n")).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

async fn latest_checkpoint(State(witness): State<Arc<Witness>>, UrlPath(origin_hash): UrlPath<String>) -> Response {
    match witness.latest_by_hash(&origin_hash) {
        Some(note) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response(),
        None => (StatusCode::NOT_FOUND, "no checkpoint cosigned for this log\n").into_response(),
    }
}

#[cfg(test)]
mod tests;
