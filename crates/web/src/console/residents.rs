//! The single view of a resident: every record, contact and case on one page, vulnerability
//! flags, merging and separating records by hand, and Tell Us Once taken by an agent.

use crate::console::Staff;
use crate::error::{PageResult, WebError};
use crate::state::AppState;
use crate::views::{ErrorItem, Layout, london_time};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdoor_domain::life_event::LifeEventInput;
use frontdoor_domain::{Channel, LifeEvent, LifeEventKind, Permission, PersonEvent, Vulnerability};
use frontdoor_store::{PersonHit, PersonView, StoreError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/residents", get(search))
        .route("/console/residents/{id}", get(person_page))
        .route("/console/residents/{id}/flags", post(flags))
        .route("/console/residents/{id}/merge", post(merge))
        .route("/console/residents/{id}/undo-merge", post(undo_merge))
        .route("/console/residents/{id}/split", post(split))
        .route("/console/residents/{id}/tell-us-once", post(tell_us_once))
        .route(
            "/console/residents/{id}/subject-access.json",
            get(subject_access),
        )
}

/// People a search shows, and how many it reads to find them after the policy's cut.
const SEARCH_SHOWN: usize = 50;
const SEARCH_CANDIDATES: i64 = 500;

#[derive(Template, WebTemplate)]
#[template(path = "console/residents.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    hits: Vec<PersonHit>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SearchQuery>,
) -> PageResult<SearchPage> {
    staff.require(Permission::ViewResident)?;
    let q = query.q.trim().to_owned();
    // Found people the policy hides are dropped before the page is cut to length, so a
    // search never hints that more matched than it shows.
    let hits = if q.chars().count() >= 2 {
        let found = state.store.search_people(&q, SEARCH_CANDIDATES).await?;
        found
            .into_iter()
            .filter(|hit| staff.sees_person(&state, &hit.known_through))
            .take(SEARCH_SHOWN)
            .collect()
    } else {
        Vec::new()
    };
    Ok(SearchPage {
        layout: staff.layout(&state),
        query: q,
        hits,
    })
}

pub struct RecordRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub uprn: String,
    pub when: String,
    pub how: String,
}

pub struct CaseRow {
    pub reference: String,
    pub service: String,
    pub status: String,
    pub channel: String,
    pub opened: String,
}

pub struct ContactRow {
    pub when: String,
    pub channel: String,
    pub reference: String,
    pub service: String,
    pub text: String,
    pub extra: String,
}

pub struct HistoryRow {
    pub id: i64,
    pub when: String,
    pub who: String,
    pub text: String,
    pub undoable: bool,
}

pub struct LifeEventRow {
    pub when: String,
    pub text: String,
    pub told: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/resident.html")]
struct PersonPage {
    layout: Layout,
    person_id: i64,
    /// Whether the member of staff may export everything held (subject access).
    subject_access: bool,
    /// Whether the member of staff may erase the resident's data.
    erase: bool,
    name: String,
    /// (value, label, set)
    flags: Vec<(String, String, bool)>,
    set_flags: Vec<String>,
    records: Vec<RecordRow>,
    cases: Vec<CaseRow>,
    contacts: Vec<ContactRow>,
    history: Vec<HistoryRow>,
    life_events: Vec<LifeEventRow>,
    errors: Vec<ErrorItem>,
    tuo: TuoForm,
    kinds: Vec<(String, String)>,
    channels: Vec<(String, String)>,
}

async fn person_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> PageResult<PersonPage> {
    let person = load(&state, &staff, id, Permission::ViewResident).await?;
    Ok(view(&state, &staff, &person, vec![], TuoForm::default()))
}

/// A resident's record, if this member of staff may use `permission` on it. A person the
/// policy hides from them is not found, exactly as one that does not exist.
async fn load(
    state: &AppState,
    staff: &Staff,
    id: i64,
    permission: Permission,
) -> PageResult<PersonView> {
    staff.require(permission)?;
    let person = state.store.person(id).await?.ok_or(WebError::NotFound)?;
    if staff.sees_person(state, &person.known_through()) {
        Ok(person)
    } else {
        Err(WebError::NotFound)
    }
}

fn view(
    state: &AppState,
    staff: &Staff,
    person: &PersonView,
    errors: Vec<ErrorItem>,
    tuo: TuoForm,
) -> PersonPage {
    let several = person.records.len() > 1;
    let visible: Vec<&frontdoor_store::CaseSummary> = person
        .cases
        .iter()
        .filter(|c| staff.sees(state, c))
        .collect();
    let shown =
        |reference: &frontdoor_domain::Reference| visible.iter().any(|c| &c.reference == reference);
    PersonPage {
        layout: staff.layout(state),
        person_id: person.person_id,
        subject_access: staff.staffer().has(Permission::SubjectAccess),
        erase: staff.staffer().has(Permission::EraseResident),
        name: person.latest().name.clone(),
        flags: Vulnerability::ALL
            .iter()
            .map(|f| {
                (
                    f.as_str().into(),
                    f.label().into(),
                    person.flags.contains(f),
                )
            })
            .collect(),
        set_flags: person.flags.iter().map(|f| f.label().to_owned()).collect(),
        records: person
            .records
            .iter()
            .map(|r| record_row(r, several))
            .collect(),
        cases: visible
            .iter()
            .map(|c| CaseRow {
                reference: c.reference.to_string(),
                service: state.service_name(&c.service),
                status: c.state.status.label().into(),
                channel: c.channel.label().into(),
                opened: london_time(c.created_at),
            })
            .collect(),
        contacts: person
            .contacts
            .iter()
            .filter(|k| shown(&k.reference))
            .map(|k| ContactRow {
                when: london_time(k.received_at),
                channel: k.channel.label().into(),
                reference: k.reference.to_string(),
                service: state.service_name(&k.service),
                text: excerpt(k.summary.as_deref().unwrap_or("Form answers")),
                extra: contact_extra(k),
            })
            .collect(),
        history: person.events.iter().map(history_row).collect(),
        life_events: person
            .life_events
            .iter()
            .map(|e| LifeEventRow {
                when: london_time(e.told_at),
                text: format!(
                    "{} ({})",
                    e.event.describe(),
                    e.channel.label().to_lowercase()
                ),
                told: e
                    .told
                    .iter()
                    .map(|t| format!("{}: {}", t.who, t.how))
                    .collect(),
            })
            .collect(),
        errors,
        tuo,
        kinds: LifeEventKind::ALL
            .iter()
            .map(|k| (k.as_str().into(), k.label().into()))
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.as_str().into(), c.label().into()))
            .collect(),
    }
}

fn record_row(r: &frontdoor_store::PersonRecord, several: bool) -> RecordRow {
    let proven = |value: &Option<String>, verified: bool| match value {
        Some(v) if verified => format!("{v} (proven)"),
        Some(v) => v.clone(),
        None => String::new(),
    };
    let mut email = proven(&r.identity.email, r.identity.email_verified);
    if r.by_email && !r.identity.email_verified {
        email.push_str(" (sender not verified)");
    }
    let how = match &r.match_reason {
        Some(reason) => format!("Matched: {}", reason.explain()),
        None if several => "Added by staff or first record".into(),
        None => "Only record".into(),
    };
    RecordRow {
        id: r.id,
        name: r.identity.name.clone(),
        email,
        phone: proven(&r.identity.phone, r.identity.phone_verified),
        postcode: r.identity.postcode.clone().unwrap_or_default(),
        uprn: r.identity.uprn.clone().unwrap_or_default(),
        when: london_time(r.created_at),
        how,
    }
}

fn contact_extra(k: &frontdoor_store::TimelineContact) -> String {
    let mut parts = Vec::new();
    if let Some(m) = k.duration_minutes {
        parts.push(format!("{m} minutes"));
    }
    if let Some(hub) = &k.hub {
        parts.push(format!("at {hub}"));
    }
    if let Some(by) = &k.recorded_by_name {
        parts.push(format!("recorded by {by}"));
    }
    parts.join(", ")
}

fn history_row(e: &frontdoor_store::PersonEventRecord) -> HistoryRow {
    HistoryRow {
        id: e.id,
        when: london_time(e.at),
        who: e.actor_name.clone().unwrap_or_else(|| "Front Door".into()),
        text: e.event.describe(),
        undoable: matches!(e.event, PersonEvent::Merged { .. }),
    }
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

fn back_to(id: i64) -> Response {
    Redirect::to(&format!("/console/residents/{id}")).into_response()
}

/// A change refused: the page again, with the reason in a GOV.UK error summary.
async fn refused(
    state: &AppState,
    staff: &Staff,
    id: i64,
    href: &str,
    message: String,
) -> PageResult<Response> {
    let person = load(state, staff, id, Permission::ViewResident).await?;
    let errors = vec![ErrorItem {
        href: href.into(),
        message,
    }];
    let page = view(state, staff, &person, errors, TuoForm::default());
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The flags form, read by `parse_repeated`.
struct FlagsForm {
    csrf_token: Option<String>,
    /// Every flag ticked; the form posts them as repeated `flag=` fields.
    flag: Vec<String>,
}

async fn flags(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> PageResult<Response> {
    let form: FlagsForm = parse_repeated(&body)?;
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let person = load(&state, &staff, id, Permission::ChangeResident).await?;
    let wanted: Vec<Vulnerability> = form
        .flag
        .iter()
        .filter_map(|f| Vulnerability::parse(f))
        .collect();
    for flag in Vulnerability::ALL {
        let has = person.flags.contains(&flag);
        if wanted.contains(&flag) && !has {
            state.store.add_flag(id, flag, staff.record.id).await?;
        } else if !wanted.contains(&flag) && has {
            state.store.remove_flag(id, flag, staff.record.id).await?;
        }
    }
    Ok(back_to(id))
}

/// Form bodies with repeated keys (checkboxes), which `serde_urlencoded` reads into a list
/// only through pairs.
fn parse_repeated(body: &[u8]) -> PageResult<FlagsForm> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| WebError::BadRequest("The form could not be read".into()))?;
    let mut form = FlagsForm {
        csrf_token: None,
        flag: Vec::new(),
    };
    for (k, v) in pairs {
        match k.as_str() {
            "csrf_token" => form.csrf_token = Some(v),
            "flag" => form.flag.push(v),
            _ => {}
        }
    }
    Ok(form)
}

#[derive(Deserialize)]
struct MergeForm {
    csrf_token: Option<String>,
    #[serde(default)]
    other: String,
}

async fn merge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    load(&state, &staff, id, Permission::MergeResidents).await?;
    let Ok(other) = form.other.trim().trim_start_matches('#').parse::<i64>() else {
        let message = "Enter the resident number to merge, like 1234".to_owned();
        return refused(&state, &staff, id, "#other", message).await;
    };
    // Someone hidden from this member of staff reads as someone who does not exist.
    if other != id
        && load(&state, &staff, other, Permission::MergeResidents)
            .await
            .is_err()
    {
        let message = format!("There is no person {other}");
        return refused(&state, &staff, id, "#other", message).await;
    }
    match state.store.merge_people(id, other, staff.record.id).await {
        Ok(()) => Ok(back_to(id)),
        Err(StoreError::Invalid(message)) => {
            refused(&state, &staff, id, "#other", capitalise(&message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct EventForm {
    csrf_token: Option<String>,
    event: i64,
}

async fn undo_merge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<EventForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    load(&state, &staff, id, Permission::MergeResidents).await?;
    match state
        .store
        .undo_merge(id, form.event, staff.record.id)
        .await
    {
        Ok(()) => Ok(back_to(id)),
        Err(StoreError::Invalid(message)) => {
            refused(&state, &staff, id, "#history", capitalise(&message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct SplitForm {
    csrf_token: Option<String>,
    record: i64,
}

async fn split(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<SplitForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    load(&state, &staff, id, Permission::MergeResidents).await?;
    match state
        .store
        .split_record(id, form.record, staff.record.id)
        .await
    {
        Ok(_) => Ok(back_to(id)),
        Err(StoreError::Invalid(message)) => {
            refused(&state, &staff, id, "#records", capitalise(&message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the agent typed into the Tell Us Once form, kept to show again with errors.
#[derive(Deserialize, Default)]
pub struct TuoForm {
    #[serde(default)]
    pub csrf_token: Option<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub told_by: String,
    #[serde(default)]
    pub channel: String,
}

async fn tell_us_once(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<TuoForm>,
) -> PageResult<Response> {
    staff.session.verify_csrf(form.csrf_token.as_deref())?;
    let person = load(&state, &staff, id, Permission::ChangeResident).await?;
    let today = frontdoor_domain::calendar::london_date(jiff::Timestamp::now());
    let input = LifeEventInput {
        kind: &form.kind,
        address: &form.address,
        postcode: &form.postcode,
        name: &form.name,
        date: &form.date,
        told_by: &form.told_by,
    };
    let event = match LifeEvent::parse(&input, today) {
        Ok(event) => event,
        Err(e) => {
            let errors = vec![ErrorItem {
                href: "#tuo-kind".into(),
                message: e.to_string(),
            }];
            let page = view(&state, &staff, &person, errors, form);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let channel = Channel::parse(&form.channel).unwrap_or(Channel::Phone);
    crate::tell_us_once::tell(&state, id, event, channel, Some(staff.record.id), None).await?;
    Ok(back_to(id))
}

/// Everything held on the resident as one JSON download, for a subject-access request.
async fn subject_access(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    staff.require(Permission::SubjectAccess)?;
    let export = crate::subject_access(&state.store, &state.catalogue, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let body = serde_json::to_vec_pretty(&export).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"subject-access-resident-{id}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
