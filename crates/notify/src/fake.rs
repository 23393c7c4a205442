//! A fake GOV.UK Notify for tests (feature `fake-notify`): it checks each request's JWT the
//! way Notify does, keeps what it accepts by reference, can be told to fail, and answers the
//! lookup by reference that the worker uses for in-doubt messages.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
pub const SECRET: &str = "3c8d7f00-8a0b-4d1e-9d1c-2b4f9f1e6a7b";
pub const EMAIL_TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
pub const SMS_TEMPLATE: &str = "289a6e68-3ab6-4b9c-9a1c-3f0f1f5a3c3a";

/// An API key Notify would issue for the fake service.
pub fn api_key() -> String {
    format!("test_key-{SERVICE_ID}-{SECRET}")
}

#[derive(Clone, Default)]
pub struct FakeNotify {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    /// Every accepted notification: (reference, request body).
    accepted: Vec<(String, Value)>,
    /// Answer every send with this status instead of accepting it.
    failing: Option<u16>,
    refused_auth: usize,
    /// Accept each message, then wait this long before answering (a slow provider).
    answer_after: Option<std::time::Duration>,
}

impl FakeNotify {
    /// Serves on a random local port; returns the base URL.
    pub async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        self.serve(listener).await
    }

    /// Serves on the given listener; returns the base URL.
    pub async fn serve(&self, listener: tokio::net::TcpListener) -> String {
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let router = Router::new()
            .route("/v2/notifications/email", post(send))
            .route("/v2/notifications/sms", post(send))
            .route("/v2/notifications", get(lookup))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        url
    }

    pub fn fail_with(&self, status: Option<u16>) {
        self.inner.lock().expect("not poisoned").failing = status;
    }

    /// Accept messages at once but answer only after `delay`: a server killed while
    /// waiting leaves a message the provider has but the outbox does not know was sent.
    pub fn answer_after(&self, delay: Option<std::time::Duration>) {
        self.inner.lock().expect("not poisoned").answer_after = delay;
    }

    pub fn accepted(&self) -> Vec<(String, Value)> {
        self.inner.lock().expect("not poisoned").accepted.clone()
    }

    pub fn refused_auth(&self) -> usize {
        self.inner.lock().expect("not poisoned").refused_auth
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(format!("{header}.{claims}").as_bytes());
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let claims: Value = URL_SAFE_NO_PAD
        .decode(claims)
        .ok()
        .and_then(|c| serde_json::from_slice(&c).ok())
        .unwrap_or(Value::Null);
    let age = jiff::Timestamp::now().as_second() - claims["iat"].as_i64().unwrap_or(0);
    mac.verify_slice(&signature).is_ok() && claims["iss"] == SERVICE_ID && (-30..=30).contains(&age)
}

async fn send(
    State(fake): State<FakeNotify>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let (answer, delay) = accept(&fake, &headers, body);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    answer
}

/// Records the message if Notify would take it; the answer and how long to wait first.
fn accept(
    fake: &FakeNotify,
    headers: &HeaderMap,
    body: Value,
) -> ((StatusCode, Json<Value>), Option<std::time::Duration>) {
    let mut inner = fake.inner.lock().expect("not poisoned");
    if !authorised(headers) {
        inner.refused_auth += 1;
        return (error(403, "AuthError", "Invalid token"), None);
    }
    if let Some(status) = inner.failing {
        return (error(status, "Exception", "Internal server error"), None);
    }
    let template = body["template_id"].as_str().unwrap_or_default();
    if template != EMAIL_TEMPLATE && template != SMS_TEMPLATE {
        return (error(400, "BadRequestError", "Template not found"), None);
    }
    let reference = body["reference"].as_str().unwrap_or_default().to_owned();
    let id = format!("fake-{}", inner.accepted.len() + 1);
    inner.accepted.push((reference.clone(), body));
    let answer = (
        StatusCode::CREATED,
        Json(json!({"id": id, "reference": reference})),
    );
    (answer, inner.answer_after)
}

async fn lookup(
    State(fake): State<FakeNotify>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return error(403, "AuthError", "Invalid token");
    }
    let inner = fake.inner.lock().expect("not poisoned");
    let wanted = query.get("reference").cloned().unwrap_or_default();
    let found: Vec<Value> = inner
        .accepted
        .iter()
        .enumerate()
        .filter(|(_, (reference, _))| *reference == wanted)
        .map(|(i, (reference, _))| json!({"id": format!("fake-{}", i + 1), "reference": reference}))
        .collect();
    (
        StatusCode::OK,
        Json(json!({"notifications": found, "links": {}})),
    )
}

fn error(status: u16, kind: &str, message: &str) -> (StatusCode, Json<Value>) {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body =
        json!({"status_code": status.as_u16(), "errors": [{"error": kind, "message": message}]});
    (status, Json(body))
}
