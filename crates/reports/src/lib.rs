//! Reports rendered from analyses. Every format is produced in-process,
//! deterministically: the same input gives the same bytes.

pub mod charts;
pub mod exports;
pub mod followup;
pub mod forum_pack;
pub mod methodology;
pub mod study;
mod study_instruments;

use std::str::FromStr;
use thiserror::Error;

/// A text output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Markdown,
    Csv,
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            other => Err(ReportError::UnknownFormat(other.to_owned())),
        }
    }
}

/// Why a report could not be rendered.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("unknown format {0:?}: use json, md or csv")]
    UnknownFormat(String),
    #[error("cannot render: {0}")]
    Render(String),
    /// The workspace could not be read.
    #[error(transparent)]
    Store(#[from] sankore_store::StoreError),
    /// An analysis failed.
    #[error(transparent)]
    Analysis(#[from] sankore_analysis::AnalysisError),
    /// The workspace holds no study yet.
    #[error("the workspace holds no study yet")]
    NoStudy,
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
