//! Tests against the real chat samples in tests/fixtures/chat and against
//! chat JSON Lines written here.

use kefu_plugin_sdk::adapter::kefu::plugin::types::{Channel, Direction, Message};

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/chat/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

fn head(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(4096)]
}

const MESSAGE_CREATED: &str = "chatwoot-webhook-message_created.json";
const STATUS_CHANGED: &str = "chatwoot-webhook-conversation_status_changed.json";
const INVALID_SAMPLE: &str = "chatwoot-doc-sample-NOT-valid-json.jsonc";
const TWCS: &str = "twcs-sample-64rows.csv";

#[test]
fn chatwoot_message_created_is_inbound_chat() {
    let parsed = parse_input(MESSAGE_CREATED, &fixture(MESSAGE_CREATED)).unwrap();
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.messages.len(), 1);
    let message = &parsed.messages[0];
    assert_eq!(message.channel, Channel::Chat);
    assert_eq!(message.direction, Direction::Inbound);
    assert_eq!(message.body_text, "hi");
    assert_eq!(message.external_id.as_deref(), Some("118"));
    assert_eq!(message.thread_key.as_deref(), Some("10"));
    assert_eq!(message.sender.address, "14");
    assert_eq!(message.sender.name.as_deref(), Some("little-haze-776"));
    assert_eq!(message.customer.address, "14");
    // 2021-07-23T18:02:48.000Z
    assert_eq!(message.sent_at, Some(1_627_063_368));
    assert!(message.raw_span.is_none());
}

#[test]
fn chatwoot_outgoing_message_names_conversation_contact() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(MESSAGE_CREATED)).unwrap();
    payload["message_type"] = "outgoing".into();
    payload["sender"] = serde_json::json!({"id": 1, "name": "John", "type": "user"});
    payload["content"] = "We are looking into it.".into();
    let bytes = serde_json::to_vec(&payload).unwrap();
    let message = &parse_input("hook.json", &bytes).unwrap().messages[0];
    assert_eq!(message.direction, Direction::Outbound);
    assert_eq!(message.sender.name.as_deref(), Some("John"));
    assert_eq!(message.sender.address, "1");
    assert_eq!(message.customer.address, "14");
    assert_eq!(message.customer.name.as_deref(), Some("little-haze-776"));
}

#[test]
fn chatwoot_private_note_and_activity_give_no_message() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(MESSAGE_CREATED)).unwrap();
    payload["private"] = true.into();
    let bytes = serde_json::to_vec(&payload).unwrap();
    assert!(
        parse_input("hook.json", &bytes)
            .unwrap()
            .messages
            .is_empty()
    );

    payload["private"] = false.into();
    payload["message_type"] = "activity".into();
    let bytes = serde_json::to_vec(&payload).unwrap();
    assert!(
        parse_input("hook.json", &bytes)
            .unwrap()
            .messages
            .is_empty()
    );
}

#[test]
fn chatwoot_status_change_gives_empty_list() {
    let parsed = parse_input(STATUS_CHANGED, &fixture(STATUS_CHANGED)).unwrap();
    assert!(parsed.messages.is_empty());
    assert!(parsed.rejected.is_empty());
}

#[test]
fn chatwoot_incoming_without_sender_is_malformed() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(MESSAGE_CREATED)).unwrap();
    payload.as_object_mut().unwrap().remove("sender");
    let bytes = serde_json::to_vec(&payload).unwrap();
    let error = parse_input("hook.json", &bytes).unwrap_err();
    let ParseError::Malformed(reason) = error else {
        panic!("expected malformed, got {error:?}");
    };
    assert_eq!(
        reason,
        "The Chatwoot webhook payload is invalid: \"sender\" is missing for an incoming message."
    );
}

#[test]
fn invalid_jsonc_sample_is_malformed_with_position() {
    let error = parse_input(INVALID_SAMPLE, &fixture(INVALID_SAMPLE)).unwrap_err();
    let ParseError::Malformed(reason) = error else {
        panic!("expected malformed, got {error:?}");
    };
    assert_eq!(
        reason,
        "The input is not valid JSON: line 3, column 31: key must be a string."
    );
}

#[test]
fn twcs_rows_become_tweets_in_file_order() {
    let bytes = fixture(TWCS);
    let parsed = parse_input(TWCS, &bytes).unwrap();
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.messages.len(), 64);
    let ids: Vec<&str> = parsed
        .messages
        .iter()
        .map(|message| message.external_id.as_deref().unwrap())
        .collect();
    assert_eq!(&ids[..8], ["1", "2", "3", "4", "5", "6", "8", "11"]);
    for message in &parsed.messages {
        let span = message.raw_span.as_ref().unwrap();
        let row = &bytes[span.offset as usize..(span.offset + span.length) as usize];
        let id = message.external_id.as_deref().unwrap();
        assert!(row.starts_with(format!("{id},").as_bytes()), "tweet {id}");
    }
}

fn tweet<'a>(parsed: &'a Parsed, id: &str) -> &'a Message {
    parsed
        .messages
        .iter()
        .find(|message| message.external_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("tweet {id} missing"))
}

#[test]
fn twcs_threads_follow_replies_to_root() {
    let parsed = parse_input(TWCS, &fixture(TWCS)).unwrap();
    let cases = [
        ("1", "8"),
        ("2", "8"),
        ("8", "8"),
        ("11", "18"),
        ("19", "20"),
        ("27", "29"),
        ("23", "29"),
        ("37", "36"),
        ("45", "49"),
        ("65", "66"),
        ("79", "81"),
    ];
    for (id, root) in cases {
        assert_eq!(
            tweet(&parsed, id).thread_key.as_deref(),
            Some(root),
            "tweet {id}"
        );
    }
    assert_eq!(tweet(&parsed, "1").replies_to, ["3"]);
    assert!(tweet(&parsed, "8").replies_to.is_empty());
}

#[test]
fn twcs_direction_and_customer() {
    let parsed = parse_input(TWCS, &fixture(TWCS)).unwrap();
    let brand = tweet(&parsed, "1");
    assert_eq!(brand.direction, Direction::Outbound);
    assert_eq!(brand.sender.address, "sprintcare");
    assert_eq!(brand.customer.address, "115712");

    let customer = tweet(&parsed, "2");
    assert_eq!(customer.direction, Direction::Inbound);
    assert_eq!(customer.sender.address, "115712");
    assert_eq!(customer.customer.address, "115712");
    assert_eq!(
        customer.body_text,
        "@sprintcare and how do you propose we do that"
    );
    // Tue Oct 31 22:11:45 +0000 2017
    assert_eq!(customer.sent_at, Some(1_509_487_905));

    // A broadcast that opened the thread: its customer is the thread's first customer.
    let broadcast = tweet(&parsed, "81");
    assert_eq!(broadcast.direction, Direction::Outbound);
    assert_eq!(broadcast.customer.address, "115733");

    // An agent whose handle was anonymised to a number and flagged inbound
    // reads as a customer; the dataset gives no way to tell.
    assert_eq!(tweet(&parsed, "46").direction, Direction::Inbound);

    let outbound = parsed
        .messages
        .iter()
        .filter(|message| message.direction == Direction::Outbound)
        .count();
    assert_eq!(outbound, 29);
}

#[test]
fn twcs_text_decodes_entities_and_keeps_newlines() {
    let parsed = parse_input(TWCS, &fixture(TWCS)).unwrap();
    assert!(
        tweet(&parsed, "61")
            .body_text
            .contains(">All of VERIZON IS DOWN<\nWhen can we expect a fix ?")
    );
    assert_eq!(
        tweet(&parsed, "38").body_text,
        "@115720 Have your friend message us.\n^ACM"
    );
}

#[test]
fn twcs_dangling_reference_starts_thread() {
    let csv = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
               10,555,True,Tue Oct 31 22:10:47 +0000 2017,first,,999\n\
               11,AcmeHelp,False,Tue Oct 31 22:11:47 +0000 2017,@555 hello &amp; welcome,,10\n";
    let parsed = parse_input("t.csv", csv.as_bytes()).unwrap();
    let first = tweet(&parsed, "10");
    assert_eq!(first.thread_key.as_deref(), Some("10"));
    assert_eq!(first.replies_to, ["999"]);
    assert_eq!(
        first.notes,
        [
            "Tweet 999, which this tweet answers, is not in the file, so this tweet starts its own thread."
        ]
    );
    let reply = tweet(&parsed, "11");
    assert_eq!(reply.thread_key.as_deref(), Some("10"));
    assert_eq!(reply.customer.address, "555");
    assert_eq!(reply.body_text, "@555 hello & welcome");
}

#[test]
fn twcs_bad_rows_are_rejected_with_line_numbers() {
    let csv = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
               1,555,TRUE,Tue Oct 31 22:10:47 +0000 2017,\"two\nlines\",,\n\
               2,555,TRUE,2017-10-31,bad time,,\n\
               3,555,TRUE\n\
               ,555,TRUE,Tue Oct 31 22:10:47 +0000 2017,no id,,\n\
               4,555,TRUE,Tue Oct 31 22:12:47 +0000 2017,fine,,1\n";
    let parsed = parse_input("t.csv", csv.as_bytes()).unwrap();
    let ids: Vec<_> = parsed
        .messages
        .iter()
        .map(|message| message.external_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["1", "4"]);
    let reasons: Vec<&str> = parsed
        .rejected
        .iter()
        .map(|rejected| rejected.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "Line 4: created_at \"2017-10-31\" of tweet 2 is not a time like \"Tue Oct 31 22:10:47 +0000 2017\".",
            "Line 5: the row has 3 columns, but the header row has 7.",
            "Line 6: tweet_id is empty.",
        ]
    );
}

const JSONL: &str = r#"{"conversation": "c-1", "customer": {"id": "u-7", "name": "王芳"}, "direction": "in", "text": "你好，我的订单还没到", "at": "2024-05-01T09:30:00+08:00", "id": "e-1"}
{"conversation": "c-1", "customer": {"id": "u-7", "name": "王芳"}, "direction": "out", "text": "您好，我来查一下", "at": "2024-05-01T09:31:00+08:00", "id": "e-2", "agent": "李客服"}

{"conversation": "c-1", "customer": {"id": "u-7"}, "direction": "sideways", "text": "?", "at": "2024-05-01T09:32:00+08:00"}
{"conversation": "c-2", "customer": {"id": 42}, "direction": "in", "text": "hi", "at": "yesterday"}
not json at all
{"conversation": "c-2", "customer": {"id": 42}, "direction": "in", "text": "still there?", "at": "2024-05-01T01:40:00Z"}
"#;

#[test]
fn jsonl_events_become_messages() {
    let parsed = parse_input("chat.jsonl", JSONL.as_bytes()).unwrap();
    assert_eq!(parsed.messages.len(), 3);

    let inbound = &parsed.messages[0];
    assert_eq!(inbound.channel, Channel::Chat);
    assert_eq!(inbound.direction, Direction::Inbound);
    assert_eq!(inbound.sender.address, "u-7");
    assert_eq!(inbound.sender.name.as_deref(), Some("王芳"));
    assert_eq!(inbound.customer.address, "u-7");
    assert_eq!(inbound.thread_key.as_deref(), Some("c-1"));
    assert_eq!(inbound.external_id.as_deref(), Some("e-1"));
    assert_eq!(inbound.sent_at, Some(1_714_527_000));
    assert_eq!(inbound.body_text, "你好，我的订单还没到");

    let outbound = &parsed.messages[1];
    assert_eq!(outbound.direction, Direction::Outbound);
    assert_eq!(outbound.sender.name.as_deref(), Some("李客服"));
    assert_eq!(outbound.customer.address, "u-7");
    assert_eq!(outbound.customer.name.as_deref(), Some("王芳"));

    let numeric_id = &parsed.messages[2];
    assert_eq!(numeric_id.customer.address, "42");
    assert_eq!(numeric_id.external_id, None);
    let span = numeric_id.raw_span.as_ref().unwrap();
    let line = &JSONL.as_bytes()[span.offset as usize..(span.offset + span.length) as usize];
    assert!(line.starts_with(b"{\"conversation\": \"c-2\""));
    assert!(line.ends_with(b"}"));
}

#[test]
fn jsonl_bad_lines_are_rejected_with_line_numbers() {
    let parsed = parse_input("chat.jsonl", JSONL.as_bytes()).unwrap();
    let reasons: Vec<&str> = parsed
        .rejected
        .iter()
        .map(|rejected| rejected.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "Line 4: \"direction\" must be \"in\" or \"out\", not \"sideways\".",
            "Line 5: \"at\" \"yesterday\" is not an RFC 3339 time such as \"2024-05-01T09:30:00+08:00\".",
            "Line 6: invalid JSON at column 2: expected ident.",
        ]
    );
}

#[test]
fn single_chat_event_document_is_read() {
    let event = r#"{
        "conversation": "c-9", "customer": {"id": "u-1"}, "direction": "in",
        "text": "one event", "at": "2024-05-01T01:40:00Z"
    }"#;
    let parsed = parse_input("event.json", event.as_bytes()).unwrap();
    assert_eq!(parsed.messages.len(), 1);
    assert_eq!(parsed.messages[0].thread_key.as_deref(), Some("c-9"));
}

#[test]
fn other_json_is_unsupported() {
    assert!(matches!(
        parse_input("x.json", b"[1, 2]"),
        Err(ParseError::Unsupported(_))
    ));
    assert!(matches!(
        parse_input("x.json", b"{\"name\": \"x\"}"),
        Err(ParseError::Unsupported(_))
    ));
    assert!(
        parse_input("x.jsonl", b"\n \n")
            .unwrap()
            .messages
            .is_empty()
    );
}

#[test]
fn probe_scores_chat_inputs() {
    assert_eq!(
        ChatAdapter::probe(TWCS.to_string(), head(&fixture(TWCS)).to_vec()),
        100
    );
    assert_eq!(
        ChatAdapter::probe(String::new(), head(&fixture(TWCS)).to_vec()),
        100
    );
    for name in [MESSAGE_CREATED, STATUS_CHANGED, INVALID_SAMPLE] {
        assert_eq!(
            ChatAdapter::probe(name.to_string(), head(&fixture(name)).to_vec()),
            90,
            "{name}"
        );
        assert_eq!(
            ChatAdapter::probe(String::new(), head(&fixture(name)).to_vec()),
            90,
            "{name}"
        );
    }
    assert_eq!(
        ChatAdapter::probe("chat.jsonl".to_string(), JSONL.as_bytes().to_vec()),
        95
    );
    assert_eq!(
        ChatAdapter::probe(String::new(), JSONL.as_bytes().to_vec()),
        95
    );
}

#[test]
fn probe_rejects_mail_and_call_logs() {
    let others = [
        "../email/01-cn-gb2312-reply-chain-outlook-quote.eml",
        "../email/mbox/01-sisimai-37-bounces.mbox",
        "../phone/asterisk-testsuite-Master.csv",
        "../phone/asterisk-Master-pseudonymized-218rows.csv",
    ];
    for name in others {
        let bytes = fixture(name);
        let file_name = name.rsplit('/').next().unwrap().to_string();
        assert_eq!(
            ChatAdapter::probe(file_name, head(&bytes).to_vec()),
            0,
            "{name}"
        );
        assert_eq!(
            ChatAdapter::probe(String::new(), head(&bytes).to_vec()),
            0,
            "{name}"
        );
    }
}

#[test]
fn truncated_inputs_parse_without_panic() {
    for name in [MESSAGE_CREATED, STATUS_CHANGED, INVALID_SAMPLE, TWCS] {
        let bytes = fixture(name);
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            // Only the absence of a panic is checked.
            let _ = parse_input(name, &bytes[..cut]);
            let _ = parse_input("cut.jsonl", &bytes[cut..]);
        }
    }
}
