//! The layers point one way: nothing below the bot imports it, and the pure parts (classifier,
//! planner, render, reminders, OCR, texts) do not know Telegram at all.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files of the modules named, relative to src/ (a directory or one file).
fn files_of(modules: &[&str]) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for m in modules {
        let path = src.join(m);
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path);
        }
    }
    assert!(
        files.len() > modules.len(),
        "no sources found under {}",
        src.display()
    );
    files
}

/// Lines of `files` that contain `needle` outside comments.
fn offending(files: &[PathBuf], needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains(needle) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn nothing_below_the_bot_imports_it() {
    let below = files_of(&[
        "classifier",
        "confirmed",
        "planner",
        "render",
        "reminders",
        "storage",
        "ocr",
        "http",
        "responses.rs",
        "clock.rs",
        "metrics.rs",
    ]);
    for needle in ["crate::bot", "crate::cli"] {
        let found = offending(&below, needle);
        assert!(
            found.is_empty(),
            "{needle} imported below the bot:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_pure_layers_do_not_know_telegram() {
    let pure = files_of(&[
        "classifier",
        "confirmed",
        "planner",
        "render",
        "reminders",
        "ocr",
        "responses.rs",
    ]);
    let found = offending(&pure, "teloxide");
    assert!(
        found.is_empty(),
        "teloxide in a pure layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_web_page_stands_beside_the_bot() {
    let web = files_of(&["web"]);
    for needle in ["crate::bot", "crate::cli", "teloxide"] {
        let found = offending(&web, needle);
        assert!(
            found.is_empty(),
            "{needle} in the web server:\n{}",
            found.join("\n")
        );
    }
}
