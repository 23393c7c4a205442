//! Rate limits on guessing staff passwords and on flooding the public forms.
//!
//! Counts are kept in memory per server, in fixed windows: enough to stop one client
//! hammering one server. Several servers behind a load balancer each keep their own count,
//! so a determined client gets the limit once per server (docs/security.md).

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many keys a limiter holds before it sweeps out expired windows.
const SWEEP_AT: usize = 10_000;

/// At most `max` hits per key in each `window`.
pub struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter; `max` 0 turns it off.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` has used up its window.
    pub fn exhausted(&self, key: &str) -> bool {
        if self.max == 0 {
            return false;
        }
        let Ok(hits) = self.hits.lock() else {
            return false;
        };
        hits.get(key)
            .is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.max)
    }

    /// Counts one hit for `key`; false if it was already over the limit.
    pub fn hit(&self, key: &str) -> bool {
        if self.max == 0 {
            return true;
        }
        let Ok(mut hits) = self.hits.lock() else {
            return true;
        };
        if hits.len() >= SWEEP_AT {
            hits.retain(|_, (start, _)| start.elapsed() < self.window);
        }
        let now = Instant::now();
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if entry.0.elapsed() >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max
    }

    /// Forgets `key`, as after a successful sign-in.
    pub fn clear(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.remove(key);
        }
    }
}

/// The limits a server keeps.
pub struct Limits {
    /// Failed staff sign-ins per email address.
    pub sign_in_per_email: RateLimiter,
    /// Failed staff sign-ins per client address, whatever the email.
    pub sign_in_per_address: RateLimiter,
    /// Public submissions (forms, contact us, Tell Us Once, the open API) per client address.
    pub submissions_per_address: RateLimiter,
    /// Failed attempts to track a case, per reference.
    pub track_per_reference: RateLimiter,
    /// Failed attempts to track a case per client address, whatever the reference.
    pub track_per_address: RateLimiter,
}

impl Limits {
    pub fn new(settings: &crate::WebSettings) -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Self {
            sign_in_per_email: RateLimiter::new(settings.sign_in_failures_per_email, quarter_hour),
            sign_in_per_address: RateLimiter::new(
                settings.sign_in_failures_per_email.saturating_mul(10),
                quarter_hour,
            ),
            submissions_per_address: RateLimiter::new(
                settings.submissions_per_address,
                Duration::from_secs(10 * 60),
            ),
            track_per_reference: RateLimiter::new(
                settings.track_failures_per_reference,
                quarter_hour,
            ),
            track_per_address: RateLimiter::new(
                settings.track_failures_per_reference.saturating_mul(4),
                quarter_hour,
            ),
        }
    }
}

/// The address a request came from, as the limits count it.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(
            &parts.headers,
            &parts.extensions,
            state.settings.behind_proxy,
        )))
    }
}

/// The client's address: the connection's, or behind the council's own proxy the last
/// address that proxy added to `X-Forwarded-For`.
fn client_address(
    request_headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    behind_proxy: bool,
) -> String {
    let forwarded = behind_proxy
        .then(|| request_headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let connected = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    forwarded
        .or(connected)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a request sends something in from the public: a case, a message, a life event.
fn is_public_submission(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    let form_submit =
        path.starts_with("/services/") && (path.ends_with("/check") || path.ends_with("/follow"));
    form_submit
        || matches!(
            path,
            "/contact-us"
                | "/tell-us-once"
                | "/account/sign-in"
                | "/api/v1/cases"
                | "/api/v1/contacts"
        )
        || path.starts_with("/open311/v2/requests")
}

/// Middleware: refuses a client's public submissions past the limit with 429.
pub async fn submissions(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_public_submission(request.method(), request.uri().path()) {
        let address = client_address(
            request.headers(),
            request.extensions(),
            state.settings.behind_proxy,
        );
        if !state.limits.submissions_per_address.hit(&address) {
            tracing::warn!("public submissions over the limit from one address");
            return too_many(request.uri().path());
        }
    }
    next.run(request).await
}

/// 429 with a retry hint: JSON for the API, a page for people.
pub fn too_many(path: &str) -> Response {
    if path.starts_with("/api/") || path.starts_with("/open311/") {
        let retry = [(axum::http::header::RETRY_AFTER, "600")];
        let body = serde_json::json!({"error": {"code": "too_many_requests", "message": "Too many requests from this address. Wait 10 minutes and try again.", "fields": []}});
        return (StatusCode::TOO_MANY_REQUESTS, retry, axum::Json(body)).into_response();
    }
    try_again_later("page.too_many_body", 600)
}

/// A 429 page in the resident's language, saying (`body_key`) what to do, and when they
/// may try again in `Retry-After`.
pub fn try_again_later(body_key: &str, retry_seconds: u32) -> Response {
    let lang = crate::locale::current();
    let page = crate::views::ErrorPage::new(
        "page.too_many",
        frontdoor_domain::i18n::message(lang, body_key).to_owned(),
    );
    let retry = [(axum::http::header::RETRY_AFTER, retry_seconds.to_string())];
    (StatusCode::TOO_MANY_REQUESTS, retry, page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_past_its_limit_and_others_are_not() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.hit("a") && limiter.hit("a"));
        assert!(limiter.exhausted("a"));
        assert!(!limiter.hit("a"));
        assert!(limiter.hit("b"));
        limiter.clear("a");
        assert!(!limiter.exhausted("a"));
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let limiter = RateLimiter::new(1, Duration::from_millis(20));
        assert!(limiter.hit("a"));
        assert!(!limiter.hit("a"));
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.hit("a"));
    }

    #[test]
    fn only_posts_that_send_something_in_are_counted() {
        assert!(is_public_submission(
            &Method::POST,
            "/services/missed-bin/check"
        ));
        assert!(is_public_submission(&Method::POST, "/api/v1/contacts"));
        assert!(!is_public_submission(&Method::GET, "/contact-us"));
        assert!(!is_public_submission(
            &Method::POST,
            "/services/missed-bin/questions/1"
        ));
        assert!(!is_public_submission(
            &Method::POST,
            "/console/cases/X/notes"
        ));
    }
}
