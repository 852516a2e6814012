//! Working languages and text given in both of them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::DomainError;

/// A language Sankore's interface and outputs are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French, the working language of the reference study.
    Fr,
    /// English, the funders' language.
    En,
}

impl Lang {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = DomainError;

    /// Accepts `fr`, `en`, and locale strings such as `fr_ML.UTF-8`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let primary = lower.split(['_', '-', '.']).next().unwrap_or_default();
        match primary {
            "fr" | "french" | "français" => Ok(Lang::Fr),
            "en" | "english" | "anglais" => Ok(Lang::En),
            _ => Err(DomainError::Invalid {
                field: "language",
                reason: format!("{s:?} is not one of fr, en"),
            }),
        }
    }
}

/// A short text in French and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Localized {
    pub fr: String,
    pub en: String,
}

impl Localized {
    /// Builds a text from its two versions.
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Localized {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// The version in `lang`, falling back to the other one when it is empty.
    pub fn get(&self, lang: Lang) -> &str {
        let (wanted, other) = match lang {
            Lang::Fr => (&self.fr, &self.en),
            Lang::En => (&self.en, &self.fr),
        };
        if wanted.is_empty() { other } else { wanted }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_locales() {
        assert_eq!("fr_ML.UTF-8".parse::<Lang>(), Ok(Lang::Fr));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("de".parse::<Lang>().is_err());
    }

    #[test]
    fn localized_falls_back() {
        let t = Localized::new("", "only English");
        assert_eq!(t.get(Lang::Fr), "only English");
        assert_eq!(t.get(Lang::En), "only English");
    }
}
