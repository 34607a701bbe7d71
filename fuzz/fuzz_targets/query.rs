//! The HTTP query of the state endpoints (`at`, `as_of`, the readings,
//! `fact`): parsed by `StateParams::parse` (through `casus-query`'s
//! question) and resolved against the demo ledger's treaty (dates and
//! readings) as every state endpoint does; never a panic, and a parsed
//! query written back with `to_query` parses to the same question.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

use casus_server::api::StateParams;

fuzz_target!(|data: &[u8]| {
    let demo = common::demo();
    let query = String::from_utf8_lossy(data);
    let Ok(p) = StateParams::parse(Some(&query)) else { return };
    let _ = demo.state.resolve(&p.question);
    let again = p.to_query();
    if let Ok(q) = StateParams::parse(Some(&again)) {
        assert_eq!(q.question, p.question, "{again}");
    }
});
