//! The phrase picker on a database with the starter phrase library and the
//! Chinese chat sample, imported through the built-in chat plugin. The
//! tests open it by key and by button, search, filter by category, check
//! the suggestions and insert phrases with their placeholders filled.

use std::path::{Path, PathBuf};

use iced::keyboard::key::Named;
use iced::keyboard::{Key, Modifiers};
use iced_test::selector::{self, Candidate};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::ingest::{Ingestor, NoProgress};
use kefu_core::model::{ConversationSummary, Ticket};
use kefu_core::plugin::PluginSet;
use kefu_core::store::PhraseFilter;
use kefu_ui::{Message, Workbench, pane_ids, phrase_picker_ids};
use tempfile::TempDir;

use super::panes::{focused_pane, open_conversation, outgoing_toml, type_draft};
use super::shortcuts::{press, press_command, type_then_press};
use super::{click, has_text, simulator};

/// A database with the starter phrase library and the Chinese chat sample,
/// and a configuration folder with outgoing.toml.
pub(super) struct PhraseDesk {
    _data: TempDir,
    db: PathBuf,
    config: TempDir,
}

impl PhraseDesk {
    /// The customer messages of the chat sample, one per conversation.
    pub(super) const WANG_MESSAGE: &str = "你好，我的订单还没到";
    pub(super) const LI_MESSAGE: &str = "我想退货，怎么申请退款？";
    /// The message of the customer the sample gives no name.
    pub(super) const NAMELESS_MESSAGE: &str = "登录不了，密码忘记了";

    /// Imports the starter phrase library, then the chat sample through the
    /// built-in plugins with the declarative rules in `rules`, if any.
    pub(super) fn new(rules: Option<&str>) -> Self {
        let data = tempfile::tempdir().expect("create the data folder");
        let db = data.path().join("kefu.db");
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut store = Store::open(&db).expect("open the database");
        store
            .import_phrases(
                &repository.join("docs/examples/phrases.toml"),
                chrono::Utc::now(),
            )
            .expect("import the starter phrases");

        let mut plugins = PluginSet::builtin().expect("load the built-in plugins");
        if let Some(rules) = rules {
            let parsed =
                kefu_core::automation::parse_rules("rules.toml", rules, &Desk::builtin().lifecycle)
                    .expect("parse the rules");
            plugins
                .set_declarative_rules(parsed)
                .expect("set the rules");
        }
        let chat = repository.join("tests/fixtures/phrases/chat-zh.jsonl");
        let summary = Ingestor::new(&mut store, &mut plugins)
            .ingest_paths(&[chat], &mut NoProgress)
            .expect("import the chat sample");
        assert_eq!(summary.tickets_opened, 3, "{summary:?}");

        let config = tempfile::tempdir().expect("create the configuration folder");
        std::fs::write(config.path().join("outgoing.toml"), outgoing_toml())
            .expect("write outgoing.toml");
        Self {
            _data: data,
            db,
            config,
        }
    }

    /// Starts a workbench on the database, as the app does on start.
    pub(super) fn open(&self) -> Workbench {
        let workbench = Workbench::open_configured(&self.db, Some(self.config.path()));
        assert_eq!(workbench.error(), None);
        workbench
    }

    pub(super) fn store(&self) -> Store {
        Store::open(&self.db).expect("open a second connection")
    }

    /// Returns the conversation whose latest message is `message`.
    pub(super) fn conversation_with(&self, message: &str) -> ConversationSummary {
        self.store()
            .conversations()
            .expect("read the conversations")
            .into_iter()
            .find(|conversation| conversation.preview == message)
            .unwrap_or_else(|| panic!("no conversation ending with {message:?}"))
    }

    fn ticket_of(&self, conversation_id: i64) -> Ticket {
        self.store()
            .tickets()
            .expect("read the tickets")
            .into_iter()
            .find(|ticket| ticket.conversation_id == conversation_id)
            .unwrap_or_else(|| panic!("conversation {conversation_id} has no ticket"))
    }

    fn phrase_body(&self, id: &str) -> String {
        self.store()
            .phrase(id)
            .expect("read the phrase")
            .unwrap_or_else(|| panic!("no phrase {id}"))
            .body
    }

    fn usage_count(&self, id: &str) -> u64 {
        self.store()
            .phrase(id)
            .expect("read the phrase")
            .unwrap_or_else(|| panic!("no phrase {id}"))
            .usage_count
    }
}

/// Clicks the picker's search field and types `query` into it.
fn search(workbench: &mut Workbench, query: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        ui.click(selector::id(phrase_picker_ids::search()))
            .expect("click the phrase search field");
        let _ = ui.typewrite(query);
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "typing {query:?} produced no message");
    for message in messages {
        let _task = workbench.update(message);
    }
}

fn listed(workbench: &Workbench) -> Vec<String> {
    workbench
        .picker_phrases()
        .expect("the phrase picker is open")
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// True when a text widget starting with `prefix` is shown.
fn has_text_starting(workbench: &Workbench, prefix: &str) -> bool {
    simulator(workbench)
        .find(|candidate: Candidate<'_>| match candidate {
            Candidate::Text { content, .. } if content.starts_with(prefix) => Some(()),
            _ => None,
        })
        .is_ok()
}

/// Returns `body` with the customer's name and the ticket's id in place of
/// their placeholders, as the reply should read.
fn filled(body: &str, customer: &str, ticket_id: i64) -> String {
    body.replace("{{customer.name}}", customer)
        .replace("{{ticket.id}}", &ticket_id.to_string())
}

#[test]
fn ctrl_p_opens_picker_and_search_filters() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    open_conversation(&mut workbench, wang.id);
    assert_eq!(workbench.picker_phrases(), None);

    press_command(&mut workbench, "p");

    let library = desk.store().phrases(&PhraseFilter::default()).unwrap();
    assert_eq!(listed(&workbench).len(), library.len());
    assert!(has_text(&workbench, "Insert (Enter)"));

    // Chinese, matched inside the body and keywords.
    search(&mut workbench, "发票");
    assert_eq!(listed(&workbench), vec!["invoice-request"]);
    press(
        &mut workbench,
        Key::Named(Named::Escape),
        Modifiers::empty(),
    );
    assert_eq!(workbench.picker_phrases(), None);

    // English, ignoring case, with every term required.
    press_command(&mut workbench, "p");
    search(&mut workbench, "PASSWORD reset");
    assert_eq!(listed(&workbench), vec!["password-reset"]);
}

#[test]
fn category_button_filters_picker() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    open_conversation(&mut workbench, wang.id);
    press_command(&mut workbench, "p");

    click(
        &mut workbench,
        selector::id(phrase_picker_ids::category(Some("logistics"))),
    );

    let logistics: Vec<String> = desk
        .store()
        .phrases(&PhraseFilter {
            category: Some("logistics".to_string()),
            search: None,
        })
        .unwrap()
        .into_iter()
        .map(|phrase| phrase.id)
        .collect();
    let mut shown = listed(&workbench);
    shown.sort();
    let mut expected = logistics.clone();
    expected.sort();
    assert_eq!(shown, expected);

    // The category's name also finds its phrases in the search.
    click(
        &mut workbench,
        selector::id(phrase_picker_ids::category(None)),
    );
    search(&mut workbench, "logistics");
    let mut found = listed(&workbench);
    found.sort();
    assert_eq!(found, expected);
}

#[test]
fn enter_inserts_phrase_with_placeholders_filled() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let ticket = desk.ticket_of(wang.id);
    assert_eq!(wang.customer_name.as_deref(), Some("王芳"));
    open_conversation(&mut workbench, wang.id);
    let pane = focused_pane(&workbench);

    click(
        &mut workbench,
        selector::id(pane_ids::phrases_button(pane.key)),
    );
    assert!(workbench.picker_phrases().is_some());
    click(
        &mut workbench,
        selector::id(phrase_picker_ids::row("order-status")),
    );
    press(&mut workbench, Key::Named(Named::Enter), Modifiers::empty());

    let expected = filled(&desk.phrase_body("order-status"), "王芳", ticket.id);
    assert!(!expected.contains("{{"), "{expected}");
    assert_eq!(workbench.draft(wang.id), expected);
    assert_eq!(workbench.picker_phrases(), None);
    assert_eq!(desk.usage_count("order-status"), 1);
    // Inserting stores nothing yet.
    assert!(desk.store().outbox(false).unwrap().is_empty());
    assert!(!has_text_starting(&workbench, "Replace ["));
}

#[test]
fn phrase_goes_in_at_cursor() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    open_conversation(&mut workbench, wang.id);
    let pane = focused_pane(&workbench);
    // Two steps left put the cursor between 开头 and 结尾.
    let left = (Key::Named(Named::ArrowLeft), Modifiers::empty());
    type_then_press(&mut workbench, pane.key, "开头结尾", &[left.clone(), left]);
    assert_eq!(workbench.draft(wang.id), "开头结尾");

    press_command(&mut workbench, "p");
    search(&mut workbench, "发票");
    press(&mut workbench, Key::Named(Named::Enter), Modifiers::empty());

    let phrase = desk.phrase_body("invoice-request");
    assert_eq!(workbench.draft(wang.id), format!("开头{phrase}结尾"));
}

#[test]
fn restored_draft_gets_phrase_on_new_line() {
    let desk = PhraseDesk::new(None);
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    {
        let mut workbench = desk.open();
        open_conversation(&mut workbench, wang.id);
        let pane = focused_pane(&workbench);
        type_draft(&mut workbench, pane.key, "您好");
    }
    let mut workbench = desk.open();
    assert_eq!(workbench.draft(wang.id), "您好");

    press_command(&mut workbench, "p");
    search(&mut workbench, "发票");
    press(&mut workbench, Key::Named(Named::Enter), Modifiers::empty());

    let phrase = desk.phrase_body("invoice-request");
    assert_eq!(workbench.draft(wang.id), format!("您好\n{phrase}"));
}

#[test]
fn ctrl_enter_inserts_and_sends() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let ticket = desk.ticket_of(wang.id);
    open_conversation(&mut workbench, wang.id);
    press_command(&mut workbench, "p");
    search(&mut workbench, "Order status");
    assert_eq!(listed(&workbench)[0], "order-status");

    press(&mut workbench, Key::Named(Named::Enter), Modifiers::COMMAND);

    let store = desk.store();
    let entries = store.outbox(false).expect("read the outbox");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].channel, "chat");
    assert_eq!(entries[0].ticket_id, Some(ticket.id));
    let messages = store.messages(wang.id).unwrap();
    let sent = messages
        .iter()
        .find(|message| message.id == entries[0].message_id)
        .expect("the reply is a message of the conversation");
    let expected = filled(&desk.phrase_body("order-status"), "王芳", ticket.id);
    assert_eq!(sent.body_text, expected);
    assert_eq!(workbench.draft(wang.id), "");
    assert_eq!(workbench.picker_phrases(), None);
    assert_eq!(desk.usage_count("order-status"), 1);
    let notice = format!(
        "Reply to ticket #{} queued as outbox entry {}.",
        ticket.id, entries[0].id
    );
    assert!(has_text(&workbench, &notice), "{notice}");
}

#[test]
fn unfilled_placeholder_blocks_send() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let nameless = desk.conversation_with(PhraseDesk::NAMELESS_MESSAGE);
    let ticket = desk.ticket_of(nameless.id);
    assert_eq!(nameless.customer_name, None);
    open_conversation(&mut workbench, nameless.id);
    let pane = focused_pane(&workbench);

    press_command(&mut workbench, "p");
    search(&mut workbench, "Order status");
    assert_eq!(listed(&workbench)[0], "order-status");
    assert!(has_text_starting(&workbench, "No value for customer.name"));
    press(&mut workbench, Key::Named(Named::Enter), Modifiers::COMMAND);

    let body = desk.phrase_body("order-status");
    let marked = filled(&body, "[customer.name?]", ticket.id);
    assert!(desk.store().outbox(false).unwrap().is_empty());
    assert_eq!(workbench.draft(nameless.id), marked);
    assert!(has_text_starting(
        &workbench,
        "Not sent: the draft still contains [customer.name?]"
    ));
    assert!(has_text_starting(&workbench, "Replace [customer.name?]"));

    // Replacing the whole draft with text the agent wrote lets it go out.
    let reply = "您好，请在登录页点“忘记密码”重置。";
    let messages: Vec<Message> = {
        let mut ui = simulator(&workbench);
        ui.click(selector::id(pane_ids::draft_editor(pane.key)))
            .expect("click the draft editor");
        let _ = ui.simulate([super::shortcuts::key_event(
            Key::Character("a".into()),
            Modifiers::COMMAND,
        )]);
        let _ = ui.typewrite(reply);
        ui.into_messages().collect()
    };
    for message in messages {
        let _task = workbench.update(message);
    }
    assert_eq!(workbench.draft(nameless.id), reply);
    click(
        &mut workbench,
        selector::id(pane_ids::send_button(pane.key)),
    );

    assert_eq!(desk.store().outbox(false).unwrap().len(), 1);
    assert_eq!(workbench.draft(nameless.id), "");
}

#[test]
fn matcher_suggestion_listed_first() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let li = desk.conversation_with(PhraseDesk::LI_MESSAGE);
    open_conversation(&mut workbench, li.id);

    press_command(&mut workbench, "p");

    let store = desk.store();
    let ticket = desk.ticket_of(li.id);
    let text = store.ticket_customer_text(ticket.id).unwrap();
    let suggestions = store.suggest_phrases(&text, 5).unwrap();
    assert!(!suggestions.is_empty(), "nothing suggested for {text:?}");
    let shown = listed(&workbench);
    let suggested: Vec<&str> = suggestions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(&shown[..suggested.len()], suggested.as_slice());
    assert!(suggested.contains(&"refund-policy"), "{suggested:?}");
    // The library's own order starts elsewhere, by category.
    let library = store.phrases(&PhraseFilter::default()).unwrap();
    assert_ne!(shown[0], library[0].id);
    assert!(has_text(&workbench, "Suggested"));
}

#[test]
fn rule_suggestion_listed_before_matcher() {
    // address-change shares no word with the customer's message, so only
    // the rule puts it on top.
    let rules = "[[rule]]\n\
                 name = \"suggest-address-change\"\n\
                 on = [\"ticket-created\"]\n\
                 [rule.then]\n\
                 suggest-phrase = \"address-change\"\n";
    let desk = PhraseDesk::new(Some(rules));
    let mut workbench = desk.open();
    let li = desk.conversation_with(PhraseDesk::LI_MESSAGE);
    let ticket = desk.ticket_of(li.id);
    let history = desk.store().ticket_events(ticket.id).unwrap();
    assert!(
        history
            .iter()
            .any(|event| event.kind == "phrase-suggested"
                && event.detail["phrase"] == "address-change"),
        "{history:?}"
    );
    open_conversation(&mut workbench, li.id);

    press_command(&mut workbench, "p");

    let shown = listed(&workbench);
    assert_eq!(shown[0], "address-change");
    let text = desk.store().ticket_customer_text(ticket.id).unwrap();
    let best = desk.store().suggest_phrases(&text, 1).unwrap();
    assert_eq!(shown[1], best[0].id);
    assert!(super::row_shows(
        &workbench,
        phrase_picker_ids::row("address-change"),
        "Suggested by a rule"
    ));
    // Enter takes the first phrase when none was clicked.
    press(&mut workbench, Key::Named(Named::Enter), Modifiers::empty());
    assert_eq!(workbench.draft(li.id), desk.phrase_body("address-change"));
}

#[test]
fn picker_needs_conversation_in_pane() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();

    press_command(&mut workbench, "p");

    assert_eq!(workbench.picker_phrases(), None);
    assert!(has_text(
        &workbench,
        "Open a conversation in the focused pane first, so the phrases can be filled in for it."
    ));
}

#[test]
fn arrows_move_selection() {
    let desk = PhraseDesk::new(None);
    let mut workbench = desk.open();
    let wang = desk.conversation_with(PhraseDesk::WANG_MESSAGE);
    let ticket = desk.ticket_of(wang.id);
    open_conversation(&mut workbench, wang.id);
    press_command(&mut workbench, "p");
    search(&mut workbench, "logistics");
    let shown = listed(&workbench);
    assert!(shown.len() >= 2, "{shown:?}");

    press(
        &mut workbench,
        Key::Named(Named::ArrowDown),
        Modifiers::empty(),
    );
    press(
        &mut workbench,
        Key::Named(Named::ArrowDown),
        Modifiers::empty(),
    );
    press(
        &mut workbench,
        Key::Named(Named::ArrowUp),
        Modifiers::empty(),
    );
    press(&mut workbench, Key::Named(Named::Enter), Modifiers::empty());

    let expected = filled(&desk.phrase_body(&shown[1]), "王芳", ticket.id);
    assert_eq!(workbench.draft(wang.id), expected);
}
