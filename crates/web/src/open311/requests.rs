//! Service requests: POST one (api_key required), GET a filtered list, GET one, GET a token.

use super::format::{Format, Node};
use super::{
    Open311Error, Params, attribute_fields, check_jurisdiction, open311_service, open311_services,
    unknown_format,
};
use crate::casework::open_case;
use crate::places::validate_answers;
use crate::state::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdoor_domain::calendar::london as london_tz;
use frontdoor_domain::calendar::london_date;
use frontdoor_domain::form::{Answer, RawAnswers, contact_inputs, validate_contact};
use frontdoor_domain::{Channel, FieldError, FieldKind, Reference, Service, Submission};
use frontdoor_store::{Open311Client, RequestFilter, ServiceRequestRecord};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use sha2::{Digest, Sha256};

/// The longest span a GET /requests may cover, and the default window (specification).
const MAX_SPAN: SignedDuration = SignedDuration::from_hours(90 * 24);
/// Most requests one GET returns.
const LIST_LIMIT: i64 = 1000;

fn key_hash(key: &str) -> String {
    format!("{:x}", Sha256::digest(key.as_bytes()))
}

/// Registers a partner system allowed to POST requests; returns its key, shown only once.
pub async fn add_client(
    store: &frontdoor_store::Store,
    name: &str,
) -> Result<String, frontdoor_store::StoreError> {
    let (key, hash) = new_api_key();
    store.add_open311_client(name, &hash).await?;
    Ok(key)
}

/// A new random key (also used for tokens), and its hash.
fn new_api_key() -> (String, String) {
    let bytes: [u8; 24] = rand::rng().random();
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = key_hash(&key);
    (key, hash)
}

async fn client(state: &AppState, params: &Params) -> Result<Option<Open311Client>, Open311Error> {
    match params
        .get("api_key")
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
    {
        None => Ok(None),
        Some(key) => match state.store.open311_client(&key_hash(key)).await? {
            Some(client) => Ok(Some(client)),
            None => Err(Open311Error::new(
                StatusCode::FORBIDDEN,
                "api_key is not valid",
            )),
        },
    }
}

fn london(at: Timestamp) -> String {
    at.to_zoned_datetime(london_tz())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

pub async fn post_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Form(params): Form<Params>,
) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return unknown_format();
    };
    if name != "requests" {
        return Open311Error::new(StatusCode::NOT_FOUND, format!("cannot POST to '{name}'"))
            .respond(format);
    }
    create(&state, &params)
        .await
        .map(|node| node.respond(format, "service_requests", StatusCode::OK))
        .unwrap_or_else(|e| e.respond(format))
}

async fn create(state: &AppState, params: &Params) -> Result<Node, Open311Error> {
    let client = client(state, params)
        .await?
        .ok_or_else(|| Open311Error::new(StatusCode::FORBIDDEN, "api_key is required"))?;
    check_jurisdiction(state, params)?;
    let code = params
        .get("service_code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Open311Error::new(StatusCode::BAD_REQUEST, "service_code is required"))?;
    let service = open311_service(state, code)?;
    let raw = raw_answers(service, params, &client)?;
    let today = london_date(Timestamp::now());
    let answers = validate_answers(state, service, &raw, today).await?;
    let contact = validate_contact(&raw);
    let (answers, contact) = match (answers, contact) {
        (Ok(a), Ok(c)) => (a, c),
        (a, c) => {
            let mut errors = a.err().unwrap_or_default();
            errors.extend(c.err().unwrap_or_default());
            let described = errors.iter().map(|e| describe(service, e)).collect();
            return Err(Open311Error::many(StatusCode::BAD_REQUEST, described));
        }
    };
    let submission = Submission {
        service: service.slug.clone(),
        channel: Channel::Api,
        received_at: Timestamp::now(),
        answers,
        contact,
        summary: None,
        meta: Default::default(),
    };
    let case = open_case(state, service, submission, None).await?;
    let stored = state
        .store
        .case_by_reference(&case.reference)
        .await?
        .ok_or_else(|| Open311Error::new(StatusCode::INTERNAL_SERVER_ERROR, "case not stored"))?;
    let (token, _) = new_api_key();
    state
        .store
        .add_open311_token(&token, stored.summary.id, client.id)
        .await?;
    tracing::info!(case.reference = %case.reference, open311.client = %client.name, "open311 request created");
    let notice = format!(
        "{} aims to deal with this by {}",
        service.department,
        case.due_by.strftime("%-d %B %Y")
    );
    Ok(Node::List(
        "request",
        vec![Node::Object(vec![
            ("service_request_id", Node::text(case.reference.to_string())),
            ("token", Node::Text(token)),
            ("service_notice", Node::Text(notice)),
            ("account_id", Node::opt(params.get("account_id").cloned())),
        ])],
    ))
}

/// The specification's parameters as the form's inputs: attribute[code] to the question,
/// lat/long, address_id or address_string to the place, and the reporter's details.
fn raw_answers(
    service: &Service,
    params: &Params,
    client: &Open311Client,
) -> Result<RawAnswers, Open311Error> {
    let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut raw = RawAnswers::new();
    for field in attribute_fields(service) {
        let value = get(&format!("attribute[{}]", field.id)).or_else(|| {
            (field.kind == FieldKind::LongText)
                .then(|| get("description"))
                .flatten()
        });
        let Some(value) = value else { continue };
        match field.kind {
            FieldKind::Date => {
                let date = value
                    .get(..10)
                    .and_then(|d| d.parse::<jiff::civil::Date>().ok());
                let Some(date) = date else {
                    return Err(Open311Error::new(
                        StatusCode::BAD_REQUEST,
                        format!("attribute[{}] must be a date like 2026-11-20", field.id),
                    ));
                };
                raw.insert(format!("{}-day", field.id), date.day().to_string());
                raw.insert(format!("{}-month", field.id), date.month().to_string());
                raw.insert(format!("{}-year", field.id), date.year().to_string());
            }
            FieldKind::Address => {
                let parts: Vec<&str> = value.split(',').map(str::trim).collect();
                let (postcode, rest) = parts.split_last().unwrap_or((&"", &[]));
                let (town, lines) = rest.split_last().unwrap_or((&"", &[]));
                raw.insert(
                    format!("{}-line1", field.id),
                    lines.first().copied().unwrap_or("").into(),
                );
                raw.insert(
                    format!("{}-line2", field.id),
                    lines.get(1..).map(|l| l.join(", ")).unwrap_or_default(),
                );
                raw.insert(format!("{}-town", field.id), (*town).into());
                raw.insert(format!("{}-postcode", field.id), (*postcode).into());
            }
            _ => {
                raw.insert(field.id.clone(), value.into());
            }
        }
    }
    if let Some(location) = service.location_field() {
        let id = &location.id;
        match (
            get("lat"),
            get("long"),
            get("address_id"),
            get("address_string"),
        ) {
            (Some(lat), Some(lon), _, _) => {
                raw.insert(format!("{id}-lat"), lat.into());
                raw.insert(format!("{id}-lon"), lon.into());
            }
            (_, _, Some(uprn), _) => {
                raw.insert(format!("{id}-uprn"), uprn.into());
            }
            (_, _, _, Some(address)) => {
                raw.insert(format!("{id}-street"), address.into());
                raw.insert(
                    format!("{id}-description"),
                    format!("Address given through {}", client.name),
                );
            }
            _ => {
                return Err(Open311Error::new(
                    StatusCode::BAD_REQUEST,
                    "lat and long, address_id or address_string is required",
                ));
            }
        }
    }
    let name = [get("first_name"), get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    raw.insert(contact_inputs::NAME.into(), name);
    for (param, input) in [
        ("email", contact_inputs::EMAIL),
        ("phone", contact_inputs::PHONE),
    ] {
        if let Some(v) = get(param) {
            raw.insert(input.into(), v.into());
        }
    }
    Ok(raw)
}

/// A form error in the specification's terms: which parameter, and what is wrong.
fn describe(service: &Service, error: &FieldError) -> String {
    let location = service.location_field().map(|f| f.id.as_str());
    let param = match error.input.as_str() {
        contact_inputs::NAME => "first_name".to_owned(),
        contact_inputs::EMAIL => "email".to_owned(),
        contact_inputs::PHONE => "phone".to_owned(),
        _ if Some(error.field.as_str()) == location => {
            match error.input.rsplit('-').next().unwrap_or("") {
                "uprn" => "address_id".to_owned(),
                "street" | "description" => "address_string".to_owned(),
                _ => "lat".to_owned(),
            }
        }
        _ => format!("attribute[{}]", error.field),
    };
    format!("{param}: {}", error.message)
}

pub(super) async fn list_requests(
    state: &AppState,
    params: &Params,
    format: Format,
) -> Result<Response, Open311Error> {
    check_jurisdiction(state, params)?;
    let client = client(state, params).await?;
    let services = visible_services(state, client.is_some(), params.get("service_code"))?;
    let references = list(params.get("service_request_id"))
        .iter()
        .filter_map(|r| Reference::parse(r).ok())
        .map(|r| r.as_compact().to_owned())
        .collect();
    let (from, to) = window(params)?;
    let open = match list(params.get("status")).as_slice() {
        [] => None,
        statuses => {
            let open = statuses.iter().any(|s| s == "open");
            let closed = statuses.iter().any(|s| s == "closed");
            if let Some(bad) = statuses.iter().find(|s| *s != "open" && *s != "closed") {
                return Err(Open311Error::new(
                    StatusCode::BAD_REQUEST,
                    format!("status '{bad}' must be open or closed"),
                ));
            }
            (open != closed).then_some(open)
        }
    };
    let filter = RequestFilter {
        references,
        services,
        from,
        to,
        open,
        limit: LIST_LIMIT,
    };
    let records = state.store.service_requests(&filter).await?;
    Ok(requests_node(state, &records, client.is_some()).respond(
        format,
        "service_requests",
        StatusCode::OK,
    ))
}

fn list(value: Option<&String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Services a reader may see: the public-map ones, or every Open311 service with a key.
fn visible_services(
    state: &AppState,
    with_key: bool,
    codes: Option<&String>,
) -> Result<Vec<String>, Open311Error> {
    let visible: Vec<String> = open311_services(state)
        .filter(|s| with_key || s.public_map)
        .map(|s| s.slug.clone())
        .collect();
    let asked = list(codes);
    if asked.is_empty() {
        return Ok(visible);
    }
    for code in &asked {
        if !visible.contains(code) {
            return Err(Open311Error::new(
                StatusCode::NOT_FOUND,
                format!("service_code '{code}' not found"),
            ));
        }
    }
    Ok(asked)
}

/// start_date and end_date (W3C datetimes or dates), defaulting to the last 90 days.
fn window(params: &Params) -> Result<(Timestamp, Timestamp), Open311Error> {
    let parse = |name: &str| -> Result<Option<Timestamp>, Open311Error> {
        let Some(text) = params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        parse_w3c(text).map(Some).ok_or_else(|| {
            Open311Error::new(
                StatusCode::BAD_REQUEST,
                format!("{name} must be a W3C datetime like 2026-11-01T00:00:00Z"),
            )
        })
    };
    let (start, end) = (parse("start_date")?, parse("end_date")?);
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s.saturating_add(MAX_SPAN).unwrap_or(s)),
        (None, Some(e)) => (e.saturating_sub(MAX_SPAN).unwrap_or(e), e),
        (None, None) => {
            let now = Timestamp::now();
            (now.saturating_sub(MAX_SPAN).unwrap_or(now), now)
        }
    };
    if to < from {
        return Err(Open311Error::new(
            StatusCode::BAD_REQUEST,
            "end_date is before start_date",
        ));
    }
    if to.duration_since(from) > MAX_SPAN {
        return Err(Open311Error::new(
            StatusCode::BAD_REQUEST,
            "start_date and end_date may not span more than 90 days",
        ));
    }
    Ok((from, to))
}

fn parse_w3c(text: &str) -> Option<Timestamp> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    date.to_zoned_datetime(london_tz())
        .ok()
        .map(|z| z.timestamp())
}

fn requests_node(state: &AppState, records: &[ServiceRequestRecord], full: bool) -> Node {
    Node::List(
        "request",
        records
            .iter()
            .map(|r| request_node(state, r, full))
            .collect(),
    )
}

/// One request. Without an api_key the words residents wrote and the address are left
/// out: the description lists the choices made and the place is the street.
fn request_node(state: &AppState, r: &ServiceRequestRecord, full: bool) -> Node {
    let service = state.catalogue.service(&r.service);
    let service_name = service
        .map(|s| s.name.clone())
        .unwrap_or_else(|| r.service.clone());
    let description = describe_answers(service, &r.answers, full);
    let place = r.place.clone().unwrap_or_default();
    let address = if full {
        Some(place.display()).filter(|a| !a.is_empty())
    } else {
        place.street.clone()
    };
    let zipcode = if full {
        place
            .address
            .as_ref()
            .and_then(|a| a.rsplit(", ").next())
            .map(str::to_owned)
    } else {
        None
    };
    let number = |v: Option<f64>| v.map(Node::Number).unwrap_or(Node::Null);
    // The end of the working day the council promised.
    let expected = r
        .due_by
        .at(17, 0, 0, 0)
        .to_zoned_datetime(london_tz())
        .ok()
        .map(|z| london(z.timestamp()));
    let team = state
        .catalogue
        .team(&r.team)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| r.team.clone());
    let closed = r.status == frontdoor_domain::Status::Closed;
    Node::Object(vec![
        ("service_request_id", Node::text(r.reference.to_string())),
        ("status", Node::text(if closed { "closed" } else { "open" })),
        ("status_notes", Node::opt(r.outcome.clone())),
        ("service_name", Node::Text(service_name)),
        ("service_code", Node::text(&r.service)),
        ("description", Node::Text(description)),
        ("agency_responsible", Node::Text(team)),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::Text(london(r.created_at))),
        ("updated_datetime", Node::Text(london(r.updated_at))),
        ("expected_datetime", Node::opt(expected)),
        ("address", Node::opt(address)),
        ("address_id", Node::opt(place.uprn.clone().filter(|_| full))),
        ("zipcode", Node::opt(zipcode)),
        ("lat", number(place.point.map(|p| p.lat()))),
        ("long", number(place.point.map(|p| p.lon()))),
        ("media_url", Node::Null),
    ])
}

fn describe_answers(
    service: Option<&Service>,
    answers: &std::collections::BTreeMap<String, Answer>,
    full: bool,
) -> String {
    let Some(service) = service else {
        return String::new();
    };
    attribute_fields(service)
        .filter(|f| full || matches!(f.kind, FieldKind::Choice | FieldKind::YesNo))
        .filter_map(|f| {
            answers
                .get(&f.id)
                .map(|a| format!("{}: {}", f.summary_title(), a.display()))
        })
        .collect::<Vec<_>>()
        .join(". ")
}

pub async fn get_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let Some((id, format)) = Format::split(&file) else {
        return unknown_format();
    };
    one_request(&state, id, &params)
        .await
        .map(|node| node.respond(format, "service_requests", StatusCode::OK))
        .unwrap_or_else(|e| e.respond(format))
}

async fn one_request(state: &AppState, id: &str, params: &Params) -> Result<Node, Open311Error> {
    check_jurisdiction(state, params)?;
    let client = client(state, params).await?;
    let not_found = || {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("service_request_id '{id}' not found"),
        )
    };
    let reference = Reference::parse(id).map_err(|_| not_found())?;
    let filter = RequestFilter {
        references: vec![reference.as_compact().to_owned()],
        services: visible_services(state, client.is_some(), None)?,
        from: Timestamp::MIN,
        to: Timestamp::MAX,
        open: None,
        limit: 1,
    };
    let records = state.store.service_requests(&filter).await?;
    if records.is_empty() {
        return Err(not_found());
    }
    Ok(requests_node(state, &records, client.is_some()))
}

pub async fn get_token(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let Some((token, format)) = Format::split(&file) else {
        return unknown_format();
    };
    let result = async {
        check_jurisdiction(&state, &params)?;
        let reference = state
            .store
            .reference_for_token(token)
            .await?
            .ok_or_else(|| {
                Open311Error::new(StatusCode::NOT_FOUND, format!("token '{token}' not found"))
            })?;
        Ok::<_, Open311Error>(Node::List(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text(reference.to_string())),
                ("token", Node::text(token)),
            ])],
        ))
    }
    .await;
    result
        .map(|node| node.respond(format, "service_requests", StatusCode::OK))
        .unwrap_or_else(|e| e.respond(format))
}
