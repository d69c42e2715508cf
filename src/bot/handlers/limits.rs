//! Rate limits: a flood from one user (in a private chat) or one group gets one polite
//! "请稍后再试", then silence until its minute is over. The filters use up one message of the
//! limit; the schema checks them before anything reads the database.

use std::sync::Arc;

use teloxide::prelude::*;

use super::{HandlerResult, send, texts_for, user_id};
use crate::bot::feedback;
use crate::bot::state::{BotState, Permit};
use crate::render::{Reply, text_doc};

/// `Some` when a private message is over its sender's limit.
pub fn user_over_limit(msg: Message, state: Arc<BotState>) -> Option<Permit> {
    if !msg.chat.is_private() {
        return None;
    }
    Some(state.user_permit(user_id(&msg))).filter(|p| *p != Permit::Reply)
}

/// `Some` when a command in a group is over the group's limit.
pub fn group_over_limit(msg: Message, state: Arc<BotState>) -> Option<Permit> {
    Some(state.group_permit(msg.chat.id.0)).filter(|p| *p != Permit::Reply)
}

/// The one warning of the minute; nothing after it.
pub async fn on_over_limit(bot: Bot, msg: Message, permit: Permit) -> HandlerResult {
    if permit == Permit::WarnOnce {
        let texts = texts_for(msg.from.as_ref());
        let reply = Reply::text(text_doc(&texts.group.rate_limited));
        send::send(&bot, msg.chat.id, &reply, Some(msg.id)).await?;
    }
    Ok(())
}

/// `Some` when a button press is over its presser's limit for presses.
pub fn presses_over_limit(q: CallbackQuery, state: Arc<BotState>) -> Option<Permit> {
    Some(state.press_permit(q.from.id.0)).filter(|p| *p != Permit::Reply)
}

/// A press over the limit is still answered, so the client stops spinning; nothing else.
pub async fn on_presses_over_limit(bot: Bot, q: CallbackQuery) -> HandlerResult {
    let texts = texts_for(Some(&q.from));
    feedback::answer_with(&bot, &q, &texts.group.rate_limited).await?;
    Ok(())
}
