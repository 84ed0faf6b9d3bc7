//! Reading fields from untyped JSON with error messages for people.

use chrono::DateTime;
use serde_json::{Map, Value};

/// Returns serde_json's error message without its " at line L column C"
/// suffix, because callers name the position themselves.
pub fn error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(position) => message[..position].to_string(),
        None => message,
    }
}

/// Reads an identifier that may be a string or a number. Returns `None`
/// for a missing, null or empty value. A number keeps its digits as written
/// (serde_json's `arbitrary_precision` feature), so `18446744073709551616`
/// stays those digits and `8.0` stays distinct from `8`. serde_json writes
/// an exponent in one form: `1E3` and `1e3` both become `1e+3`.
pub fn id(object: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            Ok(Some(text.trim().to_string()).filter(|text| !text.is_empty()))
        }
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(format!(
            "\"{key}\" must be a string or a number, not {}",
            kind(other)
        )),
    }
}

/// Reads an optional string. Returns `None` for a missing or null value.
pub fn optional_string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(format!("\"{key}\" must be a string, not {}", kind(other))),
    }
}

/// Reads an optional object. Returns `None` for a missing or null value.
pub fn optional_object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => Ok(Some(inner)),
        Some(other) => Err(format!("\"{key}\" must be an object, not {}", kind(other))),
    }
}

/// Reads a time given as an RFC 3339 string or as seconds since the Unix
/// epoch, and returns seconds since the epoch.
pub fn time(value: &Value, key: &str) -> Result<i64, String> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .ok_or_else(|| format!("\"{key}\" {number} is not a whole number of seconds")),
        Value::String(text) => parse_time_text(text).ok_or_else(|| {
            format!(
                "\"{key}\" {text:?} is not an RFC 3339 time such as \"2024-05-01T09:30:00+08:00\""
            )
        }),
        other => Err(format!(
            "\"{key}\" must be a time string, not {}",
            kind(other)
        )),
    }
}

/// Parses RFC 3339, and the `2020-03-03 13:05:57 UTC` form of Chatwoot's
/// documentation samples.
fn parse_time_text(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    let without_zone = text.strip_suffix(" UTC")?;
    chrono::NaiveDateTime::parse_from_str(without_zone, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|time| time.and_utc().timestamp())
}

/// Names the JSON type of a value, for error messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_parse_from_strings_and_numbers() {
        assert_eq!(
            time(&json!("2021-07-23T18:02:48.000Z"), "at"),
            Ok(1_627_063_368)
        );
        assert_eq!(
            time(&json!("2024-05-01T09:30:00+08:00"), "at"),
            Ok(1_714_527_000)
        );
        assert_eq!(
            time(&json!("2020-03-03 13:05:57 UTC"), "at"),
            Ok(1_583_240_757)
        );
        assert_eq!(time(&json!(1_627_063_369), "at"), Ok(1_627_063_369));
        assert!(
            time(&json!("yesterday"), "at")
                .unwrap_err()
                .contains("\"yesterday\"")
        );
        assert!(time(&json!(true), "at").unwrap_err().contains("a boolean"));
    }

    #[test]
    fn ids_accept_strings_and_numbers() {
        let object = json!({"a": "x1", "b": 14, "c": "  ", "d": [1]});
        let object = object.as_object().unwrap();
        assert_eq!(id(object, "a"), Ok(Some("x1".to_string())));
        assert_eq!(id(object, "b"), Ok(Some("14".to_string())));
        assert_eq!(id(object, "c"), Ok(None));
        assert_eq!(id(object, "missing"), Ok(None));
        assert!(id(object, "d").is_err());
    }

    #[test]
    fn number_ids_keep_their_digits() {
        let text = r#"{"above_u64": 18446744073709551616, "next": 18446744073709551617,
                       "negative": -92233720368547758080, "fraction": 8.0, "exponent": 1E3}"#;
        let object: Map<String, Value> = serde_json::from_str(text).unwrap();
        let read = |key| id(&object, key).unwrap().unwrap();
        assert_eq!(read("above_u64"), "18446744073709551616");
        assert_eq!(read("next"), "18446744073709551617");
        assert_eq!(read("negative"), "-92233720368547758080");
        assert_eq!(read("fraction"), "8.0");
        assert_eq!(read("exponent"), "1e+3");
    }
}
