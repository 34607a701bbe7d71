//! The exercise's endpoints: joining, each role's view, preparing the bytes
//! a browser signs, the clock, observations and the after-action report.
//!
//! Every endpoint but the pages takes the role's token in the
//! `X-Exercise-Token` header (the pages take it in their path, as the join
//! link gives it). Writing an act is not here: the browser signs the bytes
//! [`prepare`] returns and posts them to the normal `POST /api/acts`.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use casus_exercise::RoleKind;
use casus_exercise::note::{Stamp, in_scenario_time, stamp_act_text};
use casus_exercise::report::Observation;
use casus_ledger::{EntryKind, KeyChange, KeyId, KeyRegistration, Ledger, Mode, Statement, encode_act, hex_decode_array, hex_encode, verifying_key};
use casus_model::{Precision, Time};
use serde::{Deserialize, Serialize};

use super::{Exercise, RoleEntry, key_role, view};
use crate::client::quote;
use crate::error::blocking;
use crate::{ApiError, AppState};

/// The header that carries a role's token.
pub const TOKEN_HEADER: &str = "x-exercise-token";
/// Most fields in one prepared act.
pub const MAX_FIELDS: usize = 16;
/// Longest field value, in characters.
pub const MAX_VALUE_CHARS: usize = 2000;

/// The state the exercise's handlers share.
#[derive(Clone)]
pub struct XState {
    pub app: AppState,
    pub ex: Arc<Exercise>,
}

/// The exercise's routes, to merge beside `casus_server::app`.
pub fn router(app: AppState, ex: Arc<Exercise>) -> Router {
    Router::new()
        .route("/exercise/join/{token}", get(page))
        .route("/exercise/report/{token}", get(report_page))
        .route("/exercise/assets/{file}", get(asset))
        .route("/exercise/api/join", post(join))
        .route("/exercise/api/view", get(view_json))
        .route("/exercise/api/prepare", post(prepare))
        .route("/exercise/api/clock", post(clock))
        .route("/exercise/api/observations", post(observe))
        .route("/exercise/api/report", get(report_json))
        .route("/exercise/api/whatif", post(whatif))
        .with_state(XState { app, ex })
}

fn forbidden(msg: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", msg)
}

fn conflict(code: &'static str, msg: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, msg)
}

fn unprocessable(code: &'static str, msg: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t).map_err(|e| ApiError::bad_request(format!("the body does not read: {}", e.body_text())).code("malformed"))
}

/// The role whose token the request carries.
fn role_of(s: &XState, headers: &HeaderMap) -> Result<RoleEntry, ApiError> {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", format!("send the token of your join link in the `{TOKEN_HEADER}` header")))?;
    role_by_token(s, token)
}

fn role_by_token(s: &XState, token: &str) -> Result<RoleEntry, ApiError> {
    s.ex.role(token).ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "this exercise has no role with that token"))
}

/// "a delegation", "an observer": a role's kind with its article.
fn a_role(kind: RoleKind) -> String {
    let w = kind.word();
    if w.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {w}") } else { format!("a {w}") }
}

fn need(role: &RoleEntry, kind: RoleKind) -> Result<(), ApiError> {
    if role.kind != kind {
        return Err(forbidden(format!("only the exercise's {} may do this; your role, {}, is {}", kind.word(), role.title, a_role(role.kind))));
    }
    Ok(())
}

/// `GET /exercise/join/{token}`: the page every role opens (its script
/// creates the key, joins and shows the view).
async fn page(State(s): State<XState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    role_by_token(&s, &token)?;
    Ok(([(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")], Html(include_str!("../../static/exercise.html"))).into_response())
}

async fn asset(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (body, mime) = match file.as_str() {
        "exercise.js" => (include_str!("../../static/exercise.js"), "text/javascript; charset=utf-8"),
        "exercise.css" => (include_str!("../../static/exercise.css"), "text/css; charset=utf-8"),
        _ => return Err(ApiError::not_found(format!("no asset `{file}`"))),
    };
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "no-cache")], body).into_response())
}

#[derive(Deserialize)]
pub struct JoinBody {
    /// The Ed25519 public key (32 bytes, hex) the browser created.
    pub public_key: String,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct Joined {
    pub role: String,
    pub kind: RoleKind,
    /// The registered key's id (hex), as entries name their signer.
    pub key_id: String,
    /// The ledger entry that registered it (None for roles that sign nothing).
    pub seq: Option<u64>,
}

/// `POST /exercise/api/join`: registers the browser's public key for the
/// role, once per link.
async fn join(State(s): State<XState>, headers: HeaderMap, b: Result<Json<JoinBody>, JsonRejection>) -> Result<(StatusCode, Json<Joined>), ApiError> {
    let role = role_of(&s, &headers)?;
    let b = body(b)?;
    let key = hex_decode_array::<32>(b.public_key.trim()).ok_or_else(|| ApiError::bad_request("`public_key` must be 64 hex digits (an Ed25519 public key)"))?;
    let vk = verifying_key(&key).map_err(|e| ApiError::bad_request(format!("`public_key` is not a usable key: {e}")))?;
    let key_id = KeyId::of(&vk);
    let s2 = s.clone();
    let joined = blocking(move || {
        // The link is used once: the first key registered through it stays.
        s2.ex
            .update(|f| {
                let r = f.roles.iter_mut().find(|r| r.name == role.name).ok_or("the role is gone")?;
                if r.key.is_some() {
                    return Err("used".to_string());
                }
                r.key = Some(hex_encode(&key));
                Ok(())
            })
            .map_err(|e| {
                if e == "used" {
                    conflict("link_used", "this join link has registered a key already, and a role's key cannot be replaced: a browser that lost it can no longer act in this exercise (control can clone the exercise with new links: casus exercise clone)")
                } else {
                    ApiError::internal(e)
                }
            })?;
        let seq = match key_role(&role) {
            Some(kr) => match register(&s2, key, kr) {
                Ok(seq) => Some(seq),
                Err(e) => {
                    // The ledger refused the key: the link stays usable.
                    let _ = s2.ex.update(|f| {
                        if let Some(r) = f.roles.iter_mut().find(|r| r.name == role.name) {
                            r.key = None;
                        }
                        Ok(())
                    });
                    return Err(e);
                }
            },
            None => None,
        };
        Ok(Joined { role: role.name.clone(), kind: role.kind, key_id: key_id.hex(), seq })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(joined)))
}

/// Registers a key in the ledger's key registry: a key entry the operator signs.
fn register(s: &XState, key: [u8; 32], role: casus_ledger::KeyRole) -> Result<u64, ApiError> {
    let mut ledger = Ledger::open(s.app.open_store()?);
    let seq = ledger
        .change_key(&KeyChange::Register(KeyRegistration { key, role }), &s.ex.operator, Time(s.app.now()))
        .map_err(|e| conflict("key_refused", format!("the ledger refused the key: {e}")))?;
    s.app.sync()?;
    Ok(seq)
}

/// `GET /exercise/api/view`: what the role sees now.
async fn view_json(State(s): State<XState>, headers: HeaderMap) -> Result<Json<view::View>, ApiError> {
    let role = role_of(&s, &headers)?;
    let _turn = s.app.0.derivations.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let s2 = s.clone();
    let v = blocking(move || {
        let file = s2.ex.snapshot().map_err(ApiError::internal)?;
        let role = file.roles.iter().find(|r| r.name == role.name).cloned().unwrap_or(role);
        let data = s2.app.data()?;
        Ok(view::build(&data.treaty, &data.acts, &data.symbols, &file, &role, s2.app.now()))
    })
    .await?;
    Ok(Json(v))
}

#[derive(Deserialize, Debug)]
pub struct ActRequest {
    pub kind: String,
    #[serde(default)]
    pub subject: Option<String>,
    /// The actor, for control's ad-hoc acts (a delegation acts as its party).
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub fields: Vec<(String, String)>,
}

#[derive(Deserialize, Debug)]
pub struct PrepareBody {
    /// An act to take (a delegation's, or control's ad-hoc act).
    #[serde(default)]
    pub act: Option<ActRequest>,
    /// An inject to release (control).
    #[serde(default)]
    pub inject: Option<String>,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct Prepared {
    /// The body of `POST /api/acts` but for the signature: `name`, `text`.
    pub name: String,
    pub text: String,
    /// The statement's bytes (hex, `casus/statement/v1`): sign these with
    /// Ed25519, append the 64-byte signature, and post the whole as the
    /// one statement of `POST /api/acts`.
    pub to_sign: String,
    /// The key's sequence number the statement carries.
    pub sequence: u64,
    pub key_id: String,
}

/// Fields whose value is a string in the record syntax.
const STRING_FIELDS: [&str; 5] = ["title", "reason", "condition", "text", "note"];
/// Fields a prepared act may carry (ids, sources and notes are the server's).
const FIELDS: [&str; 19] = [
    "under",
    "to",
    "against",
    "about",
    "document",
    "means",
    "case",
    "organ",
    "from",
    "personnel",
    "votes",
    "by",
    "start",
    "end",
    "effective",
    "title",
    "reason",
    "condition",
    "text",
];

/// A value of a name-like field: names, numbers and dates, separated by spaces.
fn plain(v: &str) -> bool {
    !v.trim().is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | ' '))
}

/// The text of an act in the record syntax from a request: head line at
/// `time`, the fields, then the exercise's stamp (and a source for
/// control's acts, which enter in record mode).
fn compose(time: i64, precision: Precision, actor: &str, a: &ActRequest, stamp: Stamp, source: Option<&str>, seq: u64) -> Result<String, ApiError> {
    if casus_model::ActKind::from_keyword(&a.kind).is_none() {
        return Err(ApiError::bad_request(format!("`{}` is not a kind of act", a.kind)));
    }
    if a.fields.len() > MAX_FIELDS {
        return Err(ApiError::bad_request(format!("at most {MAX_FIELDS} fields")));
    }
    let mut t = format!("{} {actor} {}", Time(time).format(precision), a.kind);
    if let Some(sub) = a.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        if !plain(sub) || sub.contains(' ') {
            return Err(ApiError::bad_request(format!("`{sub}` is not a subject")));
        }
        t.push(' ');
        t.push_str(sub.trim());
    }
    t.push('\n');
    // An id, so that cases the act opens and documents it proposes have a
    // stable name: actor, kind, and the position it is prepared for.
    t.push_str(&format!("  id       x_{}_{}_{seq}\n", actor.to_ascii_lowercase(), a.kind.replace('-', "_")));
    for (k, v) in &a.fields {
        if v.trim().is_empty() {
            continue;
        }
        if !FIELDS.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!("`{k}` is not a field an exercise act may carry; they are: {}", FIELDS.join(", "))));
        }
        if v.chars().count() > MAX_VALUE_CHARS {
            return Err(ApiError::bad_request(format!("the `{k}` is over {MAX_VALUE_CHARS} characters")));
        }
        let value = if STRING_FIELDS.contains(&k.as_str()) {
            quote(v.trim())
        } else if plain(v) {
            v.trim().to_string()
        } else {
            return Err(ApiError::bad_request(format!("`{k}` takes names, numbers or dates, not `{v}`")));
        };
        t.push_str(&format!("  {k:<8} {value}\n"));
    }
    if let Some(src) = source {
        t.push_str(&format!("  source   {}\n", quote(src)));
    }
    Ok(stamp_act_text(&t, stamp))
}

/// `POST /exercise/api/prepare`: the exact bytes the role's key signs for
/// an act, so that the browser needs no encoder of its own.
async fn prepare(State(s): State<XState>, headers: HeaderMap, b: Result<Json<PrepareBody>, JsonRejection>) -> Result<Json<Prepared>, ApiError> {
    let role = role_of(&s, &headers)?;
    let b = body(b)?;
    let s2 = s.clone();
    let p = blocking(move || prepare_now(&s2, &role, &b)).await?;
    Ok(Json(p))
}

/// [`prepare`] off the async threads.
pub fn prepare_now(s: &XState, role: &RoleEntry, b: &PrepareBody) -> Result<Prepared, ApiError> {
    let file = s.ex.snapshot().map_err(ApiError::internal)?;
    let role = file.roles.iter().find(|r| r.name == role.name).cloned().ok_or_else(|| ApiError::internal("the role is gone"))?;
    let Some(key) = role.key.as_deref().and_then(hex_decode_array::<32>) else {
        return Err(conflict("not_joined", "register your key through your join link first"));
    };
    let key_id = KeyId::of(&verifying_key(&key).map_err(ApiError::internal)?);
    let now = s.app.now();
    let data = s.app.data()?;
    let released = |act: &str| data.ids.contains(act);
    let turn = view::turn(&file, &released);
    let scenario_now = file.clock.at(now);
    let (text, mode) = match (role.kind, &b.act, &b.inject) {
        (RoleKind::Delegation, Some(a), None) => {
            if a.actor.as_deref().is_some_and(|x| x != role.name) {
                return Err(forbidden(format!("a delegation acts as its party ({}) only", role.name)));
            }
            (compose(now, Precision::Second, &role.name, a, Stamp { turn, scenario: scenario_now }, None, data.size())?, Mode::Live)
        }
        (RoleKind::Control, Some(a), None) => {
            let actor = a.actor.as_deref().filter(|x| plain(x) && !x.contains(' ')).ok_or_else(|| ApiError::bad_request("an ad-hoc act names its `actor`"))?;
            let source = format!("Exercise control: ad-hoc act, turn {turn} ({})", file.scenario.title);
            (compose(scenario_now, Precision::Second, actor, a, Stamp { turn, scenario: scenario_now }, Some(&source), data.size())?, Mode::Record)
        }
        (RoleKind::Control, None, Some(id)) => {
            let inj = file.scenario.inject(id).ok_or_else(|| ApiError::not_found(format!("no inject `{id}` in the MSEL")))?;
            if data.ids.contains(&inj.act) {
                return Err(conflict("released", format!("the inject `{id}` is released already")));
            }
            drop(data);
            // Releasing an inject dated ahead of the clock moves the clock to it.
            if inj.time > scenario_now {
                s.ex.update(|f| f.clock.advance_to(now, inj.time)).map_err(ApiError::internal)?;
            }
            let text = stamp_act_text(&inj.text, Stamp { turn: inj.turn, scenario: inj.time });
            return sign_bytes(s, text, Mode::Record, key_id);
        }
        (RoleKind::Delegation | RoleKind::Control, _, _) => return Err(ApiError::bad_request("send `act` (or, for control, `inject`)")),
        (kind, _, _) => {
            return Err(forbidden(format!("{} signs no acts in an exercise: only delegations and control do", casus_query::capitalise(&a_role(kind)))));
        }
    };
    drop(data);
    sign_bytes(s, text, mode, key_id)
}

/// The statement to sign for one act's text, for this ledger and the key's next sequence number.
fn sign_bytes(s: &XState, text: String, mode: Mode, key_id: KeyId) -> Result<Prepared, ApiError> {
    let data = s.app.data()?;
    let mut symbols = data.treaty_symbols.clone();
    let name = "exercise.acts";
    // The one check of acts after the ledger's (casus-query).
    let (record, diags) = data.known.load_after(name, &text, &data.treaty, &mut symbols);
    let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        let details = casus_lang::render_short(&errors, name, &text).lines().map(str::to_string).collect();
        return Err(unprocessable("treaty", format!("the treaty does not allow the act: {} error(s)", errors.len())).with_details(details));
    }
    let [act] = record.acts.as_slice() else { return Err(ApiError::internal("a prepared text that is not one act")) };
    let payload = encode_act(act, &symbols).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let origin = data.log.origin().unwrap_or_default();
    let sequence = crate::client::next_sequences(data.log.last_sequence(&key_id), s.app.now(), 1);
    let statement = Statement { origin, sequence, kind: EntryKind::Act, mode, valid_time: act.time.0, payload: &payload }
        .encode(&key_id)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Prepared { name: name.to_string(), text, to_sign: hex_encode(&statement), sequence, key_id: key_id.hex() })
}

#[derive(Deserialize, Debug)]
pub struct ClockBody {
    /// `pause`, `resume`, `rate` (with `rate`) or `advance` (with `to`, a scenario time).
    pub action: String,
    #[serde(default)]
    pub rate: Option<u32>,
    #[serde(default)]
    pub to: Option<String>,
}

/// `POST /exercise/api/clock` (control): pause, resume, accelerate, advance.
async fn clock(State(s): State<XState>, headers: HeaderMap, b: Result<Json<ClockBody>, JsonRejection>) -> Result<Json<casus_exercise::Clock>, ApiError> {
    let role = role_of(&s, &headers)?;
    need(&role, RoleKind::Control)?;
    let b = body(b)?;
    let now = s.app.now();
    let to = match b.to.as_deref() {
        Some(t) => Some(
            casus_query::parse_time(t)
                .ok_or_else(|| ApiError::bad_request(format!("`to`: `{t}` is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")).code("bad_date"))?
                .0,
        ),
        None => None,
    };
    let s2 = s.clone();
    let c = blocking(move || {
        s2.ex
            .update(|f| {
                match (b.action.as_str(), b.rate, to) {
                    ("pause", _, _) => f.clock.pause(now),
                    ("resume", _, _) => f.clock.resume(now),
                    ("rate", Some(r), _) => f.clock.set_rate(now, r)?,
                    ("advance", _, Some(t)) => {
                        if let Some(end) = f.scenario.end.filter(|&end| t > end) {
                            return Err(format!("the exercise ends at {}: advance the clock to that time at the latest", Time(end).format(Precision::Second)));
                        }
                        f.clock.advance_to(now, t)?
                    }
                    _ => return Err("send `action`: pause, resume, rate (with `rate`) or advance (with `to`)".into()),
                }
                Ok(f.clock)
            })
            .map_err(ApiError::bad_request)
    })
    .await?;
    Ok(Json(c))
}

#[derive(Deserialize, Debug)]
pub struct ObservationBody {
    /// `inject:ID` or `act:ID`.
    pub anchor: String,
    pub text: String,
}

/// `POST /exercise/api/observations` (evaluators): an observation anchored to an inject or an act.
async fn observe(
    State(s): State<XState>,
    headers: HeaderMap,
    b: Result<Json<ObservationBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Observation>), ApiError> {
    let role = role_of(&s, &headers)?;
    need(&role, RoleKind::Evaluator)?;
    let b = body(b)?;
    let s2 = s.clone();
    let o = blocking(move || {
        let file = s2.ex.snapshot().map_err(ApiError::internal)?;
        let ok = match b.anchor.split_once(':') {
            Some(("inject", id)) => file.scenario.inject(id).is_some(),
            Some(("act", id)) => {
                let data = s2.app.data()?;
                data.ids.contains(id) || id.strip_prefix("act-").and_then(|n| n.parse::<usize>().ok()).is_some_and(|n| n >= 1 && n <= data.acts.len())
            }
            _ => false,
        };
        if !ok {
            return Err(unprocessable("anchor", format!("`{}` names no inject or act: use inject:ID or act:ID", b.anchor)));
        }
        let now = s2.app.now();
        let o = Observation {
            evaluator: role.name.clone(),
            evaluator_title: role.title.clone(),
            anchor: b.anchor,
            text: b.text.trim().to_string(),
            written: now,
            scenario: file.clock.at(now),
        };
        s2.ex.observe(&o).map_err(|e| unprocessable("observation", e))?;
        Ok(o)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// The after-action report now.
fn report_now(s: &XState) -> Result<casus_exercise::report::AfterAction, ApiError> {
    let file = s.ex.snapshot().map_err(ApiError::internal)?;
    let observations = s.ex.observations().map_err(ApiError::internal)?;
    let data = s.app.data()?;
    let mut symbols = data.symbols.clone();
    let acts = in_scenario_time(&data.acts, &symbols);
    let history = s.ex.history(&file, &data.treaty, &mut symbols);
    let at = file.clock.at(s.app.now());
    let played = casus_exercise::report::Played {
        acts: &acts,
        exercise_from: file.starting_acts,
        at,
        history: file.until.map(|_| history.as_slice()),
        observations: &observations,
    };
    Ok(casus_exercise::report::after_action(&file.scenario, &data.treaty, &symbols, &played))
}

/// `GET /exercise/api/report`: the after-action report as JSON.
async fn report_json(State(s): State<XState>, headers: HeaderMap) -> Result<Json<casus_exercise::report::AfterAction>, ApiError> {
    role_of(&s, &headers)?;
    let _turn = s.app.0.derivations.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let s2 = s.clone();
    Ok(Json(blocking(move || report_now(&s2)).await?))
}

/// `GET /exercise/report/{token}`: the after-action report as a page, with print styles.
async fn report_page(State(s): State<XState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    role_by_token(&s, &token)?;
    let _turn = s.app.0.derivations.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let s2 = s.clone();
    let r = blocking(move || report_now(&s2)).await?;
    Ok(([(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")], Html(super::report_html::render(&r))).into_response())
}

#[derive(Deserialize, Debug)]
pub struct WhatIfBody {
    /// Hypothetical acts in the record syntax, dated in scenario time.
    pub acts: String,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct WhatIfChange {
    pub what: String,
    /// The verdict now.
    pub now: String,
    /// The verdict had the acts been taken.
    pub with_acts: String,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct WhatIf {
    /// The scenario time both are read at.
    pub at: String,
    pub changes: Vec<WhatIfChange>,
}

/// Longest what-if text, in bytes.
pub const MAX_WHATIF_BYTES: usize = 64 * 1024;

/// `POST /exercise/api/whatif` (control): the verdicts that would change,
/// at the current scenario time (or at the latest act given, if later),
/// had these acts been taken too. A branch in memory: nothing is written
/// to the ledger.
async fn whatif(State(s): State<XState>, headers: HeaderMap, b: Result<Json<WhatIfBody>, JsonRejection>) -> Result<Json<WhatIf>, ApiError> {
    let role = role_of(&s, &headers)?;
    need(&role, RoleKind::Control)?;
    let b = body(b)?;
    if b.acts.len() > MAX_WHATIF_BYTES {
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("at most {MAX_WHATIF_BYTES} bytes of acts")));
    }
    let _turn = s.app.0.derivations.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let s2 = s.clone();
    let w = blocking(move || {
        let file = s2.ex.snapshot().map_err(ApiError::internal)?;
        let data = s2.app.data()?;
        let mut symbols = data.symbols.clone();
        let name = "whatif.acts";
        let (record, diags) = data.known.load_after(name, &b.acts, &data.treaty, &mut symbols);
        let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
        if !errors.is_empty() || record.acts.is_empty() {
            let details = casus_lang::render_short(&errors, name, &b.acts).lines().map(str::to_string).collect();
            return Err(unprocessable("treaty", format!("the acts do not read against the treaty: {} error(s)", errors.len().max(1))).with_details(details));
        }
        let now = in_scenario_time(&data.acts, &symbols);
        // Read at the scenario's time, or at the latest act added if it is
        // dated later (read now, a later act could change nothing).
        let latest = record.acts.iter().map(|a| a.time).max().unwrap_or(Time::MIN);
        let at = Time(file.clock.at(s2.app.now())).max(latest);
        let mut with = now.clone();
        with.extend(record.acts);
        let changes = casus_exercise::report::differences(&data.treaty, &symbols, &now, &with, at)
            .into_iter()
            .map(|(what, now, with_acts)| WhatIfChange { what, now, with_acts })
            .collect();
        Ok(WhatIf { at: at.format(Precision::Second), changes })
    })
    .await?;
    Ok(Json(w))
}
