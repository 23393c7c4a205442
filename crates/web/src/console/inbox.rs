//! What the channels left for a person to deal with: quarantined messages (kept whole,
//! downloadable, marked dealt with) and teams' Tell Us Once tasks.

use crate::console::Staff;
use crate::error::{PageResult, WebError};
use crate::session::CsrfForm;
use crate::state::AppState;
use crate::views::{Layout, london_time};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::{Owner, Permission};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/quarantine", get(quarantine))
        .route("/console/quarantine/{id}/raw", get(raw))
        .route("/console/quarantine/{id}/release", post(release))
        .route("/console/tasks/{team}", get(tasks))
        .route("/console/tasks/{team}/{id}/done", post(task_done))
}

pub struct QuarantineRow {
    pub id: i64,
    pub channel: String,
    pub received: String,
    pub reason: String,
    pub size: i64,
    pub released: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/quarantine.html")]
struct QuarantinePage {
    layout: Layout,
    rows: Vec<QuarantineRow>,
}

async fn quarantine(State(state): State<AppState>, staff: Staff) -> PageResult<QuarantinePage> {
    staff.require(Permission::ManageQuarantine)?;
    let rows = state
        .store
        .quarantined(true)
        .await?
        .into_iter()
        .map(|q| QuarantineRow {
            id: q.id,
            channel: q.channel.label().into(),
            received: london_time(q.received_at),
            reason: q.reason,
            size: q.size,
            released: q.released_at.is_some(),
        })
        .collect();
    Ok(QuarantinePage {
        layout: staff.layout(&state),
        rows,
    })
}

/// The message exactly as it arrived, as a download (never rendered in the page).
async fn raw(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    staff.require(Permission::ManageQuarantine)?;
    let raw = state
        .store
        .quarantined_raw(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let disposition = format!("attachment; filename=\"quarantine-{id}.eml\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        raw,
    )
        .into_response())
}

async fn release(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    staff.require(Permission::ManageQuarantine)?;
    state.store.release_quarantined(id, staff.record.id).await?;
    Ok(Redirect::to("/console/quarantine").into_response())
}

pub struct TaskRow {
    pub id: i64,
    pub person_id: i64,
    pub text: String,
    pub created: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/tasks.html")]
struct TasksPage {
    layout: Layout,
    team_slug: String,
    team_name: String,
    rows: Vec<TaskRow>,
}

async fn tasks(
    State(state): State<AppState>,
    staff: Staff,
    Path(team): Path<String>,
) -> PageResult<TasksPage> {
    let team_record = state.catalogue.team(&team).ok_or(WebError::NotFound)?;
    staff.require_for(Permission::WorkTasks, team_owner(&team))?;
    let rows = state
        .store
        .open_tasks(&team)
        .await?
        .into_iter()
        .map(|t| TaskRow {
            id: t.id,
            person_id: t.person_id,
            text: t.text,
            created: london_time(t.created_at),
        })
        .collect();
    Ok(TasksPage {
        layout: staff.layout(&state),
        team_slug: team,
        team_name: team_record.name.clone(),
        rows,
    })
}

async fn task_done(
    State(state): State<AppState>,
    staff: Staff,
    Path((team, id)): Path<(String, i64)>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    staff.require_for(Permission::WorkTasks, team_owner(&team))?;
    state
        .store
        .complete_task(id, &team, staff.record.id)
        .await?;
    Ok(Redirect::to(&format!("/console/tasks/{team}")).into_response())
}

/// A team's own work, such as its Tell Us Once tasks: its team's, never restricted.
fn team_owner(team: &str) -> Owner<'_> {
    Owner {
        team,
        restricted: false,
        awaiting_triage: false,
    }
}
