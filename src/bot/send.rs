//! Sending replies: HTML, split to Telegram's limit, buttons on the last part, and a wait on
//! "429 Too Many Requests" instead of giving up.

use std::time::Duration;

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode,
    ReplyParameters,
};

use super::replies::{ButtonAction, Reply};
use crate::render::TELEGRAM_LIMIT;

const MAX_RETRIES: u32 = 3;

pub fn keyboard(reply: &Reply) -> Option<InlineKeyboardMarkup> {
    if reply.buttons.is_empty() {
        return None;
    }
    let rows = reply.buttons.iter().map(|row| {
        row.iter()
            .filter_map(|b| match &b.action {
                ButtonAction::Callback(data) => Some(InlineKeyboardButton::callback(
                    b.label.clone(),
                    data.clone(),
                )),
                ButtonAction::Url(url) => url
                    .parse()
                    .ok()
                    .map(|u| InlineKeyboardButton::url(b.label.clone(), u)),
            })
            .collect::<Vec<_>>()
    });
    Some(InlineKeyboardMarkup::new(rows))
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Retries a request after Telegram's `retry_after`, a few times at most.
async fn with_retry<T, F, Fut>(mut f: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Err(RequestError::RetryAfter(wait)) if attempt < MAX_RETRIES => {
                attempt += 1;
                tokio::time::sleep(wait.duration() + Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

/// Sends `reply` to `chat`, replying to `reply_to` with the first part. Returns the last
/// message sent (the one with the buttons).
pub async fn send(
    bot: &Bot,
    chat: ChatId,
    reply: &Reply,
    reply_to: Option<MessageId>,
) -> Result<Message, RequestError> {
    let parts = reply.doc.to_html_parts(TELEGRAM_LIMIT);
    let last = parts.len().saturating_sub(1);
    let mut sent = None;
    for (i, part) in parts.iter().enumerate() {
        let markup = if i == last { keyboard(reply) } else { None };
        let quote = if i == 0 { reply_to } else { None };
        let message = with_retry(|| {
            let mut req = bot
                .send_message(chat, part.clone())
                .parse_mode(ParseMode::Html)
                .link_preview_options(no_preview());
            if let Some(id) = quote {
                req = req.reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
            }
            if let Some(kb) = markup.clone() {
                req = req.reply_markup(kb);
            }
            async move { req.await }
        })
        .await?;
        sent = Some(message);
    }
    sent.ok_or_else(|| RequestError::Io(std::sync::Arc::new(std::io::Error::other("empty reply"))))
}

/// Replaces the text of an earlier reply (the first part only: verdicts fit in one message).
pub async fn edit(
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    reply: &Reply,
) -> Result<(), RequestError> {
    let parts = reply.doc.to_html_parts(TELEGRAM_LIMIT);
    let Some(first) = parts.first() else {
        return Ok(());
    };
    let markup = keyboard(reply);
    with_retry(|| {
        let mut req = bot
            .edit_message_text(chat, message, first.clone())
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview());
        if let Some(kb) = markup.clone() {
            req = req.reply_markup(kb);
        }
        async move { req.await }
    })
    .await
    .map(|_| ())
}
