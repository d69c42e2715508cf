//! A softmax whose result is the same bit for bit on every machine: training must reproduce
//! the committed model exactly, and `f64::exp` comes from the platform's libm.

/// e^x for x ≤ 0, to about 1e-15 relative error; pure IEEE arithmetic.
pub fn exp_nonpositive(x: f64) -> f64 {
    if x < -700.0 {
        return 0.0;
    }
    // x = k·ln2 + r, |r| ≤ ln2/2; e^x = 2^k · e^r.
    const LN2: f64 = std::f64::consts::LN_2;
    let k = (x / LN2).round();
    let r = x - k * LN2;
    // Taylor series of e^r to the 13th power: the terms fall below 1e-17 for |r| ≤ 0.35.
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=13 {
        term = term * r / f64::from(n);
        sum += term;
    }
    // 2^k by building the exponent bits; k ≥ -1010 here, so the result is normal.
    let bits = ((k as i64 + 1023) as u64) << 52;
    sum * f64::from_bits(bits)
}

/// Softmax of `scores`, in place.
pub fn softmax(scores: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for s in scores.iter_mut() {
        *s = exp_nonpositive(*s - max);
        total += *s;
    }
    for s in scores.iter_mut() {
        *s /= total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_platform_exp_closely() {
        for i in 0..2000 {
            let x = -(i as f64) * 0.037;
            let (ours, std) = (exp_nonpositive(x), x.exp());
            assert!((ours - std).abs() <= std * 1e-13, "{x}: {ours} vs {std}");
        }
        assert_eq!(exp_nonpositive(-1e9), 0.0);
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut s = [1.0, 2.0, -3.0, 0.5];
        softmax(&mut s);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(s[1] > s[0] && s[0] > s[3] && s[3] > s[2]);
    }
}
