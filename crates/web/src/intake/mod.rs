//! Every channel in: email (webhook, SMTP, CLI), SMS and social webhooks, web chat. Each
//! message becomes a contact the same way — threaded onto its case when it quotes a
//! reference, else triaged into a new case — and anything that cannot be read is kept
//! whole in quarantine.

mod channels;
mod webhooks;

use channels::{chat_inbound, email_inbound, sms_inbound, social_inbound};

pub use webhooks::routes;

use crate::error::WebError;
use crate::state::AppState;
use crate::triage::{FreeText, MAX_TEXT_CHARS, open_free_text_case_with};
use frontdoor_domain::{Channel, ContactDetails, ContactMeta, Reference, Submission};
use frontdoor_intake::{InboundEmail, find_reference};
use frontdoor_store::{CaseDetail, StoreError};
use jiff::Timestamp;
use serde::Serialize;

/// What happened to one inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Intake {
    /// A new case was opened.
    Opened { reference: String, service: String },
    /// The message quoted a case's reference and was added to it.
    Threaded { reference: String },
    /// The channel sent this message before; nothing new was stored.
    Duplicate { reference: String },
    /// The message could not be read and is kept in quarantine.
    Quarantined { id: i64, reason: String },
}

impl Intake {
    /// One line for a CLI or an SMTP reply.
    pub fn describe(&self) -> String {
        match self {
            Intake::Opened { reference, service } => format!("opened {reference} ({service})"),
            Intake::Threaded { reference } => format!("added to {reference}"),
            Intake::Duplicate { reference } => format!("already received as {reference}"),
            Intake::Quarantined { id, reason } => format!("quarantined as {id}: {reason}"),
        }
    }
}

/// A message from any channel, read.
struct Inbound<'a> {
    channel: Channel,
    contact: ContactDetails,
    meta: ContactMeta,
    /// Where to look for a case reference.
    subject: &'a str,
    search_text: &'a str,
    /// The words triage reads.
    triage_text: String,
    /// What the contact keeps.
    summary: String,
}

/// Reads a raw email and files it; an unreadable message is quarantined, not refused.
/// The sender's address is trusted only if the message proves it (see `SenderCheck`).
pub async fn ingest_email(state: &AppState, raw: &[u8]) -> Result<Intake, WebError> {
    let email = match frontdoor_intake::parse_email(raw) {
        Ok(email) => email,
        Err(why) => return quarantine(state, Channel::Email, &why.to_string(), raw).await,
    };
    let proof = state.senders.check(raw, email.from_address.as_str()).await;
    tracing::info!(
        email.sender_proven = proof.is_proven(),
        "email sender checked"
    );
    if email.automatic {
        automatic(state, &email, proof.is_proven(), raw).await
    } else {
        receive(state, email_inbound(&email, proof.is_proven())).await
    }
}

/// An out-of-office reply or a bounce is kept on its case, unanswered (answering could start
/// a mail loop); one about no known case is kept in quarantine for a person to look at.
async fn automatic(
    state: &AppState,
    email: &InboundEmail,
    proven: bool,
    raw: &[u8],
) -> Result<Intake, WebError> {
    let inbound = email_inbound(email, proven);
    if let Some(reference) = find_reference(&email.subject, &email.full_text)
        && let Some(intake) = thread(state, &reference, &inbound, false).await?
    {
        return Ok(intake);
    }
    let why = "an automatic reply or delivery report that is not about a known case";
    quarantine(state, Channel::Email, why, raw).await
}

/// Files a read message: a redelivery is recognised, a quoted reference threads, anything
/// else is triaged into a new case. Durable when this returns.
async fn receive(state: &AppState, inbound: Inbound<'_>) -> Result<Intake, WebError> {
    if let Some(id) = &inbound.meta.external_id
        && let Some(reference) = state
            .store
            .case_for_external_id(inbound.channel, id)
            .await?
    {
        return Ok(Intake::Duplicate {
            reference: reference.to_string(),
        });
    }
    let quoted = find_reference(inbound.subject, inbound.search_text);
    let replied_to = match quoted {
        Some(reference) => Some(reference),
        None => texted_case(state, &inbound).await?,
    };
    if let Some(reference) = replied_to
        && let Some(intake) = thread(state, &reference, &inbound, true).await?
    {
        return Ok(intake);
    }
    open(state, inbound).await
}

/// How long after our last text a text back counts as a reply to it.
const TEXT_REPLY_DAYS: i64 = 14;

/// A text with no reference, from a number we texted about exactly one open case lately,
/// is a reply about that case. With several open cases it is not clear which: a new case.
async fn texted_case(
    state: &AppState,
    inbound: &Inbound<'_>,
) -> Result<Option<Reference>, WebError> {
    let Some(phone) = inbound
        .contact
        .phone
        .as_ref()
        .filter(|_| inbound.channel == Channel::Sms)
    else {
        return Ok(None);
    };
    let since = Timestamp::now() - jiff::SignedDuration::from_hours(24 * TEXT_REPLY_DAYS);
    let cases = state.store.open_cases_texted(phone.as_str(), since).await?;
    Ok(match cases.as_slice() {
        [only] => Some(*only),
        _ => None,
    })
}

/// Adds the message to the case it quotes, if there is such a case; `answer` sends the
/// resident word that it was added.
async fn thread(
    state: &AppState,
    reference: &Reference,
    inbound: &Inbound<'_>,
    answer: bool,
) -> Result<Option<Intake>, WebError> {
    let Some(case) = state.store.case_by_reference(reference).await? else {
        return Ok(None);
    };
    let submission = Submission {
        service: case.summary.service.clone(),
        channel: inbound.channel,
        received_at: Timestamp::now(),
        answers: Default::default(),
        contact: inbound.contact.clone(),
        summary: Some(inbound.summary.clone()),
        meta: inbound.meta.clone(),
    };
    let n = case.events.len();
    let reply_by = inbound.meta.reply_by;
    // Word goes back only to a sender the channel proves, and only about the case they
    // wrote from themselves or about an unrestricted service: a forged From: would send
    // the real resident news of a message they never wrote, and a stranger who quotes a
    // reference learns nothing of the case.
    let answer = answer && may_answer(state, &case, inbound);
    let outgoing: Vec<_> =
        crate::notices::message_added(state, &case, &inbound.contact, reply_by, n)
            .filter(|_| answer)
            .into_iter()
            .collect();
    match state
        .store
        .add_message_to_case(case.summary.id, &submission, &outgoing)
        .await
    {
        Ok(_) | Err(StoreError::DuplicateContact) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(case.reference = %reference, contact.channel = %inbound.channel, "message threaded onto case");
    Ok(Some(Intake::Threaded {
        reference: reference.to_string(),
    }))
}

fn may_answer(state: &AppState, case: &CaseDetail, inbound: &Inbound<'_>) -> bool {
    let proven = inbound.meta.email_verified || inbound.meta.phone_verified;
    let own = inbound.contact.email.is_some() && inbound.contact.email == case.contact.email
        || inbound.contact.phone.is_some() && inbound.contact.phone == case.contact.phone;
    let restricted = state
        .catalogue
        .owner(&case.summary.service, &case.summary.team)
        .restricted;
    proven && (own || !restricted)
}

async fn open(state: &AppState, inbound: Inbound<'_>) -> Result<Intake, WebError> {
    let triage_text: String = inbound.triage_text.chars().take(MAX_TEXT_CHARS).collect();
    let channel = inbound.channel;
    let external_id = inbound.meta.external_id.clone();
    let words = FreeText {
        triage_text: &triage_text,
        summary: inbound.summary,
        meta: inbound.meta,
    };
    match open_free_text_case_with(state, words, channel, inbound.contact, None).await {
        Ok((case, _)) => Ok(Intake::Opened {
            reference: case.reference.to_string(),
            service: case.submission.service,
        }),
        // The same message delivered twice at once: the other delivery stored it.
        Err(WebError::Store(StoreError::DuplicateContact)) => {
            let id = external_id.unwrap_or_default();
            let reference = state.store.case_for_external_id(channel, &id).await?;
            let reference = reference.ok_or(WebError::Store(StoreError::DuplicateContact))?;
            Ok(Intake::Duplicate {
                reference: reference.to_string(),
            })
        }
        Err(e) => Err(e),
    }
}

async fn quarantine(
    state: &AppState,
    channel: Channel,
    reason: &str,
    raw: &[u8],
) -> Result<Intake, WebError> {
    let id = state.store.quarantine(channel, reason, raw).await?;
    // The reason can quote the sender's address: it is stored, not logged.
    tracing::warn!(quarantine.id = id, contact.channel = %channel, "inbound message quarantined");
    Ok(Intake::Quarantined {
        id,
        reason: reason.to_owned(),
    })
}

/// Hands messages from the SMTP listener to `ingest_email`.
pub struct SmtpSink(pub AppState);

impl frontdoor_intake::smtp::MailSink for SmtpSink {
    async fn deliver(&self, raw: Vec<u8>) -> Result<String, String> {
        ingest_email(&self.0, &raw)
            .await
            .map(|intake| intake.describe())
            .map_err(|e| {
                tracing::error!(error = %e, "SMTP message not stored");
                "could not store the message; try again later".to_owned()
            })
    }
}
