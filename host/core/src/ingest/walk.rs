//! Turning the paths given to an import into a list of input files.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Lists the input files under `paths`, in a stable order.
///
/// A file is taken as it is. A Maildir folder (one with `cur` or `new`
/// inside) contributes the files in `cur` and `new`, never those in `tmp`,
/// which a mail server may still be writing. Any other folder is searched
/// recursively. Hidden files and folders (names starting with `.`) are skipped.
pub fn input_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).with_context(|| {
            format!(
                "cannot read {}: check that the path exists and is readable",
                path.display()
            )
        })?;
        if metadata.is_dir() {
            collect_folder(path, &mut files)?;
        } else if metadata.is_file() {
            files.push(path.clone());
        } else {
            bail!(
                "{} is neither a file nor a folder; pass mail, chat or call-log files or folders",
                path.display()
            );
        }
    }
    Ok(files)
}

fn collect_folder(folder: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if is_maildir(folder) {
        for sub in ["cur", "new"] {
            let sub = folder.join(sub);
            if sub.is_dir() {
                for entry in sorted_entries(&sub)? {
                    if entry.is_file() {
                        files.push(entry);
                    }
                }
            }
        }
        return Ok(());
    }
    for entry in sorted_entries(folder)? {
        if entry.is_dir() {
            collect_folder(&entry, files)?;
        } else if entry.is_file() {
            files.push(entry);
        }
    }
    Ok(())
}

fn is_maildir(folder: &Path) -> bool {
    folder.join("cur").is_dir() || folder.join("new").is_dir()
}

fn sorted_entries(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    let listing = std::fs::read_dir(folder)
        .with_context(|| format!("listing folder {}", folder.display()))?;
    for entry in listing {
        let entry = entry.with_context(|| format!("listing folder {}", folder.display()))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        entries.push(entry.path());
    }
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maildir_reads_cur_and_new_only() {
        let root = tempfile::tempdir().unwrap();
        let maildir = root.path().join("inbox");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
            std::fs::write(maildir.join(sub).join(format!("1.{sub}")), b"x").unwrap();
        }
        let files = input_files(std::slice::from_ref(&maildir)).unwrap();
        assert_eq!(
            files,
            vec![maildir.join("cur/1.cur"), maildir.join("new/1.new")]
        );
    }

    #[test]
    fn folder_recursion_skips_hidden_files() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("a/b")).unwrap();
        std::fs::write(root.path().join("a/b/x.eml"), b"x").unwrap();
        std::fs::write(root.path().join("a/.gitattributes"), b"x").unwrap();
        std::fs::write(root.path().join("z.csv"), b"x").unwrap();
        let files = input_files(&[root.path().to_path_buf()]).unwrap();
        assert_eq!(
            files,
            vec![root.path().join("a/b/x.eml"), root.path().join("z.csv")]
        );
    }

    #[test]
    fn missing_path_names_the_path() {
        let error = input_files(&[PathBuf::from("/no/such/inbox")]).unwrap_err();
        assert!(error.to_string().contains("/no/such/inbox"), "{error}");
    }
}
