//! Text normalisation: one canonical form for matching, with a map back to the original text.
//!
//! The steps, in order:
//! 1. drop invisible format characters (zero-width spaces, bidi controls, soft hyphens,
//!    variation selectors);
//! 2. NFKC, character by character (full-width letters and digits become ASCII, Kangxi radicals
//!    become ideographs, circled digits become digits);
//! 3. lowercase, Traditional → Simplified (character table from OpenCC);
//! 4. whitespace runs become one space (line breaks are kept, they end a clause);
//! 5. separators between two CJK characters go ("微 信", "微-信" → "微信"), spaces between CJK
//!    and Latin or digits go, and digit groups split by spaces or dashes are joined when they
//!    make a number of ten digits or more (phones, cards; dates stay intact);
//! 6. obfuscated spellings are folded to one word (威信, VX, V信 → 微信; 扣扣 → qq).
//!
//! Every output byte remembers the byte range of the original character it came from, so an
//! entity or a quoted reason can point at the user's own words.
//!
//! NFKC is applied per character, so a base letter followed by a combining accent is not
//! recomposed. That never matters for Chinese text and keeps the mapping exact.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use unicode_normalization::UnicodeNormalization;

use super::data::FoldTable;

/// A byte range in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// The normalised text and, for each of its bytes, where it came from.
#[derive(Debug, Clone)]
pub struct Normalized {
    text: String,
    spans: Vec<Span>,
}

impl Normalized {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The byte range in the original text that produced `range` of the normalised text.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        if self.spans.is_empty() || range.start >= range.end {
            return 0..0;
        }
        let first = self.spans[range.start.min(self.spans.len() - 1)];
        let last = self.spans[(range.end - 1).min(self.spans.len() - 1)];
        first.start as usize..last.end.max(first.start) as usize
    }
}

/// Builds [`Normalized`] text. Built once; cheap to share.
pub struct Normalizer {
    t2s: HashMap<char, char>,
    /// One bit per CJK character (U+3400–U+9FFF): is it in `t2s`? Most characters are not, and
    /// the bit test is far cheaper than a hash lookup.
    traditional: Vec<u64>,
    fold_matcher: AhoCorasick,
    fold_targets: Vec<FoldTarget>,
}

struct FoldTarget {
    replacement: String,
    /// A variant that starts or ends with a Latin letter ("vx", "加v") only counts there as a
    /// word edge: not inside "vxyz" or "加vip".
    latin_start: bool,
    latin_end: bool,
}

impl Normalizer {
    pub fn new(t2s_table: &str, folds: &FoldTable) -> Result<Self, String> {
        let mut t2s = HashMap::with_capacity(4200);
        for line in t2s_table.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut chars = line.chars();
            match (chars.next(), chars.next(), chars.next()) {
                (Some(t), Some(s), None) => {
                    t2s.insert(t, s);
                }
                _ => return Err(format!("t2s table: bad line {line:?}")),
            }
        }
        // Some entries chain (薴 → 苧 → 苎): map each straight to the end of its chain, so one
        // lookup is enough and normalising twice changes nothing.
        let keys: Vec<char> = t2s.keys().copied().collect();
        for k in keys {
            let mut target = t2s[&k];
            for _ in 0..8 {
                match t2s.get(&target) {
                    Some(&next) if next != target => target = next,
                    _ => break,
                }
            }
            t2s.insert(k, target);
        }
        let mut traditional = vec![0u64; (CJK_END - CJK_START) as usize / 64 + 1];
        for &c in t2s.keys() {
            if let Some(bit) = cjk_bit(c) {
                traditional[bit / 64] |= 1 << (bit % 64);
            }
        }
        let table = super::spelling::expanded(folds, |c| !t2s.contains_key(&c))?;
        let all_variants: Vec<&String> = table.values().flatten().collect();
        let mut patterns = Vec::new();
        let mut fold_targets = Vec::new();
        for (canonical, variants) in &table {
            // A canonical word that contains some variant ("支付宝" ⊃ "付宝") is a pattern too, so
            // that it is not read as "支" + that variant.
            let guard = all_variants
                .iter()
                .any(|v| v.as_str() != canonical && canonical.contains(v.as_str()));
            let own = guard.then_some(canonical);
            for variant in own.into_iter().chain(variants) {
                // Variants are written in normalised form already (lowercase, simplified).
                let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                patterns.push(variant.clone());
                fold_targets.push(FoldTarget {
                    replacement: canonical.clone(),
                    latin_start: latin(variant.chars().next()),
                    latin_end: latin(variant.chars().next_back()),
                });
            }
        }
        let fold_matcher = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| format!("fold table: {e}"))?;
        Ok(Self {
            t2s,
            traditional,
            fold_matcher,
            fold_targets,
        })
    }

    /// Normalise `input`. Normalising the result again changes nothing.
    pub fn normalize(&self, input: &str) -> Normalized {
        let first = self.map_chars(input);
        let mut text = join_separated(first);
        // Folding can create new matches: "+威信" → "+微信" → "加微信", and it can put CJK
        // characters on either side of a space ("vx 号" → "微信 号"). Repeat until stable; the fold
        // table needs two rounds at most, and tests/properties.rs checks idempotence.
        for _ in 0..4 {
            match self.fold_obfuscations(&text) {
                Some(folded) => text = join_separated(folded),
                None => break,
            }
        }
        text
    }

    /// Steps 1 to 4: per-character mapping.
    fn map_chars(&self, input: &str) -> Normalized {
        let mut out = Normalized {
            text: String::with_capacity(input.len()),
            spans: Vec::with_capacity(input.len()),
        };
        let mut last_was_space = true; // trims leading whitespace
        for (pos, c) in input.char_indices() {
            let span = Span {
                start: pos as u32,
                end: (pos + c.len_utf8()) as u32,
            };
            if c.is_ascii() {
                self.push_mapped(&mut out, c.to_ascii_lowercase(), span, &mut last_was_space);
            } else if is_cjk_unified(c) {
                let c = self.simplified(c);
                self.push_mapped(&mut out, c, span, &mut last_was_space);
            } else if is_invisible(c) {
                continue;
            } else {
                for n in std::iter::once(c).nfkc() {
                    if is_invisible(n) {
                        continue;
                    }
                    if n.is_uppercase() {
                        for l in n.to_lowercase() {
                            self.push_mapped(&mut out, l, span, &mut last_was_space);
                        }
                    } else {
                        let n = self.simplified(n);
                        self.push_mapped(&mut out, n, span, &mut last_was_space);
                    }
                }
            }
        }
        if out.text.ends_with(' ') {
            out.text.pop();
            out.spans.pop();
        }
        out
    }

    fn simplified(&self, c: char) -> char {
        match cjk_bit(c) {
            Some(bit) if self.traditional[bit / 64] & (1 << (bit % 64)) == 0 => c,
            Some(_) => self.t2s.get(&c).copied().unwrap_or(c),
            None => self.t2s.get(&c).copied().unwrap_or(c),
        }
    }

    fn push_mapped(&self, out: &mut Normalized, c: char, span: Span, last_was_space: &mut bool) {
        if c.is_whitespace() {
            if c == '\n' {
                // A line break ends a clause; a space before it is noise.
                if out.text.ends_with(' ') {
                    out.text.pop();
                    out.spans.pop();
                }
                if !out.text.ends_with('\n') && !out.text.is_empty() {
                    push_char(out, '\n', span);
                }
                *last_was_space = true;
            } else if !*last_was_space {
                push_char(out, ' ', span);
                *last_was_space = true;
            }
            return;
        }
        *last_was_space = false;
        push_char(out, c, span);
    }

    /// Step 6. Returns `None` when nothing was folded (the common case).
    fn fold_obfuscations(&self, input: &Normalized) -> Option<Normalized> {
        let text = input.text.as_str();
        let mut out: Option<Normalized> = None;
        let mut copied_to = 0;
        for m in self.fold_matcher.find_iter(text) {
            let target = &self.fold_targets[m.pattern().as_usize()];
            if !is_latin_word_boundary(
                text,
                m.start(),
                m.end(),
                target.latin_start,
                target.latin_end,
            ) {
                continue;
            }
            if text[m.start()..m.end()] == target.replacement {
                continue;
            }
            let out = out.get_or_insert_with(|| Normalized {
                text: String::with_capacity(text.len() + 16),
                spans: Vec::with_capacity(text.len() + 16),
            });
            out.text.push_str(&text[copied_to..m.start()]);
            out.spans
                .extend_from_slice(&input.spans[copied_to..m.start()]);
            let span = Span {
                start: input.spans[m.start()].start,
                end: input.spans[m.end() - 1].end,
            };
            out.text.push_str(&target.replacement);
            out.spans
                .extend(std::iter::repeat_n(span, target.replacement.len()));
            copied_to = m.end();
        }
        let mut out = out?;
        out.text.push_str(&text[copied_to..]);
        out.spans.extend_from_slice(&input.spans[copied_to..]);
        Some(out)
    }
}

fn push_char(out: &mut Normalized, c: char, span: Span) {
    out.text.push(c);
    out.spans.extend(std::iter::repeat_n(span, c.len_utf8()));
}

/// A Latin fold ("vx") must not sit inside a longer Latin word ("vxyz", "wxid_").
fn is_latin_word_boundary(
    text: &str,
    start: usize,
    end: usize,
    check_start: bool,
    check_end: bool,
) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    // Inside an id, a domain or an e-mail address ("wx-jiechu.top") nothing is folded.
    let is_word = |c: Option<char>| {
        c.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '.' | '/' | '@'))
    };
    !(check_start && is_word(before) || check_end && is_word(after))
}

/// Step 5: drop separators inside CJK words and join long digit groups.
fn join_separated(input: Normalized) -> Normalized {
    // Most Chinese messages use only full-width punctuation: nothing to do.
    if !input.text.bytes().any(is_separator_byte) {
        return input;
    }
    let input = &input;
    let chars: Vec<(usize, char)> = input.text.char_indices().collect();
    let mut out = Normalized {
        text: String::with_capacity(input.text.len()),
        spans: Vec::with_capacity(input.spans.len()),
    };
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_ascii_digit() {
            if let Some(next) = join_digit_groups(&chars, i, input, &mut out) {
                i = next;
                continue;
            }
        } else if is_separator(c) && i > 0 && i + 1 < chars.len() {
            let prev = out.text.chars().next_back();
            let next = chars[i + 1].1;
            if let Some(prev) = prev
                && drop_separator_between(prev, c, next)
            {
                i += 1;
                continue;
            }
        }
        let len = c.len_utf8();
        out.text.push(c);
        out.spans.extend_from_slice(&input.spans[pos..pos + len]);
        i += 1;
    }
    out
}

fn drop_separator_between(prev: char, sep: char, next: char) -> bool {
    let cjk = |c: char| is_cjk_unified(c);
    if cjk(prev) && cjk(next) {
        return true;
    }
    // "加 v 信", "逾期 3 天": spaces next to CJK carry no meaning in Chinese text.
    sep == ' '
        && ((cjk(prev) && next.is_ascii_alphanumeric())
            || (prev.is_ascii_alphanumeric() && cjk(next)))
}

/// Joins "138 0013 8000", "6222-0212-3456-7890" or "0571-8819 3026" into one number when the
/// groups add up to ten digits or more. A date and time ("2025-11-28 10") is left alone.
/// Returns the index after the run, or `None` when the run is left alone.
fn join_digit_groups(
    chars: &[(usize, char)],
    start: usize,
    input: &Normalized,
    out: &mut Normalized,
) -> Option<usize> {
    let mut i = start;
    let mut digits = 0;
    let mut group_lengths: Vec<usize> = Vec::new();
    loop {
        let group_start = i;
        while i < chars.len() && chars[i].1.is_ascii_digit() {
            digits += 1;
            i += 1;
        }
        group_lengths.push(i - group_start);
        // A single separator followed by another digit continues the run.
        if i + 1 < chars.len() && matches!(chars[i].1, ' ' | '-') && chars[i + 1].1.is_ascii_digit()
        {
            i += 1;
            continue;
        }
        break;
    }
    let first_group: String = chars[start..start + group_lengths[0]]
        .iter()
        .map(|(_, c)| c)
        .collect();
    let looks_like_date = group_lengths.len() >= 3
        && group_lengths[0] == 4
        && (first_group.starts_with("19") || first_group.starts_with("20"))
        && group_lengths[1] <= 2;
    // "2 8 7 1 0 0 9 3": a number spelled out digit by digit to dodge filters.
    let spelled_out = group_lengths.len() >= 5 && group_lengths.iter().all(|&n| n == 1);
    if group_lengths.len() < 2 || (digits < 10 && !spelled_out) || looks_like_date {
        return None;
    }
    for &(pos, c) in &chars[start..i] {
        if c.is_ascii_digit() {
            out.text.push(c);
            out.spans.push(input.spans[pos]);
        }
    }
    Some(i)
}

fn is_separator_byte(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'_' | b'.' | b'*' | b'|' | b'~' | b'/' | b'\\' | b'+' | b'=' | b'#' | b'`')
        || b == 0xC2 // '·' (U+00B7) starts with 0xC2
        || b == 0xE2 // '•' (U+2022) starts with 0xE2
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '_' | '.' | '·' | '*' | '|' | '~' | '/' | '\\' | '+' | '=' | '#' | '•' | '`'
    )
}

const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xA000;

fn cjk_bit(c: char) -> Option<usize> {
    let c = c as u32;
    (CJK_START..CJK_END)
        .contains(&c)
        .then(|| (c - CJK_START) as usize)
}

/// CJK Unified Ideographs and extension A; the characters Chinese text is written in.
pub fn is_cjk_unified(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Format characters and other invisibles that NFKC keeps.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    ) || ('\u{0600}'..='\u{0605}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::super::data::EmbeddedData;
    use super::*;

    fn normalizer() -> Normalizer {
        let data = EmbeddedData::load().unwrap();
        Normalizer::new(data.t2s, &data.folds).unwrap()
    }

    fn norm(s: &str) -> String {
        normalizer().normalize(s).as_str().to_string()
    }

    #[test]
    fn strips_zero_width_and_bidi() {
        assert_eq!(norm("微\u{200b}信转\u{202e}账"), "微信转账");
    }

    #[test]
    fn full_width_becomes_ascii() {
        assert_eq!(norm("ＶＸ：ａｂｃ１２３"), "微信:abc123");
        assert_eq!(norm("１３８００１３８０００"), "13800138000");
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(norm("請將欠款轉入專員帳戶"), "请将欠款转入专员账户");
    }

    #[test]
    fn kangxi_radicals_become_ideographs() {
        assert_eq!(norm("⼈民法院"), "人民法院");
    }

    #[test]
    fn folds_obfuscated_wechat_and_qq() {
        assert_eq!(norm("加威信"), "加微信");
        assert_eq!(norm("加 V 信"), "加微信");
        assert_eq!(norm("薇信号"), "微信号");
        assert_eq!(norm("微 信"), "微信");
        assert_eq!(norm("微-信"), "微信");
        assert_eq!(norm("加扣扣"), "加qq");
        assert_eq!(norm("vx 号 abc"), "微信号abc");
    }

    #[test]
    fn latin_fold_needs_a_word_boundary() {
        assert_eq!(norm("wxid_abc"), "wxid_abc");
        assert_eq!(norm("vxyz.com"), "vxyz.com");
    }

    #[test]
    fn joins_split_phone_and_card_numbers_but_not_dates() {
        assert_eq!(norm("138 0013 8000"), "13800138000");
        assert_eq!(norm("6222-0212-3456-7890"), "6222021234567890");
        assert_eq!(norm("2025-11-28"), "2025-11-28");
        assert_eq!(norm("逾期 3 天"), "逾期3天");
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for s in [
            "vx 号 abc",
            "微 - 信",
            "138 0013 8000 元",
            "Ｖ信 ＡＢＣ",
            "a  b\n\n c",
        ] {
            let once = norm(s);
            assert_eq!(norm(&once), once, "input {s:?}");
        }
    }

    #[test]
    fn maps_back_to_the_original_text() {
        let original = "请联系Ｖ信：ａｂｃ";
        let n = normalizer().normalize(original);
        let at = n.as_str().find("微信").unwrap();
        let r = n.original_range(at..at + "微信".len());
        assert_eq!(&original[r], "Ｖ信");
    }
}
