//! Co-occurrence: which codes are applied together.
//!
//! Three proximities. With [`Proximity::Document`] the units are documents.
//! With [`Proximity::Overlap`] and [`Proximity::Within`], the units are
//! *passages*: for a pair of codes `a` and `b`, the codings of `a` and `b`
//! in a document are joined into clusters, two codings joining when they
//! overlap (share a character) or, with `Within(n)`, when the gap between
//! them is at most `n` characters (chains join too). A passage holds `a`,
//! `b`, or both. For each pair: `both` counts the units holding both codes,
//! `either` those holding at least one, and `jaccard` = both / either.

use sankore_domain::{CodeKey, Localized};
use serde::Serialize;

use crate::corpus::{Corpus, Filter, NONE};
use crate::error::{AnalysisError, Result, to_u32};

/// When two codings count as applied together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "distance", rename_all = "lowercase")]
pub enum Proximity {
    /// Their spans share at least one character.
    Overlap,
    /// The gap between their spans is at most this many characters.
    Within(usize),
    /// They are in the same document.
    Document,
}

/// A co-occurrence query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CooccurrenceQuery {
    /// When codings count as together.
    pub proximity: Proximity,
    /// The codes to pair (every code of the codebook when `None`).
    pub codes: Option<Vec<CodeKey>>,
    /// Which codings count.
    pub filter: Filter,
}

/// One code's own occurrences under the query's proximity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    /// Code key.
    pub code: String,
    /// Code names.
    pub name: Localized,
    /// Passages (clusters of its own codings) or documents holding it.
    pub units: u64,
}

/// Two codes together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// The first code (codebook order).
    pub a: String,
    /// The second code.
    pub b: String,
    /// Units holding both codes.
    pub both: u64,
    /// Units holding either code.
    pub either: u64,
    /// Documents where they are together.
    pub documents: u64,
    /// `both / either`.
    pub jaccard: f64,
}

/// The answer of a co-occurrence query: the pairs seen together at least
/// once, in codebook order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cooccurrence {
    /// The proximity used.
    pub proximity: Proximity,
    /// Each code's own units.
    pub codes: Vec<Occurrence>,
    /// The pairs.
    pub pairs: Vec<Pair>,
}

/// Whether a span starting at `start` joins a cluster ending at `end`.
fn joins(proximity: Proximity, start: u32, end: u32) -> bool {
    match proximity {
        Proximity::Overlap => start < end,
        Proximity::Within(n) => (start as usize) <= (end as usize).saturating_add(n),
        Proximity::Document => true,
    }
}

/// Clusters of the spans (sorted by start); returns how many hold a span
/// of the first list only, of the second only, and of both.
fn clusters(proximity: Proximity, a: &[(u32, u32)], b: &[(u32, u32)]) -> (u64, u64, u64) {
    let (mut i, mut j) = (0, 0);
    let mut current: Option<(u32, bool, bool)> = None;
    let (mut only_a, mut only_b, mut both) = (0, 0, 0);
    let mut close = |flags: (bool, bool)| match flags {
        (true, true) => both += 1,
        (true, false) => only_a += 1,
        (false, true) => only_b += 1,
        (false, false) => {}
    };
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i].0 <= b[j].0);
        let (start, end) = if take_a { a[i] } else { b[j] };
        if take_a {
            i += 1;
        } else {
            j += 1;
        }
        current = match current {
            Some((until, in_a, in_b)) if joins(proximity, start, until) => {
                Some((until.max(end), in_a || take_a, in_b || !take_a))
            }
            Some((_, in_a, in_b)) => {
                close((in_a, in_b));
                Some((end, take_a, !take_a))
            }
            None => Some((end, take_a, !take_a)),
        };
    }
    if let Some((_, in_a, in_b)) = current {
        close((in_a, in_b));
    }
    (only_a, only_b, both)
}

impl Cooccurrence {
    /// Runs a query over a corpus.
    pub fn compute(corpus: &Corpus, query: &CooccurrenceQuery) -> Result<Cooccurrence> {
        let filter = query.filter.compile(corpus)?;
        let codes: Vec<u32> = match &query.codes {
            None => (0..corpus.codes.len())
                .map(|i| to_u32(i, "codes"))
                .collect::<Result<_>>()?,
            Some(keys) => keys
                .iter()
                .map(|k| {
                    corpus
                        .code_id(k)
                        .ok_or_else(|| AnalysisError::UnknownCode(k.to_string()))
                })
                .collect::<Result<_>>()?,
        };
        let k = codes.len();
        let mut slot = vec![NONE; corpus.codes.len()];
        for (i, c) in codes.iter().enumerate() {
            slot[*c as usize] = to_u32(i, "codes")?;
        }
        let mut own = vec![0u64; k];
        let mut both = vec![0u64; k * k];
        let mut adjust = vec![0i64; k * k];
        let mut documents = vec![0u64; k * k];
        let c = &corpus.codings;
        let mut i = 0;
        // Spans of the current document, by slot.
        let mut spans: Vec<Vec<(u32, u32)>> = vec![Vec::new(); k];
        let mut present: Vec<usize> = Vec::new();
        while i < c.len() {
            let doc = c.document[i];
            let mut j = i;
            while j < c.len() && c.document[j] == doc {
                let s = slot[c.code[j] as usize];
                if s != NONE && filter.keeps(corpus, j) {
                    let s = s as usize;
                    if spans[s].is_empty() {
                        present.push(s);
                    }
                    spans[s].push((c.start[j], c.end[j]));
                }
                j += 1;
            }
            present.sort_unstable();
            let mut alone = Vec::with_capacity(present.len());
            for &s in &present {
                // Codings are sorted by start within a document already.
                let n = if query.proximity == Proximity::Document {
                    1
                } else {
                    clusters(query.proximity, &spans[s], &[]).0
                };
                own[s] += n;
                alone.push(n);
            }
            for (x, &a) in present.iter().enumerate() {
                for (y, &b) in present.iter().enumerate().skip(x + 1) {
                    let cell = a * k + b;
                    let (only_a, only_b, together) = if query.proximity == Proximity::Document {
                        (0, 0, 1)
                    } else {
                        clusters(query.proximity, &spans[a], &spans[b])
                    };
                    if together > 0 {
                        both[cell] += together;
                        documents[cell] += 1;
                    }
                    // Passages of the pair here, less the code's own ones
                    // counted in `own`.
                    let here = i64::try_from(only_a + only_b + together).unwrap_or(i64::MAX);
                    let counted = i64::try_from(alone[x] + alone[y]).unwrap_or(i64::MAX);
                    adjust[cell] += here - counted;
                }
            }
            for s in present.drain(..) {
                spans[s].clear();
            }
            i = j;
        }
        let mut pairs = Vec::new();
        for a in 0..k {
            for b in a + 1..k {
                let cell = a * k + b;
                if both[cell] == 0 {
                    continue;
                }
                let either = i64::try_from(own[a] + own[b]).unwrap_or(i64::MAX) + adjust[cell];
                let either = u64::try_from(either).unwrap_or(0);
                pairs.push(Pair {
                    a: corpus.codes[codes[a] as usize].key.to_string(),
                    b: corpus.codes[codes[b] as usize].key.to_string(),
                    both: both[cell],
                    either,
                    documents: documents[cell],
                    jaccard: both[cell] as f64 / either.max(1) as f64,
                });
            }
        }
        Ok(Cooccurrence {
            proximity: query.proximity,
            codes: codes
                .iter()
                .zip(own)
                .map(|(c, units)| Occurrence {
                    code: corpus.codes[*c as usize].key.to_string(),
                    name: corpus.codes[*c as usize].name.clone(),
                    units,
                })
                .collect(),
            pairs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_join_by_proximity() {
        let a = [(0, 10), (50, 60)];
        let b = [(5, 20), (65, 70)];
        assert_eq!(clusters(Proximity::Overlap, &a, &b), (1, 1, 1));
        assert_eq!(clusters(Proximity::Within(5), &a, &b), (0, 0, 2));
        assert_eq!(clusters(Proximity::Within(4), &a, &b), (1, 1, 1));
        // Touching spans do not overlap.
        assert_eq!(
            clusters(Proximity::Overlap, &[(0, 5)], &[(5, 9)]),
            (1, 1, 0)
        );
        assert_eq!(
            clusters(Proximity::Within(0), &[(0, 5)], &[(5, 9)]),
            (0, 0, 1)
        );
    }
}
