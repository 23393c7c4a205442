//! Anonymising cases whose retention period has ended: one transaction per case, so a case
//! is either wholly as it was or wholly anonymised.

use crate::cases::{corrupt, to_json};
use crate::time::encode_instant;
use crate::{Store, StoreResult};
use frontdoor_domain::CaseEvent;
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};

impl Store {
    /// Closed cases of `service`, not yet anonymised, that closed before `before`.
    pub async fn closed_before(&self, service: &str, before: Timestamp) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM cases
             WHERE service = $1 AND anonymised_at IS NULL AND closed_at IS NOT NULL
               AND closed_at < $2
             ORDER BY id",
        )
        .bind(service)
        .bind(encode_instant(before))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Quarantined messages received before `before`.
    pub async fn quarantined_before(&self, before: Timestamp) -> StoreResult<i64> {
        let count = sqlx::query("SELECT COUNT(*) FROM quarantine WHERE received_at < $1")
            .bind(encode_instant(before))
            .fetch_one(&self.pool)
            .await?
            .get(0);
        Ok(count)
    }

    /// Deletes quarantined messages received before `before`, read or not; returns how many.
    pub async fn delete_quarantined_before(&self, before: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM quarantine WHERE received_at < $1")
            .bind(encode_instant(before))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// Takes everything about the resident out of one case: what they said and answered,
    /// their contact details (where no case still kept uses the same record), attachments,
    /// messages sent, triage's reading of their words, survey comments and the free text
    /// in its history. Service, team, channel, ward, dates and status stay.
    pub async fn anonymise_case(&self, case_id: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        redact_events(&mut tx, case_id).await?;
        let statements = [
            "UPDATE residents SET name = 'Anonymised', email = NULL, phone = NULL, postcode = NULL,
                 date_of_birth = NULL, uprn = NULL, email_verified = 0, phone_verified = 0,
                 match_reason = NULL
             WHERE (id IN (SELECT resident_id FROM contacts WHERE case_id = $1)
                    OR id = (SELECT resident_id FROM cases WHERE id = $1))
               AND NOT EXISTS (SELECT 1 FROM contacts k JOIN cases c ON c.id = k.case_id
                               WHERE k.resident_id = residents.id AND c.id <> $1
                                 AND c.anonymised_at IS NULL)
               AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.resident_id = residents.id
                                 AND c.id <> $1 AND c.anonymised_at IS NULL)",
            "UPDATE contacts SET answers = '{}', summary = NULL, external_id = NULL, hub = NULL
             WHERE case_id = $1",
            "DELETE FROM attachments WHERE case_id = $1",
            "DELETE FROM outbox WHERE case_id = $1",
            "UPDATE triage_decisions SET decision = 'null' WHERE case_id = $1",
            "UPDATE triage_corrections SET text = '' WHERE case_id = $1",
            "UPDATE surveys SET comment = NULL WHERE case_id = $1",
            "UPDATE case_places SET uprn = NULL, address = NULL WHERE case_id = $1",
        ];
        for sql in statements {
            sqlx::query(sql).bind(case_id).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE cases SET outcome = NULL, anonymised_at = $2 WHERE id = $1")
            .bind(case_id)
            .bind(encode_instant(Timestamp::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Replaces each event's text with its anonymised form, once (the trigger allows no more).
async fn redact_events(tx: &mut Transaction<'_, Any>, case_id: i64) -> StoreResult<()> {
    let rows = sqlx::query("SELECT id, data FROM case_events WHERE case_id = $1 AND redacted = 0")
        .bind(case_id)
        .fetch_all(&mut **tx)
        .await?;
    for row in rows {
        let event: CaseEvent = serde_json::from_str(row.get("data")).map_err(corrupt)?;
        sqlx::query("UPDATE case_events SET data = $1, redacted = 1 WHERE id = $2")
            .bind(to_json(&event.anonymised())?)
            .bind(row.get::<i64, _>("id"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
