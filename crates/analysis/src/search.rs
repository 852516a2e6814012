//! Full-text search that understands French: accents folded and words
//! stemmed, so « jeunes » finds « jeune » and « Jeunesse » finds nothing it
//! should not. The terms are stored in the encrypted database's index
//! (SQLite FTS5), never in a side file.

use rust_stemmers::{Algorithm, Stemmer};

use crate::text::{fold, tokens};

/// Turns texts and queries into index terms.
pub struct SearchTerms {
    fr: Stemmer,
    en: Stemmer,
}

impl Default for SearchTerms {
    fn default() -> Self {
        SearchTerms {
            fr: Stemmer::create(Algorithm::French),
            en: Stemmer::create(Algorithm::English),
        }
    }
}

impl SearchTerms {
    /// The terms one word stands for: its French and English stems, folded.
    fn word_terms(&self, word: &str) -> (String, String) {
        (fold(&self.fr.stem(word)), fold(&self.en.stem(word)))
    }

    /// The index terms of a text, space-separated, in text order.
    pub fn index(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for token in tokens(text, 0) {
            let (fr, en) = self.word_terms(&token.word);
            for term in [fr.as_str(), en.as_str()] {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(term);
                if fr == en {
                    break;
                }
            }
        }
        out
    }

    /// An FTS5 `MATCH` expression for what a person typed: every word
    /// must match, under its French or English stem. `None` when the query
    /// has no word.
    pub fn query(&self, query: &str) -> Option<String> {
        let clauses: Vec<String> = tokens(query, 0)
            .iter()
            .map(|t| {
                let (fr, en) = self.word_terms(&t.word);
                let quote = |s: &str| format!("\"{}\"", s.replace('"', ""));
                if fr == en {
                    quote(&fr)
                } else {
                    format!("({} OR {})", quote(&fr), quote(&en))
                }
            })
            .collect();
        (!clauses.is_empty()).then(|| clauses.join(" AND "))
    }

    /// Where the query's words occur in `text`: scalar spans `[start, end)`
    /// of matching words, for highlighting.
    pub fn matches(&self, text: &str, query: &str) -> Vec<(usize, usize)> {
        let wanted: Vec<(String, String)> = tokens(query, 0)
            .iter()
            .map(|t| self.word_terms(&t.word))
            .collect();
        tokens(text, 0)
            .into_iter()
            .filter(|t| {
                let (fr, en) = self.word_terms(&t.word);
                wanted.iter().any(|(wfr, wen)| *wfr == fr || *wen == en)
            })
            .map(|t| (t.start, t.end))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_inflections_match() {
        let terms = SearchTerms::default();
        let text = "Les jeunes Désœuvrés n'ont pas d'emploi à Diré.";
        let found = terms.matches(text, "jeune desoeuvre emplois dire");
        let words: Vec<String> = found
            .iter()
            .map(|(s, e)| text.chars().skip(*s).take(e - s).collect())
            .collect();
        assert_eq!(words, ["jeunes", "Désœuvrés", "emploi", "Diré"]);
        assert!(terms.matches(text, "pêcheurs").is_empty());
    }

    #[test]
    fn queries_are_fts_expressions() {
        let terms = SearchTerms::default();
        assert_eq!(terms.query("  ,; "), None);
        let q = terms.query("jeunes \"chômage\"").unwrap_or_default();
        assert!(q.contains(" AND "), "{q}");
        assert!(
            !q.contains("\"\""),
            "quotes in the query cannot break out: {q}"
        );
        let index = terms.index("Les jeunes chôment");
        assert!(index.split(' ').any(|t| t == "jeun"), "{index}");
    }
}
