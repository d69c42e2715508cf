//! Private messages that are not commands: an answer to the planner's question, or something
//! to check (a forward, pasted text, a screenshot), or media the bot cannot read.
//!
//! Messages that arrive together (an album, five forwards of one conversation) are collected
//! for a short window ([`collect`]) and answered once ([`answer_batch`]).

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::{HandlerResult, answer_text, body, origin_of, send, user_id};
use crate::bot::state::{BatchItem, BotState, ReplyLink, TakenBatch};
use crate::bot::{plan, reply_claim, screenshot};
use crate::classifier::{Classifier, Context, ForwardOrigin};
use crate::ocr::Ocr;
use crate::planner::PlanDialogue;
use crate::render::{Reply, replies, text_doc};
use crate::responses::{Responses, fill};
use crate::storage::Store;

/// Private messages the bot looks at (not the channel posts a linked chat forwards itself).
pub fn is_private_message(msg: Message) -> bool {
    msg.chat.is_private() && !msg.is_automatic_forward()
}

/// The planner's dialogue, when it waits for typed text and this is typed text (a forward is
/// always checked instead).
pub async fn awaiting_planner(msg: Message, store: Arc<Store>) -> Option<PlanDialogue> {
    if msg.text().is_none() || msg.forward_origin().is_some() {
        return None;
    }
    plan::awaiting_text(&store, msg.chat.id).await
}

/// The answer to the planner's question.
pub async fn planner_answer(
    bot: Bot,
    msg: Message,
    store: Arc<Store>,
    dialogue: PlanDialogue,
    texts: &'static Responses,
) -> HandlerResult {
    let text = msg.text().unwrap_or_default();
    plan::on_text(
        &bot,
        &store,
        msg.chat.id,
        user_id(&msg),
        &dialogue,
        text,
        texts,
    )
    .await?;
    Ok(())
}

/// Text, a caption, a photo, or an image sent as a file.
pub fn has_something_to_check(msg: Message) -> bool {
    body(&msg).is_some() || msg.photo().is_some() || screenshot::image_of(&msg).is_some()
}

/// Checks a message, together with the others of its batch. Screenshots are read when
/// Tesseract is there; without it a photo's caption is checked, or the user is asked for text.
pub async fn check(
    bot: Bot,
    msg: Message,
    state: Arc<BotState>,
    texts: &'static Responses,
) -> HandlerResult {
    let ocr = Ocr::global();
    match collect(&msg, &state, ocr).await {
        Some(batch) => answer_batch(&bot, ocr, &msg, batch, &state, texts).await,
        // Another message of the batch answers for this one, and has.
        None => Ok(()),
    }
}

/// Adds `msg` to its chat's batch. The message that opened a batch of forwards or an album
/// waits out the window and takes the batch; the others wait until it has been answered and
/// get `None`. A plain message takes its batch at once.
async fn collect(msg: &Message, state: &BotState, ocr: Option<&Ocr>) -> Option<TakenBatch> {
    let image = ocr.and(screenshot::image_of(msg)).cloned();
    let origin = origin_of(msg);
    let item = BatchItem {
        message_id: msg.id.0,
        text: body(msg).unwrap_or_default().to_string(),
        has_photo_only: body(msg).is_none() && image.is_none(),
        image,
        forwarded_from_channel: origin == Some(ForwardOrigin::Channel),
        forwarded_hidden: origin == Some(ForwardOrigin::HiddenUser),
    };
    let chat = msg.chat.id.0;
    let joined = state.add_to_batch(chat, item, reply_claim::current_update());
    if is_batchable(msg) {
        if !joined.first {
            // The first message answers for all; this one stays in flight until it has.
            joined.answered().await;
            return None;
        }
        tokio::time::sleep(state.limits.batch_window).await;
    }
    let batch = state.take_batch(chat);
    if batch.is_none() {
        joined.answered().await;
    }
    batch
}

fn is_batchable(msg: &Message) -> bool {
    msg.forward_origin().is_some() || msg.media_group_id().is_some()
}

/// One reply for every message of `batch`: their text (and what was read from their images)
/// checked as one.
async fn answer_batch(
    bot: &Bot,
    ocr: Option<&Ocr>,
    msg: &Message,
    batch: TakenBatch,
    state: &BotState,
    texts: &Responses,
) -> HandlerResult {
    // The reply answers every message of the batch: claim their updates with this one.
    reply_claim::cover(batch.updates.iter().copied());
    let items = &batch.items;
    let first = MessageId(items[0].message_id);
    if items.iter().all(|i| i.has_photo_only) {
        return answer_text(bot, msg, &texts.bot.photo_no_caption).await;
    }
    let has_images = items.iter().any(|i| i.image.is_some());
    // Screenshots of an album (or forwarded ones) are read together, then checked as one.
    let read = match ocr {
        Some(ocr) if has_images => screenshot::read_batch(bot, ocr, items, texts).await,
        _ => screenshot::BatchRead::without_images(items),
    };
    if read.text.is_empty() && has_images {
        let reply = read
            .explain
            .unwrap_or_else(|| Reply::text(text_doc(&texts.bot.ocr_failed)));
        send::send(bot, msg.chat.id, &reply, Some(first)).await?;
        return Ok(());
    }
    let context = batch_context(msg, items);
    let started = std::time::Instant::now();
    let report = Classifier::shared().classify_with(&read.text, &context);
    crate::metrics::verdict("bot", report.verdict.as_str(), started.elapsed());
    let mut notes = Vec::new();
    if items.len() > 1 {
        let count = items.len().to_string();
        notes.push(fill(&texts.bot.batch_note, &[("count", &count)]));
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
    // An edit of any message of the batch updates the reply; 👍/👎 find the checked text.
    let link = ReplyLink {
        reply_id: sent.id.0,
        user_id: user_id(msg),
    };
    for i in items {
        state.remember_reply(msg.chat.id.0, i.message_id, link);
    }
    Ok(())
}

/// How the batch reached the user: a channel's or a hidden sender's forward makes a difference.
fn batch_context(msg: &Message, items: &[BatchItem]) -> Context {
    let forward_origin = if items.iter().any(|i| i.forwarded_from_channel) {
        Some(ForwardOrigin::Channel)
    } else if items.iter().any(|i| i.forwarded_hidden) {
        Some(ForwardOrigin::HiddenUser)
    } else {
        None
    };
    Context {
        forwarded: is_batchable(msg),
        forward_origin,
        sender_number: None,
    }
}

/// Stickers, voice and other media: say what the bot can read instead.
pub async fn media_hint(bot: Bot, msg: Message, texts: &'static Responses) -> HandlerResult {
    let hint = if msg.sticker().is_some() {
        &texts.bot.sticker
    } else if msg.voice().is_some() || msg.audio().is_some() || msg.video_note().is_some() {
        &texts.bot.voice
    } else {
        &texts.bot.other_media
    };
    answer_text(&bot, &msg, hint).await
}
