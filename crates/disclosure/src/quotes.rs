//! Quotes: what may stand next to them, and a scan of their text for what
//! could identify a speaker or a third person. A flagged quote is blocked
//! until a person edits it or approves it with a reason.

use regex::Regex;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use crate::fold::fold;

/// Who said it, pseudonymously: at most a stakeholder group, a cercle and
/// a gender. The type has no room for anything else (no code, no name, no
/// village, no age).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Attribution {
    pub group: Option<String>,
    pub cercle: Option<String>,
    pub gender: Option<String>,
}

impl Attribution {
    /// Coarsens the attribution until the people it describes number at
    /// least `k`: gender goes first, then the cercle, then the group.
    /// `population` counts the study's participants matching an
    /// attribution.
    pub fn coarsened(mut self, k: u64, population: impl Fn(&Attribution) -> u64) -> Attribution {
        if population(&self) >= k {
            return self;
        }
        self.gender = None;
        if population(&self) >= k {
            return self;
        }
        self.cercle = None;
        if population(&self) >= k {
            return self;
        }
        Attribution::default()
    }
}

/// Tells whether a word is a person's name. The identity vault implements
/// it over keyed fingerprints of name tokens, so the scan never holds the
/// names themselves.
pub trait NameIndex {
    /// Whether `token` (one word, as written) is a known name.
    fn is_name(&self, token: &str) -> bool;
}

/// Names held in memory, compared folded (case and accents ignored): for
/// tests, and for the participants' pseudonymous codes, which must not
/// appear in a published quote either.
#[derive(Debug, Clone, Default)]
pub struct MemoryNames(BTreeSet<String>);

impl MemoryNames {
    /// An index over `names` (each may hold several words; each word is
    /// indexed, and a code such as `P-TBK-001` is one word).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> MemoryNames {
        MemoryNames(
            names
                .into_iter()
                .flat_map(|n| words(n).map(|(w, _, _)| fold(w)).collect::<Vec<_>>())
                .collect(),
        )
    }
}

impl NameIndex for MemoryNames {
    fn is_name(&self, token: &str) -> bool {
        self.0.contains(&fold(token))
    }
}

/// Every index in turn: a word is a name when any of them says so.
impl<A: NameIndex, B: NameIndex> NameIndex for (A, B) {
    fn is_name(&self, token: &str) -> bool {
        self.0.is_name(token) || self.1.is_name(token)
    }
}

/// Place names below cercle level (communes, villages), matched folded and
/// on word boundaries, several words allowed (`Tin Aïcha`).
#[derive(Debug, Clone, Default)]
pub struct PlaceIndex {
    /// Folded names, each as its folded words.
    names: Vec<Vec<String>>,
}

impl PlaceIndex {
    /// An index of `below` (commune and village names) minus any that is
    /// also an allowed name in `allowed` (a cercle or region named like its
    /// chef-lieu, such as Goundam).
    pub fn new<'a>(
        below: impl IntoIterator<Item = &'a str>,
        allowed: impl IntoIterator<Item = &'a str>,
    ) -> PlaceIndex {
        let allowed: BTreeSet<String> = allowed.into_iter().map(fold).collect();
        let mut names: Vec<Vec<String>> = below
            .into_iter()
            .filter(|n| !allowed.contains(&fold(n)))
            .map(|n| words(n).map(|(w, _, _)| fold(w)).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect();
        names.sort();
        names.dedup();
        PlaceIndex { names }
    }
}

/// What a scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    /// A word the name index knows.
    Name,
    /// A Malian phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A place below cercle level.
    Place,
}

/// One finding of the scan: its kind and where, in Unicode scalar offsets
/// `[start, end)` over the quote. Never the matched text, so a flag can be
/// logged and listed safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub start: usize,
    pub end: usize,
}

/// Malian numbers: `+223` or `00223` and eight digits, or eight digits
/// starting with 2, 5, 6, 7, 8 or 9 (fixed lines and mobiles), written
/// solid or in pairs separated by spaces, dots or dashes (so that
/// `2017-2018` is not a number).
static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:(?:\+|\b00)\s?223[\s.\-]?|\b)[25-9]\d(?:\d{6}|(?:[\s.\-]\d\d){3})\b").ok()
});

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
        .ok()
});

/// Words with their scalar offsets: runs of letters, digits, and inner
/// hyphens or apostrophes (`M'Bouna`, `P-TBK-001`).
fn words(text: &str) -> impl Iterator<Item = (&str, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let joiner = |c: char| matches!(c, '-' | '\'' | '’');
    for (i, (byte, c)) in chars.iter().enumerate() {
        let inner_joiner = joiner(*c)
            && start.is_some()
            && chars.get(i + 1).is_some_and(|(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_joiner {
            if start.is_none() {
                start = Some((*byte, i));
            }
        } else if let Some((b, s)) = start.take() {
            out.push((&text[b..*byte], s, i));
        }
    }
    if let Some((b, s)) = start {
        out.push((&text[b..], s, chars.len()));
    }
    out.into_iter()
}

/// Byte offset to scalar offset in `text`.
fn scalar(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

/// Scans a quote for names, phone numbers, e-mail addresses and places
/// below cercle level; flags sorted by position.
pub fn scan(text: &str, names: &dyn NameIndex, places: &PlaceIndex) -> Vec<Flag> {
    let mut flags = BTreeSet::new();
    let mut by_regex = |re: &Option<Regex>, kind| {
        if let Some(re) = re {
            for m in re.find_iter(text) {
                flags.insert(Flag {
                    kind,
                    start: scalar(text, m.start()),
                    end: scalar(text, m.end()),
                });
            }
        }
    };
    by_regex(&EMAIL, FlagKind::Email);
    by_regex(&PHONE, FlagKind::Phone);
    let tokens: Vec<(&str, usize, usize)> = words(text).collect();
    let folded: Vec<String> = tokens.iter().map(|(w, _, _)| fold(w)).collect();
    for (i, (word, start, end)) in tokens.iter().enumerate() {
        if names.is_name(word) {
            flags.insert(Flag {
                kind: FlagKind::Name,
                start: *start,
                end: *end,
            });
        }
        for place in &places.names {
            if folded.len() >= i + place.len() && folded[i..i + place.len()] == place[..] {
                flags.insert(Flag {
                    kind: FlagKind::Place,
                    start: *start,
                    end: tokens[i + place.len() - 1].2,
                });
            }
        }
    }
    flags.into_iter().collect()
}

/// The kinds found, once each, in order (for a listing or the report).
pub fn kinds(flags: &[Flag]) -> Vec<FlagKind> {
    let set: BTreeSet<FlagKind> = flags.iter().map(|f| f.kind).collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> PlaceIndex {
        PlaceIndex::new(
            ["Tin Aïcha", "Goundam", "Ber", "M'Bouna", "Raz-El-Ma"],
            ["Goundam", "Tombouctou"],
        )
    }

    fn found(text: &str) -> Vec<(FlagKind, String)> {
        let names = MemoryNames::new(["Aminata Traoré", "P-TBK-001"]);
        scan(text, &names, &places())
            .into_iter()
            .map(|f| {
                let s: String = text.chars().skip(f.start).take(f.end - f.start).collect();
                (f.kind, s)
            })
            .collect()
    }

    #[test]
    fn phone_numbers_in_malian_formats() {
        for number in [
            "+223 76 12 34 56",
            "00223 66.12.34.56",
            "+22376123456",
            "76-12-34-56",
            "20 22 33 44",
            "91234567",
        ] {
            let text = format!("Appelez le {number} demain.");
            assert_eq!(
                found(&text),
                vec![(FlagKind::Phone, number.to_owned())],
                "{number}"
            );
        }
        for harmless in [
            "97 interviews en 2017",
            "12 34 56 78",
            "le 30/04/2017",
            "188 participants",
            "de 2017-2018 à 2019 2020",
        ] {
            assert!(found(harmless).is_empty(), "{harmless}");
        }
    }

    #[test]
    fn emails_names_and_places() {
        assert_eq!(
            found("Écrivez à a.traore@exemple.ml svp"),
            vec![
                (FlagKind::Name, "traore".into()),
                (FlagKind::Email, "a.traore@exemple.ml".into())
            ],
            "the name inside the address is found too"
        );
        assert_eq!(
            found("C'est AMINATA qui l'a dit, et traore aussi."),
            vec![
                (FlagKind::Name, "AMINATA".into()),
                (FlagKind::Name, "traore".into())
            ]
        );
        assert_eq!(
            found("Le code p-tbk-001 figure ici"),
            vec![(FlagKind::Name, "p-tbk-001".into())]
        );
        assert_eq!(
            found("À tin aicha et à Raz-el-Ma, pas à Goundam ni à Bérété."),
            vec![
                (FlagKind::Place, "tin aicha".into()),
                (FlagKind::Place, "Raz-el-Ma".into())
            ]
        );
        assert_eq!(
            found("Les jeunes de M’Bouna partent."),
            vec![(FlagKind::Place, "M’Bouna".into())]
        );
        assert!(found("Les jeunes partent faute d'emploi.").is_empty());
    }

    #[test]
    fn attribution_is_coarsened_below_k() {
        let full = Attribution {
            group: Some("religious leaders".into()),
            cercle: Some("Diré".into()),
            gender: Some("man".into()),
        };
        // 2 such men in Diré, 3 such people in Diré, 8 in the study.
        let population = |a: &Attribution| match (&a.cercle, &a.gender) {
            (Some(_), Some(_)) => 2,
            (Some(_), None) => 3,
            _ => 8,
        };
        let shown = full.clone().coarsened(5, population);
        assert_eq!(shown.group.as_deref(), Some("religious leaders"));
        assert_eq!((shown.cercle, shown.gender), (None, None));
        assert_eq!(full.clone().coarsened(2, population), full);
    }
}
