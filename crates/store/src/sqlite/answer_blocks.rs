//! Answers of submissions stored in blocks (migration 0016): the answers
//! of up to [`BLOCK_SLOTS`] consecutive submissions, each written as its
//! byte length, `:` and its pairs text, compressed together with LZ4.
//! Question paths repeat in every submission and compress away, so a large
//! import encrypts and writes far fewer pages.

use std::ops::Range;

use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// Most submissions in one block: large enough for paths to compress away,
/// small enough that reading one submission decompresses little.
pub(super) const BLOCK_SLOTS: usize = 256;

/// Most uncompressed bytes in one block (long text answers fill it early).
const BLOCK_BYTES: usize = 1 << 20;

/// Marks a block whose text is stored as is (blocks made by the migration).
const RAW: u8 = b'r';
/// Marks a block whose text is LZ4-compressed, its size prepended.
const LZ4: u8 = b'l';

/// Gathers the answers of consecutive submissions into one block.
#[derive(Default)]
pub(super) struct BlockWriter {
    text: Vec<u8>,
    slots: usize,
}

impl BlockWriter {
    /// Adds one submission's stored answers; returns its slot.
    pub(super) fn push(&mut self, answers: &str) -> usize {
        self.text
            .extend_from_slice(answers.len().to_string().as_bytes());
        self.text.push(b':');
        self.text.extend_from_slice(answers.as_bytes());
        self.slots += 1;
        self.slots - 1
    }

    /// The stored form of the block and its number of slots; the writer
    /// starts a new one.
    pub(super) fn finish(&mut self) -> (Vec<u8>, usize) {
        let mut data = vec![LZ4];
        data.extend_from_slice(&lz4_flex::block::compress_prepend_size(&self.text));
        self.text.clear();
        (data, std::mem::take(&mut self.slots))
    }
}

/// How consecutive submissions whose answers take these many bytes are
/// gathered into blocks: the slots of each block, in order. A block ends
/// at [`BLOCK_SLOTS`] submissions, or once its text reaches
/// [`BLOCK_BYTES`] (long text answers fill it early). Known before any is
/// compressed, so that several threads can compress them.
pub(super) fn block_ranges(lengths: impl IntoIterator<Item = usize>) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut end, mut bytes) = (0, 0, 0);
    for len in lengths {
        // As [`BlockWriter::push`] writes it: the length, `:`, the answers.
        bytes += len.checked_ilog10().map_or(1, |d| d as usize + 1) + 1 + len;
        end += 1;
        if end - start >= BLOCK_SLOTS || bytes >= BLOCK_BYTES {
            ranges.push(start..end);
            (start, bytes) = (end, 0);
        }
    }
    if end > start {
        ranges.push(start..end);
    }
    ranges
}

/// Reads answers out of stored blocks, keeping the last block read
/// decoded: submissions are read in id order, so most reads hit it.
#[derive(Default)]
pub(super) struct BlockReader {
    block: Option<i64>,
    text: String,
    slots: Vec<Range<usize>>,
}

impl BlockReader {
    /// The stored answers text of a slot of a block.
    pub(super) fn answers(&mut self, conn: &Connection, block: i64, slot: i64) -> Result<&str> {
        if self.block != Some(block) {
            self.block = None;
            (self.text, self.slots) = load(conn, block)?;
            self.block = Some(block);
        }
        usize::try_from(slot)
            .ok()
            .and_then(|s| self.slots.get(s))
            .and_then(|range| self.text.get(range.clone()))
            .ok_or_else(|| damaged(block))
    }
}

/// Empties the answers in some slots of a stored block (a withdrawn
/// participant's), rewriting it; the other slots keep theirs.
pub(super) fn empty_slots(conn: &Connection, block: i64, emptied: &[i64]) -> Result<()> {
    let (text, ranges) = load(conn, block)?;
    let mut writer = BlockWriter::default();
    for (slot, range) in (0..).zip(ranges) {
        writer.push(if emptied.contains(&slot) {
            ""
        } else {
            &text[range]
        });
    }
    conn.execute(
        "UPDATE answer_blocks SET data = ?2 WHERE id = ?1",
        rusqlite::params![block, writer.finish().0],
    )?;
    Ok(())
}

/// A stored block's text and the byte range of each slot in it.
fn load(conn: &Connection, block: i64) -> Result<(String, Vec<Range<usize>>)> {
    let data: Vec<u8> = conn
        .prepare_cached("SELECT data FROM answer_blocks WHERE id = ?1")?
        .query_row([block], |r| r.get(0))?;
    let text = decode(&data).ok_or_else(|| damaged(block))?;
    let ranges = slots(&text).ok_or_else(|| damaged(block))?;
    Ok((text, ranges))
}

fn damaged(block: i64) -> StoreError {
    StoreError::Stored {
        what: "answers block",
        detail: format!("block {block} is damaged"),
    }
}

/// The text of a stored block.
fn decode(data: &[u8]) -> Option<String> {
    let text = match data.split_first()? {
        (&RAW, rest) => rest.to_vec(),
        (&LZ4, rest) => lz4_flex::block::decompress_size_prepended(rest).ok()?,
        _ => return None,
    };
    String::from_utf8(text).ok()
}

/// The byte range of each slot's answers in a block's text.
fn slots(text: &str) -> Option<Vec<Range<usize>>> {
    let mut slots = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let colon = at + text[at..].find(':')?;
        let len: usize = text[at..colon].parse().ok()?;
        let end = colon.checked_add(1)?.checked_add(len)?;
        text.get(colon + 1..end)?;
        slots.push(colon + 1..end);
        at = end;
    }
    Some(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_and_damage_is_refused() {
        let mut writer = BlockWriter::default();
        let answers = ["2:/a1:x", "", "3:/é10:2:ab 12:3"];
        for (i, a) in answers.iter().enumerate() {
            assert_eq!(writer.push(a), i);
        }
        let (data, count) = writer.finish();
        assert_eq!(count, answers.len());
        assert_eq!(writer.finish().1, 0, "a new block starts empty");
        let text = decode(&data).unwrap_or_default();
        let read: Vec<&str> = slots(&text)
            .unwrap_or_default()
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(read, answers);
        assert_eq!(decode(b"r4:abcd").as_deref(), Some("4:abcd"));
        assert!(decode(b"x4:abcd").is_none());
        assert!(decode(&data[..data.len() - 2]).is_none());
        // A length past the end, or through the middle of a character.
        assert!(slots("9:abc").is_none());
        assert!(slots("1:é").is_none());
        assert!(slots("a:b").is_none());
    }

    #[test]
    fn blocks_end_at_their_slot_or_byte_limit() {
        assert!(block_ranges([]).is_empty());
        assert_eq!(block_ranges([0; 3]), [Range { start: 0, end: 3 }]);
        assert_eq!(
            block_ranges([5; BLOCK_SLOTS * 2 + 1]),
            [
                0..BLOCK_SLOTS,
                BLOCK_SLOTS..BLOCK_SLOTS * 2,
                BLOCK_SLOTS * 2..BLOCK_SLOTS * 2 + 1
            ]
        );
        // The byte limit counts what the writer writes: a long answer ends
        // its block, and the limit is reached exactly.
        assert_eq!(block_ranges([1, BLOCK_BYTES, 1]), [0..2, 2..3]);
        let mut writer = BlockWriter::default();
        writer.push(&"x".repeat(999));
        let exact = BLOCK_BYTES - writer.text.len() - "1000000:".len();
        assert_eq!(block_ranges([999, exact, 1]), [0..2, 2..3]);
        assert_eq!(
            block_ranges([999, exact - 1, 1]),
            [Range { start: 0, end: 3 }]
        );
    }
}
