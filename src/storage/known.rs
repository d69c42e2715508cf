//! Confirmed examples and the review queue.
//!
//! - `known_examples`: a redacted text, its label and family, its fingerprint (bytes, with the
//!   version of the fingerprinting that made them), who confirmed it and when. Nothing of the
//!   person who reported it.
//! - `known_removals`: removed example ids in order, so every instance drops them
//!   ([`Store::known_removed_since`]).
//! - The review queue is the feedback whose text was submitted and that nobody reviewed yet;
//!   [`Store::review_report`] closes a report and drops its text from `feedback`.

use sqlx::any::AnyRow;

use super::{FeedbackRow, Result, StorageError, Store, db, feedback, get};

/// An example to store. `label` is `scam`, `suspicious` or `legit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewExample {
    pub label: String,
    pub family: Option<String>,
    /// Already redacted (ID, card and phone numbers).
    pub redacted_text: String,
    pub fingerprint: Vec<u8>,
    pub fingerprint_version: i64,
    /// Who confirmed it: `telegram:<user id>` for a reviewer in the bot, `cli` otherwise.
    pub reviewer: String,
    pub confirmed_at: i64,
}

/// What [`Store::add_known`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// A new example, with its id.
    New(i64),
    /// The text was stored with another label or family: the old example was removed and this
    /// one added, with a new id (so every instance sees the change).
    Replaced(i64),
    /// The same text with the same label and family was already there.
    Unchanged(i64),
}

impl Added {
    pub fn id(self) -> i64 {
        match self {
            Added::New(id) | Added::Replaced(id) | Added::Unchanged(id) => id,
        }
    }
}

/// An example as an index loads it: no text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleRow {
    pub id: i64,
    pub label: String,
    pub family: Option<String>,
    pub fingerprint: Vec<u8>,
    pub fingerprint_version: i64,
    pub confirmed_at: i64,
}

/// An example as `loanguard known list|export` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleListing {
    pub id: i64,
    pub label: String,
    pub family: Option<String>,
    pub redacted_text: String,
    pub reviewer: String,
    pub confirmed_at: i64,
}

/// Labels a stored example may have.
pub const LABELS: [&str; 3] = ["scam", "suspicious", "legit"];

/// How a reviewer closes a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Review {
    /// Store the report's text as an example (`reviewer`, `fingerprint`… as in [`NewExample`];
    /// its `redacted_text` is taken from the report).
    Confirm(NewExample),
    /// Not about debt collection: drop the text, store nothing.
    Dismiss,
}

impl Store {
    /// Stores one example.
    pub async fn add_known(&self, example: &NewExample) -> Result<Added> {
        Ok(self.add_known_many(std::slice::from_ref(example)).await?[0])
    }

    /// Stores examples in one transaction, in order.
    pub async fn add_known_many(&self, examples: &[NewExample]) -> Result<Vec<Added>> {
        const OP: &str = "add_known";
        for e in examples {
            check_example(e)?;
        }
        let mut tx = self.begin_known_write(OP).await?;
        let mut added = Vec::with_capacity(examples.len());
        for e in examples {
            added.push(insert_example(&mut tx, e, OP).await?);
        }
        tx.commit().await.map_err(db(OP))?;
        Ok(added)
    }

    /// Removes example `id`; `false` if there is none.
    pub async fn remove_known(&self, id: i64, now: i64) -> Result<bool> {
        const OP: &str = "remove_known";
        let mut tx = self.begin_known_write(OP).await?;
        let removed = remove_example(&mut tx, id, now, OP).await?;
        tx.commit().await.map_err(db(OP))?;
        Ok(removed)
    }

    /// Examples with an id above `after_id`, in id order (no texts): what an index loads.
    pub async fn known_since(&self, after_id: i64) -> Result<Vec<ExampleRow>> {
        const OP: &str = "known_since";
        let rows = sqlx::query(
            "SELECT id, label, family, fingerprint, fingerprint_version, confirmed_at \
             FROM known_examples WHERE id > $1 ORDER BY id",
        )
        .bind(after_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db(OP))?;
        rows.iter()
            .map(|r| {
                Ok(ExampleRow {
                    id: get(r, "id", OP)?,
                    label: get(r, "label", OP)?,
                    family: get(r, "family", OP)?,
                    fingerprint: get(r, "fingerprint", OP)?,
                    fingerprint_version: get(r, "fingerprint_version", OP)?,
                    confirmed_at: get(r, "confirmed_at", OP)?,
                })
            })
            .collect()
    }

    /// Removals after `after_seq`: `(seq, example id)`, in order.
    pub async fn known_removed_since(&self, after_seq: i64) -> Result<Vec<(i64, i64)>> {
        const OP: &str = "known_removed_since";
        let rows =
            sqlx::query("SELECT seq, example_id FROM known_removals WHERE seq > $1 ORDER BY seq")
                .bind(after_seq)
                .fetch_all(&self.pool)
                .await
                .map_err(db(OP))?;
        rows.iter()
            .map(|r| Ok((get(r, "seq", OP)?, get(r, "example_id", OP)?)))
            .collect()
    }

    /// The texts of examples whose fingerprint was made by another version: `(id, text)`.
    pub async fn known_outdated(&self, version: i64) -> Result<Vec<(i64, String)>> {
        const OP: &str = "known_outdated";
        let rows = sqlx::query(
            "SELECT id, redacted_text FROM known_examples WHERE fingerprint_version <> $1",
        )
        .bind(version)
        .fetch_all(&self.pool)
        .await
        .map_err(db(OP))?;
        rows.iter()
            .map(|r| Ok((get(r, "id", OP)?, get(r, "redacted_text", OP)?)))
            .collect()
    }

    /// Replaces an example's fingerprint (after the fingerprinting changed).
    pub async fn set_known_fingerprint(&self, id: i64, bytes: &[u8], version: i64) -> Result<()> {
        let query = sqlx::query(
            "UPDATE known_examples SET fingerprint = $1, fingerprint_version = $2 WHERE id = $3",
        )
        .bind(bytes.to_vec())
        .bind(version)
        .bind(id);
        self.run(query, "set_known_fingerprint").await.map(drop)
    }

    /// Every example with its text, oldest first.
    pub async fn known_listing(&self) -> Result<Vec<ExampleListing>> {
        const OP: &str = "known_listing";
        let rows = sqlx::query(
            "SELECT id, label, family, redacted_text, reviewer, confirmed_at \
             FROM known_examples ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db(OP))?;
        rows.iter().map(|r| listing(r, OP)).collect()
    }

    // ----- the review queue ------------------------------------------------------------------

    /// The oldest submitted report not reviewed yet, with an id above `after_id` (to skip).
    pub async fn next_report(&self, after_id: i64) -> Result<Option<FeedbackRow>> {
        const OP: &str = "next_report";
        let row = sqlx::query(&format!(
            "SELECT {} FROM feedback WHERE redacted_text IS NOT NULL AND reviewed_at IS NULL \
             AND id > $1 ORDER BY id LIMIT 1",
            feedback::COLUMNS
        ))
        .bind(after_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db(OP))?;
        row.map(|r| feedback::from_row(&r, OP)).transpose()
    }

    /// Report `id` if it is open (submitted, not reviewed, not forgotten).
    pub async fn open_report(&self, id: i64) -> Result<Option<FeedbackRow>> {
        const OP: &str = "open_report";
        let row = sqlx::query(&format!(
            "SELECT {} FROM feedback WHERE redacted_text IS NOT NULL AND reviewed_at IS NULL \
             AND id = $1",
            feedback::COLUMNS
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db(OP))?;
        row.map(|r| feedback::from_row(&r, OP)).transpose()
    }

    /// Closes report `id`: with [`Review::Confirm`] its text becomes an example. The report's
    /// text is dropped from `feedback` either way. `None` when the report is not open (reviewed
    /// already, forgotten by its reporter, or never submitted).
    pub async fn review_report(
        &self,
        id: i64,
        review: Review,
        now: i64,
    ) -> Result<Option<Option<Added>>> {
        const OP: &str = "review_report";
        let mut tx = self.begin_known_write(OP).await?;
        let row = sqlx::query(
            "SELECT redacted_text FROM feedback \
             WHERE id = $1 AND reviewed_at IS NULL AND redacted_text IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db(OP))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text: String = get(&row, "redacted_text", OP)?;
        // Closed here or nowhere: a second reviewer, or the reporter's /forget, may have got
        // there first (PostgreSQL does not lock the row for the SELECT above).
        let closed = sqlx::query(
            "UPDATE feedback SET reviewed_at = $1, redacted_text = NULL \
             WHERE id = $2 AND reviewed_at IS NULL AND redacted_text IS NOT NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db(OP))?
        .rows_affected();
        if closed != 1 {
            return Ok(None);
        }
        let added = match review {
            Review::Confirm(example) => {
                let example = NewExample {
                    redacted_text: text,
                    ..example
                };
                check_example(&example)?;
                Some(insert_example(&mut tx, &example, OP).await?)
            }
            Review::Dismiss => None,
        };
        tx.commit().await.map_err(db(OP))?;
        Ok(Some(added))
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Store {
    /// A write transaction on the examples. On PostgreSQL it first takes a transaction-scoped
    /// advisory lock, so these writes commit in the order of their ids and sequence numbers:
    /// an instance that has read id 42 never misses an id 41 committed after it. (SQLite's
    /// `BEGIN IMMEDIATE` already serialises writers.)
    async fn begin_known_write(&self, op: &'static str) -> Result<Tx> {
        let mut tx = self.begin_write(op).await?;
        if self.backend == super::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(KNOWN_WRITE_LOCK)
                .execute(&mut *tx)
                .await
                .map_err(db(op))?;
        }
        Ok(tx)
    }
}

/// The advisory lock key of [`Store::begin_known_write`] ("LGKNOWN" in ASCII).
const KNOWN_WRITE_LOCK: i64 = 0x004c_474b_4e4f_574e;

async fn insert_example(tx: &mut Tx, e: &NewExample, op: &'static str) -> Result<Added> {
    let hash = text_hash(&e.redacted_text);
    let earlier = sqlx::query("SELECT id, label, family FROM known_examples WHERE text_hash = $1")
        .bind(hash.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db(op))?;
    let replaced = match earlier {
        Some(row) => {
            let id: i64 = get(&row, "id", op)?;
            let label: String = get(&row, "label", op)?;
            let family: Option<String> = get(&row, "family", op)?;
            if label == e.label && family == e.family {
                return Ok(Added::Unchanged(id));
            }
            remove_example(tx, id, e.confirmed_at, op).await?;
            true
        }
        None => false,
    };
    let row = sqlx::query(
        "INSERT INTO known_examples (label, family, redacted_text, text_hash, fingerprint, \
         fingerprint_version, reviewer, confirmed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(e.label.as_str())
    .bind(e.family.as_deref())
    .bind(e.redacted_text.as_str())
    .bind(hash.as_str())
    .bind(e.fingerprint.clone())
    .bind(e.fingerprint_version)
    .bind(e.reviewer.as_str())
    .bind(e.confirmed_at)
    .fetch_one(&mut **tx)
    .await
    .map_err(db(op))?;
    let id = get(&row, "id", op)?;
    Ok(if replaced {
        Added::Replaced(id)
    } else {
        Added::New(id)
    })
}

async fn remove_example(tx: &mut Tx, id: i64, now: i64, op: &'static str) -> Result<bool> {
    let deleted = sqlx::query("DELETE FROM known_examples WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db(op))?
        .rows_affected();
    if deleted > 0 {
        sqlx::query("INSERT INTO known_removals (example_id, removed_at) VALUES ($1, $2)")
            .bind(id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(db(op))?;
    }
    Ok(deleted > 0)
}

fn check_example(e: &NewExample) -> Result<()> {
    if !LABELS.contains(&e.label.as_str()) {
        return Err(StorageError::InvalidInput(
            "label must be scam, suspicious or legit",
        ));
    }
    if e.redacted_text.trim().is_empty() {
        return Err(StorageError::InvalidInput("empty example text"));
    }
    Ok(())
}

fn text_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn listing(r: &AnyRow, op: &'static str) -> Result<ExampleListing> {
    Ok(ExampleListing {
        id: get(r, "id", op)?,
        label: get(r, "label", op)?,
        family: get(r, "family", op)?,
        redacted_text: get(r, "redacted_text", op)?,
        reviewer: get(r, "reviewer", op)?,
        confirmed_at: get(r, "confirmed_at", op)?,
    })
}
