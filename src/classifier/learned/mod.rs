//! The learned second stage: a linear model over hashed character n-grams of the normalised
//! text (entities replaced by their kind) plus the rules that fired, predicting the message's
//! [`Family`]. Trained only on the project's own labelled corpus by `loanguard train`
//! ([`train::train`], deterministic), stored in `data/learned.bin` and embedded.
//!
//! How its opinion enters the verdict is decided in `classifier/mod.rs`, with the thresholds of
//! `data/learned.toml`: it can lift a message no rule caught and outweigh cheap legit marks; it
//! never cancels a decisive mechanism.

mod fastmath;
pub mod features;
mod hashing;
pub mod train;

use std::ops::Range;

use serde::Deserialize;

use super::Verdict;
use super::family::Family;
pub use features::Scheme;

/// `data/learned.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedConfig {
    pub train: train::TrainConfig,
    pub thresholds: Thresholds,
}

/// How sure the model must be before its opinion counts (probabilities, 0–1).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// P(scam) at or above this: the model's own scam signal.
    pub scam: f64,
    /// P(scam) + P(suspicious) at or above this: a "needs checking" signal.
    pub flag: f64,
    /// P(legit) + P(unrelated) at or above this: a safe mark (never against a decisive rule).
    pub safe: f64,
    /// P(legit) at or above this makes the message about a debt.
    pub legit: f64,
    /// After a warning about scams fired, the model's scam signal needs this much: scammers
    /// sign off with "谨防诈骗", real warnings list the tricks they warn about.
    pub after_warning: f64,
}

/// The trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    scheme: Scheme,
    /// Weights are stored as integers: `real = stored / scale`.
    scale: f32,
    bias: Vec<i32>,
    /// One row per bucket: the weight of each family, then the row's mean (for the evidence).
    rows: Vec<Row>,
}

/// A bucket's weights, padded to 32 bytes: one load per feature, in one cache line, and a loop
/// the compiler turns into vector adds.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(32))]
struct Row([i16; ROW]);

const ROW: usize = 16;
/// Where a row keeps its mean over the families.
const MEAN: usize = Family::ALL.len();
const _: () = assert!(Family::ALL.len() < ROW);

/// The model's opinion of one message.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// Probability of each family, in the order of [`Family::ALL`].
    pub probabilities: Vec<f64>,
}

impl Prediction {
    /// Probability that the message deserves `verdict`.
    pub fn of(&self, verdict: Verdict) -> f64 {
        Family::ALL
            .iter()
            .zip(&self.probabilities)
            .filter(|(f, _)| f.verdict() == verdict)
            .map(|(_, p)| p)
            .sum()
    }

    /// The most likely family among those of `verdict`.
    pub fn top(&self, verdict: Verdict) -> (Family, f64) {
        self.best(|f| f.verdict() == verdict)
    }

    /// The most likely family of all.
    pub fn most_likely(&self) -> Family {
        self.best(|_| true).0
    }

    fn best(&self, keep: impl Fn(Family) -> bool) -> (Family, f64) {
        Family::ALL
            .iter()
            .zip(&self.probabilities)
            .filter(|(f, _)| keep(**f))
            .map(|(f, p)| (*f, *p))
            .fold(
                (Family::Ordinary, -1.0),
                |a, b| if b.1 > a.1 { b } else { a },
            )
    }
}

const MAGIC: &[u8; 4] = b"LGM1";

impl Model {
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    fn families() -> usize {
        Family::ALL.len()
    }

    /// Scores the features; `1/sqrt(n)` keeps long and short messages on one scale.
    pub fn predict(&self, features: &[u32]) -> Prediction {
        const F: usize = Family::ALL.len();
        let mut sums = [0i64; F];
        // i32 lanes cannot overflow within a chunk: 65,535 × 32,767 < 2^31.
        for chunk in features.chunks(65_535) {
            let mut lanes = [0i32; ROW];
            for &b in chunk {
                let row = &self.rows[b as usize].0;
                for (lane, w) in lanes.iter_mut().zip(row) {
                    *lane += i32::from(*w);
                }
            }
            for (s, lane) in sums.iter_mut().zip(&lanes) {
                *s += i64::from(*lane);
            }
        }
        let norm = 1.0 / (features.len().max(1) as f64).sqrt();
        let scale = f64::from(self.scale);
        let mut scores: Vec<f64> = sums
            .iter()
            .zip(&self.bias)
            .map(|(s, b)| (*s as f64 * norm + f64::from(*b)) / scale)
            .collect();
        fastmath::softmax(&mut scores);
        Prediction {
            probabilities: scores,
        }
    }

    /// Builds a model from its parts; the bucket means are derived here.
    pub(crate) fn from_parts(
        scheme: Scheme,
        scale: f32,
        bias: Vec<i32>,
        weights: Vec<i16>,
    ) -> Self {
        let f = Self::families();
        let rows = weights
            .chunks_exact(f)
            .map(|weights| {
                let mut row = [0i16; ROW];
                row[..f].copy_from_slice(weights);
                row[MEAN] = (weights.iter().map(|w| i32::from(*w)).sum::<i32>() / f as i32) as i16;
                Row(row)
            })
            .collect();
        Self {
            scheme,
            scale,
            bias,
            rows,
        }
    }

    /// How much more bucket `b` says the family in `column` than the average family.
    fn lift(&self, b: u32, column: usize) -> i32 {
        let row = &self.rows[b as usize].0;
        i32::from(row[column]) - i32::from(row[MEAN])
    }

    /// The n-grams that pushed most towards `family`, strongest first, without overlaps: the
    /// words the model's reason quotes. `quotable` holds (index in `buckets`, start, end) of the
    /// longest n-grams.
    pub fn evidence(
        &self,
        buckets: &[u32],
        quotable: &[(u32, u32, u32)],
        family: Family,
        max: usize,
    ) -> Vec<Range<usize>> {
        let column = Family::ALL.iter().position(|x| *x == family).unwrap_or(0);
        let mut scored: Vec<(i32, Range<usize>)> = quotable
            .iter()
            .filter_map(|&(i, start, end)| {
                let lift = self.lift(*buckets.get(i as usize)?, column);
                (lift > 0).then_some((lift, start as usize..end as usize))
            })
            .collect();
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
        let mut chosen: Vec<Range<usize>> = Vec::new();
        for (_, span) in scored {
            if chosen.len() == max {
                break;
            }
            if chosen
                .iter()
                .all(|c| span.end <= c.start || c.end <= span.start)
            {
                chosen.push(span);
            }
        }
        chosen
    }

    /// The committed file format: magic, scheme, scale, biases, weights; little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.rows.len() * Self::families() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.scheme.bucket_bits.to_le_bytes());
        out.extend_from_slice(&(self.scheme.min_n as u32).to_le_bytes());
        out.extend_from_slice(&(self.scheme.max_n as u32).to_le_bytes());
        out.extend_from_slice(&(Self::families() as u32).to_le_bytes());
        for family in Family::ALL {
            let name = family.as_str().as_bytes();
            out.push(name.len() as u8);
            out.extend_from_slice(name);
        }
        out.extend_from_slice(&self.scale.to_le_bytes());
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for row in &self.rows {
            for w in &row.0[..Self::families()] {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err("not a LoanGuard model file".into());
        }
        let bucket_bits = r.u32()?;
        let min_n = r.u32()? as usize;
        let max_n = r.u32()? as usize;
        if !(8..=24).contains(&bucket_bits) || min_n == 0 || max_n < min_n || max_n > 8 {
            return Err("model file: bad scheme".into());
        }
        let families = r.u32()? as usize;
        if families != Self::families() {
            return Err("model file: made for other families; run `loanguard train`".into());
        }
        for family in Family::ALL {
            let len = r.take(1)?[0] as usize;
            if r.take(len)? != family.as_str().as_bytes() {
                return Err("model file: made for other families; run `loanguard train`".into());
            }
        }
        let scale = f32::from_le_bytes(r.array()?);
        let bias = (0..families)
            .map(|_| r.array().map(i32::from_le_bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let count = (1usize << bucket_bits) * families;
        let raw = r.take(count * 2)?;
        if r.at != bytes.len() || !(scale.is_finite() && scale > 0.0) {
            return Err("model file: bad length or scale".into());
        }
        let weights = raw
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        let scheme = Scheme {
            bucket_bits,
            min_n,
            max_n,
        };
        Ok(Self::from_parts(scheme, scale, bias, weights))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or("model file is cut short")?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }
}
