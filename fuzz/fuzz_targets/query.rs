//! The HTTP query of the state endpoints (`at`, `as_of`, `interpretation`,
//! `fact`): parsed by `StateParams::parse` and resolved against the demo
//! ledger's treaty (dates and readings) as every state endpoint does; never
//! a panic, and a parsed query written back with `to_query` parses the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

use casus_server::api::StateParams;

fuzz_target!(|data: &[u8]| {
    let demo = common::demo();
    let query = String::from_utf8_lossy(data);
    let Ok(p) = StateParams::parse(Some(&query)) else { return };
    let _ = demo.state.resolve(&p);
    let again = p.to_query();
    if let Ok(q) = StateParams::parse(Some(&again)) {
        assert_eq!((&q.at, &q.as_of, &q.interpretation), (&p.at, &p.as_of, &p.interpretation), "{again}");
    }
});
