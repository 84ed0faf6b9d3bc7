//! A ticket rule that returns the action `add-tag("first-call-ok")` from its
//! first call and panics on the second and every later call of the same
//! instance. The call count is a static, so it lives in the
//! instance's memory and starts again in a new instance.

use std::sync::atomic::{AtomicU32, Ordering};

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, Guest};

/// Calls of `on-event` so far in this instance.
static CALLS: AtomicU32 = AtomicU32::new(0);

struct PanicSecondCallRule;

impl Guest for PanicSecondCallRule {
    fn on_event(_event: Event) -> Vec<Action> {
        let call = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
        if call == 1 {
            vec![Action::AddTag("first-call-ok".to_string())]
        } else {
            panic!("panic-second-call-rule panics on call {call} of this instance");
        }
    }
}

kefu_plugin_sdk::export_rule!(PanicSecondCallRule);
