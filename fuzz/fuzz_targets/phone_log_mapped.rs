//! A column mapping and a CSV file through the phone-log adapter's mapped
//! path. The input is the mapping, `MAPPING_SEPARATOR`, then the CSV; the
//! target wraps them in the envelope the host builds, so mutations reach
//! the mapping and the rows instead of breaking the envelope's length.
#![no_main]

use kefu_fuzz::MAPPING_SEPARATOR;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(at) = data
        .windows(MAPPING_SEPARATOR.len())
        .position(|window| window == MAPPING_SEPARATOR)
    else {
        return;
    };
    let mapping = &data[..at];
    let csv = &data[at + MAPPING_SEPARATOR.len()..];
    let mut input = format!("kefu-cdr-mapping {}\n", mapping.len()).into_bytes();
    input.extend_from_slice(mapping);
    input.extend_from_slice(csv);
    let result = phone_log::parse_input(&input);
    kefu_fuzz::check_parsed(&result, input.len());
});
