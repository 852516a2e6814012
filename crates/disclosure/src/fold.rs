//! Text folded for matching names and places: lowercase, accents removed
//! (`é` → `e`), ligatures opened (`œ` → `oe`), typographic apostrophes
//! made straight. Shared with the analysis crate's search terms.

use unicode_normalization::UnicodeNormalization;

/// Folds one character (lowercase, no diacritics) onto `out`.
pub fn fold_char(c: char, out: &mut String) {
    match c {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        '’' | 'ʼ' | '‘' => out.push('\''),
        _ => {
            for d in c.to_lowercase().nfd() {
                if !('\u{300}'..='\u{36f}').contains(&d) {
                    out.push(d);
                }
            }
        }
    }
}

/// Folds a whole string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn accents_case_and_apostrophes() {
        assert_eq!(super::fold("Tin Aïcha"), "tin aicha");
        assert_eq!(super::fold("M’Bouna"), "m'bouna");
        assert_eq!(super::fold("ŒUVRE"), "oeuvre");
    }
}
