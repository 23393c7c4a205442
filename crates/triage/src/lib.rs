//! Triage: read what a resident wrote, in their own words, and decide which service
//! should handle it first, whether they are at risk, what else they clearly need, and
//! which words drove each decision.
//!
//! Pure Rust and synchronous: no database, no HTTP. Callers load a [`Model`] (from the
//! file `frontdoor triage train` writes, or the one built into the binary) and call
//! [`Model::triage`].

pub mod data;
pub mod embed;
pub mod eval;
mod fast_map;
pub mod features;
mod framing;
mod head;
pub mod lines;
pub mod model;
pub mod normalise;
pub mod rules;
pub mod train;

pub use data::{DataError, Example, Urgency, read_csv};
pub use embed::{EmbeddingError, StaticEmbeddings};
pub use eval::{Evaluation, Metrics, cross_validate, evaluate};
pub use model::{Model, ModelError, ModelInfo, Referral, RiskKind, Suggestion, Triage};
pub use rules::{RiskRules, RulesError, RulesFile};
pub use train::{Hyper, TrainError, TrainingInput, train};
