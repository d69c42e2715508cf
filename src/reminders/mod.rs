//! Monthly repayment reminders (设置还款提醒), everything but Telegram and SQL:
//!
//! - [`schedule`]: when a reminder fires next (pure time arithmetic, Asia/Shanghai).
//! - [`command`]: what `/remind …` asks for, and the reply to it.
//!
//! The rows live in [`crate::storage`] (`storage/reminders.rs`); the bot's delivery loop that
//! sends the due ones is `bot/reminders.rs`.

pub mod command;
pub mod schedule;

pub use command::{RemindCommand, parse, reminder_reply, respond};
pub use schedule::{DEFAULT_HOUR, next_fire, reschedule_hour};
