//! Raw MIME, mbox and Maildir bytes through the email adapter.
#![no_main]

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::Guest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The name decides whether a postmark further down makes it an mbox
    // file, so each input is read under both kinds of name.
    for name in ["message.eml", "mailbox.mbox"] {
        let score = email::EmailAdapter::probe(name.to_string(), data.to_vec());
        assert!(score <= 100, "probe score {score} is over 100");
        let result = email::parse_input(name, data);
        kefu_fuzz::check_parsed(&result, data.len());
    }
});
