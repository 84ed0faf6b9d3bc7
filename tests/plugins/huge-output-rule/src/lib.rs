//! A ticket rule that returns, for every event, one `add-note` action whose
//! text is 8 MiB of `x`, eight times the host's default output limit of
//! 1 MiB.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, Guest};

/// Length of the note in bytes.
const NOTE_BYTES: usize = 8 * 1024 * 1024;

struct HugeOutputRule;

impl Guest for HugeOutputRule {
    fn on_event(_event: Event) -> Vec<Action> {
        vec![Action::AddNote("x".repeat(NOTE_BYTES))]
    }
}

kefu_plugin_sdk::export_rule!(HugeOutputRule);
