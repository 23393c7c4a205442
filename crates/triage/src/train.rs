//! Training: the catalogue's own words, labelled contacts and staff corrections in; a
//! model out. Deterministic: the same inputs give the same model, byte for byte.

use crate::data::Example;
use crate::features::{Feature, cue_features, extract};
use crate::model::{Model, ModelInfo, index_of, softmax, tf_idf};
use crate::normalise::{clean, tokens};
use crate::rules::{CompiledRules, RulesError, RulesFile, Words};
use frontdoor_domain::Catalogue;
use std::collections::HashMap;

/// The knobs of training. The defaults are what `frontdoor triage train` uses; they were
/// chosen by cross-validation on the dev set (see docs/triage.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// How much one catalogue sentence counts against one real contact.
    pub catalogue_weight: f32,
    /// A correction by staff counts more: it is a mistake the model made on real text.
    pub correction_weight: f32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for Hyper {
    fn default() -> Self {
        Self {
            catalogue_weight: 0.5,
            correction_weight: 2.0,
            epochs: 40,
            learning_rate: 0.8,
            l2: 1e-3,
        }
    }
}

impl Hyper {
    /// Defaults, overridden by FRONTDOOR_TRIAGE_<KNOB> variables: for tuning only.
    pub fn from_env() -> Self {
        let get = |name: &str, default: f32| {
            std::env::var(format!("FRONTDOOR_TRIAGE_{name}"))
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let d = Self::default();
        Self {
            catalogue_weight: get("CATALOGUE_WEIGHT", d.catalogue_weight),
            correction_weight: get("CORRECTION_WEIGHT", d.correction_weight),
            epochs: get("EPOCHS", d.epochs as f32) as usize,
            learning_rate: get("hyper.learning_rate", d.learning_rate),
            l2: get("L2", d.l2),
        }
    }
}
const CALIBRATION_FOLDS: usize = 3;
const SEED: u64 = 0x5EED_F00D;

/// A piece of training text with its label and weight.
#[derive(Debug, Clone)]
struct Document {
    features: Vec<Feature>,
    label: usize,
    weight: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error("training example {id} is labelled {service}, which the catalogue does not have")]
    UnknownService { id: String, service: String },
}

/// Everything a model is trained from.
pub struct TrainingInput<'a> {
    pub catalogue: &'a Catalogue,
    pub rules: &'a RulesFile,
    pub examples: &'a [Example],
    pub corrections: &'a [Example],
    /// When training happened, as the caller's clock tells it (RFC 3339).
    pub trained_at: &'a str,
    pub hyper: Hyper,
}

pub fn train(input: &TrainingInput) -> Result<Model, TrainError> {
    input.rules.check(input.catalogue)?;
    let labels: Vec<String> = input
        .catalogue
        .services
        .iter()
        .map(|s| s.slug.clone())
        .collect();
    let label_of = |e: &Example| {
        labels
            .iter()
            .position(|l| *l == e.service)
            .ok_or_else(|| TrainError::UnknownService {
                id: e.id.clone(),
                service: e.service.clone(),
            })
    };
    let hyper = input.hyper;
    let rules = CompiledRules::compile(input.rules)?;
    let catalogue_docs =
        catalogue_documents(input.catalogue, input.rules, &rules, hyper.catalogue_weight);
    let mut labelled = Vec::new();
    for (examples, weight) in [
        (input.examples, 1.0),
        (input.corrections, hyper.correction_weight),
    ] {
        for example in examples {
            labelled.push(document(
                &example.text,
                &example.channel,
                &rules,
                label_of(example)?,
                weight,
            ));
        }
    }
    let temperature = fit_temperature(&labels, &catalogue_docs, &labelled, &hyper);
    let mut all = catalogue_docs.clone();
    all.extend(labelled);
    let fitted = Fitted::fit(labels.len(), &all, &hyper);
    let mut model = fitted.into_model(labels, temperature, input.rules.clone())?;
    model.info = ModelInfo {
        id: model.content_id(),
        trained_at: input.trained_at.to_owned(),
        examples: input.examples.len(),
        corrections: input.corrections.len(),
        catalogue_documents: catalogue_docs.len(),
    };
    Ok(model)
}

fn document(
    text: &str,
    channel: &str,
    rules: &CompiledRules,
    label: usize,
    weight: f32,
) -> Document {
    let tokens = tokens(&clean(text));
    let mut features = extract(&tokens, channel);
    cue_features(&rules.referral_matches(&Words::new(&tokens)), &mut features);
    Document {
        features,
        label,
        weight,
    }
}

/// The catalogue describing itself: each service's name, description, keywords, form
/// questions and the phrases the rules give for it, one short document each.
fn catalogue_documents(
    catalogue: &Catalogue,
    rules: &RulesFile,
    compiled: &CompiledRules,
    weight: f32,
) -> Vec<Document> {
    let mut docs = Vec::new();
    for (label, service) in catalogue.services.iter().enumerate() {
        let mut texts = vec![
            service.name.clone(),
            service.description.clone(),
            service.keywords.join(" "),
        ];
        for field in &service.fields {
            texts.push(field.label.clone());
        }
        if let Some(extra) = rules.service.get(&service.slug) {
            texts.extend(extra.phrases.iter().cloned());
        }
        for text in texts {
            docs.push(document(&text, "", compiled, label, weight));
        }
    }
    docs
}

/// Weights as trained, before they are quantised into a model.
struct Fitted {
    features: Vec<String>,
    idf: Vec<f32>,
    weights: Vec<f32>,
    bias: Vec<f32>,
    labels: usize,
}

impl Fitted {
    fn fit(labels: usize, docs: &[Document], hyper: &Hyper) -> Self {
        let (features, idf) = vocabulary(docs);
        let index = index_of(&features);
        let vectors: Vec<Vec<(u32, f32)>> =
            docs.iter().map(|d| vectorise(d, &index, &idf)).collect();
        let mut fitted = Self {
            weights: vec![0.0; features.len() * labels],
            bias: vec![0.0; labels],
            features,
            idf,
            labels,
        };
        fitted.descend(docs, &vectors, hyper);
        fitted
    }

    /// Stochastic gradient descent on the weighted cross-entropy, AdaGrad step sizes.
    fn descend(&mut self, docs: &[Document], vectors: &[Vec<(u32, f32)>], hyper: &Hyper) {
        let labels = self.labels;
        let mut squared = vec![1e-8f32; self.weights.len()];
        let mut bias_squared = vec![1e-8f32; labels];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut rng = SplitMix(SEED);
        for _ in 0..hyper.epochs {
            rng.shuffle(&mut order);
            for &d in &order {
                let probabilities = softmax(&self.logits(&vectors[d]));
                for (c, p) in probabilities.iter().enumerate() {
                    let target = if c == docs[d].label { 1.0 } else { 0.0 };
                    let g = (p - target) * docs[d].weight;
                    bias_squared[c] += g * g;
                    self.bias[c] -= hyper.learning_rate * g / bias_squared[c].sqrt();
                    for &(f, x) in &vectors[d] {
                        let i = f as usize * labels + c;
                        let gw = g * x + hyper.l2 * self.weights[i];
                        squared[i] += gw * gw;
                        self.weights[i] -= hyper.learning_rate * gw / squared[i].sqrt();
                    }
                }
            }
        }
    }

    fn logits(&self, vector: &[(u32, f32)]) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for &(f, x) in vector {
            let row = &self.weights[f as usize * self.labels..(f as usize + 1) * self.labels];
            for (l, w) in logits.iter_mut().zip(row) {
                *l += x * w;
            }
        }
        logits
    }

    /// Eight bits a weight, scaled per label: a model small enough to keep in git.
    fn into_model(
        self,
        labels: Vec<String>,
        temperature: f32,
        rules_file: RulesFile,
    ) -> Result<Model, RulesError> {
        let n = self.labels;
        let scales: Vec<f32> = (0..n)
            .map(|c| {
                let max = self
                    .weights
                    .iter()
                    .skip(c)
                    .step_by(n)
                    .fold(0.0f32, |m, w| m.max(w.abs()));
                if max > 0.0 { max / 127.0 } else { 1.0 }
            })
            .collect();
        let weights = self
            .weights
            .iter()
            .enumerate()
            .map(|(i, w)| (w / scales[i % n]).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Ok(Model {
            info: ModelInfo {
                id: String::new(),
                trained_at: String::new(),
                examples: 0,
                corrections: 0,
                catalogue_documents: 0,
            },
            index: index_of(&self.features),
            labels,
            features: self.features,
            idf: self.idf,
            weights,
            scales,
            bias: self.bias,
            temperature,
            rules: CompiledRules::compile(&rules_file)?,
            rules_file,
        })
    }
}

/// Every feature seen in training, in a stable order, with its inverse document frequency.
fn vocabulary(docs: &[Document]) -> (Vec<String>, Vec<f32>) {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for doc in docs {
        let mut seen: Vec<&str> = doc.features.iter().map(|f| f.key.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for key in seen {
            *df.entry(key).or_default() += 1;
        }
    }
    let mut features: Vec<&str> = df.keys().copied().collect();
    features.sort_unstable();
    let n = docs.len() as f32;
    let idf = features
        .iter()
        .map(|f| ((1.0 + n) / (1.0 + df[f] as f32)).ln() + 1.0)
        .collect();
    (features.into_iter().map(str::to_owned).collect(), idf)
}

fn vectorise(doc: &Document, index: &HashMap<String, u32>, idf: &[f32]) -> Vec<(u32, f32)> {
    let mut counts: HashMap<u32, f32> = HashMap::new();
    for feature in &doc.features {
        if let Some(&i) = index.get(&feature.key) {
            *counts.entry(i).or_default() += 1.0;
        }
    }
    tf_idf(counts, idf)
}

/// The temperature that makes held-out probabilities most honest (least log loss), found
/// by training on part of the labelled contacts and scoring the rest.
fn fit_temperature(
    labels: &[String],
    catalogue: &[Document],
    labelled: &[Document],
    hyper: &Hyper,
) -> f32 {
    if labelled.len() < CALIBRATION_FOLDS * 2 {
        return 1.0;
    }
    let mut held_out: Vec<(Vec<f32>, usize)> = Vec::new();
    let folds = stratified_folds(
        &labelled.iter().map(|d| d.label).collect::<Vec<_>>(),
        CALIBRATION_FOLDS,
    );
    for fold in 0..CALIBRATION_FOLDS {
        let mut train = catalogue.to_vec();
        train.extend(
            labelled
                .iter()
                .zip(&folds)
                .filter(|(_, f)| **f != fold)
                .map(|(d, _)| d.clone()),
        );
        let fitted = Fitted::fit(labels.len(), &train, hyper);
        let index = index_of(&fitted.features);
        for (doc, _) in labelled.iter().zip(&folds).filter(|(_, f)| **f == fold) {
            let logits = fitted.logits(&vectorise(doc, &index, &fitted.idf));
            held_out.push((logits, doc.label));
        }
    }
    (1..=100)
        .map(|step| step as f32 * 0.1)
        .min_by(|&a, &b| log_loss(&held_out, a).total_cmp(&log_loss(&held_out, b)))
        .unwrap_or(1.0)
}

fn log_loss(held_out: &[(Vec<f32>, usize)], temperature: f32) -> f32 {
    held_out
        .iter()
        .map(|(logits, label)| {
            let scaled: Vec<f32> = logits.iter().map(|l| l / temperature).collect();
            -softmax(&scaled)[*label].max(1e-9).ln()
        })
        .sum()
}

/// Assigns each item a fold so every label is spread evenly across folds. Deterministic.
pub fn stratified_folds(labels: &[usize], folds: usize) -> Vec<usize> {
    let mut by_label: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &label) in labels.iter().enumerate() {
        by_label.entry(label).or_default().push(i);
    }
    let mut keys: Vec<usize> = by_label.keys().copied().collect();
    keys.sort_unstable();
    let mut assignment = vec![0; labels.len()];
    let mut rng = SplitMix(SEED);
    let mut next = 0;
    for key in keys {
        let mut members = by_label.remove(&key).unwrap_or_default();
        rng.shuffle(&mut members);
        for i in members {
            assignment[i] = next % folds;
            next += 1;
        }
    }
    assignment
}

/// A small, fixed-seed generator so training is reproducible without a dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
