//! Answering each update once, across crashes, restarts and instances.
//!
//! Telegram has no idempotency key, so a reply whose request reached Telegram just before a
//! crash cannot be told apart from one that did not. The bot records the update as handled in
//! the database right *before* its first reply is sent (see [`claim`]), and skips updates
//! already recorded. The window for a lost reply is then the few hundred microseconds between
//! the database commit and the request reaching Telegram; recording after the reply instead
//! would leave the whole round trip to Telegram as a window for a second reply.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::storage::Store;

/// The update a task is handling.
#[derive(Clone)]
pub struct Current {
    pub update_id: i64,
    pub store: Arc<Store>,
    claimed: Arc<AtomicBool>,
    /// Other updates this one's reply answers, claimed together with it.
    covers: Arc<Mutex<Vec<i64>>>,
}

tokio::task_local! {
    static CURRENT: Current;
}

impl Current {
    pub fn new(update_id: i64, store: Arc<Store>) -> Self {
        Self {
            update_id,
            store,
            claimed: Arc::new(AtomicBool::new(false)),
            covers: Arc::default(),
        }
    }

    pub fn claimed(&self) -> bool {
        self.claimed.load(Ordering::SeqCst)
    }
}

/// Runs `f` as the handling of `current`.
pub async fn scope<F: std::future::Future>(current: Current, f: F) -> F::Output {
    CURRENT.scope(current, f).await
}

/// The update the current task handles, if it handles one.
pub fn current_update() -> Option<i64> {
    CURRENT.try_with(|c| c.update_id).ok()
}

/// Makes the current update's reply answer `others` too (a batch of forwards answered
/// once): they are claimed with it, in one transaction, so a crash cannot leave some of them
/// answered and the rest to be answered again.
pub fn cover(others: impl IntoIterator<Item = i64>) {
    let _ = CURRENT.try_with(|c| {
        let mut covers = c.covers.lock().unwrap_or_else(|e| e.into_inner());
        covers.extend(others.into_iter().filter(|id| *id != c.update_id));
    });
}

/// Before the first reply of an update: records it as handled. False when another delivery
/// or instance already did, and the reply must not be sent. Outside an update (reminders,
/// tests), always true.
pub async fn claim() -> bool {
    let Ok(current) = CURRENT.try_with(Clone::clone) else {
        return true;
    };
    if current.claimed.swap(true, Ordering::SeqCst) {
        return true; // this task already claimed it: later parts of the reply
    }
    let covers = current
        .covers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    match current
        .store
        .claim_updates(current.update_id, &covers)
        .await
    {
        Ok(first) => first,
        Err(e) => {
            tracing::warn!(error = %e, "could not record the update; replying anyway");
            true
        }
    }
}
