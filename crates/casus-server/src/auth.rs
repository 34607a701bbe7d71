//! The token gate: with a token configured, every page and endpoint
//! (static assets aside) needs it, as a bearer header, a cookie, or once
//! in the address. Compared in constant time; never logged.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

fn same(a: &[u8], b: &[u8]) -> bool {
    // Constant time in the contents: the token is a secret.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const TOKEN_COOKIE: &str = "casus_token";

/// With a token configured, every request needs it: `Authorization: Bearer
/// TOKEN`, the `casus_token` cookie, or `?token=TOKEN` (which sets the
/// cookie, so a browser asks once).
pub async fn require_token(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = s.0.config.token.clone() else { return next.run(req).await };
    let t = token.as_bytes();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .is_some_and(|(_, v)| same(v.trim().as_bytes(), t));
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .any(|(k, v)| k == TOKEN_COOKIE && same(v.as_bytes(), t));
    let query = req.uri().query().map(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "token" && same(v.as_bytes(), t))).unwrap_or(false);
    if bearer || cookie {
        return next.run(req).await;
    }
    if query {
        let mut resp = next.run(req).await;
        if let Ok(v) = HeaderValue::from_str(&format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        return resp;
    }
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "this server needs a token: send `Authorization: Bearer TOKEN`, or open any page once with ?token=TOKEN",
    )
    .into_response()
}
