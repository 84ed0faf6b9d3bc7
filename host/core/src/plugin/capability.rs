//! Capability checks and the capability-gated host calls: reading files
//! under granted folders and HTTP to granted hosts.
//!
//! A call passes only when the plugin's manifest declares the capability and
//! the user granted it. A rejected call returns an error to the plugin, and
//! the host keeps running.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::bindings::types::CapabilityError;
use super::manifest::Capabilities;

/// Name of the folder-read capability, as stored in the database and typed
/// on the command line.
pub const READ_FOLDER: &str = "read-folder";
/// Name of the HTTP capability, as stored in the database and typed on the
/// command line.
pub const HTTP_HOST: &str = "http-host";

/// Capabilities a plugin's manifest declares and the user granted, checked
/// on every capability-gated host call.
#[derive(Debug, Clone, Default)]
pub struct CapabilityContext {
    pub plugin_id: String,
    pub declared: Capabilities,
    pub granted: Capabilities,
}

impl CapabilityContext {
    /// Reads a whole file in a granted folder. Fails with a limit error when
    /// the file is larger than `max_bytes`.
    pub fn read_file(&self, path: &str, max_bytes: usize) -> Result<Vec<u8>, CapabilityError> {
        let resolved = self.check_path(path)?;
        // Opening a FIFO or a device could block the host past the call's
        // time limit, so only regular files are read.
        let is_file = std::fs::metadata(&resolved).is_ok_and(|metadata| metadata.is_file());
        if !is_file {
            return Err(CapabilityError::Failed(format!(
                "{path} is not a regular file; plugins read only regular files"
            )));
        }
        let file = std::fs::File::open(&resolved)
            .map_err(|error| CapabilityError::Failed(format!("opening {path}: {error}")))?;
        self.check_opened_file(path, &file)?;
        let mut bytes = Vec::new();
        file.take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| CapabilityError::Failed(format!("reading {path}: {error}")))?;
        if bytes.len() > max_bytes {
            return Err(CapabilityError::Limit(format!(
                "{path} is larger than the plugin's {max_bytes}-byte output limit"
            )));
        }
        Ok(bytes)
    }

    /// Lists a folder's entries by name, sorted.
    pub fn list_folder(&self, path: &str) -> Result<Vec<String>, CapabilityError> {
        let resolved = self.check_path(path)?;
        let entries = std::fs::read_dir(&resolved)
            .map_err(|error| CapabilityError::Failed(format!("listing {path}: {error}")))?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Resolves `path`, following links, and checks that it lies in a
    /// declared and granted folder.
    fn check_path(&self, path: &str) -> Result<PathBuf, CapabilityError> {
        let requested = Path::new(path);
        if !requested.is_absolute() {
            return Err(CapabilityError::Failed(format!(
                "{path:?} is not an absolute path; plugins name files by absolute path"
            )));
        }

        let lexical = normalize(requested);
        let declared = self
            .declared
            .read_folders
            .iter()
            .find(|folder| lexical.starts_with(normalize(Path::new(folder))));
        let Some(declared) = declared else {
            return Err(CapabilityError::Undeclared(format!(
                "reading {path} needs the read-folders capability for a folder that contains it; \
                 plugin.toml of {} declares {}",
                self.plugin_id,
                list_or_none(&self.declared.read_folders)
            )));
        };
        if !self.granted.read_folders.contains(declared) {
            return Err(CapabilityError::NotGranted(format!(
                "reading {path} needs access to {declared}, which the user has not granted; \
                 grant it with `kefu plugin grant {} {READ_FOLDER} {declared}`",
                self.plugin_id
            )));
        }

        // A grant records a path, so a symbolic link put in place of the
        // granted folder or of any folder above it would carry the grant to
        // wherever the link leads. Every folder on the granted path must
        // therefore be a real folder, which makes the path its own real path.
        if let Some(link) = first_symlink(Path::new(declared)) {
            let place = if link == normalize(Path::new(declared)) {
                "is a symbolic link".to_string()
            } else {
                format!("lies under the symbolic link {}", link.display())
            };
            return Err(CapabilityError::NotGranted(format!(
                "the granted folder {declared} {place}; plugins read only through real \
                 folders, so declare and grant the folder it leads to"
            )));
        }

        // The lexical checks above catch `..`, and this one catches symbolic
        // links that lead out of the granted folder.
        let resolved = requested
            .canonicalize()
            .map_err(|error| CapabilityError::Failed(format!("{path}: {error}")))?;
        let root = Path::new(declared).canonicalize().map_err(|error| {
            CapabilityError::Failed(format!("granted folder {declared}: {error}"))
        })?;
        if !resolved.starts_with(&root) {
            return Err(CapabilityError::NotGranted(format!(
                "{path} resolves to {}, outside the granted folder {declared}",
                resolved.display()
            )));
        }
        Ok(resolved)
    }

    /// Checks where an opened file really is, so a folder on the resolved
    /// path that was swapped for a link after [`Self::check_path`] is
    /// caught. Linux names an open file's path under /proc/self/fd.
    #[cfg(target_os = "linux")]
    fn check_opened_file(&self, path: &str, file: &std::fs::File) -> Result<(), CapabilityError> {
        use std::os::fd::AsRawFd;
        let Ok(opened) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) else {
            // Without /proc mounted the check after opening cannot run, so
            // only the check before opening applies.
            return Ok(());
        };
        // A granted path has no link on it (see `check_path`), so it is
        // compared as written. Resolving it again here would follow a link
        // put in place of one of its folders since that check.
        let inside = self
            .granted
            .read_folders
            .iter()
            .any(|folder| opened.starts_with(normalize(Path::new(folder))));
        if inside {
            Ok(())
        } else {
            Err(CapabilityError::NotGranted(format!(
                "{path} was opened at {}, outside every granted folder; a folder on its path \
                 changed while it was opened",
                opened.display()
            )))
        }
    }

    // NOTE: other systems rely on the check before opening alone.
    #[cfg(not(target_os = "linux"))]
    fn check_opened_file(&self, _path: &str, _file: &std::fs::File) -> Result<(), CapabilityError> {
        Ok(())
    }

    /// Checks that the URL is http or https and that its host and port are
    /// declared and granted.
    fn check_url(&self, url: &ureq::http::Uri) -> Result<(), CapabilityError> {
        let scheme = url.scheme_str().unwrap_or("");
        if scheme != "http" && scheme != "https" {
            return Err(CapabilityError::Failed(format!(
                "{url} is not an http or https URL"
            )));
        }
        let Some(host) = url.host() else {
            return Err(CapabilityError::Failed(format!("{url} has no host")));
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = url
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let matches = |entry: &String| host_matches(entry, &host, port);
        let Some(declared) = self.declared.http_hosts.iter().find(|entry| matches(entry)) else {
            return Err(CapabilityError::Undeclared(format!(
                "calling {host}:{port} needs the http-hosts capability for that host; plugin.toml \
                 of {} declares {}",
                self.plugin_id,
                list_or_none(&self.declared.http_hosts)
            )));
        };
        if !self.granted.http_hosts.contains(declared) {
            return Err(CapabilityError::NotGranted(format!(
                "calling {host}:{port} needs access to {declared}, which the user has not \
                 granted; grant it with `kefu plugin grant {} {HTTP_HOST} {declared}`",
                self.plugin_id
            )));
        }
        Ok(())
    }

    /// Sends an HTTP request to a granted host and returns the response. The
    /// body is cut at `max_body` bytes without an error. Redirects are not
    /// followed, so a granted host cannot send the plugin elsewhere.
    pub fn fetch(
        &self,
        request: HttpRequest,
        timeout: Duration,
        max_body: usize,
    ) -> Result<HttpResponse, CapabilityError> {
        let uri: ureq::http::Uri = request.url.parse().map_err(|error| {
            CapabilityError::Failed(format!("{:?} is not a valid URL: {error}", request.url))
        })?;
        self.check_url(&uri)?;

        let method = ureq::http::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            CapabilityError::Failed(format!("{:?} is not an HTTP method", request.method))
        })?;
        let mut builder = ureq::http::Request::builder().method(method).uri(uri);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let http_request = builder
            .body(request.body)
            .map_err(|error| CapabilityError::Failed(format!("building the request: {error}")))?;

        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let response = agent.run(http_request).map_err(|error| {
            CapabilityError::Failed(format!("{} {}: {error}", request.method, request.url))
        })?;

        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();

        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(max_body as u64)
            .read_to_end(&mut body)
            .map_err(|error| {
                CapabilityError::Failed(format!("reading the response of {}: {error}", request.url))
            })?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// An HTTP request from a plugin.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An HTTP response for a plugin.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Returns whether a manifest entry matches `host` on `port`. Entries are
/// `host`, `host:port`, an IPv6 address alone (`::1` or `[::1]`) or an IPv6
/// address in brackets with a port (`[::1]:8080`). An entry without a port
/// matches every port.
fn host_matches(entry: &str, host: &str, port: u16) -> bool {
    let entry = entry.to_ascii_lowercase();
    let (entry_host, entry_port) = if let Some(rest) = entry.strip_prefix('[') {
        match rest.split_once(']') {
            Some((address, "")) => (address, None),
            Some((address, tail)) => match tail.strip_prefix(':') {
                Some(port_text) => (address, Some(port_text)),
                None => return false,
            },
            None => return false,
        }
    } else if entry.matches(':').count() > 1 {
        // A bare IPv6 address: its colons are not a port separator.
        (entry.as_str(), None)
    } else {
        match entry.split_once(':') {
            Some((name, port_text)) => (name, Some(port_text)),
            None => (entry.as_str(), None),
        }
    };
    if entry_host != host {
        return false;
    }
    match entry_port {
        None => true,
        Some(port_text) => port_text.parse::<u16>() == Ok(port),
    }
}

/// Returns the first of `path` and its parent folders that is a symbolic
/// link, or `None` when none is. A part that does not exist is not a link.
fn first_symlink(path: &Path) -> Option<PathBuf> {
    let path = normalize(path);
    let mut ancestors: Vec<&Path> = path.ancestors().collect();
    ancestors.reverse();
    ancestors
        .into_iter()
        .find(|ancestor| {
            std::fs::symlink_metadata(ancestor)
                .is_ok_and(|metadata| metadata.file_type().is_symlink())
        })
        .map(Path::to_path_buf)
}

/// Removes `.` and `..` parts without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(folder: &Path, granted: bool) -> CapabilityContext {
        let folder = folder.display().to_string();
        let declared = Capabilities {
            read_folders: vec![folder.clone()],
            http_hosts: vec!["127.0.0.1".to_string(), "example.com:8443".to_string()],
        };
        CapabilityContext {
            plugin_id: "probe".to_string(),
            granted: if granted {
                declared.clone()
            } else {
                Capabilities::default()
            },
            declared,
        }
    }

    #[test]
    fn file_in_granted_folder_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("prices.csv"), "sku,price\n").unwrap();
        let path = dir.path().join("prices.csv").display().to_string();
        assert_eq!(
            context(dir.path(), true).read_file(&path, 1024).unwrap(),
            b"sku,price\n"
        );
    }

    #[test]
    fn ungranted_folder_error_names_grant_command() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        let path = dir.path().join("a.txt").display().to_string();
        match context(dir.path(), false).read_file(&path, 1024) {
            Err(CapabilityError::NotGranted(message)) => {
                assert!(
                    message.contains("kefu plugin grant probe read-folder"),
                    "{message}"
                );
            }
            other => panic!("expected not-granted, got {other:?}"),
        }
    }

    #[test]
    fn path_outside_declared_folder_is_undeclared() {
        let dir = tempfile::tempdir().unwrap();
        let context = context(dir.path(), true);
        for path in [
            "/etc/hostname".to_string(),
            format!("{}/../../etc/hostname", dir.path().display()),
        ] {
            assert!(
                matches!(
                    context.read_file(&path, 1024),
                    Err(CapabilityError::Undeclared(_))
                ),
                "{path}"
            );
        }
    }

    #[test]
    fn symlink_out_of_granted_folder_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("link")).unwrap();
        let path = dir.path().join("link").display().to_string();
        assert!(matches!(
            context(dir.path(), true).read_file(&path, 1024),
            Err(CapabilityError::NotGranted(message)) if message.contains("outside the granted folder")
        ));
    }

    #[test]
    fn fifo_in_granted_folder_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let mkfifo = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !mkfifo.is_ok_and(|status| status.success()) {
            eprintln!("skipping: mkfifo is not available");
            return;
        }
        let path = fifo.display().to_string();
        let result = context(dir.path(), true).read_file(&path, 1024);
        assert!(
            matches!(&result, Err(CapabilityError::Failed(message)) if message.contains("not a regular file")),
            "{result:?}"
        );
    }

    /// Asserts that reading `path` is rejected as outside the grant.
    fn assert_outside_grant(context: &CapabilityContext, path: &Path, expected: &str) {
        let path = path.display().to_string();
        let result = context.read_file(&path, 1024);
        assert!(
            matches!(&result, Err(CapabilityError::NotGranted(message)) if message.contains(expected)),
            "{path}: {result:?}"
        );
    }

    #[test]
    fn symlink_created_after_grant_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("inside.txt"), "in").unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let context = context(dir.path(), true);
        let inside = dir.path().join("inside.txt").display().to_string();
        assert_eq!(context.read_file(&inside, 1024).unwrap(), b"in");

        // Links made after the grant: to a file and to a folder outside.
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("file-link"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("folder-link")).unwrap();
        assert_outside_grant(
            &context,
            &dir.path().join("file-link"),
            "outside the granted folder",
        );
        assert_outside_grant(
            &context,
            &dir.path().join("folder-link/secret"),
            "outside the granted folder",
        );
        let listed = context.list_folder(&dir.path().join("folder-link").display().to_string());
        assert!(
            matches!(&listed, Err(CapabilityError::NotGranted(_))),
            "{listed:?}"
        );
    }

    #[test]
    fn dot_dot_after_symlink_rejected() {
        // `granted/up/../secret` is inside the folder by its text, but `up`
        // leads to `outside/inner`, so the file read would be
        // `outside/secret`.
        let root = tempfile::tempdir().unwrap();
        let granted = root.path().join("granted");
        let inner = root.path().join("outside/inner");
        std::fs::create_dir(&granted).unwrap();
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(root.path().join("outside/secret"), "s").unwrap();
        std::os::unix::fs::symlink(&inner, granted.join("up")).unwrap();
        assert_outside_grant(
            &context(&granted, true),
            &granted.join("up/../secret"),
            "outside the granted folder",
        );
    }

    #[test]
    fn granted_folder_replaced_by_symlink_rejected() {
        let root = tempfile::tempdir().unwrap();
        let granted = root.path().join("exports");
        let outside = root.path().join("private");
        std::fs::create_dir(&granted).unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(granted.join("prices.csv"), "p").unwrap();
        std::fs::write(outside.join("prices.csv"), "secret").unwrap();
        let context = context(&granted, true);
        let path = granted.join("prices.csv").display().to_string();
        assert_eq!(context.read_file(&path, 1024).unwrap(), b"p");

        std::fs::rename(&granted, root.path().join("exports-old")).unwrap();
        std::os::unix::fs::symlink(&outside, &granted).unwrap();
        assert_outside_grant(&context, &granted.join("prices.csv"), "is a symbolic link");
    }

    #[test]
    fn granted_parent_replaced_by_symlink_rejected() {
        // The grant is `shared/exports`. After a read succeeds, `shared` is
        // replaced by a link to `private`, which has an `exports` folder of
        // its own.
        let root = tempfile::tempdir().unwrap();
        let shared = root.path().join("shared");
        let granted = shared.join("exports");
        let private = root.path().join("private");
        std::fs::create_dir_all(&granted).unwrap();
        std::fs::create_dir_all(private.join("exports")).unwrap();
        std::fs::write(granted.join("prices.csv"), "p").unwrap();
        std::fs::write(private.join("exports/prices.csv"), "secret").unwrap();
        let context = context(&granted, true);
        let path = granted.join("prices.csv").display().to_string();
        assert_eq!(context.read_file(&path, 1024).unwrap(), b"p");

        std::fs::rename(&shared, root.path().join("shared-old")).unwrap();
        std::os::unix::fs::symlink(&private, &shared).unwrap();
        let message = format!("lies under the symbolic link {}", shared.display());
        assert_outside_grant(&context, &granted.join("prices.csv"), &message);
        let listed = context.list_folder(&granted.display().to_string());
        assert!(
            matches!(&listed, Err(CapabilityError::NotGranted(message)) if message.contains("symbolic link")),
            "{listed:?}"
        );
    }

    #[test]
    fn grant_under_symlinked_parent_rejected() {
        // A link that was on the path before the grant: the grant must name
        // the real folder instead.
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        std::fs::create_dir_all(real.join("exports")).unwrap();
        std::fs::write(real.join("exports/prices.csv"), "p").unwrap();
        std::os::unix::fs::symlink(&real, root.path().join("alias")).unwrap();
        let through_link = root.path().join("alias/exports");
        assert_outside_grant(
            &context(&through_link, true),
            &through_link.join("prices.csv"),
            "lies under the symbolic link",
        );
        let path = real.join("exports/prices.csv").display().to_string();
        assert_eq!(
            context(&real.join("exports"), true)
                .read_file(&path, 1024)
                .unwrap(),
            b"p"
        );
    }

    #[test]
    fn oversized_file_returns_limit_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big"), vec![b'x'; 100]).unwrap();
        let path = dir.path().join("big").display().to_string();
        assert!(matches!(
            context(dir.path(), true).read_file(&path, 10),
            Err(CapabilityError::Limit(_))
        ));
    }

    #[test]
    fn host_entries_match_host_and_optional_port() {
        assert!(host_matches("127.0.0.1", "127.0.0.1", 8080));
        assert!(host_matches("example.com:8443", "example.com", 8443));
        assert!(!host_matches("example.com:8443", "example.com", 443));
        assert!(!host_matches("example.com", "evil-example.com", 443));
        assert!(host_matches("[::1]:80", "::1", 80));
        assert!(!host_matches("[::1]:80", "::1", 81));
        assert!(host_matches("::1", "::1", 8080));
        assert!(host_matches("[::1]", "::1", 8080));
        assert!(!host_matches("example.com:notaport", "example.com", 80));
    }

    #[test]
    fn undeclared_host_rejected_before_connecting() {
        let dir = tempfile::tempdir().unwrap();
        let request = HttpRequest {
            method: "GET".to_string(),
            url: "http://10.0.0.1/".to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        assert!(matches!(
            context(dir.path(), true).fetch(request, Duration::from_secs(1), 1024),
            Err(CapabilityError::Undeclared(_))
        ));
    }
}
