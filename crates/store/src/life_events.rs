//! Tell Us Once: a change of address, a change of name or a death, recorded once against a
//! person and passed to every open case, subscribed team and back-office system in one
//! transaction.

use crate::cases::{corrupt, insert_event, to_json};
use crate::people::insert_person_event;
use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use frontdoor_domain::{CaseEvent, Channel, LifeEvent, Outgoing, PersonEvent};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Who was told, and how, as the resident is shown it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    pub who: String,
    pub how: String,
}

/// Everything one life event causes, decided by the caller from the catalogue and settings.
#[derive(Debug, Clone)]
pub struct TellUsOnce {
    pub person_id: i64,
    pub event: LifeEvent,
    pub channel: Channel,
    pub recorded_by: Option<i64>,
    /// Open cases that get a life-event entry on their timeline.
    pub case_ids: Vec<i64>,
    /// (team, task text) for each subscribed team.
    pub tasks: Vec<(String, String)>,
    pub told: Vec<Told>,
    pub outgoing: Vec<Outgoing>,
}

#[derive(Debug, Clone)]
pub struct LifeEventRecord {
    pub id: i64,
    pub event: LifeEvent,
    pub channel: Channel,
    pub told_at: Timestamp,
    pub told: Vec<Told>,
}

/// A team's piece of work that is not a case.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    pub id: i64,
    pub team: String,
    pub person_id: i64,
    pub text: String,
    pub created_at: Timestamp,
}

impl Store {
    /// Records the life event and everything it causes, atomically. Returns its id.
    pub async fn record_life_event(&self, plan: &TellUsOnce) -> StoreResult<i64> {
        let at = encode_instant(Timestamp::now());
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO life_events (person_id, kind, data, channel, told_at, recorded_by, told)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(plan.person_id)
        .bind(plan.event.kind().as_str())
        .bind(to_json(&plan.event)?)
        .bind(plan.channel.as_str())
        .bind(&at)
        .bind(plan.recorded_by)
        .bind(to_json(&plan.told)?)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let case_event = CaseEvent::LifeEvent {
            event: plan.event.clone(),
        };
        for case_id in &plan.case_ids {
            insert_event(&mut tx, *case_id, &at, plan.recorded_by, &case_event).await?;
        }
        for (team, text) in &plan.tasks {
            sqlx::query(
                "INSERT INTO team_tasks (team, person_id, life_event_id, text, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(team)
            .bind(plan.person_id)
            .bind(id)
            .bind(text)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        crate::outbox::enqueue(&mut tx, None, &plan.outgoing, &at).await?;
        apply_to_records(&mut tx, plan.person_id, &plan.event, &at).await?;
        let told = PersonEvent::Told {
            event: plan.event.clone(),
        };
        insert_person_event(&mut tx, plan.person_id, &at, plan.recorded_by, &told).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn life_events_for(
        &self,
        person_id: i64,
    ) -> StoreResult<Vec<LifeEventRecord>> {
        let rows = sqlx::query(
            "SELECT id, data, channel, told_at, told FROM life_events WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(life_event_from_row).collect()
    }

    /// One life event, for the page that confirms it to the resident.
    pub async fn life_event(&self, id: i64) -> StoreResult<Option<LifeEventRecord>> {
        let row =
            sqlx::query("SELECT id, data, channel, told_at, told FROM life_events WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(life_event_from_row).transpose()
    }

    /// Whether the council has been told this person has died: nothing more is sent to them.
    pub async fn person_deceased(&self, person_id: i64) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM life_events WHERE person_id = $1 AND kind = 'death' LIMIT 1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    pub async fn open_tasks(&self, team: &str) -> StoreResult<Vec<TaskRecord>> {
        let rows = sqlx::query(
            "SELECT id, team, person_id, text, created_at FROM team_tasks
             WHERE team = $1 AND done_at IS NULL ORDER BY id",
        )
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskRecord {
                    id: r.get("id"),
                    team: r.get("team"),
                    person_id: r.get("person_id"),
                    text: r.get("text"),
                    created_at: decode_instant(r.get("created_at"))?,
                })
            })
            .collect()
    }

    /// Marks a team's task done; false if it was not open or not the team's.
    pub async fn complete_task(&self, id: i64, team: &str, staff: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE team_tasks SET done_at = $1, done_by = $2 WHERE id = $3 AND team = $4 AND done_at IS NULL",
        )
        .bind(encode_instant(Timestamp::now()))
        .bind(staff)
        .bind(id)
        .bind(team)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn life_event_from_row(r: &AnyRow) -> StoreResult<LifeEventRecord> {
    Ok(LifeEventRecord {
        id: r.get("id"),
        event: serde_json::from_str(r.get("data")).map_err(corrupt)?,
        channel: Channel::parse(r.get("channel")).map_err(corrupt)?,
        told_at: decode_instant(r.get("told_at"))?,
        told: serde_json::from_str(r.get("told")).map_err(corrupt)?,
    })
}

/// A new address or name becomes the person's latest record, so every view shows it; the
/// old records stay as history.
async fn apply_to_records(
    tx: &mut Transaction<'_, Any>,
    person_id: i64,
    event: &LifeEvent,
    at: &str,
) -> StoreResult<()> {
    let (name, postcode) = match event {
        LifeEvent::ChangeOfAddress { postcode, .. } => (None, Some(postcode.as_str().to_owned())),
        LifeEvent::ChangeOfName { name, .. } => (Some(name.clone()), None),
        LifeEvent::Death { .. } => return Ok(()),
    };
    sqlx::query(
        "INSERT INTO residents (name, email, phone, postcode, created_at, email_verified, phone_verified,
                                reply_by, date_of_birth, uprn, person_id, language)
         SELECT COALESCE($1, name), email, phone, COALESCE($2, postcode), $3, email_verified, phone_verified,
                reply_by, date_of_birth, CASE WHEN $2 IS NULL THEN uprn END, person_id, language
         FROM residents WHERE person_id = $4 ORDER BY id DESC LIMIT 1",
    )
    .bind(name)
    .bind(postcode)
    .bind(at)
    .bind(person_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
