//! The conformance story against the in-memory store, so that the suite
//! itself is tested in this crate, without a database.

casus_ledger::conformance_tests!(casus_ledger::conformance::MemBackend::default());
