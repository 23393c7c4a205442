//! The actions on cases that several front ends share: open one, assign, note, change status.
//! Each asks the domain whether the change is allowed, then has the store record it.

use crate::error::WebError;
use crate::state::AppState;
use frontdoor_domain::case::{add_note, change_status};
use frontdoor_domain::reference::PAYLOAD_LEN;
use frontdoor_domain::{
    CaseError, CaseEvent, Locale, NewCase, Reference, Service, Status, Submission, Text,
};
use frontdoor_store::{CaseDetail, CaseExtras, StaffRecord, StoreError};
use jiff::Timestamp;
use rand::Rng;

/// How many fresh references to try if one drawn is already taken (1 in 17 billion each).
const REFERENCE_ATTEMPTS: usize = 5;

/// Opens a case for a submission; the case is durable when this returns.
pub async fn open_case(
    state: &AppState,
    service: &Service,
    submission: Submission,
    recorded_by: Option<i64>,
) -> Result<NewCase, WebError> {
    open_case_with(
        state,
        service,
        submission,
        recorded_by,
        &CaseExtras::default(),
    )
    .await
}

/// As `open_case`, with triage's decision or the case it is a referral from.
pub async fn open_case_with(
    state: &AppState,
    service: &Service,
    submission: Submission,
    recorded_by: Option<i64>,
    extras: &CaseExtras,
) -> Result<NewCase, WebError> {
    let mut submission = submission;
    if submission.meta.uprn.is_none()
        && let Some(home) = submission.home_address(service)
    {
        submission.meta.uprn = state
            .store
            .uprn_for_address(&home.line1, &home.postcode)
            .await?;
    }
    for _ in 0..REFERENCE_ATTEMPTS {
        let case = NewCase::open(
            service,
            submission.clone(),
            &state.calendar,
            random_reference(),
        );
        let mut outgoing = crate::notices::acknowledgement(state, &case);
        if extras.urgent {
            outgoing.extend(urgent_notice(state, &case, extras));
        }
        let extras = CaseExtras {
            outgoing,
            ..extras.clone()
        };
        match state
            .store
            .create_case_with(&case, recorded_by, &extras)
            .await
        {
            Ok(_) => {
                tracing::info!(case.reference = %case.reference, case.service = %service.slug, case.channel = %case.submission.channel, "case opened");
                return Ok(case);
            }
            Err(StoreError::DuplicateReference) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(WebError::Internal(
        "no free reference number after several attempts".into(),
    ))
}

/// The duty officer's message for an urgent case, queued with the case itself so that
/// neither exists without the other.
fn urgent_notice(
    state: &AppState,
    case: &NewCase,
    extras: &CaseExtras,
) -> Option<frontdoor_domain::Outgoing> {
    let kind = extras
        .triage
        .as_ref()
        .and_then(|t| t.decision.get("risk_kind"))
        .and_then(|k| k.as_str());
    crate::triage::duty_message(
        state,
        &case.reference.to_string(),
        &case.submission.service,
        kind,
    )
}

fn random_reference() -> Reference {
    let mut rng = rand::rng();
    let payload: [u32; PAYLOAD_LEN] = std::array::from_fn(|_| rng.random_range(0..29));
    Reference::from_payload(payload)
}

/// A change a member of staff asked for, refused by the case's rules.
#[derive(Debug)]
pub enum ChangeError {
    Refused(CaseError),
    Web(WebError),
}

impl From<WebError> for ChangeError {
    fn from(e: WebError) -> Self {
        ChangeError::Web(e)
    }
}

pub async fn assign_to(
    state: &AppState,
    case: &CaseDetail,
    officer: &StaffRecord,
) -> Result<(), ChangeError> {
    let team = state
        .catalogue
        .team(&case.summary.team)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let event = CaseEvent::Assigned {
        officer_id: officer.id,
        officer: officer.name.clone(),
        team,
    };
    record(state, case, &event, officer).await
}

pub async fn note(
    state: &AppState,
    case: &CaseDetail,
    officer: &StaffRecord,
    text: &str,
    visible: bool,
) -> Result<(), ChangeError> {
    let event = add_note(text, visible).map_err(ChangeError::Refused)?;
    record(state, case, &event, officer).await
}

pub async fn set_status(
    state: &AppState,
    case: &CaseDetail,
    officer: &StaffRecord,
    to: &str,
    outcome: &str,
) -> Result<(), ChangeError> {
    let to = Status::parse(to).map_err(ChangeError::Refused)?;
    let event =
        change_status(case.summary.state.status, to, outcome).map_err(ChangeError::Refused)?;
    record(state, case, &event, officer).await
}

/// Sends words from an officer to the resident on the resident's channel; the message is
/// on the case timeline and queued for delivery in one transaction.
pub async fn reply(
    state: &AppState,
    case: &CaseDetail,
    officer: &StaffRecord,
    text: &str,
) -> Result<(), ChangeError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ChangeError::Refused(CaseError::NoteMissing));
    }
    let to = crate::notices::reply_destination(state, case).ok_or_else(|| {
        ChangeError::Web(WebError::BadRequest(
            "This resident gave no email address or mobile number to reply to".into(),
        ))
    })?;
    let event = CaseEvent::MessageOut {
        to,
        text: text.to_owned(),
    };
    record(state, case, &event, officer).await
}

/// What the resident is told about a change, if anything: Front Door's words, to be put in
/// each reader's language, or an officer's own words as they wrote them.
fn resident_update(state: &AppState, case: &CaseDetail, event: &CaseEvent) -> Option<Text> {
    match event {
        CaseEvent::StatusChanged { .. } => {
            let team = state
                .catalogue
                .team(&case.summary.team)
                .map(|t| t.name.as_str())
                .unwrap_or_default();
            Some(event.for_resident(team))
        }
        CaseEvent::MessageOut { text, .. } => Some(Text::untranslated(text.clone())),
        CaseEvent::Note {
            text,
            visible_to_resident: true,
        } => Some(Text::untranslated(text.clone())),
        _ => None,
    }
}

/// The update for the resident (unless the council has been told they have died: it
/// writes to them no more) and, for a status change, for everyone following the case.
async fn updates(
    state: &AppState,
    case: &CaseDetail,
    event: &CaseEvent,
    what: &Text,
    survey: Option<&Text>,
) -> Result<Vec<frontdoor_domain::Outgoing>, ChangeError> {
    let n = case.events.len();
    let deceased = state
        .store
        .person_deceased(case.person_id)
        .await
        .map_err(|e| ChangeError::Web(e.into()))?;
    // Only the resident who raised the case is asked how it went, not its followers. Each
    // reads it in their language: the resident in the one they used, followers in English
    // (Front Door does not know theirs).
    let language = case.language;
    let own = match survey {
        Some(line) => format!("{}\n\n{}", what.render(language), line.render(language)),
        None => what.render(language),
    };
    let mut outgoing: Vec<_> = (!deceased)
        .then(|| crate::notices::update(state, case, &own, n))
        .flatten()
        .into_iter()
        .collect();
    if matches!(event, CaseEvent::StatusChanged { .. }) {
        let what = what.render(Locale::En);
        let followers = crate::notices::follower_updates(state, case, &what, n).await;
        outgoing.extend(followers.map_err(ChangeError::Web)?);
    }
    Ok(outgoing)
}

/// When a change closes a case, a satisfaction survey link for the resident: stored (as
/// a hash) before the change, so the link in the closing message always works.
async fn offer_survey(
    state: &AppState,
    case: &CaseDetail,
    event: &CaseEvent,
) -> Result<Option<Text>, ChangeError> {
    let CaseEvent::StatusChanged { from, to, .. } = event else {
        return Ok(None);
    };
    if !from.is_open() || to.is_open() {
        return Ok(None);
    }
    let token = crate::session::random_token();
    state
        .store
        .offer_survey(
            case.summary.id,
            &crate::session::hash_token(&token),
            Timestamp::now(),
        )
        .await
        .map_err(|e| ChangeError::Web(e.into()))?;
    let url = state.settings.public_url.trim_end_matches('/');
    let link = format!("{url}/feedback/{token}");
    Ok(Some(Text::new("message.survey").with("link", link)))
}

async fn record(
    state: &AppState,
    case: &CaseDetail,
    event: &CaseEvent,
    officer: &StaffRecord,
) -> Result<(), ChangeError> {
    let survey = offer_survey(state, case, event).await?;
    let outgoing = match resident_update(state, case, event) {
        Some(what) => updates(state, case, event, &what, survey.as_ref()).await?,
        None => Vec::new(),
    };
    state
        .store
        .append_event_with(
            case.summary.id,
            &case.summary.state,
            event,
            Some(officer.id),
            Timestamp::now(),
            &outgoing,
        )
        .await
        .map_err(|e| ChangeError::Web(e.into()))?;
    tracing::info!(case.reference = %case.summary.reference, case.event = event.kind(), staff.id = officer.id, "case changed");
    Ok(())
}
