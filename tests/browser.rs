//! The web page in a real browser: the `loanguard web` binary, and headless Chromium driven by
//! chromedriver over the W3C WebDriver protocol. It loads the page at a phone's width, types a
//! scam message, presses 检查 and reads the verdict from the result page.
//!
//! Needs `chromium` and `chromium-driver` (Debian). Without them the test prints why it is
//! skipped, unless `CI` is set (CI installs them), where it fails. With `WEB_SCREENSHOT=<file>`
//! it also saves the result page as a PNG (how docs/web-phone.png was made).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SCAM: &str = "【安全中心】您的网贷账户异常，请把验证码发给我，转到安全账户";
/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Outside CI a missing browser skips the test; in CI it fails.
fn skip(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install chromium and chromium-driver: {why}"
    );
    eprintln!("skipped: {why}");
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

fn free_addr() -> SocketAddr {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    probe.local_addr().expect("local_addr")
}

/// A child process killed when the test ends, pass or fail.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A temporary directory removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits (up to 20 s) until `url` answers 2xx: a readiness wait, not a timing check.
async fn wait_ready(client: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(Instant::now() < deadline, "{url} never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One WebDriver session.
struct Session {
    client: reqwest::Client,
    base: String,
}

impl Session {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("chromedriver answers");
        let status = response.status();
        let value: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert!(status.is_success(), "{path}: {status} {value}");
        value["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {found}"))
            .to_string()
    }
}

#[tokio::test]
async fn a_phone_checks_a_scam_message_in_chromium() {
    let Some(driver) = on_path("chromedriver") else {
        return skip("chromedriver not installed (apt-get install chromium chromium-driver)");
    };
    let Some(chromium) = on_path("chromium").or_else(|| on_path("chromium-browser")) else {
        return skip("chromium not installed (apt-get install chromium chromium-driver)");
    };
    let client = reqwest::Client::new();

    let web_addr = free_addr();
    let _server = Killed(
        Command::new(env!("CARGO_BIN_EXE_loanguard"))
            .arg("web")
            .env("WEB_ADDR", web_addr.to_string())
            .env("WEB_RATE_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start loanguard web"),
    );
    let site = format!("http://{web_addr}");
    wait_ready(&client, &format!("{site}/healthz")).await;

    let driver_addr = free_addr();
    let _driver = Killed(
        Command::new(&driver)
            .arg(format!("--port={}", driver_addr.port()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let driver_base = format!("http://{driver_addr}");
    wait_ready(&client, &format!("{driver_base}/status")).await;

    let profile = TempDir(std::env::temp_dir().join(format!(
        "loanguard-chromium-{}-{}",
        std::process::id(),
        driver_addr.port()
    )));
    std::fs::create_dir_all(&profile.0).unwrap();
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=360,900",
        &format!("--user-data-dir={}", profile.0.display()),
    ];
    let created: Value = {
        let body = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                // A phone set to Chinese: the page follows Accept-Language.
                "prefs": {"intl.accept_languages": "zh-CN,zh"},
                // A 360-px-wide phone (the window alone cannot be narrower than 500 px).
                "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 800, "pixelRatio": 2.0}}
            }
        }}});
        let r = client
            .post(format!("{driver_base}/session"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        serde_json::from_str(&r.text().await.unwrap()).unwrap()
    };
    let id = created["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {created}"));
    let session = Session {
        client: client.clone(),
        base: format!("{driver_base}/session/{id}"),
    };

    let outcome = async {
        // Finding an element waits for it (up to 20 s), so the result page has time to load.
        session.post("/timeouts", json!({"implicit": 20_000})).await;
        session
            .post("/url", json!({"url": format!("{site}/")}))
            .await;
        let title = session.get("/title").await;
        assert_eq!(title, "网贷催收鉴别助手");
        // The page fits a 360-px-wide screen: nothing scrolls sideways.
        let widths = session
            .post(
                "/execute/sync",
                json!({"script": "return [window.innerWidth, document.documentElement.scrollWidth];", "args": []}),
            )
            .await;
        assert_eq!(widths, json!([360, 360]), "[screen, page] widths");

        let textarea = session.find("textarea#text").await;
        session
            .post(&format!("/element/{textarea}/value"), json!({"text": SCAM}))
            .await;
        let button = session.find("form button[type=submit]").await;
        session
            .post(&format!("/element/{button}/click"), json!({}))
            .await;

        let verdict = session.find("section.verdict").await;
        let url = session.get("/url").await;
        assert!(url.as_str().unwrap().contains("/check"), "at {url}");
        let text = session.get(&format!("/element/{verdict}/text")).await;
        let text = text.as_str().unwrap();
        assert!(text.contains("疑似诈骗"), "{text}");
        assert!(text.contains("下一步怎么做"), "{text}");

        if let Some(path) = std::env::var_os("WEB_SCREENSHOT") {
            let png = session.get("/screenshot").await;
            let bytes = base64_decode(png.as_str().unwrap());
            std::fs::write(Path::new(&path), bytes).unwrap();
        }
    };
    // Close the browser even when a check fails.
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(outcome)).await;
    let _ = client.delete(&session.base).send().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Standard base64 (WebDriver's screenshots), without a crate for it.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
