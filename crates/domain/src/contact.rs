//! What a channel knows about a contact beyond the resident's words: proof of an address,
//! call length, the hub, attachments, the resident's choice of how to hear back.

use serde::{Deserialize, Serialize};

/// How a resident wants the council to reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyBy {
    Email,
    Sms,
}

impl ReplyBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyBy::Email => "email",
            ReplyBy::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "email" => Some(ReplyBy::Email),
            "sms" => Some(ReplyBy::Sms),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReplyBy::Email => "Email",
            ReplyBy::Sms => "Text message",
        }
    }
}

/// A file that came with a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Everything about a contact that is not the resident's details or answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactMeta {
    /// The resident wrote from this address (email) or number (text message).
    pub email_verified: bool,
    pub phone_verified: bool,
    pub reply_by: Option<ReplyBy>,
    /// Length of a phone call or visit.
    pub duration_minutes: Option<u32>,
    /// The community hub where a face-to-face contact happened.
    pub hub: Option<String>,
    /// The channel's own id for the message (Message-ID, SMS id), so a redelivery is not a
    /// second contact.
    pub external_id: Option<String>,
    pub attachments: Vec<Attachment>,
    /// The property the resident lives at, when they gave their home address.
    pub uprn: Option<String>,
    /// The language the resident wrote in: what the council sends back is in it too.
    pub language: crate::Locale,
}

/// Circumstances that change how the council deals with a resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vulnerability {
    Disability,
    OlderPerson,
    CareLeaver,
    DigitallyExcluded,
    MentalHealth,
    DomesticAbuse,
    LanguageSupport,
}

impl Vulnerability {
    pub const ALL: [Vulnerability; 7] = [
        Vulnerability::Disability,
        Vulnerability::OlderPerson,
        Vulnerability::CareLeaver,
        Vulnerability::DigitallyExcluded,
        Vulnerability::MentalHealth,
        Vulnerability::DomesticAbuse,
        Vulnerability::LanguageSupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Vulnerability::Disability => "disability",
            Vulnerability::OlderPerson => "older-person",
            Vulnerability::CareLeaver => "care-leaver",
            Vulnerability::DigitallyExcluded => "digitally-excluded",
            Vulnerability::MentalHealth => "mental-health",
            Vulnerability::DomesticAbuse => "domestic-abuse",
            Vulnerability::LanguageSupport => "language-support",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Vulnerability::Disability => "Disability",
            Vulnerability::OlderPerson => "Older person",
            Vulnerability::CareLeaver => "Care leaver",
            Vulnerability::DigitallyExcluded => "Digitally excluded",
            Vulnerability::MentalHealth => "Mental health",
            Vulnerability::DomesticAbuse => "Domestic abuse",
            Vulnerability::LanguageSupport => "Needs language support",
        }
    }

    /// What the flag changes, shown beside it so staff know why it matters.
    pub fn effect(self) -> &'static str {
        match self {
            Vulnerability::DigitallyExcluded => {
                "Cases go ahead of others due the same day; reply by phone or letter, not online only"
            }
            Vulnerability::DomesticAbuse => {
                "Cases go ahead of others due the same day; never send updates to a shared address without checking"
            }
            _ => "Cases go ahead of others due the same day",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_reply_channels_round_trip() {
        for flag in Vulnerability::ALL {
            assert_eq!(Vulnerability::parse(flag.as_str()), Some(flag));
        }
        assert_eq!(ReplyBy::parse("sms"), Some(ReplyBy::Sms));
        assert_eq!(ReplyBy::parse("pigeon"), None);
    }
}
