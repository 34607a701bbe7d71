//! `POST /api/acts`: writing by signature only, group-committed.
//!
//! The client signs a statement per act (`casus/statement/v1`, docs/LEDGER.md):
//! the ledger's origin, its key's next sequence number and the act, but no
//! position and no predecessor. The server gives each statement its
//! position and record time (a `casus/entry/v3` entry), so the stored
//! bytes hold exactly what the actor signed and the server holds no
//! party's key. Clients do not race for the head: concurrent requests from
//! many clients wait in one queue, and a writer thread ([`Committer`])
//! takes everything queued (and waits a moment for requests still being
//! checked: [`write_groups`]), checks each request's entries in order with
//! the ledger's own rules (who may sign what, honest time, the key's
//! sequence, act ids), and commits the group in one durable transaction;
//! each request is answered once the commit holding it returned. A request
//! of a few acts is checked on the async thread that received it; a large
//! one on a blocking thread. The body
//! also carries the acts as text in the record format, so the treaty's
//! record checks (`casus-lang`: a member acts as a member, names exist,
//! documents and cases were opened before) run on exactly what people
//! read; each act must encode to the signed payload byte for byte.
//!
//! A request is refused, with a 4xx and a reason, and nothing of it
//! written, when: the body is malformed or too large; a statement is not
//! an act, or names another ledger; the text and the statements disagree;
//! the treaty does not allow an act; the signer key is unknown, revoked,
//! or not registered for the act's actor (a party signs only for itself);
//! the signature does not verify; the act is dated outside what its
//! record time allows; an act's id is already in the ledger; or a
//! statement's sequence number is not above its key's last (a replayed
//! request, 409 `sequence`). A refused request does not hold up the others
//! of its group.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::mpsc::error::TryRecvError;

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use casus_ledger::{Candidate, CheckedEntry, CheckedStatement, EntryKind, KeyId, LedgerError, SignedStatement, Tamper, encode_act, hex_decode, hex_encode};
use serde::{Deserialize, Serialize};

use crate::MAX_BATCH_ACTS;
use crate::error::{ApiError, blocking};
use crate::state::{AppState, Inner};

/// A batch of signed acts.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SignedActs {
    /// How to read `text`: a name ending in `.md` is literate Markdown with
    /// ```acts blocks; anything else is one acts block.
    #[serde(default)]
    pub name: String,
    /// The acts in the record format, in the order of `statements`.
    pub text: String,
    /// The signed statements (hex of the statement's bytes followed by its
    /// 64-byte Ed25519 signature), one per act, numbered by the signing
    /// key's sequence in increasing order, as docs/LEDGER.md specifies.
    pub statements: Vec<String>,
}

/// What was appended.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Clone, Debug)]
pub struct Appended {
    pub first: u64,
    pub last: u64,
    /// The log's size after the commit that holds them.
    pub size: u64,
    /// Merkle root (hex) after that commit.
    pub root: String,
    /// The record time the ledger gave the entries.
    pub record_time: i64,
}

/// Why the ledger's rules refused an entry, as an API error.
fn refusal(seq: u64, t: &Tamper) -> ApiError {
    use StatusCode as S;
    let (status, code) = match t {
        Tamper::SequenceOutOfOrder { .. } => (S::CONFLICT, "sequence"),
        Tamper::WrongLedger { .. } => (S::CONFLICT, "wrong_ledger"),
        Tamper::UnknownKey => (S::FORBIDDEN, "unknown_key"),
        Tamper::RevokedKey => (S::FORBIDDEN, "revoked_key"),
        Tamper::WrongSigner(_) => (S::FORBIDDEN, "wrong_signer"),
        Tamper::BadSignature | Tamper::SwappedSignature { .. } => (S::FORBIDDEN, "bad_signature"),
        Tamper::Malformed(_) => (S::BAD_REQUEST, "malformed"),
        Tamper::LiveActTime(_) => (S::UNPROCESSABLE_ENTITY, "dishonest_time"),
        _ => (S::UNPROCESSABLE_ENTITY, "refused"),
    };
    let msg = match code {
        "sequence" => format!("entry {seq}: {t}; sign it again with a number above the key's last (GET /api/head?key=KEY_ID gives it)"),
        _ => format!("entry {seq}: {t}"),
    };
    ApiError::new(status, code, msg)
}

pub use crate::config::MAX_CONCURRENT_WRITES;
/// Most diagnostics listed in a refusal's `details`; a last line says how
/// many more there were.
pub const MAX_DETAILS: usize = 100;
/// Most lines of acts text (inside acts blocks) per signed statement: an act's
/// head line, its fields and sources. Prose of a `.md` text is not counted.
pub const MAX_TEXT_LINES_PER_ACT: usize = 64;
/// How long a write waits for a permit, to have its body read (of
/// [`crate::config::MAX_CONCURRENT_BODIES`]) or to be checked (of
/// [`MAX_CONCURRENT_WRITES`]), before it is answered 503 `busy`.
pub const WRITE_PERMIT_WAIT: Duration = Duration::from_secs(5);
/// Requests the writer's queue holds before further ones wait.
pub const QUEUE_REQUESTS: usize = 1024;
/// Most requests committed in one group.
pub const MAX_GROUP_REQUESTS: usize = 4096;
/// Most entries committed in one group.
pub const MAX_GROUP_ENTRIES: usize = 20_000;
/// Longest a group waits for requests being checked (see [`write_groups`]).
pub const MAX_GROUP_WAIT: Duration = Duration::from_millis(5);

/// The lines of a request's text that the act parser reads: those of a
/// plain acts text, or those inside ```acts blocks of a `.md` one, as
/// (head lines at column 0, all lines).
fn act_lines(name: &str, text: &str) -> (usize, usize) {
    let markdown = name.ends_with(".md");
    let mut inside = !markdown;
    let (mut heads, mut lines) = (0, 0);
    for line in text.lines() {
        if markdown {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                inside = !inside && t[3..].trim_start().starts_with("acts");
                continue;
            }
        }
        if !inside {
            continue;
        }
        lines += 1;
        let first = line.chars().next();
        if first.is_some_and(|c| !c.is_whitespace() && c != '#') {
            heads += 1;
        }
    }
    (heads, lines)
}

/// One signed statement of a request, decoded; an act's.
fn parse_statement(i: usize, bytes: Vec<u8>) -> Result<SignedStatement, ApiError> {
    let st = SignedStatement::parse(bytes).map_err(|e| ApiError::bad_request(format!("statements[{i}] does not decode: {e}")).code("malformed"))?;
    if st.kind != EntryKind::Act {
        return Err(unprocessable("not_an_act", format!("statements[{i}] is not an act: keys change only through the operator")));
    }
    Ok(st)
}

/// What can be checked before the text is parsed, cheaply and in bounded
/// memory: the text's size against the number of statements, the origin,
/// the sequence numbers and every signature. A request that fails here
/// costs no parse, so junk text can only be sent along with statements
/// signed by a registered key.
fn precheck(s: &AppState, req: &SignedActs, parsed: Vec<SignedStatement>) -> Result<Vec<CheckedStatement>, ApiError> {
    let (heads, lines) = act_lines(&req.name, &req.text);
    // One head line per act, and an optional `record "…"` header.
    if heads > parsed.len() + 1 {
        return Err(unprocessable("act_mismatch", format!("the text has {heads} head lines for {} statements: send one statement per act", parsed.len())));
    }
    if lines > parsed.len().saturating_mul(MAX_TEXT_LINES_PER_ACT) {
        return Err(unprocessable(
            "act_mismatch",
            format!("the text has {lines} lines of acts for {} statements (at most {MAX_TEXT_LINES_PER_ACT} per act)", parsed.len()),
        ));
    }
    // A key another process registered a moment ago is not unknown: read
    // the store's new entries once before saying so.
    if !signers_known(s, &parsed)? {
        // A log that no longer replays is logged by `sync`; the checks
        // below then answer on what the server holds.
        let _ = s.sync();
    }
    let data = s.data()?;
    let mut last: Option<(KeyId, u64)> = None;
    let mut checked = Vec::with_capacity(parsed.len());
    for (i, p) in parsed.into_iter().enumerate() {
        // The key's sequence increases within the request too.
        let previous = last.filter(|(key, _)| *key == p.signer).map(|(_, n)| n);
        last = Some((p.signer, p.sequence));
        checked.push(data.log.check_statement(p, previous).map_err(|t| refusal(data.size() + i as u64, &t))?);
    }
    Ok(checked)
}

fn signers_known(s: &AppState, parsed: &[SignedStatement]) -> Result<bool, ApiError> {
    let data = s.data()?;
    Ok(parsed.iter().all(|p| data.log.knows_key(&p.signer)))
}

#[utoipa::path(post, path = "/api/acts", request_body = SignedActs, responses(
    (status = 201, description = "Appended durably", body = Appended),
    (status = 400, description = "Malformed body or statement", body = crate::error::ErrorBody),
    (status = 403, description = "Unknown or revoked key, a party signing for another, a bad signature", body = crate::error::ErrorBody),
    (status = 408, description = "The body did not arrive within 10 s of the headers", body = crate::error::ErrorBody),
    (status = 409, description = "A sequence number not above the key's last (a replayed request), another ledger's statement, or an act id already in the ledger", body = crate::error::ErrorBody),
    (status = 413, description = "Body over the limit", body = crate::error::ErrorBody),
    (status = 422, description = "The treaty does not allow the act, the act's date is dishonest, or the text and the statements disagree", body = crate::error::ErrorBody),
    (status = 503, description = "Too many writes being received or checked at once: retry after a second", body = crate::error::ErrorBody)))]
/// Appends signed acts (see the module documentation for what is checked).
pub async fn post_acts(State(s): State<AppState>, req: Request) -> Result<(StatusCode, Json<Appended>), ApiError> {
    let committer = writer(&s)?;
    let too_large =
        || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the request body is over the limit of {} bytes", crate::MAX_BODY_BYTES));
    // A body announced over the limit is refused before a byte of it is read
    // (and before `Expect: 100-continue` is answered).
    let announced = req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > crate::MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json") || m.trim().ends_with("+json"));
    if !json {
        return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json"));
    }
    // At most MAX_CONCURRENT_BODIES bodies are read at once, each within
    // BODY_READ_TIMEOUT: slow senders hold a body permit for a bounded time,
    // never one of the permits that check writes.
    let body_permit = acquire(&s.0.bodies, crate::config::MAX_CONCURRENT_BODIES, "receiving").await?;
    let bytes = match tokio::time::timeout(crate::config::BODY_READ_TIMEOUT, axum::body::Bytes::from_request(req, &s)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(r)) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
        Ok(Err(_)) => return Err(ApiError::bad_request("the request body could not be read")),
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!("the request body did not arrive within {} s", crate::config::BODY_READ_TIMEOUT.as_secs()),
            ));
        }
    };
    drop(body_permit);
    // The check permit is given back once the request is checked, before
    // it waits for its group commit.
    let permit = acquire(&s.0.writes, MAX_CONCURRENT_WRITES, "checking").await?;
    // From here until it is queued (or refused), the writer may wait for
    // this request (a body still on its way does not hold it up).
    let checking = Checking::new(&committer.counts.checking);
    // A body of a few acts is checked here, on the async thread: its one
    // signature check per act takes less time than handing it to another
    // thread and back would. A larger one (2 MiB of JSON and a thousand
    // signatures take a while) is checked off the async threads, so those
    // that answer everyone else do not wait for it; so is one whose signer
    // this server does not know yet, since that reads the store.
    let job = if bytes.len() <= INLINE_CHECK_BYTES {
        let (req, parsed) = decode_body(&bytes)?;
        if signers_known(&s, &parsed)? {
            check_decoded(&s, &req, parsed)
        } else {
            let s2 = s.clone();
            blocking(move || check_decoded(&s2, &req, parsed)).await
        }
    } else {
        let s2 = s.clone();
        blocking(move || {
            let (req, parsed) = decode_body(&bytes)?;
            check_decoded(&s2, &req, parsed)
        })
        .await
    };
    drop(permit);
    let (reply, answer) = tokio::sync::oneshot::channel();
    committer.tx.send((job?, reply)).await.map_err(|_| ApiError::internal("the ledger writer has stopped"))?;
    drop(checking);
    let appended = answer.await.map_err(|_| ApiError::internal("the ledger writer stopped before answering"))??;
    Ok((StatusCode::CREATED, Json(appended)))
}

/// One of `n` permits of `semaphore`, or 503 `busy` after [`WRITE_PERMIT_WAIT`].
async fn acquire(semaphore: &Arc<tokio::sync::Semaphore>, n: usize, doing: &str) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    match tokio::time::timeout(WRITE_PERMIT_WAIT, semaphore.clone().acquire_owned()).await {
        Ok(Ok(p)) => Ok(p),
        _ => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!("the server has been {doing} {n} writes for {} s; retry in a second", WRITE_PERMIT_WAIT.as_secs()),
        )),
    }
}

/// Largest body checked on the async thread that received it (see
/// [`post_acts`]): a handful of acts.
pub const INLINE_CHECK_BYTES: usize = 16 * 1024;

/// The body as [`SignedActs`] (with the error codes of the JSON
/// extractor), and its statements decoded.
fn decode_body(bytes: &[u8]) -> Result<(SignedActs, Vec<SignedStatement>), ApiError> {
    let req: SignedActs = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        // serde's message names the field and position; it holds nothing of ours.
        serde_json::error::Category::Data => unprocessable("malformed", format!("the body does not match the schema: {e}")),
        _ => ApiError::bad_request(format!("the body is not JSON: {e}")).code("malformed"),
    })?;
    let parsed = decode(&req)?;
    Ok((req, parsed))
}

fn unprocessable(code: &'static str, msg: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
}

/// Checks and appends a batch, waiting for the group commit that holds it
/// (a blocking call: not for an async thread).
pub fn append(s: &AppState, req: &SignedActs) -> Result<Appended, ApiError> {
    let job = check_decoded(s, req, decode(req)?)?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    writer(s)?.tx.blocking_send((job, reply)).map_err(|_| ApiError::internal("the ledger writer has stopped"))?;
    answer.blocking_recv().map_err(|_| ApiError::internal("the ledger writer stopped before answering"))?
}

/// A request's statements, decoded (each an act, of bounded size).
fn decode(req: &SignedActs) -> Result<Vec<SignedStatement>, ApiError> {
    if req.statements.is_empty() || req.statements.len() > MAX_BATCH_ACTS {
        return Err(ApiError::bad_request(format!("send between 1 and {MAX_BATCH_ACTS} statements")));
    }
    let mut parsed = Vec::with_capacity(req.statements.len());
    for (i, h) in req.statements.iter().enumerate() {
        let bytes = hex_decode(h).ok_or_else(|| ApiError::bad_request(format!("statements[{i}] is not hex")).code("malformed"))?;
        if bytes.len() > casus_ledger::MAX_ACT_BYTES + 2048 {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("statements[{i}] is over the act limit")));
        }
        parsed.push(parse_statement(i, bytes)?);
    }
    Ok(parsed)
}

/// Everything about a request that does not depend on its place in the
/// log: the statements name this ledger and verify; the text is the
/// statements' acts and the treaty allows them.
fn check_decoded(s: &AppState, req: &SignedActs, parsed: Vec<SignedStatement>) -> Result<Job, ApiError> {
    let checked = precheck(s, req, parsed)?;
    check_text(s, req, &checked)?;
    let ids = checked.iter().filter_map(CheckedStatement::act_id).collect();
    Ok(Job { checked, ids })
}

/// One request queued for the writer.
pub struct Job {
    checked: Vec<CheckedStatement>,
    ids: Vec<String>,
}

/// Where the writer answers a request.
type Reply = tokio::sync::oneshot::Sender<Result<Appended, ApiError>>;

/// The queue to the writer thread (see the module documentation): sent to
/// from async threads (waiting while it is full) and from blocking ones.
pub struct Committer {
    tx: tokio::sync::mpsc::Sender<(Job, Reply)>,
    counts: Arc<Counts>,
}

/// The writer thread's queue, if a write started it.
fn started(s: &AppState) -> Option<&Committer> {
    s.0.committer.get().and_then(|c| c.downcast_ref::<Committer>())
}

/// The writer thread's queue, started by the first write.
fn writer(s: &AppState) -> Result<&Committer, ApiError> {
    if let Some(c) = started(s) {
        return Ok(c);
    }
    let weak = Arc::downgrade(&s.0);
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUE_REQUESTS);
    let counts = Arc::new(Counts::default());
    let counts2 = counts.clone();
    let spawned = std::thread::Builder::new().name("casus-server-writer".into()).spawn(move || write_groups(&weak, rx, &counts2));
    spawned.map_err(ApiError::internal)?;
    // Two first writers at once: the loser's thread ends at once (its
    // queue's sender is dropped here).
    let _ = s.0.committer.set(Box::new(Committer { tx, counts }));
    started(s).ok_or_else(|| ApiError::internal("no writer"))
}

/// What the writer and the requests tell each other, and what it did.
#[derive(Default)]
struct Counts {
    /// Requests received and not yet queued or refused: the writer waits
    /// for them (see [`write_groups`]).
    checking: AtomicUsize,
    /// Groups committed, and the requests and entries in them.
    groups: AtomicU64,
    requests: AtomicU64,
    entries: AtomicU64,
}

/// Counts a request as being checked until it is dropped (queued or refused).
struct Checking<'a>(&'a AtomicUsize);

impl<'a> Checking<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::AcqRel);
        Checking(n)
    }
}

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Group commits so far: (groups, requests, entries), for benchmarks and
/// operators (entries per group says how much each durable commit shared).
pub fn commit_counts(s: &AppState) -> (u64, u64, u64) {
    match started(s) {
        Some(c) => (c.counts.groups.load(Ordering::Relaxed), c.counts.requests.load(Ordering::Relaxed), c.counts.entries.load(Ordering::Relaxed)),
        None => (0, 0, 0),
    }
}

/// The writer loop: takes everything queued (one group), commits it,
/// answers; until the server is gone.
///
/// A group also waits for the requests that are being checked at that
/// moment (they will be queued within a check's time), but never longer
/// than the last commit took: a commit costs about the same for one
/// request as for many (one durable write), so while requests are on
/// their way, waiting for them is what lets many clients share commits;
/// a lone request, with nobody else being checked, does not wait.
fn write_groups(inner: &Weak<Inner>, mut rx: tokio::sync::mpsc::Receiver<(Job, Reply)>, counts: &Counts) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_time().build() else {
        tracing::error!("the ledger writer cannot start its timer; writes will not be answered");
        return;
    };
    let mut carry = None;
    let mut last_commit = Duration::ZERO;
    loop {
        let first = match carry.take() {
            Some(j) => j,
            None => match rx.blocking_recv() {
                Some(j) => j,
                None => return,
            },
        };
        let mut entries = first.0.checked.len();
        let mut group = vec![first];
        let deadline = std::time::Instant::now() + last_commit.min(MAX_GROUP_WAIT);
        while group.len() < MAX_GROUP_REQUESTS && entries < MAX_GROUP_ENTRIES {
            let next = match rx.try_recv() {
                Ok(j) => Some(j),
                Err(TryRecvError::Empty) if counts.checking.load(Ordering::Acquire) > 0 => {
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() { None } else { rt.block_on(async { tokio::time::timeout(left, rx.recv()).await.ok().flatten() }) }
                }
                Err(_) => None,
            };
            let Some(j) = next else { break };
            if entries + j.0.checked.len() > MAX_GROUP_ENTRIES {
                carry = Some(j);
                break;
            }
            entries += j.0.checked.len();
            group.push(j);
        }
        let Some(inner) = inner.upgrade() else { return };
        let s = AppState(inner);
        let (jobs, replies): (Vec<Job>, Vec<_>) = group.into_iter().unzip();
        let started = std::time::Instant::now();
        let (answers, metas) = match commit_group(&s, &jobs) {
            Ok(done) => done,
            Err(e) => (jobs.iter().map(|_| Err(e.clone())).collect(), Vec::new()),
        };
        last_commit = started.elapsed();
        counts.groups.fetch_add(1, Ordering::Relaxed);
        counts.requests.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        counts.entries.fetch_add(entries as u64, Ordering::Relaxed);
        s.announce(metas);
        for (reply, answer) in replies.into_iter().zip(answers) {
            // A client that gave up waiting is no reason to stop.
            let _ = reply.send(answer);
        }
    }
}

/// Each request's answer, and the positions of the entries taken in (others' and the group's).
type Answers = (Vec<Result<Appended, ApiError>>, Vec<u64>);

/// Commits one group: under the store's write lock, reads what other
/// processes appended (checking their signatures), then lays out each
/// request's statements at their positions with the record time, checking
/// them with the ledger's rules in order (a refused request is rolled back
/// alone); one durable commit; then the entries join the server's state.
fn commit_group(s: &AppState, jobs: &[Job]) -> Result<Answers, ApiError> {
    let inner = &s.0;
    let now = s.now();
    let mut store = inner.writer.lock().map_err(|_| ApiError::internal("writer lock poisoned"))?;
    let mut outside: Vec<CheckedEntry> = Vec::new();
    let mut results: Vec<Result<Range<u64>, ApiError>> = Vec::new();
    let mut failure: Option<ApiError> = None;
    let mut written: Vec<CheckedEntry> = Vec::new();
    let mut time = now;
    // The state the group was checked on, taken into the server's once stored.
    let mut checked_on: Option<Candidate> = None;
    let result = store.append(&mut |reader, len| {
        let data = inner.data.read().map_err(|_| LedgerError::State("data lock poisoned".into()))?;
        let mut candidate = data.log.candidate();
        // Act ids appended since `data` was read, by others or by this group.
        let mut ids_now: HashSet<String> = HashSet::new();
        outside.clear();
        results.clear();
        written.clear();
        let mut pos = candidate.size();
        while pos < len {
            let rows = reader.read_range(pos, len.min(pos + 4096))?;
            if rows.is_empty() {
                return Err(LedgerError::State(format!("entry {pos} is missing")));
            }
            for (_, b) in rows {
                // Another process wrote it: check it, its signature too,
                // before appending after it, as for our own writes.
                let entry = candidate.catch_up(b).map_err(|(seq, t)| {
                    failure = Some(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ledger_does_not_verify",
                        format!("entry {seq} of the ledger does not verify ({t}); nothing can be appended until the operator restores the log"),
                    ));
                    LedgerError::Tampered { entry: seq, kind: t }
                })?;
                if let Some(id) = entry.act_id() {
                    ids_now.insert(id.to_string());
                }
                outside.push(entry);
                pos += 1;
            }
        }
        // One record time for the group, never below the log's last.
        time = now.max(candidate.last_record_time());
        for job in jobs {
            let mark = candidate.mark();
            let before = written.len();
            let start = candidate.size();
            let mut lay_out = || -> Result<Range<u64>, ApiError> {
                let mut mine = HashSet::new();
                for id in &job.ids {
                    if data.ids.contains(id) || ids_now.contains(id) || !mine.insert(id) {
                        return Err(ApiError::new(
                            StatusCode::CONFLICT,
                            "duplicate_id",
                            format!("an act with id `{id}` is already in the ledger or twice in this request (was this act sent before?)"),
                        ));
                    }
                }
                for st in &job.checked {
                    written.push(candidate.lay_out(st, time).map_err(|(seq, t)| refusal(seq, &t))?);
                }
                Ok(start..candidate.size())
            };
            let r = lay_out();
            match &r {
                Ok(_) => ids_now.extend(job.ids.iter().cloned()),
                Err(_) => {
                    candidate.rollback(mark);
                    written.truncate(before);
                }
            }
            results.push(r);
        }
        if written.is_empty() {
            // Every request was refused: write nothing.
            return Err(LedgerError::Refused("nothing to append".into()));
        }
        let bytes = written.iter().map(|e| e.bytes().to_vec()).collect();
        checked_on = Some(candidate);
        Ok(bytes)
    });
    match result {
        Ok(_) => {}
        Err(LedgerError::Refused(_)) if failure.is_none() && !results.is_empty() => {
            let refused = results.into_iter().map(|r| r.and_then(|_| Err(ApiError::internal("nothing was written")))).collect();
            return Ok((refused, Vec::new()));
        }
        Err(e) => return Err(failure.unwrap_or_else(|| ApiError::internal(e))),
    }
    let mut data = inner.data.write().map_err(|_| ApiError::internal("data lock poisoned"))?;
    // Nothing else changes the server's state while the store's write lock
    // is held, so it is still the one the candidate was made from.
    outside.append(&mut written);
    let metas = match checked_on {
        Some(candidate) => data.ingest_adopted(candidate, &outside),
        None => outside.iter().map(|e| data.ingest_checked(e)).collect(),
    }
    .map_err(ApiError::internal)?;
    let (size, root) = (data.size(), hex_encode(&data.root()));
    drop(data);
    drop(store);
    let answers =
        results.into_iter().map(|r| r.map(|range| Appended { first: range.start, last: range.end - 1, size, root: root.clone(), record_time: time })).collect();
    Ok((answers, metas))
}

/// The treaty's record checks on the text, and text = entries byte for byte.
fn check_text(s: &AppState, req: &SignedActs, views: &[CheckedStatement]) -> Result<(), ApiError> {
    let data = s.data()?;
    // The treaty's names, and the request's added to them for the check:
    // a copy kept per thread and cut back to the treaty's after each
    // request, rather than a fresh copy of the table for every request.
    let mut scratch = SCRATCH_SYMBOLS.take().filter(|(ledger, _)| *ledger == data.ledger_id).map(|(_, symbols)| symbols);
    let symbols = scratch.get_or_insert_with(|| data.treaty_symbols.clone());
    let checked = check_text_with(&data, req, views, symbols);
    symbols.truncate(data.treaty_symbols.len());
    SCRATCH_SYMBOLS.set(scratch.map(|symbols| (data.ledger_id.clone(), symbols)));
    checked
}

thread_local! {
    /// [`check_text`]'s copy of a ledger's treaty names, by ledger id.
    static SCRATCH_SYMBOLS: std::cell::Cell<Option<(String, casus_model::Symbols)>> = const { std::cell::Cell::new(None) };
}

fn check_text_with(data: &crate::data::Data, req: &SignedActs, views: &[CheckedStatement], symbols: &mut casus_model::Symbols) -> Result<(), ApiError> {
    let name = if req.name.ends_with(".md") { "request.md" } else { "request.acts" };
    // Documents and cases opened by acts already in the ledger are known,
    // and who is a member as the ledger's acts left it.
    let (record, diags) = data.known.load_after(name, &req.text, &data.treaty, symbols);
    let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        let shown = &errors[..errors.len().min(MAX_DETAILS)];
        let rendered = casus_lang::render_short(shown, name, &req.text);
        let mut details: Vec<String> = rendered.lines().map(str::to_string).collect();
        if errors.len() > shown.len() {
            details.push(format!("… {} more error(s) not listed", errors.len() - shown.len()));
        }
        return Err(unprocessable("treaty", format!("the treaty does not allow the act(s): {} error(s)", errors.len())).with_details(details));
    }
    for a in &record.acts {
        if a.id.is_some() && data.ids.contains(symbols.name(a.id)) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_id",
                format!("an act with id `{}` is already in the ledger (was this act sent before?)", symbols.name(a.id)),
            ));
        }
    }
    if record.acts.len() != views.len() {
        return Err(unprocessable("act_mismatch", format!("the text holds {} act(s) and the body {} statements", record.acts.len(), views.len())));
    }
    for (i, (act, v)) in record.acts.iter().zip(views).enumerate() {
        let payload = encode_act(act, symbols).map_err(|e| unprocessable("act_mismatch", format!("act {}: {e}", i + 1)))?;
        if payload != v.act_payload() || v.valid_time != act.time.0 {
            return Err(unprocessable("act_mismatch", format!("statements[{i}] does not carry act {} of the text", i + 1)));
        }
    }
    Ok(())
}
