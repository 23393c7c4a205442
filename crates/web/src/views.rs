//! Page view models: plain data for the templates, already formatted for reading.

use askama::Template;
use askama_web::WebTemplate;
use frontdoor_domain::form::{Field, FieldError, FieldKind, RawAnswers};
use frontdoor_domain::i18n::{self, Locale};
use jiff::Timestamp;
use jiff::civil::Date;

/// What the shared layout needs on every page.
pub struct Layout {
    pub council: String,
    /// The signed-in member of staff, on console pages.
    pub staff_name: Option<String>,
    /// Whether the signed-in member of staff may see the management dashboard.
    pub manager: bool,
    /// Whether they may record a phone or face-to-face contact.
    pub records_contacts: bool,
    /// Whether they may read the audit trail (the data-protection officer's page).
    pub audit: bool,
    pub csrf: String,
    /// The page's language, and the link that switches to the other one.
    pub lang: Locale,
    pub toggle_url: String,
}

impl Layout {
    /// The shared layout for a page in the request's language.
    pub fn new(council: &str, csrf: &str) -> Self {
        let lang = crate::locale::current();
        Layout {
            council: council.to_owned(),
            staff_name: None,
            manager: false,
            records_contacts: false,
            audit: false,
            csrf: csrf.to_owned(),
            lang,
            toggle_url: crate::locale::toggle_url(lang),
        }
    }

    /// A message from the translation catalogue.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::message(self.lang, key)
    }

    /// A message with one `{name}` filled in.
    pub fn tf(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        i18n::render(self.lang, key, &[(name, value.to_string())])
    }

    /// A message with two arguments filled in.
    pub fn tf2(
        &self,
        key: &str,
        a: &str,
        a_value: impl std::fmt::Display,
        b: &str,
        b_value: impl std::fmt::Display,
    ) -> String {
        i18n::render(
            self.lang,
            key,
            &[(a, a_value.to_string()), (b, b_value.to_string())],
        )
    }

    /// The singular or plural form of a message about a count ("1 working day").
    pub fn count(&self, key: &str, n: impl std::fmt::Display) -> String {
        let n = n.to_string();
        let form = if n == "1" { "one" } else { "other" };
        i18n::render(self.lang, &format!("{key}.{form}"), &[("count", n)])
    }
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
                message: e.message_in(crate::locale::current()),
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
    /// (value, label): values stay in the catalogue's words, labels are the resident's.
    pub choices: Vec<(String, String)>,
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
        let lang = crate::locale::current();
        let choices = match field.kind {
            FieldKind::YesNo => [("Yes", "common.yes"), ("No", "common.no")]
                .iter()
                .map(|(value, key)| (value.to_string(), i18n::message(lang, key).to_owned()))
                .collect(),
            _ => field
                .choices
                .iter()
                .map(|c| (c.clone(), field.choice_label(c).to_owned()))
                .collect(),
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

    pub fn error_message(&self) -> String {
        self.error
            .as_ref()
            .map(|e| e.message_in(crate::locale::current()))
            .unwrap_or_default()
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

    pub fn error(&self, input: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.input == input)
            .map(|e| e.message_in(crate::locale::current()))
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

/// A place as the resident reads it: its address, street and description, or the point
/// they chose on the map.
pub fn place_text(place: &frontdoor_domain::Place) -> String {
    let words = place.address.is_some() || place.street.is_some() || place.description.is_some();
    match place.point {
        Some(point) if !words => frontdoor_domain::Text::new("location.map_point")
            .with("point", point)
            .render(crate::locale::current()),
        _ => place.display(),
    }
}

/// "25 November 2026"
pub fn long_date(day: Date) -> String {
    long_date_in(crate::locale::current(), day)
}

/// "25 Tachwedd 2026": a long date in a given language (for messages sent later).
pub fn long_date_in(locale: Locale, day: Date) -> String {
    let month = i18n::month_name(locale, day.month());
    format!("{} {month} {}", day.day(), day.year())
}

/// "25 November 2026 at 9:05am", in London time.
pub fn london_time(at: Timestamp) -> String {
    let zoned = at.to_zoned_datetime(frontdoor_domain::calendar::london());
    let hour = zoned.hour() % 12;
    let hour = if hour == 0 { 12 } else { hour };
    let lang = crate::locale::current();
    let suffix = i18n::message(
        lang,
        if zoned.hour() < 12 {
            "date.am"
        } else {
            "date.pm"
        },
    );
    i18n::render(
        lang,
        "date.at_time",
        &[
            ("date", long_date(zoned.date())),
            ("time", format!("{hour}:{:02}{suffix}", zoned.minute())),
        ],
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Locale,
    pub title: &'static str,
    pub body: String,
    pub home: &'static str,
}

impl ErrorPage {
    /// An error page in the request's language; `body` is already in it.
    pub fn new(title_key: &str, body: String) -> Self {
        let lang = crate::locale::current();
        ErrorPage {
            lang,
            title: i18n::message(lang, title_key),
            body,
            home: i18n::message(lang, "common.go_home"),
        }
    }
}
