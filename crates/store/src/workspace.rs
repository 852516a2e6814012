//! A workspace: one directory holding the descriptor and the encrypted
//! database.
//!
//! ```text
//! DIR/
//!   sankore-workspace.json   format, version, key-derivation parameters (no secrets, no study data)
//!   sankore.db               SQLCipher database (+ -wal and -shm while open)
//! ```

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::key::{KdfParams, Passphrase};
use crate::sqlite::SqliteStore;

/// File name of the workspace descriptor.
pub const DESCRIPTOR: &str = "sankore-workspace.json";
const FORMAT: &str = "sankore-workspace";
const DATABASE: &str = "sankore.db";

/// The descriptor's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Descriptor {
    format: String,
    version: u32,
    database: String,
    kdf: KdfParams,
}

/// An opened workspace directory (the database is not opened yet).
#[derive(Debug, Clone)]
pub struct Workspace {
    dir: PathBuf,
    descriptor: Descriptor,
}

impl Workspace {
    /// Creates a workspace in `dir` (made if missing; refused if not empty)
    /// and its empty, migrated, encrypted database.
    pub fn create(dir: &Path, passphrase: &Passphrase) -> Result<(Workspace, SqliteStore)> {
        passphrase.check_strength()?;
        let io = |source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        if dir.exists() {
            let mut entries = fs::read_dir(dir).map_err(io)?;
            if entries.next().is_some() {
                return Err(StoreError::NotEmpty {
                    path: dir.to_path_buf(),
                });
            }
        } else {
            fs::create_dir_all(dir).map_err(io)?;
        }
        let descriptor = Descriptor {
            format: FORMAT.to_owned(),
            version: 1,
            database: DATABASE.to_owned(),
            kdf: KdfParams::generate()?,
        };
        let workspace = Workspace {
            dir: dir.to_path_buf(),
            descriptor,
        };
        workspace.write_descriptor()?;
        let store = SqliteStore::create(&workspace.database_path(), &*workspace.key(passphrase)?)?;
        Ok((workspace, store))
    }

    /// Reads the descriptor of an existing workspace.
    pub fn open(dir: &Path) -> Result<Workspace> {
        let path = dir.join(DESCRIPTOR);
        let not_a_workspace = |reason: String| StoreError::NotAWorkspace {
            path: dir.to_path_buf(),
            reason,
        };
        if !dir.is_dir() {
            return Err(not_a_workspace("no such directory".to_owned()));
        }
        let text = fs::read_to_string(&path)
            .map_err(|e| not_a_workspace(format!("cannot read {DESCRIPTOR}: {e}")))?;
        Self::from_descriptor(dir, &text)
    }

    /// A workspace at `dir` described by `text` (a descriptor's content),
    /// checked; nothing is read from or written to `dir`.
    pub(crate) fn from_descriptor(dir: &Path, text: &str) -> Result<Workspace> {
        let not_a_workspace = |reason: String| StoreError::NotAWorkspace {
            path: dir.to_path_buf(),
            reason,
        };
        let descriptor: Descriptor = serde_json::from_str(text)
            .map_err(|e| not_a_workspace(format!("{DESCRIPTOR} is damaged: {e}")))?;
        if descriptor.format != FORMAT {
            return Err(not_a_workspace(format!(
                "{DESCRIPTOR} has format {:?}",
                descriptor.format
            )));
        }
        if descriptor.version != 1 {
            return Err(not_a_workspace(format!(
                "{DESCRIPTOR} version {} is not supported",
                descriptor.version
            )));
        }
        if descriptor.database.contains(['/', '\\']) || descriptor.database.starts_with('.') {
            return Err(not_a_workspace(format!(
                "{DESCRIPTOR} names an invalid database file"
            )));
        }
        Ok(Workspace {
            dir: dir.to_path_buf(),
            descriptor,
        })
    }

    /// Opens the database with the passphrase; a wrong one is refused before
    /// anything is written.
    pub fn open_store(&self, passphrase: &Passphrase) -> Result<SqliteStore> {
        let db = self.database_path();
        if !db.is_file() {
            return Err(StoreError::NotAWorkspace {
                path: self.dir.clone(),
                reason: format!("database file {} is missing", self.descriptor.database),
            });
        }
        SqliteStore::open(&db, &*self.key(passphrase)?)
    }

    /// The workspace directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the encrypted database file.
    pub fn database_path(&self) -> PathBuf {
        self.dir.join(&self.descriptor.database)
    }

    /// The database key: Argon2id of the passphrase with this workspace's
    /// parameters.
    pub(crate) fn key(&self, passphrase: &Passphrase) -> Result<zeroize::Zeroizing<[u8; 32]>> {
        self.descriptor.kdf.derive(passphrase)
    }

    /// Writes the descriptor through a temporary file and a rename, so a
    /// crash never leaves half a descriptor.
    fn write_descriptor(&self) -> Result<()> {
        let path = self.dir.join(DESCRIPTOR);
        let temp = self.dir.join(format!(".{DESCRIPTOR}.tmp"));
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let json =
            serde_json::to_string_pretty(&self.descriptor).map_err(|e| StoreError::Stored {
                what: "workspace descriptor",
                detail: e.to_string(),
            })?;
        let mut file = fs::File::create(&temp).map_err(io)?;
        file.write_all(json.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        fs::rename(&temp, &path).map_err(io)?;
        Ok(())
    }
}
