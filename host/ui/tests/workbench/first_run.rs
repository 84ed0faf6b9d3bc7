//! The offer of demo data when the workbench opens an empty database: the
//! generator runs as a background task, run here to completion with its
//! progress messages watched, and the choice is kept across a restart.

use kefu_core::Store;
use kefu_core::encryption::{self, Passphrase};
use kefu_ui::{Workbench, conversation_row_id, demo_offer_ids};

use super::EMPTY_DATABASE;
use super::reports::Running;

const LOAD: &str = "Load demo data";
const START_EMPTY: &str = "Start empty";

/// Opens the workbench on a new, empty database.
fn empty() -> Running {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let db_path = folder.path().join("kefu.db");
    let workbench = Workbench::open(&db_path);
    assert_eq!(workbench.error(), None);
    Running::new(folder, db_path, workbench)
}

/// Opens the database of a closed workbench again, as a restart does.
fn restart(running: Running) -> Running {
    let (folder, db_path) = running.close();
    let workbench = Workbench::open(&db_path);
    assert_eq!(workbench.error(), None);
    Running::new(folder, db_path, workbench)
}

#[test]
fn demo_offer_loads_data() {
    let mut running = empty();
    assert!(running.workbench().demo_offer_shown());
    assert!(running.simulator().find(LOAD).is_ok());
    assert!(running.simulator().find(START_EMPTY).is_ok());

    running.fill(demo_offer_ids::customers_input_id(), "40");
    running.fill(demo_offer_ids::days_input_id(), "30");
    let mut seen = Vec::new();
    running.click_watching(LOAD, |workbench| {
        seen.extend(workbench.demo_progress());
    });
    if let Some(error) = running.workbench().demo_error() {
        panic!("loading demo data failed: {error}");
    }
    assert!(!running.workbench().demo_offer_shown());
    // One ticket per customer per 30 days: 40 tickets, shown from 0 on.
    assert_eq!(seen.first(), Some(&(0, 40)), "{seen:?}");
    assert!(seen.iter().all(|(_, total)| *total == 40), "{seen:?}");

    let store = Store::open(running.db_path()).unwrap();
    let conversations = store.conversations().unwrap();
    assert!(!conversations.is_empty());
    assert!(!store.tickets().unwrap().is_empty());
    for conversation in conversations.iter().take(3) {
        let row = running
            .simulator()
            .find(iced_test::selector::id(conversation_row_id(
                conversation.id,
            )));
        assert!(
            row.is_ok(),
            "conversation {} is not listed",
            conversation.id
        );
    }

    let running = restart(running);
    assert!(!running.workbench().demo_offer_shown());
    let state = std::fs::read_to_string(running.workbench().state_path()).unwrap();
    assert!(state.contains("\"demo_offer\": \"demo-data\""), "{state}");
}

#[test]
fn invalid_customer_count_is_named() {
    let mut running = empty();
    running.fill(demo_offer_ids::customers_input_id(), "many");
    running.click(LOAD);
    let error = running.workbench().demo_error().expect("an error line");
    assert!(error.contains("\"many\""), "{error}");
    assert!(running.workbench().demo_offer_shown());
    let store = Store::open(running.db_path()).unwrap();
    assert!(store.conversations().unwrap().is_empty());
}

#[test]
fn start_empty_remembered_after_restart() {
    let mut running = empty();
    assert!(running.workbench().demo_offer_shown());
    running.click(START_EMPTY);
    assert!(!running.workbench().demo_offer_shown());
    assert!(running.simulator().find(EMPTY_DATABASE).is_ok());
    assert!(running.simulator().find(LOAD).is_err());

    let running = restart(running);
    assert!(!running.workbench().demo_offer_shown());
    assert!(running.simulator().find(EMPTY_DATABASE).is_ok());
    assert!(running.simulator().find(LOAD).is_err());
    let store = Store::open(running.db_path()).unwrap();
    assert!(store.conversations().unwrap().is_empty());
}

#[test]
fn no_offer_on_encrypted_database() {
    let folder = tempfile::tempdir().unwrap();
    let db_path = folder.path().join("kefu.db");
    let passphrase = Passphrase::new("门口的猫").unwrap();
    drop(Store::open_with_passphrase(&db_path, Some(&passphrase)).unwrap());
    encryption::unlock(&db_path, passphrase);

    let workbench = Workbench::open(&db_path);
    assert_eq!(workbench.error(), None);
    assert!(!workbench.demo_offer_shown());
    let running = Running::new(folder, db_path, workbench);
    assert!(running.simulator().find(EMPTY_DATABASE).is_ok());
}
