//! Free text through triage: open a case where the model routes it, hold it for a person
//! when the model is unsure, and let staff re-route (kept as a correction) or open the
//! referrals the model suggests as linked cases.

use crate::casework::{ChangeError, open_case_with};
use crate::error::WebError;
use crate::state::AppState;
use frontdoor_domain::{CaseError, Channel, ContactDetails, ContactMeta, NewCase, Submission};
use frontdoor_store::{
    CaseDetail, CaseExtras, LinkedFrom, NewCorrection, NewLabel, Reroute, RiskReview, StaffRecord,
    TriageRecord,
};
use frontdoor_triage::{Triage, Urgency};
use jiff::Timestamp;

/// The most a resident may write in one free-text contact.
pub const MAX_TEXT_CHARS: usize = 5000;

/// What went wrong with free text before it reached triage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
    /// A control character (a NUL, an escape) that no one types on purpose.
    Hidden,
}

impl TextProblem {
    /// In English, for the API and console.
    pub fn message(&self) -> String {
        self.text().to_string()
    }

    pub fn text(&self) -> frontdoor_domain::Text {
        use frontdoor_domain::Text;
        match self {
            TextProblem::Empty => Text::new("contact_us.message_missing"),
            TextProblem::TooLong => {
                Text::new("contact_us.message_too_long").with("limit", MAX_TEXT_CHARS)
            }
            TextProblem::Hidden => Text::new("contact_us.message_hidden"),
        }
    }
}

pub fn check_text(text: &str) -> Result<String, TextProblem> {
    let text = frontdoor_domain::typed::many_lines(text).map_err(|_| TextProblem::Hidden)?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        Err(TextProblem::Empty)
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Err(TextProblem::TooLong)
    } else {
        Ok(text)
    }
}

/// Triage a contact and open its case: at the service triage chose, urgent if it is, and
/// waiting in the triage queue if triage was unsure. Durable when this returns.
pub async fn open_free_text_case(
    state: &AppState,
    text: &str,
    channel: Channel,
    contact: ContactDetails,
    recorded_by: Option<i64>,
) -> Result<(NewCase, Triage), WebError> {
    let words = FreeText {
        triage_text: text,
        summary: text.to_owned(),
        meta: Default::default(),
    };
    open_free_text_case_with(state, words, channel, contact, recorded_by).await
}

/// What a resident wrote, as triage reads it and as the case keeps it.
pub struct FreeText<'a> {
    /// The words triage routes on (for an email: subject and new text, without quotes).
    pub triage_text: &'a str,
    /// Everything kept on the contact (for a chat: the whole transcript).
    pub summary: String,
    pub meta: ContactMeta,
}

/// As `open_free_text_case`, for channels that know more than the words.
pub async fn open_free_text_case_with(
    state: &AppState,
    words: FreeText<'_>,
    channel: Channel,
    contact: ContactDetails,
    recorded_by: Option<i64>,
) -> Result<(NewCase, Triage), WebError> {
    let triage = state.triage.triage(words.triage_text, channel.as_str());
    let service = state
        .catalogue
        .service(&triage.service)
        .ok_or_else(|| WebError::Internal("triage chose a service the catalogue lacks".into()))?;
    let submission = Submission {
        service: service.slug.clone(),
        channel,
        received_at: Timestamp::now(),
        answers: Default::default(),
        contact,
        summary: Some(words.summary),
        meta: words.meta,
    };
    let extras = CaseExtras {
        urgent: triage.urgent,
        risk_check: triage.check_for_risk,
        awaiting_triage: triage.needs_review,
        triage: Some(TriageRecord {
            model_id: state.triage.info().id.clone(),
            decision: serde_json::to_value(&triage)
                .map_err(|e| WebError::Internal(e.to_string()))?,
        }),
        linked_from: None,
        outgoing: vec![],
    };
    let case = open_case_with(state, service, submission, recorded_by, &extras).await?;
    tracing::info!(
        case.reference = %case.reference,
        triage.service = %triage.service,
        triage.confidence = triage.confidence,
        triage.urgent = triage.urgent,
        triage.needs_review = triage.needs_review,
        "free-text contact triaged"
    );
    Ok((case, triage))
}

/// The decision stored with a case, if triage made one.
pub async fn decision(
    state: &AppState,
    case_id: i64,
) -> Result<Option<(String, Triage)>, WebError> {
    let Some(record) = state.store.triage_decision(case_id).await? else {
        return Ok(None);
    };
    let triage: Triage = serde_json::from_value(record.decision)
        .map_err(|e| WebError::Internal(format!("stored triage decision unreadable: {e}")))?;
    Ok(Some((record.model_id, triage)))
}

/// Sends a case to `to_service`. Choosing the service the case is already at just takes
/// it out of the triage queue; choosing another records a correction of the model.
pub async fn route(
    state: &AppState,
    case: &CaseDetail,
    staff: &StaffRecord,
    to_service: &str,
) -> Result<(), ChangeError> {
    let summary = &case.summary;
    let service = state
        .catalogue
        .service(to_service)
        .ok_or(ChangeError::Refused(CaseError::UnknownService))?;
    let decided = decision(state, summary.id).await?;
    let text = state
        .store
        .first_contact_text(summary.id)
        .await
        .map_err(web)?;
    let channel = summary.channel.as_str();
    let correction = decided.as_ref().map(|(model_id, triage)| NewCorrection {
        channel,
        text: &text,
        model_service: &triage.service,
        model_id,
        urgency: urgency_now(summary).as_str(),
    });
    if service.slug == summary.service {
        let label = correction.map(|correction| NewLabel {
            case_id: summary.id,
            correction,
            service: &service.slug,
            decision: "confirmed",
            risk: "",
            staff_id: staff.id,
            at: Timestamp::now(),
        });
        state
            .store
            .confirm_triage(summary.id, label.as_ref())
            .await
            .map_err(web)?;
        return Ok(());
    }
    let team_name = state
        .catalogue
        .team(&service.team)
        .map(|t| t.name.as_str())
        .unwrap_or(&service.team);
    let reroute = Reroute {
        case_id: summary.id,
        before: &summary.state,
        from_service: &summary.service,
        to_service: &service.slug,
        to_team: &service.team,
        to_team_name: team_name,
        due_by: state
            .calendar
            .due_by(summary.created_at, service.sla_working_days),
        actor: staff.id,
        at: Timestamp::now(),
        correction,
    };
    state.store.reroute_case(&reroute).await.map_err(web)?;
    tracing::info!(case.reference = %summary.reference, case.service = %service.slug, staff.id = staff.id, "case rerouted");
    Ok(())
}

/// How urgent a case is as it stands: what a label records when a person acts on it.
fn urgency_now(summary: &frontdoor_store::CaseSummary) -> Urgency {
    if summary.urgent {
        Urgency::Urgent
    } else if summary.risk_check {
        Urgency::Check
    } else {
        Urgency::No
    }
}

/// What a person decided when they read a contact for risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskDecision {
    Urgent,
    NoRisk,
}

/// A person read a case for risk: it becomes urgent (and the duty officer is told) or
/// leaves the check queue; either way the decision, with the kind of risk the person
/// saw, is kept to teach the next model.
pub async fn review_risk(
    state: &AppState,
    case: &CaseDetail,
    staff: &StaffRecord,
    decided: RiskDecision,
    kind: &str,
) -> Result<(), WebError> {
    let summary = &case.summary;
    // Only a kind the model knows is kept, and only with "urgent".
    let known = state.triage.risk_kinds().iter().any(|k| k.name == kind);
    let kind = if known && decided == RiskDecision::Urgent {
        kind
    } else {
        ""
    };
    let text = state.store.first_contact_text(summary.id).await?;
    let model = decision(state, summary.id).await?;
    let model_service = model
        .as_ref()
        .map_or(summary.service.clone(), |(_, t)| t.service.clone());
    let model_id = model.map_or_else(String::new, |(id, _)| id);
    let urgent = decided == RiskDecision::Urgent;
    let reference = summary.reference.to_string();
    let outgoing = if urgent && !summary.urgent {
        duty_message(state, &reference, &summary.service, None)
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let review = RiskReview {
        case_id: summary.id,
        urgent,
        label: NewLabel {
            case_id: summary.id,
            correction: NewCorrection {
                channel: summary.channel.as_str(),
                text: &text,
                model_service: &model_service,
                model_id: &model_id,
                urgency: if urgent { Urgency::Urgent } else { Urgency::No }.as_str(),
            },
            service: &summary.service,
            decision: "urgency",
            risk: kind,
            staff_id: staff.id,
            at: Timestamp::now(),
        },
        outgoing,
    };
    state.store.review_risk(&review).await?;
    tracing::info!(case.reference = %summary.reference, staff.id = staff.id, risk.urgent = urgent, "risk reviewed");
    Ok(())
}

/// The message that tells the duty officer of an urgent contact, through the outbox.
/// It names the case and the kind of risk, never what the resident wrote or who they
/// are: the officer reads those in the console, where the reading is audited.
pub(crate) fn duty_message(
    state: &AppState,
    reference: &str,
    service: &str,
    kind: Option<&str>,
) -> Option<frontdoor_domain::Outgoing> {
    let address = state.catalogue.council.duty_email.clone()?;
    let link = format!(
        "{}/console/cases/{reference}",
        state.settings.public_url.trim_end_matches('/')
    );
    let kind = kind.map_or(String::new(), |k| {
        format!(" Kind of risk: {}.", k.replace('-', " "))
    });
    Some(frontdoor_domain::Outgoing {
        key: format!("duty-{reference}"),
        destination: frontdoor_domain::Destination::Email { address },
        subject: format!("Urgent contact {reference}: someone may be at risk"),
        body: format!(
            "A contact has been marked urgent, by triage or by a member of staff, and is with {}.{kind}\n\nRead it now in the console: {link}\n\nThe case is first in every queue until someone closes it.",
            state.service_name(service)
        ),
    })
}

/// Opens a linked case at `service` for the same resident and the same words: a referral.
pub async fn open_referral(
    state: &AppState,
    case: &CaseDetail,
    staff: &StaffRecord,
    service: &str,
) -> Result<NewCase, ChangeError> {
    let service = state
        .catalogue
        .service(service)
        .ok_or(ChangeError::Refused(CaseError::UnknownService))?;
    let text = state
        .store
        .first_contact_text(case.summary.id)
        .await
        .map_err(web)?;
    let submission = Submission {
        service: service.slug.clone(),
        channel: case.summary.channel,
        received_at: Timestamp::now(),
        answers: Default::default(),
        contact: case.contact.clone(),
        summary: Some(text),
        meta: Default::default(),
    };
    let extras = CaseExtras {
        linked_from: Some(LinkedFrom {
            case_id: case.summary.id,
            reference: case.summary.reference,
            service: case.summary.service.clone(),
        }),
        ..CaseExtras::default()
    };
    Ok(open_case_with(state, service, submission, Some(staff.id), &extras).await?)
}

fn web(e: frontdoor_store::StoreError) -> ChangeError {
    ChangeError::Web(e.into())
}
