//! A classifier report as a reply: verdict, reasons with the words that triggered them,
//! violations, and the article's next steps for that verdict.

use super::doc::{Doc, Inline, Paragraph};
use super::redact::redact_text;
use crate::classifier::{
    Context, EntityKind, ForwardOrigin, MAX_INPUT_BYTES, Note, Report, Signal,
};
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
    /// A private chat: up to five reasons, no entity list.
    pub const PRIVATE: View = View {
        max_reasons: 5,
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

pub fn verdict_doc(report: &Report<'_>, context: &Context, texts: &Responses, view: View) -> Doc {
    let mut doc = Doc::default();
    doc.push(header(report, texts));

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
        Some(ForwardOrigin::Channel) => notes = notes.text(&texts.report.forwarded_channel),
        Some(ForwardOrigin::HiddenUser) => notes = notes.text(&texts.report.forwarded_hidden),
        _ => {}
    }
    doc.push(notes);

    let shown = reasons_to_show(report, view.max_reasons);
    if !report.notes.contains(&Note::NoText) {
        let mut reasons = Paragraph::default().bold(&texts.report.reasons);
        if shown.is_empty() {
            reasons = reasons.text(&texts.report.no_reasons);
        }
        for (i, s) in shown.iter().enumerate() {
            reasons = reasons.line(reason_line(i + 1, s, texts, view));
        }
        doc.push(reasons);
    }

    if !report.violations.is_empty() {
        let mut p = Paragraph::default().bold(&texts.report.violations);
        for s in report.violations.iter().take(view.max_reasons) {
            p = p.line(reason_line(0, s, texts, view));
        }
        doc.push(p);
    }

    let mut directory = Paragraph::default();
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
        directory = directory.text(fill(
            &texts.report.directory_match,
            &[
                ("number", number),
                ("name", &entry.name),
                ("status", status),
            ],
        ));
    }
    doc.push(directory);

    if view.show_entities && !report.entities.is_empty() {
        let mut p = Paragraph::default().bold(&texts.report.entities);
        for e in &report.entities {
            if matches!(e.kind, EntityKind::Brand) {
                continue;
            }
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
        doc.push(p);
    }

    if view.show_advice {
        let mut p = Paragraph::default().bold(&texts.report.next_steps);
        for line in texts.advice.for_verdict(report.verdict) {
            p = p.text(format!("• {line}"));
        }
        if !report.violations.is_empty() {
            for line in &texts.advice.violations {
                p = p.text(format!("• {line}"));
            }
        }
        doc.push(p);
    }
    doc
}

/// The risk signals, strongest first; for a message with none, the legit marks.
pub fn reasons_to_show<'a>(report: &'a Report<'a>, max: usize) -> Vec<&'a Signal<'a>> {
    let risk: Vec<&Signal> = report.risk_signals().take(max).collect();
    if !risk.is_empty() {
        return risk;
    }
    report.legit_signals().take(max).collect()
}

fn reason_line(n: usize, s: &Signal<'_>, texts: &Responses, view: View) -> Vec<Inline> {
    let evidence = quote(&s.evidence, view.redact);
    let prefix = if n > 0 {
        format!("{n}. ")
    } else {
        "• ".to_string()
    };
    let reason = texts.reason(s.id());
    let line = fill(
        &texts.report.reason_line,
        &[("reason", reason), ("evidence", "\u{0}")],
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

fn quote(evidence: &str, redact: bool) -> String {
    let text = if redact {
        redact_text(evidence)
    } else {
        evidence.to_string()
    };
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(MAX_QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}
