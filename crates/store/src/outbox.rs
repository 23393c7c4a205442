//! The outbox: messages to send, written in the same transaction as the change that causes
//! them, leased by a worker, and marked sent, retried or failed. Each has an idempotency key
//! (unique here, and given to the provider) so no message is ever queued or sent twice.

use crate::cases::{corrupt, to_json};
use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use frontdoor_domain::{Destination, Outgoing};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Sending,
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        match text {
            "pending" => Ok(DeliveryStatus::Pending),
            "sending" => Ok(DeliveryStatus::Sending),
            "sent" => Ok(DeliveryStatus::Sent),
            "failed" => Ok(DeliveryStatus::Failed),
            other => Err(corrupt(format!("delivery status '{other}'"))),
        }
    }
}

/// One message in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: i64,
    pub key: String,
    pub case_id: Option<i64>,
    pub destination: Destination,
    pub subject: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// A previous attempt may have reached the provider before the server stopped: ask the
    /// provider about the key before sending again.
    pub in_doubt: bool,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, idempotency_key, case_id, destination, subject, body, status, attempts,
    in_doubt, last_error, provider_id, created_at, sent_at";

/// Queues messages inside the caller's transaction; a key already queued is left alone.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    case_id: Option<i64>,
    outgoing: &[Outgoing],
    at: &str,
) -> StoreResult<()> {
    for message in outgoing {
        sqlx::query(
            "INSERT INTO outbox (idempotency_key, case_id, kind, destination, subject, body, status,
                                 next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&message.key)
        .bind(case_id)
        .bind(message.destination.kind())
        .bind(to_json(&message.destination)?)
        .bind(&message.subject)
        .bind(&message.body)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Queues messages not caused by a case change (e.g. Tell Us Once notices).
    pub async fn enqueue_messages(
        &self,
        case_id: Option<i64>,
        outgoing: &[Outgoing],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        enqueue(
            &mut tx,
            case_id,
            outgoing,
            &encode_instant(Timestamp::now()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Leases up to `limit` messages that are due, or whose last lease ran out (those are
    /// marked in doubt). A leased message is not offered again until `lease` has passed.
    pub async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let now_text = encode_instant(now);
        let until = encode_instant(now + lease);
        // On PostgreSQL two servers' workers claim at once: each skips the rows the other
        // has locked instead of waiting and then taking them too.
        let skip_locked = match self.backend {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE outbox SET in_doubt = CASE WHEN status = 'sending' THEN 1 ELSE 0 END,
                    status = 'sending', lease_until = $1, attempts = attempts + 1
             WHERE id IN (SELECT id FROM outbox
                          WHERE (status = 'pending' AND next_attempt_at <= $2)
                             OR (status = 'sending' AND lease_until <= $2)
                          ORDER BY next_attempt_at, id LIMIT $3 {skip_locked})
             RETURNING {COLUMNS}"
        );
        let rows = sqlx::query(&sql)
            .bind(&until)
            .bind(&now_text)
            .bind(limit)
            .fetch_all(&self.writer)
            .await?;
        let mut messages = rows
            .iter()
            .map(message_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        messages.sort_by_key(|m| m.id);
        Ok(messages)
    }

    /// The provider has the message.
    pub async fn outbox_sent(&self, id: i64, provider_id: Option<&str>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, provider_id = $2, lease_until = NULL,
                    in_doubt = 0, last_error = NULL
             WHERE id = $3 AND status = 'sending'",
        )
        .bind(encode_instant(Timestamp::now()))
        .bind(provider_id)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// This attempt failed; try again at `next_at`.
    pub async fn outbox_retry(&self, id: i64, error: &str, next_at: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1, last_error = $2, lease_until = NULL
             WHERE id = $3 AND status = 'sending'",
        )
        .bind(encode_instant(next_at))
        .bind(error)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Give up: the provider refused the message, or every attempt failed.
    pub async fn outbox_failed(&self, id: i64, error: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = $1, lease_until = NULL
             WHERE id = $2 AND status = 'sending'",
        )
        .bind(error)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A case's messages, oldest first, with how each one went.
    pub async fn outbox_for_case(&self, case_id: i64) -> StoreResult<Vec<OutboxMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE case_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(case_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// Open cases this number was sent a text about since `since`, newest first: a text
    /// message reply carries no thread, so this is how a reply finds its case.
    pub async fn open_cases_texted(
        &self,
        number: &str,
        since: Timestamp,
    ) -> StoreResult<Vec<frontdoor_domain::Reference>> {
        let sql = format!(
            "SELECT c.reference FROM outbox o JOIN cases c ON c.id = o.case_id
             WHERE o.kind = 'sms' AND {} = $1
               AND o.created_at >= $2 AND c.status NOT IN ('resolved', 'closed')
             GROUP BY c.id, c.reference ORDER BY MAX(o.id) DESC",
            self.backend.json_text("o.destination", "number")
        );
        let rows = sqlx::query(&sql)
            .bind(number)
            .bind(encode_instant(since))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| frontdoor_domain::Reference::parse(r.get(0)).map_err(corrupt))
            .collect()
    }

    /// Every message, newest first (for operators and tests).
    pub async fn outbox_recent(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(message_from_row).collect()
    }
}

fn message_from_row(r: &AnyRow) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.get("id"),
        key: r.get("idempotency_key"),
        case_id: r.get("case_id"),
        destination: serde_json::from_str(r.get("destination")).map_err(corrupt)?,
        subject: r.get("subject"),
        body: r.get("body"),
        status: DeliveryStatus::parse(r.get("status"))?,
        attempts: r.get("attempts"),
        in_doubt: crate::flag(r, "in_doubt"),
        last_error: r.get("last_error"),
        provider_id: r.get("provider_id"),
        created_at: decode_instant(r.get("created_at"))?,
        sent_at: r
            .get::<Option<String>, _>("sent_at")
            .map(|t| decode_instant(&t))
            .transpose()?,
    })
}
