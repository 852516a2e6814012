//! The rules beyond the threshold: which attributes identify people, small
//! real populations, percentages on small bases and cells where everyone
//! answered alike.

use serde::{Deserialize, Serialize};

/// An attribute that, combined with others, can single a person out.
/// Declared per study; published breakdowns may only use declared ones,
/// and every count they produce goes through the threshold rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuasiIdentifier {
    /// Where the person lives or was met (cercle, commune).
    Place,
    /// Stakeholder group.
    Group,
    Gender,
    AgeBand,
    Religion,
    Ethnicity,
    /// Anything else the study declares, by name.
    Other(String),
}

impl QuasiIdentifier {
    /// The default declaration: place, group, gender, age band.
    pub fn defaults() -> Vec<QuasiIdentifier> {
        vec![
            QuasiIdentifier::Place,
            QuasiIdentifier::Group,
            QuasiIdentifier::Gender,
            QuasiIdentifier::AgeBand,
        ]
    }

    /// Stable name, as stored and as typed on the command line.
    pub fn as_str(&self) -> &str {
        match self {
            QuasiIdentifier::Place => "place",
            QuasiIdentifier::Group => "group",
            QuasiIdentifier::Gender => "gender",
            QuasiIdentifier::AgeBand => "age-band",
            QuasiIdentifier::Religion => "religion",
            QuasiIdentifier::Ethnicity => "ethnicity",
            QuasiIdentifier::Other(name) => name,
        }
    }

    /// Parses a stable name; an unknown non-empty name is `Other`.
    pub fn parse(text: &str) -> Option<QuasiIdentifier> {
        let text = text.trim();
        Some(match text {
            "" => return None,
            "place" => QuasiIdentifier::Place,
            "group" => QuasiIdentifier::Group,
            "gender" => QuasiIdentifier::Gender,
            "age-band" => QuasiIdentifier::AgeBand,
            "religion" => QuasiIdentifier::Religion,
            "ethnicity" => QuasiIdentifier::Ethnicity,
            other => QuasiIdentifier::Other(other.to_owned()),
        })
    }
}

/// A study's disclosure settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The threshold (3..=10).
    pub k: u64,
    /// Declared quasi-identifiers.
    pub quasi_identifiers: Vec<QuasiIdentifier>,
    /// Known sizes of small real populations, by cell path (such as
    /// `focus_groups.by_group.religious (Christian) leaders`): the number
    /// of such people living in the study area.
    pub populations: Vec<(String, u64)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            k: crate::DEFAULT_K,
            quasi_identifiers: QuasiIdentifier::defaults(),
            populations: Vec::new(),
        }
    }
}

/// A real population at most this many times `k` is "tiny": a cell that
/// counts all of it tells who is in it.
pub const TINY_POPULATION_FACTOR: u64 = 4;

/// Whether a published count, even at or above `k`, is the complete count
/// of a tiny real population (everyone of that group in the area took
/// part, so the cell names its members).
pub fn complete_count_of_tiny_group(count: u64, population: u64, k: u64) -> bool {
    population > 0 && count >= population && population <= TINY_POPULATION_FACTOR * k
}

/// The smallest base a percentage may be published on.
pub const MIN_PERCENT_BASE: u64 = 20;

/// Whether a percentage `part / base` may be published: its base is at
/// least [`MIN_PERCENT_BASE`] and neither the part nor its complement
/// (`base - part`) is a small count (below `k`, zero aside), since the base
/// and the percentage give both back.
pub fn percentage_publishable(part: u64, base: u64, k: u64) -> bool {
    let small = |n: u64| n > 0 && n < k;
    base >= MIN_PERCENT_BASE && part <= base && !small(part) && !small(base - part)
}

/// A cell is "small" for the l-diversity check below this many times `k`.
pub const SMALL_CELL_FACTOR: u64 = 2;

/// Whether everyone in a small cell gave the same answer (l-diversity of
/// one): publishing the cell then tells each member's answer. `answers`
/// holds the count of the cell's members per answer.
pub fn homogeneous_small_cell(answers: &[u64], k: u64) -> bool {
    let total: u64 = answers.iter().sum();
    let distinct = answers.iter().filter(|n| **n > 0).count();
    total > 0 && total < SMALL_CELL_FACTOR * k && distinct == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quasi_identifiers_round_trip() {
        for q in QuasiIdentifier::defaults().into_iter().chain([
            QuasiIdentifier::Religion,
            QuasiIdentifier::Other("clan".into()),
        ]) {
            assert_eq!(QuasiIdentifier::parse(q.as_str()), Some(q));
        }
        assert_eq!(QuasiIdentifier::parse("  "), None);
    }

    #[test]
    fn tiny_complete_counts() {
        // All 6 NGO representatives of the area: flagged although 6 >= 5.
        assert!(complete_count_of_tiny_group(6, 6, 5));
        // 35 of 200 community leaders: a sample, not a census.
        assert!(!complete_count_of_tiny_group(35, 200, 5));
        // A census of a large population names no one.
        assert!(!complete_count_of_tiny_group(72, 72, 5));
        assert!(!complete_count_of_tiny_group(6, 0, 5));
    }

    #[test]
    fn percentages_on_small_bases() {
        assert!(percentage_publishable(21, 97, 5));
        assert!(!percentage_publishable(3, 188, 5), "the part is small");
        assert!(!percentage_publishable(185, 188, 5), "the rest is small");
        assert!(!percentage_publishable(10, 19, 5), "the base is small");
        assert!(percentage_publishable(0, 40, 5), "zero is published");
    }

    #[test]
    fn l_diversity() {
        assert!(homogeneous_small_cell(&[6, 0], 5));
        assert!(!homogeneous_small_cell(&[4, 2], 5));
        assert!(!homogeneous_small_cell(&[30, 0], 5), "large cells are fine");
        assert!(!homogeneous_small_cell(&[0, 0], 5));
    }
}
