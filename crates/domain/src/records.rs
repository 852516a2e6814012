//! A whole study as one value, and the rules that span its records.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::codebook::Codebook;
use crate::coding::{Coding, Memo, MemoTarget};
use crate::document::Document;
use crate::error::{DomainError, Result};
use crate::followup::{Action, Finding, ForumOutcome, Recommendation};
use crate::gazetteer::Gazetteer;
use crate::participant::Participant;
use crate::session::{Session, SessionKind};
use crate::study::{Quota, ResearchQuestion, StakeholderGroup, Study, check_research_questions};

/// Every record of one study. Used to create a study in one go (the demo,
/// imports, restores) and to check the rules that cross records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyRecords {
    pub study: Study,
    pub gazetteer: Gazetteer,
    pub research_questions: Vec<ResearchQuestion>,
    pub groups: Vec<StakeholderGroup>,
    pub quotas: Vec<Quota>,
    pub participants: Vec<Participant>,
    pub sessions: Vec<Session>,
    pub documents: Vec<Document>,
    pub codebook: Codebook,
    pub codings: Vec<Coding>,
    pub memos: Vec<Memo>,
    pub findings: Vec<Finding>,
    pub recommendations: Vec<Recommendation>,
    pub actions: Vec<Action>,
    /// What each validation forum decided about each finding it discussed.
    #[serde(default)]
    pub forum_outcomes: Vec<ForumOutcome>,
}

impl StudyRecords {
    /// Checks every rule that spans records: unique codes, references that
    /// resolve, sessions inside the study period, codings inside their
    /// documents, composition groups that exist.
    pub fn check(&self) -> Result<()> {
        check_research_questions(&self.research_questions)?;
        let rq_count = self.research_questions.len();
        let groups = unique(
            "stakeholder group",
            self.groups.iter().map(|g| g.key.as_str()),
        )?;
        let place_exists = |code: &crate::gazetteer::PlaceCode, what: &'static str| {
            self.gazetteer
                .get(code)
                .map(|_| ())
                .ok_or_else(|| unknown(what, "place", code.as_str()))
        };
        let group_exists = |key: &str, what: &'static str| {
            if groups.contains(key) {
                Ok(())
            } else {
                Err(unknown(what, "stakeholder group", key))
            }
        };
        for quota in &self.quotas {
            place_exists(&quota.place, "quota")?;
            group_exists(&quota.group, "quota")?;
        }
        let participants = unique(
            "participant code",
            self.participants.iter().map(|p| p.code.as_str()),
        )?;
        for p in &self.participants {
            place_exists(&p.place, "participant")?;
            group_exists(&p.group, "participant")?;
        }
        let team: BTreeSet<&str> = self.study.team.iter().map(|m| m.handle.as_str()).collect();
        let sessions = unique(
            "session code",
            self.sessions.iter().map(|s| s.code.as_str()),
        )?;
        let mut interviewed: BTreeMap<&str, &str> = BTreeMap::new();
        for s in &self.sessions {
            place_exists(&s.place, "session")?;
            if !self.study.covers(s.date) {
                return Err(DomainError::Invalid {
                    field: "session date",
                    reason: format!(
                        "session {} on {} is outside the study period",
                        s.code, s.date
                    ),
                });
            }
            for f in &s.facilitators {
                if !team.contains(f.as_str()) {
                    return Err(unknown("session facilitator", "team member", f));
                }
            }
            for p in &s.participants {
                if !participants.contains(p.as_str()) {
                    return Err(unknown("session", "participant", p.as_str()));
                }
                if s.kind == SessionKind::Interview
                    && let Some(previous) = interviewed.insert(p.as_str(), s.code.as_str())
                {
                    return Err(DomainError::Duplicate {
                        what: "interview of participant",
                        key: format!("{p} in {previous} and {}", s.code),
                    });
                }
            }
            for row in &s.composition {
                group_exists(&row.group, "session composition")?;
            }
        }
        let documents: BTreeMap<&str, &Document> = self
            .documents
            .iter()
            .map(|d| (d.code.as_str(), d))
            .collect();
        if documents.len() != self.documents.len() {
            unique(
                "document code",
                self.documents.iter().map(|d| d.code.as_str()),
            )?;
        }
        for d in &self.documents {
            if let Some(session) = &d.session
                && !sessions.contains(session.as_str())
            {
                return Err(unknown("document", "session", session));
            }
            for turn in &d.turns {
                if let Some(p) = &turn.participant
                    && !participants.contains(p.as_str())
                {
                    return Err(unknown("speaker turn", "participant", p.as_str()));
                }
            }
        }
        let rq_count = u8::try_from(rq_count).unwrap_or(u8::MAX);
        Codebook::new(
            self.codebook.version,
            &self.codebook.label,
            self.codebook.codes().to_vec(),
            rq_count,
        )?;
        for c in &self.codings {
            let document = documents
                .get(c.document.as_str())
                .ok_or_else(|| unknown("coding", "document", &c.document))?;
            if c.span.end() > document.body.char_len() {
                return Err(DomainError::SpanOutOfBounds {
                    start: c.span.start(),
                    end: c.span.end(),
                    len: document.body.char_len(),
                });
            }
            if self.codebook.get(&c.code).is_none() {
                return Err(unknown("coding", "code", c.code.as_str()));
            }
        }
        for m in &self.memos {
            match &m.target {
                MemoTarget::Study => {}
                MemoTarget::Document(d) if documents.contains_key(d.as_str()) => {}
                MemoTarget::Code(k) if self.codebook.get(k).is_some() => {}
                MemoTarget::Document(d) => return Err(unknown("memo", "document", d)),
                MemoTarget::Code(k) => return Err(unknown("memo", "code", k.as_str())),
            }
        }
        let findings = unique("finding key", self.findings.iter().map(|f| f.key.as_str()))?;
        for f in &self.findings {
            if f.research_question == 0 || f.research_question > rq_count {
                return Err(unknown(
                    "finding",
                    "research question",
                    &f.research_question.to_string(),
                ));
            }
            for p in &f.places {
                place_exists(p, "finding")?;
            }
            for k in &f.codes {
                if self.codebook.get(k).is_none() {
                    return Err(unknown("finding", "code", k.as_str()));
                }
            }
        }
        let recommendations = unique(
            "recommendation key",
            self.recommendations.iter().map(|r| r.key.as_str()),
        )?;
        for r in &self.recommendations {
            for f in &r.findings {
                if !findings.contains(f.as_str()) {
                    return Err(unknown("recommendation", "finding", f));
                }
            }
        }
        unique("action key", self.actions.iter().map(|a| a.key.as_str()))?;
        for a in &self.actions {
            if let Some(r) = &a.recommendation
                && !recommendations.contains(r.as_str())
            {
                return Err(unknown("action", "recommendation", r));
            }
            for p in &a.places {
                place_exists(p, "action")?;
            }
            for row in &a.participants {
                group_exists(&row.group, "action participants")?;
                if row.count == 0 {
                    return Err(DomainError::Invalid {
                        field: "action participants",
                        reason: format!("action {} counts no one in a row", a.key),
                    });
                }
            }
        }
        let forums: BTreeSet<&str> = self
            .sessions
            .iter()
            .filter(|s| s.kind == SessionKind::ValidationForum)
            .map(|s| s.code.as_str())
            .collect();
        let mut discussed = BTreeSet::new();
        for o in &self.forum_outcomes {
            if !forums.contains(o.forum.as_str()) {
                return Err(unknown("forum outcome", "validation forum", &o.forum));
            }
            if !findings.contains(o.finding.as_str()) {
                return Err(unknown("forum outcome", "finding", &o.finding));
            }
            ForumOutcome::new(o.clone())?;
            if !discussed.insert((o.forum.as_str(), o.finding.as_str())) {
                return Err(DomainError::Duplicate {
                    what: "forum outcome",
                    key: format!("{} in {}", o.finding, o.forum),
                });
            }
        }
        Ok(())
    }
}

fn unknown(what: &'static str, target: &'static str, key: &str) -> DomainError {
    DomainError::UnknownReference {
        what,
        target,
        key: key.to_owned(),
    }
}

fn unique<'a>(
    what: &'static str,
    keys: impl Iterator<Item = &'a str>,
) -> Result<BTreeSet<&'a str>> {
    let mut seen = BTreeSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(DomainError::Duplicate {
                what,
                key: key.to_owned(),
            });
        }
    }
    Ok(seen)
}
