//! Thin handlers: read the update, call the classifier and the reply builders, send.
//!
//! Nothing here logs message text, numbers or the token.

use std::error::Error;
use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, Me, MessageOrigin, User};

use super::callback::CallbackData;
use super::command::{self, Command, Parsed};
use super::remind::{self, unix_now};
use super::replies::{self, Reply};
use super::state::{BatchItem, BotState, GroupPermit, ReplyLink};
use super::{feedback, once, plan, screenshot, send, settings};
use crate::classifier::{Classifier, Context, ForwardOrigin};
use crate::ocr::Ocr;
use crate::render::{Doc, Paragraph};
use crate::responses::{Language, Responses, fill};
use crate::storage::Store;

pub type HandlerError = Box<dyn Error + Send + Sync>;
pub type HandlerResult = Result<(), HandlerError>;

pub fn texts_for(user: Option<&User>) -> &'static Responses {
    Responses::get(Language::from_code(
        user.and_then(|u| u.language_code.as_deref()),
    ))
}

fn origin_of(msg: &Message) -> Option<ForwardOrigin> {
    msg.forward_origin().map(|o| match o {
        MessageOrigin::User { .. } => ForwardOrigin::User,
        MessageOrigin::HiddenUser { .. } => ForwardOrigin::HiddenUser,
        MessageOrigin::Chat { .. } => ForwardOrigin::Chat,
        MessageOrigin::Channel { .. } => ForwardOrigin::Channel,
    })
}

fn context_of(msg: &Message) -> Context {
    Context {
        forwarded: msg.forward_origin().is_some(),
        forward_origin: origin_of(msg),
        sender_number: None,
    }
}

fn body(msg: &Message) -> Option<&str> {
    msg.text().or_else(|| msg.caption())
}

fn user_id(msg: &Message) -> u64 {
    msg.from.as_ref().map_or(0, |u| u.id.0)
}

/// Every message: commands first, then private-chat content. Groups are otherwise ignored.
pub async fn on_message(
    bot: Bot,
    me: Me,
    msg: Message,
    state: Arc<BotState>,
    store: Arc<Store>,
) -> HandlerResult {
    let texts = texts_for(msg.from.as_ref());
    // A user who writes again has unblocked the bot.
    send::blocked_chats().remove(msg.chat.id);
    // A flood from one user: one polite "try later", then silence until the minute is over.
    if msg.chat.is_private() {
        match state.user_permit(user_id(&msg)) {
            GroupPermit::Reply => {}
            GroupPermit::WarnOnce => {
                let reply = Reply::text(replies::text_doc(&texts.group.rate_limited));
                send::send(&bot, msg.chat.id, &reply, Some(msg.id)).await?;
                return Ok(());
            }
            GroupPermit::Silent => return Ok(()),
        }
    }
    if let Some(text) = body(&msg)
        && text.starts_with('/')
    {
        match command::parse(text, me.username()) {
            Parsed::Command(cmd) => {
                return on_command(&bot, &me, &msg, cmd, &state, &store, texts).await;
            }
            Parsed::OtherBot => return Ok(()),
            Parsed::NotCommand => {}
        }
    }
    if !msg.chat.is_private() || msg.is_automatic_forward() {
        return Ok(());
    }
    // An answer to the planner's question, unless it is a forward (those are always checked).
    if let Some(text) = msg.text()
        && msg.forward_origin().is_none()
        && plan::on_text(&bot, &store, msg.chat.id, user_id(&msg), text, texts).await?
    {
        return Ok(());
    }
    // Screenshots are read when Tesseract is there; without it a photo's caption is checked,
    // or the user is asked for the text.
    if body(&msg).is_some() || msg.photo().is_some() || screenshot::image_of(&msg).is_some() {
        return collect_and_check(&bot, Ocr::global(), &msg, &state, texts).await;
    }
    let hint = if msg.sticker().is_some() {
        &texts.bot.sticker
    } else if msg.voice().is_some() || msg.audio().is_some() || msg.video_note().is_some() {
        &texts.bot.voice
    } else {
        &texts.bot.other_media
    };
    send::send(
        &bot,
        msg.chat.id,
        &Reply::text(replies::text_doc(hint)),
        Some(msg.id),
    )
    .await?;
    Ok(())
}

/// Answers `msg` and remembers the answer, so an edit of `msg` updates it and 👍/👎 find it.
async fn reply_and_remember(
    bot: &Bot,
    state: &BotState,
    msg: &Message,
    reply: &Reply,
) -> Result<Message, teloxide::RequestError> {
    let sent = send::send(bot, msg.chat.id, reply, Some(msg.id)).await?;
    state.remember_reply(
        msg.chat.id.0,
        msg.id.0,
        ReplyLink {
            reply_id: sent.id.0,
            user_id: user_id(msg),
        },
    );
    Ok(sent)
}

/// Forwards, pasted text and photos in a private chat. Messages that arrive together (an album,
/// five forwards of one conversation) are collected for a short window and answered once.
/// Screenshots are read (when `ocr` is there) and the reply quotes the text that was read.
async fn collect_and_check(
    bot: &Bot,
    ocr: Option<&Ocr>,
    msg: &Message,
    state: &BotState,
    texts: &Responses,
) -> HandlerResult {
    let image = ocr.and(screenshot::image_of(msg)).cloned();
    let item = BatchItem {
        message_id: msg.id.0,
        text: body(msg).unwrap_or_default().to_string(),
        has_photo_only: body(msg).is_none() && image.is_none(),
        image,
        forwarded_from_channel: origin_of(msg) == Some(ForwardOrigin::Channel),
        forwarded_hidden: origin_of(msg) == Some(ForwardOrigin::HiddenUser),
    };
    let chat = msg.chat.id.0;
    let batchable = msg.forward_origin().is_some() || msg.media_group_id().is_some();
    let joined = state.add_to_batch(chat, item, once::current_update());
    if batchable {
        if !joined.first {
            // The first message answers for all; this one stays in flight until it has.
            joined.answered().await;
            return Ok(());
        }
        tokio::time::sleep(state.settings.batch_window).await;
    }
    // A plain message answers the batch it joined at once.
    let Some(batch) = state.take_batch(chat) else {
        joined.answered().await;
        return Ok(());
    };
    // The reply answers every message of the batch: claim their updates with this one.
    once::cover(batch.updates.iter().copied());
    let items = &batch.items;
    let first = teloxide::types::MessageId(items[0].message_id);
    if items.iter().all(|i| i.has_photo_only) {
        let reply = Reply::text(replies::text_doc(&texts.bot.photo_no_caption));
        send::send(bot, msg.chat.id, &reply, Some(msg.id)).await?;
        return Ok(());
    }
    // Screenshots of an album (or forwarded ones) are read together, then checked as one.
    let read = match ocr {
        Some(ocr) if items.iter().any(|i| i.image.is_some()) => {
            screenshot::read_batch(bot, ocr, items, texts).await
        }
        _ => screenshot::BatchRead::without_images(items),
    };
    if read.text.is_empty() && items.iter().any(|i| i.image.is_some()) {
        let reply = read
            .explain
            .unwrap_or_else(|| Reply::text(replies::text_doc(&texts.bot.ocr_failed)));
        send::send(bot, msg.chat.id, &reply, Some(first)).await?;
        return Ok(());
    }
    let text = read.text;
    let origin = if items.iter().any(|i| i.forwarded_from_channel) {
        Some(ForwardOrigin::Channel)
    } else if items.iter().any(|i| i.forwarded_hidden) {
        Some(ForwardOrigin::HiddenUser)
    } else {
        None
    };
    let context = Context {
        forwarded: batchable,
        forward_origin: origin,
        sender_number: None,
    };
    let report = Classifier::shared().classify_with(&text, &context);
    let mut notes = Vec::new();
    if items.len() > 1 {
        notes.push(fill(
            &texts.bot.batch_note,
            &[("count", &items.len().to_string())],
        ));
    }
    let mut reply = replies::verdict_private(&report, &context, texts, &notes);
    if !read.from_images.is_empty() {
        screenshot::quote_read_text(&mut reply, &read.from_images, texts);
    }
    let sent = send::send(bot, msg.chat.id, &reply, Some(first)).await?;
    tracing::info!(
        chat_kind = "private",
        verdict = report.verdict.as_str(),
        risk = report.risk,
        messages = items.len(),
        "checked"
    );
    for i in items {
        state.remember_reply(
            chat,
            i.message_id,
            ReplyLink {
                reply_id: sent.id.0,
                user_id: user_id(msg),
            },
        );
    }
    Ok(())
}

async fn on_command(
    bot: &Bot,
    me: &Me,
    msg: &Message,
    cmd: Command,
    state: &BotState,
    store: &Store,
    texts: &Responses,
) -> HandlerResult {
    let private = msg.chat.is_private();
    let group_settings = if private {
        Default::default()
    } else {
        store
            .group_settings(msg.chat.id.0)
            .await
            .unwrap_or_default()
    };
    let texts = match (&group_settings.language, private) {
        (Some(lang), false) => Responses::get(Language::from_code(Some(lang))),
        _ => texts,
    };
    if !private {
        match state.group_permit(msg.chat.id.0) {
            GroupPermit::Reply => {}
            GroupPermit::WarnOnce => {
                let reply = Reply::text(replies::text_doc(&texts.group.rate_limited));
                send::send(bot, msg.chat.id, &reply, Some(msg.id)).await?;
                return Ok(());
            }
            GroupPermit::Silent => return Ok(()),
        }
    }
    let reply = match cmd {
        Command::Verify(args) => {
            return verify(
                bot,
                me,
                msg,
                &args,
                state,
                group_settings.auto_delete_minutes,
                texts,
            )
            .await;
        }
        Command::Forget if private => {
            let user = msg.from.as_ref().map_or(0, |u| u.id.0);
            let memory = state.forget_user(user, msg.chat.id.0);
            let stored = store
                .forget_user(user, msg.chat.id.0)
                .await
                .unwrap_or_default();
            let n = |v: u64| v.to_string();
            Reply::text(replies::text_doc(&fill(
                &texts.bot.forget_done,
                &[
                    ("plans", &n(stored.plans)),
                    ("reminders", &n(stored.reminders)),
                    ("feedback", &n(stored.feedback)),
                    ("dialogues", &n(stored.dialogues)),
                    ("memory", &memory.to_string()),
                ],
            )))
        }
        Command::Plan(args) if private => {
            plan::on_command(bot, store, msg.chat.id, user_id(msg), &args, texts).await?;
            return Ok(());
        }
        Command::Cancel if private => {
            if !plan::cancel(bot, store, msg.chat.id, texts).await? {
                send::send(
                    bot,
                    msg.chat.id,
                    &Reply::text(replies::text_doc(&texts.bot.nothing_to_cancel)),
                    Some(msg.id),
                )
                .await?;
            }
            return Ok(());
        }
        Command::Remind(args) if private => {
            let user = msg.from.as_ref().map_or(0, |u| u.id.0);
            remind::handle(store, user, msg.chat.id.0, &args, unix_now(), texts).await
        }
        Command::Settings(args) if !private => {
            let user = msg.from.as_ref().map(|u| u.id);
            settings::handle(bot, store, msg.chat.id, user, &args, texts).await
        }
        other => match replies::command_reply(&other, texts, private) {
            Some(reply) => reply,
            None => return Ok(()),
        },
    };
    send::send(bot, msg.chat.id, &reply, Some(msg.id)).await?;
    Ok(())
}

/// `/verify` with text, as a reply to a message, or bare (the checklist).
async fn verify(
    bot: &Bot,
    me: &Me,
    msg: &Message,
    args: &str,
    state: &BotState,
    auto_delete_minutes: Option<u32>,
    texts: &Responses,
) -> HandlerResult {
    let target = msg
        .reply_to_message()
        .filter(|r| r.from.as_ref().is_none_or(|u| u.id != me.id));
    let image = target.and_then(|r| Some((Ocr::global()?, screenshot::image_of(r)?, r)));
    let (text, context) = if !args.trim().is_empty() {
        (args.to_string(), Context::default())
    } else if let Some((ocr, file, replied)) = image {
        match screenshot::read(bot, ocr, file, replied.caption(), texts).await {
            screenshot::Read::Text(text) => (text, context_of(replied)),
            screenshot::Read::Explain(reply) => {
                send::send(bot, msg.chat.id, &reply, Some(msg.id)).await?;
                return Ok(());
            }
        }
    } else if let Some(replied) = target.filter(|r| body(r).is_some()) {
        (
            body(replied).unwrap_or_default().to_string(),
            context_of(replied),
        )
    } else {
        let t = if msg.chat.is_private() {
            &texts.bot.verify_checklist
        } else {
            &texts.group.usage
        };
        send::send(
            bot,
            msg.chat.id,
            &Reply::text(replies::text_doc(t)),
            Some(msg.id),
        )
        .await?;
        return Ok(());
    };
    let classifier = Classifier::shared();
    let report = classifier.classify_with(&text, &context);
    tracing::info!(
        chat_kind = if msg.chat.is_private() {
            "private"
        } else {
            "group"
        },
        verdict = report.verdict.as_str(),
        risk = report.risk,
        "checked"
    );
    if msg.chat.is_private() {
        let mut reply = replies::verdict_private(&report, &context, texts, &[]);
        if image.is_some() && args.trim().is_empty() {
            screenshot::quote_read_text(&mut reply, &text, texts);
        }
        reply_and_remember(bot, state, msg, &reply).await?;
    } else {
        let reply = replies::verdict_group(&report, texts, classifier, me.username());
        let sent = send::send(bot, msg.chat.id, &reply, Some(msg.id)).await?;
        if let Some(minutes) = auto_delete_minutes {
            delete_later(bot.clone(), msg.chat.id, sent.id, minutes);
        }
    }
    Ok(())
}

/// Deletes a group reply after the group's auto-delete delay.
fn delete_later(bot: Bot, chat: ChatId, message: teloxide::types::MessageId, minutes: u32) {
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(minutes) * 60)).await;
        if let Err(e) = bot.delete_message(chat, message).await {
            tracing::debug!(error = %e, "auto-delete failed");
        }
    });
}

/// An edited message in a private chat is checked again and its earlier reply updated.
pub async fn on_edited(bot: Bot, me: Me, msg: Message, state: Arc<BotState>) -> HandlerResult {
    if !msg.chat.is_private() {
        return Ok(());
    }
    let texts = texts_for(msg.from.as_ref());
    let Some(raw) = body(&msg) else { return Ok(()) };
    let text = match command::parse(raw, me.username()) {
        Parsed::Command(Command::Verify(args)) if !args.is_empty() => args,
        Parsed::Command(_) | Parsed::OtherBot => return Ok(()),
        Parsed::NotCommand => raw.to_string(),
    };
    let context = context_of(&msg);
    let report = Classifier::shared().classify_with(&text, &context);
    let reply = replies::verdict_private(
        &report,
        &context,
        texts,
        std::slice::from_ref(&texts.bot.edited_note),
    );
    match state.reply_for(msg.chat.id.0, msg.id.0) {
        Some(link) => {
            let result = send::edit(
                &bot,
                msg.chat.id,
                teloxide::types::MessageId(link.reply_id),
                &reply,
            )
            .await;
            match result {
                Ok(()) => {}
                // Same verdict and text as before: nothing to change.
                Err(teloxide::RequestError::Api(teloxide::ApiError::MessageNotModified)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        None => {
            reply_and_remember(&bot, &state, &msg, &reply).await?;
        }
    }
    tracing::info!(
        verdict = report.verdict.as_str(),
        "rechecked edited message"
    );
    Ok(())
}

/// Buttons: always answered, so the client stops spinning; stale or forged data gets a note.
pub async fn on_callback(bot: Bot, q: CallbackQuery, store: Arc<Store>) -> HandlerResult {
    let texts = texts_for(Some(&q.from));
    let parsed = q.data.as_deref().and_then(CallbackData::parse);
    let chat = q
        .message
        .as_ref()
        .map(|m| m.chat().id)
        .unwrap_or(ChatId(q.from.id.0 as i64));
    match parsed {
        None => {
            bot.answer_callback_query(q.id.clone())
                .text(texts.bot.stale_button.clone())
                .await?;
        }
        Some(CallbackData::Section(section)) => {
            bot.answer_callback_query(q.id.clone()).await?;
            send::send(&bot, chat, &replies::section(section, texts), None).await?;
        }
        Some(CallbackData::Feedback { accurate, verdict }) => {
            feedback::on_vote(&bot, &q, &store, accurate, verdict, texts).await?;
        }
        Some(CallbackData::FeedbackFix { id, verdict }) => {
            feedback::on_fix(&bot, &q, &store, id, verdict, texts).await?;
        }
        Some(CallbackData::FeedbackText { id }) => {
            feedback::on_consent(&bot, &q, &store, id, texts).await?;
        }
        Some(CallbackData::Plan(button)) => {
            bot.answer_callback_query(q.id.clone()).await?;
            plan::on_button(&bot, &store, chat, q.from.id.0, button, texts).await?;
        }
    }
    Ok(())
}

/// Added to a group: one short introduction.
pub async fn on_my_chat_member(
    bot: Bot,
    update: ChatMemberUpdated,
    state: Arc<BotState>,
) -> HandlerResult {
    let joined = !update.old_chat_member.is_present() && update.new_chat_member.is_present();
    if !joined || update.chat.is_private() || update.chat.is_channel() {
        return Ok(());
    }
    if state.group_permit(update.chat.id.0) != GroupPermit::Reply {
        return Ok(());
    }
    let texts = texts_for(Some(&update.from));
    let mut doc = Doc::default();
    doc.push(Paragraph::default().text(&texts.group.intro));
    send::send(&bot, update.chat.id, &Reply::text(doc), None).await?;
    Ok(())
}
