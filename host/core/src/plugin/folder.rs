//! The plugins folder: finding plugin files and watching for changes.
//!
//! A plugin is one component file (`*.wasm`) with its manifest inside.
//! Files are read whole when loaded, so replacing a file while Kefu runs is
//! safe: the next reload sees either the old or the new file.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify::Watcher;

/// Extension of plugin component files.
pub const COMPONENT_EXTENSION: &str = "wasm";

/// Component files in `folder`, sorted by name. A missing folder holds none.
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

/// Native plugin libraries in `folder` (`*.so`, `*.dylib` or `*.dll`,
/// whichever this platform loads), sorted by name.
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

/// Watches a plugins folder. Each burst of file changes produces one
/// notice on the receiver, after the folder has been quiet for
/// [`FolderWatch::QUIET`], so a file still being copied is not read half way.
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

    /// Waits up to `timeout` for a burst of changes to finish; true when one did.
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
    fn missing_folder_has_no_plugins() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            component_files(&dir.path().join("none"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_new_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let watch = FolderWatch::start(dir.path()).unwrap();
        std::fs::write(dir.path().join("new.wasm"), b"x").unwrap();
        assert!(watch.wait(Duration::from_secs(5)));
        assert!(!watch.wait(Duration::from_millis(50)));
    }
}
