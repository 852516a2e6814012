//! Sankore's storage.
//!
//! [`Store`] is what the rest of Sankore sees: reads and writes of domain
//! values, each write one transaction. [`sqlite::SqliteStore`] implements it
//! on an encrypted SQLite (SQLCipher) database inside a [`Workspace`]
//! directory. A PostgreSQL backend for a central server would be a second
//! implementation of the same trait, with its own migrations.
//!
//! Nothing here logs or returns participant text in error messages.

pub mod error;
pub mod key;
pub mod sqlite;
pub mod workspace;

pub use error::{Result, StoreError};
pub use key::Passphrase;
pub use workspace::Workspace;

use sankore_domain::{
    Action, CodeKey, Codebook, Coding, Document, DocumentKind, Finding, Gazetteer, Memo,
    Participant, Quota, Recommendation, ResearchQuestion, Role, Session, StakeholderGroup, Study,
    StudyRecords,
};
use serde::Serialize;

/// A user account (the password hash stays in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// Accounts and server-side web sessions.
pub trait AccountStore {
    /// Adds a user; refused when the name is taken (case-insensitively).
    fn add_user(&mut self, name: &str, role: Role, password_hash: &str) -> Result<Account>;
    /// The account and its password hash, for signing in.
    fn user_credentials(&self, name: &str) -> Result<Option<(Account, String)>>;
    /// Every account, by name.
    fn users(&self) -> Result<Vec<Account>>;
    /// Records a signed-in session under the hash of its token.
    fn create_web_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
    ) -> Result<()>;
    /// The account and CSRF token of a live session, refreshing its
    /// last-seen time; `None` when unknown or idle longer than `max_idle`.
    fn touch_web_session(
        &mut self,
        token_hash: &str,
        max_idle: chrono::Duration,
    ) -> Result<Option<(Account, String)>>;
    /// Ends a session.
    fn delete_web_session(&mut self, token_hash: &str) -> Result<()>;
}

/// A document in a listing, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    pub code: String,
    pub title: String,
    pub kind: DocumentKind,
    pub session: Option<String>,
    /// Length in Unicode scalars.
    pub chars: usize,
    pub codings: usize,
}

/// A stored coding with its identity and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCoding {
    /// Stable identifier (a UUID).
    pub id: String,
    /// Increases with each change; edits must name the current one.
    pub version: i64,
    #[serde(flatten)]
    pub coding: Coding,
}

/// Reading and coding one document at a time, safely under concurrency:
/// adding never conflicts; changing or removing a coding names the version
/// the editor saw, and a stale version is refused.
pub trait CodingStore {
    /// Documents, by code.
    fn document_summaries(&self) -> Result<Vec<DocumentSummary>>;
    /// One document and its revision (which counts changes to its codings).
    fn document(&self, code: &str) -> Result<Option<(Document, i64)>>;
    /// The codings of one document, by position.
    fn document_codings(&self, code: &str) -> Result<Vec<StoredCoding>>;
    /// One coding by id.
    fn coding(&self, id: &str) -> Result<Option<StoredCoding>>;
    /// Adds a coding after checking its span against the document.
    fn add_coding(&mut self, coding: &Coding) -> Result<StoredCoding>;
    /// Changes a coding's code and memo if `expected_version` is current.
    fn update_coding(
        &mut self,
        id: &str,
        expected_version: i64,
        code: &CodeKey,
        memo: Option<&str>,
    ) -> Result<StoredCoding>;
    /// Removes a coding if `expected_version` is current.
    fn delete_coding(&mut self, id: &str, expected_version: i64) -> Result<()>;
}

/// Creating and editing records one at a time (the field team's daily
/// work). Each call is one transaction; references are checked.
pub trait RecordStore {
    /// Registers a participant; refused when the code is taken.
    fn add_participant(&mut self, participant: &Participant) -> Result<()>;
    /// Replaces the attributes of the participant with that code.
    fn update_participant(&mut self, participant: &Participant) -> Result<()>;
    /// Records a session; refused when the code is taken.
    fn add_session(&mut self, session: &Session) -> Result<()>;
    /// Replaces the session with that code (kind, place, date, facilitators,
    /// participants, attendance).
    fn update_session(&mut self, session: &Session) -> Result<()>;
    /// Adds a document (a typed or attached transcript, notes).
    fn add_document(&mut self, document: &Document) -> Result<()>;
}

/// The full-text index of documents. Terms are computed by the caller
/// (folded, stemmed); the index stays inside the encrypted database.
pub trait SearchStore {
    /// Documents not in the index yet: `(code, text)`.
    fn unindexed_documents(&self) -> Result<Vec<(String, String)>>;
    /// Sets the index terms of a document.
    fn index_document(&mut self, code: &str, terms: &str) -> Result<()>;
    /// Codes of the documents matching an FTS5 expression, best first.
    fn search(&self, expression: &str, limit: usize) -> Result<Vec<String>>;
}

/// How much a code is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeUsage {
    pub key: CodeKey,
    pub codings: usize,
    pub documents: usize,
}

/// Editing the codebook: every save is a new version, kept.
pub trait CodebookStore {
    /// Saves `codebook` as the next version. Each `(from, into)` merge moves
    /// `from`'s codings to `into` first. A code dropped from the book while
    /// it still has codings is refused.
    fn save_codebook(&mut self, codebook: &Codebook, merges: &[(CodeKey, CodeKey)]) -> Result<()>;
    /// Codings and documents per code, in codebook order.
    fn code_usage(&self) -> Result<Vec<CodeUsage>>;
    /// Every coding of one code, by document and position.
    fn code_codings(&self, key: &CodeKey) -> Result<Vec<StoredCoding>>;
}

/// Reports how far a long write has got: `(done, total)` steps.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// The outcome of one integrity check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable name of the check, such as `sqlite.integrity`.
    pub name: &'static str,
    pub ok: bool,
    /// What was found wrong (record codes and offsets, never text).
    pub problems: Vec<String>,
}

/// Storage of one workspace's study.
///
/// Every write is a single transaction: it lands whole or not at all.
pub trait Store {
    /// The study, or `None` in a workspace where none was created yet.
    fn study(&self) -> Result<Option<Study>>;
    /// The gazetteer version the study pinned.
    fn gazetteer(&self) -> Result<Gazetteer>;
    /// Research questions, in order.
    fn research_questions(&self) -> Result<Vec<ResearchQuestion>>;
    /// Stakeholder groups, in the study's order.
    fn groups(&self) -> Result<Vec<StakeholderGroup>>;
    /// Collection quotas.
    fn quotas(&self) -> Result<Vec<Quota>>;
    /// Participants, by code.
    fn participants(&self) -> Result<Vec<Participant>>;
    /// Sessions, by date then code.
    fn sessions(&self) -> Result<Vec<Session>>;
    /// Documents with their text and turns, by code.
    fn documents(&self) -> Result<Vec<Document>>;
    /// The current codebook.
    fn codebook(&self) -> Result<Codebook>;
    /// All codings, by document and position.
    fn codings(&self) -> Result<Vec<Coding>>;
    /// All memos.
    fn memos(&self) -> Result<Vec<Memo>>;
    /// Findings, in order.
    fn findings(&self) -> Result<Vec<Finding>>;
    /// Recommendations, in order.
    fn recommendations(&self) -> Result<Vec<Recommendation>>;
    /// Actions, in order.
    fn actions(&self) -> Result<Vec<Action>>;

    /// Creates an empty study (no participants yet) with its gazetteer.
    fn create_study(&mut self, study: &Study, gazetteer: &Gazetteer) -> Result<()>;

    /// Writes a whole study in one transaction, after checking its
    /// cross-record rules. Refused when the workspace already has a study.
    fn import_study(&mut self, records: &StudyRecords, progress: Progress<'_>) -> Result<()>;

    /// Runs the backend's integrity checks and Sankore's own.
    fn check(&self) -> Result<Vec<CheckResult>>;

    /// Every record of the study.
    fn load_study(&self) -> Result<Option<StudyRecords>> {
        let Some(study) = self.study()? else {
            return Ok(None);
        };
        Ok(Some(StudyRecords {
            study,
            gazetteer: self.gazetteer()?,
            research_questions: self.research_questions()?,
            groups: self.groups()?,
            quotas: self.quotas()?,
            participants: self.participants()?,
            sessions: self.sessions()?,
            documents: self.documents()?,
            codebook: self.codebook()?,
            codings: self.codings()?,
            memos: self.memos()?,
            findings: self.findings()?,
            recommendations: self.recommendations()?,
            actions: self.actions()?,
        }))
    }
}
