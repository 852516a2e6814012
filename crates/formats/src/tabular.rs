//! Tables out, for Excel, SPSS, Stata and R users: CSV, XLSX (one sheet
//! per table), and SPSS syntax (`.sps`) and Stata do-files (`.do`) that
//! read the CSV or the XLSX and apply variable and value labels.
//!
//! Cells are written exactly as given (a coded passage keeps every
//! character); CSV is RFC 4180 (comma, `"` quoting, `\n` rows), UTF-8
//! without a byte-order mark. An optional HXL hashtag row follows the
//! header.

use std::fmt::Write as _;
use std::path::{Component, Path};

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

/// The number of cells, header included, holding a line break: SPSS's
/// text reader ends a case at every line end, quoted or not, so it
/// misreads such a CSV (the XLSX is read cell by cell).
pub fn cells_with_line_breaks(table: &Table) -> usize {
    table
        .columns
        .iter()
        .map(|c| &c.name)
        .chain(table.rows.iter().flatten())
        .filter(|cell| cell.contains(['\n', '\r']))
        .count()
}

/// The data file a syntax file reads, named as the syntax file should
/// name it (see [`relative_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile<'a> {
    /// A CSV file written by [`to_csv`].
    Csv(&'a str),
    /// An XLSX workbook written by [`to_xlsx`]: the table is the sheet of
    /// its name.
    Xlsx(&'a str),
}

/// How a syntax file in the folder `from` should name the file `to`:
/// relative to `from` (`/`-separated, `..` to go up) when the two share a
/// root, else `to` whole. Both are taken as absolute paths without `.` or
/// `..`, as `std::fs::canonicalize` gives them.
pub fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let target: Vec<Component<'_>> = to.components().collect();
    /// How many components make the root (prefix, `/`), when all the
    /// others are plain names.
    fn root_len(parts: &[Component<'_>]) -> Option<usize> {
        let root = parts
            .iter()
            .take_while(|p| matches!(p, Component::Prefix(_) | Component::RootDir))
            .count();
        let plain = parts[root..]
            .iter()
            .all(|p| matches!(p, Component::Normal(_)));
        (root > 0 && plain).then_some(root)
    }
    match (root_len(&from), root_len(&target)) {
        (Some(a), Some(b)) if from[..a] == target[..b] => {}
        _ => return to.to_string_lossy().into_owned(),
    }
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts = vec![String::from(".."); from.len() - common];
    parts.extend(
        target[common..]
            .iter()
            .map(|p| p.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// SPSS reads syntax lines of up to 256 bytes: lines are kept to this.
const SPSS_LINE: usize = 250;

/// `text` as SPSS string tokens: quoted (`'` doubled, line breaks as
/// spaces) and, when long, cut into pieces joined by `+` (SPSS joins
/// them back) so that each fits a line.
fn spss_strings(text: &str) -> Vec<String> {
    const PIECE: usize = 200;
    let mut pieces = Vec::new();
    let mut piece = String::from("'");
    for c in text.chars() {
        let c = if matches!(c, '\n' | '\r') { ' ' } else { c };
        let bytes = if c == '\'' { 2 } else { c.len_utf8() };
        if piece.len() + bytes + 1 > PIECE {
            piece.push_str("' +");
            pieces.push(std::mem::replace(&mut piece, String::from("'")));
        }
        if c == '\'' {
            piece.push_str("''");
        } else {
            piece.push(c);
        }
    }
    piece.push('\'');
    pieces.push(piece);
    pieces
}

/// Appends `keyword` (`/FILE=`) and `text` as SPSS string tokens.
fn push_keyword_string(out: &mut String, keyword: &str, text: &str) {
    let mut tokens = spss_strings(text);
    if let Some(first) = tokens.first_mut() {
        first.insert_str(0, keyword);
    }
    push_wrapped(out, tokens);
}

/// Appends `tokens`, a space before each (none after `(` or a space),
/// going on to an indented line before one would pass
/// [`SPSS_LINE`] bytes.
fn push_wrapped<S: AsRef<str>>(out: &mut String, tokens: impl IntoIterator<Item = S>) {
    for token in tokens {
        let token = token.as_ref();
        let line = out.len() - out.rfind('\n').map_or(0, |i| i + 1);
        if line + 1 + token.len() > SPSS_LINE {
            out.push_str("\n    ");
        } else if !out.is_empty() && !out.ends_with(['\n', ' ', '(']) {
            out.push(' ');
        }
        out.push_str(token);
    }
}

/// The SPSS format of column `c`: `A` as wide as its longest value or
/// labelled code (SPSS drops the labels of longer codes), or for numbers
/// `F` wide enough for every value, `.0` when all are whole.
fn spss_format(table: &Table, c: usize) -> String {
    let column = &table.columns[c];
    let values = table
        .rows
        .iter()
        .filter_map(|r| r.get(c))
        .filter(|v| !v.is_empty());
    if !column.numeric {
        let width = values
            .map(String::len)
            .chain(column.value_labels.iter().map(|(v, _)| v.len()))
            .max()
            .unwrap_or(1)
            .clamp(1, 32767);
        return format!("A{width}");
    }
    let (mut width, mut whole, mut decimals) = (1, 1, 0);
    for value in values.map(|v| v.trim()) {
        let Some(number) = value.parse::<f64>().ok().filter(|n| n.is_finite()) else {
            continue;
        };
        // Display writes no exponent: 1e3 is 1000.
        let plain = number.to_string();
        let (int, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        width = width.max(value.len());
        whole = whole.max(int.len());
        decimals = decimals.max(fraction.len());
    }
    let decimals = decimals.min(16);
    let width = width
        .max(whole + if decimals > 0 { decimals + 1 } else { 0 })
        .min(40);
    format!("F{width}.{decimals}")
}

/// `A`, `B`, … `Z`, `AA`, …: the spreadsheet letters of column `index`
/// (from 0).
fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The cells of the table's data in its XLSX sheet, from row `first`.
fn data_range(table: &Table, first: usize) -> String {
    format!(
        "A{first}:{}{}",
        column_letters(table.columns.len().saturating_sub(1)),
        first + table.rows.len().saturating_sub(1)
    )
}

/// The note that opens both syntax files.
const SYNTAX_HEADER: &str = "* Written by Sankore: reads the table and applies its labels.\n\
    * A relative file name is read from the working directory: change to the folder of this file first.\n";

/// SPSS syntax that reads the table from `data` (rows of data after the
/// header, and the HXL row when `hxl`) and applies variable and value
/// labels. A CSV is read with the formats of [`spss_format`]; an XLSX
/// sheet is read without its header row (its names are not SPSS names),
/// then renamed and given the same formats. A CSV that SPSS would misread
/// (see [`cells_with_line_breaks`]) gets a `* WARNING` comment. No line
/// passes 250 bytes: long lists and labels go on over several lines.
pub fn to_spss(table: &Table, data: DataFile<'_>, hxl: bool) -> String {
    let names = variable_names(table);
    let formats: Vec<String> = (0..table.columns.len())
        .map(|c| spss_format(table, c))
        .collect();
    let first = if hxl { 3 } else { 2 };
    let mut out = String::from(SYNTAX_HEADER);
    let broken = cells_with_line_breaks(table);
    if matches!(data, DataFile::Csv(_)) && broken > 0 {
        let (cells, hold) = match broken {
            1 => ("1 cell".to_owned(), "holds"),
            n => (format!("{n} cells"), "hold"),
        };
        let _ = writeln!(
            out,
            "* WARNING: {cells} of the CSV {hold} a line break, which SPSS reads as a new case.\n\
             * The rows holding them are misread: read the XLSX export instead (--format xlsx)."
        );
    }
    out.push_str("GET DATA\n");
    match data {
        DataFile::Csv(path) => {
            out.push_str("  /TYPE=TXT\n  ");
            push_keyword_string(&mut out, "/FILE=", path);
            out.push_str("\n  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n");
            let _ = writeln!(out, "  /FIRSTCASE={first}");
            out.push_str("  /DELIMITERS=','\n  /QUALIFIER='\"'\n  /VARIABLES=\n");
            for (name, format) in names.iter().zip(&formats) {
                let _ = writeln!(out, "    {name} {format}");
            }
            out.push_str(".\n");
        }
        DataFile::Xlsx(path) => {
            out.push_str("  /TYPE=XLSX\n  ");
            push_keyword_string(&mut out, "/FILE=", path);
            out.push_str("\n  ");
            push_keyword_string(&mut out, "/SHEET=NAME ", &table.name);
            let _ = writeln!(out, "\n  /CELLRANGE=RANGE '{}'", data_range(table, first));
            out.push_str("  /READNAMES=OFF\n  /ASSUMEDSTRWIDTH=32767\n.\n");
            // SPSS names the columns V1, V2, … and renames all at once.
            let renames: Vec<(String, &String)> = names
                .iter()
                .enumerate()
                .map(|(c, name)| (format!("V{}", c + 1), name))
                .filter(|(old, name)| !old.eq_ignore_ascii_case(name))
                .collect();
            if !renames.is_empty() {
                out.push_str("RENAME VARIABLES (");
                push_wrapped(&mut out, renames.iter().map(|(old, _)| old.as_str()));
                push_wrapped(&mut out, ["="]);
                push_wrapped(&mut out, renames.iter().map(|(_, name)| name.as_str()));
                out.push_str(").\n");
            }
            if !names.is_empty() {
                out.push_str("ALTER TYPE");
                for (name, format) in names.iter().zip(&formats) {
                    push_wrapped(&mut out, [name.clone(), format!("({format})")]);
                }
                out.push_str(".\n");
            }
        }
    }
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
            let _ = write!(out, "{sep}{}", names[*c]);
            push_wrapped(&mut out, spss_strings(label));
            out.push('\n');
        }
        out.push_str(".\n");
    }
    let valued: Vec<usize> = (0..table.columns.len())
        .filter(|c| !table.columns[*c].value_labels.is_empty())
        .collect();
    if !valued.is_empty() {
        out.push_str("VALUE LABELS\n");
        for (i, c) in valued.iter().enumerate() {
            let sep = if i == 0 { "  " } else { "  /" };
            let _ = writeln!(out, "{sep}{}", names[*c]);
            // A value and its label a line, itself cut when too long.
            for (value, label) in &table.columns[*c].value_labels {
                out.push_str("    ");
                if table.columns[*c].numeric {
                    push_wrapped(&mut out, [value]);
                } else {
                    push_wrapped(&mut out, spss_strings(value));
                }
                push_wrapped(&mut out, spss_strings(label));
                out.push('\n');
            }
        }
        out.push_str(".\n");
    }
    out.push_str("EXECUTE.\n");
    out
}

/// `text` as a Stata compound-quoted string that reads back as given:
/// `\`, `$` and `` ` `` are escaped against macro expansion, and line
/// breaks become spaces (a do-file line cannot hold one).
fn stata_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    out.push_str("`\"");
    for c in text.chars() {
        match c {
            '\\' | '$' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.push_str("\"'");
    out
}

/// `text` as a Stata string expression, exact to its line breaks
/// (`char(10)`, `char(13)`).
fn stata_string(text: &str) -> String {
    let mut parts = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if matches!(c, '\n' | '\r') {
            if !run.is_empty() {
                parts.push(stata_quote(&std::mem::take(&mut run)));
            }
            parts.push(format!("char({})", u32::from(c)));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() || parts.is_empty() {
        parts.push(stata_quote(&run));
    }
    parts.join(" + ")
}

/// The renames from the names Stata gives the imported columns to
/// `names`, none onto a name in use: a column whose new name another
/// imported column still has is moved to a temporary name (`_sk_N`,
/// never one of `names`, which start with a letter) first.
fn stata_renames(imported: &[String], names: &[String]) -> Vec<(String, String)> {
    let (mut first, mut direct, mut last) = (Vec::new(), Vec::new(), Vec::new());
    for (k, (old, new)) in imported.iter().zip(names).enumerate() {
        if old == new {
            continue;
        }
        let taken = imported
            .iter()
            .enumerate()
            .any(|(j, other)| j != k && other.eq_ignore_ascii_case(new));
        if taken {
            let temporary = format!("_sk_{}", k + 1);
            first.push((old.clone(), temporary.clone()));
            last.push((temporary, new.clone()));
        } else {
            direct.push((old.clone(), new.clone()));
        }
    }
    first.into_iter().chain(direct).chain(last).collect()
}

/// The temporary variable a labelled column is coded into (a name
/// starting with `_`, so never one of [`variable_names`]).
const STATA_CODED: &str = "_sk_coded";

/// A Stata do-file that reads the table from `data` (rows of data after
/// the header, and the HXL row when `hxl`), names and labels the
/// variables, and turns each column with value labels into a labelled
/// numeric variable. A Stata user expects no answer to be lost on the
/// way, as with `encode`, so the codes are those of
/// [`every_value_labelled`]: 1, 2, … for the labelled values in the order
/// of the labels, then one for each other value the data holds (an
/// "other" answer, say), labelled with itself; empty cells are missing.
/// Value labels are named after their variable. Every name the do-file
/// creates has at most 32 characters, and none is renamed onto a name in
/// use (see [`stata_renames`]).
pub fn to_stata(table: &Table, data: DataFile<'_>, hxl: bool) -> String {
    let names = variable_names(table);
    let first = if hxl { 3 } else { 2 };
    let mut out = String::from(SYNTAX_HEADER);
    let imported: Vec<String> = match data {
        DataFile::Csv(path) => {
            let _ = writeln!(
                out,
                "import delimited using {}, delimiters(\",\") bindquote(strict) varnames(nonames) rowrange({first}:) encoding(\"utf-8\") stringcols(_all) clear",
                stata_quote(path),
            );
            (1..=names.len()).map(|k| format!("v{k}")).collect()
        }
        DataFile::Xlsx(path) => {
            let _ = writeln!(
                out,
                "import excel using {}, sheet({}) cellrange({}) allstring clear",
                stata_quote(path),
                stata_quote(&table.name),
                data_range(table, first),
            );
            (0..names.len()).map(column_letters).collect()
        }
    };
    for (old, new) in stata_renames(&imported, &names) {
        let _ = writeln!(out, "rename {old} {new}");
    }
    for (c, name) in names.iter().enumerate() {
        let column = &table.columns[c];
        if column.value_labels.is_empty() {
            if column.numeric {
                let _ = writeln!(out, "destring {name}, replace");
            }
        } else {
            let codes = every_value_labelled(table, c);
            let _ = write!(out, "label define {name}");
            for (i, (_, label)) in codes.iter().enumerate() {
                let _ = write!(out, " {} {}", i + 1, stata_quote(label));
            }
            out.push_str(", replace\n");
            let _ = writeln!(out, "generate long {STATA_CODED} = .");
            for (i, (value, _)) in codes.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "replace {STATA_CODED} = {} if {name} == {}",
                    i + 1,
                    stata_string(value)
                );
            }
            let _ = writeln!(out, "order {STATA_CODED}, after({name})");
            let _ = writeln!(out, "drop {name}");
            let _ = writeln!(out, "rename {STATA_CODED} {name}");
            let _ = writeln!(out, "label values {name} {name}");
        }
        if let Some(label) = &column.label {
            let label: String = label.chars().take(80).collect();
            let _ = writeln!(out, "label variable {name} {}", stata_quote(&label));
        }
    }
    out
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

    /// A table of one row, its cells named by the columns.
    fn row_table(columns: Vec<Column>) -> Table {
        Table {
            name: "t".into(),
            rows: vec![columns.iter().map(|c| c.name.clone()).collect()],
            columns,
        }
    }

    /// What Stata makes of a do-file's text once macros are expanded:
    /// `\\`, `\$` and `` \` `` stand for `\`, `$` and `` ` ``; an
    /// unescaped `$` or `` ` `` would start a macro, so none may be left.
    fn stata_reads(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('\\', Some(&next)) if matches!(next, '\\' | '$' | '`') => {
                    out.push(next);
                    chars.next();
                }
                ('$', _) => panic!("a macro would be expanded in {text}"),
                _ => out.push(c),
            }
        }
        out
    }

    /// Plays a do-file's renames on the variables Stata imported: none
    /// may land on a name in use; gives the names at the end.
    fn play_renames(stata: &str, mut vars: Vec<String>) -> Vec<String> {
        for line in stata.lines() {
            let Some((old, new)) = line.strip_prefix("rename ").and_then(|r| r.split_once(' '))
            else {
                continue;
            };
            assert!(
                !vars.iter().any(|v| v.eq_ignore_ascii_case(new)),
                "{line}: {new} is in use\n{stata}"
            );
            let at = vars.iter().position(|v| v == old);
            let at = at.unwrap_or_else(|| panic!("{line}: no {old}\n{stata}"));
            vars[at] = new.to_owned();
        }
        vars
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
        let sps = to_spss(&table(), DataFile::Csv("r.csv"), false);
        assert!(sps.contains("  /FILE='r.csv'\n"), "{sps}");
        assert!(sps.contains("  /FIRSTCASE=2\n"), "{sps}");
        assert!(sps.contains("    resp_gender A1\n"), "{sps}");
        assert!(sps.contains("    resp_age F2.0\n"), "{sps}");
        assert!(
            sps.contains("VALUE LABELS\n  resp_gender\n    'f' 'Femme'\n    'm' 'Homme l''a'\n."),
            "{sps}"
        );
        assert!(!sps.contains("WARNING"), "{sps}");
        let stata = to_stata(&table(), DataFile::Csv("r.csv"), true);
        assert!(stata.contains("using `\"r.csv\"', "), "{stata}");
        assert!(stata.contains("rowrange(3:)"), "{stata}");
        assert!(
            stata.contains("rename v1 v_uuid\nrename v2 resp_gender\nrename v3 resp_age\n"),
            "{stata}"
        );
        assert!(
            stata.contains("label define resp_gender 1 `\"Femme\"' 2 `\"Homme l'a\"', replace"),
            "{stata}"
        );
        assert!(
            stata.contains("replace _sk_coded = 2 if resp_gender == `\"m\"'"),
            "{stata}"
        );
        assert!(
            stata.contains("label values resp_gender resp_gender\n"),
            "{stata}"
        );
        assert!(stata.contains("destring resp_age, replace"), "{stata}");
    }

    #[test]
    fn every_name_a_do_file_creates_has_at_most_32_characters() {
        let long = "a_very_long_group_name_for_testing/and_its_question";
        let mut labelled = Column::text(long);
        labelled.value_labels = vec![("a".into(), "A".into())];
        let mut twin = Column::text(format!("{long}_2"));
        twin.value_labels = vec![("a".into(), "A".into())];
        let t = row_table(vec![labelled, twin]);
        for data in [DataFile::Csv("t.csv"), DataFile::Xlsx("t.xlsx")] {
            let stata = to_stata(&t, data, false);
            let mut created = Vec::new();
            for line in stata.lines() {
                let words: Vec<&str> = line.split([' ', ',']).collect();
                match words[..] {
                    ["rename", _, new] => created.push(new),
                    ["generate", "long", new, ..] => created.push(new),
                    ["label", "define", new, ..] => created.push(new),
                    ["label", "values", _, label] => created.push(label),
                    _ => {}
                }
            }
            assert!(created.len() >= 6, "{stata}");
            for name in &created {
                assert!(name.len() <= 32, "{name} in\n{stata}");
            }
            let labels: Vec<&str> = stata
                .lines()
                .filter_map(|l| l.strip_prefix("label define "))
                .filter_map(|l| l.split(' ').next())
                .collect();
            assert_eq!(
                labels,
                [
                    "a_very_long_group_name_for_testi",
                    "a_very_long_group_name_for_tes_2"
                ],
                "{stata}"
            );
        }
    }

    #[test]
    fn names_avoid_reserved_words() {
        let t = row_table(
            [
                "in", "WITH", "with", "str5", "strL", "long", "To", "_n", "inside",
            ]
            .into_iter()
            .map(Column::text)
            .collect(),
        );
        assert_eq!(
            variable_names(&t),
            [
                "in_", "WITH_", "with__2", "str5_", "strL_", "long_", "To_", "v_n", "inside"
            ]
        );
        let sps = to_spss(&t, DataFile::Csv("t.csv"), false);
        assert!(sps.contains("    WITH_ A4\n"), "{sps}");
        assert!(!sps.contains("    in A"), "{sps}");
    }

    #[test]
    fn renames_never_land_on_a_name_in_use() {
        // Columns named as Stata names the imported ones: `v2` first, a
        // swap, `V3` in another case, `v7` in its place; in a workbook,
        // `B` and `A`.
        let t = row_table(
            ["v2", "v1", "x", "V3", "B", "A", "v7"]
                .into_iter()
                .map(Column::text)
                .collect(),
        );
        let names = variable_names(&t);
        let csv = to_stata(&t, DataFile::Csv("t.csv"), false);
        let imported = (1..=7).map(|k| format!("v{k}")).collect();
        assert_eq!(play_renames(&csv, imported), names, "{csv}");
        let xlsx = to_stata(&t, DataFile::Xlsx("t.xlsx"), false);
        let imported = ["A", "B", "C", "D", "E", "F", "G"]
            .map(String::from)
            .to_vec();
        assert_eq!(play_renames(&xlsx, imported), names, "{xlsx}");
        // SPSS renames a whole list at once, swaps included.
        let sps = to_spss(&t, DataFile::Xlsx("t.xlsx"), false);
        assert!(
            sps.contains("RENAME VARIABLES (V1 V2 V3 V4 V5 V6 = v2 v1 x V3 B A).\n"),
            "{sps}"
        );
    }

    #[test]
    fn every_value_keeps_a_code() {
        let mut t = table();
        t.rows.push(vec!["u-3".into(), "other".into(), "5".into()]);
        t.rows
            .push(vec!["u-4".into(), "deux\nlignes".into(), "6".into()]);
        t.rows.push(vec!["u-5".into(), "".into(), "7".into()]);
        t.columns[1]
            .value_labels
            .push(("unspecified".into(), "Non dit".into()));
        let stata = to_stata(&t, DataFile::Csv("r.csv"), false);
        // A value without a label is coded too, labelled with itself.
        assert!(
            stata.contains(" 4 `\"other\"' 5 `\"deux lignes\"', replace")
                && stata.contains("replace _sk_coded = 4 if resp_gender == `\"other\"'\n")
                && stata.contains(
                    "replace _sk_coded = 5 if resp_gender == `\"deux\"' + char(10) + `\"lignes\"'\n"
                ),
            "{stata}"
        );
        // An empty cell stays missing.
        assert!(!stata.contains("resp_gender == `\"\"'"), "{stata}");
        // The string is dropped only once every value has its code.
        let coded = stata.find("replace _sk_coded = 5").unwrap_or(usize::MAX);
        let dropped = stata.find("drop resp_gender").unwrap_or(0);
        assert!(coded < dropped, "{stata}");
    }

    #[test]
    fn stata_strings_read_back_as_given() {
        let label = "Raison ($ coût) `x' l'a, C:\\dir\\$HOME \\`y' \\\\";
        let mut t = table();
        t.columns[1].label = Some(label.into());
        t.columns[1].value_labels[0] = ("$f".into(), label.into());
        let stata = to_stata(&t, DataFile::Csv("C:\\data\\$r.csv"), false);
        assert!(
            stata.contains("label variable resp_gender `\"Raison (\\$ coût) \\`x' l'a"),
            "{stata}"
        );
        let read = stata_reads(&stata);
        assert!(
            read.contains(&format!("label variable resp_gender `\"{label}\"'\n")),
            "{read}"
        );
        assert!(
            read.contains(&format!("label define resp_gender 1 `\"{label}\"' ")),
            "{read}"
        );
        assert!(read.contains("if resp_gender == `\"$f\"'\n"), "{read}");
        assert!(read.contains("using `\"C:\\data\\$r.csv\"', "), "{read}");
    }

    #[test]
    fn spss_reads_the_xlsx_sheet_and_warns_of_line_breaks_in_a_csv() {
        let mut t = table();
        t.rows[0][0] = "deux\nlignes".into();
        assert_eq!(cells_with_line_breaks(&t), 1);
        let sps = to_spss(&t, DataFile::Csv("r.csv"), false);
        assert!(
            sps.contains(
                "* WARNING: 1 cell of the CSV holds a line break, which SPSS reads as a new case.\n"
            ) && sps.contains("--format xlsx).\nGET DATA\n"),
            "{sps}"
        );
        // The workbook is read cell by cell, from its first row of data.
        let sps = to_spss(&t, DataFile::Xlsx("r.xlsx"), true);
        assert!(!sps.contains("WARNING"), "{sps}");
        assert!(
            sps.contains(
                "GET DATA\n  /TYPE=XLSX\n  /FILE='r.xlsx'\n  /SHEET=NAME 'responses'\n  \
                 /CELLRANGE=RANGE 'A3:C4'\n  /READNAMES=OFF\n  /ASSUMEDSTRWIDTH=32767\n.\n\
                 RENAME VARIABLES (V1 V2 V3 = v_uuid resp_gender resp_age).\n\
                 ALTER TYPE v_uuid (A11) resp_gender (A1) resp_age (F2.0).\n"
            ),
            "{sps}"
        );
        let stata = to_stata(&t, DataFile::Xlsx("r.xlsx"), true);
        assert!(
            stata.contains(
                "import excel using `\"r.xlsx\"', sheet(`\"responses\"') cellrange(A3:C4) allstring clear\n\
                 rename A v_uuid\n"
            ),
            "{stata}"
        );
        // A3:C4 is where to_xlsx wrote the data.
        use calamine::{Reader, Xlsx};
        let bytes = to_xlsx(&[t], true).unwrap_or_else(|e| panic!("{e}"));
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let range = book
            .worksheet_range("responses")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(range.end(), Some((3, 2)));
        assert_eq!(
            range.get_value((2, 0)),
            Some(&calamine::Data::String("deux\nlignes".into()))
        );
    }

    #[test]
    fn data_paths_are_relative_to_the_syntax_folder() {
        let path = |dir: &str, file: &str| relative_path(Path::new(dir), Path::new(file));
        assert_eq!(path("/w/out", "/w/out/people.csv"), "people.csv");
        assert_eq!(path("/w/out/syntax", "/w/out/people.csv"), "../people.csv");
        assert_eq!(
            path("/w/syntax", "/w/data/x/people.csv"),
            "../data/x/people.csv"
        );
        assert_eq!(path("/", "/people.csv"), "people.csv");
        // Not both absolute: the data file's path as it is.
        assert_eq!(path("syntax", "/w/people.csv"), "/w/people.csv");
        let sps = to_spss(&table(), DataFile::Csv("../d/it's.csv"), false);
        assert!(sps.contains("  /FILE='../d/it''s.csv'\n"), "{sps}");
        let stata = to_stata(&table(), DataFile::Csv("../d/it's.csv"), false);
        assert!(stata.contains("using `\"../d/it's.csv\"', "), "{stata}");
    }

    #[test]
    fn spss_formats_fit_labelled_codes_and_numbers() {
        let mut gender = Column::text("gender");
        gender.value_labels = vec![
            ("female".into(), "Femmes".into()),
            ("unspecified".into(), "Non dit".into()),
        ];
        let t = Table {
            name: "t".into(),
            columns: vec![
                gender,
                Column::number("age"),
                Column::number("share"),
                Column::number("big"),
                Column::number("none"),
                Column::text("note"),
            ],
            rows: vec![
                vec![
                    "female".into(),
                    "34".into(),
                    "0.25".into(),
                    "1e3".into(),
                    "".into(),
                    " é ".into(),
                ],
                vec![
                    "male".into(),
                    "-120".into(),
                    "3".into(),
                    "7".into(),
                    "".into(),
                    "".into(),
                ],
            ],
        };
        let sps = to_spss(&t, DataFile::Csv("t.csv"), false);
        assert!(
            sps.contains(
                "    gender A11\n    age F4.0\n    share F4.2\n    big F4.0\n    none F1.0\n    note A4\n"
            ),
            "{sps}"
        );
    }

    #[test]
    fn spss_lines_stay_under_256_bytes() {
        let label = "Quelle est la raison principale de l'abandon ? ".repeat(12);
        let mut columns: Vec<Column> = (0..60)
            .map(|i| Column::number(format!("a_rather_long_column_name_{i}")))
            .collect();
        let mut reason = Column::text("reason").label(label.clone());
        reason.value_labels = (0..30)
            .map(|i| (format!("code_{i}_{}", "x".repeat(120)), label.clone()))
            .collect();
        columns.push(reason);
        let t = Table {
            name: "t".into(),
            rows: vec![vec![String::new(); columns.len()]],
            columns,
        };
        let far = format!("{}/t.csv", "dossier/".repeat(40));
        for data in [DataFile::Csv(&far), DataFile::Xlsx(&far)] {
            let sps = to_spss(&t, data, false);
            for line in sps.lines() {
                assert!(line.len() < 256, "{} bytes: {line}", line.len());
            }
            // The cut strings are whole once SPSS joins them back.
            let joined = sps.replace("' +\n    '", "").replace("' + '", "");
            let quoted = format!("'{}'", label.replace('\'', "''"));
            assert!(
                joined.contains(&format!("VARIABLE LABELS\n  reason {quoted}\n")),
                "{sps}"
            );
            assert!(joined.contains(&format!("/FILE='{far}'\n")), "{sps}");
            assert_eq!(joined.matches(&quoted).count(), 31, "{sps}");
        }
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
