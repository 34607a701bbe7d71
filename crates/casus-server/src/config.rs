//! How the server runs: the configuration a caller hands [`crate::AppState::open`]
//! (token, operator key, clock, witnesses, append feed, the dashboard's
//! start) and the hooks it injects, and the limits on concurrent work.
//!
//! Why a file of its own: the command line, the tests and the benches build
//! a [`Config`] without touching the log in memory, and every other module
//! reads it; it depends on nothing else in the crate.

use std::sync::Arc;

use casus_ledger::{Hash, Note, SecretKey, Store};

/// Opens a handle on the ledger's store (SQLite file, PostgreSQL schema, or
/// a shared in-memory store in tests). Called at start and for proof bundles
/// and full verifications, which read the whole log on their own handle.
pub type StoreOpener = Arc<dyn Fn() -> casus_ledger::Result<Box<dyn Store>> + Send + Sync>;

/// Seconds since 1970, UTC. Injected, so tests fix the time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Has witnesses cosign a checkpoint note before it is stored:
/// `(note, size, proof)` as [`casus_ledger::Ledger::checkpoint_cosigned`]
/// gives them; returns the cosigned note, or why the quorum was not met.
pub type Cosigner = Arc<dyn Fn(&Note, u64, &(dyn Fn(u64) -> Option<Vec<Hash>> + Sync)) -> Result<Note, String> + Send + Sync>;

/// Tells the server when other processes append (the replicas of one
/// PostgreSQL ledger): a blocking function that calls its argument once when
/// it starts listening and then after each append it hears of (with the
/// log's new size when known), and returns only on an error (the server then
/// calls it again). Without one, the server polls the store for outside appends.
pub type AppendFeed = Arc<dyn Fn(&mut dyn FnMut(Option<u64>) -> bool) -> Result<(), String> + Send + Sync>;

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

/// Most `POST /api/acts` requests checked at once (their signatures and
/// text, once their bodies are read); a further one waits its turn.
pub const MAX_CONCURRENT_WRITES: usize = 4;

/// Most `POST /api/acts` bodies being read at once: with the body limit,
/// this bounds the memory that bodies on their way hold (64 × 2 MiB), and a
/// few slow senders cannot hold up the checks of everyone else's writes.
pub const MAX_CONCURRENT_BODIES: usize = 64;

/// Longest a `POST /api/acts` body may take to arrive once its headers have
/// (a client that sends its body a byte at a time is answered 408).
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Most event streams (`/api/events`) open at once: a stream never ends by
/// itself, so without a cap idle streams could take every connection the
/// server accepts. A further one is answered 503.
pub const MAX_EVENT_STREAMS: usize = 1024;
