//! Backups: a whole workspace in one encrypted, authenticated file.
//!
//! ```text
//! offset  size  content
//! 0       8     magic "SNKRBAK" and format version 0x01
//! 8       4     header length H, little-endian (at most 64 KiB)
//! 12      H     header, JSON: format, version, created_at, schema_version,
//!               kdf (Argon2id parameters and a fresh random salt),
//!               nonce (24 random bytes, hex)
//! 12+H    rest  XChaCha20-Poly1305 ciphertext and 16-byte tag of the
//!               payload, under key = Argon2id(passphrase, kdf), with the
//!               first 12+H bytes as associated data
//! ```
//!
//! The payload is a sequence of files, each `u16` name length, name, `u64`
//! length, bytes (little-endian): the workspace descriptor, a consistent
//! online copy of the database (itself still SQLCipher-encrypted under the
//! workspace key), and any other regular file at the top of the workspace
//! (not the WAL, shared-memory or journal files, nor the audit head anchor,
//! which a restore writes anew).
//!
//! The tag authenticates every byte, header included: a file changed in any
//! byte, cut short or extended is refused before anything is written. Only
//! someone holding the passphrase can make a file that passes, which is what
//! a signature with a key kept inside the workspace would prove too; see
//! `docs/threat-model.md`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};
use crate::key::{KdfParams, Passphrase};
use crate::sqlite::SqliteStore;
use crate::workspace::{DESCRIPTOR, Workspace};

const MAGIC: &[u8; 8] = b"SNKRBAK\x01";
const FORMAT: &str = "sankore-backup";
const MAX_HEADER: u32 = 64 << 10;
/// Files in the workspace that are never copied: the database's companions
/// (the copy is made through SQLite) and the audit head anchor.
const SKIPPED_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];
const AUDIT_ANCHOR: &str = "audit-head";

/// The clear header of a backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    created_at: String,
    schema_version: i64,
    kdf: KdfParams,
    nonce: String,
}

/// What a backup holds, as reported after writing or restoring it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    /// When the backup was made (UTC, RFC 3339).
    pub created_at: String,
    /// Schema version of the database inside.
    pub schema_version: i64,
    /// Files inside (descriptor and database included).
    pub files: usize,
    /// Size of the backup file in bytes.
    pub bytes: u64,
}

fn refused(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Backup {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Writes a backup of the open `store` of `workspace` to `out` (through a
/// temporary file renamed at the end, so `out` is whole or absent). Works
/// while other processes use the workspace.
pub fn write_backup(
    workspace: &Workspace,
    store: &SqliteStore,
    passphrase: &Passphrase,
    out: &Path,
) -> Result<BackupSummary> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    if out.exists() {
        return Err(refused(out, "exists already; choose a new file name"));
    }
    let partial = sibling(out, "partial");
    let copy = sibling(out, "copy-db");
    let cleanup = Cleanup(vec![partial.clone(), copy.clone()]);
    let database = workspace.database_path();
    store.online_copy(&copy, &*workspace.key(passphrase)?)?;
    let database_name = file_name(&database)?;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            DESCRIPTOR.to_owned(),
            fs::read(workspace.dir().join(DESCRIPTOR)).map_err(io(workspace.dir()))?,
        ),
        (database_name.clone(), fs::read(&copy).map_err(io(&copy))?),
    ];
    let mut others: Vec<PathBuf> = fs::read_dir(workspace.dir())
        .map_err(io(workspace.dir()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    others.sort();
    for path in others {
        let name = file_name(&path)?;
        let skipped = name == DESCRIPTOR
            || name == database_name
            || name == AUDIT_ANCHOR
            || name.starts_with('.')
            || SKIPPED_SUFFIXES
                .iter()
                .any(|s| name == format!("{database_name}{s}"));
        if !skipped {
            files.push((name, fs::read(&path).map_err(io(&path))?));
        }
    }
    let mut payload = Zeroizing::new(Vec::new());
    for (name, bytes) in &files {
        let name_len = u16::try_from(name.len()).map_err(|_| refused(out, "file name too long"))?;
        payload.extend_from_slice(&name_len.to_le_bytes());
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        payload.extend_from_slice(bytes);
    }
    let kdf = KdfParams::generate()?;
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| refused(out, format!("no randomness: {e}")))?;
    let header = Header {
        format: FORMAT.to_owned(),
        version: 1,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        schema_version: store.schema_version()?,
        kdf,
        nonce: hex::encode(nonce),
    };
    let header_json = serde_json::to_vec(&header).map_err(|e| refused(out, e.to_string()))?;
    let mut file = Vec::with_capacity(payload.len() + header_json.len() + 64);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&(header_json.len() as u32).to_le_bytes());
    file.extend_from_slice(&header_json);
    let key = header.kdf.derive(passphrase)?;
    let sealed = XChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &payload,
                aad: &file,
            },
        )
        .map_err(|_| refused(out, "encryption failed"))?;
    file.extend_from_slice(&sealed);
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create_new(&partial)?;
        f.write_all(&file)?;
        f.sync_all()?;
        fs::rename(&partial, out)
    };
    write().map_err(io(out))?;
    drop(cleanup);
    Ok(BackupSummary {
        created_at: header.created_at,
        schema_version: header.schema_version,
        files: files.len(),
        bytes: file.len() as u64,
    })
}

/// Restores the backup `bundle` into `dir`, which must be absent or empty.
/// The file is authenticated and decrypted in memory first: a file changed
/// in any byte, or a wrong passphrase, is refused with nothing written.
/// Returns the workspace and its open store.
pub fn restore_backup(
    bundle: &Path,
    dir: &Path,
    passphrase: &Passphrase,
) -> Result<(Workspace, SqliteStore, BackupSummary)> {
    let dir_existed = dir.exists();
    if dir_existed {
        let mut entries = fs::read_dir(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if entries.next().is_some() {
            return Err(StoreError::NotEmpty {
                path: dir.to_path_buf(),
            });
        }
    }
    let bytes = fs::read(bundle).map_err(|source| StoreError::Io {
        path: bundle.to_path_buf(),
        source,
    })?;
    let (header, files) = open_bundle(bundle, &bytes, passphrase)?;
    let descriptor = files
        .iter()
        .find(|(name, _)| name == DESCRIPTOR)
        .ok_or_else(|| refused(bundle, "holds no workspace descriptor"))?;
    let descriptor_text = std::str::from_utf8(&descriptor.1)
        .map_err(|_| refused(bundle, "the workspace descriptor is not UTF-8"))?;
    let workspace = Workspace::from_descriptor(dir, descriptor_text)?;
    let database_name = file_name(&workspace.database_path())?;
    if !files.iter().any(|(name, _)| *name == database_name) {
        return Err(refused(bundle, "holds no database"));
    }
    // Verified: now write, removing what was written if anything fails.
    let mut cleanup = Cleanup(Vec::new());
    if !dir_existed {
        fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        cleanup.0.push(dir.to_path_buf());
    }
    for (name, content) in &files {
        let path = dir.join(name);
        cleanup.0.push(path.clone());
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create_new(&path)?;
            f.write_all(content)?;
            f.sync_all()
        };
        write().map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
    }
    let store = workspace.open_store(passphrase)?;
    cleanup.0.clear();
    let summary = BackupSummary {
        created_at: header.created_at,
        schema_version: header.schema_version,
        files: files.len(),
        bytes: bytes.len() as u64,
    };
    Ok((workspace, store, summary))
}

/// A file inside a backup: its name in the workspace and its bytes.
type BundledFile = (String, Zeroizing<Vec<u8>>);

/// Checks and decrypts a backup file held in memory.
fn open_bundle(
    path: &Path,
    bytes: &[u8],
    passphrase: &Passphrase,
) -> Result<(Header, Vec<BundledFile>)> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(refused(path, "not a Sankore backup file"));
    }
    let header_len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if header_len > MAX_HEADER || bytes.len() < 12 + header_len as usize + 16 {
        return Err(refused(path, "the backup file is damaged (header)"));
    }
    let clear = &bytes[..12 + header_len as usize];
    let header: Header = serde_json::from_slice(&clear[12..])
        .map_err(|_| refused(path, "the backup file is damaged (header)"))?;
    if header.format != FORMAT || header.version != 1 {
        return Err(refused(path, "unsupported backup format or version"));
    }
    // A hostile header must not make key derivation exhaust memory or time.
    if header.kdf.memory_kib > 1 << 20 || header.kdf.iterations > 64 || header.kdf.parallelism > 16
    {
        return Err(refused(path, "key-derivation parameters out of bounds"));
    }
    let nonce = hex::decode(&header.nonce)
        .ok()
        .filter(|n| n.len() == 24)
        .ok_or_else(|| refused(path, "the backup file is damaged (nonce)"))?;
    let key = header.kdf.derive(passphrase)?;
    let payload = Zeroizing::new(
        XChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &bytes[clear.len()..],
                    aad: clear,
                },
            )
            .map_err(|_| {
                refused(
                    path,
                    "wrong passphrase, or the backup file was altered or damaged; nothing was restored",
                )
            })?,
    );
    let mut files = Vec::new();
    let mut rest: &[u8] = &payload;
    let damaged = || refused(path, "the backup's content is damaged");
    while !rest.is_empty() {
        let (len, tail) = take::<2>(rest).ok_or_else(damaged)?;
        let name_len = usize::from(u16::from_le_bytes(len));
        let name = tail.get(..name_len).ok_or_else(damaged)?;
        let name = std::str::from_utf8(name).map_err(|_| damaged())?.to_owned();
        let (len, tail) = take::<8>(&tail[name_len..]).ok_or_else(damaged)?;
        let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| damaged())?;
        let content = tail.get(..len).ok_or_else(damaged)?;
        let safe = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\', '\0'])
            && !files.iter().any(|(n, _)| *n == name);
        if !safe {
            return Err(refused(path, "the backup names an unsafe or repeated file"));
        }
        files.push((name, Zeroizing::new(content.to_vec())));
        rest = &tail[len..];
    }
    Ok((header, files))
}

/// The first `N` bytes as an array, and the rest.
fn take<const N: usize>(bytes: &[u8]) -> Option<([u8; N], &[u8])> {
    let head: [u8; N] = bytes.get(..N)?.try_into().ok()?;
    Some((head, &bytes[N..]))
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| refused(path, "not a file name"))
}

/// `FILE` → `.FILE.tag` beside it.
fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{tag}"))
}

/// Paths removed when dropped unless cleared: what a failed step leaves.
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for path in self.0.iter().rev() {
            let _ = if path.is_dir() {
                fs::remove_dir_all(path)
            } else {
                fs::remove_file(path)
            };
        }
    }
}
