//! KoBoToolbox exports: CSV (`;`-separated, every field quoted, optional
//! HXL hashtag row) and XLSX (one sheet for the submissions, one more per
//! repeat group).
//!
//! The submission key is `_uuid`. In an XLSX export every sheet has an
//! `_index` column numbering its rows; a repeat sheet's rows name their
//! parent by `_parent_table_name` (the parent's whole name, which its
//! sheet may bear shortened: see [`sheet_name_of`]) and `_parent_index`
//! (that sheet's `_index`).

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
    let keys = super::main_keys(&table, &[KEY], KEY_HINT, |key| key)?;
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
            let at = |c: usize| super::Location {
                place: place.clone(),
                unit: "row",
                row: line,
                column: Some(
                    table
                        .headers
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| format!("#{} (no header)", c + 1)),
                ),
            };
            let mut cells = Vec::with_capacity(width);
            for (c, cell) in row.iter().enumerate() {
                let text =
                    cell_text(cell).map_err(|()| SubmissionError::CellError { at: at(c) })?;
                if c < width {
                    cells.push(text);
                } else if !text.trim().is_empty() {
                    // A CSV row longer than its header is refused too.
                    return Err(SubmissionError::Value {
                        at: at(c),
                        reason: "data beyond the last column with a header".to_owned(),
                    });
                }
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
    let keys = super::main_keys(&tables[0], &[KEY], KEY_HINT, |key| key)?;
    let submitted_at = tables[0].column(SUBMISSION_TIME);
    // Each sheet's `_index` → row; the main sheet may lack `_index` when
    // it has no repeat (then rows count from 1).
    let mut indexes: Vec<HashMap<String, usize>> = Vec::with_capacity(tables.len());
    for (t, table) in tables.iter().enumerate() {
        let map = match table.column(INDEX) {
            Some(c) => unique_keys(table, c, |index| index)?
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
    // Each `_parent_table_name` met → its sheet.
    let mut sheet_of: HashMap<&str, usize> = HashMap::new();
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
                Some(name) if !name.is_empty() => match sheet_of.get(name) {
                    Some(t) => *t,
                    None => {
                        let at = || table.location(row, parent_table);
                        let found = named_one(
                            tables
                                .iter()
                                .enumerate()
                                .map(|(t, sheet)| (t, sheet_name_of(sheet_name(sheet), name))),
                        )
                        .map_err(|(first, second)| SubmissionError::AmbiguousParentTable {
                            at: at(),
                            table: name.to_owned(),
                            sheets: Box::new((
                                sheet_name(&tables[first]).to_owned(),
                                sheet_name(&tables[second]).to_owned(),
                            )),
                        })?
                        .ok_or_else(|| {
                            SubmissionError::MissingParentTable {
                                at: at(),
                                table: name.to_owned(),
                            }
                        })?;
                        sheet_of.insert(name, found);
                        found
                    }
                },
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

/// Excel's limit on the length of a sheet name, in characters.
const SHEET_NAME_LIMIT: usize = 31;

/// How a sheet's name stands for the name of the table it holds (a form
/// title, a repeat group's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SheetName {
    /// The name itself.
    Exact,
    /// The name cut as exports cut it: `[]:*?/\` made `_`, then the first
    /// 31 characters (Excel, KoBoToolbox's legacy export, Sankore), or the
    /// first 28 and `...` (KoBoToolbox's formpack).
    Cut,
    /// A cut name made unique among the sheets: formpack's first 24
    /// characters and `... (1)`, the legacy export's digits in place of the
    /// last characters. Another name beginning the same way may own it.
    MadeUnique,
}

/// How the sheet named `sheet` may hold the table named `name`, if it may.
pub(crate) fn sheet_name_of(sheet: &str, name: &str) -> Option<SheetName> {
    if sheet == name {
        return Some(SheetName::Exact);
    }
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let length = clean.chars().count();
    let first = |n: usize| clean.chars().take(n).collect::<String>();
    if sheet == first(SHEET_NAME_LIMIT) {
        return Some(SheetName::Cut);
    }
    if length <= SHEET_NAME_LIMIT {
        return None;
    }
    let prefix = first(SHEET_NAME_LIMIT - 3);
    if sheet.strip_prefix(prefix.as_str()) == Some("...") {
        return Some(SheetName::Cut);
    }
    if sheet.chars().count() != SHEET_NAME_LIMIT {
        return None;
    }
    // formpack: `PREFIX... (N)`.
    let formpack = sheet.rsplit_once("... (").is_some_and(|(start, n)| {
        n.strip_suffix(')')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && clean.starts_with(start)
    });
    // The legacy export: `PREFIX` then N, 1 to 3 digits.
    let legacy = (1..=3).any(|digits| {
        let kept = SHEET_NAME_LIMIT - digits;
        let end: String = sheet.chars().skip(kept).collect();
        end.bytes().all(|b| b.is_ascii_digit()) && sheet.starts_with(first(kept).as_str())
    });
    (formpack || legacy).then_some(SheetName::MadeUnique)
}

/// The one candidate a name stands for, given how each may bear it (see
/// [`sheet_name_of`]): the exact one, else the only one that may bear it
/// cut; `Err` with two of them when several may.
pub(crate) fn named_one<T: Copy + PartialEq>(
    candidates: impl IntoIterator<Item = (T, Option<SheetName>)>,
) -> std::result::Result<Option<T>, (T, T)> {
    let mut exact: Vec<T> = Vec::new();
    let mut cut: Vec<T> = Vec::new();
    for (candidate, how) in candidates {
        let list = match how {
            Some(SheetName::Exact) => &mut exact,
            Some(SheetName::Cut | SheetName::MadeUnique) => &mut cut,
            None => continue,
        };
        if !list.contains(&candidate) {
            list.push(candidate);
        }
    }
    let found = if exact.is_empty() { cut } else { exact };
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        [first, second, ..] => Err((*first, *second)),
    }
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

    /// The text of the error a read gave, `None` when it succeeded.
    fn refusal<T>(r: Result<T>) -> Option<String> {
        r.err().map(|e| e.to_string())
    }

    fn ok<T>(r: Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    const CSV: &str = "\"start\";\"grp/age\";\"_id\";\"_uuid\";\"_submission_time\"\n\"#date\";\"#age\";\"\";\"\";\"\"\n\"2024-01-02\";\"31\";\"1\";\"u-1\";\"2024-01-02T10:00:00\"\n\"2024-01-03\";\"\";\"2\";\"u-2\";\"2024-01-03T10:00:00\"\n";

    /// A workbook of text cells: each sheet a name and rows.
    fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*name).unwrap_or_else(|e| panic!("{e}"));
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    sheet
                        .write_string(r as u32, c as u16, *cell)
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
        book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
    }

    const TITLE: &str = "Diagnostic participatif – enquête ménages Tombouctou";
    const MEMBERS: &str = "household_members_information_first";

    /// A main sheet, then repeat sheets (name, parent's whole name) with
    /// one row each, linked to the last row of their parent.
    fn export(main: &str, repeats: &[(&str, &str)]) -> Vec<u8> {
        let head: &[&str] = &["x", "_index", "_parent_table_name", "_parent_index"];
        let rows: Vec<[&str; 4]> = repeats.iter().map(|(_, p)| ["1", "1", *p, "1"]).collect();
        let mut sheets: Vec<(&str, Vec<&[&str]>)> =
            vec![(main, vec![&["name", "_uuid", "_index"], &["a", "u-1", "1"]])];
        for ((name, _), row) in repeats.iter().zip(&rows) {
            sheets.push((name, vec![head, row]));
        }
        let sheets: Vec<(&str, &[&[&str]])> =
            sheets.iter().map(|(n, r)| (*n, r.as_slice())).collect();
        workbook(&sheets)
    }

    #[test]
    fn sheet_names_cut_as_exports_cut_them_are_recognised() {
        use SheetName::{Cut, Exact, MadeUnique};
        let cases = [
            ("member", "member", Some(Exact)),
            ("membe", "member", None),
            // Excel, KoBoToolbox's legacy export, Sankore: 31 characters.
            ("Diagnostic participatif – enquê", TITLE, Some(Cut)),
            // formpack: 28 characters and `...`, `[]:*?/\` made `_`.
            ("Diagnostic participatif – en...", TITLE, Some(Cut)),
            ("a_b_c", "a/b?c", Some(Cut)),
            ("household_members_informatio...", MEMBERS, Some(Cut)),
            // Made unique among the sheets.
            ("household_members_inform... (1)", MEMBERS, Some(MadeUnique)),
            ("household_members_inform... (2)", MEMBERS, Some(MadeUnique)),
            ("household_members_information_1", MEMBERS, Some(MadeUnique)),
            ("household_members_information12", MEMBERS, Some(MadeUnique)),
            ("household_members_inform... (x)", MEMBERS, None),
            ("household_members_informatio..", MEMBERS, None),
            ("household_women_information_fi", MEMBERS, None),
            // A short name is never cut.
            ("member...", "member", None),
            ("member1", "member", None),
        ];
        for (sheet, name, expected) in cases {
            assert_eq!(
                sheet_name_of(sheet, name),
                expected,
                "{sheet:?} for {name:?}"
            );
        }
        assert_eq!(named_one([(1, None), (2, Some(Cut))]), Ok(Some(2)));
        assert_eq!(named_one([(1, Some(Cut)), (2, Some(Exact))]), Ok(Some(2)));
        assert_eq!(
            named_one([(1, Some(Cut)), (2, Some(MadeUnique))]),
            Err((1, 2))
        );
        assert_eq!(named_one::<u8>([(1, None)]), Ok(None));
    }

    #[test]
    fn a_parent_sheet_named_by_a_cut_name_is_found() {
        // formpack's cuts (KoBoToolbox's exports), and Excel's.
        for (main, members) in [
            (
                "Diagnostic participatif – en...",
                "household_members_informatio...",
            ),
            (
                "Diagnostic participatif – enquê",
                "household_members_information_f",
            ),
        ] {
            let bytes = export(main, &[(members, TITLE), ("job", MEMBERS)]);
            let s = ok(read_xlsx("k.xlsx", &bytes));
            assert_eq!(s.parents[1], [Some((0, 0))], "{main}");
            assert_eq!(s.parents[2], [Some((1, 0))], "{main}");
            assert_eq!(s.tables[1].repeat.as_deref(), Some(members));
        }
    }

    #[test]
    fn a_parent_two_sheets_may_hold_or_none_is_refused() {
        // Two repeats whose names begin with the same 28 characters:
        // formpack names the second one's sheet `... (1)`, and which sheet
        // holds which cannot be told.
        let bytes = export(
            "Diagnostic participatif – en...",
            &[
                ("household_members_informatio...", TITLE),
                ("household_members_inform... (1)", TITLE),
                ("job", MEMBERS),
            ],
        );
        assert_eq!(
            refusal(read_xlsx("k.xlsx", &bytes)).as_deref(),
            Some(
                "k.xlsx, sheet \"job\", row 2, column \"_parent_table_name\": the parent table \"household_members_information_first\" of this repeat row may be sheet \"household_members_informatio...\" or sheet \"household_members_inform... (1)\" (names cut to 31 characters): give the form and its repeat groups names that differ sooner, and export again"
            )
        );
        // A name no sheet bears, whole or cut.
        let bytes = export("Enquête", &[("members", "Enquête"), ("job", MEMBERS)]);
        assert_eq!(
            refusal(read_xlsx("k.xlsx", &bytes)).as_deref(),
            Some(
                "k.xlsx, sheet \"job\", row 2, column \"_parent_table_name\": the parent table \"household_members_information_first\" of this repeat row is not in the export"
            )
        );
    }

    #[test]
    fn data_beyond_the_last_header_is_refused() {
        let bytes = workbook(&[(
            "Enquête",
            &[
                &["name", "_uuid", "", ""],
                &["a", "u-1"],
                &["b", "u-2", "", "x"],
            ],
        )]);
        assert_eq!(
            refusal(read_xlsx("k.xlsx", &bytes)).as_deref(),
            Some(
                "k.xlsx, sheet \"Enquête\", row 3, column \"#4 (no header)\": data beyond the last column with a header"
            )
        );
        // Blank cells there carry nothing.
        let bytes = workbook(&[(
            "Enquête",
            &[&["name", "_uuid"], &["a", "u-1", " "], &["b", "u-2"]],
        )]);
        assert_eq!(ok(read_xlsx("k.xlsx", &bytes)).keys, ["u-1", "u-2"]);
    }

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
            refusal(read_csv("k.csv", dup.as_bytes())).as_deref(),
            Some("k.csv, line 4, column \"_uuid\": key u-1 appears twice (first at line 3)")
        );
        let ragged = CSV.replace("\"2\";\"u-2\"", "\"u-2\"");
        assert_eq!(
            refusal(read_csv("k.csv", ragged.as_bytes())).as_deref(),
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
