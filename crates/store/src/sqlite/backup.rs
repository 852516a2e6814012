//! Online copies of the encrypted database, for backups.

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

use super::SqliteStore;
use crate::error::{Result, StoreError};

impl SqliteStore {
    /// Copies the database, as one consistent snapshot, into a new file at
    /// `dest` encrypted with the same `key` (SQLite's online backup: other
    /// processes keep reading and writing meanwhile, and the copy is never
    /// in clear on disk).
    pub(crate) fn online_copy(&self, dest: &Path, key: &[u8; 32]) -> Result<()> {
        let refused = |reason: String| StoreError::Backup {
            path: dest.to_path_buf(),
            reason,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut target = Connection::open_with_flags(dest, flags)?;
        super::use_key(&target, key, self.pages)?;
        {
            let backup = Backup::new(&self.conn, &mut target)?;
            // All pages in one step: one read transaction, so one snapshot.
            match backup.step(-1)? {
                StepResult::Done => {}
                other => return Err(refused(format!("copy did not finish ({other:?})"))),
            }
        }
        // The copy must open with the key and be whole.
        let check: String = target.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(refused(format!("copy failed its check: {check}")));
        }
        target.close().map_err(|(_, e)| StoreError::from(e))?;
        Ok(())
    }
}
