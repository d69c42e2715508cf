//! Load bench for the web API: the real `loanguard web` binary, and `WEB_LOAD_CLIENTS` (100)
//! concurrent clients posting `POST /api/v1/check` for `WEB_LOAD_SECS` (10) seconds.
//!
//! Not a timed test: a bench binary (`harness = false`) that prints figures.
//!
//! ```sh
//! cargo bench --bench web_load
//! WEB_LOAD_CLIENTS=20 WEB_LOAD_SECS=5 cargo bench --bench web_load
//! ```
//!
//! Each client has its own connection (keep-alive) and sends the next request as soon as the
//! previous one is answered, cycling through the texts of `tests/corpus/*.jsonl`. The server
//! runs with `WEB_RATE_PER_MINUTE=0` (no rate limit) and `RUST_LOG=warn`; the clients run in
//! this process, on the same cores. Printed: requests answered per second, latency p50 / p90 /
//! p99 / max (request sent → whole answer read), non-200 answers and errors, and the server's
//! peak RSS (`VmHWM`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_loanguard");

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn corpus_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut texts = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v["text"].as_str()
            {
                texts.push(t.to_string());
            }
        }
    }
    assert!(!texts.is_empty(), "no texts in tests/corpus");
    texts
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is understood.
    let clients: usize = env_or("WEB_LOAD_CLIENTS", 100);
    let seconds: u64 = env_or("WEB_LOAD_SECS", 10);
    let texts = Arc::new(corpus_texts());

    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let server = Server(
        Command::new(BIN)
            .arg("web")
            .env("WEB_ADDR", addr.to_string())
            .env("WEB_RATE_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start loanguard web"),
    );
    let pid = server.0.id();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    runtime.block_on(async {
        let probe = reqwest::Client::new();
        let ready_by = Instant::now() + Duration::from_secs(20);
        while probe.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(Instant::now() < ready_by, "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });

    let start = Instant::now();
    let stop_at = start + Duration::from_secs(seconds);
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..clients {
            let texts = texts.clone();
            let url = format!("{base}/api/v1/check");
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .unwrap();
                let mut latencies = Vec::new();
                let (mut bad, mut errors) = (0u64, 0u64);
                let mut i = c * 7919;
                while Instant::now() < stop_at {
                    let text = &texts[i % texts.len()];
                    i += 1;
                    let body = serde_json::json!({"text": text, "lang": "zh-CN"}).to_string();
                    let sent = Instant::now();
                    match client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                    {
                        Ok(r) => {
                            let ok = r.status() == 200;
                            let read = r.bytes().await.is_ok();
                            latencies.push(sent.elapsed());
                            if !ok || !read {
                                bad += 1;
                            }
                        }
                        Err(_) => errors += 1,
                    }
                }
                (latencies, bad, errors)
            }));
        }
        let mut all = Vec::new();
        let (mut bad, mut errors) = (0, 0);
        for t in tasks {
            let (l, b, e) = t.await.unwrap();
            all.extend(l);
            bad += b;
            errors += e;
        }
        (all, bad, errors)
    });
    let elapsed = start.elapsed();
    let (mut latencies, bad, errors) = results;
    latencies.sort();
    let rss = peak_rss_kb(pid);
    drop(server);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "web API load: {clients} clients for {:.1} s against {BIN}",
        elapsed.as_secs_f64()
    );
    println!(
        "  answered: {} ({:.0} requests/s); non-200: {bad}; errors: {errors}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    if let Some(kb) = rss {
        println!("  server peak RSS: {:.1} MB", kb as f64 / 1024.0);
    }
}
