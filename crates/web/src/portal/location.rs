//! The "where is it?" question of location-based services, and following a report someone
//! has already made instead of making another.
//!
//! Without JavaScript a resident finds an address by postcode or street and chooses it, or
//! gives a street and a description; with JavaScript a map lets them point at the spot too.

use super::forms::{Draft, confirmed_case, first_gap, web_submission};
use super::layout;
use crate::error::{PageResult, WebError};
use crate::session::Session;
use crate::state::AppState;
use crate::views::{AddressChoice, Layout, MapView, long_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::Text;
use frontdoor_domain::form::{Answer, RawAnswers};
use frontdoor_domain::{Field, FieldError, Reference, Service};
use frontdoor_store::NearbyReport;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/{slug}/follow", post(follow))
        .route("/services/{slug}/following", get(following))
}

/// The map for a location question, centred on the council.
pub fn map_view(state: &AppState) -> Option<MapView> {
    let centre = state.area.as_ref()?.centre()?;
    Some(MapView {
        tiles: state.settings.map_tiles.clone(),
        attribution: state.settings.map_attribution.clone(),
        lat: format!("{:.6}", centre.lat()),
        lon: format!("{:.6}", centre.lon()),
    })
}

/// The addresses to offer for what the resident searched (or for the one they chose).
pub async fn address_choices(
    state: &AppState,
    field: &Field,
    values: &RawAnswers,
) -> PageResult<Vec<AddressChoice>> {
    let mut search = values
        .get(&format!("{}-search", field.id))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    if search.is_empty()
        && let Some(uprn) = values.get(&format!("{}-uprn", field.id))
        && let Some(address) = state.store.gazetteer_address(uprn).await?
    {
        search = address.postcode.to_string();
    }
    if search.is_empty() {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .search_gazetteer(&search)
        .await?
        .into_iter()
        .map(|a| AddressChoice {
            label: a.one_line(),
            uprn: a.uprn,
        })
        .collect())
}

/// The "Find address" button: addresses to choose from, or why there are none.
pub async fn find(
    state: &AppState,
    field: &Field,
    raw: &RawAnswers,
) -> PageResult<Result<Vec<AddressChoice>, FieldError>> {
    let input = format!("{}-search", field.id);
    let search = raw.get(&input).map(|s| s.trim()).unwrap_or("");
    let error = |text: Text| FieldError::new(field.id.clone(), input.clone(), text);
    if search.is_empty() {
        return Ok(Err(error(Text::new("error.location.search"))));
    }
    if search.chars().count() > 100 {
        return Ok(Err(error(Text::new("error.location.search_too_long"))));
    }
    let choices = address_choices(state, field, raw).await?;
    if choices.is_empty() {
        let text = Text::new("error.location.not_found").with("search", search);
        return Ok(Err(error(text)));
    }
    Ok(Ok(choices))
}

/// An open report near the draft's place, as the check page offers it.
pub struct NearbyView {
    pub reference: String,
    pub distance: String,
    pub place: String,
    /// "Reported 3 March 2026. Status: In progress. Reference HX7M-2KQ9."
    pub line: String,
}

/// Open reports of the same service near where the resident says the problem is.
pub async fn nearby_reports(
    state: &AppState,
    service: &Service,
    draft: &Draft,
) -> PageResult<Vec<NearbyReport>> {
    let Some(point) = draft.answers.values().find_map(|a| match a {
        Answer::Location(place) => place.point,
        _ => None,
    }) else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .open_reports_near(&service.slug, point, state.settings.duplicate_radius_m)
        .await?)
}

pub fn nearby_views(reports: &[NearbyReport]) -> Vec<NearbyView> {
    reports
        .iter()
        .map(|r| {
            let lang = crate::locale::current();
            let reported = long_date(frontdoor_domain::calendar::london_date(r.created_at));
            let line = Text::new("check.reported")
                .with("date", reported)
                .with_key("status", r.status.key())
                .with("reference", r.reference);
            NearbyView {
                reference: r.reference.to_string(),
                distance: Text::new("location.metres")
                    .with("count", r.distance_m.round() as i64)
                    .render(lang),
                place: crate::views::place_text(&r.place),
                line: line.render(lang),
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct FollowForm {
    csrf_token: Option<String>,
    reference: String,
}

async fn follow(
    State(state): State<AppState>,
    mut session: Session,
    Path(slug): Path<String>,
    Form(form): Form<FollowForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let service = state
        .local_catalogue()
        .service(&slug)
        .ok_or(WebError::NotFound)?;
    let draft = session.data.drafts.get(&slug).cloned();
    if let Some(gap) = first_gap(service, draft.as_ref()) {
        return Ok(Redirect::to(&gap).into_response());
    }
    let draft = draft.unwrap_or_default();
    // Only a report that is still open and near this place may be followed.
    let nearby = nearby_reports(&state, service, &draft).await?;
    let Some(report) = Reference::parse(&form.reference)
        .ok()
        .and_then(|r| nearby.into_iter().find(|n| n.reference == r))
    else {
        return Ok(Redirect::to(&format!("/services/{slug}/check")).into_response());
    };
    let submission = web_submission(&slug, draft, &session)?;
    state.store.follow_case(report.case_id, &submission).await?;
    tracing::info!(case.reference = %report.reference, case.service = %slug, "report followed");
    session.data.drafts.remove(&slug);
    session.data.confirmation = Some((slug.clone(), report.reference.to_string()));
    session.save().await?;
    Ok(Redirect::to(&format!("/services/{slug}/following")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/following.html")]
struct FollowingPage {
    layout: Layout,
    service_name: String,
    reference: String,
    due_by: String,
}

async fn following(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> PageResult<Response> {
    let service = state
        .local_catalogue()
        .service(&slug)
        .ok_or(WebError::NotFound)?;
    let Some(case) = confirmed_case(&state, &session, &slug).await? else {
        return Ok(Redirect::to(&format!("/services/{slug}")).into_response());
    };
    Ok(FollowingPage {
        layout: layout(&state, session.csrf_token()),
        service_name: service.name.clone(),
        reference: case.summary.reference.to_string(),
        due_by: long_date(case.summary.due_by),
    }
    .into_response())
}
