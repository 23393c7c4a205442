//! Browser sessions and CSRF protection.
//!
//! The cookie holds a random token; the store keeps only its hash. A session is created the
//! first time a page with a form needs one, and each carries its own CSRF token, which every
//! state-changing form must send back. Signing in replaces the session (no fixation).

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use frontdoor_store::SessionRecord;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

const COOKIE_NAME: &str = "fd_session";
/// Over HTTPS the session cookie carries the `__Host-` prefix: browsers then accept it only
/// if it is `Secure`, for the whole site and from this host, so neither a subdomain nor a
/// plain-HTTP page can plant or replace it.
const SECURE_COOKIE_NAME: &str = "__Host-fd_session";

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}
const RESIDENT_LIFETIME: SignedDuration = SignedDuration::from_hours(24);
const STAFF_LIFETIME: SignedDuration = SignedDuration::from_hours(10);

/// A Set-Cookie header waiting to be added to the response, filled in by the extractor.
#[derive(Clone, Default)]
struct PendingCookie(Arc<Mutex<Option<HeaderValue>>>);

/// Adds whatever cookie the handler's session decided on to the response.
pub async fn session_cookies(request: Request, next: Next) -> Response {
    let pending = PendingCookie::default();
    let mut request = request;
    request.extensions_mut().insert(pending.clone());
    let mut response = next.run(request).await;
    let cookie = pending.0.lock().map(|mut c| c.take()).unwrap_or(None);
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// What the web layer keeps in a session between requests.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionData {
    /// Answers given so far, per service slug.
    #[serde(default)]
    pub drafts: std::collections::BTreeMap<String, crate::portal::forms::Draft>,
    /// The last case this browser submitted, for its confirmation page: (service, reference).
    #[serde(default)]
    pub confirmation: Option<(String, String)>,
    /// The email address a resident proved with a sign-in link (My Account).
    #[serde(default)]
    pub resident_email: Option<String>,
}

pub struct Session {
    pub record: SessionRecord,
    pub data: SessionData,
    pending: PendingCookie,
    state: AppState,
}

impl<S> FromRequestParts<S> for Session
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let pending = parts
            .extensions
            .get::<PendingCookie>()
            .cloned()
            .unwrap_or_default();
        if let Some(token) = cookie_token(parts, state.settings.secure_cookies)
            && let Some(record) = state.store.live_session(&hash_token(&token)).await?
        {
            let data = serde_json::from_str(&record.data).unwrap_or_default();
            return Ok(Session {
                record,
                data,
                pending,
                state,
            });
        }
        let mut session = Session {
            record: blank_record(),
            data: SessionData::default(),
            pending,
            state,
        };
        session.start(None, RESIDENT_LIFETIME).await?;
        Ok(session)
    }
}

impl Session {
    pub fn csrf_token(&self) -> &str {
        &self.record.csrf_token
    }

    pub fn staff_id(&self) -> Option<i64> {
        self.record.staff_id
    }

    /// Refuses a form whose CSRF token is missing or not this session's.
    pub fn verify_csrf(&self, sent: Option<&str>) -> Result<(), WebError> {
        let sent = sent.unwrap_or("").as_bytes();
        if sent.is_empty() || !bool::from(sent.ct_eq(self.record.csrf_token.as_bytes())) {
            return Err(WebError::Csrf);
        }
        Ok(())
    }

    pub async fn save(&self) -> Result<(), WebError> {
        let json =
            serde_json::to_string(&self.data).map_err(|e| WebError::Internal(e.to_string()))?;
        self.state
            .store
            .save_session_data(&self.record.token_hash, &json)
            .await?;
        Ok(())
    }

    /// Replaces this session with a signed-in one for `staff_id`.
    pub async fn sign_in(&mut self, staff_id: i64) -> Result<(), WebError> {
        self.state
            .store
            .delete_session(&self.record.token_hash)
            .await?;
        self.data = SessionData::default();
        self.start(Some(staff_id), STAFF_LIFETIME).await
    }

    /// Replaces this session with one signed in to My Account for a proven `email`.
    pub async fn sign_in_resident(&mut self, email: &str) -> Result<(), WebError> {
        self.state
            .store
            .delete_session(&self.record.token_hash)
            .await?;
        self.data = SessionData {
            resident_email: Some(email.to_owned()),
            ..SessionData::default()
        };
        self.start(None, RESIDENT_LIFETIME).await?;
        self.save().await
    }

    /// Whether the resident signed in to My Account with `email` (a link sent to it proves
    /// they control it), so a contact they give it on proves it too.
    pub fn proves(&self, email: Option<&frontdoor_domain::Email>) -> bool {
        match (&self.data.resident_email, email) {
            (Some(signed_in), Some(given)) => given.matches(signed_in),
            _ => false,
        }
    }

    pub async fn sign_out(&mut self) -> Result<(), WebError> {
        self.state
            .store
            .delete_session(&self.record.token_hash)
            .await?;
        let (name, secure) = self.cookie_attributes();
        self.set_cookie(format!(
            "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
        ));
        Ok(())
    }

    async fn start(
        &mut self,
        staff_id: Option<i64>,
        lifetime: SignedDuration,
    ) -> Result<(), WebError> {
        let token = random_token();
        self.record = SessionRecord {
            token_hash: hash_token(&token),
            csrf_token: random_token(),
            staff_id,
            data: "{}".into(),
            expires_at: Timestamp::now() + lifetime,
        };
        self.state.store.create_session(&self.record).await?;
        let (name, secure) = self.cookie_attributes();
        let max_age = lifetime.as_secs();
        self.set_cookie(format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ));
        Ok(())
    }

    /// The cookie's name and its `Secure` attribute, as the settings say.
    fn cookie_attributes(&self) -> (&'static str, &'static str) {
        let secure = self.state.settings.secure_cookies;
        (cookie_name(secure), if secure { "; Secure" } else { "" })
    }

    fn set_cookie(&self, value: String) {
        if let (Ok(header), Ok(mut slot)) = (HeaderValue::from_str(&value), self.pending.0.lock()) {
            *slot = Some(header);
        }
    }
}

/// A form whose only field is the CSRF token (buttons such as "Assign to me" or "Sign out").
#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf_token: Option<String>,
}

/// Issues a long-lived API token for a member of staff (used as `Authorization: Bearer`).
pub async fn issue_api_token(
    state: &AppState,
    staff_id: i64,
    lifetime: SignedDuration,
) -> Result<String, WebError> {
    let token = random_token();
    let record = SessionRecord {
        token_hash: hash_token(&token),
        csrf_token: random_token(),
        staff_id: Some(staff_id),
        data: "{}".into(),
        expires_at: Timestamp::now() + lifetime,
    };
    state.store.create_session(&record).await?;
    Ok(token)
}

/// Looks up the member of staff a bearer token belongs to.
pub async fn staff_for_bearer(state: &AppState, token: &str) -> Result<Option<i64>, WebError> {
    let record = state.store.live_session(&hash_token(token)).await?;
    Ok(record.and_then(|r| r.staff_id))
}

fn cookie_token(parts: &Parts, secure: bool) -> Option<String> {
    cookie(&parts.headers, cookie_name(secure)).filter(|v| !v.is_empty())
}

/// The value of the request's cookie called `wanted`.
pub(crate) fn cookie(headers: &axum::http::HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
}

fn blank_record() -> SessionRecord {
    SessionRecord {
        token_hash: String::new(),
        csrf_token: String::new(),
        staff_id: None,
        data: "{}".into(),
        expires_at: Timestamp::now(),
    }
}

pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
