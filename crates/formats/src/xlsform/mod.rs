//! XLSForm in and out: forms as ODK, KoBoToolbox and Enketo users write
//! them (`.xlsx`, `.xls`, `.csv` with sheet sections, pyxform's markdown
//! tables) read into an [`Instrument`], and instruments written back as
//! `.xlsx` that pyxform converts.
//!
//! The reader follows pyxform 4.5 (the reference converter): what it refuses
//! is refused here too, with the sheet, row and column at fault
//! (`docs/conformance.md` lists where the two still differ).

mod entities;
mod headers;
mod sheets;
mod survey;
mod types;
mod writer;

use std::fmt;

use sankore_domain::instrument::Instrument;

pub use writer::write_xlsx;

/// The kinds of file an XLSForm comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Excel 2007+ (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel 97-2003 (`.xls`).
    Xls,
    /// pyxform's CSV layout: sheet names in the first column.
    Csv,
    /// pyxform's markdown tables (`.md`).
    Markdown,
}

impl FileKind {
    /// The kind for a file name's extension (`form.xlsx`), if it is one.
    pub fn from_path(path: &std::path::Path) -> Option<FileKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(FileKind::Xlsx),
            "xls" => Some(FileKind::Xls),
            "csv" => Some(FileKind::Csv),
            "md" => Some(FileKind::Markdown),
            _ => None,
        }
    }

    /// The kind's usual name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Xlsx => "XLSX",
            FileKind::Xls => "XLS",
            FileKind::Csv => "CSV",
            FileKind::Markdown => "markdown",
        }
    }
}

/// Why a form was refused: the sheet, row and column at fault when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct XlsFormError {
    pub sheet: Option<String>,
    /// The row as numbered in the file (the header row is row 1).
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

impl XlsFormError {
    /// An error about the file as a whole.
    pub(crate) fn file(message: String) -> Self {
        XlsFormError {
            sheet: None,
            row: None,
            column: None,
            message,
        }
    }

    /// An error at a sheet, row and column.
    pub(crate) fn at(sheet: &str, row: usize, column: &str, message: String) -> Self {
        XlsFormError {
            sheet: Some(sheet.to_owned()),
            row: (row > 0).then_some(row),
            column: (!column.is_empty()).then(|| column.to_owned()),
            message,
        }
    }
}

impl fmt::Display for XlsFormError {
    /// `survey sheet, row 12, column "type": unknown question type "slect_one"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(s) = &self.sheet {
            place.push(format!("{s} sheet"));
        }
        if let Some(r) = self.row {
            place.push(format!("row {r}"));
        }
        if let Some(c) = &self.column {
            place.push(format!("column {c:?}"));
        }
        if place.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", place.join(", "), self.message)
        }
    }
}

/// How to read a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The form's id when its settings give no `form_id` (pyxform uses the
    /// file name without its extension).
    pub form_id: String,
    /// The survey column linking questions to research questions (numbers
    /// such as `1, 3`), `sankore::research_question` by default.
    pub research_question_column: String,
}

impl ReadOptions {
    /// Options for a form whose id defaults to `form_id`.
    pub fn new(form_id: impl Into<String>) -> Self {
        ReadOptions {
            form_id: form_id.into(),
            research_question_column: DEFAULT_RESEARCH_QUESTION_COLUMN.to_owned(),
        }
    }
}

/// The survey column read for research-question links unless told otherwise.
pub const DEFAULT_RESEARCH_QUESTION_COLUMN: &str = "sankore::research_question";

/// Reads an XLSForm from its bytes: pure, so it can be fuzzed and tested
/// without files.
pub fn read(
    bytes: &[u8],
    kind: FileKind,
    options: &ReadOptions,
) -> Result<Instrument, XlsFormError> {
    let workbook = sheets::read(bytes, kind)?;
    survey::build(&workbook, options)
}
