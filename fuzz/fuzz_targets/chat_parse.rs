//! Chat JSON Lines, Chatwoot webhook JSON and Twitter support CSV through
//! the chat adapter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A `.jsonl` name makes the adapter read invalid JSON line by line.
    for name in ["chat.json", "chat.jsonl"] {
        let score = chat::probe(name, data);
        assert!(score <= 100, "probe score {score} is over 100");
        let result = chat::parse_input(name, data);
        kefu_fuzz::check_parsed(&result, data.len());
    }
});
