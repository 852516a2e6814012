//! Zip archives: a reader that checks every entry name and reads only the
//! entries asked for, under size and expansion limits; and a deterministic
//! writer (fixed timestamps, fixed order).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::Limits;
use super::error::{RefiError, Result};

/// An opened archive whose entry names have all been checked.
pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased path (with `/` separators) to entry index and name.
    index: BTreeMap<String, (usize, String)>,
    limits: Limits,
    read_total: u64,
}

fn zip_error(e: impl std::fmt::Display) -> RefiError {
    RefiError::Zip {
        reason: e.to_string(),
    }
}

/// Whether a zip entry name is a plain relative path inside the archive.
fn safe_name(name: &str) -> bool {
    let unified = name.replace('\\', "/");
    !(unified.starts_with('/')
        || unified.contains('\0')
        || unified.split('/').any(|part| part == "..")
        || unified.as_bytes().get(1) == Some(&b':'))
}

impl<'a> Archive<'a> {
    /// Opens an archive and checks every entry: count, names, encryption,
    /// declared sizes.
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if zip.len() > limits.max_entries {
            return Err(RefiError::TooManyEntries {
                count: zip.len(),
                limit: limits.max_entries,
            });
        }
        let mut index = BTreeMap::new();
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).map_err(zip_error)?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if !safe_name(&name) || entry.enclosed_name().is_none() || entry.is_symlink() {
                return Err(RefiError::UnsafeEntry { entry: name });
            }
            if entry.encrypted() {
                return Err(RefiError::EncryptedEntry { entry: name });
            }
            if entry.size() > limits.max_entry_bytes {
                return Err(RefiError::TooLarge {
                    entry: name,
                    limit: limits.max_entry_bytes,
                });
            }
            if entry.is_dir() {
                continue;
            }
            let key = name.replace('\\', "/").to_lowercase();
            index.insert(key, (i, name));
        }
        Ok(Archive {
            zip,
            index,
            limits: limits.clone(),
            read_total: 0,
        })
    }

    /// Names of the entries at the top of the archive whose name ends with
    /// `suffix` (case-insensitive), as written in the archive.
    pub fn top_level_with_suffix(&self, suffix: &str) -> Vec<String> {
        self.index
            .iter()
            .filter(|(key, _)| !key.contains('/') && key.ends_with(suffix))
            .map(|(_, (_, name))| name.clone())
            .collect()
    }

    /// Every file entry's name, as written in the archive.
    pub fn names(&self) -> Vec<String> {
        self.index.values().map(|(_, name)| name.clone()).collect()
    }

    /// The name of the entry at `path` (case-insensitive, `/` or `\`).
    pub fn find(&self, path: &str) -> Option<String> {
        let key = path.replace('\\', "/").to_lowercase();
        self.index.get(&key).map(|(_, name)| name.clone())
    }

    /// Reads a whole entry, refusing it as soon as it expands past the entry
    /// or total limit or far past its compressed size.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>> {
        let key = name.replace('\\', "/").to_lowercase();
        let Some((i, name)) = self.index.get(&key).cloned() else {
            return Err(RefiError::Zip {
                reason: format!("no entry {name:?}"),
            });
        };
        let limits = self.limits.clone();
        let mut entry = self.zip.by_index(i).map_err(zip_error)?;
        let compressed = entry.compressed_size().max(1);
        let mut out = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buffer).map_err(|e| RefiError::Zip {
                reason: format!("entry {name:?}: {e}"),
            })?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buffer[..n]);
            let read = out.len() as u64;
            if read > limits.max_entry_bytes {
                return Err(RefiError::TooLarge {
                    entry: name,
                    limit: limits.max_entry_bytes,
                });
            }
            if self.read_total + read > limits.max_total_bytes {
                return Err(RefiError::TooLarge {
                    entry: name,
                    limit: limits.max_total_bytes,
                });
            }
            if read > limits.ratio_floor_bytes && read / compressed > limits.max_ratio {
                return Err(RefiError::CompressionRatio {
                    entry: name,
                    limit: limits.max_ratio,
                });
            }
        }
        self.read_total += out.len() as u64;
        Ok(out)
    }
}

/// Writes a zip archive whose bytes depend only on the entries given.
pub(crate) fn write(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let write_error = |e: &dyn std::fmt::Display| RefiError::Write {
        reason: e.to_string(),
    };
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options)
            .map_err(|e| write_error(&e))?;
        zip.write_all(bytes).map_err(|e| write_error(&e))?;
    }
    let cursor = zip.finish().map_err(|e| write_error(&e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_recognised() {
        assert!(safe_name("project.qde"));
        assert!(safe_name("Sources/abc.txt"));
        assert!(!safe_name("../evil.txt"));
        assert!(!safe_name("sources/../../evil.txt"));
        assert!(!safe_name("/etc/passwd"));
        assert!(!safe_name("..\\evil.txt"));
        assert!(!safe_name("C:/evil.txt"));
    }

    #[test]
    fn written_archives_are_deterministic_and_readable() {
        let entries = vec![
            ("project.qde".to_owned(), b"<Project/>".to_vec()),
            ("sources/a.txt".to_owned(), "é".as_bytes().to_vec()),
        ];
        let first = write(&entries).unwrap_or_else(|e| panic!("{e}"));
        let second = write(&entries).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, second);
        let mut archive =
            Archive::open(&first, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(archive.top_level_with_suffix(".qde"), vec!["project.qde"]);
        let name = archive.find("SOURCES/A.TXT").unwrap_or_default();
        assert_eq!(archive.read(&name).ok(), Some("é".as_bytes().to_vec()));
    }
}
