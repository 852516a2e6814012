//! REFI-QDA exchange (QDA-XML 1.0): whole projects (`.qdpx`, a zip of
//! `project.qde` and `sources/`) and codebooks (`.qdc`), in both directions.
//!
//! - [`export_project`] and [`export_codebook`] write what the standard's
//!   schemas accept, with GUIDs derived from Sankore's keys (UUID v5), so
//!   the same workspace exports the same GUIDs every time.
//! - [`import_project`] and [`import_codebook`] read what vendors really
//!   write (see `docs/interop.md`), detect how positions are counted
//!   ([`PositionScheme`]), and return complete, checked [`StudyRecords`]:
//!   writing them is the caller's job, in one transaction.
//!
//! Readers refuse hostile input (DTDs and entities, unsafe zip paths, zip
//! bombs, enormous attributes or elements, selections past the end of their
//! text) before anything is built.

mod error;
mod export;
mod import;
mod positions;
mod xml;

pub use error::{RefiError, Result};
pub use export::{LineEndings, export_codebook, export_project};
pub use import::{ImportOptions, ImportReport, Imported, Skipped, import_codebook, import_project};
pub use positions::{Detection, PositionScheme};

use uuid::Uuid;

/// Namespace of the UUID v5 GUIDs Sankore derives for its exports.
const GUID_NAMESPACE: Uuid = Uuid::from_u128(0x6c1f_3a52_9b0e_4d7a_8f21_5e0c_b7d4_a913);

/// Name of the project file Sankore writes inside a `.qdpx`.
pub const PROJECT_ENTRY: &str = "project.qde";

/// Namespace of QDA-XML projects.
pub const PROJECT_NAMESPACE: &str = "urn:QDA-XML:project:1.0";

/// Namespace of QDA-XML codebooks.
pub const CODEBOOK_NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

/// A GUID derived from the kind of thing and its identifying parts.
pub(crate) fn guid(kind: &str, parts: &[&str]) -> String {
    let mut seed = String::from(kind);
    for part in parts {
        seed.push('\u{1f}');
        seed.push_str(part);
    }
    Uuid::new_v5(&GUID_NAMESPACE, seed.as_bytes()).to_string()
}

/// A GUID as vendors write it, made comparable: braces removed, lower case.
pub(crate) fn normalise_guid(text: &str) -> String {
    text.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

/// Ceilings that keep a hostile file from exhausting memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Entries in the archive.
    pub max_entries: usize,
    /// Uncompressed bytes of one entry (and of inline source text).
    pub max_entry_bytes: u64,
    /// Uncompressed bytes of all entries read.
    pub max_total_bytes: u64,
    /// Largest expansion (uncompressed / compressed) accepted for an entry
    /// once it is past `ratio_floor_bytes`.
    pub max_ratio: u64,
    /// Entries smaller than this are not held to `max_ratio`.
    pub ratio_floor_bytes: u64,
    /// Bytes of one attribute value.
    pub max_attribute_bytes: usize,
    /// Bytes of the text of one element other than `PlainTextContent`.
    pub max_text_bytes: usize,
    /// Nesting depth of elements.
    pub max_depth: usize,
    /// Elements in one XML file.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 20_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor_bytes: 8 << 20,
            max_attribute_bytes: 64 << 10,
            max_text_bytes: 4 << 20,
            max_depth: 128,
            max_elements: 5_000_000,
        }
    }
}

impl Limits {
    /// The limits that apply to the zip archive itself.
    pub fn archive(&self) -> crate::archive::ArchiveLimits {
        crate::archive::ArchiveLimits {
            max_entries: self.max_entries,
            max_entry_bytes: self.max_entry_bytes,
            max_total_bytes: self.max_total_bytes,
            max_ratio: self.max_ratio,
            ratio_floor_bytes: self.ratio_floor_bytes,
        }
    }
}
