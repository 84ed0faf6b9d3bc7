//! The customer card beside the panes, on a database filled by a real
//! import of tests/fixtures through the built-in plugins. The tests cover
//! addresses on several channels, the history on every channel, and
//! merging and splitting customers from the card, which calls the store
//! functions that `kefu customers merge|split` use.

use std::path::{Path, PathBuf};

use chrono::Utc;
use iced::widget::Id;
use iced_test::selector;
use kefu_core::Store;
use kefu_core::ingest::{Ingestor, NoProgress};
use kefu_core::plugin::PluginSet;
use kefu_core::store::{Address, ChangeBy};
use kefu_ui::Workbench;
use kefu_ui::customer_card_ids as ids;
use tempfile::TempDir;

use super::{click, has_text, row_shows, simulator};

/// The email of fixture 01, from this address, dated 2020-07-24.
const EMAIL_FIXTURE: &str = "email/01-cn-gb2312-reply-chain-outlook-quote.eml";
const EMAIL_ADDRESS: &str = "customer.a@example.cn";
const EMAIL_CUSTOMER: &str = "Customer A (CM)";

/// The Chatwoot contact of the `message_created` fixture, 2021-07-23.
const CHAT_ADDRESS: &str = "chatwoot:14";
const CHAT_CUSTOMER: &str = "little-haze-776";

/// The chat samples whose contacts list no email or phone, so each chat
/// customer stays on its own channel until a test links it. The sample
/// `chatwoot-webhook-message_created-contact.json` is left out because its
/// contact lists the email of [`EMAIL_FIXTURE`], which links the two.
const CHAT_SAMPLES: [&str; 3] = [
    "chat/chatwoot-webhook-message_created.json",
    "chat/chatwoot-webhook-conversation_status_changed.json",
    "chat/twcs-sample-64rows.csv",
];

/// A caller in the pseudonymised Asterisk sample with one call.
const PHONE_ADDRESS: &str = "5550115";

/// A database in a temporary folder, filled by importing fixtures.
struct Imported {
    _folder: TempDir,
    path: PathBuf,
}

impl Imported {
    fn store(&self) -> Store {
        Store::open(&self.path).expect("open a second connection")
    }

    /// Id of the customer that owns `channel:value`.
    fn owner(&self, channel: &str, value: &str) -> i64 {
        self.store()
            .customers()
            .expect("list the customers")
            .into_iter()
            .find(|customer| {
                customer
                    .addresses
                    .iter()
                    .any(|address| address.channel.as_str() == channel && address.value == value)
            })
            .unwrap_or_else(|| panic!("no customer owns {channel}:{value}"))
            .id
    }

    /// Id of the one conversation of `customer` on `channel`.
    fn conversation(&self, customer: i64, channel: &str) -> i64 {
        let found: Vec<i64> = self
            .store()
            .conversations()
            .expect("list the conversations")
            .into_iter()
            .filter(|conversation| {
                conversation.customer_id == customer && conversation.channel.as_str() == channel
            })
            .map(|conversation| conversation.id)
            .collect();
        assert_eq!(found.len(), 1, "{channel} conversations of {customer}");
        found[0]
    }
}

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(relative)
}

/// Imports `paths` (relative to tests/fixtures) with the built-in plugins.
fn import(store: &mut Store, paths: &[&str]) {
    let paths: Vec<PathBuf> = paths.iter().map(|path| fixture(path)).collect();
    let mut plugins = PluginSet::builtin().expect("load the built-in plugins");
    let summary = Ingestor::new(store, &mut plugins)
        .ingest_paths(&paths, &mut NoProgress)
        .expect("import the fixtures");
    assert!(summary.messages_stored > 0, "nothing stored from {paths:?}");
}

fn by_test() -> ChangeBy<'static> {
    ChangeBy {
        actor: "agent:test",
        reason: Some("set up by the test"),
        at: Utc::now(),
    }
}

/// Imports the email fixture and the chat samples, each customer on its
/// own channel.
fn email_and_chat() -> Imported {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let path = folder.path().join("kefu.db");
    let mut store = Store::open(&path).expect("open the database");
    import(&mut store, &[&[EMAIL_FIXTURE][..], &CHAT_SAMPLES].concat());
    Imported {
        _folder: folder,
        path,
    }
}

/// Imports the email fixture, links the Chatwoot contact and a caller's
/// number to its customer as `kefu customers link` does, then imports the
/// chat and call samples, which file that chat and that call under the
/// email customer.
fn linked_on_three_channels() -> Imported {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let path = folder.path().join("kefu.db");
    let mut store = Store::open(&path).expect("open the database");
    import(&mut store, &[EMAIL_FIXTURE]);
    let imported = Imported {
        _folder: folder,
        path,
    };
    let customer = imported.owner("email", EMAIL_ADDRESS);
    for address in [
        format!("chat:{CHAT_ADDRESS}"),
        format!("phone:{PHONE_ADDRESS}"),
    ] {
        store
            .link_address(customer, &address, by_test())
            .unwrap_or_else(|error| panic!("link {address}: {error:#}"));
    }
    import(&mut store, &[&CHAT_SAMPLES[..], &["phone"]].concat());
    imported
}

/// Opens the workbench and selects the customer's email conversation.
fn open_email_conversation(imported: &Imported) -> (Workbench, i64, i64) {
    let customer = imported.owner("email", EMAIL_ADDRESS);
    let conversation = imported.conversation(customer, "email");
    let mut workbench = Workbench::load(imported.store());
    click(
        &mut workbench,
        selector::id(kefu_ui::conversation_row_id(conversation)),
    );
    assert_eq!(workbench.selected_conversation(), Some(conversation));
    (workbench, customer, conversation)
}

/// Clicks the text field `field` and types `content` into it.
fn type_into(workbench: &mut Workbench, field: Id, content: &str) {
    let messages: Vec<_> = {
        let mut ui = simulator(workbench);
        if let Err(error) = ui.click(selector::id(field.clone())) {
            panic!("clicking the field {field:?} failed: {error}");
        }
        let _status = ui.typewrite(content);
        ui.into_messages().collect()
    };
    assert!(
        !messages.is_empty(),
        "typing into {field:?} produced no message"
    );
    for message in messages {
        let _task = workbench.update(message);
    }
}

fn card_shows(workbench: &Workbench, content: &str) -> bool {
    row_shows(workbench, ids::card_id(), content)
}

/// A row of `customer_changes`: kind, from, into, actor and reason.
type ChangeRow = (String, Option<i64>, i64, String, Option<String>);

/// Recorded customer changes, oldest first.
fn changes(path: &Path) -> Vec<ChangeRow> {
    let connection = rusqlite::Connection::open(path).expect("open the database directly");
    let mut statement = connection
        .prepare(
            "SELECT kind, from_customer, into_customer, actor, reason
               FROM customer_changes ORDER BY id",
        )
        .expect("prepare the query");
    statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .expect("read the changes")
        .collect::<Result<_, _>>()
        .expect("read a change")
}

/// Returns the actor that the confirmation shows changes are recorded under.
fn shown_actor(workbench: &Workbench) -> String {
    let mut actor = None;
    let _ = simulator(workbench).find(|candidate: iced_test::selector::Candidate<'_>| {
        if let iced_test::selector::Candidate::Text { content, .. } = candidate
            && let Some(name) = content.strip_prefix("recorded as ")
        {
            actor = Some(name.to_string());
        }
        None::<()>
    });
    actor.expect("the confirmation names the agent")
}

#[test]
fn card_lists_addresses_from_channels() {
    let imported = linked_on_three_channels();
    let (workbench, customer, _) = open_email_conversation(&imported);

    assert!(card_shows(&workbench, EMAIL_CUSTOMER));
    assert!(card_shows(&workbench, &format!("Customer #{customer}")));
    assert!(card_shows(&workbench, "Tier: regular"));
    assert!(card_shows(&workbench, EMAIL_ADDRESS));
    assert!(card_shows(&workbench, CHAT_ADDRESS));
    assert!(card_shows(&workbench, PHONE_ADDRESS));
    for channel in ["Email", "Chat", "Phone"] {
        assert!(card_shows(&workbench, channel), "no {channel} badge");
    }
    assert!(card_shows(
        &workbench,
        "History: 3 messages on every channel"
    ));
}

#[test]
fn card_history_in_time_order() {
    let imported = linked_on_three_channels();
    let (workbench, customer, _) = open_email_conversation(&imported);
    let history = imported
        .store()
        .customer_detail(customer)
        .expect("read the customer")
        .history;
    let channels: Vec<&str> = history
        .iter()
        .map(|message| message.channel.as_str())
        .collect();
    // The call is from 2017, the mail from 2020 and the chat from 2021.
    assert_eq!(channels, ["phone", "email", "chat"]);

    let tops: Vec<f32> = history
        .iter()
        .map(|message| {
            let row = ids::history_row_id(message.id);
            let bounds = simulator(&workbench)
                .find(selector::id(row.clone()))
                .unwrap_or_else(|error| panic!("history row {row:?} missing: {error}"))
                .visible_bounds()
                .unwrap_or_else(|| panic!("history row {row:?} not visible"));
            bounds.y
        })
        .collect();
    assert!(tops.is_sorted(), "history rows out of order: {tops:?}");
    let call = history[0].call.as_ref().expect("the phone entry is a call");
    let call_line = format!("Call to {}, ", call.destination);
    let call_row = ids::history_row_id(history[0].id);
    assert!(row_shows(&workbench, call_row.clone(), "Phone"));
    let mut call_lines = 0;
    let _ = simulator(&workbench).find(|candidate: iced_test::selector::Candidate<'_>| {
        if let iced_test::selector::Candidate::Text { content, .. } = candidate
            && content.starts_with(&call_line)
        {
            call_lines += 1;
        }
        None::<()>
    });
    assert_eq!(call_lines, 1, "no history line starts with {call_line:?}");
}

#[test]
fn history_row_opens_its_conversation() {
    let imported = linked_on_three_channels();
    let (mut workbench, customer, _) = open_email_conversation(&imported);
    let chat = imported.conversation(customer, "chat");
    let history = imported.store().messages(chat).expect("read the chat");

    click(
        &mut workbench,
        selector::id(ids::history_row_id(history[0].id)),
    );

    assert_eq!(workbench.selected_conversation(), Some(chat));
    assert!(has_text(&workbench, history[0].body_text.trim()));
    // The card stays on the same customer.
    assert!(card_shows(&workbench, EMAIL_ADDRESS));
}

#[test]
fn merge_from_card_moves_history() {
    let imported = email_and_chat();
    let chat_customer = imported.owner("chat", CHAT_ADDRESS);
    let chat_conversation = imported.conversation(chat_customer, "chat");
    let (mut workbench, customer, _) = open_email_conversation(&imported);
    assert!(!card_shows(&workbench, CHAT_ADDRESS));
    assert!(card_shows(
        &workbench,
        "History: 1 message on every channel"
    ));

    type_into(&mut workbench, ids::search_id(), "little-HAZE");
    assert!(row_shows(
        &workbench,
        ids::search_result_id(chat_customer),
        &format!("#{chat_customer} {CHAT_CUSTOMER}")
    ));
    click(
        &mut workbench,
        selector::id(ids::search_result_id(chat_customer)),
    );
    let question = format!(
        "Merge customer #{chat_customer} {CHAT_CUSTOMER} into customer #{customer}? \
         1 address (chat:{CHAT_ADDRESS}) and 1 conversation, with their tickets and tasks, \
         move to #{customer}. Customer #{chat_customer} stays as a record that points to \
         #{customer}."
    );
    assert!(
        card_shows(&workbench, &question),
        "no confirmation {question:?}"
    );
    // Nothing moves before the confirmation.
    assert_eq!(imported.owner("chat", CHAT_ADDRESS), chat_customer);
    let actor = shown_actor(&workbench);
    type_into(
        &mut workbench,
        ids::reason_id(),
        "same person, asked by mail",
    );
    click(&mut workbench, "Merge");

    assert!(card_shows(
        &workbench,
        &format!(
            "Customer #{chat_customer} merged into #{customer}: moved 1 address and 1 \
             conversation."
        )
    ));
    assert!(card_shows(&workbench, CHAT_ADDRESS));
    assert!(card_shows(
        &workbench,
        "History: 2 messages on every channel"
    ));
    assert_eq!(imported.owner("chat", CHAT_ADDRESS), customer);
    assert_eq!(imported.conversation(customer, "chat"), chat_conversation);
    assert!(actor.starts_with("agent:"), "actor {actor:?}");
    assert_eq!(
        changes(&imported.path),
        [(
            "merge".to_string(),
            Some(chat_customer),
            customer,
            actor,
            Some("same person, asked by mail".to_string())
        )]
    );
}

#[test]
fn search_finds_phone_by_digits() {
    let imported = linked_on_three_channels();
    let caller = imported.owner("phone", "5550111");
    let (mut workbench, _, _) = open_email_conversation(&imported);

    type_into(&mut workbench, ids::search_id(), "555-0111");

    assert!(row_shows(
        &workbench,
        ids::search_result_id(caller),
        "phone:5550111"
    ));
}

#[test]
fn rejected_merge_changes_nothing() {
    let imported = email_and_chat();
    let chat_customer = imported.owner("chat", CHAT_ADDRESS);
    let other = imported.owner("chat", "twitter:115712");
    let (mut workbench, customer, _) = open_email_conversation(&imported);
    type_into(&mut workbench, ids::search_id(), CHAT_CUSTOMER);
    click(
        &mut workbench,
        selector::id(ids::search_result_id(chat_customer)),
    );
    // Another agent merges the picked customer elsewhere first, as
    // `kefu customers merge` would.
    imported
        .store()
        .merge_customers(chat_customer, other, by_test())
        .expect("merge in another connection");
    let before = changes(&imported.path);

    click(&mut workbench, "Merge");

    let error = format!(
        "Nothing was changed: customer {chat_customer} was merged into customer {other}; \
         use {other} instead"
    );
    assert!(card_shows(&workbench, &error), "no error line {error:?}");
    assert_eq!(changes(&imported.path), before);
    assert_eq!(imported.owner("chat", CHAT_ADDRESS), other);
    assert_eq!(imported.owner("email", EMAIL_ADDRESS), customer);
    assert!(!card_shows(&workbench, CHAT_ADDRESS));
    assert!(card_shows(
        &workbench,
        "History: 1 message on every channel"
    ));
}

#[test]
fn split_from_card_creates_customer() {
    let imported = linked_on_three_channels();
    let (mut workbench, customer, _) = open_email_conversation(&imported);
    let call = imported.conversation(customer, "phone");
    let phone = Address {
        channel: "phone".parse().expect("parse the channel"),
        value: PHONE_ADDRESS.to_string(),
    };

    click(&mut workbench, selector::id(ids::split_button_id(&phone)));
    let question = format!(
        "Split phone:{PHONE_ADDRESS} off customer #{customer}? The address and the \
         conversations it started move to a new customer with the same tier."
    );
    assert!(
        card_shows(&workbench, &question),
        "no confirmation {question:?}"
    );
    let actor = shown_actor(&workbench);
    type_into(&mut workbench, ids::reason_id(), "shared office phone");
    click(&mut workbench, "Split");

    let new_customer = imported.owner("phone", PHONE_ADDRESS);
    assert_ne!(new_customer, customer);
    assert!(card_shows(
        &workbench,
        &format!(
            "phone:{PHONE_ADDRESS} split off customer #{customer} into new customer \
             #{new_customer}, with 1 conversation."
        )
    ));
    assert!(!card_shows(&workbench, PHONE_ADDRESS));
    assert!(card_shows(&workbench, CHAT_ADDRESS));
    assert!(card_shows(
        &workbench,
        "History: 2 messages on every channel"
    ));
    assert_eq!(imported.conversation(new_customer, "phone"), call);
    let last = changes(&imported.path).pop().expect("a recorded change");
    assert_eq!(
        last,
        (
            "split".to_string(),
            Some(customer),
            new_customer,
            actor,
            Some("shared office phone".to_string())
        )
    );
}

#[test]
fn last_address_has_no_split() {
    let imported = email_and_chat();
    let (workbench, _, _) = open_email_conversation(&imported);
    let email = Address {
        channel: "email".parse().expect("parse the channel"),
        value: EMAIL_ADDRESS.to_string(),
    };

    assert!(card_shows(&workbench, EMAIL_ADDRESS));
    assert!(
        simulator(&workbench)
            .find(selector::id(ids::split_button_id(&email)))
            .is_err()
    );
}
