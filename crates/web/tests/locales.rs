//! Every word a resident reads goes through the translation catalogue: the resident
//! templates hold no English of their own, and every message key the code and templates
//! use is in both languages.

use frontdoor_domain::i18n::{Locale, SOURCES, parse_messages};
use frontdoor_domain::{Channel, LifeEventKind, case::Status};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RESIDENT_TEMPLATES: [&str; 7] = [
    "base.html",
    "error.html",
    "error_summary.html",
    "field.html",
    "contact_fields.html",
    "location_field.html",
    "portal",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(path: &Path, extension: &str) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path, extension));
        } else if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
    files
}

fn resident_templates() -> Vec<(PathBuf, String)> {
    RESIDENT_TEMPLATES
        .iter()
        .flat_map(|t| files_under(&crate_dir().join("templates").join(t), "html"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

fn english() -> BTreeMap<String, String> {
    parse_messages(SOURCES[0].1).unwrap()
}

/// Removes everything between `open` and `close`, keeping what is outside.
fn strip(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn resident_templates_hold_no_words_of_their_own() {
    let mut found = Vec::new();
    for (path, text) in resident_templates() {
        let text = strip(&text, "{#", "#}");
        let text = strip(&text, "{%", "%}");
        let text = strip(&text, "{{", "}}");
        let text = strip(&text, "<", ">");
        for word in text.split_whitespace() {
            if word.chars().any(|c| c.is_alphabetic()) {
                found.push(format!("{}: {word}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "words outside the catalogue: {found:#?}");
}

#[test]
fn resident_templates_label_nothing_in_english_of_their_own() {
    let mut found = Vec::new();
    for (path, text) in resident_templates() {
        for attribute in ["aria-label=\"", "title=\"", "alt=\"", "placeholder=\""] {
            for piece in text.split(attribute).skip(1) {
                let value = piece.split('"').next().unwrap_or("");
                if !value.starts_with("{{") && value.chars().any(char::is_alphabetic) {
                    found.push(format!("{}: {attribute}{value}", path.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// Every quoted `section.key` in templates and in the code that builds resident messages.
fn keys_used() -> Vec<(String, String)> {
    let mut sources: Vec<PathBuf> = resident_templates().into_iter().map(|(p, _)| p).collect();
    sources.extend(files_under(&crate_dir().join("src"), "rs"));
    // The catalogue translation's own paths (`service.x.name`) are not message keys.
    let domain = files_under(&crate_dir().join("../domain/src"), "rs");
    sources.extend(
        domain
            .into_iter()
            .filter(|p| !p.ends_with("translation.rs")),
    );
    let sections: Vec<String> = english()
        .keys()
        .map(|k| k.split('.').next().unwrap().to_owned())
        .collect();
    let mut used = Vec::new();
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        // Quotes nest in templates (`"{{ t("a.b") }}"`), so every piece between two quotes
        // is looked at, not only every other one.
        for piece in text.split('"') {
            let looks_like_key = piece.contains('.')
                && !piece.contains(' ')
                && !piece.contains('{')
                && !piece.ends_with(".html")
                && !piece.ends_with('.')
                && sections.iter().any(|s| piece.starts_with(&format!("{s}.")));
            if looks_like_key {
                used.push((path.display().to_string(), piece.to_owned()));
            }
        }
    }
    used
}

#[test]
fn every_key_used_is_in_the_catalogue() {
    let english = english();
    let used = keys_used();
    assert!(used.len() > 200, "the scan found only {} keys", used.len());
    let missing: Vec<String> = used
        .iter()
        .filter(|(_, key)| !english.contains_key(key))
        // Prefixes completed in code: `feedback.score.{n}`, `status.{status}`.
        .filter(|(_, key)| !english.keys().any(|k| k.starts_with(&format!("{key}."))))
        .map(|(path, key)| format!("{path}: {key}"))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn keys_made_from_names_exist_for_every_name() {
    let english = english();
    let mut keys: Vec<String> = Status::ALL.iter().map(|s| s.key()).collect();
    keys.extend(
        Channel::ALL
            .iter()
            .map(|c| format!("channel.{}", c.as_str())),
    );
    for kind in LifeEventKind::ALL {
        keys.push(format!("life_event.{}", kind.as_str()));
        keys.push(format!("life_event.choice.{}", kind.as_str()));
    }
    keys.extend((1..=12).map(|m| format!("date.month.{m}")));
    keys.extend((1..=5).map(|n| format!("feedback.score.{n}")));
    for key in keys {
        assert!(english.contains_key(&key), "{key}");
    }
}

#[test]
fn every_key_in_the_catalogue_is_used() {
    let used: Vec<String> = keys_used().into_iter().map(|(_, k)| k).collect();
    let made = [
        "status.",
        "channel.",
        "life_event.",
        "date.month.",
        "feedback.score.",
    ];
    let unused: Vec<String> = english()
        .into_keys()
        .filter(|k| !used.contains(k))
        .filter(|k| !made.iter().any(|m| k.starts_with(m)))
        // Plural forms are chosen in code from their stem.
        .filter(|k| !(k.ends_with(".one") || k.ends_with(".other")))
        .collect();
    assert!(unused.is_empty(), "keys nothing uses: {unused:#?}");
    assert_eq!(Locale::ALL.len(), SOURCES.len());
}
