//! Removing a withdrawn participant's contributions, inside the caller's
//! write transaction.
//!
//! The rule, for each kind of record:
//! - an **interview** session the participant took part in is removed with
//!   its documents (their codings, suggestions, quotes, assignments, memos
//!   about them, framework summaries and search-index entries);
//! - in **other** sessions (focus groups, forums) they are taken off the
//!   attendance: one fewer in their group and gender, and in the declared
//!   headcount;
//! - in every remaining document, each of their turns (with its
//!   `LABEL : ` prefix when the label is written just before it) is
//!   replaced by [`WITHDRAWN_MARKER`], and the turn's speaker becomes that
//!   marker. Positions after a redaction move by the change in length;
//!   **any coding or suggestion overlapping redacted text is removed**
//!   (clipping would keep a passage chosen partly for the withdrawn words),
//!   the others are re-based, and each coding that moved gets a new version
//!   so a stale editor is refused. The document is re-indexed for search,
//!   and the index's segments are merged so no removed term survives in
//!   them;
//! - each form **submission** a mapping linked to them loses its answers
//!   (emptied in their stored block), repeat rows, date and links; its key
//!   stays, marked withdrawn, so a re-import of the same export skips it.

use rusqlite::{Transaction, params};
use sankore_domain::TextBody;

use crate::error::{Result, StoreError};
use crate::{WITHDRAWN_MARKER, Withdrawal};

/// A turn as stored.
struct TurnRow {
    position: i64,
    speaker: String,
    participant: Option<i64>,
    start: usize,
    end: usize,
}

/// A range `[from, to)` of the old text replaced by the marker.
#[derive(Clone, Copy)]
struct Cut {
    from: usize,
    to: usize,
}

fn offset(value: i64) -> Result<usize> {
    usize::try_from(value).map_err(|_| StoreError::Stored {
        what: "offset",
        detail: format!("negative offset {value}"),
    })
}

/// Where an old offset outside every cut lands in the new text.
fn rebase(cuts: &[Cut], marker: usize, position: usize) -> usize {
    cuts.iter()
        .filter(|c| c.to <= position)
        .fold(position, |p, c| p + marker - (c.to - c.from))
}

fn overlaps(cuts: &[Cut], start: usize, end: usize) -> bool {
    cuts.iter().any(|c| start < c.to && c.from < end)
}

/// Empties the submissions a mapping linked to the participant `code`.
fn withdraw_submissions(
    tx: &Transaction<'_>,
    study: i64,
    code: &str,
    report: &mut Withdrawal,
) -> Result<()> {
    let submissions: Vec<(i64, i64, i64)> = tx
        .prepare(
            "SELECT s.id, s.answers_block, s.answers_slot
             FROM submissions s JOIN response_forms f ON f.id = s.form_id
             WHERE f.study_id = ?1 AND s.participant_code = ?2 AND s.withdrawn_at IS NULL
             ORDER BY s.answers_block",
        )?
        .query_map(params![study, code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for same_block in submissions.chunk_by(|a, b| a.1 == b.1) {
        let slots: Vec<i64> = same_block.iter().map(|s| s.2).collect();
        super::answer_blocks::empty_slots(tx, same_block[0].1, &slots)?;
    }
    let mut remove_repeats =
        tx.prepare("DELETE FROM submission_repeats WHERE submission_id = ?1")?;
    let mut mark_withdrawn = tx.prepare(
        "UPDATE submissions SET withdrawn_at = ?2, submitted_at = NULL,
             participant_code = NULL, session_code = NULL
         WHERE id = ?1",
    )?;
    let at = super::now();
    for (id, _, _) in &submissions {
        remove_repeats.execute([id])?;
        report.submissions_removed += mark_withdrawn.execute(params![id, at])?;
    }
    Ok(())
}

/// Removes everything `participant` contributed, counting into `report`.
pub(super) fn remove_contributions(
    tx: &Transaction<'_>,
    study: i64,
    participant: i64,
    code: &str,
    index_terms: &dyn Fn(&str) -> String,
    report: &mut Withdrawal,
) -> Result<()> {
    remove_interviews(tx, participant, report)?;
    leave_attendance(tx, participant)?;
    withdraw_submissions(tx, study, code, report)?;
    let documents: Vec<i64> = tx
        .prepare(
            "SELECT DISTINCT t.document_id FROM turns t JOIN documents d ON d.id = t.document_id
             WHERE t.participant_id = ?1 AND d.study_id = ?2 ORDER BY t.document_id",
        )?
        .query_map(params![participant, study], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for document in documents {
        redact(tx, study, document, participant, index_terms, report)?;
    }
    report.summaries_removed += tx.execute(
        "DELETE FROM framework_summaries WHERE study_id = ?1 AND case_key = ?2",
        params![study, code],
    )?;
    // FTS5 keeps deleted terms in its segments until they are merged:
    // merging them all now leaves none of the removed words behind.
    tx.execute(
        "INSERT INTO search_index (search_index) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}

/// Removes the participant's interview sessions and their documents.
fn remove_interviews(
    tx: &Transaction<'_>,
    participant: i64,
    report: &mut Withdrawal,
) -> Result<()> {
    let sessions: Vec<(i64, i64, String)> = tx
        .prepare(
            "SELECT s.id, s.study_id, s.code FROM sessions s
             JOIN session_participants sp ON sp.session_id = s.id
             WHERE sp.participant_id = ?1 AND s.kind = 'interview'",
        )?
        .query_map([participant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (session, study, session_code) in sessions {
        let documents: Vec<(i64, String)> = tx
            .prepare("SELECT id, code FROM documents WHERE session_id = ?1")?
            .query_map([session], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (document, document_code) in documents {
            report.codings_removed += count(tx, "codings", document)?;
            report.suggestions_removed += count(tx, "suggestions", document)?;
            tx.execute("DELETE FROM search_index WHERE rowid = ?1", [document])?;
            tx.execute(
                "DELETE FROM memos WHERE study_id = ?1 AND target_kind = 'document' AND target_key = ?2",
                params![study, document_code],
            )?;
            tx.execute("DELETE FROM documents WHERE id = ?1", [document])?;
            report.documents_removed += 1;
        }
        report.summaries_removed += tx.execute(
            "DELETE FROM framework_summaries WHERE study_id = ?1 AND (case_key = ?2 OR case_key LIKE ?2 || '/%')",
            params![study, session_code],
        )?;
        tx.execute("DELETE FROM sessions WHERE id = ?1", [session])?;
        report.sessions_removed += 1;
    }
    Ok(())
}

fn count(tx: &Transaction<'_>, table: &str, document: i64) -> Result<usize> {
    let n: i64 = tx.query_row(
        &format!("SELECT count(*) FROM {table} WHERE document_id = ?1"),
        [document],
        |r| r.get(0),
    )?;
    offset(n)
}

/// Takes the participant off the attendance counts of the sessions they
/// remain listed in.
fn leave_attendance(tx: &Transaction<'_>, participant: i64) -> Result<()> {
    let (group, gender): (i64, String) = tx.query_row(
        "SELECT group_id, gender FROM participants WHERE id = ?1",
        [participant],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let sessions: Vec<i64> = tx
        .prepare("SELECT session_id FROM session_participants WHERE participant_id = ?1")?
        .query_map([participant], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for session in sessions {
        let lowered = tx.execute(
            "UPDATE session_composition SET count = count - 1
             WHERE session_id = ?1 AND group_id = ?2 AND gender = ?3 AND count > 1",
            params![session, group, gender],
        )?;
        if lowered == 0 {
            tx.execute(
                "DELETE FROM session_composition WHERE session_id = ?1 AND group_id = ?2 AND gender = ?3",
                params![session, group, gender],
            )?;
        }
        tx.execute(
            "UPDATE sessions SET declared_total = declared_total - 1 WHERE id = ?1 AND declared_total > 0",
            [session],
        )?;
    }
    Ok(())
}

/// Replaces the participant's turns in one document by the marker.
fn redact(
    tx: &Transaction<'_>,
    study: i64,
    document: i64,
    participant: i64,
    index_terms: &dyn Fn(&str) -> String,
    report: &mut Withdrawal,
) -> Result<()> {
    let (body, session): (String, Option<String>) = tx.query_row(
        "SELECT d.body, s.code FROM documents d LEFT JOIN sessions s ON s.id = d.session_id WHERE d.id = ?1",
        [document],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let chars: Vec<char> = body.chars().collect();
    let turns: Vec<TurnRow> = tx
        .prepare(
            "SELECT position, speaker, participant_id, start_offset, end_offset FROM turns
             WHERE document_id = ?1 ORDER BY position",
        )?
        .query_map([document], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(position, speaker, participant, start, end)| {
            Ok(TurnRow {
                position,
                speaker,
                participant,
                start: offset(start)?,
                end: offset(end)?,
            })
        })
        .collect::<Result<_>>()?;
    let mut cuts = Vec::new();
    let mut labels = Vec::new();
    let mut previous_end = 0;
    for turn in &turns {
        if turn.participant == Some(participant) {
            let label: Vec<char> = format!("{} : ", turn.speaker).chars().collect();
            let with_label = turn.start.checked_sub(label.len()).filter(|from| {
                *from >= previous_end && chars.get(*from..turn.start) == Some(&label[..])
            });
            cuts.push(Cut {
                from: with_label.unwrap_or(turn.start),
                to: turn.end,
            });
            labels.push(turn.speaker.clone());
        }
        previous_end = turn.end;
    }
    let marker: Vec<char> = WITHDRAWN_MARKER.chars().collect();
    let mut text = String::with_capacity(body.len());
    let mut at = 0;
    for cut in &cuts {
        text.extend(chars.get(at..cut.from).unwrap_or_default());
        text.push_str(WITHDRAWN_MARKER);
        at = cut.to;
    }
    text.extend(chars.get(at..).unwrap_or_default());
    let new_body = TextBody::new(&text);
    let expected =
        chars.len() + cuts.len() * marker.len() - cuts.iter().map(|c| c.to - c.from).sum::<usize>();
    if new_body.char_len() != expected {
        return Err(StoreError::Stored {
            what: "redacted document",
            detail: format!("document {document}: normalisation moved offsets"),
        });
    }
    tx.execute(
        "UPDATE documents SET body = ?2, char_len = ?3, revision = revision + 1,
         text_version = text_version + 1 WHERE id = ?1",
        params![document, new_body.as_str(), new_body.char_len()],
    )?;
    for turn in &turns {
        if turn.participant == Some(participant) {
            let start = rebase(&cuts, marker.len(), turn.start);
            // The cut may begin at the label: the marker starts there.
            let cut_start = cuts
                .iter()
                .find(|c| c.to == turn.end)
                .map_or(start, |c| rebase(&cuts, marker.len(), c.from));
            tx.execute(
                "UPDATE turns SET speaker = ?3, participant_id = NULL, start_offset = ?4, end_offset = ?5
                 WHERE document_id = ?1 AND position = ?2",
                params![
                    document,
                    turn.position,
                    WITHDRAWN_MARKER,
                    cut_start,
                    cut_start + marker.len()
                ],
            )?;
            report.turns_redacted += 1;
        } else {
            tx.execute(
                "UPDATE turns SET start_offset = ?3, end_offset = ?4 WHERE document_id = ?1 AND position = ?2",
                params![
                    document,
                    turn.position,
                    rebase(&cuts, marker.len(), turn.start),
                    rebase(&cuts, marker.len(), turn.end)
                ],
            )?;
        }
    }
    for (table, bump, counter) in [
        (
            "codings",
            ", version = version + 1",
            &mut report.codings_removed,
        ),
        ("suggestions", "", &mut report.suggestions_removed),
    ] {
        let spans: Vec<(i64, i64, i64)> = tx
            .prepare(&format!(
                "SELECT id, start_offset, end_offset FROM {table} WHERE document_id = ?1"
            ))?
            .query_map([document], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, start, end) in spans {
            let (start, end) = (offset(start)?, offset(end)?);
            if overlaps(&cuts, start, end) {
                tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
                *counter += 1;
            } else {
                let moved = (
                    rebase(&cuts, marker.len(), start),
                    rebase(&cuts, marker.len(), end),
                );
                if moved != (start, end) {
                    tx.execute(
                        &format!(
                            "UPDATE {table} SET start_offset = ?2, end_offset = ?3{bump} WHERE id = ?1"
                        ),
                        params![id, moved.0, moved.1],
                    )?;
                }
            }
        }
    }
    if let Some(session) = session {
        for label in labels {
            report.summaries_removed += tx.execute(
                "DELETE FROM framework_summaries WHERE study_id = ?1 AND case_key = ?2",
                params![study, format!("{session}/{label}")],
            )?;
        }
    }
    tx.execute("DELETE FROM search_index WHERE rowid = ?1", [document])?;
    tx.execute(
        "INSERT INTO search_index (rowid, terms) VALUES (?1, ?2)",
        params![document, index_terms(new_body.as_str())],
    )?;
    report.documents_redacted += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebasing_moves_offsets_after_cuts_only() {
        // "ab[cd]ef[g]h" with cuts replaced by a 3-char marker.
        let cuts = [Cut { from: 2, to: 4 }, Cut { from: 6, to: 7 }];
        assert_eq!(rebase(&cuts, 3, 0), 0);
        assert_eq!(rebase(&cuts, 3, 2), 2, "a cut's start stays");
        assert_eq!(rebase(&cuts, 3, 4), 5);
        assert_eq!(rebase(&cuts, 3, 7), 10);
        assert!(overlaps(&cuts, 1, 3));
        assert!(!overlaps(&cuts, 0, 2), "touching is not overlapping");
        assert!(!overlaps(&cuts, 4, 6));
    }
}
