//! Inbound text messages, social media posts and chat transcripts, as gateways post them,
//! and the signatures that prove a post came from the gateway.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The largest webhook body accepted.
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

/// A text message or social post, whichever gateway sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The sender: a phone number for SMS, a handle for social media.
    pub from: String,
    pub name: Option<String>,
    pub text: String,
    /// The gateway's id for the message, so a retried post is one contact.
    pub external_id: Option<String>,
    /// The social network, for social posts.
    pub platform: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the body is not valid {0}: {1}")]
    Malformed(&'static str, String),
    #[error("the message has no sender: give 'from' (or From / msisdn)")]
    NoSender,
    #[error("the message has no text: give 'text' (or Body)")]
    NoText,
    #[error("the chat transcript has no messages from the resident")]
    EmptyChat,
    #[error("send the body as application/json or application/x-www-form-urlencoded")]
    UnsupportedType,
}

#[derive(Deserialize)]
struct JsonMessage {
    from: Option<String>,
    name: Option<String>,
    text: Option<String>,
    id: Option<String>,
    platform: Option<String>,
}

/// Reads a webhook body by its content type: our generic JSON, or the form fields that SMS
/// gateways post (Twilio's `From`/`Body`/`MessageSid`, Vonage's `msisdn`/`text`/`messageId`).
pub fn parse_message(content_type: &str, body: &[u8]) -> Result<InboundMessage, WebhookError> {
    let kind = content_type.split(';').next().unwrap_or("").trim();
    match kind.to_ascii_lowercase().as_str() {
        "application/json" => parse_json(body),
        "application/x-www-form-urlencoded" => parse_form(body),
        _ => Err(WebhookError::UnsupportedType),
    }
}

fn parse_json(body: &[u8]) -> Result<InboundMessage, WebhookError> {
    let m: JsonMessage =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed("JSON", e.to_string()))?;
    message(m.from, m.name, m.text, m.id, m.platform)
}

fn parse_form(body: &[u8]) -> Result<InboundMessage, WebhookError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| WebhookError::Malformed("form data", e.to_string()))?;
    let get = |names: &[&str]| {
        fields
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    message(
        get(&["From", "from", "msisdn"]),
        get(&["ProfileName", "name"]),
        get(&["Body", "text", "body"]),
        get(&["MessageSid", "SmsSid", "messageId", "message_id", "id"]),
        get(&["platform"]),
    )
}

fn message(
    from: Option<String>,
    name: Option<String>,
    text: Option<String>,
    id: Option<String>,
    platform: Option<String>,
) -> Result<InboundMessage, WebhookError> {
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(InboundMessage {
        from: nonempty(from).ok_or(WebhookError::NoSender)?,
        text: nonempty(text).ok_or(WebhookError::NoText)?,
        name: nonempty(name),
        external_id: nonempty(id),
        platform: nonempty(platform),
    })
}

/// A web chat conversation, posted when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChatTranscript {
    pub id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub messages: Vec<ChatLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChatLine {
    /// `resident`, `agent` or `bot`.
    pub from: String,
    pub text: String,
}

impl ChatTranscript {
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        let chat: Self = serde_json::from_slice(body)
            .map_err(|e| WebhookError::Malformed("JSON", e.to_string()))?;
        if chat.name.trim().is_empty() {
            return Err(WebhookError::NoSender);
        }
        if chat.resident_words().trim().is_empty() {
            return Err(WebhookError::EmptyChat);
        }
        Ok(chat)
    }

    /// What the resident said, for triage.
    pub fn resident_words(&self) -> String {
        self.messages
            .iter()
            .filter(|l| l.from.eq_ignore_ascii_case("resident"))
            .map(|l| l.text.trim())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The whole conversation, speaker by speaker, for the record.
    pub fn transcript(&self) -> String {
        self.messages
            .iter()
            .map(|l| format!("{}: {}", speaker(&l.from), l.text.trim()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn speaker(from: &str) -> &'static str {
    match from.to_ascii_lowercase().as_str() {
        "resident" => "Resident",
        "agent" => "Adviser",
        _ => "Assistant",
    }
}

/// `sha256=` and the hex HMAC-SHA256 of the body: the header Front Door sends and expects.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// Checks an `X-Signature: sha256=<hex>` header in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let expected = sign(secret, body);
    let given = header.trim();
    let given = if given.starts_with("sha256=") {
        given.to_owned()
    } else {
        format!("sha256={}", given.to_ascii_lowercase())
    };
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// Checks Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1 of the full URL followed by every
/// form field name and value, sorted by name.
pub fn verify_twilio(secret: &[u8], url: &str, body: &[u8], header: &str) -> bool {
    let Ok(mut fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return false;
    };
    fields.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (k, v) in &fields {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    expected.as_bytes().ct_eq(header.trim().as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_gateway_forms_read_the_same() {
        let json = br#"{"from":"07700 900123","text":"Bin missed","id":"m1"}"#;
        let a = parse_message("application/json", json).unwrap();
        let twilio = b"From=%2B447700900123&Body=Bin+missed&MessageSid=SM1";
        let b = parse_message("application/x-www-form-urlencoded; charset=utf-8", twilio).unwrap();
        let vonage = b"msisdn=447700900123&text=Bin%20missed&messageId=v1";
        let c = parse_message("application/x-www-form-urlencoded", vonage).unwrap();
        assert_eq!(a.text, "Bin missed");
        assert_eq!(
            (b.from.as_str(), b.text.as_str()),
            ("+447700900123", "Bin missed")
        );
        assert_eq!(c.external_id.as_deref(), Some("v1"));
    }

    #[test]
    fn missing_fields_and_bad_bodies_say_what_is_wrong() {
        let e = parse_message("application/json", br#"{"text":"hi"}"#);
        assert_eq!(e, Err(WebhookError::NoSender));
        let e = parse_message("application/json", br#"{"from":"x","text":"  "}"#);
        assert_eq!(e, Err(WebhookError::NoText));
        assert!(matches!(
            parse_message("application/json", b"{"),
            Err(WebhookError::Malformed(..))
        ));
        assert_eq!(
            parse_message("text/plain", b"hi"),
            Err(WebhookError::UnsupportedType)
        );
    }

    #[test]
    fn signatures_verify_only_the_exact_body_and_secret() {
        let sig = sign(b"s3cret", b"body");
        assert!(verify(b"s3cret", b"body", &sig));
        assert!(verify(
            b"s3cret",
            b"body",
            sig.trim_start_matches("sha256=")
        ));
        assert!(!verify(b"s3cret", b"body!", &sig));
        assert!(!verify(b"other", b"body", &sig));
    }

    #[test]
    fn twilio_signature_matches_their_published_example() {
        // Twilio's documented example (also checked with Python's hmac module).
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let body = b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";
        let token = b"12345";
        assert!(verify_twilio(
            token,
            url,
            body,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify_twilio(
            token,
            url,
            body,
            "1/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
    }

    #[test]
    fn chat_keeps_the_conversation_and_triages_on_the_resident() {
        let body = br#"{"name":"Ann","messages":[{"from":"bot","text":"How can I help?"},{"from":"resident","text":"My bin was missed"}]}"#;
        let chat = ChatTranscript::parse(body).unwrap();
        assert_eq!(chat.resident_words(), "My bin was missed");
        assert_eq!(
            chat.transcript(),
            "Assistant: How can I help?\nResident: My bin was missed"
        );
        let empty = br#"{"name":"Ann","messages":[{"from":"bot","text":"Hi"}]}"#;
        assert_eq!(ChatTranscript::parse(empty), Err(WebhookError::EmptyChat));
    }
}
