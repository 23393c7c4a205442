//! Loading history in bulk: years of invented cases for a demonstration or a benchmark,
//! written many rows to a statement and many cases to a transaction. Rollups are not
//! kept row by row: a `BulkLoad` counts each case as it goes, with the same function a
//! rebuild uses, and writes them all when it finishes.

use crate::mi::{CaseFacts, ContactFacts, Rollups};
use crate::time::{encode_date, encode_instant};
use crate::{Backend, Store, StoreResult};
use frontdoor_domain::{CaseEvent, Channel, Status};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{Any, Transaction};

/// A resident of the invented council.
#[derive(Debug, Clone)]
pub struct HistoricResident {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: String,
}

#[derive(Debug, Clone)]
pub struct HistoricContact {
    pub channel: Channel,
    pub received_at: Timestamp,
    pub text: String,
    pub duration_minutes: Option<u32>,
}

/// A case as it stands today, with every contact on it.
#[derive(Debug, Clone)]
pub struct HistoricCase {
    pub reference: String,
    pub service: String,
    pub team: String,
    pub resident_id: i64,
    pub due_by: Date,
    /// The first contact opened the case.
    pub contacts: Vec<HistoricContact>,
    pub closed_at: Option<Timestamp>,
    pub outcome: Option<String>,
    pub ward: Option<String>,
    pub survey: Option<(Timestamp, u8)>,
}

/// Rows to a statement: SQLite allows 32,766 bound values, and the widest row binds 13.
const ROWS_PER_STATEMENT: usize = 1000;

/// A load in progress; `finish` writes the rollups for everything loaded.
pub struct BulkLoad {
    rollups: Rollups,
}

impl BulkLoad {
    /// Stores cases with their contacts, history, places and survey answers in one
    /// transaction. References must be new.
    pub async fn cases(&mut self, store: &Store, cases: &[HistoricCase]) -> StoreResult<()> {
        store.bulk_cases(cases).await?;
        for case in cases {
            let (facts, contacts) = facts_of(case);
            self.rollups.add_case(&facts, &contacts);
        }
        Ok(())
    }

    /// Replaces the rollups with the counts of the loaded cases. Meant for a database
    /// that had no cases before the load.
    pub async fn finish(self, store: &Store) -> StoreResult<()> {
        let mut tx = store.begin_write().await?;
        self.rollups.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The case as the rollups see it, exactly as a rebuild would read it back.
fn facts_of(case: &HistoricCase) -> (CaseFacts, Vec<ContactFacts>) {
    let opened = &case.contacts[0];
    let facts = CaseFacts {
        service: case.service.clone(),
        channel: opened.channel.as_str().to_owned(),
        ward: case.ward.clone(),
        created_at: opened.received_at,
        due_by: case.due_by,
        open: case.closed_at.is_none(),
        closed_at: case.closed_at,
        survey: case.survey.filter(|_| case.closed_at.is_some()),
    };
    let contacts = case
        .contacts
        .iter()
        .map(|c| ContactFacts {
            channel: c.channel.as_str().to_owned(),
            received_at: c.received_at,
            minutes: c.duration_minutes,
            text: answers_json(&c.text),
        })
        .collect();
    (facts, contacts)
}

fn answers_json(text: &str) -> String {
    serde_json::json!({ "details": text }).to_string()
}

impl Store {
    pub fn bulk_load(&self) -> BulkLoad {
        BulkLoad {
            rollups: Rollups::default(),
        }
    }

    /// Adds residents, each their own person, and returns the first resident id (the rest
    /// follow in order).
    pub async fn bulk_residents(
        &self,
        residents: &[HistoricResident],
        at: Timestamp,
    ) -> StoreResult<i64> {
        let at = encode_instant(at);
        let mut tx = self.begin_write().await?;
        let first_person: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM people")
            .fetch_one(&mut *tx)
            .await?;
        let first_resident: i64 =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM residents")
                .fetch_one(&mut *tx)
                .await?;
        let ids: Vec<(i64, &HistoricResident)> = (0..).zip(residents).collect();
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut people = crate::sql::Sql::new("INSERT INTO people (id, created_at) ");
            people.push_values(chunk, |mut b, (n, _)| {
                b.push_bind(first_person + n).push_bind(&at);
            });
            people.build().execute(&mut *tx).await?;
            let mut q = crate::sql::Sql::new(
                "INSERT INTO residents (id, name, email, phone, postcode, created_at, person_id) ",
            );
            q.push_values(chunk, |mut b, (n, r)| {
                b.push_bind(first_resident + n)
                    .push_bind(&r.name)
                    .push_bind(&r.email)
                    .push_bind(&r.phone)
                    .push_bind(&r.postcode)
                    .push_bind(&at)
                    .push_bind(first_person + n);
            });
            q.build().execute(&mut *tx).await?;
        }
        self.catch_up_ids(&mut tx, &["people", "residents"]).await?;
        tx.commit().await?;
        Ok(first_resident)
    }

    async fn bulk_cases(&self, cases: &[HistoricCase]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Sqlite {
            // Years of cases do not fit SQLite's small default page cache; a bigger one
            // keeps the indexes' pages in memory while they fill. (This connection only.)
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut *tx)
                .await?;
        }
        let first: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM cases")
            .fetch_one(&mut *tx)
            .await?;
        let cases: Vec<(i64, &HistoricCase)> = (first..).zip(cases).collect();
        for chunk in cases.chunks(ROWS_PER_STATEMENT) {
            insert_cases(&mut tx, chunk).await?;
            insert_contacts(&mut tx, chunk).await?;
            insert_events(&mut tx, chunk).await?;
            insert_places_and_surveys(&mut tx, chunk).await?;
        }
        self.catch_up_ids(&mut tx, &["cases"]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// PostgreSQL hands out ids from a sequence that rows given their own ids do not
    /// move; after a load it must start past them. (SQLite takes the largest id + 1.)
    async fn catch_up_ids(
        &self,
        tx: &mut Transaction<'_, Any>,
        tables: &[&str],
    ) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            for table in tables {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                );
                sqlx::query(&sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }
}

fn status(case: &HistoricCase) -> Status {
    match case.closed_at {
        Some(_) => Status::Closed,
        None if case.contacts.len() > 1 => Status::InProgress,
        None => Status::New,
    }
}

async fn insert_cases(
    tx: &mut Transaction<'_, Any>,
    chunk: &[(i64, &HistoricCase)],
) -> StoreResult<()> {
    let mut q = crate::sql::Sql::new(
        "INSERT INTO cases (id, reference, service, team, channel, resident_id, status, outcome,
                            due_by, created_at, updated_at, closed_at, ward) ",
    );
    q.push_values(chunk, |mut b, (id, c)| {
        let opened = &c.contacts[0];
        let updated = c.closed_at.unwrap_or(
            c.contacts
                .last()
                .map(|x| x.received_at)
                .unwrap_or(opened.received_at),
        );
        b.push_bind(id)
            .push_bind(&c.reference)
            .push_bind(&c.service)
            .push_bind(&c.team)
            .push_bind(opened.channel.as_str())
            .push_bind(c.resident_id)
            .push_bind(status(c).as_str())
            .push_bind(&c.outcome)
            .push_bind(encode_date(c.due_by))
            .push_bind(encode_instant(opened.received_at))
            .push_bind(encode_instant(updated))
            .push_bind(c.closed_at.map(encode_instant))
            .push_bind(&c.ward);
    });
    q.build().execute(&mut **tx).await?;
    Ok(())
}

async fn insert_contacts(
    tx: &mut Transaction<'_, Any>,
    chunk: &[(i64, &HistoricCase)],
) -> StoreResult<()> {
    let rows: Vec<(i64, i64, &HistoricContact)> = chunk
        .iter()
        .flat_map(|(id, c)| c.contacts.iter().map(move |x| (*id, c.resident_id, x)))
        .collect();
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::Sql::new(
            "INSERT INTO contacts (case_id, resident_id, channel, received_at, answers, duration_minutes) ",
        );
        q.push_values(part, |mut b, (case_id, resident_id, x)| {
            b.push_bind(case_id)
                .push_bind(resident_id)
                .push_bind(x.channel.as_str())
                .push_bind(encode_instant(x.received_at))
                .push_bind(answers_json(&x.text))
                .push_bind(x.duration_minutes.map(i64::from));
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_events(
    tx: &mut Transaction<'_, Any>,
    chunk: &[(i64, &HistoricCase)],
) -> StoreResult<()> {
    let mut rows: Vec<(i64, Timestamp, CaseEvent)> = Vec::new();
    for (id, c) in chunk {
        let opened = &c.contacts[0];
        rows.push((
            *id,
            opened.received_at,
            CaseEvent::Created {
                channel: opened.channel,
                service: c.service.clone(),
            },
        ));
        for x in &c.contacts[1..] {
            rows.push((
                *id,
                x.received_at,
                CaseEvent::MessageIn { channel: x.channel },
            ));
        }
        if let Some(at) = c.closed_at {
            let from = if c.contacts.len() > 1 {
                Status::InProgress
            } else {
                Status::New
            };
            rows.push((
                *id,
                at,
                CaseEvent::StatusChanged {
                    from,
                    to: Status::Closed,
                    outcome: c.outcome.clone(),
                },
            ));
        }
    }
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::Sql::new("INSERT INTO case_events (case_id, at, kind, data) ");
        let encoded: Vec<(i64, String, &str, String)> = part
            .iter()
            .map(|(id, at, e)| {
                Ok((
                    *id,
                    encode_instant(*at),
                    e.kind(),
                    crate::cases::to_json(e)?,
                ))
            })
            .collect::<StoreResult<_>>()?;
        q.push_values(&encoded, |mut b, (id, at, kind, data)| {
            b.push_bind(id)
                .push_bind(at)
                .push_bind(*kind)
                .push_bind(data);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_places_and_surveys(
    tx: &mut Transaction<'_, Any>,
    chunk: &[(i64, &HistoricCase)],
) -> StoreResult<()> {
    let placed: Vec<(i64, &str)> = chunk
        .iter()
        .filter_map(|(id, c)| Some((*id, c.ward.as_deref()?)))
        .collect();
    if !placed.is_empty() {
        let mut q = crate::sql::Sql::new("INSERT INTO case_places (case_id, ward) ");
        q.push_values(&placed, |mut b, (id, ward)| {
            b.push_bind(id).push_bind(*ward);
        });
        q.build().execute(&mut **tx).await?;
    }
    let answered: Vec<(i64, Timestamp, u8, Timestamp)> = chunk
        .iter()
        .filter_map(|(id, c)| {
            let (at, score) = c.survey?;
            Some((*id, at, score, c.closed_at?))
        })
        .collect();
    if !answered.is_empty() {
        let mut q = crate::sql::Sql::new(
            "INSERT INTO surveys (case_id, token_hash, offered_at, score, answered_at) ",
        );
        q.push_values(&answered, |mut b, (id, at, score, offered)| {
            // Not the hash of any token: demo surveys cannot be answered again.
            b.push_bind(id)
                .push_bind(format!("demo:{id}"))
                .push_bind(encode_instant(*offered))
                .push_bind(i64::from(*score))
                .push_bind(encode_instant(*at));
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
