//! What follows analysis: validation-forum outcomes, findings forums put
//! forward, and the progress of follow-up actions.

use rusqlite::{ErrorCode, OptionalExtension, Transaction, params};
use sankore_domain::{
    ActionStatus, Agreement, DomainError, Finding, ForumOutcome, Localized, OutcomeKind,
    SessionKind,
};

use super::SqliteStore;
use crate::FollowupStore;
use crate::error::{Result, StoreError};

/// Inserts or replaces one outcome; `session_id` and `finding_id` must be
/// the study's.
pub(super) fn upsert_outcome(
    tx: &Transaction<'_>,
    session_id: i64,
    finding_id: i64,
    outcome: &ForumOutcome,
) -> Result<()> {
    let outcome = ForumOutcome::new(outcome.clone())?;
    let wording = outcome.wording.as_ref();
    tx.prepare_cached(
        "INSERT INTO forum_outcomes (session_id, finding_id, kind, wording_fr, wording_en, reasons, agreement, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT coalesce(max(position), -1) + 1 FROM forum_outcomes))
         ON CONFLICT (session_id, finding_id) DO UPDATE SET kind = excluded.kind,
             wording_fr = excluded.wording_fr, wording_en = excluded.wording_en,
             reasons = excluded.reasons, agreement = excluded.agreement",
    )?
    .execute(params![
        session_id,
        finding_id,
        outcome.kind.as_str(),
        wording.map(|w| w.fr.as_str()),
        wording.map(|w| w.en.as_str()),
        outcome.reasons,
        outcome.agreement.as_str(),
    ])?;
    Ok(())
}

/// Row id of a study's record found by `sql` (`?1` the study, `?2` the
/// key, `?3` an extra filter), or [`StoreError::NotFound`].
fn id_of(
    tx: &Transaction<'_>,
    sql: &str,
    (study_id, key, extra): (i64, &str, &str),
    what: &'static str,
) -> Result<i64> {
    tx.query_row(sql, params![study_id, key, extra], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what,
            key: key.to_owned(),
        })
}

impl FollowupStore for SqliteStore {
    fn forum_outcomes(&self) -> Result<Vec<ForumOutcome>> {
        let rows = self.rows(
            "SELECT s.code, f.key, o.kind, o.wording_fr, o.wording_en, o.reasons, o.agreement
             FROM forum_outcomes o JOIN sessions s ON s.id = o.session_id
             JOIN findings f ON f.id = o.finding_id
             WHERE f.study_id = ?1 ORDER BY s.date, s.code, f.position",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(forum, finding, kind, fr, en, reasons, agreement)| {
                let wording = (fr.is_some() || en.is_some())
                    .then(|| Localized::new(fr.unwrap_or_default(), en.unwrap_or_default()));
                Ok(ForumOutcome::new(ForumOutcome {
                    forum,
                    finding,
                    kind: OutcomeKind::parse(&kind)?,
                    wording,
                    reasons,
                    agreement: Agreement::parse(&agreement)?,
                })?)
            })
            .collect()
    }

    fn record_forum_outcome(&mut self, outcome: &ForumOutcome) -> Result<()> {
        let study_id = self.require_study()?;
        let tx = self.write_transaction()?;
        let session_id = forum_id(&tx, study_id, &outcome.forum)?;
        let finding_id = id_of(
            &tx,
            "SELECT id FROM findings WHERE study_id = ?1 AND key = ?2 AND ?3 = ?3",
            (study_id, &outcome.finding, ""),
            "finding",
        )?;
        upsert_outcome(&tx, session_id, finding_id, outcome)?;
        tx.commit()?;
        Ok(())
    }

    fn add_forum_finding(&mut self, finding: &Finding, outcome: &ForumOutcome) -> Result<()> {
        let finding = Finding::new(finding.clone())?;
        if outcome.kind != OutcomeKind::Added || outcome.finding != finding.key {
            return Err(DomainError::Invalid {
                field: "forum outcome",
                reason: format!(
                    "a finding put forward by a forum needs the forum's added outcome for {}",
                    finding.key
                ),
            }
            .into());
        }
        let study_id = self.require_study()?;
        let tx = self.write_transaction()?;
        let session_id = forum_id(&tx, study_id, &outcome.forum)?;
        id_of(
            &tx,
            "SELECT number FROM research_questions WHERE study_id = ?1 AND number = ?2 AND ?3 = ?3",
            (study_id, &finding.research_question.to_string(), ""),
            "research question",
        )?;
        tx.prepare_cached(
            "INSERT INTO findings (study_id, key, statement_fr, statement_en, research_question, position)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(position), -1) + 1 FROM findings WHERE study_id = ?1))",
        )?
        .execute(params![
            study_id,
            finding.key,
            finding.statement.fr,
            finding.statement.en,
            finding.research_question
        ])
        .map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::ConstraintViolation) => StoreError::Exists {
                what: "finding",
                key: finding.key.clone(),
            },
            _ => e.into(),
        })?;
        let finding_id = tx.last_insert_rowid();
        for place in &finding.places {
            id_of(
                &tx,
                "SELECT p.id FROM places p JOIN studies s ON s.gazetteer_version = p.gazetteer_version
                 WHERE s.id = ?1 AND p.code = ?2 AND ?3 = ?3",
                (study_id, place.as_str(), ""),
                "place",
            )?;
            tx.prepare_cached(
                "INSERT INTO finding_places (finding_id, place_code) VALUES (?1, ?2)",
            )?
            .execute(params![finding_id, place.as_str()])?;
        }
        for code in &finding.codes {
            let code_id = id_of(
                &tx,
                "SELECT id FROM codes WHERE study_id = ?1 AND key = ?2 AND ?3 = ?3",
                (study_id, code.as_str(), ""),
                "code",
            )?;
            tx.prepare_cached("INSERT INTO finding_codes (finding_id, code_id) VALUES (?1, ?2)")?
                .execute(params![finding_id, code_id])?;
        }
        upsert_outcome(&tx, session_id, finding_id, outcome)?;
        tx.commit()?;
        Ok(())
    }

    fn update_action(
        &mut self,
        key: &str,
        status: ActionStatus,
        outcome_notes: Option<&str>,
    ) -> Result<()> {
        let study_id = self.require_study()?;
        let tx = self.write_transaction()?;
        let changed = tx
            .prepare_cached(
                "UPDATE actions SET status = ?3, outcome_notes = ?4 WHERE study_id = ?1 AND key = ?2",
            )?
            .execute(params![study_id, key, status.as_str(), outcome_notes])?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "action",
                key: key.to_owned(),
            });
        }
        tx.commit()?;
        Ok(())
    }
}

/// Row id of a validation-forum session.
fn forum_id(tx: &Transaction<'_>, study_id: i64, code: &str) -> Result<i64> {
    id_of(
        tx,
        "SELECT id FROM sessions WHERE study_id = ?1 AND code = ?2 AND kind = ?3",
        (study_id, code, SessionKind::ValidationForum.as_str()),
        "validation forum",
    )
}
