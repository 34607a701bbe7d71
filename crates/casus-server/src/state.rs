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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use casus_engine::{Query, Report};
use casus_ledger::encode::ActFields;
use casus_ledger::entry::{EntryKind, EntryView, Genesis, KeyChange, Mode};
use casus_ledger::ledger::Replay;
use casus_ledger::merkle::{self, Hash};
use casus_ledger::store::Store;
use casus_ledger::{KeyId, SecretKey, hex};
use casus_model::{Act, Attestation, Precision, Sym, Symbols, Time, Treaty};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::error::ApiError;

/// Opens a handle on the ledger's store (SQLite file, PostgreSQL schema, or
/// a shared in-memory store in tests). Called at start and for proof bundles
/// and full verifications, which read the whole log on their own handle.
pub type StoreOpener = Arc<dyn Fn() -> casus_ledger::Result<Box<dyn Store>> + Send + Sync>;

/// Seconds since 1970, UTC. Injected, so tests fix the time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

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
    /// Where the dashboard opens (a record's `featured` lines; the demo's).
    pub featured: casus_lang::Featured,
}

impl Default for Config {
    fn default() -> Config {
        Config { token: None, operator: None, clock: Arc::new(system_now), max_skew_secs: 300, featured: casus_lang::Featured::default() }
    }
}

/// The system clock in seconds.
pub fn system_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Most derived reports kept; the cache is emptied when it is full.
const MAX_CACHED_REPORTS: usize = 4096;

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

/// A report derived once and served many times.
pub struct Derived {
    pub report: Report,
    pub json: Bytes,
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
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    at: i64,
    known: usize,
    readings: Vec<(Sym, Sym)>,
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
    pub known: HashSet<String>,
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
    cache: Mutex<HashMap<CacheKey, Arc<Derived>>>,
    pub events: broadcast::Sender<EntryMeta>,
    verified: Mutex<Option<VerifyBadge>>,
    checkpointed: Mutex<u64>,
}

/// The server's shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// The state query a page or endpoint asks: resolved against the treaty.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub at: Time,
    pub as_of: Option<Time>,
    /// How many acts (a prefix of the log) were recorded by `as_of`.
    pub known: usize,
    pub readings: BTreeMap<Sym, Sym>,
    /// The readings as given, `QUESTION=OPTION`.
    pub raw_readings: Vec<String>,
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
            known: HashSet::new(),
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
                let (treaty, diags) = casus_lang::load_treaty(g.treaty_name, &text, &mut self.symbols);
                if diags.iter().any(|d| d.is_error()) {
                    return Err(format!("the treaty bound in the ledger does not load:\n{}", casus_lang::render(&diags, g.treaty_name, &text)));
                }
                self.treaty = treaty;
                self.treaty_symbols = self.symbols.clone();
                self.treaty_name = g.treaty_name.to_string();
                self.treaty_text = text;
                self.treaty_sha256 = hex::encode(&g.treaty_sha256);
                self.ledger_id = hex::encode(&leaf);
                meta.summary = format!("genesis: treaty {} (sha256 {}…), {} keys", g.treaty_name, &self.treaty_sha256[..12], g.keys.len());
            }
            EntryKind::Act => {
                let fields = ActFields::decode(view.payload).map_err(|e| format!("entry {}: {e}", view.seq))?;
                let mut act = fields.to_act(&mut self.symbols);
                act.attestation = match view.mode {
                    Mode::Live => Attestation::Actor,
                    _ => Attestation::Recorder(self.symbols.intern(&view.signer.hex())),
                };
                act.recorded = Some(Time(view.record_time));
                let n = |s: Sym| self.symbols.name(s).to_string();
                let id = if act.id.is_some() { n(act.id) } else { format!("act-{}", self.acts.len() + 1) };
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
                for s in [act.id, act.document, act.case] {
                    if s.is_some() {
                        self.known.insert(n(s));
                    }
                }
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
                    KeyChange::Revoke { key, reason } => format!("revoke key {}{}", key.short(), if reason.is_empty() { String::new() } else { format!(": {reason}") }),
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
        let checkpointed = store.checkpoints().ok().and_then(|c| c.last().and_then(|b| casus_ledger::Checkpoint::parse(b).ok().map(|(cp, _)| cp.size))).unwrap_or(0);
        Ok(AppState(Arc::new(Inner {
            config,
            opener,
            writer: Mutex::new(store),
            data: RwLock::new(data),
            cache: Mutex::new(HashMap::new()),
            events,
            verified: Mutex::new(None),
            checkpointed: Mutex::new(checkpointed),
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

    /// Resolves `at`, `as_of` and the readings of a query string.
    pub fn resolve(&self, q: &crate::api::StateParams) -> Result<Resolved, ApiError> {
        let at = match &q.at {
            Some(s) => parse_time(s, "at")?,
            None => Time(self.now()).end_of_day(),
        };
        let as_of = q.as_of.as_deref().map(|s| parse_time(s, "as_of")).transpose()?;
        let data = self.data()?;
        let known = match as_of {
            None => data.acts.len(),
            Some(r) => data.acts.partition_point(|a| a.recorded.is_none_or(|t| t <= r)),
        };
        if q.interpretation.len() > 64 {
            return Err(ApiError::bad_request("at most 64 readings"));
        }
        let readings = Query::readings_from(&data.treaty, &data.symbols, &q.interpretation).map_err(|e| ApiError::bad_request(e.0).code("unknown_reading"))?;
        Ok(Resolved { at, as_of, known, readings, raw_readings: q.interpretation.clone() })
    }

    /// The report for a resolved query if it was derived before.
    pub fn cached(&self, r: &Resolved) -> Result<Option<Arc<Derived>>, ApiError> {
        let key = CacheKey { at: r.at.0, known: r.known, readings: r.readings.iter().map(|(a, b)| (*a, *b)).collect() };
        Ok(self.0.cache.lock().map_err(poisoned)?.get(&key).cloned())
    }

    /// The report for a resolved query, from the cache or derived now.
    pub fn derived(&self, r: &Resolved) -> Result<Arc<Derived>, ApiError> {
        let key = CacheKey { at: r.at.0, known: r.known, readings: r.readings.iter().map(|(a, b)| (*a, *b)).collect() };
        if let Some(d) = self.0.cache.lock().map_err(poisoned)?.get(&key) {
            return Ok(d.clone());
        }
        let data = self.data()?;
        let acts = &data.acts[..r.known];
        let state = casus_engine::derive(&data.treaty, acts, &Query { at: r.at, readings: r.readings.clone() });
        let report = casus_engine::report(&data.treaty, acts, &data.symbols, &state);
        drop(data);
        let json = Bytes::from(serde_json::to_vec_pretty(&report).map_err(ApiError::internal)?);
        let d = Arc::new(Derived { report, json });
        let mut cache = self.0.cache.lock().map_err(poisoned)?;
        if cache.len() >= MAX_CACHED_REPORTS {
            cache.clear();
        }
        cache.insert(key, d.clone());
        Ok(d)
    }

    /// The explanation of `fact` under a resolved query.
    pub fn explain(&self, r: &Resolved, fact: &str) -> Result<casus_engine::Explanation, ApiError> {
        let data = self.data()?;
        let acts = &data.acts[..r.known];
        let state = casus_engine::derive(&data.treaty, acts, &Query { at: r.at, readings: r.readings.clone() });
        casus_engine::explain(&data.treaty, acts, &data.symbols, &state, fact)
            .ok_or_else(|| ApiError::not_found(format!("no fact `{fact}` on {}; facts look like party/ARM, case/ID, obligation/CASE/DUTY/DEBTOR", casus_engine::report_date(r.at))))
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
    /// and the server holds the operator key.
    pub fn checkpoint_if_grown(&self) -> Result<Option<u64>, ApiError> {
        let Some(op) = &self.0.config.operator else { return Ok(None) };
        let mut done = self.0.checkpointed.lock().map_err(poisoned)?;
        let (size, root) = {
            let d = self.data()?;
            (d.size(), d.root())
        };
        if size <= *done {
            return Ok(None);
        }
        if self.data()?.replay.registry.check_operator(&op.id(), size).is_err() {
            return Ok(None);
        }
        let time = self.now().max(self.data()?.replay.last_record_time);
        let (_, bytes) = casus_ledger::Checkpoint::sign(size, root, time, op);
        self.0.writer.lock().map_err(poisoned)?.put_checkpoint(size, &bytes).map_err(ApiError::internal)?;
        *done = size;
        Ok(Some(size))
    }

    /// A full verification (every signature, link and checkpoint) of the
    /// store as it is, cached per log size.
    pub fn verify(&self) -> Result<VerifyBadge, ApiError> {
        let size = self.data()?.size();
        if let Some(b) = &*self.0.verified.lock().map_err(poisoned)?
            && b.entries == size
        {
            return Ok(b.clone());
        }
        let mut store = (self.0.opener)().map_err(ApiError::internal)?;
        let badge = match casus_ledger::ledger::verify_store(&mut *store, &mut |_, _| {}) {
            Ok(r) => VerifyBadge {
                ok: true,
                entries: r.entries,
                checkpoints: r.checkpoints,
                root: hex::encode(&r.root),
                message: format!("{} entries; every signature, hash link and {} checkpoint(s) checked", r.entries, r.checkpoints),
            },
            Err(e @ (casus_ledger::LedgerError::Store(_) | casus_ledger::LedgerError::Io { .. })) => return Err(ApiError::internal(e)),
            Err(e) => VerifyBadge { ok: false, entries: size, checkpoints: 0, root: String::new(), message: format!("verification failed: {e}") },
        };
        *self.0.verified.lock().map_err(poisoned)? = Some(badge.clone());
        Ok(badge)
    }

    /// A fresh handle on the store (for proof bundles).
    pub fn open_store(&self) -> Result<Box<dyn Store>, ApiError> {
        (self.0.opener)().map_err(ApiError::internal)
    }

    /// Polls for outside appends and signs checkpoints, every half second,
    /// for as long as the runtime lives.
    pub fn spawn_background(&self) {
        let s = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
            loop {
                tick.tick().await;
                let s2 = s.clone();
                let r = tokio::task::spawn_blocking(move || {
                    s2.sync()?;
                    s2.checkpoint_if_grown()
                })
                .await;
                if let Ok(Err(e)) = r {
                    tracing::warn!("background sync: {}", e.message);
                }
            }
        });
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
            if let Some(key) = known {
                if !casus_ledger::keys::verify_strict(&key, view.signed, &view.signature) {
                    return Err(format!("entry {}: bad signature; the ledger does not verify (run `casus ledger verify`)", view.seq));
                }
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

/// A date (the end of that day) or a date and time, UTC.
pub fn parse_time(s: &str, what: &str) -> Result<Time, ApiError> {
    match Time::parse(s.trim()) {
        Some((t, Precision::Day)) => Ok(t.end_of_day()),
        Some((t, _)) => Ok(t),
        None => Err(ApiError::bad_request(format!("`{what}`: `{s}` is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")).code("bad_date")),
    }
}

/// Leaf hash check: is `entry` what the log holds at `seq`?
pub fn leaf_of(bytes: &[u8]) -> Hash {
    merkle::leaf_hash(bytes)
}

/// A view parse for callers that hold raw bytes.
pub fn parse_view(bytes: &[u8]) -> Option<EntryView<'_>> {
    EntryView::parse(bytes).ok()
}

fn same(a: &[u8], b: &[u8]) -> bool {
    // Constant time in the contents: the token is a secret.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const TOKEN_COOKIE: &str = "casus_token";

/// With a token configured, every request needs it: `Authorization: Bearer
/// TOKEN`, the `casus_token` cookie, or `?token=TOKEN` (which sets the
/// cookie, so a browser asks once).
pub async fn require_token(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = s.0.config.token.clone() else { return next.run(req).await };
    let t = token.as_bytes();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|v| same(v.trim().as_bytes(), t));
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .any(|(k, v)| k == TOKEN_COOKIE && same(v.as_bytes(), t));
    let query = req
        .uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "token" && same(v.as_bytes(), t)))
        .unwrap_or(false);
    if bearer || cookie {
        return next.run(req).await;
    }
    if query {
        let mut resp = next.run(req).await;
        if let Ok(v) = HeaderValue::from_str(&format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        return resp;
    }
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "this server needs a token: send `Authorization: Bearer TOKEN`, or open any page once with ?token=TOKEN")
        .into_response()
}
