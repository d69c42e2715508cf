//! A polling listener that loses no update and answers none twice.
//!
//! teloxide's own polling confirms an update (the next getUpdates offset) as soon as it has
//! handed it to the dispatcher, so a crash before the reply is sent loses it. Here the offset
//! only moves past an update once its handler has finished ([`Tracker::done`]); until then
//! Telegram keeps redelivering it, and the listener skips the copies it has already handed
//! out. Across restarts and instances, [`tracked`] skips updates the database records as
//! handled. In webhook mode the same [`Tracker::done`] releases the update's `200`.
//!
//! One exception keeps a single slow update from stalling everyone: Telegram hands out at most
//! 100 updates from the offset, so when all of them were handed out already, updates in flight
//! for [`STALLED_AFTER`] stop holding the offset ([`Tracker::release_stalled`]); those few lose
//! the redelivery guarantee, the rest of the bot keeps moving.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::stream::{self, Stream};
use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Me, Update};
use teloxide::update_listeners::StatefulListener;
use tokio::sync::Notify;

use super::handlers::HandlerError;
use super::send::SendError;
use super::state::BotState;
use super::webhook::Completions;
use crate::render::{Reply, text_doc};
use crate::storage::Store;

/// Telegram's (and the listener's) number of updates per getUpdates answer.
pub const GET_UPDATES_LIMIT: usize = 100;
/// How long an update may hold the offset back once newer updates can no longer be fetched
/// (see [`Tracker::release_stalled`]).
pub const STALLED_AFTER: Duration = Duration::from_secs(5);

/// Which updates are being handled, and so how far the offset may move.
#[derive(Default)]
pub struct Tracker {
    inner: Mutex<TrackerInner>,
    progress: Notify,
    /// Webhook requests waiting for their update to be handled.
    completions: Arc<Completions>,
}

#[derive(Default)]
struct TrackerInner {
    /// Handed to the dispatcher, not finished, and when.
    in_flight: BTreeMap<i64, Instant>,
    /// In flight, but no longer holding the offset back (see [`Tracker::release_stalled`]).
    released: BTreeSet<i64>,
    /// Handed out in this run (in flight or finished) and not yet confirmed: redeliveries of
    /// these are skipped.
    seen: BTreeSet<i64>,
    /// One past the highest id handed out.
    next: i64,
}

impl Tracker {
    /// Takes an update for handling; false if it was already handed out.
    fn start(&self, id: i64) -> bool {
        let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if t.seen.contains(&id) || id < t.confirmed_floor() {
            return false;
        }
        t.seen.insert(id);
        t.in_flight.insert(id, Instant::now());
        crate::metrics::queue_depth("updates_in_flight", t.in_flight.len());
        t.next = t.next.max(id + 1);
        true
    }

    /// The webhook's side of [`Tracker::done`] (see [`super::webhook::listener_with`]).
    pub fn completions(&self) -> Arc<Completions> {
        self.completions.clone()
    }

    /// Called when the handler of `id` has finished.
    pub fn done(&self, id: i64) {
        self.completions.done(id);
        {
            let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            t.in_flight.remove(&id);
            crate::metrics::queue_depth("updates_in_flight", t.in_flight.len());
            t.released.remove(&id);
            t.forget_confirmed();
        }
        self.progress.notify_waiters();
    }

    /// The getUpdates offset: the oldest update still being handled, or one past the newest.
    pub fn offset(&self) -> i64 {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .confirmed_floor()
    }

    /// Called when getUpdates brought nothing new although it was full: the `limit` updates
    /// from the offset were all handed out already, so nothing newer can be seen until the
    /// offset moves. The updates in flight for `min_age` or more (a reply waiting out
    /// Telegram's rate limit, a slow screenshot) stop holding it: the rest of the bot's users
    /// are not kept waiting for them. The price is theirs alone: if the process dies before
    /// they are answered, they are not delivered again. Returns how many were released.
    pub fn release_stalled(&self, min_age: Duration) -> usize {
        let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let stalled: Vec<i64> = t
            .in_flight
            .iter()
            .filter(|(id, since)| since.elapsed() >= min_age && !t.released.contains(id))
            .map(|(id, _)| *id)
            .collect();
        t.released.extend(stalled.iter().copied());
        t.forget_confirmed();
        stalled.len()
    }

    pub fn in_flight(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .in_flight
            .len()
    }
}

impl TrackerInner {
    fn confirmed_floor(&self) -> i64 {
        self.in_flight
            .keys()
            .find(|id| !self.released.contains(id))
            .copied()
            .unwrap_or(self.next)
    }

    /// Updates below the offset are confirmed: Telegram will not deliver them again.
    fn forget_confirmed(&mut self) {
        let floor = self.confirmed_floor();
        self.seen.retain(|s| *s >= floor);
    }
}

struct PollState {
    bot: Bot,
    tracker: Arc<Tracker>,
    token: StopToken,
    flag: Option<StopFlag>,
    allowed: Option<Vec<AllowedUpdate>>,
    timeout: u32,
}

/// The listener for [`Dispatcher::dispatch_with_listener`]; share `tracker` with the handler
/// tree through [`tracked`].
pub fn polling(
    bot: Bot,
    tracker: Arc<Tracker>,
    timeout: Duration,
) -> impl teloxide::update_listeners::UpdateListener<Err = Infallible> {
    let (token, flag) = mk_stop_token();
    let state = PollState {
        bot,
        tracker,
        token,
        flag: Some(flag),
        allowed: None,
        timeout: timeout.as_secs() as u32,
    };
    StatefulListener::new_with_hints(
        state,
        updates,
        |s: &mut PollState| s.token.clone(),
        Some(
            |s: &mut PollState, hint: &mut dyn Iterator<Item = AllowedUpdate>| {
                s.allowed = Some(hint.collect())
            },
        ),
    )
}

fn updates(s: &mut PollState) -> impl Stream<Item = Result<Update, Infallible>> + '_ {
    let flag = s.flag.take().map(Box::pin);
    let batch: Vec<Update> = Vec::new();
    stream::unfold(
        (s, flag, batch.into_iter(), 0u32),
        |(s, mut flag, mut batch, mut errors)| async move {
            loop {
                if let Some(update) = batch.next() {
                    return Some((Ok(update), (s, flag, batch, errors)));
                }
                let stop = flag.as_mut()?;
                if stop.is_stopped() {
                    return None;
                }
                let busy = s.tracker.in_flight() > 0;
                // While an update is being handled Telegram answers at once (it is unconfirmed), so
                // poll briefly instead of long-polling.
                let timeout = if busy { 0 } else { s.timeout };
                let mut request = s
                    .bot
                    .get_updates()
                    .offset(s.tracker.offset() as i32)
                    .limit(GET_UPDATES_LIMIT as u8)
                    .timeout(timeout);
                if let Some(allowed) = &s.allowed {
                    request = request.allowed_updates(allowed.clone());
                }
                // Stopping must not wait for a long poll to run out.
                let response = tokio::select! {
                    r = request.send() => r,
                    () = stop.as_mut() => return None,
                };
                match response {
                    Ok(updates) => {
                        errors = 0;
                        let full = updates.len() >= GET_UPDATES_LIMIT;
                        let fresh: Vec<Update> = updates
                            .into_iter()
                            .filter(|u| s.tracker.start(i64::from(u.id.0)))
                            .collect();
                        if fresh.is_empty() && full {
                            let released = s.tracker.release_stalled(STALLED_AFTER);
                            if released > 0 {
                                tracing::info!(
                                    released,
                                    "updates waiting long no longer hold back newer ones"
                                );
                                continue;
                            }
                        }
                        if fresh.is_empty() && busy {
                            // Only redeliveries of what is being handled: wait for progress.
                            let _ = tokio::time::timeout(
                                Duration::from_millis(100),
                                s.tracker.progress.notified(),
                            )
                            .await;
                        }
                        batch = fresh.into_iter();
                    }
                    Err(teloxide::RequestError::RetryAfter(wait)) => {
                        tokio::time::sleep(wait.duration()).await
                    }
                    Err(e) => {
                        errors = errors.saturating_add(1);
                        let delay = Duration::from_millis(200u64 << errors.min(6))
                            .min(Duration::from_secs(10));
                        tracing::warn!(error = %super::redact_token(&e.to_string(), s.bot.token()), "getUpdates failed; retrying");
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        },
    )
}

/// Wraps the handler tree: an update the database already records as handled is skipped, and
/// when the handler finishes the update is recorded and the tracker told.
pub fn tracked(inner: UpdateHandler<HandlerError>) -> UpdateHandler<HandlerError> {
    let inner = Arc::new(inner);
    dptree::entry().endpoint(
        move |update: Update,
              bot: Bot,
              me: Me,
              state: Arc<BotState>,
              store: Arc<Store>,
              tracker: Arc<Tracker>| {
            let inner = inner.clone();
            async move {
                let id = i64::from(update.id.0);
                if store.is_update_handled(id).await.unwrap_or(false) {
                    tracing::debug!(update = id, "already handled; skipped");
                    tracker.done(id);
                    return Ok(());
                }
                let bot_for_errors = bot.clone();
                let deps = dptree::deps![update.clone(), bot, me, state, store.clone()];
                let current = super::reply_claim::Current::new(id, store.clone());
                let chat = update.chat().map(|c| c.id);
                let handling = super::reply_claim::scope(current.clone(), async {
                    match inner.dispatch(deps).await {
                        ControlFlow::Break(result) => result,
                        ControlFlow::Continue(_) => Ok(()),
                    }
                });
                // A panicking handler must not leave its update in flight for good, nor kill
                // the worker that serves its chat: it is caught, logged without its message,
                // and the user gets the generic error.
                let result = match AssertUnwindSafe(handling).catch_unwind().await {
                    Ok(result) => result,
                    Err(_) => {
                        tracing::error!(update = id, "a handler panicked; the update is dropped");
                        if let Some(chat) = chat {
                            let texts =
                                crate::responses::Responses::get(crate::responses::Language::ZhCn);
                            let reply = Reply::text(text_doc(&texts.bot.error));
                            let _ = super::send::send(&bot_for_errors, chat, &reply, None).await;
                        }
                        Ok(())
                    }
                };
                // An update that sent nothing (or failed before replying) is recorded now; one
                // that replied was recorded just before its reply (see `once`).
                if !current.claimed()
                    && let Err(e) = store.mark_update_handled(id).await
                {
                    tracing::warn!(error = %e, "could not record a handled update");
                }
                tracker.done(id);
                match result {
                    // Another delivery or instance answered it: nothing went wrong.
                    Err(e)
                        if matches!(
                            e.downcast_ref::<SendError>(),
                            Some(SendError::AlreadyAnswered)
                        ) =>
                    {
                        tracing::debug!(update = id, "answered elsewhere; skipped");
                        Ok(())
                    }
                    // The chat blocked the bot: expected, not a failure worth a warning.
                    Err(e)
                        if e.downcast_ref::<SendError>()
                            .is_some_and(super::send::is_blocked) =>
                    {
                        Ok(())
                    }
                    other => other,
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_waits_for_the_oldest_update_in_flight() {
        let t = Tracker::default();
        assert!(t.start(10));
        assert!(t.start(11));
        assert!(t.start(12));
        assert!(!t.start(11), "a redelivery is skipped");
        t.done(11);
        assert_eq!(t.offset(), 10, "10 is still being handled");
        t.done(10);
        assert_eq!(t.offset(), 12);
        t.done(12);
        assert_eq!(t.offset(), 13);
        assert!(!t.start(12), "confirmed updates are not handed out again");
        assert!(t.start(13));
    }

    #[test]
    fn a_stalled_update_stops_holding_the_offset_only_when_old_enough() {
        let t = Tracker::default();
        assert!(t.start(1));
        assert!(t.start(2));
        t.done(2);
        assert_eq!(t.release_stalled(Duration::from_secs(60)), 0, "too young");
        assert_eq!(t.offset(), 1);
        assert_eq!(t.release_stalled(Duration::ZERO), 1);
        assert_eq!(t.offset(), 3, "update 1 no longer holds the offset");
        assert_eq!(t.in_flight(), 1, "but it is still being handled");
        assert!(!t.start(1), "and is not handed out again");
        assert!(t.start(3));
        assert_eq!(t.offset(), 3, "3 holds it now");
        t.done(1);
        t.done(3);
        assert_eq!(t.offset(), 4);
        assert_eq!(t.in_flight(), 0);
    }
}
