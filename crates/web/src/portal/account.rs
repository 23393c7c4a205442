//! My Account: a resident signs in with a one-time link sent to their email address, sees
//! every case raised with that address on any channel, and chooses how and in which
//! language the council writes to them. Reporting without an account works as before.
//!
//! The link is only followed by a button press, never by opening it: mail scanners that
//! fetch links would otherwise use it up. It works once, for 15 minutes; the page after
//! asking says the same whether or not the address is known.

use super::layout;
use crate::error::{PageResult, WebError};
use crate::session::{CsrfForm, Session, hash_token, random_token};
use crate::state::AppState;
use crate::views::{ErrorItem, ErrorPage, Layout, long_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::i18n::{self, Locale};
use frontdoor_domain::{Destination, Email, Outgoing, ReplyBy};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

const LINK_LASTS: SignedDuration = SignedDuration::from_mins(15);
/// A second link to the same address within this time is not sent (the page says the same).
const RESEND_AFTER: SignedDuration = SignedDuration::from_secs(60);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/sign-in", get(ask).post(send_link))
        .route("/account/sign-in/{token}", get(confirm).post(use_link))
        .route("/account/preferences", post(preferences))
        .route("/account/sign-out", post(sign_out))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/account_sign_in.html")]
struct AskPage {
    layout: Layout,
    email: String,
    errors: Vec<ErrorItem>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/account_sent.html")]
struct SentPage {
    layout: Layout,
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/account_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    token: String,
}

pub struct CaseRow {
    pub reference: String,
    pub service: String,
    pub status: String,
    pub opened: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    cases: Vec<CaseRow>,
    reply_by: String,
    language: String,
    has_phone: bool,
    saved: bool,
    errors: Vec<ErrorItem>,
}

async fn ask(State(state): State<AppState>, session: Session) -> AskPage {
    AskPage {
        layout: layout(&state, session.csrf_token()),
        email: String::new(),
        errors: vec![],
    }
}

#[derive(Deserialize)]
struct AskForm {
    csrf_token: Option<String>,
    #[serde(default)]
    email: String,
}

async fn send_link(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<AskForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let lang = crate::locale::current();
    let Ok(email) = Email::parse(&form.email) else {
        let page = AskPage {
            layout: layout(&state, session.csrf_token()),
            email: form.email,
            errors: vec![ErrorItem {
                href: "#email".into(),
                message: i18n::message(lang, "account.email_invalid").into(),
            }],
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let email = email.to_string().to_lowercase();
    let now = Timestamp::now();
    let recent = state.store.last_sign_in_link(&email).await?;
    if recent.is_none_or(|at| now - at >= RESEND_AFTER) {
        let token = random_token();
        state
            .store
            .add_sign_in_link(&hash_token(&token), &email, now + LINK_LASTS)
            .await?;
        let message = link_message(&state, lang, &email, &token);
        state.store.enqueue_messages(None, &[message]).await?;
    }
    Ok(SentPage {
        layout: layout(&state, session.csrf_token()),
        email,
    }
    .into_response())
}

fn link_message(state: &AppState, lang: Locale, email: &str, token: &str) -> Outgoing {
    let council = &state.catalogue_in(lang).council.name;
    let link = format!(
        "{}/account/sign-in/{token}",
        state.settings.public_url.trim_end_matches('/')
    );
    Outgoing {
        key: format!("sign-in-{}", &hash_token(token)[..16]),
        destination: Destination::Email {
            address: email.to_owned(),
        },
        subject: i18n::render(
            lang,
            "account.email_subject",
            &[("council", council.clone())],
        ),
        body: i18n::render(lang, "account.email_body", &[("link", link)]),
    }
}

async fn confirm(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> ConfirmPage {
    ConfirmPage {
        layout: layout(&state, session.csrf_token()),
        token,
    }
}

async fn use_link(
    State(state): State<AppState>,
    mut session: Session,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let Some(email) = state
        .store
        .use_sign_in_link(&hash_token(&token), Timestamp::now())
        .await?
    else {
        let lang = crate::locale::current();
        let body = i18n::message(lang, "account.link_dead_body").to_owned();
        let page = ErrorPage::new("account.link_dead", body);
        return Ok((StatusCode::GONE, page).into_response());
    };
    session.sign_in_resident(&email).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    session: Session,
    Query(saved): Query<Saved>,
) -> PageResult<Response> {
    let Some(email) = session.data.resident_email.clone() else {
        return Ok(Redirect::to("/account/sign-in").into_response());
    };
    let page = account_page(&state, &session, email, saved.saved.is_some(), vec![]).await?;
    Ok(page.into_response())
}

async fn account_page(
    state: &AppState,
    session: &Session,
    email: String,
    saved: bool,
    errors: Vec<ErrorItem>,
) -> PageResult<AccountPage> {
    let lang = crate::locale::current();
    let cases = state
        .store
        .cases_for_email(&email)
        .await?
        .iter()
        .map(|c| CaseRow {
            reference: c.reference.to_string(),
            service: state.service_name_in(lang, &c.service),
            status: i18n::message(lang, &c.state.status.key()).to_owned(),
            opened: long_date(frontdoor_domain::calendar::london_date(c.created_at)),
        })
        .collect();
    let preferences = state.store.contact_preferences(&email).await?;
    Ok(AccountPage {
        layout: layout(state, session.csrf_token()),
        email,
        cases,
        reply_by: preferences
            .reply_by
            .unwrap_or(ReplyBy::Email)
            .as_str()
            .into(),
        language: preferences.language.code().into(),
        has_phone: preferences.has_phone,
        saved,
        errors,
    })
}

#[derive(Deserialize)]
struct PreferencesForm {
    csrf_token: Option<String>,
    #[serde(default)]
    reply_by: String,
    #[serde(default)]
    language: String,
}

async fn preferences(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PreferencesForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let Some(email) = session.data.resident_email.clone() else {
        return Ok(Redirect::to("/account/sign-in").into_response());
    };
    let lang = crate::locale::current();
    let has_phone = state.store.contact_preferences(&email).await?.has_phone;
    let chosen = (
        ReplyBy::parse(&form.reply_by).filter(|r| *r == ReplyBy::Email || has_phone),
        Locale::from_code(&form.language),
    );
    let (Some(reply_by), Some(language)) = chosen else {
        let message = if form.reply_by == "sms" && !has_phone {
            "account.no_phone"
        } else {
            "account.choose"
        };
        let errors = vec![ErrorItem {
            href: "#reply_by-email".into(),
            message: i18n::message(lang, message).into(),
        }];
        let page = account_page(&state, &session, email, false, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    state
        .store
        .set_contact_preferences(&email, reply_by, language)
        .await?;
    Ok(Redirect::to("/account?saved=1").into_response())
}

async fn sign_out(mut session: Session, Form(form): Form<CsrfForm>) -> Result<Response, WebError> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    session.sign_out().await?;
    Ok(Redirect::to("/").into_response())
}
