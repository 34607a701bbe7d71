//! The ledger as the server holds it: replayed once into memory, kept in
//! step with every append, and the derived reports cached.
//!
//! Why in memory: every page and query needs the treaty and the acts, and
//! re-reading a store per request would make the state query cost a disk
//! read. The log is append-only, so `acts[..n]` never changes once known:
//! a derived report is cached under (date, acts known, readings) and stays
//! right forever; an append adds entries and never invalidates a report.
//!
//! Entries are replayed with the ledger's own [`Replay`] (the same rules
//! `verify` applies, signatures aside); a log that does not replay is not
//! served. Writers serialize on [`Inner::writer`] (one store handle); the
//! store serializes them again against other processes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use casus_ledger::entry::{EntryKind, Genesis, KeyChange, Mode};
use casus_ledger::ledger::Replay;
use casus_ledger::merkle::Hash;
use casus_ledger::store::Store;
use casus_ledger::{KeyId, SecretKey, hex};
use casus_model::{Act, Precision, Sym, Symbols, Time, Treaty};
use casus_query::{KnownNames, Question, StateKey};
use serde::Serialize;
use tokio::sync::broadcast;

pub use crate::cache::Derived;
use crate::cache::{MAX_CACHE_BYTES, MAX_CACHED_REPORTS, ReportCache};
use crate::error::ApiError;

/// Opens a handle on the ledger's store (SQLite file, PostgreSQL schema, or
/// a shared in-memory store in tests). Called at start and for proof bundles
/// and full verifications, which read the whole log on their own handle.
pub type StoreOpener = Arc<dyn Fn() -> casus_ledger::Result<Box<dyn Store>> + Send + Sync>;

/// Seconds since 1970, UTC. Injected, so tests fix the time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Has witnesses cosign a checkpoint note before it is stored:
/// `(note, size, proof)` as [`casus_ledger::Ledger::checkpoint_cosigned`]
/// gives them; returns the cosigned note, or why the quorum was not met.
pub type Cosigner =
    Arc<dyn Fn(&casus_ledger::note::Note, u64, &(dyn Fn(u64) -> Option<Vec<Hash>> + Sync)) -> Result<casus_ledger::note::Note, String> + Send + Sync>;

/// Tells the server when other processes append (the replicas of one
/// PostgreSQL ledger): a blocking function that calls its argument once when
/// it starts listening and then after each append it hears of (with the
/// log's new size when known), and returns only on an error (the server then
/// calls it again). Without one, the server polls the store for outside appends.
pub type AppendFeed = Arc<dyn Fn(&mut dyn FnMut(Option<u64>) -> bool) -> Result<(), String> + Send + Sync>;

/// How long the server waits before listening again after its append feed
/// failed (the database restarting, say).
const APPEND_FEED_RETRY_MILLIS: u64 = 1000;

/// How the server runs.
#[derive(Clone)]
pub struct Config {
    /// When set, every page and endpoint (static assets aside) needs it.
    pub token: Option<String>,
    /// The operator key: with it the server signs a checkpoint after appends.
    pub operator: Option<SecretKey>,
    pub clock: Clock,
    /// How far a signed entry's record time may stand from the server's clock.
    pub max_skew_secs: i64,
    /// With the operator key: the witnesses that must cosign each
    /// checkpoint before it is stored (a round that misses the quorum
    /// stores nothing, and the next tick tries again).
    pub cosigner: Option<Cosigner>,
    /// Where the dashboard opens (a record's `featured` lines; the demo's).
    pub featured: casus_lang::Featured,
    /// How the server hears of other processes' appends; polls without one.
    pub appends: Option<AppendFeed>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            token: None,
            operator: None,
            clock: Arc::new(system_now),
            max_skew_secs: 300,
            cosigner: None,
            featured: casus_lang::Featured::default(),
            appends: None,
        }
    }
}

/// The system clock in seconds (the layer's one read of it).
pub use casus_query::system_now;

/// Most reports (or explanations) derived at once: each holds the derived
/// state of the whole log while it is built, so this bounds the memory of
/// many requests for distinct dates at once. Further ones wait their turn.
pub const MAX_CONCURRENT_DERIVATIONS: usize = 2;

/// Most `POST /api/acts` requests checked at once; a further one is
/// answered 503 `busy` at once, before its body is read.
pub const MAX_CONCURRENT_WRITES: usize = 4;

/// One ledger entry as the API and the ledger page list it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryMeta {
    pub seq: u64,
    /// `genesis`, `act`, `key_register`, `key_rotate` or `key_revoke`.
    pub kind: String,
    /// `operator`, `live` (signed by the actor) or `record` (by a recorder).
    pub mode: String,
    /// Who vouches for it: `operator`, `actor` or `recorder`.
    pub attestation: String,
    /// Key id (hex) of the signing key.
    pub signer: String,
    /// What that key is registered for (`party ARM`, `recorder`, `operator`).
    pub signer_role: String,
    pub valid_time: String,
    pub record_time: String,
    /// RFC 6962 leaf hash (hex).
    pub leaf_hash: String,
    /// Size of the stored entry, in bytes.
    pub bytes: usize,
    /// One line for people.
    pub summary: String,
    /// The act's id as reports name it (`act-N` when it has none).
    pub act: Option<String>,
    pub actor: Option<String>,
    pub act_kind: Option<String>,
}

/// The result of a full verification, for the badge.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyBadge {
    pub ok: bool,
    /// Entries verified (the log's size when it was checked).
    pub entries: u64,
    pub checkpoints: u64,
    /// Merkle root (hex) at that size.
    pub root: String,
    pub message: String,
    /// Set when the log's latest record time is ahead of the server's clock
    /// by more than `max_skew_secs`: a fast clock wrote it, and no signer
    /// with a right clock can append until the server's clock catches up.
    pub clock_warning: Option<String>,
}

/// The replayed ledger.
pub struct Data {
    pub treaty: Treaty,
    pub treaty_name: String,
    pub treaty_text: String,
    pub treaty_sha256: String,
    /// The genesis entry's leaf hash (hex): the ledger's identity.
    pub ledger_id: String,
    pub symbols: Symbols,
    /// The symbols as they were once the treaty was loaded: requests parse
    /// acts into a copy of this (small, and its size does not grow with the
    /// log) rather than of `symbols`.
    pub treaty_symbols: Symbols,
    /// Acts in log order, with `attestation` and `recorded` set.
    pub acts: Vec<Act>,
    pub entries: Vec<EntryMeta>,
    pub leaves: Vec<Hash>,
    pub replay: Replay,
    /// Names introduced by acts so far (ids, documents, cases), so that a
    /// new act may refer to them.
    pub known: KnownNames,
    /// The ids of acts in the log: an id names one act, so a second act
    /// with the same id is refused.
    pub ids: HashSet<String>,
}

pub struct Inner {
    pub config: Config,
    pub opener: StoreOpener,
    /// The one store handle that appends.
    pub writer: Mutex<Box<dyn Store>>,
    pub data: RwLock<Data>,
    cache: Mutex<ReportCache>,
    /// Permits to derive a report or an explanation ([`MAX_CONCURRENT_DERIVATIONS`]).
    pub derivations: Arc<tokio::sync::Semaphore>,
    /// Permits to check a write ([`MAX_CONCURRENT_WRITES`]).
    pub writes: Arc<tokio::sync::Semaphore>,
    pub events: broadcast::Sender<EntryMeta>,
    verified: Mutex<Option<VerifyBadge>>,
    /// The queue to the writer thread that group-commits `POST /api/acts`
    /// (started by the first write; see [`crate::ingest`]).
    pub committer: std::sync::OnceLock<crate::ingest::Committer>,
    checkpointed: Mutex<u64>,
    bundles: Mutex<BundleCache>,
    logged: Mutex<LoggedCache>,
}

/// When the witnesses' cosignatures prove entries were logged, and when
/// the store's checkpoint notes were last read for it.
#[derive(Default)]
struct LoggedCache {
    times: Arc<casus_query::WitnessedTimes>,
    read_at: Option<std::time::Instant>,
}

/// The shared part of proof bundles under the latest checkpoint, and when
/// the store's checkpoints were last read for it.
#[derive(Default)]
struct BundleCache {
    base: Option<Arc<casus_ledger::bundle::BundleBase>>,
    read_at: Option<std::time::Instant>,
}

/// Least time between two reads of the store's checkpoints for bundles: a
/// request for an entry no checkpoint covers does not re-read them each time.
const CHECKPOINT_REREAD: std::time::Duration = std::time::Duration::from_secs(1);

/// The server's shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// The question a page or endpoint asks, resolved against the ledger's
/// treaty, with the key of the state it asks (which holds how many acts,
/// a prefix of the log, were recorded by `as_of`).
#[derive(Clone, Debug)]
pub struct Resolved {
    pub question: casus_query::Resolved,
    pub key: StateKey,
}

impl Resolved {
    /// How many acts (a prefix of the log) the question knows.
    pub fn known(&self) -> usize {
        self.key.known
    }
}

/// A question that could not be read or answered, in the one error shape.
pub fn question_error(e: casus_query::QuestionError) -> ApiError {
    ApiError::bad_request(e.to_string()).code(e.code())
}

fn poisoned<T>(_: T) -> ApiError {
    ApiError::internal("a lock was poisoned by a panic")
}

impl Data {
    fn empty() -> Data {
        Data {
            treaty: Treaty::default(),
            treaty_name: String::new(),
            treaty_text: String::new(),
            treaty_sha256: String::new(),
            ledger_id: String::new(),
            symbols: Symbols::new(),
            treaty_symbols: Symbols::new(),
            acts: Vec::new(),
            entries: Vec::new(),
            leaves: Vec::new(),
            replay: Replay::new(false),
            known: KnownNames::default(),
            ids: HashSet::new(),
        }
    }

    /// Replays one stored entry and indexes it. An entry that breaks a rule
    /// is an error: the log is not what `verify` would accept.
    pub fn ingest(&mut self, bytes: &[u8]) -> Result<EntryMeta, String> {
        let (view, leaf) = self.replay.step(bytes).map_err(|(seq, t)| format!("entry {seq}: {t}"))?;
        let role = self.replay.registry.get(&view.signer).map_or_else(|| "unknown".to_string(), |s| s.role.to_string());
        let mut meta = EntryMeta {
            seq: view.seq,
            kind: kind_word(view.kind).into(),
            mode: mode_word(view.mode).into(),
            attestation: match view.mode {
                Mode::Operator => "operator",
                Mode::Live => "actor",
                Mode::Record => "recorder",
            }
            .into(),
            signer: view.signer.hex(),
            signer_role: role,
            valid_time: Time(view.valid_time).display(),
            record_time: Time(view.record_time).format(Precision::Second),
            leaf_hash: hex::encode(&leaf),
            bytes: bytes.len(),
            summary: String::new(),
            act: None,
            actor: None,
            act_kind: None,
        };
        match view.kind {
            EntryKind::Genesis => {
                let g = Genesis::decode(view.payload).map_err(|e| format!("entry 0: {e}"))?;
                let text = String::from_utf8(g.treaty_text.to_vec()).map_err(|_| "the ledger's treaty is not UTF-8".to_string())?;
                let treaty = casus_query::load_treaty(g.treaty_name, &text, &mut self.symbols)
                    .map_err(|e| format!("the treaty bound in the ledger does not load:\n{}", e.render()))?;
                self.treaty = treaty;
                self.treaty_symbols = self.symbols.clone();
                self.treaty_name = g.treaty_name.to_string();
                self.treaty_text = text;
                self.treaty_sha256 = hex::encode(&g.treaty_sha256);
                self.ledger_id = hex::encode(&leaf);
                meta.summary = format!("genesis: treaty {} (sha256 {}…), {} keys", g.treaty_name, &self.treaty_sha256[..12], g.keys.len());
            }
            EntryKind::Act => {
                let act = casus_ledger::ledger::act_of_entry(&view, &mut self.symbols).map_err(|e| format!("entry {}: {e}", view.seq))?;
                let n = |s: Sym| self.symbols.name(s).to_string();
                let id = casus_query::act_name(&act, &self.symbols, self.acts.len());
                let mut summary = format!("{} {}", n(act.actor), act.kind.keyword());
                for s in [act.subject, act.document, act.to, act.against, act.about] {
                    if s.is_some() {
                        summary.push(' ');
                        summary.push_str(self.symbols.name(s));
                    }
                }
                if act.id.is_some() {
                    self.ids.insert(n(act.id));
                }
                self.known.add(&act, &self.symbols);
                meta.summary = summary;
                meta.actor = Some(n(act.actor));
                meta.act_kind = Some(act.kind.keyword().to_string());
                meta.act = Some(id);
                self.acts.push(act);
            }
            kind => {
                let change = KeyChange::decode(kind, view.payload).map_err(|e| format!("entry {}: {e}", view.seq))?;
                meta.summary = match change {
                    KeyChange::Register(reg) => format!("register key {} for {}", KeyId::of_bytes(&reg.key), reg.role),
                    KeyChange::Rotate { old, new } => format!("rotate key {} to {}", old.short(), KeyId::of_bytes(&new)),
                    KeyChange::Revoke { key, reason } => {
                        format!("revoke key {}{}", key.short(), if reason.is_empty() { String::new() } else { format!(": {reason}") })
                    }
                };
            }
        }
        self.leaves.push(leaf);
        self.entries.push(meta.clone());
        Ok(meta)
    }

    /// The stored leaf hash count: the log's size.
    pub fn size(&self) -> u64 {
        self.replay.size
    }

    pub fn root(&self) -> Hash {
        self.replay.frontier.root()
    }

    fn view_ok(&self) -> bool {
        !self.treaty_name.is_empty()
    }
}

trait KeyIdExt {
    fn of_bytes(key: &[u8; 32]) -> String;
}
impl KeyIdExt for KeyId {
    /// The short id of a raw public key, as key listings print it.
    fn of_bytes(key: &[u8; 32]) -> String {
        match casus_ledger::keys::verifying_key(key) {
            Ok(vk) => KeyId::of(&vk).short(),
            Err(_) => "(invalid key)".into(),
        }
    }
}

pub fn kind_word(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Genesis => "genesis",
        EntryKind::Act => "act",
        EntryKind::KeyRegister => "key_register",
        EntryKind::KeyRotate => "key_rotate",
        EntryKind::KeyRevoke => "key_revoke",
    }
}

pub fn mode_word(m: Mode) -> &'static str {
    match m {
        Mode::Operator => "operator",
        Mode::Live => "live",
        Mode::Record => "record",
    }
}

/// Entries read from a store at a time.
const READ_CHUNK: u64 = 4096;

impl AppState {
    /// Opens the ledger and replays it into memory. Fails if the ledger is
    /// empty or does not replay.
    pub fn open(opener: StoreOpener, config: Config) -> Result<AppState, String> {
        let mut store = opener().map_err(|e| format!("opening the ledger: {e}"))?;
        let mut data = Data::empty();
        let len = store.len().map_err(|e| e.to_string())?;
        if len == 0 {
            return Err("the ledger is empty: create it with `casus ledger init`".into());
        }
        read_into(&mut *store, &mut data, len, &mut |_| {})?;
        if !data.view_ok() {
            return Err("the ledger has no genesis entry".into());
        }
        let (events, _) = broadcast::channel(1024);
        let checkpointed =
            store.checkpoints().ok().and_then(|c| c.last().and_then(|b| casus_ledger::Checkpoint::parse(b).ok().map(|(cp, _)| cp.size))).unwrap_or(0);
        Ok(AppState(Arc::new(Inner {
            config,
            opener,
            writer: Mutex::new(store),
            data: RwLock::new(data),
            cache: Mutex::new(ReportCache::new(MAX_CACHE_BYTES, MAX_CACHED_REPORTS)),
            derivations: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_DERIVATIONS)),
            writes: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_WRITES)),
            events,
            verified: Mutex::new(None),
            committer: std::sync::OnceLock::new(),
            checkpointed: Mutex::new(checkpointed),
            bundles: Mutex::new(BundleCache::default()),
            logged: Mutex::new(LoggedCache::default()),
        })))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn now(&self) -> i64 {
        (self.0.config.clock)()
    }

    pub fn data(&self) -> Result<std::sync::RwLockReadGuard<'_, Data>, ApiError> {
        self.0.data.read().map_err(poisoned)
    }

    /// Resolves a question against the ledger's treaty, on the server's clock.
    pub fn resolve(&self, q: &Question) -> Result<Resolved, ApiError> {
        let data = self.data()?;
        let question = q.resolve(&data.treaty, &data.symbols, self.now()).map_err(question_error)?;
        let key = question.key(&data.acts);
        Ok(Resolved { question, key })
    }

    /// The report for a resolved query if it was derived before.
    pub fn cached(&self, r: &Resolved) -> Result<Option<Arc<Derived>>, ApiError> {
        Ok(self.0.cache.lock().map_err(poisoned)?.get(&r.key))
    }

    /// The report for a resolved query, from the cache or derived now.
    pub fn derived(&self, r: &Resolved) -> Result<Arc<Derived>, ApiError> {
        if let Some(d) = self.cached(r)? {
            return Ok(d);
        }
        let data = self.data()?;
        let acts = &data.acts[..r.known()];
        let state = casus_engine::derive(&data.treaty, acts, &r.question.query());
        let report = casus_query::report(&data.treaty, acts, &data.symbols, &state);
        drop(data);
        let json = Bytes::from(serde_json::to_vec_pretty(&report).map_err(ApiError::internal)?);
        let d = Arc::new(Derived { report, json });
        let size = d.size_bytes();
        let mut cache = self.0.cache.lock().map_err(poisoned)?;
        if r.question.is_default() {
            cache.pin(r.key.clone(), d.clone());
        } else {
            cache.insert(r.key.clone(), d.clone(), size);
        }
        Ok(d)
    }

    /// The explanation of `fact` under a resolved query, with the time the
    /// witnesses prove each cited act was logged by.
    pub fn explain(&self, r: &Resolved, fact: &casus_query::FactId) -> Result<casus_query::Explanation, ApiError> {
        let data = self.data()?;
        let acts = &data.acts[..r.known()];
        let state = casus_engine::derive(&data.treaty, acts, &r.question.query());
        let mut e = casus_query::explain_fact(&data.treaty, acts, &data.symbols, &state, fact).ok_or_else(|| {
            ApiError::not_found(format!(
                "no fact `{fact}` on {}; facts look like party/ARM, case/ID, obligation/CASE/DUTY/DEBTOR",
                casus_query::report_date(r.question.at)
            ))
        })?;
        let times = self.witnessed_times()?;
        if !times.is_empty() {
            let positions: Vec<u64> = data.entries.iter().filter(|m| m.kind == "act").map(|m| m.seq).collect();
            casus_query::logged::attach(&mut e, &positions, &times);
        }
        Ok(e)
    }

    /// The witnessed times of the store's cosigned checkpoints, read again
    /// at most once every [`CHECKPOINT_REREAD`] (a checkpoint signed since
    /// shows within that time).
    pub fn witnessed_times(&self) -> Result<Arc<casus_query::WitnessedTimes>, ApiError> {
        let mut cache = self.0.logged.lock().map_err(poisoned)?;
        if cache.read_at.is_none_or(|t| t.elapsed() >= CHECKPOINT_REREAD) {
            let notes = self.0.writer.lock().map_err(poisoned)?.checkpoint_note_rows().map_err(ApiError::internal)?;
            cache.times = Arc::new(casus_query::WitnessedTimes::from_notes(notes.iter().map(|(size, bytes)| (*size, &bytes[..]))));
            cache.read_at = Some(std::time::Instant::now());
        }
        Ok(cache.times.clone())
    }

    /// Reads entries other processes appended (a `casus ledger append` on
    /// the same file) and announces them.
    pub fn sync(&self) -> Result<u64, ApiError> {
        let mut store = self.0.writer.lock().map_err(poisoned)?;
        let len = store.len().map_err(ApiError::internal)?;
        let size = self.data()?.size();
        if len <= size {
            return Ok(size);
        }
        let mut data = self.0.data.write().map_err(poisoned)?;
        let mut new = Vec::new();
        read_into(&mut **store, &mut data, len, &mut |m| new.push(m)).map_err(ApiError::internal)?;
        drop(data);
        drop(store);
        self.announce(new);
        Ok(len)
    }

    /// Tells every stream about new entries.
    pub fn announce(&self, metas: Vec<EntryMeta>) {
        for m in metas {
            // No receiver is not an error: nobody is watching.
            let _ = self.0.events.send(m);
        }
    }

    /// Signs and stores a checkpoint when the log grew since the last one
    /// and the server holds the operator key: `casus/checkpoint/v1` and
    /// its C2SP note, cosigned first by the configured witnesses if any
    /// (see [`Config::cosigner`]), both in one transaction.
    pub fn checkpoint_if_grown(&self) -> Result<Option<u64>, ApiError> {
        let Some(op) = &self.0.config.operator else { return Ok(None) };
        let mut done = self.0.checkpointed.lock().map_err(poisoned)?;
        let (size, bytes, note) = {
            let d = self.data()?;
            let size = d.size();
            if size <= *done || d.replay.registry.check_operator(&op.id(), size).is_err() {
                return Ok(None);
            }
            let time = self.now().max(d.replay.last_record_time);
            let (_, bytes, note) = d.replay.sign_checkpoint(op, time).map_err(ApiError::internal)?;
            (size, bytes, note)
        };
        let note = match &self.0.config.cosigner {
            None => note,
            Some(cosign) => {
                // The proof reads the leaves under a short read lock, so
                // appends go on while the witnesses answer.
                let proof = |old: u64| -> Option<Vec<Hash>> {
                    match old {
                        0 => Some(Vec::new()),
                        o if o == size => Some(Vec::new()),
                        o if o > size => None,
                        o => {
                            let d = self.data().ok()?;
                            casus_ledger::merkle::consistency_proof(d.leaves.get(..size as usize)?, o as usize)
                        }
                    }
                };
                cosign(&note, size, &proof).map_err(|e| ApiError::internal(format!("checkpoint of {size} entries not stored: {e}")))?
            }
        };
        let mut rows = Some((size, bytes, note.to_text().into_bytes()));
        self.0.writer.lock().map_err(poisoned)?.append_checkpointed(&mut |_, _| Ok((Vec::new(), rows.take()))).map_err(ApiError::internal)?;
        *done = size;
        Ok(Some(size))
    }

    /// A full verification (every signature, link and checkpoint) of the
    /// store as it is, cached per log size.
    pub fn verify(&self) -> Result<VerifyBadge, ApiError> {
        let size = self.data()?.size();
        let cached = self.0.verified.lock().map_err(poisoned)?.clone();
        if let Some(b) = cached
            && b.entries == size
        {
            return Ok(VerifyBadge { clock_warning: self.clock_warning()?, ..b });
        }
        let mut store = (self.0.opener)().map_err(ApiError::internal)?;
        let badge = match casus_ledger::ledger::verify_store(&mut *store, &mut |_, _| {}) {
            Ok(r) => VerifyBadge {
                ok: true,
                entries: r.entries,
                checkpoints: r.checkpoints,
                root: hex::encode(&r.root),
                message: format!("{} entries; every signature, hash link and {} checkpoint(s) checked", r.entries, r.checkpoints),
                clock_warning: None,
            },
            Err(e @ (casus_ledger::LedgerError::Store(_) | casus_ledger::LedgerError::Io { .. })) => return Err(ApiError::internal(e)),
            Err(e) => {
                VerifyBadge { ok: false, entries: size, checkpoints: 0, root: String::new(), message: format!("verification failed: {e}"), clock_warning: None }
            }
        };
        *self.0.verified.lock().map_err(poisoned)? = Some(badge.clone());
        Ok(VerifyBadge { clock_warning: self.clock_warning()?, ..badge })
    }

    /// A warning when the log's latest record time is ahead of the server's
    /// clock by more than `max_skew_secs` (a writer with a fast clock, or a
    /// slow clock here): appends then fail with `record_time` until the
    /// clocks agree.
    pub fn clock_warning(&self) -> Result<Option<String>, ApiError> {
        let last = self.data()?.replay.last_record_time;
        let now = self.now();
        let skew = self.0.config.max_skew_secs;
        if last.saturating_sub(now) <= skew {
            return Ok(None);
        }
        Ok(Some(format!(
            "the ledger's latest record time, {}, is {} s ahead of this server's clock, {} (more than {skew} s): check the clocks; writes are refused until they agree",
            Time(last).format(Precision::Second),
            last.saturating_sub(now),
            Time(now).format(Precision::Second),
        )))
    }

    /// A fresh handle on the store.
    pub fn open_store(&self) -> Result<Box<dyn Store>, ApiError> {
        (self.0.opener)().map_err(ApiError::internal)
    }

    /// The offline proof bundle of entry `seq`, from the leaf hashes and key
    /// entries held in memory: one inclusion proof and one entry read per
    /// request; the checkpoint's part is built once per checkpoint.
    pub fn proof_bundle(&self, seq: u64) -> Result<Vec<u8>, ApiError> {
        let base = self.bundle_base(seq)?;
        let entry = {
            let mut st = self.0.writer.lock().map_err(poisoned)?;
            st.read_range(seq, seq + 1).map_err(ApiError::internal)?.into_iter().next().map(|(_, b)| b)
        };
        let entry = entry.ok_or_else(|| ApiError::not_found(format!("no entry {seq}")))?;
        let data = self.data()?;
        base.bundle(seq, &entry, &data.leaves).map_err(ApiError::internal)
    }

    fn bundle_base(&self, seq: u64) -> Result<Arc<casus_ledger::bundle::BundleBase>, ApiError> {
        let mut cache = self.0.bundles.lock().map_err(poisoned)?;
        if let Some(b) = &cache.base
            && b.checkpoint.size > seq
        {
            return Ok(b.clone());
        }
        let uncovered =
            || ApiError::new(StatusCode::CONFLICT, "no_checkpoint", format!("no checkpoint covers entry {seq} yet: the operator signs one after appends"));
        if cache.read_at.is_some_and(|t| t.elapsed() < CHECKPOINT_REREAD) {
            return Err(uncovered());
        }
        cache.read_at = Some(std::time::Instant::now());
        // The writer's lock before the data's, as appends take them.
        let mut st = self.0.writer.lock().map_err(poisoned)?;
        let checkpoints = st.checkpoints().map_err(ApiError::internal)?;
        let data = self.data()?;
        // The latest checkpoint the log held in memory reaches.
        let latest = checkpoints.iter().rev().find(|b| casus_ledger::Checkpoint::parse(b).is_ok_and(|(cp, _)| cp.size <= data.size()));
        let Some(bytes) = latest else { return Err(uncovered()) };
        let mut read = |k: u64| -> casus_ledger::Result<Vec<u8>> {
            match st.read_range(k, k + 1)?.pop() {
                Some((pos, b)) if pos == k => Ok(b),
                _ => Err(casus_ledger::LedgerError::Tampered { entry: k, kind: casus_ledger::Tamper::MissingEntry }),
            }
        };
        let mut base = casus_ledger::bundle::BundleBase::new(bytes, &data.leaves, &data.replay.key_entries, &mut read).map_err(ApiError::internal)?;
        // With its C2SP note (and the witnesses' cosignatures) when it has one.
        let size = base.checkpoint.size;
        if let Some((_, note)) = st.checkpoint_note_rows().map_err(ApiError::internal)?.into_iter().find(|(s, _)| *s == size) {
            base = base.with_note(&note).map_err(ApiError::internal)?;
        }
        let base = Arc::new(base);
        cache.base = Some(base.clone());
        if base.checkpoint.size > seq { Ok(base) } else { Err(uncovered()) }
    }

    /// Keeps the server up to date with outside appends and signs
    /// checkpoints, for as long as the runtime lives. With an append feed
    /// ([`Config::appends`]) a thread reads new entries as soon as the feed
    /// tells of them; without one the store is polled every half second.
    /// Checkpoints are considered every half second either way (a check of
    /// the in-memory size, which reads nothing from the store).
    pub fn spawn_background(&self) {
        if let Some(feed) = self.0.config.appends.clone() {
            let s = self.clone();
            let spawned = std::thread::Builder::new().name("casus-append-feed".into()).spawn(move || s.follow(&feed));
            if let Err(e) = spawned {
                tracing::warn!("cannot start the append feed ({e}): polling instead");
            }
        }
        let polls = self.0.config.appends.is_none();
        let s = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
            loop {
                tick.tick().await;
                let s2 = s.clone();
                let r = tokio::task::spawn_blocking(move || {
                    if polls {
                        s2.sync()?;
                    }
                    s2.checkpoint_if_grown()
                })
                .await;
                if let Ok(Err(e)) = r {
                    tracing::warn!("background sync: {}", e.message);
                }
            }
        });
    }

    /// Runs the append feed for ever: reads what was appended whenever it
    /// tells (an append this server made itself is already held, and the
    /// size says so without reading the store), and after it fails, pauses
    /// and listens again (the feed's first call reads what was missed).
    fn follow(&self, feed: &AppendFeed) {
        loop {
            let r = feed(&mut |size| {
                let held = self.data().map(|d| d.size()).unwrap_or(0);
                if size.is_none_or(|s| s > held)
                    && let Err(e) = self.sync()
                {
                    tracing::warn!("reading appends: {}", e.message);
                }
                true
            });
            if let Err(e) = r {
                tracing::warn!("append feed: {e}; listening again in {APPEND_FEED_RETRY_MILLIS} ms");
            }
            std::thread::sleep(std::time::Duration::from_millis(APPEND_FEED_RETRY_MILLIS));
        }
    }
}

/// Reads entries `data.size()..len` from `store` into `data`.
pub fn read_into(store: &mut dyn Store, data: &mut Data, len: u64, each: &mut dyn FnMut(EntryMeta)) -> Result<(), String> {
    while data.size() < len {
        let start = data.size();
        let rows = store.read_range(start, (start + READ_CHUNK).min(len)).map_err(|e| e.to_string())?;
        if rows.is_empty() {
            return Err(format!("entry {start} is missing"));
        }
        for (_, bytes) in rows {
            // The server signs checkpoints over what it holds, so it checks
            // every signature it did not check on the way in, strictly,
            // before the entry changes anything (the genesis entry, whose
            // key it registers, right after).
            let view = casus_ledger::entry::EntryView::parse(&bytes).map_err(|e| format!("entry {}: {e}", data.size()))?;
            let known = data.replay.registry.get(&view.signer).map(|k| k.key);
            if let Some(key) = known
                && !casus_ledger::keys::verify_strict(&key, view.signed, &view.signature)
            {
                return Err(format!("entry {}: bad signature; the ledger does not verify (run `casus ledger verify`)", view.seq));
            }
            let meta = data.ingest(&bytes)?;
            if known.is_none() {
                let key = data.replay.registry.get(&view.signer).map(|k| k.key).ok_or_else(|| format!("entry {}: unknown signer", view.seq))?;
                if !casus_ledger::keys::verify_strict(&key, view.signed, &view.signature) {
                    return Err(format!("entry {}: bad signature; the ledger does not verify (run `casus ledger verify`)", view.seq));
                }
            }
            each(meta);
        }
    }
    Ok(())
}
