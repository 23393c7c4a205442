//! Staff sign-in with argon2 password hashes; hashing runs off the async threads.

use crate::console::Staff;
use crate::error::{PageResult, WebError};
use crate::passwords::password_matches;
use crate::rate_limit::ClientAddress;
use crate::session::{CsrfForm, Session};
use crate::state::AppState;
use crate::views::{ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/sign-in", get(sign_in_form).post(sign_in))
        .route("/console/sign-out", post(sign_out))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: Vec<ErrorItem>,
    email: String,
}

fn page(state: &AppState, session: &Session, email: String, errors: Vec<ErrorItem>) -> SignInPage {
    SignInPage {
        layout: crate::portal::layout(state, session.csrf_token()),
        errors,
        email,
    }
}

async fn sign_in_form(State(state): State<AppState>, session: Session) -> Response {
    if session.staff_id().is_some() {
        return Redirect::to("/console/queues").into_response();
    }
    page(&state, &session, String::new(), vec![]).into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    csrf_token: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Verifies against a fixed hash when the email is unknown, so timing does not reveal which emails exist.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2yCoLyNmwYtKDkzb0BSdB9tmaz7wiAZe2uEr9PK4o0g";

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    mut session: Session,
    Form(form): Form<SignInForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let email_key = form.email.trim().to_lowercase();
    let limits = &state.limits;
    if limits.sign_in_per_email.exhausted(&email_key)
        || limits.sign_in_per_address.exhausted(&address)
    {
        tracing::warn!("staff sign-in refused: too many failed attempts");
        let message = "Too many attempts to sign in. Wait 15 minutes and try again";
        return Ok(refused(
            &state,
            &session,
            form.email,
            StatusCode::TOO_MANY_REQUESTS,
            message,
        ));
    }
    if form.email.trim().is_empty() || form.password.is_empty() {
        let message = "Enter your email address and password";
        return Ok(refused(
            &state,
            &session,
            form.email,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        ));
    }
    let staff = state.store.staff_by_email(&form.email).await?;
    let hash = staff
        .as_ref()
        .map(|s| s.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.into());
    let password = form.password.clone();
    let verified = tokio::task::spawn_blocking(move || password_matches(&hash, &password))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Some(staff) = staff.filter(|_| verified) else {
        limits.sign_in_per_email.hit(&email_key);
        limits.sign_in_per_address.hit(&address);
        let message = "The email address or password is not right";
        return Ok(refused(
            &state,
            &session,
            form.email,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        ));
    };
    limits.sign_in_per_email.clear(&email_key);
    session.sign_in(staff.id).await?;
    tracing::info!(staff.id = staff.id, "staff signed in");
    Ok(Redirect::to("/console/queues").into_response())
}

/// The sign-in page again, with why it did not work.
fn refused(
    state: &AppState,
    session: &Session,
    email: String,
    status: StatusCode,
    message: &str,
) -> Response {
    let errors = vec![ErrorItem {
        href: "#email".into(),
        message: message.into(),
    }];
    let mut response = (status, page(state, session, email, errors)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        // The window is 15 minutes from the first failure; the whole window is the most
        // anyone has to wait.
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("900"),
        );
    }
    response
}

async fn sign_out(mut staff: Staff, Form(form): Form<CsrfForm>) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    staff.session.sign_out().await?;
    Ok(Redirect::to("/console/sign-in").into_response())
}
