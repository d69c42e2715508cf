//! A tiny document model for replies, rendered as Telegram HTML, as plain text, or as HTML for
//! a web page.
//!
//! Replies are built from paragraphs of lines of inline pieces. Text is escaped when it is
//! rendered as HTML, never before, so no caller can forget it and nothing is escaped twice.

/// A piece of a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Bold(String),
    Italic(String),
    Code(String),
    /// A link; the URL is escaped as an attribute.
    Link {
        text: String,
        url: String,
    },
}

/// A run of lines, separated from the next paragraph by an empty line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paragraph {
    pub lines: Vec<Vec<Inline>>,
    /// Rendered as an expandable block quote in HTML (Bot API 7.4+).
    pub quote: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub paragraphs: Vec<Paragraph>,
}

/// Telegram's limit for one message, counted in UTF-16 code units after entity parsing.
pub const TELEGRAM_LIMIT: usize = 4096;

impl Paragraph {
    pub fn line(mut self, pieces: Vec<Inline>) -> Self {
        self.lines.push(pieces);
        self
    }

    pub fn text(self, s: impl Into<String>) -> Self {
        self.line(vec![Inline::Text(s.into())])
    }

    pub fn bold(self, s: impl Into<String>) -> Self {
        self.line(vec![Inline::Bold(s.into())])
    }
}

impl Doc {
    pub fn push(&mut self, p: Paragraph) {
        if !p.lines.is_empty() {
            self.paragraphs.push(p);
        }
    }

    pub fn to_html(&self) -> String {
        self.paragraphs
            .iter()
            .map(paragraph_html)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    pub fn to_plain(&self) -> String {
        self.paragraphs
            .iter()
            .map(paragraph_plain)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// HTML for a web page: a `<p>` per paragraph (a `<blockquote>` for a quote), lines
    /// separated by `<br>`. Every value is escaped, quotes included; a link that is not
    /// `http(s)` is shown as text.
    pub fn to_web_html(&self) -> String {
        let mut out = String::new();
        for p in &self.paragraphs {
            let (open, close) = if p.quote {
                ("<blockquote>", "</blockquote>\n")
            } else {
                ("<p>", "</p>\n")
            };
            out.push_str(open);
            let lines: Vec<String> = p.lines.iter().map(|l| line_web(l)).collect();
            out.push_str(&lines.join("<br>\n"));
            out.push_str(close);
        }
        out
    }

    /// Splits into HTML messages that each fit Telegram's limit, at paragraph boundaries, then
    /// at line boundaries, then (for one enormous line) at character boundaries.
    pub fn to_html_parts(&self, limit: usize) -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut current_visible = 0;
        for p in &self.paragraphs {
            for (html, visible) in paragraph_chunks(p, limit) {
                let sep = if current.is_empty() { 0 } else { 2 };
                if current_visible + sep + visible > limit && !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                    current_visible = 0;
                }
                if !current.is_empty() {
                    current.push_str("\n\n");
                    current_visible += 2;
                }
                current.push_str(&html);
                current_visible += visible;
            }
        }
        if !current.is_empty() {
            parts.push(current);
        }
        parts
    }
}

/// UTF-16 length, as Telegram counts.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// A paragraph as one or more HTML chunks, each with its visible length within `limit`.
fn paragraph_chunks(p: &Paragraph, limit: usize) -> Vec<(String, usize)> {
    let whole = paragraph_plain(p);
    if utf16_len(&whole) <= limit {
        return vec![(paragraph_html(p), utf16_len(&whole))];
    }
    // Too long: emit line by line, cutting a single huge line into pieces of plain text.
    let mut chunks = Vec::new();
    for line in &p.lines {
        let plain = line_plain(line);
        if utf16_len(&plain) <= limit {
            let sub = Paragraph {
                lines: vec![line.clone()],
                quote: p.quote,
            };
            chunks.push((paragraph_html(&sub), utf16_len(&plain)));
            continue;
        }
        let mut piece = String::new();
        for c in plain.chars() {
            if utf16_len(&piece) + c.len_utf16() > limit {
                chunks.push((escape(&piece), utf16_len(&piece)));
                piece.clear();
            }
            piece.push(c);
        }
        if !piece.is_empty() {
            chunks.push((escape(&piece), utf16_len(&piece)));
        }
    }
    chunks
}

fn paragraph_html(p: &Paragraph) -> String {
    let body = p
        .lines
        .iter()
        .map(|l| line_html(l))
        .collect::<Vec<_>>()
        .join("\n");
    if p.quote {
        format!("<blockquote expandable>{body}</blockquote>")
    } else {
        body
    }
}

fn paragraph_plain(p: &Paragraph) -> String {
    p.lines
        .iter()
        .map(|l| line_plain(l))
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_html(line: &[Inline]) -> String {
    let mut out = String::new();
    for piece in line {
        match piece {
            Inline::Text(s) => out.push_str(&escape(s)),
            Inline::Bold(s) => {
                out.push_str("<b>");
                out.push_str(&escape(s));
                out.push_str("</b>");
            }
            Inline::Italic(s) => {
                out.push_str("<i>");
                out.push_str(&escape(s));
                out.push_str("</i>");
            }
            Inline::Code(s) => {
                out.push_str("<code>");
                out.push_str(&escape(s));
                out.push_str("</code>");
            }
            Inline::Link { text, url } => {
                out.push_str("<a href=\"");
                out.push_str(&escape_attr(url));
                out.push_str("\">");
                out.push_str(&escape(text));
                out.push_str("</a>");
            }
        }
    }
    out
}

fn line_web(line: &[Inline]) -> String {
    let mut out = String::new();
    for piece in line {
        let (open, text, close) = match piece {
            Inline::Text(s) => ("", s, ""),
            Inline::Bold(s) => ("<strong>", s, "</strong>"),
            Inline::Italic(s) => ("<em>", s, "</em>"),
            Inline::Code(s) => ("<code>", s, "</code>"),
            Inline::Link { text, url } => {
                if url.starts_with("https://") || url.starts_with("http://") {
                    out.push_str("<a href=\"");
                    out.push_str(&escape_web(url));
                    out.push_str("\" rel=\"noopener noreferrer\">");
                    out.push_str(&escape_web(text));
                    out.push_str("</a>");
                    continue;
                }
                ("", text, "")
            }
        };
        out.push_str(open);
        out.push_str(&escape_web(text));
        out.push_str(close);
    }
    out
}

fn line_plain(line: &[Inline]) -> String {
    let mut out = String::new();
    for piece in line {
        match piece {
            Inline::Text(s) | Inline::Bold(s) | Inline::Italic(s) | Inline::Code(s) => {
                out.push_str(s)
            }
            Inline::Link { text, url } => {
                out.push_str(text);
                if text != url {
                    out.push_str(" (");
                    out.push_str(url);
                    out.push(')');
                }
            }
        }
    }
    out
}

/// Escapes text for Telegram HTML: `&`, `<` and `>`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

fn escape_attr(s: &str) -> String {
    escape(s).replace('"', "&quot;")
}

/// Escapes text for a web page, in an element or an attribute: `&`, `<`, `>`, `"` and `'`.
pub fn escape_web(s: &str) -> String {
    escape_attr(s).replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Doc {
        let mut d = Doc::default();
        d.push(Paragraph::default().line(vec![
            Inline::Bold("</b><script>".into()),
            Inline::Text(" & <i>".into()),
            Inline::Link {
                text: "<x>".into(),
                url: "https://a.b/?q=\"&x".into(),
            },
        ]));
        d
    }

    #[test]
    fn html_escapes_every_value() {
        let html = hostile().to_html();
        assert_eq!(
            html,
            "<b>&lt;/b&gt;&lt;script&gt;</b> &amp; &lt;i&gt;<a href=\"https://a.b/?q=&quot;&amp;x\">&lt;x&gt;</a>"
        );
    }

    #[test]
    fn web_html_escapes_every_value_and_drops_other_schemes() {
        let mut d = hostile();
        d.push(Paragraph {
            lines: vec![
                vec![Inline::Link {
                    text: "x".into(),
                    url: "javascript:alert(1)".into(),
                }],
                vec![Inline::Italic("'\"".into())],
            ],
            quote: true,
        });
        assert_eq!(
            d.to_web_html(),
            "<p><strong>&lt;/b&gt;&lt;script&gt;</strong> &amp; &lt;i&gt;<a href=\"https://a.b/?q=&quot;&amp;x\" rel=\"noopener noreferrer\">&lt;x&gt;</a></p>\n<blockquote>x<br>\n<em>&#39;&quot;</em></blockquote>\n"
        );
    }

    #[test]
    fn plain_text_has_no_markup() {
        assert_eq!(
            hostile().to_plain(),
            "</b><script> & <i><x> (https://a.b/?q=\"&x)"
        );
    }

    #[test]
    fn long_docs_split_at_paragraphs_within_the_limit() {
        let mut d = Doc::default();
        for i in 0..50 {
            d.push(Paragraph::default().text(format!("{i}: {}", "很长的段落".repeat(30))));
        }
        let parts = d.to_html_parts(TELEGRAM_LIMIT);
        assert!(parts.len() > 1);
        for p in &parts {
            assert!(utf16_len(p) <= TELEGRAM_LIMIT);
        }
        // Nothing is lost or reordered.
        assert_eq!(parts.join("\n\n"), d.to_html());
    }

    #[test]
    fn one_huge_line_is_cut() {
        let mut d = Doc::default();
        d.push(Paragraph::default().text("😀".repeat(5000)));
        let parts = d.to_html_parts(TELEGRAM_LIMIT);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| utf16_len(p) <= TELEGRAM_LIMIT));
    }
}
