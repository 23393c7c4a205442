//! The audit trail: who looked at or changed what, and when. Rows are only ever added.

use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One thing a member of staff did, as it is written down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent<'a> {
    pub staff_id: i64,
    pub action: &'a str,
    pub subject: &'a str,
    pub outcome: u16,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: Timestamp,
    pub staff_id: i64,
    pub staff_name: String,
    pub staff_email: String,
    pub staff_role: String,
    pub action: String,
    pub subject: String,
    pub outcome: u16,
    pub reason: Option<String>,
}

/// What the data-protection officer narrows the trail to; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub staff_email: Option<String>,
    /// Exactly as recorded, e.g. "case AB12-CD34" or "resident 12".
    pub subject: Option<String>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl Store {
    pub async fn record_audit(&self, event: NewAuditEvent<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_events (at, staff_id, action, subject, outcome, reason)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(encode_instant(Timestamp::now()))
        .bind(event.staff_id)
        .bind(event.action)
        .bind(event.subject)
        .bind(i64::from(event.outcome))
        .bind(event.reason)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The trail, newest first, narrowed by `filter`, at most `limit` rows.
    pub async fn audit_trail(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT a.id, a.at, a.staff_id, s.name, s.email, s.role, a.action, a.subject,
                    a.outcome, a.reason
             FROM audit_events a JOIN staff s ON s.id = a.staff_id
             WHERE ($1 IS NULL OR s.email = $1)
               AND ($2 IS NULL OR a.subject = $2)
               AND ($3 IS NULL OR a.at >= $3)
               AND ($4 IS NULL OR a.at < $4)
             ORDER BY a.at DESC, a.id DESC
             LIMIT $5",
        )
        .bind(filter.staff_email.as_deref().map(str::to_lowercase))
        .bind(filter.subject.as_deref())
        .bind(filter.from.map(encode_instant))
        .bind(filter.until.map(encode_instant))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    /// The reason this member of staff last gave for `subject` since `since`, if any: a
    /// restricted case asks again once it is older.
    pub async fn last_audit_reason(
        &self,
        staff_id: i64,
        subject: &str,
        since: Timestamp,
    ) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT reason FROM audit_events
             WHERE staff_id = $1 AND subject = $2 AND at >= $3 AND reason IS NOT NULL
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(staff_id)
        .bind(subject)
        .bind(encode_instant(since))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.get(0)))
    }
}

fn audit_from_row(row: &AnyRow) -> StoreResult<AuditRecord> {
    let outcome: i64 = row.get("outcome");
    Ok(AuditRecord {
        id: row.get("id"),
        at: decode_instant(row.get("at"))?,
        staff_id: row.get("staff_id"),
        staff_name: row.get("name"),
        staff_email: row.get("email"),
        staff_role: row.get("role"),
        action: row.get("action"),
        subject: row.get("subject"),
        outcome: u16::try_from(outcome).unwrap_or(0),
        reason: row.get("reason"),
    })
}
