//! The single view of a resident: the records each contact left, joined into people by
//! identity matching, with flags, history, every contact and every case.

use crate::cases::{CaseSummary, SUMMARY_SELECT, corrupt, summary_from_row, to_json};
use crate::time::{decode_date, decode_instant, encode_instant};
use crate::{Store, StoreError, StoreResult};
use frontdoor_domain::{
    Channel, Identity, MatchReason, PersonEvent, Vulnerability, match_identity,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// What one contact told us about its sender.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub id: i64,
    pub identity: Identity,
    pub created_at: Timestamp,
    /// Why this record joined the person automatically, if it did.
    pub match_reason: Option<MatchReason>,
    /// The record came from an email, so its address is the sender's, proven or not.
    pub by_email: bool,
}

/// One contact on the person's timeline.
#[derive(Debug, Clone)]
pub struct TimelineContact {
    pub received_at: Timestamp,
    pub channel: Channel,
    pub reference: frontdoor_domain::Reference,
    pub service: String,
    pub summary: Option<String>,
    pub duration_minutes: Option<u32>,
    pub hub: Option<String>,
    pub recorded_by_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PersonEventRecord {
    pub id: i64,
    pub at: Timestamp,
    pub actor_name: Option<String>,
    pub event: PersonEvent,
}

/// Everything the council holds on one person.
#[derive(Debug, Clone)]
pub struct PersonView {
    pub person_id: i64,
    pub records: Vec<PersonRecord>,
    pub flags: Vec<Vulnerability>,
    pub cases: Vec<CaseSummary>,
    pub contacts: Vec<TimelineContact>,
    pub events: Vec<PersonEventRecord>,
    pub life_events: Vec<crate::LifeEventRecord>,
}

impl PersonView {
    /// The most recent details given, for display.
    pub fn latest(&self) -> &Identity {
        &self
            .records
            .last()
            .expect("a person has at least one record")
            .identity
    }
}

/// A person found by a search.
#[derive(Debug, Clone)]
pub struct PersonHit {
    pub person_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    /// Whom the person is known to, for the access policy.
    pub known_through: KnownThrough,
}

/// What a person is known to the council through: their cases' services and teams, and
/// whether they told us of a life event themselves. The access policy hides a person
/// known only through restricted services from staff outside those teams.
#[derive(Debug, Clone, Default)]
pub struct KnownThrough {
    /// (service, team, awaiting triage) of each case.
    pub cases: Vec<(String, String, bool)>,
    pub life_events: bool,
}

impl PersonView {
    pub fn known_through(&self) -> KnownThrough {
        KnownThrough {
            cases: self
                .cases
                .iter()
                .map(|c| (c.service.clone(), c.team.clone(), c.awaiting_triage))
                .collect(),
            life_events: !self.life_events.is_empty(),
        }
    }
}

const RECORD_COLUMNS: &str =
    "id, person_id, name, email, email_verified, phone, phone_verified, postcode,
    date_of_birth, uprn, created_at, match_reason";

/// Gives a new resident row its person: the best automatic match, or a new person.
pub(crate) async fn join_person(
    tx: &mut Transaction<'_, Any>,
    record: i64,
    at: &str,
) -> StoreResult<i64> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM residents WHERE id = $1");
    let row = sqlx::query(&sql).bind(record).fetch_one(&mut **tx).await?;
    let incoming = identity_from_row(&row)?;
    match best_match(tx, record, &incoming).await? {
        Some((person_id, reason)) => {
            sqlx::query("UPDATE residents SET person_id = $1, match_reason = $2 WHERE id = $3")
                .bind(person_id)
                .bind(to_json(&reason)?)
                .bind(record)
                .execute(&mut **tx)
                .await?;
            let event = PersonEvent::Matched { record, reason };
            insert_person_event(tx, person_id, at, None, &event).await?;
            Ok(person_id)
        }
        None => new_person_for(tx, record, at).await,
    }
}

async fn new_person_for(tx: &mut Transaction<'_, Any>, record: i64, at: &str) -> StoreResult<i64> {
    let person_id: i64 = sqlx::query("INSERT INTO people (created_at) VALUES ($1) RETURNING id")
        .bind(at)
        .fetch_one(&mut **tx)
        .await?
        .get(0);
    sqlx::query("UPDATE residents SET person_id = $1, match_reason = NULL WHERE id = $2")
        .bind(person_id)
        .bind(record)
        .execute(&mut **tx)
        .await?;
    Ok(person_id)
}

/// Candidates share an email, phone, postcode or UPRN; the strongest reason wins (exact
/// rules before scores), the most recent record among equals.
async fn best_match(
    tx: &mut Transaction<'_, Any>,
    record: i64,
    incoming: &Identity,
) -> StoreResult<Option<(i64, MatchReason)>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM residents WHERE id <> $1 AND person_id IS NOT NULL AND (
            ($2 IS NOT NULL AND lower(email) = lower($2)) OR ($3 IS NOT NULL AND phone = $3)
            OR ($4 IS NOT NULL AND postcode = $4) OR ($5 IS NOT NULL AND uprn = $5))
         ORDER BY id DESC LIMIT 500"
    );
    let rows = sqlx::query(&sql)
        .bind(record)
        .bind(&incoming.email)
        .bind(&incoming.phone)
        .bind(&incoming.postcode)
        .bind(&incoming.uprn)
        .fetch_all(&mut **tx)
        .await?;
    let mut best: Option<(u32, i64, MatchReason)> = None;
    for row in &rows {
        let known = identity_from_row(row)?;
        if let Some(reason) = match_identity(incoming, &known) {
            let strength = strength(&reason);
            if best.as_ref().is_none_or(|(s, _, _)| strength > *s) {
                best = Some((strength, row.get("person_id"), reason));
            }
        }
    }
    Ok(best.map(|(_, person, reason)| (person, reason)))
}

fn strength(reason: &MatchReason) -> u32 {
    match reason {
        MatchReason::VerifiedEmail | MatchReason::VerifiedMobile => 1000,
        MatchReason::UprnAndName => 900,
        MatchReason::Score { score, .. } => *score,
    }
}

fn identity_from_row(row: &AnyRow) -> StoreResult<Identity> {
    Ok(Identity {
        name: row.get("name"),
        email: row.get("email"),
        email_verified: crate::flag(row, "email_verified"),
        phone: row.get("phone"),
        phone_verified: crate::flag(row, "phone_verified"),
        postcode: row.get("postcode"),
        date_of_birth: row
            .get::<Option<String>, _>("date_of_birth")
            .map(|d| decode_date(&d))
            .transpose()?,
        uprn: row.get("uprn"),
    })
}

pub(crate) async fn insert_person_event(
    tx: &mut Transaction<'_, Any>,
    person_id: i64,
    at: &str,
    actor: Option<i64>,
    event: &PersonEvent,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO person_events (person_id, at, actor_staff_id, kind, data) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(person_id)
    .bind(at)
    .bind(actor)
    .bind(event.kind())
    .bind(to_json(event)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Everything held on one person, or `None` if there is no such person.
    pub async fn person(&self, person_id: i64) -> StoreResult<Option<PersonView>> {
        let records = self.person_records(person_id).await?;
        if records.is_empty() {
            return Ok(None);
        }
        Ok(Some(PersonView {
            person_id,
            records,
            flags: self.person_flags(person_id).await?,
            cases: self.person_cases(person_id).await?,
            contacts: self.person_contacts(person_id).await?,
            events: self.person_events(person_id).await?,
            life_events: self.life_events_for(person_id).await?,
        }))
    }

    async fn person_records(&self, person_id: i64) -> StoreResult<Vec<PersonRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS}, CASE WHEN EXISTS (SELECT 1 FROM contacts k
                 WHERE k.resident_id = residents.id AND k.channel = 'email') THEN 1 ELSE 0 END AS by_email
             FROM residents WHERE person_id = $1 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(person_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let reason: Option<String> = row.get("match_reason");
                Ok(PersonRecord {
                    id: row.get("id"),
                    identity: identity_from_row(row)?,
                    created_at: decode_instant(row.get("created_at"))?,
                    by_email: crate::flag(row, "by_email"),
                    match_reason: reason
                        .map(|r| serde_json::from_str(&r))
                        .transpose()
                        .map_err(corrupt)?,
                })
            })
            .collect()
    }

    pub async fn person_flags(&self, person_id: i64) -> StoreResult<Vec<Vulnerability>> {
        let rows = sqlx::query("SELECT flag FROM person_flags WHERE person_id = $1 ORDER BY flag")
            .bind(person_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let flag: String = r.get(0);
                Vulnerability::parse(&flag).ok_or_else(|| corrupt(format!("flag '{flag}'")))
            })
            .collect()
    }

    /// Every case raised by any of the person's records, newest first.
    pub async fn person_cases(&self, person_id: i64) -> StoreResult<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_SELECT} WHERE c.id IN (SELECT k.case_id FROM contacts k
                JOIN residents x ON x.id = k.resident_id WHERE x.person_id = $1)
             ORDER BY c.created_at DESC, c.id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(person_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn person_contacts(&self, person_id: i64) -> StoreResult<Vec<TimelineContact>> {
        let rows = sqlx::query(
            "SELECT k.received_at, k.channel, k.summary, k.duration_minutes, k.hub,
                    c.reference, c.service, s.name AS recorded_by_name
             FROM contacts k JOIN residents r ON r.id = k.resident_id JOIN cases c ON c.id = k.case_id
             LEFT JOIN staff s ON s.id = k.recorded_by
             WHERE r.person_id = $1 ORDER BY k.received_at DESC, k.id DESC",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(timeline_contact).collect()
    }

    async fn person_events(&self, person_id: i64) -> StoreResult<Vec<PersonEventRecord>> {
        let rows = sqlx::query(
            "SELECT e.id, e.at, e.data, s.name AS actor_name FROM person_events e
             LEFT JOIN staff s ON s.id = e.actor_staff_id WHERE e.person_id = $1 ORDER BY e.id DESC",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PersonEventRecord {
                    id: r.get("id"),
                    at: decode_instant(r.get("at"))?,
                    actor_name: r.get("actor_name"),
                    event: serde_json::from_str(r.get("data")).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// People whose name, email, phone or postcode contains `query` (taken literally: `%`
    /// and `_` are characters, not wildcards), with what each is known through so the
    /// caller can apply the access policy before showing them.
    pub async fn search_people(&self, query: &str, limit: i64) -> StoreResult<Vec<PersonHit>> {
        let like = crate::sql::like_containing(&query.trim().to_lowercase());
        let squeezed = crate::sql::like_containing(&query.replace(' ', "").to_uppercase());
        let rows = sqlx::query(
            "SELECT person_id, name, email, phone, postcode,
                    CASE WHEN EXISTS (SELECT 1 FROM life_events e WHERE e.person_id = residents.person_id)
                    THEN 1 ELSE 0 END AS told
             FROM residents
             WHERE id IN (SELECT MAX(id) FROM residents
                          WHERE lower(name) LIKE $1 ESCAPE '\\' OR lower(email) LIKE $1 ESCAPE '\\'
                          OR replace(phone, ' ', '') LIKE $2 ESCAPE '\\'
                          OR replace(postcode, ' ', '') LIKE $2 ESCAPE '\\'
                          GROUP BY person_id)
             ORDER BY name LIMIT $3",
        )
        .bind(&like)
        .bind(&squeezed)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut hits: Vec<PersonHit> = rows
            .iter()
            .map(|r| PersonHit {
                person_id: r.get("person_id"),
                name: r.get("name"),
                email: r.get("email"),
                phone: r.get("phone"),
                postcode: r.get("postcode"),
                known_through: KnownThrough {
                    cases: Vec::new(),
                    life_events: crate::flag(r, "told"),
                },
            })
            .collect();
        self.add_case_ties(&mut hits).await?;
        Ok(hits)
    }

    async fn add_case_ties(&self, hits: &mut [PersonHit]) -> StoreResult<()> {
        let mut sql = crate::sql::Sql::new(
            "SELECT DISTINCT x.person_id, c.service, c.team, c.awaiting_triage
             FROM cases c JOIN contacts k ON k.case_id = c.id
             JOIN residents x ON x.id = k.resident_id WHERE x.person_id",
        );
        sql.push_in(hits.iter().map(|h| h.person_id));
        for row in sql.build().fetch_all(&self.pool).await? {
            let person: i64 = row.get("person_id");
            let tie = (
                row.get("service"),
                row.get("team"),
                crate::flag(&row, "awaiting_triage"),
            );
            if let Some(hit) = hits.iter_mut().find(|h| h.person_id == person) {
                hit.known_through.cases.push(tie);
            }
        }
        Ok(())
    }

    pub async fn add_flag(
        &self,
        person_id: i64,
        flag: Vulnerability,
        staff: i64,
    ) -> StoreResult<()> {
        self.change_flag(person_id, staff, PersonEvent::FlagAdded { flag })
            .await
    }

    pub async fn remove_flag(
        &self,
        person_id: i64,
        flag: Vulnerability,
        staff: i64,
    ) -> StoreResult<()> {
        self.change_flag(person_id, staff, PersonEvent::FlagRemoved { flag })
            .await
    }

    /// Adds or removes a flag and, if that changed anything, records it on the person.
    async fn change_flag(&self, person_id: i64, staff: i64, event: PersonEvent) -> StoreResult<()> {
        let at = encode_instant(Timestamp::now());
        let mut tx = self.begin_write().await?;
        let changed = match &event {
            PersonEvent::FlagAdded { flag } => sqlx::query(
                "INSERT INTO person_flags (person_id, flag, added_at, added_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (person_id, flag) DO NOTHING",
            )
            .bind(person_id)
            .bind(flag.as_str())
            .bind(&at)
            .bind(staff),
            PersonEvent::FlagRemoved { flag } => {
                sqlx::query("DELETE FROM person_flags WHERE person_id = $1 AND flag = $2")
                    .bind(person_id)
                    .bind(flag.as_str())
            }
            _ => return Err(StoreError::Invalid("not a flag change".into())),
        }
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() > 0 {
            insert_person_event(&mut tx, person_id, &at, Some(staff), &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Joins every record of `from` to `into`, keeping `from`'s flags. Undo with `undo_merge`.
    pub async fn merge_people(&self, into: i64, from: i64, staff: i64) -> StoreResult<()> {
        if into == from {
            return Err(StoreError::Invalid(
                "a person cannot be merged with themselves".into(),
            ));
        }
        let at = encode_instant(Timestamp::now());
        let mut tx = self.begin_write().await?;
        let records = move_records(&mut tx, from, into, None).await?;
        if records.is_empty() {
            return Err(StoreError::Invalid(format!("there is no person {from}")));
        }
        sqlx::query(
            "INSERT INTO person_flags (person_id, flag, added_at, added_by)
             SELECT $1, flag, added_at, added_by FROM person_flags WHERE person_id = $2
             ON CONFLICT (person_id, flag) DO NOTHING",
        )
        .bind(into)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        let merged = PersonEvent::Merged {
            from_person: from,
            records,
        };
        insert_person_event(&mut tx, into, &at, Some(staff), &merged).await?;
        insert_person_event(&mut tx, from, &at, Some(staff), &merged).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends the records a merge moved back to the person they came from.
    pub async fn undo_merge(&self, person_id: i64, event_id: i64, staff: i64) -> StoreResult<()> {
        let row = sqlx::query("SELECT data FROM person_events WHERE id = $1 AND person_id = $2")
            .bind(event_id)
            .bind(person_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::Invalid("no such merge on this person".into()))?;
        let PersonEvent::Merged {
            from_person,
            records,
        } = serde_json::from_str(row.get("data")).map_err(corrupt)?
        else {
            return Err(StoreError::Invalid("that event is not a merge".into()));
        };
        let at = encode_instant(Timestamp::now());
        let mut tx = self.begin_write().await?;
        let moved = move_records(&mut tx, person_id, from_person, Some(&records)).await?;
        let undone = PersonEvent::MergeUndone {
            to_person: from_person,
            records: moved,
        };
        insert_person_event(&mut tx, person_id, &at, Some(staff), &undone).await?;
        insert_person_event(&mut tx, from_person, &at, Some(staff), &undone).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Separates one record (an automatic match that was wrong) into a person of its own.
    pub async fn split_record(&self, person_id: i64, record: i64, staff: i64) -> StoreResult<i64> {
        let at = encode_instant(Timestamp::now());
        let mut tx = self.begin_write().await?;
        let others: i64 =
            sqlx::query("SELECT COUNT(*) FROM residents WHERE person_id = $1 AND id <> $2")
                .bind(person_id)
                .bind(record)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
        let belongs = sqlx::query("SELECT 1 FROM residents WHERE id = $1 AND person_id = $2")
            .bind(record)
            .bind(person_id)
            .fetch_optional(&mut *tx)
            .await?;
        if belongs.is_none() || others == 0 {
            return Err(StoreError::Invalid(
                "only a record that shares its person with others can be separated".into(),
            ));
        }
        let new_person = new_person_for(&mut tx, record, &at).await?;
        let event = PersonEvent::Split {
            record,
            to_person: new_person,
        };
        insert_person_event(&mut tx, person_id, &at, Some(staff), &event).await?;
        insert_person_event(&mut tx, new_person, &at, Some(staff), &event).await?;
        tx.commit().await?;
        Ok(new_person)
    }
}

/// Moves records (all of them, or those listed that are still there) between people.
async fn move_records(
    tx: &mut Transaction<'_, Any>,
    from: i64,
    to: i64,
    only: Option<&[i64]>,
) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM residents WHERE person_id = $1 ORDER BY id")
        .bind(from)
        .fetch_all(&mut **tx)
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .filter(|id| only.is_none_or(|list| list.contains(id)))
        .collect();
    for id in &ids {
        sqlx::query("UPDATE residents SET person_id = $1 WHERE id = $2")
            .bind(to)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(ids)
}

fn timeline_contact(r: &AnyRow) -> StoreResult<TimelineContact> {
    let reference: String = r.get("reference");
    Ok(TimelineContact {
        received_at: decode_instant(r.get("received_at"))?,
        channel: Channel::parse(r.get("channel")).map_err(corrupt)?,
        reference: frontdoor_domain::Reference::parse(&reference).map_err(corrupt)?,
        service: r.get("service"),
        summary: r.get("summary"),
        duration_minutes: r
            .get::<Option<i64>, _>("duration_minutes")
            .map(|m| m as u32),
        hub: r.get("hub"),
        recorded_by_name: r.get("recorded_by_name"),
    })
}

impl Store {
    /// Records who a resident says they are when they tell us something that is not a case
    /// (Tell Us Once), matched to the person they are. Returns the person id.
    pub async fn record_resident(
        &self,
        contact: &frontdoor_domain::ContactDetails,
        meta: &frontdoor_domain::ContactMeta,
        date_of_birth: Option<jiff::civil::Date>,
    ) -> StoreResult<i64> {
        let at = encode_instant(Timestamp::now());
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO residents (name, email, phone, postcode, created_at, email_verified, phone_verified,
                                    reply_by, date_of_birth, language)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&contact.name)
        .bind(contact.email.as_ref().map(|e| e.as_str()))
        .bind(contact.phone.as_ref().map(|p| p.as_str()))
        .bind(contact.postcode.as_ref().map(|p| p.as_str()))
        .bind(&at)
        .bind(i64::from(meta.email_verified))
        .bind(i64::from(meta.phone_verified))
        .bind(meta.reply_by.map(frontdoor_domain::ReplyBy::as_str))
        .bind(date_of_birth.map(crate::time::encode_date))
        .bind(meta.language.code())
        .fetch_one(&mut *tx)
        .await?;
        let person = join_person(&mut tx, row.get(0), &at).await?;
        tx.commit().await?;
        Ok(person)
    }
}
