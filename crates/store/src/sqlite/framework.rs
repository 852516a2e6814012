//! Framework-matrix summaries.

use rusqlite::params;
use sankore_domain::CodeKey;

use super::{SqliteStore, now};
use crate::error::{Result, StoreError};
use crate::{FrameworkStore, FrameworkSummary};

impl FrameworkStore for SqliteStore {
    fn framework_summaries(&self) -> Result<Vec<FrameworkSummary>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT f.case_key, k.key, f.summary, f.author FROM framework_summaries f
             JOIN codes k ON k.id = f.code_id WHERE f.study_id = ?1 ORDER BY f.case_key, k.position",
        )?;
        let rows = stmt
            .query_map([study], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(case, theme, summary, author)| {
                Ok(FrameworkSummary {
                    case,
                    theme: CodeKey::new(&theme)?,
                    summary,
                    author,
                })
            })
            .collect()
    }

    fn set_framework_summary(&mut self, summary: &FrameworkSummary) -> Result<()> {
        let study = self.require_study()?;
        if summary.case.trim().is_empty() || summary.case.len() > 200 {
            return Err(StoreError::Domain(sankore_domain::DomainError::Invalid {
                field: "framework case",
                reason: "must be 1 to 200 characters".to_owned(),
            }));
        }
        let code = self.code_id(study, &summary.theme)?;
        let tx = self.write_transaction()?;
        if summary.summary.trim().is_empty() {
            tx.execute(
                "DELETE FROM framework_summaries WHERE study_id = ?1 AND case_key = ?2 AND code_id = ?3",
                params![study, summary.case, code],
            )?;
        } else {
            tx.execute(
                "INSERT INTO framework_summaries (study_id, case_key, code_id, summary, author, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (study_id, case_key, code_id)
                 DO UPDATE SET summary = excluded.summary, author = excluded.author, updated_at = excluded.updated_at",
                params![study, summary.case, code, summary.summary.trim(), summary.author, now()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
