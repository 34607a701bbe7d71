//! The log as C2SP `tlog-tiles`: tile paths, hash tiles and entry bundles.
//!
//! This module exists so that mirrors and monitors can fetch the ledger the
//! way the transparency-log ecosystem fetches any log (<https://c2sp.org/tlog-tiles>):
//! a few static, cacheable resources instead of one proof per question. The
//! server serves them (`casus-server`'s `tiles` module), `casus ledger
//! mirror` reads them; both go through the functions here, so the path
//! grammar, the tile arithmetic and the bundle bytes live in one place.
//!
//! - A hash tile at level `l`, index `n`, is up to 256 consecutive Merkle
//!   tree hashes: at level 0 the leaf hashes `n·256 … n·256+255`, at level
//!   `l ≥ 1` the RFC 6962 root of each full block of `256^l` leaves. A
//!   partial tile (width 1–255) holds the hashes the tree of some size has
//!   so far; it is never hashed into the level above.
//! - An entry bundle `n` holds entries `n·256 …` (up to 256), each prefixed
//!   with its length as a big-endian `u16` ([`encode_bundle`]). An entry
//!   too long for that (more than 65,535 bytes: only a genesis entry with a
//!   long treaty, or a very long act) cannot be put in such a bundle; such a
//!   bundle is served at another URL with `u32` prefixes instead
//!   ([`BundleFormat::Wide`], as the spec allows for other encodings).
//! - Paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, `N` in
//!   zero-padded groups of three digits, all but the last prefixed with
//!   `x` (1234067 is `x001/x234/067`). Parsing accepts exactly the
//!   canonical form, so each resource has one path.
//!
//! [`TileHashes`] keeps the hashes of levels 1 and up as the log grows
//! (one 256-leaf root per 256 leaves, amortized O(1) per leaf); level 0 is
//! the caller's own slice of leaf hashes, which the server and the ledger
//! keep anyway.

use crate::merkle::{self, Hash};
use crate::{LedgerError, MAX_LEDGER_ENTRIES, Result};

/// Hashes (or entries) in a full tile or bundle.
pub const TILE_WIDTH: u64 = 256;
/// The tree height one tile spans (`2^TILE_HEIGHT = TILE_WIDTH`).
pub const TILE_HEIGHT: u32 = 8;
/// Highest level a path may name (the spec's bound).
pub const MAX_TILE_LEVEL: u8 = 63;
/// Longest path accepted by [`TilePath::parse`], in bytes (level 63, the
/// largest index, a partial width: well under this).
pub const MAX_TILE_PATH_BYTES: usize = 96;
/// Longest entry a spec (`u16`-prefixed) bundle can carry.
pub const MAX_NARROW_ENTRY_BYTES: usize = u16::MAX as usize;
/// Bytes of one hash in a hash tile.
pub const HASH_BYTES: usize = 32;
/// Bytes of a full hash tile.
pub const FULL_TILE_BYTES: usize = TILE_WIDTH as usize * HASH_BYTES;

/// What a tile path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// A hash tile at this level.
    Hashes(u8),
    /// An entry bundle.
    Entries,
}

/// One tile or bundle: its kind, index and width (256 for a full one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TilePath {
    pub kind: TileKind,
    pub index: u64,
    /// 1–256; 256 is a full tile.
    pub width: u16,
}

/// How the entries of a bundle are length-prefixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleFormat {
    /// `u16` big-endian, as `tlog-tiles` specifies (`/tile/entries/…`).
    Narrow,
    /// `u32` big-endian, for bundles holding an entry over 65,535 bytes
    /// (`/casus/entries/…`, casus's own URL).
    Wide,
}

/// `N` as path elements: zero-padded groups of three digits, all but the
/// last prefixed with `x`.
pub fn encode_index(n: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = n;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    groups.iter().rev().enumerate().map(|(i, g)| if i < last { format!("x{g:03}/") } else { format!("{g:03}") }).collect()
}

/// Parses path elements written by [`encode_index`]; `None` unless exactly
/// canonical (no leading `x000` group, three digits per group).
pub fn parse_index(s: &str) -> Option<u64> {
    let groups: Vec<&str> = s.split('/').collect();
    let last = groups.len() - 1;
    let mut n: u64 = 0;
    for (i, g) in groups.iter().enumerate() {
        let digits = if i < last { g.strip_prefix('x')? } else { g };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u64 = digits.parse().ok()?;
        if i == 0 && i < last && v == 0 {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(v)?;
    }
    Some(n)
}

/// A decimal with no leading zero (a level or a width).
fn parse_small(s: &str, max: u64) -> Option<u64> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok().filter(|v| *v <= max)
}

impl TilePath {
    pub fn hashes(level: u8, index: u64, width: u16) -> TilePath {
        TilePath { kind: TileKind::Hashes(level), index, width }
    }

    pub fn entries(index: u64, width: u16) -> TilePath {
        TilePath { kind: TileKind::Entries, index, width }
    }

    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    /// The level of its hashes (0 for an entry bundle, whose entries hash
    /// to the level-0 tile of the same index).
    pub fn level(&self) -> u8 {
        match self.kind {
            TileKind::Hashes(l) => l,
            TileKind::Entries => 0,
        }
    }

    /// Parses the path after `tile/`: `<L>/<N>[.p/<W>]` or
    /// `entries/<N>[.p/<W>]`. Refuses anything not canonical.
    pub fn parse(path: &str) -> Result<TilePath> {
        let bad = |why: &str| LedgerError::decode("tile path", format!("`{}`: {why}", path.chars().take(MAX_TILE_PATH_BYTES).collect::<String>()));
        if path.len() > MAX_TILE_PATH_BYTES {
            return Err(bad("too long"));
        }
        let (head, rest) = path.split_once('/').ok_or_else(|| bad("expected <L>/<N> or entries/<N>"))?;
        let kind = if head == "entries" {
            TileKind::Entries
        } else {
            let level = parse_small(head, u64::from(MAX_TILE_LEVEL)).ok_or_else(|| bad("the level is not a decimal from 0 to 63"))?;
            TileKind::Hashes(level as u8)
        };
        Self::parse_index_width(kind, rest).ok_or_else(|| bad("the index is not in groups of three digits (x001/x234/067), or the width not 1 to 255"))
    }

    /// Parses `<N>[.p/<W>]` for a tile of `kind` (for the server's own
    /// wide-bundle URL as well).
    pub fn parse_index_width(kind: TileKind, rest: &str) -> Option<TilePath> {
        let (index, width) = match rest.split_once(".p/") {
            Some((index, w)) => (index, parse_small(w, TILE_WIDTH - 1).filter(|w| *w >= 1)? as u16),
            None => (rest, TILE_WIDTH as u16),
        };
        Some(TilePath { kind, index: parse_index(index)?, width })
    }

    /// The path after the prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        let head = match self.kind {
            TileKind::Hashes(l) => format!("tile/{l}/"),
            TileKind::Entries => "tile/entries/".to_string(),
        };
        format!("{head}{}", self.index_width())
    }

    /// `<N>[.p/<W>]`.
    pub fn index_width(&self) -> String {
        if self.is_full() { encode_index(self.index) } else { format!("{}.p/{}", encode_index(self.index), self.width) }
    }

    /// The first position (among the hashes of its level) this tile holds.
    fn first_hash(&self) -> Option<u64> {
        self.index.checked_mul(TILE_WIDTH)
    }

    /// Leaves per hash of this tile's level (`256^level`), if it fits.
    fn leaves_per_hash(&self) -> Option<u64> {
        1u64.checked_shl(TILE_HEIGHT * u32::from(self.level()))
    }

    /// Whether the tree of `size` leaves has this tile: its hashes are all
    /// complete (a partial one of width W exists once the tree has W of its
    /// hashes, and stays the same after that; spec: "MUST NOT be served"
    /// otherwise).
    pub fn exists_in(&self, size: u64) -> bool {
        let (Some(first), Some(per)) = (self.first_hash(), self.leaves_per_hash()) else { return false };
        let need = (u128::from(first) + u128::from(self.width)) * u128::from(per);
        need <= u128::from(size)
    }

    /// The leaves (entries) this tile's hashes span: `start..end`.
    pub fn leaf_range(&self) -> Option<std::ops::Range<u64>> {
        let first = self.first_hash()?;
        let per = self.leaves_per_hash()?;
        let start = first.checked_mul(per)?;
        let end = first.checked_add(u64::from(self.width))?.checked_mul(per)?;
        Some(start..end)
    }
}

/// The tiles (hash tiles of every level, full and partial) that represent
/// the tree of `size` leaves, level by level, as the spec describes: a tree
/// of 70,000 leaves has 273 full level-0 tiles and one of width 112, one
/// full level-1 tile and one of width 17, one level-2 tile of width 1.
pub fn tiles_for_size(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    let mut level = 0u8;
    let mut count = size; // hashes at this level
    while count > 0 && level <= MAX_TILE_LEVEL {
        let full = count / TILE_WIDTH;
        out.extend((0..full).map(|n| TilePath::hashes(level, n, TILE_WIDTH as u16)));
        let partial = (count % TILE_WIDTH) as u16;
        if partial > 0 {
            out.push(TilePath::hashes(level, full, partial));
        }
        count = full;
        level += 1;
    }
    out
}

/// The hash tiles of the tree of `new` leaves that the tree of `old` leaves
/// does not have (what a mirror at `old` has not yet seen), level by level.
pub fn tiles_grown(old: u64, new: u64) -> Vec<TilePath> {
    tiles_for_size(new).into_iter().filter(|t| !t.exists_in(old)).collect()
}

/// The entry bundles that hold entries `from..to`, the last one partial if
/// `to` is not a multiple of 256.
pub fn bundles_for_range(from: u64, to: u64) -> Vec<TilePath> {
    if from >= to {
        return Vec::new();
    }
    (from / TILE_WIDTH..to.div_ceil(TILE_WIDTH))
        .map(|n| {
            let end = ((n + 1) * TILE_WIDTH).min(to);
            TilePath::entries(n, (end - n * TILE_WIDTH) as u16)
        })
        .collect()
}

/// The hashes of levels 1 and up of a growing tree: `upper[k][j]` is the
/// RFC 6962 root of the `j`-th full block of `256^(k+1)` leaves.
#[derive(Clone, Debug, Default)]
pub struct TileHashes {
    upper: Vec<Vec<Hash>>,
    /// Leaves taken into account so far.
    size: u64,
}

impl TileHashes {
    pub fn new() -> TileHashes {
        TileHashes::default()
    }

    /// Leaves taken into account so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Takes the leaves appended since the last update (`leaves` is every
    /// leaf hash of the log, a prefix of which was seen before). Refuses a
    /// shorter slice than before: a tree never shrinks.
    pub fn update(&mut self, leaves: &[Hash]) -> Result<()> {
        let size = leaves.len() as u64;
        if size < self.size {
            return Err(LedgerError::State(format!("the tree shrank from {} to {size} leaves", self.size)));
        }
        if size > MAX_LEDGER_ENTRIES {
            return Err(LedgerError::TooLarge { what: "tree", size: leaves.len(), max: MAX_LEDGER_ENTRIES as usize });
        }
        self.size = size;
        let w = TILE_WIDTH as usize;
        let mut level = 0usize;
        loop {
            let below_len = if level == 0 { leaves.len() } else { self.upper[level - 1].len() };
            let complete = below_len / w;
            if complete == 0 {
                break;
            }
            if self.upper.len() <= level {
                self.upper.push(Vec::new());
            }
            while self.upper[level].len() < complete {
                let j = self.upper[level].len();
                let lower = if level == 0 { leaves } else { &self.upper[level - 1][..] };
                let h = merkle::root(&lower[j * w..(j + 1) * w]);
                self.upper[level].push(h);
            }
            level += 1;
        }
        Ok(())
    }

    /// The hashes at `level` (0: `leaves` itself).
    fn level<'a>(&'a self, leaves: &'a [Hash], level: u8) -> &'a [Hash] {
        match level {
            0 => leaves,
            l => self.upper.get(usize::from(l) - 1).map_or(&[][..], |v| &v[..]),
        }
    }

    /// The bytes of a hash tile of the tree of `leaves` (which must be the
    /// leaves this was last updated with), or `None` if the tree has no such
    /// tile ([`TilePath::exists_in`]).
    pub fn tile(&self, leaves: &[Hash], tile: &TilePath) -> Option<Vec<u8>> {
        let TileKind::Hashes(level) = tile.kind else { return None };
        if leaves.len() as u64 != self.size || !tile.exists_in(self.size) {
            return None;
        }
        let first = usize::try_from(tile.first_hash()?).ok()?;
        let hashes = self.level(leaves, level).get(first..first + usize::from(tile.width))?;
        Some(hashes.concat())
    }
}

/// The hashes of a hash tile's bytes; an error unless it holds exactly
/// `width` hashes.
pub fn parse_hash_tile(bytes: &[u8], width: u16) -> Result<Vec<Hash>> {
    if bytes.len() != usize::from(width) * HASH_BYTES {
        return Err(LedgerError::decode("hash tile", format!("{} bytes, expected {} hashes ({} bytes)", bytes.len(), width, usize::from(width) * HASH_BYTES)));
    }
    Ok(bytes.chunks_exact(HASH_BYTES).map(|c| c.try_into().unwrap_or([0; 32])).collect())
}

/// Whether every entry fits a spec (`u16`-prefixed) bundle.
pub fn fits_narrow(entries: &[impl AsRef<[u8]>]) -> bool {
    entries.iter().all(|e| e.as_ref().len() <= MAX_NARROW_ENTRY_BYTES)
}

/// An entry bundle: each entry prefixed with its length (`u16` big-endian
/// for [`BundleFormat::Narrow`], `u32` for [`BundleFormat::Wide`]). At most
/// 256 entries; an entry too long for the prefix is an error.
pub fn encode_bundle(entries: &[impl AsRef<[u8]>], format: BundleFormat) -> Result<Vec<u8>> {
    if entries.len() as u64 > TILE_WIDTH {
        return Err(LedgerError::TooLarge { what: "entries in a bundle", size: entries.len(), max: TILE_WIDTH as usize });
    }
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.as_ref().len() + 4).sum());
    for e in entries {
        let e = e.as_ref();
        match format {
            BundleFormat::Narrow => {
                let len = u16::try_from(e.len()).map_err(|_| LedgerError::TooLarge {
                    what: "entry in a tlog-tiles bundle",
                    size: e.len(),
                    max: MAX_NARROW_ENTRY_BYTES,
                })?;
                out.extend_from_slice(&len.to_be_bytes());
            }
            BundleFormat::Wide => {
                let len = u32::try_from(e.len()).map_err(|_| LedgerError::TooLarge { what: "entry", size: e.len(), max: crate::MAX_ENTRY_BYTES })?;
                out.extend_from_slice(&len.to_be_bytes());
            }
        }
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// The entries of a bundle; an error unless it holds exactly `count`
/// entries, each at most [`crate::MAX_ENTRY_BYTES`], and nothing after them.
pub fn decode_bundle(bytes: &[u8], format: BundleFormat, count: u16) -> Result<Vec<&[u8]>> {
    let bad = |why: String| LedgerError::decode("entry bundle", why);
    let prefix = match format {
        BundleFormat::Narrow => 2,
        BundleFormat::Wide => 4,
    };
    let mut out = Vec::with_capacity(usize::from(count));
    let mut rest = bytes;
    while !rest.is_empty() {
        if out.len() >= usize::from(count) {
            return Err(bad(format!("more than the {count} entries expected")));
        }
        if rest.len() < prefix {
            return Err(bad(format!("entry {}: truncated length", out.len())));
        }
        let (len, tail) = rest.split_at(prefix);
        let len = len.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len > crate::MAX_ENTRY_BYTES {
            return Err(bad(format!("entry {}: {len} bytes, over the limit", out.len())));
        }
        if tail.len() < len {
            return Err(bad(format!("entry {}: {len} bytes announced, {} left", out.len(), tail.len())));
        }
        let (entry, tail) = tail.split_at(len);
        out.push(entry);
        rest = tail;
    }
    if out.len() != usize::from(count) {
        return Err(bad(format!("{} entries, expected {count}", out.len())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn indexes_are_written_in_groups_of_three_as_the_spec_shows() {
        let cases = [(0, "000"), (5, "005"), (255, "255"), (999, "999"), (1000, "x001/000"), (1_234_067, "x001/x234/067"), (1_000_000, "x001/x000/000")];
        for (n, s) in cases {
            assert_eq!(encode_index(n), s);
            assert_eq!(parse_index(s), Some(n), "{s}");
        }
        assert_eq!(encode_index(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
        assert_eq!(parse_index(&encode_index(u64::MAX)), Some(u64::MAX));
        for bad in
            ["", "1", "01", "0000", "x001", "001/234", "x000/001", "x1/234", "x001/x234", "x0a1/000", "x001//000", "+01", "x018/x446/x744/x073/x709/x551/616"]
        {
            assert_eq!(parse_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn paths_parse_only_in_canonical_form() {
        let cases = [
            ("0/x001/x234/067", TilePath::hashes(0, 1_234_067, 256)),
            ("0/x001/x234/067.p/89", TilePath::hashes(0, 1_234_067, 89)),
            ("63/x999/x999/x999/x999/x999/999.p/255", TilePath::hashes(63, 999_999_999_999_999_999, 255)),
            ("2/000.p/1", TilePath::hashes(2, 0, 1)),
            ("entries/273.p/112", TilePath::entries(273, 112)),
            ("entries/x001/x000/000", TilePath::entries(1_000_000, 256)),
        ];
        for (s, want) in cases {
            let t = TilePath::parse(s).unwrap();
            assert_eq!(t, want, "{s}");
            assert_eq!(t.path(), format!("tile/{s}"));
        }
        for bad in ["0/1", "00/000", "64/000", "0/000.p/0", "0/000.p/256", "0/000.p/01", "0/000.p/", "entries", "foo/000", "0/000/", "-1/000", "0/000.p/1/2"] {
            assert!(TilePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_tiles_of_a_tree_are_those_the_spec_lists() {
        let t = tiles_for_size(70_000);
        let count = |level: u8, full: bool| t.iter().filter(|p| p.level() == level && p.is_full() == full).count();
        assert_eq!((count(0, true), count(1, true), count(2, true)), (273, 1, 0));
        let partial: Vec<(u8, u16)> = t.iter().filter(|p| !p.is_full()).map(|p| (p.level(), p.width)).collect();
        assert_eq!(partial, [(0, 112), (1, 17), (2, 1)]);
        let t = tiles_for_size(256);
        assert_eq!(t, [TilePath::hashes(0, 0, 256), TilePath::hashes(1, 0, 1)]);
        assert!(tiles_for_size(0).is_empty());
        for size in [1u64, 255, 256, 257, 65_535, 65_536, 70_000] {
            for tile in tiles_for_size(size) {
                assert!(tile.exists_in(size), "{tile:?} in {size}");
            }
        }
        assert!(!TilePath::hashes(0, 0, 5).exists_in(4));
        assert!(TilePath::hashes(0, 0, 5).exists_in(300));
        assert!(!TilePath::hashes(63, u64::MAX, 255).exists_in(u64::MAX));
        assert_eq!(tiles_grown(70_000, 70_000), []);
        assert_eq!(tiles_grown(255, 256), [TilePath::hashes(0, 0, 256), TilePath::hashes(1, 0, 1)]);
        assert_eq!(bundles_for_range(250, 600), [TilePath::entries(0, 256), TilePath::entries(1, 256), TilePath::entries(2, 88)]);
        assert_eq!(bundles_for_range(512, 512), []);
    }

    fn leaves(n: u32) -> Vec<Hash> {
        (0..n).map(|i| merkle::leaf_hash(&i.to_be_bytes())).collect()
    }

    /// Every tile's hashes, rehashed as the spec says, give the RFC 6962
    /// root of the range it spans; and the tiles are immutable as the tree
    /// grows.
    #[test]
    fn hash_tiles_span_the_subtrees_the_spec_defines() {
        let all = leaves(70_000);
        let mut th = TileHashes::new();
        let mut seen = std::collections::HashMap::new();
        for size in [0usize, 1, 255, 256, 257, 512, 65_535, 65_536, 65_537, 70_000] {
            th.update(&all[..size]).unwrap();
            for tile in tiles_for_size(size as u64) {
                let bytes = th.tile(&all[..size], &tile).unwrap();
                let hashes = parse_hash_tile(&bytes, tile.width).unwrap();
                let range = tile.leaf_range().unwrap();
                let per = (range.end - range.start) / u64::from(tile.width);
                for (i, h) in hashes.iter().enumerate() {
                    let s = (range.start + i as u64 * per) as usize;
                    assert_eq!(h, &merkle::root(&all[s..s + per as usize]), "{tile:?} hash {i}");
                }
                if let Some(before) = seen.insert(tile, bytes.clone()) {
                    assert_eq!(before, bytes, "{tile:?} changed");
                }
            }
            assert!(th.tile(&all[..size], &TilePath::hashes(0, 0, 256)).is_some() == (size >= 256));
        }
        assert!(th.update(&all[..10]).is_err(), "a tree does not shrink");
    }

    /// Vector computed independently with Python's hashlib: leaf `i` is the
    /// 4-byte big-endian `i`; SHA-256 of the tile bytes.
    #[test]
    fn hash_tile_vector() {
        let all = leaves(70_000);
        let mut th = TileHashes::new();
        th.update(&all).unwrap();
        let digest = |t: TilePath| hex::encode(&crate::sha256(&th.tile(&all, &t).unwrap()));
        assert_eq!(digest(TilePath::hashes(1, 1, 17)), "863ef73fc3b5a762d44e032d862a290dec917c77195eef6d833bea4eb31f040a");
        assert_eq!(digest(TilePath::hashes(2, 0, 1)), "aabd99b22cae1342f5bcaa4693b5bb37f9b7fe061ae10796a473511d19759789");
        assert_eq!(hex::encode(&merkle::root(&all)), "339ecf3ae716405fdc28cef164e45a785cade0d5bc3e1400a7a4d70d0b2dec9b");
        assert_eq!(digest(TilePath::hashes(0, 273, 112)), "9b57fcecc3174fe71094d34d1a0f9360a327fc8f469175be773701506d8b8f9f");
    }

    #[test]
    fn bundles_round_trip_and_refuse_what_does_not_fit() {
        let entries: Vec<Vec<u8>> = vec![b"genesis".to_vec(), Vec::new(), vec![7; 300]];
        let narrow = encode_bundle(&entries, BundleFormat::Narrow).unwrap();
        assert_eq!(&narrow[..9], b"\x00\x07genesis");
        assert_eq!(decode_bundle(&narrow, BundleFormat::Narrow, 3).unwrap(), entries.iter().map(|e| &e[..]).collect::<Vec<_>>());
        assert!(decode_bundle(&narrow, BundleFormat::Narrow, 2).is_err());
        assert!(decode_bundle(&narrow, BundleFormat::Narrow, 4).is_err());
        assert!(decode_bundle(&narrow[..narrow.len() - 1], BundleFormat::Narrow, 3).is_err());
        let wide = encode_bundle(&entries, BundleFormat::Wide).unwrap();
        assert_eq!(&wide[..4], &[0, 0, 0, 7]);
        assert_eq!(decode_bundle(&wide, BundleFormat::Wide, 3).unwrap().len(), 3);
        let long = vec![vec![1u8; MAX_NARROW_ENTRY_BYTES + 1]];
        assert!(!fits_narrow(&long));
        assert!(encode_bundle(&long, BundleFormat::Narrow).is_err());
        assert_eq!(decode_bundle(&encode_bundle(&long, BundleFormat::Wide).unwrap(), BundleFormat::Wide, 1).unwrap()[0].len(), MAX_NARROW_ENTRY_BYTES + 1);
        assert!(encode_bundle(&vec![Vec::<u8>::new(); 257], BundleFormat::Narrow).is_err());
        assert!(decode_bundle(&[0xff, 0xff, 0xff, 0xff], BundleFormat::Wide, 1).is_err());
    }
}
