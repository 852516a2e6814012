//! ODK Central's `submissions.csv.zip`: `FORMID.csv` holds the
//! submissions (comma-separated, groups joined by `-`, `KEY` the instance
//! ID), and `FORMID-REPEAT.csv` one repeat group each, whose rows name
//! their parent's `KEY` in `PARENT_KEY`. Attachments (`media/`) are not
//! read.

use std::collections::HashMap;

use super::csv_table::csv_table;
use super::kobo::check_acyclic;
use super::text::{self, Encoding};
use super::{Origin, Result, SubmissionError, Submissions, Table, unique_keys};
use crate::archive::{Archive, ArchiveLimits};

/// The key column of every table (the instance ID in the main one).
pub const KEY: &str = "KEY";
/// The parent's key, in repeat tables.
pub const PARENT_KEY: &str = "PARENT_KEY";
/// The submission time column.
pub const SUBMISSION_DATE: &str = "SubmissionDate";

const KEY_HINT: &str = "export from ODK Central (its CSVs have \"KEY\", or \"meta-instanceID\")";

/// Reads an ODK Central `submissions.csv.zip` under `limits`.
pub fn read_zip(file: &str, bytes: &[u8], limits: &ArchiveLimits) -> Result<Submissions> {
    let archive_error = |source| SubmissionError::Archive {
        file: file.to_owned(),
        source,
    };
    let mut archive = Archive::open(bytes, limits).map_err(archive_error)?;
    let names = archive.top_level_with_suffix(".csv");
    let mut tables = Vec::with_capacity(names.len());
    let mut worst = Encoding::Utf8;
    for name in &names {
        let content = archive.read(name).map_err(archive_error)?;
        let place = format!("{file}, entry {name:?}");
        let (text, encoding) = text::decode(&place, &content)?;
        if encoding != Encoding::Utf8 {
            worst = encoding;
        }
        text::check_delimiter(&place, &text, b',')?;
        tables.push(csv_table(&place, None, &text, b',')?);
    }
    let mains: Vec<usize> = (0..tables.len())
        .filter(|t| tables[*t].column(PARENT_KEY).is_none())
        .collect();
    let main = match mains.as_slice() {
        [one] => *one,
        [] => {
            return Err(SubmissionError::Layout {
                file: file.to_owned(),
                reason: "no submissions CSV (a CSV without \"PARENT_KEY\") in the archive"
                    .to_owned(),
            });
        }
        _ => {
            return Err(SubmissionError::Layout {
                file: file.to_owned(),
                reason: format!(
                    "several CSVs without \"PARENT_KEY\": {}",
                    mains
                        .iter()
                        .map(|t| format!("{:?}", names[*t]))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    };
    // The main table first, then repeats, named after the form id.
    let stem = names[main].trim_end_matches(".csv").to_owned();
    let main_table = tables.remove(main);
    let mut repeat_names: Vec<String> = names;
    repeat_names.remove(main);
    for (table, name) in tables.iter_mut().zip(&repeat_names) {
        let base = name.trim_end_matches(".csv");
        let repeat = base
            .strip_prefix(&stem)
            .and_then(|r| r.strip_prefix('-'))
            .unwrap_or(base);
        table.repeat = Some(repeat.to_owned());
    }
    tables.insert(0, main_table);
    link(tables, worst)
}

/// The columns that may hold a submission's key, in order of preference.
const MAIN_KEYS: [&str; 3] = [KEY, "meta-instanceID", "instanceID"];

/// A key without the instance ID's scheme: KoBoToolbox's `_uuid` for the
/// instance ID, so that the same submission gets the same key from either
/// tool; `uuid:abc` and `abc` are one key.
fn bare_key(key: &str) -> &str {
    key.strip_prefix("uuid:").unwrap_or(key)
}

/// Links repeat rows to their parents by `KEY` / `PARENT_KEY`, keys
/// compared without their scheme (see [`bare_key`]).
fn link(tables: Vec<Table>, encoding: Encoding) -> Result<Submissions> {
    let keys = super::main_keys(&tables[0], &MAIN_KEYS, KEY_HINT, bare_key)?;
    let submitted_at = tables[0].column(SUBMISSION_DATE);
    let mut by_key: HashMap<String, (usize, usize)> = HashMap::new();
    for (row, key) in keys.iter().enumerate() {
        by_key.insert(key.clone(), (0, row));
    }
    for (t, table) in tables.iter().enumerate().skip(1) {
        let column = table
            .column(KEY)
            .ok_or_else(|| SubmissionError::MissingColumn {
                place: table.place.clone(),
                column: KEY.to_owned(),
                hint: KEY_HINT,
            })?;
        for (row, key) in unique_keys(table, column, bare_key)?
            .into_iter()
            .enumerate()
        {
            if let Some((first_table, first_row)) = by_key.insert(key, (t, row)) {
                let first = &tables[first_table];
                return Err(SubmissionError::DuplicateKey {
                    at: table.location(row, Some(column)),
                    key: table.cell(row, column).trim().to_owned(),
                    first_unit: first.unit,
                    first_row: first.lines.get(first_row).copied().unwrap_or(0),
                });
            }
        }
    }
    let mut parents = vec![vec![None; tables[0].rows.len()]];
    for table in &tables[1..] {
        let column = table
            .column(PARENT_KEY)
            .ok_or_else(|| SubmissionError::MissingColumn {
                place: table.place.clone(),
                column: PARENT_KEY.to_owned(),
                hint: KEY_HINT,
            })?;
        let mut links = Vec::with_capacity(table.rows.len());
        for row in 0..table.rows.len() {
            let parent = table.cell(row, column).trim();
            let found = by_key.get(bare_key(parent)).copied().ok_or_else(|| {
                SubmissionError::MissingParent {
                    at: table.location(row, Some(column)),
                    parent: parent.to_owned(),
                }
            })?;
            links.push(Some(found));
        }
        parents.push(links);
    }
    check_acyclic(&tables, &parents)?;
    Ok(Submissions {
        origin: Origin::OdkZip,
        encoding,
        tables,
        keys,
        submitted_at,
        parents,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// A zip of these entries.
    pub(crate) fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap_or_else(|e| panic!("{e}"));
            zip.write_all(text.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    }

    fn read(main: &str, members: &str) -> Result<Submissions> {
        let bytes = zip_of(&[("f.csv", main), ("f-member.csv", members)]);
        read_zip("s.zip", &bytes, &ArchiveLimits::default())
    }

    const MEMBERS: &str = "age,PARENT_KEY,KEY\n12,uuid:a,uuid:a/member[1]\n40,b,b/member[1]\n";

    #[test]
    fn keys_are_kept_and_linked_without_their_scheme() {
        let main = "SubmissionDate,name,KEY\n2024-01-01,x,uuid:a\n2024-01-01,y,b\n";
        let subs = read(main, MEMBERS).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(subs.keys, ["a", "b"]);
        assert_eq!(subs.parents[1], [Some((0, 0)), Some((0, 1))]);
        // A parent named with or without the scheme is the same row.
        let members = MEMBERS.replace(",uuid:a,", ",a,");
        let subs = read(main, &members).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(subs.parents[1], [Some((0, 0)), Some((0, 1))]);
    }

    #[test]
    fn keys_repeated_with_and_without_their_scheme_are_refused_with_position() {
        let main = "SubmissionDate,name,KEY\n2024-01-01,x,uuid:a\n2024-01-01,y,a\n";
        let members = "age,PARENT_KEY,KEY\n12,uuid:a,uuid:a/member[1]\n";
        assert_eq!(
            read(main, members).err().map(|e| e.to_string()).as_deref(),
            Some(
                "s.zip, entry \"f.csv\", line 3, column \"KEY\": key a appears twice (first at line 2)"
            )
        );
        let members = MEMBERS.replace("b/member[1]", "uuid:a/member[1]");
        let main = "SubmissionDate,name,KEY\n2024-01-01,x,uuid:a\n2024-01-01,y,b\n";
        assert_eq!(
            read(main, &members).err().map(|e| e.to_string()).as_deref(),
            Some(
                "s.zip, entry \"f-member.csv\", line 3, column \"KEY\": key uuid:a/member[1] appears twice (first at line 2)"
            )
        );
    }
}
