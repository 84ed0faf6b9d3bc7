//! `kefu plugin new`: a plugin project from the templates in
//! `plugin-api/templates/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use kefu_core::plugin::manifest::check_id;
use kefu_core::plugin::{API_VERSION, PluginKind};

use super::NewArgs;

/// One file of a template: its path inside the project and its text, with
/// `{{id}}`, `{{name}}`, `{{api}}` and `{{sdk}}` still to fill in.
struct TemplateFile {
    path: &'static str,
    text: &'static str,
}

macro_rules! template_file {
    ($kind:literal, $path:literal) => {
        TemplateFile {
            path: $path,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../plugin-api/templates/",
                $kind,
                "/",
                $path
            )),
        }
    };
}

const ADAPTER: &[TemplateFile] = &[
    template_file!("adapter", "Cargo.toml"),
    template_file!("adapter", "plugin.toml"),
    template_file!("adapter", "README.md"),
    template_file!("adapter", ".gitignore"),
    template_file!("adapter", "src/lib.rs"),
    template_file!("adapter", "samples/refund.eml"),
];

const RULE: &[TemplateFile] = &[
    template_file!("rule", "Cargo.toml"),
    template_file!("rule", "plugin.toml"),
    template_file!("rule", "README.md"),
    template_file!("rule", ".gitignore"),
    template_file!("rule", "src/lib.rs"),
    template_file!("rule", "samples/refund-vip.json"),
    template_file!("rule", "samples/refund.eml"),
];

const WIDGET: &[TemplateFile] = &[
    template_file!("widget", "Cargo.toml"),
    template_file!("widget", "plugin.toml"),
    template_file!("widget", "README.md"),
    template_file!("widget", ".gitignore"),
    template_file!("widget", "src/lib.rs"),
    template_file!("widget", "samples/tickets-by-status.csv"),
];

/// Names Cargo rejects as package names although they are valid plugin ids:
/// Rust keywords and the names of the standard crates.
const RESERVED_PACKAGE_NAMES: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "alloc",
    "core",
    "std",
    "test",
    "proc-macro",
];

pub fn run(args: &NewArgs) -> anyhow::Result<ExitCode> {
    let id = args.name.as_str();
    check_project_name(id)?;
    let sdk = sdk_folder(args.sdk.as_deref())?;
    let kind = PluginKind::from(args.kind);

    let project = args.dir.join(id);
    create_project_folder(&args.dir, &project)?;
    let values = TemplateValues {
        id,
        name: &readable_name(id),
        api: &API_VERSION.to_string(),
        sdk: &toml_string_content(&sdk)?,
    };
    let written = write_template(&project, kind, &values)?;

    let sample_args = template(kind)
        .iter()
        .filter(|file| file.path.starts_with("samples/"))
        .map(|file| file.path)
        .collect::<Vec<_>>()
        .join(" ");
    crate::output::print(&format!(
        "Created {} plugin {id} in {}:\n{}\n\nkefu-plugin-sdk: {}\n\nNext:\n  cd {}\n  cargo test\n  \
         kefu plugin build\n  kefu plugin test target/kefu/{id}.wasm {sample_args}\n  \
         kefu plugin install target/kefu/{id}.wasm\n",
        kind.manifest_name(),
        project.display(),
        written.join("\n"),
        sdk.display(),
        project.display(),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Creates the empty project folder, and its parent when missing. Fails
/// when the project folder exists, so nothing is overwritten.
fn create_project_folder(parent: &Path, project: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(parent)
        .with_context(|| format!("creating folder {}", parent.display()))?;
    std::fs::create_dir(project).map_err(|error| match error.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
            "{} already exists; choose another name or --dir, or remove the folder",
            project.display()
        ),
        _ => anyhow::anyhow!("creating {}: {error}", project.display()),
    })
}

/// Writes the template files of `kind` into `project`, filled with
/// `values`, and returns their paths, indented for printing.
fn write_template(
    project: &Path,
    kind: PluginKind,
    values: &TemplateValues<'_>,
) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    for file in template(kind) {
        let path = project.join(file.path);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating folder {}", folder.display()))?;
        }
        std::fs::write(&path, values.fill(file.text))
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(format!("  {}", file.path));
    }
    Ok(written)
}

fn template(kind: PluginKind) -> &'static [TemplateFile] {
    match kind {
        PluginKind::Adapter => ADAPTER,
        PluginKind::Rule => RULE,
        PluginKind::Widget => WIDGET,
    }
}

/// Values filled into the templates' `{{…}}` placeholders.
struct TemplateValues<'a> {
    id: &'a str,
    name: &'a str,
    api: &'a str,
    /// The SDK folder, escaped for a TOML basic string.
    sdk: &'a str,
}

impl TemplateValues<'_> {
    fn fill(&self, text: &str) -> String {
        text.replace("{{id}}", self.id)
            .replace("{{name}}", self.name)
            .replace("{{api}}", self.api)
            .replace("{{sdk}}", self.sdk)
    }
}

/// Checks that `name` is a plugin id that Cargo also takes as a package name.
fn check_project_name(name: &str) -> anyhow::Result<()> {
    check_id(name).map_err(anyhow::Error::msg)?;
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        bail!(
            "{name:?} starts with a digit, which Cargo rejects in a package name; start the \
             name with a letter"
        );
    }
    if RESERVED_PACKAGE_NAMES.contains(&name) {
        bail!(
            "{name:?} is reserved in Rust, so Cargo rejects it as a package name; choose another name"
        );
    }
    Ok(())
}

/// Returns the absolute folder of kefu-plugin-sdk: `requested`, or the
/// plugin-api folder of the source tree this binary was built from.
fn sdk_folder(requested: Option<&Path>) -> anyhow::Result<PathBuf> {
    let (folder, hint) = match requested {
        Some(folder) => (folder.to_path_buf(), "check the --sdk path"),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugin-api"),
            "this kefu was built from a source tree that has moved; pass --sdk with the \
             plugin-api folder of a Kefu checkout",
        ),
    };
    let manifest = folder.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|error| {
        anyhow::anyhow!("reading {} failed: {error}; {hint}", manifest.display())
    })?;
    if !text.contains("name = \"kefu-plugin-sdk\"") {
        bail!(
            "{} is not the manifest of kefu-plugin-sdk; {hint}",
            manifest.display()
        );
    }
    folder
        .canonicalize()
        .with_context(|| format!("resolving {}", folder.display()))
}

/// Escapes a path for the inside of a TOML basic string.
fn toml_string_content(path: &Path) -> anyhow::Result<String> {
    let text = path.to_str().with_context(|| {
        format!(
            "{} is not valid UTF-8, which Cargo.toml needs",
            path.display()
        )
    })?;
    Ok(text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Turns an id such as `refund-tagger` into a name such as `Refund tagger`.
fn readable_name(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_name_capitalises_first_word() {
        assert_eq!(readable_name("refund-tagger"), "Refund tagger");
        assert_eq!(readable_name("vip"), "Vip");
    }

    #[test]
    fn project_name_rules() {
        assert!(check_project_name("refund-tagger").is_ok());
        for name in ["Refund", "9lives", "fn", "test", "-x", ""] {
            assert!(check_project_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn toml_escaping_of_quotes_and_backslashes() {
        assert_eq!(
            toml_string_content(Path::new(r#"C:\a "b""#)).unwrap(),
            r#"C:\\a \"b\""#
        );
    }

    #[test]
    fn every_template_fills_every_placeholder() {
        let values = TemplateValues {
            id: "x",
            name: "X",
            api: "1.1.0",
            sdk: "/sdk",
        };
        for kind in [PluginKind::Adapter, PluginKind::Rule, PluginKind::Widget] {
            for file in template(kind) {
                let filled = values.fill(file.text);
                assert!(!filled.contains("{{"), "{kind} {}", file.path);
            }
        }
    }
}
