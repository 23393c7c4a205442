//! Open311 GeoReport v2 under `/open311/v2`: discovery, the service list and definitions,
//! posting and reading service requests, and tokens, each in JSON and XML.
//! See docs/open311.md for what each field holds and how errors look.

mod format;
mod requests;

pub use requests::add_client;

use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use format::{Format, Node};
use frontdoor_domain::{Field, FieldKind, Service};
use std::collections::BTreeMap;

/// The date this API last changed, as discovery reports it.
const CHANGESET: &str = "2026-11-25T00:00:00Z";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/open311/v2/{file}",
            get(top_level).post(requests::post_request),
        )
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(requests::get_request))
        .route("/open311/v2/tokens/{file}", get(requests::get_token))
}

/// Query or form parameters, by name (the last of repeated names wins).
pub(crate) type Params = BTreeMap<String, String>;

/// An error in the specification's shape: `[{code, description}]` or `<errors><error>…`.
pub(crate) struct Open311Error {
    status: StatusCode,
    descriptions: Vec<String>,
}

impl Open311Error {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            status,
            descriptions: vec![description.into()],
        }
    }

    pub fn many(status: StatusCode, descriptions: Vec<String>) -> Self {
        Self {
            status,
            descriptions,
        }
    }

    pub fn respond(self, format: Format) -> Response {
        let errors = self
            .descriptions
            .into_iter()
            .map(|d| {
                Node::Object(vec![
                    ("code", Node::Number(f64::from(self.status.as_u16()))),
                    ("description", Node::Text(d)),
                ])
            })
            .collect();
        Node::List("error", errors).respond(format, "errors", self.status)
    }
}

impl From<frontdoor_store::StoreError> for Open311Error {
    fn from(e: frontdoor_store::StoreError) -> Self {
        tracing::error!(error = %e, "open311 request failed");
        Open311Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The service is not available; try again later",
        )
    }
}

impl From<crate::error::WebError> for Open311Error {
    fn from(e: crate::error::WebError) -> Self {
        tracing::error!(error = %e, "open311 request failed");
        Open311Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The service is not available; try again later",
        )
    }
}

/// The answer to a file name without .json or .xml (in JSON, as no format was asked).
pub(crate) fn unknown_format() -> Response {
    Open311Error::new(
        StatusCode::NOT_FOUND,
        "Ask for .json or .xml, for example services.json",
    )
    .respond(Format::Json)
}

/// Refuses a jurisdiction_id other than this council's.
pub(crate) fn check_jurisdiction(state: &AppState, params: &Params) -> Result<(), Open311Error> {
    match params.get("jurisdiction_id").map(|j| j.trim()) {
        None | Some("") => Ok(()),
        Some(j) if j == state.catalogue.council.id => Ok(()),
        Some(j) => Err(Open311Error::new(
            StatusCode::NOT_FOUND,
            format!(
                "jurisdiction_id '{j}' is not served here; use '{}'",
                state.catalogue.council.id
            ),
        )),
    }
}

/// The services offered through Open311: those that take a place.
pub(crate) fn open311_services(state: &AppState) -> impl Iterator<Item = &Service> {
    state
        .catalogue
        .services
        .iter()
        .filter(|s| s.location_based && !s.restricted)
}

pub(crate) fn open311_service<'a>(
    state: &'a AppState,
    code: &str,
) -> Result<&'a Service, Open311Error> {
    open311_services(state)
        .find(|s| s.slug == code)
        .ok_or_else(|| {
            Open311Error::new(
                StatusCode::NOT_FOUND,
                format!("service_code '{code}' not found"),
            )
        })
}

/// The form questions a client answers as attributes (the place is lat/long/address).
pub(crate) fn attribute_fields(service: &Service) -> impl Iterator<Item = &Field> {
    service
        .fields
        .iter()
        .filter(|f| f.kind != FieldKind::Location)
}

async fn top_level(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return unknown_format();
    };
    let result = match name {
        "discovery" => Ok(discovery(&state, &headers).respond(format, "discovery", StatusCode::OK)),
        "services" => check_jurisdiction(&state, &params)
            .map(|()| service_list(&state).respond(format, "services", StatusCode::OK)),
        "requests" => requests::list_requests(&state, &params, format).await,
        _ => Err(Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("'{name}' is not a GeoReport v2 resource"),
        )),
    };
    result.unwrap_or_else(|e| e.respond(format))
}

fn discovery(state: &AppState, headers: &HeaderMap) -> Node {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let council = &state.catalogue.council;
    let endpoint = Node::Object(vec![
        (
            "specification",
            Node::text("http://wiki.open311.org/GeoReport_v2"),
        ),
        ("url", Node::text(format!("http://{host}/open311/v2"))),
        ("changeset", Node::text(CHANGESET)),
        ("type", Node::text("production")),
        (
            "formats",
            Node::List(
                "format",
                vec![Node::text("text/xml"), Node::text("application/json")],
            ),
        ),
    ]);
    Node::Object(vec![
        ("changeset", Node::text(CHANGESET)),
        (
            "contact",
            Node::text(format!("{}, {}", council.name, council.phone)),
        ),
        (
            "key_service",
            Node::text(format!(
                "Ask {} for an API key to post service requests",
                council.name
            )),
        ),
        ("endpoints", Node::List("endpoint", vec![endpoint])),
    ])
}

fn service_list(state: &AppState) -> Node {
    let services = open311_services(state)
        .map(|s| {
            let group = state
                .catalogue
                .topics
                .iter()
                .find(|t| t.slug == s.topic)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            Node::Object(vec![
                ("service_code", Node::text(&s.slug)),
                ("service_name", Node::text(&s.name)),
                ("description", Node::text(&s.description)),
                ("metadata", Node::Bool(attribute_fields(s).next().is_some())),
                ("type", Node::text("realtime")),
                ("keywords", Node::text(s.keywords.join(","))),
                ("group", Node::text(group)),
            ])
        })
        .collect();
    Node::List("service", services)
}

async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let Some((code, format)) = Format::split(&file) else {
        return unknown_format();
    };
    let service = check_jurisdiction(&state, &params).and_then(|()| open311_service(&state, code));
    match service {
        Ok(service) => definition(service).respond(format, "service_definition", StatusCode::OK),
        Err(e) => e.respond(format),
    }
}

/// A service's questions as GeoReport attributes, in the order the form asks them.
fn definition(service: &Service) -> Node {
    let attributes = attribute_fields(service)
        .enumerate()
        .map(|(i, f)| {
            let (datatype, values): (&str, Vec<(String, String)>) = match f.kind {
                FieldKind::Choice => (
                    "singlevaluelist",
                    f.choices.iter().map(|c| (c.clone(), c.clone())).collect(),
                ),
                FieldKind::YesNo => (
                    "singlevaluelist",
                    vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
                ),
                FieldKind::LongText => ("text", vec![]),
                FieldKind::Date => ("datetime", vec![]),
                _ => ("string", vec![]),
            };
            let mut fields = vec![
                ("variable", Node::Bool(true)),
                ("code", Node::text(&f.id)),
                ("datatype", Node::text(datatype)),
                ("required", Node::Bool(f.required)),
                ("datatype_description", Node::text(datatype_description(f))),
                ("order", Node::Number((i + 1) as f64)),
                ("description", Node::text(&f.label)),
            ];
            if !values.is_empty() {
                let values = values
                    .into_iter()
                    .map(|(key, name)| {
                        Node::Object(vec![("key", Node::Text(key)), ("name", Node::Text(name))])
                    })
                    .collect();
                fields.push(("values", Node::List("value", values)));
            }
            Node::Object(fields)
        })
        .collect();
    Node::Object(vec![
        ("service_code", Node::text(&service.slug)),
        ("attributes", Node::List("attribute", attributes)),
    ])
}

fn datatype_description(field: &Field) -> String {
    match field.kind {
        FieldKind::Date => "A date, like 2026-11-20".into(),
        FieldKind::Address => "One line: street address, town, postcode".into(),
        FieldKind::Email => "An email address".into(),
        FieldKind::Phone => "A UK phone number".into(),
        FieldKind::Postcode => "A UK postcode".into(),
        _ => field.hint.clone().unwrap_or_default(),
    }
}
