//! The study itself: period, team, research questions, stakeholder groups
//! and collection quotas.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::error::{DomainError, Result, non_empty};
use crate::gazetteer::PlaceCode;
use crate::lang::{Lang, Localized};
use crate::participant::Gender;

/// A member of the study team, known by a handle (never a participant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// Short handle used in records, such as `R1`.
    pub handle: String,
    /// What the member does in the study (coordinator, researcher...).
    pub role: String,
}

/// A research question, numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchQuestion {
    pub number: u8,
    pub text: Localized,
}

/// A stakeholder group participants are drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderGroup {
    /// Stable key, such as `youth-associations`.
    pub key: String,
    /// The name as the study uses it in its outputs.
    pub name: String,
    /// Display labels per language.
    pub label: Localized,
}

impl StakeholderGroup {
    /// Checks the key (lowercase ASCII, digits, `-`) and the name.
    pub fn new(key: &str, name: &str, label: Localized) -> Result<Self> {
        check_key("group key", key)?;
        Ok(StakeholderGroup {
            key: key.to_owned(),
            name: non_empty("group name", name)?,
            label,
        })
    }
}

/// A collection target: how many people of a group and gender to hear in a
/// place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub place: PlaceCode,
    pub group: String,
    pub gender: Gender,
    pub target: u32,
}

/// A participatory diagnostic study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Study {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub team: Vec<TeamMember>,
    pub languages: Vec<Lang>,
    /// The gazetteer version the study's places come from.
    pub gazetteer_version: String,
}

impl Study {
    /// Checks the name, the period and the team.
    pub fn new(
        name: &str,
        start: NaiveDate,
        end: NaiveDate,
        team: Vec<TeamMember>,
        languages: Vec<Lang>,
        gazetteer_version: &str,
    ) -> Result<Self> {
        let name = non_empty("study name", name)?;
        if end < start {
            return Err(DomainError::DateOrder {
                what: "study period",
                start,
                end,
            });
        }
        let mut handles = BTreeSet::new();
        for member in &team {
            non_empty("team member handle", &member.handle)?;
            if !handles.insert(member.handle.as_str()) {
                return Err(DomainError::Duplicate {
                    what: "team member handle",
                    key: member.handle.clone(),
                });
            }
        }
        if languages.is_empty() {
            return Err(DomainError::Empty {
                field: "study languages",
            });
        }
        Ok(Study {
            name,
            start,
            end,
            team,
            languages,
            gazetteer_version: non_empty("gazetteer version", gazetteer_version)?,
        })
    }

    /// Whether `date` falls within the study period.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// Checks research questions are numbered 1, 2, ... without gaps and have text.
pub fn check_research_questions(questions: &[ResearchQuestion]) -> Result<()> {
    for (i, q) in questions.iter().enumerate() {
        if usize::from(q.number) != i + 1 {
            return Err(DomainError::Invalid {
                field: "research question number",
                reason: format!("expected {}, found {}", i + 1, q.number),
            });
        }
        if q.text.fr.trim().is_empty() && q.text.en.trim().is_empty() {
            return Err(DomainError::Empty {
                field: "research question text",
            });
        }
    }
    Ok(())
}

/// Checks a lowercase slug key: `a-z`, `0-9`, `-` and `.`, 1 to 64 long.
pub(crate) fn check_key(field: &'static str, key: &str) -> Result<()> {
    let valid = (1..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if valid {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            field,
            reason: format!("{key:?} must be 1 to 64 of a-z, 0-9, '-' and '.'"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn period_must_be_ordered() {
        let r = Study::new(
            "S",
            day(2017, 6, 10),
            day(2017, 4, 20),
            vec![],
            vec![Lang::Fr],
            "v",
        );
        assert!(matches!(r, Err(DomainError::DateOrder { .. })));
    }

    #[test]
    fn team_handles_are_unique() {
        let member = TeamMember {
            handle: "R1".into(),
            role: "researcher".into(),
        };
        let r = Study::new(
            "S",
            day(2017, 4, 20),
            day(2017, 6, 10),
            vec![member.clone(), member],
            vec![Lang::Fr],
            "v",
        );
        assert!(matches!(r, Err(DomainError::Duplicate { .. })));
    }

    #[test]
    fn research_questions_are_numbered_in_order() {
        let q = |n| ResearchQuestion {
            number: n,
            text: Localized::new("q", "q"),
        };
        assert!(check_research_questions(&[q(1), q(2)]).is_ok());
        assert!(check_research_questions(&[q(1), q(3)]).is_err());
    }

    #[test]
    fn group_keys_are_slugs() {
        assert!(StakeholderGroup::new("youth-associations", "youth", Localized::default()).is_ok());
        assert!(StakeholderGroup::new("Youth", "youth", Localized::default()).is_err());
        assert!(StakeholderGroup::new("youth", " ", Localized::default()).is_err());
    }
}
