//! The JSON shape of a report, now in [`crate::render::json`] so the web API shares it; kept
//! here under its old path for `check --format json|jsonl` and other tools.

pub use crate::render::json::*;
