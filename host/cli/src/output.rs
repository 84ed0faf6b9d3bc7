//! Writing to standard output safely.

use std::io::Write;

/// Writes `text` to standard output. A closed pipe (`kefu tickets | head`)
/// ends the output quietly instead of failing.
pub fn print(text: &str) -> anyhow::Result<()> {
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
}
