//! Load bench: the real `loanguard` binary against the fake Bot API server (issue 5).
//!
//! Not a timed test: a bench binary (`harness = false`) that prints figures.
//!
//! ```sh
//! cargo bench --bench load                          # burst: 200 users × 10 pasted messages
//! LOAD_USERS=50 LOAD_MESSAGES=4 cargo bench --bench load
//! LOAD_MODE=paced cargo bench --bench load          # same updates, one at a time at LOAD_RATE/s
//! LOAD_MODE=many cargo bench --bench load           # 10,000 users × 1 forward: peak RSS
//! LOAD_MODE=all cargo bench --bench load            # burst, paced and many, one table
//! ```
//!
//! Cargo builds the bot (`target/release/loanguard`, the bench profile inherits release) before
//! this binary and hands its path over in `CARGO_BIN_EXE_loanguard`. After
//! `cargo bench --bench load --no-run` the bench binary (`target/release/deps/load-<hash>`) can
//! also be run directly, with the same environment variables.
//!
//! Each scenario starts a fresh fake server and a fresh bot process with
//! `TELOXIDE_API_URL` = the fake server, `DATABASE_URL` = a new SQLite file in the temp
//! directory (removed afterwards), `LOANGUARD_BATCH_MS=0` and `RUST_LOG=warn`; other variables
//! are inherited. It then measures:
//!
//! - start-up: from spawning the process to its first `getUpdates` request (this includes
//!   `getMe`, `getWebhookInfo`, the four `setMyCommands` and creating and migrating the database);
//! - throughput: updates answered / (last matching `sendMessage` − first update handed out);
//! - latency of each update: from the `getUpdates` answer that handed it out to the
//!   `sendMessage` that replies to it (matched by `chat_id` and `reply_parameters.message_id`);
//! - exactly one reply per update: missing and duplicate replies (after a 500 ms grace period);
//! - peak RSS: `VmHWM` of the bot process from `/proc/<pid>/status`, read before stopping it.
//!
//! The bot is stopped with SIGTERM (`kill -TERM <pid>`) and must exit cleanly.
//!
//! Scenarios:
//! - `burst` (default): `LOAD_USERS` (200) × `LOAD_MESSAGES` (10) updates, interleaved by user,
//!   pushed at once as a backlog after the first `getUpdates`. Latency here includes queueing
//!   behind up to 100 updates of one `getUpdates` answer. Messages are pasted texts by default:
//!   forwards of one chat that arrive together are answered once as a batch, by design, even
//!   with `LOANGUARD_BATCH_MS=0` (forwards are dispatched concurrently and join the chat's open
//!   batch), so ten forwards per user would not get ten replies.
//! - `paced`: the same updates pushed one at a time at `LOAD_RATE` (500) per second: latency
//!   without a backlog. Forwards by default (a user's next message comes users/rate later).
//! - `many`: `LOAD_MANY_USERS` (10,000) distinct users × 1 forwarded message, as a burst:
//!   peak RSS with that many users' state.
//!
//! `LOAD_KIND=pasted|forward` overrides the kind of message for every scenario.
//! Texts come from `tests/corpus/*.jsonl`. The fake server runs in this process and shares the
//! machine's cores with the bot.

// The tests' support module. A bench is a crate outside tests/, so it cannot say `mod support;`;
// the alternative, exporting the fake server from the library behind a feature for a self
// dev-dependency, would put test code into the library for one bench.
#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::child_logs::Logs;
use support::fake_api::FakeBotApi;

const TOKEN: &str = "123456789:AAE2eTestTokenNotRealForLoanGuardLoad";
const BIN: &str = env!("CARGO_BIN_EXE_loanguard");
/// User ids (and private chat ids) start here.
const FIRST_USER: i64 = 1_000_000;
/// Give up when no new `sendMessage` arrived for this long.
const STALL: Duration = Duration::from_secs(15);
/// After the last expected reply, wait this long for duplicates.
const GRACE: Duration = Duration::from_millis(500);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pasted,
    Forward,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Pasted => "pasted",
            Kind::Forward => "forwarded",
        }
    }
}

#[derive(Clone, Debug)]
struct Scenario {
    name: &'static str,
    users: usize,
    messages: usize,
    kind: Kind,
    /// Updates per second, one at a time; `None` pushes them all at once.
    rate: Option<f64>,
}

impl Scenario {
    fn updates(&self) -> usize {
        self.users * self.messages
    }
}

#[derive(Debug, Default)]
struct Outcome {
    startup: Duration,
    updates: usize,
    answered: usize,
    missing: usize,
    duplicates: usize,
    /// Replies (with `reply_parameters`) that match no pushed update.
    unmatched: usize,
    /// `sendMessage` calls without `reply_parameters` (continuation parts of a long reply).
    continuation_parts: usize,
    /// Updates handed out by getUpdates more than once.
    redelivered: usize,
    get_updates_calls: usize,
    span: Duration,
    throughput: f64,
    latencies: Vec<Duration>,
    vm_hwm_kb: Option<u64>,
    vm_rss_kb: Option<u64>,
    /// User + system CPU time of the bot process up to the end of the run.
    bot_cpu: Option<Duration>,
    stop: Duration,
    status: Option<ExitStatus>,
    warnings: Vec<String>,
}

impl Outcome {
    fn percentile(&self, p: f64) -> Option<Duration> {
        if self.latencies.is_empty() {
            return None;
        }
        // Nearest rank.
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        Some(self.latencies[rank.clamp(1, self.latencies.len()) - 1])
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}")),
        _ => default,
    }
}

fn kind_override() -> Option<Kind> {
    match std::env::var("LOAD_KIND").ok()?.trim() {
        "" => None,
        "pasted" | "paste" | "text" => Some(Kind::Pasted),
        "forward" | "forwarded" | "forwards" => Some(Kind::Forward),
        other => panic!("LOAD_KIND must be pasted or forward, got {other:?}"),
    }
}

fn scenarios(mode: &str) -> Vec<Scenario> {
    let users = env_number("LOAD_USERS", 200usize).max(1);
    let messages = env_number("LOAD_MESSAGES", 10usize).max(1);
    let rate = env_number("LOAD_RATE", 500.0f64).max(1.0);
    let many = env_number("LOAD_MANY_USERS", 10_000usize).max(1);
    let kind = kind_override();
    let burst = Scenario {
        name: "burst",
        users,
        messages,
        kind: kind.unwrap_or(Kind::Pasted),
        rate: None,
    };
    let paced = Scenario {
        name: "paced",
        users,
        messages,
        kind: kind.unwrap_or(Kind::Forward),
        rate: Some(rate),
    };
    let many = Scenario {
        name: "many",
        users: many,
        messages: 1,
        kind: kind.unwrap_or(Kind::Forward),
        rate: None,
    };
    match mode {
        "burst" => vec![burst],
        "paced" => vec![paced],
        "many" => vec![many],
        "all" => vec![burst, paced, many],
        other => panic!("unknown mode {other:?}: use burst, paced, many or all"),
    }
}

/// `LOAD_MODE`, else the first argument that is not a flag (cargo passes `--bench`), else burst.
fn mode() -> String {
    if let Ok(m) = std::env::var("LOAD_MODE")
        && !m.trim().is_empty()
    {
        return m.trim().to_owned();
    }
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "burst".to_owned())
}

// ---------------------------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------------------------

/// Message texts from the labelled corpus, in a fixed shuffled order.
fn corpus() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut texts = Vec::new();
    for path in files {
        let content = std::fs::read_to_string(&path).expect("a readable corpus file");
        for line in content.lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line)
                && let Some(t) = v["text"].as_str()
                && !t.trim().is_empty()
                && !t.starts_with('/')
            {
                texts.push(t.to_owned());
            }
        }
    }
    assert!(!texts.is_empty(), "no texts in {}", dir.display());
    // Deterministic Fisher-Yates with a small LCG: scam, legit and pasted texts mixed.
    let mut seed: u64 = 0x5eed_10ad;
    for i in (1..texts.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = (seed >> 33) as usize % (i + 1);
        texts.swap(i, j);
    }
    texts
}

fn private_message(user_id: i64, message_id: i64, text: &str, kind: Kind) -> Value {
    let user =
        json!({"id": user_id, "is_bot": false, "first_name": "用户", "language_code": "zh-hans"});
    let mut m = json!({
        "message_id": message_id,
        "from": user,
        "chat": {"id": user_id, "first_name": "用户", "type": "private"},
        "date": 1764300000,
        "text": text,
    });
    if kind == Kind::Forward {
        m["forward_origin"] =
            json!({"type": "hidden_user", "sender_user_name": "催收专员", "date": 1764290000});
    }
    json!({"message": m})
}

/// The updates in push order (interleaved by user: everyone's first message, then everyone's
/// second...) with the `(chat, message_id)` each one must be answered with.
fn build_updates(s: &Scenario, texts: &[String]) -> Vec<(Value, (i64, i64))> {
    let mut out = Vec::with_capacity(s.updates());
    for m in 0..s.messages {
        for u in 0..s.users {
            let user = FIRST_USER + u as i64;
            let message_id = 1 + m as i64;
            let text = &texts[(u * s.messages + m) % texts.len()];
            out.push((
                private_message(user, message_id, text, s.kind),
                (user, message_id),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The bot process
// ---------------------------------------------------------------------------------------------

struct BotProcess {
    child: Child,
    db: PathBuf,
    logs: Logs,
    spawned: Instant,
}

fn db_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .collect()
}

impl BotProcess {
    fn start(api: &FakeBotApi, name: &str) -> BotProcess {
        let db =
            std::env::temp_dir().join(format!("loanguard-load-{}-{name}.db", std::process::id()));
        for f in db_files(&db) {
            let _ = std::fs::remove_file(f);
        }
        let mut command = Command::new(BIN);
        command
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api.url())
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("LOANGUARD_BATCH_MS", "0")
            .env("RUST_LOG", "warn")
            .env_remove("TELOXIDE_PROXY")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let spawned = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let logs = Logs::collect(child.stderr.take().expect("piped stderr"));
        BotProcess {
            child,
            db,
            logs,
            spawned,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn logs(&self) -> String {
        self.logs.text()
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// `(VmHWM, VmRSS)` in kB from /proc/<pid>/status.
    fn memory_kb(&self) -> (Option<u64>, Option<u64>) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status.lines().find_map(|l| {
                l.strip_prefix(name)?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .ok()
            })
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// User + system CPU time from /proc/<pid>/stat (fields 14 and 15, in clock ticks of
    /// 1/100 s on Linux).
    fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        // Fields after the command name, which is in parentheses and may contain spaces.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// SIGTERM via `kill -TERM <pid>`, then wait up to 30 s; returns the exit status and how long
    /// the process took to exit.
    fn stop(&mut self) -> (Option<ExitStatus>, Duration) {
        let asked = Instant::now();
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let deadline = asked + Duration::from_secs(30);
        loop {
            if let Some(status) = self.exited() {
                return (Some(status), asked.elapsed());
            }
            if Instant::now() > deadline {
                eprintln!("the bot did not exit within 30 s of SIGTERM; killing it");
                let _ = self.child.kill();
                let _ = self.child.wait();
                return (None, asked.elapsed());
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for f in db_files(&self.db) {
            let _ = std::fs::remove_file(f);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One scenario
// ---------------------------------------------------------------------------------------------

fn run(s: &Scenario, texts: &[String]) -> Outcome {
    let api = FakeBotApi::start();
    let mut bot = BotProcess::start(&api, s.name);
    let mut outcome = Outcome {
        updates: s.updates(),
        ..Outcome::default()
    };

    // Start-up: until the first getUpdates.
    let deadline = Instant::now() + Duration::from_secs(60);
    while api.request_count("getUpdates") == 0 {
        if let Some(status) = bot.exited() {
            panic!(
                "the bot exited before polling ({status}); logs:\n{}",
                bot.logs()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no getUpdates within 60 s; logs:\n{}",
            bot.logs()
        );
        thread::sleep(Duration::from_micros(500));
    }
    let first_poll = api.timed_requests("getUpdates")[0].0;
    outcome.startup = first_poll.duration_since(bot.spawned);

    // Push.
    let updates = build_updates(s, texts);
    let mut expected: HashMap<i64, (i64, i64)> = HashMap::with_capacity(updates.len());
    match s.rate {
        None => {
            let (values, keys): (Vec<Value>, Vec<(i64, i64)>) = updates.into_iter().unzip();
            let ids = api.push_updates(values);
            expected.extend(ids.into_iter().zip(keys));
        }
        Some(rate) => {
            let interval = Duration::from_secs_f64(1.0 / rate);
            let start = Instant::now();
            for (i, (value, key)) in updates.into_iter().enumerate() {
                let at = start + interval * i as u32;
                let now = Instant::now();
                if at > now {
                    thread::sleep(at - now);
                }
                let id = api.push_update(value);
                expected.insert(id, key);
            }
        }
    }

    // Wait until every update has a reply, or nothing moves for STALL.
    let mut last_count = 0;
    let mut last_change = Instant::now();
    loop {
        thread::sleep(Duration::from_millis(20));
        if bot.exited().is_some() {
            eprintln!("the bot exited during the run; logs:\n{}", bot.logs());
            break;
        }
        let count = api.request_count("sendMessage");
        if count != last_count {
            last_count = count;
            last_change = Instant::now();
        }
        if count >= expected.len() {
            let answered = replied_keys(&api.timed_requests("sendMessage"));
            if expected.values().all(|k| answered.contains_key(k)) {
                break;
            }
        }
        if last_change.elapsed() > STALL {
            eprintln!("no new reply for {} s; stopping the wait", STALL.as_secs());
            break;
        }
    }
    thread::sleep(GRACE);
    let (hwm, rss) = bot.memory_kb();
    outcome.vm_hwm_kb = hwm;
    outcome.vm_rss_kb = rss;
    outcome.bot_cpu = bot.cpu_time();
    let (status, stop) = bot.stop();
    outcome.status = status;
    outcome.stop = stop;

    // Analyse.
    let sent = api.timed_requests("sendMessage");
    let deliveries = api.deliveries();
    outcome.get_updates_calls = api.request_count("getUpdates");
    let mut delivered: HashMap<i64, Instant> = HashMap::with_capacity(deliveries.len());
    for (id, at) in &deliveries {
        // Keep the first hand-out.
        match delivered.entry(*id) {
            std::collections::hash_map::Entry::Occupied(_) => outcome.redelivered += 1,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(*at);
            }
        }
    }
    let mut replies: HashMap<(i64, i64), Vec<Instant>> = HashMap::new();
    for (at, body) in &sent {
        match reply_key(body) {
            Some(key) => replies.entry(key).or_default().push(*at),
            None => outcome.continuation_parts += 1,
        }
    }
    let keys: std::collections::HashSet<(i64, i64)> = expected.values().copied().collect();
    outcome.unmatched = replies
        .iter()
        .filter(|(k, _)| !keys.contains(k))
        .map(|(_, v)| v.len())
        .sum();
    let first_delivery = deliveries.iter().map(|(_, t)| *t).min();
    let mut last_reply: Option<Instant> = None;
    for (id, key) in &expected {
        match replies.get(key) {
            None => outcome.missing += 1,
            Some(times) => {
                outcome.answered += 1;
                outcome.duplicates += times.len() - 1;
                let first = *times.iter().min().expect("non-empty");
                last_reply = Some(last_reply.map_or(first, |l| l.max(first)));
                if let Some(handed_out) = delivered.get(id) {
                    outcome
                        .latencies
                        .push(first.saturating_duration_since(*handed_out));
                }
            }
        }
    }
    outcome.latencies.sort();
    if let (Some(start), Some(end)) = (first_delivery, last_reply) {
        outcome.span = end.saturating_duration_since(start);
        outcome.throughput = outcome.answered as f64 / outcome.span.as_secs_f64().max(1e-9);
    }
    outcome.warnings = bot
        .logs()
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("panicked"))
        .map(str::to_owned)
        .collect();
    drop(bot); // removes the database files
    outcome
}

fn reply_key(body: &Value) -> Option<(i64, i64)> {
    let chat = int(&body["chat_id"])?;
    let reply_to = &body["reply_parameters"];
    // Form-encoded requests would carry reply_parameters as a JSON string.
    let reply_to = match reply_to {
        Value::String(s) => serde_json::from_str::<Value>(s).ok()?,
        other => other.clone(),
    };
    Some((chat, int(&reply_to["message_id"])?))
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn replied_keys(sent: &[(Instant, Value)]) -> HashMap<(i64, i64), usize> {
    let mut keys = HashMap::new();
    for (_, body) in sent {
        if let Some(key) = reply_key(body) {
            *keys.entry(key).or_insert(0) += 1;
        }
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn opt_ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "—".to_owned(), ms)
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "—".to_owned(),
        |kb| format!("{:.1} MB", kb as f64 / 1024.0),
    )
}

fn describe(s: &Scenario) -> String {
    let pace = match s.rate {
        None => "all at once".to_owned(),
        Some(r) => format!("{r:.0}/s one at a time"),
    };
    format!(
        "{} users × {} {} ({pace})",
        s.users,
        s.messages,
        s.kind.name()
    )
}

fn command_line(mode: &str) -> String {
    let mut vars = vec![format!("LOAD_MODE={mode}")];
    for name in [
        "LOAD_USERS",
        "LOAD_MESSAGES",
        "LOAD_RATE",
        "LOAD_MANY_USERS",
        "LOAD_KIND",
    ] {
        if let Ok(v) = std::env::var(name)
            && !v.trim().is_empty()
        {
            vars.push(format!("{name}={}", v.trim()));
        }
    }
    format!("{} cargo bench --bench load", vars.join(" "))
}

fn main() {
    let mode = mode();
    let scenarios = scenarios(&mode);
    let texts = corpus();
    println!("loanguard load bench");
    println!("bot binary: {BIN}");
    println!(
        "machine: {} cores; bot env: LOANGUARD_BATCH_MS=0 RUST_LOG=warn, SQLite in {}",
        thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::temp_dir().display()
    );
    let mut results = Vec::new();
    for s in &scenarios {
        println!("\n== {}: {} ==", s.name, describe(s));
        let o = run(s, &texts);
        println!(
            "answered {}/{} · missing {} · duplicates {} · unmatched {} · continuation parts {} · \
             re-handed-out {} · getUpdates calls {}",
            o.answered,
            o.updates,
            o.missing,
            o.duplicates,
            o.unmatched,
            o.continuation_parts,
            o.redelivered,
            o.get_updates_calls
        );
        println!(
            "peak RSS {} · RSS at the end {} · bot CPU time {}",
            mb(o.vm_hwm_kb),
            mb(o.vm_rss_kb),
            opt_ms(o.bot_cpu)
        );
        println!(
            "stopped by SIGTERM in {} with {}",
            ms(o.stop),
            o.status
                .map_or_else(|| "no exit (killed)".to_owned(), |s| s.to_string())
        );
        if !o.warnings.is_empty() {
            println!("{} warning/error log lines, first ones:", o.warnings.len());
            for w in o.warnings.iter().take(5) {
                println!("  {w}");
            }
        }
        results.push((s.clone(), o));
    }

    println!(
        "\n| Scenario | Start-up | Updates/s | p50 | p99 | max | Peak RSS (VmHWM) | Missing | Duplicates | Clean exit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (s, o) in &results {
        println!(
            "| {}: {} | {} | {:.0} ({} in {}) | {} | {} | {} | {} | {} | {} | {} |",
            s.name,
            describe(s),
            ms(o.startup),
            o.throughput,
            o.answered,
            ms(o.span),
            opt_ms(o.percentile(50.0)),
            opt_ms(o.percentile(99.0)),
            opt_ms(o.latencies.last().copied()),
            mb(o.vm_hwm_kb),
            o.missing,
            o.duplicates,
            if o.status.is_some_and(|s| s.success()) {
                "yes"
            } else {
                "no"
            },
        );
    }
    println!(
        "\nLatency: from the getUpdates answer that handed an update out to the sendMessage replying to it."
    );
    println!(
        "Updates/s: updates answered / (last reply − first update handed out); in the paced scenario it is the push rate."
    );
    println!("Command: {}", command_line(&mode));

    let failed = results
        .iter()
        .any(|(_, o)| o.missing > 0 || o.duplicates > 0 || !o.status.is_some_and(|s| s.success()));
    if failed {
        std::process::exit(1);
    }
}
