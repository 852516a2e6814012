//! Text files of submission exports: encoding detection and the CSV
//! dialect checks (delimiter, HXL hashtag row).

use std::borrow::Cow;

use super::{Result, SubmissionError};

/// The encoding a text export was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (as Excel writes it).
    Utf8Bom,
    /// Windows-1252 (Excel's "CSV" on a French or English Windows),
    /// detected because the file is not UTF-8 and every byte is defined
    /// in Windows-1252.
    Windows1252,
}

impl Encoding {
    /// A stable name, for summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// Windows-1252 characters for bytes 0x80 to 0x9F (`None`: undefined).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// Line and column (1-based, in characters) of a byte offset.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// Decodes a text export: UTF-8 with or without a byte-order mark, or
/// Windows-1252 when the bytes are not UTF-8 at all. UTF-16, a mix of
/// UTF-8 and another encoding, and bytes undefined in Windows-1252 are
/// refused with the line and column of the first bad byte.
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<(Cow<'a, str>, Encoding)> {
    let refuse = |offset: usize, reason: String| {
        let (line, column) = line_column(bytes, offset);
        SubmissionError::Encoding {
            file: file.to_owned(),
            line,
            column,
            reason,
        }
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(refuse(
            0,
            "UTF-16 text: export or save the file as UTF-8".to_owned(),
        ));
    }
    let (body, bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    // The SIMD check (several times faster on a large export), and the
    // standard one to tell where it fails.
    let checked = simdutf8::basic::from_utf8(body).or_else(|_| std::str::from_utf8(body));
    let error = match checked {
        Ok(text) => {
            let encoding = if bom {
                Encoding::Utf8Bom
            } else {
                Encoding::Utf8
            };
            return Ok((Cow::Borrowed(text), encoding));
        }
        Err(e) => e,
    };
    let first_bad = error.valid_up_to() + usize::from(bom) * 3;
    // Valid multi-byte UTF-8 before the bad byte: the file mixes encodings.
    let utf8_before = std::str::from_utf8(&body[..error.valid_up_to()])
        .map(|t| !t.is_ascii())
        .unwrap_or(false);
    if bom || utf8_before {
        return Err(refuse(
            first_bad,
            "invalid UTF-8 in a file that is otherwise UTF-8 (mixed encodings): save the file as UTF-8"
                .to_owned(),
        ));
    }
    let mut text = String::with_capacity(body.len() + body.len() / 8);
    for (offset, byte) in body.iter().enumerate() {
        match byte {
            0x00..=0x7F | 0xA0..=0xFF => text.push(char::from(*byte)),
            _ => match CP1252_HIGH[usize::from(byte - 0x80)] {
                Some(c) => text.push(c),
                None => {
                    return Err(refuse(
                        offset,
                        format!(
                            "neither UTF-8 nor Windows-1252 (byte 0x{byte:02X}): save the file as UTF-8"
                        ),
                    ));
                }
            },
        }
    }
    Ok((Cow::Owned(text), Encoding::Windows1252))
}

/// Refuses a CSV whose first line is split by another delimiter than
/// `expected` (for example a KoBoToolbox export re-saved with commas).
pub fn check_delimiter(file: &str, text: &str, expected: u8) -> Result<()> {
    let first_line = first_record(text);
    let count = |d: u8| count_outside_quotes(first_line, d);
    if count(expected) > 0 {
        return Ok(());
    }
    let found = [b';', b',', b'\t', b'|']
        .into_iter()
        .filter(|d| *d != expected)
        .map(|d| (d, count(d)))
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0);
    match found {
        Some((delimiter, n)) => Err(SubmissionError::Delimiter {
            file: file.to_owned(),
            expected: char::from(expected),
            found: char::from(delimiter),
            columns: n + 1,
        }),
        None => Ok(()),
    }
}

/// The first record of a CSV text (up to the first line break outside
/// quotes).
fn first_record(text: &str) -> &str {
    let mut quoted = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => return &text[..i],
            _ => {}
        }
    }
    text
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// Whether a row is an HXL hashtag row: every non-empty cell starts with
/// `#`, and at least one is not empty.
pub fn is_hxl_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    for cell in cells {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        if !cell.starts_with('#') {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let (text, encoding) = decode("a.csv", "é;b".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((text.as_ref(), encoding), ("é;b", Encoding::Utf8));
        let bytes = [&[0xEF, 0xBB, 0xBF][..], "é;b".as_bytes()].concat();
        let (text, encoding) = decode("a.csv", &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((text.as_ref(), encoding), ("é;b", Encoding::Utf8Bom));
    }

    #[test]
    fn windows_1252_is_detected_and_decoded() {
        let bytes = b"\"caf\xe9\";\"\x80 \x9c\"";
        let (text, encoding) = decode("a.csv", bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(encoding, Encoding::Windows1252);
        assert_eq!(text, "\"café\";\"€ œ\"");
    }

    #[test]
    fn undefined_bytes_mixed_encodings_and_utf16_are_refused_with_position() {
        let e = decode("a.csv", b"ab\ncd\x81").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "a.csv, line 2, column 3: neither UTF-8 nor Windows-1252 (byte 0x81): save the file as UTF-8"
            )
        );
        let mixed = ["é\n".as_bytes(), &b"x\xe9"[..]].concat();
        let e = decode("a.csv", &mixed).err().map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.starts_with("a.csv, line 2, column 2: invalid UTF-8")),
            "{e:?}"
        );
        assert!(decode("a.csv", &[0xFF, 0xFE, b'a', 0]).is_err());
    }

    #[test]
    fn wrong_delimiter_is_named() {
        assert!(check_delimiter("a.csv", "\"a\";\"b\"\n", b';').is_ok());
        let e = check_delimiter("a.csv", "\"a;x\",\"b\",c\n1;2;3", b';')
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "a.csv: the header line is split by ',' into 3 columns, not by ';' as this export format is: re-export the file, or save it with ';'"
            )
        );
    }

    #[test]
    fn hxl_rows() {
        assert!(is_hxl_row(["#date", "", "#adm1+name"]));
        assert!(!is_hxl_row(["#date", "2020-01-01"]));
        assert!(!is_hxl_row(["", ""]));
    }
}
