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

const FREESWITCH: &str = "phone/freeswitch-cdr_csv-example-template.csv";

/// Puts a mapping in front of a CSV, as the host does for `NAME.cdr.toml`.
fn envelope(mapping: &[u8], csv: &[u8]) -> Vec<u8> {
    let mut input = format!("kefu-cdr-mapping {}\n", mapping.len()).into_bytes();
    input.extend_from_slice(mapping);
    input.extend_from_slice(csv);
    input
}

fn mapped_fixture(name: &str) -> Vec<u8> {
    let mapping = fixture(&format!("phone-mapped/{name}.cdr.toml"));
    envelope(&mapping, &fixture(&format!("phone-mapped/{name}.csv")))
}

#[test]
fn freeswitch_example_rows_read() {
    let parsed = parse_fixture(FREESWITCH);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.messages.len(), 6);
    let answered = &parsed.messages[0];
    assert_eq!(answered.direction, Direction::Inbound);
    assert_eq!(answered.sender.name.as_deref(), Some("Customer A"));
    assert_eq!(answered.sender.address, "13800138000");
    assert_eq!(answered.sent_at, Some(1_714_986_902));
    assert_eq!(
        answered.external_id.as_deref(),
        Some("6f1c2a7e-0b5e-4c1f-9a31-2d4c7e8f0a01/4008108888/2024-05-06 09:15:02")
    );
    assert_eq!(
        answered.body_text,
        "Call from 13800138000 to 4008108888: NORMAL_CLEARING, 4 min 39 s (billed 4 min 32 s)"
    );
    assert!(answered.call.as_ref().unwrap().answered);
    assert_eq!(
        answered.notes[0],
        "The call-detail record has no time zone, so the PBX time was read as UTC."
    );
    let named = &parsed.messages[2];
    assert_eq!(named.sender.name.as_deref(), Some("王芳"));
    assert_eq!(named.sender.address, "010-12345678");
    let anonymous_name = &parsed.messages[1];
    assert_eq!(anonymous_name.sender.name, None);
}

#[test]
fn freeswitch_hangup_causes_set_answered() {
    let parsed = parse_fixture(FREESWITCH);
    let outcomes: Vec<(&str, bool)> = parsed
        .messages
        .iter()
        .map(|message| {
            let call = message.call.as_ref().unwrap();
            (call.disposition.as_str(), call.answered)
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("NORMAL_CLEARING", true),
            ("NO_ANSWER", false),
            ("ORIGINATOR_CANCEL", false),
            ("USER_BUSY", false),
            ("NORMAL_CLEARING", true),
            ("NO_USER_RESPONSE", false),
        ]
    );
}

#[test]
fn freeswitch_extension_calling_out_is_outbound() {
    let parsed = parse_fixture(FREESWITCH);
    let callback = &parsed.messages[4];
    assert_eq!(callback.direction, Direction::Outbound);
    assert_eq!(callback.customer.address, "13800138000");
}

#[test]
fn freeswitch_asterisk_template_uses_answer_time() {
    // The `asterisk` template of cdr_csv.conf.xml: Asterisk's order with
    // the hangup cause as disposition and the uuid as uniqueid.
    let answered = standard_row(
        "13800138000",
        "4008108888",
        "2024-05-01 10:00:00",
        "NORMAL_CLEARING",
    );
    let answered = format!("{answered},\"0b5e4c1f-9a31\",\"\"");
    let parsed = parse_input(answered.as_bytes()).unwrap();
    assert!(parsed.messages[0].call.as_ref().unwrap().answered);
    assert_eq!(
        parsed.messages[0].external_id.as_deref(),
        Some("0b5e4c1f-9a31/4008108888/2024-05-01 10:00:00")
    );
}

#[test]
fn plain_line_count_matches_csv_reader() {
    let heads: [&[u8]; 6] = [
        b"Return-Path: <a@example.com>\r\nFrom: a@example.com\r\n",
        b"Received: from mx (a, b, c); Mon, 2 Nov 2026\nSubject: x\n",
        b"\"\",\"100\",\"200\",\"ctx\"\n",
        b"a,b,,d\r\ne,f",
        b"\n\na,b,c\n",
        b"one field",
    ];
    for head in heads {
        let mut record = csv::ByteRecord::new();
        let found = reader(head, b',').read_byte_record(&mut record).unwrap();
        match plain_first_line_columns(head) {
            Some(columns) => {
                assert!(found, "{head:?}");
                assert_eq!(columns, record.len(), "{head:?}");
            }
            None => assert!(head.starts_with(b"\n") || head.contains(&b'"'), "{head:?}"),
        }
    }
}

#[test]
fn probe_accepts_freeswitch_and_mapped() {
    let bytes = fixture(FREESWITCH);
    assert_eq!(
        PhoneLogAdapter::probe("Master.csv".to_string(), bytes.clone()),
        100
    );
    assert_eq!(PhoneLogAdapter::probe("calls.csv".to_string(), bytes), 90);
    let mapped = mapped_fixture("callcentre-export-gbk");
    assert_eq!(
        PhoneLogAdapter::probe("export.csv".to_string(), mapped),
        100
    );
}

#[test]
fn gbk_semicolon_export_read_through_mapping() {
    let input = mapped_fixture("callcentre-export-gbk");
    let parsed = parse_input(&input).unwrap();
    assert_eq!(parsed.messages.len(), 4);
    let first = &parsed.messages[0];
    assert_eq!(first.sender.name.as_deref(), Some("李雷"));
    assert_eq!(first.sender.address, "138 0013 8003");
    assert_eq!(first.call.as_ref().unwrap().destination, "400-810-8888");
    // 2024-05-07 09:01:10 in Beijing.
    assert_eq!(first.sent_at, Some(1_715_043_670));
    assert_eq!(
        first.external_id.as_deref(),
        Some("A0001/400-810-8888/2024/05/07 09:01:10")
    );
    let call = first.call.as_ref().unwrap();
    assert_eq!(call.disposition, "已接听");
    assert!(call.answered);
    assert_eq!(call.duration_seconds, 230);
    // billsec is not mapped, so it is the time from answer to end.
    assert_eq!(call.billed_seconds, 222);
    assert_eq!(
        first.notes,
        [
            "The call-record file is not valid UTF-8, so its text was decoded as GB18030 (a superset of GBK)."
        ]
    );
    let missed: Vec<(&str, bool)> = parsed.messages[1..]
        .iter()
        .map(|message| {
            let call = message.call.as_ref().unwrap();
            (call.disposition.as_str(), call.answered)
        })
        .collect();
    assert_eq!(
        missed,
        [("未接听", false), ("呼损", false), ("已接听", true)]
    );
    assert_eq!(parsed.messages[2].sender.name, None);
}

#[test]
fn mapped_bad_row_rejected_with_line() {
    let input = mapped_fixture("callcentre-export-gbk");
    let parsed = parse_input(&input).unwrap();
    assert_eq!(parsed.rejected.len(), 1);
    let rejected = &parsed.rejected[0];
    assert_eq!(
        rejected.reason,
        "Line 5: the start time \"07-05-2024 10:00\" does not match the mapping's time-format \"%Y/%m/%d %H:%M:%S\"."
    );
    let span = rejected.span.as_ref().unwrap();
    let row = &input[span.offset as usize..(span.offset + span.length) as usize];
    assert!(row.starts_with(b"A0004;"), "{row:?}");
}

#[test]
fn bom_header_unix_times_read_through_mapping() {
    let input = mapped_fixture("telephony-export-bom");
    let parsed = parse_input(&input).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.messages.len(), 3);
    let first = &parsed.messages[0];
    assert_eq!(first.sender.address, "+86 138 0013 8006");
    assert_eq!(first.sent_at, Some(1_715_045_400));
    assert_eq!(
        first.external_id.as_deref(),
        Some("c-101/+86 10 8888 6666/1715045400")
    );
    let call = first.call.as_ref().unwrap();
    assert_eq!((call.duration_seconds, call.billed_seconds), (120, 110));
    assert!(call.answered);
    assert!(first.notes.is_empty(), "{:?}", first.notes);
    let span = first.raw_span.as_ref().unwrap();
    let row = &input[span.offset as usize..(span.offset + span.length) as usize];
    assert!(row.starts_with(b"c-101,"), "{row:?}");
    assert!(!parsed.messages[1].call.as_ref().unwrap().answered);
    assert_eq!(parsed.messages[2].sender.address, "anonymous");
}

#[test]
fn mapping_without_header_uses_numbers() {
    let mapping = b"header = false\n[columns]\ncaller = 2\ncallee = 3\nstart = 1\nbillsec = 4\n";
    let csv =
        "\u{feff}2024-05-01 10:00:00,13800138000,200,0\n2024-05-01 11:00:00,13800138001,200,65\n";
    let parsed = parse_input(&envelope(mapping, csv.as_bytes())).unwrap();
    assert_eq!(parsed.messages.len(), 2);
    let call = |index: usize| parsed.messages[index].call.clone().unwrap();
    assert_eq!(call(0).disposition, "NO ANSWER");
    assert!(!call(0).answered);
    assert_eq!(call(1).disposition, "ANSWERED");
    assert!(call(1).answered);
}

#[test]
fn broken_mapping_is_malformed_with_reason() {
    let csv = fixture(FREESWITCH);
    let cases: [(&[u8], &str); 3] = [
        (
            b"[columns]\ncaller = 2\nstart = \"Begin\"\nbillsec = 9\n",
            "start = \"Begin\" is not in the header row",
        ),
        (b"[columns]\ncaler = 2\n", "caler"),
        (
            b"time-zone = \"CST\"\n[columns]\ncaller = 2\nstart = 5\nbillsec = 9\n",
            "time-zone = \"CST\"",
        ),
    ];
    for (mapping, expected) in cases {
        match parse_input(&envelope(mapping, &csv)) {
            Err(ParseError::Malformed(reason)) => {
                assert!(reason.contains(expected), "{reason}")
            }
            other => panic!("expected a malformed input for {expected}, got {other:?}"),
        }
    }
}

#[test]
fn short_mapped_row_rejected() {
    let mapping = b"[columns]\ncaller = 2\nstart = 1\nbillsec = 4\n";
    let csv = b"2024-05-01 10:00:00,13800138000,200,0\n2024-05-01 11:00:00,13800138001\n";
    let parsed = parse_input(&envelope(mapping, csv)).unwrap();
    assert_eq!(parsed.messages.len(), 1);
    assert_eq!(
        parsed.rejected[0].reason,
        "Line 2: the row has 2 columns, but the column mapping reads column 4."
    );
}

#[test]
fn crlf_rows_keep_line_numbers_and_spans() {
    let good = standard_row("555-0101", "200", "2024-05-01 10:00:00", "ANSWERED");
    let bad = standard_row("555-0101", "200", "never", "ANSWERED");
    let input = format!("{good}\r\n{good}\r\n{bad}\r\n");
    let parsed = parse_input(input.as_bytes()).unwrap();
    assert!(
        parsed.rejected[0]
            .reason
            .starts_with("Line 3: the start time \"never\""),
        "{}",
        parsed.rejected[0].reason
    );
    let span = parsed.messages[1].raw_span.as_ref().unwrap();
    let row = &input.as_bytes()[span.offset as usize..(span.offset + span.length) as usize];
    assert_eq!(row, good.as_bytes());
}
