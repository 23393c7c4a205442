//! The management dashboard: demand by channel, service and time, SLAs, digital take-up,
//! avoidable contact, cost to serve, satisfaction and a channel-shift simulator. Every
//! figure comes from the rollups, is drawn as SVG beside its table, and downloads as CSV
//! (`/console/dashboard/{table}.csv`); `/api/v1/dashboard` gives the same as JSON.

mod query;

pub use query::{DashboardQuery, Selection};

use crate::charts;
use crate::console::Staff;
use crate::error::{PageResult, WebError};
use crate::state::AppState;
use crate::views::{ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdoor_domain::calendar::london_date;
use frontdoor_domain::mi::{Cell, Headline, Inputs, Report, Table};
use frontdoor_domain::{Channel, Permission};
use frontdoor_store::{Narrow, RollupQuery, Shape};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use std::collections::BTreeSet;

const OVERDUE_SHOWN: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/dashboard", get(page))
        .route("/console/dashboard/{file}", get(csv))
}

/// The wards a manager can choose: the council's own, or those seen in the data.
pub async fn known_wards(state: &AppState) -> Result<Vec<String>, WebError> {
    Ok(match &state.area {
        Some(area) => area.wards().iter().map(|w| w.name.clone()).collect(),
        None => state.store.rollup_wards().await?,
    })
}

/// The report and the overdue cases for a selection, read from the rollups. The
/// reads are independent, so they run side by side on the pool's connections.
pub async fn build(
    state: &AppState,
    selection: &Selection,
    today: Date,
) -> Result<(Report, Table), WebError> {
    let store = &state.store;
    let filter = &selection.filter;
    let query = RollupQuery {
        from: selection.from,
        to: selection.to,
        ward: selection.ward.clone(),
        services: filter
            .services
            .as_ref()
            .map(|s| s.iter().cloned().collect()),
        channels: filter
            .channels
            .as_ref()
            .map(|c| c.iter().map(|c| c.as_str().to_owned()).collect()),
    };
    let a_year = 1.year();
    let baseline_query = RollupQuery {
        from: selection.from.checked_sub(a_year).unwrap_or(selection.from),
        to: selection.to.checked_sub(a_year).unwrap_or(selection.to),
        ..query.clone()
    };
    let all_time = RollupQuery {
        from: Date::constant(2000, 1, 1),
        to: today.last_of_month(),
        ..query.clone()
    };
    let (range, range_months, heat, baseline, history, open, overdue) = tokio::try_join!(
        async { Ok::<_, WebError>(store.rollup_buckets(&query, &Shape::ByService).await?) },
        async { Ok(store.rollup_buckets(&query, &Shape::ByMonth).await?) },
        async { Ok(store.rollup_heat(&query).await?) },
        async {
            Ok(store
                .rollup_buckets(&baseline_query, &Shape::ByService)
                .await?)
        },
        async { Ok(store.rollup_buckets(&all_time, &Shape::ByMonth).await?) },
        async { Ok(store.open_counts(selection.ward.as_deref(), today).await?) },
        overdue_table(state, selection, today),
    )?;
    let report = Report::build(&Inputs {
        catalogue: &state.catalogue,
        filter,
        costs: &state.settings.unit_costs,
        range: &range,
        range_months: &range_months,
        heat: &heat,
        baseline: &baseline,
        history: &history,
        open: &open,
        shift: selection.shift.clone(),
    });
    Ok((report, overdue))
}

async fn overdue_table(
    state: &AppState,
    selection: &Selection,
    today: Date,
) -> Result<Table, WebError> {
    let services: Option<Vec<&str>> = selection
        .filter
        .services
        .as_ref()
        .map(|s| s.iter().map(String::as_str).collect());
    let channels: Option<Vec<&str>> = selection
        .filter
        .channels
        .as_ref()
        .map(|c| c.iter().map(|c| c.as_str()).collect());
    let narrow = Narrow {
        services,
        channels,
        ward: selection.ward.as_deref(),
    };
    let (total, cases) = state
        .store
        .overdue_cases(today, &narrow, OVERDUE_SHOWN)
        .await?;
    let mut table = Table {
        id: "overdue",
        caption: format!(
            "Overdue open cases: {} in all{}",
            Cell::Count(total).display(),
            if total > OVERDUE_SHOWN {
                format!(", the {OVERDUE_SHOWN} longest overdue shown")
            } else {
                String::new()
            }
        ),
        headers: ["Reference", "Service", "Team", "Due", "Days overdue"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for case in cases {
        table.rows.push(vec![
            Cell::Text(case.reference.to_string()),
            Cell::Text(state.service_name(&case.service)),
            Cell::Text(
                state
                    .catalogue
                    .team(&case.team)
                    .map(|t| t.name.clone())
                    .unwrap_or(case.team.clone()),
            ),
            Cell::Text(case.due_by.to_string()),
            Cell::Count((today - case.due_by).get_days().into()),
        ]);
    }
    Ok(table)
}

pub fn today() -> Date {
    london_date(Timestamp::now())
}

/// A chart and its table, side by side.
pub struct Section {
    pub table: Table,
    pub chart: Option<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(pairs: impl IntoIterator<Item = (String, String)>, chosen: &str) -> Vec<Choice> {
    pairs
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    errors: Vec<ErrorItem>,
    from: String,
    to: String,
    services: Vec<Choice>,
    departments: Vec<Choice>,
    channels: Vec<Choice>,
    wards: Vec<Choice>,
    shift_services: Vec<Choice>,
    shift_from: Vec<Choice>,
    shift_to: Vec<Choice>,
    shift_percent: String,
    headline: Vec<(String, String)>,
    sections: Vec<Section>,
    simulator: Option<Section>,
    overdue: Table,
    csv_query: String,
}

impl DashboardPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.href == format!("#{field}"))
            .map(|e| e.message.as_str())
    }
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> PageResult<DashboardPage> {
    staff.require(Permission::ViewDashboard)?;
    let today = today();
    let wards = known_wards(&state).await?;
    let (selection, errors) = query.select(&state, &wards, today);
    let (mut report, overdue) = build(&state, &selection, today).await?;
    let simulator = report
        .tables
        .iter()
        .position(|t| t.id == "simulator")
        .map(|i| report.tables.remove(i))
        .filter(|t| !t.rows.is_empty())
        .map(|table| Section { table, chart: None });
    let catalogue = &state.catalogue;
    let service_pairs = || {
        let mut pairs: Vec<(String, String)> = catalogue
            .services
            .iter()
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect();
        pairs.sort_by(|a, b| a.1.cmp(&b.1));
        pairs
    };
    let departments: BTreeSet<String> = catalogue
        .teams
        .iter()
        .map(|t| t.department.clone())
        .collect();
    let channel_pairs = || {
        Channel::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), c.label().to_owned()))
    };
    Ok(DashboardPage {
        layout: staff.layout(&state),
        errors: errors
            .iter()
            .map(|e| ErrorItem {
                href: format!("#{}", e.field),
                message: e.message.clone(),
            })
            .collect(),
        from: selection.from.to_string(),
        to: selection.to.to_string(),
        services: choices(service_pairs(), &query.service),
        departments: choices(
            departments.into_iter().map(|d| (d.clone(), d)),
            &query.department,
        ),
        channels: choices(channel_pairs(), &query.channel),
        wards: choices(wards.iter().map(|w| (w.clone(), w.clone())), &query.ward),
        shift_services: choices(service_pairs(), &query.shift_service),
        shift_from: choices(
            channel_pairs(),
            if query.shift_from.is_empty() {
                "phone"
            } else {
                &query.shift_from
            },
        ),
        shift_to: choices(
            channel_pairs(),
            if query.shift_to.is_empty() {
                "web"
            } else {
                &query.shift_to
            },
        ),
        shift_percent: query.shift_percent.clone(),
        headline: headline_rows(&report.headline),
        sections: report.tables.into_iter().map(section).collect(),
        simulator,
        overdue,
        csv_query: csv_query(&selection, &query),
    })
}

/// The filters as a query string, so a table's CSV has the figures on the page.
fn csv_query(selection: &Selection, query: &DashboardQuery) -> String {
    let pairs = [
        ("from", selection.from.to_string()),
        ("to", selection.to.to_string()),
        ("service", query.service.clone()),
        ("department", query.department.clone()),
        ("channel", query.channel.clone()),
        ("ward", selection.ward.clone().unwrap_or_default()),
        ("shift_service", query.shift_service.clone()),
        ("shift_from", query.shift_from.clone()),
        ("shift_to", query.shift_to.clone()),
        ("shift_percent", query.shift_percent.clone()),
    ];
    serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

fn headline_rows(h: &Headline) -> Vec<(String, String)> {
    let pct = |v: Option<f64>| Cell::Percent(v).display();
    vec![
        ("Contacts".into(), Cell::Count(h.contacts).display()),
        (
            "Transactions (cases opened)".into(),
            Cell::Count(h.transactions).display(),
        ),
        ("Digital take-up".into(), pct(h.digital_take_up)),
        (
            "Avoidable contact (repeats)".into(),
            pct(h.avoidable_contact),
        ),
        ("Closed within SLA".into(), pct(h.closed_on_time)),
        (
            "Average satisfaction (1 to 5)".into(),
            Cell::Decimal(h.satisfaction).display(),
        ),
        ("Cost to serve".into(), Cell::Pounds(h.cost).display()),
        (
            "Channel-shift saving against a year earlier".into(),
            h.channel_shift_saving
                .map(|s| Cell::Pounds(s).display())
                .unwrap_or_else(|| "No data a year earlier".into()),
        ),
        ("Open cases now".into(), Cell::Count(h.open_cases).display()),
    ]
}

/// Which chart each table gets.
fn section(table: Table) -> Section {
    let id = format!("chart-{}", table.id);
    let last = table.headers.len().saturating_sub(1);
    let chart = match table.id {
        "channels" => Some(charts::bars(&id, &table, 1, 20)),
        "services" => Some(charts::bars(&id, &table, 2, 15)),
        "hours" | "weekdays" | "open-age" => Some(charts::columns(&id, &table, 1)),
        "heat" => Some(charts::heat(&id, &table)),
        "months" => Some(charts::lines(&id, &table, &(1..last).collect::<Vec<_>>())),
        "year-on-year" => Some(charts::lines(&id, &table, &(1..=last).collect::<Vec<_>>())),
        "trend" => Some(charts::lines(&id, &table, &[1, 2])),
        "take-up" => Some(charts::bars(&id, &table, 3, 15)),
        "sla-services" | "sla-teams" => Some(charts::bars(&id, &table, 4, 20)),
        "costs" => Some(charts::bars(&id, &table, 5, 20)),
        "satisfaction" | "satisfaction-channels" => Some(charts::bars(&id, &table, 2, 20)),
        _ => None,
    };
    Section {
        chart: chart.filter(|_| !table.rows.is_empty()),
        table,
    }
}

async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    staff.require(Permission::ViewDashboard)?;
    let id = file.strip_suffix(".csv").ok_or(WebError::NotFound)?;
    let today = today();
    let wards = known_wards(&state).await?;
    let (selection, errors) = query.select(&state, &wards, today);
    if let Some(e) = errors.first() {
        return Err(WebError::BadRequest(e.message.clone()));
    }
    let (report, overdue) = build(&state, &selection, today).await?;
    let table = if id == "overdue" {
        &overdue
    } else {
        report.table(id).ok_or(WebError::NotFound)?
    };
    tracing::info!(
        staff.id = staff.record.id,
        table = id,
        "dashboard table exported"
    );
    let filename = format!("{}-{}-to-{}.csv", table.id, selection.from, selection.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        table.to_csv(),
    )
        .into_response())
}
