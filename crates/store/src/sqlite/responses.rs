//! Responses to forms: submissions with their repeat rows, and the
//! participants, sessions and documents a mapping derives from them, all
//! written in one transaction with their audit entry.

use std::collections::HashMap;

use rusqlite::params;
use sankore_domain::instrument::Instrument;
use sankore_domain::{Answers, AuditAction, AuditEvent, RepeatRow, Response};

use super::records::{check_place, check_session, exists_as};
use super::write::{Keys, insert_document, insert_participant, insert_session};
use super::{SqliteStore, audit, now};
use crate::error::{Result, StoreError};
use crate::{Progress, ResponseImport, ResponseImportOutcome, ResponseStore, StoredResponse};

/// Whether the stored submission `id` has exactly these answers and
/// repeat rows (equal for the same answers from a CSV or an XLSX export:
/// both are in form order).
fn same_as_stored(tx: &rusqlite::Transaction<'_>, id: i64, response: &Response) -> Result<bool> {
    let answers: String = tx
        .prepare_cached("SELECT answers FROM submissions WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if answers != response.answers.as_stored() {
        return Ok(false);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT repeat_path, parent_position, answers FROM submission_repeats
         WHERE submission_id = ?1 ORDER BY position",
    )?;
    let mut rows = stmt.query([id])?;
    let mut expected = response.repeats.iter();
    while let Some(r) = rows.next()? {
        let Some(row) = expected.next() else {
            return Ok(false);
        };
        let (repeat, parent, answers): (String, Option<i64>, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?);
        if repeat != row.repeat
            || parent != row.parent.map(|p| p as i64)
            || answers != row.answers.as_stored()
        {
            return Ok(false);
        }
    }
    Ok(expected.next().is_none())
}

/// Reads stored answers, naming the submission when they are damaged.
fn stored_answers(text: String, key: &str) -> Result<Answers> {
    Answers::from_stored(text).map_err(|e| StoreError::Stored {
        what: "submission answers",
        detail: format!("{key}: {e}"),
    })
}

impl ResponseStore for SqliteStore {
    fn import_responses(
        &mut self,
        import: &ResponseImport<'_>,
        progress: Progress<'_>,
    ) -> Result<ResponseImportOutcome> {
        let study = self.require_study()?;
        if !import.records.is_empty() && import.records.len() != import.responses.len() {
            return Err(StoreError::Stored {
                what: "response records",
                detail: "one set of records per response is needed".to_owned(),
            });
        }
        let definition = serde_json::to_string(import.form).map_err(|e| StoreError::Stored {
            what: "instrument",
            detail: e.to_string(),
        })?;
        let tx = self.write_transaction()?;
        let at = now();
        tx.execute(
            "INSERT INTO response_forms (study_id, form_key, definition, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (study_id, form_key) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
            params![study, import.form.key(), definition, at],
        )?;
        let form_id: i64 = tx.query_row(
            "SELECT id FROM response_forms WHERE study_id = ?1 AND form_key = ?2",
            params![study, import.form.key()],
            |r| r.get(0),
        )?;
        let stored: HashMap<String, i64> = {
            let mut stmt = tx.prepare("SELECT key, id FROM submissions WHERE form_id = ?1")?;
            stmt.query_map([form_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut keys = if import.records.is_empty() {
            None
        } else {
            Some(Keys::load(&tx, study)?)
        };
        let mut outcome = ResponseImportOutcome::default();
        let total = import.responses.len() as u64;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO submissions (form_id, key, submitted_at, origin, answers, participant_code, session_code, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut insert_repeat = tx.prepare_cached(
                "INSERT INTO submission_repeats (submission_id, position, repeat_path, parent_position, answers)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, response) in import.responses.iter().enumerate() {
                if i % 4096 == 0 {
                    progress(i as u64, total);
                }
                if let Some(id) = stored.get(&response.key) {
                    if same_as_stored(&tx, *id, response)? {
                        outcome.unchanged += 1;
                    } else {
                        outcome.changed.push(response.key.clone());
                    }
                    continue;
                }
                let records = import.records.get(i);
                let (mut participant, mut session) = (None, None);
                if let (Some(records), Some(keys)) = (records, keys.as_mut()) {
                    if let Some(p) = &records.participant {
                        if !keys.participants.contains_key(p.code.as_str()) {
                            check_place(&tx, study, &p.place)?;
                            insert_participant(&tx, study, keys, p)?;
                            outcome.participants += 1;
                        }
                        participant = Some(p.code.to_string());
                    }
                    if let Some(s) = &records.session {
                        check_session(&tx, study, s)?;
                        insert_session(&tx, study, keys, s)
                            .map_err(exists_as("session", &s.code))?;
                        outcome.sessions += 1;
                        session = Some(s.code.clone());
                    }
                    for d in &records.documents {
                        insert_document(&tx, study, keys, d)
                            .map_err(exists_as("document", &d.code))?;
                        outcome.documents += 1;
                    }
                }
                insert.execute(params![
                    form_id,
                    response.key,
                    response.submitted_at,
                    import.origin,
                    response.answers.as_stored(),
                    participant,
                    session,
                    at
                ])?;
                let submission = tx.last_insert_rowid();
                for (position, row) in response.repeats.iter().enumerate() {
                    insert_repeat.execute(params![
                        submission,
                        position,
                        row.repeat,
                        row.parent,
                        row.answers.as_stored()
                    ])?;
                }
                outcome.new += 1;
            }
        }
        audit::append(
            &tx,
            &AuditEvent::new(
                import.actor,
                AuditAction::Import,
                import.form.key(),
                format!(
                    "{}: {} new, {} unchanged, {} changed, {} refused; {} participants, {} sessions, {} documents created",
                    import.origin,
                    outcome.new,
                    outcome.unchanged,
                    outcome.changed.len(),
                    import.refused,
                    outcome.participants,
                    outcome.sessions,
                    outcome.documents
                ),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        progress(total, total);
        Ok(outcome)
    }

    fn response_forms(&self) -> Result<Vec<Instrument>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT definition FROM response_forms WHERE study_id = ?1 ORDER BY form_key",
        )?;
        let definitions: Vec<String> = stmt
            .query_map([study], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        definitions
            .iter()
            .map(|d| {
                serde_json::from_str(d).map_err(|e| StoreError::Stored {
                    what: "instrument",
                    detail: e.to_string(),
                })
            })
            .collect()
    }

    fn responses(&self, form: &str) -> Result<Vec<StoredResponse>> {
        let study = self.require_study()?;
        let _snapshot = self.snapshot()?;
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.key, s.submitted_at, s.origin, s.answers, s.participant_code, s.session_code
             FROM submissions s JOIN response_forms f ON f.id = s.form_id
             WHERE f.study_id = ?1 AND f.form_key = ?2 ORDER BY s.id",
        )?;
        let mut rows: Vec<(i64, StoredResponse)> = Vec::new();
        let mut found = stmt.query(params![study, form])?;
        while let Some(r) = found.next()? {
            let key: String = r.get(1)?;
            let answers = stored_answers(r.get(4)?, &key)?;
            rows.push((
                r.get(0)?,
                StoredResponse {
                    response: Response {
                        key,
                        submitted_at: r.get(2)?,
                        answers,
                        repeats: Vec::new(),
                    },
                    origin: r.get(3)?,
                    participant: r.get(5)?,
                    session: r.get(6)?,
                },
            ));
        }
        let index: HashMap<i64, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let mut repeats = self.conn.prepare(
            "SELECT r.submission_id, r.repeat_path, r.parent_position, r.answers
             FROM submission_repeats r JOIN submissions s ON s.id = r.submission_id
             JOIN response_forms f ON f.id = s.form_id
             WHERE f.study_id = ?1 AND f.form_key = ?2 ORDER BY r.submission_id, r.position",
        )?;
        let mut found = repeats.query(params![study, form])?;
        while let Some(r) = found.next()? {
            let submission: i64 = r.get(0)?;
            let parent: Option<i64> = r.get(2)?;
            if let Some(i) = index.get(&submission) {
                let stored = &mut rows[*i].1.response;
                let answers = stored_answers(r.get(3)?, &stored.key)?;
                stored.repeats.push(RepeatRow {
                    repeat: r.get(1)?,
                    parent: parent.and_then(|p| usize::try_from(p).ok()),
                    answers,
                });
            }
        }
        Ok(rows.into_iter().map(|(_, r)| r).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Migration 0015 turns the JSON answers of earlier workspaces into the
    /// pairs the import now writes, byte for byte.
    #[test]
    fn stored_json_answers_become_pairs() -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE studies (id INTEGER PRIMARY KEY); INSERT INTO studies VALUES (1);",
        )?;
        conn.execute_batch(include_str!("../../migrations/sqlite/0011_responses.sql"))?;
        conn.execute_batch(
            r#"INSERT INTO response_forms VALUES (1, 1, 'f', '{}', 'now');
               INSERT INTO submissions (id, form_id, key, origin, fingerprint, answers, imported_at)
               VALUES (1, 1, 'u-1', 'kobo-csv', 'x',
                       '{"/z":"x \"q\"\néü 2:ab","/g/b":"","/a":"10"}', 'now'),
                      (2, 1, 'u-2', 'kobo-csv', 'x', '{}', 'now');
               INSERT INTO submission_repeats (submission_id, position, repeat_path, answers)
               VALUES (1, 0, '/m', '{"/m/age":"12","/m/é":"ç"}');"#,
        )?;
        conn.execute_batch(include_str!(
            "../../migrations/sqlite/0015_compact_answers.sql"
        ))?;
        let answers = |sql: &str| -> rusqlite::Result<Vec<String>> {
            let mut stmt = conn.prepare(sql)?;
            stmt.query_map([], |r| r.get(0))?.collect()
        };
        assert_eq!(
            answers("SELECT answers FROM submissions ORDER BY id")?,
            [
                Answers::from_pairs([("/z", "x \"q\"\néü 2:ab"), ("/g/b", ""), ("/a", "10")])
                    .as_stored()
                    .to_owned(),
                String::new()
            ]
        );
        assert_eq!(
            answers("SELECT answers FROM submission_repeats")?,
            [Answers::from_pairs([("/m/age", "12"), ("/m/é", "ç")])
                .as_stored()
                .to_owned()]
        );
        assert!(
            conn.prepare("SELECT fingerprint FROM submissions").is_err(),
            "the fingerprint column is gone"
        );
        Ok(())
    }
}
