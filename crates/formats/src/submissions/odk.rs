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

/// Links repeat rows to their parents by `KEY` / `PARENT_KEY`.
fn link(tables: Vec<Table>, encoding: Encoding) -> Result<Submissions> {
    let keys = super::main_keys(&tables[0], &MAIN_KEYS, KEY_HINT)?;
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
        for (row, key) in unique_keys(table, column)?.into_iter().enumerate() {
            if let Some((first_table, first_row)) = by_key.insert(key.clone(), (t, row)) {
                let first = &tables[first_table];
                return Err(SubmissionError::DuplicateKey {
                    at: table.location(row, Some(column)),
                    key,
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
            let found =
                by_key
                    .get(parent)
                    .copied()
                    .ok_or_else(|| SubmissionError::MissingParent {
                        at: table.location(row, Some(column)),
                        parent: parent.to_owned(),
                    })?;
            links.push(Some(found));
        }
        parents.push(links);
    }
    check_acyclic(&tables, &parents)?;
    // The instance ID without its scheme is KoBoToolbox's `_uuid`: the same
    // submission gets the same key from either tool.
    let keys: Vec<String> = keys
        .into_iter()
        .map(|k| match k.strip_prefix("uuid:") {
            Some(bare) => bare.to_owned(),
            None => k,
        })
        .collect();
    // `uuid:abc` and `abc` are one submission once the scheme is gone.
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    for (row, key) in keys.iter().enumerate() {
        if let Some(first) = seen.insert(key, row) {
            let main = &tables[0];
            return Err(SubmissionError::DuplicateKey {
                at: main.location(row, MAIN_KEYS.iter().find_map(|c| main.column(c))),
                key: key.clone(),
                first_unit: main.unit,
                first_row: main.lines.get(first).copied().unwrap_or(0),
            });
        }
    }
    Ok(Submissions {
        origin: Origin::OdkZip,
        encoding,
        tables,
        keys,
        submitted_at,
        parents,
    })
}
