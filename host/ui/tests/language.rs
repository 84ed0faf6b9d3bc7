//! The workbench in each UI language, chosen the way the app chooses it at
//! start-up: `ui.toml` in the configuration folder, else the locale. The
//! views run headlessly with `iced_test` on a real SQLite database.
//!
//! The language is process-wide, so these tests run one at a time under
//! [`LANGUAGE`], in their own test binary apart from the English workbench
//! tests.

#[allow(dead_code)]
#[path = "workbench/seed.rs"]
mod seed;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use iced_test::selector::{self, Bounded, Candidate};
use iced_test::{Selector, Simulator};
use kefu_core::Store;
use kefu_ui::language::{self, Language};
use kefu_ui::{Message, Screen, Workbench, settings_screen, todo_ids};
use tempfile::TempDir;

/// Size of the simulated window, the default size of the real one.
const WINDOW_SIZE: (f32, f32) = (1280.0, 800.0);

/// Held by each test while it sets the language and reads the views.
static LANGUAGE: Mutex<()> = Mutex::new(());

/// A workbench started on the sample data, with the language chosen from
/// an optional `ui.toml` and an optional `LANG`.
struct Started {
    _folder: TempDir,
    config: PathBuf,
    sample: seed::Sample,
    workbench: Workbench,
    choice: language::Choice,
    _guard: MutexGuard<'static, ()>,
}

impl Started {
    fn new(settings: Option<&str>, lang: Option<&str>) -> Self {
        let guard = LANGUAGE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let db = folder.path().join("kefu.db");
        let mut store = Store::open(&db).expect("open the test database");
        let sample = seed::seed_sample(&mut store).expect("store the sample");
        drop(store);
        let config = folder.path().join("config");
        std::fs::create_dir(&config).expect("create the configuration folder");
        if let Some(settings) = settings {
            std::fs::write(config.join("ui.toml"), settings).expect("write ui.toml");
        }
        let lang = lang.map(str::to_string);
        let choice = language::choose(Some(&config), |name| {
            if name == "LANG" { lang.clone() } else { None }
        });
        language::set(choice.language);
        let (workbench, _task) = Workbench::start(&db, None, Some(&config));
        Self {
            _folder: folder,
            config,
            sample,
            workbench,
            choice,
            _guard: guard,
        }
    }

    fn simulator(&self) -> Simulator<'_, Message> {
        Simulator::with_size(kefu_ui::settings(), WINDOW_SIZE, self.workbench.view())
    }

    fn has_text(&self, content: &str) -> bool {
        self.simulator().find(content).is_ok()
    }

    /// Returns true when a text widget contains `part`.
    fn has_text_containing(&self, part: &str) -> bool {
        let mut found = false;
        let _ = self.simulator().find(|candidate: Candidate<'_>| {
            if let Candidate::Text { content, .. } = candidate
                && content.contains(part)
            {
                found = true;
            }
            None::<()>
        });
        found
    }

    /// Clicks the widget that `target` selects and feeds the resulting
    /// messages to `update`, as the runtime does.
    fn click<S>(&mut self, target: S)
    where
        S: Selector + Send,
        S::Output: Bounded + Clone + Send + Sync + 'static,
    {
        let description = target.description();
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            if let Err(error) = ui.click(target) {
                panic!("clicking {description} failed: {error}");
            }
            ui.into_messages().collect()
        };
        assert!(
            !messages.is_empty(),
            "clicking {description} produced no message"
        );
        for message in messages {
            let _task = self.workbench.update(message);
        }
    }

    fn assert_shows(&self, labels: &[&str]) {
        for label in labels {
            assert!(self.has_text(label), "the view lacks {label:?}");
        }
    }

    fn assert_lacks(&self, labels: &[&str]) {
        for label in labels {
            assert!(!self.has_text(label), "the view shows {label:?}");
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // The next test, or a test binary's other code, starts from the
        // library's default.
        language::set(Language::English);
    }
}

/// Labels of the workbench's first view in English, with the summary of
/// the sample's four conversations.
const ENGLISH_WORKBENCH: [&str; 7] = [
    "Refresh",
    "Conversations",
    "Tickets",
    "Unanswered",
    "Select a conversation to read its messages.",
    "4 conversations, 1 unanswered, 3 tickets",
    "To-do (Ctrl+T)",
];

/// The same labels in Simplified Chinese.
const CHINESE_WORKBENCH: [&str; 7] = [
    "刷新",
    "会话",
    "工单",
    "待回复",
    "选择一个会话以查看消息。",
    "4 个会话，1 个待回复，3 个工单",
    "待办（Ctrl+T）",
];

#[test]
fn chinese_setting_shows_chinese_workbench() {
    let started = Started::new(Some("language = \"zh-CN\"\n"), Some("en_US.UTF-8"));

    assert_eq!(started.choice.language, Language::SimplifiedChinese);
    assert_eq!(started.choice.error, None);
    started.assert_shows(&CHINESE_WORKBENCH);
    started.assert_lacks(&ENGLISH_WORKBENCH);
    // Ticket statuses come from the lifecycle's Chinese labels.
    started.assert_shows(&["未处理", "邮件"]);
    assert!(started.workbench.config_errors().is_empty());
}

#[test]
fn chinese_todo_screen() {
    let mut started = Started::new(Some("language = \"zh-CN\"\n"), None);

    started.click("待办（Ctrl+T）");
    assert_eq!(started.workbench.screen(), Screen::Todo);
    started.assert_shows(&[
        "筛选：",
        "所有人",
        "我的",
        "未分配",
        "3 个未完成工单",
        "优先级",
    ]);
    started.assert_lacks(&["Filters:", "Everyone"]);

    // The detail column: field lines with the lifecycle's labels, and the
    // history with the kind of each event.
    let ticket = started.sample.refund_ticket;
    started.click(selector::id(todo_ids::row(ticket)));
    started.assert_shows(&[
        "历史记录",
        "工时记录（0 分钟）",
        "没有备注。",
        "状态：未处理",
    ]);
    assert!(
        started.has_text_containing("创建工单"),
        "the history lacks the creation"
    );
    assert!(!started.has_text_containing("created"));
}

#[test]
fn chinese_locale_without_setting() {
    let started = Started::new(None, Some("zh_CN.UTF-8"));

    assert_eq!(started.choice.language, Language::SimplifiedChinese);
    started.assert_shows(&CHINESE_WORKBENCH);
}

#[test]
fn english_setting_overrides_chinese_locale() {
    let started = Started::new(Some("language = \"en\"\n"), Some("zh_CN.UTF-8"));

    assert_eq!(started.choice.language, Language::English);
    started.assert_shows(&ENGLISH_WORKBENCH);
    started.assert_lacks(&CHINESE_WORKBENCH);
    started.assert_shows(&["Open", "Email"]);
}

#[test]
fn invalid_language_runs_in_english_with_error() {
    let started = Started::new(Some("language = \"fr\"\n"), Some("zh_CN.UTF-8"));

    assert_eq!(started.choice.language, Language::English);
    started.assert_shows(&ENGLISH_WORKBENCH);
    let expected = format!(
        "Invalid language \"fr\" in {}: choose \"en\", \"zh-CN\" or \"system\". Kefu runs in \
         English until the file is fixed and Kefu restarted.",
        started.config.join("ui.toml").display()
    );
    assert_eq!(started.choice.error.as_deref(), Some(expected.as_str()));
    assert_eq!(started.workbench.config_errors(), vec![expected.as_str()]);
    assert!(started.has_text(&expected), "the view lacks the error line");
}

#[test]
fn unreadable_settings_run_in_english() {
    let started = Started::new(Some("language = [\"zh-CN\"]\n"), Some("zh_CN.UTF-8"));

    assert_eq!(started.choice.language, Language::English);
    let error = started.choice.error.clone().expect("an error line");
    assert!(error.starts_with("Invalid UI settings in "), "{error}");
    started.assert_shows(&ENGLISH_WORKBENCH);
    assert!(started.has_text(&error), "the view lacks {error:?}");
}

#[test]
fn settings_language_switch_applies_live() {
    let mut started = Started::new(
        Some("# Set by the team lead.\nlanguage = \"en\"\n"),
        Some("en_US.UTF-8"),
    );
    started.click("Settings (Ctrl+,)");
    assert_eq!(started.workbench.screen(), Screen::Settings);

    started.click("简体中文");
    started.click(selector::id(settings_screen::ids::save_appearance()));

    assert_eq!(language::current(), Language::SimplifiedChinese);
    started.assert_shows(&["设置", "外观", "提醒", "个人资料", "深色", "工作台"]);
    started.assert_lacks(&["Appearance", "Workbench"]);
    let written = std::fs::read_to_string(started.config.join("ui.toml")).expect("read ui.toml");
    assert_eq!(
        written,
        "# Set by the team lead.\nlanguage = \"zh-CN\"\ntheme = \"system\"\n"
    );
    let choice = language::choose(Some(&started.config), |_| Some("en_US.UTF-8".into()));
    assert_eq!(choice.language, Language::SimplifiedChinese);

    started.click("工作台");
    started.assert_shows(&CHINESE_WORKBENCH);

    // "Same as the system" follows the process's locale at once.
    started.click("设置（Ctrl+,）");
    let system = settings_screen::LanguageChoice::System;
    let _task = started.workbench.update(Message::Settings(
        settings_screen::Message::LanguageSelected(system),
    ));
    started.click(selector::id(settings_screen::ids::save_appearance()));
    let written = std::fs::read_to_string(started.config.join("ui.toml")).expect("read ui.toml");
    assert!(written.contains("language = \"system\"\n"), "{written}");
    let locale = language::choose(None, |name| std::env::var(name).ok());
    assert_eq!(language::current(), locale.language);
}

#[test]
fn lines_shown_before_language_switch_follow_it() {
    let mut started = Started::new(Some("language = \"en\"\n"), Some("en_US.UTF-8"));
    started.click("Settings (Ctrl+,)");
    for message in [
        settings_screen::Message::TimeZoneEdited("Asia/Beijing".into()),
        settings_screen::Message::SaveTimeZone,
    ] {
        let _task = started.workbench.update(Message::Settings(message));
    }
    let english = [
        "Time zone: \"Asia/Beijing\" is not an IANA time zone; enter a name like Asia/Shanghai \
         or UTC.",
        "Nothing was saved: correct the fields marked in red.",
    ];
    started.assert_shows(&english);

    started.click("简体中文");
    started.click(selector::id(settings_screen::ids::save_appearance()));

    assert_eq!(language::current(), Language::SimplifiedChinese);
    started.assert_shows(&[
        "时区：“Asia/Beijing”不是 IANA 时区；请输入 Asia/Shanghai 或 UTC 这样的名称。",
        "未保存任何内容：请更正标红的字段。",
    ]);
    started.assert_lacks(&english);
}
