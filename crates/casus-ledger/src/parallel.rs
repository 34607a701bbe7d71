//! Signing on every core: the threads a batch is split over, and the
//! parallel signing of entries laid out in order (each entry's link to the
//! one before is in its signed bytes, so the order of signing is free).

use crate::entry;
use crate::keys::SecretKey;
use crate::merkle::{self, Hash};

/// Most threads that sign or verify one batch.
const MAX_WORKERS: usize = 8;
/// Entries below which a batch is signed on the calling thread alone.
pub(crate) const PARALLEL_SIGN_MIN: usize = 16;

/// Threads for signing and verifying: the machine's cores, at most
/// [`MAX_WORKERS`].
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_WORKERS)
}

/// Signs laid-out entries and computes their leaf hashes, split over
/// [`workers`] threads. Each entry's link to the one before is already in
/// its signed bytes, so the order in which they are signed does not matter.
pub(crate) fn sign_all(pending: &mut [(Vec<u8>, &SecretKey)]) -> Vec<Hash> {
    fn work(part: &mut [(Vec<u8>, &SecretKey)], leaves: &mut [Hash]) {
        for ((bytes, key), leaf) in part.iter_mut().zip(leaves.iter_mut()) {
            entry::sign_in_place(bytes, key);
            *leaf = merkle::leaf_hash(bytes);
        }
    }
    let mut leaves = vec![[0u8; 32]; pending.len()];
    let n = workers();
    if n < 2 || pending.len() < PARALLEL_SIGN_MIN {
        work(pending, &mut leaves);
        return leaves;
    }
    let chunk = pending.len().div_ceil(n);
    std::thread::scope(|s| {
        let mut parts = pending.chunks_mut(chunk).zip(leaves.chunks_mut(chunk));
        let first = parts.next();
        for (part, l) in parts {
            s.spawn(move || work(part, l));
        }
        if let Some((part, l)) = first {
            work(part, l);
        }
    });
    leaves
}
