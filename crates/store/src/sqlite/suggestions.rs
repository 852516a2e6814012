//! Auto-coding suggestions, stored apart from codings.

use rusqlite::{OptionalExtension, params};
use sankore_domain::{CodeKey, Coding, CodingOrigin, Span};

use super::coding::insert_coding;
use super::{SqliteStore, now};
use crate::error::{Result, StoreError};
use crate::{NewSuggestion, PendingSuggestion, StoredCoding, SuggestionStore};

/// Converts a stored offset.
fn offset(value: i64) -> rusqlite::Result<usize> {
    usize::try_from(value).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn pending(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, usize, usize, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        offset(row.get(3)?)?,
        offset(row.get(4)?)?,
        row.get(5)?,
    ))
}

fn no_pending(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "pending suggestion",
        key: id.to_string(),
    }
}

impl SqliteStore {
    /// Marks a pending suggestion decided; `NotFound` unless it was pending.
    fn decide(tx: &rusqlite::Transaction<'_>, id: i64, status: &str, by: &str) -> Result<()> {
        let changed = tx.execute(
            "UPDATE suggestions SET status = ?2, decided_by = ?3, decided_at = ?4
             WHERE id = ?1 AND status = 'pending'",
            params![id, status, by, now()],
        )?;
        if changed == 0 {
            return Err(no_pending(id));
        }
        Ok(())
    }
}

impl SuggestionStore for SqliteStore {
    fn add_suggestions(&mut self, suggestions: &[NewSuggestion]) -> Result<usize> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let mut added = 0;
        for s in suggestions {
            added += tx
                .prepare_cached(
                    "INSERT INTO suggestions (document_id, code, start_offset, end_offset, rules, created_at)
                     SELECT id, ?3, ?4, ?5, ?6, ?7 FROM documents WHERE study_id = ?1 AND code = ?2
                     ON CONFLICT (document_id, code, start_offset, end_offset) DO NOTHING",
                )?
                .execute(params![
                    study,
                    s.document,
                    s.code.as_str(),
                    s.start,
                    s.end,
                    s.rules.join("\n"),
                    now()
                ])?;
        }
        tx.commit()?;
        Ok(added)
    }

    fn pending_suggestions(&self, document: Option<&str>) -> Result<Vec<PendingSuggestion>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, d.code, s.code, s.start_offset, s.end_offset, s.rules
             FROM suggestions s JOIN documents d ON d.id = s.document_id
             WHERE d.study_id = ?1 AND s.status = 'pending' AND (?2 IS NULL OR d.code = ?2)
             ORDER BY d.code, s.start_offset, s.end_offset, s.code",
        )?;
        let rows = stmt
            .query_map(params![study, document], pending)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, document, code, start, end, rules)| {
                Ok(PendingSuggestion {
                    id,
                    suggestion: NewSuggestion {
                        document,
                        code: CodeKey::new(&code)?,
                        start,
                        end,
                        rules: rules.lines().map(str::to_owned).collect(),
                    },
                })
            })
            .collect()
    }

    fn accept_suggestion(&mut self, id: i64, coder: &str) -> Result<StoredCoding> {
        let study = self.require_study()?;
        let (document, code, start, end, len): (String, String, i64, i64, i64) = self
            .conn
            .query_row(
                "SELECT d.code, s.code, s.start_offset, s.end_offset, d.char_len
                 FROM suggestions s JOIN documents d ON d.id = s.document_id
                 WHERE s.id = ?1 AND d.study_id = ?2 AND s.status = 'pending'",
                params![id, study],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| no_pending(id))?;
        let (start, end, len) = (offset(start)?, offset(end)?, offset(len)?);
        let code = CodeKey::new(&code)?;
        let code_id = self.code_id(study, &code)?;
        let coding = Coding {
            document,
            span: Span::new(start, end, len)?,
            code,
            coder: coder.to_owned(),
            memo: None,
            origin: CodingOrigin::Manual,
        };
        let tx = self.write_transaction()?;
        // The status check and the coding are one transaction: two people
        // accepting at once cannot both create a coding.
        Self::decide(&tx, id, "accepted", coder)?;
        let stored = insert_coding(&tx, study, code_id, &coding)?;
        tx.commit()?;
        Ok(stored)
    }

    fn reject_suggestion(&mut self, id: i64, by: &str) -> Result<()> {
        let tx = self.write_transaction()?;
        Self::decide(&tx, id, "rejected", by)?;
        tx.commit()?;
        Ok(())
    }
}
