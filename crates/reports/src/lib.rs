//! Reports rendered from analyses. Every format is produced in-process,
//! deterministically: the same input gives the same bytes.

pub mod exports;
pub mod followup;
pub mod forum_pack;
pub mod methodology;

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
}
