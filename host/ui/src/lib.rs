//! Kefu's desktop workbench, built with iced: the conversation list, the
//! selected conversation's messages and the ticket list, read from the
//! SQLite store.
//!
//! [`run`] opens the window. [`Workbench`] contains the state and runs without
//! a window too, which is how the tests drive it. The workbench logs
//! through `tracing`, and the caller installs the subscriber.

mod conversation_list;
mod conversation_view;
mod font;
mod format;
mod labels;
mod style;
mod ticket_list;
mod workbench;

use std::path::PathBuf;

use anyhow::Context;
use iced::widget::Id;

pub use workbench::{Message, RELOAD_INTERVAL, Workbench};

/// Default size of the window in logical pixels.
const WINDOW_SIZE: (f32, f32) = (1280.0, 800.0);

/// Opens the workbench window on the database at `db_path` and returns when
/// the window is closed. A database that cannot be opened or read shows as
/// an error line in the window, not as an error here.
///
/// # Errors
///
/// Returns an error when the window or its renderer cannot be created, for
/// example when no display is available.
pub fn run(db_path: PathBuf) -> anyhow::Result<()> {
    iced::application(
        move || Workbench::open(&db_path),
        Workbench::update,
        Workbench::view,
    )
    .title(labels::WINDOW_TITLE)
    .subscription(Workbench::subscription)
    .settings(settings())
    .window_size(WINDOW_SIZE)
    .run()
    .context("running the workbench window")
}

/// Returns the iced settings of the workbench. The default font is the
/// first installed CJK family of a preference list, so Chinese text renders.
/// Tests pass these settings to `iced_test` to lay text out as the window does.
pub fn settings() -> iced::Settings {
    iced::Settings {
        default_font: font::default_font(),
        ..iced::Settings::default()
    }
}

/// Widget id of a conversation's row in the conversation list.
pub fn conversation_row_id(conversation_id: i64) -> Id {
    conversation_list::row_id(conversation_id)
}

/// Widget id of a ticket's row in the ticket list.
pub fn ticket_row_id(ticket_id: i64) -> Id {
    ticket_list::row_id(ticket_id)
}
