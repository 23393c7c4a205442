//! The dashboard's query string made sense of: dates, filters and the simulator's
//! question, each checked, with GOV.UK-style messages for what cannot be used.

use crate::state::AppState;
use frontdoor_domain::Channel;
use frontdoor_domain::mi::{Filter, Shift};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The dashboard's query string: filters, and the simulator's question.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub ward: String,
    #[serde(default)]
    pub shift_service: String,
    #[serde(default)]
    pub shift_from: String,
    #[serde(default)]
    pub shift_to: String,
    #[serde(default)]
    pub shift_percent: String,
}

/// A query made sense of: what to read and what to keep.
#[derive(Debug, Clone)]
pub struct Selection {
    pub from: Date,
    pub to: Date,
    pub ward: Option<String>,
    pub filter: Filter,
    pub shift: Option<(Shift, Option<String>)>,
}

/// A problem with one field of the query, for the error summary or the API.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub field: &'static str,
    pub message: String,
}

const LONGEST_RANGE_YEARS: i16 = 10;

fn parse_date(text: &str, field: &'static str, label: &str) -> Result<Option<Date>, QueryError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Date>().map(Some).map_err(|_| QueryError {
        field,
        message: format!("{label} must be a real date, like 2026-03-31"),
    })
}

impl DashboardQuery {
    /// Checks every field; on error, the defaults stand in and the errors say why.
    pub fn select(
        &self,
        state: &AppState,
        known_wards: &[String],
        today: Date,
    ) -> (Selection, Vec<QueryError>) {
        let mut errors = Vec::new();
        let mut note = |r: Result<Option<Date>, QueryError>| match r {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let to = note(parse_date(&self.to, "to", "The end date")).unwrap_or(today);
        let default_from = to.first_of_month().checked_sub(11.months()).unwrap_or(to);
        let mut from =
            note(parse_date(&self.from, "from", "The start date")).unwrap_or(default_from);
        if from > to {
            errors.push(QueryError {
                field: "from",
                message: "The start date must be the same as or before the end date".into(),
            });
            from = default_from.min(to);
        }
        if to.year() - from.year() > LONGEST_RANGE_YEARS {
            errors.push(QueryError {
                field: "from",
                message: format!(
                    "The dates must be no more than {LONGEST_RANGE_YEARS} years apart"
                ),
            });
            from = default_from;
        }
        let filter = self.filter(state, &mut errors);
        let ward = self.ward(known_wards, &mut errors);
        let shift = self.shift(state, &mut errors);
        (
            Selection {
                from,
                to,
                ward,
                filter,
                shift,
            },
            errors,
        )
    }

    fn filter(&self, state: &AppState, errors: &mut Vec<QueryError>) -> Filter {
        let catalogue = &state.catalogue;
        let mut services: Option<BTreeSet<String>> = None;
        if !self.service.is_empty() {
            match catalogue.service(&self.service) {
                Some(s) => services = Some(BTreeSet::from([s.slug.clone()])),
                None => errors.push(QueryError {
                    field: "service",
                    message: "Select a service from the list".into(),
                }),
            }
        }
        if !self.department.is_empty() {
            let in_department: BTreeSet<String> = catalogue
                .services
                .iter()
                .filter(|s| {
                    catalogue
                        .team(&s.team)
                        .is_some_and(|t| t.department == self.department)
                })
                .map(|s| s.slug.clone())
                .collect();
            if in_department.is_empty() {
                errors.push(QueryError {
                    field: "department",
                    message: "Select a department from the list".into(),
                });
            } else {
                services = Some(match services {
                    Some(s) => s.intersection(&in_department).cloned().collect(),
                    None => in_department,
                });
            }
        }
        let mut channels = None;
        if !self.channel.is_empty() {
            match Channel::parse(&self.channel) {
                Ok(c) => channels = Some(BTreeSet::from([c])),
                Err(_) => errors.push(QueryError {
                    field: "channel",
                    message: "Select a channel from the list".into(),
                }),
            }
        }
        Filter { services, channels }
    }

    fn ward(&self, known: &[String], errors: &mut Vec<QueryError>) -> Option<String> {
        if self.ward.is_empty() {
            return None;
        }
        if known.contains(&self.ward) {
            return Some(self.ward.clone());
        }
        errors.push(QueryError {
            field: "ward",
            message: "Select a ward from the list".into(),
        });
        None
    }

    fn shift(
        &self,
        state: &AppState,
        errors: &mut Vec<QueryError>,
    ) -> Option<(Shift, Option<String>)> {
        if self.shift_percent.trim().is_empty() {
            return None;
        }
        let channel = |text: &str, field: &'static str, errors: &mut Vec<QueryError>| {
            Channel::parse(text)
                .map_err(|_| {
                    errors.push(QueryError {
                        field,
                        message: "Select a channel from the list".into(),
                    })
                })
                .ok()
        };
        let from = channel(&self.shift_from, "shift_from", errors);
        let to = channel(&self.shift_to, "shift_to", errors);
        let percent = self
            .shift_percent
            .trim()
            .trim_end_matches('%')
            .parse::<f64>();
        let service = match self.shift_service.as_str() {
            "" => None,
            slug if state.catalogue.service(slug).is_some() => Some(slug.to_owned()),
            _ => {
                errors.push(QueryError {
                    field: "shift_service",
                    message: "Select a service from the list".into(),
                });
                return None;
            }
        };
        let (Some(from), Some(to)) = (from, to) else {
            return None;
        };
        let Ok(percent) = percent else {
            errors.push(QueryError {
                field: "shift_percent",
                message: "Enter the percentage as a number, like 25".into(),
            });
            return None;
        };
        match Shift::new(from, to, percent) {
            Ok(shift) => Some((shift, service)),
            Err(e) => {
                errors.push(QueryError {
                    field: if percent.is_nan() || !(0.0..=100.0).contains(&percent) {
                        "shift_percent"
                    } else {
                        "shift_to"
                    },
                    message: e.to_string(),
                });
                None
            }
        }
    }
}
