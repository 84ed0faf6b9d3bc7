//! The time zone of the reports and SLA deadlines: the `time-zone` key of
//! `[business-hours]` in `sla.toml`, read and checked by the core's
//! `SlaConfig`.

use std::path::Path;

use chrono_tz::Tz;
use kefu_core::sla::{FILE_NAME as SLA_FILE, SlaConfig};

use super::files;
use crate::labels::Label;
use crate::labels::settings as labels;

/// Reads the time zone in force from `sla.toml` in `folder`, or the
/// built-in one when the file is missing or there is no folder. Returns
/// the file's error when it cannot be used.
pub fn read(folder: Option<&Path>) -> Result<Tz, String> {
    let config = match folder {
        Some(folder) => {
            SlaConfig::load(&folder.join(SLA_FILE)).map_err(|error| error.to_string())?
        }
        None => SlaConfig::builtin(),
    };
    Ok(config.calendar().time_zone())
}

/// Checks a typed IANA time-zone name, or returns the field's error line.
pub fn check(value: &str) -> Result<Tz, Label> {
    let value = value.trim();
    value.parse::<Tz>().map_err(|_| {
        let value = value.to_string();
        Label::new(move || labels::time_zone_invalid(&value))
    })
}

/// Returns the text of `sla.toml` with `zone` as the time zone, changing
/// only that key. A missing file (`text` of `None`) starts from the
/// built-in configuration, so the new file keeps its hours and targets.
/// The text must pass the core's parser.
pub fn sla_text(path: &Path, text: Option<&str>, zone: Tz) -> anyhow::Result<String> {
    let text = text.unwrap_or(SlaConfig::builtin_text());
    let mut document = files::edit(path, Some(text)).map_err(|error| anyhow::anyhow!("{error}"))?;
    let hours = files::table_in(document.as_table_mut(), "business-hours", false)?;
    files::set_value(hours, "time-zone", zone.name().into());
    let written = document.to_string();
    SlaConfig::parse(&written, &path.display().to_string())?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sla_text_changes_only_time_zone() {
        let path = Path::new("/config/sla.toml");
        let text = "# Team hours.\n[business-hours]\ntime-zone = \"Asia/Shanghai\" # head office\n\
                    monday = [\"09:00-17:00\"]\n";
        let written = sla_text(path, Some(text), chrono_tz::Europe::Berlin).expect("edit");
        assert_eq!(
            written,
            "# Team hours.\n[business-hours]\ntime-zone = \"Europe/Berlin\" # head office\n\
             monday = [\"09:00-17:00\"]\n"
        );
    }

    #[test]
    fn sla_text_starts_from_builtin() {
        let path = Path::new("/config/sla.toml");
        let written = sla_text(path, None, chrono_tz::UTC).expect("edit");
        let parsed = SlaConfig::parse(&written, "sla.toml").expect("a valid file");
        assert_eq!(parsed.calendar().time_zone(), chrono_tz::UTC);
        assert_eq!(
            parsed.rules(),
            SlaConfig::builtin().rules(),
            "the built-in targets are kept"
        );
    }

    #[test]
    fn unknown_time_zone_rejected() {
        assert!(check("Asia/Shanghai").is_ok());
        assert!(check(" UTC ").is_ok());
        assert!(check("Asia/Beijing").is_err());
        assert!(check("").is_err());
    }
}
