//! The "Customer Support on Twitter" CSV (Kaggle dataset
//! `thoughtvector/customer-support-on-twitter`, file `twcs.csv`).
//!
//! Columns, found by the header row: `tweet_id`, `author_id`, `inbound`,
//! `created_at`, `text`, `response_tweet_id` and `in_response_to_tweet_id`.
//! Rows are in no particular order, so threads are rebuilt from
//! `in_response_to_tweet_id` after all rows are read.
//!
//! Every Twitter id the adapter passes on (thread key, external id,
//! replies-to, party address) starts with `twitter:`, so it differs from
//! every Chatwoot id and from every chat JSON Lines id that does not itself
//! start with `twitter:`. Notes show the bare tweet ids.

use std::collections::HashMap;

use chrono::DateTime;
use kefu_plugin_sdk::adapter::exports::kefu::plugin::adapter::{ParseError, Parsed, Rejected};
use kefu_plugin_sdk::adapter::kefu::plugin::types::{Channel, Direction, Message, Party, Span};

use crate::charset::{self, FileCharset};
use crate::{span_between, threads};

/// Prefix of every id taken from the CSV.
const ID_PREFIX: &str = "twitter:";

/// Start of the header row.
const HEADER_START: &[u8] = b"tweet_id,author_id,inbound,created_at,text";

/// Time format of `created_at`, as in `Tue Oct 31 22:10:47 +0000 2017`.
const TIME_FORMAT: &str = "%a %b %d %H:%M:%S %z %Y";

/// Columns the adapter needs, by header name.
const REQUIRED_COLUMNS: &[&str] = &[
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "in_response_to_tweet_id",
];

/// Returns whether the input starts with the twcs header row.
pub fn has_header(head: &[u8]) -> bool {
    head.starts_with(HEADER_START)
}

/// One row, as read before threads are known.
struct Tweet {
    id: String,
    author: String,
    is_inbound: bool,
    sent_at: i64,
    text: String,
    in_response_to: Option<String>,
    span: Span,
    /// Note naming the charset assumed for a row that is not UTF-8.
    charset_note: Option<&'static str>,
}

/// Column positions, from the header row.
struct Columns {
    tweet_id: usize,
    author_id: usize,
    inbound: usize,
    created_at: usize,
    text: usize,
    in_response_to: usize,
    count: usize,
}

impl Columns {
    fn from_header(header: &csv::ByteRecord) -> Result<Self, String> {
        let position = |name: &str| {
            header
                .iter()
                .position(|column| column.trim_ascii() == name.as_bytes())
                .ok_or_else(|| format!("the header row has no {name:?} column"))
        };
        for name in REQUIRED_COLUMNS {
            position(name)?;
        }
        Ok(Self {
            tweet_id: position("tweet_id")?,
            author_id: position("author_id")?,
            inbound: position("inbound")?,
            created_at: position("created_at")?,
            text: position("text")?,
            in_response_to: position("in_response_to_tweet_id")?,
            count: header.len(),
        })
    }
}

/// Parses the CSV. A row that cannot be read or decoded is rejected with
/// its line number; the others are still read.
pub fn parse(bytes: &[u8], content_start: usize) -> Result<Parsed, ParseError> {
    let content = &bytes[content_start..];
    let file_charset = charset::detect_file(content);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(content);
    let columns = reader
        .byte_headers()
        .map_err(|error| format!("the header row cannot be read: {error}"))
        .and_then(Columns::from_header)
        .map_err(|reason| {
            ParseError::Malformed(format!("The Twitter CSV is invalid: {reason}."))
        })?;

    let mut tweets = Vec::new();
    let mut rejected = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().clone();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let line = error
                    .position()
                    .map_or(start.line(), |position| position.line());
                rejected.push(Rejected {
                    span: Some(span_between(
                        bytes,
                        content_start + start.byte() as usize,
                        bytes.len(),
                    )),
                    reason: format!("Line {line}: the CSV cannot be read from here on: {error}."),
                });
                break;
            }
        }
        let position = record.position().unwrap_or(&start);
        let line = position.line();
        let span = span_between(
            bytes,
            content_start + position.byte() as usize,
            content_start + reader.position().byte() as usize,
        );
        match tweet_from_record(&record, &columns, file_charset, span) {
            Ok(tweet) => tweets.push(tweet),
            Err(reason) => rejected.push(Rejected {
                span: Some(span),
                reason: format!("Line {line}: {reason}."),
            }),
        }
    }

    Ok(Parsed {
        messages: messages_with_threads(&tweets),
        rejected,
    })
}

fn tweet_from_record(
    record: &csv::ByteRecord,
    columns: &Columns,
    file_charset: FileCharset,
    span: Span,
) -> Result<Tweet, String> {
    if record.len() != columns.count {
        return Err(format!(
            "the row has {} columns, but the header row has {}",
            record.len(),
            columns.count
        ));
    }
    let row = charset::decode_row(record, file_charset)?;
    let field = |index: usize| row.fields[index].as_str();

    let id = field(columns.tweet_id).trim().to_string();
    if id.is_empty() {
        return Err("tweet_id is empty".to_string());
    }
    let author = field(columns.author_id).trim().to_string();
    if author.is_empty() {
        return Err(format!("author_id of tweet {id} is empty"));
    }

    let created_at = field(columns.created_at);
    let sent_at = DateTime::parse_from_str(created_at.trim(), TIME_FORMAT)
        .map_err(|_| {
            format!(
                "created_at {created_at:?} of tweet {id} is not a time like \"Tue Oct 31 22:10:47 +0000 2017\""
            )
        })?
        .timestamp();

    // The brand accounts are the support team; customers' ids were
    // anonymised to numbers. A numeric author flagged inbound is a customer.
    let inbound_flag = field(columns.inbound);
    let is_inbound = inbound_flag.trim().eq_ignore_ascii_case("true") && is_numeric(&author);

    let in_response_to =
        Some(field(columns.in_response_to).trim().to_string()).filter(|id| !id.is_empty());
    Ok(Tweet {
        id,
        author,
        is_inbound,
        sent_at,
        text: decode_html_entities(field(columns.text)),
        in_response_to,
        span,
        charset_note: row.note,
    })
}

/// Returns a Twitter id with the `twitter:` prefix.
fn prefixed(id: &str) -> String {
    format!("{ID_PREFIX}{id}")
}

fn is_numeric(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit())
}

/// Builds the messages in input order, with each tweet's thread root as its
/// thread key and the conversation's customer.
fn messages_with_threads(tweets: &[Tweet]) -> Vec<Message> {
    // The first row wins when a tweet id repeats.
    let mut index_by_id: HashMap<&str, usize> = HashMap::new();
    for (index, tweet) in tweets.iter().enumerate() {
        index_by_id.entry(tweet.id.as_str()).or_insert(index);
    }
    let parents: Vec<Option<usize>> = tweets
        .iter()
        .map(|tweet| {
            let parent = tweet.in_response_to.as_deref()?;
            index_by_id.get(parent).copied()
        })
        .collect();
    let is_customer: Vec<bool> = tweets.iter().map(|tweet| tweet.is_inbound).collect();
    let roots = threads::roots(&parents);
    let nearest_customers = threads::nearest_customer(&parents, &is_customer);

    // The first customer tweet of each thread, for team tweets that reply
    // to no customer tweet (such as a broadcast that opened the thread).
    let mut thread_customers: HashMap<usize, &str> = HashMap::new();
    for (tweet, &root) in tweets.iter().zip(&roots) {
        if tweet.is_inbound {
            thread_customers
                .entry(root)
                .or_insert(tweet.author.as_str());
        }
    }

    tweets
        .iter()
        .enumerate()
        .map(|(index, tweet)| {
            let root = tweets[roots[index]].id.as_str();
            let sender = Party {
                name: None,
                address: prefixed(&tweet.author),
            };
            let mut notes = Vec::new();
            notes.extend(tweet.charset_note.map(str::to_string));
            let (direction, customer) = if tweet.is_inbound {
                (Direction::Inbound, sender.clone())
            } else {
                let address = nearest_customers[index]
                    .map(|customer| tweets[customer].author.as_str())
                    .or_else(|| thread_customers.get(&roots[index]).copied())
                    .or_else(|| first_numeric_mention(&tweet.text))
                    .unwrap_or_default();
                if address.is_empty() {
                    notes.push(format!(
                        "No customer tweet is in thread {root} and the text mentions no customer, \
                         so the customer is unknown."
                    ));
                }
                let customer = Party {
                    name: None,
                    address: if address.is_empty() {
                        String::new()
                    } else {
                        prefixed(address)
                    },
                };
                (Direction::Outbound, customer)
            };
            if let Some(parent) = &tweet.in_response_to
                && parents[index].is_none()
            {
                notes.push(format!(
                    "Tweet {parent}, which this tweet answers, is not in the file, so this tweet starts its own thread."
                ));
            }
            Message {
                channel: Channel::Chat,
                direction,
                sender,
                customer,
                sent_at: Some(tweet.sent_at),
                subject: None,
                body_text: tweet.text.clone(),
                external_id: Some(prefixed(&tweet.id)),
                thread_key: Some(prefixed(root)),
                replies_to: tweet.in_response_to.iter().map(|id| prefixed(id)).collect(),
                automation: None,
                call: None,
                attachments: Vec::new(),
                raw_span: Some(tweet.span),
                notes,
            }
        })
        .collect()
}

/// Returns the first `@123` mention, the form anonymised customer handles
/// take in the dataset.
fn first_numeric_mention(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter_map(|word| word.strip_prefix('@'))
        .find(|handle| is_numeric(handle))
}

/// Decodes the HTML character references that Twitter puts in tweet text
/// (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;` and numeric ones). Anything
/// else stays as it is.
pub fn decode_html_entities(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(position) = rest.find('&') {
        output.push_str(&rest[..position]);
        rest = &rest[position..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let character = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => numeric_reference(entity),
            };
            character.map(|character| (character, end))
        });
        match decoded {
            Some((character, end)) => {
                output.push(character);
                rest = &rest[end + 1..];
            }
            None => {
                output.push('&');
                rest = &rest[1..];
            }
        }
    }
    output.push_str(rest);
    output
}

fn numeric_reference(entity: &str) -> Option<char> {
    let number = entity.strip_prefix('#')?;
    let code = match number.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => number.parse::<u32>().ok()?,
    };
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_html_entities("&gt;DOWN&lt; &amp; &#39;x&#x27; &quot;"),
            ">DOWN< & 'x' \""
        );
        assert_eq!(
            decode_html_entities("AT&T &unknown; & &#xZZ;"),
            "AT&T &unknown; & &#xZZ;"
        );
        assert_eq!(decode_html_entities("&"), "&");
    }

    #[test]
    fn numeric_mentions_are_found() {
        assert_eq!(
            first_numeric_mention("@sprintcare @115712 hi"),
            Some("115712")
        );
        assert_eq!(
            first_numeric_mention(".@VerizonSupport @115725 @115726"),
            Some("115725")
        );
        assert_eq!(first_numeric_mention("no mention"), None);
    }
}
