//! Tests against the real call-detail records in tests/fixtures/phone.

use kefu_plugin_sdk::adapter::kefu::plugin::types::{Channel, Direction, Message};

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

const TESTSUITE: &str = "phone/asterisk-testsuite-Master.csv";
const PSEUDONYMISED: &str = "phone/asterisk-Master-pseudonymized-218rows.csv";

fn parse_fixture(name: &str) -> Parsed {
    parse_input(&fixture(name)).unwrap()
}

fn row(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|field| format!("\"{}\"", field.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Builds a 16-column row with the given source, destination, start and
/// disposition, lasting 135 s with 123 s billed.
fn standard_row(source: &str, destination: &str, start: &str, disposition: &str) -> String {
    let strings_before = row(&[
        "",
        source,
        destination,
        "from-internal",
        "\"Agent Li\" <200>",
        "SIP/200-1",
        "SIP/trunk-2",
        "Dial",
        "SIP/trunk",
        start,
        start,
        "2024-05-01 10:02:15",
    ]);
    let strings_after = row(&[disposition, "DOCUMENTATION"]);
    format!("{strings_before},135,123,{strings_after}")
}

#[test]
fn testsuite_rows_read_with_uniqueid() {
    let parsed = parse_fixture(TESTSUITE);
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.messages.len(), 2);
    let first = &parsed.messages[0];
    assert_eq!(first.channel, Channel::Phone);
    assert_eq!(first.direction, Direction::Inbound);
    assert_eq!(first.sent_at, Some(1_270_167_992));
    assert_eq!(
        first.external_id.as_deref(),
        Some("1270167992.0/1/2010-04-02 00:26:32")
    );
    assert_eq!(
        first.body_text,
        "Call from an unknown number to 1: ANSWERED, 7 s (billed 7 s)"
    );
    assert_eq!(first.sender.address, "");
    assert!(
        first
            .notes
            .contains(&"The record has no caller number.".to_string())
    );
    let call = first.call.as_ref().unwrap();
    assert_eq!(call.destination, "1");
    assert_eq!(call.duration_seconds, 7);
    assert_eq!(call.billed_seconds, 7);
    assert_eq!(call.disposition, "ANSWERED");
    assert!(call.answered);
}

#[test]
fn every_pseudonymised_row_becomes_a_message() {
    let bytes = fixture(PSEUDONYMISED);
    let parsed = parse_input(&bytes).unwrap();
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.messages.len(), 218);
    for message in &parsed.messages {
        let span = message.raw_span.as_ref().unwrap();
        let row = &bytes[span.offset as usize..(span.offset + span.length) as usize];
        assert!(row.starts_with(b"\""));
        assert!(!row.ends_with(b"\n"));
        assert!(message.thread_key.is_none());
        assert!(message.subject.is_none());
        assert_eq!(
            message.notes[0],
            "The call-detail record has no time zone, so the PBX time was read as UTC."
        );
    }
}

#[test]
fn rows_of_one_call_keep_distinct_ids() {
    let parsed = parse_fixture(PSEUDONYMISED);
    let ids: Vec<&str> = parsed
        .messages
        .iter()
        .map(|message| message.external_id.as_deref().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 218);

    let unanswered: &Message = &parsed.messages[0];
    let answered: &Message = &parsed.messages[1];
    assert_eq!(
        unanswered.external_id.as_deref(),
        Some("1497952162.0/555-0101/2017-06-20 09:49:22")
    );
    assert_eq!(
        answered.external_id.as_deref(),
        Some("1497952162.0/555-0101/2017-06-20 09:49:22#2")
    );
    assert_eq!(
        answered.notes[1],
        "Line 2 repeats the uniqueid, destination and start of an earlier row, so its external id ends in #2."
    );
}

#[test]
fn inbound_call_fills_call_record() {
    let parsed = parse_fixture(PSEUDONYMISED);
    let answered = &parsed.messages[1];
    assert_eq!(answered.direction, Direction::Inbound);
    assert_eq!(answered.sender.address, "555-0100");
    assert_eq!(answered.customer.address, "555-0100");
    assert_eq!(answered.sent_at, Some(1_497_952_162));
    assert_eq!(
        answered.body_text,
        "Call from 555-0100 to 555-0101: ANSWERED, 8 min 44 s (billed 8 min 34 s)"
    );
    let call = answered.call.as_ref().unwrap();
    assert_eq!((call.duration_seconds, call.billed_seconds), (524, 514));
    assert!(call.answered);

    let named = &parsed.messages[2];
    assert_eq!(named.sender.name.as_deref(), Some("Caller 01"));
    assert_eq!(named.sender.address, "555-0102");
    assert_eq!(
        named.body_text,
        "Call from 555-0102 to 555-0103: NO ANSWER, 45 s (billed 0 s)"
    );
    assert!(!named.call.as_ref().unwrap().answered);
}

#[test]
fn dispositions_are_counted() {
    let parsed = parse_fixture(PSEUDONYMISED);
    let count = |disposition: &str| {
        parsed
            .messages
            .iter()
            .filter(|message| message.call.as_ref().unwrap().disposition == disposition)
            .count()
    };
    assert_eq!(count("ANSWERED"), 133);
    assert_eq!(count("NO ANSWER"), 83);
    assert_eq!(count("BUSY"), 2);
    let answered = parsed
        .messages
        .iter()
        .filter(|message| message.call.as_ref().unwrap().answered)
        .count();
    assert_eq!(answered, 133);
}

#[test]
fn extension_calling_out_is_outbound() {
    let input = standard_row("200", "5550123", "2024-05-01 10:00:00", "ANSWERED");
    let parsed = parse_input(input.as_bytes()).unwrap();
    let message = &parsed.messages[0];
    assert_eq!(message.direction, Direction::Outbound);
    assert_eq!(message.sender.address, "200");
    assert_eq!(message.sender.name.as_deref(), Some("Agent Li"));
    assert_eq!(message.customer.address, "5550123");
    assert_eq!(message.customer.name, None);
    assert_eq!(
        message.body_text,
        "Call from 200 to 5550123: ANSWERED, 2 min 15 s (billed 2 min 3 s)"
    );
    assert_eq!(message.external_id, None);
}

#[test]
fn extension_to_extension_is_inbound() {
    let input = standard_row("201", "200", "2024-05-01 10:00:00", "ANSWERED");
    let parsed = parse_input(input.as_bytes()).unwrap();
    assert_eq!(parsed.messages[0].direction, Direction::Inbound);
}

#[test]
fn bad_rows_are_rejected_with_line_numbers() {
    let good = standard_row("555-0101", "200", "2024-05-01 10:00:00", "ANSWERED");
    let bad_time = standard_row("555-0101", "200", "01/05/2024 10:00", "ANSWERED");
    let short = row(&["", "555-0101", "200"]);
    let bad_duration = good.replace(",135,", ",abc,");
    let input = format!("{good}\n{bad_time}\n{short}\n{bad_duration}\r\n{good}\n");
    let parsed = parse_input(input.as_bytes()).unwrap();
    assert_eq!(parsed.messages.len(), 2);
    let reasons: Vec<&str> = parsed
        .rejected
        .iter()
        .map(|rejected| rejected.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "Line 2: the start time \"01/05/2024 10:00\" is not a date and time like \"2017-06-20 09:49:22\".",
            "Line 3: the row has 3 columns; an Asterisk Master.csv row has 16 (standard), 17 or 18 \
             (with uniqueid and userfield) or up to 21 (with newcdrcolumns).",
            "Line 4: the duration \"abc\" is not a whole number of seconds.",
        ]
    );
    let span = parsed.rejected[1].span.as_ref().unwrap();
    let rejected_row =
        &input.as_bytes()[span.offset as usize..(span.offset + span.length) as usize];
    assert_eq!(rejected_row, short.as_bytes());
}

#[test]
fn newline_inside_caller_id_keeps_line_numbers() {
    let multiline = standard_row("555-0101", "200", "2024-05-01 10:00:00", "ANSWERED")
        .replace("Agent Li", "Agent\nLi");
    let bad = standard_row("555-0101", "200", "never", "ANSWERED");
    let input = format!("{multiline}\n{bad}\n");
    let parsed = parse_input(input.as_bytes()).unwrap();
    assert_eq!(parsed.messages.len(), 1);
    assert!(
        parsed.rejected[0]
            .reason
            .starts_with("Line 3: the start time \"never\"")
    );
}

#[test]
fn other_csv_is_unsupported() {
    let twcs = fixture("chat/twcs-sample-64rows.csv");
    assert!(matches!(
        parse_input(&twcs),
        Err(ParseError::Unsupported(_))
    ));
    let empty = parse_input(b"").unwrap();
    assert!(empty.messages.is_empty());
    assert!(empty.rejected.is_empty());
}

#[test]
fn probe_accepts_cdr_files() {
    for name in [TESTSUITE, PSEUDONYMISED] {
        let bytes = fixture(name);
        let head = bytes[..bytes.len().min(4096)].to_vec();
        assert_eq!(
            PhoneLogAdapter::probe("Master.csv".to_string(), head.clone()),
            100,
            "{name}"
        );
        assert_eq!(
            PhoneLogAdapter::probe("calls.csv".to_string(), head.clone()),
            90,
            "{name}"
        );
        assert_eq!(PhoneLogAdapter::probe(String::new(), head), 90, "{name}");
    }
}

#[test]
fn probe_rejects_other_channels() {
    let names = [
        "email/01-cn-gb2312-reply-chain-outlook-quote.eml",
        "email/mbox/01-sisimai-37-bounces.mbox",
        "chat/twcs-sample-64rows.csv",
        "chat/chatwoot-webhook-message_created.json",
        "chat/chatwoot-doc-sample-NOT-valid-json.jsonc",
    ];
    for name in names {
        let bytes = fixture(name);
        let head = bytes[..bytes.len().min(4096)].to_vec();
        let file_name = name.rsplit('/').next().unwrap().to_string();
        assert_eq!(PhoneLogAdapter::probe(file_name, head.clone()), 0, "{name}");
        assert_eq!(PhoneLogAdapter::probe(String::new(), head), 0, "{name}");
    }
}

#[test]
fn truncated_inputs_parse_without_panic() {
    for name in [TESTSUITE, PSEUDONYMISED] {
        let bytes = fixture(name);
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            // Only the absence of a panic is checked.
            let _ = parse_input(&bytes[..cut]);
            let _ = parse_input(&bytes[cut..]);
        }
    }
}

#[test]
fn format_reply_rejected_with_reason() {
    use kefu_plugin_sdk::types::Party;

    let party = Party {
        name: None,
        address: "+8613800138000".to_string(),
    };
    let reply = Reply {
        sender: party.clone(),
        recipient: party,
        subject: None,
        body_text: "We called you back.".to_string(),
        external_id: "reply-1".to_string(),
        replies_to: vec!["1733300000.17".to_string()],
        thread_key: None,
        sent_at: 1_733_300_000,
    };
    let error = PhoneLogAdapter::format_reply(reply).unwrap_err();
    assert!(error.contains("cannot carry replies"), "{error}");
    assert!(error.contains("note"), "{error}");
}

#[test]
fn recognition_lists_csv() {
    let recognition = PhoneLogAdapter::recognises();
    assert_eq!(recognition.extensions, ["csv"]);
    assert_eq!(recognition.content_types, ["text/csv"]);
    assert_eq!(recognition.webhook_path, None);
}
