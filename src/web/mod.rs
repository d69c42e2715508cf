//! `loanguard web`: a mobile web page and a JSON API over the same classifier as the bot.
//!
//! - `GET /`: the check form (Chinese; English with `?lang=en` or `Accept-Language: en`).
//!   `POST /check`: the result page, from a plain form post (multipart with a screenshot).
//! - `GET /verify`, `GET /legal`: the bot's /verify checklist and /legal text.
//!   `GET|POST /plan`: the planner's one-line form and its result.
//! - `POST /api/v1/check`: JSON in, the `check --format jsonl` fields plus `advice` out
//!   ([`api`]); `GET /api/v1/openapi.json` describes it.
//! - `GET /healthz`, `GET /metrics` (Prometheus text).
//!
//! Limits ([`limits`]): text over 64 KiB is refused with 413, each client address gets
//! `WEB_RATE_PER_MINUTE` checks a minute (429 with `Retry-After`), and the server under it
//! ([`crate::http::serve`]) closes connections that do not send their headers within 5 s and
//! keeps at most 256 open. Every response carries the security headers. Nothing a visitor
//! sends is stored or logged.

pub mod api;
pub mod form;
pub mod limits;
pub mod multipart;
pub mod pages;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Query, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::classifier::{Context, Report};
use crate::confirmed::KnownStore;
use crate::http::ServeLimits;
use crate::ocr::Ocr;
use crate::responses::{Language, Responses};
use limits::RateLimiter;

/// `WEB_ADDR` when unset: this host only; put a TLS reverse proxy in front.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The web server's settings, from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebConfig {
    /// `WEB_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `WEB_RATE_PER_MINUTE`: checks per client address and minute; 0 turns the limit off.
    pub rate_per_minute: u32,
    /// `WEB_CLIENT_IP_HEADER`: behind a reverse proxy, the header it puts the client's
    /// address in (`X-Real-IP`, or `X-Forwarded-For`, whose last address is used). Unset: the
    /// address of the connection.
    pub client_ip_header: Option<HeaderName>,
}

impl WebConfig {
    /// The settings, with `WEB_ADDR` defaulting to [`DEFAULT_ADDR`].
    pub fn from_env() -> Result<WebConfig, String> {
        Self::parse(|name| std::env::var(name).ok(), true).map(|c| c.expect("required"))
    }

    /// For `loanguard run`: `None` when `WEB_ADDR` is unset (no web server next to the bot).
    pub fn from_env_if_set() -> Result<Option<WebConfig>, String> {
        Self::parse(|name| std::env::var(name).ok(), false)
    }

    /// Reads the settings through `lookup`; with `required` false, `Ok(None)` when `WEB_ADDR`
    /// is unset or blank.
    pub fn parse(
        lookup: impl Fn(&str) -> Option<String>,
        required: bool,
    ) -> Result<Option<WebConfig>, String> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let addr = match value("WEB_ADDR") {
            None if !required => return Ok(None),
            None => DEFAULT_ADDR.to_string(),
            Some(a) => a,
        };
        let addr = addr.parse().map_err(|_| {
            format!("WEB_ADDR must be an address and port, like {DEFAULT_ADDR} or 0.0.0.0:8080")
        })?;
        let rate_per_minute = match value("WEB_RATE_PER_MINUTE") {
            None => limits::DEFAULT_RATE_PER_MINUTE,
            Some(v) => v.parse().map_err(|_| {
                "WEB_RATE_PER_MINUTE must be a whole number of checks per client and minute (0 turns the limit off)".to_string()
            })?,
        };
        let client_ip_header = match value("WEB_CLIENT_IP_HEADER") {
            None => None,
            Some(h) => Some(HeaderName::try_from(h.as_str()).map_err(|_| {
                "WEB_CLIENT_IP_HEADER must be a header name, like X-Real-IP".to_string()
            })?),
        };
        Ok(Some(WebConfig {
            addr,
            rate_per_minute,
            client_ip_header,
        }))
    }
}

/// The server's shared state.
pub struct Web {
    /// Confirmed examples; every check consults them, as the bot's do.
    known: Arc<KnownStore>,
    limiter: RateLimiter,
    client_ip_header: Option<HeaderName>,
    ocr: Option<&'static Ocr>,
}

impl Web {
    /// `ocr`: how screenshots are read, if at all ([`Ocr::global`] in the binary).
    pub fn new(config: &WebConfig, ocr: Option<&'static Ocr>) -> Web {
        Web {
            known: Arc::new(KnownStore::empty()),
            limiter: RateLimiter::new(config.rate_per_minute),
            client_ip_header: config.client_ip_header.clone(),
            ocr,
        }
    }

    /// Checks against `known` (the database's confirmed examples).
    pub fn with_known(mut self, known: Arc<KnownStore>) -> Web {
        self.known = known;
        self
    }

    /// The one place the web server classifies a text (`source`: `web` or `api`, for the
    /// metrics).
    pub fn classify(&self, text: &str, source: &'static str) -> Report<'static> {
        self.known.check(text, &Context::default(), source)
    }

    pub fn ocr(&self) -> Option<&'static Ocr> {
        self.ocr
    }

    /// Takes one check from the client's allowance; `Err(seconds)` to wait when none is left.
    pub fn allow(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<(), u64> {
        let client = self.client_ip(headers, peer);
        self.limiter
            .check(client, Instant::now())
            .map_err(limits::retry_after_secs)
    }

    fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let from_header = self.client_ip_header.as_ref().and_then(|name| {
            let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        from_header
            .or(peer.map(|p| p.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

/// `?lang=`.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

/// The page's language: `?lang=` first, then the preferred of Chinese and English in
/// `Accept-Language`, else Chinese.
pub fn language(query: &LangQuery, headers: &HeaderMap) -> Language {
    if let Some(lang) = query.lang.as_deref() {
        return Language::from_code(Some(lang));
    }
    let Some(accept) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Language::ZhCn;
    };
    let mut tags: Vec<(f32, &str)> = accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    // Stable: equal weights keep their order.
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (q, tag) in tags {
        let tag = tag.to_ascii_lowercase();
        if q <= 0.0 {
            continue;
        }
        if tag.starts_with("en") {
            return Language::En;
        }
        if tag.starts_with("zh") {
            return Language::ZhCn;
        }
    }
    Language::ZhCn
}

/// The connection's address, when the server provided it.
pub fn peer(request_peer: Option<Extension<ConnectInfo<SocketAddr>>>) -> Option<SocketAddr> {
    request_peer.map(|Extension(ConnectInfo(addr))| addr)
}

/// Every route, with the security headers and the request metrics.
pub fn router(web: Arc<Web>) -> Router {
    Router::new()
        .route("/", get(form::index))
        .route("/check", get(form::check_again).post(form::check))
        .route("/verify", get(form::verify))
        .route("/legal", get(form::legal))
        .route("/plan", get(form::plan_page).post(form::plan))
        .route("/api/v1/check", post(api::check))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/healthz", get(|| async { "ok" }))
        .route(crate::http::METRICS_PATH, get(crate::http::metrics))
        .route("/static/style.css", get(style))
        .fallback(not_found)
        .layer(middleware::from_fn(count_request))
        .layer(middleware::from_fn(limits::security_headers))
        .with_state(web)
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        pages::STYLE_CSS,
    )
        .into_response()
}

async fn not_found(Query(query): Query<LangQuery>, headers: HeaderMap) -> Response {
    let language = language(&query, &headers);
    let texts = Responses::get(language);
    (
        StatusCode::NOT_FOUND,
        Html(pages::error(texts, language, &texts.web.not_found)),
    )
        .into_response()
}

/// Counts each request by route and status, and its latency; the route is the pattern that
/// matched, never the path or query as sent.
async fn count_request(request: Request, next: Next) -> Response {
    let route = route_name(request.extensions().get::<MatchedPath>());
    let started = Instant::now();
    let response = next.run(request).await;
    crate::metrics::http_request("web", route, response.status().as_u16(), started.elapsed());
    response
}

fn route_name(matched: Option<&MatchedPath>) -> &'static str {
    match matched.map(MatchedPath::as_str) {
        Some("/") => "/",
        Some("/check") => "/check",
        Some("/verify") => "/verify",
        Some("/legal") => "/legal",
        Some("/plan") => "/plan",
        Some("/api/v1/check") => "/api/v1/check",
        Some("/api/v1/openapi.json") => "/api/v1/openapi.json",
        Some("/healthz") => "/healthz",
        Some("/metrics") => "/metrics",
        Some("/static/style.css") => "/static/style.css",
        _ => "other",
    }
}

/// A 429 answer's `Retry-After` header.
pub fn retry_after(seconds: u64) -> (HeaderName, HeaderValue) {
    (header::RETRY_AFTER, HeaderValue::from(seconds))
}

/// Binds `config.addr`.
pub async fn bind(config: &WebConfig) -> std::io::Result<TcpListener> {
    TcpListener::bind(config.addr).await
}

/// Serves the web page on `tcp` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve(
    tcp: TcpListener,
    web: Arc<Web>,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    crate::http::serve(tcp, router(web), limits, shutdown).await;
}
