//! KoBoToolbox exports: CSV (`;`-separated, every field quoted, optional
//! HXL hashtag row) and XLSX (one sheet for the submissions, one more per
//! repeat group).
//!
//! The submission key is `_uuid`. In an XLSX export every sheet has an
//! `_index` column numbering its rows; a repeat sheet's rows name their
//! parent by `_parent_table_name` (a sheet) and `_parent_index` (that
//! sheet's `_index`).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::csv_table::csv_table;
use super::text::{self, Encoding};
use super::{Origin, Result, Rows, SubmissionError, Submissions, Table, unique_keys};
use crate::archive::{self, ArchiveError, ArchiveLimits};

/// The submission key column of KoBoToolbox exports.
pub const KEY: &str = "_uuid";
/// The submission time column.
pub const SUBMISSION_TIME: &str = "_submission_time";
/// Row numbers of a sheet, in XLSX exports.
pub const INDEX: &str = "_index";
/// The parent row's `_index`, in repeat sheets.
pub const PARENT_INDEX: &str = "_parent_index";
/// The parent row's sheet, in repeat sheets.
pub const PARENT_TABLE: &str = "_parent_table_name";

const KEY_HINT: &str =
    "export the data with its metadata columns (\"_uuid\" is the submission key)";

/// Reads a KoBoToolbox CSV export.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Submissions> {
    let (text, encoding) = text::decode(file, bytes)?;
    text::check_delimiter(file, &text, b';')?;
    let table = csv_table(file, None, &text, b';')?;
    let keys = super::main_keys(&table, &[KEY], KEY_HINT)?;
    let submitted_at = table.column(SUBMISSION_TIME);
    let rows = table.rows.len();
    Ok(Submissions {
        origin: Origin::KoboCsv,
        encoding,
        tables: vec![table],
        keys,
        submitted_at,
        parents: vec![vec![None; rows]],
    })
}

/// The text of a spreadsheet cell, as the CSV export would have it.
fn cell_text(data: &Data) -> std::result::Result<String, ()> {
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::Error(_) => return Err(()),
    })
}

/// Reads a KoBoToolbox XLSX export: the first sheet holds the
/// submissions, every other sheet a repeat group.
pub fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Submissions> {
    // The workbook is a zip: refuse unsafe names, bombs and oversized
    // entries before the spreadsheet reader expands anything.
    archive::check_workbook(bytes, &ArchiveLimits::default()).map_err(|e| match e {
        ArchiveError::Zip { reason } => SubmissionError::Xlsx {
            file: file.to_owned(),
            reason,
        },
        source => SubmissionError::Archive {
            file: file.to_owned(),
            source,
        },
    })?;
    let xlsx_error = |e: calamine::XlsxError| SubmissionError::Xlsx {
        file: file.to_owned(),
        reason: e.to_string(),
    };
    // The spreadsheet library parses files written by anyone: a panic
    // inside it on a damaged file is a refusal, not a crash.
    let ranges = std::panic::catch_unwind(|| -> Result<Vec<(String, calamine::Range<Data>)>> {
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
        let names = workbook.sheet_names();
        names
            .into_iter()
            .map(|name| {
                let range = workbook.worksheet_range(&name).map_err(xlsx_error)?;
                Ok((name, range))
            })
            .collect()
    })
    .unwrap_or_else(|_| {
        Err(SubmissionError::Xlsx {
            file: file.to_owned(),
            reason: "the file is damaged".to_owned(),
        })
    })?;
    let mut tables = Vec::with_capacity(ranges.len());
    for (n, (name, range)) in ranges.iter().enumerate() {
        let place = format!("{file}, sheet {name:?}");
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut rows_iter = range.rows().enumerate();
        let mut table = Table {
            place: place.clone(),
            repeat: (n > 0).then(|| name.clone()),
            unit: "row",
            headers: Vec::new(),
            hxl: None,
            rows: Rows::default(),
            lines: Vec::new(),
        };
        let Some((_, header)) = rows_iter.next() else {
            return Err(SubmissionError::NoHeader { place });
        };
        for (c, cell) in header.iter().enumerate() {
            let text = cell_text(cell).map_err(|()| SubmissionError::CellError {
                at: super::Location {
                    place: place.clone(),
                    unit: "row",
                    row: first_row + 1,
                    column: Some(format!("#{}", c + 1)),
                },
            })?;
            table.headers.push(text.trim().to_owned());
        }
        // Trailing empty header cells (formatting beyond the data) carry
        // nothing.
        while table.headers.last().is_some_and(String::is_empty) {
            table.headers.pop();
        }
        let width = table.headers.len();
        table.rows = Rows::new(width);
        for (i, row) in rows_iter {
            let line = first_row + i as u64 + 1;
            let mut cells = Vec::with_capacity(width);
            for (c, cell) in row.iter().take(width).enumerate() {
                cells.push(cell_text(cell).map_err(|()| SubmissionError::CellError {
                    at: super::Location {
                        place: place.clone(),
                        unit: "row",
                        row: line,
                        column: table.headers.get(c).cloned(),
                    },
                })?);
            }
            if cells.iter().all(String::is_empty) {
                continue;
            }
            cells.resize(width, String::new());
            if table.rows.is_empty()
                && table.hxl.is_none()
                && text::is_hxl_row(cells.iter().map(String::as_str))
            {
                table.hxl = Some(cells);
                continue;
            }
            table.rows.push(&cells);
            table.lines.push(line);
        }
        table.check_headers()?;
        tables.push(table);
    }
    if tables.is_empty() {
        return Err(SubmissionError::Xlsx {
            file: file.to_owned(),
            reason: "the workbook has no sheet".to_owned(),
        });
    }
    link_sheets(tables)
}

/// Links repeat sheets to their parents by `_index`.
fn link_sheets(tables: Vec<Table>) -> Result<Submissions> {
    let keys = super::main_keys(&tables[0], &[KEY], KEY_HINT)?;
    let submitted_at = tables[0].column(SUBMISSION_TIME);
    // Each sheet's `_index` → row; the main sheet may lack `_index` when
    // it has no repeat (then rows count from 1).
    let mut indexes: Vec<HashMap<String, usize>> = Vec::with_capacity(tables.len());
    for (t, table) in tables.iter().enumerate() {
        let map = match table.column(INDEX) {
            Some(c) => unique_keys(table, c)?
                .into_iter()
                .enumerate()
                .map(|(row, key)| (key, row))
                .collect(),
            None if t == 0 => (0..table.rows.len())
                .map(|row| ((row + 1).to_string(), row))
                .collect(),
            None => {
                return Err(SubmissionError::MissingColumn {
                    place: table.place.clone(),
                    column: INDEX.to_owned(),
                    hint: "a repeat sheet needs the \"_index\" and \"_parent_index\" columns of the export",
                });
            }
        };
        indexes.push(map);
    }
    let sheet_of: HashMap<&str, usize> = tables
        .iter()
        .enumerate()
        .map(|(t, table)| (sheet_name(table), t))
        .collect();
    let mut parents = vec![vec![None; tables[0].rows.len()]];
    for table in &tables[1..] {
        let parent_index =
            table
                .column(PARENT_INDEX)
                .ok_or_else(|| SubmissionError::MissingColumn {
                    place: table.place.clone(),
                    column: PARENT_INDEX.to_owned(),
                    hint: "a repeat sheet needs the \"_index\" and \"_parent_index\" columns of the export",
                })?;
        let parent_table = table.column(PARENT_TABLE);
        let mut links = Vec::with_capacity(table.rows.len());
        for row in 0..table.rows.len() {
            let target = match parent_table.map(|c| table.cell(row, c).trim()) {
                Some(name) if !name.is_empty() => {
                    // KoBoToolbox writes the parent's whole name, but its
                    // sheet's name is cut to Excel's 31 characters.
                    let cut: String = name.chars().take(31).collect();
                    *sheet_of
                        .get(name)
                        .or_else(|| sheet_of.get(cut.as_str()))
                        .ok_or_else(|| SubmissionError::MissingParentTable {
                            at: table.location(row, parent_table),
                            table: name.to_owned(),
                        })?
                }
                _ => 0,
            };
            let index = table.cell(row, parent_index).trim();
            let parent_row = indexes[target].get(index).copied().ok_or_else(|| {
                SubmissionError::MissingParent {
                    at: table.location(row, Some(parent_index)),
                    parent: format!("{}[{PARENT_INDEX} = {index}]", sheet_name(&tables[target])),
                }
            })?;
            links.push(Some((target, parent_row)));
        }
        parents.push(links);
    }
    check_acyclic(&tables, &parents)?;
    Ok(Submissions {
        origin: Origin::KoboXlsx,
        encoding: Encoding::Utf8,
        tables,
        keys,
        submitted_at,
        parents,
    })
}

/// The sheet name of a table read from a workbook.
fn sheet_name(table: &Table) -> &str {
    table
        .place
        .split_once(", sheet ")
        .map_or("", |(_, s)| s.trim_matches('"'))
}

/// Refuses parent links that go round in circles instead of reaching the
/// main table.
pub(crate) fn check_acyclic(
    tables: &[Table],
    parents: &[Vec<Option<super::RowRef>>],
) -> Result<()> {
    for (t, links) in parents.iter().enumerate().skip(1) {
        for row in 0..links.len() {
            let mut at = (t, row);
            let mut steps = 0;
            while let Some(parent) = parents[at.0][at.1] {
                at = parent;
                steps += 1;
                if steps > tables.len() {
                    return Err(SubmissionError::MissingParent {
                        at: tables[t].location(row, None),
                        parent: "(its parents form a cycle)".to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T>(r: Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    const CSV: &str = "\"start\";\"grp/age\";\"_id\";\"_uuid\";\"_submission_time\"\n\"#date\";\"#age\";\"\";\"\";\"\"\n\"2024-01-02\";\"31\";\"1\";\"u-1\";\"2024-01-02T10:00:00\"\n\"2024-01-03\";\"\";\"2\";\"u-2\";\"2024-01-03T10:00:00\"\n";

    #[test]
    fn csv_with_hxl_row() {
        let s = ok(read_csv("k.csv", CSV.as_bytes()));
        let main = s.main();
        assert_eq!(
            main.headers,
            ["start", "grp/age", "_id", "_uuid", "_submission_time"]
        );
        assert_eq!(main.hxl.as_ref().map(|h| h[1].as_str()), Some("#age"));
        assert_eq!(s.keys, ["u-1", "u-2"]);
        assert_eq!(main.lines, [3, 4]);
        assert_eq!(s.submitted_at(1), Some("2024-01-03T10:00:00"));
        assert_eq!(main.cell(0, 1), "31");
    }

    #[test]
    fn csv_errors_are_positioned() {
        let dup = CSV.replace("u-2", "u-1");
        assert_eq!(
            read_csv("k.csv", dup.as_bytes())
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("k.csv, line 4, column \"_uuid\": key u-1 appears twice (first at line 3)")
        );
        let ragged = CSV.replace("\"2\";\"u-2\"", "\"u-2\"");
        assert_eq!(
            read_csv("k.csv", ragged.as_bytes())
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("k.csv, line 4: 4 fields where the header has 5")
        );
        let no_key = CSV.replace("_uuid", "uuid");
        assert!(read_csv("k.csv", no_key.as_bytes()).is_err());
        let commas = CSV.replace(';', ",");
        assert!(matches!(
            read_csv("k.csv", commas.as_bytes()),
            Err(SubmissionError::Delimiter { found: ',', .. })
        ));
    }
}
