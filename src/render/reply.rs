//! The transport-free reply: a document plus rows of buttons. The bot sends it as HTML with an
//! inline keyboard; `loanguard chat` prints it as plain text with numbered choices; the planner
//! builds its steps with it.

use super::{Doc, Paragraph};

#[derive(Debug, Clone, PartialEq)]
pub enum ButtonAction {
    Callback(String),
    Url(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub label: String,
    pub action: ButtonAction,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub doc: Doc,
    pub buttons: Vec<Vec<Button>>,
}

impl Reply {
    pub fn text(doc: Doc) -> Self {
        Self {
            doc,
            buttons: Vec::new(),
        }
    }
}

/// A multi-line text from responses/: lines starting with "# " become bold headings, and a
/// blank line or a heading starts a new paragraph.
pub fn text_doc(text: &str) -> Doc {
    let mut doc = Doc::default();
    let mut current = Paragraph::default();
    for line in text.trim().lines() {
        if let Some(heading) = line.strip_prefix("# ") {
            doc.push(std::mem::take(&mut current));
            current = Paragraph::default().bold(heading.trim());
        } else if line.trim().is_empty() {
            doc.push(std::mem::take(&mut current));
        } else {
            current = current.text(line.trim_end());
        }
    }
    doc.push(current);
    doc
}
