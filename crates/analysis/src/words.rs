//! Words: frequencies and keyword in context, with French and English
//! stemming (Snowball, through `rust-stemmers`) and stop words.
//!
//! Words are maximal runs of letters and digits, lowercased; apostrophes
//! and hyphens separate them. With stemming, words sharing a stem are one
//! term, shown by its most frequent form. Each document is read in its own
//! language (`fr` or `en`; other languages are read as the query's default
//! language).

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use sankore_domain::{CodeKey, Coding, Document, Session, SessionKind};
use serde::Serialize;

use crate::error::{AnalysisError, Result};
use crate::text::{ENGLISH_STOP, FRENCH_STOP, tokens};

/// A language words are stemmed and filtered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// French.
    Fr,
    /// English.
    En,
}

impl Language {
    fn of(document: &Document, default: Language) -> Language {
        match document.language.as_str() {
            "fr" => Language::Fr,
            "en" => Language::En,
            _ => default,
        }
    }
}

/// Which text is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Documents of sessions of these kinds only (all when `None`).
    pub kinds: Option<Vec<SessionKind>>,
    /// Only the text coded with this code.
    pub code: Option<CodeKey>,
    /// With `code`: only these coders' codings (all when `None`).
    pub coders: Option<Vec<String>>,
    /// Only text inside speaker turns (leaves out headers).
    pub turns_only: bool,
    /// Leave out the turns of these speaker labels (such as the
    /// interviewers'); implies `turns_only`.
    pub exclude_speakers: Vec<String>,
}

/// A word-frequency query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordsQuery {
    /// Which text.
    pub selection: Selection,
    /// Language of documents in neither French nor English.
    pub default_language: Language,
    /// Group words by stem.
    pub stem: bool,
    /// Leave stop words out.
    pub stop_words: bool,
    /// Shortest word counted, in characters.
    pub min_length: usize,
    /// How many terms to return (most frequent first).
    pub limit: usize,
}

/// A term and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The stem (or the word without stemming).
    pub term: String,
    /// Its most frequent form in the text.
    pub form: String,
    /// Occurrences.
    pub count: u64,
    /// Documents it occurs in.
    pub documents: u64,
}

/// Word frequencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frequencies {
    /// Words read (after stop words and length).
    pub words: u64,
    /// Documents read.
    pub documents: u64,
    /// The most frequent terms, by count then term.
    pub terms: Vec<Term>,
}

/// One occurrence of a keyword with its context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concordance {
    /// Document code.
    pub document: String,
    /// Offsets of the keyword (Unicode scalars).
    pub start: usize,
    /// End of the keyword.
    pub end: usize,
    /// Text before it, on the same line.
    pub left: String,
    /// The keyword as written.
    pub keyword: String,
    /// Text after it, on the same line.
    pub right: String,
}

/// The stretches of a document's text a selection reads, as scalar
/// offsets; `None` when the document is out of the selection.
fn stretches(
    document: &Document,
    selection: &Selection,
    kind_of: &HashMap<&str, SessionKind>,
    codings: &[Coding],
) -> Option<Vec<(usize, usize)>> {
    if let Some(kinds) = &selection.kinds {
        let kind = document.session.as_deref().and_then(|s| kind_of.get(s))?;
        if !kinds.contains(kind) {
            return None;
        }
    }
    let mut parts: Vec<(usize, usize)> =
        if selection.turns_only || !selection.exclude_speakers.is_empty() {
            document
                .turns
                .iter()
                .filter(|t| !selection.exclude_speakers.contains(&t.speaker))
                .map(|t| (t.span.start(), t.span.end()))
                .collect()
        } else {
            vec![(0, document.body.char_len())]
        };
    if let Some(code) = &selection.code {
        let mut coded: Vec<(usize, usize)> = codings
            .iter()
            .filter(|c| {
                c.document == document.code
                    && &c.code == code
                    && selection
                        .coders
                        .as_ref()
                        .is_none_or(|l| l.contains(&c.coder))
            })
            .map(|c| (c.span.start(), c.span.end()))
            .collect();
        coded.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in coded {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        parts = parts
            .iter()
            .flat_map(|(a, b)| {
                merged.iter().filter_map(move |(s, e)| {
                    let (from, to) = ((*a).max(*s), (*b).min(*e));
                    (from < to).then_some((from, to))
                })
            })
            .collect();
    }
    (!parts.is_empty()).then_some(parts)
}

/// The characters of a text, for slicing by scalar offsets.
fn slice(chars: &[char], from: usize, to: usize) -> String {
    chars[from.min(chars.len())..to.min(chars.len())]
        .iter()
        .collect()
}

struct Reader {
    fr: Stemmer,
    en: Stemmer,
}

impl Reader {
    fn new() -> Self {
        Reader {
            fr: Stemmer::create(Algorithm::French),
            en: Stemmer::create(Algorithm::English),
        }
    }

    fn stem(&self, word: &str, language: Language) -> String {
        match language {
            Language::Fr => self.fr.stem(word).into_owned(),
            Language::En => self.en.stem(word).into_owned(),
        }
    }
}

fn is_stop(word: &str, language: Language) -> bool {
    match language {
        Language::Fr => FRENCH_STOP.contains(&word),
        Language::En => ENGLISH_STOP.contains(&word),
    }
}

fn session_kinds(sessions: &[Session]) -> HashMap<&str, SessionKind> {
    sessions.iter().map(|s| (s.code.as_str(), s.kind)).collect()
}

/// Counts the terms of the selected text.
pub fn frequencies(
    query: &WordsQuery,
    documents: &[Document],
    sessions: &[Session],
    codings: &[Coding],
) -> Frequencies {
    let reader = Reader::new();
    let kind_of = session_kinds(sessions);
    // term -> (count, last document counted, documents, forms)
    let mut terms: HashMap<String, (u64, usize, u64, HashMap<String, u64>)> = HashMap::new();
    let mut words = 0;
    let mut read = 0;
    for (d, document) in documents.iter().enumerate() {
        let Some(parts) = stretches(document, &query.selection, &kind_of, codings) else {
            continue;
        };
        read += 1;
        let language = Language::of(document, query.default_language);
        let chars: Vec<char> = document.body.as_str().chars().collect();
        for (from, to) in parts {
            for token in tokens(&slice(&chars, from, to), from) {
                if token.word.chars().count() < query.min_length
                    || (query.stop_words && is_stop(&token.word, language))
                {
                    continue;
                }
                words += 1;
                let term = if query.stem {
                    reader.stem(&token.word, language)
                } else {
                    token.word.clone()
                };
                let entry = terms
                    .entry(term)
                    .or_insert((0, usize::MAX, 0, HashMap::new()));
                entry.0 += 1;
                if entry.1 != d {
                    entry.1 = d;
                    entry.2 += 1;
                }
                *entry.3.entry(token.word).or_default() += 1;
            }
        }
    }
    let mut list: Vec<Term> = terms
        .into_iter()
        .map(|(term, (count, _, documents, forms))| {
            let form = forms
                .into_iter()
                .max_by(|(a, x), (b, y)| x.cmp(y).then_with(|| b.cmp(a)))
                .map(|(f, _)| f)
                .unwrap_or_default();
            Term {
                term,
                form,
                count,
                documents,
            }
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
    list.truncate(query.limit);
    Frequencies {
        words,
        documents: read,
        terms: list,
    }
}

/// A keyword-in-context query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KwicQuery {
    /// The keyword: one word.
    pub keyword: String,
    /// Which text.
    pub selection: Selection,
    /// Language of documents in neither French nor English.
    pub default_language: Language,
    /// Compare by stem (else as lowercase words).
    pub stem: bool,
    /// Characters of context on each side (cut at line breaks).
    pub width: usize,
}

/// Every occurrence of the keyword in the selected text, with its context.
pub fn keyword_in_context(
    query: &KwicQuery,
    documents: &[Document],
    sessions: &[Session],
    codings: &[Coding],
) -> Result<Vec<Concordance>> {
    let KwicQuery {
        keyword,
        selection,
        default_language,
        stem,
        width,
    } = query;
    let (default_language, stem, width) = (*default_language, *stem, *width);
    let wanted = tokens(keyword, 0);
    let [wanted] = wanted.as_slice() else {
        return Err(AnalysisError::NotOneWord);
    };
    let reader = Reader::new();
    let kind_of = session_kinds(sessions);
    let mut out = Vec::new();
    for document in documents {
        let Some(parts) = stretches(document, selection, &kind_of, codings) else {
            continue;
        };
        let language = Language::of(document, default_language);
        let target = if stem {
            reader.stem(&wanted.word, language)
        } else {
            wanted.word.clone()
        };
        let chars: Vec<char> = document.body.as_str().chars().collect();
        for (from, to) in parts {
            for token in tokens(&slice(&chars, from, to), from) {
                let term = if stem {
                    reader.stem(&token.word, language)
                } else {
                    token.word.clone()
                };
                if term != target {
                    continue;
                }
                let mut left_start = token.start.saturating_sub(width);
                if let Some(nl) = chars[left_start..token.start]
                    .iter()
                    .rposition(|c| *c == '\n')
                {
                    left_start += nl + 1;
                }
                let right_end = (token.end + width).min(chars.len());
                let right_end = chars[token.end..right_end]
                    .iter()
                    .position(|c| *c == '\n' || *c == '\r')
                    .map_or(right_end, |p| token.end + p);
                out.push(Concordance {
                    document: document.code.clone(),
                    start: token.start,
                    end: token.end,
                    left: slice(&chars, left_start, token.start),
                    keyword: slice(&chars, token.start, token.end),
                    right: slice(&chars, token.end, right_end),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_domain::{DocumentKind, TextBody};

    fn doc(code: &str, language: &str, text: &str) -> Document {
        Document {
            code: code.into(),
            session: None,
            title: "t".into(),
            kind: DocumentKind::Notes,
            language: language.into(),
            body: TextBody::new(text),
            turns: vec![],
        }
    }

    fn query() -> WordsQuery {
        WordsQuery {
            selection: Selection::default(),
            default_language: Language::Fr,
            stem: true,
            stop_words: true,
            min_length: 2,
            limit: 10,
        }
    }

    #[test]
    fn french_words_share_stems_and_stop_words_go() {
        let docs = [
            doc(
                "A",
                "fr",
                "Les jeunes et le recrutement. Ils sont recrutés jeunes.",
            ),
            doc("B", "fr", "Un jeune à recruter."),
        ];
        let f = frequencies(&query(), &docs, &[], &[]);
        let top: Vec<(&str, u64, u64)> = f
            .terms
            .iter()
            .map(|t| (t.form.as_str(), t.count, t.documents))
            .collect();
        assert_eq!(top[0], ("jeunes", 3, 2), "{top:?}");
        assert_eq!(top[1].1, 3, "recrutement, recrutés, recruter: {top:?}");
        assert_eq!(f.terms[1].term, "recrut");
        assert!(f.terms.iter().all(|t| t.term != "les" && t.term != "d"));
    }

    #[test]
    fn english_documents_use_english_rules() {
        let docs = [doc(
            "E",
            "en",
            "The youths were recruiting; recruitment of youth.",
        )];
        let f = frequencies(&query(), &docs, &[], &[]);
        assert!(f.terms.iter().any(|t| t.term == "youth" && t.count == 2));
        assert!(f.terms.iter().all(|t| t.term != "the"));
    }

    #[test]
    fn keyword_in_context_stays_on_its_line() {
        let docs = [doc(
            "A",
            "fr",
            "Première ligne\nIls sont recrutés sans emploi.\nFin",
        )];
        let query = KwicQuery {
            keyword: "recrutement".into(),
            selection: Selection::default(),
            default_language: Language::Fr,
            stem: true,
            width: 12,
        };
        let hits = keyword_in_context(&query, &docs, &[], &[]).unwrap_or_default();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].left, "Ils sont ");
        assert_eq!(hits[0].keyword, "recrutés");
        assert_eq!(hits[0].right, " sans emploi");
    }
}
