//! A ticket rule that uses the host's capabilities as its messages ask.
//!
//! Its manifest declares `read-folders = ["/tmp/kefu-granted"]` and
//! `http-hosts = ["127.0.0.1"]` and nothing else. On `message-received` it
//! looks for these lines in the message body, taking the first line that
//! starts with each prefix:
//!
//! | line | call | note |
//! |------|------|------|
//! | `read PATH` | `files.read-file(PATH)` | `files: ...` |
//! | `fetch URL` | `http.fetch` with a `GET` of `URL` | `http: ...` |
//! | `kv KEY VALUE` | `kv.set(KEY, VALUE)`, then `kv.get(KEY)` | `kv: ...` |
//!
//! It returns one `add-note` action per line found, in the order of the
//! table. After the prefix, a note contains `ok N`, where N is the byte
//! count of the file, of the response body or of the value read back. On a
//! failure it contains the capability error's case and message instead, as
//! in `files: not-granted: ...`, or `missing: ...` when `kv.get` finds no
//! value right after `kv.set`. Other events get no actions.

use kefu_plugin_sdk::http::Request;
use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, EventKind, Guest};
use kefu_plugin_sdk::types::CapabilityError;
use kefu_plugin_sdk::{capability_error_case, capability_error_message, files, http, kv};

struct CapabilityRule;

impl Guest for CapabilityRule {
    fn on_event(event: Event) -> Vec<Action> {
        let EventKind::MessageReceived(received) = event.kind else {
            return Vec::new();
        };
        let body = &received.message.body_text;
        let mut notes = Vec::new();
        if let Some(path) = command(body, "read ") {
            let result = files::read_file(path).map(|bytes| bytes.len());
            notes.push(format!("files: {}", outcome(result)));
        }
        if let Some(url) = command(body, "fetch ") {
            let request = Request {
                method: "GET".to_string(),
                url: url.to_string(),
                headers: Vec::new(),
                body: Vec::new(),
            };
            let result = http::fetch(&request).map(|response| response.body.len());
            notes.push(format!("http: {}", outcome(result)));
        }
        if let Some(arguments) = command(body, "kv ") {
            let (key, value) = arguments.split_once(' ').unwrap_or((arguments, ""));
            notes.push(format!("kv: {}", store_and_read(key, value)));
        }
        notes.into_iter().map(Action::AddNote).collect()
    }
}

/// Returns the rest of the first line that starts with `prefix`, trimmed.
fn command<'a>(body: &'a str, prefix: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|line| line.trim_start().strip_prefix(prefix))
        .map(str::trim)
}

fn outcome(result: Result<usize, CapabilityError>) -> String {
    match result {
        Ok(bytes) => format!("ok {bytes}"),
        Err(error) => format!(
            "{}: {}",
            capability_error_case(&error),
            capability_error_message(&error)
        ),
    }
}

fn store_and_read(key: &str, value: &str) -> String {
    if let Err(error) = kv::set(key, value.as_bytes()) {
        return outcome(Err(error));
    }
    match kv::get(key) {
        Some(stored) => format!("ok {}", stored.len()),
        None => format!("missing: no value under {key:?} right after storing one"),
    }
}

kefu_plugin_sdk::export_rule!(CapabilityRule);
