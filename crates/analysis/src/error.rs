//! Errors of the analyses. Messages name codes, coders and documents by
//! their keys, never by the text of what participants said.

use sankore_store::StoreError;

/// Why an analysis could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// Reading the records failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The workspace holds no study yet.
    #[error("the workspace holds no study yet")]
    NoStudy,
    /// A code named in a query is not in the codebook.
    #[error("unknown code {0:?}")]
    UnknownCode(String),
    /// A coder named in a query has no codings.
    #[error("coder {0:?} has no codings")]
    UnknownCoder(String),
    /// A finding named in a query does not exist.
    #[error("unknown finding {0:?}")]
    UnknownFinding(String),
    /// Agreement needs at least two coders.
    #[error("agreement needs at least two coders, got {0}")]
    TooFewCoders(usize),
    /// The same coder was named twice.
    #[error("coder {0:?} is named twice")]
    DuplicateCoder(String),
    /// A dictionary pattern is not a valid regular expression.
    #[error("dictionary entry {index} of code {code:?} is not a valid pattern: {reason}")]
    BadPattern {
        /// Key of the code the entry belongs to.
        code: String,
        /// Position of the entry in the code's list, from 0.
        index: usize,
        /// What the regular-expression parser said.
        reason: String,
    },
    /// A dictionary entry is empty once folded.
    #[error("dictionary entry {index} of code {code:?} is empty")]
    EmptyEntry {
        /// Key of the code the entry belongs to.
        code: String,
        /// Position of the entry in the code's list, from 0.
        index: usize,
    },
    /// A keyword must be exactly one word.
    #[error("the keyword must be exactly one word")]
    NotOneWord,
    /// More records than the compact indexes can address (over 4 billion).
    #[error("too many {0} for one analysis")]
    TooLarge(&'static str),
}

/// Result of an analysis.
pub type Result<T, E = AnalysisError> = std::result::Result<T, E>;

/// Converts a count or index to `u32`, or fails naming what overflowed.
pub(crate) fn to_u32(n: usize, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|_| AnalysisError::TooLarge(what))
}
