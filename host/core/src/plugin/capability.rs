//! Capability checks and the capability-gated host calls: reading files
//! under granted folders and HTTP to granted hosts.
//!
//! A call passes only when the plugin's manifest declares the capability and
//! the user granted it. A refused call returns an error to the plugin; the
//! host itself never fails because of it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::bindings::types::CapabilityError;
use super::manifest::Capabilities;

/// Capability names as stored in the database and typed on the command line.
pub const READ_FOLDER: &str = "read-folder";
pub const HTTP_HOST: &str = "http-host";

/// What a plugin asked for and what the user granted.
#[derive(Debug, Clone, Default)]
pub struct CapabilityContext {
    pub plugin_id: String,
    pub declared: Capabilities,
    pub granted: Capabilities,
}

impl CapabilityContext {
    /// Reads a whole file, when a granted folder holds it.
    pub fn read_file(&self, path: &str, max_bytes: usize) -> Result<Vec<u8>, CapabilityError> {
        let resolved = self.check_path(path)?;
        let file = std::fs::File::open(&resolved)
            .map_err(|error| CapabilityError::Failed(format!("opening {path}: {error}")))?;
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

    /// Resolves `path` and checks it lies in a declared and granted folder,
    /// after following links.
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
                "reading {path} needs the read-folders capability for a folder that holds it; \
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
        let resolved = requested
            .canonicalize()
            .map_err(|error| CapabilityError::Failed(format!("{path}: {error}")))?;
        let root = Path::new(declared).canonicalize().map_err(|error| {
            CapabilityError::Failed(format!("granted folder {declared}: {error}"))
        })?;
        if !resolved.starts_with(&root) {
            return Err(CapabilityError::NotGranted(format!(
                "{path} leads to {}, outside the granted folder {declared}",
                resolved.display()
            )));
        }
        Ok(resolved)
    }

    /// Checks that the URL's host is declared and granted; returns the host
    /// as matched.
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

    /// Sends an HTTP request to a granted host. Redirects are not followed,
    /// so a granted host cannot send the plugin elsewhere.
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

/// Whether a manifest entry (`host` or `host:port`) covers `host` on `port`.
fn host_matches(entry: &str, host: &str, port: u16) -> bool {
    let entry = entry.to_ascii_lowercase();
    match entry.rsplit_once(':') {
        Some((entry_host, entry_port)) if entry_port.parse::<u16>().is_ok() => {
            entry_host.trim_start_matches('[').trim_end_matches(']') == host
                && entry_port.parse::<u16>() == Ok(port)
        }
        _ => entry == host,
    }
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
    fn declared_but_not_granted_folder_says_how_to_grant() {
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
    fn path_outside_declared_folders_and_dot_dot_escape_are_undeclared() {
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
    fn link_leading_out_of_granted_folder_is_refused() {
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
    fn file_over_output_limit_is_a_limit_error() {
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
    }

    #[test]
    fn undeclared_host_is_refused_before_any_connection() {
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
