//! A ticket rule built against `wit/kefu.wit` beside this crate: a copy of
//! the plugin API with the package version 2.0.0, in which `on-event` takes
//! the event as a string. A 1.x host must reject it by its version. Should
//! one call it anyway, it returns `add-tag("api-2.0")`.

wit_bindgen::generate!({
    path: "wit",
    world: "ticket-rule",
});

use exports::kefu::plugin::rule::{Action, Guest};

struct Api2Rule;

impl Guest for Api2Rule {
    fn on_event(_event: String) -> Vec<Action> {
        vec![Action::AddTag("api-2.0".to_string())]
    }
}

export!(Api2Rule);
