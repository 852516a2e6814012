//! Agreement between coders: percent agreement, Cohen's kappa, Fleiss'
//! kappa and Krippendorff's alpha (nominal), by character, by paragraph or
//! by coded segment, per code and overall.
//!
//! Two layers:
//! - [`Units`] and [`Statistics::compute`]: the statistics over nominal
//!   reliability data (any number of coders, any values, missing values
//!   allowed where the statistic allows them), with a weight per unit so
//!   that millions of identical units (characters nobody coded) cost one
//!   row;
//! - [`UnitTable::build`]: the reliability data a study's codings give,
//!   under the unit definitions of `docs/analysis.md` (the contract of
//!   `sankore analyze agreement`).

use std::collections::HashMap;

use sankore_domain::{CodeKey, Codebook, Coding, Document};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::error::{AnalysisError, Result};

/// The value standing for "this coder gave no value to this unit".
pub const MISSING: u32 = u32::MAX;

/// Nominal reliability data: one row of values (one per coder) per unit,
/// each row with a weight (how many identical units it stands for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Units {
    coders: usize,
    values: Vec<u32>,
    weights: Vec<u64>,
}

impl Units {
    /// Empty data for `coders` coders.
    pub fn new(coders: usize) -> Self {
        Units {
            coders,
            values: Vec::new(),
            weights: Vec::new(),
        }
    }

    /// Builds data from rows of values (one row per unit, [`MISSING`] for
    /// no value), each of weight 1.
    pub fn from_rows(coders: usize, rows: &[Vec<u32>]) -> Self {
        let mut units = Units::new(coders);
        for row in rows {
            units.push(row, 1);
        }
        units
    }

    /// Adds `weight` units with these values. A row shorter than the
    /// number of coders is padded with [`MISSING`]; extra values are
    /// ignored. Rows of weight 0 are dropped.
    pub fn push(&mut self, row: &[u32], weight: u64) {
        if weight == 0 {
            return;
        }
        self.values
            .extend((0..self.coders).map(|i| row.get(i).copied().unwrap_or(MISSING)));
        self.weights.push(weight);
    }

    /// Number of coders.
    pub fn coders(&self) -> usize {
        self.coders
    }

    /// Number of units (the sum of the weights).
    pub fn total(&self) -> u64 {
        self.weights.iter().sum()
    }

    /// The rows and their weights.
    fn rows(&self) -> impl Iterator<Item = (&[u32], u64)> {
        self.values
            .chunks_exact(self.coders.max(1))
            .zip(self.weights.iter().copied())
    }
}

/// The four agreement statistics; `None` where a statistic is undefined
/// (fewer than two coders or units, a single value observed, or Cohen's
/// kappa with other than two coders).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Statistics {
    /// Percent agreement, 0 to 100: over the units at least two coders
    /// valued, the mean share of agreeing pairs of coders.
    pub percent: Option<f64>,
    /// Cohen's kappa (exactly two coders; units both valued).
    pub cohen_kappa: Option<f64>,
    /// Fleiss' kappa (units every coder valued).
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's alpha for nominal data (units at least two coders
    /// valued).
    pub krippendorff_alpha: Option<f64>,
}

/// Values mapped to dense category indices, per row.
struct Dense {
    categories: usize,
    rows: Vec<(Vec<usize>, u64)>,
}

/// Maps each row's present values to `0..categories`; missing values are
/// dropped from the row, keeping for each row the coder positions.
/// A unit's dense category per coder (`None`: missing), and its weight.
type DenseRow = (Vec<Option<usize>>, u64);

fn densify(units: &Units) -> (usize, Vec<DenseRow>) {
    let mut index: HashMap<u32, usize> = HashMap::new();
    let mut values: Vec<u32> = units
        .values
        .iter()
        .copied()
        .filter(|v| *v != MISSING)
        .collect();
    values.sort_unstable();
    values.dedup();
    for (i, v) in values.iter().enumerate() {
        index.insert(*v, i);
    }
    let rows = units
        .rows()
        .map(|(row, w)| {
            (
                row.iter()
                    .map(|v| {
                        if *v == MISSING {
                            None
                        } else {
                            index.get(v).copied()
                        }
                    })
                    .collect(),
                w,
            )
        })
        .collect();
    (values.len(), rows)
}

impl Dense {
    /// The rows with at least `min` present values, as per-category counts.
    fn counts(categories: usize, rows: &[DenseRow], min: usize) -> Dense {
        Dense {
            categories,
            rows: rows
                .iter()
                .filter_map(|(row, w)| {
                    let mut counts = vec![0usize; categories];
                    let mut present = 0;
                    for v in row.iter().flatten() {
                        counts[*v] += 1;
                        present += 1;
                    }
                    (present >= min).then_some((counts, *w))
                })
                .collect(),
        }
    }
}

impl Statistics {
    /// Computes the four statistics.
    pub fn compute(units: &Units) -> Statistics {
        let (categories, rows) = densify(units);
        let pairable = Dense::counts(categories, &rows, 2);
        let complete = Dense::counts(categories, &rows, units.coders.max(2));
        Statistics {
            percent: percent(&pairable),
            cohen_kappa: if units.coders == 2 {
                cohen(categories, &rows)
            } else {
                None
            },
            fleiss_kappa: fleiss(&complete, units.coders),
            krippendorff_alpha: krippendorff_alpha(units),
        }
    }
}

/// The distinct values of reliability data mapped to `0..count`, in
/// increasing order: a direct table for small values, else a sorted list.
struct Categories {
    table: Vec<u32>,
    sorted: Vec<u32>,
}

impl Categories {
    /// Values up to this use the direct table.
    const TABLE_LIMIT: u32 = 1 << 16;

    fn of(units: &Units) -> Categories {
        let present = units.values.iter().copied().filter(|v| *v != MISSING);
        let max = present.clone().max().unwrap_or(0);
        if max < Self::TABLE_LIMIT {
            let mut table = vec![MISSING; max as usize + 1];
            for v in present {
                table[v as usize] = 0;
            }
            let mut sorted = Vec::new();
            for (v, slot) in table.iter_mut().enumerate() {
                if *slot == 0 {
                    *slot = u32::try_from(sorted.len()).unwrap_or(MISSING);
                    sorted.push(u32::try_from(v).unwrap_or(MISSING));
                }
            }
            Categories { table, sorted }
        } else {
            let mut sorted: Vec<u32> = present.collect();
            sorted.sort_unstable();
            sorted.dedup();
            Categories {
                table: Vec::new(),
                sorted,
            }
        }
    }

    fn count(&self) -> usize {
        self.sorted.len()
    }

    #[inline]
    fn index(&self, value: u32) -> usize {
        if self.table.is_empty() {
            self.sorted.binary_search(&value).unwrap_or(0)
        } else {
            self.table[value as usize] as usize
        }
    }
}

/// Krippendorff's alpha (nominal) alone, in one pass without allocation
/// per unit: each unit valued by `m >= 2` coders adds `w / (m - 1)` to the
/// coincidence of every ordered pair of its values.
pub fn krippendorff_alpha(units: &Units) -> Option<f64> {
    let categories = Categories::of(units);
    let k = categories.count();
    let mut coincidences = vec![0.0; k * k];
    let mut present = vec![0usize; units.coders];
    for (row, w) in units.rows() {
        let mut m = 0;
        for v in row {
            if *v != MISSING {
                present[m] = categories.index(*v);
                m += 1;
            }
        }
        if m < 2 {
            continue;
        }
        let scale = w as f64 / (m - 1) as f64;
        for i in 0..m {
            for j in 0..m {
                if i != j {
                    coincidences[present[i] * k + present[j]] += scale;
                }
            }
        }
    }
    let marginals: Vec<f64> = (0..k)
        .map(|c| coincidences[c * k..(c + 1) * k].iter().sum())
        .collect();
    let n: f64 = marginals.iter().sum();
    let diagonal: f64 = (0..k).map(|c| coincidences[c * k + c]).sum();
    let expected = n * n - marginals.iter().map(|m| m * m).sum::<f64>();
    if n <= 1.0 || expected <= 0.0 {
        return None;
    }
    let observed = n - diagonal;
    Some(1.0 - (n - 1.0) * observed / expected)
}

fn percent(data: &Dense) -> Option<f64> {
    let mut total = 0.0;
    let mut agree = 0.0;
    for (counts, w) in &data.rows {
        let m: usize = counts.iter().sum();
        let pairs = (m * (m - 1)) as f64;
        let same: usize = counts.iter().map(|n| n * n.saturating_sub(1)).sum();
        agree += *w as f64 * same as f64 / pairs;
        total += *w as f64;
    }
    (total > 0.0).then(|| 100.0 * agree / total)
}

fn cohen(categories: usize, rows: &[DenseRow]) -> Option<f64> {
    let mut total = 0.0;
    let mut observed = 0.0;
    let mut first = vec![0.0; categories];
    let mut second = vec![0.0; categories];
    for (row, w) in rows {
        if let [Some(a), Some(b)] = row.as_slice() {
            let w = *w as f64;
            total += w;
            if a == b {
                observed += w;
            }
            first[*a] += w;
            second[*b] += w;
        }
    }
    let seen = first
        .iter()
        .zip(&second)
        .filter(|(a, b)| **a > 0.0 || **b > 0.0)
        .count();
    if total == 0.0 || seen < 2 {
        return None;
    }
    let po = observed / total;
    let pe: f64 = first
        .iter()
        .zip(&second)
        .map(|(a, b)| (a / total) * (b / total))
        .sum();
    Some((po - pe) / (1.0 - pe))
}

fn fleiss(data: &Dense, coders: usize) -> Option<f64> {
    if coders < 2 {
        return None;
    }
    let m = coders as f64;
    let mut total = 0.0;
    let mut agreement = 0.0;
    let mut by_category = vec![0.0; data.categories];
    for (counts, w) in &data.rows {
        let w = *w as f64;
        total += w;
        let squares: usize = counts.iter().map(|n| n * n).sum();
        agreement += w * (squares as f64 - m) / (m * (m - 1.0));
        for (k, n) in counts.iter().enumerate() {
            by_category[k] += w * *n as f64;
        }
    }
    if total == 0.0 || by_category.iter().filter(|n| **n > 0.0).count() < 2 {
        return None;
    }
    let p_mean = agreement / total;
    let p_expected: f64 = by_category
        .iter()
        .map(|n| {
            let p = n / (total * m);
            p * p
        })
        .sum();
    Some((p_mean - p_expected) / (1.0 - p_expected))
}

/// What a unit of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// Every character of the document.
    Character,
    /// Every non-blank paragraph (maximal run without a line break).
    Paragraph,
    /// Every coded segment: a maximal stretch of a document covered by
    /// overlapping codings (of any code, by any of the coders).
    Segment,
}

impl UnitKind {
    /// The name on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Character => "character",
            UnitKind::Paragraph => "paragraph",
            UnitKind::Segment => "segment",
        }
    }
}

/// Which documents count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Documents coded by any of the coders (the contract's default).
    #[default]
    Any,
    /// Documents coded by every one of the coders (the double-coded ones).
    All,
}

/// An agreement query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementQuery {
    /// The unit of text.
    pub unit: UnitKind,
    /// Coders to compare, in this order; every coder with codings, sorted,
    /// when `None`.
    pub coders: Option<Vec<String>>,
    /// One code only; else every code any of the coders applied in the
    /// documents in scope.
    pub code: Option<CodeKey>,
    /// Which documents count.
    pub scope: Scope,
}

/// A run of consecutive units with the same values: `pattern` has bit `i`
/// set when coder `i` applied the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Coders who applied the code, as bits.
    pub pattern: u64,
    /// How many consecutive units.
    pub length: u64,
}

/// The binary reliability data of a study's codings: for each code, its
/// units in document order (documents in the order given, then position),
/// run-length encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTable {
    /// The unit.
    pub unit: UnitKind,
    /// The coders, in pattern-bit order.
    pub coders: Vec<String>,
    /// The documents in scope, in the order given.
    pub documents: Vec<String>,
    /// The codes, in codebook order, with their runs.
    pub codes: Vec<(CodeKey, Vec<Run>)>,
}

/// Non-blank paragraphs of a text, as scalar offsets `[start, end)`: maximal
/// runs of characters without a line break, where a line break is `\n` or
/// `\r\n` (one break); a lone `\r` is an ordinary character.
pub fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let close = |from: usize, to: usize, out: &mut Vec<(usize, usize)>| {
        if chars[from..to].iter().any(|c| !c.is_whitespace()) {
            out.push((from, to));
        }
    };
    while i < chars.len() {
        if chars[i] == '\n' {
            close(start, i, &mut out);
            start = i + 1;
        } else if chars[i] == '\r' && chars.get(i + 1) == Some(&'\n') {
            close(start, i, &mut out);
            start = i + 2;
            i += 1;
        }
        i += 1;
    }
    close(start, chars.len(), &mut out);
    out
}

/// Appends a run, merging it with the last one when the pattern is equal.
fn push_run(runs: &mut Vec<Run>, pattern: u64, length: u64) {
    if length == 0 {
        return;
    }
    match runs.last_mut() {
        Some(last) if last.pattern == pattern => last.length += length,
        _ => runs.push(Run { pattern, length }),
    }
}

/// One coding reduced to what agreement needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    code: usize,
    document: usize,
    start: usize,
    end: usize,
    coder: usize,
}

impl UnitTable {
    /// Builds the units of a query from documents (in the order given),
    /// codings and the codebook.
    pub fn build(
        query: &AgreementQuery,
        codebook: &Codebook,
        documents: &[Document],
        codings: &[Coding],
    ) -> Result<UnitTable> {
        let coders: Vec<String> = match &query.coders {
            Some(list) => {
                for (i, c) in list.iter().enumerate() {
                    if list[..i].contains(c) {
                        return Err(AnalysisError::DuplicateCoder(c.clone()));
                    }
                    if !codings.iter().any(|x| &x.coder == c) {
                        return Err(AnalysisError::UnknownCoder(c.clone()));
                    }
                }
                list.clone()
            }
            None => {
                let mut all: Vec<String> = codings.iter().map(|c| c.coder.clone()).collect();
                all.sort_unstable();
                all.dedup();
                all
            }
        };
        if coders.len() < 2 {
            return Err(AnalysisError::TooFewCoders(coders.len()));
        }
        if coders.len() > 64 {
            return Err(AnalysisError::TooLarge("coders"));
        }
        let code_ids: HashMap<&CodeKey, usize> = codebook
            .codes()
            .iter()
            .enumerate()
            .map(|(i, c)| (&c.key, i))
            .collect();
        let only = match &query.code {
            Some(key) => Some(
                *code_ids
                    .get(key)
                    .ok_or_else(|| AnalysisError::UnknownCode(key.to_string()))?,
            ),
            None => None,
        };
        let coder_ids: HashMap<&str, usize> = coders
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let document_ids: HashMap<&str, usize> = documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.as_str(), i))
            .collect();

        // Which coders coded each document (any code), for the scope.
        let mut coded_by = vec![0u64; documents.len()];
        let mut spans = Vec::new();
        for c in codings {
            let (Some(&coder), Some(&document)) = (
                coder_ids.get(c.coder.as_str()),
                document_ids.get(c.document.as_str()),
            ) else {
                continue;
            };
            coded_by[document] |= 1 << coder;
            if let Some(&code) = code_ids.get(&c.code) {
                spans.push(Span {
                    code,
                    document,
                    start: c.span.start(),
                    end: c.span.end(),
                    coder,
                });
            }
        }
        let everyone = if coders.len() == 64 {
            u64::MAX
        } else {
            (1u64 << coders.len()) - 1
        };
        let in_scope: Vec<bool> = coded_by
            .iter()
            .map(|mask| match query.scope {
                Scope::Any => *mask != 0,
                Scope::All => *mask == everyone,
            })
            .collect();
        let spans_all = spans.clone();
        spans.retain(|s| in_scope[s.document] && only.is_none_or(|o| o == s.code));
        spans.sort_unstable();

        let mut codes: Vec<usize> = spans.iter().map(|s| s.code).collect();
        codes.dedup();
        if let Some(o) = only {
            codes = vec![o];
        }
        let scoped: Vec<usize> = (0..documents.len()).filter(|d| in_scope[*d]).collect();
        // The units of each document in scope, for paragraphs and segments.
        let mut unit_spans: Vec<Vec<(usize, usize)>> = vec![Vec::new(); documents.len()];
        match query.unit {
            UnitKind::Paragraph => {
                for &d in &scoped {
                    unit_spans[d] = paragraphs(documents[d].body.as_str());
                }
            }
            UnitKind::Segment => {
                // Clusters of overlapping codings of any code by any of the
                // coders (before keeping only `--code`).
                let mut all: Vec<(usize, usize, usize)> = spans_all
                    .iter()
                    .filter(|s| in_scope[s.document])
                    .map(|s| (s.document, s.start, s.end))
                    .collect();
                all.sort_unstable();
                for (document, start, end) in all {
                    let list = &mut unit_spans[document];
                    match list.last_mut() {
                        Some(last) if start < last.1 => last.1 = last.1.max(end),
                        _ => list.push((start, end)),
                    }
                }
            }
            UnitKind::Character => {}
        }

        let mut table = Vec::with_capacity(codes.len());
        let mut cursor = 0;
        for code in codes {
            let mut runs = Vec::new();
            // Spans of this code are contiguous in `spans`, by document.
            while cursor < spans.len() && spans[cursor].code < code {
                cursor += 1;
            }
            for &document in &scoped {
                let from = cursor;
                while cursor < spans.len()
                    && spans[cursor].code == code
                    && spans[cursor].document == document
                {
                    cursor += 1;
                }
                let here = &spans[from..cursor];
                match query.unit {
                    UnitKind::Character => {
                        character_runs(here, documents[document].body.char_len(), &mut runs);
                    }
                    UnitKind::Paragraph | UnitKind::Segment => {
                        overlap_runs(here, &unit_spans[document], &mut runs);
                    }
                }
            }
            let key = codebook.codes()[code].key.clone();
            table.push((key, runs));
        }
        Ok(UnitTable {
            unit: query.unit,
            coders,
            documents: scoped.iter().map(|d| documents[*d].code.clone()).collect(),
            codes: table,
        })
    }

    /// The reliability data of one code's runs (values 0 and 1), or of
    /// every code pooled when `code` is `None`; with `coded_only`, units no
    /// coder coded are left out.
    pub fn units(&self, code: Option<usize>, coded_only: bool) -> Units {
        let mut tally: HashMap<u64, u64> = HashMap::new();
        let chosen: Vec<&Vec<Run>> = match code {
            Some(i) => self.codes.get(i).map(|(_, r)| r).into_iter().collect(),
            None => self.codes.iter().map(|(_, r)| r).collect(),
        };
        for runs in chosen {
            for run in runs {
                if coded_only && run.pattern == 0 {
                    continue;
                }
                *tally.entry(run.pattern).or_default() += run.length;
            }
        }
        let mut patterns: Vec<(u64, u64)> = tally.into_iter().collect();
        patterns.sort_unstable();
        let mut units = Units::new(self.coders.len());
        let mut row = vec![0u32; self.coders.len()];
        for (pattern, weight) in patterns {
            for (i, v) in row.iter_mut().enumerate() {
                *v = u32::from(pattern >> i & 1 == 1);
            }
            units.push(&row, weight);
        }
        units
    }
}

/// Character units of one document: the coverage of each coder, swept.
fn character_runs(spans: &[Span], len: usize, runs: &mut Vec<Run>) {
    let mut events: Vec<(usize, usize, i32)> = Vec::with_capacity(spans.len() * 2);
    for s in spans {
        events.push((s.start, s.coder, 1));
        events.push((s.end.min(len), s.coder, -1));
    }
    events.sort_unstable();
    let mut depth = [0i32; 64];
    let mut position = 0;
    let mut pattern = 0u64;
    for (at, coder, step) in events {
        if at > position {
            push_run(runs, pattern, (at - position) as u64);
            position = at;
        }
        depth[coder] += step;
        if depth[coder] > 0 {
            pattern |= 1 << coder;
        } else {
            pattern &= !(1 << coder);
        }
    }
    push_run(runs, 0, len.saturating_sub(position) as u64);
}

/// Paragraph or segment units of one document (sorted, disjoint): a coder
/// is 1 on a unit any of their spans overlaps.
fn overlap_runs(spans: &[Span], units: &[(usize, usize)], runs: &mut Vec<Run>) {
    let mut patterns = vec![0u64; units.len()];
    for s in spans {
        let first = units.partition_point(|(_, end)| *end <= s.start);
        for (p, (start, _)) in units.iter().enumerate().skip(first) {
            if *start >= s.end {
                break;
            }
            patterns[p] |= 1 << s.coder;
        }
    }
    for pattern in patterns {
        push_run(runs, pattern, 1);
    }
}

/// Statistics keyed by code, serialised as a JSON object in codebook order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PerCode<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for PerCode<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The statistics of one view (all units, or the coded ones only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    /// Units pooled over codes.
    pub units: u64,
    /// Every (unit, code) pair pooled as one unit.
    pub overall: Statistics,
    /// Units per code.
    pub per_code_units: PerCode<u64>,
    /// Per code, keyed by code key.
    pub per_code: PerCode<Statistics>,
}

impl View {
    fn compute(table: &UnitTable, coded_only: bool) -> View {
        let pooled = table.units(None, coded_only);
        let mut per_code = Vec::new();
        let mut per_code_units = Vec::new();
        for (i, (key, _)) in table.codes.iter().enumerate() {
            let units = table.units(Some(i), coded_only);
            per_code_units.push((key.to_string(), units.total()));
            per_code.push((key.to_string(), Statistics::compute(&units)));
        }
        View {
            units: pooled.total(),
            overall: Statistics::compute(&pooled),
            per_code_units: PerCode(per_code_units),
            per_code: PerCode(per_code),
        }
    }
}

/// The answer of `sankore analyze agreement` (shape in `docs/cli.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The unit of text.
    pub unit: UnitKind,
    /// The coders compared.
    pub coders: Vec<String>,
    /// Every (unit, code) pair pooled as one unit.
    pub overall: Statistics,
    /// Per code, keyed by code key, in codebook order.
    pub per_code: PerCode<Statistics>,
    /// Which documents counted.
    pub scope: Scope,
    /// How many documents counted.
    pub documents: usize,
    /// Units pooled over codes.
    pub units: u64,
    /// Units per code.
    pub per_code_units: PerCode<u64>,
    /// The same statistics without the units no coder coded (the
    /// uncoded-text pitfall: agreement on text nobody coded inflates the
    /// figures above).
    pub excluding_uncoded: View,
}

impl Agreement {
    /// Computes both views from a unit table.
    pub fn from_table(table: &UnitTable, scope: Scope) -> Agreement {
        let all = View::compute(table, false);
        Agreement {
            unit: table.unit,
            coders: table.coders.clone(),
            overall: all.overall,
            per_code: all.per_code,
            scope,
            documents: table.documents.len(),
            units: all.units,
            per_code_units: all.per_code_units,
            excluding_uncoded: View::compute(table, true),
        }
    }

    /// Builds the units and computes the statistics.
    pub fn compute(
        query: &AgreementQuery,
        codebook: &Codebook,
        documents: &[Document],
        codings: &[Coding],
    ) -> Result<Agreement> {
        let table = UnitTable::build(query, codebook, documents, codings)?;
        Ok(Agreement::from_table(&table, query.scope))
    }

    /// Loads documents, codings and codebook from a store and computes.
    pub fn from_store(
        store: &impl sankore_store::Store,
        query: &AgreementQuery,
    ) -> Result<Agreement> {
        if store.study()?.is_none() {
            return Err(AnalysisError::NoStudy);
        }
        Agreement::compute(
            query,
            &store.codebook()?,
            &store.documents()?,
            &store.codings()?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.unwrap_or(f64::NAN);
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn two_coders_by_hand() {
        // 10 units: both 1 on 3, both 0 on 5, (1,0) once, (0,1) once.
        let mut u = Units::new(2);
        u.push(&[1, 1], 3);
        u.push(&[0, 0], 5);
        u.push(&[1, 0], 1);
        u.push(&[0, 1], 1);
        let s = Statistics::compute(&u);
        close(s.percent, 80.0);
        // po = .8, pe = .4*.4 + .6*.6 = .52
        close(s.cohen_kappa, (0.8 - 0.52) / 0.48);
        // Fleiss: p1 = .4, pe = .52, P = .8
        close(s.fleiss_kappa, (0.8 - 0.52) / 0.48);
        // alpha: n = 20 values, n1 = 8, n0 = 12; each disagreeing unit adds
        // one coincidence to o01 and one to o10, so Do = 4.
        close(
            s.krippendorff_alpha,
            1.0 - 19.0 * 4.0 / (400.0 - 144.0 - 64.0),
        );
    }

    #[test]
    fn undefined_when_one_value() {
        let mut u = Units::new(2);
        u.push(&[0, 0], 7);
        let s = Statistics::compute(&u);
        close(s.percent, 100.0);
        assert_eq!(s.cohen_kappa, None);
        assert_eq!(s.fleiss_kappa, None);
        assert_eq!(s.krippendorff_alpha, None);
        assert_eq!(Statistics::compute(&Units::new(2)).percent, None);
    }

    #[test]
    fn paragraphs_follow_the_contract() {
        assert_eq!(paragraphs("ab\n\ncd\r\nef"), vec![(0, 2), (4, 6), (8, 10)]);
        assert_eq!(paragraphs("  \n x \r\n\t"), vec![(3, 6)]);
        assert_eq!(paragraphs("a\rb"), vec![(0, 3)], "a lone CR is no break");
        assert_eq!(paragraphs(""), vec![]);
    }
}
