//! Property tests: normalisation is idempotent, and nothing panics on arbitrary input.

use loanguard::classifier::{Classifier, EntityKind};
use loanguard::render::redact::redact_text;
use proptest::prelude::*;

/// Strings that look like what the bot receives: Chinese, digits, separators, full-width
/// forms, zero-width characters, obfuscations, emoji, and any other character now and then.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("微".to_string()),
        Just("信".to_string()),
        Just("威信".to_string()),
        Just("vx".to_string()),
        Just("V信".to_string()),
        Just("扣扣".to_string()),
        Just("转账".to_string()),
        Just("帳戶".to_string()),
        Just("验证码".to_string()),
        Just("【".to_string()),
        Just("】".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{3000}".to_string()),
        Just("１３８".to_string()),
        Just("Ｖ".to_string()),
        Just("⼈".to_string()),
        Just(" ".to_string()),
        Just("-".to_string()),
        Just("\n".to_string()),
        Just("http://a.top/x.apk".to_string()),
        "[0-9]{1,5}",
        "[a-zA-Z]{1,4}",
        "[\u{4e00}-\u{9fff}]{1,3}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalising_twice_is_normalising_once(s in messy_text()) {
        let c = Classifier::shared();
        let once = c.normalize(&s);
        prop_assert_eq!(c.normalize(&once), once);
    }

    #[test]
    fn normalising_arbitrary_unicode_is_idempotent(s in any::<String>()) {
        let c = Classifier::shared();
        let once = c.normalize(&s);
        prop_assert_eq!(c.normalize(&once), once);
    }

    #[test]
    fn classify_never_panics_and_stays_in_range(s in any::<String>()) {
        let r = Classifier::shared().classify(&s);
        prop_assert!(r.risk <= 100);
    }

    #[test]
    fn classify_messy_text_points_inside_the_input(s in messy_text()) {
        let r = Classifier::shared().classify(&s);
        for e in &r.entities {
            prop_assert!(s.get(e.span.clone()).is_some(), "entity span {:?} not on char boundaries", e.span);
        }
        for sig in r.signals.iter().chain(&r.violations) {
            prop_assert!(s.get(sig.span.clone()).is_some());
        }
    }

    #[test]
    fn redaction_leaves_no_mobile_number(prefix in "[\u{4e00}-\u{9fff}]{0,5}", n in 3u8..=9, rest in "[0-9]{9}") {
        let number = format!("1{n}{rest}");
        let text = format!("{prefix}联系{number}");
        let found = Classifier::shared().entities(&text);
        prop_assert!(found.iter().any(|e| e.kind == EntityKind::Mobile));
        prop_assert!(!redact_text(&text).contains(&number));
    }
}
