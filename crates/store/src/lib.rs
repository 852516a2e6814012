//! Sankore's storage.
//!
//! [`Store`] is what the rest of Sankore sees: reads and writes of domain
//! values, each write one transaction. [`sqlite::SqliteStore`] implements it
//! on an encrypted SQLite (SQLCipher) database inside a [`Workspace`]
//! directory. A PostgreSQL backend for a central server would be a second
//! implementation of the same trait, with its own migrations.
//!
//! Nothing here logs or returns participant text in error messages.

pub mod backup;
pub mod error;
pub mod key;
pub mod sqlite;
pub mod workspace;

pub use error::{Result, StoreError};
pub use key::Passphrase;
pub use workspace::Workspace;

use sankore_domain::{
    Action, ActionStatus, AuditAction, AuditEvent, CodeKey, Codebook, Coding, Document,
    DocumentKind, Finding, ForumOutcome, Gazetteer, Memo, Participant, Quota, Recommendation,
    ResearchQuestion, Role, Session, StakeholderGroup, Study, StudyRecords,
};
use serde::Serialize;

/// A user account (the password hash stays in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// What signing in needs to know of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub account: Account,
    /// PHC string (Argon2id).
    pub password_hash: String,
    /// Locked after too many consecutive failed sign-ins; only an unlock
    /// (`sankore user unlock`) opens it again.
    pub locked: bool,
}

/// Accounts and server-side web sessions.
pub trait AccountStore {
    /// Adds a user; refused when the name is taken (case-insensitively).
    fn add_user(&mut self, name: &str, role: Role, password_hash: &str) -> Result<Account>;
    /// The account, its password hash and whether it is locked, for signing in.
    fn user_credentials(&self, name: &str) -> Result<Option<Credentials>>;
    /// Every account, by name.
    fn users(&self) -> Result<Vec<Account>>;
    /// Records a signed-in session under the hash of its token, clears the
    /// account's count of consecutive failed sign-ins and records the
    /// sign-in in the audit log, in one transaction.
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
    /// Ends a session (a sign-out, audited).
    fn delete_web_session(&mut self, token_hash: &str) -> Result<()>;
    /// Counts a failed sign-in of an existing account (audited, with
    /// `reason`); the account locks when `lock_after` consecutive failures
    /// are reached, which ends its sessions. Returns whether this failure
    /// locked it.
    fn sign_in_failed(&mut self, user_id: i64, lock_after: u32, reason: &str) -> Result<bool>;
    /// Ends every session of the named account; returns the account and
    /// how many sessions ended. `actor` is who asked, for the audit log.
    fn end_user_sessions(&mut self, name: &str, actor: &str) -> Result<(Account, usize)>;
    /// Replaces the named account's password hash and ends all its
    /// sessions, audited, in one transaction.
    fn set_password(&mut self, name: &str, password_hash: &str, actor: &str) -> Result<Account>;
    /// Changes the named account's role (audited); returns the account as
    /// it is now and its former role.
    fn set_role(&mut self, name: &str, role: Role, actor: &str) -> Result<(Account, Role)>;
    /// Unlocks the named account and clears its count of failed sign-ins
    /// (audited); returns whether it was locked.
    fn unlock_user(&mut self, name: &str, actor: &str) -> Result<(Account, bool)>;
}

/// An entry of the audit log, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// When it was recorded (UTC, RFC 3339 with microseconds).
    pub at: String,
    #[serde(flatten)]
    pub event: AuditEvent,
    /// Hash of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over this entry's fields and `prev_hash`, hex.
    pub hash: String,
}

/// Which audit entries to list; every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    /// Entries recorded at or after this instant (RFC 3339 or a date).
    pub since: Option<String>,
    /// Entries recorded before this instant (RFC 3339 or a date).
    pub until: Option<String>,
    /// The most recent `limit` entries only.
    pub limit: Option<usize>,
}

/// What verifying the audit log found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditVerification {
    /// Every entry is where and what it was when recorded.
    Intact {
        entries: i64,
        /// Hash of the last entry: write it down to detect a later
        /// rewrite of the whole log by someone holding the passphrase.
        head: String,
    },
    /// The first entry (by position) at which the chain breaks, and why.
    Broken { seq: i64, reason: String },
}

/// The append-only, hash-chained audit log.
pub trait AuditStore {
    /// Appends an event in its own transaction.
    fn record_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry>;
    /// Entries matching the filter, oldest first.
    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    /// Recomputes the chain and checks it against the head anchored outside
    /// the database, so an altered, removed, reordered or truncated entry is
    /// found.
    fn verify_audit(&self) -> Result<AuditVerification>;
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

/// A document assigned to a coder for blind double-coding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// Document code.
    pub document: String,
    /// The coder's account name (their coder handle).
    pub coder: String,
    /// Account name of who assigned it.
    pub assigned_by: String,
    /// Whether the coder marked the document done.
    pub done: bool,
}

/// Blind double-coding: documents assigned to coders. While any of a
/// document's assignments is not done, the document is *blind*: each
/// assigned coder, and anyone but a coordinator, sees only their own
/// codings on it. Once every assigned coder marked it done, everyone who
/// may read transcripts sees every coding again.
pub trait AssignmentStore: CodingStore {
    /// Assigns a document to a coder (an account name). Refused with
    /// [`StoreError::NotFound`] for an unknown document or account and
    /// [`StoreError::Exists`] when already assigned to them.
    fn assign(&mut self, document: &str, coder: &str, assigned_by: &str) -> Result<Assignment>;
    /// Marks a coder's assignment done ([`StoreError::NotFound`] when the
    /// document is not assigned to them).
    fn mark_done(&mut self, document: &str, coder: &str) -> Result<()>;
    /// Every assignment, by document then coder.
    fn assignments(&self) -> Result<Vec<Assignment>>;
    /// The assignments of one document, by coder.
    fn document_assignments(&self, document: &str) -> Result<Vec<Assignment>>;

    /// What `user` may see now: the documents blind for them.
    fn blind_view(&self, user: &Account) -> Result<BlindView> {
        let all = self.assignments()?;
        Ok(BlindView {
            documents: all
                .chunk_by(|a, b| a.document == b.document)
                .filter(|list| blind(list, user))
                .filter_map(|list| list.first().map(|a| a.document.clone()))
                .collect(),
            user: user.name.clone(),
        })
    }

    /// Refuses, as [`StoreError::NotFound`], a coding that does not exist
    /// or that `user` may not see now (before changing or removing it).
    fn require_visible(&self, id: &str, user: &Account) -> Result<()> {
        let view = self.blind_view(user)?;
        match self.coding(id)? {
            Some(s) if view.shows(&s.coding.document, &s.coding.coder) => Ok(()),
            _ => Err(StoreError::NotFound {
                what: "coding",
                key: id.to_owned(),
            }),
        }
    }

    /// The codings of `document` that `user` may see, by position: every
    /// coding, or only their own while the document is blind for them.
    fn document_codings_visible_to(
        &self,
        document: &str,
        user: &Account,
    ) -> Result<Vec<StoredCoding>> {
        let view = self.blind_view(user)?;
        let mut codings = self.document_codings(document)?;
        codings.retain(|c| view.shows(&c.coding.document, &c.coding.coder));
        Ok(codings)
    }
}

/// The documents blind for one user (see [`AssignmentStore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlindView {
    documents: std::collections::BTreeSet<String>,
    user: String,
}

impl BlindView {
    /// Whether the user may see a coding by `coder` on `document`.
    pub fn shows(&self, document: &str, coder: &str) -> bool {
        coder.eq_ignore_ascii_case(&self.user) || !self.documents.contains(document)
    }
}

/// A passage an auto-coding dictionary suggests for a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSuggestion {
    /// Document code.
    pub document: String,
    /// Code suggested.
    pub code: CodeKey,
    /// Start (Unicode scalars).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// What matched (`word:…`, `phrase:…`, `regex:…`).
    pub rules: Vec<String>,
}

/// A stored suggestion waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingSuggestion {
    /// Stable identifier.
    pub id: i64,
    #[serde(flatten)]
    pub suggestion: NewSuggestion,
}

/// Auto-coding suggestions: stored apart from codings until a person
/// accepts one (a manual coding by them) or rejects it.
pub trait SuggestionStore: CodingStore {
    /// Stores suggestions in one transaction, skipping passages already
    /// suggested for the same code (whatever was decided); returns how
    /// many were added.
    fn add_suggestions(&mut self, suggestions: &[NewSuggestion]) -> Result<usize>;
    /// Pending suggestions, of one document or all, by document then
    /// position.
    fn pending_suggestions(&self, document: Option<&str>) -> Result<Vec<PendingSuggestion>>;
    /// Accepts a pending suggestion, creating a manual coding by `coder`,
    /// in one transaction ([`StoreError::NotFound`] when no such pending
    /// suggestion).
    fn accept_suggestion(&mut self, id: i64, coder: &str) -> Result<StoredCoding>;
    /// Rejects a pending suggestion ([`StoreError::NotFound`] when no such
    /// pending suggestion).
    fn reject_suggestion(&mut self, id: i64, by: &str) -> Result<()>;
}

/// The blind rule over one document's assignments: some assignment is
/// not done, and `user` is assigned or is not a coordinator.
fn blind(assignments: &[Assignment], user: &Account) -> bool {
    let pending = assignments.iter().any(|a| !a.done);
    let assigned = assignments
        .iter()
        .any(|a| a.coder.eq_ignore_ascii_case(&user.name));
    pending && (assigned || user.role != Role::Coordinator)
}

/// What follows analysis: validation-forum outcomes, findings forums put
/// forward, and the progress of follow-up actions. Findings,
/// recommendations and actions are read through [`Store`].
pub trait FollowupStore {
    /// Every forum outcome, by forum date, forum code, then the finding's
    /// order.
    fn forum_outcomes(&self) -> Result<Vec<ForumOutcome>>;
    /// Records a forum's outcome for a finding, replacing the one that
    /// forum recorded before. The forum must be a validation-forum session
    /// and the finding must exist.
    fn record_forum_outcome(&mut self, outcome: &ForumOutcome) -> Result<()>;
    /// Adds a finding a forum put forward, with the forum's `added`
    /// outcome for it, in one transaction. The finding's key must be new,
    /// its research question, places and codes the study's.
    fn add_forum_finding(&mut self, finding: &Finding, outcome: &ForumOutcome) -> Result<()>;
    /// Sets an action's status and outcome notes (`None` clears them).
    fn update_action(
        &mut self,
        key: &str,
        status: ActionStatus,
        outcome_notes: Option<&str>,
    ) -> Result<()>;
}

/// A summary written in a cell of the framework matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkSummary {
    /// Participant code, `SESSION/label` for a focus-group speaker, or a
    /// session code.
    pub case: String,
    /// The theme's code key.
    pub theme: CodeKey,
    pub summary: String,
    pub author: String,
}

/// The framework method's summaries, one per case and theme.
pub trait FrameworkStore {
    /// Every summary, by case then theme.
    fn framework_summaries(&self) -> Result<Vec<FrameworkSummary>>;
    /// Writes (or, when blank, removes) the summary of one cell.
    fn set_framework_summary(&mut self, summary: &FrameworkSummary) -> Result<()>;
}

/// Quotes: codings an analyst picked as a finding's evidence.
pub trait QuoteStore {
    /// Every quote, as `(finding key, coding)`, by finding then in the
    /// order they were picked.
    fn finding_quotes(&self) -> Result<Vec<(String, StoredCoding)>>;
    /// Picks a coding as a quote for a finding (again: no change).
    fn quote_coding(&mut self, finding: &str, coding: &str) -> Result<()>;
    /// Drops a quote.
    fn unquote_coding(&mut self, finding: &str, coding: &str) -> Result<()>;
}

/// A person's decision on a flagged quote, for the text it was made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteReview {
    /// The finding the quote backs.
    pub finding: String,
    /// The coding it was taken from.
    pub coding: String,
    /// SHA-256 (hex) of the quoted text the decision was made on.
    pub text_sha256: String,
    /// `Some(wording)` when the person edited the quote, `None` when they
    /// approved it as it stands.
    pub edited_text: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Who decided.
    pub actor: String,
    /// When (RFC 3339, set by the store).
    pub decided_at: String,
}

/// Disclosure control's stored state: the study's settings and people's
/// decisions on flagged quotes.
pub trait DisclosureStore {
    /// The study's settings (the defaults until some are saved).
    fn disclosure_settings(&self) -> Result<sankore_disclosure::rules::Settings>;
    /// Saves the study's settings.
    fn set_disclosure_settings(
        &mut self,
        settings: &sankore_disclosure::rules::Settings,
    ) -> Result<()>;
    /// Every decision on a quote, by finding then coding.
    fn quote_reviews(&self) -> Result<Vec<QuoteReview>>;
    /// Records (or replaces) the decision on one quote; the reason must not
    /// be blank. Returns the review as stored.
    fn review_quote(&mut self, review: &QuoteReview) -> Result<QuoteReview>;
}

/// A stored instrument in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstrumentSummary {
    pub key: String,
    pub title: String,
    pub version: Option<String>,
    /// When it was last saved (RFC 3339, UTC).
    pub saved_at: String,
    /// How many of its questions are linked to research questions.
    pub linked_questions: usize,
}

/// What saving an instrument did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedInstrument {
    /// No instrument had its key.
    New,
    /// An instrument with its key was replaced.
    Replaced,
    /// The same instrument was stored already.
    Unchanged,
}

/// Data-collection instruments (XLSForm questionnaires, interview guides)
/// of the study, keyed by form id, with their questions' links to research
/// questions.
pub trait InstrumentStore {
    /// Saves an instrument (replacing one with the same key) and records
    /// `event` in the audit log, in one transaction; refused when a question
    /// links to a research question the study does not have.
    fn save_instrument(
        &mut self,
        instrument: &sankore_domain::instrument::Instrument,
        event: &sankore_domain::AuditEvent,
    ) -> Result<SavedInstrument>;
    /// Every instrument, by key.
    fn instruments(&self) -> Result<Vec<InstrumentSummary>>;
    /// One instrument by key.
    fn instrument(&self, key: &str) -> Result<Option<sankore_domain::instrument::Instrument>>;
    /// Links a question (by name) of an instrument to research questions,
    /// replacing its links.
    fn link_research_questions(
        &mut self,
        key: &str,
        question: &str,
        research_questions: &[u8],
    ) -> Result<()>;
}

/// A batch of responses to one form, ready to store.
#[derive(Debug, Clone, Copy)]
pub struct ResponseImport<'a> {
    /// The form they answer (stored with them, replacing an older copy).
    pub form: &'a sankore_domain::instrument::Instrument,
    /// Where they come from (`kobo-csv`, `kobo-xlsx`, `odk-zip`).
    pub origin: &'a str,
    pub responses: &'a [sankore_domain::Response],
    /// Records each response gives through a mapping: empty, or one per
    /// response.
    pub records: &'a [sankore_domain::LinkedRecords],
    /// Submissions of the export set aside, not imported (rejected by a
    /// reviewer on the server): counted in the audit entry.
    pub refused: usize,
    /// Who imports (for the audit log).
    pub actor: &'a str,
}

/// What an import of responses did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResponseImportOutcome {
    /// Submissions stored now.
    pub new: usize,
    /// Submissions already stored with the same answers.
    pub unchanged: usize,
    /// Keys of submissions already stored whose answers differ now (the
    /// stored answers are kept).
    pub changed: Vec<String>,
    /// Submissions of withdrawn participants, found again and skipped.
    pub withdrawn: usize,
    /// Participants created (existing ones are linked, not changed).
    pub participants: usize,
    pub sessions: usize,
    pub documents: usize,
}

/// A stored submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub response: sankore_domain::Response,
    pub origin: String,
    /// The participant and session it gave, through a mapping.
    pub participant: Option<String>,
    pub session: Option<String>,
    /// Whether a mapping was applied to it.
    pub linked: bool,
}

/// Responses to forms (KoBoToolbox, ODK Central), keyed by submission.
pub trait ResponseStore {
    /// Stores the new submissions of a batch, with the records they give
    /// and an audit entry, in one transaction: submissions already stored
    /// are counted unchanged or changed and left as they are.
    fn import_responses(
        &mut self,
        import: &ResponseImport<'_>,
        progress: Progress<'_>,
    ) -> Result<ResponseImportOutcome>;
    /// The forms responses were imported for, by form id.
    fn response_forms(&self) -> Result<Vec<sankore_domain::instrument::Instrument>>;
    /// The stored submissions of a form, in import order.
    fn responses(&self, form: &str) -> Result<Vec<StoredResponse>>;
    /// How many submissions each form has, and how many are linked.
    fn response_counts(&self) -> Result<Vec<ResponseCounts>>;
    /// The mapping saved for a form in the workbench, if any.
    fn response_mapping(&self, form: &str) -> Result<Option<SavedMapping>>;
    /// Saves (replacing) the mapping of a form whose responses were
    /// imported, with an audit entry, in one transaction. `toml` is the
    /// mapping file's text, checked by the caller.
    fn save_response_mapping(&mut self, form: &str, toml: &str, actor: &str) -> Result<()>;
    /// Links stored, still unlinked submissions of a form to the records a
    /// mapping gives them: creates those records (existing participants
    /// are linked, not changed), sets each submission's participant and
    /// session, with an audit entry, in one transaction; refused whole if
    /// a submission is unknown or linked already. In the outcome, `new`
    /// counts the submissions linked.
    fn link_responses(&mut self, link: &ResponseLink<'_>) -> Result<ResponseImportOutcome>;
}

/// Stored submissions of one form to link, with the records each gives.
#[derive(Debug, Clone, Copy)]
pub struct ResponseLink<'a> {
    /// The form's id.
    pub form: &'a str,
    /// Submission key → the records it gives.
    pub records: &'a [(String, sankore_domain::LinkedRecords)],
    /// Who links (for the audit log).
    pub actor: &'a str,
}

/// A form's submissions, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseCounts {
    /// The form's id.
    pub form: String,
    pub submissions: usize,
    /// Submissions a mapping was applied to.
    pub linked: usize,
}

impl ResponseCounts {
    /// Submissions no mapping was applied to yet.
    pub fn unlinked(&self) -> usize {
        self.submissions - self.linked
    }
}

/// A mapping saved in the workbench.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMapping {
    /// The mapping file's text (TOML).
    pub toml: String,
    /// The account that saved it.
    pub saved_by: String,
    /// When (RFC 3339, UTC).
    pub saved_at: String,
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
    fn load_study(&self) -> Result<Option<StudyRecords>>
    where
        Self: FollowupStore,
    {
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
            forum_outcomes: self.forum_outcomes()?,
        }))
    }
}

pub use sankore_vault::{Identity, NameTokenIndex, VaultError, VaultSecret};

/// Settings of the study that a coordinator controls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StudySettings {
    /// After this day, every identity in the vault is destroyed.
    pub identity_retention_until: Option<chrono::NaiveDate>,
    /// Coders read only the documents assigned to them.
    pub coders_see_assigned_only: bool,
}

/// What a consent withdrawal removed: counts only, never text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// Random identifier of this withdrawal, recorded in the audit log in
    /// place of the participant's code.
    pub id: String,
    /// Whether the vault held an identity for the participant.
    pub identity_removed: bool,
    /// Interview sessions removed with their documents.
    pub sessions_removed: usize,
    pub documents_removed: usize,
    /// Documents where the participant's turns were redacted.
    pub documents_redacted: usize,
    pub turns_redacted: usize,
    /// Codings on removed or redacted text (their quotes go with them).
    pub codings_removed: usize,
    pub suggestions_removed: usize,
    /// Framework summaries of the participant as a case.
    pub summaries_removed: usize,
    /// Form submissions a mapping linked to the participant: their answers
    /// and repeat rows removed, the key kept so a re-import skips them.
    pub submissions_removed: usize,
}

/// The text that replaces a withdrawn participant's words (and the speaker
/// label of their turns).
pub const WITHDRAWN_MARKER: &str = "[retiré / withdrawn]";

/// The identity vault, consent withdrawal, retention and study settings.
///
/// Every call names the acting account and checks its role here, below
/// the routes. Opening the vault, reading or writing an identity, a
/// withdrawal and a retention purge each leave an audit entry in the same
/// transaction.
pub trait VaultStore {
    /// Whether the workspace has an identity vault.
    fn vault_exists(&self) -> Result<bool>;
    /// Creates the vault, held at first by the coordinator `by` (their
    /// account password, checked, wraps the vault key). Refused when a
    /// vault exists.
    fn init_vault(&mut self, by: &Account, password: &Passphrase) -> Result<()>;
    /// Unwraps the vault key with a coordinator's password (audited, also
    /// when refused).
    fn open_vault(&mut self, by: &Account, password: &Passphrase) -> Result<VaultSecret>;
    /// Gives the coordinator `to` their own copy of the vault key, wrapped
    /// under their password (checked against their account).
    fn grant_vault(
        &mut self,
        by: &Account,
        vault: &VaultSecret,
        to: &str,
        their_password: &Passphrase,
    ) -> Result<()>;
    /// Whether `account` holds a copy of the vault key.
    fn holds_vault_copy(&self, account: &Account) -> Result<bool>;
    /// Re-wraps `by`'s copy of the vault key under a new password (call on
    /// a password change; a coordinator without a copy is left as is).
    fn rewrap_vault(&mut self, by: &Account, old: &Passphrase, new: &Passphrase) -> Result<()>;
    /// Registers a participant and, in the same transaction, seals their
    /// identity to the vault (no unlocking needed).
    fn register_participant(
        &mut self,
        by: &Account,
        participant: &Participant,
        identity: Option<&Identity>,
    ) -> Result<()>;
    /// Seals identities to the vault for participants that have none yet,
    /// in one transaction (no unlocking needed; one audit entry each).
    fn add_identities(&mut self, by: &Account, identities: &[(String, Identity)]) -> Result<()>;
    /// Adds or replaces a participant's identity (the vault open).
    fn set_identity(
        &mut self,
        by: &Account,
        vault: &VaultSecret,
        code: &str,
        identity: &Identity,
    ) -> Result<()>;
    /// A participant's identity (the vault open; audited).
    fn identity(
        &mut self,
        by: &Account,
        vault: &VaultSecret,
        code: &str,
    ) -> Result<Option<Identity>>;
    /// Whether the vault holds an identity for the participant.
    fn has_identity(&self, code: &str) -> Result<bool>;
    /// Whether `token` (one word) is a name token of someone in the vault,
    /// answered from the keyed index without opening the vault.
    fn is_name_token(&self, token: &str) -> Result<bool> {
        Ok(self.name_index()?.is_name(token))
    }
    /// The keyed name-token index in memory, for scanning texts (quotes)
    /// for names without opening the vault; empty without a vault.
    fn name_index(&self) -> Result<NameTokenIndex>;
    /// Withdraws a participant's consent in one transaction: their
    /// identity, their interview sessions and documents, their turns in
    /// other transcripts (redacted to [`WITHDRAWN_MARKER`], later offsets
    /// re-based), every coding, suggestion and quote touching removed text,
    /// their framework summaries, their search-index entries (redacted
    /// documents re-indexed with `index_terms`), and the participant
    /// record. The vault must be open when it holds their identity. The
    /// audit entry holds a random withdrawal id, counts and the reason,
    /// never the code; a reason containing a name from the vault is
    /// refused.
    fn withdraw_participant(
        &mut self,
        by: &Account,
        vault: Option<&VaultSecret>,
        code: &str,
        reason: Option<&str>,
        index_terms: &dyn Fn(&str) -> String,
    ) -> Result<Withdrawal>;
    /// The study's settings.
    fn study_settings(&self) -> Result<StudySettings>;
    /// Changes the study's settings (coordinators).
    fn set_study_settings(&mut self, by: &Account, settings: &StudySettings) -> Result<()>;
    /// Destroys every identity when `today` is past the retention date;
    /// returns how many (audited when any).
    fn purge_expired_identities(&mut self, today: chrono::NaiveDate) -> Result<usize>;
}

/// Which documents a user may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentAccess {
    All,
    /// Only these document codes.
    Only(std::collections::BTreeSet<String>),
}

impl DocumentAccess {
    /// Whether the document `code` may be read.
    pub fn allows(&self, code: &str) -> bool {
        match self {
            DocumentAccess::All => true,
            DocumentAccess::Only(codes) => codes.contains(code),
        }
    }
}

/// Reading transcripts on behalf of an account: the role must allow it,
/// and when the coordinator turned on "coders see only the documents
/// assigned to them", a coder reads only those. Other documents are
/// answered as not found.
pub trait AccessStore: AssignmentStore + VaultStore {
    /// The documents `user` may read.
    fn document_access(&self, user: &Account) -> Result<DocumentAccess> {
        require(
            user,
            sankore_domain::Permission::ReadTranscripts,
            "read transcripts",
        )?;
        if user.role == Role::Coder && self.study_settings()?.coders_see_assigned_only {
            Ok(DocumentAccess::Only(
                self.assignments()?
                    .into_iter()
                    .filter(|a| a.coder.eq_ignore_ascii_case(&user.name))
                    .map(|a| a.document)
                    .collect(),
            ))
        } else {
            Ok(DocumentAccess::All)
        }
    }

    /// One document and its revision, if `user` may read it.
    fn document_for(&self, user: &Account, code: &str) -> Result<Option<(Document, i64)>> {
        if self.document_access(user)?.allows(code) {
            self.document(code)
        } else {
            Ok(None)
        }
    }

    /// The documents `user` may read, by code.
    fn document_summaries_for(&self, user: &Account) -> Result<Vec<DocumentSummary>> {
        let access = self.document_access(user)?;
        let mut documents = self.document_summaries()?;
        documents.retain(|d| access.allows(&d.code));
        Ok(documents)
    }
}

impl<T: AssignmentStore + VaultStore> AccessStore for T {}

/// Refuses, as [`StoreError::Forbidden`], an account whose role does not
/// allow `permission`.
pub fn require(
    user: &Account,
    permission: sankore_domain::Permission,
    action: &'static str,
) -> Result<()> {
    if user.role.allows(permission) {
        Ok(())
    } else {
        Err(StoreError::Forbidden {
            role: user.role,
            action,
        })
    }
}
