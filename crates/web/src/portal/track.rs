//! Case tracking: a reference plus the email address, phone number or postcode given shows
//! the case (not the postcode, for a restricted service).
//!
//! A wrong check character is caught before any look-up. A reference that exists but does
//! not match gets the same answer as one that does not exist, so the page cannot be used
//! to find out which references are real, and failed attempts are limited per reference
//! and per client address, so it cannot be used to guess the answer either.

use super::layout;
use crate::error::PageResult;
use crate::rate_limit::ClientAddress;
use crate::session::Session;
use crate::state::AppState;
use crate::views::{ErrorItem, Layout, TimelineEntry, london_time, long_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdoor_domain::Reference;
use frontdoor_domain::i18n;
use frontdoor_store::CaseDetail;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/track", get(track_form).post(track))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/track.html")]
struct TrackPage {
    layout: Layout,
    errors: Vec<ErrorItem>,
    reference: String,
    contact: String,
    reference_error: Option<String>,
    contact_error: Option<String>,
}

async fn track_form(State(state): State<AppState>, session: Session) -> TrackPage {
    TrackPage {
        layout: layout(&state, session.csrf_token()),
        errors: vec![],
        reference: String::new(),
        contact: String::new(),
        reference_error: None,
        contact_error: None,
    }
}

#[derive(Deserialize)]
struct TrackForm {
    csrf_token: Option<String>,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    contact: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/track_result.html")]
struct TrackResult {
    layout: Layout,
    reference: String,
    service_name: String,
    status: String,
    received: String,
    due_by: String,
    outcome: Option<String>,
    timeline: Vec<TimelineEntry>,
}

async fn track(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    Form(form): Form<TrackForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let refuse = |reference_error: Option<String>, contact_error: Option<String>| {
        let mut errors = Vec::new();
        if let Some(m) = &reference_error {
            errors.push(ErrorItem {
                href: "#reference".into(),
                message: m.clone(),
            });
        }
        if let Some(m) = &contact_error {
            errors.push(ErrorItem {
                href: "#contact".into(),
                message: m.clone(),
            });
        }
        let page = TrackPage {
            layout: layout(&state, session.csrf_token()),
            errors,
            reference: form.reference.clone(),
            contact: form.contact.clone(),
            reference_error,
            contact_error,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let lang = crate::locale::current();
    let said = |key: &str| i18n::message(lang, key).to_owned();
    let reference = Reference::parse(&form.reference);
    let contact_missing = form
        .contact
        .trim()
        .is_empty()
        .then(|| said("track.contact_missing"));
    let reference = match reference {
        Ok(r) if contact_missing.is_none() => r,
        Ok(_) => return Ok(refuse(None, contact_missing)),
        Err(e) => return Ok(refuse(Some(e.text().render(lang)), contact_missing)),
    };
    let limits = &state.limits;
    let key = reference.as_compact();
    if limits.track_per_reference.exhausted(&key) || limits.track_per_address.exhausted(&address) {
        tracing::warn!("tracking refused: too many failed attempts");
        return Ok(crate::rate_limit::try_again_later("track.too_many", 900));
    }
    match proven_case(&state, &reference, &form.contact).await? {
        Some(case) => {
            limits.track_per_reference.clear(&key);
            Ok(result_page(&state, &session, case).into_response())
        }
        None => {
            limits.track_per_reference.hit(&key);
            limits.track_per_address.hit(&address);
            Ok(refuse(Some(said("track.not_found")), None))
        }
    }
}

/// The case, if what was typed proves it is the resident's: its contact's, or for a
/// report others followed instead of making another, a follower's.
async fn proven_case(
    state: &AppState,
    reference: &Reference,
    typed: &str,
) -> PageResult<Option<CaseDetail>> {
    let Some(case) = state.store.case_by_reference(reference).await? else {
        return Ok(None);
    };
    let restricted = state
        .catalogue
        .owner(&case.summary.service, &case.summary.team)
        .restricted;
    if case.contact.proves_tracking(typed, restricted) {
        return Ok(Some(case));
    }
    let followers = state.store.followers(case.summary.id).await?;
    let followed = followers
        .iter()
        .any(|f| f.proves_tracking(typed, restricted));
    Ok(followed.then_some(case))
}

fn result_page(state: &AppState, session: &Session, case: CaseDetail) -> TrackResult {
    let service = state.local_catalogue().service(&case.summary.service);
    let team_name = service.map(|s| s.department.clone()).unwrap_or_default();
    let timeline = case
        .events
        .iter()
        .rev()
        .map(|e| TimelineEntry {
            when: london_time(e.at),
            who: String::new(),
            text: e
                .event
                .for_resident(&team_name)
                .render(crate::locale::current()),
        })
        .collect();
    TrackResult {
        layout: layout(state, session.csrf_token()),
        reference: case.summary.reference.to_string(),
        service_name: service
            .map(|s| s.name.clone())
            .unwrap_or_else(|| case.summary.service.clone()),
        status: i18n::message(crate::locale::current(), &case.summary.state.status.key()).into(),
        received: london_time(case.summary.created_at),
        due_by: long_date(case.summary.due_by),
        outcome: case.summary.state.outcome.clone(),
        timeline,
    }
}
