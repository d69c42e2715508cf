//! Webhook mode: Telegram posts updates to `WEBHOOK_URL`, and the bot serves them on
//! `LISTEN_ADDR` with teloxide's axum listener, run by hyper's HTTP/1.1 server within
//! [`ServeLimits`].
//!
//! - [`WebhookConfig::from_env`] reads `WEBHOOK_URL`, `LISTEN_ADDR`, `WEBHOOK_SECRET` and
//!   `WEBHOOK_REGISTER`; it is `None` when `WEBHOOK_URL` is unset (long polling).
//! - [`listener`] binds `LISTEN_ADDR`, optionally calls `setWebhook`, and serves:
//!   - `POST <path of WEBHOOK_URL>`: one update. Every request must carry the header
//!     `X-Telegram-Bot-Api-Secret-Token: <WEBHOOK_SECRET>` (compared in constant time), or it is
//!     answered `401` before its body is read. A body that is not a Telegram update gets `400`
//!     and is never logged (teloxide would log it whole, message text included); a body over
//!     [`MAX_BODY_BYTES`] gets `413`; one that takes longer than [`BODY_TIMEOUT`] to arrive gets
//!     `408`. Otherwise teloxide queues the update for the dispatcher and answers `200`.
//!   - `GET /healthz`: `200 ok`, for load balancers. It needs no secret.
//!   - `GET /metrics`: the process' metrics in Prometheus text format (no secret; keep the
//!     proxy from exposing it publicly).
//! - Stopping: when the dispatcher shuts down it stops the listener. From then on teloxide
//!   answers `503` to new updates (Telegram delivers them again later); with `register = true`
//!   the listener calls `deleteWebhook` (teloxide's behaviour), then the server stops accepting
//!   connections, closes the idle ones, finishes the requests in flight and closes. The update
//!   stream ends after the last accepted update, so `dispatch_with_listener` returns once every
//!   update answered `200` was handled. After
//!   `deleteWebhook`, Telegram keeps new updates (up to 24 hours) until the next `setWebhook`,
//!   so none is lost, only delayed.
//! - The server speaks plain HTTP/1.1 and listens on `127.0.0.1:8443` unless `LISTEN_ADDR`
//!   says otherwise: TLS ends at the load balancer or reverse proxy in front of it, which
//!   forwards `WEBHOOK_URL`'s path unchanged. To listen on every interface (a proxy on another
//!   host), set `LISTEN_ADDR=0.0.0.0:8443` explicitly.
//! - Connections ([`ServeLimits`]): one that has not sent a request's headers within
//!   [`HEADER_READ_TIMEOUT`] (counted from when it opened, or from the end of its previous
//!   request) is closed without an answer. At most [`CONNECTION_LIMIT`] are open at once; a
//!   connection beyond that closes one that is waiting for headers (idle, or stalled) to make
//!   room, and is itself closed at once only when every open connection has a request in
//!   progress. So connections that send nothing cannot pile up or lock Telegram out.
//!
//! Several instances behind a load balancer: give them all the same `WEBHOOK_URL` and
//! `WEBHOOK_SECRET`. Either let exactly one of them register (`WEBHOOK_REGISTER=true`) or
//! register from none and call `setWebhook` once at deploy time
//! (`WEBHOOK_REGISTER=false` everywhere). Mind that the registering instance deletes the webhook
//! when it stops, which pauses delivery to every instance until it is back.
//!
//! Answering `200` tells Telegram the update was delivered, and it will not send it again. So
//! when the bot gives the listener its [`Completions`] ([`listener_with`]), an update's `200`
//! waits until its handler has finished (at most [`HANDLED_WAIT`]); an instance that crashes
//! before then never answers, and Telegram delivers the update again, to this instance or
//! another, where the database's record of answered updates keeps it from a second reply.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use teloxide::prelude::*;
use teloxide::types::Update;
use teloxide::update_listeners::UpdateListener;
use teloxide::update_listeners::webhooks::{self, Options};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::config::Secret;
use super::redact_token;
pub use crate::http::{CONNECTION_LIMIT, HEADER_READ_TIMEOUT, ServeLimits};
use crate::http::{METRICS_PATH, serve};

/// `LISTEN_ADDR` when unset: this host only, port 8443 (one of the ports Telegram posts to),
/// for a TLS reverse proxy on the same host. `0.0.0.0:8443` listens on every interface.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// The load balancer's health check: `GET` answers `200 ok`.
pub const HEALTH_PATH: &str = "/healthz";
/// The header Telegram sends the secret in (HTTP header names are case-insensitive).
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// The largest update body accepted; Telegram's updates are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How long an authorised request may take to send its body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an update's `200` waits for its handler. Telegram gives up on a delivery after
/// about a minute and sends it again; a handler that takes this long (a reply held back by
/// Telegram's rate limit) gets its `200` anyway and goes on.
pub const HANDLED_WAIT: Duration = Duration::from_secs(50);
/// How many connections Telegram may open to deliver updates at once (its default is 40).
pub const MAX_CONNECTIONS: u8 = 100;
/// Updates whose webhook request waits for their handler to finish.
#[derive(Default)]
pub struct Completions {
    waiting: Mutex<HashMap<i64, Vec<oneshot::Sender<()>>>>,
}

impl Completions {
    /// Call before handing update `id` on; the receiver resolves once [`Completions::done`]
    /// is called for it.
    pub fn wait_for(&self, id: i64) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.lock().entry(id).or_default().push(tx);
        rx
    }

    /// Update `id` has been handled: its requests may answer.
    pub fn done(&self, id: i64) {
        if let Some(waiting) = self.lock().remove(&id) {
            for tx in waiting {
                let _ = tx.send(());
            }
        }
    }

    /// Drops the waits for `id` that gave up, so the map cannot grow with updates that never
    /// finish.
    fn forget_abandoned(&self, id: i64) {
        let mut waiting = self.lock();
        if let Some(list) = waiting.get_mut(&id) {
            list.retain(|tx| !tx.is_closed());
            if list.is_empty() {
                waiting.remove(&id);
            }
        }
    }

    /// Updates with a request still waiting.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Vec<oneshot::Sender<()>>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Webhook settings. `Debug` hides the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `WEBHOOK_URL`: the public `https://` URL Telegram posts to. Its path is the path served.
    pub url: url::Url,
    /// `LISTEN_ADDR`: where the server listens, `127.0.0.1:8443` by default.
    pub listen: SocketAddr,
    /// `WEBHOOK_SECRET`: 16–256 characters of `A-Z a-z 0-9 _ -`, required in webhook mode.
    pub secret: Secret,
    /// `WEBHOOK_REGISTER`: whether this instance calls `setWebhook` at start and
    /// `deleteWebhook` at stop. `true` by default; `false` for all but one instance behind a
    /// load balancer.
    pub register: bool,
}

impl WebhookConfig {
    /// Reads the settings from the process environment; `Ok(None)` when `WEBHOOK_URL` is unset
    /// or blank. The error is one line naming the variable and what it should be, and never
    /// repeats the secret.
    pub fn from_env() -> Result<Option<WebhookConfig>, String> {
        Self::parse(|name| std::env::var(name).ok())
    }

    /// [`WebhookConfig::from_env`] over any lookup (tests pass a map instead of the
    /// environment).
    pub fn parse(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<WebhookConfig>, String> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(raw_url) = value("WEBHOOK_URL") else {
            return Ok(None);
        };
        let url = url::Url::parse(&raw_url).map_err(|e| {
            format!("WEBHOOK_URL is not a valid URL ({e}); it should be like https://bot.example.com/telegram")
        })?;
        if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
            return Err(
                "WEBHOOK_URL must be an https:// URL with a host (Telegram only posts to HTTPS), like https://bot.example.com/telegram".into(),
            );
        }
        if url.path() == HEALTH_PATH || url.path() == METRICS_PATH {
            return Err(format!(
                "WEBHOOK_URL's path must not be {HEALTH_PATH} or {METRICS_PATH}, which serve the health check and the metrics"
            ));
        }
        let listen = match value("LISTEN_ADDR") {
            None => DEFAULT_LISTEN
                .parse()
                .expect("DEFAULT_LISTEN is an address"),
            Some(addr) => addr.parse().map_err(|_| {
                format!(
                    "LISTEN_ADDR must be an address and port, like {DEFAULT_LISTEN} or 0.0.0.0:8443"
                )
            })?,
        };
        let Some(secret) = value("WEBHOOK_SECRET") else {
            return Err(format!(
                "WEBHOOK_SECRET is required when WEBHOOK_URL is set: {SECRET_RULE} (for example the output of `openssl rand -hex 32`)"
            ));
        };
        check_secret(&secret).map_err(|e| format!("WEBHOOK_SECRET {e}"))?;
        let register = match value("WEBHOOK_REGISTER") {
            None => true,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err("WEBHOOK_REGISTER must be true or false".into()),
            },
        };
        Ok(Some(WebhookConfig {
            url,
            listen,
            secret: Secret::new(secret),
            register,
        }))
    }

    /// The path served for updates: the path of [`WebhookConfig::url`].
    pub fn path(&self) -> &str {
        self.url.path()
    }
}

const SECRET_RULE: &str = "16 to 256 characters, each a letter A-Z or a-z, a digit, _ or -";
/// The shortest `WEBHOOK_SECRET` accepted (Telegram accepts 1, which is guessable).
pub const MIN_SECRET_CHARS: usize = 16;

/// Telegram's rule for `secret_token`; the error (after "WEBHOOK_SECRET ") never quotes the
/// secret.
pub fn check_secret(secret: &str) -> Result<(), String> {
    if !secret
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "contains a character that is not allowed; it must be {SECRET_RULE}"
        ));
    }
    // All ASCII from here, so bytes are characters.
    let len = secret.len();
    if !(MIN_SECRET_CHARS..=256).contains(&len) {
        return Err(format!("has {len} characters; it must be {SECRET_RULE}"));
    }
    Ok(())
}

/// Why webhook mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook settings: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The `setWebhook` call failed; the message has the bot token replaced by `<token>`.
    #[error("setWebhook failed: {0}")]
    Register(String),
}

/// Starts webhook mode and returns the listener for `Dispatcher::dispatch_with_listener`.
///
/// Binds `cfg.listen` first (so a busy port is an error here, not a panic later), then, when
/// `register` is true, calls `setWebhook(cfg.url, secret_token = cfg.secret)`, then serves on a
/// spawned task. With `register` false it makes no Bot API call at all: another instance (or a
/// deploy step) registers the webhook.
///
/// Listener errors can't happen (`Err = Infallible`): give `dispatch_with_listener`
/// `teloxide::error_handlers::IgnoringErrorHandlerSafe` or `LoggingErrorHandler`.
pub async fn listener(
    bot: Bot,
    cfg: &WebhookConfig,
    register: bool,
) -> Result<impl UpdateListener<Err = Infallible> + use<>, WebhookError> {
    listener_with(bot, cfg, register, None).await
}

/// [`listener`], where each update's `200` waits until `completions` says it was handled.
pub async fn listener_with(
    bot: Bot,
    cfg: &WebhookConfig,
    register: bool,
    completions: Option<Arc<Completions>>,
) -> Result<impl UpdateListener<Err = Infallible> + use<>, WebhookError> {
    listener_with_limits(bot, cfg, register, completions, ServeLimits::default()).await
}

/// [`listener_with`] with other connection limits than the default.
pub async fn listener_with_limits(
    bot: Bot,
    cfg: &WebhookConfig,
    register: bool,
    completions: Option<Arc<Completions>>,
    limits: ServeLimits,
) -> Result<impl UpdateListener<Err = Infallible> + use<>, WebhookError> {
    check_secret(cfg.secret.expose())
        .map_err(|e| WebhookError::Config(format!("WEBHOOK_SECRET {e}")))?;
    if cfg.path() == HEALTH_PATH || cfg.path() == METRICS_PATH {
        return Err(WebhookError::Config(format!(
            "the webhook path must not be {HEALTH_PATH} or {METRICS_PATH}"
        )));
    }
    let tcp = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| WebhookError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let local = tcp.local_addr().unwrap_or(cfg.listen);

    if register {
        bot.set_webhook(cfg.url.clone())
            .secret_token(cfg.secret.expose().to_string())
            .max_connections(MAX_CONNECTIONS)
            .await
            .map_err(|e| WebhookError::Register(redact_token(&e.to_string(), bot.token())))?;
        tracing::info!(
            host = cfg.url.host_str(),
            "webhook registered with Telegram"
        );
    }

    // teloxide's router checks the secret too (401), queues updates and answers 200; our layer
    // in front of it answers 401 for a missing or malformed header as well (teloxide says 400),
    // compares in constant time, and keeps unparsable bodies out of teloxide's error log.
    let options =
        Options::new(cfg.listen, cfg.url.clone()).secret_token(cfg.secret.expose().to_string());
    let (listener, stop, router) = webhooks::axum_no_setup(options);
    let app = router
        .layer(middleware::from_fn_with_state(
            Guard {
                secret: Arc::from(cfg.secret.expose()),
                completions,
            },
            guard,
        ))
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(METRICS_PATH, get(crate::http::metrics))
        .layer(middleware::from_fn(count_request));

    let shutdown = async move {
        stop.await;
        if register {
            match bot.delete_webhook().await {
                Ok(_) => tracing::info!("webhook deleted"),
                Err(e) => tracing::warn!(
                    error = %redact_token(&e.to_string(), bot.token()),
                    "could not delete the webhook"
                ),
            }
        }
    };
    tokio::spawn(serve(tcp, app, limits, shutdown));
    tracing::info!(listen = %local, register, "webhook server listening");
    Ok(listener)
}

#[derive(Clone)]
struct Guard {
    secret: Arc<str>,
    completions: Option<Arc<Completions>>,
}

/// Runs before teloxide's handler on the update route only (not on `/healthz`): 401 without
/// the secret, whatever the method; then, for a POST, the body checks; then, with
/// completions, holds the `200` until the update was handled.
async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let authorised = request
        .headers()
        .get(SECRET_HEADER)
        .is_some_and(|v| constant_time_eq(v.as_bytes(), guard.secret.as_bytes()));
    if !authorised {
        tracing::debug!("webhook request without the right secret token: 401");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if request.method() != axum::http::Method::POST {
        // The router answers 405.
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Err(_) => return StatusCode::REQUEST_TIMEOUT.into_response(),
        // Over the limit (or the client went away, and hears nothing).
        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Ok(Ok(bytes)) => bytes,
    };
    let update = match serde_json::from_slice::<Update>(&bytes) {
        Ok(update) => update,
        Err(e) => {
            // Position and kind only: serde's message can quote pieces of the body.
            tracing::warn!(
                kind = ?e.classify(),
                line = e.line(),
                column = e.column(),
                "webhook body is not a Telegram update: 400"
            );
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    let Some(completions) = guard.completions else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let id = i64::from(update.id.0);
    // Registered before the update is queued, so a handler that finishes at once is not
    // missed.
    let handled = completions.wait_for(id);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !response.status().is_success() {
        drop(handled);
        completions.forget_abandoned(id);
        return response;
    }
    if tokio::time::timeout(HANDLED_WAIT, handled).await.is_err() {
        tracing::info!(
            update = id,
            "update still being handled; answering 200 anyway"
        );
    }
    completions.forget_abandoned(id);
    response
}

/// Counts each request by route (the update path, `/healthz`, `/metrics`, or `other`) and
/// status, and its latency.
async fn count_request(request: Request, next: Next) -> Response {
    let route = match request.uri().path() {
        HEALTH_PATH => HEALTH_PATH,
        METRICS_PATH => METRICS_PATH,
        _ if request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .is_some() =>
        {
            "update"
        }
        _ => "other",
    };
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    crate::metrics::http_request(
        "webhook",
        route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Equal-length inputs are compared without an early exit; the length itself is not secret.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_matches_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn debug_hides_the_secret() {
        let cfg = WebhookConfig {
            url: "https://bot.example.com/tg".parse().unwrap(),
            listen: DEFAULT_LISTEN.parse().unwrap(),
            secret: "s3cr3t_value".into(),
            register: true,
        };
        assert!(!format!("{cfg:?}").contains("s3cr3t_value"));
    }
}
