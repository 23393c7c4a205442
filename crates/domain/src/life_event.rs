//! Tell Us Once: a change in a resident's life, told to the council once, reaches every
//! service that holds the resident.

use crate::resident::{ContactError, Postcode, parse_name};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifeEventKind {
    ChangeOfAddress,
    ChangeOfName,
    Death,
}

impl LifeEventKind {
    pub const ALL: [LifeEventKind; 3] = [
        LifeEventKind::ChangeOfAddress,
        LifeEventKind::ChangeOfName,
        LifeEventKind::Death,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LifeEventKind::ChangeOfAddress => "change-of-address",
            LifeEventKind::ChangeOfName => "change-of-name",
            LifeEventKind::Death => "death",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LifeEventKind::ChangeOfAddress => "Change of address",
            LifeEventKind::ChangeOfName => "Change of name",
            LifeEventKind::Death => "A death",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

/// What changed, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LifeEvent {
    ChangeOfAddress {
        address: String,
        postcode: Postcode,
        from: Date,
    },
    ChangeOfName {
        name: String,
        from: Date,
    },
    Death {
        date_of_death: Date,
        /// Who told the council: next of kin, executor, registrar.
        told_by: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub enum LifeEventError {
    KindMissing,
    AddressMissing,
    Contact(#[from] ContactError),
    BadDate,
    FutureDeath,
    ToldByMissing,
}

impl LifeEventError {
    pub fn text(&self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            LifeEventError::KindMissing => Text::new("error.life_event.kind"),
            LifeEventError::AddressMissing => Text::new("error.life_event.address"),
            LifeEventError::Contact(e) => e.text(),
            LifeEventError::BadDate => Text::new("error.life_event.date"),
            LifeEventError::FutureDeath => Text::new("error.life_event.future"),
            LifeEventError::ToldByMissing => Text::new("error.life_event.told_by"),
        }
    }
}

/// What a resident or agent typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct LifeEventInput<'a> {
    pub kind: &'a str,
    pub address: &'a str,
    pub postcode: &'a str,
    pub name: &'a str,
    pub date: &'a str,
    pub told_by: &'a str,
}

impl LifeEvent {
    pub fn kind(&self) -> LifeEventKind {
        match self {
            LifeEvent::ChangeOfAddress { .. } => LifeEventKind::ChangeOfAddress,
            LifeEvent::ChangeOfName { .. } => LifeEventKind::ChangeOfName,
            LifeEvent::Death { .. } => LifeEventKind::Death,
        }
    }

    /// Checks the input; `today` bounds a date of death.
    pub fn parse(input: &LifeEventInput, today: Date) -> Result<Self, LifeEventError> {
        let kind = LifeEventKind::parse(input.kind).ok_or(LifeEventError::KindMissing)?;
        let date = parse_date(input.date)?;
        match kind {
            LifeEventKind::ChangeOfAddress => {
                let address = input
                    .address
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if address.is_empty() {
                    return Err(LifeEventError::AddressMissing);
                }
                let postcode = Postcode::parse(input.postcode)?;
                Ok(LifeEvent::ChangeOfAddress {
                    address,
                    postcode,
                    from: date,
                })
            }
            LifeEventKind::ChangeOfName => Ok(LifeEvent::ChangeOfName {
                name: parse_name(input.name)?,
                from: date,
            }),
            LifeEventKind::Death => {
                if date > today {
                    return Err(LifeEventError::FutureDeath);
                }
                let told_by = input.told_by.trim();
                if told_by.is_empty() {
                    return Err(LifeEventError::ToldByMissing);
                }
                Ok(LifeEvent::Death {
                    date_of_death: date,
                    told_by: told_by.to_owned(),
                })
            }
        }
    }

    /// One line for a case timeline or a team's task.
    pub fn describe(&self) -> String {
        match self {
            LifeEvent::ChangeOfAddress {
                address,
                postcode,
                from,
            } => format!(
                "Moved to {address}, {postcode} from {}",
                from.strftime("%-d %B %Y")
            ),
            LifeEvent::ChangeOfName { name, from } => {
                format!("Now known as {name} from {}", from.strftime("%-d %B %Y"))
            }
            LifeEvent::Death {
                date_of_death,
                told_by,
            } => format!(
                "Died on {} (told by {told_by})",
                date_of_death.strftime("%-d %B %Y")
            ),
        }
    }
}

/// A date typed as `2026-11-25`, `25/11/2026` or `25 11 2026`.
pub fn parse_date(text: &str) -> Result<Date, LifeEventError> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    let parts: Vec<&str> = text
        .split(|c: char| c == '/' || c == '-' || c == '.' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(LifeEventError::BadDate);
    };
    let number = |s: &str| s.parse::<i16>().map_err(|_| LifeEventError::BadDate);
    let (d, m, y) = (number(d)?, number(m)?, number(y)?);
    if !(1900..=2200).contains(&y) {
        return Err(LifeEventError::BadDate);
    }
    Date::new(y, m as i8, d as i8).map_err(|_| LifeEventError::BadDate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input<'a>(kind: &'a str, date: &'a str) -> LifeEventInput<'a> {
        LifeEventInput {
            kind,
            date,
            address: "3 Mill Lane, Demoton",
            postcode: "dc1 2ab",
            name: "Jo Smith",
            told_by: "Sam Bloggs, son",
        }
    }

    #[test]
    fn each_kind_is_checked() {
        let today = date(2026, 11, 25);
        let moved = LifeEvent::parse(&input("change-of-address", "1/12/2026"), today).unwrap();
        assert_eq!(moved.kind(), LifeEventKind::ChangeOfAddress);
        assert!(moved.describe().contains("DC1 2AB"));
        assert_eq!(
            LifeEvent::parse(&input("death", "2026-12-01"), today),
            Err(LifeEventError::FutureDeath)
        );
        assert!(LifeEvent::parse(&input("death", "24 11 2026"), today).is_ok());
        assert_eq!(
            LifeEvent::parse(&input("", "24 11 2026"), today),
            Err(LifeEventError::KindMissing)
        );
        assert_eq!(
            LifeEvent::parse(&input("change-of-name", "31/2/2026"), today),
            Err(LifeEventError::BadDate)
        );
        let mut no_address = input("change-of-address", "1/12/2026");
        no_address.address = "  ";
        assert_eq!(
            LifeEvent::parse(&no_address, today),
            Err(LifeEventError::AddressMissing)
        );
    }
}
