//! The JSON endpoints under `/api/`.
//!
//! Reading only: the state on a date as known at a date, cases, documents,
//! explanations, the treaty, the ledger's entries, checkpoints and proofs,
//! and a stream of new entries. Writing is `POST /api/acts` in
//! [`crate::ingest`]. Every handler answers [`ApiError`] on failure; query
//! strings are parsed here (never by axum's rejection path) so that a bad
//! parameter gets the same error shape as everything else.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use casus_ledger::{Checkpoint, KeyId, Note, hex_decode_array, hex_encode};
use casus_model::Time;
use casus_query::report::{CaseRow, DocumentRow, ReadingRow};
use casus_query::{FACT_FORMS, FactId, MAX_FACT_BYTES};
use casus_query::{Question, question};
use serde::Serialize;

use crate::MAX_PAGE_ENTRIES;
use crate::data::{EntryMeta, VerifyBadge};
use crate::error::{ApiError, blocking};
use crate::state::{AppState, question_error};

/// The state query: the question (`at`, `as_of`, the readings, parsed by
/// `casus-query`) and, for explanations, `fact`. Parsed by hand because
/// readings repeat.
#[derive(Clone, Debug, Default)]
pub struct StateParams {
    pub question: Question,
    /// A fact id, for `/api/explain`.
    pub fact: Option<String>,
}

/// Longest query string read.
const MAX_QUERY_BYTES: usize = 8 * 1024;

impl StateParams {
    pub fn parse(query: Option<&str>) -> Result<StateParams, ApiError> {
        let q = query.unwrap_or("");
        if q.len() > MAX_QUERY_BYTES {
            return Err(ApiError::bad_request("the query string is too long"));
        }
        let mut p = StateParams::default();
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if !p.question.set(&k, &v).map_err(question_error)? && k == "fact" && !v.trim().is_empty() {
                p.fact = Some(v.trim().to_string());
            }
        }
        Ok(p)
    }

    /// The query string that asks the same question (for links).
    pub fn to_query(&self) -> String {
        query_string(&self.question)
    }
}

/// The fact a query names, read as a fact id, for `path`.
pub fn fact_id(fact: Option<&str>, path: &str) -> Result<FactId, ApiError> {
    let Some(fact) = fact else { return Err(ApiError::bad_request(format!("name a fact: {path}?fact=case/ID"))) };
    if fact.len() > MAX_FACT_BYTES {
        return Err(ApiError::bad_request("the fact id is too long"));
    }
    FactId::parse(fact).ok_or_else(|| ApiError::bad_request(format!("`{fact}` is not a fact id; facts look like {FACT_FORMS}")).code("bad_fact"))
}

/// The query string that asks `q` (for links).
pub fn query_string(q: &Question) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in q.params() {
        s.append_pair(k, &v);
    }
    s.finish()
}

/// The question's parameters in the OpenAPI document, named as
/// `casus-query` reads them.
impl utoipa::IntoParams for StateParams {
    fn into_params(_: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        use utoipa::openapi::{Required, Schema};
        let string = || Schema::Object(ObjectBuilder::new().schema_type(Type::String).build());
        let param = |name: &str, description: &str, schema: Schema| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .description(Some(description))
                .required(Required::False)
                .schema(Some(schema))
                .build()
        };
        vec![
            param(question::AT, "The date (the end of that day) or date and time (UTC) to derive the state on; default today.", string()),
            param(question::AS_OF, "The state as the ledger knew it at this record time; default everything recorded.", string()),
            param(
                question::READING,
                "A reading of the text, `QUESTION=OPTION`; repeat for several questions (`i` is the short name, `interpretation` the older one).",
                Schema::Array(ArrayBuilder::new().items(utoipa::openapi::RefOr::T(string())).build()),
            ),
            param("fact", "A fact id, for `/api/explain`: `party/ARM`, `case/ID`, `obligation/CASE/DUTY/DEBTOR`, …", string()),
        ]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StateParams {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        StateParams::parse(parts.uri.query())
    }
}

/// Query parameters other than the state query, parsed with serde; a bad
/// value is a `bad_request` in the one error shape.
pub struct Q<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Q(q.0))
            .map_err(|e| ApiError::bad_request(format!("bad query parameters: {}", e.body_text())))
    }
}

/// A JSON body from bytes already serialized (the cached report).
pub fn json_bytes(bytes: axum::body::Bytes) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The derived report, from the cache when it is there (no thread hop),
/// otherwise derived on a blocking thread.
pub async fn report_for(s: &AppState, p: StateParams) -> Result<(crate::state::Resolved, std::sync::Arc<crate::cache::Derived>), ApiError> {
    let r = s.resolve(&p.question)?;
    if let Some(d) = s.cached(&r)? {
        return Ok((r, d));
    }
    // At most MAX_CONCURRENT_DERIVATIONS at once; a request that waited
    // may find its report derived by the one before.
    let _permit = s.0.derivations.clone().acquire_owned().await.map_err(ApiError::internal)?;
    if let Some(d) = s.cached(&r)? {
        return Ok((r, d));
    }
    let s2 = s.clone();
    let r2 = r.clone();
    let d = blocking(move || s2.derived(&r2)).await?;
    Ok((r, d))
}

/// The state on a date as known at a date: the same document as `casus replay --json`.
#[utoipa::path(get, path = "/api/state", params(StateParams), responses(
    (status = 200, description = "The state (see README: JSON)", body = casus_query::Report),
    (status = 400, description = "A bad date or an unknown reading", body = crate::error::ErrorBody)))]
pub async fn state(State(s): State<AppState>, p: StateParams) -> Result<Response, ApiError> {
    let (_, d) = report_for(&s, p).await?;
    Ok(json_bytes(d.json.clone()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CasesBody {
    pub at: String,
    pub readings: Vec<ReadingRow>,
    pub cases: Vec<CaseRow>,
}

/// Every case (an invocation of an article) with its obligations: debtor, creditor, duty, status.
#[utoipa::path(get, path = "/api/cases", params(StateParams), responses(
    (status = 200, body = CasesBody), (status = 400, body = crate::error::ErrorBody)))]
pub async fn cases(State(s): State<AppState>, p: StateParams) -> Result<Json<CasesBody>, ApiError> {
    let (_, d) = report_for(&s, p).await?;
    Ok(Json(CasesBody { at: d.report.at.clone(), readings: d.report.readings.clone(), cases: d.report.cases.clone() }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentsBody {
    pub at: String,
    pub documents: Vec<DocumentRow>,
}

/// Every document put to an organ, with its status and signature sheet.
#[utoipa::path(get, path = "/api/documents", params(StateParams), responses(
    (status = 200, body = DocumentsBody), (status = 400, body = crate::error::ErrorBody)))]
pub async fn documents(State(s): State<AppState>, p: StateParams) -> Result<Json<DocumentsBody>, ApiError> {
    let (_, d) = report_for(&s, p).await?;
    Ok(Json(DocumentsBody { at: d.report.at.clone(), documents: d.report.documents.clone() }))
}

/// One document and its signature sheet.
#[utoipa::path(get, path = "/api/documents/{id}", params(("id" = String, Path, description = "The document's id"), StateParams), responses(
    (status = 200, body = DocumentRow), (status = 404, body = crate::error::ErrorBody)))]
pub async fn document(State(s): State<AppState>, id: Result<Path<String>, PathRejection>, p: StateParams) -> Result<Json<DocumentRow>, ApiError> {
    let Path(id) = id.map_err(path_error)?;
    let (r, d) = report_for(&s, p).await?;
    d.report
        .documents
        .iter()
        .find(|doc| doc.id == id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no document `{id}` on {}", casus_query::report_date(r.question.at))))
}

/// Why a fact holds: the rules and the article's text, the treaty version, the acts and their sources, the readings.
#[utoipa::path(get, path = "/api/explain", params(StateParams), responses(
    (status = 200, description = "The explanation", body = casus_query::Explanation),
    (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn explain(State(s): State<AppState>, p: StateParams) -> Result<Json<casus_query::Explanation>, ApiError> {
    let fact = fact_id(p.fact.as_deref(), "/api/explain")?;
    let r = s.resolve(&p.question)?;
    let _permit = s.0.derivations.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let s2 = s.clone();
    Ok(Json(blocking(move || s2.explain(&r, &fact)).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TreatyBody {
    /// The file name bound in the genesis entry (it tells how to read the text).
    pub name: String,
    pub id: String,
    pub title: String,
    /// SHA-256 (hex) of the text, as the genesis entry binds it.
    pub sha256: String,
    /// The genesis leaf hash (hex): the ledger's identity.
    pub ledger_id: String,
    pub text: String,
    pub questions: Vec<QuestionBody>,
    pub parties: Vec<NameBody>,
    pub organs: Vec<NameBody>,
}

#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct QuestionBody {
    pub id: String,
    pub text: String,
    pub default: String,
    pub options: Vec<NameBody>,
}

#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct NameBody {
    pub id: String,
    pub name: String,
}

pub fn questions(data: &crate::data::Data) -> Vec<QuestionBody> {
    let n = |s| data.symbols.name(s).to_string();
    data.treaty
        .questions
        .iter()
        .map(|q| QuestionBody {
            id: n(q.id),
            text: q.text.clone(),
            default: q.options.get(q.default).map(|o| n(o.id)).unwrap_or_default(),
            options: q.options.iter().map(|o| NameBody { id: n(o.id), name: o.text.clone() }).collect(),
        })
        .collect()
}

/// The treaty bound into the ledger's genesis entry: its text, questions, parties and organs.
#[utoipa::path(get, path = "/api/treaty", responses((status = 200, body = TreatyBody)))]
pub async fn treaty(State(s): State<AppState>) -> Result<Json<TreatyBody>, ApiError> {
    let d = s.data()?;
    let n = |sym| d.symbols.name(sym).to_string();
    Ok(Json(TreatyBody {
        name: d.treaty_name.clone(),
        id: n(d.treaty.id),
        title: d.treaty.title.clone(),
        sha256: d.treaty_sha256.clone(),
        ledger_id: d.ledger_id.clone(),
        text: d.treaty_text.clone(),
        questions: questions(&d),
        parties: d.treaty.parties.iter().map(|p| NameBody { id: n(p.code), name: p.name.clone() }).collect(),
        organs: d.treaty.organs.iter().map(|o| NameBody { id: n(o.id), name: o.name.clone() }).collect(),
    }))
}

/// What a signer needs to append: the position and link of the next entry.
#[derive(Serialize, serde::Deserialize, utoipa::ToSchema, Clone, Debug)]
pub struct HeadBody {
    /// Entries in the log: the `seq` of the next entry.
    pub size: u64,
    /// Merkle root (hex) of the log.
    pub root: String,
    /// The link hash (hex) of the last entry: the `prev` an operator's
    /// `casus/entry/v2` entry carries next.
    pub prev: String,
    /// The ledger's C2SP origin, which every signed statement names.
    pub origin: String,
    /// With `?key=KEY_ID`: the last sequence number that key signed in
    /// this ledger (0 if none); its next statement must number above it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sequence: Option<u64>,
    /// Record time (seconds) of the last entry: the next may not be earlier.
    pub last_record_time: i64,
    /// The server's clock (seconds): record times must be within `max_skew_secs` of it.
    pub server_time: i64,
    pub max_skew_secs: i64,
    pub ledger_id: String,
    pub treaty_sha256: String,
}

/// The head of the log (re-read from the store): what a signer needs to build the next entry.
#[utoipa::path(get, path = "/api/head", params(HeadParams), responses((status = 200, body = HeadBody)))]
pub async fn head(State(s): State<AppState>, Q(q): Q<HeadParams>) -> Result<Json<HeadBody>, ApiError> {
    // The true head: entries another process appended show at once, not
    // at the next background poll.
    // A log that no longer replays (a forged entry) keeps the head the
    // server holds; the failure is logged.
    let s2 = s.clone();
    let _ = blocking(move || s2.sync()).await;
    let key = q.key.as_deref().map(parse_key_id).transpose()?;
    Ok(Json(head_body(&s, key.as_ref())?))
}

/// The head as the server holds it now; with a key, that key's last
/// sequence number. What `GET /api/head` answers, for callers in process.
pub fn head_body(s: &AppState, key: Option<&KeyId>) -> Result<HeadBody, ApiError> {
    let d = s.data()?;
    Ok(HeadBody {
        size: d.size(),
        root: hex_encode(&d.root()),
        prev: hex_encode(&d.log.prev()),
        origin: d.log.origin().unwrap_or_default().to_string(),
        last_sequence: key.map(|k| d.log.last_sequence(k)),
        last_record_time: d.log.last_record_time(),
        server_time: s.now(),
        max_skew_secs: s.config().max_skew_secs,
        ledger_id: d.ledger_id.clone(),
        treaty_sha256: d.treaty_sha256.clone(),
    })
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeadParams {
    /// A key id (64 hex digits): the answer gives its last sequence number.
    pub key: Option<String>,
}

/// A key id from a query.
fn parse_key_id(k: &str) -> Result<KeyId, ApiError> {
    hex_decode_array::<32>(k).map(KeyId).ok_or_else(|| ApiError::bad_request(format!("`{k}` is not a key id (64 hex digits)")))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The first entry listed (default 0).
    pub from: Option<u64>,
    /// How many (default 100, at most 500).
    pub limit: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EntriesBody {
    pub size: u64,
    pub from: u64,
    pub limit: u64,
    pub entries: Vec<EntryMeta>,
}

/// A page's `limit`: 100 by default, at most [`MAX_PAGE_ENTRIES`].
fn page_limit(limit: Option<u64>) -> Result<u64, ApiError> {
    match limit.unwrap_or(100) {
        n @ 1..=MAX_PAGE_ENTRIES => Ok(n),
        _ => Err(ApiError::bad_request(format!("`limit` must be between 1 and {MAX_PAGE_ENTRIES}"))),
    }
}

/// A page of ledger entries, in log order.
#[utoipa::path(get, path = "/api/entries", params(PageParams), responses((status = 200, body = EntriesBody), (status = 400, body = crate::error::ErrorBody)))]
pub async fn entries(State(s): State<AppState>, Q(p): Q<PageParams>) -> Result<Json<EntriesBody>, ApiError> {
    let limit = page_limit(p.limit)?;
    let d = s.data()?;
    let from = p.from.unwrap_or(0).min(d.size());
    let to = (from + limit).min(d.size());
    Ok(Json(EntriesBody { size: d.size(), from, limit, entries: d.entries(from..to) }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EntryBody {
    pub entry: EntryMeta,
    /// The stored bytes (hex), signature included: hash them to check `leaf_hash`.
    pub hex: String,
}

/// One entry with its stored bytes.
#[utoipa::path(get, path = "/api/entries/{seq}", params(("seq" = u64, Path)), responses((status = 200, body = EntryBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn entry(State(s): State<AppState>, seq: Result<Path<String>, PathRejection>) -> Result<Json<EntryBody>, ApiError> {
    let Path(seq) = seq.map_err(path_error)?;
    let seq: u64 = seq.parse().map_err(|_| ApiError::bad_request(format!("`{seq}` is not an entry number")))?;
    let meta = s.data()?.entry(seq).ok_or_else(|| ApiError::not_found(format!("no entry {seq}")))?;
    let s2 = s.clone();
    let bytes = blocking(move || {
        let mut st = s2.0.writer.lock().map_err(|_| ApiError::internal("writer lock poisoned"))?;
        let rows = st.read_range(seq, seq + 1).map_err(ApiError::internal)?;
        rows.into_iter().next().map(|(_, b)| b).ok_or_else(|| ApiError::not_found(format!("no entry {seq}")))
    })
    .await?;
    Ok(Json(EntryBody { entry: meta, hex: hex_encode(&bytes) }))
}

#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct CheckpointBody {
    pub size: u64,
    pub root: String,
    pub time: String,
    /// Key id (hex) of the operator key that signed it.
    pub signer: String,
    /// The signed checkpoint bytes (hex), to check offline.
    pub hex: String,
    /// The witnesses whose cosignatures the checkpoint's C2SP note carries
    /// (checked against their keys when the operator stored it; check them
    /// yourself with `casus ledger verify-bundle --witness … --quorum K`).
    pub cosigned_by: Vec<CosignatureBody>,
}

/// A witness's cosignature on a checkpoint: its key name and the time it
/// signed, which bounds when every entry the checkpoint covers was logged.
#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct CosignatureBody {
    pub witness: String,
    pub time: String,
}

/// The last `limit` checkpoints of tree size below `before`, in size order,
/// each with the witnesses that cosigned its note.
pub fn read_checkpoints(s: &AppState, before: u64, limit: usize) -> Result<Vec<CheckpointBody>, ApiError> {
    let rows = {
        let mut store = s.0.writer.lock().map_err(|_| ApiError::internal("writer lock poisoned"))?;
        store.checkpoint_rows_tail(before, limit).map_err(ApiError::internal)?
    };
    let cosigners = |note: Option<&[u8]>| -> Vec<CosignatureBody> {
        let Some(Ok(note)) = note.map(Note::parse) else { return Vec::new() };
        note.signatures
            .iter()
            .filter_map(|sig| {
                let t = i64::try_from(sig.cosignature_time()?).ok()?;
                Some(CosignatureBody { witness: sig.name.clone(), time: Time(t).format(casus_model::Precision::Second) })
            })
            .collect()
    };
    rows.iter()
        .map(|(_, b, note)| {
            let (cp, _) = Checkpoint::parse(b).map_err(ApiError::internal)?;
            Ok(CheckpointBody {
                size: cp.size,
                root: hex_encode(&cp.root),
                time: Time(cp.time).format(casus_model::Precision::Second),
                signer: cp.signer.hex(),
                hex: hex_encode(b),
                cosigned_by: cosigners(note.as_deref()),
            })
        })
        .collect()
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckpointsParams {
    /// Only checkpoints of a tree size below this (default: all), to page back.
    pub before: Option<u64>,
    /// How many of the newest of those (default 100, at most 500).
    pub limit: Option<u64>,
}

/// The operator's signed checkpoints, by size: the newest `limit` (below
/// `before`), oldest first.
#[utoipa::path(get, path = "/api/checkpoints", params(CheckpointsParams), responses(
    (status = 200, body = Vec<CheckpointBody>),
    (status = 400, description = "A `limit` out of range", body = crate::error::ErrorBody)))]
pub async fn checkpoints(State(s): State<AppState>, Q(p): Q<CheckpointsParams>) -> Result<Json<Vec<CheckpointBody>>, ApiError> {
    let limit = page_limit(p.limit)?;
    let s2 = s.clone();
    Ok(Json(blocking(move || read_checkpoints(&s2, p.before.unwrap_or(u64::MAX), limit as usize)).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionParams {
    /// The entry to prove.
    pub seq: u64,
    /// The tree size to prove it in (default: the whole log).
    pub size: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InclusionBody {
    pub seq: u64,
    pub size: u64,
    pub leaf_hash: String,
    pub root: String,
    /// The RFC 6962 audit path, bottom up (hex).
    pub path: Vec<String>,
}

fn proof_size(s: &AppState, size: Option<u64>) -> Result<u64, ApiError> {
    let head = s.data()?.size();
    let size = size.unwrap_or(head);
    if size == 0 || size > head {
        return Err(ApiError::bad_request(format!("`size` must be between 1 and {head}")));
    }
    Ok(size)
}

/// An RFC 6962 inclusion proof of an entry in the tree of a given size.
#[utoipa::path(get, path = "/api/proofs/inclusion", params(InclusionParams), responses((status = 200, body = InclusionBody), (status = 400, body = crate::error::ErrorBody)))]
pub async fn inclusion(State(s): State<AppState>, Q(p): Q<InclusionParams>) -> Result<Json<InclusionBody>, ApiError> {
    let size = proof_size(&s, p.size)?;
    if p.seq >= size {
        return Err(ApiError::bad_request(format!("entry {} is not in a tree of {size} entries", p.seq)));
    }
    let s2 = s.clone();
    blocking(move || {
        let d = s2.data()?;
        let failed = || ApiError::internal("inclusion proof failed");
        let path = d.log.inclusion_proof(p.seq, size).ok_or_else(failed)?;
        let leaf = d.log.leaves().get(p.seq as usize).ok_or_else(failed)?;
        Ok(Json(InclusionBody {
            seq: p.seq,
            size,
            leaf_hash: hex_encode(leaf),
            root: hex_encode(&d.log.root_at(size).ok_or_else(failed)?),
            path: path.iter().map(|h| hex_encode(h)).collect(),
        }))
    })
    .await
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyParams {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size (default: the whole log).
    pub to: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsistencyBody {
    pub from: u64,
    pub to: u64,
    pub from_root: String,
    pub to_root: String,
    /// The RFC 6962 consistency proof (hex).
    pub path: Vec<String>,
}

/// An RFC 6962 consistency proof: the tree of `to` entries extends the tree of `from` entries.
#[utoipa::path(get, path = "/api/proofs/consistency", params(ConsistencyParams), responses((status = 200, body = ConsistencyBody), (status = 400, body = crate::error::ErrorBody)))]
pub async fn consistency(State(s): State<AppState>, Q(p): Q<ConsistencyParams>) -> Result<Json<ConsistencyBody>, ApiError> {
    let to = proof_size(&s, p.to)?;
    if p.from == 0 || p.from > to {
        return Err(ApiError::bad_request(format!("`from` must be between 1 and {to}")));
    }
    let s2 = s.clone();
    blocking(move || {
        let d = s2.data()?;
        let failed = || ApiError::internal("consistency proof failed");
        let path = d.log.consistency_proof(p.from, to).ok_or_else(failed)?;
        Ok(Json(ConsistencyBody {
            from: p.from,
            to,
            from_root: hex_encode(&d.log.root_at(p.from).ok_or_else(failed)?),
            to_root: hex_encode(&d.log.root_at(to).ok_or_else(failed)?),
            path: path.iter().map(|h| hex_encode(h)).collect(),
        }))
    })
    .await
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BundleParams {
    pub seq: u64,
}

/// An offline proof bundle (`casus/bundle/v1`, docs/LEDGER.md) for one entry; check it with `casus ledger verify-bundle`.
#[utoipa::path(get, path = "/api/proofs/bundle", params(BundleParams), responses(
    (status = 200, description = "The bundle bytes", content_type = "application/octet-stream"),
    (status = 404, body = crate::error::ErrorBody), (status = 409, description = "No checkpoint covers the entry yet", body = crate::error::ErrorBody)))]
pub async fn bundle(State(s): State<AppState>, Q(p): Q<BundleParams>) -> Result<Response, ApiError> {
    if p.seq >= s.data()?.size() {
        return Err(ApiError::not_found(format!("no entry {}", p.seq)));
    }
    let s2 = s.clone();
    let bytes = blocking(move || s2.proof_bundle(p.seq)).await?;
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    Ok(r)
}

/// Verifies the whole ledger (every signature, link and checkpoint); cached per log size.
#[utoipa::path(get, path = "/api/verify", responses((status = 200, body = VerifyBadge)))]
pub async fn verify(State(s): State<AppState>) -> Result<Json<VerifyBadge>, ApiError> {
    let s2 = s.clone();
    Ok(Json(blocking(move || s2.verify()).await?))
}

/// Server-sent events: one `entry` event (an `EntryMeta` in JSON) per entry appended.
#[utoipa::path(get, path = "/api/events", responses(
    (status = 200, description = "text/event-stream of `entry` events", content_type = "text/event-stream"),
    (status = 503, description = "As many event streams are open as the server keeps (1,024): retry later", body = crate::error::ErrorBody)))]
pub async fn events(State(s): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    // The stream holds its permit until it is dropped (the client gone).
    let permit = s.0.streams.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!("{} event streams are open, the most this server keeps; retry in a minute", crate::config::MAX_EVENT_STREAMS),
        )
    })?;
    let rx = s.0.events.subscribe();
    let stream = futures_util::stream::unfold((rx, permit), |(mut rx, permit)| async move {
        let ev = match rx.recv().await {
            Ok(meta) => Event::default().event("entry").id(meta.seq.to_string()).json_data(&meta).unwrap_or_else(|_| Event::default().event("entry")),
            // A slow reader missed some: tell it to reload everything.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Event::default().event("lagged").data("reload"),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok::<Event, Infallible>(ev), (rx, permit)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// A path segment that does not decode (bad percent-encoding, not UTF-8),
/// in the one error shape.
pub fn path_error(e: PathRejection) -> ApiError {
    ApiError::bad_request(format!("the path is not valid: {}", e.body_text()))
}
