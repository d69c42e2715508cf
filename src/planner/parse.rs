//! Reading numbers the way people type them: money, rates, days overdue, yes or no, and the
//! one-line `/plan` form.
//!
//! Every input is first normalised with NFKC (full-width "１２０００" becomes "12000", "％"
//! becomes "%", "，" becomes ",") and lowercased; spaces are ignored inside one value.
//!
//! **Money** ([`parse_money`]): Arabic numbers with optional thousands commas and decimals, a unit
//! 万/w (10 000), 千/k (1 000), 百 (100), 百万, 千万, and the spoken forms "1万5" (15 000),
//! "2万3000", "3千5" (3 500); or Chinese numerals ("三千五", "两万", "一万二"). Currency words
//! (元, 块, 块钱, rmb, ¥) and fillers (约, 左右, 多, 每月, /月) are dropped. Negative numbers,
//! words and more than 100 亿元 are rejected. Amounts are exact to the fen.
//!
//! **Rates** ([`parse_rate`]). The period comes from the words:
//! - daily (日, 天, day): 日息万五 = 0.05 % a day = 0.05 % × 365 = 18.25 % a year;
//! - monthly (月, month): 月息 0.6 % = 0.6 % × 12 = 7.2 % a year (interest on the balance);
//! - a **fee** (费率, 手续费, 服务费, fee) that is monthly or has no period is a monthly fee on the
//!   original principal ([`Rate::MonthlyFee`]) over "N期" if given, else [`DEFAULT_FEE_TERM`];
//! - otherwise annual (年化, 年利率, apr, or no word at all).
//!
//! The number: "18%" is a percentage; "万五"/"万分之五" is 5 in 10 000; "千分之一" is 1 in 1 000.
//! **A bare number** (no % sign) is a percentage when the period is daily or monthly ("月费率0.6"
//! = 0.6 %). With an annual or no period, a bare number **≥ 1 is an annual percentage** ("18" =
//! 18 %), "0" is interest-free, and a bare number between 0 and 1 is rejected as ambiguous
//! (0.18 could be 18 % or 0.18 %). "0", "无息", "免息" are interest-free. Rates above 1 000 % a
//! year, negative rates and nonsense are rejected.
//!
//! **Defaults** when a rate is not given (one-line form, or "不知道" in the dialogue): an annual
//! [`DEFAULT_LOAN_RATE`] (24 %) for loans, [`DEFAULT_CARD_RATE`] (18 %) for bank credit cards. The
//! result then says that the rate was assumed.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::{Debt, Fen, PlanInput, Rate};
use crate::classifier::numbers::parse_number;

/// Annual rate assumed for a loan whose rate is unknown: 24 %, the ceiling regulators steer
/// consumer-loan costs toward, so the plan errs on the expensive side.
pub const DEFAULT_LOAN_RATE: f64 = 0.24;
/// Annual rate assumed for a bank credit card whose rate is unknown: 18 % (0.05 % a day, the
/// usual card interest).
pub const DEFAULT_CARD_RATE: f64 = 0.18;
/// Term assumed for a monthly fee when none is given ("月费率0.6%").
pub const DEFAULT_FEE_TERM: u32 = 12;
/// The most debts one plan holds.
pub const MAX_DEBTS: usize = 20;
/// The longest debt name, in characters.
pub const MAX_NAME_CHARS: usize = 24;

const MAX_YUAN: i128 = 10_000_000_000;
const MAX_DAYS: u32 = 36_500;
const MAX_ANNUAL_RATE: f64 = 10.0;
const MAX_FEE_TERM: u32 = 360;

/// The rate assumed for a debt whose rate the user did not give.
pub fn default_rate(credit_card: bool) -> Rate {
    Rate::Annual(if credit_card {
        DEFAULT_CARD_RATE
    } else {
        DEFAULT_LOAN_RATE
    })
}

/// Whether a debt's name says it is a bank credit card: 信用卡, 贷记卡, "…银行卡", "招行卡",
/// "credit card", "… card" (but not 卡贷, a loan).
pub fn looks_like_credit_card(name: &str) -> bool {
    let n = compact(name);
    if n.contains("卡贷") {
        return false;
    }
    if ["信用卡", "贷记卡", "银行卡", "行卡", "creditcard"]
        .iter()
        .any(|w| n.contains(w))
    {
        return true;
    }
    const BANKS: &[&str] = &[
        "招行",
        "招商",
        "工行",
        "工商",
        "建行",
        "建设",
        "农行",
        "农业",
        "中行",
        "中国银行",
        "交行",
        "交通",
        "广发",
        "浦发",
        "中信",
        "光大",
        "民生",
        "兴业",
        "平安",
        "华夏",
        "邮储",
        "北京银行",
        "上海银行",
    ];
    BANKS
        .iter()
        .any(|b| n.contains(b) && n[n.find(b).unwrap_or(0)..].contains('卡'))
        || n.ends_with("card")
}

/// NFKC and lowercase.
fn normalize(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).collect()
}

/// NFKC, lowercase, without whitespace.
fn compact(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// NFKC, lowercase, without whitespace and surrounding punctuation: for matching fixed words
/// such as "取消" or "没有了".
pub(crate) fn word(s: &str) -> String {
    let c = compact(s);
    strip_affixes::<&str, &str>(&c, &[], &[]).to_string()
}

const LEADING_PUNCT: &[char] = &[':', '=', '~'];
const TRAILING_PUNCT: &[char] = &['。', '.', '!', '~', ',', '、', '?', ';', ':', '…'];

/// Drops the given prefixes and suffixes (any number, any order) and stray punctuation.
fn strip_affixes<'a, P: AsRef<str>, X: AsRef<str>>(
    mut s: &'a str,
    prefixes: &[P],
    suffixes: &[X],
) -> &'a str {
    loop {
        let before = s;
        s = s.trim_start_matches(LEADING_PUNCT);
        s = s.trim_end_matches(TRAILING_PUNCT);
        for p in prefixes {
            if let Some(rest) = s.strip_prefix(p.as_ref()) {
                s = rest;
            }
        }
        for x in suffixes {
            if let Some(rest) = s.strip_suffix(x.as_ref()) {
                s = rest;
            }
        }
        if s == before {
            return s;
        }
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

const CHINESE_NUMERALS: &str = "零〇一二两三四五六七八九十百千万亿";

/// Only Chinese numeral characters, with at least one digit (not "万" alone).
fn is_chinese_number(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| CHINESE_NUMERALS.contains(c))
        && s.chars().any(|c| !"百千万亿".contains(c))
}

/// An Arabic decimal ("12,000.5", "8") or a Chinese numeral, as `f64`.
fn plain_number(s: &str) -> Option<f64> {
    static ARABIC: LazyLock<Regex> =
        LazyLock::new(|| regex(r"^(?:\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)$"));
    if ARABIC.is_match(s) || is_chinese_number(s) {
        parse_number(s).filter(|v| v.is_finite() && *v >= 0.0)
    } else {
        None
    }
}

/// `number × factor` yuan, exactly, in fen (half up). `number` is an Arabic decimal, commas
/// allowed.
fn decimal_fen(number: &str, factor: i128) -> Option<i128> {
    let cleaned: String = number.chars().filter(|c| *c != ',').collect();
    let (int, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if int.is_empty() || int.len() > 15 || frac.len() > 8 {
        return None;
    }
    let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
    let scale = 10_i128.pow(frac.len() as u32);
    Some((mantissa * factor * 100 + scale / 2) / scale)
}

fn unit_factor(unit: &str) -> i128 {
    match unit {
        "万" | "w" => 10_000,
        "千" | "k" => 1_000,
        "百" => 100,
        "百万" => 1_000_000,
        "千万" => 10_000_000,
        _ => 1,
    }
}

/// An amount of money, e.g. "8000", "8千", "1.2万", "12,000元", "１２０００", "三千五", "两万",
/// "8k", "1.5w", "8000块". See the module documentation for the rules.
pub fn parse_money(s: &str) -> Option<Fen> {
    static PLAIN: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"^(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)(百万|千万|万|千|百|w|k)?$")
    });
    static WAN_MIX: LazyLock<Regex> =
        LazyLock::new(|| regex(r"^(\d+(?:\.\d+)?)(?:万|w)(\d+)(千|k)?$"));
    static QIAN_MIX: LazyLock<Regex> = LazyLock::new(|| regex(r"^(\d+)(?:千|k)(\d)$"));
    const PREFIXES: &[&str] = &[
        "人民币",
        "rmb",
        "cny",
        "¥",
        "约",
        "大约",
        "大概",
        "差不多",
        "每个月",
        "每月",
        "一个月",
        "月入",
        "月收入",
        "收入",
        "支出",
        "开支",
        "还欠",
        "欠款",
        "欠",
        "一共",
        "总共",
        "共",
        "合计",
        "还剩",
        "剩余",
        "剩",
    ];
    const SUFFIXES: &[&str] = &[
        "左右",
        "上下",
        "多",
        "+",
        "/月",
        "每月",
        "一个月",
        "/month",
        "amonth",
        "permonth",
        "元",
        "块钱",
        "块",
        "rmb",
        "cny",
        "yuan",
        "人民币",
        "整",
    ];
    let s = compact(s);
    let s = strip_affixes(&s, PREFIXES, SUFFIXES);
    let fen = if let Some(c) = PLAIN.captures(s) {
        decimal_fen(&c[1], unit_factor(c.get(2).map_or("", |m| m.as_str())))?
    } else if let Some(c) = WAN_MIX.captures(s) {
        let high = decimal_fen(&c[1], 10_000)?;
        let low: i128 = c[2].parse().ok()?;
        // "1万5" is 15 000 (spoken shorthand); "2万3000" is 23 000; "1万5千" is 15 000.
        // Checked: an absurd number of digits is unreadable, not a wrapped-around amount.
        let low = if c.get(3).is_some() || c[2].len() == 1 {
            low.checked_mul(1_000)?
        } else if low < 10_000 {
            low
        } else {
            return None;
        };
        high.checked_add(low.checked_mul(100)?)?
    } else if let Some(c) = QIAN_MIX.captures(s) {
        // "3千5" is 3 500.
        let high: i128 = c[1].parse().ok()?;
        let low: i128 = c[2].parse().ok()?;
        high.checked_mul(1_000)?
            .checked_add(low * 100)?
            .checked_mul(100)?
    } else if is_chinese_number(s) {
        let yuan = parse_number(s)?;
        if !yuan.is_finite() || yuan > MAX_YUAN as f64 {
            return None;
        }
        (yuan * 100.0).round() as i128
    } else {
        return None;
    };
    (0..=MAX_YUAN * 100)
        .contains(&fen)
        .then_some(Fen(fen as i64))
}

/// The fraction a rate's number stands for: "18%" → 0.18, "万五" → 0.0005, "千分之一" → 0.001.
/// A bare number is a percentage if `bare_is_percent`, else ≥ 1 is a percentage, 0 is 0, and
/// anything between is ambiguous (`None`).
fn rate_fraction(s: &str, bare_is_percent: bool) -> Option<f64> {
    if let Some(n) = s.strip_suffix('%') {
        return plain_number(n).map(|v| v / 100.0);
    }
    if let Some(n) = s.strip_suffix('‰') {
        return plain_number(n).map(|v| v / 1_000.0);
    }
    for Scale { prefix, scale } in &RATE_WORDS.scales {
        if let Some(n) = s.strip_prefix(prefix.as_str()) {
            return plain_number(n).map(|v| v / scale);
        }
    }
    let v = plain_number(s)?;
    if bare_is_percent || v >= 1.0 {
        Some(v / 100.0)
    } else if v == 0.0 {
        Some(0.0)
    } else {
        None
    }
}

/// The words of rates and fees: `data/rates.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RateWords {
    zero: Vec<String>,
    approx_prefixes: Vec<String>,
    approx_suffixes: Vec<String>,
    daily: Vec<String>,
    monthly: Vec<String>,
    annual: Vec<String>,
    fee: Vec<String>,
    words: Vec<String>,
    scales: Vec<Scale>,
    keywords: Vec<String>,
    interest_free: Vec<String>,
}

/// "万五" is 5 parts of 10 000.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Scale {
    prefix: String,
    scale: f64,
}

static RATE_WORDS: LazyLock<RateWords> = LazyLock::new(|| {
    toml::from_str(include_str!("data/rates.toml"))
        .unwrap_or_else(|e| panic!("src/planner/data/rates.toml: {e}"))
});

/// Whether `s` contains one of `words`.
fn contains_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| s.contains(w.as_str()))
}

/// An interest rate or fee, e.g. "18%", "年化18%", "年利率 18", "0.6%/月", "月息0.6%",
/// "月费率0.6", "日息万五", "日利率0.05%", "0", "无息". See the module documentation; the words
/// are in `data/rates.toml`.
pub fn parse_rate(s: &str) -> Option<Rate> {
    static TERM: LazyLock<Regex> =
        LazyLock::new(|| regex(r"[,(]?(?:分)?(\d+)(?:期|个月|months?)[)]?"));
    let w = &*RATE_WORDS;
    let s = compact(s);
    let s = strip_affixes(&s, &w.approx_prefixes, &w.approx_suffixes).to_string();
    if w.zero.contains(&s) {
        return Some(Rate::Annual(0.0));
    }
    let (s, term) = match TERM.captures(&s) {
        Some(c) => {
            let term: u32 = c[1].parse().ok()?;
            let range = c.get(0)?.range();
            (
                format!("{}{}", &s[..range.start], &s[range.end..]),
                Some(term),
            )
        }
        None => (s, None),
    };
    let daily = contains_any(&s, &w.daily);
    let monthly = contains_any(&s, &w.monthly);
    let annual = contains_any(&s, &w.annual);
    if [daily, monthly, annual].iter().filter(|x| **x).count() > 1 {
        return None;
    }
    let fee = contains_any(&s, &w.fee) && !annual && !daily;
    let rest = w
        .words
        .iter()
        .fold(s, |rest, word| rest.replace(word.as_str(), ""));
    let fraction = rate_fraction(&rest, daily || monthly || fee)?;
    let rate = if daily {
        Rate::Annual(fraction * 365.0)
    } else if fee {
        let term_months = term.unwrap_or(DEFAULT_FEE_TERM);
        if !(1..=MAX_FEE_TERM).contains(&term_months) {
            return None;
        }
        Rate::MonthlyFee {
            rate: fraction,
            term_months,
        }
    } else if monthly {
        Rate::Annual(fraction * 12.0)
    } else {
        Rate::Annual(fraction)
    };
    (rate.is_valid() && rate.annual() <= MAX_ANNUAL_RATE).then_some(rate)
}

/// Days overdue: "0", "没有", "45", "45天", "3个月" (90), "半个月" (15), "两周", "1年" (365).
pub fn parse_days(s: &str) -> Option<u32> {
    static UNIT: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"^(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(个月|月|months?|mo|年|years?|个星期|星期|周|weeks?|天|日|days?)?$",
        )
    });
    const ZERO: &[&str] = &[
        "0",
        "没有",
        "没",
        "无",
        "否",
        "不",
        "没逾期",
        "没有逾期",
        "未逾期",
        "不逾期",
        "还没逾期",
        "还没有逾期",
        "正常",
        "正常还款",
        "no",
        "none",
        "notoverdue",
    ];
    let s = compact(s);
    if ZERO.contains(&s.as_str()) {
        return Some(0);
    }
    let s = strip_affixes(
        &s,
        &[
            "已经逾期",
            "已逾期",
            "逾期了",
            "逾期",
            "已经",
            "已",
            "约",
            "大概",
            "差不多",
            "overdue",
        ],
        &["了", "左右", "多", "overdue"],
    );
    if ZERO.contains(&s) {
        return Some(0);
    }
    let days = match s {
        "半个月" => 15.0,
        "半年" => 180.0,
        _ => {
            let c = UNIT.captures(s)?;
            let n = plain_number(&c[1])?;
            let per = match c.get(2).map_or("", |m| m.as_str()) {
                "个月" | "月" | "month" | "months" | "mo" => 30.0,
                "年" | "year" | "years" => 365.0,
                "个星期" | "星期" | "周" | "week" | "weeks" => 7.0,
                _ if n.fract() != 0.0 => return None,
                _ => 1.0,
            };
            n * per
        }
    };
    let days = days.round();
    (days >= 0.0 && days <= f64::from(MAX_DAYS)).then_some(days as u32)
}

/// Yes or no: "是", "对", "有", "上了", "yes" / "否", "不是", "没有", "没上", "no". Anything else
/// (including "不知道") is `None`.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "是",
        "对",
        "有",
        "上了",
        "上过",
        "上",
        "已上",
        "上征信",
        "已上征信",
        "会",
        "嗯",
        "好",
        "要",
        "确定",
        "信用卡",
        "是信用卡",
        "yes",
        "y",
        "yeah",
        "yep",
        "true",
    ];
    const NO: &[&str] = &[
        "否",
        "不是",
        "不对",
        "没有",
        "没",
        "无",
        "不",
        "没上",
        "没上过",
        "没上征信",
        "未上",
        "不上",
        "不上征信",
        "不会",
        "不是信用卡",
        "no",
        "n",
        "nope",
        "false",
    ];
    let s = compact(s);
    let s = strip_affixes::<&str, _>(&s, &[], &["的", "啊", "呀", "吧", "哦", "呢", "了"]);
    if YES.contains(&s) {
        Some(true)
    } else if NO.contains(&s) {
        Some(false)
    } else {
        None
    }
}

/// Why the one-line form could not be read. Words are quoted as the user typed them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OneLineError {
    #[error("nothing to read")]
    Empty,
    #[error("no monthly income")]
    MissingIncome,
    #[error("no monthly expenses")]
    MissingExpenses,
    #[error("no debts")]
    NoDebts,
    #[error("more than {MAX_DEBTS} debts")]
    TooManyDebts,
    #[error("cannot read {0:?}")]
    Unreadable(String),
    #[error("{0:?} has no amount")]
    MissingAmount(String),
    #[error("the amount {0:?} has no name")]
    MissingName(String),
    #[error("{0:?} does not follow a debt")]
    Misplaced(String),
    #[error("{0:?} is given twice")]
    Duplicate(String),
    #[error("the name {0:?} is too long")]
    NameTooLong(String),
}

/// A plan read from one line, whether some rates were assumed ([`default_rate`]), and which
/// overdue debts were taken to be reported to the credit bureau without the line saying so.
#[derive(Debug, Clone, PartialEq)]
pub struct OneLine {
    pub input: PlanInput,
    pub assumed_rates: bool,
    /// Names of the loans (not bank credit cards) with "逾期N天" but neither "上征信" nor
    /// "没上征信", counted as reported.
    pub assumed_reported: Vec<String>,
}

/// A debt as typed in one piece: "借呗", "借呗 20000", "信用卡 1.2万 年化18% 逾期30天 上征信".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DebtEntry {
    pub name: String,
    pub balance: Option<Fen>,
    pub rate: Option<Rate>,
    pub days_overdue: Option<u32>,
    pub credit_reported: Option<bool>,
}

const INCOME_WORDS: &[&str] = &[
    "收入",
    "月收入",
    "每月收入",
    "月入",
    "工资",
    "月薪",
    "薪水",
    "到手",
    "income",
    "salary",
];
const EXPENSE_WORDS: &[&str] = &[
    "支出",
    "月支出",
    "每月支出",
    "开支",
    "必要开支",
    "开销",
    "花销",
    "花费",
    "生活费",
    "expenses",
    "expense",
    "spending",
    "costs",
];

/// One piece of the one-line form.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Label(String),
    Amount(Fen, String),
    LabelAmount(String, Fen),
    Rate(Rate, String),
    Days(u32, String),
    Reported(bool, String),
}

/// Splits a line into tokens: at whitespace and separators (a comma between digits stays), before
/// keywords (收入, 年化, 逾期, …) and after an amount that runs into a name ("借呗20000花呗5000").
fn tokens(s: &str) -> Vec<String> {
    /// Characters that continue an amount ("8千", "8000元", "30天", "12期", "18%").
    const AMOUNT_TAIL: &str = "0123456789.,万千wWkK元块钱%‰天日个月期年/+";
    static AMOUNT_END: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\d(?:[万千wWkK])?(?:元|块钱|块)?$"));
    static KEYWORDS: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)每月收入|月收入|收入|每月支出|月支出|支出|必要开支|开支|年化利率|年化费率|年利率|年化|年息|月利率|月费率|月息|日利率|日息|利率|费率|无息|免息|已经逾期|已逾期|逾期|没上征信|未上征信|不上征信|已上征信|上征信",
        )
    });
    let s: String = s.nfkc().collect();
    let s = s.trim();
    let s = match s.split_once(char::is_whitespace) {
        Some((first, rest)) if first.to_lowercase().starts_with("/plan") => rest,
        _ if s.to_lowercase().starts_with("/plan") => "",
        _ => s,
    };
    // Spaces before keywords.
    let mut spaced = String::with_capacity(s.len() + 16);
    let mut last = 0;
    for m in KEYWORDS.find_iter(s) {
        spaced.push_str(&s[last..m.start()]);
        spaced.push(' ');
        last = m.start();
    }
    spaced.push_str(&s[last..]);
    let chars: Vec<char> = spaced.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    // Whether the current token is only digits so far (a name like "360借条" starts with digits).
    let mut leading_digits = true;
    for (i, &c) in chars.iter().enumerate() {
        let is_sep = c.is_whitespace() || matches!(c, ';' | '、' | '|' | '。');
        // A comma separates, except inside "12,000".
        let comma_sep = c == ','
            && !(i > 0
                && chars[i - 1].is_ascii_digit()
                && chars
                    .get(i + 1..i + 4)
                    .is_some_and(|n| n.iter().all(char::is_ascii_digit))
                && !chars.get(i + 4).is_some_and(char::is_ascii_digit));
        if is_sep || comma_sep {
            out.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            leading_digits = true;
            continue;
        }
        // An amount ran into a name: "20000花呗", "8千元借呗".
        if !leading_digits && AMOUNT_END.is_match(&current) && !AMOUNT_TAIL.contains(c) {
            out.push(std::mem::take(&mut current));
            leading_digits = true;
        }
        if !c.is_ascii_digit() {
            leading_digits = false;
        }
        current.push(c);
    }
    out.extend((!current.is_empty()).then_some(current));
    out
}

/// Whether a token is only a rate keyword ("年利率"), whose number follows as the next token.
fn is_rate_keyword(t: &str) -> bool {
    RATE_WORDS.keywords.contains(&t.to_lowercase())
}

/// Whether a token is a rate: it starts with a rate keyword or an interest-free word, or has a
/// "%" or "‰".
fn is_rate_token(t: &str) -> bool {
    let lower = t.to_lowercase();
    let w = &*RATE_WORDS;
    w.keywords
        .iter()
        .chain(&w.interest_free)
        .any(|k| lower.starts_with(k.as_str()))
        || t.contains('%')
        || t.contains('‰')
}

fn atom(t: &str) -> Result<Atom, OneLineError> {
    static AMOUNT_TAIL: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)(?:\d[\d,]*(?:\.\d+)?(?:百万|千万|万|千|百|w|k)?(?:\d+(?:千|k)?)?|[零〇一二两三四五六七八九十百千万亿]+)(?:元|块钱|块)?$",
        )
    });
    let unreadable = || OneLineError::Unreadable(shorten(t));
    if is_rate_token(t) {
        return parse_rate(t)
            .map(|r| Atom::Rate(r, t.to_string()))
            .ok_or_else(unreadable);
    }
    let lower = t.to_lowercase();
    if lower.starts_with("逾期") || lower.starts_with("已逾期") || lower.starts_with("已经逾期")
    {
        return parse_days(t)
            .map(|d| Atom::Days(d, t.to_string()))
            .ok_or_else(unreadable);
    }
    match lower.as_str() {
        "上征信" | "已上征信" => return Ok(Atom::Reported(true, t.to_string())),
        "没上征信" | "未上征信" | "不上征信" => {
            return Ok(Atom::Reported(false, t.to_string()));
        }
        _ => {}
    }
    let Some(m) = AMOUNT_TAIL.find(t) else {
        return Ok(Atom::Label(t.to_string()));
    };
    let label = t[..m.start()].trim_end_matches([':', '=']).trim();
    if label.ends_with(['-', '−', '负']) {
        return Err(unreadable());
    }
    // A Chinese numeral without a unit ends a name ("王五"), not an amount ("五千").
    let chinese = !m.as_str().chars().any(|c| c.is_ascii_digit());
    if chinese && !label.is_empty() && !m.as_str().contains(['十', '百', '千', '万', '亿']) {
        return Ok(Atom::Label(t.to_string()));
    }
    match parse_money(m.as_str()) {
        Some(amount) if label.is_empty() => Ok(Atom::Amount(amount, t.to_string())),
        Some(amount) => Ok(Atom::LabelAmount(label.to_string(), amount)),
        None if chinese && !label.is_empty() => Ok(Atom::Label(t.to_string())),
        None => Err(unreadable()),
    }
}

/// At most 20 characters of what the user typed, for an error message.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(20).collect();
    if s.chars().count() > 20 {
        out.push('…');
    }
    out
}

/// The atoms of a line, in order, each read or not; a lone rate keyword takes the next token
/// as its number.
fn atoms(s: &str) -> Vec<Result<Atom, OneLineError>> {
    let tokens = tokens(s);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut t = tokens[i].clone();
        if (is_rate_keyword(&t) || matches!(t.as_str(), "逾期" | "已逾期" | "已经逾期"))
            && i + 1 < tokens.len()
        {
            t.push_str(&tokens[i + 1]);
            i += 1;
        }
        out.push(atom(&t));
        i += 1;
    }
    out
}

/// A debt's name with whitespace collapsed and control, zero-width and bidi characters removed.
/// `None` if nothing is left.
pub fn clean_name(s: &str) -> Option<String> {
    let kept: String = s
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(*c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        })
        .collect();
    let name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

fn is_income(label: &str) -> bool {
    INCOME_WORDS.contains(&compact(label).as_str())
}

fn is_expenses(label: &str) -> bool {
    EXPENSE_WORDS.contains(&compact(label).as_str())
}

/// The debts, income and expenses of a line, in order.
struct Collected {
    income: Option<Fen>,
    expenses: Option<Fen>,
    debts: Vec<DebtEntry>,
}

/// Sets a detail (rate, days, reported) of the last debt; `set` says whether it was set before.
fn attach(
    c: &mut Collected,
    pending: &mut Option<String>,
    raw: &str,
    set: impl FnOnce(&mut DebtEntry) -> bool,
) -> Result<(), OneLineError> {
    if let Some(label) = pending.take() {
        return Err(OneLineError::MissingAmount(shorten(&label)));
    }
    let Some(debt) = c.debts.last_mut() else {
        return Err(OneLineError::Misplaced(shorten(raw)));
    };
    if set(debt) {
        return Err(OneLineError::Duplicate(shorten(raw)));
    }
    Ok(())
}

fn collect(s: &str) -> Result<Collected, OneLineError> {
    let mut c = Collected {
        income: None,
        expenses: None,
        debts: Vec::new(),
    };
    let mut pending: Option<String> = None;
    for atom in atoms(s) {
        let atom = atom?;
        let (label, amount) = match atom {
            Atom::Label(l) => {
                pending = Some(match pending.take() {
                    Some(p) => format!("{p} {l}"),
                    None => l,
                });
                continue;
            }
            Atom::Amount(amount, raw) => match pending.take() {
                Some(label) => (label, amount),
                None => return Err(OneLineError::MissingName(shorten(&raw))),
            },
            Atom::LabelAmount(label, amount) => match pending.take() {
                Some(p) => (format!("{p} {label}"), amount),
                None => (label, amount),
            },
            Atom::Rate(r, raw) => {
                attach(&mut c, &mut pending, &raw, |d| d.rate.replace(r).is_some())?;
                continue;
            }
            Atom::Days(days, raw) => {
                attach(&mut c, &mut pending, &raw, |d| {
                    d.days_overdue.replace(days).is_some()
                })?;
                continue;
            }
            Atom::Reported(b, raw) => {
                attach(&mut c, &mut pending, &raw, |d| {
                    d.credit_reported.replace(b).is_some()
                })?;
                continue;
            }
        };
        if is_income(&label) {
            if c.income.replace(amount).is_some() {
                return Err(OneLineError::Duplicate(shorten(&label)));
            }
        } else if is_expenses(&label) {
            if c.expenses.replace(amount).is_some() {
                return Err(OneLineError::Duplicate(shorten(&label)));
            }
        } else {
            let name = clean_name(&label).ok_or_else(|| OneLineError::Unreadable(label.clone()))?;
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(OneLineError::NameTooLong(shorten(&name)));
            }
            if c.debts.len() == MAX_DEBTS {
                return Err(OneLineError::TooManyDebts);
            }
            c.debts.push(DebtEntry {
                name,
                balance: Some(amount),
                ..DebtEntry::default()
            });
        }
    }
    if let Some(label) = pending {
        return Err(OneLineError::MissingAmount(shorten(&label)));
    }
    Ok(c)
}

/// The one-line form: `收入8000 支出5000 借呗20000 花呗5000`, or
/// `收入 8千, 支出5千, 信用卡 1.2万 年化18%`. A leading "/plan" is skipped.
///
/// Each debt is a name and an amount, optionally followed by a rate ([`parse_rate`]), "逾期N天"
/// and "上征信"/"没上征信", which belong to the debt named before them. A name that looks like a
/// bank credit card ([`looks_like_credit_card`]) marks the debt as one. An overdue debt counts as
/// reported unless "没上征信" says otherwise, as the dialogue advises when unsure (banks,
/// consumer-finance companies and most licensed online lenders report), so it is ordered as the
/// dialogue would order it; [`OneLine::assumed_reported`] names the loans for which this was
/// assumed. A missing rate is [`default_rate`], and [`OneLine::assumed_rates`] says so.
pub fn parse_one_line(s: &str) -> Result<OneLine, OneLineError> {
    let c = collect(s)?;
    if c.income.is_none() && c.expenses.is_none() && c.debts.is_empty() {
        return Err(OneLineError::Empty);
    }
    let monthly_income = c.income.ok_or(OneLineError::MissingIncome)?;
    let monthly_expenses = c.expenses.ok_or(OneLineError::MissingExpenses)?;
    if c.debts.is_empty() {
        return Err(OneLineError::NoDebts);
    }
    let mut assumed_rates = false;
    let mut assumed_reported = Vec::new();
    let debts = c
        .debts
        .into_iter()
        .map(|e| {
            let credit_card = looks_like_credit_card(&e.name);
            let days_overdue = e.days_overdue.unwrap_or(0);
            let rate = e.rate.unwrap_or_else(|| {
                assumed_rates = true;
                default_rate(credit_card)
            });
            if e.credit_reported.is_none() && days_overdue > 0 && !credit_card {
                assumed_reported.push(e.name.clone());
            }
            Debt {
                balance: e.balance.unwrap_or(Fen::ZERO),
                rate,
                days_overdue,
                credit_reported: e.credit_reported.unwrap_or(days_overdue > 0),
                credit_card,
                minimum: None,
                name: e.name,
            }
        })
        .collect();
    Ok(OneLine {
        input: PlanInput {
            monthly_income,
            monthly_expenses,
            debts,
        },
        assumed_rates,
        assumed_reported,
    })
}

/// One debt typed in one piece, as in the one-line form but without income or expenses:
/// "借呗", "借呗 20000", "信用卡1.2万 年化18%". `None` if it is not a single debt (a bare number,
/// income, two debts, …).
pub fn parse_debt_entry(s: &str) -> Option<DebtEntry> {
    let atoms = atoms(s).into_iter().collect::<Result<Vec<_>, _>>().ok()?;
    if !atoms.is_empty() && atoms.iter().all(|a| matches!(a, Atom::Label(_))) {
        let name = clean_name(s)?;
        return (!is_income(&name) && !is_expenses(&name)).then_some(DebtEntry {
            name,
            ..DebtEntry::default()
        });
    }
    let c = collect(s).ok()?;
    match (c.income, c.expenses, c.debts.as_slice()) {
        (None, None, [_]) => c.debts.into_iter().next(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(y: i64) -> Option<Fen> {
        Some(Fen::yuan(y, 0))
    }

    #[test]
    fn money_in_every_form() {
        assert_eq!(parse_money("8000"), yuan(8_000));
        assert_eq!(parse_money("8千"), yuan(8_000));
        assert_eq!(parse_money("1.2万"), yuan(12_000));
        assert_eq!(parse_money("12,000元"), yuan(12_000));
        assert_eq!(parse_money("１２０００"), yuan(12_000));
        assert_eq!(parse_money("１２，０００元"), yuan(12_000));
        assert_eq!(parse_money("三千五"), yuan(3_500));
        assert_eq!(parse_money("两万"), yuan(20_000));
        assert_eq!(parse_money("一万二"), yuan(12_000));
        assert_eq!(parse_money("8k"), yuan(8_000));
        assert_eq!(parse_money("8K"), yuan(8_000));
        assert_eq!(parse_money("1.5w"), yuan(15_000));
        assert_eq!(parse_money("1.5W"), yuan(15_000));
        assert_eq!(parse_money("8000块"), yuan(8_000));
        assert_eq!(parse_money("8000块钱"), yuan(8_000));
        assert_eq!(parse_money(" 8 000 "), yuan(8_000));
        assert_eq!(parse_money("约8000元左右"), yuan(8_000));
        assert_eq!(parse_money("8000多"), yuan(8_000));
        assert_eq!(parse_money("每月5000"), yuan(5_000));
        assert_eq!(parse_money("5000/月"), yuan(5_000));
        assert_eq!(parse_money("¥8,000.50"), Some(Fen::yuan(8_000, 50)));
        assert_eq!(parse_money("0.015"), Some(Fen(2)));
        assert_eq!(parse_money("1万5"), yuan(15_000));
        assert_eq!(parse_money("1万5千"), yuan(15_000));
        assert_eq!(parse_money("2万3000"), yuan(23_000));
        assert_eq!(parse_money("3千5"), yuan(3_500));
        assert_eq!(parse_money("十万"), yuan(100_000));
        assert_eq!(parse_money("2百万"), yuan(2_000_000));
        assert_eq!(parse_money("0"), yuan(0));
        assert_eq!(parse_money("没有"), None);
    }

    #[test]
    fn money_rejects_negatives_and_nonsense() {
        for bad in [
            "",
            "-8000",
            "负八千",
            "abc",
            "8000abc",
            "1.2.3",
            "万",
            "千",
            "8000万万",
            "1,2,3",
            "12,00",
            "八千abc",
            "一二三",
            "1e5",
            "NaN",
            "inf",
            "999999999999999999999",
            "200亿",
        ] {
            assert_eq!(parse_money(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rates_in_every_form() {
        let annual = |s: &str| match parse_rate(s) {
            Some(Rate::Annual(r)) => r,
            other => panic!("{s:?}: {other:?}"),
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(annual("18%"), 0.18));
        assert!(close(annual("年化18%"), 0.18));
        assert!(close(annual("年化 18 %"), 0.18));
        assert!(close(annual("年利率 18"), 0.18));
        assert!(close(annual("18"), 0.18));
        assert!(close(annual("APR 18%"), 0.18));
        assert!(close(annual("18% apr"), 0.18));
        assert!(close(annual("年化十八%"), 0.18));
        assert!(close(annual("0.6%/月"), 0.072));
        assert!(close(annual("月息0.6%"), 0.072));
        assert!(close(annual("月利率0.6"), 0.072));
        assert!(close(annual("日息万五"), 0.0005 * 365.0));
        assert!(close(annual("日息万分之五"), 0.0005 * 365.0));
        assert!(close(annual("日利率0.05%"), 0.0005 * 365.0));
        assert!(close(annual("0.05%/天"), 0.0005 * 365.0));
        assert!(close(annual("１８％"), 0.18));
        assert!(close(annual("18% a year"), 0.18));
        assert!(close(annual("0.6% a month"), 0.072));
        assert!(close(annual("0.05% a day"), 0.0005 * 365.0));
        assert_eq!(parse_rate("0"), Some(Rate::Annual(0.0)));
        assert_eq!(parse_rate("0%"), Some(Rate::Annual(0.0)));
        assert_eq!(parse_rate("无息"), Some(Rate::Annual(0.0)));
        assert_eq!(parse_rate("免息"), Some(Rate::Annual(0.0)));
        assert_eq!(
            parse_rate("月费率0.6"),
            Some(Rate::MonthlyFee {
                rate: 0.006,
                term_months: 12
            })
        );
        assert_eq!(
            parse_rate("月费率0.6% 24期"),
            Some(Rate::MonthlyFee {
                rate: 0.006,
                term_months: 24
            })
        );
        assert_eq!(
            parse_rate("monthly fee 0.6%"),
            Some(Rate::MonthlyFee {
                rate: 0.006,
                term_months: 12
            })
        );
        assert_eq!(
            parse_rate("手续费0.8%"),
            Some(Rate::MonthlyFee {
                rate: 0.008,
                term_months: 12
            })
        );
    }

    #[test]
    fn rates_reject_ambiguity_and_nonsense() {
        for bad in [
            "",
            "0.18",
            "年化0.5",
            "abc",
            "-18%",
            "年化",
            "18%%",
            "日息万五年化18%",
            "5000%",
            "月费率0.6% 0期",
            "很高",
        ] {
            assert_eq!(parse_rate(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rate_words_load_from_their_data_file() {
        let w = &*RATE_WORDS;
        assert!(w.zero.len() > 10 && w.words.len() > 40 && w.keywords.len() > 10);
        for zero in &w.zero {
            assert_eq!(parse_rate(zero), Some(Rate::Annual(0.0)), "{zero:?}");
        }
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        for Scale { prefix, scale } in &w.scales {
            let five = format!("年化{prefix}五");
            assert!(
                matches!(parse_rate(&five), Some(Rate::Annual(r)) if close(r, 5.0 / scale)),
                "{five:?}: {:?}",
                parse_rate(&five)
            );
        }
        assert_eq!(parse_rate("日息万五"), Some(Rate::Annual(0.0005 * 365.0)));
        for keyword in &w.keywords {
            assert!(is_rate_keyword(keyword) && is_rate_token(&format!("{keyword}18%")));
        }
        // A keyword and its number as two tokens, as typed: "年利率 18".
        let one = parse_one_line("收入8000 支出5000 借呗20000 年利率 18 花呗5000 免息").unwrap();
        let rates: Vec<Rate> = one.input.debts.iter().map(|d| d.rate.clone()).collect();
        assert_eq!(rates, [Rate::Annual(0.18), Rate::Annual(0.0)]);
    }

    #[test]
    fn absurd_amounts_are_unreadable_not_wrapped_around() {
        // 340282366920938463463374607431768212 × 1 000 overflows i128: it once read as 1 044 元.
        for absurd in [
            "340282366920938463463374607431768212千5",
            "1万170141183460469231731687303715884105千",
            "1万1701411834604692317316873037158841057",
        ] {
            assert_eq!(parse_money(absurd), None, "{absurd:?}");
        }
        assert_eq!(
            parse_one_line("收入340282366920938463463374607431768212千5 支出3000 借呗2万"),
            Err(OneLineError::Unreadable(
                "收入340282366920938463…".to_string()
            ))
        );
    }

    #[test]
    fn days_overdue() {
        assert_eq!(parse_days("0"), Some(0));
        assert_eq!(parse_days("没有"), Some(0));
        assert_eq!(parse_days("没有逾期"), Some(0));
        assert_eq!(parse_days("45"), Some(45));
        assert_eq!(parse_days("45天"), Some(45));
        assert_eq!(parse_days("逾期45天了"), Some(45));
        assert_eq!(parse_days("3个月"), Some(90));
        assert_eq!(parse_days("三个月"), Some(90));
        assert_eq!(parse_days("两个月"), Some(60));
        assert_eq!(parse_days("半个月"), Some(15));
        assert_eq!(parse_days("1.5个月"), Some(45));
        assert_eq!(parse_days("2周"), Some(14));
        assert_eq!(parse_days("1年"), Some(365));
        assert_eq!(parse_days("３０"), Some(30));
        assert_eq!(parse_days("45 days"), Some(45));
        assert_eq!(parse_days("3 months"), Some(90));
        for bad in ["", "-3", "很久", "4.5", "abc", "999999"] {
            assert_eq!(parse_days(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn yes_and_no() {
        for yes in ["是", "是的", "对", "有", "上了", "嗯", "Yes", "y"] {
            assert_eq!(parse_yes_no(yes), Some(true), "{yes}");
        }
        for no in ["否", "不是", "没有", "没上", "no", "N", "不是的"] {
            assert_eq!(parse_yes_no(no), Some(false), "{no}");
        }
        for unknown in ["不知道", "", "也许", "8000"] {
            assert_eq!(parse_yes_no(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn credit_card_names() {
        for card in [
            "信用卡",
            "招商银行信用卡",
            "建行卡",
            "招行卡",
            "广发卡",
            "中国银行卡",
            "Credit Card",
        ] {
            assert!(looks_like_credit_card(card), "{card}");
        }
        for loan in ["借呗", "花呗", "京东白条", "小赢卡贷", "微粒贷", "360借条"] {
            assert!(!looks_like_credit_card(loan), "{loan}");
        }
    }

    #[test]
    fn one_line_without_rates_assumes_them() {
        let one = parse_one_line("收入8000 支出5000 借呗20000 花呗5000").unwrap();
        assert!(one.assumed_rates);
        let input = &one.input;
        assert_eq!(input.monthly_income, Fen::yuan(8_000, 0));
        assert_eq!(input.monthly_expenses, Fen::yuan(5_000, 0));
        let debts: Vec<(&str, Fen, &Rate, bool)> = input
            .debts
            .iter()
            .map(|d| (d.name.as_str(), d.balance, &d.rate, d.credit_card))
            .collect();
        assert_eq!(
            debts,
            [
                (
                    "借呗",
                    Fen::yuan(20_000, 0),
                    &Rate::Annual(DEFAULT_LOAN_RATE),
                    false
                ),
                (
                    "花呗",
                    Fen::yuan(5_000, 0),
                    &Rate::Annual(DEFAULT_LOAN_RATE),
                    false
                ),
            ]
        );
        // The same, typed without spaces or with the command in front.
        assert_eq!(
            parse_one_line("/plan 收入8000支出5000借呗20000花呗5000").unwrap(),
            one
        );
        assert_eq!(
            parse_one_line("/plan@LoanGuardBot 收入８０００ 支出５千 借呗２万 花呗五千").unwrap(),
            one
        );
    }

    #[test]
    fn one_line_with_rates() {
        let one = parse_one_line("收入 8千, 支出5千, 信用卡 1.2万 年化18%").unwrap();
        assert!(!one.assumed_rates);
        let card = &one.input.debts[0];
        assert_eq!(card.name, "信用卡");
        assert_eq!(card.balance, Fen::yuan(12_000, 0));
        assert_eq!(card.rate, Rate::Annual(0.18));
        assert!(card.credit_card);

        let one = parse_one_line(
            "收入：12,000元；支出 三千五；招商银行信用卡 2万 日息万五 逾期30天，借呗20000 年利率 18 上征信，花呗5000",
        )
        .unwrap();
        assert!(one.assumed_rates, "花呗 has no rate");
        let d = &one.input.debts;
        assert_eq!(one.input.monthly_income, Fen::yuan(12_000, 0));
        assert_eq!(one.input.monthly_expenses, Fen::yuan(3_500, 0));
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].name, "招商银行信用卡");
        assert!(d[0].credit_card && d[0].credit_reported);
        assert_eq!(d[0].days_overdue, 30);
        assert!((d[0].rate.annual() - 0.1825).abs() < 1e-12);
        assert_eq!(d[1].rate, Rate::Annual(0.18));
        assert!(d[1].credit_reported && !d[1].credit_card);
        assert_eq!(d[2].rate, Rate::Annual(DEFAULT_LOAN_RATE));
        // A card without a rate gets the card default.
        let one = parse_one_line("收入8000 支出5000 建行信用卡10000").unwrap();
        assert_eq!(one.input.debts[0].rate, Rate::Annual(DEFAULT_CARD_RATE));
        // Names that start with digits, and English.
        let one =
            parse_one_line("income 8000 expenses 5k Chase card 12,000 18% 360借条 5000").unwrap();
        assert_eq!(one.input.debts[0].name, "Chase card");
        assert!(one.input.debts[0].credit_card);
        assert_eq!(one.input.debts[0].balance, Fen::yuan(12_000, 0));
        assert_eq!(one.input.debts[1].name, "360借条");
    }

    #[test]
    fn one_line_overdue_and_reporting_belong_to_the_debt_before_them() {
        // (days overdue, reported, card) per debt, and the loans taken to be reported.
        let read = |line: &str| {
            let one = parse_one_line(line).unwrap();
            let debts: Vec<(String, u32, bool, bool)> = one
                .input
                .debts
                .iter()
                .map(|d| {
                    let name = d.name.clone();
                    (name, d.days_overdue, d.credit_reported, d.credit_card)
                })
                .collect();
            (debts, one.assumed_reported)
        };
        let row = |name: &str, days, reported, card| (name.to_string(), days, reported, card);
        let line = "/plan 收入6000 支出3500 网贷A1万 年化36% 逾期90天 信用卡B3万 年化18% 花呗3000";
        // Overdue and silent on reporting: counted as reported, as the dialogue advises.
        assert_eq!(
            read(line),
            (
                vec![
                    row("网贷A", 90, true, false),
                    row("信用卡B", 0, false, true),
                    row("花呗", 0, false, false),
                ],
                vec!["网贷A".to_string()]
            )
        );
        // Said: as said.
        let said = line.replace("逾期90天", "逾期90天 没上征信");
        assert_eq!(read(&said).0[0], row("网贷A", 90, false, false));
        assert!(read(&said).1.is_empty());
        let said = line.replace("逾期90天", "逾期90天上征信");
        assert_eq!(read(&said), (read(line).0, vec![]));
        // An overdue card is reported by its bank: nothing assumed to mention.
        let card = line.replace("年化18%", "年化18% 逾期30天");
        assert_eq!(read(&card).0[1], row("信用卡B", 30, true, true));
        assert_eq!(read(&card).1, ["网贷A"]);
        // Without 逾期, nothing is overdue or reported.
        let plain = line.replace(" 逾期90天", "");
        assert_eq!(
            read(&plain),
            (
                vec![
                    row("网贷A", 0, false, false),
                    row("信用卡B", 0, false, true),
                    row("花呗", 0, false, false),
                ],
                vec![]
            )
        );
    }

    #[test]
    fn one_line_errors() {
        use OneLineError::*;
        let err = |s: &str| parse_one_line(s).unwrap_err();
        assert_eq!(err(""), Empty);
        assert_eq!(err("/plan"), Empty);
        assert_eq!(err("支出5000 借呗20000"), MissingIncome);
        assert_eq!(err("收入8000 借呗20000"), MissingExpenses);
        assert_eq!(err("收入8000 支出5000"), NoDebts);
        assert_eq!(err("收入8000 支出5000 借呗"), MissingAmount("借呗".into()));
        assert_eq!(err("收入8000 支出5000 20000"), MissingName("20000".into()));
        assert_eq!(
            err("收入8000 支出5000 年化18% 借呗2万"),
            Misplaced("年化18%".into())
        );
        assert_eq!(
            err("收入8000 支出5000 借呗2万 年化abc"),
            Unreadable("年化abc".into())
        );
        assert_eq!(
            err("收入8000 收入9000 支出5000 借呗2万"),
            Duplicate("收入".into())
        );
        assert_eq!(
            err("收入-8000 支出5000 借呗2万"),
            Unreadable("收入-8000".into())
        );
        let many: String = (0..=MAX_DEBTS)
            .map(|i| format!(" 平台{} 100", char::from(b'a' + i as u8)))
            .collect();
        assert_eq!(err(&format!("收入8000 支出5000{many}")), TooManyDebts);
        let long = "很".repeat(MAX_NAME_CHARS + 1);
        assert!(matches!(
            err(&format!("收入8000 支出5000 {long}100")),
            NameTooLong(_)
        ));
    }

    #[test]
    fn debt_entries() {
        assert_eq!(
            parse_debt_entry("借呗"),
            Some(DebtEntry {
                name: "借呗".into(),
                ..DebtEntry::default()
            })
        );
        assert_eq!(
            parse_debt_entry("招商银行 信用卡").map(|e| e.name),
            Some("招商银行 信用卡".into())
        );
        let e = parse_debt_entry("借呗 2万 年化18%").unwrap();
        assert_eq!(e.name, "借呗");
        assert_eq!(e.balance, Some(Fen::yuan(20_000, 0)));
        assert_eq!(e.rate, Some(Rate::Annual(0.18)));
        assert_eq!(parse_debt_entry("20000"), None);
        assert_eq!(parse_debt_entry("收入"), None);
        assert_eq!(parse_debt_entry("借呗2万 花呗5000"), None);
    }
}
