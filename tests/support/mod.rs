//! Test support shared by the integration tests: each test crate declares `mod support;`.

// Each test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod child_logs;
pub mod fake_api;
pub mod telegram_html;
pub mod variants;

use std::io::Write;

/// Tells whoever runs `cargo test` that a test was skipped (and why). Written to stderr
/// directly: the test harness captures `println!` and `eprintln!` alike and shows them only
/// for failing tests, so a skip reported with either would go unseen.
pub fn report_skip(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}
