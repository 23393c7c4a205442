//! The outbox worker: leases due messages, sends each, and records what happened. A message
//! whose lease ran out (the server stopped mid-send) is checked with the provider before it
//! is sent again, so a restart does not send it twice.

use crate::{SendError, Senders};
use frontdoor_store::{OutboxMessage, Store, StoreResult};
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// How long a leased message is left to its worker before another may take it.
    pub lease: Duration,
    /// The first retry waits this long; each later one twice as long (at most an hour).
    pub retry_base: Duration,
    /// After this many attempts a message is marked failed.
    pub max_attempts: i64,
    /// How often to look for due messages when idle.
    pub poll: Duration,
    pub batch: i64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(30),
            max_attempts: 10,
            poll: Duration::from_secs(1),
            batch: 20,
        }
    }
}

pub struct Worker {
    store: Store,
    senders: Senders,
    settings: WorkerSettings,
}

impl Worker {
    pub fn new(store: Store, senders: Senders, settings: WorkerSettings) -> Self {
        Self {
            store,
            senders,
            settings,
        }
    }

    /// Delivers for ever; errors are logged and the loop goes on.
    pub async fn run(self) {
        loop {
            match self.deliver_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox pass failed"),
            }
            tokio::time::sleep(self.settings.poll).await;
        }
    }

    /// One pass: leases a batch of due messages and deals with each. Returns how many.
    pub async fn deliver_due(&self) -> StoreResult<usize> {
        let lease = SignedDuration::try_from(self.settings.lease).unwrap_or(SignedDuration::MAX);
        let batch = self
            .store
            .claim_outbox(Timestamp::now(), lease, self.settings.batch)
            .await?;
        for message in &batch {
            self.deliver(message).await?;
        }
        Ok(batch.len())
    }

    async fn deliver(&self, message: &OutboxMessage) -> StoreResult<()> {
        if message.in_doubt {
            match self.senders.already_sent(message).await {
                Ok(Some(provider_id)) => {
                    tracing::info!(outbox.key = %message.key, "in-doubt message was already sent");
                    return self.store.outbox_sent(message.id, Some(&provider_id)).await;
                }
                Ok(None) => {}
                Err(e) => return self.failed_attempt(message, e).await,
            }
        }
        match self.senders.send(message).await {
            Ok(provider_id) => {
                tracing::info!(outbox.key = %message.key, outbox.kind = message.destination.kind(), "message sent");
                self.store
                    .outbox_sent(message.id, provider_id.as_deref())
                    .await
            }
            Err(e) => self.failed_attempt(message, e).await,
        }
    }

    async fn failed_attempt(&self, message: &OutboxMessage, error: SendError) -> StoreResult<()> {
        let give_up = matches!(error, SendError::Permanent(_))
            || message.attempts >= self.settings.max_attempts;
        // The error can quote the recipient (an SMTP rejection does): it is kept with the
        // message, where staff see it, and not logged.
        tracing::warn!(outbox.key = %message.key, attempts = message.attempts, give_up, "message not sent");
        if give_up {
            return self
                .store
                .outbox_failed(message.id, &error.to_string())
                .await;
        }
        let next = Timestamp::now() + backoff(self.settings.retry_base, message.attempts);
        self.store
            .outbox_retry(message.id, &error.to_string(), next)
            .await
    }
}

/// `base`, `2 × base`, `4 × base` … for attempts 1, 2, 3 …, never more than an hour.
fn backoff(base: Duration, attempts: i64) -> SignedDuration {
    let factor = 2u32.saturating_pow(attempts.clamp(1, 20) as u32 - 1);
    let wait = base.saturating_mul(factor).min(Duration::from_secs(3600));
    SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), SignedDuration::from_secs(30));
        assert_eq!(backoff(base, 2), SignedDuration::from_secs(60));
        assert_eq!(backoff(base, 4), SignedDuration::from_secs(240));
        assert_eq!(backoff(base, 30), SignedDuration::from_hours(1));
    }
}
