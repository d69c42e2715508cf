//! The bot's in-memory state. Every structure is bounded: a flood from many users evicts the
//! oldest entries instead of growing without limit. Nothing here holds message text for longer
//! than a batch window, and nothing holds a forwarded message's original sender.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::classifier::{Context, Report};
use crate::confirmed::KnownStore;
use crate::confirmed::review::Reviewers;

/// A map that keeps at most `capacity` entries, evicting the oldest insertions first.
#[derive(Debug)]
pub struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn insert(&mut self, key: K, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let v = self.map.remove(key);
        if v.is_some() {
            self.order.retain(|k| k != key);
        }
        v
    }

    /// Removes every entry whose value matches; returns how many.
    pub fn remove_where(&mut self, mut pred: impl FnMut(&V) -> bool) -> usize {
        let before = self.map.len();
        self.map.retain(|_, v| !pred(v));
        let map = &self.map;
        self.order.retain(|k| map.contains_key(k));
        before - self.map.len()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Which reply answers which user message, so an edited message can update its reply.
#[derive(Debug, Clone, Copy)]
pub struct ReplyLink {
    pub reply_id: i32,
    pub user_id: u64,
}

/// Messages collected for one chat during a batch window.
#[derive(Debug)]
pub struct Batch {
    items: Vec<BatchItem>,
    /// The update of every message that joined, including any past the size cap.
    updates: Vec<i64>,
    /// Dropped when the batch has been answered, which releases the messages waiting on it.
    answered: watch::Sender<()>,
}

/// A message's place in its chat's batch (see [`BotState::add_to_batch`]).
pub struct Joined {
    /// The message opened the batch: its handler waits out the window and answers.
    pub first: bool,
    answered: watch::Receiver<()>,
}

impl Joined {
    /// Waits until the batch this message joined has been answered (or dropped). Until then
    /// the message's update stays in flight, so its offset is not confirmed and a crash in the
    /// window leaves it to be redelivered.
    pub async fn answered(mut self) {
        // Nothing is ever sent: the sender being dropped is the signal.
        let _ = self.answered.changed().await;
    }
}

/// A batch taken out for answering. Dropping it releases the messages waiting on it.
pub struct TakenBatch {
    /// Sorted by message id.
    pub items: Vec<BatchItem>,
    /// The updates the reply answers.
    pub updates: Vec<i64>,
    _answered: watch::Sender<()>,
}

#[derive(Debug, Clone)]
pub struct BatchItem {
    pub message_id: i32,
    /// The text, or an image's caption.
    pub text: String,
    /// An image to read, when screenshots are read (OCR is on).
    pub image: Option<teloxide::types::FileMeta>,
    pub forwarded_from_channel: bool,
    pub forwarded_hidden: bool,
    pub has_photo_only: bool,
}

/// Per-group rate limit: `limit` replies a minute, then one "try later", then silence.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
    warned: bool,
}

/// What a rate limit (per group or per user) allows for one more message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Reply,
    /// Over the limit for the first time this minute: one polite "请稍后再试".
    WarnOnce,
    /// Over the limit and already warned: say nothing.
    Silent,
}

/// The batch window and the rate limits (from the environment; see [`super::Config`]).
pub struct Limits {
    pub batch_window: Duration,
    pub max_batch: usize,
    pub group_limit_per_minute: u32,
    /// Messages one user may send in a minute before one "请稍后再试" and then silence.
    pub user_limit_per_minute: u32,
    /// Button presses one user may make in a minute (the planner takes several in a row).
    pub press_limit_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            batch_window: Duration::from_millis(1500),
            max_batch: 20,
            group_limit_per_minute: 5,
            user_limit_per_minute: 10,
            press_limit_per_minute: 30,
        }
    }
}

const MAX_REPLY_LINKS: usize = 10_000;
const MAX_CHATS: usize = 10_000;
/// Bytes of text one batch may hold; more is cut (the classifier reads 64 KiB at most anyway).
pub const MAX_BATCH_BYTES: usize = 64 * 1024;

pub struct BotState {
    pub limits: Limits,
    /// Confirmed examples; every check consults them.
    pub known: Arc<KnownStore>,
    /// Who may use /review and /known.
    pub reviewers: Reviewers,
    replies: Mutex<BoundedMap<(i64, i32), ReplyLink>>,
    batches: Mutex<BoundedMap<i64, Batch>>,
    groups: Mutex<BoundedMap<i64, Window>>,
    users: Mutex<BoundedMap<u64, Window>>,
    presses: Mutex<BoundedMap<u64, Window>>,
}

impl BotState {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            known: Arc::new(KnownStore::empty()),
            reviewers: Reviewers::default(),
            replies: Mutex::new(BoundedMap::new(MAX_REPLY_LINKS)),
            batches: Mutex::new(BoundedMap::new(MAX_CHATS)),
            groups: Mutex::new(BoundedMap::new(MAX_CHATS)),
            users: Mutex::new(BoundedMap::new(MAX_CHATS)),
            presses: Mutex::new(BoundedMap::new(MAX_CHATS)),
        }
    }

    /// Checks against `known` (the store's examples, loaded at start-up).
    pub fn with_known(mut self, known: Arc<KnownStore>) -> Self {
        self.known = known;
        self
    }

    pub fn with_reviewers(mut self, reviewers: Reviewers) -> Self {
        self.reviewers = reviewers;
        self
    }

    /// The classifier's report on `text`, confirmed examples included (and counted in the
    /// metrics).
    pub fn classify(&self, text: &str, context: &Context) -> Report<'static> {
        self.known.check(text, context, "bot")
    }

    pub fn remember_reply(&self, chat: i64, message: i32, link: ReplyLink) {
        lock(&self.replies).insert((chat, message), link);
    }

    pub fn reply_for(&self, chat: i64, message: i32) -> Option<ReplyLink> {
        lock(&self.replies).get(&(chat, message)).copied()
    }

    /// Adds a message (of `update`, when handling one) to its chat's batch.
    pub fn add_to_batch(&self, chat: i64, item: BatchItem, update: Option<i64>) -> Joined {
        let mut batches = lock(&self.batches);
        if let Some(batch) = batches.get_mut(&chat) {
            let bytes: usize = batch.items.iter().map(|i| i.text.len()).sum();
            if batch.items.len() < self.limits.max_batch && bytes < MAX_BATCH_BYTES {
                batch.items.push(item);
            }
            batch.updates.extend(update);
            return Joined {
                first: false,
                answered: batch.answered.subscribe(),
            };
        }
        let (answered, waiting) = watch::channel(());
        batches.insert(
            chat,
            Batch {
                items: vec![item],
                updates: update.into_iter().collect(),
                answered,
            },
        );
        Joined {
            first: true,
            answered: waiting,
        }
    }

    /// Takes the chat's batch for answering; `None` if another message already took it.
    pub fn take_batch(&self, chat: i64) -> Option<TakenBatch> {
        let batch = lock(&self.batches).remove(&chat)?;
        let mut items = batch.items;
        items.sort_by_key(|i| i.message_id);
        Some(TakenBatch {
            items,
            updates: batch.updates,
            _answered: batch.answered,
        })
    }

    pub fn group_permit(&self, chat: i64) -> Permit {
        permit(&self.groups, chat, self.limits.group_limit_per_minute)
    }

    /// The same sliding minute per user, for private messages.
    pub fn user_permit(&self, user: u64) -> Permit {
        permit(&self.users, user, self.limits.user_limit_per_minute)
    }

    pub fn press_permit(&self, user: u64) -> Permit {
        permit(&self.presses, user, self.limits.press_limit_per_minute)
    }

    /// Deletes what the bot holds about a user; returns how many records went.
    pub fn forget_user(&self, user_id: u64, private_chat: i64) -> usize {
        let links = lock(&self.replies).remove_where(|l| l.user_id == user_id);
        // Dropping the batch releases its waiting messages unanswered, as asked.
        let batch = lock(&self.batches)
            .remove(&private_chat)
            .map_or(0, |b| b.items.len());
        links + batch
    }

    /// How many entries each structure holds, for tests and diagnostics.
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        (
            lock(&self.replies).len(),
            lock(&self.batches).len(),
            lock(&self.groups).len(),
            lock(&self.users).len(),
        )
    }
}

/// `limit` per minute per key, then one warning, then silence until the minute is over.
fn permit<K: Eq + Hash + Clone>(
    windows: &Mutex<BoundedMap<K, Window>>,
    key: K,
    limit: u32,
) -> Permit {
    let now = Instant::now();
    let mut windows = lock(windows);
    match windows.get_mut(&key) {
        Some(w) if now.duration_since(w.started) < Duration::from_secs(60) => {
            if w.count < limit {
                w.count += 1;
                Permit::Reply
            } else if !w.warned {
                w.warned = true;
                Permit::WarnOnce
            } else {
                Permit::Silent
            }
        }
        _ => {
            windows.insert(
                key,
                Window {
                    started: now,
                    count: 1,
                    warned: false,
                },
            );
            Permit::Reply
        }
    }
}

/// A poisoned lock only means another handler panicked; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_map_evicts_oldest() {
        let mut m = BoundedMap::new(3);
        for i in 0..10 {
            m.insert(i, i);
        }
        assert_eq!(m.len(), 3);
        assert!(m.get(&9).is_some() && m.get(&0).is_none());
    }

    #[test]
    fn group_limit_then_one_warning_then_silence() {
        let s = BotState::new(Limits {
            group_limit_per_minute: 2,
            ..Limits::default()
        });
        assert_eq!(s.group_permit(-1), Permit::Reply);
        assert_eq!(s.group_permit(-1), Permit::Reply);
        assert_eq!(s.group_permit(-1), Permit::WarnOnce);
        assert_eq!(s.group_permit(-1), Permit::Silent);
        assert_eq!(s.group_permit(-2), Permit::Reply);
    }

    #[test]
    fn the_eleventh_message_in_a_minute_gets_one_warning() {
        let s = BotState::new(Limits::default());
        for _ in 0..10 {
            assert_eq!(s.user_permit(7), Permit::Reply);
        }
        assert_eq!(s.user_permit(7), Permit::WarnOnce);
        assert_eq!(s.user_permit(7), Permit::Silent);
        assert_eq!(s.user_permit(8), Permit::Reply);
    }

    #[test]
    fn a_flood_from_many_users_stays_bounded() {
        let s = BotState::new(Limits::default());
        for user in 0..(MAX_CHATS as u64 * 3) {
            s.user_permit(user);
            s.group_permit(-(user as i64));
            s.remember_reply(
                user as i64,
                1,
                ReplyLink {
                    reply_id: 2,
                    user_id: user,
                },
            );
        }
        let (replies, batches, groups, users) = s.sizes();
        assert!(
            replies <= MAX_REPLY_LINKS && groups <= MAX_CHATS && users <= MAX_CHATS && batches == 0
        );
    }

    fn item(message_id: i32) -> BatchItem {
        BatchItem {
            message_id,
            text: "x".into(),
            image: None,
            forwarded_from_channel: false,
            forwarded_hidden: false,
            has_photo_only: false,
        }
    }

    #[test]
    fn batches_are_bounded_and_ordered() {
        let s = BotState::new(Limits {
            max_batch: 3,
            ..Limits::default()
        });
        assert!(s.add_to_batch(1, item(5), Some(50)).first);
        assert!(!s.add_to_batch(1, item(3), Some(30)).first);
        assert!(!s.add_to_batch(1, item(4), Some(40)).first);
        assert!(!s.add_to_batch(1, item(6), Some(60)).first);
        let batch = s.take_batch(1).unwrap();
        let ids: Vec<i32> = batch.items.iter().map(|i| i.message_id).collect();
        assert_eq!(ids, vec![3, 4, 5], "capped at three, in message order");
        assert_eq!(
            batch.updates,
            vec![50, 30, 40, 60],
            "the reply answers every update that joined, the capped one too"
        );
        assert!(s.take_batch(1).is_none());
    }

    #[tokio::test]
    async fn messages_of_a_batch_wait_until_it_is_answered() {
        let s = BotState::new(Limits::default());
        let _first = s.add_to_batch(1, item(1), Some(10));
        let second = s.add_to_batch(1, item(2), Some(11));
        let mut waiting = tokio::spawn(second.answered());
        let batch = s.take_batch(1).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(
            futures_util::poll!(&mut waiting).is_pending(),
            "still waiting while the batch is being answered"
        );
        drop(batch);
        tokio::time::timeout(std::time::Duration::from_secs(1), waiting)
            .await
            .expect("released once the batch was answered")
            .unwrap();
    }

    #[test]
    fn forget_removes_a_users_links() {
        let s = BotState::new(Limits::default());
        s.remember_reply(
            1,
            10,
            ReplyLink {
                reply_id: 11,
                user_id: 7,
            },
        );
        s.remember_reply(
            2,
            10,
            ReplyLink {
                reply_id: 12,
                user_id: 8,
            },
        );
        assert_eq!(s.forget_user(7, 1), 1);
        assert!(s.reply_for(1, 10).is_none());
        assert!(s.reply_for(2, 10).is_some());
    }
}
