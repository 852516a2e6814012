//! The methodology table: who was heard, where, how. Internal and
//! unsuppressed: disclosure control applies before anything is published.

use chrono::NaiveDate;
use sankore_domain::{
    Gazetteer, Gender, Participant, ParticipantCode, PlaceLevel, Session, SessionKind,
    StakeholderGroup, Study,
};
use sankore_store::{Store, StoreError};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// Counts keyed by name, serialised as a JSON object in insertion order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderedCounts(pub Vec<(String, u64)>);

impl OrderedCounts {
    /// The count for `name`, 0 if absent.
    pub fn get(&self, name: &str) -> u64 {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, c)| *c)
    }
}

impl Serialize for OrderedCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, count) in &self.0 {
            map.serialize_entry(name, count)?;
        }
        map.end()
    }
}

/// The study line of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudyFacts {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub team_size: u64,
}

/// A place the study worked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceRef {
    pub code: String,
    pub name: String,
}

/// Individual interviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterviewFacts {
    pub sessions: u64,
    /// Distinct participants interviewed.
    pub participants: u64,
    pub women: u64,
    pub men: u64,
    /// Participants whose gender was not recorded.
    pub unspecified: u64,
}

/// Focus-group discussions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FocusGroupFacts {
    pub sessions: u64,
    /// Sum of the sessions' headcounts.
    pub participants: u64,
    /// Headcount by stakeholder group name, in the study's group order.
    pub by_group: OrderedCounts,
    /// Headcount by gender (`female`, `male`, `unspecified`).
    pub by_gender: OrderedCounts,
}

/// Validation forums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForumFacts {
    pub sessions: u64,
    /// Number of distinct cercles that held a forum.
    pub places: u64,
    /// Their codes, in gazetteer order.
    pub place_codes: Vec<String>,
    /// Sum of the forums' attendance.
    pub participants: u64,
}

/// The methodology table of a study (JSON shape documented in `docs/cli.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Methodology {
    pub study: StudyFacts,
    /// Cercles where sessions took place, in gazetteer order.
    pub places: Vec<PlaceRef>,
    pub research_questions: u64,
    pub interviews: InterviewFacts,
    pub focus_groups: FocusGroupFacts,
    pub validation_forums: ForumFacts,
}

/// What the methodology table is computed from.
pub struct MethodologyInput<'a> {
    pub study: &'a Study,
    pub gazetteer: &'a Gazetteer,
    pub research_questions: usize,
    pub groups: &'a [StakeholderGroup],
    pub participants: &'a [Participant],
    pub sessions: &'a [Session],
}

/// Loads what the table needs from a store and computes it; `None` when the
/// workspace holds no study yet.
pub fn from_store(store: &impl Store) -> Result<Option<Methodology>, StoreError> {
    let Some(study) = store.study()? else {
        return Ok(None);
    };
    let gazetteer = store.gazetteer()?;
    let groups = store.groups()?;
    let participants = store.participants()?;
    let sessions = store.sessions()?;
    Ok(Some(Methodology::compute(&MethodologyInput {
        study: &study,
        gazetteer: &gazetteer,
        research_questions: store.research_questions()?.len(),
        groups: &groups,
        participants: &participants,
        sessions: &sessions,
    })))
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Methodology {
    /// Tallies the table from the records.
    pub fn compute(input: &MethodologyInput<'_>) -> Methodology {
        let of_kind = |kind| input.sessions.iter().filter(move |s| s.kind == kind);
        let cercle_of = |s: &Session| {
            input
                .gazetteer
                .cercle_of(&s.place)
                .map(|p| p.code.clone())
                .unwrap_or_else(|| s.place.clone())
        };
        let cercles_used: BTreeSet<_> = input.sessions.iter().map(cercle_of).collect();
        let places = input
            .gazetteer
            .at_level(PlaceLevel::Cercle)
            .filter(|p| cercles_used.contains(&p.code))
            .map(|p| PlaceRef {
                code: p.code.to_string(),
                name: p.name.clone(),
            })
            .collect();

        let interviewed: BTreeSet<&ParticipantCode> = of_kind(SessionKind::Interview)
            .flat_map(|s| s.participants.iter())
            .collect();
        let gender_of: BTreeMap<&ParticipantCode, Gender> = input
            .participants
            .iter()
            .map(|p| (&p.code, p.gender))
            .collect();
        let interviewed_with = |g: Gender| {
            count(
                interviewed
                    .iter()
                    .filter(|c| gender_of.get(*c).copied().unwrap_or(Gender::Unspecified) == g)
                    .count(),
            )
        };

        let mut by_group_key: BTreeMap<&str, u64> = BTreeMap::new();
        let mut by_gender: BTreeMap<Gender, u64> = BTreeMap::new();
        let mut fg_total = 0;
        for s in of_kind(SessionKind::FocusGroup) {
            fg_total += u64::from(s.headcount());
            for row in &s.composition {
                *by_group_key.entry(row.group.as_str()).or_default() += u64::from(row.count);
                *by_gender.entry(row.gender).or_default() += u64::from(row.count);
            }
        }
        let by_group = OrderedCounts(
            input
                .groups
                .iter()
                .filter_map(|g| {
                    by_group_key
                        .get(g.key.as_str())
                        .map(|n| (g.name.clone(), *n))
                })
                .collect(),
        );
        let by_gender = OrderedCounts(
            Gender::ALL
                .iter()
                .filter_map(|g| by_gender.get(g).map(|n| (g.as_str().to_owned(), *n)))
                .collect(),
        );

        let forum_cercles: BTreeSet<_> = of_kind(SessionKind::ValidationForum)
            .map(cercle_of)
            .collect();
        let place_codes: Vec<String> = input
            .gazetteer
            .at_level(PlaceLevel::Cercle)
            .filter(|p| forum_cercles.contains(&p.code))
            .map(|p| p.code.to_string())
            .collect();

        Methodology {
            study: StudyFacts {
                name: input.study.name.clone(),
                start: input.study.start,
                end: input.study.end,
                team_size: count(input.study.team.len()),
            },
            places,
            research_questions: count(input.research_questions),
            interviews: InterviewFacts {
                sessions: count(of_kind(SessionKind::Interview).count()),
                participants: count(interviewed.len()),
                women: interviewed_with(Gender::Female),
                men: interviewed_with(Gender::Male),
                unspecified: interviewed_with(Gender::Unspecified),
            },
            focus_groups: FocusGroupFacts {
                sessions: count(of_kind(SessionKind::FocusGroup).count()),
                participants: fg_total,
                by_group,
                by_gender,
            },
            validation_forums: ForumFacts {
                sessions: count(of_kind(SessionKind::ValidationForum).count()),
                places: count(place_codes.len()),
                place_codes,
                participants: of_kind(SessionKind::ValidationForum)
                    .map(|s| u64::from(s.headcount()))
                    .sum(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_domain::gazetteer::timbuktu_2017;
    use sankore_domain::{
        AgeBand, CompositionCount, ConsentStatus, Lang, Localized, PlaceCode, TeamMember,
    };

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2017, 5, d).unwrap_or_default()
    }

    fn code(c: &str) -> ParticipantCode {
        ParticipantCode::new(c).unwrap_or_else(|e| panic!("{e}"))
    }

    fn place(c: &str) -> PlaceCode {
        PlaceCode::new(c).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn tallies_a_small_study() {
        let gazetteer = timbuktu_2017();
        let study = Study::new(
            "Test",
            day(1),
            day(30),
            vec![TeamMember {
                handle: "R1".into(),
                role: "researcher".into(),
            }],
            vec![Lang::Fr],
            &gazetteer.version,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let groups = vec![
            StakeholderGroup::new("youth", "youth associations", Localized::default())
                .unwrap_or_else(|e| panic!("{e}")),
            StakeholderGroup::new("women", "women's associations", Localized::default())
                .unwrap_or_else(|e| panic!("{e}")),
        ];
        let participant = |c: &str, gender| Participant {
            code: code(c),
            gender,
            age_band: AgeBand::From18To24,
            group: "youth".into(),
            place: place("GDM-03"),
            consent: ConsentStatus::Given,
        };
        let participants = vec![
            participant("GDM-INT-1", Gender::Female),
            participant("GDM-INT-2", Gender::Male),
        ];
        let interview = |c: &str, p: &str| Session {
            code: c.into(),
            kind: SessionKind::Interview,
            place: place("GDM-03"),
            date: day(2),
            facilitators: vec!["R1".into()],
            participants: vec![code(p)],
            composition: vec![],
            declared_total: None,
        };
        let fg = Session {
            code: "DIR-FG-1".into(),
            kind: SessionKind::FocusGroup,
            place: place("DIR"),
            date: day(3),
            facilitators: vec![],
            participants: vec![],
            composition: vec![
                CompositionCount {
                    group: "women".into(),
                    gender: Gender::Female,
                    count: 7,
                },
                CompositionCount {
                    group: "youth".into(),
                    gender: Gender::Male,
                    count: 5,
                },
            ],
            declared_total: Some(12),
        };
        let sessions = vec![
            interview("I1", "GDM-INT-1"),
            interview("I2", "GDM-INT-2"),
            fg,
        ];
        let m = Methodology::compute(&MethodologyInput {
            study: &study,
            gazetteer: &gazetteer,
            research_questions: 6,
            groups: &groups,
            participants: &participants,
            sessions: &sessions,
        });
        assert_eq!(m.interviews.participants, 2);
        assert_eq!((m.interviews.women, m.interviews.men), (1, 1));
        assert_eq!(m.focus_groups.participants, 12);
        // Study group order, not alphabetical, and names not keys.
        let json = serde_json::to_string(&m.focus_groups.by_group).unwrap_or_default();
        assert_eq!(json, r#"{"youth associations":5,"women's associations":7}"#);
        let codes: Vec<_> = m.places.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            codes,
            ["GDM", "DIR"],
            "communes roll up to cercles, gazetteer order"
        );
        assert_eq!(m.validation_forums.sessions, 0);
    }
}
