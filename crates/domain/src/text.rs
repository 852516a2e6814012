//! Text bodies and positions in them.
//!
//! Sankore's one convention: a position is a count of Unicode scalar values
//! (Rust `char`s) from the start of an NFC-normalised text, and a span is
//! half-open, `[start, end)`. Browsers count UTF-16 code units, NVivo does
//! too, Taguette counts UTF-8 bytes: the converters here translate at those
//! boundaries.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{DomainError, Result};

/// A non-empty half-open range `[start, end)` of Unicode scalar offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// Builds a span inside a text of `len` scalars; empty and reversed spans
    /// and spans past the end are refused.
    pub fn new(start: usize, end: usize, len: usize) -> Result<Self> {
        if start < end && end <= len {
            Ok(Span { start, end })
        } else {
            Err(DomainError::SpanOutOfBounds { start, end, len })
        }
    }

    /// First scalar offset in the span.
    pub fn start(self) -> usize {
        self.start
    }

    /// Offset just past the last scalar of the span.
    pub fn end(self) -> usize {
        self.end
    }

    /// Number of scalars covered.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Always false: spans are never empty (kept for clippy's `len` rule).
    pub fn is_empty(self) -> bool {
        false
    }

    /// Whether the two spans share at least one scalar.
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies entirely within this span.
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A text in NFC, with its length in scalars cached.
///
/// Every transcript, note and memo goes through this type, so that offsets
/// computed on it agree with offsets computed anywhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TextBody {
    text: String,
    chars: usize,
    /// Byte offset of every `CHECKPOINT`-th scalar, so slicing by scalar
    /// offsets costs at most `CHECKPOINT` steps instead of a scan from the
    /// start (a transcript view slices once per coding).
    checkpoints: Vec<usize>,
}

/// Scalars between two entries of [`TextBody`]'s checkpoints.
const CHECKPOINT: usize = 64;

impl TextBody {
    /// Normalises `text` to NFC. Line breaks are kept as they are.
    pub fn new(text: &str) -> Self {
        let text: String = match unicode_normalization::is_nfc_quick(text.chars()) {
            unicode_normalization::IsNormalized::Yes => text.to_owned(),
            _ => text.nfc().collect(),
        };
        let mut chars = 0;
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT + 1);
        for (byte, _) in text.char_indices() {
            if chars % CHECKPOINT == 0 {
                checkpoints.push(byte);
            }
            chars += 1;
        }
        TextBody {
            text,
            chars,
            checkpoints,
        }
    }

    /// Byte offset of scalar offset `scalar` (the end of the text past it).
    fn byte_of(&self, scalar: usize) -> usize {
        if scalar >= self.chars {
            return self.text.len();
        }
        let from = self
            .checkpoints
            .get(scalar / CHECKPOINT)
            .copied()
            .unwrap_or(0);
        let rest = &self.text[from..];
        byte_offset(rest, scalar % CHECKPOINT).map_or(self.text.len(), |b| from + b)
    }

    /// The text itself.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in Unicode scalars.
    pub fn char_len(&self) -> usize {
        self.chars
    }

    /// Builds a span after checking it fits this text.
    pub fn span(&self, start: usize, end: usize) -> Result<Span> {
        Span::new(start, end, self.chars)
    }

    /// The characters a span covers.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[self.byte_of(span.start())..self.byte_of(span.end())]
    }

    /// Whether the stored text is in NFC (always true for values built here;
    /// used to check data read back from storage).
    pub fn is_nfc(text: &str) -> bool {
        unicode_normalization::is_nfc(text)
    }
}

impl TryFrom<String> for TextBody {
    type Error = DomainError;

    fn try_from(value: String) -> Result<Self> {
        Ok(TextBody::new(&value))
    }
}

impl From<TextBody> for String {
    fn from(value: TextBody) -> Self {
        value.text
    }
}

/// Byte offset of the scalar at `scalar` in `text`, `None` past the end.
pub fn byte_offset(text: &str, scalar: usize) -> Option<usize> {
    if scalar == 0 {
        return Some(0);
    }
    let mut count = 0;
    for (byte, _) in text.char_indices() {
        if count == scalar {
            return Some(byte);
        }
        count += 1;
    }
    (count == scalar).then_some(text.len())
}

/// Scalar offset of a UTF-16 code-unit offset, `None` when it falls inside a
/// surrogate pair or past the end.
pub fn scalar_from_utf16(text: &str, utf16: usize) -> Option<usize> {
    let mut units = 0;
    for (scalars, c) in text.chars().enumerate() {
        if units == utf16 {
            return Some(scalars);
        }
        if units > utf16 {
            return None;
        }
        units += c.len_utf16();
    }
    (units == utf16).then(|| text.chars().count())
}

/// UTF-16 code-unit offset of a scalar offset, `None` past the end.
pub fn utf16_from_scalar(text: &str, scalar: usize) -> Option<usize> {
    let mut units = 0;
    let mut chars = text.chars();
    for _ in 0..scalar {
        units += chars.next()?.len_utf16();
    }
    Some(units)
}

/// Scalar offset of a UTF-8 byte offset, `None` inside a character or past
/// the end.
pub fn scalar_from_byte(text: &str, byte: usize) -> Option<usize> {
    if byte > text.len() || !text.is_char_boundary(byte) {
        return None;
    }
    Some(text[..byte].chars().count())
}

/// Folds one character for matching: lowercase, no diacritics, `œ` as
/// `oe`, typographic apostrophes as `'`.
pub fn fold_char(c: char, out: &mut String) {
    match c {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        '’' | 'ʼ' | '‘' => out.push('\''),
        _ => {
            for d in c.to_lowercase().nfd() {
                if !('\u{300}'..='\u{36f}').contains(&d) {
                    out.push(d);
                }
            }
        }
    }
}

/// Folds a whole string (see [`fold_char`]).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_to_nfc() {
        let decomposed = "e\u{301}te\u{301}"; // "été" with combining accents
        let body = TextBody::new(decomposed);
        assert_eq!(body.as_str(), "été");
        assert_eq!(body.char_len(), 3);
    }

    #[test]
    fn spans_must_fit() {
        let body = TextBody::new("Tombouctou");
        assert!(body.span(0, 10).is_ok());
        assert!(body.span(0, 11).is_err());
        assert!(body.span(3, 3).is_err());
        assert!(body.span(4, 3).is_err());
    }

    #[test]
    fn converts_utf16_with_emoji_and_arabic() {
        let text = "Il a dit 🙂 « السلام » à Diré";
        let start = text.chars().position(|c| c == 'à').unwrap_or_default();
        let u16_start = utf16_from_scalar(text, start).unwrap_or_default();
        assert_eq!(u16_start, start + 1, "the emoji takes two UTF-16 units");
        assert_eq!(scalar_from_utf16(text, u16_start), Some(start));
        // Inside the surrogate pair of the emoji.
        assert_eq!(scalar_from_utf16(text, 10), None);
    }

    #[test]
    fn slices_by_scalars() {
        let body = TextBody::new("Diré 🙂 Goundam");
        let span = body.span(5, 6).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.slice(span), "🙂");
    }

    proptest! {
        #[test]
        fn utf16_round_trip(text in "\\PC{0,40}", pick in 0usize..41) {
            let len = text.chars().count();
            let scalar = pick.min(len);
            let units = utf16_from_scalar(&text, scalar);
            prop_assert!(units.is_some());
            prop_assert_eq!(scalar_from_utf16(&text, units.unwrap_or_default()), Some(scalar));
        }

        #[test]
        fn byte_round_trip(text in "\\PC{0,40}", pick in 0usize..41) {
            let scalar = pick.min(text.chars().count());
            let byte = byte_offset(&text, scalar);
            prop_assert!(byte.is_some());
            prop_assert_eq!(scalar_from_byte(&text, byte.unwrap_or_default()), Some(scalar));
        }

        #[test]
        fn slices_match_a_scan_from_the_start(text in "\\PC{0,300}", a in 0usize..301, b in 0usize..301) {
            let body = TextBody::new(&text);
            let n = body.char_len();
            let (start, end) = (a.min(b).min(n), a.max(b).min(n));
            if start < end {
                let span = body.span(start, end).unwrap_or_else(|e| panic!("{e}"));
                let expected: String = body.as_str().chars().skip(start).take(end - start).collect();
                prop_assert_eq!(body.slice(span), expected.as_str());
            }
        }

        #[test]
        fn nfc_is_idempotent(text in "\\PC{0,40}") {
            let once = TextBody::new(&text);
            let twice = TextBody::new(once.as_str());
            prop_assert_eq!(once, twice);
        }
    }
}
