//! Tests against the real chat samples in tests/fixtures/chat and against
//! chat JSON Lines written here.

use kefu_plugin_sdk::adapter::kefu::plugin::types::{Channel, Direction, Message};
use kefu_plugin_sdk::identities::Identity;

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
const WITH_CONTACT: &str = "chatwoot-webhook-message_created-contact.json";
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
    assert_eq!(message.external_id.as_deref(), Some("chatwoot:118"));
    assert_eq!(message.thread_key.as_deref(), Some("chatwoot:10"));
    assert_eq!(message.sender.address, "chatwoot:14");
    assert_eq!(message.sender.name.as_deref(), Some("little-haze-776"));
    assert_eq!(message.customer.address, "chatwoot:14");
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
    assert_eq!(message.sender.address, "chatwoot:1");
    assert_eq!(message.customer.address, "chatwoot:14");
    assert_eq!(message.customer.name.as_deref(), Some("little-haze-776"));
}

fn contact(customer: &str, identity: Identity) -> ContactIdentity {
    ContactIdentity {
        customer: customer.to_string(),
        identity,
    }
}

#[test]
fn chatwoot_contact_email_and_phone_reported_once() {
    let read = read_input(WITH_CONTACT, &fixture(WITH_CONTACT)).unwrap();
    assert_eq!(read.parsed.messages.len(), 1);
    assert_eq!(read.parsed.messages[0].customer.address, "chatwoot:14");
    // `sender` and `conversation.meta.sender` both list them.
    assert_eq!(
        read.identities,
        [
            contact(
                "chatwoot:14",
                Identity::Email("customer.a@example.cn".to_string())
            ),
            contact("chatwoot:14", Identity::Phone("+8613800138000".to_string())),
        ]
    );
}

#[test]
fn chatwoot_contact_without_email_reports_nothing() {
    let read = read_input(MESSAGE_CREATED, &fixture(MESSAGE_CREATED)).unwrap();
    assert_eq!(read.parsed.messages.len(), 1);
    assert!(read.identities.is_empty(), "{:?}", read.identities);
}

#[test]
fn chatwoot_agent_email_never_reported() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(WITH_CONTACT)).unwrap();
    payload["message_type"] = "outgoing".into();
    payload["sender"] = serde_json::json!({
        "id": 1, "name": "John", "email": "john@acme.inc", "type": "user"
    });
    let bytes = serde_json::to_vec(&payload).unwrap();
    let read = read_input("hook.json", &bytes).unwrap();
    let emails: Vec<&Identity> = read
        .identities
        .iter()
        .map(|contact| &contact.identity)
        .filter(|identity| matches!(identity, Identity::Email(_)))
        .collect();
    assert_eq!(
        emails,
        [&Identity::Email("customer.a@example.cn".to_string())]
    );
    assert!(
        read.identities
            .iter()
            .all(|contact| contact.customer == "chatwoot:14")
    );
}

#[test]
fn chatwoot_other_contact_record_ignored() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(WITH_CONTACT)).unwrap();
    payload["conversation"]["meta"]["sender"]["id"] = 99.into();
    payload["conversation"]["meta"]["sender"]["email"] = "someone.else@example.cn".into();
    let bytes = serde_json::to_vec(&payload).unwrap();
    let read = read_input("hook.json", &bytes).unwrap();
    assert!(
        !read.identities.contains(&contact(
            "chatwoot:14",
            Identity::Email("someone.else@example.cn".into())
        )),
        "{:?}",
        read.identities
    );
    assert_eq!(read.identities.len(), 2, "{:?}", read.identities);
}

#[test]
fn chatwoot_contact_email_of_wrong_type_noted() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(WITH_CONTACT)).unwrap();
    payload["sender"]["email"] = 7.into();
    payload["conversation"]["meta"]["sender"]["email"] = serde_json::Value::Null;
    let bytes = serde_json::to_vec(&payload).unwrap();
    let read = read_input("hook.json", &bytes).unwrap();
    assert_eq!(
        read.identities,
        [contact(
            "chatwoot:14",
            Identity::Phone("+8613800138000".to_string())
        )]
    );
    let notes = &read.parsed.messages[0].notes;
    assert!(
        notes
            .iter()
            .any(|note| note.contains("\"sender\"") && note.contains("email")),
        "{notes:?}"
    );
}

#[test]
fn chatwoot_contact_inbox_id_gets_prefix() {
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(MESSAGE_CREATED)).unwrap();
    payload["message_type"] = "outgoing".into();
    payload["sender"] = serde_json::json!({"id": 1, "name": "John", "type": "user"});
    let meta = payload["conversation"]["meta"].as_object_mut().unwrap();
    assert!(meta.remove("sender").is_some());
    let bytes = serde_json::to_vec(&payload).unwrap();
    let message = &parse_input("hook.json", &bytes).unwrap().messages[0];
    assert_eq!(message.customer.address, "chatwoot:14");
    assert_eq!(message.customer.name, None);
}

#[test]
fn chatwoot_large_ids_keep_exact_digits() {
    let mut text = String::from_utf8(fixture(MESSAGE_CREATED)).unwrap();
    for (from, to) in [
        ("\"id\": 118,", "\"id\": 18446744073709551617,"),
        ("\"id\": 10,", "\"id\": 18446744073709551616,"),
    ] {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        text = text.replace(from, to);
    }
    let message = &parse_input("hook.json", text.as_bytes()).unwrap().messages[0];
    assert_eq!(
        message.external_id.as_deref(),
        Some("chatwoot:18446744073709551617")
    );
    assert_eq!(
        message.thread_key.as_deref(),
        Some("chatwoot:18446744073709551616")
    );
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
    assert_eq!(
        &ids[..8],
        [
            "twitter:1",
            "twitter:2",
            "twitter:3",
            "twitter:4",
            "twitter:5",
            "twitter:6",
            "twitter:8",
            "twitter:11"
        ]
    );
    for message in &parsed.messages {
        let span = message.raw_span.as_ref().unwrap();
        let row = &bytes[span.offset as usize..(span.offset + span.length) as usize];
        let id = message.external_id.as_deref().unwrap();
        let tweet_id = id.strip_prefix("twitter:").unwrap();
        assert!(
            row.starts_with(format!("{tweet_id},").as_bytes()),
            "tweet {id}"
        );
        assert!(message.notes.is_empty(), "tweet {id}: {:?}", message.notes);
    }
}

/// Finds the message of a tweet by its bare tweet id.
fn tweet<'a>(parsed: &'a Parsed, id: &str) -> &'a Message {
    let external_id = format!("twitter:{id}");
    parsed
        .messages
        .iter()
        .find(|message| message.external_id.as_deref() == Some(external_id.as_str()))
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
            tweet(&parsed, id).thread_key,
            Some(format!("twitter:{root}")),
            "tweet {id}"
        );
    }
    assert_eq!(tweet(&parsed, "1").replies_to, ["twitter:3"]);
    assert!(tweet(&parsed, "8").replies_to.is_empty());
}

#[test]
fn twcs_direction_and_customer() {
    let parsed = parse_input(TWCS, &fixture(TWCS)).unwrap();
    let brand = tweet(&parsed, "1");
    assert_eq!(brand.direction, Direction::Outbound);
    assert_eq!(brand.sender.address, "twitter:sprintcare");
    assert_eq!(brand.sender.name, None);
    assert_eq!(brand.customer.address, "twitter:115712");

    let customer = tweet(&parsed, "2");
    assert_eq!(customer.direction, Direction::Inbound);
    assert_eq!(customer.sender.address, "twitter:115712");
    assert_eq!(customer.customer.address, "twitter:115712");
    assert_eq!(
        customer.body_text,
        "@sprintcare and how do you propose we do that"
    );
    // Tue Oct 31 22:11:45 +0000 2017
    assert_eq!(customer.sent_at, Some(1_509_487_905));

    // A broadcast that opened the thread: its customer is the thread's first customer.
    let broadcast = tweet(&parsed, "81");
    assert_eq!(broadcast.direction, Direction::Outbound);
    assert_eq!(broadcast.customer.address, "twitter:115733");

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
    assert_eq!(first.thread_key.as_deref(), Some("twitter:10"));
    assert_eq!(first.replies_to, ["twitter:999"]);
    assert_eq!(
        first.notes,
        [
            "Tweet 999, which this tweet answers, is not in the file, so this tweet starts its own thread."
        ]
    );
    let reply = tweet(&parsed, "11");
    assert_eq!(reply.thread_key.as_deref(), Some("twitter:10"));
    assert_eq!(reply.customer.address, "twitter:555");
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
    assert_eq!(ids, ["twitter:1", "twitter:4"]);
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

#[test]
fn twcs_gbk_text_decodes_as_gb18030() {
    let csv = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id,备注\n\
               20,555,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeHelp 我的订单还没到,21,,加急\n\
               21,AcmeHelp,False,Tue Oct 31 22:11:47 +0000 2017,@555 您好，我来查一下,,20,\n";
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(csv);
    assert!(!had_errors);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the sample must not be UTF-8"
    );

    let parsed = parse_input("t.csv", &gbk).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.messages.len(), 2);
    let question = tweet(&parsed, "20");
    assert_eq!(question.body_text, "@AcmeHelp 我的订单还没到");
    assert_eq!(question.notes, [charset::FILE_GB18030_NOTE]);
    let span = question.raw_span.as_ref().unwrap();
    let row = &gbk[span.offset as usize..(span.offset + span.length) as usize];
    assert!(row.starts_with(b"20,555,"));
    assert!(
        row.ends_with(b",21,,\xbc\xd3\xbc\xb1"),
        "the row ends with 加急 in GBK"
    );

    let answer = tweet(&parsed, "21");
    assert_eq!(answer.body_text, "@555 您好，我来查一下");
    assert_eq!(answer.notes, [charset::FILE_GB18030_NOTE]);
    assert_eq!(answer.thread_key.as_deref(), Some("twitter:20"));
}

#[test]
fn twcs_mixed_charsets_decode_per_row() {
    let header =
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";
    let utf8_row = "30,555,True,Tue Oct 31 22:10:47 +0000 2017,你好,,\n";
    let (gbk_row, _, _) =
        encoding_rs::GBK.encode("31,555,True,Tue Oct 31 22:11:47 +0000 2017,我的订单,,30\n");
    assert!(
        std::str::from_utf8(&gbk_row).is_err(),
        "the GBK row must not be UTF-8"
    );
    // 0xFF starts no character in UTF-8 or GB18030.
    let undecodable_row = b"32,555,True,Tue Oct 31 22:12:47 +0000 2017,bad \xff byte,,30\n";
    let mut csv = Vec::new();
    csv.extend_from_slice(header.as_bytes());
    csv.extend_from_slice(utf8_row.as_bytes());
    csv.extend_from_slice(&gbk_row);
    csv.extend_from_slice(undecodable_row);

    let parsed = parse_input("t.csv", &csv).unwrap();
    assert_eq!(parsed.messages.len(), 2);
    let utf8 = tweet(&parsed, "30");
    assert_eq!(utf8.body_text, "你好");
    assert!(utf8.notes.is_empty(), "{:?}", utf8.notes);
    let gbk = tweet(&parsed, "31");
    assert_eq!(gbk.body_text, "我的订单");
    assert_eq!(gbk.notes, [charset::ROW_GB18030_NOTE]);

    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(
        parsed.rejected[0].reason,
        "Line 4: the row is neither valid UTF-8 nor valid GB18030 (GBK) text. \
         Save the CSV as UTF-8 and import it again."
    );
    let span = parsed.rejected[0].span.as_ref().unwrap();
    let row = &csv[span.offset as usize..(span.offset + span.length) as usize];
    assert_eq!(row, undecodable_row.trim_ascii_end());
}

#[test]
fn chat_sources_keep_ids_apart() {
    // The same numbers as the twcs fixture's tweet 8 and customer 115712.
    let jsonl = r#"{"conversation": 8, "customer": {"id": 115712}, "direction": "in", "text": "hi", "at": "2024-05-01T01:40:00Z", "id": 8}"#;
    let jsonl_message = &parse_input("chat.jsonl", jsonl.as_bytes())
        .unwrap()
        .messages[0];
    assert_eq!(jsonl_message.thread_key.as_deref(), Some("8"));
    assert_eq!(jsonl_message.customer.address, "115712");
    assert_eq!(jsonl_message.external_id.as_deref(), Some("8"));

    let twcs = parse_input(TWCS, &fixture(TWCS)).unwrap();
    let twitter_message = tweet(&twcs, "8");
    assert_eq!(twitter_message.thread_key.as_deref(), Some("twitter:8"));
    assert_eq!(twitter_message.customer.address, "twitter:115712");
    assert_eq!(twitter_message.external_id.as_deref(), Some("twitter:8"));

    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(MESSAGE_CREATED)).unwrap();
    payload["id"] = 8.into();
    payload["conversation"]["id"] = 8.into();
    payload["sender"]["id"] = 115712.into();
    let bytes = serde_json::to_vec(&payload).unwrap();
    let chatwoot_message = &parse_input("hook.json", &bytes).unwrap().messages[0];
    assert_eq!(chatwoot_message.thread_key.as_deref(), Some("chatwoot:8"));
    assert_eq!(chatwoot_message.customer.address, "chatwoot:115712");
    assert_eq!(chatwoot_message.external_id.as_deref(), Some("chatwoot:8"));

    for message in &twcs.messages {
        assert_ne!(message.thread_key, jsonl_message.thread_key);
        assert_ne!(message.customer.address, jsonl_message.customer.address);
        assert_ne!(message.sender.address, jsonl_message.customer.address);
    }
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
fn jsonl_large_number_ids_keep_exact_digits() {
    let jsonl = r#"{"conversation": 18446744073709551616, "customer": {"id": 18446744073709551616}, "direction": "in", "text": "a", "at": "2024-05-01T01:40:00Z", "id": 123456789012345678901234567890}
{"conversation": 18446744073709551617, "customer": {"id": 18446744073709551617}, "direction": "in", "text": "b", "at": "2024-05-01T01:41:00Z"}
"#;
    let parsed = parse_input("chat.jsonl", jsonl.as_bytes()).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let [first, second] = &parsed.messages[..] else {
        panic!("expected two messages, got {}", parsed.messages.len());
    };
    assert_eq!(first.thread_key.as_deref(), Some("18446744073709551616"));
    assert_eq!(first.customer.address, "18446744073709551616");
    assert_eq!(
        first.external_id.as_deref(),
        Some("123456789012345678901234567890")
    );
    assert_eq!(second.thread_key.as_deref(), Some("18446744073709551617"));
    assert_eq!(second.customer.address, "18446744073709551617");
}

#[test]
fn jsonl_customer_email_and_phone_reported() {
    let jsonl = r#"{"conversation": "c-1", "customer": {"id": "u-7", "email": "wang.fang@example.cn", "phone": "+86 138 0013 8000"}, "direction": "in", "text": "a", "at": "2024-05-01T01:40:00Z"}
{"conversation": "c-1", "customer": {"id": "u-7", "email": "wang.fang@example.cn"}, "direction": "out", "text": "b", "at": "2024-05-01T01:41:00Z"}
{"conversation": "c-2", "customer": {"id": "u-8", "email": 12}, "direction": "in", "text": "c", "at": "2024-05-01T01:42:00Z"}
{"conversation": "c-3", "customer": {"id": "u-9", "phone": ""}, "direction": "in", "text": "d", "at": "2024-05-01T01:43:00Z"}
"#;
    let read = read_input("chat.jsonl", jsonl.as_bytes()).unwrap();
    assert_eq!(read.parsed.messages.len(), 3);
    assert_eq!(
        read.identities,
        [
            contact("u-7", Identity::Email("wang.fang@example.cn".to_string())),
            contact("u-7", Identity::Phone("+86 138 0013 8000".to_string())),
        ]
    );
    assert_eq!(read.parsed.rejected.len(), 1);
    let reason = &read.parsed.rejected[0].reason;
    assert!(reason.starts_with("Line 3: in \"customer\""), "{reason}");
    assert!(reason.contains("\"email\" must be a string"), "{reason}");
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

fn reply(thread_key: Option<&str>) -> Reply {
    use kefu_plugin_sdk::types::Party;

    Reply {
        sender: Party {
            name: Some("李客服".to_string()),
            address: "agent-3".to_string(),
        },
        recipient: Party {
            name: Some("王芳".to_string()),
            address: "u-7".to_string(),
        },
        subject: None,
        body_text: "您好，我来查一下。\n\"Quoted\" text".to_string(),
        external_id: "kefu-reply-42".to_string(),
        replies_to: vec!["e-2".to_string(), "e-1".to_string()],
        thread_key: thread_key.map(str::to_string),
        sent_at: 1_714_527_060,
    }
}

#[test]
fn format_reply_writes_out_event() {
    let formatted = ChatAdapter::format_reply(reply(Some("c-1"))).unwrap();
    assert_eq!(formatted.content_type, "application/json");
    assert_eq!(formatted.subject, None);
    assert_eq!(
        formatted.headers,
        [("kefu-chat-platform".to_string(), "generic".to_string())]
    );
    let value: serde_json::Value = serde_json::from_slice(&formatted.body).unwrap();
    let expected = serde_json::json!({
        "conversation": "c-1",
        "customer": {"id": "u-7", "name": "王芳"},
        "direction": "out",
        "text": "您好，我来查一下。\n\"Quoted\" text",
        "at": "2024-05-01T01:31:00Z",
        "id": "kefu-reply-42",
        "agent": "李客服",
        "replies_to": ["e-2", "e-1"],
    });
    assert_eq!(value, expected);
    assert!(
        !formatted.body.contains(&b'\n'),
        "the event must fit on one JSON Lines line"
    );
}

#[test]
fn format_reply_reads_back_as_message() {
    let formatted = ChatAdapter::format_reply(reply(Some("c-1"))).unwrap();
    let parsed = parse_input("reply.jsonl", &formatted.body).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let [message] = parsed.messages.as_slice() else {
        panic!("expected one message, got {:?}", parsed.messages);
    };
    assert_eq!(message.direction, Direction::Outbound);
    assert_eq!(message.customer.address, "u-7");
    assert_eq!(message.sender.name.as_deref(), Some("李客服"));
    assert_eq!(message.thread_key.as_deref(), Some("c-1"));
    assert_eq!(message.external_id.as_deref(), Some("kefu-reply-42"));
    assert_eq!(message.sent_at, Some(1_714_527_060));
    assert_eq!(message.body_text, "您好，我来查一下。\n\"Quoted\" text");
}

#[test]
fn format_reply_agent_falls_back_to_address() {
    let mut without_name = reply(Some("c-1"));
    without_name.sender.name = None;
    let formatted = ChatAdapter::format_reply(without_name).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&formatted.body).unwrap();
    assert_eq!(value["agent"], "agent-3");
}

#[test]
fn format_reply_without_conversation_fails() {
    let error = ChatAdapter::format_reply(reply(None)).unwrap_err();
    assert!(error.contains("conversation id"), "{error}");
    let error = ChatAdapter::format_reply(reply(Some(" "))).unwrap_err();
    assert!(error.contains("conversation id"), "{error}");
}

#[test]
fn format_reply_writes_chatwoot_message() {
    let formatted = ChatAdapter::format_reply(reply(Some("chatwoot:7"))).unwrap();
    assert_eq!(formatted.content_type, "application/json");
    assert_eq!(
        formatted.headers,
        [
            ("kefu-chat-platform".to_string(), "chatwoot".to_string()),
            ("kefu-chat-conversation".to_string(), "7".to_string()),
        ]
    );
    let value: serde_json::Value = serde_json::from_slice(&formatted.body).unwrap();
    let expected = serde_json::json!({
        "content": "您好，我来查一下。\n\"Quoted\" text",
        "message_type": "outgoing",
        "private": false,
    });
    assert_eq!(value, expected);
}

#[test]
fn format_reply_chatwoot_id_not_number_fails() {
    for key in ["chatwoot:", "chatwoot:7/../9"] {
        let error = ChatAdapter::format_reply(reply(Some(key))).unwrap_err();
        assert!(error.contains("is not a number"), "{key}: {error}");
    }
}

#[test]
fn format_reply_time_out_of_range_fails() {
    let mut far_future = reply(Some("c-1"));
    far_future.sent_at = i64::MAX;
    let error = ChatAdapter::format_reply(far_future).unwrap_err();
    assert!(error.contains("out of range"), "{error}");
}

#[test]
fn recognition_lists_json_and_webhook() {
    let recognition = ChatAdapter::recognises();
    assert_eq!(recognition.extensions, ["json", "jsonl", "ndjson"]);
    assert_eq!(recognition.content_types, ["application/json"]);
    assert_eq!(recognition.webhook_path.as_deref(), Some("/chat"));
}
