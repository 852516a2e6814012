//! Hierarchical codebooks, versioned, with codes linked to research questions.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::error::{DomainError, Result, non_empty};
use crate::lang::Localized;
use crate::study::check_key;

/// A stable code key such as `push.governance.justice`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodeKey(String);

impl CodeKey {
    /// Lowercase ASCII letters, digits, `-` and `.`, 1 to 64 long.
    pub fn new(key: &str) -> Result<Self> {
        check_key("code key", key)?;
        Ok(CodeKey(key.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CodeKey {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self> {
        CodeKey::new(&value)
    }
}

impl From<CodeKey> for String {
    fn from(value: CodeKey) -> Self {
        value.0
    }
}

/// A colour as `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Color([u8; 3]);

impl Color {
    /// Parses `#rrggbb` (case-insensitive).
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = || DomainError::Invalid {
            field: "colour",
            reason: format!("{text:?} is not #rrggbb"),
        };
        let hex = text.strip_prefix('#').ok_or_else(invalid)?;
        if hex.len() != 6 || !hex.is_ascii() {
            return Err(invalid());
        }
        let mut rgb = [0u8; 3];
        for (i, channel) in rgb.iter_mut().enumerate() {
            *channel = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|_| invalid())?;
        }
        Ok(Color(rgb))
    }

    /// Red, green and blue channels.
    pub fn rgb(self) -> [u8; 3] {
        self.0
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl TryFrom<String> for Color {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self> {
        Color::parse(&value)
    }
}

impl From<Color> for String {
    fn from(value: Color) -> Self {
        value.to_string()
    }
}

/// One code of a codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub key: CodeKey,
    pub parent: Option<CodeKey>,
    pub name: Localized,
    pub description: Localized,
    pub color: Color,
    /// Numbers of the research questions the code helps answer.
    pub research_questions: Vec<u8>,
}

/// A version of a study's codebook: a forest of codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    /// Increases by one with each saved change.
    pub version: u32,
    pub label: String,
    codes: Vec<Code>,
}

impl Codebook {
    /// Checks the tree: unique keys, parents that exist, no cycles, sibling
    /// names unique (in each language), and research questions within
    /// `1..=research_questions`.
    pub fn new(
        version: u32,
        label: &str,
        codes: Vec<Code>,
        research_questions: u8,
    ) -> Result<Self> {
        let label = non_empty("codebook label", label)?;
        let mut parents: BTreeMap<&CodeKey, Option<&CodeKey>> = BTreeMap::new();
        for code in &codes {
            if code.name.fr.trim().is_empty() && code.name.en.trim().is_empty() {
                return Err(DomainError::Empty { field: "code name" });
            }
            if parents.insert(&code.key, code.parent.as_ref()).is_some() {
                return Err(DomainError::Duplicate {
                    what: "code key",
                    key: code.key.to_string(),
                });
            }
            if let Some(rq) = code
                .research_questions
                .iter()
                .find(|rq| **rq == 0 || **rq > research_questions)
            {
                return Err(DomainError::UnknownReference {
                    what: "code",
                    target: "research question",
                    key: format!("{} -> RQ{rq}", code.key),
                });
            }
        }
        for code in &codes {
            let mut steps = 0;
            let mut cursor = code.parent.as_ref();
            while let Some(parent) = cursor {
                cursor = *parents
                    .get(parent)
                    .ok_or_else(|| DomainError::UnknownReference {
                        what: "code",
                        target: "parent code",
                        key: parent.to_string(),
                    })?;
                steps += 1;
                if steps > codes.len() {
                    return Err(DomainError::Invalid {
                        field: "code parent",
                        reason: format!("{} is its own ancestor", code.key),
                    });
                }
            }
        }
        let mut sibling_names = BTreeSet::new();
        for code in &codes {
            for (lang, name) in [("fr", &code.name.fr), ("en", &code.name.en)] {
                let folded = name.trim().to_lowercase();
                if !folded.is_empty() && !sibling_names.insert((code.parent.as_ref(), lang, folded))
                {
                    return Err(DomainError::Duplicate {
                        what: "code name among siblings",
                        key: name.clone(),
                    });
                }
            }
        }
        Ok(Codebook {
            version,
            label,
            codes,
        })
    }

    /// All codes, parents before children when built that way.
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// The code with this key.
    pub fn get(&self, key: &CodeKey) -> Option<&Code> {
        self.codes.iter().find(|c| &c.key == key)
    }

    /// Direct children of a code (`None`: the top-level codes).
    pub fn children<'a>(&'a self, parent: Option<&'a CodeKey>) -> impl Iterator<Item = &'a Code> {
        self.codes
            .iter()
            .filter(move |c| c.parent.as_ref() == parent)
    }

    /// A new version with `code` added, or replacing the code with the same
    /// key (rename, move, recolour, redescribe); the tree rules are checked
    /// again.
    pub fn with_code(&self, code: Code, research_questions: u8) -> Result<Codebook> {
        let mut codes = self.codes.clone();
        match codes.iter_mut().find(|c| c.key == code.key) {
            Some(existing) => *existing = code,
            None => codes.push(code),
        }
        Codebook::new(self.version + 1, &self.label, codes, research_questions)
    }

    /// A new version where `from` is merged into `into`: `from`'s children
    /// move under `into` and `from` disappears (its codings are the
    /// caller's to move).
    pub fn merged(
        &self,
        from: &CodeKey,
        into: &CodeKey,
        research_questions: u8,
    ) -> Result<Codebook> {
        if from == into {
            return Err(DomainError::Invalid {
                field: "merge",
                reason: format!("cannot merge {from} into itself"),
            });
        }
        for key in [from, into] {
            if self.get(key).is_none() {
                return Err(DomainError::UnknownReference {
                    what: "merge",
                    target: "code",
                    key: key.to_string(),
                });
            }
        }
        let codes = self
            .codes
            .iter()
            .filter(|c| &c.key != from)
            .cloned()
            .map(|mut c| {
                if c.parent.as_ref() == Some(from) {
                    c.parent = Some(into.clone());
                }
                c
            })
            .collect();
        Codebook::new(self.version + 1, &self.label, codes, research_questions)
    }

    /// Depth of a code: 0 for a top-level code.
    pub fn depth(&self, key: &CodeKey) -> usize {
        let mut depth = 0;
        let mut cursor = self.get(key).and_then(|c| c.parent.as_ref());
        while let Some(parent) = cursor {
            depth += 1;
            cursor = self.get(parent).and_then(|c| c.parent.as_ref());
        }
        depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(key: &str, parent: Option<&str>, name: &str) -> Code {
        Code {
            key: CodeKey::new(key).unwrap_or_else(|e| panic!("{e}")),
            parent: parent.map(|p| CodeKey::new(p).unwrap_or_else(|e| panic!("{e}"))),
            name: Localized::new(name, name),
            description: Localized::default(),
            color: Color([0, 0, 0]),
            research_questions: vec![3],
        }
    }

    #[test]
    fn accepts_a_tree() {
        let book = Codebook::new(
            1,
            "v1",
            vec![
                code("push", None, "Push"),
                code("push.jobs", Some("push"), "Jobs"),
            ],
            6,
        );
        let book = book.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            book.depth(&CodeKey::new("push.jobs").unwrap_or_else(|e| panic!("{e}"))),
            1
        );
    }

    #[test]
    fn refuses_cycles_orphans_and_duplicates() {
        let cycle = vec![code("a", Some("b"), "A"), code("b", Some("a"), "B")];
        assert!(Codebook::new(1, "v", cycle, 6).is_err());
        let orphan = vec![code("a", Some("missing"), "A")];
        assert!(matches!(
            Codebook::new(1, "v", orphan, 6),
            Err(DomainError::UnknownReference { .. })
        ));
        let twins = vec![code("a", None, "Same"), code("b", None, "same")];
        assert!(matches!(
            Codebook::new(1, "v", twins, 6),
            Err(DomainError::Duplicate { .. })
        ));
    }

    #[test]
    fn editing_keeps_the_tree_rules() {
        let book = Codebook::new(
            1,
            "v1",
            vec![
                code("push", None, "Push"),
                code("push.jobs", Some("push"), "Jobs"),
                code("pull", None, "Pull"),
                code("pull.money", Some("pull"), "Money"),
            ],
            6,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let key = |k: &str| CodeKey::new(k).unwrap_or_else(|e| panic!("{e}"));
        // Moving a code under its own child is a cycle.
        let mut push = book
            .get(&key("push"))
            .cloned()
            .unwrap_or_else(|| panic!("push"));
        push.parent = Some(key("push.jobs"));
        assert!(book.with_code(push, 6).is_err());
        // Renaming bumps the version.
        let mut jobs = book
            .get(&key("push.jobs"))
            .cloned()
            .unwrap_or_else(|| panic!("jobs"));
        jobs.name = Localized::new("Emploi", "Employment");
        let renamed = book.with_code(jobs, 6).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(renamed.version, 2);
        // Merging moves the children and removes the source.
        let merged = renamed
            .merged(&key("pull"), &key("push"), 6)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(merged.get(&key("pull")).is_none());
        assert_eq!(
            merged
                .get(&key("pull.money"))
                .and_then(|c| c.parent.clone()),
            Some(key("push"))
        );
        assert!(merged.merged(&key("push"), &key("push"), 6).is_err());
    }

    #[test]
    fn research_questions_must_exist() {
        let mut c = code("a", None, "A");
        c.research_questions = vec![7];
        assert!(Codebook::new(1, "v", vec![c], 6).is_err());
    }

    #[test]
    fn colours_round_trip() {
        let c = Color::parse("#1F77b4").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.to_string(), "#1f77b4");
        assert!(Color::parse("1f77b4").is_err());
        assert!(Color::parse("#1f77bz").is_err());
        assert!(Color::parse("#é1f77").is_err());
    }
}
