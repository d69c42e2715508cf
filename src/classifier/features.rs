//! Features: facts derived from the entities and the context, that rules can name as `@feature`.

use super::directory::Directory;
use super::entities::{Detail, Entity, EntityKind};
use super::{Context, ForwardOrigin};

macro_rules! features {
    ($($variant:ident = $name:literal,)*) => {
        /// A fact a rule can test with `@name`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Feature { $($variant,)* }

        impl Feature {
            pub const ALL: &[Feature] = &[$(Feature::$variant,)*];

            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)* _ => None }
            }

            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }
        }
    };
}

features! {
    BankCard = "bank_card",
    IdNumber = "id_number",
    Mobile = "mobile",
    Landline = "landline",
    ServiceNumber = "service_number",
    SmsPort = "sms_port",
    QqId = "qq_id",
    WechatId = "wechat_id",
    Url = "url",
    UrlOfficial = "url_official",
    UrlCourt = "url_court",
    UrlUnofficial = "url_unofficial",
    ShortLink = "short_link",
    UrlCheapTld = "url_cheap_tld",
    ApkLink = "apk_link",
    Amount = "amount",
    Date = "date",
    Time = "time",
    NightTime = "night_time",
    CaseNumber = "case_number",
    Lender = "lender",
    ListedLender = "listed_lender",
    Brand = "brand",
    LenderBrand = "lender_brand",
    GenericHeader = "generic_header",
    ListedNumber = "listed_number",
    ListedGovNumber = "listed_gov_number",
    UnlistedServiceNumber = "unlisted_service_number",
    SenderMobile = "sender_mobile",
    SenderListed = "sender_listed",
    ForwardedFromChannel = "forwarded_from_channel",
    ForwardedHidden = "forwarded_hidden",
}

/// Words inside 【】 that make it a header, not a sender's signature.
const GENERIC_HEADER_WORDS: &[&str] = &[
    "通知", "中心", "催收", "法务", "外访", "提醒", "警告", "紧急", "重要", "公告", "律师", "调解",
    "部", "组", "处理", "专员", "最后", "告知", "函", "核实", "贷后", "逾期", "风控", "清收",
    "资产", "客服", "官方", "系统", "平台",
];

const LENDER_SUFFIXES: &[&str] = &["银行", "消费金融", "金融", "小贷", "信用卡", "借条", "贷款"];

/// The features of one message, each with the normalised-text range it refers to.
pub fn derive(
    entities: &[Entity],
    directory: &Directory,
    context: &Context,
    message_len: usize,
    out: &mut Vec<(Feature, std::ops::Range<usize>)>,
) {
    for e in entities {
        let r = e.norm_span.clone();
        let mut add = |f: Feature| out.push((f, r.clone()));
        match (&e.kind, &e.detail) {
            (EntityKind::BankCard, _) => add(Feature::BankCard),
            (EntityKind::IdNumber, _) => add(Feature::IdNumber),
            (EntityKind::QqId, _) => add(Feature::QqId),
            (EntityKind::WechatId, _) => add(Feature::WechatId),
            (EntityKind::Amount, _) => add(Feature::Amount),
            (EntityKind::Date, _) => add(Feature::Date),
            (EntityKind::CaseNumber, _) => add(Feature::CaseNumber),
            (EntityKind::Time, Detail::Time { night, .. }) => {
                add(Feature::Time);
                if *night {
                    add(Feature::NightTime);
                }
            }
            (EntityKind::Url, Detail::Url(info)) => {
                add(Feature::Url);
                if info.court {
                    add(Feature::UrlCourt);
                }
                if info.official {
                    add(Feature::UrlOfficial);
                } else {
                    add(Feature::UrlUnofficial);
                }
                if info.short_link {
                    add(Feature::ShortLink);
                }
                if info.cheap_tld {
                    add(Feature::UrlCheapTld);
                }
                if info.apk {
                    add(Feature::ApkLink);
                }
            }
            (
                kind @ (EntityKind::Mobile
                | EntityKind::Landline
                | EntityKind::ServiceNumber
                | EntityKind::SmsPort),
                Detail::Number { listed },
            ) => {
                add(match kind {
                    EntityKind::Mobile => Feature::Mobile,
                    EntityKind::Landline => Feature::Landline,
                    EntityKind::SmsPort => Feature::SmsPort,
                    _ => Feature::ServiceNumber,
                });
                match listed.and_then(|i| directory.get(i)) {
                    Some(entry) => {
                        add(Feature::ListedNumber);
                        if !entry.kind.is_creditor() {
                            add(Feature::ListedGovNumber);
                        }
                    }
                    None if *kind == EntityKind::ServiceNumber => {
                        add(Feature::UnlistedServiceNumber)
                    }
                    None => {}
                }
            }
            (EntityKind::Lender, Detail::Name { listed }) => {
                add(Feature::Lender);
                if listed.is_some() {
                    add(Feature::ListedLender);
                }
            }
            (EntityKind::Brand, Detail::Name { listed }) => {
                let name = e.value.as_str();
                if listed.is_some() || LENDER_SUFFIXES.iter().any(|s| name.contains(s)) {
                    add(Feature::Brand);
                    add(Feature::LenderBrand);
                } else if GENERIC_HEADER_WORDS.iter().any(|w| name.contains(w)) {
                    add(Feature::GenericHeader);
                } else {
                    add(Feature::Brand);
                }
            }
            _ => {}
        }
    }

    let whole = 0..message_len;
    if let Some(number) = &context.sender_number {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if directory.lookup_number(&digits).is_some() {
            out.push((Feature::SenderListed, whole.clone()));
        } else if digits.len() >= 11 && (digits.starts_with('1') || digits.starts_with("861")) {
            out.push((Feature::SenderMobile, whole.clone()));
        }
    }
    match context.forward_origin {
        Some(ForwardOrigin::Channel) => out.push((Feature::ForwardedFromChannel, whole)),
        Some(ForwardOrigin::HiddenUser) => out.push((Feature::ForwardedHidden, whole)),
        _ => {}
    }
}
