//! What a study leads to: findings, recommendations and the actions that
//! implement them. Forum outcomes and evidence strength build on these.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codebook::CodeKey;
use crate::error::{DomainError, Result};
use crate::gazetteer::PlaceCode;
use crate::lang::Localized;
use crate::participant::stored_enum;
use crate::study::check_key;

/// A finding drawn from the codings, to be validated in forums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable key, such as `f-youth-jobs`.
    pub key: String,
    pub statement: Localized,
    pub research_question: u8,
    /// Places the finding applies to (empty: the whole study area).
    pub places: Vec<PlaceCode>,
    /// Codes whose codings are the finding's evidence.
    pub codes: Vec<CodeKey>,
}

impl Finding {
    /// Checks the key and that the statement exists in some language.
    pub fn new(finding: Finding) -> Result<Finding> {
        check_key("finding key", &finding.key)?;
        if finding.statement.fr.trim().is_empty() && finding.statement.en.trim().is_empty() {
            return Err(DomainError::Empty {
                field: "finding statement",
            });
        }
        Ok(finding)
    }
}

/// A recommendation, with who should act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub key: String,
    pub text: Localized,
    /// Keys of the findings it answers.
    pub findings: Vec<String>,
    /// Stakeholder (such as "local authorities") and what they should do.
    pub roles: Vec<(String, Localized)>,
}

stored_enum!(
    /// Where an action stands.
    ActionStatus, "action status" {
        Planned => "planned",
        UnderWay => "under-way",
        Done => "done",
        Dropped => "dropped",
    }
);

/// An activity implementing a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub key: String,
    pub title: Localized,
    pub recommendation: Option<String>,
    pub places: Vec<PlaceCode>,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub responsible: String,
    pub status: ActionStatus,
}

impl Action {
    /// Whether the action should be done by `today` and is not.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        matches!(self.status, ActionStatus::Planned | ActionStatus::UnderWay)
            && self.due.is_some_and(|due| due < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_actions() {
        let day = |d| NaiveDate::from_ymd_opt(2017, 7, d).unwrap_or_default();
        let mut action = Action {
            key: "a1".into(),
            title: Localized::new("Table ronde", "Roundtable"),
            recommendation: None,
            places: vec![],
            start: None,
            due: Some(day(10)),
            responsible: "AMSS".into(),
            status: ActionStatus::UnderWay,
        };
        assert!(action.is_late(day(11)));
        assert!(!action.is_late(day(10)));
        action.status = ActionStatus::Done;
        assert!(!action.is_late(day(11)));
    }

    #[test]
    fn findings_need_a_statement() {
        let finding = Finding {
            key: "f1".into(),
            statement: Localized::default(),
            research_question: 3,
            places: vec![],
            codes: vec![],
        };
        assert!(Finding::new(finding).is_err());
    }
}
