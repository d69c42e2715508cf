//! Near-copies of a message, changed the way scam scripts change between victims: other digits,
//! names, amounts, links and lender names, inserted spaces and zero-width characters, other
//! punctuation, a forwarding prefix, a cut-off end. Deterministic for a seed.

use std::sync::LazyLock;

use regex::Regex;

/// One kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Digits,
    Names,
    Amounts,
    Links,
    Lenders,
    Spaces,
    ZeroWidth,
    Punctuation,
    Prefix,
    CutOff,
}

impl Change {
    pub const ALL: [Change; 10] = [
        Change::Digits,
        Change::Names,
        Change::Amounts,
        Change::Links,
        Change::Lenders,
        Change::Spaces,
        Change::ZeroWidth,
        Change::Punctuation,
        Change::Prefix,
        Change::CutOff,
    ];
}

/// A small deterministic generator (xorshift), so the sets are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志";
const LENDERS: [&str; 14] = [
    "借呗",
    "微粒贷",
    "京东金条",
    "360借条",
    "分期乐",
    "安逸花",
    "招联金融",
    "美团借钱",
    "度小满",
    "拍拍贷",
    "马上消费",
    "洋钱罐",
    "你我贷",
    "小赢卡贷",
];
const HOSTS: [&str; 6] = ["top", "xyz", "cc", "vip", "com", "cn"];

static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        "[{SURNAMES}][\\p{{Han}}]{{1,2}}(先生|女士|专员|经理|主任|律师|警官|法官)"
    ))
    .unwrap()
});
static AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9][0-9,，.]*(元|块|万)").unwrap());
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(https?://)?[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*\.(com|cn|top|xyz|cc|net|vip|app|ink|info)(/[\w./?=&-]*)?").unwrap()
});

/// `text` with one kind of change.
pub fn apply(text: &str, change: Change, rng: &mut Rng) -> String {
    match change {
        Change::Digits => text
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_digit((d + 1 + rng.below(9) as u32) % 10, 10).unwrap(),
                None => c,
            })
            .collect(),
        Change::Names => NAME
            .replace_all(text, |caps: &regex::Captures| {
                let surnames: Vec<char> = SURNAMES.chars().collect();
                let given: Vec<char> = GIVEN.chars().collect();
                format!("{}{}{}", rng.pick(&surnames), rng.pick(&given), &caps[1])
            })
            .into_owned(),
        Change::Amounts => AMOUNT
            .replace_all(text, |caps: &regex::Captures| {
                format!("{}{}", 100 + rng.below(49_900), &caps[1])
            })
            .into_owned(),
        Change::Links => LINK
            .replace_all(text, |_: &regex::Captures| {
                let letters: String = (0..6)
                    .map(|_| char::from(b'a' + rng.below(26) as u8))
                    .collect();
                format!("http://{letters}.{}/{}", rng.pick(&HOSTS), rng.below(999))
            })
            .into_owned(),
        Change::Lenders => {
            let mut out = text.to_string();
            for lender in LENDERS {
                if out.contains(lender) {
                    let other = loop {
                        let o = *rng.pick(&LENDERS);
                        if o != lender {
                            break o;
                        }
                    };
                    out = out.replace(lender, other);
                    break;
                }
            }
            out
        }
        Change::Spaces => insert_every(text, ' ', 4, rng),
        Change::ZeroWidth => insert_every(text, '\u{200b}', 3, rng),
        Change::Punctuation => text
            .chars()
            .filter_map(|c| match c {
                '，' => Some(if rng.below(2) == 0 { ',' } else { ' ' }),
                '。' => Some('.'),
                '：' => Some(':'),
                '！' => Some('!'),
                '【' | '】' | '“' | '”' | '、' => None,
                _ => Some(c),
            })
            .collect(),
        Change::Prefix => format!(
            "{}{text}",
            rng.pick(&["转发：", "【转】", "Fwd: ", "转自群聊："])
        ),
        Change::CutOff => {
            let chars: Vec<char> = text.chars().collect();
            chars[..chars.len() * 7 / 10].iter().collect()
        }
    }
}

/// `text` with several changes, as a copy sent to another victim.
pub fn mixed(text: &str, changes: &[Change], rng: &mut Rng) -> String {
    changes
        .iter()
        .fold(text.to_string(), |t, &c| apply(&t, c, rng))
}

fn insert_every(text: &str, mark: char, every: usize, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (i, c) in text.chars().enumerate() {
        out.push(c);
        if i % every == every - 1 && rng.below(2) == 0 {
            out.push(mark);
        }
    }
    out
}
