//! Back-office webhooks: the JSON body signed with HMAC-SHA256 (`X-Signature`), and the
//! idempotency key in `Idempotency-Key` so a receiver can ignore a repeat.

use crate::{ProviderId, SendError};
use frontdoor_domain::Destination;
use frontdoor_store::OutboxMessage;
use std::time::Duration;

pub struct WebhookSender {
    http: reqwest::Client,
    secret: String,
}

impl WebhookSender {
    pub fn new(secret: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client with a timeout builds");
        Self {
            http,
            secret: secret.to_owned(),
        }
    }

    pub async fn send(&self, message: &OutboxMessage) -> Result<ProviderId, SendError> {
        let Destination::Webhook { url, .. } = &message.destination else {
            return Err(SendError::Permanent("not a webhook".into()));
        };
        let signature = frontdoor_intake::sign(self.secret.as_bytes(), message.body.as_bytes());
        let response = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("x-signature", signature)
            .header("idempotency-key", &message.key)
            .body(message.body.clone())
            .send()
            .await
            .map_err(|e| SendError::Temporary(e.to_string()))?;
        classify(response.status()).map(|()| None)
    }
}

/// 2xx delivered; 408, 429 and 5xx are worth retrying; any other refusal is final.
pub(crate) fn classify(status: reqwest::StatusCode) -> Result<(), SendError> {
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(SendError::Temporary(format!("HTTP {status}")))
    } else {
        Err(SendError::Permanent(format!("HTTP {status}")))
    }
}
