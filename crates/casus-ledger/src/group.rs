//! Group commit: many concurrent appenders, one writer, one durable commit
//! per group.
//!
//! A durable commit costs an fsync (milliseconds on a disk), so one act per
//! commit caps a ledger at a few hundred appends per second however fast
//! signing is. Here appenders (threads of a server, each serving a client)
//! submit their acts to a bounded queue and wait; a single writer thread
//! takes everything queued (up to [`MAX_GROUP_REQUESTS`] requests and
//! [`MAX_BATCH_ENTRIES`](crate::MAX_BATCH_ENTRIES) entries), lays out and
//! checks each request's entries in order (each act a `casus/entry/v3`
//! statement numbered with its key's next sequence number, as of the
//! requests before it in the group), signs them all in parallel,
//! commits them in one durable transaction
//! ([`Ledger::append_group`](crate::Ledger)), and only then answers each
//! appender. So:
//!
//! - an appender is acknowledged only after the commit holding its entries
//!   returned, i.e. is durable: nothing acknowledged can be lost;
//! - a refused request (a wrong key, a missing source) is answered with its
//!   refusal and the rest of its group is committed without it;
//! - if the commit fails, every request of the group gets the error and
//!   nothing of it was written;
//! - the queue holds at most [`QUEUE_REQUESTS`] requests: when it is full,
//!   appenders wait (back-pressure) instead of piling up memory.
//!
//! Record times: each request brings one (the library reads no clock); if
//! it is earlier than the log's last record time (clocks of concurrent
//! appenders need not agree), it is raised to it, and the answer says
//! which record time the entries carry. A record time is never lowered, so
//! no act is ever shown as known earlier than it was.
//!
//! Several processes may still append to the same store at once (each with
//! its own appender, or with [`Ledger::append_acts`]): the store's write
//! lock serializes their commits as before.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;

use casus_model::{Act, Symbols, Time};

use crate::keys::SecretKey;
use crate::ledger::{Request, act_specs, encode_acts};
use crate::{Ledger, LedgerError, MAX_BATCH_ENTRIES, Result};

/// Requests the queue holds before appenders wait.
pub const QUEUE_REQUESTS: usize = 1024;
/// Most requests committed in one group.
pub const MAX_GROUP_REQUESTS: usize = 4096;

/// What an acknowledged append wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The positions of its entries, in the order of its acts.
    pub entries: Range<u64>,
    /// The record time its entries carry (see the module documentation).
    pub record_time: Time,
}

/// Counters of the writer, for benchmarks and monitoring.
#[derive(Debug, Default)]
pub struct GroupStats {
    /// Commits made.
    pub groups: AtomicU64,
    /// Requests answered (acknowledged or refused).
    pub requests: AtomicU64,
    /// Entries committed.
    pub entries: AtomicU64,
}

struct Job {
    payloads: Vec<(i64, Vec<u8>)>,
    key: SecretKey,
    record_time: Time,
    reply: SyncSender<Result<Appended>>,
}

/// The writer thread and the queue to it. Appenders use [`AppendHandle`]s
/// (from [`GroupAppender::handle`]); [`GroupAppender::finish`] stops the
/// writer once every handle is gone and returns the ledger.
pub struct GroupAppender {
    tx: Option<SyncSender<Job>>,
    writer: Option<JoinHandle<Ledger>>,
    stats: Arc<GroupStats>,
}

/// A cloneable handle through which one appender submits acts.
#[derive(Clone)]
pub struct AppendHandle {
    tx: SyncSender<Job>,
}

impl GroupAppender {
    /// Starts the writer thread, which owns `ledger` until [`finish`](Self::finish).
    pub fn start(ledger: Ledger) -> Result<GroupAppender> {
        let (tx, rx) = sync_channel(QUEUE_REQUESTS);
        let stats = Arc::new(GroupStats::default());
        let writer_stats = Arc::clone(&stats);
        let writer = std::thread::Builder::new()
            .name("casus-ledger-writer".into())
            .spawn(move || write_groups(ledger, rx, &writer_stats))
            .map_err(|e| LedgerError::Io { context: "starting the ledger writer thread".into(), source: e })?;
        Ok(GroupAppender { tx: Some(tx), writer: Some(writer), stats })
    }

    /// A handle for one more appender.
    pub fn handle(&self) -> Result<AppendHandle> {
        match &self.tx {
            Some(tx) => Ok(AppendHandle { tx: tx.clone() }),
            None => Err(LedgerError::State("the appender is finished".into())),
        }
    }

    pub fn stats(&self) -> &GroupStats {
        &self.stats
    }

    /// Waits for every handle to be dropped and every queued request to be
    /// committed and answered, then returns the ledger.
    pub fn finish(mut self) -> Result<Ledger> {
        self.tx = None;
        let writer = self.writer.take().ok_or_else(|| LedgerError::State("the appender is finished".into()))?;
        writer.join().map_err(|_| LedgerError::State("the ledger writer thread panicked".into()))
    }
}

impl Drop for GroupAppender {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl AppendHandle {
    /// Appends acts signed by `key` (live mode for a party's key, record
    /// mode for a recorder's), all in the same commit, and returns once
    /// that commit is durable. Waits while the queue is full.
    pub fn append_acts(&self, acts: &[Act], symbols: &Symbols, key: &SecretKey, record_time: Time) -> Result<Appended> {
        let payloads = encode_acts(acts, symbols)?;
        if payloads.is_empty() {
            return Err(LedgerError::Refused("no act to append".into()));
        }
        let (reply, answer) = sync_channel(1);
        let job = Job { payloads, key: key.clone(), record_time, reply };
        self.tx.send(job).map_err(|_| LedgerError::State("the ledger writer has stopped".into()))?;
        answer.recv().map_err(|_| LedgerError::State("the ledger writer stopped before answering".into()))?
    }

    /// One act; see [`AppendHandle::append_acts`].
    pub fn append_act(&self, act: &Act, symbols: &Symbols, key: &SecretKey, record_time: Time) -> Result<Appended> {
        self.append_acts(std::slice::from_ref(act), symbols, key, record_time)
    }
}

/// The writer loop: one group per iteration, until every sender is gone.
fn write_groups(mut ledger: Ledger, rx: Receiver<Job>, stats: &GroupStats) -> Ledger {
    let mut carry: Option<Job> = None;
    loop {
        let first = match carry.take() {
            Some(job) => job,
            None => match rx.recv() {
                Ok(job) => job,
                Err(_) => return ledger,
            },
        };
        let mut entries = first.payloads.len();
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP_REQUESTS {
            match rx.try_recv() {
                Ok(job) if entries + job.payloads.len() > MAX_BATCH_ENTRIES => {
                    carry = Some(job);
                    break;
                }
                Ok(job) => {
                    entries += job.payloads.len();
                    jobs.push(job);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        commit_group(&mut ledger, jobs, stats);
    }
}

fn commit_group(ledger: &mut Ledger, jobs: Vec<Job>, stats: &GroupStats) {
    let mut makers: Vec<_> = jobs.iter().map(|job| move |replay: &_| act_specs(replay, &job.key, &job.payloads)).collect();
    let mut requests: Vec<Request> = jobs.iter().zip(makers.iter_mut()).map(|(job, make)| Request { record_time: job.record_time, make }).collect();
    let result = ledger.append_group(&mut requests, true, None);
    drop(requests);
    stats.groups.fetch_add(1, Ordering::Relaxed);
    stats.requests.fetch_add(jobs.len() as u64, Ordering::Relaxed);
    match result {
        Ok(outcomes) => {
            for (job, outcome) in jobs.iter().zip(outcomes) {
                if let Ok((range, _)) = &outcome {
                    stats.entries.fetch_add(range.end - range.start, Ordering::Relaxed);
                }
                // An appender that gave up waiting is no reason to stop.
                let _ = job.reply.send(outcome.map(|(entries, record_time)| Appended { entries, record_time }));
            }
        }
        Err(e) => {
            let why = e.to_string();
            for job in &jobs {
                let _ = job.reply.send(Err(LedgerError::Store(format!("the group commit failed, nothing was written: {why}"))));
            }
        }
    }
}
