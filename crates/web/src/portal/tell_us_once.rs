//! Tell Us Once for residents: a change of address, a change of name or a death, told on
//! one page; the confirmation lists every service that was told.

use super::layout;
use crate::error::{PageResult, WebError};
use crate::session::Session;
use crate::state::AppState;
use crate::views::{ContactView, ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontdoor_domain::Text;
use frontdoor_domain::form::{FieldError, RawAnswers, validate_contact, validate_reply_by};
use frontdoor_domain::life_event::{LifeEventInput, parse_date};
use frontdoor_domain::{Channel, ContactMeta, LifeEvent, LifeEventKind};
use frontdoor_store::Told;

const CONFIRMATION_KEY: &str = "tell-us-once";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tell-us-once", get(form).post(send))
        .route("/tell-us-once/confirmation", get(confirmation))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/tell_us_once.html")]
struct TellUsOncePage {
    layout: Layout,
    values: RawAnswers,
    kinds: Vec<(String, String)>,
    event_error: Option<String>,
    dob_error: Option<String>,
    contact: ContactView,
    errors: Vec<ErrorItem>,
}

impl TellUsOncePage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
}

fn page(
    state: &AppState,
    session: &Session,
    raw: RawAnswers,
    errors: Vec<FieldError>,
) -> TellUsOncePage {
    let find = |input: &str| {
        errors
            .iter()
            .find(|e| e.input == input)
            .map(|e| e.message_in(crate::locale::current()))
    };
    TellUsOncePage {
        layout: layout(state, session.csrf_token()),
        kinds: LifeEventKind::ALL
            .iter()
            .map(|k| {
                let key = format!("life_event.choice.{}", k.as_str());
                (k.as_str().into(), layout_text(&key))
            })
            .collect(),
        event_error: find("kind"),
        dob_error: find("date-of-birth"),
        contact: ContactView {
            values: raw.clone(),
            errors: errors.clone(),
        },
        errors: ErrorItem::from_field_errors(&errors),
        values: raw,
    }
}

async fn form(State(state): State<AppState>, session: Session) -> TellUsOncePage {
    page(&state, &session, RawAnswers::new(), vec![])
}

async fn send(
    State(state): State<AppState>,
    mut session: Session,
    Form(raw): Form<RawAnswers>,
) -> PageResult<Response> {
    session.verify_csrf(raw.get("csrf_token").map(String::as_str))?;
    let value = |name: &str| raw.get(name).map(String::as_str).unwrap_or("");
    let today = frontdoor_domain::calendar::london_date(jiff::Timestamp::now());
    let input = LifeEventInput {
        kind: value("kind"),
        address: value("address"),
        postcode: value("new-postcode"),
        name: value("new-name"),
        date: value("date"),
        told_by: value("told-by"),
    };
    let mut errors = Vec::new();
    let event = LifeEvent::parse(&input, today)
        .map_err(|e| errors.push(field_error("kind", e.text())))
        .ok();
    let dob = match value("date-of-birth").trim() {
        "" => None,
        text => parse_date(text)
            .map_err(|_| {
                let text = Text::new("tell_us_once.date_of_birth_bad");
                errors.push(field_error("date-of-birth", text));
            })
            .ok(),
    };
    let contact = validate_contact(&raw).and_then(|contact| {
        let reply_by = validate_reply_by(&raw, &contact).map_err(|e| vec![e])?;
        Ok((contact, reply_by))
    });
    let (Some(event), Ok((contact, reply_by))) = (event, &contact) else {
        errors.extend(contact.err().unwrap_or_default());
        let page = page(&state, &session, raw, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if !errors.is_empty() {
        let page = page(&state, &session, raw, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let meta = ContactMeta {
        reply_by: *reply_by,
        language: crate::locale::current(),
        ..Default::default()
    };
    let person = state.store.record_resident(contact, &meta, dob).await?;
    let resident = Some((contact, *reply_by));
    let id = crate::tell_us_once::tell(&state, person, event, Channel::Web, None, resident).await?;
    session.data.confirmation = Some((CONFIRMATION_KEY.into(), id.to_string()));
    session.save().await?;
    Ok(Redirect::to("/tell-us-once/confirmation").into_response())
}

fn layout_text(key: &str) -> String {
    frontdoor_domain::i18n::message(crate::locale::current(), key).to_owned()
}

fn field_error(input: &str, text: Text) -> FieldError {
    FieldError::new(input, input, text)
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/tell_us_once_confirmation.html")]
struct ConfirmationPage {
    layout: Layout,
    what: String,
    told: Vec<Told>,
}

async fn confirmation(State(state): State<AppState>, session: Session) -> PageResult<Response> {
    let id = match &session.data.confirmation {
        Some((key, id)) if key == CONFIRMATION_KEY => id.parse::<i64>().ok(),
        _ => None,
    };
    let Some(id) = id else {
        return Ok(Redirect::to("/tell-us-once").into_response());
    };
    let event = state
        .store
        .life_event(id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(ConfirmationPage {
        layout: layout(&state, session.csrf_token()),
        what: crate::tell_us_once::describe(&event.event),
        told: event
            .told
            .iter()
            .map(|t| crate::tell_us_once::told_locally(&state, t))
            .collect(),
    }
    .into_response())
}
