//! LoanGuard (网贷催收鉴别助手): tells a real debt-collection message from a scam.
//!
//! - [`classifier`]: the shared, pure classifier used by the bot, the command line and the tests.
//! - [`cli`]: the `loanguard check` and `loanguard eval` commands.

pub mod classifier;
pub mod cli;
