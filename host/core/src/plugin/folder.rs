//! The plugins folder: finding plugin files and watching for changes.
//!
//! A plugin is one component file (`*.wasm`) with its manifest inside.
//! Files are read whole when loaded, through [`read_plugin_file`], so
//! replacing a file while Kefu runs does not affect the running plugin. A changed file is read once the
//! folder has been quiet for [`FolderWatch::QUIET`]. A copy that stalls for
//! longer can be read half-written, and the plugin then shows as broken
//! until the copy finishes and the next sync reloads it.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};
use notify::Watcher;

/// Extension of plugin component files.
pub const COMPONENT_EXTENSION: &str = "wasm";

/// Maximum size of a plugin component file, in bytes. The built-in plugins
/// are below 1 MiB.
pub const MAX_COMPONENT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the regular file at `path` whole, rejecting a directory, a named
/// pipe, a device or a socket, and a file of more than `max_bytes`. At most
/// `max_bytes + 1` bytes are read, so a file that grows while it is read is
/// rejected too. Every error message names the file.
///
/// NOTE: the type is checked before the file is opened and again on the
/// opened file. A regular file swapped for a named pipe between the two
/// checks makes the open wait for a writer.
pub fn read_plugin_file(path: &Path, max_bytes: u64) -> anyhow::Result<Vec<u8>> {
    let metadata = std::fs::metadata(path)
        .with_context(|| format!("reading {}; check that the file exists", path.display()))?;
    check_regular_file(path, &metadata, max_bytes)?;
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("reading {}", path.display()))?;
    check_regular_file(path, &metadata, max_bytes)?;

    let capacity = usize::try_from(metadata.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > max_bytes {
        bail!(
            "{} grew past the maximum of {} while it was read; read it again once it is \
             complete",
            path.display(),
            format_limit(max_bytes)
        );
    }
    Ok(bytes)
}

/// Rejects anything but a regular file of at most `max_bytes`.
fn check_regular_file(path: &Path, metadata: &Metadata, max_bytes: u64) -> anyhow::Result<()> {
    if !metadata.is_file() {
        bail!(
            "{} is {}, not a regular file",
            path.display(),
            file_type_name(metadata)
        );
    }
    if metadata.len() > max_bytes {
        bail!(
            "{} is {} bytes, more than the maximum of {}",
            path.display(),
            metadata.len(),
            format_limit(max_bytes)
        );
    }
    Ok(())
}

/// Names the type of a file that is not a regular file, with its article.
fn file_type_name(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// Formats a limit in bytes, adding MiB for whole mebibytes.
fn format_limit(max_bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if max_bytes >= MIB && max_bytes.is_multiple_of(MIB) {
        format!("{max_bytes} bytes ({} MiB)", max_bytes / MIB)
    } else {
        format!("{max_bytes} bytes")
    }
}

/// Lists the component files (`*.wasm`) in `folder`, sorted by name.
/// Subfolders are skipped, and a missing folder gives an empty list.
pub fn component_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error)
                .with_context(|| format!("reading plugins folder {}", folder.display()));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == COMPONENT_EXTENSION)
                && path.is_file()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Lists the native plugin libraries in `folder` (`*.so`, `*.dylib` or
/// `*.dll`, whichever this platform loads), sorted by name. Subfolders are
/// skipped, and a missing folder gives an empty list.
pub fn native_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error)
                .with_context(|| format!("reading plugins folder {}", folder.display()));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == super::native::LIBRARY_EXTENSION)
                && path.is_file()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Watcher of a plugins folder. [`FolderWatch::wait`] reports each burst of
/// file changes once, after the folder has been quiet for
/// [`FolderWatch::QUIET`], so that a file still being copied is not read
/// halfway.
pub struct FolderWatch {
    _watcher: notify::RecommendedWatcher,
    changes: mpsc::Receiver<()>,
}

impl FolderWatch {
    /// Time without changes after which a burst counts as finished.
    pub const QUIET: Duration = Duration::from_millis(300);

    /// Starts watching `folder`, creating it when missing.
    pub fn start(folder: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating plugins folder {}", folder.display()))?;
        let (sender, changes) = mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event
                    && !event.kind.is_access()
                {
                    let _ = sender.send(());
                }
            })
            .context("starting the plugins folder watcher")?;
        watcher
            .watch(folder, notify::RecursiveMode::NonRecursive)
            .with_context(|| format!("watching plugins folder {}", folder.display()))?;
        Ok(Self {
            _watcher: watcher,
            changes,
        })
    }

    /// Waits up to `timeout` for a change, then until the folder has been
    /// quiet for [`Self::QUIET`]. Returns whether a change arrived, so the
    /// call can take longer than `timeout` while changes continue.
    pub fn wait(&self, timeout: Duration) -> bool {
        if self.changes.recv_timeout(timeout).is_err() {
            return false;
        }
        while self.changes.recv_timeout(Self::QUIET).is_ok() {}
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_component_files_sorted() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.wasm", "a.wasm", "notes.txt", "c.wasm.partial"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        std::fs::create_dir(dir.path().join("d.wasm")).unwrap();
        let names: Vec<String> = component_files(dir.path())
            .unwrap()
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["a.wasm", "b.wasm"]);
    }

    #[test]
    fn missing_folder_lists_no_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            component_files(&dir.path().join("none"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn read_plugin_file_reads_small_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.wasm");
        std::fs::write(&path, b"\0asm").unwrap();
        assert_eq!(read_plugin_file(&path, 4).unwrap(), b"\0asm");
    }

    #[test]
    fn read_plugin_file_rejects_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("folder.wasm");
        std::fs::create_dir(&path).unwrap();
        let error = format!("{:#}", read_plugin_file(&path, 1024).unwrap_err());
        assert!(
            error.contains("is a directory, not a regular file"),
            "{error}"
        );
        assert!(error.contains("folder.wasm"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn read_plugin_file_rejects_fifo_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo.wasm");
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("running mkfifo");
        assert!(status.success());
        // Opening a FIFO for reading waits for a writer, so a hang here
        // means the type check came too late.
        let error = format!("{:#}", read_plugin_file(&path, 1024).unwrap_err());
        assert!(error.contains("named pipe (FIFO)"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn read_plugin_file_rejects_device() {
        let error = format!(
            "{:#}",
            read_plugin_file(Path::new("/dev/zero"), 1024).unwrap_err()
        );
        assert!(error.contains("/dev/zero is a device"), "{error}");
    }

    #[test]
    fn read_plugin_file_rejects_sparse_oversized_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.wasm");
        let file = std::fs::File::create(&path).unwrap();
        // Sparse on most file systems, so the test writes no 3 GiB.
        file.set_len(3 * 1024 * 1024 * 1024).unwrap();
        let error = format!(
            "{:#}",
            read_plugin_file(&path, MAX_COMPONENT_BYTES).unwrap_err()
        );
        assert!(error.contains("big.wasm is 3221225472 bytes"), "{error}");
        assert!(
            error.contains("more than the maximum of 67108864 bytes (64 MiB)"),
            "{error}"
        );
    }

    #[test]
    fn read_plugin_file_accepts_file_at_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exact.wasm");
        std::fs::write(&path, [7u8; 16]).unwrap();
        assert_eq!(read_plugin_file(&path, 16).unwrap().len(), 16);
        let error = format!("{:#}", read_plugin_file(&path, 15).unwrap_err());
        assert!(
            error.contains("is 16 bytes, more than the maximum of 15 bytes"),
            "{error}"
        );
    }

    #[test]
    fn watch_reports_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let watch = FolderWatch::start(dir.path()).unwrap();
        std::fs::write(dir.path().join("new.wasm"), b"x").unwrap();
        assert!(watch.wait(Duration::from_secs(5)));
        assert!(!watch.wait(Duration::from_millis(50)));
    }
}
