//! The JSON shape of a report, shared by `check --format json|jsonl` and other tools.
//!
//! `{"id": ..., "verdict": "scam|suspicious|legit|unrelated", "risk": 0-100,
//!   "signals": [{"id", "category", "weight", "evidence"}], "violations": [...],
//!   "entities": {"<kind>": [{"value", "start", "end"}]},
//!   "situation": "message|own_situation|relative", "subjects": ["court", "visit"],
//!   "safety_threat": true|false,
//!   "known": null | {"id", "label", "family", "confirmed_at", "similarity", "partial"}}`
//! Entity values are redacted; `start` and `end` are UTF-8 byte offsets in the input text.
//! `situation` says who is writing: a received message, the borrower describing their own case,
//! or a relative or emergency contact. `subjects` lists what calls for advice of its own (a
//! lawsuit, a visit); `safety_threat` is true when a violation threatens someone's safety.
//! `known` names the confirmed example in the store (`loanguard known`) the message is a
//! near-copy of: its id, label (`scam`, `suspicious`, `legit`), family (or null), when it was
//! confirmed (Unix seconds), the estimated similarity (0–1) and whether it is only a partial
//! copy (cut off or reworded); never its text. It is null when nothing matched or no store was
//! consulted.
//! `--format json` adds `notes` (`no_text`, `truncated`) and `learned`: the learned stage's
//! most likely family and its probability for each verdict.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::classifier::known::KnownMatch;
use crate::classifier::{Entity, LearnedView, Note, Report, Signal};

#[derive(Serialize)]
pub struct SignalJson<'a> {
    pub id: &'a str,
    pub category: &'static str,
    pub weight: i32,
    pub evidence: &'a str,
}

#[derive(Serialize)]
pub struct EntityJson {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// The confirmed example a message copies: its facts, never its text.
#[derive(Serialize)]
pub struct KnownJson {
    pub id: i64,
    pub label: &'static str,
    pub family: Option<&'static str>,
    pub confirmed_at: i64,
    /// Rounded to two decimals.
    pub similarity: f64,
    /// A partial copy (cut off or reworded): it only calls for a check.
    pub partial: bool,
}

impl From<&KnownMatch> for KnownJson {
    fn from(m: &KnownMatch) -> Self {
        KnownJson {
            id: m.example.id,
            label: m.example.label.as_str(),
            family: m.example.family.map(|f| f.as_str()),
            confirmed_at: m.example.confirmed_at,
            similarity: (f64::from(m.similarity) * 100.0).round() / 100.0,
            partial: m.partial,
        }
    }
}

#[derive(Serialize)]
pub struct ReportJson<'a> {
    pub id: Value,
    pub verdict: &'static str,
    pub risk: u8,
    pub signals: Vec<SignalJson<'a>>,
    pub violations: Vec<SignalJson<'a>>,
    pub entities: BTreeMap<&'static str, Vec<EntityJson>>,
    pub situation: &'static str,
    pub subjects: Vec<&'static str>,
    pub safety_threat: bool,
    pub known: Option<KnownJson>,
    /// Only in `--format json`; the JSON Lines contract has exactly the fields above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<Note>>,
    /// Only in `--format json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned: Option<&'a LearnedView>,
}

fn signal<'a>(s: &'a Signal<'_>) -> SignalJson<'a> {
    SignalJson {
        id: s.id(),
        category: s.rule.category.as_str(),
        weight: s.rule.weight,
        evidence: &s.evidence,
    }
}

pub fn entities(list: &[Entity]) -> BTreeMap<&'static str, Vec<EntityJson>> {
    let mut map: BTreeMap<&'static str, Vec<EntityJson>> = BTreeMap::new();
    for e in list {
        map.entry(e.kind.as_str()).or_default().push(EntityJson {
            value: e.redacted(),
            start: e.span.start,
            end: e.span.end,
        });
    }
    map
}

impl<'a> ReportJson<'a> {
    /// The JSON Lines shape.
    pub fn new(id: Value, report: &'a Report<'a>) -> Self {
        Self {
            id,
            verdict: report.verdict.as_str(),
            risk: report.risk,
            signals: report.signals.iter().map(signal).collect(),
            violations: report.violations.iter().map(signal).collect(),
            entities: entities(&report.entities),
            situation: report.situation.as_str(),
            subjects: report.subjects.iter().map(|s| s.as_str()).collect(),
            safety_threat: report.safety_threat,
            known: report.known.as_ref().map(KnownJson::from),
            notes: None,
            learned: None,
        }
    }

    /// The single-object shape: the JSON Lines fields plus `notes` (no text, truncated).
    pub fn with_notes(id: Value, report: &'a Report<'a>) -> Self {
        Self {
            notes: Some(report.notes.clone()),
            learned: report.learned.as_ref(),
            ..Self::new(id, report)
        }
    }
}
