//! The body of `POST /api/acts` (the server's `SignedActs` JSON), checked
//! and refused by the server's own `ingest::append` against a demo ledger in
//! memory: never a panic, and nothing but a correctly signed request is
//! ever appended. Three kinds of input, by the first byte: raw JSON (parsed
//! as axum's JSON extractor does), a real signed request with another text,
//! and a real signed request with edited statement bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

use casus_ledger::hex;
use casus_server::ingest::SignedActs;

fuzz_target!(|data: &[u8]| {
    let demo = common::demo();
    let Some((&mode, rest)) = data.split_first() else { return };
    let req = match mode % 3 {
        0 => match serde_json::from_slice::<SignedActs>(rest) {
            Ok(r) => r,
            Err(_) => return,
        },
        1 => {
            let text = String::from_utf8_lossy(rest).into_owned();
            if text == demo.request.text {
                return;
            }
            SignedActs { text, ..demo.request.clone() }
        }
        _ => {
            let Some(valid) = demo.request.statements.first().and_then(|h| hex::decode(h)) else { return };
            let edited = common::mutate(&valid, rest);
            if edited == valid {
                return;
            }
            SignedActs { statements: vec![hex::encode(&edited)], ..demo.request.clone() }
        }
    };
    let before = demo.state.data().map(|d| d.size()).unwrap_or(0);
    let appended = casus_server::ingest::append(&demo.state, &req);
    if mode % 3 == 1 {
        // Another text for the same signed entry may still say the same
        // act (a comment, spacing): then it is rightly appended, once.
        return;
    }
    assert!(appended.is_err(), "a request not signed as sent was appended");
    assert_eq!(demo.state.data().map(|d| d.size()).unwrap_or(0), before);
});
