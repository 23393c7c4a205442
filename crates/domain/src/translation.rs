//! A catalogue's Welsh words: a companion file that gives, for the council, its teams,
//! topics, services and questions, the text residents read in Welsh.
//!
//! The file names only what it translates, by slug and question id; anything it leaves out
//! is shown in English. Choices keep their English values (what is stored and what staff
//! see) and only their labels change. Mistakes name the file and line, as the catalogue's do.

use crate::catalogue::{Catalogue, CatalogueError, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTranslation {
    council: Option<RawCouncil>,
    #[serde(default)]
    team: BTreeMap<String, Spanned<RawTeam>>,
    #[serde(default)]
    topic: BTreeMap<String, Spanned<RawTopic>>,
    #[serde(default)]
    service: BTreeMap<String, Spanned<RawService>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCouncil {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    name: Option<String>,
    department: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    name: Option<String>,
    description: Option<String>,
    statutory_basis: Option<String>,
    /// Welsh search words, searched beside the English ones.
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    field: BTreeMap<String, Spanned<RawField>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    label: Option<String>,
    summary: Option<String>,
    hint: Option<String>,
    choices: Option<Vec<String>>,
}

impl Catalogue {
    /// This catalogue with a translation file's words put in; `file` names it in errors.
    pub fn translated(&self, file: &str, text: &str) -> Result<Catalogue, CatalogueError> {
        let fail = |offset: usize, reason: String| CatalogueError {
            file: file.into(),
            line: line_of(text, offset),
            reason,
        };
        let raw: RawTranslation = toml::from_str(text).map_err(|e| {
            fail(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().into(),
            )
        })?;
        let mut out = self.clone();
        if let Some(council) = raw.council {
            out.council.name = council.name;
        }
        for (slug, team) in raw.team {
            let at = team.span().start;
            let target = out.teams.iter_mut().find(|t| t.slug == slug);
            let target = target.ok_or_else(|| fail(at, format!("no team '{slug}'")))?;
            let team = team.into_inner();
            // A team with no department of its own reports under its own name.
            let own_name = target.department == target.name && team.department.is_none();
            replace(&mut target.name, team.name);
            replace(&mut target.department, team.department);
            if own_name {
                target.department = target.name.clone();
            }
        }
        for (slug, topic) in raw.topic {
            let at = topic.span().start;
            let target = out.topics.iter_mut().find(|t| t.slug == slug);
            let target = target.ok_or_else(|| fail(at, format!("no topic '{slug}'")))?;
            let topic = topic.into_inner();
            replace(&mut target.name, topic.name);
            replace(&mut target.description, topic.description);
        }
        for (slug, service) in raw.service {
            let at = service.span().start;
            let index = out.services.iter().position(|s| s.slug == slug);
            let index = index.ok_or_else(|| fail(at, format!("no service '{slug}'")))?;
            translate_service(&mut out.services[index], service.into_inner(), &fail)?;
        }
        let departments: BTreeMap<String, String> = out
            .teams
            .iter()
            .map(|t| (t.slug.clone(), t.department.clone()))
            .collect();
        for service in &mut out.services {
            if let Some(department) = departments.get(&service.team) {
                service.department = department.clone();
            }
        }
        Ok(out)
    }

    /// Every text of the catalogue a translation file leaves in English, as
    /// `service.slug.field.id.label`-style paths: what a translator still has to do.
    pub fn untranslated(&self, english: &Catalogue) -> Vec<String> {
        let mut missing = Vec::new();
        let mut check = |path: String, ours: &str, theirs: &str| {
            if ours == theirs && !ours.is_empty() {
                missing.push(path);
            }
        };
        check(
            "council.name".into(),
            &self.council.name,
            &english.council.name,
        );
        for (t, e) in self.teams.iter().zip(&english.teams) {
            check(format!("team.{}.name", t.slug), &t.name, &e.name);
        }
        for (t, e) in self.topics.iter().zip(&english.topics) {
            check(format!("topic.{}.name", t.slug), &t.name, &e.name);
            let path = format!("topic.{}.description", t.slug);
            check(path, &t.description, &e.description);
        }
        for (s, e) in self.services.iter().zip(&english.services) {
            check(format!("service.{}.name", s.slug), &s.name, &e.name);
            let path = format!("service.{}.description", s.slug);
            check(path, &s.description, &e.description);
            for (f, g) in s.fields.iter().zip(&e.fields) {
                let at = |part: &str| format!("service.{}.field.{}.{part}", s.slug, f.id);
                check(at("label"), &f.label, &g.label);
                check(at("summary"), &f.summary, &g.summary);
                check(
                    at("hint"),
                    f.hint.as_deref().unwrap_or(""),
                    g.hint.as_deref().unwrap_or(""),
                );
                check(
                    at("choices"),
                    &f.choice_labels.join("|"),
                    &g.choice_labels.join("|"),
                );
            }
        }
        missing
    }
}

fn replace(target: &mut String, value: Option<String>) {
    if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
        *target = value;
    }
}

fn translate_service(
    service: &mut crate::Service,
    raw: RawService,
    fail: &impl Fn(usize, String) -> CatalogueError,
) -> Result<(), CatalogueError> {
    replace(&mut service.name, raw.name);
    replace(&mut service.description, raw.description);
    if raw.statutory_basis.is_some() {
        service.statutory_basis = raw.statutory_basis;
    }
    service.keywords.extend(raw.keywords);
    for (id, field) in raw.field {
        let at = field.span().start;
        let slug = &service.slug;
        let target = service.fields.iter_mut().find(|f| f.id == id);
        let target = target.ok_or_else(|| fail(at, format!("no question '{id}' in '{slug}'")))?;
        let field = field.into_inner();
        replace(&mut target.label, field.label);
        replace(&mut target.summary, field.summary);
        if field.hint.is_some() {
            target.hint = field.hint;
        }
        if let Some(choices) = field.choices {
            if choices.len() != target.choices.len() {
                let reason = format!(
                    "question '{id}' in '{slug}' has {} choices, not {}",
                    target.choices.len(),
                    choices.len()
                );
                return Err(fail(at, reason));
            }
            target.choice_labels = choices;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &str = r#"
[council]
id = "demo"
name = "Demo Council"
phone = "01632 960000"

[[team]]
slug = "waste"
name = "Waste"

[[topic]]
slug = "bins"
name = "Bins"
description = "Bins and recycling"

[[service]]
slug = "missed-bin"
name = "Report a missed bin"
description = "Tell us if we did not empty your bin."
team = "waste"
topic = "bins"
level = 1
channels = ["web"]
sla_working_days = 2
location_based = false

[[service.field]]
id = "bin"
kind = "choice"
label = "Which bin was missed?"
summary = "which bin was missed"
choices = ["Recycling", "General waste"]
"#;

    fn english() -> Catalogue {
        Catalogue::parse("demo.toml", CATALOGUE).unwrap()
    }

    #[test]
    fn welsh_words_replace_english_and_choices_keep_their_values() {
        let welsh = english()
            .translated(
                "demo.cy.toml",
                r#"
[council]
name = "Cyngor Demo"
[team.waste]
name = "Gwastraff"
[topic.bins]
name = "Biniau"
[service.missed-bin]
name = "Rhoi gwybod am fin a fethwyd"
keywords = ["bin"]
[service.missed-bin.field.bin]
label = "Pa fin a fethwyd?"
choices = ["Ailgylchu", "Gwastraff cyffredinol"]
"#,
            )
            .unwrap();
        assert_eq!(welsh.council.name, "Cyngor Demo");
        assert_eq!(welsh.topics[0].description, "Bins and recycling");
        let field = &welsh.services[0].fields[0];
        assert_eq!(field.label, "Pa fin a fethwyd?");
        assert_eq!(field.choices, ["Recycling", "General waste"]);
        assert_eq!(field.choice_label("General waste"), "Gwastraff cyffredinol");
        assert_eq!(welsh.services[0].department, "Gwastraff");
        let left = welsh.untranslated(&english());
        assert!(
            left.contains(&"topic.bins.description".to_string()),
            "{left:?}"
        );
        assert!(left.contains(&"service.missed-bin.field.bin.summary".to_string()));
        assert!(!left.contains(&"service.missed-bin.field.bin.choices".to_string()));
    }

    #[test]
    fn mistakes_name_the_line() {
        let err = english()
            .translated(
                "demo.cy.toml",
                "[service.missed-bin]\nname = \"x\"\n[service.no-such]\nname = \"y\"\n",
            )
            .unwrap_err();
        assert_eq!((err.line, err.reason.as_str()), (3, "no service 'no-such'"));
        let err = english()
            .translated(
                "demo.cy.toml",
                "[service.missed-bin.field.bin]\nchoices = [\"Un\"]\n",
            )
            .unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.reason.contains("2 choices, not 1"), "{}", err.reason);
        let err = english()
            .translated("demo.cy.toml", "[topic.bins]\ncolour = \"red\"\n")
            .unwrap_err();
        assert_eq!(err.line, 2);
    }
}
