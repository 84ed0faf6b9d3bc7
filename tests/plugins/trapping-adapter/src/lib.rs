//! A channel adapter that claims inputs whose name ends in `.trap` and
//! panics while parsing them. A panic in a wasm32 plugin built with
//! `panic = "abort"` is a trap in the host.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Guest, Input, ParseError, Parsed};

struct TrappingAdapter;

impl Guest for TrappingAdapter {
    fn probe(name: String, _head: Vec<u8>) -> u8 {
        if name.ends_with(".trap") { 100 } else { 0 }
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        panic!("trapping-adapter always panics on {}", input.name);
    }
}

kefu_plugin_sdk::export_adapter!(TrappingAdapter);
