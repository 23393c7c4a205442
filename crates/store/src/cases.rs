//! Cases, the contacts that raised them, and their append-only history.

use crate::time::{decode_date, decode_instant, encode_date, encode_instant};
use crate::{Store, StoreError, StoreResult};
use frontdoor_domain::form::Answer;
use frontdoor_domain::{
    CaseEvent, CaseState, Channel, ContactDetails, NewCase, Outgoing, Reference, ReplyBy, Status,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

/// A case as it appears in a queue or list.
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: i64,
    pub reference: Reference,
    pub service: String,
    pub team: String,
    pub channel: Channel,
    pub state: CaseState,
    pub assigned_to_name: Option<String>,
    pub resident_name: String,
    pub due_by: Date,
    pub created_at: Timestamp,
    pub urgent: bool,
    /// Someone may be at risk and no person has read it yet: the check-for-risk queue.
    pub risk_check: bool,
    pub awaiting_triage: bool,
    /// The resident has a vulnerability flag: their cases come before others due the same day.
    pub vulnerable: bool,
}

/// Everything about one case: its resident, the contacts that raised it and its timeline.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub resident_id: i64,
    /// The person the resident record belongs to (see `people`).
    pub person_id: i64,
    pub reply_by: Option<ReplyBy>,
    /// The language the resident used: messages to them are written in it.
    pub language: frontdoor_domain::Locale,
    pub contact: ContactDetails,
    pub contacts: Vec<ContactRecord>,
    pub events: Vec<EventRecord>,
}

#[derive(Debug, Clone)]
pub struct ContactRecord {
    pub id: i64,
    pub channel: Channel,
    pub received_at: Timestamp,
    pub answers: BTreeMap<String, Answer>,
    pub summary: Option<String>,
    pub recorded_by_name: Option<String>,
    pub duration_minutes: Option<u32>,
    pub hub: Option<String>,
    /// The email address this contact came from, and whether the message proved it.
    pub sender_email: Option<String>,
    pub sender_verified: bool,
}

/// What a new case carries beyond its submission.
#[derive(Debug, Clone, Default)]
pub struct CaseExtras {
    /// Risk of harm or homelessness tonight: first in every queue.
    pub urgent: bool,
    /// Someone may be at risk: a person must read it within the hour.
    pub risk_check: bool,
    /// Triage was not confident: the case waits in the triage queue for a person.
    pub awaiting_triage: bool,
    pub triage: Option<crate::triage::TriageRecord>,
    /// The case this one was opened from as a referral.
    pub linked_from: Option<LinkedFrom>,
    /// Messages the new case causes (acknowledgements), queued in the same transaction.
    pub outgoing: Vec<Outgoing>,
}

#[derive(Debug, Clone)]
pub struct LinkedFrom {
    pub case_id: i64,
    pub reference: Reference,
    pub service: String,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    pub at: Timestamp,
    pub actor_name: Option<String>,
    pub event: CaseEvent,
}

pub(crate) const SUMMARY_SELECT: &str = "SELECT c.id, c.reference, c.service, c.team, c.channel, c.status, c.assigned_to,
        c.outcome, c.due_by, c.created_at, c.resident_id, c.urgent, c.risk_check, c.awaiting_triage, r.name AS resident_name, s.name AS assigned_to_name,
        r.person_id, r.reply_by, r.language,
        CASE WHEN EXISTS (SELECT 1 FROM person_flags f WHERE f.person_id = r.person_id) THEN 1 ELSE 0 END AS vulnerable
    FROM cases c
    JOIN residents r ON r.id = c.resident_id
    LEFT JOIN staff s ON s.id = c.assigned_to";

impl Store {
    /// Stores a new case with its resident, first contact and "created" event, atomically.
    /// Returns the case id; `DuplicateReference` means the caller should draw another reference.
    pub async fn create_case(&self, case: &NewCase, recorded_by: Option<i64>) -> StoreResult<i64> {
        self.create_case_with(case, recorded_by, &CaseExtras::default())
            .await
    }

    /// As `create_case`, with what triage decided and the case it is a referral from,
    /// all in the same transaction.
    pub async fn create_case_with(
        &self,
        case: &NewCase,
        recorded_by: Option<i64>,
        extras: &CaseExtras,
    ) -> StoreResult<i64> {
        let submission = &case.submission;
        let at = encode_instant(submission.received_at);
        let mut tx = self.begin_write().await?;
        let resident_id = insert_resident(&mut tx, submission, &at).await?;
        let inserted = sqlx::query(
            "INSERT INTO cases (reference, service, team, channel, resident_id, status, due_by, created_at, updated_at,
                                urgent, awaiting_triage, linked_from, risk_check)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(case.reference.as_compact())
        .bind(&submission.service)
        .bind(&case.team)
        .bind(submission.channel.as_str())
        .bind(resident_id)
        .bind(Status::New.as_str())
        .bind(encode_date(case.due_by))
        .bind(&at)
        .bind(i64::from(extras.urgent))
        .bind(i64::from(extras.awaiting_triage))
        .bind(extras.linked_from.as_ref().map(|l| l.case_id))
        .bind(i64::from(extras.risk_check))
        .fetch_one(&mut *tx)
        .await;
        let case_id: i64 = match inserted {
            Ok(row) => row.get(0),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::DuplicateReference);
            }
            Err(e) => return Err(e.into()),
        };
        insert_contact(&mut tx, case_id, resident_id, submission, &at, recorded_by).await?;
        crate::outbox::enqueue(&mut tx, Some(case_id), &extras.outgoing, &at).await?;
        let created = CaseEvent::Created {
            channel: submission.channel,
            service: submission.service.clone(),
        };
        insert_event(&mut tx, case_id, &at, recorded_by, &created).await?;
        if let Some(place) = submission.place() {
            crate::places::insert_place(&mut tx, case_id, place).await?;
        }
        if let Some(decision) = &extras.triage {
            crate::triage::insert_decision(&mut tx, case_id, decision, &at).await?;
        }
        crate::mi::case_opened(&mut tx, case_id).await?;
        if let Some(from) = &extras.linked_from {
            let back = CaseEvent::Linked {
                reference: from.reference.to_string(),
                service: from.service.clone(),
            };
            insert_event(&mut tx, case_id, &at, recorded_by, &back).await?;
            let forward = CaseEvent::Linked {
                reference: case.reference.to_string(),
                service: submission.service.clone(),
            };
            insert_event(&mut tx, from.case_id, &at, recorded_by, &forward).await?;
        }
        tx.commit().await?;
        Ok(case_id)
    }

    /// Appends an event and moves the case's projection from `before` to the state it implies.
    /// Fails with `Conflict` if someone else changed the case since `before` was read.
    pub async fn append_event(
        &self,
        case_id: i64,
        before: &CaseState,
        event: &CaseEvent,
        actor: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<CaseState> {
        self.append_event_with(case_id, before, event, actor, at, &[])
            .await
    }

    /// As `append_event`, queueing the messages the change causes in the same transaction.
    pub async fn append_event_with(
        &self,
        case_id: i64,
        before: &CaseState,
        event: &CaseEvent,
        actor: Option<i64>,
        at: Timestamp,
        outgoing: &[Outgoing],
    ) -> StoreResult<CaseState> {
        let after = before.apply(event);
        let at = encode_instant(at);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE cases SET status = $1, assigned_to = $2, outcome = $3, updated_at = $4
             WHERE id = $5 AND status = $6 AND (assigned_to = $7 OR (assigned_to IS NULL AND $7 IS NULL))",
        )
        .bind(after.status.as_str())
        .bind(after.assigned_to)
        .bind(&after.outcome)
        .bind(&at)
        .bind(case_id)
        .bind(before.status.as_str())
        .bind(before.assigned_to)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        insert_event(&mut tx, case_id, &at, actor, event).await?;
        crate::mi::status_changed(
            &mut tx,
            case_id,
            before.status.is_open(),
            after.status.is_open(),
            &at,
        )
        .await?;
        crate::outbox::enqueue(&mut tx, Some(case_id), outgoing, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn case_by_reference(
        &self,
        reference: &Reference,
    ) -> StoreResult<Option<CaseDetail>> {
        let sql = format!("{SUMMARY_SELECT} WHERE c.reference = $1");
        let Some(row) = sqlx::query(&sql)
            .bind(reference.as_compact())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let summary = summary_from_row(&row)?;
        let resident_id: i64 = row.get("resident_id");
        let contact = self.contact_details(resident_id).await?;
        let reply_by: Option<String> = row.get("reply_by");
        let contacts = self.contacts_for_case(summary.id).await?;
        let events = self.events_for_case(summary.id).await?;
        Ok(Some(CaseDetail {
            summary,
            resident_id,
            person_id: row.get("person_id"),
            reply_by: reply_by.as_deref().and_then(ReplyBy::parse),
            language: frontdoor_domain::Locale::from_code(row.get("language")).unwrap_or_default(),
            contact,
            contacts,
            events,
        }))
    }

    /// A team's open cases, soonest due first (then oldest first).
    pub async fn open_cases_for_team(
        &self,
        team: &str,
        assigned_to: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_SELECT} WHERE c.team = $1 AND c.status NOT IN ('resolved', 'closed')
               AND c.awaiting_triage = 0 AND ($2 IS NULL OR c.assigned_to = $2)
             ORDER BY c.urgent DESC, c.risk_check DESC, c.due_by, vulnerable DESC, c.created_at LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(team)
            .bind(assigned_to)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// A service's cases, newest first.
    pub async fn cases_for_service(
        &self,
        service: &str,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_SELECT} WHERE c.service = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(&sql)
            .bind(service)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// Open cases per team, for the console's list of queues.
    pub async fn open_case_counts_by_team(&self) -> StoreResult<BTreeMap<String, i64>> {
        let rows = sqlx::query(
            // Read open cases through their partial index, not every case ever made.
            "WITH open AS MATERIALIZED (
                 SELECT team, awaiting_triage FROM cases
                 WHERE status NOT IN ('resolved', 'closed') AND due_by > ''
             )
             SELECT team, COUNT(*) FROM open WHERE awaiting_triage = 0 GROUP BY team",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub async fn count_cases(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM cases")
            .fetch_one(&self.pool)
            .await?
            .get(0))
    }

    pub(crate) async fn contact_details(&self, resident_id: i64) -> StoreResult<ContactDetails> {
        let row = sqlx::query("SELECT name, email, phone, postcode FROM residents WHERE id = $1")
            .bind(resident_id)
            .fetch_one(&self.pool)
            .await?;
        let parse = |column: &str| -> Option<String> { row.get(column) };
        Ok(ContactDetails {
            name: row.get("name"),
            email: parse("email")
                .map(|e| frontdoor_domain::Email::parse(&e))
                .transpose()
                .map_err(corrupt)?,
            phone: parse("phone")
                .map(|p| frontdoor_domain::UkPhone::parse(&p))
                .transpose()
                .map_err(corrupt)?,
            postcode: parse("postcode")
                .map(|p| frontdoor_domain::Postcode::parse(&p))
                .transpose()
                .map_err(corrupt)?,
        })
    }

    async fn contacts_for_case(&self, case_id: i64) -> StoreResult<Vec<ContactRecord>> {
        let rows = sqlx::query(
            "SELECT k.id, k.channel, k.received_at, k.answers, k.summary, s.name AS recorded_by_name,
                    k.duration_minutes, k.hub, r.email AS sender_email, r.email_verified
             FROM contacts k LEFT JOIN staff s ON s.id = k.recorded_by
             JOIN residents r ON r.id = k.resident_id
             WHERE k.case_id = $1 ORDER BY k.id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContactRecord {
                    id: r.get("id"),
                    channel: parse_channel(r.get("channel"))?,
                    received_at: decode_instant(r.get("received_at"))?,
                    answers: serde_json::from_str(r.get("answers")).map_err(corrupt)?,
                    summary: r.get("summary"),
                    recorded_by_name: r.get("recorded_by_name"),
                    duration_minutes: r
                        .get::<Option<i64>, _>("duration_minutes")
                        .map(|m| m as u32),
                    hub: r.get("hub"),
                    sender_email: r.get("sender_email"),
                    sender_verified: crate::flag(r, "email_verified"),
                })
            })
            .collect()
    }

    async fn events_for_case(&self, case_id: i64) -> StoreResult<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT e.at, e.data, s.name AS actor_name FROM case_events e
             LEFT JOIN staff s ON s.id = e.actor_staff_id WHERE e.case_id = $1 ORDER BY e.id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EventRecord {
                    at: decode_instant(r.get("at"))?,
                    actor_name: r.get("actor_name"),
                    event: serde_json::from_str(r.get("data")).map_err(corrupt)?,
                })
            })
            .collect()
    }
}

/// Stores what a contact told us about its sender, joined to the person it matches.
pub(crate) async fn insert_resident(
    tx: &mut Transaction<'_, Any>,
    submission: &frontdoor_domain::Submission,
    at: &str,
) -> StoreResult<i64> {
    let contact = &submission.contact;
    let meta = &submission.meta;
    let row = sqlx::query(
        "INSERT INTO residents (name, email, phone, postcode, created_at, email_verified, phone_verified, reply_by, uprn, language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&contact.name)
    .bind(contact.email.as_ref().map(|e| e.as_str()))
    .bind(contact.phone.as_ref().map(|p| p.as_str()))
    .bind(contact.postcode.as_ref().map(|p| p.as_str()))
    .bind(at)
    .bind(i64::from(meta.email_verified))
    .bind(i64::from(meta.phone_verified))
    .bind(meta.reply_by.map(ReplyBy::as_str))
    .bind(&meta.uprn)
    .bind(meta.language.code())
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.get(0);
    crate::people::join_person(tx, id, at).await?;
    Ok(id)
}

/// Stores one inbound contact on a case, with its attachments. Returns the contact id.
pub(crate) async fn insert_contact(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    resident_id: i64,
    submission: &frontdoor_domain::Submission,
    at: &str,
    recorded_by: Option<i64>,
) -> StoreResult<i64> {
    let meta = &submission.meta;
    let inserted = sqlx::query(
        "INSERT INTO contacts (case_id, resident_id, channel, received_at, answers, summary, recorded_by,
                               external_id, duration_minutes, hub)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case_id)
    .bind(resident_id)
    .bind(submission.channel.as_str())
    .bind(at)
    .bind(to_json(&submission.answers)?)
    .bind(&submission.summary)
    .bind(recorded_by)
    .bind(&meta.external_id)
    .bind(meta.duration_minutes.map(i64::from))
    .bind(&meta.hub)
    .fetch_one(&mut **tx)
    .await;
    let contact_id: i64 = match inserted {
        Ok(row) => row.get(0),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(StoreError::DuplicateContact);
        }
        Err(e) => return Err(e.into()),
    };
    crate::intake::insert_attachments(tx, case_id, contact_id, &meta.attachments).await?;
    Ok(contact_id)
}

pub(crate) async fn insert_event(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    at: &str,
    actor: Option<i64>,
    event: &CaseEvent,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO case_events (case_id, at, actor_staff_id, kind, data) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(at)
        .bind(actor)
        .bind(event.kind())
        .bind(to_json(event)?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn summary_from_row(row: &AnyRow) -> StoreResult<CaseSummary> {
    let reference: String = row.get("reference");
    Ok(CaseSummary {
        id: row.get("id"),
        reference: Reference::parse(&reference).map_err(corrupt)?,
        service: row.get("service"),
        team: row.get("team"),
        channel: parse_channel(row.get("channel"))?,
        state: CaseState {
            status: Status::parse(row.get("status")).map_err(corrupt)?,
            assigned_to: row.get("assigned_to"),
            outcome: row.get("outcome"),
        },
        assigned_to_name: row.get("assigned_to_name"),
        resident_name: row.get("resident_name"),
        due_by: decode_date(row.get("due_by"))?,
        created_at: decode_instant(row.get("created_at"))?,
        urgent: crate::flag(row, "urgent"),
        risk_check: crate::flag(row, "risk_check"),
        awaiting_triage: crate::flag(row, "awaiting_triage"),
        vulnerable: crate::flag(row, "vulnerable"),
    })
}

pub(crate) fn parse_channel(text: &str) -> StoreResult<Channel> {
    Channel::parse(text).map_err(corrupt)
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(corrupt)
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}
