//! The `/plan` conversation as a pure state machine: no Telegram calls, no storage.
//!
//! One question at a time: monthly income; essential monthly expenses; then each debt's name,
//! outstanding balance, rate, days overdue, whether it is reported to the credit bureau (上征信)
//! and whether it is a bank credit card; "没有了" ends the list. When the answers are complete the
//! plan is computed and rendered ([`super::render::render_result`]) and the state becomes
//! [`PlanDialogue::Done`], which holds the plan until the user presses 保存.
//!
//! How the bot drives it:
//! - `/plan` (with or without text): [`command`]. With text it is the one-line form
//!   ([`one_line`]); without, it shows the saved plan ([`render_saved_summary`]) or [`start`]s.
//! - A text message while [`PlanDialogue::awaits_text`]: [`on_text`]. "取消" typed as text
//!   cancels; the `/cancel` command is the caller's, answered with [`cancel`] (state → `Idle`).
//! - Callback data starting with [`PlanButton::PREFIX`] ("pl:"): [`PlanButton::parse`], then
//!   [`on_button`].
//! - Send [`Transition::replies`] in order, store [`Transition::state`], and carry out
//!   [`Transition::effect`]: [`Effect::Save`] stores the plan, [`Effect::ShowSaved`] loads it
//!   and sends [`show_saved`].
//!
//! A value that cannot be read is asked again with an example, and the state is kept.

use serde::{Deserialize, Serialize};

use super::parse::{
    DebtEntry, MAX_DEBTS, MAX_NAME_CHARS, OneLineError, default_rate, parse_days, parse_debt_entry,
    parse_money, parse_one_line, parse_rate, parse_yes_no, word,
};
use super::plan::{Debt, PlanInput, plan};
use super::render::{
    button, format_money, format_rate, render_result, render_saved, render_saved_summary,
    template_doc,
};
use super::texts::PlannerTexts;
use super::{Fen, Rate};
use crate::render::Doc;
use crate::render::reply::{Button, Reply};

/// The planner's inline buttons. Callback data is "pl:…", far below Telegram's 64 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanButton {
    /// 是 (上征信 / 银行信用卡).
    Yes,
    /// 否.
    No,
    /// 没有了: the list of debts is complete.
    NoMoreDebts,
    /// 不知道 (the rate): a default rate is assumed.
    UnknownRate,
    /// 没有逾期.
    NotOverdue,
    /// 保存: keep the plan just shown.
    Save,
    /// 查看: show the saved plan in full.
    ShowSaved,
    /// 更新: start the dialogue again (a saved plan is replaced when the new one is saved).
    Update,
}

impl PlanButton {
    /// Every planner button's callback data starts with this.
    pub const PREFIX: &'static str = "pl:";

    pub const ALL: [PlanButton; 8] = [
        PlanButton::Yes,
        PlanButton::No,
        PlanButton::NoMoreDebts,
        PlanButton::UnknownRate,
        PlanButton::NotOverdue,
        PlanButton::Save,
        PlanButton::ShowSaved,
        PlanButton::Update,
    ];

    pub fn encode(self) -> &'static str {
        match self {
            PlanButton::Yes => "pl:yes",
            PlanButton::No => "pl:no",
            PlanButton::NoMoreDebts => "pl:done",
            PlanButton::UnknownRate => "pl:rate?",
            PlanButton::NotOverdue => "pl:ontime",
            PlanButton::Save => "pl:save",
            PlanButton::ShowSaved => "pl:show",
            PlanButton::Update => "pl:update",
        }
    }

    /// Exactly the data of [`encode`](Self::encode); anything else is `None`.
    pub fn parse(data: &str) -> Option<PlanButton> {
        PlanButton::ALL.into_iter().find(|b| b.encode() == data)
    }
}

/// A plan as kept by 保存: the answers and whether some rates were assumed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub input: PlanInput,
    pub assumed_rates: bool,
}

/// Income, expenses and the debts completed so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Answers {
    pub income: Fen,
    pub expenses: Fen,
    pub debts: Vec<Debt>,
    /// Some debt's rate was "不知道" and a default was used.
    pub assumed_rates: bool,
}

/// The debt being asked about; each field is filled by its question (or typed with the name:
/// "借呗 2万 年化18%").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebtDraft {
    pub name: String,
    pub balance: Option<Fen>,
    pub rate: Option<Rate>,
    /// The rate is unknown: the default for a loan or a card is used, once that is known.
    pub rate_assumed: bool,
    pub days_overdue: Option<u32>,
    pub credit_reported: Option<bool>,
}

impl From<DebtEntry> for DebtDraft {
    fn from(e: DebtEntry) -> Self {
        DebtDraft {
            name: e.name,
            balance: e.balance,
            rate: e.rate,
            rate_assumed: false,
            days_overdue: e.days_overdue,
            credit_reported: e.credit_reported,
        }
    }
}

/// Where the conversation stands. Each variant but `Idle` and `Done` waits for one answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum PlanDialogue {
    #[default]
    Idle,
    Income,
    Expenses {
        income: Fen,
    },
    DebtName {
        answers: Answers,
    },
    DebtBalance {
        answers: Answers,
        draft: DebtDraft,
    },
    DebtRate {
        answers: Answers,
        draft: DebtDraft,
    },
    DebtOverdue {
        answers: Answers,
        draft: DebtDraft,
    },
    DebtReported {
        answers: Answers,
        draft: DebtDraft,
    },
    DebtCard {
        answers: Answers,
        draft: DebtDraft,
    },
    /// The result has been shown; 保存 keeps `plan`. Text is not routed here.
    Done {
        plan: SavedPlan,
    },
}

impl PlanDialogue {
    /// Whether the dialogue waits for a typed answer: route the user's text to [`on_text`].
    /// `Idle` and `Done` do not (the text is something else, such as a message to check).
    pub fn awaits_text(&self) -> bool {
        !matches!(self, PlanDialogue::Idle | PlanDialogue::Done { .. })
    }
}

/// Something the caller must do with its storage.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Keep this plan for the user (replacing an earlier one).
    Save(SavedPlan),
    /// Load the user's saved plan and send [`show_saved`].
    ShowSaved,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The new state, to store.
    pub state: PlanDialogue,
    /// To send in order; the last may carry buttons.
    pub replies: Vec<Reply>,
    /// Set when the answers have just been completed; the replies already hold the result.
    pub finished: Option<PlanInput>,
    pub effect: Option<Effect>,
}

impl Transition {
    fn to(state: PlanDialogue, replies: Vec<Reply>) -> Transition {
        Transition {
            state,
            replies,
            finished: None,
            effect: None,
        }
    }
}

/// An answer to the current question.
enum Answer {
    Money(Fen),
    Name(DebtEntry),
    NoMoreDebts,
    Rate(Rate),
    UnknownRate,
    Days(u32),
    YesNo(bool),
}

fn reply(doc: Doc, buttons: Vec<Vec<Button>>) -> Reply {
    Reply { doc, buttons }
}

fn doc(template: &str, values: &[(&str, &str)]) -> Doc {
    template_doc(template, values)
}

/// The draft being asked about, if any.
fn draft_of(state: &PlanDialogue) -> Option<&DebtDraft> {
    match state {
        PlanDialogue::DebtBalance { draft, .. }
        | PlanDialogue::DebtRate { draft, .. }
        | PlanDialogue::DebtOverdue { draft, .. }
        | PlanDialogue::DebtReported { draft, .. }
        | PlanDialogue::DebtCard { draft, .. } => Some(draft),
        _ => None,
    }
}

/// The question of a state that waits for an answer, with its buttons.
fn question(state: &PlanDialogue, texts: &PlannerTexts) -> Option<Reply> {
    let b = &texts.buttons;
    let yes_no = || {
        vec![vec![
            button(&b.yes, PlanButton::Yes),
            button(&b.no, PlanButton::No),
        ]]
    };
    let name = draft_of(state).map_or("", |d| d.name.as_str());
    let values = [("name", name)];
    Some(match state {
        PlanDialogue::Idle | PlanDialogue::Done { .. } => return None,
        PlanDialogue::Income => reply(doc(&texts.ask_income, &[]), vec![]),
        PlanDialogue::Expenses { .. } => reply(doc(&texts.ask_expenses, &[]), vec![]),
        PlanDialogue::DebtName { answers } => {
            let text = if answers.debts.is_empty() {
                doc(&texts.ask_first_debt, &[])
            } else {
                doc(
                    &texts.ask_next_debt,
                    &[("n", &(answers.debts.len() + 1).to_string())],
                )
            };
            reply(
                text,
                vec![vec![button(&b.no_more_debts, PlanButton::NoMoreDebts)]],
            )
        }
        PlanDialogue::DebtBalance { .. } => reply(doc(&texts.ask_balance, &values), vec![]),
        PlanDialogue::DebtRate { .. } => reply(
            doc(&texts.ask_rate, &values),
            vec![vec![button(&b.unknown_rate, PlanButton::UnknownRate)]],
        ),
        PlanDialogue::DebtOverdue { .. } => reply(
            doc(&texts.ask_overdue, &values),
            vec![vec![button(&b.not_overdue, PlanButton::NotOverdue)]],
        ),
        PlanDialogue::DebtReported { .. } => reply(doc(&texts.ask_reported, &values), yes_no()),
        PlanDialogue::DebtCard { .. } => reply(doc(&texts.ask_card, &values), yes_no()),
    })
}

/// Moves to `state` and asks its question, after `lead` (e.g. "记下了…").
fn ask(state: PlanDialogue, lead: Doc, texts: &PlannerTexts) -> Transition {
    let mut r = question(&state, texts).unwrap_or_default();
    let mut paragraphs = lead.paragraphs;
    paragraphs.append(&mut r.doc.paragraphs);
    r.doc.paragraphs = paragraphs;
    Transition::to(state, vec![r])
}

/// The same question again, led by a re-ask with an example; the state is kept.
fn reask(state: &PlanDialogue, template: &str, texts: &PlannerTexts) -> Transition {
    let name = draft_of(state).map_or("", |d| d.name.as_str());
    let buttons = question(state, texts)
        .map(|q| q.buttons)
        .unwrap_or_default();
    Transition::to(
        state.clone(),
        vec![reply(doc(template, &[("name", name)]), buttons)],
    )
}

/// The re-ask for a state's question.
fn reask_template<'t>(state: &PlanDialogue, texts: &'t PlannerTexts) -> &'t str {
    match state {
        PlanDialogue::Income => &texts.reask_income,
        PlanDialogue::Expenses { .. } => &texts.reask_expenses,
        PlanDialogue::DebtName { .. } => &texts.reask_name,
        PlanDialogue::DebtBalance { .. } => &texts.reask_balance,
        PlanDialogue::DebtRate { .. } => &texts.reask_rate,
        PlanDialogue::DebtOverdue { .. } => &texts.reask_overdue,
        PlanDialogue::DebtReported { .. } | PlanDialogue::DebtCard { .. } => &texts.reask_yes_no,
        PlanDialogue::Idle | PlanDialogue::Done { .. } => "",
    }
}

/// Starts the dialogue: the introduction and the first question.
pub fn start(texts: &PlannerTexts) -> Transition {
    ask(PlanDialogue::Income, doc(&texts.intro, &[]), texts)
}

/// The reply to a cancelled dialogue ("取消" typed, or `/cancel`); the state becomes `Idle`.
pub fn cancel(texts: &PlannerTexts) -> Reply {
    Reply::text(doc(&texts.cancelled, &[]))
}

/// `/plan` with `args` (the text after the command): the one-line form if there is any text;
/// otherwise the saved plan in short if there is one, else a new dialogue.
pub fn command(args: &str, saved: Option<&SavedPlan>, texts: &PlannerTexts) -> Transition {
    if !args.trim().is_empty() {
        return one_line(args, texts);
    }
    match saved {
        Some(saved) => Transition::to(PlanDialogue::Idle, vec![render_saved_summary(saved, texts)]),
        None => start(texts),
    }
}

/// The one-line form (`/plan 收入8000 支出5000 借呗20000 花呗5000`): the result at once, or
/// what could not be read and how to write it.
pub fn one_line(args: &str, texts: &PlannerTexts) -> Transition {
    match parse_one_line(args) {
        Ok(one) => {
            let lead = if one.assumed_reported.is_empty() {
                Doc::default()
            } else {
                let t = &texts.one_line;
                let names = one
                    .assumed_reported
                    .iter()
                    .map(|n| crate::responses::fill(&t.quoted_name, &[("name", n)]))
                    .collect::<Vec<_>>()
                    .join(&t.list_separator);
                doc(&t.assumed_reported, &[("names", &names)])
            };
            result(one.input, one.assumed_rates, lead, texts)
        }
        Err(e) => Transition::to(PlanDialogue::Idle, vec![one_line_error(&e, texts)]),
    }
}

fn one_line_error(e: &OneLineError, texts: &PlannerTexts) -> Reply {
    let t = &texts.one_line;
    let max_debts = MAX_DEBTS.to_string();
    let max_name = MAX_NAME_CHARS.to_string();
    let mut d = match e {
        OneLineError::Empty => doc(&t.empty, &[]),
        OneLineError::MissingIncome => doc(&t.missing_income, &[]),
        OneLineError::MissingExpenses => doc(&t.missing_expenses, &[]),
        OneLineError::NoDebts => doc(&t.no_debts, &[]),
        OneLineError::TooManyDebts => doc(&t.too_many, &[("max", &max_debts)]),
        OneLineError::Unreadable(part) => doc(&t.unreadable, &[("part", part)]),
        OneLineError::MissingAmount(part) => doc(&t.missing_amount, &[("part", part)]),
        OneLineError::MissingName(part) => doc(&t.missing_name, &[("part", part)]),
        OneLineError::Misplaced(part) => doc(&t.misplaced, &[("part", part)]),
        OneLineError::Duplicate(part) => doc(&t.duplicate, &[("part", part)]),
        OneLineError::NameTooLong(part) => {
            doc(&t.name_too_long, &[("part", part), ("max", &max_name)])
        }
    };
    d.paragraphs.extend(doc(&t.usage, &[]).paragraphs);
    Reply::text(d)
}

/// A saved plan in full (after [`Effect::ShowSaved`]), or "nothing saved" with a hint.
pub fn show_saved(saved: Option<&SavedPlan>, texts: &PlannerTexts) -> Vec<Reply> {
    match saved {
        Some(saved) => render_saved(saved, texts),
        None => vec![Reply::text(doc(&texts.nothing_saved, &[]))],
    }
}

/// The plan for complete answers, rendered after `lead`; the state holds it until 保存.
fn result(input: PlanInput, assumed_rates: bool, lead: Doc, texts: &PlannerTexts) -> Transition {
    let Ok(p) = plan(&input) else {
        return Transition::to(
            PlanDialogue::Idle,
            vec![Reply::text(doc(&texts.error, &[]))],
        );
    };
    let mut replies = render_result(&input, &p, texts, assumed_rates);
    if let Some(first) = replies.first_mut() {
        let mut paragraphs = lead.paragraphs;
        paragraphs.append(&mut first.doc.paragraphs);
        first.doc.paragraphs = paragraphs;
    }
    Transition {
        state: PlanDialogue::Done {
            plan: SavedPlan {
                input: input.clone(),
                assumed_rates,
            },
        },
        replies,
        finished: Some(input),
        effect: None,
    }
}

fn finish(answers: Answers, lead: Doc, texts: &PlannerTexts) -> Transition {
    let input = PlanInput {
        monthly_income: answers.income,
        monthly_expenses: answers.expenses,
        debts: answers.debts,
    };
    result(input, answers.assumed_rates, lead, texts)
}

/// Asks for the first missing detail of `draft`.
fn next_detail(answers: Answers, draft: DebtDraft, texts: &PlannerTexts) -> Transition {
    let state = if draft.balance.is_none() {
        PlanDialogue::DebtBalance { answers, draft }
    } else if draft.rate.is_none() && !draft.rate_assumed {
        PlanDialogue::DebtRate { answers, draft }
    } else if draft.days_overdue.is_none() {
        PlanDialogue::DebtOverdue { answers, draft }
    } else if draft.credit_reported.is_none() {
        PlanDialogue::DebtReported { answers, draft }
    } else {
        PlanDialogue::DebtCard { answers, draft }
    };
    ask(state, Doc::default(), texts)
}

/// Adds the debt and asks for the next one (or finishes at [`MAX_DEBTS`]).
fn complete(
    mut answers: Answers,
    draft: DebtDraft,
    credit_card: bool,
    texts: &PlannerTexts,
) -> Transition {
    let rate = match draft.rate {
        Some(rate) if !draft.rate_assumed => rate,
        _ => default_rate(credit_card),
    };
    answers.assumed_rates |= draft.rate_assumed;
    let debt = Debt {
        name: draft.name,
        balance: draft.balance.unwrap_or(Fen::ZERO),
        rate,
        days_overdue: draft.days_overdue.unwrap_or(0),
        credit_reported: draft.credit_reported.unwrap_or(false),
        credit_card,
        minimum: None,
    };
    let f = &texts.format;
    let mut rate_text = format_rate(&debt.rate, texts);
    if draft.rate_assumed {
        rate_text = crate::responses::fill(&f.rate_assumed, &[("rate", &rate_text)]);
    }
    let overdue = if debt.days_overdue == 0 {
        f.not_overdue.clone()
    } else {
        crate::responses::fill(&f.overdue, &[("days", &debt.days_overdue.to_string())])
    };
    let mut flags = String::new();
    if debt.credit_reported {
        flags.push_str(&f.flag_reported);
    }
    if debt.credit_card {
        flags.push_str(&f.flag_card);
    }
    let mut lead = doc(
        &texts.debt_added,
        &[
            ("n", &(answers.debts.len() + 1).to_string()),
            ("name", &debt.name),
            ("balance", &format_money(debt.balance)),
            ("rate", &rate_text),
            ("overdue", &overdue),
            ("flags", &flags),
        ],
    );
    answers.debts.push(debt);
    if answers.debts.len() >= MAX_DEBTS {
        lead.paragraphs
            .extend(doc(&texts.too_many_debts, &[("max", &MAX_DEBTS.to_string())]).paragraphs);
        return finish(answers, lead, texts);
    }
    ask(PlanDialogue::DebtName { answers }, lead, texts)
}

/// Applies an answer that fits the state; `None` if it does not (a stale button).
fn apply(state: &PlanDialogue, answer: Answer, texts: &PlannerTexts) -> Option<Transition> {
    use PlanDialogue as S;
    let state = state.clone();
    Some(match (state, answer) {
        (S::Income, Answer::Money(income)) => ask(S::Expenses { income }, Doc::default(), texts),
        (S::Expenses { income }, Answer::Money(expenses)) => ask(
            S::DebtName {
                answers: Answers {
                    income,
                    expenses,
                    ..Answers::default()
                },
            },
            Doc::default(),
            texts,
        ),
        (S::DebtName { answers }, Answer::NoMoreDebts) => finish(answers, Doc::default(), texts),
        (S::DebtName { answers }, Answer::Name(entry)) => {
            next_detail(answers, DebtDraft::from(entry), texts)
        }
        (S::DebtBalance { answers, mut draft }, Answer::Money(balance)) => {
            draft.balance = Some(balance);
            next_detail(answers, draft, texts)
        }
        (S::DebtRate { answers, mut draft }, Answer::Rate(rate)) => {
            draft.rate = Some(rate);
            draft.rate_assumed = false;
            next_detail(answers, draft, texts)
        }
        (S::DebtRate { answers, mut draft }, Answer::UnknownRate) => {
            draft.rate = None;
            draft.rate_assumed = true;
            next_detail(answers, draft, texts)
        }
        (S::DebtOverdue { answers, mut draft }, Answer::Days(days)) => {
            draft.days_overdue = Some(days);
            next_detail(answers, draft, texts)
        }
        (S::DebtReported { answers, mut draft }, Answer::YesNo(reported)) => {
            draft.credit_reported = Some(reported);
            next_detail(answers, draft, texts)
        }
        (S::DebtCard { answers, draft }, Answer::YesNo(card)) => {
            complete(answers, draft, card, texts)
        }
        _ => return None,
    })
}

fn is_cancel(text: &str) -> bool {
    let w = word(text);
    matches!(
        w.as_str(),
        "取消" | "算了" | "不算了" | "退出" | "不做了" | "cancel" | "quit" | "stop"
    ) || w.starts_with("/cancel")
}

fn is_no_more(text: &str) -> bool {
    matches!(
        word(text).as_str(),
        "没有了"
            | "没有"
            | "没了"
            | "没"
            | "无"
            | "完了"
            | "就这些"
            | "就这些了"
            | "结束"
            | "完成"
            | "没有别的了"
            | "nomore"
            | "none"
            | "done"
            | "that'sall"
            | "thatsall"
            | "no"
    )
}

fn is_unknown(text: &str) -> bool {
    matches!(
        word(text).as_str(),
        "不知道"
            | "不清楚"
            | "不确定"
            | "不记得"
            | "忘了"
            | "不晓得"
            | "?"
            | "idk"
            | "don'tknow"
            | "dontknow"
            | "notsure"
            | "unknown"
    )
}

/// A typed answer. Text that cannot be read gets a re-ask with an example and keeps the state;
/// "取消" cancels. In `Idle` and `Done` nothing happens (no replies, same state).
pub fn on_text(state: &PlanDialogue, text: &str, texts: &PlannerTexts) -> Transition {
    if !state.awaits_text() {
        return Transition::to(state.clone(), vec![]);
    }
    if is_cancel(text) {
        return Transition::to(PlanDialogue::Idle, vec![cancel(texts)]);
    }
    let answer = match state {
        PlanDialogue::Income | PlanDialogue::Expenses { .. } => {
            parse_money(text).map(Answer::Money)
        }
        PlanDialogue::DebtBalance { .. } => parse_money(text)
            .filter(|v| *v > Fen::ZERO)
            .map(Answer::Money),
        PlanDialogue::DebtName { .. } if is_no_more(text) => Some(Answer::NoMoreDebts),
        PlanDialogue::DebtName { .. } => match parse_debt_entry(text) {
            Some(entry) if entry.name.starts_with('/') => None,
            Some(entry) if entry.name.chars().count() > MAX_NAME_CHARS => {
                let max = MAX_NAME_CHARS.to_string();
                return reask(
                    state,
                    &crate::responses::fill(&texts.name_too_long, &[("max", &max)]),
                    texts,
                );
            }
            Some(entry) => Some(Answer::Name(entry)),
            None => None,
        },
        PlanDialogue::DebtRate { .. } if is_unknown(text) => Some(Answer::UnknownRate),
        PlanDialogue::DebtRate { .. } => parse_rate(text).map(Answer::Rate),
        PlanDialogue::DebtOverdue { .. } => parse_days(text).map(Answer::Days),
        PlanDialogue::DebtReported { .. } | PlanDialogue::DebtCard { .. } => {
            parse_yes_no(text).map(Answer::YesNo)
        }
        PlanDialogue::Idle | PlanDialogue::Done { .. } => None,
    };
    answer
        .and_then(|a| apply(state, a, texts))
        .unwrap_or_else(|| reask(state, reask_template(state, texts), texts))
}

/// A pressed button. 更新 starts again; 查看 asks the caller to show the saved plan; 保存 in
/// `Done` asks it to save. A button that does not fit the state ("这个按钮已经过期了") leaves the
/// state as it is and repeats the current question, if any.
pub fn on_button(state: &PlanDialogue, pressed: PlanButton, texts: &PlannerTexts) -> Transition {
    let answer = match (state, pressed) {
        (_, PlanButton::Update) => return start(texts),
        (_, PlanButton::ShowSaved) => {
            return Transition {
                effect: Some(Effect::ShowSaved),
                ..Transition::to(state.clone(), vec![])
            };
        }
        (PlanDialogue::Done { plan }, PlanButton::Save) => {
            return Transition {
                effect: Some(Effect::Save(plan.clone())),
                ..Transition::to(
                    PlanDialogue::Idle,
                    vec![Reply::text(doc(&texts.saved, &[]))],
                )
            };
        }
        (_, PlanButton::Save) => None,
        (_, PlanButton::Yes) => Some(Answer::YesNo(true)),
        (_, PlanButton::No) => Some(Answer::YesNo(false)),
        (_, PlanButton::NoMoreDebts) => Some(Answer::NoMoreDebts),
        (_, PlanButton::UnknownRate) => Some(Answer::UnknownRate),
        (_, PlanButton::NotOverdue) => Some(Answer::Days(0)),
    };
    if let Some(t) = answer.and_then(|a| apply(state, a, texts)) {
        return t;
    }
    // Stale: say so, and repeat the question if one is open.
    let mut r = Reply::text(doc(&texts.stale_button, &[]));
    if let Some(q) = question(state, texts) {
        r.doc.paragraphs.extend(q.doc.paragraphs);
        r.buttons = q.buttons;
    }
    Transition::to(state.clone(), vec![r])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::parse::{DEFAULT_CARD_RATE, DEFAULT_LOAN_RATE};
    use crate::render::reply::ButtonAction;
    use crate::responses::{Language, Responses};

    fn zh() -> &'static PlannerTexts {
        &Responses::get(Language::ZhCn).planner
    }

    fn plain(t: &Transition) -> String {
        t.replies
            .iter()
            .map(|r| r.doc.to_plain())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn callbacks(t: &Transition) -> Vec<PlanButton> {
        t.replies
            .iter()
            .flat_map(|r| r.buttons.iter().flatten())
            .filter_map(|b| match &b.action {
                ButtonAction::Callback(data) => PlanButton::parse(data),
                ButtonAction::Url(_) => None,
            })
            .collect()
    }

    /// Feeds typed answers one by one; every step must move on.
    fn type_all(mut state: PlanDialogue, answers: &[&str]) -> Transition {
        let mut last = None;
        for a in answers {
            let t = on_text(&state, a, zh());
            assert_ne!(t.state, state, "{a:?} was not accepted: {}", plain(&t));
            state = t.state.clone();
            last = Some(t);
        }
        last.expect("at least one answer")
    }

    #[test]
    fn buttons_encode_and_parse_strictly() {
        for b in PlanButton::ALL {
            let data = b.encode();
            assert!(data.starts_with(PlanButton::PREFIX) && data.len() <= 64);
            assert_eq!(PlanButton::parse(data), Some(b));
        }
        for bad in [
            "",
            "pl:",
            "pl:YES",
            "pl:yes ",
            " pl:yes",
            "pl:yes:1",
            "sec:verify",
        ] {
            assert_eq!(PlanButton::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_whole_dialogue_from_start_to_saved_plan() {
        let texts = zh();
        let t = start(texts);
        assert_eq!(t.state, PlanDialogue::Income);
        assert!(plain(&t).contains("每个月的收入"), "{}", plain(&t));
        assert!(t.state.awaits_text());

        // Income, expenses, then the first debt, field by field.
        let t = type_all(t.state, &["8000", "5千", "借呗", "2万", "年化18%", "45天"]);
        assert!(matches!(t.state, PlanDialogue::DebtReported { .. }));
        assert!(plain(&t).contains("「借呗」上征信吗"), "{}", plain(&t));
        assert_eq!(callbacks(&t), [PlanButton::Yes, PlanButton::No]);
        let t = on_button(&t.state, PlanButton::Yes, texts);
        assert!(matches!(t.state, PlanDialogue::DebtCard { .. }));
        let t = on_button(&t.state, PlanButton::No, texts);
        let PlanDialogue::DebtName { answers } = &t.state else {
            panic!("{:?}", t.state)
        };
        assert_eq!(answers.debts.len(), 1);
        let said = plain(&t);
        assert!(said.contains("记下了第 1 笔：借呗，欠 20,000 元，年化 18%，逾期 45 天，上征信"));
        assert!(said.contains("第 2 笔欠款叫什么"), "{said}");
        assert_eq!(callbacks(&t), [PlanButton::NoMoreDebts]);

        // The second debt with the buttons: rate unknown, not overdue.
        let t = type_all(t.state, &["招商银行信用卡", "1.2万"]);
        assert_eq!(callbacks(&t), [PlanButton::UnknownRate]);
        let t = on_button(&t.state, PlanButton::UnknownRate, texts);
        assert_eq!(callbacks(&t), [PlanButton::NotOverdue]);
        let t = on_button(&t.state, PlanButton::NotOverdue, texts);
        let t = type_all(t.state, &["没有", "是"]);
        assert!(plain(&t).contains("年化 18%（估算）"), "{}", plain(&t));

        // A third debt typed in one go skips to the questions not yet answered.
        let t = on_text(&t.state, "花呗 5000 无息", texts);
        assert!(matches!(t.state, PlanDialogue::DebtOverdue { .. }));
        let t = type_all(t.state, &["0", "否", "否"]);

        // "没有了" ends the list and shows the plan with a 保存 button.
        let done = on_button(&t.state, PlanButton::NoMoreDebts, texts);
        let input = done.finished.clone().expect("finished");
        assert_eq!(input.monthly_income, Fen::yuan(8_000, 0));
        assert_eq!(input.monthly_expenses, Fen::yuan(5_000, 0));
        let debts: Vec<_> = input
            .debts
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.balance,
                    d.rate.clone(),
                    d.days_overdue,
                    d.credit_reported,
                    d.credit_card,
                )
            })
            .collect();
        assert_eq!(
            debts,
            [
                (
                    "借呗",
                    Fen::yuan(20_000, 0),
                    Rate::Annual(0.18),
                    45,
                    true,
                    false
                ),
                (
                    "招商银行信用卡",
                    Fen::yuan(12_000, 0),
                    Rate::Annual(DEFAULT_CARD_RATE),
                    0,
                    false,
                    true
                ),
                (
                    "花呗",
                    Fen::yuan(5_000, 0),
                    Rate::Annual(0.0),
                    0,
                    false,
                    false
                ),
            ]
        );
        assert!(!done.state.awaits_text());
        let result = plain(&done);
        assert!(result.contains("3,000"), "{result}");
        assert!(
            result.contains("没告诉我利率"),
            "the assumed rate is said: {result}"
        );
        assert_eq!(callbacks(&done), [PlanButton::Save]);
        // Text after the result is not for the planner.
        let ignored = on_text(&done.state, "你好", texts);
        assert!(ignored.replies.is_empty());
        assert_eq!(ignored.state, done.state);

        // 保存 hands the plan to the caller and ends the dialogue.
        let saved = on_button(&done.state, PlanButton::Save, texts);
        assert_eq!(saved.state, PlanDialogue::Idle);
        assert_eq!(
            saved.effect,
            Some(Effect::Save(SavedPlan {
                input: input.clone(),
                assumed_rates: true,
            }))
        );
        assert!(plain(&saved).contains("已保存"));
        // Pressing it again is stale.
        let again = on_button(&saved.state, PlanButton::Save, texts);
        assert_eq!(again.effect, None);
        assert!(plain(&again).contains("过期"));

        // /plan then offers 查看 and 更新.
        let saved_plan = SavedPlan {
            input,
            assumed_rates: true,
        };
        let t = command("", Some(&saved_plan), texts);
        assert_eq!(callbacks(&t), [PlanButton::ShowSaved, PlanButton::Update]);
        assert!(plain(&t).contains("借呗：20,000 元"), "{}", plain(&t));
        let show = on_button(&t.state, PlanButton::ShowSaved, texts);
        assert_eq!(show.effect, Some(Effect::ShowSaved));
        let full = show_saved(Some(&saved_plan), texts);
        assert!(full.last().unwrap().buttons[0][0].label == texts.buttons.update);
        let update = on_button(&t.state, PlanButton::Update, texts);
        assert_eq!(update.state, PlanDialogue::Income);
    }

    #[test]
    fn a_bad_value_is_asked_again_with_an_example() {
        let texts = zh();
        let cases: Vec<(PlanDialogue, &str, &str)> = vec![
            (PlanDialogue::Income, "很多", "8000"),
            (PlanDialogue::Income, "-8000", "8000"),
            (
                PlanDialogue::Expenses {
                    income: Fen::yuan(8_000, 0),
                },
                "abc",
                "5000",
            ),
            (
                PlanDialogue::DebtName {
                    answers: Answers::default(),
                },
                "20000",
                "借呗",
            ),
        ];
        for (state, typed, example) in cases {
            let t = on_text(&state, typed, texts);
            assert_eq!(t.state, state, "{typed:?}");
            assert_eq!(t.finished, None);
            let said = plain(&t);
            assert!(said.contains(example), "{typed:?}: {said}");
            assert!(!said.contains("Error") && !said.contains("None"), "{said}");
        }
        // Further along: the balance must be positive, the rate readable, yes/no clear; the
        // buttons of the question stay.
        let at = |s: &PlanDialogue, answers: &[&str]| type_all(s.clone(), answers).state;
        let balance = at(&PlanDialogue::Income, &["8000", "5000", "借呗"]);
        let t = on_text(&balance, "0", texts);
        assert_eq!(t.state, balance);
        assert!(plain(&t).contains("「借呗」还欠的钱"), "{}", plain(&t));
        let rate = at(&balance, &["20000"]);
        let t = on_text(&rate, "0.18", texts);
        assert_eq!(t.state, rate);
        assert!(plain(&t).contains("年化18%"));
        assert_eq!(callbacks(&t), [PlanButton::UnknownRate]);
        let overdue = at(&rate, &["18%"]);
        let t = on_text(&overdue, "很久了", texts);
        assert_eq!(t.state, overdue);
        assert!(plain(&t).contains("3个月"));
        let reported = at(&overdue, &["0"]);
        let t = on_text(&reported, "不知道", texts);
        assert_eq!(t.state, reported);
        assert_eq!(callbacks(&t), [PlanButton::Yes, PlanButton::No]);
        // A name that is too long.
        let name = at(&PlanDialogue::Income, &["8000", "5000"]);
        let t = on_text(&name, &"很".repeat(MAX_NAME_CHARS + 1), texts);
        assert_eq!(t.state, name);
        assert!(plain(&t).contains(&MAX_NAME_CHARS.to_string()));
    }

    #[test]
    fn typing_cancel_ends_the_dialogue() {
        let texts = zh();
        let mid = type_all(PlanDialogue::Income, &["8000", "5000", "借呗"]).state;
        for typed in ["取消", " 取消。", "/cancel", "算了"] {
            let t = on_text(&mid, typed, texts);
            assert_eq!(t.state, PlanDialogue::Idle, "{typed:?}");
            assert_eq!(t.replies, vec![cancel(texts)]);
            assert_eq!(t.finished, None);
        }
        assert!(cancel(texts).doc.to_plain().contains("取消"));
    }

    #[test]
    fn no_more_debts_at_once_and_the_debt_cap() {
        let texts = zh();
        let name = type_all(PlanDialogue::Income, &["8000", "5000"]).state;
        assert_eq!(
            callbacks(&on_text(&PlanDialogue::Income, "8000", texts)),
            []
        );
        // "没有了" by button or by text, before any debt: a plan with no debts.
        for t in [
            on_button(&name, PlanButton::NoMoreDebts, texts),
            on_text(&name, "没有了", texts),
        ] {
            let input = t.finished.clone().unwrap();
            assert!(input.debts.is_empty());
            assert!(plain(&t).contains("没有填需要还的欠款"), "{}", plain(&t));
        }
        // The list stops at MAX_DEBTS.
        let mut state = name;
        let mut last = None;
        for i in 0..MAX_DEBTS {
            let name = format!("平台{} 100 无息", char::from(b'a' + i as u8));
            let t = type_all(state, &[&name, "0", "否", "否"]);
            state = t.state.clone();
            last = Some(t);
        }
        let t = last.unwrap();
        let input = t.finished.clone().expect("finished at the cap");
        assert_eq!(input.debts.len(), MAX_DEBTS);
        assert!(plain(&t).contains(&format!("已经记了 {MAX_DEBTS} 笔")));
    }

    #[test]
    fn stale_buttons_keep_the_state_and_repeat_the_question() {
        let texts = zh();
        let t = on_button(&PlanDialogue::Income, PlanButton::Yes, texts);
        assert_eq!(t.state, PlanDialogue::Income);
        let said = plain(&t);
        assert!(said.contains("过期") && said.contains("收入"), "{said}");
        let t = on_button(&PlanDialogue::Idle, PlanButton::NoMoreDebts, texts);
        assert_eq!(t.state, PlanDialogue::Idle);
        assert_eq!(t.finished, None);
        // Text in Idle is not for the planner.
        assert!(
            on_text(&PlanDialogue::Idle, "8000", texts)
                .replies
                .is_empty()
        );
    }

    /// The order of the debts' names and the total interest of a finished plan.
    fn order_and_interest(input: &PlanInput) -> (Vec<String>, Fen) {
        let p = plan(input).unwrap();
        let crate::planner::Outcome::Feasible { total_interest, .. } = p.outcome else {
            panic!("{:?}", p.outcome)
        };
        (
            p.priorities.into_iter().map(|r| r.name).collect(),
            total_interest,
        )
    }

    #[test]
    fn one_line_orders_an_overdue_loan_as_the_dialogue_does() {
        // Issue 12, item 8: the card came first and the 90-day overdue loan second.
        let texts = zh();
        let line = "/plan 收入6000 支出3500 网贷A1万 年化36% 逾期90天 信用卡B3万 年化18% 花呗3000";
        let t = command(line.trim_start_matches("/plan "), None, texts);
        let (order, interest) = order_and_interest(&t.finished.clone().unwrap());
        assert_eq!(order, ["网贷A", "信用卡B", "花呗"]);
        let said = plain(&t);
        for expected in [
            "「网贷A」写了逾期，没写有没有上征信",
            "1. 网贷A（年化 36%）：已经逾期 90 天，而且上了征信",
            "2. 信用卡B（年化 18%）：银行信用卡",
            "全部还清：第 21 个月；总利息约 8,074.23 元",
        ] {
            assert!(said.contains(expected), "missing {expected:?} in\n{said}");
        }
        // The card first, as before, cost more interest in all.
        let unreported = command(&line.replace("逾期90天", "逾期90天 没上征信"), None, texts);
        let (before, more) = order_and_interest(&unreported.finished.clone().unwrap());
        assert_eq!(before, ["信用卡B", "网贷A", "花呗"]);
        assert_eq!(more, Fen::yuan(11_475, 66));
        assert!(interest < more, "{interest} vs {more}");
        assert!(!plain(&unreported).contains("没写有没有上征信"));

        // The dialogue with the same answers, and 是 for 上征信 as it advises when unsure.
        let t = type_all(
            start(texts).state,
            &["6000", "3500", "网贷A", "1万", "年化36%", "90天"],
        );
        let t = on_button(&t.state, PlanButton::Yes, texts);
        let t = on_button(&t.state, PlanButton::No, texts);
        let t = type_all(t.state, &["信用卡B", "3万", "年化18%", "0", "否", "是"]);
        let t = type_all(
            t.state,
            &["花呗", "3000", "年化24%", "0", "否", "否", "没有了"],
        );
        let dialogue = t.finished.clone().expect("finished");
        assert_eq!(order_and_interest(&dialogue), (order, interest));

        // A line without 逾期 is read and ordered as before.
        let t = command(&line.replace(" 逾期90天", ""), None, texts);
        let (order, _) = order_and_interest(&t.finished.clone().unwrap());
        assert_eq!(order, ["信用卡B", "网贷A", "花呗"]);
        assert!(!plain(&t).contains("上征信算"));
    }

    #[test]
    fn one_line_through_the_command() {
        let texts = zh();
        let t = command("收入8000 支出5000 借呗20000 花呗5000", None, texts);
        let input = t.finished.clone().unwrap();
        assert_eq!(input.debts.len(), 2);
        assert_eq!(input.debts[0].rate, Rate::Annual(DEFAULT_LOAN_RATE));
        let said = plain(&t);
        assert!(
            said.contains("没告诉我利率") && said.contains("24%"),
            "{said}"
        );
        assert!(matches!(
            t.state,
            PlanDialogue::Done {
                plan: SavedPlan {
                    assumed_rates: true,
                    ..
                }
            }
        ));
        // With rates given, nothing is assumed.
        let t = command("收入 8千, 支出5千, 信用卡 1.2万 年化18%", None, texts);
        assert!(!plain(&t).contains("没告诉我利率"));
        // Errors say what was wrong and how to write it.
        let t = command("收入8000 借呗2万", None, texts);
        assert_eq!(t.state, PlanDialogue::Idle);
        assert_eq!(t.finished, None);
        let said = plain(&t);
        assert!(
            said.contains("支出") && said.contains("/plan 收入8000"),
            "{said}"
        );
        let said = plain(&command("收入8000 支出5000 借呗 年化abc", None, texts));
        assert!(said.contains("「年化abc」我没看懂"), "{said}");
        let said = plain(&command("收入8000 支出5000 借呗 年化18%", None, texts));
        assert!(said.contains("「借呗」后面少了金额"), "{said}");
        // Without text and without a saved plan: the dialogue.
        assert_eq!(command("  ", None, texts).state, PlanDialogue::Income);
        assert_eq!(
            show_saved(None, texts)[0].doc.to_plain(),
            texts.nothing_saved.trim()
        );
    }

    #[test]
    fn the_state_round_trips_through_json() {
        assert_eq!(PlanDialogue::default(), PlanDialogue::Idle);
        let mid = type_all(
            PlanDialogue::Income,
            &[
                "8000",
                "5000",
                "借呗",
                "2万",
                "月费率0.6% 24期",
                "3个月",
                "是",
            ],
        )
        .state;
        assert!(matches!(mid, PlanDialogue::DebtCard { .. }));
        let done = on_button(&mid, PlanButton::Yes, zh()).state;
        let done = on_button(&done, PlanButton::NoMoreDebts, zh()).state;
        for state in [
            PlanDialogue::Idle,
            PlanDialogue::Income,
            PlanDialogue::Expenses {
                income: Fen::yuan(8_000, 0),
            },
            mid,
            done,
        ] {
            let json = serde_json::to_string(&state).unwrap();
            let back: PlanDialogue = serde_json::from_str(&json).unwrap();
            assert_eq!(back, state, "{json}");
        }
    }

    #[test]
    fn english_dialogue() {
        let texts = &Responses::get(Language::En).planner;
        let mut state = start(texts).state;
        for typed in ["8k", "5000", "Jiebei 20000 18%", "0", "no", "no"] {
            state = on_text(&state, typed, texts).state;
        }
        let t = on_button(&state, PlanButton::NoMoreDebts, texts);
        let said = plain(&t);
        assert!(said.contains("3,000 yuan a month"), "{said}");
        assert!(!said.contains('{'), "{said}");
    }
}
