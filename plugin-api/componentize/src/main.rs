//! Turns a core WebAssembly module built with `wit-bindgen` into a Kefu
//! plugin component and embeds the plugin's manifest in it.
//!
//! Usage:
//!
//! ```text
//! kefu-componentize MODULE.wasm COMPONENT.wasm --manifest plugin.toml
//! ```
//!
//! - `MODULE.wasm`: the `cdylib` built for `wasm32-unknown-unknown`. It
//!   carries its WIT world in custom sections written by `wit-bindgen`, so
//!   no WIT file is needed here.
//! - `COMPONENT.wasm`: the component to write; an existing file is replaced.
//! - `--manifest plugin.toml`: the plugin's manifest. Its text is appended
//!   unchanged to the component as a top-level custom section named
//!   `kefu-manifest`, where the host reads it.
//!
//! The manifest must parse and pass the checks the host makes (see
//! `src/manifest.rs`). Its `kind` must match the interface the module exports
//! (`kefu:plugin/rule` for `rule`), the module may import only the
//! interfaces of that kind's world, and `api` must be the version of the
//! `kefu:plugin` package the module was built against. The tool exits with
//! status 1 and a message naming the file when a check fails.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

/// Turns a plugin's core WebAssembly module into a Kefu plugin component
/// with its plugin.toml embedded.
#[derive(Parser)]
#[command(name = "kefu-componentize", version)]
struct Args {
    /// Core WebAssembly module built with kefu-plugin-sdk or wit-bindgen for wasm32-unknown-unknown.
    module: PathBuf,
    /// Path of the component to write.
    component: PathBuf,
    /// The plugin's plugin.toml, embedded in the component as the `kefu-manifest` custom section.
    #[arg(long, value_name = "PLUGIN.toml")]
    manifest: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let manifest_text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("reading manifest {}", args.manifest.display()))?;
    let module = std::fs::read(&args.module)
        .with_context(|| format!("reading module {}", args.module.display()))?;
    let (manifest, component) =
        kefu_componentize::componentize(&args.module, &module, &args.manifest, &manifest_text)?;
    std::fs::write(&args.component, &component)
        .with_context(|| format!("writing component {}", args.component.display()))?;
    println!(
        "{} -> {} ({} bytes, plugin {} with manifest {})",
        args.module.display(),
        args.component.display(),
        component.len(),
        manifest.id,
        args.manifest.display()
    );
    Ok(())
}
