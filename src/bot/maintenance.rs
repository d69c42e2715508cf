//! The bot's timed work, every few seconds: due repayment reminders, group replies due for
//! auto-deletion, and records of handled updates older than Telegram redelivers.
//!
//! Everything it acts on lives in the database, so a restart forgets nothing, and several
//! instances can run it side by side (each reminder and deletion is handled once).

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::reminders::fire_due;
use crate::clock::unix_now;
use crate::storage::Store;

/// Telegram redelivers an update for at most 24 hours.
pub const KEEP_HANDLED_SECS: i64 = 24 * 3600;

/// Runs [`tick`] every `every` until the task is dropped.
pub async fn run_loop(bot: Bot, store: Arc<Store>, every: Duration) {
    loop {
        tick(&bot, &store, unix_now()).await;
        tokio::time::sleep(every).await;
    }
}

/// One round of the timed work at `now`.
pub async fn tick(bot: &Bot, store: &Store, now: i64) {
    fire_due(bot, store, now).await;
    delete_due(bot, store, now).await;
    match store.prune_handled_before(now - KEEP_HANDLED_SECS).await {
        Ok(0) => {}
        Ok(n) => tracing::debug!(pruned = n, "old handled updates forgotten"),
        Err(e) => tracing::warn!(error = %e, "could not prune handled updates"),
    }
}

/// Deletes the group replies whose auto-delete time has come. A reply already gone (deleted
/// by an admin, the bot removed from the group) is forgotten too.
async fn delete_due(bot: &Bot, store: &Store, now: i64) {
    let due = match store.due_deletions(now, 100).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "could not read due deletions");
            return;
        }
    };
    for (chat, message) in due {
        let id = MessageId(i32::try_from(message).unwrap_or_default());
        if let Err(e) = bot.delete_message(ChatId(chat), id).await {
            tracing::debug!(error = %e, "auto-delete failed");
        }
        if let Err(e) = store.drop_deletion(chat, message).await {
            tracing::warn!(error = %e, "could not forget a done deletion");
        }
    }
}
