//! A client for the GOV.UK Notify API (and anything compatible with it): a JWT signed with
//! the key's secret (HS256, `iss` = service id, `iat` = now) on every request, one template
//! per channel filled with `subject` and `body`, and our idempotency key as `reference`, so
//! that after a crash we can ask Notify whether a message was already accepted.

use crate::webhook::classify;
use crate::{ProviderId, SendError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontdoor_domain::Destination;
use frontdoor_store::OutboxMessage;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

/// GOV.UK Notify's API.
pub const NOTIFY_URL: &str = "https://api.notifications.service.gov.uk";

pub struct NotifyClient {
    http: reqwest::Client,
    base_url: String,
    service_id: String,
    secret: String,
    email_template: String,
    sms_template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a Notify API key looks like name-<service id>-<secret key>, with two 36-character ids at the end"
)]
pub struct NotifyKeyError;

impl NotifyClient {
    pub fn new(
        base_url: &str,
        api_key: &str,
        email_template: &str,
        sms_template: &str,
    ) -> Result<Self, NotifyKeyError> {
        let (service_id, secret) = split_key(api_key).ok_or(NotifyKeyError)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client with a timeout builds");
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            service_id,
            secret,
            email_template: email_template.to_owned(),
            sms_template: sms_template.to_owned(),
        })
    }

    pub async fn send(&self, message: &OutboxMessage) -> Result<ProviderId, SendError> {
        let (path, body) = match &message.destination {
            Destination::Email { address } => (
                "/v2/notifications/email",
                json!({
                    "email_address": address,
                    "template_id": self.email_template,
                    "personalisation": {"subject": message.subject, "body": message.body},
                    "reference": message.key,
                }),
            ),
            Destination::Sms { number } => (
                "/v2/notifications/sms",
                json!({
                    "phone_number": number,
                    "template_id": self.sms_template,
                    "personalisation": {"body": message.body},
                    "reference": message.key,
                }),
            ),
            Destination::Webhook { .. } => {
                return Err(SendError::Permanent("Notify does not send webhooks".into()));
            }
        };
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(self.token())
            .json(&body)
            .send()
            .await;
        let answer = answer(response).await?;
        Ok(answer["id"].as_str().map(str::to_owned))
    }

    /// Notify's id for a message sent with this reference, if it has one.
    pub async fn find_by_reference(&self, reference: &str) -> Result<ProviderId, SendError> {
        let response = self
            .http
            .get(format!("{}/v2/notifications", self.base_url))
            .query(&[("reference", reference)])
            .bearer_auth(self.token())
            .send()
            .await;
        let answer = answer(response).await?;
        Ok(answer["notifications"]
            .as_array()
            .and_then(|list| list.first())
            .and_then(|n| n["id"].as_str())
            .map(str::to_owned))
    }

    /// A fresh token: Notify refuses tokens more than 30 seconds old.
    fn token(&self) -> String {
        jwt(
            &self.service_id,
            &self.secret,
            jiff::Timestamp::now().as_second(),
        )
    }
}

/// `name-<service id>-<secret>`: the last 73 characters are the two ids and a hyphen.
fn split_key(key: &str) -> Option<(String, String)> {
    let key = key.trim();
    let secret = key.get(key.len().checked_sub(36)?..)?;
    let service = key.get(key.len().checked_sub(73)?..key.len() - 37)?;
    let hyphen = key.get(key.len() - 37..key.len() - 36)?;
    let uuid = |s: &str| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    (hyphen == "-" && uuid(secret) && uuid(service))
        .then(|| (service.to_owned(), secret.to_owned()))
}

/// An HS256 JSON Web Token with the claims Notify reads.
pub(crate) fn jwt(issuer: &str, secret: &str, issued_at: i64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
    let claims = URL_SAFE_NO_PAD.encode(json!({"iss": issuer, "iat": issued_at}).to_string());
    let signing_input = format!("{header}.{claims}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Notify's JSON answer, or the failure with Notify's reason for it.
async fn answer(response: reqwest::Result<reqwest::Response>) -> Result<Value, SendError> {
    let response = response.map_err(|e| SendError::Temporary(e.to_string()))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    classify(status).map_err(|e| with_reason(e, &answer))?;
    Ok(answer)
}

fn with_reason(error: SendError, answer: &Value) -> SendError {
    let reason = answer["errors"][0]["message"].as_str().unwrap_or_default();
    match error {
        SendError::Temporary(e) => SendError::Temporary(format!("{e} {reason}").trim().to_owned()),
        SendError::Permanent(e) => SendError::Permanent(format!("{e} {reason}").trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3c8d7f00-8a0b-4d1e-9d1c-2b4f9f1e6a7b";

    #[test]
    fn api_keys_split_into_service_and_secret() {
        let key = format!("my_test_key-{SERVICE}-{SECRET}");
        assert_eq!(split_key(&key), Some((SERVICE.into(), SECRET.into())));
        assert_eq!(split_key("short"), None);
        assert_eq!(split_key(&format!("k-{SERVICE}{SECRET}x")), None);
    }

    #[test]
    fn tokens_carry_the_service_and_time_and_verify_with_the_secret() {
        let token = jwt(SERVICE, SECRET, 1_700_000_000);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims, json!({"iss": SERVICE, "iat": 1_700_000_000}));
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        assert!(
            mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
                .is_ok()
        );
    }
}
