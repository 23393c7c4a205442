//! The risk queues: urgent contacts, and contacts triage thought might involve someone at
//! risk, which a person must read within the hour and either make urgent or clear.

use crate::console::Staff;
use crate::console::cases::{after_change, load};
use crate::error::PageResult;
use crate::state::AppState;
use crate::triage::{RiskDecision, decision, review_risk};
use crate::views::{Layout, london_time};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::Permission;
use frontdoor_store::CaseSummary;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

const QUEUE_LENGTH: i64 = 500;
/// How soon a person must read a contact sent to be checked for risk.
pub const CHECK_WITHIN: SignedDuration = SignedDuration::from_hours(1);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/risk", get(queue))
        .route("/console/cases/{reference}/risk", post(review))
}

pub struct RiskRow {
    pub reference: String,
    /// The kind triage saw, as its slug: what "Urgent" records unless a person says otherwise.
    pub kind_slug: String,
    pub service: String,
    pub received: String,
    /// When a person must have read it by; empty for urgent cases.
    pub read_by: String,
    pub late: bool,
    pub kind: String,
    pub because: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/risk.html")]
struct QueuePage {
    layout: Layout,
    urgent: Vec<RiskRow>,
    check: Vec<RiskRow>,
}

async fn queue(State(state): State<AppState>, staff: Staff) -> PageResult<QueuePage> {
    staff.require(Permission::ViewQueues)?;
    let now = Timestamp::now();
    let (mut urgent, mut check) = (Vec::new(), Vec::new());
    for case in state.store.cases_at_risk(QUEUE_LENGTH).await? {
        if !staff.sees(&state, &case) {
            continue;
        }
        let row = risk_row(&state, &case, now).await?;
        if case.urgent {
            urgent.push(row);
        } else {
            check.push(row);
        }
    }
    Ok(QueuePage {
        layout: staff.layout(&state),
        urgent,
        check,
    })
}

async fn risk_row(state: &AppState, case: &CaseSummary, now: Timestamp) -> PageResult<RiskRow> {
    let triage = decision(state, case.id).await?.map(|(_, t)| t);
    let read_by = case
        .created_at
        .checked_add(CHECK_WITHIN)
        .unwrap_or(case.created_at);
    let kind_slug = triage
        .as_ref()
        .and_then(|t| t.risk_kind.clone())
        .unwrap_or_default();
    Ok(RiskRow {
        kind_slug,
        reference: case.reference.to_string(),
        service: state.service_name(&case.service),
        received: london_time(case.created_at),
        read_by: if case.urgent {
            String::new()
        } else {
            london_time(read_by)
        },
        late: !case.urgent && now > read_by,
        kind: triage
            .as_ref()
            .and_then(|t| t.risk_kind.clone())
            .map(|k| k.replace('-', " "))
            .unwrap_or_default(),
        because: triage
            .map(|t| t.urgent_because.join(", "))
            .unwrap_or_default(),
    })
}

/// The kinds of risk the model knows, for a person to say which they saw, with the one
/// triage saw chosen.
pub fn kind_choices(state: &AppState, seen: Option<&str>) -> Vec<(String, String, bool)> {
    state
        .triage
        .risk_kinds()
        .iter()
        .map(|k| {
            let chosen = seen == Some(k.name.as_str());
            (k.name.clone(), k.name.replace('-', " "), chosen)
        })
        .collect()
}

#[derive(Deserialize)]
struct ReviewForm {
    csrf_token: Option<String>,
    #[serde(default)]
    decision: String,
    /// The kind of risk the person saw, with "urgent".
    #[serde(default)]
    kind: String,
    /// Where to go afterwards: "risk" returns to the risk queue.
    #[serde(default)]
    back: String,
}

async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ReviewForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::RouteCase).await?;
    let decided = match form.decision.as_str() {
        "urgent" => RiskDecision::Urgent,
        "no-risk" => RiskDecision::NoRisk,
        _ => {
            let refused = Err(crate::casework::ChangeError::Refused(
                frontdoor_domain::CaseError::RiskDecisionMissing,
            ));
            return after_change(&state, &staff, &case, refused, "risk-urgent").await;
        }
    };
    let result = review_risk(&state, &case, &staff.record, decided, &form.kind)
        .await
        .map_err(crate::casework::ChangeError::Web);
    if result.is_ok() && form.back == "risk" {
        return Ok(Redirect::to("/console/risk").into_response());
    }
    after_change(&state, &staff, &case, result, "risk-urgent").await
}
