//! Opens the workbench on a database filled with the sample that the tests
//! use: Chinese and English conversations, a bounce, a phone call and three
//! tickets. For screenshots and manual checks:
//!
//! ```sh
//! cargo run -p kefu-ui --example seeded -- /tmp/kefu-sample.db [PLUGINS_DIR] [CONFIG_DIR]
//! ```
//!
//! The sample is stored only when the database has no conversations yet.
//! Without a plugins folder, only the built-in plugins load. Without a
//! configuration folder, the built-in lifecycle and SLA apply and no
//! declarative rules run.

// The example uses only part of the sample's helpers, and the tests use the
// rest.
#[allow(dead_code)]
#[path = "../tests/workbench/seed.rs"]
mod seed;

use std::path::PathBuf;

use anyhow::Context;
use kefu_core::Store;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();

    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .context("missing database path; usage: seeded DATABASE_PATH [PLUGINS_DIR] [CONFIG_DIR]")?;
    let plugin_folder = std::env::args_os().nth(2).map(PathBuf::from);
    let config_folder = std::env::args_os().nth(3).map(PathBuf::from);
    let mut store = Store::open(&path)?;
    if store.counts()?.conversations == 0 {
        let sample = seed::seed_sample(&mut store).context("storing the sample")?;
        tracing::info!(?sample, path = %path.display(), "stored the sample");
    }
    drop(store);

    kefu_ui::run(path, plugin_folder, config_folder)
}
