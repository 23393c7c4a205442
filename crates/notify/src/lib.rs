//! Delivering the outbox: a worker that leases due messages from the store and hands each
//! to the sender for its kind — email (SMTP, GOV.UK Notify, or the development log), text
//! message (Notify or the log) and back-office webhooks (signed) — with retries, backoff
//! and a check with the provider before resending a message that may already have gone.

#[cfg(feature = "fake-notify")]
pub mod fake;
mod log;
mod notify_api;
mod smtp;
mod webhook;
mod worker;

pub use log::LogSender;
pub use notify_api::{NOTIFY_URL, NotifyClient, NotifyKeyError};
pub use smtp::SmtpSender;
pub use webhook::WebhookSender;
pub use worker::{Worker, WorkerSettings};

use frontdoor_domain::Destination;
use frontdoor_store::OutboxMessage;

/// Why a send did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: the provider is down, slow or busy.
    #[error("{0}")]
    Temporary(String),
    /// Trying again will not help: the provider refused this message.
    #[error("{0}")]
    Permanent(String),
}

/// A provider's id for a message it accepted.
pub type ProviderId = Option<String>;

/// How email goes out.
pub enum EmailSender {
    Log(LogSender),
    Smtp(SmtpSender),
    Notify(NotifyClient),
}

/// How text messages go out.
pub enum SmsSender {
    Log(LogSender),
    Notify(NotifyClient),
}

/// A sender for every kind of destination.
pub struct Senders {
    pub email: EmailSender,
    pub sms: SmsSender,
    pub webhook: WebhookSender,
}

impl Senders {
    /// Sends one message to its destination.
    pub async fn send(&self, message: &OutboxMessage) -> Result<ProviderId, SendError> {
        match (&message.destination, &self.email, &self.sms) {
            (Destination::Email { .. }, EmailSender::Log(log), _) => log.send(message).await,
            (Destination::Email { .. }, EmailSender::Smtp(smtp), _) => smtp.send(message).await,
            (Destination::Email { .. }, EmailSender::Notify(n), _) => n.send(message).await,
            (Destination::Sms { .. }, _, SmsSender::Log(log)) => log.send(message).await,
            (Destination::Sms { .. }, _, SmsSender::Notify(n)) => n.send(message).await,
            (Destination::Webhook { .. }, _, _) => self.webhook.send(message).await,
        }
    }

    /// For a message that may have been sent before the server stopped: the provider's id
    /// for it if the provider has it. Providers that cannot be asked answer `None`.
    pub async fn already_sent(&self, message: &OutboxMessage) -> Result<ProviderId, SendError> {
        match (&message.destination, &self.email, &self.sms) {
            (Destination::Email { .. }, EmailSender::Notify(n), _)
            | (Destination::Sms { .. }, _, SmsSender::Notify(n)) => {
                n.find_by_reference(&message.key).await
            }
            _ => Ok(None),
        }
    }
}
