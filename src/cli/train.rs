//! `loanguard train`: rebuilds the learned stage from the labelled corpus, deterministically;
//! `--folds K` instead reports how the whole classifier does on each row when the model was
//! trained without it (cross-validation), for the thresholds in `data/learned.toml` and nearby.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::eval::{Evaluation, Row};
use crate::classifier::learned::train::{Example, TrainConfig, train};
use crate::classifier::learned::{LearnedConfig, Model, Thresholds};
use crate::classifier::{Classifier, Family, Verdict};

/// A row the model can learn from: its family is known and agrees with its label.
pub struct Labelled {
    pub id: String,
    pub text: String,
    pub family: Family,
}

/// Every `*.jsonl` in `dir`, in name order, then line order: the order training depends on.
pub fn read_corpus(dir: &Path) -> Result<(Vec<Labelled>, Vec<String>), String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{}:{}", file.display(), n + 1);
            let row: Row = serde_json::from_str(line).map_err(|e| format!("{at}: {e}"))?;
            let label = Verdict::parse(&row.label).ok_or(format!("{at}: unknown label"))?;
            let Some(family) = row.family.as_deref() else {
                skipped.push(format!("{at}: no family"));
                continue;
            };
            let family = Family::parse(family).ok_or(format!("{at}: unknown family {family}"))?;
            if family.verdict() != label {
                return Err(format!(
                    "{at}: family {} does not fit label {}",
                    family.as_str(),
                    label.as_str()
                ));
            }
            let id = match row.id {
                serde_json::Value::String(s) => s,
                other => format!("{at} {other}"),
            };
            rows.push(Labelled {
                id,
                text: row.text,
                family,
            });
        }
    }
    Ok((rows, skipped))
}

/// Trains on `rows` with the embedded `[train]` config.
pub fn train_model(rows: &[Labelled]) -> Result<Model, String> {
    let config = Classifier::rules_only()?.learned_config().train.clone();
    train_model_with(rows, &config)
}

/// Trains on `rows` with another config (experiments: `loanguard train --config`).
pub fn train_model_with(rows: &[Labelled], config: &TrainConfig) -> Result<Model, String> {
    Ok(train(&examples(rows, config)?, config))
}

/// The rows as the learned stage sees them under `config`'s scheme.
fn examples(rows: &[Labelled], config: &TrainConfig) -> Result<Vec<Example>, String> {
    let mut rules = Classifier::rules_only()?;
    rules.set_scheme(config.scheme());
    Ok(rows
        .iter()
        .map(|r| Example {
            buckets: rules.training_features(&r.text),
            family: r.family,
        })
        .collect())
}

/// The committed model, rebuilt from the corpus in `dir`.
pub fn train_from_dir(dir: &Path) -> Result<Model, String> {
    let (rows, _) = read_corpus(dir)?;
    train_model(&rows)
}

/// Cross-validation: each row is classified by a model that never saw it (row `i` is held out
/// of fold `i % folds`). Returns the evaluation for the configured thresholds, the false alarms
/// with their signals, and a table for nearby thresholds.
pub fn cross_validate(
    rows: &[Labelled],
    folds: usize,
    config: &LearnedConfig,
) -> Result<String, String> {
    let folds = folds.max(2);
    let configured = config.thresholds;
    // Features once for all rows; each fold trains on the others.
    let all = examples(rows, &config.train)?;
    let mut held_out: Vec<Classifier> = Vec::with_capacity(folds);
    for k in 0..folds {
        let train_on: Vec<Example> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != k)
            .map(|(_, e)| e.clone())
            .collect();
        let mut classifier = Classifier::rules_only()?;
        classifier.set_scheme(config.train.scheme());
        held_out.push(classifier.with_model(train(&train_on, &config.train)));
    }
    let evaluate = |t: Thresholds| {
        let mut e = Evaluation::default();
        for (i, row) in rows.iter().enumerate() {
            let classifier = &held_out[i % folds];
            let got = classifier.classify_with_thresholds(&row.text, t).verdict;
            e.add_in_family(
                row.id.clone(),
                Some(row.family.as_str()),
                row.family.verdict(),
                got,
            );
        }
        e
    };
    let mut out = String::new();
    let e = evaluate(configured);
    let _ = writeln!(out, "false alarms (id: the signals that made them scam):");
    let missed = e.misses.iter().filter(|m| {
        m.got == Verdict::Scam && matches!(m.expected, Verdict::Legit | Verdict::Unrelated)
    });
    for miss in missed {
        // Misses are pushed in row order with their ids; find the row to list its signals.
        let Some(i) = rows.iter().position(|r| r.id == miss.id) else {
            continue;
        };
        let report = held_out[i % folds].classify_with_thresholds(&rows[i].text, configured);
        let ids: Vec<&str> = report.risk_signals().map(|s| s.id()).collect();
        let _ = writeln!(out, "  {}: {}", miss.id, ids.join(" "));
    }
    let _ = writeln!(
        out,
        "{folds}-fold cross-validation, thresholds of learned.toml:\n"
    );
    out.push_str(&e.render());
    let _ = writeln!(
        out,
        "\n{:>6}{:>6}{:>6}{:>9}{:>9}{:>9}{:>9}",
        "scam", "flag", "safe", "accuracy", "recall", "flagged", "alarms"
    );
    for scam in [0.5, 0.6, 0.7, 0.8, 0.9] {
        for flag in [0.3, 0.4, 0.5, 0.6] {
            for safe in [0.8, 0.9, 0.95] {
                let t = Thresholds {
                    scam,
                    flag,
                    safe,
                    ..configured
                };
                let e = evaluate(t);
                let _ = writeln!(
                    out,
                    "{scam:>6.2}{flag:>6.2}{safe:>6.2}{:>9.3}{:>9.3}{:>9.3}{:>9.3}",
                    e.accuracy(),
                    e.recall(Verdict::Scam),
                    e.flagged(),
                    e.false_alarm_rate()
                );
            }
        }
    }
    Ok(out)
}
