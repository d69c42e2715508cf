//! Image dimensions read cheaply from the header (PNG IHDR, JPEG SOF), without decoding.

/// Width and height of a PNG or JPEG image, from its header. `None` for other formats or a
/// header that cannot be read (Tesseract then gets to try).
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    png_dimensions(bytes).or_else(|| jpeg_dimensions(bytes))
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be16(b: &[u8]) -> u32 {
    u32::from(u16::from_be_bytes([b[0], b[1]]))
}

fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    Some((be32(&bytes[16..20]), be32(&bytes[20..24])))
}

fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 1 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        i += 2;
        match marker {
            // Fill bytes.
            0xFF => i -= 1,
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {}
            // End of image, or start of scan before any frame header.
            0xD9 | 0xDA => return None,
            _ => {
                let len = be16(bytes.get(i..i + 2)?) as usize;
                if len < 2 {
                    return None;
                }
                let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_sof {
                    let seg = bytes.get(i + 2..i + 7)?;
                    return Some((be16(&seg[3..5]), be16(&seg[1..3])));
                }
                i += len;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&720u32.to_be_bytes());
        png.extend_from_slice(&1280u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        assert_eq!(dimensions(&png), Some((720, 1280)));
    }

    #[test]
    fn jpeg_header_after_app_segments() {
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpg.extend_from_slice(&[0; 14]);
        jpg.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0, 0]);
        // SOF2 (progressive): length, precision, height 1280, width 720.
        jpg.extend_from_slice(&[0xFF, 0xC2, 0x00, 0x11, 8, 0x05, 0x00, 0x02, 0xD0, 3]);
        assert_eq!(dimensions(&jpg), Some((720, 1280)));
    }

    #[test]
    fn unknown_or_truncated() {
        assert_eq!(dimensions(b"GIF89a...."), None);
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00]), None);
        assert_eq!(dimensions(b""), None);
    }
}
