//! Labelled contacts: the CSV files triage is trained and judged on, and corrections
//! staff made in the console.

use frontdoor_domain::Catalogue;
use std::io::Read;

/// One contact and what a person decided about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub id: String,
    /// Contacts sharing a group are one situation told several ways: cross-validation
    /// keeps a group on one side so no fold is judged on a twin of what it learned.
    pub group: String,
    pub channel: String,
    pub text: String,
    pub service: String,
    pub referrals: Vec<String>,
    pub urgency: Urgency,
    /// The kind of risk a person saw ("suicide-self-harm", ...); None when none, or not said.
    pub risk: Option<String>,
}

/// How soon a person must read a contact because someone may be at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    #[default]
    No,
    /// A person must read it within the hour.
    Check,
    /// First in every queue, and the duty officer is told.
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::No => "no",
            Urgency::Check => "check",
            Urgency::Urgent => "urgent",
        }
    }

    /// Urgent or check: someone may be at risk.
    pub fn at_risk(self) -> bool {
        self != Urgency::No
    }
}

impl Example {
    /// The kind of risk training learns for this contact: its own, or "unspecified"
    /// where a person marked it at risk without saying which kind.
    pub fn risk_kind(&self) -> Option<&str> {
        match (&self.risk, self.urgency) {
            (Some(kind), _) => Some(kind.as_str()),
            (None, Urgency::No) => None,
            (None, _) => Some(UNSPECIFIED_RISK),
        }
    }
}

impl std::str::FromStr for Urgency {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "no" => Ok(Urgency::No),
            "check" => Ok(Urgency::Check),
            "urgent" | "yes" => Ok(Urgency::Urgent),
            other => Err(format!("not an urgency: {other:?}")),
        }
    }
}

/// The risk kind of a contact marked at risk without a kind named.
pub const UNSPECIFIED_RISK: &str = "unspecified";

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("{file}:{line}: {reason}")]
    Row {
        file: String,
        line: u64,
        reason: String,
    },
}

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    #[serde(default)]
    channel: String,
    text: String,
    service: String,
    #[serde(default)]
    referrals: String,
    #[serde(default)]
    urgent: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    risk: String,
}

/// Reads a CSV with columns id, channel, text, service, referrals (`;`-separated slugs),
/// urgent (yes, check or no), and optionally group and risk (the kind of risk). Every
/// slug must be in the catalogue; errors name the line.
pub fn read_csv(
    file: &str,
    reader: impl Read,
    catalogue: &Catalogue,
) -> Result<Vec<Example>, DataError> {
    let mut csv = csv::Reader::from_reader(reader);
    let unreadable = |e: csv::Error| DataError::Unreadable {
        file: file.to_owned(),
        reason: e.to_string(),
    };
    let headers = csv.headers().map_err(unreadable)?.clone();
    let mut examples = Vec::new();
    for record in csv.records() {
        let record = record.map_err(unreadable)?;
        let line = record.position().map_or(0, |p| p.line());
        let at_line = |reason: String| DataError::Row {
            file: file.to_owned(),
            line,
            reason,
        };
        let row: Row = record
            .deserialize(Some(&headers))
            .map_err(|e| at_line(e.to_string()))?;
        examples.push(example(row, catalogue).map_err(at_line)?);
    }
    if examples.is_empty() {
        return Err(DataError::Unreadable {
            file: file.to_owned(),
            reason: "no labelled rows".to_owned(),
        });
    }
    Ok(examples)
}

fn example(row: Row, catalogue: &Catalogue) -> Result<Example, String> {
    let known = |slug: &str| {
        if catalogue.service(slug).is_some() {
            Ok(slug.to_owned())
        } else {
            Err(format!(
                "row {}: no service {slug:?} in the catalogue",
                row.id
            ))
        }
    };
    let service = known(row.service.trim())?;
    let referrals = row
        .referrals
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(known)
        .collect::<Result<Vec<_>, _>>()?;
    let urgency = match row.urgent.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" | "urgent" => Urgency::Urgent,
        "check" => Urgency::Check,
        "no" | "false" | "0" | "" => Urgency::No,
        other => {
            return Err(format!(
                "row {}: urgent must be yes, check or no, not {other:?}",
                row.id
            ));
        }
    };
    let risk = Some(row.risk.trim().to_owned()).filter(|r| !r.is_empty());
    if risk.is_some() && urgency == Urgency::No {
        return Err(format!(
            "row {}: a kind of risk is given but urgent is no",
            row.id
        ));
    }
    if row.text.trim().is_empty() {
        return Err(format!("row {}: text is empty", row.id));
    }
    let group = if row.group.trim().is_empty() {
        row.id.clone()
    } else {
        row.group.trim().to_owned()
    };
    Ok(Example {
        id: row.id,
        group,
        channel: row.channel,
        text: row.text,
        service,
        referrals,
        urgency,
        risk,
    })
}
