//! A trained triage model: how it decides, how it explains, and how it is stored.
//!
//! The service decision is a multinomial logistic regression over TF-IDF features, its
//! probabilities softened by a temperature fitted on held-out data so that "0.8" means
//! right about four times in five. Urgency and referrals come from the council's cues
//! (see `rules`), because missing a resident at risk must not depend on what a dozen
//! examples happened to say.

use crate::features::{Feature, cue_features, extract};
use crate::normalise::{clean, tokens};
use crate::rules::{CompiledRules, CueMatch, RulesFile, Words};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The model file's format; bumped when the layout changes.
pub const FORMAT: u32 = 1;
const MAGIC: &[u8] = b"frontdoor-triage-model\n";

/// How many explaining words each decision carries.
const EXPLAIN_WORDS: usize = 6;
/// A classifier's runner-up is suggested as a referral only above this probability
/// when urgency has taken the contact elsewhere.
const DISPLACED_REFERRAL: f32 = 0.3;

/// What the model decided about one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    pub service: String,
    pub confidence: f32,
    pub urgent: bool,
    /// True when confidence is below the route threshold and the contact is not urgent:
    /// a person should choose the service.
    pub needs_review: bool,
    /// The best three services, most likely first.
    pub suggestions: Vec<Suggestion>,
    pub referrals: Vec<Referral>,
    /// The words that drove the decision, most telling first.
    pub explanation: Vec<String>,
    /// The words that made the contact urgent.
    pub urgent_because: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub service: String,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub service: String,
    pub because: Vec<String>,
}

/// Facts about a model shown to staff and written into every decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// A short hash of the model's content: the same training gives the same id.
    pub id: String,
    pub trained_at: String,
    pub examples: usize,
    pub corrections: usize,
    pub catalogue_documents: usize,
}

/// A model ready to triage.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) info: ModelInfo,
    pub(crate) labels: Vec<String>,
    pub(crate) features: Vec<String>,
    pub(crate) index: HashMap<String, u32>,
    pub(crate) idf: Vec<f32>,
    /// Feature-major: the weights of feature f for every label are contiguous.
    pub(crate) weights: Vec<i8>,
    /// Per label, what one step of a quantised weight is worth.
    pub(crate) scales: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    pub(crate) temperature: f32,
    pub(crate) rules_file: RulesFile,
    pub(crate) rules: CompiledRules,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a Front Door triage model file")]
    NotAModel,
    #[error("triage model format {0} is not one this version reads (it reads {FORMAT})")]
    Format(u32),
    #[error("the triage model file is damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Rules(#[from] crate::rules::RulesError),
}

/// A message as weighted, L2-normalised features, with the words behind each.
pub(crate) struct Vector {
    pub entries: Vec<(u32, f32)>,
    pub words: HashMap<u32, String>,
}

impl Model {
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn route_threshold(&self) -> f32 {
        self.rules_file.route_threshold
    }

    /// Triage one contact. `channel` is the channel's slug (e.g. "email"); it may be empty.
    pub fn triage(&self, text: &str, channel: &str) -> Triage {
        let cleaned = clean(text);
        let tokens = tokens(&cleaned);
        let words = Words::new(&tokens);
        let referral_matches = self.rules.referral_matches(&words);
        let mut features = extract(&tokens, channel);
        cue_features(&referral_matches, &mut features);
        let vector = self.vectorise(&features);
        let probabilities = self.probabilities(&vector);
        let ranked = rank(&probabilities);
        let urgent_matches = self.rules.urgent_matches(&words);
        let top = ranked[0];
        let chosen = self.choose(top, &urgent_matches, &probabilities);
        let urgent = !urgent_matches.is_empty();
        let confidence = probabilities[chosen];
        let mut referrals = self.referrals(chosen, referral_matches);
        for found in &urgent_matches {
            if found.service != self.labels[chosen] {
                push_referral(&mut referrals, &found.service, found.words.clone());
            }
        }
        if chosen != top && probabilities[top] >= DISPLACED_REFERRAL {
            push_referral(
                &mut referrals,
                &self.labels[top],
                self.explain(&vector, top),
            );
        }
        Triage {
            service: self.labels[chosen].clone(),
            confidence,
            urgent,
            needs_review: !urgent && confidence < self.route_threshold(),
            suggestions: ranked
                .iter()
                .take(3)
                .map(|&i| Suggestion {
                    service: self.labels[i].clone(),
                    confidence: probabilities[i],
                })
                .collect(),
            referrals,
            explanation: self.explain(&vector, chosen),
            urgent_because: urgent_matches.into_iter().flat_map(|m| m.words).collect(),
        }
    }

    /// Urgency routes to the service its cue names; among several, the likelier one.
    fn choose(&self, top: usize, urgent: &[CueMatch], probabilities: &[f32]) -> usize {
        urgent
            .iter()
            .filter_map(|m| self.label_index(&m.service))
            .max_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]))
            .unwrap_or(top)
    }

    fn referrals(&self, chosen: usize, matches: Vec<CueMatch>) -> Vec<Referral> {
        let mut referrals = Vec::new();
        for found in matches {
            if found.service != self.labels[chosen] {
                push_referral(&mut referrals, &found.service, found.words);
            }
        }
        referrals
    }

    fn label_index(&self, slug: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == slug)
    }

    pub(crate) fn vectorise(&self, features: &[Feature]) -> Vector {
        let mut counts: HashMap<u32, f32> = HashMap::with_capacity(features.len());
        let mut words = HashMap::new();
        for feature in features {
            if let Some(&i) = self.index.get(&feature.key) {
                *counts.entry(i).or_default() += 1.0;
                words.entry(i).or_insert_with(|| feature.words.clone());
            }
        }
        Vector {
            entries: tf_idf(counts, &self.idf),
            words,
        }
    }

    pub(crate) fn probabilities(&self, vector: &Vector) -> Vec<f32> {
        let labels = self.labels.len();
        let mut raw = vec![0.0f32; labels];
        for &(f, x) in &vector.entries {
            let row = &self.weights[f as usize * labels..(f as usize + 1) * labels];
            for (acc, &w) in raw.iter_mut().zip(row) {
                *acc += x * f32::from(w);
            }
        }
        let logits: Vec<f32> = raw
            .iter()
            .zip(&self.scales)
            .zip(&self.bias)
            .map(|((r, s), b)| (r * s + b) / self.temperature)
            .collect();
        softmax(&logits)
    }

    /// The features that pushed hardest towards `label`, as the resident wrote them.
    fn explain(&self, vector: &Vector, label: usize) -> Vec<String> {
        let labels = self.labels.len();
        let mut pushes: Vec<(f32, u32)> = vector
            .entries
            .iter()
            .map(|&(f, x)| {
                let w = f32::from(self.weights[f as usize * labels + label]);
                (x * w * self.scales[label], f)
            })
            .filter(|(push, f)| *push > 0.0 && !vector.words[f].is_empty())
            .collect();
        pushes.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut words: Vec<String> = Vec::new();
        for (_, f) in pushes {
            let word = vector.words[&f].clone();
            if !words
                .iter()
                .any(|w| w.contains(&word) || word.contains(w.as_str()))
            {
                words.push(word);
            }
            if words.len() == EXPLAIN_WORDS {
                break;
            }
        }
        words
    }

    /// The model as bytes: a magic line, a JSON header, then the quantised weights.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            format: FORMAT,
            info: self.info.clone(),
            labels: self.labels.clone(),
            features: self.features.clone(),
            idf: self.idf.clone(),
            scales: self.scales.clone(),
            bias: self.bias.clone(),
            temperature: self.temperature,
            rules: self.rules_file.clone(),
        };
        let json = serde_json::to_vec(&header).expect("a model header always serialises");
        let mut out = Vec::with_capacity(MAGIC.len() + 8 + json.len() + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u64).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend(self.weights.iter().map(|&w| w as u8));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(ModelError::NotAModel)?;
        let damaged = |why: &str| ModelError::Damaged(why.to_owned());
        let (len, rest) = rest
            .split_at_checked(8)
            .ok_or_else(|| damaged("too short"))?;
        let len = u64::from_le_bytes(len.try_into().expect("eight bytes")) as usize;
        let (json, weights) = rest
            .split_at_checked(len)
            .ok_or_else(|| damaged("header cut short"))?;
        let format: FormatOnly =
            serde_json::from_slice(json).map_err(|e| ModelError::Damaged(e.to_string()))?;
        if format.format != FORMAT {
            return Err(ModelError::Format(format.format));
        }
        let header: Header =
            serde_json::from_slice(json).map_err(|e| ModelError::Damaged(e.to_string()))?;
        if weights.len() != header.features.len() * header.labels.len()
            || header.scales.len() != header.labels.len()
            || header.bias.len() != header.labels.len()
            || header.idf.len() != header.features.len()
        {
            return Err(damaged("sizes do not agree"));
        }
        let rules = CompiledRules::compile(&header.rules)?;
        Ok(Self {
            index: index_of(&header.features),
            info: header.info,
            labels: header.labels,
            features: header.features,
            idf: header.idf,
            weights: weights.iter().map(|&b| b as i8).collect(),
            scales: header.scales,
            bias: header.bias,
            temperature: header.temperature,
            rules_file: header.rules,
            rules,
        })
    }

    /// A short hash of everything that decides: same training, same id.
    pub(crate) fn content_id(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.labels.join("\n"));
        hash.update(self.features.join("\n"));
        hash.update(self.weights.iter().map(|&w| w as u8).collect::<Vec<u8>>());
        for x in self.scales.iter().chain(&self.bias).chain(&self.idf) {
            hash.update(x.to_le_bytes());
        }
        hash.update(self.temperature.to_le_bytes());
        hash.update(serde_json::to_vec(&self.rules_file).expect("rules serialise"));
        let digest = hash.finalize();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn push_referral(referrals: &mut Vec<Referral>, service: &str, because: Vec<String>) {
    match referrals.iter_mut().find(|r| r.service == service) {
        Some(existing) => {
            for word in because {
                if !existing.because.contains(&word) {
                    existing.because.push(word);
                }
            }
        }
        None => referrals.push(Referral {
            service: service.to_owned(),
            because,
        }),
    }
}

pub(crate) fn index_of(features: &[String]) -> HashMap<String, u32> {
    features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.clone(), i as u32))
        .collect()
}

/// Sub-linear term frequency times inverse document frequency, scaled to unit length.
pub(crate) fn tf_idf(counts: HashMap<u32, f32>, idf: &[f32]) -> Vec<(u32, f32)> {
    let mut entries: Vec<(u32, f32)> = counts
        .into_iter()
        .map(|(f, tf)| (f, (1.0 + tf.ln()) * idf[f as usize]))
        .collect();
    entries.sort_unstable_by_key(|&(f, _)| f);
    let norm = entries.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, x) in &mut entries {
            *x /= norm;
        }
    }
    entries
}

pub(crate) fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

fn rank(probabilities: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    info: ModelInfo,
    labels: Vec<String>,
    features: Vec<String>,
    idf: Vec<f32>,
    scales: Vec<f32>,
    bias: Vec<f32>,
    temperature: f32,
    rules: RulesFile,
}

#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}
