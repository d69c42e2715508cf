//! Every user-facing text, loaded from `responses/<language>.toml` into typed structs.
//!
//! The files are embedded in the binary. A missing or unknown key fails at load time
//! (`deny_unknown_fields`), and [`Responses::check`] verifies that every rule of the classifier has
//! a reason text and every entity kind a label. Placeholders are written `{name}` and filled with
//! [`fill`]; the caller decides whether values are HTML-escaped.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::classifier::{Classifier, EntityKind, RuleKind, Verdict};

const ZH_CN: &str = include_str!("../responses/zh-CN.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
}

impl Language {
    pub const ALL: [Language; 1] = [Language::ZhCn];

    /// The language for a Telegram `language_code`; Chinese is the default.
    pub fn from_code(_code: Option<&str>) -> Self {
        Language::ZhCn
    }

    fn source(self) -> (&'static str, &'static str) {
        match self {
            Language::ZhCn => ("zh-CN", ZH_CN),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Responses {
    pub meta: Meta,
    pub verdict: PerVerdict,
    pub verdict_icon: PerVerdict,
    pub report: ReportTexts,
    pub entity_kinds: BTreeMap<String, String>,
    pub advice: Advice,
    pub reasons: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub language: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerVerdict {
    pub scam: String,
    pub suspicious: String,
    pub legit: String,
    pub unrelated: String,
}

impl PerVerdict {
    pub fn get(&self, v: Verdict) -> &str {
        match v {
            Verdict::Scam => &self.scam,
            Verdict::Suspicious => &self.suspicious,
            Verdict::Legit => &self.legit,
            Verdict::Unrelated => &self.unrelated,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportTexts {
    pub header: String,
    pub reasons: String,
    pub reason_line: String,
    pub no_reasons: String,
    pub violations: String,
    pub entities: String,
    pub next_steps: String,
    pub no_text: String,
    pub truncated: String,
    pub directory_match: String,
    pub unverified: String,
    pub forwarded_channel: String,
    pub forwarded_hidden: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    pub scam: Vec<String>,
    pub suspicious: Vec<String>,
    pub legit: Vec<String>,
    pub unrelated: Vec<String>,
    pub violations: Vec<String>,
}

impl Advice {
    pub fn for_verdict(&self, v: Verdict) -> &[String] {
        match v {
            Verdict::Scam => &self.scam,
            Verdict::Suspicious => &self.suspicious,
            Verdict::Legit => &self.legit,
            Verdict::Unrelated => &self.unrelated,
        }
    }
}

static LOADED: LazyLock<Vec<Responses>> = LazyLock::new(|| {
    Language::ALL
        .iter()
        .map(|l| Responses::parse(*l).unwrap_or_else(|e| panic!("{e}")))
        .collect()
});

impl Responses {
    /// Parses one embedded language file.
    pub fn parse(language: Language) -> Result<Self, String> {
        let (name, source) = language.source();
        toml::from_str(source).map_err(|e| format!("responses/{name}.toml: {e}"))
    }

    /// The texts for a language, parsed once.
    pub fn get(language: Language) -> &'static Responses {
        let index = Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or(0);
        &LOADED[index]
    }

    /// Every rule has a reason, every entity kind a label, and no reason names a rule that
    /// does not exist. Returns the problems found.
    pub fn check(&self, classifier: &Classifier) -> Vec<String> {
        let mut problems = Vec::new();
        for rule in classifier.rules() {
            let needs_reason = !matches!(rule.kind, RuleKind::Topic | RuleKind::Warning);
            match (needs_reason, self.reasons.get(&rule.id)) {
                (true, None) => problems.push(format!("no reason for rule {}", rule.id)),
                (true, Some(text)) if text.trim().is_empty() => {
                    problems.push(format!("empty reason for rule {}", rule.id))
                }
                _ => {}
            }
        }
        for id in self.reasons.keys() {
            if !classifier.rules().iter().any(|r| &r.id == id) {
                problems.push(format!("reason for unknown rule {id}"));
            }
        }
        for kind in ENTITY_KINDS {
            if !self.entity_kinds.contains_key(kind.as_str()) {
                problems.push(format!("no label for entity kind {}", kind.as_str()));
            }
        }
        problems
    }

    pub fn reason<'a>(&'a self, rule_id: &'a str) -> &'a str {
        self.reasons.get(rule_id).map_or(rule_id, String::as_str)
    }

    pub fn entity_kind(&self, kind: EntityKind) -> &str {
        self.entity_kinds
            .get(kind.as_str())
            .map_or(kind.as_str(), String::as_str)
    }
}

const ENTITY_KINDS: [EntityKind; 15] = [
    EntityKind::Mobile,
    EntityKind::Landline,
    EntityKind::ServiceNumber,
    EntityKind::SmsPort,
    EntityKind::BankCard,
    EntityKind::IdNumber,
    EntityKind::QqId,
    EntityKind::WechatId,
    EntityKind::Url,
    EntityKind::Amount,
    EntityKind::Date,
    EntityKind::Time,
    EntityKind::CaseNumber,
    EntityKind::Lender,
    EntityKind::Brand,
];

/// Replaces each `{name}` in `template` with its value. Unknown placeholders stay as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match values.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_file_loads_and_covers_every_rule() {
        for language in Language::ALL {
            let texts = Responses::parse(language).unwrap();
            let problems = texts.check(Classifier::shared());
            assert!(problems.is_empty(), "{:?}: {problems:#?}", language);
            for v in Verdict::ALL {
                assert!(!texts.advice.for_verdict(v).is_empty());
                assert!(!texts.verdict.get(v).is_empty());
            }
        }
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(
            fill("{a} and {b} and {c}", &[("a", "1"), ("b", "<2>")]),
            "1 and <2> and {c}"
        );
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { only", &[]), "open { only");
    }
}
