//! Signed conversation tokens in the Message-IDs of outbound mail.
//!
//! An outbound mail's Message-ID is `kefu.CONVERSATION.NONCE.SIGNATURE@DOMAIN`.
//! The signature is HMAC-SHA256 over `kefu.CONVERSATION.NONCE` with the
//! installation's secret key, cut to [`SIGNATURE_BYTES`] bytes. A reply
//! that names such an id in In-Reply-To or References can be joined to its
//! conversation even when the other ids it names are unknown. Without the
//! key, no one can make an id that names another conversation.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Length of the secret key, in bytes.
pub const KEY_BYTES: usize = 32;

/// Length of the signature kept in a token, in bytes: 96 bits, which no
/// one guesses by sending mail.
pub const SIGNATURE_BYTES: usize = 12;

/// Length of the random nonce that makes each Message-ID unique, in bytes.
const NONCE_BYTES: usize = 8;

const PREFIX: &str = "kefu";

type HmacSha256 = Hmac<Sha256>;

/// Makes a new random secret key.
pub fn new_key() -> anyhow::Result<[u8; KEY_BYTES]> {
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key)
        .map_err(|error| anyhow::anyhow!("reading random bytes for a key failed: {error}"))?;
    Ok(key)
}

/// Makes a Message-ID (without angle brackets) that carries a signed token
/// for `conversation_id`, at `domain`.
pub fn message_id(key: &[u8], conversation_id: i64, domain: &str) -> anyhow::Result<String> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut nonce)
        .map_err(|error| anyhow::anyhow!("reading random bytes for a nonce failed: {error}"))?;
    let signed = format!("{PREFIX}.{conversation_id}.{}", hex::encode(nonce));
    let signature = sign(key, &signed);
    Ok(format!("{signed}.{signature}@{domain}"))
}

/// Returns the conversation a Message-ID names, when it is a token signed
/// with `key`. Angle brackets and spaces around the id are ignored; a
/// forged, altered or foreign id returns `None`.
pub fn verify(key: &[u8], id: &str) -> Option<i64> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _domain) = id.rsplit_once('@')?;
    let (signed, signature) = local.rsplit_once('.')?;
    let mut parts = signed.split('.');
    let (Some(prefix), Some(conversation), Some(nonce), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if prefix != PREFIX || nonce.len() != NONCE_BYTES * 2 {
        return None;
    }
    let conversation_id: i64 = conversation.parse().ok()?;
    // `parse` accepts a leading `+`, which would give two spellings of one
    // signed text.
    if conversation_id <= 0 || conversation.starts_with('+') {
        return None;
    }
    let signature = hex::decode(signature).ok()?;
    if signature.len() != SIGNATURE_BYTES {
        return None;
    }
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(signed.as_bytes());
    mac.verify_truncated_left(&signature).ok()?;
    Some(conversation_id)
}

fn sign(key: &[u8], text: &str) -> String {
    // `new_from_slice` fails only for key lengths HMAC rejects, and HMAC
    // takes keys of any length.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(text.as_bytes());
    let digest = mac.finalize().into_bytes();
    hex::encode(&digest[..SIGNATURE_BYTES])
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; KEY_BYTES] = [7; KEY_BYTES];

    #[test]
    fn token_round_trips() {
        let id = message_id(&KEY, 42, "support.example.cn").unwrap();
        assert!(id.starts_with("kefu.42."), "{id}");
        assert!(id.ends_with("@support.example.cn"), "{id}");
        assert_eq!(verify(&KEY, &id), Some(42));
        assert_eq!(verify(&KEY, &format!(" <{id}> ")), Some(42));
    }

    #[test]
    fn nonce_makes_ids_unique() {
        let first = message_id(&KEY, 42, "example.cn").unwrap();
        let second = message_id(&KEY, 42, "example.cn").unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn altered_conversation_is_rejected() {
        let id = message_id(&KEY, 42, "example.cn").unwrap();
        let altered = id.replacen("kefu.42.", "kefu.43.", 1);
        assert_eq!(verify(&KEY, &altered), None);
        let plus = id.replacen("kefu.42.", "kefu.+42.", 1);
        assert_eq!(verify(&KEY, &plus), None);
    }

    #[test]
    fn altered_signature_is_rejected() {
        let id = message_id(&KEY, 42, "example.cn").unwrap();
        let (local, domain) = id.rsplit_once('@').unwrap();
        let last = local.chars().last().unwrap();
        let swapped = if last == '0' { '1' } else { '0' };
        let altered = format!("{}{swapped}@{domain}", &local[..local.len() - 1]);
        assert_eq!(verify(&KEY, &altered), None);
        let short = format!("{}@{domain}", &local[..local.len() - 2]);
        assert_eq!(verify(&KEY, &short), None);
    }

    #[test]
    fn other_key_is_rejected() {
        let id = message_id(&KEY, 42, "example.cn").unwrap();
        assert_eq!(verify(&[8; KEY_BYTES], &id), None);
    }

    #[test]
    fn ordinary_ids_are_ignored() {
        for id in [
            "",
            "CAH1+abc@mail.gmail.com",
            "kefu.42@example.cn",
            "kefu.x.0011223344556677.00@example.cn",
            "kefu.42.0011223344556677.zz@example.cn",
        ] {
            assert_eq!(verify(&KEY, id), None, "{id}");
        }
    }
}
