//! The one error type of the domain: a broken rule, naming what broke it.

use thiserror::Error;

/// A value or a combination of values that breaks a domain rule.
///
/// Messages name the field or record at fault and never include free text
/// written by participants (transcripts, memos), so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A required field is empty or blank.
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    /// A field does not have the expected shape.
    #[error("{field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A span does not lie inside its text, or is empty or reversed.
    #[error("span [{start}, {end}) does not fit a text of {len} characters")]
    SpanOutOfBounds {
        start: usize,
        end: usize,
        len: usize,
    },
    /// Two records share a key that must be unique.
    #[error("duplicate {what}: {key}")]
    Duplicate { what: &'static str, key: String },
    /// A record refers to another one that does not exist.
    #[error("{what} refers to unknown {target}: {key}")]
    UnknownReference {
        what: &'static str,
        target: &'static str,
        key: String,
    },
    /// Counts that must agree do not.
    #[error("{what}: counts add up to {actual}, expected {expected}")]
    CountMismatch {
        what: String,
        expected: u32,
        actual: u32,
    },
    /// A date range ends before it starts.
    #[error("{what} ends ({end}) before it starts ({start})")]
    DateOrder {
        what: &'static str,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
    },
}

/// Shorthand for results of domain rules.
pub type Result<T> = std::result::Result<T, DomainError>;

/// Checks that `value` is not blank and returns it trimmed.
pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(DomainError::Empty { field })
    } else {
        Ok(trimmed.to_owned())
    }
}
