//! Every text of the `/plan` conversation and its result, loaded from the `[planner]` table of
//! `responses/<language>.toml` (and its sub-tables).
//!
//! Placeholders are written `{name}` and filled with [`crate::responses::fill`]. Multi-line texts
//! mark bold headings with a leading "# " (see [`crate::render::reply::text_doc`]); values are
//! filled in after the text has been split into lines, so no value can add a heading or a line.

use serde::Deserialize;

/// The `[planner]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannerTexts {
    /// First message of the dialogue (multi-line).
    pub intro: String,
    pub ask_income: String,
    pub reask_income: String,
    pub ask_expenses: String,
    pub reask_expenses: String,
    pub ask_first_debt: String,
    /// `{n}`: the number of the debt asked for.
    pub ask_next_debt: String,
    pub reask_name: String,
    /// `{max}`: the longest name, in characters.
    pub name_too_long: String,
    /// `{name}` in the questions and re-asks below is the debt's name.
    pub ask_balance: String,
    pub reask_balance: String,
    pub ask_rate: String,
    pub reask_rate: String,
    pub ask_overdue: String,
    pub reask_overdue: String,
    pub ask_reported: String,
    pub ask_card: String,
    pub reask_yes_no: String,
    /// `{n}`, `{name}`, `{balance}`, `{rate}`, `{overdue}`, `{flags}`.
    pub debt_added: String,
    /// `{max}`.
    pub too_many_debts: String,
    pub cancelled: String,
    pub saved: String,
    pub nothing_saved: String,
    pub stale_button: String,
    pub error: String,
    pub buttons: PlannerButtons,
    pub format: FormatTexts,
    pub one_line: OneLineTexts,
    pub result: ResultTexts,
    pub negotiate: NegotiateTexts,
    pub letter: LetterTexts,
    pub summary: SummaryTexts,
}

/// `[planner.buttons]`: button labels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannerButtons {
    pub yes: String,
    pub no: String,
    pub no_more_debts: String,
    pub unknown_rate: String,
    pub not_overdue: String,
    pub save: String,
    pub show_saved: String,
    pub update: String,
}

/// `[planner.format]`: small pieces used inside other texts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatTexts {
    /// A zero rate.
    pub rate_zero: String,
    /// `{rate}`: an annual rate such as "18%".
    pub rate_annual: String,
    /// `{fee}`, `{term}`, `{rate}`: a monthly fee, its term and its annual equivalent.
    pub rate_fee: String,
    /// `{rate}`: a formatted rate that was assumed, not given.
    pub rate_assumed: String,
    pub not_overdue: String,
    /// `{days}`.
    pub overdue: String,
    /// Appended to [`PlannerTexts::debt_added`]'s `{flags}`.
    pub flag_reported: String,
    pub flag_card: String,
}

/// `[planner.one_line]`: errors of the one-line form, each followed by `usage`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneLineTexts {
    pub usage: String,
    pub empty: String,
    pub missing_income: String,
    pub missing_expenses: String,
    pub no_debts: String,
    /// `{max}`.
    pub too_many: String,
    /// `{part}` in the next five: the words that could not be read (shortened).
    pub unreadable: String,
    pub missing_amount: String,
    pub missing_name: String,
    pub misplaced: String,
    pub duplicate: String,
    /// `{part}`, `{max}`.
    pub name_too_long: String,
    /// `{names}`: the overdue loans counted as reported to the credit bureau because the line
    /// did not say; shown before the plan.
    pub assumed_reported: String,
    /// `{name}`: one name in `{names}`.
    pub quoted_name: String,
    /// Between two names in `{names}`.
    pub list_separator: String,
}

/// `[planner.result]`: the plan.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultTexts {
    pub title: String,
    /// `{income}`, `{expenses}`, `{budget}`.
    pub budget: String,
    pub budget_none: String,
    /// `{count}`, `{total}`.
    pub debts: String,
    /// `{loan_rate}`, `{card_rate}`.
    pub assumed_rates: String,
    pub no_debts: String,
    /// `{budget}`, `{months}`, `{interest}`.
    pub payable: String,
    /// `{months}`, `{years}`, `{interest}`.
    pub too_long: String,
    /// `{budget}`.
    pub never: String,
    /// `{minimums}`, `{shortfall}`: the minimum payments exceed the budget.
    pub short: String,
    /// Nothing is left after expenses.
    pub short_no_money: String,
    pub priority_title: String,
    /// `{n}`, `{name}`, `{rate}`, `{reason}`.
    pub priority_line: String,
    /// `{days}`.
    pub reason_overdue_reported: String,
    pub reason_credit_card: String,
    pub reason_highest_cost: String,
    /// `{others}`: the other debts of the same group at the same rate.
    pub reason_same_rate: String,
    /// Appended to `{others}` when more debts share the rate than are named: `{count}` (all the
    /// others), `{more}` (those not named).
    pub reason_same_rate_more: String,
    pub reason_zero_interest: String,
    /// Heading of the notes on rates above [`super::render::RATE_LINE_LOW`].
    pub rate_limits_title: String,
    /// `{name}`, `{rate}`: a debt above [`super::render::RATE_LINE_HIGH`] a year.
    pub rate_above_high: String,
    /// `{name}`, `{rate}`: a debt above [`super::render::RATE_LINE_LOW`], up to the high line.
    pub rate_above_low: String,
    /// After the notes: the line for private lending, and where to ask.
    pub rate_limits_where: String,
    pub no_new_loans: String,
    /// `{budget}`.
    pub schedule_title: String,
    pub schedule_note: String,
    /// `{name}`, `{month}`, `{interest}`.
    pub schedule_line: String,
    /// `{name}`.
    pub schedule_nothing_owed: String,
    /// `{name}`, `{max}`, `{remaining}`.
    pub schedule_open: String,
    /// `{months}`, `{interest}`.
    pub schedule_total: String,
    pub overdue_tip: String,
    /// Multi-line; always shown last.
    pub warning: String,
}

/// `[planner.negotiate]`: the negotiation path when the budget falls short.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegotiateTexts {
    /// Multi-line.
    pub intro: String,
    /// `{n}`, `{name}`, `{rate}`.
    pub script_title: String,
    /// `{balance}`, `{overdue}`, `{income}`, `{expenses}`, `{affordable}`, `{monthly}`, `{term}`.
    pub script: String,
    /// `{balance}`, `{overdue}`, `{income}`, `{expenses}`.
    pub script_deferral: String,
    /// `{days}`: inserted as `{overdue}` when the debt is overdue.
    pub overdue_clause: String,
    /// Added to a bank credit card's script.
    pub script_card: String,
    /// Multi-line: 个性化分期 under 第70条, shown once when there is a credit card.
    pub card_article_70: String,
    /// `{affordable}`, `{total}` (all balances), `{promised}` (what the scripts add up to): how
    /// the budget was split between the lenders.
    pub split: String,
    /// `{affordable}`, `{term}` (the longest), `{max}`: instalments beyond 个性化分期's 60.
    pub too_many_instalments: String,
    pub record: String,
    /// Multi-line.
    pub documents: String,
}

/// `[planner.letter]`: the 协商还款申请 letter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterTexts {
    pub title: String,
    /// `{lender}`.
    pub intro: String,
    /// Multi-line. `{lender}`, `{balance}`, `{overdue}`, `{income}`, `{expenses}`,
    /// `{ability}`, `{count}`, `{total}`, `{request}`.
    pub body: String,
    /// `{affordable}`: what can be paid each month.
    pub ability: String,
    /// Nothing can be paid.
    pub ability_none: String,
    /// `{monthly}`, `{term}`.
    pub request: String,
    pub request_deferral: String,
    /// Shown before `body` when there are other lenders.
    pub others: String,
}

/// `[planner.summary]`: a saved plan, in short.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryTexts {
    pub title: String,
    /// `{income}`, `{expenses}`, `{count}`, `{total}`.
    pub body: String,
    /// `{name}`, `{balance}`, `{rate}`.
    pub debt_line: String,
    pub actions: String,
}
