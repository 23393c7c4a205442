//! Tell Us Once: from one life event, decide who must hear of it — the person's open cases,
//! every team subscribed to that kind of event in the catalogue, every back-office system
//! configured for it — and record it all, with the list the resident is shown.

use crate::error::WebError;
use crate::state::AppState;
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
    let message = CaseMessage {
        council: &state.catalogue.council.name,
        reference: "",
        service: event.kind().label(),
        contact,
        reply_by,
    };
    let destination = message.primary()?;
    let list: Vec<String> = told
        .iter()
        .map(|t| format!("- {}: {}", t.who, t.how))
        .collect();
    let body = format!(
        "Dear {},\n\nThank you for telling us: {}.\n\nWe have told:\n{}\n\n{}",
        contact.name,
        event.describe(),
        list.join("\n"),
        state.catalogue.council.name
    );
    Some(Outgoing {
        key: format!("tuo-{nonce}-ack"),
        destination,
        subject: format!("You told us: {}", event.kind().label().to_lowercase()),
        body,
    })
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
