//! The data rows of a [`Table`](super::Table): every cell's text in one
//! buffer, every row exactly as wide as the header. A large export's
//! hundred thousand rows are then two allocations, not two per row.

/// Rows of text cells, each row `columns` cells wide.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// The rows in consecutive parts (two threads read a large CSV in two
    /// parts, kept as they are rather than copied together).
    parts: Vec<Part>,
    /// Cells per row.
    columns: usize,
}

/// Consecutive rows: their cells' text, and where each cell ends in it.
#[derive(Debug, Clone, Default)]
struct Part {
    text: String,
    ends: Vec<usize>,
}

impl Rows {
    /// No rows yet, each to be `columns` cells wide.
    pub fn new(columns: usize) -> Self {
        Rows {
            parts: Vec::new(),
            columns,
        }
    }

    /// Rows from their cells' text and the end of each cell in it (row
    /// after row); `None` unless the ends rise within the text and fill
    /// whole rows. (A cell not on character boundaries reads as absent.)
    pub(crate) fn from_parts(text: String, ends: Vec<usize>, columns: usize) -> Option<Self> {
        let whole_rows = if columns == 0 {
            ends.is_empty()
        } else {
            ends.len().is_multiple_of(columns)
        };
        let rising = ends.windows(2).all(|w| w[0] <= w[1]);
        let within = ends.last().is_none_or(|end| *end <= text.len());
        (whole_rows && rising && within).then(|| Rows {
            parts: vec![Part { text, ends }],
            columns,
        })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| self.rows_in(p)).sum()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn rows_in(&self, part: &Part) -> usize {
        part.ends.len().checked_div(self.columns).unwrap_or(0)
    }

    /// One row.
    pub fn get(&self, mut row: usize) -> Option<Row<'_>> {
        for part in &self.parts {
            let rows = self.rows_in(part);
            if row >= rows {
                row -= rows;
                continue;
            }
            let first = row * self.columns;
            let start = match first {
                0 => 0,
                _ => part.ends[first - 1],
            };
            return Some(Row {
                text: &part.text,
                start,
                ends: &part.ends[first..first + self.columns],
            });
        }
        None
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.parts.iter().flat_map(move |part| {
            part.ends
                .chunks_exact(self.columns.max(1))
                .scan(0, move |start, ends| {
                    let row = Row {
                        text: &part.text,
                        start: *start,
                        ends,
                    };
                    *start = ends.last().copied().unwrap_or(*start);
                    Some(row)
                })
        })
    }

    /// Adds a row: its cells cut or padded with empty ones to the width.
    pub fn push<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        if self.parts.is_empty() {
            self.parts.push(Part::default());
        }
        let columns = self.columns;
        let Some(part) = self.parts.last_mut() else {
            return;
        };
        let mut added = 0;
        for cell in cells.into_iter().take(columns) {
            part.text.push_str(cell.as_ref());
            part.ends.push(part.text.len());
            added += 1;
        }
        for _ in added..columns {
            part.ends.push(part.text.len());
        }
    }

    /// Adds the rows of another table of the same width after these.
    pub(crate) fn append(&mut self, other: Rows) {
        debug_assert_eq!(self.columns, other.columns);
        self.parts.extend(other.parts);
    }

    /// Keeps only the rows for which `keep(row index)` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut kept = Rows::new(self.columns);
        for (index, row) in self.iter().enumerate() {
            if keep(index) {
                kept.push(row.iter());
            }
        }
        *self = kept;
    }
}

/// Equal when they hold the same cells, however they are held.
impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.columns == other.columns
            && self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| a.iter().eq(b.iter()))
    }
}

impl Eq for Rows {}

/// One row of [`Rows`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    /// Where the row's first cell starts in `text`.
    start: usize,
    /// Where each of its cells ends.
    ends: &'a [usize],
}

impl<'a> Row<'a> {
    /// The cell in a column.
    pub fn get(&self, column: usize) -> Option<&'a str> {
        let end = *self.ends.get(column)?;
        let start = match column {
            0 => self.start,
            _ => self.ends[column - 1],
        };
        self.text.get(start..end)
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cell.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of all its cells together.
    pub fn text_len(&self) -> usize {
        self.ends.last().map_or(0, |end| end - self.start)
    }

    /// Its cells, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let row = *self;
        (0..row.len()).filter_map(move |c| row.get(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &Rows) -> Vec<Vec<&str>> {
        rows.iter().map(|r| r.iter().collect()).collect()
    }

    #[test]
    fn rows_keep_their_cells_and_width() {
        let mut rows = Rows::new(3);
        rows.push(["a", "été", ""]);
        rows.push(["b"]);
        rows.push(["c", "d", "e", "cut"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            cells(&rows),
            [vec!["a", "été", ""], vec!["b", "", ""], vec!["c", "d", "e"]]
        );
        assert_eq!(rows.get(0).map(|r| r.text_len()), Some(6));
        assert_eq!(rows.get(2).and_then(|r| r.get(2)), Some("e"));
        assert!(rows.get(3).is_none());
        assert!(rows.get(1).and_then(|r| r.get(3)).is_none());

        let mut more = Rows::new(3);
        more.push(["x", "y", "z"]);
        more.push(["w", "v", "u"]);
        let mut whole = rows.clone();
        rows.append(more);
        assert_eq!(
            rows.get(3).map(|r| r.iter().collect()),
            Some(vec!["x", "y", "z"])
        );
        assert_eq!(rows.get(4).and_then(|r| r.get(0)), Some("w"));
        assert_eq!(rows.iter().count(), 5);
        // The same cells held in one part or two are equal.
        whole.push(["x", "y", "z"]);
        assert_ne!(whole, rows);
        whole.push(["w", "v", "u"]);
        assert_eq!(whole, rows);
        rows.retain(|row| row % 2 == 1 || row == 4);
        assert_eq!(
            cells(&rows),
            [vec!["b", "", ""], vec!["x", "y", "z"], vec!["w", "v", "u"]]
        );
    }

    #[test]
    fn parts_must_make_whole_rows_inside_the_text() {
        let text = || "abcdé".to_owned();
        assert!(Rows::from_parts(text(), vec![1, 3, 3, 6], 2).is_some());
        // Not whole rows, falling, past the end.
        assert!(Rows::from_parts(text(), vec![1, 3, 3], 2).is_none());
        assert!(Rows::from_parts(text(), vec![3, 1], 2).is_none());
        assert!(Rows::from_parts(text(), vec![1, 9], 2).is_none());
        // A cell cut inside a character reads as absent.
        let cut = Rows::from_parts(text(), vec![1, 5], 2);
        assert_eq!(
            cut.as_ref().and_then(|r| r.get(0)).and_then(|r| r.get(1)),
            None
        );
        assert_eq!(
            Rows::from_parts(String::new(), Vec::new(), 0).map(|r| r.len()),
            Some(0)
        );
        assert!(Rows::new(0).is_empty());
    }
}
