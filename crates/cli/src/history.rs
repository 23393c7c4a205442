//! `frontdoor demo --residents N --years Y`: years of invented history for a council of N
//! residents, for the management dashboard and its benchmark. About 8.6 contacts per
//! resident a year, with the shapes a council sees: Monday-morning peaks, missed bins the
//! day after collection, council-tax bills in January and March, storms that bring
//! highways reports, a quiet Christmas, phone giving way to the web over the years, repeat
//! contacts and chasers, and cases that close on and past their SLA.

use anyhow::{Result, bail};
use frontdoor_domain::calendar::london;
use frontdoor_domain::mi::is_chaser;
use frontdoor_domain::reference::PAYLOAD_LEN;
use frontdoor_domain::{Catalogue, Channel, Reference, Service, WorkingCalendar};
use frontdoor_store::{BulkLoad, HistoricCase, HistoricContact, HistoricResident, Store};
use jiff::civil::{Date, Weekday};
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Options {
    pub residents: usize,
    pub years: u32,
}

/// What was made, for the closing lines.
pub struct Made {
    pub residents: usize,
    pub cases: u64,
    pub contacts: u64,
    pub rows: u64,
    pub seconds: f64,
    pub rollup_seconds: f64,
}

const CONTACTS_PER_RESIDENT_YEAR: f64 = 8.6;
const CASES_PER_BATCH: usize = 20_000;

/// Relative demand by team; a team's weight is shared among its services.
const TEAM_WEIGHTS: [(&str, f64); 19] = [
    ("waste", 22.0),
    ("revenues-benefits", 20.0),
    ("highways", 10.0),
    ("environmental-services", 8.0),
    ("housing", 8.0),
    ("customer-services", 8.0),
    ("parking", 6.0),
    ("adult-social-care", 3.0),
    ("environmental-health", 3.0),
    ("planning", 3.0),
    ("childrens-services", 2.0),
    ("libraries", 2.0),
    ("registration-service", 2.0),
    ("education", 2.0),
    ("safeguarding", 1.0),
    ("licensing", 1.0),
    ("financial-inclusion", 1.0),
    ("customer-feedback", 1.0),
    ("information-governance", 0.5),
];

/// The channel mix at the start and at the end of the history.
const MIX_START: [(Channel, f64); 8] = [
    (Channel::Phone, 45.0),
    (Channel::Web, 25.0),
    (Channel::Email, 14.0),
    (Channel::FaceToFace, 7.0),
    (Channel::Chat, 3.0),
    (Channel::Sms, 2.0),
    (Channel::Social, 2.0),
    (Channel::Api, 2.0),
];
const MIX_END: [(Channel, f64); 8] = [
    (Channel::Phone, 27.0),
    (Channel::Web, 46.0),
    (Channel::Email, 10.0),
    (Channel::FaceToFace, 4.0),
    (Channel::Chat, 6.0),
    (Channel::Sms, 3.0),
    (Channel::Social, 2.0),
    (Channel::Api, 2.0),
];

/// Contacts by hour of day for each channel, before weekday effects.
fn hour_weights(channel: Channel) -> [f64; 24] {
    const OFFICE: [f64; 24] = [
        0., 0., 0., 0., 0., 0., 0., 0., 3., 10., 9., 8., 6., 6., 7., 6., 5., 3., 0.5, 0., 0., 0.,
        0., 0.,
    ];
    const COUNTER: [f64; 24] = [
        0., 0., 0., 0., 0., 0., 0., 0., 0., 6., 8., 8., 7., 6., 7., 6., 3., 0., 0., 0., 0., 0., 0.,
        0.,
    ];
    const ONLINE: [f64; 24] = [
        0.6, 0.3, 0.2, 0.2, 0.2, 0.4, 1., 2., 4., 5., 5., 5., 5.5, 5., 5., 5., 5., 5., 5.5, 6.5,
        6.5, 5.5, 3.5, 1.5,
    ];
    const CHAT: [f64; 24] = [
        0., 0., 0., 0., 0., 0., 0., 0., 4., 7., 7., 6., 6., 6., 6., 6., 5., 5., 4., 3., 0., 0., 0.,
        0.,
    ];
    match channel {
        Channel::Phone => OFFICE,
        Channel::FaceToFace => COUNTER,
        Channel::Chat => CHAT,
        Channel::Email | Channel::Web | Channel::Sms | Channel::Social | Channel::Api => ONLINE,
    }
}

/// Busier on Monday, quiet at the weekend.
fn weekday_factor(day: Date) -> f64 {
    match day.weekday() {
        Weekday::Monday => 1.45,
        Weekday::Tuesday => 1.2,
        Weekday::Wednesday => 1.1,
        Weekday::Thursday => 1.05,
        Weekday::Friday => 0.9,
        Weekday::Saturday => 0.5,
        Weekday::Sunday => 0.4,
    }
}

/// Christmas and New Year are quiet; August a little quieter.
fn season_factor(day: Date) -> f64 {
    match (day.month(), day.day()) {
        (12, 25) | (12, 26) | (1, 1) => 0.15,
        (12, 24) | (12, 27..=31) => 0.5,
        (8, _) => 0.9,
        _ => 1.0,
    }
}

/// How a day changes one service's demand: bills, bin days after Christmas, storms.
fn service_factor(service: &Service, day: Date, storm: bool) -> f64 {
    let slug = service.slug.as_str();
    let mut factor = 1.0;
    if service.team == "revenues-benefits" && slug.contains("council-tax") {
        factor *= match day.month() {
            1 => 2.2,
            3 => 1.8,
            _ => 1.0,
        };
    }
    if service.team == "waste" {
        // Collections move around Christmas; missed bins follow in the first fortnight.
        if day.month() == 1 && day.day() <= 14 {
            factor *= 1.9;
        }
        // Collection days are Monday to Thursday, so missed bins peak the day after.
        if matches!(day.weekday(), Weekday::Tuesday | Weekday::Wednesday) {
            factor *= 1.3;
        }
    }
    if storm && matches!(service.team.as_str(), "highways" | "environmental-services") {
        factor *= 4.0;
    }
    factor
}

struct Plan<'a> {
    services: Vec<(&'a Service, f64)>,
    wards: Vec<String>,
    calendar: WorkingCalendar,
    first_resident: i64,
    residents: usize,
    start: Date,
    days: i64,
    now: Timestamp,
}

pub async fn generate(
    store: &Store,
    catalogue: &Catalogue,
    wards: Vec<String>,
    options: &Options,
) -> Result<Made> {
    if store.count_cases().await? > 0 {
        bail!(
            "the history goes into an empty database, and this one has cases; \
             choose another, e.g. --database sqlite://data/history.db"
        );
    }
    if options.residents == 0 || options.years == 0 || options.years > 10 {
        bail!("--residents must be at least 1 and --years from 1 to 10");
    }
    let started = Instant::now();
    let now = Timestamp::now();
    let today = frontdoor_domain::calendar::london_date(now);
    let start = today.checked_sub((i64::from(options.years) * 365).days())?;
    let mut rng = StdRng::seed_from_u64(2026);
    let first_resident = add_residents(store, &mut rng, options.residents, now).await?;
    let plan = Plan {
        services: weighted_services(catalogue),
        wards,
        calendar: WorkingCalendar::england_and_wales(),
        first_resident,
        residents: options.residents,
        start,
        days: (today - start).get_days().into(),
        now,
    };
    let mut load = store.bulk_load();
    let (cases, contacts, rows) = add_cases(store, &mut load, &plan, &mut rng, options).await?;
    let rollups = Instant::now();
    eprintln!("Writing the dashboard's rollups for {contacts} contacts…");
    load.finish(store).await?;
    Ok(Made {
        residents: options.residents,
        cases,
        contacts,
        rows: rows + 2 * options.residents as u64,
        seconds: started.elapsed().as_secs_f64(),
        rollup_seconds: rollups.elapsed().as_secs_f64(),
    })
}

fn weighted_services(catalogue: &Catalogue) -> Vec<(&Service, f64)> {
    catalogue
        .services
        .iter()
        .map(|s| {
            let team = TEAM_WEIGHTS
                .iter()
                .find(|(t, _)| *t == s.team)
                .map(|(_, w)| *w)
                .unwrap_or(1.0);
            let siblings = catalogue.services_for_team(&s.team).count().max(1) as f64;
            (s, team / siblings)
        })
        .collect()
}

const FIRST: [&str; 20] = [
    "Sam",
    "Priya",
    "Tom",
    "Aisha",
    "Gareth",
    "Mary",
    "Ollie",
    "Zainab",
    "Peter",
    "Chloe",
    "Kwame",
    "Jean",
    "Dylan",
    "Fatima",
    "Ron",
    "Ellie",
    "Agnieszka",
    "Hamza",
    "Siobhan",
    "Wei",
];
const LAST: [&str; 16] = [
    "Taylor", "Patel", "Jones", "Khan", "Evans", "O'Neill", "Smith", "Hussain", "Williams",
    "Brown", "Mensah", "Davies", "Nowak", "Begum", "Murphy", "Chen",
];

async fn add_residents(
    store: &Store,
    rng: &mut StdRng,
    count: usize,
    now: Timestamp,
) -> Result<i64> {
    let mut first = None;
    let mut made = 0;
    while made < count {
        let batch: Vec<HistoricResident> = (made..(made + 50_000).min(count))
            .map(|n| {
                let (f, l) = (
                    FIRST.choose(rng).unwrap_or(&"Sam"),
                    LAST.choose(rng).unwrap_or(&"Smith"),
                );
                HistoricResident {
                    name: format!("{f} {l}"),
                    email: rng.random_bool(0.7).then(|| {
                        format!(
                            "{}.{}{n}@example.com",
                            f.to_lowercase(),
                            l.to_lowercase().replace('\'', "")
                        )
                    }),
                    phone: rng
                        .random_bool(0.5)
                        .then(|| format!("07700 9{:05}", n % 100_000)),
                    postcode: format!(
                        "DC{} {}{}{}",
                        1 + n % 4,
                        n % 10,
                        (b'A' + (n % 26) as u8) as char,
                        (b'A' + (n / 26 % 26) as u8) as char
                    ),
                }
            })
            .collect();
        let id = store.bulk_residents(&batch, now).await?;
        first.get_or_insert(id);
        made += batch.len();
        eprint!("\rAdding residents: {made} of {count}");
    }
    eprintln!();
    Ok(first.unwrap_or(1))
}

/// A reference no other case in the history has: counting up through the payloads in
/// steps of a prime, so references look unalike yet arrive in index order (appending to
/// the reference index instead of writing all over it).
fn reference(n: u64) -> String {
    const SPACE: u64 = 29u64.pow(PAYLOAD_LEN as u32);
    let mut x = (1_000_003 + n * 1_999) % SPACE;
    let mut payload = [0u32; PAYLOAD_LEN];
    for slot in payload.iter_mut().rev() {
        *slot = (x % 29) as u32;
        x /= 29;
    }
    Reference::from_payload(payload).as_compact()
}

fn pick_weighted<T: Copy>(rng: &mut StdRng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// The channel mix on a day, `progress` from 0 (start) to 1 (today).
fn mix(progress: f64) -> Vec<(Channel, f64)> {
    MIX_START
        .iter()
        .zip(MIX_END)
        .map(|((c, a), (_, b))| (*c, a + (b - a) * progress))
        .collect()
}

/// Phone lines and counters are shut at weekends; those residents go online instead.
fn open_channel(channel: Channel, day: Date) -> Channel {
    let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
    match channel {
        Channel::Phone | Channel::FaceToFace | Channel::Chat if weekend => Channel::Web,
        other => other,
    }
}

fn moment(rng: &mut StdRng, day: Date, channel: Channel) -> Option<Timestamp> {
    let mut weights: Vec<(usize, f64)> = hour_weights(channel).into_iter().enumerate().collect();
    if day.weekday() == Weekday::Monday {
        for (h, w) in weights.iter_mut() {
            if (9..=11).contains(h) {
                *w *= 1.6;
            }
        }
    }
    let hour = pick_weighted(rng, &weights) as i8;
    let time = jiff::civil::time(hour, rng.random_range(0..60), rng.random_range(0..60), 0);
    static LONDON: std::sync::LazyLock<jiff::tz::TimeZone> = std::sync::LazyLock::new(london);
    LONDON.to_timestamp(day.to_datetime(time)).ok()
}

const CHASERS: [&str; 5] = [
    "Any update on this? I have not heard back.",
    "I am still waiting, where is my request up to?",
    "Chasing my report from last week, it is still not sorted.",
    "What is happening with this please?",
    "I haven't heard anything, when will it be done?",
];
const MORE: [&str; 3] = [
    "Some more details: it is by the side gate.",
    "Adding a photo reference and my phone number.",
    "Just to add, my neighbour has the same problem.",
];
const OPENING: [&str; 4] = [
    "It has been like this for over a week now.",
    "Please can someone look at this as soon as possible.",
    "Thank you for your help with this.",
    "Reported on behalf of my mother.",
];

async fn add_cases(
    store: &Store,
    load: &mut BulkLoad,
    plan: &Plan<'_>,
    rng: &mut StdRng,
    options: &Options,
) -> Result<(u64, u64, u64)> {
    let per_day = options.residents as f64 * CONTACTS_PER_RESIDENT_YEAR / 365.0;
    let storms: Vec<i64> = (0..plan.days)
        .filter(|_| rng.random_bool(6.0 / 365.0))
        .collect();
    let mut batch = Vec::with_capacity(CASES_PER_BATCH);
    let (mut cases, mut contacts, mut rows) = (0u64, 0u64, 0u64);
    let mut bar = Progress::new(plan.days);
    for d in 0..=plan.days {
        let date = plan.start.checked_add(d.days())?;
        let progress = d as f64 / plan.days.max(1) as f64;
        let storm = storms.iter().any(|s| d == *s || d == s + 1);
        let today = Day {
            date,
            services: plan
                .services
                .iter()
                .map(|(s, w)| (*s, w * service_factor(s, date, storm)))
                .collect(),
            mix: mix(progress),
            progress,
            repeat_share: 0.13 - 0.05 * progress,
        };
        let opened =
            per_day * weekday_factor(date) * season_factor(date) * rng.random_range(0.9..1.1)
                / (1.0 + today.repeat_share * 1.3);
        for _ in 0..opened.round() as u64 {
            let Some(case) = one_case(plan, rng, &today, cases) else {
                continue;
            };
            contacts += case.contacts.len() as u64;
            rows += 1
                + 2 * case.contacts.len() as u64
                + u64::from(case.closed_at.is_some())
                + u64::from(case.ward.is_some())
                + u64::from(case.survey.is_some());
            batch.push(case);
            cases += 1;
            if batch.len() == CASES_PER_BATCH {
                load.cases(store, &batch).await?;
                batch.clear();
            }
        }
        bar.show(d, contacts, rows);
    }
    load.cases(store, &batch).await?;
    bar.done(contacts, rows);
    Ok((cases, contacts, rows))
}

/// What holds for every case opened on one day.
struct Day<'a> {
    date: Date,
    services: Vec<(&'a Service, f64)>,
    mix: Vec<(Channel, f64)>,
    /// From 0 at the start of the history to 1 today.
    progress: f64,
    repeat_share: f64,
}

fn one_case(plan: &Plan, rng: &mut StdRng, today: &Day, number: u64) -> Option<HistoricCase> {
    let day = today.date;
    let service = pick_weighted(rng, &today.services);
    let channel = open_channel(pick_weighted(rng, &today.mix), day);
    let opened_at = moment(rng, day, channel).filter(|t| *t <= plan.now)?;
    let resident = rng.random_range(0..plan.residents as i64);
    let due_by = plan.calendar.due_by(opened_at, service.sla_working_days);
    let closes_on = closing_day(plan, rng, today, service, due_by);
    let closed_at = closes_on
        .and_then(|d| moment(rng, d, Channel::Phone))
        .map(|t| t.max(opened_at + SignedDuration::from_mins(5)))
        .filter(|t| *t <= plan.now);
    let mut contacts = vec![HistoricContact {
        channel,
        received_at: opened_at,
        text: OPENING.choose(rng).unwrap_or(&"").to_string(),
        duration_minutes: duration(rng, channel),
    }];
    if rng.random_bool(today.repeat_share) {
        let until = closed_at.unwrap_or(plan.now);
        contacts.extend(repeats(rng, today.progress, opened_at, until));
        contacts.sort_by_key(|c| c.received_at);
    }
    let late = closes_on.is_some_and(|d| d > due_by);
    let survey = closed_at
        .filter(|_| rng.random_bool(0.15))
        .map(|closed| survey(rng, closed, late))
        .filter(|(at, _)| *at <= plan.now);
    Some(HistoricCase {
        reference: reference(number),
        service: service.slug.clone(),
        team: service.team.clone(),
        resident_id: plan.first_resident + resident,
        due_by,
        contacts,
        closed_at,
        outcome: closed_at.map(|_| "Done: we have dealt with your request.".to_owned()),
        ward: service
            .location_based
            .then(|| {
                plan.wards
                    .get(resident as usize % plan.wards.len().max(1))
                    .cloned()
            })
            .flatten(),
        survey,
    })
}

/// The day a case closes: within its SLA more often as the years go on, sometimes weeks
/// late, and now and then never (a straggler still open today).
fn closing_day(
    plan: &Plan,
    rng: &mut StdRng,
    today: &Day,
    service: &Service,
    due_by: Date,
) -> Option<Date> {
    let on_time = rng.random_bool(0.78 + 0.1 * today.progress);
    if rng.random_bool(0.015) {
        None
    } else if on_time {
        let days = rng.random_range(0..=service.sla_working_days.max(1));
        Some(plan.calendar.add_working_days(today.date, days).min(due_by))
    } else {
        Some(
            plan.calendar
                .add_working_days(due_by, rng.random_range(1..20)),
        )
    }
}

/// One to three further contacts while the case is open: most chase it, the rest add
/// details; fewer by phone as the years go on.
fn repeats(
    rng: &mut StdRng,
    progress: f64,
    opened_at: Timestamp,
    until: Timestamp,
) -> Vec<HistoricContact> {
    (0..rng.random_range(1..=3))
        .map(|_| {
            let after = rng.random_range(0.05..1.0) * (until - opened_at).as_secs_f64();
            let at = opened_at + SignedDuration::from_secs(after as i64);
            let chaser = rng.random_bool(0.6);
            let channel = pick_weighted(
                rng,
                &[
                    (Channel::Phone, 0.6 - 0.2 * progress),
                    (Channel::Email, 0.25),
                    (Channel::Web, 0.15 + 0.2 * progress),
                ],
            );
            let text = if chaser {
                CHASERS.choose(rng)
            } else {
                MORE.choose(rng)
            };
            let text = text.unwrap_or(&"").to_string();
            debug_assert_eq!(is_chaser(&text), chaser);
            HistoricContact {
                channel,
                received_at: at,
                text,
                duration_minutes: duration(rng, channel),
            }
        })
        .collect()
}

/// A survey answer a few hours to days after closing: mostly content when the case
/// closed on time, mostly not when it was late.
fn survey(rng: &mut StdRng, closed: Timestamp, late: bool) -> (Timestamp, u8) {
    let at = closed + SignedDuration::from_hours(rng.random_range(1..72));
    let scores: [(u8, f64); 5] = if late {
        [(1, 30.0), (2, 30.0), (3, 20.0), (4, 15.0), (5, 5.0)]
    } else {
        [(1, 4.0), (2, 6.0), (3, 15.0), (4, 40.0), (5, 35.0)]
    };
    (at, pick_weighted(rng, &scores))
}

/// Handling minutes an agent records for calls and visits.
fn duration(rng: &mut StdRng, channel: Channel) -> Option<u32> {
    match channel {
        Channel::Phone => Some(rng.random_range(2..15)),
        Channel::FaceToFace => Some(rng.random_range(5..25)),
        _ => None,
    }
}

/// A progress bar on standard error: redrawn in place on a terminal, every tenth
/// otherwise (CI logs).
struct Progress {
    total: i64,
    started: Instant,
    last_drawn: Instant,
    last_tenth: i64,
    terminal: bool,
}

impl Progress {
    fn new(total: i64) -> Self {
        Self {
            total: total.max(1),
            started: Instant::now(),
            last_drawn: Instant::now(),
            last_tenth: -1,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn line(&self, done: i64, contacts: u64, rows: u64) -> String {
        let share = done as f64 / self.total as f64;
        let filled = (share * 30.0).round() as usize;
        let rate = rows as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        format!(
            "[{}{}] {:>3.0}%  {contacts} contacts  {:.0} rows/s",
            "#".repeat(filled),
            ".".repeat(30 - filled.min(30)),
            share * 100.0,
            rate
        )
    }

    fn show(&mut self, done: i64, contacts: u64, rows: u64) {
        let tenth = done * 10 / self.total;
        if self.terminal && self.last_drawn.elapsed().as_millis() >= 200 {
            eprint!("\r{}", self.line(done, contacts, rows));
            let _ = std::io::stderr().flush();
            self.last_drawn = Instant::now();
        } else if !self.terminal && tenth != self.last_tenth {
            eprintln!("{}", self.line(done, contacts, rows));
            self.last_tenth = tenth;
        }
    }

    fn done(&mut self, contacts: u64, rows: u64) {
        eprintln!("\r{}", self.line(self.total, contacts, rows));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn references_do_not_repeat() {
        let made: HashSet<String> = (0..200_000).map(reference).collect();
        assert_eq!(made.len(), 200_000);
        assert!(made.iter().all(|r| Reference::parse(r).is_ok()));
    }

    #[test]
    fn the_mix_moves_from_phone_to_web() {
        let start = mix(0.0);
        let end = mix(1.0);
        let share = |m: &[(Channel, f64)], c| m.iter().find(|(x, _)| *x == c).unwrap().1;
        assert!(share(&start, Channel::Phone) > share(&start, Channel::Web));
        assert!(share(&end, Channel::Web) > share(&end, Channel::Phone));
    }
}
