//! Counters, gauges and latency histograms for `GET /metrics`, in Prometheus' text format.
//!
//! A small hand-written registry: one process-wide [`Registry`] ([`global`]), families keyed
//! by their label values. Label values are `&'static str`, so only fixed names (a route, a
//! verdict, an error kind) can become labels: never a message's text, a number or a user id.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

type Labels = Vec<(&'static str, &'static str)>;

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

enum Family {
    Counter(BTreeMap<Labels, u64>),
    Gauge(BTreeMap<Labels, i64>),
    Histogram(BTreeMap<Labels, Histogram>),
}

impl Family {
    fn kind(&self) -> &'static str {
        match self {
            Family::Counter(_) => "counter",
            Family::Gauge(_) => "gauge",
            Family::Histogram(_) => "histogram",
        }
    }
}

struct Entry {
    help: &'static str,
    family: Family,
}

/// The metrics of one process (tests may make their own).
#[derive(Default)]
pub struct Registry {
    families: Mutex<BTreeMap<&'static str, Entry>>,
}

static GLOBAL: LazyLock<Registry> = LazyLock::new(Registry::default);

/// The process' registry, which `/metrics` renders.
pub fn global() -> &'static Registry {
    &GLOBAL
}

fn labels(pairs: &[(&'static str, &'static str)]) -> Labels {
    pairs.to_vec()
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<&'static str, Entry>> {
        self.families.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn entry(
        &self,
        name: &'static str,
        help: &'static str,
        make: fn() -> Family,
        update: impl FnOnce(&mut Family),
    ) {
        let mut families = self.lock();
        let entry = families.entry(name).or_insert_with(|| Entry {
            help,
            family: make(),
        });
        update(&mut entry.family);
    }

    /// Adds `by` to a counter.
    pub fn add(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&'static str, &'static str)],
        by: u64,
    ) {
        self.entry(
            name,
            help,
            || Family::Counter(BTreeMap::new()),
            |f| {
                if let Family::Counter(map) = f {
                    *map.entry(labels(pairs)).or_default() += by;
                }
            },
        );
    }

    /// Adds one to a counter.
    pub fn inc(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&'static str, &'static str)],
    ) {
        self.add(name, help, pairs, 1);
    }

    /// Moves a gauge by `delta`.
    pub fn gauge_add(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&'static str, &'static str)],
        delta: i64,
    ) {
        self.gauge(name, help, pairs, |v| *v += delta);
    }

    /// Sets a gauge.
    pub fn gauge_set(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&'static str, &'static str)],
        value: i64,
    ) {
        self.gauge(name, help, pairs, |v| *v = value);
    }

    fn gauge(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&'static str, &'static str)],
        update: impl FnOnce(&mut i64),
    ) {
        self.entry(
            name,
            help,
            || Family::Gauge(BTreeMap::new()),
            |f| {
                if let Family::Gauge(map) = f {
                    update(map.entry(labels(pairs)).or_default());
                }
            },
        );
    }

    /// Records one observation of a duration.
    pub fn observe(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&'static str, &'static str)],
        took: Duration,
    ) {
        let seconds = took.as_secs_f64();
        self.entry(
            name,
            help,
            || Family::Histogram(BTreeMap::new()),
            |f| {
                if let Family::Histogram(map) = f {
                    let h = map.entry(labels(pairs)).or_default();
                    for (count, bound) in h.counts.iter_mut().zip(BUCKETS) {
                        if seconds <= bound {
                            *count += 1;
                        }
                    }
                    h.sum += seconds;
                    h.count += 1;
                }
            },
        );
    }

    /// Everything recorded so far, in Prometheus' text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let families = self.lock();
        let mut out = String::new();
        for (name, entry) in families.iter() {
            let _ = writeln!(out, "# HELP {name} {}", entry.help);
            let _ = writeln!(out, "# TYPE {name} {}", entry.family.kind());
            match &entry.family {
                Family::Counter(map) => {
                    for (l, v) in map {
                        let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
                    }
                }
                Family::Gauge(map) => {
                    for (l, v) in map {
                        let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
                    }
                }
                Family::Histogram(map) => {
                    for (l, h) in map {
                        for (count, bound) in h.counts.iter().zip(BUCKETS) {
                            let le = bound.to_string();
                            let _ =
                                writeln!(out, "{name}_bucket{} {count}", label_text(l, Some(&le)));
                        }
                        let _ = writeln!(
                            out,
                            "{name}_bucket{} {}",
                            label_text(l, Some("+Inf")),
                            h.count
                        );
                        let _ = writeln!(out, "{name}_sum{} {}", label_text(l, None), h.sum);
                        let _ = writeln!(out, "{name}_count{} {}", label_text(l, None), h.count);
                    }
                }
            }
        }
        out
    }
}

/// `{a="x",b="y"}`, with `le` last for a bucket; empty without labels. The values are fixed
/// names, escaped all the same.
fn label_text(labels: &[(&'static str, &'static str)], le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

// The metrics the application records, in one place so their names and help stay consistent.

/// An HTTP request answered by `server` (`web` or `webhook`) on `route` (a fixed route name).
pub fn http_request(server: &'static str, route: &'static str, status: u16, took: Duration) {
    let status = status_label(status);
    global().inc(
        "loanguard_http_requests_total",
        "HTTP requests answered, by server, route and status.",
        &[("server", server), ("route", route), ("status", status)],
    );
    global().observe(
        "loanguard_http_request_duration_seconds",
        "Time to answer an HTTP request, by server and route.",
        &[("server", server), ("route", route)],
        took,
    );
}

fn status_label(status: u16) -> &'static str {
    match status {
        200 => "200",
        303 => "303",
        400 => "400",
        401 => "401",
        404 => "404",
        405 => "405",
        408 => "408",
        413 => "413",
        415 => "415",
        422 => "422",
        429 => "429",
        500 => "500",
        503 => "503",
        s if s < 300 => "2xx",
        s if s < 400 => "3xx",
        s if s < 500 => "4xx",
        _ => "5xx",
    }
}

/// A message classified, by where it came from (`web`, `api`, `bot`) and the verdict.
pub fn verdict(source: &'static str, verdict: &'static str, took: Duration) {
    global().inc(
        "loanguard_verdicts_total",
        "Messages classified, by source and verdict.",
        &[("source", source), ("verdict", verdict)],
    );
    global().observe(
        "loanguard_classify_duration_seconds",
        "Time to classify a message, by source.",
        &[("source", source)],
        took,
    );
}

/// A Telegram Bot API call failed, by error code or kind (`429`, `403`, `400`, `5xx`,
/// `network`, `timeout`, …).
pub fn telegram_error(code: &'static str) {
    global().inc(
        "loanguard_telegram_errors_total",
        "Failed Telegram Bot API calls, by error code or kind.",
        &[("code", code)],
    );
}

/// A Tesseract run finished: `outcome` is `ok` or why it failed.
pub fn ocr_run(outcome: &'static str, took: Duration) {
    global().inc(
        "loanguard_ocr_runs_total",
        "Screenshots read with Tesseract, by outcome (ok or the failure).",
        &[("outcome", outcome)],
    );
    if outcome != "ok" {
        global().inc(
            "loanguard_ocr_failures_total",
            "Screenshots that could not be read.",
            &[],
        );
    }
    global().observe(
        "loanguard_ocr_duration_seconds",
        "Time to read a screenshot.",
        &[],
        took,
    );
}

/// How many confirmed examples this process checks against.
pub fn known_examples(count: usize) {
    global().gauge_set(
        "loanguard_known_examples",
        "Confirmed examples in this process's index.",
        &[],
        i64::try_from(count).unwrap_or(i64::MAX),
    );
}

/// A checked message was a near-copy of a confirmed example with this label.
pub fn known_match(label: &'static str) {
    global().inc(
        "loanguard_known_matches_total",
        "Checked messages that copy a confirmed example, by the example's label.",
        &[("label", label)],
    );
}

/// How many items wait in `queue` right now.
pub fn queue_depth(queue: &'static str, depth: usize) {
    global().gauge_set(
        "loanguard_queue_depth",
        "Items waiting or in progress, by queue.",
        &[("queue", queue)],
        i64::try_from(depth).unwrap_or(i64::MAX),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_cumulative_buckets() {
        let r = Registry::default();
        r.inc("a_total", "A.", &[("k", "v")]);
        r.inc("a_total", "A.", &[("k", "v")]);
        r.gauge_set("g", "G.", &[], 3);
        r.observe("h_seconds", "H.", &[], Duration::from_millis(3));
        let text = r.render();
        assert!(
            text.contains("# TYPE a_total counter\na_total{k=\"v\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("g 3\n"), "{text}");
        assert!(
            text.contains("h_seconds_bucket{le=\"0.0025\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("h_seconds_bucket{le=\"0.005\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("h_seconds_bucket{le=\"+Inf\"} 1\n"), "{text}");
        assert!(text.contains("h_seconds_count 1\n"), "{text}");
    }
}
