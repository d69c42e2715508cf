//! Storage tests. Every test runs against a fresh SQLite file in the temp directory, always,
//! and against PostgreSQL when TEST_DATABASE_URL is set (each test in a fresh schema of that
//! database); without it the PostgreSQL half reports "skipped: TEST_DATABASE_URL not set".
//! Time is passed in, never read from the clock.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use loanguard::classifier::known::fingerprint::VERSION;
use loanguard::classifier::{Classifier, Verdict};
use loanguard::confirmed::KnownStore;
use loanguard::storage::{
    Added, Backend, GroupSettings, MAX_LABEL_CHARS, NewFeedback, NewReminder, OTHER_TABLES, Review,
    StorageError, Store, USER_TABLES, default_url,
};
use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::{Dialogue, Storage};
use teloxide::types::ChatId;

// ----- harness -------------------------------------------------------------------------------

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{name}_{}_{}_{nanos}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// A SQLite file in the temp directory, removed (with its -wal and -shm) when dropped.
struct SqliteFile {
    path: PathBuf,
}

impl SqliteFile {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("loanguard-test-{}.db", unique(name)));
        Self { path }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

/// A fresh schema in the TEST_DATABASE_URL database; the URL puts it first on the search path.
struct PgSchema {
    base: String,
    schema: String,
}

impl PgSchema {
    async fn create(base: &str, name: &str) -> Self {
        let schema = format!("lg_{}", unique(name)).to_lowercase();
        let pool = sqlx::PgPool::connect(base)
            .await
            .expect("connect to TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
            .execute(&pool)
            .await
            .expect("create test schema");
        pool.close().await;
        Self {
            base: base.to_string(),
            schema,
        }
    }

    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!(
            "{}{sep}options=-c%20search_path%3D{}",
            self.base, self.schema
        )
    }

    async fn drop_schema(self) {
        if let Ok(pool) = sqlx::PgPool::connect(&self.base).await {
            let _ = sqlx::query(&format!("DROP SCHEMA \"{}\" CASCADE", self.schema))
                .execute(&pool)
                .await;
            pool.close().await;
        }
    }
}

fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// Runs `test` with the URL of a fresh SQLite database, then of a fresh PostgreSQL schema when
/// TEST_DATABASE_URL is set.
async fn on_each_backend(name: &str, test: impl AsyncFn(String)) {
    let file = SqliteFile::new(name);
    test(file.url()).await;
    drop(file);

    match postgres_url() {
        Some(base) => {
            let schema = PgSchema::create(&base, name).await;
            test(schema.url()).await;
            schema.drop_schema().await;
        }
        None => report_skipped(name),
    }
}

fn report_skipped(name: &str) {
    println!("{name} on PostgreSQL: skipped: TEST_DATABASE_URL not set");
    // Once per run, also past the test harness's output capture, so `cargo test` shows it.
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "storage tests on PostgreSQL: skipped: TEST_DATABASE_URL not set"
        );
    });
}

async fn connect(url: &str) -> Store {
    Store::connect(url).await.expect("connect")
}

/// Unix time of a Shanghai local date and time.
fn sh(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
        .and_utc()
        .timestamp()
        - 8 * 3600
}

fn reminder(user_id: u64, day: u32, hour: u32, label: &str) -> NewReminder {
    NewReminder {
        user_id,
        chat_id: user_id as i64,
        day_of_month: day,
        hour,
        label: label.to_string(),
    }
}

fn all_tables() -> Vec<String> {
    let mut t: Vec<String> = USER_TABLES
        .iter()
        .chain(OTHER_TABLES)
        .map(|s| s.to_string())
        .collect();
    t.sort();
    t
}

// ----- connection and migrations -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_on_fresh_and_existing_database() {
    on_each_backend("migrations", async |url| {
        let store = connect(&url).await;
        let expected = if url.starts_with("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        assert_eq!(store.backend(), expected);
        assert_eq!(store.table_names().await.unwrap(), all_tables());
        store.save_plan(1, r#"{"income":8000}"#).await.unwrap();
        store.close().await;

        // Again on the now existing database: nothing to apply, data kept.
        let again = connect(&url).await;
        assert_eq!(again.table_names().await.unwrap(), all_tables());
        assert_eq!(
            again.load_plan(1).await.unwrap().as_deref(),
            Some(r#"{"income":8000}"#)
        );
        // And two handles at once on the same database.
        let third = connect(&url).await;
        assert_eq!(
            third.load_plan(1).await.unwrap().as_deref(),
            Some(r#"{"income":8000}"#)
        );
        again.close().await;
        third.close().await;
    })
    .await;
}

#[tokio::test]
async fn urls() {
    assert_eq!(default_url(), "sqlite://loanguard.db");
    assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
    assert_eq!(
        Backend::from_url("sqlite::memory:").unwrap(),
        Backend::Sqlite
    );
    assert_eq!(
        Backend::from_url("postgres://u:p@h/db").unwrap(),
        Backend::Postgres
    );
    assert_eq!(
        Backend::from_url("postgresql://u:p@h/db").unwrap(),
        Backend::Postgres
    );
    // The error does not repeat the URL, which may hold a password.
    let err = Store::connect("mysql://user:hunter2@localhost/db")
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::UnsupportedUrl));
    assert!(!err.to_string().contains("hunter2"));

    // An in-memory database works too (one connection, for quick tests).
    let mem = connect("sqlite::memory:").await;
    mem.save_plan(5, "{}").await.unwrap();
    assert_eq!(mem.load_plan(5).await.unwrap().as_deref(), Some("{}"));
    assert_eq!(mem.table_names().await.unwrap(), all_tables());

    // A file in a missing directory is a clean error.
    let missing = std::env::temp_dir()
        .join(unique("no_such_dir"))
        .join("x.db");
    let err = Store::connect(&format!("sqlite://{}", missing.display()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::CreateFile(std::io::ErrorKind::NotFound)),
        "{err:?}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sqlite_file_is_created_with_mode_0600_in_wal_mode() {
    use std::os::unix::fs::PermissionsExt;

    let file = SqliteFile::new("mode");
    assert!(!file.path.exists());
    let store = connect(&file.url()).await;
    store.save_plan(1, "{}").await.unwrap();
    let mode = std::fs::metadata(&file.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "database file mode {mode:o}");
    // WAL mode: the write-ahead log exists next to the file while connections are open, with
    // the same mode.
    let mut wal = file.path.clone().into_os_string();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    assert!(wal.exists(), "no -wal file: not in WAL mode");
    let mode = std::fs::metadata(&wal).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "-wal file mode {mode:o}");
    store.close().await;
}

// ----- dialogues -----------------------------------------------------------------------------

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
enum PlanState {
    #[default]
    Start,
    AskExpenses {
        income: u64,
    },
    AskDebt {
        income: u64,
        expenses: u64,
        debts: Vec<(String, u64)>,
    },
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogue_get_set_remove() {
    on_each_backend("dialogue", async |url| {
        let store = connect(&url).await;
        assert_eq!(store.get_dialogue(100).await.unwrap(), None);
        store.set_dialogue(100, r#"{"a":1}"#).await.unwrap();
        store
            .set_dialogue(-100200300, r#"{"group":true}"#)
            .await
            .unwrap();
        assert_eq!(
            store.get_dialogue(100).await.unwrap().as_deref(),
            Some(r#"{"a":1}"#)
        );
        store.set_dialogue(100, r#"{"a":2}"#).await.unwrap();
        assert_eq!(
            store.get_dialogue(100).await.unwrap().as_deref(),
            Some(r#"{"a":2}"#)
        );
        assert!(store.remove_dialogue(100).await.unwrap());
        assert!(!store.remove_dialogue(100).await.unwrap());
        assert_eq!(store.get_dialogue(100).await.unwrap(), None);
        assert_eq!(
            store.get_dialogue(-100200300).await.unwrap().as_deref(),
            Some(r#"{"group":true}"#)
        );
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogue_teloxide_storage_survives_restart() {
    on_each_backend("teloxide_storage", async |url| {
        let store = connect(&url).await;
        let storage = store.dialogue_storage();
        let chat = ChatId(4242);

        // Through teloxide's Dialogue, as handlers use it.
        let dialogue: Dialogue<PlanState, _> = Dialogue::new(storage.clone(), chat);
        assert_eq!(dialogue.get().await.unwrap(), None);
        assert_eq!(dialogue.get_or_default().await.unwrap(), PlanState::Start);
        dialogue
            .update(PlanState::AskExpenses { income: 8000 })
            .await
            .unwrap();
        assert_eq!(
            dialogue.get().await.unwrap(),
            Some(PlanState::AskExpenses { income: 8000 })
        );
        let state = PlanState::AskDebt {
            income: 8000,
            expenses: 5000,
            debts: vec![("借呗".into(), 20000), ("花呗".into(), 5000)],
        };
        dialogue.update(state.clone()).await.unwrap();
        store.close().await;

        // "Restart": a new store on the same database sees the dialogue.
        let store = connect(&url).await;
        let storage = store.dialogue_storage();
        let got = Storage::<PlanState>::get_dialogue(storage.clone(), chat)
            .await
            .unwrap();
        assert_eq!(got, Some(state));
        // Stored as JSON text.
        let json = store.get_dialogue(chat.0).await.unwrap().unwrap();
        assert!(json.contains("AskDebt") && json.contains("借呗"), "{json}");

        // exit() removes it; removing again is the trait's "not found" error.
        let dialogue: Dialogue<PlanState, _> = Dialogue::new(storage.clone(), chat);
        dialogue.exit().await.unwrap();
        assert_eq!(dialogue.get().await.unwrap(), None);
        let err = Storage::<PlanState>::remove_dialogue(storage.clone(), chat)
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::DialogueNotFound));

        // Unreadable state is an error that does not repeat the stored text.
        store
            .set_dialogue(77, r#"{"Secret身份证":"110101199003074478"}"#)
            .await
            .unwrap();
        let err = Storage::<PlanState>::get_dialogue(storage.clone(), ChatId(77))
            .await
            .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(matches!(err, StorageError::Json { .. }), "{text}");
        assert!(
            !text.contains("Secret") && !text.contains("110101"),
            "{text}"
        );

        // The erased form teloxide's dispatcher can take.
        let erased = Storage::<PlanState>::erase(storage);
        erased
            .clone()
            .update_dialogue(ChatId(5), PlanState::Start)
            .await
            .unwrap();
        assert_eq!(
            erased.get_dialogue(ChatId(5)).await.unwrap(),
            Some(PlanState::Start)
        );
        store.close().await;
    })
    .await;
}

// ----- plans ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_save_load_delete() {
    on_each_backend("plans", async |url| {
        let store = connect(&url).await;
        let big_id = 7_000_000_000u64; // Telegram ids exceed 32 bits
        assert_eq!(store.load_plan(big_id).await.unwrap(), None);
        store
            .save_plan(big_id, r#"{"debts":["借呗"]}"#)
            .await
            .unwrap();
        store.save_plan(2, r#"{"debts":[]}"#).await.unwrap();
        assert_eq!(
            store.load_plan(big_id).await.unwrap().as_deref(),
            Some(r#"{"debts":["借呗"]}"#)
        );
        store
            .save_plan(big_id, r#"{"debts":["花呗"]}"#)
            .await
            .unwrap();
        assert_eq!(
            store.load_plan(big_id).await.unwrap().as_deref(),
            Some(r#"{"debts":["花呗"]}"#)
        );
        assert!(store.delete_plan(big_id).await.unwrap());
        assert!(!store.delete_plan(big_id).await.unwrap());
        assert_eq!(store.load_plan(big_id).await.unwrap(), None);
        assert_eq!(
            store.load_plan(2).await.unwrap().as_deref(),
            Some(r#"{"debts":[]}"#)
        );
        let err = store.save_plan(u64::MAX, "{}").await.unwrap_err();
        assert!(matches!(err, StorageError::InvalidInput(_)));
        store.close().await;
    })
    .await;
}

// ----- reminders -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_fire_once_at_their_slot() {
    on_each_backend("reminders_claim", async |url| {
        let store = connect(&url).await;
        let now = sh(2024, 6, 10, 12, 0);
        let a = store
            .add_reminder(&reminder(11, 15, 9, "借呗"), now)
            .await
            .unwrap();
        let b = store
            .add_reminder(&reminder(11, 20, 9, "花呗"), now)
            .await
            .unwrap();
        let c = store
            .add_reminder(&reminder(12, 15, 21, "信用卡"), now)
            .await
            .unwrap();
        assert!(a != b && b != c);

        let list = store.list_reminders(11).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, a);
        assert_eq!(list[0].label, "借呗");
        assert_eq!(list[0].chat_id, 11);
        assert_eq!(list[0].next_fire_at, sh(2024, 6, 15, 9, 0));
        assert_eq!(list[0].last_fired_at, None);
        assert_eq!(list[1].next_fire_at, sh(2024, 6, 20, 9, 0));
        assert_eq!(
            store.next_reminder_at().await.unwrap(),
            Some(sh(2024, 6, 15, 9, 0))
        );

        // Nothing due before 09:00 on the 15th.
        assert!(
            store
                .claim_due(sh(2024, 6, 15, 8, 59), 100)
                .await
                .unwrap()
                .is_empty()
        );

        // At 09:00 exactly, only a fires; it moves to July and is not handed out again.
        let t = sh(2024, 6, 15, 9, 0);
        let claimed = store.claim_due(t, 100).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, a);
        assert_eq!(claimed[0].user_id, 11);
        assert_eq!(claimed[0].last_fired_at, Some(t));
        assert_eq!(claimed[0].next_fire_at, sh(2024, 7, 15, 9, 0));
        assert!(store.claim_due(t, 100).await.unwrap().is_empty());
        assert!(store.claim_due(t + 3600, 100).await.unwrap().is_empty());
        let stored = &store.list_reminders(11).await.unwrap()[0];
        assert_eq!(stored.next_fire_at, sh(2024, 7, 15, 9, 0));
        assert_eq!(stored.last_fired_at, Some(t));

        // At 21:00, c.
        let claimed = store.claim_due(sh(2024, 6, 15, 21, 5), 100).await.unwrap();
        assert_eq!(claimed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c]);

        // The limit is respected; the rest comes at the next claim, oldest slot first.
        let t = sh(2024, 7, 20, 10, 0); // a (Jul 15 09:00), c (Jul 15 21:00), b (Jun 20 09:00)
        let first = store.claim_due(t, 2).await.unwrap();
        assert_eq!(first.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b, a]);
        let second = store.claim_due(t, 2).await.unwrap();
        assert_eq!(second.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c]);
        assert!(store.claim_due(t, 2).await.unwrap().is_empty());
        assert!(store.claim_due(t, 0).await.unwrap().is_empty());
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminder_missed_for_three_months_fires_once() {
    on_each_backend("reminders_missed", async |url| {
        let store = connect(&url).await;
        let added = sh(2024, 1, 5, 12, 0);
        let id = store
            .add_reminder(&reminder(21, 31, 9, "网商贷"), added)
            .await
            .unwrap();
        assert_eq!(
            store.list_reminders(21).await.unwrap()[0].next_fire_at,
            sh(2024, 1, 31, 9, 0)
        );
        store.close().await;

        // The bot is down from January to late April: the slots of 31 Jan, 29 Feb, 31 Mar
        // pass. When it comes back (a new store, like a restart), the reminder fires once.
        let store = connect(&url).await;
        let back = sh(2024, 4, 20, 8, 30);
        let claimed = store.claim_due(back, 100).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, id);
        assert_eq!(claimed[0].next_fire_at, sh(2024, 4, 30, 9, 0));
        for minutes in [0, 1, 60, 24 * 60] {
            assert!(
                store
                    .claim_due(back + minutes * 60, 100)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
        // Then it is back on schedule: 30 April (clamped), 31 May.
        let claimed = store.claim_due(sh(2024, 4, 30, 9, 0), 100).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].next_fire_at, sh(2024, 5, 31, 9, 0));
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminder_hour_list_delete_and_validation() {
    on_each_backend("reminders_edit", async |url| {
        let store = connect(&url).await;
        let now = sh(2024, 6, 10, 10, 0);
        store
            .add_reminder(&reminder(31, 20, 9, "b"), now)
            .await
            .unwrap();
        store
            .add_reminder(&reminder(31, 10, 9, "a"), now)
            .await
            .unwrap(); // today 09:00 passed
        store
            .add_reminder(&reminder(31, 10, 11, "c"), now)
            .await
            .unwrap(); // today 11:00 ahead
        store
            .add_reminder(&reminder(32, 10, 9, "other"), now)
            .await
            .unwrap();
        let list = store.list_reminders(31).await.unwrap();
        let labels: Vec<&str> = list.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["a", "c", "b"]);
        assert_eq!(list[0].next_fire_at, sh(2024, 7, 10, 9, 0));
        assert_eq!(list[1].next_fire_at, sh(2024, 6, 10, 11, 0));

        // Move all to 08:00: each keeps its pending month. "a" (pending July) stays in July;
        // "c" (pending today 11:00) becomes due now rather than skipping June; "b" June 20.
        assert_eq!(store.set_reminder_hour(31, 8).await.unwrap(), 3);
        let list = store.list_reminders(31).await.unwrap();
        assert!(list.iter().all(|r| r.hour == 8));
        assert_eq!(list[0].next_fire_at, sh(2024, 7, 10, 8, 0));
        assert_eq!(list[1].next_fire_at, sh(2024, 6, 10, 8, 0));
        assert_eq!(list[2].next_fire_at, sh(2024, 6, 20, 8, 0));
        let claimed = store.claim_due(now, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].label, "c");
        assert_eq!(claimed[0].next_fire_at, sh(2024, 7, 10, 8, 0));
        // The other user's reminder is untouched.
        assert_eq!(store.list_reminders(32).await.unwrap()[0].hour, 9);

        // Delete one, then the rest.
        let a = store.list_reminders(31).await.unwrap()[0].id;
        assert!(!store.delete_reminder(32, a).await.unwrap());
        assert!(store.delete_reminder(31, a).await.unwrap());
        assert_eq!(store.delete_reminders(31).await.unwrap(), 2);
        assert_eq!(store.delete_reminders(31).await.unwrap(), 0);
        assert!(store.list_reminders(31).await.unwrap().is_empty());
        assert_eq!(store.list_reminders(32).await.unwrap().len(), 1);

        // Out-of-range input is refused without repeating it.
        for bad in [
            reminder(31, 0, 9, "x"),
            reminder(31, 32, 9, "x"),
            reminder(31, 1, 24, "x"),
            reminder(31, 1, 9, &"秘".repeat(MAX_LABEL_CHARS + 1)),
        ] {
            let err = store.add_reminder(&bad, now).await.unwrap_err();
            assert!(matches!(err, StorageError::InvalidInput(_)), "{err:?}");
            assert!(!err.to_string().contains('秘'));
        }
        assert!(store.set_reminder_hour(31, 24).await.is_err());
        // Day 31 and a full-length label are fine.
        store
            .add_reminder(&reminder(31, 31, 23, &"借".repeat(MAX_LABEL_CHARS)), now)
            .await
            .unwrap();
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claimers_never_share_a_reminder() {
    on_each_backend("reminders_concurrent", async |url| {
        const N: u64 = 60;
        let setup = connect(&url).await;
        let added = sh(2024, 3, 1, 0, 0);
        let mut ids = HashSet::new();
        for i in 0..N {
            let day = (i % 28) as u32 + 1;
            let id = setup
                .add_reminder(&reminder(1000 + i, day, 9, "x"), added)
                .await
                .unwrap();
            ids.insert(id);
        }
        setup.close().await;

        // Two instances (separate stores, separate pools) claim in parallel tasks, in small
        // batches, until nothing is due.
        let now = sh(2024, 3, 31, 23, 0); // every slot of March has passed
        let one = connect(&url).await;
        let two = connect(&url).await;
        let mut tasks = Vec::new();
        for k in 0..8 {
            let store = if k % 2 == 0 { one.clone() } else { two.clone() };
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let batch = store.claim_due(now, 3).await.expect("claim");
                    if batch.is_empty() {
                        break;
                    }
                    got.extend(batch.into_iter().map(|r| r.id));
                    tokio::task::yield_now().await;
                }
                got
            }));
        }
        let mut seen = Vec::new();
        for task in tasks {
            seen.extend(task.await.unwrap());
        }
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "a reminder was claimed twice");
        assert_eq!(unique, ids, "every due reminder claimed once");
        // All moved to April.
        assert!(one.claim_due(now, 1000).await.unwrap().is_empty());
        assert!(two.claim_due(now, 1000).await.unwrap().is_empty());

        // Same race again at the same instant with a single batch each: still once.
        let later = sh(2024, 4, 30, 23, 0);
        let (a, b) = tokio::join!(one.claim_due(later, 1000), two.claim_due(later, 1000));
        let (a, b) = (a.unwrap(), b.unwrap());
        let both: HashSet<i64> = a.iter().chain(&b).map(|r| r.id).collect();
        assert_eq!(both.len(), a.len() + b.len());
        assert_eq!(both, ids);
        one.close().await;
        two.close().await;
    })
    .await;
}

// ----- feedback ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_add_correct_attach_export() {
    on_each_backend("feedback", async |url| {
        let store = connect(&url).await;
        let first = NewFeedback {
            user_id: 41,
            verdict: "scam".into(),
            accurate: true,
            rule_ids: vec!["scam.personal_account".into(), "scam.code".into()],
            text_hash: "ab12".into(),
            created_at: 1_717_000_000,
        };
        let second = NewFeedback {
            user_id: 42,
            verdict: "legit".into(),
            accurate: false,
            rule_ids: vec![],
            text_hash: "cd34".into(),
            created_at: 1_717_000_100,
        };
        let id1 = store.add_feedback(&first).await.unwrap();
        let id2 = store.add_feedback(&second).await.unwrap();
        assert_ne!(id1, id2);

        // Only the user who gave the feedback can correct it or attach text.
        assert!(
            !store
                .set_feedback_correction(id2, 41, "scam")
                .await
                .unwrap()
        );
        assert!(
            store
                .set_feedback_correction(id2, 42, "scam")
                .await
                .unwrap()
        );
        assert!(
            !store
                .attach_feedback_text(id2, 41, "请转账到 [卡号]")
                .await
                .unwrap()
        );
        assert!(
            store
                .attach_feedback_text(id2, 42, "请转账到 [卡号]")
                .await
                .unwrap()
        );
        assert!(
            !store
                .attach_feedback_text(id2 + 1000, 42, "x")
                .await
                .unwrap()
        );

        let rows = store.export_feedback().await.unwrap();
        assert_eq!(rows.len(), 2);
        let (r1, r2) = (&rows[0], &rows[1]);
        assert_eq!(r1.id, id1);
        assert_eq!(r1.vote.user_id, 41);
        assert_eq!(r1.vote.verdict, "scam");
        assert!(r1.vote.accurate);
        assert_eq!(r1.vote.rule_ids, first.rule_ids);
        assert_eq!(r1.vote.text_hash, "ab12");
        assert_eq!(r1.vote.created_at, 1_717_000_000);
        assert_eq!(r1.corrected_verdict, None);
        assert_eq!(r1.redacted_text, None);
        assert_eq!(r2.id, id2);
        assert!(!r2.vote.accurate);
        assert!(r2.vote.rule_ids.is_empty());
        assert_eq!(r2.corrected_verdict.as_deref(), Some("scam"));
        assert_eq!(r2.redacted_text.as_deref(), Some("请转账到 [卡号]"));

        let long = NewFeedback {
            verdict: "x".repeat(100),
            ..first.clone()
        };
        assert!(matches!(
            store.add_feedback(&long).await.unwrap_err(),
            StorageError::InvalidInput(_)
        ));
        store.close().await;
    })
    .await;
}

// ----- group settings ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_settings_default_set_clear() {
    on_each_backend("groups", async |url| {
        let store = connect(&url).await;
        let group = -1_001_234_567_890i64;
        assert_eq!(
            store.group_settings(group).await.unwrap(),
            GroupSettings::default()
        );
        store.set_group_auto_delete(group, Some(10)).await.unwrap();
        assert_eq!(
            store.group_settings(group).await.unwrap(),
            GroupSettings {
                auto_delete_minutes: Some(10),
                language: None
            }
        );
        store
            .set_group_language(group, Some("en".into()))
            .await
            .unwrap();
        assert_eq!(
            store.group_settings(group).await.unwrap(),
            GroupSettings {
                auto_delete_minutes: Some(10),
                language: Some("en".into())
            }
        );
        // Some(0) means off, like None; the language stays.
        store.set_group_auto_delete(group, Some(0)).await.unwrap();
        assert_eq!(
            store.group_settings(group).await.unwrap(),
            GroupSettings {
                auto_delete_minutes: None,
                language: Some("en".into())
            }
        );
        store.set_group_language(group, None).await.unwrap();
        assert_eq!(
            store.group_settings(group).await.unwrap(),
            GroupSettings::default()
        );
        // Language first on a new group; other groups unaffected.
        store
            .set_group_language(-5, Some("zh-CN".into()))
            .await
            .unwrap();
        assert_eq!(
            store.group_settings(-5).await.unwrap().language.as_deref(),
            Some("zh-CN")
        );
        assert_eq!(
            store.group_settings(group).await.unwrap(),
            GroupSettings::default()
        );
        assert!(
            store
                .set_group_language(-5, Some("x".repeat(17)))
                .await
                .is_err()
        );
        assert!(store.delete_group_settings(-5).await.unwrap());
        assert_eq!(
            store.group_settings(-5).await.unwrap(),
            GroupSettings::default()
        );
        store.close().await;
    })
    .await;
}

// ----- handled updates -----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handled_updates_mark_and_prune() {
    on_each_backend("updates", async |url| {
        let store = connect(&url).await;
        assert!(store.mark_update_handled(10).await.unwrap());
        assert!(!store.mark_update_handled(10).await.unwrap());
        for id in 11..=20 {
            assert!(store.mark_update_handled(id).await.unwrap());
        }
        // Keep the last 3 (18, 19, 20): 8 of 11 go.
        assert_eq!(store.prune_handled_updates(3).await.unwrap(), 8);
        assert_eq!(store.prune_handled_updates(3).await.unwrap(), 0);
        assert!(!store.mark_update_handled(20).await.unwrap());
        assert!(!store.mark_update_handled(18).await.unwrap());
        assert!(store.mark_update_handled(17).await.unwrap());
        assert_eq!(store.prune_handled_updates(100).await.unwrap(), 0);
        assert_eq!(store.prune_handled_updates(0).await.unwrap(), 4);
        assert!(store.mark_update_handled(20).await.unwrap());
        store.close().await;
    })
    .await;
}

/// A batch's reply claims its own update and the others it answers together, or nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_claims_all_its_updates_or_none() {
    on_each_backend("claim-batch", async |url| {
        let store = connect(&url).await;
        assert!(store.claim_updates(1, &[2, 3]).await.unwrap());
        for id in [1, 2, 3] {
            assert!(store.is_update_handled(id).await.unwrap(), "{id} claimed");
        }
        assert!(!store.mark_update_handled(3).await.unwrap());
        // Already answered: the others are left as they were.
        assert!(!store.claim_updates(1, &[4, 5]).await.unwrap());
        assert!(!store.is_update_handled(4).await.unwrap());
        assert!(!store.is_update_handled(5).await.unwrap());
        // An update of the batch that was claimed on its own does not block the others.
        assert!(store.claim_updates(6, &[3, 7]).await.unwrap());
        assert!(store.is_update_handled(7).await.unwrap());
        store.close().await;
    })
    .await;
}

// ----- /forget -------------------------------------------------------------------------------

async fn populate(store: &Store, user: u64, now: i64) {
    let chat = user as i64;
    store.save_plan(user, r#"{"p":1}"#).await.unwrap();
    store
        .add_reminder(&reminder(user, 15, 9, "借呗"), now)
        .await
        .unwrap();
    store
        .add_reminder(&reminder(user, 20, 9, "花呗"), now)
        .await
        .unwrap();
    let id = store
        .add_feedback(&NewFeedback {
            user_id: user,
            verdict: "suspicious".into(),
            accurate: false,
            rule_ids: vec!["r1".into()],
            text_hash: format!("h{user}"),
            created_at: now,
        })
        .await
        .unwrap();
    store
        .set_feedback_correction(id, user, "scam")
        .await
        .unwrap();
    store
        .attach_feedback_text(id, user, "[已隐去]")
        .await
        .unwrap();
    store
        .set_dialogue(chat, r#"{"AskIncome":{}}"#)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_user_leaves_no_row_about_them() {
    on_each_backend("forget", async |url| {
        let store = connect(&url).await;
        // Every table is either checked by rows_about_user or holds nothing about users.
        assert_eq!(store.table_names().await.unwrap(), all_tables());

        let now = sh(2024, 6, 1, 12, 0);
        let (alice, bob) = (7_100_000_001u64, 7_100_000_002u64);
        populate(&store, alice, now).await;
        populate(&store, bob, now).await;
        let group = -100_777i64;
        store
            .set_group_language(group, Some("en".into()))
            .await
            .unwrap();
        store.mark_update_handled(1).await.unwrap();

        assert_eq!(store.rows_about_user(alice, alice as i64).await.unwrap(), 5);
        let bob_before = store.rows_about_user(bob, bob as i64).await.unwrap();
        assert_eq!(bob_before, 5);

        let report = store.forget_user(alice, alice as i64).await.unwrap();
        assert_eq!(report.plans, 1);
        assert_eq!(report.reminders, 2);
        assert_eq!(report.feedback, 1);
        assert_eq!(report.dialogues, 1);
        assert_eq!(report.group_settings, 0);
        assert_eq!(report.total(), 5);
        assert_eq!(store.rows_about_user(alice, alice as i64).await.unwrap(), 0);
        assert_eq!(store.load_plan(alice).await.unwrap(), None);
        assert!(store.list_reminders(alice).await.unwrap().is_empty());
        assert_eq!(store.get_dialogue(alice as i64).await.unwrap(), None);
        let feedback = store.export_feedback().await.unwrap();
        assert!(feedback.iter().all(|f| f.vote.user_id != alice));

        // Bob and the group keep everything.
        assert_eq!(
            store.rows_about_user(bob, bob as i64).await.unwrap(),
            bob_before
        );
        assert!(store.load_plan(bob).await.unwrap().is_some());
        assert_eq!(store.list_reminders(bob).await.unwrap().len(), 2);
        assert_eq!(feedback.len(), 1);
        assert_eq!(
            store
                .group_settings(group)
                .await
                .unwrap()
                .language
                .as_deref(),
            Some("en")
        );

        // Forgetting again deletes nothing and is not an error.
        let again = store.forget_user(alice, alice as i64).await.unwrap();
        assert_eq!(again.total(), 0);
        store.close().await;
    })
    .await;
}

// ----- errors --------------------------------------------------------------------------------

#[tokio::test]
async fn database_errors_carry_no_user_text() {
    let file = SqliteFile::new("errors");
    let store = connect(&file.url()).await;
    store.save_plan(1, "{}").await.unwrap();
    store.close().await;
    // A closed pool: the error names the operation, not the data.
    let err = store
        .save_plan(1, r#"{"name":"张三","phone":"13800138000"}"#)
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("save_plan"), "{text}");
    assert!(
        !text.contains("张三") && !text.contains("13800138000"),
        "{text}"
    );
}

// ----- confirmed examples and the review queue -----------------------------------------------

const SCAM: &str = "【安逸花】您的借款已逾期47天，请于今日18点前将欠款8630元转入专员个人账户6217003214558890123，户名刘建华，转账后联系专员微信lh20248核销，否则安排上门。";
const SCAM_COPY: &str = "转发：【分期乐】您的借款已逾期52天，请于今日18点前将欠款11240元转入专员个人账户6222021488773056417，户名王志强，转账后联系专员微信wzq8866核销，否则安排上门。";

fn example(text: &str, label: Verdict, at: i64) -> loanguard::storage::NewExample {
    loanguard::confirmed::new_example(text, label, None, "cli", at).expect("long enough")
}

fn known_label(known: &KnownStore, text: &str) -> Option<Verdict> {
    known
        .classify(Classifier::shared(), text, &Default::default())
        .known
        .map(|k| k.example.label)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_see_each_others_confirmations_and_removals() {
    on_each_backend("known_instances", async |url| {
        // Two instances: each its own connection pool and its own index.
        let (a, b) = (connect(&url).await, connect(&url).await);
        let (known_a, known_b) = (
            KnownStore::load(&a).await.unwrap(),
            KnownStore::load(&b).await.unwrap(),
        );
        assert!(known_b.is_empty());
        assert_eq!(known_label(&known_b, SCAM_COPY), None);

        let added = a
            .add_known(&example(SCAM, Verdict::Scam, 1_000))
            .await
            .unwrap();
        assert!(matches!(added, Added::New(_)), "{added:?}");
        // The stored text is redacted.
        let listing = a.known_listing().await.unwrap();
        assert_eq!(listing.len(), 1);
        assert!(!listing[0].redacted_text.contains("6217003214558890123"));
        assert!(listing[0].redacted_text.contains("专员个人账户"));

        assert_eq!(known_b.refresh(&b).await.unwrap(), 1);
        let report = known_b.classify(Classifier::shared(), SCAM_COPY, &Default::default());
        assert_eq!(report.verdict, Verdict::Scam);
        assert_eq!(report.known.map(|k| k.example.id), Some(added.id()));

        // The same text again: nothing changes; with another label: replaced under a new id.
        let again = a
            .add_known(&example(SCAM, Verdict::Scam, 1_100))
            .await
            .unwrap();
        assert_eq!(again, Added::Unchanged(added.id()));
        let relabelled = a
            .add_known(&example(SCAM, Verdict::Suspicious, 1_200))
            .await
            .unwrap();
        assert!(
            matches!(relabelled, Added::Replaced(id) if id != added.id()),
            "{relabelled:?}"
        );
        known_b.refresh(&b).await.unwrap();
        assert_eq!(known_label(&known_b, SCAM_COPY), Some(Verdict::Suspicious));
        assert_eq!(known_b.len(), 1);

        // Removed on B: A drops it at its next refresh.
        known_a.refresh(&a).await.unwrap();
        assert_eq!(known_label(&known_a, SCAM_COPY), Some(Verdict::Suspicious));
        assert!(b.remove_known(relabelled.id(), 1_300).await.unwrap());
        assert!(!b.remove_known(relabelled.id(), 1_300).await.unwrap());
        known_a.refresh(&a).await.unwrap();
        assert_eq!(known_label(&known_a, SCAM_COPY), None);
        assert!(known_a.is_empty());

        // A fresh instance loads what is there now.
        let c = KnownStore::load(&connect(&url).await).await.unwrap();
        assert!(c.is_empty());
        a.close().await;
        b.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewing_reports_confirms_dismisses_and_forget_removes_unreviewed_ones() {
    on_each_backend("review_queue", async |url| {
        let store = connect(&url).await;
        let mut ids = Vec::new();
        for (user, text) in [
            (1u64, SCAM),
            (2, "今天下午三点开会，记得带电脑和会议纪要过来"),
            (3, SCAM_COPY),
        ] {
            let id = store
                .add_feedback(&NewFeedback {
                    user_id: user,
                    verdict: "legit".into(),
                    accurate: false,
                    rule_ids: vec![],
                    text_hash: format!("h{user}"),
                    created_at: 1_000 + user as i64,
                })
                .await
                .unwrap();
            store.attach_feedback_text(id, user, text).await.unwrap();
            ids.push(id);
        }
        // A vote without submitted text is not a report.
        store
            .add_feedback(&NewFeedback {
                user_id: 4,
                verdict: "scam".into(),
                accurate: true,
                rule_ids: vec![],
                text_hash: "h4".into(),
                created_at: 900,
            })
            .await
            .unwrap();

        let first = store.next_report(0).await.unwrap().expect("an open report");
        assert_eq!(first.id, ids[0]);
        assert_eq!(
            store.next_report(ids[0]).await.unwrap().map(|r| r.id),
            Some(ids[1])
        );

        let confirmed = store
            .review_report(
                ids[0],
                Review::Confirm(example(SCAM, Verdict::Scam, 2_000)),
                2_000,
            )
            .await
            .unwrap();
        assert!(
            matches!(confirmed, Some(Some(Added::New(_)))),
            "{confirmed:?}"
        );
        // Reviewed once only; the report's text is gone from the feedback table, and
        // pressing the consent button again cannot put it back.
        assert_eq!(
            store
                .review_report(ids[0], Review::Dismiss, 2_001)
                .await
                .unwrap(),
            None
        );
        assert!(!store.attach_feedback_text(ids[0], 1, SCAM).await.unwrap());
        let rows = store.export_feedback().await.unwrap();
        assert!(
            rows.iter()
                .find(|r| r.id == ids[0])
                .unwrap()
                .redacted_text
                .is_none()
        );
        // The example keeps nothing of the reporter.
        let listing = store.known_listing().await.unwrap();
        assert_eq!(listing.len(), 1);
        assert_eq!(listing[0].reviewer, "cli");

        assert_eq!(
            store
                .review_report(ids[1], Review::Dismiss, 2_002)
                .await
                .unwrap(),
            Some(None)
        );
        assert_eq!(store.known_listing().await.unwrap().len(), 1);

        // The reporter of the last open report forgets: the report is gone with their data.
        assert_eq!(
            store.next_report(0).await.unwrap().map(|r| r.id),
            Some(ids[2])
        );
        store.forget_user(3, 3).await.unwrap();
        assert_eq!(store.next_report(0).await.unwrap(), None);
        assert_eq!(
            store
                .review_report(ids[2], Review::Dismiss, 2_003)
                .await
                .unwrap(),
            None
        );
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fingerprints_of_another_version_are_made_again_at_load() {
    on_each_backend("known_versions", async |url| {
        let store = connect(&url).await;
        let mut old = example(SCAM, Verdict::Scam, 1_000);
        old.fingerprint = vec![0; 4];
        old.fingerprint_version = 0;
        store.add_known(&old).await.unwrap();
        let known = KnownStore::load(&store).await.unwrap();
        assert_eq!(known_label(&known, SCAM_COPY), Some(Verdict::Scam));
        assert!(store.known_outdated(VERSION).await.unwrap().is_empty());
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_plus_what_came_after_it_is_what_a_new_instance_loads() {
    on_each_backend("known_snapshot", async |url| {
        let store = connect(&url).await;
        let first = store.add_known(&example(SCAM, Verdict::Scam, 1_000)).await.unwrap();
        let known = KnownStore::load(&store).await.unwrap();
        assert!(known.compact(&store, 0).await.unwrap());
        // Nothing new since: no second snapshot.
        assert!(!known.compact(&store, 0).await.unwrap());
        assert!(store.known_snapshot().await.unwrap().is_some());

        // After the snapshot: the first is removed, another added.
        let legit = "【招联金融】尊敬的客户，您本期账单已逾期3天，请尽快登录招联金融App或官方渠道还款，我司不会要求您向任何个人账户转账。";
        let second = store.add_known(&example(legit, Verdict::Legit, 1_100)).await.unwrap();
        assert!(store.remove_known(first.id(), 1_200).await.unwrap());

        let fresh = KnownStore::load(&store).await.unwrap();
        assert_eq!(fresh.len(), 1);
        assert_eq!(known_label(&fresh, SCAM_COPY), None);
        let copy = legit.replace('3', "5");
        let report = fresh.classify(Classifier::shared(), &copy, &Default::default());
        assert_eq!(report.known.map(|k| k.example.id), Some(second.id()));
        store.close().await;
    })
    .await;
}
