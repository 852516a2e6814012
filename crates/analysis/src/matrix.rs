//! Matrix queries: codes × an attribute (place, cercle, stakeholder group,
//! gender, age band, session kind, research question, coder), counting
//! coded segments, documents, distinct participants and focus-group
//! sessions in each cell, with drill-down from a cell to its codings.
//!
//! What is counted (see `docs/analysis.md`):
//! - `segments`: codings;
//! - `documents`: distinct documents holding them;
//! - `participants`: distinct people whose turns hold them: registered
//!   participants by code, and focus-group members (unregistered) by their
//!   speaker label inside one session, so `P3` of two sessions are two
//!   people;
//! - `focus_groups`: distinct focus-group sessions holding them.
//!
//! Place, cercle and session kind come from the session the document
//! records; group, gender and age band from the registered participant
//! whose turn holds the coding (focus-group members have none: their
//! codings are counted as unattributed); research questions from the code
//! (a code linked to two questions counts in both); coder from the coding.

use sankore_domain::{AgeBand, CodeKey, Gender, Localized, SessionKind};
use serde::Serialize;

use crate::corpus::{CodingRef, Corpus, Filter, NONE, PlaceInfo, Speaker};
use crate::error::{AnalysisError, Result, to_u32};

/// What the columns of a matrix are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attribute {
    /// The session's place (commune or cercle, as recorded).
    Place,
    /// The cercle the session's place lies in.
    Cercle,
    /// The speaking participant's stakeholder group.
    Group,
    /// The speaking participant's gender.
    Gender,
    /// The speaking participant's age band.
    AgeBand,
    /// The kind of session the document records.
    SessionKind,
    /// The research questions the code is linked to.
    ResearchQuestion,
    /// Who applied the coding.
    Coder,
}

impl Attribute {
    /// Every attribute.
    pub const ALL: [Attribute; 8] = [
        Attribute::Place,
        Attribute::Cercle,
        Attribute::Group,
        Attribute::Gender,
        Attribute::AgeBand,
        Attribute::SessionKind,
        Attribute::ResearchQuestion,
        Attribute::Coder,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Place => "place",
            Attribute::Cercle => "cercle",
            Attribute::Group => "group",
            Attribute::Gender => "gender",
            Attribute::AgeBand => "age-band",
            Attribute::SessionKind => "session-kind",
            Attribute::ResearchQuestion => "research-question",
            Attribute::Coder => "coder",
        }
    }
}

/// Counts in one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Codings.
    pub segments: u64,
    /// Distinct documents.
    pub documents: u64,
    /// Distinct participants (registered, plus focus-group members by label
    /// within their session).
    pub participants: u64,
    /// Distinct focus-group sessions.
    pub focus_groups: u64,
}

/// A column: one value of the attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Stable key (a place code, a group key, `female`, `3`...).
    pub key: String,
    /// Human-readable label.
    pub label: String,
}

/// A row: one code, with its cells in column order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Code key.
    pub code: String,
    /// Code names.
    pub name: Localized,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// Codings of this code whose attribute is unknown (for example the
    /// gender of a focus-group member).
    pub unattributed: Cell,
}

/// A matrix query's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// What the columns are.
    pub attribute: Attribute,
    /// The attribute's values.
    pub columns: Vec<Column>,
    /// One row per code asked for.
    pub rows: Vec<Row>,
}

/// A matrix query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixQuery {
    /// Columns.
    pub attribute: Attribute,
    /// Rows: these codes in this order, or every code of the codebook in
    /// codebook order when `None`.
    pub codes: Option<Vec<CodeKey>>,
    /// Which codings count.
    pub filter: Filter,
}

/// How a coding's column is found.
enum Lookup {
    /// Through its document (place, cercle, session kind).
    Document(Vec<u32>),
    /// Through its speaker (group, gender, age band).
    Speaker(Vec<u32>),
    /// Its coder.
    Coder,
    /// Through its code, possibly several columns (research questions).
    Code(Vec<Vec<u32>>),
}

fn index_of<T: PartialEq>(all: &[T], value: &T) -> u32 {
    all.iter()
        .position(|v| v == value)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(NONE)
}

fn place_columns(places: &[PlaceInfo]) -> Vec<Column> {
    places
        .iter()
        .map(|p| Column {
            key: p.code.clone(),
            label: p.name.clone(),
        })
        .collect()
}

/// The columns of an attribute and how codings map to them.
fn columns(corpus: &Corpus, attribute: Attribute) -> (Vec<Column>, Lookup) {
    let by_document = |f: &dyn Fn(u32) -> u32| {
        Lookup::Document(
            corpus
                .documents
                .iter()
                .map(|d| {
                    if (d.session as usize) < corpus.sessions.len() {
                        f(d.session)
                    } else {
                        NONE
                    }
                })
                .collect(),
        )
    };
    let by_participant = |f: &dyn Fn(usize) -> u32| {
        Lookup::Speaker(
            corpus
                .speakers
                .iter()
                .map(|s| match s {
                    Speaker::Participant(p) => f(*p as usize),
                    Speaker::FocusGroupMember { .. } => NONE,
                })
                .collect(),
        )
    };
    let session = |s: u32| &corpus.sessions[s as usize];
    match attribute {
        Attribute::Place => (
            place_columns(&corpus.places),
            by_document(&|s| session(s).place),
        ),
        Attribute::Cercle => (
            place_columns(&corpus.cercles),
            by_document(&|s| session(s).cercle),
        ),
        Attribute::SessionKind => (
            SessionKind::ALL
                .iter()
                .map(|k| Column {
                    key: k.as_str().to_owned(),
                    label: k.as_str().to_owned(),
                })
                .collect(),
            by_document(&|s| index_of(SessionKind::ALL, &session(s).kind)),
        ),
        Attribute::Group => (
            corpus
                .groups
                .iter()
                .map(|g| Column {
                    key: g.key.clone(),
                    label: g.name.clone(),
                })
                .collect(),
            by_participant(&|p| corpus.participants[p].group),
        ),
        Attribute::Gender => (
            Gender::ALL
                .iter()
                .map(|g| Column {
                    key: g.as_str().to_owned(),
                    label: g.as_str().to_owned(),
                })
                .collect(),
            by_participant(&|p| index_of(Gender::ALL, &corpus.participants[p].gender)),
        ),
        Attribute::AgeBand => (
            AgeBand::ALL
                .iter()
                .map(|a| Column {
                    key: a.as_str().to_owned(),
                    label: a.as_str().to_owned(),
                })
                .collect(),
            by_participant(&|p| index_of(AgeBand::ALL, &corpus.participants[p].age_band)),
        ),
        Attribute::Coder => (
            corpus
                .coders
                .iter()
                .map(|c| Column {
                    key: c.clone(),
                    label: c.clone(),
                })
                .collect(),
            Lookup::Coder,
        ),
        Attribute::ResearchQuestion => {
            let max = corpus
                .codes
                .iter()
                .flat_map(|c| c.research_questions.iter().copied())
                .max()
                .unwrap_or(0);
            (
                (1..=max)
                    .map(|n| Column {
                        key: n.to_string(),
                        label: format!("RQ{n}"),
                    })
                    .collect(),
                Lookup::Code(
                    corpus
                        .codes
                        .iter()
                        .map(|c| {
                            c.research_questions
                                .iter()
                                .filter(|n| **n > 0)
                                .map(|n| u32::from(*n) - 1)
                                .collect()
                        })
                        .collect(),
                ),
            )
        }
    }
}

/// Counts distinct `(cell, entity)` pairs per cell: a bitset when it fits
/// in [`DistinctPairs::BITSET_LIMIT`] bits, else sorted pairs.
struct DistinctPairs {
    entities: usize,
    bits: Vec<u64>,
    pairs: Vec<u64>,
    use_bits: bool,
}

impl DistinctPairs {
    /// 2^28 bits: 32 MiB at most.
    const BITSET_LIMIT: usize = 1 << 28;

    fn new(cells: usize, entities: usize) -> Self {
        let size = cells.saturating_mul(entities);
        let use_bits = size <= Self::BITSET_LIMIT;
        DistinctPairs {
            entities,
            bits: if use_bits {
                vec![0; size.div_ceil(64)]
            } else {
                Vec::new()
            },
            pairs: Vec::new(),
            use_bits,
        }
    }

    /// Records a pair; with the bitset, counts it at once when new.
    #[inline]
    fn insert(
        &mut self,
        cell: usize,
        entity: u32,
        counts: &mut [Cell],
        field: fn(&mut Cell) -> &mut u64,
    ) {
        if self.use_bits {
            let bit = cell * self.entities + entity as usize;
            let word = &mut self.bits[bit >> 6];
            let mask = 1u64 << (bit & 63);
            if *word & mask == 0 {
                *word |= mask;
                *field(&mut counts[cell]) += 1;
            }
        } else {
            self.pairs.push(((cell as u64) << 32) | u64::from(entity));
        }
    }

    /// Counts the recorded pairs when the bitset was too large.
    fn finish(mut self, counts: &mut [Cell], field: fn(&mut Cell) -> &mut u64) {
        if self.use_bits {
            return;
        }
        self.pairs.sort_unstable();
        self.pairs.dedup();
        for pair in self.pairs {
            if let Some(cell) = counts.get_mut((pair >> 32) as usize) {
                *field(cell) += 1;
            }
        }
    }
}

/// The rows of a query as code ids, checked against the codebook.
fn row_codes(corpus: &Corpus, codes: Option<&[CodeKey]>) -> Result<Vec<u32>> {
    match codes {
        None => (0..corpus.codes.len())
            .map(|i| to_u32(i, "codes"))
            .collect(),
        Some(keys) => keys
            .iter()
            .map(|k| {
                corpus
                    .code_id(k)
                    .ok_or_else(|| AnalysisError::UnknownCode(k.to_string()))
            })
            .collect(),
    }
}

/// Tallies the codings of a corpus into `rows` × (columns + 1) cells, the
/// row of a coding given by its code (`NONE`: not counted), the last column
/// collecting the codings whose attribute is unknown.
pub(crate) fn tally(
    corpus: &Corpus,
    row_of_code: &[u32],
    rows: usize,
    attribute: Attribute,
    filter: &Filter,
) -> Result<(Vec<Column>, Vec<Cell>)> {
    let filter = filter.compile(corpus)?;
    let (columns, lookup) = columns(corpus, attribute);
    let width = columns.len() + 1;
    let cells = rows * width;
    let mut counts = vec![Cell::default(); cells];
    let mut doc_stamp = vec![NONE; cells];
    let mut people = DistinctPairs::new(cells, corpus.speakers.len());
    let mut groups = DistinctPairs::new(cells, corpus.sessions.len());
    let focus_session: Vec<u32> = corpus
        .documents
        .iter()
        .map(|d| match corpus.sessions.get(d.session as usize) {
            Some(s) if s.kind == SessionKind::FocusGroup => d.session,
            _ => NONE,
        })
        .collect();
    let c = &corpus.codings;
    let unattributed = to_u32(columns.len(), "columns")?;
    let mut add = |i: usize, row: usize, column: u32| {
        let cell = row * width + column as usize;
        counts[cell].segments += 1;
        let doc = c.document[i];
        // Codings are sorted by document: a new document in a cell is one
        // not seen just before.
        if doc_stamp[cell] != doc {
            doc_stamp[cell] = doc;
            counts[cell].documents += 1;
        }
        let speaker = c.speaker[i];
        if speaker != NONE {
            people.insert(cell, speaker, &mut counts, |x| &mut x.participants);
        }
        let session = focus_session[doc as usize];
        if session != NONE {
            groups.insert(cell, session, &mut counts, |x| &mut x.focus_groups);
        }
    };
    for i in 0..c.len() {
        let row = row_of_code.get(c.code[i] as usize).copied().unwrap_or(NONE);
        if row == NONE || !filter.keeps(corpus, i) {
            continue;
        }
        let row = row as usize;
        let column = match &lookup {
            Lookup::Document(values) => values[c.document[i] as usize],
            Lookup::Speaker(values) => values.get(c.speaker[i] as usize).copied().unwrap_or(NONE),
            Lookup::Coder => c.coder[i],
            Lookup::Code(lists) => {
                let list = &lists[c.code[i] as usize];
                if list.is_empty() {
                    add(i, row, unattributed);
                }
                for column in list {
                    add(i, row, *column);
                }
                continue;
            }
        };
        add(i, row, if column == NONE { unattributed } else { column });
    }
    people.finish(&mut counts, |x| &mut x.participants);
    groups.finish(&mut counts, |x| &mut x.focus_groups);
    Ok((columns, counts))
}

impl Matrix {
    /// Runs a matrix query over a corpus.
    pub fn compute(corpus: &Corpus, query: &MatrixQuery) -> Result<Matrix> {
        let codes = row_codes(corpus, query.codes.as_deref())?;
        let mut row_of_code = vec![NONE; corpus.codes.len()];
        for (row, code) in codes.iter().enumerate() {
            row_of_code[*code as usize] = to_u32(row, "codes")?;
        }
        let (columns, counts) = tally(
            corpus,
            &row_of_code,
            codes.len(),
            query.attribute,
            &query.filter,
        )?;
        let width = columns.len() + 1;
        let rows = codes
            .iter()
            .enumerate()
            .map(|(r, code)| {
                let info = &corpus.codes[*code as usize];
                let line = &counts[r * width..(r + 1) * width];
                Row {
                    code: info.key.to_string(),
                    name: info.name.clone(),
                    cells: line[..columns.len()].to_vec(),
                    unattributed: line[columns.len()],
                }
            })
            .collect();
        Ok(Matrix {
            attribute: query.attribute,
            columns,
            rows,
        })
    }

    /// The codings behind one cell (`column` is a column key; `None` asks
    /// for the unattributed codings of the row), in document order.
    pub fn drill_down(
        corpus: &Corpus,
        query: &MatrixQuery,
        code: &CodeKey,
        column: Option<&str>,
    ) -> Result<Vec<CodingRef>> {
        let filter = query.filter.compile(corpus)?;
        let code_id = corpus
            .code_id(code)
            .ok_or_else(|| AnalysisError::UnknownCode(code.to_string()))?;
        let (columns, lookup) = columns(corpus, query.attribute);
        let wanted = match column {
            None => NONE,
            Some(key) => columns
                .iter()
                .position(|c| c.key == key)
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(NONE - 1),
        };
        let c = &corpus.codings;
        let mut out = Vec::new();
        for i in 0..c.len() {
            if c.code[i] != code_id || !filter.keeps(corpus, i) {
                continue;
            }
            let hit = match &lookup {
                Lookup::Document(values) => values[c.document[i] as usize] == wanted,
                Lookup::Speaker(values) => {
                    values.get(c.speaker[i] as usize).copied().unwrap_or(NONE) == wanted
                }
                Lookup::Coder => c.coder[i] == wanted,
                Lookup::Code(lists) => {
                    let list = &lists[code_id as usize];
                    if wanted == NONE {
                        list.is_empty()
                    } else {
                        list.contains(&wanted)
                    }
                }
            };
            if hit && let Some(r) = corpus.coding_ref(i) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

/// One code's place in a cercle's ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// 1 for the code raised by the most participants.
    pub rank: usize,
    /// Code key.
    pub code: String,
    /// Code names.
    pub name: Localized,
    /// The cell's counts.
    #[serde(flatten)]
    pub counts: Cell,
}

/// A cercle's ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CercleRanking {
    /// Cercle code.
    pub cercle: String,
    /// Cercle name.
    pub name: String,
    /// Codes, most raised first.
    pub ranking: Vec<Ranked>,
}

/// The named query "push-factor ranking per cercle": the codes under
/// `root` (at any depth; `push` in the default codebook) ranked in each
/// cercle by distinct participants, ties broken by segments, then by
/// codebook order.
pub fn push_factor_ranking(
    corpus: &Corpus,
    root: &CodeKey,
    filter: &Filter,
) -> Result<Vec<CercleRanking>> {
    let root_id = corpus
        .code_id(root)
        .ok_or_else(|| AnalysisError::UnknownCode(root.to_string()))?;
    let codes: Vec<CodeKey> = (0..corpus.codes.len())
        .filter(|i| u32::try_from(*i).is_ok_and(|i| corpus.is_under(i, root_id)))
        .map(|i| corpus.codes[i].key.clone())
        .collect();
    let matrix = Matrix::compute(
        corpus,
        &MatrixQuery {
            attribute: Attribute::Cercle,
            codes: Some(codes),
            filter: filter.clone(),
        },
    )?;
    Ok(matrix
        .columns
        .iter()
        .enumerate()
        .map(|(col, column)| {
            let mut order: Vec<usize> = (0..matrix.rows.len()).collect();
            order.sort_by_key(|r| {
                let cell = matrix.rows[*r].cells[col];
                (
                    std::cmp::Reverse(cell.participants),
                    std::cmp::Reverse(cell.segments),
                    *r,
                )
            });
            CercleRanking {
                cercle: column.key.clone(),
                name: column.label.clone(),
                ranking: order
                    .into_iter()
                    .enumerate()
                    .map(|(rank, r)| Ranked {
                        rank: rank + 1,
                        code: matrix.rows[r].code.clone(),
                        name: matrix.rows[r].name.clone(),
                        counts: matrix.rows[r].cells[col],
                    })
                    .collect(),
            }
        })
        .collect())
}
