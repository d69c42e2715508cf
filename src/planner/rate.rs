//! Interest rates: nominal annual rates and Chinese-style monthly fees, compared as one annual
//! figure.
//!
//! Conventions:
//! - An annual rate is nominal: the monthly rate is `annual / 12` (月利率 = 年利率 ÷ 12).
//! - A monthly fee (月费率, "等本等费") is charged on the **original** principal every month of a
//!   loan repaid in `term_months` equal instalments. Its equivalent annual rate is the internal
//!   rate of return (IRR) of that cash flow, annualised as `12 × monthly IRR` — the usual way
//!   to state a 年化利率 (APR). It is nominal, not compounded: the compounded figure would be
//!   `(1 + monthly IRR)¹² − 1`.
//! - The planner charges a fee loan its monthly IRR on the outstanding balance. That is the
//!   fee's true cost; whether the lender really waives future fees on early repayment depends on
//!   the contract.

use serde::{Deserialize, Serialize};

/// How a debt is charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Rate {
    /// Nominal annual interest on the outstanding balance: `0.18` is 18 % a year.
    Annual(f64),
    /// A monthly fee on the original principal: `rate: 0.006` is 0.6 % a month, over a loan of
    /// `term_months` equal instalments (12 is common when the user does not know).
    MonthlyFee { rate: f64, term_months: u32 },
}

impl Rate {
    /// The equivalent nominal annual rate, used to compare debts.
    pub fn annual(&self) -> f64 {
        match *self {
            Rate::Annual(rate) => rate,
            Rate::MonthlyFee { rate, term_months } => fee_to_annual_rate(rate, term_months),
        }
    }

    /// The monthly rate charged on the outstanding balance: `annual() / 12`.
    pub fn monthly(&self) -> f64 {
        self.annual() / 12.0
    }

    /// Whether the rate is usable: finite, not negative, and a fee loan has a term.
    pub fn is_valid(&self) -> bool {
        match *self {
            Rate::Annual(rate) => rate.is_finite() && rate >= 0.0,
            Rate::MonthlyFee { rate, term_months } => {
                rate.is_finite() && rate >= 0.0 && term_months > 0
            }
        }
    }
}

/// The equivalent annual rate (`12 × monthly IRR`) of a monthly fee `fee` on the original
/// principal, repaid in `term_months` equal instalments of `principal × (1/term + fee)`.
///
/// Solves `Σₖ₌₁ⁿ A / (1 + r)ᵏ = 1` for the monthly rate `r` by bisection, with `A = 1/n + fee`.
/// Returns 0.0 for a fee that is zero, negative or not finite, or a term of zero months.
pub fn fee_to_annual_rate(fee: f64, term_months: u32) -> f64 {
    if !fee.is_finite() || fee <= 0.0 || term_months == 0 {
        return 0.0;
    }
    let n = f64::from(term_months);
    let instalment = 1.0 / n + fee;
    // Present value of the instalments per 1 元 borrowed; it falls as `r` rises.
    let present_value = |r: f64| instalment * (1.0 - (1.0 + r).powf(-n)) / r;
    // PV(r) < instalment / r, so PV(instalment) < 1: the root lies in (0, instalment).
    let (mut low, mut high) = (0.0_f64, instalment);
    for _ in 0..100 {
        let mid = (low + high) / 2.0;
        if present_value(mid) > 1.0 {
            low = mid;
        } else {
            high = mid;
        }
    }
    12.0 * (low + high) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::{Fen, Payoff, amortize};

    #[test]
    fn monthly_fee_to_annual_rate() {
        // 0.6 %/month over 12 months looks like 7.2 %/year but costs an IRR of 1.0862 %/month,
        // i.e. 13.03 % a year (computed independently by bisection in Python: 0.130342).
        let apr = fee_to_annual_rate(0.006, 12);
        assert!((apr - 0.130342).abs() < 1e-6, "{apr}");
        // 1 %/month over 12 months: 21.46 %; 0.6 %/month over 24 months: 13.27 %.
        assert!((fee_to_annual_rate(0.01, 12) - 0.214572).abs() < 1e-6);
        assert!((fee_to_annual_rate(0.006, 24) - 0.132656).abs() < 1e-6);
        assert_eq!(fee_to_annual_rate(0.0, 12), 0.0);
        assert_eq!(fee_to_annual_rate(0.006, 0), 0.0);
    }

    #[test]
    fn fee_rate_reproduces_the_fee_schedule() {
        // 12 000 元 at a 0.6 % monthly fee: 12 × (1 000 + 72) 元, i.e. 864 元 of fees. Charging
        // the IRR on the outstanding balance with the same instalment clears it in 12 months
        // with the same total cost, up to rounding.
        let rate = Rate::MonthlyFee {
            rate: 0.006,
            term_months: 12,
        };
        let payoff = amortize(Fen::yuan(12_000, 0), rate.monthly(), Fen::yuan(1_072, 0));
        let Payoff::Cleared {
            months,
            total_interest,
            ..
        } = payoff
        else {
            panic!("{payoff:?}");
        };
        assert_eq!(months, 12);
        assert!(
            (total_interest.0 - Fen::yuan(864, 0).0).abs() <= 12,
            "{total_interest}"
        );
    }

    #[test]
    fn annual_and_validity() {
        assert_eq!(Rate::Annual(0.18).annual(), 0.18);
        assert!((Rate::Annual(0.12).monthly() - 0.01).abs() < 1e-15);
        assert!(Rate::Annual(0.0).is_valid());
        assert!(!Rate::Annual(-0.1).is_valid());
        assert!(!Rate::Annual(f64::NAN).is_valid());
        assert!(
            !Rate::MonthlyFee {
                rate: 0.006,
                term_months: 0
            }
            .is_valid()
        );
    }
}
