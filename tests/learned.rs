//! The learned stage: the committed model is exactly what `loanguard train` makes from the
//! corpus, and its opinion enters the verdict the way the README promises.

use std::fs;
use std::path::PathBuf;

use loanguard::classifier::learned::train::{Example, TrainConfig, train};
use loanguard::classifier::{Category, Classifier, Family, RuleKind, Verdict};
use loanguard::cli::train::train_from_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn retraining_reproduces_the_committed_model_byte_for_byte() {
    let committed = fs::read(root().join("src/classifier/data/learned.bin")).unwrap();
    assert!(!committed.is_empty(), "no model committed");
    let model = train_from_dir(&root().join("tests/corpus")).unwrap();
    let rebuilt = model.to_bytes();
    assert_eq!(rebuilt.len(), committed.len());
    let first_difference = rebuilt.iter().zip(&committed).position(|(a, b)| a != b);
    assert_eq!(
        first_difference, None,
        "the committed model is stale: run `cargo run --release -- train` and commit learned.bin"
    );
}

fn learned_signals(text: &str) -> Vec<(String, String)> {
    let report = Classifier::shared().classify(text);
    report
        .signals
        .iter()
        .chain(&report.violations)
        .filter(|s| s.rule.category == Category::Learned)
        .map(|s| (s.id().to_string(), s.evidence.clone()))
        .collect()
}

#[test]
fn the_model_gives_its_reason_with_words_quoted_from_the_message() {
    // No rule names this mechanism (a stranger's tip to buy a coin); the model has seen the
    // family and quotes the words that weighed most.
    let text = "王哥带单三天翻倍，今晚十点开盘，进群跟着买就行，名额只剩两个";
    let report = Classifier::shared().classify(text);
    assert_ne!(
        report.verdict,
        Verdict::Unrelated,
        "{:?}",
        learned_signals(text)
    );
    let signals = learned_signals(text);
    assert!(!signals.is_empty());
    for (_, evidence) in &signals {
        for piece in evidence.split('…') {
            assert!(
                text.contains(piece),
                "{piece:?} is not quoted from the message"
            );
        }
    }
    let view = report.learned.expect("the embedded model is loaded");
    assert!(view.scam + view.suspicious > 0.4);
}

#[test]
fn the_model_never_cancels_a_decisive_mechanism() {
    // A verification-code request wrapped in ordinary chat is still a scam.
    let text =
        "周末一起吃饭吧，我订了那家火锅。对了，刚才发到你手机上的验证码念给我一下，我帮你领券。";
    let report = Classifier::shared().classify(text);
    assert_eq!(report.verdict, Verdict::Scam);
    assert!(a_rule_found_risk(&report));
}

#[test]
fn a_model_sure_that_everything_is_harmless_still_cannot_cancel_a_decisive_mechanism() {
    // A model trained to call every message ordinary: its "safe" mark must not outweigh a
    // request for a verification code, while it does lower a message with no decisive rule.
    let rules = Classifier::rules_only().unwrap();
    let config: TrainConfig = rules.learned_config().train.clone();
    let harmless = ["明天一起吃饭", "快递到了放门口", "工资到账了", "周末去公园"];
    let examples: Vec<Example> = harmless
        .iter()
        .map(|t| Example {
            buckets: rules.training_features(t),
            family: Family::Ordinary,
        })
        .collect();
    let classifier = Classifier::rules_only()
        .unwrap()
        .with_model(train(&examples, &config));
    let chat = classifier.classify("明天一起吃饭吧");
    assert!(chat.legit_signals().any(|s| s.id() == "learned.safe"));
    let scam = classifier.classify("刚才发到你手机上的验证码念给我一下，我帮你领券");
    assert!(scam.learned.as_ref().expect("model loaded").unrelated > 0.9);
    assert_eq!(scam.verdict, Verdict::Scam);
    assert!(scam.legit_signals().all(|s| s.id() != "learned.safe"));
}

#[test]
fn a_warning_is_not_turned_into_the_scam_it_warns_about() {
    let text = "【反诈提醒】近期有不法分子以“征信修复”“删除逾期记录”为名收取费用，征信记录任何机构都无权删除，请勿相信。";
    let report = Classifier::shared().classify(text);
    assert_ne!(report.verdict, Verdict::Scam);
    assert!(!the_model_found_risk(&report));
}

#[test]
fn every_learned_signal_has_a_rule_with_the_right_kind() {
    let learned: Vec<_> = Classifier::shared()
        .rules()
        .iter()
        .filter(|r| r.category == Category::Learned)
        .collect();
    assert!(learned.iter().any(|r| r.kind == RuleKind::Legit));
    assert!(learned.iter().any(|r| r.kind == RuleKind::Violation));
    assert!(learned.iter().filter(|r| r.kind == RuleKind::Risk).count() >= 11);
}

/// Some risk the rules found, not the model.
fn a_rule_found_risk(report: &loanguard::classifier::Report<'_>) -> bool {
    report
        .risk_signals()
        .any(|s| s.rule.category != Category::Learned)
}

/// Some risk the model found.
fn the_model_found_risk(report: &loanguard::classifier::Report<'_>) -> bool {
    report
        .risk_signals()
        .any(|s| s.rule.category == Category::Learned)
}
