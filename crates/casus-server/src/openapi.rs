//! The OpenAPI document of `/api/`, derived from the handlers' annotations.
//!
//! The engine's wire types (`casus_engine::report`, `explain`) stay free of
//! HTTP concerns, so their schemas are mirrored here. The mirrors are
//! checked against real output: `tests/api.rs` deserializes a full report
//! and an explanation into them with unknown fields denied, so a field the
//! engine adds or renames fails a test instead of drifting. The document is
//! committed as `docs/openapi.json`; a test fails when it is stale.

#![allow(dead_code)] // The mirrors are read by utoipa and by tests.

use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

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
        crate::api::openapi_json,
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

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Report)]
pub struct ReportSchema {
    pub treaty: TreatyRefSchema,
    /// The date the state is derived on.
    pub at: String,
    /// The text in force on that date.
    pub version: Option<VersionRefSchema>,
    pub readings: Vec<ReadingRowSchema>,
    pub parties: Vec<PartyRowSchema>,
    pub chairs: Vec<ChairRowSchema>,
    pub documents: Vec<DocumentRowSchema>,
    pub cases: Vec<CaseRowSchema>,
    pub acts_considered: usize,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = TreatyRef)]
pub struct TreatyRefSchema {
    pub id: String,
    pub title: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = VersionRef)]
pub struct VersionRefSchema {
    pub id: String,
    pub title: String,
    pub in_force: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ReadingRow)]
pub struct ReadingRowSchema {
    pub question: String,
    pub option: String,
    pub default: bool,
    /// The question in the treaty's words.
    pub question_text: String,
    /// The chosen option in the treaty's words.
    pub option_text: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = PartyRow)]
pub struct PartyRowSchema {
    pub code: String,
    pub name: String,
    /// `member`, `suspended` or `former`.
    pub status: String,
    pub since: String,
    pub fact: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ChairRow)]
pub struct ChairRowSchema {
    pub organ: String,
    pub party: String,
    pub since: String,
    pub fact: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = SheetRow)]
pub struct SheetRowSchema {
    pub party: String,
    /// `signed`, `refused`, `opted_out`, `voted_yes`, `voted_no`, `abstained`,
    /// `objected`, `amended`, `pending`, `kept_silent`, `no_objection`,
    /// `did_not_take_part`, `not_recorded` or `assented` (stable ids).
    pub position: String,
    pub date: Option<String>,
    pub reason: Option<String>,
    pub condition: Option<String>,
    pub act: Option<String>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = TallyRow)]
pub struct TallyRowSchema {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    pub eligible: u32,
    pub base: u32,
    pub needed: u32,
    pub quorum: Option<u32>,
    pub quorum_met: bool,
    pub closed: bool,
    /// `ballots` (members' votes) or `decision` (a recorded tally without names).
    pub counted: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = DocumentRow)]
pub struct DocumentRowSchema {
    pub id: String,
    pub title: String,
    pub organ: String,
    /// `adopted`, `blocked` or `pending`.
    pub status: String,
    pub since: String,
    pub blocked_by: Vec<String>,
    pub limited_format: bool,
    pub procedure: String,
    pub excluded: Vec<String>,
    pub tally: Option<TallyRowSchema>,
    pub closes: Option<String>,
    pub attachments: Vec<String>,
    pub sheet: Vec<SheetRowSchema>,
    /// What the verdict rests on: `positions`, `consensus_at_close`,
    /// `decision_recorded`, `recorded_tally`, `acclamation`,
    /// `tally_not_recorded` or `no_decision_recorded`.
    pub basis: String,
    pub not_seated: Vec<String>,
    /// Acts that changed nothing, with why.
    pub no_effect: Vec<NoEffectRowSchema>,
    /// Acts dated to the day (or a window) of the close, counted as in
    /// time: the verdict depends on their time of day.
    pub depends_on_time_of_day: Vec<String>,
    /// The organs the text was before earlier, one section each.
    pub earlier: Vec<SectionRowSchema>,
    pub fact: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = NoEffectRow)]
pub struct NoEffectRowSchema {
    pub act: String,
    pub party: String,
    pub position: String,
    pub date: String,
    /// `after_decision`, `after_close`, `not_entitled`, `not_counted` or `silence_already_broken`.
    pub why: String,
    pub decided: Option<String>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = SectionRow)]
pub struct SectionRowSchema {
    pub organ: String,
    pub procedure: String,
    pub from: String,
    pub until: Option<String>,
    pub status: String,
    pub since: String,
    pub blocked_by: Vec<String>,
    pub excluded: Vec<String>,
    pub not_seated: Vec<String>,
    pub tally: Option<TallyRowSchema>,
    pub closes: Option<String>,
    pub basis: String,
    pub sheet: Vec<SheetRowSchema>,
    pub no_effect: Vec<NoEffectRowSchema>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ObligationRow)]
pub struct ObligationRowSchema {
    pub duty: String,
    /// The duty's title (its id in words if the treaty gives none).
    pub duty_title: String,
    pub debtor: String,
    pub creditor: String,
    /// `pending`, `fulfilled`, `breached`, `undetermined` or `not_triggered`.
    pub status: String,
    /// The status in words: `pending`, `fulfilled`, `breached` or `not triggered`.
    pub status_text: String,
    pub since: String,
    pub deadline: Option<String>,
    /// The act that fulfilled the duty by the deadline; never a late one.
    pub fulfilled_by: Option<String>,
    /// The act that performed the duty after the deadline (status `breached`).
    pub performed_late: Option<PerformedRowSchema>,
    /// The act that performed the duty on the day (or in the window) of the
    /// deadline, at a time the record does not give (status `undetermined`).
    pub performed_at_unknown_time: Option<PerformedRowSchema>,
    /// A duty to refrain: the act by which the debtor did what it forbids
    /// (status `breached`). Absent otherwise.
    #[serde(default)]
    pub breached_by: Option<PerformedRowSchema>,
    /// A duty with no deadline (`within none`) still open: whole days since
    /// it arose. Absent otherwise.
    #[serde(default)]
    pub days_open: Option<i64>,
    pub fact: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = PerformedRow)]
pub struct PerformedRowSchema {
    pub act: String,
    /// As the record dates it (`2022-01-06`, `between … and …`).
    pub date: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ResponseRow)]
pub struct ResponseRowSchema {
    pub act: String,
    pub date: String,
    pub actor: String,
    pub kind: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = CaseRow)]
pub struct CaseRowSchema {
    pub id: String,
    /// The case named from the act that opened it: "Armenia's request for
    /// assistance under Article 4, 14 September 2022".
    pub title: String,
    pub article: String,
    pub requester: String,
    pub opened: String,
    pub obligations: Vec<ObligationRowSchema>,
    pub responses: Vec<ResponseRowSchema>,
    pub fact: String,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Explanation)]
pub struct ExplanationSchema {
    pub fact: String,
    pub statement: String,
    pub reasons: Vec<String>,
    pub rules: Vec<RuleCiteSchema>,
    pub acts: Vec<ActCiteSchema>,
    pub readings: Vec<ReadingCiteSchema>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = SourceCite)]
pub struct SourceCiteSchema {
    pub url: Option<String>,
    pub title: Option<String>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = RuleCite)]
pub struct RuleCiteSchema {
    pub kind: String,
    pub id: String,
    pub article: Option<String>,
    pub heading: Option<String>,
    /// The article's text the rule rests on.
    pub quote: Option<String>,
    pub quote_line: Option<u32>,
    pub version: Option<VersionRefSchema>,
    pub sources: Vec<SourceCiteSchema>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ActCite)]
pub struct ActCiteSchema {
    pub role: String,
    pub id: String,
    pub date: String,
    pub actor: String,
    pub kind: String,
    pub summary: String,
    pub title: Option<String>,
    pub reason: Option<String>,
    pub condition: Option<String>,
    pub text: Option<String>,
    pub note: Option<String>,
    /// Who vouches for the act: a record file, the actor's signature, a recorder's.
    pub attested_by: String,
    pub recorded: Option<String>,
    pub sources: Vec<SourceCiteSchema>,
}

#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ReadingCite)]
pub struct ReadingCiteSchema {
    pub question: String,
    pub question_text: String,
    pub option: String,
    pub option_text: String,
    pub default: bool,
}
