//! Every user-facing text, loaded from `responses/<language>.toml` into typed structs.
//!
//! The files are embedded in the binary. A missing or unknown key fails at load time
//! (`deny_unknown_fields`), and [`Responses::check`] verifies that every rule of the classifier has
//! a reason text and every entity kind a label. Placeholders are written `{name}` and filled with
//! [`fill`]; the caller decides whether values are HTML-escaped.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::classifier::{Classifier, EntityKind, Family, RuleKind, Verdict};

const ZH_CN: &str = include_str!("../responses/zh-CN.toml");
const EN: &str = include_str!("../responses/en.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    ZhCn,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    /// The language for a Telegram `language_code`: English for `en…`, Chinese otherwise.
    pub fn from_code(code: Option<&str>) -> Self {
        match code {
            Some(c) if c.to_ascii_lowercase().starts_with("en") => Language::En,
            _ => Language::ZhCn,
        }
    }

    fn source(self) -> (&'static str, &'static str) {
        match self {
            Language::ZhCn => ("zh-CN", ZH_CN),
            Language::En => ("en", EN),
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
    pub safety: SafetyTexts,
    pub situations: SituationTexts,
    pub subjects: SubjectTexts,
    pub reasons: BTreeMap<String, String>,
    pub known: KnownTexts,
    /// Short names of message families, by [`Family::as_str`].
    pub families: BTreeMap<String, String>,
    pub review: ReviewTexts,
    pub bot: BotTexts,
    pub buttons: Buttons,
    pub group: GroupTexts,
    pub group_advice: PerVerdict,
    pub commands: CommandTexts,
    pub planner: crate::planner::texts::PlannerTexts,
    pub web: WebTexts,
}

/// The web page (`loanguard web`) and its JSON API's error messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebTexts {
    pub title: String,
    pub intro: String,
    pub text_label: String,
    pub placeholder: String,
    /// Shown only when Tesseract is available.
    pub image_label: String,
    pub submit: String,
    pub privacy: String,
    pub result_title: String,
    pub check_another: String,
    pub nav_verify: String,
    pub nav_plan: String,
    pub nav_legal: String,
    pub nav_home: String,
    /// The link to the page in the other language, written in that language.
    pub other_language: String,
    pub empty: String,
    /// Text over 64 KiB (413).
    pub too_large: String,
    /// 429; `{seconds}`: when to try again.
    pub rate_limited: String,
    pub not_found: String,
    pub bad_request: String,
    /// The body took too long to arrive (408).
    pub timeout: String,
    /// An image was uploaded but Tesseract is not available.
    pub ocr_off: String,
    pub plan_intro: String,
    pub plan_label: String,
    pub plan_placeholder: String,
    pub plan_submit: String,
    pub plan_example: String,
    pub api_bad_request: String,
    pub api_too_large: String,
    /// `{seconds}`: when to try again.
    pub api_rate_limited: String,
}

/// Texts of the conversation. Multi-line texts mark bold headings with a leading "# ".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotTexts {
    pub start: String,
    pub help: String,
    pub privacy: String,
    pub forget_done: String,
    /// /forget when the database could not delete: nothing was deleted.
    pub forget_failed: String,
    pub verify_checklist: String,
    pub respond: String,
    pub plan: String,
    pub legal: String,
    pub sticker: String,
    pub voice: String,
    pub photo_no_caption: String,
    pub other_media: String,
    pub unknown_command: String,
    pub batch_note: String,
    pub edited_note: String,
    pub feedback_up: String,
    pub feedback_down: String,
    pub deep_link: String,
    pub error: String,
    pub stale_button: String,
    pub ocr_too_large: String,
    /// An image in a format whose size cannot be checked from its header.
    pub ocr_unsupported_format: String,
    pub ocr_failed: String,
    pub ocr_read_header: String,
    pub chat_hint: String,
    /// `loanguard chat`: a corrected verdict is not stored. `{verdict}`: the verdict chosen.
    pub chat_feedback_fix: String,
    /// `loanguard chat`: consent to submit the text; nothing is submitted.
    pub chat_feedback_text: String,
    /// `loanguard chat`: /remind needs the Telegram bot.
    pub chat_remind: String,
    pub remind_usage: String,
    pub remind_default_label: String,
    pub remind_none: String,
    pub remind_list_header: String,
    pub remind_line: String,
    pub remind_added: String,
    pub remind_off: String,
    pub remind_hour_set: String,
    pub remind_bad: String,
    /// `/remind <day>` with [`crate::storage::MAX_REMINDERS_PER_USER`] already set (`{max}`).
    pub remind_too_many: String,
    pub remind_message: String,
    pub feedback_which: String,
    pub feedback_saved: String,
    pub feedback_text_saved: String,
    pub cancelled: String,
    pub nothing_to_cancel: String,
    pub groups_only: String,
    pub private_only: String,
}

/// The reason for a near-copy of a confirmed example, with its age and family.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownTexts {
    /// `{when}` ([`KnownTexts::today`] or [`KnownTexts::days_ago`]), `{family}` (
    /// [`KnownTexts::family`] or empty).
    pub scam: String,
    pub suspicious: String,
    pub legit: String,
    /// A partial copy (cut off or reworded) of a confirmed scam or suspicious message.
    pub partial: String,
    pub today: String,
    /// `{days}`.
    pub days_ago: String,
    /// `{family}`: a name from `[families]`.
    pub family: String,
}

/// `/review` and `/known`, for reviewers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewTexts {
    pub empty: String,
    /// `{id}`, `{age}`.
    pub header: String,
    /// `{verdict}`.
    pub bot_verdict: String,
    /// `{verdict}`.
    pub user_verdict: String,
    pub text_label: String,
    /// `{id}`, `{label}`.
    pub confirmed: String,
    pub dismissed: String,
    pub already: String,
    pub not_allowed: String,
    /// `{id}`.
    pub removed: String,
    /// `{id}`.
    pub not_found: String,
    pub known_usage: String,
    pub failed: String,
    pub confirm_scam: String,
    pub confirm_suspicious: String,
    pub confirm_legit: String,
    pub dismiss: String,
    pub skip: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buttons {
    pub verify: String,
    pub respond: String,
    pub legal: String,
    pub accurate: String,
    pub wrong: String,
    pub full_advice: String,
    pub consent_text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTexts {
    pub intro: String,
    pub help: String,
    pub usage: String,
    pub rate_limited: String,
    pub reason_line: String,
    pub redacted_name: String,
    pub settings_show: String,
    pub settings_saved: String,
    pub settings_not_admin: String,
    pub settings_usage: String,
    pub off: String,
    pub auto: String,
}

/// Descriptions registered with setMyCommands (3–256 characters each).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandTexts {
    pub verify: String,
    pub plan: String,
    pub legal: String,
    pub privacy: String,
    pub forget: String,
    pub help: String,
    pub start: String,
    pub remind: String,
    pub cancel: String,
    pub settings: String,
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
    pub entity_line: String,
    pub next_steps: String,
    pub no_text: String,
    pub truncated: String,
    pub directory_match: String,
    pub unverified: String,
    pub forwarded_channel: String,
    pub forwarded_hidden: String,
    /// Instead of `no_reasons` when only violations fired.
    pub no_reasons_but_violations: String,
    /// Instead of `directory_match` in a scam: a real number quoted by a scammer.
    pub directory_match_in_scam: String,
}

/// The line above everything else when someone's safety is threatened.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyTexts {
    pub line: String,
}

/// Replies to people describing their own case, or a relative's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SituationTexts {
    pub own_header: String,
    pub relative_header: String,
    /// What a description amounts to, when it is a scam or suspicious (`{risk}`).
    pub verdict_scam: String,
    pub verdict_suspicious: String,
    /// Next steps for a borrower describing their own situation.
    pub own: Vec<String>,
    /// Next steps for a relative or emergency contact.
    pub relative: Vec<String>,
}

/// Advice of its own for what a message is about.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectTexts {
    /// A lawsuit or court notice that is not a scam: check it, 应诉, 答辩期, mediation, 12348.
    pub court_genuine: Vec<String>,
    /// A "court" asking for money.
    pub court_fake: Vec<String>,
    /// A visit notice: ask for 工作证 and 委托书, check with the lender.
    pub visit: Vec<String>,
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
        let descriptions = [
            &self.commands.verify,
            &self.commands.plan,
            &self.commands.legal,
            &self.commands.privacy,
            &self.commands.forget,
            &self.commands.help,
            &self.commands.start,
            &self.commands.remind,
            &self.commands.cancel,
            &self.commands.settings,
        ];
        for d in descriptions {
            let n = d.chars().count();
            if !(3..=256).contains(&n) {
                problems.push(format!(
                    "command description {d:?} must be 3-256 characters"
                ));
            }
        }
        for kind in ENTITY_KINDS {
            if !self.entity_kinds.contains_key(kind.as_str()) {
                problems.push(format!("no label for entity kind {}", kind.as_str()));
            }
        }
        for family in Family::ALL {
            if !self.families.contains_key(family.as_str()) {
                problems.push(format!("no name for family {}", family.as_str()));
            }
        }
        for name in self.families.keys() {
            if Family::parse(name).is_none() {
                problems.push(format!("name for unknown family {name}"));
            }
        }
        problems
    }

    /// The short name of a message family.
    pub fn family(&self, family: Family) -> &str {
        self.families
            .get(family.as_str())
            .map_or(family.as_str(), String::as_str)
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
