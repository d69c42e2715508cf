//! Inline buttons: always answered, so the client stops spinning; stale or forged data gets a
//! note. The planner's buttons go to the planner, the verdict's to feedback and advice.

use std::sync::Arc;

use teloxide::prelude::*;

use super::{HandlerResult, send, texts_for};
use crate::bot::state::BotState;
use crate::bot::{feedback, plan};
use crate::clock::unix_now;
use crate::confirmed::review::{self, ReviewButton};
use crate::planner::PlanButton;
use crate::render::callback::CallbackData;
use crate::render::replies;
use crate::responses::Responses;
use crate::storage::Store;

pub async fn on_callback(
    bot: Bot,
    q: CallbackQuery,
    store: Arc<Store>,
    state: Arc<BotState>,
) -> HandlerResult {
    let texts = texts_for(Some(&q.from));
    let chat = q
        .message
        .as_ref()
        .map(|m| m.chat().id)
        .unwrap_or(ChatId(q.from.id.0 as i64));
    let data = q.data.as_deref().unwrap_or_default();
    // The bot's buttons with data live in private chats only (a group verdict has a link):
    // anything pressed elsewhere is stale or forged, and posts nothing.
    if !chat.is_user() {
        feedback::answer_with(&bot, &q, &texts.bot.stale_button).await?;
        return Ok(());
    }
    if let Some(button) = ReviewButton::parse(data) {
        return on_review(&bot, &q, chat, button, &store, &state, texts).await;
    }
    if let Some(button) = PlanButton::parse(data) {
        bot.answer_callback_query(q.id.clone()).await?;
        plan::on_button(&bot, &store, chat, q.from.id.0, button, texts).await?;
        return Ok(());
    }
    match CallbackData::parse(data) {
        None => {
            feedback::answer_with(&bot, &q, &texts.bot.stale_button).await?;
        }
        Some(CallbackData::Section(section)) => {
            bot.answer_callback_query(q.id.clone()).await?;
            send::send(&bot, chat, &replies::section(section, texts), None).await?;
        }
        Some(CallbackData::Feedback { accurate, verdict }) => {
            feedback::on_vote(&bot, &q, &store, &state.known, accurate, verdict, texts).await?;
        }
        Some(CallbackData::FeedbackFix { id, verdict }) => {
            feedback::on_fix(&bot, &q, &store, id, verdict, texts).await?;
        }
        Some(CallbackData::FeedbackText { id }) => {
            feedback::on_consent(&bot, &q, &store, id, texts).await?;
        }
    }
    Ok(())
}

/// A reviewer's button: only reviewers may press it. The report's buttons go once it is dealt
/// with (or skipped), so nobody presses them again, and the next report follows.
async fn on_review(
    bot: &Bot,
    q: &CallbackQuery,
    chat: ChatId,
    button: ReviewButton,
    store: &Store,
    state: &BotState,
    texts: &Responses,
) -> HandlerResult {
    if !state.reviewers.contains(q.from.id.0) {
        feedback::answer_with(bot, q, &texts.review.not_allowed).await?;
        return Ok(());
    }
    bot.answer_callback_query(q.id.clone()).await?;
    let reply = review::decide(store, &state.known, q.from.id.0, button, unix_now(), texts).await;
    if let Some(shown) = q.regular_message()
        && let Err(e) = bot.edit_message_reply_markup(chat, shown.id).await
    {
        tracing::debug!(error = %e, "could not remove a report's buttons");
    }
    send::send(bot, chat, &reply, None).await?;
    Ok(())
}
