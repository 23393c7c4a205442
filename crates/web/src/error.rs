//! One error type for pages, mapped to a GOV.UK-style error page in one place.

use crate::views::ErrorPage;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontdoor_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page not found")]
    NotFound,
    #[error("the form could not be verified")]
    Csrf,
    #[error("not allowed")]
    Forbidden,
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
        let (status, title, body) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.",
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "Your form could not be sent",
                "The page had been open too long or was sent from somewhere else. Go back, reload the page and try again. Your answers so far have been kept.",
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "You cannot see this page",
                "You do not have permission to see this page.",
            ),
            WebError::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                "There is a problem with this link",
                message.as_str(),
            ),
            WebError::Store(StoreError::Conflict) => (
                StatusCode::CONFLICT,
                "Someone else changed this case",
                "Another member of staff changed this case while you were working on it. Go back and reload the case to see their change, then try again.",
            ),
            WebError::Store(_) | WebError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "Try again later. Nothing you submitted before this page has been lost.",
                )
            }
        };
        (status, ErrorPage { title, body }).into_response()
    }
}

pub type PageResult<T> = Result<T, WebError>;
