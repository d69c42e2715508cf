//! The commands, as a teloxide [`BotCommands`] enum, and a parser that copes with how people
//! paste: "/verify\n<text>", "/verify　<text>", "/VERIFY <text>".
//!
//! The derived parser splits the command from its arguments on one ASCII space and matches the
//! name exactly, so a command followed by a line break or a full-width space would be
//! "unknown". [`parse`] first rewrites the head of the message into the form it expects (the
//! name in lower case, one space, the arguments verbatim), then lets it parse.

use teloxide::utils::command::{BotCommands, ParseError};

use crate::classifier::Classifier;
use crate::render::replies::{deep_link_advice, help_with_lead};
use crate::render::{Reply, text_doc};
use crate::responses::{Responses, fill};

/// A command the bot understands. The menu's descriptions come from responses/
/// ([`super::menu`]), so none are given here.
#[derive(BotCommands, Debug, Clone, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start [deep-link payload]`.
    Start(String),
    Help,
    /// `/verify <text>`, or bare as a reply to the message to check.
    #[command(aliases = ["check"])]
    Verify(String),
    /// `/plan [one-line form]`.
    Plan(String),
    Legal,
    Privacy,
    Forget,
    /// `/remind …`: repayment reminders.
    Remind(String),
    /// `/settings …`: group settings (admins only).
    Settings(String),
    /// `/cancel`: leave the planner dialogue.
    Cancel,
    /// `/review`: the oldest submitted report (reviewers only; not in the menu).
    #[command(hide)]
    Review,
    /// `/known remove ID` (reviewers only; not in the menu).
    #[command(hide)]
    Known(String),
}

impl Command {
    /// Reviewers' commands: to everyone else they do not exist.
    pub fn is_for_reviewers(&self) -> bool {
        matches!(self, Command::Review | Command::Known(_))
    }
}

/// What a message starting with "/" is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Command(Command),
    /// A command for this bot that it does not know (its name, lower case).
    Unknown(String),
    /// Addressed to another bot ("/verify@other_bot"): ignore it.
    OtherBot,
    /// Not a command at all.
    NotCommand,
}

/// Parses `text` as a command for the bot named `bot_username` (without "@").
pub fn parse(text: &str, bot_username: &str) -> Parsed {
    let Some(rest) = text.strip_prefix('/') else {
        return Parsed::NotCommand;
    };
    let split = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (head, args) = rest.split_at(split);
    if head.is_empty() || head.starts_with('@') {
        return Parsed::NotCommand;
    }
    let args = args.trim_matches(char::is_whitespace);
    let canonical = format!("/{} {args}", head.to_lowercase());
    match Command::parse(canonical.trim_end(), bot_username) {
        Ok(command) => Parsed::Command(command),
        Err(ParseError::WrongBotName(_)) => Parsed::OtherBot,
        Err(_) => Parsed::Unknown(head.split('@').next().unwrap_or("").to_lowercase()),
    }
}

/// The reply to a command that needs no message and no state: everything but /verify with
/// something to check, /forget and /remind in a private chat, /plan, /cancel and /settings in
/// a group. Also what the terminal (`loanguard chat`) answers to those.
pub fn fixed_reply(command: &Command, texts: &Responses, private: bool) -> Reply {
    let doc = |t: &str| Reply::text(text_doc(t));
    match command {
        Command::Start(payload) if private && !payload.is_empty() => {
            deep_link_advice(payload, texts, Classifier::shared())
                .unwrap_or_else(|| doc(&texts.bot.start))
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
        // Only the bot's reviewers reach the real handlers; anyone else gets what any unknown
        // command gets.
        Command::Review | Command::Known(_) => unknown_reply(texts),
    }
}

/// The answer to an unknown command in a private chat (groups get none).
pub fn unknown_reply(texts: &Responses) -> Reply {
    help_with_lead(&texts.bot.unknown_command, texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Parsed {
        parse(text, "LoanGuard_bot")
    }

    #[test]
    fn arguments_after_newline_or_full_width_space_are_kept() {
        for (text, args) in [
            ("/verify\n【XX】第一行\n第二行", "【XX】第一行\n第二行"),
            ("/verify　请转账", "请转账"),
            ("/verify 请转账", "请转账"),
            ("/verify", ""),
            ("/VERIFY  两个空格", "两个空格"),
            ("/check 请转账", "请转账"),
        ] {
            let expected = Parsed::Command(Command::Verify(args.into()));
            assert_eq!(cmd(text), expected, "{text:?}");
        }
    }

    #[test]
    fn commands_without_arguments_ignore_what_follows() {
        assert_eq!(cmd("/help me"), Parsed::Command(Command::Help));
        assert_eq!(cmd("/forget\n全部"), Parsed::Command(Command::Forget));
    }

    #[test]
    fn bot_mentions() {
        assert_eq!(
            cmd("/verify@loanguard_BOT hi"),
            Parsed::Command(Command::Verify("hi".into()))
        );
        assert_eq!(cmd("/verify@other_bot hi"), Parsed::OtherBot);
        assert_eq!(cmd("/frobnicate@other_bot"), Parsed::OtherBot);
    }

    #[test]
    fn unknown_and_not_commands() {
        assert_eq!(cmd("/frobnicate"), Parsed::Unknown("frobnicate".into()));
        assert_eq!(
            cmd("/Frobnicate@LoanGuard_bot x"),
            Parsed::Unknown("frobnicate".into())
        );
        assert_eq!(cmd("hello /verify"), Parsed::NotCommand);
        assert_eq!(cmd("/"), Parsed::NotCommand);
        assert_eq!(cmd("/ verify"), Parsed::NotCommand);
        assert_eq!(
            cmd("/start grp_s1"),
            Parsed::Command(Command::Start("grp_s1".into()))
        );
    }
}
