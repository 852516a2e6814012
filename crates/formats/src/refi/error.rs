//! Errors of REFI-QDA import and export.
//!
//! Messages name files, zip entries, elements, GUIDs and positions; they
//! never quote the text of a source, a note or a name, which may carry what
//! participants said.

use sankore_domain::DomainError;
use thiserror::Error;

/// Why a REFI-QDA file was refused or could not be written.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RefiError {
    /// The bytes are not a readable zip archive.
    #[error("not a readable .qdpx (zip) archive: {reason}")]
    Zip { reason: String },
    /// A zip entry name is absolute, climbs out of the archive, or is a link.
    #[error("zip entry {entry:?} has an unsafe path (absolute, '..', drive or link): refused")]
    UnsafeEntry { entry: String },
    /// A zip entry is encrypted.
    #[error("zip entry {entry:?} is encrypted: refused")]
    EncryptedEntry { entry: String },
    /// The archive has more entries than allowed.
    #[error("the archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries { count: usize, limit: usize },
    /// An entry, or all entries read together, exceed the size limit.
    #[error(
        "zip entry {entry:?} expands past the limit of {limit} bytes: refused as a possible zip bomb"
    )]
    TooLarge { entry: String, limit: u64 },
    /// An entry expands far more than real text does.
    #[error(
        "zip entry {entry:?} expands more than {limit} times its compressed size: refused as a zip bomb"
    )]
    CompressionRatio { entry: String, limit: u64 },
    /// No project file in the archive.
    #[error("the archive holds no .qde project file")]
    NoProject,
    /// More than one project file in the archive.
    #[error("the archive holds several .qde project files: {entries:?}")]
    SeveralProjects { entries: Vec<String> },
    /// A file is not in a supported encoding.
    #[error("{file}: {reason}")]
    Encoding { file: String, reason: String },
    /// The XML is not well-formed.
    #[error("{file}, byte {position}: XML error: {reason}")]
    Xml {
        file: String,
        position: u64,
        reason: String,
    },
    /// The XML declares a document type: DTDs, and with them entity
    /// expansion and external entities, are refused.
    #[error("{file}, byte {position}: document type declarations (DTD, entities) are refused")]
    DocType { file: String, position: u64 },
    /// The XML refers to an entity that is not one of the five predefined.
    #[error(
        "{file}, byte {position}: entity reference &{name}; refused (only the five XML entities are accepted)"
    )]
    Entity {
        file: String,
        position: u64,
        name: String,
    },
    /// An attribute value is longer than allowed.
    #[error("{file}: attribute {attribute} of <{element}> is longer than {limit} bytes")]
    AttributeTooLong {
        file: String,
        element: String,
        attribute: String,
        limit: usize,
    },
    /// An element's text is longer than allowed.
    #[error("{file}: the text of <{element}> is longer than {limit} bytes")]
    TextTooLong {
        file: String,
        element: String,
        limit: usize,
    },
    /// Elements nest deeper, or are more numerous, than allowed.
    #[error("{file}: {reason}")]
    TooComplex { file: String, reason: String },
    /// The root element is not the one expected.
    #[error(
        "{file}: the root element is <{found}>, expected <{expected}> in namespace {namespace}"
    )]
    WrongRoot {
        file: String,
        found: String,
        expected: &'static str,
        namespace: &'static str,
    },
    /// A required attribute or element is missing or malformed.
    #[error("<{element}>{at}: {reason}", at = guid.as_deref().map(|g| format!(" {g}")).unwrap_or_default())]
    Invalid {
        element: String,
        guid: Option<String>,
        reason: String,
    },
    /// A reference to a GUID that the project does not define.
    #[error("<{element}> refers to {target} {guid}, which the project does not define")]
    UnknownReference {
        element: &'static str,
        target: &'static str,
        guid: String,
    },
    /// A selection that ends past the end of its text under every position
    /// scheme.
    #[error(
        "selection {selection} of source {source_guid} spans [{start}, {end}), past the end of its text ({chars} characters, {utf16} UTF-16 units, {bytes} bytes)"
    )]
    SelectionPastEnd {
        selection: String,
        source_guid: String,
        start: u64,
        end: u64,
        chars: usize,
        utf16: usize,
        bytes: usize,
    },
    /// No way of counting positions puts every selection inside its text
    /// and on character boundaries.
    #[error("no position scheme fits every selection: {details}")]
    NoScheme { details: String },
    /// A selection boundary cannot be carried through normalisation.
    #[error("selection {selection} of source {source_guid}: {reason}")]
    Unmappable {
        selection: String,
        source_guid: String,
        reason: String,
    },
    /// Some codings or sources cannot be held by Sankore and the caller did
    /// not accept leaving them out.
    #[error("{summary}; nothing was imported (accept leaving them out to import the rest)")]
    Partial { summary: String },
    /// The export cannot be written.
    #[error("cannot write the export: {reason}")]
    Write { reason: String },
    /// The records built break a domain rule.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// Shorthand for REFI-QDA results.
pub type Result<T> = std::result::Result<T, RefiError>;

impl From<crate::archive::ArchiveError> for RefiError {
    fn from(error: crate::archive::ArchiveError) -> Self {
        use crate::archive::ArchiveError as A;
        match error {
            A::Zip { reason } => RefiError::Zip { reason },
            A::UnsafeEntry { entry } => RefiError::UnsafeEntry { entry },
            A::EncryptedEntry { entry } => RefiError::EncryptedEntry { entry },
            A::TooManyEntries { count, limit } => RefiError::TooManyEntries { count, limit },
            A::TooLarge { entry, limit } => RefiError::TooLarge { entry, limit },
            A::CompressionRatio { entry, limit } => RefiError::CompressionRatio { entry, limit },
            A::Write { reason } => RefiError::Write { reason },
            sheet @ A::SheetTooLarge { .. } => RefiError::Zip {
                reason: sheet.to_string(),
            },
        }
    }
}
