//! A council's triage rules: per service, the phrases residents use for it (extra training
//! text), the cues that mean a resident also needs it (referrals), and the cues that mean a
//! resident is at risk (urgent, routed to that service).
//!
//! Cues are short patterns over stemmed words, written the way residents write:
//! - words separated by spaces match consecutive words: `nowhere to stay`;
//! - `a|b` matches either word: `sleep|stay|go`;
//! - `(a b|c)` matches either run of words: `(on my own|alone)`;
//! - `*` skips up to three words: `hands * neck`;
//! - ` & ` joins parts that must all appear somewhere: `council tax & moving`.
//!
//! Rules live beside the catalogue (`catalogue/demo-council.triage.toml`) and are copied
//! into each trained model, so a model file always carries the rules it was judged with.

use crate::fast_map::FastMap;
use crate::normalise::{Token, tokens};
use frontdoor_domain::Catalogue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The rules file as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    /// Confidence at or above which a contact is routed without a person looking at it.
    #[serde(default = "default_route_threshold")]
    pub route_threshold: f32,
    /// Learned referral probability at or above which a referral is suggested.
    #[serde(default = "default_referral_threshold")]
    pub referral_threshold: f32,
    #[serde(default)]
    pub risk: RiskRules,
    #[serde(default)]
    pub service: BTreeMap<String, ServiceRules>,
}

fn default_route_threshold() -> f32 {
    0.6
}

fn default_referral_threshold() -> f32 {
    0.5
}

/// When the learned risk model's word is enough. Cues still make a contact urgent on
/// their own; these thresholds add what the cues do not list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RiskRules {
    /// Probability of an urgent kind of risk at or above which a contact is urgent.
    pub urgent_threshold: f32,
    /// Probability of any kind of risk at or above which a person must check it.
    pub check_threshold: f32,
    /// Services whose contacts are checked at a lower risk probability: the ones where
    /// a missed risk costs most.
    pub backstop_services: Vec<String>,
    pub backstop_threshold: f32,
    /// Cues of risk to life that make a contact urgent wherever it is routed (a gas
    /// leak in a council flat stays with repairs, urgently).
    pub urgent_cues: Vec<String>,
    /// Cues that a person should read a contact within the hour.
    pub check_cues: Vec<String>,
}

impl Default for RiskRules {
    fn default() -> Self {
        Self {
            urgent_threshold: 0.5,
            check_threshold: 0.2,
            backstop_services: Vec::new(),
            backstop_threshold: 0.05,
            urgent_cues: Vec::new(),
            check_cues: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceRules {
    /// What residents say when they need this service; used as training text.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Cues that a resident whose contact is mainly about something else also needs this.
    #[serde(default)]
    pub referral_cues: Vec<String>,
    /// Cues of risk of harm or of homelessness tonight: urgent, and routed here.
    #[serde(default)]
    pub urgent_cues: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("the triage rules are not valid TOML: {0}")]
    Syntax(String),
    #[error("the triage rules name a service the catalogue does not have: {0}")]
    UnknownService(String),
    #[error("cue {cue:?} for {service}: {reason}")]
    BadCue {
        service: String,
        cue: String,
        reason: String,
    },
}

impl RulesFile {
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        toml::from_str(text).map_err(|e| RulesError::Syntax(e.to_string()))
    }

    /// Checks every service exists in the catalogue and every cue compiles.
    pub fn check(&self, catalogue: &Catalogue) -> Result<(), RulesError> {
        for slug in self.service.keys().chain(&self.risk.backstop_services) {
            if catalogue.service(slug).is_none() {
                return Err(RulesError::UnknownService(slug.clone()));
            }
        }
        CompiledRules::compile(self).map(|_| ())
    }
}

/// What a cue found: the service it points to and the words that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueMatch {
    pub service: String,
    pub cue: String,
    pub words: Vec<String>,
}

/// The rules ready to match against a message.
#[derive(Debug, Clone)]
pub struct CompiledRules {
    referral: CueSet,
    urgent: CueSet,
    risk_urgent: CueSet,
    risk_check: CueSet,
}

/// Cues with an index from each part's possible first stems to the cues that need them,
/// so a message is tried only against the cues all of whose parts could start in it.
#[derive(Debug, Clone, Default)]
struct CueSet {
    cues: Vec<Cue>,
    /// First stem -> (cue, bit of the part it may start).
    starts: FastMap<String, Vec<(usize, u64)>>,
}

/// A cue has at most this many ` & ` parts (one bit each).
const MAX_PARTS: usize = 64;

impl CueSet {
    fn new(cues: Vec<Cue>) -> Result<Self, RulesError> {
        let mut starts: FastMap<String, Vec<(usize, u64)>> = FastMap::default();
        for (c, cue) in cues.iter().enumerate() {
            if cue.all_of.len() > MAX_PARTS {
                return Err(RulesError::BadCue {
                    service: cue.service.clone(),
                    cue: cue.text.clone(),
                    reason: format!("a cue may join at most {MAX_PARTS} parts"),
                });
            }
            for (p, phrase) in cue.all_of.iter().enumerate() {
                let Part::Words(runs) = &phrase.parts[0] else {
                    continue;
                };
                for run in runs {
                    let entry = starts.entry(run[0].clone()).or_default();
                    if !entry.contains(&(c, 1 << p)) {
                        entry.push((c, 1 << p));
                    }
                }
            }
        }
        Ok(Self { cues, starts })
    }

    fn matches(&self, words: &Words) -> Vec<CueMatch> {
        let mut seen = vec![0u64; self.cues.len()];
        for stem in words.positions.keys() {
            for &(c, bit) in self.starts.get(*stem).map_or(&[][..], Vec::as_slice) {
                seen[c] |= bit;
            }
        }
        self.cues
            .iter()
            .zip(seen)
            .filter(|(cue, seen)| *seen == full_mask(cue.all_of.len()))
            .filter_map(|(cue, _)| cue.find(words))
            .collect()
    }
}

fn full_mask(parts: usize) -> u64 {
    if parts >= 64 {
        u64::MAX
    } else {
        (1 << parts) - 1
    }
}

#[derive(Debug, Clone)]
struct Cue {
    service: String,
    text: String,
    all_of: Vec<Phrase>,
}

#[derive(Debug, Clone)]
struct Phrase {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    /// One of several runs of stems.
    Words(Vec<Vec<String>>),
    Gap,
}

const GAP_WORDS: usize = 3;

impl CompiledRules {
    pub fn compile(file: &RulesFile) -> Result<Self, RulesError> {
        let mut referral = Vec::new();
        let mut urgent = Vec::new();
        for (slug, rules) in &file.service {
            for text in &rules.referral_cues {
                referral.push(Cue::compile(slug, text)?);
            }
            for text in &rules.urgent_cues {
                urgent.push(Cue::compile(slug, text)?);
            }
        }
        let any = |cues: &[String]| {
            cues.iter()
                .map(|text| Cue::compile("", text))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            referral: CueSet::new(referral)?,
            urgent: CueSet::new(urgent)?,
            risk_urgent: CueSet::new(any(&file.risk.urgent_cues)?)?,
            risk_check: CueSet::new(any(&file.risk.check_cues)?)?,
        })
    }

    /// Cues that make a contact urgent without saying where it goes.
    pub fn risk_urgent_matches(&self, words: &Words) -> Vec<CueMatch> {
        self.risk_urgent.matches(words)
    }

    /// Cues that a person should read a contact within the hour.
    pub fn check_matches(&self, words: &Words) -> Vec<CueMatch> {
        self.risk_check.matches(words)
    }

    pub fn referral_matches(&self, words: &Words) -> Vec<CueMatch> {
        self.referral.matches(words)
    }

    pub fn urgent_matches(&self, words: &Words) -> Vec<CueMatch> {
        self.urgent.matches(words)
    }
}

/// A message's tokens with an index from stem to positions, built once per message so
/// each cue only looks where its first word occurs.
pub struct Words<'a> {
    tokens: &'a [Token],
    positions: FastMap<&'a str, Vec<usize>>,
}

impl<'a> Words<'a> {
    pub fn new(tokens: &'a [Token]) -> Self {
        let mut positions: FastMap<&str, Vec<usize>> =
            FastMap::with_capacity_and_hasher(tokens.len(), Default::default());
        for (i, token) in tokens.iter().enumerate() {
            positions.entry(token.stem.as_str()).or_default().push(i);
        }
        Self { tokens, positions }
    }
}

impl Cue {
    fn compile(service: &str, text: &str) -> Result<Self, RulesError> {
        let bad = |reason: &str| RulesError::BadCue {
            service: service.to_owned(),
            cue: text.to_owned(),
            reason: reason.to_owned(),
        };
        let mut all_of = Vec::new();
        for phrase in text.split(" & ") {
            let parts = parse_phrase(phrase).map_err(|reason| bad(&reason))?;
            match (parts.first(), parts.last()) {
                (Some(Part::Words(_)), Some(Part::Words(_))) => {}
                _ => return Err(bad("a part must start and end with a word")),
            }
            all_of.push(Phrase { parts });
        }
        Ok(Self {
            service: service.to_owned(),
            text: text.to_owned(),
            all_of,
        })
    }

    fn find(&self, words: &Words) -> Option<CueMatch> {
        let mut matched = Vec::new();
        for phrase in &self.all_of {
            let (start, end) = phrase.find(words)?;
            let surface: Vec<&str> = words.tokens[start..end]
                .iter()
                .map(|t| t.surface.as_str())
                .collect();
            let mut surface = surface;
            surface.dedup();
            matched.push(surface.join(" "));
        }
        Some(CueMatch {
            service: self.service.clone(),
            cue: self.text.clone(),
            words: matched,
        })
    }
}

/// Splits a phrase into parts: `*`, `(run|run)` groups, and words (`a|b` alternatives).
fn parse_phrase(phrase: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = phrase.trim();
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner.find(')').ok_or("a ( has no matching )")?;
            let runs = inner[..close]
                .split('|')
                .map(stems)
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(Part::Words(runs));
            rest = inner[close + 1..].trim_start();
            continue;
        }
        let end = rest.find(' ').unwrap_or(rest.len());
        let word = &rest[..end];
        rest = rest[end..].trim_start();
        if word == "*" {
            parts.push(Part::Gap);
        } else if word.contains('|') {
            let runs = word.split('|').map(stems).collect::<Result<Vec<_>, _>>()?;
            parts.push(Part::Words(runs));
        } else {
            parts.extend(stems(word)?.into_iter().map(|s| Part::Words(vec![vec![s]])));
        }
    }
    Ok(parts)
}

fn stems(words: &str) -> Result<Vec<String>, String> {
    let stems: Vec<String> = tokens(words).into_iter().map(|t| t.stem).collect();
    if stems.is_empty() {
        Err(format!("{words:?} has nothing to match"))
    } else {
        Ok(stems)
    }
}

impl Phrase {
    fn find(&self, words: &Words) -> Option<(usize, usize)> {
        let Part::Words(first) = &self.parts[0] else {
            return None;
        };
        let mut starts: Vec<usize> = first
            .iter()
            .filter_map(|run| words.positions.get(run[0].as_str()))
            .flatten()
            .copied()
            .collect();
        starts.sort_unstable();
        starts
            .into_iter()
            .find_map(|start| match_from(&self.parts, words.tokens, start).map(|end| (start, end)))
    }
}

/// Matches the remaining parts starting at `pos`; returns the end of the match.
fn match_from(parts: &[Part], tokens: &[Token], pos: usize) -> Option<usize> {
    let Some((part, rest)) = parts.split_first() else {
        return Some(pos);
    };
    match part {
        Part::Words(runs) => runs.iter().find_map(|run| {
            let matched = tokens
                .get(pos..pos + run.len())?
                .iter()
                .zip(run)
                .all(|(token, stem)| token.stem == *stem);
            if matched {
                match_from(rest, tokens, pos + run.len())
            } else {
                None
            }
        }),
        Part::Gap => (0..=GAP_WORDS).find_map(|skip| match_from(rest, tokens, pos + skip)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(cues: &[&str]) -> CompiledRules {
        let mut file = RulesFile::default();
        file.service.insert(
            "homelessness-advice".into(),
            ServiceRules {
                urgent_cues: cues.iter().map(|c| (*c).to_owned()).collect(),
                ..ServiceRules::default()
            },
        );
        CompiledRules::compile(&file).unwrap()
    }

    fn urgent(rules: &CompiledRules, text: &str) -> Vec<CueMatch> {
        let tokens = tokens(text);
        rules.urgent_matches(&Words::new(&tokens))
    }

    #[test]
    fn a_phrase_matches_other_forms_of_its_words() {
        let rules = rules(&["nowhere to sleep|stay|go"]);
        let found = urgent(&rules, "I've got nowhere to stay, please help");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].words, ["nowhere to stay"]);
        assert!(urgent(&rules, "Nowhere to go tonight").len() == 1);
        assert!(urgent(&rules, "somewhere to stay").is_empty());
    }

    #[test]
    fn gaps_skip_up_to_three_words() {
        let rules = rules(&["hands * neck"]);
        assert_eq!(urgent(&rules, "he put his hands round my neck").len(), 1);
        assert!(urgent(&rules, "hands are cold and my back and neck ache").is_empty());
    }

    #[test]
    fn all_parts_of_a_conjunction_must_appear() {
        let rules = rules(&["evict & today|tonight"]);
        assert_eq!(urgent(&rules, "they evict us today").len(), 1);
        assert!(urgent(&rules, "they may evict us in March").is_empty());
    }

    #[test]
    fn groups_offer_runs_of_words() {
        let rules = rules(&["(on my own|alone|only me) now"]);
        assert_eq!(urgent(&rules, "it's only me now").len(), 1);
        assert_eq!(urgent(&rules, "I'm alone now").len(), 1);
        assert!(urgent(&rules, "I'm only now").is_empty());
    }

    #[test]
    fn contractions_in_cues_match_contractions_in_text() {
        let rules = rules(&["can't go back"]);
        assert_eq!(urgent(&rules, "I cant go back there").len(), 1);
    }

    #[test]
    fn malformed_cues_are_refused_with_the_reason() {
        let mut file = RulesFile::default();
        file.service.insert(
            "x".into(),
            ServiceRules {
                referral_cues: vec!["* stairs".into()],
                ..ServiceRules::default()
            },
        );
        let err = CompiledRules::compile(&file).unwrap_err();
        assert!(
            err.to_string().contains("start and end with a word"),
            "{err}"
        );
    }
}
