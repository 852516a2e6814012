//! Triangulation: for each finding, the evidence its codes have in each
//! kind of source (interviews, focus groups, validation forums,
//! roundtables) and in each cercle, counted as in a matrix query (segments,
//! documents, distinct participants, focus-group sessions), the finding's
//! codes pooled (a participant who raised two of its codes counts once).

use sankore_domain::{Finding, Localized};
use serde::Serialize;

use crate::corpus::{Corpus, Filter, NONE};
use crate::error::Result;
use crate::matrix::{Attribute, Cell, Column, tally};

/// Evidence in one column (a source kind or a cercle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Column key: a session kind or a cercle code.
    pub key: String,
    /// Column label.
    pub label: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Cell,
}

/// One finding's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEvidence {
    /// Finding key.
    pub finding: String,
    /// The statement.
    pub statement: Localized,
    /// Research question it answers.
    pub research_question: u8,
    /// Codes whose codings are its evidence (unknown codes left out).
    pub codes: Vec<String>,
    /// By session kind, in the domain's order.
    pub by_source: Vec<Evidence>,
    /// By cercle, in gazetteer order.
    pub by_cercle: Vec<Evidence>,
    /// How many kinds of source hold evidence (2 or more: triangulated).
    pub source_kinds: usize,
    /// Codings in documents without a session.
    pub unattributed: Cell,
}

fn columns_of(columns: Vec<Column>, counts: &[Cell]) -> Vec<Evidence> {
    columns
        .into_iter()
        .zip(counts)
        .map(|(c, counts)| Evidence {
            key: c.key,
            label: c.label,
            counts: *counts,
        })
        .collect()
}

/// Computes the evidence of each finding.
pub fn triangulate(
    corpus: &Corpus,
    findings: &[Finding],
    filter: &Filter,
) -> Result<Vec<FindingEvidence>> {
    findings
        .iter()
        .map(|f| {
            let mut row_of_code = vec![NONE; corpus.codes.len()];
            let mut codes = Vec::new();
            for key in &f.codes {
                if let Some(id) = corpus.code_id(key) {
                    row_of_code[id as usize] = 0;
                    codes.push(key.to_string());
                }
            }
            let (kinds, by_kind) = tally(corpus, &row_of_code, 1, Attribute::SessionKind, filter)?;
            let (cercles, by_cercle) = tally(corpus, &row_of_code, 1, Attribute::Cercle, filter)?;
            let unattributed = by_kind[kinds.len()];
            let by_source = columns_of(kinds, &by_kind);
            Ok(FindingEvidence {
                finding: f.key.clone(),
                statement: f.statement.clone(),
                research_question: f.research_question,
                codes,
                source_kinds: by_source.iter().filter(|e| e.counts.segments > 0).count(),
                by_source,
                by_cercle: columns_of(cercles, &by_cercle),
                unattributed,
            })
        })
        .collect()
}

/// Loads a study and computes the evidence of its findings.
pub fn from_store(
    store: &impl sankore_store::Store,
    filter: &Filter,
) -> Result<Vec<FindingEvidence>> {
    let corpus = Corpus::from_store(store)?;
    let findings = store.findings()?;
    triangulate(&corpus, &findings, filter)
}
