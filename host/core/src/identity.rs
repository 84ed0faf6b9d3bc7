//! Normalised customer addresses, so the same person is found again
//! whichever way an input spells their address.

use std::path::Path;
use std::str::FromStr;

use phonenumber::country::Id as Country;
use serde::{Deserialize, Deserializer};

use crate::model::Channel;

/// Name of the file in the configuration folder that sets how customer
/// addresses are read.
pub const FILE_NAME: &str = "customers.toml";

/// Settings for reading customer addresses, from `customers.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IdentityConfig {
    /// Country whose national numbering a phone number without a country
    /// code follows, for example `CN` for `010-12345678`.
    #[serde(default = "default_country", deserialize_with = "country")]
    pub default_country: Country,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            default_country: default_country(),
        }
    }
}

fn default_country() -> Country {
    Country::CN
}

fn country<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Country, D::Error> {
    let code = String::deserialize(deserializer)?;
    Country::from_str(code.trim()).map_err(|_| {
        serde::de::Error::custom(format!(
            "{code:?} is not a country code; use a two-letter ISO 3166 code in capitals, \
             such as \"CN\" or \"US\""
        ))
    })
}

impl IdentityConfig {
    /// Reads `customers.toml` from `config_dir`, or returns the defaults
    /// when the file does not exist.
    pub fn load(config_dir: &Path) -> anyhow::Result<Self> {
        let path = config_dir.join(FILE_NAME);
        match crate::desk::read_config(&path) {
            Ok(text) => Self::parse(&text)
                .map_err(|error| anyhow::anyhow!("{}: {}", path.display(), error.trim_end())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(anyhow::anyhow!("reading {}: {error}", path.display())),
        }
    }

    /// Parses the text of `customers.toml`. The error names the line, key
    /// and value.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|error| error.to_string())
    }

    /// Returns a phone number in E.164 when it is a valid number, read with
    /// this configuration's default country.
    pub fn valid_phone(&self, address: &str) -> Option<String> {
        valid_phone_e164(address, self.default_country)
    }

    /// Normalises an address on a channel with this configuration's
    /// default country.
    pub fn normalize(&self, channel: Channel, address: &str) -> String {
        normalize_in(channel, address, self.default_country)
    }
}

/// Normalises an address on a channel with the built-in default country
/// (China).
pub fn normalize(channel: Channel, address: &str) -> String {
    normalize_in(channel, address, default_country())
}

/// Normalises an address on a channel: email addresses lower-cased, phone
/// numbers in E.164 (see [`normalize_phone`]), chat ids trimmed.
pub fn normalize_in(channel: Channel, address: &str, default_country: Country) -> String {
    let address = address.trim();
    match channel {
        Channel::Email => address
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_lowercase(),
        Channel::Phone => normalize_phone(address, default_country),
        Channel::Chat => address.to_string(),
    }
}

/// Normalises a phone number to E.164 (`+8613800138000`) when
/// libphonenumber's metadata finds it a valid number, read as a national
/// number of `default_country` unless it starts with `+` or an
/// international prefix such as `00`. A `86` written without `+` in front
/// of a mainland number is taken as the country code.
///
/// Anything else, such as an extension (`200`), a number too short for
/// its country (`555-0100`) or a withheld caller id (`anonymous`), keeps
/// the old form: digits with a leading `+` when written with one, or the
/// text as written when it has no digits.
pub fn normalize_phone(address: &str, default_country: Country) -> String {
    let address = address.trim();
    if !address.chars().any(|c| c.is_ascii_digit()) {
        // Not a number (a withheld caller id such as `anonymous`); keep
        // it as written so it stays distinct.
        return address.to_string();
    }
    let candidate = phone_candidate(address);
    e164_of_candidate(&candidate, default_country).unwrap_or(candidate)
}

/// Returns a phone number in E.164, read as [`normalize_phone`] reads it,
/// or `None` when libphonenumber's metadata does not find it a valid number.
pub fn valid_phone_e164(address: &str, default_country: Country) -> Option<String> {
    e164_of_candidate(&phone_candidate(address.trim()), default_country)
}

/// Returns the digits of a phone number, with a leading `+` when it was
/// written with one.
fn phone_candidate(address: &str) -> String {
    let digits: String = address.chars().filter(char::is_ascii_digit).collect();
    if address.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    }
}

fn e164_of_candidate(candidate: &str, default_country: Country) -> Option<String> {
    let number = phonenumber::parse(Some(default_country), candidate).ok()?;
    phonenumber::is_valid(&number)
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(address: &str) -> String {
        normalize(Channel::Phone, address)
    }

    #[test]
    fn email_address_lower_cased() {
        assert_eq!(
            normalize(Channel::Email, " <Customer.A@Example.CN> "),
            "customer.a@example.cn"
        );
    }

    #[test]
    fn mainland_mobile_in_every_spelling() {
        for written in [
            "13800138000",
            "138 0013 8000",
            "+86 (138) 0013-8000",
            "+8613800138000",
            "0086 13800138000",
            "8613800138000",
            "86-138-0013-8000",
        ] {
            assert_eq!(phone(written), "+8613800138000", "{written}");
        }
    }

    #[test]
    fn landline_with_area_code() {
        assert_eq!(phone("010-12345678"), "+861012345678");
        assert_eq!(phone("+86 10 1234 5678"), "+861012345678");
        assert_eq!(phone("0755 1234 5678"), "+8675512345678");
        assert_eq!(phone("(020) 1234-5678"), "+862012345678");
    }

    #[test]
    fn service_numbers_400_and_800() {
        assert_eq!(phone("400-810-8888"), "+864008108888");
        assert_eq!(phone("800 820 8820"), "+868008208820");
    }

    #[test]
    fn other_country_in_e164_kept() {
        assert_eq!(phone("+1 415-555-0100"), "+14155550100");
        assert_eq!(phone("+14155550100"), "+14155550100");
    }

    #[test]
    fn extensions_and_short_numbers_keep_digits() {
        assert_eq!(phone("200"), "200");
        assert_eq!(phone("1001"), "1001");
        assert_eq!(phone("555-0101"), "5550101");
    }

    #[test]
    fn valid_phone_only_for_full_numbers() {
        let config = IdentityConfig::default();
        assert_eq!(
            config.valid_phone("+86 138 0013 8000").as_deref(),
            Some("+8613800138000")
        );
        assert_eq!(
            config.valid_phone("13800138000").as_deref(),
            Some("+8613800138000")
        );
        for invalid in ["200", "555-0100", "anonymous", "", "+1 555"] {
            assert_eq!(config.valid_phone(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn withheld_caller_id_kept() {
        assert_eq!(phone("anonymous"), "anonymous");
        assert_eq!(phone(" Restricted "), "Restricted");
    }

    #[test]
    fn default_country_changes_national_numbers() {
        let us = IdentityConfig::parse("default-country = \"US\"").unwrap();
        assert_eq!(
            us.normalize(Channel::Phone, "(415) 555-0100"),
            "+14155550100"
        );
        assert_eq!(
            us.normalize(Channel::Phone, "+86 138 0013 8000"),
            "+8613800138000"
        );
    }

    #[test]
    fn config_defaults_to_china() {
        assert_eq!(
            IdentityConfig::parse("").unwrap().default_country,
            Country::CN
        );
        assert_eq!(IdentityConfig::default().default_country, Country::CN);
    }

    #[test]
    fn unknown_country_named_with_line() {
        let error = IdentityConfig::parse("\n default-country = \"China\"\n").unwrap_err();
        assert!(error.contains("\"China\" is not a country code"), "{error}");
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("default-country"), "{error}");
    }

    #[test]
    fn unknown_key_named() {
        let error = IdentityConfig::parse("country = \"CN\"").unwrap_err();
        assert!(error.contains("country"), "{error}");
    }

    #[test]
    fn chat_id_only_trimmed() {
        assert_eq!(normalize(Channel::Chat, " User-42 "), "User-42");
    }
}
