//! Readable text from an HTML body.
//!
//! This is not a full HTML parser: it drops tags, comments and the contents
//! of `script`, `style` and `title`, breaks lines at block elements, decodes
//! character references and collapses white space. That is enough to read
//! mail, the only HTML this adapter reads.

/// Elements whose contents are not text for the reader.
const HIDDEN_ELEMENTS: &[&str] = &["script", "style", "title", "template"];

/// Elements that start a new line.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Elements that separate their neighbours by a space.
const CELL_ELEMENTS: &[&str] = &["td", "th"];

/// Converts HTML to plain text.
pub fn html_to_text(html: &str) -> String {
    let mut output = String::with_capacity(html.len() / 2);
    // Hidden elements whose closing tag is missing from the rest of the
    // document, so that a thousand unclosed `<script>` tags cost one search,
    // not a thousand.
    let mut unclosed: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(position) = rest.find(['<', '&']) {
        push_text(&mut output, &rest[..position]);
        rest = &rest[position..];
        if rest.starts_with('&') {
            rest = push_character_reference(&mut output, rest);
        } else {
            rest = skip_markup(&mut output, rest, &mut unclosed);
        }
    }
    push_text(&mut output, rest);
    tidy_lines(&output)
}

/// Appends text, turning every run of white space into one space.
fn push_text(output: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !output.ends_with([' ', '\n']) && !output.is_empty() {
                output.push(' ');
            }
        } else {
            output.push(c);
        }
    }
}

/// Decodes a character reference at the start of `text` (which starts with
/// `&`) and returns the text after it. An unknown reference stays literal.
fn push_character_reference<'a>(output: &mut String, text: &'a str) -> &'a str {
    let end = text
        .char_indices()
        .skip(1)
        .take(32)
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
        .map(|(index, _)| index);
    let Some(end) = end.filter(|&end| text[end..].starts_with(';') && end > 1) else {
        output.push('&');
        return &text[1..];
    };
    let reference = &text[..=end];
    let mut decoded = String::new();
    mail_parser::decoders::html::add_html_token(&mut decoded, reference.as_bytes(), false);
    // A no-break space reads as a space in plain text.
    push_text(output, &decoded.replace('\u{a0}', " "));
    &text[end + 1..]
}

/// Skips a tag, comment or declaration at the start of `text` (which starts
/// with `<`) and returns the text after it, after the closing tag of a
/// hidden element. Writes the line break or space the element stands for.
fn skip_markup<'a>(output: &mut String, text: &'a str, unclosed: &mut Vec<String>) -> &'a str {
    if let Some(comment) = text.strip_prefix("<!--") {
        return comment.find("-->").map_or("", |end| &comment[end + 3..]);
    }
    let Some(end) = find_tag_end(text) else {
        // A `<` that opens no tag is text.
        output.push('<');
        return &text[1..];
    };
    let tag = &text[1..end];
    let rest = &text[end + 1..];
    let name = tag_name(tag);
    if name.is_empty() {
        return rest;
    }
    let is_closing = tag.starts_with('/');
    if !is_closing && HIDDEN_ELEMENTS.contains(&name.as_str()) && !unclosed.contains(&name) {
        let closing = format!("</{name}");
        if let Some(position) = find_ignoring_case(rest, &closing) {
            let after = &rest[position..];
            return after.find('>').map_or("", |end| &after[end + 1..]);
        }
        unclosed.push(name);
        return rest;
    }
    if BLOCK_ELEMENTS.contains(&name.as_str()) {
        trim_trailing_spaces(output);
        output.push('\n');
    } else if CELL_ELEMENTS.contains(&name.as_str()) && !is_closing {
        push_text(output, " ");
    }
    rest
}

/// Returns the position of the `>` that closes the tag at the start of
/// `text`, skipping `>` inside quoted attribute values.
fn find_tag_end(text: &str) -> Option<usize> {
    let first = text[1..].chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/' || first == '!' || first == '?') {
        return None;
    }
    let mut quote = None;
    for (index, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (None, '>') => return Some(index),
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            _ => {}
        }
    }
    None
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .char_indices()
        .map(|(index, _)| index)
        .find(|&index| {
            haystack
                .get(index..index + needle.len())
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(needle))
        })
}

fn trim_trailing_spaces(output: &mut String) {
    while output.ends_with(' ') {
        output.pop();
    }
}

/// Trims every line and allows at most one empty line in a row.
fn tidy_lines(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut empty_lines = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            empty_lines += 1;
            continue;
        }
        if !output.is_empty() {
            output.push_str(if empty_lines > 1 { "\n\n" } else { "\n" });
        }
        empty_lines = 0;
        output.push_str(line);
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_removed() {
        let html = "<html>\n<body>\n<h1>\nThis is html only mail\n</h1>\n</body>\n</html>\n";
        assert_eq!(html_to_text(html), "This is html only mail");
    }

    #[test]
    fn head_contents_are_hidden() {
        let html = "<html><head><title>Subject</title><style>p { color: red }</style>\
                    <meta charset=\"utf-8\"></head><body>t\u{e6}st</body></html>";
        assert_eq!(html_to_text(html), "tæst");
    }

    #[test]
    fn entities_are_decoded() {
        let html = "<p>a &lt;b&gt; &amp; c&nbsp;d &#25105; &#x4f60; &eacute;</p>";
        assert_eq!(html_to_text(html), "a <b> & c d 我 你 é");
    }

    #[test]
    fn unknown_entities_stay_literal() {
        assert_eq!(html_to_text("AT&T &bogus; & more"), "AT&T &bogus; & more");
    }

    #[test]
    fn blocks_break_lines() {
        let html = "<div>one</div><div>two<br>three</div><p>four</p>";
        assert_eq!(html_to_text(html), "one\ntwo\nthree\nfour");
    }

    #[test]
    fn cells_are_separated() {
        let html = "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>";
        assert_eq!(html_to_text(html), "a b\nc");
    }

    #[test]
    fn comments_and_quoted_brackets_are_skipped() {
        let html = "x<!-- <p>hidden</p> -->y<a title=\"a > b\">z</a>";
        assert_eq!(html_to_text(html), "xyz");
    }

    #[test]
    fn stray_less_than_is_text() {
        assert_eq!(html_to_text("1 < 2 and 3 <4"), "1 < 2 and 3 <4");
    }

    #[test]
    fn unclosed_markup_does_not_panic() {
        assert_eq!(html_to_text("<style>never closed"), "never closed");
        assert_eq!(html_to_text("text <!-- open"), "text");
        assert_eq!(html_to_text("<a href=\"x"), "<a href=\"x");
        assert_eq!(html_to_text("&"), "&");
        assert_eq!(html_to_text("<"), "<");
    }
}
