//! Test support shared by the integration tests: each test crate declares `mod support;`.

// Each test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod child_logs;
pub mod fake_api;
pub mod telegram_html;
