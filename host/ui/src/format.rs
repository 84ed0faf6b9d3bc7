//! Times, durations and sizes as the workbench prints them.
//!
//! The store keeps times in UTC, and the workbench shows them in the
//! computer's local time zone.

use chrono::{DateTime, Datelike, Local, TimeZone, Utc};

/// Time of a list entry, as short as it can be while still unambiguous
/// next to `now`: the time of day for today, month and day for this year,
/// else the full date.
pub fn list_time<Tz>(time: DateTime<Utc>, now: &DateTime<Tz>) -> String
where
    Tz: TimeZone,
    Tz::Offset: std::fmt::Display,
{
    let time = time.with_timezone(&now.timezone());
    if time.date_naive() == now.date_naive() {
        time.format("%H:%M").to_string()
    } else if time.year() == now.year() {
        time.format("%m-%d %H:%M").to_string()
    } else {
        time.format("%Y-%m-%d").to_string()
    }
}

/// Full local date and time of a message, to the minute.
pub fn message_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Local time of day, to the second.
pub fn clock_time(time: DateTime<Local>) -> String {
    time.format("%H:%M:%S").to_string()
}

/// Duration as `m:ss`, or `h:mm:ss` from one hour on.
pub fn duration(seconds: u32) -> String {
    let hours = seconds / 3600;
    let minutes = seconds % 3600 / 60;
    let seconds = seconds % 60;
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

/// Size in bytes, KiB or MiB (powers of 1024), with one decimal above bytes.
pub fn file_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    const MIB: f64 = 1024.0 * 1024.0;
    let value = bytes as f64;
    if value < KIB {
        format!("{bytes} B")
    } else if value < MIB {
        format!("{:.1} KiB", value / KIB)
    } else {
        format!("{:.1} MiB", value / MIB)
    }
}

/// A count with commas between groups of three digits, such as 10,000.
pub fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn list_time_shortens_by_distance() {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let now = utc("2024-03-12T06:00:00Z").with_timezone(&beijing);

        assert_eq!(list_time(utc("2024-03-12T01:30:00Z"), &now), "09:30");
        assert_eq!(list_time(utc("2024-03-11T01:30:00Z"), &now), "03-11 09:30");
        assert_eq!(list_time(utc("2023-12-30T01:30:00Z"), &now), "2023-12-30");
    }

    #[test]
    fn list_time_uses_local_date() {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let now = utc("2024-03-12T06:00:00Z").with_timezone(&beijing);

        // 20:00 UTC on the 11th is 04:00 on the 12th in Beijing, so today.
        assert_eq!(list_time(utc("2024-03-11T20:00:00Z"), &now), "04:00");
    }

    #[test]
    fn duration_minutes_and_hours() {
        assert_eq!(duration(0), "0:00");
        assert_eq!(duration(185), "3:05");
        assert_eq!(duration(3600), "1:00:00");
        assert_eq!(duration(3725), "1:02:05");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_048_575), "1,048,575");
    }

    #[test]
    fn file_size_units() {
        assert_eq!(file_size(512), "512 B");
        assert_eq!(file_size(1024), "1.0 KiB");
        assert_eq!(file_size(48_213), "47.1 KiB");
        assert_eq!(file_size(5 * 1024 * 1024), "5.0 MiB");
    }
}
