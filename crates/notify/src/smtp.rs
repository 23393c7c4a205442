//! Email over SMTP with `lettre`. The Message-ID carries the idempotency key, so a message
//! resent after a crash can be recognised by the receiving side.

use crate::{ProviderId, SendError};
use frontdoor_domain::Destination;
use frontdoor_store::OutboxMessage;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// `url` as lettre reads it: `smtp://host:25` (plain), `smtp://host:587?tls=required`,
    /// `smtps://user:pass@host:465`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("smtp_url '{url}' is not usable: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("mail_from '{from}' is not an address: {e}"))?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, message: &OutboxMessage) -> Result<ProviderId, SendError> {
        let Destination::Email { address } = &message.destination else {
            return Err(SendError::Permanent("not an email".into()));
        };
        let to: Mailbox = address
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad address: {e}")))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(format!("<{}@frontdoor.invalid>", message.key)))
            .header(AutoSubmitted)
            .body(message.body.clone())
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send(email).await {
            Ok(response) => Ok(response.message().next().map(str::to_owned)),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Temporary(e.to_string())),
        }
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office responders should not answer.
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}
