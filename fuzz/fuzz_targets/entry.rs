//! Any bytes as a ledger act encoding: decoded or refused, never a panic,
//! and what decodes re-encodes to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut symbols = casus_model::Symbols::new();
    if let Ok(act) = casus_ledger::encode::decode_act(data, &mut symbols) {
        if let Ok(bytes) = casus_ledger::encode::encode_act(&act, &symbols) {
            assert_eq!(bytes, data);
        }
    }
});
