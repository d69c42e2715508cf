//! Every command and flow, private and group, through the real HTTP path: the bot runs in this
//! process as the binary runs it (teloxide's `Bot`, the tracked polling listener, the real
//! handler tree and its dependencies) against the fake Bot API server.
//!
//! Each step delivers updates and waits until the bot has handled them: the listener confirms
//! an update (moves the `getUpdates` offset past it) only once its handler has finished. The
//! step's result is every Bot API call the bot made meanwhile, so "exactly one reply" and
//! "no reply" are checked without sleeping.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use loanguard::bot::listener::{self, Tracker};
use loanguard::bot::schema::{distribution, schema};
use loanguard::bot::state::{BotState, Limits};
use loanguard::confirmed::KnownStore;
use loanguard::confirmed::review::Reviewers;
use loanguard::responses::{Language, Responses};
use loanguard::storage::Store;
use serde_json::{Value, json};
use support::fake_api::{BOT_ID, FIRST_MESSAGE_ID, FakeBotApi};
use support::telegram_html;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::dptree::deps;
use teloxide::error_handlers::IgnoringErrorHandlerSafe;
use teloxide::prelude::*;

const TOKEN: &str = "123456789:AAFlowsTestTokenNotRealForLoanGuard";
/// The fixtures address commands to `@test_bot` and expect deep links to it.
const BOT_USERNAME: &str = "test_bot";
/// The user (and private chat) most tests talk as.
const USER: i64 = 456;
/// How long a step may take before the test fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// The bot against the fake server
// ---------------------------------------------------------------------------------------------

/// The running bot, its fake Telegram and its database.
struct Harness {
    api: FakeBotApi,
    store: Arc<Store>,
    dispatching: tokio::task::JoinHandle<()>,
}

impl Harness {
    /// Starts the bot with this batch window and group limit (other settings as deployed).
    async fn start(window_ms: u64, group_limit: u32) -> Harness {
        Self::start_with(schema(), window_ms, group_limit).await
    }

    /// As [`Harness::start`], with another handler tree inside the tracking wrapper.
    async fn start_with(
        tree: teloxide::dispatching::UpdateHandler<loanguard::bot::handlers::HandlerError>,
        window_ms: u64,
        group_limit: u32,
    ) -> Harness {
        let state = BotState::new(Limits {
            batch_window: Duration::from_millis(window_ms),
            group_limit_per_minute: group_limit,
            ..Limits::default()
        });
        Self::start_with_state(tree, state).await
    }

    /// The bot with `reviewers` allowed to /review, checking against the database's
    /// confirmed examples.
    async fn start_reviewing(reviewers: &str) -> Harness {
        let state = BotState::new(Limits {
            batch_window: Duration::from_millis(50),
            ..Limits::default()
        })
        .with_reviewers(Reviewers::parse(reviewers).unwrap());
        Self::start_with_state(schema(), state).await
    }

    async fn start_with_state(
        tree: teloxide::dispatching::UpdateHandler<loanguard::bot::handlers::HandlerError>,
        state: BotState,
    ) -> Harness {
        let api = FakeBotApi::start();
        api.set_bot_username(BOT_USERNAME);
        let store = Arc::new(Store::connect(&temp_db()).await.expect("a SQLite database"));
        // As `loanguard::bot::run` loads them.
        let known = Arc::new(KnownStore::load(&store).await.expect("examples load"));
        let state = Arc::new(state.with_known(known));
        let bot = Bot::new(TOKEN).set_api_url(api.url().parse().unwrap());
        // As `loanguard::bot::run` builds it.
        let tracker = Arc::new(Tracker::default());
        let mut dispatcher = Dispatcher::builder(bot.clone(), listener::tracked(tree))
            .dependencies(deps![state, store.clone(), tracker.clone()])
            .distribution_function(distribution)
            .default_handler(|_| async {})
            .build();
        let updates = listener::polling(bot, tracker, Duration::from_secs(10));
        let dispatching = tokio::spawn(async move {
            dispatcher
                .dispatch_with_listener(updates, IgnoringErrorHandlerSafe::new())
                .await;
        });
        Harness {
            api,
            store,
            dispatching,
        }
    }

    /// Delivers one update and waits until it was handled.
    async fn send(&self, update: Value) -> Calls {
        self.send_all(vec![update]).await
    }

    /// Delivers `updates` together (one `getUpdates` answer) and waits until all were handled.
    /// An `update_id` in an update (the fixtures have one) is replaced by the server's next id.
    async fn send_all(&self, updates: Vec<Value>) -> Calls {
        let before = self.api.all_requests().len();
        let updates = updates.into_iter().map(|mut u| {
            u.as_object_mut()
                .expect("an update is a JSON object")
                .remove("update_id");
            u
        });
        let last = *self.api.push_updates(updates).last().expect("an update");
        let deadline = Instant::now() + STEP_TIMEOUT;
        while !self.api.wait_for_confirmation(last, Duration::ZERO) {
            assert!(
                Instant::now() < deadline,
                "update {last} not handled within {STEP_TIMEOUT:?}; calls: {:?}",
                self.api.all_requests()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut calls = self.api.all_requests().split_off(before);
        calls.retain(|(method, _)| method != "getUpdates" && method != "getMe");
        Calls(calls)
    }

    /// The id of the last message the bot sent: the fake server numbers the messages it
    /// accepts from `FIRST_MESSAGE_ID`.
    fn last_message_id(&self) -> i64 {
        let sent = i64::try_from(self.api.request_count("sendMessage")).unwrap();
        assert!(sent > 0, "the bot has sent nothing yet");
        FIRST_MESSAGE_ID + sent - 1
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.dispatching.abort();
    }
}

/// The Bot API calls made while a step was handled, in order (without `getUpdates`/`getMe`).
struct Calls(Vec<(String, Value)>);

impl Calls {
    fn of(&self, method: &str) -> Vec<&Value> {
        self.0
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, body)| body)
            .collect()
    }

    fn sent(&self) -> Vec<&Value> {
        self.of("sendMessage")
    }

    /// The only call of `method`; fails unless there was exactly one.
    fn one(&self, method: &str) -> &Value {
        let calls = self.of(method);
        assert_eq!(calls.len(), 1, "exactly one {method}: {:?}", self.0);
        calls[0]
    }

    /// The only reply.
    fn one_sent(&self) -> &Value {
        self.one("sendMessage")
    }

    /// The only answer to a button press.
    fn one_answer(&self) -> &Value {
        self.one("answerCallbackQuery")
    }

    fn texts(&self) -> Vec<&str> {
        self.sent().into_iter().map(text).collect()
    }

    fn last_text(&self) -> &str {
        self.texts().last().copied().unwrap_or_default()
    }
}

/// A fresh SQLite database per test, in the temp directory.
fn temp_db() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("loanguard-flows-{}-{n}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    format!("sqlite://{}", path.display())
}

// ---------------------------------------------------------------------------------------------
// Updates and replies
// ---------------------------------------------------------------------------------------------

fn zh() -> &'static Responses {
    Responses::get(Language::ZhCn)
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/telegram/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn user_with(id: i64, language: &str) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "用户", "language_code": language})
}

fn user() -> Value {
    user_with(USER, "zh-hans")
}

fn private_chat(id: i64) -> Value {
    json!({"id": id, "first_name": "用户", "type": "private"})
}

fn group_chat(id: i64) -> Value {
    json!({"id": id, "title": "互助群", "type": "supergroup"})
}

/// A message object (not yet an update) from `from` in `chat`.
fn message(id: i64, from: Value, chat: Value, text: &str) -> Value {
    json!({"message_id": id, "from": from, "chat": chat, "date": 1_764_300_000, "text": text})
}

/// A text from [`USER`] in their private chat.
fn private_message(id: i64, text: &str) -> Value {
    message(id, user(), private_chat(USER), text)
}

fn private_text(id: i64, text: &str) -> Value {
    json!({"message": private_message(id, text)})
}

/// The bot's message `id` in [`USER`]'s private chat, replying to `replied`.
fn bot_message(id: i64, text: &str, replied: &Value) -> Value {
    json!({
        "message_id": id,
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "LoanGuard", "username": BOT_USERNAME},
        "chat": private_chat(USER),
        "date": 1_764_300_000,
        "text": text,
        "reply_to_message": replied,
    })
}

/// A press by `from` on a button of `message` (the bot's message the button sits under).
fn press_by(data: &str, message: Value, from: Value) -> Value {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    json!({"callback_query": {
        "id": format!("cb{id}"),
        "from": from,
        "chat_instance": "ci",
        "data": data,
        "message": message,
    }})
}

/// A press by [`USER`] on a button of a message in their private chat.
fn press(data: &str) -> Value {
    press_by(data, private_message(1, "按钮"), user())
}

fn text(request: &Value) -> &str {
    request["text"].as_str().unwrap_or_default()
}

fn reply_to(request: &Value) -> Option<i64> {
    request["reply_parameters"]["message_id"].as_i64()
}

fn buttons(request: &Value) -> Vec<&Value> {
    request["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .collect()
}

fn button_labels(request: &Value) -> Vec<&str> {
    buttons(request).into_iter().map(text).collect()
}

fn assert_html_ok(request: &Value) {
    assert_eq!(request["parse_mode"], "HTML", "{request}");
    let text = text(request);
    if let Some(problem) = telegram_html::check(text) {
        panic!("invalid Telegram HTML ({problem}) in {text:?}");
    }
    assert!(text.encode_utf16().count() <= 4096);
}

// ---------------------------------------------------------------------------------------------
// Checking messages
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn forwarded_scam_gets_one_html_verdict_with_reasons_and_buttons() {
    let bot = Harness::start(50, 5).await;
    let calls = bot.send(fixture("update_private_forward_user.json")).await;
    let reply = calls.one_sent();
    assert_html_ok(reply);
    let body = text(reply);
    assert!(body.contains(&zh().verdict.scam));
    assert!(
        body.contains("专员个人账户"),
        "quotes the triggering words: {body}"
    );
    assert!(
        body.contains("不要转账"),
        "scam advice leads with not paying"
    );
    assert_eq!(reply_to(reply), Some(123));
    let labels = button_labels(reply);
    for b in [
        &zh().buttons.verify,
        &zh().buttons.respond,
        &zh().buttons.legal,
        &zh().buttons.accurate,
        &zh().buttons.wrong,
    ] {
        assert!(
            labels.contains(&b.as_str()),
            "button {b} missing from {labels:?}"
        );
    }
}

#[tokio::test]
async fn forward_from_a_hidden_user_is_mentioned_as_a_hint() {
    let bot = Harness::start(50, 5).await;
    let calls = bot
        .send(fixture("update_private_forward_hidden_user.json"))
        .await;
    let body = text(calls.one_sent());
    assert!(body.contains(&zh().report.forwarded_hidden), "{body}");
    assert!(body.contains(&zh().verdict.scam), "{body}");
}

#[tokio::test]
async fn a_burst_of_forwards_gets_one_reply() {
    let bot = Harness::start(300, 5).await;
    let lines = [
        "您好，这里是贷后中心",
        "您的借款已经逾期",
        "今天可以减免一半",
        "请加微信 jianmian_88",
        "转账后发截图给我",
    ];
    let updates = (200..)
        .zip(lines)
        .map(|(id, line)| {
            let mut m = private_message(id, line);
            m["forward_origin"] =
                json!({"type": "hidden_user", "sender_user_name": "客服", "date": 1_764_300_000});
            json!({"message": m})
        })
        .collect();
    let calls = bot.send_all(updates).await;
    let body = text(calls.one_sent());
    assert!(body.contains("5 条"), "{body}");
    assert!(body.contains(&zh().verdict.scam), "judged together: {body}");
}

#[tokio::test]
async fn verify_with_text_after_a_newline_is_checked() {
    let bot = Harness::start(50, 5).await;
    let calls = bot
        .send(private_text(
            10,
            "/verify\n我是国家金融监督管理总局工作人员，为您办理网贷退息，请开启屏幕共享",
        ))
        .await;
    assert!(text(calls.one_sent()).contains(&zh().verdict.scam));
}

#[tokio::test]
async fn bare_verify_gives_the_checklist_and_commands_answer() {
    let bot = Harness::start(50, 5).await;
    let cases = [
        ("/verify", "官方APP"),
        ("/start", "把可疑消息转发给我"),
        ("/help", "/verify"),
        ("/legal", "12348"),
        ("/plan", "还款计划"),
        ("/privacy", "/forget"),
        ("/forget", "已删除"),
        ("/whatever", &zh().bot.unknown_command),
    ];
    for (command, expected) in cases {
        let calls = bot.send(private_text(11, command)).await;
        let reply = calls.one_sent();
        assert_html_ok(reply);
        assert!(text(reply).contains(expected), "{command}: {}", text(reply));
    }
}

#[tokio::test]
async fn deep_link_opens_the_full_advice() {
    let bot = Harness::start(50, 5).await;
    let classifier = loanguard::classifier::Classifier::shared();
    let report = classifier.classify("请把钱转到安全账户，配合公安调查");
    let payload = loanguard::render::deeplink::encode(&report, classifier);
    let calls = bot
        .send(private_text(12, &format!("/start {payload}")))
        .await;
    let body = text(calls.one_sent());
    assert!(body.contains(&zh().bot.deep_link), "{body}");
    assert!(body.contains(zh().reason("pay.safe_account")), "{body}");
}

#[tokio::test]
async fn an_edited_message_updates_the_earlier_reply() {
    let bot = Harness::start(50, 5).await;
    let first = bot
        .send(private_text(
            30,
            "您好，您的借款已逾期3天，请登录官方APP还款",
        ))
        .await;
    first.one_sent();
    let reply_id = bot.last_message_id();

    let edited = private_message(
        30,
        "您好，您的借款已逾期，请把验证码发给我，转到我的个人账户",
    );
    let calls = bot.send(json!({"edited_message": edited})).await;
    assert!(calls.sent().is_empty(), "no new message: {:?}", calls.0);
    let edits = calls.of("editMessageText");
    assert_eq!(edits.len(), 1, "{:?}", calls.0);
    assert_eq!(edits[0]["message_id"], json!(reply_id));
    assert!(text(edits[0]).contains(&zh().verdict.scam));
    assert!(text(edits[0]).contains(&zh().bot.edited_note));
}

#[tokio::test]
async fn stickers_voice_and_bare_photos_get_friendly_hints() {
    let bot = Harness::start(50, 5).await;
    let media = |id: i64, field: &str, value: Value| {
        let mut m = json!({"message_id": id, "from": user(), "chat": private_chat(USER), "date": 1_764_300_000});
        m[field] = value;
        json!({"message": m})
    };
    let sticker = json!({
        "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular",
        "width": 512, "height": 512, "is_animated": false, "is_video": false,
    });
    let calls = bot.send(media(50, "sticker", sticker)).await;
    assert_eq!(text(calls.one_sent()), zh().bot.sticker);

    let voice = json!({"file_id": "voice-1", "file_unique_id": "v1", "duration": 3, "mime_type": "audio/ogg"});
    let calls = bot.send(media(51, "voice", voice)).await;
    assert_eq!(text(calls.one_sent()), zh().bot.voice);

    // With Tesseract the photo is fetched and read (the fake server has no such file, so
    // nothing is read); without it the user is told that screenshot reading is off. Either
    // way: one hint.
    let photo = json!([{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90, "file_size": 1000}]);
    let calls = bot.send(media(52, "photo", photo)).await;
    let expected = if loanguard::ocr::Ocr::global().is_some() {
        &zh().bot.ocr_failed
    } else {
        &zh().bot.photo_no_caption
    };
    assert_eq!(text(calls.one_sent()), expected.as_str());
}

#[tokio::test]
async fn english_users_get_english_replies() {
    let bot = Harness::start(50, 5).await;
    let calls = bot
        .send(json!({"message": message(1, user_with(457, "en-GB"), private_chat(457), "/legal")}))
        .await;
    let body = text(calls.one_sent());
    let heading = |texts: &'static Responses| {
        texts
            .bot
            .legal
            .lines()
            .find(|l| l.starts_with("# "))
            .unwrap()
            .trim_start_matches("# ")
    };
    assert!(
        body.contains(heading(Responses::get(Language::En))),
        "{body}"
    );
    assert!(!body.contains(heading(zh())), "{body}");
}

#[tokio::test]
async fn a_flood_from_one_user_gets_one_try_later_then_silence() {
    let bot = Harness::start(50, 5).await;
    let limit = Limits::default().user_limit_per_minute as usize;
    let mut updates: Vec<Value> = (1..)
        .take(limit + 3)
        .map(|id| private_text(id, "/help"))
        .collect();
    // Someone else, at the same time, is not held back.
    updates.push(
        json!({"message": message(1, user_with(457, "zh-hans"), private_chat(457), "/help")}),
    );
    let calls = bot.send_all(updates).await;
    let to = |chat: i64| -> Vec<&str> {
        calls
            .sent()
            .into_iter()
            .filter(|m| m["chat_id"] == json!(chat))
            .map(text)
            .collect()
    };
    let flooder = to(USER);
    assert_eq!(flooder.len(), limit + 1, "{flooder:?}");
    assert!(flooder[..limit].iter().all(|t| t.contains("/verify")));
    assert!(
        flooder[limit].contains(&zh().group.rate_limited),
        "{}",
        flooder[limit]
    );
    assert_eq!(to(457).len(), 1);
}

#[tokio::test]
async fn empty_and_odd_unicode_text_never_crash() {
    let bot = Harness::start(50, 5).await;
    for text in [
        "\u{200b}",
        "\u{202e}\u{202e}",
        "😀😀😀",
        &"很长".repeat(40_000),
    ] {
        let calls = bot.send(private_text(40, text)).await;
        let sent = calls.sent();
        assert!(
            !sent.is_empty(),
            "no reply for {:?}",
            &text[..text.len().min(12)]
        );
        for s in sent {
            assert_html_ok(s);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn group_verify_reply_is_short_redacted_and_links_to_private_chat() {
    let bot = Harness::start(50, 5).await;
    let calls = bot
        .send(fixture("update_supergroup_verify_reply_to_forward.json"))
        .await;
    let reply = calls.one_sent();
    assert_html_ok(reply);
    let body = text(reply);
    assert!(body.contains(&zh().verdict.scam));
    for personal in ["13912345678", "6212264000318775", "8600", "张伟"] {
        assert!(
            !body.contains(personal),
            "group reply repeats {personal}: {body}"
        );
    }
    assert_eq!(reply_to(reply), Some(134546));
    let buttons = buttons(reply);
    let button = buttons.first().expect("a deep-link button");
    assert_eq!(text(button), zh().buttons.full_advice);
    let url: url::Url = button["url"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a URL button, got {button}"))
        .parse()
        .unwrap();
    assert_eq!(url.host_str(), Some("t.me"));
    assert_eq!(url.path(), format!("/{BOT_USERNAME}"));
    assert!(url.query().unwrap_or("").starts_with("start=v"), "{url}");
}

#[tokio::test]
async fn groups_get_a_few_replies_then_one_try_later_then_silence() {
    let bot = Harness::start(50, 3).await;
    let updates = (300..307)
        .map(|id| {
            let text = format!("/verify@{BOT_USERNAME} 请转账到安全账户");
            json!({"message": message(id, user(), group_chat(-100777), &text)})
        })
        .collect();
    let calls = bot.send_all(updates).await;
    let texts = calls.texts();
    assert_eq!(texts.len(), 4, "3 verdicts and one try-later: {texts:?}");
    assert!(texts[..3].iter().all(|t| t.contains(&zh().verdict.scam)));
    assert!(texts[3].contains(&zh().group.rate_limited), "{}", texts[3]);
}

#[tokio::test]
async fn a_group_command_for_another_bot_is_ignored() {
    let bot = Harness::start(50, 5).await;
    let command = |id: i64, to: &str| {
        let text = format!("/verify@{to} 请转账到安全账户");
        json!({"message": message(id, user(), group_chat(-100779), &text)})
    };
    let calls = bot.send(command(1, "other_bot")).await;
    assert!(calls.sent().is_empty(), "{:?}", calls.0);
    let calls = bot.send(command(2, BOT_USERNAME)).await;
    assert!(text(calls.one_sent()).contains(&zh().verdict.scam));
}

#[tokio::test]
async fn ordinary_group_messages_get_no_reply() {
    let bot = Harness::start(50, 5).await;
    let calls = bot
        .send(json!({"message": message(1, user(), group_chat(-100778), "今天还款了吗")}))
        .await;
    assert!(calls.sent().is_empty(), "{:?}", calls.0);
}

#[tokio::test]
async fn added_to_a_group_posts_one_introduction() {
    let bot = Harness::start(50, 5).await;
    let calls = bot
        .send(fixture("update_my_chat_member_added_to_group.json"))
        .await;
    assert_eq!(text(calls.one_sent()), zh().group.intro);
}

// ---------------------------------------------------------------------------------------------
// Buttons, the planner, feedback and /forget
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn buttons_are_answered_and_show_the_section() {
    let bot = Harness::start(50, 5).await;
    let calls = bot.send(press("sec:legal")).await;
    calls.one_answer();
    assert!(calls.last_text().contains("12378"), "{:?}", calls.0);

    let calls = bot.send(press("fb:up:s")).await;
    assert_eq!(calls.one_answer()["text"], zh().bot.feedback_up);

    let calls = bot.send(press("fb:up:s'; DROP TABLE")).await;
    assert_eq!(
        calls.one_answer()["text"],
        zh().bot.stale_button,
        "forged data is still answered"
    );
    assert!(calls.sent().is_empty(), "{:?}", calls.0);
}

#[tokio::test]
async fn the_planner_asks_one_question_at_a_time_and_saves_the_plan() {
    let bot = Harness::start(50, 5).await;
    let calls = bot.send(private_text(60, "/plan")).await;
    assert!(
        calls.last_text().contains("收入"),
        "first question: {}",
        calls.last_text()
    );

    // Numbers the way people type them; a bad one gets a re-ask and the dialogue stays put.
    for (answer, next) in [
        ("很多很多", "比如"),
        ("8千", "开支"),
        ("五千", "欠款"),
        ("借呗", "欠"),
        ("2万", "利率"),
        ("18%", "逾期"),
    ] {
        let calls = bot.send(private_text(61, answer)).await;
        let reply = *calls.sent().last().expect("a reply");
        assert_html_ok(reply);
        let text = text(reply);
        assert!(text.contains(next), "after {answer:?}: {text}");
        assert!(
            !text.contains("疑似诈骗"),
            "an answer is not checked as a message"
        );
    }
    let mut result = String::new();
    for data in ["pl:ontime", "pl:no", "pl:no", "pl:done"] {
        let calls = bot.send(press(data)).await;
        calls.one_answer();
        result = calls.texts().join("\n");
    }
    assert!(
        result.contains("3,000") || result.contains("3000"),
        "money free each month: {result}"
    );
    assert!(result.contains("停息挂账"), "warns against paid agents");

    bot.send(press("pl:save")).await.one_answer();
    let saved = bot.store.load_plan(USER as u64).await.unwrap();
    assert!(
        saved.is_some_and(|p| p.contains("借呗")),
        "plan kept after 保存"
    );
}

#[tokio::test]
async fn cancel_works_midway_and_the_one_line_form_answers_at_once() {
    let bot = Harness::start(50, 5).await;
    bot.send(private_text(70, "/plan")).await;
    let calls = bot.send(private_text(71, "/cancel")).await;
    assert!(calls.last_text().contains("取消"), "{}", calls.last_text());
    // After /cancel, text is checked as a message again.
    let calls = bot.send(private_text(72, "请把验证码发给我")).await;
    assert!(calls.last_text().contains(&zh().verdict.scam));

    let calls = bot
        .send(private_text(
            73,
            "/plan 收入8000 支出5000 借呗20000 花呗5000",
        ))
        .await;
    let text = calls.texts().join("\n");
    assert!(text.contains("借呗") && text.contains("花呗"), "{text}");
}

#[tokio::test]
async fn feedback_is_stored_without_text_until_the_user_agrees_and_forget_erases_everything() {
    let bot = Harness::start(50, 5).await;
    let original = private_message(
        80,
        "您好，请把验证码发给我，帮您注销校园贷，联系13800138000",
    );
    bot.send(json!({"message": original.clone()}))
        .await
        .one_sent();
    let verdict_id = bot.last_message_id();

    // 👎 on the verdict: the bot's message replies to the checked one.
    let ours = bot_message(verdict_id, "verdict", &original);
    let calls = bot.send(press_by("fb:down:s", ours, user())).await;
    calls.one_answer();
    assert!(calls.last_text().contains("哪一个判断"), "{:?}", calls.0);
    let prompt_id = bot.last_message_id();

    let rows = bot.store.export_feedback().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].vote.verdict, "scam");
    assert!(!rows[0].vote.accurate);
    assert!(rows[0].vote.rule_ids.iter().any(|r| r.starts_with("cred.")));
    assert_eq!(rows[0].vote.text_hash.len(), 64);
    assert!(rows[0].redacted_text.is_none(), "no text before consent");
    let id = rows[0].id;

    // The correction and the consent buttons sit under a message that replies to the original.
    let prompt = bot_message(prompt_id, "prompt", &original);
    for data in [format!("fc:{id}:l"), format!("ft:{id}")] {
        bot.send(press_by(&data, prompt.clone(), user()))
            .await
            .one_answer();
    }
    // Someone else cannot touch this feedback.
    let stranger = user_with(999, "zh-hans");
    bot.send(press_by(&format!("fc:{id}:u"), prompt, stranger))
        .await;
    let rows = bot.store.export_feedback().await.unwrap();
    assert_eq!(rows[0].corrected_verdict.as_deref(), Some("legit"));
    let text = rows[0].redacted_text.clone().expect("text after consent");
    assert!(text.contains("注销校园贷"));
    assert!(
        !text.contains("13800138000"),
        "phone number redacted before storing: {text}"
    );

    // A reminder and a saved plan, then /forget.
    let calls = bot.send(private_text(81, "/remind 15 借呗")).await;
    assert!(calls.last_text().contains("15"), "{}", calls.last_text());
    bot.send(private_text(82, "/plan 收入8000 支出5000 借呗20000"))
        .await;
    bot.send(press("pl:save")).await.one_answer();
    let before = bot.store.rows_about_user(USER as u64, USER).await.unwrap();
    assert!(before >= 3, "feedback, reminder and plan stored: {before}");
    let calls = bot.send(private_text(83, "/forget")).await;
    assert!(
        calls.last_text().contains("已删除"),
        "{}",
        calls.last_text()
    );
    let after = bot.store.rows_about_user(USER as u64, USER).await.unwrap();
    assert_eq!(after, 0, "no row about the user is left");
}

// ---------------------------------------------------------------------------------------------
// Replies fitted to the person (the terminal's side is in tests/fitted_replies.rs)
// ---------------------------------------------------------------------------------------------

/// The one reply to a private message, as the user reads it (HTML checked, then its text).
async fn private_reply(bot: &Harness, id: i64, message: &str) -> String {
    let calls = bot.send(private_text(id, message)).await;
    let reply = calls.one_sent();
    assert_html_ok(reply);
    text(reply).to_string()
}

#[tokio::test]
async fn someone_threatened_reads_110_first_and_no_all_clear() {
    let bot = Harness::start(50, 5).await;
    let t = zh();
    let reply = private_reply(
        &bot,
        200,
        "今天催收打电话，说我儿子在哪个学校读书他们一清二楚，叫我走路小心",
    )
    .await;
    let safety = reply.find(&t.safety.line).expect("the 110 line");
    let rest = reply.find(&t.report.next_steps).expect("next steps");
    assert!(safety < rest, "110 comes before the advice: {reply}");
    assert!(!reply.contains(&t.report.no_reasons), "{reply}");
}

#[tokio::test]
async fn a_borrower_and_a_relative_get_advice_for_who_they_are() {
    let bot = Harness::start(50, 5).await;
    let t = zh();
    let own = private_reply(
        &bot,
        210,
        "网贷逾期四个月了，催收天天打我公司电话，我该咋办",
    )
    .await;
    assert!(own.contains(&t.situations.own_header), "{own}");
    assert!(!own.contains(&t.advice.unrelated[0]), "{own}");
    let relative = private_reply(
        &bot,
        211,
        "催收找到我，说我是我表哥的紧急联系人，要我替他把八千块还了",
    )
    .await;
    assert!(
        relative.contains(&t.situations.relative_header),
        "{relative}"
    );
    assert!(relative.contains(&t.situations.relative[0]), "{relative}");
}

#[tokio::test]
async fn court_and_visit_notices_get_their_own_steps() {
    let bot = Harness::start(50, 5).await;
    let t = zh();
    let genuine = private_reply(
        &bot,
        220,
        "【东湖区人民法院】你与某某小额贷款有限公司借款合同纠纷一案已受理，案号（2026）赣0102民初889号，请于收到起诉状副本之日起十五日内提交答辩状。",
    )
    .await;
    assert!(genuine.contains(&t.subjects.court_genuine[1]), "{genuine}");
    let fake = private_reply(
        &bot,
        221,
        "【人民法院】你的网贷纠纷已立案，打12368可查，今天转5000元到书记员个人账户即可撤诉",
    )
    .await;
    assert!(fake.contains(&t.verdict.scam), "{fake}");
    assert!(fake.contains(&t.subjects.court_fake[0]), "{fake}");
    let visit = private_reply(
        &bot,
        222,
        "【某某信用卡中心】您好，受银行委托，我方外访人员将于本周四下午前往您单位核实情况，届时出示工作证及委托书。",
    )
    .await;
    assert!(visit.contains(&t.subjects.visit[0]), "{visit}");
}

#[tokio::test]
async fn a_brand_next_to_a_personal_number_is_not_marked_genuine() {
    let bot = Harness::start(50, 5).await;
    let reply = private_reply(
        &bot,
        230,
        "【某某消费金融】您好，您的账单已逾期多日，今天之内请加处理员的手机13566778899私下沟通",
    )
    .await;
    assert!(!reply.contains(&zh().verdict.legit), "{reply}");
}

/// The monthly amounts the negotiation scripts ask lenders for ("每月还 300 元").
fn script_amounts(texts: &[&str]) -> Vec<u64> {
    let mut amounts = Vec::new();
    for text in texts {
        for piece in text.split("每月还 ").skip(1) {
            let digits: String = piece
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .filter(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse() {
                amounts.push(n);
            }
        }
    }
    amounts
}

#[tokio::test]
async fn the_plan_promises_lenders_no_more_than_the_budget_and_puts_overdue_first() {
    let bot = Harness::start(50, 5).await;
    // 600 元 a month for three lenders.
    let calls = bot
        .send(private_text(
            240,
            "/plan 收入5600 支出5000 网贷甲1.5万 年化24% 信用卡乙2.5万 年化18% 借呗丙1万 年化12%",
        ))
        .await;
    let amounts = script_amounts(&calls.texts());
    assert_eq!(amounts.len(), 3, "one script a lender: {:?}", calls.texts());
    assert!(amounts.iter().all(|a| *a > 0), "{amounts:?}");
    assert!(amounts.iter().sum::<u64>() <= 600, "{amounts:?}");

    // A loan 60 days overdue goes before a cheaper card that is not.
    let calls = bot
        .send(private_text(
            241,
            "/plan 收入7000 支出4000 小贷甲2万 年化30% 逾期60天 信用卡乙4万 年化18%",
        ))
        .await;
    let all = calls.texts().join("\n");
    let first = all.find("1. 小贷甲").expect("the overdue loan first");
    assert!(!all[..first].contains("1. 信用卡乙"), "{all}");
}

#[tokio::test]
async fn the_facts_the_bot_states_hold_for_the_case_in_front_of_it() {
    let bot = Harness::start(50, 5).await;
    let t = zh();
    // A rate far above the protected lines is named, with where to ask.
    let calls = bot
        .send(private_text(
            250,
            "/plan 收入8000 支出5000 某贷1万 年化500% 借呗5000 年化12%",
        ))
        .await;
    let plan = calls.texts().join("\n");
    assert!(plan.contains(&t.planner.result.rate_limits_title), "{plan}");
    assert!(plan.contains("12378") && plan.contains("12348"), "{plan}");
    // An arrest threat over a credit card does not get a flat "you cannot be arrested".
    let card = private_reply(
        &bot,
        251,
        "【某银行信用卡中心】你的信用卡透支已逾期半年，经两次催收仍未还款，涉嫌恶意透支，再不还就抓你坐牢",
    )
    .await;
    assert!(card.contains("恶意透支"), "{card}");
    // A bank's own hotline is known, not reported as missing from the directory.
    let bank = private_reply(
        &bot,
        252,
        "【中国银行】您的信用卡本期账单已逾期，请通过手机银行还款，如有疑问请致电95566。",
    )
    .await;
    assert!(!bank.contains("不在我们的官方号码目录里"), "{bank}");
    // /help lists every command of the menu.
    let help = private_reply(&bot, 253, "/help").await;
    for command in [
        "/verify", "/plan", "/remind", "/cancel", "/legal", "/privacy", "/forget",
    ] {
        assert!(
            help.contains(command),
            "{command} missing from /help: {help}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hardening
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_panicking_handler_stalls_nobody() {
    // The real tree, behind a handler that panics on one word.
    let tree = dptree::entry()
        .branch(
            Update::filter_message()
                .filter(|msg: Message| msg.text() == Some("💥"))
                .endpoint(|| async { panic!("a bug in a handler") }),
        )
        .branch(schema());
    let bot = Harness::start_with(tree, 50, 5).await;
    let calls = bot.send(private_text(300, "💥")).await;
    assert_eq!(
        calls.last_text(),
        zh().bot.error,
        "the user hears something went wrong"
    );
    // The same chat and another one are answered after it, and the offset moved on.
    let calls = bot.send(private_text(301, "请把验证码发给我")).await;
    assert!(calls.last_text().contains(&zh().verdict.scam));
    let other = message(
        302,
        user_with(789, "zh-hans"),
        private_chat(789),
        "请把验证码发给我",
    );
    let calls = bot.send(json!({ "message": other })).await;
    assert!(calls.last_text().contains(&zh().verdict.scam));
}

#[tokio::test]
async fn a_forged_button_in_a_group_posts_nothing() {
    let bot = Harness::start(50, 5).await;
    let in_group = message(1, user(), group_chat(-100_200), "按钮");
    for data in ["sec:legal", "fb:down:s", "pl:start", "ft:1"] {
        let calls = bot.send(press_by(data, in_group.clone(), user())).await;
        assert!(
            calls.sent().is_empty(),
            "{data}: nothing posted in the group"
        );
        assert_eq!(
            calls.one_answer()["text"],
            zh().bot.stale_button.as_str(),
            "{data}: the press is answered"
        );
    }
    assert_eq!(bot.store.export_feedback().await.unwrap().len(), 0);
}

#[tokio::test]
async fn feedback_keeps_the_bots_verdict_and_only_the_pressers_own_message() {
    let bot = Harness::start(50, 5).await;
    // Somebody else's message under the bot's reply: consent cannot attach it.
    let stranger = user_with(999, "zh-hans");
    let theirs = message(
        5,
        stranger,
        private_chat(USER),
        "请把验证码发给我 13800138000",
    );
    let reply = bot_message(6, "🚨", &theirs);
    // A forged "legit" in the vote: the stored verdict is the bot's own, of the text it checked.
    let mine = message(
        7,
        user(),
        private_chat(USER),
        "请把验证码发给我，转到安全账户",
    );
    bot.send(press_by("fb:down:l", bot_message(8, "🚨", &mine), user()))
        .await;
    let rows = bot.store.export_feedback().await.unwrap();
    assert_eq!(rows[0].vote.verdict, "scam", "not the button's 'legit'");
    let id = rows[0].id;
    bot.send(press_by(&format!("ft:{id}"), reply, user())).await;
    let rows = bot.store.export_feedback().await.unwrap();
    assert!(
        rows[0].redacted_text.is_none(),
        "another member's text is not attached"
    );
}

#[tokio::test]
async fn forget_with_the_database_down_says_it_failed() {
    let bot = Harness::start(50, 5).await;
    bot.store.close().await;
    let calls = bot.send(private_text(310, "/forget")).await;
    assert_eq!(calls.last_text(), zh().bot.forget_failed);
}

#[tokio::test]
async fn removed_from_a_group_forgets_its_settings() {
    let bot = Harness::start(50, 5).await;
    let group = -1_001_293_752_024;
    bot.store
        .set_group_language(group, Some("en".to_string()))
        .await
        .unwrap();
    let calls = bot
        .send(fixture("update_my_chat_member_removed_from_group.json"))
        .await;
    assert!(calls.sent().is_empty());
    let settings = bot.store.group_settings(group).await.unwrap();
    assert_eq!(settings.language, None, "nothing kept about the group");
}

#[tokio::test]
async fn pressing_one_button_again_and_again_keeps_one_row_and_one_answer_each() {
    let bot = Harness::start(50, 5).await;
    let mine = message(
        7,
        user(),
        private_chat(USER),
        "请把验证码发给我，转到安全账户",
    );
    let under = bot_message(8, "🚨", &mine);
    for _ in 0..200 {
        let calls = bot.send(press_by("fb:up:s", under.clone(), user())).await;
        calls.one_answer();
    }
    let rows = bot.store.export_feedback().await.unwrap();
    assert_eq!(rows.len(), 1, "one row per message and user");
}

#[tokio::test]
async fn reminders_per_user_are_capped() {
    let bot = Harness::start(50, 5).await;
    let max = loanguard::storage::MAX_REMINDERS_PER_USER;
    // Past the per-user message limit the bot stays silent, so add them as the store would.
    for day in 0..max {
        let new = loanguard::storage::NewReminder {
            user_id: USER as u64,
            chat_id: USER,
            day_of_month: (day % 28 + 1) as u32,
            hour: 9,
            label: format!("借款{day}"),
        };
        bot.store.add_reminder(&new, 1_764_300_000).await.unwrap();
    }
    let calls = bot.send(private_text(320, "/remind 15 花呗")).await;
    let max = max.to_string();
    let expected = loanguard::responses::fill(&zh().bot.remind_too_many, &[("max", &max)]);
    assert_eq!(calls.last_text(), expected);
    assert_eq!(
        bot.store.list_reminders(USER as u64).await.unwrap().len(),
        20
    );
}

// ---------------------------------------------------------------------------------------------
// Reviewing reports and confirmed examples
// ---------------------------------------------------------------------------------------------

const REVIEWER: i64 = 777;

/// A press by `user` (in their own private chat) on a button `data` under the bot's last
/// message there.
fn press_in_own_chat(bot: &Harness, data: &str, user: i64) -> Value {
    let shown = message(
        bot.last_message_id(),
        user_with(BOT_ID, "zh-hans"),
        private_chat(user),
        "report",
    );
    press_by(data, shown, user_with(user, "zh-hans"))
}

fn reviewer_text(id: i64, text: &str) -> Value {
    json!({"message": message(id, user_with(REVIEWER, "zh-hans"), private_chat(REVIEWER), text)})
}

/// [`USER`] sends `text`, presses 👎 under the verdict and agrees to submit the text; returns
/// the feedback id.
async fn report(bot: &Harness, message_id: i64, text: &str) -> i64 {
    let original = private_message(message_id, text);
    bot.send(json!({"message": original.clone()}))
        .await
        .one_sent();
    let ours = bot_message(bot.last_message_id(), "verdict", &original);
    bot.send(press_by("fb:down:l", ours, user()))
        .await
        .one_answer();
    let prompt = bot_message(bot.last_message_id(), "prompt", &original);
    let id = bot
        .store
        .export_feedback()
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    bot.send(press_by(&format!("ft:{id}"), prompt, user()))
        .await
        .one_answer();
    id
}

const REPORTED: &str = "【安逸花】您的借款已逾期47天，请于今日18点前将欠款8630元转入专员个人账户6217003214558890123，户名刘建华，转账后联系专员微信lh20248核销，否则安排上门。";
const COPY: &str = "转发：【分期乐】您的借款已逾期52天，请于今日18点前将欠款11240元转入专员个人账户6222021488773056417，户名王志强，转账后联系专员微信wzq8866核销，否则安排上门。";

#[tokio::test]
async fn a_reviewer_confirms_a_report_and_its_copies_are_flagged_for_everyone() {
    let bot = Harness::start_reviewing(&REVIEWER.to_string()).await;
    let id = report(&bot, 300, REPORTED).await;

    // Before: a copy gets no "confirmed" reason.
    let known_reason = "确认的诈骗消息高度相似";
    let calls = bot.send(private_text(301, COPY)).await;
    assert!(
        !calls.one_sent()["text"]
            .as_str()
            .unwrap()
            .contains(known_reason)
    );

    // The reviewer sees the oldest report, redacted, with the five buttons.
    let calls = bot.send(reviewer_text(302, "/review")).await;
    let shown = calls.one_sent();
    assert_html_ok(shown);
    let shown_text = text(shown);
    assert!(shown_text.contains(&format!("#{id}")), "{shown_text}");
    assert!(shown_text.contains("专员个人账户"), "{shown_text}");
    assert!(!shown_text.contains("6217003214558890123"), "{shown_text}");
    assert_eq!(
        button_labels(shown),
        vec!["确认诈骗", "确认可疑", "确认正规", "与催收无关", "跳过"]
    );

    // Someone else pressing a reviewer's button (forged) changes nothing.
    let calls = bot
        .send(press_in_own_chat(&bot, &format!("rv:{id}:s"), USER))
        .await;
    assert_eq!(calls.one_answer()["text"], zh().review.not_allowed.as_str());
    assert!(calls.sent().is_empty());
    assert!(bot.store.known_listing().await.unwrap().is_empty());

    // The reviewer confirms it as a scam.
    let calls = bot
        .send(press_in_own_chat(&bot, &format!("rv:{id}:s"), REVIEWER))
        .await;
    calls.one_answer();
    let after = calls.last_text();
    assert!(after.contains("已存为已确认样本"), "{after}");
    assert!(after.contains(&zh().review.empty), "{after}");
    let stored = bot.store.known_listing().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].reviewer, format!("telegram:{REVIEWER}"));
    assert_eq!(stored[0].label, "scam");

    // Now every user's copy of it says so, first among the reasons.
    let calls = bot
        .send(json!({"message": message(303, user_with(888, "zh-hans"), private_chat(888), COPY)}))
        .await;
    let verdict = text(calls.one_sent());
    assert!(verdict.contains("疑似诈骗"), "{verdict}");
    assert!(
        verdict.contains(&format!("与今天{known_reason}")),
        "{verdict}"
    );
    let first_reason = verdict
        .lines()
        .find(|l| l.starts_with("1."))
        .unwrap_or_default();
    assert!(first_reason.contains(known_reason), "{verdict}");
    // The stored text is never shown to the other user.
    assert!(!verdict.contains("刘建华"), "{verdict}");

    // /known remove takes it out; the next copy is checked without it.
    let example = stored[0].id;
    let calls = bot
        .send(reviewer_text(304, &format!("/known remove {example}")))
        .await;
    assert!(
        calls.last_text().contains(&format!("#{example}")),
        "{}",
        calls.last_text()
    );
    let calls = bot.send(private_text(305, COPY)).await;
    assert!(!calls.last_text().contains(known_reason));
}

#[tokio::test]
async fn review_commands_do_not_exist_for_anyone_else() {
    let bot = Harness::start_reviewing(&REVIEWER.to_string()).await;
    report(&bot, 310, REPORTED).await;
    for (n, command) in ["/review", "/known remove 1"].into_iter().enumerate() {
        let calls = bot.send(private_text(311 + n as i64, command)).await;
        let answer = text(calls.one_sent());
        assert!(answer.starts_with(&zh().bot.unknown_command), "{answer}");
        assert!(!answer.contains("确认诈骗"), "{answer}");
    }
    // Not in a group either, not even from a reviewer.
    let in_group = message(
        313,
        user_with(REVIEWER, "zh-hans"),
        group_chat(-100_500),
        "/review",
    );
    assert!(
        bot.send(json!({"message": in_group}))
            .await
            .sent()
            .is_empty()
    );
    // Nor in the menu.
    for group in [false, true] {
        let menu = loanguard::bot::menu(zh(), group);
        assert!(
            menu.iter()
                .all(|c| c.command != "review" && c.command != "known")
        );
    }
}

#[tokio::test]
async fn forget_removes_unreviewed_reports_and_skip_keeps_a_report_open() {
    let bot = Harness::start_reviewing(&REVIEWER.to_string()).await;
    let first = report(&bot, 320, REPORTED).await;
    let second = report(
        &bot,
        321,
        "您好，我是京东金融客服，您的白条利率过高需要注销，请下载会议软件共享屏幕配合操作。",
    )
    .await;

    // Skip shows the next one; the skipped one stays open.
    let calls = bot.send(reviewer_text(322, "/review")).await;
    assert!(calls.last_text().contains(&format!("#{first}")));
    let calls = bot
        .send(press_in_own_chat(&bot, &format!("rv:{first}:k"), REVIEWER))
        .await;
    assert!(
        calls.last_text().contains(&format!("#{second}")),
        "{}",
        calls.last_text()
    );

    // The reporter forgets: neither report is left to review.
    bot.send(private_text(323, "/forget")).await;
    let calls = bot.send(reviewer_text(324, "/review")).await;
    assert_eq!(calls.last_text(), zh().review.empty);
}
