use std::path::Path;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::*;
use crate::Store;
use crate::lifecycle::Lifecycle;
use crate::model::{Automation, AutomationKind, Channel, Direction, IncomingMessage, Party};
use crate::store::NewTicket;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid RFC 3339 time")
        .with_timezone(&Utc)
}

fn parse(text: &str, agent: &str) -> Result<AlertSettings, AlertConfigError> {
    AlertSettings::parse(
        text,
        Path::new("/config/alerts.toml"),
        Path::new("/config"),
        agent,
        &Lifecycle::builtin(),
    )
}

fn parse_error(text: &str) -> AlertConfigError {
    parse(text, "lin").expect_err("the file must be rejected")
}

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").expect("a valid time")
}

/// Settings with a known time zone, so quiet hours do not depend on the
/// machine running the test.
fn settings() -> AlertSettings {
    let mut settings = AlertSettings::builtin(&Lifecycle::builtin());
    settings.time_zone = Some(chrono_tz::Asia::Shanghai);
    settings
}

fn message(id: i64, conversation_id: i64, customer: &str, at: DateTime<Utc>) -> NewMessage {
    NewMessage {
        id,
        conversation_id,
        ticket_id: None,
        customer: customer.to_string(),
        vip: false,
        priority: None,
        text: format!("message {id}"),
        at,
        stored_at: at,
    }
}

fn messages(list: Vec<NewMessage>) -> AlertInput {
    let newest_message_id = list.iter().map(|m| m.id).max().unwrap_or(0);
    AlertInput {
        messages: list,
        newest_message_id,
        ..AlertInput::default()
    }
}

// --- alerts.toml -----------------------------------------------------------

#[test]
fn builtin_settings_tiers() {
    let settings = AlertSettings::builtin(&Lifecycle::builtin());
    let ordinary = settings.tier(Tier::Ordinary).effects;
    assert!(ordinary.toast);
    assert!(ordinary.attention);
    assert!(!ordinary.desktop);
    assert!(!ordinary.sound);
    let important = settings.tier(Tier::Important).effects;
    assert!(important.desktop);
    assert!(important.sound);
    assert!(settings.tier(Tier::Reminder).effects.desktop);
    assert!(!settings.tier(Tier::Reminder).effects.sound);
    assert!(settings.tier(Tier::SlaBreach).effects.sound);
    assert_eq!(settings.important_priorities, ["high", "urgent"]);
    assert_eq!(settings.group_window, Duration::seconds(10));
    assert_eq!(settings.quiet_hours, None);
    assert_eq!(settings.sound, Sound::Builtin);
}

#[test]
fn missing_file_means_builtin() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let settings = AlertSettings::load(folder.path(), "lin", &Lifecycle::builtin())
        .expect("a missing file is not an error");
    assert_eq!(settings, AlertSettings::builtin(&Lifecycle::builtin()));
}

#[test]
fn example_file_parses() {
    let text = include_str!("../../../../docs/examples/alerts.toml");
    let settings = parse(text, "nobody").expect("the example must parse");
    assert_eq!(
        settings.quiet_hours,
        Some(QuietHours {
            start: time("22:00"),
            end: time("08:00")
        })
    );
    let night = parse(text, "night-shift").expect("the example must parse");
    assert_eq!(night.agent.as_deref(), Some("night-shift"));
    assert_eq!(night.quiet_hours, None);
}

#[test]
fn agent_table_overrides_top_level() {
    let text = "group-window-seconds = 30\n\
                [quiet-hours]\nstart = \"22:00\"\nend = \"07:00\"\n\
                [important]\nsound = false\n\
                [agent.lin]\ngroup-window-seconds = 5\n\
                [agent.lin.quiet-hours]\nend = \"06:30\"\n\
                [agent.lin.ordinary]\nenabled = false\n";
    let lin = parse(text, "lin").expect("valid file");
    assert_eq!(lin.agent.as_deref(), Some("lin"));
    assert_eq!(lin.group_window, Duration::seconds(5));
    assert_eq!(
        lin.quiet_hours,
        Some(QuietHours {
            start: time("22:00"),
            end: time("06:30")
        })
    );
    assert!(!lin.tier(Tier::Ordinary).enabled);
    assert!(!lin.tier(Tier::Important).effects.sound);

    let wang = parse(text, "wang").expect("valid file");
    assert_eq!(wang.agent, None);
    assert_eq!(wang.group_window, Duration::seconds(30));
    assert!(wang.tier(Tier::Ordinary).enabled);
    assert_eq!(wang.quiet_hours.map(|quiet| quiet.end), Some(time("07:00")));
}

#[test]
fn quiet_hours_bad_time_names_line_and_value() {
    let error = parse_error("# team settings\n[quiet-hours]\nstart = \"25:00\"\nend = \"08:00\"\n");
    assert_eq!(error.line, Some(3));
    let message = error.to_string();
    assert!(message.contains("line 3"), "{message}");
    assert!(
        message.contains("quiet-hours.start = \"25:00\""),
        "{message}"
    );
    assert!(message.contains("HH:MM"), "{message}");
}

#[test]
fn quiet_hours_need_both_ends() {
    let message = parse_error("[quiet-hours]\nstart = \"22:00\"\n").to_string();
    assert!(message.contains("needs both start and end"), "{message}");
}

#[test]
fn quiet_hours_empty_range_rejected() {
    let message = parse_error("[quiet-hours]\nstart = \"22:00\"\nend = \"22:00\"\n").to_string();
    assert!(message.contains("both 22:00"), "{message}");
}

#[test]
fn group_window_out_of_range() {
    let error = parse_error("\ngroup-window-seconds = -5\n");
    assert_eq!(error.line, Some(2));
    assert!(
        error.message.contains("group-window-seconds = -5"),
        "{error}"
    );
}

#[test]
fn unknown_key_names_line() {
    let message = parse_error("[ordinary]\nenabled = true\nflash = true\n").to_string();
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("flash"), "{message}");
}

#[test]
fn syntax_error_names_line_and_column() {
    let error = parse_error("group-window-seconds = 10\n[reminder]\nafter-minutes = = 5\n");
    assert_eq!(error.line, Some(3));
    assert_eq!(error.column, Some(17));
    let message = error.to_string();
    assert!(
        message.starts_with("/config/alerts.toml: line 3, column 17: "),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}

#[test]
fn value_error_names_column() {
    let error = parse_error("[reminder]\n  after-minutes = 0\n");
    assert_eq!(error.line, Some(2));
    assert_eq!(error.column, Some(19));
}

#[test]
fn wrong_type_names_line() {
    let message = parse_error("[important]\nsound = \"yes\"\n").to_string();
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn unknown_priority_lists_allowed() {
    let error = parse_error("[important]\npriorities = [\"high\", \"critical\"]\n");
    assert_eq!(error.line, Some(2));
    assert!(error.message.contains("\"critical\""), "{error}");
    assert!(error.message.contains("normal, high, urgent"), "{error}");
}

#[test]
fn misplaced_tier_key_rejected() {
    let error = parse_error("[ordinary]\nafter-minutes = 5\n");
    assert_eq!(error.line, Some(2));
    assert!(error.message.contains("[reminder]"), "{error}");
}

#[test]
fn reminder_minutes_out_of_range() {
    let error = parse_error("[reminder]\nafter-minutes = 0\n");
    assert!(
        error.message.contains("reminder.after-minutes = 0"),
        "{error}"
    );
}

#[test]
fn bad_time_zone_names_value() {
    let error = parse_error("time-zone = \"Mars/Olympus\"\n");
    assert_eq!(error.line, Some(1));
    assert!(error.message.contains("\"Mars/Olympus\""), "{error}");
}

#[test]
fn sound_file_resolved_from_config_folder() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    std::fs::write(folder.path().join("ding.wav"), b"RIFF").expect("write the sound file");
    std::fs::write(
        folder.path().join(config::FILE_NAME),
        "sound-file = \"ding.wav\"\n",
    )
    .expect("write alerts.toml");
    let settings =
        AlertSettings::load(folder.path(), "lin", &Lifecycle::builtin()).expect("valid file");
    assert_eq!(settings.sound, Sound::File(folder.path().join("ding.wav")));
}

#[test]
fn missing_sound_file_rejected() {
    let error = parse_error("sound-file = \"sounds/none.wav\"\n");
    assert_eq!(error.line, Some(1));
    assert!(error.message.contains("\"sounds/none.wav\""), "{error}");
    assert!(error.message.contains("/config/sounds/none.wav"), "{error}");
}

#[test]
fn other_agents_table_checked_too() {
    let error = parse_error("[agent.wang.reminder]\nafter-minutes = 99999\n");
    assert_eq!(error.line, Some(2));
}

// --- the policy -------------------------------------------------------------

#[test]
fn ordinary_message_toasts_and_flashes() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let alerts = policy.observe(messages(vec![message(1, 10, "赵敏", now)]), now);
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.tier, Tier::Ordinary);
    assert!(alert.effects.toast);
    assert!(alert.effects.attention);
    assert!(!alert.effects.desktop);
    assert!(!alert.effects.sound);
    assert_eq!(alert.conversation_id(), Some(10));
    assert_eq!(alert.count, 1);
}

#[test]
fn vip_message_is_important() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let mut vip = message(1, 10, "王总", now);
    vip.vip = true;
    let alerts = policy.observe(messages(vec![vip]), now);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].tier, Tier::Important);
    assert!(alerts[0].effects.desktop);
    assert!(alerts[0].effects.sound);
}

#[test]
fn high_priority_message_is_important() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let mut urgent = message(1, 10, "李娜", now);
    urgent.priority = Some("urgent".to_string());
    let mut normal = message(2, 11, "张伟", now);
    normal.priority = Some("normal".to_string());
    let alerts = policy.observe(messages(vec![urgent, normal]), now);
    let tiers: Vec<Tier> = alerts.iter().map(|alert| alert.tier).collect();
    assert_eq!(tiers, [Tier::Ordinary, Tier::Important]);
}

#[test]
fn burst_in_one_poll_is_one_alert() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let burst = (1..=50)
        .map(|id| message(id, 100 + id % 5, "客户", now + Duration::seconds(id)))
        .collect();
    let alerts = policy.observe(messages(burst), now);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].count, 50);
    assert_eq!(alerts[0].entries.len(), 5, "one entry per conversation");
    assert!(alerts[0].entries.iter().all(|entry| entry.count == 10));
    // The most recent conversation comes first: message 50 is in 100.
    assert_eq!(alerts[0].conversation_id(), Some(100));
}

#[test]
fn burst_across_polls_held_until_window_ends() {
    let start = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let first = policy.observe(messages(vec![message(1, 10, "a", start)]), start);
    assert_eq!(first.len(), 1, "the first alert shows at once");
    let mut raised = Vec::new();
    for second in 1..10 {
        let now = start + Duration::seconds(second);
        let input = messages(vec![message(1 + second, 10 + second, "b", now)]);
        raised.extend(policy.observe(input, now));
    }
    assert!(raised.is_empty(), "alerts inside the window are held");
    assert_eq!(policy.next_flush(), Some(start + Duration::seconds(10)));
    let update = policy.flush(start + Duration::seconds(10));
    assert_eq!(update.len(), 1, "the held alerts show as one");
    assert_eq!(update[0].updates, Some(first[0].id));
    assert_eq!(update[0].count, 10, "the update counts the whole burst");
    assert_eq!(update[0].entries.len(), 10);
    assert!(policy.flush(start + Duration::seconds(60)).is_empty());
    assert_eq!(policy.next_flush(), None);
}

#[test]
fn update_shows_latest_text_within_one_second() {
    let start = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let first = policy.observe(messages(vec![message(1, 10, "王总", start)]), start);
    assert_eq!(first[0].entries[0].text, "message 1");
    // Stored times have whole seconds, so both messages carry the same time.
    let later = message(2, 10, "王总", start);
    assert!(
        policy
            .observe(messages(vec![later]), start + Duration::seconds(1))
            .is_empty()
    );
    let update = policy.flush(start + Duration::seconds(10));
    assert_eq!(update[0].updates, Some(first[0].id));
    assert_eq!(update[0].entries[0].count, 2);
    assert_eq!(update[0].entries[0].text, "message 2");
}

#[test]
fn update_is_silent() {
    let start = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let mut vip = message(1, 10, "王总", start);
    vip.vip = true;
    let first = policy.observe(messages(vec![vip.clone()]), start);
    assert!(first[0].effects.sound);
    vip.id = 2;
    let later = start + Duration::seconds(3);
    assert!(policy.observe(messages(vec![vip]), later).is_empty());
    let update = policy.flush(start + Duration::seconds(10));
    assert_eq!(update[0].updates, Some(first[0].id));
    assert_eq!(update[0].entries.len(), 1, "one conversation");
    assert_eq!(update[0].entries[0].count, 2);
    assert!(!update[0].effects.sound);
    assert!(!update[0].effects.attention);
    assert!(update[0].effects.desktop);
}

#[test]
fn slow_poll_keeps_burst_together() {
    let start = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let first = policy.observe(messages(vec![message(1, 10, "a", start)]), start);
    // Stored one second after the first alert, read by a poll that came
    // long after the window ended.
    let stored = start + Duration::seconds(1);
    let late_poll = start + Duration::seconds(30);
    let alerts = policy.observe(messages(vec![message(2, 10, "a", stored)]), late_poll);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].updates, Some(first[0].id));
    assert_eq!(alerts[0].count, 2);
}

#[test]
fn quiet_window_ends_chain() {
    let start = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    policy.observe(messages(vec![message(1, 10, "a", start)]), start);
    let later = start + Duration::seconds(11);
    let alerts = policy.observe(messages(vec![message(2, 11, "b", later)]), later);
    assert_eq!(alerts.len(), 1, "a message after the window shows at once");
    assert_eq!(alerts[0].updates, None);
    assert_eq!(alerts[0].count, 1);
}

#[test]
fn zero_window_raises_every_poll() {
    let start = at("2026-12-05T03:00:00Z");
    let mut settings = settings();
    settings.group_window = Duration::zero();
    let mut policy = AlertPolicy::new(settings, 0);
    let first = policy.observe(messages(vec![message(1, 10, "a", start)]), start);
    let second = policy.observe(messages(vec![message(2, 11, "b", start)]), start);
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1);
}

#[test]
fn tiers_grouped_separately() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    policy.observe(messages(vec![message(1, 10, "a", now)]), now);
    let mut vip = message(2, 11, "b", now);
    vip.vip = true;
    let later = now + Duration::seconds(1);
    let alerts = policy.observe(messages(vec![vip]), later);
    assert_eq!(
        alerts.len(),
        1,
        "an ordinary alert does not hold an important one"
    );
    assert_eq!(alerts[0].tier, Tier::Important);
}

#[test]
fn same_message_alerts_once() {
    let now = at("2026-12-05T03:00:00Z");
    let mut settings = settings();
    settings.group_window = Duration::zero();
    let mut policy = AlertPolicy::new(settings, 0);
    let input = messages(vec![message(1, 10, "a", now)]);
    assert_eq!(policy.observe(input.clone(), now).len(), 1);
    assert!(
        policy
            .observe(input, now + Duration::seconds(30))
            .is_empty()
    );
}

#[test]
fn messages_before_start_ignored() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 7);
    let alerts = policy.observe(messages(vec![message(7, 10, "a", now)]), now);
    assert!(alerts.is_empty());
}

#[test]
fn unread_messages_counted() {
    let now = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let mut input = messages(vec![message(1, 10, "a", now)]);
    input.more_messages = 300;
    input.newest_message_id = 301;
    let alerts = policy.observe(input, now);
    assert_eq!(alerts[0].count, 301);
    assert_eq!(policy.last_message_id(), 301);
}

#[test]
fn disabled_important_falls_back_to_ordinary() {
    let now = at("2026-12-05T03:00:00Z");
    let mut settings = settings();
    settings.tiers[Tier::Important.index()].enabled = false;
    let mut policy = AlertPolicy::new(settings, 0);
    let mut vip = message(1, 10, "王总", now);
    vip.vip = true;
    let alerts = policy.observe(messages(vec![vip]), now);
    assert_eq!(alerts[0].tier, Tier::Ordinary);
}

#[test]
fn disabled_ordinary_raises_nothing() {
    let now = at("2026-12-05T03:00:00Z");
    let mut settings = settings();
    settings.tiers[Tier::Ordinary.index()].enabled = false;
    let mut policy = AlertPolicy::new(settings, 0);
    assert!(
        policy
            .observe(messages(vec![message(1, 10, "a", now)]), now)
            .is_empty()
    );
}

fn unanswered(conversation_id: i64, message_id: i64, since: DateTime<Utc>) -> AlertInput {
    AlertInput {
        unanswered: vec![Unanswered {
            conversation_id,
            ticket_id: None,
            message_id,
            customer: "赵敏".to_string(),
            text: "还在吗？".to_string(),
            since,
        }],
        ..AlertInput::default()
    }
}

#[test]
fn reminder_after_threshold_once() {
    let since = at("2026-12-05T03:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let early = since + Duration::minutes(14);
    assert!(policy.observe(unanswered(10, 5, since), early).is_empty());
    let due = since + Duration::minutes(15);
    let alerts = policy.observe(unanswered(10, 5, since), due);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].tier, Tier::Reminder);
    assert!(alerts[0].effects.desktop);
    let later = since + Duration::hours(2);
    assert!(policy.observe(unanswered(10, 5, since), later).is_empty());
}

#[test]
fn reminder_again_for_next_message() {
    let since = at("2026-12-05T03:00:00Z");
    let mut settings = settings();
    settings.group_window = Duration::zero();
    let mut policy = AlertPolicy::new(settings, 0);
    let due = since + Duration::minutes(20);
    assert_eq!(policy.observe(unanswered(10, 5, since), due).len(), 1);
    let next = since + Duration::minutes(30);
    let alerts = policy.observe(unanswered(10, 6, next), next + Duration::minutes(15));
    assert_eq!(alerts.len(), 1);
}

fn deadline(ticket_id: i64, due: DateTime<Utc>) -> Deadline {
    Deadline {
        ticket_id,
        conversation_id: ticket_id * 10,
        customer: "张伟".to_string(),
        text: "退款申请".to_string(),
        kind: DeadlineKind::FirstResponse,
        due,
    }
}

fn deadlines(list: Vec<Deadline>) -> AlertInput {
    AlertInput {
        deadlines: list,
        ..AlertInput::default()
    }
}

#[test]
fn sla_warning_then_breach_once_each() {
    let due = at("2026-12-05T04:00:00Z");
    let mut settings = settings();
    settings.group_window = Duration::zero();
    let mut policy = AlertPolicy::new(settings, 0);
    let far = due - Duration::minutes(31);
    assert!(
        policy
            .observe(deadlines(vec![deadline(1, due)]), far)
            .is_empty()
    );
    let near = due - Duration::minutes(30);
    let warning = policy.observe(deadlines(vec![deadline(1, due)]), near);
    assert_eq!(warning.len(), 1);
    assert_eq!(warning[0].tier, Tier::SlaWarning);
    assert_eq!(warning[0].entries[0].due, Some(due));
    let nearer = due - Duration::minutes(5);
    assert!(
        policy
            .observe(deadlines(vec![deadline(1, due)]), nearer)
            .is_empty()
    );
    let breach = policy.observe(deadlines(vec![deadline(1, due)]), due);
    assert_eq!(breach.len(), 1);
    assert_eq!(breach[0].tier, Tier::SlaBreach);
    assert!(breach[0].effects.sound);
    let after = due + Duration::hours(1);
    assert!(
        policy
            .observe(deadlines(vec![deadline(1, due)]), after)
            .is_empty()
    );
}

#[test]
fn changed_deadline_warns_again() {
    let due = at("2026-12-05T04:00:00Z");
    let mut settings = settings();
    settings.group_window = Duration::zero();
    let mut policy = AlertPolicy::new(settings, 0);
    let now = due - Duration::minutes(10);
    assert_eq!(
        policy.observe(deadlines(vec![deadline(1, due)]), now).len(),
        1
    );
    let moved = due + Duration::minutes(5);
    assert_eq!(
        policy
            .observe(deadlines(vec![deadline(1, moved)]), now)
            .len(),
        1
    );
}

#[test]
fn passed_deadlines_at_start_skipped() {
    let now = at("2026-12-05T04:00:00Z");
    let mut policy = AlertPolicy::new(settings(), 0);
    let old = deadline(1, now - Duration::days(3));
    let near = deadline(2, now + Duration::minutes(10));
    policy.skip_passed_deadlines(&[old.clone(), near.clone()], now);
    let alerts = policy.observe(deadlines(vec![old, near]), now);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].tier, Tier::SlaWarning);
    assert_eq!(alerts[0].entries[0].ticket_id, Some(2));
}

fn quiet_settings() -> AlertSettings {
    let mut settings = settings();
    settings.quiet_hours = Some(QuietHours {
        start: time("22:00"),
        end: time("08:00"),
    });
    settings.group_window = Duration::zero();
    settings
}

#[test]
fn quiet_hours_cross_midnight() {
    let quiet = QuietHours {
        start: time("22:00"),
        end: time("08:00"),
    };
    assert!(quiet.contains(time("23:30")));
    assert!(quiet.contains(time("00:00")));
    assert!(quiet.contains(time("07:59")));
    assert!(!quiet.contains(time("08:00")));
    assert!(!quiet.contains(time("21:59")));
    assert!(quiet.contains(time("22:00")));
    let lunch = QuietHours {
        start: time("12:00"),
        end: time("13:30"),
    };
    assert!(lunch.contains(time("12:45")));
    assert!(!lunch.contains(time("13:30")));
}

#[test]
fn quiet_hours_silence_important() {
    // 23:00 in Shanghai.
    let night = at("2026-12-05T15:00:00Z");
    let mut policy = AlertPolicy::new(quiet_settings(), 0);
    assert!(policy.in_quiet_hours(night));
    let mut vip = message(1, 10, "王总", night);
    vip.vip = true;
    let alerts = policy.observe(messages(vec![vip]), night);
    let effects = alerts[0].effects;
    assert!(effects.toast, "the toast stays");
    assert!(!effects.sound);
    assert!(!effects.attention);
    assert!(!effects.desktop);
}

#[test]
fn quiet_hours_keep_sla_notification() {
    let night = at("2026-12-05T15:00:00Z");
    let mut policy = AlertPolicy::new(quiet_settings(), 0);
    let alerts = policy.observe(deadlines(vec![deadline(1, night)]), night);
    let effects = alerts[0].effects;
    assert_eq!(alerts[0].tier, Tier::SlaBreach);
    assert!(effects.desktop);
    assert!(!effects.sound);
    assert!(!effects.attention);
}

#[test]
fn outside_quiet_hours_full_effects() {
    // 10:00 in Shanghai.
    let day = at("2026-12-05T02:00:00Z");
    let mut policy = AlertPolicy::new(quiet_settings(), 0);
    let mut vip = message(1, 10, "王总", day);
    vip.vip = true;
    let alerts = policy.observe(messages(vec![vip]), day);
    assert!(alerts[0].effects.sound);
    assert!(alerts[0].effects.desktop);
}

// --- the store feed ------------------------------------------------------------

/// Stores one message of `direction` from `address` in its own chat
/// conversation, or in `conversation` when given. Returns the
/// conversation id.
fn store_chat(
    store: &mut Store,
    address: &str,
    body: &str,
    conversation: Option<i64>,
    automation: Option<AutomationKind>,
    sent_at: DateTime<Utc>,
) -> i64 {
    let writer = store.writer().expect("start a write transaction");
    let (customer, _) = writer
        .find_or_create_customer(Channel::Chat, address, Some(address), sent_at)
        .expect("store the customer");
    let conversation = conversation.unwrap_or_else(|| {
        writer
            .create_conversation(Channel::Chat, customer.id, Some(address), None, sent_at)
            .expect("store the conversation")
    });
    let party = Party {
        name: Some(address.to_string()),
        address: address.to_string(),
    };
    let message = IncomingMessage {
        channel: Channel::Chat,
        direction: Direction::Inbound,
        sender: party.clone(),
        customer: party,
        sent_at: Some(sent_at),
        subject: None,
        body_text: body.to_string(),
        external_id: None,
        thread_key: Some(address.to_string()),
        replies_to: Vec::new(),
        automation: automation.map(|kind| Automation {
            kind,
            evidence: "test".to_string(),
        }),
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    };
    let key = format!("chat:{address}:{body}");
    let raw = writer
        .insert_raw_input(&key, "test.jsonl", None, None, body.as_bytes(), sent_at)
        .expect("store the raw input");
    writer
        .insert_message(conversation, &message, &key, raw, sent_at)
        .expect("store the message");
    writer.commit().expect("commit");
    conversation
}

#[test]
fn monitor_alerts_new_messages_only() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let mut store = Store::open(&folder.path().join("kefu.db")).expect("open the database");
    let now = Utc::now();
    store_chat(&mut store, "old", "旧消息", None, None, now);
    let mut monitor = AlertMonitor::start(&store, settings(), now).expect("start the monitor");
    assert!(monitor.poll(&store, now).expect("poll").is_empty());

    let conversation = store_chat(&mut store, "wx_vip", "你好\n第二行", None, None, now);
    let writer = store.writer().expect("start a write transaction");
    let customer = writer
        .conversation_customer(conversation)
        .expect("read the customer");
    writer.commit().expect("commit");
    store
        .set_customer_tier(customer.id, "vip")
        .expect("set the tier");
    store_chat(
        &mut store,
        "bounce",
        "退信",
        None,
        Some(AutomationKind::Bounce),
        now,
    );

    let alerts = monitor.poll(&store, now).expect("poll");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].tier, Tier::Important);
    assert_eq!(alerts[0].count, 1, "the bounce raises nothing");
    assert_eq!(alerts[0].entries[0].customer, "wx_vip");
    assert_eq!(alerts[0].entries[0].text, "你好");
    assert!(
        monitor
            .poll(&store, now + Duration::minutes(1))
            .expect("poll")
            .is_empty()
    );
}

#[test]
fn monitor_reminds_unanswered() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let mut store = Store::open(&folder.path().join("kefu.db")).expect("open the database");
    let start = Utc::now() - Duration::hours(1);
    let mut settings = settings();
    settings.group_window = Duration::zero();
    let mut monitor = AlertMonitor::start(&store, settings, start).expect("start the monitor");
    let conversation = store_chat(&mut store, "wx_wait", "在吗", None, None, start);
    {
        let writer = store.writer().expect("start a write transaction");
        writer
            .open_ticket(
                &NewTicket {
                    conversation_id: conversation,
                    subject: Some("在吗"),
                    ticket_type: "pre-sales",
                    priority: "normal",
                    source: Channel::Chat,
                    actor: "system",
                    reason: "test",
                },
                start,
            )
            .expect("open a ticket");
        writer.commit().expect("commit");
    }
    let first = monitor.poll(&store, start).expect("poll");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].tier, Tier::Ordinary);
    assert!(first[0].entries[0].ticket_id.is_some());
    let later = start + Duration::minutes(16);
    let reminders = monitor.poll(&store, later).expect("poll");
    let tiers: Vec<Tier> = reminders.iter().map(|alert| alert.tier).collect();
    assert!(tiers.contains(&Tier::Reminder), "{tiers:?}");
    assert!(
        monitor
            .poll(&store, later + Duration::minutes(1))
            .expect("poll")
            .iter()
            .all(|alert| alert.tier != Tier::Reminder),
        "one reminder per unanswered message"
    );
}
