//! Sending replies: HTML split to Telegram's limit, buttons on the last part, and recovery from
//! Telegram's faults. Every reply and every edit goes through [`send`] and [`edit`] (or a
//! [`Sender`] with its own [`RetryPolicy`]).
//!
//! | Telegram answers | What happens |
//! |---|---|
//! | 429 with `retry_after` | Wait that long (each wait capped at [`RetryPolicy::max_retry_after`]), then the same request again. Never given up. |
//! | 5xx, malformed JSON, connection refused or failed to connect | Retried with exponential backoff and full jitter, [`RetryPolicy::max_attempts`] attempts in all. |
//! | the connection closed before a byte of the answer | Sent again once, on a new connection: almost always a pooled connection the server had dropped, so the request never arrived. A second close in a row is given up. |
//! | timeout after the request went out | An edit is retried like a 5xx (editing twice is harmless). A new message is **not** retried: see below. |
//! | 403 blocked, deactivated, kicked, … | No retry. The chat goes into [`BlockedChats`]; the error is returned ([`is_blocked`] tells it apart) and later replies to the chat are skipped for a while. |
//! | 400 "message is too long" | That part is cut again at half the limit and sent, once. |
//! | 400 "can't parse entities" | That part and the rest of the reply are sent as plain text ([`Doc::to_plain`], no `parse_mode`), once. |
//!
//! **Duplicates.** The Bot API has no idempotency key. When a `sendMessage` times out, or the
//! connection drops after the request was written, Telegram may well have delivered the message
//! (the fake server in the tests does exactly that after a `Hang`). Sending it again would show
//! the user the same reply twice, so an unknown outcome is not retried for a new message
//! (at most once; [`RetryPolicy::ambiguous_send_retries`] can allow retries). Failures that
//! prove the request was not carried out are retried: 429, failing to connect. 5xx answers and
//! malformed bodies are retried too: they come from Telegram's front end when the Bot API did
//! not answer, which is almost always a request that was not carried out; the small remaining
//! risk of a duplicate is accepted there to avoid losing replies during an outage.
//!
//! Note that teloxide itself sleeps 10 s after any 5xx answer before it returns the error.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode,
    ReplyParameters,
};
use teloxide::{ApiError, RequestError};

/// Why a reply was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Telegram refused it, or could not be reached ([`is_blocked`] tells a chat that refuses
    /// the bot apart).
    #[error(transparent)]
    Telegram(#[from] RequestError),
    /// Another delivery of the update, or another instance, already answered it
    /// ([`super::reply_claim`]): not a failure, nothing to send.
    #[error("the update was already answered")]
    AlreadyAnswered,
    /// The reply had no text to send.
    #[error("the reply is empty")]
    EmptyReply,
}

impl SendError {
    /// The error Telegram gave, if it gave one.
    pub fn telegram(&self) -> Option<&RequestError> {
        match self {
            Self::Telegram(e) => Some(e),
            _ => None,
        }
    }
}

use crate::render::{ButtonAction, Reply};
use crate::render::{Doc, Inline, Paragraph, TELEGRAM_LIMIT, utf16_len};

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/// How long to wait and how often to try again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (the first one included) for failures that may pass: 5xx, malformed
    /// answers, network errors. 429s don't count: they are retried for as long as they last.
    pub max_attempts: u32,
    /// The first backoff step; step `n` waits a random time in `0..=min(max_delay, base * 2^n)`.
    pub base_delay: Duration,
    /// The longest backoff step.
    pub max_delay: Duration,
    /// The longest single wait on a 429; a larger `retry_after` is capped, not obeyed.
    pub max_retry_after: Duration,
    /// How often a `sendMessage` whose outcome is unknown (timeout or connection lost after the
    /// request was written) is sent again. 0: never, so a message is delivered at most once.
    pub ambiguous_send_retries: u32,
}

impl Default for RetryPolicy {
    /// The policy of the bot: 6 attempts, backoff from 200 ms up to 10 s, 429 waits up to 120 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(120),
            ambiguous_send_retries: 0,
        }
    }
}

impl RetryPolicy {
    /// Short waits for tests: backoff from 10 ms up to 100 ms, 429 waits up to 120 s as usual
    /// (tests schedule small `retry_after` values).
    pub fn fast() -> Self {
        RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        }
    }

    /// The wait before attempt `failures + 1`: full jitter over an exponential step.
    pub fn backoff(&self, failures: u32) -> Duration {
        let step = self
            .base_delay
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
            .min(self.max_delay);
        step.mul_f64(random_fraction())
    }

    /// The wait after a 429: `retry_after` (capped) plus a little jitter, so that replies held
    /// back together don't all come back at the same instant.
    pub fn retry_after_wait(&self, retry_after: Duration) -> Duration {
        retry_after.min(self.max_retry_after) + self.base_delay.mul_f64(random_fraction())
    }
}

/// A number in `0.0..1.0`, different on every call. Jitter needs no better randomness.
fn random_fraction() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

// ---------------------------------------------------------------------------------------------
// Chats that blocked the bot
// ---------------------------------------------------------------------------------------------

/// Chats that recently answered 403 (blocked the bot, deactivated, kicked it): [`Sender::send`]
/// skips them for a while instead of calling Telegram. Bounded: the oldest entry goes when it
/// is full, and entries expire.
///
/// A skipped send still goes out when it quotes a message newer than any the bot was answering
/// when the block was seen: a user who blocked the bot cannot write to it, so a newer message
/// proves they came back. Edits are always attempted (they follow a user's action).
#[derive(Debug)]
pub struct BlockedChats {
    chats: Mutex<HashMap<ChatId, Blocked>>,
    capacity: usize,
    ttl: Duration,
}

#[derive(Debug, Clone)]
struct Blocked {
    since: Instant,
    error: ApiError,
    /// The newest message the bot was answering when the 403 came; the block came after it.
    before: Option<MessageId>,
}

impl BlockedChats {
    /// Remembers at most `capacity` chats, each for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        BlockedChats {
            chats: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            ttl,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ChatId, Blocked>> {
        self.chats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks `chat` as refusing messages, with Telegram's error. `reply_to` is the message the
    /// bot was answering, if any.
    pub fn insert(&self, chat: ChatId, error: ApiError, reply_to: Option<MessageId>) {
        let now = Instant::now();
        let mut chats = self.lock();
        if !chats.contains_key(&chat) && chats.len() >= self.capacity {
            chats.retain(|_, b| now.duration_since(b.since) < self.ttl);
            if chats.len() >= self.capacity {
                let oldest = chats.iter().min_by_key(|(_, b)| b.since).map(|(c, _)| *c);
                if let Some(oldest) = oldest {
                    chats.remove(&oldest);
                }
            }
        }
        let earlier = chats.get(&chat).and_then(|b| b.before);
        let before = match (earlier, reply_to) {
            (Some(a), Some(b)) => Some(if a.0 >= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        chats.insert(
            chat,
            Blocked {
                since: now,
                error,
                before,
            },
        );
    }

    /// Forgets `chat` (it wrote to the bot again, or a send got through). Returns whether it
    /// was marked.
    pub fn remove(&self, chat: ChatId) -> bool {
        self.lock().remove(&chat).is_some()
    }

    /// Whether `chat` is marked and the mark has not expired.
    pub fn contains(&self, chat: ChatId) -> bool {
        self.error_for(chat, None).is_some()
    }

    /// How many chats are marked (expired ones included until they are cleaned up).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The error to answer with instead of sending to `chat`, quoting `reply_to`; `None` when
    /// the send should go out.
    fn error_for(&self, chat: ChatId, reply_to: Option<MessageId>) -> Option<ApiError> {
        let mut chats = self.lock();
        let blocked = chats.get(&chat)?;
        if blocked.since.elapsed() >= self.ttl {
            chats.remove(&chat);
            return None;
        }
        match reply_to {
            // The user wrote after the block (or we can't tell): try.
            Some(quoted) if blocked.before.is_none_or(|before| quoted.0 > before.0) => None,
            _ => Some(blocked.error.clone()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Classifying errors
// ---------------------------------------------------------------------------------------------

/// Whether `error` says the chat no longer takes messages from the bot (403: blocked by the
/// user, user deactivated, bot kicked or not a member, …). Callers drop that chat's pending
/// replies. Also true for a send skipped because the chat is in [`BlockedChats`].
pub fn is_blocked(error: &SendError) -> bool {
    matches!(error, SendError::Telegram(RequestError::Api(api)) if blocked_error(api))
}

fn blocked_error(error: &ApiError) -> bool {
    match error {
        ApiError::BotBlocked
        | ApiError::UserDeactivated
        | ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel
        | ApiError::CantInitiateConversation
        | ApiError::CantTalkWithBots => true,
        // Other 403s teloxide doesn't name: "Forbidden: bot was kicked from the group chat",
        // "Forbidden: bot is not a member of the channel chat", …
        ApiError::Unknown(description) => description.starts_with("Forbidden:"),
        _ => false,
    }
}

fn is_too_long(error: &RequestError) -> bool {
    matches!(
        error,
        RequestError::Api(ApiError::MessageIsTooLong | ApiError::EditedMessageIsTooLong)
    )
}

fn is_cant_parse(error: &RequestError) -> bool {
    matches!(error, RequestError::Api(ApiError::CantParseEntities(_)))
}

/// An HTTP 5xx that Telegram answered with a JSON body (teloxide keeps only the description).
fn server_error(description: &str) -> bool {
    [
        "Internal Server Error",
        "Bad Gateway",
        "Service Unavailable",
        "Gateway Timeout",
    ]
    .iter()
    .any(|prefix| description.starts_with(prefix))
}

/// What to do about a failed request.
enum Recovery {
    /// 429: wait this long and try again, however often it happens.
    Wait(Duration),
    /// The request was not carried out (or almost surely not): back off and try again.
    Retry,
    /// The request may have been carried out: retry only what is safe to repeat.
    Unknown,
    /// The connection closed before a byte of the answer: almost always a pooled connection
    /// the server had already dropped, so the request never reached Telegram. Retried once,
    /// on a new connection.
    ClosedUnanswered,
    /// Retrying won't help.
    GiveUp,
}

/// Whether the connection was closed (or reset) before any answer arrived, from the error's
/// causes: hyper's "connection closed before message completed", or the socket's own error.
fn closed_before_answer(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        cause = e.source();
    }
    false
}

fn recovery(error: &RequestError) -> Recovery {
    match error {
        RequestError::RetryAfter(seconds) => Recovery::Wait(seconds.duration()),
        RequestError::Network(e) if e.is_connect() => Recovery::Retry,
        RequestError::Network(e) if !e.is_timeout() && closed_before_answer(e.as_ref()) => {
            Recovery::ClosedUnanswered
        }
        RequestError::Network(_) => Recovery::Unknown,
        RequestError::InvalidJson { .. } => Recovery::Retry,
        RequestError::Api(ApiError::Unknown(description)) if server_error(description) => {
            Recovery::Retry
        }
        // A 429 without retry_after.
        RequestError::Api(ApiError::Unknown(description))
            if description.starts_with("Too Many Requests") =>
        {
            Recovery::Retry
        }
        _ => Recovery::GiveUp,
    }
}

/// The label of a failed call in `loanguard_telegram_errors_total`: Telegram's error code
/// where there is one, else the kind of failure.
fn metric_code(error: &RequestError) -> &'static str {
    match error {
        RequestError::RetryAfter(_) => "429",
        RequestError::Network(e) if e.is_timeout() => "timeout",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "malformed",
        RequestError::Api(ApiError::Unknown(d)) if server_error(d) => "5xx",
        RequestError::Api(e) if blocked_error(e) => "403",
        RequestError::Api(_) => "400",
        RequestError::MigrateToChatId(_) => "migrated",
        RequestError::Io(_) => "io",
    }
}

/// A short name for logs: never the raw body (it may be long) nor any message text.
fn kind(error: &RequestError) -> &'static str {
    match error {
        RequestError::RetryAfter(_) => "429 too many requests",
        RequestError::Network(e) if e.is_connect() => "connect failed",
        RequestError::Network(e) if e.is_timeout() => "timeout",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "malformed answer",
        RequestError::Api(ApiError::Unknown(d)) if server_error(d) => "server error",
        RequestError::Api(e) if blocked_error(e) => "forbidden",
        RequestError::Api(_) => "api error",
        RequestError::MigrateToChatId(_) => "migrated",
        RequestError::Io(_) => "io",
    }
}

fn block_reason(error: &ApiError) -> &'static str {
    match error {
        ApiError::BotBlocked => "blocked by the user",
        ApiError::UserDeactivated => "user deactivated",
        ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel => "kicked",
        _ => "forbidden",
    }
}

// ---------------------------------------------------------------------------------------------
// The sender
// ---------------------------------------------------------------------------------------------

/// Sends and edits replies with a [`RetryPolicy`] and a [`BlockedChats`] set. [`send`] and
/// [`edit`] use [`Sender::global`].
#[derive(Clone, Debug)]
pub struct Sender {
    policy: RetryPolicy,
    blocked: Arc<BlockedChats>,
}

/// How many blocked chats the global sender remembers, and for how long.
const BLOCKED_CAPACITY: usize = 10_000;
const BLOCKED_TTL: Duration = Duration::from_secs(10 * 60);

static GLOBAL: LazyLock<Sender> = LazyLock::new(|| {
    Sender::new(
        RetryPolicy::default(),
        Arc::new(BlockedChats::new(BLOCKED_CAPACITY, BLOCKED_TTL)),
    )
});

/// One message of a reply, before it is sent.
struct Piece {
    doc: Doc,
    /// The limit `doc` was cut to.
    limit: usize,
    /// Already cut again after "message is too long": no second time.
    recut: bool,
}

impl Sender {
    pub fn new(policy: RetryPolicy, blocked: Arc<BlockedChats>) -> Self {
        Sender { policy, blocked }
    }

    /// The bot's sender: [`RetryPolicy::default`], 10,000 blocked chats for 10 minutes each.
    pub fn global() -> &'static Sender {
        &GLOBAL
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    pub fn blocked(&self) -> &BlockedChats {
        &self.blocked
    }

    /// Sends `reply` to `chat`, quoting `reply_to` with the first message. Returns the last
    /// message sent (the one with the buttons).
    pub async fn send(
        &self,
        bot: &Bot,
        chat: ChatId,
        reply: &Reply,
        reply_to: Option<MessageId>,
    ) -> Result<Message, SendError> {
        if let Some(error) = self.blocked.error_for(chat, reply_to) {
            tracing::debug!(
                reason = block_reason(&error),
                "reply skipped: the chat refuses messages from the bot"
            );
            return Err(RequestError::Api(error).into());
        }
        // Each update is answered once: claim it in the database before the first message
        // (another delivery or instance may already have answered it).
        if !super::reply_claim::claim().await {
            return Err(SendError::AlreadyAnswered);
        }
        let markup = keyboard(reply);
        let mut queue: VecDeque<Piece> = part_docs(&reply.doc, TELEGRAM_LIMIT)
            .into_iter()
            .map(|doc| Piece {
                doc,
                limit: TELEGRAM_LIMIT,
                recut: false,
            })
            .collect();
        let mut plain = false;
        let mut last = None;
        while let Some(piece) = queue.pop_front() {
            let text = if plain {
                piece.doc.to_plain()
            } else {
                piece.doc.to_html()
            };
            let mut request = bot
                .send_message(chat, text)
                .link_preview_options(no_preview());
            if !plain {
                request = request.parse_mode(ParseMode::Html);
            }
            if let (None, Some(id)) = (&last, reply_to) {
                request = request
                    .reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
            }
            if let (true, Some(kb)) = (queue.is_empty(), &markup) {
                request = request.reply_markup(kb.clone());
            }
            match self.call(false, || request.send_ref()).await {
                Ok(message) => last = Some(message),
                Err(e) if is_too_long(&e) && !piece.recut => {
                    let limit = piece.limit / 2;
                    let smaller = part_docs(&piece.doc, limit);
                    tracing::info!(
                        parts = smaller.len(),
                        limit,
                        "message too long for Telegram: sending it in smaller parts"
                    );
                    for doc in smaller.into_iter().rev() {
                        queue.push_front(Piece {
                            doc,
                            limit,
                            recut: true,
                        });
                    }
                }
                Err(e) if is_cant_parse(&e) && !plain => {
                    tracing::warn!("Telegram could not parse the reply's HTML: sending plain text");
                    plain = true;
                    queue.push_front(piece);
                }
                Err(e) => {
                    self.note_failure(chat, reply_to, &e);
                    return Err(e.into());
                }
            }
        }
        let last = last.ok_or(SendError::EmptyReply)?;
        self.blocked.remove(chat);
        Ok(last)
    }

    /// Replaces the text of an earlier reply (the first part only: verdicts fit in one
    /// message). An edit is always attempted, even to a chat in [`BlockedChats`].
    pub async fn edit(
        &self,
        bot: &Bot,
        chat: ChatId,
        message: MessageId,
        reply: &Reply,
    ) -> Result<(), SendError> {
        let Some(first) = part_docs(&reply.doc, TELEGRAM_LIMIT).into_iter().next() else {
            return Ok(());
        };
        let markup = keyboard(reply);
        let mut plain = false;
        loop {
            let text = if plain {
                first.to_plain()
            } else {
                first.to_html()
            };
            let mut request = bot
                .edit_message_text(chat, message, text)
                .link_preview_options(no_preview());
            if !plain {
                request = request.parse_mode(ParseMode::Html);
            }
            if let Some(kb) = &markup {
                request = request.reply_markup(kb.clone());
            }
            let mut attempts = 0;
            let result = self
                .call(true, || {
                    attempts += 1;
                    request.send_ref()
                })
                .await;
            match result {
                Ok(_) => {
                    self.blocked.remove(chat);
                    return Ok(());
                }
                // An earlier attempt whose answer was lost did the edit.
                Err(RequestError::Api(ApiError::MessageNotModified)) if attempts > 1 => {
                    return Ok(());
                }
                Err(e) if is_cant_parse(&e) && !plain => {
                    tracing::warn!("Telegram could not parse the edit's HTML: sending plain text");
                    plain = true;
                }
                Err(e) => {
                    self.note_failure(chat, None, &e);
                    return Err(e.into());
                }
            }
        }
    }

    /// Runs `attempt` until it succeeds, waiting out 429s and backing off on failures that may
    /// pass. `repeatable`: whether running the request twice is harmless (edits are).
    async fn call<T, Fut>(
        &self,
        repeatable: bool,
        mut attempt: impl FnMut() -> Fut,
    ) -> Result<T, RequestError>
    where
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let mut failures = 0;
        let mut unknown = 0;
        let mut closed_retried = false;
        loop {
            let error = match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            crate::metrics::telegram_error(metric_code(&error));
            let recovery = recovery(&error);
            let wait = match recovery {
                Recovery::Wait(retry_after) => {
                    let wait = self.policy.retry_after_wait(retry_after);
                    tracing::info!(
                        retry_after_s = retry_after.as_secs(),
                        wait_ms = wait.as_millis() as u64,
                        "Telegram asked to slow down; waiting"
                    );
                    wait
                }
                Recovery::ClosedUnanswered if !repeatable && closed_retried => {
                    tracing::warn!(
                        error = kind(&error),
                        "connection closed again before an answer: not sent a third time"
                    );
                    return Err(error);
                }
                Recovery::ClosedUnanswered => {
                    closed_retried = true;
                    tracing::info!("connection closed before an answer: sending again");
                    Duration::ZERO
                }
                Recovery::Unknown
                    if !repeatable && unknown >= self.policy.ambiguous_send_retries =>
                {
                    tracing::warn!(
                        error = kind(&error),
                        "message may have been delivered: not sent again, to avoid a duplicate"
                    );
                    return Err(error);
                }
                Recovery::Retry | Recovery::Unknown => {
                    if matches!(recovery, Recovery::Unknown) {
                        unknown += 1;
                    }
                    failures += 1;
                    if failures >= self.policy.max_attempts {
                        tracing::warn!(
                            error = kind(&error),
                            attempts = failures,
                            "Telegram request failed; giving up"
                        );
                        return Err(error);
                    }
                    let wait = self.policy.backoff(failures);
                    tracing::debug!(
                        error = kind(&error),
                        attempt = failures,
                        wait_ms = wait.as_millis() as u64,
                        "Telegram request failed; retrying"
                    );
                    wait
                }
                Recovery::GiveUp => return Err(error),
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Marks `chat` as blocked when `error` says so.
    fn note_failure(&self, chat: ChatId, reply_to: Option<MessageId>, error: &RequestError) {
        if let RequestError::Api(api) = error
            && blocked_error(api)
        {
            tracing::info!(
                reason = block_reason(api),
                "chat refuses messages from the bot: dropping its replies"
            );
            self.blocked.insert(chat, api.clone(), reply_to);
        }
    }
}

/// Sends `reply` to `chat` with the global [`Sender`], replying to `reply_to` with the first
/// part. Returns the last message sent (the one with the buttons). [`is_blocked`] tells a chat
/// that refuses messages from other errors.
pub async fn send(
    bot: &Bot,
    chat: ChatId,
    reply: &Reply,
    reply_to: Option<MessageId>,
) -> Result<Message, SendError> {
    Sender::global().send(bot, chat, reply, reply_to).await
}

/// Replaces the text of an earlier reply with the global [`Sender`].
pub async fn edit(
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    reply: &Reply,
) -> Result<(), SendError> {
    Sender::global().edit(bot, chat, message, reply).await
}

/// The global sender's blocked chats, to forget a chat that writes to the bot again.
pub fn blocked_chats() -> &'static BlockedChats {
    Sender::global().blocked()
}

// ---------------------------------------------------------------------------------------------
// Building requests
// ---------------------------------------------------------------------------------------------

pub fn keyboard(reply: &Reply) -> Option<InlineKeyboardMarkup> {
    if reply.buttons.is_empty() {
        return None;
    }
    let rows = reply.buttons.iter().map(|row| {
        row.iter()
            .filter_map(|b| match &b.action {
                ButtonAction::Callback(data) => Some(InlineKeyboardButton::callback(
                    b.label.clone(),
                    data.clone(),
                )),
                ButtonAction::Url(url) => url
                    .parse()
                    .ok()
                    .map(|u| InlineKeyboardButton::url(b.label.clone(), u)),
            })
            .collect::<Vec<_>>()
    });
    Some(InlineKeyboardMarkup::new(rows))
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Cuts `doc` into documents that each fit `limit` as one message, at paragraph boundaries,
/// then at line boundaries, then (for one enormous line) at character boundaries: the cuts of
/// [`Doc::to_html_parts`], kept as documents so that a part can be cut again or sent as plain
/// text. Lengths are those of the plain text, which is never shorter than the visible HTML.
pub fn part_docs(doc: &Doc, limit: usize) -> Vec<Doc> {
    let limit = limit.max(1);
    let mut parts = Vec::new();
    let mut current = Doc::default();
    let mut visible = 0;
    for paragraph in &doc.paragraphs {
        for (chunk, len) in paragraph_chunks(paragraph, limit) {
            if !current.paragraphs.is_empty() {
                if visible + 2 + len > limit {
                    parts.push(std::mem::take(&mut current));
                    visible = 0;
                } else {
                    visible += 2; // "\n\n" between paragraphs
                }
            }
            current.paragraphs.push(chunk);
            visible += len;
        }
    }
    if !current.paragraphs.is_empty() {
        parts.push(current);
    }
    parts
}

/// A paragraph as paragraphs that each fit `limit`, with their plain-text lengths.
fn paragraph_chunks(p: &Paragraph, limit: usize) -> Vec<(Paragraph, usize)> {
    let len = plain_len(p);
    if len <= limit {
        return vec![(p.clone(), len)];
    }
    let mut chunks = Vec::new();
    for line in &p.lines {
        let sub = Paragraph {
            lines: vec![line.clone()],
            quote: p.quote,
        };
        let len = plain_len(&sub);
        if len <= limit {
            chunks.push((sub, len));
            continue;
        }
        let plain = Doc {
            paragraphs: vec![sub],
        }
        .to_plain();
        let mut piece = String::new();
        let mut piece_len = 0;
        for c in plain.chars() {
            if piece_len + c.len_utf16() > limit && !piece.is_empty() {
                chunks.push((text_paragraph(std::mem::take(&mut piece)), piece_len));
                piece_len = 0;
            }
            piece.push(c);
            piece_len += c.len_utf16();
        }
        if !piece.is_empty() {
            chunks.push((text_paragraph(piece), piece_len));
        }
    }
    chunks
}

fn text_paragraph(text: String) -> Paragraph {
    Paragraph {
        lines: vec![vec![Inline::Text(text)]],
        quote: false,
    }
}

fn plain_len(p: &Paragraph) -> usize {
    utf16_len(
        &Doc {
            paragraphs: vec![p.clone()],
        }
        .to_plain(),
    )
}
