//! Accounts and web sessions.

use rusqlite::{OptionalExtension, params};
use sankore_domain::{AuditAction, AuditEvent, Role};

use super::{SqliteStore, audit, now};
use crate::error::{Result, StoreError};
use crate::{Account, AccountStore, Credentials};

fn account(id: i64, name: String, role: &str) -> Result<Account> {
    Ok(Account {
        id,
        name,
        role: Role::parse(role)?,
    })
}

impl AccountStore for SqliteStore {
    fn add_user(&mut self, name: &str, role: Role, password_hash: &str) -> Result<Account> {
        sankore_domain::access::check_user_name(name)?;
        let inserted = self.conn.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO NOTHING",
            params![name, role.as_str(), password_hash, now()],
        )?;
        if inserted == 0 {
            return Err(StoreError::Exists {
                what: "user",
                key: name.to_owned(),
            });
        }
        Ok(Account {
            id: self.conn.last_insert_rowid(),
            name: name.to_owned(),
            role,
        })
    }

    fn user_credentials(&self, name: &str) -> Result<Option<Credentials>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, role, password_hash, locked_at IS NOT NULL FROM users WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, name, role, password_hash, locked)| {
            Ok(Credentials {
                account: account(id, name, &role)?,
                password_hash,
                locked,
            })
        })
        .transpose()
    }

    fn users(&self) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, role FROM users ORDER BY name")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, name, role)| account(id, name, &role))
            .collect()
    }

    fn create_web_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
    ) -> Result<()> {
        let at = now();
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![token_hash, user_id, csrf_token, at],
        )?;
        tx.execute(
            "UPDATE users SET failed_sign_ins = 0 WHERE id = ?1 AND failed_sign_ins > 0",
            [user_id],
        )?;
        let name: String =
            tx.query_row("SELECT name FROM users WHERE id = ?1", [user_id], |r| {
                r.get(0)
            })?;
        audit::append(
            &tx,
            &AuditEvent::new(&name, AuditAction::SignIn, &name, "workbench"),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(())
    }

    fn touch_web_session(
        &mut self,
        token_hash: &str,
        max_idle: chrono::Duration,
    ) -> Result<Option<(Account, String)>> {
        let now_utc = chrono::Utc::now();
        let stamp =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let oldest = stamp(now_utc - max_idle);
        let row = self
            .conn
            .query_row(
                "SELECT u.id, u.name, u.role, s.csrf_token, s.last_seen
                 FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
                [token_hash],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, name, role, csrf, last_seen)) = row else {
            return Ok(None);
        };
        if last_seen < oldest {
            self.conn.execute(
                "DELETE FROM web_sessions WHERE token_hash = ?1",
                [token_hash],
            )?;
            return Ok(None);
        }
        // Refresh at most once a minute: a write (and its sync to disk) on
        // every request would make every page wait for the disk.
        if last_seen < stamp(now_utc - chrono::Duration::seconds(60)) {
            self.conn.execute(
                "UPDATE web_sessions SET last_seen = ?2 WHERE token_hash = ?1",
                params![token_hash, stamp(now_utc)],
            )?;
        }
        Ok(Some((account(id, name, &role)?, csrf)))
    }

    fn delete_web_session(&mut self, token_hash: &str) -> Result<()> {
        let tx = self.write_transaction()?;
        let name: Option<String> = tx
            .query_row(
                "SELECT u.name FROM web_sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "DELETE FROM web_sessions WHERE token_hash = ?1",
            [token_hash],
        )?;
        if let Some(name) = name {
            audit::append(
                &tx,
                &AuditEvent::new(&name, AuditAction::SignOut, &name, "this session"),
            )?;
        }
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(())
    }

    fn sign_in_failed(&mut self, user_id: i64, lock_after: u32, reason: &str) -> Result<bool> {
        let tx = self.write_transaction()?;
        let (name, count): (String, i64) = tx.query_row(
            "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ?1
             RETURNING name, failed_sign_ins",
            [user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let locked = tx.execute(
            "UPDATE users SET locked_at = ?2 WHERE id = ?1 AND locked_at IS NULL AND ?3 >= ?4",
            params![user_id, now(), count, i64::from(lock_after)],
        )? > 0;
        let detail = if locked {
            tx.execute("DELETE FROM web_sessions WHERE user_id = ?1", [user_id])?;
            format!("{reason}; account locked after {count} consecutive failures")
        } else {
            format!("{reason}; {count} consecutive failures")
        };
        audit::append(
            &tx,
            &AuditEvent::new(&name, AuditAction::SignInRefused, &name, detail),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(locked)
    }

    fn end_user_sessions(&mut self, name: &str, actor: &str) -> Result<(Account, usize)> {
        let tx = self.write_transaction()?;
        let found = named_account(&tx, name)?;
        let ended = tx.execute("DELETE FROM web_sessions WHERE user_id = ?1", [found.id])?;
        audit::append(
            &tx,
            &AuditEvent::new(
                actor,
                AuditAction::SignOut,
                &found.name,
                format!("everywhere: {ended} sessions ended"),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok((found, ended))
    }

    fn set_password(&mut self, name: &str, password_hash: &str, actor: &str) -> Result<Account> {
        let tx = self.write_transaction()?;
        let found = named_account(&tx, name)?;
        tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![found.id, password_hash],
        )?;
        let ended = tx.execute("DELETE FROM web_sessions WHERE user_id = ?1", [found.id])?;
        audit::append(
            &tx,
            &AuditEvent::new(
                actor,
                AuditAction::PasswordChange,
                &found.name,
                format!("{ended} sessions ended"),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(found)
    }

    fn set_role(&mut self, name: &str, role: Role, actor: &str) -> Result<(Account, Role)> {
        let tx = self.write_transaction()?;
        let mut found = named_account(&tx, name)?;
        tx.execute(
            "UPDATE users SET role = ?2 WHERE id = ?1",
            params![found.id, role.as_str()],
        )?;
        audit::append(
            &tx,
            &AuditEvent::new(
                actor,
                AuditAction::RoleChange,
                &found.name,
                format!("{} -> {}", found.role, role),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        let former = std::mem::replace(&mut found.role, role);
        Ok((found, former))
    }

    fn unlock_user(&mut self, name: &str, actor: &str) -> Result<(Account, bool)> {
        let tx = self.write_transaction()?;
        let found = named_account(&tx, name)?;
        let was_locked: bool = tx.query_row(
            "SELECT locked_at IS NOT NULL FROM users WHERE id = ?1",
            [found.id],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE users SET locked_at = NULL, failed_sign_ins = 0 WHERE id = ?1",
            [found.id],
        )?;
        if was_locked {
            audit::append(
                &tx,
                &AuditEvent::new(actor, AuditAction::RoleChange, &found.name, "unlocked"),
            )?;
        }
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok((found, was_locked))
    }
}

/// The account of that name (case-insensitive), or `NotFound`.
fn named_account(conn: &rusqlite::Connection, name: &str) -> Result<Account> {
    let row = conn
        .query_row(
            "SELECT id, name, role FROM users WHERE name = ?1",
            [name],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    let (id, name_found, role) = row.ok_or_else(|| StoreError::NotFound {
        what: "user",
        key: name.to_owned(),
    })?;
    account(id, name_found, &role)
}
