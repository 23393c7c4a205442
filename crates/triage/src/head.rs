//! One linear decision over a message's features, as the model stores and applies it:
//! word features (TF-IDF, 8-bit weights) plus the message's meaning (a dense embedding,
//! 32-bit weights). The service, the kind of risk and the referrals are each one head.

use serde::{Deserialize, Serialize};

/// A message ready for the heads: weighted word features and its embedding (empty when
/// the model reads words only).
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    pub sparse: Vec<(u32, f32)>,
    pub dense: Vec<f32>,
}

/// A trained head. Sparse weights are feature-major: feature f's weights for every
/// output are contiguous, so a message touches only the rows of its own words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Head {
    pub outputs: Vec<String>,
    pub weights: Vec<i8>,
    /// Per output, what one step of a quantised weight is worth.
    pub scales: Vec<f32>,
    /// Dimension-major, like the sparse weights.
    pub dense: Vec<f32>,
    pub bias: Vec<f32>,
}

/// A head's header as stored; the 8-bit weights follow the JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HeadHeader {
    pub outputs: Vec<String>,
    pub scales: Vec<f32>,
    pub dense: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Head {
    pub fn logits(&self, input: &Input) -> Vec<f32> {
        let n = self.outputs.len();
        let mut raw = vec![0.0f32; n];
        for &(f, x) in &input.sparse {
            let row = &self.weights[f as usize * n..(f as usize + 1) * n];
            for (acc, &w) in raw.iter_mut().zip(row) {
                *acc += x * f32::from(w);
            }
        }
        let mut logits: Vec<f32> = raw
            .iter()
            .zip(&self.scales)
            .zip(&self.bias)
            .map(|((r, s), b)| r * s + b)
            .collect();
        if !self.dense.is_empty() {
            for (d, &x) in input.dense.iter().enumerate() {
                let row = &self.dense[d * n..(d + 1) * n];
                for (acc, &w) in logits.iter_mut().zip(row) {
                    *acc += x * w;
                }
            }
        }
        logits
    }

    /// How hard one word feature pushes towards an output.
    pub fn push(&self, feature: u32, value: f32, output: usize) -> f32 {
        let n = self.outputs.len();
        value * f32::from(self.weights[feature as usize * n + output]) * self.scales[output]
    }

    pub fn header(&self) -> HeadHeader {
        HeadHeader {
            outputs: self.outputs.clone(),
            scales: self.scales.clone(),
            dense: self.dense.clone(),
            bias: self.bias.clone(),
        }
    }

    /// Rebuilds a head from its header and the weights that follow it in the file;
    /// None when the sizes do not agree.
    pub fn from_parts(
        header: HeadHeader,
        weights: &[u8],
        features: usize,
        dims: usize,
    ) -> Option<Self> {
        let n = header.outputs.len();
        let sizes_agree = weights.len() == features * n
            && header.scales.len() == n
            && header.bias.len() == n
            && (header.dense.is_empty() || header.dense.len() == dims * n);
        sizes_agree.then(|| Self {
            outputs: header.outputs,
            weights: weights.iter().map(|&b| b as i8).collect(),
            scales: header.scales,
            dense: header.dense,
            bias: header.bias,
        })
    }

    pub fn weight_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.weights.iter().map(|&w| w as u8)
    }

    /// Eight bits a sparse weight, scaled per output: a model small enough to keep in git.
    pub fn quantise(
        outputs: Vec<String>,
        weights: &[f32],
        dense: Vec<f32>,
        bias: Vec<f32>,
    ) -> Self {
        let n = outputs.len();
        let scales: Vec<f32> = (0..n)
            .map(|c| {
                let max = weights
                    .iter()
                    .skip(c)
                    .step_by(n)
                    .fold(0.0f32, |m, w| m.max(w.abs()));
                if max > 0.0 { max / 127.0 } else { 1.0 }
            })
            .collect();
        let weights = weights
            .iter()
            .enumerate()
            .map(|(i, w)| (w / scales[i % n]).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Self {
            outputs,
            weights,
            scales,
            dense,
            bias,
        }
    }
}

pub(crate) fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
