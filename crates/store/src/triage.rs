//! Triage's records: the decision made about each free-text contact, the queue of
//! contacts waiting for a person to choose their service, and staff corrections.

use crate::cases::{CaseSummary, SUMMARY_SELECT, corrupt, insert_event, summary_from_row, to_json};
use crate::time::{encode_date, encode_instant};
use crate::{Store, StoreError, StoreResult};
use frontdoor_domain::{CaseEvent, CaseState};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{Any, Row, Transaction};

/// A triage decision as stored: the model that made it and what it said, as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageRecord {
    pub model_id: String,
    pub decision: serde_json::Value,
}

/// A contact waiting in the triage queue.
#[derive(Debug, Clone)]
pub struct AwaitingTriage {
    pub summary: CaseSummary,
    pub text: String,
    pub decision: Option<TriageRecord>,
}

/// Moving a case to another service.
#[derive(Debug, Clone)]
pub struct Reroute<'a> {
    pub case_id: i64,
    pub before: &'a CaseState,
    pub from_service: &'a str,
    pub to_service: &'a str,
    pub to_team: &'a str,
    pub to_team_name: &'a str,
    pub due_by: Date,
    pub actor: i64,
    pub at: Timestamp,
    /// Present when a person overrode the model: kept for the next training run.
    pub correction: Option<NewCorrection<'a>>,
}

#[derive(Debug, Clone)]
pub struct NewCorrection<'a> {
    pub channel: &'a str,
    pub text: &'a str,
    pub model_service: &'a str,
    pub model_id: &'a str,
    /// How urgent the case is as the person leaves it: "no", "check" or "urgent".
    pub urgency: &'a str,
}

/// A staff decision about a triaged contact, kept as a label for the next training run.
#[derive(Debug, Clone)]
pub struct NewLabel<'a> {
    pub case_id: i64,
    pub correction: NewCorrection<'a>,
    /// The service the person left the case at.
    pub service: &'a str,
    /// "confirmed", "rerouted" or "urgency".
    pub decision: &'a str,
    /// The kind of risk the person saw; empty when none or not said.
    pub risk: &'a str,
    pub staff_id: i64,
    pub at: Timestamp,
}

/// A label as training reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRecord {
    pub id: i64,
    pub case_id: i64,
    pub channel: String,
    pub text: String,
    pub service: String,
    pub urgency: String,
    pub decision: String,
    pub risk: String,
}

/// A person's reading of a contact for risk.
#[derive(Debug, Clone)]
pub struct RiskReview<'a> {
    pub case_id: i64,
    pub urgent: bool,
    pub label: NewLabel<'a>,
    /// Messages the decision causes (the duty officer's), queued in the same transaction.
    pub outgoing: Vec<frontdoor_domain::Outgoing>,
}

/// A correction as training reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionRecord {
    pub id: i64,
    pub channel: String,
    pub text: String,
    pub model_service: String,
    pub chosen_service: String,
}

async fn insert_label(tx: &mut Transaction<'_, Any>, label: &NewLabel<'_>) -> StoreResult<()> {
    let correction = &label.correction;
    sqlx::query(
        "INSERT INTO triage_corrections
           (case_id, channel, text, model_service, chosen_service, model_id, staff_id, at, urgency, decision, risk)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(label.case_id)
    .bind(correction.channel)
    .bind(correction.text)
    .bind(correction.model_service)
    .bind(label.service)
    .bind(correction.model_id)
    .bind(label.staff_id)
    .bind(encode_instant(label.at))
    .bind(correction.urgency)
    .bind(label.decision)
    .bind(label.risk)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn insert_decision(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    record: &TriageRecord,
    at: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO triage_decisions (case_id, model_id, decided_at, decision) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(&record.model_id)
    .bind(at)
    .bind(to_json(&record.decision)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn triage_decision(&self, case_id: i64) -> StoreResult<Option<TriageRecord>> {
        let row = sqlx::query("SELECT model_id, decision FROM triage_decisions WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(TriageRecord {
                model_id: r.get("model_id"),
                decision: serde_json::from_str(r.get("decision")).map_err(corrupt)?,
            })
        })
        .transpose()
    }

    /// Contacts waiting for a person to choose their service, urgent first, oldest first.
    pub async fn cases_awaiting_triage(&self, limit: i64) -> StoreResult<Vec<AwaitingTriage>> {
        let sql = format!(
            "{SUMMARY_SELECT} WHERE c.awaiting_triage = 1 ORDER BY c.urgent DESC, c.created_at, c.id LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        let mut waiting = Vec::with_capacity(rows.len());
        for row in &rows {
            let summary = summary_from_row(row)?;
            let text = self.first_contact_text(summary.id).await?;
            let decision = self.triage_decision(summary.id).await?;
            waiting.push(AwaitingTriage {
                summary,
                text,
                decision,
            });
        }
        Ok(waiting)
    }

    pub async fn count_awaiting_triage(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM cases WHERE awaiting_triage = 1")
                .fetch_one(&self.pool)
                .await?
                .get(0),
        )
    }

    /// What the resident wrote in the contact that opened the case.
    pub async fn first_contact_text(&self, case_id: i64) -> StoreResult<String> {
        let row = sqlx::query(
            "SELECT COALESCE(summary, '') FROM contacts WHERE case_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.get(0)).unwrap_or_default())
    }

    /// Sends a case to another service and team, takes it out of the triage queue, and
    /// records the move (and any correction of the model) in one transaction.
    pub async fn reroute_case(&self, reroute: &Reroute<'_>) -> StoreResult<CaseState> {
        let event = CaseEvent::Rerouted {
            from: reroute.from_service.to_owned(),
            to: reroute.to_service.to_owned(),
            team: reroute.to_team_name.to_owned(),
        };
        let before = reroute.before;
        let after = before.apply(&event);
        let at = encode_instant(reroute.at);
        let mut tx = self.begin_write().await?;
        // Read-then-write in one transaction: take the write lock first so no other
        // writer can slip in between (SQLite would refuse the upgrade).
        sqlx::query("UPDATE cases SET updated_at = updated_at WHERE id = $1")
            .bind(reroute.case_id)
            .execute(&mut *tx)
            .await?;
        crate::mi::case_rerouting(&mut tx, reroute.case_id).await?;
        let updated = sqlx::query(
            "UPDATE cases SET service = $1, team = $2, due_by = $3, status = $4, assigned_to = NULL,
                    awaiting_triage = 0, updated_at = $5
             WHERE id = $6 AND service = $7 AND status = $8
               AND (assigned_to = $9 OR (assigned_to IS NULL AND $9 IS NULL))",
        )
        .bind(reroute.to_service)
        .bind(reroute.to_team)
        .bind(encode_date(reroute.due_by))
        .bind(after.status.as_str())
        .bind(&at)
        .bind(reroute.case_id)
        .bind(reroute.from_service)
        .bind(before.status.as_str())
        .bind(before.assigned_to)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        insert_event(&mut tx, reroute.case_id, &at, Some(reroute.actor), &event).await?;
        crate::mi::case_rerouted(&mut tx, reroute.case_id).await?;
        if let Some(correction) = &reroute.correction {
            let label = NewLabel {
                case_id: reroute.case_id,
                correction: correction.clone(),
                service: reroute.to_service,
                decision: "rerouted",
                risk: "",
                staff_id: reroute.actor,
                at: reroute.at,
            };
            insert_label(&mut tx, &label).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Takes a case out of the triage queue where it is, when a person confirms the
    /// model's choice; the confirmation is kept as a label when there is one.
    pub async fn confirm_triage(
        &self,
        case_id: i64,
        label: Option<&NewLabel<'_>>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE cases SET awaiting_triage = 0 WHERE id = $1")
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        if let Some(label) = label {
            insert_label(&mut tx, label).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A person read a contact for risk: it becomes urgent or not, leaves the check
    /// queue, and the decision goes on the timeline and into the labels.
    pub async fn review_risk(&self, review: &RiskReview<'_>) -> StoreResult<()> {
        let at = encode_instant(review.label.at);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE cases SET urgent = $1, risk_check = 0, updated_at = $2 WHERE id = $3",
        )
        .bind(i64::from(review.urgent))
        .bind(&at)
        .bind(review.case_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Invalid("no such case".to_owned()));
        }
        let event = CaseEvent::RiskReviewed {
            urgency: review.label.correction.urgency.to_owned(),
        };
        insert_event(
            &mut tx,
            review.case_id,
            &at,
            Some(review.label.staff_id),
            &event,
        )
        .await?;
        insert_label(&mut tx, &review.label).await?;
        crate::outbox::enqueue(&mut tx, Some(review.case_id), &review.outgoing, &at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Open cases someone may be at risk in: urgent ones, and those waiting for a person
    /// to read them for risk, oldest first within each.
    pub async fn cases_at_risk(&self, limit: i64) -> StoreResult<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_SELECT} WHERE (c.urgent = 1 OR c.risk_check = 1) AND c.status NOT IN ('resolved', 'closed')
             ORDER BY c.urgent DESC, c.created_at, c.id LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// Every staff decision about a triaged contact, oldest first: training data.
    pub async fn triage_labels(&self) -> StoreResult<Vec<LabelRecord>> {
        let rows = sqlx::query(
            "SELECT id, case_id, channel, text, chosen_service, urgency, decision, risk FROM triage_corrections
             WHERE text <> '' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| LabelRecord {
                id: r.get("id"),
                case_id: r.get("case_id"),
                channel: r.get("channel"),
                text: r.get("text"),
                service: r.get("chosen_service"),
                urgency: r.get("urgency"),
                decision: r.get("decision"),
                risk: r.get("risk"),
            })
            .collect())
    }

    /// How many staff decisions were made after `since`: waiting to be learned by a
    /// model trained then.
    pub async fn count_labels_since(&self, since: Timestamp) -> StoreResult<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM triage_corrections WHERE at > $1 AND text <> ''")
                .bind(encode_instant(since))
                .fetch_one(&self.pool)
                .await?
                .get(0),
        )
    }

    /// Every re-route staff made away from the model's choice, oldest first.
    pub async fn triage_corrections(&self) -> StoreResult<Vec<CorrectionRecord>> {
        let rows = sqlx::query(
            "SELECT id, channel, text, model_service, chosen_service FROM triage_corrections
             WHERE decision = 'rerouted' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| CorrectionRecord {
                id: r.get("id"),
                channel: r.get("channel"),
                text: r.get("text"),
                model_service: r.get("model_service"),
                chosen_service: r.get("chosen_service"),
            })
            .collect())
    }
}
