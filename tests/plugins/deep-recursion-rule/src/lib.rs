//! A ticket rule that recurses without bound on every event, so the call
//! ends in a stack overflow, which is a trap in the host.
//!
//! Each level keeps its values in WebAssembly locals, not in linear memory.
//! So the recursion exhausts the host's stack for wasm code first, which
//! wasmtime reports as a "call stack exhausted" trap (its `max_wasm_stack`
//! setting). Filling the 1 MiB stack that Rust keeps in linear memory would
//! trap as an out-of-bounds memory access instead.

use kefu_plugin_sdk::rule::exports::kefu::plugin::rule::{Action, Event, Guest};

struct DeepRecursionRule;

impl Guest for DeepRecursionRule {
    fn on_event(event: Event) -> Vec<Action> {
        let result = descend(event.conversation.id as u64, event.customer.id as u64);
        vec![Action::AddNote(format!("returned {result}"))]
    }
}

/// Calls itself once per level. Rotating the callee's result by an amount
/// that depends on `depth` keeps LLVM from turning the recursion into a
/// loop, as it can when a call's result is only added or xor-ed.
#[inline(never)]
fn descend(depth: u64, salt: u64) -> u64 {
    // Never true for a depth that starts small; without an exit the
    // compiler rejects the function as unconditional recursion.
    if depth == u64::MAX {
        return salt;
    }
    let below = descend(depth + 1, salt.rotate_left(5) ^ depth);
    below.rotate_left((depth % 63) as u32) ^ salt
}

kefu_plugin_sdk::export_rule!(DeepRecursionRule);
