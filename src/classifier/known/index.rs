//! An in-memory index of confirmed examples: locality-sensitive hashing over MinHash bands, so a
//! lookup touches only the examples that share a band with the message, not all of them.
//!
//! Each of the [`BANDS`] bands is a sorted list of `(band key, example)` pairs with a table of
//! where each range of keys starts. Two texts with
//! Jaccard similarity `s` share at least one band with probability `1 - (1 - s^ROWS)^BANDS`:
//! 0.93 at 0.5, 0.99 at 0.6, 0.02 at 0.1. Candidates are then compared slot by slot.
//!
//! Memory per example: the fingerprint ([`ENCODED_LEN`] bytes), its facts (24 bytes) and one
//! 8-byte pair per band: about 310 bytes, so 100,000 examples take about 31 MB.

use std::collections::HashMap;

use super::fingerprint::{BANDS, Fingerprint};
use crate::classifier::{Family, Verdict};

/// What is known of a confirmed example besides its fingerprint (never its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExampleFacts {
    /// The example's id in the store.
    pub id: i64,
    /// Scam, suspicious or legit.
    pub label: Verdict,
    pub family: Option<Family>,
    /// When it was confirmed, Unix seconds.
    pub confirmed_at: i64,
}

/// A confirmed example a message is a near-copy of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnownMatch {
    pub example: ExampleFacts,
    /// Estimated Jaccard similarity of the two texts' shingles, 0–1.
    pub similarity: f32,
    /// Estimated share of the shorter text found in the longer, 0–1.
    pub containment: f32,
    /// A partial copy (see [`Threshold`]): cut off or reworded, not the same message.
    pub partial: bool,
}

/// When a message counts as a copy of an example. Measured with `tests/known.rs` on the corpus
/// and the blind near-copy sets (`tests/holdout/SCORES.md`).
///
/// - A *full* copy: the estimated Jaccard similarity of the two texts' 3-grams is at least
///   `jaccard`, and the message is at least `full_size` of the example's length (in distinct
///   3-grams). Copies with other numbers, names, amounts, links, spacing and punctuation score
///   0.6 and more, at about the same length.
/// - A *partial* copy: similar enough but clearly shorter (its end cut off), or at least
///   `partial_jaccard` similar with the shorter text at least `partial_containment` inside the
///   longer (cut off at half its length, or reworded). A partial copy of a scam
///   only calls for a check: a genuine notice that a scam copied whole, adding its demand at
///   the end, looks exactly like a cut-off copy of that scam.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub jaccard: f32,
    pub full_size: f32,
    pub partial_jaccard: f32,
    pub partial_containment: f32,
}

impl Threshold {
    /// The thresholds in use.
    pub const STANDARD: Threshold = Threshold {
        jaccard: 0.5,
        full_size: 0.8,
        partial_jaccard: 0.3,
        partial_containment: 0.8,
    };

    /// `Some(false)` for a full copy, `Some(true)` for a partial one, `None` for neither.
    /// `size`: the message's length against the example's.
    pub fn accepts(&self, similarity: f32, containment: f32, size: f32) -> Option<bool> {
        if similarity >= self.jaccard && size >= self.full_size {
            Some(false)
        } else if similarity >= self.jaccard
            || (similarity >= self.partial_jaccard && containment >= self.partial_containment)
        {
            Some(true)
        } else {
            None
        }
    }
}

/// At most this many candidates are compared per lookup, so one script stored ten thousand
/// times cannot slow a check down: the ones sharing the most bands, which are the most similar
/// in expectation (a copy at 0.8 shares 10 of 20 bands on average, one at 0.5 shares 2.5).
const MAX_CANDIDATES: usize = 64;

/// Up to this many examples are added to an index by moving each into place; more, by sorting
/// every band again (about 40 ms at 100,000 examples, during which checks wait).
const FEW: usize = 64;

/// A confirmed scam this similar ends a lookup: a scam outranks every other label, and a
/// closer one would change nothing but the similarity reported.
const GOOD_ENOUGH: f32 = 0.8;

/// One band: `(key << 32) | position`, sorted, and where each range of leading key bits
/// starts, so a lookup reads two cache lines instead of binary-searching 100,000 entries.
#[derive(Debug, Default, Clone)]
struct Band {
    entries: Vec<u64>,
    starts: Vec<u32>,
    bits: u32,
}

impl Band {
    fn push(&mut self, key: u32, position: u32) {
        self.entries
            .push((u64::from(key) << 32) | u64::from(position));
    }

    /// Sorts the entries and rebuilds the starts.
    fn seal(&mut self) {
        self.entries.sort_unstable();
        self.index_ranges();
    }

    /// Moves the last `tail` entries (just pushed) into place one by one: for a few additions
    /// to a large band, far cheaper than sorting it all again.
    fn merge_tail(&mut self, tail: usize) {
        let mut added = self.entries.split_off(self.entries.len() - tail);
        added.sort_unstable();
        for v in added {
            let at = self.entries.partition_point(|&e| e < v);
            self.entries.insert(at, v);
        }
        self.index_ranges();
    }

    /// Rebuilds the table of where each range of keys starts.
    fn index_ranges(&mut self) {
        // About four entries per range (a cache line or two), between 2^8 and 2^20 ranges.
        self.bits = (usize::BITS - self.entries.len().leading_zeros())
            .saturating_sub(2)
            .clamp(8, 20);
        let ranges = 1usize << self.bits;
        self.starts.clear();
        self.starts.reserve(ranges + 1);
        let mut i = 0;
        for range in 0..ranges as u64 {
            while i < self.entries.len() && (self.entries[i] >> (64 - self.bits)) < range {
                i += 1;
            }
            self.starts.push(i as u32);
        }
        self.starts.push(self.entries.len() as u32);
    }

    /// Where the entries of `key` may be: a range of `entries`.
    fn range_of(&self, key: u32) -> (usize, usize) {
        if self.starts.is_empty() {
            return (0, 0);
        }
        let range = (u64::from(key) << 32 >> (64 - self.bits)) as usize;
        (self.starts[range] as usize, self.starts[range + 1] as usize)
    }

    /// Positions stored under `key`, within `range_of(key)`.
    fn find_in(&self, key: u32, (from, to): (usize, usize), out: &mut Vec<u32>) {
        for &v in &self.entries[from..to] {
            if (v >> 32) as u32 == key {
                out.push(v as u32);
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 8 + self.starts.capacity() * 4
    }
}

#[derive(Debug, Default, Clone)]
pub struct KnownIndex {
    facts: Vec<ExampleFacts>,
    fingerprints: Vec<Fingerprint>,
    removed: Vec<bool>,
    /// Where each live example's id sits in the lists above.
    positions: HashMap<i64, u32>,
    bands: Vec<Band>,
    live: usize,
}

impl KnownIndex {
    /// An index of `examples`, built at once (start-up).
    pub fn build(examples: Vec<(ExampleFacts, Fingerprint)>) -> KnownIndex {
        let mut index = KnownIndex {
            bands: vec![Band::default(); BANDS],
            ..KnownIndex::default()
        };
        index.extend(examples);
        index
    }

    /// Examples that can match (added and not removed).
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds examples (an id already present is replaced).
    pub fn extend(&mut self, examples: Vec<(ExampleFacts, Fingerprint)>) {
        if self.bands.is_empty() {
            self.bands = vec![Band::default(); BANDS];
        }
        let ids: Vec<i64> = examples.iter().map(|(f, _)| f.id).collect();
        self.remove(&ids);
        self.facts.reserve_exact(examples.len());
        self.fingerprints.reserve_exact(examples.len());
        self.removed.reserve_exact(examples.len());
        self.positions.reserve(examples.len());
        for band in &mut self.bands {
            band.entries.reserve_exact(examples.len());
        }
        let first = self.facts.len();
        for (facts, fingerprint) in examples {
            let position = self.facts.len() as u64;
            for (band, list) in self.bands.iter_mut().enumerate() {
                list.push(fingerprint.band_key(band), position as u32);
            }
            self.positions.insert(facts.id, position as u32);
            self.facts.push(facts);
            self.fingerprints.push(fingerprint);
            self.removed.push(false);
            self.live += 1;
        }
        let added = self.facts.len() - first;
        if added > 0 && added <= FEW && first > 0 {
            // A confirmation or a refresh: a few entries into each sorted band.
            for list in &mut self.bands {
                list.merge_tail(added);
            }
        } else if added > 0 {
            // Bands are independent: sort them on every core.
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let per_thread = self.bands.len().div_ceil(cores);
            std::thread::scope(|scope| {
                for chunk in self.bands.chunks_mut(per_thread) {
                    scope.spawn(|| chunk.iter_mut().for_each(Band::seal));
                }
            });
        }
    }

    /// Forgets the examples with these ids (unknown ids are ignored).
    pub fn remove(&mut self, ids: &[i64]) {
        for id in ids {
            if let Some(position) = self.positions.remove(id) {
                self.removed[position as usize] = true;
                self.live -= 1;
            }
        }
    }

    /// The best near-copy of `fingerprint` for each label, strongest label first (scam, then
    /// suspicious, then legit).
    pub fn lookup(&self, fingerprint: &Fingerprint) -> Vec<KnownMatch> {
        if self.live == 0 {
            return Vec::new();
        }
        // Two passes: the ranges of every band first (independent reads the processor overlaps,
        // where one band after another would wait for memory each time), then the entries.
        let keys: [u32; BANDS] = std::array::from_fn(|band| fingerprint.band_key(band));
        let ranges: [(usize, usize); BANDS] =
            std::array::from_fn(|band| self.bands[band].range_of(keys[band]));
        let mut candidates: Vec<u32> = Vec::with_capacity(64);
        for (band, list) in self.bands.iter().enumerate() {
            list.find_in(keys[band], ranges[band], &mut candidates);
        }
        // Removed examples stay in the bands; they must not take the places of live ones.
        candidates.retain(|&p| !self.removed[p as usize]);
        candidates.sort_unstable();
        // Positions sharing more bands come first when there are too many.
        let mut counted: Vec<(u32, u32)> = Vec::new();
        for c in candidates {
            match counted.last_mut() {
                Some((p, n)) if *p == c => *n += 1,
                _ => counted.push((c, 1)),
            }
        }
        if counted.len() > MAX_CANDIDATES {
            counted.select_nth_unstable_by_key(MAX_CANDIDATES, |&(p, n)| (std::cmp::Reverse(n), p));
            counted.truncate(MAX_CANDIDATES);
        }
        // The most promising first, so a near-identical scam ends the search.
        counted.sort_unstable_by_key(|&(p, n)| (std::cmp::Reverse(n), p));
        let mut best: Vec<KnownMatch> = Vec::new();
        for (position, _) in counted {
            let position = position as usize;
            if self.removed[position] {
                continue;
            }
            let stored = &self.fingerprints[position];
            let similarity = fingerprint.jaccard(stored);
            let containment = fingerprint.containment(stored, similarity);
            let size = fingerprint.size_ratio(stored);
            let Some(partial) = Threshold::STANDARD.accepts(similarity, containment, size) else {
                continue;
            };
            let found = KnownMatch {
                example: self.facts[position],
                similarity,
                containment,
                partial,
            };
            // Per label, a full copy before a partial one, then the most similar, the newest.
            let rank = |m: &KnownMatch| (!m.partial, m.similarity, m.example.confirmed_at);
            match best
                .iter_mut()
                .find(|m| m.example.label == found.example.label)
            {
                Some(m) if rank(m) >= rank(&found) => {}
                Some(m) => *m = found,
                None => best.push(found),
            }
            if found.example.label == Verdict::Scam && similarity >= GOOD_ENOUGH {
                break;
            }
        }
        best.sort_by_key(|m| m.example.label);
        best
    }

    /// The examples that can match, in the order they were added.
    pub fn examples(&self) -> impl Iterator<Item = (&ExampleFacts, &Fingerprint)> {
        self.facts
            .iter()
            .zip(&self.fingerprints)
            .zip(&self.removed)
            .filter(|(_, removed)| !**removed)
            .map(|(pair, _)| pair)
    }

    /// Bytes the index holds on the heap (for the README's figure and `known list`).
    pub fn heap_bytes(&self) -> usize {
        self.facts.capacity() * std::mem::size_of::<ExampleFacts>()
            + self.fingerprints.capacity() * std::mem::size_of::<Fingerprint>()
            + self.removed.capacity()
            + self.positions.capacity() * (std::mem::size_of::<(i64, u32)>() + 1)
            + self.bands.iter().map(Band::heap_bytes).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: i64, label: Verdict) -> ExampleFacts {
        ExampleFacts {
            id,
            label,
            family: None,
            confirmed_at: 0,
        }
    }

    fn fp(s: &str) -> Fingerprint {
        Fingerprint::of_canonical(s).unwrap()
    }

    const SCAM: &str = "您的借款已严重逾期请立即将欠款转入专员个人账户否则将安排人员上门";

    #[test]
    fn finds_a_copy_and_forgets_a_removed_one() {
        let mut index = KnownIndex::build(vec![
            (facts(1, Verdict::Scam), fp(SCAM)),
            (
                facts(2, Verdict::Legit),
                fp("本月账单已出请于二十五日前在官方应用内还款如已还款请忽略"),
            ),
        ]);
        assert_eq!(index.len(), 2);
        let found = index.lookup(&fp(SCAM));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].example.id, 1);
        index.remove(&[1]);
        assert!(index.lookup(&fp(SCAM)).is_empty());
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn re_adding_an_id_replaces_it() {
        let mut index = KnownIndex::build(vec![(facts(1, Verdict::Scam), fp(SCAM))]);
        index.extend(vec![(facts(1, Verdict::Legit), fp(SCAM))]);
        assert_eq!(index.len(), 1);
        let found = index.lookup(&fp(SCAM));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].example.label, Verdict::Legit);
    }

    #[test]
    fn removed_copies_do_not_crowd_out_a_live_one() {
        // More removed examples than a lookup compares, all with the same fingerprint, and
        // the live one added last.
        let mut index = KnownIndex::build(
            (1..=100)
                .map(|id| (facts(id, Verdict::Scam), fp(SCAM)))
                .collect(),
        );
        index.remove(&(1..=100).collect::<Vec<i64>>());
        index.extend(vec![(facts(101, Verdict::Suspicious), fp(SCAM))]);
        let found = index.lookup(&fp(SCAM));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].example.id, 101);
    }

    #[test]
    fn examples_added_one_by_one_are_found_as_when_built_at_once() {
        // Texts that differ in their words (digits would all become one mark).
        let words: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
            .chars()
            .collect();
        let texts: Vec<String> = (0..150)
            .map(|i| {
                let (a, b, c) = (words[i % 22], words[(i / 22) % 22], words[(i * 7) % 22]);
                format!("{a}{b}{c}通知您的借款已严重逾期{c}{a}请立即将欠款转入{b}{c}专员个人账户否则安排人员上门{a}{b}")
            })
            .collect();
        let all: Vec<(ExampleFacts, Fingerprint)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (facts(i as i64 + 1, Verdict::Scam), fp(t)))
            .collect();
        let at_once = KnownIndex::build(all.clone());
        let mut one_by_one = KnownIndex::default();
        for example in all {
            one_by_one.extend(vec![example]);
        }
        assert_eq!(one_by_one.len(), 150);
        for t in &texts {
            let ids = |index: &KnownIndex| {
                let mut found: Vec<i64> =
                    index.lookup(&fp(t)).iter().map(|m| m.example.id).collect();
                found.sort_unstable();
                found
            };
            assert_eq!(ids(&one_by_one), ids(&at_once), "{t}");
            assert!(!ids(&at_once).is_empty());
        }
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        assert!(KnownIndex::default().lookup(&fp(SCAM)).is_empty());
    }
}
