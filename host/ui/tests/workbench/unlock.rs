//! The unlock screen on a real encrypted database: a wrong passphrase is
//! rejected with the reason and changes nothing, the right one unlocks the
//! database for the workbench.

use std::path::Path;

use iced::widget::Id;
use iced_test::{Simulator, selector};
use kefu_core::Store;
use kefu_core::encryption::{self, Passphrase};
use kefu_ui::{UnlockMessage, UnlockScreen, Workbench};

use super::WINDOW_SIZE;

const HEADING: &str = "This database is encrypted. Enter its passphrase to open it.";

fn simulator(screen: &UnlockScreen) -> Simulator<'_, UnlockMessage> {
    Simulator::with_size(kefu_ui::settings(), WINDOW_SIZE, screen.view())
}

fn has_text(screen: &UnlockScreen, content: &str) -> bool {
    simulator(screen).find(content).is_ok()
}

/// Clicks the widget with id `target`, types `content` when given, and
/// feeds the messages to `update`. Returns whether the screen unlocked.
fn interact(screen: &mut UnlockScreen, target: Id, content: Option<&str>) -> bool {
    let messages: Vec<UnlockMessage> = {
        let mut ui = simulator(screen);
        if let Err(error) = ui.click(selector::id(target.clone())) {
            panic!("clicking {target:?} failed: {error}");
        }
        if let Some(content) = content {
            let _status = ui.typewrite(content);
        }
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "{target:?} produced no message");
    let mut unlocked = false;
    for message in messages {
        unlocked |= screen.update(message);
    }
    unlocked
}

fn enter_passphrase(screen: &mut UnlockScreen, passphrase: &str) -> bool {
    interact(screen, kefu_ui::passphrase_field_id(), Some(passphrase));
    interact(screen, kefu_ui::unlock_button_id(), None)
}

fn encrypted_database(path: &Path, passphrase: &Passphrase) {
    let store = Store::open_with_passphrase(path, Some(passphrase)).expect("create the database");
    drop(store);
}

#[test]
fn unlock_rejects_wrong_passphrase() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    encrypted_database(&db, &Passphrase::new("门口的猫").unwrap());
    let before = std::fs::read(&db).unwrap();

    let mut screen = UnlockScreen::new(&db, None);
    assert!(has_text(&screen, HEADING));
    assert!(!enter_passphrase(&mut screen, "wrong"));

    let error = screen.error().expect("the reason is shown").to_string();
    assert!(error.contains("wrong passphrase"), "{error}");
    assert!(has_text(&screen, &error));
    assert_eq!(encryption::passphrase_for(&db), None);
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing was written");
}

#[test]
fn unlock_opens_workbench() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let passphrase = Passphrase::new("门口的猫").unwrap();
    encrypted_database(&db, &passphrase);

    let locked = Workbench::open(&db);
    let error = locked.error().expect("a locked database shows an error");
    assert!(error.contains("is encrypted"), "{error}");

    let mut screen = UnlockScreen::new(&db, None);
    assert!(enter_passphrase(&mut screen, "门口的猫"));
    assert_eq!(encryption::passphrase_for(&db), Some(passphrase));
    let workbench = Workbench::open(&db);
    assert_eq!(workbench.error(), None);
}

#[test]
fn unlock_screen_follows_theme_setting() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    encrypted_database(&db, &Passphrase::new("门口的猫").unwrap());
    let config = folder.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let cases = [
        (Some("theme = \"dark\"\n"), Some(iced::Theme::Dark)),
        (Some("theme = \"light\"\n"), Some(iced::Theme::Light)),
        (Some("theme = \"system\"\n"), None),
        // A theme that cannot be used falls back to the system's.
        (Some("theme = \"pink\"\n"), None),
        (None, None),
    ];
    for (settings, expected) in cases {
        let path = config.join("ui.toml");
        match settings {
            Some(settings) => std::fs::write(&path, settings).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
        let screen = UnlockScreen::new(&db, Some(&config));
        assert_eq!(screen.theme(), expected, "ui.toml {settings:?}");
    }
    let screen = UnlockScreen::new(&db, None);
    assert_eq!(screen.theme(), None, "no configuration folder");
}
