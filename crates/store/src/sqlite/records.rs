//! Records created and edited one at a time.

use rusqlite::{ErrorCode, OptionalExtension, Transaction, params};
use sankore_domain::{Document, Participant, PlaceCode, Session};

use super::SqliteStore;
use super::write::{
    Keys, insert_document, insert_participant, insert_session, insert_session_links,
};
use crate::RecordStore;
use crate::error::{Result, StoreError};

/// Turns a uniqueness violation into [`StoreError::Exists`].
pub(super) fn exists_as<'a>(
    what: &'static str,
    key: &'a str,
) -> impl Fn(StoreError) -> StoreError + 'a {
    move |error| match &error {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == ErrorCode::ConstraintViolation =>
        {
            StoreError::Exists {
                what,
                key: key.to_owned(),
            }
        }
        _ => error,
    }
}

/// Refuses a place that is not in the study's gazetteer.
pub(super) fn check_place(tx: &Transaction<'_>, study_id: i64, place: &PlaceCode) -> Result<()> {
    let found: Option<i64> = tx
        .query_row(
            "SELECT p.id FROM places p JOIN studies s ON s.gazetteer_version = p.gazetteer_version
             WHERE s.id = ?1 AND p.code = ?2",
            params![study_id, place.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    found.map(|_| ()).ok_or_else(|| StoreError::NotFound {
        what: "place",
        key: place.to_string(),
    })
}

/// Refuses a session whose place is not in the gazetteer or whose date is
/// outside the study period.
pub(super) fn check_session(tx: &Transaction<'_>, study_id: i64, session: &Session) -> Result<()> {
    check_place(tx, study_id, &session.place)?;
    let (start, end): (String, String) = tx.query_row(
        "SELECT start_date, end_date FROM studies WHERE id = ?1",
        [study_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let day = session.date.to_string();
    if day < start || day > end {
        return Err(StoreError::Domain(sankore_domain::DomainError::Invalid {
            field: "session date",
            reason: format!("{day} is outside the study period {start} – {end}"),
        }));
    }
    Ok(())
}

impl RecordStore for SqliteStore {
    fn add_participant(&mut self, participant: &Participant) -> Result<()> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        check_place(&tx, study, &participant.place)?;
        let mut keys = Keys::load(&tx, study)?;
        insert_participant(&tx, study, &mut keys, participant)
            .map_err(exists_as("participant", participant.code.as_str()))?;
        tx.commit()?;
        Ok(())
    }

    fn update_participant(&mut self, participant: &Participant) -> Result<()> {
        let study = self.require_study()?;
        let tx = self.write_transaction()?;
        check_place(&tx, study, &participant.place)?;
        let keys = Keys::load(&tx, study)?;
        let group = keys
            .groups
            .get(&participant.group)
            .copied()
            .ok_or_else(|| StoreError::NotFound {
                what: "stakeholder group",
                key: participant.group.clone(),
            })?;
        let changed = tx.execute(
            "UPDATE participants SET gender = ?3, age_band = ?4, group_id = ?5, place_code = ?6, consent = ?7
             WHERE study_id = ?1 AND code = ?2",
            params![
                study,
                participant.code.as_str(),
                participant.gender.as_str(),
                participant.age_band.as_str(),
                group,
                participant.place.as_str(),
                participant.consent.as_str()
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "participant",
                key: participant.code.to_string(),
            });
        }
        tx.commit()?;
        Ok(())
    }

    fn add_session(&mut self, session: &Session) -> Result<()> {
        let study = self.require_study()?;
        let session = Session::new(session.clone())?;
        let tx = self.write_transaction()?;
        check_session(&tx, study, &session)?;
        let mut keys = Keys::load(&tx, study)?;
        insert_session(&tx, study, &mut keys, &session)
            .map_err(exists_as("session", &session.code))?;
        tx.commit()?;
        Ok(())
    }

    fn update_session(&mut self, session: &Session) -> Result<()> {
        let study = self.require_study()?;
        let session = Session::new(session.clone())?;
        let tx = self.write_transaction()?;
        check_session(&tx, study, &session)?;
        let keys = Keys::load(&tx, study)?;
        let id = keys
            .sessions
            .get(&session.code)
            .copied()
            .ok_or_else(|| StoreError::NotFound {
                what: "session",
                key: session.code.clone(),
            })?;
        tx.execute(
            "UPDATE sessions SET kind = ?2, place_code = ?3, date = ?4, declared_total = ?5 WHERE id = ?1",
            params![
                id,
                session.kind.as_str(),
                session.place.as_str(),
                session.date.to_string(),
                session.declared_total
            ],
        )?;
        for table in [
            "session_facilitators",
            "session_participants",
            "session_composition",
        ] {
            tx.execute(&format!("DELETE FROM {table} WHERE session_id = ?1"), [id])?;
        }
        insert_session_links(&tx, id, &keys, &session)?;
        tx.commit()?;
        Ok(())
    }

    fn add_document(&mut self, document: &Document) -> Result<()> {
        let study = self.require_study()?;
        let document = Document::new(document.clone())?;
        let tx = self.write_transaction()?;
        let keys = Keys::load(&tx, study)?;
        insert_document(&tx, study, &keys, &document)
            .map_err(exists_as("document", &document.code))?;
        tx.commit()?;
        Ok(())
    }
}
