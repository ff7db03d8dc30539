//! The campaign lock: one `virtperf run` writes to an output folder at a time.
//!
//! It is an OS file lock (`flock(2)`, through std's `File::try_lock`) on `OUT/.virtperf/lock`,
//! held as long as the file is open. Taking it is one atomic step (no check-then-write race
//! between two starting campaigns), and the kernel releases it when virtperf ends, however it
//! ends: a lock left by a `kill -9` never blocks, and a reused pid cannot fool it. The file's
//! content, the holder's pid and host, is only information for the message that refuses a
//! second campaign.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The lock of a campaign's output folder, held until dropped (the file is then removed).
#[derive(Debug)]
pub(crate) struct CampaignLock {
    /// Open, and locked, while the campaign runs.
    _file: File,
    path: PathBuf,
}

impl CampaignLock {
    /// Takes the lock of the campaign in `out` (the file `OUT/.virtperf/lock`), or returns an
    /// error naming the pid and host of the virtperf that holds it.
    pub(crate) fn take(out: &Path) -> Result<CampaignLock> {
        let dir = out.join(".virtperf");
        std::fs::create_dir_all(&dir).with_context(|| format!("could not create '{}'", dir.display()))?;
        let path = dir.join("lock");
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("could not open '{}'", path.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    bail!(
                        "another virtperf run ({}) is writing to '{}'; wait for it or stop it",
                        holder(&text),
                        out.display()
                    );
                }
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("could not lock '{}'", path.display()))
                }
            }
            // The holder before us removes the file as it ends: if that happened between our
            // open and our lock, we hold the lock of a file nobody else will open. Start again
            // with the file now at `path`.
            let same = match (file.metadata(), std::fs::metadata(&path)) {
                (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
                _ => false,
            };
            if !same {
                continue;
            }
            let host = rustix::system::uname().nodename().to_string_lossy().into_owned();
            file.set_len(0)
                .and_then(|_| write!(file, "{}\n{host}\n", std::process::id()))
                .with_context(|| format!("could not write '{}'", path.display()))?;
            return Ok(CampaignLock { _file: file, path });
        }
    }
}

impl Drop for CampaignLock {
    fn drop(&mut self) {
        // Removed while still locked; the lock goes with the file's closing, right after.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Who holds the lock, from the lock file's text (`PID` and `HOST` lines; older campaigns
/// wrote the pid only).
fn holder(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match (lines.next(), lines.next()) {
        (Some(pid), Some(host)) => format!("pid {pid} on {host}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "its pid not written yet".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_is_told_from_the_lock_file() {
        assert_eq!(holder("4242\nbox\n"), "pid 4242 on box");
        assert_eq!(holder("4242"), "pid 4242");
        assert_eq!(holder(""), "its pid not written yet");
    }

    #[test]
    fn a_second_lock_is_refused_and_the_first_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = CampaignLock::take(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(".virtperf/lock")).unwrap();
        assert!(text.starts_with(&format!("{}\n", std::process::id())), "{text}");
        let e = CampaignLock::take(dir.path()).unwrap_err().to_string();
        assert!(e.contains(&format!("pid {} on ", std::process::id())), "{e}");
        drop(first);
        assert!(!dir.path().join(".virtperf/lock").exists());
        CampaignLock::take(dir.path()).unwrap();
    }
}
