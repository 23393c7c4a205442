//! Team queues and the case page, with assign, note and status change.

use crate::casework::{self, ChangeError};
use crate::console::triage::{TriagePanel, all_services, panel};
use crate::console::{Staff, case_owner, restricted};
use crate::error::{PageResult, WebError};
use crate::session::CsrfForm;
use crate::state::AppState;
use crate::views::{ErrorItem, Layout, SummaryRow, TimelineEntry, london_time, long_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::form::Answer;
use frontdoor_domain::{Channel, Permission, Reference, Status};
use frontdoor_store::{CaseDetail, CaseSummary};
use serde::Deserialize;

const QUEUE_LENGTH: i64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/queues", get(queues))
        .route("/console/queues/{team}", get(queue))
        .route("/console/cases/{reference}", get(case_page))
        .route("/console/cases/{reference}/assign", post(assign))
        .route("/console/cases/{reference}/notes", post(note))
        .route("/console/cases/{reference}/status", post(status))
        .route("/console/cases/{reference}/reply", post(reply))
        .route(
            "/console/cases/{reference}/attachments/{id}",
            get(attachment),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "console/queues.html")]
struct QueuesPage {
    layout: Layout,
    awaiting_triage: i64,
    reviews_triage: bool,
    manages_quarantine: bool,
    model: crate::console::triage::ModelView,
    /// Open cases this member of staff may see: (to check for risk, urgent).
    at_risk: (usize, usize),
    /// (slug, name, open cases, whether it is the officer's own team)
    teams: Vec<(String, String, i64, bool)>,
}

async fn queues(State(state): State<AppState>, staff: Staff) -> PageResult<QueuesPage> {
    staff.require(Permission::ViewQueues)?;
    let counts = state.store.open_case_counts_by_team().await?;
    let teams = state
        .catalogue
        .teams
        .iter()
        .map(|t| {
            (
                t.slug.clone(),
                t.name.clone(),
                counts.get(&t.slug).copied().unwrap_or(0),
                t.slug == staff.record.team,
            )
        })
        .collect();
    Ok(QueuesPage {
        layout: staff.layout(&state),
        awaiting_triage: state.store.count_awaiting_triage().await?,
        reviews_triage: staff.staffer().has(Permission::ReviewTriage),
        manages_quarantine: staff.staffer().has(Permission::ManageQuarantine),
        model: crate::console::triage::model_view(&state).await?,
        at_risk: at_risk_counts(&state, &staff).await?,
        teams,
    })
}

async fn at_risk_counts(state: &AppState, staff: &Staff) -> PageResult<(usize, usize)> {
    let cases = state.store.cases_at_risk(500).await?;
    let seen: Vec<_> = cases.iter().filter(|c| staff.sees(state, c)).collect();
    let urgent = seen.iter().filter(|c| c.urgent).count();
    Ok((seen.len() - urgent, urgent))
}

pub struct QueueRow {
    pub reference: String,
    pub service: String,
    pub status: String,
    pub channel: String,
    pub due_by: String,
    pub overdue: bool,
    pub assigned_to: String,
    pub resident: String,
    pub urgent: bool,
    pub vulnerable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/queue.html")]
struct QueuePage {
    layout: Layout,
    team_slug: String,
    team_name: String,
    mine: bool,
    rows: Vec<QueueRow>,
}

#[derive(Deserialize)]
struct QueueFilter {
    #[serde(default)]
    mine: Option<String>,
}

fn queue_row(state: &AppState, case: &CaseSummary, today: jiff::civil::Date) -> QueueRow {
    QueueRow {
        reference: case.reference.to_string(),
        service: state
            .catalogue
            .service(&case.service)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| case.service.clone()),
        status: case.state.status.label().into(),
        channel: case.channel.label().into(),
        due_by: long_date(case.due_by),
        overdue: case.due_by < today,
        assigned_to: case
            .assigned_to_name
            .clone()
            .unwrap_or_else(|| "Unassigned".into()),
        resident: case.resident_name.clone(),
        urgent: case.urgent,
        vulnerable: case.vulnerable,
    }
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    Path(team): Path<String>,
    Query(filter): Query<QueueFilter>,
) -> PageResult<QueuePage> {
    staff.require(Permission::ViewQueues)?;
    let team_record = state.catalogue.team(&team).ok_or(WebError::NotFound)?;
    let mine = filter.mine.is_some();
    let cases = state
        .store
        .open_cases_for_team(&team, mine.then_some(staff.record.id), QUEUE_LENGTH)
        .await?;
    let today = frontdoor_domain::calendar::london_date(jiff::Timestamp::now());
    Ok(QueuePage {
        layout: staff.layout(&state),
        team_slug: team.clone(),
        team_name: team_record.name.clone(),
        mine,
        rows: cases
            .iter()
            .filter(|c| staff.sees(&state, c))
            .map(|c| queue_row(&state, c, today))
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "console/case.html")]
struct CasePage {
    layout: Layout,
    reference: String,
    service_name: String,
    team_slug: String,
    team_name: String,
    status: String,
    due_by: String,
    overdue: bool,
    channel: String,
    assigned_to: String,
    assigned_to_me: bool,
    details: Vec<SummaryRow>,
    contact: Vec<SummaryRow>,
    timeline: Vec<TimelineEntry>,
    /// (value, label) for each status the case may move to
    next_statuses: Vec<(String, String)>,
    errors: Vec<ErrorItem>,
    urgent: bool,
    risk_check: bool,
    /// (slug, name, chosen) for "What kind of risk?": triage's guess chosen.
    risk_kinds: Vec<(String, String, bool)>,
    awaiting_triage: bool,
    triage: Option<TriagePanel>,
    services: Vec<(String, String)>,
    service_slug: String,
    person_id: i64,
    flags: Vec<String>,
    attachments: Vec<AttachmentRow>,
    messages: Vec<MessageRow>,
    /// Where a reply goes, if the resident can be replied to.
    reply_to: Option<String>,
}

pub struct AttachmentRow {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: String,
}

pub struct MessageRow {
    pub to: String,
    pub subject: String,
    pub status: String,
    pub detail: String,
}

fn attachment_row(a: &frontdoor_store::AttachmentInfo) -> AttachmentRow {
    AttachmentRow {
        id: a.id,
        filename: a.filename.clone(),
        content_type: a.content_type.clone(),
        size: human_size(a.size),
    }
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn message_row(m: &frontdoor_store::OutboxMessage) -> MessageRow {
    let detail = match (&m.sent_at, &m.last_error) {
        (Some(at), _) => format!("sent {}", london_time(*at)),
        (None, Some(e)) => format!("{} attempts; last error: {e}", m.attempts),
        (None, None) => format!("queued {}", london_time(m.created_at)),
    };
    MessageRow {
        to: m.destination.describe(),
        subject: if m.subject.is_empty() {
            m.body.clone()
        } else {
            m.subject.clone()
        },
        status: m.status.as_str().into(),
        detail,
    }
}

/// The case, if this member of staff may use `permission` on it.
pub(super) async fn load(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    permission: Permission,
) -> PageResult<CaseDetail> {
    let reference = Reference::parse(reference).map_err(|_| WebError::NotFound)?;
    let case = state
        .store
        .case_by_reference(&reference)
        .await?
        .ok_or(WebError::NotFound)?;
    staff.require_for(permission, case_owner(state, &case.summary))?;
    Ok(case)
}

fn row(key: &str, value: String) -> SummaryRow {
    SummaryRow {
        key: key.into(),
        value,
        change_url: String::new(),
    }
}

/// Who an email came from, as far as Front Door can tell: a forged `From:` is easy, so
/// staff see when the message did not prove it, and when it is not the case's own address.
fn sender_note(case: &CaseDetail, contact: &frontdoor_store::ContactRecord) -> String {
    let address = contact.sender_email.clone().unwrap_or_default();
    let mut note = if contact.sender_verified {
        format!("{address} (verified)")
    } else {
        format!(
            "{address}: sender not verified, the message did not prove it came from this address"
        )
    };
    let own = case
        .contact
        .email
        .as_ref()
        .is_some_and(|e| e.as_str().eq_ignore_ascii_case(&address));
    if !own {
        note.push_str(". Not this case's own address: check before you share anything");
    }
    note
}

async fn case_page_view(
    state: &AppState,
    staff: &Staff,
    case: &CaseDetail,
    errors: Vec<ErrorItem>,
) -> PageResult<CasePage> {
    let summary = &case.summary;
    let service = state.catalogue.service(&summary.service);
    let triage = panel(state, case).await?;
    let mut details = Vec::new();
    for contact in &case.contacts {
        if let Some(said) = &contact.summary {
            details.push(row("What the resident said", said.clone()));
        }
        for field in service.map(|s| s.fields.as_slice()).unwrap_or_default() {
            let value = contact
                .answers
                .get(&field.id)
                .map(Answer::display)
                .unwrap_or_else(|| "Not given".into());
            details.push(row(&field.summary_title(), value));
        }
        let mut taken_by = contact
            .recorded_by_name
            .as_ref()
            .map(|n| format!(", recorded by {n}"))
            .unwrap_or_default();
        if let Some(minutes) = contact.duration_minutes {
            taken_by.push_str(&format!(", {minutes} minutes"));
        }
        if let Some(hub) = &contact.hub {
            taken_by.push_str(&format!(", at {hub}"));
        }
        details.push(row(
            "Received",
            format!(
                "{} by {}{taken_by}",
                london_time(contact.received_at),
                contact.channel.label().to_lowercase()
            ),
        ));
        if contact.channel == Channel::Email {
            details.push(row("Sender", sender_note(case, contact)));
        }
    }
    let optional = |v: Option<String>| v.unwrap_or_else(|| "Not given".into());
    let contact = vec![
        row("Name", case.contact.name.clone()),
        row(
            "Email address",
            optional(case.contact.email.as_ref().map(|e| e.to_string())),
        ),
        row(
            "Phone number",
            optional(case.contact.phone.as_ref().map(|p| p.to_string())),
        ),
        row(
            "Postcode",
            optional(case.contact.postcode.as_ref().map(|p| p.to_string())),
        ),
    ];
    let timeline = case
        .events
        .iter()
        .rev()
        .map(|e| TimelineEntry {
            when: london_time(e.at),
            who: e.actor_name.clone().unwrap_or_else(|| "Resident".into()),
            text: e.event.for_staff(),
        })
        .collect();
    let today = frontdoor_domain::calendar::london_date(jiff::Timestamp::now());
    Ok(CasePage {
        layout: staff.layout(state),
        reference: summary.reference.to_string(),
        service_name: service
            .map(|s| s.name.clone())
            .unwrap_or_else(|| summary.service.clone()),
        team_slug: summary.team.clone(),
        team_name: state
            .catalogue
            .team(&summary.team)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        status: summary.state.status.label().into(),
        due_by: long_date(summary.due_by),
        overdue: summary.state.status.is_open() && summary.due_by < today,
        channel: summary.channel.label().into(),
        assigned_to: summary
            .assigned_to_name
            .clone()
            .unwrap_or_else(|| "Unassigned".into()),
        assigned_to_me: summary.state.assigned_to == Some(staff.record.id),
        details,
        contact,
        timeline,
        next_statuses: summary
            .state
            .status
            .next()
            .iter()
            .map(|s| (s.as_str().into(), s.label().into()))
            .collect(),
        errors,
        urgent: summary.urgent,
        risk_check: summary.risk_check,
        risk_kinds: crate::console::risk::kind_choices(
            state,
            triage.as_ref().and_then(|t| t.risk_kind.as_deref()),
        ),
        awaiting_triage: summary.awaiting_triage,
        triage,
        services: all_services(state),
        service_slug: summary.service.clone(),
        person_id: case.person_id,
        flags: state
            .store
            .person_flags(case.person_id)
            .await?
            .iter()
            .map(|f| f.label().to_owned())
            .collect(),
        attachments: state
            .store
            .attachments_for_case(summary.id)
            .await?
            .iter()
            .map(attachment_row)
            .collect(),
        messages: state
            .store
            .outbox_for_case(summary.id)
            .await?
            .iter()
            .map(message_row)
            .collect(),
        reply_to: crate::notices::reply_destination(state, case),
    })
}

async fn case_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> PageResult<Response> {
    let case = load(&state, &staff, &reference, Permission::ViewCase).await?;
    if case_owner(&state, &case.summary).restricted
        && !restricted::reason_given(&state, &staff, &case).await?
    {
        return Ok(restricted::ask_why(&staff, &state, &case, vec![]).into_response());
    }
    Ok(case_page_view(&state, &staff, &case, vec![])
        .await?
        .into_response())
}

/// After a change: back to the case, or the case again with the reason it was refused.
pub(super) async fn after_change(
    state: &AppState,
    staff: &Staff,
    case: &CaseDetail,
    result: Result<(), ChangeError>,
    input: &str,
) -> PageResult<Response> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/console/cases/{}", case.summary.reference)).into_response())
        }
        Err(ChangeError::Refused(reason)) => {
            let errors = vec![ErrorItem {
                href: format!("#{input}"),
                message: reason.to_string(),
            }];
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                case_page_view(state, staff, case, errors).await?,
            )
                .into_response())
        }
        Err(ChangeError::Web(e)) => Err(e),
    }
}

async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::WorkCase).await?;
    let result = casework::assign_to(&state, &case, &staff.record).await;
    after_change(&state, &staff, &case, result, "assign").await
}

#[derive(Deserialize)]
struct NoteForm {
    csrf_token: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    visible: Option<String>,
}

async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<NoteForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::AddToCase).await?;
    let result = casework::note(
        &state,
        &case,
        &staff.record,
        &form.note,
        form.visible.is_some(),
    )
    .await;
    after_change(&state, &staff, &case, result, "note").await
}

#[derive(Deserialize)]
struct StatusForm {
    csrf_token: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    outcome: String,
}

async fn status(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<StatusForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::WorkCase).await?;
    let input = if Status::parse(&form.status).is_ok_and(|s| s.needs_outcome()) {
        "outcome"
    } else {
        "status"
    };
    let result =
        casework::set_status(&state, &case, &staff.record, &form.status, &form.outcome).await;
    after_change(&state, &staff, &case, result, input).await
}

#[derive(Deserialize)]
struct ReplyForm {
    csrf_token: Option<String>,
    #[serde(default)]
    reply: String,
}

async fn reply(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ReplyForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let case = load(&state, &staff, &reference, Permission::AddToCase).await?;
    let result = casework::reply(&state, &case, &staff.record, &form.reply).await;
    after_change(&state, &staff, &case, result, "reply").await
}

/// An attachment as a download. Served as a file, never shown inline, so a hostile HTML or
/// SVG attachment cannot run in the console.
async fn attachment(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, id)): Path<(String, i64)>,
) -> PageResult<Response> {
    let case = load(&state, &staff, &reference, Permission::ViewCase).await?;
    // A restricted case's documents, like its page, only after saying why.
    if case_owner(&state, &case.summary).restricted
        && !restricted::reason_given(&state, &staff, &case).await?
    {
        let page = format!("/console/cases/{}", case.summary.reference);
        return Ok(Redirect::to(&page).into_response());
    }
    let (info, data) = state
        .store
        .attachment(case.summary.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let name: String = info
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/octet-stream".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        data,
    )
        .into_response())
}
