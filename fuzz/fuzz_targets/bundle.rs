//! Proof bundles (`casus ledger proof`, `GET /api/proof`) checked offline:
//! verified or refused, never a panic; and no change to a valid bundle's
//! bytes passes verification.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let demo = common::demo();
    // Raw bytes when the first byte is even, else edits of a real bundle.
    let bytes = match data.split_first() {
        Some((first, rest)) if first % 2 == 1 => common::mutate(&demo.bundle, rest),
        _ => data.to_vec(),
    };
    let verified = casus_ledger::verify_bundle(&bytes);
    if bytes != demo.bundle {
        assert!(verified.is_err(), "a changed bundle verified: {verified:?}");
    }
});
