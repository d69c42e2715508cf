//! 👍 / 👎 feedback on verdicts: the verdict, the rule ids, a hash of the text and the time;
//! the corrected verdict after 👎; the (already redacted) text only after 同意提交原文.

use sqlx::any::AnyRow;

use super::{Result, StorageError, Store, db, get, user_from_key, user_key};

/// Feedback to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeedback {
    /// Telegram user who pressed the button.
    pub user_id: u64,
    /// The verdict the bot gave, as a short code (for example the classifier's verdict id).
    pub verdict: String,
    /// 👍 (`true`) or 👎 (`false`).
    pub accurate: bool,
    /// Ids of the rules that fired.
    pub rule_ids: Vec<String>,
    /// Hash of the message text (the text itself is not stored here).
    pub text_hash: String,
    /// Unix time of the feedback.
    pub created_at: i64,
}

/// A stored feedback row: the vote as it was added, and what came after 👎.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackRow {
    /// Row id.
    pub id: i64,
    pub vote: NewFeedback,
    /// What the user said the verdict should have been, after 👎.
    pub corrected_verdict: Option<String>,
    /// The redacted message text, if the user agreed to submit it.
    pub redacted_text: Option<String>,
}

/// Longest verdict code accepted, in characters.
const MAX_VERDICT_CHARS: usize = 32;

impl Store {
    /// Stores feedback; returns its id (to put in the follow-up buttons). One row per user and
    /// checked text: pressing 👍/👎 again on the same message changes that row, it does not add
    /// one.
    pub async fn add_feedback(&self, new: &NewFeedback) -> Result<i64> {
        const OP: &str = "add_feedback";
        check_verdict(&new.verdict)?;
        if !new.text_hash.is_empty() {
            let earlier =
                sqlx::query("SELECT id FROM feedback WHERE user_id = $1 AND text_hash = $2")
                    .bind(user_key(new.user_id)?)
                    .bind(new.text_hash.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db(OP))?;
            if let Some(row) = earlier {
                let id: i64 = get(&row, "id", OP)?;
                let query = sqlx::query(
                    "UPDATE feedback SET verdict = $1, accurate = $2, created_at = $3 WHERE id = $4",
                )
                .bind(new.verdict.as_str())
                .bind(i64::from(new.accurate))
                .bind(new.created_at)
                .bind(id);
                self.run(query, OP).await?;
                return Ok(id);
            }
        }
        let rule_ids =
            serde_json::to_string(&new.rule_ids).map_err(|e| StorageError::json(OP, &e))?;
        let row = sqlx::query(
            "INSERT INTO feedback (user_id, verdict, accurate, rule_ids, text_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_key(new.user_id)?)
        .bind(new.verdict.as_str())
        .bind(i64::from(new.accurate))
        .bind(rule_ids)
        .bind(new.text_hash.as_str())
        .bind(new.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(db(OP))?;
        get(&row, "id", OP)
    }

    /// Records the verdict the user says was right; `false` if feedback `id` is not theirs.
    pub async fn set_feedback_correction(
        &self,
        id: i64,
        user_id: u64,
        verdict: &str,
    ) -> Result<bool> {
        check_verdict(verdict)?;
        let query = sqlx::query(
            "UPDATE feedback SET corrected_verdict = $1 WHERE id = $2 AND user_id = $3",
        )
        .bind(verdict)
        .bind(id)
        .bind(user_key(user_id)?);
        Ok(self.run(query, "set_feedback_correction").await? > 0)
    }

    /// Attaches the message text, which the caller has already redacted (ID, card and phone
    /// numbers); `false` if feedback `id` is not theirs.
    pub async fn attach_feedback_text(
        &self,
        id: i64,
        user_id: u64,
        redacted_text: &str,
    ) -> Result<bool> {
        let query =
            // A reviewed report keeps no text: pressing the consent button again adds none.
            sqlx::query("UPDATE feedback SET redacted_text = $1 WHERE id = $2 AND user_id = $3 \
                AND reviewed_at IS NULL")
                .bind(redacted_text)
                .bind(id)
                .bind(user_key(user_id)?);
        Ok(self.run(query, "attach_feedback_text").await? > 0)
    }

    /// Every feedback row, oldest first, for `loanguard feedback export`.
    pub async fn export_feedback(&self) -> Result<Vec<FeedbackRow>> {
        const OP: &str = "export_feedback";
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM feedback ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(db(OP))?;
        rows.iter().map(|r| from_row(r, OP)).collect()
    }
}

fn check_verdict(verdict: &str) -> Result<()> {
    if verdict.chars().count() > MAX_VERDICT_CHARS {
        return Err(StorageError::InvalidInput("verdict code too long"));
    }
    Ok(())
}

/// The columns [`from_row`] reads.
pub(super) const COLUMNS: &str = "id, user_id, verdict, accurate, rule_ids, text_hash, \
    created_at, corrected_verdict, redacted_text";

pub(super) fn from_row(row: &AnyRow, op: &'static str) -> Result<FeedbackRow> {
    let rule_ids: String = get(row, "rule_ids", op)?;
    let accurate: i64 = get(row, "accurate", op)?;
    Ok(FeedbackRow {
        id: get(row, "id", op)?,
        vote: NewFeedback {
            user_id: user_from_key(get(row, "user_id", op)?)?,
            verdict: get(row, "verdict", op)?,
            accurate: accurate != 0,
            rule_ids: serde_json::from_str(&rule_ids).map_err(|e| StorageError::json(op, &e))?,
            text_hash: get(row, "text_hash", op)?,
            created_at: get(row, "created_at", op)?,
        },
        corrected_verdict: get(row, "corrected_verdict", op)?,
        redacted_text: get(row, "redacted_text", op)?,
    })
}
