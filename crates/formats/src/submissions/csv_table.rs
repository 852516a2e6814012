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

use csv::StringRecord;

use super::text;
use super::{Result, SubmissionError, Table};

/// Below this many bytes, one thread reads the whole text.
const SPLIT_FROM: usize = 1 << 20;

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
/// probably starts.
fn split_point(bytes: &[u8]) -> Option<usize> {
    let half = bytes.len() / 2;
    let line_end = half + memchr::memchr(b'\n', &bytes[half..])?;
    let start = line_end
        + bytes[line_end..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
    (start < bytes.len()).then_some(start)
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
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| source.csv_error(0, e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let columns = headers.len();
    let mut rows = Rows::default();
    // Set when the second thread's records will not be used.
    let unused = AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<()> {
        let second = split.map(|at| {
            let unused = &unused;
            scope.spawn(move || source.records_from(at, delimiter, columns, unused))
        });
        let until = split.map_or(Until::End, Until::RecordAt);
        let stopped = source.read(&mut reader, 0, columns, until, &mut rows);
        if !matches!(stopped, Ok(true)) {
            unused.store(true, Ordering::Relaxed);
        }
        if let (true, Some(second)) = (stopped?, second) {
            let mut rest = second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            rows.rows.append(&mut rest.rows);
            rows.lines.append(&mut rest.lines);
        }
        Ok(())
    })?;
    let hxl = match rows.rows.first() {
        Some(first) if text::is_hxl_row(first.iter()) => {
            rows.lines.remove(0);
            Some(rows.rows.remove(0).iter().map(str::to_owned).collect())
        }
        _ => None,
    };
    let table = Table {
        place: place.to_owned(),
        repeat,
        unit: "line",
        headers,
        hxl,
        rows: rows.rows,
        lines: rows.lines,
    };
    table.check_headers()?;
    Ok(table)
}

/// Records read, with their 1-based line numbers.
#[derive(Default)]
struct Rows {
    rows: Vec<StringRecord>,
    lines: Vec<u64>,
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
    ) -> Result<Rows> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(self.text.as_bytes().get(at..).unwrap_or_default());
        let mut rows = Rows::default();
        self.read(&mut reader, at, columns, Until::Unused(unused), &mut rows)?;
        Ok(rows)
    }

    /// Reads the records of `reader` (whose offsets are `offset` bytes into
    /// the text) into `rows`, to the end or `until` says; `true` when it
    /// stopped at the record starting where [`Until::RecordAt`] says, which
    /// is left unread.
    fn read(
        self,
        reader: &mut csv::Reader<&[u8]>,
        offset: usize,
        columns: usize,
        mut until: Until<'_>,
        rows: &mut Rows,
    ) -> Result<bool> {
        let mut lines = Lines::from(self.text.as_bytes(), offset);
        let mut record = csv::ByteRecord::new();
        while reader
            .read_byte_record(&mut record)
            .map_err(|e| self.csv_error(offset, e))?
        {
            let start = offset + record.position().map_or(0, |p| p.byte() as usize);
            match until {
                Until::RecordAt(at) if start == at => return Ok(true),
                // The guess was wrong: read on alone.
                Until::RecordAt(at) if start > at => until = Until::End,
                Until::Unused(unused)
                    if rows.rows.len().is_multiple_of(1024) && unused.load(Ordering::Relaxed) =>
                {
                    break;
                }
                _ => {}
            }
            self.push(&record, lines.line_at(start), columns, rows)?;
        }
        Ok(false)
    }

    /// Adds one record as text, refusing one of the wrong length or not
    /// UTF-8.
    fn push(
        self,
        record: &csv::ByteRecord,
        line: u64,
        columns: usize,
        rows: &mut Rows,
    ) -> Result<()> {
        let refused = |reason: String| SubmissionError::Csv {
            place: self.place.to_owned(),
            line,
            reason,
        };
        if record.len() != columns {
            return Err(refused(format!(
                "{} fields where the header has {columns}",
                record.len()
            )));
        }
        let row = string_record(record).ok_or_else(|| refused("invalid UTF-8".to_owned()))?;
        rows.rows.push(row);
        rows.lines.push(line);
        Ok(())
    }

    /// A reading error, at its line (its offset is `offset` bytes into the
    /// text).
    fn csv_error(self, offset: usize, e: csv::Error) -> SubmissionError {
        let line = e.position().map_or(0, |p| {
            Lines::from(self.text.as_bytes(), 0).line_at(offset + p.byte() as usize)
        });
        let reason = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8",
            _ => "malformed CSV",
        };
        SubmissionError::Csv {
            place: self.place.to_owned(),
            line,
            reason: reason.to_owned(),
        }
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
        let mut start = byte.min(self.bytes.len()).max(self.counted_to);
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.counted_to..start]).count() as u64;
        self.counted_to = start;
        self.line
    }
}

/// A record's fields as text: one UTF-8 check of the whole record (the
/// `csv` crate's own text records check field by field, much slower on
/// short fields), then each field sliced from it. `None` if the record is
/// not UTF-8.
fn string_record(record: &csv::ByteRecord) -> Option<StringRecord> {
    let text = std::str::from_utf8(record.as_slice()).ok()?;
    let mut row = StringRecord::with_capacity(text.len(), record.len());
    for i in 0..record.len() {
        row.push_field(text.get(record.range(i)?)?);
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_text_field_by_field() {
        let fields: [&[u8]; 4] = [b"\xc3\xa9t\xc3\xa9", b"", b"a\"b", b"z"];
        let record = csv::ByteRecord::from(fields.to_vec());
        let row = string_record(&record);
        assert_eq!(
            row.as_ref().map(|r| r.iter().collect::<Vec<_>>()),
            Some(vec!["été", "", "a\"b", "z"])
        );
        let broken: [&[u8]; 2] = [b"ok", b"\xc3"];
        assert_eq!(string_record(&csv::ByteRecord::from(broken.to_vec())), None);
    }

    /// The table, or the error's text.
    fn outcome(text: &str, split: Option<usize>) -> std::result::Result<Table, String> {
        read_table("t.csv", None, text, b';', split).map_err(|e| e.to_string())
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
