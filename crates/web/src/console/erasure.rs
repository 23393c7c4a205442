//! The administrator's erasure page: what a resident's request to be erased would do to
//! each case, then doing it once they confirm (docs/security.md#erasure).

use crate::console::Staff;
use crate::erasure::{ErasureStep, erase_resident, erasure_plan};
use crate::error::{PageResult, WebError};
use crate::state::AppState;
use crate::views::{ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdoor_domain::Permission;
use frontdoor_store::PersonView;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/residents/{id}/erase", get(erase_page).post(erase))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/erase.html")]
struct ErasePage {
    layout: Layout,
    errors: Vec<ErrorItem>,
    person_id: i64,
    name: String,
    steps: Vec<ErasureStep>,
    /// Whether this is the plan (false) or what was done (true).
    done: bool,
}

#[derive(Deserialize)]
struct EraseForm {
    csrf_token: Option<String>,
    #[serde(default)]
    confirm: String,
}

async fn load(state: &AppState, staff: &Staff, id: i64) -> PageResult<PersonView> {
    staff.require(Permission::EraseResident)?;
    state.store.person(id).await?.ok_or(WebError::NotFound)
}

fn page(
    state: &AppState,
    staff: &Staff,
    person: &PersonView,
    steps: Vec<ErasureStep>,
    done: bool,
    errors: Vec<ErrorItem>,
) -> ErasePage {
    ErasePage {
        layout: staff.layout(state),
        errors,
        person_id: person.person_id,
        name: person.latest().name.clone(),
        steps,
        done,
    }
}

async fn erase_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> PageResult<ErasePage> {
    let person = load(&state, &staff, id).await?;
    let steps = erasure_plan(&state.catalogue, &person);
    Ok(page(&state, &staff, &person, steps, false, vec![]))
}

async fn erase(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<EraseForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let person = load(&state, &staff, id).await?;
    if form.confirm != "yes" {
        let steps = erasure_plan(&state.catalogue, &person);
        let errors = vec![ErrorItem {
            href: "#confirm".into(),
            message: "Confirm that the resident has asked for their data to be erased".into(),
        }];
        let page = page(&state, &staff, &person, steps, false, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let done = erase_resident(&state.store, &state.catalogue, &person, staff.record.id).await?;
    Ok(page(&state, &staff, &person, done, true, vec![]).into_response())
}
