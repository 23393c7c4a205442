//! The staff console: sign in, team queues, case pages, and contacts taken by phone or in person.

mod assisted;
mod cases;
pub(crate) mod dashboard;
mod inbox;
mod residents;
mod sign_in;
mod triage;

#[cfg(test)]
pub use sign_in::DUMMY_HASH;

use crate::error::WebError;
use crate::session::Session;
use crate::state::AppState;
use crate::views::Layout;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontdoor_store::StaffRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::to("/console/queues") }),
        )
        .merge(sign_in::routes())
        .merge(cases::routes())
        .merge(assisted::routes())
        .merge(triage::routes())
        .merge(residents::routes())
        .merge(inbox::routes())
        .merge(dashboard::routes())
}

/// A signed-in member of staff, with their session. Anyone else is sent to sign in.
pub struct Staff {
    pub record: StaffRecord,
    pub session: Session,
}

impl Staff {
    /// Managers and administrators see the council's management information.
    pub fn is_manager(&self) -> bool {
        is_manager_role(&self.record.role)
    }

    pub fn layout(&self, state: &AppState) -> Layout {
        Layout {
            staff_name: Some(self.record.name.clone()),
            manager: self.is_manager(),
            ..Layout::new(&state.catalogue.council.name, self.session.csrf_token())
        }
    }
}

pub fn is_manager_role(role: &str) -> bool {
    matches!(role, "manager" | "admin")
}

pub enum NotSignedIn {
    Redirect,
    Error(WebError),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            NotSignedIn::Redirect => Redirect::to("/console/sign-in").into_response(),
            NotSignedIn::Error(e) => e.into_response(),
        }
    }
}

impl<S> FromRequestParts<S> for Staff
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = NotSignedIn;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(NotSignedIn::Error)?;
        let Some(staff_id) = session.staff_id() else {
            return Err(NotSignedIn::Redirect);
        };
        let app = AppState::from_ref(state);
        let record = app
            .store
            .staff_by_id(staff_id)
            .await
            .map_err(|e| NotSignedIn::Error(e.into()))?;
        let record = record.ok_or(NotSignedIn::Redirect)?;
        Ok(Staff { record, session })
    }
}
