//! What the web server allows a client: a request rate per IP address, body sizes, and how
//! long a body may take to arrive; plus the security headers put on every response.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The most text checked at once: the classifier's own input limit (64 KiB).
pub const MAX_TEXT_BYTES: usize = crate::classifier::MAX_INPUT_BYTES;
/// A form body: the text percent-encoded (at most three bytes per byte) and the other fields.
pub const MAX_FORM_BYTES: usize = 3 * MAX_TEXT_BYTES + 4096;
/// A multipart body: the text, a screenshot up to the OCR's limit, and the part headers.
pub const MAX_MULTIPART_BYTES: usize = crate::ocr::MAX_BYTES + MAX_TEXT_BYTES + 16 * 1024;
/// A JSON body: the text with escapes (`\uXXXX` is six bytes for a control character).
pub const MAX_JSON_BYTES: usize = 6 * MAX_TEXT_BYTES + 4096;
/// How long a request may take to send its body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);
/// `WEB_RATE_PER_MINUTE` when unset.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 30;
/// Clients remembered at once; beyond this the ones whose allowance is back to full are
/// forgotten first.
const MAX_CLIENTS: usize = 100_000;

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Over the limit: 413.
    TooLarge,
    /// Took longer than [`BODY_TIMEOUT`]: 408.
    Timeout,
}

/// Reads a whole body of at most `limit` bytes within [`BODY_TIMEOUT`].
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(BodyError::Timeout),
        // Over the limit, or the client went away (and hears nothing).
        Ok(Err(_)) => Err(BodyError::TooLarge),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

/// A token bucket per client address: `per_minute` requests, refilled evenly over a minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    clients: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_minute` of 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            clients: Mutex::new(HashMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one request's allowance for `client`; `Err(wait)` when it has none left, with the
    /// time until it has one again (for `Retry-After`).
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
            clients.retain(|_, b| b.refilled(now, per_second, capacity) < capacity);
            if clients.len() >= MAX_CLIENTS {
                // Still full (a flood from many addresses): start over rather than grow.
                clients.clear();
            }
        }
        let bucket = clients.entry(client).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens = bucket.refilled(now, per_second, capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

impl Bucket {
    fn refilled(&self, now: Instant, per_second: f64, capacity: f64) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        (self.tokens + elapsed * per_second).min(capacity)
    }
}

/// `Retry-After` in whole seconds, rounded up (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The headers every response carries: no scripts, styles or images from elsewhere, no MIME
/// sniffing, no referrer (a result page's URL is nobody's business), no framing, no caching of
/// pages that may show the visitor's text.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_allowance_then_waits_and_others_are_separate() {
        let limiter = RateLimiter::new(2);
        let now = Instant::now();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.check(a, now).is_ok());
        assert!(limiter.check(a, now).is_ok());
        let wait = limiter.check(a, now).unwrap_err();
        assert_eq!(retry_after_secs(wait), 30);
        assert!(limiter.check(b, now).is_ok());
        assert!(limiter.check(a, now + Duration::from_secs(30)).is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(0);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            assert!(limiter.check(a, Instant::now()).is_ok());
        }
    }
}
