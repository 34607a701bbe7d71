//! The derived reports the server keeps: a report is derived once per
//! state asked (the date, the acts known, the readings: `casus-query`'s
//! `StateKey`) and served many times. The log is append-only, so a report
//! never goes stale; the cache is bounded in bytes and in count.
//!
//! Also the two small caches of what the store's checkpoints say (the
//! shared part of proof bundles, and the times the witnesses prove entries
//! were logged by), each read again at most once every [`CHECKPOINT_REREAD`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use casus_query::Report;
use casus_query::StateKey;

/// A derived report is cached under the key of the state it shows.
pub type CacheKey = StateKey;

/// Most memory the derived-report cache holds, in bytes (by the estimate of
/// [`Derived::size_bytes`]). On a 100,000-act ledger one report takes about
/// 45 MB, so the cache then holds the last two dates asked; a report larger
/// than the whole budget is served but not kept.
pub const MAX_CACHE_BYTES: usize = 128 * 1024 * 1024;
/// Most derived reports kept, however small.
pub const MAX_CACHED_REPORTS: usize = 4096;
/// A report derived once and served many times.
pub struct Derived {
    pub report: Report,
    pub json: Bytes,
}

impl Derived {
    /// An estimate of the memory this holds: three times its JSON. (On a
    /// 100,000-act ledger a report is 15 MB of JSON, and the server's RSS
    /// grows by about 45 MB for each report cached: the JSON, and the
    /// report's many small strings and vectors.)
    pub fn size_bytes(&self) -> usize {
        self.json.len().saturating_mul(3)
    }
}

/// The derived reports, least recently used dropped first, within a byte
/// budget and a count; and, outside them, the one report of the default
/// query (today, everything known, no readings), which the dashboard's
/// front page and a plain `GET /api/state` ask: requests for many other
/// dates must not push it out and make everyone wait for a derivation.
pub struct ReportCache {
    max_bytes: usize,
    max_count: usize,
    bytes: usize,
    clock: u64,
    map: HashMap<CacheKey, (Arc<Derived>, usize, u64)>,
    pinned: Option<(CacheKey, Arc<Derived>)>,
}

impl ReportCache {
    pub fn new(max_bytes: usize, max_count: usize) -> ReportCache {
        ReportCache { max_bytes, max_count, bytes: 0, clock: 0, map: HashMap::new(), pinned: None }
    }

    /// Keeps `d` as the default query's report, in place of the one before.
    pub(crate) fn pin(&mut self, key: CacheKey, d: Arc<Derived>) {
        self.pinned = Some((key, d));
    }

    pub(crate) fn get(&mut self, key: &CacheKey) -> Option<Arc<Derived>> {
        if let Some((k, d)) = &self.pinned
            && k == key
        {
            return Some(d.clone());
        }
        self.clock += 1;
        let now = self.clock;
        self.map.get_mut(key).map(|(d, _, used)| {
            *used = now;
            d.clone()
        })
    }

    pub(crate) fn insert(&mut self, key: CacheKey, d: Arc<Derived>, size: usize) {
        if size > self.max_bytes || self.max_count == 0 {
            return;
        }
        if let Some((_, old, _)) = self.map.remove(&key) {
            self.bytes -= old;
        }
        while !self.map.is_empty() && (self.bytes + size > self.max_bytes || self.map.len() >= self.max_count) {
            let Some(oldest) = self.map.iter().min_by_key(|(_, (_, _, used))| *used).map(|(k, _)| k.clone()) else { break };
            if let Some((_, s, _)) = self.map.remove(&oldest) {
                self.bytes -= s;
            }
        }
        self.clock += 1;
        self.bytes += size;
        self.map.insert(key, (d, size, self.clock));
    }

    /// Bytes held, by the estimate.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// When the witnesses' cosignatures prove entries were logged, and when
/// the store's checkpoint notes were last read for it.
#[derive(Default)]
pub(crate) struct LoggedCache {
    pub(crate) times: Arc<casus_query::WitnessedTimes>,
    pub(crate) read_at: Option<std::time::Instant>,
    /// The byte length of each note added to `times`, by checkpoint size:
    /// a note is added again only when it is new or was replaced (by one
    /// with more cosignatures, so longer).
    pub(crate) added: std::collections::HashMap<u64, usize>,
}

/// The shared part of proof bundles under the latest checkpoint, and when
/// the store's checkpoints were last read for it.
#[derive(Default)]
pub(crate) struct BundleCache {
    pub(crate) base: Option<Arc<casus_ledger::BundleBase>>,
    pub(crate) read_at: Option<std::time::Instant>,
}

/// Least time between two reads of the store's checkpoints for bundles: a
/// request for an entry no checkpoint covers does not re-read them each time.
pub(crate) const CHECKPOINT_REREAD: std::time::Duration = std::time::Duration::from_secs(1);

#[cfg(test)]
mod cache_tests {
    use super::*;
    use casus_query::report::TreatyRef;

    fn report(json_bytes: usize) -> Arc<Derived> {
        let report = Report {
            treaty: TreatyRef { id: String::new(), title: String::new() },
            at: String::new(),
            version: None,
            readings: Vec::new(),
            parties: Vec::new(),
            chairs: Vec::new(),
            documents: Vec::new(),
            cases: Vec::new(),
            acts_considered: 0,
        };
        Arc::new(Derived { report, json: Bytes::from(vec![b' '; json_bytes]) })
    }

    fn key(at: i64) -> CacheKey {
        CacheKey { at, known: 0, readings: Vec::new() }
    }

    #[test]
    fn the_cache_stays_within_its_byte_budget() {
        let mut c = ReportCache::new(10_000, 4096);
        for at in 0..100 {
            let d = report(1_000);
            let size = d.size_bytes();
            assert_eq!(size, 3_000);
            c.insert(key(at), d, size);
            assert!(c.bytes() <= 10_000, "{} bytes after {} inserts", c.bytes(), at + 1);
        }
        assert_eq!(c.len(), 3);
        // The most recent ones are kept.
        assert!(c.get(&key(99)).is_some());
        assert!(c.get(&key(0)).is_none());
    }

    #[test]
    fn the_least_recently_used_report_goes_first() {
        let mut c = ReportCache::new(3 * 2_000, 4096);
        for at in 0..3 {
            c.insert(key(at), report(1_000), 2_000);
        }
        assert!(c.get(&key(0)).is_some());
        c.insert(key(3), report(1_000), 2_000);
        assert!(c.get(&key(0)).is_some(), "used recently, kept");
        assert!(c.get(&key(1)).is_none(), "least recently used, dropped");
    }

    #[test]
    fn the_default_querys_report_stays_whatever_else_is_asked() {
        let mut c = ReportCache::new(3 * 2_000, 4096);
        c.pin(key(0), report(1_000));
        for at in 1..100 {
            c.insert(key(at), report(1_000), 2_000);
        }
        assert!(c.get(&key(0)).is_some());
        assert!(c.bytes() <= 3 * 2_000);
        // A new default query (a new day, a new act) takes its place.
        c.pin(key(100), report(1_000));
        assert!(c.get(&key(0)).is_none());
        assert!(c.get(&key(100)).is_some());
    }

    #[test]
    fn a_report_over_the_budget_is_not_kept() {
        let mut c = ReportCache::new(1_000, 4096);
        c.insert(key(1), report(100), 200);
        c.insert(key(2), report(10_000), 20_000);
        assert!(c.get(&key(2)).is_none());
        assert!(c.get(&key(1)).is_some());
    }
}
