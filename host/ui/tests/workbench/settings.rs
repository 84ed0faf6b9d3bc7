//! The settings screen on a real configuration folder. The theme is saved
//! to `ui.toml` and applied, and alert settings are written to
//! `alerts.toml` and read back by the core's parser. Values out of range
//! are rejected with nothing written. Broken files are reported with their
//! line and column while the app runs on the defaults.
//!
//! The language is process-wide, so switching it is tested in the
//! `language` test binary, where tests take turns; these tests keep the UI
//! in English.

use std::path::{Path, PathBuf};

use iced::keyboard::key::Named;
use iced::widget::Id;
use iced_test::selector::{self, Candidate};
use kefu_core::Store;
use kefu_core::alerts::{AlertSettings, Sound, Tier};
use kefu_core::lifecycle::Lifecycle;
use kefu_core::sla::SlaConfig;
use kefu_ui::settings_screen::{Field, Message as SettingsMessage, Switch, ids};
use kefu_ui::{Message, Screen, Workbench};
use tempfile::TempDir;

use super::{click, has_text, seed, shortcuts, simulator};

/// The agent whose alert table and profile the tests edit. The dot makes
/// `toml_edit` quote the table name.
const AGENT: &str = "li.wei";

/// A database with the sample and a configuration folder, opened as the
/// app opens them.
struct Configured {
    _folder: TempDir,
    db: PathBuf,
    config: PathBuf,
}

impl Configured {
    /// Writes each `(name, text)` file into the configuration folder.
    fn new(files: &[(&str, &str)]) -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let db = folder.path().join("kefu.db");
        let mut store = Store::open(&db).expect("open the test database");
        seed::seed_sample(&mut store).expect("store the sample");
        drop(store);
        let config = folder.path().join("config");
        std::fs::create_dir(&config).expect("create the configuration folder");
        for (name, text) in files {
            std::fs::write(config.join(name), text).expect("write a configuration file");
        }
        Self {
            _folder: folder,
            db,
            config,
        }
    }

    fn start(&self) -> Workbench {
        let (mut workbench, _task) = Workbench::start(&self.db, None, Some(&self.config));
        workbench.set_agent(AGENT);
        workbench
    }

    fn path(&self, name: &str) -> PathBuf {
        self.config.join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read a configuration file")
    }

    /// Returns the names of the files in the configuration folder, sorted.
    fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.config)
            .expect("list the configuration folder")
            .map(|entry| entry.expect("read an entry").file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// Reads `alerts.toml` in `config` for `agent` with the core's parser.
fn load_alerts(config: &Path, agent: &str) -> AlertSettings {
    AlertSettings::load(config, agent, &Lifecycle::builtin()).expect("alerts.toml is valid")
}

fn open_settings(workbench: &mut Workbench) {
    shortcuts::press_command(workbench, ",");
    assert_eq!(workbench.screen(), Screen::Settings);
}

fn send(workbench: &mut Workbench, message: SettingsMessage) {
    let _task = workbench.update(Message::Settings(message));
}

/// Replaces the text of the field `id` by `content`, typing as an agent
/// does.
fn fill(workbench: &mut Workbench, id: Id, content: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(workbench);
        if let Err(error) = ui.click(selector::id(id.clone())) {
            panic!("clicking {id:?} failed: {error}");
        }
        let _ = ui.tap_key(Named::End);
        for _ in 0..128 {
            let _ = ui.tap_key(Named::Backspace);
        }
        let _ = ui.typewrite(content);
        ui.into_messages().collect()
    };
    assert!(
        !messages.is_empty(),
        "typing into {id:?} produced no message"
    );
    for message in messages {
        let _task = workbench.update(message);
    }
}

/// Returns true when a text widget contains `part`.
fn has_text_containing(workbench: &Workbench, part: &str) -> bool {
    let mut found = false;
    let _ = simulator(workbench).find(|candidate: Candidate<'_>| {
        if let Candidate::Text { content, .. } = candidate
            && content.contains(part)
        {
            found = true;
        }
        None::<()>
    });
    found
}

const UI_SETTINGS: &str = "# Interface settings of the team laptop.\n\
                           language = \"en\" # keep English for the screenshots\n";

#[test]
fn top_bar_button_opens_settings() {
    let configured = Configured::new(&[]);
    let mut workbench = configured.start();
    click(&mut workbench, "Settings (Ctrl+,)");
    assert_eq!(workbench.screen(), Screen::Settings);
    assert!(has_text(&workbench, "Appearance"));
    assert!(has_text(&workbench, "Alerts"));
    assert!(has_text(&workbench, "Profile"));
    assert!(has_text(&workbench, "Agent: li.wei"));
}

#[test]
fn theme_applied_and_saved() {
    let configured = Configured::new(&[("ui.toml", UI_SETTINGS)]);
    let mut workbench = configured.start();
    assert_eq!(workbench.theme(), None, "no theme set follows the system");
    open_settings(&mut workbench);

    click(&mut workbench, "Dark");
    assert_eq!(workbench.theme(), None, "a choice applies once saved");
    click(&mut workbench, selector::id(ids::save_appearance()));

    assert_eq!(workbench.theme(), Some(iced::Theme::Dark));
    assert!(has_text_containing(&workbench, "Saved to "));
    let written = configured.read("ui.toml");
    assert_eq!(
        written,
        "# Interface settings of the team laptop.\n\
         language = \"en\" # keep English for the screenshots\n\
         theme = \"dark\"\n"
    );
    let choice = kefu_ui::language::choose(Some(&configured.config), |_| None);
    assert_eq!(choice.error, None);

    let restarted = configured.start();
    assert_eq!(restarted.theme(), Some(iced::Theme::Dark));
    assert!(restarted.config_errors().is_empty());

    open_settings(&mut workbench);
    click(&mut workbench, "Light");
    click(&mut workbench, selector::id(ids::save_appearance()));
    assert_eq!(workbench.theme(), Some(iced::Theme::Light));
    assert!(configured.read("ui.toml").contains("theme = \"light\"\n"));
}

#[test]
fn alert_change_rewrites_alerts_toml() {
    let example = include_str!("../../../../docs/examples/alerts.toml");
    let configured = Configured::new(&[("alerts.toml", example)]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);
    assert!(has_text(&workbench, "Everyone"), "no table of li.wei yet");

    fill(&mut workbench, ids::field(Field::ReminderAfter), "45");
    send(
        &mut workbench,
        SettingsMessage::SwitchToggled(Tier::Ordinary, Switch::Desktop, true),
    );
    click(&mut workbench, selector::id(ids::save_alerts()));

    assert!(has_text_containing(
        &workbench,
        "The new alert settings apply now."
    ));
    let written = configured.read("alerts.toml");
    assert!(written.contains("after-minutes = 45\n"), "{written}");
    assert!(!written.contains("after-minutes = 15"), "{written}");
    // Comments, the night shift's table and untouched keys stay.
    assert!(
        written.contains("# A new message from a customer.\n"),
        "{written}"
    );
    assert!(
        written.contains("[agent.night-shift.quiet-hours]"),
        "{written}"
    );
    assert!(
        written.contains("priorities = [\"high\", \"urgent\"]"),
        "{written}"
    );
    let changed_lines = example
        .lines()
        .zip(written.lines())
        .filter(|(before, after)| before != after)
        .count();
    assert_eq!(changed_lines, 2, "{written}");

    let settings = load_alerts(&configured.config, AGENT);
    assert_eq!(settings.reminder_after, chrono::Duration::minutes(45));
    assert!(settings.tier(Tier::Ordinary).effects.desktop);
    assert_eq!(settings.group_window, chrono::Duration::seconds(10));
    assert_eq!(
        workbench.alert_settings().reminder_after,
        settings.reminder_after
    );
    assert!(
        workbench
            .alert_settings()
            .tier(Tier::Ordinary)
            .effects
            .desktop
    );
}

#[test]
fn alerts_only_me_writes_agent_table() {
    let configured = Configured::new(&[]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);

    click(&mut workbench, "Only me ([agent.li.wei])");
    fill(&mut workbench, ids::field(Field::GroupWindow), "30");
    send(&mut workbench, SettingsMessage::QuietHoursToggled(true));
    fill(&mut workbench, ids::field(Field::QuietStart), "21:30");
    send(
        &mut workbench,
        SettingsMessage::SwitchToggled(Tier::Reminder, Switch::Enabled, false),
    );
    click(&mut workbench, selector::id(ids::save_alerts()));

    let written = configured.read("alerts.toml");
    assert!(written.contains("[agent.\"li.wei\"]"), "{written}");
    assert!(
        written.contains("[agent.\"li.wei\".quiet-hours]"),
        "{written}"
    );
    assert!(written.contains("[agent.\"li.wei\".reminder]"), "{written}");
    assert!(!written.contains("\n[agent]"), "{written}");

    let mine = load_alerts(&configured.config, AGENT);
    assert_eq!(mine.group_window, chrono::Duration::seconds(30));
    let quiet = mine.quiet_hours.expect("quiet hours for li.wei");
    assert_eq!(quiet.start.format("%H:%M").to_string(), "21:30");
    assert_eq!(quiet.end.format("%H:%M").to_string(), "08:00");
    assert!(!mine.tier(Tier::Reminder).enabled);

    let others = load_alerts(&configured.config, "zhang.min");
    assert_eq!(others.group_window, chrono::Duration::seconds(10));
    assert_eq!(others.quiet_hours, None);
    assert!(others.tier(Tier::Reminder).enabled);
}

#[test]
fn out_of_range_rejected_unwritten() {
    let example = include_str!("../../../../docs/examples/alerts.toml");
    let configured = Configured::new(&[("alerts.toml", example)]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);

    fill(&mut workbench, ids::field(Field::ReminderAfter), "0");
    fill(&mut workbench, ids::field(Field::GroupWindow), "99999");
    send(&mut workbench, SettingsMessage::QuietHoursToggled(true));
    fill(&mut workbench, ids::field(Field::QuietEnd), "25:00");
    click(&mut workbench, selector::id(ids::save_alerts()));

    assert!(has_text(
        &workbench,
        "Remind of an unanswered message after (minutes): \"0\" is out of range; enter a \
         whole number from 1 to 10080."
    ));
    assert!(has_text(
        &workbench,
        "Group alerts within (seconds): \"99999\" is out of range; enter a whole number \
         from 0 to 3600."
    ));
    assert!(has_text(
        &workbench,
        "Until: \"25:00\" is not a time of day; enter it as HH:MM in 24-hour time, like 22:00."
    ));
    assert!(has_text(
        &workbench,
        "Nothing was saved: correct the fields marked in red."
    ));
    assert_eq!(configured.read("alerts.toml"), example);
    assert_eq!(configured.file_names(), ["alerts.toml"]);
}

#[test]
fn out_of_range_creates_no_file() {
    let configured = Configured::new(&[]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);
    fill(&mut workbench, ids::field(Field::SlaWarningBefore), "-5");
    click(&mut workbench, selector::id(ids::save_alerts()));
    assert!(has_text_containing(
        &workbench,
        "Warn before an SLA deadline (minutes): \"-5\" is out of range"
    ));
    assert!(configured.file_names().is_empty());
}

#[test]
fn broken_alerts_toml_shows_line() {
    let broken = "group-window-seconds = 5\n\n[reminder]\nafter-minutes = = 20\n";
    let configured = Configured::new(&[("alerts.toml", broken)]);
    let mut workbench = configured.start();

    let path = configured.path("alerts.toml");
    let expected = format!("{}: line 4, column 17: ", path.display());
    let errors = workbench.config_errors();
    assert!(
        errors.iter().any(|error| error.contains(&expected)),
        "{errors:?}"
    );
    let builtin = AlertSettings::builtin(&Lifecycle::builtin());
    assert_eq!(workbench.alert_settings(), &builtin, "runs on defaults");

    open_settings(&mut workbench);
    let error = workbench
        .settings()
        .alerts_error()
        .expect("the screen reports the file");
    assert_eq!((error.line, error.column), (Some(4), Some(17)));
    assert!(has_text_containing(&workbench, &expected));
    assert!(has_text_containing(
        &workbench,
        "Saving leaves alerts.toml unchanged while it has this error"
    ));

    click(&mut workbench, selector::id(ids::save_alerts()));
    assert_eq!(
        configured.read("alerts.toml"),
        broken,
        "a save keeps the file"
    );
    assert_eq!(configured.file_names(), ["alerts.toml"]);

    fill(&mut workbench, ids::field(Field::ReminderAfter), "20");
    click(&mut workbench, selector::id(ids::replace_alerts_file()));
    let names = configured.file_names();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[0], "alerts.toml");
    assert!(names[1].starts_with("alerts.toml.broken-"), "{names:?}");
    let kept = std::fs::read_to_string(configured.path(&names[1])).expect("read the old file");
    assert_eq!(kept, broken, "the old text is kept beside the new file");
    let settings = load_alerts(&configured.config, AGENT);
    assert_eq!(settings.reminder_after, chrono::Duration::minutes(20));
    assert!(workbench.settings().alerts_error().is_none());
    assert!(has_text_containing(
        &workbench,
        "Renamed the broken file to "
    ));
}

#[test]
fn broken_ui_toml_shows_line() {
    let broken = "language = \"en\"\ntheme = dark\n";
    let configured = Configured::new(&[("ui.toml", broken)]);
    let mut workbench = configured.start();
    assert_eq!(workbench.theme(), None, "runs on the system's theme");
    let errors = workbench.config_errors();
    assert!(
        errors
            .iter()
            .any(|error| error.contains("line 2, column 9")),
        "{errors:?}"
    );

    open_settings(&mut workbench);
    let error = workbench
        .settings()
        .ui_error()
        .expect("the screen reports ui.toml");
    assert_eq!((error.line, error.column), (Some(2), Some(9)));
    let expected = format!(
        "{}: line 2, column 9: ",
        configured.path("ui.toml").display()
    );
    assert!(has_text_containing(&workbench, &expected));

    click(&mut workbench, "Dark");
    click(&mut workbench, selector::id(ids::save_appearance()));
    assert_eq!(configured.read("ui.toml"), broken, "a save keeps the file");
    assert_eq!(workbench.theme(), None);
    assert!(has_text_containing(
        &workbench,
        "Saving leaves ui.toml unchanged while it has this error"
    ));
}

#[test]
fn unknown_theme_shows_line() {
    let configured = Configured::new(&[("ui.toml", "theme = \"pink\"\n")]);
    let workbench = configured.start();
    assert_eq!(workbench.theme(), None);
    let errors = workbench.config_errors();
    assert!(
        errors
            .iter()
            .any(|error| error.contains("line 1, column 9") && error.contains("\"pink\"")),
        "{errors:?}"
    );
}

#[test]
fn profile_saved_to_database() {
    let configured = Configured::new(&[]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);
    assert!(has_text(
        &workbench,
        "The database has no agent li.wei yet. Saving adds one with this profile."
    ));

    fill(&mut workbench, ids::display_name(), &"长".repeat(81));
    click(&mut workbench, selector::id(ids::save_profile()));
    assert!(has_text_containing(
        &workbench,
        "Display name: display name"
    ));
    let store = Store::open(&configured.db).expect("open the database");
    assert_eq!(store.agent(AGENT).expect("read the agent"), None);

    fill(&mut workbench, ids::display_name(), "李伟");
    send(&mut workbench, SettingsMessage::AvailableToggled(false));
    click(&mut workbench, selector::id(ids::save_profile()));
    assert!(has_text(
        &workbench,
        "Added agent li.wei with this profile."
    ));
    let agent = store
        .agent(AGENT)
        .expect("read the agent")
        .expect("the agent was added");
    assert_eq!(agent.display_name.as_deref(), Some("李伟"));
    assert!(!agent.available);
}

/// Writes a WAV file of 0.1 s of a 440 Hz tone, 8 kHz mono 16-bit PCM, for
/// rodio's decoder to read.
fn write_wav(path: &Path) {
    const RATE: u32 = 8_000;
    let samples: Vec<i16> = (0..RATE / 10)
        .map(|index| {
            let phase = index as f32 * 440.0 * std::f32::consts::TAU / RATE as f32;
            (phase.sin() * 8_000.0) as i16
        })
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&RATE.to_le_bytes());
    bytes.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    bytes.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    bytes.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).expect("create the sound folder");
    }
    std::fs::write(path, bytes).expect("write the WAV file");
}

#[test]
fn sound_file_and_important_saved() {
    let example = include_str!("../../../../docs/examples/alerts.toml");
    let configured = Configured::new(&[("alerts.toml", example)]);
    write_wav(&configured.path("sounds/ding.wav"));
    let mut workbench = configured.start();
    open_settings(&mut workbench);

    fill(
        &mut workbench,
        ids::field(Field::SoundFile),
        "sounds/ding.wav",
    );
    click(&mut workbench, selector::id(ids::important("normal")));
    click(&mut workbench, selector::id(ids::important("urgent")));
    click(&mut workbench, selector::id(ids::save_alerts()));

    assert!(has_text_containing(
        &workbench,
        "The new alert settings apply now."
    ));
    let written = configured.read("alerts.toml");
    assert!(
        written.contains("sound-file = \"sounds/ding.wav\"\n"),
        "{written}"
    );
    assert!(
        written.contains("priorities = [\"normal\", \"high\"]\n"),
        "{written}"
    );
    // The commented example line and the other tables stay.
    assert!(
        written.contains("# sound-file = \"sounds/ding.wav\"\n"),
        "{written}"
    );
    assert!(
        written.contains("[agent.night-shift.quiet-hours]"),
        "{written}"
    );

    let settings = load_alerts(&configured.config, AGENT);
    assert_eq!(
        settings.sound,
        Sound::File(configured.path("sounds/ding.wav"))
    );
    assert_eq!(settings.important_priorities, ["normal", "high"]);
    assert_eq!(workbench.alert_settings().sound, settings.sound);
    assert_eq!(
        workbench.alert_settings().important_priorities,
        settings.important_priorities
    );

    // Emptying the field goes back to the built-in sound.
    fill(&mut workbench, ids::field(Field::SoundFile), "");
    click(&mut workbench, selector::id(ids::save_alerts()));
    let written = configured.read("alerts.toml");
    assert!(
        !written.contains("\nsound-file = \"sounds/ding.wav\""),
        "{written}"
    );
    assert_eq!(load_alerts(&configured.config, AGENT).sound, Sound::Builtin);
}

#[test]
fn unplayable_sound_file_rejected_unwritten() {
    let example = include_str!("../../../../docs/examples/alerts.toml");
    let configured = Configured::new(&[("alerts.toml", example), ("notes.txt", "不是声音\n")]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);
    let missing = configured.path("sounds/none.wav");
    let text_file = configured.path("notes.txt");
    let cases = [
        (
            "sounds/none.wav",
            format!("Sound file {} cannot be played: ", missing.display()),
        ),
        (
            "notes.txt",
            format!(
                "Sound file {} cannot be played: not a WAV or Ogg Vorbis file",
                text_file.display()
            ),
        ),
    ];

    for (value, expected) in cases {
        fill(&mut workbench, ids::field(Field::SoundFile), value);
        click(&mut workbench, selector::id(ids::save_alerts()));

        assert!(
            has_text_containing(&workbench, &expected),
            "{value}: {expected}"
        );
        assert!(
            has_text_containing(&workbench, "leave the field empty for the built-in sound."),
            "{value}"
        );
        assert!(has_text(
            &workbench,
            "Nothing was saved: correct the fields marked in red."
        ));
        assert_eq!(configured.read("alerts.toml"), example, "{value}");
    }
    assert_eq!(configured.file_names(), ["alerts.toml", "notes.txt"]);
}

#[test]
fn time_zone_saved_to_sla_toml() {
    let example = include_str!("../../../../docs/examples/sla.toml");
    let configured = Configured::new(&[("sla.toml", example)]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);
    assert_eq!(
        workbench.settings().time_zone(),
        Some(chrono_tz::Asia::Shanghai)
    );

    fill(&mut workbench, ids::time_zone(), "Europe/Berlin");
    click(&mut workbench, selector::id(ids::save_time_zone()));

    let path = configured.path("sla.toml");
    let line = format!(
        "Saved time zone Europe/Berlin to {}. Reports and SLA deadlines use it after Kefu \
         restarts.",
        path.display()
    );
    assert!(has_text(&workbench, &line), "{line}");
    let written = configured.read("sla.toml");
    let changed: Vec<(&str, &str)> = example
        .lines()
        .zip(written.lines())
        .filter(|(before, after)| before != after)
        .collect();
    assert_eq!(
        changed,
        [(
            "time-zone = \"Asia/Shanghai\"",
            "time-zone = \"Europe/Berlin\""
        )]
    );
    assert_eq!(example.lines().count(), written.lines().count());
    let loaded = SlaConfig::load(&path).expect("sla.toml is valid");
    assert_eq!(loaded.calendar().time_zone(), chrono_tz::Europe::Berlin);
    assert_eq!(
        loaded.rules(),
        SlaConfig::parse(example, "example").unwrap().rules()
    );
    assert_eq!(
        workbench.settings().time_zone(),
        Some(chrono_tz::Europe::Berlin)
    );
}

#[test]
fn time_zone_creates_sla_toml() {
    let configured = Configured::new(&[]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);
    assert_eq!(
        workbench.settings().time_zone(),
        Some(chrono_tz::Asia::Shanghai)
    );

    fill(&mut workbench, ids::time_zone(), "UTC");
    click(&mut workbench, selector::id(ids::save_time_zone()));

    assert_eq!(configured.file_names(), ["sla.toml"]);
    let loaded = SlaConfig::load(&configured.path("sla.toml")).expect("sla.toml is valid");
    assert_eq!(loaded.calendar().time_zone(), chrono_tz::UTC);
    // The built-in hours and targets come along.
    assert_eq!(loaded.rules(), SlaConfig::builtin().rules());
}

#[test]
fn unknown_time_zone_rejected_unwritten() {
    let example = include_str!("../../../../docs/examples/sla.toml");
    let configured = Configured::new(&[("sla.toml", example)]);
    let mut workbench = configured.start();
    open_settings(&mut workbench);

    fill(&mut workbench, ids::time_zone(), "Asia/Beijing");
    click(&mut workbench, selector::id(ids::save_time_zone()));

    assert!(has_text(
        &workbench,
        "Time zone: \"Asia/Beijing\" is not an IANA time zone; enter a name like Asia/Shanghai \
         or UTC."
    ));
    assert_eq!(configured.read("sla.toml"), example);
    assert_eq!(configured.file_names(), ["sla.toml"]);

    // Without a file, nothing is created either.
    let empty = Configured::new(&[]);
    let mut workbench = empty.start();
    open_settings(&mut workbench);
    fill(&mut workbench, ids::time_zone(), "");
    click(&mut workbench, selector::id(ids::save_time_zone()));
    assert!(has_text(
        &workbench,
        "Time zone: \"\" is not an IANA time zone; enter a name like Asia/Shanghai or UTC."
    ));
    assert!(empty.file_names().is_empty());
}
