//! How long the council keeps what residents told it, and what is left of a case once that
//! time is up: the facts management information needs (service, channel, dates, status),
//! never who the resident was or what anyone wrote.

use crate::case::CaseEvent;
use crate::life_event::LifeEvent;
use jiff::ToSpan;
use jiff::civil::Date;

/// What replaces free text once its retention period has ended.
pub const REMOVED: &str = "[removed: retention period ended]";

/// The common council schedule for service requests: six years after the case closed
/// (the Limitation Act 1980's period for most claims).
pub const DEFAULT_RETENTION_YEARS: u16 = 6;

/// Days a quarantined message (one that could not be read, kept whole, personal data and
/// all) is kept for staff to look at before `retention run` deletes it.
pub const QUARANTINE_DAYS: i64 = 90;

/// Cases closed before this day have been kept `years` full years by `today`.
pub fn kept_since(today: Date, years: u16) -> Date {
    today
        .checked_sub(i64::from(years).years())
        .unwrap_or(Date::MIN)
}

/// What a request for erasure does to one of the resident's cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erasure {
    Anonymise,
    /// Kept, and why: said back to the resident by the data-protection officer.
    Keep(String),
}

/// Whether a case may be erased now (UK GDPR Article 17), or must be kept: while it is
/// still being dealt with, or where a law requires the council to keep the record (the
/// service's statutory basis), until its retention period ends.
pub fn on_erasure_request(open: bool, service: Option<&crate::Service>) -> Erasure {
    match service {
        _ if open => Erasure::Keep("the case is still being dealt with".into()),
        None => {
            Erasure::Keep("its service is no longer in the catalogue; review it by hand".into())
        }
        Some(s) => match &s.statutory_basis {
            Some(basis) => Erasure::Keep(format!(
                "the law requires the record ({basis}); it is anonymised {} years after it closed",
                s.retention_years
            )),
            None => Erasure::Anonymise,
        },
    }
}

impl CaseEvent {
    /// The event with everything written about the resident taken out; what happened, and
    /// when, stays.
    pub fn anonymised(&self) -> CaseEvent {
        let removed = || REMOVED.to_owned();
        match self {
            CaseEvent::Note {
                visible_to_resident,
                ..
            } => CaseEvent::Note {
                text: removed(),
                visible_to_resident: *visible_to_resident,
            },
            CaseEvent::StatusChanged { from, to, outcome } => CaseEvent::StatusChanged {
                from: *from,
                to: *to,
                outcome: outcome.as_ref().map(|_| removed()),
            },
            CaseEvent::MessageOut { .. } => CaseEvent::MessageOut {
                to: removed(),
                text: removed(),
            },
            CaseEvent::LifeEvent { event } => CaseEvent::LifeEvent {
                event: event.anonymised(),
            },
            other => other.clone(),
        }
    }
}

impl LifeEvent {
    /// The kind of change and its date; not the new address, name or who told us.
    pub fn anonymised(&self) -> LifeEvent {
        match self {
            LifeEvent::ChangeOfAddress { postcode, from, .. } => LifeEvent::ChangeOfAddress {
                address: REMOVED.to_owned(),
                postcode: postcode.clone(),
                from: *from,
            },
            LifeEvent::ChangeOfName { from, .. } => LifeEvent::ChangeOfName {
                name: REMOVED.to_owned(),
                from: *from,
            },
            LifeEvent::Death { date_of_death, .. } => LifeEvent::Death {
                date_of_death: *date_of_death,
                told_by: REMOVED.to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn a_case_closed_six_years_ago_to_the_day_has_been_kept_long_enough() {
        let today = jiff::civil::date(2032, 11, 26);
        assert_eq!(kept_since(today, 6), jiff::civil::date(2026, 11, 26));
    }

    #[test]
    fn anonymising_takes_out_what_was_written_and_keeps_what_happened() {
        let note = CaseEvent::Note {
            text: "Mrs Khan at 4 Elm Road".into(),
            visible_to_resident: true,
        };
        assert_eq!(
            note.anonymised(),
            CaseEvent::Note {
                text: REMOVED.into(),
                visible_to_resident: true
            }
        );
        let closed = CaseEvent::StatusChanged {
            from: Status::InProgress,
            to: Status::Resolved,
            outcome: Some("Filled for Mr Jones".into()),
        };
        assert_eq!(closed.anonymised().kind(), "status-changed");
        assert!(!format!("{:?}", closed.anonymised()).contains("Jones"));
        let reply = CaseEvent::MessageOut {
            to: "pat@example.org".into(),
            text: "Hello Pat".into(),
        };
        assert!(!format!("{:?}", reply.anonymised()).contains("Pat"));
        let created = CaseEvent::Created {
            channel: crate::Channel::Web,
            service: "pothole-report".into(),
        };
        assert_eq!(created.anonymised(), created);
    }
}
