//! Disclosure control for published counts of people.
//!
//! A table is a set of counted cells and the equations that tie them
//! together (a total is the sum of its parts). The threshold rule
//! suppresses every cell below `k`; secondary suppression then hides more
//! cells until no published equation gives a suppressed cell back (in every
//! equation, either the total is hidden or at least two parts are). The
//! reference case shows why: hiding "3 religious (Christian) leaders" is
//! useless while 188 and the other four counts are shown.
//!
//! Every publishing path goes through here; the result says what was
//! hidden and why, for the disclosure report.

use serde::Serialize;
use std::collections::BTreeSet;

/// The smallest threshold accepted (a study setting, default 5).
pub const MIN_K: u64 = 3;
/// The largest threshold accepted.
pub const MAX_K: u64 = 10;
/// The default threshold.
pub const DEFAULT_K: u64 = 5;

/// A counted cell, named by a stable path such as
/// `focus_groups.by_group.youth associations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub path: String,
    pub count: u64,
}

/// `total = sum(parts)`, by cell index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Why a cell is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Fewer than `k` people (primary suppression).
    BelowThreshold,
    /// Hidden so that a total and the other parts cannot give back a
    /// hidden cell (secondary suppression).
    Complementary,
}

/// A hidden cell, for the disclosure report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub path: String,
    pub reason: Reason,
    /// The threshold in force.
    pub k: u64,
}

/// A threshold outside `MIN_K..=MAX_K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidThreshold(pub u64);

impl std::fmt::Display for InvalidThreshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "threshold {} is outside {MIN_K}..={MAX_K}", self.0)
    }
}

impl std::error::Error for InvalidThreshold {}

/// Applies the threshold rule and secondary suppression; returns the
/// hidden cells by index with their reasons. Zero counts are published
/// (a structural zero discloses no one), and a hidden zero is never chosen
/// as a complement, since it protects nothing.
pub fn suppress(
    cells: &[Cell],
    equations: &[Equation],
    k: u64,
) -> Result<Vec<(usize, Reason)>, InvalidThreshold> {
    if !(MIN_K..=MAX_K).contains(&k) {
        return Err(InvalidThreshold(k));
    }
    let mut hidden: Vec<Option<Reason>> = cells
        .iter()
        .map(|c| (c.count > 0 && c.count < k).then_some(Reason::BelowThreshold))
        .collect();
    // Repeat until every equation is safe: a hidden cell is safe in an
    // equation when the total is hidden or another part is hidden too.
    loop {
        let mut changed = false;
        for eq in equations {
            let hidden_parts: Vec<usize> = eq
                .parts
                .iter()
                .copied()
                .filter(|p| hidden[*p].is_some())
                .collect();
            let total_hidden = hidden[eq.total].is_some();
            if total_hidden && hidden_parts.is_empty() {
                // A hidden total with every part shown is its parts' sum:
                // hide the smallest part too.
                if let Some(p) = smallest(cells, &hidden, &eq.parts) {
                    hidden[p] = Some(Reason::Complementary);
                    changed = true;
                }
                continue;
            }
            if hidden_parts.len() == 1 && !total_hidden {
                match smallest(cells, &hidden, &eq.parts) {
                    Some(p) => hidden[p] = Some(Reason::Complementary),
                    None => hidden[eq.total] = Some(Reason::Complementary),
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(hidden
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (i, r)))
        .collect())
}

/// The smallest positive shown part (ties: the first), as a complement.
fn smallest(cells: &[Cell], hidden: &[Option<Reason>], parts: &[usize]) -> Option<usize> {
    parts
        .iter()
        .copied()
        .filter(|p| hidden[*p].is_none() && cells[*p].count > 0)
        .min_by_key(|p| (cells[*p].count, *p))
}

/// Whether a published table gives back any hidden cell through a single
/// equation (what `suppress` guarantees against).
pub fn derivable(equations: &[Equation], hidden: &BTreeSet<usize>) -> Option<usize> {
    for eq in equations {
        let unknown: Vec<usize> = std::iter::once(eq.total)
            .chain(eq.parts.iter().copied())
            .filter(|c| hidden.contains(c))
            .collect();
        if unknown.len() == 1 {
            return Some(unknown[0]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cells(counts: &[u64]) -> Vec<Cell> {
        counts
            .iter()
            .enumerate()
            .map(|(i, c)| Cell {
                path: format!("c{i}"),
                count: *c,
            })
            .collect()
    }

    #[test]
    fn the_seed_table_cannot_give_back_three_religious_leaders() {
        // 188 = 35 community + 3 religious + 6 NGO + 72 women + 72 youth.
        let table = cells(&[188, 35, 3, 6, 72, 72]);
        let eq = Equation {
            total: 0,
            parts: vec![1, 2, 3, 4, 5],
        };
        let hidden = suppress(&table, std::slice::from_ref(&eq), 5).unwrap_or_default();
        assert_eq!(
            hidden,
            vec![(2, Reason::BelowThreshold), (3, Reason::Complementary)]
        );
        let set: BTreeSet<usize> = hidden.iter().map(|(i, _)| *i).collect();
        assert_eq!(derivable(&[eq], &set), None);
    }

    #[test]
    fn thresholds_are_bounded() {
        assert!(suppress(&cells(&[1]), &[], 2).is_err());
        assert!(suppress(&cells(&[1]), &[], 11).is_err());
        assert!(suppress(&cells(&[1]), &[], 3).is_ok());
    }

    #[test]
    fn complements_and_hidden_totals() {
        // 9 = 4 + 5: the 4 is hidden, so the 5 must go too.
        let eq = Equation {
            total: 0,
            parts: vec![1, 2],
        };
        let hidden = suppress(&cells(&[9, 4, 5]), std::slice::from_ref(&eq), 5).unwrap_or_default();
        assert_eq!(
            hidden,
            vec![(1, Reason::BelowThreshold), (2, Reason::Complementary)]
        );
        // 4 = 4 + 0: total and part are both small; zeros stay shown.
        let hidden = suppress(&cells(&[4, 4, 0]), std::slice::from_ref(&eq), 5).unwrap_or_default();
        assert_eq!(
            hidden,
            vec![(0, Reason::BelowThreshold), (1, Reason::BelowThreshold)]
        );
        // 12 = 3 + 9 and 12 = 12 (a second, one-part breakdown): hiding the
        // 3 and its complement leaves 12 shown twice, which is safe.
        let second = Equation {
            total: 0,
            parts: vec![3],
        };
        let hidden = suppress(
            &cells(&[12, 3, 9, 12]),
            &[
                Equation {
                    total: 0,
                    parts: vec![1, 2],
                },
                second,
            ],
            5,
        )
        .unwrap_or_default();
        assert_eq!(
            hidden,
            vec![(1, Reason::BelowThreshold), (2, Reason::Complementary)]
        );
    }

    proptest! {
        #[test]
        fn no_hidden_cell_is_derivable_and_small_cells_are_hidden(
            parts in proptest::collection::vec(0u64..40, 1..8),
            more in proptest::collection::vec(0u64..40, 1..8),
            k in MIN_K..=MAX_K,
        ) {
            // Two tables sharing a grand total: total = sum(parts) = sum(more parts).
            let grand: u64 = parts.iter().sum();
            let scale = more.iter().sum::<u64>();
            let mut counts = vec![grand];
            counts.extend(parts.iter().copied());
            let first = 1..1 + parts.len();
            if scale == grand {
                counts.extend(more.iter().copied());
            }
            let table = cells(&counts);
            let mut equations = vec![Equation { total: 0, parts: first.clone().collect() }];
            if scale == grand {
                equations.push(Equation { total: 0, parts: (1 + parts.len()..counts.len()).collect() });
            }
            let hidden = suppress(&table, &equations, k).unwrap_or_default();
            let set: BTreeSet<usize> = hidden.iter().map(|(i, _)| *i).collect();
            for (i, c) in table.iter().enumerate() {
                if c.count > 0 && c.count < k {
                    prop_assert!(set.contains(&i), "cell {i} ({}) below {k} is shown", c.count);
                }
            }
            prop_assert_eq!(derivable(&equations, &set), None);
        }
    }
}
