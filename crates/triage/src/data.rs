//! Labelled contacts: the CSV files triage is trained and judged on, and corrections
//! staff made in the console.

use frontdoor_domain::Catalogue;
use std::io::Read;

/// One contact and what a person decided about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub id: String,
    pub channel: String,
    pub text: String,
    pub service: String,
    pub referrals: Vec<String>,
    pub urgent: bool,
}

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
}

/// Reads a CSV with columns id, channel, text, service, referrals (`;`-separated slugs)
/// and urgent (yes/no). Every slug must be in the catalogue; errors name the line.
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
    let urgent = match row.urgent.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" => true,
        "no" | "false" | "0" | "" => false,
        other => {
            return Err(format!(
                "row {}: urgent must be yes or no, not {other:?}",
                row.id
            ));
        }
    };
    if row.text.trim().is_empty() {
        return Err(format!("row {}: text is empty", row.id));
    }
    Ok(Example {
        id: row.id,
        channel: row.channel,
        text: row.text,
        service,
        referrals,
        urgent,
    })
}
