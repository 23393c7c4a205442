//! Agent-assisted entry: a contact taken by phone or face to face, entered by staff on one page.

use crate::casework::open_case;
use crate::console::Staff;
use crate::error::PageResult;
use crate::state::AppState;
use crate::views::{ContactView, ErrorItem, FieldView, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontdoor_domain::Text;
use frontdoor_domain::form::{
    FieldError, RawAnswers, validate_contact, validate_reply_by, validate_visit,
};
use frontdoor_domain::{Channel, ContactMeta, Permission, Reference, Service, Submission};
use jiff::Timestamp;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/console/contacts/new",
        get(new_contact).post(record_contact),
    )
}

#[derive(Deserialize)]
struct Chosen {
    #[serde(default)]
    service: Option<String>,
    /// A case just recorded in a restricted service, which the agent cannot open.
    #[serde(default)]
    recorded: Option<String>,
    #[serde(default, rename = "for")]
    for_service: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/assisted_choose.html")]
struct ChoosePage {
    layout: Layout,
    /// (slug, department, name)
    services: Vec<(String, String, String)>,
    /// (reference, team name) of a restricted case just recorded.
    recorded: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/assisted_form.html")]
struct AssistedForm {
    layout: Layout,
    slug: String,
    service_name: String,
    channels: Vec<(String, String, bool)>,
    channel_error: Option<String>,
    said: String,
    duration: String,
    hub: String,
    duration_error: Option<String>,
    hub_error: Option<String>,
    fields: Vec<FieldView>,
    contact: ContactView,
    errors: Vec<ErrorItem>,
}

fn form_page(
    state: &AppState,
    staff: &Staff,
    service: &Service,
    raw: &RawAnswers,
    errors: Vec<FieldError>,
) -> AssistedForm {
    let chosen = raw.get("channel").map(String::as_str).unwrap_or("");
    AssistedForm {
        layout: staff.layout(state),
        slug: service.slug.clone(),
        service_name: service.name.clone(),
        channels: Channel::ASSISTED
            .iter()
            .map(|c| (c.as_str().into(), c.label().into(), c.as_str() == chosen))
            .collect(),
        channel_error: errors
            .iter()
            .find(|e| e.field == "channel")
            .map(|e| e.message.clone()),
        said: raw.get("said").cloned().unwrap_or_default(),
        duration: raw.get("duration").cloned().unwrap_or_default(),
        hub: raw.get("hub").cloned().unwrap_or_default(),
        duration_error: field_error(&errors, "duration"),
        hub_error: field_error(&errors, "hub"),
        fields: service
            .fields
            .iter()
            .map(|f| FieldView::new(f, raw, &errors, false))
            .collect(),
        contact: ContactView {
            values: raw.clone(),
            errors: errors
                .iter()
                .filter(|e| e.field.starts_with("contact-"))
                .cloned()
                .collect(),
        },
        errors: ErrorItem::from_field_errors(&errors),
    }
}

async fn new_contact(
    State(state): State<AppState>,
    staff: Staff,
    Query(chosen): Query<Chosen>,
) -> PageResult<Response> {
    staff.require(Permission::RecordContact)?;
    Ok(
        match chosen
            .service
            .as_deref()
            .and_then(|s| state.catalogue.service(s))
        {
            Some(service) => {
                form_page(&state, &staff, service, &RawAnswers::new(), vec![]).into_response()
            }
            None => ChoosePage {
                layout: staff.layout(&state),
                recorded: chosen
                    .recorded
                    .as_deref()
                    .and_then(|r| Reference::parse(r).ok())
                    .map(|r| (r.to_string(), recorded_for(&state, &chosen))),
                services: state
                    .catalogue
                    .services
                    .iter()
                    .map(|s| (s.slug.clone(), s.department.clone(), s.name.clone()))
                    .collect(),
            }
            .into_response(),
        },
    )
}

async fn record_contact(
    State(state): State<AppState>,
    staff: Staff,
    Query(chosen): Query<Chosen>,
    Form(raw): Form<RawAnswers>,
) -> PageResult<Response> {
    staff
        .session
        .verify_csrf(raw.get("csrf_token").map(String::as_str))?;
    staff.require(Permission::RecordContact)?;
    let Some(service) = chosen
        .service
        .as_deref()
        .and_then(|s| state.catalogue.service(s))
    else {
        return Ok(Redirect::to("/console/contacts/new").into_response());
    };
    let today = frontdoor_domain::calendar::london_date(Timestamp::now());
    let channel = raw
        .get("channel")
        .and_then(|c| Channel::parse(c).ok())
        .filter(|c| Channel::ASSISTED.contains(c));
    let answers = crate::places::validate_answers(&state, service, &raw, today).await?;
    let contact = validate_contact(&raw).and_then(|contact| {
        let reply_by = validate_reply_by(&raw, &contact).map_err(|e| vec![e])?;
        Ok((contact, reply_by))
    });
    let visit = validate_visit(&raw, channel);
    let said = raw
        .get("said")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let (Some(channel), Ok(answers), Ok((contact, reply_by)), Ok((duration, hub))) =
        (channel, &answers, &contact, &visit)
    else {
        let mut errors = Vec::new();
        if channel.is_none() {
            let input = format!("channel-{}", Channel::ASSISTED[0].as_str());
            let text = Text::untranslated("Select how the resident contacted us");
            errors.push(FieldError::new("channel", input, text));
        }
        errors.extend(answers.err().unwrap_or_default());
        errors.extend(visit.err().unwrap_or_default());
        errors.extend(contact.err().unwrap_or_default());
        let page = form_page(&state, &staff, service, &raw, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let submission = Submission {
        service: service.slug.clone(),
        channel,
        received_at: Timestamp::now(),
        answers: answers.clone(),
        contact: contact.clone(),
        summary: said,
        meta: ContactMeta {
            reply_by: *reply_by,
            duration_minutes: *duration,
            hub: hub.clone(),
            ..Default::default()
        },
    };
    let case = open_case(&state, service, submission, Some(staff.record.id)).await?;
    let owner = state.catalogue.owner(&service.slug, &service.team);
    if staff.staffer().sees(owner) {
        return Ok(Redirect::to(&format!("/console/cases/{}", case.reference)).into_response());
    }
    let back = format!(
        "/console/contacts/new?recorded={}&for={}",
        case.reference, service.slug
    );
    Ok(Redirect::to(&back).into_response())
}

/// The team a just-recorded restricted case went to, named for the agent.
fn recorded_for(state: &AppState, chosen: &Chosen) -> String {
    chosen
        .for_service
        .as_deref()
        .and_then(|s| state.catalogue.service(s))
        .map(|s| s.department.clone())
        .unwrap_or_else(|| "the team that owns it".into())
}

fn field_error(errors: &[FieldError], input: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.input == input)
        .map(|e| e.message.clone())
}
