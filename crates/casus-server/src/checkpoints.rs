//! The operator's side of the log as the server runs it: checkpoints signed
//! (and cosigned by the witnesses) after appends, the full verification
//! behind the dashboard's badge, and offline proof bundles.
//!
//! Why a file of its own: these read the store beyond the entries (its
//! checkpoints and their notes) and sign with the operator key, a concern
//! apart from answering questions about the acts.

use std::sync::Arc;

use axum::http::StatusCode;
use casus_ledger::{BundleBase, Checkpoint, Hash, LedgerError, Tamper, hex_encode};
use casus_model::{Precision, Time};

use crate::cache::CHECKPOINT_REREAD;
use crate::data::VerifyBadge;
use crate::error::ApiError;
use crate::state::{AppState, poisoned};

impl AppState {
    /// Signs and stores a checkpoint when the log grew since the last one
    /// and the server holds the operator key: `casus/checkpoint/v1` and
    /// its C2SP note, cosigned first by the configured witnesses if any
    /// (see [`crate::Config::cosigner`]), both in one transaction.
    pub fn checkpoint_if_grown(&self) -> Result<Option<u64>, ApiError> {
        let Some(op) = &self.0.config.operator else { return Ok(None) };
        let mut done = self.0.checkpointed.lock().map_err(poisoned)?;
        let (size, bytes, note) = {
            let d = self.data()?;
            let size = d.size();
            if size <= *done || !d.log.is_operator(&op.id()) {
                return Ok(None);
            }
            let time = self.now().max(d.log.last_record_time());
            let (_, bytes, note) = d.log.sign_checkpoint(op, time).map_err(ApiError::internal)?;
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
                            d.log.consistency_proof(o, size)
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
        let badge = match casus_ledger::verify_store(&mut *store, &mut |_, _| {}) {
            Ok(r) => VerifyBadge {
                ok: true,
                entries: r.entries,
                checkpoints: r.checkpoints,
                root: hex_encode(&r.root),
                message: format!(
                    "{}; every signature, hash link and {} checked",
                    casus_model::words::count(r.entries as usize, "entry", "entries"),
                    casus_model::words::count(r.checkpoints as usize, "checkpoint", "checkpoints")
                ),
                clock_warning: None,
            },
            Err(e @ (LedgerError::Store(_) | LedgerError::Io { .. })) => return Err(ApiError::internal(e)),
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
        let last = self.data()?.log.last_record_time();
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
        data.log.bundle(&base, seq, &entry).map_err(ApiError::internal)
    }

    fn bundle_base(&self, seq: u64) -> Result<Arc<BundleBase>, ApiError> {
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
        let latest = checkpoints.iter().rev().find(|b| Checkpoint::parse(b).is_ok_and(|(cp, _)| cp.size <= data.size()));
        let Some(bytes) = latest else { return Err(uncovered()) };
        let mut read = |k: u64| -> Result<Vec<u8>, LedgerError> {
            match st.read_range(k, k + 1)?.pop() {
                Some((pos, b)) if pos == k => Ok(b),
                _ => Err(LedgerError::Tampered { entry: k, kind: Tamper::MissingEntry }),
            }
        };
        let mut base = data.log.bundle_base(bytes, &mut read).map_err(ApiError::internal)?;
        // With its C2SP note (and the witnesses' cosignatures) when it has one.
        let size = base.checkpoint.size;
        if let Some((_, note)) = st.checkpoint_note_rows().map_err(ApiError::internal)?.into_iter().find(|(s, _)| *s == size) {
            base = base.with_note(&note).map_err(ApiError::internal)?;
        }
        let base = Arc::new(base);
        cache.base = Some(base.clone());
        if base.checkpoint.size > seq { Ok(base) } else { Err(uncovered()) }
    }
}
