//! The labelled corpus in tests/corpus/: the classifier must stay above the quality bar the
//! project promises (accuracy ≥ 95 %, scam recall ≥ 97 %, false alarms ≤ 2 %).

use std::collections::BTreeSet;
use std::fs;
use std::io::BufReader;
use std::path::PathBuf;

use loanguard::classifier::{Category, Classifier, RuleKind, Verdict};
use loanguard::cli::eval::{Evaluation, evaluate};

fn corpus_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

fn evaluation() -> Evaluation {
    let mut e = Evaluation::default();
    for f in corpus_files() {
        evaluate(
            Classifier::shared(),
            BufReader::new(fs::File::open(&f).unwrap()),
            &mut e,
        );
    }
    e
}

#[test]
fn corpus_meets_the_quality_bar() {
    let e = evaluation();
    println!("{}", e.render());
    assert!(
        e.bad_lines.is_empty(),
        "unreadable corpus lines: {:?}",
        e.bad_lines
    );
    assert!(
        e.total() >= 400,
        "the corpus needs at least 400 messages, has {}",
        e.total()
    );
    assert!(e.accuracy() >= 0.95, "accuracy {:.3} < 0.95", e.accuracy());
    let recall = e.recall(Verdict::Scam);
    assert!(recall >= 0.97, "scam recall {recall:.3} < 0.97");
    let alarms = e.false_alarm_rate();
    assert!(alarms <= 0.02, "false alarms {alarms:.3} > 0.02");
}

#[test]
fn corpus_covers_every_verdict_and_every_signal_category() {
    let classifier = Classifier::shared();
    let mut labels = BTreeSet::new();
    let mut categories = BTreeSet::new();
    for f in corpus_files() {
        for line in fs::read_to_string(&f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let item: serde_json::Value = serde_json::from_str(line).unwrap();
            labels.insert(item["label"].as_str().unwrap().to_string());
            let report = classifier.classify(item["text"].as_str().unwrap());
            for s in report.signals.iter().chain(&report.violations) {
                categories.insert(s.rule.category);
            }
        }
    }
    for v in Verdict::ALL {
        assert!(
            labels.contains(v.as_str()),
            "no message labelled {}",
            v.as_str()
        );
    }
    let used: BTreeSet<Category> = classifier
        .rules()
        .iter()
        .filter(|r| r.kind != RuleKind::Topic)
        // Near-copies of confirmed examples need a store; tests/known.rs exercises them.
        .filter(|r| r.category != Category::Known)
        .map(|r| r.category)
        .collect();
    let missing: Vec<_> = used.difference(&categories).collect();
    assert!(
        missing.is_empty(),
        "no corpus message exercises {missing:?}"
    );
}
