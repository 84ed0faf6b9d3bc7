//! Raw HTTP requests to the real webhook server, on 127.0.0.1, with the
//! built-in plugins running as WebAssembly components and a real SQLite
//! database. The server starts once per fuzzing process; each input is
//! sent on a new connection as it is.
#![no_main]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use kefu_core::desk::Desk;
use kefu_core::plugin::PluginEngine;
use kefu_core::webhook::{IntakeSetup, WebhookConfig, WebhookServer};
use libfuzzer_sys::fuzz_target;

/// The token the seeds send; inputs that keep it get past the 401 check.
const TOKEN: &str = "fuzz-token-0123456789abcdef";

struct Running {
    _folder: tempfile::TempDir,
    server: WebhookServer,
}

fn server() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| {
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        // A high rate limit, so most inputs reach the checks after it, and a
        // short timeout, so a request that leaves its body short is closed.
        let text = format!(
            "listen = \"127.0.0.1:0\"\ntoken = \"{TOKEN}\"\nrequests-per-minute = 6000000\n\
             burst = 100000\nrequest-timeout-seconds = 1\n"
        );
        std::fs::write(folder.path().join("webhook.toml"), text).expect("writing webhook.toml");
        let config = WebhookConfig::load(folder.path()).expect("reading webhook.toml");
        let setup = IntakeSetup {
            db: folder.path().join("kefu.db"),
            engine: PluginEngine::new().expect("starting the plugin engine"),
            plugin_dir: None,
            desk: Desk::builtin(),
            rules: Vec::new(),
        };
        let server = WebhookServer::start(&config, TOKEN, setup).expect("starting the server");
        Running {
            _folder: folder,
            server,
        }
    })
}

/// Sends `data` and returns the response's status code, or `None` when the
/// server closed the connection without a response.
fn exchange(address: SocketAddr, data: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(address).expect("connecting to the webhook server");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("setting a read timeout");
    // The server may respond and close before the whole input is written.
    let _ = stream.write_all(data);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text.strip_prefix("HTTP/1.1 ")?.get(..3)?;
    Some(status.parse().expect("a numeric status code"))
}

// The server starts in libFuzzer's initialisation, outside the per-input
// timeout, because compiling the built-in plugins under coverage
// instrumentation takes longer than that timeout.
fuzz_target!(
    init: {
        server();
    },
    |data: &[u8]| {
        let running = server();
        if let Some(status) = exchange(running.server.address(), data) {
            // Every response is a success or a client error. A 5xx means the
            // server failed on something the client sent.
            assert!((200..500).contains(&status), "the server answered {status}");
        }
    }
);
