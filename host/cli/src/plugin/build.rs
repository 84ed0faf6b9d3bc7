//! `kefu plugin build`: compile a plugin project for wasm32 and turn the
//! module into a component with plugin.toml embedded.
//!
//! Two toolchains work, tried in this order, as in `plugins/build`:
//! 1. rustup with the `wasm32-unknown-unknown` target installed;
//! 2. Debian's `rustc-web`, `cargo-web` and `rust-web-src` packages
//!    (`/usr/bin/cargo`, `/usr/bin/rustc` and the standard library's source),
//!    which rebuild the standard library for wasm32 with `-Zbuild-std` and
//!    link with `rust-lld`.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, bail};
use kefu_core::plugin::Manifest;

use super::BuildArgs;

const TARGET: &str = "wasm32-unknown-unknown";

/// Debian's compiler and Cargo, and the standard library source they rebuild.
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_LIBRARY_SOURCE: &str = "/usr/lib/rustlib/src/rust/library";

/// A toolchain that builds for wasm32.
#[derive(Debug)]
enum Toolchain {
    /// `cargo` on the PATH, with rustup's wasm32 target.
    Rustup,
    /// Debian's compiler, building the standard library from source and
    /// linking with `linker`.
    DebianBuildStd { linker: PathBuf },
}

pub fn run(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let built = build(&args.dir)?;
    crate::output::print(&format!(
        "Built {} {} {}: {}, {}\n",
        built.manifest.kind.manifest_name(),
        built.manifest.id,
        built.manifest.version,
        built.component.display(),
        super::format_size(built.size)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// A component written by [`build`].
pub struct Built {
    pub manifest: Manifest,
    pub component: PathBuf,
    pub size: u64,
}

/// Builds the project in `dir` and writes `dir/target/kefu/<id>.wasm`.
pub fn build(dir: &Path) -> anyhow::Result<Built> {
    let cargo_toml = dir.join("Cargo.toml");
    if !cargo_toml.is_file() {
        bail!(
            "{} not found; run kefu plugin build in a plugin project, or pass its folder",
            cargo_toml.display()
        );
    }
    let manifest_path = dir.join("plugin.toml");
    let manifest_text = std::fs::read_to_string(&manifest_path).map_err(|error| {
        anyhow::anyhow!(
            "reading {} failed: {error}; every plugin project needs a plugin.toml, as \
             `kefu plugin new` creates",
            manifest_path.display()
        )
    })?;
    let manifest = Manifest::parse(&manifest_text)
        .with_context(|| format!("checking {}", manifest_path.display()))?;

    let toolchain = find_toolchain()?;
    tracing::info!(?toolchain, "building {} for {TARGET}", dir.display());
    let module_path = cargo_build(&toolchain, &cargo_toml)?;
    let module = std::fs::read(&module_path)
        .with_context(|| format!("reading {}", module_path.display()))?;
    let (_, component) =
        kefu_componentize::componentize(&module_path, &module, &manifest_path, &manifest_text)?;

    let out_dir = dir.join("target").join("kefu");
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let out = out_dir.join(format!("{}.wasm", manifest.id));
    std::fs::write(&out, &component).with_context(|| format!("writing {}", out.display()))?;
    Ok(Built {
        manifest,
        component: out,
        size: component.len() as u64,
    })
}

/// Finds a toolchain that builds for wasm32, or fails naming what to install.
fn find_toolchain() -> anyhow::Result<Toolchain> {
    if rustup_has_target() {
        return Ok(Toolchain::Rustup);
    }
    let debian = Path::new(DEBIAN_CARGO).is_file()
        && Path::new(DEBIAN_RUSTC).is_file()
        && Path::new(DEBIAN_LIBRARY_SOURCE).is_dir();
    if debian {
        let linker = find_rust_lld().context(
            "Debian's rustc-web is installed, but no rust-lld was found to link wasm32 modules; \
             install a Rust toolchain with rustup, which ships rust-lld",
        )?;
        return Ok(Toolchain::DebianBuildStd { linker });
    }
    bail!(
        "no WebAssembly toolchain found: the rustup target {TARGET} is not installed and \
         Debian's rustc-web is missing. Run `rustup target add {TARGET}`, or on Debian or \
         Ubuntu `apt-get install rustc-web cargo-web rust-web-src`"
    )
}

fn rustup_has_target() -> bool {
    let Ok(output) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .stderr(Stdio::null())
        .output()
    else {
        return false;
    };
    output.status.success()
        && String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|line| line.trim() == TARGET)
}

/// Finds `rust-lld` in the stable toolchain's sysroot, else `rust-lld` or
/// `lld` on the PATH.
fn find_rust_lld() -> Option<PathBuf> {
    let sysroot = command_output("rustup", &["run", "stable", "rustc", "--print", "sysroot"])
        .or_else(|| command_output("rustc", &["--print", "sysroot"]));
    let host = command_output("rustc", &["-vV"]).and_then(|text| {
        text.lines()
            .find_map(|line| line.strip_prefix("host: "))
            .map(str::to_string)
    });
    if let (Some(sysroot), Some(host)) = (sysroot, host) {
        let lld = Path::new(sysroot.trim())
            .join("lib/rustlib")
            .join(host.trim())
            .join("bin/rust-lld");
        if lld.is_file() {
            return Some(lld);
        }
    }
    let path = std::env::var_os("PATH")?;
    ["rust-lld", "lld"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|folder| folder.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `cargo build --release` for wasm32 and returns the path of the
/// project's cdylib module. Cargo's progress and errors go to standard error.
fn cargo_build(toolchain: &Toolchain, cargo_toml: &Path) -> anyhow::Result<PathBuf> {
    let mut command = match toolchain {
        Toolchain::Rustup => Command::new("cargo"),
        Toolchain::DebianBuildStd { linker } => {
            let mut command = Command::new(DEBIAN_CARGO);
            command
                .env("RUSTC", DEBIAN_RUSTC)
                // -Zbuild-std is unstable; Debian's stable compiler allows
                // it with RUSTC_BOOTSTRAP.
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker);
            command
        }
    };
    command
        .args(["build", "--release", "--target", TARGET])
        .arg("--manifest-path")
        .arg(cargo_toml)
        .args(["--message-format", "json-render-diagnostics"]);
    if matches!(toolchain, Toolchain::DebianBuildStd { .. }) {
        command.arg("-Zbuild-std=std,panic_abort");
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {:?}", command.get_program()))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let expected_manifest = cargo_toml
        .canonicalize()
        .with_context(|| format!("resolving {}", cargo_toml.display()))?;
    let mut module = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.context("reading cargo's output")?;
        if let Some(path) = cdylib_module(&line, &expected_manifest) {
            module = Some(path);
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    if !status.success() {
        bail!("cargo build for {TARGET} failed ({status}); its errors are above");
    }
    module.with_context(|| {
        format!(
            "cargo built no .wasm module for {}; its Cargo.toml needs \
             [lib] crate-type = [\"cdylib\", \"rlib\"]",
            cargo_toml.display()
        )
    })
}

/// Returns the `.wasm` file of a `compiler-artifact` message for the cdylib
/// of the package whose manifest is `manifest`.
fn cdylib_module(line: &str, manifest: &Path) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let artifact_manifest = Path::new(message["manifest_path"].as_str()?);
    let artifact_manifest = artifact_manifest
        .canonicalize()
        .unwrap_or_else(|_| artifact_manifest.to_path_buf());
    if artifact_manifest != manifest {
        return None;
    }
    let kinds = message["target"]["kind"].as_array()?;
    if !kinds.iter().any(|kind| kind == "cdylib") {
        return None;
    }
    message["filenames"]
        .as_array()?
        .iter()
        .filter_map(|name| name.as_str())
        .find(|name| name.ends_with(".wasm"))
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdylib_artifact_gives_module_path() {
        let line = r#"{"reason":"compiler-artifact","manifest_path":"/p/Cargo.toml","target":{"kind":["cdylib","rlib"]},"filenames":["/p/target/x.rlib","/p/target/x.wasm"]}"#;
        assert_eq!(
            cdylib_module(line, Path::new("/p/Cargo.toml")),
            Some(PathBuf::from("/p/target/x.wasm"))
        );
        assert_eq!(cdylib_module(line, Path::new("/other/Cargo.toml")), None);
    }

    #[test]
    fn other_messages_are_skipped() {
        let dependency = r#"{"reason":"compiler-artifact","manifest_path":"/p/Cargo.toml","target":{"kind":["lib"]},"filenames":["/p/a.rlib"]}"#;
        assert_eq!(cdylib_module(dependency, Path::new("/p/Cargo.toml")), None);
        assert_eq!(cdylib_module("not json", Path::new("/p/Cargo.toml")), None);
        let finished = r#"{"reason":"build-finished","success":true}"#;
        assert_eq!(cdylib_module(finished, Path::new("/p/Cargo.toml")), None);
    }
}
