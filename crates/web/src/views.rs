//! Page view models: plain data for the templates, already formatted for reading.

use askama::Template;
use askama_web::WebTemplate;
use frontdoor_domain::form::{Field, FieldError, FieldKind, RawAnswers};
use jiff::Timestamp;
use jiff::civil::Date;

/// What the shared layout needs on every page.
pub struct Layout {
    pub council: String,
    /// The signed-in member of staff, on console pages.
    pub staff_name: Option<String>,
    /// Whether the signed-in member of staff may see the management dashboard.
    pub manager: bool,
    pub csrf: String,
}

pub struct ErrorItem {
    pub href: String,
    pub message: String,
}

impl ErrorItem {
    pub fn from_field_errors(errors: &[FieldError]) -> Vec<ErrorItem> {
        errors
            .iter()
            .map(|e| ErrorItem {
                href: format!("#{}", e.input),
                message: e.message.clone(),
            })
            .collect()
    }
}

/// One question, with what the user typed and any error, ready to render.
pub struct FieldView {
    pub id: String,
    pub kind: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub required: bool,
    pub choices: Vec<String>,
    pub values: RawAnswers,
    pub error: Option<FieldError>,
    /// Whether the question is the page's heading (one question per page).
    pub heading: bool,
    /// Gazetteer addresses found for a location question, to choose from.
    pub places: Vec<AddressChoice>,
    /// The map for a location question, when JavaScript is on.
    pub map: Option<MapView>,
}

pub struct AddressChoice {
    pub uprn: String,
    pub label: String,
}

/// What the map script needs: where to centre, which tiles, where the boundary is.
pub struct MapView {
    pub tiles: String,
    pub attribution: String,
    pub lat: String,
    pub lon: String,
}

impl FieldView {
    pub fn new(field: &Field, values: &RawAnswers, errors: &[FieldError], heading: bool) -> Self {
        let choices = match field.kind {
            FieldKind::YesNo => vec!["Yes".into(), "No".into()],
            _ => field.choices.clone(),
        };
        Self {
            id: field.id.clone(),
            kind: kind_name(field.kind),
            label: field.label.clone(),
            hint: field.hint.clone(),
            required: field.required,
            choices,
            values: values.clone(),
            error: errors.iter().find(|e| e.field == field.id).cloned(),
            heading,
            places: Vec::new(),
            map: None,
        }
    }

    /// The value typed into an input of this question (`part` "" for the question itself).
    pub fn value(&self, part: &str) -> &str {
        let key = if part.is_empty() {
            self.id.clone()
        } else {
            format!("{}-{part}", self.id)
        };
        self.values.get(&key).map(String::as_str).unwrap_or("")
    }

    /// Whether the "street and description" part of a location question should start open.
    pub fn street_given(&self) -> bool {
        !self.value("street").is_empty()
            || !self.value("description").is_empty()
            || self.input_has_error("street")
            || self.input_has_error("description")
    }

    pub fn is_checked(&self, choice: &str) -> bool {
        let value = self.value("");
        value == choice || (self.kind == "yes-no" && value.eq_ignore_ascii_case(choice))
    }

    pub fn input_has_error(&self, part: &str) -> bool {
        let key = if part.is_empty() {
            self.id.clone()
        } else {
            format!("{}-{part}", self.id)
        };
        self.error.as_ref().is_some_and(|e| e.input == key)
    }

    pub fn error_message(&self) -> &str {
        self.error
            .as_ref()
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }

    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::LongText => "long-text",
        FieldKind::Date => "date",
        FieldKind::Email => "email",
        FieldKind::Phone => "phone",
        FieldKind::Postcode => "postcode",
        FieldKind::Choice => "choice",
        FieldKind::YesNo => "yes-no",
        FieldKind::Address => "address",
        FieldKind::Location => "location",
    }
}

/// The contact page's inputs, with values and errors.
pub struct ContactView {
    pub values: RawAnswers,
    pub errors: Vec<FieldError>,
}

impl ContactView {
    pub fn value(&self, input: &str) -> &str {
        self.values.get(input).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, input: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.input == input)
            .map(|e| e.message.as_str())
    }
}

pub struct SummaryRow {
    pub key: String,
    pub value: String,
    pub change_url: String,
}

pub struct TimelineEntry {
    pub when: String,
    pub who: String,
    pub text: String,
}

/// "25 November 2026"
pub fn long_date(day: Date) -> String {
    day.strftime("%-d %B %Y").to_string()
}

/// "25 November 2026 at 9:05am", in London time.
pub fn london_time(at: Timestamp) -> String {
    let zoned = at.to_zoned_datetime(frontdoor_domain::calendar::london());
    let hour = zoned.hour() % 12;
    let hour = if hour == 0 { 12 } else { hour };
    let suffix = if zoned.hour() < 12 { "am" } else { "pm" };
    format!(
        "{} at {hour}:{:02}{suffix}",
        long_date(zoned.date()),
        zoned.minute()
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'static str,
    pub body: &'a str,
}
