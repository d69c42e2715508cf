//! Added to a group: one short introduction (within the group's limit). Removed from one: its
//! settings are forgotten.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::ChatMemberUpdated;

use super::{HandlerResult, send, texts_for};
use crate::bot::state::{BotState, Permit};
use crate::render::{Reply, text_doc};
use crate::storage::Store;

pub async fn on_my_chat_member(
    bot: Bot,
    update: ChatMemberUpdated,
    state: Arc<BotState>,
    store: Arc<Store>,
) -> HandlerResult {
    let left = update.old_chat_member.is_present() && !update.new_chat_member.is_present();
    if left && !update.chat.is_private() {
        if let Err(e) = store.delete_group_settings(update.chat.id.0).await {
            tracing::warn!(error = %e, "could not forget a group's settings");
        }
        return Ok(());
    }
    let joined = !update.old_chat_member.is_present() && update.new_chat_member.is_present();
    if !joined || update.chat.is_private() || update.chat.is_channel() {
        return Ok(());
    }
    if state.group_permit(update.chat.id.0) != Permit::Reply {
        return Ok(());
    }
    let texts = texts_for(Some(&update.from));
    let reply = Reply::text(text_doc(&texts.group.intro));
    send::send(&bot, update.chat.id, &reply, None).await?;
    Ok(())
}
