//! What the learned stage sees of a message: character n-grams of the normalised text, with
//! each entity replaced by its kind (another phone number or amount is the same message), and
//! tokens for the derived features and the rules that fired.

use std::ops::Range;

use super::hashing::{bucket, fnv1a, gram_hash};
use crate::classifier::entities::{Entity, EntityKind};

/// Which n-gram lengths to use; part of the model file, so a model is read the way it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    pub bucket_bits: u32,
    pub min_n: usize,
    pub max_n: usize,
}

/// A character of the model's view of the text, with its normalised-text byte range.
struct Unit {
    ch: char,
    span: Range<usize>,
}

/// Placeholders for entities: one private-use character per kind.
fn placeholder(kind: EntityKind) -> char {
    let n = match kind {
        EntityKind::Mobile => 0,
        EntityKind::Landline => 1,
        EntityKind::ServiceNumber => 2,
        EntityKind::SmsPort => 3,
        EntityKind::BankCard => 4,
        EntityKind::IdNumber => 5,
        EntityKind::QqId => 6,
        EntityKind::WechatId => 7,
        EntityKind::Url => 8,
        EntityKind::Amount => 9,
        EntityKind::Date => 10,
        EntityKind::Time => 11,
        EntityKind::CaseNumber => 12,
        // Lender and brand names stay as text: "借呗" and "【招联金融】" say something.
        EntityKind::Lender | EntityKind::Brand => return '\0',
    };
    char::from_u32(0xE000 + n).unwrap_or('\u{E000}')
}

/// Calls `f` with each unit of the model's view of the text: entities as one placeholder, digits
/// as '0', runs of spaces and of digits as one.
fn for_each_unit(norm: &str, entities: &[Entity], mut f: impl FnMut(Unit)) {
    let mut spans: Vec<(Range<usize>, char)> = entities
        .iter()
        .map(|e| (e.norm_span.clone(), placeholder(e.kind)))
        .filter(|(_, p)| *p != '\0')
        .collect();
    spans.sort_by_key(|(r, _)| r.start);
    let mut next_entity = spans.iter().peekable();
    let mut skip_to = 0;
    let mut last = '\u{1}';
    for (pos, c) in norm.char_indices() {
        if pos < skip_to {
            continue;
        }
        while next_entity.peek().is_some_and(|(r, _)| r.end <= pos) {
            next_entity.next();
        }
        if let Some((r, p)) = next_entity.peek()
            && r.start <= pos
        {
            last = *p;
            f(Unit {
                ch: *p,
                span: r.clone(),
            });
            skip_to = r.end;
            next_entity.next();
            continue;
        }
        let ch = if c.is_ascii_digit() { '0' } else { c };
        if (ch == ' ' || ch == '0') && last == ch {
            continue;
        }
        last = ch;
        f(Unit {
            ch,
            span: pos..pos + c.len_utf8(),
        });
    }
}

#[cfg(test)]
fn units(norm: &str, entities: &[Entity]) -> Vec<Unit> {
    let mut out = Vec::new();
    for_each_unit(norm, entities, |u| out.push(u));
    out
}

/// Calls `f` with the bucket, the normalised-text range and the length of every n-gram,
/// streaming: no list of characters is built.
pub fn for_each_ngram(
    scheme: Scheme,
    norm: &str,
    entities: &[Entity],
    mut f: impl FnMut(u32, Range<usize>, usize),
) {
    const MAX: usize = 8;
    let max_n = scheme.max_n.min(MAX);
    // The last `max_n` units, newest last.
    let mut chars = ['\0'; MAX];
    let mut starts = [0usize; MAX];
    let mut filled = 0usize;
    for_each_unit(norm, entities, |u| {
        if filled == max_n {
            chars.copy_within(1..max_n, 0);
            starts.copy_within(1..max_n, 0);
            filled -= 1;
        }
        chars[filled] = u.ch;
        starts[filled] = u.span.start;
        filled += 1;
        for n in scheme.min_n..=max_n.min(filled) {
            let h = gram_hash(&chars[filled - n..filled]);
            f(
                bucket(h, scheme.bucket_bits),
                starts[filled - n]..u.span.end,
                n,
            );
        }
    });
}

/// Appends the n-gram buckets of `norm` to `buckets`, and the places of the longest n-grams
/// (the ones worth quoting) to `quotable` as (index in `buckets`, start, end): scoring and the
/// quote when the model speaks, without hashing twice.
pub fn ngram_buckets_and_spans(
    scheme: Scheme,
    norm: &str,
    entities: &[Entity],
    buckets: &mut Vec<u32>,
    quotable: &mut Vec<(u32, u32, u32)>,
) {
    for_each_ngram(scheme, norm, entities, |bucket, span, n| {
        if n == scheme.max_n {
            quotable.push((buckets.len() as u32, span.start as u32, span.end as u32));
        }
        buckets.push(bucket);
    });
}

/// The bucket of a named token ("rule:pay.qr_code", "feature:url_unofficial").
pub fn token(scheme: Scheme, kind: &str, name: &str) -> u32 {
    bucket(
        fnv1a(&[b"t", kind.as_bytes(), name.as_bytes()]),
        scheme.bucket_bits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEME: Scheme = Scheme {
        bucket_bits: 16,
        min_n: 1,
        max_n: 3,
    };

    #[test]
    fn entities_become_one_placeholder_and_digits_fold() {
        let text = "请转账到6222021603884417谢谢";
        let start = text.find('6').unwrap();
        let card = Entity {
            kind: EntityKind::BankCard,
            span: start..start + 16,
            norm_span: start..start + 16,
            value: String::new(),
            detail: crate::classifier::Detail::None,
        };
        let u = units(text, &[card]);
        let chars: String = u.iter().map(|u| u.ch).collect();
        assert_eq!(chars, "请转账到\u{E004}谢谢");
        let plain: String = units("第12期 ", &[]).iter().map(|u| u.ch).collect();
        assert_eq!(plain, "第0期 ");
    }

    #[test]
    fn ngrams_point_back_at_the_text() {
        let (mut buckets, mut quotable) = (Vec::new(), Vec::new());
        ngram_buckets_and_spans(SCHEME, "征信修复", &[], &mut buckets, &mut quotable);
        assert_eq!(buckets.len(), 4 + 3 + 2);
        // Only the trigrams are quotable, each pointing at its own bucket.
        assert_eq!(quotable.len(), 2);
        let (index, start, end) = *quotable.last().unwrap();
        assert_eq!(index as usize, buckets.len() - 1);
        assert_eq!(&"征信修复"[start as usize..end as usize], "信修复");
    }
}
