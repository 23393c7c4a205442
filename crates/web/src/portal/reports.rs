//! The public map and list of open street reports, and the same as GeoJSON.
//!
//! Only services marked `public_map` appear (street problems, never homes), and only the
//! service, street, ward, dates and status: no resident, no words they wrote, no house.

use super::layout;
use crate::error::{PageResult, WebError};
use crate::session::Session;
use crate::state::AppState;
use crate::views::{Layout, long_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use frontdoor_domain::calendar::london_date;
use frontdoor_store::PublicReport;
use serde::Deserialize;
use serde_json::{Value, json};

const GEOJSON: &str = "application/geo+json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/reports.geojson", get(reports_geojson))
        .route("/area.geojson", get(area_geojson))
}

#[derive(Deserialize, Default)]
struct Filter {
    service: Option<String>,
    ward: Option<String>,
}

impl Filter {
    fn service(&self) -> Option<&str> {
        self.service.as_deref().filter(|s| !s.is_empty())
    }

    fn ward(&self) -> Option<&str> {
        self.ward.as_deref().filter(|s| !s.is_empty())
    }
}

/// Open public reports matching the filter; an unknown service or ward is a bad link.
async fn matching(state: &AppState, filter: &Filter) -> PageResult<Vec<PublicReport>> {
    let public: Vec<&str> = state
        .local_catalogue()
        .services
        .iter()
        .filter(|s| s.public_map)
        .map(|s| s.slug.as_str())
        .collect();
    let services = match filter.service() {
        None => public,
        Some(slug) if public.contains(&slug) => vec![slug],
        Some(_) => {
            return Err(WebError::BadRequest(
                "Select a type of problem from the list".into(),
            ));
        }
    };
    if let Some(ward) = filter.ward()
        && !ward_names(state).iter().any(|w| w == ward)
    {
        return Err(WebError::BadRequest("Select a ward from the list".into()));
    }
    let reports = state.store.public_reports(&services).await?;
    Ok(reports
        .into_iter()
        .filter(|r| filter.ward().is_none_or(|w| r.ward.as_deref() == Some(w)))
        .collect())
}

fn ward_names(state: &AppState) -> Vec<String> {
    state
        .area
        .as_ref()
        .map(|a| a.wards().iter().map(|w| w.name.clone()).collect())
        .unwrap_or_default()
}

struct ReportRow {
    reference: String,
    service_name: String,
    street: String,
    ward: String,
    reported: String,
    status: String,
}

struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/reports.html")]
struct ReportsPage {
    layout: Layout,
    rows: Vec<ReportRow>,
    services: Vec<SelectOption>,
    wards: Vec<SelectOption>,
    geojson_url: String,
    tiles: String,
    attribution: String,
}

async fn reports_page(
    State(state): State<AppState>,
    session: Session,
    Query(filter): Query<Filter>,
) -> PageResult<ReportsPage> {
    let reports = matching(&state, &filter).await?;
    let rows = reports
        .iter()
        .map(|r| ReportRow {
            reference: r.reference.to_string(),
            service_name: state.local_service_name(&r.service),
            street: r.street.clone().unwrap_or_default(),
            ward: r.ward.clone().unwrap_or_default(),
            reported: long_date(london_date(r.created_at)),
            status: frontdoor_domain::i18n::message(crate::locale::current(), &r.status.key())
                .to_owned(),
        })
        .collect();
    let services = state
        .local_catalogue()
        .services
        .iter()
        .filter(|s| s.public_map)
        .map(|s| SelectOption {
            selected: filter.service() == Some(s.slug.as_str()),
            value: s.slug.clone(),
            label: s.name.clone(),
        })
        .collect();
    let wards = ward_names(&state)
        .into_iter()
        .map(|w| SelectOption {
            selected: filter.ward() == Some(w.as_str()),
            label: w.clone(),
            value: w,
        })
        .collect();
    let query = serde_urlencoded::to_string([
        ("service", filter.service().unwrap_or("")),
        ("ward", filter.ward().unwrap_or("")),
    ])
    .unwrap_or_default();
    Ok(ReportsPage {
        layout: layout(&state, session.csrf_token()),
        rows,
        services,
        wards,
        geojson_url: format!("/reports.geojson?{query}"),
        tiles: state.settings.map_tiles.clone(),
        attribution: state.settings.map_attribution.clone(),
    })
}

fn feature(state: &AppState, r: &PublicReport) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [r.point.lon(), r.point.lat()]},
        "properties": {
            "reference": r.reference.to_string(),
            "service": r.service,
            "service_name": state.local_service_name(&r.service),
            "status": r.status.as_str(),
            "status_name": frontdoor_domain::i18n::message(crate::locale::current(), &r.status.key()),
            "street": r.street,
            "ward": r.ward,
            "reported_at": r.created_at.to_string(),
            "updated_at": r.updated_at.to_string(),
        }
    })
}

async fn reports_geojson(
    State(state): State<AppState>,
    Query(filter): Query<Filter>,
) -> Result<impl IntoResponse, crate::api::ApiError> {
    let reports = matching(&state, &filter).await.map_err(|e| match e {
        WebError::BadRequest(message) => {
            crate::api::ApiError::new(axum::http::StatusCode::BAD_REQUEST, "bad_request", message)
        }
        other => other.into(),
    })?;
    let features: Vec<Value> = reports.iter().map(|r| feature(&state, r)).collect();
    let body = json!({"type": "FeatureCollection", "features": features});
    Ok(([(CONTENT_TYPE, GEOJSON)], body.to_string()))
}

async fn area_geojson(State(state): State<AppState>) -> PageResult<impl IntoResponse> {
    let area = state.area.as_ref().ok_or(WebError::NotFound)?;
    Ok((
        [(CONTENT_TYPE, GEOJSON)],
        area.boundary_geojson().to_owned(),
    ))
}
