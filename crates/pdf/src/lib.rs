//! PDF rendering with typst as a library: a typst source and the files it
//! includes (SVG charts) are compiled in memory, with the fonts embedded in
//! the binary. No file system, no network, no package downloads; the same
//! input gives the same bytes.

use std::sync::LazyLock;

use thiserror::Error;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// Why a PDF could not be produced.
#[derive(Debug, Error)]
pub enum PdfError {
    /// A file name the document uses is not a valid path.
    #[error("invalid file name {0:?}")]
    Path(String),
    /// The typst source did not compile (messages from typst; they quote
    /// the generated markup, never data beyond what the report shows).
    #[error("typesetting failed: {0}")]
    Compile(String),
}

/// The embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans
/// Mono), loaded once.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_kit::fonts::embedded().map(|(f, _)| f).collect();
    let book = FontBook::from_fonts(&fonts);
    (LazyHash::new(book), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// A document to typeset: the main typst source and the files it reads,
/// by absolute virtual path (such as `/chart-1.svg`).
pub struct Job<'a> {
    pub source: String,
    pub files: Vec<(&'a str, Vec<u8>)>,
    /// The day `datetime.today()` returns (the report's date).
    pub today: (i32, u8, u8),
}

/// The in-memory world typst compiles against.
struct MemoryWorld {
    main: FileId,
    source: Source,
    files: Vec<(FileId, Bytes)>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|_| PdfError::Path(path.to_owned()))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl World for MemoryWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, b)| b.clone())
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Typesets `job` into PDF bytes.
pub fn render(job: Job<'_>) -> Result<Vec<u8>, PdfError> {
    let main = file_id("/main.typ")?;
    let files = job
        .files
        .into_iter()
        .map(|(path, bytes)| Ok((file_id(path)?, Bytes::new(bytes))))
        .collect::<Result<Vec<_>, PdfError>>()?;
    let (y, m, d) = job.today;
    let world = MemoryWorld {
        main,
        source: Source::new(main, job.source),
        files,
        today: Datetime::from_ymd(y, m, d),
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| PdfError::Compile(messages(&errors)))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom("sankore-report".to_owned()),
        creator: Smart::Custom(Some("Sankore".to_owned())),
        timestamp: None,
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Compile(messages(&errors)))
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Escapes text for typst markup (content in square brackets).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '#'
                | '['
                | ']'
                | '*'
                | '_'
                | '`'
                | '$'
                | '<'
                | '>'
                | '@'
                | '='
                | '-'
                | '+'
                | '/'
                | '~'
                | '"'
                | '\''
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for a typst string literal (between double quotes).
pub fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_text_and_an_svg_is_reproducible() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="5" fill="red"/></svg>"#;
        let job = || Job {
            source: format!(
                "= Étude\n{} #image(\"/c.svg\", width: 2cm)\n#datetime.today().display()",
                escape("a #b [c] *d* 3 < 5 — \"é\" 'x' @y $z")
            ),
            files: vec![("/c.svg", svg.to_vec())],
            today: (2017, 7, 1),
        };
        let a = render(job());
        assert!(a.is_ok(), "{:?}", a.err());
        let a = a.unwrap_or_default();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(Some(a), render(job()).ok(), "same input, same bytes");
    }

    #[test]
    fn bad_markup_is_an_error_not_a_panic() {
        let job = Job {
            source: "#let x = (".into(),
            files: vec![],
            today: (2017, 7, 1),
        };
        assert!(matches!(render(job), Err(PdfError::Compile(_))));
    }
}
