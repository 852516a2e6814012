//! Quotes picked as evidence of findings.

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, now};
use crate::error::{Result, StoreError};
use crate::{QuoteStore, StoredCoding};

impl SqliteStore {
    /// Row ids of a finding and a coding of the study, or which is unknown.
    pub(super) fn quote_ids(&self, finding: &str, coding: &str) -> Result<(i64, i64)> {
        let study = self.require_study()?;
        let finding_id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM findings WHERE study_id = ?1 AND key = ?2",
                params![study, finding],
                |r| r.get(0),
            )
            .optional()?;
        let coding_id: Option<i64> = self
            .conn
            .query_row(
                "SELECT c.id FROM codings c JOIN documents d ON d.id = c.document_id
                 WHERE d.study_id = ?1 AND c.guid = ?2",
                params![study, coding],
                |r| r.get(0),
            )
            .optional()?;
        match (finding_id, coding_id) {
            (Some(f), Some(c)) => Ok((f, c)),
            (None, _) => Err(StoreError::NotFound {
                what: "finding",
                key: finding.to_owned(),
            }),
            (_, None) => Err(StoreError::NotFound {
                what: "coding",
                key: coding.to_owned(),
            }),
        }
    }
}

impl QuoteStore for SqliteStore {
    fn finding_quotes(&self) -> Result<Vec<(String, StoredCoding)>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT f.key, c.guid FROM finding_quotes q JOIN findings f ON f.id = q.finding_id
             JOIN codings c ON c.id = q.coding_id
             WHERE f.study_id = ?1 ORDER BY f.position, q.added_at, c.id",
        )?;
        let rows = stmt
            .query_map([study], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (finding, guid) in rows {
            if let Some((coding, _)) = Self::stored_coding(&self.conn, &guid)? {
                out.push((finding, coding));
            }
        }
        Ok(out)
    }

    fn quote_coding(&mut self, finding: &str, coding: &str) -> Result<()> {
        let (finding_id, coding_id) = self.quote_ids(finding, coding)?;
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO finding_quotes (finding_id, coding_id, added_at) VALUES (?1, ?2, ?3)",
            params![finding_id, coding_id, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn unquote_coding(&mut self, finding: &str, coding: &str) -> Result<()> {
        let (finding_id, coding_id) = self.quote_ids(finding, coding)?;
        let tx = self.write_transaction()?;
        tx.execute(
            "DELETE FROM finding_quotes WHERE finding_id = ?1 AND coding_id = ?2",
            params![finding_id, coding_id],
        )?;
        tx.commit()?;
        Ok(())
    }
}
