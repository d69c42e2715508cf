//! Classifier speed: corpus throughput, cost by input length, and build time.
//!
//! Run: `cargo bench --bench classifier`. Goals (issue 10): 300 000 typical messages a second on
//! one core, cost linear in length, under 50 ms to build. `stages` shows what the learned stage
//! costs on top of the rules.

use std::fs;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use loanguard::classifier::Classifier;

fn corpus() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut texts = Vec::new();
    for entry in fs::read_dir(dir).expect("tests/corpus") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in fs::read_to_string(&path).expect("readable").lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                    && let Some(t) = v["text"].as_str()
                {
                    texts.push(t.to_string());
                }
            }
        }
    }
    texts
}

/// A realistic long input: corpus messages repeated up to `bytes`.
fn long_input(corpus: &[String], bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    for t in corpus.iter().cycle() {
        if s.len() >= bytes {
            break;
        }
        s.push_str(t);
        s.push('\n');
    }
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s
}

fn benches(c: &mut Criterion) {
    let classifier = Classifier::new().expect("classifier builds");
    let corpus = corpus();
    let total_bytes: usize = corpus.iter().map(String::len).sum();

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function(
        format!(
            "classify_all_{}_messages_{}_bytes",
            corpus.len(),
            total_bytes
        ),
        |b| {
            b.iter(|| {
                for t in &corpus {
                    black_box(classifier.classify(black_box(t)));
                }
            })
        },
    );
    group.finish();

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    let rules_only = Classifier::rules_only().expect("rules build");
    group.bench_function("rules_only_corpus", |b| {
        b.iter(|| {
            for t in &corpus {
                black_box(rules_only.classify(black_box(t)));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("length");
    group.measurement_time(Duration::from_secs(8));
    for size in [1 << 10, 16 << 10, 1 << 20] {
        let input = long_input(&corpus, size);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &input, |b, input| {
            b.iter(|| black_box(classifier.classify(black_box(input))))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("build");
    group.sample_size(20);
    group.bench_function("classifier_new", |b| {
        b.iter(|| black_box(Classifier::new().expect("builds")))
    });
    group.finish();
}

criterion_group!(classifier_benches, benches);
criterion_main!(classifier_benches);
