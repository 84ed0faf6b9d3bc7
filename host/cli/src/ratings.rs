//! `kefu ratings`: customer satisfaction ratings.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use kefu_core::Store;
use kefu_core::desk::Desk;

use crate::args::{RatingsAction, RatingsCommand};

/// Runs `kefu ratings import FILE`. Times without an offset are read in the
/// SLA calendar's time zone, the zone the reports use.
pub fn run(db: &Path, config_dir: &Path, command: RatingsCommand) -> anyhow::Result<ExitCode> {
    match command.action {
        RatingsAction::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| {
                format!(
                    "reading {}; pass a UTF-8 CSV file with the columns ticket, score, rated_at",
                    file.display()
                )
            })?;
            let mut store = Store::open_existing(db)?;
            let desk = Desk::load(config_dir)?;
            let time_zone = desk.sla.calendar().time_zone();
            store.set_desk(desk);
            let name = file.display().to_string();
            let summary = store.import_ratings(&text, &name, time_zone, Utc::now())?;
            crate::output::print(&format!(
                "{name}: stored {} rating(s), {} already stored\n",
                summary.stored, summary.already_stored
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
