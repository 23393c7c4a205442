//! Residents and the contact details they give, each parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A UK postcode in its canonical form, like `SW1A 1AA`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub enum ContactError {
    Postcode,
    Phone,
    Email,
    NameMissing,
    NameTooLong,
    NameHidden,
}

impl ContactError {
    pub fn text(&self) -> crate::i18n::Text {
        crate::i18n::Text::new(match self {
            ContactError::Postcode => "error.contact.postcode",
            ContactError::Phone => "error.contact.phone",
            ContactError::Email => "error.contact.email",
            ContactError::NameMissing => "error.contact.name",
            ContactError::NameTooLong => "error.contact.name_too_long",
            ContactError::NameHidden => "error.contact.name_hidden",
        })
    }
}

impl Postcode {
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(ContactError::Postcode);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if !is_inward(inward) || !is_outward(outward) {
            return Err(ContactError::Postcode);
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same postcode however it was typed, for matching a resident's answer.
    pub fn matches(&self, typed: &str) -> bool {
        Postcode::parse(typed).is_ok_and(|p| p == *self)
    }
}

/// The inward code: a digit then two letters (`1AA`).
fn is_inward(code: &str) -> bool {
    let b = code.as_bytes();
    b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
}

/// The outward code: A9, A99, AA9, AA99, A9A or AA9A (plus the special GIR).
fn is_outward(code: &str) -> bool {
    let shape: String = code
        .bytes()
        .map(|b| {
            if b.is_ascii_digit() {
                '9'
            } else if b.is_ascii_alphabetic() {
                'A'
            } else {
                '?'
            }
        })
        .collect();
    matches!(
        shape.as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    ) || code == "GIR"
}

impl TryFrom<String> for Postcode {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Postcode::parse(&value)
    }
}

impl From<Postcode> for String {
    fn from(p: Postcode) -> String {
        p.0
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UK phone number, held in national form without spaces (`07700900982`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UkPhone(String);

impl UkPhone {
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let kept: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let national = if let Some(rest) = kept.strip_prefix("+44") {
            format!("0{}", rest.trim_start_matches('0'))
        } else if let Some(rest) = kept.strip_prefix("0044") {
            format!("0{}", rest.trim_start_matches('0'))
        } else {
            kept
        };
        let digits_only = national.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || !national.starts_with('0') || !(10..=11).contains(&national.len()) {
            return Err(ContactError::Phone);
        }
        Ok(Self(national))
    }

    pub fn is_mobile(&self) -> bool {
        self.0.starts_with("07")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UkPhone {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        UkPhone::parse(&value)
    }
}

impl From<UkPhone> for String {
    fn from(p: UkPhone) -> String {
        p.0
    }
}

impl fmt::Display for UkPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, tail) = self.0.split_at(5.min(self.0.len()));
        write!(f, "{head} {tail}")
    }
}

/// An email address with a plausible shape; delivery is what proves it real.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let trimmed = input.trim();
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(ContactError::Email);
        };
        let well_formed = !local.is_empty()
            && trimmed.len() <= 254
            && !trimmed
                .chars()
                .any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '>')
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if !well_formed {
            return Err(ContactError::Email);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Matching ignores case, as residents rarely type an address the same way twice.
    pub fn matches(&self, typed: &str) -> bool {
        self.0.eq_ignore_ascii_case(typed.trim())
    }
}

impl TryFrom<String> for Email {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How to reach a resident about a case. A name plus an email or a postcode, so that the
/// resident can track the case later and the council can match them to earlier contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<UkPhone>,
    pub postcode: Option<Postcode>,
}

impl ContactDetails {
    /// Whether what a resident typed on the tracking page proves the case is theirs: the
    /// email address, phone number or postcode they gave. A postcode is shared by a street
    /// and easily guessed, so a case in a restricted service (safeguarding, social care)
    /// needs the email address or phone number.
    pub fn proves_tracking(&self, typed: &str, restricted: bool) -> bool {
        let email = self.email.as_ref().is_some_and(|e| e.matches(typed));
        let phone = self
            .phone
            .as_ref()
            .is_some_and(|p| UkPhone::parse(typed).is_ok_and(|t| t == *p));
        let postcode = self.postcode.as_ref().is_some_and(|p| p.matches(typed));
        !typed.trim().is_empty() && (email || phone || (postcode && !restricted))
    }
}

/// Checks a name typed by a resident or an agent.
pub fn parse_name(input: &str) -> Result<String, ContactError> {
    let name = crate::typed::one_line(input).map_err(|_| ContactError::NameHidden)?;
    match name.chars().count() {
        0 => Err(ContactError::NameMissing),
        1..=100 => Ok(name),
        _ => Err(ContactError::NameTooLong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn postcodes_are_accepted_however_they_are_typed() {
        for typed in [
            "sw1a1aa",
            " SW1A 1AA ",
            "ls1 4ap",
            "M1 1AE",
            "B33 8TH",
            "CR2 6XH",
            "DN55 1PT",
            "EC1A 1BB",
        ] {
            let parsed = Postcode::parse(typed).unwrap();
            assert_eq!(parsed.as_str().len(), parsed.as_str().trim().len());
            assert!(parsed.as_str().contains(' '));
        }
        assert_eq!(Postcode::parse("sw1a1aa").unwrap().as_str(), "SW1A 1AA");
    }

    #[test]
    fn things_that_are_not_postcodes_are_rejected() {
        for typed in [
            "",
            "12345",
            "SW1A",
            "SW1A 1A",
            "ABCDE 1AA",
            "SW1A 11A",
            "1W1A 1AA",
            "SW!A 1AA",
        ] {
            assert_eq!(
                Postcode::parse(typed),
                Err(ContactError::Postcode),
                "{typed}"
            );
        }
    }

    #[test]
    fn phone_numbers_in_international_form_become_national() {
        assert_eq!(
            UkPhone::parse("+44 7700 900982").unwrap().as_str(),
            "07700900982"
        );
        assert_eq!(
            UkPhone::parse("(01632) 960-001").unwrap().as_str(),
            "01632960001"
        );
        assert!(UkPhone::parse("07700 900982").unwrap().is_mobile());
        assert!(UkPhone::parse("12345").is_err());
        assert!(UkPhone::parse("0770090098x").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert_eq!(
            Email::parse(" Jo@Example.ORG ").unwrap().as_str(),
            "Jo@example.org"
        );
        for bad in [
            "",
            "jo",
            "jo@",
            "@example.org",
            "jo@example",
            "jo @example.org",
            "jo@example..org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tracking_takes_email_phone_or_postcode_but_not_blank() {
        let contact = ContactDetails {
            name: "Jo Bloggs".into(),
            email: Some(Email::parse("jo@example.org").unwrap()),
            phone: Some(UkPhone::parse("07700 900123").unwrap()),
            postcode: Some(Postcode::parse("LS1 4AP").unwrap()),
        };
        assert!(contact.proves_tracking("JO@example.org", false));
        assert!(contact.proves_tracking("+44 7700 900123", false));
        assert!(contact.proves_tracking("ls14ap", false));
        assert!(!contact.proves_tracking("ls1 4aq", false));
        assert!(!contact.proves_tracking("", false));
        assert!(!contact.proves_tracking("07700 900124", false));
    }

    #[test]
    fn a_restricted_case_is_not_tracked_by_postcode_alone() {
        let contact = ContactDetails {
            name: "Jo Bloggs".into(),
            email: Some(Email::parse("jo@example.org").unwrap()),
            phone: Some(UkPhone::parse("07700900123").unwrap()),
            postcode: Some(Postcode::parse("LS1 4AP").unwrap()),
        };
        assert!(!contact.proves_tracking("LS1 4AP", true));
        assert!(contact.proves_tracking("jo@example.org", true));
        assert!(contact.proves_tracking("07700 900123", true));
    }

    proptest! {
        #[test]
        fn a_parsed_postcode_parses_to_itself(p in "[A-Z]{1,2}[0-9]{1,2} [0-9][A-Z]{2}") {
            let once = Postcode::parse(&p).unwrap();
            prop_assert_eq!(Postcode::parse(once.as_str()).unwrap(), once);
        }

        #[test]
        fn postcode_parsing_never_panics(s in "\\PC{0,12}") {
            let _ = Postcode::parse(&s);
            let _ = UkPhone::parse(&s);
            let _ = Email::parse(&s);
        }
    }
}
