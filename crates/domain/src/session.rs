//! Data-collection and validation sessions: interviews, focus groups,
//! validation forums and roundtables.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::error::{DomainError, Result};
use crate::gazetteer::PlaceCode;
use crate::participant::{Gender, ParticipantCode, stored_enum};

stored_enum!(
    /// What kind of gathering a session was.
    SessionKind, "session kind" {
        Interview => "interview",
        FocusGroup => "focus-group",
        ValidationForum => "validation-forum",
        Roundtable => "roundtable",
    }
);

/// How many people of one group and gender took part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositionCount {
    /// Key of the stakeholder group.
    pub group: String,
    pub gender: Gender,
    pub count: u32,
}

/// One session. Focus groups and forums are often recorded as composition
/// counts rather than a list of named participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Stable code, such as `TBK-FGD-02`.
    pub code: String,
    pub kind: SessionKind,
    pub place: PlaceCode,
    pub date: NaiveDate,
    /// Handles of the team members who ran it.
    pub facilitators: Vec<String>,
    /// Registered participants who took part.
    pub participants: Vec<ParticipantCode>,
    /// Attendance by group and gender.
    pub composition: Vec<CompositionCount>,
    /// The headcount written on the attendance sheet, when there was one.
    pub declared_total: Option<u32>,
}

impl Session {
    /// Checks the rules a session must meet on its own:
    /// - an interview has exactly one registered participant and no counts;
    /// - composition rows are positive and unique per group and gender;
    /// - counts add up to the declared headcount when one is given;
    /// - a focus group has at least two people;
    /// - registered participants are listed once, and no more of them than
    ///   the headcount.
    pub fn new(session: Session) -> Result<Session> {
        crate::error::non_empty("session code", &session.code)?;
        let mut seen = BTreeSet::new();
        for p in &session.participants {
            if !seen.insert(p) {
                return Err(DomainError::Duplicate {
                    what: "session participant",
                    key: p.to_string(),
                });
            }
        }
        let mut rows = BTreeSet::new();
        for row in &session.composition {
            if row.count == 0 {
                return Err(DomainError::Invalid {
                    field: "composition count",
                    reason: format!("{} / {} is zero", row.group, row.gender),
                });
            }
            if !rows.insert((row.group.as_str(), row.gender)) {
                return Err(DomainError::Duplicate {
                    what: "composition row",
                    key: format!("{} / {}", row.group, row.gender),
                });
            }
        }
        let counted = session.counted_total();
        if let Some(declared) = session.declared_total
            && !session.composition.is_empty()
            && declared != counted
        {
            return Err(DomainError::CountMismatch {
                what: format!("session {} composition", session.code),
                expected: declared,
                actual: counted,
            });
        }
        match session.kind {
            SessionKind::Interview => {
                if session.participants.len() != 1 || !session.composition.is_empty() {
                    return Err(DomainError::Invalid {
                        field: "interview participants",
                        reason: format!(
                            "interview {} must have exactly one registered participant and no composition counts",
                            session.code
                        ),
                    });
                }
            }
            SessionKind::FocusGroup => {
                if session.headcount() < 2 {
                    return Err(DomainError::Invalid {
                        field: "focus group size",
                        reason: format!("focus group {} has fewer than two people", session.code),
                    });
                }
            }
            SessionKind::ValidationForum | SessionKind::Roundtable => {}
        }
        let registered = u32::try_from(session.participants.len()).unwrap_or(u32::MAX);
        if !session.composition.is_empty() && registered > counted {
            return Err(DomainError::CountMismatch {
                what: format!("session {} registered participants", session.code),
                expected: counted,
                actual: registered,
            });
        }
        Ok(session)
    }

    /// Sum of the composition counts.
    pub fn counted_total(&self) -> u32 {
        self.composition.iter().map(|c| c.count).sum()
    }

    /// How many people took part: the counts when recorded, otherwise the
    /// declared headcount, otherwise the registered participants.
    pub fn headcount(&self) -> u32 {
        if !self.composition.is_empty() {
            self.counted_total()
        } else if let Some(declared) = self.declared_total {
            declared
        } else {
            u32::try_from(self.participants.len()).unwrap_or(u32::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn base(kind: SessionKind) -> Session {
        Session {
            code: "TBK-FGD-01".into(),
            kind,
            place: PlaceCode::new("TBK").unwrap_or_else(|e| panic!("{e}")),
            date: NaiveDate::from_ymd_opt(2017, 5, 2).unwrap_or_default(),
            facilitators: vec!["R1".into()],
            participants: vec![],
            composition: vec![],
            declared_total: None,
        }
    }

    fn count(group: &str, gender: Gender, count: u32) -> CompositionCount {
        CompositionCount {
            group: group.into(),
            gender,
            count,
        }
    }

    #[test]
    fn focus_group_counts_must_add_up() {
        let mut s = base(SessionKind::FocusGroup);
        s.composition = vec![
            count("youth", Gender::Male, 9),
            count("youth", Gender::Female, 5),
        ];
        s.declared_total = Some(14);
        assert!(Session::new(s.clone()).is_ok());
        s.declared_total = Some(15);
        assert!(matches!(
            Session::new(s),
            Err(DomainError::CountMismatch { .. })
        ));
    }

    #[test]
    fn interview_has_one_participant() {
        let mut s = base(SessionKind::Interview);
        assert!(Session::new(s.clone()).is_err());
        s.participants =
            vec![ParticipantCode::new("TBK-INT-001").unwrap_or_else(|e| panic!("{e}"))];
        assert!(Session::new(s).is_ok());
    }

    #[test]
    fn composition_rows_are_unique_and_positive() {
        let mut s = base(SessionKind::ValidationForum);
        s.composition = vec![
            count("youth", Gender::Male, 2),
            count("youth", Gender::Male, 3),
        ];
        assert!(matches!(
            Session::new(s.clone()),
            Err(DomainError::Duplicate { .. })
        ));
        s.composition = vec![count("youth", Gender::Male, 0)];
        assert!(Session::new(s).is_err());
    }

    proptest! {
        #[test]
        fn counts_add_up_iff_accepted(counts in proptest::collection::vec(1u32..40, 1..6), delta in -3i64..3) {
            let mut s = base(SessionKind::FocusGroup);
            s.composition = counts
                .iter()
                .enumerate()
                .map(|(i, c)| count(&format!("g{i}"), Gender::Female, *c))
                .collect();
            let total: u32 = counts.iter().sum();
            let declared = u32::try_from(i64::from(total) + delta).unwrap_or(0);
            s.declared_total = Some(declared);
            let accepted = Session::new(s).is_ok();
            prop_assert_eq!(accepted, declared == total && total >= 2);
        }
    }
}
