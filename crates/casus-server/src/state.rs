//! The server's shared state: the log in memory ([`crate::data`]), the one
//! store handle that appends, the caches and the event channel, and the
//! questions pages and endpoints ask, resolved and answered against it.
//!
//! Why in memory: every page and query needs the treaty and the acts, and
//! re-reading a store per request would make the state query cost a disk
//! read. The log is append-only, so `acts[..n]` never changes once known:
//! a derived report is cached under (date, acts known, readings) and stays
//! right forever; an append adds entries and never invalidates a report.
//!
//! A log that does not replay is not served. Writers serialize on
//! [`Inner::writer`] (one store handle); the store serializes them again
//! against other processes. Checkpoints, verification and proof bundles are
//! in [`crate::checkpoints`]; keeping up with outside appends in
//! [`crate::background`]; writes in [`crate::ingest`].

use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use casus_ledger::{Checkpoint, Store};
use casus_query::{Question, StateKey};
use tokio::sync::broadcast;

pub use crate::cache::Derived;
use crate::cache::{BundleCache, CHECKPOINT_REREAD, LoggedCache, MAX_CACHE_BYTES, MAX_CACHED_REPORTS, ReportCache};
/// The configuration, where the crate's users have always found it.
pub use crate::config::{AppendFeed, Clock, Config, Cosigner, StoreOpener, system_now};
use crate::config::{MAX_CONCURRENT_DERIVATIONS, MAX_CONCURRENT_WRITES};
use crate::data::{Data, EntryMeta, VerifyBadge, read_into};
use crate::error::ApiError;

/// What every handler shares, behind [`AppState`].
pub struct Inner {
    pub config: Config,
    pub opener: StoreOpener,
    /// The one store handle that appends.
    pub writer: Mutex<Box<dyn Store>>,
    pub data: RwLock<Data>,
    pub(crate) cache: Mutex<ReportCache>,
    /// Permits to derive a report or an explanation ([`MAX_CONCURRENT_DERIVATIONS`]).
    pub derivations: Arc<tokio::sync::Semaphore>,
    /// Permits to check a write ([`MAX_CONCURRENT_WRITES`]).
    pub writes: Arc<tokio::sync::Semaphore>,
    /// Permits to read a write's body ([`crate::config::MAX_CONCURRENT_BODIES`]).
    pub bodies: Arc<tokio::sync::Semaphore>,
    /// Permits to hold an event stream open ([`crate::config::MAX_EVENT_STREAMS`]).
    pub streams: Arc<tokio::sync::Semaphore>,
    pub events: broadcast::Sender<EntryMeta>,
    pub(crate) verified: Mutex<Option<VerifyBadge>>,
    /// The queue to the writer thread that group-commits `POST /api/acts`
    /// (started by the first write). Its type is [`crate::ingest`]'s own,
    /// held opaque here so that the state does not depend on the writes.
    pub committer: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    pub(crate) checkpointed: Mutex<u64>,
    pub(crate) bundles: Mutex<BundleCache>,
    pub(crate) logged: Mutex<LoggedCache>,
}

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

pub(crate) fn poisoned<T>(_: T) -> ApiError {
    ApiError::internal("a lock was poisoned by a panic")
}

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
        let checkpointed = store.checkpoints().ok().and_then(|c| c.last().and_then(|b| Checkpoint::parse(b).ok().map(|(cp, _)| cp.size))).unwrap_or(0);
        Ok(AppState(Arc::new(Inner {
            config,
            opener,
            writer: Mutex::new(store),
            data: RwLock::new(data),
            cache: Mutex::new(ReportCache::new(MAX_CACHE_BYTES, MAX_CACHED_REPORTS)),
            derivations: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_DERIVATIONS)),
            writes: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_WRITES)),
            bodies: Arc::new(tokio::sync::Semaphore::new(crate::config::MAX_CONCURRENT_BODIES)),
            streams: Arc::new(tokio::sync::Semaphore::new(crate::config::MAX_EVENT_STREAMS)),
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
            ApiError::not_found(format!("no fact `{fact}` on {}; facts look like {}", casus_query::report_date(r.question.at), casus_query::FACT_FORMS))
        })?;
        let times = self.witnessed_times()?;
        if !times.is_empty() {
            casus_query::logged::attach(&mut e, |i| data.act_position(i), &times);
        }
        Ok(e)
    }

    /// The witnessed times of the store's cosigned checkpoints, read again
    /// at most once every [`CHECKPOINT_REREAD`] (a checkpoint signed since
    /// shows within that time); only notes new or replaced since are added.
    pub fn witnessed_times(&self) -> Result<Arc<casus_query::WitnessedTimes>, ApiError> {
        let mut cache = self.0.logged.lock().map_err(poisoned)?;
        if cache.read_at.is_none_or(|t| t.elapsed() >= CHECKPOINT_REREAD) {
            let notes = self.0.writer.lock().map_err(poisoned)?.checkpoint_note_rows().map_err(ApiError::internal)?;
            let cache = &mut *cache;
            for (size, bytes) in &notes {
                if cache.added.get(size) != Some(&bytes.len()) {
                    Arc::make_mut(&mut cache.times).add(*size, bytes);
                    cache.added.insert(*size, bytes.len());
                }
            }
            cache.read_at = Some(std::time::Instant::now());
        }
        Ok(cache.times.clone())
    }

    /// A fresh handle on the store.
    pub fn open_store(&self) -> Result<Box<dyn Store>, ApiError> {
        (self.0.opener)().map_err(ApiError::internal)
    }
}
