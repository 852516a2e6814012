//! The FTS5 search index.

use rusqlite::params;

use super::SqliteStore;
use crate::SearchStore;
use crate::error::{Result, StoreError};

impl SearchStore for SqliteStore {
    fn unindexed_documents(&self) -> Result<Vec<(String, String)>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT code, body FROM documents WHERE study_id = ?1
             AND id NOT IN (SELECT rowid FROM search_index) ORDER BY code",
        )?;
        let rows = stmt
            .query_map([study], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn index_document(&mut self, code: &str, terms: &str) -> Result<()> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let id: i64 = tx
            .query_row(
                "SELECT id FROM documents WHERE study_id = ?1 AND code = ?2",
                params![study, code],
                |r| r.get(0),
            )
            .map_err(|_| StoreError::NotFound {
                what: "document",
                key: code.to_owned(),
            })?;
        tx.execute("DELETE FROM search_index WHERE rowid = ?1", [id])?;
        tx.execute(
            "INSERT INTO search_index (rowid, terms) VALUES (?1, ?2)",
            params![id, terms],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn search(&self, expression: &str, limit: usize) -> Result<Vec<String>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT d.code FROM search_index s JOIN documents d ON d.id = s.rowid
             WHERE search_index MATCH ?2 AND d.study_id = ?1 ORDER BY bm25(search_index) LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![study, expression, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| StoreError::Stored {
                what: "search expression",
                detail: e.to_string(),
            })?;
        Ok(rows)
    }
}
