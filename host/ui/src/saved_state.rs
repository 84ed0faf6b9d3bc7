//! The workbench state kept across restarts: the window size, the pane
//! layout with each pane's conversation, and the unsent drafts.
//!
//! It lives in a JSON file beside the database (`kefu.db.workbench.json`
//! for `kefu.db`), not in the database. The conversation ids in it belong
//! to that database, so the file sits with it. Drafts change with every
//! keystroke, and a database commit per keystroke would sync the disk
//! (`synchronous = FULL`) and wake every other connection's change poll.
//! The layout is also the desk of one person on one machine, which a
//! backup and restore of the team's data should not carry along.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::labels::{self, Label};

/// Version of the file's format. A file with another version is set aside
/// like an invalid one.
const FORMAT_VERSION: u32 = 1;

/// Everything the file stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedState {
    pub version: u32,
    /// Inner size of the window in logical pixels, when it was resized.
    #[serde(default)]
    pub window: Option<WindowSize>,
    pub layout: SavedLayout,
    /// Position of the focused pane, counting panes in layout order.
    #[serde(default)]
    pub focused: usize,
    /// Position of the maximised pane, if one fills the grid.
    #[serde(default)]
    pub maximized: Option<usize>,
    /// Unsent reply text by conversation id.
    #[serde(default)]
    pub drafts: BTreeMap<i64, String>,
    /// Conversations of the panes popped out into windows of their own,
    /// reopened in such windows at start-up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub popped_out: Vec<i64>,
    /// The user's choice on the offer of demo data on an empty database,
    /// so the offer is made once. Left out of the file until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo_offer: Option<DemoOfferChoice>,
}

/// What the user chose when the app offered demo data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DemoOfferChoice {
    /// Demo data was generated into the database.
    DemoData,
    /// The user chose to start with the empty database.
    StartEmpty,
}

impl Default for SavedState {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            window: None,
            layout: SavedLayout::Pane { conversation: None },
            focused: 0,
            maximized: None,
            drafts: BTreeMap::new(),
            popped_out: Vec::new(),
            demo_offer: None,
        }
    }
}

/// Inner size of the window in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowSize {
    pub width: f32,
    pub height: f32,
}

/// The pane grid as a tree: a split into two parts, or one pane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SavedLayout {
    Split {
        /// `horizontal` stacks the parts, `vertical` puts them side by side
        /// (iced's `pane_grid::Axis`).
        axis: SavedAxis,
        /// Share of the first part, between 0 and 1.
        ratio: f32,
        first: Box<SavedLayout>,
        second: Box<SavedLayout>,
    },
    Pane {
        conversation: Option<i64>,
    },
}

/// Direction of the line that splits a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SavedAxis {
    Horizontal,
    Vertical,
}

/// Returns the path of the state file of the database at `db_path`.
pub fn path_for(db_path: &Path) -> PathBuf {
    let mut name = db_path
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_else(|| "kefu.db".into());
    name.push(".workbench.json");
    db_path.with_file_name(name)
}

/// Outcome of reading the state file.
pub struct Loaded {
    pub state: SavedState,
    /// Line to show when the file was invalid and was moved aside.
    pub error: Option<Label>,
}

/// Reads the state file at `path`. A missing file gives the default state.
/// An unreadable or invalid one also gives the default state, and is
/// renamed to `*.invalid` so the drafts in it can still be recovered by
/// hand and the next save does not overwrite them.
pub fn load(path: &Path) -> Loaded {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Loaded {
                state: SavedState::default(),
                error: None,
            };
        }
        Err(error) => {
            let error = format!("{error}");
            return set_aside(path, &error);
        }
    };
    match parse(&bytes) {
        Ok(state) => Loaded { state, error: None },
        Err(error) => set_aside(path, &format!("{error:#}")),
    }
}

fn parse(bytes: &[u8]) -> anyhow::Result<SavedState> {
    let state: SavedState = serde_json::from_slice(bytes).context("invalid JSON")?;
    if state.version != FORMAT_VERSION {
        anyhow::bail!(
            "format version {} is not the supported version {FORMAT_VERSION}",
            state.version
        );
    }
    Ok(state)
}

fn set_aside(path: &Path, error: &str) -> Loaded {
    let mut aside = path.as_os_str().to_os_string();
    aside.push(".invalid");
    let aside = PathBuf::from(aside);
    let moved = std::fs::rename(path, &aside);
    tracing::warn!(path = %path.display(), %error, "workbench state file is invalid");
    let aside = match moved {
        Ok(()) => Some(aside),
        Err(rename_error) => {
            tracing::warn!(path = %path.display(), "moving the invalid state file aside failed: {rename_error}");
            None
        }
    };
    let (path, error) = (path.to_path_buf(), error.to_string());
    let line = Label::new(move || labels::state_file_invalid(&path, &error, aside.as_deref()));
    Loaded {
        state: SavedState::default(),
        error: Some(line),
    }
}

/// Writes `contents` to `path` through a temporary file in the same folder
/// and a rename, so a crash leaves the old file or the new one, never half
/// of one.
pub fn write(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_os_string();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, contents)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("renaming {} to {}", temporary.display(), path.display()))?;
    Ok(())
}

/// Returns the saved window size for the database at `db_path`, if the
/// file has a valid one. Leaves an invalid file in place, for the
/// workbench to report when it starts.
pub fn window_size(db_path: &Path) -> Option<WindowSize> {
    let bytes = std::fs::read(path_for(db_path)).ok()?;
    let size = parse(&bytes).ok()?.window?;
    let valid = |value: f32| value.is_finite() && value >= 200.0;
    (valid(size.width) && valid(size.height)).then_some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_sits_beside_database() {
        let path = path_for(Path::new("/data/kefu/kefu.db"));
        assert_eq!(path, Path::new("/data/kefu/kefu.db.workbench.json"));
    }

    #[test]
    fn state_round_trips_through_json() {
        let state = SavedState {
            window: Some(WindowSize {
                width: 1400.0,
                height: 900.0,
            }),
            layout: SavedLayout::Split {
                axis: SavedAxis::Vertical,
                ratio: 0.4,
                first: Box::new(SavedLayout::Pane {
                    conversation: Some(3),
                }),
                second: Box::new(SavedLayout::Pane { conversation: None }),
            },
            focused: 1,
            maximized: Some(0),
            drafts: BTreeMap::from([(3, "您好，\n退款已处理。".to_string())]),
            demo_offer: Some(DemoOfferChoice::StartEmpty),
            ..SavedState::default()
        };
        let json = serde_json::to_vec(&state).unwrap();
        assert_eq!(parse(&json).unwrap(), state);
    }

    #[test]
    fn invalid_file_is_set_aside() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kefu.db.workbench.json");
        std::fs::write(&path, "{\"version\": 1, \"layout\": ").unwrap();

        let loaded = load(&path);

        assert_eq!(loaded.state, SavedState::default());
        let error = loaded.error.expect("an error line").text();
        assert!(error.contains("kefu.db.workbench.json"), "{error}");
        assert!(!path.exists());
        let aside = folder.path().join("kefu.db.workbench.json.invalid");
        assert!(aside.exists());
    }

    #[test]
    fn other_version_is_rejected() {
        let json = br#"{"version": 2, "layout": {"kind": "pane", "conversation": null}}"#;
        let error = parse(json).unwrap_err();
        assert!(format!("{error:#}").contains("version 2"), "{error:#}");
    }
}
