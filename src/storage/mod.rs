//! Durable storage: dialogue state, saved plans, reminders, feedback, group settings and handled
//! updates, in SQLite (the default, a file next to the bot) or PostgreSQL (shared by several
//! instances), with the same code for both through sqlx's `Any` driver.
//!
//! - [`Store::connect`] takes `sqlite://path` (the file is created with mode 0600 if missing and
//!   put in WAL mode) or `postgres://…`, and applies the migrations embedded from
//!   `migrations/sqlite` or `migrations/postgres`.
//! - Queries are plain SQL with `$1`-style binds, which both backends accept through `Any`
//!   (SQLite reads `$N` as the N-th argument). Times are Unix seconds in `BIGINT` columns, JSON is
//!   `TEXT`, booleans are `0`/`1` integers (the `Any` driver cannot read SQLite booleans).
//! - Errors are [`StorageError`]s, which never carry user text.
//! - Telegram user ids are `u64` (teloxide's `UserId`), chat ids `i64` (teloxide's `ChatId`).
//!
//! Time never comes from the clock here: every call that needs "now" takes it as Unix seconds,
//! so tests control time.

mod dialogue;
mod error;
mod feedback;
mod known;
mod known_snapshot;
mod reminders;

pub use dialogue::DialogueStorage;
pub use error::{Result, StorageError};
pub use feedback::{FeedbackRow, NewFeedback};
pub use known::{Added, ExampleListing, ExampleRow, LABELS, NewExample, Review};
pub use known_snapshot::Snapshot;
pub use reminders::{MAX_LABEL_CHARS, MAX_REMINDERS_PER_USER, NewReminder, Reminder};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

/// A statement with its arguments bound, for [`Store::run`].
type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database used when `DATABASE_URL` is not set: a SQLite file in the working directory.
pub const DEFAULT_URL: &str = "sqlite://loanguard.db";

/// `DATABASE_URL` (from the environment or `.env`), or [`DEFAULT_URL`] when it is unset or blank.
pub fn database_url_from_env() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// Whether `url` names a database that is already there: an existing SQLite file, or any
/// PostgreSQL server (whether it answers is for [`Store::connect`] to find out). Lets a reader
/// such as `loanguard check` use a store without creating one.
pub fn database_exists(url: &str) -> bool {
    use sqlx::sqlite::SqliteConnectOptions;
    match Backend::from_url(url) {
        Ok(Backend::Postgres) => true,
        Ok(Backend::Sqlite) => SqliteConnectOptions::from_str(url)
            .map(|o| o.get_filename().is_file())
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// SQLite waits this long for another writer before giving up with "database is locked".
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Tables holding rows about a user; [`Store::forget_user`] empties them of that user and
/// [`Store::rows_about_user`] counts them.
pub const USER_TABLES: &[&str] = &[
    "dialogues",
    "feedback",
    "group_settings",
    "plans",
    "reminders",
];

/// Tables holding nothing about a user (Telegram update ids, the ids of group replies to delete
/// later, confirmed examples, which keep the reviewer's id but nothing of the reporter).
pub const OTHER_TABLES: &[&str] = &[
    "handled_updates",
    "known_examples",
    "known_removals",
    "known_snapshot",
    "pending_deletions",
];

/// The default database URL, `sqlite://loanguard.db`.
pub fn default_url() -> &'static str {
    DEFAULT_URL
}

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An SQLite file (or `sqlite::memory:`).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a URL names, from its scheme.
    pub fn from_url(url: &str) -> Result<Backend> {
        let scheme = url.split(':').next().unwrap_or_default();
        if scheme.eq_ignore_ascii_case("sqlite") {
            Ok(Backend::Sqlite)
        } else if scheme.eq_ignore_ascii_case("postgres")
            || scheme.eq_ignore_ascii_case("postgresql")
        {
            Ok(Backend::Postgres)
        } else {
            Err(StorageError::UnsupportedUrl)
        }
    }
}

/// Group chat settings; [`Default`] (everything off / unset) when the group set nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupSettings {
    /// Delete the bot's group replies after this many minutes; `None` keeps them.
    pub auto_delete_minutes: Option<u32>,
    /// Reply language for the group, such as `"zh-CN"` or `"en"`; `None` follows each user.
    pub language: Option<String>,
}

/// What [`Store::forget_user`] deleted, table by table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForgetReport {
    /// Saved plans (0 or 1).
    pub plans: u64,
    /// Reminders.
    pub reminders: u64,
    /// Feedback rows, with any submitted text.
    pub feedback: u64,
    /// Dialogue state of the private chat (0 or 1).
    pub dialogues: u64,
    /// Settings stored under the private chat's id (normally 0: settings are for groups).
    pub group_settings: u64,
}

impl ForgetReport {
    /// Rows deleted in all.
    pub fn total(&self) -> u64 {
        self.plans + self.reminders + self.feedback + self.dialogues + self.group_settings
    }
}

/// A handle on the database; cheap to clone (a connection pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` and applies the embedded migrations.
    ///
    /// - `sqlite://path` or `sqlite:path` (relative to the working directory; `sqlite:///abs`
    ///   for an absolute path): creates the file with mode 0600 if it is missing (an existing
    ///   file keeps its mode), switches it to WAL, and sets a busy timeout of
    ///   [`SQLITE_BUSY_TIMEOUT_MS`] on every connection. `sqlite::memory:` gives a private
    ///   in-memory database on a single connection, for tests.
    /// - `postgres://user:password@host:port/db` (or `postgresql://`), with sqlx's URL options
    ///   such as `?sslmode=disable`.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let pool = match backend {
            Backend::Sqlite => connect_sqlite(url).await?,
            Backend::Postgres => connect_postgres(url).await?,
        };
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection; later calls fail with "pool closed".
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        // PostgreSQL serialises concurrent migrators with an advisory lock. SQLite has no such
        // lock: two processes migrating a new file at once can collide, and the loser succeeds
        // on a retry because it then finds the migrations applied.
        let mut attempts = 0;
        loop {
            match migrator.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(MigrateError::Execute(_) | MigrateError::ExecuteMigration(..))
                    if self.backend == Backend::Sqlite && attempts < 3 =>
                {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100 * attempts)).await;
                }
                Err(e) => return Err(StorageError::migrate(&e)),
            }
        }
    }

    /// Starts a transaction that writes: `BEGIN IMMEDIATE` on SQLite (takes the write lock at
    /// once, waiting up to the busy timeout, so a read-then-write cannot fail half-way), a plain
    /// `BEGIN` on PostgreSQL (where the statements lock rows themselves).
    async fn begin_write(&self, op: &'static str) -> Result<Transaction<'static, Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        };
        tx.map_err(db(op))
    }

    /// Names of the tables the migrations created (without sqlx's own `_sqlx_migrations`), sorted.
    /// Tests compare them with [`USER_TABLES`] and [`OTHER_TABLES`] so that a new table cannot
    /// escape [`Store::forget_user`] unnoticed.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        const OP: &str = "table_names";
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' \
                 ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY name"
            }
        };
        let rows = sqlx::query(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(db(OP))?;
        rows.iter().map(|r| get(r, "name", OP)).collect()
    }

    // ----- dialogue state ------------------------------------------------------------------

    /// The dialogue state (JSON) of a chat, if any.
    pub async fn get_dialogue(&self, chat_id: i64) -> Result<Option<String>> {
        const OP: &str = "get_dialogue";
        let row = sqlx::query("SELECT dialogue FROM dialogues WHERE chat_id = $1")
            .bind(chat_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(OP))?;
        row.map(|r| get(&r, "dialogue", OP)).transpose()
    }

    /// Runs a statement; returns how many rows it changed.
    async fn run(&self, query: AnyQuery<'_>, op: &'static str) -> Result<u64> {
        let done = query.execute(&self.pool).await.map_err(db(op))?;
        Ok(done.rows_affected())
    }

    /// Stores the dialogue state (JSON) of a chat, replacing any earlier one.
    pub async fn set_dialogue(&self, chat_id: i64, json: &str) -> Result<()> {
        let query = sqlx::query(
            "INSERT INTO dialogues (chat_id, dialogue) VALUES ($1, $2) \
             ON CONFLICT (chat_id) DO UPDATE SET dialogue = excluded.dialogue",
        )
        .bind(chat_id)
        .bind(json);
        self.run(query, "set_dialogue").await?;
        Ok(())
    }

    /// Removes a chat's dialogue state; `true` if there was one.
    pub async fn remove_dialogue(&self, chat_id: i64) -> Result<bool> {
        let query = sqlx::query("DELETE FROM dialogues WHERE chat_id = $1").bind(chat_id);
        Ok(self.run(query, "remove_dialogue").await? > 0)
    }

    /// A teloxide dialogue storage over this store (JSON, keyed by chat).
    pub fn dialogue_storage(&self) -> std::sync::Arc<DialogueStorage> {
        DialogueStorage::new(self.clone())
    }

    // ----- plans ---------------------------------------------------------------------------

    /// Saves a user's plan (JSON), replacing any earlier one.
    pub async fn save_plan(&self, user_id: u64, json: &str) -> Result<()> {
        let query = sqlx::query(
            "INSERT INTO plans (user_id, plan) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan",
        )
        .bind(user_key(user_id)?)
        .bind(json);
        self.run(query, "save_plan").await?;
        Ok(())
    }

    /// The user's saved plan (JSON), if any.
    pub async fn load_plan(&self, user_id: u64) -> Result<Option<String>> {
        const OP: &str = "load_plan";
        let row = sqlx::query("SELECT plan FROM plans WHERE user_id = $1")
            .bind(user_key(user_id)?)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(OP))?;
        row.map(|r| get(&r, "plan", OP)).transpose()
    }

    /// Deletes the user's saved plan; `true` if there was one.
    pub async fn delete_plan(&self, user_id: u64) -> Result<bool> {
        let query = sqlx::query("DELETE FROM plans WHERE user_id = $1").bind(user_key(user_id)?);
        Ok(self.run(query, "delete_plan").await? > 0)
    }

    // ----- group settings ------------------------------------------------------------------

    /// A group's settings; the defaults when it set nothing.
    pub async fn group_settings(&self, chat_id: i64) -> Result<GroupSettings> {
        const OP: &str = "group_settings";
        let row = sqlx::query(
            "SELECT auto_delete_minutes, language FROM group_settings WHERE chat_id = $1",
        )
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db(OP))?;
        let Some(row) = row else {
            return Ok(GroupSettings::default());
        };
        let minutes: Option<i64> = get(&row, "auto_delete_minutes", OP)?;
        Ok(GroupSettings {
            auto_delete_minutes: minutes.and_then(|m| u32::try_from(m).ok()),
            language: get(&row, "language", OP)?,
        })
    }

    /// Sets (or with `None` or `Some(0)`, turns off) auto-deleting the bot's replies in a group.
    pub async fn set_group_auto_delete(&self, chat_id: i64, minutes: Option<u32>) -> Result<()> {
        let minutes = minutes.filter(|&m| m > 0).map(i64::from);
        let query = sqlx::query(
            "INSERT INTO group_settings (chat_id, auto_delete_minutes) VALUES ($1, $2) \
             ON CONFLICT (chat_id) DO UPDATE SET auto_delete_minutes = excluded.auto_delete_minutes",
        )
        .bind(chat_id)
        .bind(minutes);
        self.run(query, "set_group_auto_delete").await?;
        Ok(())
    }

    /// Sets (or with `None`, clears) a group's reply language. At most 16 characters: it is a
    /// language code, not free text.
    pub async fn set_group_language(&self, chat_id: i64, language: Option<String>) -> Result<()> {
        if language.as_ref().is_some_and(|l| l.chars().count() > 16) {
            return Err(StorageError::InvalidInput(
                "language code longer than 16 characters",
            ));
        }
        let query = sqlx::query(
            "INSERT INTO group_settings (chat_id, language) VALUES ($1, $2) \
             ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language",
        )
        .bind(chat_id)
        .bind(language);
        self.run(query, "set_group_language").await?;
        Ok(())
    }

    /// Forgets a group's settings (for example when the bot leaves it); `true` if it had any.
    pub async fn delete_group_settings(&self, chat_id: i64) -> Result<bool> {
        let query = sqlx::query("DELETE FROM group_settings WHERE chat_id = $1").bind(chat_id);
        Ok(self.run(query, "delete_group_settings").await? > 0)
    }

    // ----- handled updates -----------------------------------------------------------------

    /// Records that an update was handled; `false` if it already was (another instance or an
    /// earlier delivery took it), so the caller should skip it.
    pub async fn mark_update_handled(&self, update_id: i64) -> Result<bool> {
        let query = sqlx::query(
            "INSERT INTO handled_updates (update_id, handled_at) VALUES ($1, $2) \
             ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(crate::clock::unix_now());
        Ok(self.run(query, "mark_update_handled").await? == 1)
    }

    /// Records `update_id` and the updates its reply also answers (the rest of a batch of
    /// forwards) as handled, all or none; `false`, recording nothing, if `update_id` already
    /// was.
    pub async fn claim_updates(&self, update_id: i64, also: &[i64]) -> Result<bool> {
        const OP: &str = "claim_updates";
        if also.is_empty() {
            return self.mark_update_handled(update_id).await;
        }
        let mut tx = self.begin_write(OP).await?;
        let insert = "INSERT INTO handled_updates (update_id, handled_at) VALUES ($1, $2) \
                      ON CONFLICT (update_id) DO NOTHING";
        let now = crate::clock::unix_now();
        let first = sqlx::query(insert)
            .bind(update_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db(OP))?;
        if first.rows_affected() != 1 {
            return Ok(false); // dropping the transaction rolls it back
        }
        for id in also {
            sqlx::query(insert)
                .bind(*id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db(OP))?;
        }
        tx.commit().await.map_err(db(OP))?;
        Ok(true)
    }

    /// Whether an update was already handled (by this or another instance).
    pub async fn is_update_handled(&self, update_id: i64) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM handled_updates WHERE update_id = $1")
            .bind(update_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("is_update_handled"))?;
        Ok(row.is_some())
    }

    /// Keeps only the `keep_last` highest update ids; returns how many were deleted.
    pub async fn prune_handled_updates(&self, keep_last: i64) -> Result<u64> {
        let query = sqlx::query(
            "DELETE FROM handled_updates WHERE update_id <= \
             (SELECT update_id FROM handled_updates ORDER BY update_id DESC LIMIT 1 OFFSET $1)",
        )
        .bind(keep_last.max(0));
        self.run(query, "prune_handled_updates").await
    }

    /// Forgets updates handled before `cutoff` (Unix seconds): Telegram redelivers an update
    /// for at most 24 hours, so older records protect nothing. Returns how many went.
    pub async fn prune_handled_before(&self, cutoff: i64) -> Result<u64> {
        let query = sqlx::query("DELETE FROM handled_updates WHERE handled_at < $1").bind(cutoff);
        self.run(query, "prune_handled_before").await
    }

    // ----- group replies to delete later ---------------------------------------------------

    /// Remembers to delete the bot's message `message_id` in `chat_id` at `delete_at`.
    pub async fn schedule_deletion(
        &self,
        chat_id: i64,
        message_id: i64,
        delete_at: i64,
    ) -> Result<()> {
        let query = sqlx::query(
            "INSERT INTO pending_deletions (chat_id, message_id, delete_at) VALUES ($1, $2, $3) \
             ON CONFLICT (chat_id, message_id) DO UPDATE SET delete_at = excluded.delete_at",
        )
        .bind(chat_id)
        .bind(message_id)
        .bind(delete_at);
        self.run(query, "schedule_deletion").await?;
        Ok(())
    }

    /// The messages due for deletion at `now` (at most `limit`), as (chat, message).
    pub async fn due_deletions(&self, now: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
        const OP: &str = "due_deletions";
        let rows = sqlx::query(
            "SELECT chat_id, message_id FROM pending_deletions WHERE delete_at <= $1 \
             ORDER BY delete_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db(OP))?;
        rows.iter()
            .map(|r| Ok((get(r, "chat_id", OP)?, get(r, "message_id", OP)?)))
            .collect()
    }

    /// Forgets a deletion once it was carried out (or can no longer be).
    pub async fn drop_deletion(&self, chat_id: i64, message_id: i64) -> Result<()> {
        let query =
            sqlx::query("DELETE FROM pending_deletions WHERE chat_id = $1 AND message_id = $2")
                .bind(chat_id)
                .bind(message_id);
        self.run(query, "drop_deletion").await?;
        Ok(())
    }

    // ----- /forget -------------------------------------------------------------------------

    /// Deletes every row about a user, in one transaction: their plan, reminders (theirs, and
    /// any in their private chat), feedback with any submitted text, the dialogue state of their
    /// private chat, and settings stored under that chat's id.
    pub async fn forget_user(&self, user_id: u64, private_chat_id: i64) -> Result<ForgetReport> {
        const OP: &str = "forget_user";
        let user = user_key(user_id)?;
        let mut tx = self.begin_write(OP).await?;
        let chat = private_chat_id;
        let report = ForgetReport {
            plans: delete(&mut tx, "DELETE FROM plans WHERE user_id = $1", user, None).await?,
            reminders: delete(
                &mut tx,
                "DELETE FROM reminders WHERE user_id = $1 OR chat_id = $2",
                user,
                Some(chat),
            )
            .await?,
            feedback: delete(
                &mut tx,
                "DELETE FROM feedback WHERE user_id = $1",
                user,
                None,
            )
            .await?,
            dialogues: delete(
                &mut tx,
                "DELETE FROM dialogues WHERE chat_id = $1",
                chat,
                None,
            )
            .await?,
            group_settings: delete(
                &mut tx,
                "DELETE FROM group_settings WHERE chat_id = $1",
                chat,
                None,
            )
            .await?,
        };
        tx.commit().await.map_err(db(OP))?;
        Ok(report)
    }

    /// How many rows in all of [`USER_TABLES`] are about the user (the same rows
    /// [`Store::forget_user`] deletes). For tests and `/forget`'s own check.
    pub async fn rows_about_user(&self, user_id: u64, private_chat_id: i64) -> Result<u64> {
        const OP: &str = "rows_about_user";
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM plans WHERE user_id = $1) \
             + (SELECT COUNT(*) FROM reminders WHERE user_id = $1 OR chat_id = $2) \
             + (SELECT COUNT(*) FROM feedback WHERE user_id = $1) \
             + (SELECT COUNT(*) FROM dialogues WHERE chat_id = $2) \
             + (SELECT COUNT(*) FROM group_settings WHERE chat_id = $2) AS n",
        )
        .bind(user_key(user_id)?)
        .bind(private_chat_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db(OP))?;
        let n: i64 = get(&row, "n", OP)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Runs a `DELETE` with one or two binds inside `/forget`'s transaction; returns rows deleted.
async fn delete(
    tx: &mut Transaction<'static, Any>,
    sql: &'static str,
    first: i64,
    second: Option<i64>,
) -> Result<u64> {
    let mut query = sqlx::query(sql).bind(first);
    if let Some(second) = second {
        query = query.bind(second);
    }
    let done = query.execute(&mut **tx).await.map_err(db("forget_user"))?;
    Ok(done.rows_affected())
}

async fn connect_sqlite(url: &str) -> Result<AnyPool> {
    use sqlx::sqlite::SqliteConnectOptions;

    // Parse as sqlx will, to learn the file name, and read the mode ourselves.
    let parsed = SqliteConnectOptions::from_str(url).map_err(|_| StorageError::InvalidUrl)?;
    let rest = url
        .get("sqlite:".len()..)
        .unwrap_or_default()
        .trim_start_matches("//");
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    let mode = url::form_urlencoded::parse(params.as_bytes())
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.into_owned());
    let in_memory = database == ":memory:" || mode.as_deref() == Some("memory");
    let read_only = mode.as_deref() == Some("ro");
    if !in_memory && !read_only {
        create_db_file(parsed.get_filename())?;
    }

    let options = AnyConnectOptions::from_str(url).map_err(|_| StorageError::InvalidUrl)?;
    let mut pool = AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str())
                    .await?;
                // In WAL mode, NORMAL survives a crash of the process (not of the machine) and
                // commits without an fsync, which keeps "reply sent, not yet recorded" short.
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                // Deleted rows (after /forget) are overwritten with zeros, not left in free
                // pages for anyone who reads the file.
                conn.execute("PRAGMA secure_delete = ON").await?;
                Ok(())
            })
        });
    pool = if in_memory {
        // Each connection to `:memory:` is its own database: keep exactly one, forever.
        pool.max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool.max_connections(8)
    };
    let pool = pool.connect_with(options).await.map_err(db("connect"))?;
    if !in_memory && !read_only {
        // WAL is a property of the file: readers do not block the writer and vice versa.
        pool.execute("PRAGMA journal_mode = WAL")
            .await
            .map_err(db("connect"))?;
    }
    Ok(pool)
}

async fn connect_postgres(url: &str) -> Result<AnyPool> {
    let options = AnyConnectOptions::from_str(url).map_err(|_| StorageError::InvalidUrl)?;
    AnyPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(db("connect"))
}

/// Creates an empty database file readable by its owner only. An empty file is a valid, empty
/// SQLite database; SQLite gives its `-wal` and `-shm` files the same mode.
fn create_db_file(path: &Path) -> Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    match open.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StorageError::CreateFile(e.kind())),
    }
}

/// Error mapper for `map_err`.
fn db(op: &'static str) -> impl FnOnce(sqlx::Error) -> StorageError {
    move |e| StorageError::db(op, e)
}

/// Reads a column.
fn get<'r, T>(row: &'r AnyRow, column: &str, op: &'static str) -> Result<T>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(column).map_err(db(op))
}

/// A Telegram user id as stored (`BIGINT`).
fn user_key(user_id: u64) -> Result<i64> {
    i64::try_from(user_id).map_err(|_| StorageError::InvalidInput("user id out of range"))
}

/// A stored user id back as Telegram's `u64`.
fn user_from_key(key: i64) -> Result<u64> {
    u64::try_from(key).map_err(|_| StorageError::InvalidInput("stored user id is negative"))
}
