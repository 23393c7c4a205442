//! Tell Us Once: from one life event, decide who must hear of it — the person's open cases,
//! every team subscribed to that kind of event in the catalogue, every back-office system
//! configured for it — and record it all, with the list the resident is shown.

use crate::error::WebError;
use crate::state::AppState;
use crate::views::long_date;
use frontdoor_domain::Text;
use frontdoor_domain::message::CaseMessage;
use frontdoor_domain::{Channel, ContactDetails, Destination, LifeEvent, Outgoing, ReplyBy};
use frontdoor_store::{TellUsOnce, Told};
use rand::Rng;
use serde_json::json;

/// How each service was told, as stored with the event (in English, for staff); the
/// resident's page translates them.
pub const ADDED_TO_CASE: &str = "added to your open request ";
pub const ASKED_TEAM: &str = "asked to update their records";
pub const SENT_TO_SYSTEM: &str = "sent to their system";

/// Records a life event, tells everyone who must hear of it, and returns its id (the
/// confirmation page reads who was told from the store). Durable when this returns.
pub async fn tell(
    state: &AppState,
    person_id: i64,
    event: LifeEvent,
    channel: Channel,
    recorded_by: Option<i64>,
    resident: Option<(&ContactDetails, Option<ReplyBy>)>,
) -> Result<i64, WebError> {
    let nonce = nonce();
    let mut told = Vec::new();
    let mut case_ids = Vec::new();
    for case in state.store.person_cases(person_id).await? {
        if case.state.status.is_open() {
            case_ids.push(case.id);
            told.push(Told {
                who: state.service_name(&case.service),
                how: format!("{ADDED_TO_CASE}{}", case.reference),
            });
        }
    }
    let tasks = team_tasks(state, &event, person_id, &mut told);
    let mut outgoing = back_office(state, &event, person_id, &nonce, &mut told);
    if let Some((contact, reply_by)) = resident {
        outgoing.extend(confirmation(
            state, contact, reply_by, &told, &event, &nonce,
        ));
    }
    let plan = TellUsOnce {
        person_id,
        event,
        channel,
        recorded_by,
        case_ids,
        tasks,
        told,
        outgoing,
    };
    let id = state.store.record_life_event(&plan).await?;
    tracing::info!(
        person.id = person_id,
        life_event = plan.event.kind().as_str(),
        told = plan.told.len(),
        "told once"
    );
    Ok(id)
}

fn team_tasks(
    state: &AppState,
    event: &LifeEvent,
    person_id: i64,
    told: &mut Vec<Told>,
) -> Vec<(String, String)> {
    state
        .catalogue
        .teams
        .iter()
        .filter(|t| t.tell_us_once.contains(&event.kind()))
        .map(|team| {
            told.push(Told {
                who: team.name.clone(),
                how: ASKED_TEAM.into(),
            });
            let text = format!(
                "Tell Us Once: {}. Update your records for resident {person_id}.",
                event.describe()
            );
            (team.slug.clone(), text)
        })
        .collect()
}

fn back_office(
    state: &AppState,
    event: &LifeEvent,
    person_id: i64,
    nonce: &str,
    told: &mut Vec<Told>,
) -> Vec<Outgoing> {
    state
        .settings
        .back_office
        .iter()
        .filter(|system| system.events.contains(&event.kind()))
        .map(|system| {
            told.push(Told {
                who: system.name.clone(),
                how: SENT_TO_SYSTEM.into(),
            });
            let body = json!({
                "council": state.catalogue.council.id,
                "person_id": person_id,
                "event": event,
                "description": event.describe(),
            });
            Outgoing {
                key: format!("tuo-{nonce}-{}", slug(&system.name)),
                destination: Destination::Webhook {
                    system: system.name.clone(),
                    url: system.url.clone(),
                },
                subject: format!("Tell Us Once: {}", event.kind().label()),
                body: body.to_string(),
            }
        })
        .collect()
}

fn confirmation(
    state: &AppState,
    contact: &ContactDetails,
    reply_by: Option<ReplyBy>,
    told: &[Told],
    event: &LifeEvent,
    nonce: &str,
) -> Option<Outgoing> {
    // Sent while the resident's request is answered, so in the language they are using.
    let language = crate::locale::current();
    let council = &state.local_catalogue().council.name;
    let message = CaseMessage {
        council,
        reference: "",
        service: event.kind().label(),
        contact,
        reply_by,
        language,
    };
    let destination = message.primary()?;
    let list: Vec<String> = told
        .iter()
        .map(|t| told_locally(state, t))
        .map(|t| format!("- {}: {}", t.who, t.how))
        .collect();
    let kind = format!("life_event.{}", event.kind().as_str());
    let body = Text::new("message.told_us_letter")
        .with("name", &contact.name)
        .with("what", describe(event))
        .with("told", list.join("\n"))
        .with("council", council);
    Some(Outgoing {
        key: format!("tuo-{nonce}-ack"),
        destination,
        subject: Text::new("message.told_us_subject")
            .with_key("event", kind)
            .render(language),
        body: body.render(language),
    })
}

/// The change, as the resident reads it, with dates in their language.
pub fn describe(event: &LifeEvent) -> String {
    let text = match event {
        LifeEvent::ChangeOfAddress {
            address,
            postcode,
            from,
        } => Text::new("tell_us_once.moved")
            .with("address", address)
            .with("postcode", postcode)
            .with("date", long_date(*from)),
        LifeEvent::ChangeOfName { name, from } => Text::new("tell_us_once.renamed")
            .with("name", name)
            .with("date", long_date(*from)),
        LifeEvent::Death {
            date_of_death,
            told_by,
        } => Text::new("tell_us_once.died")
            .with("date", long_date(*date_of_death))
            .with("told_by", told_by),
    };
    text.render(crate::locale::current())
}

/// Who was told and how, in the resident's language. What was told is stored in the
/// catalogue's (English) words when the event happens; the page puts it back into Welsh.
pub fn told_locally(state: &AppState, told: &Told) -> Told {
    let local = state.local_catalogue();
    let who = match (
        state
            .catalogue
            .services
            .iter()
            .position(|s| s.name == told.who),
        state
            .catalogue
            .teams
            .iter()
            .position(|t| t.name == told.who),
    ) {
        (Some(i), _) => local.services[i].name.clone(),
        (None, Some(i)) => local.teams[i].name.clone(),
        (None, None) => told.who.clone(),
    };
    let how = match told.how.strip_prefix(ADDED_TO_CASE) {
        Some(reference) => Text::new("tell_us_once.how_case").with("reference", reference),
        None if told.how == ASKED_TEAM => Text::new("tell_us_once.how_team"),
        None if told.how == SENT_TO_SYSTEM => Text::new("tell_us_once.how_system"),
        None => Text::untranslated(told.how.clone()),
    };
    Told {
        who,
        how: how.render(crate::locale::current()),
    }
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn nonce() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}
