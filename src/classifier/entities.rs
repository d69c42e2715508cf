//! Entity extraction: phone numbers, links, accounts, cards, IDs, amounts, dates, case numbers,
//! lenders. Runs on the normalised text; every entity also carries its range in the original.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde::Serialize;

use super::checksum::{is_old_resident_id, luhn_ok, resident_id_checksum};
use super::directory::{Directory, EntryKind};
use super::normalize::{Normalized, is_cjk_unified};
use super::numbers::parse_amount;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Mobile,
    Landline,
    ServiceNumber,
    SmsPort,
    BankCard,
    IdNumber,
    QqId,
    WechatId,
    Url,
    Amount,
    Date,
    Time,
    CaseNumber,
    Lender,
    Brand,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::ServiceNumber => "service_number",
            Self::SmsPort => "sms_port",
            Self::BankCard => "bank_card",
            Self::IdNumber => "id_number",
            Self::QqId => "qq_id",
            Self::WechatId => "wechat_id",
            Self::Url => "url",
            Self::Amount => "amount",
            Self::Date => "date",
            Self::Time => "time",
            Self::CaseNumber => "case_number",
            Self::Lender => "lender",
            Self::Brand => "brand",
        }
    }

    /// Personal data that must be masked before it is shown in a group or stored.
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            Self::Mobile
                | Self::Landline
                | Self::BankCard
                | Self::IdNumber
                | Self::QqId
                | Self::WechatId
        )
    }
}

/// What else is known about an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Detail {
    None,
    Card {
        luhn: bool,
        unionpay: bool,
    },
    Id {
        checksum_ok: bool,
    },
    Url(UrlInfo),
    Amount {
        yuan: f64,
    },
    Time {
        hour: u8,
        night: bool,
    },
    /// A phone or service number; `listed` is the index of its directory entry.
    Number {
        listed: Option<usize>,
    },
    /// A lender or brand; `listed` is the index of its directory entry.
    Name {
        listed: Option<usize>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UrlInfo {
    pub host: String,
    /// A government domain (gov.cn) or a domain the directory lists.
    pub official: bool,
    pub court: bool,
    pub short_link: bool,
    /// A cheap top-level domain that lenders and courts do not use (.top, .xyz, .cc …).
    pub cheap_tld: bool,
    pub apk: bool,
    pub ip_host: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub kind: EntityKind,
    /// Byte range in the original text.
    pub span: Range<usize>,
    /// Byte range in the normalised text.
    #[serde(skip)]
    pub norm_span: Range<usize>,
    /// The canonical value: digits for numbers, the host for links, the name for lenders.
    pub value: String,
    pub detail: Detail,
}

impl Entity {
    /// The value as it may be shown to other people: personal numbers are masked.
    pub fn redacted(&self) -> String {
        redact_value(self.kind, &self.value)
    }
}

/// Masks a personal number, keeping just enough to recognise it.
pub fn redact_value(kind: EntityKind, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = |head: usize, tail: usize| -> String {
        if chars.len() <= head + tail {
            return "*".repeat(chars.len());
        }
        let mut s: String = chars[..head].iter().collect();
        s.push_str(&"*".repeat(chars.len() - head - tail));
        s.extend(&chars[chars.len() - tail..]);
        s
    };
    match kind {
        EntityKind::Mobile => keep(3, 4),
        EntityKind::Landline => keep(4, 2),
        EntityKind::BankCard => format!(
            "**** {}",
            chars[chars.len().saturating_sub(4)..]
                .iter()
                .collect::<String>()
        ),
        EntityKind::IdNumber => keep(2, 2),
        EntityKind::QqId | EntityKind::WechatId => keep(2, 1),
        _ => value.to_string(),
    }
}

/// The compiled extractors. Built once with the classifier.
pub struct Extractor {
    url: Regex,
    bare_domain: Regex,
    case_number: Regex,
    amount: Regex,
    chinese_amount: Regex,
    date: Regex,
    time: Regex,
    wechat_id: Regex,
    brand: Regex,
    digits: Regex,
    lender_generic: Regex,
    lender_names: AhoCorasick,
    lender_entries: Vec<(usize, String)>,
}

const SHORT_LINK_HOSTS: &[&str] = &[
    "t.cn",
    "dwz.cn",
    "url.cn",
    "w.url.cn",
    "suo.im",
    "bit.ly",
    "tinyurl.com",
    "is.gd",
    "t.co",
    "u.nu",
    "s.id",
    "reurl.cc",
    "goo.gl",
    "ow.ly",
    "rb.gy",
    "cutt.ly",
    "985.so",
    "t.ly",
    "tb.cn",
    "dwz.date",
    "c.tb.cn",
    "m6z.cn",
    "kks.me",
    "sohu.gg",
];

const CHEAP_TLDS: &[&str] = &[
    "top", "xyz", "cc", "vip", "icu", "fun", "club", "shop", "site", "online", "live", "tk", "ml",
    "pw", "wang", "ren", "ink", "work", "asia", "link", "loan", "win", "bid", "date", "men", "ltd",
];

/// Characters that, right after a number, make it a quantity rather than a phone or an account.
const UNIT_CHARS: &[char] = &[
    '元', '块', '万', '千', '百', '天', '年', '月', '日', '号', '期', '笔', '人', '次', '%', '个',
    '分', '秒', '小', '点', '时', '岁', '家', '条', '张', '倍', 'k', 'w', '期', '周', '位', '份',
];

impl Extractor {
    pub fn new(directory: &Directory) -> Result<Self, String> {
        let re = |p: &str| Regex::new(p).map_err(|e| format!("entity pattern {p}: {e}"));
        let mut names = Vec::new();
        let mut lender_entries = Vec::new();
        let lenders = directory.entries.iter().enumerate();
        for (index, entry) in lenders.filter(|(_, e)| e.kind == EntryKind::Lender) {
            for name in entry.names() {
                names.push(name.to_lowercase());
                lender_entries.push((index, entry.name.clone()));
            }
        }
        let lender_names = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| format!("directory names: {e}"))?;
        Ok(Self {
            url: re(r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")?,
            bare_domain: re(
                r"[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\.(?:com|cn|net|org|top|xyz|vip|cc|me|info|shop|club|link|app|site|online|ltd|icu|fun|live|co|io|ly|tk|ml|pw|asia|wang|ren|work|ink|so|gg|biz|pro|tv|hk|tw)(?:[/?#][a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?",
            )?,
            case_number: re(
                r"[(〔\[【]\s?(?:19|20)[0-9]{2}\s?[)〕\]】]\s?[\p{Han}a-z]{0,3}[0-9]{0,6}[\p{Han}]{1,6}(?:字第)?(?:[0-9a-z]{1,8}|第[0-9a-z]{1,8})号",
            )?,
            amount: re(
                r"(?:(?:¥|rmb|人民币)\s?([0-9][0-9,]*(?:\.[0-9]+)?)\s?(万元|万|千元|千|元|块钱|块)?)|(?:([0-9][0-9,]*(?:\.[0-9]+)?)\s?(万元|万块|万|千元|千块|千|元|块钱|块|rmb))",
            )?,
            chinese_amount: re(
                r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:[百千万亿][零〇一二两三四五六七八九]?(?:元|块钱|块)?|(?:元|块钱|块))",
            )?,
            date: re(
                r"(?:20[0-9]{2}[年./-][0-9]{1,2}[月./-][0-9]{1,2}[日号]?)|(?:[0-9]{1,2}月[0-9]{1,2}[日号])",
            )?,
            time: re(
                r"(凌晨|深夜|半夜|夜里|夜间|晚上|晚|早上|上午|中午|下午|傍晚)?\s?([0-2]?[0-9])(?:[:：]([0-5][0-9])|[点时](?:([0-5]?[0-9])分|半)?)",
            )?,
            wechat_id: re(r"微信(?:号|id|账号)?\s?[:：]?\s?([a-z][a-z0-9_-]{5,19})")?,
            brand: re(r"【([^【】\n]{2,24})】")?,
            digits: re(r"\+?[0-9]+x?")?,
            lender_generic: re(
                r"[\p{Han}a-z0-9]{2,8}?(?:消费金融|银行|小额贷款|网络小贷|小贷|信用卡中心|金融)",
            )?,
            lender_names,
            lender_entries,
        })
    }

    pub fn extract(&self, norm: &Normalized, directory: &Directory) -> Vec<Entity> {
        let text = norm.as_str();
        let mut out: Vec<Entity> = Vec::new();
        let mut covered = Covered::default();
        let push = |out: &mut Vec<Entity>, kind, r: Range<usize>, value: String, detail| {
            out.push(Entity {
                kind,
                span: norm.original_range(r.clone()),
                norm_span: r,
                value,
                detail,
            });
        };

        // Each extractor runs only when the text has a character it needs: most messages have no
        // link, case number or date, and a `contains` is much cheaper than a regex scan.
        let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
        self.extract_urls(text, directory, &mut |r, info: UrlInfo| {
            covered.insert(r.clone());
            push(
                &mut out,
                EntityKind::Url,
                r,
                info.host.clone(),
                Detail::Url(info),
            );
        });

        let case_numbers = if has(&["号"]) && has(&["(", "〔", "[", "【"]) {
            Some(self.case_number.find_iter(text))
        } else {
            None
        };
        for m in case_numbers.into_iter().flatten() {
            covered.insert(m.range());
            push(
                &mut out,
                EntityKind::CaseNumber,
                m.range(),
                m.as_str().to_string(),
                Detail::None,
            );
        }

        let wechat = has(&["微信"]).then(|| self.wechat_id.captures_iter(text));
        for c in wechat.into_iter().flatten() {
            let id = c.get(1).expect("group 1");
            if covered.overlaps(&id.range()) {
                continue;
            }
            covered.insert(id.range());
            push(
                &mut out,
                EntityKind::WechatId,
                id.range(),
                id.as_str().to_string(),
                Detail::None,
            );
        }

        let dates = has(&["月", "-", "/", "."]).then(|| self.date.find_iter(text));
        for m in dates.into_iter().flatten() {
            if covered.overlaps(&m.range()) {
                continue;
            }
            covered.insert(m.range());
            push(
                &mut out,
                EntityKind::Date,
                m.range(),
                m.as_str().to_string(),
                Detail::None,
            );
        }

        let times = has(&[":", "点", "时"]).then(|| self.time.captures_iter(text));
        for c in times.into_iter().flatten() {
            let m = c.get(0).expect("group 0");
            if covered.overlaps(&m.range()) {
                continue;
            }
            let marker = c.get(1).map(|m| m.as_str());
            let Ok(hour) = c[2].parse::<u8>() else {
                continue;
            };
            let has_minutes = c.get(3).is_some() || c.get(4).is_some();
            let has_clock_colon = c.get(3).is_some();
            // "3点" alone is often a count ("3点要求"); insist on a marker or minutes.
            if hour > 24 || (!has_minutes && marker.is_none() && !m.as_str().contains('点')) {
                continue;
            }
            let hour24 = match marker {
                Some("晚上" | "晚" | "夜里" | "夜间" | "深夜" | "傍晚" | "下午") if hour < 12 => {
                    hour + 12
                }
                Some("半夜" | "凌晨") if hour == 12 => 0,
                _ => hour,
            };
            let leading_zero = has_clock_colon && c[2].len() == 2 && c[2].starts_with('0');
            // "8:00-22:00" is a range (office hours), not a moment.
            let range_mark = |ch: Option<char>| matches!(ch, Some('-' | '~' | '至' | '到' | '—'));
            let in_range = range_mark(text[..m.start()].chars().next_back())
                || range_mark(text[m.end()..].chars().next());
            let night = !in_range
                && (matches!(marker, Some("凌晨" | "深夜" | "半夜"))
                    || hour24 >= 22
                    || (hour24 < 7 && (leading_zero || marker.is_some())));
            covered.insert(m.range());
            push(
                &mut out,
                EntityKind::Time,
                m.range(),
                m.as_str().to_string(),
                Detail::Time {
                    hour: hour24 % 24,
                    night,
                },
            );
        }

        let amounts = has(&["元", "块", "万", "千", "¥", "rmb", "人民币"])
            .then(|| self.amount.captures_iter(text));
        for c in amounts.into_iter().flatten() {
            let m = c.get(0).expect("group 0");
            if covered.overlaps(&m.range()) {
                continue;
            }
            let number = c.get(1).or(c.get(3)).map(|g| g.as_str()).unwrap_or("");
            let unit = c.get(2).or(c.get(4)).map(|g| g.as_str()).unwrap_or("");
            let Some(yuan) = parse_amount(number, unit) else {
                continue;
            };
            covered.insert(m.range());
            push(
                &mut out,
                EntityKind::Amount,
                m.range(),
                m.as_str().to_string(),
                Detail::Amount { yuan },
            );
        }

        let chinese_amounts =
            has(&["元", "块", "百", "千", "万", "亿"]).then(|| self.chinese_amount.find_iter(text));
        for m in chinese_amounts.into_iter().flatten() {
            if covered.overlaps(&m.range()) {
                continue;
            }
            // "十五天", "三千人": a count of something else.
            if text[m.end()..]
                .starts_with(|c: char| UNIT_CHARS.contains(&c) && !matches!(c, '元' | '块'))
            {
                continue;
            }
            let number = m.as_str().trim_end_matches(['元', '块', '钱']);
            let Some(yuan) = parse_amount(number, "") else {
                continue;
            };
            covered.insert(m.range());
            push(
                &mut out,
                EntityKind::Amount,
                m.range(),
                m.as_str().to_string(),
                Detail::Amount { yuan },
            );
        }

        for m in self.digits.find_iter(text) {
            if covered.overlaps(&m.range()) {
                continue;
            }
            if let Some((kind, value, detail)) =
                classify_number(text, m.start(), m.as_str(), directory)
            {
                push(&mut out, kind, m.range(), value, detail);
            }
        }

        self.extract_names(text, &mut out, norm);
        out.sort_by_key(|e| e.norm_span.start);
        out
    }

    fn extract_urls(
        &self,
        text: &str,
        directory: &Directory,
        found: &mut dyn FnMut(Range<usize>, UrlInfo),
    ) {
        let mut taken = Covered::default();
        if !text.contains('.') {
            return;
        }
        for m in self.url.find_iter(text) {
            let r = trim_url_end(text, m.range());
            taken.insert(r.clone());
            found(r.clone(), url_info(&text[r], directory));
        }
        for m in self.bare_domain.find_iter(text) {
            let r = trim_url_end(text, m.range());
            if taken.overlaps(&r) {
                continue;
            }
            // Not part of an e-mail address or a longer word.
            let before = text[..r.start].chars().next_back();
            if before.is_some_and(|c| c == '@' || c == '.' || c.is_ascii_alphanumeric() || c == '-')
            {
                continue;
            }
            // A bare "1.5" or "3.com" with no letters is not a domain.
            if !text[r.clone()].bytes().any(|b| b.is_ascii_alphabetic()) {
                continue;
            }
            taken.insert(r.clone());
            found(r.clone(), url_info(&text[r], directory));
        }
    }

    fn extract_names(&self, text: &str, out: &mut Vec<Entity>, norm: &Normalized) {
        let mut taken = Covered::default();
        let brands = text.contains('【').then(|| self.brand.captures_iter(text));
        for c in brands.into_iter().flatten() {
            let inner = c.get(1).expect("group 1");
            let listed = self
                .lender_names
                .find(inner.as_str())
                .map(|m| self.lender_entries[m.pattern().as_usize()].0);
            let whole = c.get(0).expect("group 0").range();
            taken.insert(whole.clone());
            out.push(Entity {
                kind: EntityKind::Brand,
                span: norm.original_range(whole.clone()),
                norm_span: whole,
                value: inner.as_str().to_string(),
                detail: Detail::Name { listed },
            });
        }
        for m in self.lender_names.find_iter(text) {
            let (index, name) = &self.lender_entries[m.pattern().as_usize()];
            out.push(Entity {
                kind: EntityKind::Lender,
                span: norm.original_range(m.range()),
                norm_span: m.range(),
                value: name.clone(),
                detail: Detail::Name {
                    listed: Some(*index),
                },
            });
            taken.insert(m.range());
        }
        let lender_suffixes = ["金融", "银行", "小贷", "小额贷款", "信用卡中心"];
        let generic = lender_suffixes
            .iter()
            .any(|s| text.contains(s))
            .then(|| self.lender_generic.find_iter(text));
        for m in generic.into_iter().flatten() {
            if taken.overlaps(&m.range()) {
                continue;
            }
            // "金融监管总局" or "银行卡" name a regulator or a card, not a lender.
            let after = &text[m.end()..];
            if [
                "监管", "办", "局", "卡", "账户", "流水", "转账", "app", "官方",
            ]
            .iter()
            .any(|s| after.starts_with(s))
            {
                continue;
            }
            let name = m.as_str();
            let start = name
                .char_indices()
                .find(|(_, c)| is_cjk_unified(*c) || c.is_ascii_alphanumeric())
                .map_or(0, |(i, _)| i);
            let r = m.start() + start..m.end();
            out.push(Entity {
                kind: EntityKind::Lender,
                span: norm.original_range(r.clone()),
                norm_span: r.clone(),
                value: text[r].to_string(),
                detail: Detail::Name { listed: None },
            });
        }
    }
}

fn trim_url_end(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let trimmed = s.trim_end_matches(['.', ',', ')', ']', '!', '?', ';', ':', '\'']);
    r.start..r.start + trimmed.len()
}

fn url_info(url: &str, directory: &Directory) -> UrlInfo {
    let without_scheme = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let host_end = without_scheme
        .find(['/', '?', '#', ':'])
        .unwrap_or(without_scheme.len());
    let host = without_scheme[..host_end]
        .rsplit('@')
        .next()
        .unwrap_or("")
        .trim_start_matches("www.")
        .to_string();
    let path = &without_scheme[host_end..];
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    let court = under("court.gov.cn") || under("12368.gov.cn");
    let official = under("gov.cn") || directory.official_domains().any(under);
    let ip_host = host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok());
    let tld = host.rsplit('.').next().unwrap_or("");
    UrlInfo {
        short_link: SHORT_LINK_HOSTS.iter().any(|s| host == *s),
        cheap_tld: CHEAP_TLDS.contains(&tld),
        apk: path.contains(".apk") || host.ends_with(".apk"),
        ip_host,
        court,
        official,
        host,
    }
}

/// The parts of the text already claimed by an entity: disjoint ranges by start, so asking
/// whether a range overlaps one is a single look-up, not a scan (a 64 KiB text of "1:00 1:00…"
/// made the scan quadratic).
#[derive(Default)]
struct Covered(std::collections::BTreeMap<usize, usize>);

impl Covered {
    fn overlaps(&self, r: &Range<usize>) -> bool {
        // The ranges are disjoint, so the last one starting before `r` ends has the furthest end.
        self.0
            .range(..r.end)
            .next_back()
            .is_some_and(|(_, &end)| end > r.start)
    }

    /// Adds `r`, merging it with the ranges it overlaps so they stay disjoint.
    fn insert(&mut self, r: Range<usize>) {
        let (mut start, mut end) = (r.start, r.end);
        while let Some((&s, &e)) = self.0.range(..end).next_back() {
            if e < start {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            self.0.remove(&s);
        }
        self.0.insert(start, end);
    }
}

fn classify_number(
    text: &str,
    start: usize,
    raw: &str,
    directory: &Directory,
) -> Option<(EntityKind, String, Detail)> {
    let has_x = raw.ends_with('x');
    let plus = raw.starts_with('+');
    let digits = raw.trim_start_matches('+').trim_end_matches('x');
    let before: String = {
        let head = &text[..start];
        let chars: Vec<char> = head.chars().rev().take(6).collect();
        chars.into_iter().rev().collect()
    };
    let after = text[start + raw.len()..].chars().next();
    let followed_by_unit = after.is_some_and(|c| UNIT_CHARS.contains(&c));
    let n = digits.len();
    let number = |kind| {
        let listed = directory.lookup_number(digits);
        Some((kind, digits.to_string(), Detail::Number { listed }))
    };

    if has_x {
        return resident_id_checksum(&format!("{digits}x")).map(|ok| {
            (
                EntityKind::IdNumber,
                format!("{digits}X"),
                Detail::Id { checksum_ok: ok },
            )
        });
    }
    if before.contains("qq") && (5..=11).contains(&n) {
        return Some((EntityKind::QqId, digits.to_string(), Detail::None));
    }
    if before.contains("微信") && (5..=11).contains(&n) {
        return Some((EntityKind::WechatId, digits.to_string(), Detail::None));
    }
    // Licence, contract and order numbers are neither cards nor phones.
    let reference_words = [
        "证号",
        "编号",
        "合同号",
        "单号",
        "工号",
        "执业证",
        "许可证",
        "订单",
        "编码",
        "代码",
        "信用代码",
        "流水号",
        "案号",
        "批准文号",
    ];
    if reference_words.iter().any(|w| before.contains(w)) {
        return None;
    }
    if n == 18
        && let Some(ok) = resident_id_checksum(digits)
    {
        return Some((
            EntityKind::IdNumber,
            digits.to_string(),
            Detail::Id { checksum_ok: ok },
        ));
    }
    if n == 15 && is_old_resident_id(digits) && !digits.starts_with("62") {
        return Some((
            EntityKind::IdNumber,
            digits.to_string(),
            Detail::Id { checksum_ok: true },
        ));
    }
    // An account number right after "账号", "存入", "account": a bank account whatever its length.
    let account_words = [
        "账号", "账户", "卡号", "户名", "存入", "汇入", "转至", "汇至", "转入", "帐号", "account",
        "a/c", "acct",
    ];
    let is_mobile =
        n == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9');
    if (16..=19).contains(&n)
        || ((9..=19).contains(&n)
            && account_words.iter().any(|w| before.contains(w))
            && !followed_by_unit
            && !is_mobile)
    {
        return Some((
            EntityKind::BankCard,
            digits.to_string(),
            Detail::Card {
                luhn: luhn_ok(digits),
                unionpay: digits.starts_with("62"),
            },
        ));
    }
    let mobile =
        |d: &str| d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9');
    if mobile(digits) {
        return number(EntityKind::Mobile);
    }
    if (n == 13 && digits.starts_with("86") && mobile(&digits[2..]))
        || (n == 15 && digits.starts_with("0086") && mobile(&digits[4..]))
    {
        return Some((
            EntityKind::Mobile,
            digits.to_string(),
            Detail::Number { listed: None },
        ));
    }
    if plus {
        // A foreign number that tries to look local.
        return Some((
            EntityKind::Mobile,
            digits.to_string(),
            Detail::Number { listed: None },
        ));
    }
    if digits.starts_with("106") && (8..=20).contains(&n) {
        return number(EntityKind::SmsPort);
    }
    if (digits.starts_with("400") || digits.starts_with("800")) && n == 10 {
        return number(EntityKind::ServiceNumber);
    }
    if digits.starts_with('0') && !digits.starts_with("00") && (10..=12).contains(&n) {
        return number(EntityKind::Landline);
    }
    if followed_by_unit {
        return None;
    }
    let service = (digits.starts_with("95") && (5..=8).contains(&n))
        || (digits.starts_with("96") && n == 5)
        || (digits.starts_with("12") && n == 5)
        || (digits.starts_with("100") && n == 5)
        || matches!(digits, "110" | "120" | "119" | "122");
    if service {
        return number(EntityKind::ServiceNumber);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::Classifier;
    use super::*;

    #[test]
    fn covered_ranges_answer_like_a_scan() {
        let ranges = [3..7, 10..12, 6..11, 20..25, 30..31, 0..1, 25..26, 12..12];
        let mut covered = Covered::default();
        let mut list: Vec<Range<usize>> = Vec::new();
        for r in ranges {
            covered.insert(r.clone());
            list.push(r);
            for start in 0..35 {
                for end in start + 1..36 {
                    let q = start..end;
                    let scan = list.iter().any(|t| t.start < q.end && q.start < t.end);
                    assert_eq!(covered.overlaps(&q), scan, "{q:?} after {list:?}");
                }
            }
        }
    }

    fn entities(text: &str) -> Vec<Entity> {
        Classifier::shared().entities(text)
    }

    fn kinds(text: &str) -> Vec<(EntityKind, String)> {
        entities(text)
            .into_iter()
            .map(|e| (e.kind, e.value))
            .collect()
    }

    #[test]
    fn phone_classes() {
        let found =
            kinds("专员手机13800138000，座机010-62345678，热线95188，400-123-4567，端口1069012345");
        assert!(found.contains(&(EntityKind::Mobile, "13800138000".into())));
        assert!(found.contains(&(EntityKind::Landline, "01062345678".into())));
        assert!(found.contains(&(EntityKind::ServiceNumber, "95188".into())));
        assert!(found.contains(&(EntityKind::ServiceNumber, "4001234567".into())));
        assert!(found.contains(&(EntityKind::SmsPort, "1069012345".into())));
    }

    #[test]
    fn government_short_numbers() {
        let found = kinds("请拨打12368核实，或者96110咨询");
        assert!(found.contains(&(EntityKind::ServiceNumber, "12368".into())));
        assert!(found.contains(&(EntityKind::ServiceNumber, "96110".into())));
    }

    #[test]
    fn amounts_are_not_phone_numbers() {
        let found = kinds("本期应还12000元");
        assert!(found.iter().all(|(k, _)| *k != EntityKind::ServiceNumber));
        assert!(found.iter().any(|(k, _)| *k == EntityKind::Amount));
    }

    #[test]
    fn spaced_mobile_with_country_code() {
        let found = kinds("联系 +86 138 0013 8000");
        assert!(
            found.iter().any(|(k, _)| *k == EntityKind::Mobile),
            "{found:?}"
        );
    }

    #[test]
    fn id_number_with_checksum() {
        let e = entities("身份证11010519491231002X");
        let id = e.iter().find(|e| e.kind == EntityKind::IdNumber).unwrap();
        assert_eq!(id.detail, Detail::Id { checksum_ok: true });
        let e = entities("身份证110105194912310029");
        let id = e.iter().find(|e| e.kind == EntityKind::IdNumber).unwrap();
        assert_eq!(id.detail, Detail::Id { checksum_ok: false });
    }

    #[test]
    fn bank_card_with_luhn_hint() {
        let e = entities("转到6222 0212 3456 7890 128");
        let card = e.iter().find(|e| e.kind == EntityKind::BankCard).unwrap();
        assert_eq!(card.value, "6222021234567890128");
        assert_eq!(
            card.detail,
            Detail::Card {
                luhn: true,
                unionpay: true
            }
        );
        assert_eq!(card.redacted(), "**** 0128");
    }

    #[test]
    fn qq_and_wechat_ids() {
        let found = kinds("加扣扣 12345678 或者 vx: zhuanyuan_88");
        assert!(
            found.contains(&(EntityKind::QqId, "12345678".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&(EntityKind::WechatId, "zhuanyuan_88".into())),
            "{found:?}"
        );
    }

    #[test]
    fn urls_and_their_hosts() {
        let e = entities(
            "点击 http://xx-court.top/a 或 https://zxgk.court.gov.cn/ 以及 court.gov.cn.evil.top/x.apk",
        );
        let urls: Vec<&UrlInfo> = e
            .iter()
            .filter_map(|e| match &e.detail {
                Detail::Url(u) => Some(u),
                _ => None,
            })
            .collect();
        assert_eq!(urls.len(), 3);
        assert!(!urls[0].official && !urls[0].court);
        assert!(urls[1].official && urls[1].court);
        assert!(!urls[2].official && urls[2].apk);
    }

    #[test]
    fn case_numbers() {
        let found = kinds("案号（2025）京0105民初12345号，请查收");
        assert!(
            found.iter().any(|(k, _)| *k == EntityKind::CaseNumber),
            "{found:?}"
        );
    }

    #[test]
    fn amounts_with_units() {
        let e = entities("欠款1.2万，今天先还三千五，共计12,000元");
        let yuan: Vec<f64> = e
            .iter()
            .filter_map(|e| match e.detail {
                Detail::Amount { yuan } => Some(yuan),
                _ => None,
            })
            .collect();
        assert_eq!(yuan, vec![12000.0, 3500.0, 12000.0]);
    }

    #[test]
    fn night_times() {
        let e = entities("凌晨1点20分打来，晚上11点又打，下午3:00也打");
        let nights: Vec<bool> = e
            .iter()
            .filter_map(|e| match e.detail {
                Detail::Time { night, .. } => Some(night),
                _ => None,
            })
            .collect();
        assert_eq!(nights, vec![true, true, false]);
    }

    #[test]
    fn dates() {
        let found = kinds("请于2025年12月5日前还款，11月30日外访");
        assert_eq!(
            found.iter().filter(|(k, _)| *k == EntityKind::Date).count(),
            2
        );
    }

    #[test]
    fn lenders_and_brands() {
        let e = entities("【招联消费金融】您的借呗账单");
        assert!(e.iter().any(|e| e.kind == EntityKind::Brand));
        assert!(
            e.iter()
                .any(|e| e.kind == EntityKind::Lender && e.value == "蚂蚁集团")
        );
    }

    #[test]
    fn positions_point_at_the_original_words() {
        let text = "请转账到６２２２ ０２１２ ３４５６ ７８９０ １２８";
        let e = entities(text);
        let card = e.iter().find(|e| e.kind == EntityKind::BankCard).unwrap();
        assert_eq!(
            &text[card.span.clone()],
            "６２２２ ０２１２ ３４５６ ７８９０ １２８"
        );
    }

    #[test]
    fn redaction_masks_personal_numbers() {
        assert_eq!(
            redact_value(EntityKind::Mobile, "13800138000"),
            "138****8000"
        );
        assert_eq!(
            redact_value(EntityKind::IdNumber, "11010519491231002X"),
            "11**************2X"
        );
        assert_eq!(redact_value(EntityKind::ServiceNumber, "95188"), "95188");
    }
}
