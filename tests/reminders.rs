//! Repayment reminders, and the rest of the bot's timed work, with a controllable clock: they
//! fire at the right time, once after downtime, and once with two instances sharing PostgreSQL;
//! group replies are deleted when due even after a restart; old records of handled updates go.

mod support;

use loanguard::bot::maintenance::{KEEP_HANDLED_SECS, tick};
use loanguard::bot::reminders::fire_due;
use loanguard::storage::{NewReminder, Store};
use support::fake_api::FakeBotApi;
use teloxide::Bot;

/// 2026-11-01 00:00 in Shanghai (UTC+8), as Unix seconds.
const NOV_1: i64 = 1_793_462_400;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

async fn sqlite_store(name: &str) -> Store {
    let path = std::env::temp_dir().join(format!(
        "loanguard-reminders-{}-{name}.db",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

fn bot(api: &FakeBotApi) -> Bot {
    Bot::new("123456789:AAE2eTestTokenNotRealForLoanGuardE2E")
        .set_api_url(api.url().parse().unwrap())
}

fn reminder(user: u64, day: u32) -> NewReminder {
    NewReminder {
        user_id: user,
        chat_id: user as i64,
        day_of_month: day,
        hour: 9,
        label: "借呗".into(),
    }
}

/// A fake Bot API, a bot talking to it, and a fresh store holding one reminder of `user` for
/// day `day`, added on 1 November.
async fn with_one_reminder(name: &str, user: u64, day: u32) -> (FakeBotApi, Bot, Store) {
    let api = FakeBotApi::start();
    let bot = bot(&api);
    let store = sqlite_store(name).await;
    store
        .add_reminder(&reminder(user, day), NOV_1)
        .await
        .unwrap();
    (api, bot, store)
}

#[tokio::test]
async fn fires_at_nine_on_the_day_and_only_once() {
    let (api, bot, store) = with_one_reminder("on-time", 1, 15).await;

    let nov_15_9am = NOV_1 + 14 * DAY + 9 * HOUR;
    assert_eq!(
        fire_due(&bot, &store, nov_15_9am - 60).await,
        0,
        "not before 09:00"
    );
    assert_eq!(fire_due(&bot, &store, nov_15_9am).await, 1);
    assert_eq!(
        fire_due(&bot, &store, nov_15_9am + 60).await,
        0,
        "not twice"
    );
    let sent = api.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], 1);
    assert!(sent[0]["text"].as_str().unwrap().contains("借呗"));
}

#[tokio::test]
async fn a_reminder_missed_while_down_fires_once_when_back() {
    let (_api, bot, store) = with_one_reminder("downtime", 2, 10).await;
    // Down from November to the end of February: three missed slots.
    let back = NOV_1 + 120 * DAY;
    assert_eq!(fire_due(&bot, &store, back).await, 1);
    assert_eq!(fire_due(&bot, &store, back + 10).await, 0);
    let next = store.list_reminders(2).await.unwrap()[0].next_fire_at;
    assert!(next > back, "the next slot is in the future");
}

#[tokio::test]
async fn two_instances_on_postgres_fire_each_reminder_once() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        support::report_skip("skipped: TEST_DATABASE_URL not set");
        return;
    };
    let api = FakeBotApi::start();
    let a = Store::connect(&url).await.unwrap();
    let b = Store::connect(&url).await.unwrap();
    // Users unique to this run, so reruns and parallel tests do not interfere.
    let base = 9_000_000_000 + (std::process::id() as u64) * 100;
    for i in 0..30 {
        a.add_reminder(&reminder(base + i, 5), NOV_1).await.unwrap();
    }
    let due = NOV_1 + 4 * DAY + 9 * HOUR;
    let (bot_a, bot_b) = (bot(&api), bot(&api));
    let (sa, sb) = tokio::join!(fire_due(&bot_a, &a, due), fire_due(&bot_b, &b, due));
    let ours = api
        .sent_messages()
        .into_iter()
        .filter(|m| {
            m["chat_id"]
                .as_i64()
                .is_some_and(|c| (base as i64..base as i64 + 30).contains(&c))
        })
        .count();
    assert_eq!(
        ours, 30,
        "each of the 30 reminders sent exactly once (instance A {sa}, B {sb})"
    );
    for i in 0..30 {
        a.forget_user(base + i, (base + i) as i64).await.unwrap();
    }
}

#[tokio::test]
async fn auto_deletions_survive_a_restart_and_old_update_records_are_pruned() {
    let api = FakeBotApi::start();
    let store = sqlite_store("maintenance").await;
    // Scheduled by one run of the bot, due 10 minutes later.
    store
        .schedule_deletion(-1_001, 42, NOV_1 + 600)
        .await
        .unwrap();
    store.mark_update_handled(7).await.unwrap();
    // Another run (a fresh Bot over the same database) after a restart.
    let bot = bot(&api);
    tick(&bot, &store, NOV_1 + 60).await;
    assert_eq!(
        api.request_count("deleteMessage"),
        0,
        "not before it is due"
    );
    tick(&bot, &store, NOV_1 + 600).await;
    assert_eq!(api.request_count("deleteMessage"), 1);
    assert!(store.due_deletions(i64::MAX, 10).await.unwrap().is_empty());
    tick(&bot, &store, NOV_1 + 3600).await;
    assert_eq!(api.request_count("deleteMessage"), 1, "deleted once");
    // The update handled "now" is kept for a day, then forgotten.
    let now = loanguard::clock::unix_now();
    tick(&bot, &store, now + KEEP_HANDLED_SECS - 60).await;
    assert!(store.is_update_handled(7).await.unwrap());
    tick(&bot, &store, now + KEEP_HANDLED_SECS + 60).await;
    assert!(!store.is_update_handled(7).await.unwrap());
}
