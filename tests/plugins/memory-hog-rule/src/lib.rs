//! A ticket rule that keeps allocating 1 MiB blocks on every event, so the
//! host's memory cap has to stop it.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, Guest};

struct MemoryHogRule;

impl Guest for MemoryHogRule {
    fn on_event(_event: Event) -> Vec<Action> {
        let mut blocks: Vec<Vec<u8>> = Vec::new();
        loop {
            // Filling each block makes the pages real, and black_box keeps the
            // optimiser from dropping allocations it can prove unused.
            blocks.push(std::hint::black_box(vec![1u8; 1024 * 1024]));
        }
    }
}

kefu_plugin_sdk::export_rule!(MemoryHogRule);
