//! Replies, independent of Telegram: a document plus buttons. The bot sends them as HTML with
//! an inline keyboard; `loanguard chat` prints them as plain text with numbered choices.

use super::callback::{CallbackData, Section};
use super::command::Command;
use super::deeplink;
use crate::classifier::{Classifier, Context, Report, Verdict};
pub use crate::render::reply::{Button, ButtonAction, Reply, text_doc};
use crate::render::verdict::reasons_to_show;
use crate::render::{Doc, Inline, Paragraph, View, verdict_doc};
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

/// The reply to a command that needs no message and no state (everything but /verify with
/// text and /forget). `None` means stay silent (an unknown command in a group).
pub fn command_reply(cmd: &Command, texts: &Responses, private: bool) -> Option<Reply> {
    let doc = |t: &str| Some(Reply::text(text_doc(t)));
    match cmd {
        Command::Start(payload) if private && !payload.is_empty() => {
            deep_link_advice(payload, texts, Classifier::shared()).or_else(|| doc(&texts.bot.start))
        }
        Command::Start(_) | Command::Help if !private => doc(&texts.group.help),
        Command::Start(_) => doc(&texts.bot.start),
        Command::Help => doc(&texts.bot.help),
        Command::Plan(_) => doc(&texts.bot.plan),
        Command::Legal => doc(&texts.bot.legal),
        Command::Privacy => doc(&texts.bot.privacy),
        Command::Verify(_) if private => doc(&texts.bot.verify_checklist),
        Command::Verify(_) => doc(&texts.group.usage),
        Command::Forget | Command::Remind(_) if !private => doc(&texts.bot.private_only),
        Command::Forget => doc(&fill(
            &texts.bot.forget_done,
            &[
                ("plans", "0"),
                ("reminders", "0"),
                ("feedback", "0"),
                ("dialogues", "0"),
                ("memory", "0"),
            ],
        )),
        Command::Remind(_) => doc(&texts.bot.remind_usage),
        Command::Settings(_) if private => doc(&texts.bot.groups_only),
        Command::Settings(_) => doc(&texts.group.settings_usage),
        Command::Cancel => doc(&texts.bot.nothing_to_cancel),
        Command::Unknown(_) if private => Some(help_with_lead(&texts.bot.unknown_command, texts)),
        Command::Unknown(_) => None,
    }
}
