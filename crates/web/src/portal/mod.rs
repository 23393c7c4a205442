//! The resident portal: find a service, answer its form, track a request. No JavaScript needed.

mod account;
mod contact_us;
pub(crate) mod feedback;
pub mod forms;
mod location;
mod reports;
mod tell_us_once;
mod track;

use crate::error::{PageResult, WebError};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/topics/{topic}", get(topic))
        .route("/search", get(search))
        .route("/services/{slug}", get(service_start))
        .merge(contact_us::routes())
        .merge(forms::routes())
        .merge(location::routes())
        .merge(reports::routes())
        .merge(track::routes())
        .merge(feedback::routes())
        .merge(tell_us_once::routes())
        .merge(account::routes())
}

pub fn layout(state: &AppState, csrf: &str) -> Layout {
    Layout::new(&state.local_catalogue().council.name, csrf)
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: Layout,
    topics: Vec<frontdoor_domain::Topic>,
}

async fn home(State(state): State<AppState>) -> HomePage {
    HomePage {
        layout: layout(&state, ""),
        topics: state.local_catalogue().topics.clone(),
    }
}

/// A list of services: a topic's, or a search's results.
#[derive(Template, WebTemplate)]
#[template(path = "portal/service_list.html")]
struct ServiceList {
    layout: Layout,
    heading: String,
    query: Option<String>,
    /// (slug, name, description)
    services: Vec<(String, String, String)>,
}

fn listed<'a>(
    services: impl Iterator<Item = &'a frontdoor_domain::Service>,
) -> Vec<(String, String, String)> {
    services
        .map(|s| (s.slug.clone(), s.name.clone(), s.description.clone()))
        .collect()
}

async fn topic(State(state): State<AppState>, Path(slug): Path<String>) -> PageResult<ServiceList> {
    let topic = state
        .local_catalogue()
        .topic(&slug)
        .ok_or(WebError::NotFound)?;
    Ok(ServiceList {
        layout: layout(&state, ""),
        heading: topic.name.clone(),
        query: None,
        services: listed(state.local_catalogue().services_in_topic(&slug)),
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(State(state): State<AppState>, Query(query): Query<SearchQuery>) -> ServiceList {
    let results = state.local_catalogue().search(&query.q);
    ServiceList {
        layout: layout(&state, ""),
        heading: frontdoor_domain::i18n::message(crate::locale::current(), "search.results").into(),
        query: Some(query.q.clone()),
        services: listed(results.into_iter()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/service_start.html")]
struct ServiceStart {
    layout: Layout,
    slug: String,
    name: String,
    description: String,
    sla_days: u16,
    statutory_basis: Option<String>,
    topic_slug: String,
    topic_name: String,
    phone: String,
}

async fn service_start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> PageResult<ServiceStart> {
    let service = state
        .local_catalogue()
        .service(&slug)
        .ok_or(WebError::NotFound)?;
    let topic = state
        .local_catalogue()
        .topic(&service.topic)
        .ok_or(WebError::NotFound)?;
    Ok(ServiceStart {
        layout: layout(&state, ""),
        slug: service.slug.clone(),
        name: service.name.clone(),
        description: service.description.clone(),
        sla_days: service.sla_working_days,
        statutory_basis: service.statutory_basis.clone(),
        topic_slug: topic.slug.clone(),
        topic_name: topic.name.clone(),
        phone: state.local_catalogue().council.phone.clone(),
    })
}
