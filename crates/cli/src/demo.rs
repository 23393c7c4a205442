//! Demo data: invented residents and a few hundred cases across services and channels,
//! at different stages, so a new user sees a working council at first start.

use anyhow::Result;
use frontdoor_domain::case::{add_note, change_status};
use frontdoor_domain::form::{Address, Answer, DateRule, Field, FieldKind};
use frontdoor_domain::reference::PAYLOAD_LEN;
use frontdoor_domain::{
    CaseEvent, CaseState, Catalogue, Channel, ContactDetails, Email, NewCase, Place, Point,
    Postcode, Reference, Service, Status, Submission, UkPhone, WorkingCalendar,
};
use frontdoor_store::{NewStaff, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

pub const DEMO_CATALOGUE: &str = include_str!("../../../catalogue/demo-council.toml");
pub const DEMO_WELSH: &str = include_str!("../../../catalogue/demo-council.cy.toml");
pub const DEMO_EMAIL: &str = "demo.officer@demo-council.example";

/// Demo accounts as (role, email, password); the passwords are shown once.
pub struct SignIn {
    pub accounts: Vec<(&'static str, String, String)>,
}

const FIRST: [&str; 16] = [
    "Sam", "Priya", "Tom", "Aisha", "Gareth", "Mary", "Ollie", "Zainab", "Peter", "Chloe", "Kwame",
    "Jean", "Dylan", "Fatima", "Ron", "Ellie",
];
const LAST: [&str; 12] = [
    "Taylor", "Patel", "Jones", "Khan", "Evans", "O'Neill", "Smith", "Hussain", "Williams",
    "Brown", "Mensah", "Davies",
];
const STREETS: [&str; 8] = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Park Avenue",
    "Victoria Street",
    "Queens Road",
    "Orchard Close",
];
const POSTCODES: [&str; 8] = [
    "DC1 1AA", "DC1 2BD", "DC2 4EF", "DC2 7HJ", "DC3 1LN", "DC3 5PQ", "DC4 2RT", "DC4 9XY",
];
const SAYINGS: [&str; 6] = [
    "It has been like this for over a week now.",
    "Please can someone look at this as soon as possible.",
    "It is next to the bus stop on the corner.",
    "My neighbour has the same problem.",
    "I rang last week but have not heard back.",
    "Thank you for your help with this.",
];

pub const DEMO_MANAGER_EMAIL: &str = "demo.manager@demo-council.example";
pub const DEMO_AGENT_EMAIL: &str = "demo.agent@demo-council.example";
pub const DEMO_ADMIN_EMAIL: &str = "demo.admin@demo-council.example";

/// Demo staff who can sign in, one per kind of work: (role, email, name, team).
const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 4] = [
    ("officer", DEMO_EMAIL, "Demo Officer", "waste"),
    ("agent", DEMO_AGENT_EMAIL, "Demo Agent", "customer-services"),
    (
        "manager",
        DEMO_MANAGER_EMAIL,
        "Demo Manager",
        "customer-services",
    ),
    (
        "admin",
        DEMO_ADMIN_EMAIL,
        "Demo Administrator",
        "information-governance",
    ),
];

/// Demo staff: an officer in Waste, an agent in Customer Services, a manager who sees the
/// dashboard, an administrator who reads the audit trail, and a colleague in every other
/// team who cannot sign in. Returns the sign-ins and each team's officer.
async fn staff(
    store: &Store,
    catalogue: &Catalogue,
) -> Result<(SignIn, BTreeMap<String, (i64, String)>)> {
    let mut officers = BTreeMap::new();
    let mut accounts = Vec::new();
    for (role, email, name, team) in DEMO_ACCOUNTS {
        // A catalogue without the team puts the account in the first team there is.
        let team = catalogue
            .team(team)
            .or(catalogue.teams.first())
            .map(|t| t.slug.clone())
            .unwrap_or_else(|| team.into());
        let password = random_password();
        let hash = frontdoor_web::hash_password(&password).map_err(anyhow::Error::msg)?;
        let id = store
            .upsert_staff(NewStaff {
                email,
                name,
                team: &team,
                role,
                password_hash: &hash,
            })
            .await?;
        if role == "officer" {
            officers.insert(team, (id, name.to_string()));
        }
        accounts.push((role, email.to_string(), password));
    }
    let others: Vec<_> = catalogue
        .teams
        .iter()
        .filter(|t| !officers.contains_key(&t.slug))
        .collect();
    for team in others {
        let email = format!("{}.officer@demo-council.example", team.slug);
        let name = format!("{} Officer", team.name);
        // "!disabled" is not a valid hash, so these demo colleagues can never sign in.
        let id = store
            .upsert_staff(NewStaff {
                email: &email,
                name: &name,
                team: &team.slug,
                role: "officer",
                password_hash: "!disabled",
            })
            .await?;
        officers.insert(team.slug.clone(), (id, name));
    }
    Ok((SignIn { accounts }, officers))
}

/// The demo's staff sign-ins alone, for a database filled some other way.
pub async fn seed_staff(store: &Store, catalogue: &Catalogue) -> Result<SignIn> {
    Ok(staff(store, catalogue).await?.0)
}

/// Seeds demo staff and `cases` cases; returns the demo sign-ins.
pub async fn seed(
    store: &Store,
    catalogue: &Catalogue,
    cases: usize,
    places: &[Place],
) -> Result<SignIn> {
    let (sign_in, officers) = staff(store, catalogue).await?;
    let demo_officer = officers["waste"].0;
    let calendar = WorkingCalendar::england_and_wales();
    let mut rng = StdRng::seed_from_u64(2026);
    let now = Timestamp::now();
    for n in 0..cases {
        let service = pick_service(&mut rng, catalogue, n);
        let received_at = now - SignedDuration::from_mins(rng.random_range(30..60 * 24 * 60));
        let submission = Submission {
            service: service.slug.clone(),
            channel: pick_channel(&mut rng, service),
            received_at,
            answers: answers_for(&mut rng, service, received_at, places),
            contact: resident(&mut rng, n),
            summary: None,
            meta: Default::default(),
        };
        let case = loop {
            let case = NewCase::open(service, submission.clone(), &calendar, reference(&mut rng));
            match store.create_case(&case, None).await {
                Ok(id) => break (id, case),
                Err(StoreError::DuplicateReference) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let officer = officers
            .get(&service.team)
            .cloned()
            .unwrap_or((demo_officer, "Demo Officer".into()));
        progress(store, &mut rng, case.0, &case.1, officer, service, now).await?;
    }
    Ok(sign_in)
}

/// Half the demo cases are missed bins and other Waste services, so the Waste queue is busy.
fn pick_service<'a>(rng: &mut StdRng, catalogue: &'a Catalogue, n: usize) -> &'a Service {
    let waste: Vec<&Service> = catalogue.services_for_team("waste").collect();
    if n.is_multiple_of(2) && !waste.is_empty() {
        return waste.choose(rng).expect("not empty");
    }
    catalogue
        .services
        .choose(rng)
        .expect("a catalogue has services")
}

fn pick_channel(rng: &mut StdRng, service: &Service) -> Channel {
    if rng.random_bool(0.6) {
        return service.channels[0];
    }
    *[
        Channel::Web,
        Channel::Phone,
        Channel::Email,
        Channel::FaceToFace,
        Channel::Sms,
        Channel::Social,
        Channel::Chat,
    ]
    .choose(rng)
    .expect("not empty")
}

fn reference(rng: &mut StdRng) -> Reference {
    Reference::from_payload(std::array::from_fn::<u32, PAYLOAD_LEN, _>(|_| {
        rng.random_range(0..29)
    }))
}

fn resident(rng: &mut StdRng, n: usize) -> ContactDetails {
    let first = FIRST.choose(rng).expect("not empty");
    let last = LAST.choose(rng).expect("not empty");
    let email = rng.random_bool(0.7).then(|| {
        format!(
            "{}.{}{n}@example.com",
            first.to_lowercase(),
            last.to_lowercase().replace('\'', "")
        )
    });
    let phone = rng
        .random_bool(0.5)
        .then(|| format!("07700 900{:03}", rng.random_range(0..1000)));
    ContactDetails {
        name: format!("{first} {last}"),
        email: email.and_then(|e| Email::parse(&e).ok()),
        phone: phone.and_then(|p| UkPhone::parse(&p).ok()),
        postcode: Postcode::parse(POSTCODES.choose(rng).expect("not empty")).ok(),
    }
}

fn answers_for(
    rng: &mut StdRng,
    service: &Service,
    received_at: Timestamp,
    places: &[Place],
) -> BTreeMap<String, Answer> {
    service
        .fields
        .iter()
        .filter_map(|f| {
            let answer = match f.kind {
                FieldKind::Location => street_place(rng, service, places).map(Answer::Location),
                _ => answer(rng, f, received_at),
            };
            answer.map(|a| (f.id.clone(), a))
        })
        .collect()
}

/// A home's address for services about a home; for street problems, a spot a few metres
/// from an address, described as residents do.
fn street_place(rng: &mut StdRng, service: &Service, places: &[Place]) -> Option<Place> {
    let place = places.choose(rng)?.clone();
    if !service.public_map {
        return Some(place);
    }
    let near = place.point?;
    let point = Point::new(
        near.lat() + rng.random_range(-0.0002..0.0002),
        near.lon() + rng.random_range(-0.0003..0.0003),
    )
    .ok()?;
    Some(Place {
        point: Some(point),
        uprn: None,
        description: Some(format!(
            "Near {}",
            place.address.as_deref().unwrap_or("the corner")
        )),
        address: None,
        ..place
    })
}

fn answer(rng: &mut StdRng, field: &Field, received_at: Timestamp) -> Option<Answer> {
    let received = frontdoor_domain::calendar::london_date(received_at);
    let answer = match field.kind {
        FieldKind::Location => return None,
        FieldKind::Choice => Answer::Choice(field.choices.choose(rng)?.clone()),
        FieldKind::YesNo => Answer::YesNo(rng.random_bool(0.5)),
        FieldKind::Date => {
            let days = i64::from(rng.random_range(0..10u8));
            let shift = if field.date_rule == Some(DateRule::TodayOrFuture) {
                days
            } else {
                -days
            };
            Answer::Date(received.checked_add(jiff::Span::new().days(shift)).ok()?)
        }
        FieldKind::Address => Answer::Address(Address {
            line1: format!("{} {}", rng.random_range(1..120), STREETS.choose(rng)?),
            line2: None,
            town: "Demo Town".into(),
            postcode: Postcode::parse(POSTCODES.choose(rng)?).ok()?,
        }),
        FieldKind::Email => Answer::Email(Email::parse("resident@example.com").ok()?),
        FieldKind::Phone => Answer::Phone(UkPhone::parse("07700 900123").ok()?),
        FieldKind::Postcode => Answer::Postcode(Postcode::parse(POSTCODES.choose(rng)?).ok()?),
        FieldKind::Text | FieldKind::LongText => Answer::Text(demo_text(rng, field)),
    };
    Some(answer)
}

fn demo_text(rng: &mut StdRng, field: &Field) -> String {
    let text = match field.id.as_str() {
        "account-number" => format!("{:08}", rng.random_range(10_000_000..99_999_999u32)),
        "registration" => "DC12 ABC".into(),
        "pcn-number" => format!("DC{:08}", rng.random_range(0..99_999_999u32)),
        "application-number" => "26/01234/FUL".into(),
        "column-number" => format!("SL-{}", rng.random_range(1..500)),
        _ => SAYINGS.choose(rng).expect("not empty").to_string(),
    };
    text.chars().take(field.max_length.unwrap_or(200)).collect()
}

/// Moves a case along as an officer would, so the demo has cases at every stage.
async fn progress(
    store: &Store,
    rng: &mut StdRng,
    case_id: i64,
    case: &NewCase,
    (officer_id, officer): (i64, String),
    service: &Service,
    now: Timestamp,
) -> Result<()> {
    let due = frontdoor_domain::calendar::london_date(now) > case.due_by;
    let stage = rng.random_range(0..10) + if due { 4 } else { 0 };
    let mut at = case.submission.received_at;
    let mut state = CaseState::new();
    let mut step = |event: CaseEvent| {
        at = (at + SignedDuration::from_mins(rng.random_range(20..600))).min(now);
        (event, at)
    };
    let mut events = Vec::new();
    if stage >= 3 {
        events.push(step(CaseEvent::Assigned {
            officer_id,
            officer: officer.clone(),
            team: service.department.clone(),
        }));
    }
    if stage >= 5 {
        events.push(step(change_status(
            Status::Assigned,
            Status::InProgress,
            "",
        )?));
        events.push(step(add_note(
            "Checked the details and booked the work.",
            false,
        )?));
    }
    if stage >= 8 {
        events.push(step(change_status(
            Status::InProgress,
            Status::Closed,
            "Done: we have dealt with your request.",
        )?));
    }
    for (event, at) in events {
        state = store
            .append_event(case_id, &state, &event, Some(officer_id), at)
            .await?;
    }
    Ok(())
}

fn random_password() -> String {
    const WORDS: [&str; 12] = [
        "bin", "lamp", "kerb", "hub", "ledger", "parish", "mural", "verge", "gully", "depot",
        "ward", "beacon",
    ];
    let mut rng = rand::rng();
    let words: Vec<&str> = (0..3)
        .map(|_| *WORDS.choose(&mut rng).expect("not empty"))
        .collect();
    format!("{}-{}", words.join("-"), rng.random_range(1000..9999))
}

/// A random secret for the demo's inbound webhooks: 32 hex digits (128 bits).
pub fn random_secret() -> String {
    let mut rng = rand::rng();
    (0..16)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}
