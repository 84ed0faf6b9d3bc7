//! A ticket rule built with wit-bindgen directly against the frozen plugin
//! API 1.0.0 (`plugin-api/wit-1.0.0`), not the SDK, so a test can check
//! that a host speaking a newer 1.x version still loads it. It returns
//! `add-tag("api-1.0")` for `message-received` and no actions for other
//! events.

wit_bindgen::generate!({
    path: "../../../plugin-api/wit-1.0.0",
    world: "ticket-rule",
});

use exports::kefu::plugin::rule::{Action, Event, EventKind, Guest};

struct Api10Rule;

impl Guest for Api10Rule {
    fn on_event(event: Event) -> Vec<Action> {
        match event.kind {
            EventKind::MessageReceived(_) => vec![Action::AddTag("api-1.0".to_string())],
            _ => Vec::new(),
        }
    }
}

export!(Api10Rule);
