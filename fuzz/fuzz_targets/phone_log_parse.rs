//! Asterisk, FreeSWITCH and mapping-envelope CSV bytes through the
//! phone-log adapter, as `kefu ingest` hands them over.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let score = phone_log::probe("Master.csv", data);
    assert!(score <= 100, "probe score {score} is over 100");
    let result = phone_log::parse_input(data);
    kefu_fuzz::check_parsed(&result, data.len());
});
