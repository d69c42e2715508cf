//! The bot's handlers under teloxide_tests (MockBot): every command and flow, private and group.

mod support;

use std::sync::Arc;
use std::time::Duration;

use loanguard::bot::schema::{distribution, schema};
use loanguard::bot::state::{BotState, Settings};
use loanguard::responses::{Language, Responses};
use loanguard::storage::Store;
use support::telegram_html;
use teloxide::dptree::deps;
use teloxide::types::{ParseMode, ReplyMarkup, Update};
use teloxide_tests::{
    MockBot, MockCallbackQuery, MockEditedMessage, MockMessagePhoto, MockMessageSticker,
    MockMessageText, MockMessageVoice, MockPrivateChat, MockSupergroupChat, MockUser,
};

fn zh() -> &'static Responses {
    Responses::get(Language::ZhCn)
}

fn fixture(name: &str) -> Update {
    let path = format!(
        "{}/tests/fixtures/telegram/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn new_state(window_ms: u64, group_limit: u32) -> Arc<BotState> {
    Arc::new(BotState::new(Settings {
        batch_window: Duration::from_millis(window_ms),
        group_limit_per_minute: group_limit,
        ..Settings::default()
    }))
}

fn user() -> MockUser {
    MockUser::new().id(456).language_code("zh-hans".to_string())
}

fn private_text(id: i32, text: &str) -> MockMessageText {
    MockMessageText::new()
        .text(text)
        .id(id)
        .from(user().build())
        .chat(MockPrivateChat::new().id(456).build())
}

/// A fresh SQLite database per test, in the temp directory.
fn store() -> Arc<Store> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("loanguard-mock-{}-{n}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    Arc::new(block(async move { Store::connect(&url).await }).unwrap())
}

fn mock<T: teloxide_tests::IntoUpdate>(
    update: T,
    state: &Arc<BotState>,
) -> MockBot<Box<dyn std::error::Error + Send + Sync>, teloxide::types::ChatId> {
    let mut bot = MockBot::new_with_distribution_function(update, schema(), distribution);
    bot.dependencies(deps![state.clone(), store()]);
    bot
}

fn assert_html_ok(text: &str) {
    if let Some(problem) = telegram_html::check(text) {
        panic!("invalid Telegram HTML ({problem}) in {text:?}");
    }
    assert!(text.encode_utf16().count() <= 4096);
}

fn button_labels(markup: &Option<ReplyMarkup>) -> Vec<String> {
    match markup {
        Some(ReplyMarkup::InlineKeyboard(kb)) => kb
            .inline_keyboard
            .iter()
            .flatten()
            .map(|b| b.text.clone())
            .collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn forwarded_scam_gets_one_html_verdict_with_reasons_and_buttons() {
    let state = new_state(50, 5);
    let mut bot = mock(fixture("update_private_forward_user.json"), &state);
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1, "exactly one reply");
    let req = &sent[0].bot_request;
    assert_eq!(req.parse_mode, Some(ParseMode::Html));
    assert_html_ok(&req.text);
    assert!(req.text.contains(&zh().verdict.scam));
    assert!(
        req.text.contains("专员个人账户"),
        "quotes the triggering words: {}",
        req.text
    );
    assert!(
        req.text.contains("不要转账"),
        "scam advice leads with not paying"
    );
    assert_eq!(
        req.reply_parameters.as_ref().map(|r| r.message_id.0),
        Some(123)
    );
    let labels = button_labels(&req.reply_markup);
    for b in [
        &zh().buttons.verify,
        &zh().buttons.respond,
        &zh().buttons.legal,
        &zh().buttons.accurate,
        &zh().buttons.wrong,
    ] {
        assert!(labels.contains(b), "button {b} missing from {labels:?}");
    }
}

#[tokio::test]
async fn forward_from_a_hidden_user_is_mentioned_as_a_hint() {
    let state = new_state(50, 5);
    let mut bot = mock(fixture("update_private_forward_hidden_user.json"), &state);
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .bot_request
            .text
            .contains(&zh().report.forwarded_hidden)
    );
    assert!(sent[0].bot_request.text.contains(&zh().verdict.scam));
}

#[tokio::test]
async fn a_burst_of_forwards_gets_one_reply() {
    let state = new_state(300, 5);
    let origin = teloxide::types::MessageOrigin::HiddenUser {
        date: chrono_now(),
        sender_user_name: "客服".into(),
    };
    let lines = [
        "您好，这里是贷后中心",
        "您的借款已经逾期",
        "今天可以减免一半",
        "请加微信 jianmian_88",
        "转账后发截图给我",
    ];
    let updates: Vec<MockMessageText> = lines
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut m = private_text(200 + i as i32, t);
            m.forward_origin = Some(origin.clone());
            m
        })
        .collect();
    let mut bot = mock(updates, &state);
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(
        sent.len(),
        1,
        "one reply for five forwards, got {}",
        sent.len()
    );
    let text = &sent[0].bot_request.text;
    assert!(text.contains("5 条"), "{text}");
    assert!(text.contains(&zh().verdict.scam), "judged together: {text}");
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_764_300_000, 0).unwrap()
}

#[tokio::test]
async fn verify_with_text_after_a_newline_is_checked() {
    let state = new_state(50, 5);
    let mut bot = mock(
        private_text(
            10,
            "/verify\n我是国家金融监督管理总局工作人员，为您办理网贷退息，请开启屏幕共享",
        ),
        &state,
    );
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].bot_request.text.contains(&zh().verdict.scam));
}

#[tokio::test]
async fn bare_verify_gives_the_checklist_and_commands_answer() {
    let state = new_state(50, 5);
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
        let mut bot = mock(private_text(11, command), &state);
        bot.dispatch().await;
        let sent = bot.get_responses().sent_messages_text;
        assert_eq!(sent.len(), 1, "{command}");
        assert_html_ok(&sent[0].bot_request.text);
        assert!(
            sent[0].bot_request.text.contains(expected),
            "{command}: {}",
            sent[0].bot_request.text
        );
    }
}

#[tokio::test]
async fn group_verify_reply_is_short_redacted_and_links_to_private_chat() {
    let state = new_state(50, 5);
    let mut bot = mock(
        fixture("update_supergroup_verify_reply_to_forward.json"),
        &state,
    );
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1);
    let req = &sent[0].bot_request;
    assert_html_ok(&req.text);
    assert!(req.text.contains(&zh().verdict.scam));
    for personal in ["13912345678", "6212264000318775", "8600", "张伟"] {
        assert!(
            !req.text.contains(personal),
            "group reply repeats {personal}: {}",
            req.text
        );
    }
    assert_eq!(
        req.reply_parameters.as_ref().map(|r| r.message_id.0),
        Some(134546)
    );
    match &req.reply_markup {
        Some(ReplyMarkup::InlineKeyboard(kb)) => {
            let button = &kb.inline_keyboard[0][0];
            assert_eq!(button.text, zh().buttons.full_advice);
            match &button.kind {
                teloxide::types::InlineKeyboardButtonKind::Url(url) => {
                    assert_eq!(url.host_str(), Some("t.me"));
                    assert_eq!(url.path(), "/test_bot");
                    assert!(url.query().unwrap_or("").starts_with("start=v"), "{url}");
                }
                other => panic!("expected a URL button, got {other:?}"),
            }
        }
        other => panic!("expected a deep-link button, got {other:?}"),
    }
}

#[tokio::test]
async fn deep_link_opens_the_full_advice() {
    let state = new_state(50, 5);
    let classifier = loanguard::classifier::Classifier::shared();
    let report = classifier.classify("请把钱转到安全账户，配合公安调查");
    let payload = loanguard::bot::deeplink::encode(&report, classifier);
    let mut bot = mock(private_text(12, &format!("/start {payload}")), &state);
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].bot_request.text.contains(&zh().bot.deep_link));
    assert!(
        sent[0]
            .bot_request
            .text
            .contains(zh().reason("pay.safe_account"))
    );
}

#[tokio::test]
async fn groups_get_a_few_replies_then_one_try_later_then_silence() {
    let state = new_state(50, 3);
    let group = MockSupergroupChat::new().id(-100777).build();
    let updates: Vec<MockMessageText> = (0..7)
        .map(|i| {
            MockMessageText::new()
                .text("/verify@test_bot 请转账到安全账户")
                .id(300 + i)
                .chat(group.clone())
                .from(user().build())
        })
        .collect();
    let mut bot = mock(updates, &state);
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 4, "3 verdicts and one try-later");
    assert!(sent[3].bot_request.text.contains(&zh().group.rate_limited));
}

#[tokio::test]
async fn ordinary_group_messages_get_no_reply() {
    let state = new_state(50, 5);
    let group = MockSupergroupChat::new().id(-100778).build();
    let mut bot = mock(
        MockMessageText::new()
            .text("今天还款了吗")
            .chat(group)
            .from(user().build()),
        &state,
    );
    bot.dispatch().await;
    assert!(bot.get_responses().sent_messages.is_empty());
}

#[tokio::test]
async fn added_to_a_group_posts_one_introduction() {
    let state = new_state(50, 5);
    let mut bot = mock(fixture("update_my_chat_member_added_to_group.json"), &state);
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].bot_request.text, zh().group.intro);
}

#[tokio::test]
async fn buttons_are_answered_and_show_the_section() {
    let state = new_state(50, 5);
    let message = private_text(20, "占位").build();
    let mut bot = mock(
        MockCallbackQuery::new()
            .data("sec:legal")
            .message(message.clone())
            .from(user().build()),
        &state,
    );
    bot.dispatch().await;
    let r = bot.get_responses();
    assert_eq!(r.answered_callback_queries.len(), 1);
    assert!(
        r.sent_messages_text
            .last()
            .unwrap()
            .bot_request
            .text
            .contains("12378")
    );

    bot.update(
        MockCallbackQuery::new()
            .data("fb:up:s")
            .message(message.clone())
            .from(user().build()),
    );
    bot.dispatch().await;
    let r = bot.get_responses();
    assert_eq!(r.answered_callback_queries.len(), 1);
    assert_eq!(
        r.answered_callback_queries[0].text.as_deref(),
        Some(zh().bot.feedback_up.as_str())
    );

    bot.update(
        MockCallbackQuery::new()
            .data("fb:up:s'; DROP TABLE")
            .message(message)
            .from(user().build()),
    );
    bot.dispatch().await;
    let r = bot.get_responses();
    assert_eq!(
        r.answered_callback_queries.len(),
        1,
        "forged data is still answered"
    );
    assert_eq!(
        r.answered_callback_queries[0].text.as_deref(),
        Some(zh().bot.stale_button.as_str())
    );
    assert!(r.sent_messages_text.is_empty());
}

#[tokio::test]
async fn an_edited_message_updates_the_earlier_reply() {
    let state = new_state(50, 5);
    let original = private_text(30, "您好，您的借款已逾期3天，请登录官方APP还款");
    let mut bot = mock(original.clone(), &state);
    bot.dispatch().await;
    let first = bot.get_responses().sent_messages_text;
    assert_eq!(first.len(), 1);
    let reply_id = first[0].message.id;

    let edited = original
        .text("您好，您的借款已逾期，请把验证码发给我，转到我的个人账户")
        .build();
    bot.update(MockEditedMessage::new(edited));
    bot.dispatch().await;
    let r = bot.get_responses();
    assert!(r.sent_messages_text.is_empty(), "no new message");
    assert_eq!(r.edited_messages_text.len(), 1);
    let edit = &r.edited_messages_text[0].bot_request;
    assert_eq!(edit.message_id, Some(reply_id.0));
    assert!(edit.text.contains(&zh().verdict.scam));
    assert!(edit.text.contains(&zh().bot.edited_note));
}

#[tokio::test]
async fn stickers_voice_and_bare_photos_get_friendly_hints() {
    let state = new_state(50, 5);
    let chat = MockPrivateChat::new().id(456).build();
    let mut bot = mock(
        MockMessageSticker::new()
            .chat(chat.clone())
            .from(user().build()),
        &state,
    );
    bot.dispatch().await;
    assert_eq!(
        bot.get_responses().sent_messages_text[0].bot_request.text,
        zh().bot.sticker
    );

    bot.update(
        MockMessageVoice::new()
            .chat(chat.clone())
            .from(user().build()),
    );
    bot.dispatch().await;
    assert_eq!(
        bot.get_responses().sent_messages_text[0].bot_request.text,
        zh().bot.voice
    );

    // With Tesseract the photo is fetched and read (MockBot serves no image, so nothing is
    // read); without it the user is told that screenshot reading is off. Either way: one hint.
    bot.update(MockMessagePhoto::new().chat(chat).from(user().build()));
    bot.dispatch().await;
    let sent = bot.get_responses().sent_messages_text;
    assert_eq!(sent.len(), 1);
    let expected = if loanguard::ocr::Ocr::global().is_some() {
        &zh().bot.ocr_failed
    } else {
        &zh().bot.photo_no_caption
    };
    assert_eq!(&sent[0].bot_request.text, expected);
}

#[tokio::test]
async fn english_users_get_english_replies() {
    let state = new_state(50, 5);
    let en_user = MockUser::new()
        .id(457)
        .language_code("en-GB".to_string())
        .build();
    let msg = MockMessageText::new()
        .text("/legal")
        .from(en_user)
        .chat(MockPrivateChat::new().id(457).build());
    let mut bot = mock(msg, &state);
    bot.dispatch().await;
    let text = &bot.get_responses().sent_messages_text[0].bot_request.text;
    let en = Responses::get(Language::En);
    let heading = en
        .bot
        .legal
        .lines()
        .find(|l| l.starts_with("# "))
        .unwrap()
        .trim_start_matches("# ");
    assert!(text.contains(heading), "{text}");
    assert!(
        !text.contains(
            zh().bot
                .legal
                .lines()
                .find(|l| l.starts_with("# "))
                .unwrap()
                .trim_start_matches("# ")
        )
    );
}

#[tokio::test]
async fn empty_and_odd_unicode_text_never_crash() {
    let state = new_state(50, 5);
    for text in [
        "\u{200b}",
        "\u{202e}\u{202e}",
        "😀😀😀",
        &"很长".repeat(40_000),
    ] {
        let mut bot = mock(private_text(40, text), &state);
        bot.dispatch().await;
        let sent = bot.get_responses().sent_messages_text;
        assert!(
            !sent.is_empty(),
            "no reply for {:?}",
            &text[..text.len().min(12)]
        );
        for s in &sent {
            assert_html_ok(&s.bot_request.text);
        }
    }
}

fn mock_with_store<T: teloxide_tests::IntoUpdate>(
    update: T,
    state: &Arc<BotState>,
    store: &Arc<Store>,
) -> MockBot<Box<dyn std::error::Error + Send + Sync>, teloxide::types::ChatId> {
    let mut bot = MockBot::new_with_distribution_function(update, schema(), distribution);
    bot.dependencies(deps![state.clone(), store.clone()]);
    bot
}

fn press(data: &str) -> MockCallbackQuery {
    MockCallbackQuery::new()
        .data(data)
        .message(private_text(1, "按钮").build())
        .from(user().build())
}

fn last_text(
    bot: &MockBot<Box<dyn std::error::Error + Send + Sync>, teloxide::types::ChatId>,
) -> String {
    bot.get_responses()
        .sent_messages_text
        .last()
        .map(|m| m.bot_request.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_planner_asks_one_question_at_a_time_and_saves_the_plan() {
    let state = new_state(50, 5);
    let store = store();
    let mut bot = mock_with_store(private_text(60, "/plan"), &state, &store);
    bot.dispatch().await;
    assert!(
        last_text(&bot).contains("收入"),
        "first question: {}",
        last_text(&bot)
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
        bot.update(private_text(61, answer));
        bot.dispatch().await;
        let text = last_text(&bot);
        assert_html_ok(&text);
        assert!(text.contains(next), "after {answer:?}: {text}");
        assert!(
            !text.contains("疑似诈骗"),
            "an answer is not checked as a message"
        );
    }
    for data in ["pl:ontime", "pl:no", "pl:no", "pl:done"] {
        bot.update(press(data));
        bot.dispatch().await;
        assert_eq!(
            bot.get_responses().answered_callback_queries.len(),
            1,
            "{data} answered"
        );
    }
    let result = bot
        .get_responses()
        .sent_messages_text
        .iter()
        .map(|m| m.bot_request.text.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        result.contains("3,000") || result.contains("3000"),
        "money free each month: {result}"
    );
    assert!(result.contains("停息挂账"), "warns against paid agents");

    bot.update(press("pl:save"));
    bot.dispatch().await;
    let saved = store_plan(&store, 456);
    assert!(
        saved.is_some_and(|p| p.contains("借呗")),
        "plan kept after 保存"
    );
}

fn store_plan(store: &Arc<Store>, user: u64) -> Option<String> {
    let store = store.clone();
    block(async move { store.load_plan(user).await }).unwrap()
}

#[tokio::test]
async fn cancel_works_midway_and_the_one_line_form_answers_at_once() {
    let state = new_state(50, 5);
    let store = store();
    let mut bot = mock_with_store(private_text(70, "/plan"), &state, &store);
    bot.dispatch().await;
    bot.update(private_text(71, "/cancel"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("取消"), "{}", last_text(&bot));
    // After /cancel, text is checked as a message again.
    bot.update(private_text(72, "请把验证码发给我"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains(&zh().verdict.scam));

    bot.update(private_text(
        73,
        "/plan 收入8000 支出5000 借呗20000 花呗5000",
    ));
    bot.dispatch().await;
    let text = bot
        .get_responses()
        .sent_messages_text
        .iter()
        .map(|m| m.bot_request.text.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("借呗") && text.contains("花呗"), "{text}");
}

/// Runs a storage call to completion on a runtime of its own (the test's runtime is busy
/// driving the mock bot).
fn block<T: Send + 'static, F: std::future::Future<Output = T> + Send + 'static>(f: F) -> T {
    std::thread::spawn(move || tokio::runtime::Runtime::new().unwrap().block_on(f))
        .join()
        .unwrap()
}

#[tokio::test]
async fn feedback_is_stored_without_text_until_the_user_agrees_and_forget_erases_everything() {
    let state = new_state(50, 5);
    let store = store();
    let original = private_text(
        80,
        "您好，请把验证码发给我，帮您注销校园贷，联系13800138000",
    )
    .build();
    let mut bot = mock_with_store(
        MockMessageText::new()
            .text(original.text().unwrap())
            .id(80)
            .from(user().build())
            .chat(MockPrivateChat::new().id(456).build()),
        &state,
        &store,
    );
    bot.dispatch().await;
    let verdict_msg = bot.get_responses().sent_messages_text[0].message.clone();

    // 👎 on the verdict: the bot's message replies to the checked one.
    let mut ours = MockMessageText::new()
        .text("verdict")
        .id(verdict_msg.id.0)
        .chat(MockPrivateChat::new().id(456).build());
    ours.reply_to_message = Some(Box::new(original.clone()));
    bot.update(
        MockCallbackQuery::new()
            .data("fb:down:s")
            .message(ours.clone().build())
            .from(user().build()),
    );
    bot.dispatch().await;
    let r = bot.get_responses();
    assert_eq!(r.answered_callback_queries.len(), 1);
    let prompt = r.sent_messages_text.last().unwrap();
    assert!(prompt.bot_request.text.contains("哪一个判断"));

    let rows = {
        let s = store.clone();
        block(async move { s.export_feedback().await }).unwrap()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].verdict, "scam");
    assert!(!rows[0].accurate);
    assert!(rows[0].rule_ids.iter().any(|r| r.starts_with("cred.")));
    assert_eq!(rows[0].text_hash.len(), 64);
    assert!(rows[0].redacted_text.is_none(), "no text before consent");
    let id = rows[0].id;

    // The correction and the consent buttons sit under a message that replies to the original.
    let mut prompt_msg = MockMessageText::new()
        .text("prompt")
        .id(prompt.message.id.0)
        .chat(MockPrivateChat::new().id(456).build());
    prompt_msg.reply_to_message = Some(Box::new(original.clone()));
    for data in [format!("fc:{id}:l"), format!("ft:{id}")] {
        bot.update(
            MockCallbackQuery::new()
                .data(data)
                .message(prompt_msg.clone().build())
                .from(user().build()),
        );
        bot.dispatch().await;
        assert_eq!(bot.get_responses().answered_callback_queries.len(), 1);
    }
    // Someone else cannot touch this feedback.
    let stranger = MockUser::new().id(999).build();
    bot.update(
        MockCallbackQuery::new()
            .data(format!("fc:{id}:u"))
            .message(prompt_msg.clone().build())
            .from(stranger),
    );
    bot.dispatch().await;
    let rows = {
        let s = store.clone();
        block(async move { s.export_feedback().await }).unwrap()
    };
    assert_eq!(rows[0].corrected_verdict.as_deref(), Some("legit"));
    let text = rows[0].redacted_text.clone().expect("text after consent");
    assert!(text.contains("注销校园贷"));
    assert!(
        !text.contains("13800138000"),
        "phone number redacted before storing: {text}"
    );

    // A reminder and a saved plan, then /forget.
    bot.update(private_text(81, "/remind 15 借呗"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("15"));
    bot.update(private_text(82, "/plan 收入8000 支出5000 借呗20000"));
    bot.dispatch().await;
    bot.update(press("pl:save"));
    bot.dispatch().await;
    let before = {
        let s = store.clone();
        block(async move { s.rows_about_user(456, 456).await }).unwrap()
    };
    assert!(before >= 3, "feedback, reminder and plan stored: {before}");
    bot.update(private_text(83, "/forget"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("已删除"));
    let after = {
        let s = store.clone();
        block(async move { s.rows_about_user(456, 456).await }).unwrap()
    };
    assert_eq!(after, 0, "no row about the user is left");
}
