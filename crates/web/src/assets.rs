//! Static assets, compiled into the binary so `cargo run` needs no build step or asset folder.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &[u8] = include_bytes!("../../../assets/vendor/govuk-frontend/frontdoor.min.css");
const GOVUK_JS: &[u8] =
    include_bytes!("../../../assets/vendor/govuk-frontend/govuk-frontend.min.js");
const INIT_JS: &[u8] = include_bytes!("../../../assets/src/init.js");
const LEAFLET_JS: &[u8] = include_bytes!("../../../assets/vendor/leaflet/leaflet.js");
const LEAFLET_CSS: &[u8] = include_bytes!("../../../assets/vendor/leaflet/leaflet.css");
const MAP_JS: &[u8] = include_bytes!("../../../assets/src/location-map.js");
const MAP_CSS: &[u8] = include_bytes!("../../../assets/src/map.css");
const DASHBOARD_CSS: &[u8] = include_bytes!("../../../assets/src/dashboard.css");

fn asset(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse + Clone {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/assets/frontdoor.min.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/assets/govuk-frontend.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", GOVUK_JS) }),
        )
        .route(
            "/assets/init.js",
            get(|| async { asset("text/javascript; charset=utf-8", INIT_JS) }),
        )
        .route(
            "/assets/leaflet.js",
            get(|| async { asset("text/javascript; charset=utf-8", LEAFLET_JS) }),
        )
        .route(
            "/assets/dashboard.css",
            get(|| async { asset("text/css; charset=utf-8", DASHBOARD_CSS) }),
        )
        .route(
            "/assets/leaflet.css",
            get(|| async { asset("text/css; charset=utf-8", LEAFLET_CSS) }),
        )
        .route(
            "/assets/location-map.js",
            get(|| async { asset("text/javascript; charset=utf-8", MAP_JS) }),
        )
        .route(
            "/assets/map.css",
            get(|| async { asset("text/css; charset=utf-8", MAP_CSS) }),
        )
}
