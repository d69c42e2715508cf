//! Confirmed examples at scale: checking against 100,000 stored examples versus none, building
//! the index, and loading it from a SQLite database (start-up).
//!
//! Run: `cargo bench --bench known`. Goals (issue 14): with 100,000 examples a check runs at
//! least half as fast as with none, and start-up with that store takes under 200 ms. The
//! index's memory is printed once.

use std::fs;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loanguard::classifier::known::{ExampleFacts, Fingerprint, KnownIndex};
use loanguard::classifier::{Classifier, Context, Verdict};
use loanguard::confirmed::{KnownStore, new_example};
use loanguard::storage::Store;

const STORED: usize = 100_000;

fn corpus() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut rows = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("tests/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for path in files {
        for line in fs::read_to_string(&path).expect("readable").lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let (Some(t), Some(l)) = (v["text"].as_str(), v["label"].as_str())
            {
                rows.push((t.to_string(), l.to_string()));
            }
        }
    }
    rows
}

/// `n` distinct scam texts: corpus scams with other digits and a few inserted characters, as
/// a wave of copies would fill a store.
fn stored_texts(corpus: &[(String, String)], n: usize) -> Vec<String> {
    let scams: Vec<&str> = corpus
        .iter()
        .filter(|(t, l)| l == "scam" && t.chars().count() >= 30)
        .map(|(t, _)| t.as_str())
        .collect();
    let filler: Vec<char> =
        "的一是在不了有和人这中大为上个我以要他时来用们生到作地于出就分对成会可也你"
            .chars()
            .collect();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|i| {
            let mut chars: Vec<char> = scams[i % scams.len()]
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(_) => char::from_digit((next() % 10) as u32, 10).expect("a digit"),
                    None => c,
                })
                .collect();
            for _ in 0..4 {
                let at = (next() % (chars.len() as u64 + 1)) as usize;
                chars.insert(at, filler[(next() % filler.len() as u64) as usize]);
            }
            chars.into_iter().collect()
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let classifier = Classifier::shared();
    let corpus = corpus();
    let texts = stored_texts(&corpus, STORED);
    let examples: Vec<(ExampleFacts, Fingerprint)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let facts = ExampleFacts {
                id: i as i64 + 1,
                label: Verdict::Scam,
                family: None,
                confirmed_at: 0,
            };
            Some((facts, classifier.fingerprint(t)?))
        })
        .collect();
    let full = KnownIndex::build(examples.clone());
    let empty = KnownIndex::default();
    eprintln!(
        "known: {} examples indexed, index heap {:.1} MB",
        full.len(),
        full.heap_bytes() as f64 / 1e6
    );

    // The messages checked: every 8th corpus row, all labels (about 40 % are copies of what
    // the store holds, as in a wave).
    let checked: Vec<&str> = corpus.iter().step_by(8).map(|(t, _)| t.as_str()).collect();
    let context = Context::default();
    let mut group = c.benchmark_group("known_check");
    group.throughput(Throughput::Elements(checked.len() as u64));
    for (name, index) in [("empty_store", &empty), ("store_100k", &full)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for t in &checked {
                    black_box(classifier.classify_against(black_box(t), &context, index));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("known_start");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("build_index_100k", |b| {
        b.iter_batched(
            || examples.clone(),
            |e| black_box(KnownIndex::build(e)),
            criterion::BatchSize::LargeInput,
        )
    });

    // A reviewer's confirmation reaching an instance: one example into the full index.
    let one = examples[0].clone();
    group.bench_function("add_one_to_100k", |b| {
        b.iter_batched(
            || (full.clone(), one.clone()),
            |(mut index, (mut facts, fingerprint))| {
                facts.id = i64::MAX;
                index.extend(vec![(facts, fingerprint)]);
                black_box(index)
            },
            criterion::BatchSize::LargeInput,
        )
    });

    // The same examples in a SQLite file with a snapshot, as `loanguard known add` leaves it.
    let path =
        std::env::temp_dir().join(format!("loanguard-bench-known-{}.db", std::process::id()));
    let _ = fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime.block_on(async {
        let store = Store::connect(&url).await.expect("database");
        let new: Vec<_> = texts
            .iter()
            .filter_map(|t| new_example(t, Verdict::Scam, None, "bench", 0))
            .collect();
        for chunk in new.chunks(1_000) {
            store.add_known_many(chunk).await.expect("stored");
        }
        let known = KnownStore::load(&store).await.expect("loads");
        known.compact(&store, 0).await.expect("snapshot written");
        store
    });
    group.bench_function("load_from_sqlite_100k", |b| {
        b.iter(|| black_box(runtime.block_on(KnownStore::load(&store)).expect("loads")))
    });
    group.finish();
    runtime.block_on(store.close());
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

criterion_group!(known_benches, benches);
criterion_main!(known_benches);
