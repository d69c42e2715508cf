//! Training: multinomial logistic regression by stochastic gradient descent, in a fixed order
//! from a fixed seed, with a softmax that is the same bit for bit everywhere. The same corpus and
//! config give the same model file byte for byte (a test checks the committed one).

use serde::Deserialize;

use super::fastmath::softmax;
use super::{Model, Scheme};
use crate::classifier::family::Family;

/// `[train]` in `data/learned.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// The hash table has `2^bucket_bits` rows.
    pub bucket_bits: u32,
    /// Character n-gram lengths.
    pub min_n: usize,
    pub max_n: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    /// L2 penalty per update on the weights a message touches.
    pub l2: f64,
    pub seed: u64,
}

impl TrainConfig {
    pub fn scheme(&self) -> Scheme {
        Scheme {
            bucket_bits: self.bucket_bits,
            min_n: self.min_n,
            max_n: self.max_n,
        }
    }
}

/// One labelled message, as hashed features.
#[derive(Debug, Clone)]
pub struct Example {
    pub buckets: Vec<u32>,
    pub family: Family,
}

/// xorshift64*: a shuffle that is the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

pub fn train(examples: &[Example], config: &TrainConfig) -> Model {
    let f = Family::ALL.len();
    let rows = 1usize << config.bucket_bits;
    let mut weights = vec![0.0f64; rows * f];
    let mut bias = vec![0.0f64; f];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng(config.seed | 1);
    let mut scores = vec![0.0f64; f];
    let mut step = 0usize;
    let total_steps = (config.epochs * examples.len()).max(1);
    for _ in 0..config.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            let norm = 1.0 / (ex.buckets.len().max(1) as f64).sqrt();
            scores.copy_from_slice(&bias);
            for &b in &ex.buckets {
                let row = &weights[b as usize * f..(b as usize + 1) * f];
                for (s, w) in scores.iter_mut().zip(row) {
                    *s += w * norm;
                }
            }
            softmax(&mut scores);
            let target = Family::ALL
                .iter()
                .position(|x| *x == ex.family)
                .unwrap_or(0);
            // Linear decay to a tenth of the rate by the end.
            let lr = config.learning_rate * (1.0 - 0.9 * step as f64 / total_steps as f64);
            step += 1;
            for (c, s) in scores.iter_mut().enumerate() {
                *s -= if c == target { 1.0 } else { 0.0 };
            }
            for &b in &ex.buckets {
                let row = &mut weights[b as usize * f..(b as usize + 1) * f];
                for (w, g) in row.iter_mut().zip(&scores) {
                    *w -= lr * (g * norm + config.l2 * *w);
                }
            }
            for (b, g) in bias.iter_mut().zip(&scores) {
                *b -= lr * g;
            }
        }
    }
    quantize(config.scheme(), &weights, &bias)
}

/// Stores weights as i16 with one scale: the largest weight becomes ±32767.
fn quantize(scheme: Scheme, weights: &[f64], bias: &[f64]) -> Model {
    let max = weights
        .iter()
        .chain(bias)
        .fold(0.0f64, |m, w| m.max(w.abs()))
        .max(1e-9);
    let scale = (32767.0 / max) as f32;
    let s = f64::from(scale);
    Model::from_parts(
        scheme,
        scale,
        bias.iter().map(|b| (b * s).round() as i32).collect(),
        weights
            .iter()
            .map(|w| (w * s).round().clamp(-32767.0, 32767.0) as i16)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::Verdict;

    fn config() -> TrainConfig {
        TrainConfig {
            bucket_bits: 8,
            min_n: 1,
            max_n: 2,
            epochs: 20,
            learning_rate: 0.5,
            l2: 0.0,
            seed: 7,
        }
    }

    fn hashed(buckets: &[u32]) -> Vec<u32> {
        buckets.to_vec()
    }

    #[test]
    fn learns_separable_families_and_is_deterministic() {
        let examples: Vec<Example> = (0..40)
            .map(|i| Example {
                buckets: if i % 2 == 0 {
                    vec![1, 2, 3]
                } else {
                    vec![4, 5, 6]
                },
                family: if i % 2 == 0 {
                    Family::CreditRepair
                } else {
                    Family::Ordinary
                },
            })
            .collect();
        let model = train(&examples, &config());
        let scam = model.predict(&hashed(&[1, 2, 3]));
        assert!(scam.of(Verdict::Scam) > 0.8, "{:?}", scam.probabilities);
        assert_eq!(scam.top(Verdict::Scam).0, Family::CreditRepair);
        let safe = model.predict(&hashed(&[4, 5, 6]));
        assert!(safe.of(Verdict::Unrelated) > 0.8);
        let again = train(&examples, &config());
        assert_eq!(model.to_bytes(), again.to_bytes());
        assert_eq!(Model::from_bytes(&model.to_bytes()).unwrap(), model);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let model = train(&[], &config());
        let bytes = model.to_bytes();
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"nope").is_err());
    }
}
