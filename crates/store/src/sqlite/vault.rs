//! The identity vault, consent withdrawal, retention and study settings on
//! SQLite (tables of migration 0009). Identities are sealed with
//! `sankore-vault` before they reach SQL; nothing here logs or returns
//! their contents in errors.

use rusqlite::{OptionalExtension, Transaction, params};
use sankore_domain::{AuditAction, AuditEvent, Participant, Permission};
use sankore_vault::{
    Identity, KdfCost, NameKey, NameTokenIndex, VaultPublicKey, VaultSecret, WrappedSecret,
};

use super::SqliteStore;
use super::audit::append;
use crate::error::{Result, StoreError};
use crate::key::{Passphrase, verify_password};
use crate::{Account, AccountStore, StudySettings, VaultStore, Withdrawal, require};

/// Target of audit entries about the vault itself.
const VAULT: &str = "identity-vault";

/// The vault's stored keys.
fn vault_keys(tx: &rusqlite::Connection) -> Result<(VaultPublicKey, NameKey)> {
    let row: Option<(Vec<u8>, Vec<u8>)> = tx
        .query_row(
            "SELECT public_key, name_key FROM vault_keys WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (public, name) = row.ok_or(StoreError::NoVault)?;
    Ok((
        VaultPublicKey::from_bytes(&public)?,
        NameKey::from_bytes(&name)?,
    ))
}

/// Row id of a participant of the study.
fn participant_id(tx: &rusqlite::Connection, study: i64, code: &str) -> Result<i64> {
    tx.query_row(
        "SELECT id FROM participants WHERE study_id = ?1 AND code = ?2",
        params![study, code],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "participant",
        key: code.to_owned(),
    })
}

/// Adds (`+1`) or removes (`-1`) one use of each of a name's tokens in the
/// keyed index.
fn count_name_tokens(tx: &Transaction<'_>, key: &NameKey, name: &str, delta: i64) -> Result<()> {
    for digest in key.digests(name) {
        if delta > 0 {
            tx.execute(
                "INSERT INTO vault_name_tokens (digest, uses) VALUES (?1, 1)
                 ON CONFLICT (digest) DO UPDATE SET uses = uses + 1",
                [&digest[..]],
            )?;
        } else {
            let kept = tx.execute(
                "UPDATE vault_name_tokens SET uses = uses - 1 WHERE digest = ?1 AND uses > 1",
                [&digest[..]],
            )?;
            if kept == 0 {
                tx.execute(
                    "DELETE FROM vault_name_tokens WHERE digest = ?1",
                    [&digest[..]],
                )?;
            }
        }
    }
    Ok(())
}

/// The account's stored password matches `password` (a locked account
/// never matches).
fn check_password(store: &SqliteStore, account: &str, password: &Passphrase) -> Result<Account> {
    match store.user_credentials(account)? {
        Some(found) if !found.locked && verify_password(password, &found.password_hash) => {
            Ok(found.account)
        }
        _ => Err(StoreError::Vault(sankore_vault::VaultError::WrongPassword)),
    }
}

/// Seals and stores an identity, keeping the name index in step.
fn write_identity(
    tx: &Transaction<'_>,
    participant: i64,
    code: &str,
    identity: &Identity,
) -> Result<()> {
    let (public, name_key) = vault_keys(tx)?;
    let sealed = sankore_vault::seal(&public, code, identity)?;
    tx.execute(
        "INSERT INTO vault_identities (participant_id, sealed, updated_at) VALUES (?1, ?2, ?3)",
        params![participant, sealed, super::now()],
    )?;
    count_name_tokens(tx, &name_key, &identity.name, 1)
}

/// Opens a participant's sealed identity, if the vault holds one.
fn read_identity(
    tx: &rusqlite::Connection,
    vault: &VaultSecret,
    participant: i64,
    code: &str,
) -> Result<Option<Identity>> {
    let sealed: Option<Vec<u8>> = tx
        .query_row(
            "SELECT sealed FROM vault_identities WHERE participant_id = ?1",
            [participant],
            |r| r.get(0),
        )
        .optional()?;
    Ok(sealed
        .map(|s| sankore_vault::open(vault, code, &s))
        .transpose()?)
}

/// A random withdrawal identifier, `W-` and 8 hex digits.
fn withdrawal_id() -> Result<String> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Stored {
        what: "random withdrawal id",
        detail: e.to_string(),
    })?;
    Ok(format!("W-{}", hex::encode(bytes)))
}

impl SqliteStore {
    /// Argon2id cost of new wrapped vault keys.
    fn wrap_cost() -> KdfCost {
        KdfCost::default()
    }

    /// Copies the write-ahead log into the database and empties it, so the
    /// pages as they were before a withdrawal or purge do not linger in
    /// the log (they are encrypted there, but readable with the
    /// passphrase). `secure_delete` zeroes freed pages in the database.
    /// Best effort: while another connection reads, part of the log stays
    /// until the next checkpoint.
    fn forget_old_pages(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The tables (including the search index's own) where some column,
    /// read as text, contains `needle` (ASCII case folded). For checks that
    /// a withdrawn person's words or a sealed name are nowhere in clear.
    pub fn tables_containing(&self, needle: &str) -> Result<Vec<String>> {
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut found = Vec::new();
        for table in tables {
            let columns: Vec<String> = self
                .conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let condition = columns
                .iter()
                .map(|c| format!("instr(lower(CAST(\"{c}\" AS TEXT)), lower(?1)) > 0"))
                .collect::<Vec<_>>()
                .join(" OR ");
            if condition.is_empty() {
                continue;
            }
            let hits: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM \"{table}\" WHERE {condition}"),
                [needle],
                |r| r.get(0),
            )?;
            if hits > 0 {
                found.push(table);
            }
        }
        Ok(found)
    }
}

impl VaultStore for SqliteStore {
    fn vault_exists(&self) -> Result<bool> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM vault_keys", [], |r| r.get(0))?;
        Ok(count > 0)
    }

    fn init_vault(&mut self, by: &Account, password: &Passphrase) -> Result<()> {
        require(by, Permission::OpenVault, "create the identity vault")?;
        check_password(self, &by.name, password)?;
        let (secret, public) = VaultSecret::generate()?;
        let name_key = NameKey::generate()?;
        let wrapped =
            WrappedSecret::wrap(&secret, &by.name, password.as_bytes(), Self::wrap_cost())?;
        let tx = self.write_transaction()?;
        let exists: i64 = tx.query_row("SELECT count(*) FROM vault_keys", [], |r| r.get(0))?;
        if exists > 0 {
            return Err(StoreError::Exists {
                what: "identity vault",
                key: VAULT.to_owned(),
            });
        }
        tx.execute(
            "INSERT INTO vault_keys (id, public_key, name_key, created_at) VALUES (1, ?1, ?2, ?3)",
            params![
                &public.as_bytes()[..],
                &name_key.as_bytes()[..],
                super::now()
            ],
        )?;
        insert_grant(&tx, by.id, &wrapped, &by.name)?;
        append(
            &tx,
            &AuditEvent::new(&by.name, AuditAction::IdentityWrite, VAULT, "vault created"),
        )?;
        tx.commit()?;
        self.anchor_audit_head()
    }

    fn open_vault(&mut self, by: &Account, password: &Passphrase) -> Result<VaultSecret> {
        require(by, Permission::OpenVault, "open the identity vault")?;
        let (public, _) = vault_keys(&self.conn)?;
        let wrapped: Option<String> = self
            .conn
            .query_row(
                "SELECT wrapped FROM vault_grants WHERE user_id = ?1",
                [by.id],
                |r| r.get(0),
            )
            .optional()?;
        let outcome = match wrapped {
            None => Err(StoreError::Forbidden {
                role: by.role,
                action: "open the identity vault (no copy of its key was granted to this account)",
            }),
            Some(json) => serde_json::from_str::<WrappedSecret>(&json)
                .map_err(|e| StoreError::Stored {
                    what: "wrapped vault key",
                    detail: e.to_string(),
                })
                .and_then(|w| Ok(w.unwrap(&by.name, password.as_bytes(), &public)?)),
        };
        let detail = match &outcome {
            Ok(_) => "opened",
            Err(_) => "refused",
        };
        let tx = self.write_transaction()?;
        append(
            &tx,
            &AuditEvent::new(&by.name, AuditAction::VaultOpen, VAULT, detail),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        outcome
    }

    fn grant_vault(
        &mut self,
        by: &Account,
        vault: &VaultSecret,
        to: &str,
        their_password: &Passphrase,
    ) -> Result<()> {
        require(by, Permission::OpenVault, "grant the identity vault")?;
        let grantee = check_password(self, to, their_password)?;
        require(&grantee, Permission::OpenVault, "hold the identity vault")?;
        let (public, _) = vault_keys(&self.conn)?;
        if vault.public_key() != public {
            return Err(StoreError::Vault(sankore_vault::VaultError::Damaged(
                "key of another vault",
            )));
        }
        let wrapped = WrappedSecret::wrap(
            vault,
            &grantee.name,
            their_password.as_bytes(),
            Self::wrap_cost(),
        )?;
        let tx = self.write_transaction()?;
        tx.execute("DELETE FROM vault_grants WHERE user_id = ?1", [grantee.id])?;
        insert_grant(&tx, grantee.id, &wrapped, &by.name)?;
        append(
            &tx,
            &AuditEvent::new(
                &by.name,
                AuditAction::RoleChange,
                &grantee.name,
                "granted the identity vault",
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()
    }

    fn holds_vault_copy(&self, account: &Account) -> Result<bool> {
        let copies: i64 = self.conn.query_row(
            "SELECT count(*) FROM vault_grants WHERE user_id = ?1",
            [account.id],
            |r| r.get(0),
        )?;
        Ok(copies > 0)
    }

    fn rewrap_vault(&mut self, by: &Account, old: &Passphrase, new: &Passphrase) -> Result<()> {
        if !self.holds_vault_copy(by)? {
            return Ok(());
        }
        let secret = self.open_vault(by, old)?;
        let wrapped = WrappedSecret::wrap(&secret, &by.name, new.as_bytes(), Self::wrap_cost())?;
        let tx = self.write_transaction()?;
        tx.execute("DELETE FROM vault_grants WHERE user_id = ?1", [by.id])?;
        insert_grant(&tx, by.id, &wrapped, &by.name)?;
        tx.commit()?;
        Ok(())
    }

    fn register_participant(
        &mut self,
        by: &Account,
        participant: &Participant,
        identity: Option<&Identity>,
    ) -> Result<()> {
        require(
            by,
            Permission::RegisterParticipants,
            "register participants",
        )?;
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        super::records::check_place(&tx, study, &participant.place)?;
        let mut keys = super::write::Keys::load(&tx, study)?;
        super::write::insert_participant(&tx, study, &mut keys, participant).map_err(
            super::records::exists_as("participant", participant.code.as_str()),
        )?;
        let code = participant.code.as_str();
        if let Some(identity) = identity {
            let id = participant_id(&tx, study, code)?;
            write_identity(&tx, id, code, identity)?;
            append(
                &tx,
                &AuditEvent::new(&by.name, AuditAction::IdentityWrite, code, "registered"),
            )?;
        }
        tx.commit()?;
        self.anchor_audit_head()
    }

    fn add_identities(&mut self, by: &Account, identities: &[(String, Identity)]) -> Result<()> {
        require(by, Permission::RegisterParticipants, "add identities")?;
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        for (code, identity) in identities {
            let id = participant_id(&tx, study, code)?;
            let exists: i64 = tx.query_row(
                "SELECT count(*) FROM vault_identities WHERE participant_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if exists > 0 {
                return Err(StoreError::Exists {
                    what: "identity of participant",
                    key: code.clone(),
                });
            }
            write_identity(&tx, id, code, identity)?;
            append(
                &tx,
                &AuditEvent::new(&by.name, AuditAction::IdentityWrite, code, "added"),
            )?;
        }
        tx.commit()?;
        self.anchor_audit_head()
    }

    fn set_identity(
        &mut self,
        by: &Account,
        vault: &VaultSecret,
        code: &str,
        identity: &Identity,
    ) -> Result<()> {
        require(by, Permission::OpenVault, "change identities")?;
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let id = participant_id(&tx, study, code)?;
        let (_, name_key) = vault_keys(&tx)?;
        let detail = match read_identity(&tx, vault, id, code)? {
            Some(old) => {
                count_name_tokens(&tx, &name_key, &old.name, -1)?;
                tx.execute(
                    "DELETE FROM vault_identities WHERE participant_id = ?1",
                    [id],
                )?;
                "replaced"
            }
            None => "added",
        };
        write_identity(&tx, id, code, identity)?;
        append(
            &tx,
            &AuditEvent::new(&by.name, AuditAction::IdentityWrite, code, detail),
        )?;
        tx.commit()?;
        self.anchor_audit_head()
    }

    fn identity(
        &mut self,
        by: &Account,
        vault: &VaultSecret,
        code: &str,
    ) -> Result<Option<Identity>> {
        require(by, Permission::OpenVault, "read identities")?;
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let id = participant_id(&tx, study, code)?;
        let identity = read_identity(&tx, vault, id, code)?;
        let detail = if identity.is_some() { "read" } else { "none" };
        append(
            &tx,
            &AuditEvent::new(&by.name, AuditAction::IdentityRead, code, detail),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(identity)
    }

    fn has_identity(&self, code: &str) -> Result<bool> {
        let study = self.require_study()?;
        let id = participant_id(&self.conn, study, code)?;
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM vault_identities WHERE participant_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }

    fn name_index(&self) -> Result<NameTokenIndex> {
        if !self.vault_exists()? {
            return Ok(NameTokenIndex::new(NameKey::generate()?, []));
        }
        let (_, name_key) = vault_keys(&self.conn)?;
        let digests = self
            .conn
            .prepare("SELECT digest FROM vault_name_tokens")?
            .query_map([], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|d| <[u8; 32]>::try_from(d.as_slice()).ok())
            .collect::<Vec<_>>();
        Ok(NameTokenIndex::new(name_key, digests))
    }

    fn withdraw_participant(
        &mut self,
        by: &Account,
        vault: Option<&VaultSecret>,
        code: &str,
        reason: Option<&str>,
        index_terms: &dyn Fn(&str) -> String,
    ) -> Result<Withdrawal> {
        require(
            by,
            Permission::WithdrawParticipants,
            "withdraw participants",
        )?;
        let study = self.require_study()?;
        if let Some(reason) = reason
            && let names = self.name_index()?
            && reason
                .split(|c: char| !c.is_alphabetic())
                .any(|w| names.is_name(w))
        {
            return Err(StoreError::Domain(sankore_domain::DomainError::Invalid {
                field: "withdrawal reason",
                reason: "contains a participant's name; describe the reason without names"
                    .to_owned(),
            }));
        }
        let mut report = Withdrawal {
            id: withdrawal_id()?,
            ..Withdrawal::default()
        };
        let tx = self.write_transaction()?;
        let participant = participant_id(&tx, study, code)?;
        let sealed: i64 = tx.query_row(
            "SELECT count(*) FROM vault_identities WHERE participant_id = ?1",
            [participant],
            |r| r.get(0),
        )?;
        if sealed > 0 {
            let vault = vault.ok_or(StoreError::VaultLocked)?;
            let (_, name_key) = vault_keys(&tx)?;
            if let Some(identity) = read_identity(&tx, vault, participant, code)? {
                count_name_tokens(&tx, &name_key, &identity.name, -1)?;
            }
            tx.execute(
                "DELETE FROM vault_identities WHERE participant_id = ?1",
                [participant],
            )?;
            report.identity_removed = true;
        }
        super::withdraw::remove_contributions(
            &tx,
            study,
            participant,
            code,
            index_terms,
            &mut report,
        )?;
        tx.execute("DELETE FROM participants WHERE id = ?1", [participant])?;
        let detail = format!(
            "identity removed: {}; sessions removed: {}; documents removed: {}; documents redacted: {} ({} turns); codings removed: {}; suggestions removed: {}; summaries removed: {}; submissions removed: {}{}",
            if report.identity_removed { "yes" } else { "no" },
            report.sessions_removed,
            report.documents_removed,
            report.documents_redacted,
            report.turns_redacted,
            report.codings_removed,
            report.suggestions_removed,
            report.summaries_removed,
            report.submissions_removed,
            reason
                .map(|r| format!("; reason: {}", r.trim()))
                .unwrap_or_default()
        );
        append(
            &tx,
            &AuditEvent::new(&by.name, AuditAction::Withdrawal, &report.id, detail),
        )?;
        tx.commit()?;
        self.documents.borrow_mut().clear();
        self.anchor_audit_head()?;
        self.forget_old_pages()?;
        Ok(report)
    }

    fn study_settings(&self) -> Result<StudySettings> {
        let study = self.require_study()?;
        let row: Option<(Option<String>, bool)> = self
            .conn
            .query_row(
                "SELECT identity_retention_until, coders_see_assigned_only FROM study_settings WHERE study_id = ?1",
                [study],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((until, assigned_only)) = row else {
            return Ok(StudySettings::default());
        };
        let until = until
            .map(|d| {
                d.parse::<chrono::NaiveDate>()
                    .map_err(|e| StoreError::Stored {
                        what: "retention date",
                        detail: e.to_string(),
                    })
            })
            .transpose()?;
        Ok(StudySettings {
            identity_retention_until: until,
            coders_see_assigned_only: assigned_only,
        })
    }

    fn set_study_settings(&mut self, by: &Account, settings: &StudySettings) -> Result<()> {
        require(by, Permission::ManageStudy, "change the study's settings")?;
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO study_settings (study_id, identity_retention_until, coders_see_assigned_only)
             VALUES (?1, ?2, ?3)
             ON CONFLICT (study_id) DO UPDATE SET identity_retention_until = ?2, coders_see_assigned_only = ?3",
            params![
                study,
                settings.identity_retention_until.map(|d| d.to_string()),
                settings.coders_see_assigned_only
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn purge_expired_identities(&mut self, today: chrono::NaiveDate) -> Result<usize> {
        if self.study_id()?.is_none() {
            return Ok(0);
        }
        let Some(until) = self.study_settings()?.identity_retention_until else {
            return Ok(0);
        };
        if today <= until {
            return Ok(0);
        }
        let tx = self.write_transaction()?;
        let purged = tx.execute("DELETE FROM vault_identities", [])?;
        tx.execute("DELETE FROM vault_name_tokens", [])?;
        if purged > 0 {
            append(
                &tx,
                &AuditEvent::new(
                    "retention",
                    AuditAction::RetentionPurge,
                    VAULT,
                    format!("{purged} identities destroyed (retention date {until})"),
                ),
            )?;
        }
        tx.commit()?;
        self.anchor_audit_head()?;
        self.forget_old_pages()?;
        Ok(purged)
    }
}

/// Stores one coordinator's wrapped copy of the vault key.
fn insert_grant(
    tx: &Transaction<'_>,
    user: i64,
    wrapped: &WrappedSecret,
    granted_by: &str,
) -> Result<()> {
    let json = serde_json::to_string(wrapped).map_err(|e| StoreError::Stored {
        what: "wrapped vault key",
        detail: e.to_string(),
    })?;
    tx.execute(
        "INSERT INTO vault_grants (user_id, wrapped, granted_by, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user, json, granted_by, super::now()],
    )?;
    Ok(())
}
