//! The words residents read, in English and Welsh.
//!
//! Every resident-facing sentence Front Door itself writes (page text, buttons, error
//! messages, dates) has a key in `locales/en.toml` and `locales/cy.toml`; the council's own
//! words (service names, questions) come from its catalogue and its Welsh companion file.
//! Messages are built as a key plus named arguments ([`Text`]) so they can be shown in
//! either language; `{name}` in a message is replaced by the argument of that name.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Locale {
    #[default]
    En,
    Cy,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Cy];

    /// The BCP 47 code, as used in `lang` attributes and the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Cy => "cy",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Locale::En),
            "cy" => Some(Locale::Cy),
            _ => None,
        }
    }

    /// The other language, offered by the language toggle.
    pub fn other(self) -> Locale {
        match self {
            Locale::En => Locale::Cy,
            Locale::Cy => Locale::En,
        }
    }

    /// Picks a language from an `Accept-Language` header: the highest-weighted English or
    /// Welsh range (`cy`, `cy-GB`, `en-GB`…); English when neither is asked for.
    pub fn negotiate(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let Some(locale) = Locale::from_code(primary) else {
                continue;
            };
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// The message catalogues, embedded so the binary needs no files beside it.
pub const SOURCES: [(Locale, &str); 2] = [
    (Locale::En, include_str!("../locales/en.toml")),
    (Locale::Cy, include_str!("../locales/cy.toml")),
];

/// Flattens a message file into dotted keys (`[error] enter = …` → `error.enter`).
pub fn parse_messages(text: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out)?,
            _ => return Err(format!("{key}: every message must be text")),
        }
    }
    Ok(())
}

static MESSAGES: LazyLock<BTreeMap<Locale, BTreeMap<String, String>>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(locale, text)| {
            let messages = parse_messages(text)
                .unwrap_or_else(|e| panic!("locales/{}.toml: {e}", locale.code()));
            (*locale, messages)
        })
        .collect()
});

/// The message with this key, falling back to English, then to the key itself (which the
/// locale tests make impossible for keys the code uses).
pub fn message(locale: Locale, key: &str) -> &'static str {
    let find = |l: Locale| MESSAGES.get(&l).and_then(|m| m.get(key));
    find(locale)
        .or_else(|| find(Locale::En))
        .map(String::as_str)
        .unwrap_or_else(|| leak_key(key))
}

fn leak_key(key: &str) -> &'static str {
    // Only reached for a key missing from English, which tests rule out. Each such key is
    // kept once, so `message` can return borrowed text without a lifetime on every caller.
    static MISSING: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = missing.get(key) {
        return known;
    }
    let kept: &'static str = Box::leak(key.to_owned().into_boxed_str());
    missing.insert(kept);
    kept
}

/// The message with this key in a language, its arguments filled in: the one way every
/// message, in a template or built in code, is put into words.
pub fn render(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let text = fill(message(locale, key), args);
    match locale {
        Locale::Cy => welsh_elision(&text),
        Locale::En => text,
    }
}

/// Replaces each `{name}` with its argument, and `{name:soft}` with it soft-mutated (for
/// Welsh, where a word after "Rhowch", "Dewiswch" or "i" changes its first letter).
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
        let soft = format!("{{{name}:soft}}");
        if out.contains(&soft) {
            out = out.replace(&soft, &soft_mutation(value));
        }
    }
    out
}

/// Words a soft mutation leaves alone at the start of a phrase: articles, pronouns and
/// question words, which begin the council's answer summaries ("y dyddiad", "pa fin").
const NOT_MUTATED: [&str; 20] = [
    "y", "yr", "a", "ac", "eich", "ei", "fy", "beth", "pwy", "ble", "pa", "pam", "pryd", "sut",
    "gyda", "am", "ar", "faint", "pa'r", "unrhyw",
];

/// The Welsh soft mutation of a phrase's first word: "disgrifiad" → "ddisgrifiad",
/// "rhif" → "rif", "cyfeiriad" → "gyfeiriad".
pub fn soft_mutation(phrase: &str) -> String {
    let first = phrase.split_whitespace().next().unwrap_or("");
    if NOT_MUTATED.contains(&first.to_lowercase().as_str()) {
        return phrase.to_owned();
    }
    const CHANGES: [(&str, &str); 9] = [
        ("ll", "l"),
        ("rh", "r"),
        ("p", "b"),
        ("t", "d"),
        ("c", "g"),
        ("b", "f"),
        ("d", "dd"),
        ("g", ""),
        ("m", "f"),
    ];
    for (from, to) in CHANGES {
        if let Some(rest) = phrase.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    phrase.to_owned()
}

/// A message not yet put into words: its key and arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument: words given as they are (a name, a reference), or a message of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Plain(String),
    Key(String),
}

impl Text {
    pub fn new(key: &'static str) -> Self {
        Text {
            key,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, Arg::Plain(value.to_string())));
        self
    }

    /// Words that are not translated: for staff and partner systems, who work in English.
    pub fn untranslated(words: impl Into<String>) -> Self {
        Text::new("").with("", words.into())
    }

    /// An argument that is itself a message, put into the same language.
    pub fn with_key(mut self, name: &'static str, key: impl Into<String>) -> Self {
        self.args.push((name, Arg::Key(key.into())));
        self
    }

    pub fn render(&self, locale: Locale) -> String {
        if self.key.is_empty() {
            return self.args.iter().map(|(_, arg)| arg.words(locale)).collect();
        }
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| (*name, arg.words(locale)))
            .collect();
        render(locale, self.key, &args)
    }
}

/// Welsh joins "i" to the article and to "eich": "Rhaid i {what}" with "y dyddiad" reads
/// "Rhaid i'r dyddiad", and with "eich enw" "Rhaid i'ch enw", as written out by hand.
fn welsh_elision(text: &str) -> String {
    text.replace(" i yr ", " i'r ")
        .replace(" i y ", " i'r ")
        .replace(" i eich ", " i'ch ")
}

impl Arg {
    fn words(&self, locale: Locale) -> String {
        match self {
            Arg::Plain(text) => text.clone(),
            Arg::Key(key) => message(locale, key).to_owned(),
        }
    }
}

impl fmt::Display for Text {
    /// English, for logs of refused input and the JSON API.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

/// Month names for long dates ("25 Tachwedd 2026").
pub fn month_name(locale: Locale, month: i8) -> &'static str {
    message(locale, &format!("date.month.{}", month.clamp(1, 12)))
}

/// The `{name}` placeholders a message uses, for checking translations keep them. Case is
/// ignored: `{What}` and `{what}` are one argument, capitalised where a sentence starts.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names: Vec<String> = template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .map(|(name, _)| name.split(':').next().unwrap_or(name).to_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_highest_weighted_known_language() {
        assert_eq!(Locale::negotiate("cy-GB,cy;q=0.9,en;q=0.8"), Locale::Cy);
        assert_eq!(Locale::negotiate("en-GB,en;q=0.9,cy;q=0.8"), Locale::En);
        assert_eq!(Locale::negotiate("fr-FR, cy;q=0.5"), Locale::Cy);
        assert_eq!(Locale::negotiate("fr-FR,de"), Locale::En);
        assert_eq!(Locale::negotiate("cy;q=0, en;q=0.1"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("en;q=0.4, CY;q=0.7"), Locale::Cy);
    }

    #[test]
    fn english_and_welsh_have_the_same_keys_and_placeholders() {
        let en = parse_messages(SOURCES[0].1).unwrap();
        let cy = parse_messages(SOURCES[1].1).unwrap();
        let missing: Vec<&String> = en.keys().filter(|k| !cy.contains_key(*k)).collect();
        let extra: Vec<&String> = cy.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing.is_empty(), "not in Welsh: {missing:?}");
        assert!(extra.is_empty(), "only in Welsh: {extra:?}");
        for (key, english) in &en {
            assert_eq!(
                placeholders(english),
                placeholders(&cy[key]),
                "{key} changes its placeholders"
            );
            assert!(!cy[key].trim().is_empty(), "{key} is blank in Welsh");
        }
    }

    /// The Design System's rules for error messages: say what to do, plainly, without
    /// blame or apology, and no full stop (they are list items in the error summary).
    #[test]
    fn english_error_messages_follow_the_design_systems_wording() {
        let en = parse_messages(SOURCES[0].1).unwrap();
        let banned = [
            "please",
            "invalid",
            "valid ",
            "oops",
            "sorry",
            "error",
            "forbidden",
            "illegal",
            "you forgot",
            "you must",
        ];
        let errors = en.iter().filter(|(k, _)| {
            k.starts_with("error.") || k.ends_with("_missing") || k.ends_with("_too_long")
        });
        let mut count = 0;
        for (key, message) in errors {
            count += 1;
            let lower = message.to_lowercase();
            assert!(!message.ends_with('.'), "{key} ends with a full stop");
            for word in banned {
                assert!(!lower.contains(word), "{key} says {word:?}: {message}");
            }
            let first = message.split_whitespace().next().unwrap_or("");
            assert!(
                first
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c == '{'),
                "{key} starts in lower case"
            );
        }
        assert!(count > 50, "{count}");
    }

    #[test]
    fn a_missing_key_shows_itself_and_is_kept_once() {
        let first = message(Locale::Cy, "no.such.key");
        let again = message(Locale::En, "no.such.key");
        assert_eq!(first, "no.such.key");
        assert!(std::ptr::eq(first, again));
    }

    #[test]
    fn texts_render_in_either_language_with_their_arguments() {
        let text = Text::new("error.enter").with("what", "y peth");
        assert_eq!(text.render(Locale::Cy), "Rhowch y peth");
        let real = Text::new("error.date.real").with("what", "y dyddiad casglu");
        assert_eq!(
            real.render(Locale::Cy),
            "Rhaid i'r dyddiad casglu fod yn ddyddiad go iawn"
        );
        let long = Text::new("error.too_long")
            .with("what", "eich ymholiad")
            .with("limit", 2000);
        assert_eq!(
            long.render(Locale::Cy),
            "Rhaid i'ch ymholiad fod yn 2000 nod neu lai"
        );
        let describe = Text::new("error.enter").with("what", "disgrifiad o'r broblem");
        assert_eq!(
            describe.render(Locale::Cy),
            "Rhowch ddisgrifiad o'r broblem"
        );
        let which = Text::new("error.select").with("what", "pa fin na chafodd ei gasglu");
        assert_eq!(
            which.render(Locale::Cy),
            "Dewiswch pa fin na chafodd ei gasglu"
        );
        assert_eq!(soft_mutation("rhif y PCN"), "rif y PCN");
        assert_eq!(soft_mutation("lleoliad y difrod"), "leoliad y difrod");
        assert_eq!(soft_mutation("cyfeiriad y bin"), "gyfeiriad y bin");
        assert_eq!(soft_mutation("nifer y biniau"), "nifer y biniau");
        let text = Text::new("error.enter").with("what", "the thing");
        assert_eq!(text.to_string(), "Enter the thing");
        assert_eq!(month_name(Locale::Cy, 11), "Tachwedd");
        assert_eq!(month_name(Locale::En, 2), "February");
    }
}
