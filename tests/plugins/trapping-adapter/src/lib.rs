//! A channel adapter that claims inputs whose name ends in `.trap` and
//! panics while parsing them. A panic in a wasm32 plugin built with
//! `panic = "abort"` is a trap in the host. It recognises the `trap`
//! extension and formats no replies.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{
    Formatted, Guest, Input, ParseError, Parsed, Recognition, Reply,
};

struct TrappingAdapter;

impl Guest for TrappingAdapter {
    fn recognises() -> Recognition {
        Recognition {
            extensions: vec!["trap".to_string()],
            content_types: Vec::new(),
            webhook_path: None,
        }
    }

    fn probe(name: String, _head: Vec<u8>) -> u8 {
        if name.ends_with(".trap") { 100 } else { 0 }
    }

    fn parse(input: Input) -> Result<Parsed, ParseError> {
        panic!("trapping-adapter always panics on {}", input.name);
    }

    fn format_reply(_reply: Reply) -> Result<Formatted, String> {
        Err("trapping-adapter formats no replies".to_string())
    }
}

kefu_plugin_sdk::export_adapter!(TrappingAdapter);
