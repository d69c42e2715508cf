//! The only thing OCR writes to disk: the image, in a private temporary file that is removed
//! when the guard is dropped (success, error, timeout or panic). A process that is killed
//! leaves its file behind: [`sweep`] removes those at the next start.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every temporary image is named `loanguard-ocr-<pid>-<n>-<nanos>.img`.
const PREFIX: &str = "loanguard-ocr-";
const SUFFIX: &str = ".img";
/// A file older than this is left over even if its process id is in use again.
const STALE_AFTER: Duration = Duration::from_secs(3600);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file in [`std::env::temp_dir`], mode 0600, removed on drop.
#[derive(Debug)]
pub struct TempImage {
    path: PathBuf,
}

impl TempImage {
    /// Create a file with a unique name and write `bytes` to it.
    pub fn write(bytes: &[u8]) -> io::Result<TempImage> {
        let dir = std::env::temp_dir();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(
                "{PREFIX}{}-{n}-{nanos:x}{SUFFIX}",
                std::process::id()
            ));
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let file: File = match options.open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            };
            // The guard exists before the write, so a failed write still removes the file.
            let guard = TempImage { path };
            let mut file = file;
            file.write_all(bytes)?;
            file.flush()?;
            return Ok(guard);
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no unique temporary file name",
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempImage {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Remove the temporary images in `dir` left by processes that are gone (or that are older
/// than an hour), never those of `own_pid` or of another running process. Returns how many
/// were removed. Errors (an unreadable directory, a file removed meanwhile) are ignored.
pub fn sweep(dir: &Path, own_pid: u32) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX)?.strip_suffix(SUFFIX))
            .and_then(|rest| rest.split('-').next()?.parse::<u32>().ok())
        else {
            continue;
        };
        // Only regular files (not symbolic links, not the tests' scratch directories).
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() || pid == own_pid {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if (old || !process_alive(pid)) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether a process with this id exists (then its files are left alone).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 sends nothing; it only checks that the process exists.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return true;
    }
    // EPERM: it exists but belongs to another user.
    io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Without a cheap check, only files older than an hour are removed.
#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_removes_only_files_of_dead_processes() {
        let dir = std::env::temp_dir().join(format!("loanguard-sweep-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let own = std::process::id();
        // Above any pid_max: no such process.
        let dead = dir.join(format!("{PREFIX}999999999-0-1f{SUFFIX}"));
        let mine = dir.join(format!("{PREFIX}{own}-0-1f{SUFFIX}"));
        let other = dir.join("unrelated.img");
        let scratch = dir.join(format!("{PREFIX}test-1-dir"));
        let dead_dir = dir.join(format!("{PREFIX}999999998-0-1f{SUFFIX}"));
        for f in [&dead, &mine, &other] {
            fs::write(f, b"x").unwrap();
        }
        fs::create_dir_all(&scratch).unwrap();
        fs::create_dir_all(&dead_dir).unwrap();
        #[cfg(unix)]
        let expected = 1;
        #[cfg(not(unix))]
        let expected = 0;
        assert_eq!(sweep(&dir, own), expected);
        assert_eq!(dead.exists(), !cfg!(unix));
        assert!(mine.exists() && other.exists() && scratch.exists() && dead_dir.exists());
        #[cfg(unix)]
        {
            // A running process (pid 1) keeps its files.
            let live = dir.join(format!("{PREFIX}1-0-1f{SUFFIX}"));
            fs::write(&live, b"x").unwrap();
            assert_eq!(sweep(&dir, own), 0);
            assert!(live.exists());
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn private_unique_and_removed() {
        let a = TempImage::write(b"abc").unwrap();
        let b = TempImage::write(b"abc").unwrap();
        assert_ne!(a.path(), b.path());
        assert!(a.path().starts_with(std::env::temp_dir()));
        assert_eq!(fs::read(a.path()).unwrap(), b"abc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(a.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists());
    }
}
