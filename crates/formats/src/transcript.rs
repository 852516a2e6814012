//! Plain-text transcripts with speaker turns, as field teams type them:
//!
//! ```text
//! Enquêteur : Quels problèmes voyez-vous ?
//! Participant : Les jeunes n'ont pas de travail.
//! Ils partent.
//! ```
//!
//! A line `LABEL: text` (or `LABEL : text`, French style) starts a turn;
//! following lines without a label continue it. Lines before the first
//! label belong to no turn. A turn's span covers its text, not the label.

use sankore_domain::{DomainError, Span, TextBody, Turn};
use thiserror::Error;

/// Longest speaker label recognised, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// A transcript that cannot be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TranscriptError {
    #[error("line {line}: the speaker label is empty")]
    EmptyLabel { line: usize },
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// A transcript read from text: its NFC body and turns (without
/// participants; the caller links labels to participant codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTranscript {
    pub body: TextBody,
    pub turns: Vec<Turn>,
}

/// The label of a line that opens a turn, and the scalar offset where its
/// text starts within the line.
fn label_of(line: &str) -> Option<(&str, usize)> {
    let colon = line.find(':')?;
    let label = line[..colon].trim();
    let label_chars = label.chars().count();
    if label_chars > MAX_LABEL_CHARS || label.contains(['.', '?', '!', '«', '"']) {
        return None;
    }
    let after = &line[colon + 1..];
    if !after.starts_with(' ') && !after.is_empty() {
        return None; // "10:30", "http://" are not labels.
    }
    let skipped = after.chars().take_while(|c| *c == ' ').count();
    Some((label, line[..colon].chars().count() + 1 + skipped))
}

/// Reads a transcript. Text is normalised to NFC first, so the offsets
/// match the stored body.
pub fn parse(text: &str) -> Result<ParsedTranscript, TranscriptError> {
    let body = TextBody::new(text);
    let len = body.char_len();
    let mut turns: Vec<Turn> = Vec::new();
    let mut open: Option<(String, usize, usize)> = None; // label, start, end
    let mut offset = 0;
    for (index, line) in body.as_str().split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let content_chars = content.chars().count();
        if let Some((label, text_start)) = label_of(content) {
            if label.is_empty() {
                return Err(TranscriptError::EmptyLabel { line: index + 1 });
            }
            close(&mut turns, open.take(), len)?;
            if text_start < content_chars {
                open = Some((
                    label.to_owned(),
                    offset + text_start,
                    offset + content_chars,
                ));
            } else {
                open = Some((
                    label.to_owned(),
                    offset + content_chars,
                    offset + content_chars,
                ));
            }
        } else if let Some((_, start, end)) = open.as_mut()
            && !content.trim().is_empty()
        {
            if *start == *end {
                *start = offset;
            }
            *end = offset + content_chars;
        }
        offset += line.chars().count();
    }
    close(&mut turns, open, len)?;
    Ok(ParsedTranscript { body, turns })
}

fn close(
    turns: &mut Vec<Turn>,
    open: Option<(String, usize, usize)>,
    len: usize,
) -> Result<(), TranscriptError> {
    if let Some((speaker, start, end)) = open
        && start < end
    {
        turns.push(Turn {
            speaker,
            participant: None,
            span: Span::new(start, end, len)?,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_french_style_labels_and_continuations() {
        let text = "[SYNTHÉTIQUE]\nEnquêtrice : Bonjour 🙂\nP2 (jeune femme): Il n'y a pas d'emploi.\nLes jeunes partent.\n\nNote à 10:30 sans locuteur";
        let parsed = parse(text).unwrap_or_else(|e| panic!("{e}"));
        let spoken: Vec<(&str, &str)> = parsed
            .turns
            .iter()
            .map(|t| (t.speaker.as_str(), parsed.body.slice(t.span)))
            .collect();
        assert_eq!(
            spoken,
            [
                ("Enquêtrice", "Bonjour 🙂"),
                (
                    "P2 (jeune femme)",
                    "Il n'y a pas d'emploi.\nLes jeunes partent.\n\nNote à 10:30 sans locuteur"
                ),
            ]
        );
    }

    #[test]
    fn crlf_and_empty_turns() {
        let parsed = parse("A: un\r\nB:\r\nC : trois\r\n").unwrap_or_else(|e| panic!("{e}"));
        let labels: Vec<&str> = parsed.turns.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(labels, ["A", "C"]);
        assert_eq!(parsed.body.slice(parsed.turns[0].span), "un");
        assert!(matches!(
            parse(" : rien"),
            Err(TranscriptError::EmptyLabel { line: 1 })
        ));
    }

    proptest! {
        #[test]
        fn turns_are_ordered_and_inside(lines in proptest::collection::vec(("[A-Za-zé ]{0,12}", "[a-zé🙂 ,]{0,30}", any::<bool>()), 0..12)) {
            let text: String = lines
                .iter()
                .map(|(label, said, labelled)| if *labelled { format!("{label}: {said}\n") } else { format!("{said}\n") })
                .collect();
            if let Ok(parsed) = parse(&text) {
                let mut previous = 0;
                for turn in &parsed.turns {
                    prop_assert!(turn.span.start() >= previous);
                    prop_assert!(turn.span.end() <= parsed.body.char_len());
                    previous = turn.span.end();
                }
            }
        }
    }
}
