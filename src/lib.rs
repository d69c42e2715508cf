//! LoanGuard (网贷催收鉴别助手): tells a real debt-collection message from a scam, and says what
//! to do next.
//!
//! The layers point one way, from the bottom up:
//!
//! - [`classifier`]: the shared, pure classifier (normalise, entities, rules, a learned stage,
//!   verdict). Knows nothing of Telegram; the bot, the command line and the tests use it.
//! - [`planner`]: the repayment planner, a pure state machine (questions, plan, scripts).
//! - [`reminders`]: when a monthly reminder fires, and what `/remind …` asks for.
//! - [`storage`]: the database (SQLite by default, PostgreSQL for several instances).
//! - [`ocr`]: reading screenshots with Tesseract, with limits on size and time.
//! - [`responses`]: every user-facing text, loaded from `responses/<language>.toml`.
//! - [`render`]: reports and texts turned into a [`render::Reply`] (a document plus buttons),
//!   written as Telegram HTML or plain text.
//! - [`clock`]: the wall clock, read in one place.
//! - [`bot`]: the Telegram bot (teloxide): the handler tree, thin handlers, sending.
//! - [`web`]: the web page and JSON API (`loanguard web`), beside the bot, not under it.
//! - [`http`]: the HTTP server both use; [`metrics`]: counters for `GET /metrics`.
//! - [`cli`]: `loanguard run | web | check | eval | train | chat | doctor | feedback`.
//!
//! Nothing below [`bot`] imports it; only [`cli`] (and `main.rs`) sit above it.

pub mod bot;
pub mod classifier;
pub mod cli;
pub mod clock;
pub mod confirmed;
pub mod http;
pub mod metrics;
pub mod ocr;
pub mod planner;
pub mod reminders;
pub mod render;
pub mod responses;
pub mod storage;
pub mod web;
