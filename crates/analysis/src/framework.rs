//! The framework matrix (as in NVivo's framework method): cases × themes,
//! each cell holding the coded text of that case for that theme.
//!
//! This is the computed part; the summaries researchers write in each cell
//! are stored by the store's `FrameworkStore` and shown with the matrix by
//! the workbench (`/analysis/framework`).

use std::collections::HashMap;

use sankore_domain::{CodeKey, Document};
use serde::Serialize;

use crate::corpus::{Corpus, Filter, NONE};
use crate::error::{AnalysisError, Result};

/// What the rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cases {
    /// Speakers: registered participants and focus-group members.
    Speakers,
    /// Sessions.
    Sessions,
}

/// A coded excerpt in a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    /// Document code.
    pub document: String,
    /// Start (Unicode scalars).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Coder.
    pub coder: String,
    /// The coded text.
    pub text: String,
}

/// One case: its cells in theme order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    /// Participant code, `SESSION/label`, or session code.
    pub case: String,
    /// One list of excerpts per theme.
    pub cells: Vec<Vec<Excerpt>>,
}

/// The framework matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    /// What the rows are.
    pub cases: Cases,
    /// Theme code keys (the columns).
    pub themes: Vec<String>,
    /// Cases with at least one excerpt, in first-appearance order.
    pub rows: Vec<CaseRow>,
}

impl Framework {
    /// Builds the matrix; `documents` must be those the corpus was built
    /// from (their text fills the cells).
    pub fn compute(
        corpus: &Corpus,
        documents: &[Document],
        cases: Cases,
        themes: &[CodeKey],
        filter: &Filter,
    ) -> Result<Framework> {
        let compiled = filter.compile(corpus)?;
        let mut column = vec![NONE; corpus.codes.len()];
        for (i, t) in themes.iter().enumerate() {
            let id = corpus
                .code_id(t)
                .ok_or_else(|| AnalysisError::UnknownCode(t.to_string()))?;
            column[id as usize] =
                u32::try_from(i).map_err(|_| AnalysisError::TooLarge("themes"))?;
        }
        let text_of: HashMap<&str, &Document> =
            documents.iter().map(|d| (d.code.as_str(), d)).collect();
        let mut rows: Vec<CaseRow> = Vec::new();
        let mut row_of: HashMap<String, usize> = HashMap::new();
        let c = &corpus.codings;
        for i in 0..c.len() {
            let col = column[c.code[i] as usize];
            if col == NONE || !compiled.keeps(corpus, i) {
                continue;
            }
            let case = match cases {
                Cases::Speakers => corpus.speaker_label(c.speaker[i]),
                Cases::Sessions => corpus.session_of(c.document[i]).map(|s| s.code.clone()),
            };
            let (Some(case), Some(r)) = (case, corpus.coding_ref(i)) else {
                continue;
            };
            let text = text_of
                .get(r.document.as_str())
                .and_then(|d| {
                    d.body
                        .span(r.start, r.end)
                        .ok()
                        .map(|s| d.text_of(s).to_owned())
                })
                .unwrap_or_default();
            let row = *row_of.entry(case.clone()).or_insert_with(|| {
                rows.push(CaseRow {
                    case,
                    cells: vec![Vec::new(); themes.len()],
                });
                rows.len() - 1
            });
            rows[row].cells[col as usize].push(Excerpt {
                document: r.document,
                start: r.start,
                end: r.end,
                coder: r.coder,
                text,
            });
        }
        Ok(Framework {
            cases,
            themes: themes.iter().map(ToString::to_string).collect(),
            rows,
        })
    }
}
