//! HTTP serving shared by the bot's webhook and the web page: [`serve`] runs an axum router
//! over hyper within [`ServeLimits`].

pub mod serve;

pub use serve::{CONNECTION_LIMIT, HEADER_READ_TIMEOUT, ServeLimits, serve};
