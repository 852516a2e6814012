//! The transcript view: text cut into segments at every coding boundary,
//! line by line, with one coloured stripe per coding in the margin.
//!
//! Each segment carries the UTF-16 offset of its first character, so the
//! browser can turn a selection into document offsets without counting
//! markup; the server converts them back to Unicode scalar offsets.

use sankore_domain::{CodeKey, Document};
use sankore_store::StoredCoding;

/// CSS class carrying a code's colour (see `/codebook.css`).
pub fn code_class(key: &CodeKey) -> String {
    format!("k-{}", key.as_str().replace('.', "_"))
}

/// A run of characters covered by the same codings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentView {
    /// UTF-16 offset of the segment's first character in the document.
    pub u16: usize,
    pub text: String,
    /// `seg`, plus `coded` and the first code's class when coded.
    pub class: String,
    /// Names of the codes covering it.
    pub title: String,
}

/// A coding's mark in a line's margin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeView {
    pub class: String,
    pub title: String,
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineView {
    pub segments: Vec<SegmentView>,
    pub stripes: Vec<StripeView>,
}

/// Cuts `document` into lines and segments for display. `name_of` gives a
/// code's display name.
pub fn lines(
    document: &Document,
    codings: &[StoredCoding],
    name_of: &dyn Fn(&CodeKey) -> String,
) -> Vec<LineView> {
    let chars: Vec<char> = document.body.as_str().chars().collect();
    let mut boundaries: Vec<usize> = codings
        .iter()
        .flat_map(|c| [c.coding.span.start(), c.coding.span.end()])
        .collect();
    boundaries.sort_unstable();
    boundaries.dedup();

    let mut out = Vec::new();
    let mut u16 = 0;
    let mut line_start = 0;
    while line_start <= chars.len() {
        let line_end = chars[line_start..]
            .iter()
            .position(|c| *c == '\n')
            .map_or(chars.len(), |p| line_start + p);
        let in_line: Vec<&StoredCoding> = codings
            .iter()
            .filter(|c| {
                c.coding.span.start() < line_end.max(line_start + 1)
                    && c.coding.span.end() > line_start
            })
            .collect();
        let mut line = LineView {
            segments: Vec::new(),
            stripes: in_line
                .iter()
                .map(|c| StripeView {
                    class: code_class(&c.coding.code),
                    title: format!("{} — {}", name_of(&c.coding.code), c.coding.coder),
                })
                .collect(),
        };
        let first = boundaries.partition_point(|b| *b <= line_start);
        let mut cuts = vec![line_start];
        cuts.extend(
            boundaries[first..]
                .iter()
                .copied()
                .take_while(|b| *b < line_end),
        );
        cuts.push(line_end);
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            if start == end {
                continue;
            }
            let text: String = chars[start..end].iter().collect();
            let covering: Vec<&&StoredCoding> = in_line
                .iter()
                .filter(|c| c.coding.span.start() <= start && end <= c.coding.span.end())
                .collect();
            let (class, title) = match covering.first() {
                None => ("seg".to_owned(), String::new()),
                Some(first) => (
                    format!("seg coded {}", code_class(&first.coding.code)),
                    covering
                        .iter()
                        .map(|c| name_of(&c.coding.code))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            };
            line.segments.push(SegmentView {
                u16,
                class,
                title,
                text,
            });
            u16 += chars[start..end]
                .iter()
                .map(|c| c.len_utf16())
                .sum::<usize>();
        }
        out.push(line);
        u16 += 1; // the line break
        line_start = line_end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_domain::{Coding, CodingOrigin, DocumentKind, TextBody};

    #[test]
    fn segments_carry_utf16_offsets_and_codes() {
        let body = TextBody::new("Bonjour 🙂 à tous\nالسلام ici");
        let document = Document {
            code: "D".into(),
            session: None,
            title: "t".into(),
            kind: DocumentKind::Transcript,
            language: "fr".into(),
            body,
            turns: vec![],
        };
        let key = CodeKey::new("push").unwrap_or_else(|e| panic!("{e}"));
        let coding = StoredCoding {
            id: "1".into(),
            version: 1,
            coding: Coding {
                document: "D".into(),
                span: document.span(8, 12).unwrap_or_else(|e| panic!("{e}")), // "🙂 à "
                code: key,
                coder: "awa".into(),
                memo: None,
                origin: CodingOrigin::Manual,
            },
        };
        let view = lines(&document, &[coding], &|k| k.to_string());
        assert_eq!(view.len(), 2);
        let texts: Vec<(&str, usize, bool)> = view[0]
            .segments
            .iter()
            .map(|s| (s.text.as_str(), s.u16, s.class.contains("coded")))
            .collect();
        assert_eq!(
            texts,
            [
                ("Bonjour ", 0, false),
                ("🙂 à ", 8, true),
                ("tous", 13, false)
            ]
        );
        assert_eq!(view[0].stripes.len(), 1);
        assert_eq!(view[1].segments[0].u16, 18, "after the line break");
        assert!(view[1].stripes.is_empty());
    }
}
