//! The inbound webhooks gateways post to. Every request must be signed with the intake
//! secret (`X-Signature: sha256=<hex HMAC-SHA256 of the body>`, or Twilio's own
//! `X-Twilio-Signature`); unsigned posts are refused and nothing is stored.

use super::{Intake, chat_inbound, ingest_email, quarantine, receive, sms_inbound, social_inbound};
use crate::api::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use frontdoor_domain::Channel;
use frontdoor_intake::{ChatTranscript, MAX_EMAIL_BYTES, MAX_WEBHOOK_BYTES, parse_message};
use tower_http::limit::RequestBodyLimitLayer;

pub fn routes() -> Router<AppState> {
    let email = Router::new()
        .route("/intake/email", post(email))
        .layer(DefaultBodyLimit::max(MAX_EMAIL_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_EMAIL_BYTES));
    let messages = Router::new()
        .route("/intake/sms", post(sms))
        .route("/intake/social", post(social))
        .route("/intake/chat", post(chat))
        .layer(RequestBodyLimitLayer::new(MAX_WEBHOOK_BYTES));
    email.merge(messages)
}

async fn email(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_signature(&state, &headers, "/intake/email", &body) {
        return refused.into_response();
    }
    match ingest_email(&state, &body).await {
        Ok(intake) => answer(intake),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn sms(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    message(state, headers, body, Channel::Sms, "/intake/sms").await
}

async fn social(state: State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    message(state, headers, body, Channel::Social, "/intake/social").await
}

async fn message(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
    channel: Channel,
    path: &str,
) -> Response {
    if let Err(refused) = check_signature(&state, &headers, path, &body) {
        return refused.into_response();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let result = match parse_message(content_type, &body) {
        Ok(message) if channel == Channel::Sms => receive(&state, sms_inbound(&message)).await,
        Ok(message) => receive(&state, social_inbound(&message)).await,
        Err(why) => return unreadable(&state, channel, &why.to_string(), &body).await,
    };
    match result {
        Ok(intake) => answer(intake),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn chat(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_signature(&state, &headers, "/intake/chat", &body) {
        return refused.into_response();
    }
    let transcript = match ChatTranscript::parse(&body) {
        Ok(t) => t,
        Err(why) => return unreadable(&state, Channel::Chat, &why.to_string(), &body).await,
    };
    match receive(&state, chat_inbound(&transcript)).await {
        Ok(intake) => answer(intake),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A signed body we cannot read is kept, and the sender told why.
async fn unreadable(state: &AppState, channel: Channel, why: &str, body: &[u8]) -> Response {
    match quarantine(state, channel, why, body).await {
        Ok(Intake::Quarantined { id, .. }) => {
            let message = format!("{why}. The message is kept in quarantine as {id}.");
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable_message",
                message,
            )
            .into_response()
        }
        Ok(other) => answer(other),
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn answer(intake: Intake) -> Response {
    let status = match intake {
        Intake::Opened { .. } => StatusCode::CREATED,
        Intake::Quarantined { .. } => StatusCode::ACCEPTED,
        Intake::Threaded { .. } | Intake::Duplicate { .. } => StatusCode::OK,
    };
    (status, Json(intake)).into_response()
}

fn check_signature(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
) -> Result<(), ApiError> {
    let Some(secret) = state.settings.intake_secret.as_deref() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "intake_not_configured",
            "Inbound webhooks are off: set FRONTDOOR_INTAKE_SECRET (see docs/intake.md)",
        ));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = match (header("x-signature"), header("x-twilio-signature")) {
        (Some(sig), _) => frontdoor_intake::verify(secret.as_bytes(), body, sig),
        (None, Some(sig)) => {
            let url = format!("{}{path}", state.settings.public_url.trim_end_matches('/'));
            frontdoor_intake::webhook::verify_twilio(secret.as_bytes(), &url, body, sig)
        }
        (None, None) => false,
    };
    if signed {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "The request is not signed with the intake secret: send X-Signature: sha256=<hex HMAC-SHA256 of the body>",
        ))
    }
}
