//! Screenshots: download the largest size of a photo (or an image document) and read it with
//! Tesseract; the handlers check the text. The image is never stored; the reply shows what was
//! read.

use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::FileMeta;

use super::state::BatchItem;
use crate::ocr::{Ocr, OcrError};
use crate::render::{Inline, Paragraph};
use crate::render::{Reply, text_doc};
use crate::responses::Responses;

/// Refused before downloading: Telegram tells the size.
const MAX_BYTES: u32 = crate::ocr::MAX_BYTES as u32;

/// The largest photo size, or a document the client labels as an image. The label only
/// decides that it is downloaded: the format is then told by its magic bytes, and anything
/// whose size cannot be read from its header is refused (see [`crate::ocr::dimensions`]).
pub fn image_of(msg: &Message) -> Option<&FileMeta> {
    if let Some(sizes) = msg.photo() {
        return sizes
            .iter()
            .max_by_key(|p| p.width * p.height)
            .map(|p| &p.file);
    }
    let doc = msg.document()?;
    let is_image = doc.mime_type.as_ref().is_some_and(|m| m.type_() == "image");
    is_image.then_some(&doc.file)
}

/// What was read from the image, plus the caption.
pub enum Read {
    Text(String),
    /// A reply that explains why there is no text (OCR off, too large, unreadable).
    Explain(Reply),
}

pub async fn read(
    bot: &Bot,
    ocr: &Ocr,
    file: &FileMeta,
    caption: Option<&str>,
    texts: &Responses,
) -> Read {
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    let outcome = if file.size > MAX_BYTES {
        Err(OcrError::TooLarge)
    } else {
        download_and_read(bot, ocr, file).await
    };
    let read = match outcome {
        Ok(text) => Some(text),
        Err(e) => {
            // The error names a kind (timeout, size, exit status), never the image's text.
            tracing::warn!(error = %e, "screenshot not read");
            if caption.is_none() {
                let why = match e {
                    OcrError::TooLarge | OcrError::TooManyPixels => &texts.bot.ocr_too_large,
                    OcrError::UnknownFormat => &texts.bot.ocr_unsupported_format,
                    _ => &texts.bot.ocr_failed,
                };
                return Read::Explain(Reply::text(text_doc(why)));
            }
            None
        }
    };
    let all: Vec<&str> = caption
        .into_iter()
        .chain(read.as_deref().map(str::trim))
        .filter(|t| !t.is_empty())
        .collect();
    if all.is_empty() {
        return Read::Explain(Reply::text(text_doc(&texts.bot.ocr_failed)));
    }
    Read::Text(all.join("\n\n"))
}

/// The messages of a batch, with their images read.
pub struct BatchRead {
    /// Every text and read image, in message order: what is checked.
    pub text: String,
    /// What was read from the images (with their captions), for the quote.
    pub from_images: String,
    /// Why an image could not be read, when nothing at all could be.
    pub explain: Option<Reply>,
}

impl BatchRead {
    /// A batch with no image to read (or OCR off): the texts and captions only.
    pub fn without_images(items: &[BatchItem]) -> BatchRead {
        BatchRead {
            text: join(items.iter().map(|i| i.text.trim())),
            from_images: String::new(),
            explain: None,
        }
    }
}

/// Reads the images of a batch at once (the OCR's own limit queues them) and puts the
/// texts together in message order.
pub async fn read_batch(bot: &Bot, ocr: &Ocr, items: &[BatchItem], texts: &Responses) -> BatchRead {
    let reads = futures_util::future::join_all(items.iter().map(|item| async move {
        match &item.image {
            Some(file) => Some(read(bot, ocr, file, Some(&item.text), texts).await),
            None => None,
        }
    }))
    .await;
    let mut parts = Vec::new();
    let mut from_images = Vec::new();
    let mut explain = None;
    for (item, read) in items.iter().zip(reads) {
        match read {
            None => parts.push(item.text.trim().to_string()),
            Some(Read::Text(text)) => {
                parts.push(text.clone());
                from_images.push(text);
            }
            Some(Read::Explain(reply)) => {
                explain.get_or_insert(reply);
            }
        }
    }
    BatchRead {
        text: join(parts.iter().map(String::as_str)),
        from_images: join(from_images.iter().map(String::as_str)),
        explain,
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Takes an OCR slot first and holds it through the download and the reading, so that at most
/// `concurrency` images are in memory at once (not every image of a batch).
async fn download_and_read(bot: &Bot, ocr: &Ocr, file: &FileMeta) -> Result<String, OcrError> {
    let permit = ocr.permit().await?;
    let io = |e: &dyn std::fmt::Display| OcrError::Io(format!("download: {e}"));
    let download = async {
        let info = bot.get_file(file.id.clone()).await.map_err(|e| io(&e))?;
        let mut bytes: Vec<u8> = Vec::with_capacity(info.size.min(MAX_BYTES) as usize);
        bot.download_file(&info.path, &mut bytes)
            .await
            .map_err(|e| io(&e))?;
        Ok::<_, OcrError>(bytes)
    };
    // A stalled download does not keep the slot longer than a run may take.
    let bytes = tokio::time::timeout(ocr.timeout(), download)
        .await
        .map_err(|_| OcrError::Timeout)??;
    ocr.read_with(&permit, bytes).await
}

/// Show the user what OCR read, so a misread is visible (private chats only).
pub fn quote_read_text(reply: &mut Reply, read_text: &str, texts: &Responses) {
    let mut quote = Paragraph {
        lines: Vec::new(),
        quote: true,
    };
    quote = quote.line(vec![Inline::Bold(texts.bot.ocr_read_header.clone())]);
    for line in read_text.lines().filter(|l| !l.trim().is_empty()).take(60) {
        quote = quote.line(vec![Inline::Text(line.to_string())]);
    }
    reply.doc.push(quote);
}
