//! Repayment planner: the pure arithmetic behind `/plan`.
//!
//! - [`money`]: [`Fen`], integer money, and [`monthly_interest`] with its rounding rule (half up
//!   to the fen, every month).
//! - [`rate`]: [`Rate`] (annual interest or a monthly fee on the original principal) and
//!   [`fee_to_annual_rate`] (IRR-based annual equivalent).
//! - [`amortize`](mod@amortize): one debt, one fixed payment → [`Payoff`].
//! - [`plan`](mod@plan): several debts and a monthly budget → [`Plan`] (priority order with reasons,
//!   payoff month and interest per debt, or the shortfall when the budget cannot cover the minimums).
//!
//! The `/plan` conversation, equally pure (no Telegram calls, no storage):
//! - [`parse`]: money, rates, days overdue and yes/no the way people type them, and the one-line
//!   form `/plan 收入8000 支出5000 借呗20000 花呗5000`.
//! - [`dialogue`]: the question-by-question state machine ([`PlanDialogue`], [`PlanButton`],
//!   [`Transition`]).
//! - [`render`](mod@render): the result as replies, with the negotiation path when the budget
//!   falls short.
//! - [`texts`]: the `[planner]` table of `responses/<language>.toml`.
//!
//! Nothing here does I/O or touches floating point balances; rates are `f64`.

pub mod amortize;
pub mod dialogue;
pub mod money;
pub mod parse;
pub mod plan;
pub mod rate;
pub mod render;
pub mod texts;

pub use amortize::{MAX_MONTHS, Payoff, amortize};
pub use dialogue::{Effect, PlanButton, PlanDialogue, SavedPlan, Transition};
pub use money::{Fen, monthly_interest};
pub use plan::{
    Debt, DebtResult, InputError, Outcome, Plan, PlanInput, Ranked, Reason, plan, prioritize,
};
pub use rate::{Rate, fee_to_annual_rate};
