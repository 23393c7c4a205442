//! Identity matching: deciding that a new contact comes from a resident the council already
//! knows, and saying why, so that every automatic match can be checked and undone.
//!
//! Exact rules come first: the same email address or mobile number where the council has
//! proof, on both records, that the resident controls it (mail that passed DKIM or DMARC,
//! a text sent from it), or the same property (UPRN) with the
//! same name. Otherwise a score: name, postcode and date of birth each add points, and only a
//! total that needs the name and one more thing to agree makes a match.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What is known about one person, from one contact or one resident record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub postcode: Option<String>,
    pub date_of_birth: Option<Date>,
    pub uprn: Option<String>,
}

/// Why two identities were judged the same person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum MatchReason {
    VerifiedEmail,
    VerifiedMobile,
    UprnAndName,
    Score { score: u32, agreed: Vec<String> },
}

impl MatchReason {
    pub fn explain(&self) -> String {
        match self {
            MatchReason::VerifiedEmail => "same email address, proven by mail sent from it".into(),
            MatchReason::VerifiedMobile => {
                "same mobile number, proven by a text sent from it".into()
            }
            MatchReason::UprnAndName => "same property (UPRN) and the same name".into(),
            MatchReason::Score { score, agreed } => {
                format!("{} agree (score {score} of {MAX_SCORE})", agreed.join(", "))
            }
        }
    }
}

const NAME_FULL: u32 = 40;
const NAME_PARTIAL: u32 = 25;
const POSTCODE: u32 = 30;
const DATE_OF_BIRTH: u32 = 40;
const MAX_SCORE: u32 = NAME_FULL + POSTCODE + DATE_OF_BIRTH;
/// Full name plus postcode, or full name plus date of birth, or surname and initial plus
/// both; never postcode and date of birth without the name (twins, households).
pub const MATCH_THRESHOLD: u32 = 70;

/// Whether `incoming` is the person `known`, and why.
pub fn match_identity(incoming: &Identity, known: &Identity) -> Option<MatchReason> {
    if let Some(reason) = exact(incoming, known) {
        return Some(reason);
    }
    let (score, agreed) = score(incoming, known);
    let name_agrees = agreed
        .iter()
        .any(|a| a.starts_with("name") || a.starts_with("surname"));
    (score >= MATCH_THRESHOLD && name_agrees).then_some(MatchReason::Score { score, agreed })
}

fn exact(a: &Identity, b: &Identity) -> Option<MatchReason> {
    let same = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => !x.is_empty() && x.eq_ignore_ascii_case(y),
        _ => false,
    };
    // Both sides must have proven the address: one proven record and one typed (on a form,
    // or in a forged From:) would let anyone join themselves to a resident by naming them.
    if same(&a.email, &b.email) && a.email_verified && b.email_verified {
        return Some(MatchReason::VerifiedEmail);
    }
    let mobile = a.phone.as_deref().is_some_and(|p| p.starts_with("07"));
    if mobile && same(&a.phone, &b.phone) && a.phone_verified && b.phone_verified {
        return Some(MatchReason::VerifiedMobile);
    }
    let names = (normalise_name(&a.name), normalise_name(&b.name));
    if same(&a.uprn, &b.uprn) && !names.0.is_empty() && names.0 == names.1 {
        return Some(MatchReason::UprnAndName);
    }
    None
}

fn score(a: &Identity, b: &Identity) -> (u32, Vec<String>) {
    let mut score = 0;
    let mut agreed = Vec::new();
    let (na, nb) = (normalise_name(&a.name), normalise_name(&b.name));
    if !na.is_empty() && na == nb {
        score += NAME_FULL;
        agreed.push("name".to_owned());
    } else if !na.is_empty() && surname_and_initial(&na) == surname_and_initial(&nb) {
        score += NAME_PARTIAL;
        agreed.push("surname and initial".to_owned());
    }
    if a.postcode.is_some() && a.postcode == b.postcode {
        score += POSTCODE;
        agreed.push("postcode".to_owned());
    }
    if a.date_of_birth.is_some() && a.date_of_birth == b.date_of_birth {
        score += DATE_OF_BIRTH;
        agreed.push("date of birth".to_owned());
    }
    (score, agreed)
}

/// Lower case, letters only, titles dropped: "Mrs Jo  O'Brien" → "jo obrien". A name that is
/// really a phone number or an email address (all a text message gives) normalises to empty.
pub fn normalise_name(name: &str) -> String {
    if name.contains('@') || name.chars().any(|c| c.is_ascii_digit()) {
        return String::new();
    }
    const TITLES: [&str; 7] = ["mr", "mrs", "ms", "miss", "mx", "dr", "rev"];
    name.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphabetic())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty() && !TITLES.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn surname_and_initial(normalised: &str) -> Option<(char, &str)> {
    let mut words = normalised.split(' ');
    let first = words.next()?.chars().next()?;
    let last = words.next_back()?;
    Some((first, last))
}

/// Something that happened to a person's record, kept on the person's own history so that
/// every automatic match, every merge and split by staff, can be seen and undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PersonEvent {
    /// A new contact's details were matched to this person automatically.
    Matched {
        record: i64,
        reason: MatchReason,
    },
    /// Staff joined another person's records to this person.
    Merged {
        from_person: i64,
        records: Vec<i64>,
    },
    /// A merge was undone: these records went back to `to_person`.
    MergeUndone {
        to_person: i64,
        records: Vec<i64>,
    },
    /// Staff separated a record that was not this person.
    Split {
        record: i64,
        to_person: i64,
    },
    FlagAdded {
        flag: crate::Vulnerability,
    },
    FlagRemoved {
        flag: crate::Vulnerability,
    },
    /// A life event told once (the services told are on the life event).
    Told {
        event: crate::LifeEvent,
    },
}

impl PersonEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            PersonEvent::Matched { .. } => "matched",
            PersonEvent::Merged { .. } => "merged",
            PersonEvent::MergeUndone { .. } => "merge-undone",
            PersonEvent::Split { .. } => "split",
            PersonEvent::FlagAdded { .. } => "flag-added",
            PersonEvent::FlagRemoved { .. } => "flag-removed",
            PersonEvent::Told { .. } => "told",
        }
    }

    /// What happened, for staff.
    pub fn describe(&self) -> String {
        match self {
            PersonEvent::Matched { record, reason } => {
                format!(
                    "Record {record} matched automatically: {}",
                    reason.explain()
                )
            }
            PersonEvent::Merged {
                from_person,
                records,
            } => format!(
                "Merged by hand: records {} from person {from_person}",
                join_ids(records)
            ),
            PersonEvent::MergeUndone { to_person, records } => format!(
                "Merge undone: records {} went back to person {to_person}",
                join_ids(records)
            ),
            PersonEvent::Split { record, to_person } => {
                format!("Record {record} separated by hand, now person {to_person}")
            }
            PersonEvent::FlagAdded { flag } => format!("Flag added: {}", flag.label()),
            PersonEvent::FlagRemoved { flag } => format!("Flag removed: {}", flag.label()),
            PersonEvent::Told { event } => format!("Told us once: {}", event.describe()),
        }
    }
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn jo() -> Identity {
        Identity {
            name: "Jo Bloggs".into(),
            email: Some("jo@example.org".into()),
            postcode: Some("DC1 2AB".into()),
            date_of_birth: Some(date(1950, 3, 1)),
            ..Identity::default()
        }
    }

    #[test]
    fn the_same_email_matches_only_when_proven() {
        let incoming = Identity {
            name: "J".into(),
            email: Some("JO@example.org".into()),
            ..Identity::default()
        };
        assert_eq!(match_identity(&incoming, &jo()), None);
        let proven = Identity {
            email_verified: true,
            ..incoming.clone()
        };
        // A typed address on the known record is no proof, however well proven the new one.
        assert_eq!(match_identity(&proven, &jo()), None);
        let proven_jo = Identity {
            email_verified: true,
            ..jo()
        };
        assert_eq!(match_identity(&incoming, &proven_jo), None);
        assert_eq!(
            match_identity(&proven, &proven_jo),
            Some(MatchReason::VerifiedEmail)
        );
    }

    #[test]
    fn a_verified_mobile_matches_but_a_landline_does_not() {
        let known = Identity {
            phone: Some("07700900982".into()),
            phone_verified: true,
            ..jo()
        };
        let text = Identity {
            name: "07700 900982".into(),
            phone: Some("07700900982".into()),
            phone_verified: true,
            ..Identity::default()
        };
        assert_eq!(
            match_identity(&text, &known),
            Some(MatchReason::VerifiedMobile)
        );
        let landline = Identity {
            phone: Some("01632960001".into()),
            ..text.clone()
        };
        let known_landline = Identity {
            phone: Some("01632960001".into()),
            ..jo()
        };
        assert_eq!(match_identity(&landline, &known_landline), None);
    }

    #[test]
    fn name_and_postcode_match_with_an_explanation() {
        let incoming = Identity {
            name: "Mrs  jo BLOGGS".into(),
            postcode: Some("DC1 2AB".into()),
            ..Identity::default()
        };
        let reason = match_identity(&incoming, &jo()).unwrap();
        assert_eq!(reason.explain(), "name, postcode agree (score 70 of 110)");
    }

    #[test]
    fn postcode_and_birthday_without_the_name_is_not_a_match() {
        let twin = Identity {
            name: "Sam Bloggs".into(),
            postcode: Some("DC1 2AB".into()),
            date_of_birth: Some(date(1950, 3, 1)),
            ..Identity::default()
        };
        assert_eq!(match_identity(&twin, &jo()), None);
        let initial = Identity {
            name: "Joanne Bloggs".into(),
            ..twin
        };
        assert!(matches!(
            match_identity(&initial, &jo()),
            Some(MatchReason::Score { score: 95, .. })
        ));
    }

    #[test]
    fn a_name_alone_or_a_phone_number_as_a_name_never_matches() {
        let name_only = Identity {
            name: "Jo Bloggs".into(),
            ..Identity::default()
        };
        assert_eq!(match_identity(&name_only, &jo()), None);
        assert_eq!(normalise_name("07700 900982"), "");
        assert_eq!(normalise_name("Dr Jo O'Brien"), "jo obrien");
    }

    #[test]
    fn the_same_property_needs_the_same_name() {
        let known = Identity {
            uprn: Some("100090000072".into()),
            ..jo()
        };
        let partner = Identity {
            name: "Alex Smith".into(),
            uprn: Some("100090000072".into()),
            ..Identity::default()
        };
        assert_eq!(match_identity(&partner, &known), None);
        let same = Identity {
            name: "Jo Bloggs".into(),
            ..partner
        };
        assert_eq!(
            match_identity(&same, &known),
            Some(MatchReason::UprnAndName)
        );
    }
}
