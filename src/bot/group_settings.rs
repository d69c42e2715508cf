//! `/settings` in groups: auto-deleting the bot's replies and the reply language. Only group
//! admins may change them, checked with getChatMember on every change.

use teloxide::prelude::*;

use crate::render::{Reply, text_doc};
use crate::responses::{Responses, fill};
use crate::storage::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsCommand {
    Show,
    /// Minutes; `None` turns auto-delete off.
    AutoDelete(Option<u32>),
    /// `None` follows each user's Telegram language.
    Language(Option<String>),
    Invalid,
}

pub fn parse(args: &str) -> SettingsCommand {
    let mut words = args.split_whitespace();
    let Some(what) = words.next() else {
        return SettingsCommand::Show;
    };
    let value = words.next().unwrap_or("").to_lowercase();
    match what.to_lowercase().as_str() {
        "autodelete" | "自动删除" => match value.as_str() {
            "off" | "关" | "关闭" | "0" => SettingsCommand::AutoDelete(None),
            v => match v.trim_end_matches("分钟").parse::<u32>() {
                Ok(m) if (1..=1440).contains(&m) => SettingsCommand::AutoDelete(Some(m)),
                _ => SettingsCommand::Invalid,
            },
        },
        "lang" | "language" | "语言" => match value.as_str() {
            "zh" | "zh-cn" | "中文" => SettingsCommand::Language(Some("zh-CN".into())),
            "en" | "english" | "英文" => SettingsCommand::Language(Some("en".into())),
            "auto" | "自动" => SettingsCommand::Language(None),
            _ => SettingsCommand::Invalid,
        },
        _ => SettingsCommand::Invalid,
    }
}

async fn is_admin(bot: &Bot, chat: ChatId, user: UserId) -> bool {
    match bot.get_chat_member(chat, user).await {
        Ok(member) => member.is_privileged(),
        Err(e) => {
            tracing::warn!(error = %e, "getChatMember failed; treating the user as not an admin");
            false
        }
    }
}

pub async fn handle(
    bot: &Bot,
    store: &Store,
    chat: ChatId,
    user: Option<UserId>,
    args: &str,
    texts: &Responses,
) -> Reply {
    let command = parse(args);
    let change = !matches!(command, SettingsCommand::Show | SettingsCommand::Invalid);
    if change {
        let allowed = match user {
            Some(u) => is_admin(bot, chat, u).await,
            None => false,
        };
        if !allowed {
            return Reply::text(text_doc(&texts.group.settings_not_admin));
        }
    }
    let result = match &command {
        SettingsCommand::AutoDelete(m) => store.set_group_auto_delete(chat.0, *m).await,
        SettingsCommand::Language(l) => store.set_group_language(chat.0, l.clone()).await,
        SettingsCommand::Show | SettingsCommand::Invalid => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not save group settings");
        return Reply::text(text_doc(&texts.bot.error));
    }
    let settings = store.group_settings(chat.0).await.unwrap_or_default();
    let auto = settings
        .auto_delete_minutes
        .map_or_else(|| texts.group.off.clone(), |m| m.to_string());
    let lang = settings
        .language
        .clone()
        .unwrap_or_else(|| texts.group.auto.clone());
    let mut text = String::new();
    if matches!(command, SettingsCommand::Invalid) {
        text.push_str(&texts.group.settings_usage);
        text.push('\n');
    } else if change {
        text.push_str(&texts.group.settings_saved);
        text.push('\n');
    }
    text.push_str(&fill(
        &texts.group.settings_show,
        &[("autodelete", &auto), ("language", &lang)],
    ));
    Reply::text(text_doc(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_settings() {
        assert_eq!(parse(""), SettingsCommand::Show);
        assert_eq!(
            parse("autodelete 10"),
            SettingsCommand::AutoDelete(Some(10))
        );
        assert_eq!(parse("autodelete off"), SettingsCommand::AutoDelete(None));
        assert_eq!(
            parse("lang en"),
            SettingsCommand::Language(Some("en".into()))
        );
        assert_eq!(parse("lang auto"), SettingsCommand::Language(None));
        assert_eq!(parse("autodelete 99999"), SettingsCommand::Invalid);
        assert_eq!(parse("colour red"), SettingsCommand::Invalid);
    }
}
