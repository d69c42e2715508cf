//! Delivering repayment reminders: the loop that claims the due ones and sends them.

use teloxide::prelude::*;

use super::send;
use crate::reminders::reminder_reply;
use crate::responses::{Language, Responses};
use crate::storage::Store;

/// Claims the reminders due at `now` and sends each once. Returns how many were sent.
pub async fn fire_due(bot: &Bot, store: &Store, now: i64) -> usize {
    let due = match store.claim_due(now, 100).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "could not claim due reminders");
            return 0;
        }
    };
    let texts = Responses::get(Language::ZhCn);
    let mut sent = 0;
    for r in &due {
        match send::send(bot, ChatId(r.chat_id), &reminder_reply(r, texts), None).await {
            Ok(_) => sent += 1,
            Err(e) => tracing::warn!(error = %e, "reminder not delivered"),
        }
    }
    if sent > 0 {
        tracing::info!(sent, "repayment reminders sent");
    }
    sent
}
