//! Reading the text of a screenshot with Tesseract (its command line).
//!
//! - [`Ocr::detect`] finds `tesseract` and its languages (`chi_sim` is required, `eng` used when
//!   present); [`Ocr::global`] is the instance the bot and the command line share.
//! - [`Ocr::read`] refuses images over 10 MB or 20 megapixels and any format whose size it
//!   cannot read from the header (PNG, JPEG, GIF, BMP, WebP and TIFF are read; see
//!   [`dimensions`]), waits for one of N slots (default: the number of cores), writes the image
//!   to a private temporary file that is always removed, runs Tesseract with a timeout (killed
//!   when it expires) and, on Unix, limits on its address space and CPU time, and returns the
//!   [`clean`]ed text. The image is never stored. [`Ocr::permit`] takes a slot before the
//!   image is even downloaded ([`Ocr::read_with`]).
//! - Temporary files left by a crashed process are removed when Tesseract is detected.
//! - [`clean`] turns Tesseract's output into message text: no status bar, no spaces between
//!   Chinese characters, bubble lines joined.

mod clean;
mod image;
mod tempfile;

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::{Semaphore, SemaphorePermit};

pub use clean::clean;
pub use image::dimensions;
use tempfile::TempImage;

/// Images larger than this are refused.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Images with more pixels than this are refused (when the header tells the size).
pub const MAX_PIXELS: u64 = 20_000_000;
/// The most address space one Tesseract process may map (`RLIMIT_AS`, Unix only): a decoder
/// that tries to allocate more fails instead of taking the machine's memory.
pub const MAX_CHILD_ADDRESS_SPACE: u64 = 1024 * 1024 * 1024;
/// CPU seconds one Tesseract process may use beyond the timeout (`RLIMIT_CPU`, Unix only),
/// should the kill on timeout not happen.
pub const CHILD_CPU_MARGIN: Duration = Duration::from_secs(5);
/// How long one Tesseract run may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Page segmentation mode: one uniform block of text. On rendered phone screenshots it reads
/// the bubbles as well as 4 and better than 11 (which splits lines into fragments).
const PSM: &str = "6";

/// Why an image was not read. The messages never contain any of the image's text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OcrError {
    #[error("image larger than 10 MB")]
    TooLarge,
    #[error("image larger than 20 megapixels")]
    TooManyPixels,
    /// Not PNG, JPEG, GIF, BMP, WebP or TIFF by its magic bytes, or a header whose size
    /// cannot be read.
    #[error("image format not accepted")]
    UnknownFormat,
    #[error("OCR timed out")]
    Timeout,
    /// Tesseract could not be started or the temporary file not written (the I/O error kind).
    #[error("OCR I/O error: {0}")]
    Io(String),
    /// Tesseract exited with an error (its exit status; stderr is not kept).
    #[error("tesseract failed: {0}")]
    Failed(String),
}

/// A detected Tesseract with its languages and limits.
#[derive(Debug)]
pub struct Ocr {
    program: PathBuf,
    version: String,
    langs: Vec<String>,
    permits: Semaphore,
    concurrency: usize,
    timeout: Duration,
}

static GLOBAL: OnceLock<Option<Ocr>> = OnceLock::new();

fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

impl Ocr {
    /// Find `tesseract` on the PATH. `None` when it is missing or has no `chi_sim`.
    pub fn detect() -> Option<Ocr> {
        Self::detect_program("tesseract")
    }

    /// Like [`Ocr::detect`] with another program (a path, or a name looked up on the PATH).
    pub fn detect_program(program: impl AsRef<Path>) -> Option<Ocr> {
        let removed = tempfile::sweep(&std::env::temp_dir(), std::process::id());
        if removed > 0 {
            tracing::info!(removed, "removed temporary OCR files left by earlier runs");
        }
        let program = program.as_ref().to_path_buf();
        let run = |arg: &str| {
            let out = StdCommand::new(&program)
                .arg(arg)
                .stdin(Stdio::null())
                .output()
                .ok()?;
            out.status.success().then(|| {
                // Old versions print to stderr.
                let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
                s.push_str(&String::from_utf8_lossy(&out.stderr));
                s
            })
        };
        let version = run("--version")?
            .lines()
            .find_map(|l| l.trim().strip_prefix("tesseract "))
            .map(|v| v.trim().trim_start_matches('v').to_string())?;
        let available: Vec<String> = run("--list-langs")?
            .lines()
            .skip_while(|l| !l.starts_with("List of available languages"))
            .skip(1)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if !available.iter().any(|l| l == "chi_sim") {
            return None;
        }
        let mut langs = vec!["chi_sim".to_string()];
        if available.iter().any(|l| l == "eng") {
            langs.push("eng".to_string());
        }
        let concurrency = default_concurrency();
        Some(Ocr {
            program,
            version,
            langs,
            permits: Semaphore::new(concurrency),
            concurrency,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same Tesseract with at most `concurrency` runs at once (at least 1) and `timeout`.
    pub fn with_limits(self, concurrency: usize, timeout: Duration) -> Ocr {
        let concurrency = concurrency.max(1);
        Ocr {
            permits: Semaphore::new(concurrency),
            concurrency,
            timeout,
            ..self
        }
    }

    /// Set the shared instance before its first use (for configured limits). Returns false
    /// when [`Ocr::global`] was already initialised.
    pub fn install_global(ocr: Option<Ocr>) -> bool {
        GLOBAL.set(ocr).is_ok()
    }

    /// The shared instance: detected once, on first use, unless [`Ocr::install_global`] ran.
    pub fn global() -> Option<&'static Ocr> {
        GLOBAL.get_or_init(Ocr::detect).as_ref()
    }

    /// For `doctor` and the start-up log: "tesseract 5.3.0, languages: chi_sim, eng".
    pub fn describe(&self) -> String {
        format!(
            "tesseract {}, languages: {}",
            self.version,
            self.langs.join(", ")
        )
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn langs(&self) -> &[String] {
        &self.langs
    }

    /// The maximum number of Tesseract runs at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Slots free right now (`concurrency()` when idle).
    pub fn available_permits(&self) -> usize {
        self.permits.available_permits()
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Check the size limits and the format without running anything: the size must be
    /// readable from the header of an accepted format.
    pub fn check_limits(image: &[u8]) -> Result<(), OcrError> {
        if image.len() > MAX_BYTES {
            return Err(OcrError::TooLarge);
        }
        let (w, h) = dimensions(image).ok_or(OcrError::UnknownFormat)?;
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(OcrError::TooManyPixels);
        }
        Ok(())
    }

    /// Wait for one of the slots. Hold it while the image is downloaded and read
    /// ([`Ocr::read_with`]), so that no more images are in memory than runs can proceed.
    pub async fn permit(&self) -> Result<Permit<'_>, OcrError> {
        let waiting = Waiting::enter();
        let slot = self.permits.acquire().await;
        drop(waiting);
        slot.map(|slot| Permit { _slot: slot })
            .map_err(|_| OcrError::Io("closed".into()))
    }

    /// Read a screenshot and return its [`clean`]ed text (possibly empty).
    pub async fn read(&self, image: Vec<u8>) -> Result<String, OcrError> {
        self.read_raw(image).await.map(|raw| clean(&raw))
    }

    /// Like [`Ocr::read`] with a slot already taken by [`Ocr::permit`] (of this instance).
    pub async fn read_with(&self, permit: &Permit<'_>, image: Vec<u8>) -> Result<String, OcrError> {
        let started = std::time::Instant::now();
        let result = match Self::check_limits(&image) {
            Ok(()) => self.run_permitted(permit, image).await,
            Err(e) => Err(e),
        };
        record(&result, started);
        result.map(|raw| clean(&raw))
    }

    /// Read a screenshot and return Tesseract's raw output.
    ///
    /// Tesseract 5 runs twice on the same file, with Sauvola's local thresholds (reads dark
    /// text on coloured bubbles) and with Otsu's global one (reads dark themes), and the run
    /// that found more Chinese characters wins. Both runs share one slot and the timeout.
    pub async fn read_raw(&self, image: Vec<u8>) -> Result<String, OcrError> {
        let started = std::time::Instant::now();
        let result = async {
            Self::check_limits(&image)?;
            let permit = self.permit().await?;
            self.run_permitted(&permit, image).await
        }
        .await;
        record(&result, started);
        result
    }

    async fn run_permitted(
        &self,
        _permit: &Permit<'_>,
        image: Vec<u8>,
    ) -> Result<String, OcrError> {
        let file = tokio::task::spawn_blocking(move || TempImage::write(&image))
            .await
            .map_err(|_| OcrError::Io("writer task failed".into()))?
            .map_err(|e| OcrError::Io(e.kind().to_string()))?;
        let v5 = self
            .version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(0)
            >= 5;
        let runs = async {
            if !v5 {
                return self.run_once(file.path(), None).await;
            }
            let sauvola = self.run_once(file.path(), Some("2")).await?;
            let otsu = self.run_once(file.path(), Some("0")).await?;
            Ok(if cjk_count(&clean(&otsu)) > cjk_count(&clean(&sauvola)) {
                otsu
            } else {
                sauvola
            })
        };
        // On timeout the future is dropped with the child, which kills it.
        let result = tokio::time::timeout(self.timeout, runs)
            .await
            .map_err(|_| OcrError::Timeout)?;
        drop(file);
        result
    }

    async fn run_once(&self, file: &Path, thresholding: Option<&str>) -> Result<String, OcrError> {
        let mut command = Command::new(&self.program);
        command
            .arg(file)
            .arg("stdout")
            .arg("-l")
            .arg(self.langs.join("+"))
            .arg("--psm")
            .arg(PSM);
        if let Some(method) = thresholding {
            command
                .arg("-c")
                .arg(format!("thresholding_method={method}"));
        }
        command
            // One thread per run: the runs themselves are the parallelism.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        #[cfg(unix)]
        {
            let cpu = (self.timeout + CHILD_CPU_MARGIN).as_secs().max(1);
            // SAFETY: the closure runs in the forked child before exec; it only calls
            // setrlimit, which is async-signal-safe, on values computed before the fork, and
            // allocates nothing.
            unsafe {
                command.pre_exec(move || limit_child(MAX_CHILD_ADDRESS_SPACE, cpu));
            }
        }
        let child = command
            .spawn()
            .map_err(|e| OcrError::Io(e.kind().to_string()))?;
        let output = child
            .wait_with_output()
            .await
            .map_err(|e| OcrError::Io(e.kind().to_string()))?;
        if !output.status.success() {
            return Err(OcrError::Failed(output.status.to_string()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// Counts an image waiting for a slot in the `ocr_waiting` queue gauge, however the wait ends.
struct Waiting;

impl Waiting {
    fn enter() -> Waiting {
        waiting_gauge(1);
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        waiting_gauge(-1);
    }
}

fn waiting_gauge(delta: i64) {
    crate::metrics::global().gauge_add(
        "loanguard_queue_depth",
        "Items waiting or in progress, by queue.",
        &[("queue", "ocr_waiting")],
        delta,
    );
}

/// Counts a read in the metrics: `ok` or the kind of failure, never the text.
fn record(result: &Result<String, OcrError>, started: std::time::Instant) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(OcrError::TooLarge | OcrError::TooManyPixels) => "too_large",
        Err(OcrError::UnknownFormat) => "unknown_format",
        Err(OcrError::Timeout) => "timeout",
        Err(OcrError::Io(_)) => "io",
        Err(OcrError::Failed(_)) => "failed",
    };
    crate::metrics::ocr_run(outcome, started.elapsed());
}

/// A slot for one image: taken before the download, held until the image is read.
#[derive(Debug)]
pub struct Permit<'a> {
    _slot: SemaphorePermit<'a>,
}

/// In the child, before exec: cap its address space (bytes) and CPU time (seconds; SIGXCPU
/// at the soft limit, SIGKILL a few seconds later at the hard one).
#[cfg(unix)]
fn limit_child(address_space: u64, cpu_seconds: u64) -> std::io::Result<()> {
    let set = |resource, soft: u64, hard: u64| {
        let limit = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: `limit` is a valid rlimit that outlives the call.
        if unsafe { libc::setrlimit(resource, &limit) } == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    };
    set(libc::RLIMIT_AS, address_space, address_space)?;
    set(libc::RLIMIT_CPU, cpu_seconds, cpu_seconds + 5)
}

fn cjk_count(text: &str) -> usize {
    text.chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_and_too_many_pixels() {
        assert_eq!(
            Ocr::check_limits(&vec![0; MAX_BYTES + 1]),
            Err(OcrError::TooLarge)
        );
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&5000u32.to_be_bytes());
        png.extend_from_slice(&5000u32.to_be_bytes());
        assert_eq!(Ocr::check_limits(&png), Err(OcrError::TooManyPixels));
        assert_eq!(
            Ocr::check_limits(b"not an image"),
            Err(OcrError::UnknownFormat)
        );
        let mut small = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        small.extend_from_slice(&720u32.to_be_bytes());
        small.extend_from_slice(&1280u32.to_be_bytes());
        assert_eq!(Ocr::check_limits(&small), Ok(()));
    }

    #[test]
    fn errors_carry_no_text() {
        assert_eq!(OcrError::Timeout.to_string(), "OCR timed out");
    }
}
