//! Accounts and web sessions.

use rusqlite::{OptionalExtension, params};
use sankore_domain::Role;

use super::{SqliteStore, now};
use crate::error::{Result, StoreError};
use crate::{Account, AccountStore};

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

    fn user_credentials(&self, name: &str) -> Result<Option<(Account, String)>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, role, password_hash FROM users WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, name, role, hash)| Ok((account(id, name, &role)?, hash)))
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
        self.conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![token_hash, user_id, csrf_token, at],
        )?;
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
        self.conn.execute(
            "DELETE FROM web_sessions WHERE token_hash = ?1",
            [token_hash],
        )?;
        Ok(())
    }
}
