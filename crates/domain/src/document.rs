//! Documents to code: transcripts and field notes, with speaker turns.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result, non_empty};
use crate::participant::{ParticipantCode, stored_enum};
use crate::text::{Span, TextBody};

stored_enum!(
    /// What a document is.
    DocumentKind, "document kind" {
        Transcript => "transcript",
        Notes => "notes",
    }
);

/// One speaker's turn: who spoke and where in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// The label written in the transcript, such as `P3 (femme)` or `Animateur`.
    pub speaker: String,
    /// The registered participant speaking, when known.
    pub participant: Option<ParticipantCode>,
    pub span: Span,
}

/// A transcript or a note, in NFC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Stable code, such as `TBK-INT-023-T`.
    pub code: String,
    /// Code of the session it records, if any.
    pub session: Option<String>,
    pub title: String,
    pub kind: DocumentKind,
    /// Language of the text: an ISO 639 code (`fr`, `en`, `son`, `taq`...).
    pub language: String,
    pub body: TextBody,
    /// Speaker turns, in order and not overlapping.
    pub turns: Vec<Turn>,
}

impl Document {
    /// Checks code, title and language, and that turns lie inside the text,
    /// in order, without overlapping.
    pub fn new(document: Document) -> Result<Document> {
        non_empty("document code", &document.code)?;
        non_empty("document title", &document.title)?;
        let lang_ok = (2..=3).contains(&document.language.len())
            && document.language.chars().all(|c| c.is_ascii_lowercase());
        if !lang_ok {
            return Err(DomainError::Invalid {
                field: "document language",
                reason: format!("{:?} is not an ISO 639 code", document.language),
            });
        }
        let len = document.body.char_len();
        let mut previous_end = 0;
        for turn in &document.turns {
            non_empty("speaker", &turn.speaker)?;
            let span = turn.span;
            if span.end() > len {
                return Err(DomainError::SpanOutOfBounds {
                    start: span.start(),
                    end: span.end(),
                    len,
                });
            }
            if span.start() < previous_end {
                return Err(DomainError::Invalid {
                    field: "speaker turns",
                    reason: format!(
                        "turn at {} overlaps or precedes the one before",
                        span.start()
                    ),
                });
            }
            previous_end = span.end();
        }
        Ok(document)
    }

    /// Builds a span after checking it fits the text.
    pub fn span(&self, start: usize, end: usize) -> Result<Span> {
        self.body.span(start, end)
    }

    /// The characters a span covers.
    pub fn text_of(&self, span: Span) -> &str {
        self.body.slice(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, turns: Vec<(usize, usize)>) -> Result<Document> {
        let body = TextBody::new(text);
        let turns = turns
            .into_iter()
            .map(|(s, e)| {
                Ok(Turn {
                    speaker: "P1".into(),
                    participant: None,
                    span: Span::new(s, e, usize::MAX)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Document::new(Document {
            code: "D1".into(),
            session: None,
            title: "t".into(),
            kind: DocumentKind::Transcript,
            language: "fr".into(),
            body,
            turns,
        })
    }

    #[test]
    fn turns_must_fit_and_be_ordered() {
        assert!(doc("abcdef", vec![(0, 3), (3, 6)]).is_ok());
        assert!(doc("abcdef", vec![(0, 3), (2, 6)]).is_err());
        assert!(doc("abcdef", vec![(0, 7)]).is_err());
    }
}
