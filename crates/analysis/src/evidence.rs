//! Evidence strength of findings, and the findings overview (strength and
//! every forum's outcome) that the command line and the workbench show.
//!
//! A finding's strength is computed from the codings of its codes, never
//! typed: the distinct participants behind them (registered participants,
//! plus focus-group members by speaker label within their session, as in
//! [`crate::matrix`]), the distinct documents (sources) and the distinct
//! cercles. Validation-forum minutes are left out: a forum discussing a
//! finding is not evidence for it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sankore_domain::{
    Finding, ForumOutcome, Localized, OutcomeKind, PlaceCode, ResearchQuestion, Session,
    SessionKind, followup::is_validated,
};
use sankore_store::{FollowupStore, Store};
use serde::Serialize;

use crate::corpus::{Corpus, NONE};
use crate::error::Result;

/// How much evidence stands behind a finding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Strength {
    /// Distinct participants whose words were coded with its codes.
    pub participants: u64,
    /// Distinct documents holding such codings.
    pub sources: u64,
    /// Distinct cercles where those documents were collected.
    pub cercles: u64,
    /// Codings counted.
    pub segments: u64,
}

/// The codings (by index in [`Corpus::codings`]) that count as a
/// finding's evidence: codings of its codes outside validation forums.
fn evidence<'a>(corpus: &'a Corpus, finding: &Finding) -> impl Iterator<Item = usize> + 'a {
    let mut wanted = vec![false; corpus.codes.len()];
    for key in &finding.codes {
        if let Some(id) = corpus.code_id(key) {
            wanted[id as usize] = true;
        }
    }
    let c = &corpus.codings;
    (0..c.len()).filter(move |i| {
        wanted.get(c.code[*i] as usize).copied().unwrap_or(false)
            && corpus
                .session_of(c.document[*i])
                .is_none_or(|s| s.kind != SessionKind::ValidationForum)
    })
}

/// Computes a finding's strength over a corpus (codes unknown to the
/// corpus count for nothing).
pub fn strength(corpus: &Corpus, finding: &Finding) -> Strength {
    let mut speakers = BTreeSet::new();
    let mut documents = BTreeSet::new();
    let mut cercles = BTreeSet::new();
    let mut segments = 0u64;
    let c = &corpus.codings;
    for i in evidence(corpus, finding) {
        let document = c.document[i];
        segments += 1;
        documents.insert(document);
        if c.speaker[i] != NONE {
            speakers.insert(c.speaker[i]);
        }
        if let Some(s) = corpus.session_of(document).filter(|s| s.cercle != NONE) {
            cercles.insert(s.cercle);
        }
    }
    Strength {
        participants: speakers.len() as u64,
        sources: documents.len() as u64,
        cercles: cercles.len() as u64,
        segments,
    }
}

/// The distinct speakers behind a finding's evidence, each with the cercle
/// (id in [`Corpus::cercles`], or [`NONE`]) of the session they spoke in;
/// a speaker heard in two cercles appears under both.
pub fn speakers_by_cercle(corpus: &Corpus, finding: &Finding) -> BTreeSet<(u32, u32)> {
    let c = &corpus.codings;
    evidence(corpus, finding)
        .filter(|i| c.speaker[*i] != NONE)
        .map(|i| {
            let cercle = corpus.session_of(c.document[i]).map_or(NONE, |s| s.cercle);
            (cercle, c.speaker[i])
        })
        .collect()
}

/// One forum's outcome for a finding, with the forum's place and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeEntry {
    /// Forum session code.
    pub forum: String,
    /// Where the forum was held.
    pub place: PlaceCode,
    /// When.
    pub date: NaiveDate,
    /// Validated, amended, rejected or added.
    pub kind: OutcomeKind,
    /// New wording, for an amendment.
    pub wording: Option<Localized>,
    /// Reasons, for a rejection.
    pub reasons: Option<String>,
    /// Consensus, majority or split.
    pub agreement: sankore_domain::Agreement,
}

/// A finding with its strength and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingOverview {
    /// Stable key.
    pub key: String,
    /// Statement as drafted by the analysts.
    pub statement: Localized,
    /// The research question it answers.
    pub research_question: ResearchQuestion,
    /// Places it applies to (empty: the whole study area).
    pub places: Vec<PlaceCode>,
    /// Codes whose codings are its evidence.
    pub codes: Vec<String>,
    /// Computed evidence strength.
    pub strength: Strength,
    /// Whether at least one forum validated, amended or added it.
    pub validated: bool,
    /// Every forum's outcome, by forum date.
    pub outcomes: Vec<OutcomeEntry>,
}

impl FindingOverview {
    /// Whether the finding is presented at `place`'s forum: it names that
    /// place, or no place (the whole study area).
    pub fn applies_to(&self, place: &str) -> bool {
        self.places.is_empty() || self.places.iter().any(|p| p.as_str() == place)
    }
}

/// Builds the overview of every finding, in the study's order.
pub fn overview(
    corpus: &Corpus,
    findings: &[Finding],
    research_questions: &[ResearchQuestion],
    sessions: &[Session],
    outcomes: &[ForumOutcome],
) -> Vec<FindingOverview> {
    findings
        .iter()
        .map(|f| {
            // The store guarantees the question exists; without it, the
            // number alone is shown.
            let research_question = research_questions
                .iter()
                .find(|q| q.number == f.research_question)
                .cloned()
                .unwrap_or(ResearchQuestion {
                    number: f.research_question,
                    text: Localized::default(),
                });
            let mine: Vec<&ForumOutcome> = outcomes.iter().filter(|o| o.finding == f.key).collect();
            let mut entries: Vec<OutcomeEntry> = mine
                .iter()
                .filter_map(|o| {
                    let forum = sessions.iter().find(|s| s.code == o.forum)?;
                    Some(OutcomeEntry {
                        forum: o.forum.clone(),
                        place: forum.place.clone(),
                        date: forum.date,
                        kind: o.kind,
                        wording: o.wording.clone(),
                        reasons: o.reasons.clone(),
                        agreement: o.agreement,
                    })
                })
                .collect();
            entries.sort_by(|a, b| (a.date, &a.forum).cmp(&(b.date, &b.forum)));
            FindingOverview {
                key: f.key.clone(),
                statement: f.statement.clone(),
                research_question,
                places: f.places.clone(),
                codes: f.codes.iter().map(ToString::to_string).collect(),
                strength: strength(corpus, f),
                validated: is_validated(mine),
                outcomes: entries,
            }
        })
        .collect()
}

/// Loads a study and builds its findings overview.
pub fn from_store(store: &(impl Store + FollowupStore)) -> Result<Vec<FindingOverview>> {
    let corpus = Corpus::from_store(store)?;
    Ok(overview(
        &corpus,
        &store.findings()?,
        &store.research_questions()?,
        &store.sessions()?,
        &store.forum_outcomes()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::CorpusInput;
    use sankore_domain::{Coding, CodingOrigin, StudyRecords};

    fn corpus(r: &StudyRecords) -> Corpus {
        Corpus::build(&CorpusInput {
            codebook: &r.codebook,
            gazetteer: &r.gazetteer,
            groups: &r.groups,
            participants: &r.participants,
            sessions: &r.sessions,
            documents: &r.documents,
            codings: &r.codings,
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn strength_follows_the_codings() {
        let mut r = sankore_demo::reference_study();
        let finding = r
            .findings
            .iter()
            .find(|f| f.key == "f-youth-jobs")
            .cloned()
            .unwrap_or_else(|| panic!("no finding"));
        let code = finding
            .codes
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no code"));
        let before = strength(&corpus(&r), &finding);
        assert!(before.participants > 0 && before.sources > 0 && before.cercles > 0);
        assert!(before.participants >= before.cercles);

        // A coding in an interview no coding of this code touched yet adds
        // a participant, a source and a segment.
        let coded: BTreeSet<&str> = r
            .codings
            .iter()
            .filter(|c| c.code == code)
            .map(|c| c.document.as_str())
            .collect();
        let fresh = r
            .documents
            .iter()
            .find(|d| {
                !coded.contains(d.code.as_str()) && d.turns.iter().any(|t| t.participant.is_some())
            })
            .unwrap_or_else(|| panic!("every interview has the code"));
        let turn = fresh
            .turns
            .iter()
            .find(|t| t.participant.is_some())
            .unwrap_or_else(|| panic!("no turn"));
        let added = Coding {
            document: fresh.code.clone(),
            span: turn.span,
            code: code.clone(),
            coder: "R1".into(),
            memo: None,
            origin: CodingOrigin::Manual,
        };
        r.codings.push(added.clone());
        let more = strength(&corpus(&r), &finding);
        assert_eq!(more.segments, before.segments + 1);
        assert_eq!(more.sources, before.sources + 1);
        assert_eq!(more.participants, before.participants + 1);

        // Removing it gives the first figures back; removing every coding
        // of the code leaves nothing.
        r.codings.retain(|c| c != &added);
        assert_eq!(strength(&corpus(&r), &finding), before);
        r.codings.retain(|c| c.code != code);
        assert_eq!(strength(&corpus(&r), &finding), Strength::default());
    }

    #[test]
    fn overview_shows_every_forum_outcome() {
        let r = sankore_demo::reference_study();
        let all = overview(
            &corpus(&r),
            &r.findings,
            &r.research_questions,
            &r.sessions,
            &r.forum_outcomes,
        );
        assert_eq!(all.len(), r.findings.len());
        let jobs = all.iter().find(|f| f.key == "f-youth-jobs");
        assert_eq!(jobs.map(|f| f.outcomes.len()), Some(5));
        assert!(jobs.is_some_and(|f| f.validated));
        let dates: Vec<NaiveDate> = jobs
            .map(|f| f.outcomes.iter().map(|o| o.date).collect())
            .unwrap_or_default();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
        let unvalidated: Vec<&str> = all
            .iter()
            .filter(|f| !f.validated)
            .map(|f| f.key.as_str())
            .collect();
        assert!(unvalidated.contains(&"f-weak-cohesion"), "{unvalidated:?}");
    }
}
