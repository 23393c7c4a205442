//! A service's form, one question per page, then contact details, check answers, confirmation.
//!
//! Answers are validated as each page is sent and kept, typed, in the browser's session, so
//! going back or changing an answer shows what was given. Only the final "Accept and send"
//! opens a case; if that fails, the answers stay in the session to send again.

use super::{layout, location};
use crate::casework::open_case;
use crate::error::{PageResult, WebError};
use crate::places::validate_answer;
use crate::session::{CsrfForm, Session};
use crate::state::AppState;
use crate::views::{ContactView, ErrorItem, FieldView, Layout, SummaryRow, long_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontdoor_domain::form::{
    Answer, RawAnswers, contact_inputs, validate_contact, validate_reply_by,
};
use frontdoor_domain::i18n;
use frontdoor_domain::{Channel, ContactDetails, Field, FieldKind, Service, Submission};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/services/{slug}/questions/{number}",
            get(question).post(answer_question),
        )
        .route(
            "/services/{slug}/contact",
            get(contact).post(answer_contact),
        )
        .route("/services/{slug}/check", get(check).post(send))
        .route("/services/{slug}/confirmation", get(confirmation))
}

/// A resident's answers so far for one service.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    pub answers: BTreeMap<String, Answer>,
    pub contact: Option<ContactDetails>,
    /// How the resident chose to hear back, if they chose.
    #[serde(default)]
    pub reply_by: Option<frontdoor_domain::ReplyBy>,
}

#[derive(Deserialize, Default)]
struct Change {
    #[serde(default)]
    change: Option<String>,
}

impl Change {
    fn is_change(&self) -> bool {
        self.change.is_some()
    }
}

fn service<'a>(state: &'a AppState, slug: &str) -> PageResult<&'a Service> {
    state
        .local_catalogue()
        .service(slug)
        .ok_or(WebError::NotFound)
}

fn question_field(service: &Service, number: usize) -> PageResult<&Field> {
    number
        .checked_sub(1)
        .and_then(|i| service.fields.get(i))
        .ok_or(WebError::NotFound)
}

fn today() -> jiff::civil::Date {
    frontdoor_domain::calendar::london_date(Timestamp::now())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/question.html")]
struct QuestionPage {
    layout: Layout,
    service_name: String,
    field: FieldView,
    errors: Vec<ErrorItem>,
    action: String,
    back_url: String,
    step: usize,
    steps: usize,
}

async fn question_page(
    session: &Session,
    state: &AppState,
    service: &Service,
    number: usize,
    values: &RawAnswers,
    errors: &[frontdoor_domain::FieldError],
    change: &Change,
) -> PageResult<QuestionPage> {
    let field = question_field(service, number)?;
    let mut view = FieldView::new(field, values, errors, true);
    if field.kind == FieldKind::Location {
        view.places = location::address_choices(state, field, values).await?;
        view.map = location::map_view(state);
    }
    let suffix = if change.is_change() { "?change=1" } else { "" };
    let back_url = match (change.is_change(), number) {
        (true, _) => format!("/services/{}/check", service.slug),
        (false, 1) => format!("/services/{}", service.slug),
        (false, n) => format!("/services/{}/questions/{}", service.slug, n - 1),
    };
    Ok(QuestionPage {
        layout: layout(state, session.csrf_token()),
        service_name: service.name.clone(),
        field: view,
        errors: ErrorItem::from_field_errors(errors),
        action: format!("/services/{}/questions/{number}{suffix}", service.slug),
        back_url,
        step: number,
        steps: service.fields.len() + 1,
    })
}

async fn question(
    State(state): State<AppState>,
    session: Session,
    Path((slug, number)): Path<(String, usize)>,
    Query(change): Query<Change>,
) -> PageResult<QuestionPage> {
    let service = service(&state, &slug)?;
    let field = question_field(service, number)?;
    let values = session
        .data
        .drafts
        .get(&slug)
        .and_then(|d| d.answers.get(&field.id))
        .map(|a| a.to_raw(&field.id))
        .unwrap_or_default();
    question_page(&session, &state, service, number, &values, &[], &change).await
}

async fn answer_question(
    State(state): State<AppState>,
    mut session: Session,
    Path((slug, number)): Path<(String, usize)>,
    Query(change): Query<Change>,
    Form(raw): Form<RawAnswers>,
) -> PageResult<Response> {
    session.verify_csrf(raw.get("csrf_token").map(String::as_str))?;
    let service = service(&state, &slug)?;
    let field = question_field(service, number)?;
    if field.kind == FieldKind::Location && raw.contains_key("find") {
        let errors: Vec<_> = location::find(&state, field, &raw)
            .await?
            .err()
            .into_iter()
            .collect();
        let page = question_page(&session, &state, service, number, &raw, &errors, &change).await?;
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, page).into_response());
    }
    let answer = match validate_answer(&state, field, &raw, today()).await? {
        Ok(answer) => answer,
        Err(error) => {
            let page =
                question_page(&session, &state, service, number, &raw, &[error], &change).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let draft = session.data.drafts.entry(slug.clone()).or_default();
    match answer {
        Some(answer) => draft.answers.insert(field.id.clone(), answer),
        None => draft.answers.remove(&field.id),
    };
    session.save().await?;
    let next = if change.is_change() {
        format!("/services/{slug}/check")
    } else if number < service.fields.len() {
        format!("/services/{slug}/questions/{}", number + 1)
    } else {
        format!("/services/{slug}/contact")
    };
    Ok(Redirect::to(&next).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/contact.html")]
struct ContactPage {
    layout: Layout,
    service_name: String,
    contact: ContactView,
    errors: Vec<ErrorItem>,
    action: String,
    back_url: String,
}

fn contact_page(
    session: &Session,
    state: &AppState,
    service: &Service,
    contact: ContactView,
    change: &Change,
) -> ContactPage {
    let suffix = if change.is_change() { "?change=1" } else { "" };
    ContactPage {
        layout: layout(state, session.csrf_token()),
        service_name: service.name.clone(),
        errors: ErrorItem::from_field_errors(&contact.errors),
        contact,
        action: format!("/services/{}/contact{suffix}", service.slug),
        back_url: format!(
            "/services/{}/questions/{}",
            service.slug,
            service.fields.len()
        ),
    }
}

/// The contact page's inputs refilled from details already given.
pub fn contact_values(contact: &ContactDetails) -> RawAnswers {
    let mut values = RawAnswers::new();
    values.insert(contact_inputs::NAME.into(), contact.name.clone());
    values.insert(
        contact_inputs::EMAIL.into(),
        contact
            .email
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default(),
    );
    values.insert(
        contact_inputs::PHONE.into(),
        contact
            .phone
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    values.insert(
        contact_inputs::POSTCODE.into(),
        contact
            .postcode
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    values
}

async fn contact(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
    Query(change): Query<Change>,
) -> PageResult<ContactPage> {
    let service = service(&state, &slug)?;
    let draft = session.data.drafts.get(&slug);
    let mut values = draft
        .and_then(|d| d.contact.as_ref())
        .map(contact_values)
        .unwrap_or_default();
    if let Some(reply_by) = draft.and_then(|d| d.reply_by) {
        values.insert(contact_inputs::REPLY_BY.into(), reply_by.as_str().into());
    }
    Ok(contact_page(
        &session,
        &state,
        service,
        ContactView {
            values,
            errors: vec![],
        },
        &change,
    ))
}

async fn answer_contact(
    State(state): State<AppState>,
    mut session: Session,
    Path(slug): Path<String>,
    Query(change): Query<Change>,
    Form(raw): Form<RawAnswers>,
) -> PageResult<Response> {
    session.verify_csrf(raw.get("csrf_token").map(String::as_str))?;
    let service = service(&state, &slug)?;
    let checked = validate_contact(&raw).and_then(|contact| {
        let reply_by = validate_reply_by(&raw, &contact).map_err(|e| vec![e])?;
        Ok((contact, reply_by))
    });
    match checked {
        Ok((contact, reply_by)) => {
            let draft = session.data.drafts.entry(slug.clone()).or_default();
            draft.contact = Some(contact);
            draft.reply_by = reply_by;
            session.save().await?;
            Ok(Redirect::to(&format!("/services/{slug}/check")).into_response())
        }
        Err(errors) => {
            let page = contact_page(
                &session,
                &state,
                service,
                ContactView {
                    values: raw,
                    errors,
                },
                &change,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Where a resident must go before the check page makes sense, if anywhere.
pub(crate) fn first_gap(service: &Service, draft: Option<&Draft>) -> Option<String> {
    let empty = Draft::default();
    let draft = draft.unwrap_or(&empty);
    let missing = service
        .fields
        .iter()
        .position(|f| f.required && !draft.answers.contains_key(&f.id));
    match (missing, &draft.contact) {
        (Some(i), _) => Some(format!("/services/{}/questions/{}", service.slug, i + 1)),
        (None, None) => Some(format!("/services/{}/contact", service.slug)),
        (None, Some(_)) => None,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/check.html")]
struct CheckPage {
    layout: Layout,
    service_name: String,
    slug: String,
    rows: Vec<SummaryRow>,
    /// Open reports of the same problem nearby, to follow instead.
    nearby: Vec<location::NearbyView>,
}

/// An answer as the resident reads it: choices, yes or no and dates in their language.
fn answer_text(field: &Field, answer: &Answer) -> String {
    let lang = crate::locale::current();
    match answer {
        Answer::Choice(value) => field.choice_label(value).to_owned(),
        Answer::YesNo(yes) => {
            i18n::message(lang, if *yes { "common.yes" } else { "common.no" }).to_owned()
        }
        Answer::Date(day) => long_date(*day),
        Answer::Location(place) => crate::views::place_text(place),
        other => other.display(),
    }
}

fn summary_rows(service: &Service, draft: &Draft) -> Vec<SummaryRow> {
    let lang = crate::locale::current();
    let not_given = || i18n::message(lang, "check.not_given").to_owned();
    let mut rows: Vec<SummaryRow> = service
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| SummaryRow {
            key: f.summary_title(),
            value: draft
                .answers
                .get(&f.id)
                .map(|a| answer_text(f, a))
                .unwrap_or_else(not_given),
            change_url: format!("/services/{}/questions/{}?change=1", service.slug, i + 1),
        })
        .collect();
    if let Some(contact) = &draft.contact {
        let change_url = format!("/services/{}/contact?change=1", service.slug);
        let optional = |v: Option<String>| v.unwrap_or_else(not_given);
        for (key, value) in [
            ("check.name", contact.name.clone()),
            (
                "check.email",
                optional(contact.email.as_ref().map(|e| e.to_string())),
            ),
            (
                "check.phone",
                optional(contact.phone.as_ref().map(|p| p.to_string())),
            ),
            (
                "check.postcode",
                optional(contact.postcode.as_ref().map(|p| p.to_string())),
            ),
        ] {
            rows.push(SummaryRow {
                key: i18n::message(lang, key).into(),
                value,
                change_url: change_url.clone(),
            });
        }
    }
    rows
}

async fn check(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> PageResult<Response> {
    let service = service(&state, &slug)?;
    let draft = session.data.drafts.get(&slug);
    if let Some(gap) = first_gap(service, draft) {
        return Ok(Redirect::to(&gap).into_response());
    }
    let draft = draft.cloned().unwrap_or_default();
    let nearby = location::nearby_reports(&state, service, &draft).await?;
    Ok(CheckPage {
        layout: layout(&state, session.csrf_token()),
        service_name: service.name.clone(),
        slug: slug.clone(),
        rows: summary_rows(service, &draft),
        nearby: location::nearby_views(&nearby),
    }
    .into_response())
}

async fn send(
    State(state): State<AppState>,
    mut session: Session,
    Path(slug): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let service = service(&state, &slug)?;
    if let Some(gap) = first_gap(service, session.data.drafts.get(&slug)) {
        return Ok(Redirect::to(&gap).into_response());
    }
    let draft = session.data.drafts.get(&slug).cloned().unwrap_or_default();
    let submission = web_submission(&slug, draft, &session)?;
    let case = open_case(&state, service, submission, None).await?;
    session.data.drafts.remove(&slug);
    session.data.confirmation = Some((slug.clone(), case.reference.to_string()));
    session.save().await?;
    Ok(Redirect::to(&format!("/services/{slug}/confirmation")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/confirmation.html")]
struct ConfirmationPage {
    layout: Layout,
    service_name: String,
    reference: String,
    team_name: String,
    due_by: String,
}

async fn confirmation(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> PageResult<Response> {
    let service = service(&state, &slug)?;
    let Some(case) = confirmed_case(&state, &session, &slug).await? else {
        return Ok(Redirect::to(&format!("/services/{slug}")).into_response());
    };
    Ok(ConfirmationPage {
        layout: layout(&state, session.csrf_token()),
        service_name: service.name.clone(),
        reference: case.summary.reference.to_string(),
        team_name: service.department.clone(),
        due_by: long_date(case.summary.due_by),
    }
    .into_response())
}

/// A completed draft as a web submission (its gaps already checked with `first_gap`). The
/// email address is proven when the resident is signed in to My Account with it.
pub(crate) fn web_submission(
    slug: &str,
    draft: Draft,
    session: &Session,
) -> PageResult<Submission> {
    let contact = draft
        .contact
        .ok_or(WebError::Internal("contact checked with first_gap".into()))?;
    Ok(Submission {
        service: slug.to_owned(),
        channel: Channel::Web,
        received_at: Timestamp::now(),
        answers: draft.answers,
        meta: frontdoor_domain::ContactMeta {
            reply_by: draft.reply_by,
            language: crate::locale::current(),
            email_verified: session.proves(contact.email.as_ref()),
            ..Default::default()
        },
        contact,
        summary: None,
    })
}

/// The case this browser last sent (or followed) for this service, for its confirmation.
pub(crate) async fn confirmed_case(
    state: &AppState,
    session: &Session,
    slug: &str,
) -> PageResult<Option<frontdoor_store::CaseDetail>> {
    let Some((_, reference)) = session
        .data
        .confirmation
        .as_ref()
        .filter(|(s, _)| s == slug)
    else {
        return Ok(None);
    };
    let reference = frontdoor_domain::Reference::parse(reference)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(state.store.case_by_reference(&reference).await?)
}
