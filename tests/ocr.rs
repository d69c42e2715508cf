//! Screenshot OCR: rendered phone screenshots of corpus messages are read with Tesseract,
//! cleaned and classified; the verdict must match the original text's for ≥ 90% of them.
//! The limits (size, temporary file, timeout, concurrency) are tested with a fake
//! `tesseract` script and need neither Tesseract nor ImageMagick.
//!
//! Needs (Debian): tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng fonts-noto-cjk
//! imagemagick. Without them the rendering test prints why it is skipped.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use loanguard::classifier::Classifier;
use loanguard::ocr::{Ocr, OcrError, dimensions};
use unicode_normalization::UnicodeNormalization;

const FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// Outside CI a missing tool skips the rendering test; in CI (which installs them) it fails.
fn skip(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install the OCR tools: {why}"
    );
    support::report_skip(why);
}

/// A directory of its own for one test, removed when the test ends (pass or fail), unless
/// `LOANGUARD_OCR_KEEP` is set (to look at the rendered screenshots).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("LOANGUARD_OCR_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn scratch_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("loanguard-ocr-test-{}-{name}", std::process::id()))
}

fn scratch_dir(name: &str) -> Scratch {
    let dir = scratch_path(name);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// ImageMagick: `magick` (7) or /usr/bin/convert (6). /usr/local/bin/convert may be a stand-in.
fn imagemagick() -> Option<PathBuf> {
    let works = |p: &Path| {
        Command::new(p).arg("-version").output().is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("ImageMagick")
        })
    };
    ["magick", "/usr/bin/convert"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| works(p))
}

struct Sample {
    id: String,
    text: String,
}

/// A fixed, mixed selection: the first six messages of each label that fit a bubble
/// (≤ 120 characters, one line, no characters ImageMagick would interpret or the font lacks).
fn samples() -> Vec<Sample> {
    let mut out = Vec::new();
    for file in ["scam", "suspicious", "legit", "unrelated"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/corpus/{file}.jsonl"));
        let body = std::fs::read_to_string(path).unwrap();
        let fits = |t: &str| {
            let n = t.chars().count();
            (12..=120).contains(&n)
                && !t.starts_with('@')
                && t.chars().all(|c| {
                    !matches!(c, '%' | '\\' | '\n' | '\r')
                        && (c.is_ascii_graphic()
                            || c == ' '
                            || ('\u{2000}'..='\u{FFEF}').contains(&c))
                        && !('\u{2600}'..='\u{27BF}').contains(&c)
                })
        };
        let picked = body
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| {
                Some((
                    v["id"].as_str()?.to_string(),
                    v["text"].as_str()?.to_string(),
                ))
            })
            .filter(|(_, t)| fits(t))
            .take(6)
            .map(|(id, text)| Sample { id, text });
        out.extend(picked);
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    Light,
    Dark,
    LowRes,
    Jpeg,
}

const REPLY: &str = "这是真的吗？";

fn run(im: &Path, args: &[String]) {
    let out = Command::new(im).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "imagemagick failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Render a phone-like screenshot: status bar (time, 5G, battery), a header, the message in a
/// rounded incoming bubble wrapped to its width, and optionally a short reply bubble.
fn render(im: &Path, dir: &Path, n: usize, text: &str, variant: Variant, reply: bool) -> PathBuf {
    let dark = matches!(variant, Variant::Dark);
    let (bg, fg, bar, bubble, mine) = if dark {
        ("#111111", "#E6E6E6", "#1E1E1E", "#2C2C2C", "#3EB575")
    } else {
        ("#EDEDED", "#111111", "#F7F7F7", "#FFFFFF", "#95EC69")
    };
    let s = |v: &str| v.to_string();
    let caption = |name: &str, t: &str, back: &str, width: u32| {
        let path = dir.join(format!("{n}-{name}.png"));
        run(
            im,
            &[
                s("-background"),
                s(back),
                s("-fill"),
                s(fg),
                s("-font"),
                s(FONT),
                s("-pointsize"),
                s("30"),
                s("-size"),
                format!("{width}x"),
                format!("caption:{t}"),
                s("-depth"),
                s("8"),
                path.display().to_string(),
            ],
        );
        let (w, h) = dimensions(&std::fs::read(&path).unwrap()).expect("png size");
        (path, w, h)
    };
    let (msg, w, h) = caption("msg", text, bubble, 500);
    let pad = 20;
    let (x0, y0) = (30, 180);
    let mut args = vec![
        s("-size"),
        s("720x1280"),
        format!("xc:{bg}"),
        s("-fill"),
        s(bar),
        s("-draw"),
        s("rectangle 0,0 720,140"),
        s("-font"),
        s(FONT),
        s("-pointsize"),
        s("24"),
        s("-fill"),
        s(fg),
        s("-annotate"),
        s("+28+38"),
        s("14:32"),
        s("-annotate"),
        s("+560+38"),
        s("5G  87%"),
        s("-pointsize"),
        s("30"),
        s("-annotate"),
        s("+330+112"),
        s("短信"),
    ];
    // A rounded bubble of `fill` at (x, y), with the rendered text image inside.
    let bubble_at = |fill: &str, (x, y): (u32, u32), text: &Path, (w, h): (u32, u32)| {
        vec![
            s("-fill"),
            s(fill),
            s("-draw"),
            format!(
                "roundrectangle {x},{y} {},{} 18,18",
                x + w + 2 * pad,
                y + h + 2 * pad
            ),
            text.display().to_string(),
            s("-geometry"),
            format!("+{}+{}", x + pad, y + pad),
            s("-composite"),
        ]
    };
    args.extend(bubble_at(bubble, (x0, y0), &msg, (w, h)));
    if reply {
        let (r, rw, rh) = caption("reply", REPLY, mine, 400);
        let ry = y0 + h + 2 * pad + 40;
        let rx = 720 - 30 - rw - 2 * pad;
        args.extend(bubble_at(mine, (rx, ry), &r, (rw, rh)));
    }
    let out = match variant {
        Variant::Jpeg => {
            args.extend([s("-quality"), s("60")]);
            dir.join(format!("{n}.jpg"))
        }
        Variant::LowRes => {
            args.extend([s("-resize"), s("360x")]);
            dir.join(format!("{n}.png"))
        }
        _ => dir.join(format!("{n}.png")),
    };
    args.extend([s("-depth"), s("8"), out.display().to_string()]);
    run(im, &args);
    out
}

fn normalise(t: &str) -> Vec<char> {
    t.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[test]
fn levenshtein_works() {
    let c = |s: &str| s.chars().collect::<Vec<_>>();
    assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
    assert_eq!(levenshtein(&c("逾期"), &c("逾期")), 0);
    assert_eq!(levenshtein(&c(""), &c("abc")), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rendered_screenshots_get_the_same_verdict() {
    let Some(ocr) = Ocr::detect() else {
        skip("skipped: tesseract with chi_sim not installed");
        return;
    };
    let Some(im) = imagemagick() else {
        skip("skipped: ImageMagick not installed (needs magick or /usr/bin/convert)");
        return;
    };
    if !Path::new(FONT).exists() {
        skip(&format!("skipped: fonts-noto-cjk not installed ({FONT})"));
        return;
    }
    println!("{}", ocr.describe());
    let dir = scratch_dir("render");
    let classifier = Classifier::shared();
    let samples = samples();
    assert!(samples.len() >= 20, "only {} samples", samples.len());
    let (mut agree, mut edits, mut chars) = (0usize, 0usize, 0usize);
    let mut times = Vec::new();
    for (n, sample) in samples.iter().enumerate() {
        let variant = [
            Variant::Light,
            Variant::Dark,
            Variant::LowRes,
            Variant::Jpeg,
        ][n % 4];
        let reply = n % 3 == 0;
        let path = render(&im, &dir, n, &sample.text, variant, reply);
        let bytes = std::fs::read(&path).unwrap();
        let start = Instant::now();
        let read = ocr.read(bytes).await.expect("ocr");
        times.push(start.elapsed());
        let original = if reply {
            format!("{}\n{REPLY}", sample.text)
        } else {
            sample.text.clone()
        };
        let want = classifier.classify(&original).verdict;
        let got = classifier.classify(&read).verdict;
        let (a, b) = (normalise(&original), normalise(&read));
        let d = levenshtein(&a, &b);
        edits += d;
        chars += a.len();
        agree += usize::from(want == got);
        println!(
            "{:<10} {:<7?} reply={:<5} want={:<10} got={:<10} cer={:.3} {:?}",
            sample.id,
            variant,
            reply,
            want.as_str(),
            got.as_str(),
            d as f64 / a.len() as f64,
            read
        );
    }
    times.sort();
    let total = samples.len();
    let agreement = agree as f64 / total as f64;
    println!(
        "OCR over {total} rendered screenshots: verdict agreement {agree}/{total} ({:.1}%), \
         character error rate {:.2}%, OCR time p50 {:.2}s, p95 {:.2}s",
        agreement * 100.0,
        edits as f64 / chars as f64 * 100.0,
        percentile(&times, 0.5).as_secs_f64(),
        percentile(&times, 0.95).as_secs_f64(),
    );
    assert!(agreement >= 0.9, "verdict agreement {agreement:.3} < 0.9");
}

#[tokio::test]
async fn too_large_images_are_refused_before_running_anything() {
    let Some((ocr, _dir)) = fake("never", "echo should-not-run") else {
        return;
    };
    assert_eq!(
        ocr.read(vec![0; 10 * 1024 * 1024 + 1]).await,
        Err(OcrError::TooLarge)
    );
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&6000u32.to_be_bytes());
    png.extend_from_slice(&4000u32.to_be_bytes());
    assert_eq!(ocr.read(png).await, Err(OcrError::TooManyPixels));
    assert_eq!(ocr.available_permits(), ocr.concurrency());
}

/// The header of a 720×1280 PNG: enough for the checks (the fake Tesseract reads nothing).
fn small_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&720u32.to_be_bytes());
    png.extend_from_slice(&1280u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    png
}

/// Headers of 30000×30000 (or the format's largest) images that compress to a few KB,
/// followed by garbage: only the header is read before the refusal.
fn bombs() -> Vec<(&'static str, Vec<u8>)> {
    let garbage = vec![0x5A; 4096];
    let mut tiff_le = b"II\x2A\0\x08\0\0\0".to_vec();
    tiff_le.extend_from_slice(&2u16.to_le_bytes());
    for tag in [256u16, 257] {
        tiff_le.extend_from_slice(&tag.to_le_bytes());
        tiff_le.extend_from_slice(&4u16.to_le_bytes());
        tiff_le.extend_from_slice(&1u32.to_le_bytes());
        tiff_le.extend_from_slice(&30000u32.to_le_bytes());
    }
    tiff_le.extend_from_slice(&0u32.to_le_bytes());
    let mut tiff_be = b"MM\0\x2A\0\0\0\x08".to_vec();
    tiff_be.extend_from_slice(&2u16.to_be_bytes());
    for tag in [256u16, 257] {
        tiff_be.extend_from_slice(&tag.to_be_bytes());
        tiff_be.extend_from_slice(&3u16.to_be_bytes());
        tiff_be.extend_from_slice(&1u32.to_be_bytes());
        tiff_be.extend_from_slice(&30000u16.to_be_bytes());
        tiff_be.extend_from_slice(&[0, 0]);
    }
    tiff_be.extend_from_slice(&0u32.to_be_bytes());
    let riff = |chunk: &[u8], data: &[u8]| {
        let mut r = b"RIFF\0\0\0\0WEBP".to_vec();
        r.extend_from_slice(chunk);
        r.extend_from_slice(&(data.len() as u32).to_le_bytes());
        r.extend_from_slice(data);
        r
    };
    let side = 29999u32.to_le_bytes();
    let mut vp8x = vec![0x10, 0, 0, 0];
    vp8x.extend_from_slice(&side[..3]);
    vp8x.extend_from_slice(&side[..3]);
    let webp_x = riff(b"VP8X", &vp8x);
    // Lossless: 16384×16384, the format's largest.
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&(0x3FFF | (0x3FFF << 14) as u32).to_le_bytes());
    let webp_l = riff(b"VP8L", &vp8l);
    let mut vp8 = vec![0, 0, 0, 0x9D, 0x01, 0x2A];
    vp8.extend_from_slice(&16383u16.to_le_bytes());
    vp8.extend_from_slice(&16383u16.to_le_bytes());
    let webp = riff(b"VP8 ", &vp8);
    let mut gif = b"GIF89a".to_vec();
    // Screen 65535×65535, no colour table, then the trailer.
    gif.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x3B]);
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 12]);
    bmp.extend_from_slice(&40u32.to_le_bytes());
    bmp.extend_from_slice(&30000i32.to_le_bytes());
    bmp.extend_from_slice(&30000i32.to_le_bytes());
    let with_garbage = |mut b: Vec<u8>| {
        b.extend_from_slice(&garbage);
        b
    };
    vec![
        ("tiff (little-endian)", with_garbage(tiff_le)),
        ("tiff (big-endian)", with_garbage(tiff_be)),
        ("webp (VP8X)", with_garbage(webp_x)),
        ("webp (VP8L)", with_garbage(webp_l)),
        ("webp (VP8)", with_garbage(webp)),
        ("gif", with_garbage(gif)),
        ("bmp", with_garbage(bmp)),
    ]
}

#[tokio::test]
async fn tiff_and_webp_bombs_are_refused_before_tesseract_runs() {
    let Some((ocr, _dir)) = fake("bombs", "echo ran >> $LOG; echo text") else {
        return;
    };
    for (format, bomb) in bombs() {
        assert!(bomb.len() < 5000, "{format}: {} bytes", bomb.len());
        assert_eq!(
            ocr.read(bomb).await,
            Err(OcrError::TooManyPixels),
            "{format}"
        );
    }
    assert!(
        !log_of("bombs").exists(),
        "tesseract ran for a refused image"
    );
    assert_eq!(ocr.available_permits(), ocr.concurrency());
}

#[tokio::test]
async fn formats_without_a_readable_size_are_refused_before_tesseract_runs() {
    let Some((ocr, _dir)) = fake("unknown-format", "echo ran >> $LOG; echo text") else {
        return;
    };
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='30000' height='30000'/>";
    let big_tiff = b"II\x2B\0\x08\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0";
    let truncated_png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIH";
    for image in [
        &b"%PDF-1.4 not an image"[..],
        &svg[..],
        &big_tiff[..],
        &truncated_png[..],
        b"",
    ] {
        assert_eq!(ocr.read(image.to_vec()).await, Err(OcrError::UnknownFormat));
    }
    assert!(!log_of("unknown-format").exists(), "tesseract ran");
    // The user is told why, in both languages.
    use loanguard::responses::{Language, Responses};
    for lang in Language::ALL {
        let text = &Responses::get(lang).bot.ocr_unsupported_format;
        assert!(
            text.contains("PNG") && text.contains("TIFF"),
            "{lang:?}: {text}"
        );
    }
}

/// ImageMagick's own files of every accepted format give their size from the header.
#[test]
fn every_accepted_format_made_by_imagemagick_gives_its_size() {
    let Some(im) = imagemagick() else {
        skip("ImageMagick is missing");
        return;
    };
    let dir = scratch_dir("formats");
    let cases: &[(&str, &[&str])] = &[
        ("png:a.png", &[]),
        ("jpg:a.jpg", &[]),
        ("gif:a.gif", &[]),
        ("bmp:a.bmp", &[]),
        ("bmp3:b.bmp", &[]),
        ("webp:lossy.webp", &[]),
        ("webp:lossless.webp", &["-define", "webp:lossless=true"]),
        ("tiff:le.tiff", &["-define", "tiff:endian=lsb"]),
        ("tiff:be.tiff", &["-define", "tiff:endian=msb"]),
    ];
    for (out, options) in cases {
        let (format, name) = out.split_once(':').unwrap();
        let path = dir.join(name);
        let mut args: Vec<String> = ["-size", "72x128", "xc:white"]
            .iter()
            .chain(options.iter())
            .map(|s| s.to_string())
            .collect();
        args.push(format!("{format}:{}", path.display()));
        run(&im, &args);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(dimensions(&bytes), Some((72, 128)), "{out}");
        assert_eq!(Ocr::check_limits(&bytes), Ok(()), "{out}");
    }
    // Transparent WebP (VP8X with an alpha chunk).
    let alpha = dir.join("alpha.webp");
    run(
        &im,
        &[
            "-size".into(),
            "72x128".into(),
            "xc:none".into(),
            format!("webp:{}", alpha.display()),
        ],
    );
    let bytes = std::fs::read(&alpha).unwrap();
    assert_eq!(&bytes[12..16], b"VP8X");
    assert_eq!(dimensions(&bytes), Some((72, 128)));
    // Two TIFF pages: the larger counts.
    let pages = dir.join("pages.tiff");
    run(
        &im,
        &[
            "-size".into(),
            "72x128".into(),
            "xc:white".into(),
            "-size".into(),
            "200x50".into(),
            "xc:black".into(),
            format!("tiff:{}", pages.display()),
        ],
    );
    assert_eq!(
        dimensions(&std::fs::read(&pages).unwrap()),
        Some((200, 128))
    );
}

#[cfg(unix)]
#[tokio::test]
async fn tesseract_runs_with_memory_and_cpu_limits() {
    let body = "ulimit -v > $LOG; ulimit -t >> $LOG; echo ok";
    let Some((ocr, _dir)) = fake("rlimits", body) else {
        return;
    };
    let ocr = ocr.with_limits(1, Duration::from_secs(20));
    assert_eq!(ocr.read(small_png()).await.as_deref(), Ok("ok"));
    let log = std::fs::read_to_string(log_of("rlimits")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let kib = loanguard::ocr::MAX_CHILD_ADDRESS_SPACE / 1024;
    let cpu = (Duration::from_secs(20) + loanguard::ocr::CHILD_CPU_MARGIN).as_secs();
    assert_eq!(lines, [kib.to_string(), cpu.to_string()]);
}

#[tokio::test]
async fn a_slot_taken_before_the_download_is_the_one_used_for_reading() {
    let Some((ocr, _dir)) = fake("permit", "echo ok") else {
        return;
    };
    let ocr = ocr.with_limits(1, Duration::from_secs(20));
    let permit = ocr.permit().await.unwrap();
    assert_eq!(ocr.available_permits(), 0);
    // Reading with the held slot neither waits for another nor frees it.
    assert_eq!(
        ocr.read_with(&permit, small_png()).await.as_deref(),
        Ok("ok")
    );
    assert_eq!(ocr.available_permits(), 0);
    // A refused image is refused with the slot held too.
    assert_eq!(
        ocr.read_with(&permit, b"GIF89a".to_vec()).await,
        Err(OcrError::UnknownFormat)
    );
    drop(permit);
    assert_eq!(ocr.available_permits(), 1);
}

/// A fake `tesseract`: answers --version and --list-langs, then runs `body` for an image
/// (`$1` is the image path). `$LOG` in the body is replaced by a log file of the test. Keep
/// the returned directory until the test is over.
#[cfg(unix)]
fn fake(name: &str, body: &str) -> Option<(Ocr, Scratch)> {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir(name);
    let log = dir.join("log");
    let script = dir.join("tesseract");
    let text = format!(
        "#!/bin/sh\ncase \"$1\" in\n--version) echo 'tesseract 5.3.0'; exit 0;;\n\
         --list-langs) echo 'List of available languages in \"/x/\" (3):'; echo chi_sim; echo eng; echo osd; exit 0;;\n\
         esac\n{}\n",
        body.replace("$LOG", &log.display().to_string())
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Running a script just written can fail with ETXTBSY while another test thread forks
    // (the child holds the write descriptor until its exec): try again briefly.
    for _ in 0..50 {
        if let Some(ocr) = Ocr::detect_program(&script) {
            return Some((ocr, dir));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("fake tesseract not detected");
}

#[cfg(not(unix))]
fn fake(_: &str, _: &str) -> Option<(Ocr, Scratch)> {
    support::report_skip("skipped: the fake tesseract is a shell script");
    None
}

fn log_of(name: &str) -> PathBuf {
    scratch_path(name).join("log")
}

#[test]
fn detect_and_describe() {
    let Some((ocr, _dir)) = fake("describe", "exit 0") else {
        return;
    };
    assert_eq!(ocr.describe(), "tesseract 5.3.0, languages: chi_sim, eng");
    assert!(ocr.concurrency() >= 1);
    assert_eq!(ocr.timeout(), Duration::from_secs(20));
    assert!(Ocr::detect_program("/nonexistent/tesseract").is_none());
}

#[tokio::test]
async fn temp_file_is_private_and_removed_after_success() {
    let body =
        "ls -l \"$1\" | cut -c1-10 > $LOG; echo \"$1\" >> $LOG; echo '14:32 5G 87%'; echo '你 好'";
    let Some((ocr, _dir)) = fake("success", body) else {
        return;
    };
    assert_eq!(ocr.read(small_png()).await.unwrap(), "你好");
    let log = std::fs::read_to_string(log_of("success")).unwrap();
    let mut lines = log.lines();
    assert_eq!(lines.next().unwrap(), "-rw-------");
    let path = PathBuf::from(lines.next().unwrap());
    assert!(path.starts_with(std::env::temp_dir()), "{path:?}");
    assert!(!path.exists(), "temporary file left behind: {path:?}");
}

#[tokio::test]
async fn temp_file_is_removed_after_an_error_and_the_error_has_no_text() {
    let body = "echo \"$1\" > $LOG; echo 'secret message text'; echo 'secret' >&2; exit 3";
    let Some((ocr, _dir)) = fake("failure", body) else {
        return;
    };
    let err = ocr.read(small_png()).await.unwrap_err();
    assert!(matches!(err, OcrError::Failed(_)), "{err:?}");
    assert!(!err.to_string().contains("secret"), "{err}");
    let path = PathBuf::from(std::fs::read_to_string(log_of("failure")).unwrap().trim());
    assert!(!path.exists(), "temporary file left behind: {path:?}");
}

#[tokio::test]
async fn timeout_kills_tesseract_and_removes_the_file() {
    let body = "echo \"$1\" > $LOG; exec sleep 30";
    let Some((ocr, _dir)) = fake("timeout", body) else {
        return;
    };
    let ocr = ocr.with_limits(1, Duration::from_millis(500));
    let start = Instant::now();
    assert_eq!(ocr.read(small_png()).await, Err(OcrError::Timeout));
    assert!(start.elapsed() < Duration::from_secs(10));
    let path = PathBuf::from(std::fs::read_to_string(log_of("timeout")).unwrap().trim());
    assert!(!path.exists(), "temporary file left behind: {path:?}");
    assert_eq!(ocr.available_permits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_n_runs_at_once_the_rest_wait() {
    // Each run records the number of runs in progress when it starts.
    let body = "mkdir -p $LOG.d; touch $LOG.d/$$; ls $LOG.d | wc -l >> $LOG; sleep 0.5; rm $LOG.d/$$; echo ok";
    let Some((ocr, _dir)) = fake("concurrency", body) else {
        return;
    };
    let ocr = ocr.with_limits(2, Duration::from_secs(20));
    assert_eq!(ocr.concurrency(), 2);
    let start = Instant::now();
    let reads = (0..5).map(|_| ocr.read(small_png()));
    let results = futures_util::future::join_all(reads).await;
    let elapsed = start.elapsed();
    assert!(
        results.iter().all(|r| r.as_deref() == Ok("ok")),
        "{results:?}"
    );
    let log = std::fs::read_to_string(log_of("concurrency")).unwrap();
    let max = log
        .lines()
        .filter_map(|l| l.trim().parse::<usize>().ok())
        .max()
        .unwrap();
    assert!(max <= 2, "{max} runs at once");
    // 5 runs of 0.5 s, 2 at a time: at least 3 rounds.
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert_eq!(ocr.available_permits(), 2);
}
