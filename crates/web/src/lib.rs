//! Front Door's HTTP face: the resident portal, the staff console and the JSON API,
//! assembled into one router in [`app`].

mod api;
mod assets;
mod audit;
mod casework;
mod charts;
mod console;
mod councils;
mod erasure;
mod error;
mod intake;
mod locale;
mod notices;
mod open311;
mod passwords;
mod places;
mod portal;
mod rate_limit;
mod session;
mod state;
mod subject_access;
mod tell_us_once;
mod triage;
mod views;

pub use councils::{Council, councils_app, serve_councils};
pub use erasure::{ErasureStep, erase_resident, erasure_plan};
pub use intake::{Intake, SmtpSink, ingest_email};
pub use open311::add_client as add_open311_client;
pub use passwords::hash_password;
pub use session::issue_api_token;
pub use state::{ApiPartner, AppState, BackOffice, WebSettings};
pub use subject_access::subject_access;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted: generous for a long form, small enough to refuse floods.
const BODY_LIMIT_BYTES: usize = 256 * 1024;

const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-store"),
];

/// Builds the whole application: every route, the session cookie layer and the security headers.
pub fn app(state: AppState) -> Router {
    let csp = content_security_policy(&state.settings.map_tiles);
    let secure = state.settings.secure_cookies;
    let audited = console::routes()
        .merge(api::routes())
        .layer(from_fn_with_state(state.clone(), audit::record));
    let mut router = Router::new()
        .merge(portal::routes())
        .merge(audited)
        .merge(open311::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(locale::routes())
        .fallback(|| async { error::WebError::NotFound })
        .layer(axum::middleware::from_fn(session::session_cookies))
        .layer(axum::middleware::from_fn(locale::choose))
        .layer(from_fn_with_state(state.clone(), rate_limit::submissions))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Outside the body limit, so even its 413 reaches API clients as JSON.
        .layer(axum::middleware::from_fn(api::json_errors))
        // Inbound email carries attachments: the intake routes set their own, larger limits.
        .merge(intake::routes())
        .with_state(state)
        .merge(assets::routes());
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    if secure {
        // A year, subdomains included: a council serves Front Door from its own host over
        // HTTPS only, so a browser never needs to try plain HTTP there again.
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("strict-transport-security"),
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    router.layer(SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static("content-security-policy"),
        csp,
    ))
}

/// Only our own scripts and styles; images also from the map tile server, if there is one.
fn content_security_policy(map_tiles: &str) -> HeaderValue {
    // "https://{s}.tile.example.org/{z}/{x}/{y}.png" allows "https://*.tile.example.org".
    let tiles = map_tiles
        .split_once("://")
        .map(|(scheme, rest)| {
            (
                scheme,
                rest.split('/').next().unwrap_or("").replace("{s}", "*"),
            )
        })
        .filter(|(scheme, host)| {
            matches!(*scheme, "http" | "https")
                && !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.*:".contains(c))
        })
        .map(|(scheme, host)| format!(" {scheme}://{host}"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; img-src 'self' data:{tiles}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    })
}

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Serves the app on a bound listener until the process is asked to stop.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    sweep_sessions(state.store.clone());
    // The connection's address is what the rate limits count (docs/security.md).
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Removes expired sessions every hour, for as long as the server runs.
fn sweep_sessions(store: frontdoor_store::Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired_sessions().await {
                tracing::warn!(error = %e, "could not remove expired sessions");
            }
        }
    });
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
