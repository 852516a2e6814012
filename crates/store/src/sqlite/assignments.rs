//! Assignments for blind double-coding.

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, now};
use crate::error::{Result, StoreError};
use crate::{Assignment, AssignmentStore};

/// The columns every assignment query selects, in [`assignment`]'s order.
const SELECT: &str = "SELECT d.code, u.name, a.assigned_by, a.done_at IS NOT NULL
     FROM assignments a JOIN documents d ON d.id = a.document_id JOIN users u ON u.id = a.user_id
     WHERE d.study_id = ?1";

fn assignment(row: &rusqlite::Row<'_>) -> rusqlite::Result<Assignment> {
    Ok(Assignment {
        document: row.get(0)?,
        coder: row.get(1)?,
        assigned_by: row.get(2)?,
        done: row.get(3)?,
    })
}

impl SqliteStore {
    /// Row ids of a study document and an account, or `NotFound`.
    fn assignment_keys(&self, study: i64, document: &str, coder: &str) -> Result<(i64, i64)> {
        let document_id: i64 = self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE study_id = ?1 AND code = ?2",
                params![study, document],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "document",
                key: document.to_owned(),
            })?;
        let user_id: i64 = self
            .conn
            .query_row("SELECT id FROM users WHERE name = ?1", [coder], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "account",
                key: coder.to_owned(),
            })?;
        Ok((document_id, user_id))
    }
}

impl AssignmentStore for SqliteStore {
    fn assign(&mut self, document: &str, coder: &str, assigned_by: &str) -> Result<Assignment> {
        let study = self.require_study()?;
        let (document_id, user_id) = self.assignment_keys(study, document, coder)?;
        let tx = self.write_transaction()?;
        let inserted = tx.execute(
            "INSERT INTO assignments (document_id, user_id, assigned_by, assigned_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (document_id, user_id) DO NOTHING",
            params![document_id, user_id, assigned_by, now()],
        )?;
        if inserted == 0 {
            return Err(StoreError::Exists {
                what: "assignment",
                key: format!("{document}/{coder}"),
            });
        }
        let stored = tx.query_row(
            &format!("{SELECT} AND a.document_id = ?2 AND a.user_id = ?3"),
            params![study, document_id, user_id],
            assignment,
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn mark_done(&mut self, document: &str, coder: &str) -> Result<()> {
        let study = self.require_study()?;
        let (document_id, user_id) = self.assignment_keys(study, document, coder)?;
        let tx = self.write_transaction()?;
        let changed = tx.execute(
            "UPDATE assignments SET done_at = coalesce(done_at, ?3)
             WHERE document_id = ?1 AND user_id = ?2",
            params![document_id, user_id, now()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "assignment",
                key: format!("{document}/{coder}"),
            });
        }
        tx.commit()?;
        Ok(())
    }

    fn assignments(&self) -> Result<Vec<Assignment>> {
        self.rows(&format!("{SELECT} ORDER BY d.code, u.name"), assignment)
    }

    fn document_assignments(&self, document: &str) -> Result<Vec<Assignment>> {
        let study = self.require_study()?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} AND d.code = ?2 ORDER BY u.name"))?;
        let rows = stmt
            .query_map(params![study, document], assignment)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountStore, CodingStore, Store};
    use sankore_domain::Role;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut store = SqliteStore::create(
            &dir.path().join("db"),
            &[7; 32],
            crate::sqlite::PageFormat::CURRENT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        store
            .import_study(&sankore_demo::reference_study(), &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
        (dir, store)
    }

    #[test]
    fn a_document_stays_blind_until_every_coder_is_done() {
        let (_dir, mut store) = store();
        let r1 = store
            .add_user("R1", Role::Coder, "x")
            .unwrap_or_else(|e| panic!("{e}"));
        let r2 = store
            .add_user("R2", Role::Coder, "x")
            .unwrap_or_else(|e| panic!("{e}"));
        let boss = store
            .add_user("boss", Role::Coordinator, "x")
            .unwrap_or_else(|e| panic!("{e}"));
        let doc = store
            .document_summaries()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|d| d.code)
            .find(|code| {
                store.document_codings(code).is_ok_and(|c| {
                    c.iter().any(|c| c.coding.coder == "R1")
                        && c.iter().any(|c| c.coding.coder == "R2")
                })
            })
            .unwrap_or_else(|| panic!("no double-coded document"));
        let all = store
            .document_codings(&doc)
            .unwrap_or_else(|e| panic!("{e}"));
        let visible = |store: &SqliteStore, who| {
            store
                .document_codings_visible_to(&doc, who)
                .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(visible(&store, &r1).len(), all.len(), "not assigned yet");
        for coder in ["R1", "R2"] {
            store
                .assign(&doc, coder, "boss")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(matches!(
            store.assign(&doc, "R2", "boss"),
            Err(StoreError::Exists { .. })
        ));
        assert!(matches!(
            store.assign(&doc, "nobody", "boss"),
            Err(StoreError::NotFound { .. })
        ));
        assert!(visible(&store, &r1).iter().all(|c| c.coding.coder == "R1"));
        assert!(visible(&store, &r2).iter().all(|c| c.coding.coder == "R2"));
        assert_eq!(
            visible(&store, &boss).len(),
            all.len(),
            "the coordinator oversees"
        );
        store
            .mark_done(&doc, "R1")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(visible(&store, &r1).iter().all(|c| c.coding.coder == "R1"));
        store
            .mark_done(&doc, "R2")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(visible(&store, &r1).len(), all.len());
        assert_eq!(visible(&store, &r2).len(), all.len());
        assert!(matches!(
            store.mark_done(&doc, "boss"),
            Err(StoreError::NotFound { .. })
        ));
        let listed = store.assignments().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|a| a.done && a.assigned_by == "boss"));
    }
}
