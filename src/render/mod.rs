//! Turning classifier reports and texts into replies: one model, rendered as Telegram HTML or
//! as plain text (for the command line and `loanguard chat`).

pub mod doc;
pub mod redact;
pub mod reply;
pub mod verdict;

pub use doc::{Doc, Inline, Paragraph, TELEGRAM_LIMIT, escape, utf16_len};
pub use verdict::{View, verdict_doc};
