//! Writing to standard output safely.

use std::io::Write;

/// Writes `text` to standard output with every control character but the
/// line break replaced, because the text can carry what plugins and inputs
/// supplied. A closed pipe (`kefu tickets | head`) ends the output quietly
/// instead of failing.
pub fn print(text: &str) -> anyhow::Result<()> {
    write_stdout(&printable_lines(text))
}

/// Writes `value` to standard output as indented JSON followed by a line
/// break. serde_json escapes the C0 control characters, and this function
/// escapes DEL and the C1 controls too. So the output is safe on a terminal
/// and still contains every character.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    write_stdout(&format!("{}\n", escape_json_controls(&json)))
}

/// Escapes DEL and the C1 control characters (U+007F to U+009F) in JSON
/// text as `\uXXXX`. They occur only inside strings, where the escape
/// stands for the same character.
fn escape_json_controls(json: &str) -> String {
    let mut escaped = String::with_capacity(json.len());
    for c in json.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            escaped.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    match result {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other.map_err(|error| anyhow::anyhow!("writing output failed: {error}"))?),
    }
}

/// Replaces control characters, which input can carry in names and file
/// names, so they cannot move the cursor or retitle the terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// Makes each line of `text` printable, keeping the line breaks.
pub fn printable_lines(text: &str) -> String {
    text.split('\n')
        .map(printable)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        assert_eq!(
            printable("\u{1b}]0;pwned\u{7}王芳"),
            "\u{FFFD}]0;pwned\u{FFFD}王芳"
        );
        assert_eq!(printable("a\nb"), "a\u{FFFD}b");
    }

    #[test]
    fn printable_lines_keeps_line_breaks() {
        assert_eq!(
            printable_lines("title\u{1b}[2J\nnext\r\n"),
            "title\u{FFFD}[2J\nnext\u{FFFD}\n"
        );
    }

    #[test]
    fn json_escapes_c1_controls_and_keeps_them() {
        let json = serde_json::to_string(&"a\u{9b}31mb\u{7f}\u{1b}").unwrap();
        let escaped = escape_json_controls(&json);
        assert_eq!(escaped, r#""a\u009b31mb\u007f\u001b""#);
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "a\u{9b}31mb\u{7f}\u{1b}");
    }
}
