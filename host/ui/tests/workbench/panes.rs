//! Tiled conversation panes, the reply composer and the state file, on a
//! database filled by a real import of sample inputs from tests/fixtures.

use std::path::{Path, PathBuf};

use iced_test::selector;
use kefu_core::Store;
use kefu_core::ingest::{Ingestor, NoProgress};
use kefu_core::model::{Channel, ConversationSummary};
use kefu_core::plugin::PluginSet;
use kefu_core::store::OutboxState;
use kefu_ui::{Message, PaneSummary, Workbench, pane_ids, phrase_picker_ids};
use tempfile::TempDir;

use super::{NO_SELECTION, click, has_text, simulator};

/// The team address in the configuration's outgoing.toml.
const TEAM_ADDRESS: &str = "support@kefu.example";

/// Sample inputs imported into each test database: two mails, one
/// Chatwoot chat message and a FreeSWITCH call record.
const SAMPLES: [&str; 4] = [
    "email/06-utf8-char-split-across-encoded-words.eml",
    "email/20-empty-date-header.eml",
    "chat/chatwoot-webhook-message_created.json",
    "phone/freeswitch-cdr_csv-example-template.csv",
];

/// A database with the samples imported, and a configuration folder.
struct Desk {
    _data: TempDir,
    db: PathBuf,
    config: TempDir,
}

impl Desk {
    /// Imports the samples through the built-in plugins. `outgoing` is the
    /// content of outgoing.toml, or `None` for no file.
    fn new(outgoing: Option<&str>) -> Self {
        let data = tempfile::tempdir().expect("create the data folder");
        let db = data.path().join("kefu.db");
        let mut store = Store::open(&db).expect("open the database");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let paths: Vec<PathBuf> = SAMPLES.iter().map(|path| fixtures.join(path)).collect();
        let mut plugins = PluginSet::builtin().expect("load the built-in plugins");
        let summary = Ingestor::new(&mut store, &mut plugins)
            .ingest_paths(&paths, &mut NoProgress)
            .expect("import the samples");
        assert!(summary.tickets_opened > 0, "the samples opened no ticket");

        let config = tempfile::tempdir().expect("create the configuration folder");
        if let Some(outgoing) = outgoing {
            std::fs::write(config.path().join("outgoing.toml"), outgoing)
                .expect("write outgoing.toml");
        }
        Self {
            _data: data,
            db,
            config,
        }
    }

    /// Starts a workbench on the database, as the app does on start.
    fn open(&self) -> Workbench {
        let workbench = Workbench::open_configured(&self.db, Some(self.config.path()));
        assert_eq!(workbench.error(), None);
        workbench
    }

    fn store(&self) -> Store {
        Store::open(&self.db).expect("open a second connection")
    }

    /// Returns the conversation of `channel` that has a ticket.
    fn conversation(&self, channel: Channel) -> ConversationSummary {
        let store = self.store();
        let tickets = store.tickets().expect("read the tickets");
        store
            .conversations()
            .expect("read the conversations")
            .into_iter()
            .find(|conversation| {
                conversation.channel == channel
                    && tickets
                        .iter()
                        .any(|ticket| ticket.conversation_id == conversation.id)
            })
            .unwrap_or_else(|| panic!("no {channel} conversation with a ticket"))
    }
}

pub(super) fn outgoing_toml() -> String {
    format!("from = \"{TEAM_ADDRESS}\"\nfrom-name = \"客服团队\"\n")
}

/// Clicks the conversation's row in the list.
pub(super) fn open_conversation(workbench: &mut Workbench, conversation_id: i64) {
    click(
        workbench,
        selector::id(kefu_ui::conversation_row_id(conversation_id)),
    );
}

pub(super) fn focused_pane(workbench: &Workbench) -> PaneSummary {
    let panes = workbench.panes();
    let focused: Vec<_> = panes.iter().filter(|pane| pane.focused).collect();
    assert_eq!(focused.len(), 1, "not one focused pane in {panes:?}");
    *focused[0]
}

/// Clicks the draft editor of the pane `key` and types `text` into it, in
/// one simulated window so the click's focus stays for the keys.
pub(super) fn type_draft(workbench: &mut Workbench, key: u64, text: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        if let Err(error) = ui.click(selector::id(pane_ids::draft_editor(key))) {
            panic!("clicking the draft editor of pane {key} failed: {error}");
        }
        let _ = ui.typewrite(text);
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "typing produced no message");
    for message in messages {
        let _task = workbench.update(message);
    }
}

/// Splits the focused pane to the right and returns the new, focused pane.
pub(super) fn split_right(workbench: &mut Workbench) -> PaneSummary {
    let before = focused_pane(workbench);
    click(workbench, selector::id(pane_ids::split_right(before.key)));
    let after = focused_pane(workbench);
    assert_ne!(after.key, before.key, "the new pane did not get the focus");
    assert_eq!(after.conversation, None);
    after
}

#[test]
fn two_panes_keep_their_drafts() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mut workbench = desk.open();
    let mail = desk.conversation(Channel::Email);
    let chat = desk.conversation(Channel::Chat);
    let mail_draft = "您好，退款已处理。";
    let chat_draft = "Your parcel left the warehouse today.";

    open_conversation(&mut workbench, mail.id);
    let first = focused_pane(&workbench);
    type_draft(&mut workbench, first.key, mail_draft);
    let second = split_right(&mut workbench);
    open_conversation(&mut workbench, chat.id);
    type_draft(&mut workbench, second.key, chat_draft);
    // Back to the mail: the list focuses the pane that shows it.
    open_conversation(&mut workbench, mail.id);

    let panes = workbench.panes();
    assert_eq!(panes.len(), 2, "{panes:?}");
    assert_eq!(panes[0].conversation, Some(mail.id));
    assert_eq!(panes[1].conversation, Some(chat.id));
    assert_eq!(focused_pane(&workbench).key, first.key);
    assert_eq!(workbench.selected_conversation(), Some(mail.id));
    assert_eq!(workbench.draft(mail.id), mail_draft);
    assert_eq!(workbench.draft(chat.id), chat_draft);
}

#[test]
fn pane_maximises_restores_and_closes() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mut workbench = desk.open();
    let mail = desk.conversation(Channel::Email);
    open_conversation(&mut workbench, mail.id);
    let first = focused_pane(&workbench);
    let second = split_right(&mut workbench);

    click(&mut workbench, selector::id(pane_ids::maximize(first.key)));
    let panes = workbench.panes();
    assert!(panes[0].maximized, "{panes:?}");
    assert!(has_text(&workbench, "Restore"));
    // A maximised grid shows only that pane, not the empty one's hint.
    assert!(!has_text(&workbench, NO_SELECTION));

    click(&mut workbench, selector::id(pane_ids::maximize(first.key)));
    assert!(workbench.panes().iter().all(|pane| !pane.maximized));
    assert!(has_text(&workbench, NO_SELECTION));

    click(&mut workbench, selector::id(pane_ids::close(second.key)));
    let panes = workbench.panes();
    assert_eq!(panes.len(), 1, "{panes:?}");
    assert_eq!(panes[0].key, first.key);
    assert!(panes[0].focused);
}

#[test]
fn mail_reply_is_queued_in_outbox() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mut workbench = desk.open();
    let mail = desk.conversation(Channel::Email);
    let reply = "您好，退款已处理，三个工作日内到账。";

    open_conversation(&mut workbench, mail.id);
    let pane = focused_pane(&workbench);
    type_draft(&mut workbench, pane.key, reply);
    click(
        &mut workbench,
        selector::id(pane_ids::send_button(pane.key)),
    );

    let store = desk.store();
    let entries = store.outbox(false).expect("read the outbox");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry.channel, "email");
    assert_eq!(entry.state, OutboxState::Queued);
    assert!(!entry.automatic);
    let ticket = store
        .tickets()
        .unwrap()
        .into_iter()
        .find(|ticket| ticket.conversation_id == mail.id)
        .expect("the mail's ticket");
    assert_eq!(entry.ticket_id, Some(ticket.id));
    let subject = entry.subject.as_deref().unwrap_or_default();
    assert!(subject.contains(&format!("[#{}]", ticket.id)), "{subject}");
    let messages = store.messages(mail.id).unwrap();
    let stored = messages
        .iter()
        .find(|message| message.id == entry.message_id)
        .expect("the reply is a message of the conversation");
    assert_eq!(stored.body_text, reply);
    assert_eq!(stored.sender.address, TEAM_ADDRESS);
    // Threading: the reply names the customer's mail it answers.
    let external_id = entry.external_id.as_deref().unwrap_or_default();
    assert!(external_id.ends_with("@kefu.example"), "{external_id}");

    assert_eq!(workbench.draft(mail.id), "");
    assert!(has_text(&workbench, reply));
    assert!(has_text(&workbench, "Queued"));
    let notice = format!(
        "Reply to ticket #{} queued as outbox entry {}.",
        ticket.id, entry.id
    );
    assert!(has_text(&workbench, &notice), "{notice}");
}

#[test]
fn chat_reply_is_queued_in_outbox() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mut workbench = desk.open();
    let chat = desk.conversation(Channel::Chat);
    let reply = "Thanks, we are checking the order now.";

    open_conversation(&mut workbench, chat.id);
    let pane = focused_pane(&workbench);
    type_draft(&mut workbench, pane.key, reply);
    click(
        &mut workbench,
        selector::id(pane_ids::send_button(pane.key)),
    );

    let entries = desk.store().outbox(false).expect("read the outbox");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].channel, "chat");
    assert_eq!(entries[0].state, OutboxState::Queued);
    let external_id = entries[0].external_id.as_deref().unwrap_or_default();
    assert!(external_id.starts_with("kefu-reply-"), "{external_id}");
    assert_eq!(workbench.draft(chat.id), "");
}

#[test]
fn phone_composer_saves_call_note() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mut workbench = desk.open();
    let call = desk.conversation(Channel::Phone);
    let note = "Called back, customer will send the invoice.";

    open_conversation(&mut workbench, call.id);
    let pane = focused_pane(&workbench);
    assert!(has_text(&workbench, "Save note"));
    type_draft(&mut workbench, pane.key, note);
    click(
        &mut workbench,
        selector::id(pane_ids::send_button(pane.key)),
    );

    let store = desk.store();
    assert!(store.outbox(false).unwrap().is_empty());
    let ticket = store
        .tickets()
        .unwrap()
        .into_iter()
        .find(|ticket| ticket.conversation_id == call.id)
        .expect("the call's ticket");
    let history = store.ticket_events(ticket.id).expect("read the history");
    let noted = history
        .iter()
        .any(|event| event.kind == "note" && event.detail["text"] == note);
    assert!(noted, "no note event in {history:?}");
    assert_eq!(workbench.draft(call.id), "");
}

#[test]
fn failed_send_keeps_draft() {
    // Without outgoing.toml there is no team address to send mail from.
    let desk = Desk::new(None);
    let mut workbench = desk.open();
    let mail = desk.conversation(Channel::Email);
    let reply = "This reply cannot be sent yet.";

    open_conversation(&mut workbench, mail.id);
    let pane = focused_pane(&workbench);
    type_draft(&mut workbench, pane.key, reply);
    click(
        &mut workbench,
        selector::id(pane_ids::send_button(pane.key)),
    );

    assert!(desk.store().outbox(false).unwrap().is_empty());
    assert_eq!(workbench.draft(mail.id), reply);
    let visible_error = simulator(&workbench)
        .find(
            |candidate: iced_test::selector::Candidate<'_>| match candidate {
                iced_test::selector::Candidate::Text { content, .. }
                    if content.starts_with("Not sent: no team address") =>
                {
                    Some(content.to_string())
                }
                _ => None,
            },
        )
        .expect("the send error is shown");
    assert!(
        visible_error.ends_with("The draft is kept."),
        "{visible_error}"
    );
}

#[test]
fn restart_restores_panes_and_drafts() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mail = desk.conversation(Channel::Email);
    let chat = desk.conversation(Channel::Chat);
    let mail_draft = "退款申请已收到";
    let chat_draft = "One moment please";
    {
        let mut workbench = desk.open();
        open_conversation(&mut workbench, mail.id);
        let first = focused_pane(&workbench);
        type_draft(&mut workbench, first.key, mail_draft);
        split_right(&mut workbench);
        open_conversation(&mut workbench, chat.id);
        let second = focused_pane(&workbench);
        type_draft(&mut workbench, second.key, chat_draft);
        click(&mut workbench, selector::id(pane_ids::maximize(second.key)));
        let _task = workbench.update(Message::WindowResized(
            iced::window::Id::unique(),
            iced::Size::new(1400.0, 900.0),
        ));
        assert!(workbench.state_path().exists());
    }

    // A new app on the same files.
    let workbench = desk.open();

    let panes = workbench.panes();
    assert_eq!(panes.len(), 2, "{panes:?}");
    assert_eq!(panes[0].conversation, Some(mail.id));
    assert_eq!(panes[1].conversation, Some(chat.id));
    assert!(panes[1].focused);
    assert!(panes[1].maximized);
    assert_eq!(workbench.draft(mail.id), mail_draft);
    assert_eq!(workbench.draft(chat.id), chat_draft);
    // The maximised chat pane shows its messages at once.
    assert!(has_text(&workbench, "hi"));
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(workbench.state_path()).unwrap()).unwrap();
    assert_eq!(state["window"]["width"], 1400.0);
    assert_eq!(state["window"]["height"], 900.0);
}

#[test]
fn invalid_state_file_is_set_aside() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let state_path = desk.db.with_file_name("kefu.db.workbench.json");
    std::fs::write(&state_path, "{\"version\": 1, \"layout\": [").unwrap();

    let workbench = desk.open();

    let errors = workbench.config_errors();
    assert!(
        errors
            .iter()
            .any(|error| error.contains("kefu.db.workbench.json")),
        "{errors:?}"
    );
    assert!(
        desk.db
            .with_file_name("kefu.db.workbench.json.invalid")
            .exists()
    );
    assert_eq!(workbench.panes().len(), 1);
}

/// Returns a simulator of the popped-out window `window`.
fn window_simulator(
    workbench: &Workbench,
    window: iced::window::Id,
) -> iced_test::Simulator<'_, Message> {
    iced_test::Simulator::with_size(
        kefu_ui::settings(),
        (640.0, 720.0),
        workbench.window_view(window),
    )
}

/// Types `text` into the draft editor of pane `key` in the popped-out
/// window `window`.
fn type_in_window(workbench: &mut Workbench, window: iced::window::Id, key: u64, text: &str) {
    let messages: Vec<Message> = {
        let mut ui = window_simulator(workbench, window);
        if let Err(error) = ui.click(selector::id(pane_ids::draft_editor(key))) {
            panic!("clicking the draft editor in the popped-out window failed: {error}");
        }
        let _ = ui.typewrite(text);
        ui.into_messages().collect()
    };
    for message in messages {
        let _task = workbench.update(message);
    }
}

/// Clicks the widget `id` in the popped-out window `window`.
fn click_in_window(workbench: &mut Workbench, window: iced::window::Id, id: iced::widget::Id) {
    let messages: Vec<Message> = {
        let mut ui = window_simulator(workbench, window);
        if let Err(error) = ui.click(selector::id(id)) {
            panic!("clicking in the popped-out window failed: {error}");
        }
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "the click produced no message");
    for message in messages {
        let _task = workbench.update(message);
    }
}

/// Opens conversation `popped` in a pane and `beside` in a second one next
/// to it, then pops the first out into its own window and returns that pane.
fn pop_out_beside(workbench: &mut Workbench, popped: i64, beside: i64) -> PaneSummary {
    open_conversation(workbench, popped);
    let pane = focused_pane(workbench);
    split_right(workbench);
    open_conversation(workbench, beside);
    click(workbench, selector::id(pane_ids::pop_out(pane.key)));
    pane
}

#[test]
fn popped_out_pane_sends_and_reopens() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mail = desk.conversation(Channel::Email);
    let chat = desk.conversation(Channel::Chat);
    let reply = "您好，发票已重新开具。";
    let draft = "Second thoughts, not sent";
    let window = {
        let mut workbench = desk.open();
        let mail_pane = pop_out_beside(&mut workbench, mail.id, chat.id);

        let panes = workbench.panes();
        assert_eq!(panes.len(), 1, "{panes:?}");
        assert_eq!(panes[0].conversation, Some(chat.id));
        let popped = workbench.popped_out();
        assert_eq!(popped.len(), 1, "{popped:?}");
        let (window, conversation) = popped[0];
        assert_eq!(conversation, Some(mail.id));
        assert!(workbench.window_title(window).contains(mail.title()));

        // The window has the pane's composer: a reply sent there is stored.
        type_in_window(&mut workbench, window, mail_pane.key, reply);
        click_in_window(&mut workbench, window, pane_ids::send_button(mail_pane.key));
        let entries = desk.store().outbox(false).expect("read the outbox");
        assert_eq!(entries.len(), 1, "{entries:?}");
        let messages = desk.store().messages(mail.id).unwrap();
        assert!(
            messages
                .iter()
                .any(|message| message.id == entries[0].message_id && message.body_text == reply)
        );
        assert_eq!(workbench.draft(mail.id), "");

        type_in_window(&mut workbench, window, mail_pane.key, draft);
        assert_eq!(workbench.draft(mail.id), draft);
        window
    };

    // A new app on the same files opens the popped-out pane in a window
    // again, with its draft.
    let mut workbench = desk.open();
    let popped = workbench.popped_out();
    assert_eq!(popped.len(), 1, "{popped:?}");
    assert_ne!(popped[0].0, window, "a new window was opened");
    assert_eq!(popped[0].1, Some(mail.id));
    assert_eq!(workbench.draft(mail.id), draft);
    assert_eq!(workbench.panes().len(), 1);

    // Closing the window closes the pane; the draft stays.
    let _task = workbench.update(Message::WindowClosed(popped[0].0));
    assert!(workbench.popped_out().is_empty());
    assert_eq!(workbench.draft(mail.id), draft);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(workbench.state_path()).unwrap()).unwrap();
    assert!(state.get("popped_out").is_none(), "{state}");
}

#[test]
fn popped_out_pane_opens_picker_in_its_window() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mail = desk.conversation(Channel::Email);
    let chat = desk.conversation(Channel::Chat);
    let mut workbench = desk.open();
    let mail_pane = pop_out_beside(&mut workbench, mail.id, chat.id);
    let (window, _) = workbench.popped_out()[0];

    click_in_window(
        &mut workbench,
        window,
        pane_ids::phrases_button(mail_pane.key),
    );

    assert!(workbench.picker_phrases().is_some(), "the picker is open");
    let search = || selector::id(phrase_picker_ids::search());
    assert!(
        window_simulator(&workbench, window).find(search()).is_ok(),
        "the picker shows in the pane's window"
    );
    assert!(
        simulator(&workbench).find(search()).is_err(),
        "the main window shows no picker"
    );
}

#[test]
fn pane_shows_ticket_card() {
    let desk = Desk::new(Some(&outgoing_toml()));
    let mut workbench = desk.open();
    let mail = desk.conversation(Channel::Email);
    let ticket = desk
        .store()
        .tickets()
        .unwrap()
        .into_iter()
        .find(|ticket| ticket.conversation_id == mail.id)
        .expect("the mail's ticket");

    open_conversation(&mut workbench, mail.id);

    assert!(has_text(&workbench, &format!("#{}", ticket.id)));
    assert!(has_text(&workbench, "Assignee: -"));
    // The running deadline shows as "overdue ..." once passed, else as
    // "in ...".
    let row = desk
        .store()
        .todo_row(ticket.id)
        .unwrap()
        .expect("the ticket's row");
    let prefix = match row.due_at {
        Some(due) if due < chrono::Utc::now() => "overdue ",
        Some(_) => "in ",
        None => panic!("the imported mail's ticket has no running deadline"),
    };
    let shown =
        super::simulator(&workbench).find(|candidate: iced_test::selector::Candidate<'_>| {
            match candidate {
                iced_test::selector::Candidate::Text { content, .. }
                    if content.starts_with(prefix) =>
                {
                    Some(())
                }
                _ => None,
            }
        });
    assert!(shown.is_ok(), "no deadline starting with {prefix:?} shown");
}
