//! The audit trail, written by one middleware around the console and the API: every change a
//! member of staff asks for, every view of a case or a resident's record, every export, and
//! every refusal. Handlers only say who is asking (the [`crate::console::Staff`] extractor
//! does) and, for a restricted case, why.
//!
//! Recording in one place means a new console route is audited without anyone remembering
//! to. The query string is never recorded: searches carry names and postcodes.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use frontdoor_domain::Reference;
use frontdoor_store::NewAuditEvent;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

/// Reads that are audited. Every other method is a change and always audited.
const AUDITED_READS: &[&str] = &[
    "/console/cases/{reference}",
    "/console/cases/{reference}/attachments/{id}",
    "/console/residents",
    "/console/residents/{id}",
    "/console/residents/{id}/subject-access.json",
    "/console/residents/{id}/erase",
    "/console/dashboard",
    "/console/dashboard/{file}",
    "/console/quarantine/{id}/raw",
    "/console/audit",
    "/console/audit/{file}",
    "/api/v1/cases/{reference}",
    "/api/v1/services/{slug}/cases",
    "/api/v1/dashboard",
];

/// Who is asking, and why, filled in while the request is handled.
#[derive(Clone, Default)]
pub struct AuditSlot(Arc<Mutex<Asking>>);

#[derive(Default)]
struct Asking {
    staff_id: Option<i64>,
    reason: Option<String>,
}

impl AuditSlot {
    pub fn staff(&self, staff_id: i64) {
        if let Ok(mut asking) = self.0.lock() {
            asking.staff_id = Some(staff_id);
        }
    }

    pub fn reason(&self, reason: &str) {
        if let Ok(mut asking) = self.0.lock() {
            asking.reason = Some(reason.to_owned());
        }
    }

    fn take(&self) -> Asking {
        self.0
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuditSlot {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<AuditSlot>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Middleware: handles the request, then writes what a member of staff did to the trail.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let slot = AuditSlot::default();
    let method = request.method().clone();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let mut request = request;
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    let asking = slot.take();
    let (Some(staff_id), Some(template)) = (asking.staff_id, template) else {
        return response;
    };
    if method == Method::GET && !AUDITED_READS.contains(&template.as_str()) {
        return response;
    }
    let event = NewAuditEvent {
        staff_id,
        action: &format!("{method} {template}"),
        subject: &subject(&template, &path),
        outcome: response.status().as_u16(),
        reason: asking.reason.as_deref(),
    };
    match state.store.record_audit(event).await {
        Ok(()) => response,
        // What could not be recorded is not shown. A change has already been made by now, so
        // its answer stands (a retry could make it twice); the failure is logged instead.
        Err(e) if method == Method::GET => WebError::from(e).into_response(),
        Err(e) => {
            tracing::error!(error = %e, http.route = %template, "could not write the audit trail");
            response
        }
    }
}

/// What a request acted on, in words the data-protection officer can search for.
pub fn subject(template: &str, path: &str) -> String {
    let params = params(template, path);
    let named = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    if let Some(reference) = named("reference") {
        return case_subject(reference);
    }
    let section: Vec<&str> = template
        .trim_start_matches("/console")
        .trim_start_matches("/api/v1")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (section.as_slice(), named("id")) {
        (["residents", ..], Some(id)) => format!("resident {id}"),
        (["residents"], None) => "resident search".into(),
        (["quarantine", ..], Some(id)) => format!("quarantine {id}"),
        (["tasks", ..], Some(id)) => format!("task {id}"),
        (["audit", ..], _) => "audit trail".into(),
        (["services", ..], _) => format!("service {}", named("slug").unwrap_or("")),
        ([first, ..], _) => first.replace('-', " "),
        ([], _) => "console".into(),
    }
}

/// Cases are recorded under their reference as the council writes it, however it was typed.
pub fn case_subject(reference: &str) -> String {
    let reference = Reference::parse(reference)
        .map(|r| r.to_string())
        .unwrap_or_else(|_| reference.chars().take(32).collect());
    format!("case {reference}")
}

/// The values of a route's `{name}` segments in an actual path.
fn params<'a>(template: &'a str, path: &'a str) -> Vec<(&'a str, &'a str)> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, p)| {
            t.strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .map(|name| (name, p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_the_case_or_record_acted_on() {
        assert_eq!(
            subject(
                "/console/residents/{id}/merge",
                "/console/residents/42/merge"
            ),
            "resident 42"
        );
        assert_eq!(
            subject("/console/residents", "/console/residents"),
            "resident search"
        );
        assert_eq!(
            subject("/console/dashboard/{file}", "/console/dashboard/cases.csv"),
            "dashboard"
        );
        assert_eq!(
            subject(
                "/api/v1/services/{slug}/cases",
                "/api/v1/services/missed-bin/cases"
            ),
            "service missed-bin"
        );
        assert_eq!(
            subject(
                "/console/tasks/{team}/{id}/done",
                "/console/tasks/waste/7/done"
            ),
            "task 7"
        );
        assert_eq!(
            subject("/console/contacts/new", "/console/contacts/new"),
            "contacts"
        );
    }
}
