//! A trained triage model: how it decides, how it explains, and how it is stored.
//!
//! Three heads read the same message: the service (a multinomial logistic regression,
//! its probabilities softened by a temperature fitted on held-out data so that "0.8"
//! means right about four times in five), the kind of risk the resident may be at, and
//! the other services they also need (referrals). Each head reads the message's words
//! (TF-IDF) and, where the model was trained with a static embedding table, its meaning.
//! The council's cues are kept beside the heads: a cue makes a contact urgent or adds a
//! referral on its own, whatever the heads say.

use crate::embed::StaticEmbeddings;
use crate::fast_map::FastMap;
use crate::features::{Feature, cue_features, extract};
use crate::framing::{self, Framing};
use crate::head::{Head, HeadHeader, Input, sigmoid, softmax};
use crate::normalise::{Token, clean, tokens};
use crate::rules::{CompiledRules, CueMatch, RulesFile, Words};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The model file's format; bumped when the layout changes.
pub const FORMAT: u32 = 2;
const MAGIC: &[u8] = b"frontdoor-triage-model\n";

/// How many explaining words each decision carries.
const EXPLAIN_WORDS: usize = 6;
/// A classifier's runner-up is suggested as a referral only above this probability
/// when urgency has taken the contact elsewhere.
const DISPLACED_REFERRAL: f32 = 0.3;
/// The risk head's first output: no one at risk.
pub const NO_RISK: &str = "none";

/// What the model decided about one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    pub service: String,
    pub confidence: f32,
    /// Someone may be at risk of harm now: first in every queue, the duty officer told.
    pub urgent: bool,
    /// Not urgent, but a person must read it within the hour in case someone is at risk.
    #[serde(default)]
    pub check_for_risk: bool,
    /// The kind of risk the model or a cue saw, when it saw one.
    #[serde(default)]
    pub risk_kind: Option<String>,
    /// The learned probability that someone is at risk.
    #[serde(default)]
    pub risk_score: f32,
    /// True when confidence is below the route threshold and the contact is not urgent:
    /// a person should choose the service.
    pub needs_review: bool,
    /// The best three services, most likely first.
    pub suggestions: Vec<Suggestion>,
    pub referrals: Vec<Referral>,
    /// The words that drove the decision, most telling first.
    pub explanation: Vec<String>,
    /// The words that made the contact urgent or worth checking.
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
    /// The static embedding table the model reads meaning with; None for words only.
    #[serde(default)]
    pub embeddings: Option<String>,
}

/// A kind of risk the model knows, and whether it is urgent or to be checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskKind {
    pub name: String,
    pub urgent: bool,
    /// The services contacts of this kind go to, most common first.
    pub services: Vec<String>,
}

/// A model ready to triage.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) info: ModelInfo,
    pub(crate) features: Vec<String>,
    pub(crate) index: FastMap<String, u32>,
    pub(crate) idf: Vec<f32>,
    pub(crate) service: Head,
    pub(crate) risk: Head,
    pub(crate) referral: Head,
    pub(crate) risk_kinds: Vec<RiskKind>,
    pub(crate) temperature: f32,
    pub(crate) embeddings: Option<Arc<StaticEmbeddings>>,
    /// Each embedding dimension is centred and scaled as training found it: message
    /// embeddings share a large common part, and what tells them apart is the rest.
    pub(crate) standardise: Standardise,
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
    #[error(
        "the triage model was trained with static embeddings {needed}, but {given} was given; use the table it was trained with or retrain"
    )]
    Embeddings { needed: String, given: String },
    #[error(transparent)]
    Rules(#[from] crate::rules::RulesError),
}

/// A message as weighted, L2-normalised features, with the words behind each.
pub(crate) struct Vector {
    pub input: Input,
    pub words: FastMap<u32, String>,
}

/// What the risk head and the cues make of one message.
struct RiskView {
    urgent: bool,
    check: bool,
    kind: Option<usize>,
    score: f32,
    because: Vec<String>,
    cue_matches: Vec<CueMatch>,
}

impl Model {
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub fn labels(&self) -> &[String] {
        &self.service.outputs
    }

    pub fn risk_kinds(&self) -> &[RiskKind] {
        &self.risk_kinds
    }

    pub fn route_threshold(&self) -> f32 {
        self.rules_file.route_threshold
    }

    /// True when the model reads meaning as well as words.
    pub fn reads_meaning(&self) -> bool {
        self.embeddings.is_some()
    }

    /// Triage one contact. `channel` is the channel's slug (e.g. "email"); it may be empty.
    pub fn triage(&self, text: &str, channel: &str) -> Triage {
        let cleaned = clean(text);
        let tokens = tokens(&cleaned);
        let words = Words::new(&tokens);
        let referral_matches = self.rules.referral_matches(&words);
        let mut features = extract(&tokens, channel);
        cue_features(&referral_matches, &mut features);
        let vector = self.vectorise(&features, &tokens);
        let probabilities = self.probabilities(&vector.input);
        let ranked = rank(&probabilities);
        let top = ranked[0];
        let risk = self.assess_risk(&words, &vector, top);
        let chosen = self.choose(top, &risk, &probabilities);
        let mut referrals = self.referrals(chosen, referral_matches, &vector);
        for found in &risk.cue_matches {
            if found.service != self.labels()[chosen] {
                push_referral(&mut referrals, &found.service, found.words.clone());
            }
        }
        if chosen != top && probabilities[top] >= DISPLACED_REFERRAL {
            let because = self.explain(&self.service, &vector, top);
            push_referral(&mut referrals, &self.labels()[top], because);
        }
        let confidence = probabilities[chosen];
        Triage {
            service: self.labels()[chosen].clone(),
            confidence,
            urgent: risk.urgent,
            check_for_risk: risk.check,
            risk_kind: risk.kind.map(|k| self.risk_kinds[k].name.clone()),
            risk_score: risk.score,
            needs_review: !risk.urgent && confidence < self.route_threshold(),
            suggestions: ranked
                .iter()
                .take(3)
                .map(|&i| Suggestion {
                    service: self.labels()[i].clone(),
                    confidence: probabilities[i],
                })
                .collect(),
            referrals,
            explanation: self.explain(&self.service, &vector, chosen),
            urgent_because: risk.because,
        }
    }

    /// Cues first; then the risk head, with a lower bar where the likeliest service is
    /// one where a missed risk costs most.
    fn assess_risk(&self, words: &Words, vector: &Vector, top: usize) -> RiskView {
        let cue_matches = self.rules.urgent_matches(words);
        let urgent_cues = self.rules.risk_urgent_matches(words);
        let check_cues = self.rules.check_matches(words);
        let p = softmax(&self.risk.logits(&vector.input));
        let score = 1.0 - p[0];
        let urgent_score: f32 = (1..p.len())
            .filter(|&k| self.risk_kinds[k - 1].urgent)
            .map(|k| p[k])
            .sum();
        let likeliest = (1..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b]));
        let rules = &self.rules_file.risk;
        let backstop = rules
            .backstop_services
            .iter()
            .any(|s| *s == self.labels()[top]);
        let urgent = !cue_matches.is_empty()
            || !urgent_cues.is_empty()
            || urgent_score >= rules.urgent_threshold;
        let check = !urgent
            && (!check_cues.is_empty()
                || score >= rules.check_threshold
                || (backstop && score >= rules.backstop_threshold));
        let kind = if urgent || check {
            likeliest.map(|k| k - 1)
        } else {
            None
        };
        let cued: Vec<&CueMatch> = cue_matches
            .iter()
            .chain(&urgent_cues)
            .chain(if urgent { &[][..] } else { &check_cues[..] })
            .collect();
        let mut because: Vec<String> = cued.iter().flat_map(|m| m.words.clone()).collect();
        if let (Some(k), true) = (kind, cued.is_empty()) {
            because.extend(self.explain(&self.risk, vector, k + 1));
        }
        RiskView {
            urgent,
            check,
            kind,
            score,
            because,
            cue_matches,
        }
    }

    /// Urgency routes to the service its cue names. A learned urgent risk routes to the
    /// service that kind of risk goes to only when the words do not already point
    /// confidently elsewhere: a confident repair with a gas leak stays with repairs,
    /// urgently.
    fn choose(&self, top: usize, risk: &RiskView, probabilities: &[f32]) -> usize {
        if let Some(chosen) = risk
            .cue_matches
            .iter()
            .filter_map(|m| self.label_index(&m.service))
            .max_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]))
        {
            return chosen;
        }
        match risk.kind.filter(|_| risk.urgent) {
            Some(k) if probabilities[top] < self.route_threshold() => {
                let services = &self.risk_kinds[k].services;
                if services.iter().any(|s| *s == self.labels()[top]) {
                    top
                } else {
                    services
                        .first()
                        .and_then(|s| self.label_index(s))
                        .unwrap_or(top)
                }
            }
            _ => top,
        }
    }

    fn referrals(&self, chosen: usize, matches: Vec<CueMatch>, vector: &Vector) -> Vec<Referral> {
        let mut referrals = Vec::new();
        for found in matches {
            if found.service != self.labels()[chosen] {
                push_referral(&mut referrals, &found.service, found.words);
            }
        }
        let threshold = self.rules_file.referral_threshold;
        for (output, logit) in self.referral.logits(&vector.input).into_iter().enumerate() {
            let service = &self.referral.outputs[output];
            if sigmoid(logit) >= threshold && *service != self.labels()[chosen] {
                let because = self.explain(&self.referral, vector, output);
                push_referral(&mut referrals, service, because);
            }
        }
        referrals
    }

    fn label_index(&self, slug: &str) -> Option<usize> {
        self.labels().iter().position(|l| l == slug)
    }

    pub(crate) fn vectorise(&self, features: &[Feature], tokens: &[Token]) -> Vector {
        let mut counts: FastMap<u32, f32> =
            FastMap::with_capacity_and_hasher(features.len(), Default::default());
        let mut words = FastMap::default();
        for feature in features {
            if let Some(&i) = self.index.get(&feature.key) {
                *counts.entry(i).or_default() += 1.0;
                words.entry(i).or_insert_with(|| feature.words.clone());
            }
        }
        let dense = self
            .embeddings
            .as_ref()
            .map(|table| self.standardise.apply(embed(table, tokens)))
            .unwrap_or_default();
        Vector {
            input: Input {
                sparse: tf_idf(counts, &self.idf),
                dense,
            },
            words,
        }
    }

    pub(crate) fn probabilities(&self, input: &Input) -> Vec<f32> {
        let logits: Vec<f32> = self
            .service
            .logits(input)
            .into_iter()
            .map(|l| l / self.temperature)
            .collect();
        softmax(&logits)
    }

    /// The features that pushed hardest towards one output of a head, as the resident
    /// wrote them.
    fn explain(&self, head: &Head, vector: &Vector, output: usize) -> Vec<String> {
        let mut pushes: Vec<(f32, u32)> = vector
            .input
            .sparse
            .iter()
            .map(|&(f, x)| (head.push(f, x, output), f))
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

    /// The model as bytes: a magic line, a JSON header, then each head's 8-bit weights.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            format: FORMAT,
            info: self.info.clone(),
            features: self.features.clone(),
            idf: self.idf.clone(),
            service: self.service.header(),
            risk: self.risk.header(),
            referral: self.referral.header(),
            risk_kinds: self.risk_kinds.clone(),
            temperature: self.temperature,
            embedding_dims: self.embeddings.as_ref().map(|e| e.dims()),
            standardise: self.standardise.clone(),
            rules: self.rules_file.clone(),
        };
        let json = serde_json::to_vec(&header).expect("a model header always serialises");
        let mut out = framing::start(MAGIC, &json, self.service.weights.len());
        for head in [&self.service, &self.risk, &self.referral] {
            out.extend(head.weight_bytes());
        }
        out
    }

    /// The embedding table a model file was trained with, if any, read without loading
    /// the model: so a caller loads the table only for a model that needs it.
    pub fn embeddings_needed(bytes: &[u8]) -> Result<Option<String>, ModelError> {
        match framing::split(bytes, MAGIC) {
            Framing::Foreign => Err(ModelError::NotAModel),
            Framing::Damaged(why) => Err(ModelError::Damaged(why.to_owned())),
            Framing::Parts { header, .. } => {
                let peek: Peek = serde_json::from_slice(header)
                    .map_err(|e| ModelError::Damaged(e.to_string()))?;
                Ok(peek.info.embeddings)
            }
        }
    }

    /// Reads a model that reads words only, or whose embedding table is not at hand
    /// (which is refused).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        Self::from_bytes_with(bytes, None)
    }

    /// Reads a model with the static embedding table it was trained with. A table is
    /// ignored by a model that reads words only.
    pub fn from_bytes_with(
        bytes: &[u8],
        embeddings: Option<Arc<StaticEmbeddings>>,
    ) -> Result<Self, ModelError> {
        let damaged = |why: &str| ModelError::Damaged(why.to_owned());
        let (json, weights) = match framing::split(bytes, MAGIC) {
            Framing::Foreign => return Err(ModelError::NotAModel),
            Framing::Damaged(why) => return Err(damaged(why)),
            Framing::Parts { header, data } => (header, data),
        };
        let format: FormatOnly =
            serde_json::from_slice(json).map_err(|e| ModelError::Damaged(e.to_string()))?;
        if format.format != FORMAT {
            return Err(ModelError::Format(format.format));
        }
        let header: Header =
            serde_json::from_slice(json).map_err(|e| ModelError::Damaged(e.to_string()))?;
        let embeddings = match (&header.info.embeddings, embeddings) {
            (None, _) => None,
            (Some(needed), Some(table)) if table.id() == needed => Some(table),
            (Some(needed), given) => {
                return Err(ModelError::Embeddings {
                    needed: needed.clone(),
                    given: given.map_or("no table".to_owned(), |t| format!("table {}", t.id())),
                });
            }
        };
        let features = header.features.len();
        let dims = header.embedding_dims.unwrap_or(0);
        let mut rest = weights;
        let mut heads = Vec::with_capacity(3);
        for part in [header.service, header.risk, header.referral] {
            let size = features * part.outputs.len();
            let (mine, after) = rest
                .split_at_checked(size)
                .ok_or_else(|| damaged("weights cut short"))?;
            heads.push(
                Head::from_parts(part, mine, features, dims)
                    .ok_or_else(|| damaged("sizes do not agree"))?,
            );
            rest = after;
        }
        let standardised =
            header.standardise.mean.len() == dims && header.standardise.scale.len() == dims;
        if !rest.is_empty() || header.idf.len() != features || !standardised {
            return Err(damaged("sizes do not agree"));
        }
        let [service, risk, referral]: [Head; 3] = heads.try_into().expect("three heads");
        if risk.outputs.len() != header.risk_kinds.len() + 1 {
            return Err(damaged("risk kinds do not match the risk head"));
        }
        let rules = CompiledRules::compile(&header.rules)?;
        Ok(Self {
            index: index_of(&header.features),
            info: header.info,
            features: header.features,
            idf: header.idf,
            service,
            risk,
            referral,
            risk_kinds: header.risk_kinds,
            temperature: header.temperature,
            embeddings,
            standardise: header.standardise,
            rules_file: header.rules,
            rules,
        })
    }

    /// A short hash of everything that decides: same training, same id.
    pub(crate) fn content_id(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.features.join("\n"));
        for head in [&self.service, &self.risk, &self.referral] {
            hash.update(head.outputs.join("\n"));
            hash.update(head.weight_bytes().collect::<Vec<u8>>());
            for x in head.scales.iter().chain(&head.bias).chain(&head.dense) {
                hash.update(x.to_le_bytes());
            }
        }
        for x in &self.idf {
            hash.update(x.to_le_bytes());
        }
        hash.update(self.temperature.to_le_bytes());
        for x in self.standardise.mean.iter().chain(&self.standardise.scale) {
            hash.update(x.to_le_bytes());
        }
        hash.update(serde_json::to_vec(&self.risk_kinds).expect("risk kinds serialise"));
        hash.update(serde_json::to_vec(&self.rules_file).expect("rules serialise"));
        if let Some(table) = &self.embeddings {
            hash.update(table.id());
        }
        let digest = hash.finalize();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A message's meaning: its expanded words through the embedding table.
pub(crate) fn embed(table: &StaticEmbeddings, tokens: &[Token]) -> Vec<f32> {
    table.embed(tokens.iter().map(|t| t.word.as_str()))
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

pub(crate) fn index_of(features: &[String]) -> FastMap<String, u32> {
    features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.clone(), i as u32))
        .collect()
}

/// Sub-linear term frequency times inverse document frequency, scaled to unit length.
pub(crate) fn tf_idf(counts: FastMap<u32, f32>, idf: &[f32]) -> Vec<(u32, f32)> {
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

fn rank(probabilities: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    info: ModelInfo,
    features: Vec<String>,
    idf: Vec<f32>,
    service: HeadHeader,
    risk: HeadHeader,
    referral: HeadHeader,
    risk_kinds: Vec<RiskKind>,
    temperature: f32,
    embedding_dims: Option<usize>,
    #[serde(default)]
    standardise: Standardise,
    rules: RulesFile,
}

/// Per embedding dimension: subtract the mean, multiply by the scale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Standardise {
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
}

impl Standardise {
    /// From training embeddings: scaled so a typical message's vector has length
    /// `weight` (its word features have length one).
    pub fn fit(vectors: &[&[f32]], dims: usize, weight: f32) -> Self {
        let n = vectors.len().max(1) as f32;
        let mut mean = vec![0.0f32; dims];
        for v in vectors {
            mean.iter_mut().zip(v.iter()).for_each(|(m, x)| *m += x / n);
        }
        let mut variance = vec![0.0f32; dims];
        for v in vectors {
            for ((var, x), m) in variance.iter_mut().zip(v.iter()).zip(&mean) {
                *var += (x - m) * (x - m) / n;
            }
        }
        let root_dims = (dims as f32).sqrt();
        let scale = variance
            .iter()
            .map(|v| {
                if *v > 0.0 {
                    weight / (v.sqrt() * root_dims)
                } else {
                    0.0
                }
            })
            .collect();
        Self { mean, scale }
    }

    pub fn apply(&self, mut vector: Vec<f32>) -> Vec<f32> {
        for ((x, m), s) in vector.iter_mut().zip(&self.mean).zip(&self.scale) {
            *x = (*x - m) * s;
        }
        vector
    }
}

/// Just enough of a header to know which embedding table a model needs.
#[derive(Deserialize)]
struct Peek {
    info: PeekInfo,
}

#[derive(Deserialize)]
struct PeekInfo {
    #[serde(default)]
    embeddings: Option<String>,
}

#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}
