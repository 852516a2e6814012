//! Reading and coding one document at a time, with versions.

use rusqlite::{OptionalExtension, Transaction, params};
use sankore_domain::{CodeKey, Coding, CodingOrigin, Document, DocumentKind, Span};

use super::SqliteStore;
use crate::error::{Result, StoreError};
use crate::{CodingStore, DocumentSummary, StoredCoding};

fn offset(value: i64) -> Result<usize> {
    usize::try_from(value).map_err(|e| StoreError::Stored {
        what: "text offset",
        detail: e.to_string(),
    })
}

/// Bumps the revision of the document holding coding `id`.
fn bump_revision(tx: &Transaction<'_>, document_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE documents SET revision = revision + 1 WHERE id = ?1",
        [document_id],
    )?;
    Ok(())
}

impl SqliteStore {
    /// Reads one coding by id, with its document's row id.
    /// Codings matching `filter` (an SQL condition over `c` codings, `d`
    /// documents and `k` codes), by document and position, each with its
    /// document's row id. One query, whatever the number of codings.
    pub(super) fn query_codings(
        conn: &rusqlite::Connection,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(StoredCoding, i64)>> {
        let sql = format!(
            "SELECT c.guid, c.version, d.code, c.start_offset, c.end_offset, k.key, c.coder, c.memo, c.origin,
                    d.char_len, d.id
             FROM codings c JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id
             WHERE {filter} ORDER BY d.code, c.start_offset, c.end_offset, c.id"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, i64>(10)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(guid, version, document, start, end, code, coder, memo, origin, len, doc_id)| {
                    Ok((
                        StoredCoding {
                            id: guid,
                            version,
                            coding: Coding {
                                document,
                                span: Span::new(offset(start)?, offset(end)?, offset(len)?)?,
                                code: CodeKey::new(&code)?,
                                coder,
                                memo,
                                origin: CodingOrigin::parse(&origin)?,
                            },
                        },
                        doc_id,
                    ))
                },
            )
            .collect()
    }

    /// One coding by id, with its document's row id.
    pub(super) fn stored_coding(
        conn: &rusqlite::Connection,
        id: &str,
    ) -> Result<Option<(StoredCoding, i64)>> {
        Ok(Self::query_codings(conn, "c.guid = ?1", [id])?
            .into_iter()
            .next())
    }

    /// Checks `expected_version` against the current one.
    fn current(&self, id: &str, expected_version: i64) -> Result<(StoredCoding, i64)> {
        let (stored, document_id) =
            Self::stored_coding(&self.conn, id)?.ok_or_else(|| StoreError::NotFound {
                what: "coding",
                key: id.to_owned(),
            })?;
        if stored.version != expected_version {
            return Err(StoreError::Stale {
                what: "coding",
                key: id.to_owned(),
                expected: expected_version,
                current: stored.version,
            });
        }
        Ok((stored, document_id))
    }

    pub(super) fn code_id(&self, study: i64, key: &CodeKey) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT id FROM codes WHERE study_id = ?1 AND key = ?2",
                params![study, key.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "code",
                key: key.to_string(),
            })
    }
}

impl CodingStore for SqliteStore {
    fn document_summaries(&self) -> Result<Vec<DocumentSummary>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT d.code, d.title, d.kind, s.code, d.char_len,
                    (SELECT count(*) FROM codings c WHERE c.document_id = d.id)
             FROM documents d LEFT JOIN sessions s ON s.id = d.session_id
             WHERE d.study_id = ?1 ORDER BY d.code",
        )?;
        let rows = stmt
            .query_map([study], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(code, title, kind, session, chars, codings)| {
                Ok(DocumentSummary {
                    code,
                    title,
                    kind: DocumentKind::parse(&kind)?,
                    session,
                    chars: offset(chars)?,
                    codings: offset(codings)?,
                })
            })
            .collect()
    }

    fn document(&self, code: &str) -> Result<Option<(Document, i64)>> {
        let study = self.require_study()?;
        let found: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT revision, text_version FROM documents WHERE study_id = ?1 AND code = ?2",
                params![study, code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((revision, text_version)) = found else {
            return Ok(None);
        };
        if let Some((cached, document)) = self.documents.borrow().get(code)
            && *cached == text_version
        {
            return Ok(Some((document.clone(), revision)));
        }
        let document = self
            .documents_where(Some(code))?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound {
                what: "document",
                key: code.to_owned(),
            })?;
        let mut cache = self.documents.borrow_mut();
        if cache.len() >= super::DOCUMENT_CACHE {
            cache.clear();
        }
        cache.insert(code.to_owned(), (text_version, document.clone()));
        Ok(Some((document, revision)))
    }

    fn document_codings(&self, code: &str) -> Result<Vec<StoredCoding>> {
        let study = self.require_study()?;
        Ok(Self::query_codings(
            &self.conn,
            "d.study_id = ?1 AND d.code = ?2",
            params![study, code],
        )?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
    }

    fn coding(&self, id: &str) -> Result<Option<StoredCoding>> {
        Ok(Self::stored_coding(&self.conn, id)?.map(|(c, _)| c))
    }

    fn add_coding(&mut self, coding: &Coding) -> Result<StoredCoding> {
        let study = self.require_study()?;
        let code_id = self.code_id(study, &coding.code)?;
        let tx = self.write_transaction()?;
        let stored = insert_coding(&tx, study, code_id, coding)?;
        tx.commit()?;
        Ok(stored)
    }

    fn update_coding(
        &mut self,
        id: &str,
        expected_version: i64,
        code: &CodeKey,
        memo: Option<&str>,
    ) -> Result<StoredCoding> {
        let study = self.require_study()?;
        let code_id = self.code_id(study, code)?;
        let tx = self.write_transaction()?;
        // The version check and the write are one statement: two editors of
        // the same version cannot both succeed.
        let changed = tx.execute(
            "UPDATE codings SET code_id = ?3, memo = ?4, version = version + 1 WHERE guid = ?1 AND version = ?2",
            params![id, expected_version, code_id, memo],
        )?;
        if changed == 0 {
            drop(tx);
            return Err(self
                .current(id, expected_version)
                .err()
                .unwrap_or(StoreError::NotFound {
                    what: "coding",
                    key: id.to_owned(),
                }));
        }
        let (stored, document_id) =
            Self::stored_coding(&tx, id)?.ok_or_else(|| StoreError::NotFound {
                what: "coding",
                key: id.to_owned(),
            })?;
        bump_revision(&tx, document_id)?;
        tx.commit()?;
        Ok(stored)
    }

    fn delete_coding(&mut self, id: &str, expected_version: i64) -> Result<()> {
        let (_, document_id) = self.current(id, expected_version)?;
        let tx = self.write_transaction()?;
        let deleted = tx.execute(
            "DELETE FROM codings WHERE guid = ?1 AND version = ?2",
            params![id, expected_version],
        )?;
        if deleted == 0 {
            drop(tx);
            return Err(self
                .current(id, expected_version)
                .err()
                .unwrap_or(StoreError::NotFound {
                    what: "coding",
                    key: id.to_owned(),
                }));
        }
        bump_revision(&tx, document_id)?;
        tx.commit()?;
        Ok(())
    }
}

/// Inserts a coding in `tx` after checking its span against the stored
/// text (`code_id`: the code's row in `study`).
pub(super) fn insert_coding(
    tx: &Transaction<'_>,
    study: i64,
    code_id: i64,
    coding: &Coding,
) -> Result<StoredCoding> {
    let (document_id, len): (i64, i64) = tx
        .query_row(
            "SELECT id, char_len FROM documents WHERE study_id = ?1 AND code = ?2",
            params![study, coding.document],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "document",
            key: coding.document.clone(),
        })?;
    // Re-check the span against the stored text's length.
    Span::new(coding.span.start(), coding.span.end(), offset(len)?)?;
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO codings (guid, document_id, code_id, coder, start_offset, end_offset, memo, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            document_id,
            code_id,
            coding.coder,
            coding.span.start(),
            coding.span.end(),
            coding.memo,
            coding.origin.as_str()
        ],
    )?;
    bump_revision(tx, document_id)?;
    Ok(StoredCoding {
        id,
        version: 1,
        coding: coding.clone(),
    })
}
