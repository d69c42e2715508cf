//! `loanguard known`: the store of confirmed examples in the database of `DATABASE_URL`, and
//! the store `loanguard check` consults.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{fail, runtime, with_store};
use crate::classifier::{Family, Verdict};
use crate::clock::unix_now;
use crate::confirmed::{KnownStore, new_example};
use crate::storage::{Added, Store, database_exists, database_url_from_env};

/// Examples written to the database per transaction by `known add`.
const BATCH: usize = 1_000;

/// The confirmed examples of `DATABASE_URL` for `loanguard check`, when that database exists
/// (a missing SQLite file is not created). A store that cannot be read is reported on stderr
/// and the check goes on without it.
pub fn store_for_check() -> KnownStore {
    let url = database_url_from_env();
    if !database_exists(&url) {
        return KnownStore::empty();
    }
    let loaded = runtime().and_then(|rt| {
        rt.block_on(async {
            let store = Store::connect(&url).await.map_err(|e| e.to_string())?;
            let known = KnownStore::load(&store).await.map_err(|e| e.to_string());
            store.close().await;
            known
        })
    });
    loaded.unwrap_or_else(|e| {
        eprintln!("loanguard: confirmed examples not used (database: {e})");
        KnownStore::empty()
    })
}

/// The confirmed examples of `DATABASE_URL` for `loanguard web`, when that database exists,
/// kept up to date while the server runs (as the bot keeps its own).
pub async fn store_for_server() -> Arc<KnownStore> {
    let url = database_url_from_env();
    if !database_exists(&url) {
        tracing::info!("no database: checks use no confirmed examples");
        return Arc::new(KnownStore::empty());
    }
    let store = match Store::connect(&url).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            tracing::warn!(error = %e, "confirmed examples not used");
            return Arc::new(KnownStore::empty());
        }
    };
    let known = Arc::new(KnownStore::empty());
    match known.load_into(&store).await {
        Ok(()) => tracing::info!(examples = known.len(), "confirmed examples loaded"),
        Err(e) => tracing::warn!(error = %e, "confirmed examples not loaded"),
    }
    tokio::spawn(crate::confirmed::keep_fresh(store, known.clone(), REFRESH));
    known
}

/// How often a server reads the examples other instances added or removed.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(30);

/// `loanguard known add`: JSON Lines `{"id", "text"}` from `input`, stored under `label`.
pub fn add(label: &str, family: Option<&str>, input: impl BufRead) -> ExitCode {
    let Some(label) = Verdict::parse(label).filter(|v| *v != Verdict::Unrelated) else {
        return fail("--label must be scam, suspicious or legit");
    };
    let family = match family {
        None => None,
        Some(name) => match Family::parse(name) {
            Some(f) if f.verdict() == label => Some(f),
            Some(_) => {
                return fail(&format!(
                    "family {name} does not belong to label {}",
                    label.as_str()
                ));
            }
            None => {
                return fail(&format!(
                    "unknown family {name}; one of: {}",
                    family_names()
                ));
            }
        },
    };
    let now = unix_now();
    let (mut examples, mut short, mut bad) = (Vec::new(), 0usize, 0usize);
    for (n, line) in input.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => return fail(&format!("line {}: {e}", n + 1)),
        };
        if line.trim().is_empty() {
            continue;
        }
        #[derive(Deserialize)]
        struct Item {
            text: String,
        }
        let Ok(item) = serde_json::from_str::<Item>(&line) else {
            eprintln!(
                "loanguard: line {}: not a JSON object with a \"text\" string",
                n + 1
            );
            bad += 1;
            continue;
        };
        match new_example(&item.text, label, family, "cli", now) {
            Some(e) => examples.push(e),
            None => short += 1,
        }
    }
    let added = match with_store(|store| async move {
        let mut all = Vec::with_capacity(examples.len());
        for chunk in examples.chunks(BATCH) {
            all.extend(store.add_known_many(chunk).await?);
        }
        // A fresh snapshot, so the next start reads the examples in a few rows.
        KnownStore::load(&store).await?.compact(&store, 0).await?;
        Ok(all)
    }) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let count = |f: fn(&Added) -> bool| added.iter().filter(|a| f(a)).count();
    println!(
        "added {}, relabelled {}, already there {}, too short to recognise {short}, unreadable lines {bad}",
        count(|a| matches!(a, Added::New(_))),
        count(|a| matches!(a, Added::Replaced(_))),
        count(|a| matches!(a, Added::Unchanged(_))),
    );
    ExitCode::SUCCESS
}

/// `loanguard known list`: one line per example, the text shortened.
pub fn list() -> ExitCode {
    let rows = match with_store(|store| async move { store.known_listing().await }) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    for r in &rows {
        let date = chrono::DateTime::from_timestamp(r.confirmed_at, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let text: String = r
            .redacted_text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let short: String = text.chars().take(40).collect();
        let more = if short.len() < text.len() { "…" } else { "" };
        let family = r.family.as_deref().unwrap_or("-");
        if writeln!(
            out,
            "{}\t{}\t{family}\t{date}\t{}\t{short}{more}",
            r.id, r.label, r.reviewer
        )
        .is_err()
        {
            break;
        }
    }
    let _ = out.flush();
    eprintln!("loanguard: {} confirmed examples", rows.len());
    ExitCode::SUCCESS
}

/// `loanguard known export`: every example as JSON Lines, in the shape `loanguard eval` reads.
pub fn export() -> ExitCode {
    let rows = match with_store(|store| async move { store.known_listing().await }) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    for r in rows {
        let line = json!({
            "id": format!("known-{}", r.id),
            "text": r.redacted_text,
            "label": r.label,
            "family": r.family.map_or(Value::Null, Value::String),
            "reviewer": r.reviewer,
            "confirmed_at": r.confirmed_at,
        });
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// `loanguard known remove ID`.
pub fn remove(id: i64) -> ExitCode {
    match with_store(|store| async move { store.remove_known(id, unix_now()).await }) {
        Ok(true) => {
            println!("removed example {id}");
            ExitCode::SUCCESS
        }
        Ok(false) => fail(&format!("there is no example {id}")),
        Err(e) => fail(&e),
    }
}

fn family_names() -> String {
    Family::ALL
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
