//! Saturation: how many codes each successive interview adds.
//!
//! Interviews (sessions of kind interview) are taken in order of date, then
//! session code. For each, the codes applied in its documents (by the
//! chosen coders) that no earlier interview had are its *new* codes. The
//! curve is computed over all interviews and, separately, within each
//! stakeholder group (the group of the interview's registered participant),
//! where "earlier" means earlier in the same group.

use chrono::NaiveDate;
use serde::Serialize;

use crate::corpus::{Corpus, Filter, NONE};
use crate::error::Result;

/// One interview in a saturation curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Session code.
    pub session: String,
    /// Day of the interview.
    pub date: NaiveDate,
    /// Stakeholder group key of the interviewee, if known.
    pub group: Option<String>,
    /// Distinct codes applied in the interview.
    pub codes: usize,
    /// Codes seen for the first time, in codebook order.
    pub new_codes: Vec<String>,
    /// Number of new codes.
    pub new: usize,
    /// Distinct codes seen so far.
    pub cumulative: usize,
}

/// The curve of one stakeholder group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCurve {
    /// Group key.
    pub group: String,
    /// Group name.
    pub name: String,
    /// Its interviews.
    pub steps: Vec<Step>,
}

/// Saturation over all interviews and per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Saturation {
    /// Every interview.
    pub overall: Vec<Step>,
    /// Per stakeholder group, in the study's order (groups without
    /// interviews left out).
    pub by_group: Vec<GroupCurve>,
}

/// Walks interviews in order, marking codes seen.
fn curve(corpus: &Corpus, interviews: &[(usize, Vec<u32>)]) -> Vec<Step> {
    let mut seen = vec![false; corpus.codes.len()];
    let mut cumulative = 0;
    interviews
        .iter()
        .map(|(s, codes)| {
            let session = &corpus.sessions[*s];
            let mut new_codes = Vec::new();
            for code in codes {
                if !seen[*code as usize] {
                    seen[*code as usize] = true;
                    new_codes.push(corpus.codes[*code as usize].key.to_string());
                }
            }
            cumulative += new_codes.len();
            let group = session
                .participants
                .first()
                .map(|p| corpus.participants[*p as usize].group)
                .filter(|g| *g != NONE)
                .map(|g| corpus.groups[g as usize].key.clone());
            Step {
                session: session.code.clone(),
                date: session.date,
                group,
                codes: codes.len(),
                new: new_codes.len(),
                new_codes,
                cumulative,
            }
        })
        .collect()
}

impl Saturation {
    /// Computes the curves.
    pub fn compute(corpus: &Corpus, filter: &Filter) -> Result<Saturation> {
        let compiled = filter.compile(corpus)?;
        // Codes of each session, as a sorted set of ids.
        let mut codes_of: Vec<Vec<u32>> = vec![Vec::new(); corpus.sessions.len()];
        let c = &corpus.codings;
        for i in 0..c.len() {
            if !compiled.keeps(corpus, i) {
                continue;
            }
            let session = corpus.documents[c.document[i] as usize].session;
            if let Some(list) = codes_of.get_mut(session as usize) {
                list.push(c.code[i]);
            }
        }
        let mut interviews: Vec<(usize, Vec<u32>)> = corpus
            .sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == sankore_domain::SessionKind::Interview)
            .map(|(i, _)| {
                let mut codes = std::mem::take(&mut codes_of[i]);
                codes.sort_unstable();
                codes.dedup();
                (i, codes)
            })
            .collect();
        interviews.sort_by(|(a, _), (b, _)| {
            let (a, b) = (&corpus.sessions[*a], &corpus.sessions[*b]);
            (a.date, &a.code).cmp(&(b.date, &b.code))
        });
        let overall = curve(corpus, &interviews);
        let by_group = corpus
            .groups
            .iter()
            .filter_map(|g| {
                let mine: Vec<(usize, Vec<u32>)> = interviews
                    .iter()
                    .zip(&overall)
                    .filter(|(_, step)| step.group.as_deref() == Some(g.key.as_str()))
                    .map(|(i, _)| i.clone())
                    .collect();
                (!mine.is_empty()).then(|| GroupCurve {
                    group: g.key.clone(),
                    name: g.name.clone(),
                    steps: curve(corpus, &mine),
                })
            })
            .collect();
        Ok(Saturation { overall, by_group })
    }
}
