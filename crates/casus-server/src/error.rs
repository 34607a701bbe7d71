//! The one error shape of the API: `{"error": {"status", "code", "message"}}`.
//!
//! Every failure a client can see goes through [`ApiError`]: bad query
//! parameters, unparsable bodies (axum's rejections are converted, never
//! passed through), unknown routes, refused acts. Messages say what the
//! client did wrong; internal failures (a store error, a panic in a worker)
//! are logged in full and answered with a generic `internal` message, so no
//! path, SQL or stack detail leaks.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// A stable machine-readable word (`bad_request`, `not_found`, `stale_head`, …).
    pub code: &'static str,
    pub message: String,
    /// Further lines (diagnostics of a refused act).
    pub details: Vec<String>,
}

/// The JSON body of every error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    pub status: u16,
    /// A stable word naming the kind of failure.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// Further lines, such as the diagnostics of a refused act.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), details: Vec::new() }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// An internal failure: logged with its detail, answered without it.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {detail}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed to answer; the operator's log has the detail")
    }
    pub fn with_details(mut self, details: Vec<String>) -> ApiError {
        self.details = details;
        self
    }
}

impl ApiError {
    fn body(self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { status: self.status.as_u16(), code: self.code.to_string(), message: self.message, details: self.details } }
    }

    /// The JSON bytes of the error body (for answers written below axum).
    pub fn body_json(self) -> Vec<u8> {
        // Serializing strings and numbers cannot fail.
        serde_json::to_vec(&self.body()).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut r = (status, Json(self.body())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        r
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        use axum::extract::rejection::JsonRejection as J;
        match r {
            J::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the request body is over the limit of {} bytes", crate::MAX_BODY_BYTES))
            }
            J::MissingJsonContentType(_) => ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json"),
            // serde's message names the field and position; it holds nothing of ours.
            J::JsonDataError(e) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "malformed", format!("the body does not match the schema: {}", e.body_text()))
            }
            J::JsonSyntaxError(e) => ApiError::bad_request(format!("the body is not JSON: {}", e.body_text())).code("malformed"),
            other => ApiError::new(other.status(), "bad_request", "the request body could not be read"),
        }
    }
}

impl ApiError {
    pub fn code(mut self, code: &'static str) -> ApiError {
        self.code = code;
        self
    }
}

/// Most characters of a request's own words (a path, a value) echoed in an
/// error or a log line; the rest is cut, marked with `…`.
pub const MAX_ECHO_CHARS: usize = 200;

/// `text` cut to [`MAX_ECHO_CHARS`] characters.
pub fn clipped(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// Unknown routes.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no such page or endpoint: {}", clipped(uri.path())))
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method")
}

/// Runs blocking work (store IO, derivations) off the async threads and
/// turns a panic into an internal error.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::internal(e)),
    }
}
