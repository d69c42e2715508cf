//! Tests for the fake Bot API server in `tests/support/fake_api.rs`.
//!
//! Most tests talk to it with a tiny raw HTTP/1.1 client over `std::net::TcpStream`, so the
//! wire format is checked directly. The last few use teloxide itself (a `Bot` and a polling
//! `Dispatcher`) to prove the answers parse as the real client expects.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_api::{BOT_ID, FakeBotApi, Fault};

const TOKEN: &str = "123456:TEST-token_abc";
const GROUP_ID: i64 = -1_001_234_567_890;

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 client
// ---------------------------------------------------------------------------------------------

/// One keep-alive connection to the server.
struct RawClient {
    conn: BufReader<TcpStream>,
}

struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "response is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// `result` of an `ok: true` answer.
    fn result(&self) -> Value {
        let body = self.json();
        assert_eq!(self.status, 200, "unexpected answer {body}");
        assert_eq!(body["ok"], true, "unexpected answer {body}");
        body["result"].clone()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl RawClient {
    fn connect(server: &FakeBotApi) -> RawClient {
        let stream = TcpStream::connect(server.addr()).expect("connect to the fake server");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        RawClient {
            conn: BufReader::new(stream),
        }
    }

    /// Sends raw bytes and reads one response.
    fn exchange(&mut self, raw: &[u8]) -> RawResponse {
        self.conn.get_mut().write_all(raw).expect("write request");
        self.read_response()
    }

    /// `POST /bot<TOKEN>/<method>` with a JSON body.
    fn call(&mut self, method: &str, body: &Value) -> RawResponse {
        let body = body.to_string();
        let head = format!(
            "POST /bot{TOKEN}/{method} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.exchange(format!("{head}{body}").as_bytes())
    }

    fn get(&mut self, path: &str) -> RawResponse {
        self.exchange(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.conn.read_line(&mut line).expect("read response line");
        line.trim_end_matches(['\r', '\n']).to_owned()
    }

    fn read_response(&mut self) -> RawResponse {
        let status_line = self.line();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let mut response = RawResponse {
            status,
            headers,
            body: Vec::new(),
        };
        let length: usize = response
            .header("content-length")
            .expect("Content-Length")
            .parse()
            .unwrap();
        response.body = vec![0; length];
        self.conn.read_exact(&mut response.body).expect("read body");
        response
    }
}

/// One request on a fresh connection.
fn call(server: &FakeBotApi, method: &str, body: &Value) -> RawResponse {
    RawClient::connect(server).call(method, body)
}

fn private_text_update(text: &str) -> Value {
    json!({
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": { "id": 42, "type": "private", "first_name": "Alice" },
            "from": { "id": 42, "is_bot": false, "first_name": "Alice" },
            "text": text,
        }
    })
}

fn update_ids(result: &Value) -> Vec<i64> {
    result
        .as_array()
        .expect("an array of updates")
        .iter()
        .map(|u| u["update_id"].as_i64().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Wire-level tests
// ---------------------------------------------------------------------------------------------

#[test]
fn get_me_twice_on_one_keep_alive_connection_with_any_case() {
    let server = FakeBotApi::start();
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert!(server.url().ends_with('/'));

    let mut client = RawClient::connect(&server);
    let first = client.call("GetMe", &json!({}));
    assert_eq!(first.header("connection"), Some("keep-alive"));
    let me = first.result();
    assert_eq!(me["id"], BOT_ID);
    assert_eq!(me["is_bot"], true);
    assert_eq!(me["first_name"], "LoanGuard");
    assert_eq!(me["username"], "loanguard_test_bot");
    assert_eq!(me["can_join_groups"], true);
    assert_eq!(me["can_read_all_group_messages"], false);
    assert_eq!(me["supports_inline_queries"], false);
    serde_json::from_value::<teloxide::types::Me>(me).expect("getMe parses as teloxide Me");

    server.set_bot_username("other_bot");
    let second = client.call("GETME", &json!({})).result();
    assert_eq!(second["username"], "other_bot");
    let third = client.call("getme", &json!({})).result();
    assert_eq!(third["id"], BOT_ID);

    assert_eq!(server.tokens_seen(), vec![TOKEN.to_owned()]);
    let names: Vec<String> = server.all_requests().into_iter().map(|(m, _)| m).collect();
    assert_eq!(names, ["getMe", "getMe", "getMe"]);
    assert_eq!(server.requests("GETME").len(), 3);
}

#[test]
fn send_message_assigns_increasing_ids_and_records_bodies() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);
    let keyboard = json!({ "inline_keyboard": [[{ "text": "OK", "callback_data": "ok" }]] });
    let first = client
        .call(
            "SendMessage",
            &json!({ "chat_id": 42, "text": "hello", "reply_markup": keyboard }),
        )
        .result();
    let second = client
        .call(
            "sendMessage",
            &json!({
                "chat_id": -100_123,
                "text": "in a group",
                "reply_parameters": { "message_id": 7 },
            }),
        )
        .result();

    assert_eq!(first["message_id"], 1000);
    assert_eq!(second["message_id"], 1001);
    assert_eq!(first["chat"]["id"], 42);
    assert_eq!(first["chat"]["type"], "private");
    assert_eq!(second["chat"]["type"], "supergroup");
    assert_eq!(first["from"]["id"], BOT_ID);
    assert_eq!(first["text"], "hello");
    assert_eq!(first["reply_markup"], keyboard);
    assert!(first["date"].as_u64().unwrap() > 1_700_000_000);
    for message in [&first, &second] {
        serde_json::from_value::<teloxide::types::Message>(message.clone())
            .expect("sendMessage result parses as teloxide Message");
    }

    let sent = server.sent_messages();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["text"], "hello");
    assert_eq!(sent[1]["reply_parameters"]["message_id"], 7);
    assert_eq!(server.requests("SENDMESSAGE"), sent);

    // A fresh server starts again at 1000.
    let other = FakeBotApi::start();
    let third = call(&other, "sendMessage", &json!({ "chat_id": 1, "text": "x" })).result();
    assert_eq!(third["message_id"], 1000);
}

#[test]
fn send_message_behaves_like_telegram_on_text() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);

    // HTML is shown without tags; the recorded body keeps what the bot sent.
    let html = client
        .call(
            "sendMessage",
            &json!({ "chat_id": 42, "text": "<b>a</b> &lt;&amp;&gt;", "parse_mode": "HTML" }),
        )
        .result();
    assert_eq!(html["text"], "a <&>");
    assert_eq!(server.sent_messages()[0]["text"], "<b>a</b> &lt;&amp;&gt;");

    // A reply keyboard is not echoed (teloxide's Message only has inline keyboards).
    let reply_keyboard = client
        .call(
            "sendMessage",
            &json!({ "chat_id": 42, "text": "x", "reply_markup": { "keyboard": [[{ "text": "a" }]] } }),
        )
        .result();
    assert!(reply_keyboard.get("reply_markup").is_none());

    let empty = client.call("sendMessage", &json!({ "chat_id": 42, "text": "" }));
    assert_eq!(empty.status, 400);
    assert_eq!(
        empty.json()["description"],
        "Bad Request: message text is empty"
    );

    let too_long = client.call(
        "sendMessage",
        &json!({ "chat_id": 42, "text": "字".repeat(4097) }),
    );
    assert_eq!(too_long.status, 400);
    assert_eq!(
        too_long.json()["description"],
        "Bad Request: message is too long"
    );
    let just_fits = client.call(
        "sendMessage",
        &json!({ "chat_id": 42, "text": "字".repeat(4096) }),
    );
    assert_eq!(just_fits.status, 200);
}

#[test]
fn edits_return_the_edited_message() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);
    let keyboard = json!({ "inline_keyboard": [[{ "text": "OK", "callback_data": "ok" }]] });
    let sent = client
        .call(
            "sendMessage",
            &json!({ "chat_id": 42, "text": "before", "reply_markup": keyboard }),
        )
        .result();
    let id = sent["message_id"].clone();

    let edited = client
        .call(
            "editMessageText",
            &json!({ "chat_id": 42, "message_id": id, "text": "after" }),
        )
        .result();
    assert_eq!(edited["message_id"], id);
    assert_eq!(edited["text"], "after");
    assert!(edited["edit_date"].as_u64().is_some());
    assert!(edited.get("reply_markup").is_none());
    serde_json::from_value::<teloxide::types::Message>(edited).unwrap();

    let marked = client
        .call(
            "editMessageReplyMarkup",
            &json!({ "chat_id": 42, "message_id": id, "reply_markup": keyboard }),
        )
        .result();
    assert_eq!(marked["text"], "after");
    assert_eq!(marked["reply_markup"], keyboard);
    serde_json::from_value::<teloxide::types::Message>(marked).unwrap();

    // A message the server never sent (for example from a pushed callback query) still works.
    let unknown = client
        .call(
            "editMessageText",
            &json!({ "chat_id": GROUP_ID, "message_id": 77, "text": "new" }),
        )
        .result();
    assert_eq!(unknown["message_id"], 77);
    assert_eq!(server.requests("editMessageText").len(), 2);
    assert_eq!(server.requests("editMessageReplyMarkup").len(), 1);
}

#[test]
fn simple_methods_answer_true_and_are_recorded() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);
    for method in [
        "AnswerCallbackQuery",
        "SetMyCommands",
        "DeleteMyCommands",
        "DeleteWebhook",
        "DeleteMessage",
        "SendChatAction",
    ] {
        let result = client.call(method, &json!({ "chat_id": 1 })).result();
        assert_eq!(result, true, "{method}");
        assert_eq!(server.requests(method).len(), 1, "{method}");
    }
    let info = client.call("GetWebhookInfo", &json!({})).result();
    assert_eq!(
        info,
        json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })
    );
    serde_json::from_value::<teloxide::types::WebhookInfo>(info).unwrap();
}

#[test]
fn get_updates_returns_pushed_updates_and_confirms_by_offset() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);
    assert_eq!(server.push_update(private_text_update("one")), 1);
    assert_eq!(server.push_update(private_text_update("two")), 2);
    assert_eq!(
        server.push_update(
            json!({ "update_id": 10, "message": private_text_update("x")["message"] })
        ),
        10
    );
    assert_eq!(server.push_update(private_text_update("three")), 11);

    let all = client
        .call("GetUpdates", &json!({ "offset": 0, "timeout": 0 }))
        .result();
    assert_eq!(update_ids(&all), [1, 2, 10, 11]);
    serde_json::from_value::<Vec<teloxide::types::Update>>(all).expect("updates parse");

    // Not confirmed yet: the same offset returns them again; `limit` caps the batch.
    let limited = client
        .call("GetUpdates", &json!({ "offset": 0, "limit": 2 }))
        .result();
    assert_eq!(update_ids(&limited), [1, 2]);

    // offset 3 confirms 1 and 2.
    let rest = client.call("GetUpdates", &json!({ "offset": 3 })).result();
    assert_eq!(update_ids(&rest), [10, 11]);
    assert!(server.wait_for_confirmation(2, Duration::ZERO));
    assert!(!server.wait_for_confirmation(10, Duration::ZERO));
    let again = client.call("GetUpdates", &json!({ "offset": 0 })).result();
    assert_eq!(update_ids(&again), [10, 11]);

    let none = client.call("GetUpdates", &json!({ "offset": 12 })).result();
    assert_eq!(none, json!([]));
    assert!(server.wait_for_confirmation(11, Duration::ZERO));
    assert_eq!(server.get_updates_offsets(), [0, 0, 3, 0, 12]);
}

#[test]
fn long_poll_returns_when_an_update_is_pushed_mid_wait() {
    let server = FakeBotApi::start();
    let addr = server.addr();
    let started = Instant::now();
    let poller = thread::spawn(move || {
        let stream = TcpStream::connect(addr).unwrap();
        let mut client = RawClient {
            conn: BufReader::new(stream),
        };
        let result = client
            .call("getUpdates", &json!({ "offset": 1, "timeout": 8 }))
            .result();
        (result, started.elapsed())
    });
    // Let the poll arrive and start waiting.
    assert_eq!(
        server
            .wait_for("getUpdates", 1, Duration::from_secs(5))
            .len(),
        1
    );
    thread::sleep(Duration::from_millis(300));
    server.push_update(private_text_update("ping"));
    let (result, elapsed) = poller.join().unwrap();
    assert_eq!(update_ids(&result), [1]);
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[test]
fn long_poll_without_updates_returns_empty_after_the_timeout() {
    let server = FakeBotApi::start();
    let started = Instant::now();
    let result = call(&server, "getUpdates", &json!({ "timeout": 1 })).result();
    let elapsed = started.elapsed();
    assert_eq!(result, json!([]));
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[test]
fn unknown_method_answers_404_json() {
    let server = FakeBotApi::start();
    let response = call(&server, "SendPhoto", &json!({ "chat_id": 1 }));
    assert_eq!(response.status, 404);
    assert_eq!(
        response.json(),
        json!({
            "ok": false,
            "error_code": 404,
            "description": "Not Found: method SendPhoto is not supported by the fake server",
        })
    );
    assert_eq!(server.unknown_methods(), ["SendPhoto"]);
    assert_eq!(server.requests("sendphoto"), [json!({ "chat_id": 1 })]);

    // Paths that are not API calls are plain 404s.
    let mut client = RawClient::connect(&server);
    assert_eq!(client.get("/").status, 404);
    assert_eq!(client.get("/bot/").status, 404);
}

#[test]
fn retry_after_fault_answers_429_once_then_the_call_succeeds() {
    let server = FakeBotApi::start();
    server.schedule_fault("sendmessage", Fault::RetryAfter(3));
    let mut client = RawClient::connect(&server);
    let body = json!({ "chat_id": 42, "text": "hi" });

    let limited = client.call("SendMessage", &body);
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.json(),
        json!({
            "ok": false,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": { "retry_after": 3 },
        })
    );
    let ok = client.call("SendMessage", &body).result();
    assert_eq!(
        ok["message_id"], 1000,
        "the faulted call used no message id"
    );
    assert_eq!(
        server.sent_messages().len(),
        2,
        "both attempts are recorded"
    );
}

#[test]
fn other_faults_apply_once_each_in_fifo_order() {
    let server = FakeBotApi::start();
    server.schedule_fault("getMe", Fault::BadRequest("Bad Request: nope".into()));
    server.schedule_fault(
        "getMe",
        Fault::Forbidden("Forbidden: bot was blocked by the user".into()),
    );
    server.schedule_fault("getMe", Fault::ServerError);
    server.schedule_fault("getMe", Fault::Malformed);
    server.schedule_fault("getMe", Fault::Hang(Duration::from_millis(400)));
    let mut client = RawClient::connect(&server);

    let bad = client.call("getMe", &json!({}));
    assert_eq!(
        (bad.status, bad.json()["description"].clone()),
        (400, json!("Bad Request: nope"))
    );
    let forbidden = client.call("getMe", &json!({}));
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.json()["error_code"], 403);
    let server_error = client.call("getMe", &json!({}));
    assert_eq!(server_error.status, 502);
    let malformed = client.call("getMe", &json!({}));
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_slice::<Value>(&malformed.body).is_err());
    let started = Instant::now();
    let slow = client.call("getMe", &json!({}));
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(slow.result()["id"], BOT_ID);
    let normal = client.call("getMe", &json!({}));
    assert_eq!(normal.status, 200);
    assert_eq!(server.requests("getMe").len(), 6);
}

#[test]
fn files_are_served_by_path_and_described_by_get_file() {
    let server = FakeBotApi::start();
    server.add_file("documents/plain.txt", b"plain bytes".to_vec());
    server.add_file_id("doc-1", "documents/file_1.pdf", &b"%PDF-1.4 fake"[..]);
    let mut client = RawClient::connect(&server);

    let file = client
        .call("getFile", &json!({ "file_id": "doc-1" }))
        .result();
    assert_eq!(file["file_id"], "doc-1");
    assert_eq!(file["file_path"], "documents/file_1.pdf");
    assert_eq!(file["file_size"], 13);
    assert!(file["file_unique_id"].is_string());
    serde_json::from_value::<teloxide::types::File>(file).unwrap();

    let download = client.get(&format!("/file/bot{TOKEN}/documents/file_1.pdf"));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, b"%PDF-1.4 fake");
    let plain = client.get(&format!("/file/bot{TOKEN}/documents/plain.txt"));
    assert_eq!(plain.body, b"plain bytes");

    assert_eq!(
        client.get(&format!("/file/bot{TOKEN}/missing.bin")).status,
        404
    );
    let unknown_id = client.call("getFile", &json!({ "file_id": "nope" }));
    assert_eq!(unknown_id.status, 400);
    assert_eq!(
        unknown_id.json()["description"],
        "Bad Request: invalid file_id"
    );
}

#[test]
fn chunked_form_and_query_parameters_are_understood() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);

    let json_body = r#"{"chat_id":42,"text":"chunked hello"}"#;
    let (a, b) = json_body.split_at(10);
    let chunked = format!(
        "POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x};ext=1\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let result = client.exchange(chunked.as_bytes()).result();
    assert_eq!(result["text"], "chunked hello");

    let form = "chat_id=-100777&text=form+text%21";
    let raw = format!(
        "POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    let result = client.exchange(raw.as_bytes()).result();
    assert_eq!(result["text"], "form text!");
    assert_eq!(result["chat"]["id"], -100_777);

    let result = client
        .get(&format!("/bot{TOKEN}/getUpdates?offset=5&timeout=0"))
        .result();
    assert_eq!(result, json!([]));
    assert_eq!(server.get_updates_offsets(), [5]);

    let broken = client.exchange(
        format!("POST /bot{TOKEN}/getMe HTTP/1.1\r\nContent-Length: 5\r\n\r\n{{oops").as_bytes(),
    );
    assert_eq!(broken.status, 400);
    assert_eq!(broken.json()["ok"], false);
}

#[test]
fn connection_close_is_honoured() {
    let server = FakeBotApi::start();
    let mut client = RawClient::connect(&server);
    let response = client.exchange(
        format!(
            "POST /bot{TOKEN}/getMe HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.header("connection"), Some("close"));
    let mut rest = Vec::new();
    client.conn.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn wait_for_blocks_until_enough_requests_arrive() {
    let server = FakeBotApi::start();
    let addr = server.addr();
    let sender = thread::spawn(move || {
        let stream = TcpStream::connect(addr).unwrap();
        let mut client = RawClient {
            conn: BufReader::new(stream),
        };
        for i in 0..3 {
            thread::sleep(Duration::from_millis(100));
            client.call(
                "sendMessage",
                &json!({ "chat_id": 5, "text": format!("m{i}") }),
            );
        }
    });
    let sent = server.wait_for("SendMessage", 3, Duration::from_secs(10));
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2]["text"], "m2");
    sender.join().unwrap();

    // On timeout it returns what it has.
    let started = Instant::now();
    assert_eq!(
        server
            .wait_for("sendMessage", 4, Duration::from_millis(200))
            .len(),
        3
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[test]
fn chat_member_statuses_parse_as_teloxide_chat_members() {
    use teloxide::types::ChatMember;

    let server = FakeBotApi::start();
    server.set_chat_member_status(GROUP_ID, 11, "administrator");
    server.set_chat_member_status(GROUP_ID, 12, "creator");
    server.set_chat_member_status(GROUP_ID, 13, "restricted");
    server.set_chat_member_status(GROUP_ID, 14, "kicked");
    server.set_chat_member_status(GROUP_ID, 15, "left");
    let mut client = RawClient::connect(&server);
    let mut member = |user_id: i64| -> ChatMember {
        let result = client
            .call(
                "getChatMember",
                &json!({ "chat_id": GROUP_ID, "user_id": user_id }),
            )
            .result();
        assert_eq!(result["user"]["id"], user_id);
        serde_json::from_value(result).expect("getChatMember parses as teloxide ChatMember")
    };
    assert!(member(10).is_member());
    assert!(member(11).is_administrator());
    assert!(member(12).is_owner());
    assert!(member(13).is_restricted());
    assert!(member(14).is_banned());
    assert!(member(15).is_left());
    assert_eq!(member(BOT_ID).user.id.0, BOT_ID as u64);
}

#[test]
fn drop_wakes_long_polls_and_stops_accepting() {
    let server = FakeBotApi::start();
    let addr = server.addr();
    let poller = thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let body = r#"{"offset":0,"timeout":10}"#;
        write!(
            stream,
            "POST /bot{TOKEN}/getUpdates HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let _ = stream.shutdown(Shutdown::Both);
    });
    server.wait_for("getUpdates", 1, Duration::from_secs(5));
    let started = Instant::now();
    drop(server);
    poller.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(addr).is_err(), "the listener is closed");
}

// ---------------------------------------------------------------------------------------------
// Through teloxide itself
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn teloxide_bot_requests_parse() {
    use teloxide::RequestError;
    use teloxide::net::Download;
    use teloxide::prelude::*;
    use teloxide::types::FileId;

    let server = FakeBotApi::start();
    server.add_file_id("doc-1", "documents/a.txt", &b"file body"[..]);
    let bot = Bot::new(TOKEN).set_api_url(server.url().parse().unwrap());

    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.username(), "loanguard_test_bot");

    let message = bot
        .send_message(ChatId(42), "hi")
        .await
        .expect("sendMessage");
    assert_eq!(message.id.0, 1000);
    assert_eq!(message.text(), Some("hi"));

    server.push_update(private_text_update("ping"));
    let updates = bot.get_updates().timeout(0).await.expect("getUpdates");
    assert_eq!(updates.len(), 1);

    let file = bot.get_file(FileId("doc-1".into())).await.expect("getFile");
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes)
        .await
        .expect("download");
    assert_eq!(bytes, b"file body");

    let member = bot
        .get_chat_member(ChatId(GROUP_ID), UserId(9))
        .await
        .expect("getChatMember");
    assert!(member.is_member());

    server.schedule_fault("sendMessage", Fault::RetryAfter(7));
    match bot.send_message(ChatId(42), "again").await {
        Err(RequestError::RetryAfter(after)) => assert_eq!(after.seconds(), 7),
        other => panic!("expected RetryAfter, got {other:?}"),
    }

    assert_eq!(server.tokens_seen(), vec![TOKEN.to_owned()]);
    assert!(server.unknown_methods().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teloxide_dispatcher_polls_and_replies() {
    use teloxide::prelude::*;

    let server = FakeBotApi::start();
    let bot = Bot::new(TOKEN).set_api_url(server.url().parse().unwrap());
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = format!("echo: {}", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, text).await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let dispatching = tokio::spawn(async move { dispatcher.dispatch().await });

    let id = server.push_update(private_text_update("ping"));
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.sent_messages().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = server.sent_messages();
    assert_eq!(sent.len(), 1, "requests: {:?}", server.all_requests());
    assert_eq!(sent[0]["chat_id"], 42);
    assert_eq!(sent[0]["text"], "echo: ping");

    // The dispatcher keeps polling and confirms the update with the next offset.
    assert!(tokio::task::block_in_place(
        || server.wait_for_confirmation(id, Duration::from_secs(5))
    ));
    assert!(server.get_updates_offsets().contains(&(id + 1)));
    assert!(
        server.unknown_methods().is_empty(),
        "{:?}",
        server.unknown_methods()
    );
    dispatching.abort();
}
