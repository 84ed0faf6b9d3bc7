//! Linking the email addresses and phone numbers an adapter reported for a
//! message's customer (the `identities` plugin interface).
//!
//! An adapter reports an identity only when the input itself lists it, as a
//! chat platform's contact record does. The host then links it in the
//! transaction that stores the message:
//!
//! - an identity no customer owns is added to the message's customer;
//! - a message address that no customer owns yet (a new chat contact) is
//!   added to the customer who owns the reported identities, when they all
//!   belong to one customer. So a person who emailed first and then chats
//!   stays one customer;
//! - an identity that belongs to another customer is never merged. The
//!   message gets a note with the `kefu customers merge` command, and the
//!   conflict is logged.
//!
//! Each link is recorded in the customer's changes as made by
//! `plugin:<adapter id>`.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::identity::IdentityConfig;
use crate::model::{Channel, Customer, IncomingMessage};
use crate::plugin::ReportedIdentity;
use crate::store::{Address, ChangeBy, Writer};

/// Maximum length of an email address accepted from an adapter, in bytes:
/// SMTP (RFC 5321) limits a path to 256 octets with its angle brackets.
const MAX_EMAIL_BYTES: usize = 254;

/// Identities one `parse` call reported, by the customer address the
/// adapter gave with them.
#[derive(Debug, Default)]
pub(super) struct ReportedByCustomer {
    by_address: HashMap<String, Vec<ReportedIdentity>>,
}

impl ReportedByCustomer {
    /// Groups the reports by customer address. Reports for an address that
    /// is empty or that no message of the same call has are dropped and
    /// logged, because nothing ties them to a customer.
    pub fn new<'m>(
        reports: Vec<ReportedIdentity>,
        message_customers: impl IntoIterator<Item = &'m str>,
        adapter_id: &str,
        source: &str,
    ) -> Self {
        let known: BTreeSet<&str> = message_customers.into_iter().collect();
        let mut by_address: HashMap<String, Vec<ReportedIdentity>> = HashMap::new();
        let mut dropped = 0usize;
        for report in reports {
            if report.customer.trim().is_empty() || !known.contains(report.customer.as_str()) {
                dropped += 1;
                continue;
            }
            by_address
                .entry(report.customer.clone())
                .or_default()
                .push(report);
        }
        if dropped > 0 {
            tracing::warn!(
                adapter = adapter_id,
                source,
                dropped,
                "adapter reported identities for customer addresses that none of its messages \
                 has; ignored"
            );
        }
        Self { by_address }
    }

    /// Returns the reports for a customer address as the adapter wrote it.
    pub fn for_customer(&self, address: &str) -> &[ReportedIdentity] {
        self.by_address.get(address).map_or(&[], Vec::as_slice)
    }
}

/// Finds or creates the customer of `message` and links the reported
/// identities to it, as the module documentation describes. Notes about
/// invalid identities, links and conflicts are added to the message.
/// Returns the customer and whether it was created.
pub(super) fn resolve_customer(
    writer: &Writer<'_>,
    message: &mut IncomingMessage,
    reported: &[ReportedIdentity],
    adapter_id: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<(Customer, bool)> {
    let identity = writer.desk().identity;
    let mut addresses: Vec<Address> = Vec::new();
    for report in reported {
        match normalize_reported(&identity, report) {
            Ok(address) if !addresses.contains(&address) => addresses.push(address),
            Ok(_) => {}
            Err(note) => message.notes.push(note),
        }
    }
    let own = Address {
        channel: message.channel,
        value: identity.normalize(message.channel, &message.customer.address),
    };
    let actor = format!("plugin:{adapter_id}");

    if !addresses.is_empty() && writer.address_owner(&own)?.is_none() {
        let mut owners = BTreeSet::new();
        for address in &addresses {
            owners.extend(writer.address_owner(address)?);
        }
        if let [owner] = owners.into_iter().collect::<Vec<_>>()[..] {
            let listed: Vec<String> = addresses.iter().map(Address::to_string).collect();
            let reason = format!(
                "the contact record of {own} in the input also lists {}",
                listed.join(", ")
            );
            let by = ChangeBy {
                actor: &actor,
                reason: Some(&reason),
                at,
            };
            writer.link_address(owner, &own, by)?;
            message.notes.push(format!(
                "Linked {own} to customer {owner}, who has an address that the contact record \
                 in the input lists."
            ));
            tracing::info!(customer = owner, address = %own, adapter = adapter_id, "linked a new contact to an existing customer");
        }
    }

    let (customer, created) = writer.find_or_create_customer(
        message.channel,
        &message.customer.address,
        message.customer.name.as_deref(),
        at,
    )?;
    for address in &addresses {
        match writer.address_owner(address)? {
            None => {
                let reason = format!("the contact record of {own} in the input lists it");
                let by = ChangeBy {
                    actor: &actor,
                    reason: Some(&reason),
                    at,
                };
                writer.link_address(customer.id, address, by)?;
                message.notes.push(format!(
                    "Linked {address} to this customer: the contact record in the input lists it."
                ));
            }
            Some(owner) if owner == customer.id => {}
            Some(owner) => {
                tracing::info!(
                    customer = customer.id,
                    owner,
                    address = %address,
                    adapter = adapter_id,
                    "reported identity belongs to another customer; not merged"
                );
                message.notes.push(format!(
                    "The contact record in the input lists {address}, which belongs to \
                     customer {owner}, so it was not linked to customer {}. If they are one \
                     person, run `kefu customers merge {} {owner}`.",
                    customer.id, customer.id
                ));
            }
        }
    }
    Ok((customer, created))
}

/// Normalises a reported identity as stored: email addresses lower-cased,
/// phone numbers in E.164. The error is a note for the message that names
/// the value and why it was not linked.
fn normalize_reported(
    identity: &IdentityConfig,
    report: &ReportedIdentity,
) -> Result<Address, String> {
    let written = report.value.trim();
    match report.channel {
        Channel::Email => {
            let value = identity.normalize(Channel::Email, written);
            if is_email_address(&value) {
                Ok(Address {
                    channel: Channel::Email,
                    value,
                })
            } else {
                Err(format!(
                    "The input lists {written:?} as the customer's email address, which is not \
                     an address such as name@example.com, so it was not linked."
                ))
            }
        }
        Channel::Phone => match identity.valid_phone(written) {
            Some(value) => Ok(Address {
                channel: Channel::Phone,
                value,
            }),
            None => Err(format!(
                "The input lists {written:?} as the customer's phone number, which is not a \
                 valid full number (for example +86 138 0013 8000), so it was not linked."
            )),
        },
        Channel::Chat => Err(format!(
            "The adapter reported the chat id {written:?} as another identity; only email \
             addresses and phone numbers are linked."
        )),
    }
}

/// Returns whether `value` has the form `local@domain`: one `@`, neither
/// part empty, no whitespace or control characters, and at most
/// [`MAX_EMAIL_BYTES`] bytes. The check is loose on purpose, because the
/// platform that sent the contact record validated the address already
/// (Chatwoot with Devise's `email_regexp`, in `app/models/contact.rb`).
fn is_email_address(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= MAX_EMAIL_BYTES
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(channel: Channel, value: &str) -> ReportedIdentity {
        ReportedIdentity {
            customer: "chatwoot:14".to_string(),
            channel,
            value: value.to_string(),
        }
    }

    #[test]
    fn email_lower_cased_and_checked() {
        let config = IdentityConfig::default();
        let address =
            normalize_reported(&config, &report(Channel::Email, " Wang.Fang@Example.CN ")).unwrap();
        assert_eq!(address.to_string(), "email:wang.fang@example.cn");
        for invalid in [
            "wang.fang",
            "@example.cn",
            "wang@",
            "a@b@c",
            "wang fang@example.cn",
        ] {
            let note = normalize_reported(&config, &report(Channel::Email, invalid)).unwrap_err();
            assert!(note.contains(invalid), "{note}");
        }
    }

    #[test]
    fn phone_in_e164_or_rejected() {
        let config = IdentityConfig::default();
        let address =
            normalize_reported(&config, &report(Channel::Phone, "+86 138 0013 8000")).unwrap();
        assert_eq!(address.to_string(), "phone:+8613800138000");
        let note = normalize_reported(&config, &report(Channel::Phone, "200")).unwrap_err();
        assert!(note.contains("\"200\""), "{note}");
    }

    #[test]
    fn reports_for_unknown_customer_dropped() {
        let reports = vec![
            report(Channel::Email, "a@example.cn"),
            ReportedIdentity {
                customer: "chatwoot:99".to_string(),
                channel: Channel::Email,
                value: "b@example.cn".to_string(),
            },
        ];
        let grouped = ReportedByCustomer::new(reports, ["chatwoot:14"], "chat", "test");
        assert_eq!(grouped.for_customer("chatwoot:14").len(), 1);
        assert!(grouped.for_customer("chatwoot:99").is_empty());
    }
}
