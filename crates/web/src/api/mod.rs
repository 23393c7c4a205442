//! The JSON API under /api/v1: create a case, read one, list a service's cases.
//!
//! Errors are JSON: `{"error": {"code", "message", "fields": [{"field", "message"}]}}`.
//! Creating a case is open, like the portal; reading cases needs a staff API token
//! (`frontdoor user token`) sent as `Authorization: Bearer TOKEN`.

use crate::audit::AuditSlot;
use crate::casework::open_case;
use crate::session::staff_for_bearer;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use frontdoor_domain::Text;
use frontdoor_domain::form::{FieldError, RawAnswers, contact_inputs, validate_contact};
use frontdoor_domain::{Channel, Owner, Permission, Reference, Refusal, Role, Staffer, Submission};
use frontdoor_store::{CaseDetail, CaseSummary};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", post(create_case))
        .route("/api/v1/contacts", post(create_contact))
        .route("/api/v1/cases/{reference}", get(get_case))
        .route("/api/v1/services", get(list_services))
        .route("/api/v1/services/{slug}/cases", get(service_cases))
        .route("/api/v1/dashboard", get(dashboard))
}

/// The management dashboard's figures as JSON, for managers' own reporting tools: the
/// same query string and the same tables as `/console/dashboard`.
async fn dashboard(
    State(state): State<AppState>,
    staff: ApiStaff,
    Query(query): Query<crate::console::dashboard::DashboardQuery>,
) -> ApiResult<Response> {
    use crate::console::dashboard::{build, known_wards, today};
    staff.require(Permission::ViewDashboard)?;
    let today = today();
    let wards = known_wards(&state).await?;
    let (selection, errors) = query.select(&state, &wards, today);
    if !errors.is_empty() {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            "Some of the query could not be used",
        );
        error.fields = errors
            .into_iter()
            .map(|e| FieldError::new(e.field, "", Text::untranslated(e.message)))
            .collect();
        return Err(error);
    }
    let (report, overdue) = build(&state, &selection, today).await?;
    let mut tables = report.tables;
    tables.push(overdue);
    let body = json!({
        "from": selection.from.to_string(),
        "to": selection.to.to_string(),
        "ward": selection.ward,
        "headline": report.headline,
        "tables": tables,
    });
    Ok(Json(body).into_response())
}

pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<FieldError>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: vec![],
        }
    }

    fn invalid(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Some fields are not valid",
            )
        }
    }

    fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(
            field,
            field,
            Text::untranslated(message),
        )])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| json!({"field": f.field, "input": f.input, "message": f.message}))
            .collect();
        let body = json!({"error": {"code": self.code, "message": self.message, "fields": fields}});
        (self.status, Json(body)).into_response()
    }
}

impl From<crate::error::WebError> for ApiError {
    fn from(e: crate::error::WebError) -> Self {
        tracing::error!(error = %e, "api request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong; nothing was saved. Try again.",
        )
    }
}

impl From<frontdoor_store::StoreError> for ApiError {
    fn from(e: frontdoor_store::StoreError) -> Self {
        crate::error::WebError::from(e).into()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Middleware: an error under `/api/` that was not written as the documented JSON (a body
/// over the size limit, a path segment that is not UTF-8, a wrong method, an unknown
/// route) is rewritten as one, with the same status and its `Retry-After` or `Allow`.
pub async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || !failed || json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let said = axum::body::to_bytes(body, 2048)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let plain = !said.is_empty() && said.len() <= 300 && !said.starts_with('<');
    let message = if plain {
        said
    } else {
        status.canonical_reason().unwrap_or("Error").to_owned()
    };
    let mut rewritten = ApiError::new(status, error_code(status), message).into_response();
    for name in [axum::http::header::RETRY_AFTER, axum::http::header::ALLOW] {
        if let Some(value) = parts.headers.get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

fn error_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorised",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    }
}

#[derive(Deserialize)]
struct CreateCase {
    service: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    answers: BTreeMap<String, Value>,
    contact: ContactBody,
}

#[derive(Deserialize, Default)]
struct ContactBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    postcode: Option<String>,
}

/// Turns JSON answers into the same flat inputs a browser posts, so one validator serves both:
/// dates as "YYYY-MM-DD", addresses as objects, yes/no as booleans.
fn flatten_answers(answers: &BTreeMap<String, Value>) -> RawAnswers {
    let mut raw = RawAnswers::new();
    for (id, value) in answers {
        match value {
            Value::String(text) => {
                if let Ok(date) = text.parse::<jiff::civil::Date>() {
                    raw.insert(format!("{id}-day"), date.day().to_string());
                    raw.insert(format!("{id}-month"), date.month().to_string());
                    raw.insert(format!("{id}-year"), date.year().to_string());
                }
                raw.insert(id.clone(), text.clone());
            }
            Value::Bool(b) => {
                raw.insert(id.clone(), if *b { "yes" } else { "no" }.into());
            }
            Value::Object(parts) => {
                for (part, v) in parts {
                    raw.insert(
                        format!("{id}-{part}"),
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    );
                }
            }
            Value::Number(n) => {
                raw.insert(id.clone(), n.to_string());
            }
            Value::Null | Value::Array(_) => {}
        }
    }
    raw
}

fn contact_raw(contact: &ContactBody) -> RawAnswers {
    let mut raw = RawAnswers::new();
    raw.insert(contact_inputs::NAME.into(), contact.name.clone());
    for (input, value) in [
        (contact_inputs::EMAIL, &contact.email),
        (contact_inputs::PHONE, &contact.phone),
        (contact_inputs::POSTCODE, &contact.postcode),
    ] {
        raw.insert(input.into(), value.clone().unwrap_or_default());
    }
    raw
}

async fn create_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateCase>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(body) =
        body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let service = state
        .catalogue
        .service(&body.service)
        .ok_or_else(|| ApiError::field("service", format!("Unknown service '{}'", body.service)))?;
    let channel = allowed_channel(&state, &headers, body.channel.as_deref()).await?;
    let today = frontdoor_domain::calendar::london_date(Timestamp::now());
    let answers =
        crate::places::validate_answers(&state, service, &flatten_answers(&body.answers), today)
            .await?;
    let contact = validate_contact(&contact_raw(&body.contact));
    let (answers, contact) = match (answers, contact) {
        (Ok(a), Ok(c)) => (a, c),
        (a, c) => {
            let mut fields = a.err().unwrap_or_default();
            fields.extend(c.err().unwrap_or_default());
            return Err(ApiError::invalid(fields));
        }
    };
    let submission = Submission {
        service: service.slug.clone(),
        channel,
        received_at: Timestamp::now(),
        answers,
        contact,
        summary: None,
        meta: Default::default(),
    };
    let case = open_case(&state, service, submission, None).await?;
    let body = json!({
        "reference": case.reference.to_string(),
        "service": service.slug,
        "status": "new",
        "channel": channel.as_str(),
        "due_by": case.due_by.to_string(),
        "team": case.team,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The channel a case or contact says it came by. Anyone may send `api` (the default) or
/// `web`; the staffed and gateway channels would let anyone forge the council's channel
/// figures, so they need a partner key allowed that channel, or the token of a member of
/// staff who records contacts.
async fn allowed_channel(
    state: &AppState,
    headers: &HeaderMap,
    requested: Option<&str>,
) -> ApiResult<Channel> {
    let channel = match requested {
        None => Channel::Api,
        Some(text) => {
            Channel::parse(text).map_err(|e| ApiError::field("channel", e.to_string()))?
        }
    };
    if matches!(channel, Channel::Api | Channel::Web) {
        return Ok(channel);
    }
    let not_allowed = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "channel_not_allowed",
            format!(
                "Only a partner key allowed the '{}' channel, or a staff API token, may send \
                 contacts by it. Leave 'channel' out, or send 'api' or 'web'.",
                channel.as_str()
            ),
        )
    };
    let token = bearer(headers).ok_or_else(not_allowed)?;
    if let Some(partner) = state
        .settings
        .api_partners
        .iter()
        .find(|p| bool::from(p.key.as_bytes().ct_eq(token.as_bytes())))
    {
        return if partner.channels.contains(&channel) {
            Ok(channel)
        } else {
            Err(not_allowed())
        };
    }
    let (role, record) = staff_for_token(state, token).await?;
    let staffer = Staffer {
        role,
        team: &record.team,
    };
    if staffer.has(Permission::RecordContact) {
        Ok(channel)
    } else {
        Err(not_allowed())
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn unauthorised() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorised",
        "Send a staff API token as 'Authorization: Bearer TOKEN'",
    )
}

/// A contact in free text: triage chooses the service.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateContact {
    text: String,
    #[serde(default)]
    channel: Option<String>,
    contact: ContactBody,
}

async fn create_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateContact>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(body) =
        body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let channel = allowed_channel(&state, &headers, body.channel.as_deref()).await?;
    let text = crate::triage::check_text(&body.text);
    let contact = validate_contact(&contact_raw(&body.contact));
    let (text, contact) = match (text, contact) {
        (Ok(t), Ok(c)) => (t, c),
        (t, c) => {
            let mut fields: Vec<FieldError> = t
                .err()
                .map(|problem| {
                    FieldError::new("text", "text", Text::untranslated(problem.message()))
                })
                .into_iter()
                .collect();
            fields.extend(c.err().unwrap_or_default());
            return Err(ApiError::invalid(fields));
        }
    };
    let (case, triage) =
        crate::triage::open_free_text_case(&state, &text, channel, contact, None).await?;
    let body = json!({
        "reference": case.reference.to_string(),
        "service": case.submission.service,
        "team": case.team,
        "status": "new",
        "channel": channel.as_str(),
        "due_by": case.due_by.to_string(),
        "urgent": triage.urgent,
        "awaiting_triage": triage.needs_review,
        "triage": {
            "confidence": triage.confidence,
            "suggestions": triage.suggestions,
            "referrals": triage.referrals,
            "explanation": triage.explanation,
            "model": state.triage.info().id,
        },
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The member of staff a bearer token belongs to, held to the same policy as the console.
struct ApiStaff {
    role: Role,
    team: String,
    /// Why a restricted case is read, as sent in `X-Access-Reason`.
    reason: Option<String>,
    audit: AuditSlot,
}

/// The header a partner system sends its reason for reading a restricted case in.
const REASON_HEADER: &str = "x-access-reason";

impl ApiStaff {
    fn staffer(&self) -> Staffer<'_> {
        Staffer {
            role: self.role,
            team: &self.team,
        }
    }

    fn require(&self, permission: Permission) -> ApiResult<()> {
        if self.staffer().has(permission) {
            Ok(())
        } else {
            Err(refused(Refusal::Role))
        }
    }

    /// As the console: allowed by the policy, and for a restricted service only with a
    /// reason, which goes on the audit trail.
    fn require_for(&self, permission: Permission, owner: Owner<'_>) -> ApiResult<()> {
        self.staffer().may(permission, owner).map_err(refused)?;
        if !owner.restricted {
            return Ok(());
        }
        let reason = self.reason.as_deref().ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "reason_required",
                "This is a restricted service: say why you are reading it in the X-Access-Reason header",
            )
        })?;
        self.audit.reason(reason);
        Ok(())
    }
}

/// The reason sent in `X-Access-Reason`, if any. One too long to keep whole is refused,
/// not cut: the audit trail must hold what was said.
fn access_reason(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(REASON_HEADER) else {
        return Ok(None);
    };
    let bad =
        |message: &str| ApiError::new(StatusCode::BAD_REQUEST, "invalid_access_reason", message);
    let text = value
        .to_str()
        .map_err(|_| bad("X-Access-Reason must be plain text"))?;
    let text = frontdoor_domain::typed::one_line(text)
        .map_err(|_| bad("X-Access-Reason must not contain control characters"))?;
    if text.chars().count() > frontdoor_domain::access::MAX_REASON {
        return Err(bad("X-Access-Reason must be 500 characters or fewer"));
    }
    Ok(Some(text).filter(|t| !t.is_empty()))
}

/// The member of staff a bearer token belongs to, and their role. An unknown or expired
/// token is 401; a role the policy does not know grants nothing (403).
async fn staff_for_token(
    state: &AppState,
    token: &str,
) -> ApiResult<(Role, frontdoor_store::StaffRecord)> {
    let staff_id = staff_for_bearer(state, token)
        .await?
        .ok_or_else(unauthorised)?;
    let record = state
        .store
        .staff_by_id(staff_id)
        .await?
        .ok_or_else(unauthorised)?;
    let role = Role::parse(&record.role).ok_or_else(|| refused(Refusal::Role))?;
    Ok((role, record))
}

fn refused(why: Refusal) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("{why}."))
}

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let token = bearer(&parts.headers).ok_or_else(unauthorised)?;
        let (role, record) = staff_for_token(state, token).await?;
        let audit = parts
            .extensions
            .get::<AuditSlot>()
            .cloned()
            .unwrap_or_default();
        audit.staff(record.id);
        let reason = access_reason(&parts.headers)?;
        Ok(ApiStaff {
            role,
            team: record.team,
            reason,
            audit,
        })
    }
}

#[derive(Serialize)]
struct CaseJson {
    reference: String,
    service: String,
    team: String,
    status: String,
    channel: String,
    due_by: String,
    created_at: String,
    assigned_to: Option<String>,
    outcome: Option<String>,
}

fn case_json(case: &CaseSummary) -> CaseJson {
    CaseJson {
        reference: case.reference.to_string(),
        service: case.service.clone(),
        team: case.team.clone(),
        status: case.state.status.as_str().into(),
        channel: case.channel.as_str().into(),
        due_by: case.due_by.to_string(),
        created_at: case.created_at.to_string(),
        assigned_to: case.assigned_to_name.clone(),
        outcome: case.state.outcome.clone(),
    }
}

fn detail_json(case: &CaseDetail) -> Value {
    let contacts: Vec<Value> = case
        .contacts
        .iter()
        .map(|c| {
            let answers: BTreeMap<&String, String> = c.answers.iter().map(|(k, v)| (k, v.display())).collect();
            json!({"channel": c.channel.as_str(), "received_at": c.received_at.to_string(), "answers": answers, "summary": c.summary})
        })
        .collect();
    let events: Vec<Value> = case
        .events
        .iter()
        .map(|e| json!({"at": e.at.to_string(), "by": e.actor_name, "event": e.event}))
        .collect();
    json!({
        "case": case_json(&case.summary),
        "resident": {
            "name": case.contact.name,
            "email": case.contact.email.as_ref().map(|e| e.to_string()),
            "phone": case.contact.phone.as_ref().map(|p| p.as_str()),
            "postcode": case.contact.postcode.as_ref().map(|p| p.to_string()),
        },
        "contacts": contacts,
        "events": events,
    })
}

async fn get_case(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(reference): Path<String>,
) -> ApiResult<Json<Value>> {
    let reference = Reference::parse(&reference).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        ..ApiError::field("reference", e.to_string())
    })?;
    let case = state.store.case_by_reference(&reference).await?;
    let case = case.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No case with reference {reference}"),
        )
    })?;
    staff.require_for(
        Permission::ViewCase,
        crate::console::case_owner(&state, &case.summary),
    )?;
    Ok(Json(detail_json(&case)))
}

#[derive(Deserialize)]
struct Page {
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    50
}

async fn service_cases(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(slug): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let Some(service) = state.catalogue.service(&slug) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Unknown service '{slug}'"),
        ));
    };
    staff.require_for(
        Permission::ViewCase,
        state.catalogue.owner(&service.slug, &service.team),
    )?;
    if !(1..=500).contains(&page.limit) || page.offset < 0 {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            ..ApiError::field("limit", "limit must be 1 to 500 and offset 0 or more")
        });
    }
    let cases = state
        .store
        .cases_for_service(&slug, page.limit, page.offset)
        .await?;
    let cases: Vec<CaseJson> = cases.iter().map(case_json).collect();
    Ok(Json(
        json!({"service": slug, "limit": page.limit, "offset": page.offset, "cases": cases}),
    ))
}

async fn list_services(State(state): State<AppState>) -> Json<Value> {
    let services: Vec<Value> = state
        .catalogue
        .services
        .iter()
        .map(|s| {
            let fields: Vec<Value> = s.fields.iter().map(|f| json!({"id": f.id, "kind": f.kind, "label": f.label, "required": f.required, "choices": f.choices})).collect();
            json!({
                "slug": s.slug, "name": s.name, "department": s.department, "level": s.level.number(),
                "sla_working_days": s.sla_working_days, "statutory_basis": s.statutory_basis,
                "location_based": s.location_based, "channels": s.channels, "fields": fields,
            })
        })
        .collect();
    Json(json!({"council": state.catalogue.council.id, "services": services}))
}
