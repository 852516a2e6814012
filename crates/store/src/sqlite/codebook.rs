//! Codebook edits as new versions.

use rusqlite::{OptionalExtension, params};
use sankore_domain::{CodeKey, Codebook};
use std::collections::HashMap;

use super::{SqliteStore, now};
use crate::error::{Result, StoreError};
use crate::{CodeUsage, CodebookStore, StoredCoding};

impl CodebookStore for SqliteStore {
    fn save_codebook(&mut self, codebook: &Codebook, merges: &[(CodeKey, CodeKey)]) -> Result<()> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let mut ids: HashMap<String, i64> = {
            let mut stmt = tx.prepare("SELECT key, id FROM codes WHERE study_id = ?1")?;
            stmt.query_map([study], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let id_of = |ids: &HashMap<String, i64>, key: &CodeKey| {
            ids.get(key.as_str())
                .copied()
                .ok_or_else(|| StoreError::NotFound {
                    what: "code",
                    key: key.to_string(),
                })
        };
        for (from, into) in merges {
            let (from_id, into_id) = (id_of(&ids, from)?, id_of(&ids, into)?);
            tx.execute(
                "UPDATE documents SET revision = revision + 1
                 WHERE id IN (SELECT document_id FROM codings WHERE code_id = ?1)",
                [from_id],
            )?;
            tx.execute(
                "UPDATE codings SET code_id = ?2, version = version + 1 WHERE code_id = ?1",
                params![from_id, into_id],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO finding_codes (finding_id, code_id)
                 SELECT finding_id, ?2 FROM finding_codes WHERE code_id = ?1",
                params![from_id, into_id],
            )?;
            tx.execute("DELETE FROM finding_codes WHERE code_id = ?1", [from_id])?;
        }
        // Upsert every code (parents resolved in a second pass), keeping ids
        // stable by key so codings keep pointing at their code.
        for (position, code) in codebook.codes().iter().enumerate() {
            let rqs = code
                .research_questions
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let existing = ids.get(code.key.as_str()).copied();
            match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE codes SET name_fr = ?2, name_en = ?3, description_fr = ?4, description_en = ?5,
                                color = ?6, research_questions = ?7, position = ?8 WHERE id = ?1",
                        params![
                            id,
                            code.name.fr,
                            code.name.en,
                            code.description.fr,
                            code.description.en,
                            code.color.to_string(),
                            rqs,
                            position
                        ],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO codes (study_id, guid, key, parent_id, name_fr, name_en, description_fr,
                                description_en, color, research_questions, position)
                         VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        params![
                            study,
                            uuid::Uuid::new_v4().to_string(),
                            code.key.as_str(),
                            code.name.fr,
                            code.name.en,
                            code.description.fr,
                            code.description.en,
                            code.color.to_string(),
                            rqs,
                            position
                        ],
                    )?;
                    ids.insert(code.key.to_string(), tx.last_insert_rowid());
                }
            }
        }
        for code in codebook.codes() {
            let parent = code.parent.as_ref().map(|p| id_of(&ids, p)).transpose()?;
            tx.execute(
                "UPDATE codes SET parent_id = ?2 WHERE id = ?1",
                params![id_of(&ids, &code.key)?, parent],
            )?;
        }
        for (key, id) in &ids {
            if codebook.codes().iter().any(|c| c.key.as_str() == key) {
                continue;
            }
            let used: i64 = tx.query_row(
                "SELECT count(*) FROM codings WHERE code_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(StoreError::Stored {
                    what: "codebook",
                    detail: format!(
                        "code {key} still has {used} codings: merge it instead of dropping it"
                    ),
                });
            }
            tx.execute(
                "UPDATE codes SET parent_id = NULL WHERE parent_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM finding_codes WHERE code_id = ?1", [id])?;
            tx.execute("DELETE FROM codes WHERE id = ?1", [id])?;
        }
        let latest: Option<u32> = tx
            .query_row(
                "SELECT max(version) FROM codebook_versions WHERE study_id = ?1",
                [study],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let version = latest.map_or(codebook.version, |v| v + 1);
        let mut saved = codebook.clone();
        saved.version = version;
        let snapshot = serde_json::to_string(&saved).map_err(|e| StoreError::Stored {
            what: "codebook",
            detail: e.to_string(),
        })?;
        tx.execute(
            "INSERT INTO codebook_versions (study_id, version, label, snapshot, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![study, version, codebook.label, snapshot, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn code_usage(&self) -> Result<Vec<CodeUsage>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT k.key, count(c.id), count(DISTINCT c.document_id) FROM codes k
             LEFT JOIN codings c ON c.code_id = k.id WHERE k.study_id = ?1 GROUP BY k.id ORDER BY k.position",
        )?;
        let rows = stmt
            .query_map([study], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(key, codings, documents)| {
                Ok(CodeUsage {
                    key: CodeKey::new(&key)?,
                    codings: usize::try_from(codings).unwrap_or_default(),
                    documents: usize::try_from(documents).unwrap_or_default(),
                })
            })
            .collect()
    }

    fn code_codings(&self, key: &CodeKey) -> Result<Vec<StoredCoding>> {
        let study = self.require_study()?;
        Ok(Self::query_codings(
            &self.conn,
            "k.study_id = ?1 AND k.key = ?2",
            params![study, key.as_str()],
        )?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
    }
}
