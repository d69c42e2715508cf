//! Redaction of personal data in free text, for anything stored or shown to a group.

use std::sync::LazyLock;

use regex::Regex;

use crate::classifier::{Classifier, EntityKind, redact_value};

/// Masks phone, ID, card, QQ and WeChat numbers; with `amounts`, money amounts too.
pub fn redact_with(text: &str, amounts: bool) -> String {
    let entities = Classifier::shared().entities(text);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in entities {
        let mask = if e.kind.is_personal() {
            redact_value(e.kind, &e.value)
        } else if amounts && e.kind == EntityKind::Amount {
            "[金额]".to_string()
        } else {
            continue;
        };
        if e.span.start < last || e.span.end > text.len() {
            continue;
        }
        out.push_str(&text[last..e.span.start]);
        out.push_str(&mask);
        last = e.span.end;
    }
    out.push_str(&text[last..]);
    // Whatever long digit runs are left (account numbers of unusual length) go too.
    LONG_DIGITS.replace_all(&out, "[号码]").into_owned()
}

/// For group chats: personal numbers and amounts masked.
pub fn redact_text(text: &str) -> String {
    redact_with(text, true)
}

static LONG_DIGITS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9０-９][0-9０-９ \-]{5,}[0-9０-９]").expect("valid pattern"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_numbers_and_amounts() {
        let t = redact_text(
            "请转账5000元到6222 0212 3456 7890 128，联系13800138000，身份证11010519491231002X",
        );
        assert!(!t.contains("13800138000"), "{t}");
        assert!(!t.contains("6222"), "{t}");
        assert!(!t.contains("11010519491231002X"), "{t}");
        assert!(!t.contains("5000"), "{t}");
        assert!(t.contains("请转账"));
    }

    #[test]
    fn keeps_service_numbers_unless_long() {
        let t = redact_with("拨打12368核实", false);
        assert_eq!(t, "拨打12368核实");
    }
}
