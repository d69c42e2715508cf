//! One handler per command. The schema routes a [`Command`] here after the rate limits; texts
//! come in the user's language, or in a group's chosen one.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{Me, MessageId};

use super::{
    HandlerResult, answer, answer_text, body, context_of, reply_and_remember, send, texts_for,
    user_id,
};
use crate::bot::command::{self, Command};
use crate::bot::state::BotState;
use crate::bot::{group_settings, plan, screenshot};
use crate::classifier::{Classifier, Context};
use crate::clock::unix_now;
use crate::ocr::Ocr;
use crate::reminders;
use crate::render::{Reply, replies};
use crate::responses::{Language, Responses, fill};
use crate::storage::{GroupSettings, Store};

/// The texts of a private chat: the user's language.
pub fn private_texts(msg: Message) -> &'static Responses {
    texts_for(msg.from.as_ref())
}

/// A group's settings (auto-delete, language); the defaults when they cannot be read.
pub async fn group_settings_of(msg: Message, store: Arc<Store>) -> GroupSettings {
    store
        .group_settings(msg.chat.id.0)
        .await
        .unwrap_or_default()
}

/// The texts of a group: its chosen language, else the user's.
pub fn group_texts(msg: Message, settings: GroupSettings) -> &'static Responses {
    match &settings.language {
        Some(lang) => Responses::get(Language::from_code(Some(lang))),
        None => texts_for(msg.from.as_ref()),
    }
}

/// What `/verify` checks: its own text, or the message (or screenshot) it replies to.
enum Target {
    Text {
        text: String,
        context: Context,
        read_from_image: bool,
    },
    /// Nothing could be read; the reply says why.
    Explained(Reply),
    /// Bare `/verify` with nothing to check.
    Nothing,
}

async fn target(bot: &Bot, me: &Me, msg: &Message, args: &str, texts: &Responses) -> Target {
    if !args.trim().is_empty() {
        return Target::Text {
            text: args.to_string(),
            context: Context::default(),
            read_from_image: false,
        };
    }
    // The message replied to, unless it is one of the bot's own.
    let Some(replied) = msg
        .reply_to_message()
        .filter(|r| r.from.as_ref().is_none_or(|u| u.id != me.id))
    else {
        return Target::Nothing;
    };
    if let (Some(ocr), Some(file)) = (Ocr::global(), screenshot::image_of(replied)) {
        return match screenshot::read(bot, ocr, file, replied.caption(), texts).await {
            screenshot::Read::Text(text) => Target::Text {
                text,
                context: context_of(replied),
                read_from_image: true,
            },
            screenshot::Read::Explain(reply) => Target::Explained(reply),
        };
    }
    match body(replied) {
        Some(text) => Target::Text {
            text: text.to_string(),
            context: context_of(replied),
            read_from_image: false,
        },
        None => Target::Nothing,
    }
}

/// `/verify` in a private chat: the full verdict, remembered for edits and 👍/👎.
pub async fn verify_private(
    bot: Bot,
    me: Me,
    msg: Message,
    args: String,
    state: Arc<BotState>,
    texts: &'static Responses,
) -> HandlerResult {
    let (text, context, read_from_image) = match target(&bot, &me, &msg, &args, texts).await {
        Target::Text {
            text,
            context,
            read_from_image,
        } => (text, context, read_from_image),
        Target::Explained(reply) => return answer(&bot, &msg, &reply).await,
        Target::Nothing => return answer_text(&bot, &msg, &texts.bot.verify_checklist).await,
    };
    let started = std::time::Instant::now();
    let report = Classifier::shared().classify_with(&text, &context);
    crate::metrics::verdict("bot", report.verdict.as_str(), started.elapsed());
    tracing::info!(
        chat_kind = "private",
        verdict = report.verdict.as_str(),
        risk = report.risk,
        "checked"
    );
    let mut reply = replies::verdict_private(&report, &context, texts, &[]);
    if read_from_image {
        screenshot::quote_read_text(&mut reply, &text, texts);
    }
    reply_and_remember(&bot, &state, &msg, &reply).await?;
    Ok(())
}

/// `/verify` in a group: a short verdict that quotes nothing, deleted later if the group asks.
pub async fn verify_in_group(
    bot: Bot,
    me: Me,
    msg: Message,
    args: String,
    settings: GroupSettings,
    store: Arc<Store>,
    texts: &'static Responses,
) -> HandlerResult {
    let (text, context) = match target(&bot, &me, &msg, &args, texts).await {
        Target::Text { text, context, .. } => (text, context),
        Target::Explained(reply) => return answer(&bot, &msg, &reply).await,
        Target::Nothing => return answer_text(&bot, &msg, &texts.group.usage).await,
    };
    let classifier = Classifier::shared();
    let started = std::time::Instant::now();
    let report = classifier.classify_with(&text, &context);
    crate::metrics::verdict("bot", report.verdict.as_str(), started.elapsed());
    tracing::info!(
        chat_kind = "group",
        verdict = report.verdict.as_str(),
        risk = report.risk,
        "checked"
    );
    let reply = replies::verdict_group(&report, texts, classifier, me.username());
    let sent = send::send(&bot, msg.chat.id, &reply, Some(msg.id)).await?;
    if let Some(minutes) = settings.auto_delete_minutes {
        delete_later(&store, msg.chat.id, sent.id, minutes).await;
    }
    Ok(())
}

/// Deletes a group reply after the group's auto-delete delay: kept in the database, so a
/// restart forgets none ([`crate::bot::maintenance`] carries it out).
async fn delete_later(store: &Store, chat: ChatId, message: MessageId, minutes: u32) {
    let at = unix_now() + i64::from(minutes) * 60;
    if let Err(e) = store
        .schedule_deletion(chat.0, i64::from(message.0), at)
        .await
    {
        tracing::warn!(error = %e, "could not schedule an auto-delete");
    }
}

/// `/forget`: everything the bot holds about the user, in memory and in the database.
pub async fn forget(
    bot: Bot,
    msg: Message,
    state: Arc<BotState>,
    store: Arc<Store>,
    texts: &'static Responses,
) -> HandlerResult {
    let user = user_id(&msg);
    let memory = state.forget_user(user, msg.chat.id.0);
    let stored = match store.forget_user(user, msg.chat.id.0).await {
        Ok(stored) => stored,
        // Saying "0 deleted" here would be a lie: say it failed, and to try again.
        Err(e) => {
            tracing::warn!(error = %e, "could not forget a user");
            return answer_text(&bot, &msg, &texts.bot.forget_failed).await;
        }
    };
    let n = |v: u64| v.to_string();
    let done = fill(
        &texts.bot.forget_done,
        &[
            ("plans", &n(stored.plans)),
            ("reminders", &n(stored.reminders)),
            ("feedback", &n(stored.feedback)),
            ("dialogues", &n(stored.dialogues)),
            ("memory", &memory.to_string()),
        ],
    );
    answer_text(&bot, &msg, &done).await
}

/// `/plan [one-line form]`: the planner, one step at a time or all at once.
pub async fn plan(
    bot: Bot,
    msg: Message,
    args: String,
    store: Arc<Store>,
    texts: &'static Responses,
) -> HandlerResult {
    plan::on_command(&bot, &store, msg.chat.id, user_id(&msg), &args, texts).await?;
    Ok(())
}

/// `/cancel`: leaves the planner dialogue.
pub async fn cancel(
    bot: Bot,
    msg: Message,
    store: Arc<Store>,
    texts: &'static Responses,
) -> HandlerResult {
    if !plan::cancel(&bot, &store, msg.chat.id, texts).await? {
        answer_text(&bot, &msg, &texts.bot.nothing_to_cancel).await?;
    }
    Ok(())
}

/// `/remind …`: repayment reminders, changed as asked.
pub async fn remind(
    msg: Message,
    args: String,
    store: Arc<Store>,
    texts: &'static Responses,
) -> Reply {
    let (user, chat) = (user_id(&msg), msg.chat.id.0);
    reminders::respond(&store, user, chat, &args, unix_now(), texts).await
}

/// `/settings …` in a group (admins only).
pub async fn settings(
    bot: Bot,
    msg: Message,
    args: String,
    store: Arc<Store>,
    texts: &'static Responses,
) -> Reply {
    let user = msg.from.as_ref().map(|u| u.id);
    group_settings::handle(&bot, &store, msg.chat.id, user, &args, texts).await
}

/// Every other command: a fixed text (help, legal, privacy, and the private-only or group-only
/// ones in the wrong place).
pub fn fixed(msg: Message, command: Command, texts: &'static Responses) -> Reply {
    command::fixed_reply(&command, texts, msg.chat.is_private())
}

/// An unknown command in a private chat: say so, then the help.
pub fn unknown(texts: &'static Responses) -> Reply {
    command::unknown_reply(texts)
}

/// Sends the reply a command's branch computed.
pub async fn send_reply(bot: Bot, msg: Message, reply: Reply) -> HandlerResult {
    answer(&bot, &msg, &reply).await
}
