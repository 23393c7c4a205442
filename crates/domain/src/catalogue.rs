//! A council's service catalogue: one declarative TOML file, validated as it is read.
//!
//! Every mistake found names the file and line it is on, so a broken catalogue stops
//! start-up with a message an administrator can act on.

use crate::channel::Channel;
use crate::form::{DateRule, Field, FieldKind};
use crate::level::Level;
use serde::Deserialize;
use std::collections::BTreeSet;
use toml::Spanned;

#[derive(Debug, Clone)]
pub struct Catalogue {
    pub council: Council,
    pub teams: Vec<Team>,
    pub topics: Vec<Topic>,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Council {
    /// Also the Open311 `jurisdiction_id`.
    pub id: String,
    pub name: String,
    pub phone: String,
    /// GeoJSON files, relative to the catalogue, for the boundary, wards and neighbours.
    pub area: Option<AreaFiles>,
    /// Where the duty officer is told at once of a contact triaged as urgent: an email
    /// address watched around the clock. Unset: urgent contacts only jump the queues.
    pub duty_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaFiles {
    pub boundary: String,
    pub wards: String,
    pub neighbours: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub slug: String,
    pub name: String,
    /// The life events this team is told about once a resident tells the council (Tell Us Once).
    pub tell_us_once: Vec<crate::life_event::LifeEventKind>,
    /// The directorate the team reports to, for management information; the team's own
    /// name where the catalogue gives none.
    pub department: String,
}

/// A resident-facing grouping of services on the home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The Local Government Service List code, where one fits.
    pub lgsl: Option<u32>,
    pub team: String,
    pub department: String,
    pub topic: String,
    pub level: Level,
    pub channels: Vec<Channel>,
    pub sla_working_days: u16,
    pub statutory_basis: Option<String>,
    pub location_based: bool,
    /// Open reports of this service appear on the public map (street problems, not homes).
    pub public_map: bool,
    /// Social care, safeguarding, early help: only the owning team's staff see its cases.
    pub restricted: bool,
    /// Whole years a case is kept after it closes; then `frontdoor retention run`
    /// anonymises it.
    pub retention_years: u16,
    pub keywords: Vec<String>,
    pub fields: Vec<Field>,
    /// Whether the service takes complaints or compliments, counted beside satisfaction.
    pub feedback: Option<Feedback>,
}

/// Feedback a service takes about the council itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feedback {
    Complaint,
    Compliment,
}

impl Service {
    /// The question that asks where, on a location-based service.
    pub fn location_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.kind == FieldKind::Location)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct CatalogueError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl Catalogue {
    /// Parses and checks a catalogue; `file` is only used to name the file in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, CatalogueError> {
        let raw: RawCatalogue = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            CatalogueError {
                file: file.into(),
                line,
                reason: e.message().trim().to_owned(),
            }
        })?;
        Checker { file, text }.check(raw)
    }

    pub fn service(&self, slug: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.slug == slug)
    }

    /// Who holds a case of `service` owned by `team`: restricted if its service is. A service
    /// no longer in the catalogue is treated as restricted, so nothing unknown is shown widely.
    pub fn owner<'a>(&self, service: &str, team: &'a str) -> crate::access::Owner<'a> {
        crate::access::Owner {
            team,
            restricted: self.service(service).is_none_or(|s| s.restricted),
            awaiting_triage: false,
        }
    }

    pub fn team(&self, slug: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.slug == slug)
    }

    pub fn topic(&self, slug: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.slug == slug)
    }

    pub fn services_in_topic<'a>(
        &'a self,
        topic: &'a str,
    ) -> impl Iterator<Item = &'a Service> + 'a {
        self.services.iter().filter(move |s| s.topic == topic)
    }

    pub fn services_for_team<'a>(
        &'a self,
        team: &'a str,
    ) -> impl Iterator<Item = &'a Service> + 'a {
        self.services.iter().filter(move |s| s.team == team)
    }

    /// Services matching a resident's search words, best first.
    pub fn search(&self, query: &str) -> Vec<&Service> {
        let words = search_words(query);
        if words.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(u32, &Service)> = self
            .services
            .iter()
            .map(|service| (service_score(service, &words), service))
            .filter(|(score, _)| *score > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        scored.into_iter().map(|(_, s)| s).collect()
    }
}

const STOP_WORDS: [&str; 22] = [
    "a", "an", "the", "my", "i", "to", "of", "for", "and", "or", "in", "on", "is", "it", "me",
    "how", "do", "can", "with", "about", "your", "you",
];

/// Lower-cased words with a plural "s" taken off, so "bins" finds "bin".
fn search_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(|w| w.to_lowercase())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

fn stem(word: &str) -> String {
    match word.strip_suffix('s') {
        Some(base) if base.len() >= 3 && !base.ends_with('s') => base.to_owned(),
        _ => word.to_owned(),
    }
}

/// Name words count most, then keywords, then the description.
fn service_score(service: &Service, words: &[String]) -> u32 {
    let name = search_words(&service.name);
    let keywords: Vec<String> = service
        .keywords
        .iter()
        .flat_map(|k| search_words(k))
        .collect();
    let description = search_words(&service.description);
    words
        .iter()
        .map(|w| {
            let mut score = 0;
            if name.contains(w) {
                score += 5;
            }
            if keywords.contains(w) {
                score += 3;
            }
            if description.contains(w) {
                score += 1;
            }
            score
        })
        .sum()
}

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

// ---- the file's shape -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    council: RawCouncil,
    #[serde(rename = "team")]
    teams: Vec<Spanned<RawTeam>>,
    #[serde(rename = "topic")]
    topics: Vec<Spanned<RawTopic>>,
    #[serde(rename = "service")]
    services: Vec<Spanned<RawService>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCouncil {
    id: String,
    name: String,
    phone: String,
    area: Option<AreaFiles>,
    duty_email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    slug: String,
    name: String,
    #[serde(default)]
    tell_us_once: Vec<crate::life_event::LifeEventKind>,
    department: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    slug: String,
    name: String,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    slug: String,
    name: String,
    description: String,
    lgsl: Option<u32>,
    team: String,
    topic: String,
    level: Level,
    channels: Vec<Channel>,
    sla_working_days: u16,
    statutory_basis: Option<String>,
    location_based: bool,
    #[serde(default)]
    public_map: bool,
    #[serde(default)]
    restricted: bool,
    retention_years: Option<u16>,
    #[serde(default)]
    keywords: Vec<String>,
    feedback: Option<Feedback>,
    #[serde(rename = "field", default)]
    fields: Vec<Spanned<RawField>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: String,
    kind: FieldKind,
    label: String,
    summary: String,
    hint: Option<String>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    choices: Vec<String>,
    max_length: Option<usize>,
    date_rule: Option<DateRule>,
    #[serde(default)]
    residents_home: bool,
}

fn yes() -> bool {
    true
}

// ---- checks across the whole file ---------------------------------------------------

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn fail<T>(&self, at: usize, reason: impl Into<String>) -> Result<T, CatalogueError> {
        Err(CatalogueError {
            file: self.file.into(),
            line: line_of(self.text, at),
            reason: reason.into(),
        })
    }

    fn check(&self, raw: RawCatalogue) -> Result<Catalogue, CatalogueError> {
        let teams = self.check_unique(raw.teams, |t| &t.slug, "team")?;
        let topics = self.check_unique(raw.topics, |t| &t.slug, "topic")?;
        let teams: Vec<Team> = teams
            .into_iter()
            .map(|t| Team {
                department: t
                    .department
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| t.name.clone()),
                slug: t.slug,
                name: t.name,
                tell_us_once: t.tell_us_once,
            })
            .collect();
        let topics: Vec<Topic> = topics
            .into_iter()
            .map(|t| Topic {
                slug: t.slug,
                name: t.name,
                description: t.description,
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut services = Vec::with_capacity(raw.services.len());
        for spanned in raw.services {
            let at = spanned.span().start;
            let raw = spanned.into_inner();
            if !seen.insert(raw.slug.clone()) {
                return self.fail(at, format!("service '{}' is listed twice", raw.slug));
            }
            services.push(self.check_service(at, raw, &teams, &topics)?);
        }
        if services.is_empty() {
            return self.fail(0, "the catalogue lists no services");
        }
        Ok(Catalogue {
            council: Council {
                id: raw.council.id,
                name: raw.council.name,
                phone: raw.council.phone,
                area: raw.council.area,
                duty_email: raw.council.duty_email,
            },
            teams,
            topics,
            services,
        })
    }

    fn check_unique<T>(
        &self,
        items: Vec<Spanned<T>>,
        key: impl Fn(&T) -> &String,
        what: &str,
    ) -> Result<Vec<T>, CatalogueError> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let at = item.span().start;
            let inner = item.into_inner();
            if !is_slug(key(&inner)) {
                return self.fail(
                    at,
                    format!(
                        "{what} slug '{}' must be lower-case letters, digits and hyphens",
                        key(&inner)
                    ),
                );
            }
            if !seen.insert(key(&inner).clone()) {
                return self.fail(at, format!("{what} '{}' is listed twice", key(&inner)));
            }
            out.push(inner);
        }
        Ok(out)
    }

    fn check_service(
        &self,
        at: usize,
        raw: RawService,
        teams: &[Team],
        topics: &[Topic],
    ) -> Result<Service, CatalogueError> {
        let slug = raw.slug.clone();
        if !is_slug(&slug) {
            return self.fail(
                at,
                format!("service slug '{slug}' must be lower-case letters, digits and hyphens"),
            );
        }
        let Some(team) = teams.iter().find(|t| t.slug == raw.team) else {
            return self.fail(
                at,
                format!(
                    "service '{slug}' names team '{}', which is not listed under [[team]]",
                    raw.team
                ),
            );
        };
        if !topics.iter().any(|t| t.slug == raw.topic) {
            return self.fail(
                at,
                format!(
                    "service '{slug}' names topic '{}', which is not listed under [[topic]]",
                    raw.topic
                ),
            );
        }
        if raw.sla_working_days == 0 {
            return self.fail(
                at,
                format!("service '{slug}' needs an SLA of at least 1 working day"),
            );
        }
        if raw.channels.is_empty() {
            return self.fail(
                at,
                format!("service '{slug}' needs at least one optimum channel"),
            );
        }
        if raw.fields.is_empty() {
            return self.fail(
                at,
                format!("service '{slug}' has no form fields: add at least one [[service.field]]"),
            );
        }
        let fields = self.check_fields(&slug, raw.fields)?;
        let locations = fields
            .iter()
            .filter(|f| f.kind == FieldKind::Location)
            .count();
        match (raw.location_based, locations) {
            (true, 1) | (false, 0) => {}
            (true, _) => {
                return self.fail(
                    at,
                    format!("location-based service '{slug}' needs exactly one field of kind \"location\""),
                );
            }
            (false, _) => {
                return self.fail(
                    at,
                    format!("service '{slug}' has a location field but is not location_based"),
                );
            }
        }
        if raw.public_map && !raw.location_based {
            return self.fail(
                at,
                format!("service '{slug}' is on the public map but is not location_based"),
            );
        }
        let retention_years = raw
            .retention_years
            .unwrap_or(crate::retention::DEFAULT_RETENTION_YEARS);
        if !(1..=100).contains(&retention_years) {
            return self.fail(
                at,
                format!("service '{slug}': retention_years must be from 1 to 100"),
            );
        }
        if raw.public_map && raw.restricted {
            return self.fail(
                at,
                format!("service '{slug}' is restricted, so it cannot be on the public map"),
            );
        }
        Ok(Service {
            slug,
            name: raw.name,
            description: raw.description,
            lgsl: raw.lgsl,
            team: team.slug.clone(),
            department: team.name.clone(),
            topic: raw.topic,
            level: raw.level,
            channels: raw.channels,
            sla_working_days: raw.sla_working_days,
            statutory_basis: raw.statutory_basis.filter(|s| !s.trim().is_empty()),
            location_based: raw.location_based,
            public_map: raw.public_map,
            restricted: raw.restricted,
            retention_years,
            keywords: raw.keywords,
            fields,
            feedback: raw.feedback,
        })
    }

    fn check_fields(
        &self,
        service: &str,
        raw: Vec<Spanned<RawField>>,
    ) -> Result<Vec<Field>, CatalogueError> {
        let mut seen = BTreeSet::new();
        let mut fields = Vec::with_capacity(raw.len());
        for spanned in raw {
            let at = spanned.span().start;
            let f = spanned.into_inner();
            if !is_slug(&f.id) || f.id.starts_with("contact") {
                return self.fail(
                    at,
                    format!(
                        "field id '{}' in '{service}' must be a slug not starting 'contact'",
                        f.id
                    ),
                );
            }
            if !seen.insert(f.id.clone()) {
                return self.fail(at, format!("field '{}' appears twice in '{service}'", f.id));
            }
            let is_choice = f.kind == FieldKind::Choice;
            if is_choice && f.choices.len() < 2 {
                return self.fail(
                    at,
                    format!(
                        "choice field '{}' in '{service}' needs at least two choices",
                        f.id
                    ),
                );
            }
            if !is_choice && !f.choices.is_empty() {
                return self.fail(
                    at,
                    format!(
                        "field '{}' in '{service}' has choices but is not a choice field",
                        f.id
                    ),
                );
            }
            if f.date_rule.is_some() && f.kind != FieldKind::Date {
                return self.fail(
                    at,
                    format!(
                        "field '{}' in '{service}' has a date_rule but is not a date",
                        f.id
                    ),
                );
            }
            if f.residents_home && f.kind != FieldKind::Address {
                return self.fail(
                    at,
                    format!(
                        "field '{}' in '{service}' is marked residents_home but is not an address",
                        f.id
                    ),
                );
            }
            fields.push(Field {
                id: f.id,
                kind: f.kind,
                label: f.label,
                summary: f.summary,
                hint: f.hint,
                required: f.required,
                choice_labels: f.choices.clone(),
                choices: f.choices,
                max_length: f.max_length,
                date_rule: f.date_rule,
                residents_home: f.residents_home,
            });
        }
        Ok(fields)
    }
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[council]
id = "demo"
name = "Demo Council"
phone = "01632 960000"

[[team]]
slug = "waste"
name = "Waste"

[[topic]]
slug = "bins"
name = "Bins and recycling"
description = "Collections"

[[service]]
slug = "missed-bin-collection"
name = "Report a missed bin collection"
description = "Tell us if we missed your bin."
team = "waste"
topic = "bins"
level = 1
channels = ["web", "phone"]
sla_working_days = 2
location_based = true
keywords = ["rubbish", "wheelie"]

[[service.field]]
id = "bin"
kind = "choice"
label = "Which bin was missed?"
summary = "Which bin was missed"
choices = ["Recycling", "General waste"]

[[service.field]]
id = "place"
kind = "location"
label = "Where is the bin?"
summary = "where the bin is"
"#;

    #[test]
    fn a_small_catalogue_loads() {
        let catalogue = Catalogue::parse("demo.toml", SMALL).unwrap();
        let service = catalogue.service("missed-bin-collection").unwrap();
        assert_eq!(service.department, "Waste");
        assert_eq!(service.level, Level::SelfService);
        assert_eq!(service.fields[0].kind, FieldKind::Choice);
    }

    #[test]
    fn a_location_based_service_must_ask_where() {
        let without = SMALL.replace("kind = \"location\"", "kind = \"text\"");
        let error = Catalogue::parse("demo.toml", &without).unwrap_err();
        assert!(
            error
                .reason
                .contains("exactly one field of kind \"location\""),
            "{error}"
        );
        let not_located = SMALL.replace("location_based = true", "location_based = false");
        let error = Catalogue::parse("demo.toml", &not_located).unwrap_err();
        assert!(error.reason.contains("not location_based"), "{error}");
        let public = SMALL.replace(
            "location_based = true",
            "location_based = true\npublic_map = true",
        );
        assert!(Catalogue::parse("demo.toml", &public).unwrap().services[0].public_map);
    }

    #[test]
    fn an_unknown_team_is_reported_on_the_services_line() {
        let broken = SMALL.replace("team = \"waste\"\ntopic", "team = \"bins\"\ntopic");
        let error = Catalogue::parse("demo.toml", &broken).unwrap_err();
        assert_eq!(error.line, 16, "{error}");
        assert!(error.reason.contains("team 'bins'"), "{error}");
        assert!(error.to_string().starts_with("demo.toml:16: "));
    }

    #[test]
    fn a_bad_level_is_reported_with_its_line() {
        let broken = SMALL.replace("level = 1", "level = 7");
        let error = Catalogue::parse("demo.toml", &broken).unwrap_err();
        assert_eq!(error.line, 22, "{error}");
        assert!(
            error.reason.contains("level must be 0, 1, 2 or 3"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused_rather_than_ignored() {
        let broken = SMALL.replace(
            "location_based = true",
            "location_based = true\nsla_days = 3",
        );
        let error = Catalogue::parse("demo.toml", &broken).unwrap_err();
        assert!(error.reason.contains("sla_days"), "{error}");
    }

    #[test]
    fn a_choice_with_one_option_is_refused() {
        let broken = SMALL.replace(
            r#"choices = ["Recycling", "General waste"]"#,
            r#"choices = ["Recycling"]"#,
        );
        let error = Catalogue::parse("demo.toml", &broken).unwrap_err();
        assert!(error.reason.contains("at least two choices"), "{error}");
        assert_eq!(error.line, 28, "{error}");
    }

    #[test]
    fn only_an_address_can_be_the_residents_home() {
        let broken = SMALL.replace(
            r#"choices = ["Recycling", "General waste"]"#,
            "choices = [\"Recycling\", \"General waste\"]\nresidents_home = true",
        );
        let error = Catalogue::parse("demo.toml", &broken).unwrap_err();
        assert!(
            error
                .reason
                .contains("marked residents_home but is not an address"),
            "{error}"
        );
    }

    #[test]
    fn search_finds_services_by_name_keyword_and_plural() {
        let catalogue = Catalogue::parse("demo.toml", SMALL).unwrap();
        for query in ["missed bins", "wheelie", "Rubbish!"] {
            assert_eq!(catalogue.search(query).len(), 1, "{query}");
        }
        assert!(catalogue.search("pothole").is_empty());
        assert!(catalogue.search("the").is_empty());
    }
}
