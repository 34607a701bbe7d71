//! The log as C2SP `tlog-tiles`: `/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
//! `/tile/entries/<N>[.p/<W>]`.
//!
//! This module exists so that mirrors (`casus ledger mirror`) and the
//! transparency-log ecosystem's monitors can fetch the whole log as static,
//! cacheable resources. The tile arithmetic, the path grammar and the
//! bundle bytes are the ledger's (`casus_ledger::TileHashes`, …); this is only their HTTP side:
//!
//! - `/checkpoint`: the latest stored C2SP checkpoint note with its
//!   witnesses' cosignatures (`text/plain; charset=utf-8`, cached 2 s at most);
//! - `/tile/<L>/<N>[.p/<W>]`: hash tiles from the leaf hashes the server
//!   holds in memory (levels 1 and up kept by a [`TileHashes`] that grows
//!   with the log); a tile the log does not have yet is 404;
//! - `/tile/entries/<N>[.p/<W>]`: entry bundles (`u16` length prefixes), read
//!   from the store and checked against the leaf hashes held in memory
//!   (a store changed under the server is an internal error, never served);
//!   full bundles are kept in a bounded cache. A bundle holding an entry
//!   longer than 65,535 bytes cannot be written with `u16` prefixes: it is
//!   answered 422 `entry_too_long`, and served at
//!   `/casus/entries/<N>[.p/<W>]` with `u32` prefixes (the spec's "different
//!   URL" for another encoding).
//!
//! Tiles and bundles never change once they exist (a partial one of width
//! W is the same in every tree that has it), so they carry long-lived,
//! immutable cache headers. They sit behind the same token check as the API.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use casus_ledger::{BundleFormat, TileHashes, TileKind, TilePath, encode_bundle, fits_narrow};

use crate::error::{ApiError, blocking};
use crate::state::AppState;
use casus_ledger::leaf_hash;

/// Cache header of tiles and bundles: they never change once they exist.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache header of `/checkpoint`: it moves with the log (the spec: no
/// caching beyond a few seconds).
pub const CHECKPOINT_CACHE: &str = "public, max-age=2";
/// How long the server reuses the latest checkpoint note it read from the
/// store before reading it again.
pub const CHECKPOINT_REREAD: Duration = Duration::from_millis(200);
/// Bytes of full entry bundles kept in memory.
pub const MAX_BUNDLE_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// What the tile endpoints keep between requests.
#[derive(Default)]
pub struct Tiles {
    hashes: RwLock<TileHashes>,
    note: Mutex<Option<(Instant, Option<Bytes>)>>,
    bundles: Mutex<BundleCache>,
}

/// Full bundles as served, oldest first out.
#[derive(Default)]
struct BundleCache {
    map: HashMap<(u64, bool), Bytes>,
    order: VecDeque<(u64, bool)>,
    bytes: usize,
}

impl BundleCache {
    fn get(&self, key: (u64, bool)) -> Option<Bytes> {
        self.map.get(&key).cloned()
    }
    fn insert(&mut self, key: (u64, bool), bytes: Bytes) {
        if bytes.len() > MAX_BUNDLE_CACHE_BYTES || self.map.contains_key(&key) {
            return;
        }
        while self.bytes + bytes.len() > MAX_BUNDLE_CACHE_BYTES {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(b) = self.map.remove(&old) {
                self.bytes -= b.len();
            }
        }
        self.bytes += bytes.len();
        self.order.push_back(key);
        self.map.insert(key, bytes);
    }
}

/// The routes, to merge into the application (behind its token check).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*path}", get(tile))
        .route("/casus/entries/{*path}", get(wide_bundle))
        .layer(Extension(Arc::new(Tiles::default())))
}

fn octets(bytes: impl Into<Bytes>) -> Response {
    let bytes: Bytes = bytes.into();
    let mut r = (StatusCode::OK, bytes).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    r
}

fn no_tile(t: &TilePath, size: u64) -> ApiError {
    ApiError::not_found(format!("the log ({size} entries) has no {} yet", t.path()))
}

/// `GET /checkpoint`: the latest checkpoint note, with its cosignatures.
pub async fn checkpoint(State(s): State<AppState>, Extension(tiles): Extension<Arc<Tiles>>) -> Result<Response, ApiError> {
    let note = blocking(move || latest_note(&s, &tiles)).await?;
    let Some(note) = note else {
        return Err(ApiError::not_found("no checkpoint note yet: the operator signs one with `casus ledger checkpoint` (or `casus serve --operator-key`)"));
    };
    let mut r = (StatusCode::OK, note).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CHECKPOINT_CACHE));
    Ok(r)
}

/// The latest stored note, re-read at most every [`CHECKPOINT_REREAD`]; if
/// it is of a larger tree than the server holds (another process appended),
/// the server reads the new entries first, so that its tiles exist.
fn latest_note(s: &AppState, tiles: &Tiles) -> Result<Option<Bytes>, ApiError> {
    let mut cached = tiles.note.lock().map_err(|_| ApiError::internal("tile note lock poisoned"))?;
    if let Some((at, note)) = cached.as_ref()
        && at.elapsed() < CHECKPOINT_REREAD
    {
        return Ok(note.clone());
    }
    let latest = s.open_store()?.latest_checkpoint_note().map_err(ApiError::internal)?;
    if let Some((size, _)) = &latest
        && *size > s.data()?.size()
    {
        s.sync()?;
    }
    let note = latest.map(|(_, bytes)| Bytes::from(bytes));
    *cached = Some((Instant::now(), note.clone()));
    Ok(note)
}

/// `GET /tile/<L>/<N>[.p/<W>]` and `GET /tile/entries/<N>[.p/<W>]`.
pub async fn tile(State(s): State<AppState>, Extension(tiles): Extension<Arc<Tiles>>, path: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let Path(path) = path.map_err(crate::api::path_error)?;
    let t = TilePath::parse(&path).map_err(|e| ApiError::bad_request(e.to_string()).code("bad_tile_path"))?;
    match t.kind {
        TileKind::Hashes(_) => match hash_tile_ready(&s, &tiles, &t)? {
            Some(bytes) => Ok(octets(bytes)),
            // The upper levels must first take the new leaves: off the async workers.
            None => blocking(move || hash_tile(&s, &tiles, &t)).await.map(octets),
        },
        TileKind::Entries => blocking(move || bundle(&s, &tiles, &t, BundleFormat::Narrow)).await.map(octets),
    }
}

/// `GET /casus/entries/<N>[.p/<W>]`: an entry bundle with `u32` length
/// prefixes, for bundles holding an entry too long for the spec's `u16`.
pub async fn wide_bundle(
    State(s): State<AppState>,
    Extension(tiles): Extension<Arc<Tiles>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(path) = path.map_err(crate::api::path_error)?;
    let t = TilePath::parse_index_width(TileKind::Entries, &path).ok_or_else(|| {
        ApiError::bad_request(format!("`{}` is not <N>[.p/<W>] (N in groups of three digits, x001/x234/067)", crate::error::clipped(&path)))
            .code("bad_tile_path")
    })?;
    blocking(move || bundle(&s, &tiles, &t, BundleFormat::Wide)).await.map(octets)
}

/// A hash tile of the log as the server holds it, if the upper levels
/// have taken every leaf already (`None`: [`hash_tile`] must update them).
fn hash_tile_ready(s: &AppState, tiles: &Tiles, t: &TilePath) -> Result<Option<Vec<u8>>, ApiError> {
    let data = s.data()?;
    let size = data.size();
    if !t.exists_in(size) {
        return Err(no_tile(t, size));
    }
    let hashes = tiles.hashes.read().map_err(|_| ApiError::internal("tile lock poisoned"))?;
    if hashes.size() != size {
        return Ok(None);
    }
    hashes.tile(data.log.leaves(), t).map(Some).ok_or_else(|| no_tile(t, size))
}

/// A hash tile of the log as the server holds it, after the upper levels
/// take the leaves appended since they last did.
fn hash_tile(s: &AppState, tiles: &Tiles, t: &TilePath) -> Result<Vec<u8>, ApiError> {
    let data = s.data()?;
    let size = data.size();
    if !t.exists_in(size) {
        return Err(no_tile(t, size));
    }
    let mut hashes = tiles.hashes.write().map_err(|_| ApiError::internal("tile lock poisoned"))?;
    if hashes.size() != size {
        hashes.update(data.log.leaves()).map_err(ApiError::internal)?;
    }
    hashes.tile(data.log.leaves(), t).ok_or_else(|| no_tile(t, size))
}

/// An entry bundle, from the store, each entry checked against the leaf
/// hash the server holds.
fn bundle(s: &AppState, tiles: &Tiles, t: &TilePath, format: BundleFormat) -> Result<Bytes, ApiError> {
    let key = (t.index, format == BundleFormat::Wide);
    if t.is_full()
        && let Some(b) = tiles.bundles.lock().map_err(|_| ApiError::internal("bundle cache lock poisoned"))?.get(key)
    {
        return Ok(b);
    }
    let (range, leaves) = {
        let data = s.data()?;
        let size = data.size();
        let range = t.leaf_range().filter(|_| t.exists_in(size)).ok_or_else(|| no_tile(t, size))?;
        let leaves = data.log.leaves().get(range.start as usize..range.end as usize).map(<[_]>::to_vec).ok_or_else(|| no_tile(t, size))?;
        (range, leaves)
    };
    let rows = s.open_store()?.read_range(range.start, range.end).map_err(ApiError::internal)?;
    if rows.len() != leaves.len()
        || rows.iter().zip(&leaves).enumerate().any(|(i, ((pos, bytes), leaf))| *pos != range.start + i as u64 || leaf_hash(bytes) != *leaf)
    {
        return Err(ApiError::internal(format!("entries {}..{} in the store differ from those the server replayed", range.start, range.end)));
    }
    let entries: Vec<Vec<u8>> = rows.into_iter().map(|(_, b)| b).collect();
    if format == BundleFormat::Narrow && !fits_narrow(&entries) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "entry_too_long",
            format!(
                "{} holds an entry longer than 65,535 bytes, more than a tlog-tiles bundle's u16 length allows: fetch /casus/entries/{} (u32 lengths)",
                t.path(),
                t.index_width()
            ),
        ));
    }
    let bytes = Bytes::from(encode_bundle(&entries, format).map_err(ApiError::internal)?);
    if t.is_full() {
        tiles.bundles.lock().map_err(|_| ApiError::internal("bundle cache lock poisoned"))?.insert(key, bytes.clone());
    }
    Ok(bytes)
}
