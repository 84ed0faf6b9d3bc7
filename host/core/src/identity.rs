//! Normalised customer addresses, so the same person is found again
//! whichever way an input spells their address.

use crate::model::Channel;

/// Normalises an address on a channel: email addresses lower-cased, phone
/// numbers reduced to digits with an optional leading `+` (a caller id
/// with no digits is kept as written), chat ids trimmed.
pub fn normalize(channel: Channel, address: &str) -> String {
    let address = address.trim();
    match channel {
        Channel::Email => address
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_lowercase(),
        Channel::Phone => {
            let digits: String = address.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() {
                // Not a number (a withheld caller id such as `anonymous`);
                // keep it as written so it stays distinct.
                address.to_string()
            } else if address.starts_with('+') {
                format!("+{digits}")
            } else {
                digits
            }
        }
        Channel::Chat => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_address_lower_cased() {
        assert_eq!(
            normalize(Channel::Email, " <Customer.A@Example.CN> "),
            "customer.a@example.cn"
        );
    }

    #[test]
    fn phone_number_keeps_digits_and_plus() {
        assert_eq!(
            normalize(Channel::Phone, "+86 (138) 0013-8000"),
            "+8613800138000"
        );
        assert_eq!(normalize(Channel::Phone, "555-0101"), "5550101");
    }

    #[test]
    fn phone_without_digits_kept() {
        assert_eq!(normalize(Channel::Phone, "anonymous"), "anonymous");
    }

    #[test]
    fn chat_id_only_trimmed() {
        assert_eq!(normalize(Channel::Chat, " User-42 "), "User-42");
    }
}
