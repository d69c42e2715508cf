//! A classifier report as a reply: verdict, reasons with the words that triggered them,
//! violations, and the article's next steps for that verdict.

use super::doc::{Doc, Inline, Paragraph};
use super::redact::{redact_text, redact_with};
use crate::classifier::{
    Category, Context, EntityKind, ForwardOrigin, MAX_INPUT_BYTES, Note, Report, Signal, Situation,
    Subject, Verdict,
};
use crate::clock::unix_now;
use crate::responses::{Responses, fill};

/// How much of the report to show.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub max_reasons: usize,
    pub show_entities: bool,
    pub show_advice: bool,
    /// Mask personal data (numbers, amounts) in quoted evidence: for group chats.
    pub redact: bool,
}

impl View {
    /// Everything, for the command line.
    pub const FULL: View = View {
        max_reasons: 8,
        show_entities: true,
        show_advice: true,
        redact: false,
    };
    /// A private chat: up to three reasons and three violations (a phone screen), no entity list.
    pub const PRIVATE: View = View {
        max_reasons: 3,
        show_entities: false,
        show_advice: true,
        redact: false,
    };
}

const MAX_QUOTE_CHARS: usize = 40;

/// "🚨 判断：疑似诈骗（风险 85/100）", in bold.
pub fn header(report: &Report<'_>, texts: &Responses) -> Paragraph {
    let risk = report.risk.to_string();
    Paragraph::default().bold(fill(
        &texts.report.header,
        &[
            ("icon", texts.verdict_icon.get(report.verdict)),
            ("verdict", texts.verdict.get(report.verdict)),
            ("risk", &risk),
        ],
    ))
}

/// The reply to a report: a safety line when someone is threatened, the verdict (or, for a
/// description of the user's own case or a relative's, what it amounts to), the reasons with
/// their quotes, the violations, and next steps fitted to the situation and the subject.
pub fn verdict_doc(report: &Report<'_>, context: &Context, texts: &Responses, view: View) -> Doc {
    let mut doc = Doc::default();
    if report.safety_threat {
        doc.push(Paragraph::default().bold(&texts.safety.line));
    }
    // A scam gets its verdict whoever tells it: an impostor's "我网贷今天必须还" reads like a
    // borrower's own words.
    let describing = report.situation != Situation::Message && report.verdict != Verdict::Scam;
    doc.push(if describing {
        situation_header(report, texts)
    } else {
        header(report, texts)
    });
    doc.push(notes(report, context, texts));

    let shown = reasons_to_show(report, view.max_reasons);
    // A description gets reasons only for what is wrong in it; its "legit" marks say nothing.
    let show_reasons = if describing {
        report.risk_signals().next().is_some()
    } else {
        !report.notes.contains(&Note::NoText)
    };
    if show_reasons {
        let mut reasons = Paragraph::default().bold(&texts.report.reasons);
        if shown.is_empty() {
            reasons = reasons.text(if report.violations.is_empty() {
                &texts.report.no_reasons
            } else {
                &texts.report.no_reasons_but_violations
            });
        }
        for (i, s) in shown.iter().enumerate() {
            reasons = reasons.line(reason_line(i + 1, s, report, texts, view));
        }
        doc.push(reasons);
    }

    if !report.violations.is_empty() {
        let mut p = Paragraph::default().bold(&texts.report.violations);
        for s in report.violations.iter().take(view.max_reasons) {
            p = p.line(reason_line(0, s, report, texts, view));
        }
        doc.push(p);
    }
    doc.push(directory_notes(report, texts));
    if view.show_entities {
        doc.push(entity_list(report, texts, view));
    }
    if view.show_advice {
        let mut p = Paragraph::default().bold(&texts.report.next_steps);
        for line in next_steps(report, texts) {
            p = p.text(format!("• {line}"));
        }
        doc.push(p);
    }
    doc
}

/// "📝 你在说自己遇到的情况", and what it amounts to when something is wrong.
fn situation_header(report: &Report<'_>, texts: &Responses) -> Paragraph {
    let t = &texts.situations;
    let mut p = Paragraph::default().bold(match report.situation {
        Situation::Relative => &t.relative_header,
        _ => &t.own_header,
    });
    let verdict = match report.verdict {
        Verdict::Scam => Some(&t.verdict_scam),
        Verdict::Suspicious => Some(&t.verdict_suspicious),
        Verdict::Legit | Verdict::Unrelated => None,
    };
    if let Some(line) = verdict {
        p = p.bold(fill(line, &[("risk", &report.risk.to_string())]));
    }
    p
}

fn notes(report: &Report<'_>, context: &Context, texts: &Responses) -> Paragraph {
    let mut notes = Paragraph::default();
    for note in &report.notes {
        match note {
            Note::NoText => notes = notes.text(&texts.report.no_text),
            Note::Truncated => {
                notes = notes.text(fill(
                    &texts.report.truncated,
                    &[("limit", &MAX_INPUT_BYTES.to_string())],
                ))
            }
        }
    }
    match context.forward_origin {
        Some(ForwardOrigin::Channel) => notes.text(&texts.report.forwarded_channel),
        Some(ForwardOrigin::HiddenUser) => notes.text(&texts.report.forwarded_hidden),
        _ => notes,
    }
}

/// Numbers of the message found in the directory. In a scam they are a warning, not a comfort:
/// scammers quote real numbers.
fn directory_notes(report: &Report<'_>, texts: &Responses) -> Paragraph {
    let template = if report.verdict == Verdict::Scam {
        &texts.report.directory_match_in_scam
    } else {
        &texts.report.directory_match
    };
    let mut p = Paragraph::default();
    for entry in &report.directory_hits {
        let Some(number) = entry
            .numbers
            .iter()
            .find(|n| report.entities.iter().any(|e| &e.value == *n))
        else {
            continue;
        };
        let status = if entry.verified {
            ""
        } else {
            texts.report.unverified.as_str()
        };
        p = p.text(fill(
            template,
            &[
                ("number", number),
                ("name", &entry.name),
                ("status", status),
            ],
        ));
    }
    p
}

/// The entities found, personal ones masked; nothing when only a signature was found.
fn entity_list(report: &Report<'_>, texts: &Responses, view: View) -> Paragraph {
    let listed: Vec<_> = report
        .entities
        .iter()
        .filter(|e| !matches!(e.kind, EntityKind::Brand))
        .collect();
    if listed.is_empty() {
        return Paragraph::default();
    }
    let mut p = Paragraph::default().bold(&texts.report.entities);
    for e in listed {
        let value = if e.kind.is_personal() || view.redact {
            e.redacted()
        } else {
            e.value.clone()
        };
        p = p.text(fill(
            &texts.report.entity_line,
            &[("kind", texts.entity_kind(e.kind)), ("value", &value)],
        ));
    }
    p
}

/// The article's guidance fitted to who is asking and what the message is about.
pub fn next_steps<'t>(report: &Report<'_>, texts: &'t Responses) -> Vec<&'t str> {
    let subjects = &texts.subjects;
    let court = report.subjects.contains(&Subject::Court);
    let visit = report.subjects.contains(&Subject::Visit);
    let scam = report.verdict == Verdict::Scam;
    let about_debt = report.verdict != Verdict::Unrelated;
    let mut lines: Vec<&String> = Vec::new();
    match report.situation {
        // A scam is a scam whoever tells it; a relative still learns they owe nothing.
        _ if scam => {
            if court {
                lines.extend(&subjects.court_fake);
            }
            lines.extend(&texts.advice.scam);
            if report.situation == Situation::Relative {
                lines.extend(&texts.situations.relative);
            }
        }
        Situation::Message => {
            if court && about_debt {
                lines.extend(&subjects.court_genuine);
            } else if visit && about_debt {
                lines.extend(&subjects.visit);
            } else {
                lines.extend(texts.advice.for_verdict(report.verdict));
            }
            if !report.violations.is_empty() {
                lines.extend(&texts.advice.violations);
            }
        }
        Situation::OwnSituation | Situation::Relative => {
            if court {
                lines.extend(&subjects.court_genuine);
            } else if visit {
                lines.extend(&subjects.visit);
            }
            lines.extend(match report.situation {
                Situation::Relative => &texts.situations.relative,
                _ => &texts.situations.own,
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    lines
        .into_iter()
        .map(String::as_str)
        .filter(|l| seen.insert(*l))
        .collect()
}

/// The risk signals, strongest first; for a message with none, the legit marks.
pub fn reasons_to_show<'a>(report: &'a Report<'a>, max: usize) -> Vec<&'a Signal<'a>> {
    let risk: Vec<&Signal> = report.risk_signals().take(max).collect();
    if !risk.is_empty() {
        return risk;
    }
    report.legit_signals().take(max).collect()
}

fn reason_line(
    n: usize,
    s: &Signal<'_>,
    report: &Report<'_>,
    texts: &Responses,
    view: View,
) -> Vec<Inline> {
    let evidence = quote(&s.evidence, view.redact);
    let prefix = if n > 0 {
        format!("{n}. ")
    } else {
        "• ".to_string()
    };
    let reason = reason_text(s, report, texts);
    let line = fill(
        &texts.report.reason_line,
        &[("reason", &reason), ("evidence", "\u{0}")],
    );
    // Keep the quoted words apart so they can be styled.
    let mut pieces = vec![Inline::Text(prefix)];
    let mut parts = line.splitn(2, '\u{0}');
    if let Some(before) = parts.next() {
        pieces.push(Inline::Text(before.to_string()));
    }
    pieces.push(Inline::Italic(evidence));
    if let Some(after) = parts.next() {
        pieces.push(Inline::Text(after.to_string()));
    }
    pieces
}

/// The reason a signal gives: for a near-copy of a confirmed example, when it was confirmed and
/// its family ("与 3 天前确认的诈骗消息高度相似（类型：冒充公检法）"); never the example's text.
pub fn reason_text(s: &Signal<'_>, report: &Report<'_>, texts: &Responses) -> String {
    let Some(found) = report.known.filter(|_| s.rule.category == Category::Known) else {
        return texts.reason(s.id()).to_string();
    };
    let template = match found.example.label {
        _ if found.partial => &texts.known.partial,
        Verdict::Scam => &texts.known.scam,
        Verdict::Suspicious => &texts.known.suspicious,
        Verdict::Legit | Verdict::Unrelated => &texts.known.legit,
    };
    let when = days_ago(texts, unix_now(), found.example.confirmed_at);
    let family = found.example.family.map_or(String::new(), |f| {
        fill(&texts.known.family, &[("family", texts.family(f))])
    });
    fill(template, &[("when", &when), ("family", &family)])
}

/// How long ago `then` was at `now` (Unix seconds), in whole days: "今天", "3 天前".
pub fn days_ago(texts: &Responses, now: i64, then: i64) -> String {
    let days = (now - then).max(0) / 86_400;
    if days == 0 {
        texts.known.today.clone()
    } else {
        fill(&texts.known.days_ago, &[("days", &days.to_string())])
    }
}

/// The quoted words, with personal numbers masked as in the entity list (and, for a group,
/// amounts too).
fn quote(evidence: &str, redact: bool) -> String {
    let text = if redact {
        redact_text(evidence)
    } else {
        redact_with(evidence, false)
    };
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(MAX_QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}
