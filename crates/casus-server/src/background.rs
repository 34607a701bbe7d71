//! Keeping the server in step with the store while it runs: reading what
//! other processes appended (told by the injected [`AppendFeed`], or by
//! polling), announcing new entries to the event streams, and the
//! background work (sync and checkpoints) that runs for the server's life.
//!
//! Why a file of its own: it owns the server's threads and timers; the
//! state it updates and the checkpoints it signs live elsewhere.

use crate::config::AppendFeed;
use crate::data::{EntryMeta, read_into};
use crate::error::ApiError;
use crate::state::{AppState, poisoned};

/// How long the server waits before listening again after its append feed
/// failed (the database restarting, say).
const APPEND_FEED_RETRY_MILLIS: u64 = 1000;

impl AppState {
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
        read_into(&mut **store, &mut data, len, &mut |seq| new.push(seq)).map_err(ApiError::internal)?;
        drop(data);
        drop(store);
        self.announce(new);
        Ok(len)
    }

    /// Tells every stream about new entries (their positions); their
    /// listings are written out only if someone is watching.
    pub fn announce(&self, entries: Vec<u64>) {
        if entries.is_empty() || self.0.events.receiver_count() == 0 {
            return;
        }
        let Ok(data) = self.data() else { return };
        let metas: Vec<EntryMeta> = entries.into_iter().filter_map(|seq| data.entry(seq)).collect();
        drop(data);
        for m in metas {
            // A stream that went away in the meantime is not an error.
            let _ = self.0.events.send(m);
        }
    }

    /// Keeps the server up to date with outside appends and signs
    /// checkpoints, for as long as the runtime lives. With an append feed
    /// ([`crate::Config::appends`]) a thread reads new entries as soon as the feed
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
