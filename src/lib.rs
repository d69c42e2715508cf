//! LoanGuard (网贷催收鉴别助手): tells a real debt-collection message from a scam.
//!
//! - [`classifier`]: the shared, pure classifier used by the bot, the command line and the tests.
//! - [`responses`]: every user-facing text, loaded from `responses/<language>.toml`.
//! - [`render`]: replies built from reports and texts, as Telegram HTML or plain text.
//! - [`bot`]: the Telegram bot (teloxide) and `loanguard chat`.
//! - [`cli`]: the `loanguard check` and `loanguard eval` commands.

pub mod bot;
pub mod classifier;
pub mod cli;
pub mod clock;
pub mod ocr;
pub mod planner;
pub mod reminders;
pub mod render;
pub mod responses;
pub mod storage;
