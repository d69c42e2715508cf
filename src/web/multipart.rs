//! Just enough of `multipart/form-data` (RFC 7578) for the check form: named parts, and
//! whether a part is a file. The body was read whole within a size limit before.

use axum::body::Bytes;

/// One field of the form.
#[derive(Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    /// Sent as a file (the part has a `filename`).
    pub file: bool,
    pub data: Bytes,
}

/// The boundary of a `Content-Type: multipart/form-data; boundary=…` header.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// The parts of `body`; `None` when it is not well-formed.
pub fn parse(body: &Bytes, boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut at = find(body, delimiter, 0)? + delimiter.len();
    loop {
        // After a delimiter: "--" ends the body, CRLF starts a part.
        if body[at..].starts_with(b"--") {
            return Some(parts);
        }
        at += crlf_at(body, at)?;
        let headers_end = find(body, b"\r\n\r\n", at)?;
        let headers = std::str::from_utf8(&body[at..headers_end]).ok()?;
        let content_start = headers_end + 4;
        let mut closing = Vec::with_capacity(delimiter.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delimiter);
        let content_end = find(body, &closing, content_start)?;
        if let Some((name, file)) = disposition(headers) {
            parts.push(Part {
                name,
                file,
                data: body.slice(content_start..content_end),
            });
        }
        at = content_end + closing.len();
    }
}

fn crlf_at(body: &[u8], at: usize) -> Option<usize> {
    body[at..].starts_with(b"\r\n").then_some(2)
}

/// The field name of a part, and whether it is a file, from its `Content-Disposition`.
fn disposition(headers: &str) -> Option<(String, bool)> {
    let line = headers.split("\r\n").find(|l| {
        l.split(':')
            .next()
            .is_some_and(|h| h.trim().eq_ignore_ascii_case("content-disposition"))
    })?;
    let (_, value) = line.split_once(':')?;
    let mut name = None;
    let mut file = false;
    for param in value.split(';').skip(1) {
        let Some((key, v)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v.trim().trim_matches('"').to_string()),
            "filename" => file = true,
            _ => {}
        }
    }
    Some((name?, file))
}

/// The first position of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        let offset = haystack[i..].iter().position(|&b| b == first)?;
        i += offset;
        if haystack[i..].starts_with(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_file_parts() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\xe4\xbd\xa0\xe5\xa5\xbd\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--X\r\n--XyZ--\r\n",
        );
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parse(&body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "text");
        assert!(!parts[0].file);
        assert_eq!(&parts[0].data[..], "你好".as_bytes());
        assert_eq!(parts[1].name, "image");
        assert!(parts[1].file);
        assert_eq!(&parts[1].data[..], b"\x89PNG\r\n--X");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(
            boundary("multipart/form-data; boundary=\"q\"").as_deref(),
            Some("q")
        );
        let body =
            Bytes::from_static(b"--q\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nno end");
        assert_eq!(parse(&body, "q"), None);
        assert_eq!(parse(&Bytes::from_static(b"nothing"), "q"), None);
    }
}
