//! Codings (a code applied to a span of a document) and memos.

use serde::{Deserialize, Serialize};

use crate::codebook::{CodeKey, Codebook};
use crate::document::Document;
use crate::error::{DomainError, Result, non_empty};
use crate::participant::stored_enum;
use crate::text::{Span, TextBody};

stored_enum!(
    /// How a coding came to be.
    CodingOrigin, "coding origin" {
        /// Applied by a person.
        Manual => "manual",
        /// Shipped with demo or imported data, already applied.
        PreApplied => "pre-applied",
        /// Imported from another tool (REFI-QDA).
        Imported => "imported",
    }
);

/// A code applied by a coder to `[start, end)` of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    pub document: String,
    pub span: Span,
    pub code: CodeKey,
    /// Handle of the coder.
    pub coder: String,
    pub memo: Option<String>,
    pub origin: CodingOrigin,
}

impl Coding {
    /// Builds a coding after checking that the span lies inside the document
    /// and the code exists in the codebook.
    pub fn new(
        document: &Document,
        codebook: &Codebook,
        start: usize,
        end: usize,
        code: CodeKey,
        coder: &str,
        origin: CodingOrigin,
    ) -> Result<Self> {
        let span = document.span(start, end)?;
        if codebook.get(&code).is_none() {
            return Err(DomainError::UnknownReference {
                what: "coding",
                target: "code",
                key: code.to_string(),
            });
        }
        Ok(Coding {
            document: document.code.clone(),
            span,
            code,
            coder: non_empty("coder", coder)?,
            memo: None,
            origin,
        })
    }
}

/// What a memo is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "key", rename_all = "lowercase")]
pub enum MemoTarget {
    Study,
    Document(String),
    Code(CodeKey),
}

/// A researcher's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memo {
    pub title: String,
    pub body: TextBody,
    pub author: String,
    pub target: MemoTarget,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::{Code, Color};
    use crate::document::DocumentKind;
    use crate::lang::Localized;
    use proptest::prelude::*;

    fn fixtures(text: &str) -> (Document, Codebook) {
        let document = Document {
            code: "D1".into(),
            session: None,
            title: "t".into(),
            kind: DocumentKind::Transcript,
            language: "fr".into(),
            body: TextBody::new(text),
            turns: vec![],
        };
        let code = Code {
            key: CodeKey::new("push").unwrap_or_else(|e| panic!("{e}")),
            parent: None,
            name: Localized::new("Poussée", "Push"),
            description: Localized::default(),
            color: Color::parse("#000000").unwrap_or_else(|e| panic!("{e}")),
            research_questions: vec![],
        };
        let book = Codebook::new(1, "v1", vec![code], 6).unwrap_or_else(|e| panic!("{e}"));
        (document, book)
    }

    #[test]
    fn unknown_code_is_refused() {
        let (doc, book) = fixtures("abc");
        let key = CodeKey::new("pull").unwrap_or_else(|e| panic!("{e}"));
        assert!(Coding::new(&doc, &book, 0, 1, key, "C1", CodingOrigin::Manual).is_err());
    }

    proptest! {
        #[test]
        fn span_lies_inside_document(text in "\\PC{1,30}", start in 0usize..40, len in 0usize..40) {
            let (doc, book) = fixtures(&text);
            let key = CodeKey::new("push").unwrap_or_else(|e| panic!("{e}"));
            let end = start + len;
            let coding = Coding::new(&doc, &book, start, end, key, "C1", CodingOrigin::Manual);
            let fits = start < end && end <= doc.body.char_len();
            prop_assert_eq!(coding.is_ok(), fits);
            if let Ok(c) = coding {
                prop_assert_eq!(doc.text_of(c.span).chars().count(), len);
            }
        }
    }
}
