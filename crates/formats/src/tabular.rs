//! Tables out, for Excel, SPSS, Stata and R users: CSV, XLSX (one sheet
//! per table), and SPSS syntax (`.sps`) and Stata do-files (`.do`) that
//! read the CSV and apply variable and value labels.
//!
//! Cells are written exactly as given (a coded passage keeps every
//! character); CSV is RFC 4180 (comma, `"` quoting, `\n` rows), UTF-8
//! without a byte-order mark. An optional HXL hashtag row follows the
//! header.

use std::fmt::Write as _;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use thiserror::Error;

/// One column of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// The header.
    pub name: String,
    /// The variable label (SPSS, Stata).
    pub label: Option<String>,
    /// The HXL hashtag (`#respondee+code`).
    pub hxl: Option<String>,
    /// Value → label, for the values that have one (select choices).
    pub value_labels: Vec<(String, String)>,
    /// Numbers (written as numbers in XLSX, read as numbers by SPSS and
    /// Stata).
    pub numeric: bool,
}

impl Column {
    /// A text column without labels.
    pub fn text(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            ..Column::default()
        }
    }

    /// A numeric column without labels.
    pub fn number(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            numeric: true,
            ..Column::default()
        }
    }

    /// Sets the HXL hashtag.
    pub fn hxl(mut self, tag: &str) -> Self {
        self.hxl = Some(tag.to_owned());
        self
    }

    /// Sets the variable label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// A table: a sheet of a workbook, or one CSV file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The sheet name.
    pub name: String,
    pub columns: Vec<Column>,
    /// Rows of cells, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// Why a table could not be written.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TabularError {
    /// The XLSX writer refused a cell or the workbook.
    #[error("cannot write the XLSX file: sheet {sheet:?}, row {row}, column {column:?}: {reason}")]
    Xlsx {
        sheet: String,
        row: u32,
        column: String,
        reason: String,
    },
    /// The workbook as a whole could not be written.
    #[error("cannot write the XLSX file: {0}")]
    Workbook(String),
}

/// Appends one CSV field.
fn csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn csv_line<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push('\n');
}

/// The table as CSV: header, HXL row when asked, rows.
pub fn to_csv(table: &Table, hxl: bool) -> String {
    let mut out = String::new();
    csv_line(&mut out, table.columns.iter().map(|c| c.name.as_str()));
    if hxl {
        csv_line(
            &mut out,
            table.columns.iter().map(|c| c.hxl.as_deref().unwrap_or("")),
        );
    }
    for row in &table.rows {
        csv_line(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// The tables as an XLSX workbook, one sheet each: a bold header row,
/// the HXL row when asked, numbers as numbers.
pub fn to_xlsx(tables: &[Table], hxl: bool) -> Result<Vec<u8>, TabularError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = workbook.add_worksheet();
        let cell_error = |row: u32, column: usize, e: XlsxError| TabularError::Xlsx {
            sheet: table.name.clone(),
            row: row + 1,
            column: table
                .columns
                .get(column)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            reason: e.to_string(),
        };
        sheet
            .set_name(&table.name)
            .map_err(|e| TabularError::Workbook(e.to_string()))?;
        for (c, column) in table.columns.iter().enumerate() {
            let col = u16::try_from(c)
                .map_err(|_| TabularError::Workbook("too many columns".to_owned()))?;
            sheet
                .write_string_with_format(0, col, &column.name, &bold)
                .map_err(|e| cell_error(0, c, e))?;
            if hxl {
                sheet
                    .write_string(1, col, column.hxl.as_deref().unwrap_or(""))
                    .map_err(|e| cell_error(1, c, e))?;
            }
        }
        let first = if hxl { 2 } else { 1 };
        for (r, cells) in table.rows.iter().enumerate() {
            let row = u32::try_from(r + first)
                .map_err(|_| TabularError::Workbook("too many rows".to_owned()))?;
            for (c, value) in cells.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let col = u16::try_from(c)
                    .map_err(|_| TabularError::Workbook("too many columns".to_owned()))?;
                let number = table
                    .columns
                    .get(c)
                    .filter(|column| column.numeric)
                    .and_then(|_| value.parse::<f64>().ok())
                    .filter(|f| f.is_finite());
                match number {
                    Some(n) => sheet.write_number(row, col, n),
                    None => sheet.write_string(row, col, value),
                }
                .map_err(|e| cell_error(row, c, e))?;
            }
        }
        sheet
            .set_freeze_panes(u32::try_from(first).unwrap_or(1), 0)
            .map_err(|e| TabularError::Workbook(e.to_string()))?;
    }
    workbook
        .save_to_buffer()
        .map_err(|e| TabularError::Workbook(e.to_string()))
}

/// Words SPSS or Stata reserve, which no variable may be named
/// (compared without case: SPSS ignores it).
const RESERVED: &[&str] = &[
    // SPSS.
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    // Stata.
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_pi", "_pred", "_rc", "_skip", "strl", "using",
];

/// Whether Stata reads a name as a string storage type (`str1`...`str2045`).
fn is_string_type(name: &str) -> bool {
    name.to_ascii_lowercase()
        .strip_prefix("str")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// SPSS and Stata variable names for the columns: letters, digits and
/// `_`, starting with a letter, at most 32 characters, none a reserved
/// word, unique without regard to case.
pub fn variable_names(table: &Table) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(table.columns.len());
    for column in &table.columns {
        let mut name: String = column
            .name
            .trim_start_matches('/')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            name.insert(0, 'v');
        }
        name.truncate(32);
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&name)) || is_string_type(&name) {
            name.push('_');
        }
        let base = name.clone();
        let mut n = 2;
        while names.iter().any(|m| m.eq_ignore_ascii_case(&name)) {
            let suffix = format!("_{n}");
            name = format!("{}{suffix}", &base[..base.len().min(32 - suffix.len())]);
            n += 1;
        }
        names.push(name);
    }
    names
}

/// The number of cells holding a line break: SPSS's text reader ends a
/// case at every line end, quoted or not, so it misreads such a CSV.
pub fn cells_with_line_breaks(table: &Table) -> usize {
    table
        .rows
        .iter()
        .flatten()
        .filter(|cell| cell.contains(['\n', '\r']))
        .count()
}

fn spss_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''").replace(['\n', '\r'], " "))
}

fn stata_quote(text: &str) -> String {
    // Compound quotes hold any text but a line break; `\` keeps Stata from
    // expanding a macro at a backtick or a dollar sign.
    let text = text
        .replace(['\n', '\r'], " ")
        .replace('`', "\\`")
        .replace('$', "\\$");
    format!("`\"{text}\"'")
}

/// Whether every cell of column `c` is empty or a whole number.
fn whole_numbers(table: &Table, c: usize) -> bool {
    table.rows.iter().all(|r| {
        r.get(c)
            .is_none_or(|v| v.is_empty() || v.parse::<i64>().is_ok())
    })
}

/// The value labels of column `c` and, after them, each other value the
/// data holds (labelled with itself), so that coding the column as
/// numbers keeps every value.
fn every_value_labelled(table: &Table, c: usize) -> Vec<(String, String)> {
    let mut labels = table.columns[c].value_labels.clone();
    for row in &table.rows {
        if let Some(value) = row.get(c)
            && !value.is_empty()
            && !labels.iter().any(|(v, _)| v == value)
        {
            labels.push((value.clone(), value.clone()));
        }
    }
    labels
}

/// SPSS syntax that reads the CSV written by [`to_csv`] from `data_file`
/// (as seen from the syntax file) and applies variable and value labels.
pub fn to_spss(table: &Table, data_file: &str, hxl: bool) -> String {
    let names = variable_names(table);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "* Written by Sankore: reads {data_file} and applies its labels."
    );
    let broken = cells_with_line_breaks(table);
    if broken > 0 {
        let _ = writeln!(
            out,
            "* WARNING: {broken} cells hold line breaks, which SPSS reads as new cases:\n* open the XLSX export (sankore export ... --format xlsx) for those columns."
        );
    }
    out.push_str("GET DATA\n  /TYPE=TXT\n");
    let _ = writeln!(out, "  /FILE={}", spss_quote(data_file));
    out.push_str("  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n");
    let _ = writeln!(out, "  /FIRSTCASE={}", if hxl { 3 } else { 2 });
    out.push_str("  /DELIMITERS=','\n  /QUALIFIER='\"'\n  /VARIABLES=\n");
    for (c, name) in names.iter().enumerate() {
        let column = &table.columns[c];
        let longest = |values: &mut dyn Iterator<Item = usize>| values.max().unwrap_or(1);
        let format = if column.numeric && whole_numbers(table, c) {
            let digits = longest(&mut table.rows.iter().map(|r| r.get(c).map_or(0, String::len)));
            format!("F{}.0", digits.clamp(1, 40))
        } else if column.numeric {
            "F16.6".to_owned()
        } else {
            // Wide enough for the data and for every labelled value.
            let width = longest(
                &mut table
                    .rows
                    .iter()
                    .map(|r| r.get(c).map_or(0, String::len))
                    .chain(column.value_labels.iter().map(|(v, _)| v.len())),
            );
            format!("A{}", width.clamp(1, 32767))
        };
        let _ = writeln!(out, "    {name} {format}");
    }
    out.push_str(".\n");
    let labelled: Vec<(usize, &str)> = table
        .columns
        .iter()
        .enumerate()
        .filter_map(|(c, col)| col.label.as_deref().map(|l| (c, l)))
        .collect();
    if !labelled.is_empty() {
        out.push_str("VARIABLE LABELS\n");
        for (i, (c, label)) in labelled.iter().enumerate() {
            let sep = if i == 0 { "  " } else { "  /" };
            let _ = writeln!(out, "{sep}{} {}", names[*c], spss_quote(label));
        }
        out.push_str(".\n");
    }
    let valued: Vec<usize> = (0..table.columns.len())
        .filter(|c| !table.columns[*c].value_labels.is_empty())
        .collect();
    if !valued.is_empty() {
        // One value and its label a line: SPSS reads lines of at most 256
        // bytes.
        out.push_str("VALUE LABELS\n");
        for (i, c) in valued.iter().enumerate() {
            let sep = if i == 0 { "  " } else { "  /" };
            let _ = writeln!(out, "{sep}{}", names[*c]);
            for (value, label) in &table.columns[*c].value_labels {
                let value = if table.columns[*c].numeric {
                    value.clone()
                } else {
                    spss_quote(value)
                };
                let _ = writeln!(out, "    {value} {}", spss_quote(label));
            }
        }
        out.push_str(".\n");
    }
    out.push_str("EXECUTE.\n");
    out
}

/// A Stata do-file that reads the CSV written by [`to_csv`] from
/// `data_file` (as seen from the do-file), names and labels the variables,
/// and turns each column with value labels into a labelled numeric
/// variable: codes in the order of the labels, then any other value the
/// data holds, labelled with itself, so that no answer becomes missing.
pub fn to_stata(table: &Table, data_file: &str, hxl: bool) -> String {
    let names = variable_names(table);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "* Written by Sankore: reads {data_file} and applies its labels."
    );
    let _ = writeln!(
        out,
        "import delimited using {}, delimiters(\",\") bindquote(strict) varnames(nonames) rowrange({}:) encoding(\"utf-8\") stringcols(_all) clear",
        stata_quote(data_file),
        if hxl { 3 } else { 2 }
    );
    // One group rename: every name is given at once, so no new name can
    // clash with a `vN` not renamed yet.
    let _ = writeln!(
        out,
        "rename ({}) ({})",
        (1..=names.len())
            .map(|c| format!("v{c}"))
            .collect::<Vec<_>>()
            .join(" "),
        names.join(" ")
    );
    out.push_str("tempvar code\n");
    for (c, name) in names.iter().enumerate() {
        let column = &table.columns[c];
        if column.numeric && column.value_labels.is_empty() {
            let _ = writeln!(out, "destring {name}, replace");
        }
        if let Some(label) = &column.label {
            let label: String = label.chars().take(80).collect();
            let _ = writeln!(out, "label variable {name} {}", stata_quote(&label));
        }
        if column.value_labels.is_empty() {
            continue;
        }
        // Value labels have their own names: each is its variable's name.
        let labels = every_value_labelled(table, c);
        let _ = write!(out, "label define {name}");
        for (i, (_, label)) in labels.iter().enumerate() {
            let _ = write!(out, " {} {}", i + 1, stata_quote(label));
        }
        out.push_str(", replace\n");
        out.push_str("generate long `code' = .\n");
        for (i, (value, _)) in labels.iter().enumerate() {
            let _ = writeln!(
                out,
                "replace `code' = {} if {name} == {}",
                i + 1,
                stata_quote(value)
            );
        }
        let _ = writeln!(out, "order `code', after({name})");
        let _ = writeln!(out, "drop {name}");
        let _ = writeln!(out, "rename `code' {name}");
        let _ = writeln!(out, "label values {name} {name}");
        if let Some(label) = &column.label {
            let label: String = label.chars().take(80).collect();
            let _ = writeln!(out, "label variable {name} {}", stata_quote(&label));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut gender = Column::text("resp/gender")
            .label("Sexe")
            .hxl("#respondee+gender");
        gender.value_labels = vec![
            ("f".into(), "Femme".into()),
            ("m".into(), "Homme l'a".into()),
        ];
        Table {
            name: "responses".into(),
            columns: vec![Column::text("_uuid"), gender, Column::number("resp/age")],
            rows: vec![
                vec!["u-1".into(), "f".into(), "34".into()],
                vec!["u,2".into(), "m".into(), "".into()],
            ],
        }
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        assert_eq!(
            to_csv(&table(), true),
            "_uuid,resp/gender,resp/age\n,#respondee+gender,\nu-1,f,34\n\"u,2\",m,\n"
        );
    }

    #[test]
    fn names_are_valid_and_unique() {
        let mut t = table();
        t.columns.push(Column::text("resp-gender"));
        t.columns.push(Column::text("_1"));
        assert_eq!(
            variable_names(&t),
            ["v_uuid", "resp_gender", "resp_age", "resp_gender_2", "v_1"]
        );
    }

    #[test]
    fn syntax_files_label_values() {
        let sps = to_spss(&table(), "r.csv", false);
        assert!(sps.contains("  /FIRSTCASE=2\n"), "{sps}");
        assert!(sps.contains("    resp_gender A1\n"), "{sps}");
        assert!(sps.contains("    resp_age F2.0\n"), "{sps}");
        assert!(
            sps.contains("VALUE LABELS\n  resp_gender\n    'f' 'Femme'\n    'm' 'Homme l''a'\n."),
            "{sps}"
        );
        assert!(!sps.contains("WARNING"), "{sps}");
        let stata = to_stata(&table(), "r.csv", true);
        assert!(stata.contains("rowrange(3:)"), "{stata}");
        assert!(
            stata.contains("rename (v1 v2 v3) (v_uuid resp_gender resp_age)\n"),
            "{stata}"
        );
        assert!(
            stata.contains("label define resp_gender 1 `\"Femme\"' 2 `\"Homme l'a\"', replace"),
            "{stata}"
        );
        assert!(
            stata.contains("replace `code' = 2 if resp_gender == `\"m\"'"),
            "{stata}"
        );
        assert!(
            stata.contains("label values resp_gender resp_gender\n"),
            "{stata}"
        );
        assert!(stata.contains("destring resp_age, replace"), "{stata}");
    }

    /// Every name a do-file or syntax file gives: at most 32 characters.
    fn names_in(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.contains('_') || w.len() > 20)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn names_avoid_reserved_words_and_stay_within_32_characters() {
        let long = "a_very_long_group_name_for_testing/and_its_question";
        let mut labelled = Column::text(long);
        labelled.value_labels = vec![("a".into(), "A".into())];
        let t = Table {
            name: "t".into(),
            columns: vec![
                Column::text("v2"),
                Column::text("in"),
                Column::text("WITH"),
                Column::text("str5"),
                labelled,
            ],
            rows: vec![vec![
                "1".into(),
                "2".into(),
                "3".into(),
                "4".into(),
                "a".into(),
            ]],
        };
        let names = variable_names(&t);
        assert_eq!(names[..4], ["v2", "in_", "WITH_", "str5_"]);
        assert_eq!(names[4], "a_very_long_group_name_for_testi");
        let stata = to_stata(&t, "t.csv", false);
        assert!(
            stata.contains(&format!("rename (v1 v2 v3 v4 v5) ({})\n", names.join(" "))),
            "{stata}"
        );
        for name in names_in(&stata)
            .iter()
            .chain(&names_in(&to_spss(&t, "t.csv", false)))
        {
            assert!(name.len() <= 32, "{name}");
        }
    }

    #[test]
    fn every_value_keeps_a_code_and_labels_keep_their_text() {
        let mut t = table();
        t.rows.push(vec!["u-3".into(), "other".into(), "5".into()]);
        t.columns[1].label = Some("Raison ($ coût) `x' l'a".into());
        t.columns[1]
            .value_labels
            .push(("unspecified".into(), "Non dit".into()));
        let stata = to_stata(&t, "r.csv", false);
        // A value without a label is coded too, labelled with itself.
        assert!(
            stata.contains("4 `\"other\"', replace")
                && stata.contains("replace `code' = 4 if resp_gender == `\"other\"'"),
            "{stata}"
        );
        assert!(
            stata.contains("label variable resp_gender `\"Raison (\\$ coût) \\`x' l'a\"'"),
            "{stata}"
        );
        // SPSS: wide enough for the longest labelled value.
        let sps = to_spss(&t, "r.csv", false);
        assert!(sps.contains("    resp_gender A11\n"), "{sps}");
    }

    #[test]
    fn spss_syntax_warns_of_cells_with_line_breaks() {
        let mut t = table();
        t.rows[0][0] = "deux\nlignes".into();
        assert_eq!(cells_with_line_breaks(&t), 1);
        let sps = to_spss(&t, "r.csv", false);
        assert!(sps.contains("* WARNING: 1 cells hold line breaks"), "{sps}");
    }

    #[test]
    fn xlsx_round_trips_through_the_reader() {
        let bytes = to_xlsx(&[table()], false).unwrap_or_else(|e| panic!("{e}"));
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let range = book
            .worksheet_range("responses")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(range.get_value((1, 2)), Some(&calamine::Data::Float(34.0)));
        assert_eq!(
            range.get_value((2, 0)),
            Some(&calamine::Data::String("u,2".into()))
        );
    }
}
