//! What arrives on the channels besides the words: attachments, messages that could not be
//! read (quarantine), replies that thread onto an existing case, and gateway retries.

use crate::cases::{insert_contact, insert_event, insert_resident};
use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use frontdoor_domain::{
    Attachment, CaseEvent, CaseState, Channel, Outgoing, Reference, Status, Submission,
};
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};

/// An attachment as listed on a case (the bytes are fetched one at a time).
#[derive(Debug, Clone)]
pub struct AttachmentInfo {
    pub id: i64,
    pub contact_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// A message kept whole because it could not be read.
#[derive(Debug, Clone)]
pub struct QuarantineRecord {
    pub id: i64,
    pub channel: Channel,
    pub received_at: Timestamp,
    pub reason: String,
    pub size: i64,
    pub released_at: Option<Timestamp>,
}

fn attachment_info(r: &sqlx::any::AnyRow) -> AttachmentInfo {
    AttachmentInfo {
        id: r.get("id"),
        contact_id: r.get("contact_id"),
        filename: r.get("filename"),
        content_type: r.get("content_type"),
        size: r.get("size"),
    }
}

pub(crate) async fn insert_attachments(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    contact_id: i64,
    attachments: &[Attachment],
) -> StoreResult<()> {
    for a in attachments {
        sqlx::query(
            "INSERT INTO attachments (case_id, contact_id, filename, content_type, size, data)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(contact_id)
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.data.len() as i64)
        .bind(&a.data)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    pub async fn attachments_for_case(&self, case_id: i64) -> StoreResult<Vec<AttachmentInfo>> {
        let rows = sqlx::query(
            "SELECT id, contact_id, filename, content_type, size FROM attachments WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(attachment_info).collect())
    }

    /// One attachment's bytes, if it belongs to the case.
    pub async fn attachment(
        &self,
        case_id: i64,
        id: i64,
    ) -> StoreResult<Option<(AttachmentInfo, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT id, contact_id, filename, content_type, size, data FROM attachments WHERE case_id = $1 AND id = $2",
        )
        .bind(case_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (attachment_info(&r), r.get("data"))))
    }

    /// Keeps a message that could not be read; returns its quarantine id.
    pub async fn quarantine(&self, channel: Channel, reason: &str, raw: &[u8]) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO quarantine (channel, received_at, reason, raw) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(channel.as_str())
        .bind(encode_instant(Timestamp::now()))
        .bind(reason)
        .bind(raw)
        .fetch_one(&self.writer)
        .await?;
        Ok(row.get(0))
    }

    /// Quarantined messages, newest first; released ones only when asked.
    pub async fn quarantined(&self, include_released: bool) -> StoreResult<Vec<QuarantineRecord>> {
        let rows = sqlx::query(
            "SELECT id, channel, received_at, reason, length(raw) AS size, released_at FROM quarantine
             WHERE $1 OR released_at IS NULL ORDER BY id DESC LIMIT 500",
        )
        .bind(include_released)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuarantineRecord {
                    id: r.get("id"),
                    channel: Channel::parse(r.get("channel")).map_err(crate::cases::corrupt)?,
                    received_at: decode_instant(r.get("received_at"))?,
                    reason: r.get("reason"),
                    size: r.get("size"),
                    released_at: r
                        .get::<Option<String>, _>("released_at")
                        .map(|t| decode_instant(&t))
                        .transpose()?,
                })
            })
            .collect()
    }

    pub async fn quarantined_raw(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT raw FROM quarantine WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Marks a quarantined message as dealt with by a person (it is kept).
    pub async fn release_quarantined(&self, id: i64, staff: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE quarantine SET released_at = $1, released_by = $2 WHERE id = $3 AND released_at IS NULL",
        )
        .bind(encode_instant(Timestamp::now()))
        .bind(staff)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The case a channel's message id already made, so a gateway's retry is not a new contact.
    pub async fn case_for_external_id(
        &self,
        channel: Channel,
        external_id: &str,
    ) -> StoreResult<Option<Reference>> {
        let row = sqlx::query(
            "SELECT c.reference FROM contacts k JOIN cases c ON c.id = k.case_id
             WHERE k.channel = $1 AND k.external_id = $2",
        )
        .bind(channel.as_str())
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Reference::parse(r.get(0)).map_err(crate::cases::corrupt))
            .transpose()
    }

    /// Adds a resident's further message to an existing case: the contact, its attachments,
    /// a "message-in" event (which brings a case waiting on the resident back to the
    /// council), and any messages it causes — one transaction.
    pub async fn add_message_to_case(
        &self,
        case_id: i64,
        submission: &Submission,
        outgoing: &[Outgoing],
    ) -> StoreResult<CaseState> {
        let at = encode_instant(submission.received_at);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT status, assigned_to, outcome FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_one(&mut *tx)
            .await?;
        let before = CaseState {
            status: Status::parse(row.get("status")).map_err(crate::cases::corrupt)?,
            assigned_to: row.get("assigned_to"),
            outcome: row.get("outcome"),
        };
        let event = CaseEvent::MessageIn {
            channel: submission.channel,
        };
        let after = before.apply(&event);
        let resident_id = insert_resident(&mut tx, submission, &at).await?;
        let contact_id =
            insert_contact(&mut tx, case_id, resident_id, submission, &at, None).await?;
        crate::mi::contact_added(&mut tx, case_id, contact_id).await?;
        sqlx::query("UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(after.status.as_str())
            .bind(&at)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, case_id, &at, None, &event).await?;
        crate::outbox::enqueue(&mut tx, Some(case_id), outgoing, &at).await?;
        tx.commit().await?;
        Ok(after)
    }
}
