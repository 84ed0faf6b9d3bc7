//! Outbound messages: replies an agent or a rule writes, the outbox they
//! wait in, and their delivery: mail over SMTP, chat replies over HTTP to
//! the endpoints in `chat-out.toml`.
//!
//! A reply is stored as an outbound message and queued in one transaction,
//! so its text is kept before anything is sent. Delivery formats it with
//! the channel adapter's `format-reply` once, keeps those bytes, and sends
//! them. A failed attempt stays queued with the error and is retried later.
//! Each mail's Message-ID carries a signed token naming its conversation
//! ([`token`]), which ingest uses to thread the customer's reply.

pub mod chat;
pub mod chat_config;
pub mod config;
pub mod deliver;
pub mod reply;
pub mod token;

pub use chat_config::ChatOutConfig;
pub use config::{OutgoingConfig, OutgoingConfigError, Security, SmtpConfig, TeamAddress};
pub use deliver::{DeliveryReport, deliver_due};
pub use reply::{AutomaticReply, QueuedReply, ReplyRequest, queue_phrase_reply, queue_reply};

/// Name under which the conversation-token key is stored.
pub const TOKEN_KEY_NAME: &str = "conversation-token-key";
