//! A checker for Telegram's HTML parse mode: only the tags Telegram allows, properly nested,
//! and every `&`, `<`, `>` in text escaped.

const ALLOWED: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "a",
    "blockquote",
    "tg-spoiler",
    "span",
];

/// Returns a description of the first problem, or `None` when the text is valid.
pub fn check(html: &str) -> Option<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '>', '&']) {
        let c = rest[i..].chars().next()?;
        match c {
            '>' => {
                return Some(format!(
                    "unescaped '>' near {:?}",
                    &rest[i..rest.len().min(i + 20)]
                ));
            }
            '&' => {
                let ok = ["&lt;", "&gt;", "&amp;", "&quot;"]
                    .iter()
                    .any(|e| rest[i..].starts_with(e));
                if !ok {
                    return Some(format!(
                        "unescaped '&' near {:?}",
                        &rest[i..rest.len().min(i + 20)]
                    ));
                }
                rest = &rest[i + 1..];
            }
            _ => {
                let end = rest[i..].find('>').map(|e| i + e)?;
                let tag = &rest[i + 1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    match stack.pop() {
                        Some(open) if open == name => {}
                        other => {
                            return Some(format!("closing </{name}> does not match {other:?}"));
                        }
                    }
                } else {
                    let name = tag.split_whitespace().next().unwrap_or("");
                    if !ALLOWED.contains(&name) {
                        return Some(format!("tag <{name}> is not allowed"));
                    }
                    stack.push(name.to_string());
                }
                rest = &rest[end + 1..];
            }
        }
    }
    if stack.is_empty() {
        None
    } else {
        Some(format!("unclosed tags {stack:?}"))
    }
}
