//! Paying one debt off with a fixed monthly payment.

use serde::{Deserialize, Serialize};

use super::money::{Fen, monthly_interest};

/// No schedule runs longer than this (50 years).
pub const MAX_MONTHS: u32 = 600;

/// How a fixed payment clears a debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payoff {
    /// Cleared by month `months`; every payment is the regular one except the last, which is
    /// `last_payment` (at most the regular payment). `(months − 1) × payment + last_payment`
    /// equals the balance plus `total_interest`, to the fen. A zero balance is cleared in 0
    /// months.
    Cleared {
        months: u32,
        total_interest: Fen,
        last_payment: Fen,
    },
    /// The payment does not exceed the first month's interest, so the balance never falls.
    /// Anything above `monthly_interest` makes progress.
    Never { monthly_interest: Fen },
    /// The balance falls but is not cleared within [`MAX_MONTHS`]; `remaining` is left after them.
    TooLong { remaining: Fen, total_interest: Fen },
}

/// Pays `payment` every month on `balance` at `monthly_rate` (e.g. `0.12 / 12`).
///
/// Each month, interest is added first (rounded half up to the fen, see
/// [`monthly_interest`]), then the payment, or what is left if that is less.
pub fn amortize(balance: Fen, monthly_rate: f64, payment: Fen) -> Payoff {
    if balance <= Fen::ZERO {
        return Payoff::Cleared {
            months: 0,
            total_interest: Fen::ZERO,
            last_payment: Fen::ZERO,
        };
    }
    // Interest only falls with the balance, so covering the first month covers them all.
    let first = monthly_interest(balance, monthly_rate);
    if payment <= first {
        return Payoff::Never {
            monthly_interest: first,
        };
    }
    let (mut balance, mut total_interest) = (balance, Fen::ZERO);
    for month in 1..=MAX_MONTHS {
        let interest = monthly_interest(balance, monthly_rate);
        total_interest += interest;
        balance += interest;
        let paid = payment.min(balance);
        balance -= paid;
        if balance == Fen::ZERO {
            return Payoff::Cleared {
                months: month,
                total_interest,
                last_payment: paid,
            };
        }
    }
    Payoff::TooLong {
        remaining: balance,
        total_interest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_loan_clears_in_twelve_months() {
        // 10 000 元 at 12 %/year (1 %/month) with 888.49 元/month. The exact annuity payment is
        // 10 000 × 0.01 / (1 − 1.01⁻¹²) = 888.4879 元, so 888.49 overpays by 0.0021 元/month.
        // Without rounding, the last payment is 888.49 − 0.0021 × (1.01¹² − 1)/0.01 ≈ 888.4632
        // and the interest is 11 × 888.49 + 888.4632 − 10 000 = 661.8532 元 (checked with exact
        // fractions). Rounded monthly: interest 100.00, 92.12, 84.15, … 8.80 = 661.86 元, last
        // payment 888.47 元.
        let payoff = amortize(Fen::yuan(10_000, 0), 0.12 / 12.0, Fen::yuan(888, 49));
        let Payoff::Cleared {
            months,
            total_interest,
            last_payment,
        } = payoff
        else {
            panic!("{payoff:?}");
        };
        assert_eq!(months, 12);
        assert!((total_interest.0 - 66_185).abs() <= 1, "{total_interest}");
        assert_eq!(total_interest, Fen::yuan(661, 86));
        assert_eq!(last_payment, Fen::yuan(888, 47));
        assert_eq!(
            Fen::yuan(888, 49).0 * 11 + last_payment.0,
            Fen::yuan(10_000, 0).0 + total_interest.0
        );
    }

    #[test]
    fn payoff_month_and_last_payment() {
        // 1 000 元 at 0 % with 300 元/month: 300, 300, 300, 100 → month 4.
        assert_eq!(
            amortize(Fen::yuan(1_000, 0), 0.0, Fen::yuan(300, 0)),
            Payoff::Cleared {
                months: 4,
                total_interest: Fen::ZERO,
                last_payment: Fen::yuan(100, 0),
            }
        );
        // An exact multiple ends with a full payment.
        assert_eq!(
            amortize(Fen::yuan(900, 0), 0.0, Fen::yuan(300, 0)),
            Payoff::Cleared {
                months: 3,
                total_interest: Fen::ZERO,
                last_payment: Fen::yuan(300, 0),
            }
        );
    }

    #[test]
    fn zero_balance_is_already_cleared() {
        assert_eq!(
            amortize(Fen::ZERO, 0.02, Fen::yuan(100, 0)),
            Payoff::Cleared {
                months: 0,
                total_interest: Fen::ZERO,
                last_payment: Fen::ZERO,
            }
        );
    }

    #[test]
    fn payment_that_never_covers_interest() {
        // 10 000 元 at 24 %/year: 200 元 interest a month.
        let never = Payoff::Never {
            monthly_interest: Fen::yuan(200, 0),
        };
        assert_eq!(
            amortize(Fen::yuan(10_000, 0), 0.02, Fen::yuan(200, 0)),
            never
        );
        assert_eq!(
            amortize(Fen::yuan(10_000, 0), 0.02, Fen::yuan(150, 0)),
            never
        );
        assert!(matches!(
            amortize(Fen::yuan(100, 0), 0.0, Fen::ZERO),
            Payoff::Never { .. }
        ));
    }

    #[test]
    fn capped_at_600_months() {
        // 1 000 000 元 at 2 %/month: 20 000.01 元 a month barely beats 20 000 元 of interest.
        // Without rounding it would take ln(2 000 001) / ln(1.02) ≈ 733 months.
        let payoff = amortize(Fen::yuan(1_000_000, 0), 0.02, Fen::yuan(20_000, 1));
        let Payoff::TooLong {
            remaining,
            total_interest,
        } = payoff
        else {
            panic!("{payoff:?}");
        };
        assert!(remaining > Fen::ZERO && remaining < Fen::yuan(1_000_000, 0));
        // Everything paid went to interest or principal.
        assert_eq!(
            Fen(2_000_001 * 600),
            total_interest + Fen::yuan(1_000_000, 0) - remaining
        );
    }

    #[test]
    fn rounding_never_loses_a_fen() {
        for balance in [1, 99, 12_345, 1_000_000, 7_654_321] {
            for annual in [0.0, 0.036, 0.12, 0.18, 0.2399, 0.36] {
                for payment in [50, 333, 10_000, 250_001] {
                    let payoff = amortize(Fen(balance), annual / 12.0, Fen(payment));
                    if let Payoff::Cleared {
                        months,
                        total_interest,
                        last_payment,
                    } = payoff
                    {
                        assert!(total_interest >= Fen::ZERO);
                        assert!(last_payment > Fen::ZERO && last_payment <= Fen(payment));
                        assert_eq!(
                            i64::from(months - 1) * payment + last_payment.0,
                            balance + total_interest.0,
                            "{balance} {annual} {payment}"
                        );
                    }
                }
            }
        }
    }
}
