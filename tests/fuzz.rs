//! Fuzzing at scale with proptest: the classifier, the normaliser, the planner's number parsers
//! and the callback-data parsers never panic on anything, and what parses re-encodes exactly.
//! `FUZZ_CASES` sets the number of cases per target (default 5,000; CI runs the default, a
//! bounded few seconds).

use loanguard::classifier::Classifier;
use loanguard::planner::PlanButton;
use loanguard::planner::parse::{parse_days, parse_money, parse_one_line, parse_rate};
use loanguard::render::callback::CallbackData;
use loanguard::render::deeplink;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000)
}

/// Strings built from the pieces these parsers look for, plus anything at all.
fn tricky() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,12}",
        "[0-9]{1,3}(,[0-9]{3}){0,3}(\\.[0-9]{1,4})?",
        "[零一二两三四五六七八九十百千万亿]{1,8}",
        Just("元".to_string()),
        Just("万".to_string()),
        Just("%".to_string()),
        Just("年化".to_string()),
        Just("月息".to_string()),
        Just("日息万".to_string()),
        Just("收入".to_string()),
        Just("支出".to_string()),
        Just("借呗".to_string()),
        Just(":".to_string()),
        Just("pl:".to_string()),
        Just("fb:".to_string()),
        Just("fc:".to_string()),
        Just("ft:".to_string()),
        Just("sec:".to_string()),
        Just("v".to_string()),
        Just("_".to_string()),
        Just("-".to_string()),
        Just(" ".to_string()),
        "\\PC{0,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn classifier_and_normaliser_never_panic(s in prop_oneof![tricky(), any::<String>()]) {
        let c = Classifier::shared();
        let report = c.classify(&s);
        prop_assert!(report.risk <= 100);
        let once = c.normalize(&s);
        prop_assert_eq!(c.normalize(&once), once);
    }

    #[test]
    fn planner_parsers_never_panic(s in prop_oneof![tricky(), any::<String>()]) {
        if let Some(money) = parse_money(&s) {
            prop_assert!(money.0 >= 0);
        }
        let _ = parse_rate(&s);
        let _ = parse_days(&s);
        let _ = parse_one_line(&s);
    }

    #[test]
    fn callback_data_is_parsed_strictly(s in prop_oneof![tricky(), any::<String>()]) {
        if let Some(data) = CallbackData::parse(&s) {
            prop_assert_eq!(data.encode(), s.clone(), "only canonical data is accepted");
            prop_assert!(s.len() <= 64);
        }
        if let Some(button) = PlanButton::parse(&s) {
            prop_assert_eq!(button.encode(), s.as_str());
        }
        let _ = deeplink::decode(&s, Classifier::shared());
    }
}
