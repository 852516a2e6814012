//! One CSV text into a [`Table`]: the header row, an optional HXL hashtag
//! row, then the records, which a large file has read by two threads.
//!
//! The second thread starts at a line end half-way through the text,
//! guessing that a record starts there; a newline inside a quoted field
//! would make that guess wrong. The first thread, reading from the top,
//! settles it: its records are the truth, and the second thread's are used
//! only when the first finds a record starting exactly where the second
//! began. Otherwise the first reads on to the end alone, and the result is
//! the same either way.

use std::sync::atomic::{AtomicBool, Ordering};

use csv_core::ReadRecordResult;

use super::rows::Rows;
use super::text;
use super::{Result, SubmissionError, Table};

/// Below this many bytes, one thread reads the whole text.
const SPLIT_FROM: usize = 1 << 20;

/// The UTF-8 byte-order mark, which a CSV reader skips at its start.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads one CSV text into a table (header row, optional HXL row, rows).
pub(crate) fn csv_table(
    place: &str,
    repeat: Option<String>,
    text: &str,
    delimiter: u8,
) -> Result<Table> {
    let two_threads = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let split = if two_threads && text.len() >= SPLIT_FROM {
        split_point(text.as_bytes())
    } else {
        None
    };
    read_table(place, repeat, text, delimiter, split)
}

/// A byte offset past a line end near the middle of `text`, where a record
/// probably starts (never at a byte-order mark, which a reader starting
/// there would skip).
fn split_point(bytes: &[u8]) -> Option<usize> {
    let half = bytes.len() / 2;
    let line_end = half + memchr::memchr(b'\n', &bytes[half..])?;
    let start = skip_line_ends(bytes, line_end);
    (start < bytes.len() && !bytes[start..].starts_with(BOM)).then_some(start)
}

/// The first byte from `at` on that is not a line end.
fn skip_line_ends(bytes: &[u8], at: usize) -> usize {
    let rest = bytes.get(at..).unwrap_or_default();
    at + rest
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count()
}

/// Reads the table, a second thread reading the records from byte `split`
/// on (if a record starts there).
fn read_table(
    place: &str,
    repeat: Option<String>,
    text: &str,
    delimiter: u8,
    split: Option<usize>,
) -> Result<Table> {
    let source = Source { place, text };
    let mut records = Records::new(text.as_bytes(), 0, delimiter);
    let mut header = Cells::with_room(0, 0);
    let count = records.next(&mut header).map_or(0, |(_, count)| count);
    let headers: Vec<String> = source
        .rows(header, count)?
        .get(0)
        .map(|row| row.iter().map(|h| h.trim().to_owned()).collect())
        .unwrap_or_default();
    let columns = headers.len();
    // Set when the second thread's records will not be used.
    let unused = AtomicBool::new(false);
    let (rows, lines, hxl) = std::thread::scope(|scope| -> Result<_> {
        let second = split.map(|at| {
            let unused = &unused;
            scope.spawn(move || source.records_from(at, delimiter, columns, unused))
        });
        let end = split.unwrap_or(text.len()).max(records.at);
        let mut cells = Cells::with_room(
            end - records.at,
            source.lines_between(records.at, end) * columns,
        );
        let mut lines = Vec::new();
        let hxl = source.first_row(&mut records, columns, &mut cells, &mut lines)?;
        let until = split.map_or(Until::End, Until::RecordAt);
        let stopped = source.read(&mut records, columns, until, &mut cells, &mut lines);
        if !matches!(stopped, Ok(true)) {
            unused.store(true, Ordering::Relaxed);
        }
        let rest = match (stopped?, second) {
            (true, Some(second)) => Some(
                second
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
            ),
            _ => None,
        };
        let mut rows = source.rows(cells, columns)?;
        if let Some((more, more_lines)) = rest {
            rows.append(more);
            lines.extend(more_lines);
        }
        Ok((rows, lines, hxl))
    })?;
    let table = Table {
        place: place.to_owned(),
        repeat,
        unit: "line",
        headers,
        hxl,
        rows,
        lines,
    };
    table.check_headers()?;
    Ok(table)
}

/// Where a reader of the text stops, short of its end.
#[derive(Clone, Copy)]
enum Until<'a> {
    /// At the end only.
    End,
    /// At a record starting at this byte, if there is one.
    RecordAt(usize),
    /// Soon after this is set (the records will not be used).
    Unused(&'a AtomicBool),
}

/// The cells read so far: their bytes, and where each ends.
struct Cells {
    /// Room for the cells; the first `used` bytes hold them.
    bytes: Vec<u8>,
    used: usize,
    /// Where each cell ends in `bytes`.
    ends: Vec<usize>,
}

impl Cells {
    /// Room for about `bytes` of cells and `cells` cells (a record's cells
    /// never take more bytes than the record's text).
    fn with_room(bytes: usize, cells: usize) -> Self {
        Cells {
            bytes: vec![0; bytes.max(64)],
            used: 0,
            ends: Vec::with_capacity(cells),
        }
    }

    /// Adds one cell.
    fn push(&mut self, cell: &[u8]) {
        let end = self.used + cell.len();
        if end > self.bytes.len() {
            self.bytes.resize(end.max(self.bytes.len() * 2), 0);
        }
        self.bytes[self.used..end].copy_from_slice(cell);
        self.used = end;
        self.ends.push(end);
    }

    /// How much is read, to go back to with [`Cells::truncate`].
    fn mark(&self) -> (usize, usize) {
        (self.used, self.ends.len())
    }

    fn truncate(&mut self, (used, ends): (usize, usize)) {
        self.used = used;
        self.ends.truncate(ends);
    }
}

/// The records of a CSV text, read from some byte on.
struct Records<'t> {
    reader: csv_core::Reader,
    bytes: &'t [u8],
    /// The next byte to read.
    at: usize,
    /// The cell ends of the record being read, counted from its first
    /// cell.
    record_ends: Vec<usize>,
    /// Whether the end of the text was reached.
    finished: bool,
}

impl<'t> Records<'t> {
    fn new(bytes: &'t [u8], at: usize, delimiter: u8) -> Self {
        Records {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            bytes,
            at,
            record_ends: vec![0; 64],
            finished: false,
        }
    }

    /// Reads the next record into `cells`; returns the byte where it starts
    /// (past line ends) and its number of cells, or `None` at the end.
    fn next(&mut self, cells: &mut Cells) -> Option<(usize, usize)> {
        if self.finished {
            return None;
        }
        let start = skip_line_ends(self.bytes, self.at);
        let first = cells.used;
        let mut count = 0;
        loop {
            let input = self.bytes.get(self.at..).unwrap_or_default();
            let (result, read, written, ended) = self.reader.read_record(
                input,
                &mut cells.bytes[cells.used..],
                &mut self.record_ends[count..],
            );
            self.at += read;
            cells.used += written;
            count += ended;
            match result {
                ReadRecordResult::InputEmpty if !input.is_empty() => {}
                ReadRecordResult::OutputFull => {
                    let room = cells.bytes.len() * 2;
                    cells.bytes.resize(room, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let room = self.record_ends.len() * 2;
                    self.record_ends.resize(room, 0);
                }
                ReadRecordResult::Record => {
                    let ends = self.record_ends[..count].iter().map(|end| first + end);
                    cells.ends.extend(ends);
                    return Some((start, count));
                }
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {
                    self.finished = true;
                    return None;
                }
            }
        }
    }
}

/// The text being read, and its name for errors.
#[derive(Clone, Copy)]
struct Source<'t> {
    place: &'t str,
    text: &'t str,
}

impl Source<'_> {
    /// Reads the records from byte `at` on, as a second thread does; stops
    /// early once `unused` is set.
    fn records_from(
        self,
        at: usize,
        delimiter: u8,
        columns: usize,
        unused: &AtomicBool,
    ) -> Result<(Rows, Vec<u64>)> {
        let mut records = Records::new(self.text.as_bytes(), at, delimiter);
        let end = self.text.len().max(at);
        let mut cells = Cells::with_room(end - at, self.lines_between(at, end) * columns);
        let mut lines = Vec::new();
        let until = Until::Unused(unused);
        self.read(&mut records, columns, until, &mut cells, &mut lines)?;
        Ok((self.rows(cells, columns)?, lines))
    }

    /// About how many records lie between two bytes: their line ends.
    fn lines_between(self, from: usize, to: usize) -> usize {
        let bytes = self.text.as_bytes().get(from..to).unwrap_or_default();
        memchr::memchr_iter(b'\n', bytes).count() + 1
    }

    /// Reads the first record after the header: an HXL hashtag row is
    /// returned, any other becomes the first row of `cells`.
    fn first_row(
        self,
        records: &mut Records<'_>,
        columns: usize,
        cells: &mut Cells,
        lines: &mut Vec<u64>,
    ) -> Result<Option<Vec<String>>> {
        let mut first = Cells::with_room(0, columns);
        let Some((start, count)) = records.next(&mut first) else {
            return Ok(None);
        };
        let line = Lines::from(self.text.as_bytes(), 0).line_at(start);
        self.check_width(count, columns, line)?;
        let first = self.rows(first, columns)?;
        let row: Vec<&str> = first.get(0).map(|r| r.iter().collect()).unwrap_or_default();
        if text::is_hxl_row(row.iter().copied()) {
            return Ok(Some(row.into_iter().map(str::to_owned).collect()));
        }
        for cell in row {
            cells.push(cell.as_bytes());
        }
        lines.push(line);
        Ok(None)
    }

    /// Reads records into `cells` (and their 1-based line numbers into
    /// `lines`), to the end or until `until` says; `true` when it stopped
    /// at the record starting where [`Until::RecordAt`] says, which is left
    /// out.
    fn read(
        self,
        records: &mut Records<'_>,
        columns: usize,
        mut until: Until<'_>,
        cells: &mut Cells,
        lines: &mut Vec<u64>,
    ) -> Result<bool> {
        let mut line_numbers = Lines::from(self.text.as_bytes(), records.at);
        loop {
            let mark = cells.mark();
            let Some((start, count)) = records.next(cells) else {
                return Ok(false);
            };
            match until {
                Until::RecordAt(at) if start == at => {
                    cells.truncate(mark);
                    return Ok(true);
                }
                // The guess was wrong: read on alone.
                Until::RecordAt(at) if start > at => until = Until::End,
                Until::Unused(unused)
                    if lines.len().is_multiple_of(1024) && unused.load(Ordering::Relaxed) =>
                {
                    return Ok(false);
                }
                _ => {}
            }
            let line = line_numbers.line_at(start);
            self.check_width(count, columns, line)?;
            lines.push(line);
        }
    }

    /// Refuses a record of the wrong length.
    fn check_width(self, count: usize, columns: usize, line: u64) -> Result<()> {
        if count == columns {
            return Ok(());
        }
        Err(SubmissionError::Csv {
            place: self.place.to_owned(),
            line,
            reason: format!("{count} fields where the header has {columns}"),
        })
    }

    /// The cells read, as rows of `columns` cells. (The cells are the
    /// text's bytes less some quotes, so always UTF-8 cut at characters.)
    /// Checked with SIMD and copied: on accented text that is several
    /// times faster than the standard check `String::from_utf8` makes.
    fn rows(self, cells: Cells, columns: usize) -> Result<Rows> {
        simdutf8::basic::from_utf8(&cells.bytes[..cells.used])
            .ok()
            .map(str::to_owned)
            .and_then(|text| Rows::from_parts(text, cells.ends, columns))
            .ok_or_else(|| SubmissionError::Csv {
                place: self.place.to_owned(),
                line: 0,
                reason: "invalid UTF-8".to_owned(),
            })
    }
}

/// Line numbers from byte offsets, counted forward (the `csv` reader's own
/// line count lags behind on `\r\n` line ends).
struct Lines<'t> {
    bytes: &'t [u8],
    /// Lines are counted up to here...
    counted_to: usize,
    /// ...where this line starts or goes on.
    line: u64,
}

impl<'t> Lines<'t> {
    /// A count that will be asked about offsets from `from` on.
    fn from(bytes: &'t [u8], from: usize) -> Self {
        let from = from.min(bytes.len());
        Lines {
            bytes,
            counted_to: from,
            line: 1 + memchr::memchr_iter(b'\n', &bytes[..from]).count() as u64,
        }
    }

    /// The line of the record at `byte` (line ends before it skipped).
    fn line_at(&mut self, byte: usize) -> u64 {
        let start = skip_line_ends(self.bytes, byte.min(self.bytes.len()).max(self.counted_to));
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.counted_to..start]).count() as u64;
        self.counted_to = start;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table, or the error's text.
    fn outcome(text: &str, split: Option<usize>) -> std::result::Result<Table, String> {
        read_table("t.csv", None, text, b';', split).map_err(|e| e.to_string())
    }

    /// The `csv` crate's reading of a text: its records as cells, and
    /// whether every record is as wide as the first (the header).
    fn csv_crate(text: &str) -> (Vec<Vec<String>>, bool) {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(str::to_owned).collect())
                    .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        let width = records.first().map_or(0, Vec::len);
        let even = records.iter().all(|r| r.len() == width);
        (records, even)
    }

    /// On thousands of small random texts full of quotes, delimiters,
    /// line ends and accents, the table holds exactly the records the
    /// `csv` crate reads, or is refused exactly when a record's width
    /// differs from the header's.
    #[test]
    fn records_are_those_the_csv_crate_reads() {
        let pieces = [
            "a", "é", "\"", "\"\"", ";", "\n", "\r\n", "\r", " ", "x y", "\u{feff}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let length = next() % 24;
            let text: String = (0..length)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let (records, even) = csv_crate(&text);
            match read_table("t.csv", None, &text, b';', None) {
                Ok(table) => {
                    assert!(even, "{text:?}");
                    let header: Vec<String> = records
                        .first()
                        .map(|h| h.iter().map(|c| c.trim().to_owned()).collect())
                        .unwrap_or_default();
                    assert_eq!(table.headers, header, "{text:?}");
                    let rows: Vec<Vec<String>> = table
                        .rows
                        .iter()
                        .map(|r| r.iter().map(str::to_owned).collect())
                        .collect();
                    assert_eq!(rows, records.get(1..).unwrap_or_default(), "{text:?}");
                }
                Err(SubmissionError::Csv { .. }) => assert!(!even, "{text:?}"),
                // Header problems (none, or a repeated name) are checked
                // after reading.
                Err(_) => {}
            }
        }
    }

    /// Wherever the second thread starts, even inside a quoted field, a
    /// line end or a character, the table (or the first error) is the one
    /// a single thread reads.
    #[test]
    fn a_second_thread_starting_anywhere_changes_nothing() {
        let good = "\"a\";\"b\";\"c\"\r\n\"#x\";\"\";\"#z\"\r\n\"1\";\"deux\nlignes\";\"3\"\r\n\r\n\
                    \"4\";\"dit \"\"non\"\"\";\"été\"\n\"7\";\"\n\";\"9\"\n10;11;12\n\"13\";\"\";\"\"\n";
        let wrong_length = format!("{good}\"x\";\"y\"\n\"15\";\"16\";\"17\"\n");
        let twice_wrong = wrong_length.replacen("\"4\";", "", 1);
        for text in [good, wrong_length.as_str(), twice_wrong.as_str()] {
            let alone = outcome(text, None);
            for at in 0..=text.len() + 1 {
                assert_eq!(outcome(text, Some(at)), alone, "second thread at {at}");
            }
        }
        let table = outcome(good, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.lines, [3, 6, 7, 9, 10]);
        assert_eq!(table.cell(0, 1), "deux\nlignes");
        assert_eq!(table.cell(1, 1), "dit \"non\"");
        assert!(table.hxl.is_some());
        assert_eq!(
            outcome(&wrong_length, None).err().as_deref(),
            Some("t.csv, line 11: 2 fields where the header has 3")
        );
        assert_eq!(
            outcome(&twice_wrong, None).err().as_deref(),
            Some("t.csv, line 6: 2 fields where the header has 3")
        );
    }

    #[test]
    fn a_large_text_is_split_at_a_record_start_near_its_middle() {
        let row = "\"1\";\"deux\";\"3\"\n";
        let text = format!(
            "\"a\";\"b\";\"c\"\n{}",
            row.repeat(SPLIT_FROM / row.len() + 1)
        );
        let at = split_point(text.as_bytes()).unwrap_or_default();
        assert!(at >= text.len() / 2 && at < text.len() / 2 + row.len());
        assert!(text[..at].ends_with('\n') && text[at..].starts_with(row));
        let table = csv_table("t.csv", None, &text, b';').unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.rows.len(), SPLIT_FROM / row.len() + 1);
        assert_eq!(
            table.lines.last().copied(),
            Some(table.rows.len() as u64 + 1)
        );
        assert_eq!(split_point(b"no line end"), None);
    }
}
