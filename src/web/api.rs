//! `POST /api/v1/check`: `{"text": "...", "lang": "zh-CN"|"en", "id": any}` in; the fields of
//! `loanguard check --format jsonl` ([`crate::render::json`]'s contract: `id`, `verdict`, `risk`,
//! `signals`, `violations`, `entities`, `situation`, `subjects`, `safety_threat`, `known`) plus
//! `advice`, the next steps a user is shown, as plain strings in `lang`. Errors are
//! `{"error": "..."}` with 400, 413 or 429 (with `Retry-After`).
//! `GET /api/v1/openapi.json` describes it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::limits::{self, BodyError, MAX_JSON_BYTES, MAX_TEXT_BYTES};
use super::{LangQuery, Web, language, peer, retry_after};
use crate::render::json::ReportJson;
use crate::render::verdict::next_steps;
use crate::responses::{Language, Responses, fill};

/// The hand-written OpenAPI 3 document; a test checks it names the fields returned.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

#[derive(Deserialize)]
struct CheckRequest {
    text: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    id: Value,
}

/// The answer: the JSON Lines contract, plus the advice.
#[derive(Serialize)]
struct CheckResponse<'a> {
    #[serde(flatten)]
    report: ReportJson<'a>,
    advice: Vec<&'a str>,
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// `POST /api/v1/check`.
pub async fn check(
    State(web): State<Arc<Web>>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Errors before the body is read are in the language of Accept-Language.
    let header_language = language(&LangQuery::default(), &headers);
    let w = &Responses::get(header_language).web;
    if let Err(seconds) = web.allow(&headers, peer(connect)) {
        let message = fill(&w.api_rate_limited, &[("seconds", &seconds.to_string())]);
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, &message);
        let (name, value) = retry_after(seconds);
        response.headers_mut().insert(name, value);
        return response;
    }
    let bytes = match limits::read_body(body, MAX_JSON_BYTES).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => return error(StatusCode::PAYLOAD_TOO_LARGE, &w.api_too_large),
        Err(BodyError::Timeout) => return error(StatusCode::REQUEST_TIMEOUT, &w.timeout),
    };
    let request: CheckRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        // serde's message can quote the body: say only what the body should be.
        Err(_) => return error(StatusCode::BAD_REQUEST, &w.api_bad_request),
    };
    let language = match request.lang.as_deref() {
        Some(code) => Language::from_code(Some(code)),
        None => header_language,
    };
    let texts = Responses::get(language);
    if request.text.len() > MAX_TEXT_BYTES {
        return error(StatusCode::PAYLOAD_TOO_LARGE, &texts.web.api_too_large);
    }
    let report = web.classify(&request.text, "api");
    let answer = CheckResponse {
        report: ReportJson::new(request.id, &report),
        advice: next_steps(&report, texts),
    };
    Json(answer).into_response()
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}
