//! Unit tests with real IANA time-zone data. Expected instants are worked
//! out by hand in the comments. Weekdays of 2026: January 1 is a Thursday,
//! March 1, March 8 and November 1 are Sundays, and October 1 is a Thursday.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;

/// Returns the instant at a local wall-clock time that occurs exactly once.
fn at(zone: Tz, year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    zone.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .single()
        .expect("the local time occurs exactly once")
        .with_timezone(&Utc)
}

fn shanghai(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    at(chrono_tz::Asia::Shanghai, 2026, month, day, hour, minute)
}

fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .single()
        .expect("a valid UTC time")
}

fn hours(count: i64) -> Duration {
    Duration::hours(count)
}

fn minutes(count: i64) -> Duration {
    Duration::minutes(count)
}

fn parse(text: &str) -> SlaConfig {
    match SlaConfig::parse(text, "sla.toml") {
        Ok(config) => config,
        Err(error) => panic!("the test configuration is invalid: {error}"),
    }
}

fn parse_error(text: &str) -> String {
    match SlaConfig::parse(text, "sla.toml") {
        Ok(_) => panic!("the configuration was accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

/// Builds a calendar in `zone` that works around the clock every day.
fn around_the_clock(zone: &str) -> BusinessCalendar {
    let mut text = format!("[business-hours]\ntime-zone = \"{zone}\"\n");
    for day in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        text.push_str(&format!("{day} = [\"00:00-24:00\"]\n"));
    }
    parse(&text).calendar().clone()
}

/// Builds a calendar in `zone` with the given Sunday intervals and a
/// working Monday, so that the week has working time.
fn sunday_hours(zone: &str, sunday: &str) -> BusinessCalendar {
    parse(&format!(
        "[business-hours]\ntime-zone = \"{zone}\"\nmonday = [\"09:00-17:00\"]\nsunday = {sunday}\n"
    ))
    .calendar()
    .clone()
}

#[test]
fn deadline_table_in_shanghai() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    // (case, start, business time, expected deadline)
    let cases = [
        // Friday 17:00 leaves 1 h on Friday; 1 h more ends Monday 10:00.
        (
            "friday evening",
            shanghai(3, 13, 17, 0),
            hours(2),
            shanghai(3, 16, 10, 0),
        ),
        // Exactly the rest of Friday ends at Friday 18:00, not on Monday.
        (
            "end of day",
            shanghai(3, 13, 17, 0),
            hours(1),
            shanghai(3, 13, 18, 0),
        ),
        // 30 min before lunch, the other 30 min after 13:00.
        (
            "lunch break",
            shanghai(3, 10, 11, 30),
            hours(1),
            shanghai(3, 10, 13, 30),
        ),
        // Started during lunch, the clock starts at 13:00.
        (
            "start at lunch",
            shanghai(3, 10, 12, 15),
            minutes(45),
            shanghai(3, 10, 13, 45),
        ),
        // 22:00 Tuesday waits for Wednesday 09:00.
        (
            "start at night",
            shanghai(3, 10, 22, 0),
            minutes(30),
            shanghai(3, 11, 9, 30),
        ),
        // 06:00: 3 h in the morning, 1 h after lunch.
        (
            "early morning",
            shanghai(3, 11, 6, 0),
            hours(4),
            shanghai(3, 11, 14, 0),
        ),
        // Monday 2026-04-06 is the Qingming holiday, so Tuesday 10:00.
        (
            "on a holiday",
            shanghai(4, 6, 10, 0),
            hours(1),
            shanghai(4, 7, 10, 0),
        ),
        // Wednesday 2026-09-30 17:00: 1 h, National Day 10-01..10-07 is
        // closed, Thursday 10-08 and Friday 10-09 give 16 h, and the last
        // hour falls on the make-up Saturday 10-10.
        (
            "national day week",
            shanghai(9, 30, 17, 0),
            hours(18),
            shanghai(10, 10, 10, 0),
        ),
        // Friday 2026-09-18 17:00: 1 h, then the make-up Sunday 09-20.
        (
            "make-up sunday",
            shanghai(9, 18, 17, 0),
            hours(2),
            shanghai(9, 20, 10, 0),
        ),
        // Friday 2026-02-13 17:00: 1 h, then the make-up Saturday 02-14.
        (
            "spring festival",
            shanghai(2, 13, 17, 0),
            hours(2),
            shanghai(2, 14, 10, 0),
        ),
        // Saturday 2026-02-14 works, then the holiday runs to Monday
        // 02-23, so Tuesday 02-24 gets the ninth hour.
        (
            "across the holiday",
            shanghai(2, 14, 9, 0),
            hours(9),
            shanghai(2, 24, 10, 0),
        ),
        (
            "zero duration",
            shanghai(3, 14, 3, 0),
            Duration::zero(),
            shanghai(3, 14, 3, 0),
        ),
        (
            "negative duration",
            shanghai(3, 14, 3, 0),
            hours(-5),
            shanghai(3, 14, 3, 0),
        ),
    ];
    for (case, start, business, expected) in cases {
        assert_eq!(calendar.add(start, business), expected, "{case}");
    }
}

#[test]
fn between_inverts_add() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    let starts = [
        shanghai(3, 13, 17, 0),
        shanghai(3, 10, 12, 15),
        shanghai(3, 14, 23, 59),
        shanghai(9, 30, 17, 0),
        shanghai(2, 13, 9, 1),
    ];
    let durations = [minutes(1), minutes(45), hours(8), hours(18), hours(300)];
    for start in starts {
        for business in durations {
            let due = calendar.add(start, business);
            assert_eq!(
                calendar.between(start, due),
                business,
                "from {start} plus {business}"
            );
        }
    }
}

#[test]
fn between_counts_working_time_only() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    // Friday 17:00-18:00 and Monday 09:00-10:00.
    let weekend = calendar.between(shanghai(3, 13, 17, 0), shanghai(3, 16, 10, 0));
    assert_eq!(weekend, hours(2));
    let saturday = calendar.between(shanghai(3, 14, 0, 0), shanghai(3, 15, 0, 0));
    assert_eq!(saturday, Duration::zero());
    let reversed = calendar.between(shanghai(3, 16, 10, 0), shanghai(3, 13, 17, 0));
    assert_eq!(reversed, Duration::zero());
    let lunch = calendar.between(shanghai(3, 10, 11, 0), shanghai(3, 10, 14, 0));
    assert_eq!(lunch, hours(2));
}

#[test]
fn working_and_next_working() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    assert!(calendar.is_working(shanghai(3, 10, 9, 0)));
    assert!(calendar.is_working(shanghai(3, 10, 11, 59)));
    // Interval ends are not working time.
    assert!(!calendar.is_working(shanghai(3, 10, 12, 0)));
    assert!(!calendar.is_working(shanghai(3, 14, 10, 0)));
    assert!(!calendar.is_working(shanghai(10, 1, 10, 0)));
    assert!(calendar.is_working(shanghai(10, 10, 10, 0)));

    let during = shanghai(3, 10, 10, 7);
    assert_eq!(calendar.next_working(during), during);
    assert_eq!(
        calendar.next_working(shanghai(3, 10, 12, 0)),
        shanghai(3, 10, 13, 0)
    );
    assert_eq!(
        calendar.next_working(shanghai(3, 13, 18, 0)),
        shanghai(3, 16, 9, 0)
    );
    // National Day: Wednesday 09-30 evening to Thursday 10-08.
    assert_eq!(
        calendar.next_working(shanghai(9, 30, 18, 30)),
        shanghai(10, 8, 9, 0)
    );
}

#[test]
fn large_duration_walks_whole_years() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    // From Monday 2026-01-05 09:00. 2026 has 261 weekdays; 19 of them are
    // holidays and 6 weekend days are make-up days, so 248 working days,
    // of which 247 fall on or after 01-05 (the make-up day 01-04 is
    // before). 247 days of 8 h are 1,976 h. The built-in file lists no 2027
    // holidays, so the last 24 h are Friday 2027-01-01, Monday 01-04 and
    // Tuesday 01-05, ending 2027-01-05 18:00.
    let start = shanghai(1, 5, 9, 0);
    let due = calendar.add(start, hours(2_000));
    assert_eq!(due, at(chrono_tz::Asia::Shanghai, 2027, 1, 5, 18, 0));
    assert_eq!(calendar.between(start, due), hours(2_000));

    let far = calendar.add(start, hours(1_000_000));
    assert_eq!(calendar.between(start, far), hours(1_000_000));
}

#[test]
fn unreachable_deadline_saturates() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    let due = calendar.add(shanghai(3, 10, 9, 0), Duration::MAX);
    assert_eq!(due, DateTime::<Utc>::MAX_UTC);
}

#[test]
fn new_york_day_lengths() {
    let calendar = around_the_clock("America/New_York");
    let zone = chrono_tz::America::New_York;
    // 2026-03-08: 00:00 EST is 05:00Z, and 2026-03-09 00:00 EDT is 04:00Z.
    let spring = calendar.between(at(zone, 2026, 3, 8, 0, 0), at(zone, 2026, 3, 9, 0, 0));
    assert_eq!(spring, hours(23));
    // 2026-11-01: 00:00 EDT is 04:00Z, and 2026-11-02 00:00 EST is 05:00Z.
    let fall = calendar.between(at(zone, 2026, 11, 1, 0, 0), at(zone, 2026, 11, 2, 0, 0));
    assert_eq!(fall, hours(25));
    let ordinary = calendar.between(at(zone, 2026, 3, 1, 0, 0), at(zone, 2026, 3, 2, 0, 0));
    assert_eq!(ordinary, hours(24));

    // Around the clock, business time is real time: Saturday 12:00 EST
    // (17:00Z) plus 24 h is 17:00Z on Sunday, which reads 13:00 EDT.
    let due = calendar.add(at(zone, 2026, 3, 7, 12, 0), hours(24));
    assert_eq!(due, utc(3, 8, 17, 0));
    assert_eq!(due, at(zone, 2026, 3, 8, 13, 0));
    // The repeated hour is working time too.
    assert!(calendar.is_working(utc(11, 1, 6, 30)));
}

#[test]
fn new_york_hours_across_the_gap() {
    // Sundays 01:00-04:00 include the skipped and the repeated hour.
    let calendar = sunday_hours("America/New_York", r#"["01:00-04:00"]"#);
    let day = |month, day| calendar.between(utc(month, day, 0, 0), utc(month, day + 1, 12, 0));
    // 2026-03-08: 01:00 EST (06:00Z) to 04:00 EDT (08:00Z).
    assert_eq!(day(3, 8), hours(2));
    // 2026-11-01: 01:00 EDT (05:00Z), the first 01:00, to 04:00 EST (09:00Z).
    assert_eq!(day(11, 1), hours(4));
    assert_eq!(day(3, 1), hours(3));

    // From 01:00 EST plus 1 h 30 min is 07:30Z, which reads 03:30 EDT.
    let start = at(chrono_tz::America::New_York, 2026, 3, 8, 1, 0);
    assert_eq!(calendar.add(start, minutes(90)), utc(3, 8, 7, 30));
    // 02:30 does not exist on 2026-03-08; 03:00 EDT (07:00Z) is working.
    assert!(calendar.is_working(utc(3, 8, 7, 0)));
    assert!(!calendar.is_working(utc(3, 8, 8, 0)));
}

#[test]
fn new_york_intervals_inside_the_gap() {
    // 02:00-02:30 is skipped on 2026-03-08, so that Sunday has no time.
    let skipped = sunday_hours("America/New_York", r#"["02:00-02:30"]"#);
    assert_eq!(
        skipped.between(utc(3, 8, 0, 0), utc(3, 9, 0, 0)),
        Duration::zero()
    );
    assert_eq!(
        skipped.between(utc(3, 15, 0, 0), utc(3, 16, 0, 0)),
        minutes(30)
    );
    // The next working time after that Sunday's gap is Monday 09:00 EDT.
    assert_eq!(skipped.next_working(utc(3, 8, 6, 0)), utc(3, 9, 13, 0));

    // 01:30 EST (06:30Z) to 02:30, which maps to the change at 07:00Z.
    let half = sunday_hours("America/New_York", r#"["01:30-02:30"]"#);
    assert_eq!(half.between(utc(3, 8, 0, 0), utc(3, 9, 0, 0)), minutes(30));

    // 01:00 EDT (05:00Z) to the second 01:30, 01:30 EST (06:30Z).
    let repeated = sunday_hours("America/New_York", r#"["01:00-01:30"]"#);
    assert_eq!(
        repeated.between(utc(11, 1, 0, 0), utc(11, 2, 0, 0)),
        minutes(90)
    );
}

#[test]
fn new_york_touching_intervals_merge() {
    // On 2026-11-01, 00:00-01:30 runs 04:00Z-06:30Z and 01:30-03:00 runs
    // 05:30Z-08:00Z. Together they cover 04:00Z-08:00Z once: 4 h, not 5 h.
    let calendar = sunday_hours("America/New_York", r#"["00:00-01:30", "01:30-03:00"]"#);
    let start = utc(11, 1, 0, 0);
    let end = utc(11, 2, 0, 0);
    assert_eq!(calendar.between(start, end), hours(4));
    assert_eq!(calendar.add(start, hours(4)), utc(11, 1, 8, 0));
}

#[test]
fn berlin_day_lengths() {
    let calendar = around_the_clock("Europe/Berlin");
    let zone = chrono_tz::Europe::Berlin;
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    let spring = calendar.between(at(zone, 2026, 3, 29, 0, 0), at(zone, 2026, 3, 30, 0, 0));
    assert_eq!(spring, hours(23));
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET.
    let fall = calendar.between(at(zone, 2026, 10, 25, 0, 0), at(zone, 2026, 10, 26, 0, 0));
    assert_eq!(fall, hours(25));
}

#[test]
fn berlin_hours_across_the_gap() {
    let calendar = sunday_hours("Europe/Berlin", r#"["01:00-04:00"]"#);
    // 2026-03-29: 01:00 CET (00:00Z) to 04:00 CEST (02:00Z).
    assert_eq!(
        calendar.between(utc(3, 28, 12, 0), utc(3, 29, 12, 0)),
        hours(2)
    );
    // 2026-10-25: 01:00 CEST (23:00Z the day before) to 04:00 CET (03:00Z).
    assert_eq!(
        calendar.between(utc(10, 24, 12, 0), utc(10, 25, 12, 0)),
        hours(4)
    );
    // 2026-03-22 is an ordinary Sunday.
    assert_eq!(
        calendar.between(utc(3, 21, 12, 0), utc(3, 22, 12, 0)),
        hours(3)
    );

    // 02:00-03:00 is skipped on 2026-03-29. On 2026-10-25 it runs from the
    // first 02:00 (00:00Z) to 03:00 CET (02:00Z), both passes of the hour.
    let repeated = sunday_hours("Europe/Berlin", r#"["02:00-03:00"]"#);
    assert_eq!(
        repeated.between(utc(3, 28, 12, 0), utc(3, 29, 12, 0)),
        Duration::zero()
    );
    assert_eq!(
        repeated.between(utc(10, 24, 12, 0), utc(10, 25, 12, 0)),
        hours(2)
    );
}

#[test]
fn resume_across_a_weekend() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    let due = shanghai(3, 16, 10, 0);

    // Paused Friday 17:30 with 30 min of Friday and 1 h of Monday left;
    // resumed Monday 09:00, so 1 h 30 min from then.
    let moved = calendar.resume(due, shanghai(3, 13, 17, 30), shanghai(3, 16, 9, 0));
    assert_eq!(moved, shanghai(3, 16, 10, 30));

    // Paused and resumed within the weekend: no working time was lost.
    let weekend = calendar.resume(due, shanghai(3, 14, 10, 0), shanghai(3, 15, 20, 0));
    assert_eq!(weekend, due);

    // Paused Friday 17:30 and resumed the next Friday 17:30: 1 h 30 min
    // from then is 30 min Friday plus Monday 2026-03-23 09:00-10:00.
    let week = calendar.resume(due, shanghai(3, 13, 17, 30), shanghai(3, 20, 17, 30));
    assert_eq!(week, shanghai(3, 23, 10, 0));

    // A deadline already passed at the pause stays.
    let passed = shanghai(3, 13, 17, 0);
    let kept = calendar.resume(passed, shanghai(3, 13, 17, 30), shanghai(3, 16, 9, 0));
    assert_eq!(kept, passed);

    // A resume before the pause counts as a resume at the pause.
    let early = calendar.resume(due, shanghai(3, 14, 10, 0), shanghai(3, 12, 10, 0));
    assert_eq!(early, due);
}

#[test]
fn progress_counts_down() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    // Friday 17:00 plus 2 h is Monday 10:00.
    let start = shanghai(3, 13, 17, 0);
    let due = shanghai(3, 16, 10, 0);

    let early = calendar.progress(start, due, shanghai(3, 13, 16, 0));
    assert_eq!(early.remaining, hours(3));
    assert_eq!(early.fraction_used, 0.0);
    assert!(!early.breached);

    let friday = calendar.progress(start, due, shanghai(3, 13, 17, 30));
    assert_eq!(friday.remaining, minutes(90));
    assert_eq!(friday.fraction_used, 0.25);
    assert!(!friday.breached);

    let saturday = calendar.progress(start, due, shanghai(3, 14, 12, 0));
    assert_eq!(saturday.remaining, hours(1));
    assert_eq!(saturday.fraction_used, 0.5);

    let on_time = calendar.progress(start, due, due);
    assert_eq!(on_time.remaining, Duration::zero());
    assert_eq!(on_time.fraction_used, 1.0);
    assert!(!on_time.breached);

    let late = calendar.progress(start, due, shanghai(3, 16, 11, 0));
    assert_eq!(late.remaining, hours(-1));
    assert_eq!(late.fraction_used, 1.5);
    assert!(late.breached);

    // Due Friday 18:00 and read on Saturday: no business time has passed
    // since the deadline, but the deadline instant has.
    let weekend = calendar.progress(start, shanghai(3, 13, 18, 0), shanghai(3, 14, 9, 0));
    assert_eq!(weekend.remaining, Duration::zero());
    assert!(weekend.breached);
}

#[test]
fn builtin_targets_by_priority_and_tier() {
    let builtin = SlaConfig::builtin();
    assert_eq!(builtin.calendar().time_zone(), chrono_tz::Asia::Shanghai);
    // (priority, tier, first response, resolution)
    let cases = [
        ("urgent", "vip", minutes(30), hours(4)),
        ("urgent", "regular", hours(1), hours(8)),
        ("high", "vip", hours(1), hours(8)),
        ("high", "regular", hours(2), hours(16)),
        ("normal", "vip", hours(2), hours(16)),
        ("normal", "regular", hours(4), hours(24)),
        // Unknown priorities take the tier table, then the catch-all.
        ("low", "vip", hours(2), hours(16)),
        ("low", "regular", hours(4), hours(24)),
    ];
    for (priority, tier, first_response, resolution) in cases {
        let targets = builtin.targets(priority, tier);
        assert_eq!(
            targets.first_response,
            Some(first_response),
            "{priority} {tier}"
        );
        assert_eq!(targets.resolution, Some(resolution), "{priority} {tier}");
    }
}

#[test]
fn targets_fall_back_in_order() {
    let config = parse(
        r#"
        [business-hours]
        time-zone = "UTC"
        monday = ["09:00-17:00"]

        [[target]]
        tier = "vip"
        first-response = "1h30m"

        [[target]]
        priority = "urgent"
        first-response = "90m"
        resolution = "8h"

        [[target]]
        priority = "urgent"
        tier = "vip"
        resolution = "2h"
        "#,
    );
    // The most specific table wins whole: no first-response target.
    let both = config.targets("urgent", "vip");
    assert_eq!(both.first_response, None);
    assert_eq!(both.resolution, Some(hours(2)));
    // A priority table beats a tier table.
    assert_eq!(
        config.targets("urgent", "regular").first_response,
        Some(minutes(90))
    );
    assert_eq!(
        config.targets("normal", "vip").first_response,
        Some(minutes(90))
    );
    assert_eq!(config.targets("normal", "vip").resolution, None);
    // No catch-all table: no targets at all.
    assert_eq!(config.targets("normal", "regular"), Targets::default());
    assert_eq!(config.rules().len(), 3);
}

#[test]
fn calendar_keys_parse() {
    let config = parse(
        r#"
        [business-hours]
        time-zone = "Asia/Shanghai"
        monday = ["13:00-18:00", "09:00-12:00", "12:00-13:00"]
        holidays = [2026-03-16, "2026-03-23"]
        make-up-days = ["2026-03-14"]
        make-up-hours = ["10:00-11:00"]
        "#,
    );
    let calendar = config.calendar();
    let day =
        |month, day| calendar.between(shanghai(month, day, 0, 0), shanghai(month, day + 1, 0, 0));
    // Touching intervals in any order give Monday 2026-03-09 9 h.
    assert_eq!(day(3, 9), hours(9));
    // Holidays written as a TOML date and as a string.
    assert_eq!(day(3, 16), Duration::zero());
    assert_eq!(day(3, 23), Duration::zero());
    // The make-up Saturday has the make-up hours, not Monday's.
    assert_eq!(day(3, 14), hours(1));
    assert_eq!(day(3, 21), Duration::zero());
    assert_eq!(config.targets("urgent", "vip"), Targets::default());

    // Without make-up-hours, a make-up day has Monday's hours.
    let monday_hours = parse(
        r#"
        [business-hours]
        time-zone = "Asia/Shanghai"
        monday = ["09:00-12:00", "13:00-18:00"]
        make-up-days = ["2026-03-14"]
        "#,
    );
    let calendar = monday_hours.calendar();
    assert_eq!(
        calendar.between(shanghai(3, 14, 0, 0), shanghai(3, 15, 0, 0)),
        hours(8)
    );
}

#[test]
fn load_reads_file_or_builtin() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let missing = SlaConfig::load(&folder.path().join("sla.toml")).expect("the built-in default");
    assert_eq!(missing, SlaConfig::builtin());

    let path = folder.path().join("team.toml");
    std::fs::write(
        &path,
        "[business-hours]\ntime-zone = \"UTC\"\nfriday = [\"09:00-17:00\"]\n",
    )
    .expect("writing the test file");
    let loaded = SlaConfig::load(&path).expect("a valid file");
    assert_eq!(loaded.calendar().time_zone(), chrono_tz::UTC);

    std::fs::write(&path, "[business-hours]\ntime-zone = \"Mars/Olympus\"\n")
        .expect("writing the test file");
    let message = SlaConfig::load(&path)
        .expect_err("an invalid zone")
        .to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );

    let unreadable = SlaConfig::load(folder.path()).expect_err("a folder is not a file");
    assert!(
        matches!(unreadable, SlaConfigError::Read { .. }),
        "{unreadable}"
    );
}

#[test]
fn durations_parse() {
    for (text, expected) in [
        ("30m", minutes(30)),
        ("8h", hours(8)),
        ("1h30m", minutes(90)),
    ] {
        let config = parse(&format!(
            "[business-hours]\ntime-zone = \"UTC\"\nmonday = [\"09:00-17:00\"]\n\
             [[target]]\nfirst-response = \"{text}\"\n"
        ));
        assert_eq!(
            config.targets("normal", "regular").first_response,
            Some(expected),
            "{text}"
        );
    }
}

/// A valid `[business-hours]` table for error tests of the targets.
const HOURS: &str = "[business-hours]\ntime-zone = \"UTC\"\nmonday = [\"09:00-17:00\"]\n";

#[test]
fn interval_errors_name_key_and_value() {
    let message =
        parse_error("[business-hours]\ntime-zone = \"Asia/Shanghai\"\nmonday = [\"9-18\"]\n");
    assert_eq!(
        message,
        r#"sla.toml: business-hours.monday: "9-18" is not an interval; write "09:00-18:00""#
    );

    // (case, tuesday value, text the message must contain)
    let cases = [
        (
            "overlap",
            r#"["09:00-12:00", "11:00-13:00"]"#,
            r#""09:00-12:00" overlaps "11:00-13:00""#,
        ),
        (
            "reversed",
            r#"["18:00-09:00"]"#,
            r#""18:00-09:00" ends before or when it starts"#,
        ),
        (
            "empty",
            r#"["09:00-09:00"]"#,
            r#""09:00-09:00" ends before or when it starts"#,
        ),
        (
            "start at 24:00",
            r#"["24:00-24:00"]"#,
            r#""24:00-24:00" starts at 24:00"#,
        ),
        (
            "hour 25",
            r#"["09:00-25:00"]"#,
            r#""09:00-25:00" is not an interval"#,
        ),
        (
            "minute 60",
            r#"["09:60-10:00"]"#,
            r#""09:60-10:00" is not an interval"#,
        ),
        (
            "one digit",
            r#"["9:00-18:00"]"#,
            r#""9:00-18:00" is not an interval"#,
        ),
    ];
    for (case, tuesday, expected) in cases {
        let message = parse_error(&format!(
            "[business-hours]\ntime-zone = \"UTC\"\nmonday = [\"09:00-17:00\"]\ntuesday = {tuesday}\n"
        ));
        assert!(
            message.starts_with("sla.toml: business-hours.tuesday: "),
            "{case}: {message}"
        );
        assert!(message.contains(expected), "{case}: {message}");
    }
}

#[test]
fn calendar_errors_name_key_and_value() {
    // (case, file, texts the message must contain)
    let cases: [(&str, &str, &[&str]); 9] = [
        (
            "unknown zone",
            "[business-hours]\ntime-zone = \"Asia/Beijing\"\nmonday = [\"09:00-17:00\"]\n",
            &[
                "sla.toml: business-hours.time-zone: ",
                r#""Asia/Beijing" is not an IANA"#,
            ],
        ),
        (
            "missing zone",
            "[business-hours]\nmonday = [\"09:00-17:00\"]\n",
            &["business-hours.time-zone: the key is missing"],
        ),
        (
            "missing table",
            "[[target]]\nfirst-response = \"1h\"\n",
            &["sla.toml: business-hours: the table is missing"],
        ),
        (
            "no working time",
            "[business-hours]\ntime-zone = \"UTC\"\nholidays = [\"2026-01-01\"]\n",
            &["sla.toml: business-hours: every weekday is closed"],
        ),
        (
            "unknown key",
            "[business-hours]\ntime-zone = \"UTC\"\nmondy = [\"09:00-17:00\"]\n",
            &["sla.toml: ", "unknown field `mondy`"],
        ),
        (
            "invalid date",
            "[business-hours]\ntime-zone = \"UTC\"\nmonday = [\"09:00-17:00\"]\nholidays = [\"2026-02-30\"]\n",
            &["business-hours.holidays: ", r#""2026-02-30" is not a date"#],
        ),
        (
            "date in both lists",
            "[business-hours]\ntime-zone = \"UTC\"\nmonday = [\"09:00-17:00\"]\n\
             holidays = [\"2026-10-01\"]\nmake-up-days = [\"2026-10-01\"]\n",
            &["business-hours.make-up-days: 2026-10-01 is also listed in holidays"],
        ),
        (
            "make-up day without hours",
            "[business-hours]\ntime-zone = \"UTC\"\nfriday = [\"09:00-17:00\"]\n\
             make-up-days = [\"2026-10-10\"]\n",
            &["business-hours.make-up-hours: the key is missing and monday is closed"],
        ),
        (
            "empty make-up hours",
            "[business-hours]\ntime-zone = \"UTC\"\nmonday = [\"09:00-17:00\"]\nmake-up-hours = []\n",
            &["business-hours.make-up-hours: the list is empty"],
        ),
    ];
    for (case, text, expected) in cases {
        let message = parse_error(text);
        for part in expected {
            assert!(message.contains(part), "{case}: {message}");
        }
    }
}

#[test]
fn target_errors_name_key_and_value() {
    // (case, second target table, texts the message must contain)
    let cases: [(&str, &str, &[&str]); 9] = [
        (
            "days",
            "first-response = \"2d\"",
            &["sla.toml: target #2.first-response: ", r#""2d" uses days"#],
        ),
        (
            "zero",
            "resolution = \"0m\"",
            &["target #2.resolution: ", r#""0m" is zero"#],
        ),
        (
            "fraction",
            "resolution = \"1.5h\"",
            &["target #2.resolution: ", r#""1.5h" is not a duration"#],
        ),
        (
            "no unit",
            "resolution = \"90\"",
            &["target #2.resolution: ", r#""90" is not a duration"#],
        ),
        (
            "unit only",
            "resolution = \"h\"",
            &["target #2.resolution: ", r#""h" is not a duration"#],
        ),
        (
            "minutes first",
            "resolution = \"30m1h\"",
            &[r#""30m1h" is not a duration"#],
        ),
        (
            "too long",
            "resolution = \"2000000h\"",
            &[r#""2000000h" is longer than the maximum of 1000000h"#],
        ),
        (
            "empty tier",
            "tier = \" \"",
            &["target #2.tier: the name is empty"],
        ),
        (
            "unknown key",
            "first_response = \"1h\"",
            &["unknown field `first_response`"],
        ),
    ];
    for (case, table, expected) in cases {
        let message = parse_error(&format!(
            "{HOURS}[[target]]\nresolution = \"8h\"\n[[target]]\npriority = \"urgent\"\n{table}\n"
        ));
        for part in expected {
            assert!(message.contains(part), "{case}: {message}");
        }
    }

    let duplicate = parse_error(&format!(
        "{HOURS}[[target]]\ntier = \"vip\"\nresolution = \"8h\"\n\
         [[target]]\ntier = \"vip\"\nresolution = \"4h\"\n"
    ));
    assert!(
        duplicate.contains("target #2: it matches the same priority and tier as target #1"),
        "{duplicate}"
    );
}

#[test]
fn documented_example_parses() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/sla.toml"
    ));
    let example = parse(text);
    assert_eq!(
        example.targets("urgent", "vip").first_response,
        Some(minutes(30))
    );
    assert_eq!(
        example.targets("normal", "regular").resolution,
        Some(hours(24))
    );
}

/// Checks that a [`WorkingTimeTable`] over `[from, to]` returns what the
/// calendar's walk returns. The instants are every whole and half UTC hour
/// of the range, which are the interval ends of whole- and half-hour zones,
/// and the same instants 17 min 0.25 s later. Pairs are each instant with
/// every 29th later one, reversed spans, and for every fifth instant spans
/// that leave the range on either side.
fn assert_table_matches_walk(calendar: &BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) {
    let table = calendar.working_time_table(from, to);
    let mut instants = Vec::new();
    let mut t = from;
    while t <= to {
        instants.push(t);
        let shifted = t + minutes(17) + Duration::milliseconds(250);
        if shifted <= to {
            instants.push(shifted);
        }
        t += minutes(30);
    }
    for (index, &a) in instants.iter().enumerate() {
        for &b in instants[index..].iter().step_by(29) {
            assert_eq!(
                table.between(a, b),
                calendar.between(a, b),
                "from {a} to {b}"
            );
        }
        assert_eq!(
            table.between(a, from),
            Duration::zero(),
            "reversed from {a}"
        );
        if index % 5 == 0 {
            let before = from - hours(30);
            let after = to + hours(30);
            assert_eq!(
                table.between(before, a),
                calendar.between(before, a),
                "from {before} to {a}"
            );
            assert_eq!(
                table.between(a, after),
                calendar.between(a, after),
                "from {a} to {after}"
            );
        }
    }
}

#[test]
fn table_matches_walk_over_holidays() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    // National Day (10-01 to 10-07) with the make-up Saturday 10-10 and
    // the make-up Sunday 09-20 before it.
    assert_table_matches_walk(calendar, shanghai(9, 18, 0, 0), shanghai(10, 12, 0, 0));
    // New Year: holidays 01-01 to 01-03 and the make-up Sunday 01-04.
    assert_table_matches_walk(calendar, utc(1, 1, 0, 0) - hours(40), shanghai(1, 6, 12, 0));
}

#[test]
fn table_matches_walk_across_clock_changes() {
    let new_york = chrono_tz::America::New_York;
    let cases = [
        // Intervals that end at midnight touch the next day's.
        (
            around_the_clock("America/New_York"),
            utc(3, 6, 0, 0),
            utc(3, 10, 0, 0),
        ),
        (
            around_the_clock("America/New_York"),
            utc(10, 30, 0, 0),
            utc(11, 3, 0, 0),
        ),
        // The skipped and the repeated hour inside one interval, and
        // intervals that overlap in real time after the fall back.
        (
            sunday_hours("America/New_York", r#"["01:00-04:00"]"#),
            utc(3, 6, 0, 0),
            utc(3, 10, 0, 0),
        ),
        (
            sunday_hours("America/New_York", r#"["00:00-01:30", "01:30-03:00"]"#),
            at(new_york, 2026, 10, 30, 0, 0),
            at(new_york, 2026, 11, 3, 0, 0),
        ),
        (
            sunday_hours("Europe/Berlin", r#"["02:00-03:00"]"#),
            utc(10, 23, 0, 0),
            utc(10, 27, 0, 0),
        ),
        // Clocks fall back from midnight to 23:00 of the day before
        // (2026-04-05) and skip midnight (2026-09-06).
        (
            around_the_clock("America/Santiago"),
            utc(4, 3, 0, 0),
            utc(4, 7, 0, 0),
        ),
        (
            sunday_hours("America/Santiago", r#"["00:00-01:00", "23:00-24:00"]"#),
            utc(4, 3, 0, 0),
            utc(4, 7, 0, 0),
        ),
        (
            around_the_clock("America/Santiago"),
            utc(9, 4, 0, 0),
            utc(9, 8, 0, 0),
        ),
        // Havana falls back from 01:00 to 00:00 on Sunday 2026-11-01, so
        // Saturday's 23:00-24:00 ends at the second midnight (05:00Z),
        // after the first Sunday instants (from 04:00Z).
        (
            parse(
                "[business-hours]\ntime-zone = \"America/Havana\"\n\
                 monday = [\"09:00-17:00\"]\nsaturday = [\"23:00-24:00\"]\n",
            )
            .calendar()
            .clone(),
            utc(11, 1, 4, 30),
            utc(11, 3, 0, 0),
        ),
        // Half-hour daylight saving time.
        (
            around_the_clock("Australia/Lord_Howe"),
            utc(4, 3, 0, 0),
            utc(4, 6, 0, 0),
        ),
    ];
    for (calendar, from, to) in &cases {
        assert_table_matches_walk(calendar, *from, *to);
    }

    // Samoa skipped Friday 2011-12-30 when it moved across the date line.
    let apia = around_the_clock("Pacific/Apia");
    let skipped_from = Utc.with_ymd_and_hms(2011, 12, 28, 0, 0, 0).unwrap();
    let skipped_to = Utc.with_ymd_and_hms(2012, 1, 1, 0, 0, 0).unwrap();
    assert_table_matches_walk(&apia, skipped_from, skipped_to);
}

#[test]
fn table_matches_walk_over_a_year() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    let from = shanghai(1, 1, 0, 0) - hours(24 * 31);
    let to = shanghai(12, 31, 0, 0);
    let table = calendar.working_time_table(from, to);
    let span_minutes = (to - from).num_minutes();
    // Spans of every length up to the whole range, from spread starts.
    for index in 0..400_i64 {
        let a = from + minutes(index * 7_919 % span_minutes);
        let b = a + minutes(index * index * 131 % (span_minutes / 2));
        let b = b.min(to);
        assert_eq!(
            table.between(a, b),
            calendar.between(a, b),
            "from {a} to {b}"
        );
    }
    assert_eq!(table.between(from, to), calendar.between(from, to));
}

#[test]
fn table_without_range_walks() {
    let builtin = SlaConfig::builtin();
    let calendar = builtin.calendar();
    let start = shanghai(3, 13, 17, 0);
    let end = shanghai(3, 16, 10, 0);
    // An empty range covers no span, so the table walks this one.
    let empty = calendar.working_time_table(end, start);
    assert_eq!(empty.between(start, end), hours(2));
    let extreme = calendar.working_time_table(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    assert_eq!(extreme.between(start, end), hours(2));
}
