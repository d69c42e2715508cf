//! Command parsing that copes with how people paste: "/verify\n<text>", "/verify　<text>".
//!
//! teloxide's `BotCommands` parser splits on one ASCII space only, so a command followed by a
//! line break or a full-width space is "unknown" (research/teloxide.md §0). We split off the first
//! token ourselves and keep the rest verbatim.

/// A command the bot understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Start(String),
    Help,
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
    /// A command for this bot that it does not know.
    Unknown(String),
}

/// What a message starting with "/" is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Command(Command),
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
    let args = args.trim_matches(|c: char| c.is_whitespace());
    let (name, target) = match head.split_once('@') {
        Some((n, t)) => (n, Some(t)),
        None => (head, None),
    };
    if let Some(target) = target
        && !target.eq_ignore_ascii_case(bot_username)
    {
        return Parsed::OtherBot;
    }
    if name.is_empty() {
        return Parsed::NotCommand;
    }
    let command = match name.to_ascii_lowercase().as_str() {
        "start" => Command::Start(args.to_string()),
        "help" => Command::Help,
        "verify" | "check" => Command::Verify(args.to_string()),
        "plan" => Command::Plan(args.to_string()),
        "legal" => Command::Legal,
        "privacy" => Command::Privacy,
        "forget" => Command::Forget,
        "remind" => Command::Remind(args.to_string()),
        "settings" => Command::Settings(args.to_string()),
        "cancel" => Command::Cancel,
        other => Command::Unknown(other.to_string()),
    };
    Parsed::Command(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Parsed {
        parse(text, "LoanGuard_bot")
    }

    #[test]
    fn arguments_after_newline_or_full_width_space_are_kept() {
        assert_eq!(
            cmd("/verify\n【XX】第一行\n第二行"),
            Parsed::Command(Command::Verify("【XX】第一行\n第二行".into()))
        );
        assert_eq!(
            cmd("/verify　请转账"),
            Parsed::Command(Command::Verify("请转账".into()))
        );
        assert_eq!(
            cmd("/verify 请转账"),
            Parsed::Command(Command::Verify("请转账".into()))
        );
        assert_eq!(
            cmd("/verify"),
            Parsed::Command(Command::Verify(String::new()))
        );
    }

    #[test]
    fn bot_mentions() {
        assert_eq!(
            cmd("/verify@loanguard_BOT hi"),
            Parsed::Command(Command::Verify("hi".into()))
        );
        assert_eq!(cmd("/verify@other_bot hi"), Parsed::OtherBot);
    }

    #[test]
    fn unknown_and_not_commands() {
        assert_eq!(
            cmd("/frobnicate"),
            Parsed::Command(Command::Unknown("frobnicate".into()))
        );
        assert_eq!(cmd("hello /verify"), Parsed::NotCommand);
        assert_eq!(cmd("/"), Parsed::NotCommand);
        assert_eq!(
            cmd("/start grp_s1"),
            Parsed::Command(Command::Start("grp_s1".into()))
        );
    }
}
