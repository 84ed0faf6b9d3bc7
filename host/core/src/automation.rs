//! Built-in automation: declarative ticket rules written in TOML, and dry
//! runs of a rule over stored history.
//!
//! Declarative rules live in `rules.toml` in the configuration folder. They
//! run in the same cascade as rule plugins, after every plugin, in file
//! order (see `docs/examples/rules.toml` for every condition and action).

pub mod declarative;
pub mod dry_run;

use std::path::Path;

use crate::lifecycle::Lifecycle;

pub use declarative::{DeclarativeRule, RulesError, parse_rules, read_rules};

/// Name of the rules file in the configuration folder.
pub const RULES_FILE: &str = "rules.toml";

/// Reads `rules.toml` from `config_dir`. A missing file means no rules; a
/// file with any invalid rule is an error, and no rule of it is returned.
/// Values are checked against `lifecycle`.
pub fn load_rules(
    config_dir: &Path,
    lifecycle: &Lifecycle,
) -> Result<Vec<DeclarativeRule>, RulesError> {
    let path = config_dir.join(RULES_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    read_rules(&path, lifecycle)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::declarative::TimeTrigger;
    use super::*;

    /// Parses `text` with the built-in lifecycle.
    fn parse(text: &str) -> Result<Vec<DeclarativeRule>, RulesError> {
        parse_rules("rules.toml", text, &Lifecycle::builtin())
    }

    /// Returns the error message for a rules file that must be invalid.
    fn error(text: &str) -> String {
        match parse(text) {
            Ok(rules) => panic!("accepted {text:?} as {rules:?}"),
            Err(error) => error.to_string(),
        }
    }

    /// Builds a time rule reacting to `on`, with the extra line `key`.
    fn time_rule(on: &str, key: &str) -> String {
        format!("[[rule]]\nname = \"r\"\non = [\"{on}\"]\n{key}\n[rule.then]\nadd-tag = [\"t\"]\n")
    }

    #[test]
    fn keywords_error_shows_toml_list() {
        let message = error(
            "[[rule]]\nname = \"r\"\non = [\"ticket-created\"]\n\
             [rule.when]\nkeywords = [\"x\", \"退款\"]\n[rule.then]\nadd-tag = [\"t\"]\n",
        );
        assert!(
            message.contains(r#"when.keywords = ["x", "退款"]"#),
            "{message}"
        );
        assert!(!message.contains("Spanned"), "{message}");
        assert!(!message.contains("span"), "{message}");
    }

    #[test]
    fn empty_on_error_shows_toml_list() {
        let message = error("[[rule]]\nname = \"r\"\non = []\n[rule.then]\nadd-tag = [\"t\"]\n");
        assert!(message.contains("on = []"), "{message}");
    }

    #[test]
    fn duplicate_name_error_quotes_name() {
        let rule = "[[rule]]\nname = \"same\"\non = [\"ticket-created\"]\n\
                    [rule.then]\nadd-tag = [\"t\"]\n";
        let message = error(&format!("{rule}{rule}"));
        assert!(message.contains(r#"name = "same""#), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn sla_warning_share_bounds() {
        for at in ["100%", "0%", "120%", "-5%"] {
            let message = error(&time_rule("sla-warning", &format!("at = \"{at}\"")));
            assert!(
                message.contains("above 0% and below 100%"),
                "{at}: {message}"
            );
            assert!(!message.contains("between"), "{at}: {message}");
        }
        let message = error(&time_rule("sla-warning", "at = \"100%\""));
        assert!(message.contains("sla-breach"), "{message}");
        for at in ["80", "eighty%", "NaN%", "inf%"] {
            let message = error(&time_rule("sla-warning", &format!("at = \"{at}\"")));
            assert!(message.contains("in percent"), "{at}: {message}");
        }
    }

    #[test]
    fn sla_warning_share_shown_as_written() {
        for (at, shown) in [("80%", "80%"), ("80.5%", "80.5%"), ("0.5%", "0.5%")] {
            let rules = parse(&time_rule("sla-warning", &format!("at = \"{at}\""))).unwrap();
            let description = rules[0].describe().join("\n");
            assert!(
                description.contains(&format!("when {shown} of the running SLA")),
                "{at}: {description}"
            );
        }
    }

    #[test]
    fn compound_durations_accepted() {
        for (after, minutes) in [
            ("30m", 30),
            ("2h", 120),
            ("3d", 3 * 24 * 60),
            ("1h30m", 90),
            ("1d12h", 36 * 60),
            ("1h 30m", 90),
            ("366d", 366 * 24 * 60),
        ] {
            let rules = parse(&time_rule("unanswered", &format!("after = \"{after}\""))).unwrap();
            assert_eq!(
                rules[0].time,
                Some(TimeTrigger::Unanswered(Duration::minutes(minutes))),
                "{after}"
            );
        }
        let rules = parse(
            "[[rule]]\nname = \"r\"\non = [\"ticket-created\"]\n\
             [rule.when]\nage-over = \"1h30m\"\n[rule.then]\nadd-tag = [\"t\"]\n",
        )
        .unwrap();
        assert_eq!(rules[0].when.age_over, Some(Duration::minutes(90)));
        assert!(
            rules[0]
                .describe()
                .contains(&"when the ticket is older than 1 h 30 min".to_string()),
            "{:?}",
            rules[0].describe()
        );
    }

    #[test]
    fn zero_duration_rejected_as_zero() {
        for after in ["0m", "0h", "0d0h0m"] {
            let message = error(&time_rule("waiting", &format!("after = \"{after}\"")));
            assert!(message.contains("zero"), "{after}: {message}");
            assert!(!message.contains("expected numbers"), "{after}: {message}");
        }
    }

    #[test]
    fn huge_duration_names_maximum() {
        let too_long_for_u128 = format!("{}m", "9".repeat(60));
        for after in ["367d", "9000h", "99999999999999999999m", &too_long_for_u128] {
            let message = error(&time_rule("unanswered", &format!("after = \"{after}\"")));
            assert!(
                message.contains("maximum of 366 days"),
                "{after}: {message}"
            );
        }
        let message = error(
            "[[rule]]\nname = \"r\"\non = [\"ticket-created\"]\n\
             [rule.when]\nage-over = \"400d\"\n[rule.then]\nadd-tag = [\"t\"]\n",
        );
        assert!(message.contains("when.age-over = \"400d\""), "{message}");
        assert!(message.contains("maximum of 366 days"), "{message}");
    }

    #[test]
    fn malformed_duration_rejected() {
        for after in ["30", "m", "1.5h", "30m1h", "1h1h", "-5m", "5 weeks", ""] {
            let message = error(&time_rule("unanswered", &format!("after = \"{after}\"")));
            assert!(message.contains("expected numbers"), "{after:?}: {message}");
        }
    }

    #[test]
    fn describe_joins_conditions_with_and() {
        let rules = parse(
            "[[rule]]\nname = \"r\"\non = [\"unanswered\"]\nafter = \"30m\"\n\
             [rule.when]\nchannel = [\"chat\"]\ntier = [\"vip\"]\n\
             [rule.then]\nadd-tag = [\"t\"]\n\
             [[rule]]\nname = \"e\"\non = [\"message-received\"]\n\
             [rule.when]\nchannel = [\"chat\"]\ntier = [\"vip\"]\n\
             [rule.then]\nadd-tag = [\"t\"]\n",
        )
        .unwrap();
        assert_eq!(
            rules[0].describe(),
            [
                "when the customer's message is unanswered for 30 min",
                "and the channel is chat",
                "and the customer's tier is vip",
                "then add tag t",
            ]
        );
        assert_eq!(
            rules[1].describe(),
            [
                "on message-received",
                "when the channel is chat",
                "and the customer's tier is vip",
                "then add tag t",
            ]
        );
    }

    #[test]
    fn describe_rule_without_conditions() {
        let rules = parse(
            "[[rule]]\nname = \"e\"\non = [\"ticket-created\"]\n[rule.then]\nadd-tag = [\"t\"]\n\
             [[rule]]\nname = \"b\"\non = [\"sla-breach\"]\n[rule.then]\nadd-tag = [\"t\"]\n",
        )
        .unwrap();
        assert_eq!(rules[0].describe()[1], "with no conditions");
        assert_eq!(rules[1].describe()[1], "with no other conditions");
        for rule in &rules {
            assert!(!rule.describe().contains(&"always".to_string()));
        }
    }
}
