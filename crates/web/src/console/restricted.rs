//! Opening a case in a restricted service: the member of staff says why first, and the
//! reason goes on the audit trail with every view of the case for the next few hours.

use crate::audit::case_subject;
use crate::console::Staff;
use crate::console::cases::load;
use crate::error::PageResult;
use crate::state::AppState;
use crate::views::{ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use frontdoor_domain::Permission;
use frontdoor_domain::access::{VIEW_REASONS, view_reason};
use frontdoor_store::CaseDetail;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

/// How long a reason lasts before the case asks again: about a working day.
const REASON_LASTS: SignedDuration = SignedDuration::from_hours(8);

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/cases/{reference}/reason", post(give_reason))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/restricted.html")]
pub struct ReasonPage {
    layout: Layout,
    reference: String,
    service_name: String,
    reasons: Vec<(&'static str, &'static str)>,
    choice: String,
    details: String,
    errors: Vec<ErrorItem>,
}

/// Whether this member of staff gave a reason for this case lately; if so, it is carried
/// onto this view's line of the audit trail.
pub async fn reason_given(state: &AppState, staff: &Staff, case: &CaseDetail) -> PageResult<bool> {
    let subject = case_subject(&case.summary.reference.to_string());
    let since = Timestamp::now() - REASON_LASTS;
    let reason = state
        .store
        .last_audit_reason(staff.record.id, &subject, since)
        .await?;
    if let Some(reason) = &reason {
        staff.audit.reason(reason);
    }
    Ok(reason.is_some())
}

pub fn ask_why(
    staff: &Staff,
    state: &AppState,
    case: &CaseDetail,
    errors: Vec<ErrorItem>,
) -> ReasonPage {
    ReasonPage {
        layout: staff.layout(state),
        reference: case.summary.reference.to_string(),
        service_name: state.service_name(&case.summary.service),
        reasons: VIEW_REASONS.to_vec(),
        choice: String::new(),
        details: String::new(),
        errors,
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    csrf_token: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    details: String,
}

async fn give_reason(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ReasonForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::ViewCase).await?;
    match view_reason(&form.reason, &form.details) {
        Ok(reason) => {
            staff.audit.reason(&reason);
            Ok(Redirect::to(&format!("/console/cases/{}", case.summary.reference)).into_response())
        }
        Err(message) => {
            let href = if form.reason.is_empty() {
                "#reason-working"
            } else {
                "#details"
            };
            let errors = vec![ErrorItem {
                href: href.into(),
                message: message.into(),
            }];
            let page = ReasonPage {
                choice: form.reason,
                details: form.details,
                ..ask_why(&staff, &state, &case, errors)
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
