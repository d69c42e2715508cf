//! Weighted, explainable rules, compiled from `data/rules.toml`.
//!
//! A rule names *concepts* (lists of words that mean one thing: "a payment verb", "a personal
//! account") and *features* derived from entities (`@bank_card`, `@url_unofficial`). It fires
//! when all of its `all` terms, and one of its `any` terms, occur within `window` characters of
//! each other, and none of its `none` terms occurs in the message. A concept occurrence near a
//! negation ("请勿", "不会要求") is *negated*: it does not count, unless the rule asks for the
//! negated form with `~concept` ("we never ask you to pay a personal account" is a legit mark),
//! or either form with `*concept`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::{Deserialize, Serialize};

use super::features::Feature;
use super::situation::{Situation, Subject};

/// What a rule is about: who is impersonated, where the money goes, what is asked for, and the
/// marks of a genuine collector or of abusive collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Paying a person, a private account, a QR code or a "safe account".
    PaymentChannel,
    /// Verification codes, passwords, card details.
    CredentialRequest,
    /// Screen sharing, meeting apps, unknown apps or APKs.
    RemoteControl,
    /// Posing as police, court, procuratorate or a regulator.
    Impersonation,
    /// "Credit repair", deleting overdue records.
    CreditRepair,
    /// Cancelling a campus-loan / student account or a service "or your credit suffers".
    AccountCancellation,
    /// Fees before a loan is released, "unfreezing" money.
    AdvanceFee,
    /// Arrest or criminal threats over a civil debt.
    CriminalThreat,
    /// Paid 停息挂账, debt optimisation, anti-collection services.
    DebtReliefService,
    /// Contacting family, employer, village or the contact list.
    ThirdPartyContact,
    /// Public shaming, posters, doctored photos.
    PublicShaming,
    /// Insults and abuse.
    Insult,
    /// Threats of violence.
    Violence,
    /// Calls or messages at night.
    NightContact,
    /// Harassing frequency, pressure tactics, secrecy.
    Pressure,
    /// Visit-notice (外访) wording.
    VisitNotice,
    /// Contact numbers and links that do not fit the claimed sender.
    ContactMismatch,
    /// The marks of a legitimate message.
    LegitimateMarks,
    /// Words that make a message about debt at all.
    Topic,
    /// The learned stage's opinion (see `classifier/learned`).
    Learned,
    /// A near-copy of an example a reviewer confirmed (see `classifier/known`).
    Known,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentChannel => "payment_channel",
            Self::CredentialRequest => "credential_request",
            Self::RemoteControl => "remote_control",
            Self::Impersonation => "impersonation",
            Self::CreditRepair => "credit_repair",
            Self::AccountCancellation => "account_cancellation",
            Self::AdvanceFee => "advance_fee",
            Self::CriminalThreat => "criminal_threat",
            Self::DebtReliefService => "debt_relief_service",
            Self::ThirdPartyContact => "third_party_contact",
            Self::PublicShaming => "public_shaming",
            Self::Insult => "insult",
            Self::Violence => "violence",
            Self::NightContact => "night_contact",
            Self::Pressure => "pressure",
            Self::VisitNotice => "visit_notice",
            Self::ContactMismatch => "contact_mismatch",
            Self::LegitimateMarks => "legitimate_marks",
            Self::Topic => "topic",
            Self::Learned => "learned",
            Self::Known => "known",
        }
    }
}

/// How a rule counts towards the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Evidence of fraud: adds to the risk.
    Risk,
    /// Conduct that breaks collection rules: listed as a violation, makes the message suspicious.
    Violation,
    /// A mark of a legitimate message: its (negative) weight lowers the risk.
    Legit,
    /// Makes the message about debt or loans; no weight.
    Topic,
    /// Marks a warning *about* scams (news, police talks, risk notices): when it fires, risk and
    /// violation signals are not counted. No weight.
    Warning,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub version: String,
    pub negation: NegationSpec,
    pub concepts: BTreeMap<String, Vec<String>>,
    #[serde(rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegationSpec {
    pub cues: Vec<String>,
    /// How many characters before a word a cue still negates it.
    pub before: usize,
    /// How many characters after a word ("验证码请勿泄露").
    pub after: usize,
    /// Words that contain a cue but negate nothing ("不要脸", "不会放过你").
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Cues that negate their whole clause: they describe what comes before them as a scam
    /// ("…为名实施诈骗", "…都是骗局").
    #[serde(default)]
    pub clause: Vec<String>,
    /// Cues that negate only what follows them in their clause ("谨防…", "风险提示：…"): a
    /// request made before a warning ("开屏幕共享…免得你上当") stays a request.
    #[serde(default)]
    pub clause_after: Vec<String>,
    /// Words that join the items of a list ("或", "、"): a negation that covers one item covers
    /// the next one joined this way ("不会要求转账到个人账户或提供验证码").
    #[serde(default)]
    pub list_joiners: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub category: Category,
    pub kind: RuleKind,
    pub weight: i32,
    #[serde(default)]
    pub all: Vec<String>,
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub none: Vec<String>,
    /// At least one of these must occur somewhere in the message (no window).
    #[serde(default)]
    pub context: Vec<String>,
    /// Characters; absent means anywhere in the message.
    pub window: Option<usize>,
    /// A violation that threatens someone's safety: the reply starts with 110.
    #[serde(default)]
    pub safety: bool,
    /// A topic rule that tells who is writing ([`Situation`]).
    pub situation: Option<Situation>,
    /// A topic rule that tells what the message is about ([`Subject`]).
    pub subject: Option<Subject>,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub category: Category,
    pub kind: RuleKind,
    pub weight: i32,
    all: Vec<Term>,
    any: Vec<Term>,
    none: Vec<Term>,
    context: Vec<Term>,
    window: Option<usize>,
    /// See [`RuleSpec::safety`].
    pub safety: bool,
    pub situation: Option<Situation>,
    pub subject: Option<Subject>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Term {
    id: u16,
    negated: bool,
    /// `*concept`: negated or not, it counts ("警惕…诈骗" is still a warning).
    either: bool,
}

impl Rule {
    /// A rule that no words fire: the learned stage raises its signal.
    pub(crate) fn learned(id: String, kind: RuleKind, weight: i32) -> Self {
        Self::built_in(id, Category::Learned, kind, weight)
    }

    /// A rule the code fires itself (the learned stage, the known examples), not the data.
    pub(crate) fn built_in(id: String, category: Category, kind: RuleKind, weight: i32) -> Self {
        Self {
            id,
            category,
            kind,
            weight,
            all: Vec::new(),
            any: Vec::new(),
            none: Vec::new(),
            context: Vec::new(),
            window: None,
            safety: false,
            situation: None,
            subject: None,
        }
    }
}

/// One place where a concept or a feature occurs, in normalised-text bytes.
#[derive(Debug, Clone, Copy)]
pub struct Occurrence {
    pub term: u16,
    pub start: usize,
    pub end: usize,
    pub negated: bool,
}

/// The words of a rule that matched, as normalised-text byte ranges.
pub struct Firing<'r> {
    pub rule: &'r Rule,
    pub spans: Vec<Range<usize>>,
}

pub struct RuleSet {
    pub version: String,
    pub rules: Vec<Rule>,
    concept_names: Vec<String>,
    matcher: AhoCorasick,
    /// For each pattern of `matcher`, the concepts it belongs to.
    pattern_concepts: Vec<Vec<u16>>,
    /// For each pattern, whether it is a negation cue ([`CUE_LOCAL`], [`CUE_CLAUSE`]) or a word
    /// that only looks like one ([`CUE_IGNORE`]). Cues share the concept matcher: one pass.
    pattern_cue: Vec<u8>,
    /// Concept ids of masks ("_mask"): words inside a mask word do not count.
    masks: Vec<u16>,
    cue_before: usize,
    cue_after: usize,
}

const CUE_LOCAL: u8 = 1;
const CUE_CLAUSE: u8 = 2;
const CUE_IGNORE: u8 = 4;
const CUE_CLAUSE_AFTER: u8 = 8;
const LIST_JOINER: u8 = 16;

/// Chinese characters are three UTF-8 bytes; windows are written in characters.
const BYTES_PER_CHAR: usize = 3;

const CLAUSE_BREAKS: &[char] = &['。', '！', '？', '!', '?', '；', ';', '\n', '，', ',', '：'];

impl RuleSet {
    /// `normalize` is the classifier's normaliser: every word must already be in normal form,
    /// or it could never match.
    pub fn compile(file: RuleFile, normalize: impl Fn(&str) -> String) -> Result<Self, String> {
        let concept_names: Vec<String> = file.concepts.keys().cloned().collect();
        let concept_index: HashMap<&str, u16> = concept_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u16))
            .collect();

        let mut pattern_index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_concepts: Vec<Vec<u16>> = Vec::new();
        let mut not_normal = Vec::new();
        for (name, words) in &file.concepts {
            let id = concept_index[name.as_str()];
            if words.is_empty() {
                return Err(format!("concept {name} has no words"));
            }
            for word in words {
                let normal = normalize(word);
                if word.is_empty() || normal != *word {
                    not_normal.push(format!("{name}: {word:?} normalises to {normal:?}"));
                    continue;
                }
                let index = *pattern_index.entry(word.clone()).or_insert_with(|| {
                    patterns.push(word.clone());
                    pattern_concepts.push(Vec::new());
                    patterns.len() - 1
                });
                if !pattern_concepts[index].contains(&id) {
                    pattern_concepts[index].push(id);
                }
            }
        }
        let mut pattern_cue = vec![0u8; patterns.len()];
        let cue_lists = [
            (&file.negation.cues, CUE_LOCAL),
            (&file.negation.clause, CUE_CLAUSE),
            (&file.negation.ignore, CUE_IGNORE),
            (&file.negation.clause_after, CUE_CLAUSE_AFTER),
            (&file.negation.list_joiners, LIST_JOINER),
        ];
        for (list, flag) in cue_lists {
            for word in list {
                let index = *pattern_index.entry(word.clone()).or_insert_with(|| {
                    patterns.push(word.clone());
                    pattern_concepts.push(Vec::new());
                    pattern_cue.push(0);
                    patterns.len() - 1
                });
                pattern_cue[index] |= flag;
            }
        }
        if !not_normal.is_empty() {
            return Err(format!(
                "concept words must be written in normal form: {}",
                not_normal.join("; ")
            ));
        }
        let matcher = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| format!("concept matcher: {e}"))?;
        let masks: Vec<u16> = concept_names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.starts_with('_'))
            .map(|(i, _)| i as u16)
            .collect();

        let feature_base = concept_names.len() as u16;
        let parse_term = |raw: &str, rule: &str| -> Result<Term, String> {
            if let Some(feature) = raw.strip_prefix('@') {
                let f = Feature::from_name(feature)
                    .ok_or_else(|| format!("rule {rule}: unknown feature @{feature}"))?;
                return Ok(Term {
                    id: feature_base + f as u16,
                    negated: false,
                    either: false,
                });
            }
            let (negated, either, name) = match (raw.strip_prefix('~'), raw.strip_prefix('*')) {
                (Some(n), _) => (true, false, n),
                (_, Some(n)) => (false, true, n),
                _ => (false, false, raw),
            };
            if name.starts_with('_') {
                return Err(format!("rule {rule}: {name} is a mask, not a concept"));
            }
            let id = *concept_index
                .get(name)
                .ok_or_else(|| format!("rule {rule}: unknown concept {name}"))?;
            Ok(Term {
                id,
                negated,
                either,
            })
        };

        let mut rules = Vec::with_capacity(file.rules.len());
        let mut seen = std::collections::HashSet::new();
        for spec in file.rules {
            if !seen.insert(spec.id.clone()) {
                return Err(format!("rule id {} is used twice", spec.id));
            }
            if spec.all.is_empty() && spec.any.is_empty() {
                return Err(format!("rule {} needs `all` or `any` terms", spec.id));
            }
            let sign_ok = match spec.kind {
                RuleKind::Risk | RuleKind::Violation => spec.weight > 0,
                RuleKind::Legit => spec.weight < 0,
                RuleKind::Topic | RuleKind::Warning => spec.weight == 0,
            };
            if !sign_ok {
                return Err(format!(
                    "rule {}: weight {} does not fit its kind",
                    spec.id, spec.weight
                ));
            }
            let terms = |list: &[String]| -> Result<Vec<Term>, String> {
                list.iter().map(|t| parse_term(t, &spec.id)).collect()
            };
            rules.push(Rule {
                all: terms(&spec.all)?,
                any: terms(&spec.any)?,
                none: terms(&spec.none)?,
                context: terms(&spec.context)?,
                window: spec.window.map(|w| w * BYTES_PER_CHAR),
                id: spec.id,
                category: spec.category,
                kind: spec.kind,
                weight: spec.weight,
                safety: spec.safety,
                situation: spec.situation,
                subject: spec.subject,
            });
        }
        Ok(Self {
            version: file.version,
            rules,
            concept_names,
            matcher,
            pattern_concepts,
            pattern_cue,
            masks,
            cue_before: file.negation.before * BYTES_PER_CHAR,
            cue_after: file.negation.after * BYTES_PER_CHAR,
        })
    }

    pub fn concept_count(&self) -> usize {
        self.concept_names.len()
    }

    /// The term id a feature occurrence carries.
    pub fn feature_term(&self, feature: Feature) -> u16 {
        self.concept_names.len() as u16 + feature as u16
    }

    /// Finds every concept occurrence in `text` and marks the negated ones.
    pub fn scan_concepts(&self, text: &str, out: &mut Vec<Occurrence>) {
        let mut cues: Vec<Range<usize>> = Vec::new();
        let mut clause_cues: Vec<Range<usize>> = Vec::new();
        let mut after_cues: Vec<Range<usize>> = Vec::new();
        let mut joiners: Vec<Range<usize>> = Vec::new();
        let mut not_cues: Vec<Range<usize>> = Vec::new();
        let mut masked: Vec<Range<usize>> = Vec::new();
        let mut found: Vec<(Range<usize>, usize)> = Vec::with_capacity(32);
        for m in self.matcher.find_overlapping_iter(text) {
            let p = m.pattern().as_usize();
            let role = self.pattern_cue[p];
            if role & CUE_LOCAL != 0 {
                cues.push(m.range());
            }
            if role & CUE_CLAUSE != 0 {
                clause_cues.push(m.range());
            }
            if role & CUE_IGNORE != 0 {
                not_cues.push(m.range());
            }
            if role & CUE_CLAUSE_AFTER != 0 {
                after_cues.push(m.range());
            }
            if role & LIST_JOINER != 0 {
                joiners.push(m.range());
            }
            let concepts = &self.pattern_concepts[p];
            if concepts.iter().any(|c| self.masks.contains(c)) {
                masked.push(m.range());
            } else if !concepts.is_empty() {
                found.push((m.range(), p));
            }
        }
        // A cue inside a longer word that only looks like one ("不要" in "不要脸") negates nothing.
        let inside = |r: &Range<usize>, outer: &[Range<usize>]| {
            outer
                .iter()
                .any(|o| o.start <= r.start && r.end <= o.end && r.len() < o.len())
        };
        cues.retain(|c| !inside(c, &not_cues));
        clause_cues.retain(|c| !inside(c, &not_cues));
        after_cues.retain(|c| !inside(c, &not_cues));
        // "…把钱转到安全账户的，都是诈骗": a describing cue covers its whole sentence, commas
        // included; a warning that introduces ("谨防…") covers the rest of its clause.
        let negated_clauses: Vec<Range<usize>> = clause_cues
            .into_iter()
            .map(|c| sentence_around(text, c))
            .chain(after_cues.into_iter().map(|c| {
                let clause = clause_around(text, c.clone());
                c.start..clause.end
            }))
            .collect();
        // Matches come in order of their end; the list rule needs them in order of their start.
        // Without any cue nothing is negated, and the order does not matter.
        if !(cues.is_empty() && negated_clauses.is_empty()) {
            found.sort_unstable_by_key(|(r, _)| (r.start, r.end));
        }
        // The end of the last negated word, for negation that runs along a list.
        let mut last_negated_end: Option<usize> = None;
        for (range, p) in found {
            if inside(&range, &masked) || !is_word_boundary(text, range.start, range.end) {
                continue;
            }
            let listed_after_negated = last_negated_end.is_some_and(|end| {
                end <= range.start
                    && range.start - end <= self.cue_before
                    && !text[end..range.start].contains(CLAUSE_BREAKS)
                    && joiners
                        .iter()
                        .any(|j| end <= j.start && j.end <= range.start)
            });
            let negated = (!cues.is_empty()
                && self.is_negated(text, &cues, range.start, range.end))
                || listed_after_negated
                || negated_clauses
                    .iter()
                    .any(|c| c.start <= range.start && range.end <= c.end);
            if negated {
                last_negated_end = Some(last_negated_end.map_or(range.end, |e| e.max(range.end)));
            }
            for &term in &self.pattern_concepts[p] {
                out.push(Occurrence {
                    term,
                    start: range.start,
                    end: range.end,
                    negated,
                });
            }
        }
    }

    fn is_negated(&self, text: &str, cues: &[Range<usize>], start: usize, end: usize) -> bool {
        cues.iter().any(|cue| {
            // A cue may overlap the start of the word ("不收取现金": 不收取 + 取现金).
            let between = if cue.start < start
                && cue.end <= end
                && start.saturating_sub(cue.end) <= self.cue_before
            {
                cue.end.min(start)..start
            } else if cue.start >= end && cue.start - end <= self.cue_after {
                end..cue.start
            } else {
                return false;
            };
            !text[between].contains(CLAUSE_BREAKS)
        })
    }

    /// The number of distinct term ids (concepts, then features).
    pub fn term_count(&self) -> usize {
        self.concept_names.len() + super::features::Feature::ALL.len()
    }

    /// Evaluates every rule against the occurrences (in any order).
    pub fn evaluate<'r>(&'r self, unsorted: &[Occurrence]) -> Vec<Firing<'r>> {
        // Group occurrences by term with a counting sort: one pass, and each term's
        // occurrences are then a slice.
        let terms = self.term_count();
        let mut starts = vec![0u32; terms + 1];
        for o in unsorted {
            starts[o.term as usize + 1] += 1;
        }
        for i in 0..terms {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut occurrences = unsorted.to_vec();
        for o in unsorted {
            let slot = &mut next[o.term as usize];
            occurrences[*slot as usize] = *o;
            *slot += 1;
        }
        let occurrences = &occurrences[..];
        let of = |term: u16| -> &[Occurrence] {
            let t = term as usize;
            &occurrences[starts[t] as usize..starts[t + 1] as usize]
        };
        let matches = |t: Term, o: &Occurrence| t.either || o.negated == t.negated;
        let present = |t: Term| of(t.id).iter().any(|o| matches(t, o));

        let mut firings = Vec::new();
        'rules: for rule in &self.rules {
            if rule.none.iter().any(|t| present(*t)) {
                continue;
            }
            if !rule.context.is_empty() && !rule.context.iter().any(|t| present(*t)) {
                continue;
            }
            let near = |a: &Occurrence, b: &Occurrence| match rule.window {
                None => true,
                Some(w) => gap(a, b) <= w,
            };
            let (anchor, rest_all) = match rule.all.split_first() {
                Some((first, rest)) => (*first, rest),
                None => {
                    // Only `any`: the first term present fires the rule.
                    for t in &rule.any {
                        if let Some(o) = of(t.id).iter().find(|o| matches(*t, o)) {
                            firings.push(Firing {
                                rule,
                                spans: std::iter::once(o.start..o.end).collect(),
                            });
                            continue 'rules;
                        }
                    }
                    continue;
                }
            };
            // Each term needs words of its own: "联系人" is a contact, not also a threat to
            // contact, so a reason never rests on one word read twice.
            let free = |spans: &[Range<usize>], o: &Occurrence| {
                spans.iter().all(|s| o.end <= s.start || s.end <= o.start)
            };
            for a in of(anchor.id).iter().filter(|o| matches(anchor, o)) {
                let mut spans: Vec<Range<usize>> = std::iter::once(a.start..a.end).collect();
                let all_near = rest_all.iter().all(|t| {
                    match of(t.id)
                        .iter()
                        .filter(|o| matches(*t, o))
                        .find(|o| near(a, o) && free(&spans, o))
                    {
                        Some(o) => {
                            spans.push(o.start..o.end);
                            true
                        }
                        None => false,
                    }
                });
                if !all_near {
                    continue;
                }
                if !rule.any.is_empty() {
                    let found = rule.any.iter().find_map(|t| {
                        of(t.id)
                            .iter()
                            .filter(|o| matches(*t, o))
                            .find(|o| near(a, o) && free(&spans, o))
                    });
                    match found {
                        Some(o) => spans.push(o.start..o.end),
                        None => continue,
                    }
                }
                firings.push(Firing { rule, spans });
                continue 'rules;
            }
        }
        firings
    }
}

const SENTENCE_BREAKS: &[char] = &['。', '！', '？', '!', '?', '；', ';', '\n'];

/// The sentence (between sentence breaks) that contains `r`.
fn sentence_around(text: &str, r: Range<usize>) -> Range<usize> {
    span_between(text, r, SENTENCE_BREAKS)
}

/// The clause (between clause breaks) that contains `r`.
fn clause_around(text: &str, r: Range<usize>) -> Range<usize> {
    span_between(text, r, CLAUSE_BREAKS)
}

/// The stretch of `text` around `r` that contains none of `breaks`.
fn span_between(text: &str, r: Range<usize>, breaks: &[char]) -> Range<usize> {
    let start = text[..r.start].rfind(breaks).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let end = text[r.end..].find(breaks).map_or(text.len(), |i| r.end + i);
    start..end
}

/// A Latin word ("sb", "pay") counts only as a whole word, not inside "hsbc" or "display".
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric();
    let left_ok = !word(bytes[start]) || start == 0 || !word(bytes[start - 1]);
    let right_ok = !word(bytes[end - 1]) || end == bytes.len() || !word(bytes[end]);
    left_ok && right_ok
}

fn gap(a: &Occurrence, b: &Occurrence) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_set(concepts: &[(&str, &[&str])], all: &[&str]) -> RuleSet {
        let file = RuleFile {
            version: "test".into(),
            negation: NegationSpec {
                cues: vec!["不".into()],
                before: 2,
                after: 0,
                ignore: Vec::new(),
                clause: Vec::new(),
                clause_after: Vec::new(),
                list_joiners: Vec::new(),
            },
            concepts: concepts
                .iter()
                .map(|(name, words)| {
                    let words = words.iter().map(|w| w.to_string()).collect();
                    (name.to_string(), words)
                })
                .collect(),
            rules: vec![RuleSpec {
                id: "test.rule".into(),
                category: Category::ThirdPartyContact,
                kind: RuleKind::Violation,
                weight: 10,
                all: all.iter().map(|t| t.to_string()).collect(),
                any: Vec::new(),
                none: Vec::new(),
                context: Vec::new(),
                window: Some(20),
                safety: false,
                situation: None,
                subject: None,
            }],
        };
        RuleSet::compile(file, str::to_string).unwrap()
    }

    fn fires(rules: &RuleSet, text: &str) -> bool {
        let mut occurrences = Vec::new();
        rules.scan_concepts(text, &mut occurrences);
        !rules.evaluate(&occurrences).is_empty()
    }

    #[test]
    fn each_term_of_a_rule_needs_words_of_its_own() {
        let rules = rule_set(
            &[("person", &["联系人"]), ("contact", &["联系"])],
            &["person", "contact"],
        );
        // "联系人" is a person; it is not also the act of contacting.
        assert!(!fires(&rules, "你是他的紧急联系人"));
        assert!(fires(&rules, "我们会联系你的紧急联系人"));
    }
}
