//! Data-collection instruments: each stored as JSON, with its questions'
//! research-question links as rows (checked against the study's research
//! questions by a foreign key).

use rusqlite::{OptionalExtension, Transaction, params};
use sankore_domain::AuditEvent;
use sankore_domain::instrument::Instrument;

use super::{SqliteStore, audit, now};
use crate::error::{Result, StoreError};
use crate::{InstrumentStore, InstrumentSummary, SavedInstrument};

fn stored(detail: impl ToString) -> StoreError {
    StoreError::Stored {
        what: "instrument",
        detail: detail.to_string(),
    }
}

/// The research questions an instrument links to that the study lacks.
fn missing_research_questions(
    tx: &Transaction<'_>,
    study: i64,
    form: &Instrument,
) -> Result<Vec<u8>> {
    let mut stmt =
        tx.prepare("SELECT 1 FROM research_questions WHERE study_id = ?1 AND number = ?2")?;
    let mut missing = Vec::new();
    for q in form.questions() {
        for n in &q.question.research_questions {
            if !stmt.exists(params![study, n])? && !missing.contains(n) {
                missing.push(*n);
            }
        }
    }
    Ok(missing)
}

fn write_links(tx: &Transaction<'_>, study: i64, id: i64, form: &Instrument) -> Result<()> {
    tx.execute(
        "DELETE FROM instrument_links WHERE instrument_id = ?1",
        [id],
    )?;
    let mut stmt = tx.prepare(
        "INSERT OR IGNORE INTO instrument_links (instrument_id, study_id, question_path, research_question)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for q in form.questions() {
        for n in &q.question.research_questions {
            stmt.execute(params![id, study, q.path, n])?;
        }
    }
    Ok(())
}

impl InstrumentStore for SqliteStore {
    fn save_instrument(
        &mut self,
        form: &Instrument,
        event: &AuditEvent,
    ) -> Result<SavedInstrument> {
        let study = self.require_study()?;
        let definition = serde_json::to_string(form).map_err(stored)?;
        let tx = self.write_transaction()?;
        let missing = missing_research_questions(&tx, study, form)?;
        if let Some(n) = missing.first() {
            return Err(StoreError::NotFound {
                what: "research question",
                key: n.to_string(),
            });
        }
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, definition FROM instruments WHERE study_id = ?1 AND key = ?2",
                params![study, form.key()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let outcome = match existing {
            Some((_, old)) if old == definition => SavedInstrument::Unchanged,
            Some((id, _)) => {
                tx.execute(
                    "UPDATE instruments SET title = ?2, version = ?3, definition = ?4, saved_at = ?5 WHERE id = ?1",
                    params![id, form.title(), form.version(), definition, now()],
                )?;
                write_links(&tx, study, id, form)?;
                SavedInstrument::Replaced
            }
            None => {
                tx.execute(
                    "INSERT INTO instruments (study_id, key, title, version, definition, saved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        study,
                        form.key(),
                        form.title(),
                        form.version(),
                        definition,
                        now()
                    ],
                )?;
                let id = tx.last_insert_rowid();
                write_links(&tx, study, id, form)?;
                SavedInstrument::New
            }
        };
        audit::append(&tx, event)?;
        tx.commit()?;
        Ok(outcome)
    }

    fn instruments(&self) -> Result<Vec<InstrumentSummary>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT i.key, i.title, i.version, i.saved_at,
                    (SELECT count(DISTINCT question_path) FROM instrument_links l WHERE l.instrument_id = i.id)
             FROM instruments i WHERE i.study_id = ?1 ORDER BY i.key",
        )?;
        let rows = stmt
            .query_map([study], |r| {
                Ok(InstrumentSummary {
                    key: r.get(0)?,
                    title: r.get(1)?,
                    version: r.get(2)?,
                    saved_at: r.get(3)?,
                    linked_questions: r.get::<_, i64>(4)?.try_into().unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn instrument(&self, key: &str) -> Result<Option<Instrument>> {
        let study = self.require_study()?;
        let definition: Option<String> = self
            .conn
            .query_row(
                "SELECT definition FROM instruments WHERE study_id = ?1 AND key = ?2",
                params![study, key],
                |r| r.get(0),
            )
            .optional()?;
        definition
            .map(|d| serde_json::from_str(&d).map_err(stored))
            .transpose()
    }

    fn link_research_questions(
        &mut self,
        key: &str,
        question: &str,
        research_questions: &[u8],
    ) -> Result<()> {
        let mut form = self.instrument(key)?.ok_or_else(|| StoreError::NotFound {
            what: "instrument",
            key: key.to_owned(),
        })?;
        form.link_research_questions(question, research_questions.to_vec())
            .map_err(|_| StoreError::NotFound {
                what: "question",
                key: question.to_owned(),
            })?;
        let study = self.require_study()?;
        let definition = serde_json::to_string(&form).map_err(stored)?;
        let tx = self.write_transaction()?;
        if let Some(n) = missing_research_questions(&tx, study, &form)?.first() {
            return Err(StoreError::NotFound {
                what: "research question",
                key: n.to_string(),
            });
        }
        let id: i64 = tx.query_row(
            "SELECT id FROM instruments WHERE study_id = ?1 AND key = ?2",
            params![study, key],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE instruments SET definition = ?2, saved_at = ?3 WHERE id = ?1",
            params![id, definition, now()],
        )?;
        write_links(&tx, study, id, &form)?;
        tx.commit()?;
        Ok(())
    }
}
