//! A ticket rule that loops forever on every event, so the host's per-call
//! time limit has to stop it.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, Guest};

struct LoopingRule;

impl Guest for LoopingRule {
    fn on_event(event: Event) -> Vec<Action> {
        let mut counter = event.conversation.id as u64;
        loop {
            // The volatile read keeps the optimiser from proving the loop
            // has no effect and removing it.
            counter = unsafe { std::ptr::read_volatile(&counter) }.wrapping_add(1);
        }
    }
}

kefu_plugin_sdk::export_rule!(LoopingRule);
