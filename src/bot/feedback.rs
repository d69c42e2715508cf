//! 👍/👎 on a verdict. Stored: the verdict, the rule ids, a hash of the text and the time. The
//! text itself only after 同意提交原文, redacted first. The checked text is read back from the
//! message our verdict replied to, so nothing is kept in between.

use sha2::{Digest, Sha256};
use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::send;
use crate::classifier::{Classifier, Verdict};
use crate::clock::unix_now;
use crate::confirmed::KnownStore;
use crate::render::redact::redact_with;
use crate::render::replies::correction_prompt;
use crate::responses::Responses;
use crate::storage::{NewFeedback, Store};

pub fn text_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text of the message a bot message replied to (the checked message), when the presser
/// wrote it: nobody can attach someone else's message to their feedback.
fn checked_text(q: &CallbackQuery) -> Option<(String, MessageId)> {
    let msg = q.regular_message()?;
    let original = msg.reply_to_message()?;
    if original.from.as_ref().is_none_or(|u| u.id != q.from.id) {
        return None;
    }
    let text = original.text().or_else(|| original.caption())?;
    Some((text.to_string(), original.id))
}

/// 👍 or 👎: store it; after 👎 ask what the verdict should have been.
pub async fn on_vote(
    bot: &Bot,
    q: &CallbackQuery,
    store: &Store,
    known: &KnownStore,
    accurate: bool,
    verdict: Verdict,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    // The verdict is the bot's own on the checked text, not what the button claims.
    let (verdict, rule_ids, hash, original) = match checked_text(q) {
        Some((text, id)) => {
            let report = known.classify(Classifier::shared(), &text, &Default::default());
            let ids = report
                .signals
                .iter()
                .chain(&report.violations)
                .map(|s| s.id().to_string())
                .collect();
            (report.verdict, ids, text_hash(&text), Some(id))
        }
        None => (verdict, Vec::new(), String::new(), None),
    };
    let row = NewFeedback {
        user_id: q.from.id.0,
        verdict: verdict.as_str().to_string(),
        accurate,
        rule_ids,
        text_hash: hash,
        created_at: unix_now(),
    };
    let id = match store.add_feedback(&row).await {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::warn!(error = %e, "could not store feedback");
            None
        }
    };
    let thanks = if accurate {
        &texts.bot.feedback_up
    } else {
        &texts.bot.feedback_down
    };
    answer_with(bot, q, thanks).await?;
    tracing::info!(accurate, verdict = verdict.as_str(), "verdict feedback");
    if let (false, Some(id), Some(chat)) = (accurate, id, q.message.as_ref().map(|m| m.chat().id)) {
        let reply = correction_prompt(id, texts);
        // Reply to the checked message, so the consent button can read it back later.
        send::send(bot, chat, &reply, original).await?;
    }
    Ok(())
}

/// "It should have been …": only the user who gave the feedback may correct it.
pub async fn on_fix(
    bot: &Bot,
    q: &CallbackQuery,
    store: &Store,
    id: i64,
    verdict: Verdict,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    let ok = store
        .set_feedback_correction(id, q.from.id.0, verdict.as_str())
        .await
        .unwrap_or(false);
    let answer = if ok {
        &texts.bot.feedback_saved
    } else {
        &texts.bot.stale_button
    };
    answer_with(bot, q, answer).await
}

/// 同意提交原文: the checked text, with ID, card and phone numbers masked.
pub async fn on_consent(
    bot: &Bot,
    q: &CallbackQuery,
    store: &Store,
    id: i64,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    let answer = match checked_text(q) {
        Some((text, _)) => {
            let redacted = redact_with(&text, false);
            match store.attach_feedback_text(id, q.from.id.0, &redacted).await {
                Ok(true) => &texts.bot.feedback_text_saved,
                _ => &texts.bot.stale_button,
            }
        }
        None => &texts.bot.stale_button,
    };
    answer_with(bot, q, answer).await
}

/// Answers a button press with a short note the client shows for a moment.
pub async fn answer_with(
    bot: &Bot,
    q: &CallbackQuery,
    note: &str,
) -> Result<(), crate::bot::send::SendError> {
    bot.answer_callback_query(q.id.clone())
        .text(note.to_string())
        .await?;
    Ok(())
}
