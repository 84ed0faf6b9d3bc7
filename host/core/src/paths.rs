//! Default locations of Kefu's database and caches.

use std::path::PathBuf;

use anyhow::Context;

/// Environment variable that overrides the database path.
pub const DB_ENV: &str = "KEFU_DB";

/// Default database path: `kefu.db` in the user's data folder, for example
/// `~/.local/share/kefu/kefu.db` on Linux.
pub fn default_db_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kefu")
        .context("finding the user's data folder; set KEFU_DB or pass --db PATH")?;
    Ok(dirs.data_dir().join("kefu.db"))
}

/// Folder of compiled plugin components, for example
/// `~/.cache/kefu/plugins` on Linux. Deleting it only costs a recompile.
pub fn plugin_cache_dir() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kefu")
        .context("finding the user's cache folder")?;
    Ok(dirs.cache_dir().join("plugins"))
}

/// Environment variable that overrides the plugins folder.
pub const PLUGINS_ENV: &str = "KEFU_PLUGINS";

/// Default plugins folder: `plugins` in the user's data folder, for example
/// `~/.local/share/kefu/plugins` on Linux. Component files dropped here are
/// loaded beside the built-in plugins.
pub fn default_plugin_dir() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kefu")
        .context("finding the user's data folder; set KEFU_PLUGINS or pass --plugins PATH")?;
    Ok(dirs.data_dir().join("plugins"))
}

/// Environment variable that overrides the configuration folder.
pub const CONFIG_ENV: &str = "KEFU_CONFIG";

/// Default configuration folder, for example `~/.config/kefu` on Linux. It
/// holds `lifecycle.toml`, `sla.toml` and `rules.toml`; a missing file means
/// the built-in defaults.
pub fn default_config_dir() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kefu").context(
        "finding the user's configuration folder; set KEFU_CONFIG or pass --config PATH",
    )?;
    Ok(dirs.config_dir().to_path_buf())
}
