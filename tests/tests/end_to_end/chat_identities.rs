//! A Chatwoot contact's email address and phone number link the chat
//! customer to the customer with the same address on other channels. The
//! payloads go through the real webhook server on 127.0.0.1 and the real
//! chat adapter. The mail is a real fixture, read by the real email adapter.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::plugin::{PluginEngine, PluginStatus};
use kefu_core::store::{Address, CustomerSummary};
use kefu_core::webhook::{IntakeSetup, WebhookConfig, WebhookServer};
use kefu_tests::{TestDb, fixtures, plugin_folder};
use tempfile::TempDir;

const TOKEN: &str = "test-token-0123456789abcdef";
/// Contact 14 without an email address or phone number.
const PLAIN: &str = "chat/chatwoot-webhook-message_created.json";
/// Contact 14 with `customer.a@example.cn` and `+8613800138000`.
const WITH_CONTACT: &str = "chat/chatwoot-webhook-message_created-contact.json";
/// A mail from `customer.a@example.cn`.
const MAIL: &str = "email/01-cn-gb2312-reply-chain-outlook-quote.eml";

/// A webhook server on a fresh database in its own folder.
struct ChatDesk {
    folder: TempDir,
    server: WebhookServer,
}

impl ChatDesk {
    fn start() -> Self {
        let folder = tempfile::tempdir().expect("creating a temporary folder");
        let text = format!("listen = \"127.0.0.1:0\"\ntoken = \"{TOKEN}\"\n");
        std::fs::write(folder.path().join("webhook.toml"), text).expect("writing webhook.toml");
        let config = WebhookConfig::load(folder.path()).expect("reading webhook.toml");
        let token = config.read_token().expect("reading the token");
        let setup = IntakeSetup {
            db: folder.path().join("kefu.db"),
            engine: PluginEngine::new().expect("starting the plugin engine"),
            plugin_dir: None,
            desk: Desk::builtin(),
            rules: Vec::new(),
        };
        let server =
            WebhookServer::start(&config, &token, setup).expect("starting the webhook server");
        Self { folder, server }
    }

    fn db(&self) -> PathBuf {
        self.folder.path().join("kefu.db")
    }

    /// Posts a payload to `/chat` and returns the status and JSON body.
    fn post(&self, body: &[u8]) -> (u16, serde_json::Value) {
        post_chat(self.server.address(), body)
    }

    /// Imports files through the built-in adapters, as `kefu ingest` does.
    fn ingest(&self, paths: &[PathBuf]) {
        let mut store = Store::open(&self.db()).expect("opening the database");
        let mut plugins =
            kefu_core::plugin::PluginSet::builtin().expect("loading the built-in plugins");
        kefu_core::ingest::Ingestor::new(&mut store, &mut plugins)
            .ingest_paths(paths, &mut kefu_core::ingest::NoProgress)
            .expect("importing inputs");
    }

    fn customers(&self) -> Vec<CustomerSummary> {
        Store::open(&self.db())
            .expect("opening the database")
            .customers()
            .expect("listing customers")
    }

    fn store(&self) -> Store {
        Store::open(&self.db()).expect("opening the database")
    }
}

fn post_chat(address: SocketAddr, body: &[u8]) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(address).expect("connecting to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /chat HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("reading the answer");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {raw:?}"));
    (status, serde_json::from_str(body).unwrap_or_default())
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).expect("reading a fixture")
}

/// Returns the fixture payload with another message id, so it is a new
/// message of the same contact and conversation.
fn next_message(name: &str, message_id: u64) -> Vec<u8> {
    let mut payload: serde_json::Value =
        serde_json::from_slice(&fixture(name)).expect("parsing the fixture");
    payload["id"] = message_id.into();
    payload["content"] = "我上周发邮件问过退款".into();
    serde_json::to_vec(&payload).unwrap()
}

fn addresses(customer: &CustomerSummary) -> Vec<String> {
    let mut addresses: Vec<String> = customer.addresses.iter().map(Address::to_string).collect();
    addresses.sort();
    addresses
}

fn owner(customers: &[CustomerSummary], address: &str) -> i64 {
    customers
        .iter()
        .find(|customer| addresses(customer).iter().any(|owned| owned == address))
        .unwrap_or_else(|| panic!("no customer has {address}: {customers:?}"))
        .id
}

#[test]
fn chat_then_mail_one_customer() {
    let desk = ChatDesk::start();
    let (status, answer) = desk.post(&fixture(WITH_CONTACT));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messages_stored"], 1);

    desk.ingest(&[fixtures().join(MAIL)]);

    let customers = desk.customers();
    assert_eq!(customers.len(), 1, "{customers:?}");
    assert_eq!(
        addresses(&customers[0]),
        [
            "chat:chatwoot:14",
            "email:customer.a@example.cn",
            "phone:+8613800138000"
        ]
    );
    assert_eq!(customers[0].conversations, 2);
    let detail = desk.store().customer_detail(customers[0].id).unwrap();
    let links: Vec<(&str, &[String])> = detail
        .changes
        .iter()
        .map(|change| (change.actor.as_str(), change.addresses.as_slice()))
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links.iter().all(|(actor, _)| *actor == "plugin:chat"));
    assert_eq!(links[0].1, ["email:customer.a@example.cn"]);
    assert_eq!(links[1].1, ["phone:+8613800138000"]);
}

#[test]
fn mail_then_chat_joins_customer() {
    let desk = ChatDesk::start();
    desk.ingest(&[fixtures().join(MAIL)]);
    let mail_customer = desk.customers()[0].id;

    let (status, answer) = desk.post(&fixture(WITH_CONTACT));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messages_stored"], 1, "{answer}");

    let customers = desk.customers();
    assert_eq!(customers.len(), 1, "{customers:?}");
    assert_eq!(customers[0].id, mail_customer);
    assert_eq!(
        addresses(&customers[0]),
        [
            "chat:chatwoot:14",
            "email:customer.a@example.cn",
            "phone:+8613800138000"
        ]
    );
    let detail = desk.store().customer_detail(mail_customer).unwrap();
    let chat = detail
        .history
        .iter()
        .find(|message| message.sender.address == "chatwoot:14")
        .expect("the chat message is in the customer's history");
    assert!(
        chat.notes
            .iter()
            .any(|note| note.contains("Linked chat:chatwoot:14 to customer")),
        "{:?}",
        chat.notes
    );
}

#[test]
fn known_customers_never_merged() {
    let desk = ChatDesk::start();
    // The chat customer first, with no email address, then the mail's.
    let (status, _) = desk.post(&fixture(PLAIN));
    assert_eq!(status, 200);
    desk.ingest(&[fixtures().join(MAIL)]);
    let before = desk.customers();
    assert_eq!(before.len(), 2, "{before:?}");
    let chat_customer = owner(&before, "chat:chatwoot:14");
    let mail_customer = owner(&before, "email:customer.a@example.cn");

    // Now the contact's record lists the mail's address.
    let (status, answer) = desk.post(&next_message(WITH_CONTACT, 119));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messages_stored"], 1, "{answer}");

    let after = desk.customers();
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(owner(&after, "chat:chatwoot:14"), chat_customer);
    assert_eq!(owner(&after, "email:customer.a@example.cn"), mail_customer);
    // No customer had the phone number, so it joins the chat customer.
    assert_eq!(owner(&after, "phone:+8613800138000"), chat_customer);
    let detail = desk.store().customer_detail(chat_customer).unwrap();
    assert_eq!(detail.merged_into, None);
    let message = detail
        .history
        .iter()
        .find(|message| message.external_id.as_deref() == Some("chatwoot:119"))
        .expect("the second chat message is stored");
    let merge_command = format!("kefu customers merge {chat_customer} {mail_customer}");
    assert!(
        message
            .notes
            .iter()
            .any(|note| note.contains("email:customer.a@example.cn")
                && note.contains(&merge_command)),
        "{:?}",
        message.notes
    );
}

#[test]
fn invalid_contact_phone_not_linked() {
    let desk = ChatDesk::start();
    let mut payload: serde_json::Value = serde_json::from_slice(&fixture(WITH_CONTACT)).unwrap();
    for pointer in ["/sender", "/conversation/meta/sender"] {
        let record = payload
            .pointer_mut(pointer)
            .expect("the fixture has the record");
        record["phone_number"] = "12".into();
        record["email"] = "not-an-address".into();
    }
    let (status, answer) = desk.post(&serde_json::to_vec(&payload).unwrap());
    assert_eq!(status, 200, "{answer}");

    let customers = desk.customers();
    assert_eq!(customers.len(), 1);
    assert_eq!(addresses(&customers[0]), ["chat:chatwoot:14"]);
    let detail = desk.store().customer_detail(customers[0].id).unwrap();
    let notes = &detail.history[0].notes;
    assert!(
        notes.iter().any(|note| note.contains("\"12\"")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|note| note.contains("\"not-an-address\"")),
        "{notes:?}"
    );
}

#[test]
fn api_1_1_adapter_still_loads() {
    let mut db = TestDb::new();
    let folder = plugin_folder(&["api-1-1-adapter"]);
    let mut plugins = db.load_plugins(folder.path());
    let status = plugins
        .entries
        .iter()
        .find(|entry| entry.id == "api-1-1-adapter")
        .map(|entry| entry.status.clone())
        .expect("the plugin is listed");
    assert_eq!(status, PluginStatus::Running);
    let input = db.folder.path().join("chats.api11");
    std::fs::write(&input, "li.lei\t你好，在吗？\n").unwrap();

    let summary = db.ingest_with(&mut plugins, &[input]);

    assert!(summary.quarantined.is_empty(), "{:?}", summary.quarantined);
    assert_eq!(summary.messages_by_adapter.get("api-1-1-adapter"), Some(&1));
    let customers = db.store.customers().unwrap();
    assert_eq!(addresses(&customers[0]), ["chat:api11:li.lei"]);
}
