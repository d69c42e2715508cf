//! Turning classifier reports and texts into replies, independent of Telegram.
//!
//! - [`doc`]: the document model (paragraphs of inline runs), written out as Telegram HTML,
//!   HTML for the web page (every value escaped in both) or as plain text.
//! - [`reply`]: a [`Reply`] is a document plus rows of [`Button`]s.
//! - [`verdict`]: a classifier report as a document (verdict, reasons, violations, advice).
//! - [`replies`]: the replies built from reports and texts (private and group verdicts, help,
//!   advice sections); [`callback`] and [`deeplink`] encode what their buttons carry.
//! - [`json`]: the JSON shape of a report (`check --format json|jsonl`, the web API).
//! - [`redact`]: ID, bank-card and phone numbers masked before anything is shown or stored.
//!
//! The texts come from [`crate::responses`]; the bot turns a [`Reply`] into Telegram calls,
//! `loanguard chat` prints it, and the web page shows its document.

pub mod callback;
pub mod deeplink;
pub mod doc;
pub mod json;
pub mod redact;
pub mod replies;
pub mod reply;
pub mod verdict;

pub use doc::{Doc, Inline, Paragraph, TELEGRAM_LIMIT, escape, escape_web, utf16_len};
pub use reply::{Button, ButtonAction, Reply, text_doc};
pub use verdict::{View, verdict_doc};
