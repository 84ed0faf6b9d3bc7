//! Fetching mail from IMAP accounts.
//!
//! Each unseen message is fetched with `BODY.PEEK[]`, so fetching it does
//! not mark it seen, and ingested in one transaction. Only after that
//! transaction committed is the message flagged `\Seen` (and moved, when
//! the account sets `move-to`). A crash in between leaves the message
//! unseen on the server, and the next fetch finds its bytes already
//! imported, stores nothing and flags it then.

use anyhow::Context;

use super::config::ImapAccount;
use super::connection::{Session, open_session};
use crate::ingest::{IngestSummary, Ingestor, Quarantined};

/// Result of fetching one account.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FetchReport {
    pub account: String,
    /// Unseen messages found on the server.
    pub unseen: usize,
    /// Messages flagged `\Seen` (and moved) after their bytes were stored.
    pub flagged: usize,
    /// Ingest summary of the fetched messages: stored, skipped, quarantined.
    pub summary: IngestSummary,
    /// Messages that stay unseen on the server, with the reason, to be
    /// tried again by the next fetch.
    pub failed: Vec<Quarantined>,
}

/// Fetches every unseen message of `account` into the store behind
/// `ingestor`. A message that cannot be parsed is quarantined and flagged
/// seen like any other, because its bytes are stored. A message that could
/// not be fetched or stored stays unseen and is listed in
/// [`FetchReport::failed`], and the fetch goes on with the next one.
/// Errors when the server cannot be reached, rejects the login or the
/// folder, or drops the connection.
pub fn fetch_account(
    account: &ImapAccount,
    ingestor: &mut Ingestor<'_>,
) -> anyhow::Result<FetchReport> {
    let (mut session, _socket) = open_session(account)?;
    let result = fetch_unseen(account, &mut session, ingestor);
    if let Err(error) = session.logout() {
        tracing::debug!(account = account.name, "IMAP logout failed: {error}");
    }
    result
}

fn fetch_unseen(
    account: &ImapAccount,
    session: &mut Session,
    ingestor: &mut Ingestor<'_>,
) -> anyhow::Result<FetchReport> {
    if account.move_to.is_some() && !session.capabilities()?.has_str("MOVE") {
        anyhow::bail!(
            "IMAP account {}: the server does not support MOVE, which move-to needs; remove \
             move-to to keep fetched mail in {} flagged as seen",
            account.name,
            account.folder
        );
    }
    session.select(&account.folder).with_context(|| {
        format!(
            "IMAP account {}: selecting the folder {:?} failed; check folder in intake.toml",
            account.name, account.folder
        )
    })?;
    let mut uids: Vec<u32> = session
        .uid_search("UNSEEN")
        .with_context(|| format!("IMAP account {}: searching for unseen mail", account.name))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut report = FetchReport {
        account: account.name.clone(),
        unseen: uids.len(),
        ..FetchReport::default()
    };
    for uid in uids {
        let source = format!(
            "imap://{}@{}:{}/{};UID={uid}",
            account.user, account.host, account.port, account.folder
        );
        match fetch_one(session, ingestor, uid, &source) {
            Ok(summary) => report.summary.absorb(summary),
            Err(error) => {
                // An error of the connection itself ends the fetch; the
                // messages not reached stay unseen for the next one.
                if is_connection_error(&error) {
                    return Err(error.context(format!(
                        "IMAP account {}: the connection failed at {source}",
                        account.name
                    )));
                }
                let reason = format!("left unseen on the server: {error:#}");
                tracing::error!(account = account.name, source, reason, "message not stored");
                report.failed.push(Quarantined { source, reason });
                continue;
            }
        }
        mark_done(account, session, uid)
            .with_context(|| format!("IMAP account {}: flagging {source} seen", account.name))?;
        report.flagged += 1;
    }
    tracing::info!(
        account = account.name,
        unseen = report.unseen,
        stored = report.summary.messages_stored,
        failed = report.failed.len(),
        "fetched the IMAP account"
    );
    Ok(report)
}

/// Fetches one message without marking it seen and ingests it. Returns an
/// error when the message was not stored.
fn fetch_one(
    session: &mut Session,
    ingestor: &mut Ingestor<'_>,
    uid: u32,
    source: &str,
) -> anyhow::Result<IngestSummary> {
    let fetches = session
        .uid_fetch(uid.to_string(), "BODY.PEEK[]")
        .map_err(anyhow::Error::from)?;
    let body = fetches
        .iter()
        .find(|fetch| fetch.uid == Some(uid))
        .and_then(|fetch| fetch.body())
        .with_context(|| format!("the server returned no body for UID {uid}"))?;
    let summary =
        ingestor.ingest_bytes(source, &format!("{uid}.eml"), Some("message/rfc822"), body)?;
    if let Some(not_read) = summary.not_read.first() {
        anyhow::bail!("{}", not_read.reason);
    }
    Ok(summary)
}

/// Flags a stored message seen, then moves it when the account sets
/// `move-to`.
fn mark_done(account: &ImapAccount, session: &mut Session, uid: u32) -> anyhow::Result<()> {
    session.uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")?;
    if let Some(target) = &account.move_to {
        session
            .uid_mv(uid.to_string(), target)
            .with_context(|| format!("moving the message to {target:?}"))?;
    }
    Ok(())
}

fn is_connection_error(error: &anyhow::Error) -> bool {
    matches!(
        error.downcast_ref::<imap::Error>(),
        Some(imap::Error::Io(_) | imap::Error::ConnectionLost | imap::Error::Bye(_))
    )
}
