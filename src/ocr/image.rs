//! Image dimensions read cheaply from the header, without decoding: PNG (IHDR), JPEG (SOF),
//! GIF (screen and every frame), BMP, WebP (VP8, VP8L, VP8X) and TIFF (every IFD, both byte
//! orders). The format is told by its magic bytes, never by the sender's MIME label.
//!
//! Only these formats are read: for anything else, or a header that cannot be read or gives a
//! zero size, [`dimensions`] answers `None` and the image is refused before Tesseract (and
//! Leptonica's decoders) see it.

/// Width and height of an image from its header (for GIF and multi-page TIFF the largest
/// width and height of any frame or page). `None` for other formats, a truncated or
/// inconsistent header, or a zero width or height.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let (w, h) = png_dimensions(bytes)
        .or_else(|| jpeg_dimensions(bytes))
        .or_else(|| gif_dimensions(bytes))
        .or_else(|| bmp_dimensions(bytes))
        .or_else(|| webp_dimensions(bytes))
        .or_else(|| tiff_dimensions(bytes))?;
    (w > 0 && h > 0).then_some((w, h))
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be16(b: &[u8]) -> u32 {
    u32::from(u16::from_be_bytes([b[0], b[1]]))
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le16(b: &[u8]) -> u32 {
    u32::from(u16::from_le_bytes([b[0], b[1]]))
}

fn le24(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], 0])
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

/// GIF: the logical screen and every image descriptor (a frame may be larger than the
/// screen); the largest width and height. The blocks must be well formed up to the trailer
/// (or the end of the data).
fn gif_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if !(bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) {
        return None;
    }
    let screen = bytes.get(6..13)?;
    let (mut w, mut h) = (le16(&screen[0..2]), le16(&screen[2..4]));
    let colour_table = |flags: u8| {
        if flags & 0x80 != 0 {
            3 << ((flags & 0x07) + 1)
        } else {
            0
        }
    };
    // Data sub-blocks: a length byte and that many bytes, until a zero length.
    let skip_sub_blocks = |mut i: usize| -> Option<usize> {
        loop {
            let len = *bytes.get(i)? as usize;
            i += 1;
            if len == 0 {
                return Some(i);
            }
            i += len;
        }
    };
    let mut i = 13 + colour_table(screen[4]);
    loop {
        match bytes.get(i) {
            // Trailer, or data that ends after a whole block.
            Some(0x3B) | None => break,
            // Extension: label, then sub-blocks.
            Some(0x21) => i = skip_sub_blocks(i + 2)?,
            // Image descriptor: left, top, width, height, flags; then the LZW code size and
            // the image data.
            Some(0x2C) => {
                let d = bytes.get(i + 1..i + 10)?;
                w = w.max(le16(&d[4..6]));
                h = h.max(le16(&d[6..8]));
                i = skip_sub_blocks(i + 10 + colour_table(d[8]) + 1)?;
            }
            Some(_) => return None,
        }
    }
    Some((w, h))
}

/// BMP: the OS/2 core header (16-bit sizes) or a Windows info header (32-bit, a negative
/// height means top-down rows).
fn bmp_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(b"BM") {
        return None;
    }
    let header = le32(bytes.get(14..18)?);
    if header == 12 {
        let d = bytes.get(18..22)?;
        return Some((le16(&d[0..2]), le16(&d[2..4])));
    }
    if header < 40 {
        return None;
    }
    let d = bytes.get(18..26)?;
    let w = le32(&d[0..4]) as i32;
    let h = le32(&d[4..8]) as i32;
    Some((w.unsigned_abs(), h.unsigned_abs()))
}

/// WebP: lossy (`VP8 ` key frame header), lossless (`VP8L`) or extended (`VP8X` canvas, which
/// bounds every frame).
fn webp_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 16 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let chunk = bytes.get(20..)?;
    match &bytes[12..16] {
        b"VP8 " => {
            let d = chunk.get(..10)?;
            if d[3..6] != [0x9D, 0x01, 0x2A] {
                return None;
            }
            Some((le16(&d[6..8]) & 0x3FFF, le16(&d[8..10]) & 0x3FFF))
        }
        b"VP8L" => {
            let d = chunk.get(..5)?;
            if d[0] != 0x2F {
                return None;
            }
            let bits = le32(&d[1..5]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            let d = chunk.get(..10)?;
            Some((le24(&d[4..7]) + 1, le24(&d[7..10]) + 1))
        }
        _ => None,
    }
}

/// The most TIFF pages read; a file with more is refused (Tesseract would read them all).
const MAX_TIFF_PAGES: usize = 64;

/// TIFF (not BigTIFF), either byte order: ImageWidth (256) and ImageLength (257) of every
/// IFD; the largest width and height. Every page must give both.
fn tiff_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let little = match bytes.get(..4)? {
        b"II\x2A\0" => true,
        b"MM\0\x2A" => false,
        _ => return None,
    };
    let u16_at = |i: usize| -> Option<u32> {
        let b = bytes.get(i..i + 2)?;
        Some(if little { le16(b) } else { be16(b) })
    };
    let u32_at = |i: usize| -> Option<u32> {
        let b = bytes.get(i..i + 4)?;
        Some(if little { le32(b) } else { be32(b) })
    };
    let (mut w, mut h) = (0, 0);
    let mut ifd = u32_at(4)? as usize;
    for _ in 0..MAX_TIFF_PAGES {
        if ifd >= bytes.len() {
            return None;
        }
        let entries = u16_at(ifd)? as usize;
        let (mut page_w, mut page_h) = (None, None);
        for e in 0..entries {
            let at = ifd + 2 + 12 * e;
            let tag = u16_at(at)?;
            if tag != 256 && tag != 257 {
                continue;
            }
            // SHORT (3) or LONG (4), one value, stored in the entry itself.
            let value = match (u16_at(at + 2)?, u32_at(at + 4)?) {
                (3, 1) => u16_at(at + 8)?,
                (4, 1) => u32_at(at + 8)?,
                _ => return None,
            };
            if tag == 256 {
                page_w = Some(value);
            } else {
                page_h = Some(value);
            }
        }
        w = w.max(page_w?);
        h = h.max(page_h?);
        let next = u32_at(ifd + 2 + 12 * entries)? as usize;
        if next == 0 {
            return Some((w, h));
        }
        ifd = next;
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
    fn unknown_truncated_or_empty() {
        assert_eq!(dimensions(b"GIF89a...."), None);
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00]), None);
        assert_eq!(dimensions(b""), None);
        assert_eq!(dimensions(b"%PDF-1.4 not an image"), None);
        // A zero width is no size at all.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(&1280u32.to_be_bytes());
        assert_eq!(dimensions(&png), None);
    }

    fn gif(screen: (u16, u16), frame: (u16, u16)) -> Vec<u8> {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&screen.0.to_le_bytes());
        g.extend_from_slice(&screen.1.to_le_bytes());
        // A global colour table of 2 entries, background, aspect.
        g.extend_from_slice(&[0x80, 0, 0]);
        g.extend_from_slice(&[0; 6]);
        // A graphic control extension.
        g.extend_from_slice(&[0x21, 0xF9, 4, 0, 0, 0, 0, 0]);
        g.push(0x2C);
        g.extend_from_slice(&[0, 0, 0, 0]);
        g.extend_from_slice(&frame.0.to_le_bytes());
        g.extend_from_slice(&frame.1.to_le_bytes());
        g.extend_from_slice(&[0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
        g
    }

    #[test]
    fn gif_screen_and_frames() {
        assert_eq!(
            dimensions(&gif((720, 1280), (720, 1280))),
            Some((720, 1280))
        );
        // A frame larger than its screen counts.
        assert_eq!(
            dimensions(&gif((10, 10), (60000, 60000))),
            Some((60000, 60000))
        );
        // A broken block structure is refused.
        let mut broken = gif((10, 10), (10, 10));
        let n = broken.len();
        broken[n - 1] = 0x99;
        assert_eq!(dimensions(&broken), None);
    }

    #[test]
    fn bmp_headers() {
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&720i32.to_le_bytes());
        bmp.extend_from_slice(&(-1280i32).to_le_bytes());
        assert_eq!(dimensions(&bmp), Some((720, 1280)));
        let mut core = b"BM".to_vec();
        core.extend_from_slice(&[0; 12]);
        core.extend_from_slice(&12u32.to_le_bytes());
        core.extend_from_slice(&30000u16.to_le_bytes());
        core.extend_from_slice(&30000u16.to_le_bytes());
        assert_eq!(dimensions(&core), Some((30000, 30000)));
    }

    fn riff(chunk: &[u8], data: &[u8]) -> Vec<u8> {
        let mut r = b"RIFF\0\0\0\0WEBP".to_vec();
        r.extend_from_slice(chunk);
        r.extend_from_slice(&(data.len() as u32).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    #[test]
    fn webp_lossy_lossless_and_extended() {
        let mut vp8 = vec![0, 0, 0, 0x9D, 0x01, 0x2A];
        vp8.extend_from_slice(&720u16.to_le_bytes());
        vp8.extend_from_slice(&1280u16.to_le_bytes());
        assert_eq!(dimensions(&riff(b"VP8 ", &vp8)), Some((720, 1280)));
        let bits: u32 = 719 | (1279 << 14);
        let mut vp8l = vec![0x2F];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        assert_eq!(dimensions(&riff(b"VP8L", &vp8l)), Some((720, 1280)));
        let mut vp8x = vec![0x10, 0, 0, 0];
        vp8x.extend_from_slice(&(29999u32.to_le_bytes()[..3]));
        vp8x.extend_from_slice(&(29999u32.to_le_bytes()[..3]));
        assert_eq!(dimensions(&riff(b"VP8X", &vp8x)), Some((30000, 30000)));
        assert_eq!(dimensions(&riff(b"ALPH", &[0; 10])), None);
    }

    /// A TIFF with one IFD per page of (width, height), as SHORT or LONG values.
    fn tiff(little: bool, pages: &[(u32, u32)]) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut t = if little {
            b"II\x2A\0".to_vec()
        } else {
            b"MM\0\x2A".to_vec()
        };
        t.extend_from_slice(&u32b(8));
        for (n, &(w, h)) in pages.iter().enumerate() {
            t.extend_from_slice(&u16b(3));
            // NewSubfileType, ImageWidth (LONG), ImageLength (SHORT when it fits).
            t.extend_from_slice(&u16b(254));
            t.extend_from_slice(&u16b(4));
            t.extend_from_slice(&u32b(1));
            t.extend_from_slice(&u32b(0));
            t.extend_from_slice(&u16b(256));
            t.extend_from_slice(&u16b(4));
            t.extend_from_slice(&u32b(1));
            t.extend_from_slice(&u32b(w));
            t.extend_from_slice(&u16b(257));
            if let Ok(h) = u16::try_from(h) {
                t.extend_from_slice(&u16b(3));
                t.extend_from_slice(&u32b(1));
                t.extend_from_slice(&u16b(h));
                t.extend_from_slice(&[0, 0]);
            } else {
                t.extend_from_slice(&u16b(4));
                t.extend_from_slice(&u32b(1));
                t.extend_from_slice(&u32b(h));
            }
            let next = if n + 1 < pages.len() {
                t.len() as u32 + 4
            } else {
                0
            };
            t.extend_from_slice(&u32b(next));
        }
        t
    }

    #[test]
    fn tiff_both_byte_orders_and_every_page() {
        assert_eq!(dimensions(&tiff(true, &[(720, 1280)])), Some((720, 1280)));
        assert_eq!(dimensions(&tiff(false, &[(720, 1280)])), Some((720, 1280)));
        // A small first page does not hide a huge second one.
        assert_eq!(
            dimensions(&tiff(false, &[(10, 10), (30000, 30000)])),
            Some((30000, 30000))
        );
        // An IFD that points at itself is refused after MAX_TIFF_PAGES.
        let mut cycle = tiff(true, &[(10, 10)]);
        let n = cycle.len();
        cycle[n - 4..].copy_from_slice(&8u32.to_le_bytes());
        assert_eq!(dimensions(&cycle), None);
        // A page without its length is refused.
        let mut no_length = tiff(true, &[(10, 10)]);
        no_length[8..10].copy_from_slice(&2u16.to_le_bytes());
        assert_eq!(dimensions(&no_length), None);
    }

    proptest::proptest! {
        /// Any bytes, also after each format's magic: an answer, never a panic, and never a
        /// zero size.
        #[test]
        fn never_panics(magic in 0usize..9, rest in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let magics: [&[u8]; 9] = [
                b"", b"\x89PNG\r\n\x1a\n", b"\xFF\xD8", b"GIF89a", b"BM",
                b"RIFF\0\0\0\0WEBPVP8X", b"II\x2A\0", b"MM\0\x2A", b"RIFF\0\0\0\0WEBPVP8L",
            ];
            let mut bytes = magics[magic].to_vec();
            bytes.extend_from_slice(&rest);
            if let Some((w, h)) = dimensions(&bytes) {
                proptest::prop_assert!(w > 0 && h > 0);
            }
        }
    }
}
