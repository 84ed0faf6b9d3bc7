//! Tests against the real mail samples in tests/fixtures/email.

use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{Guest, Input, ParseError};
use kefu_plugin_sdk::adapter::kefu::plugin::types::{AutomationKind, Channel, Direction, Message};

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

fn parse_one(name: &str) -> Message {
    let parsed = parse_input(name, &fixture(&format!("email/{name}"))).unwrap();
    assert_eq!(parsed.messages.len(), 1, "{name}");
    assert!(parsed.rejected.is_empty(), "{name}");
    parsed.messages.into_iter().next().unwrap()
}

fn automation_kind(message: &Message) -> Option<AutomationKind> {
    message
        .automation
        .as_ref()
        .map(|automation| automation.kind)
}

fn evidence(message: &Message) -> &str {
    message
        .automation
        .as_ref()
        .map_or("", |automation| automation.evidence.as_str())
}

/// Every .eml fixture with its exact decoded subject.
const SUBJECTS: &[(&str, Option<&str>)] = &[
    (
        "01-cn-gb2312-reply-chain-outlook-quote.eml",
        Some(
            "答复: 答复: 答复: [PATCH] arm64: mm: free unused memmap for sparse memory model that define VMEMMAP",
        ),
    ),
    (
        "02-tw-big5-folded-empty-subject-line.eml",
        Some("回覆: [net] net: ftgmac100: refactor getting phy device handle"),
    ),
    (
        "03-cn-gb18030-base64-format-flowed-list-reply.eml",
        Some("Re: [Spice-devel] Problems encountered during development"),
    ),
    (
        "05-tw-big5-raw-8bit-headers-no-encoded-word.eml",
        Some("養樂多線上訂購"),
    ),
    (
        "06-utf8-char-split-across-encoded-words.eml",
        Some("☺ vų. \u{FFFD}\u{FFFD}뮘"),
    ),
    (
        "08-big5-mojibake-8bit-subject-empty-cte-no-date.eml",
        Some(
            "4d8119\u{3000}(大補泡麵專賣) 大家說英語 每日聽MP3 (2004年6月份) 繁體中文光碟版 (英語教學)\u{3000}8afb90",
        ),
    ),
    ("09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml", None),
    (
        "11-garbage-charset-name-windows-1252http-equiv.eml",
        Some("Orange mécanique"),
    ),
    (
        "13-koi8r-raw-8bit-subject-no-content-type.eml",
        Some("тест тест"),
    ),
    (
        "14-bounce-gmail-dsn-nested-related.eml",
        Some("Delivery Status Notification (Failure)"),
    ),
    (
        "15-bounce-office365-ndr-in-reply-to.eml",
        Some("Undeliverable: test_bounce 8"),
    ),
    (
        "16-bounce-sendmail-dsn-bad-date-in-original.eml",
        Some("Returned mail: User unknown"),
    ),
    (
        "17-autoreply-outlook-ooo-no-auto-submitted.eml",
        Some("Automatic reply: Nyaan"),
    ),
    (
        "19-autoreply-arabic-base64-duplicate-in-reply-to.eml",
        Some("أهلين عميلنا الكريم"),
    ),
    ("20-empty-date-header.eml", Some("test text only mail")),
    (
        "22-references-with-non-addr-spec-id.eml",
        Some("Discussion: Let's debate these attachments"),
    ),
    (
        "23-html-only-empty-in-reply-to.eml",
        Some("test html only mail"),
    ),
    (
        "24-html-only-multipart-alternative-no-charset-meta.eml",
        Some("tæst"),
    ),
    (
        "27-rfc2231-filename-continuations-iso2022jp.eml",
        Some("Client ? Japanese Attachment Name issue"),
    ),
    (
        "29-boundary-dash-only-pdf-attachment.eml",
        Some("Test bad boundary"),
    ),
    (
        "30-rfc2231-on-boundary-param-pgp-signed.eml",
        Some(
            "☆第132号\u{3000}「ガーデン&エクステリア」専門店のためのＱ&Ａサロン\u{3000}【月刊エクステリア・ワーク】",
        ),
    ),
];

#[test]
fn every_fixture_subject_decodes_exactly() {
    for (name, expected) in SUBJECTS {
        let message = parse_one(name);
        assert_eq!(message.subject.as_deref(), *expected, "{name}");
    }
}

#[test]
fn gb2312_subject_decodes_to_chinese() {
    let message = parse_one("01-cn-gb2312-reply-chain-outlook-quote.eml");
    assert!(
        message
            .subject
            .unwrap()
            .starts_with("答复: 答复: 答复: [PATCH]")
    );
    assert!(
        message
            .body_text
            .starts_with("-----邮件原件-----\n发件人: Reviewer B")
    );
    assert!(message.body_text.contains("发送时间: 2020年7月23日 21:19"));
    assert_eq!(message.sender.name.as_deref(), Some("Customer A (CM)"));
    assert_eq!(message.sender.address, "customer.a@example.cn");
    assert_eq!(message.sent_at, Some(1_595_562_028));
}

#[test]
fn replies_to_lists_references_newest_first() {
    let message = parse_one("01-cn-gb2312-reply-chain-outlook-quote.eml");
    assert_eq!(
        message.external_id.as_deref(),
        Some("1699CE87DE933F49876AD744B5DC140F231335A0@dggemm526-mbx.china.huawei.com")
    );
    assert_eq!(
        message.replies_to,
        [
            "20200723131837.GC1975360@linux.ibm.com",
            "20200723112926.GB7315@gaia",
            "1699CE87DE933F49876AD744B5DC140F2312F0D6@dggemm526-mbx.china.huawei.com",
            "20200722124910.GE27540@gaia",
            "1699CE87DE933F49876AD744B5DC140F2312E948@dggemm526-mbx.china.huawei.com",
            "20200722060705.GK802087@linux.ibm.com",
            "20200721073203.107862-1-customer.a@example.cn",
        ]
    );
}

#[test]
fn mailing_list_copies_are_bulk() {
    let cases = [
        (
            "01-cn-gb2312-reply-chain-outlook-quote.eml",
            "Precedence: bulk",
        ),
        (
            "02-tw-big5-folded-empty-subject-line.eml",
            "Precedence: bulk",
        ),
        (
            "03-cn-gb18030-base64-format-flowed-list-reply.eml",
            "Precedence: list",
        ),
    ];
    for (name, expected) in cases {
        let message = parse_one(name);
        assert_eq!(
            automation_kind(&message),
            Some(AutomationKind::Bulk),
            "{name}"
        );
        assert_eq!(evidence(&message), expected, "{name}");
    }
}

#[test]
fn big5_subject_on_continuation_line_decodes() {
    let message = parse_one("02-tw-big5-folded-empty-subject-line.eml");
    assert!(message.subject.unwrap().contains("回覆"));
    assert!(
        message
            .body_text
            .starts_with("Hi Reviewer,\n\nThanks for the review.")
    );
    assert_eq!(
        message.external_id.as_deref(),
        Some("SEYPR06MB513444FDA713972EFC05FBFD9D442@SEYPR06MB5134.apcprd06.prod.outlook.com")
    );
    assert_eq!(
        message.replies_to,
        [
            "be591afe-d70b-4208-a189-40e65227ad14@reviewer-d.example",
            "20241011081633.2171603-1-customer.tw@example.com.tw",
        ]
    );
}

#[test]
fn gb18030_flowed_body_decodes_and_joins() {
    let message = parse_one("03-cn-gb18030-base64-format-flowed-list-reply.eml");
    assert!(
        message
            .body_text
            .starts_with("On 2/4/21 4:45 AM, 客户甲 wrote:\n> Dear friend:\n")
    );
    assert!(message.body_text.contains(
        "> I'm having some problems compiling Spice - Server, this version is 0.14.91, spice-protocol"
    ));
    assert_eq!(message.sender.address, "agent@example.com");
}

#[test]
fn raw_big5_headers_use_body_charset() {
    let message = parse_one("05-tw-big5-raw-8bit-headers-no-encoded-word.eml");
    assert_eq!(message.subject.as_deref(), Some("養樂多線上訂購"));
    assert_eq!(message.sender.name.as_deref(), Some("養樂多"));
    assert_eq!(message.sender.address, "c@y");
    assert_eq!(message.customer.address, "c@y");
    assert_eq!(message.body_text, "body");
    assert_eq!(message.sent_at, None);
    assert!(
        message
            .notes
            .iter()
            .any(|note| note.contains("read as Big5"))
    );
    assert!(
        message
            .notes
            .iter()
            .any(|note| note.contains("send time is unknown"))
    );
}

#[test]
fn split_utf8_character_joins_across_words() {
    let message = parse_one("06-utf8-char-split-across-encoded-words.eml");
    let subject = message.subject.unwrap();
    assert!(subject.starts_with('☺'));
    assert_eq!(subject, "☺ vų. \u{FFFD}\u{FFFD}뮘");
    assert_eq!(message.sent_at, Some(1_427_846_400));
}

#[test]
fn big5_mojibake_subject_is_repaired() {
    let message = parse_one("08-big5-mojibake-8bit-subject-empty-cte-no-date.eml");
    assert!(message.subject.unwrap().contains("大家說英語 每日聽MP3"));
    assert!(message.body_text.contains("軟體帝國更新迅速"));
    assert!(
        message
            .body_text
            .contains("Yahoo! 工具列 - 內置防止彈出視窗工能！")
    );
    assert_eq!(message.external_id.as_deref(), Some("11107978796724623"));
}

#[test]
fn missing_date_falls_back_to_newest_received() {
    let message = parse_one("08-big5-mojibake-8bit-subject-empty-cte-no-date.eml");
    // The topmost Received header: Tue, 13 Nov 2001 21:07:21 -0600.
    assert_eq!(message.sent_at, Some(1_005_707_241));
    assert!(message.notes.iter().any(|note| {
        note == "The Date header is missing, so the send time was taken from the newest Received header."
    }));
}

#[test]
fn gb2312_label_reads_gbk_japanese_ndr() {
    let message = parse_one("09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml");
    assert_eq!(
        message.body_text,
        "次の受信者またはグループへの配信に失敗しました:"
    );
    assert_eq!(automation_kind(&message), Some(AutomationKind::Bounce));
    assert_eq!(
        evidence(&message),
        "Content-Type: multipart/report; report-type=delivery-status"
    );
    assert_eq!(message.subject, None);
    assert_eq!(message.sent_at, None);
}

#[test]
fn garbage_charset_name_reads_as_windows_1252() {
    let message = parse_one("11-garbage-charset-name-windows-1252http-equiv.eml");
    assert_eq!(message.subject.as_deref(), Some("Orange mécanique"));
    assert_eq!(
        message.body_text,
        "La France Orange Mécanique ( La Francia - Arancia Meccanica ) è un best-seller in Francia"
    );
}

#[test]
fn raw_koi8_subject_is_detected() {
    let message = parse_one("13-koi8r-raw-8bit-subject-no-content-type.eml");
    assert_eq!(message.subject.as_deref(), Some("тест тест"));
    // The body bytes F4 E5 F3 F4 are upper-case letters in KOI8.
    assert_eq!(message.body_text, "ТЕСТ");
    assert_eq!(message.sender.name.as_deref(), Some("Test Sender"));
}

#[test]
fn gmail_dsn_is_bounce() {
    let message = parse_one("14-bounce-gmail-dsn-nested-related.eml");
    assert_eq!(automation_kind(&message), Some(AutomationKind::Bounce));
    assert_eq!(
        evidence(&message),
        "Content-Type: multipart/report; report-type=delivery-status"
    );
    assert!(
        message
            .body_text
            .starts_with("** Address not found **\n\nYour message wasn't delivered")
    );
    assert_eq!(message.sender.address, "mailer-daemon@googlemail.com");
    assert_eq!(message.customer.address, "mailer-daemon@googlemail.com");
    // The bounce's own headers have no In-Reply-To; the embedded original's
    // must not thread the bounce into the customer's conversation.
    assert!(message.replies_to.is_empty());
    let types: Vec<&str> = message
        .attachments
        .iter()
        .map(|attachment| attachment.content_type.as_str())
        .collect();
    assert_eq!(
        types,
        ["image/png", "message/delivery-status", "message/rfc822"]
    );
    assert_eq!(message.attachments[0].file_name, "icon.png");
}

#[test]
fn office365_ndr_is_bounce_with_threading() {
    let message = parse_one("15-bounce-office365-ndr-in-reply-to.eml");
    assert_eq!(automation_kind(&message), Some(AutomationKind::Bounce));
    assert!(
        message
            .body_text
            .contains("Your message to noname@example.com couldn't be delivered.")
    );
    assert_eq!(
        message.replies_to,
        ["20171013111011.20866.254C2F3A4D7AA526@ninomail.com"]
    );
    assert_eq!(message.sender.address, "postmaster@example.no");
}

#[test]
fn sendmail_dsn_is_bounce() {
    let message = parse_one("16-bounce-sendmail-dsn-bad-date-in-original.eml");
    assert_eq!(automation_kind(&message), Some(AutomationKind::Bounce));
    assert!(
        message
            .body_text
            .starts_with("The original message was received at Sat, 23 Aug 2003")
    );
    assert_eq!(message.sent_at, Some(1_061_568_918));
    assert!(message.notes.is_empty());
}

#[test]
fn outlook_ooo_without_auto_submitted_is_auto_reply() {
    let message = parse_one("17-autoreply-outlook-ooo-no-auto-submitted.eml");
    assert_eq!(automation_kind(&message), Some(AutomationKind::AutoReply));
    assert_eq!(evidence(&message), "X-Auto-Response-Suppress: All");
    assert!(
        message
            .body_text
            .starts_with("***Please stop and read this message.***")
    );
}

#[test]
fn arabic_auto_reply_dedupes_in_reply_to() {
    let message = parse_one("19-autoreply-arabic-base64-duplicate-in-reply-to.eml");
    assert_eq!(automation_kind(&message), Some(AutomationKind::AutoReply));
    assert_eq!(evidence(&message), "Auto-Submitted: auto-replied");
    assert_eq!(message.sender.name.as_deref(), Some("متجر سوق نت"));
    assert_eq!(
        message.replies_to,
        ["4e6e35f5a38b4_479f13bb90078178@small-app-01.mail"]
    );
    assert_eq!(
        message.body_text,
        "أنظروا، أنا أحتاجها فقط لتقوم بالتدقيق في مقالتي الشخصية"
    );
}

#[test]
fn empty_date_leaves_sent_at_unknown() {
    let message = parse_one("20-empty-date-header.eml");
    assert_eq!(message.sent_at, None);
    assert_eq!(
        message.notes,
        [
            "The Date header is empty and no Received header has a date, so the send time is unknown."
        ]
    );
    assert_eq!(message.body_text, "text only mail");
    assert_eq!(message.external_id, None);
}

#[test]
fn references_keep_non_addr_spec_ids() {
    let message = parse_one("22-references-with-non-addr-spec-id.eml");
    assert_eq!(
        message.replies_to,
        [
            "4e6e35f5a38b4_479f13bb90078178@small-app-01.mail",
            "test-in-reply-to"
        ]
    );
    assert_eq!(message.body_text, "References Email");
    assert!(message.automation.is_none());
}

#[test]
fn html_only_body_becomes_text() {
    let message = parse_one("23-html-only-empty-in-reply-to.eml");
    assert_eq!(message.body_text, "This is html only mail");
    assert!(message.replies_to.is_empty());
}

#[test]
fn html_only_alternative_reads_meta_charset() {
    let message = parse_one("24-html-only-multipart-alternative-no-charset-meta.eml");
    assert_eq!(message.body_text, "tæst");
}

#[test]
fn long_subject_is_truncated() {
    let message = parse_one("25-very-long-subject-209kb.eml");
    let subject = message.subject.unwrap();
    assert_eq!(subject.chars().count(), convert::MAX_SUBJECT_CHARS);
    assert!(subject.starts_with(
        "Die heiße Zypernsonne quälte Max und Victoria ja böse auf dem Weg bis zur KüsteDie"
    ));
    assert_eq!(
        message.notes,
        ["The subject had 130429 characters, so only the first 1000 were kept."]
    );
    assert_eq!(message.body_text, "test");
}

#[test]
fn rfc2231_filename_continuations_decode() {
    let message = parse_one("27-rfc2231-filename-continuations-iso2022jp.eml");
    assert_eq!(message.attachments.len(), 1);
    let attachment = &message.attachments[0];
    assert_eq!(attachment.file_name, "新しいテキスト ドキュメント.txt");
    assert_eq!(attachment.content_type, "text/plain");
    assert_eq!(attachment.size, 141);
    assert_eq!(message.body_text, "Some data in a file");
}

#[test]
fn dash_boundary_finds_pdf() {
    let message = parse_one("29-boundary-dash-only-pdf-attachment.eml");
    assert_eq!(
        message.body_text,
        "This message may contain an attachment in a PDF format.\n\nSpecial Comments\n-\nSee attached document"
    );
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].file_name, "file.pdf");
    assert_eq!(message.attachments[0].content_type, "application/pdf");
    assert_eq!(message.attachments[0].size, 10_915);
}

#[test]
fn rfc2231_boundary_finds_signed_attachment() {
    let message = parse_one("30-rfc2231-on-boundary-param-pgp-signed.eml");
    assert_eq!(message.sender.name.as_deref(), Some("Análisis EC Madrid"));
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(
        message.attachments[0].file_name,
        message.subject.clone().unwrap()
    );
    assert_eq!(message.attachments[0].size, 3);
    assert_eq!(message.body_text, "");
    assert_eq!(message.notes, ["The message has no text or HTML body."]);
}

#[test]
fn fixtures_named_for_automation_are_flagged() {
    let cases = [
        (
            "09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml",
            AutomationKind::Bounce,
        ),
        (
            "14-bounce-gmail-dsn-nested-related.eml",
            AutomationKind::Bounce,
        ),
        (
            "15-bounce-office365-ndr-in-reply-to.eml",
            AutomationKind::Bounce,
        ),
        (
            "16-bounce-sendmail-dsn-bad-date-in-original.eml",
            AutomationKind::Bounce,
        ),
        (
            "17-autoreply-outlook-ooo-no-auto-submitted.eml",
            AutomationKind::AutoReply,
        ),
        (
            "19-autoreply-arabic-base64-duplicate-in-reply-to.eml",
            AutomationKind::AutoReply,
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(automation_kind(&parse_one(name)), Some(expected), "{name}");
    }
}

#[test]
fn person_written_fixtures_are_not_flagged() {
    for (name, _) in SUBJECTS {
        let is_list_copy =
            name.starts_with("01-") || name.starts_with("02-") || name.starts_with("03-");
        let is_automated = ["bounce", "autoreply", "dsn"]
            .iter()
            .any(|word| name.contains(word));
        if !is_list_copy && !is_automated {
            assert_eq!(automation_kind(&parse_one(name)), None, "{name}");
        }
    }
}

#[test]
fn every_fixture_is_inbound_email_from_its_sender() {
    for (name, _) in SUBJECTS {
        let message = parse_one(name);
        assert_eq!(message.channel, Channel::Email, "{name}");
        assert_eq!(message.direction, Direction::Inbound, "{name}");
        assert_eq!(message.customer.address, message.sender.address, "{name}");
        assert!(!message.sender.address.is_empty(), "{name}");
        assert!(message.raw_span.is_none(), "{name}");
    }
}

/// Every .eml fixture with its sender address, its send time (seconds
/// since the Unix epoch) as Python's `email.utils` reads the From and Date
/// headers, and the note the adapter must add when the Date header cannot
/// be used (`None` when it can).
const SENDERS_AND_DATES: &[(&str, &str, Option<i64>, Option<&str>)] = &[
    (
        "01-cn-gb2312-reply-chain-outlook-quote.eml",
        "customer.a@example.cn",
        Some(1_595_562_028),
        None,
    ),
    (
        "02-tw-big5-folded-empty-subject-line.eml",
        "customer.tw@example.com.tw",
        Some(1_728_873_536),
        None,
    ),
    (
        "03-cn-gb18030-base64-format-flowed-list-reply.eml",
        "agent@example.com",
        Some(1_612_727_914),
        None,
    ),
    (
        "05-tw-big5-raw-8bit-headers-no-encoded-word.eml",
        "c@y",
        None,
        Some(NO_DATE_NOTE),
    ),
    // Python stops reading headers at the malformed second line; the
    // adapter reads past it, as mail clients do.
    (
        "06-utf8-char-split-across-encoded-words.eml",
        "t@localhost",
        Some(1_427_846_400),
        None,
    ),
    (
        "08-big5-mojibake-8bit-subject-empty-cte-no-date.eml",
        "sender@example.net",
        Some(1_005_707_241),
        Some(
            "The Date header is missing, so the send time was taken from the newest Received header.",
        ),
    ),
    (
        "09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml",
        "foo@bar.de",
        None,
        Some(NO_DATE_NOTE),
    ),
    (
        "11-garbage-charset-name-windows-1252http-equiv.eml",
        "g@localhost",
        Some(1_363_995_511),
        None,
    ),
    (
        "13-koi8r-raw-8bit-subject-no-content-type.eml",
        "sender@fling-wing.example.com",
        Some(1_055_920_478),
        None,
    ),
    (
        "14-bounce-gmail-dsn-nested-related.eml",
        "mailer-daemon@googlemail.com",
        Some(1_751_582_665),
        None,
    ),
    (
        "15-bounce-office365-ndr-in-reply-to.eml",
        "postmaster@example.no",
        Some(1_507_893_016),
        None,
    ),
    (
        "16-bounce-sendmail-dsn-bad-date-in-original.eml",
        "MAILER-DAEMON@other.example.com",
        Some(1_061_568_918),
        None,
    ),
    (
        "17-autoreply-outlook-ooo-no-auto-submitted.eml",
        "kijitora@example.org",
        Some(1_363_476_885),
        None,
    ),
    (
        "19-autoreply-arabic-base64-duplicate-in-reply-to.eml",
        "example@gmail.com",
        Some(1_649_011_700),
        None,
    ),
    (
        "20-empty-date-header.eml",
        "testemail@example.com",
        None,
        Some(
            "The Date header is empty and no Received header has a date, so the send time is unknown.",
        ),
    ),
    (
        "22-references-with-non-addr-spec-id.eml",
        "agent@example.com",
        Some(1_587_370_820),
        None,
    ),
    (
        "23-html-only-empty-in-reply-to.eml",
        "customer@example.net",
        Some(1_645_598_487),
        None,
    ),
    (
        "24-html-only-multipart-alternative-no-charset-meta.eml",
        "test1@zarafa.local",
        Some(1_428_469_066),
        None,
    ),
    (
        "25-very-long-subject-209kb.eml",
        "bob@example.com",
        Some(1_367_968_317),
        None,
    ),
    (
        "27-rfc2231-filename-continuations-iso2022jp.eml",
        "root@localhost",
        Some(1_323_257_560),
        None,
    ),
    (
        "29-boundary-dash-only-pdf-attachment.eml",
        "test@mail.com",
        None,
        Some(NO_DATE_NOTE),
    ),
    (
        "30-rfc2231-on-boundary-param-pgp-signed.eml",
        "analisismadrid@xxx.org",
        Some(1_505_300_745),
        None,
    ),
];

/// Note on a mail with neither a Date header nor a dated Received header.
const NO_DATE_NOTE: &str =
    "The Date header is missing and no Received header has a date, so the send time is unknown.";

#[test]
fn every_fixture_sender_and_date_source() {
    let folder = format!("{}/../../tests/fixtures/email", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(&folder).unwrap() {
        let file_name = entry.unwrap().file_name().into_string().unwrap();
        if file_name.ends_with(".eml") {
            assert!(
                SENDERS_AND_DATES
                    .iter()
                    .any(|(name, ..)| *name == file_name),
                "{file_name} is missing from the table"
            );
        }
    }
    for (name, sender, sent_at, date_note) in SENDERS_AND_DATES {
        let message = parse_one(name);
        assert_eq!(message.sender.address, *sender, "{name}");
        assert_eq!(message.sent_at, *sent_at, "{name}");
        let date_notes: Vec<&str> = message
            .notes
            .iter()
            .map(String::as_str)
            .filter(|note| note.contains("Date header"))
            .collect();
        match date_note {
            Some(expected) => assert_eq!(date_notes, [*expected], "{name}"),
            None => assert!(date_notes.is_empty(), "{name}: {date_notes:?}"),
        }
    }
}

#[test]
fn every_fixture_probes_as_mail_by_content() {
    for (name, _) in SUBJECTS {
        let bytes = fixture(&format!("email/{name}"));
        let head = &bytes[..bytes.len().min(4096)];
        assert_eq!(
            EmailAdapter::probe(name.to_string(), head.to_vec()),
            100,
            "{name}"
        );
        // A Maildir file name has no extension.
        assert!(
            EmailAdapter::probe("1700000000.M1P2.desk:2,S".into(), head.to_vec()) >= 85,
            "{name}"
        );
        assert!(
            EmailAdapter::probe(String::new(), head.to_vec()) >= 85,
            "{name}"
        );
    }
}

#[test]
fn other_channels_fixtures_probe_zero() {
    let names = [
        "phone/asterisk-testsuite-Master.csv",
        "phone/asterisk-Master-pseudonymized-218rows.csv",
        "chat/twcs-sample-64rows.csv",
        "chat/chatwoot-webhook-message_created.json",
        "chat/chatwoot-webhook-conversation_status_changed.json",
        "chat/chatwoot-doc-sample-NOT-valid-json.jsonc",
    ];
    for name in names {
        let bytes = fixture(name);
        let head = bytes[..bytes.len().min(4096)].to_vec();
        let file_name = name.rsplit('/').next().unwrap().to_string();
        assert_eq!(EmailAdapter::probe(file_name, head.clone()), 0, "{name}");
        assert_eq!(EmailAdapter::probe(String::new(), head), 0, "{name}");
    }
}

const MBOX: &str = "email/mbox/01-sisimai-37-bounces.mbox";

#[test]
fn mbox_splits_into_37_messages_with_spans() {
    let bytes = fixture(MBOX);
    let parsed = parse_input("bounces.mbox", &bytes).unwrap();
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.messages.len(), 37);
    let mut expected_offset = 0;
    for message in &parsed.messages {
        let span = message.raw_span.as_ref().unwrap();
        assert_eq!(span.offset, expected_offset);
        let start = span.offset as usize;
        assert!(bytes[start..].starts_with(b"From "));
        expected_offset += span.length;
    }
    assert_eq!(expected_offset, bytes.len() as u64);
}

#[test]
fn mbox_double_space_postmark_starts_entry() {
    let bytes = fixture(MBOX);
    let parsed = parse_input("bounces.mbox", &bytes).unwrap();
    let fourth = &parsed.messages[3];
    let span = fourth.raw_span.as_ref().unwrap();
    let start = span.offset as usize;
    assert!(bytes[start..].starts_with(b"From MAILER-DAEMON  Wed Sep 17 22:25:40 2008\r\n"));
    assert_eq!(fourth.sent_at, Some(1_221_657_940));
}

#[test]
fn mbox_bounces_are_all_flagged_but_forwarded_copy() {
    let parsed = parse_input("bounces.mbox", &fixture(MBOX)).unwrap();
    for (index, message) in parsed.messages.iter().enumerate() {
        let entry = index + 1;
        if entry == 36 {
            // A person forwarding a bounce ("Fwd: Returned mail: …") from
            // their own address: a human message, not a bounce.
            assert_eq!(message.sender.address, "original-sender@example.jp");
            assert_eq!(automation_kind(message), None);
        } else {
            assert_eq!(
                automation_kind(message),
                Some(AutomationKind::Bounce),
                "entry {entry}"
            );
        }
    }
}

#[test]
fn mbox_japanese_subjects_and_bodies_decode() {
    let parsed = parse_input("bounces.mbox", &fixture(MBOX)).unwrap();
    // The subject line ends in a NUL byte, which is dropped.
    assert_eq!(
        parsed.messages[30].subject.as_deref(),
        Some("メール送信エラー (Error message)")
    );
    // Labelled ISO-2022-JP but stored as UTF-8.
    assert!(
        parsed.messages[5]
            .body_text
            .starts_with("次のあて先へのメッセージはエラーのため送信できませんでした。")
    );
    assert!(
        parsed.messages[5]
            .notes
            .iter()
            .any(|note| note.contains("read as UTF-8"))
    );
}

#[test]
fn broken_mbox_entry_is_rejected_and_rest_parse() {
    let mbox = b"preface text\n\
                 From a@example.com Thu Sep 18 17:54:04 2008\n\
                 From: a@example.com\nSubject: first\n\nbody one\n\n\
                 From b@example.com Thu Sep 18 17:55:04 2008\n\
                 this entry has no headers at all\n\n\
                 From c@example.com Thu Sep 18 17:56:04 2008\n\
                 \n\
                 From d@example.com Thu Sep 18 17:57:04 2008\n\
                 From: d@example.com\nSubject: last\n\nbody four\n";
    let parsed = parse_input("broken.mbox", mbox).unwrap();
    let subjects: Vec<_> = parsed
        .messages
        .iter()
        .map(|message| message.subject.clone())
        .collect();
    assert_eq!(
        subjects,
        [Some("first".to_string()), Some("last".to_string())]
    );
    assert_eq!(parsed.rejected.len(), 3);

    let preface = &parsed.rejected[0];
    assert_eq!(
        preface.span.as_ref().map(|span| (span.offset, span.length)),
        Some((0, 13))
    );
    assert!(preface.reason.contains("before the first \"From \" line"));

    let no_headers = &parsed.rejected[1];
    assert!(
        no_headers
            .reason
            .starts_with("mbox entry 2 (the \"From \" line on line 8): ")
    );
    assert!(no_headers.reason.contains("no mail headers were found"));
    let span = no_headers.span.as_ref().unwrap();
    assert!(mbox[span.offset as usize..].starts_with(b"From b@example.com"));

    let empty = &parsed.rejected[2];
    assert_eq!(
        empty.reason,
        "mbox entry 3 (the \"From \" line on line 11): the message is empty."
    );
}

#[test]
fn not_mail_is_malformed() {
    let error = parse_input("notes.eml", b"just some words\nand more words\n").unwrap_err();
    match error {
        ParseError::Malformed(reason) => {
            assert!(reason.starts_with("The input is not a mail message:"))
        }
        ParseError::Unsupported(reason) => panic!("expected malformed, got unsupported: {reason}"),
    }
    assert!(matches!(
        parse_input("", b"  \r\n"),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn guest_parse_reads_named_input() {
    let input = Input {
        name: "1700000000.M1P2.desk:2,S".to_string(),
        content_type: None,
        bytes: fixture("email/20-empty-date-header.eml"),
    };
    let parsed = EmailAdapter::parse(input).unwrap();
    assert_eq!(
        parsed.messages[0].subject.as_deref(),
        Some("test text only mail")
    );
}

#[test]
fn truncated_inputs_parse_without_panic() {
    let mut names: Vec<String> = SUBJECTS
        .iter()
        .map(|(name, _)| format!("email/{name}"))
        .collect();
    names.push(MBOX.to_string());
    for name in &names {
        let bytes = fixture(name);
        let step = (bytes.len() / 40).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            // Only the absence of a panic is checked; a cut input may be
            // malformed.
            let _ = parse_input("cut.mbox", &bytes[..cut]);
            let _ = parse_input("cut.eml", &bytes[cut..]);
        }
    }
}

/// A multipart mail whose boundary runs into a part's headers, with nested
/// `message/rfc822` parts, found by the `email_parse` fuzz target. It
/// tripped a debug assertion in mail-parser 0.11.9, which panicked in
/// debug builds of the host and the tests.
const NESTED_MESSAGE_WITHOUT_BOUNDARY: &[u8] =
    b"Content-Type:multipart;boundary=00000000000093475906390e1e9b\n\n\
--00000000000093475906390e1e9bContent-Type:message/rfc822\n\n\
Content-Type:message/rfc822\n\n\n\
--00000000000093475906390e1e9b--";

#[test]
fn nested_message_without_boundary_is_read() {
    let parsed = parse_input("fuzzed.eml", NESTED_MESSAGE_WITHOUT_BOUNDARY)
        .expect("the mail is read, not rejected");
    assert_eq!(parsed.messages.len(), 1);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
}
