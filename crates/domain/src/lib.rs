//! Sankore's domain: the records a participatory diagnostic study holds, and
//! the rules that keep them consistent.
//!
//! This crate does no I/O. Every constructor that takes outside data checks it
//! and returns a [`DomainError`] naming the field at fault, so the storage,
//! format and web layers can trust a value once it has been built.
//!
//! Text positions are Unicode scalar offsets, half-open `[start, end)`, over
//! NFC-normalised text (see [`text`]).

pub mod access;
pub mod audit;
pub mod codebook;
pub mod coding;
pub mod document;
pub mod error;
pub mod followup;
pub mod gazetteer;
pub mod instrument;
pub mod lang;
pub mod participant;
pub mod records;
pub mod response;
pub mod session;
pub mod study;
pub mod text;

pub use access::{Permission, Role};
pub use audit::{AuditAction, AuditEvent};
pub use codebook::{Code, CodeKey, Codebook, Color};
pub use coding::{Coding, CodingOrigin, Memo, MemoTarget};
pub use document::{Document, DocumentKind, Turn};
pub use error::DomainError;
pub use followup::{
    Action, ActionStatus, Agreement, Finding, ForumOutcome, OutcomeKind, Recommendation,
};
pub use gazetteer::{Coordinates, Gazetteer, Place, PlaceCode, PlaceLevel};
pub use lang::{Lang, Localized};
pub use participant::{AgeBand, ConsentStatus, Gender, Participant, ParticipantCode};
pub use records::StudyRecords;
pub use response::{Answers, AnswersBuilder, LinkedRecords, RepeatRow, Response};
pub use session::{CompositionCount, Session, SessionKind};
pub use study::{Quota, ResearchQuestion, StakeholderGroup, Study, TeamMember};
pub use text::{Span, TextBody};
