//! Storage errors. Messages name paths and record codes, never their text.

use std::path::PathBuf;
use thiserror::Error;

/// What can go wrong opening or using a workspace.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The directory is not a Sankore workspace (or its descriptor is damaged).
    #[error("{path}: not a Sankore workspace ({reason})")]
    NotAWorkspace { path: PathBuf, reason: String },
    /// `init` was pointed at a directory that already holds files.
    #[error("{path}: directory is not empty; choose a new or empty directory")]
    NotEmpty { path: PathBuf },
    /// The passphrase does not open the database.
    #[error(
        "{path}: wrong passphrase, or the database file is damaged (it could not be decrypted)"
    )]
    WrongPassphrase { path: PathBuf },
    /// The passphrase is too weak to protect a workspace.
    #[error("passphrase too short: use at least {min} characters")]
    WeakPassphrase { min: usize },
    /// The database file is damaged.
    #[error("{path}: database is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    /// The database was written by a newer Sankore.
    #[error(
        "{path}: database schema version {found} is newer than this Sankore ({supported}); upgrade Sankore"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The workspace holds no study yet.
    #[error("the workspace holds no study yet")]
    NoStudy,
    /// The workspace already holds a study.
    #[error("the workspace already holds a study")]
    StudyExists,
    /// No record with that key.
    #[error("no {what} {key}")]
    NotFound { what: &'static str, key: String },
    /// A record with that key exists already.
    #[error("{what} {key} exists already")]
    Exists { what: &'static str, key: String },
    /// An edit named a version that is no longer current.
    #[error(
        "{what} {key} was changed by someone else (version {current}, you edited version {expected}); reload and try again"
    )]
    Stale {
        what: &'static str,
        key: String,
        expected: i64,
        current: i64,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Data broke a domain rule.
    #[error(transparent)]
    Domain(#[from] sankore_domain::DomainError),
    /// Stored data could not be read back as a domain value.
    #[error("stored {what} is invalid: {detail}")]
    Stored { what: &'static str, detail: String },
    /// The acting account's role does not allow this (checked in the
    /// store, below the routes).
    #[error("{role} may not {action}")]
    Forbidden {
        role: sankore_domain::Role,
        action: &'static str,
    },
    /// The identity vault must be open (a coordinator unlocks it).
    #[error("the identity vault is locked: a coordinator must open it first")]
    VaultLocked,
    /// The workspace has no identity vault yet.
    #[error("the workspace has no identity vault yet (sankore vault init)")]
    NoVault,
    /// Sealing, opening or unwrapping failed.
    #[error(transparent)]
    Vault(#[from] sankore_vault::VaultError),
    /// The database engine failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A backup file could not be written, or is refused on restore.
    #[error("{path}: {reason}")]
    Backup { path: PathBuf, reason: String },
}

/// Shorthand for storage results.
pub type Result<T> = std::result::Result<T, StoreError>;
