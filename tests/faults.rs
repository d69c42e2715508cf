//! Telegram's faults, injected by the fake Bot API server, against `bot::send`: each test fails
//! with the sender that only waited out a few 429s.
//!
//! Keep 5xx tests few: teloxide sleeps 10 s after any 5xx answer before it returns the error.

mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use loanguard::bot::send::{self, BlockedChats, RetryPolicy, Sender};
use loanguard::render::{Button, ButtonAction, Reply};
use loanguard::render::{Doc, Inline, Paragraph, utf16_len};
use serde_json::Value;
use support::fake_api::{FIRST_MESSAGE_ID, FakeBotApi, Fault};
use teloxide::prelude::*;
use teloxide::types::MessageId;
use teloxide::{ApiError, RequestError};

const TOKEN: &str = "123456:FAULTS-test_token";

fn bot(server: &FakeBotApi) -> Bot {
    Bot::new(TOKEN).set_api_url(server.url().parse().unwrap())
}

/// A bot whose HTTP client gives up after `timeout` (teloxide's default is 17 s).
fn bot_with_timeout(server: &FakeBotApi, timeout: Duration) -> Bot {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(timeout)
        .build()
        .unwrap();
    Bot::with_client(TOKEN, client).set_api_url(server.url().parse().unwrap())
}

/// A sender with short backoff and its own blocked set.
fn fast_sender(max_attempts: u32) -> Sender {
    let policy = RetryPolicy {
        max_attempts,
        ..RetryPolicy::fast()
    };
    Sender::new(
        policy,
        Arc::new(BlockedChats::new(100, Duration::from_secs(60))),
    )
}

fn button() -> Vec<Vec<Button>> {
    vec![vec![Button {
        label: "如何核实".into(),
        action: ButtonAction::Callback("sec:verify".into()),
    }]]
}

/// A short reply with markup and a button.
fn short_reply() -> Reply {
    let mut doc = Doc::default();
    doc.push(Paragraph::default().line(vec![
        Inline::Bold("疑似诈骗".into()),
        Inline::Text(" 风险 90 <注意>".into()),
    ]));
    doc.push(Paragraph::default().line(vec![Inline::Link {
        text: "12378".into(),
        url: "https://example.org/report".into(),
    }]));
    Reply {
        doc,
        buttons: button(),
    }
}

/// A reply of `paragraphs` paragraphs of about 1,000 UTF-16 units each, with a button.
fn long_reply(paragraphs: usize) -> Reply {
    let mut doc = Doc::default();
    for i in 0..paragraphs {
        doc.push(Paragraph::default().line(vec![
            Inline::Bold(format!("第{i}段")),
            Inline::Text("请通过官方渠道核实。".repeat(99)),
        ]));
    }
    Reply {
        doc,
        buttons: button(),
    }
}

fn text_of(request: &Value) -> &str {
    request["text"].as_str().unwrap_or_default()
}

fn has_markup(request: &Value) -> bool {
    request.get("reply_markup").is_some_and(|m| !m.is_null())
}

fn quoted(request: &Value) -> Option<i64> {
    request["reply_parameters"]["message_id"].as_i64()
}

// ---------------------------------------------------------------------------------------------
// 429
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retry_after_is_waited_out_and_the_message_is_delivered_once() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendMessage", Fault::RetryAfter(1));
    let started = Instant::now();
    let sent = send::send(
        &bot(&server),
        ChatId(101),
        &short_reply(),
        Some(MessageId(7)),
    )
    .await
    .expect("delivered after the 429");
    let elapsed = started.elapsed();

    let requests = server.timed_requests("sendMessage");
    assert_eq!(requests.len(), 2, "the 429'd request and one retry");
    assert!(
        requests[1].0 - requests[0].0 >= Duration::from_secs(1),
        "retried after {:?}, before retry_after",
        requests[1].0 - requests[0].0
    );
    assert!(elapsed >= Duration::from_secs(1));
    assert_eq!(requests[0].1, requests[1].1, "the same request again");
    // Only one message was created on the server.
    assert_eq!(i64::from(sent.id.0), FIRST_MESSAGE_ID);
}

#[tokio::test]
async fn an_absurd_retry_after_is_capped_and_429s_never_use_up_the_attempts() {
    let server = FakeBotApi::start();
    for _ in 0..10 {
        server.schedule_fault("sendMessage", Fault::RetryAfter(86_400));
    }
    // One attempt for other faults; 429s must not count.
    let sender = Sender::new(
        RetryPolicy {
            max_attempts: 1,
            max_retry_after: Duration::from_millis(50),
            ..RetryPolicy::fast()
        },
        Arc::new(BlockedChats::new(10, Duration::from_secs(60))),
    );
    let started = Instant::now();
    let sent = sender
        .send(&bot(&server), ChatId(102), &short_reply(), None)
        .await
        .expect("delivered after ten 429s");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.request_count("sendMessage"), 11);
    assert_eq!(i64::from(sent.id.0), FIRST_MESSAGE_ID);
    // Each 429 is counted by its code (other tests in this binary may add to it).
    assert!(telegram_errors("429") >= 10);
}

/// `loanguard_telegram_errors_total{code}` in the process' metrics (0 when absent).
fn telegram_errors(code: &str) -> u64 {
    let prefix = format!("loanguard_telegram_errors_total{{code=\"{code}\"}} ");
    loanguard::metrics::global()
        .render()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).map(|n| n.parse().unwrap()))
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// 5xx, malformed answers, network
// ---------------------------------------------------------------------------------------------

/// The only 5xx test: teloxide sleeps 10 s after a 5xx.
#[tokio::test]
async fn a_server_error_is_retried() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendMessage", Fault::ServerError);
    let sent = send::send(&bot(&server), ChatId(103), &short_reply(), None)
        .await
        .expect("delivered after the 502");
    assert_eq!(server.request_count("sendMessage"), 2);
    assert_eq!(i64::from(sent.id.0), FIRST_MESSAGE_ID);
    assert!(telegram_errors("5xx") >= 1);
}

#[tokio::test]
async fn a_connection_closed_before_any_answer_is_sent_again_once() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendMessage", Fault::CloseBeforeAnswer);
    let sent = send::send(&bot(&server), ChatId(108), &short_reply(), None)
        .await
        .expect("delivered on a new connection");
    assert_eq!(server.request_count("sendMessage"), 2);
    assert_eq!(
        i64::from(sent.id.0),
        FIRST_MESSAGE_ID,
        "one message delivered"
    );
    // Closed twice in a row: given up, not sent a third time. (Under a loaded machine the
    // client has been seen to fail before its request reached the server at all, so the
    // attempts are counted as "at most two", not "exactly two".)
    server.schedule_fault("sendMessage", Fault::CloseBeforeAnswer);
    server.schedule_fault("sendMessage", Fault::CloseBeforeAnswer);
    let before = server.request_count("sendMessage");
    let error = send::send(&bot(&server), ChatId(109), &short_reply(), None)
        .await
        .expect_err("closed twice");
    assert!(error.telegram().is_some(), "{error:?}");
    let attempts = server.request_count("sendMessage") - before;
    assert!(attempts <= 2, "sent {attempts} times");
}

#[tokio::test]
async fn a_malformed_answer_is_retried() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendMessage", Fault::Malformed);
    let sent = send::send(
        &bot(&server),
        ChatId(104),
        &short_reply(),
        Some(MessageId(3)),
    )
    .await
    .expect("delivered after the malformed answer");
    let requests = server.sent_messages();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0], requests[1]);
    assert_eq!(i64::from(sent.id.0), FIRST_MESSAGE_ID);
}

#[tokio::test]
async fn malformed_answers_are_retried_a_bounded_number_of_times() {
    let server = FakeBotApi::start();
    for _ in 0..20 {
        server.schedule_fault("sendMessage", Fault::Malformed);
    }
    let error = fast_sender(4)
        .send(&bot(&server), ChatId(105), &short_reply(), None)
        .await
        .expect_err("every answer is malformed");
    assert!(
        matches!(error.telegram(), Some(RequestError::InvalidJson { .. })),
        "{error:?}"
    );
    assert_eq!(
        server.request_count("sendMessage"),
        4,
        "max_attempts in all"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_until_the_server_is_back() {
    // A port nobody listens on, for now.
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let bot = Bot::new(TOKEN).set_api_url(format!("http://{addr}/").parse().unwrap());

    // Nobody ever answers: bounded attempts, then the connect error.
    let started = Instant::now();
    let error = fast_sender(3)
        .send(&bot, ChatId(106), &short_reply(), None)
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(error.telegram(), Some(RequestError::Network(e)) if e.is_connect()),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));

    // The server comes up while the sender backs off.
    let sender = Sender::new(
        RetryPolicy {
            max_attempts: 40,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            ..RetryPolicy::default()
        },
        Arc::new(BlockedChats::new(10, Duration::from_secs(60))),
    );
    let task = {
        let bot = bot.clone();
        tokio::spawn(async move {
            sender
                .send(&bot, ChatId(106), &short_reply(), Some(MessageId(1)))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let server = FakeBotApi::start_on(addr);
    let sent = task
        .await
        .unwrap()
        .expect("delivered once the server is back");
    assert_eq!(server.request_count("sendMessage"), 1);
    assert_eq!(i64::from(sent.id.0), FIRST_MESSAGE_ID);
}

/// A timeout after the request went out: Telegram may have delivered it (the fake server does,
/// once the hang is over), so a new message is not sent again.
#[tokio::test]
async fn a_send_that_times_out_is_not_sent_twice() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendMessage", Fault::Hang(Duration::from_secs(2)));
    let bot = bot_with_timeout(&server, Duration::from_millis(500));
    let started = Instant::now();
    let error = send::send(&bot, ChatId(107), &short_reply(), Some(MessageId(4)))
        .await
        .expect_err("the client times out");
    assert!(
        matches!(error.telegram(), Some(RequestError::Network(e)) if e.is_timeout()),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1900));
    // The hang ends; the server delivers the message it had received.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(server.request_count("sendMessage"), 1, "no second copy");
    // Proof that it was delivered: the next message gets the next id.
    let next = send::send(&bot, ChatId(107), &short_reply(), None)
        .await
        .unwrap();
    assert_eq!(i64::from(next.id.0), FIRST_MESSAGE_ID + 1);
}

/// An edit is safe to repeat: timeouts are retried, a bounded number of times.
#[tokio::test]
async fn an_edit_that_times_out_is_retried_a_bounded_number_of_times() {
    let server = FakeBotApi::start();
    let bot = bot_with_timeout(&server, Duration::from_millis(300));
    let chat = ChatId(108);
    let reply = short_reply();

    server.schedule_fault("editMessageText", Fault::Hang(Duration::from_secs(1)));
    fast_sender(3)
        .edit(&bot, chat, MessageId(1000), &reply)
        .await
        .expect("edited on the second attempt");
    assert_eq!(server.request_count("editMessageText"), 2);

    for _ in 0..10 {
        server.schedule_fault("editMessageText", Fault::Hang(Duration::from_secs(1)));
    }
    let error = fast_sender(3)
        .edit(&bot, chat, MessageId(1000), &reply)
        .await
        .expect_err("every attempt hangs");
    assert!(
        matches!(error.telegram(), Some(RequestError::Network(e)) if e.is_timeout()),
        "{error:?}"
    );
    assert_eq!(server.request_count("editMessageText"), 2 + 3);
}

// ---------------------------------------------------------------------------------------------
// 403
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_blocked_chat_is_not_retried_and_later_replies_are_skipped() {
    let server = FakeBotApi::start();
    let bot = bot(&server);
    let chat = ChatId(109);
    server.schedule_fault(
        "sendMessage",
        Fault::Forbidden("Forbidden: bot was blocked by the user".into()),
    );
    // Two parts: the second is dropped with the first.
    let reply = long_reply(6);
    let error = send::send(&bot, chat, &reply, Some(MessageId(10)))
        .await
        .expect_err("blocked");
    assert!(send::is_blocked(&error), "{error:?}");
    assert!(matches!(
        error.telegram(),
        Some(RequestError::Api(ApiError::BotBlocked))
    ));
    assert_eq!(
        server.request_count("sendMessage"),
        1,
        "no retry, no second part"
    );
    assert!(send::blocked_chats().contains(chat));

    // Later and pending replies to that chat: skipped, no request.
    for reply_to in [None, Some(MessageId(10)), Some(MessageId(9))] {
        let error = send::send(&bot, chat, &short_reply(), reply_to)
            .await
            .expect_err("skipped");
        assert!(send::is_blocked(&error), "{error:?}");
    }
    assert_eq!(server.request_count("sendMessage"), 1);

    // The user writes again (a newer message): they unblocked the bot.
    send::send(&bot, chat, &short_reply(), Some(MessageId(11)))
        .await
        .expect("a reply to a newer message goes out");
    assert!(!send::blocked_chats().contains(chat));
    send::send(&bot, chat, &short_reply(), None)
        .await
        .expect("and so do later ones");
    assert_eq!(server.request_count("sendMessage"), 3);
}

#[tokio::test]
async fn deactivated_users_and_kicked_bots_count_as_blocked() {
    let server = FakeBotApi::start();
    let bot = bot(&server);
    let cases = [
        (110, "Forbidden: user is deactivated"),
        (111, "Forbidden: bot was kicked from the supergroup chat"),
        (112, "Forbidden: bot was kicked from the group chat"),
        (113, "Forbidden: bot is not a member of the channel chat"),
    ];
    for (chat, description) in cases {
        server.schedule_fault("sendMessage", Fault::Forbidden(description.into()));
        let error = send::send(&bot, ChatId(chat), &short_reply(), None)
            .await
            .expect_err(description);
        assert!(send::is_blocked(&error), "{description}: {error:?}");
        assert!(
            send::blocked_chats().contains(ChatId(chat)),
            "{description}"
        );
    }
    assert_eq!(server.request_count("sendMessage"), cases.len());
    // Other errors don't mark the chat.
    server.schedule_fault(
        "sendMessage",
        Fault::BadRequest("Bad Request: chat not found".into()),
    );
    let error = send::send(&bot, ChatId(114), &short_reply(), None)
        .await
        .expect_err("chat not found");
    assert!(!send::is_blocked(&error));
    assert!(!send::blocked_chats().contains(ChatId(114)));
}

#[test]
fn the_blocked_set_is_bounded_and_forgets() {
    let blocked = BlockedChats::new(3, Duration::from_millis(100));
    for chat in 0..10 {
        blocked.insert(ChatId(chat), ApiError::BotBlocked, None);
        assert!(blocked.len() <= 3);
    }
    assert!(blocked.contains(ChatId(9)));
    assert!(!blocked.contains(ChatId(0)), "the oldest went first");
    std::thread::sleep(Duration::from_millis(150));
    assert!(!blocked.contains(ChatId(9)), "expired");
    blocked.insert(ChatId(1), ApiError::UserDeactivated, None);
    assert!(blocked.remove(ChatId(1)));
    assert!(!blocked.contains(ChatId(1)));
}

// ---------------------------------------------------------------------------------------------
// 400
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_message_too_long_is_cut_again_and_delivered() {
    let server = FakeBotApi::start();
    server.schedule_fault(
        "sendMessage",
        Fault::BadRequest("Bad Request: message is too long".into()),
    );
    let reply = long_reply(3); // about 3,000 units: one message at 4,096
    assert_eq!(reply.doc.to_html_parts(4096).len(), 1);
    let sent = send::send(&bot(&server), ChatId(115), &reply, Some(MessageId(20)))
        .await
        .expect("delivered in smaller parts");

    let requests = server.sent_messages();
    assert!(requests.len() >= 3, "the refused message, then its parts");
    assert_eq!(text_of(&requests[0]), reply.doc.to_html());
    let parts = &requests[1..];
    let joined = parts.iter().map(text_of).collect::<Vec<_>>().join("\n\n");
    assert_eq!(joined, reply.doc.to_html(), "nothing lost or reordered");
    for part in parts {
        assert!(utf16_len(text_of(part)) <= 2048);
        assert_eq!(part["parse_mode"], "HTML");
    }
    assert_eq!(
        quoted(&parts[0]),
        Some(20),
        "the first part quotes the message"
    );
    assert!(parts[1..].iter().all(|p| quoted(p).is_none()));
    assert!(
        has_markup(parts.last().unwrap()),
        "buttons on the last part"
    );
    assert!(parts[..parts.len() - 1].iter().all(|p| !has_markup(p)));
    assert_eq!(
        i64::from(sent.id.0),
        FIRST_MESSAGE_ID + parts.len() as i64 - 1
    );
}

#[tokio::test]
async fn a_message_too_long_is_cut_again_only_once() {
    let server = FakeBotApi::start();
    for _ in 0..5 {
        server.schedule_fault(
            "sendMessage",
            Fault::BadRequest("Bad Request: message is too long".into()),
        );
    }
    let error = send::send(&bot(&server), ChatId(116), &long_reply(3), None)
        .await
        .expect_err("still too long");
    assert!(
        matches!(
            error.telegram(),
            Some(RequestError::Api(ApiError::MessageIsTooLong))
        ),
        "{error:?}"
    );
    assert_eq!(server.request_count("sendMessage"), 2);
}

const CANT_PARSE: &str =
    "Bad Request: can't parse entities: Unsupported start tag \"blockquote\" at byte offset 0";

#[tokio::test]
async fn html_telegram_cannot_parse_is_sent_as_plain_text() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendMessage", Fault::BadRequest(CANT_PARSE.into()));
    let reply = short_reply();
    send::send(&bot(&server), ChatId(117), &reply, Some(MessageId(30)))
        .await
        .expect("delivered as plain text");

    let requests = server.sent_messages();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["parse_mode"], "HTML");
    let plain = &requests[1];
    assert!(
        plain.get("parse_mode").is_none_or(Value::is_null),
        "{plain}"
    );
    assert_eq!(text_of(plain), reply.doc.to_plain());
    assert!(
        text_of(plain).contains("<注意>"),
        "no escaping in plain text"
    );
    assert!(text_of(plain).contains("https://example.org/report"));
    assert_eq!(quoted(plain), Some(30));
    assert!(has_markup(plain));

    // Only once: a second refusal is returned.
    for _ in 0..3 {
        server.schedule_fault("sendMessage", Fault::BadRequest(CANT_PARSE.into()));
    }
    let error = send::send(&bot(&server), ChatId(117), &reply, None)
        .await
        .expect_err("refused twice");
    assert!(
        matches!(
            error.telegram(),
            Some(RequestError::Api(ApiError::CantParseEntities(_)))
        ),
        "{error:?}"
    );
    assert_eq!(server.request_count("sendMessage"), 4);
}

#[tokio::test]
async fn an_edit_telegram_cannot_parse_is_sent_as_plain_text() {
    let server = FakeBotApi::start();
    server.schedule_fault("editMessageText", Fault::BadRequest(CANT_PARSE.into()));
    let reply = short_reply();
    send::edit(&bot(&server), ChatId(118), MessageId(1000), &reply)
        .await
        .expect("edited as plain text");
    let requests = server.requests("editMessageText");
    assert_eq!(requests.len(), 2);
    assert!(requests[1].get("parse_mode").is_none_or(Value::is_null));
    assert_eq!(text_of(&requests[1]), reply.doc.to_plain());
    assert!(has_markup(&requests[1]));
}

/// The sender cuts replies as `Doc::to_html_parts` does, so replies look the same as before.
#[test]
fn parts_are_cut_as_the_renderer_cuts_them() {
    let mut quoted = Doc::default();
    quoted.push(Paragraph {
        lines: (0..200)
            .map(|i| vec![Inline::Text(format!("第{i}行 证据保存 <a&b>"))])
            .collect(),
        quote: true,
    });
    quoted.push(Paragraph::default().text("😀".repeat(5000)));
    quoted.push(Paragraph::default().bold("结尾"));
    for doc in [
        short_reply().doc,
        long_reply(3).doc,
        long_reply(9).doc,
        quoted,
    ] {
        for limit in [4096, 2048, 100] {
            let html: Vec<String> = send::part_docs(&doc, limit)
                .iter()
                .map(Doc::to_html)
                .collect();
            assert_eq!(html, doc.to_html_parts(limit), "limit {limit}");
        }
    }
}
