//! A child process's stderr (its logs), collected in the background.
//!
//! The bytes are kept as they come and decoded whole when read, so a character split between
//! two reads stays intact: the tests search the logs for Chinese text that must not be there.

use std::io::Read;
use std::process::ChildStderr;
use std::sync::{Arc, Mutex};
use std::thread;

/// The logs so far; cheap to clone.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Reads `stderr` on a thread of its own until the process closes it.
    pub fn collect(mut stderr: ChildStderr) -> Logs {
        let logs = Logs::default();
        let sink = logs.0.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
        });
        logs
    }

    /// Everything logged so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}
