//! Text folded for matching names and places: lowercase, accents removed
//! (`é` → `e`), ligatures opened, typographic apostrophes made straight.
//! The one definition lives in `sankore_domain::text`, shared with search
//! and the vault's name index, so a name folds the same way everywhere.

pub use sankore_domain::text::{fold, fold_char};

#[cfg(test)]
mod tests {
    #[test]
    fn accents_case_and_apostrophes() {
        assert_eq!(super::fold("Tin Aïcha"), "tin aicha");
        assert_eq!(super::fold("M’Bouna"), "m'bouna");
        assert_eq!(super::fold("ŒUVRE"), "oeuvre");
    }
}
