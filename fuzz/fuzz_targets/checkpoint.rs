//! Stored checkpoint bytes: parsed or refused, never a panic; and no change
//! to a valid checkpoint's bytes passes the signature check.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let demo = common::demo();
    // Raw bytes when the first byte is even, else edits of the real one.
    let bytes = match data.split_first() {
        Some((first, rest)) if first % 2 == 1 => common::mutate(&demo.checkpoint, rest),
        _ => data.to_vec(),
    };
    let Ok((cp, signed)) = casus_ledger::Checkpoint::parse(&bytes) else { return };
    assert_eq!(bytes.len(), casus_ledger::entry::CHECKPOINT_BYTES);
    assert!(bytes.starts_with(signed));
    let Some(leaves) = demo.replay.leaves.as_deref() else { return };
    let size = (cp.size as usize).min(leaves.len());
    let root = casus_ledger::merkle::root(&leaves[..size]);
    let ok = casus_ledger::ledger::check_checkpoint(&demo.replay.registry, size as u64, &root, &cp, &bytes).is_ok();
    if bytes != demo.checkpoint {
        assert!(!ok, "a changed checkpoint passed its check");
    }
});
