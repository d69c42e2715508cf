//! `/start` payloads for the "full advice" button under a group verdict.
//!
//! The payload carries the verdict and the indices of the rules that fired, never the text:
//! `v<verdict>_<index>-<index>…`, within Telegram's 64 characters of `[A-Za-z0-9_-]`.

use crate::classifier::{Classifier, Report, Verdict};

const MAX_RULES: usize = 5;

fn code(v: Verdict) -> char {
    match v {
        Verdict::Scam => 's',
        Verdict::Suspicious => 'u',
        Verdict::Legit => 'l',
        Verdict::Unrelated => 'n',
    }
}

pub fn encode(report: &Report<'_>, classifier: &Classifier) -> String {
    let indices: Vec<String> = report
        .risk_signals()
        .chain(report.violations.iter())
        .chain(report.legit_signals())
        .take(MAX_RULES)
        .filter_map(|s| classifier.rules().iter().position(|r| r.id == s.rule.id))
        .map(|i| i.to_string())
        .collect();
    format!("v{}_{}", code(report.verdict), indices.join("-"))
}

/// The verdict and rule ids of a payload; `None` for anything malformed.
pub fn decode(payload: &str, classifier: &Classifier) -> Option<(Verdict, Vec<String>)> {
    if payload.len() > 64 {
        return None;
    }
    let rest = payload.strip_prefix('v')?;
    let mut chars = rest.chars();
    let c = chars.next()?;
    let verdict = Verdict::ALL.into_iter().find(|v| code(*v) == c)?;
    let list = chars.as_str().strip_prefix('_')?;
    let mut ids = Vec::new();
    for part in list.split('-').filter(|p| !p.is_empty()).take(MAX_RULES) {
        let index: usize = part.parse().ok()?;
        ids.push(classifier.rules().get(index)?.id.clone());
    }
    Some((verdict, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_verdict_and_reasons() {
        let c = Classifier::shared();
        let r = c.classify("请将欠款转入专员个人账户6222021234567890128，否则上门");
        let payload = encode(&r, c);
        assert!(payload.len() <= 64);
        assert!(
            payload
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        );
        let (v, ids) = decode(&payload, c).unwrap();
        assert_eq!(v, r.verdict);
        assert!(ids.contains(&"pay.private_account".to_string()));
    }

    #[test]
    fn rejects_malformed_payloads() {
        let c = Classifier::shared();
        for bad in [
            "",
            "x",
            "vz_",
            "vs",
            "vs_abc",
            "vs_99999",
            &"vs_1-".repeat(30),
        ] {
            assert!(decode(bad, c).is_none(), "{bad:?}");
        }
    }
}
