//! Responses to forms: submissions with their repeat rows, and the
//! participants, sessions and documents a mapping derives from them, all
//! written in one transaction with their audit entry.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rusqlite::{CachedStatement, OptionalExtension, Transaction, params};
use sankore_domain::instrument::Instrument;
use sankore_domain::{Answers, AuditAction, AuditEvent, LinkedRecords, RepeatRow, Response};
use sha2::{Digest, Sha256};

use super::answer_blocks::{BlockReader, BlockWriter, block_ranges};
use super::records::{check_place, check_session, exists_as};
use super::write::{Keys, insert_document, insert_participant, insert_session};
use super::{SqliteStore, audit, now};
use crate::error::{Result, StoreError};
use crate::{
    Progress, ResponseCounts, ResponseImport, ResponseImportOutcome, ResponseLink, ResponseStore,
    SavedMapping, StoredResponse,
};

/// A stored submission of the form being imported, read in one pass.
#[derive(Clone, Copy)]
struct Known {
    id: i64,
    block: i64,
    slot: i64,
    /// Whether it has repeat rows.
    repeats: bool,
}

/// The form's stored submissions by key, `None` for withdrawn ones.
fn known_submissions(tx: &Transaction<'_>, form_id: i64) -> Result<HashMap<String, Option<Known>>> {
    let mut stmt = tx.prepare(
        "SELECT s.key, s.id, s.answers_block, s.answers_slot, s.withdrawn_at IS NOT NULL,
                EXISTS (SELECT 1 FROM submission_repeats r WHERE r.submission_id = s.id)
         FROM submissions s WHERE s.form_id = ?1",
    )?;
    let known = stmt
        .query_map([form_id], |r| {
            let withdrawn: bool = r.get(4)?;
            let known = Known {
                id: r.get(1)?,
                block: r.get(2)?,
                slot: r.get(3)?,
                repeats: r.get(5)?,
            };
            Ok((r.get(0)?, (!withdrawn).then_some(known)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(known)
}

/// Whether a stored submission has exactly these answers and repeat rows
/// (equal for the same answers from a CSV or an XLSX export: both are in
/// form order).
fn same_as_stored(
    tx: &rusqlite::Transaction<'_>,
    blocks: &mut BlockReader,
    known: Known,
    response: &Response,
) -> Result<bool> {
    if blocks.answers(tx, known.block, known.slot)? != response.answers.as_stored() {
        return Ok(false);
    }
    if !known.repeats {
        return Ok(response.repeats.is_empty());
    }
    let mut stmt = tx.prepare_cached(
        "SELECT repeat_path, parent_position, answers FROM submission_repeats
         WHERE submission_id = ?1 ORDER BY position",
    )?;
    let mut rows = stmt.query([known.id])?;
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

/// Creates the records a mapping gave one submission (its participant
/// only when the workspace lacks it), counting them in `outcome`; returns
/// the submission's participant and session codes.
fn insert_records(
    tx: &Transaction<'_>,
    study: i64,
    keys: &mut Keys,
    records: &LinkedRecords,
    outcome: &mut ResponseImportOutcome,
) -> Result<(Option<String>, Option<String>)> {
    let (mut participant, mut session) = (None, None);
    if let Some(p) = &records.participant {
        if !keys.participants.contains_key(p.code.as_str()) {
            check_place(tx, study, &p.place)?;
            insert_participant(tx, study, keys, p)?;
            outcome.participants += 1;
        }
        participant = Some(p.code.to_string());
    }
    if let Some(s) = &records.session {
        check_session(tx, study, s)?;
        insert_session(tx, study, keys, s).map_err(exists_as("session", &s.code))?;
        outcome.sessions += 1;
        session = Some(s.code.clone());
    }
    for d in &records.documents {
        insert_document(tx, study, keys, d).map_err(exists_as("document", &d.code))?;
        outcome.documents += 1;
    }
    Ok((participant, session))
}

/// Compresses blocks of an import's new submissions (`new`, in the order
/// they are written), those of `ranges` that fall to this `worker` of
/// `workers` (every `workers`-th from its number), sending each in turn
/// with its number of submissions; stops early when the receiver is gone.
fn compress_blocks(
    new: &[&Response],
    ranges: &[Range<usize>],
    (worker, workers): (usize, usize),
    blocks: &SyncSender<(Vec<u8>, usize)>,
) {
    let mut block = BlockWriter::default();
    for range in ranges.iter().skip(worker).step_by(workers) {
        for response in new.get(range.clone()).unwrap_or_default() {
            block.push(response.answers.as_stored());
        }
        if blocks.send(block.finish()).is_err() {
            return;
        }
    }
}

/// Writes the new submissions of an import with their repeat rows, and
/// their answers' blocks as they come from [`compress_blocks`].
struct NewSubmissions<'t, 'i> {
    insert_block: CachedStatement<'t>,
    insert: CachedStatement<'t>,
    insert_repeat: CachedStatement<'t>,
    /// The compressed blocks, block `i` from receiver `i % len`.
    blocks: Vec<Receiver<(Vec<u8>, usize)>>,
    /// The number of blocks received.
    received: usize,
    /// The block being filled: its id, its number of submissions and the
    /// next slot.
    current: Option<(i64, usize, usize)>,
    form_id: i64,
    origin: &'i str,
    at: &'i str,
}

impl<'t, 'i> NewSubmissions<'t, 'i> {
    fn prepare(
        tx: &'t Transaction<'_>,
        blocks: Vec<Receiver<(Vec<u8>, usize)>>,
        form_id: i64,
        origin: &'i str,
        at: &'i str,
    ) -> Result<Self> {
        Ok(NewSubmissions {
            insert_block: tx.prepare_cached("INSERT INTO answer_blocks (data) VALUES (?1)")?,
            insert: tx.prepare_cached(
                "INSERT INTO submissions (form_id, key, submitted_at, origin, answers_block, answers_slot,
                                          participant_code, session_code, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            insert_repeat: tx.prepare_cached(
                "INSERT INTO submission_repeats (submission_id, position, repeat_path, parent_position, answers)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            blocks,
            received: 0,
            current: None,
            form_id,
            origin,
            at,
        })
    }

    /// Writes the next new submission (the order [`compress_blocks`] took),
    /// and its block first when it starts one.
    fn add(
        &mut self,
        tx: &Transaction<'_>,
        response: &Response,
        participant: Option<String>,
        session: Option<String>,
    ) -> Result<()> {
        let (block, slots, slot) = match self.current {
            Some(current) if current.2 < current.1 => current,
            _ => {
                let next = self.blocks.get(self.received % self.blocks.len().max(1));
                self.received += 1;
                let (data, slots) = next
                    .map_or(Err(std::sync::mpsc::RecvError), Receiver::recv)
                    .map_err(|_| StoreError::Stored {
                        what: "answers block",
                        detail: "compressing the answers stopped".to_owned(),
                    })?;
                self.insert_block.execute([data])?;
                (tx.last_insert_rowid(), slots, 0)
            }
        };
        self.current = Some((block, slots, slot + 1));
        self.insert.execute(params![
            self.form_id,
            response.key,
            response.submitted_at,
            self.origin,
            block,
            slot,
            participant,
            session,
            self.at
        ])?;
        let submission = tx.last_insert_rowid();
        for (position, row) in response.repeats.iter().enumerate() {
            self.insert_repeat.execute(params![
                submission,
                position,
                row.repeat,
                row.parent,
                row.answers.as_stored()
            ])?;
        }
        Ok(())
    }
}

/// The id of a form of the study whose responses were imported.
fn form_id(conn: &rusqlite::Connection, study: i64, form: &str) -> Result<i64> {
    conn.query_row(
        "SELECT id FROM response_forms WHERE study_id = ?1 AND form_key = ?2",
        params![study, form],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "response form",
        key: form.to_owned(),
    })
}

impl SqliteStore {
    /// Writes an import in one transaction with its audit entry.
    fn import_in_one_transaction(
        &mut self,
        import: &ResponseImport<'_>,
        study: i64,
        definition: &str,
        progress: Progress<'_>,
    ) -> Result<ResponseImportOutcome> {
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
        let stored = known_submissions(&tx, form_id)?;
        // Submissions stored by this import are those past this id.
        let last_before: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM submissions", [], |r| {
                r.get(0)
            })?;
        let mut keys = if import.records.is_empty() {
            None
        } else {
            Some(Keys::load(&tx, study)?)
        };
        let mut outcome = ResponseImportOutcome::default();
        let total = import.responses.len() as u64;
        // Answers are compressed on the other cores while this one writes.
        let new_responses: Vec<&Response> = import
            .responses
            .iter()
            .filter(|r| !stored.contains_key(&r.key))
            .collect();
        let ranges = block_ranges(new_responses.iter().map(|r| r.answers.as_stored().len()));
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..workers).map(|_| sync_channel(2)).unzip();
        std::thread::scope(|scope| -> Result<()> {
            for (worker, send) in senders.into_iter().enumerate() {
                let (new, ranges) = (&new_responses, &ranges);
                scope.spawn(move || compress_blocks(new, ranges, (worker, workers), &send));
            }
            let mut reader = BlockReader::default();
            let mut new = NewSubmissions::prepare(&tx, receivers, form_id, import.origin, &at)?;
            for (i, response) in import.responses.iter().enumerate() {
                if i % 4096 == 0 {
                    progress(i as u64, total);
                }
                if let Some(known) = stored.get(&response.key) {
                    let Some(known) = known else {
                        outcome.withdrawn += 1;
                        continue;
                    };
                    if same_as_stored(&tx, &mut reader, *known, response)? {
                        outcome.unchanged += 1;
                    } else {
                        outcome.changed.push(response.key.clone());
                    }
                    continue;
                }
                let (participant, session) = match (import.records.get(i), keys.as_mut()) {
                    (Some(records), Some(keys)) => {
                        insert_records(&tx, study, keys, records, &mut outcome)?
                    }
                    _ => (None, None),
                };
                new.add(&tx, response, participant, session)?;
                outcome.new += 1;
            }
            Ok(())
        })?;
        if keys.is_some() {
            tx.execute(
                "UPDATE submissions SET linked_at = ?1 WHERE form_id = ?2 AND id > ?3",
                params![at, form_id, last_before],
            )?;
        }
        audit::append(
            &tx,
            &AuditEvent::new(
                import.actor,
                AuditAction::Import,
                import.form.key(),
                format!(
                    "{}: {} new, {} unchanged, {} changed, {} refused, {} withdrawn; {} participants, {} sessions, {} documents created",
                    import.origin,
                    outcome.new,
                    outcome.unchanged,
                    outcome.changed.len(),
                    import.refused,
                    outcome.withdrawn,
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
        self.bulk_write(|store| {
            store.import_in_one_transaction(import, study, &definition, progress)
        })
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
            "SELECT s.id, s.key, s.submitted_at, s.origin, s.answers_block, s.answers_slot,
                    s.participant_code, s.session_code, s.linked_at IS NOT NULL
             FROM submissions s JOIN response_forms f ON f.id = s.form_id
             WHERE f.study_id = ?1 AND f.form_key = ?2 AND s.withdrawn_at IS NULL
             ORDER BY s.id",
        )?;
        let mut rows: Vec<(i64, StoredResponse)> = Vec::new();
        let mut blocks = BlockReader::default();
        let mut found = stmt.query(params![study, form])?;
        while let Some(r) = found.next()? {
            let key: String = r.get(1)?;
            let text = blocks.answers(&self.conn, r.get(4)?, r.get(5)?)?;
            let answers = stored_answers(text.to_owned(), &key)?;
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
                    participant: r.get(6)?,
                    session: r.get(7)?,
                    linked: r.get(8)?,
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

    fn response_counts(&self) -> Result<Vec<ResponseCounts>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT f.form_key, count(s.id), count(s.linked_at)
             FROM response_forms f
             LEFT JOIN submissions s ON s.form_id = f.id AND s.withdrawn_at IS NULL
             WHERE f.study_id = ?1 GROUP BY f.id ORDER BY f.form_key",
        )?;
        let counts = stmt
            .query_map([study], |r| {
                Ok(ResponseCounts {
                    form: r.get(0)?,
                    submissions: r.get::<_, i64>(1)?.try_into().unwrap_or_default(),
                    linked: r.get::<_, i64>(2)?.try_into().unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(counts)
    }

    fn response_mapping(&self, form: &str) -> Result<Option<SavedMapping>> {
        let study = self.require_study()?;
        Ok(self
            .conn
            .query_row(
                "SELECT m.mapping, m.saved_by, m.saved_at
                 FROM response_mappings m JOIN response_forms f ON f.id = m.form_id
                 WHERE f.study_id = ?1 AND f.form_key = ?2",
                params![study, form],
                |r| {
                    Ok(SavedMapping {
                        toml: r.get(0)?,
                        saved_by: r.get(1)?,
                        saved_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn save_response_mapping(&mut self, form: &str, toml: &str, actor: &str) -> Result<()> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let id = form_id(&tx, study, form)?;
        tx.execute(
            "INSERT INTO response_mappings (form_id, mapping, saved_by, saved_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (form_id) DO UPDATE SET mapping = excluded.mapping,
                 saved_by = excluded.saved_by, saved_at = excluded.saved_at",
            params![id, toml, actor, now()],
        )?;
        let digest = hex::encode(Sha256::digest(toml.as_bytes()));
        audit::append(
            &tx,
            &AuditEvent::new(
                actor,
                AuditAction::MappingSaved,
                form,
                format!("mapping sha256 {digest}"),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()
    }

    fn link_responses(&mut self, link: &ResponseLink<'_>) -> Result<ResponseImportOutcome> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        let id = form_id(&tx, study, link.form)?;
        let mut keys = Keys::load(&tx, study)?;
        let mut outcome = ResponseImportOutcome::default();
        let at = now();
        {
            // The form's keys read in one pass (keys are not indexed).
            let stored = known_submissions(&tx, id)?;
            let mut update = tx.prepare_cached(
                "UPDATE submissions SET participant_code = ?1, session_code = ?2, linked_at = ?3
                 WHERE id = ?4 AND linked_at IS NULL",
            )?;
            for (key, records) in link.records {
                let (participant, session) =
                    insert_records(&tx, study, &mut keys, records, &mut outcome)?;
                let updated = match stored.get(key.as_str()) {
                    Some(Some(known)) => {
                        update.execute(params![participant, session, at, known.id])?
                    }
                    _ => 0,
                };
                if updated != 1 {
                    return Err(StoreError::Stored {
                        what: "submission",
                        detail: format!(
                            "{key} is not an unlinked submission of form {}",
                            link.form
                        ),
                    });
                }
                outcome.new += 1;
            }
        }
        audit::append(
            &tx,
            &AuditEvent::new(
                link.actor,
                AuditAction::Import,
                link.form,
                format!(
                    "workbench mapping applied to {} stored submissions; {} participants, {} sessions, {} documents created",
                    outcome.new, outcome.participants, outcome.sessions, outcome.documents
                ),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::answer_blocks::BLOCK_SLOTS;
    use crate::{AuditFilter, AuditStore, AuditVerification, Store};
    use sankore_domain::instrument::{Item, LocalizedText, Question, QuestionType, Settings};
    use sankore_domain::{Document, ParticipantCode};

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

    fn form() -> Instrument {
        let text = |name: &str| {
            Item::Question(Question::new(
                name,
                QuestionType::Text,
                LocalizedText::plain(name),
            ))
        };
        let settings = Settings {
            form_id: "enquete".to_owned(),
            ..Settings::default()
        };
        Instrument::new(settings, vec![text("code"), text("story")], Vec::new())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn response(key: &str) -> Response {
        Response {
            key: key.to_owned(),
            submitted_at: Some("2017-05-02T10:00:00".to_owned()),
            answers: Answers::from_pairs([("/code", "x"), ("/story", "y")]),
            repeats: Vec::new(),
        }
    }

    /// Imports `responses` (and their `records`, if any) as the
    /// coordinator, reporting progress to `progress`.
    fn import(
        store: &mut SqliteStore,
        form: &Instrument,
        responses: &[Response],
        records: &[LinkedRecords],
        progress: Progress<'_>,
    ) -> ResponseImportOutcome {
        store
            .import_responses(
                &ResponseImport {
                    form,
                    origin: "kobo-csv",
                    responses,
                    records,
                    refused: 0,
                    actor: "coord",
                },
                progress,
            )
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A new participant, an interview and a document, shaped on the
    /// demo's first ones.
    fn records(store: &SqliteStore, n: u32) -> LinkedRecords {
        let mut participant = store.participants().unwrap_or_else(|e| panic!("{e}"))[0].clone();
        participant.code =
            ParticipantCode::new(&format!("TBK-K-{n:03}")).unwrap_or_else(|e| panic!("{e}"));
        let mut session = store.sessions().unwrap_or_else(|e| panic!("{e}"))[0].clone();
        session.code = format!("RESP-{n:012}");
        session.kind = sankore_domain::SessionKind::Interview;
        session.participants = vec![participant.code.clone()];
        session.composition.clear();
        session.declared_total = None;
        let document = Document::new(Document {
            code: format!("{}-STORY", session.code),
            session: Some(session.code.clone()),
            title: "Story".to_owned(),
            kind: sankore_domain::DocumentKind::Transcript,
            language: "fr".to_owned(),
            body: sankore_domain::TextBody::new("Le marché a rouvert."),
            turns: Vec::new(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
        LinkedRecords {
            participant: Some(participant),
            session: Some(session),
            documents: vec![document],
        }
    }

    /// Imports spanning several answer blocks read back in order, and a
    /// re-import tells unchanged submissions from changed ones across
    /// block boundaries.
    #[test]
    fn answers_in_several_blocks_read_back_and_compare_on_reimport() {
        let (_dir, mut store) = store();
        let cache_size = |store: &SqliteStore| -> i64 {
            store
                .conn
                .pragma_query_value(None, "cache_size", |r| r.get(0))
                .unwrap_or_default()
        };
        store
            .conn
            .pragma_update(None, "cache_size", -4321)
            .unwrap_or_else(|e| panic!("{e}"));
        let form = form();
        let n = BLOCK_SLOTS * 2 + 7;
        let mut responses: Vec<Response> = (0..n)
            .map(|i| {
                let mut r = response(&format!("k{i}"));
                let story = format!("récit {i} ").repeat(i % 5);
                r.answers =
                    Answers::from_pairs([("/code", format!("c{i}").as_str()), ("/story", &story)]);
                r
            })
            .collect();
        let import = |store: &mut SqliteStore, responses: &[Response]| {
            import(store, &form, responses, &[], &mut |_, _| {})
        };
        assert_eq!(import(&mut store, &responses[..n - 3]).new, n - 3);
        // The import's large page cache is given back.
        assert_eq!(cache_size(&store), -4321);
        let blocks: i64 = store
            .conn
            .query_row("SELECT count(*) FROM answer_blocks", [], |r| r.get(0))
            .unwrap_or_default();
        assert_eq!(blocks, 3);
        responses[BLOCK_SLOTS + 1].answers = Answers::from_pairs([("/code", "changed")]);
        let outcome = import(&mut store, &responses);
        assert_eq!((outcome.new, outcome.unchanged), (3, n - 4));
        assert_eq!(outcome.changed, [format!("k{}", BLOCK_SLOTS + 1)]);
        let stored = store.responses("enquete").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.len(), n);
        for (i, s) in stored.iter().enumerate() {
            assert_eq!(s.response.key, format!("k{i}"));
            if i != BLOCK_SLOTS + 1 {
                assert_eq!(s.response.answers, responses[i].answers);
            }
        }
    }

    /// An import with the workspace to itself writes its pages straight
    /// into the database (the log stays empty); beside another open
    /// connection it keeps to the log without waiting for the other to
    /// close. Either way the database is back in WAL mode after, and the
    /// other connection reads what was imported.
    #[test]
    fn an_import_alone_skips_the_log_and_beside_another_connection_uses_it() {
        let (dir, mut store) = store();
        let form = form();
        let log_bytes = || std::fs::metadata(dir.path().join("db-wal")).map_or(0, |m| m.len());
        // The rollback journal as the import's progress finds it: its
        // size, and whether it holds a stored submission's key in clear.
        let journal = std::cell::RefCell::new(Vec::new());
        let import = |store: &mut SqliteStore, keys: std::ops::Range<usize>| {
            let responses: Vec<Response> = keys.map(|i| response(&format!("k{i}"))).collect();
            import(store, &form, &responses, &[], &mut |done, total| {
                if done < total {
                    let bytes = std::fs::read(dir.path().join("db-journal")).unwrap_or_default();
                    let clear = bytes.windows(4).any(|w| w == b"k599");
                    journal.borrow_mut().push((bytes.len(), clear));
                }
            })
        };
        assert_eq!(import(&mut store, 0..600).new, 600);
        assert_eq!(log_bytes(), 0);
        journal.take();
        // Again, past the first progress report: the journal now holds
        // copies of pages the first import wrote (the last submissions,
        // their keys' index) from before they were changed, encrypted like
        // the database, and is gone after.
        assert_eq!(import(&mut store, 600..5000).new, 4400);
        let seen = journal.take();
        assert!(seen.iter().any(|&(len, _)| len > 0));
        assert!(seen.iter().all(|&(_, clear)| !clear));
        assert!(!dir.path().join("db-journal").exists());
        assert_eq!(log_bytes(), 0);
        assert_eq!(store.journal_mode().ok().as_deref(), Some("wal"));

        let other = SqliteStore::open(
            &dir.path().join("db"),
            &[7; 32],
            crate::sqlite::PageFormat::CURRENT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        assert_eq!(import(&mut store, 5000..5300).new, 300);
        assert!(started.elapsed() < crate::sqlite::BUSY_TIMEOUT);
        assert!(log_bytes() > 0);
        assert!(journal.take().iter().all(|&(len, _)| len == 0));
        assert_eq!(store.journal_mode().ok().as_deref(), Some("wal"));
        let seen = other.responses("enquete").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.len(), 5300);
        assert_eq!(seen[5299].response.key, "k5299");
    }

    /// Alone on the workspace, a large import writes pages into the
    /// database as it goes (its page cache is small), not all at the
    /// commit; every submission reads back after it, and a copy of the
    /// files taken mid-way (a process killed there) opens as the workspace
    /// before the import.
    #[test]
    fn a_large_import_writes_pages_before_its_commit() {
        const N: usize = 60_000;
        let (dir, mut store) = store();
        let form = form();
        let size = || std::fs::metadata(dir.path().join("db")).map_or(0, |m| m.len());
        let before = size();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let responses: Vec<Response> = (0..N)
            .map(|i| {
                // Answers that do not compress away.
                let story: String = (0..24)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        format!("{:08x}", seed as u32)
                    })
                    .collect();
                let mut r = response(&format!("k{i}"));
                r.answers = Answers::from_pairs([("/code", "x"), ("/story", story.as_str())]);
                r
            })
            .collect();
        let mut grown = 0;
        let outcome = import(&mut store, &form, &responses, &[], &mut |done, total| {
            if done < total {
                grown = grown.max(size().saturating_sub(before));
            }
        });
        assert_eq!(outcome.new, N);
        assert!(
            grown > 4 << 20,
            "the database grew by {grown} bytes before the commit"
        );
        let stored = store.responses("enquete").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.len(), N);
        assert_eq!(stored[N - 1].response, responses[N - 1]);

        // Killed mid-way, with pages already written: the files as they
        // were then open as the workspace before the import, the journal
        // rolled back and gone.
        let crashed = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut copied = false;
        let more: Vec<Response> = (N..2 * N)
            .map(|i| {
                let mut r = responses[i - N].clone();
                r.key = format!("k{i}");
                r
            })
            .collect();
        let before = size();
        let outcome = import(&mut store, &form, &more, &[], &mut |done, total| {
            if done < total && !copied && size() > before + (4 << 20) {
                for file in ["db", "db-journal", "db-wal"] {
                    if dir.path().join(file).exists() {
                        std::fs::copy(dir.path().join(file), crashed.path().join(file))
                            .unwrap_or_else(|e| panic!("{e}"));
                    }
                }
                copied = true;
            }
        });
        assert_eq!(outcome.new, N);
        assert!(copied && crashed.path().join("db-journal").exists());
        let reopened = SqliteStore::open(
            &crashed.path().join("db"),
            &[7; 32],
            crate::sqlite::PageFormat::CURRENT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!crashed.path().join("db-journal").exists());
        let checks = reopened.check().unwrap_or_else(|e| panic!("{e}"));
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        let kept = reopened
            .responses("enquete")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.len(), N);
        assert_eq!(kept[N - 1].response, responses[N - 1]);
    }

    /// No index keeps submission keys unique: imports do, and `check`
    /// finds a key stored twice all the same.
    #[test]
    fn a_key_stored_twice_fails_the_check() {
        let (_dir, mut store) = store();
        let form = form();
        let responses = [response("k1"), response("k2")];
        assert_eq!(
            import(&mut store, &form, &responses, &[], &mut |_, _| {}).new,
            2
        );
        // The same export again adds nothing.
        assert_eq!(
            import(&mut store, &form, &responses, &[], &mut |_, _| {}).unchanged,
            2
        );
        let unique = |store: &SqliteStore| {
            store
                .check()
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .find(|c| c.name == "submissions.unique_keys")
                .map(|c| c.problems)
        };
        assert_eq!(unique(&store), Some(vec![]));
        store
            .conn
            .execute_batch(
                "INSERT INTO submissions (form_id, key, origin, answers_block, imported_at)
                 SELECT form_id, key, origin, answers_block, imported_at FROM submissions WHERE key = 'k2'",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            unique(&store),
            Some(vec![
                "form enquete: submission key k2 stored 2 times".to_owned()
            ])
        );
    }

    /// A withdrawal empties the submissions a mapping linked to the
    /// participant, in their block too, and a re-import of the same export
    /// neither brings them back nor recreates the participant.
    #[test]
    fn a_withdrawn_participants_submissions_are_emptied_and_stay_out() {
        use crate::{AccountStore, VaultStore};
        let (_dir, mut store) = store();
        let form = form();
        let mut responses: Vec<Response> = (1..=3)
            .map(|n| {
                let mut r = response(&format!("k{n}"));
                r.answers = Answers::from_pairs([("/story", format!("secret-{n}").as_str())]);
                r
            })
            .collect();
        responses[1].repeats.push(RepeatRow {
            repeat: "/members".to_owned(),
            parent: None,
            answers: Answers::from_pairs([("/members/age", "secret-age")]),
        });
        let records: Vec<LinkedRecords> = (1..=3).map(|n| records(&store, n)).collect();
        let import =
            |store: &mut SqliteStore| import(store, &form, &responses, &records, &mut |_, _| {});
        assert_eq!((import(&mut store).new, 3), (3, 3));
        let hash = crate::key::hash_password(&crate::Passphrase::new("coordinator".to_owned()))
            .unwrap_or_else(|e| panic!("{e}"));
        let coordinator = store
            .add_user("coord", sankore_domain::Role::Coordinator, &hash)
            .unwrap_or_else(|e| panic!("{e}"));
        let report = store
            .withdraw_participant(&coordinator, None, "TBK-K-002", None, &|t| t.to_owned())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.submissions_removed, 1);

        let stored = store.responses("enquete").unwrap_or_else(|e| panic!("{e}"));
        let keys: Vec<&str> = stored.iter().map(|s| s.response.key.as_str()).collect();
        assert_eq!(keys, ["k1", "k3"]);
        assert_eq!(stored[1].response.answers, responses[2].answers);
        assert_eq!(
            store.response_counts().unwrap_or_else(|e| panic!("{e}"))[0].submissions,
            2
        );
        let mut blocks = BlockReader::default();
        let left: Vec<String> = (0..3)
            .map(|slot| {
                blocks
                    .answers(&store.conn, 1, slot)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .to_owned()
            })
            .collect();
        assert!(left[1].is_empty() && left[0].contains("secret-1") && left[2].contains("secret-3"));
        let repeats: i64 = store
            .conn
            .query_row("SELECT count(*) FROM submission_repeats", [], |r| r.get(0))
            .unwrap_or(-1);
        assert_eq!(repeats, 0);
        let kept: Vec<Option<String>> = store
            .conn
            .query_row(
                "SELECT submitted_at, participant_code, session_code FROM submissions WHERE key = 'k2'",
                [],
                |r| Ok(vec![r.get(0)?, r.get(1)?, r.get(2)?]),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, [None, None, None], "only the key stays");

        let again = import(&mut store);
        assert_eq!(
            (
                again.new,
                again.unchanged,
                again.withdrawn,
                again.participants
            ),
            (0, 2, 1, 0)
        );
        assert!(
            store
                .participants()
                .unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .all(|p| p.code.as_str() != "TBK-K-002")
        );
    }

    #[test]
    fn mappings_are_saved_and_unlinked_submissions_linked_once_all_or_nothing() {
        let (_dir, mut store) = store();
        let form = form();
        import(
            &mut store,
            &form,
            &[response("a"), response("b")],
            &[],
            &mut |_, _| {},
        );
        let counts = |store: &SqliteStore| {
            let c = store.response_counts().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(c.len(), 1);
            (c[0].submissions, c[0].linked, c[0].unlinked())
        };
        assert_eq!(counts(&store), (2, 0, 2));

        // Saved per form, replaced, audited; refused for an unknown form.
        assert_eq!(store.response_mapping("enquete").ok(), Some(None));
        for (who, text) in [
            ("awa", "participant = \"code\"\n"),
            ("moussa", "documents = [\"story\"]\n"),
        ] {
            store
                .save_response_mapping("enquete", text, who)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let saved = store
            .response_mapping("enquete")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no mapping saved"));
        assert_eq!(
            (saved.toml.as_str(), saved.saved_by.as_str()),
            ("documents = [\"story\"]\n", "moussa")
        );
        assert!(matches!(
            store.save_response_mapping("autre", "", "awa"),
            Err(StoreError::NotFound { .. })
        ));

        let participants = store.participants().unwrap_or_else(|e| panic!("{e}")).len();
        let first = records(&store, 1);
        let outcome = store
            .link_responses(&ResponseLink {
                form: "enquete",
                records: &[("a".to_owned(), first.clone())],
                actor: "awa",
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                outcome.new,
                outcome.participants,
                outcome.sessions,
                outcome.documents
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(counts(&store), (2, 1, 1));
        let stored = store.responses("enquete").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored[0].participant.as_deref(), Some("TBK-K-001"));
        assert_eq!(stored[0].session.as_deref(), Some("RESP-000000000001"));
        assert!(stored[0].linked && !stored[1].linked);

        // A batch holding a submission linked already changes nothing.
        let refused = store.link_responses(&ResponseLink {
            form: "enquete",
            records: &[
                ("b".to_owned(), records(&store, 2)),
                ("a".to_owned(), LinkedRecords::default()),
            ],
            actor: "awa",
        });
        assert!(refused.is_err());
        assert_eq!(counts(&store), (2, 1, 1));
        assert_eq!(
            store.participants().unwrap_or_else(|e| panic!("{e}")).len(),
            participants + 1
        );
        assert!(
            !store
                .sessions()
                .unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .any(|s| s.code == "RESP-000000000002")
        );

        let saves = store
            .audit_entries(&AuditFilter {
                action: Some(AuditAction::MappingSaved),
                ..AuditFilter::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saves.len(), 2);
        assert!(
            saves
                .iter()
                .all(|e| e.event.target == "enquete" && !e.event.detail.contains("story"))
        );
        assert!(matches!(
            store.verify_audit(),
            Ok(AuditVerification::Intact { .. })
        ));
    }
}

#[cfg(test)]
mod mapping_tests {
    use super::*;

    /// Migration 0018 rebuilds the submissions table without its unique
    /// key index: every row and column kept, the repeat rows still pointing
    /// to their submission (and going with it); run through `migrate`,
    /// foreign keys are enforced again after.
    #[test]
    fn submissions_lose_their_key_index_and_nothing_else() -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE studies (id INTEGER PRIMARY KEY); INSERT INTO studies VALUES (1);",
        )?;
        for sql in [
            include_str!("../../migrations/sqlite/0011_responses.sql"),
            include_str!("../../migrations/sqlite/0014_response_mappings.sql"),
            include_str!("../../migrations/sqlite/0015_compact_answers.sql"),
            include_str!("../../migrations/sqlite/0016_answer_blocks.sql"),
            include_str!("../../migrations/sqlite/0017_withdrawn_submissions.sql"),
        ] {
            conn.execute_batch(sql)?;
        }
        conn.execute_batch(
            "INSERT INTO response_forms VALUES (1, 1, 'f', '{}', 'now');
             INSERT INTO answer_blocks VALUES (1, CAST('r0:0:' AS BLOB));
             INSERT INTO submissions (id, form_id, key, submitted_at, origin, participant_code,
                                      session_code, imported_at, linked_at, answers_block,
                                      answers_slot, withdrawn_at)
             VALUES (1, 1, 'u-1', '2017-05-02', 'kobo-csv', 'P1', 'S1', 't0', 't1', 1, 0, NULL),
                    (2, 1, 'u-2', NULL, 'odk-zip', NULL, NULL, 't0', NULL, 1, 1, 't2');
             INSERT INTO submission_repeats (submission_id, position, repeat_path, answers)
             VALUES (1, 0, '/m', '');",
        )?;
        let rows = |conn: &rusqlite::Connection| -> rusqlite::Result<Vec<String>> {
            conn.prepare(
                "SELECT quote(id) || quote(form_id) || quote(key) || quote(submitted_at) || quote(origin)
                        || quote(participant_code) || quote(session_code) || quote(imported_at)
                        || quote(linked_at) || quote(answers_block) || quote(answers_slot)
                        || quote(withdrawn_at)
                 FROM submissions ORDER BY id",
            )?
            .query_map([], |r| r.get(0))?
            .collect()
        };
        let before = rows(&conn)?;
        conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        conn.execute_batch(include_str!(
            "../../migrations/sqlite/0018_submission_keys_unindexed.sql"
        ))?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        assert_eq!(rows(&conn)?, before);
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
        assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check")?, 0);
        assert_eq!(
            count("SELECT count(*) FROM pragma_index_list('submissions')")?,
            0
        );
        assert_eq!(count("SELECT count(*) FROM submission_repeats")?, 1);
        conn.execute("DELETE FROM submissions WHERE id = 1", [])?;
        assert_eq!(count("SELECT count(*) FROM submission_repeats")?, 0);
        assert!(
            conn.execute("INSERT INTO submission_repeats (submission_id, position, repeat_path, answers) VALUES (9, 0, '/m', '')", [])
                .is_err(),
            "a repeat row must point to a submission"
        );

        let dir =
            tempfile::tempdir().map_err(|e| rusqlite::Error::InvalidPath(e.to_string().into()))?;
        let store = SqliteStore::create(
            &dir.path().join("db"),
            &[7; 32],
            crate::sqlite::PageFormat::CURRENT,
        )
        .map_err(|e| rusqlite::Error::InvalidParameterName(e.to_string()))?;
        let enforced: bool = store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        assert!(
            enforced,
            "foreign keys are enforced once migrations are done"
        );
        Ok(())
    }

    /// Migration 0015 turns the JSON answers of earlier workspaces into the
    /// pairs the import now writes, byte for byte; 0016 moves them to blocks.
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
        let before = answers("SELECT answers FROM submissions ORDER BY id")?;
        conn.execute_batch(include_str!(
            "../../migrations/sqlite/0016_answer_blocks.sql"
        ))?;
        // Migration 0016 moves each submission's answers to a block of its
        // own, read back unchanged.
        let places: Vec<(i64, i64)> = conn
            .prepare("SELECT answers_block, answers_slot FROM submissions ORDER BY id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut blocks = BlockReader::default();
        let mut after = Vec::new();
        for (block, slot) in places {
            let text = blocks
                .answers(&conn, block, slot)
                .map_err(|e| rusqlite::Error::InvalidParameterName(e.to_string()))?;
            after.push(text.to_owned());
        }
        assert_eq!(after, before);
        assert!(
            conn.prepare("SELECT answers FROM submissions").is_err(),
            "answers are no longer stored in the submission row"
        );
        Ok(())
    }
}
