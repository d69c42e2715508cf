//! Thin handlers: each reads what it needs from the update, calls the classifier, the planner or
//! the store, renders with [`crate::render`] and sends with [`super::send`]. Which handler runs
//! is decided by the tree in [`super::schema`].
//!
//! Nothing here logs message text, numbers or the token.

pub mod buttons;
pub mod commands;
pub mod content;
pub mod edits;
pub mod limits;
pub mod membership;

use std::error::Error;

use teloxide::prelude::*;
use teloxide::types::{MessageOrigin, User};

use super::send;
use super::state::{BotState, ReplyLink};
use crate::classifier::{Context, ForwardOrigin};
use crate::render::{Reply, text_doc};
use crate::responses::{Language, Responses};

pub type HandlerError = Box<dyn Error + Send + Sync>;
pub type HandlerResult = Result<(), HandlerError>;

/// The texts in the language of the user's Telegram client.
pub fn texts_for(user: Option<&User>) -> &'static Responses {
    Responses::get(Language::from_code(
        user.and_then(|u| u.language_code.as_deref()),
    ))
}

/// The text of a message, or the caption of a photo or document.
pub fn body(msg: &Message) -> Option<&str> {
    msg.text().or_else(|| msg.caption())
}

/// The sender's id; 0 for messages without one (channel posts).
pub fn user_id(msg: &Message) -> u64 {
    msg.from.as_ref().map_or(0, |u| u.id.0)
}

fn origin_of(msg: &Message) -> Option<ForwardOrigin> {
    msg.forward_origin().map(|o| match o {
        MessageOrigin::User { .. } => ForwardOrigin::User,
        MessageOrigin::HiddenUser { .. } => ForwardOrigin::HiddenUser,
        MessageOrigin::Chat { .. } => ForwardOrigin::Chat,
        MessageOrigin::Channel { .. } => ForwardOrigin::Channel,
    })
}

/// What the classifier may know about how a message reached the user.
fn context_of(msg: &Message) -> Context {
    Context {
        forwarded: msg.forward_origin().is_some(),
        forward_origin: origin_of(msg),
        sender_number: None,
    }
}

/// Answers `msg` and remembers the answer, so an edit of `msg` updates it and 👍/👎 find it.
async fn reply_and_remember(
    bot: &Bot,
    state: &BotState,
    msg: &Message,
    reply: &Reply,
) -> Result<Message, crate::bot::send::SendError> {
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

/// Answers `msg` with `reply`.
pub(super) async fn answer(bot: &Bot, msg: &Message, reply: &Reply) -> HandlerResult {
    send::send(bot, msg.chat.id, reply, Some(msg.id)).await?;
    Ok(())
}

/// Answers `msg` with a text from responses/.
pub(super) async fn answer_text(bot: &Bot, msg: &Message, text: &str) -> HandlerResult {
    answer(bot, msg, &Reply::text(text_doc(text))).await
}
