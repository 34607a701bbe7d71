//! The OpenAPI document of `/api/`: the list of paths. Every schema is
//! derived from the type the handler answers with: the server's bodies
//! here, the wire types of `casus-query` (the report, the explanation) through
//! its `openapi` feature, so no schema is kept by hand. The document
//! is committed as `docs/openapi.json`; a test fails when it is stale.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "casus",
        description = "Executable collective-security treaties: the state of an alliance on any date as known at any date, under every reading of the text; explanations; a signed, verifiable ledger of acts."
    ),
    paths(
        crate::api::state,
        crate::api::cases,
        crate::api::documents,
        crate::api::document,
        crate::api::explain,
        crate::api::treaty,
        crate::api::head,
        crate::api::entries,
        crate::api::entry,
        crate::api::checkpoints,
        crate::api::inclusion,
        crate::api::consistency,
        crate::api::bundle,
        crate::api::verify,
        crate::api::events,
        crate::ingest::post_acts,
        openapi_json,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail))
)]
pub struct ApiDoc;

/// The document as served and committed.
pub fn document() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "The OpenAPI document")))]
pub async fn openapi_json() -> axum::response::Response {
    crate::api::json_bytes(axum::body::Bytes::from(document()))
}
