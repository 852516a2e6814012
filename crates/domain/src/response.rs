//! Responses to a form (submissions from KoBoToolbox, ODK Central): the
//! answers of each submission and of its repeat rows, by question path,
//! checked against the form when they were read.

/// The answers of one row (a submission, or one repeat row): question
/// path → value, in form order, held as a JSON object of strings (the
/// stored shape, built once while reading so that large imports do not
/// allocate per answer). Values are as the form's type stores them: a
/// select's choice names (space-separated for several), numbers and dates
/// as written by ODK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers(String);

impl Default for Answers {
    fn default() -> Self {
        Answers("{}".to_owned())
    }
}

impl Answers {
    /// Builds answers from `(path, value)` pairs, keeping their order.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut builder = AnswersBuilder::default();
        for (path, value) in pairs {
            builder.push(path, value);
        }
        builder.finish()
    }

    /// The JSON object text.
    pub fn as_json(&self) -> &str {
        &self.0
    }

    /// Wraps stored JSON (an object of strings written by [`AnswersBuilder`]).
    pub fn from_stored(json: String) -> Self {
        Answers(json)
    }
}

/// Writes [`Answers`] one pair at a time.
#[derive(Debug, Default)]
pub struct AnswersBuilder {
    json: String,
}

impl AnswersBuilder {
    /// A builder with room for about `bytes` of answers.
    pub fn with_capacity(bytes: usize) -> Self {
        AnswersBuilder {
            json: String::with_capacity(bytes + 2),
        }
    }

    /// Adds one answer.
    pub fn push(&mut self, path: &str, value: &str) {
        self.json.push(if self.json.is_empty() { '{' } else { ',' });
        json_string(&mut self.json, path);
        self.json.push(':');
        json_string(&mut self.json, value);
    }

    /// The answers.
    pub fn finish(mut self) -> Answers {
        if self.json.is_empty() {
            self.json.push('{');
        }
        self.json.push('}');
        Answers(self.json)
    }
}

/// Appends `text` as a JSON string literal.
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
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
    fn answers_are_json_objects_of_strings() {
        let a = Answers::from_pairs([("/a", "x \"q\"\n\u{1}é"), ("/g/b", "")]);
        assert_eq!(
            a.as_json(),
            r#"{"/a":"x \"q\"\né","/g/b":""}"#.replace('é', "\\u0001é")
        );
        let parsed: serde_json::Value =
            serde_json::from_str(a.as_json()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed["/a"], "x \"q\"\n\u{1}é");
        assert_eq!(Answers::default().as_json(), "{}");
        assert_eq!(Answers::from_pairs([]).as_json(), "{}");
    }
}
