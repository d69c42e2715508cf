//! The handlers of the HTML pages: the check form and its result, the fixed texts, the plan.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::limits::{self, BodyError, MAX_FORM_BYTES, MAX_MULTIPART_BYTES, MAX_TEXT_BYTES};
use super::{LangQuery, Web, language, multipart, pages, peer, retry_after};
use crate::ocr::OcrError;
use crate::planner::dialogue;
use crate::render::text_doc;
use crate::responses::{Language, Responses, fill};

/// An HTML error page with `status`.
fn error_page(status: StatusCode, language: Language, message: &str) -> Response {
    let texts = Responses::get(language);
    (status, Html(pages::error(texts, language, message))).into_response()
}

/// 413: the text (or the whole form) is over the limit.
fn too_large(language: Language) -> Response {
    let w = &Responses::get(language).web;
    error_page(StatusCode::PAYLOAD_TOO_LARGE, language, &w.too_large)
}

fn body_error(e: BodyError, language: Language) -> Response {
    let w = &Responses::get(language).web;
    match e {
        BodyError::TooLarge => too_large(language),
        BodyError::Timeout => error_page(StatusCode::REQUEST_TIMEOUT, language, &w.timeout),
    }
}

fn rate_limited(seconds: u64, language: Language) -> Response {
    let w = &Responses::get(language).web;
    let message = fill(&w.rate_limited, &[("seconds", &seconds.to_string())]);
    let mut response = error_page(StatusCode::TOO_MANY_REQUESTS, language, &message);
    let (name, value) = retry_after(seconds);
    response.headers_mut().insert(name, value);
    response
}

/// `GET /`.
pub async fn index(
    State(web): State<Arc<Web>>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Html<String> {
    let language = language(&query, &headers);
    Html(pages::index(
        Responses::get(language),
        language,
        web.ocr().is_some(),
    ))
}

/// `GET /verify`: the bot's /verify checklist.
pub async fn verify(Query(query): Query<LangQuery>, headers: HeaderMap) -> Html<String> {
    let language = language(&query, &headers);
    let texts = Responses::get(language);
    Html(pages::text_page(
        texts,
        language,
        &texts.web.nav_verify,
        &texts.bot.verify_checklist,
    ))
}

/// `GET /legal`: the bot's /legal text.
pub async fn legal(Query(query): Query<LangQuery>, headers: HeaderMap) -> Html<String> {
    let language = language(&query, &headers);
    let texts = Responses::get(language);
    Html(pages::text_page(
        texts,
        language,
        &texts.web.nav_legal,
        &texts.bot.legal,
    ))
}

/// The fields of the check form.
#[derive(Default)]
struct CheckForm {
    text: String,
    image: Option<Bytes>,
}

/// Reads the form, urlencoded or multipart; `None` when it is neither or malformed.
async fn read_check_form(headers: &HeaderMap, body: Body) -> Result<Option<CheckForm>, BodyError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(boundary) = multipart::boundary(content_type) {
        let bytes = limits::read_body(body, MAX_MULTIPART_BYTES).await?;
        let Some(parts) = multipart::parse(&bytes, &boundary) else {
            return Ok(None);
        };
        let mut form = CheckForm::default();
        for part in parts {
            match part.name.as_str() {
                "text" if !part.file => match String::from_utf8(part.data.to_vec()) {
                    Ok(text) => form.text = text,
                    Err(_) => return Ok(None),
                },
                "image" if part.file && !part.data.is_empty() => form.image = Some(part.data),
                _ => {}
            }
        }
        return Ok(Some(form));
    }
    let bytes = limits::read_body(body, MAX_FORM_BYTES).await?;
    let mut form = CheckForm::default();
    for (key, value) in url::form_urlencoded::parse(&bytes) {
        if key == "text" {
            form.text = value.into_owned();
        }
    }
    Ok(Some(form))
}

/// `GET /check` (a result page reloaded or bookmarked): back to the form, since nothing
/// submitted is kept.
pub async fn check_again(Query(query): Query<LangQuery>, headers: HeaderMap) -> Redirect {
    let language = language(&query, &headers);
    Redirect::to(&format!("/?lang={}", pages::code(language)))
}

/// `POST /check`: the result page.
pub async fn check(
    State(web): State<Arc<Web>>,
    Query(query): Query<LangQuery>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let language = language(&query, &headers);
    let texts = Responses::get(language);
    if let Err(seconds) = web.allow(&headers, peer(connect)) {
        return rate_limited(seconds, language);
    }
    let form = match read_check_form(&headers, body).await {
        Err(e) => return body_error(e, language),
        Ok(None) => return error_page(StatusCode::BAD_REQUEST, language, &texts.web.bad_request),
        Ok(Some(form)) => form,
    };
    if form.text.len() > MAX_TEXT_BYTES {
        return too_large(language);
    }
    let typed = form.text.trim();
    let mut notes = Vec::new();
    let mut from_image = None;
    if let Some(image) = form.image {
        match read_image(&web, image, texts).await {
            Ok(text) => from_image = Some(text),
            Err(why) => notes.push(why),
        }
    }
    let text = [Some(typed), from_image.as_deref().map(str::trim)]
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    if text.is_empty() {
        let message = notes.pop().unwrap_or_else(|| texts.web.empty.clone());
        return error_page(StatusCode::UNPROCESSABLE_ENTITY, language, &message);
    }
    let report = web.classify(&text, "web");
    let outcome = pages::Outcome {
        report: &report,
        typed,
        notes,
        from_image: from_image.as_deref(),
    };
    Html(pages::result(
        texts,
        language,
        &outcome,
        web.ocr().is_some(),
    ))
    .into_response()
}

/// The text of a screenshot, or why there is none (in the page's language).
async fn read_image(web: &Web, image: Bytes, texts: &Responses) -> Result<String, String> {
    let Some(ocr) = web.ocr() else {
        return Err(texts.web.ocr_off.clone());
    };
    match ocr.read(image.to_vec()).await {
        Ok(text) if !text.trim().is_empty() => Ok(text),
        Ok(_) => Err(texts.bot.ocr_failed.clone()),
        Err(e) => {
            // The error names a kind (timeout, size, exit status), never the image's text.
            tracing::info!(error = %e, "screenshot not read");
            Err(match e {
                OcrError::TooLarge | OcrError::TooManyPixels => texts.bot.ocr_too_large.clone(),
                OcrError::UnknownFormat => texts.bot.ocr_unsupported_format.clone(),
                _ => texts.bot.ocr_failed.clone(),
            })
        }
    }
}

/// `GET /plan`: the one-line form.
pub async fn plan_page(Query(query): Query<LangQuery>, headers: HeaderMap) -> Html<String> {
    let language = language(&query, &headers);
    Html(pages::plan(Responses::get(language), language, "", None))
}

/// `POST /plan` with `q`: the plan for the one-line form, or what could not be read.
pub async fn plan(
    State(web): State<Arc<Web>>,
    Query(query): Query<LangQuery>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let language = language(&query, &headers);
    let texts = Responses::get(language);
    if let Err(seconds) = web.allow(&headers, peer(connect)) {
        return rate_limited(seconds, language);
    }
    let bytes = match limits::read_body(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(e) => return body_error(e, language),
    };
    let line = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if line.len() > MAX_TEXT_BYTES {
        return too_large(language);
    }
    let transition = dialogue::one_line(&line, &texts.planner);
    // The bot's usage lines name the command (`/plan 收入8000 …`); the page has its own example.
    let usage = text_doc(&texts.planner.one_line.usage).paragraphs;
    let docs: Vec<_> = transition
        .replies
        .into_iter()
        .map(|r| {
            let mut doc = r.doc;
            doc.paragraphs.retain(|p| !usage.contains(p));
            doc
        })
        .collect();
    Html(pages::plan(texts, language, line.trim(), Some(&docs))).into_response()
}
