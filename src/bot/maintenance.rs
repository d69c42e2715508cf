//! The bot's timed work, every few seconds: due repayment reminders, group replies due for
//! auto-deletion, and records of handled updates older than Telegram redelivers; and, on its
//! own clock, the confirmed examples other instances added or removed.
//!
//! Everything it acts on lives in the database, so a restart forgets nothing, and several
//! instances can run it side by side (each reminder and deletion is handled once).

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::reminders::fire_due;
use crate::clock::unix_now;
use crate::confirmed::KnownStore;
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

/// Reads the confirmed examples other instances (and `loanguard known`) added or removed,
/// every `every`, until the task is dropped.
pub async fn refresh_known(store: Arc<Store>, known: Arc<KnownStore>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match known.refresh(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                changes = n,
                examples = known.len(),
                "confirmed examples updated"
            ),
            Err(e) => tracing::warn!(error = %e, "could not read confirmed examples"),
        }
        compact_known(&store, &known).await;
    }
}

/// Examples read one by one at start-up, beyond the snapshot, before a new snapshot is written.
pub const SNAPSHOT_AFTER: usize = 1_000;

/// Writes a new snapshot of the confirmed examples when many came after the last one, so the
/// next start reads them in a few rows.
pub async fn compact_known(store: &Store, known: &KnownStore) {
    match known.compact(store, SNAPSHOT_AFTER).await {
        Ok(true) => tracing::info!(
            examples = known.len(),
            "snapshot of confirmed examples written"
        ),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not write the snapshot of confirmed examples"),
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
