//! The handler tree, built by one function so tests and the binary share it.

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;

use super::handlers::{self, HandlerError};

pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(handlers::on_message))
        .branch(Update::filter_edited_message().endpoint(handlers::on_edited))
        .branch(Update::filter_callback_query().endpoint(handlers::on_callback))
        .branch(Update::filter_my_chat_member().endpoint(handlers::on_my_chat_member))
}

/// Updates of one chat run in order, except forwards and albums in private chats: they run side
/// by side so the first of a burst can wait for the rest and answer once.
pub fn distribution(update: &Update) -> Option<ChatId> {
    if let teloxide::types::UpdateKind::Message(m) = &update.kind
        && m.chat.is_private()
        && (m.forward_origin().is_some() || m.media_group_id().is_some())
    {
        return None;
    }
    update.chat().map(|c| c.id)
}
