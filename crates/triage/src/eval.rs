//! Judging triage honestly: k-fold cross-validation (every situation held out whole),
//! and scoring a trained model on a frozen test set it never saw.

use crate::data::Example;
use crate::model::{Model, Triage};
use crate::train::{TrainError, TrainingInput, grouped_folds, train};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// Decisions paired with the truth.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub outcomes: Vec<(Example, Triage)>,
}

/// Trains on k-1 folds and triages the k-th, for each of the k folds. `base` gives the
/// catalogue, rules, embeddings and knobs; its examples are replaced by each fold's.
pub fn cross_validate(
    base: &TrainingInput,
    examples: &[Example],
    folds: usize,
) -> Result<Evaluation, TrainError> {
    let labels: Vec<usize> = examples
        .iter()
        .map(|e| {
            base.catalogue
                .services
                .iter()
                .position(|s| s.slug == e.service)
                .unwrap_or(usize::MAX)
        })
        .collect();
    let groups: Vec<String> = examples.iter().map(|e| e.group.clone()).collect();
    let assignment = grouped_folds(&labels, &groups, folds);
    let mut outcomes = Vec::with_capacity(examples.len());
    for fold in 0..folds {
        let (held, kept): (Vec<_>, Vec<_>) = examples
            .iter()
            .zip(&assignment)
            .partition(|(_, f)| **f == fold);
        let kept: Vec<Example> = kept.into_iter().map(|(e, _)| e.clone()).collect();
        let model = train(&TrainingInput {
            examples: &kept,
            trained_at: "cross-validation",
            embeddings: base.embeddings.clone(),
            ..*base
        })?;
        let held: Vec<Example> = held.into_iter().map(|(e, _)| e.clone()).collect();
        outcomes.extend(evaluate(&model, &held).outcomes);
    }
    Ok(Evaluation { outcomes })
}

/// Triages every example with a trained model: for a frozen test set.
pub fn evaluate(model: &Model, examples: &[Example]) -> Evaluation {
    Evaluation {
        outcomes: examples
            .iter()
            .map(|e| (e.clone(), model.triage(&e.text, &e.channel)))
            .collect(),
    }
}

/// The figures an evaluation reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    pub contacts: usize,
    pub top1: f64,
    pub top3: f64,
    /// Of the contacts a person marked urgent or check, the share triage made urgent or
    /// check: the figure that must be 1.
    pub risk_recall: f64,
    /// Of the contacts a person marked urgent, the share triage made urgent.
    pub urgent_recall: f64,
    /// Of the contacts triage made urgent, the share a person marked urgent or check.
    pub urgent_precision: f64,
    /// Share of all contacts triage sent to be checked for risk (the check queue's load).
    pub check_share: f64,
    /// Of the contacts triage sent to be checked, the share a person marked at risk.
    pub check_precision: f64,
    pub risk_missed: Vec<String>,
    /// Per kind of risk: (found, of).
    pub risk_kinds: BTreeMap<String, (usize, usize)>,
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
    /// For other check thresholds: (threshold, urgent-or-check recall, share of contacts
    /// urgent or checked), to choose `[risk] check_threshold` by.
    pub check_sweep: Vec<(f32, f64, f64)>,
}

/// The check thresholds the sweep tries.
const SWEEP: [f32; 8] = [0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5];

fn flagged(t: &Triage) -> bool {
    t.urgent || t.check_for_risk
}

impl Evaluation {
    pub fn metrics(&self) -> Metrics {
        let n = self.outcomes.len();
        let at_risk = |e: &Example| e.urgency.at_risk();
        let (ref_tp, ref_fp, ref_fn) = self.referral_counts();
        let precision = ratio(ref_tp, ref_tp + ref_fp);
        let recall = ratio(ref_tp, ref_tp + ref_fn);
        let routed: Vec<_> = self
            .outcomes
            .iter()
            .filter(|(_, t)| !t.needs_review)
            .collect();
        let checked = self.count(|_, t| t.check_for_risk);
        Metrics {
            contacts: n,
            top1: ratio(self.count(|e, t| t.service == e.service), n),
            top3: ratio(
                self.count(|e, t| t.suggestions.iter().any(|s| s.service == e.service)),
                n,
            ),
            risk_recall: ratio(
                self.count(|e, t| at_risk(e) && flagged(t)),
                self.count(|e, _| at_risk(e)),
            ),
            urgent_recall: ratio(
                self.count(|e, t| e.urgency == crate::Urgency::Urgent && t.urgent),
                self.count(|e, _| e.urgency == crate::Urgency::Urgent),
            ),
            urgent_precision: ratio(
                self.count(|e, t| at_risk(e) && t.urgent),
                self.count(|_, t| t.urgent),
            ),
            check_share: ratio(checked, n),
            check_precision: ratio(self.count(|e, t| at_risk(e) && t.check_for_risk), checked),
            risk_missed: self
                .outcomes
                .iter()
                .filter(|(e, t)| at_risk(e) && !flagged(t))
                .map(|(e, _)| e.id.clone())
                .collect(),
            risk_kinds: self.risk_kinds(),
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
            check_sweep: self.check_sweep(),
        }
    }

    fn check_sweep(&self) -> Vec<(f32, f64, f64)> {
        let n = self.outcomes.len();
        SWEEP
            .iter()
            .map(|&threshold| {
                let flag = |t: &Triage| t.urgent || t.risk_score >= threshold;
                let at_risk = self.count(|e, _| e.urgency.at_risk());
                let found = self.count(|e, t| e.urgency.at_risk() && flag(t));
                (
                    threshold,
                    ratio(found, at_risk),
                    ratio(self.count(|_, t| flag(t)), n),
                )
            })
            .collect()
    }

    fn count(&self, test: impl Fn(&Example, &Triage) -> bool) -> usize {
        self.outcomes.iter().filter(|(e, t)| test(e, t)).count()
    }

    fn referral_counts(&self) -> (usize, usize, usize) {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (example, triage) in &self.outcomes {
            let truth: BTreeSet<&str> = example.referrals.iter().map(String::as_str).collect();
            let found: BTreeSet<&str> = triage
                .referrals
                .iter()
                .map(|r| r.service.as_str())
                .collect();
            tp += truth.intersection(&found).count();
            fp += found.difference(&truth).count();
            fn_ += truth.difference(&found).count();
        }
        (tp, fp, fn_)
    }

    fn risk_kinds(&self) -> BTreeMap<String, (usize, usize)> {
        let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (example, triage) in &self.outcomes {
            if let Some(kind) = example.risk_kind() {
                let entry = kinds.entry(kind.to_owned()).or_default();
                entry.0 += usize::from(flagged(triage));
                entry.1 += 1;
            }
        }
        kinds
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
        writeln!(f, "urgent-or-check recall   {:.3}", self.risk_recall)?;
        writeln!(f, "urgent recall            {:.3}", self.urgent_recall)?;
        writeln!(f, "urgent precision         {:.3}", self.urgent_precision)?;
        writeln!(
            f,
            "sent to check for risk   {:.3} of contacts ({:.3} of them at risk)",
            self.check_share, self.check_precision
        )?;
        if !self.risk_missed.is_empty() {
            writeln!(
                f,
                "at risk, missed          {}",
                self.risk_missed.join(", ")
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
        writeln!(f, "risk found, by kind:")?;
        for (kind, (found, of)) in &self.risk_kinds {
            writeln!(f, "  {found:>3}/{of:<3}  {kind}")?;
        }
        writeln!(
            f,
            "if check_threshold were (recall, share of contacts flagged):"
        )?;
        for (threshold, recall, share) in &self.check_sweep {
            writeln!(f, "  {threshold:.2}  {recall:.3}  {share:.3}")?;
        }
        writeln!(f, "most confused (true -> chosen):")?;
        for (truth, chosen, n) in self.confusions.iter().take(10) {
            writeln!(f, "  {n:>3}  {truth} -> {chosen}")?;
        }
        Ok(())
    }
}
