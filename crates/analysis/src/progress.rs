//! Where collection stands: interviews against quotas by cercle × group ×
//! gender, sessions per week, for the dashboard.

use chrono::{Datelike, NaiveDate};
use sankore_domain::{Gazetteer, Gender, Participant, Quota, Session, SessionKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// One quota cell: target and people interviewed so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaProgress {
    /// Cercle code (quotas on communes roll up to their cercle).
    pub place: String,
    pub group: String,
    pub gender: Gender,
    pub target: u32,
    pub achieved: u32,
}

/// Interviewed participants against every quota cell, in quota order;
/// cells without a quota but with interviews come last with target 0.
pub fn quotas(
    gazetteer: &Gazetteer,
    quotas: &[Quota],
    participants: &[Participant],
    sessions: &[Session],
) -> Vec<QuotaProgress> {
    let cercle = |code: &sankore_domain::PlaceCode| {
        gazetteer
            .cercle_of(code)
            .map_or_else(|| code.to_string(), |p| p.code.to_string())
    };
    let interviewed: std::collections::BTreeSet<_> = sessions
        .iter()
        .filter(|s| s.kind == SessionKind::Interview)
        .flat_map(|s| s.participants.iter())
        .collect();
    let mut achieved: BTreeMap<(String, String, Gender), u32> = BTreeMap::new();
    for p in participants
        .iter()
        .filter(|p| interviewed.contains(&p.code))
    {
        *achieved
            .entry((cercle(&p.place), p.group.clone(), p.gender))
            .or_default() += 1;
    }
    let mut out: Vec<QuotaProgress> = Vec::new();
    for q in quotas {
        let key = (cercle(&q.place), q.group.clone(), q.gender);
        if let Some(existing) = out
            .iter_mut()
            .find(|p| p.place == key.0 && p.group == key.1 && p.gender == key.2)
        {
            existing.target += q.target;
            continue;
        }
        out.push(QuotaProgress {
            achieved: achieved.remove(&key).unwrap_or(0),
            place: key.0,
            group: key.1,
            gender: key.2,
            target: q.target,
        });
    }
    out.extend(
        achieved
            .into_iter()
            .map(|((place, group, gender), n)| QuotaProgress {
                place,
                group,
                gender,
                target: 0,
                achieved: n,
            }),
    );
    out
}

/// Sessions held in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekCount {
    /// Monday of the week.
    pub week: NaiveDate,
    pub interviews: u32,
    pub focus_groups: u32,
    pub other: u32,
}

/// Sessions per ISO week, every week from the first to the last session.
pub fn sessions_per_week(sessions: &[Session]) -> Vec<WeekCount> {
    let monday =
        |d: NaiveDate| d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()));
    let mut weeks: BTreeMap<NaiveDate, WeekCount> = BTreeMap::new();
    for s in sessions {
        let week = monday(s.date);
        let entry = weeks.entry(week).or_insert(WeekCount {
            week,
            interviews: 0,
            focus_groups: 0,
            other: 0,
        });
        match s.kind {
            SessionKind::Interview => entry.interviews += 1,
            SessionKind::FocusGroup => entry.focus_groups += 1,
            SessionKind::ValidationForum | SessionKind::Roundtable => entry.other += 1,
        }
    }
    let (Some(first), Some(last)) = (weeks.keys().next().copied(), weeks.keys().last().copied())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut week = first;
    while week <= last {
        out.push(weeks.remove(&week).unwrap_or(WeekCount {
            week,
            interviews: 0,
            focus_groups: 0,
            other: 0,
        }));
        week = week + chrono::Days::new(7);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_interviews_meet_their_quotas_and_weeks_are_contiguous() {
        let records = sankore_demo::reference_study();
        let progress = quotas(
            &records.gazetteer,
            &records.quotas,
            &records.participants,
            &records.sessions,
        );
        assert!(!progress.is_empty());
        let target: u32 = progress.iter().map(|p| p.target).sum();
        let achieved: u32 = progress.iter().map(|p| p.achieved).sum();
        assert_eq!(achieved, 97);
        assert_eq!(target, 97, "the demo's quotas are its plan");
        assert!(progress.iter().all(|p| p.achieved == p.target));
        let women: u32 = progress
            .iter()
            .filter(|p| p.gender == Gender::Female)
            .map(|p| p.achieved)
            .sum();
        assert_eq!(women, 21);

        let weeks = sessions_per_week(&records.sessions);
        let total: u32 = weeks
            .iter()
            .map(|w| w.interviews + w.focus_groups + w.other)
            .sum();
        assert_eq!(total as usize, records.sessions.len());
        assert!(
            weeks
                .windows(2)
                .all(|w| w[1].week - w[0].week == chrono::Duration::days(7))
        );
        assert!(
            weeks
                .iter()
                .all(|w| w.week.weekday() == chrono::Weekday::Mon)
        );
    }
}
