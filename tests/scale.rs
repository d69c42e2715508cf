//! Webhook mode with the real binary, and several instances sharing one database: every update
//! is answered once, and a dialogue moves between instances.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_api::FakeBotApi;

const TOKEN: &str = "123456789:AAE2eTestTokenNotRealForLoanGuardE2E";
const SECRET: &str = "s3cret_for-tests";

struct Instance {
    child: Child,
    port: u16,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(api: &FakeBotApi, database_url: &str) -> Instance {
    start_with(api, database_url, &[])
}

/// With extra environment variables.
fn start_with(api: &FakeBotApi, database_url: &str, env: &[(&str, &str)]) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_loanguard"))
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url())
        .env("DATABASE_URL", database_url)
        .env("WEBHOOK_URL", "https://bot.example.invalid/tg")
        .env("WEBHOOK_SECRET", SECRET)
        .env("WEBHOOK_REGISTER", "false")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let instance = Instance { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut r = String::new();
            let _ = s.read_to_string(&mut r);
            if r.starts_with("HTTP/1.1 200") {
                return instance;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the instance did not start serving");
}

/// Posts an update as Telegram would; returns the HTTP status.
fn post(instance: &Instance, secret: Option<&str>, update: &Value) -> u16 {
    post_to(instance.port, secret, update)
}

/// [`post`] by port; 0 when the connection closes without an answer.
fn post_to(port: u16, secret: Option<&str>, update: &Value) -> u16 {
    use std::io::{Read, Write};
    let body = serde_json::to_vec(update).unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut head = format!(
        "POST /tg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(secret) = secret {
        head.push_str(&format!("X-Telegram-Bot-Api-Secret-Token: {secret}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body).unwrap();
    let mut response = String::new();
    let _ = s.read_to_string(&mut response);
    response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn update(id: i64, user: i64, message_id: i64, text: &str) -> Value {
    json!({"update_id": id, "message": {
        "message_id": message_id,
        "from": {"id": user, "is_bot": false, "first_name": "用户", "language_code": "zh-hans"},
        "chat": {"id": user, "first_name": "用户", "type": "private"},
        "date": 1764300000,
        "text": text,
    }})
}

fn temp_sqlite(name: &str) -> String {
    let path =
        std::env::temp_dir().join(format!("loanguard-scale-{}-{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    format!("sqlite://{}", path.display())
}

#[test]
fn webhook_mode_checks_the_secret_and_answers() {
    let api = FakeBotApi::start();
    let bot = start(&api, &temp_sqlite("webhook"));
    let u = update(1, 42, 7, "请把验证码发给我，帮你注销校园贷");
    assert_eq!(post(&bot, None, &u), 401);
    assert_eq!(post(&bot, Some("wrong"), &u), 401);
    assert!(
        api.wait_for("sendMessage", 1, Duration::from_millis(500))
            .is_empty(),
        "rejected updates are not handled"
    );
    assert_eq!(post(&bot, Some(SECRET), &u), 200);
    let sent = api.wait_for("sendMessage", 1, Duration::from_secs(10));
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["text"].as_str().unwrap().contains("疑似诈骗"));
    // Telegram redelivers: still one reply.
    assert_eq!(post(&bot, Some(SECRET), &u), 200);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(api.sent_messages().len(), 1);
    assert!(
        api.requests("setWebhook").is_empty(),
        "WEBHOOK_REGISTER=false does not register"
    );
}

#[test]
fn two_instances_share_one_postgres_database() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        support::report_skip("skipped: TEST_DATABASE_URL not set");
        return;
    };
    let api = FakeBotApi::start();
    let a = start(&api, &url);
    let b = start(&api, &url);
    // Ids unique to this run, so reruns against the same database do not collide.
    let base = 3_000_000_000 + i64::from(std::process::id()) * 1000;
    let user = 8_000_000_000 + i64::from(std::process::id());

    // A dialogue whose answers land on alternating instances.
    let steps = ["/plan", "8千", "5000", "借呗", "2万"];
    for (i, text) in steps.iter().enumerate() {
        let target = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            post(
                target,
                Some(SECRET),
                &update(base + i as i64, user, 10 + i as i64, text)
            ),
            200
        );
        // The next answer only makes sense once this one is handled.
        let got = api.wait_for("sendMessage", i + 1, Duration::from_secs(10));
        assert_eq!(got.len(), i + 1, "step {i} answered");
    }
    let texts: Vec<String> = api
        .sent_messages()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        texts[4].contains("利率"),
        "the dialogue continued across instances: {texts:#?}"
    );

    // The same updates delivered to both instances (a load balancer retry): answered once each.
    for i in 0..20 {
        let u = update(base + 100 + i, user + 1 + i, 1, "请转账到安全账户配合调查");
        let (x, y) = std::thread::scope(|s| {
            let ha = s.spawn(|| post(&a, Some(SECRET), &u));
            let hb = s.spawn(|| post(&b, Some(SECRET), &u));
            (ha.join().unwrap(), hb.join().unwrap())
        });
        assert_eq!((x, y), (200, 200));
    }
    api.wait_for("sendMessage", 25, Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(800));
    let replies = api.sent_messages().len();
    assert_eq!(
        replies, 25,
        "5 dialogue steps + 20 updates, each answered once"
    );
}

/// Telegram sends an update again until it gets `200`, so an instance answers `200` only once
/// the update was handled. One killed while handling never answers; the update comes again,
/// here to a second instance, and is answered once.
#[test]
fn an_update_whose_instance_dies_before_answering_is_delivered_again() {
    let api = FakeBotApi::start();
    let db = temp_sqlite("webhook-kill");
    // A forward waits out a (long) batch window before it is answered.
    let mut slow = start_with(&api, &db, &[("LOANGUARD_BATCH_MS", "60000")]);
    let mut u = update(
        70,
        43,
        9,
        "【法院】您的网贷纠纷已立案，请转账到指定账户撤案",
    );
    u["message"]["forward_origin"] =
        json!({"type": "hidden_user", "sender_user_name": "法院", "date": 1764290000});
    let port = slow.port;
    let body = u.clone();
    let delivery = std::thread::spawn(move || post_to(port, Some(SECRET), &body));
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        !delivery.is_finished(),
        "no answer to Telegram while the update is being handled"
    );
    let _ = slow.child.kill();
    let _ = slow.child.wait();
    assert_ne!(
        delivery.join().unwrap(),
        200,
        "the killed instance never confirmed the update"
    );
    assert!(api.sent_messages().is_empty());

    let other = start(&api, &db);
    assert_eq!(post(&other, Some(SECRET), &u), 200);
    let sent = api.wait_for("sendMessage", 1, Duration::from_secs(10));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], json!(43));
    assert!(sent[0]["text"].as_str().unwrap().contains("疑似诈骗"));
    // The second delivery is answered once, not twice.
    assert_eq!(post(&other, Some(SECRET), &u), 200);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(api.sent_messages().len(), 1);
}
