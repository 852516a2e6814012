//! A workspace: one directory holding the descriptor and the encrypted
//! database.
//!
//! ```text
//! DIR/
//!   sankore-workspace.json   format, version, key-derivation parameters, page format (no secrets, no study data)
//!   sankore.db               SQLCipher database (+ -wal and -shm while open)
//! ```

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::key::{KdfParams, Passphrase};
use crate::sqlite::{PageFormat, SqliteStore};

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
    /// The database's page size and HMAC; from version 2 on. Version 1
    /// workspaces have SQLCipher's defaults and are opened as such (an
    /// older Sankore refuses version 2, rather than mistaking the format
    /// for a wrong passphrase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pages: Option<PageFormat>,
}

impl Descriptor {
    /// The database's page format.
    fn pages(&self) -> PageFormat {
        self.pages.unwrap_or(PageFormat::LEGACY)
    }
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
            version: 2,
            database: DATABASE.to_owned(),
            kdf: KdfParams::generate()?,
            pages: Some(PageFormat::CURRENT),
        };
        let workspace = Workspace {
            dir: dir.to_path_buf(),
            descriptor,
        };
        workspace.write_descriptor()?;
        let store = SqliteStore::create(
            &workspace.database_path(),
            &*workspace.key(passphrase)?,
            PageFormat::CURRENT,
        )?;
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
        match (descriptor.version, descriptor.pages) {
            (1, None) => {}
            (2, Some(pages)) if pages.is_valid() => {}
            (1 | 2, _) => {
                return Err(not_a_workspace(format!(
                    "{DESCRIPTOR} version {} has an invalid page format",
                    descriptor.version
                )));
            }
            (version, _) => {
                return Err(not_a_workspace(format!(
                    "{DESCRIPTOR} version {version} is not supported"
                )));
            }
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
        SqliteStore::open(&db, &*self.key(passphrase)?, self.descriptor.pages())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn passphrase() -> Passphrase {
        Passphrase::new("a test passphrase for pages".to_owned())
    }

    /// Whether the workspace's database opens with its key and pages in
    /// this format, outside Sankore's own opening code.
    fn opens_with(workspace: &Workspace, pages: PageFormat) -> bool {
        let Ok(key) = workspace.key(&passphrase()) else {
            return false;
        };
        let Ok(conn) = rusqlite::Connection::open(workspace.database_path()) else {
            return false;
        };
        crate::sqlite::use_key(&conn, &key, pages).is_ok()
            && conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                    r.get::<_, i64>(0)
                })
                .is_ok()
    }

    fn study(store: &mut SqliteStore) {
        store
            .import_study(&sankore_demo::reference_study(), &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Opens `workspace` (its study must be there), backs it up into
    /// `dir` and restores the backup there; returns the restored workspace.
    fn backed_up_and_restored(workspace: &Workspace, dir: &Path) -> Workspace {
        let store = workspace
            .open_store(&passphrase())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(store.study().unwrap_or_else(|e| panic!("{e}")).is_some());
        let bundle = dir.join("w.skb");
        crate::backup::write_backup(workspace, &store, &passphrase(), &bundle)
            .unwrap_or_else(|e| panic!("{e}"));
        drop(store);
        let (restored, store, _) =
            crate::backup::restore_backup(&bundle, &dir.join("r"), &passphrase())
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(store.study().unwrap_or_else(|e| panic!("{e}")).is_some());
        restored
    }

    #[test]
    fn a_new_workspace_records_its_page_format_and_its_database_uses_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = dir.path().join("w");
        let (workspace, mut store) =
            Workspace::create(&ws, &passphrase()).unwrap_or_else(|e| panic!("{e}"));
        study(&mut store);
        drop(store);
        let text = fs::read_to_string(ws.join(DESCRIPTOR)).unwrap_or_else(|e| panic!("{e}"));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json["version"], 2);
        assert_eq!(json["pages"]["page_size"], 4_096);
        assert_eq!(json["pages"]["hmac"], "hmac-sha256");
        assert!(opens_with(&workspace, PageFormat::CURRENT));
        // Not with the legacy HMAC, nor with another page size.
        assert!(!opens_with(&workspace, PageFormat::LEGACY));
        let other_size = PageFormat {
            page_size: 8_192,
            ..PageFormat::CURRENT
        };
        assert!(!opens_with(&workspace, other_size));

        // A backup restores with the same pages.
        // Opened again from its descriptor, backed up and restored.
        let opened = Workspace::open(&ws).unwrap_or_else(|e| panic!("{e}"));
        let restored = backed_up_and_restored(&opened, dir.path());
        assert!(opens_with(&restored, PageFormat::CURRENT));
    }

    #[test]
    fn a_version_1_workspace_opens_with_sqlciphers_default_pages_and_backs_up() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = dir.path().join("w");
        fs::create_dir_all(&ws).unwrap_or_else(|e| panic!("{e}"));
        let workspace = Workspace {
            dir: ws.clone(),
            descriptor: Descriptor {
                format: FORMAT.to_owned(),
                version: 1,
                database: DATABASE.to_owned(),
                kdf: KdfParams::generate().unwrap_or_else(|e| panic!("{e}")),
                pages: None,
            },
        };
        workspace
            .write_descriptor()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = fs::read_to_string(ws.join(DESCRIPTOR)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!text.contains("pages"), "{text}");
        let key = workspace
            .key(&passphrase())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut store = SqliteStore::create(&workspace.database_path(), &key, PageFormat::LEGACY)
            .unwrap_or_else(|e| panic!("{e}"));
        study(&mut store);
        drop(store);

        let opened = Workspace::open(&ws).unwrap_or_else(|e| panic!("{e}"));
        let restored = backed_up_and_restored(&opened, dir.path());
        assert!(opens_with(&opened, PageFormat::LEGACY));
        assert!(opens_with(&restored, PageFormat::LEGACY));
    }

    #[test]
    fn a_descriptor_with_an_unusable_page_format_or_version_is_refused() {
        let dir = Path::new("/nowhere");
        let kdf = serde_json::to_value(KdfParams::generate().unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        let descriptor = |version: u32, pages: Option<serde_json::Value>| {
            let mut json = serde_json::json!({
                "format": FORMAT, "version": version, "database": DATABASE, "kdf": kdf,
            });
            if let Some(pages) = pages {
                json["pages"] = pages;
            }
            json.to_string()
        };
        let pages =
            |bytes: u32, hmac: &str| Some(serde_json::json!({"page_size": bytes, "hmac": hmac}));
        for (version, pages, reason) in [
            (2, None, "version 2 has an invalid page format"),
            (
                2,
                pages(1000, "hmac-sha256"),
                "version 2 has an invalid page format",
            ),
            (
                2,
                pages(131_072, "hmac-sha256"),
                "version 2 has an invalid page format",
            ),
            (2, pages(16_384, "md5"), "is damaged"),
            (
                1,
                pages(16_384, "hmac-sha256"),
                "version 1 has an invalid page format",
            ),
            (
                3,
                pages(16_384, "hmac-sha256"),
                "version 3 is not supported",
            ),
        ] {
            match Workspace::from_descriptor(dir, &descriptor(version, pages.clone())) {
                Err(StoreError::NotAWorkspace { reason: r, .. }) => {
                    assert!(r.contains(reason), "{r}");
                }
                other => panic!("{version} {pages:?}: {other:?}"),
            }
        }
        for (version, pages) in [
            (1, None),
            (2, pages(512, "hmac-sha512")),
            (2, pages(65_536, "hmac-sha256")),
        ] {
            assert!(Workspace::from_descriptor(dir, &descriptor(version, pages)).is_ok());
        }
    }
}
