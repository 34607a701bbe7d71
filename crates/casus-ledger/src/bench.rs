//! Benchmarks placeholder.
