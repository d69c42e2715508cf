//! The plan as replies: what is free each month, whether the debts can be paid as they stand,
//! the order of priority with reasons, a schedule, and — when the budget falls short — the
//! negotiation path (a script per lender, 第70条 for bank credit cards, a 协商还款申请 letter with
//! the user's numbers, the documents to prepare). Always a warning against paid agents.
//!
//! Every text comes from [`PlannerTexts`]. Values (names, amounts) are filled in after a text
//! has been split into lines and headings, and end up in [`Inline::Text`]; escaping happens when
//! the [`Doc`] is rendered.

use super::amortize::MAX_MONTHS;
use super::dialogue::{PlanButton, SavedPlan};
use super::parse::{DEFAULT_CARD_RATE, DEFAULT_LOAN_RATE};
use super::plan::{DebtResult, Outcome, Plan, PlanInput, Ranked, Reason, plan};
use super::texts::PlannerTexts;
use super::{Fen, Rate};
use crate::render::reply::{Button, Reply, text_doc};
use crate::render::{Doc, Inline, Paragraph, TELEGRAM_LIMIT, utf16_len};
use crate::responses::fill;

/// A schedule longer than this (5 years, the longest 个性化分期 under 第70条) calls for
/// negotiation, like a budget that falls short.
pub const NEGOTIATE_AFTER_MONTHS: u32 = 60;

/// Above this equivalent annual rate a debt gets a note: the commonly cited ceiling on the total
/// cost of a loan (the source is beside the text in responses/).
pub const RATE_LINE_HIGH: f64 = 0.36;
/// Above this equivalent annual rate (and up to [`RATE_LINE_HIGH`]) a debt gets a milder note.
pub const RATE_LINE_LOW: f64 = 0.24;

/// Rates this close count as equal: a rate of exactly 36 % is not above the line, and two
/// debts typed with the same rate are at the same rate.
const RATE_EPSILON: f64 = 1e-9;

/// Replies are packed up to this many UTF-16 units of text, well within Telegram's limit.
const PACK_LIMIT: usize = TELEGRAM_LIMIT - 600;

/// `1234567` fen → "12,345.67"; whole yuan drop the decimals: "8,000".
pub fn format_money(amount: Fen) -> String {
    let sign = if amount.0 < 0 { "-" } else { "" };
    let abs = amount.0.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match abs % 100 {
        0 => format!("{sign}{grouped}"),
        fen => format!("{sign}{grouped}.{fen:02}"),
    }
}

/// A fraction as a percentage with at most two decimals: 0.18 → "18%", 0.1825 → "18.25%".
pub fn format_percent(fraction: f64) -> String {
    let s = format!("{:.2}", fraction * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// "年化 18%", "月费率 0.6%，按 12 期折合年化约 13.03%", "无息".
pub fn format_rate(rate: &Rate, texts: &PlannerTexts) -> String {
    let f = &texts.format;
    match *rate {
        _ if rate.annual() == 0.0 => f.rate_zero.clone(),
        Rate::Annual(r) => fill(&f.rate_annual, &[("rate", &format_percent(r))]),
        Rate::MonthlyFee {
            rate: fee,
            term_months,
        } => fill(
            &f.rate_fee,
            &[
                ("fee", &format_percent(fee)),
                ("term", &term_months.to_string()),
                ("rate", &format_percent(rate.annual())),
            ],
        ),
    }
}

/// A multi-line text from responses/ with `{name}` values filled in after it has been split into
/// paragraphs, lines and headings, so a value can neither add a line nor become a heading.
pub(crate) fn template_doc(template: &str, values: &[(&str, &str)]) -> Doc {
    let mut doc = text_doc(template);
    for p in &mut doc.paragraphs {
        for line in &mut p.lines {
            for piece in line.iter_mut() {
                if let Inline::Text(s) | Inline::Bold(s) = piece {
                    *s = fill(s, values);
                }
            }
        }
    }
    doc
}

/// The paragraphs of [`template_doc`].
fn paragraphs(template: &str, values: &[(&str, &str)]) -> Vec<Paragraph> {
    template_doc(template, values).paragraphs
}

/// A button that [`super::dialogue::on_button`] understands.
pub(crate) fn button(label: &str, b: PlanButton) -> Button {
    Button {
        label: label.to_string(),
        action: crate::render::reply::ButtonAction::Callback(b.encode().to_string()),
    }
}

/// Whether the debts can be paid as they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    NoDebts,
    Payable {
        months: u32,
        interest: Fen,
    },
    TooLong {
        months: u32,
        interest: Fen,
    },
    /// The budget never outruns the interest.
    Never,
    Short {
        shortfall: Fen,
    },
}

impl Standing {
    fn of(input: &PlanInput, plan: &Plan) -> Standing {
        if input.debts.iter().all(|d| d.balance <= Fen::ZERO) {
            return Standing::NoDebts;
        }
        match plan.outcome {
            Outcome::Infeasible { shortfall } => Standing::Short { shortfall },
            Outcome::Feasible { months: None, .. } => Standing::Never,
            Outcome::Feasible {
                months: Some(months),
                total_interest: interest,
                ..
            } if months > NEGOTIATE_AFTER_MONTHS => Standing::TooLong { months, interest },
            Outcome::Feasible {
                months: Some(months),
                total_interest: interest,
                ..
            } => Standing::Payable { months, interest },
        }
    }

    fn needs_negotiation(self) -> bool {
        matches!(
            self,
            Standing::TooLong { .. } | Standing::Never | Standing::Short { .. }
        )
    }
}

/// `a / b` rounded up, for `a ≥ 0` and `b > 0`.
fn ceil_div(a: i64, b: i64) -> i64 {
    a / b + i64::from(a % b != 0)
}

/// What to ask one lender for: `monthly` (whole yuan) until the balance is paid, `term` months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ask {
    monthly: Fen,
    term: u32,
}

/// What to ask the lenders for. The whole budget (in whole yuan) is split between the debts in
/// proportion to their balances, so that what the scripts promise adds up to at most the
/// budget; each debt is asked to be paid in instalments of its share. With less than 1 元 a
/// month for each lender, every script asks for a deferral instead.
struct Proposal {
    affordable: Fen,
    /// Per debt, by index into [`PlanInput::debts`]; `None` for a debt with nothing owed. Empty
    /// when asking for a deferral.
    asks: Vec<Option<Ask>>,
}

impl Proposal {
    fn of(input: &PlanInput, budget: Fen) -> Proposal {
        let affordable = budget.max_zero();
        let balances: Vec<i64> = input.debts.iter().map(|d| d.balance.max_zero().0).collect();
        let shares = split_yuan(affordable.0 / 100, &balances);
        let asks = match shares {
            Some(shares) => shares
                .iter()
                .zip(&balances)
                .map(|(&yuan, &balance)| {
                    (balance > 0).then(|| {
                        // Never more a month than what is owed.
                        let monthly = (yuan * 100).min(ceil_div(balance, 100) * 100);
                        Ask {
                            monthly: Fen(monthly),
                            term: u32::try_from(ceil_div(balance, monthly)).unwrap_or(u32::MAX),
                        }
                    })
                })
                .collect(),
            None => Vec::new(),
        };
        Proposal { affordable, asks }
    }

    fn ask(&self, index: usize) -> Option<Ask> {
        self.asks.get(index).copied().flatten()
    }

    /// What all the scripts promise a month.
    fn total_monthly(&self) -> Fen {
        self.asks.iter().flatten().map(|a| a.monthly).sum()
    }

    fn longest_term(&self) -> u32 {
        self.asks
            .iter()
            .flatten()
            .map(|a| a.term)
            .max()
            .unwrap_or(0)
    }
}

/// `yuan` split in proportion to `weights` (fen; zero for a debt with nothing owed), in whole
/// yuan: the floor of each exact share, the yuan left over to the largest remainders (the
/// earlier debt on a tie), then 1 元 moved from the largest share to any share that would be
/// nothing. The shares add up to `yuan`. `None` if `yuan` is less than the number of weights
/// above zero, or there are none.
fn split_yuan(yuan: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let owing = weights.iter().filter(|w| **w > 0).count();
    let total: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if owing == 0 || yuan < owing as i64 {
        return None;
    }
    let exact: Vec<(i64, i128)> = weights
        .iter()
        .map(|&w| {
            let product = i128::from(yuan) * i128::from(w.max(0));
            // Each quotient is at most `yuan`, so it fits.
            ((product / total) as i64, product % total)
        })
        .collect();
    let mut shares: Vec<i64> = exact.iter().map(|(q, _)| *q).collect();
    let mut by_remainder: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0).collect();
    by_remainder.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    let left = yuan - shares.iter().sum::<i64>();
    for &i in by_remainder.iter().cycle().take(left as usize) {
        shares[i] += 1;
    }
    // Every lender is offered something: shares add up to `yuan` ≥ the number of lenders, so
    // while one is nothing another is at least 2.
    while let Some(empty) = (0..weights.len()).find(|&i| weights[i] > 0 && shares[i] == 0) {
        let largest = (0..shares.len()).max_by_key(|&i| (shares[i], std::cmp::Reverse(i)))?;
        shares[largest] -= 1;
        shares[empty] += 1;
    }
    Some(shares)
}

/// The result of a finished dialogue or one-line form, with a 保存 button on the last reply.
/// `assumed_rates`: some rates were not given and [`super::parse::default_rate`] was used.
pub fn render_result(
    input: &PlanInput,
    plan: &Plan,
    texts: &PlannerTexts,
    assumed_rates: bool,
) -> Vec<Reply> {
    render(
        input,
        plan,
        texts,
        assumed_rates,
        vec![vec![button(&texts.buttons.save, PlanButton::Save)]],
    )
}

/// A saved plan in full (the 查看 button), with an 更新 button instead of 保存.
pub fn render_saved(saved: &SavedPlan, texts: &PlannerTexts) -> Vec<Reply> {
    let buttons = vec![vec![button(&texts.buttons.update, PlanButton::Update)]];
    match plan(&saved.input) {
        Ok(p) => render(&saved.input, &p, texts, saved.assumed_rates, buttons),
        Err(_) => vec![Reply {
            doc: text_doc(&texts.error),
            buttons,
        }],
    }
}

/// A saved plan in short, for `/plan` when one exists, with buttons 查看 and 更新.
pub fn render_saved_summary(saved: &SavedPlan, texts: &PlannerTexts) -> Reply {
    let s = &texts.summary;
    let input = &saved.input;
    let total: Fen = input.debts.iter().map(|d| d.balance).sum();
    let mut doc = Doc::default();
    doc.push(Paragraph::default().bold(&s.title));
    let mut p = Paragraph::default();
    for piece in paragraphs(
        &s.body,
        &[
            ("income", &format_money(input.monthly_income)),
            ("expenses", &format_money(input.monthly_expenses)),
            ("count", &input.debts.len().to_string()),
            ("total", &format_money(total)),
        ],
    ) {
        p.lines.extend(piece.lines);
    }
    for d in &input.debts {
        p = p.text(fill(
            &s.debt_line,
            &[
                ("name", &d.name),
                ("balance", &format_money(d.balance)),
                ("rate", &format_rate(&d.rate, texts)),
            ],
        ));
    }
    doc.push(p);
    doc.paragraphs.extend(paragraphs(&s.actions, &[]));
    Reply {
        doc,
        buttons: vec![vec![
            button(&texts.buttons.show_saved, PlanButton::ShowSaved),
            button(&texts.buttons.update, PlanButton::Update),
        ]],
    }
}

fn render(
    input: &PlanInput,
    plan: &Plan,
    texts: &PlannerTexts,
    assumed_rates: bool,
    buttons: Vec<Vec<Button>>,
) -> Vec<Reply> {
    let standing = Standing::of(input, plan);
    let mut sections = vec![overview(input, plan, texts, assumed_rates, standing)];
    if standing.needs_negotiation() {
        let proposal = Proposal::of(input, plan.budget);
        sections.push(negotiation(input, plan, texts, &proposal));
        sections.push(letter(input, plan, texts, &proposal));
    }
    if let Some(last) = sections.last_mut() {
        last.extend(paragraphs(&texts.result.warning, &[]));
    }
    let mut replies: Vec<Reply> = pack(sections).into_iter().map(Reply::text).collect();
    if let Some(last) = replies.last_mut() {
        last.buttons = buttons;
    }
    replies
}

/// Paragraphs into documents of at most [`PACK_LIMIT`] characters; each section starts a new one.
fn pack(sections: Vec<Vec<Paragraph>>) -> Vec<Doc> {
    let mut docs = Vec::new();
    for section in sections {
        let mut doc = Doc::default();
        let mut len = 0;
        for p in section {
            let p_len = utf16_len(
                &Doc {
                    paragraphs: vec![p.clone()],
                }
                .to_plain(),
            );
            if !doc.paragraphs.is_empty() && len + 2 + p_len > PACK_LIMIT {
                docs.push(std::mem::take(&mut doc));
                len = 0;
            }
            len += p_len + 2;
            doc.push(p);
        }
        if !doc.paragraphs.is_empty() {
            docs.push(doc);
        }
    }
    docs
}

fn overdue_clause(days: u32, texts: &PlannerTexts) -> String {
    if days == 0 {
        String::new()
    } else {
        fill(
            &texts.negotiate.overdue_clause,
            &[("days", &days.to_string())],
        )
    }
}

fn overview(
    input: &PlanInput,
    plan: &Plan,
    texts: &PlannerTexts,
    assumed_rates: bool,
    standing: Standing,
) -> Vec<Paragraph> {
    let r = &texts.result;
    let money = format_money;
    let total: Fen = input.debts.iter().map(|d| d.balance).sum();
    let mut out = vec![Paragraph::default().bold(&r.title)];
    let budget_template = if plan.budget > Fen::ZERO {
        &r.budget
    } else {
        &r.budget_none
    };
    let mut summary = paragraphs(
        budget_template,
        &[
            ("income", &money(input.monthly_income)),
            ("expenses", &money(input.monthly_expenses)),
            ("budget", &money(plan.budget)),
        ],
    );
    if !input.debts.is_empty() {
        summary.extend(paragraphs(
            &r.debts,
            &[
                ("count", &input.debts.len().to_string()),
                ("total", &money(total)),
            ],
        ));
    }
    // One paragraph: budget and debts.
    let mut first = Paragraph::default();
    for p in summary {
        first.lines.extend(p.lines);
    }
    out.push(first);
    if assumed_rates && !input.debts.is_empty() {
        out.extend(paragraphs(
            &r.assumed_rates,
            &[
                ("loan_rate", &format_percent(DEFAULT_LOAN_RATE)),
                ("card_rate", &format_percent(DEFAULT_CARD_RATE)),
            ],
        ));
    }
    let budget = money(plan.budget);
    out.extend(match standing {
        Standing::NoDebts => paragraphs(&r.no_debts, &[]),
        Standing::Payable { months, interest } => paragraphs(
            &r.payable,
            &[
                ("budget", &budget),
                ("months", &months.to_string()),
                ("interest", &money(interest)),
            ],
        ),
        Standing::TooLong { months, interest } => {
            let years = format!("{:.1}", f64::from(months) / 12.0);
            paragraphs(
                &r.too_long,
                &[
                    ("months", &months.to_string()),
                    ("years", years.trim_end_matches(".0")),
                    ("interest", &money(interest)),
                ],
            )
        }
        Standing::Never => paragraphs(&r.never, &[("budget", &budget)]),
        Standing::Short { .. } if plan.budget <= Fen::ZERO => paragraphs(&r.short_no_money, &[]),
        Standing::Short { shortfall } => paragraphs(
            &r.short,
            &[
                ("minimums", &money(plan.minimums)),
                ("shortfall", &money(shortfall)),
            ],
        ),
    });
    if standing == Standing::NoDebts {
        return out;
    }

    // The order of priority, with the reason for each.
    let mut order = Paragraph::default().bold(&r.priority_title);
    for (n, ranked) in plan.priorities.iter().enumerate() {
        let Some(debt) = input.debts.get(ranked.index) else {
            continue;
        };
        let days = debt.days_overdue.to_string();
        let same_rate = same_rate_as(plan, ranked, input, texts);
        let reason = match ranked.reason {
            Reason::OverdueReported => fill(&r.reason_overdue_reported, &[("days", &days)]),
            Reason::CreditCard => r.reason_credit_card.clone(),
            Reason::HighestCost if ranked.annual_rate <= 0.0 => r.reason_zero_interest.clone(),
            Reason::HighestCost if !same_rate.is_empty() => {
                fill(&r.reason_same_rate, &[("others", &same_rate)])
            }
            Reason::HighestCost => r.reason_highest_cost.clone(),
        };
        order = order.text(fill(
            &r.priority_line,
            &[
                ("n", &(n + 1).to_string()),
                ("name", &debt.name),
                ("rate", &format_rate(&debt.rate, texts)),
                ("reason", &reason),
            ],
        ));
    }
    out.push(order);
    out.extend(rate_notes(input, plan, texts));
    out.extend(paragraphs(&r.no_new_loans, &[]));

    // The schedule.
    if let (
        Standing::Payable { .. } | Standing::TooLong { .. },
        Outcome::Feasible {
            debts,
            total_interest,
            months,
            ..
        },
    ) = (standing, &plan.outcome)
    {
        out.push(schedule(debts, *total_interest, *months, plan, texts));
    }
    if matches!(standing, Standing::Payable { .. })
        && input.debts.iter().any(|d| d.days_overdue > 0)
    {
        out.extend(paragraphs(&r.overdue_tip, &[]));
    }
    out
}

/// At most this many other debts at the same rate are named in a reason; the rest are counted.
const SAME_RATE_NAMED: usize = 2;

/// The other debts in `ranked`'s group at the same rate: the first [`SAME_RATE_NAMED`] quoted
/// and joined, then how many more; an empty string when there are none.
fn same_rate_as(plan: &Plan, ranked: &Ranked, input: &PlanInput, texts: &PlannerTexts) -> String {
    let f = &texts.one_line;
    let others: Vec<&str> = plan
        .priorities
        .iter()
        .filter(|other| {
            other.index != ranked.index
                && other.reason == ranked.reason
                && (other.annual_rate - ranked.annual_rate).abs() < RATE_EPSILON
        })
        .filter_map(|other| input.debts.get(other.index))
        .map(|d| d.name.as_str())
        .collect();
    let mut names = others
        .iter()
        .take(SAME_RATE_NAMED)
        .map(|name| fill(&f.quoted_name, &[("name", name)]))
        .collect::<Vec<_>>()
        .join(&f.list_separator);
    if others.len() > SAME_RATE_NAMED {
        names.push_str(&fill(
            &texts.result.reason_same_rate_more,
            &[
                ("count", &others.len().to_string()),
                ("more", &(others.len() - SAME_RATE_NAMED).to_string()),
            ],
        ));
    }
    names
}

/// A note for each debt owed at more than [`RATE_LINE_LOW`] a year, in the order of priority:
/// the part above the line can be disputed, and where to ask. Nothing when no debt is above it.
fn rate_notes(input: &PlanInput, plan: &Plan, texts: &PlannerTexts) -> Vec<Paragraph> {
    let r = &texts.result;
    let mut notes = Paragraph::default().bold(&r.rate_limits_title);
    let mut any = false;
    for ranked in &plan.priorities {
        let Some(debt) = input.debts.get(ranked.index) else {
            continue;
        };
        if debt.balance <= Fen::ZERO {
            continue;
        }
        let template = if ranked.annual_rate > RATE_LINE_HIGH + RATE_EPSILON {
            &r.rate_above_high
        } else if ranked.annual_rate > RATE_LINE_LOW + RATE_EPSILON {
            &r.rate_above_low
        } else {
            continue;
        };
        notes = notes.text(fill(
            template,
            &[
                ("name", &debt.name),
                ("rate", &format_rate(&debt.rate, texts)),
            ],
        ));
        any = true;
    }
    if !any {
        return Vec::new();
    }
    let mut out = vec![notes];
    out.extend(paragraphs(&r.rate_limits_where, &[]));
    out
}

fn schedule(
    debts: &[DebtResult],
    total_interest: Fen,
    months: Option<u32>,
    plan: &Plan,
    texts: &PlannerTexts,
) -> Paragraph {
    let r = &texts.result;
    let mut p = Paragraph::default()
        .bold(fill(
            &r.schedule_title,
            &[("budget", &format_money(plan.budget))],
        ))
        .text(&r.schedule_note);
    for d in debts {
        let line = match d.cleared_month {
            Some(0) => fill(&r.schedule_nothing_owed, &[("name", &d.name)]),
            Some(month) => fill(
                &r.schedule_line,
                &[
                    ("name", &d.name),
                    ("month", &month.to_string()),
                    ("interest", &format_money(d.interest)),
                ],
            ),
            None => fill(
                &r.schedule_open,
                &[
                    ("name", &d.name),
                    ("max", &MAX_MONTHS.to_string()),
                    ("remaining", &format_money(d.remaining)),
                    ("interest", &format_money(d.interest)),
                ],
            ),
        };
        p = p.text(line);
    }
    if let Some(months) = months {
        p = p.text(fill(
            &r.schedule_total,
            &[
                ("months", &months.to_string()),
                ("interest", &format_money(total_interest)),
            ],
        ));
    }
    p
}

fn negotiation(
    input: &PlanInput,
    plan: &Plan,
    texts: &PlannerTexts,
    proposal: &Proposal,
) -> Vec<Paragraph> {
    let t = &texts.negotiate;
    let mut out = paragraphs(&t.intro, &[]);
    if input
        .debts
        .iter()
        .any(|d| d.credit_card && d.balance > Fen::ZERO)
    {
        out.extend(paragraphs(&t.card_article_70, &[]));
    }
    // How the budget was split, when there is more than one lender to split it between.
    if proposal.asks.iter().flatten().count() > 1 {
        let total: Fen = input.debts.iter().map(|d| d.balance.max_zero()).sum();
        out.extend(paragraphs(
            &t.split,
            &[
                ("affordable", &format_money(proposal.affordable)),
                ("total", &format_money(total)),
                ("promised", &format_money(proposal.total_monthly())),
            ],
        ));
    }
    if proposal.longest_term() > NEGOTIATE_AFTER_MONTHS {
        out.extend(paragraphs(
            &t.too_many_instalments,
            &[
                ("affordable", &format_money(proposal.affordable)),
                ("term", &proposal.longest_term().to_string()),
                ("max", &NEGOTIATE_AFTER_MONTHS.to_string()),
            ],
        ));
    }
    let income = format_money(input.monthly_income);
    let expenses = format_money(input.monthly_expenses);
    let affordable = format_money(proposal.affordable);
    let mut n = 0;
    for ranked in &plan.priorities {
        let Some(debt) = input.debts.get(ranked.index) else {
            continue;
        };
        if debt.balance <= Fen::ZERO {
            continue;
        }
        n += 1;
        out.push(Paragraph::default().text(fill(
            &t.script_title,
            &[
                ("n", &n.to_string()),
                ("name", &debt.name),
                ("rate", &format_rate(&debt.rate, texts)),
            ],
        )));
        let ask = proposal.ask(ranked.index);
        let template = if ask.is_some() {
            &t.script
        } else {
            &t.script_deferral
        };
        let mut script = Paragraph {
            lines: Vec::new(),
            quote: true,
        };
        let mut lines = paragraphs(
            template,
            &[
                ("balance", &format_money(debt.balance)),
                ("overdue", &overdue_clause(debt.days_overdue, texts)),
                ("income", &income),
                ("expenses", &expenses),
                ("affordable", &affordable),
                (
                    "monthly",
                    &format_money(ask.map_or(Fen::ZERO, |a| a.monthly)),
                ),
                ("term", &ask.map_or(0, |a| a.term).to_string()),
            ],
        );
        if debt.credit_card {
            lines.extend(paragraphs(&t.script_card, &[]));
        }
        for p in lines {
            script.lines.extend(p.lines);
        }
        out.push(script);
    }
    out.extend(paragraphs(&t.record, &[]));
    out
}

fn letter(
    input: &PlanInput,
    plan: &Plan,
    texts: &PlannerTexts,
    proposal: &Proposal,
) -> Vec<Paragraph> {
    let t = &texts.letter;
    let mut out = Vec::new();
    // Addressed to the first lender in the order of priority.
    let first = plan
        .priorities
        .iter()
        .filter_map(|r| input.debts.get(r.index).map(|d| (r.index, d)))
        .find(|(_, d)| d.balance > Fen::ZERO);
    if let Some((index, debt)) = first {
        let total: Fen = input.debts.iter().map(|d| d.balance).sum();
        let lender = debt.name.as_str();
        out.push(Paragraph::default().bold(&t.title));
        let mut intro = paragraphs(&t.intro, &[("lender", lender)]);
        if input.debts.len() > 1 {
            intro.extend(paragraphs(&t.others, &[]));
        }
        let mut p = Paragraph::default();
        for piece in intro {
            p.lines.extend(piece.lines);
        }
        out.push(p);
        let request = match proposal.ask(index) {
            Some(ask) => fill(
                &t.request,
                &[
                    ("term", &ask.term.to_string()),
                    ("monthly", &format_money(ask.monthly)),
                ],
            ),
            None => t.request_deferral.clone(),
        };
        let ability = if proposal.affordable > Fen::ZERO {
            fill(
                &t.ability,
                &[("affordable", &format_money(proposal.affordable))],
            )
        } else {
            t.ability_none.clone()
        };
        let mut body = Paragraph {
            lines: Vec::new(),
            quote: true,
        };
        for p in paragraphs(
            &t.body,
            &[
                ("lender", lender),
                ("balance", &format_money(debt.balance)),
                ("overdue", &overdue_clause(debt.days_overdue, texts)),
                ("income", &format_money(input.monthly_income)),
                ("expenses", &format_money(input.monthly_expenses)),
                ("ability", &ability),
                ("count", &input.debts.len().to_string()),
                ("total", &format_money(total)),
                ("request", &request),
            ],
        ) {
            body.lines.extend(p.lines);
        }
        out.push(body);
    }
    out.extend(paragraphs(&texts.negotiate.documents, &[]));
    out
}

#[cfg(test)]
#[path = "../../tests/support/telegram_html.rs"]
mod telegram_html;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::Debt;
    use crate::render::reply::ButtonAction;
    use crate::responses::{Language, Responses};

    fn texts(language: Language) -> &'static PlannerTexts {
        &Responses::get(language).planner
    }

    fn debt(name: &str, yuan: i64, rate: Rate) -> Debt {
        Debt::new(name, Fen::yuan(yuan, 0), rate)
    }

    /// Income and expenses in whole yuan.
    fn plan_input(income: i64, expenses: i64, debts: Vec<Debt>) -> PlanInput {
        PlanInput {
            monthly_income: Fen::yuan(income, 0),
            monthly_expenses: Fen::yuan(expenses, 0),
            debts,
        }
    }

    fn feasible_input() -> PlanInput {
        plan_input(
            8_000,
            5_000,
            vec![
                debt("借呗", 20_000, Rate::Annual(0.18)),
                Debt {
                    days_overdue: 45,
                    credit_reported: true,
                    ..debt(
                        "花呗",
                        5_000,
                        Rate::MonthlyFee {
                            rate: 0.006,
                            term_months: 12,
                        },
                    )
                },
                debt("朋友", 1_000, Rate::Annual(0.0)),
            ],
        )
    }

    /// Income below expenses; a bank credit card, an overdue reported loan, and a hostile name.
    fn infeasible_input() -> PlanInput {
        plan_input(
            3_000,
            3_500,
            vec![
                Debt {
                    credit_card: true,
                    ..debt("招商银行信用卡", 12_000, Rate::Annual(0.18))
                },
                Debt {
                    days_overdue: 90,
                    credit_reported: true,
                    ..debt("<b>坏</b> & <a href=\"x\">", 30_000, Rate::Annual(0.24))
                },
            ],
        )
    }

    fn all_plain(replies: &[Reply]) -> String {
        replies
            .iter()
            .map(|r| r.doc.to_plain())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Every reply renders valid Telegram HTML in parts within the limit, fits one message where
    /// it was packed, leaves no placeholder unfilled, and only the last carries buttons.
    fn check_replies(replies: &[Reply]) {
        assert!(!replies.is_empty());
        for (i, r) in replies.iter().enumerate() {
            let html = r.doc.to_html();
            assert_eq!(telegram_html::check(&html), None, "{html}");
            assert!(
                r.doc.to_html_parts(TELEGRAM_LIMIT).len() == 1,
                "reply {i} needs splitting"
            );
            assert!(!r.doc.to_plain().contains('{'), "{}", r.doc.to_plain());
            assert_eq!(r.buttons.is_empty(), i + 1 < replies.len());
        }
    }

    fn last_button(replies: &[Reply]) -> Option<PlanButton> {
        match &replies.last()?.buttons.first()?.first()?.action {
            ButtonAction::Callback(data) => PlanButton::parse(data),
            ButtonAction::Url(_) => None,
        }
    }

    #[test]
    fn money_and_percentages() {
        assert_eq!(format_money(Fen::yuan(8_000, 0)), "8,000");
        assert_eq!(format_money(Fen::yuan(1_234_567, 5)), "1,234,567.05");
        assert_eq!(format_money(Fen(-50_000)), "-500");
        assert_eq!(format_money(Fen::ZERO), "0");
        assert_eq!(format_money(Fen::yuan(999, 0)), "999");
        assert_eq!(format_percent(0.18), "18%");
        assert_eq!(format_percent(0.1825), "18.25%");
        assert_eq!(format_percent(0.130342), "13.03%");
        assert_eq!(format_percent(0.072), "7.2%");
        let zh = texts(Language::ZhCn);
        assert_eq!(format_rate(&Rate::Annual(0.18), zh), "年化 18%");
        assert_eq!(format_rate(&Rate::Annual(0.0), zh), "无息");
        assert_eq!(
            format_rate(
                &Rate::MonthlyFee {
                    rate: 0.006,
                    term_months: 12
                },
                zh
            ),
            "月费率 0.6%，按 12 期折合年化约 13.03%"
        );
    }

    #[test]
    fn a_feasible_plan() {
        let zh = texts(Language::ZhCn);
        let input = feasible_input();
        let p = plan(&input).unwrap();
        let replies = render_result(&input, &p, zh, false);
        check_replies(&replies);
        assert_eq!(last_button(&replies), Some(PlanButton::Save));
        let text = all_plain(&replies);
        for expected in [
            "每月收入 8,000 元，必要开支 5,000 元，每月能拿出来还款的钱是 3,000 元",
            "一共 3 笔欠款，合计 26,000 元",
            "✅ 按现在的条件还得上",
            // Reported overdue first, then the most expensive, the interest-free last.
            "1. 花呗（月费率 0.6%，按 12 期折合年化约 13.03%）：已经逾期 45 天",
            "2. 借呗（年化 18%）：利率高的先还",
            "3. 朋友（无息）：不收利息，多余的钱最后再还它；但每期账单仍要按时还上（至少还最低还款额），不然一样会逾期",
            "以贷养贷",
            "还款时间表（每月 3,000 元）",
            "全部还清：第 10 个月",
            "停息挂账",
            "债务优化",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains("没告诉我利率"));
        assert!(
            !text.contains("协商还款申请"),
            "no negotiation when payable"
        );
        let Outcome::Feasible { total_interest, .. } = p.outcome else {
            panic!()
        };
        assert!(text.contains(&format!("总利息约 {} 元", format_money(total_interest))));
        // The assumed-rate note.
        let assumed = all_plain(&render_result(&input, &p, zh, true));
        assert!(
            assumed.contains("网贷年化 24%，信用卡年化 18%"),
            "{assumed}"
        );
    }

    /// The plan for 8 000 元 income, 5 000 元 expenses and `debts`, as plain text.
    fn plan_text(language: Language, debts: Vec<Debt>) -> String {
        let input = plan_input(8_000, 5_000, debts);
        let p = plan(&input).unwrap();
        let replies = render_result(&input, &p, texts(language), false);
        check_replies(&replies);
        all_plain(&replies)
    }

    #[test]
    fn a_rate_above_36_percent_gets_a_note_naming_the_debt_and_where_to_ask() {
        let rate = crate::planner::parse::parse_rate("年化500%").unwrap();
        let text = plan_text(
            Language::ZhCn,
            vec![
                debt("借呗", 20_000, Rate::Annual(0.18)),
                debt("某某贷", 3_000, rate.clone()),
            ],
        );
        for expected in [
            "关于过高的利率",
            "• 某某贷（年化 500%）：高于年化 36%",
            "超出的部分，可以向贷款机构提出异议、要求减免",
            "一年期贷款市场报价利率（LPR）四倍",
            "12378",
            "12348",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        // Only the debt above the line is named in the note.
        assert!(!text.contains("• 借呗（"), "{text}");
        assert!(!text.contains("高于年化 24%"), "{text}");
        let en = plan_text(Language::En, vec![debt("X loan", 3_000, rate)]);
        assert!(
            en.contains("• X loan (500% a year): above 36 % a year"),
            "{en}"
        );
        assert!(en.contains("12378") && en.contains("12348"), "{en}");
    }

    #[test]
    fn a_rate_of_18_percent_gets_no_note() {
        let rate = crate::planner::parse::parse_rate("年化18%").unwrap();
        let text = plan_text(Language::ZhCn, vec![debt("借呗", 20_000, rate)]);
        assert!(text.contains("1. 借呗（年化 18%）"), "{text}");
        assert!(!text.contains("关于过高的利率"), "{text}");
        assert!(!text.contains("12378"), "{text}");
    }

    #[test]
    fn a_rate_between_24_and_36_percent_gets_the_milder_note() {
        let text = plan_text(
            Language::ZhCn,
            vec![
                debt("甲", 5_000, Rate::Annual(0.30)),
                // Exactly on a line is not above it: 36 % gets the 24 % note, 24 % none.
                debt("乙", 5_000, Rate::Annual(0.36)),
                debt("丙", 5_000, Rate::Annual(0.24)),
                // A monthly fee counts by its annual equivalent: 1.5 % a month over 12 months
                // looks like 18 % but is about 31.7 % a year (bisection in Python: 0.317164).
                debt(
                    "丁",
                    5_000,
                    Rate::MonthlyFee {
                        rate: 0.015,
                        term_months: 12,
                    },
                ),
            ],
        );
        assert!(text.contains("• 甲（年化 30%）：高于年化 24%。"), "{text}");
        assert!(text.contains("• 乙（年化 36%）：高于年化 24%。"), "{text}");
        assert!(
            text.contains("• 丁（月费率 1.5%，按 12 期折合年化约 31.72%）：高于年化 24%。"),
            "{text}"
        );
        assert!(!text.contains("• 丙（"), "{text}");
        assert!(!text.contains("高于年化 36%"), "{text}");
    }

    #[test]
    fn two_debts_at_the_same_rate_say_so_instead_of_higher_rate_first() {
        let text = plan_text(
            Language::ZhCn,
            vec![
                debt("甲贷", 9_000, Rate::Annual(0.18)),
                debt("乙贷", 3_000, Rate::Annual(0.18)),
                debt("丙贷", 3_000, Rate::Annual(0.12)),
            ],
        );
        // Same rate, nobody overdue: the order the user gave.
        assert!(
            text.contains("1. 甲贷（年化 18%）：和「乙贷」利率一样，先还哪一笔，利息都差不多"),
            "{text}"
        );
        assert!(
            text.contains("2. 乙贷（年化 18%）：和「甲贷」利率一样"),
            "{text}"
        );
        assert!(text.contains("3. 丙贷（年化 12%）：利率高的先还"), "{text}");
        assert!(!text.contains("甲贷（年化 18%）：利率高的先还"), "{text}");
        let en = plan_text(
            Language::En,
            vec![
                debt("A", 9_000, Rate::Annual(0.18)),
                debt("B", 3_000, Rate::Annual(0.18)),
            ],
        );
        assert!(
            en.contains("1. A (18% a year): the same rate as \"B\""),
            "{en}"
        );
    }

    #[test]
    fn many_debts_at_the_same_rate_name_two_and_count_the_rest() {
        let debts = ["甲", "乙", "丙", "丁", "戊"]
            .iter()
            .map(|name| debt(name, 1_000, Rate::Annual(0.18)))
            .collect();
        let text = plan_text(Language::ZhCn, debts);
        assert!(
            text.contains("1. 甲（年化 18%）：和「乙」、「丙」等 4 笔利率一样"),
            "{text}"
        );
        let debts = ["A", "B", "C", "D", "E"]
            .iter()
            .map(|name| debt(name, 1_000, Rate::Annual(0.18)))
            .collect();
        let en = plan_text(Language::En, debts);
        assert!(
            en.contains("1. A (18% a year): the same rate as \"B\", \"C\" and 2 more,"),
            "{en}"
        );
    }

    #[test]
    fn same_rate_debts_overdue_longer_come_first_as_the_reason_says() {
        let text = plan_text(
            Language::ZhCn,
            vec![
                debt("甲贷", 9_000, Rate::Annual(0.18)),
                Debt {
                    days_overdue: 10,
                    ..debt("乙贷", 3_000, Rate::Annual(0.18))
                },
            ],
        );
        assert!(
            text.contains("1. 乙贷（年化 18%）：和「甲贷」利率一样"),
            "{text}"
        );
        assert!(text.contains("逾期天数多的排在前面"), "{text}");
    }

    #[test]
    fn an_interest_free_bill_still_needs_its_minimum_paid_on_time() {
        for (language, expected) in [
            (Language::ZhCn, "至少还最低还款额"),
            (Language::En, "at least the minimum payment"),
        ] {
            let text = plan_text(language, vec![debt("花呗", 2_000, Rate::Annual(0.0))]);
            assert!(text.contains(expected), "{text}");
        }
    }

    #[test]
    fn an_infeasible_plan_shows_the_negotiation_path() {
        for language in Language::ALL {
            let t = texts(language);
            let input = infeasible_input();
            let p = plan(&input).unwrap();
            assert!(p.shortfall().is_some());
            let replies = render_result(&input, &p, t, false);
            check_replies(&replies);
            assert!(replies.len() >= 2);
            assert_eq!(last_button(&replies), Some(PlanButton::Save));
            let text = all_plain(&replies);
            for expected in [
                "3,000",
                "3,500",
                "12,000",
                "30,000",
                "42,000",
                "第70条",
                "个性化分期",
                "协商还款申请",
                "停息挂账",
                "<b>坏</b> & <a href=\"x\">",
                &t.negotiate.script_card,
            ] {
                assert!(
                    text.contains(expected),
                    "{language:?}: missing {expected:?} in\n{text}"
                );
            }
            // The user's name is escaped, never markup.
            for r in &replies {
                let html = r.doc.to_html();
                assert!(!html.contains("<b>坏"), "{html}");
                assert!(!html.contains("<a href=\"x\">"), "{html}");
            }
            assert!(all_plain(&replies[..1]).contains("<b>坏</b>"));
        }
        let zh = texts(Language::ZhCn);
        let input = infeasible_input();
        let text = all_plain(&render_result(&input, &plan(&input).unwrap(), zh, false));
        for expected in [
            "扣掉开支后没有余钱可以还款",
            "⚠️ 按现在的条件还不上。",
            // The overdue, reported loan comes first; then the card.
            "1. <b>坏</b> & <a href=\"x\">（年化 24%）：已经逾期 90 天",
            "2. 招商银行信用卡（年化 18%）：银行信用卡",
            // Nothing to spare: a deferral, in the scripts and the letter.
            "还欠 30,000 元，已经逾期 90 天",
            "延期 3 到 6 个月",
            // The letter is addressed to the first lender with the user's numbers.
            "「<b>坏</b> & <a href=\"x\">」",
            "每月收入约 3,000 元，必要生活开支约 3,500 元，扣除开支后已经没有余钱用于还款",
            "目前共有 2 笔欠款，合计 42,000 元",
            "写给其他机构时",
            // Documents to prepare before talking to a lender.
            "身份证",
            "征信报告",
            "银行流水",
            "困难证明",
            "沟通记录",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn a_budget_that_cannot_outrun_interest_proposes_instalments() {
        let zh = texts(Language::ZhCn);
        // 1 000 元 a month against 100 000 元 at 24 %: never cleared.
        let input = plan_input(
            6_000,
            5_000,
            vec![
                debt("网商贷", 80_000, Rate::Annual(0.24)),
                Debt {
                    credit_card: true,
                    ..debt("建行信用卡", 20_000, Rate::Annual(0.18))
                },
            ],
        );
        let p = plan(&input).unwrap();
        let replies = render_result(&input, &p, zh, false);
        check_replies(&replies);
        let text = all_plain(&replies);
        for expected in [
            "每月 1,000 元赶不上利息涨的速度",
            // 1 000 元 split 80 000 : 20 000, each over 100 instalments, more than 60.
            "每月还 800 元，分 100 期",
            "每月还 200 元，分 100 期",
            "各家加起来每月 1,000 元",
            "最长的一笔要分 100 期才能还完",
            "12348",
            "第70条",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        // A budget that pays off in 61+ months is too long, and gets the negotiation path too.
        let input = plan_input(5_500, 5_000, vec![debt("借呗", 40_000, Rate::Annual(0.0))]);
        let text = all_plain(&render_result(&input, &plan(&input).unwrap(), zh, false));
        assert!(text.contains("要 80 个月（约 6.7 年）才能还清"), "{text}");
        assert!(text.contains("还款时间表") && text.contains("协商还款申请"));
        assert!(text.contains("分 80 期偿还，每期 500 元"), "{text}");
        assert!(text.contains("最长的一笔要分 80 期才能还完"), "{text}");
    }

    /// The monthly amounts and terms the scripts ask for, in order, and how many scripts ask
    /// for a deferral instead.
    fn script_asks(text: &str) -> (Vec<(Fen, u32)>, usize) {
        let re = regex::Regex::new(r"每月还 ([\d,]+) 元，分 (\d+) 期").unwrap();
        let asks = re
            .captures_iter(text)
            .map(|c| {
                let yuan: i64 = c[1].replace(',', "").parse().unwrap();
                (Fen::yuan(yuan, 0), c[2].parse().unwrap())
            })
            .collect();
        (asks, text.matches("延期 3 到 6 个月，期间").count())
    }

    #[test]
    fn the_scripts_split_the_budget_instead_of_promising_more() {
        // Issue 12, item 7: with 500 元 free the scripts asked for 334 + 500 元 a month.
        let zh = texts(Language::ZhCn);
        let input = plan_input(
            3_500,
            3_000,
            vec![
                debt("网贷A", 20_000, Rate::Annual(0.24)),
                debt("网贷B", 30_000, Rate::Annual(0.24)),
            ],
        );
        let p = plan(&input).unwrap();
        let replies = render_result(&input, &p, zh, false);
        check_replies(&replies);
        let text = all_plain(&replies);
        let (asks, deferrals) = script_asks(&text);
        // Each lender is asked for its share of 500 元 by balance: 200 + 300, 100 instalments.
        let mut monthly: Vec<Fen> = asks.iter().map(|(m, _)| *m).collect();
        monthly.sort();
        assert_eq!(monthly, [Fen::yuan(200, 0), Fen::yuan(300, 0)], "{text}");
        assert!(asks.iter().all(|(_, term)| *term == 100), "{text}");
        assert_eq!(deferrals, 0);
        for expected in [
            "每月能拿出来还款的钱是 500 元",
            "按每家欠款占全部欠款 50,000 元的比例分给各家",
            "各家加起来每月 500 元",
            "最长的一笔要分 100 期才能还完",
            // The letter to the first lender asks for the same.
            "分 100 期偿还，每期 200 元",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(
            !text.contains("334") && !text.contains("每月还 500 元"),
            "{text}"
        );
        // The English reply says how it was split too.
        let en = all_plain(&render_result(&input, &p, texts(Language::En), false));
        assert!(
            en.contains("in proportion to what you owe each") && en.contains("promise 500 yuan"),
            "{en}"
        );
    }

    #[test]
    fn scripts_never_add_up_to_more_than_the_budget() {
        let card = |name: &str, yuan: i64| Debt {
            credit_card: true,
            ..debt(name, yuan, Rate::Annual(0.18))
        };
        let overdue = |name: &str, yuan: i64| Debt {
            days_overdue: 60,
            credit_reported: true,
            ..debt(name, yuan, Rate::Annual(0.36))
        };
        let mixes: Vec<Vec<Debt>> = vec![
            vec![debt("借呗", 50_000, Rate::Annual(0.24))],
            vec![
                card("信用卡", 80_000),
                debt("网商贷", 20_000, Rate::Annual(0.24)),
            ],
            vec![
                overdue("网贷A", 33_333),
                card("信用卡B", 66_667),
                debt("花呗", 3_001, Rate::Annual(0.24)),
                debt("朋友", 1, Rate::Annual(0.0)),
                debt("已还清", 0, Rate::Annual(0.2)),
            ],
            (0..20)
                .map(|i| overdue(&format!("平台{i}"), 5_000 + 1_337 * i))
                .collect(),
        ];
        let mut checked = 0;
        for debts in mixes {
            let lenders = debts.iter().filter(|d| d.balance > Fen::ZERO).count();
            for budget_fen in [1, 300, 1_700, 50_000, 99_999, 100_000, 234_567] {
                let input = PlanInput {
                    monthly_income: Fen(300_000 + budget_fen),
                    monthly_expenses: Fen(300_000),
                    debts: debts.clone(),
                };
                let p = plan(&input).unwrap();
                if !Standing::of(&input, &p).needs_negotiation() {
                    continue;
                }
                checked += 1;
                let text = all_plain(&render_result(&input, &p, texts(Language::ZhCn), false));
                let (asks, deferrals) = script_asks(&text);
                let context = format!("{budget_fen} fen, {lenders} lenders:\n{text}");
                if budget_fen >= 100 * lenders as i64 {
                    // One script per lender (the letter repeats the first one's ask).
                    assert_eq!((asks.len(), deferrals), (lenders, 0), "{context}");
                    let promised: Fen = asks.iter().map(|(m, _)| *m).sum();
                    assert!(promised <= Fen(budget_fen), "{context}");
                    assert!(
                        asks.iter().all(|(m, t)| *m > Fen::ZERO && *t > 0),
                        "{context}"
                    );
                    let split = format!("各家加起来每月 {} 元", format_money(promised));
                    assert_eq!(text.contains(&split), lenders > 1, "{context}");
                } else {
                    // Less than 1 元 a month for each lender: a deferral, no amounts.
                    assert_eq!((asks.len(), deferrals), (0, lenders), "{context}");
                }
            }
        }
        assert!(checked >= 20, "{checked}");
    }

    #[test]
    fn split_by_balance_in_whole_yuan() {
        assert_eq!(
            split_yuan(500, &[2_000_000, 3_000_000]),
            Some(vec![200, 300])
        );
        // 1 000 元 in thirds: the left-over yuan goes to the earliest of equal remainders.
        assert_eq!(split_yuan(1_000, &[1, 1, 1]), Some(vec![334, 333, 333]));
        // Nothing owed gets nothing; a tiny balance still gets 1 元.
        assert_eq!(split_yuan(10, &[0, 1, 100_000_000]), Some(vec![0, 1, 9]));
        // Less than 1 元 for each lender, or no lender: no split.
        assert_eq!(split_yuan(2, &[5, 5, 5]), None);
        assert_eq!(split_yuan(2, &[0, 0]), None);
        for (yuan, weights) in [
            (7, vec![3, 3, 3, 1]),
            (1_234, vec![99_999, 1, 0, 45_000]),
            (20, (1..=20).collect::<Vec<i64>>()),
        ] {
            let shares = split_yuan(yuan, &weights).unwrap();
            assert_eq!(shares.iter().sum::<i64>(), yuan, "{shares:?}");
            assert!(
                shares
                    .iter()
                    .zip(&weights)
                    .all(|(s, w)| (*s > 0) == (*w > 0))
            );
        }
    }

    #[test]
    fn many_debts_are_packed_into_several_replies() {
        let debts: Vec<Debt> = (0..20)
            .map(|i| Debt {
                days_overdue: 30,
                credit_reported: i % 2 == 0,
                credit_card: i % 3 == 0,
                ..debt(
                    &format!("很长的平台名字第{i}号贷款"),
                    10_000 + i,
                    Rate::Annual(0.2),
                )
            })
            .collect();
        let input = plan_input(2_000, 1_000, debts);
        for language in Language::ALL {
            let replies = render_result(&input, &plan(&input).unwrap(), texts(language), true);
            check_replies(&replies);
            assert!(replies.len() >= 3);
        }
    }

    #[test]
    fn saved_plans() {
        let saved = SavedPlan {
            input: feasible_input(),
            assumed_rates: true,
        };
        for language in Language::ALL {
            let t = texts(language);
            let summary = render_saved_summary(&saved, t);
            check_replies(std::slice::from_ref(&summary));
            let labels: Vec<&str> = summary.buttons[0]
                .iter()
                .map(|b| b.label.as_str())
                .collect();
            assert_eq!(labels, [&t.buttons.show_saved, &t.buttons.update]);
            let text = summary.doc.to_plain();
            assert!(text.contains("8,000") && text.contains("26,000") && text.contains("借呗"));
            let full = render_saved(&saved, t);
            check_replies(&full);
            assert_eq!(last_button(&full), Some(PlanButton::Update));
        }
    }

    #[test]
    fn no_debts() {
        let zh = texts(Language::ZhCn);
        let input = plan_input(3_000, 3_000, vec![]);
        let replies = render_result(&input, &plan(&input).unwrap(), zh, false);
        check_replies(&replies);
        let text = all_plain(&replies);
        assert!(text.contains("没有余钱") && text.contains("没有填需要还的欠款"));
        assert!(!text.contains("先还哪一笔"));
        assert!(text.contains("停息挂账"));
    }
}
