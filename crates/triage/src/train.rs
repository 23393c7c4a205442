//! Training: the catalogue's own words, labelled contacts and what staff decided in; a
//! model out. Deterministic: the same inputs give the same model, byte for byte.

use crate::data::{Example, Urgency};
use crate::embed::StaticEmbeddings;
use crate::fast_map::FastMap;
use crate::features::{Feature, cue_features, extract};
use crate::head::{Head, Input, sigmoid, softmax};
use crate::model::{Model, ModelInfo, NO_RISK, RiskKind, Standardise, embed, index_of, tf_idf};
use crate::normalise::{clean, tokens};
use crate::rules::{CompiledRules, RulesError, RulesFile, Words};
use frontdoor_domain::Catalogue;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The knobs of training. The defaults are what `frontdoor triage train` uses; they were
/// chosen by cross-validation on the training set (see docs/triage.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// How much one catalogue sentence counts against one real contact.
    pub catalogue_weight: f32,
    /// A decision by staff counts more: it is real text a person read.
    pub correction_weight: f32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// How long a message's meaning vector is beside its word features (length one):
    /// longer lets meaning count before words have been learned by heart.
    pub dense_weight: f32,
}

impl Default for Hyper {
    fn default() -> Self {
        Self {
            catalogue_weight: 1.0,
            correction_weight: 2.0,
            epochs: 10,
            learning_rate: 0.5,
            l2: 1e-4,
            dense_weight: 3.0,
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
            learning_rate: get("LEARNING_RATE", d.learning_rate),
            l2: get("L2", d.l2),
            dense_weight: get("DENSE_WEIGHT", d.dense_weight),
        }
    }
}

const CALIBRATION_FOLDS: usize = 3;
const SEED: u64 = 0x5EED_F00D;
/// A service is learned as a referral only with at least this many labelled examples.
const MIN_REFERRAL_EXAMPLES: usize = 3;
/// A kind of risk goes to a service seen at least this often for it.
const MIN_RISK_SERVICE_EXAMPLES: usize = 2;

/// A piece of training text, as features, with what it teaches each head.
#[derive(Debug, Clone)]
struct Document {
    features: Vec<Feature>,
    dense: Vec<f32>,
    label: usize,
    weight: f32,
    /// None for catalogue text, which teaches the service head only.
    labelled: Option<Labels>,
}

#[derive(Debug, Clone)]
struct Labels {
    group: String,
    risk: usize,
    referrals: Vec<usize>,
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
    /// What staff decided about real contacts: confirmations, re-routes, urgency changes.
    pub corrections: &'a [Example],
    /// When training happened, as the caller's clock tells it (RFC 3339).
    pub trained_at: &'a str,
    pub hyper: Hyper,
    /// The static embedding table to read meaning with; None trains on words only.
    pub embeddings: Option<Arc<StaticEmbeddings>>,
}

/// What every head is trained to tell apart.
struct Outputs {
    services: Vec<String>,
    kinds: Vec<RiskKind>,
    referrals: Vec<String>,
}

pub fn train(input: &TrainingInput) -> Result<Model, TrainError> {
    input.rules.check(input.catalogue)?;
    let everything: Vec<(&Example, f32)> = input
        .examples
        .iter()
        .map(|e| (e, 1.0))
        .chain(
            input
                .corrections
                .iter()
                .map(|e| (e, input.hyper.correction_weight)),
        )
        .collect();
    let outputs = outputs(input.catalogue, &everything)?;
    let rules = CompiledRules::compile(input.rules)?;
    let table = input.embeddings.as_deref();
    let mut catalogue_docs = catalogue_documents(input, &rules, table);
    let mut labelled = everything
        .iter()
        .map(|(example, weight)| labelled_document(example, *weight, &outputs, &rules, table))
        .collect::<Vec<_>>();
    let hyper = input.hyper;
    let dims = table.map_or(0, StaticEmbeddings::dims);
    let standardise = standardise(&mut catalogue_docs, &mut labelled, dims, hyper.dense_weight);
    let temperature = fit_temperature(
        outputs.services.len(),
        &catalogue_docs,
        &labelled,
        dims,
        &hyper,
    );
    let mut all = catalogue_docs.clone();
    all.extend(labelled.iter().cloned());
    let (features, idf) = vocabulary(&all);
    let index = index_of(&features);
    let service = fit_service(&outputs.services, &all, &index, &idf, dims, &hyper);
    let inputs: Vec<Input> = labelled.iter().map(|d| input_of(d, &index, &idf)).collect();
    let sizes = (features.len(), dims);
    let mut kinds = vec![NO_RISK.to_owned()];
    kinds.extend(outputs.kinds.iter().map(|k| k.name.clone()));
    let risk_of = Targets::Class(labelled.iter().map(|d| labels(d).risk).collect());
    let risk = fit_labelled(kinds, &risk_of, &labelled, &inputs, sizes, &hyper);
    let referrals_of = Targets::Set(
        labelled
            .iter()
            .map(|d| labels(d).referrals.as_slice())
            .collect(),
    );
    let referral = fit_labelled(
        outputs.referrals.clone(),
        &referrals_of,
        &labelled,
        &inputs,
        sizes,
        &hyper,
    );
    let mut model = Model {
        info: ModelInfo {
            id: String::new(),
            trained_at: input.trained_at.to_owned(),
            examples: input.examples.len(),
            corrections: input.corrections.len(),
            catalogue_documents: catalogue_docs.len(),
            embeddings: table.map(|t| t.id().to_owned()),
        },
        index,
        features,
        idf,
        service,
        risk,
        referral,
        risk_kinds: outputs.kinds,
        temperature,
        embeddings: input.embeddings.clone(),
        standardise,
        rules: CompiledRules::compile(input.rules)?,
        rules_file: input.rules.clone(),
    };
    model.info.id = model.content_id();
    Ok(model)
}

fn outputs(catalogue: &Catalogue, examples: &[(&Example, f32)]) -> Result<Outputs, TrainError> {
    let services: Vec<String> = catalogue.services.iter().map(|s| s.slug.clone()).collect();
    let mut kinds: BTreeMap<&str, (usize, usize, BTreeMap<&str, usize>)> = BTreeMap::new();
    let mut referrals: BTreeMap<&str, usize> = BTreeMap::new();
    for (example, _) in examples {
        if catalogue.service(&example.service).is_none() {
            return Err(TrainError::UnknownService {
                id: example.id.clone(),
                service: example.service.clone(),
            });
        }
        if let Some(kind) = example.risk_kind() {
            let entry = kinds.entry(kind).or_default();
            match example.urgency {
                Urgency::Urgent => entry.0 += 1,
                _ => entry.1 += 1,
            }
            *entry.2.entry(example.service.as_str()).or_default() += 1;
        }
        for referral in &example.referrals {
            *referrals.entry(referral.as_str()).or_default() += 1;
        }
    }
    let kinds = kinds
        .into_iter()
        .map(|(name, (urgent, check, services))| {
            let mut services: Vec<(&str, usize)> = services.into_iter().collect();
            services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let kept = services
                .iter()
                .enumerate()
                .filter(|(i, (_, n))| *i == 0 || *n >= MIN_RISK_SERVICE_EXAMPLES)
                .map(|(_, (s, _))| (*s).to_owned())
                .collect();
            RiskKind {
                name: name.to_owned(),
                urgent: urgent >= check,
                services: kept,
            }
        })
        .collect();
    let referrals = referrals
        .into_iter()
        .filter(|(s, n)| *n >= MIN_REFERRAL_EXAMPLES && catalogue.service(s).is_some())
        .map(|(s, _)| s.to_owned())
        .collect();
    Ok(Outputs {
        services,
        kinds,
        referrals,
    })
}

/// Centres and scales every document's embedding by what training saw.
fn standardise(
    catalogue: &mut [Document],
    labelled: &mut [Document],
    dims: usize,
    weight: f32,
) -> Standardise {
    if dims == 0 {
        return Standardise::default();
    }
    let fitted = {
        let vectors: Vec<&[f32]> = catalogue
            .iter()
            .chain(labelled.iter())
            .map(|d| d.dense.as_slice())
            .collect();
        Standardise::fit(&vectors, dims, weight)
    };
    for doc in catalogue.iter_mut().chain(labelled.iter_mut()) {
        doc.dense = fitted.apply(std::mem::take(&mut doc.dense));
    }
    fitted
}

fn document(
    text: &str,
    channel: &str,
    rules: &CompiledRules,
    table: Option<&StaticEmbeddings>,
) -> (Vec<Feature>, Vec<f32>) {
    let tokens = tokens(&clean(text));
    let mut features = extract(&tokens, channel);
    cue_features(&rules.referral_matches(&Words::new(&tokens)), &mut features);
    let dense = table.map(|t| embed(t, &tokens)).unwrap_or_default();
    (features, dense)
}

fn labelled_document(
    example: &Example,
    weight: f32,
    outputs: &Outputs,
    rules: &CompiledRules,
    table: Option<&StaticEmbeddings>,
) -> Document {
    let (features, dense) = document(&example.text, &example.channel, rules, table);
    let risk = example
        .risk_kind()
        .and_then(|kind| outputs.kinds.iter().position(|k| k.name == kind))
        .map_or(0, |k| k + 1);
    let referrals = example
        .referrals
        .iter()
        .filter_map(|r| outputs.referrals.iter().position(|o| o == r))
        .collect();
    Document {
        features,
        dense,
        label: outputs
            .services
            .iter()
            .position(|s| *s == example.service)
            .expect("checked against the catalogue"),
        weight,
        labelled: Some(Labels {
            group: example.group.clone(),
            risk,
            referrals,
        }),
    }
}

/// The catalogue describing itself: each service's name, description, keywords, form
/// questions and the phrases the rules give for it, one short document each.
fn catalogue_documents(
    input: &TrainingInput,
    compiled: &CompiledRules,
    table: Option<&StaticEmbeddings>,
) -> Vec<Document> {
    let mut docs = Vec::new();
    for (label, service) in input.catalogue.services.iter().enumerate() {
        let mut texts = vec![
            service.name.clone(),
            service.description.clone(),
            service.keywords.join(" "),
        ];
        for field in &service.fields {
            texts.push(field.label.clone());
        }
        if let Some(extra) = input.rules.service.get(&service.slug) {
            texts.extend(extra.phrases.iter().cloned());
        }
        for text in texts {
            let (features, dense) = document(&text, "", compiled, table);
            docs.push(Document {
                features,
                dense,
                label,
                weight: input.hyper.catalogue_weight,
                labelled: None,
            });
        }
    }
    docs
}

/// What a head learns to predict for each document.
enum Targets<'a> {
    /// One class of several (softmax).
    Class(Vec<usize>),
    /// Any number of yes-or-no outputs (one sigmoid each).
    Set(Vec<&'a [usize]>),
}

/// A head's weights as trained, before they are quantised into a model.
struct Fitted {
    weights: Vec<f32>,
    dense: Vec<f32>,
    bias: Vec<f32>,
    outputs: usize,
}

impl Fitted {
    fn fit(
        outputs: usize,
        features: usize,
        dims: usize,
        inputs: &[Input],
        targets: &Targets,
        weights: &[f32],
        hyper: &Hyper,
    ) -> Self {
        let mut fitted = Self {
            weights: vec![0.0; features * outputs],
            dense: vec![0.0; dims * outputs],
            bias: vec![0.0; outputs],
            outputs,
        };
        if outputs > 0 {
            fitted.descend(inputs, targets, weights, hyper);
        }
        fitted
    }

    /// Stochastic gradient descent on the weighted cross-entropy, AdaGrad step sizes.
    fn descend(&mut self, inputs: &[Input], targets: &Targets, weights: &[f32], hyper: &Hyper) {
        let n = self.outputs;
        let mut squared = vec![1e-8f32; self.weights.len()];
        let mut dense_squared = vec![1e-8f32; self.dense.len()];
        let mut bias_squared = vec![1e-8f32; n];
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        let mut rng = SplitMix(SEED);
        let rate = hyper.learning_rate;
        let mut gradient = vec![0.0f32; n];
        for _ in 0..hyper.epochs {
            rng.shuffle(&mut order);
            for &d in &order {
                let input = &inputs[d];
                self.gradient(input, targets, d, &mut gradient);
                for (c, g) in gradient.iter_mut().enumerate() {
                    *g *= weights[d];
                    bias_squared[c] += *g * *g;
                    self.bias[c] -= rate * *g / bias_squared[c].sqrt();
                }
                for &(f, x) in &input.sparse {
                    for (c, &g) in gradient.iter().enumerate() {
                        let i = f as usize * n + c;
                        let gw = g * x + hyper.l2 * self.weights[i];
                        squared[i] += gw * gw;
                        self.weights[i] -= rate * gw / squared[i].sqrt();
                    }
                }
                for (dim, &x) in input.dense.iter().enumerate() {
                    for (c, &g) in gradient.iter().enumerate() {
                        let i = dim * n + c;
                        let gw = g * x + hyper.l2 * self.dense[i];
                        dense_squared[i] += gw * gw;
                        self.dense[i] -= rate * gw / dense_squared[i].sqrt();
                    }
                }
            }
        }
    }

    fn gradient(&self, input: &Input, targets: &Targets, d: usize, out: &mut [f32]) {
        let logits = self.logits(input);
        match targets {
            Targets::Class(labels) => {
                for (c, p) in softmax(&logits).into_iter().enumerate() {
                    out[c] = p - f32::from(u8::from(c == labels[d]));
                }
            }
            Targets::Set(sets) => {
                for (c, z) in logits.into_iter().enumerate() {
                    out[c] = sigmoid(z) - f32::from(u8::from(sets[d].contains(&c)));
                }
            }
        }
    }

    fn logits(&self, input: &Input) -> Vec<f32> {
        let n = self.outputs;
        let mut logits = self.bias.clone();
        for &(f, x) in &input.sparse {
            let row = &self.weights[f as usize * n..(f as usize + 1) * n];
            for (l, w) in logits.iter_mut().zip(row) {
                *l += x * w;
            }
        }
        for (dim, &x) in input.dense.iter().enumerate() {
            let row = &self.dense[dim * n..(dim + 1) * n];
            for (l, w) in logits.iter_mut().zip(row) {
                *l += x * w;
            }
        }
        logits
    }

    fn into_head(self, outputs: Vec<String>) -> Head {
        Head::quantise(outputs, &self.weights, self.dense, self.bias)
    }
}

fn fit_service(
    services: &[String],
    docs: &[Document],
    index: &FastMap<String, u32>,
    idf: &[f32],
    dims: usize,
    hyper: &Hyper,
) -> Head {
    let inputs: Vec<Input> = docs.iter().map(|d| input_of(d, index, idf)).collect();
    let labels = Targets::Class(docs.iter().map(|d| d.label).collect());
    let weights: Vec<f32> = docs.iter().map(|d| d.weight).collect();
    Fitted::fit(
        services.len(),
        idf.len(),
        dims,
        &inputs,
        &labels,
        &weights,
        hyper,
    )
    .into_head(services.to_vec())
}

/// A head that learns from the labelled contacts only (risk, referrals): the catalogue's
/// own sentences say which service, not who is at risk or what else they need.
fn fit_labelled(
    outputs: Vec<String>,
    targets: &Targets,
    docs: &[Document],
    inputs: &[Input],
    (features, dims): (usize, usize),
    hyper: &Hyper,
) -> Head {
    let weights: Vec<f32> = docs.iter().map(|d| d.weight).collect();
    Fitted::fit(
        outputs.len(),
        features,
        dims,
        inputs,
        targets,
        &weights,
        hyper,
    )
    .into_head(outputs)
}

fn labels(doc: &Document) -> &Labels {
    doc.labelled
        .as_ref()
        .expect("only labelled documents teach risk and referrals")
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

fn input_of(doc: &Document, index: &FastMap<String, u32>, idf: &[f32]) -> Input {
    let mut counts: FastMap<u32, f32> = FastMap::default();
    for feature in &doc.features {
        if let Some(&i) = index.get(&feature.key) {
            *counts.entry(i).or_default() += 1.0;
        }
    }
    Input {
        sparse: tf_idf(counts, idf),
        dense: doc.dense.clone(),
    }
}

/// The temperature that makes held-out probabilities most honest (least log loss), found
/// by training on part of the labelled contacts and scoring the rest.
fn fit_temperature(
    services: usize,
    catalogue: &[Document],
    labelled: &[Document],
    dims: usize,
    hyper: &Hyper,
) -> f32 {
    if labelled.len() < CALIBRATION_FOLDS * 2 {
        return 1.0;
    }
    let mut held_out: Vec<(Vec<f32>, usize)> = Vec::new();
    let folds = grouped_folds(
        &labelled.iter().map(|d| d.label).collect::<Vec<_>>(),
        &labelled
            .iter()
            .map(|d| labels(d).group.clone())
            .collect::<Vec<_>>(),
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
        let (features, idf) = vocabulary(&train);
        let index = index_of(&features);
        let inputs: Vec<Input> = train.iter().map(|d| input_of(d, &index, &idf)).collect();
        let labels = Targets::Class(train.iter().map(|d| d.label).collect());
        let weights: Vec<f32> = train.iter().map(|d| d.weight).collect();
        let fitted = Fitted::fit(
            services,
            features.len(),
            dims,
            &inputs,
            &labels,
            &weights,
            hyper,
        );
        for (doc, _) in labelled.iter().zip(&folds).filter(|(_, f)| **f == fold) {
            held_out.push((fitted.logits(&input_of(doc, &index, &idf)), doc.label));
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

/// Assigns each item a fold so every label is spread evenly across folds, keeping every
/// member of a group in one fold: several tellings of one situation never sit on both
/// sides of a split. Deterministic.
pub fn grouped_folds(labels: &[usize], groups: &[String], folds: usize) -> Vec<usize> {
    let mut by_label: BTreeMap<usize, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
    for (i, (&label, group)) in labels.iter().zip(groups).enumerate() {
        by_label
            .entry(label)
            .or_default()
            .entry(group.as_str())
            .or_default()
            .push(i);
    }
    let mut assignment = vec![0; labels.len()];
    let mut placed: HashMap<&str, usize> = HashMap::new();
    let mut rng = SplitMix(SEED);
    let mut next = 0;
    for (_, members) in by_label {
        let mut members: Vec<(&str, Vec<usize>)> = members.into_iter().collect();
        rng.shuffle(&mut members);
        for (group, items) in members {
            let fold = *placed.entry(group).or_insert_with(|| {
                next += 1;
                (next - 1) % folds
            });
            for i in items {
                assignment[i] = fold;
            }
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
