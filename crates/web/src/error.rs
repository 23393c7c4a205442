//! One error type for pages, mapped to a GOV.UK-style error page in one place.

use crate::views::ErrorPage;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontdoor_domain::i18n;
use frontdoor_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page not found")]
    NotFound,
    #[error("the form could not be verified")]
    Csrf,
    #[error("not allowed")]
    Forbidden,
    /// A member of staff asked for what their role or team does not allow.
    #[error("{0}")]
    Refused(frontdoor_domain::Refusal),
    /// A link or query the page cannot answer, with a message for the person who followed it.
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let lang = crate::locale::current();
        let said = |key: &str| i18n::message(lang, key).to_owned();
        let (status, title, body) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "page.not_found",
                said("page.not_found_body"),
            ),
            WebError::Csrf => (StatusCode::FORBIDDEN, "page.csrf", said("page.csrf_body")),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "page.forbidden",
                said("page.forbidden_body"),
            ),
            WebError::Refused(why) => (StatusCode::FORBIDDEN, "page.forbidden", format!("{why}.")),
            WebError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "page.bad_link", message.clone())
            }
            WebError::Store(StoreError::Conflict) => (
                StatusCode::CONFLICT,
                "page.conflict",
                said("page.conflict_body"),
            ),
            WebError::Store(_) | WebError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "page.broken",
                    said("page.broken_body"),
                )
            }
        };
        (status, ErrorPage::new(title, body)).into_response()
    }
}

pub type PageResult<T> = Result<T, WebError>;
