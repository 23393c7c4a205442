//! Cases: the state machine every case follows, and the events that make its timeline.
//!
//! A case never changes in place: each change is an event appended to its history, and
//! the case's current state is derived from them (the store keeps that as a projection).

use crate::calendar::WorkingCalendar;
use crate::catalogue::Service;
use crate::channel::Channel;
use crate::form::Answer;
use crate::i18n::Text;
use crate::reference::Reference;
use crate::resident::ContactDetails;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    New,
    Triaged,
    Assigned,
    InProgress,
    AwaitingResident,
    Resolved,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("A case that is {} cannot move to {}", .from.label().to_lowercase(), .to.label().to_lowercase())]
    NotAllowed { from: Status, to: Status },
    #[error("Enter the outcome of the case")]
    OutcomeMissing,
    #[error("Enter the note")]
    NoteMissing,
    #[error("Notes must be 5000 characters or fewer")]
    NoteTooLong,
    #[error("Unknown status '{0}'")]
    UnknownStatus(String),
    #[error("Select a service from the list")]
    UnknownService,
    #[error("Select whether someone is at risk")]
    RiskDecisionMissing,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::New,
        Status::Triaged,
        Status::Assigned,
        Status::InProgress,
        Status::AwaitingResident,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Triaged => "triaged",
            Status::Assigned => "assigned",
            Status::InProgress => "in-progress",
            Status::AwaitingResident => "awaiting-resident",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Result<Self, CaseError> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| CaseError::UnknownStatus(text.to_owned()))
    }

    /// The words a resident sees on the tracking page.
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "Received",
            Status::Triaged => "Sent to the right team",
            Status::Assigned => "Assigned to an officer",
            Status::InProgress => "In progress",
            Status::AwaitingResident => "Waiting for your reply",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }

    /// The key of the status as residents read it (`status.in-progress`).
    pub fn key(self) -> String {
        format!("status.{}", self.as_str())
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// Whether the move needs an outcome recorded for the resident.
    pub fn needs_outcome(self) -> bool {
        !self.is_open()
    }

    /// The moves the council's process allows from this status.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Triaged, Assigned, InProgress, Resolved, Closed],
            Triaged => &[Assigned, InProgress, Resolved, Closed],
            Assigned => &[InProgress, AwaitingResident, Resolved, Closed],
            InProgress => &[AwaitingResident, Resolved, Closed],
            AwaitingResident => &[InProgress, Resolved, Closed],
            // Reopening: a resolved or closed case goes back to being worked on.
            Resolved => &[InProgress, Closed],
            Closed => &[InProgress],
        }
    }

    pub fn can_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to a case, as appended to its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CaseEvent {
    Created {
        channel: Channel,
        service: String,
    },
    Assigned {
        officer_id: i64,
        officer: String,
        team: String,
    },
    Note {
        text: String,
        visible_to_resident: bool,
    },
    StatusChanged {
        from: Status,
        to: Status,
        outcome: Option<String>,
    },
    /// Sent to another service (and its team), by a person or by triage.
    Rerouted {
        from: String,
        to: String,
        team: String,
    },
    /// Joined to another case raised for the same resident: a referral.
    Linked {
        reference: String,
        service: String,
    },
    /// Another resident reported the same problem and follows this case instead.
    Followed {
        channel: Channel,
    },
    /// The resident wrote again on this case (a reply quoting its reference).
    MessageIn {
        channel: Channel,
    },
    /// An officer replied to the resident on the resident's channel.
    MessageOut {
        to: String,
        text: String,
    },
    /// The resident told the council once of a change in their life (Tell Us Once).
    LifeEvent {
        event: crate::LifeEvent,
    },
    /// A person read the contact for risk and decided how urgent it is: "urgent",
    /// "check" (still to be read) or "no" (no one at risk).
    RiskReviewed {
        urgency: String,
    },
}

impl CaseEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            CaseEvent::Created { .. } => "created",
            CaseEvent::Assigned { .. } => "assigned",
            CaseEvent::Note { .. } => "note",
            CaseEvent::StatusChanged { .. } => "status-changed",
            CaseEvent::Rerouted { .. } => "rerouted",
            CaseEvent::Linked { .. } => "linked",
            CaseEvent::Followed { .. } => "followed",
            CaseEvent::MessageIn { .. } => "message-in",
            CaseEvent::MessageOut { .. } => "message-out",
            CaseEvent::LifeEvent { .. } => "life-event",
            CaseEvent::RiskReviewed { .. } => "risk-reviewed",
        }
    }

    /// How the event reads on the resident's tracking page: officers' names and internal
    /// notes stay inside the council, but the resident still sees that something changed.
    pub fn for_resident(&self, team_name: &str) -> Text {
        let channel = |key: &'static str, channel: &crate::Channel| {
            Text::new(key).with_key("channel", format!("channel.{}", channel.as_str()))
        };
        match self {
            CaseEvent::Created { channel: c, .. } => channel("event.created", c),
            CaseEvent::Assigned { .. } => Text::new("event.assigned").with("team", team_name),
            CaseEvent::Note {
                text,
                visible_to_resident: true,
            } => Text::new("event.update").with("text", text),
            CaseEvent::Note {
                visible_to_resident: false,
                ..
            } => Text::new("event.notes"),
            CaseEvent::StatusChanged {
                to,
                outcome: Some(outcome),
                ..
            } => Text::new("event.status_outcome")
                .with_key("status", to.key())
                .with("outcome", outcome),
            CaseEvent::StatusChanged {
                to, outcome: None, ..
            } => Text::new("event.status").with_key("status", to.key()),
            CaseEvent::Rerouted { team, .. } => Text::new("event.rerouted").with("team", team),
            CaseEvent::Linked { reference, .. } => {
                Text::new("event.linked").with("reference", reference)
            }
            CaseEvent::Followed { .. } => Text::new("event.followed"),
            CaseEvent::MessageIn { channel: c } => channel("event.message_in", c),
            CaseEvent::MessageOut { text, .. } => Text::new("event.message_out").with("text", text),
            CaseEvent::LifeEvent { event } => Text::new("event.life_event")
                .with_key("event", format!("life_event.{}", event.kind().as_str())),
            // A risk judgement is for staff: the resident, or whoever reads their
            // tracking page, sees only that notes were added.
            CaseEvent::RiskReviewed { .. } => Text::new("event.notes"),
        }
    }

    /// How the event reads in the staff console.
    pub fn for_staff(&self) -> String {
        match self {
            CaseEvent::Created { channel, service } => format!(
                "Case created for {service} by {}",
                channel.label().to_lowercase()
            ),
            CaseEvent::Assigned { officer, team, .. } => format!("Assigned to {officer} ({team})"),
            CaseEvent::Note {
                text,
                visible_to_resident: true,
            } => format!("Note (shown to resident): {text}"),
            CaseEvent::Note {
                text,
                visible_to_resident: false,
            } => format!("Internal note: {text}"),
            CaseEvent::StatusChanged { from, to, outcome } => {
                let base = format!("Status {} → {}", from.label(), to.label());
                match outcome {
                    Some(outcome) => format!("{base}. Outcome: {outcome}"),
                    None => base,
                }
            }
            CaseEvent::Rerouted { from, to, team } => {
                format!("Sent from {from} to {to} ({team})")
            }
            CaseEvent::Linked { reference, service } => {
                format!("Linked to case {reference} ({service})")
            }
            CaseEvent::Followed { channel } => format!(
                "Another resident reported the same problem ({}) and follows this case",
                channel.label().to_lowercase()
            ),
            CaseEvent::MessageIn { channel } => format!(
                "The resident wrote again ({})",
                channel.label().to_lowercase()
            ),
            CaseEvent::MessageOut { to, text } => format!("Reply sent by {to}: {text}"),
            CaseEvent::LifeEvent { event } => format!("Tell Us Once: {}", event.describe()),
            CaseEvent::RiskReviewed { urgency } => match urgency.as_str() {
                "urgent" => "Risk reviewed: urgent".to_owned(),
                "check" => "Risk reviewed: to be checked within the hour".to_owned(),
                _ => "Risk reviewed: no one found at risk".to_owned(),
            },
        }
    }
}

/// The parts of a case its events decide, kept by the store as a projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub status: Status,
    pub assigned_to: Option<i64>,
    pub outcome: Option<String>,
}

impl CaseState {
    pub fn new() -> Self {
        Self {
            status: Status::New,
            assigned_to: None,
            outcome: None,
        }
    }

    /// The state after an event: the one place that says how each event changes a case.
    pub fn apply(&self, event: &CaseEvent) -> CaseState {
        let mut next = self.clone();
        match event {
            CaseEvent::Created { .. } => next = CaseState::new(),
            CaseEvent::Assigned { officer_id, .. } => {
                next.assigned_to = Some(*officer_id);
                next.status = status_after_assignment(self.status);
            }
            CaseEvent::Note { .. }
            | CaseEvent::Linked { .. }
            | CaseEvent::Followed { .. }
            | CaseEvent::MessageOut { .. }
            | CaseEvent::LifeEvent { .. }
            | CaseEvent::RiskReviewed { .. } => {}
            // The resident answered: the case is back with the council.
            CaseEvent::MessageIn { .. } => {
                if self.status == Status::AwaitingResident {
                    next.status = Status::InProgress;
                }
            }
            CaseEvent::Rerouted { .. } => {
                next.assigned_to = None;
                if matches!(self.status, Status::New | Status::Assigned) {
                    next.status = Status::Triaged;
                }
            }
            CaseEvent::StatusChanged { to, outcome, .. } => {
                next.status = *to;
                next.outcome = if to.is_open() { None } else { outcome.clone() };
            }
        }
        next
    }
}

impl Default for CaseState {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks a status change and returns the event that records it.
pub fn change_status(from: Status, to: Status, outcome: &str) -> Result<CaseEvent, CaseError> {
    if !from.can_move_to(to) {
        return Err(CaseError::NotAllowed { from, to });
    }
    let outcome = outcome.trim();
    if to.needs_outcome() && outcome.is_empty() {
        return Err(CaseError::OutcomeMissing);
    }
    let outcome = (!outcome.is_empty()).then(|| outcome.to_owned());
    Ok(CaseEvent::StatusChanged { from, to, outcome })
}

/// Checks a note and returns the event that records it.
pub fn add_note(text: &str, visible_to_resident: bool) -> Result<CaseEvent, CaseError> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(CaseError::NoteMissing),
        1..=5000 => Ok(CaseEvent::Note {
            text: text.to_owned(),
            visible_to_resident,
        }),
        _ => Err(CaseError::NoteTooLong),
    }
}

/// Assigning a new or triaged case starts it; a case already being worked keeps its status.
pub fn status_after_assignment(current: Status) -> Status {
    match current {
        Status::New | Status::Triaged => Status::Assigned,
        other => other,
    }
}

/// A contact that will open a case: everything known before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub service: String,
    pub channel: Channel,
    pub received_at: Timestamp,
    pub answers: BTreeMap<String, Answer>,
    pub contact: ContactDetails,
    /// What the resident said in their own words, for contacts taken by staff.
    pub summary: Option<String>,
    /// What the channel knows besides: proof of address, duration, hub, attachments.
    pub meta: crate::ContactMeta,
}

impl Submission {
    /// The address the resident gave as their home, if the service asks for it.
    pub fn home_address(&self, service: &crate::Service) -> Option<&crate::form::Address> {
        service
            .fields
            .iter()
            .filter(|f| f.residents_home)
            .find_map(|f| match self.answers.get(&f.id) {
                Some(crate::Answer::Address(address)) => Some(address),
                _ => None,
            })
    }

    /// Where the resident said the problem is, on a location-based service.
    pub fn place(&self) -> Option<&crate::Place> {
        self.answers.values().find_map(|a| match a {
            crate::Answer::Location(place) => Some(place),
            _ => None,
        })
    }
}

/// A case about to be stored, with its reference and promised date decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub reference: Reference,
    pub team: String,
    pub due_by: Date,
    pub submission: Submission,
}

impl NewCase {
    /// Decides the team and the date the council promises to act by.
    pub fn open(
        service: &Service,
        submission: Submission,
        calendar: &WorkingCalendar,
        reference: Reference,
    ) -> Self {
        Self {
            reference,
            team: service.team.clone(),
            due_by: calendar.due_by(submission.received_at, service.sla_working_days),
            submission,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_worked_then_closed_with_an_outcome_and_can_reopen() {
        assert_eq!(status_after_assignment(Status::New), Status::Assigned);
        assert!(change_status(Status::Assigned, Status::InProgress, "").is_ok());
        assert_eq!(
            change_status(Status::InProgress, Status::Closed, "  "),
            Err(CaseError::OutcomeMissing)
        );
        let closed = change_status(Status::InProgress, Status::Closed, "Bin collected").unwrap();
        assert_eq!(
            closed,
            CaseEvent::StatusChanged {
                from: Status::InProgress,
                to: Status::Closed,
                outcome: Some("Bin collected".into())
            }
        );
        assert!(change_status(Status::Closed, Status::InProgress, "").is_ok());
    }

    #[test]
    fn rerouting_unassigns_and_marks_a_new_case_triaged() {
        let assigned = CaseState {
            status: Status::Assigned,
            assigned_to: Some(3),
            outcome: None,
        };
        let rerouted = assigned.apply(&CaseEvent::Rerouted {
            from: "missed-bin-collection".into(),
            to: "new-bin-request".into(),
            team: "Waste".into(),
        });
        assert_eq!(rerouted.status, Status::Triaged);
        assert_eq!(rerouted.assigned_to, None);
        let in_progress = CaseState {
            status: Status::InProgress,
            ..assigned
        };
        let moved = in_progress.apply(&CaseEvent::Rerouted {
            from: "a".into(),
            to: "b".into(),
            team: "B".into(),
        });
        assert_eq!(moved.status, Status::InProgress);
    }

    #[test]
    fn replaying_the_events_gives_the_current_state() {
        let events = [
            CaseEvent::Created {
                channel: Channel::Web,
                service: "missed-bin-collection".into(),
            },
            CaseEvent::Assigned {
                officer_id: 7,
                officer: "Sam".into(),
                team: "Waste".into(),
            },
            change_status(Status::Assigned, Status::InProgress, "").unwrap(),
            add_note("On the way", true).unwrap(),
            change_status(Status::InProgress, Status::Closed, "Collected").unwrap(),
        ];
        let state = events.iter().fold(CaseState::new(), |s, e| s.apply(e));
        assert_eq!(
            state,
            CaseState {
                status: Status::Closed,
                assigned_to: Some(7),
                outcome: Some("Collected".into())
            }
        );
        let reopened = state.apply(&change_status(Status::Closed, Status::InProgress, "").unwrap());
        assert_eq!(
            (reopened.status, reopened.outcome),
            (Status::InProgress, None)
        );
    }

    #[test]
    fn a_closed_case_cannot_jump_straight_to_awaiting_the_resident() {
        let error = change_status(Status::Closed, Status::AwaitingResident, "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "A case that is closed cannot move to waiting for your reply"
        );
    }

    #[test]
    fn every_status_can_eventually_be_closed_and_none_moves_to_itself() {
        for status in Status::ALL {
            assert!(!status.can_move_to(status), "{status}");
            let reachable = status.can_move_to(Status::Closed)
                || status.next().iter().any(|n| n.can_move_to(Status::Closed));
            assert!(reachable, "{status}");
            assert_eq!(Status::parse(status.as_str()), Ok(status));
        }
    }

    #[test]
    fn internal_notes_are_not_shown_to_the_resident() {
        let note = add_note("Crew says the bin was blocked by a car", false).unwrap();
        assert!(!note.for_resident("Waste").to_string().contains("blocked"));
        let public = add_note("We will return tomorrow", true).unwrap();
        assert!(
            public
                .for_resident("Waste")
                .to_string()
                .contains("return tomorrow")
        );
        assert_eq!(add_note("   ", true), Err(CaseError::NoteMissing));
    }
}
