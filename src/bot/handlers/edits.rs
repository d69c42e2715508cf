//! An edited message in a private chat is checked again and its earlier reply updated (or, when
//! the bot no longer knows the reply, answered anew).

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{Me, MessageId};

use super::{HandlerResult, body, context_of, reply_and_remember, send, texts_for};
use crate::bot::command::{self, Command, Parsed};
use crate::bot::send::SendError;
use crate::bot::state::BotState;
use crate::classifier::Classifier;
use crate::render::replies;

pub async fn on_edited(bot: Bot, me: Me, msg: Message, state: Arc<BotState>) -> HandlerResult {
    if !msg.chat.is_private() {
        return Ok(());
    }
    let texts = texts_for(msg.from.as_ref());
    let Some(raw) = body(&msg) else { return Ok(()) };
    let text = match command::parse(raw, me.username()) {
        Parsed::Command(Command::Verify(args)) if !args.is_empty() => args,
        Parsed::NotCommand => raw.to_string(),
        _ => return Ok(()),
    };
    let context = context_of(&msg);
    let started = std::time::Instant::now();
    let report = Classifier::shared().classify_with(&text, &context);
    crate::metrics::verdict("bot", report.verdict.as_str(), started.elapsed());
    let notes = std::slice::from_ref(&texts.bot.edited_note);
    let reply = replies::verdict_private(&report, &context, texts, notes);
    match state.reply_for(msg.chat.id.0, msg.id.0) {
        Some(link) => {
            match send::edit(&bot, msg.chat.id, MessageId(link.reply_id), &reply).await {
                // Same verdict and text as before: nothing to change.
                Ok(()) => {}
                Err(e) if is_not_modified(&e) => {}
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

fn is_not_modified(error: &SendError) -> bool {
    matches!(
        error.telegram(),
        Some(teloxide::RequestError::Api(
            teloxide::ApiError::MessageNotModified
        ))
    )
}
