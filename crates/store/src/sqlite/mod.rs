//! The embedded backend: SQLite encrypted with SQLCipher.
//!
//! The 32-byte key derived with Argon2id is handed to SQLCipher as a raw key
//! (no second key derivation), so every page of the database and of its WAL
//! is encrypted with AES-256 and authenticated with an HMAC (SHA-256, or
//! SHA-512 in workspaces made before `PageFormat` was recorded). Temporary
//! tables stay in memory, so no plaintext spills to temporary files.

mod accounts;
mod answer_blocks;
mod assignments;
pub mod audit;
mod backup;
mod check;
mod codebook;
mod coding;
mod disclosure;
mod forums;
mod framework;
mod instruments;
mod quotes;
mod read;
mod records;
mod responses;
mod search;
mod suggestions;
mod vault;
mod withdraw;
mod write;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};

/// Page cache for a bulk write's one transaction through the write-ahead
/// log, in KiB (SQLite's negative `cache_size`): a limit, the pages are
/// taken only as needed.
const BULK_WRITE_CACHE_KIB: i64 = -256 * 1024;

/// Page cache for a bulk write's one transaction through a rollback
/// journal, in KiB: small, so that SQLite writes pages to the database
/// file as the transaction goes (a "spill") instead of all at the commit.
const SPILLING_WRITE_CACHE_KIB: i64 = -8 * 1024;

/// How long a connection waits for another's lock before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Migrations in order: (version, name, SQL). Applied once each, in a
/// transaction, recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "accounts and coding versions",
        include_str!("../../migrations/sqlite/0002_accounts_and_coding_versions.sql"),
    ),
    (
        3,
        "search index",
        include_str!("../../migrations/sqlite/0003_search_index.sql"),
    ),
    (
        4,
        "blind double-coding and auto-coding suggestions",
        include_str!("../../migrations/sqlite/0004_assignments.sql"),
    ),
    (
        5,
        "validation forums",
        include_str!("../../migrations/sqlite/0005_forums.sql"),
    ),
    (
        6,
        "quotes as evidence of findings",
        include_str!("../../migrations/sqlite/0006_finding_quotes.sql"),
    ),
    (
        7,
        "framework summaries",
        include_str!("../../migrations/sqlite/0007_framework_summaries.sql"),
    ),
    (
        8,
        "audit log",
        include_str!("../../migrations/sqlite/0008_audit_log.sql"),
    ),
    (
        9,
        "identity vault and study settings",
        include_str!("../../migrations/sqlite/0009_identity_vault.sql"),
    ),
    (
        10,
        "instruments",
        include_str!("../../migrations/sqlite/0010_instruments.sql"),
    ),
    (
        11,
        "responses to forms",
        include_str!("../../migrations/sqlite/0011_responses.sql"),
    ),
    (
        12,
        "disclosure settings and quote reviews",
        include_str!("../../migrations/sqlite/0012_disclosure.sql"),
    ),
    (
        13,
        "account lock after failed sign-ins",
        include_str!("../../migrations/sqlite/0013_account_security.sql"),
    ),
    (
        14,
        "response mappings saved in the workbench",
        include_str!("../../migrations/sqlite/0014_response_mappings.sql"),
    ),
    (
        15,
        "answers as length-prefixed pairs",
        include_str!("../../migrations/sqlite/0015_compact_answers.sql"),
    ),
    (
        16,
        "answers stored in compressed blocks",
        include_str!("../../migrations/sqlite/0016_answer_blocks.sql"),
    ),
    (
        17,
        "withdrawn participants' submissions",
        include_str!("../../migrations/sqlite/0017_withdrawn_submissions.sql"),
    ),
    (
        18,
        "submission keys without a unique index",
        include_str!("../../migrations/sqlite/0018_submission_keys_unindexed.sql"),
    ),
];

/// How a database's pages are laid out and authenticated, which SQLCipher
/// must be told before the first read (the header that would say it is
/// encrypted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PageFormat {
    /// Page size in bytes.
    pub(crate) page_size: u32,
    /// The HMAC that authenticates each page.
    pub(crate) hmac: PageHmac,
}

/// The HMAC of each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum PageHmac {
    HmacSha256,
    HmacSha512,
}

impl PageFormat {
    /// New databases: SQLCipher's default page size, and HMAC-SHA256,
    /// which processors with SHA extensions compute nearly three times as
    /// fast as HMAC-SHA512. Larger pages would make a large import faster
    /// (8 KiB pages: about 15%), but every one-coding commit of the
    /// workbench slower, since a commit logs each page it changed whole
    /// (`benches/page_format.rs`, and the workbench bench: 5–9% fewer
    /// codings per second with 8 KiB pages).
    pub(crate) const CURRENT: PageFormat = PageFormat {
        page_size: 4_096,
        hmac: PageHmac::HmacSha256,
    };

    /// Databases made before workspaces recorded it: SQLCipher's defaults.
    pub(crate) const LEGACY: PageFormat = PageFormat {
        page_size: 4_096,
        hmac: PageHmac::HmacSha512,
    };

    /// Whether SQLCipher accepts the page size: a power of two from 512 to
    /// 65,536.
    pub(crate) fn is_valid(self) -> bool {
        self.page_size.is_power_of_two() && (512..=65_536).contains(&self.page_size)
    }
}

/// A study store on an encrypted SQLite file.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// The database's page format.
    pages: PageFormat,
    /// Documents recently read one at a time, with the text version they
    /// were read at. A document's text and turns change only when a
    /// withdrawal redacts them, which bumps `documents.text_version`: an
    /// entry of an older version (redacted by this or another process) is
    /// read again.
    documents:
        std::cell::RefCell<std::collections::HashMap<String, (i64, sankore_domain::Document)>>,
}

/// How many documents [`SqliteStore`] keeps in memory at most.
const DOCUMENT_CACHE: usize = 32;

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

/// Removes the rollback journal a bulk write killed before its commit
/// left (see [`SqliteStore::bulk_write`]); called once the database is in
/// WAL mode.
/// It is not needed: a hot journal (the import had written pages into the
/// database, mid-way or at its commit) was rolled back by the first read,
/// and any other journal is not hot (the database file was untouched).
/// None can be in use: a connection switches
/// to a rollback journal only with the database to itself, which this open
/// connection, now in WAL mode, prevents until it closes. Best effort:
/// the journal is encrypted like the database, and one left in place
/// harms nothing, so failing to remove it does not stop the open.
fn remove_stale_journal(path: &Path) {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    let _ = std::fs::remove_file(journal);
}

impl SqliteStore {
    /// Creates a new encrypted database at `path` with pages in this
    /// format, and migrates it.
    pub(crate) fn create(path: &Path, key: &[u8; 32], pages: PageFormat) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::connect(path, key, pages, flags)
    }

    /// Opens an existing encrypted database with pages in this format and
    /// brings its schema up to date.
    pub(crate) fn open(path: &Path, key: &[u8; 32], pages: PageFormat) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::connect(path, key, pages, flags)
    }

    fn connect(path: &Path, key: &[u8; 32], pages: PageFormat, flags: OpenFlags) -> Result<Self> {
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        use_key(&conn, key, pages)?;
        // The first read decrypts page 1: a wrong key fails here, before
        // anything is written.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            // SQLCipher cannot tell a wrong key from a damaged first page;
            // a file that is not whole pages is damaged for sure.
            let whole_pages =
                std::fs::metadata(path).is_ok_and(|m| m.len() > 0 && m.len() % 1024 == 0);
            return Err(match e.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) if whole_pages => StoreError::WrongPassphrase {
                    path: path.to_path_buf(),
                },
                _ => StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                },
            });
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let journal_mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if journal_mode.eq_ignore_ascii_case("wal") {
            remove_stale_journal(path);
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA secure_delete = ON;",
        )?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            pages,
            documents: Default::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }

    fn migrate(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );",
        )?;
        let applied: std::collections::HashSet<i64> = {
            let mut stmt = self.conn.prepare("SELECT version FROM schema_migrations")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let supported = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
        if let Some(unknown) = applied
            .iter()
            .find(|v| !MIGRATIONS.iter().any(|m| m.0 == **v))
        {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: *unknown,
                supported,
            });
        }
        // Foreign keys are not enforced while migrations run, so that one
        // can rebuild a table (create, copy, drop, rename) without the drop
        // deleting the rows that point to it; each migration is checked
        // before it commits instead. (The pragma is ignored inside a
        // transaction, hence here.)
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let migrated = self.apply_migrations(&applied);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        migrated
    }

    /// Applies every migration not in `applied`, each in its transaction,
    /// refused when it leaves a row pointing nowhere.
    fn apply_migrations(&mut self, applied: &std::collections::HashSet<i64>) -> Result<()> {
        // Every migration not yet recorded, even one older than the newest
        // applied (a branch may have added it later).
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| !applied.contains(&m.0)) {
            let tx = self.write_transaction()?;
            // Already applied, perhaps by another process while we waited.
            let applied: i64 = tx.query_row(
                "SELECT count(*) FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )?;
            if applied > 0 {
                continue;
            }
            tx.execute_batch(sql)?;
            let dangling: i64 =
                tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if dangling > 0 {
                return Err(StoreError::Stored {
                    what: "migration",
                    detail: format!(
                        "migration {version} ({name}) would leave {dangling} rows pointing nowhere"
                    ),
                });
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![version, name, now()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Reads that span several queries see one consistent state of the
    /// database (a savepoint: a read transaction on its own, nested inside
    /// a write transaction), so a concurrent write cannot land between
    /// them. Released when dropped.
    fn snapshot(&self) -> Result<Snapshot<'_>> {
        self.conn.execute_batch("SAVEPOINT read_snapshot")?;
        Ok(Snapshot(&self.conn))
    }

    /// Runs `write`, one large transaction (an import), with the settings
    /// it needs, and restores the usual ones after, whether it succeeded
    /// or not:
    /// - a rollback journal instead of the write-ahead log when no other
    ///   connection has the database open. The transaction mostly adds
    ///   pages past the end of the database, which a rollback journal need
    ///   not copy: they are encrypted and written once, into the database,
    ///   instead of into the log and again at the checkpoint. With another
    ///   connection open (a server on the same workspace), SQLite refuses
    ///   the switch at once (no busy wait) and `write` runs with the log;
    /// - with the journal, a small page cache: SQLite writes pages into the
    ///   database while the transaction goes on (the journal holding what
    ///   they replace), so encrypting and writing them overlaps the work
    ///   of the other cores (an import compresses answers there) instead
    ///   of all coming at the commit;
    /// - with the log, a page cache large enough for the whole
    ///   transaction, so SQLite does not spill pages into the log mid-way
    ///   and then read, decrypt, encrypt and write them again (pages are
    ///   taken only as needed, and given back).
    fn bulk_write<T>(&mut self, write: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let usual_cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        let journal = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
        let cache = match journal {
            Ok(mode) if mode.eq_ignore_ascii_case("delete") => SPILLING_WRITE_CACHE_KIB,
            Ok(_) => BULK_WRITE_CACHE_KIB,
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => {
                BULK_WRITE_CACHE_KIB
            }
            // Nothing changed yet.
            Err(e) => return Err(e.into()),
        };
        let written = self
            .conn
            .pragma_update(None, "cache_size", cache)
            .map_err(StoreError::from)
            .and_then(|()| write(self));
        // Back to the log (a no-op when the switch was refused).
        let restored = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .and_then(|_| self.conn.pragma_update(None, "cache_size", usual_cache))
            .and_then(|()| self.conn.execute_batch("PRAGMA shrink_memory;"));
        let written = written?;
        restored?;
        Ok(written)
    }

    /// The journal mode the database is in (`wal` between writes).
    #[cfg(test)]
    fn journal_mode(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// Starts a write transaction that takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers wait their turn under the
    /// busy timeout instead of failing when a read turns into a write.
    fn write_transaction(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// Id of the workspace's study, if one was created.
    fn study_id(&self) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT id FROM studies ORDER BY id LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn require_study(&self) -> Result<i64> {
        self.study_id()?.ok_or(StoreError::NoStudy)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Entries appended inside other writes' transactions are anchored
        // here at the latest; failing to anchor loses no data, and
        // `audit verify` reports a head that is not anchored.
        let _ = self.anchor_audit_head();
    }
}

/// An open read snapshot; see [`SqliteStore::snapshot`].
struct Snapshot<'a>(&'a Connection);

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // Nothing was written under it: releasing cannot lose anything.
        let _ = self.0.execute_batch("RELEASE read_snapshot");
    }
}

/// Gives SQLCipher the database's key and page format, before anything is
/// read (the key only ever passes through this one statement's text).
pub(crate) fn use_key(conn: &Connection, key: &[u8; 32], pages: PageFormat) -> Result<()> {
    // SQLCipher logs decryption failures to standard error by default;
    // Sankore reports them itself, in one line.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let pragmas = Zeroizing::new(format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = {}; PRAGMA cipher_hmac_algorithm = {};",
        hex::encode(key),
        pages.page_size,
        match pages.hmac {
            PageHmac::HmacSha256 => "HMAC_SHA256",
            PageHmac::HmacSha512 => "HMAC_SHA512",
        }
    ));
    conn.execute_batch(&pragmas)?;
    Ok(())
}

/// Current UTC time as RFC 3339, for `created_at` columns.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
