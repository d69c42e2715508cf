//! The web page and API over real HTTP: a reqwest client against the server of
//! `loanguard web`, started in-process on a free port (without Tesseract).

use std::sync::Arc;

use loanguard::http::ServeLimits;
use loanguard::web::{self, Web, WebConfig};
use serde_json::{Value, json};

const SCAM: &str = "【安全中心】您的网贷账户异常，请把验证码发给我，转到安全账户";

/// Starts a server allowing `rate` checks a minute per client; returns its base URL.
async fn start(rate: u32) -> String {
    start_with(Web::new(&config(rate), None)).await
}

fn config(rate: u32) -> WebConfig {
    WebConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        rate_per_minute: rate,
        client_ip_header: None,
    }
}

/// Serves `web` on a free port; returns its base URL.
async fn start_with(web: Web) -> String {
    let tcp = web::bind(&config(0)).await.expect("bind");
    let addr = tcp.local_addr().unwrap();
    tokio::spawn(web::serve(
        tcp,
        Arc::new(web),
        ServeLimits::default(),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// `GET base + path`.
async fn get(base: &str, path: &str) -> reqwest::Response {
    client().get(format!("{base}{path}")).send().await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn post_form(base: &str, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .unwrap()
}

async fn post_json(base: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{base}/api/v1/check"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_form_posts_without_javascript_and_shows_the_verdict() {
    let base = start(0).await;
    let page = client().get(&base).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/check?lang=zh-CN\""));
    assert!(html.contains("<textarea id=\"text\" name=\"text\""));
    assert!(html.contains(">检查</button>"));
    assert!(!html.contains("<script"), "no JavaScript: {html}");
    // Without Tesseract there is no image field.
    assert!(!html.contains("type=\"file\""));

    // A result page reloaded with GET goes back to the form: nothing submitted is kept.
    let again = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}/check?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"], "/?lang=en");

    let result = post_form(&base, "/check", &[("text", SCAM)]).await;
    assert_eq!(result.status(), 200);
    let html = result.text().await.unwrap();
    assert!(html.contains("疑似诈骗"), "{html}");
    assert!(html.contains("下一步怎么做"), "{html}");
    for link in [
        "/verify?lang=zh-CN",
        "/plan?lang=zh-CN",
        "/legal?lang=zh-CN",
    ] {
        assert!(html.contains(link), "{link} missing");
    }
}

#[tokio::test]
async fn a_script_in_the_message_comes_back_as_text() {
    let base = start(0).await;
    let text = format!("{SCAM}<script>alert(1)</script>\"'");
    let html = post_form(&base, "/check", &[("text", &text)])
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"),
        "{html}"
    );
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let base = start(1).await;
    let c = client();
    let responses = vec![
        c.get(&base).send().await.unwrap(),
        c.get(format!("{base}/healthz")).send().await.unwrap(),
        c.get(format!("{base}/no-such-page")).send().await.unwrap(),
        c.get(format!("{base}/static/style.css"))
            .send()
            .await
            .unwrap(),
        post_json(&base, &json!({"text": "hi"})).await,
        post_json(&base, &json!({"text": "hi"})).await, // 429
        post_form(&base, "/check", &[("text", "hi")]).await, // 429
    ];
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, vec![200, 200, 404, 200, 200, 429, 429]);
    for r in &responses {
        let h = r.headers();
        assert_eq!(
            h["content-security-policy"],
            "default-src 'self'",
            "{}",
            r.url()
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{}", r.url());
        assert_eq!(h["referrer-policy"], "no-referrer", "{}", r.url());
    }
}

#[tokio::test]
async fn text_over_64_kib_is_refused_with_413() {
    let base = start(0).await;
    let long = "骗".repeat(64 * 1024 / 3 + 1);
    assert!(long.len() > 64 * 1024);

    let page = post_form(&base, "/check", &[("text", &long)]).await;
    assert_eq!(page.status(), 413);
    let html = page.text().await.unwrap();
    assert!(html.contains("内容太长了：最多 64 KB"), "{html}");

    let api = post_json(&base, &json!({"text": long, "lang": "en"})).await;
    assert_eq!(api.status(), 413);
    assert_eq!(api.headers()["content-type"], "application/json");
    let body = json_of(api).await;
    assert!(body["error"].as_str().unwrap().contains("64 KiB"), "{body}");

    // Exactly 64 KiB is accepted.
    let fits = "a".repeat(64 * 1024);
    assert_eq!(post_json(&base, &json!({"text": fits})).await.status(), 200);
}

#[tokio::test]
async fn a_client_over_the_rate_limit_gets_429_with_retry_after() {
    let base = start(2).await;
    for _ in 0..2 {
        assert_eq!(post_json(&base, &json!({"text": SCAM})).await.status(), 200);
    }
    let api = post_json(&base, &json!({"text": SCAM})).await;
    assert_eq!(api.status(), 429);
    let wait: u64 = api.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "Retry-After {wait}");
    assert!(
        json_of(api).await["error"]
            .as_str()
            .unwrap()
            .contains("秒后再试")
    );

    let page = post_form(&base, "/check?lang=en", &[("text", SCAM)]).await;
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("Too many requests"));
    // Pages that check nothing are not limited.
    assert_eq!(client().get(&base).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn healthz_answers_ok() {
    let base = start(0).await;
    let r = get(&base, "/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn metrics_count_the_check_and_never_show_its_text() {
    let base = start(0).await;
    let secret = "请把验证码发给我，转到安全账户，联系13912345678，暗号紫色长颈鹿";
    assert_eq!(
        post_json(&base, &json!({"text": secret})).await.status(),
        200
    );
    assert_eq!(
        post_form(&base, "/check", &[("text", secret)])
            .await
            .status(),
        200
    );
    let r = get(&base, "/metrics").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    for expected in [
        "# TYPE loanguard_verdicts_total counter",
        "loanguard_verdicts_total{source=\"api\",verdict=\"scam\"}",
        "loanguard_verdicts_total{source=\"web\",verdict=\"scam\"}",
        "loanguard_http_requests_total{server=\"web\",route=\"/api/v1/check\",status=\"200\"}",
        "loanguard_http_requests_total{server=\"web\",route=\"/check\",status=\"200\"}",
        "# TYPE loanguard_http_request_duration_seconds histogram",
        "loanguard_http_request_duration_seconds_bucket{server=\"web\",route=\"/api/v1/check\",le=\"+Inf\"}",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    for private in ["13912345678", "紫色长颈鹿", "验证码", "安全账户"] {
        assert!(!text.contains(private), "{private} in the metrics");
    }
}

#[tokio::test]
async fn the_openapi_document_names_exactly_the_fields_returned() {
    let base = start(0).await;
    let r = get(&base, "/api/v1/openapi.json").await;
    assert_eq!(r.status(), 200);
    let doc = json_of(r).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/check"]["post"].is_object());
    let schema = &doc["components"]["schemas"]["CheckResult"];
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    documented.sort();

    let answer = json_of(post_json(&base, &json!({"text": SCAM, "id": 7})).await).await;
    let mut returned: Vec<&str> = answer
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    returned.sort();
    assert_eq!(documented, returned);
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort();
    assert_eq!(required, returned);

    let signal = &doc["components"]["schemas"]["Signal"]["properties"];
    for key in answer["signals"][0].as_object().unwrap().keys() {
        assert!(signal.get(key).is_some(), "signal field {key} undocumented");
    }
}

#[tokio::test]
async fn the_api_returns_the_jsonl_contract_plus_advice_in_the_language_asked() {
    let base = start(0).await;
    let zh = json_of(post_json(&base, &json!({"text": SCAM, "id": "a1"})).await).await;
    assert_eq!(zh["id"], "a1");
    assert_eq!(zh["verdict"], "scam");
    assert!(zh["risk"].as_u64().unwrap() >= 80);
    assert!(
        zh["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "pay.safe_account")
    );
    assert!(zh["advice"][0].as_str().unwrap().contains("不要转账"));

    let en = json_of(post_json(&base, &json!({"text": SCAM, "lang": "en"})).await).await;
    assert!(en["advice"][0].as_str().unwrap().contains("Don't transfer"));
    assert!(en["id"].is_null());

    let bad = client()
        .post(format!("{base}/api/v1/check"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(json_of(bad).await["error"].is_string());
}

#[tokio::test]
async fn english_by_query_or_accept_language() {
    let base = start(0).await;
    let c = client();
    let by_query = c
        .get(format!("{base}/?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(by_query.contains("<html lang=\"en\">"));
    assert!(by_query.contains(">Check</button>"));

    let by_header = c
        .get(&base)
        .header("accept-language", "en-US,en;q=0.9,zh-CN;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(by_header.contains(">Check</button>"), "{by_header}");

    let chinese_first = c
        .get(&base)
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(chinese_first.contains(">检查</button>"));

    let result = post_form(&base, "/check?lang=en", &[("text", SCAM)])
        .await
        .text()
        .await
        .unwrap();
    assert!(result.contains("Likely scam"), "{result}");
    assert!(result.contains("/verify?lang=en"));
}

#[tokio::test]
async fn a_multipart_form_is_read_and_a_screenshot_without_tesseract_is_explained() {
    let base = start(0).await;
    let multipart = |text: &str, image: Option<&[u8]>| {
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--B0und\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{text}\r\n")
                .as_bytes(),
        );
        if let Some(bytes) = image {
            body.extend_from_slice(b"--B0und\r\nContent-Disposition: form-data; name=\"image\"; filename=\"s.png\"\r\nContent-Type: image/png\r\n\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--B0und--\r\n");
        client()
            .post(format!("{base}/check"))
            .header("content-type", "multipart/form-data; boundary=B0und")
            .body(body)
            .send()
    };
    let with_text = multipart(SCAM, None).await.unwrap();
    assert_eq!(with_text.status(), 200);
    assert!(with_text.text().await.unwrap().contains("疑似诈骗"));

    let only_image = multipart("", Some(b"\x89PNG\r\n\x1a\nxxxx")).await.unwrap();
    assert_eq!(only_image.status(), 422);
    assert!(
        only_image
            .text()
            .await
            .unwrap()
            .contains("没有开启截图识别")
    );

    let empty = post_form(&base, "/check", &[("text", "  ")]).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("没有收到要检查的内容"));
}

#[tokio::test]
async fn the_verify_legal_and_plan_pages() {
    let base = start(0).await;
    let c = client();
    let texts = loanguard::responses::Responses::get(loanguard::responses::Language::ZhCn);
    let first_line = |t: &str| {
        t.trim()
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("# ")
            .to_string()
    };
    for (path, text) in [
        ("/verify", &texts.bot.verify_checklist),
        ("/legal", &texts.bot.legal),
    ] {
        let html = c
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let expected = loanguard::render::escape_web(&first_line(text));
        assert!(html.contains(&expected), "{path}: {expected} missing");
    }
    let form = c
        .get(format!("{base}/plan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("<form method=\"post\" action=\"/plan?lang=zh-CN\">"));

    let plan = post_form(
        &base,
        "/plan",
        &[("q", "收入8000 支出5000 借呗20000 花呗5000")],
    )
    .await;
    assert_eq!(plan.status(), 200);
    let html = plan.text().await.unwrap();
    assert!(html.contains("你的还款计划"), "{html}");
    assert!(html.contains("每月能拿出来还款的钱是 3,000"), "{html}");

    let unreadable = post_form(&base, "/plan", &[("q", "随便写点")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        unreadable.contains("「随便写点」后面少了金额"),
        "{unreadable}"
    );
    // The bot's usage lines (`/plan 收入8000 …`) give way to the page's own example.
    assert!(!unreadable.contains("/plan 收入"), "{unreadable}");
    assert!(
        unreadable.contains("例如：收入8000 支出5000"),
        "{unreadable}"
    );
}

#[test]
fn settings_come_from_the_environment_with_clear_errors() {
    let parse = |pairs: &[(&str, &str)], required: bool| {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        WebConfig::parse(|name| map.get(name).cloned(), required)
    };
    // `loanguard run` serves no page unless WEB_ADDR is set; `loanguard web` has a default.
    assert_eq!(parse(&[], false), Ok(None));
    let default = parse(&[], true).unwrap().unwrap();
    assert_eq!(default.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(default.rate_per_minute, 30);
    assert_eq!(default.client_ip_header, None);
    let set = parse(
        &[
            ("WEB_ADDR", "0.0.0.0:9000"),
            ("WEB_RATE_PER_MINUTE", "0"),
            ("WEB_CLIENT_IP_HEADER", "X-Real-IP"),
        ],
        false,
    )
    .unwrap()
    .unwrap();
    assert_eq!(set.addr.to_string(), "0.0.0.0:9000");
    assert_eq!(set.rate_per_minute, 0);
    assert_eq!(set.client_ip_header.unwrap().as_str(), "x-real-ip");

    let err = parse(&[("WEB_ADDR", "8080")], true).unwrap_err();
    assert!(
        err.starts_with("WEB_ADDR must be an address and port"),
        "{err}"
    );
    let err = parse(&[("WEB_RATE_PER_MINUTE", "many")], true).unwrap_err();
    assert!(err.starts_with("WEB_RATE_PER_MINUTE"), "{err}");
    let err = parse(&[("WEB_CLIENT_IP_HEADER", "not a header")], true).unwrap_err();
    assert!(err.starts_with("WEB_CLIENT_IP_HEADER"), "{err}");
}

#[tokio::test]
async fn behind_a_proxy_each_visitor_has_an_allowance_of_their_own() {
    let config = WebConfig {
        client_ip_header: Some("x-real-ip".parse().unwrap()),
        ..config(1)
    };
    let base = start_with(Web::new(&config, None)).await;
    let send = |ip: &'static str| {
        client()
            .post(format!("{base}/api/v1/check"))
            .header("x-real-ip", ip)
            .body(json!({"text": "hi"}).to_string())
            .send()
    };
    assert_eq!(send("203.0.113.1").await.unwrap().status(), 200);
    assert_eq!(send("203.0.113.2").await.unwrap().status(), 200);
    assert_eq!(send("203.0.113.1").await.unwrap().status(), 429);
}

/// Kills the child when a check fails before it was stopped.
struct Running(Option<std::process::Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The real binary, with debug logging: what a visitor sends never reaches the log, and SIGTERM
/// stops it cleanly.
#[tokio::test]
async fn the_binary_serves_the_page_and_logs_nothing_a_visitor_sends() {
    use std::io::Read;
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let mut running = Running(Some(
        std::process::Command::new(env!("CARGO_BIN_EXE_loanguard"))
            .arg("web")
            .env("WEB_ADDR", addr.to_string())
            .env("RUST_LOG", "debug")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start loanguard web"),
    ));
    let base = format!("http://{addr}");
    // Wait for it to listen (up to 10 s): readiness, not a timing check.
    let mut ready = false;
    for _ in 0..200 {
        if client().get(format!("{base}/healthz")).send().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready, "the server did not start");

    let secret = "请把验证码发给我，转到安全账户6222021234567890123，暗号橙色企鹅";
    let page = post_form(&base, "/check", &[("text", secret)]).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("疑似诈骗"));
    assert_eq!(
        post_json(&base, &json!({"text": secret})).await.status(),
        200
    );
    let plan = post_form(
        &base,
        "/plan",
        &[("q", "收入8000 支出5000 橙色企鹅贷20000")],
    )
    .await;
    assert_eq!(plan.status(), 200);

    let mut child = running.0.take().unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let mut log = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(status.success(), "exit after SIGTERM: {status:?}\n{log}");
    assert!(log.contains("web server listening"), "{log}");
    for private in ["橙色企鹅", "6222021234567890123", "验证码", "安全账户"] {
        assert!(!log.contains(private), "{private} in the log:\n{log}");
    }
}

/// With Tesseract, the form takes a screenshot: the page shows what was read and the verdict.
/// Without it the test is skipped (printed), unless CI is set.
#[tokio::test]
async fn a_screenshot_is_read_and_checked_when_tesseract_is_there() {
    let Some(ocr) = loanguard::ocr::Ocr::global() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install tesseract-ocr with chi_sim"
        );
        eprintln!("skipped: tesseract with chi_sim not installed");
        return;
    };
    let base = start_with(Web::new(&config(0), Some(ocr))).await;
    let index = client()
        .get(&base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("enctype=\"multipart/form-data\""));
    assert!(index.contains("<input type=\"file\" id=\"image\" name=\"image\" accept=\"image/*\">"));

    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/screenshot.png"
    ))
    .unwrap();
    let mut body = b"--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"shot.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    body.extend_from_slice(&png);
    body.extend_from_slice(b"\r\n--B--\r\n");
    let result = client()
        .post(format!("{base}/check"))
        .header("content-type", "multipart/form-data; boundary=B")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(result.status(), 200);
    let html = result.text().await.unwrap();
    assert!(html.contains("我从截图里读到的文字"), "{html}");
    assert!(html.contains("疑似诈骗"), "{html}");

    // Not an image: explained, and counted as a failed read.
    let bogus = client()
        .post(format!("{base}/check"))
        .header("content-type", "multipart/form-data; boundary=B")
        .body("--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n\r\nnot an image\r\n--B--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), 422);
    let texts = loanguard::responses::Responses::get(loanguard::responses::Language::ZhCn);
    let expected = loanguard::render::escape_web(texts.bot.ocr_unsupported_format.trim());
    assert!(bogus.text().await.unwrap().contains(&expected));

    let metrics = get(&base, "/metrics").await.text().await.unwrap();
    for expected in [
        "loanguard_ocr_runs_total{outcome=\"ok\"}",
        "loanguard_ocr_runs_total{outcome=\"unknown_format\"}",
        "# TYPE loanguard_ocr_failures_total counter",
        "# TYPE loanguard_ocr_duration_seconds histogram",
    ] {
        assert!(metrics.contains(expected), "{expected} missing:\n{metrics}");
    }
}

/// The web server is the webhook's: a connection that sends no headers in time is closed
/// without an answer, and beyond the cap an idle connection makes room for a new one.
#[tokio::test]
async fn silent_connections_are_closed_and_the_cap_makes_room() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = config(0);
    let tcp = web::bind(&config).await.unwrap();
    let addr = tcp.local_addr().unwrap();
    tokio::spawn(web::serve(
        tcp,
        Arc::new(Web::new(&config, None)),
        ServeLimits {
            header_read_timeout: std::time::Duration::from_millis(300),
            max_connections: 2,
        },
        std::future::pending(),
    ));
    let read_all = |mut s: tokio::net::TcpStream| async move {
        let mut buf = Vec::new();
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut buf)).await;
        (read.is_ok(), String::from_utf8_lossy(&buf).into_owned())
    };

    // Half a request, then silence: closed, nothing answered.
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let (closed, answer) = read_all(stalled).await;
    assert!(closed, "the stalled connection was not closed");
    assert_eq!(answer, "");

    // Two idle connections fill the cap; a third with a request is still answered.
    let idle_a = tokio::net::TcpStream::connect(addr).await.unwrap();
    let idle_b = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (_, answer) = read_all(third).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(answer.ends_with("ok"), "{answer:?}");
    drop((idle_a, idle_b));
}

/// A server that checks against the confirmed examples of a fresh SQLite database holding
/// `confirmed` as a scam.
async fn start_with_example(confirmed: &str) -> String {
    use loanguard::classifier::Verdict;
    use loanguard::confirmed::{KnownStore, new_example};
    let path = std::env::temp_dir().join(format!("loanguard-web-known-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = loanguard::storage::Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let example = new_example(confirmed, Verdict::Scam, None, "cli", 0).unwrap();
    store.add_known(&example).await.unwrap();
    let known = Arc::new(KnownStore::load(&store).await.unwrap());
    start_with(Web::new(&config(0), None).with_known(known)).await
}

#[tokio::test]
async fn a_copy_of_a_confirmed_scam_is_named_by_the_api_and_the_page() {
    let original = "【安逸花】您的借款已逾期47天，请于今日18点前将欠款8630元转入专员个人账户6217003214558890123，户名刘建华，转账后联系专员微信lh20248核销，否则安排上门。";
    let copy = "转发：【分期乐】您的借款已逾期52天，请于今日18点前将欠款11240元转入专员个人账户6222021488773056417，户名王志强，转账后联系专员微信wzq8866核销，否则安排上门。";
    let base = start_with_example(original).await;

    let v = json_of(post_json(&base, &json!({"text": copy})).await).await;
    assert_eq!(v["verdict"], "scam");
    assert_eq!(v["known"]["label"], "scam");
    assert_eq!(v["signals"][0]["id"], "known.similar_scam");
    // An unrelated message is not pulled in.
    let v = json_of(
        post_json(
            &base,
            &json!({"text": "今晚七点在公司楼下集合，一起去吃火锅，记得带伞"}),
        )
        .await,
    )
    .await;
    assert!(v["known"].is_null(), "{v}");

    let page = post_form(&base, "/check", &[("text", copy)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("确认的诈骗消息高度相似"), "{page}");
    // The stored text is never shown: its name and account are not on the page.
    assert!(!page.contains("刘建华"), "{page}");

    let metrics = get(&base, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("loanguard_known_matches_total{label=\"scam\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("loanguard_known_examples"), "{metrics}");
}
