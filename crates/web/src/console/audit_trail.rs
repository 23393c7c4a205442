//! The data-protection officer's view of the audit trail: who looked at or changed what,
//! narrowed by member of staff, subject and dates, and the same rows as CSV.

use crate::console::Staff;
use crate::error::{PageResult, WebError};
use crate::state::AppState;
use crate::views::{ErrorItem, Layout, london_time};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdoor_domain::Permission;
use frontdoor_domain::calendar::london;
use frontdoor_domain::mi::report::csv_field;
use frontdoor_store::{AuditFilter, AuditRecord};
use jiff::civil::Date;
use serde::Deserialize;

/// Rows on the page; the CSV has up to [`CSV_ROWS`].
const PAGE_ROWS: i64 = 500;
const CSV_ROWS: i64 = 100_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/audit", get(page))
        .route("/console/audit/{file}", get(csv))
}

/// The filter form as typed; every field may be left empty.
#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    staff: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl AuditQuery {
    /// The store's filter, or the fields that could not be read. Dates are London days,
    /// `to` included.
    fn filter(&self) -> Result<AuditFilter, Vec<ErrorItem>> {
        let mut errors = Vec::new();
        let mut day = |field: &str, text: &str| -> Option<Date> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = text.parse::<Date>().ok();
            if parsed.is_none() {
                errors.push(ErrorItem {
                    href: format!("#{field}"),
                    message: format!("Enter the {field} date as YYYY-MM-DD, like 2026-11-26"),
                });
            }
            parsed
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        let start = |d: Date| d.to_zoned_datetime(london()).ok().map(|z| z.timestamp());
        let filter = AuditFilter {
            staff_email: Some(self.staff.trim().to_owned()).filter(|s| !s.is_empty()),
            subject: Some(self.subject.trim().to_owned()).filter(|s| !s.is_empty()),
            from: from.and_then(start),
            until: to.and_then(|d| d.tomorrow().ok()).and_then(start),
        };
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(errors)
        }
    }

    /// The query string again, for the CSV link.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("staff", self.staff.as_str()),
            ("subject", self.subject.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ])
        .unwrap_or_default()
    }
}

pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    pub reason: String,
}

fn audit_row(r: &AuditRecord) -> AuditRow {
    AuditRow {
        when: london_time(r.at),
        who: format!("{} ({}, {})", r.staff_name, r.staff_email, r.staff_role),
        action: r.action.clone(),
        subject: r.subject.clone(),
        outcome: outcome(r.outcome).into(),
        reason: r.reason.clone().unwrap_or_default(),
    }
}

/// The HTTP status in words a data-protection officer reads.
fn outcome(status: u16) -> &'static str {
    match status {
        200..=399 => "Done",
        403 => "Refused",
        404 => "Not found",
        400..=499 => "Not valid",
        _ => "Failed",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/audit.html")]
struct AuditPage {
    layout: Layout,
    query: AuditQuery,
    csv_link: String,
    rows: Vec<AuditRow>,
    more: bool,
    errors: Vec<ErrorItem>,
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<AuditQuery>,
) -> PageResult<Response> {
    staff.require(Permission::ViewAudit)?;
    let (records, errors) = match query.filter() {
        Ok(filter) => (
            state.store.audit_trail(&filter, PAGE_ROWS + 1).await?,
            vec![],
        ),
        Err(errors) => (vec![], errors),
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AuditPage {
        layout: staff.layout(&state),
        csv_link: format!("/console/audit/audit-trail.csv?{}", query.query_string()),
        query,
        more: records.len() as i64 > PAGE_ROWS,
        rows: records
            .iter()
            .take(PAGE_ROWS as usize)
            .map(audit_row)
            .collect(),
        errors,
    };
    Ok((status, page).into_response())
}

async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    Query(query): Query<AuditQuery>,
) -> PageResult<Response> {
    staff.require(Permission::ViewAudit)?;
    if file != "audit-trail.csv" {
        return Err(WebError::NotFound);
    }
    let filter = query
        .filter()
        .map_err(|e| WebError::BadRequest(e[0].message.clone()))?;
    let records = state.store.audit_trail(&filter, CSV_ROWS).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-trail.csv\"".to_owned(),
            ),
        ],
        to_csv(&records),
    )
        .into_response())
}

fn to_csv(records: &[AuditRecord]) -> String {
    let mut out = String::from("at,staff_email,staff_name,role,action,subject,outcome,reason\r\n");
    for r in records {
        let cells = [
            r.at.to_string(),
            r.staff_email.clone(),
            r.staff_name.clone(),
            r.staff_role.clone(),
            r.action.clone(),
            r.subject.clone(),
            r.outcome.to_string(),
            r.reason.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
