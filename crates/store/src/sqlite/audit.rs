//! The audit log on SQLite: an append-only table whose entries are chained
//! by SHA-256, and a head anchor kept beside the database.
//!
//! Each entry's hash covers its position, time, actor, action, target,
//! detail and the previous entry's hash, each length-prefixed, so changing
//! any byte of any entry, removing one or swapping two breaks the chain.
//! Removing the *last* entries leaves a valid shorter chain; the anchor file
//! (`audit-head`, the position and hash of the newest entry known when it
//! was written) catches that. Someone holding the passphrase can still
//! rewrite the whole log and the anchor together: write down the head that
//! `sankore audit verify` prints to detect that too.

use rusqlite::{OptionalExtension, Transaction, params};
use sankore_domain::{AuditAction, AuditEvent};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use super::SqliteStore;
use crate::error::{Result, StoreError};
use crate::{AuditEntry, AuditFilter, AuditStore, AuditVerification};

/// `prev_hash` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// First line of the anchor file.
const ANCHOR_MAGIC: &str = "sankore-audit-head v1";

/// Records `event` inside the caller's write transaction, so it lands
/// atomically with the change it describes.
pub fn append(tx: &Transaction<'_>, event: &AuditEvent) -> Result<AuditEntry> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let hash = entry_hash(seq, &at, event, &prev_hash);
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            at,
            event.actor,
            event.action.as_str(),
            event.target,
            event.detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(AuditEntry {
        seq,
        at,
        event: event.clone(),
        prev_hash,
        hash,
    })
}

/// SHA-256 over the entry's fields, each prefixed with its length.
fn entry_hash(seq: i64, at: &str, event: &AuditEvent, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"sankore-audit-v1");
    let seq = seq.to_string();
    for field in [
        seq.as_str(),
        at,
        &event.actor,
        event.action.as_str(),
        &event.target,
        &event.detail,
        prev_hash,
    ] {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// One row as stored, before its action name is checked.
struct RawEntry {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl RawEntry {
    const COLUMNS: &'static str = "seq, at, actor, action, target, detail, prev_hash, hash";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            detail: r.get(5)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
        })
    }

    fn into_entry(self) -> Result<AuditEntry> {
        let action = self
            .action
            .parse::<AuditAction>()
            .map_err(|e| StoreError::Stored {
                what: "audit entry",
                detail: format!("entry {}: {e}", self.seq),
            })?;
        Ok(AuditEntry {
            seq: self.seq,
            at: self.at,
            event: AuditEvent::new(self.actor, action, self.target, self.detail),
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// The anchor file beside the database.
fn anchor_path(database: &Path) -> PathBuf {
    database.with_file_name("audit-head")
}

/// The anchored head: position and hash, if an anchor was written.
fn read_anchor(database: &Path) -> Result<Option<(i64, String)>> {
    let path = anchor_path(database);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StoreError::Io { path, source }),
    };
    let mut lines = text.lines();
    let parsed = (lines.next() == Some(ANCHOR_MAGIC))
        .then(|| lines.next())
        .flatten()
        .and_then(|line| line.split_once(' '))
        .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hash.to_owned())));
    parsed.map(Some).ok_or_else(|| StoreError::Stored {
        what: "audit head anchor",
        detail: format!("{} is damaged", path.display()),
    })
}

impl SqliteStore {
    /// Writes the newest entry's position and hash to the anchor file
    /// (atomically: a temporary file renamed over it).
    pub(crate) fn anchor_audit_head(&self) -> Result<()> {
        let head: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((seq, hash)) = head else {
            return Ok(());
        };
        match read_anchor(&self.path).ok().flatten() {
            Some(anchored) if anchored == (seq, hash.clone()) => return Ok(()),
            // Move the anchor forward only over a log that still holds the
            // anchored entry unchanged: re-anchoring a log cut short (or
            // rewritten) would hide it from `audit verify`.
            Some((anchored_seq, anchored_hash)) => {
                let stored: Option<String> = self
                    .conn
                    .query_row(
                        "SELECT hash FROM audit_log WHERE seq = ?1",
                        [anchored_seq],
                        |r| r.get(0),
                    )
                    .optional()?;
                if stored.as_deref() != Some(anchored_hash.as_str()) {
                    return Ok(());
                }
            }
            None => {}
        }
        let path = anchor_path(&self.path);
        let temporary = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            std::fs::write(&temporary, format!("{ANCHOR_MAGIC}\n{seq} {hash}\n"))?;
            std::fs::rename(&temporary, &path)
        };
        write().map_err(|source| StoreError::Io { path, source })
    }
}

impl AuditStore for SqliteStore {
    fn record_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        let tx = self.write_transaction()?;
        let entry = append(&tx, event)?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(entry)
    }

    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {} FROM (
                SELECT * FROM audit_log
                WHERE (?1 IS NULL OR actor = ?1)
                  AND (?2 IS NULL OR action = ?2)
                  AND (?3 IS NULL OR at >= ?3)
                  AND (?4 IS NULL OR at < ?4)
                ORDER BY seq DESC LIMIT ?5
             ) ORDER BY seq",
            RawEntry::COLUMNS
        );
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![
                filter.actor,
                filter.action.map(AuditAction::as_str),
                filter.since,
                filter.until,
                limit
            ],
            RawEntry::from_row,
        )?;
        rows.map(|row| row?.into_entry()).collect()
    }

    fn verify_audit(&self) -> Result<AuditVerification> {
        let _snapshot = self.snapshot()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM audit_log ORDER BY seq",
            RawEntry::COLUMNS
        ))?;
        let mut rows = stmt.query([])?;
        let mut expected_seq = 1;
        let mut prev_hash = GENESIS.to_owned();
        let broken = |seq: i64, reason: String| Ok(AuditVerification::Broken { seq, reason });
        while let Some(row) = rows.next()? {
            let raw = RawEntry::from_row(row)?;
            if raw.seq != expected_seq {
                return broken(
                    expected_seq,
                    format!("entry {expected_seq} is missing (next is {})", raw.seq),
                );
            }
            if raw.prev_hash != prev_hash {
                return broken(
                    raw.seq,
                    "does not follow the entry before it (removed or reordered)".into(),
                );
            }
            let Ok(action) = raw.action.parse::<AuditAction>() else {
                return broken(raw.seq, "has an unknown action (altered)".into());
            };
            let event = AuditEvent::new(raw.actor, action, raw.target, raw.detail);
            if entry_hash(raw.seq, &raw.at, &event, &raw.prev_hash) != raw.hash {
                return broken(
                    raw.seq,
                    "its content does not match its hash (altered)".into(),
                );
            }
            prev_hash = raw.hash;
            expected_seq += 1;
        }
        let entries = expected_seq - 1;
        match read_anchor(&self.path)? {
            Some((seq, _)) if seq > entries => broken(
                entries + 1,
                format!(
                    "entries {} to {seq} were removed (the log was cut short)",
                    entries + 1
                ),
            ),
            Some((seq, hash)) => {
                let stored: Option<String> = self
                    .conn
                    .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if stored.as_deref() == Some(hash.as_str()) {
                    Ok(AuditVerification::Intact {
                        entries,
                        head: prev_hash,
                    })
                } else {
                    broken(seq, "does not match the anchored head (rewritten)".into())
                }
            }
            None if entries > 0 => broken(
                entries,
                "the head anchor file (audit-head) is missing".into(),
            ),
            None => Ok(AuditVerification::Intact {
                entries,
                head: prev_hash,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [&str; 7] = [
        "seq",
        "at",
        "actor",
        "action",
        "target",
        "detail",
        "prev_hash",
    ];

    fn store_with_entries(n: usize) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut store = SqliteStore::create(
            &dir.path().join("db"),
            &[7; 32],
            crate::sqlite::PageFormat::CURRENT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for i in 0..n {
            let action = AuditAction::ALL[i % AuditAction::ALL.len()];
            store
                .record_audit(&AuditEvent::new(
                    format!("user{}", i % 3),
                    action,
                    format!("P-{i:03}"),
                    format!("detail {i}"),
                ))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        (dir, store)
    }

    /// Goes around the append-only triggers, as someone with the key could.
    fn tamper(store: &SqliteStore, sql: &str) {
        store
            .conn
            .execute_batch(&format!(
                "DROP TRIGGER IF EXISTS audit_log_no_update;
                 DROP TRIGGER IF EXISTS audit_log_no_delete;
                 {sql}"
            ))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn intact(store: &SqliteStore) -> bool {
        matches!(
            store.verify_audit().unwrap_or_else(|e| panic!("{e}")),
            AuditVerification::Intact { .. }
        )
    }

    #[test]
    fn entries_chain_and_verify() {
        let (_dir, store) = store_with_entries(5);
        let entries = store
            .audit_entries(&AuditFilter::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0].prev_hash, GENESIS);
        for pair in entries.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash);
            assert_eq!(pair[1].seq, pair[0].seq + 1);
        }
        assert_eq!(
            store.verify_audit().unwrap_or_else(|e| panic!("{e}")),
            AuditVerification::Intact {
                entries: 5,
                head: entries[4].hash.clone()
            }
        );
    }

    #[test]
    fn sql_cannot_update_or_delete_entries() {
        let (_dir, store) = store_with_entries(2);
        for sql in [
            "UPDATE audit_log SET actor = 'x'",
            "DELETE FROM audit_log WHERE seq = 2",
        ] {
            let error = store.conn.execute_batch(sql).err();
            assert!(
                error.is_some_and(|e| e.to_string().contains("append-only")),
                "{sql} was allowed"
            );
        }
        assert!(intact(&store));
    }

    #[test]
    fn any_single_byte_change_to_any_entry_is_detected() {
        let (_dir, store) = store_with_entries(4);
        for seq in 1..=4 {
            for column in COLUMNS.iter().chain(["hash"].iter()) {
                // Flip the lowest bit of the field's last character (seq: renumber).
                let change = if *column == "seq" {
                    format!("UPDATE audit_log SET seq = seq + 100 WHERE seq = {seq}")
                } else {
                    format!(
                        "UPDATE audit_log SET {column} = substr({column}, 1, length({column}) - 1)
                         || char(unicode(substr({column}, -1)) + 1 - 2 * (unicode(substr({column}, -1)) & 1)) WHERE seq = {seq}"
                    )
                };
                tamper(&store, &format!("SAVEPOINT t; {change};"));
                assert!(
                    !intact(&store),
                    "changing {column} of entry {seq} went unnoticed"
                );
                tamper(&store, "ROLLBACK TO t; RELEASE t;");
                assert!(intact(&store));
            }
        }
    }

    #[test]
    fn removed_reordered_and_truncated_entries_are_detected() {
        let (_dir, store) = store_with_entries(5);
        let cases = [
            "DELETE FROM audit_log WHERE seq = 3",
            "DELETE FROM audit_log WHERE seq = 1",
            // Truncation: a valid, shorter chain; the anchor catches it.
            "DELETE FROM audit_log WHERE seq >= 4",
            // Swap entries 2 and 3 but keep the positions in order.
            "UPDATE audit_log SET seq = -2 WHERE seq = 2;
             UPDATE audit_log SET seq = 2 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = -2;",
        ];
        for sql in cases {
            tamper(&store, &format!("SAVEPOINT t; {sql}"));
            let verdict = store.verify_audit().unwrap_or_else(|e| panic!("{e}"));
            assert!(
                matches!(verdict, AuditVerification::Broken { .. }),
                "{sql}: {verdict:?}"
            );
            tamper(&store, "ROLLBACK TO t; RELEASE t;");
        }
        std::fs::remove_file(anchor_path(&store.path)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!intact(&store), "a missing anchor went unnoticed");
    }

    #[test]
    fn entries_appended_inside_a_write_are_anchored_when_the_store_closes() {
        let (dir, mut store) = store_with_entries(1);
        let tx = store.write_transaction().unwrap_or_else(|e| panic!("{e}"));
        append(
            &tx,
            &AuditEvent::new("cli", AuditAction::Export, "codings", "csv"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        drop(store);
        assert_eq!(
            read_anchor(&dir.path().join("db"))
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|(seq, _)| seq),
            Some(2)
        );
    }

    #[test]
    fn filters_narrow_the_list() {
        let (_dir, store) = store_with_entries(40);
        let by_actor = store
            .audit_entries(&AuditFilter {
                actor: Some("user1".into()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!by_actor.is_empty() && by_actor.iter().all(|e| e.event.actor == "user1"));
        let exports = store
            .audit_entries(&AuditFilter {
                action: Some(AuditAction::Export),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(exports.len(), 2);
        let last = store
            .audit_entries(&AuditFilter {
                limit: Some(2),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(last.iter().map(|e| e.seq).collect::<Vec<_>>(), [39, 40]);
        let future = store
            .audit_entries(&AuditFilter {
                since: Some("2999-01-01".into()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(future.is_empty());
        let past = store
            .audit_entries(&AuditFilter {
                until: Some("2000-01-01".into()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(past.is_empty());
    }
}
