//! Text helpers shared by the word and auto-coding analyses: tokens with
//! their scalar offsets, accent folding with an offset map, stop words.

/// A word of a text: maximal run of alphanumeric characters, lowercased,
/// with its scalar offsets `[start, end)` in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub word: String,
    pub start: usize,
    pub end: usize,
}

/// The words of `text`, offsets counted from `base`. Apostrophes, hyphens
/// and punctuation separate words (`l'école` gives `l` and `école`).
pub(crate) fn tokens(text: &str, base: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut i = base;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if current.is_empty() {
                start = i;
            }
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            out.push(Token {
                word: std::mem::take(&mut current),
                start,
                end: i,
            });
        }
        i += 1;
    }
    if !current.is_empty() {
        out.push(Token {
            word: current,
            start,
            end: i,
        });
    }
    out
}

/// Text folded for matching: lowercase, accents removed (`é` → `e`),
/// ligatures opened (`œ` → `oe`), typographic apostrophes made straight;
/// with, for each byte of the folded text (and one past the end), the
/// scalar offset of the original character it came from.
pub(crate) struct Folded {
    pub text: String,
    pub origin: Vec<usize>,
}

pub(crate) use sankore_domain::text::{fold, fold_char};

/// Folds a text, keeping the way back to its offsets.
pub(crate) fn fold_with_offsets(text: &str) -> Folded {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut scalars = 0;
    for (i, c) in text.chars().enumerate() {
        let before = folded.len();
        fold_char(c, &mut folded);
        origin.extend(std::iter::repeat_n(i, folded.len() - before));
        scalars = i + 1;
    }
    origin.push(scalars);
    Folded {
        text: folded,
        origin,
    }
}

/// French stop words (after Snowball's French list, with elided forms).
pub(crate) const FRENCH_STOP: &[&str] = &[
    "a", "à", "ai", "aie", "aient", "aies", "ait", "alors", "as", "au", "aucun", "aucune", "aura",
    "aurai", "auraient", "aurais", "aurait", "auras", "aurez", "auriez", "aurions", "aurons",
    "auront", "aussi", "autre", "autres", "aux", "avaient", "avais", "avait", "avec", "avez",
    "aviez", "avions", "avoir", "avons", "ayant", "ayez", "ayons", "bien", "c", "ça", "car", "ce",
    "ceci", "cela", "celle", "celles", "celui", "ces", "cet", "cette", "ceux", "chez", "comme",
    "d", "dans", "de", "des", "donc", "dont", "du", "elle", "elles", "en", "encore", "entre", "es",
    "est", "et", "étaient", "étais", "était", "étant", "été", "êtes", "étiez", "étions", "être",
    "eu", "eue", "eues", "eûmes", "eurent", "eus", "eusse", "eussent", "eusses", "eussiez",
    "eussions", "eut", "eût", "eûtes", "eux", "fait", "faut", "fûmes", "furent", "fus", "fusse",
    "fussent", "fusses", "fussiez", "fussions", "fut", "fût", "fûtes", "ici", "il", "ils", "j",
    "je", "l", "la", "le", "les", "leur", "leurs", "lui", "m", "ma", "mais", "me", "même", "mes",
    "moi", "mon", "n", "ne", "ni", "nos", "notre", "nous", "on", "ont", "ou", "où", "par", "parce",
    "pas", "peu", "plus", "pour", "qu", "que", "quel", "quelle", "quelles", "quels", "qui", "s",
    "sa", "sans", "se", "sera", "serai", "seraient", "serais", "serait", "seras", "serez",
    "seriez", "serions", "serons", "seront", "ses", "si", "soi", "soient", "sois", "soit",
    "sommes", "son", "sont", "soyez", "soyons", "suis", "sur", "t", "ta", "te", "tes", "toi",
    "ton", "tous", "tout", "toute", "toutes", "très", "tu", "un", "une", "vos", "votre", "vous",
    "y",
];

/// English stop words (after Snowball's English list).
pub(crate) const ENGLISH_STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "d",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "ll",
    "m",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "re",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "ve",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_scalar_offsets() {
        let t = tokens("L'école à Diré, 2017.", 10);
        let words: Vec<&str> = t.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(words, ["l", "école", "à", "diré", "2017"]);
        assert_eq!((t[1].start, t[1].end), (12, 17));
        assert_eq!((t[3].start, t[3].end), (20, 24));
    }

    #[test]
    fn folding_maps_back() {
        let f = fold_with_offsets("Cœur ÉTÉ");
        assert_eq!(f.text, "coeur ete");
        // "e" of "oe" comes from the ligature at scalar 1.
        assert_eq!(f.origin[2], 1);
        assert_eq!(f.origin[f.text.len()], 8);
        assert_eq!(fold("Ségou’s"), "segou's");
    }

    #[test]
    fn stop_lists_are_sorted_lowercase() {
        for list in [FRENCH_STOP, ENGLISH_STOP] {
            assert!(list.iter().all(|w| w.to_lowercase() == *w));
        }
    }
}
