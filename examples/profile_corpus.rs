//! Classifies the corpus many times; run under `perf record` to see where the time goes.
use std::fs;

fn main() {
    let c = loanguard::classifier::Classifier::new().unwrap();
    let mut texts = Vec::new();
    for e in fs::read_dir("tests/corpus").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "jsonl") {
            for l in fs::read_to_string(&p).unwrap().lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                    texts.push(v["text"].as_str().unwrap_or("").to_string());
                }
            }
        }
    }
    let start = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..20 {
        for t in &texts {
            std::hint::black_box(c.classify(t));
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} messages in {secs:.2} s: {:.0} messages/s",
        n as f64 / secs
    );
}
