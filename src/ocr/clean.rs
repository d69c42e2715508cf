//! Cleaning Tesseract's output of a phone screenshot: drop the status bar and lone symbols,
//! remove the spaces Tesseract puts between Chinese characters, and join the lines that the
//! bubble width broke.

use std::sync::LazyLock;

use regex::Regex;

/// Chinese characters and CJK (full-width) punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // CJK punctuation: 。、「」【】
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}' // full-width forms: ，：！（）
        | '\u{2018}'..='\u{201D}' // curly quotes
        | '\u{2026}'              // …
    )
}

/// ASCII punctuation that Tesseract often reads for a full-width one inside Chinese text.
fn is_tight_punct(c: char) -> bool {
    matches!(c, ':' | ',' | ';' | '!' | '?' | '(' | ')')
}

/// Status-bar tokens: a clock, battery, network, carrier, signal glyphs.
static CLUTTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            (?:上午|下午|晚上|凌晨|AM|PM)?\d{1,2}[:：.]\d{2}(?:AM|PM)?   # 14:32, 下午2:32
            | \d{1,3}\s?[%％]                                           # 87%
            | (?:[2-5]G|[2-5]G\+|LTE|VoLTE|VoWiFi|HD|Wi-?Fi|WLAN|NFC|E|H\+?)+  # 5G, 4GLTE
            | 中国移动|中国联通|中国电信|中国广电|China\s?Mobile|China\s?Unicom|China\s?Telecom
            | CMCC|CUCC|CTCC|无服务|仅限紧急呼叫
            | 令                                                       # the Wi-Fi glyph, misread
            | [^\p{L}\p{N}]{1,3}                                        # lone symbols
            | [a-z]{1,2}                                               # signal bars read as 'il'
        )$",
    )
    .expect("clutter regex")
});

/// Whether a line holds nothing but status-bar clutter.
fn is_clutter_line(line: &str) -> bool {
    static SPACED_PERCENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d)\s+([%％])").expect("percent regex"));
    let line = SPACED_PERCENT.replace_all(line, "$1$2");
    // Signal and Wi-Fi glyphs are often read as quotes or dots stuck to a token ("”5G").
    let tokens: Vec<&str> = line
        .split_whitespace()
        .map(|t| {
            let s = t.trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '%' | '％'));
            if s.is_empty() { t } else { s }
        })
        .collect();
    if tokens.is_empty() {
        return true;
    }
    if !line.chars().any(|c| c.is_alphanumeric()) {
        return true;
    }
    // A line of short tokens that all look like status items; at least one must be a
    // strong item (not just a short word) so that "OK" alone stays.
    let strong = tokens
        .iter()
        .any(|t| CLUTTER.is_match(t) && !t.chars().all(|c| c.is_ascii_alphabetic()));
    strong && tokens.iter().all(|t| CLUTTER.is_match(t))
}

/// Remove whitespace between two CJK characters, and around ASCII punctuation next to CJK.
fn tighten(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let left = out.chars().next_back();
            let right = chars.get(i).copied();
            let drop = match (left, right) {
                (None, _) | (_, None) => true,
                (Some(l), Some(r)) => {
                    (is_cjk(l) && is_cjk(r))
                        || (is_cjk(l) && is_tight_punct(r))
                        || (is_tight_punct(l) && is_cjk(r))
                        || (is_cjk(l) && matches!(r, '.' | '。'))
                }
            };
            if !drop {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Join two lines of one paragraph: no space after Chinese text or a broken link/number.
fn join_into(paragraph: &mut String, line: &str) {
    if paragraph.is_empty() {
        paragraph.push_str(line);
        return;
    }
    let last = paragraph.chars().next_back().unwrap_or(' ');
    let first = line.chars().next().unwrap_or(' ');
    let glue = is_cjk(last)
        || is_cjk(first)
        || matches!(last, '/' | '-' | '_' | '=' | '&' | '?' | '.' | '@')
        || matches!(first, '/' | '.' | '-' | '_')
        || (is_tight_punct(last) && !matches!(last, ',' | ';' | ')'));
    if !glue {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
}

/// Clean Tesseract's raw output of a screenshot into message text.
///
/// Lines are joined within a block (a blank line starts a new paragraph), status-bar
/// lines and lone symbols are dropped, and the spaces Tesseract puts between Chinese
/// characters are removed. Message text, numbers and links are kept.
pub fn clean(raw: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut blank = false;
    for raw_line in raw.lines() {
        let line = raw_line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
        if line.is_empty() {
            blank = true;
            continue;
        }
        if is_clutter_line(line) {
            continue;
        }
        // Tesseract leaves blank lines inside a bubble too: a blank line only ends a
        // paragraph after the end of a sentence.
        let ends_sentence = current
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '。' | '！' | '？' | '!' | '?' | '”' | '…' | '~'));
        if blank && ends_sentence {
            paragraphs.push(std::mem::take(&mut current));
        }
        blank = false;
        let line = tighten(line);
        join_into(&mut current, &line);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    fix_misreads(&paragraphs.join("\n"))
}

/// Tesseract reads 逾 as 这 in small or compressed text. "已这期", "严重这期" and "这期3天" are
/// not Chinese, while the word the classifier needs, 逾期, fits there.
fn fix_misreads(text: &str) -> String {
    static OVERDUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(已|已经|严重|长期|恶意)这期|这期((?:\d+|[一二三四五六七八九十两百]+)天)")
            .expect("misread regex")
    });
    OVERDUE
        .replace_all(text, |c: &regex::Captures| match (c.get(1), c.get(2)) {
            (Some(before), _) => format!("{}逾期", before.as_str()),
            (_, Some(after)) => format!("逾期{}", after.as_str()),
            _ => c[0].to_string(),
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_status_bar_and_joins_bubble_lines() {
        let raw = "14:32                                     5G 87%\n\
                   【安逸花贷后】您好，您的账户已逾\n\
                   期21天，待还4862.37元。因官方还\n\
                   款通道升级，今日请转至对公代收账\n\
                   户 : 户名 周建平，卡号 6222 0216\n\
                   0388 4417，工商银行。\n\x0c";
        assert_eq!(
            clean(raw),
            "【安逸花贷后】您好，您的账户已逾期21天，待还4862.37元。因官方还款通道升级，\
             今日请转至对公代收账户:户名周建平，卡号 6222 0216 0388 4417，工商银行。"
        );
    }

    #[test]
    fn removes_spaces_between_chinese_characters() {
        assert_eq!(
            clean("逾 期 款 转 我 支 付 宝 ， 今 天 给 你 平 账"),
            "逾期款转我支付宝，今天给你平账"
        );
        assert_eq!(clean("请 登 录 APP 还 款"), "请登录 APP 还款");
    }

    #[test]
    fn status_bar_variants() {
        for line in [
            "14:32",
            "下午2:32 ",
            "中国移动 4G 87%",
            "9:41 il 令 100%",
            "Wi-Fi 5G LTE 56 %",
            "@ © <",
            "—",
            "14:32 © 5G+ 87%",
        ] {
            assert_eq!(clean(line), "", "{line:?} should be dropped");
        }
    }

    #[test]
    fn keeps_message_text_with_times_and_percent() {
        assert_eq!(clean("今日15:00线上开庭"), "今日15:00线上开庭");
        assert_eq!(clean("年化利率 24%"), "年化利率 24%");
        assert_eq!(clean("OK"), "OK");
        assert_eq!(clean("95588"), "95588");
    }

    #[test]
    fn keeps_two_bubbles_apart_and_joins_links() {
        let raw =
            "9:41 5G 80%\n\n你好，请访问 http://12381-\n\nhecha.top 核查。\n\n好的 我 知 道 了\n";
        assert_eq!(
            clean(raw),
            "你好，请访问 http://12381-hecha.top 核查。\n好的我知道了"
        );
    }

    #[test]
    fn english_lines_join_with_a_space() {
        assert_eq!(clean("Loan Service\nCenter"), "Loan Service Center");
    }

    #[test]
    fn signal_glyphs_stuck_to_a_status_token_are_clutter() {
        assert!(is_clutter_line("14:32 ”5G 87%"));
        assert!(is_clutter_line("9:41 .il 4G"));
        assert!(!is_clutter_line("“5G套餐”已到期"));
    }

    #[test]
    fn overdue_misread_as_zhe_is_fixed_only_where_zhe_cannot_fit() {
        assert_eq!(
            fix_misreads("您的借款已严重这期，已这期3天"),
            "您的借款已严重逾期，已逾期3天"
        );
        assert_eq!(fix_misreads("这期账单已出"), "这期账单已出");
        assert_eq!(fix_misreads("这期3月账单"), "这期3月账单");
    }
}
