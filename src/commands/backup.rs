//! `sankore backup` and `sankore restore`: one encrypted, authenticated
//! file holding a whole workspace (format in `sankore_store::backup`).

use anyhow::Result;
use sankore_domain::{AuditAction, AuditEvent};
use sankore_i18n::{Lang, Msg};
use sankore_store::backup::{restore_backup, write_backup};
use sankore_store::{AuditStore, Workspace};
use std::path::Path;

use super::user::CLI_ACTOR;
use crate::passphrase::{self, Purpose};

/// Backs up `dir` into `out`, while the server may be running, and records
/// it in the workspace's audit log.
pub fn backup(dir: &Path, out: &Path, file: Option<&Path>, lang: Lang) -> Result<()> {
    let workspace = Workspace::open(dir)?;
    let passphrase = passphrase::obtain(file, Purpose::Open, lang)?;
    let mut store = workspace.open_store(&passphrase)?;
    let summary = write_backup(&workspace, &store, &passphrase, out)?;
    store.record_audit(&AuditEvent::new(
        CLI_ACTOR,
        AuditAction::Backup,
        "workspace",
        format!(
            "{} files, {} bytes, schema {}",
            summary.files, summary.bytes, summary.schema_version
        ),
    ))?;
    eprintln!(
        "{}: {} ({} bytes)",
        Msg::BackupWritten.text(lang),
        out.display(),
        summary.bytes
    );
    Ok(())
}

/// Restores `bundle` into the new workspace `dir` and records it in the
/// restored workspace's audit log.
pub fn restore(bundle: &Path, dir: &Path, file: Option<&Path>, lang: Lang) -> Result<()> {
    let passphrase = passphrase::obtain(file, Purpose::Open, lang)?;
    let (_, mut store, summary) = restore_backup(bundle, dir, &passphrase)?;
    store.record_audit(&AuditEvent::new(
        CLI_ACTOR,
        AuditAction::Restore,
        "workspace",
        format!(
            "backup of {}, {} files, schema {}",
            summary.created_at, summary.files, summary.schema_version
        ),
    ))?;
    eprintln!("{}: {}", Msg::BackupRestored.text(lang), dir.display());
    Ok(())
}
