//! Turning the paths given to an import into a list of input files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Input files found under the paths of an import, and what could not be
/// looked at.
#[derive(Debug, Default, PartialEq)]
pub struct InputFiles {
    /// Files to read, in a stable order, each once.
    pub files: Vec<PathBuf>,
    /// Folders or entries that could not be listed, with the reason.
    pub unlisted: Vec<(PathBuf, String)>,
}

/// Lists the input files under `paths`.
///
/// A file is taken as it is. A Maildir folder (one with `cur` or `new`
/// inside) contributes the files in `cur` and `new`, never those in `tmp`,
/// which a mail server may still be writing, and the same from its
/// Maildir++ subfolders (`.Sent`, `.Archive`). Any other folder is searched
/// recursively. Hidden files and folders (names starting with `.`) are
/// skipped, and a folder or file reached twice, for example through a
/// symbolic link that points back up the tree, is visited once.
///
/// A path given on the command line that does not exist is an error. A
/// folder further down that cannot be listed is reported in
/// [`InputFiles::unlisted`], and the search goes on.
pub fn input_files(paths: &[PathBuf]) -> anyhow::Result<InputFiles> {
    let mut walk = Walk::default();
    for path in paths {
        let metadata = std::fs::metadata(path).with_context(|| {
            format!(
                "cannot read {}: check that the path exists and is readable",
                path.display()
            )
        })?;
        if metadata.is_dir() {
            walk.folder(path);
        } else if metadata.is_file() {
            walk.file(path);
        } else {
            bail!(
                "{} is neither a file nor a folder; pass mail, chat or call-log files or folders",
                path.display()
            );
        }
    }
    Ok(walk.found)
}

#[derive(Default)]
struct Walk {
    found: InputFiles,
    /// Canonical paths of the folders and files already taken.
    seen: HashSet<PathBuf>,
}

impl Walk {
    /// Returns false when `path` was reached before under another name.
    fn first_visit(&mut self, path: &Path) -> bool {
        match std::fs::canonicalize(path) {
            Ok(canonical) => self.seen.insert(canonical),
            // A path that cannot be resolved is still tried once; reading
            // it reports the problem.
            Err(_) => true,
        }
    }

    fn file(&mut self, path: &Path) {
        // A column mapping is read with the CSV it belongs to.
        if super::cdr_mapping::is_mapping_file(path) {
            return;
        }
        if self.first_visit(path) {
            self.found.files.push(path.to_path_buf());
        }
    }

    fn folder(&mut self, folder: &Path) {
        if !self.first_visit(folder) {
            return;
        }
        if is_maildir(folder) {
            for sub in ["cur", "new"] {
                let sub = folder.join(sub);
                if sub.is_dir() {
                    for entry in self.entries(&sub) {
                        if entry.is_file() {
                            self.file(&entry);
                        }
                    }
                }
            }
            for subfolder in maildir_plus_subfolders(folder) {
                self.folder(&subfolder);
            }
            return;
        }
        for entry in self.entries(folder) {
            if entry.is_dir() {
                self.folder(&entry);
            } else if entry.is_file() {
                self.file(&entry);
            }
        }
    }

    /// Lists a folder's visible entries, sorted; a folder that cannot be
    /// listed is recorded and yields nothing.
    fn entries(&mut self, folder: &Path) -> Vec<PathBuf> {
        match sorted_entries(folder) {
            Ok(entries) => entries,
            Err(error) => {
                self.found
                    .unlisted
                    .push((folder.to_path_buf(), format!("{error:#}")));
                Vec::new()
            }
        }
    }
}

/// Subfolders of a Maildir++ mailbox (Dovecot, Courier): folders such as
/// `.Sent` or `.INBOX.Orders` inside the Maildir root, each a Maildir.
fn maildir_plus_subfolders(folder: &Path) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut subfolders: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.len() > 1 && name.starts_with('.') && name != ".."
        })
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && is_maildir(path))
        .collect();
    subfolders.sort();
    subfolders
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
        let found = input_files(std::slice::from_ref(&maildir)).unwrap();
        assert_eq!(
            found.files,
            vec![maildir.join("cur/1.cur"), maildir.join("new/1.new")]
        );
    }

    #[test]
    fn maildir_plus_subfolders_are_read() {
        let root = tempfile::tempdir().unwrap();
        let maildir = root.path().join("Maildir");
        for sub in ["cur", ".Sent/cur", ".Archive.2025/new", ".notes"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        std::fs::write(maildir.join("cur/1"), b"x").unwrap();
        std::fs::write(maildir.join(".Sent/cur/2"), b"x").unwrap();
        std::fs::write(maildir.join(".Archive.2025/new/3"), b"x").unwrap();
        std::fs::write(maildir.join(".notes/4"), b"x").unwrap();
        let found = input_files(std::slice::from_ref(&maildir)).unwrap();
        assert_eq!(
            found.files,
            vec![
                maildir.join("cur/1"),
                maildir.join(".Archive.2025/new/3"),
                maildir.join(".Sent/cur/2"),
            ]
        );
    }

    #[test]
    fn folder_recursion_skips_hidden_files() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("a/b")).unwrap();
        std::fs::write(root.path().join("a/b/x.eml"), b"x").unwrap();
        std::fs::write(root.path().join("a/.gitattributes"), b"x").unwrap();
        std::fs::write(root.path().join("z.csv"), b"x").unwrap();
        let found = input_files(&[root.path().to_path_buf()]).unwrap();
        assert_eq!(
            found.files,
            vec![root.path().join("a/b/x.eml"), root.path().join("z.csv")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_visit_each_file_once() {
        let root = tempfile::tempdir().unwrap();
        let inner = root.path().join("loop/inner");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(inner.join("a.eml"), b"x").unwrap();
        std::os::unix::fs::symlink("..", inner.join("up")).unwrap();
        std::os::unix::fs::symlink("../loop", root.path().join("loop/self")).unwrap();
        let found = input_files(&[root.path().join("loop")]).unwrap();
        assert_eq!(found.files, vec![inner.join("a.eml")]);
    }

    #[test]
    fn same_file_twice_is_listed_once() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a.eml");
        std::fs::write(&file, b"x").unwrap();
        let found = input_files(&[file.clone(), file.clone()]).unwrap();
        assert_eq!(found.files, vec![file]);
    }

    #[test]
    fn missing_path_names_the_path() {
        let error = input_files(&[PathBuf::from("/no/such/inbox")]).unwrap_err();
        assert!(error.to_string().contains("/no/such/inbox"), "{error}");
    }
}
