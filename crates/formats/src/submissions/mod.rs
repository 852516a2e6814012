//! Submission data exported by KoBoToolbox and ODK Central, read without
//! the form: tables of text cells with their headers, the submission key of
//! each main row, and the parent of each repeat row.
//!
//! - [`kobo::read_csv`]: a KoBoToolbox CSV export (`;`, every field quoted,
//!   optional HXL hashtag row), in UTF-8 with or without a byte-order mark,
//!   or Windows-1252 (detected, reported).
//! - [`kobo::read_xlsx`]: a KoBoToolbox XLSX export, repeats as extra
//!   sheets linked by `_index` / `_parent_table_name` / `_parent_index`.
//! - [`odk::read_zip`]: an ODK Central `submissions.csv.zip`, one CSV per
//!   repeat linked by `KEY` / `PARENT_KEY`, hostile archives refused.
//!
//! Reading checks what needs no form: encoding, delimiter, ragged rows,
//! a missing or empty or duplicate submission key, a repeat row whose
//! parent is missing. Matching columns to questions is the next step
//! (see `responses`). Errors name the file, sheet or entry, row and
//! column, and never quote a cell.

mod csv_table;
pub mod export;
pub mod kobo;
pub mod mapping;
pub mod odk;
pub mod responses;
mod rows;
pub mod text;

use std::collections::HashMap;
use std::fmt;

use thiserror::Error;

use crate::archive::ArchiveError;
pub use rows::{Row, Rows};
pub use text::Encoding;

/// The tool and file kind an export came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// KoBoToolbox CSV export.
    KoboCsv,
    /// KoBoToolbox XLSX export.
    KoboXlsx,
    /// ODK Central `submissions.csv.zip`.
    OdkZip,
}

impl Origin {
    /// A stable name, stored with each submission.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::KoboCsv => "kobo-csv",
            Origin::KoboXlsx => "kobo-xlsx",
            Origin::OdkZip => "odk-zip",
        }
    }

    /// The separator between group and question names in headers.
    pub fn separator(self) -> char {
        match self {
            Origin::KoboCsv | Origin::KoboXlsx => '/',
            Origin::OdkZip => '-',
        }
    }

    /// Whether a header is one of the tool's own columns rather than a
    /// question of the form.
    pub fn is_meta(self, header: &str) -> bool {
        match self {
            Origin::KoboCsv | Origin::KoboXlsx => {
                header.starts_with('_')
                    || matches!(
                        header,
                        "meta/instanceID"
                            | "meta/rootUuid"
                            | "meta/deprecatedID"
                            | "meta/instanceName"
                            | "formhub/uuid"
                    )
            }
            Origin::OdkZip => {
                matches!(
                    header,
                    "SubmissionDate"
                        | "KEY"
                        | "PARENT_KEY"
                        | "SubmitterID"
                        | "SubmitterName"
                        | "AttachmentsPresent"
                        | "AttachmentsExpected"
                        | "Status"
                        | "ReviewState"
                        | "DeviceID"
                        | "Edits"
                        | "FormVersion"
                        | "instanceID"
                        | "meta-instanceID"
                        | "meta-instanceName"
                        | "meta-deprecatedID"
                        | "meta-audit"
                )
            }
        }
    }
}

/// Where something is in an export, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, sheet or zip entry (preformatted, such as
    /// `data.xlsx, sheet "household"`).
    pub place: String,
    /// `row` (spreadsheets) or `line` (CSV).
    pub unit: &'static str,
    /// 1-based row or line number.
    pub row: u64,
    /// The column's header, when one is at fault.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} {}", self.place, self.unit, self.row)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column:?}")?;
        }
        Ok(())
    }
}

/// Why an export was refused. Messages name places and keys (UUIDs,
/// export row numbers), never cell contents.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SubmissionError {
    /// The text is not in an encoding Sankore reads.
    #[error("{file}, line {line}, column {column}: {reason}")]
    Encoding {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    /// The CSV is split by another delimiter than the format's.
    #[error(
        "{file}: the header line is split by '{found}' into {columns} columns, not by '{expected}' as this export format is: re-export the file, or save it with '{expected}'"
    )]
    Delimiter {
        file: String,
        expected: char,
        found: char,
        columns: usize,
    },
    /// The CSV is malformed (a row with the wrong number of fields, a
    /// stray quote).
    #[error("{place}, line {line}: {reason}")]
    Csv {
        place: String,
        line: u64,
        reason: String,
    },
    /// The spreadsheet cannot be read (truncated, not an XLSX file).
    #[error("{file}: not a readable XLSX workbook (truncated or damaged?): {reason}")]
    Xlsx { file: String, reason: String },
    /// A sheet or CSV has no header row.
    #[error("{place}: no header row")]
    NoHeader { place: String },
    /// Two columns have the same header.
    #[error("{place}: two columns are headed {column:?} (columns {first} and {second})")]
    DuplicateColumn {
        place: String,
        column: String,
        first: usize,
        second: usize,
    },
    /// A cell holds a spreadsheet error (`#N/A`, `#REF!`...).
    #[error("{at}: the cell holds a spreadsheet error")]
    CellError { at: Location },
    /// A column the format needs is missing.
    #[error("{place}: no {column:?} column; {hint}")]
    MissingColumn {
        place: String,
        column: String,
        hint: &'static str,
    },
    /// A row has no key.
    #[error("{at}: empty key")]
    EmptyKey { at: Location },
    /// Two rows have the same key.
    #[error("{at}: key {key} appears twice (first at {first_unit} {first_row})")]
    DuplicateKey {
        at: Location,
        key: String,
        first_unit: &'static str,
        first_row: u64,
    },
    /// A repeat row names a parent that is not in the export.
    #[error("{at}: the parent {parent} of this repeat row is not in the export")]
    MissingParent { at: Location, parent: String },
    /// A repeat row names a parent table that is not in the export.
    #[error("{at}: the parent table {table:?} of this repeat row is not in the export")]
    MissingParentTable { at: Location, table: String },
    /// A repeat row names a parent table that several sheets may hold
    /// under a name cut to 31 characters (two of them in `sheets`).
    #[error(
        "{at}: the parent table {table:?} of this repeat row may be sheet {:?} or sheet {:?} (names cut to 31 characters): give the form and its repeat groups names that differ sooner, and export again",
        .sheets.0,
        .sheets.1
    )]
    AmbiguousParentTable {
        at: Location,
        table: String,
        sheets: Box<(String, String)>,
    },
    /// The zip holds no main CSV, or several.
    #[error("{file}: {reason}")]
    Layout { file: String, reason: String },
    /// A column names nothing of the form.
    #[error(
        "{place}: column {column:?} is not a question of the form (nor a choice of a select_multiple, nor a column of the tool): was the form changed since these submissions?"
    )]
    UnknownColumn { place: String, column: String },
    /// A column names several questions of the form (a label used twice).
    #[error(
        "{place}: column {column:?} could be several questions of the form (same label): export with XML names as headers"
    )]
    AmbiguousColumn { place: String, column: String },
    /// A repeat sheet or CSV names no repeat of the form.
    #[error("{place}: {repeat:?} is not a repeat group of the form")]
    UnknownRepeat { place: String, repeat: String },
    /// A repeat sheet may hold several repeats of the form (names cut to
    /// 31 characters).
    #[error(
        "{place}: {repeat:?} may be repeat group {first:?} or {second:?} of the form: give them names that differ sooner, and export again"
    )]
    AmbiguousRepeat {
        place: String,
        repeat: String,
        first: String,
        second: String,
    },
    /// An answer does not fit its question.
    #[error("{at}: {reason}")]
    Value { at: Location, reason: String },
    /// The archive was refused.
    #[error("{file}: {source}")]
    Archive {
        file: String,
        #[source]
        source: ArchiveError,
    },
}

/// Shorthand for submission-reading results.
pub type Result<T> = std::result::Result<T, SubmissionError>;

/// One table of an export: the main submissions, or one repeat group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file, sheet or zip entry, as errors name it.
    pub place: String,
    /// The repeat group's name as the export gives it (sheet name, or the
    /// part of the CSV name after the form id); `None` for the main table.
    pub repeat: Option<String>,
    /// `row` or `line`.
    pub unit: &'static str,
    /// Column headers, as written.
    pub headers: Vec<String>,
    /// The HXL hashtag row, when the export has one.
    pub hxl: Option<Vec<String>>,
    /// Data rows, each as long as `headers`.
    pub rows: Rows,
    /// The 1-based row or line number of each row.
    pub lines: Vec<u64>,
}

impl Table {
    /// Index of the column with this exact header.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }

    /// The cell at a row and column (empty when absent).
    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(column)).unwrap_or("")
    }

    /// Where a row (and column) is, for errors.
    pub fn location(&self, row: usize, column: Option<usize>) -> Location {
        Location {
            place: self.place.clone(),
            unit: self.unit,
            row: self.lines.get(row).copied().unwrap_or(0),
            column: column.and_then(|c| self.headers.get(c).cloned()),
        }
    }

    fn check_headers(&self) -> Result<()> {
        if self.headers.iter().all(|h| h.trim().is_empty()) {
            return Err(SubmissionError::NoHeader {
                place: self.place.clone(),
            });
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, h) in self.headers.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(h.as_str(), i) {
                return Err(SubmissionError::DuplicateColumn {
                    place: self.place.clone(),
                    column: h.clone(),
                    first: first + 1,
                    second: i + 1,
                });
            }
        }
        Ok(())
    }
}

/// A row of some table: `(table index, row index)`.
pub type RowRef = (usize, usize);

/// A whole export, read and linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submissions {
    /// Where it came from.
    pub origin: Origin,
    /// The text encoding found (UTF-8 for spreadsheets).
    pub encoding: Encoding,
    /// The main table first, then the repeat tables.
    pub tables: Vec<Table>,
    /// The submission key of each main row (`_uuid`, ODK `KEY`).
    pub keys: Vec<String>,
    /// The column of the submission time in the main table, if any.
    pub submitted_at: Option<usize>,
    /// For each table, for each row: its parent row (`None` in the main
    /// table).
    pub parents: Vec<Vec<Option<RowRef>>>,
}

impl Submissions {
    /// The main table.
    pub fn main(&self) -> &Table {
        &self.tables[0]
    }

    /// The main row a row belongs to, following parents up.
    pub fn submission_of(&self, (table, row): RowRef) -> usize {
        let mut at = (table, row);
        // Parents were checked to form a tree rooted in the main table; the
        // bound guards against a cycle all the same.
        for _ in 0..=self.tables.len() {
            match self.parents[at.0].get(at.1).copied().flatten() {
                Some(parent) => at = parent,
                None => break,
            }
        }
        at.1
    }

    /// The submission time of a main row, if the export has one.
    pub fn submitted_at(&self, row: usize) -> Option<&str> {
        self.submitted_at
            .map(|c| self.main().cell(row, c))
            .filter(|s| !s.is_empty())
    }
}

/// Whether a main row's review column says a reviewer rejected the
/// submission on the server: KoBoToolbox's `_validation_status` "Not
/// approved" (as its code or its label, in English or French), ODK
/// Central's `ReviewState` `rejected`.
fn is_rejected(origin: Origin, status: &str) -> bool {
    let status = status.trim().to_lowercase();
    match origin {
        Origin::KoboCsv | Origin::KoboXlsx => matches!(
            status.as_str(),
            "validation_status_not_approved" | "not approved" | "non approuvé" | "non approuve"
        ),
        Origin::OdkZip => status == "rejected",
    }
}

impl Submissions {
    /// The review column of the main table, if the export has one.
    fn review_column(&self) -> Option<usize> {
        let name = match self.origin {
            Origin::KoboCsv | Origin::KoboXlsx => "_validation_status",
            Origin::OdkZip => "ReviewState",
        };
        self.main().column(name)
    }

    /// Sets aside the submissions a reviewer rejected on the server (see
    /// [`is_rejected`]), with their repeat rows, and returns their keys in
    /// export order. What stays keeps its rows' line numbers for errors.
    pub fn set_aside_rejected(&mut self) -> Vec<String> {
        let Some(column) = self.review_column() else {
            return Vec::new();
        };
        let origin = self.origin;
        let keep: Vec<bool> = (0..self.main().rows.len())
            .map(|row| !is_rejected(origin, self.main().cell(row, column)))
            .collect();
        if keep.iter().all(|k| *k) {
            return Vec::new();
        }
        // Per table, the new index of each kept row.
        let mut kept_rows: Vec<Vec<Option<usize>>> = Vec::with_capacity(self.tables.len());
        for t in 0..self.tables.len() {
            let mut next = 0;
            let renumbered = (0..self.tables[t].rows.len())
                .map(|row| {
                    let root = if t == 0 {
                        row
                    } else {
                        self.submission_of((t, row))
                    };
                    keep.get(root).copied().unwrap_or(false).then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect();
            kept_rows.push(renumbered);
        }
        let rejected = self
            .keys
            .iter()
            .zip(&keep)
            .filter(|(_, k)| !**k)
            .map(|(key, _)| key.clone())
            .collect();
        let renumber = |(t, row): RowRef| -> Option<RowRef> {
            kept_rows
                .get(t)?
                .get(row)
                .copied()
                .flatten()
                .map(|r| (t, r))
        };
        for (t, table) in self.tables.iter_mut().enumerate() {
            let kept = &kept_rows[t];
            table.rows.retain(|row| kept[row].is_some());
            let mut row = 0;
            table.lines.retain(|_| {
                row += 1;
                kept[row - 1].is_some()
            });
            let parents = std::mem::take(&mut self.parents[t]);
            self.parents[t] = parents
                .into_iter()
                .zip(kept)
                .filter(|(_, k)| k.is_some())
                .map(|(parent, _)| parent.and_then(renumber))
                .collect();
        }
        let mut row = 0;
        self.keys.retain(|_| {
            row += 1;
            keep[row - 1]
        });
        rejected
    }
}

/// Checks the keys of the main table: present, non-empty, unique once
/// `normal` made them the keys Sankore keeps.
fn main_keys(
    table: &Table,
    candidates: &[&str],
    hint: &'static str,
    normal: fn(&str) -> &str,
) -> Result<Vec<String>> {
    let column = candidates
        .iter()
        .find_map(|c| table.column(c))
        .ok_or_else(|| SubmissionError::MissingColumn {
            place: table.place.clone(),
            column: candidates.first().copied().unwrap_or_default().to_owned(),
            hint,
        })?;
    unique_keys(table, column, normal)
}

/// The cells of a key column as `normal` makes them, refused when one is
/// empty or two are the same.
fn unique_keys(table: &Table, column: usize, normal: fn(&str) -> &str) -> Result<Vec<String>> {
    let mut seen: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(table.rows.len(), foldhash::fast::RandomState::default());
    let mut keys = Vec::with_capacity(table.rows.len());
    for row in 0..table.rows.len() {
        let cell = table.cell(row, column).trim();
        let key = normal(cell);
        if key.is_empty() {
            return Err(SubmissionError::EmptyKey {
                at: table.location(row, Some(column)),
            });
        }
        if let Some(first) = seen.insert(key, row) {
            return Err(SubmissionError::DuplicateKey {
                at: table.location(row, Some(column)),
                key: cell.to_owned(),
                first_unit: table.unit,
                first_row: table.lines.get(first).copied().unwrap_or(0),
            });
        }
        keys.push(key.to_owned());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            place: "t".to_owned(),
            repeat: None,
            unit: "line",
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            hxl: None,
            rows: {
                let mut all = Rows::new(headers.len());
                for row in rows {
                    all.push(row.iter());
                }
                all
            },
            lines: (2..2 + rows.len() as u64).collect(),
        }
    }

    #[test]
    fn rejected_submissions_are_set_aside_with_their_repeat_rows() {
        // Three submissions, the middle one rejected; its member row and
        // that member's nested row go with it, the others are renumbered.
        let main = table(
            &["KEY", "ReviewState"],
            &[&["a", "approved"], &["b", "rejected"], &["c", ""]],
        );
        let members = table(&["KEY"], &[&["a/m1"], &["b/m1"], &["c/m1"]]);
        let jobs = table(&["KEY"], &[&["b/m1/j1"], &["c/m1/j1"], &["c/m1/j2"]]);
        let mut subs = Submissions {
            origin: Origin::OdkZip,
            encoding: Encoding::Utf8,
            tables: vec![main, members, jobs],
            keys: vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
            submitted_at: None,
            parents: vec![
                vec![None; 3],
                vec![Some((0, 0)), Some((0, 1)), Some((0, 2))],
                vec![Some((1, 1)), Some((1, 2)), Some((1, 2))],
            ],
        };
        assert_eq!(subs.set_aside_rejected(), ["b"]);
        assert_eq!(subs.keys, ["a", "c"]);
        assert_eq!(subs.tables[0].lines, [2, 4]);
        assert_eq!(subs.tables[1].cell(1, 0), "c/m1");
        assert_eq!(subs.tables[2].cell(0, 0), "c/m1/j1");
        assert_eq!(
            subs.parents,
            vec![
                vec![None, None],
                vec![Some((0, 0)), Some((0, 1))],
                vec![Some((1, 1)), Some((1, 1))],
            ]
        );
        assert_eq!(subs.submission_of((2, 1)), 1);
        // Nothing rejected: nothing changes.
        let before = subs.clone();
        assert!(subs.set_aside_rejected().is_empty());
        assert_eq!(subs, before);
    }

    #[test]
    fn review_states_of_both_tools_are_read() {
        for status in [
            "Not Approved",
            "validation_status_not_approved",
            " non approuvé ",
        ] {
            assert!(is_rejected(Origin::KoboCsv, status), "{status}");
        }
        for status in ["Approved", "On Hold", "", "validation_status_on_hold"] {
            assert!(!is_rejected(Origin::KoboXlsx, status), "{status}");
        }
        assert!(is_rejected(Origin::OdkZip, "rejected"));
        assert!(!is_rejected(Origin::OdkZip, "hasIssues"));
        assert!(!is_rejected(Origin::OdkZip, "Not approved"));
    }

    #[test]
    fn locations_read_naturally() {
        let at = Location {
            place: "data.xlsx, sheet \"hh\"".to_owned(),
            unit: "row",
            row: 4,
            column: Some("age".to_owned()),
        };
        assert_eq!(
            at.to_string(),
            "data.xlsx, sheet \"hh\", row 4, column \"age\""
        );
    }
}
