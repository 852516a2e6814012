//! Zip archives, shared by every format that comes as one (REFI-QDA
//! projects, ODK Central exports, spreadsheets): a reader that checks every
//! entry name and reads only the entries asked for, under size and
//! expansion limits; and a deterministic writer (fixed timestamps, fixed
//! order).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use thiserror::Error;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Ceilings that keep a hostile archive from exhausting memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Entries in the archive.
    pub max_entries: usize,
    /// Uncompressed bytes of one entry.
    pub max_entry_bytes: u64,
    /// Uncompressed bytes of all entries read.
    pub max_total_bytes: u64,
    /// Largest expansion (uncompressed / compressed) accepted for an entry
    /// once it is past `ratio_floor_bytes`.
    pub max_ratio: u64,
    /// Entries smaller than this are not held to `max_ratio`.
    pub ratio_floor_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entries: 20_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor_bytes: 8 << 20,
        }
    }
}

/// Why an archive was refused or could not be written. Messages name
/// entries, never their content.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ArchiveError {
    /// The bytes are not a readable zip archive.
    #[error("not a readable zip archive: {reason}")]
    Zip { reason: String },
    /// A zip entry name is absolute, climbs out of the archive, or is a link.
    #[error("zip entry {entry:?} has an unsafe path (absolute, '..', drive or link): refused")]
    UnsafeEntry { entry: String },
    /// A zip entry is encrypted.
    #[error("zip entry {entry:?} is encrypted: refused")]
    EncryptedEntry { entry: String },
    /// The archive has more entries than allowed.
    #[error("the archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries { count: usize, limit: usize },
    /// An entry, or all entries read together, exceed the size limit.
    #[error(
        "zip entry {entry:?} expands past the limit of {limit} bytes: refused as a possible zip bomb"
    )]
    TooLarge { entry: String, limit: u64 },
    /// An entry expands far more than real text does.
    #[error(
        "zip entry {entry:?} expands more than {limit} times its compressed size: refused as a zip bomb"
    )]
    CompressionRatio { entry: String, limit: u64 },
    /// A worksheet's cells span more than a spreadsheet reader can lay out.
    #[error(
        "worksheet {entry:?} spans {rows} rows × {columns} columns, more than {limit} cells: refused"
    )]
    SheetTooLarge {
        entry: String,
        rows: u64,
        columns: u64,
        limit: u64,
    },
    /// The archive cannot be written.
    #[error("cannot write the archive: {reason}")]
    Write { reason: String },
}

type Result<T> = std::result::Result<T, ArchiveError>;

/// An opened archive whose entry names have all been checked.
pub struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased path (with `/` separators) to entry index and name.
    index: BTreeMap<String, (usize, String)>,
    limits: ArchiveLimits,
    read_total: u64,
}

fn zip_error(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Zip {
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
    pub fn open(bytes: &'a [u8], limits: &ArchiveLimits) -> Result<Self> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if zip.len() > limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                count: zip.len(),
                limit: limits.max_entries,
            });
        }
        let mut index = BTreeMap::new();
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).map_err(zip_error)?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if !safe_name(&name) || entry.enclosed_name().is_none() || entry.is_symlink() {
                return Err(ArchiveError::UnsafeEntry { entry: name });
            }
            if entry.encrypted() {
                return Err(ArchiveError::EncryptedEntry { entry: name });
            }
            if entry.size() > limits.max_entry_bytes {
                return Err(ArchiveError::TooLarge {
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
            return Err(ArchiveError::Zip {
                reason: format!("no entry {name:?}"),
            });
        };
        let limits = self.limits.clone();
        let mut entry = self.zip.by_index(i).map_err(zip_error)?;
        let compressed = entry.compressed_size().max(1);
        let mut out = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buffer).map_err(|e| ArchiveError::Zip {
                reason: format!("entry {name:?}: {e}"),
            })?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buffer[..n]);
            let read = out.len() as u64;
            if read > limits.max_entry_bytes {
                return Err(ArchiveError::TooLarge {
                    entry: name,
                    limit: limits.max_entry_bytes,
                });
            }
            if self.read_total + read > limits.max_total_bytes {
                return Err(ArchiveError::TooLarge {
                    entry: name,
                    limit: limits.max_total_bytes,
                });
            }
            if read > limits.ratio_floor_bytes && read / compressed > limits.max_ratio {
                return Err(ArchiveError::CompressionRatio {
                    entry: name,
                    limit: limits.max_ratio,
                });
            }
        }
        self.read_total += out.len() as u64;
        Ok(out)
    }
}

/// The most cells a worksheet may span, from its first to its last cell
/// holding a value: the spreadsheet library lays a sheet out densely, so a
/// value in A1 and another in XFD1048576 would cost hundreds of gigabytes.
/// A KoBo export of 100,000 submissions × 60 columns spans 6 million.
pub const MAX_SHEET_CELLS: u64 = 32_000_000;

/// Opens a workbook (XLSX) and reads every entry once under the limits, so
/// that a zip bomb is refused before the spreadsheet library expands it
/// without limits, and refuses a worksheet spanning more than
/// [`MAX_SHEET_CELLS`].
pub fn check_workbook(bytes: &[u8], limits: &ArchiveLimits) -> Result<()> {
    let mut archive = Archive::open(bytes, limits)?;
    for name in archive.names() {
        let data = archive.read(&name)?;
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            check_sheet_extent(&name, &data)?;
        }
    }
    Ok(())
}

/// The span of a worksheet's cells that hold a value (`<c r="B7" ...>`,
/// not the self-closing `<c r="B7"/>` of a formatted empty cell).
fn check_sheet_extent(entry: &str, xml: &[u8]) -> Result<()> {
    let (mut rows, mut columns) = ((u64::MAX, 0), (u64::MAX, 0));
    let mut rest = xml;
    while let Some(open) = rest.iter().position(|b| *b == b'<') {
        rest = &rest[open + 1..];
        let end = rest.iter().position(|b| *b == b'>').unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        let name_len = tag
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        if !(name == b"c" || name.ends_with(b":c")) || tag.ends_with(b"/") {
            continue;
        }
        let Some(reference) = attribute(&tag[name_len..], b"r") else {
            continue;
        };
        let letters = reference
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let (column, row) = reference.split_at(letters);
        // Seven letters and ten digits are past any spreadsheet's size.
        let column = (letters <= 7).then(|| {
            column.iter().fold(0u64, |n, b| {
                n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
            })
        });
        let row = (row.len() <= 10)
            .then(|| std::str::from_utf8(row).ok()?.parse::<u64>().ok())
            .flatten();
        let (Some(column), Some(row)) = (column, row) else {
            return Err(ArchiveError::SheetTooLarge {
                entry: entry.to_owned(),
                rows: u64::MAX,
                columns: u64::MAX,
                limit: MAX_SHEET_CELLS,
            });
        };
        rows = (rows.0.min(row), rows.1.max(row));
        columns = (columns.0.min(column), columns.1.max(column));
        let (height, width) = (rows.1 - rows.0 + 1, columns.1 - columns.0 + 1);
        if height.saturating_mul(width) > MAX_SHEET_CELLS {
            return Err(ArchiveError::SheetTooLarge {
                entry: entry.to_owned(),
                rows: height,
                columns: width,
                limit: MAX_SHEET_CELLS,
            });
        }
    }
    Ok(())
}

/// The value of attribute `name` in a tag's attribute text, quoted with
/// `"` or `'`.
fn attribute<'a>(attributes: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut rest = attributes;
    loop {
        let at = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest = &rest[at..];
        let eq = rest.iter().position(|b| *b == b'=')?;
        let key = rest[..eq].trim_ascii();
        let quote = *rest.get(eq + 1)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = eq + 2;
        let value_len = rest.get(value_start..)?.iter().position(|b| *b == quote)?;
        let value = &rest[value_start..value_start + value_len];
        if key == name {
            return Some(value);
        }
        rest = &rest[value_start + value_len + 1..];
    }
}

/// Writes a zip archive whose bytes depend only on the entries given.
pub fn write(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let write_error = |e: &dyn std::fmt::Display| ArchiveError::Write {
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

    fn workbook_with_cells(cells: &str) -> Vec<u8> {
        let sheet =
            format!("<worksheet><sheetData><row r=\"1\">{cells}</row></sheetData></worksheet>");
        write(&[("xl/worksheets/sheet1.xml".to_owned(), sheet.into_bytes())])
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_worksheet_spanning_billions_of_cells_is_refused() {
        let limits = ArchiveLimits::default();
        let far = workbook_with_cells(
            r#"<c r="A1" t="n"><v>1</v></c><x:c r='XFD1048576'><v>2</v></x:c>"#,
        );
        assert_eq!(
            check_workbook(&far, &limits),
            Err(ArchiveError::SheetTooLarge {
                entry: "xl/worksheets/sheet1.xml".into(),
                rows: 1_048_576,
                columns: 16_384,
                limit: MAX_SHEET_CELLS
            })
        );
        let absurd = workbook_with_cells(r#"<c r="A1"><v>1</v></c><c r="AAAAAAAAA1"><v>2</v></c>"#);
        assert!(matches!(
            check_workbook(&absurd, &limits),
            Err(ArchiveError::SheetTooLarge { .. })
        ));
        // Formatted empty cells far away hold no value: not laid out.
        let styled = workbook_with_cells(r#"<c r="A1"><v>1</v></c><c r="XFD1048576" s="3"/>"#);
        assert_eq!(check_workbook(&styled, &limits), Ok(()));
        let wide = workbook_with_cells(r#"<c r="A1"><v>1</v></c><c r="BH100000"><v>2</v></c>"#);
        assert_eq!(check_workbook(&wide, &limits), Ok(()), "100,000 × 60 fits");
    }

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
            Archive::open(&first, &ArchiveLimits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(archive.top_level_with_suffix(".qde"), vec!["project.qde"]);
        let name = archive.find("SOURCES/A.TXT").unwrap_or_default();
        assert_eq!(archive.read(&name).ok(), Some("é".as_bytes().to_vec()));
    }
}
