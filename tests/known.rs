//! Confirmed examples: near-copies of a stored scam are flagged whatever the scammer changed,
//! and ordinary messages are not pulled in by a large store.
//!
//! `cargo test --release --test known -- --ignored --nocapture` prints the measurements the
//! README and the notes quote (recall per kind of change, added false alarms, the blind set).

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use loanguard::classifier::known::{ExampleFacts, KnownIndex};
use loanguard::classifier::{Classifier, Family, Verdict};
use serde::Deserialize;
use support::variants::{self, Change, Rng};

#[derive(Deserialize)]
struct Row {
    id: String,
    text: String,
    label: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    group: Option<String>,
}

fn read(path: &str) -> Vec<Row> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn corpus() -> Vec<Row> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            read(
                f.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .unwrap()
                    .to_str()
                    .unwrap(),
            )
        })
        .collect()
}

fn label_of(row: &Row) -> Verdict {
    Verdict::parse(row.label.as_deref().unwrap_or("unrelated")).unwrap()
}

/// An index of `texts`, as the store would load it; texts too short to compare are left out.
fn index_of<'a>(texts: impl IntoIterator<Item = (&'a str, Verdict)>) -> KnownIndex {
    let c = Classifier::shared();
    let examples = texts
        .into_iter()
        .enumerate()
        .filter_map(|(i, (text, label))| {
            let fingerprint = c.fingerprint(text)?;
            let facts = ExampleFacts {
                id: i as i64 + 1,
                label,
                family: None,
                confirmed_at: 0,
            };
            Some((facts, fingerprint))
        })
        .collect();
    KnownIndex::build(examples)
}

/// Scams long enough to fingerprint, every `step`-th of the corpus.
fn corpus_scams(step: usize) -> Vec<String> {
    let c = Classifier::shared();
    corpus()
        .into_iter()
        .filter(|r| label_of(r) == Verdict::Scam)
        .step_by(step)
        .map(|r| r.text)
        .filter(|t| c.fingerprint(t).is_some())
        .collect()
}

/// Share of copies of `originals`, each changed by `changes`, that match a stored original.
fn recall(index: &KnownIndex, originals: &[String], changes: &[Change], seed: u64) -> f64 {
    let (found, _, total) = recall_counts(index, originals, changes, seed);
    found as f64 / total as f64
}

/// Copies found, copies long enough to compare at all (a cut-off copy may fall under the
/// minimum), and copies made.
fn recall_counts(
    index: &KnownIndex,
    originals: &[String],
    changes: &[Change],
    seed: u64,
) -> (usize, usize, usize) {
    let c = Classifier::shared();
    let mut rng = Rng::new(seed);
    let (mut found, mut comparable) = (0, 0);
    for o in originals {
        let copy = variants::mixed(o, changes, &mut rng);
        if let Some(f) = c.fingerprint(&copy) {
            comparable += 1;
            found += usize::from(!index.lookup(&f).is_empty());
        }
    }
    (found, comparable, originals.len())
}

#[test]
fn a_copy_of_a_confirmed_scam_is_a_scam_with_the_reason() {
    let scam = "【安逸花】您的借款已逾期47天，请于今日18点前将欠款8630元转入专员个人账户6217003214558890123，户名刘建华，转账后联系专员微信lh20248核销，否则上门。";
    let index = index_of([(scam, Verdict::Scam)]);
    let copy = "转发：【分期乐】您的借款已逾期52天，请于今日18点前将欠款11240元转入专员个人账户6222021488773056417，户名王志强，转账后联系专员微信wzq8866核销";
    let c = Classifier::shared();
    let report = c.classify_against(copy, &Default::default(), &index);
    assert_eq!(report.verdict, Verdict::Scam);
    let known = report.known.expect("the copy matches the stored scam");
    assert_eq!(known.example.id, 1);
    assert!(
        report
            .signals
            .iter()
            .any(|s| s.id() == "known.similar_scam" && copy.starts_with(&s.evidence[..9])),
        "{:?}",
        report.signals.iter().map(|s| s.id()).collect::<Vec<_>>()
    );
}

#[test]
fn every_kind_of_change_keeps_a_copy_recognisable() {
    let originals = corpus_scams(8);
    assert!(originals.len() > 300, "{}", originals.len());
    let index = index_of(originals.iter().map(|t| (t.as_str(), Verdict::Scam)));
    for (n, change) in Change::ALL.into_iter().enumerate() {
        let (found, comparable, total) = recall_counts(&index, &originals, &[change], n as u64);
        let r = found as f64 / comparable as f64;
        assert!(
            r >= 0.95,
            "{change:?}: only {r:.3} of the copies were found"
        );
        // Only a cut-off end can make a copy too short to compare.
        assert!(
            comparable as f64 >= 0.9 * total as f64,
            "{change:?}: {comparable}/{total}"
        );
    }
    // Three changes at once, as a real wave does.
    let r = recall(
        &index,
        &originals,
        &[Change::Digits, Change::Names, Change::Punctuation],
        99,
    );
    assert!(r >= 0.9, "three changes: {r:.3}");
}

#[test]
fn a_copy_of_a_confirmed_legit_message_is_less_risky_but_a_decisive_scam_stays_a_scam() {
    let c = Classifier::shared();
    let legit = "【招联金融】尊敬的客户，您本期账单已逾期3天，请尽快登录招联金融App或官方渠道还款，我司不会要求您向任何个人账户转账。如有疑问请致电官方客服。";
    let index = index_of([(legit, Verdict::Legit)]);
    let copy = legit.replace('3', "5");
    let report = c.classify_against(&copy, &Default::default(), &index);
    assert_eq!(report.known.map(|k| k.example.label), Some(Verdict::Legit));
    assert_ne!(report.verdict, Verdict::Scam);

    // A scam that copies the whole legit text and adds a personal account is still a scam.
    let scam = format!(
        "{legit}现开通减免通道，请将欠款转入专员个人账户6217003214558890123，今日到账即可消除逾期记录。"
    );
    let with = c.classify_against(&scam, &Default::default(), &index);
    let without = c.classify(&scam);
    assert_eq!(without.verdict, Verdict::Scam);
    assert_eq!(with.verdict, Verdict::Scam);
}

#[test]
fn short_and_unrelated_texts_never_match() {
    let originals = corpus_scams(8);
    let index = index_of(originals.iter().map(|t| (t.as_str(), Verdict::Scam)));
    let c = Classifier::shared();
    for text in [
        "你好",
        "在吗？",
        "收到，谢谢",
        "好的，明天见",
        "转账",
        "请还款",
    ] {
        let r = c.classify_against(text, &Default::default(), &index);
        assert!(r.known.is_none(), "{text}");
    }
}

/// The store of 20,000 examples: corpus scams and copies of them.
fn large_store() -> (KnownIndex, usize) {
    let originals = corpus_scams(1);
    let mut rng = Rng::new(7);
    let mut texts: Vec<String> = Vec::with_capacity(20_000);
    'fill: loop {
        for o in &originals {
            if texts.len() == 20_000 {
                break 'fill;
            }
            let k = 1 + rng.below(3);
            let changes: Vec<Change> = (0..k).map(|_| *rng.pick(&Change::ALL)).collect();
            texts.push(if texts.len() < originals.len() {
                o.clone()
            } else {
                variants::mixed(o, &changes, &mut rng)
            });
        }
    }
    let n = texts.len();
    (
        index_of(texts.iter().map(|t| (t.as_str(), Verdict::Scam))),
        n,
    )
}

/// 1,000 messages of the corpus that are not scams, spread over it.
fn ordinary_messages() -> Vec<Row> {
    let rows: Vec<Row> = corpus()
        .into_iter()
        .filter(|r| label_of(r) != Verdict::Scam)
        .collect();
    let step = rows.len() / 1000;
    rows.into_iter().step_by(step).take(1000).collect()
}

#[test]
fn a_large_store_adds_no_false_alarm_on_ordinary_messages() {
    let (index, stored) = large_store();
    assert!(stored >= 20_000 && index.len() >= 19_000, "{}", index.len());
    let ordinary = ordinary_messages();
    assert_eq!(ordinary.len(), 1000);
    let c = Classifier::shared();
    let mut added = Vec::new();
    for row in &ordinary {
        let before = c.classify(&row.text).verdict;
        let after = c.classify_against(&row.text, &Default::default(), &index);
        if after.verdict == Verdict::Scam && before != Verdict::Scam {
            added.push(row.id.clone());
        }
    }
    assert!(added.is_empty(), "new false alarms: {added:?}");
}

#[test]
#[ignore = "a measurement: run with --release -- --ignored --nocapture"]
fn measure() {
    let c = Classifier::shared();
    // Recall on mechanical copies, per kind of change.
    let originals = corpus_scams(1);
    let index = index_of(originals.iter().map(|t| (t.as_str(), Verdict::Scam)));
    println!("stored corpus scams: {}", index.len());
    for (n, change) in Change::ALL.into_iter().enumerate() {
        let (found, comparable, total) = recall_counts(&index, &originals, &[change], n as u64);
        println!(
            "  {change:?}: {:.3} of all, {:.3} of the {comparable} long enough to compare",
            found as f64 / total as f64,
            found as f64 / comparable as f64
        );
    }
    let mut rng = Rng::new(3);
    let mut total = 0.0;
    for round in 0..5 {
        let changes: Vec<Change> = (0..3).map(|_| *rng.pick(&Change::ALL)).collect();
        let r = recall(&index, &originals, &changes, 100 + round);
        total += r;
        println!("  mixed {changes:?}: {r:.3}");
    }
    println!("  mixed mean: {:.3}", total / 5.0);

    // Ordinary messages against 20,000 examples.
    let (large, stored) = large_store();
    let ordinary = ordinary_messages();
    let (mut matched, mut added, mut flagged) = (0, 0, 0);
    let mut by_label: BTreeMap<&str, usize> = BTreeMap::new();
    let is_flag = |v: Verdict| matches!(v, Verdict::Scam | Verdict::Suspicious);
    for row in &ordinary {
        let before = c.classify(&row.text).verdict;
        let after = c.classify_against(&row.text, &Default::default(), &large);
        if after.known.is_some() {
            matched += 1;
            *by_label
                .entry(row.label.as_deref().unwrap_or("?"))
                .or_default() += 1;
        }
        if after.verdict == Verdict::Scam && before != Verdict::Scam {
            added += 1;
        }
        flagged += usize::from(is_flag(after.verdict) && !is_flag(before));
    }
    println!(
        "ordinary: {} against {} stored ({} indexed, {:.1} MB): matched {matched} {by_label:?}, added false alarms {added}, newly flagged (scam or suspicious) {flagged}",
        ordinary.len(),
        stored,
        large.len(),
        large.heap_bytes() as f64 / 1e6
    );

    // The blind near-copy sets: each scored against its own originals.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/holdout");
    let mut sets: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("nearcopy-") && n.ends_with(".jsonl"))
        })
        .collect();
    sets.sort();
    for set in sets {
        score_nearcopy_set(&set);
    }
}

/// Stores the set's originals as confirmed scams and checks every row against them: how many
/// copies match their own original (or another), and how many ordinary messages match at all.
fn score_nearcopy_set(path: &std::path::Path) {
    let c = Classifier::shared();
    let name = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
    let rows = read(name.to_str().unwrap());
    let originals: Vec<&Row> = rows
        .iter()
        .filter(|r| r.role.as_deref() == Some("original"))
        .collect();
    let index = KnownIndex::build(
        originals
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let facts = ExampleFacts {
                    id: i as i64 + 1,
                    label: Verdict::Scam,
                    family: Some(Family::CollectionFake),
                    confirmed_at: 0,
                };
                Some((facts, c.fingerprint(&r.text)?))
            })
            .collect(),
    );
    let group_of = |id: i64| originals[id as usize - 1].group.clone();
    let (mut own, mut other, mut copies, mut scam_before, mut scam_after) = (0, 0, 0, 0, 0);
    let mut partial = 0;
    let (mut negatives_matched, mut negatives_added, mut negatives) = (0, 0, 0);
    for r in &rows {
        let before = c.classify(&r.text).verdict;
        let after = c.classify_against(&r.text, &Default::default(), &index);
        match r.role.as_deref() {
            Some("variant") => {
                copies += 1;
                match after.known {
                    Some(k) if group_of(k.example.id) == r.group => {
                        own += 1;
                        partial += usize::from(k.partial);
                    }
                    Some(_) => other += 1,
                    None => {
                        // How far it was from its own original.
                        let own = originals.iter().find(|o| o.group == r.group);
                        let (j, contained) = match (
                            own.and_then(|o| c.fingerprint(&o.text)),
                            c.fingerprint(&r.text),
                        ) {
                            (Some(a), Some(b)) => {
                                let j = b.jaccard(&a);
                                (j, b.containment(&a, j))
                            }
                            _ => (0.0, 0.0),
                        };
                        println!(
                            "  missed {} (similarity {j:.2}, contained {contained:.2})",
                            r.id
                        )
                    }
                }
                scam_before += usize::from(before == Verdict::Scam);
                scam_after += usize::from(after.verdict == Verdict::Scam);
            }
            Some("negative") => {
                negatives += 1;
                if let Some(k) = after.known {
                    negatives_matched += 1;
                    println!(
                        "  ordinary {} matched {:?} at {:.2}",
                        r.id,
                        group_of(k.example.id),
                        k.similarity
                    );
                }
                negatives_added +=
                    usize::from(after.verdict == Verdict::Scam && before != Verdict::Scam);
            }
            _ => {}
        }
    }
    println!(
        "{}: copies matched {own}/{copies} to their own original ({partial} as partial copies; +{other} to another), scam verdict {scam_before} → {scam_after}; ordinary matched {negatives_matched}/{negatives}, added false alarms {negatives_added}",
        name.display()
    );
}

#[test]
fn a_partial_copy_calls_for_a_check_but_a_genuine_notice_a_scam_copied_is_not_a_scam() {
    let c = Classifier::shared();
    let court = "【临江市东湖区人民法院】刘某某，您好！原告恒盈小额贷款有限公司诉你金融借款合同纠纷一案，案号（2026）临0102民初4471号，本院已向你送达起诉状副本、应诉通知书等文书，请登录人民法院在线服务平台查阅。如有疑问请拨打12368诉讼服务热线。";
    let scam = format!(
        "{court}因你逾期未应诉，本院将冻结你名下全部银行卡。如需撤诉，请于今日内将诉讼保证金5000元转入书记员个人账户6217003214558890123，并添加微信fy12368办理。"
    );
    let index = index_of([(scam.as_str(), Verdict::Scam)]);

    // The genuine notice the scam copied whole: at most a call to check, never a scam.
    let report = c.classify_against(court, &Default::default(), &index);
    if let Some(k) = report.known {
        assert!(k.partial, "{k:?}");
        assert!(
            report
                .signals
                .iter()
                .any(|s| s.id() == "known.partial_copy")
        );
    }
    assert_ne!(report.verdict, Verdict::Scam);

    // The scam cut off after its demand began: a partial copy, flagged.
    let cut: String = scam.chars().take(scam.chars().count() * 85 / 100).collect();
    let report = c.classify_against(&cut, &Default::default(), &index);
    let known = report.known.expect("the cut-off copy matches");
    assert!(matches!(
        report.verdict,
        Verdict::Scam | Verdict::Suspicious
    ));
    assert!(report.signals.iter().any(|s| s.id()
        == if known.partial {
            "known.partial_copy"
        } else {
            "known.similar_scam"
        }));
}
