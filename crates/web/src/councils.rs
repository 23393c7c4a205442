//! Several councils in one deployment: each request belongs to the council whose host name
//! it was sent to, and is answered by that council's own router, state and database.
//!
//! Nothing is shared between councils but the process: each has its own store (a SQLite
//! file or a PostgreSQL database), catalogue, staff, sessions, rate limits and outbox, so
//! no query can reach another council's rows, however it is written.

use crate::{AppState, app};
use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

/// One council's front door and the host name residents and staff reach it at.
pub struct Council {
    pub host: String,
    pub state: AppState,
}

/// The host a request was sent to, without its port, in lower case.
fn host_of(request: &Request) -> Option<String> {
    let host = request.headers().get(header::HOST)?.to_str().ok()?;
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

/// A router that sends each request to the council its Host header names, and answers
/// 404 for a host that is none of them.
pub fn councils_app(councils: Vec<Council>) -> Router {
    let routers: Arc<HashMap<String, Router>> = Arc::new(
        councils
            .into_iter()
            .map(|c| (c.host.to_ascii_lowercase(), app(c.state)))
            .collect(),
    );
    Router::new().fallback(move |request: Request| {
        let routers = routers.clone();
        async move {
            let router = host_of(&request).and_then(|host| routers.get(&host).cloned());
            match router {
                Some(router) => router
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|never| match never {}),
                None => no_council(),
            }
        }
    })
}

fn no_council() -> Response {
    (
        StatusCode::NOT_FOUND,
        "No council's front door is served at this address.\n",
    )
        .into_response()
}

/// Serves every council on one listener until Ctrl+C.
pub async fn serve_councils(
    listener: tokio::net::TcpListener,
    councils: Vec<Council>,
) -> std::io::Result<()> {
    for council in &councils {
        crate::sweep_sessions(council.state.store.clone());
    }
    let app = councils_app(councils).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(crate::shutdown_signal())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(host: &str) -> Request {
        Request::builder()
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn the_host_is_named_without_port_or_case() {
        assert_eq!(
            host_of(&request("North.Example:8080")).unwrap(),
            "north.example"
        );
        assert_eq!(
            host_of(&request("north.example.")).unwrap(),
            "north.example"
        );
        assert_eq!(host_of(&request("[::1]:80")).unwrap(), "[::1]");
        assert!(host_of(&Request::new(Body::empty())).is_none());
    }
}
