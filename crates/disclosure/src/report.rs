//! The disclosure report every publishing run writes: what was hidden and
//! why, what was flagged, what a person overrode and with which reason.
//! It names cells by path and quotes by identifier, never their content.

use serde::Serialize;

use crate::Suppressed;
use crate::quotes::FlagKind;
use crate::rules::QuasiIdentifier;

/// A warning that does not hide anything by itself but needs a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// A cell at or above `k` that counts the whole of a tiny real
    /// population (hidden too).
    CompleteCountOfTinyGroup { path: String },
    /// Everyone in a small cell gave the same answer.
    Homogeneous { path: String },
    /// A percentage left out because its base is small or it would give
    /// back a small count.
    PercentageWithheld { path: String },
}

/// A quote's fate in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuoteDecision {
    /// Nothing found: published.
    Clean,
    /// Flagged and left out until a person edits or approves it.
    Blocked,
    /// Flagged, and a person approved it as it stands.
    Approved,
    /// A person's edited wording, clean, published instead.
    Edited,
}

/// One quote in the disclosure report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteEntry {
    /// The finding it backs.
    pub finding: String,
    /// The coding it was taken from.
    pub coding: String,
    /// What the scan found in the text that was checked.
    pub flags: Vec<FlagKind>,
    pub decision: QuoteDecision,
    /// Who approved or edited it, and why (overrides only).
    pub by: Option<String>,
    pub reason: Option<String>,
    /// Whether the attribution was coarsened to stay at or above `k`.
    pub attribution_coarsened: bool,
}

/// Everything one publishing run decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DisclosureReport {
    pub k: u64,
    pub quasi_identifiers: Vec<QuasiIdentifier>,
    pub suppressed: Vec<Suppressed>,
    pub warnings: Vec<Warning>,
    pub quotes: Vec<QuoteEntry>,
}

impl DisclosureReport {
    /// Quotes a person overrode (approved or edited).
    pub fn overrides(&self) -> impl Iterator<Item = &QuoteEntry> {
        self.quotes
            .iter()
            .filter(|q| matches!(q.decision, QuoteDecision::Approved | QuoteDecision::Edited))
    }
}
