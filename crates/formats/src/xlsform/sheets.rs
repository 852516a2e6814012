//! The four ways an XLSForm arrives (XLSX, XLS, CSV with sheet sections,
//! pyxform's markdown tables) read into the same rows of cells, with the
//! row numbers a person sees in the file.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};

use super::{FileKind, XlsFormError};

/// The sheets XLSForm gives a meaning to; others are ignored.
pub(crate) const SUPPORTED_SHEETS: [&str; 6] = [
    "survey",
    "choices",
    "settings",
    "external_choices",
    "osm",
    "entities",
];

/// One data row: its number in the file and its non-empty cells.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub number: usize,
    /// (column header as written, value) in column order.
    pub cells: Vec<(String, String)>,
}

/// One sheet: its name as written, its headers, its data rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// The sheets of a form, keyed by lower-case name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Workbook {
    /// Every sheet name as written, in order.
    pub sheet_names: Vec<String>,
    pub sheets: BTreeMap<String, Sheet>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.get(name)
    }

    /// Keeps the supported sheets; a lone sheet of another name is the survey.
    fn add_sheets(&mut self, sheets: Vec<Sheet>) {
        let alone = sheets.len() == 1;
        for sheet in sheets {
            self.sheet_names.push(sheet.name.clone());
            let lower = sheet.name.to_lowercase();
            if SUPPORTED_SHEETS.contains(&lower.as_str()) {
                self.sheets.insert(lower, sheet);
            } else if alone {
                self.sheets.insert("survey".to_owned(), sheet);
            }
        }
    }
}

/// Reads any supported file into sheets.
pub(crate) fn read(bytes: &[u8], kind: FileKind) -> Result<Workbook, XlsFormError> {
    match kind {
        FileKind::Xlsx | FileKind::Xls => read_spreadsheet(bytes, kind),
        FileKind::Csv => read_csv(&text(bytes, kind)?),
        FileKind::Markdown => read_markdown(&text(bytes, kind)?),
    }
}

fn text(bytes: &[u8], kind: FileKind) -> Result<String, XlsFormError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        XlsFormError::file(format!(
            "the {} file is not UTF-8 text (invalid byte at offset {})",
            kind.name(),
            e.utf8_error().valid_up_to()
        ))
    })
}

fn clean_header(h: &str) -> String {
    h.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An XLSX is a zip: every entry is checked (names, sizes, expansion) and
/// read once under the shared archive limits before the spreadsheet
/// reader sees it, so a zip bomb is refused instead of filling memory.
fn check_archive(bytes: &[u8]) -> Result<(), XlsFormError> {
    crate::archive::check_workbook(bytes, &crate::archive::ArchiveLimits::default())
        .map_err(|e| XlsFormError::file(format!("not a readable XLSX workbook: {e}")))
}

fn read_spreadsheet(bytes: &[u8], kind: FileKind) -> Result<Workbook, XlsFormError> {
    // The spreadsheet library picks its parser from the content, not the
    // name: guard both containers whatever the file claims to be.
    if bytes.starts_with(b"PK") {
        check_archive(bytes)?;
    } else if bytes.starts_with(&crate::cfb::MAGIC) {
        crate::cfb::check(bytes).map_err(|e| {
            XlsFormError::file(format!("not a readable {} workbook: {e}", kind.name()))
        })?;
    }
    // The spreadsheet library parses binary formats written by anyone: a
    // panic inside it on a damaged file is a refusal, not a crash.
    std::panic::catch_unwind(|| read_cells(bytes, kind)).unwrap_or_else(|_| {
        Err(XlsFormError::file(format!(
            "not a readable {} workbook: the file is damaged",
            kind.name()
        )))
    })
}

fn read_cells(bytes: &[u8], kind: FileKind) -> Result<Workbook, XlsFormError> {
    let cursor = Cursor::new(bytes.to_vec());
    let mut book: Sheets<_> = open_workbook_auto_from_rs(cursor)
        .map_err(|e| XlsFormError::file(format!("not a readable {} workbook: {e}", kind.name())))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| XlsFormError {
            sheet: Some(name.clone()),
            row: None,
            column: None,
            message: format!("the sheet cannot be read: {e}"),
        })?;
        let (first_row, _) = range.start().unwrap_or((0, 0));
        let mut rows = range.rows();
        let mut headers: Vec<Option<String>> = Vec::new();
        if let Some(header_row) = rows.next() {
            let mut empty_run = 0;
            for cell in header_row {
                let value = cell_text(cell);
                if value.trim().is_empty() {
                    headers.push(None);
                    if empty_run == 20 {
                        break;
                    }
                    empty_run += 1;
                } else {
                    empty_run = 0;
                    if headers.iter().flatten().any(|h| *h == value) {
                        return Err(XlsFormError {
                            sheet: Some(name.clone()),
                            row: Some(first_row as usize + 1),
                            column: Some(value.clone()),
                            message: format!("duplicate column header {value:?}"),
                        });
                    }
                    headers.push(Some(clean_header(&value)));
                }
            }
            while headers.last().is_some_and(Option::is_none) {
                headers.pop();
            }
        }
        let mut data = Vec::new();
        let mut empty_run = 0;
        for (i, row) in rows.enumerate() {
            let mut cells = Vec::new();
            for (col, header) in headers.iter().enumerate() {
                let Some(header) = header else { continue };
                let value = row.get(col).map(cell_text).unwrap_or_default();
                let value = value.trim();
                if !value.is_empty() {
                    cells.push((header.clone(), value.replace('\u{a0}', " ")));
                }
            }
            if cells.is_empty() {
                if empty_run == 60 {
                    break;
                }
                empty_run += 1;
            } else {
                empty_run = 0;
            }
            data.push(Row {
                number: first_row as usize + i + 2,
                cells,
            });
        }
        data.truncate(data.len() - empty_run.min(data.len()));
        sheets.push(Sheet {
            name,
            headers: headers.into_iter().flatten().collect(),
            rows: data,
        });
    }
    let mut wb = Workbook::default();
    wb.add_sheets(sheets);
    Ok(wb)
}

/// A cell as pyxform reads it: whole numbers without `.0`, booleans as
/// `TRUE`/`FALSE`, dates as `YYYY-MM-DD HH:MM:SS`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_duration() || dt.date() == chrono_epoch() => {
                dt.time().format("%H:%M:%S").to_string()
            }
            Some(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn chrono_epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1899, 12, 31).unwrap_or_default()
}

/// pyxform's CSV layout: the first column names the sheet on the row that
/// opens it; the next row with content is the header row.
fn read_csv(text: &str) -> Result<Workbook, XlsFormError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut current: Option<usize> = None;
    let mut has_header = false;
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| XlsFormError {
            sheet: None,
            row: Some(line + 1),
            column: None,
            message: format!("not valid CSV: {e}"),
        })?;
        let cells: Vec<&str> = record.iter().collect();
        let Some((first, rest)) = cells.split_first() else {
            continue;
        };
        let first = first.trim();
        if !first.is_empty() {
            let lower = first.to_lowercase();
            current = match sheets.iter().position(|s| s.name.to_lowercase() == lower) {
                Some(i) => Some(i),
                None => {
                    sheets.push(Sheet {
                        name: first.to_owned(),
                        ..Sheet::default()
                    });
                    Some(sheets.len() - 1)
                }
            };
            has_header = false;
        }
        let content: Vec<String> = rest.iter().map(|c| c.trim().to_owned()).collect();
        if content.iter().all(String::is_empty) {
            continue;
        }
        let Some(i) = current else {
            return Err(XlsFormError {
                sheet: None,
                row: Some(line + 1),
                column: None,
                message: "a row comes before any sheet name in the first column".to_owned(),
            });
        };
        let sheet = &mut sheets[i];
        if !has_header {
            sheet.headers = content;
            has_header = true;
        } else {
            let number = sheet.rows.len() + 2;
            let cells = sheet
                .headers
                .iter()
                .zip(content)
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| (h.clone(), v))
                .collect();
            sheet.rows.push(Row { number, cells });
        }
    }
    if sheets.is_empty() {
        return Err(XlsFormError::file(
            "the CSV file holds no sheet (the first column names each sheet)".to_owned(),
        ));
    }
    let mut wb = Workbook::default();
    for sheet in sheets {
        wb.sheet_names.push(sheet.name.clone());
        wb.sheets.insert(sheet.name.to_lowercase(), sheet);
    }
    Ok(wb)
}

/// Splits a markdown table line on unescaped pipes.
fn split_pipes(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_backslash = false;
    for c in s.chars() {
        if c == '|' && !prev_backslash {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        prev_backslash = c == '\\';
    }
    out.push(cur);
    out
}

fn md_cell(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.replace("\\|", "|"))
    }
}

/// pyxform's markdown-table form: the first column names the sheet.
fn read_markdown(text: &str) -> Result<Workbook, XlsFormError> {
    let mut tables: Vec<(String, Vec<Vec<Option<String>>>)> = Vec::new();
    for raw in text.split('\n') {
        let mut line = raw;
        if line.trim_start().starts_with('#') {
            continue;
        }
        // an inline comment: `#` after the last pipe
        if let Some(hash) = line.rfind('#')
            && !line[hash..].contains('|')
            && hash > 0
        {
            line = &line[..hash];
        }
        // `| a | b |`, anything after the last pipe ignored
        let trimmed = line.trim_start();
        let Some(last) = trimmed.rfind('|') else {
            continue;
        };
        if !trimmed.starts_with('|') || last == 0 {
            continue;
        }
        let inner = &trimmed[1..last];
        if !inner.is_empty() && inner.chars().all(|c| c == '|' || c == '-') {
            continue;
        }
        let parts = split_pipes(inner);
        let first = md_cell(&parts[0]);
        let row: Vec<Option<String>> = parts[1..].iter().map(|c| md_cell(c)).collect();
        if let Some(name) = first {
            match tables.iter().position(|(n, _)| *n == name) {
                Some(i) => {
                    let t = tables.remove(i);
                    tables.push((t.0, Vec::new()));
                }
                None => tables.push((name, Vec::new())),
            }
        }
        if let Some((_, rows)) = tables.last_mut()
            && row.iter().any(Option::is_some)
        {
            rows.push(row);
        }
    }
    if tables.is_empty() {
        return Err(XlsFormError::file(
            "the markdown file holds no table (lines starting and ending with '|')".to_owned(),
        ));
    }
    let sheets = tables
        .into_iter()
        .map(|(name, rows)| {
            let mut it = rows.into_iter();
            let header: Vec<Option<String>> = it.next().unwrap_or_default();
            let data = it
                .enumerate()
                .map(|(i, r)| Row {
                    number: i + 2,
                    cells: r
                        .into_iter()
                        .enumerate()
                        .filter_map(|(c, v)| {
                            let h = header.get(c).cloned().flatten()?;
                            Some((h, v?))
                        })
                        .collect(),
                })
                .collect();
            Sheet {
                name,
                headers: header.into_iter().flatten().collect(),
                rows: data,
            }
        })
        .collect();
    let mut wb = Workbook::default();
    wb.add_sheets(sheets);
    Ok(wb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_markdown_tables() -> Result<(), XlsFormError> {
        let wb = read_markdown(
            "| survey |\n| | type | name | label |\n|-|-|-|-|\n# comment\n| | text | a\\|b | A | # note\n| | | | |\n| | note | n | N |\n| choices |\n| | list_name | name |\n",
        )?;
        let survey = wb
            .sheet("survey")
            .ok_or_else(|| XlsFormError::file("no survey".into()))?;
        assert_eq!(survey.headers, ["type", "name", "label"]);
        assert_eq!(survey.rows.len(), 2);
        assert_eq!(
            survey.rows[0].cells[1],
            ("name".to_owned(), "a|b".to_owned())
        );
        assert_eq!(survey.rows[1].number, 3);
        assert!(wb.sheet("choices").is_some());
        Ok(())
    }

    #[test]
    fn reads_csv_sections() -> Result<(), XlsFormError> {
        let wb = read_csv(
            "survey,,,\n,type,name,label\n,text,q,Q\n,,,\nchoices,,,\n,list_name,name,label\n,yn,y,Yes\n",
        )?;
        assert_eq!(wb.sheet("survey").map(|s| s.rows.len()), Some(1));
        assert_eq!(
            wb.sheet("choices").map(|s| s.rows[0].cells.clone()),
            Some(vec![
                ("list_name".to_owned(), "yn".to_owned()),
                ("name".to_owned(), "y".to_owned()),
                ("label".to_owned(), "Yes".to_owned())
            ])
        );
        Ok(())
    }
}
