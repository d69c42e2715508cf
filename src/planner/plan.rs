//! A month-by-month plan for several debts within one monthly budget.
//!
//! Priority (see [`Reason`]): debts that are overdue and reported to the credit bureau first,
//! then bank credit cards, then the rest; within each group the highest equivalent annual rate
//! first (avalanche), then the most days overdue, then the order the user gave.
//!
//! Each month every debt accrues interest (as in [`amortize`](fn@super::amortize)), every debt gets
//! its minimum payment in priority order, and the rest of the budget goes to the top-priority
//! debt that is still open, then the next. Money freed by a cleared debt rolls on.

use serde::{Deserialize, Serialize};

use super::amortize::MAX_MONTHS;
use super::money::{Fen, monthly_interest};
use super::rate::Rate;

/// One debt as the user describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debt {
    pub name: String,
    /// Outstanding balance today.
    pub balance: Fen,
    pub rate: Rate,
    pub days_overdue: u32,
    /// Reported to the credit bureau (上征信).
    pub credit_reported: bool,
    /// A bank credit card (银行信用卡).
    pub credit_card: bool,
    /// Contractual minimum monthly payment, if any.
    pub minimum: Option<Fen>,
}

impl Debt {
    /// A debt that is not overdue, not reported, not a card, with no minimum payment.
    pub fn new(name: impl Into<String>, balance: Fen, rate: Rate) -> Self {
        Debt {
            name: name.into(),
            balance,
            rate,
            days_overdue: 0,
            credit_reported: false,
            credit_card: false,
            minimum: None,
        }
    }
}

/// What the user can spend and owes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInput {
    pub monthly_income: Fen,
    pub monthly_expenses: Fen,
    pub debts: Vec<Debt>,
}

/// Why a debt has its place in the order (in order of precedence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Reason {
    /// Overdue and reported to the credit bureau: every month adds to the credit record.
    OverdueReported,
    /// A bank credit card, which its bank reports to the credit bureau once overdue.
    CreditCard,
    /// Everything else, the most expensive first (avalanche).
    HighestCost,
}

/// A debt's place in the priority order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// Index into [`PlanInput::debts`].
    pub index: usize,
    pub name: String,
    pub reason: Reason,
    /// Equivalent nominal annual rate ([`Rate::annual`]).
    pub annual_rate: f64,
}

/// How one debt fares in a feasible plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtResult {
    /// Index into [`PlanInput::debts`].
    pub index: usize,
    pub name: String,
    /// The month it is cleared (1 = the first month; 0 if nothing was owed), or `None` if it is
    /// still open after [`MAX_MONTHS`].
    pub cleared_month: Option<u32>,
    /// Interest charged until cleared (or over [`MAX_MONTHS`]).
    pub interest: Fen,
    /// Paid in total; equals the balance plus `interest` minus `remaining`, to the fen.
    pub paid: Fen,
    /// Still owed at the end (zero once cleared).
    pub remaining: Fen,
}

/// Whether the budget covers the minimums, and if so how the debts are cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The budget is zero or negative, or below the minimum payments: repaying on the current
    /// terms is impossible and the user should negotiate. `shortfall` is how much more a month
    /// is needed (at least 1 fen).
    Infeasible { shortfall: Fen },
    /// The budget covers the minimums; `extra` (budget − minimums) goes to the top priority.
    Feasible {
        extra: Fen,
        /// In priority order, like [`Plan::priorities`].
        debts: Vec<DebtResult>,
        total_interest: Fen,
        /// Months until every debt is cleared, or `None` if some are open after [`MAX_MONTHS`]
        /// (the budget does not outrun the interest).
        months: Option<u32>,
    },
}

/// A repayment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Money free each month for repayment: income − expenses (may be zero or negative).
    pub budget: Fen,
    /// The minimum payments due in the first month; a minimum never exceeds what is owed.
    pub minimums: Fen,
    /// Every debt, in the order it should be paid (or negotiated).
    pub priorities: Vec<Ranked>,
    pub outcome: Outcome,
}

impl Plan {
    /// The monthly shortfall if the plan is infeasible.
    pub fn shortfall(&self) -> Option<Fen> {
        match self.outcome {
            Outcome::Infeasible { shortfall } => Some(shortfall),
            Outcome::Feasible { .. } => None,
        }
    }
}

/// A debt that cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum InputError {
    #[error("debt {0}: the balance is negative")]
    NegativeBalance(usize),
    #[error("debt {0}: the minimum payment is negative")]
    NegativeMinimum(usize),
    #[error("debt {0}: the rate is negative or not a number, or a fee loan has no term")]
    InvalidRate(usize),
}

/// The priority group of a debt.
pub fn reason(debt: &Debt) -> Reason {
    if debt.days_overdue > 0 && debt.credit_reported {
        Reason::OverdueReported
    } else if debt.credit_card {
        Reason::CreditCard
    } else {
        Reason::HighestCost
    }
}

/// The debts in priority order, with the reason for each place.
pub fn prioritize(debts: &[Debt]) -> Vec<Ranked> {
    let mut ranked: Vec<(Ranked, u32)> = debts
        .iter()
        .enumerate()
        .map(|(index, debt)| {
            let ranked = Ranked {
                index,
                name: debt.name.clone(),
                reason: reason(debt),
                annual_rate: debt.rate.annual(),
            };
            (ranked, debt.days_overdue)
        })
        .collect();
    ranked.sort_by(|(a, a_days), (b, b_days)| {
        a.reason
            .cmp(&b.reason)
            .then(b.annual_rate.total_cmp(&a.annual_rate))
            .then(b_days.cmp(a_days))
            .then(a.index.cmp(&b.index))
    });
    ranked.into_iter().map(|(ranked, _)| ranked).collect()
}

/// Plans the repayment of `input.debts` from `income − expenses` a month.
///
/// With no debts (or nothing owed) the plan is feasible and takes 0 months, whatever the budget.
pub fn plan(input: &PlanInput) -> Result<Plan, InputError> {
    for (i, debt) in input.debts.iter().enumerate() {
        if debt.balance < Fen::ZERO {
            return Err(InputError::NegativeBalance(i));
        }
        if debt.minimum.is_some_and(|m| m < Fen::ZERO) {
            return Err(InputError::NegativeMinimum(i));
        }
        if !debt.rate.is_valid() {
            return Err(InputError::InvalidRate(i));
        }
    }
    let budget = input.monthly_income - input.monthly_expenses;
    let priorities = prioritize(&input.debts);
    let debts: Vec<&Debt> = priorities.iter().map(|r| &input.debts[r.index]).collect();

    // What the minimums require in month 1; later months never require more.
    let minimums = debts
        .iter()
        .map(|d| {
            let owed = d.balance + monthly_interest(d.balance, d.rate.monthly());
            d.minimum.unwrap_or(Fen::ZERO).min(owed)
        })
        .sum();
    let owes = debts.iter().any(|d| d.balance > Fen::ZERO);
    if owes && (budget <= Fen::ZERO || budget < minimums) {
        let shortfall = Fen((minimums - budget).0.max(1));
        return Ok(Plan {
            budget,
            minimums,
            priorities,
            outcome: Outcome::Infeasible { shortfall },
        });
    }

    let mut results: Vec<DebtResult> = priorities
        .iter()
        .zip(&debts)
        .map(|(r, d)| DebtResult {
            index: r.index,
            name: r.name.clone(),
            cleared_month: (d.balance == Fen::ZERO).then_some(0),
            interest: Fen::ZERO,
            paid: Fen::ZERO,
            remaining: d.balance,
        })
        .collect();
    let monthly_rates: Vec<f64> = debts.iter().map(|d| d.rate.monthly()).collect();

    for month in 1..=MAX_MONTHS {
        if results.iter().all(|r| r.remaining == Fen::ZERO) {
            break;
        }
        for (r, &rate) in results.iter_mut().zip(&monthly_rates) {
            let interest = monthly_interest(r.remaining, rate);
            r.interest += interest;
            r.remaining += interest;
        }
        let mut pool = budget;
        let mut pay = |r: &mut DebtResult, up_to: Fen| {
            let amount = up_to.min(r.remaining).min(pool).max_zero();
            r.remaining -= amount;
            r.paid += amount;
            pool -= amount;
        };
        for (r, d) in results.iter_mut().zip(&debts) {
            pay(r, d.minimum.unwrap_or(Fen::ZERO));
        }
        for r in results.iter_mut() {
            pay(r, Fen(i64::MAX));
        }
        for r in results.iter_mut() {
            if r.remaining == Fen::ZERO && r.cleared_month.is_none() {
                r.cleared_month = Some(month);
            }
        }
    }

    let total_interest = results.iter().map(|r| r.interest).sum();
    let months = results
        .iter()
        .map(|r| r.cleared_month)
        .try_fold(0, |most, m| m.map(|m| most.max(m)));
    Ok(Plan {
        budget,
        minimums,
        priorities,
        outcome: Outcome::Feasible {
            extra: (budget - minimums).max_zero(),
            debts: results,
            total_interest,
            months,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::{Payoff, amortize};

    fn debt(name: &str, yuan: i64, rate: Rate) -> Debt {
        Debt::new(name, Fen::yuan(yuan, 0), rate)
    }

    /// Income 3 000 元 above expenses of 3 000 元, leaving `budget`.
    fn input_fen(budget: Fen, debts: Vec<Debt>) -> PlanInput {
        PlanInput {
            monthly_income: budget + Fen::yuan(3_000, 0),
            monthly_expenses: Fen::yuan(3_000, 0),
            debts,
        }
    }

    fn input(budget_yuan: i64, debts: Vec<Debt>) -> PlanInput {
        input_fen(Fen::yuan(budget_yuan, 0), debts)
    }

    fn feasible(plan: &Plan) -> (&[DebtResult], Fen, Option<u32>) {
        match &plan.outcome {
            Outcome::Feasible {
                debts,
                total_interest,
                months,
                ..
            } => (debts, *total_interest, *months),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn priority_order() {
        let reported = Debt {
            days_overdue: 45,
            credit_reported: true,
            ..debt("reported", 1_000, Rate::Annual(0.10))
        };
        let card = Debt {
            credit_card: true,
            ..debt("card", 1_000, Rate::Annual(0.18))
        };
        let not_overdue = Debt {
            credit_reported: true,
            ..debt("reported, not overdue", 1_000, Rate::Annual(0.30))
        };
        let unreported = Debt {
            days_overdue: 90,
            ..debt("overdue, unreported", 1_000, Rate::Annual(0.24))
        };
        let debts = vec![
            debt("cheap", 1_000, Rate::Annual(0.05)),
            unreported,
            card,
            debt("dear", 1_000, Rate::Annual(0.36)),
            not_overdue,
            reported,
        ];
        let order: Vec<(&str, Reason)> = prioritize(&debts)
            .iter()
            .map(|r| (debts[r.index].name.as_str(), r.reason))
            .collect();
        assert_eq!(
            order,
            [
                ("reported", Reason::OverdueReported),
                ("card", Reason::CreditCard),
                ("dear", Reason::HighestCost),
                ("reported, not overdue", Reason::HighestCost),
                ("overdue, unreported", Reason::HighestCost),
                ("cheap", Reason::HighestCost),
            ]
        );
    }

    #[test]
    fn fee_loans_rank_by_their_annual_equivalent() {
        // 0.6 %/month over 12 months is 13.03 %/year: dearer than 13 %, cheaper than 13.1 %.
        let fee = Rate::MonthlyFee {
            rate: 0.006,
            term_months: 12,
        };
        let debts = vec![
            debt("13%", 1_000, Rate::Annual(0.13)),
            debt("fee", 1_000, fee),
            debt("13.1%", 1_000, Rate::Annual(0.131)),
        ];
        let order: Vec<usize> = prioritize(&debts).iter().map(|r| r.index).collect();
        assert_eq!(order, [2, 1, 0]);
    }

    #[test]
    fn one_debt_matches_amortize() {
        let loan = || vec![debt("loan", 10_000, Rate::Annual(0.12))];
        let exact = plan(&input_fen(Fen::yuan(888, 49), loan())).unwrap();
        let (debts, total_interest, months) = feasible(&exact);
        assert_eq!(
            amortize(Fen::yuan(10_000, 0), 0.01, Fen::yuan(888, 49)),
            Payoff::Cleared {
                months: 12,
                total_interest,
                last_payment: Fen::yuan(888, 47),
            }
        );
        assert_eq!(months, Some(12));
        assert_eq!(debts[0].cleared_month, Some(12));
        // 888 元 instead of 888.49 元 needs a 13th month.
        let short = plan(&input(888, loan())).unwrap();
        assert_eq!(feasible(&short).2, Some(13));
    }

    #[test]
    fn extra_goes_to_the_top_priority_and_rolls_on() {
        // Interest-free, 100 元 minimums, 500 元 budget. The card gets 100 + 300 a month:
        // 400, 400, 200 → month 3; the loan gets 100, 100, 300 (what the card left), 500 →
        // month 4.
        let card = Debt {
            credit_card: true,
            minimum: Some(Fen::yuan(100, 0)),
            ..debt("card", 1_000, Rate::Annual(0.0))
        };
        let loan = Debt {
            minimum: Some(Fen::yuan(100, 0)),
            ..debt("loan", 1_000, Rate::Annual(0.0))
        };
        let plan = plan(&input(500, vec![loan, card])).unwrap();
        assert_eq!(plan.budget, Fen::yuan(500, 0));
        assert_eq!(plan.minimums, Fen::yuan(200, 0));
        let Outcome::Feasible { extra, .. } = plan.outcome else {
            panic!()
        };
        assert_eq!(extra, Fen::yuan(300, 0));
        let (debts, total_interest, months) = feasible(&plan);
        assert_eq!(total_interest, Fen::ZERO);
        assert_eq!(months, Some(4));
        assert_eq!(
            (debts[0].name.as_str(), debts[0].cleared_month),
            ("card", Some(3))
        );
        assert_eq!(
            (debts[1].name.as_str(), debts[1].cleared_month),
            ("loan", Some(4))
        );
        assert!(debts.iter().all(|d| d.paid == Fen::yuan(1_000, 0)));
    }

    #[test]
    fn avalanche_costs_less_than_the_reverse() {
        let debts = vec![
            debt("cheap", 20_000, Rate::Annual(0.06)),
            debt("dear", 20_000, Rate::Annual(0.36)),
        ];
        let avalanche = plan(&input(2_000, debts.clone())).unwrap();
        let (results, avalanche_interest, _) = feasible(&avalanche);
        assert_eq!(results[0].name, "dear");
        assert!(results[0].cleared_month < results[1].cleared_month);
        // Paying the cheap one first (by making it a card) costs more interest.
        let mut reversed = debts;
        reversed[0].credit_card = true;
        let reversed = plan(&input(2_000, reversed)).unwrap();
        let (results, reversed_interest, _) = feasible(&reversed);
        assert_eq!(results[0].name, "cheap");
        assert!(
            avalanche_interest < reversed_interest,
            "{avalanche_interest} vs {reversed_interest}"
        );
    }

    #[test]
    fn infeasible_when_budget_below_minimums() {
        let a = Debt {
            minimum: Some(Fen::yuan(300, 0)),
            ..debt("a", 5_000, Rate::Annual(0.18))
        };
        let b = Debt {
            minimum: Some(Fen::yuan(400, 0)),
            ..debt("b", 5_000, Rate::Annual(0.24))
        };
        let short = plan(&input(600, vec![a.clone(), b.clone()])).unwrap();
        assert_eq!(short.minimums, Fen::yuan(700, 0));
        assert_eq!(
            short.outcome,
            Outcome::Infeasible {
                shortfall: Fen::yuan(100, 0)
            }
        );
        assert_eq!(short.priorities.len(), 2); // still ranked, for negotiating
        // Exactly the minimums is feasible.
        let exact = plan(&input(700, vec![a.clone(), b])).unwrap();
        assert_eq!(exact.shortfall(), None);
        // A zero or negative budget is infeasible, even without minimums.
        let broke = plan(&input(-200, vec![a.clone()])).unwrap();
        assert_eq!(broke.shortfall(), Some(Fen::yuan(500, 0)));
        let no_minimum = Debt { minimum: None, ..a };
        let zero = plan(&input(0, vec![no_minimum])).unwrap();
        assert_eq!(zero.shortfall(), Some(Fen(1)));
    }

    #[test]
    fn a_minimum_never_exceeds_what_is_owed() {
        // Owes 50 元 (+0.75 元 interest) with a 300 元 minimum: 100 元 is enough.
        let small = Debt {
            minimum: Some(Fen::yuan(300, 0)),
            ..debt("small", 50, Rate::Annual(0.18))
        };
        let plan = plan(&input(100, vec![small])).unwrap();
        assert_eq!(plan.minimums, Fen::yuan(50, 75));
        assert_eq!(feasible(&plan).2, Some(1));
    }

    #[test]
    fn budget_that_never_outruns_interest() {
        // 100 000 元 at 24 %/year is 2 000 元 interest a month; 1 500 元 never clears it.
        let plan = plan(&input(
            1_500,
            vec![debt("big", 100_000, Rate::Annual(0.24))],
        ))
        .unwrap();
        let (debts, total_interest, months) = feasible(&plan);
        assert_eq!(months, None);
        assert_eq!(debts[0].cleared_month, None);
        assert!(debts[0].remaining > Fen::yuan(100_000, 0));
        assert_eq!(total_interest, debts[0].interest);
    }

    #[test]
    fn zero_interest_debts() {
        let plan = plan(&input(
            300,
            vec![
                debt("a", 1_000, Rate::Annual(0.0)),
                debt(
                    "b",
                    500,
                    Rate::MonthlyFee {
                        rate: 0.0,
                        term_months: 6,
                    },
                ),
                debt("nothing owed", 0, Rate::Annual(0.2)),
            ],
        ))
        .unwrap();
        let (debts, total_interest, months) = feasible(&plan);
        assert_eq!(total_interest, Fen::ZERO);
        assert_eq!(months, Some(5)); // 1 500 元 at 300 元 a month
        let cleared: Vec<_> = debts
            .iter()
            .map(|d| (d.name.as_str(), d.cleared_month))
            .collect();
        assert_eq!(
            cleared,
            [("nothing owed", Some(0)), ("a", Some(4)), ("b", Some(5))]
        );
    }

    #[test]
    fn rounding_keeps_every_fen() {
        let debts = vec![
            Debt {
                minimum: Some(Fen(33_333)),
                credit_card: true,
                ..debt("card", 12_345, Rate::Annual(0.1825))
            },
            Debt {
                days_overdue: 10,
                credit_reported: true,
                ..debt(
                    "app",
                    7_777,
                    Rate::MonthlyFee {
                        rate: 0.0075,
                        term_months: 12,
                    },
                )
            },
            debt("friend", 3_001, Rate::Annual(0.0)),
            debt("small loan", 9_999, Rate::Annual(0.359)),
        ];
        let input = PlanInput {
            monthly_income: Fen(512_301),
            monthly_expenses: Fen(330_000),
            debts,
        };
        let plan = plan(&input).unwrap();
        let (results, total_interest, months) = feasible(&plan);
        let months = months.unwrap();
        for r in results {
            let debt = &input.debts[r.index];
            assert!(r.interest >= Fen::ZERO && r.paid >= Fen::ZERO);
            assert_eq!(r.remaining, Fen::ZERO);
            assert_eq!(r.paid, debt.balance + r.interest, "{}", r.name);
        }
        assert_eq!(total_interest, results.iter().map(|r| r.interest).sum());
        let paid: Fen = results.iter().map(|r| r.paid).sum();
        assert!(paid <= Fen(plan.budget.0 * i64::from(months)));
        assert!(paid > Fen(plan.budget.0 * i64::from(months - 1)));
    }

    #[test]
    fn empty_debt_list() {
        for budget in [2_000, 0, -500] {
            let plan = plan(&input(budget, vec![])).unwrap();
            assert_eq!(plan.minimums, Fen::ZERO);
            assert!(plan.priorities.is_empty());
            assert_eq!(
                plan.outcome,
                Outcome::Feasible {
                    extra: Fen::yuan(budget.max(0), 0),
                    debts: vec![],
                    total_interest: Fen::ZERO,
                    months: Some(0),
                }
            );
        }
    }

    #[test]
    fn invalid_input() {
        let bad = |d: Debt| plan(&input(1_000, vec![debt("ok", 100, Rate::Annual(0.1)), d]));
        assert_eq!(
            bad(debt("neg", -1, Rate::Annual(0.1))),
            Err(InputError::NegativeBalance(1))
        );
        assert_eq!(
            bad(Debt {
                minimum: Some(Fen(-1)),
                ..debt("m", 1, Rate::Annual(0.1))
            }),
            Err(InputError::NegativeMinimum(1))
        );
        assert_eq!(
            bad(debt("r", 1, Rate::Annual(f64::NAN))),
            Err(InputError::InvalidRate(1))
        );
        assert_eq!(
            bad(debt(
                "t",
                1,
                Rate::MonthlyFee {
                    rate: 0.01,
                    term_months: 0
                }
            )),
            Err(InputError::InvalidRate(1))
        );
    }

    #[test]
    fn plan_round_trips_through_json() {
        let card = Debt {
            credit_card: true,
            minimum: Some(Fen::yuan(100, 0)),
            ..debt(
                "card",
                1_000,
                Rate::MonthlyFee {
                    rate: 0.006,
                    term_months: 12,
                },
            )
        };
        let input = input(500, vec![card]);
        let plan = plan(&input).unwrap();
        let json = serde_json::to_string(&(&input, &plan)).unwrap();
        let back: (PlanInput, Plan) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, (input, plan));
    }
}
