//! The shared classifier: is this message a scam, a rule-breaking collector, a genuine
//! collection message, or unrelated?
//!
//! Pipeline: [`normalize`] → [`entities`] → concepts and [`features`] → [`rules`] → verdict.
//! It is pure and synchronous, and knows nothing of Telegram. Build it once with
//! [`Classifier::new`] (or share [`Classifier::shared`]) and call [`Classifier::classify`].
//!
//! # Scoring and thresholds
//! - Each fired *risk* rule adds its weight. Within one category only the strongest rule counts
//!   fully and the others a quarter, so ten synonyms of one trick do not add up to a verdict.
//! - *Legit* marks subtract their weight, at most [`MAX_LEGIT_DISCOUNT`] in all. They never pull
//!   a message below the scam threshold when one risk rule reaches it on its own (a *decisive*
//!   mechanism): a scam that copies a lender's signature is still a scam.
//! - *Violation* rules are listed separately: conduct that breaks collection rules even when the
//!   debt is real.
//! - Verdict, with `fraud` the sum above:
//!   - `scam` when fraud ≥ [`SCAM_THRESHOLD`] (risk 60–100);
//!   - `suspicious` when fraud ≥ [`SUSPICIOUS_THRESHOLD`] or any violation fired (risk 30–59);
//!   - `legit` when the message is about a debt, a loan or a lawsuit and neither of the above
//!     (risk 0–29);
//!   - `unrelated` otherwise (risk 0–29), including empty input.

mod checksum;
mod data;
pub mod directory;
pub mod entities;
pub mod family;
mod features;
pub mod known;
pub mod learned;
pub mod normalize;
pub mod numbers;
pub mod rules;
pub mod situation;
mod spelling;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use serde::Serialize;

pub use checksum::{luhn_ok, resident_id_checksum};
pub use directory::{Directory, Entry, EntryKind};
use entities::Extractor;
pub use entities::{Detail, Entity, EntityKind, redact_value};
pub use family::Family;
use known::{Fingerprint, KnownIndex, KnownMatch};
use learned::{LearnedConfig, Model, Prediction, Thresholds};
use normalize::Normalizer;
pub use rules::{Category, Rule, RuleKind};
use rules::{Occurrence, RuleSet};
pub use situation::{Situation, Subject};

/// A fraud score at or above this is a scam.
pub const SCAM_THRESHOLD: i32 = 60;
/// A fraud score at or above this (or any violation) is suspicious.
pub const SUSPICIOUS_THRESHOLD: i32 = 30;
/// Legit marks lower the fraud score by at most this much.
pub const MAX_LEGIT_DISCOUNT: i32 = 35;
/// Input beyond this many bytes is not analysed; the report says so.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Scam,
    Suspicious,
    Legit,
    Unrelated,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [Self::Scam, Self::Suspicious, Self::Legit, Self::Unrelated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scam => "scam",
            Self::Suspicious => "suspicious",
            Self::Legit => "legit",
            Self::Unrelated => "unrelated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Where a forwarded message came from, as Telegram reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForwardOrigin {
    User,
    HiddenUser,
    Chat,
    Channel,
}

/// What the bot may know besides the text.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub forwarded: bool,
    pub forward_origin: Option<ForwardOrigin>,
    /// A sender number the user typed in ("这条短信是 1065… 发来的").
    pub sender_number: Option<String>,
}

/// A rule that fired, with the user's own words that triggered it.
#[derive(Debug, Clone)]
pub struct Signal<'c> {
    pub rule: &'c Rule,
    /// The triggering words, quoted from the original text.
    pub evidence: String,
    /// Byte range of the evidence in the original text.
    pub span: Range<usize>,
}

impl Signal<'_> {
    pub fn id(&self) -> &str {
        &self.rule.id
    }
}

/// Something worth telling about the input itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// There was no text to check.
    NoText,
    /// The input was longer than [`MAX_INPUT_BYTES`]; only the beginning was analysed.
    Truncated,
}

#[derive(Debug, Clone)]
pub struct Report<'c> {
    pub verdict: Verdict,
    /// 0–100; the bands match the verdicts (see the module docs).
    pub risk: u8,
    /// Risk and legit signals, strongest first.
    pub signals: Vec<Signal<'c>>,
    /// Rule-breaking conduct, strongest first.
    pub violations: Vec<Signal<'c>>,
    pub entities: Vec<Entity>,
    pub notes: Vec<Note>,
    /// Directory entries whose numbers or names appear in the message.
    pub directory_hits: Vec<&'c Entry>,
    /// The learned stage's opinion, when it has a model.
    pub learned: Option<LearnedView>,
    /// Who is writing: a received message, the borrower's own account, or a relative.
    pub situation: Situation,
    /// What the text is about, when that calls for advice of its own (a lawsuit, a visit).
    pub subjects: Vec<Subject>,
    /// A violation threatens someone's safety (violence, a child, entering the home).
    pub safety_threat: bool,
    /// The confirmed example this message is a near-copy of, when checked against a store.
    pub known: Option<KnownMatch>,
}

/// What the learned stage thought of the message.
#[derive(Debug, Clone, Serialize)]
pub struct LearnedView {
    /// The most likely family overall.
    pub family: Family,
    /// Probability of each verdict, 0–1.
    pub scam: f64,
    pub suspicious: f64,
    pub legit: f64,
    pub unrelated: f64,
}

impl Report<'_> {
    pub fn is_truncated(&self) -> bool {
        self.notes.contains(&Note::Truncated)
    }

    /// Risk signals only (no legit marks), strongest first.
    pub fn risk_signals(&self) -> impl Iterator<Item = &Signal<'_>> {
        self.signals
            .iter()
            .filter(|s| s.rule.kind == RuleKind::Risk)
    }

    /// Legit marks, strongest first.
    pub fn legit_signals(&self) -> impl Iterator<Item = &Signal<'_>> {
        self.signals
            .iter()
            .filter(|s| s.rule.kind == RuleKind::Legit)
    }
}

pub struct Classifier {
    normalizer: Normalizer,
    extractor: Extractor,
    rules: RuleSet,
    directory: Directory,
    learned: Option<Model>,
    learned_config: LearnedConfig,
    /// Where the learned stage's own rules start in `rules.rules`.
    learned_rules: usize,
}

/// Ids of the learned stage's signals: one per scam family, then these.
const LEARNED_CHECK: &str = "learned.check";
const LEARNED_VIOLATION: &str = "learned.collection_violation";
const LEARNED_SAFE: &str = "learned.safe";
/// The weight of the learned scam signal: a scam on its own, like a decisive mechanism.
const LEARNED_SCAM_WEIGHT: i32 = SCAM_THRESHOLD;
const LEARNED_CHECK_WEIGHT: i32 = SUSPICIOUS_THRESHOLD;
const LEARNED_SAFE_WEIGHT: i32 = -SUSPICIOUS_THRESHOLD;

/// The known examples' signals: id, kind, weight. A copy of a confirmed scam is decisive; a
/// partial copy of one calls for a check.
const KNOWN_RULES: [(&str, RuleKind, i32); 4] = [
    (known::SIMILAR_SCAM, RuleKind::Risk, SCAM_THRESHOLD),
    (
        known::SIMILAR_SUSPICIOUS,
        RuleKind::Risk,
        SUSPICIOUS_THRESHOLD,
    ),
    (known::SIMILAR_LEGIT, RuleKind::Legit, -SUSPICIOUS_THRESHOLD),
    (known::PARTIAL_COPY, RuleKind::Risk, SUSPICIOUS_THRESHOLD),
];

/// The signal a match gives; `None` for a partial copy of a legit message (it proves nothing).
fn known_rule_id(found: &KnownMatch) -> Option<&'static str> {
    match (found.example.label, found.partial) {
        (Verdict::Scam, false) => Some(known::SIMILAR_SCAM),
        (Verdict::Suspicious, false) => Some(known::SIMILAR_SUSPICIOUS),
        (Verdict::Legit | Verdict::Unrelated, false) => Some(known::SIMILAR_LEGIT),
        (Verdict::Scam | Verdict::Suspicious, true) => Some(known::PARTIAL_COPY),
        (Verdict::Legit | Verdict::Unrelated, true) => None,
    }
}

/// The first words of a text (in normalised bytes), quoted as the evidence of a near-copy.
fn opening(norm: &str) -> Range<usize> {
    const WORDS: usize = 16; // characters
    let end = norm
        .char_indices()
        .nth(WORDS)
        .map_or(norm.len(), |(i, _)| i);
    0..end
}

fn learned_scam_id(family: Family) -> String {
    format!("learned.{}", family.as_str())
}

static SHARED: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::new().expect("the embedded classifier data is valid"));

impl Classifier {
    /// Compiles the embedded rules, folds and directory, and loads the embedded model.
    pub fn new() -> Result<Self, String> {
        let mut c = Self::rules_only()?;
        if !data::LEARNED_MODEL.is_empty() {
            let model = Model::from_bytes(data::LEARNED_MODEL)?;
            if model.scheme() != c.learned_config.train.scheme() {
                return Err(
                    "learned.bin was made with another [train] scheme; run `loanguard train`"
                        .into(),
                );
            }
            c.learned = Some(model);
        }
        Ok(c)
    }

    /// The first stage alone: what `loanguard train` learns from, and a model is added to.
    pub fn rules_only() -> Result<Self, String> {
        let data = data::EmbeddedData::load()?;
        let normalizer = Normalizer::new(data.t2s, &data.folds)?;
        let extractor = Extractor::new(&data.directory)?;
        let mut rules =
            RuleSet::compile(data.rules, |w| normalizer.normalize(w).as_str().to_string())?;
        let learned_rules = rules.rules.len();
        for family in Family::ALL.iter().filter(|f| f.is_scam()) {
            rules.rules.push(Rule::learned(
                learned_scam_id(*family),
                RuleKind::Risk,
                LEARNED_SCAM_WEIGHT,
            ));
        }
        rules.rules.push(Rule::learned(
            LEARNED_CHECK.into(),
            RuleKind::Risk,
            LEARNED_CHECK_WEIGHT,
        ));
        rules.rules.push(Rule::learned(
            LEARNED_VIOLATION.into(),
            RuleKind::Violation,
            LEARNED_CHECK_WEIGHT,
        ));
        rules.rules.push(Rule::learned(
            LEARNED_SAFE.into(),
            RuleKind::Legit,
            LEARNED_SAFE_WEIGHT,
        ));
        for (id, kind, weight) in KNOWN_RULES {
            rules
                .rules
                .push(Rule::built_in(id.into(), Category::Known, kind, weight));
        }
        Ok(Self {
            normalizer,
            extractor,
            rules,
            directory: data.directory,
            learned: None,
            learned_config: data.learned,
            learned_rules,
        })
    }

    /// Uses `model` as the learned stage (training and tests).
    pub fn with_model(mut self, model: Model) -> Self {
        self.learned = Some(model);
        self
    }

    /// Reads the text with another n-gram scheme (a model trained with another config).
    pub fn set_scheme(&mut self, scheme: learned::Scheme) {
        self.learned_config.train.bucket_bits = scheme.bucket_bits;
        self.learned_config.train.min_n = scheme.min_n;
        self.learned_config.train.max_n = scheme.max_n;
    }

    pub fn learned_config(&self) -> &LearnedConfig {
        &self.learned_config
    }

    /// A rule the code fires itself (learned or known), by id.
    fn learned_rule(&self, id: &str) -> &Rule {
        self.rules.rules[self.learned_rules..]
            .iter()
            .find(|r| r.id == id)
            .expect("every built-in rule is made in rules_only")
    }

    /// One classifier for the whole process, built on first use.
    pub fn shared() -> &'static Classifier {
        &SHARED
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules.rules
    }

    pub fn rules_version(&self) -> &str {
        &self.rules.version
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text).as_str().to_string()
    }

    /// Entities only, without the rules.
    pub fn entities(&self, text: &str) -> Vec<Entity> {
        let text = truncate(text).0;
        let norm = self.normalizer.normalize(text);
        self.extractor.extract(&norm, &self.directory)
    }

    pub fn classify(&self, text: &str) -> Report<'_> {
        self.classify_with(text, &Context::default())
    }

    pub fn classify_with(&self, text: &str, context: &Context) -> Report<'_> {
        self.classify_inner(text, context, self.learned_config.thresholds, None)
    }

    /// As [`Classifier::classify_with`], and a near-copy of a confirmed example in `known` adds
    /// a `known.similar_*` signal: a copy of a confirmed scam is a scam, of a suspicious message
    /// suspicious at least, and of a legit one less risky (never below a decisive mechanism).
    pub fn classify_against(
        &self,
        text: &str,
        context: &Context,
        known: &KnownIndex,
    ) -> Report<'_> {
        self.classify_inner(text, context, self.learned_config.thresholds, Some(known))
    }

    /// As [`Classifier::classify`], with other thresholds for the learned stage (tuning).
    pub fn classify_with_thresholds(&self, text: &str, thresholds: Thresholds) -> Report<'_> {
        self.classify_inner(text, &Context::default(), thresholds, None)
    }

    /// The fingerprint a confirmed example is stored with; `None` for a text too short to
    /// compare.
    pub fn fingerprint(&self, text: &str) -> Option<Fingerprint> {
        let text = truncate(text).0;
        let norm = self.normalizer.normalize(text);
        let entities = self.extractor.extract(&norm, &self.directory);
        Fingerprint::of_normalized(norm.as_str(), &entities)
    }

    fn classify_inner(
        &self,
        text: &str,
        context: &Context,
        thresholds: Thresholds,
        known: Option<&KnownIndex>,
    ) -> Report<'_> {
        let (text, truncated) = truncate(text);
        let mut notes = Vec::new();
        if truncated {
            notes.push(Note::Truncated);
        }
        let norm = self.normalizer.normalize(text);
        if norm.as_str().trim().is_empty() {
            notes.push(Note::NoText);
            return Report {
                verdict: Verdict::Unrelated,
                risk: 0,
                signals: Vec::new(),
                violations: Vec::new(),
                entities: Vec::new(),
                notes,
                directory_hits: Vec::new(),
                learned: None,
                situation: Situation::Message,
                subjects: Vec::new(),
                safety_threat: false,
                known: None,
            };
        }
        let (entities, feats, firings) = self.fire_rules(&norm, context);
        let mut relevant = false;
        let mut warning = false;
        let mut signals = Vec::new();
        let mut violations = Vec::new();
        let mut situations = Vec::new();
        let mut subjects = Vec::new();
        for firing in &firings {
            let (evidence, span) = quote(text, &norm, &firing.spans);
            let signal = Signal {
                rule: firing.rule,
                evidence,
                span,
            };
            situations.extend(firing.rule.situation);
            if let Some(subject) = firing.rule.subject
                && !subjects.contains(&subject)
            {
                subjects.push(subject);
            }
            match firing.rule.kind {
                // Who is writing says nothing about whether the text is about a debt.
                RuleKind::Topic => relevant |= firing.rule.situation.is_none(),
                RuleKind::Warning => warning = true,
                RuleKind::Violation => violations.push(signal),
                RuleKind::Risk | RuleKind::Legit => signals.push(signal),
            }
        }
        if warning {
            // A warning about scams quotes the tricks it warns about; they are not aimed at the
            // reader.
            signals.retain(|s| s.rule.kind != RuleKind::Risk);
            violations.clear();
        }

        let mut learned = None;
        if let Some(model) = &self.learned {
            let mut quotable = Vec::with_capacity(norm.as_str().len() / 2);
            let buckets =
                self.learned_features(norm.as_str(), &entities, &feats, &firings, &mut quotable);
            let prediction = model.predict(&buckets);
            // Like the rules, the model may read the tricks a warning lists as the tricks
            // themselves: after a warning it needs to be far surer.
            let thresholds = if warning {
                Thresholds {
                    scam: thresholds.scam.max(thresholds.after_warning),
                    flag: f64::INFINITY,
                    ..thresholds
                }
            } else {
                thresholds
            };
            relevant |= self.add_learned_signals(
                model,
                (&prediction, thresholds),
                (&buckets, &quotable),
                text,
                &norm,
                (&mut signals, &mut violations),
            );
            learned = Some(view(&prediction));
        }

        let mut known_match = None;
        if let Some(index) = known.filter(|k| !k.is_empty())
            && let Some((found, id)) = self.near_copy(index, &norm, &entities, warning)
        {
            let (evidence, span) = quote(text, &norm, &[opening(norm.as_str())]);
            signals.push(Signal {
                rule: self.learned_rule(id),
                evidence,
                span,
            });
            relevant |= found.example.label == Verdict::Legit;
            known_match = Some(found);
        }

        let fraud = fraud_score(&signals);
        relevant |= !violations.is_empty() || fraud >= SUSPICIOUS_THRESHOLD;
        let violation_score = category_sum(violations.iter().map(|s| s.rule));
        let (verdict, risk) = decide(fraud, violation_score, !violations.is_empty(), relevant);

        // A confirmed near-copy is the plainest reason of all: it comes first.
        signals.sort_by_key(|s| {
            (
                s.rule.category != Category::Known,
                std::cmp::Reverse(s.rule.weight.abs()),
            )
        });
        violations.sort_by_key(|s| std::cmp::Reverse(s.rule.weight));

        let mut directory_hits: Vec<&Entry> = Vec::new();
        for e in &entities {
            if let Detail::Number { listed: Some(i) } | Detail::Name { listed: Some(i) } = e.detail
                && let Some(entry) = self.directory.get(i)
                && !directory_hits.iter().any(|h| std::ptr::eq(*h, entry))
            {
                directory_hits.push(entry);
            }
        }

        subjects.sort();
        Report {
            verdict,
            risk,
            safety_threat: violations.iter().any(|v| v.rule.safety),
            signals,
            violations,
            entities,
            notes,
            directory_hits,
            learned,
            situation: Situation::resolve(situations, context.forwarded),
            subjects,
            known: known_match,
        }
    }

    /// The confirmed example `norm` copies, if any, and the signal it gives: a scam's before a
    /// suspicious one's before a legit one's. After a warning about scams, a copy of a scam or
    /// suspicious message counts only when nearly identical (a warning quotes the tricks it
    /// warns about, not a whole script; scammers, though, pose as anti-fraud centres).
    fn near_copy(
        &self,
        index: &KnownIndex,
        norm: &normalize::Normalized,
        entities: &[Entity],
        warning: bool,
    ) -> Option<(KnownMatch, &'static str)> {
        const NEARLY_IDENTICAL: f32 = 0.8;
        let fingerprint = Fingerprint::of_normalized(norm.as_str(), entities)?;
        index
            .lookup(&fingerprint)
            .into_iter()
            .filter(|m| {
                !warning
                    || m.example.label == Verdict::Legit
                    || (!m.partial && m.similarity >= NEARLY_IDENTICAL)
            })
            .find_map(|m| Some((m, known_rule_id(&m)?)))
    }

    /// The learned stage's features: n-grams, derived features, the rules that fired.
    fn learned_features(
        &self,
        norm: &str,
        entities: &[Entity],
        feats: &[(features::Feature, Range<usize>)],
        firings: &[rules::Firing<'_>],
        quotable: &mut Vec<(u32, u32, u32)>,
    ) -> Vec<u32> {
        let scheme = self.learned_config.train.scheme();
        let mut out = Vec::with_capacity(norm.len() + feats.len() + firings.len());
        learned::features::ngram_buckets_and_spans(scheme, norm, entities, &mut out, quotable);
        for (f, _) in feats {
            out.push(learned::features::token(scheme, "feature", f.name()));
        }
        for firing in firings {
            out.push(learned::features::token(scheme, "rule", &firing.rule.id));
        }
        out
    }

    /// The hashed features of `text` as the learned stage sees them: what `loanguard train`
    /// learns from. Rules only; the model never sees its own opinion.
    pub fn training_features(&self, text: &str) -> Vec<u32> {
        let text = truncate(text).0;
        let norm = self.normalizer.normalize(text);
        let (entities, feats, firings) = self.fire_rules(&norm, &Context::default());
        self.learned_features(norm.as_str(), &entities, &feats, &firings, &mut Vec::new())
    }

    /// The first stage: entities, derived features, and the rules they and the concepts fire.
    #[allow(clippy::type_complexity)]
    fn fire_rules(
        &self,
        norm: &normalize::Normalized,
        context: &Context,
    ) -> (
        Vec<Entity>,
        Vec<(features::Feature, Range<usize>)>,
        Vec<rules::Firing<'_>>,
    ) {
        let entities = self.extractor.extract(norm, &self.directory);
        let mut occurrences: Vec<Occurrence> = Vec::with_capacity(64);
        self.rules.scan_concepts(norm.as_str(), &mut occurrences);
        let mut feats = Vec::new();
        features::derive(
            &entities,
            &self.directory,
            context,
            norm.as_str().len(),
            &mut feats,
        );
        occurrences.extend(feats.iter().map(|(f, r)| Occurrence {
            term: self.rules.feature_term(*f),
            start: r.start,
            end: r.end,
            negated: false,
        }));
        let firings = self.rules.evaluate(&occurrences);
        (entities, feats, firings)
    }

    /// Turns the model's probabilities into signals, with the n-grams that weighed most as
    /// evidence. Returns whether the model thinks the message is about a debt.
    fn add_learned_signals<'c>(
        &'c self,
        model: &Model,
        (prediction, t): (&Prediction, Thresholds),
        (buckets, quotable): (&[u32], &[(u32, u32, u32)]),
        text: &str,
        norm: &normalize::Normalized,
        (signals, violations): (&mut Vec<Signal<'c>>, &mut Vec<Signal<'c>>),
    ) -> bool {
        let p_scam = prediction.of(Verdict::Scam);
        let p_flag = p_scam + prediction.of(Verdict::Suspicious);
        let p_safe = prediction.of(Verdict::Legit) + prediction.of(Verdict::Unrelated);
        let decisive = signals
            .iter()
            .any(|s| s.rule.kind == RuleKind::Risk && s.rule.weight >= SCAM_THRESHOLD);
        let (rule, family) = if p_scam >= t.scam {
            let family = prediction.top(Verdict::Scam).0;
            (Some(self.learned_rule(&learned_scam_id(family))), family)
        } else if p_flag >= t.flag {
            // Leaning to a scam: a risk signal that adds up with the rules'. Leaning to abusive
            // collection: a violation, which makes the message suspicious but adds no fraud.
            if p_scam >= prediction.of(Verdict::Suspicious) {
                let scam = prediction.top(Verdict::Scam).0;
                (Some(self.learned_rule(LEARNED_CHECK)), scam)
            } else {
                let abusive = prediction.top(Verdict::Suspicious).0;
                (Some(self.learned_rule(LEARNED_VIOLATION)), abusive)
            }
        } else if p_safe >= t.safe && !decisive {
            let (legit, p) = prediction.top(Verdict::Legit);
            let (other, q) = prediction.top(Verdict::Unrelated);
            let family = if p >= q { legit } else { other };
            (Some(self.learned_rule(LEARNED_SAFE)), family)
        } else {
            (None, Family::Ordinary)
        };
        if let Some(rule) = rule {
            let spans = model.evidence(buckets, quotable, family, 3);
            if !spans.is_empty() {
                let (evidence, span) = quote(text, norm, &spans);
                let signal = Signal {
                    rule,
                    evidence,
                    span,
                };
                if rule.kind == RuleKind::Violation {
                    violations.push(signal);
                } else {
                    signals.push(signal);
                }
            }
        }
        prediction.of(Verdict::Legit) >= t.legit
    }
}

fn view(p: &Prediction) -> LearnedView {
    LearnedView {
        family: p.most_likely(),
        scam: p.of(Verdict::Scam),
        suspicious: p.of(Verdict::Suspicious),
        legit: p.of(Verdict::Legit),
        unrelated: p.of(Verdict::Unrelated),
    }
}

fn truncate(text: &str) -> (&str, bool) {
    if text.len() <= MAX_INPUT_BYTES {
        return (text, false);
    }
    let mut end = MAX_INPUT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// Sums weights per category: the strongest rule fully, the others a quarter each.
fn category_sum<'r>(rules: impl Iterator<Item = &'r Rule>) -> i32 {
    let mut by_category: BTreeMap<Category, Vec<i32>> = BTreeMap::new();
    for rule in rules {
        by_category
            .entry(rule.category)
            .or_default()
            .push(rule.weight);
    }
    by_category
        .into_values()
        .map(|mut weights| {
            weights.sort_by_key(|w| std::cmp::Reverse(w.abs()));
            weights[0] + weights[1..].iter().sum::<i32>() / 4
        })
        .sum()
}

fn fraud_score(signals: &[Signal<'_>]) -> i32 {
    let risk_rules = || {
        signals
            .iter()
            .map(|s| s.rule)
            .filter(|r| r.kind == RuleKind::Risk)
    };
    let risk = category_sum(risk_rules());
    let legit = category_sum(
        signals
            .iter()
            .map(|s| s.rule)
            .filter(|r| r.kind == RuleKind::Legit),
    );
    // Scammers copy the marks of genuine messages; they cannot excuse a decisive mechanism.
    let decisive = risk_rules().any(|r| r.weight >= SCAM_THRESHOLD);
    if decisive {
        return (risk + legit.max(-MAX_LEGIT_DISCOUNT)).max(SCAM_THRESHOLD);
    }
    risk + legit.max(-MAX_LEGIT_DISCOUNT)
}

fn decide(fraud: i32, violation_score: i32, any_violation: bool, relevant: bool) -> (Verdict, u8) {
    if fraud >= SCAM_THRESHOLD {
        (Verdict::Scam, fraud.min(100) as u8)
    } else if fraud >= SUSPICIOUS_THRESHOLD || any_violation {
        let risk = fraud.max(SUSPICIOUS_THRESHOLD + violation_score / 3);
        (
            Verdict::Suspicious,
            risk.clamp(SUSPICIOUS_THRESHOLD, SCAM_THRESHOLD - 1) as u8,
        )
    } else if relevant {
        (
            Verdict::Legit,
            fraud.clamp(0, SUSPICIOUS_THRESHOLD - 1) as u8,
        )
    } else {
        (
            Verdict::Unrelated,
            fraud.clamp(0, SUSPICIOUS_THRESHOLD - 1) as u8,
        )
    }
}

/// Quotes the original words behind the normalised spans: one stretch when they are close,
/// otherwise each piece joined by "…".
fn quote(
    original: &str,
    norm: &normalize::Normalized,
    spans: &[Range<usize>],
) -> (String, Range<usize>) {
    const MAX_STRETCH: usize = 36; // characters
    let mut orig: Vec<Range<usize>> = spans
        .iter()
        .map(|r| norm.original_range(r.clone()))
        .collect();
    orig.sort_by_key(|r| r.start);
    orig.dedup();
    let whole = orig.first().map_or(0, |r| r.start)..orig.iter().map(|r| r.end).max().unwrap_or(0);
    let stretch = &original[whole.clone()];
    if stretch.chars().count() <= MAX_STRETCH {
        return (clean_quote(stretch), whole);
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut last_end = 0;
    for r in &orig {
        if r.start < last_end {
            continue;
        }
        pieces.push(clean_quote(&original[r.clone()]));
        last_end = r.end;
    }
    (pieces.join("…"), whole)
}

fn clean_quote(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_every_rule_has_a_category() {
        let c = Classifier::new().unwrap();
        assert!(c.rules().len() > 30);
    }

    #[test]
    fn empty_input_is_unrelated_with_a_reason() {
        for text in ["", "   ", "\u{200b}\u{200b}", "\n\n"] {
            let r = Classifier::shared().classify(text);
            assert_eq!(r.verdict, Verdict::Unrelated);
            assert!(r.notes.contains(&Note::NoText));
        }
    }

    #[test]
    fn long_input_is_cut_at_the_limit_and_says_so() {
        let text = "你好".repeat(MAX_INPUT_BYTES);
        let r = Classifier::shared().classify(&text);
        assert!(r.is_truncated());
        let short = Classifier::shared().classify("你好");
        assert!(!short.is_truncated());
    }

    #[test]
    fn decide_bands() {
        assert_eq!(decide(75, 0, false, true), (Verdict::Scam, 75));
        assert_eq!(decide(35, 0, false, true).0, Verdict::Suspicious);
        assert_eq!(decide(0, 25, true, true).0, Verdict::Suspicious);
        assert_eq!(decide(-20, 0, false, true), (Verdict::Legit, 0));
        assert_eq!(decide(10, 0, false, false), (Verdict::Unrelated, 10));
    }
}
