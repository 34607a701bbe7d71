//! A small, fast, deterministic hasher for integer keys (the Fx hash of
//! rustc). The engine's maps are keyed by symbols and act kinds, never by
//! input an attacker chooses freely, and their iteration order never reaches
//! the output, so HashDoS resistance buys nothing here and SipHash costs a
//! third of a replay. `rustc-hash` holds the same hasher; it was weighed and
//! not taken because the engine's dependencies are its purity's checked
//! boundary (the model and serde, ARCHITECTURE.md), and these thirty lines
//! are not worth widening it.

use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(SEED);
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;
