//! Judging triage honestly: k-fold cross-validation, so every figure comes from contacts
//! the model did not see in training.

use crate::data::Example;
use crate::model::Triage;
use crate::rules::RulesFile;
use crate::train::{Hyper, TrainError, TrainingInput, stratified_folds, train};
use frontdoor_domain::Catalogue;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Held-out decisions paired with the truth.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub folds: usize,
    pub outcomes: Vec<(Example, Triage)>,
}

/// Trains on k-1 folds and triages the k-th, for each of the k folds.
pub fn cross_validate(
    catalogue: &Catalogue,
    rules: &RulesFile,
    examples: &[Example],
    folds: usize,
    hyper: Hyper,
) -> Result<Evaluation, TrainError> {
    let labels: Vec<usize> = examples
        .iter()
        .map(|e| {
            catalogue
                .services
                .iter()
                .position(|s| s.slug == e.service)
                .unwrap_or(usize::MAX)
        })
        .collect();
    let assignment = stratified_folds(&labels, folds);
    let mut outcomes = Vec::with_capacity(examples.len());
    for fold in 0..folds {
        let (held, kept): (Vec<_>, Vec<_>) = examples
            .iter()
            .zip(&assignment)
            .partition(|(_, f)| **f == fold);
        let kept: Vec<Example> = kept.into_iter().map(|(e, _)| e.clone()).collect();
        let model = train(&TrainingInput {
            catalogue,
            rules,
            examples: &kept,
            corrections: &[],
            trained_at: "cross-validation",
            hyper,
        })?;
        for (example, _) in held {
            outcomes.push((
                example.clone(),
                model.triage(&example.text, &example.channel),
            ));
        }
    }
    Ok(Evaluation { folds, outcomes })
}

/// The figures an evaluation reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    pub contacts: usize,
    pub top1: f64,
    pub top3: f64,
    pub urgent_recall: f64,
    pub urgent_precision: f64,
    pub urgent_missed: Vec<String>,
    pub referral_precision: f64,
    pub referral_recall: f64,
    pub referral_f1: f64,
    /// Expected calibration error over ten confidence bins.
    pub calibration_error: f64,
    /// Share of contacts routed without review, and top-1 accuracy among them.
    pub auto_routed: f64,
    pub auto_routed_accuracy: f64,
    /// (true service, chosen service, count), most frequent first.
    pub confusions: Vec<(String, String, usize)>,
}

impl Evaluation {
    pub fn metrics(&self) -> Metrics {
        let n = self.outcomes.len();
        let top1 = self.count(|e, t| t.service == e.service);
        let top3 = self.count(|e, t| t.suggestions.iter().any(|s| s.service == e.service));
        let urgent_tp = self.count(|e, t| e.urgent && t.urgent);
        let urgent_fp = self.count(|e, t| !e.urgent && t.urgent);
        let urgent_fn = self.count(|e, t| e.urgent && !t.urgent);
        let (mut ref_tp, mut ref_fp, mut ref_fn) = (0, 0, 0);
        for (example, triage) in &self.outcomes {
            let truth: BTreeSet<&str> = example.referrals.iter().map(String::as_str).collect();
            let found: BTreeSet<&str> = triage
                .referrals
                .iter()
                .map(|r| r.service.as_str())
                .collect();
            ref_tp += truth.intersection(&found).count();
            ref_fp += found.difference(&truth).count();
            ref_fn += truth.difference(&found).count();
        }
        let precision = ratio(ref_tp, ref_tp + ref_fp);
        let recall = ratio(ref_tp, ref_tp + ref_fn);
        let routed: Vec<_> = self
            .outcomes
            .iter()
            .filter(|(_, t)| !t.needs_review)
            .collect();
        Metrics {
            contacts: n,
            top1: ratio(top1, n),
            top3: ratio(top3, n),
            urgent_recall: ratio(urgent_tp, urgent_tp + urgent_fn),
            urgent_precision: ratio(urgent_tp, urgent_tp + urgent_fp),
            urgent_missed: self
                .outcomes
                .iter()
                .filter(|(e, t)| e.urgent && !t.urgent)
                .map(|(e, _)| e.id.clone())
                .collect(),
            referral_precision: precision,
            referral_recall: recall,
            referral_f1: if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            },
            calibration_error: self.calibration_error(),
            auto_routed: ratio(routed.len(), n),
            auto_routed_accuracy: ratio(
                routed
                    .iter()
                    .filter(|(e, t)| t.service == e.service)
                    .count(),
                routed.len(),
            ),
            confusions: self.confusions(),
        }
    }

    fn count(&self, test: impl Fn(&Example, &Triage) -> bool) -> usize {
        self.outcomes.iter().filter(|(e, t)| test(e, t)).count()
    }

    fn calibration_error(&self) -> f64 {
        let mut bins = [(0usize, 0.0f64, 0usize); 10];
        for (example, triage) in &self.outcomes {
            let bin = ((triage.confidence * 10.0) as usize).min(9);
            bins[bin].0 += 1;
            bins[bin].1 += f64::from(triage.confidence);
            bins[bin].2 += usize::from(triage.service == example.service);
        }
        let n = self.outcomes.len().max(1) as f64;
        bins.iter()
            .filter(|(count, _, _)| *count > 0)
            .map(|&(count, confidence, correct)| {
                let c = count as f64;
                (c / n) * (confidence / c - correct as f64 / c).abs()
            })
            .sum()
    }

    fn confusions(&self) -> Vec<(String, String, usize)> {
        let mut pairs: HashMap<(String, String), usize> = HashMap::new();
        for (example, triage) in &self.outcomes {
            if triage.service != example.service {
                *pairs
                    .entry((example.service.clone(), triage.service.clone()))
                    .or_default() += 1;
            }
        }
        let mut pairs: Vec<_> = pairs.into_iter().map(|((a, b), n)| (a, b, n)).collect();
        pairs.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        pairs
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "contacts                 {}", self.contacts)?;
        writeln!(f, "top-1 accuracy           {:.3}", self.top1)?;
        writeln!(f, "top-3 accuracy           {:.3}", self.top3)?;
        writeln!(f, "urgent recall            {:.3}", self.urgent_recall)?;
        writeln!(f, "urgent precision         {:.3}", self.urgent_precision)?;
        if !self.urgent_missed.is_empty() {
            writeln!(
                f,
                "urgent missed            {}",
                self.urgent_missed.join(", ")
            )?;
        }
        writeln!(f, "referral precision       {:.3}", self.referral_precision)?;
        writeln!(f, "referral recall          {:.3}", self.referral_recall)?;
        writeln!(f, "referral F1              {:.3}", self.referral_f1)?;
        writeln!(f, "calibration error (ECE)  {:.3}", self.calibration_error)?;
        writeln!(
            f,
            "routed without review    {:.3} (top-1 among them {:.3})",
            self.auto_routed, self.auto_routed_accuracy
        )?;
        writeln!(f, "most confused (true -> chosen):")?;
        for (truth, chosen, n) in self.confusions.iter().take(10) {
            writeln!(f, "  {n:>3}  {truth} -> {chosen}")?;
        }
        Ok(())
    }
}
