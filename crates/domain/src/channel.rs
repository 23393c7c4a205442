//! The routes by which a resident contacts the council.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Web,
    Email,
    Phone,
    FaceToFace,
    Sms,
    Social,
    Chat,
    Api,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Unknown channel '{0}': use one of web, email, phone, face-to-face, sms, social, chat, api"
)]
pub struct UnknownChannel(pub String);

impl Channel {
    pub const ALL: [Channel; 8] = [
        Channel::Web,
        Channel::Email,
        Channel::Phone,
        Channel::FaceToFace,
        Channel::Sms,
        Channel::Social,
        Channel::Chat,
        Channel::Api,
    ];

    /// Channels a member of staff records on the resident's behalf (agent-assisted entry).
    pub const ASSISTED: [Channel; 2] = [Channel::Phone, Channel::FaceToFace];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::FaceToFace => "face-to-face",
            Channel::Sms => "sms",
            Channel::Social => "social",
            Channel::Chat => "chat",
            Channel::Api => "api",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Web => "Website",
            Channel::Email => "Email",
            Channel::Phone => "Phone",
            Channel::FaceToFace => "Face to face",
            Channel::Sms => "Text message",
            Channel::Social => "Social media",
            Channel::Chat => "Web chat",
            Channel::Api => "Partner system",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownChannel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == text.trim())
            .ok_or_else(|| UnknownChannel(text.to_owned()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_round_trips_through_its_name() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Ok(channel));
        }
        assert!(Channel::parse("pigeon").is_err());
    }
}
