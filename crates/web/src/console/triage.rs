//! The human triage queue: contacts the model was unsure of, with its three best
//! suggestions one click away, and the routing and referral actions on a case.

use crate::console::Staff;
use crate::console::cases::{after_change, load};
use crate::error::PageResult;
use crate::state::AppState;
use crate::triage::{decision, open_referral, route};
use crate::views::{Layout, london_time};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::Permission;
use frontdoor_triage::Triage;
use serde::Deserialize;

const QUEUE_LENGTH: i64 = 200;
/// How much of a contact the queue shows before staff open it.
const PREVIEW_CHARS: usize = 280;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/triage", get(queue))
        .route("/console/cases/{reference}/route", post(route_case))
        .route("/console/cases/{reference}/referrals", post(refer))
}

/// The model in use, as the console shows it.
pub struct ModelView {
    pub id: String,
    pub trained_at: String,
    pub examples: usize,
    pub corrections: usize,
    /// "words and meaning" or "words only".
    pub reads: &'static str,
    /// Staff decisions made since the model was trained: waiting to be learned.
    pub waiting: i64,
}

pub async fn model_view(state: &AppState) -> PageResult<ModelView> {
    let info = state.triage.info();
    // A model whose training time is not a timestamp (the tests' "test", say) has
    // learned none of the decisions in this database.
    let since = info
        .trained_at
        .parse::<jiff::Timestamp>()
        .unwrap_or(jiff::Timestamp::MIN);
    Ok(ModelView {
        id: info.id.clone(),
        trained_at: info.trained_at.clone(),
        examples: info.examples,
        corrections: info.corrections,
        reads: if state.triage.reads_meaning() {
            "words and meaning"
        } else {
            "words only"
        },
        waiting: state.store.count_labels_since(since).await?,
    })
}

/// One of triage's choices, named for staff.
pub struct Choice {
    pub slug: String,
    pub name: String,
    pub percent: u32,
}

pub fn choices(state: &AppState, triage: &Triage) -> Vec<Choice> {
    triage
        .suggestions
        .iter()
        .map(|s| Choice {
            slug: s.service.clone(),
            name: state.service_name(&s.service),
            percent: (s.confidence * 100.0).round() as u32,
        })
        .collect()
}

/// Every service, for the "send somewhere else" list.
pub fn all_services(state: &AppState) -> Vec<(String, String)> {
    let mut services: Vec<(String, String)> = state
        .catalogue
        .services
        .iter()
        .map(|s| (s.slug.clone(), s.name.clone()))
        .collect();
    services.sort_by(|a, b| a.1.cmp(&b.1));
    services
}

pub struct WaitingRow {
    pub reference: String,
    pub received: String,
    pub channel: String,
    pub urgent: bool,
    pub preview: String,
    pub choices: Vec<Choice>,
    pub explanation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/triage.html")]
struct QueuePage {
    layout: Layout,
    model: ModelView,
    rows: Vec<WaitingRow>,
    services: Vec<(String, String)>,
}

async fn queue(State(state): State<AppState>, staff: Staff) -> PageResult<QueuePage> {
    staff.require(Permission::ReviewTriage)?;
    let waiting = state.store.cases_awaiting_triage(QUEUE_LENGTH).await?;
    let mut rows = Vec::with_capacity(waiting.len());
    for item in waiting {
        let triage: Option<Triage> = item
            .decision
            .and_then(|d| serde_json::from_value(d.decision).ok());
        let mut preview: String = item.text.chars().take(PREVIEW_CHARS).collect();
        if item.text.chars().count() > PREVIEW_CHARS {
            preview.push('…');
        }
        rows.push(WaitingRow {
            reference: item.summary.reference.to_string(),
            received: london_time(item.summary.created_at),
            channel: item.summary.channel.label().into(),
            urgent: item.summary.urgent,
            preview,
            choices: triage
                .as_ref()
                .map(|t| choices(&state, t))
                .unwrap_or_default(),
            explanation: triage.map(|t| t.explanation.join(", ")).unwrap_or_default(),
        });
    }
    Ok(QueuePage {
        layout: staff.layout(&state),
        model: model_view(&state).await?,
        rows,
        services: all_services(&state),
    })
}

#[derive(Deserialize)]
struct ServiceForm {
    csrf_token: Option<String>,
    #[serde(default)]
    service: String,
    /// Where to go afterwards: "triage" returns to the triage queue.
    #[serde(default)]
    back: String,
}

async fn route_case(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ServiceForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::RouteCase).await?;
    let result = route(&state, &case, &staff.record, &form.service).await;
    if result.is_ok() && form.back == "triage" {
        return Ok(Redirect::to("/console/triage").into_response());
    }
    after_change(&state, &staff, &case, result, "route-service").await
}

async fn refer(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ServiceForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::AddToCase).await?;
    let result = open_referral(&state, &case, &staff.record, &form.service)
        .await
        .map(|_| ());
    after_change(&state, &staff, &case, result, "route-service").await
}

/// What the case page shows of triage.
pub struct TriagePanel {
    pub model_id: String,
    pub service_name: String,
    pub percent: u32,
    pub urgent_because: String,
    pub explanation: String,
    pub choices: Vec<Choice>,
    /// The kind of risk triage saw, if it saw one.
    pub risk_kind: Option<String>,
    /// (slug, name, because, already opened)
    pub referrals: Vec<(String, String, String, bool)>,
}

pub async fn panel(
    state: &AppState,
    case: &frontdoor_store::CaseDetail,
) -> PageResult<Option<TriagePanel>> {
    let Some((model_id, triage)) = decision(state, case.summary.id).await? else {
        return Ok(None);
    };
    let linked: Vec<&str> = case
        .events
        .iter()
        .filter_map(|e| match &e.event {
            frontdoor_domain::CaseEvent::Linked { service, .. } => Some(service.as_str()),
            _ => None,
        })
        .collect();
    Ok(Some(TriagePanel {
        model_id,
        service_name: state.service_name(&triage.service),
        percent: (triage.confidence * 100.0).round() as u32,
        urgent_because: triage.urgent_because.join(", "),
        explanation: triage.explanation.join(", "),
        choices: choices(state, &triage),
        risk_kind: triage.risk_kind.clone(),
        referrals: triage
            .referrals
            .iter()
            .map(|r| {
                (
                    r.service.clone(),
                    state.service_name(&r.service),
                    r.because.join(", "),
                    linked.contains(&r.service.as_str()),
                )
            })
            .collect(),
    }))
}
