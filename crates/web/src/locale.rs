//! Which language a resident reads: English or Welsh.
//!
//! The choice comes from the language toggle (a cookie, kept a year), else the browser's
//! `Accept-Language`, else English. It is held for the length of one request in a task-local
//! so every page, error page and date format reads it without each handler passing it on.
//! The staff console is in English.

use axum::Router;
use axum::extract::{Query, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, LOCATION, SET_COOKIE, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdoor_domain::Locale;
use serde::Deserialize;

const COOKIE_NAME: &str = "fd_lang";
const ONE_YEAR_SECONDS: u32 = 365 * 24 * 3600;

#[derive(Clone)]
struct Current {
    locale: Locale,
    /// The page's own path and query, for the toggle to come back to.
    path: String,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The language of the page being answered (English outside a request).
pub fn current() -> Locale {
    CURRENT.try_with(|c| c.locale).unwrap_or_default()
}

/// The path and query of the page being answered.
pub fn current_path() -> String {
    CURRENT
        .try_with(|c| c.path.clone())
        .unwrap_or_else(|_| "/".into())
}

/// Chooses the request's language and answers inside it, saying which it used.
pub async fn choose(request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let locale = if is_console(&path) {
        Locale::En
    } else {
        from_headers(request.headers())
    };
    let mut response = CURRENT
        .scope(Current { locale, path }, next.run(request))
        .await;
    let headers = response.headers_mut();
    headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(locale.code()));
    headers.append(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    response
}

/// The staff console is in English and offers no toggle.
fn is_console(path: &str) -> bool {
    path.starts_with("/console")
}

fn from_headers(headers: &HeaderMap) -> Locale {
    let chosen = crate::session::cookie(headers, COOKIE_NAME)
        .as_deref()
        .and_then(Locale::from_code);
    chosen.unwrap_or_else(|| {
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::negotiate)
            .unwrap_or_default()
    })
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/language", get(switch))
}

#[derive(Deserialize)]
struct Switch {
    #[serde(default)]
    to: String,
    #[serde(default)]
    back: String,
}

/// The toggle: remembers the language and returns to the page it was pressed on.
async fn switch(Query(query): Query<Switch>) -> Response {
    let Some(locale) = Locale::from_code(&query.to) else {
        return crate::error::WebError::BadRequest(
            frontdoor_domain::i18n::message(current(), "language.unknown").to_owned(),
        )
        .into_response();
    };
    let back = local_path(&query.back);
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age={ONE_YEAR_SECONDS}; SameSite=Lax; HttpOnly",
        locale.code()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(cookie), Ok(back)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(back)) {
        headers.insert(SET_COOKIE, cookie);
        headers.insert(LOCATION, back);
    }
    response
}

/// Only a path on this site, so the toggle cannot send anyone elsewhere.
fn local_path(back: &str) -> &str {
    let safe = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.starts_with("/language")
        && back.chars().all(|c| !c.is_control());
    if safe { back } else { "/" }
}

/// The toggle's link from the page being answered; none in the console.
pub fn toggle_url(locale: Locale) -> String {
    if is_console(&current_path()) {
        return String::new();
    }
    let query = serde_urlencoded::to_string([
        ("to", locale.other().code().to_owned()),
        ("back", current_path()),
    ])
    .unwrap_or_default();
    format!("/language?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toggle_only_returns_to_this_site() {
        assert_eq!(
            local_path("/services/missed-bin?x=1"),
            "/services/missed-bin?x=1"
        );
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(local_path("/language?to=cy"), "/");
    }
}
