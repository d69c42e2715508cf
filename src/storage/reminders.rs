//! Monthly repayment reminders: add, list, delete, change hour, and claim the due ones.
//!
//! A reminder's `next_fire_at` is always the slot it fires at next (see [`crate::reminders`]).
//! [`Store::claim_due`] is the only thing that fires reminders: it takes the due ones and moves
//! each to its first slot strictly after `now` in the same transaction, so a reminder is handed
//! out once per slot however many instances claim at once, and a reminder missed for months
//! while the bot was down is handed out once, not once per missed month. Delivery is at most
//! once: a reminder whose message fails to send is not retried.

use sqlx::any::AnyRow;

use super::{Backend, Result, StorageError, Store, db, get, user_from_key, user_key};
use crate::reminders::{next_fire, reschedule_hour};

/// Longest label accepted, in characters (a lender's name such as "借呗", not free text).
pub const MAX_LABEL_CHARS: usize = 64;

/// Reminders one user may keep: enough for every debt, not enough to fill the database.
pub const MAX_REMINDERS_PER_USER: usize = 20;

/// A reminder to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReminder {
    /// Telegram user who set it.
    pub user_id: u64,
    /// Chat to send it to (the user's private chat).
    pub chat_id: i64,
    /// Day of the month, 1–31; 29–31 fire on the last day of shorter months.
    pub day_of_month: u32,
    /// Hour, 0–23, Asia/Shanghai ([`crate::reminders::DEFAULT_HOUR`] is 9).
    pub hour: u32,
    /// What to repay, such as "借呗"; at most [`MAX_LABEL_CHARS`] characters, may be empty.
    pub label: String,
}

/// A stored reminder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    /// Row id.
    pub id: i64,
    /// Telegram user who set it.
    pub user_id: u64,
    /// Chat to send it to.
    pub chat_id: i64,
    /// Day of the month, 1–31.
    pub day_of_month: u32,
    /// Hour, 0–23, Asia/Shanghai.
    pub hour: u32,
    /// What to repay.
    pub label: String,
    /// Unix time of the next slot. For a reminder returned by [`Store::claim_due`], the slot
    /// after the one that was due.
    pub next_fire_at: i64,
    /// Unix time it was last claimed, if ever.
    pub last_fired_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, user_id, chat_id, day_of_month, hour, label, next_fire_at, last_fired_at"
    };
}

const SELECT_DUE_SQLITE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM reminders WHERE next_fire_at <= $1 ORDER BY next_fire_at, id LIMIT $2"
);
const SELECT_DUE_POSTGRES: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM reminders WHERE next_fire_at <= $1 ORDER BY next_fire_at, id LIMIT $2",
    " FOR UPDATE SKIP LOCKED"
);

impl Store {
    /// Adds a reminder that first fires at its first slot strictly after `now`; returns its id.
    pub async fn add_reminder(&self, new: &NewReminder, now: i64) -> Result<i64> {
        const OP: &str = "add_reminder";
        check_day_hour(new.day_of_month, new.hour)?;
        if new.label.chars().count() > MAX_LABEL_CHARS {
            return Err(StorageError::InvalidInput("reminder label too long"));
        }
        let count = sqlx::query("SELECT COUNT(*) AS n FROM reminders WHERE user_id = $1")
            .bind(user_key(new.user_id)?)
            .fetch_one(&self.pool)
            .await
            .map_err(db("add_reminder"))?;
        let count: i64 = get(&count, "n", "add_reminder")?;
        if count >= MAX_REMINDERS_PER_USER as i64 {
            return Err(StorageError::InvalidInput("too many reminders"));
        }
        let next = next_fire(now, new.day_of_month, new.hour);
        let row = sqlx::query(
            "INSERT INTO reminders (user_id, chat_id, day_of_month, hour, label, next_fire_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_key(new.user_id)?)
        .bind(new.chat_id)
        .bind(i64::from(new.day_of_month))
        .bind(i64::from(new.hour))
        .bind(new.label.as_str())
        .bind(next)
        .fetch_one(&self.pool)
        .await
        .map_err(db(OP))?;
        get(&row, "id", OP)
    }

    /// The user's reminders, by day of month, hour and id.
    pub async fn list_reminders(&self, user_id: u64) -> Result<Vec<Reminder>> {
        const OP: &str = "list_reminders";
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM reminders WHERE user_id = $1 ORDER BY day_of_month, hour, id"
        ))
        .bind(user_key(user_id)?)
        .fetch_all(&self.pool)
        .await
        .map_err(db(OP))?;
        rows.iter().map(|r| from_row(r, OP)).collect()
    }

    /// Deletes all the user's reminders; returns how many.
    pub async fn delete_reminders(&self, user_id: u64) -> Result<u64> {
        let query =
            sqlx::query("DELETE FROM reminders WHERE user_id = $1").bind(user_key(user_id)?);
        self.run(query, "delete_reminders").await
    }

    /// Deletes one of the user's reminders; `false` if it is not theirs or does not exist.
    pub async fn delete_reminder(&self, user_id: u64, id: i64) -> Result<bool> {
        let query = sqlx::query("DELETE FROM reminders WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_key(user_id)?);
        Ok(self.run(query, "delete_reminder").await? > 0)
    }

    /// Moves all the user's reminders to `hour` (0–23, Asia/Shanghai); returns how many.
    ///
    /// Each keeps the month it is pending for ([`crate::reminders::reschedule_hour`]): one that
    /// already fired this month is not fired again, and one still pending today whose new hour
    /// has passed becomes due and fires at the next [`Store::claim_due`].
    pub async fn set_reminder_hour(&self, user_id: u64, hour: u32) -> Result<u64> {
        const OP: &str = "set_reminder_hour";
        check_day_hour(1, hour)?;
        let user = user_key(user_id)?;
        let mut tx = self.begin_write(OP).await?;
        let select = match self.backend {
            Backend::Sqlite => {
                "SELECT id, day_of_month, next_fire_at FROM reminders WHERE user_id = $1"
            }
            Backend::Postgres => {
                "SELECT id, day_of_month, next_fire_at FROM reminders WHERE user_id = $1 FOR UPDATE"
            }
        };
        let rows = sqlx::query(select)
            .bind(user)
            .fetch_all(&mut *tx)
            .await
            .map_err(db(OP))?;
        let mut changed = 0;
        for row in &rows {
            let id: i64 = get(row, "id", OP)?;
            let day = small(get(row, "day_of_month", OP)?)?;
            let pending: i64 = get(row, "next_fire_at", OP)?;
            let next = reschedule_hour(pending, day, hour);
            let done =
                sqlx::query("UPDATE reminders SET hour = $1, next_fire_at = $2 WHERE id = $3")
                    .bind(i64::from(hour))
                    .bind(next)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db(OP))?;
            changed += done.rows_affected();
        }
        tx.commit().await.map_err(db(OP))?;
        Ok(changed)
    }

    /// Claims up to `limit` reminders due at `now` (`next_fire_at <= now`), oldest first: in one
    /// transaction, moves each to its first slot strictly after `now`, sets `last_fired_at` to
    /// `now`, and returns them (with the new `next_fire_at`). The caller sends them.
    ///
    /// Two claimers never get the same reminder for the same slot: PostgreSQL locks the rows
    /// with `FOR UPDATE SKIP LOCKED` (another instance skips them and takes others); SQLite
    /// takes the database's write lock with `BEGIN IMMEDIATE`. Each update is also conditional
    /// on `next_fire_at` being unchanged, as a guard.
    pub async fn claim_due(&self, now: i64, limit: u32) -> Result<Vec<Reminder>> {
        const OP: &str = "claim_due";
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write(OP).await?;
        let select = match self.backend {
            Backend::Sqlite => SELECT_DUE_SQLITE,
            Backend::Postgres => SELECT_DUE_POSTGRES,
        };
        let rows = sqlx::query(select)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db(OP))?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut reminder = from_row(row, OP)?;
            let next = next_fire(now, reminder.day_of_month, reminder.hour);
            let done = sqlx::query(
                "UPDATE reminders SET next_fire_at = $1, last_fired_at = $2 \
                 WHERE id = $3 AND next_fire_at = $4",
            )
            .bind(next)
            .bind(now)
            .bind(reminder.id)
            .bind(reminder.next_fire_at)
            .execute(&mut *tx)
            .await
            .map_err(db(OP))?;
            if done.rows_affected() == 1 {
                reminder.next_fire_at = next;
                reminder.last_fired_at = Some(now);
                claimed.push(reminder);
            }
        }
        tx.commit().await.map_err(db(OP))?;
        Ok(claimed)
    }

    /// The earliest `next_fire_at` of all reminders, so a scheduler can sleep until then
    /// (bounded by its own polling interval, since another instance may add reminders).
    pub async fn next_reminder_at(&self) -> Result<Option<i64>> {
        const OP: &str = "next_reminder_at";
        let row = sqlx::query("SELECT MIN(next_fire_at) AS t FROM reminders")
            .fetch_one(&self.pool)
            .await
            .map_err(db(OP))?;
        get(&row, "t", OP)
    }
}

fn check_day_hour(day_of_month: u32, hour: u32) -> Result<()> {
    if !(1..=31).contains(&day_of_month) {
        return Err(StorageError::InvalidInput("day of month must be 1–31"));
    }
    if hour > 23 {
        return Err(StorageError::InvalidInput("hour must be 0–23"));
    }
    Ok(())
}

fn small(value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| StorageError::InvalidInput("stored value out of range"))
}

fn from_row(row: &AnyRow, op: &'static str) -> Result<Reminder> {
    Ok(Reminder {
        id: get(row, "id", op)?,
        user_id: user_from_key(get(row, "user_id", op)?)?,
        chat_id: get(row, "chat_id", op)?,
        day_of_month: small(get(row, "day_of_month", op)?)?,
        hour: small(get(row, "hour", op)?)?,
        label: get(row, "label", op)?,
        next_fire_at: get(row, "next_fire_at", op)?,
        last_fired_at: get(row, "last_fired_at", op)?,
    })
}
