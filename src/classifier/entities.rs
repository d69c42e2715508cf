//! Entity extraction: phone numbers, links, accounts, cards, IDs, amounts, dates, case numbers,
//! lenders. Runs on the normalised text; every entity also carries its range in the original.
//! One table of extractors runs in priority order, each match taking its range so that a later
//! match over it is dropped; numbers are then told apart by a list of small rules.

use std::ops::{Range, RangeInclusive};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Captures, Regex};
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
    /// The extractors in priority order (see [`Extractor::table`]).
    steps: Vec<Step>,
    lender_names: AhoCorasick,
    lender_entries: Vec<(usize, String)>,
}

/// One row of the extractor table.
struct Step {
    layer: Layer,
    /// The row runs only when the text has a needle of every group: most messages have no link,
    /// case number or date, and a `contains` is much cheaper than a regex scan.
    needs: &'static [&'static [&'static str]],
    matcher: Matcher,
    /// The part of a match that must be free in its layer and that it then takes.
    claim: Claim,
    overlap: Overlap,
    /// Makes the entity, or rejects the match.
    convert: Convert,
}

/// Each layer has its own claimed ranges: a brand or a lender's name may lie over a link or a
/// number and still count.
#[derive(Clone, Copy)]
enum Layer {
    Text = 0,
    Names = 1,
}

enum Matcher {
    /// Every match of a pattern.
    Find(Regex),
    /// Every match with its groups, for the rows whose converter reads them (slower than `Find`).
    Groups(Regex),
    /// The directory's lender names.
    LenderNames,
}

enum Claim {
    /// The whole match.
    Whole,
    /// Group 1: "微信号: abc123" takes only the ID.
    Group1,
    /// The match without the punctuation that often follows a link.
    Link,
}

/// What becomes of a match over a range already taken in its layer.
#[derive(PartialEq)]
enum Overlap {
    Skip,
    Keep,
}

type Convert = fn(&Scan<'_>, &Hit<'_>) -> Option<Found>;

/// What a converter sees besides the match.
struct Scan<'a> {
    /// The normalised text.
    text: &'a str,
    directory: &'a Directory,
    extractor: &'a Extractor,
}

/// One match of a row's matcher.
struct Hit<'t> {
    whole: Range<usize>,
    /// For a `Matcher::Groups` row.
    groups: Option<Captures<'t>>,
    /// For `Matcher::LenderNames`: the index into `lender_entries`.
    name: usize,
}

impl<'t> Hit<'t> {
    fn groups(&self) -> &Captures<'t> {
        self.groups.as_ref().expect("a Matcher::Groups row")
    }
}

/// An entity in the normalised text, before its range in the original is looked up.
struct Found {
    kind: EntityKind,
    span: Range<usize>,
    value: String,
    detail: Detail,
}

impl Found {
    /// An entity whose value is the text it spans.
    fn spanning(scan: &Scan<'_>, kind: EntityKind, span: Range<usize>, detail: Detail) -> Self {
        Self {
            kind,
            value: scan.text[span.clone()].to_string(),
            span,
            detail,
        }
    }
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

const URL: &str = r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+";
const BARE_DOMAIN: &str = r"[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\.(?:com|cn|net|org|top|xyz|vip|cc|me|info|shop|club|link|app|site|online|ltd|icu|fun|live|co|io|ly|tk|ml|pw|asia|wang|ren|work|ink|so|gg|biz|pro|tv|hk|tw)(?:[/?#][a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?";
const CASE_NUMBER: &str = r"[(〔\[【]\s?(?:19|20)[0-9]{2}\s?[)〕\]】]\s?[\p{Han}a-z]{0,3}[0-9]{0,6}[\p{Han}]{1,6}(?:字第)?(?:[0-9a-z]{1,8}|第[0-9a-z]{1,8})号";
const WECHAT_ID: &str = r"微信(?:号|id|账号)?\s?[:：]?\s?([a-z][a-z0-9_-]{5,19})";
const DATE: &str =
    r"(?:20[0-9]{2}[年./-][0-9]{1,2}[月./-][0-9]{1,2}[日号]?)|(?:[0-9]{1,2}月[0-9]{1,2}[日号])";
const TIME: &str = r"(凌晨|深夜|半夜|夜里|夜间|晚上|晚|早上|上午|中午|下午|傍晚)?\s?([0-2]?[0-9])(?:[:：]([0-5][0-9])|[点时](?:([0-5]?[0-9])分|半)?)";
const AMOUNT: &str = r"(?:(?:¥|rmb|人民币)\s?([0-9][0-9,]*(?:\.[0-9]+)?)\s?(万元|万|千元|千|元|块钱|块)?)|(?:([0-9][0-9,]*(?:\.[0-9]+)?)\s?(万元|万块|万|千元|千块|千|元|块钱|块|rmb))";
const CHINESE_AMOUNT: &str = r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:[百千万亿][零〇一二两三四五六七八九]?(?:元|块钱|块)?|(?:元|块钱|块))";
const DIGITS: &str = r"\+?[0-9]+x?";
const BRAND: &str = r"【([^【】\n]{2,24})】";
const LENDER_GENERIC: &str =
    r"[\p{Han}a-z0-9]{2,8}?(?:消费金融|银行|小额贷款|网络小贷|小贷|信用卡中心|金融)";

/// Words a generic lender name's match may start with that are not part of the name: "你与某某小贷"
/// (a court's "you and X"), "受某某银行委托".
const NOT_A_NAME_BEFORE: &[&str] = &["你与", "您与", "与", "和", "受", "向", "被", "由", "欠"];

/// Right after a generic lender name ("金融监管总局", "银行卡"), a regulator or a card, not a lender.
const NOT_A_LENDER_AFTER: &[&str] = &[
    "监管", "办", "局", "卡", "账户", "流水", "转账", "app", "官方",
];

/// Before a number, a licence, contract or order number: neither a card nor a phone.
const REFERENCE_WORDS: &[&str] = &[
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

/// Before a number, a bank account whatever its length.
const ACCOUNT_WORDS: &[&str] = &[
    "账号", "账户", "卡号", "户名", "存入", "汇入", "转至", "汇至", "转入", "帐号", "account",
    "a/c", "acct",
];

/// Numbers told by prefix and length, whatever follows them.
const PREFIXED_NUMBERS: &[(&str, RangeInclusive<usize>, EntityKind)] = &[
    ("106", 8..=20, EntityKind::SmsPort),
    ("400", 10..=10, EntityKind::ServiceNumber),
    ("800", 10..=10, EntityKind::ServiceNumber),
];

/// Short service numbers (95188, 96110, 12368, 10086, 110) by prefix and length.
const SHORT_SERVICE_NUMBERS: &[(&str, RangeInclusive<usize>)] = &[
    ("95", 5..=8),
    ("96", 5..=5),
    ("12", 5..=5),
    ("100", 5..=5),
    ("110", 3..=3),
    ("120", 3..=3),
    ("119", 3..=3),
    ("122", 3..=3),
];

impl Extractor {
    pub fn new(directory: &Directory) -> Result<Self, String> {
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
            steps: Self::table()?,
            lender_names,
            lender_entries,
        })
    }

    /// The extractors, in priority order: within a layer, an entity takes its range and a later
    /// match over it is dropped (unless its row says `Keep`). The order is also the order of
    /// entities that start at the same place.
    #[rustfmt::skip]
    fn table() -> Result<Vec<Step>, String> {
        use {Claim::*, Layer::*, Matcher::*, Overlap::*};
        let re = |p: &str| Regex::new(p).map_err(|e| format!("entity pattern {p}: {e}"));
        fn step(layer: Layer, needs: &'static [&'static [&'static str]], matcher: Matcher, claim: Claim, overlap: Overlap, convert: Convert) -> Step {
            Step { layer, needs, matcher, claim, overlap, convert }
        }
        const BRACKETS: &[&str] = &["(", "〔", "[", "【"];
        const AMOUNT_NEEDS: &[&str] = &["元", "块", "万", "千", "¥", "rmb", "人民币"];
        const CHINESE_AMOUNT_NEEDS: &[&str] = &["元", "块", "百", "千", "万", "亿"];
        const LENDER_SUFFIXES: &[&str] = &["金融", "银行", "小贷", "小额贷款", "信用卡中心"];
        Ok(vec![
            //   layer  needs                               matcher                      claim   overlap converter
            step(Text,  &[&["."]],                          Find(re(URL)?),              Link,   Skip,   url),
            step(Text,  &[&["."]],                          Find(re(BARE_DOMAIN)?),      Link,   Skip,   bare_domain),
            // Not skipped over a link: a case number overlapping one is reported beside it.
            step(Text,  &[&["号"], BRACKETS],               Find(re(CASE_NUMBER)?),      Whole,  Keep,   case_number),
            step(Text,  &[&["微信"]],                       Groups(re(WECHAT_ID)?),      Group1, Skip,   wechat_id),
            step(Text,  &[&["月", "-", "/", "."]],          Find(re(DATE)?),             Whole,  Skip,   date),
            step(Text,  &[&[":", "点", "时"]],              Groups(re(TIME)?),           Whole,  Skip,   time),
            step(Text,  &[AMOUNT_NEEDS],                    Groups(re(AMOUNT)?),         Whole,  Skip,   amount),
            step(Text,  &[CHINESE_AMOUNT_NEEDS],            Find(re(CHINESE_AMOUNT)?),   Whole,  Skip,   chinese_amount),
            step(Text,  &[],                                Find(re(DIGITS)?),           Whole,  Skip,   number),
            step(Names, &[&["【"]],                         Groups(re(BRAND)?),          Whole,  Skip,   brand),
            // A directory name inside a brand is a lender too: "【招联消费金融】".
            step(Names, &[],                                LenderNames,                 Whole,  Keep,   lender),
            step(Names, &[LENDER_SUFFIXES],                 Find(re(LENDER_GENERIC)?),   Whole,  Skip,   lender_generic),
        ])
    }

    pub fn extract(&self, norm: &Normalized, directory: &Directory) -> Vec<Entity> {
        let text = norm.as_str();
        let scan = Scan {
            text,
            directory,
            extractor: self,
        };
        let mut taken = [Covered::default(), Covered::default()];
        let mut out = Vec::new();
        for step in &self.steps {
            if !step
                .needs
                .iter()
                .all(|any| any.iter().any(|n| text.contains(n)))
            {
                continue;
            }
            let taken = &mut taken[step.layer as usize];
            self.each_hit(&step.matcher, text, |hit| {
                let claim = step.claim.of(text, &hit);
                if step.overlap == Overlap::Skip && taken.overlaps(&claim) {
                    return;
                }
                let Some(found) = (step.convert)(&scan, &hit) else {
                    return;
                };
                taken.insert(claim);
                out.push(Entity {
                    kind: found.kind,
                    span: norm.original_range(found.span.clone()),
                    norm_span: found.span,
                    value: found.value,
                    detail: found.detail,
                });
            });
        }
        out.sort_by_key(|e| e.norm_span.start);
        out
    }

    fn each_hit<'t>(&self, matcher: &Matcher, text: &'t str, mut f: impl FnMut(Hit<'t>)) {
        let hit = |whole, groups, name| Hit {
            whole,
            groups,
            name,
        };
        match matcher {
            Matcher::Find(re) => {
                for m in re.find_iter(text) {
                    f(hit(m.range(), None, 0));
                }
            }
            Matcher::Groups(re) => {
                for c in re.captures_iter(text) {
                    f(hit(c.get(0).expect("group 0").range(), Some(c), 0));
                }
            }
            Matcher::LenderNames => {
                for m in self.lender_names.find_iter(text) {
                    f(hit(m.range(), None, m.pattern().as_usize()));
                }
            }
        }
    }
}

impl Claim {
    fn of(&self, text: &str, hit: &Hit<'_>) -> Range<usize> {
        match self {
            Self::Whole => hit.whole.clone(),
            Self::Group1 => hit.groups().get(1).expect("group 1").range(),
            Self::Link => trim_url_end(text, hit.whole.clone()),
        }
    }
}

fn url(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let r = trim_url_end(scan.text, hit.whole.clone());
    let info = url_info(&scan.text[r.clone()], scan.directory);
    Some(Found {
        kind: EntityKind::Url,
        span: r,
        value: info.host.clone(),
        detail: Detail::Url(info),
    })
}

fn bare_domain(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let r = trim_url_end(scan.text, hit.whole.clone());
    // Not part of an e-mail address or a longer word.
    let before = scan.text[..r.start].chars().next_back();
    if before.is_some_and(|c| c == '@' || c == '.' || c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    // A bare "1.5" or "3.com" with no letters is not a domain.
    if !scan.text[r].bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    url(scan, hit)
}

fn case_number(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let span = hit.whole.clone();
    Some(Found::spanning(
        scan,
        EntityKind::CaseNumber,
        span,
        Detail::None,
    ))
}

fn wechat_id(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let id = hit.groups().get(1).expect("group 1").range();
    Some(Found::spanning(
        scan,
        EntityKind::WechatId,
        id,
        Detail::None,
    ))
}

fn date(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let span = hit.whole.clone();
    Some(Found::spanning(scan, EntityKind::Date, span, Detail::None))
}

fn time(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let (text, c) = (scan.text, hit.groups());
    let m = c.get(0).expect("group 0");
    let marker = c.get(1).map(|m| m.as_str());
    let hour = c[2].parse::<u8>().ok()?;
    let has_minutes = c.get(3).is_some() || c.get(4).is_some();
    let has_clock_colon = c.get(3).is_some();
    // A bare hour needs a marker ("晚上"), minutes or "点": "3时" alone is dropped. ("3点" alone
    // is kept, although it is often a count, as in "3点要求".)
    if hour > 24 || (!has_minutes && marker.is_none() && !m.as_str().contains('点')) {
        return None;
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
    let detail = Detail::Time {
        hour: hour24 % 24,
        night,
    };
    Some(Found::spanning(scan, EntityKind::Time, m.range(), detail))
}

fn amount(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let c = hit.groups();
    let number = c.get(1).or(c.get(3)).map(|g| g.as_str()).unwrap_or("");
    let unit = c.get(2).or(c.get(4)).map(|g| g.as_str()).unwrap_or("");
    parse_amount(number, unit).map(|yuan| whole_amount(scan, hit, yuan))
}

fn chinese_amount(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    // "十五天", "三千人": a count of something else.
    if scan.text[hit.whole.end..]
        .starts_with(|c: char| UNIT_CHARS.contains(&c) && !matches!(c, '元' | '块'))
    {
        return None;
    }
    let number = scan.text[hit.whole.clone()].trim_end_matches(['元', '块', '钱']);
    parse_amount(number, "").map(|yuan| whole_amount(scan, hit, yuan))
}

fn whole_amount(scan: &Scan<'_>, hit: &Hit<'_>, yuan: f64) -> Found {
    let detail = Detail::Amount { yuan };
    Found::spanning(scan, EntityKind::Amount, hit.whole.clone(), detail)
}

/// A phone, account or ID number: see [`classify_number`].
fn number(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let (kind, value, detail) = classify_number(scan.text, hit.whole.clone(), scan.directory)?;
    Some(Found {
        kind,
        span: hit.whole.clone(),
        value,
        detail,
    })
}

fn brand(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let inner = hit.groups().get(1).expect("group 1").as_str();
    let extractor = scan.extractor;
    let listed = extractor
        .lender_names
        .find(inner)
        .map(|m| extractor.lender_entries[m.pattern().as_usize()].0);
    Some(Found {
        kind: EntityKind::Brand,
        span: hit.whole.clone(),
        value: inner.to_string(),
        detail: Detail::Name { listed },
    })
}

/// A lender the directory lists, by any of its names.
fn lender(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let (index, name) = &scan.extractor.lender_entries[hit.name];
    Some(Found {
        kind: EntityKind::Lender,
        span: hit.whole.clone(),
        value: name.clone(),
        detail: Detail::Name {
            listed: Some(*index),
        },
    })
}

/// A lender the directory does not list: a name ending in "银行", "消费金融" ….
fn lender_generic(scan: &Scan<'_>, hit: &Hit<'_>) -> Option<Found> {
    let after = &scan.text[hit.whole.end..];
    if NOT_A_LENDER_AFTER.iter().any(|s| after.starts_with(s)) {
        return None;
    }
    let name = &scan.text[hit.whole.clone()];
    let mut start = name
        .char_indices()
        .find(|(_, c)| is_cjk_unified(*c) || c.is_ascii_alphanumeric())
        .map_or(0, |(i, _)| i);
    if let Some(word) = NOT_A_NAME_BEFORE
        .iter()
        .find(|w| name[start..].starts_with(*w))
    {
        start += word.len();
    }
    // "…有限公司金融借款": the end of one company's name and the start of a phrase.
    if name[start..].starts_with("有限公司") || name[start..].starts_with("公司") {
        return None;
    }
    let span = hit.whole.start + start..hit.whole.end;
    let detail = Detail::Name { listed: None };
    Some(Found::spanning(scan, EntityKind::Lender, span, detail))
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

/// A run of digits and what is around it, as the number rules see it.
struct Digits<'t> {
    /// Without a leading "+" or a trailing "x".
    digits: &'t str,
    plus: bool,
    /// A trailing "x": the check character of an ID number.
    x: bool,
    /// Up to six characters before the number.
    before: &'t str,
    /// A unit right after it ("元", "天", "%" …): a quantity.
    unit_after: bool,
}

impl<'t> Digits<'t> {
    fn read(text: &'t str, at: Range<usize>) -> Self {
        let raw = &text[at.clone()];
        let head = &text[..at.start];
        let six_back = head.char_indices().rev().nth(5).map_or(0, |(i, _)| i);
        let after = text[at.end..].chars().next();
        Self {
            digits: raw.trim_start_matches('+').trim_end_matches('x'),
            plus: raw.starts_with('+'),
            x: raw.ends_with('x'),
            before: &head[six_back..],
            unit_after: after.is_some_and(|c| UNIT_CHARS.contains(&c)),
        }
    }

    fn len(&self) -> usize {
        self.digits.len()
    }

    fn after_one_of(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.before.contains(w))
    }

    fn prefixed(&self, prefix: &str, lengths: &RangeInclusive<usize>) -> bool {
        self.digits.starts_with(prefix) && lengths.contains(&self.len())
    }
}

/// What a number rule decides.
enum Decision {
    /// Not an entity, whatever later rules would say.
    Nothing,
    /// An entity of this kind.
    Is(EntityKind, Detail),
    /// A phone number of this kind, looked up in the directory.
    Listed(EntityKind),
}

type NumberRule = fn(&Digits<'_>) -> Option<Decision>;

/// The number rules in order: the first that decides wins; a number none decides is dropped.
const NUMBER_RULES: &[NumberRule] = &[
    id_with_check_x,
    chat_id,
    reference_number,
    id_number,
    bank_card,
    mobile,
    international_mobile,
    prefixed_number,
    landline,
    quantity,
    short_service_number,
];

/// Classifies the digits at `at`: a phone, an account, an ID, or nothing.
fn classify_number(
    text: &str,
    at: Range<usize>,
    directory: &Directory,
) -> Option<(EntityKind, String, Detail)> {
    let d = Digits::read(text, at);
    let decision = NUMBER_RULES.iter().find_map(|rule| rule(&d))?;
    // Only an ID number ends in "x" (the first rule decides every such number).
    let value = if d.x {
        format!("{}X", d.digits)
    } else {
        d.digits.to_string()
    };
    match decision {
        Decision::Nothing => None,
        Decision::Is(kind, detail) => Some((kind, value, detail)),
        Decision::Listed(kind) => {
            let listed = directory.lookup_number(d.digits);
            Some((kind, value, Detail::Number { listed }))
        }
    }
}

fn is_mobile(d: &str) -> bool {
    d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9')
}

/// "…002x": an ID number, or nothing if the rest cannot be one.
fn id_with_check_x(d: &Digits<'_>) -> Option<Decision> {
    d.x.then(|| match resident_id_checksum(&format!("{}x", d.digits)) {
        Some(ok) => Decision::Is(EntityKind::IdNumber, Detail::Id { checksum_ok: ok }),
        None => Decision::Nothing,
    })
}

/// 5 to 11 digits right after "qq" or "微信".
fn chat_id(d: &Digits<'_>) -> Option<Decision> {
    if !(5..=11).contains(&d.len()) {
        return None;
    }
    let kind = if d.before.contains("qq") {
        EntityKind::QqId
    } else if d.before.contains("微信") {
        EntityKind::WechatId
    } else {
        return None;
    };
    Some(Decision::Is(kind, Detail::None))
}

fn reference_number(d: &Digits<'_>) -> Option<Decision> {
    d.after_one_of(REFERENCE_WORDS).then_some(Decision::Nothing)
}

/// 18 digits with a valid date of birth, or 15 of an old ID (that are not a UnionPay card).
fn id_number(d: &Digits<'_>) -> Option<Decision> {
    let checksum_ok = match d.len() {
        18 => resident_id_checksum(d.digits)?,
        15 if is_old_resident_id(d.digits) && !d.digits.starts_with("62") => true,
        _ => return None,
    };
    Some(Decision::Is(
        EntityKind::IdNumber,
        Detail::Id { checksum_ok },
    ))
}

/// 16 to 19 digits, or 9 or more after "账号", "存入" … that are neither a quantity nor a mobile.
fn bank_card(d: &Digits<'_>) -> Option<Decision> {
    let n = d.len();
    let after_account_word = (9..=19).contains(&n)
        && d.after_one_of(ACCOUNT_WORDS)
        && !d.unit_after
        && !is_mobile(d.digits);
    let card = (16..=19).contains(&n) || after_account_word;
    card.then(|| {
        let luhn = luhn_ok(d.digits);
        let unionpay = d.digits.starts_with("62");
        Decision::Is(EntityKind::BankCard, Detail::Card { luhn, unionpay })
    })
}

fn mobile(d: &Digits<'_>) -> Option<Decision> {
    is_mobile(d.digits).then_some(Decision::Listed(EntityKind::Mobile))
}

/// A mobile after 86 or 0086, or any number after "+" (a foreign number that tries to look
/// local): never looked up.
fn international_mobile(d: &Digits<'_>) -> Option<Decision> {
    let after_code = |code| d.digits.strip_prefix(code).is_some_and(is_mobile);
    let detail = Detail::Number { listed: None };
    (after_code("86") || after_code("0086") || d.plus)
        .then_some(Decision::Is(EntityKind::Mobile, detail))
}

/// SMS ports and 400/800 hotlines.
fn prefixed_number(d: &Digits<'_>) -> Option<Decision> {
    PREFIXED_NUMBERS
        .iter()
        .find(|(prefix, lengths, _)| d.prefixed(prefix, lengths))
        .map(|(_, _, kind)| Decision::Listed(*kind))
}

/// 10 to 12 digits after a single 0 (an area code).
fn landline(d: &Digits<'_>) -> Option<Decision> {
    let area_code = d.digits.starts_with('0') && !d.digits.starts_with("00");
    (area_code && (10..=12).contains(&d.len())).then_some(Decision::Listed(EntityKind::Landline))
}

/// A number right before a unit is a quantity, not a short service number.
fn quantity(d: &Digits<'_>) -> Option<Decision> {
    d.unit_after.then_some(Decision::Nothing)
}

fn short_service_number(d: &Digits<'_>) -> Option<Decision> {
    let listed = SHORT_SERVICE_NUMBERS
        .iter()
        .any(|(prefix, lengths)| d.prefixed(prefix, lengths));
    listed.then_some(Decision::Listed(EntityKind::ServiceNumber))
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

    /// Asserts that `text` has an entity of `kind`.
    fn assert_finds(text: &str, kind: EntityKind) {
        let found = kinds(text);
        assert!(found.iter().any(|(k, _)| *k == kind), "{kind:?}: {found:?}");
    }

    /// What `pick` takes from the detail of each entity of `text`, in order.
    fn details<T>(text: &str, pick: impl Fn(&Detail) -> Option<T>) -> Vec<T> {
        entities(text)
            .iter()
            .filter_map(|e| pick(&e.detail))
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
        assert_finds("本期应还12000元", EntityKind::Amount);
    }

    #[test]
    fn spaced_mobile_with_country_code() {
        assert_finds("联系 +86 138 0013 8000", EntityKind::Mobile);
    }

    #[test]
    fn context_words_decide_before_length() {
        let found = kinds("qq 13800138000，编号13800138000，账号123456789，账号123456789元");
        assert_eq!(
            found,
            vec![
                (EntityKind::QqId, "13800138000".into()),
                (EntityKind::BankCard, "123456789".into()),
                (EntityKind::Amount, "123456789元".into()),
            ]
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
        let urls = details(
            "点击 http://xx-court.top/a 或 https://zxgk.court.gov.cn/ 以及 court.gov.cn.evil.top/x.apk",
            |d| match d {
                Detail::Url(u) => Some(u.clone()),
                _ => None,
            },
        );
        assert_eq!(urls.len(), 3);
        assert!(!urls[0].official && !urls[0].court);
        assert!(urls[1].official && urls[1].court);
        assert!(!urls[2].official && urls[2].apk);
    }

    #[test]
    fn case_numbers() {
        assert_finds(
            "案号（2025）京0105民初12345号，请查收",
            EntityKind::CaseNumber,
        );
    }

    #[test]
    fn amounts_with_units() {
        let yuan = details(
            "欠款1.2万，今天先还三千五，共计12,000元",
            |d| match d {
                Detail::Amount { yuan } => Some(*yuan),
                _ => None,
            },
        );
        assert_eq!(yuan, vec![12000.0, 3500.0, 12000.0]);
    }

    #[test]
    fn night_times() {
        let nights = details(
            "凌晨1点20分打来，晚上11点又打，下午3:00也打",
            |d| match d {
                Detail::Time { night, .. } => Some(*night),
                _ => None,
            },
        );
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
    fn a_lender_name_does_not_take_the_words_before_it() {
        let names = |text: &str| -> Vec<String> {
            entities(text)
                .into_iter()
                .filter(|e| e.kind == EntityKind::Lender)
                .map(|e| e.value)
                .collect()
        };
        assert_eq!(names("你与某某小贷借款合同纠纷一案"), ["某某小贷"]);
        assert_eq!(names("受某某银行委托"), ["某某银行"]);
        assert_eq!(
            names("与某某消费金融有限公司金融借款合同纠纷"),
            ["某某消费金融"]
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
