//! Webhook mode: a real HTTP client posts updates to the listener from `src/bot/webhook.rs`,
//! with and without the secret header, and the fake Bot API server stands in for Telegram.

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use loanguard::bot::webhook::{self, WebhookConfig, WebhookError};
use serde_json::{Value, json};
use support::fake_api::{FakeBotApi, Fault};
use teloxide::error_handlers::IgnoringErrorHandlerSafe;
use teloxide::prelude::*;
use teloxide::update_listeners::AsUpdateStream;

const TOKEN: &str = "123456789:AAWebhookTestTokenNotRealForLoanGuard";
const SECRET: &str = "test_Secret-0123456789";
const PATH: &str = "/tg/hook";

/// A port that was free a moment ago: bind 127.0.0.1:0, note the port, let it go.
fn free_addr() -> SocketAddr {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    probe.local_addr().expect("local_addr")
}

fn config(listen: SocketAddr) -> WebhookConfig {
    WebhookConfig {
        url: format!("https://bot.example.com{PATH}").parse().unwrap(),
        listen,
        secret: SECRET.into(),
        register: false,
    }
}

fn bot_for(api: &FakeBotApi) -> Bot {
    Bot::new(TOKEN).set_api_url(api.url().parse().unwrap())
}

fn update(id: i64, text: &str) -> Value {
    json!({
        "update_id": id,
        "message": {
            "message_id": 100 + id,
            "from": {"id": 456, "is_bot": false, "first_name": "小王"},
            "chat": {"id": 456, "first_name": "小王", "type": "private"},
            "date": 1764300000,
            "text": text,
        }
    })
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// POSTs `body` to the webhook path and returns the status code.
async fn post(addr: SocketAddr, secret: Option<&str>, body: impl Into<reqwest::Body>) -> u16 {
    let mut req = client()
        .post(format!("http://{addr}{PATH}"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = secret {
        req = req.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    req.send()
        .await
        .expect("the webhook answers")
        .status()
        .as_u16()
}

/// Posts update `id`: the listener hands it on at once, and its `200` comes once it is marked
/// handled.
async fn handed_on_then_answered<S>(
    addr: SocketAddr,
    stream: &mut std::pin::Pin<&mut S>,
    completions: &webhook::Completions,
    id: i64,
    text: &str,
) where
    S: futures_util::Stream<Item = Result<teloxide::types::Update, std::convert::Infallible>>,
{
    let posting = tokio::spawn(post(addr, Some(SECRET), update(id, text).to_string()));
    let got = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the update is handed on");
    assert_eq!(update_id(got), id);
    completions.done(id);
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), posting)
            .await
            .unwrap()
            .unwrap(),
        200
    );
}

#[tokio::test]
async fn the_webhook_server_serves_metrics_without_the_secret_and_counts_updates() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    let mut listener = webhook::listener(bot_for(&api), &config(addr), false)
        .await
        .expect("the listener starts");
    let stream = listener.as_stream();
    tokio::pin!(stream);
    assert_eq!(
        post(addr, Some(SECRET), update(41, "暗号蓝色海豚").to_string()).await,
        200
    );
    assert_eq!(update_id(stream.next().await), 41);
    let metrics = client()
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status().as_u16(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            "loanguard_http_requests_total{server=\"webhook\",route=\"update\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(!text.contains("蓝色海豚"), "message text in the metrics");
}

fn update_id(item: Option<Result<teloxide::types::Update, std::convert::Infallible>>) -> i64 {
    let update = item.expect("the stream is open").unwrap();
    update.id.0 as i64
}

#[tokio::test]
async fn only_requests_with_the_secret_reach_the_stream() {
    // The fake API is only there to show that `register: false` makes no Bot API call.
    let api = FakeBotApi::start();
    let addr = free_addr();
    let mut listener = webhook::listener(bot_for(&api), &config(addr), false)
        .await
        .expect("the listener starts");
    let stream = listener.as_stream();
    tokio::pin!(stream);

    let health = client()
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let body = |id: i64, text: &str| update(id, text).to_string();
    assert_eq!(post(addr, None, body(1, "no header")).await, 401);
    assert_eq!(
        post(addr, Some("wrong_secret"), body(2, "wrong header")).await,
        401
    );
    assert_eq!(
        post(addr, Some("test_Secret-012345678"), body(3, "a prefix")).await,
        401
    );
    assert_eq!(
        post(addr, Some("not a secret!"), body(4, "bad characters")).await,
        401
    );
    assert_eq!(post(addr, Some(""), body(5, "empty header")).await, 401);

    assert_eq!(post(addr, Some(SECRET), body(6, "hello")).await, 200);
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the update arrives");
    assert_eq!(update_id(first), 6, "no rejected update reached the stream");

    // Malformed bodies are refused, and the server keeps serving.
    assert_eq!(post(addr, Some(SECRET), "{not json").await, 400);
    assert_eq!(post(addr, Some(SECRET), "").await, 400);
    assert_eq!(post(addr, Some(SECRET), r#"{"hello": 1}"#).await, 400);
    assert_eq!(
        post(addr, Some(SECRET), vec![0xff_u8, 0xfe, 0x00]).await,
        400
    );
    let huge = format!(
        r#"{{"update_id": 9, "message": {{"text": "{}"}}}}"#,
        "x".repeat(webhook::MAX_BODY_BYTES)
    );
    // 413 once the limit is passed. The server closes the connection after answering, so the
    // client may see the close before the answer: a reset also counts as refused, and the next
    // request shows the server is still there.
    let answer = client()
        .post(format!("http://{addr}{PATH}"))
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body(huge)
        .send()
        .await;
    match answer {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        Err(e) => assert!(!e.is_timeout(), "an oversized body is refused at once: {e}"),
    }
    assert_eq!(post(addr, Some(SECRET), body(7, "still here")).await, 200);
    let next = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the server still serves after malformed bodies");
    assert_eq!(update_id(next), 7);

    // Nothing else was queued.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stream.next())
            .await
            .is_err()
    );

    // Other paths and methods.
    let other = client()
        .post(format!("http://{addr}/other"))
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body(body(8, "elsewhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
    let get = |secret: Option<&'static str>| {
        let mut req = client().get(format!("http://{addr}{PATH}"));
        if let Some(secret) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(None).await, 401);
    assert_eq!(get(Some(SECRET)).await, 405);

    assert!(
        api.all_requests().is_empty(),
        "register: false calls no Bot API method, got {:?}",
        api.all_requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_instance_sets_the_webhook_answers_and_deletes_it_on_stop() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    let bot = bot_for(&api);
    let cfg = config(addr);
    let listener = webhook::listener(bot.clone(), &cfg, true)
        .await
        .expect("the listener starts");

    let set = api.requests("setWebhook");
    assert_eq!(set.len(), 1, "one setWebhook: {set:?}");
    assert_eq!(
        set[0]["url"],
        json!(format!("https://bot.example.com{PATH}"))
    );
    assert_eq!(set[0]["secret_token"], json!(SECRET));

    let echo = EchoBot::start(bot, listener);

    assert_eq!(
        post(
            addr,
            Some("intruder"),
            update(1, "from an intruder").to_string()
        )
        .await,
        401
    );
    assert_eq!(
        post(addr, None, update(2, "no header").to_string()).await,
        401
    );
    assert_echoed(&api, addr, 3, "hello", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let texts: Vec<Value> = api
        .sent_messages()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(
        texts,
        vec![json!("echo: hello")],
        "rejected updates were not handled"
    );

    // Stop: deleteWebhook, the server closes, dispatch returns.
    echo.stop().await;
    assert_eq!(api.requests("deleteWebhook").len(), 1);
    assert!(
        client()
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .is_err(),
        "the server no longer listens"
    );
}

#[tokio::test]
async fn a_busy_port_is_an_error_not_a_panic() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = FakeBotApi::start();
    let err = webhook::listener(bot_for(&api), &config(taken.local_addr().unwrap()), true)
        .await
        .err()
        .expect("binding a taken port fails");
    assert!(matches!(err, WebhookError::Bind { .. }), "{err}");
    assert!(
        api.all_requests().is_empty(),
        "no setWebhook when the port can't be bound"
    );
}

#[tokio::test]
async fn a_failed_registration_is_an_error_without_the_token() {
    let api = FakeBotApi::start();
    api.schedule_fault(
        "setWebhook",
        Fault::BadRequest(
            "Bad Request: bad webhook: HTTPS url must be provided for webhook".into(),
        ),
    );
    let err = webhook::listener(bot_for(&api), &config(free_addr()), true)
        .await
        .err()
        .expect("setWebhook fails");
    assert!(matches!(err, WebhookError::Register(_)), "{err}");
    assert!(err.to_string().contains("bad webhook"), "{err}");

    // A network error: reqwest's message carries the request URL, token included.
    let closed = free_addr();
    let bot = Bot::new(TOKEN).set_api_url(format!("http://{closed}/").parse().unwrap());
    let err = webhook::listener(bot, &config(free_addr()), true)
        .await
        .err()
        .expect("setWebhook can't connect");
    assert!(matches!(err, WebhookError::Register(_)), "{err}");
    assert!(!err.to_string().contains(TOKEN), "token leaked: {err}");
    assert!(!format!("{err:?}").contains(TOKEN), "token leaked: {err:?}");
}

#[tokio::test]
async fn an_invalid_secret_in_a_hand_made_config_is_an_error_not_a_panic() {
    let api = FakeBotApi::start();
    for bad in ["has spaces in it here", "short"] {
        let mut cfg = config(free_addr());
        cfg.secret = bad.into();
        let err = webhook::listener(bot_for(&api), &cfg, false)
            .await
            .err()
            .expect("an invalid secret is refused");
        assert!(matches!(err, WebhookError::Config(_)), "{err}");
        assert!(!err.to_string().contains(bad), "{err}");
    }
}

// --- configuration -------------------------------------------------------------------------

fn parse(vars: &[(&str, &str)]) -> Result<Option<WebhookConfig>, String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    WebhookConfig::parse(|name| vars.get(name).cloned())
}

const URL: (&str, &str) = ("WEBHOOK_URL", "https://bot.example.com/telegram");

#[test]
fn without_webhook_url_there_is_no_webhook_mode() {
    assert_eq!(parse(&[]), Ok(None));
    assert_eq!(parse(&[("WEBHOOK_URL", "  ")]), Ok(None));
    assert_eq!(parse(&[("WEBHOOK_SECRET", SECRET)]), Ok(None));
}

#[test]
fn a_full_configuration_and_its_defaults() {
    let cfg = parse(&[URL, ("WEBHOOK_SECRET", SECRET)]).unwrap().unwrap();
    assert_eq!(cfg.url.as_str(), "https://bot.example.com/telegram");
    assert_eq!(cfg.path(), "/telegram");
    assert_eq!(
        cfg.listen,
        "127.0.0.1:8443".parse().unwrap(),
        "only this host by default, behind the proxy"
    );
    assert_eq!(cfg.secret.expose(), SECRET);
    assert!(cfg.register);

    let cfg = parse(&[
        URL,
        ("WEBHOOK_SECRET", SECRET),
        ("LISTEN_ADDR", "0.0.0.0:8080"),
        ("WEBHOOK_REGISTER", "false"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(cfg.listen, "0.0.0.0:8080".parse().unwrap());
    assert!(!cfg.register);
    assert!(
        !format!("{cfg:?}").contains(SECRET),
        "Debug hides the secret"
    );
}

#[test]
fn the_secret_is_required_in_webhook_mode() {
    for vars in [vec![URL], vec![URL, ("WEBHOOK_SECRET", "")]] {
        let err = parse(&vars).unwrap_err();
        assert!(err.contains("WEBHOOK_SECRET is required"), "{err}");
    }
}

#[test]
fn the_secret_must_be_telegrams_alphabet_and_length() {
    for bad in ["has space", "üñí", "semi;colon", "dot.ted", "a/b", "plus+"] {
        let err = parse(&[URL, ("WEBHOOK_SECRET", bad)]).unwrap_err();
        assert!(err.starts_with("WEBHOOK_SECRET "), "{err}");
        assert!(err.contains("not allowed"), "{err}");
        assert!(
            !err.contains(bad),
            "the error does not repeat the secret: {err}"
        );
    }
    let too_long = "a".repeat(257);
    let err = parse(&[URL, ("WEBHOOK_SECRET", &too_long)]).unwrap_err();
    assert!(err.contains("257 characters"), "{err}");
    // Telegram takes a 1-character secret; a guessable one is refused here.
    for short in ["Q", "A-z_09", "0123456789abcde"] {
        let err = parse(&[URL, ("WEBHOOK_SECRET", short)]).unwrap_err();
        assert!(err.starts_with("WEBHOOK_SECRET "), "{err}");
        assert!(
            err.contains(&format!("has {} characters", short.len())),
            "{err}"
        );
        assert!(err.contains("16 to 256 characters"), "{err}");
        assert!(
            !err.contains(short),
            "the error does not repeat the secret: {err}"
        );
    }
    for good in ["0123456789abcdef", "A-z_09A-z_09A-z_09", &"Z".repeat(256)] {
        assert!(
            parse(&[URL, ("WEBHOOK_SECRET", good)]).is_ok(),
            "{good} is a valid secret"
        );
    }
}

#[test]
fn bad_urls_addresses_and_flags_are_clear_errors() {
    let secret = ("WEBHOOK_SECRET", SECRET);
    let err = parse(&[("WEBHOOK_URL", "not a url"), secret]).unwrap_err();
    assert!(err.starts_with("WEBHOOK_URL is not a valid URL"), "{err}");
    let err = parse(&[("WEBHOOK_URL", "http://bot.example.com/tg"), secret]).unwrap_err();
    assert!(err.contains("https://"), "{err}");
    let err = parse(&[("WEBHOOK_URL", "https://bot.example.com/healthz"), secret]).unwrap_err();
    assert!(err.contains("/healthz"), "{err}");
    let err = parse(&[("WEBHOOK_URL", "https://bot.example.com/metrics"), secret]).unwrap_err();
    assert!(err.contains("/metrics"), "{err}");
    let err = parse(&[URL, secret, ("LISTEN_ADDR", "8443")]).unwrap_err();
    assert!(err.starts_with("LISTEN_ADDR"), "{err}");
    let err = parse(&[URL, secret, ("WEBHOOK_REGISTER", "maybe")]).unwrap_err();
    assert!(err.starts_with("WEBHOOK_REGISTER"), "{err}");
}

/// Telegram does not send an update again once it got `200`, so the bot answers `200` only
/// after the update was handled: a crash before then leaves the update to be redelivered.
#[tokio::test]
async fn the_200_waits_until_the_update_was_handled() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    let completions = std::sync::Arc::new(webhook::Completions::default());
    let mut listener = webhook::listener_with(
        bot_for(&api),
        &config(addr),
        false,
        Some(completions.clone()),
    )
    .await
    .expect("the listener starts");
    let stream = listener.as_stream();
    tokio::pin!(stream);

    let posting = tokio::spawn(post(addr, Some(SECRET), update(41, "hello").to_string()));
    let got = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the update is handed on at once");
    assert_eq!(update_id(got), 41);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !posting.is_finished(),
        "no answer to Telegram while the update is being handled"
    );
    completions.done(41);
    let status = tokio::time::timeout(Duration::from_secs(5), posting)
        .await
        .expect("answered once handled")
        .unwrap();
    assert_eq!(status, 200);
    assert!(completions.is_empty(), "nothing left waiting");

    handed_on_then_answered(addr, &mut stream, &completions, 42, "again").await;
    // Refused requests leave nothing behind.
    assert_eq!(post(addr, Some(SECRET), "{not json").await, 400);
    assert!(completions.is_empty());
}

// --- connection limits ---------------------------------------------------------------------

/// Opens `n` connections that send nothing (even ones) or half a request's headers (odd ones),
/// and keeps them open.
async fn stalled_connections(addr: SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let mut stalled = Vec::with_capacity(n);
    for i in 0..n {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .expect("the server takes the connection");
        if i % 2 == 1 {
            stream
                .write_all(format!("POST {PATH} HTTP/1.1\r\nHost: bot.exa").as_bytes())
                .await
                .unwrap();
        }
        stalled.push(stream);
    }
    stalled
}

/// Whether the server closed `stream` (end of stream or a reset) before `deadline`, having
/// sent nothing on it.
async fn closed_by(stream: &mut tokio::net::TcpStream, deadline: tokio::time::Instant) -> bool {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    match tokio::time::timeout_at(deadline, stream.read_to_end(&mut answer)).await {
        Err(_) => false,
        Ok(Ok(_)) => {
            assert!(
                answer.is_empty(),
                "a stalled connection gets no answer: {:?}",
                String::from_utf8_lossy(&answer)
            );
            true
        }
        Ok(Err(_)) => true,
    }
}

fn echo_handler() -> teloxide::dispatching::UpdateHandler<teloxide::RequestError> {
    Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = format!("echo: {}", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, text).await?;
        Ok(())
    })
}

/// The production limits, with another header-read timeout.
fn header_timeout(timeout: Duration) -> webhook::ServeLimits {
    webhook::ServeLimits {
        header_read_timeout: timeout,
        ..Default::default()
    }
}

/// Posts update `id` with the secret: it gets 200, and the echo bot's reply is the `nth`
/// message the fake Bot API receives.
async fn assert_echoed(api: &FakeBotApi, addr: SocketAddr, id: i64, text: &str, nth: usize) {
    assert_eq!(
        post(addr, Some(SECRET), update(id, text).to_string()).await,
        200
    );
    let sent =
        tokio::task::block_in_place(|| api.wait_for("sendMessage", nth, Duration::from_secs(10)));
    assert_eq!(sent.len(), nth, "the update reached the handler: {sent:?}");
    assert_eq!(sent[nth - 1]["text"], json!(format!("echo: {text}")));
}

/// An echo bot dispatching from a webhook listener, until [`EchoBot::stop`].
struct EchoBot {
    shutdown: teloxide::dispatching::ShutdownToken,
    running: tokio::task::JoinHandle<()>,
}

impl EchoBot {
    /// Serves the webhook on `addr` with `limits`, for a bot talking to `api`.
    async fn serve(api: &FakeBotApi, addr: SocketAddr, limits: webhook::ServeLimits) -> EchoBot {
        let bot = bot_for(api);
        let listener =
            webhook::listener_with_limits(bot.clone(), &config(addr), false, None, limits)
                .await
                .expect("the listener starts");
        EchoBot::start(bot, listener)
    }

    fn start<L>(bot: Bot, listener: L) -> EchoBot
    where
        L: teloxide::update_listeners::UpdateListener<Err = std::convert::Infallible>
            + Send
            + 'static,
    {
        let mut dispatcher = Dispatcher::builder(bot, echo_handler()).build();
        let shutdown = dispatcher.shutdown_token();
        let running = tokio::spawn(async move {
            dispatcher
                .dispatch_with_listener(listener, IgnoringErrorHandlerSafe::new())
                .await
        });
        EchoBot { shutdown, running }
    }

    /// Stops dispatching (deleteWebhook when registered, the server closes) and waits for it.
    async fn stop(self) {
        self.shutdown
            .shutdown()
            .expect("the dispatcher is running")
            .await;
        tokio::time::timeout(Duration::from_secs(15), self.running)
            .await
            .expect("dispatch returns after stop")
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_while_an_update_gets_its_200_and_its_reply() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    // The production limits, with a shorter header timeout. 400 stalled connections are over
    // the connection limit too, so the later ones close earlier ones to make room.
    let limits = header_timeout(Duration::from_secs(1));
    assert!(limits.max_connections < 400);
    let echo = EchoBot::serve(&api, addr, limits).await;

    let mut stalled = stalled_connections(addr, 400).await;
    assert_echoed(&api, addr, 7, "hello", 1).await;

    // Every stalled connection is closed, well within the header timeout and a generous margin.
    let deadline =
        tokio::time::Instant::now() + limits.header_read_timeout + Duration::from_secs(10);
    for (i, stream) in stalled.iter_mut().enumerate() {
        assert!(
            closed_by(stream, deadline).await,
            "stalled connection {i} is still open"
        );
    }
    // And the server still serves.
    assert_echoed(&api, addr, 8, "again", 2).await;

    echo.stop().await;
    assert_eq!(api.sent_messages().len(), 2);
}

#[tokio::test]
async fn a_connection_beyond_the_limit_closes_a_stalled_one_to_make_room() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    let limits = webhook::ServeLimits {
        header_read_timeout: Duration::from_secs(60),
        max_connections: 4,
    };
    let mut listener =
        webhook::listener_with_limits(bot_for(&api), &config(addr), false, None, limits)
            .await
            .expect("the listener starts");
    let stream = listener.as_stream();
    tokio::pin!(stream);

    // The server takes connections in the order they came, so these four fill the limit
    // before the update's connection is taken.
    let mut stalled = stalled_connections(addr, 4).await;
    assert_eq!(
        post(addr, Some(SECRET), update(21, "let me in").to_string()).await,
        200,
        "a stalled connection made room long before the header timeout"
    );
    let got = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the update arrives");
    assert_eq!(update_id(got), 21);

    let soon = || tokio::time::Instant::now() + Duration::from_secs(5);
    assert!(
        closed_by(&mut stalled[0], soon()).await,
        "the oldest stalled connection was closed to make room"
    );
    let briefly = tokio::time::Instant::now() + Duration::from_millis(300);
    for (i, stream) in stalled.iter_mut().enumerate().skip(1) {
        assert!(
            !closed_by(stream, briefly).await,
            "stalled connection {i} was not needed and is still open"
        );
    }
}

#[tokio::test]
async fn when_every_connection_has_a_request_in_progress_a_new_one_is_closed() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    let completions = std::sync::Arc::new(webhook::Completions::default());
    let limits = webhook::ServeLimits {
        header_read_timeout: Duration::from_secs(60),
        max_connections: 2,
    };
    let mut listener = webhook::listener_with_limits(
        bot_for(&api),
        &config(addr),
        false,
        Some(completions.clone()),
        limits,
    )
    .await
    .expect("the listener starts");
    let stream = listener.as_stream();
    tokio::pin!(stream);

    // Two updates whose handling has not finished hold both connections.
    let first = tokio::spawn(post(addr, Some(SECRET), update(51, "one").to_string()));
    let second = tokio::spawn(post(addr, Some(SECRET), update(52, "two").to_string()));
    let mut ids = Vec::new();
    for _ in 0..2 {
        let got = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("the update arrives");
        ids.push(update_id(got));
    }
    ids.sort();
    assert_eq!(ids, [51, 52]);

    let refused = client()
        .post(format!("http://{addr}{PATH}"))
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body(update(53, "three").to_string())
        .send()
        .await;
    match refused {
        Ok(response) => panic!("a third connection is closed, got {}", response.status()),
        Err(e) => assert!(!e.is_timeout(), "closed at once, not left waiting: {e}"),
    }

    completions.done(51);
    completions.done(52);
    for posting in [first, second] {
        let status = tokio::time::timeout(Duration::from_secs(5), posting)
            .await
            .expect("answered once handled")
            .unwrap();
        assert_eq!(status, 200);
    }
    // With the requests answered, their connections are idle and make room again.
    handed_on_then_answered(addr, &mut stream, &completions, 54, "four").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_closes_stalled_connections_without_waiting_for_their_timeout() {
    let api = FakeBotApi::start();
    let addr = free_addr();
    let limits = header_timeout(Duration::from_secs(60));
    let echo = EchoBot::serve(&api, addr, limits).await;
    let mut stalled = stalled_connections(addr, 10).await;
    assert_eq!(
        post(addr, Some(SECRET), update(31, "hello").to_string()).await,
        200
    );
    tokio::task::block_in_place(|| api.wait_for("sendMessage", 1, Duration::from_secs(10)));

    // The stop waits for requests in flight, not for silent connections.
    tokio::time::timeout(limits.header_read_timeout / 4, echo.stop())
        .await
        .expect("dispatch returns after stop, long before the header timeout");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for (i, stream) in stalled.iter_mut().enumerate() {
        assert!(
            closed_by(stream, deadline).await,
            "stalled connection {i} is closed by the stop, long before its header timeout"
        );
    }
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the server no longer listens"
    );
}
