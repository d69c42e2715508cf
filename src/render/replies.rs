//! The replies the bot and `loanguard chat` give: a verdict (private or group), the advice
//! behind a group's deep link, an advice section, help. Each is a [`Reply`]: a document plus
//! buttons, independent of Telegram.

use super::callback::{CallbackData, Section};
use super::deeplink;
use super::reply::{Button, ButtonAction, Reply, text_doc};
use super::verdict::reasons_to_show;
use super::{Doc, Inline, Paragraph, View, verdict_doc};
use crate::classifier::{Classifier, Context, Report, Verdict};
use crate::responses::{Responses, fill};

fn callback(label: &str, data: CallbackData) -> Button {
    Button {
        label: label.to_string(),
        action: ButtonAction::Callback(data.encode()),
    }
}

/// The buttons under a verdict in a private chat.
pub fn verdict_buttons(verdict: Verdict, texts: &Responses) -> Vec<Vec<Button>> {
    vec![
        vec![
            callback(
                &texts.buttons.verify,
                CallbackData::Section(Section::Verify),
            ),
            callback(
                &texts.buttons.respond,
                CallbackData::Section(Section::Respond),
            ),
            callback(&texts.buttons.legal, CallbackData::Section(Section::Legal)),
        ],
        vec![
            callback(
                &texts.buttons.accurate,
                CallbackData::Feedback {
                    accurate: true,
                    verdict,
                },
            ),
            callback(
                &texts.buttons.wrong,
                CallbackData::Feedback {
                    accurate: false,
                    verdict,
                },
            ),
        ],
    ]
}

/// The full verdict for a private chat, with notes (batch size, edits) first.
pub fn verdict_private(
    report: &Report<'_>,
    context: &Context,
    texts: &Responses,
    notes: &[String],
) -> Reply {
    let mut doc = verdict_doc(report, context, texts, View::PRIVATE);
    if !notes.is_empty() {
        let mut p = Paragraph::default();
        for n in notes {
            p = p.line(vec![Inline::Italic(n.clone())]);
        }
        doc.paragraphs.insert(1.min(doc.paragraphs.len()), p);
    }
    Reply {
        doc,
        buttons: verdict_buttons(report.verdict, texts),
    }
}

/// The short verdict for a group: no quotes of the message, so nothing personal is repeated;
/// the full advice is a deep link to a private chat.
pub fn verdict_group(
    report: &Report<'_>,
    texts: &Responses,
    classifier: &Classifier,
    bot_username: &str,
) -> Reply {
    let mut doc = Doc::default();
    doc.push(crate::render::verdict::header(report, texts));
    let shown = reasons_to_show(report, 2);
    let mut reasons = Paragraph::default();
    for s in shown
        .iter()
        .copied()
        .chain(report.violations.iter().take(1))
        .take(2)
    {
        reasons = reasons.text(fill(
            &texts.group.reason_line,
            &[("reason", texts.reason(s.id()))],
        ));
    }
    doc.push(reasons);
    doc.push(Paragraph::default().text(texts.group_advice.get(report.verdict)));
    let payload = deeplink::encode(report, classifier);
    let url = format!("https://t.me/{bot_username}?start={payload}");
    Reply {
        doc,
        buttons: vec![vec![Button {
            label: texts.buttons.full_advice.clone(),
            action: ButtonAction::Url(url),
        }]],
    }
}

/// The full advice behind a group deep link: verdict, reasons and next steps, without quotes.
pub fn deep_link_advice(
    payload: &str,
    texts: &Responses,
    classifier: &Classifier,
) -> Option<Reply> {
    let (verdict, rule_ids) = deeplink::decode(payload, classifier)?;
    let mut doc = Doc::default();
    doc.push(Paragraph::default().text(&texts.bot.deep_link));
    doc.push(Paragraph::default().bold(format!(
        "{} {}",
        texts.verdict_icon.get(verdict),
        texts.verdict.get(verdict)
    )));
    let mut reasons = Paragraph::default().bold(&texts.report.reasons);
    for id in &rule_ids {
        reasons = reasons.text(format!("• {}", texts.reason(id)));
    }
    if !rule_ids.is_empty() {
        doc.push(reasons);
    }
    let mut steps = Paragraph::default().bold(&texts.report.next_steps);
    for line in texts.advice.for_verdict(verdict) {
        steps = steps.text(format!("• {line}"));
    }
    doc.push(steps);
    Some(Reply {
        doc,
        buttons: verdict_buttons(verdict, texts),
    })
}

pub fn section(section: Section, texts: &Responses) -> Reply {
    let text = match section {
        Section::Verify => &texts.bot.verify_checklist,
        Section::Respond => &texts.bot.respond,
        Section::Legal => &texts.bot.legal,
    };
    let mut reply = Reply::text(text_doc(text));
    if section == Section::Respond {
        reply
            .doc
            .paragraphs
            .extend(text_doc(&texts.bot.plan).paragraphs);
    }
    reply
}

/// Help followed by a one-line lead ("没有这个命令。").
pub fn help_with_lead(lead: &str, texts: &Responses) -> Reply {
    let mut doc = Doc::default();
    doc.push(Paragraph::default().text(lead));
    doc.paragraphs.extend(text_doc(&texts.bot.help).paragraphs);
    Reply::text(doc)
}

/// After 👎: which verdict would have been right, and consent to submit the text. `id` is the
/// stored feedback the buttons correct (the terminal, which stores nothing, passes 0).
pub fn correction_prompt(id: i64, texts: &Responses) -> Reply {
    let button = |v: Verdict| {
        callback(
            texts.verdict.get(v),
            CallbackData::FeedbackFix { id, verdict: v },
        )
    };
    Reply {
        doc: text_doc(&texts.bot.feedback_which),
        buttons: vec![
            vec![button(Verdict::Scam), button(Verdict::Suspicious)],
            vec![button(Verdict::Legit), button(Verdict::Unrelated)],
            vec![callback(
                &texts.buttons.consent_text,
                CallbackData::FeedbackText { id },
            )],
        ],
    }
}
