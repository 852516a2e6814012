//! How a REFI-QDA file counts text positions, found by looking at where its
//! selections fall, and the conversion to Sankore's offsets (Unicode
//! scalars over NFC text with `\n` line breaks).
//!
//! The standard counts Unicode characters from 0. Real files differ: NVivo
//! counts UTF-16 code units, ATLAS.ti counts a CRLF line break as one
//! character, Taguette counts UTF-8 bytes. Each candidate scheme is tried on
//! every selection of the project: a scheme is out when a position falls
//! past the end of its text or inside a character; among the others, the
//! one whose selection boundaries fall on word boundaries most often (and
//! whose selected text matches the selection's name, when the vendor writes
//! the quotation there) wins. Ties go to the standard's scheme.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::error::{RefiError, Result};

/// A way of counting positions in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PositionScheme {
    /// Unicode characters (scalar values), as the standard says; a CRLF
    /// line break counts two.
    Characters,
    /// UTF-16 code units (NVivo): characters outside the Basic Multilingual
    /// Plane, such as most emoji, count two.
    Utf16,
    /// Unicode characters, a CRLF line break counting one (ATLAS.ti).
    CharactersCrlfAsOne,
    /// UTF-16 code units, a CRLF line break counting one.
    Utf16CrlfAsOne,
    /// UTF-8 bytes (Taguette).
    Utf8Bytes,
}

impl PositionScheme {
    /// Every scheme, in order of preference when the evidence ties.
    pub const ALL: [PositionScheme; 5] = [
        PositionScheme::Characters,
        PositionScheme::Utf16,
        PositionScheme::CharactersCrlfAsOne,
        PositionScheme::Utf16CrlfAsOne,
        PositionScheme::Utf8Bytes,
    ];

    /// A stable identifier, for JSON outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            PositionScheme::Characters => "characters",
            PositionScheme::Utf16 => "utf16",
            PositionScheme::CharactersCrlfAsOne => "characters-crlf-as-one",
            PositionScheme::Utf16CrlfAsOne => "utf16-crlf-as-one",
            PositionScheme::Utf8Bytes => "utf8-bytes",
        }
    }

    /// Width of one character in this scheme; `next` is the character after
    /// it, if any (a CR followed by LF may count nothing).
    fn width(self, c: char, next: Option<char>) -> u64 {
        let crlf_head = c == '\r' && next == Some('\n');
        match self {
            PositionScheme::Characters => 1,
            PositionScheme::CharactersCrlfAsOne => u64::from(!crlf_head),
            PositionScheme::Utf16 => c.len_utf16() as u64,
            PositionScheme::Utf16CrlfAsOne => {
                if crlf_head {
                    0
                } else {
                    c.len_utf16() as u64
                }
            }
            PositionScheme::Utf8Bytes => c.len_utf8() as u64,
        }
    }
}

impl fmt::Display for PositionScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PositionScheme::Characters => "Unicode characters (the standard)",
            PositionScheme::Utf16 => "UTF-16 code units (NVivo)",
            PositionScheme::CharactersCrlfAsOne => {
                "Unicode characters, CRLF counted as one (ATLAS.ti)"
            }
            PositionScheme::Utf16CrlfAsOne => "UTF-16 code units, CRLF counted as one",
            PositionScheme::Utf8Bytes => "UTF-8 bytes (Taguette)",
        })
    }
}

/// A selection as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawSelection {
    pub guid: String,
    pub start: u64,
    pub end: u64,
    /// The selection's name: some vendors write the selected text there.
    pub name: String,
}

/// One source's text as read (byte-order mark removed, line breaks as
/// written) and its selections.
#[derive(Debug, Clone)]
pub(crate) struct RawSource {
    pub guid: String,
    pub chars: Vec<char>,
    pub selections: Vec<RawSelection>,
}

/// Character offsets `[start, end)` per source and selection.
pub(crate) type Spans = Vec<Vec<(usize, usize)>>;

/// What detection found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The scheme used.
    pub scheme: PositionScheme,
    /// Every scheme that gives exactly the same offsets on this file
    /// (including `scheme`): when it holds them all, the file does not tell.
    pub equivalent: Vec<PositionScheme>,
    /// Selection boundaries checked, and how many fall on a word boundary.
    pub boundaries: usize,
    pub aligned: usize,
    /// Selections whose name could be compared with their text, and how
    /// many matched.
    pub names_compared: usize,
    pub names_matched: usize,
}

/// Cumulative positions of each character start (and the end) in a scheme.
fn table(chars: &[char], scheme: PositionScheme) -> Vec<u64> {
    let mut out = Vec::with_capacity(chars.len() + 1);
    let mut pos = 0u64;
    for (i, c) in chars.iter().enumerate() {
        out.push(pos);
        pos += scheme.width(*c, chars.get(i + 1).copied());
    }
    out.push(pos);
    out
}

/// The character index a scheme position designates: the first character
/// starting there, `None` inside a character or past the end.
fn to_index(table: &[u64], pos: u64) -> Option<usize> {
    let i = table.partition_point(|p| *p < pos);
    (table.get(i) == Some(&pos)).then_some(i)
}

/// Characters that continue what comes before them: a boundary just before
/// one splits a character sequence.
fn continues(c: char) -> bool {
    is_combining_mark(c)
        || c == '\u{200D}'
        || ('\u{FE00}'..='\u{FE0F}').contains(&c)
        || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

fn wordlike(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// Whether a selection boundary at `i` falls between words (or at an end).
fn on_boundary(chars: &[char], i: usize) -> bool {
    let (Some(before), Some(after)) = (i.checked_sub(1).and_then(|j| chars.get(j)), chars.get(i))
    else {
        return true;
    };
    !(wordlike(*before) && wordlike(*after)
        || continues(*after)
        || *before == '\u{200D}'
        || (*before == '\r' && *after == '\n'))
}

fn collapse(text: &str) -> String {
    text.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the selected characters match the selection's name, when the
/// name looks like a quotation (possibly cut with an ellipsis).
fn name_matches(name: &str, selected: &[char]) -> Option<bool> {
    let name = name.trim();
    let (stem, cut) = match name.strip_suffix('…').or_else(|| name.strip_suffix("...")) {
        Some(stem) => (stem, true),
        None => (name, false),
    };
    let stem = collapse(stem);
    if stem.chars().count() < 4 {
        return None;
    }
    let selected = collapse(&selected.iter().collect::<String>());
    Some(if cut {
        selected.starts_with(&stem)
    } else {
        selected == stem
    })
}

struct Trial {
    scheme: PositionScheme,
    spans: Spans,
    aligned: usize,
    boundaries: usize,
    names_compared: usize,
    names_matched: usize,
}

fn trial(sources: &[RawSource], scheme: PositionScheme) -> std::result::Result<Trial, String> {
    let mut spans = Vec::with_capacity(sources.len());
    let (mut aligned, mut boundaries, mut compared, mut matched) = (0, 0, 0, 0);
    for source in sources {
        let table = table(&source.chars, scheme);
        let mut these = Vec::with_capacity(source.selections.len());
        for s in &source.selections {
            let start = to_index(&table, s.start);
            let end = to_index(&table, s.end);
            let (Some(start), Some(end)) = (start, end) else {
                return Err(format!(
                    "{scheme}: selection {} of source {} does not fall on characters of its text",
                    s.guid, source.guid
                ));
            };
            boundaries += 2;
            aligned += usize::from(on_boundary(&source.chars, start))
                + usize::from(on_boundary(&source.chars, end));
            if let Some(ok) = name_matches(&s.name, &source.chars[start..end]) {
                compared += 1;
                matched += usize::from(ok);
            }
            these.push((start, end));
        }
        spans.push(these);
    }
    Ok(Trial {
        scheme,
        spans,
        aligned,
        boundaries,
        names_compared: compared,
        names_matched: matched,
    })
}

/// Finds the scheme of a project and returns, per source and selection,
/// the character offsets `[start, end)` into the text as read.
pub(crate) fn detect(sources: &[RawSource]) -> Result<(Detection, Spans)> {
    for source in sources {
        let bytes: usize = source.chars.iter().map(|c| c.len_utf8()).sum();
        let utf16: usize = source.chars.iter().map(|c| c.len_utf16()).sum();
        for s in &source.selections {
            if s.start >= s.end {
                return Err(RefiError::Invalid {
                    element: "PlainTextSelection".to_owned(),
                    guid: Some(s.guid.clone()),
                    reason: format!("empty or reversed range [{}, {})", s.start, s.end),
                });
            }
            if s.end > bytes as u64 {
                return Err(RefiError::SelectionPastEnd {
                    selection: s.guid.clone(),
                    source_guid: source.guid.clone(),
                    start: s.start,
                    end: s.end,
                    chars: source.chars.len(),
                    utf16,
                    bytes,
                });
            }
        }
    }
    let mut failures = Vec::new();
    let mut trials = Vec::new();
    for scheme in PositionScheme::ALL {
        match trial(sources, scheme) {
            Ok(t) => trials.push(t),
            Err(reason) => failures.push(reason),
        }
    }
    let score = |t: &Trial| t.aligned + 4 * t.names_matched;
    // Highest score; on a tie the earlier scheme (ALL's order) wins.
    let best = trials
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| score(a).cmp(&score(b)).then(j.cmp(i)))
        .map(|(i, _)| i);
    let Some(best) = best else {
        return Err(RefiError::NoScheme {
            details: failures.join("; "),
        });
    };
    let chosen = &trials[best];
    let equivalent = trials
        .iter()
        .filter(|t| t.spans == chosen.spans)
        .map(|t| t.scheme)
        .collect();
    let detection = Detection {
        scheme: chosen.scheme,
        equivalent,
        boundaries: chosen.boundaries,
        aligned: chosen.aligned,
        names_compared: chosen.names_compared,
        names_matched: chosen.names_matched,
    };
    let spans = trials.swap_remove(best).spans;
    Ok((detection, spans))
}

/// A text in Sankore's form (`\n` line breaks, NFC) and the selections'
/// offsets carried over to it.
pub(crate) fn normalise(
    source_guid: &str,
    chars: &[char],
    selections: &[(String, usize, usize)],
) -> Result<(String, Vec<(usize, usize)>)> {
    // Line breaks: CRLF and lone CR become LF. `lf_index[i]` is where the
    // character boundary `i` lands; the boundary inside a CRLF lands with
    // the one before it.
    let mut lf = String::with_capacity(chars.len());
    let mut lf_index = Vec::with_capacity(chars.len() + 1);
    let mut count = 0usize;
    for (i, c) in chars.iter().enumerate() {
        lf_index.push(count);
        match c {
            '\r' if chars.get(i + 1) == Some(&'\n') => {}
            '\r' => {
                lf.push('\n');
                count += 1;
            }
            c => {
                lf.push(*c);
                count += 1;
            }
        }
    }
    lf_index.push(count);
    let mapped: Vec<(usize, usize)> = selections
        .iter()
        .map(|(_, s, e)| (lf_index[*s], lf_index[*e]))
        .collect();
    if unicode_normalization::is_nfc(&lf) {
        return check_nonempty(source_guid, selections, lf, mapped);
    }
    // Not NFC: normalise the pieces between selection boundaries one by one;
    // this is exact as long as no boundary splits a sequence that NFC
    // composes, which the final comparison checks.
    let lf_chars: Vec<char> = lf.chars().collect();
    let mut cuts: Vec<usize> = mapped.iter().flat_map(|(s, e)| [*s, *e]).collect();
    cuts.push(0);
    cuts.push(lf_chars.len());
    cuts.sort_unstable();
    cuts.dedup();
    let mut normalised = String::with_capacity(lf.len());
    let mut at = std::collections::BTreeMap::new();
    let mut length = 0usize;
    for pair in cuts.windows(2) {
        at.insert(pair[0], length);
        let piece: String = lf_chars[pair[0]..pair[1]]
            .iter()
            .collect::<String>()
            .nfc()
            .collect();
        length += piece.chars().count();
        normalised.push_str(&piece);
    }
    at.insert(lf_chars.len(), length);
    let whole: String = lf.nfc().collect();
    if whole != normalised {
        return Err(RefiError::Unmappable {
            selection: selections.first().map(|s| s.0.clone()).unwrap_or_default(),
            source_guid: source_guid.to_owned(),
            reason: "a selection boundary splits a character sequence that Unicode NFC normalisation composes; normalise the source to NFC in the original tool and export again".to_owned(),
        });
    }
    let mapped = mapped
        .iter()
        .map(|(s, e)| {
            (
                at.get(s).copied().unwrap_or(0),
                at.get(e).copied().unwrap_or(0),
            )
        })
        .collect();
    check_nonempty(source_guid, selections, normalised, mapped)
}

fn check_nonempty(
    source_guid: &str,
    selections: &[(String, usize, usize)],
    text: String,
    mapped: Vec<(usize, usize)>,
) -> Result<(String, Vec<(usize, usize)>)> {
    if let Some(((guid, _, _), _)) = selections.iter().zip(&mapped).find(|(_, (s, e))| s >= e) {
        return Err(RefiError::Unmappable {
            selection: guid.clone(),
            source_guid: source_guid.to_owned(),
            reason: "the selection covers only half of a CRLF line break".to_owned(),
        });
    }
    Ok((text, mapped))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source whose selections pick `words` out of `text`, positions
    /// written in `scheme`.
    fn source(text: &str, words: &[&str], scheme: PositionScheme, named: bool) -> RawSource {
        let chars: Vec<char> = text.chars().collect();
        let table = table(&chars, scheme);
        let selections = words
            .iter()
            .enumerate()
            .map(|(n, w)| {
                let byte = text.find(w).unwrap_or_else(|| panic!("{w} not in text"));
                let start = text[..byte].chars().count();
                let end = start + w.chars().count();
                RawSelection {
                    guid: format!("sel-{n}"),
                    start: table[start],
                    end: table[end],
                    name: if named {
                        (*w).to_owned()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        RawSource {
            guid: "src".to_owned(),
            chars,
            selections,
        }
    }

    const TEXT: &str = "Il a dit 🙂🙂 « السلام عليكم » à Diré.\r\nLes jeunes 👩‍👩‍👧 n'ont pas de travail 😀 ici.\r\nÉté brûlant, été sans pluie.";
    const WORDS: &[&str] = &[
        "السلام",
        "Diré",
        "jeunes",
        "travail",
        "ici",
        "brûlant",
        "pluie",
    ];

    fn detected(scheme: PositionScheme, named: bool) -> (Detection, Spans) {
        let src = source(TEXT, WORDS, scheme, named);
        detect(&[src]).unwrap_or_else(|e| panic!("{scheme}: {e}"))
    }

    #[test]
    fn finds_each_scheme_from_word_boundaries() {
        for scheme in PositionScheme::ALL {
            let (detection, spans) = detected(scheme, false);
            assert_eq!(detection.scheme, scheme, "{detection:?}");
            assert_eq!(detection.aligned, detection.boundaries);
            let chars: Vec<char> = TEXT.chars().collect();
            for ((s, e), word) in spans[0].iter().zip(WORDS) {
                assert_eq!(chars[*s..*e].iter().collect::<String>(), *word);
            }
        }
    }

    #[test]
    fn names_confirm_the_scheme() {
        let (detection, _) = detected(PositionScheme::Utf16, true);
        assert_eq!(detection.scheme, PositionScheme::Utf16);
        // Names shorter than four characters prove nothing and are not compared.
        let comparable = WORDS.iter().filter(|w| w.chars().count() >= 4).count();
        assert_eq!(detection.names_compared, comparable);
        assert_eq!(detection.names_matched, comparable);
    }

    #[test]
    fn ascii_without_crlf_is_reported_as_undecidable() {
        let src = source("one two three", &["two"], PositionScheme::Utf8Bytes, false);
        let (detection, _) = detect(&[src]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(detection.scheme, PositionScheme::Characters);
        assert_eq!(detection.equivalent, PositionScheme::ALL.to_vec());
    }

    #[test]
    fn selection_past_every_end_is_refused() {
        let mut src = source("abc déf", &["déf"], PositionScheme::Characters, false);
        src.selections[0].end = 99;
        assert!(matches!(
            detect(&[src]),
            Err(RefiError::SelectionPastEnd { end: 99, .. })
        ));
    }

    #[test]
    fn a_split_surrogate_pair_rules_utf16_out() {
        // Offsets 1..2 in UTF-16 fall inside the emoji.
        let src = RawSource {
            guid: "s".into(),
            chars: "🙂ab".chars().collect(),
            selections: vec![RawSelection {
                guid: "x".into(),
                start: 1,
                end: 3,
                name: String::new(),
            }],
        };
        let (detection, _) = detect(&[src]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!detection.equivalent.contains(&PositionScheme::Utf16));
    }

    #[test]
    fn normalises_line_breaks_and_nfc_with_offsets() {
        // Decomposed "é" (e + U+0301), CRLF and a lone CR.
        let raw: Vec<char> = "Ete\u{301}\r\nmot\rfin".chars().collect();
        let word = |w: &str| {
            let s: String = raw.iter().collect();
            let b = s.find(w).unwrap_or_default();
            let start = s[..b].chars().count();
            ("g".to_owned(), start, start + w.chars().count())
        };
        let (text, spans) = normalise("s", &raw, &[word("Ete\u{301}"), word("mot"), word("fin")])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, "Eté\nmot\nfin");
        let chars: Vec<char> = text.chars().collect();
        let got: Vec<String> = spans
            .iter()
            .map(|(s, e)| chars[*s..*e].iter().collect())
            .collect();
        assert_eq!(got, ["Eté", "mot", "fin"]);
    }

    #[test]
    fn a_boundary_inside_a_composed_sequence_is_refused() {
        let raw: Vec<char> = "Ete\u{301}".chars().collect();
        // Ends between "e" and its combining accent.
        let result = normalise("s", &raw, &[("g".to_owned(), 0, 3)]);
        assert!(matches!(result, Err(RefiError::Unmappable { .. })));
    }
}
