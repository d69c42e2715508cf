//! End to end: the real `loanguard` binary against a fake Bot API server on 127.0.0.1.

mod support;

use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::child_logs::Logs;
use support::fake_api::{DEFAULT_BOT_USERNAME, FakeBotApi, Fault};
use support::telegram_html;

const TOKEN: &str = "123456789:AAE2eTestTokenNotRealForLoanGuardE2E";
const PHONE: &str = "13912345678";
const SCAM_CLIENT: i64 = 456;

/// The running binary, with its stderr (the logs) collected.
struct Bot {
    child: Child,
    logs: Logs,
}

/// A database file of its own for each run of the binary.
fn temp_db(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("loanguard-e2e-{}-{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    format!("sqlite://{}", path.display())
}

impl Bot {
    fn start(api: &FakeBotApi) -> Bot {
        Bot::start_with_db(api, &temp_db(&format!("{:?}", thread::current().id())))
    }

    fn start_with_db(api: &FakeBotApi, database_url: &str) -> Bot {
        Bot::start_with(api, database_url, &[])
    }

    /// With extra environment variables, which override the defaults below.
    fn start_with(api: &FakeBotApi, database_url: &str, env: &[(&str, &str)]) -> Bot {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loanguard"))
            .env("DATABASE_URL", database_url)
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api.url())
            .env("LOANGUARD_BATCH_MS", "300")
            .env("RUST_LOG", "debug")
            .env_remove("TELOXIDE_PROXY")
            .envs(env.iter().copied())
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the loanguard binary starts");
        let logs = Logs::collect(child.stderr.take().expect("piped stderr"));
        Bot { child, logs }
    }

    fn logs(&self) -> String {
        self.logs.text()
    }

    /// SIGTERM, then wait for a clean exit.
    fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the bot did not stop within 20 s of SIGTERM; logs:\n{}",
                    self.logs()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "用户", "language_code": "zh-hans"})
}

fn private_message(user_id: i64, message_id: i64, text: &str, forwarded: bool) -> Value {
    let mut m = json!({
        "message_id": message_id,
        "from": user(user_id),
        "chat": {"id": user_id, "first_name": "用户", "type": "private"},
        "date": 1764300000,
        "text": text,
    });
    if forwarded {
        m["forward_origin"] =
            json!({"type": "hidden_user", "sender_user_name": "催收专员", "date": 1764290000});
    }
    json!({"message": m})
}

fn group_verify_reply(group: i64, message_id: i64, replied_text: &str) -> Value {
    json!({"message": {
        "message_id": message_id,
        "from": user(900),
        "chat": {"id": group, "title": "互助群", "type": "supergroup"},
        "date": 1764300000,
        "entities": [{"offset": 0, "length": 7 + 1 + DEFAULT_BOT_USERNAME.len(), "type": "bot_command"}],
        "text": format!("/verify@{DEFAULT_BOT_USERNAME}"),
        "reply_to_message": {
            "message_id": message_id - 1,
            "from": user(901),
            "chat": {"id": group, "title": "互助群", "type": "supergroup"},
            "date": 1764299990,
            "text": replied_text,
        }
    }})
}

fn replies_to(api: &FakeBotApi, chat: i64) -> Vec<Value> {
    api.sent_messages()
        .into_iter()
        .filter(|m| m["chat_id"] == json!(chat))
        .collect()
}

fn reply_to_id(m: &Value) -> Option<i64> {
    m["reply_parameters"]["message_id"].as_i64()
}

fn wait_for_replies(api: &FakeBotApi, expected: usize) -> Vec<Value> {
    api.wait_for("sendMessage", expected, Duration::from_secs(20))
}

#[test]
fn the_binary_answers_every_message_once_in_private_and_in_groups() {
    let api = FakeBotApi::start();
    let bot = Bot::start(&api);

    let scam =
        "【某某金融】您已逾期，请今天把欠款转到专员个人账户6222021234567890128，联系13800138000";
    let legit = "【招联消费金融】尊敬的客户，您尾号1234的借款本期应还1,236.50元，已逾期3天，请通过招联金融APP还款，如有疑问请致电官方客服。";
    let group_text =
        format!("张三你好，马上转到我个人账户6212264000318775，不然找你单位领导，电话{PHONE}");

    api.push_update(private_message(SCAM_CLIENT, 10, scam, true));
    api.push_update(private_message(457, 11, legit, false));
    api.push_update(group_verify_reply(-100500, 21, &group_text));
    for i in 0..6 {
        // Several users at once, each with one message.
        api.push_update(private_message(
            600 + i,
            30 + i,
            "你好，请问怎么查自己的征信？",
            false,
        ));
    }
    let expected = 3 + 6;
    let sent = wait_for_replies(&api, expected);
    // Give a duplicate (if any) time to show up.
    thread::sleep(Duration::from_millis(800));
    let sent_after = api.sent_messages();
    assert_eq!(
        sent_after.len(),
        sent.len().max(expected),
        "exactly one reply per message; logs:\n{}",
        bot.logs()
    );
    assert_eq!(sent_after.len(), expected);

    for m in &sent_after {
        assert_eq!(m["parse_mode"], "HTML");
        let text = m["text"].as_str().unwrap();
        assert_eq!(telegram_html::check(text), None, "invalid HTML: {text}");
        assert!(text.encode_utf16().count() <= 4096);
    }

    let scam_reply = &replies_to(&api, SCAM_CLIENT)[0];
    assert_eq!(reply_to_id(scam_reply), Some(10));
    assert!(scam_reply["text"].as_str().unwrap().contains("疑似诈骗"));
    assert!(
        scam_reply["reply_markup"]["inline_keyboard"]
            .as_array()
            .is_some_and(|rows| rows.len() == 2)
    );

    let legit_reply = &replies_to(&api, 457)[0];
    assert_eq!(reply_to_id(legit_reply), Some(11));
    assert!(
        legit_reply["text"]
            .as_str()
            .unwrap()
            .contains("符合正规催收特征"),
        "{}",
        legit_reply["text"]
    );

    let group_reply = &replies_to(&api, -100500)[0];
    assert_eq!(reply_to_id(group_reply), Some(21));
    let group_text_out = group_reply["text"].as_str().unwrap();
    assert!(group_text_out.contains("疑似诈骗"));
    assert!(
        !group_text_out.contains(PHONE),
        "group reply leaks a phone number"
    );
    assert!(!group_text_out.contains("6212264000318775"));

    for i in 0..6 {
        let r = replies_to(&api, 600 + i);
        assert_eq!(r.len(), 1);
        assert_eq!(reply_to_id(&r[0]), Some(30 + i));
    }

    // The command menu was registered for private chats and groups, in Chinese and English.
    let menus = api.requests("setMyCommands");
    assert_eq!(menus.len(), 4, "{menus:?}");
    assert!(
        menus
            .iter()
            .any(|m| m["scope"]["type"] == "all_group_chats")
    );
    assert!(
        menus
            .iter()
            .any(|m| m["scope"]["type"] == "all_private_chats" && m["language_code"] == "en")
    );
    assert_eq!(api.tokens_seen(), vec![TOKEN.to_string()]);

    let status = bot_stop_and_check_logs(
        bot,
        &[
            TOKEN,
            PHONE,
            "13800138000",
            "6222021234567890128",
            "专员个人账户",
        ],
    );
    assert!(status.success(), "clean exit on SIGTERM, got {status:?}");
}

fn bot_stop_and_check_logs(mut bot: Bot, secrets: &[&str]) -> std::process::ExitStatus {
    let status = bot.stop();
    let logs = bot.logs();
    assert!(logs.contains("checked"), "the run was logged:\n{logs}");
    for secret in secrets {
        assert!(!logs.contains(secret), "logs contain {secret:?}:\n{logs}");
    }
    status
}

#[test]
fn a_missing_or_malformed_token_is_a_clear_error_not_a_panic() {
    for token in [None, Some("not-a-token")] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_loanguard"));
        cmd.env_remove("TELOXIDE_TOKEN")
            .current_dir(std::env::temp_dir());
        if let Some(t) = token {
            cmd.env("TELOXIDE_TOKEN", t);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("@BotFather"));
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn button_presses_and_edits_round_trip_through_the_real_binary() {
    let api = FakeBotApi::start();
    let bot = Bot::start(&api);
    api.push_update(private_message(
        SCAM_CLIENT,
        50,
        "您的借款已逾期3天，请登录官方APP还款",
        false,
    ));
    let sent = wait_for_replies(&api, 1);
    assert_eq!(sent.len(), 1);
    let reply_id = 1000; // the fake server numbers messages from 1000

    api.push_update(json!({"callback_query": {
        "id": "cb1",
        "from": user(SCAM_CLIENT),
        "chat_instance": "ci",
        "data": "sec:legal",
        "message": {"message_id": reply_id, "date": 1764300001, "chat": {"id": SCAM_CLIENT, "type": "private", "first_name": "用户"}, "text": "…"}
    }}));
    let answers = api.wait_for("answerCallbackQuery", 1, Duration::from_secs(10));
    assert_eq!(answers.len(), 1);
    let sent = wait_for_replies(&api, 2);
    assert!(sent[1]["text"].as_str().unwrap().contains("12378"));

    api.push_update(json!({"edited_message": {
        "message_id": 50,
        "from": user(SCAM_CLIENT),
        "chat": {"id": SCAM_CLIENT, "first_name": "用户", "type": "private"},
        "date": 1764300000,
        "edit_date": 1764300060,
        "text": "您的借款已逾期，请把验证码发给我，再转到我的个人账户"
    }}));
    let edits = api.wait_for("editMessageText", 1, Duration::from_secs(10));
    assert_eq!(edits.len(), 1, "logs:\n{}", bot.logs());
    assert_eq!(edits[0]["message_id"], json!(reply_id));
    assert!(edits[0]["text"].as_str().unwrap().contains("疑似诈骗"));
    assert_eq!(
        api.sent_messages().len(),
        2,
        "the edit did not send a new message"
    );
    let mut bot = bot;
    assert!(bot.stop().success());
}

fn private_text(user_id: i64, message_id: i64, text: &str) -> Value {
    private_message(user_id, message_id, text, false)
}

#[test]
fn a_planner_dialogue_survives_sigkill_and_restart() {
    let api = FakeBotApi::start();
    let db = temp_db("restart");
    let mut bot = Bot::start_with_db(&api, &db);
    let user = 777;
    api.push_update(private_text(user, 1, "/plan"));
    api.push_update(private_text(user, 2, "8千"));
    api.push_update(private_text(user, 3, "5000"));
    let sent = wait_for_replies(&api, 3);
    assert_eq!(
        sent.len(),
        3,
        "three questions asked; logs:\n{}",
        bot.logs()
    );
    assert!(
        sent[2]["text"].as_str().unwrap().contains("欠款"),
        "{}",
        sent[2]["text"]
    );

    // Kill without warning, in the middle of the dialogue (between two answers: the last
    // answer has been handled and confirmed).
    assert!(
        api.wait_for_confirmation(3, Duration::from_secs(10)),
        "update 3 confirmed"
    );
    bot.child.kill().unwrap();
    bot.child.wait().unwrap();
    let mut bot = Bot::start_with_db(&api, &db);
    for (i, answer) in ["借呗", "2万", "18%"].iter().enumerate() {
        api.push_update(private_text(user, 10 + i as i64, answer));
    }
    let sent = wait_for_replies(&api, 6);
    assert!(
        sent.len() >= 6,
        "the dialogue went on after the restart; logs:\n{}",
        bot.logs()
    );
    let texts: Vec<String> = sent
        .iter()
        .map(|m| m["text"].as_str().unwrap_or("").chars().take(30).collect())
        .collect();
    assert!(
        texts[5].contains("逾期"),
        "asks about overdue days next: {texts:#?}\nlogs:\n{}",
        bot.logs()
    );
    assert!(
        !sent
            .iter()
            .any(|m| m["text"].as_str().unwrap_or("").contains("疑似诈骗")),
        "answers are not checked as messages"
    );
    assert!(bot.stop().success());
}

#[test]
fn group_settings_need_an_admin_checked_with_get_chat_member() {
    let api = FakeBotApi::start();
    let mut bot = Bot::start(&api);
    let group = -100600;
    let cmd = |id: i64, from: i64, text: &str| {
        json!({"message": {
            "message_id": id, "from": user(from), "date": 1764300000,
            "chat": {"id": group, "title": "互助群", "type": "supergroup"},
            "entities": [{"offset": 0, "length": 9, "type": "bot_command"}],
            "text": text,
        }})
    };
    api.set_chat_member_status(group, 11, "administrator");
    api.push_update(cmd(1, 12, "/settings autodelete 10"));
    let sent = wait_for_replies(&api, 1);
    assert!(
        sent[0]["text"].as_str().unwrap().contains("管理员"),
        "non-admins are refused: {}",
        sent[0]["text"]
    );
    api.push_update(cmd(2, 11, "/settings autodelete 10"));
    let sent = wait_for_replies(&api, 2);
    assert!(
        sent[1]["text"].as_str().unwrap().contains("10"),
        "{}",
        sent[1]["text"]
    );
    assert_eq!(
        api.requests("getChatMember").len(),
        2,
        "checked on every change"
    );
    assert!(bot.stop().success());
}

/// Two SIGKILLs while 20 users' messages are being answered, and a restart after each: every
/// message ends up with exactly one reply.
///
/// Telegram's sendMessage has no idempotency key, so the bot records an update as answered in
/// the database just before its reply goes out (see `src/bot/once.rs`): a reply that was on
/// its way at the kill is not sent again, and an update that was not yet claimed is redelivered
/// (its offset was never confirmed) and answered by the next process. The fake server holds
/// each answer to sendMessage for 200 ms, like Telegram's round trip, and the kills land while
/// every chat has a reply out and waits for Telegram's answer, which is where a kill lands in
/// production. The one gap left is the microseconds between the claim's commit and the
/// request's bytes reaching the socket; a kill inside it would lose that reply.
#[test]
fn two_hundred_updates_and_two_sigkills_get_exactly_one_reply_each() {
    const USERS: i64 = 20;
    const EACH: i64 = 10;
    let api = FakeBotApi::start();
    api.set_response_delay("sendMessage", Duration::from_millis(200));
    let db = temp_db("kill-twice");
    let texts = [
        "您好，您的借款已逾期3天，请登录官方APP还款",
        "请把验证码发给我，帮你注销校园贷",
        "明天一起吃饭吗",
        "你再不还钱就打给你爸妈",
        "请转账到安全账户配合调查",
    ];
    let mut expected = std::collections::BTreeSet::new();
    // The users write at the same time: their messages interleave in the update queue.
    for n in 0..EACH {
        for user in 0..USERS {
            let message_id = 100 + n;
            api.push_update(private_text(
                5000 + user,
                message_id,
                texts[(user + n) as usize % texts.len()],
            ));
            expected.insert((5000 + user, message_id));
        }
    }
    let replies_per_chat = |api: &FakeBotApi| {
        let mut per_chat: std::collections::BTreeMap<i64, i64> = Default::default();
        for m in api.sent_messages() {
            *per_chat.entry(m["chat_id"].as_i64().unwrap()).or_default() += 1;
        }
        per_chat
    };
    let mut bot = Bot::start_with_db(&api, &db);
    for kill_after in [40, 120] {
        api.wait_for("sendMessage", kill_after, Duration::from_secs(30));
        // Kill while every chat that still has messages waits for Telegram's answer.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let per_chat = replies_per_chat(&api);
            let busy = (0..USERS)
                .filter(|u| per_chat.get(&(5000 + u)).copied().unwrap_or(0) < EACH)
                .count();
            if api.answering("sendMessage") >= busy {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the chats never all had a reply out"
            );
            thread::sleep(Duration::from_micros(200));
        }
        bot.child.kill().unwrap();
        bot.child.wait().unwrap();
        bot = Bot::start_with_db(&api, &db);
    }
    api.wait_for("sendMessage", expected.len(), Duration::from_secs(60));
    // Anything sent twice would come now.
    thread::sleep(Duration::from_millis(1500));
    let mut counts: std::collections::BTreeMap<(i64, i64), usize> = Default::default();
    for m in api.sent_messages() {
        let key = (
            m["chat_id"].as_i64().unwrap(),
            reply_to_id(&m).unwrap_or(-1),
        );
        *counts.entry(key).or_default() += 1;
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|k| !counts.contains_key(k))
        .collect();
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "answered twice: {doubled:?}");
    assert!(missing.is_empty(), "never answered: {missing:?}");
    assert_eq!(counts.len(), expected.len(), "replies to unknown messages");
    assert!(bot.stop().success());
}

/// Forwards wait in a batch window before one reply answers them all. A kill inside the
/// window must not lose the ones that joined the batch: their updates stay unconfirmed until
/// the batch is answered, so the next process gets all three again and answers them together.
#[test]
fn a_kill_inside_the_batch_window_loses_none_of_the_forwards() {
    let api = FakeBotApi::start();
    let db = temp_db("batch-kill");
    let user = 888;
    let parts = [
        "【法院】您的网贷纠纷已立案",
        "案件可撤销，需先缴纳保证金",
        "请转账到指定账户：6222021234567890123",
    ];
    let mut bot = Bot::start_with(&api, &db, &[("LOANGUARD_BATCH_MS", "60000")]);
    let ids: Vec<i64> = parts
        .iter()
        .enumerate()
        .map(|(i, text)| api.push_update(private_message(user, 20 + i as i64, text, true)))
        .collect();
    // All three were handed to the bot, which now waits out its (long) window.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ids
        .iter()
        .all(|id| api.deliveries().iter().any(|(d, _)| d == id))
    {
        assert!(Instant::now() < deadline, "the forwards were never fetched");
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(Duration::from_millis(300));
    assert!(api.sent_messages().is_empty(), "nothing answered yet");
    bot.child.kill().unwrap();
    bot.child.wait().unwrap();

    let bot = Bot::start_with_db(&api, &db);
    let sent = wait_for_replies(&api, 1);
    thread::sleep(Duration::from_millis(1000));
    let sent_now = api.sent_messages();
    assert_eq!(sent_now.len(), 1, "one reply for the batch: {sent:?}");
    let text = sent_now[0]["text"].as_str().unwrap();
    assert!(
        text.contains("这 3 条消息放在一起检查"),
        "the reply answers all three forwards: {text}"
    );
    assert!(text.contains("疑似诈骗"), "{text}");
    assert_eq!(reply_to_id(&sent_now[0]), Some(20));
    assert!(bot_stop_and_check_logs(bot, &[TOKEN]).success());
}

/// One chat's reply waits out a long 429 while 150 other users write. Telegram hands out at
/// most 100 updates from the offset, and the waiting update holds the offset, so without a way
/// out the other users would wait 30 s too. After a few seconds it stops holding the offset,
/// and the others are answered; its own reply still goes out once the 429 is over.
#[test]
fn one_rate_limited_chat_does_not_hold_up_everyone_else() {
    let api = FakeBotApi::start();
    api.schedule_fault("sendMessage", Fault::RetryAfter(30));
    let bot = Bot::start(&api);
    api.push_update(private_text(6000, 1, "请转账到安全账户配合调查"));
    api.wait_for("sendMessage", 1, Duration::from_secs(10));
    for user in 0..150 {
        api.push_update(private_text(
            6100 + user,
            1,
            "您好，您的借款已逾期3天，请登录官方APP还款",
        ));
    }
    let started = Instant::now();
    let sent = api.wait_for("sendMessage", 151, Duration::from_secs(20));
    let others = sent
        .iter()
        .filter(|m| m["chat_id"].as_i64().unwrap() >= 6100)
        .count();
    assert_eq!(
        others,
        150,
        "everyone else answered while one chat waits out its 429 (after {:?}); logs:\n{}",
        started.elapsed(),
        bot.logs()
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        replies_to(&api, 6000).len() == 1,
        "only the refused attempt so far"
    );
    assert!(bot.logs().contains("no longer hold back"), "{}", bot.logs());
}

const SCREENSHOT_PHONE: &str = "13912345678";
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// A phone screenshot of a scam SMS (status bar, light background, one bubble) and a blank
/// image, rendered with ImageMagick and a CJK font. `None` where those or Tesseract with Chinese
/// are missing, which outside CI skips the test (CI installs them, and there a missing tool
/// fails it).
fn screenshots_or_skip() -> Option<(Vec<u8>, Vec<u8>)> {
    let convert = ["/usr/bin/magick", "/usr/bin/convert"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let missing = if loanguard::ocr::Ocr::detect().is_none() {
        Some("tesseract with chi_sim")
    } else if convert.is_none() {
        Some("ImageMagick")
    } else if !std::path::Path::new(CJK_FONT).exists() {
        Some("fonts-noto-cjk")
    } else {
        None
    };
    if let Some(what) = missing {
        assert!(std::env::var_os("CI").is_none(), "CI must install {what}");
        support::report_skip(&format!("skipped: {what} not installed"));
        return None;
    }
    let lines = [
        "【某某金融】您的借款已严重逾期，",
        "经核实您的征信存在异常，需将名下",
        "资金转入安全账户进行验证，",
        "否则今天下午移交公安机关处理。",
        &format!("联系专员：{SCREENSHOT_PHONE}"),
    ];
    let convert = convert.unwrap();
    let mut cmd = Command::new(convert);
    cmd.args(["-size", "720x460", "xc:#f2f2f7", "-fill", "white"])
        .args([
            "-draw",
            "roundrectangle 24,80 696,420 28,28",
            "-font",
            CJK_FONT,
        ])
        .args([
            "-pointsize",
            "22",
            "-fill",
            "black",
            "-annotate",
            "+24+34",
            "14:32        5G  87%",
        ])
        .args(["-pointsize", "30"]);
    for (i, line) in lines.iter().enumerate() {
        cmd.args(["-annotate", &format!("+48+{}", 140 + 50 * i), line]);
    }
    let shot = png_from(cmd);
    let mut blank = Command::new(convert);
    blank.args(["-size", "200x80", "xc:white"]);
    Some((shot, png_from(blank)))
}

/// Runs an ImageMagick command that ends before its output and returns the PNG it writes.
fn png_from(mut cmd: Command) -> Vec<u8> {
    let out = cmd.arg("png:-").output().expect("ImageMagick runs");
    assert!(out.status.success(), "ImageMagick rendered the image");
    out.stdout
}

fn photo(file_id: &str, size: usize) -> Value {
    json!([
        {"file_id": format!("{file_id}-small"), "file_unique_id": "s", "width": 90, "height": 52, "file_size": 900},
        {"file_id": file_id, "file_unique_id": "l", "width": 720, "height": 420, "file_size": size}
    ])
}

#[test]
fn screenshots_are_read_checked_and_redacted_in_groups() {
    let Some((screenshot, blank)) = screenshots_or_skip() else {
        return;
    };
    let texts = loanguard::responses::Responses::get(loanguard::responses::Language::ZhCn);
    let api = FakeBotApi::start();
    api.add_file_id("shot", "photos/shot.png", screenshot.clone());
    // A blank image: nothing to read, the user is told so.
    api.add_file_id("blank", "photos/blank.png", blank);
    let bot = Bot::start(&api);

    api.push_update(json!({"message": {
        "message_id": 40, "from": user(700), "date": 1764300000,
        "chat": {"id": 700, "first_name": "用户", "type": "private"},
        "photo": photo("shot", screenshot.len()),
    }}));
    api.push_update(json!({"message": {
        "message_id": 41, "from": user(701), "date": 1764300000,
        "chat": {"id": 701, "first_name": "用户", "type": "private"},
        "photo": photo("blank", 200),
    }}));
    // The same screenshot forwarded from a channel: the reply says where it came from.
    api.push_update(json!({"message": {
        "message_id": 42, "from": user(702), "date": 1764300000,
        "chat": {"id": 702, "first_name": "用户", "type": "private"},
        "forward_origin": {"type": "channel", "date": 1764290000, "message_id": 9,
            "chat": {"id": -1009900, "title": "债务优化", "type": "channel"}},
        "photo": photo("shot", screenshot.len()),
    }}));
    // An album of two screenshots, one of them blank: read together, answered once.
    for (id, file) in [(60, "shot"), (61, "blank")] {
        api.push_update(json!({"message": {
            "message_id": id, "from": user(703), "date": 1764300000,
            "chat": {"id": 703, "first_name": "用户", "type": "private"},
            "media_group_id": "album-703",
            "photo": photo(file, if file == "shot" { screenshot.len() } else { 200 }),
        }}));
    }
    let group = -100600;
    api.push_update(json!({"message": {
        "message_id": 51, "from": user(900), "date": 1764300000,
        "chat": {"id": group, "title": "互助群", "type": "supergroup"},
        "entities": [{"offset": 0, "length": 7, "type": "bot_command"}],
        "text": "/verify",
        "reply_to_message": {
            "message_id": 50, "from": user(901), "date": 1764299990,
            "chat": {"id": group, "title": "互助群", "type": "supergroup"},
            "photo": photo("shot", screenshot.len()),
        }
    }}));
    wait_for_replies(&api, 5);
    thread::sleep(Duration::from_millis(800));
    assert_eq!(
        api.sent_messages().len(),
        5,
        "one reply each; logs:\n{}",
        bot.logs()
    );

    let from_channel = replies_to(&api, 702)[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(from_channel.contains(&texts.verdict.scam), "{from_channel}");
    assert!(
        from_channel.contains(&texts.report.forwarded_channel),
        "the channel origin is noted: {from_channel}"
    );

    let album = replies_to(&api, 703);
    assert_eq!(album.len(), 1, "one reply for the album");
    assert_eq!(reply_to_id(&album[0]), Some(60));
    let album = album[0]["text"].as_str().unwrap();
    assert!(album.contains(&texts.verdict.scam), "{album}");
    assert!(album.contains("这 2 条消息放在一起检查"), "{album}");
    assert!(album.contains(&texts.bot.ocr_read_header), "{album}");
    assert!(album.contains("安全账户"), "{album}");

    let private = replies_to(&api, 700)[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(private.contains(&texts.verdict.scam), "{private}");
    assert!(
        private.contains("安全账户"),
        "the reason quotes the words read: {private}"
    );
    assert!(private.contains(&texts.bot.ocr_read_header), "{private}");
    assert!(private.contains("<blockquote expandable>"), "{private}");
    assert!(
        !private.contains("87%"),
        "the status bar is dropped: {private}"
    );
    assert_eq!(
        telegram_html::check(&private),
        None,
        "invalid HTML: {private}"
    );

    let blank = replies_to(&api, 701)[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(blank, texts.bot.ocr_failed);
    assert!(
        !private.contains(&texts.report.forwarded_channel),
        "no origin note for a screenshot the user sent: {private}"
    );

    let in_group = replies_to(&api, group)[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(in_group.contains(&texts.verdict.scam), "{in_group}");
    assert!(!in_group.contains(SCREENSHOT_PHONE), "{in_group}");
    assert!(!in_group.contains(&texts.bot.ocr_read_header), "{in_group}");

    let status = bot_stop_and_check_logs(bot, &[SCREENSHOT_PHONE, "安全账户", TOKEN]);
    assert!(status.success());
}

/// A 30000×30000 TIFF and WebP that are a few KB: only their headers, then garbage.
fn image_bombs() -> (Vec<u8>, Vec<u8>) {
    let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    for tag in [256u16, 257] {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&30000u32.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&[0x5A; 4096]);
    let side = 29999u32.to_le_bytes();
    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\x10\0\0\0".to_vec();
    webp.extend_from_slice(&side[..3]);
    webp.extend_from_slice(&side[..3]);
    webp.extend_from_slice(&[0x5A; 4096]);
    (tiff, webp)
}

fn document(user_id: i64, message_id: i64, file_id: &str, mime: &str, size: usize) -> Value {
    json!({"message": {
        "message_id": message_id, "from": user(user_id), "date": 1764300000,
        "chat": {"id": user_id, "first_name": "用户", "type": "private"},
        "document": {"file_id": file_id, "file_unique_id": file_id, "file_name": "image",
            "mime_type": mime, "file_size": size},
    }})
}

/// The bot's peak resident memory in KiB (Linux), `None` where /proc is missing.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[test]
fn image_bombs_sent_as_documents_are_refused_and_the_next_user_is_answered() {
    if loanguard::ocr::Ocr::detect().is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install tesseract with chi_sim"
        );
        support::report_skip("skipped: tesseract with chi_sim not installed");
        return;
    }
    let texts = loanguard::responses::Responses::get(loanguard::responses::Language::ZhCn);
    let (tiff, webp) = image_bombs();
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='30000' height='30000'/>".to_vec();
    let api = FakeBotApi::start();
    api.add_file_id("tiff-bomb", "documents/bomb.tiff", tiff.clone());
    api.add_file_id("webp-bomb", "documents/bomb.webp", webp.clone());
    // The label says PNG; the bytes say otherwise.
    api.add_file_id("svg", "documents/image.png", svg.clone());
    let bot = Bot::start(&api);

    api.push_update(document(710, 1, "tiff-bomb", "image/tiff", tiff.len()));
    api.push_update(document(711, 1, "webp-bomb", "image/webp", webp.len()));
    api.push_update(document(712, 1, "svg", "image/png", svg.len()));
    wait_for_replies(&api, 3);
    for (chat, expected) in [
        (710, &texts.bot.ocr_too_large),
        (711, &texts.bot.ocr_too_large),
        (712, &texts.bot.ocr_unsupported_format),
    ] {
        let replies = replies_to(&api, chat);
        assert_eq!(replies.len(), 1, "chat {chat}; logs:\n{}", bot.logs());
        assert_eq!(
            replies[0]["text"].as_str(),
            Some(expected.as_str()),
            "chat {chat}"
        );
    }

    // Another user is answered as usual afterwards.
    let scam =
        "【某某金融】您已逾期，请今天把欠款转到专员个人账户6222021234567890128，联系13800138000";
    api.push_update(private_message(713, 2, scam, false));
    wait_for_replies(&api, 4);
    let next = replies_to(&api, 713);
    assert_eq!(next.len(), 1, "logs:\n{}", bot.logs());
    assert!(
        next[0]["text"]
            .as_str()
            .unwrap()
            .contains(&texts.verdict.scam),
        "{}",
        next[0]["text"]
    );
    if let Some(kib) = peak_rss_kib(bot.child.id()) {
        assert!(kib < 400 * 1024, "peak RSS {kib} KiB");
    }
    let status = bot_stop_and_check_logs(bot, &[TOKEN]);
    assert!(status.success());
}

/// One HTTP/1.1 request over a plain socket (these tests are synchronous); the whole answer.
fn http(addr: &str, method: &str, path: &str, body: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[test]
fn with_web_addr_set_the_bots_process_serves_the_web_page_too() {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().to_string()
    };
    let api = FakeBotApi::start();
    let mut bot = Bot::start_with(
        &api,
        &temp_db("web-beside-bot"),
        &[("WEB_ADDR", addr.as_str())],
    );
    // Wait (up to 20 s) for the page to listen: readiness, not a timing check.
    let deadline = Instant::now() + Duration::from_secs(20);
    while http(&addr, "GET", "/healthz", "").is_err() {
        assert!(
            Instant::now() < deadline,
            "the web page never listened; logs:\n{}",
            bot.logs()
        );
        thread::sleep(Duration::from_millis(50));
    }
    api.push_update(private_message(
        SCAM_CLIENT,
        70,
        "请把验证码发给我，转到安全账户",
        false,
    ));
    let sent = wait_for_replies(&api, 1);
    assert!(sent[0]["text"].as_str().unwrap().contains("疑似诈骗"));

    let answer = http(
        &addr,
        "POST",
        "/api/v1/check",
        &json!({"text": "请把验证码发给我，转到安全账户"}).to_string(),
    )
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"verdict\":\"scam\""), "{answer}");
    // One registry for the process: the bot's verdict and the page's are both counted.
    let metrics = http(&addr, "GET", "/metrics", "").unwrap();
    for expected in [
        "loanguard_verdicts_total{source=\"bot\",verdict=\"scam\"} 1",
        "loanguard_verdicts_total{source=\"api\",verdict=\"scam\"} 1",
        "# TYPE loanguard_queue_depth gauge",
        "loanguard_queue_depth{queue=\"updates_in_flight\"}",
    ] {
        assert!(metrics.contains(expected), "{expected} missing:\n{metrics}");
    }
    assert!(bot.stop().success());
}

#[test]
fn an_example_confirmed_by_another_process_reaches_the_running_bot() {
    let api = FakeBotApi::start();
    let db = temp_db("known-instances");
    let bot = Bot::start_with(&api, &db, &[("LOANGUARD_KNOWN_REFRESH_SECS", "1")]);
    let copy = "转发：【分期乐】您的借款已逾期52天，请于今日18点前将欠款11240元转入专员个人账户6222021488773056417，户名王志强，转账后联系专员微信wzq8866核销，否则安排上门。";
    api.push_update(private_text(SCAM_CLIENT, 60, copy));
    let first = wait_for_replies(&api, 1);
    let reason = "确认的诈骗消息高度相似";
    assert!(!first[0]["text"].as_str().unwrap().contains(reason));

    // Another process (as another instance would) confirms the original of the wave.
    let original = json!({"id": 1, "text": "【安逸花】您的借款已逾期47天，请于今日18点前将欠款8630元转入专员个人账户6217003214558890123，户名刘建华，转账后联系专员微信lh20248核销，否则安排上门。"});
    let mut add = Command::new(env!("CARGO_BIN_EXE_loanguard"))
        .args(["known", "add", "--label", "scam"])
        .env("DATABASE_URL", &db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{original}").unwrap();
    assert!(add.wait().unwrap().success());

    // The bot reads it at its next refresh: copies sent from then on name the confirmation.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 1;
    loop {
        thread::sleep(Duration::from_millis(500));
        api.push_update(private_text(SCAM_CLIENT, 60 + n as i64, copy));
        n += 1;
        let sent = wait_for_replies(&api, n);
        if sent[n - 1]["text"].as_str().unwrap().contains(reason) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the confirmation never reached the bot; logs:\n{}",
            bot.logs()
        );
    }
    assert!(
        bot.logs().contains("confirmed examples updated"),
        "{}",
        bot.logs()
    );
    let mut bot = bot;
    assert!(bot.stop().success());
}
