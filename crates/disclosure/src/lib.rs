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

pub mod fold;
pub mod quotes;
pub mod report;
pub mod rules;

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
    /// At or above `k`, but the complete count of a tiny real population
    /// (see [`rules::complete_count_of_tiny_group`]).
    TinyPopulation,
    /// A zero in the same breakdown as a cell hidden for its own sake:
    /// shown, it would say that everyone counted there falls in the hidden
    /// cell's category ("all who said it are women"), which is what hiding
    /// the small count was for. Published as `<k` like a small count, which
    /// is true of a zero and does not tell the two apart.
    RevealingZero,
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
/// (totals would give most of them back), and a hidden zero is never
/// chosen as a complement, since it protects nothing. Tables without
/// totals hide revealing zeros too: see [`suppress_groups`].
///
/// Safety is checked over the whole system of equations, not one equation
/// at a time: a hidden cell must not be the solution of any combination of
/// published equations (the margins of a two-way table give back a single
/// hidden interior cell even when each row has two hidden cells).
pub fn suppress(
    cells: &[Cell],
    equations: &[Equation],
    k: u64,
) -> Result<Vec<(usize, Reason)>, InvalidThreshold> {
    suppress_with(cells, equations, k, &[])
}

/// [`suppress`], with more cells to hide from the start (by index, with
/// their reason), such as complete counts of tiny populations.
pub fn suppress_with(
    cells: &[Cell],
    equations: &[Equation],
    k: u64,
    primary: &[(usize, Reason)],
) -> Result<Vec<(usize, Reason)>, InvalidThreshold> {
    Ok(listed(hidden_cells(cells, equations, k, primary)?))
}

/// The hidden cells as [`suppress_with`] chooses them: each cell's reason,
/// `None` when shown.
fn hidden_cells(
    cells: &[Cell],
    equations: &[Equation],
    k: u64,
    primary: &[(usize, Reason)],
) -> Result<Vec<Option<Reason>>, InvalidThreshold> {
    check_threshold(k)?;
    let mut hidden: Vec<Option<Reason>> = cells
        .iter()
        .map(|c| (c.count > 0 && c.count < k).then_some(Reason::BelowThreshold))
        .collect();
    for (i, reason) in primary {
        if let Some(slot) = hidden.get_mut(*i) {
            slot.get_or_insert(*reason);
        }
    }
    loop {
        single_equation_complements(cells, equations, &mut hidden);
        let set: BTreeSet<usize> = hidden
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|_| i))
            .collect();
        let Some(exposed) = derivable(equations, &set) else {
            break;
        };
        // Hide one more cell next to the exposed one: the smallest shown
        // positive cell of an equation it takes part in, else of any
        // equation that holds a hidden cell.
        let touching = |eq: &&Equation, cell: Option<usize>| {
            let mut all = std::iter::once(eq.total).chain(eq.parts.iter().copied());
            match cell {
                Some(c) => all.any(|i| i == c),
                None => all.any(|i| hidden[i].is_some()),
            }
        };
        let candidate = |cell: Option<usize>| {
            equations
                .iter()
                .filter(|eq| touching(eq, cell))
                .flat_map(|eq| std::iter::once(eq.total).chain(eq.parts.iter().copied()))
                .filter(|i| hidden[*i].is_none() && cells[*i].count > 0)
                .min_by_key(|i| (cells[*i].count, *i))
        };
        match candidate(Some(exposed)).or_else(|| candidate(None)) {
            Some(i) => hidden[i] = Some(Reason::Complementary),
            None => break,
        }
    }
    Ok(hidden)
}

/// The hidden cells by index, with their reasons.
fn listed(hidden: Vec<Option<Reason>>) -> Vec<(usize, Reason)> {
    hidden
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (i, r)))
        .collect()
}

/// [`suppress`] for a table without totals whose cells fall in breakdowns
/// (`groups`: the cells of each, by index, such as the cells of one row of
/// a code-by-attribute matrix): the threshold rule, then the zeros of each
/// breakdown that holds a hidden cell ([`Reason::RevealingZero`]).
pub fn suppress_groups(
    cells: &[Cell],
    groups: &[&[usize]],
    k: u64,
) -> Result<Vec<(usize, Reason)>, InvalidThreshold> {
    let mut hidden = hidden_cells(cells, &[], k, &[])?;
    hide_zeros_beside_primary(cells, groups, &mut hidden);
    Ok(listed(hidden))
}

/// Hides the shown zeros of every group that holds a cell hidden for its
/// own sake (below the threshold, or a tiny population's complete count).
/// Done last: a hidden zero protects no other cell (anyone may guess it is
/// zero), so it must not stand in for a complement.
fn hide_zeros_beside_primary(cells: &[Cell], groups: &[&[usize]], hidden: &mut [Option<Reason>]) {
    for group in groups {
        let primary = group.iter().any(|i| {
            matches!(
                hidden[*i],
                Some(Reason::BelowThreshold | Reason::TinyPopulation)
            )
        });
        if primary {
            for i in group.iter().copied() {
                if cells[i].count == 0 && hidden[i].is_none() {
                    hidden[i] = Some(Reason::RevealingZero);
                }
            }
        }
    }
}

/// Refuses a threshold outside `MIN_K..=MAX_K`.
pub fn check_threshold(k: u64) -> Result<(), InvalidThreshold> {
    if (MIN_K..=MAX_K).contains(&k) {
        Ok(())
    } else {
        Err(InvalidThreshold(k))
    }
}

/// The fast, local pass: repeats until, in every equation, a hidden cell
/// has company (the total hidden or another part hidden).
fn single_equation_complements(
    cells: &[Cell],
    equations: &[Equation],
    hidden: &mut [Option<Reason>],
) {
    loop {
        let mut changed = false;
        for eq in equations {
            let hidden_parts = eq.parts.iter().filter(|p| hidden[**p].is_some()).count();
            let total_hidden = hidden[eq.total].is_some();
            if total_hidden && hidden_parts == 0 {
                // A hidden total with every part shown is its parts' sum:
                // hide the smallest part too.
                if let Some(p) = smallest(cells, hidden, &eq.parts) {
                    hidden[p] = Some(Reason::Complementary);
                    changed = true;
                }
                continue;
            }
            if hidden_parts == 1 && !total_hidden {
                match smallest(cells, hidden, &eq.parts) {
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
}

/// The smallest positive shown part (ties: the first), as a complement.
fn smallest(cells: &[Cell], hidden: &[Option<Reason>], parts: &[usize]) -> Option<usize> {
    parts
        .iter()
        .copied()
        .filter(|p| hidden[*p].is_none() && cells[*p].count > 0)
        .min_by_key(|p| (cells[*p].count, *p))
}

/// A hidden cell that the published cells and equations determine exactly
/// (the first by index), if any. The equations restricted to the hidden
/// cells form a linear system; a hidden cell is determined when its unit
/// vector lies in the system's row space, which Gauss-Jordan elimination
/// shows as a reduced row holding that cell alone. Coefficients are small
/// integers, so exact rational arithmetic on `i128` is used.
pub fn derivable(equations: &[Equation], hidden: &BTreeSet<usize>) -> Option<usize> {
    let columns: Vec<usize> = hidden.iter().copied().collect();
    let column_of = |cell: usize| columns.binary_search(&cell).ok();
    let mut rows: Vec<Vec<Ratio>> = equations
        .iter()
        .map(|eq| {
            let mut row = vec![Ratio::ZERO; columns.len()];
            if let Some(c) = column_of(eq.total) {
                row[c] = row[c].add(Ratio::ONE);
            }
            for p in &eq.parts {
                if let Some(c) = column_of(*p) {
                    row[c] = row[c].sub(Ratio::ONE);
                }
            }
            row
        })
        .filter(|row| row.iter().any(|x| !x.is_zero()))
        .collect();
    // Gauss-Jordan elimination to reduced row echelon form.
    let mut pivot_row = 0;
    let mut pivots = Vec::new();
    for col in 0..columns.len() {
        let Some(found) = (pivot_row..rows.len()).find(|r| !rows[*r][col].is_zero()) else {
            continue;
        };
        rows.swap(pivot_row, found);
        let lead = rows[pivot_row][col];
        for x in rows[pivot_row].iter_mut() {
            *x = x.div(lead);
        }
        let pivot = rows[pivot_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != pivot_row && !row[col].is_zero() {
                let factor = row[col];
                for (x, p) in row.iter_mut().zip(&pivot) {
                    *x = x.sub(p.mul(factor));
                }
            }
        }
        pivots.push((pivot_row, col));
        pivot_row += 1;
        if pivot_row == rows.len() {
            break;
        }
    }
    pivots
        .into_iter()
        .find(|(r, col)| {
            rows[*r]
                .iter()
                .enumerate()
                .all(|(c, x)| c == *col || x.is_zero())
        })
        .map(|(_, col)| columns[col])
}

/// An exact fraction, always reduced, with a positive denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    const ZERO: Ratio = Ratio { num: 0, den: 1 };
    const ONE: Ratio = Ratio { num: 1, den: 1 };

    fn new(num: i128, den: i128) -> Ratio {
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
        let sign = if den < 0 { -1 } else { 1 };
        Ratio {
            num: sign * num / g,
            den: sign * den / g,
        }
    }
    fn is_zero(self) -> bool {
        self.num == 0
    }
    fn add(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den + o.num * self.den, self.den * o.den)
    }
    fn sub(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den - o.num * self.den, self.den * o.den)
    }
    fn mul(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.num, self.den * o.den)
    }
    fn div(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den, self.den * o.num)
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
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
    fn zeros_beside_a_small_count_are_hidden_in_its_breakdown_only() {
        // Two rows of a matrix without totals: women, men, unattributed.
        // Row one: 3 women said it and no man: shown, the zero would say
        // that all who said it are women. Row two has nothing small: its
        // zero stays. (`suppress` alone shows every zero.)
        let table = cells(&[3, 0, 0, 7, 0, 6]);
        assert_eq!(
            suppress(&table, &[], 5).unwrap_or_default(),
            vec![(0, Reason::BelowThreshold)]
        );
        let rows: [&[usize]; 2] = [&[0, 1, 2], &[3, 4, 5]];
        let hidden = suppress_groups(&table, &rows, 5).unwrap_or_default();
        assert_eq!(
            hidden,
            vec![
                (0, Reason::BelowThreshold),
                (1, Reason::RevealingZero),
                (2, Reason::RevealingZero)
            ]
        );
        assert!(suppress_groups(&table, &rows, 2).is_err());
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

    /// A rows × columns table with its row and column margins and grand
    /// total, as cells and equations (interior first, then margins).
    fn two_way(interior: &[Vec<u64>]) -> (Vec<Cell>, Vec<Equation>) {
        let rows = interior.len();
        let cols = interior.first().map_or(0, Vec::len);
        let mut counts: Vec<u64> = interior.iter().flatten().copied().collect();
        let row_total = |r: usize| interior[r].iter().sum::<u64>();
        let col_total = |c: usize| interior.iter().map(|row| row[c]).sum::<u64>();
        counts.extend((0..rows).map(row_total));
        counts.extend((0..cols).map(col_total));
        counts.push((0..rows).map(row_total).sum());
        let cell = |r: usize, c: usize| r * cols + c;
        let row_margin = |r: usize| rows * cols + r;
        let col_margin = |c: usize| rows * cols + rows + c;
        let grand = rows * cols + rows + cols;
        let mut equations: Vec<Equation> = (0..rows)
            .map(|r| Equation {
                total: row_margin(r),
                parts: (0..cols).map(|c| cell(r, c)).collect(),
            })
            .collect();
        equations.extend((0..cols).map(|c| Equation {
            total: col_margin(c),
            parts: (0..rows).map(|r| cell(r, c)).collect(),
        }));
        equations.push(Equation {
            total: grand,
            parts: (0..rows).map(row_margin).collect(),
        });
        equations.push(Equation {
            total: grand,
            parts: (0..cols).map(col_margin).collect(),
        });
        (cells(&counts), equations)
    }

    #[test]
    fn margins_of_a_two_way_table_are_checked_together() {
        // Hiding a 2×2 block is the textbook safe pattern; hiding three
        // cells of it is not: the margins give the three back.
        let interior = vec![vec![3, 20, 30], vec![4, 25, 35], vec![40, 50, 60]];
        let (table, equations) = two_way(&interior);
        let unsafe_set: BTreeSet<usize> = [0, 1, 3].into_iter().collect();
        assert!(derivable(&equations, &unsafe_set).is_some());
        let block: BTreeSet<usize> = [0, 1, 3, 4].into_iter().collect();
        assert_eq!(derivable(&equations, &block), None);
        let hidden = suppress(&table, &equations, 5).unwrap_or_default();
        let set: BTreeSet<usize> = hidden.iter().map(|(i, _)| *i).collect();
        assert!(set.contains(&0) && set.contains(&3));
        assert_eq!(derivable(&equations, &set), None);
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

        #[test]
        fn two_way_tables_with_margins_give_nothing_back(
            rows in 1usize..5,
            cols in 1usize..5,
            counts in proptest::collection::vec(0u64..30, 16),
            k in MIN_K..=MAX_K,
        ) {
            let interior: Vec<Vec<u64>> = (0..rows)
                .map(|r| (0..cols).map(|c| counts[r * 4 + c]).collect())
                .collect();
            let (table, equations) = two_way(&interior);
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
