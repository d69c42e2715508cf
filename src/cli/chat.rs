//! `loanguard chat`: the private conversation in a terminal, through the same reply builders as
//! the bot. Buttons are listed as numbered choices; type the number to press one.

use std::io::{self, BufRead, Write};

use crate::bot::command::{self, Command, Parsed};
use crate::classifier::{Classifier, Context};
use crate::confirmed::KnownStore;
use crate::planner::PlanButton;
use crate::planner::dialogue::{self, Effect, PlanDialogue, SavedPlan, Transition};
use crate::render::callback::CallbackData;
use crate::render::{ButtonAction, Reply, replies, text_doc};
use crate::responses::{Language, Responses, fill};

const BOT_NAME: &str = "loanguard_bot";

/// What the terminal conversation remembers: the planner's state and the saved plan, in
/// memory only; and the confirmed examples it checks against, as the bot does.
#[derive(Debug, Default)]
pub struct Session {
    plan: PlanDialogue,
    saved: Option<SavedPlan>,
    known: KnownStore,
}

impl Session {
    fn apply(&mut self, t: Transition, texts: &Responses) -> Vec<Reply> {
        self.plan = t.state;
        let mut out = t.replies;
        match t.effect {
            Some(Effect::Save(plan)) => self.saved = Some(plan),
            Some(Effect::ShowSaved) => {
                out.extend(dialogue::show_saved(self.saved.as_ref(), &texts.planner))
            }
            None => {}
        }
        out
    }
}

/// One turn: the reply to a line typed by the user, given the buttons shown last.
pub fn respond(line: &str, last_buttons: &[ButtonAction], texts: &Responses) -> Vec<Reply> {
    respond_in(&mut Session::default(), line, last_buttons, texts)
}

/// One turn within a session (the planner remembers its questions).
pub fn respond_in(
    session: &mut Session,
    line: &str,
    last_buttons: &[ButtonAction],
    texts: &Responses,
) -> Vec<Reply> {
    let trimmed = line.trim();
    // "#2" presses the second button; a plain number is text (an answer such as "8000").
    if let Some(n) = trimmed
        .strip_prefix('#')
        .and_then(|n| n.trim().parse::<usize>().ok())
        && let Some(action) = n.checked_sub(1).and_then(|i| last_buttons.get(i))
    {
        return match action {
            ButtonAction::Url(url) => vec![Reply::text(text_doc(url))],
            ButtonAction::Callback(data) => match PlanButton::parse(data) {
                Some(button) => {
                    let t = dialogue::on_button(&session.plan, button, &texts.planner);
                    session.apply(t, texts)
                }
                None => press(data, texts),
            },
        };
    }
    let text = match command::parse(trimmed, BOT_NAME) {
        Parsed::Command(Command::Verify(args)) if !args.is_empty() => args,
        Parsed::Command(Command::Plan(args)) => {
            let t = dialogue::command(&args, session.saved.as_ref(), &texts.planner);
            return session.apply(t, texts);
        }
        Parsed::Command(Command::Cancel) if session.plan != PlanDialogue::default() => {
            session.plan = PlanDialogue::default();
            return vec![dialogue::cancel(&texts.planner)];
        }
        Parsed::NotCommand if session.plan.awaits_text() => {
            let t = dialogue::on_text(&session.plan, trimmed, &texts.planner);
            return session.apply(t, texts);
        }
        // Reminders are sent by the running bot; the terminal cannot send one later.
        Parsed::Command(Command::Remind(_)) => {
            return vec![Reply::text(text_doc(&texts.bot.chat_remind))];
        }
        Parsed::Command(cmd) => return vec![command::fixed_reply(&cmd, texts, true)],
        Parsed::Unknown(_) => return vec![command::unknown_reply(texts)],
        Parsed::OtherBot => return Vec::new(),
        Parsed::NotCommand => line.to_string(),
    };
    let context = Context::default();
    let report = session
        .known
        .classify(Classifier::shared(), &text, &context);
    vec![replies::verdict_private(&report, &context, texts, &[])]
}

/// A verdict's button pressed in the terminal: like the bot, 👎 asks which verdict was right;
/// the terminal stores nothing, and its answers to a correction say so.
fn press(data: &str, texts: &Responses) -> Vec<Reply> {
    match CallbackData::parse(data) {
        Some(CallbackData::Section(s)) => vec![replies::section(s, texts)],
        Some(CallbackData::Feedback { accurate: true, .. }) => {
            vec![Reply::text(text_doc(&texts.bot.feedback_up))]
        }
        Some(CallbackData::Feedback {
            accurate: false, ..
        }) => vec![
            Reply::text(text_doc(&texts.bot.feedback_down)),
            replies::correction_prompt(0, texts),
        ],
        Some(CallbackData::FeedbackFix { verdict, .. }) => vec![Reply::text(text_doc(&fill(
            &texts.bot.chat_feedback_fix,
            &[("verdict", texts.verdict.get(verdict))],
        )))],
        Some(CallbackData::FeedbackText { .. }) => {
            vec![Reply::text(text_doc(&texts.bot.chat_feedback_text))]
        }
        None => vec![Reply::text(text_doc(&texts.bot.stale_button))],
    }
}

/// Renders a reply as plain text with numbered buttons; returns the button actions in order.
pub fn print_reply(reply: &Reply, out: &mut impl Write) -> io::Result<Vec<ButtonAction>> {
    writeln!(out, "{}", reply.doc.to_plain())?;
    let mut actions = Vec::new();
    for row in &reply.buttons {
        let mut line = String::new();
        for b in row {
            actions.push(b.action.clone());
            line.push_str(&format!("[#{}] {}   ", actions.len(), b.label));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(actions)
}

/// The terminal loop. A message may span several lines: an empty line sends it.
pub fn run(language: Language) -> io::Result<()> {
    let texts = Responses::get(language);
    let stdin = io::stdin();
    let mut out = io::stdout().lock();
    // The confirmed examples of DATABASE_URL, when that database exists (as `check` reads them).
    let mut session = Session {
        known: super::known::store_for_check(),
        ..Session::default()
    };
    for reply in respond_in(&mut session, "/start", &[], texts) {
        print_reply(&reply, &mut out)?;
    }
    writeln!(out, "\n{}", texts.bot.chat_hint)?;
    let mut buttons: Vec<ButtonAction> = Vec::new();
    let mut pending = String::new();
    for line in stdin.lock().lines() {
        let line = line?;
        let single = pending.is_empty()
            && (session.plan.awaits_text()
                || line.trim().starts_with('/')
                || line.trim().starts_with('#'));
        if !line.trim().is_empty() && !single {
            pending.push_str(&line);
            pending.push('\n');
            continue;
        }
        let input = if single {
            line
        } else {
            std::mem::take(&mut pending)
        };
        if input.trim().is_empty() {
            continue;
        }
        writeln!(out, "────────")?;
        for reply in respond_in(&mut session, &input, &buttons, texts) {
            buttons = print_reply(&reply, &mut out)?;
        }
        writeln!(out)?;
        out.flush()?;
    }
    if !pending.trim().is_empty() {
        for reply in respond_in(&mut session, &pending, &buttons, texts) {
            print_reply(&reply, &mut out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_scam_gets_a_verdict_and_buttons_work() {
        let texts = Responses::get(Language::ZhCn);
        let replies = respond("请把验证码发给我，马上帮你注销校园贷", &[], texts);
        let mut out = Vec::new();
        let buttons = print_reply(&replies[0], &mut out).unwrap();
        let shown = String::from_utf8(out).unwrap();
        assert!(shown.contains(&texts.verdict.scam), "{shown}");
        assert!(shown.contains("[#1] "));
        let section = respond("#3", &buttons, texts);
        assert!(section[0].doc.to_plain().contains("12348"));
    }

    #[test]
    fn commands_work_like_in_telegram() {
        let texts = Responses::get(Language::ZhCn);
        assert!(
            respond("/legal", &[], texts)[0]
                .doc
                .to_plain()
                .contains("12378")
        );
        assert!(
            respond("/verify", &[], texts)[0]
                .doc
                .to_plain()
                .contains("官方APP")
        );
        assert!(
            respond("/nonsense", &[], texts)[0]
                .doc
                .to_plain()
                .contains(&texts.bot.unknown_command)
        );
    }

    /// The verdict on a pasted message, the number (for "#n") of the button labelled `label`
    /// and all the buttons.
    fn verdict_button(texts: &Responses, label: &str) -> (usize, Vec<ButtonAction>) {
        let replies = respond("请把验证码发给我，马上帮你注销校园贷", &[], texts);
        let reply = replies.last().unwrap();
        let labels: Vec<&str> = reply
            .buttons
            .iter()
            .flatten()
            .map(|b| b.label.as_str())
            .collect();
        let n = labels
            .iter()
            .position(|l| *l == label)
            .expect("button shown")
            + 1;
        let mut out = Vec::new();
        let buttons = print_reply(reply, &mut out).unwrap();
        (n, buttons)
    }

    fn labels(reply: &Reply) -> Vec<String> {
        reply
            .buttons
            .iter()
            .flatten()
            .map(|b| b.label.clone())
            .collect()
    }

    #[test]
    fn thumbs_down_asks_for_the_right_verdict_like_the_bot() {
        for language in Language::ALL {
            let texts = Responses::get(language);
            let (n, buttons) = verdict_button(texts, &texts.buttons.wrong);
            let replies = respond(&format!("#{n}"), &buttons, texts);
            let shown: Vec<String> = replies.iter().map(|r| r.doc.to_plain()).collect();
            assert_eq!(shown[0], texts.bot.feedback_down);
            let prompt = replies.last().unwrap();
            let bot = replies::correction_prompt(0, texts);
            assert_eq!(prompt.doc.to_plain(), texts.bot.feedback_which);
            assert_eq!(labels(prompt), labels(&bot));
            for verdict in [&texts.verdict.scam, &texts.verdict.legit] {
                assert!(labels(prompt).contains(verdict), "{:?}", labels(prompt));
            }
            assert!(labels(prompt).contains(&texts.buttons.consent_text));
        }
    }

    #[test]
    fn a_correction_in_the_terminal_says_it_is_kept_for_this_session_only() {
        let texts = Responses::get(Language::ZhCn);
        let (n, buttons) = verdict_button(texts, &texts.buttons.wrong);
        let prompt = respond(&format!("#{n}"), &buttons, texts);
        let mut out = Vec::new();
        let buttons = print_reply(prompt.last().unwrap(), &mut out).unwrap();
        // #3 is 符合正规催收特征 (the second row's first button).
        let fixed = respond("#3", &buttons, texts)[0].doc.to_plain();
        assert!(fixed.contains("应该是「符合正规催收特征」"), "{fixed}");
        assert!(fixed.contains("只在这次会话里"), "{fixed}");
        assert_ne!(fixed, texts.bot.feedback_saved);
        // #5 is 同意提交原文: nothing is submitted from the terminal.
        let consent = respond("#5", &buttons, texts)[0].doc.to_plain();
        assert!(consent.contains("不会被提交"), "{consent}");
        assert_ne!(consent, texts.bot.feedback_text_saved);
    }

    #[test]
    fn remind_in_the_terminal_says_reminders_need_the_telegram_bot() {
        for language in Language::ALL {
            let texts = Responses::get(language);
            for line in ["/remind", "/remind 15 借呗", "/remind list"] {
                let shown = respond(line, &[], texts)[0].doc.to_plain();
                assert_eq!(shown, texts.bot.chat_remind, "{line}");
                assert!(shown.contains("Telegram"), "{shown}");
                assert_ne!(shown, texts.bot.remind_usage);
            }
        }
    }
}
