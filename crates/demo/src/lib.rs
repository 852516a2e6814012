//! A deterministic, fully synthetic version of Sankore's reference case: a
//! diagnostic study of violent extremism in the five cercles of the Timbuktu
//! region (April–June 2017).
//!
//! [`reference_study`] returns every record of the study in one value: the
//! study and its team of three, six research questions, stakeholder groups,
//! 97 interviewees (21 women) with one interview and one French transcript
//! each, fifteen focus groups totalling 188 people, five validation forums
//! with minutes, the default codebook of `domain.md` §5 with pre-applied
//! codings (coder `R1` on every transcript; coder `R2` double-codes twenty
//! interviews and three focus groups, with realistic disagreements),
//! findings, recommendations and actions.
//!
//! Everything is invented and marked as such: each document starts with a
//! `[DONNÉES SYNTHÉTIQUES — SYNTHETIC DATA]` line, speakers are known by
//! role or code only, and no name or phone number appears. The text is drawn
//! from French phrase banks with a small seeded generator (no clock, no
//! external randomness), so two calls give equal values.

#![warn(missing_docs)]

mod codebook;
mod focus;
mod followup;
mod forums;
mod guide;
mod interviews;
mod phrases;
mod rng;
mod second_coder;
mod study;
mod transcript;

#[cfg(test)]
mod tests;

use sankore_domain::{Coding, Document, Participant, Session, StudyRecords};

pub use codebook::{CODEBOOK_LABEL, INSECURITY, PUSH_FACTORS, default_codebook};
pub use guide::interview_guide;
pub use study::STUDY_NAME;

/// Records produced by one generator, merged into the study.
#[derive(Default)]
pub(crate) struct Batch {
    pub participants: Vec<Participant>,
    pub sessions: Vec<Session>,
    pub documents: Vec<Document>,
    pub codings: Vec<Coding>,
    /// The passages behind the codings, for the tests.
    pub passages: Vec<transcript::Passage>,
}

impl Batch {
    fn append(&mut self, other: Batch) {
        self.participants.extend(other.participants);
        self.sessions.extend(other.sessions);
        self.documents.extend(other.documents);
        self.codings.extend(other.codings);
        self.passages.extend(other.passages);
    }
}

/// The study and what the tests need to check it against.
pub(crate) struct Generated {
    pub records: StudyRecords,
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests"))]
    pub passages: Vec<transcript::Passage>,
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests"))]
    pub factor_table: interviews::FactorTable,
}

/// Builds everything.
pub(crate) fn generate() -> Generated {
    let gazetteer = study::gazetteer();
    let (mut batch, factor_table) = interviews::generate(&gazetteer);
    batch.append(focus::generate(&gazetteer));
    batch.append(forums::generate(&gazetteer, &factor_table));
    let codebook = default_codebook();
    let second = second_coder::codings(&batch.documents, &batch.codings, &codebook);
    batch.codings.extend(second);
    let records = StudyRecords {
        study: study::study(&gazetteer),
        research_questions: study::research_questions(),
        groups: study::groups(),
        quotas: study::quotas(&gazetteer),
        participants: batch.participants,
        sessions: batch.sessions,
        documents: batch.documents,
        codebook,
        codings: batch.codings,
        memos: followup::memos(),
        findings: followup::findings(),
        recommendations: followup::recommendations(),
        actions: followup::actions(),
        forum_outcomes: followup::forum_outcomes(),
        gazetteer,
    };
    Generated {
        records,
        passages: batch.passages,
        factor_table,
    }
}

/// Invented first-name words of the demo's synthetic identities: made-up
/// words, not names anyone carries, so tests can look for them anywhere.
const SYNTHETIC_FIRST: [&str; 10] = [
    "Zorbamou",
    "Kelitane",
    "Vashouma",
    "Dribalé",
    "Quenkadi",
    "Moltrizé",
    "Pendouri",
    "Xaldimé",
    "Fourbako",
    "Jelvani",
];
/// Invented family-name words of the synthetic identities.
const SYNTHETIC_LAST: [&str; 10] = [
    "Synthétikou",
    "Imaginara",
    "Fictivéné",
    "Inventoré",
    "Pseudoumba",
    "Factissé",
    "Simulaka",
    "Chimérou",
    "Fabulonké",
    "Nonréelli",
];

/// A SYNTHETIC identity for the demo's participants: an invented name
/// (two made-up words), a phone number of zeros and a place marked
/// fictitious, one per participant (by `participant`'s index in
/// [`reference_study`]'s list). Deterministic.
pub fn synthetic_identity(participant: usize) -> sankore_vault::Identity {
    let first = SYNTHETIC_FIRST[participant % SYNTHETIC_FIRST.len()];
    let last = SYNTHETIC_LAST[(participant / SYNTHETIC_FIRST.len()) % SYNTHETIC_LAST.len()];
    sankore_vault::Identity {
        name: format!("{first} {last}"),
        phone: Some(format!(
            "+223 00 00 {:02} {:02}",
            participant / 100,
            participant % 100
        )),
        location: Some(format!("Lieu fictif n° {participant} (SYNTHETIC)")),
    }
}

/// The synthetic reference study, every record of it.
///
/// Deterministic: two calls return equal values. The result passes
/// [`StudyRecords::check`] (the crate's tests make sure of it), so it can be
/// stored as a new study in one go.
pub fn reference_study() -> StudyRecords {
    generate().records
}
