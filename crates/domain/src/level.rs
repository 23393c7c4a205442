//! The four levels of support (Shropshire's model), carried by every service.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Level {
    /// Community hubs, information and partners.
    PreFrontDoor = 0,
    /// Digital-first self-service, 24/7.
    SelfService = 1,
    /// Supported general enquiries: contact centre, assisted digital.
    Supported = 2,
    /// Specialist customer management: complex, vulnerable, statutory.
    Specialist = 3,
}

impl Level {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::PreFrontDoor => "Pre-front door",
            Level::SelfService => "Digital self-service",
            Level::Supported => "Supported enquiry",
            Level::Specialist => "Specialist",
        }
    }
}

impl TryFrom<u8> for Level {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            0 => Ok(Level::PreFrontDoor),
            1 => Ok(Level::SelfService),
            2 => Ok(Level::Supported),
            3 => Ok(Level::Specialist),
            other => Err(format!("level must be 0, 1, 2 or 3, not {other}")),
        }
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level as u8
    }
}
