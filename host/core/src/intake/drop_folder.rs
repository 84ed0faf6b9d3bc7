//! Drop folders: a Maildir or a folder of input files that Kefu watches,
//! ingesting each file once it is complete and then moving it out.
//!
//! A file leaves the drop folder only after the transaction that stored it
//! committed, so a crash in between leaves the file in place, and the next
//! scan finds its bytes already imported and moves it without storing it
//! again.
//!
//! - In a Maildir, messages in `new/`, and those in `cur/` without the `S`
//!   (seen) flag, are read. A stored message moves to `cur/` with the `S`
//!   flag added, as a mail client marks a message read, so the Maildir
//!   stays usable by other mail programs. Mail servers deliver into `new/`
//!   by renaming a finished file from `tmp/`, so every file found is
//!   complete.
//! - In any other folder, each visible file at the top level is read once
//!   its size and modification time have not changed for [`SETTLE_TIME`],
//!   and then moves to the `done/` folder inside the drop folder.
//!   Subfolders, hidden files (`.name`) and names ending in `.tmp` or
//!   `.part` are left alone, so a writer can create a file under such a
//!   name and rename it when it is complete.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;

use crate::ingest::{IngestSummary, Ingestor, Quarantined};

/// Time a file in a plain drop folder must keep its size and modification
/// time before it is read.
pub const SETTLE_TIME: Duration = Duration::from_secs(2);

/// Folder inside a plain drop folder that read files move to.
pub const DONE_FOLDER: &str = "done";

/// Time between two full scans while no change is reported, in case the
/// file system does not report changes (for example some network shares).
const RESCAN_INTERVAL: Duration = Duration::from_secs(5);

/// Time before a file that failed is tried again unchanged.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// Time the watch loop waits for change events before it checks the stop
/// flag and the files still settling.
const TICK: Duration = Duration::from_millis(200);

/// Layout of a drop folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A Maildir, with `new/` or `cur/` inside.
    Maildir,
    /// Any other folder: its top-level files are inputs.
    Files,
}

/// A watched drop folder and what earlier scans saw in it.
#[derive(Debug)]
pub struct DropFolder {
    path: PathBuf,
    layout: Layout,
    /// Files of a plain folder still settling: their size and modification
    /// time, and when they were first seen so.
    settling: HashMap<PathBuf, (u64, Option<SystemTime>, Instant)>,
    /// Files that could not be read, stored or moved, with their size and
    /// the time of the failure. Each is tried again when its size changes or
    /// after [`RETRY_AFTER`], so a lasting problem is not logged every scan.
    failed: HashMap<PathBuf, (u64, Instant)>,
}

/// One file taken out of a drop folder.
#[derive(Debug, Clone)]
pub struct Processed {
    pub file: PathBuf,
    /// Path of the file after the move.
    pub moved_to: PathBuf,
    /// Ingest summary of the file: stored, skipped, quarantined.
    pub summary: IngestSummary,
}

/// Result of one scan of a drop folder.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub processed: Vec<Processed>,
    /// Files left in place, with the reason: unreadable, too large, not
    /// movable, or not stored because the database failed.
    pub left: Vec<Quarantined>,
    /// Files still settling, to be read by a later scan.
    pub settling: usize,
}

impl ScanReport {
    /// True when the scan read nothing and left nothing behind.
    pub fn is_empty(&self) -> bool {
        self.processed.is_empty() && self.left.is_empty()
    }
}

impl DropFolder {
    /// Opens the drop folder at `path`, which must exist.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let metadata = std::fs::metadata(path).with_context(|| {
            format!(
                "cannot open the drop folder {}: check that it exists and is readable",
                path.display()
            )
        })?;
        if !metadata.is_dir() {
            anyhow::bail!(
                "the drop folder {} is not a folder; pass a Maildir or a folder of input files",
                path.display()
            );
        }
        let layout = if path.join("new").is_dir() || path.join("cur").is_dir() {
            Layout::Maildir
        } else {
            Layout::Files
        };
        Ok(Self {
            path: path.to_path_buf(),
            layout,
            settling: HashMap::new(),
            failed: HashMap::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Folders whose changes should trigger a scan.
    fn watched_folders(&self) -> Vec<PathBuf> {
        match self.layout {
            Layout::Maildir => ["new", "cur"]
                .iter()
                .map(|sub| self.path.join(sub))
                .filter(|folder| folder.is_dir())
                .collect(),
            Layout::Files => vec![self.path.clone()],
        }
    }

    /// Ingests every complete file in the folder and moves each one out
    /// after its transaction committed. A file that fails is left in place
    /// and listed in [`ScanReport::left`]; the scan goes on with the next.
    /// Errors only when the folder itself cannot be listed.
    pub fn scan(&mut self, ingestor: &mut Ingestor<'_>) -> anyhow::Result<ScanReport> {
        let mut report = ScanReport::default();
        for file in self.ready_files(&mut report)? {
            self.process(ingestor, &file, &mut report);
        }
        Ok(report)
    }

    /// Lists the files ready to be read, oldest name first, and records
    /// those still settling.
    fn ready_files(&mut self, report: &mut ScanReport) -> anyhow::Result<Vec<PathBuf>> {
        let mut ready = Vec::new();
        match self.layout {
            Layout::Maildir => {
                for sub in ["new", "cur"] {
                    let folder = self.path.join(sub);
                    if !folder.is_dir() {
                        continue;
                    }
                    for file in visible_files(&folder)? {
                        if sub == "new" || !maildir_is_seen(&file) {
                            ready.push(file);
                        }
                    }
                }
            }
            Layout::Files => {
                let now = Instant::now();
                let files = visible_files(&self.path)?;
                self.settling.retain(|file, _| files.contains(file));
                for file in files {
                    if is_partial_name(&file) {
                        continue;
                    }
                    let Ok(metadata) = std::fs::metadata(&file) else {
                        continue;
                    };
                    let observed = (metadata.len(), metadata.modified().ok());
                    if self.recently_failed(&file, observed.0) {
                        continue;
                    }
                    match self.settling.get(&file) {
                        Some(&(len, modified, since))
                            if (len, modified) == observed && now - since >= SETTLE_TIME =>
                        {
                            self.settling.remove(&file);
                            ready.push(file);
                        }
                        Some(&(len, modified, _)) if (len, modified) == observed => {
                            report.settling += 1;
                        }
                        _ => {
                            self.settling.insert(file, (observed.0, observed.1, now));
                            report.settling += 1;
                        }
                    }
                }
            }
        }
        self.failed.retain(|file, _| file.exists());
        Ok(ready)
    }

    /// True when `file` failed at this size less than [`RETRY_AFTER`] ago.
    fn recently_failed(&self, file: &Path, size: u64) -> bool {
        self.failed
            .get(file)
            .is_some_and(|&(failed_size, at)| failed_size == size && at.elapsed() < RETRY_AFTER)
    }

    fn process(&mut self, ingestor: &mut Ingestor<'_>, file: &Path, report: &mut ScanReport) {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        if self.recently_failed(file, size) {
            return;
        }
        let source = file.display().to_string();
        let result = crate::ingest::read_input(file)
            .map_err(|reason| anyhow::anyhow!(reason))
            .and_then(|bytes| {
                let name = file
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                ingestor.ingest_bytes(&source, &name, None, &bytes)
            });
        let summary = match result {
            Ok(summary) if summary.not_read.is_empty() => summary,
            Ok(summary) => {
                self.leave(file, size, summary.not_read[0].reason.clone(), report);
                return;
            }
            Err(error) => {
                self.leave(
                    file,
                    size,
                    format!("not stored, so left in place: {error:#}"),
                    report,
                );
                return;
            }
        };
        match self.move_out(file) {
            Ok(moved_to) => {
                tracing::info!(file = %file.display(), moved_to = %moved_to.display(),
                    messages = summary.messages_stored, quarantined = summary.quarantined.len(),
                    "took a file from the drop folder");
                report.processed.push(Processed {
                    file: file.to_path_buf(),
                    moved_to,
                    summary,
                });
            }
            Err(error) => {
                // The bytes are stored, so a later scan finds them imported
                // and only tries the move again.
                self.leave(
                    file,
                    size,
                    format!("stored, but could not be moved out of the drop folder: {error:#}"),
                    report,
                );
            }
        }
    }

    fn leave(&mut self, file: &Path, size: u64, reason: String, report: &mut ScanReport) {
        tracing::error!(file = %file.display(), reason, "left a file in the drop folder");
        self.failed
            .insert(file.to_path_buf(), (size, Instant::now()));
        report.left.push(Quarantined {
            source: file.display().to_string(),
            reason,
        });
    }

    /// Moves a stored file out of the drop folder and returns its new path.
    fn move_out(&self, file: &Path) -> anyhow::Result<PathBuf> {
        let name = file
            .file_name()
            .context("the file has no name")?
            .to_string_lossy()
            .into_owned();
        let target = match self.layout {
            Layout::Maildir => self.path.join("cur").join(maildir_with_seen_flag(&name)),
            Layout::Files => {
                let done = self.path.join(DONE_FOLDER);
                std::fs::create_dir_all(&done)
                    .with_context(|| format!("creating {}", done.display()))?;
                free_name(&done, &name)
            }
        };
        std::fs::rename(file, &target)
            .with_context(|| format!("moving {} to {}", file.display(), target.display()))?;
        Ok(target)
    }
}

/// Watches `folders` until `stop` is set, scanning each at the start, on
/// every change the file system reports, while files are settling, and
/// every few seconds in case a change went unreported. `on_scan` receives
/// each scan that read or left a file. A scan that fails (a folder that
/// disappeared) is logged and tried again later.
pub fn watch(
    folders: &mut [DropFolder],
    ingestor: &mut Ingestor<'_>,
    stop: &AtomicBool,
    mut on_scan: impl FnMut(&DropFolder, &ScanReport),
) -> anyhow::Result<()> {
    use notify::Watcher;

    let (sender, events) = std::sync::mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(sender).context("starting the drop folder watcher")?;
    for folder in folders.iter() {
        for watched in folder.watched_folders() {
            watcher
                .watch(&watched, notify::RecursiveMode::NonRecursive)
                .with_context(|| format!("watching {}", watched.display()))?;
        }
        tracing::info!(folder = %folder.path.display(), layout = ?folder.layout,
            "watching the drop folder");
    }

    let mut changed = true;
    let mut last_scan = Instant::now();
    let mut settling = false;
    while !stop.load(Ordering::SeqCst) {
        if changed || settling || last_scan.elapsed() >= RESCAN_INTERVAL {
            settling = false;
            for folder in folders.iter_mut() {
                match folder.scan(ingestor) {
                    Ok(report) => {
                        settling |= report.settling > 0;
                        if !report.is_empty() {
                            on_scan(folder, &report);
                        }
                    }
                    Err(error) => {
                        tracing::error!(folder = %folder.path.display(), "scan failed: {error:#}");
                    }
                }
            }
            changed = false;
            last_scan = Instant::now();
        }
        match events.recv_timeout(TICK) {
            Ok(Ok(_)) => changed = true,
            Ok(Err(error)) => {
                tracing::warn!("drop folder watcher reported an error, rescanning: {error}");
                changed = true;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the drop folder watcher stopped unexpectedly")
            }
        }
        // Collect the rest of a burst of events, so it causes one scan.
        while events.try_recv().is_ok() {}
    }
    tracing::info!("stopped watching the drop folders");
    Ok(())
}

/// Lists the visible regular files in `folder`, sorted by name.
fn visible_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let listing = std::fs::read_dir(folder)
        .with_context(|| format!("listing the drop folder {}", folder.display()))?;
    for entry in listing {
        let entry = entry.with_context(|| format!("listing {}", folder.display()))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type().is_ok_and(|kind| kind.is_file()) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// True for names a writer uses while a file is incomplete.
fn is_partial_name(file: &Path) -> bool {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with(".tmp") || name.ends_with(".part")
}

/// True when a Maildir file name carries the `S` (seen) flag in its
/// `:2,FLAGS` suffix.
fn maildir_is_seen(file: &Path) -> bool {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    name.rsplit_once(":2,")
        .is_some_and(|(_, flags)| flags.contains('S'))
}

/// Returns a Maildir file name with the `S` flag added, keeping the other
/// flags in the ASCII order the Maildir specification asks for.
fn maildir_with_seen_flag(name: &str) -> String {
    let (unique, flags) = name.rsplit_once(":2,").unwrap_or((name, ""));
    let mut flags: Vec<char> = flags.chars().chain(['S']).collect();
    flags.sort_unstable();
    flags.dedup();
    format!("{unique}:2,{}", flags.into_iter().collect::<String>())
}

/// Returns `folder/name`, or `folder/name.N` with the lowest N that is free.
fn free_name(folder: &Path, name: &str) -> PathBuf {
    let mut candidate = folder.join(name);
    let mut counter = 1;
    while candidate.exists() {
        candidate = folder.join(format!("{name}.{counter}"));
        counter += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_flag_is_added_in_order() {
        assert_eq!(maildir_with_seen_flag("1.M2.host"), "1.M2.host:2,S");
        assert_eq!(maildir_with_seen_flag("1.M2.host:2,"), "1.M2.host:2,S");
        assert_eq!(maildir_with_seen_flag("1.M2.host:2,FT"), "1.M2.host:2,FST");
        assert_eq!(maildir_with_seen_flag("1.M2.host:2,RS"), "1.M2.host:2,RS");
    }

    #[test]
    fn seen_flag_is_read_from_the_name() {
        assert!(maildir_is_seen(Path::new("cur/1.host:2,RS")));
        assert!(!maildir_is_seen(Path::new("cur/1.host:2,F")));
        assert!(!maildir_is_seen(Path::new("cur/1.host")));
    }

    #[test]
    fn free_name_counts_up() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(
            free_name(folder.path(), "a.eml"),
            folder.path().join("a.eml")
        );
        std::fs::write(folder.path().join("a.eml"), b"x").unwrap();
        std::fs::write(folder.path().join("a.eml.1"), b"x").unwrap();
        assert_eq!(
            free_name(folder.path(), "a.eml"),
            folder.path().join("a.eml.2")
        );
    }

    #[test]
    fn layout_follows_maildir_folders() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("new")).unwrap();
        assert_eq!(
            DropFolder::open(root.path()).unwrap().layout(),
            Layout::Maildir
        );
        let plain = tempfile::tempdir().unwrap();
        assert_eq!(
            DropFolder::open(plain.path()).unwrap().layout(),
            Layout::Files
        );
    }

    #[test]
    fn missing_folder_names_the_path() {
        let error = DropFolder::open(Path::new("/no/such/drop")).unwrap_err();
        assert!(error.to_string().contains("/no/such/drop"), "{error}");
    }
}
