//! A guard in front of the spreadsheet library for legacy `.xls` files
//! (Microsoft's Compound File Binary format).
//!
//! A CFB file stores its streams as chains of sectors linked by a table
//! (the FAT). calamine follows those chains without noticing a loop, so a
//! crafted 5 KB file makes it allocate until memory runs out (found by the
//! `xlsform` fuzz target). [`check`] walks the table first and refuses a
//! file whose chains loop or point outside the file. calamine also reserves
//! memory for as many cells as a sheet's DIMENSIONS record claims (a 5 KB
//! file can claim trillions): [`check`] reads the workbook stream's records
//! first and refuses a sheet claiming more than [`MAX_CELLS`], or a cell
//! beyond the 256th column (calamine lays a sheet out densely, so one cell
//! at column 60,000 costs gigabytes).

/// The first eight bytes of every CFB file.
pub const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Special FAT values (everything at or above `MAX_REGULAR` ends a chain or
/// marks a sector that is not part of one).
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
/// The most cells a sheet may claim: the BIFF8 maximum, 65,536 rows × 256
/// columns (anything more is a damaged or hostile file).
pub const MAX_CELLS: u64 = 65_536 * 256;
/// BIFF record type of a sheet's DIMENSIONS.
const DIMENSIONS: u16 = 0x0200;
/// BIFF record type of BOUNDSHEET: a sheet's name and its offset in the
/// workbook stream.
const BOUNDSHEET: u16 = 0x0085;
/// The most sheets a workbook may list (an XLSForm has a handful).
const MAX_SHEETS: usize = 256;
/// BIFF record types of cells: each starts with the cell's row and column
/// (FORMULA, BLANK, NUMBER, LABEL, BOOLERR, RSTRING, LABELSST, RK), and
/// the two holding a run of cells also end with the run's last column
/// (MULRK, MULBLANK).
const CELLS: [u16; 8] = [
    0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x00D6, 0x00FD, 0x027E,
];
const CELL_RUNS: [u16; 2] = [0x00BD, 0x00BE];
/// BIFF8 sheets have 256 columns.
const MAX_COLUMN: u32 = 255;
/// Streams shorter than this are stored in 64-byte mini sectors.
const MINI_STREAM_CUTOFF: usize = 4096;
/// Header size, and the number of DIFAT entries it holds.
const HEADER: usize = 512;
const HEADER_DIFAT_ENTRIES: usize = 109;

/// Checks the sector tables of a CFB file: a readable header, a DIFAT and
/// FAT inside the file, and no chain that loops or leaves the file. The
/// error says what is wrong, in English, without the file's contents.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < HEADER || bytes[..8] != MAGIC {
        return Err("not a compound file (no CFB header)".into());
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let sector_size = match u16_at(0x1E) {
        9 => 512,
        12 => 4096,
        shift => return Err(format!("unsupported sector size 2^{shift}")),
    };
    let sectors = (bytes.len() - HEADER).div_ceil(sector_size);
    let sector = |id: u32| -> Result<&[u8], String> {
        let start = usize::try_from(id)
            .ok()
            .filter(|id| *id < sectors)
            .map(|id| HEADER + id * sector_size)
            .ok_or_else(|| format!("sector {id} lies past the end of the file"))?;
        Ok(&bytes[start..(start + sector_size).min(bytes.len())])
    };
    let words = |data: &[u8]| -> Vec<u32> {
        data.chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect()
    };

    // The DIFAT lists the FAT's sectors: 109 entries in the header, then a
    // chain of DIFAT sectors whose last word points to the next one.
    let mut fat_sectors = words(&bytes[0x4C..0x4C + 4 * HEADER_DIFAT_ENTRIES]);
    let mut next = u32::from_le_bytes([bytes[0x44], bytes[0x45], bytes[0x46], bytes[0x47]]);
    let mut steps = 0;
    while next <= MAX_REGULAR {
        steps += 1;
        if steps > sectors {
            return Err("the DIFAT chain loops".into());
        }
        let mut entries = words(sector(next)?);
        next = entries.pop().unwrap_or(u32::MAX);
        fat_sectors.extend(entries);
    }
    let mut fat = Vec::new();
    for id in fat_sectors.into_iter().filter(|id| *id <= MAX_REGULAR) {
        fat.extend(words(sector(id)?));
    }

    // Every chain must end: the FAT, seen as "sector → next sector", may
    // hold no cycle. Iterative colouring, O(sectors).
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![0u8; fat.len()];
    let mut path = Vec::new();
    for start in 0..fat.len() {
        let mut at = start;
        loop {
            match state[at] {
                DONE => break,
                ON_PATH => return Err(format!("the sector chain through sector {at} loops")),
                _ => {}
            }
            state[at] = ON_PATH;
            path.push(at);
            let next = fat[at];
            if next > MAX_REGULAR {
                break;
            }
            at = usize::try_from(next)
                .ok()
                .filter(|next| *next < fat.len())
                .ok_or_else(|| format!("sector {at} links to missing sector {next}"))?;
        }
        for id in path.drain(..) {
            state[id] = DONE;
        }
    }

    // Streams are chains of whole sectors (no loops now); the directory is
    // one, holding 128-byte entries.
    let chain = |mut id: u32, limit: usize| -> Result<Vec<u8>, String> {
        let mut data = Vec::new();
        while id <= MAX_REGULAR && data.len() < limit {
            data.extend_from_slice(sector(id)?);
            id = usize::try_from(id)
                .ok()
                .and_then(|i| fat.get(i).copied())
                .unwrap_or(u32::MAX);
        }
        data.truncate(limit);
        Ok(data)
    };
    let word_at =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let directory = chain(word_at(0x30), bytes.len())?;
    let entries: Vec<&[u8]> = directory.chunks_exact(128).collect();
    let named = |entry: &&[u8], name: &str| {
        let units: Vec<u16> = entry[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|u| *u != 0)
            .collect();
        String::from_utf16_lossy(&units).eq_ignore_ascii_case(name)
    };
    let Some(workbook) = entries
        .iter()
        .find(|e| named(e, "Workbook"))
        .or_else(|| entries.iter().find(|e| named(e, "Book")))
    else {
        return Ok(()); // the spreadsheet library refuses it by itself
    };
    let start = u32::from_le_bytes([workbook[116], workbook[117], workbook[118], workbook[119]]);
    let size = usize::try_from(u32::from_le_bytes([
        workbook[120],
        workbook[121],
        workbook[122],
        workbook[123],
    ]))
    .unwrap_or(usize::MAX)
    .min(bytes.len());
    // Streams under 4,096 bytes live in the mini stream: the format fixes
    // the cutoff, and calamine uses it whatever the header's field says.
    let stream = if size < MINI_STREAM_CUTOFF {
        // Small streams live in 64-byte mini sectors inside the root
        // entry's stream, linked by the mini FAT.
        let Some(root) = entries.first() else {
            return Ok(());
        };
        let root_start = u32::from_le_bytes([root[116], root[117], root[118], root[119]]);
        let mini_stream = chain(root_start, bytes.len())?;
        let mini_fat = words(&chain(word_at(0x3C), bytes.len())?);
        let mut data = Vec::new();
        let mut id = start;
        let mut steps = 0;
        while id <= MAX_REGULAR && data.len() < size {
            steps += 1;
            let at = usize::try_from(id).unwrap_or(usize::MAX).saturating_mul(64);
            if steps > mini_fat.len() || at >= mini_stream.len() {
                return Err("the workbook's mini-sector chain loops or leaves the file".into());
            }
            data.extend_from_slice(&mini_stream[at..(at + 64).min(mini_stream.len())]);
            id = mini_fat.get(id as usize).copied().unwrap_or(u32::MAX);
        }
        data
    } else {
        chain(start, size)?
    };
    check_records(&stream)
}

/// Checks the records of a workbook stream from its start, then from each
/// sheet's offset as the BOUNDSHEET records give it: calamine reads each
/// sheet from there, and an offset inside another record shows it records
/// a walk from the start never sees.
fn check_records(stream: &[u8]) -> Result<(), String> {
    let mut sheets = Vec::new();
    check_records_from(stream, 0, Some(&mut sheets))?;
    sheets.sort_unstable();
    sheets.dedup();
    if sheets.len() > MAX_SHEETS {
        return Err(format!(
            "the workbook lists {} sheets (more than {MAX_SHEETS})",
            sheets.len()
        ));
    }
    for start in sheets {
        check_records_from(stream, start, None)?;
    }
    Ok(())
}

/// Reads the BIFF records of a workbook stream from `start` and refuses a
/// cell beyond the last column, or a DIMENSIONS record claiming more than
/// [`MAX_CELLS`] cells, counted as calamine counts them (with its
/// wrap-around when the last row precedes the first); gathers the sheets'
/// offsets into `sheets` when given.
fn check_records_from(
    stream: &[u8],
    start: usize,
    mut sheets: Option<&mut Vec<usize>>,
) -> Result<(), String> {
    let u16_at = |r: &[u8], at: usize| u32::from(u16::from_le_bytes([r[at], r[at + 1]]));
    let u32_at = |r: &[u8], at: usize| u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]]);
    let mut at = start;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        at += 4 + len;
        if kind == BOUNDSHEET
            && data.len() >= 4
            && let Some(sheets) = sheets.as_deref_mut()
        {
            sheets.push(usize::try_from(u32_at(data, 0)).unwrap_or(usize::MAX));
        }
        let last_column = if CELL_RUNS.contains(&kind) && data.len() >= 6 {
            Some(u16_at(data, data.len() - 2))
        } else {
            None
        };
        if (CELLS.contains(&kind) || CELL_RUNS.contains(&kind)) && data.len() >= 4 {
            let column = u16_at(data, 2).max(last_column.unwrap_or(0));
            if column > MAX_COLUMN {
                return Err(format!(
                    "a cell lies in column {} (a sheet has {} columns)",
                    column + 1,
                    MAX_COLUMN + 1
                ));
            }
        }
        if kind != DIMENSIONS {
            continue;
        }
        let (first_row, last_row, mut first_col, last_col) = match data.len() {
            10 => (
                u16_at(data, 0),
                u16_at(data, 2),
                u16_at(data, 4),
                u16_at(data, 6),
            ),
            14 | 16 => (
                u32_at(data, 0),
                u32_at(data, 4),
                u16_at(data, 8),
                u16_at(data, 10),
            ),
            _ => continue,
        };
        if 0xFF < first_col || last_col < first_col {
            first_col = 0;
        }
        let (end_row, end_col) = if last_row >= 1 && last_col >= 1 {
            (last_row - 1, last_col - 1)
        } else {
            (first_row, first_col)
        };
        let rows = u64::from(end_row.wrapping_sub(first_row).wrapping_add(1));
        let cols = u64::from(end_col.wrapping_sub(first_col).wrapping_add(1));
        if rows.saturating_mul(cols) > MAX_CELLS {
            return Err(format!(
                "a sheet claims {rows} rows × {cols} columns (more than {MAX_CELLS} cells)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DIMENSIONS record hidden inside another record's data is found
    /// through the BOUNDSHEET offset that points at it (calamine reads the
    /// sheet from there).
    #[test]
    fn a_sheet_offset_inside_a_record_is_checked_too() {
        let mut dimensions = vec![0x00, 0x02, 14, 0];
        dimensions.extend_from_slice(&0u32.to_le_bytes());
        dimensions.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        dimensions.extend_from_slice(&[0, 0, 0xFF, 0, 0, 0]);
        let mut stream = vec![0x85, 0x00, 6, 0];
        stream.extend_from_slice(&14u32.to_le_bytes());
        stream.extend_from_slice(&[0, 0]);
        stream.extend_from_slice(&[0xFC, 0x00, dimensions.len() as u8, 0]);
        stream.extend_from_slice(&dimensions);
        assert!(
            check_records_from(&stream, 0, None).is_ok(),
            "hidden from a walk from the start"
        );
        let refused = check_records(&stream).err().unwrap_or_default();
        assert!(refused.contains("rows"), "{refused}");
    }

    #[test]
    fn a_workbook_listing_too_many_sheets_is_refused() {
        // BOUNDSHEET records, each giving a sheet offset of its own (the
        // record's own start).
        let boundsheets = |n: usize| {
            let mut stream = Vec::new();
            for i in 0..n {
                stream.extend_from_slice(&[0x85, 0x00, 6, 0]);
                stream.extend_from_slice(&((i * 10) as u32).to_le_bytes());
                stream.extend_from_slice(&[0, 0]);
            }
            stream
        };
        assert!(check_records(&boundsheets(MAX_SHEETS)).is_ok());
        let refused = check_records(&boundsheets(MAX_SHEETS + 1))
            .err()
            .unwrap_or_default();
        assert!(refused.contains("257 sheets (more than 256)"), "{refused}");
    }
}
