//! The casus server: a JSON API, signed writes and a server-rendered
//! dashboard over one ledger.
//!
//! This crate exists so that delegations, analysts and exercise players can
//! use casus from a browser or an integration, over a ledger they can check.
//! It is glue between HTTP and the pure crates: the state comes from
//! `casus-engine`, act checks from `casus-lang`, bytes, keys and proofs from
//! `casus-ledger`. It never opens a store by itself: the caller hands it a
//! [`StoreOpener`], so the same code serves SQLite, PostgreSQL and memory.
//!
//! - [`config`]: how the server runs ([`Config`], the injected clock,
//!   cosigner and append feed) and the limits on concurrent work.
//! - [`data`]: the ledger replayed in memory (treaty, acts, entry index,
//!   Merkle leaves), one entry at a time.
//! - [`state`]: the shared state ([`AppState`]): the log in memory, the
//!   writer's store handle, questions resolved and answered (reports,
//!   explanations); [`cache`] the caches it keeps.
//! - [`checkpoints`]: checkpoints signed and cosigned after appends, the
//!   verification badge, proof bundles.
//! - [`background`]: keeping up with other processes' appends (the append
//!   feed, or polling), the event streams, the background ticks.
//! - [`auth`]: the token gate.
//! - [`ingest`]: `POST /api/acts`: signed entries checked against the key
//!   registry and the treaty, then appended durably.
//! - [`api`]: the JSON endpoints, [`openapi`] their OpenAPI document.
//! - [`pages`]: the dashboard (askama templates compiled in, assets
//!   embedded), [`svg`] its hand-written charts.
//! - [`client`]: the other side: a small HTTP/1.1 client and the signing of
//!   act files, for the command line, the tests and the load generator.
//! - [`tiles`]: the log as C2SP `tlog-tiles` (`/checkpoint`, `/tile/…`),
//!   for mirrors and monitors.
//! - [`serve`]: the accept loop, with its connection cap and timeouts.
//! - [`error`]: the one JSON error shape.

pub mod api;
pub mod auth;
pub mod background;
pub mod cache;
pub mod checkpoints;
pub mod client;
pub mod config;
pub mod data;
pub mod demo;
pub mod error;
pub mod exercise;
pub mod ingest;
pub mod openapi;
pub mod pages;
pub mod serve;
pub mod state;
pub mod svg;
pub mod tiles;

pub use config::{AppendFeed, Config, StoreOpener};
pub use error::ApiError;
pub use state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Largest request body accepted, in bytes (a batch of signed acts and their
/// text; the ledger's own limit on one act is 256 KiB).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Most entries listed in one page of `/api/entries`.
pub const MAX_PAGE_ENTRIES: u64 = 500;
/// Most signed entries in one `POST /api/acts`.
pub const MAX_BATCH_ACTS: usize = 1000;

/// The whole application: API, dashboard and static assets, with the token
/// check, body limit and request logging.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/state", get(api::state))
        .route("/api/cases", get(api::cases))
        .route("/api/documents", get(api::documents))
        .route("/api/documents/{id}", get(api::document))
        .route("/api/explain", get(api::explain))
        .route("/api/treaty", get(api::treaty))
        .route("/api/head", get(api::head))
        .route("/api/entries", get(api::entries))
        .route("/api/entries/{seq}", get(api::entry))
        .route("/api/checkpoints", get(api::checkpoints))
        .route("/api/proofs/inclusion", get(api::inclusion))
        .route("/api/proofs/consistency", get(api::consistency))
        .route("/api/proofs/bundle", get(api::bundle))
        .route("/api/verify", get(api::verify))
        .route("/api/events", get(api::events))
        .route("/api/acts", post(ingest::post_acts))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .merge(tiles::routes());
    let pages = Router::new()
        .route("/", get(pages::overview))
        .route("/cases", get(pages::cases))
        .route("/documents", get(pages::documents))
        .route("/timeline", get(pages::timeline))
        .route("/explain", get(pages::explain))
        .route("/ledger", get(pages::ledger));
    Router::new()
        .merge(api)
        .merge(pages)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_token))
        .route("/static/{file}", get(pages::asset))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    // The path only: a query string may carry `?token=`.
                    tracing::info_span!("request", method = %req.method(), path = %error::clipped(req.uri().path()))
                })
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO))
                // A 5xx a client can cause at will (503 `busy`) is a warning;
                // an internal error is logged at ERROR where it happens.
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .with_state(state)
}
