//! The staff console: sign in, team queues, case pages, and contacts taken by phone or in person.

mod assisted;
mod audit_trail;
mod cases;
pub(crate) mod dashboard;
mod erasure;
mod inbox;
mod residents;
mod restricted;
pub mod risk;
mod sign_in;
mod triage;

#[cfg(test)]
pub use sign_in::DUMMY_HASH;

use crate::audit::AuditSlot;
use crate::error::WebError;
use crate::session::Session;
use crate::state::AppState;
use crate::views::Layout;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontdoor_domain::{Owner, Permission, Refusal, Role, Staffer};
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
        .merge(risk::routes())
        .merge(residents::routes())
        .merge(inbox::routes())
        .merge(dashboard::routes())
        .merge(erasure::routes())
        .merge(restricted::routes())
        .merge(audit_trail::routes())
}

/// A signed-in member of staff, with their session. Anyone else is sent to sign in.
pub struct Staff {
    pub record: StaffRecord,
    pub role: Role,
    pub session: Session,
    pub audit: AuditSlot,
}

impl Staff {
    /// Managers and administrators see the council's management information.
    pub fn is_manager(&self) -> bool {
        self.staffer().has(Permission::ViewDashboard)
    }

    pub fn staffer(&self) -> Staffer<'_> {
        Staffer {
            role: self.role,
            team: &self.record.team,
        }
    }

    /// Refuses unless the role carries `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), WebError> {
        if self.staffer().has(permission) {
            Ok(())
        } else {
            Err(WebError::Refused(Refusal::Role))
        }
    }

    /// Refuses unless `permission` reaches what `owner` holds.
    pub fn require_for(&self, permission: Permission, owner: Owner<'_>) -> Result<(), WebError> {
        self.staffer()
            .may(permission, owner)
            .map_err(WebError::Refused)
    }

    /// Whether a case on a list may be shown to this member of staff.
    pub fn sees(&self, state: &AppState, case: &frontdoor_store::CaseSummary) -> bool {
        self.staffer().sees(case_owner(state, case))
    }

    /// Whether this member of staff may know the person exists (see [`Staffer::sees_person`]).
    pub fn sees_person(&self, state: &AppState, known: &frontdoor_store::KnownThrough) -> bool {
        let owners = known
            .cases
            .iter()
            .map(|(service, team, awaiting_triage)| Owner {
                awaiting_triage: *awaiting_triage,
                ..state.catalogue.owner(service, team)
            });
        self.staffer().sees_person(owners, known.life_events)
    }

    pub fn layout(&self, state: &AppState) -> Layout {
        Layout {
            staff_name: Some(self.record.name.clone()),
            manager: self.is_manager(),
            records_contacts: self.staffer().has(Permission::RecordContact),
            audit: self.staffer().has(Permission::ViewAudit),
            ..Layout::new(&state.catalogue.council.name, self.session.csrf_token())
        }
    }
}

/// Who holds a case: its team, and whether its service is restricted.
pub fn case_owner<'a>(state: &AppState, case: &'a frontdoor_store::CaseSummary) -> Owner<'a> {
    Owner {
        awaiting_triage: case.awaiting_triage,
        ..state.catalogue.owner(&case.service, &case.team)
    }
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
        // A role the policy does not know grants nothing: such an account cannot sign in.
        let role = Role::parse(&record.role).ok_or(NotSignedIn::Error(WebError::Forbidden))?;
        let audit = AuditSlot::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        audit.staff(record.id);
        Ok(Staff {
            record,
            role,
            session,
            audit,
        })
    }
}
