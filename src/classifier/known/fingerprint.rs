//! A fingerprint of a message that survives what scammers change between copies.
//!
//! 1. **Canonical text**: the normalised text (zero-width characters, width and Traditional
//!    characters already folded) with each entity replaced by a one-character mark of its kind
//!    (numbers `#`, links `@`, amounts `¥`, lender and brand names `L`), leftover digit runs
//!    and masks (`138****5678`, `[号码]`) as `#`, and everything that is not a letter, a digit or
//!    an ideograph dropped (spaces, punctuation, emoji). A leading "转发" goes too.
//! 2. **Shingles**: every run of [`SHINGLE`] characters of the canonical text, as a set.
//! 3. **MinHash**: for each of [`HASHES`] hash functions, the shingle with the smallest hash;
//!    [`Fingerprint`] keeps 16 bits of each (b-bit MinHash). The share of equal slots of
//!    two fingerprints estimates the Jaccard similarity of their shingle sets.

use super::super::entities::{Entity, EntityKind};

/// Characters per shingle.
pub const SHINGLE: usize = 3;
/// MinHash slots: [`BANDS`] bands of [`ROWS`] rows for the index.
pub const HASHES: usize = BANDS * ROWS;
pub const BANDS: usize = 20;
pub const ROWS: usize = 3;
/// Texts with fewer distinct shingles are too short to call anything a copy of them.
pub const MIN_SHINGLES: usize = 12;
/// Bumped whenever the canonical text, the shingles or the hashes change; stored fingerprints
/// of another version are computed again from their text.
pub const VERSION: i64 = 1;
/// Bytes of [`Fingerprint::to_bytes`].
pub const ENCODED_LEN: usize = 2 + 2 * HASHES;

/// Marks that stand for an entity in the canonical text.
const NUMBER: char = '#';
const LINK: char = '@';
const MONEY: char = '¥';
const NAME: char = 'L';

/// A message's MinHash signature and the size of its shingle set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub slots: [u16; HASHES],
    /// Distinct shingles (at most `u16::MAX`).
    pub shingles: u16,
}

impl Fingerprint {
    /// The fingerprint of a normalised text and its entities; `None` when it is too short to
    /// compare.
    pub fn of_normalized(norm: &str, entities: &[Entity]) -> Option<Fingerprint> {
        Self::of_canonical(&canonical(norm, entities))
    }

    /// The fingerprint of a canonical text; `None` when it is too short to compare.
    pub fn of_canonical(canonical: &str) -> Option<Fingerprint> {
        let chars: Vec<char> = canonical.chars().collect();
        if chars.len() < SHINGLE {
            return None;
        }
        let mut hashes: Vec<u64> = chars.windows(SHINGLE).map(shingle_hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        if hashes.len() < MIN_SHINGLES {
            return None;
        }
        // Hash function i is multiply-shift, `a_i * h + b_i` (odd `a_i`), over the already
        // well-mixed shingle hash: one multiply per shingle and function.
        let mut mins = [u64::MAX; HASHES];
        for &h in &hashes {
            for (min, (a, b)) in mins.iter_mut().zip(MULTIPLIERS.iter().zip(&SEEDS)) {
                let v = h.wrapping_mul(*a).wrapping_add(*b);
                *min = (*min).min(v);
            }
        }
        let mut slots = [0u16; HASHES];
        for (slot, min) in slots.iter_mut().zip(mins) {
            // The top bits of a multiply-shift hash are the good ones.
            *slot = (min >> 48) as u16;
        }
        Some(Fingerprint {
            slots,
            shingles: hashes.len().min(usize::from(u16::MAX)) as u16,
        })
    }

    /// Estimated Jaccard similarity of the two shingle sets, 0–1.
    pub fn jaccard(&self, other: &Fingerprint) -> f32 {
        let equal = self
            .slots
            .iter()
            .zip(&other.slots)
            .filter(|(a, b)| a == b)
            .count();
        equal as f32 / HASHES as f32
    }

    /// Estimated share of the smaller text's shingles found in the larger one, 0–1: high for a
    /// copy whose end was cut off.
    pub fn containment(&self, other: &Fingerprint, jaccard: f32) -> f32 {
        let (a, b) = (f32::from(self.shingles), f32::from(other.shingles));
        (self.shared(other, jaccard) / a.min(b)).min(1.0)
    }

    /// This text's size against `other`'s, in distinct shingles: under 1 for a shorter text
    /// (a copy whose end was cut off).
    pub fn size_ratio(&self, other: &Fingerprint) -> f32 {
        f32::from(self.shingles) / f32::from(other.shingles.max(1))
    }

    /// Estimated number of shingles the two texts share, from their Jaccard similarity.
    fn shared(&self, other: &Fingerprint, jaccard: f32) -> f32 {
        let (a, b) = (f32::from(self.shingles), f32::from(other.shingles));
        jaccard * (a + b) / (1.0 + jaccard)
    }

    /// The key of band `band` (rows `band * ROWS ..`), for the index.
    pub fn band_key(&self, band: usize) -> u32 {
        let mut h = band as u64;
        for &v in &self.slots[band * ROWS..(band + 1) * ROWS] {
            h = mix(h.rotate_left(16) ^ u64::from(v));
        }
        h as u32
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCODED_LEN);
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for v in self.slots {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Fingerprint> {
        if bytes.len() != ENCODED_LEN {
            return None;
        }
        let word = |i: usize| u16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]);
        let mut slots = [0u16; HASHES];
        for (i, slot) in slots.iter_mut().enumerate() {
            *slot = word(i + 1);
        }
        Some(Fingerprint {
            slots,
            shingles: word(0),
        })
    }
}

/// The canonical text of a normalised text and its entities (see the module docs).
pub fn canonical(norm: &str, entities: &[Entity]) -> String {
    let mut marked = String::with_capacity(norm.len());
    let mut pos = 0;
    let mut spans: Vec<(&std::ops::Range<usize>, char)> = entities
        .iter()
        .map(|e| (&e.norm_span, mark(e.kind)))
        .collect();
    spans.sort_by_key(|(r, _)| r.start);
    for (range, mark) in spans {
        if range.start < pos || range.end > norm.len() {
            continue;
        }
        marked.push_str(&norm[pos..range.start]);
        marked.push(mark);
        pos = range.end;
    }
    marked.push_str(&norm[pos..]);
    // What redaction left in a stored text: "[号码]", "[金额]", "138****5678".
    let marked = marked.replace("[号码]", "#").replace("[金额]", "¥");

    let mut out = String::with_capacity(marked.len());
    for c in marked.chars() {
        let c = if c.is_ascii_digit() || c == '*' {
            NUMBER
        } else if c == NUMBER || c == LINK || c == MONEY || c == NAME || c.is_alphanumeric() {
            c
        } else {
            continue;
        };
        // A run of marks is one mark: "#·#" and "#" are the same gap.
        if matches!(c, NUMBER | LINK | MONEY) && out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    for prefix in ["转发", "转自", "fwd", "fw"] {
        if let Some(rest) = out.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    out
}

fn mark(kind: EntityKind) -> char {
    match kind {
        EntityKind::Url => LINK,
        EntityKind::Amount => MONEY,
        EntityKind::Lender | EntityKind::Brand => NAME,
        EntityKind::Mobile
        | EntityKind::Landline
        | EntityKind::ServiceNumber
        | EntityKind::SmsPort
        | EntityKind::BankCard
        | EntityKind::IdNumber
        | EntityKind::QqId
        | EntityKind::WechatId
        | EntityKind::Date
        | EntityKind::Time
        | EntityKind::CaseNumber => NUMBER,
    }
}

fn shingle_hash(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(0x9E37_79B9_7F4A_7C15, |h, &c| mix(h ^ u64::from(c)))
}

/// splitmix64's finaliser: a fixed, well-mixed 64-bit hash (the same on every machine, so
/// stored fingerprints stay valid).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One multiplier (odd) and one seed per hash function, fixed.
const MULTIPLIERS: [u64; HASHES] = {
    let mut m = random_words(0x00DD_BA11_5EED_0002);
    let mut i = 0;
    while i < HASHES {
        m[i] |= 1;
        i += 1;
    }
    m
};
const SEEDS: [u64; HASHES] = random_words(0x5EED_1234_ABCD_0001);

/// Fixed pseudo-random words (splitmix64 from `state`).
const fn random_words(mut state: u64) -> [u64; HASHES] {
    let mut seeds = [0u64; HASHES];
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        seeds[i] = z ^ (z >> 31);
        i += 1;
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(s: &str) -> Fingerprint {
        Fingerprint::of_canonical(s).expect("long enough")
    }

    #[test]
    fn bytes_round_trip() {
        let f = fp("您的借款已严重逾期请立即还款否则将上门拜访");
        assert_eq!(Fingerprint::from_bytes(&f.to_bytes()), Some(f.clone()));
        assert_eq!(f.to_bytes().len(), ENCODED_LEN);
        assert_eq!(Fingerprint::from_bytes(&[1, 2, 3]), None);
    }

    #[test]
    fn same_text_is_identical_and_unrelated_text_is_far() {
        let a = fp("您的借款已严重逾期请立即将欠款转入专员个人账户否则上门");
        let b = fp("今天晚上一起去吃火锅吗我们六点在公司楼下集合然后打车");
        assert_eq!(a.jaccard(&a), 1.0);
        assert!(a.jaccard(&b) < 0.2, "{}", a.jaccard(&b));
    }

    #[test]
    fn short_texts_have_no_fingerprint() {
        assert_eq!(Fingerprint::of_canonical("在吗"), None);
        assert_eq!(Fingerprint::of_canonical("收到谢谢你好的"), None);
    }

    #[test]
    fn a_cut_off_copy_is_contained() {
        let full = fp(
            "您的借款已严重逾期请立即将欠款转入专员个人账户否则将安排人员上门并通知您的家人和单位",
        );
        let cut = fp("您的借款已严重逾期请立即将欠款转入专员个人账户否则将安排");
        let j = full.jaccard(&cut);
        assert!(
            full.containment(&cut, j) > 0.8,
            "{}",
            full.containment(&cut, j)
        );
    }
}
