//! HTTP serving shared by the bot's webhook and the web page: [`serve`] runs an axum router
//! over hyper within [`ServeLimits`]; [`metrics`] answers `GET /metrics`.

pub mod serve;

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub use serve::{CONNECTION_LIMIT, HEADER_READ_TIMEOUT, ServeLimits, serve};

/// The path of the Prometheus metrics, on the web server and the webhook server.
pub const METRICS_PATH: &str = "/metrics";

/// `GET /metrics`: the process' metrics in Prometheus text format.
pub async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::global().render(),
    )
        .into_response()
}
