//! What a study leads to: findings, recommendations and the actions that
//! implement them. Forum outcomes and evidence strength build on these.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codebook::CodeKey;
use crate::error::{DomainError, Result};
use crate::gazetteer::PlaceCode;
use crate::lang::Localized;
use crate::participant::stored_enum;
use crate::session::CompositionCount;
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
    /// Who took part, by stakeholder group and gender (counts).
    #[serde(default)]
    pub participants: Vec<CompositionCount>,
    /// What came of it, once under way or done.
    #[serde(default)]
    pub outcome_notes: Option<String>,
}

impl Action {
    /// Whether the action should be done by `today` and is not.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        matches!(self.status, ActionStatus::Planned | ActionStatus::UnderWay)
            && self.due.is_some_and(|due| due < today)
    }
}

stored_enum!(
    /// What a validation forum decided about a finding.
    OutcomeKind, "forum outcome" {
        /// Kept as presented.
        Validated => "validated",
        /// Kept with a new wording.
        Amended => "amended",
        /// Rejected, with reasons.
        Rejected => "rejected",
        /// Not presented: put forward by the forum itself.
        Added => "added",
    }
);

stored_enum!(
    /// How far a forum agreed on an outcome.
    Agreement, "level of agreement" {
        /// Everyone agreed.
        Consensus => "consensus",
        /// Most agreed.
        Majority => "majority",
        /// The room was divided.
        Split => "split",
    }
);

/// One forum's outcome for one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumOutcome {
    /// Code of the validation-forum session.
    pub forum: String,
    /// Key of the finding.
    pub finding: String,
    /// Validated, amended, rejected or added.
    pub kind: OutcomeKind,
    /// The new wording (amended findings only).
    pub wording: Option<Localized>,
    /// Why the forum rejected it (rejected findings only).
    pub reasons: Option<String>,
    /// How far the forum agreed.
    pub agreement: Agreement,
}

impl ForumOutcome {
    /// Checks that an amendment carries its wording and a rejection its
    /// reasons, and that neither is given otherwise.
    pub fn new(outcome: ForumOutcome) -> Result<ForumOutcome> {
        let wording = outcome
            .wording
            .as_ref()
            .filter(|w| !w.fr.trim().is_empty() || !w.en.trim().is_empty());
        let reasons = outcome.reasons.as_deref().filter(|r| !r.trim().is_empty());
        match (outcome.kind, wording, reasons) {
            (OutcomeKind::Amended, None, _) => Err(DomainError::Empty {
                field: "amended wording",
            }),
            (OutcomeKind::Rejected, _, None) => Err(DomainError::Empty {
                field: "rejection reasons",
            }),
            (kind, Some(_), _) if kind != OutcomeKind::Amended => Err(DomainError::Invalid {
                field: "amended wording",
                reason: format!("only an amended finding has a new wording, not a {kind} one"),
            }),
            (kind, _, Some(_)) if kind != OutcomeKind::Rejected => Err(DomainError::Invalid {
                field: "rejection reasons",
                reason: format!("only a rejected finding has reasons, not a {kind} one"),
            }),
            _ => Ok(outcome),
        }
    }
}

/// Whether a finding stands after the forums: at least one forum
/// validated, amended or added it. Only such findings are shown to viewers.
pub fn is_validated<'a>(outcomes: impl IntoIterator<Item = &'a ForumOutcome>) -> bool {
    outcomes
        .into_iter()
        .any(|o| o.kind != OutcomeKind::Rejected)
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
            participants: vec![],
            outcome_notes: None,
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

    #[test]
    fn outcomes_carry_what_their_kind_needs() {
        let outcome = |kind, wording: Option<Localized>, reasons: Option<&str>| {
            ForumOutcome::new(ForumOutcome {
                forum: "TBK-VAL-01".into(),
                finding: "f1".into(),
                kind,
                wording,
                reasons: reasons.map(str::to_owned),
                agreement: Agreement::Majority,
            })
        };
        let wording = || Some(Localized::new("Nouveau", "New"));
        assert!(outcome(OutcomeKind::Amended, None, None).is_err());
        assert!(outcome(OutcomeKind::Amended, wording(), None).is_ok());
        assert!(outcome(OutcomeKind::Rejected, None, Some(" ")).is_err());
        assert!(outcome(OutcomeKind::Rejected, None, Some("Hors sujet")).is_ok());
        assert!(outcome(OutcomeKind::Validated, wording(), None).is_err());
        assert!(outcome(OutcomeKind::Validated, None, Some("x")).is_err());
        let ok = outcome(OutcomeKind::Validated, None, None);
        assert!(ok.is_ok());
        let rejected = outcome(OutcomeKind::Rejected, None, Some("x"));
        let all: Vec<ForumOutcome> = [ok, rejected].into_iter().flatten().collect();
        assert!(is_validated(&all));
        assert!(!is_validated(all.iter().skip(1)));
    }
}
