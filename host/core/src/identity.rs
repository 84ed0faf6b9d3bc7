//! Normalised customer addresses, so the same person is found again
//! whichever way an input spells their address.

use crate::model::Channel;

/// Normalises an address on a channel: email addresses lower-cased, phone
/// numbers reduced to digits with an optional leading `+`, chat ids trimmed.
pub fn normalize(channel: Channel, address: &str) -> String {
    let address = address.trim();
    match channel {
        Channel::Email => address
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_lowercase(),
        Channel::Phone => {
            let digits: String = address.chars().filter(char::is_ascii_digit).collect();
            if address.starts_with('+') {
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
    fn chat_id_only_trimmed() {
        assert_eq!(normalize(Channel::Chat, " User-42 "), "User-42");
    }
}
