//! Turns core WebAssembly modules built with `wit-bindgen` into components.
//!
//! Usage: `kefu-componentize MODULE.wasm COMPONENT.wasm [MODULE COMPONENT ...]`.
//! The module carries its WIT world in a custom section written by
//! `wit-bindgen`, so no WIT file is needed here.

use std::path::Path;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        bail!("usage: kefu-componentize MODULE.wasm COMPONENT.wasm [MODULE COMPONENT ...]");
    }
    for pair in args.chunks(2) {
        componentize(Path::new(&pair[0]), Path::new(&pair[1]))?;
    }
    Ok(())
}

fn componentize(module_path: &Path, component_path: &Path) -> anyhow::Result<()> {
    let module = std::fs::read(module_path)
        .with_context(|| format!("reading module {}", module_path.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| {
            format!(
                "{} has no Kefu world metadata; build it with kefu-plugin-sdk",
                module_path.display()
            )
        })?
        .validate(true)
        .encode()
        .with_context(|| format!("encoding {} as a component", module_path.display()))?;
    std::fs::write(component_path, &component)
        .with_context(|| format!("writing component {}", component_path.display()))?;
    println!(
        "{} -> {} ({} bytes)",
        module_path.display(),
        component_path.display(),
        component.len()
    );
    Ok(())
}
