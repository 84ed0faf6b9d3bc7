//! `kefu serve`: the webhook server in the foreground.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use kefu_core::desk::Desk;
use kefu_core::webhook::{IntakeSetup, WebhookConfig, WebhookServer};

use crate::args::ServeCommand;

pub fn run(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: &ServeCommand,
) -> anyhow::Result<ExitCode> {
    // A broken configuration file stops the server before it listens.
    let mut config = WebhookConfig::load(config_dir)?;
    if let Some(listen) = command.listen {
        config.listen = listen;
    }
    let desk = Desk::load(config_dir)?;
    let rules = kefu_core::automation::load_rules(config_dir, &desk.lifecycle)?;
    let token = if command.new_token {
        let token = config.write_new_token()?;
        println!("New webhook token (send it as Authorization: Bearer TOKEN):\n{token}");
        token
    } else {
        config.read_token()?
    };

    let setup = IntakeSetup {
        db: db.to_path_buf(),
        engine: crate::ingest::engine()?,
        plugin_dir: Some(plugin_dir.to_path_buf()),
        desk,
        rules,
    };
    let server = WebhookServer::start(&config, &token, setup)?;
    if !server.address().ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, reachable from other machines",
            server.address()
        );
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "Listening on http://{}", server.address())?;
    for route in server.routes() {
        let reader = route
            .adapter
            .as_deref()
            .unwrap_or("adapter picked by content");
        writeln!(
            stdout,
            "  POST {:<10} {reader} ({})",
            route.path,
            route.content_types.join(", ")
        )?;
    }
    writeln!(stdout, "Press Ctrl-C to stop.")?;
    stdout.flush()?;
    drop(stdout);
    server.wait();
    anyhow::bail!("the webhook server stopped accepting connections; see the log (-v)")
}
