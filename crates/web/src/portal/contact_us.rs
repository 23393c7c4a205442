//! "Contact us": for residents who don't know which service they need. They write in their
//! own words; triage chooses the service, flags urgency, and a person checks what it is
//! unsure of. The case is stored before the resident sees a reference, whatever triage says.

use super::layout;
use crate::error::PageResult;
use crate::session::Session;
use crate::state::AppState;
use crate::triage::{FreeText, check_text, open_free_text_case_with};
use crate::views::{ContactView, ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontdoor_domain::form::{FieldError, RawAnswers, validate_contact, validate_reply_by};
use frontdoor_domain::{Channel, ContactMeta, Reference};

/// The session's confirmation slot names this page rather than a service.
const CONFIRMATION_KEY: &str = "contact-us";
const MESSAGE: &str = "message";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contact-us", get(form).post(send))
        .route("/contact-us/confirmation", get(confirmation))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/contact_us.html")]
struct ContactUsPage {
    layout: Layout,
    message: String,
    message_error: Option<String>,
    contact: ContactView,
    errors: Vec<ErrorItem>,
}

async fn form(State(state): State<AppState>, session: Session) -> ContactUsPage {
    ContactUsPage {
        layout: layout(&state, session.csrf_token()),
        message: String::new(),
        message_error: None,
        contact: ContactView {
            values: RawAnswers::new(),
            errors: vec![],
        },
        errors: vec![],
    }
}

async fn send(
    State(state): State<AppState>,
    mut session: Session,
    Form(raw): Form<RawAnswers>,
) -> PageResult<Response> {
    session.verify_csrf(raw.get("csrf_token").map(String::as_str))?;
    let message = raw.get(MESSAGE).cloned().unwrap_or_default();
    let text = check_text(&message);
    let contact = validate_contact(&raw).and_then(|contact| {
        let reply_by = validate_reply_by(&raw, &contact).map_err(|e| vec![e])?;
        Ok((contact, reply_by))
    });
    let (text, contact) = match (text, contact) {
        (Ok(text), Ok(contact)) => (text, contact),
        (text, contact) => {
            let mut errors = Vec::new();
            let message_error = text
                .err()
                .map(|problem| problem.text().render(crate::locale::current()));
            if let Some(problem) = &message_error {
                errors.push(ErrorItem {
                    href: format!("#{MESSAGE}"),
                    message: problem.clone(),
                });
            }
            let contact_errors: Vec<FieldError> = contact.err().unwrap_or_default();
            errors.extend(ErrorItem::from_field_errors(&contact_errors));
            let page = ContactUsPage {
                layout: layout(&state, session.csrf_token()),
                message,
                message_error,
                contact: ContactView {
                    values: raw,
                    errors: contact_errors,
                },
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (contact, reply_by) = contact;
    let words = FreeText {
        triage_text: &text,
        summary: text.to_owned(),
        meta: ContactMeta {
            reply_by,
            language: crate::locale::current(),
            email_verified: session.proves(contact.email.as_ref()),
            ..Default::default()
        },
    };
    let (case, _) = open_free_text_case_with(&state, words, Channel::Web, contact, None).await?;
    session.data.confirmation = Some((CONFIRMATION_KEY.into(), case.reference.to_string()));
    session.save().await?;
    Ok(Redirect::to("/contact-us/confirmation").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/contact_us_confirmation.html")]
struct ConfirmationPage {
    layout: Layout,
    reference: String,
    /// The team's name, or empty while a person chooses it.
    team_name: String,
    urgent: bool,
    /// Urgent, or to be checked for risk: the resident is told to call 999 if in danger.
    at_risk: bool,
    council_phone: String,
}

async fn confirmation(State(state): State<AppState>, session: Session) -> PageResult<Response> {
    let Some((_, reference)) = session
        .data
        .confirmation
        .as_ref()
        .filter(|(key, _)| key == CONFIRMATION_KEY)
    else {
        return Ok(Redirect::to("/contact-us").into_response());
    };
    let reference =
        Reference::parse(reference).map_err(|e| crate::error::WebError::Internal(e.to_string()))?;
    let case = state
        .store
        .case_by_reference(&reference)
        .await?
        .ok_or(crate::error::WebError::NotFound)?;
    let team_name = if case.summary.awaiting_triage {
        String::new()
    } else {
        state
            .local_catalogue()
            .team(&case.summary.team)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    Ok(ConfirmationPage {
        layout: layout(&state, session.csrf_token()),
        reference: reference.to_string(),
        team_name,
        urgent: case.summary.urgent,
        at_risk: case.summary.urgent || case.summary.risk_check,
        council_phone: state.local_catalogue().council.phone.clone(),
    }
    .into_response())
}
