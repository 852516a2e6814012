//! Responses to a form (submissions from KoBoToolbox, ODK Central): the
//! answers of each submission and of its repeat rows, by question path,
//! checked against the form when they were read.

use crate::error::{DomainError, Result};

/// The answers of one row (a submission, or one repeat row): question
/// path → value, in form order. Values are as the form's type stores them:
/// a select's choice names (space-separated for several), numbers and
/// dates as written by ODK.
///
/// Held as one string of length-prefixed pairs (`4:/age2:35`: the byte
/// length of the path, `:`, the path, the byte length of the value, `:`,
/// the value), built once while reading so that large imports do not
/// allocate per answer; the store keeps this text as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers(String);

impl Answers {
    /// Builds answers from `(path, value)` pairs, keeping their order.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut builder = AnswersBuilder::default();
        for (path, value) in pairs {
            builder.push(path, value);
        }
        builder.finish()
    }

    /// The stored text (see the type's description).
    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// Reads stored text, refusing anything [`AnswersBuilder`] would not
    /// have written.
    pub fn from_stored(text: String) -> Result<Self> {
        let answers = Answers(text);
        let mut pairs = answers.pairs_from(0);
        for _ in pairs.by_ref() {}
        if pairs.at != answers.0.len() {
            return Err(DomainError::Invalid {
                field: "stored answers",
                reason: format!("not length-prefixed pairs at byte {}", pairs.at),
            });
        }
        Ok(answers)
    }

    /// The `(path, value)` pairs, in order.
    pub fn iter(&self) -> Pairs<'_> {
        self.pairs_from(0)
    }

    /// The value answered to the question at `path`.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.iter().find(|(p, _)| *p == path).map(|(_, v)| v)
    }

    /// Whether no question was answered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn pairs_from(&self, at: usize) -> Pairs<'_> {
        Pairs { text: &self.0, at }
    }
}

/// The pairs of [`Answers`], in order.
#[derive(Debug, Clone)]
pub struct Pairs<'a> {
    text: &'a str,
    /// Byte offset of the next pair.
    at: usize,
}

impl<'a> Pairs<'a> {
    /// One length-prefixed part at `self.at`, moving past it.
    fn part(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.at..)?;
        let colon = rest.find(':')?;
        let digits = &rest[..colon];
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let len: usize = digits.parse().ok()?;
        let start = colon + 1;
        let part = rest.get(start..start.checked_add(len)?)?;
        self.at += start + len;
        Some(part)
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.at;
        match (self.part(), self.part()) {
            (Some(path), Some(value)) => Some((path, value)),
            _ => {
                // A damaged tail stops the iteration where it starts.
                self.at = start;
                None
            }
        }
    }
}

/// Writes [`Answers`] one pair at a time.
#[derive(Debug, Default)]
pub struct AnswersBuilder {
    text: String,
}

impl AnswersBuilder {
    /// A builder with room for about `bytes` of answers.
    pub fn with_capacity(bytes: usize) -> Self {
        AnswersBuilder {
            text: String::with_capacity(bytes),
        }
    }

    /// Adds one answer.
    pub fn push(&mut self, path: &str, value: &str) {
        for part in [path, value] {
            push_len(&mut self.text, part.len());
            self.text.push(':');
            self.text.push_str(part);
        }
    }

    /// The answers.
    pub fn finish(self) -> Answers {
        Answers(self.text)
    }
}

/// Appends a length in decimal (without the formatting machinery: this
/// runs twice for every answer of an import).
fn push_len(out: &mut String, mut len: usize) {
    // Most paths and values are shorter than 10 bytes.
    if len < 10 {
        out.push(char::from(b'0' + len as u8));
        return;
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (len % 10) as u8;
        len /= 10;
        if len == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        out.push(char::from(*d));
    }
}

/// One row of a repeat group inside a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatRow {
    /// The repeat's path in the form (`/household/member`).
    pub repeat: String,
    /// The parent row: an index into the submission's `repeats` (always
    /// an earlier one), or `None` for the submission itself.
    pub parent: Option<usize>,
    pub answers: Answers,
}

/// One submission of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The submission's key: KoBoToolbox `_uuid`, ODK instance ID.
    pub key: String,
    /// When the server received it, as the export wrote it.
    pub submitted_at: Option<String>,
    /// Answers outside repeats.
    pub answers: Answers,
    /// Repeat rows, parents before children.
    pub repeats: Vec<RepeatRow>,
}

/// The records a submission gives through a mapping file: its
/// participant (new, or one the workspace already has), the interview
/// session, and documents from its long text answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkedRecords {
    pub participant: Option<crate::Participant>,
    pub session: Option<crate::Session>,
    pub documents: Vec<crate::Document>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_their_pairs_in_order() {
        let a = Answers::from_pairs([("/a", "x \"q\"\n\u{1}é:3:"), ("/g/b", ""), ("/c", "10")]);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [("/a", "x \"q\"\n\u{1}é:3:"), ("/g/b", ""), ("/c", "10")]
        );
        assert_eq!(a.as_stored(), "2:/a12:x \"q\"\n\u{1}é:3:4:/g/b0:2:/c2:10");
        assert_eq!(a.get("/c"), Some("10"));
        assert_eq!(a.get("/g/b"), Some(""));
        assert_eq!(a.get("/x"), None);
        assert!(Answers::default().is_empty());
        assert_eq!(Answers::from_pairs([]).iter().count(), 0);
    }

    #[test]
    fn stored_answers_are_checked() {
        let a = Answers::from_pairs([("/é", "ü"), ("/b", "12345678901")]);
        assert_eq!(Answers::from_stored(a.as_stored().to_owned()), Ok(a));
        assert_eq!(Answers::from_stored(String::new()), Ok(Answers::default()));
        for bad in [
            "2:/a",
            "2:/a3:xy",
            "x:/a0:",
            "2:/é0:",
            "2:/a0:junk",
            "2:/a-1:",
            "{}",
        ] {
            assert!(Answers::from_stored(bad.to_owned()).is_err(), "{bad:?}");
        }
    }
}
