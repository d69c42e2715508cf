//! The only thing OCR writes to disk: the image, in a private temporary file that is removed
//! when the guard is dropped (success, error, timeout or panic).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

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
                "loanguard-ocr-{}-{n}-{nanos:x}.img",
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

#[cfg(test)]
mod tests {
    use super::*;

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
