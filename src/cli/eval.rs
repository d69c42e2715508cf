//! `loanguard eval FILE.jsonl`: scores the classifier on labelled messages.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::Value;

use crate::classifier::{Classifier, Verdict};

/// One line of a labelled JSON Lines file, as `eval` and `train` read it.
#[derive(Deserialize)]
pub struct Row {
    #[serde(default)]
    pub id: Value,
    pub text: String,
    pub label: String,
    /// What kind of message it is (`loan_offer`, `legit_court`, …); optional.
    #[serde(default)]
    pub family: Option<String>,
}

/// How one family of messages fared.
#[derive(Debug, Default, Clone, Copy)]
pub struct FamilyScore {
    pub total: usize,
    /// Verdict equal to the label.
    pub right: usize,
    /// Called scam or suspicious.
    pub flagged: usize,
}

/// A message the classifier got wrong.
#[derive(Debug, Clone)]
pub struct Miss {
    pub id: String,
    pub expected: Verdict,
    pub got: Verdict,
}

#[derive(Debug, Default, Clone)]
pub struct Evaluation {
    /// `confusion[expected][got]`.
    pub confusion: BTreeMap<Verdict, BTreeMap<Verdict, usize>>,
    pub misses: Vec<Miss>,
    /// Per family, for rows that name one.
    pub families: BTreeMap<String, FamilyScore>,
    /// Lines that could not be read, with their line numbers.
    pub bad_lines: Vec<(usize, String)>,
}

impl Evaluation {
    pub fn add(&mut self, id: String, expected: Verdict, got: Verdict) {
        self.add_in_family(id, None, expected, got);
    }

    pub fn add_in_family(
        &mut self,
        id: String,
        family: Option<&str>,
        expected: Verdict,
        got: Verdict,
    ) {
        if let Some(family) = family {
            let f = self.families.entry(family.to_string()).or_default();
            f.total += 1;
            f.right += usize::from(expected == got);
            f.flagged += usize::from(matches!(got, Verdict::Scam | Verdict::Suspicious));
        }
        *self
            .confusion
            .entry(expected)
            .or_default()
            .entry(got)
            .or_default() += 1;
        if expected != got {
            self.misses.push(Miss { id, expected, got });
        }
    }

    fn count(&self, expected: Verdict, got: Verdict) -> usize {
        self.confusion
            .get(&expected)
            .and_then(|m| m.get(&got))
            .copied()
            .unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.confusion.values().flat_map(|m| m.values()).sum()
    }

    pub fn accuracy(&self) -> f64 {
        let right: usize = Verdict::ALL.iter().map(|v| self.count(*v, *v)).sum();
        ratio(right, self.total())
    }

    pub fn recall(&self, class: Verdict) -> f64 {
        let actual: usize = Verdict::ALL.iter().map(|g| self.count(class, *g)).sum();
        ratio(self.count(class, class), actual)
    }

    pub fn precision(&self, class: Verdict) -> f64 {
        let predicted: usize = Verdict::ALL.iter().map(|e| self.count(*e, class)).sum();
        ratio(self.count(class, class), predicted)
    }

    pub fn f1(&self, class: Verdict) -> f64 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Share of `scam` messages called `scam` or `suspicious`: the user was warned.
    pub fn flagged(&self) -> f64 {
        let flagged = self.count(Verdict::Scam, Verdict::Scam)
            + self.count(Verdict::Scam, Verdict::Suspicious);
        let actual: usize = Verdict::ALL
            .iter()
            .map(|g| self.count(Verdict::Scam, *g))
            .sum();
        ratio(flagged, actual)
    }

    /// Share of each family's messages given their label's verdict.
    pub fn family_recall(&self) -> impl Iterator<Item = (&str, f64, &FamilyScore)> {
        self.families
            .iter()
            .map(|(name, f)| (name.as_str(), ratio(f.right, f.total), f))
    }

    /// Share of `legit` and `unrelated` messages called `scam`.
    pub fn false_alarm_rate(&self) -> f64 {
        let safe = [Verdict::Legit, Verdict::Unrelated];
        let alarms: usize = safe.iter().map(|e| self.count(*e, Verdict::Scam)).sum();
        let all: usize = safe
            .iter()
            .flat_map(|e| Verdict::ALL.iter().map(move |g| (*e, *g)))
            .map(|(e, g)| self.count(e, g))
            .sum();
        ratio(alarms, all)
    }

    /// One row of tests/holdout/SCORES.md: date, set, size, accuracy, scam recall, flagged,
    /// false alarms, and the recall of every family.
    pub fn scores_row(&self, date: &str, set: &str) -> String {
        let families: Vec<String> = self
            .family_recall()
            .map(|(name, recall, f)| format!("{name} {recall:.2} ({})", f.total))
            .collect();
        format!(
            "| {date} | {set} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
            self.total(),
            self.accuracy(),
            self.recall(Verdict::Scam),
            self.flagged(),
            self.false_alarm_rate(),
            families.join(", ")
        )
    }

    /// The human-readable summary `loanguard eval` prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "messages: {}", self.total());
        let _ = writeln!(out, "\nconfusion matrix (rows: label, columns: verdict)");
        let _ = write!(out, "{:>12}", "");
        for g in Verdict::ALL {
            let _ = write!(out, "{:>12}", g.as_str());
        }
        out.push('\n');
        for e in Verdict::ALL {
            let _ = write!(out, "{:>12}", e.as_str());
            for g in Verdict::ALL {
                let _ = write!(out, "{:>12}", self.count(e, g));
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "\n{:>12}{:>11}{:>11}{:>11}",
            "class", "precision", "recall", "f1"
        );
        for v in Verdict::ALL {
            let _ = writeln!(
                out,
                "{:>12}{:>11.3}{:>11.3}{:>11.3}",
                v.as_str(),
                self.precision(v),
                self.recall(v),
                self.f1(v)
            );
        }
        let _ = writeln!(out, "\naccuracy: {:.3}", self.accuracy());
        let _ = writeln!(out, "scam recall: {:.3}", self.recall(Verdict::Scam));
        let _ = writeln!(
            out,
            "flagged (scam called scam or suspicious): {:.3}",
            self.flagged()
        );
        let _ = writeln!(
            out,
            "false alarms (legit or unrelated called scam): {:.3}",
            self.false_alarm_rate()
        );
        if !self.families.is_empty() {
            let _ = writeln!(
                out,
                "\n{:>20}{:>7}{:>9}{:>9}",
                "family", "n", "recall", "flagged"
            );
            for (name, recall, f) in self.family_recall() {
                let _ = writeln!(
                    out,
                    "{:>20}{:>7}{:>9.3}{:>9.3}",
                    name,
                    f.total,
                    recall,
                    ratio(f.flagged, f.total)
                );
            }
        }
        if !self.misses.is_empty() {
            let _ = writeln!(out, "\nwrong ({}):", self.misses.len());
            for m in &self.misses {
                let _ = writeln!(
                    out,
                    "  {}  label={} got={}",
                    m.id,
                    m.expected.as_str(),
                    m.got.as_str()
                );
            }
        }
        if !self.bad_lines.is_empty() {
            let _ = writeln!(out, "\nunreadable lines ({}):", self.bad_lines.len());
            for (n, why) in &self.bad_lines {
                let _ = writeln!(out, "  line {n}: {why}");
            }
        }
        out
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Classifies every line of a labelled JSON Lines stream.
pub fn evaluate(classifier: &Classifier, input: impl BufRead, into: &mut Evaluation) {
    for (n, line) in input.lines().enumerate() {
        let line_no = n + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                into.bad_lines.push((line_no, e.to_string()));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let item: Row = match serde_json::from_str(&line) {
            Ok(i) => i,
            Err(e) => {
                into.bad_lines.push((line_no, e.to_string()));
                continue;
            }
        };
        let Some(expected) = Verdict::parse(&item.label) else {
            into.bad_lines
                .push((line_no, format!("unknown label {:?}", item.label)));
            continue;
        };
        let id = match item.id {
            Value::String(s) => s,
            Value::Null => format!("line {line_no}"),
            other => other.to_string(),
        };
        let got = classifier.classify(&item.text).verdict;
        into.add_in_family(id, item.family.as_deref(), expected, got);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_from_a_known_confusion() {
        let mut e = Evaluation::default();
        for _ in 0..9 {
            e.add("s".into(), Verdict::Scam, Verdict::Scam);
        }
        e.add("s10".into(), Verdict::Scam, Verdict::Suspicious);
        e.add("l1".into(), Verdict::Legit, Verdict::Scam);
        for _ in 0..3 {
            e.add("l".into(), Verdict::Legit, Verdict::Legit);
        }
        assert!((e.recall(Verdict::Scam) - 0.9).abs() < 1e-9);
        assert!((e.precision(Verdict::Scam) - 0.9).abs() < 1e-9);
        assert!((e.false_alarm_rate() - 0.25).abs() < 1e-9);
        assert!((e.accuracy() - 12.0 / 14.0).abs() < 1e-9);
        assert_eq!(e.misses.len(), 2);
    }

    #[test]
    fn families_are_scored_on_their_own_label() {
        let mut e = Evaluation::default();
        e.add_in_family("a".into(), Some("loan_offer"), Verdict::Scam, Verdict::Scam);
        e.add_in_family(
            "b".into(),
            Some("loan_offer"),
            Verdict::Scam,
            Verdict::Suspicious,
        );
        e.add_in_family(
            "c".into(),
            Some("ordinary"),
            Verdict::Unrelated,
            Verdict::Unrelated,
        );
        let loan = e.families["loan_offer"];
        assert_eq!((loan.total, loan.right, loan.flagged), (2, 1, 2));
        assert!((e.flagged() - 1.0).abs() < 1e-9);
        assert!((e.recall(Verdict::Scam) - 0.5).abs() < 1e-9);
        assert!(e.render().contains("loan_offer"));
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let input = "{\"id\":\"a\",\"text\":\"你好\",\"label\":\"unrelated\"}\nnot json\n{\"id\":\"b\",\"text\":\"x\",\"label\":\"maybe\"}\n";
        let mut e = Evaluation::default();
        evaluate(Classifier::shared(), input.as_bytes(), &mut e);
        assert_eq!(e.total(), 1);
        assert_eq!(e.bad_lines.len(), 2);
    }
}
