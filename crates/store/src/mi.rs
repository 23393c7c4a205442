//! Management-information rollups. Every write that changes a figure changes its rollup
//! rows in the writer's own transaction; `rebuild_rollups` recomputes them all from the
//! base tables (after a bulk load, or to check the incremental path agrees).
//!
//! A case's whole contribution (its contacts, closure, survey answer and whether it is
//! open) is one pure function of its rows, `contributions`, shared by both paths.

use crate::cases::corrupt;
use crate::time::{decode_date, decode_instant, encode_date};
use crate::{Store, StoreResult};
use frontdoor_domain::calendar::london_date;
use frontdoor_domain::mi::{
    Bucket, HOURS, Heat, Measures, OpenCount, Slot, WEEKDAYS, age_band_starts, is_chaser,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::HashMap;

/// The ward key of rollup rows that count every contact, whatever its ward.
pub const ALL_WARDS: &str = "*";

const MEASURES: &str =
    "contacts, opened, repeats, chasers, timed, minutes, closed, on_time, surveys, score";

/// One change to the rollups: counts added at a moment, for a service, channel and ward.
#[derive(Debug, Clone)]
struct Change {
    slot: Slot,
    ward: Option<String>,
    service: String,
    channel: String,
    measures: Measures,
    /// Contacts added to (or taken from) the moment's hour of the week.
    in_hour: i64,
}

impl Change {
    fn negated(&self) -> Change {
        Change {
            measures: self.measures.negated(),
            in_hour: -self.in_hour,
            ..self.clone()
        }
    }
}

/// What the rollups need to know about a case.
#[derive(Debug, Clone)]
pub(crate) struct CaseFacts {
    pub(crate) service: String,
    pub(crate) channel: String,
    pub(crate) ward: Option<String>,
    pub(crate) created_at: Timestamp,
    pub(crate) due_by: Date,
    pub(crate) open: bool,
    pub(crate) closed_at: Option<Timestamp>,
    pub(crate) survey: Option<(Timestamp, u8)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ContactFacts {
    pub(crate) channel: String,
    pub(crate) received_at: Timestamp,
    pub(crate) minutes: Option<u32>,
    /// The words of the contact, read only to tell a chaser from other repeats.
    pub(crate) text: String,
}

/// Everything one case adds to the rollups; `contacts` in the order they arrived.
fn contributions(case: &CaseFacts, contacts: &[ContactFacts]) -> (Vec<Change>, Option<Date>) {
    let change = |at: Timestamp, channel: &str, measures: Measures, in_hour: i64| Change {
        slot: Slot::of(at),
        ward: case.ward.clone(),
        service: case.service.clone(),
        channel: channel.to_owned(),
        measures,
        in_hour,
    };
    let mut changes: Vec<Change> = contacts
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let opened = n == 0;
            let chaser = !opened && case.open_at(c.received_at) && is_chaser(&c.text);
            let measures = Measures::contact(opened, chaser, c.minutes);
            change(c.received_at, &c.channel, measures, 1)
        })
        .collect();
    if let Some(closed_at) = case.closed_at {
        let on_time = london_date(closed_at) <= case.due_by;
        changes.push(change(
            closed_at,
            &case.channel,
            Measures::closure(on_time),
            0,
        ));
    }
    if let Some((at, score)) = case.survey {
        changes.push(change(at, &case.channel, Measures::survey(score), 0));
    }
    let open = case.open.then(|| london_date(case.created_at));
    (changes, open)
}

impl CaseFacts {
    /// Whether the case was still open when a contact arrived: a message after closing
    /// is not chasing anything.
    fn open_at(&self, at: Timestamp) -> bool {
        self.closed_at.is_none_or(|closed| at <= closed)
    }
}

fn wards(ward: &Option<String>) -> impl Iterator<Item = &str> {
    std::iter::once(ALL_WARDS).chain(ward.as_deref())
}

#[derive(Clone, Copy)]
enum Grain {
    Day,
    Month,
}

impl Grain {
    fn table(self) -> &'static str {
        match self {
            Grain::Day => "mi_day",
            Grain::Month => "mi_month",
        }
    }
    fn period_column(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Month => "month",
        }
    }
    fn counts_column(self) -> &'static str {
        match self {
            Grain::Day => "hours",
            Grain::Month => "heat",
        }
    }
    fn period(self, day: Date) -> String {
        match self {
            Grain::Day => encode_date(day),
            Grain::Month => month_key(day.year(), day.month()),
        }
    }
    fn len(self) -> usize {
        match self {
            Grain::Day => HOURS,
            Grain::Month => WEEKDAYS * HOURS,
        }
    }
    fn index(self, slot: Slot) -> usize {
        match self {
            Grain::Day => slot.hour,
            Grain::Month => slot.heat_index(),
        }
    }
}

fn month_key(year: i16, month: i8) -> String {
    format!("{year:04}-{month:02}")
}

fn encode_counts(counts: &[i64]) -> Vec<u8> {
    counts
        .iter()
        .flat_map(|n| (*n as i32).to_le_bytes())
        .collect()
}

fn decode_counts(blob: &[u8], len: usize) -> StoreResult<Vec<i64>> {
    if blob.len() != len * 4 {
        return Err(corrupt(format!(
            "a rollup row holds {} bytes of counts, not {}",
            blob.len(),
            len * 4
        )));
    }
    Ok(blob
        .chunks_exact(4)
        .map(|b| i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        .collect())
}

/// Adds one change to its day and month rows, for every ward and for its own.
async fn apply(conn: &mut AnyConnection, change: &Change) -> StoreResult<()> {
    for ward in wards(&change.ward) {
        for grain in [Grain::Day, Grain::Month] {
            bump(conn, grain, ward, change).await?;
        }
    }
    Ok(())
}

async fn bump(
    conn: &mut AnyConnection,
    grain: Grain,
    ward: &str,
    change: &Change,
) -> StoreResult<()> {
    let (table, period_col, counts_col) =
        (grain.table(), grain.period_column(), grain.counts_column());
    let period = grain.period(change.slot.day);
    let counts = if change.in_hour == 0 {
        None
    } else {
        let existing: Option<Vec<u8>> = sqlx::query_scalar(&format!(
            "SELECT {counts_col} FROM {table}
             WHERE ward = $1 AND {period_col} = $2 AND service = $3 AND channel = $4"
        ))
        .bind(ward)
        .bind(&period)
        .bind(&change.service)
        .bind(&change.channel)
        .fetch_optional(&mut *conn)
        .await?;
        let mut counts = match existing {
            Some(blob) => decode_counts(&blob, grain.len())?,
            None => vec![0; grain.len()],
        };
        counts[grain.index(change.slot)] += change.in_hour;
        Some(encode_counts(&counts))
    };
    let fresh = counts
        .clone()
        .unwrap_or_else(|| encode_counts(&vec![0; grain.len()]));
    let m = change.measures.to_array();
    sqlx::query(&format!(
        "INSERT INTO {table} (ward, {period_col}, service, channel, {MEASURES}, {counts_col})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (ward, {period_col}, service, channel) DO UPDATE SET
           contacts = {table}.contacts + excluded.contacts, opened = {table}.opened + excluded.opened,
           repeats = {table}.repeats + excluded.repeats, chasers = {table}.chasers + excluded.chasers,
           timed = {table}.timed + excluded.timed, minutes = {table}.minutes + excluded.minutes,
           closed = {table}.closed + excluded.closed, on_time = {table}.on_time + excluded.on_time,
           surveys = {table}.surveys + excluded.surveys, score = {table}.score + excluded.score,
           {counts_col} = coalesce($16, {table}.{counts_col})"
    ))
    .bind(ward)
    .bind(&period)
    .bind(&change.service)
    .bind(&change.channel)
    .bind(m[0])
    .bind(m[1])
    .bind(m[2])
    .bind(m[3])
    .bind(m[4])
    .bind(m[5])
    .bind(m[6])
    .bind(m[7])
    .bind(m[8])
    .bind(m[9])
    .bind(fresh)
    .bind(counts)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn bump_open(
    conn: &mut AnyConnection,
    case: &CaseFacts,
    opened_on: Date,
    delta: i64,
) -> StoreResult<()> {
    let day = encode_date(opened_on);
    for ward in wards(&case.ward) {
        sqlx::query(
            "INSERT INTO mi_open (ward, opened_on, service, channel, open) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (ward, service, channel, opened_on) DO UPDATE SET open = mi_open.open + excluded.open",
        )
        .bind(ward)
        .bind(&day)
        .bind(&case.service)
        .bind(&case.channel)
        .bind(delta)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "DELETE FROM mi_open
             WHERE ward = $1 AND opened_on = $2 AND service = $3 AND channel = $4 AND open = 0",
        )
        .bind(ward)
        .bind(&day)
        .bind(&case.service)
        .bind(&case.channel)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const CASE_FACTS: &str =
    "SELECT k.service, k.channel, k.created_at, k.due_by, k.status, k.closed_at,
        p.ward, s.score, s.answered_at
    FROM cases k
    LEFT JOIN case_places p ON p.case_id = k.id
    LEFT JOIN surveys s ON s.case_id = k.id";

fn case_facts_from(row: &AnyRow) -> StoreResult<CaseFacts> {
    let status: String = row.get("status");
    let closed_at: Option<String> = row.get("closed_at");
    let answered_at: Option<String> = row.get("answered_at");
    let score: Option<i64> = row.get("score");
    let survey = match (answered_at, score) {
        (Some(at), Some(score)) => Some((decode_instant(&at)?, score.clamp(1, 5) as u8)),
        _ => None,
    };
    Ok(CaseFacts {
        service: row.get("service"),
        channel: row.get("channel"),
        ward: row.get("ward"),
        created_at: decode_instant(row.get("created_at"))?,
        due_by: decode_date(row.get("due_by"))?,
        open: frontdoor_domain::Status::parse(&status)
            .map_err(corrupt)?
            .is_open(),
        closed_at: closed_at.as_deref().map(decode_instant).transpose()?,
        survey,
    })
}

fn contact_facts_from(row: &AnyRow) -> StoreResult<ContactFacts> {
    let answers: String = row.get("answers");
    let summary: Option<String> = row.get("summary");
    let minutes: Option<i64> = row.get("duration_minutes");
    Ok(ContactFacts {
        channel: row.get("contact_channel"),
        received_at: decode_instant(row.get("received_at"))?,
        minutes: minutes.and_then(|m| u32::try_from(m).ok()),
        text: match summary {
            Some(summary) => format!("{summary}\n{answers}"),
            None => answers,
        },
    })
}

async fn case_facts(conn: &mut AnyConnection, case_id: i64) -> StoreResult<CaseFacts> {
    let row = sqlx::query(&format!("{CASE_FACTS} WHERE k.id = $1"))
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    case_facts_from(&row)
}

const CONTACT_FACTS: &str = "SELECT c.id, c.case_id, c.channel AS contact_channel, c.received_at,
        c.duration_minutes, c.answers, c.summary
    FROM contacts c";

async fn case_contacts(conn: &mut AnyConnection, case_id: i64) -> StoreResult<Vec<ContactFacts>> {
    Ok(case_contacts_with_ids(conn, case_id)
        .await?
        .into_iter()
        .map(|(_, facts)| facts)
        .collect())
}

/// A case's contacts in the order they arrived, each with its id.
async fn case_contacts_with_ids(
    conn: &mut AnyConnection,
    case_id: i64,
) -> StoreResult<Vec<(i64, ContactFacts)>> {
    let rows = sqlx::query(&format!(
        "{CONTACT_FACTS} WHERE c.case_id = $1 ORDER BY c.id"
    ))
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.get("id"), contact_facts_from(row)?)))
        .collect()
}

/// Counts a newly stored case: its first contact, and one more open case. Call after
/// the case's place is stored, so the ward is known.
pub(crate) async fn case_opened(tx: &mut Transaction<'_, Any>, case_id: i64) -> StoreResult<()> {
    let case = case_facts(tx, case_id).await?;
    let contacts = case_contacts(tx, case_id).await?;
    let (changes, open) = contributions(&case, &contacts);
    for change in &changes {
        apply(tx, change).await?;
    }
    if let Some(day) = open {
        bump_open(tx, &case, day, 1).await?;
    }
    Ok(())
}

/// Counts a survey answer on the day it was given.
pub(crate) async fn survey_answered(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
) -> StoreResult<()> {
    let case = case_facts(tx, case_id).await?;
    let contacts = case_contacts(tx, case_id).await?;
    let (changes, _) = contributions(&case, &contacts);
    let survey = changes
        .iter()
        .rev()
        .find(|c| c.measures.surveys == 1)
        .ok_or_else(|| corrupt(format!("case {case_id} has no survey answer")))?;
    apply(tx, survey).await
}

/// Counts a further contact on a case (a reply, a chaser, a follower's report).
pub(crate) async fn contact_added(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    contact_id: i64,
) -> StoreResult<()> {
    let case = case_facts(tx, case_id).await?;
    let with_ids = case_contacts_with_ids(tx, case_id).await?;
    let position = with_ids
        .iter()
        .position(|(id, _)| *id == contact_id)
        .ok_or_else(|| corrupt(format!("contact {contact_id} is not on case {case_id}")))?;
    let contacts: Vec<ContactFacts> = with_ids.into_iter().map(|(_, facts)| facts).collect();
    // Contacts map one to one, in order, onto the first changes.
    let (changes, _) = contributions(&case, &contacts);
    apply(tx, &changes[position]).await
}

/// Moves a case's counts when it opens or closes: a closure counts against its SLA and
/// leaves the open cases; reopening takes the closure back out.
pub(crate) async fn status_changed(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    was_open: bool,
    is_open: bool,
    at: &str,
) -> StoreResult<()> {
    if was_open == is_open {
        return Ok(());
    }
    // The case row already holds its new status; the rollups hold the old one.
    let mut before = case_facts(tx, case_id).await?;
    before.open = was_open;
    remove_case(tx, case_id, &before).await?;
    sqlx::query("UPDATE cases SET closed_at = $1 WHERE id = $2")
        .bind((!is_open).then_some(at))
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    case_opened(tx, case_id).await
}

/// Moves every count of a rerouted case from its old service to its new one. Call
/// before the case row changes, then `case_rerouted` after.
pub(crate) async fn case_rerouting(tx: &mut Transaction<'_, Any>, case_id: i64) -> StoreResult<()> {
    let before = case_facts(tx, case_id).await?;
    remove_case(tx, case_id, &before).await
}

pub(crate) async fn case_rerouted(tx: &mut Transaction<'_, Any>, case_id: i64) -> StoreResult<()> {
    // A reroute puts the case back to be worked on, so any closure no longer stands.
    sqlx::query(
        "UPDATE cases SET closed_at = NULL WHERE id = $1 AND status NOT IN ('resolved', 'closed')",
    )
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    case_opened(tx, case_id).await
}

async fn remove_case(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    case: &CaseFacts,
) -> StoreResult<()> {
    let contacts = case_contacts(tx, case_id).await?;
    let (changes, open) = contributions(case, &contacts);
    for change in &changes {
        apply(tx, &change.negated()).await?;
    }
    if let Some(day) = open {
        bump_open(tx, case, day, -1).await?;
    }
    Ok(())
}

/// Ward, service and channel names as small numbers, so the builder's keys are cheap to
/// hash and never allocate.
#[derive(Default)]
struct Names {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// Ward, day (or first of the month), service, channel.
type Key = (u32, Date, u32, u32);
type GrainRows = HashMap<Key, (Measures, Vec<i64>)>;

/// Rollups built in memory from the base tables (or a bulk load), then written in one go.
#[derive(Default)]
pub(crate) struct Rollups {
    names: Names,
    day: GrainRows,
    month: GrainRows,
    open: HashMap<Key, i64>,
}

impl Rollups {
    fn add(&mut self, change: &Change) {
        let service = self.names.id(&change.service);
        let channel = self.names.id(&change.channel);
        for ward in wards(&change.ward) {
            let ward = self.names.id(ward);
            for grain in [Grain::Day, Grain::Month] {
                let (map, period) = match grain {
                    Grain::Day => (&mut self.day, change.slot.day),
                    Grain::Month => (&mut self.month, change.slot.day.first_of_month()),
                };
                let entry = map
                    .entry((ward, period, service, channel))
                    .or_insert_with(|| (Measures::default(), vec![0; grain.len()]));
                entry.0 += change.measures;
                entry.1[grain.index(change.slot)] += change.in_hour;
            }
        }
    }

    pub(crate) fn add_case(&mut self, case: &CaseFacts, contacts: &[ContactFacts]) {
        let (changes, open) = contributions(case, contacts);
        for change in &changes {
            self.add(change);
        }
        if let Some(day) = open {
            let service = self.names.id(&case.service);
            let channel = self.names.id(&case.channel);
            for ward in wards(&case.ward) {
                let ward = self.names.id(ward);
                *self.open.entry((ward, day, service, channel)).or_default() += 1;
            }
        }
    }

    /// Replaces every rollup row with what was built.
    pub(crate) async fn write(self, tx: &mut Transaction<'_, Any>) -> StoreResult<()> {
        for table in ["mi_day", "mi_month", "mi_open"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut **tx)
                .await?;
        }
        write_grain(tx, &self.names, Grain::Day, self.day).await?;
        write_grain(tx, &self.names, Grain::Month, self.month).await?;
        let open: Vec<_> = self.open.into_iter().collect();
        for chunk in open.chunks(500) {
            let mut q = crate::sql::Sql::new(
                "INSERT INTO mi_open (ward, opened_on, service, channel, open) ",
            );
            q.push_values(chunk, |mut b, ((ward, day, service, channel), open)| {
                b.push_bind(self.names.name(*ward).to_owned())
                    .push_bind(encode_date(*day))
                    .push_bind(self.names.name(*service).to_owned())
                    .push_bind(self.names.name(*channel).to_owned())
                    .push_bind(*open);
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

async fn write_grain(
    tx: &mut Transaction<'_, Any>,
    names: &Names,
    grain: Grain,
    rows: GrainRows,
) -> StoreResult<()> {
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(400) {
        let mut q = crate::sql::Sql::new(format!(
            "INSERT INTO {} (ward, {}, service, channel, {MEASURES}, {}) ",
            grain.table(),
            grain.period_column(),
            grain.counts_column()
        ));
        q.push_values(
            chunk,
            |mut b, ((ward, period, service, channel), (m, counts))| {
                b.push_bind(names.name(*ward).to_owned())
                    .push_bind(grain.period(*period))
                    .push_bind(names.name(*service).to_owned())
                    .push_bind(names.name(*channel).to_owned());
                for n in m.to_array() {
                    b.push_bind(n);
                }
                b.push_bind(encode_counts(counts));
            },
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Which open cases the overdue list shows: `None` keeps every service or channel.
#[derive(Debug, Clone, Default)]
pub struct Narrow<'a> {
    pub services: Option<Vec<&'a str>>,
    pub channels: Option<Vec<&'a str>>,
    pub ward: Option<&'a str>,
}

impl Narrow<'_> {
    fn push_where(&self, q: &mut crate::sql::Sql<'_>, today: Date) {
        // Open cases by due date come from the partial index; `|| ''` keeps SQLite from
        // reading every case of a service or ward through their own indexes instead.
        q.push(" WHERE c.status NOT IN ('resolved', 'closed') AND c.due_by < ")
            .push_bind(encode_date(today));
        for (column, values) in [
            ("c.service || ''", &self.services),
            ("c.channel || ''", &self.channels),
        ] {
            if let Some(values) = values {
                q.push(format!(" AND {column}"))
                    .push_in(values.iter().map(|v| v.to_string()));
            }
        }
        if let Some(ward) = self.ward {
            q.push(" AND c.ward || '' = ").push_bind(ward.to_owned());
        }
    }
}

/// What a dashboard reads: a date range, a ward, and the services and channels chosen
/// (`None` is all of them).
#[derive(Debug, Clone, Default)]
pub struct RollupQuery {
    pub from: Date,
    pub to: Date,
    /// A ward name, or every ward.
    pub ward: Option<String>,
    pub services: Option<Vec<String>>,
    pub channels: Option<Vec<String>>,
}

/// How `rollup_buckets` reads rows.
#[derive(Debug, Clone)]
pub enum Shape {
    /// A bucket per month (or day), service and channel; `heat` adds the hour-of-week
    /// counts.
    Rows { heat: bool },
    /// Totals per service and channel over the range, dated by the range's first month.
    ByService,
    /// Totals per month and channel, with the service given as "*": a few hundred rows
    /// for years of history.
    ByMonth,
}

impl Shape {
    fn select(&self, grain: Grain) -> crate::sql::Sql<'static> {
        let period = grain.period_column();
        let sums = MEASURES
            .split(", ")
            // PostgreSQL sums integers as NUMERIC; the cast keeps every count a BIGINT.
            .map(|m| format!("CAST(sum({m}) AS BIGINT) AS {m}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match self {
            Shape::Rows { heat } => {
                let counts = if *heat { grain.counts_column() } else { "NULL" };
                format!(
                    "SELECT {period} AS period, service, channel, {MEASURES}, {counts} AS counts"
                )
            }
            Shape::ByService => {
                format!("SELECT min({period}) AS period, service, channel, {sums}, NULL AS counts")
            }
            Shape::ByMonth => format!(
                "SELECT substr({period}, 1, 7) AS period, '*' AS service, channel, {sums}, NULL AS counts"
            ),
        };
        crate::sql::Sql::new(format!("{sql} FROM {}", grain.table()))
    }

    fn narrow_and_group(&self, query: &RollupQuery, q: &mut crate::sql::Sql<'_>) {
        for (column, values) in [("service", &query.services), ("channel", &query.channels)] {
            if let Some(values) = values {
                q.push(format!(" AND {column}"))
                    .push_in(values.iter().cloned());
            }
        }
        match self {
            Shape::Rows { .. } => {}
            Shape::ByService => {
                q.push(" GROUP BY service, channel");
            }
            Shape::ByMonth => {
                q.push(" GROUP BY 1, channel");
            }
        }
    }

    /// Whether each row's period is a whole month, whatever table it came from.
    fn monthly(&self, grain: Grain) -> bool {
        matches!(grain, Grain::Month) || matches!(self, Shape::ByMonth | Shape::ByService)
    }
}

impl Store {
    /// Recomputes every rollup from contacts, cases and surveys, replacing what is there.
    /// Returns the number of contacts read.
    pub async fn rebuild_rollups(&self) -> StoreResult<u64> {
        use futures_util::TryStreamExt;
        let mut tx = self.begin_write().await?;
        let mut rollups = Rollups::default();
        let mut read = 0u64;
        {
            let sql = format!("{CONTACT_FACTS_WITH_CASE} ORDER BY c.case_id, c.id");
            let mut rows = sqlx::query(&sql).fetch(&mut *tx);
            let mut current: Option<(i64, CaseFacts, Vec<ContactFacts>)> = None;
            while let Some(row) = rows.try_next().await? {
                read += 1;
                let case_id: i64 = row.get("case_id");
                if current.as_ref().is_none_or(|(id, ..)| *id != case_id) {
                    if let Some((_, case, contacts)) = current.take() {
                        rollups.add_case(&case, &contacts);
                    }
                    current = Some((case_id, case_facts_from(&row)?, Vec::new()));
                }
                if let Some((_, _, contacts)) = current.as_mut() {
                    contacts.push(contact_facts_from(&row)?);
                }
            }
            if let Some((_, case, contacts)) = current.take() {
                rollups.add_case(&case, &contacts);
            }
        }
        rollups.write(&mut tx).await?;
        tx.commit().await?;
        Ok(read)
    }

    /// Whether the rollups are empty while cases exist: a database from before they were
    /// kept, which needs `rebuild_rollups` once.
    pub async fn rollups_missing(&self) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM mi_month)
                         THEN 1 ELSE 0 END",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get::<i64, _>(0) != 0)
    }

    /// Rollup rows covering a date range: whole months from the month rows, the days of
    /// a partly covered month from the day rows, read in the shape asked for.
    pub async fn rollup_buckets(
        &self,
        query: &RollupQuery,
        shape: &Shape,
    ) -> StoreResult<Vec<Bucket>> {
        let ward = query.ward.as_deref().unwrap_or(ALL_WARDS);
        let mut buckets = Vec::new();
        for span in spans(query.from, query.to) {
            let (grain, first, last) = span.bounds();
            let mut q = shape.select(grain);
            q.push(" WHERE ward = ")
                .push_bind(ward.to_owned())
                .push(format!(" AND {} BETWEEN ", grain.period_column()))
                .push_bind(first)
                .push(" AND ")
                .push_bind(last);
            shape.narrow_and_group(query, &mut q);
            let rows = q.build().fetch_all(&self.pool).await?;
            for row in &rows {
                buckets.push(bucket_from(row, grain, shape)?);
            }
        }
        Ok(buckets)
    }

    /// Contacts by weekday and hour over a range: only the counts are read, and summed
    /// as they stream, so years of rows cost no more memory than one.
    pub async fn rollup_heat(&self, query: &RollupQuery) -> StoreResult<Heat> {
        use futures_util::TryStreamExt;
        let ward = query.ward.as_deref().unwrap_or(ALL_WARDS);
        let mut heat: Heat = [0; WEEKDAYS * HOURS];
        for span in spans(query.from, query.to) {
            let (grain, first, last) = span.bounds();
            let period = grain.period_column();
            let mut q = crate::sql::Sql::new(format!(
                "SELECT {period} AS period, {} AS counts FROM {}",
                grain.counts_column(),
                grain.table()
            ));
            q.push(" WHERE ward = ")
                .push_bind(ward.to_owned())
                .push(format!(" AND {period} BETWEEN "))
                .push_bind(first)
                .push(" AND ")
                .push_bind(last);
            Shape::Rows { heat: true }.narrow_and_group(query, &mut q);
            let mut rows = q.build().fetch(&self.pool);
            while let Some(row) = rows.try_next().await? {
                let blob: Vec<u8> = row.get("counts");
                let counts = decode_counts(&blob, grain.len())?;
                let offset = match grain {
                    Grain::Month => 0,
                    Grain::Day => {
                        let day = decode_date(row.get("period"))?;
                        day.weekday().to_monday_zero_offset() as usize * HOURS
                    }
                };
                for (cell, n) in heat[offset..].iter_mut().zip(counts) {
                    *cell += n;
                }
            }
        }
        Ok(heat)
    }

    /// Open cases by age band, service and channel, for one ward or all: one pass over
    /// the ward's rows in key order, summing each band (years of stragglers make tens of
    /// thousands of opening days).
    pub async fn open_counts(
        &self,
        ward: Option<&str>,
        today: Date,
    ) -> StoreResult<Vec<OpenCount>> {
        let starts = age_band_starts(today);
        let mut q = crate::sql::Sql::new("SELECT service, channel");
        for band in 0..=starts.len() {
            q.push(", CAST(sum(CASE WHEN 1 = 1");
            if let Some(start) = starts.get(band) {
                q.push(" AND opened_on > ").push_bind(encode_date(*start));
            }
            if let Some(end) = band.checked_sub(1).and_then(|b| starts.get(b)) {
                q.push(" AND opened_on <= ").push_bind(encode_date(*end));
            }
            q.push(format!(" THEN open ELSE 0 END) AS BIGINT) AS band{band}"));
        }
        q.push(" FROM mi_open WHERE ward = ")
            .push_bind(ward.unwrap_or(ALL_WARDS).to_owned())
            .push(" GROUP BY service, channel");
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut counts = Vec::new();
        for row in &rows {
            let channel = crate::cases::parse_channel(row.get("channel"))?;
            for band in 0..=starts.len() {
                let open: i64 = row.get(format!("band{band}").as_str());
                if open != 0 {
                    counts.push(OpenCount {
                        age: band,
                        service: row.get("service"),
                        channel,
                        open,
                    });
                }
            }
        }
        Ok(counts)
    }

    /// Open cases past their due date, oldest due first, narrowed like the dashboard:
    /// how many there are, and the first `limit`. Reads only open cases, by due date.
    pub async fn overdue_cases(
        &self,
        today: Date,
        narrow: &Narrow<'_>,
        limit: i64,
    ) -> StoreResult<(i64, Vec<crate::CaseSummary>)> {
        let mut count = crate::sql::Sql::new("SELECT count(*) FROM cases c");
        narrow.push_where(&mut count, today);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut list = crate::sql::Sql::new(crate::cases::SUMMARY_SELECT);
        narrow.push_where(&mut list, today);
        list.push(" ORDER BY c.due_by, c.id LIMIT ")
            .push_bind(limit);
        let rows = list.build().fetch_all(&self.pool).await?;
        let cases = rows
            .iter()
            .map(crate::cases::summary_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((total, cases))
    }

    /// The wards that have any rollup rows, for the dashboard's filter.
    pub async fn rollup_wards(&self) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT ward FROM mi_open WHERE ward <> '*'
             UNION SELECT DISTINCT ward FROM mi_month WHERE ward <> '*' ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

const CONTACT_FACTS_WITH_CASE: &str =
    "SELECT c.id, c.case_id, c.channel AS contact_channel, c.received_at,
        c.duration_minutes, c.answers, c.summary,
        k.service, k.channel, k.created_at, k.due_by, k.status, k.closed_at,
        p.ward, s.score, s.answered_at
    FROM contacts c
    JOIN cases k ON k.id = c.case_id
    LEFT JOIN case_places p ON p.case_id = k.id
    LEFT JOIN surveys s ON s.case_id = k.id";

fn bucket_from(row: &AnyRow, grain: Grain, shape: &Shape) -> StoreResult<Bucket> {
    let period: String = row.get("period");
    let (year, month, day) = if shape.monthly(grain) {
        let day = decode_date(&format!("{}-01", &period[..period.len().min(7)]))?;
        (day.year(), day.month(), None)
    } else {
        let day = decode_date(&period)?;
        (day.year(), day.month(), Some(day))
    };
    let measures = Measures::from_array(
        [
            "contacts", "opened", "repeats", "chasers", "timed", "minutes", "closed", "on_time",
            "surveys", "score",
        ]
        .map(|c| row.get::<i64, _>(c)),
    );
    let counts: Option<Vec<u8>> = row.get("counts");
    let heat = match counts {
        None => None,
        Some(blob) => {
            let counts = decode_counts(&blob, grain.len())?;
            let mut heat: Box<Heat> = Box::new([0; WEEKDAYS * HOURS]);
            match day {
                Some(day) => {
                    let weekday = day.weekday().to_monday_zero_offset() as usize;
                    heat[weekday * HOURS..(weekday + 1) * HOURS].copy_from_slice(&counts);
                }
                None => heat.copy_from_slice(&counts),
            }
            Some(heat)
        }
    };
    Ok(Bucket {
        year,
        month,
        service: row.get("service"),
        channel: crate::cases::parse_channel(row.get("channel"))?,
        measures,
        heat,
    })
}

/// A date range cut into whole months and the loose days at either end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Months((i16, i8), (i16, i8)),
    Days(Date, Date),
}

impl Span {
    /// The table to read and the first and last period keys in it.
    fn bounds(self) -> (Grain, String, String) {
        match self {
            Span::Months(first, last) => (
                Grain::Month,
                month_key(first.0, first.1),
                month_key(last.0, last.1),
            ),
            Span::Days(first, last) => (Grain::Day, encode_date(first), encode_date(last)),
        }
    }
}

fn spans(from: Date, to: Date) -> Vec<Span> {
    if from > to {
        return Vec::new();
    }
    let first_whole = if from.day() == 1 {
        from.first_of_month()
    } else {
        from.last_of_month().tomorrow().unwrap_or(from)
    };
    let last_whole_end = if to == to.last_of_month() {
        to
    } else {
        to.first_of_month().yesterday().unwrap_or(to)
    };
    if first_whole > last_whole_end {
        return vec![Span::Days(from, to)];
    }
    let mut spans = Vec::new();
    if from < first_whole {
        spans.push(Span::Days(from, first_whole.yesterday().unwrap_or(from)));
    }
    spans.push(Span::Months(
        (first_whole.year(), first_whole.month()),
        (last_whole_end.year(), last_whole_end.month()),
    ));
    if last_whole_end < to {
        spans.push(Span::Days(last_whole_end.tomorrow().unwrap_or(to), to));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn ranges_split_into_whole_months_and_loose_days() {
        assert_eq!(
            spans(date(2026, 1, 1), date(2026, 3, 31)),
            vec![Span::Months((2026, 1), (2026, 3))]
        );
        assert_eq!(
            spans(date(2026, 1, 15), date(2026, 3, 10)),
            vec![
                Span::Days(date(2026, 1, 15), date(2026, 1, 31)),
                Span::Months((2026, 2), (2026, 2)),
                Span::Days(date(2026, 3, 1), date(2026, 3, 10)),
            ]
        );
        assert_eq!(
            spans(date(2026, 2, 3), date(2026, 2, 20)),
            vec![Span::Days(date(2026, 2, 3), date(2026, 2, 20))]
        );
        assert!(spans(date(2026, 2, 3), date(2026, 2, 1)).is_empty());
    }

    #[test]
    fn counts_survive_the_blob_and_a_wrong_length_is_corrupt() {
        let counts: Vec<i64> = (0..24).map(|n| n * 3 - 5).collect();
        assert_eq!(decode_counts(&encode_counts(&counts), 24).unwrap(), counts);
        assert!(decode_counts(&[0; 10], 24).is_err());
    }
}
