//! The plugins folder: finding plugin files and watching for changes.
//!
//! A plugin is one component file (`*.wasm`) with its manifest inside.
//! Files are read whole when loaded, so replacing a file while Kefu runs
//! does not affect the running plugin. A changed file is read once the
//! folder has been quiet for [`FolderWatch::QUIET`]. A copy that stalls for
//! longer can be read half-written, and the plugin then shows as broken
//! until the copy finishes and the next sync reloads it.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify::Watcher;

/// Extension of plugin component files.
pub const COMPONENT_EXTENSION: &str = "wasm";

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
    fn watch_reports_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let watch = FolderWatch::start(dir.path()).unwrap();
        std::fs::write(dir.path().join("new.wasm"), b"x").unwrap();
        assert!(watch.wait(Duration::from_secs(5)));
        assert!(!watch.wait(Duration::from_millis(50)));
    }
}
