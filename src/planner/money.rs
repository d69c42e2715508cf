//! Money in integer fen (分, 1/100 元) and the one place where a rate touches a balance.
//!
//! Rounding rule: a rate is first quantised to a multiple of 10⁻⁹ per month (nearest), then the
//! interest `balance × rate` is computed exactly in integers and rounded **half up to the fen**.
//! Every month's interest is rounded on its own, so a schedule never gains or loses a fen.
//! Arithmetic saturates instead of overflowing, so runaway balances stay well defined.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// An amount of money in fen (分). `Fen(12_345)` is 123.45 元.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Whole 元 and fen: `Fen::yuan(888, 49)` is 888.49 元.
    pub const fn yuan(yuan: i64, fen: i64) -> Fen {
        Fen(yuan * 100 + fen)
    }

    /// The smaller of `self` and `other`.
    pub fn min(self, other: Fen) -> Fen {
        Fen(self.0.min(other.0))
    }

    /// `self`, or zero if it is negative.
    pub fn max_zero(self) -> Fen {
        Fen(self.0.max(0))
    }
}

/// `123.45` or `-0.50` (元, two decimals).
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0.saturating_sub(rhs.0))
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, rhs: Fen) {
        *self = *self + rhs;
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, rhs: Fen) {
        *self = *self - rhs;
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

/// Rates are quantised to whole units of 10⁻⁹ per month.
const RATE_SCALE: i128 = 1_000_000_000;

/// One month's interest on `balance` at `monthly_rate` (0.01 = 1 % per month), rounded half up
/// to the fen. A zero or negative balance, and a rate that is zero, negative or not finite,
/// charge nothing.
pub fn monthly_interest(balance: Fen, monthly_rate: f64) -> Fen {
    if balance.0 <= 0 || !monthly_rate.is_finite() || monthly_rate <= 0.0 {
        return Fen::ZERO;
    }
    // `as` saturates for huge rates; the product cannot overflow i128 (both factors < 2⁶³).
    let rate = i128::from((monthly_rate * RATE_SCALE as f64).round() as i64);
    let fen = (i128::from(balance.0) * rate + RATE_SCALE / 2) / RATE_SCALE;
    Fen(i64::try_from(fen).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_in_yuan() {
        assert_eq!(Fen::yuan(888, 49).to_string(), "888.49");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-50).to_string(), "-0.50");
        assert_eq!(Fen(i64::MIN).to_string(), "-92233720368547758.08");
    }

    #[test]
    fn interest_rounds_half_up_to_the_fen() {
        // 150 fen × 1 % = 1.5 fen → 2; 149 fen × 1 % = 1.49 fen → 1; 50 fen × 1 % = 0.5 → 1.
        assert_eq!(monthly_interest(Fen(150), 0.01), Fen(2));
        assert_eq!(monthly_interest(Fen(149), 0.01), Fen(1));
        assert_eq!(monthly_interest(Fen(50), 0.01), Fen(1));
        assert_eq!(monthly_interest(Fen(49), 0.01), Fen(0));
        // 18 %/year is 1.5 %/month: 10 000 元 → 150 元.
        assert_eq!(
            monthly_interest(Fen::yuan(10_000, 0), 0.18 / 12.0),
            Fen::yuan(150, 0)
        );
    }

    #[test]
    fn no_interest_on_nothing_or_bad_rates() {
        assert_eq!(monthly_interest(Fen::ZERO, 0.02), Fen::ZERO);
        assert_eq!(monthly_interest(Fen(-100), 0.02), Fen::ZERO);
        assert_eq!(monthly_interest(Fen(100), 0.0), Fen::ZERO);
        assert_eq!(monthly_interest(Fen(100), -0.01), Fen::ZERO);
        assert_eq!(monthly_interest(Fen(100), f64::NAN), Fen::ZERO);
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Fen(i64::MAX) + Fen(1), Fen(i64::MAX));
        assert_eq!(monthly_interest(Fen(i64::MAX), 1e30), Fen(i64::MAX));
    }
}
