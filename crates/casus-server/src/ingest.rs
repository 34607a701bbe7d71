//! `POST /api/acts`: writing by signature only.
//!
//! The client signs the ledger's own entries (`casus/entry/v2`,
//! docs/LEDGER.md) for the next positions of the log, so the stored bytes
//! are the bytes the actor signed: the server holds no party's key and
//! re-serializes nothing. The body also carries the acts as text in the
//! record format, so the treaty's record checks (`casus-lang`: a member acts
//! as a member, names exist, documents and cases were opened before) run on
//! exactly what people read; each act must encode to the signed payload
//! byte for byte.
//!
//! A request is refused, with a 4xx and a reason, and nothing written, when:
//! the body is malformed or too large; an entry is not an act; the text and
//! the entries disagree; the treaty does not allow an act; the signer key is
//! unknown, revoked, or not registered for the act's actor (a party signs
//! only for itself); the signature does not verify; the record time is
//! outside the allowed skew of the server's clock; an act's id is already
//! in the ledger; or the entries do not extend the current head. The last
//! refuses a replayed request: its positions are taken, and `seq` and
//! `prev` are signed; the id check refuses the same act signed again.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use casus_ledger::encode::encode_act;
use casus_ledger::entry::{EntryKind, EntryView};
use casus_ledger::{LedgerError, Tamper, hex, keys};
use serde::{Deserialize, Serialize};

use crate::MAX_BATCH_ACTS;
use crate::error::{ApiError, blocking};
use crate::state::AppState;

/// A batch of signed acts.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SignedActs {
    /// How to read `text`: a name ending in `.md` is literate Markdown with
    /// ```acts blocks; anything else is one acts block.
    #[serde(default)]
    pub name: String,
    /// The acts in the record format, in the order of `entries`.
    pub text: String,
    /// The signed entries (hex of the stored bytes), one per act, for
    /// positions `head.size`, `head.size + 1`, …, each `prev` linking to the
    /// one before, as docs/LEDGER.md specifies.
    pub entries: Vec<String>,
}

/// What was appended.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Clone, Debug)]
pub struct Appended {
    pub first: u64,
    pub last: u64,
    /// The log's size after the append.
    pub size: u64,
    /// Merkle root (hex) after the append.
    pub root: String,
}

/// Why the ledger's rules refused an entry, as an API error.
fn refusal(seq: u64, t: &Tamper) -> ApiError {
    use StatusCode as S;
    let (status, code) = match t {
        Tamper::Reordered { .. } | Tamper::MissingEntry | Tamper::BrokenChain => (S::CONFLICT, "stale_head"),
        Tamper::RecordTimeBackwards => (S::CONFLICT, "record_time"),
        Tamper::UnknownKey => (S::FORBIDDEN, "unknown_key"),
        Tamper::RevokedKey => (S::FORBIDDEN, "revoked_key"),
        Tamper::WrongSigner(_) => (S::FORBIDDEN, "wrong_signer"),
        Tamper::BadSignature | Tamper::SwappedSignature { .. } => (S::FORBIDDEN, "bad_signature"),
        Tamper::Malformed(_) => (S::BAD_REQUEST, "malformed"),
        _ => (S::UNPROCESSABLE_ENTITY, "refused"),
    };
    let msg = match code {
        "stale_head" => format!("entry {seq} does not extend the ledger's head: the request was replayed, or the ledger moved; fetch /api/head and sign again"),
        _ => format!("entry {seq}: {t}"),
    };
    ApiError::new(status, code, msg)
}

pub use crate::state::MAX_CONCURRENT_WRITES;
/// Most diagnostics listed in a refusal's `details`; a last line says how
/// many more there were.
pub const MAX_DETAILS: usize = 100;
/// Most lines of acts text (inside acts blocks) per signed entry: an act's
/// head line, its fields and sources. Prose of a `.md` text is not counted.
pub const MAX_TEXT_LINES_PER_ACT: usize = 64;

/// The lines of a request's text that the act parser reads: those of a
/// plain acts text, or those inside ```acts blocks of a `.md` one, as
/// (head lines at column 0, all lines).
fn act_lines(name: &str, text: &str) -> (usize, usize) {
    let markdown = name.ends_with(".md");
    let mut inside = !markdown;
    let (mut heads, mut lines) = (0, 0);
    for line in text.lines() {
        if markdown {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                inside = !inside && t[3..].trim_start().starts_with("acts");
                continue;
            }
        }
        if !inside {
            continue;
        }
        lines += 1;
        let first = line.chars().next();
        if first.is_some_and(|c| !c.is_whitespace() && c != '#') {
            heads += 1;
        }
    }
    (heads, lines)
}

/// What can be checked before the text is parsed, cheaply and in bounded
/// memory: the text's size against the number of entries, the positions,
/// and every signature. A request that fails here costs no parse, so junk
/// text can only be sent along with entries signed by a registered key.
fn precheck(s: &AppState, req: &SignedActs, views: &[EntryView]) -> Result<(), ApiError> {
    let (heads, lines) = act_lines(&req.name, &req.text);
    // One head line per act, and an optional `record "…"` header.
    if heads > views.len() + 1 {
        return Err(unprocessable("act_mismatch", format!("the text has {heads} head lines for {} entries: send one entry per act", views.len())));
    }
    if lines > views.len().saturating_mul(MAX_TEXT_LINES_PER_ACT) {
        return Err(unprocessable(
            "act_mismatch",
            format!("the text has {lines} lines of acts for {} entries (at most {MAX_TEXT_LINES_PER_ACT} per act)", views.len()),
        ));
    }
    // A key another process registered a moment ago is not unknown: read
    // the store's new entries once before saying so.
    if !signers_known(s, views)? {
        // A log that no longer replays is logged by `sync`; the checks
        // below then answer on what the server holds.
        let _ = s.sync();
    }
    let data = s.data()?;
    let size = data.size();
    for v in views {
        if v.seq < size {
            return Err(refusal(v.seq, &Tamper::Reordered { found: v.seq }));
        }
        let Some(k) = data.replay.registry.get(&v.signer) else {
            return Err(refusal(v.seq, &Tamper::UnknownKey));
        };
        if !keys::verify_strict(&k.key, v.signed, &v.signature) {
            return Err(refusal(v.seq, &Tamper::BadSignature));
        }
    }
    Ok(())
}

fn signers_known(s: &AppState, views: &[EntryView]) -> Result<bool, ApiError> {
    let data = s.data()?;
    Ok(views.iter().all(|v| data.replay.registry.get(&v.signer).is_some()))
}

#[utoipa::path(post, path = "/api/acts", request_body = SignedActs, responses(
    (status = 201, description = "Appended durably", body = Appended),
    (status = 400, description = "Malformed body or entry", body = crate::error::ErrorBody),
    (status = 403, description = "Unknown or revoked key, a party signing for another, a bad signature", body = crate::error::ErrorBody),
    (status = 409, description = "Stale head (a replayed request, or the ledger moved), record time, or an act id already in the ledger", body = crate::error::ErrorBody),
    (status = 413, description = "Body over the limit", body = crate::error::ErrorBody),
    (status = 422, description = "The treaty does not allow the act, or the text and the entries disagree", body = crate::error::ErrorBody),
    (status = 503, description = "Too many writes at once: retry after a second", body = crate::error::ErrorBody)))]
/// Appends signed acts (see the module documentation for what is checked).
pub async fn post_acts(State(s): State<AppState>, req: Request) -> Result<(StatusCode, Json<Appended>), ApiError> {
    // The permit is taken before the body is read, so at most
    // MAX_CONCURRENT_WRITES bodies are in memory at once.
    let Ok(_permit) = s.0.writes.clone().try_acquire_owned() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!("the server is checking {MAX_CONCURRENT_WRITES} writes already; retry in a second"),
        ));
    };
    let json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json") || m.trim().ends_with("+json"));
    if !json {
        return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json"));
    }
    let bytes = axum::body::Bytes::from_request(req, &s).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the request body is over the limit of {} bytes", crate::MAX_BODY_BYTES))
        } else {
            ApiError::bad_request("the request body could not be read")
        }
    })?;
    let s2 = s.clone();
    // Parsed off the async threads: 2 MiB of JSON takes a while, and the
    // threads that answer everyone else must not wait for it.
    let (appended, metas) = blocking(move || append(&s2, &parse_body(&bytes)?)).await?;
    s.announce(metas);
    Ok((StatusCode::CREATED, Json(appended)))
}

/// The body as [`SignedActs`], with the error codes of the JSON extractor.
fn parse_body(bytes: &[u8]) -> Result<SignedActs, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        // serde's message names the field and position; it holds nothing of ours.
        serde_json::error::Category::Data => unprocessable("malformed", format!("the body does not match the schema: {e}")),
        _ => ApiError::bad_request(format!("the body is not JSON: {e}")).code("malformed"),
    })
}

fn unprocessable(code: &'static str, msg: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
}

/// Checks and appends a batch; returns what was appended and the entry
/// listings to announce.
pub fn append(s: &AppState, req: &SignedActs) -> Result<(Appended, Vec<crate::state::EntryMeta>), ApiError> {
    if req.entries.is_empty() || req.entries.len() > MAX_BATCH_ACTS {
        return Err(ApiError::bad_request(format!("send between 1 and {MAX_BATCH_ACTS} entries")));
    }
    let mut raw = Vec::with_capacity(req.entries.len());
    for (i, h) in req.entries.iter().enumerate() {
        let bytes = hex::decode(h).ok_or_else(|| ApiError::bad_request(format!("entries[{i}] is not hex")).code("malformed"))?;
        if bytes.len() > casus_ledger::MAX_ACT_BYTES + 512 {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("entries[{i}] is over the act limit")));
        }
        raw.push(bytes);
    }
    let mut views = Vec::with_capacity(raw.len());
    for (i, b) in raw.iter().enumerate() {
        let v = EntryView::parse(b).map_err(|e| ApiError::bad_request(format!("entries[{i}] does not decode: {e}")).code("malformed"))?;
        if v.kind != EntryKind::Act {
            return Err(unprocessable("not_an_act", format!("entries[{i}] is not an act: keys change only through the operator")));
        }
        views.push(v);
    }
    precheck(s, req, &views)?;
    check_text(s, req, &views)?;
    let now = s.now();
    let skew = s.config().max_skew_secs;
    for v in &views {
        if v.record_time.abs_diff(now) > skew.unsigned_abs() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "record_time",
                format!(
                    "entry {}: its record time is {} s from the server's clock (at most {skew} s); check the clock and sign again",
                    v.seq,
                    v.record_time.abs_diff(now)
                ),
            ));
        }
    }

    let inner = &s.0;
    let mut store = inner.writer.lock().map_err(|_| ApiError::internal("writer lock poisoned"))?;
    let mut outside: Vec<Vec<u8>> = Vec::new();
    let mut failure: Option<ApiError> = None;
    let result = store.append(&mut |reader, len| {
        let data = inner.data.read().map_err(|_| LedgerError::State("data lock poisoned".into()))?;
        let mut replay = data.replay.clone();
        // Act ids, checked again here under the writer lock: a concurrent
        // request may have appended the same id since `check_text` ran.
        let mut ids_now: std::collections::HashSet<String> = std::collections::HashSet::new();
        let taken = |id: &str, ids_now: &std::collections::HashSet<String>| data.ids.contains(id) || ids_now.contains(id);
        let mut duplicate: Option<String> = None;
        // Entries another process appended since we last looked.
        outside.clear();
        let mut pos = replay.size;
        while pos < len {
            let rows = reader.read_range(pos, len.min(pos + 4096))?;
            if rows.is_empty() {
                return Err(LedgerError::State(format!("entry {pos} is missing")));
            }
            for (_, b) in rows {
                let (view, _) = replay.step(&b).map_err(|(seq, t)| LedgerError::State(format!("entry {seq}: {t}")))?;
                // Another process wrote it: check its signature before
                // chaining on it, as for our own writes.
                let good = replay.registry.get(&view.signer).is_some_and(|k| keys::verify_strict(&k.key, view.signed, &view.signature));
                if !good {
                    failure = Some(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ledger_does_not_verify",
                        format!("entry {} of the ledger has a bad signature; nothing can be appended until the operator restores the log", view.seq),
                    ));
                    return Err(LedgerError::Tampered { entry: view.seq, kind: Tamper::BadSignature });
                }
                if view.kind == EntryKind::Act
                    && let Ok(f) = casus_ledger::encode::ActFields::decode(view.payload)
                    && !f.id.is_empty()
                {
                    ids_now.insert(f.id.to_string());
                }
                outside.push(b);
                pos += 1;
            }
        }
        for v in &views {
            if let Ok(f) = casus_ledger::encode::ActFields::decode(v.payload)
                && !f.id.is_empty()
            {
                if taken(f.id, &ids_now) {
                    duplicate = Some(f.id.to_string());
                }
                ids_now.insert(f.id.to_string());
            }
        }
        drop(data);
        if let Some(id) = duplicate {
            failure = Some(ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_id",
                format!("an act with id `{id}` is already in the ledger or twice in this request (was this act sent before?)"),
            ));
            return Err(LedgerError::Refused("duplicate id".into()));
        }
        for (b, v) in raw.iter().zip(&views) {
            if let Err((seq, t)) = replay.step(b) {
                failure = Some(refusal(seq, &t));
                return Err(LedgerError::Refused(t.to_string()));
            }
            let Some(state) = replay.registry.get(&v.signer) else {
                failure = Some(refusal(v.seq, &Tamper::UnknownKey));
                return Err(LedgerError::Refused("unknown key".into()));
            };
            if !keys::verify_strict(&state.key, v.signed, &v.signature) {
                failure = Some(refusal(v.seq, &Tamper::BadSignature));
                return Err(LedgerError::Refused("bad signature".into()));
            }
        }
        Ok(raw.clone())
    });
    let size = match result {
        Ok(size) => size,
        Err(e) => return Err(failure.unwrap_or_else(|| ApiError::internal(e))),
    };
    let mut data = inner.data.write().map_err(|_| ApiError::internal("data lock poisoned"))?;
    let mut metas = Vec::with_capacity(outside.len() + raw.len());
    for b in outside.iter().chain(&raw) {
        metas.push(data.ingest(b).map_err(ApiError::internal)?);
    }
    debug_assert_eq!(data.size(), size);
    let appended = Appended { first: views[0].seq, last: views[views.len() - 1].seq, size: data.size(), root: hex::encode(&data.root()) };
    Ok((appended, metas))
}

/// The treaty's record checks on the text, and text = entries byte for byte.
fn check_text(s: &AppState, req: &SignedActs, views: &[EntryView]) -> Result<(), ApiError> {
    let data = s.data()?;
    let mut symbols = data.treaty_symbols.clone();
    let name = if req.name.ends_with(".md") { "request.md" } else { "request.acts" };
    let (record, diags) = casus_lang::load_record(name, &req.text, &data.treaty, &mut symbols);
    // Documents and cases opened by acts already in the ledger are known.
    let errors: Vec<_> = data.known.excuse(diags, &record.acts, &symbols).into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        let shown = &errors[..errors.len().min(MAX_DETAILS)];
        let rendered = casus_lang::render_short(shown, name, &req.text);
        let mut details: Vec<String> = rendered.lines().map(str::to_string).collect();
        if errors.len() > shown.len() {
            details.push(format!("… {} more error(s) not listed", errors.len() - shown.len()));
        }
        return Err(unprocessable("treaty", format!("the treaty does not allow the act(s): {} error(s)", errors.len())).with_details(details));
    }
    for a in &record.acts {
        if a.id.is_some() && data.ids.contains(symbols.name(a.id)) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_id",
                format!("an act with id `{}` is already in the ledger (was this act sent before?)", symbols.name(a.id)),
            ));
        }
    }
    if record.acts.len() != views.len() {
        return Err(unprocessable("act_mismatch", format!("the text holds {} act(s) and the body {} entries", record.acts.len(), views.len())));
    }
    for (i, (act, v)) in record.acts.iter().zip(views).enumerate() {
        let payload = encode_act(act, &symbols).map_err(|e| unprocessable("act_mismatch", format!("act {}: {e}", i + 1)))?;
        if payload != v.payload || v.valid_time != act.time.0 {
            return Err(unprocessable("act_mismatch", format!("entries[{i}] does not carry act {} of the text", i + 1)));
        }
    }
    Ok(())
}
