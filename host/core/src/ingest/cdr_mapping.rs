//! Column mappings for call-record CSV files.
//!
//! A CSV export that is neither Asterisk Master.csv nor FreeSWITCH cdr_csv
//! is read through a mapping in TOML: `NAME.cdr.toml` beside `NAME.csv`,
//! else `cdr.toml` in the same folder. The phone-log adapter sees only an
//! input's bytes, so the mapping travels in front of the CSV as
//! `kefu-cdr-mapping LENGTH\n`, LENGTH bytes of mapping and then the CSV.
//! The raw input stored is that whole envelope, so a retry reads the
//! rows with the same mapping, and editing the mapping makes a new input.

use std::path::{Path, PathBuf};

/// File name of a mapping that applies to every CSV file in its folder.
pub const FOLDER_MAPPING: &str = "cdr.toml";

/// Ending of a mapping for one CSV file: `NAME.cdr.toml` for `NAME.csv`.
pub const FILE_MAPPING_SUFFIX: &str = ".cdr.toml";

/// Returns whether a file is a column mapping rather than an input.
pub fn is_mapping_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            let lower = name.to_ascii_lowercase();
            lower == FOLDER_MAPPING || lower.ends_with(FILE_MAPPING_SUFFIX)
        })
}

/// Returns the mapping that applies to a CSV file, when one exists.
pub fn mapping_for(csv: &Path) -> Option<PathBuf> {
    let name = csv.file_name()?.to_str()?;
    let (stem, extension) = name.rsplit_once('.')?;
    if !extension.eq_ignore_ascii_case("csv") {
        return None;
    }
    let folder = csv.parent()?;
    [
        folder.join(format!("{stem}{FILE_MAPPING_SUFFIX}")),
        folder.join(FOLDER_MAPPING),
    ]
    .into_iter()
    .find(|candidate| candidate.is_file())
}

/// Puts the mapping for `csv`, when there is one, in front of its bytes.
/// Fails with a reason when the mapping cannot be read.
pub fn wrap(csv: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let Some(mapping_path) = mapping_for(csv) else {
        return Ok(bytes);
    };
    let mapping = std::fs::read(&mapping_path).map_err(|error| {
        format!(
            "cannot read the column mapping {}: {error}",
            mapping_path.display()
        )
    })?;
    tracing::debug!(csv = %csv.display(), mapping = %mapping_path.display(), "using column mapping");
    Ok(envelope(&mapping, &bytes))
}

/// Builds the input the phone-log adapter reads: the mapping, then the CSV.
pub fn envelope(mapping: &[u8], csv: &[u8]) -> Vec<u8> {
    let mut input = format!("kefu-cdr-mapping {}\n", mapping.len()).into_bytes();
    input.reserve(mapping.len() + csv.len());
    input.extend_from_slice(mapping);
    input.extend_from_slice(csv);
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_files_recognised() {
        assert!(is_mapping_file(Path::new("exports/calls.cdr.toml")));
        assert!(is_mapping_file(Path::new("exports/CDR.TOML")));
        assert!(!is_mapping_file(Path::new("exports/calls.csv")));
        assert!(!is_mapping_file(Path::new("sla.toml")));
    }

    #[test]
    fn file_mapping_wins_over_folder_mapping() {
        let folder = tempfile::tempdir().unwrap();
        let csv = folder.path().join("may.csv");
        std::fs::write(&csv, "a,b\n").unwrap();
        assert_eq!(mapping_for(&csv), None);
        std::fs::write(folder.path().join("cdr.toml"), "[columns]\n").unwrap();
        assert_eq!(mapping_for(&csv), Some(folder.path().join("cdr.toml")));
        std::fs::write(folder.path().join("may.cdr.toml"), "[columns]\n").unwrap();
        assert_eq!(mapping_for(&csv), Some(folder.path().join("may.cdr.toml")));
        assert_eq!(mapping_for(&folder.path().join("may.eml")), None);
    }

    #[test]
    fn envelope_puts_length_first() {
        assert_eq!(
            envelope(b"x = 1\n", b"a,b\n"),
            b"kefu-cdr-mapping 6\nx = 1\na,b\n"
        );
    }
}
