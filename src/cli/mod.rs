//! The command line: `loanguard check`, `loanguard eval`, and the entry points of the bot.

pub mod check;
pub mod eval;
pub mod json;
