//! Service forms: typed questions, and what residents type turned into typed answers.
//!
//! Raw input arrives as flat name → text pairs (an HTML form post, or a flattened JSON
//! body). Composite questions use the GOV.UK input names: a date question `when` posts
//! `when-day`, `when-month`, `when-year`; an address question `where` posts
//! `where-line1`, `where-line2`, `where-town`, `where-postcode`; a location question `place`
//! posts a map point (`place-lat`, `place-lon`), a gazetteer address (`place-uprn`), or a
//! street and a description (`place-street`, `place-description`).

use crate::i18n::{Locale, Text};
use crate::location::{GazetteerAddress, Place, Point};
use crate::resident::{ContactDetails, ContactError, Email, Postcode, UkPhone, parse_name};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a browser or API client sent, before validation.
pub type RawAnswers = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    Email,
    Phone,
    Postcode,
    Choice,
    YesNo,
    Address,
    /// A place on a street, for location-based services: see [`Place`].
    Location,
}

/// Whether a date must lie in the past or the future relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateRule {
    PastOrToday,
    TodayOrFuture,
}

/// One question on a service's form, asked on a page of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub kind: FieldKind,
    /// The question, shown as the page heading.
    pub label: String,
    /// A short name for the answer, used on the check-answers page and in error messages.
    pub summary: String,
    pub hint: Option<String>,
    pub required: bool,
    /// The answers a choice question accepts, in the catalogue's own (English) words: what
    /// is stored, whatever language the resident reads.
    pub choices: Vec<String>,
    /// The choices as the resident reads them, in the same order.
    #[serde(default)]
    pub choice_labels: Vec<String>,
    pub max_length: Option<usize>,
    pub date_rule: Option<DateRule>,
    /// An address question whose answer is where the resident lives: its UPRN, found in the
    /// gazetteer, then identifies the resident (same property and same name).
    pub residents_home: bool,
}

/// A validated answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Answer {
    Text(String),
    Date(Date),
    Email(Email),
    Phone(UkPhone),
    Postcode(Postcode),
    Choice(String),
    YesNo(bool),
    Address(Address),
    Location(Place),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: Postcode,
}

/// A reason an answer was refused, with the id of the input to link to from the error summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub input: String,
    /// In English, for the JSON API and logs.
    pub message: String,
    /// The same message, to put into the resident's language.
    #[serde(skip)]
    pub text: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, input: impl Into<String>, text: Text) -> Self {
        FieldError {
            field: field.into(),
            input: input.into(),
            message: text.to_string(),
            text,
        }
    }

    pub fn message_in(&self, locale: Locale) -> String {
        self.text.render(locale)
    }
}

const DEFAULT_TEXT_LIMIT: usize = 200;
const DEFAULT_LONG_TEXT_LIMIT: usize = 2000;

impl Field {
    /// Turns the raw input for this question into an answer (`None` when optional and blank).
    pub fn validate(&self, raw: &RawAnswers, today: Date) -> Result<Option<Answer>, FieldError> {
        match self.kind {
            FieldKind::Date => self.validate_date(raw, today),
            FieldKind::Address => self.validate_address(raw),
            FieldKind::Location => self.validate_location(raw),
            _ => {
                let typed = raw.get(&self.id).map(String::as_str).unwrap_or("");
                self.validate_single(&self.clean(&self.id, typed)?)
            }
        }
    }

    /// What was typed into one box, made safe (see [`crate::typed`]): a long answer keeps
    /// its lines, anything else is one line; a control character is refused.
    fn clean(&self, input: &str, typed: &str) -> Result<String, FieldError> {
        let cleaned = match self.kind {
            FieldKind::LongText => crate::typed::many_lines(typed).map(|t| t.trim().to_owned()),
            _ => crate::typed::one_line(typed),
        };
        cleaned.map_err(|_| self.about(input, "error.hidden"))
    }

    /// The summary as the check-answers page shows it: "Which bin was missed".
    pub fn summary_title(&self) -> String {
        upper_first(&self.summary)
    }

    /// How a stored choice reads in this catalogue's language.
    pub fn choice_label<'a>(&'a self, value: &'a str) -> &'a str {
        self.choices
            .iter()
            .position(|c| c == value)
            .and_then(|i| self.choice_labels.get(i))
            .map(String::as_str)
            .unwrap_or(value)
    }

    /// The names of the inputs this question posts.
    pub fn input_names(&self) -> Vec<String> {
        let parts: &[&str] = match self.kind {
            FieldKind::Date => &["day", "month", "year"],
            FieldKind::Address => &["line1", "line2", "town", "postcode"],
            FieldKind::Location => &["lat", "lon", "uprn", "street", "description"],
            _ => return vec![self.id.clone()],
        };
        parts.iter().map(|p| format!("{}-{p}", self.id)).collect()
    }

    fn error(&self, input: impl Into<String>, text: Text) -> FieldError {
        FieldError::new(self.id.clone(), input, text)
    }

    /// "Enter …" or "Select …", with the summary in the catalogue's own words.
    fn missing(&self, input: impl Into<String>) -> FieldError {
        let key = match self.kind {
            FieldKind::Choice | FieldKind::YesNo => "error.select",
            _ => "error.enter",
        };
        self.error(
            input,
            Text::new(key).with("what", lower_first(&self.summary)),
        )
    }

    /// An error about this answer as a whole: "{What} must be a real date". Both cases of
    /// the summary are given, as languages put it at different places in the sentence.
    fn about(&self, input: impl Into<String>, key: &'static str) -> FieldError {
        self.error(input, self.summary_text(key))
    }

    fn summary_text(&self, key: &'static str) -> Text {
        Text::new(key)
            .with("what", lower_first(&self.summary))
            .with("What", upper_first(&self.summary))
    }

    fn validate_single(&self, value: &str) -> Result<Option<Answer>, FieldError> {
        if value.is_empty() {
            return if self.required {
                Err(self.missing(&self.id))
            } else {
                Ok(None)
            };
        }
        let contact = |e: ContactError| self.error(&self.id, e.text());
        let answer = match self.kind {
            FieldKind::Text | FieldKind::LongText => Answer::Text(self.check_length(value)?),
            FieldKind::Email => Answer::Email(Email::parse(value).map_err(contact)?),
            FieldKind::Phone => Answer::Phone(UkPhone::parse(value).map_err(contact)?),
            FieldKind::Postcode => Answer::Postcode(Postcode::parse(value).map_err(contact)?),
            FieldKind::Choice => Answer::Choice(self.check_choice(value)?),
            FieldKind::YesNo => Answer::YesNo(self.check_yes_no(value)?),
            FieldKind::Date | FieldKind::Address | FieldKind::Location => {
                unreachable!("composite kinds are validated apart")
            }
        };
        Ok(Some(answer))
    }

    fn check_length(&self, value: &str) -> Result<String, FieldError> {
        let limit = self.max_length.unwrap_or(match self.kind {
            FieldKind::LongText => DEFAULT_LONG_TEXT_LIMIT,
            _ => DEFAULT_TEXT_LIMIT,
        });
        if value.chars().count() > limit {
            let text = self.summary_text("error.too_long").with("limit", limit);
            return Err(self.error(&self.id, text));
        }
        Ok(value.to_owned())
    }

    fn check_choice(&self, value: &str) -> Result<String, FieldError> {
        self.choices
            .iter()
            .find(|c| c.as_str() == value)
            .cloned()
            .ok_or_else(|| self.missing(&self.id))
    }

    fn check_yes_no(&self, value: &str) -> Result<bool, FieldError> {
        match value.to_ascii_lowercase().as_str() {
            "yes" | "true" => Ok(true),
            "no" | "false" => Ok(false),
            _ => Err(self.missing(&self.id)),
        }
    }

    fn validate_date(&self, raw: &RawAnswers, today: Date) -> Result<Option<Answer>, FieldError> {
        let part = |name: &str| {
            raw.get(&format!("{}-{name}", self.id))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let (day, month, year) = (part("day"), part("month"), part("year"));
        if day.is_empty() && month.is_empty() && year.is_empty() {
            return if self.required {
                Err(self.missing(format!("{}-day", self.id)))
            } else {
                Ok(None)
            };
        }
        let parts = [
            ("day", day, "error.date.no_day"),
            ("month", month, "error.date.no_month"),
            ("year", year, "error.date.no_year"),
        ];
        for (name, value, key) in parts {
            if value.is_empty() {
                return Err(self.about(format!("{}-{name}", self.id), key));
            }
        }
        let real = || self.about(format!("{}-day", self.id), "error.date.real");
        let (d, m, y) = (day.parse::<i8>(), month.parse::<i8>(), year.parse::<i16>());
        let (Ok(d), Ok(m), Ok(y)) = (d, m, y) else {
            return Err(real());
        };
        if !(1900..=2200).contains(&y) {
            return Err(self.about(format!("{}-year", self.id), "error.date.four_digit_year"));
        }
        let date = Date::new(y, m, d).map_err(|_| real())?;
        match self.date_rule {
            Some(DateRule::PastOrToday) if date > today => {
                Err(self.about(format!("{}-day", self.id), "error.date.past"))
            }
            Some(DateRule::TodayOrFuture) if date < today => {
                Err(self.about(format!("{}-day", self.id), "error.date.future"))
            }
            _ => Ok(Some(Answer::Date(date))),
        }
    }

    /// A map point, a gazetteer address (UPRN) or a street with a description. The UPRN is
    /// only checked for shape here; the gazetteer confirms it (see [`Place`]).
    fn validate_location(&self, raw: &RawAnswers) -> Result<Option<Answer>, FieldError> {
        let get = |part: &str| {
            raw.get(&format!("{}-{part}", self.id))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let input = |part: &str| format!("{}-{part}", self.id);
        let mut place = Place::default();
        match (get("lat"), get("lon")) {
            (Some(lat), Some(lon)) => {
                let point =
                    Point::parse(lat, lon).map_err(|e| self.error(input("lat"), e.text()))?;
                place.point = Some(point);
            }
            (None, None) => {}
            _ => {
                let text = Text::new("error.location.both");
                return Err(self.error(input("lat"), text));
            }
        }
        if let Some(uprn) = get("uprn") {
            if !GazetteerAddress::is_uprn(uprn) {
                let text = Text::new("error.location.uprn");
                return Err(self.error(input("uprn"), text));
            }
            place.uprn = Some(uprn.to_owned());
        }
        let street = get("street").map(|v| {
            let key = "error.location.street_too_long";
            self.check_place_text(&input("street"), key, v, DEFAULT_TEXT_LIMIT)
        });
        let description = get("description").map(|v| {
            let key = "error.location.description_too_long";
            self.check_place_text(&input("description"), key, v, DEFAULT_LONG_TEXT_LIMIT)
        });
        place.street = street.transpose()?;
        place.description = description.transpose()?;
        if place.point.is_none() && place.uprn.is_none() {
            if place.street.is_none() && place.description.is_none() {
                return if self.required {
                    Err(self.error(input("search"), Text::new("error.location.missing")))
                } else {
                    Ok(None)
                };
            }
            if place.street.is_none() {
                let text = Text::new("error.location.street");
                return Err(self.error(input("street"), text));
            }
            if place.description.is_none() {
                let text = Text::new("error.location.description");
                return Err(self.error(input("description"), text));
            }
        }
        Ok(Some(Answer::Location(place)))
    }

    fn check_place_text(
        &self,
        input: &str,
        key: &'static str,
        value: &str,
        limit: usize,
    ) -> Result<String, FieldError> {
        let value = crate::typed::one_line(value).map_err(|_| self.about(input, "error.hidden"))?;
        if value.chars().count() > limit {
            return Err(self.error(input, Text::new(key).with("limit", limit)));
        }
        Ok(value)
    }

    fn validate_address(&self, raw: &RawAnswers) -> Result<Option<Answer>, FieldError> {
        let part = |name: &str| {
            raw.get(&format!("{}-{name}", self.id))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let line = |name: &str| self.clean(&format!("{}-{name}", self.id), part(name));
        let (line1, line2, town) = (line("line1")?, line("line2")?, line("town")?);
        let (line1, line2, town, postcode) = (
            line1.as_str(),
            line2.as_str(),
            town.as_str(),
            part("postcode"),
        );
        if [line1, line2, town, postcode].iter().all(|p| p.is_empty()) && !self.required {
            return Ok(None);
        }
        let input = |name: &str| format!("{}-{name}", self.id);
        if line1.is_empty() {
            let text = Text::new("error.address.line1");
            return Err(self.error(input("line1"), text));
        }
        if town.is_empty() {
            return Err(self.error(input("town"), Text::new("error.address.town")));
        }
        if [line1, line2, town]
            .iter()
            .any(|p| p.chars().count() > DEFAULT_TEXT_LIMIT)
        {
            let text = Text::new("error.address.too_long").with("limit", DEFAULT_TEXT_LIMIT);
            return Err(self.error(input("line1"), text));
        }
        let postcode =
            Postcode::parse(postcode).map_err(|e| self.error(input("postcode"), e.text()))?;
        Ok(Some(Answer::Address(Address {
            line1: line1.to_owned(),
            line2: (!line2.is_empty()).then(|| line2.to_owned()),
            town: town.to_owned(),
            postcode,
        })))
    }
}

impl Answer {
    /// The answer as a resident or officer reads it.
    pub fn display(&self) -> String {
        match self {
            Answer::Text(t) | Answer::Choice(t) => t.clone(),
            Answer::Date(d) => d.strftime("%-d %B %Y").to_string(),
            Answer::Email(e) => e.to_string(),
            Answer::Phone(p) => p.to_string(),
            Answer::Postcode(p) => p.to_string(),
            Answer::YesNo(true) => "Yes".into(),
            Answer::YesNo(false) => "No".into(),
            Answer::Location(place) => place.display(),
            Answer::Address(a) => {
                let mut lines = vec![a.line1.clone()];
                lines.extend(a.line2.clone());
                lines.extend([a.town.clone(), a.postcode.to_string()]);
                lines.join(", ")
            }
        }
    }

    /// The raw inputs that would produce this answer, to refill a form the resident goes back to.
    pub fn to_raw(&self, field_id: &str) -> RawAnswers {
        let mut raw = RawAnswers::new();
        let mut put = |k: String, v: String| {
            raw.insert(k, v);
        };
        match self {
            Answer::Date(d) => {
                put(format!("{field_id}-day"), d.day().to_string());
                put(format!("{field_id}-month"), d.month().to_string());
                put(format!("{field_id}-year"), d.year().to_string());
            }
            Answer::Address(a) => {
                put(format!("{field_id}-line1"), a.line1.clone());
                put(
                    format!("{field_id}-line2"),
                    a.line2.clone().unwrap_or_default(),
                );
                put(format!("{field_id}-town"), a.town.clone());
                put(format!("{field_id}-postcode"), a.postcode.to_string());
            }
            Answer::Location(place) => {
                if let Some(point) = place.point.filter(|_| place.uprn.is_none()) {
                    put(format!("{field_id}-lat"), format!("{:.6}", point.lat()));
                    put(format!("{field_id}-lon"), format!("{:.6}", point.lon()));
                }
                let mut text = |part: &str, v: &Option<String>| {
                    if let Some(v) = v {
                        put(format!("{field_id}-{part}"), v.clone());
                    }
                };
                text("uprn", &place.uprn);
                text("street", &place.street);
                text("description", &place.description);
            }
            Answer::YesNo(b) => put(field_id.into(), if *b { "yes" } else { "no" }.into()),
            Answer::Phone(p) => put(field_id.into(), p.to_string()),
            other => put(field_id.into(), other.display()),
        }
        raw
    }
}

/// The inputs of the "your contact details" page every form ends with.
pub mod contact_inputs {
    pub const NAME: &str = "contact-name";
    pub const EMAIL: &str = "contact-email";
    pub const PHONE: &str = "contact-phone";
    pub const POSTCODE: &str = "contact-postcode";
    pub const REPLY_BY: &str = "contact-reply-by";
}

/// The length of a call or visit (whole minutes, optional) and, for a face-to-face contact,
/// the hub where it happened (required), as staff enter them.
pub fn validate_visit(
    raw: &RawAnswers,
    channel: Option<crate::Channel>,
) -> Result<(Option<u32>, Option<String>), Vec<FieldError>> {
    let value = |name: &str| raw.get(name).map(|s| s.trim()).unwrap_or("");
    let error = |input: &str, key: &'static str| FieldError::new(input, input, Text::new(key));
    let mut errors = Vec::new();
    let duration = match value("duration") {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(minutes) if (1..=600).contains(&minutes) => Some(minutes),
            _ => {
                errors.push(error("duration", "error.visit.duration"));
                None
            }
        },
    };
    let hub = crate::typed::one_line(value("hub"));
    if hub.is_err() {
        errors.push(error("hub", "error.visit.hub_hidden"));
    }
    let hub = hub.ok().filter(|h| !h.is_empty());
    if channel == Some(crate::Channel::FaceToFace)
        && hub.is_none()
        && errors.iter().all(|e| e.field != "hub")
    {
        errors.push(error("hub", "error.visit.hub"));
    }
    if hub.as_ref().is_some_and(|h| h.chars().count() > 100) {
        errors.push(error("hub", "error.visit.hub_too_long"));
    }
    if errors.is_empty() {
        Ok((duration, hub))
    } else {
        Err(errors)
    }
}

/// How the resident wants to hear back: their choice, checked against what they gave.
/// With no choice, updates go by email if there is one, else by text to a mobile.
pub fn validate_reply_by(
    raw: &RawAnswers,
    contact: &ContactDetails,
) -> Result<Option<crate::ReplyBy>, FieldError> {
    use contact_inputs::*;
    let chosen = raw.get(REPLY_BY).map(|s| s.trim()).unwrap_or("");
    let error = |input: &str, key: &'static str| FieldError::new(REPLY_BY, input, Text::new(key));
    match crate::ReplyBy::parse(chosen) {
        None if chosen.is_empty() => Ok(None),
        None => Err(error(REPLY_BY, "error.reply_by.missing")),
        Some(crate::ReplyBy::Sms) if !contact.phone.as_ref().is_some_and(|p| p.is_mobile()) => {
            Err(error(PHONE, "error.reply_by.mobile"))
        }
        Some(crate::ReplyBy::Email) if contact.email.is_none() => {
            Err(error(EMAIL, "error.reply_by.email"))
        }
        Some(choice) => Ok(Some(choice)),
    }
}

/// Validates the contact page: a name, and an email or a postcode so the case can be tracked.
pub fn validate_contact(raw: &RawAnswers) -> Result<ContactDetails, Vec<FieldError>> {
    use contact_inputs::*;
    let value = |name: &str| raw.get(name).map(|s| s.trim()).unwrap_or("");
    let error = |input: &str, text: Text| FieldError::new(input, input, text);
    let mut errors = Vec::new();
    let name = parse_name(value(NAME))
        .map_err(|e| errors.push(error(NAME, e.text())))
        .ok();
    let optional = |input: &str| (!value(input).is_empty()).then(|| value(input));
    let email = optional(EMAIL).and_then(|v| {
        Email::parse(v)
            .map_err(|e| errors.push(error(EMAIL, e.text())))
            .ok()
    });
    let phone = optional(PHONE).and_then(|v| {
        UkPhone::parse(v)
            .map_err(|e| errors.push(error(PHONE, e.text())))
            .ok()
    });
    let postcode = optional(POSTCODE).and_then(|v| {
        Postcode::parse(v)
            .map_err(|e| errors.push(error(POSTCODE, e.text())))
            .ok()
    });
    if optional(EMAIL).is_none() && optional(POSTCODE).is_none() {
        errors.push(error(EMAIL, Text::new("error.contact.email_or_postcode")));
    }
    match (name, errors.is_empty()) {
        (Some(name), true) => Ok(ContactDetails {
            name,
            email,
            phone,
            postcode,
        }),
        _ => Err(errors),
    }
}

/// Validates every question of a form at once (assisted entry and the API send them together).
pub fn validate_all(
    fields: &[Field],
    raw: &RawAnswers,
    today: Date,
) -> Result<BTreeMap<String, Answer>, Vec<FieldError>> {
    let mut answers = BTreeMap::new();
    let mut errors = Vec::new();
    for field in fields {
        match field.validate(raw, today) {
            Ok(Some(answer)) => {
                answers.insert(field.id.clone(), answer);
            }
            Ok(None) => {}
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn field(id: &str, kind: FieldKind) -> Field {
        Field {
            id: id.into(),
            kind,
            label: "Question?".into(),
            summary: "the thing".into(),
            hint: None,
            required: true,
            choices: vec!["Recycling".into(), "General waste".into()],
            choice_labels: vec!["Ailgylchu".into(), "Gwastraff cyffredinol".into()],
            max_length: None,
            date_rule: Some(DateRule::PastOrToday),
            residents_home: false,
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const TODAY: Date = date(2026, 11, 25);

    #[test]
    fn a_missing_answer_says_what_to_enter_or_select() {
        let text = field("details", FieldKind::Text)
            .validate(&raw(&[]), TODAY)
            .unwrap_err();
        assert_eq!(text.message, "Enter the thing");
        let choice = field("bin", FieldKind::Choice)
            .validate(&raw(&[("bin", "Wheelie")]), TODAY)
            .unwrap_err();
        assert_eq!(choice.message, "Select the thing");
    }

    #[test]
    fn dates_name_the_missing_part_and_refuse_the_future() {
        let f = field("when", FieldKind::Date);
        let missing = f
            .validate(&raw(&[("when-day", "3"), ("when-year", "2026")]), TODAY)
            .unwrap_err();
        assert_eq!(
            (missing.input.as_str(), missing.message.as_str()),
            ("when-month", "The thing must include a month")
        );
        let unreal = f.validate(
            &raw(&[
                ("when-day", "31"),
                ("when-month", "2"),
                ("when-year", "2026"),
            ]),
            TODAY,
        );
        assert_eq!(unreal.unwrap_err().message, "The thing must be a real date");
        let future = f.validate(
            &raw(&[
                ("when-day", "1"),
                ("when-month", "1"),
                ("when-year", "2027"),
            ]),
            TODAY,
        );
        assert_eq!(
            future.unwrap_err().message,
            "The thing must be today or in the past"
        );
        let ok = f.validate(
            &raw(&[
                ("when-day", "24"),
                ("when-month", "11"),
                ("when-year", "2026"),
            ]),
            TODAY,
        );
        assert_eq!(ok.unwrap(), Some(Answer::Date(date(2026, 11, 24))));
    }

    #[test]
    fn an_address_needs_a_first_line_a_town_and_a_real_postcode() {
        let f = field("where", FieldKind::Address);
        let no_town = f.validate(
            &raw(&[("where-line1", "1 High St"), ("where-postcode", "LS1 4AP")]),
            TODAY,
        );
        assert_eq!(no_town.unwrap_err().input, "where-town");
        let bad_postcode = f.validate(
            &raw(&[
                ("where-line1", "1 High St"),
                ("where-town", "Leeds"),
                ("where-postcode", "nope"),
            ]),
            TODAY,
        );
        assert_eq!(bad_postcode.unwrap_err().input, "where-postcode");
    }

    #[test]
    fn too_long_text_is_refused_with_the_limit() {
        let mut f = field("details", FieldKind::Text);
        f.max_length = Some(5);
        let error = f
            .validate(&raw(&[("details", "abcdef")]), TODAY)
            .unwrap_err();
        assert_eq!(error.message, "The thing must be 5 characters or fewer");
    }

    #[test]
    fn optional_blank_answers_are_none() {
        let mut f = field("phone", FieldKind::Phone);
        f.required = false;
        assert_eq!(f.validate(&raw(&[("phone", "  ")]), TODAY), Ok(None));
    }

    #[test]
    fn the_contact_page_needs_a_name_and_an_email_or_postcode() {
        let errors = validate_contact(&raw(&[("contact-phone", "07700 900982")])).unwrap_err();
        let inputs: Vec<&str> = errors.iter().map(|e| e.input.as_str()).collect();
        assert_eq!(inputs, ["contact-name", "contact-email"]);
        let ok = validate_contact(&raw(&[
            ("contact-name", " Jo  Bloggs "),
            ("contact-postcode", "ls14ap"),
        ]))
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.postcode.unwrap().as_str()),
            ("Jo Bloggs", "LS1 4AP")
        );
        let bad = validate_contact(&raw(&[("contact-name", "Jo"), ("contact-email", "jo@")]))
            .unwrap_err();
        assert_eq!(
            bad[0].message,
            "Enter an email address in the correct format, like name@example.com"
        );
    }

    proptest! {
        #[test]
        fn every_valid_answer_refills_its_form_and_validates_to_itself(
            kind in prop_oneof![
                Just(FieldKind::Text), Just(FieldKind::Date), Just(FieldKind::YesNo),
                Just(FieldKind::Choice), Just(FieldKind::Address), Just(FieldKind::Phone)
            ],
            text in "[a-zA-Z0-9 ]{1,40}", day in 1i8..=28, month in 1i8..=12, year in 1950i16..=2026,
        ) {
            let f = field("q", kind);
            let input = raw(&[
                ("q", match kind { FieldKind::YesNo => "yes", FieldKind::Choice => "Recycling", FieldKind::Phone => "07700 900982", _ => &text }),
                ("q-day", &day.to_string()), ("q-month", &month.to_string()), ("q-year", &year.to_string()),
                ("q-line1", &format!("1{text}")), ("q-town", "Leeds"), ("q-postcode", "LS1 4AP"),
            ]);
            if let Ok(Some(answer)) = f.validate(&input, TODAY) {
                let again = f.validate(&answer.to_raw("q"), TODAY).unwrap();
                prop_assert_eq!(again, Some(answer));
            }
        }
    }
}
