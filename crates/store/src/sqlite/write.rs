//! Writes: every public write is one transaction.

use rusqlite::{Transaction, params};
use sankore_domain::{Codebook, Gazetteer, Lang, Study, StudyRecords};
use std::collections::HashMap;

use super::now;
use crate::Progress;
use crate::error::{Result, StoreError};

fn guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn languages(study: &Study) -> String {
    study
        .languages
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses the `languages` column.
pub(super) fn parse_languages(text: &str) -> Result<Vec<Lang>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(StoreError::from))
        .collect()
}

/// Inserts the gazetteer unless that version is already stored.
fn insert_gazetteer(tx: &Transaction<'_>, gazetteer: &Gazetteer) -> Result<()> {
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO gazetteers (version) VALUES (?1)",
        [&gazetteer.version],
    )?;
    if inserted == 0 {
        return Ok(());
    }
    let mut stmt = tx.prepare(
        "INSERT INTO places (gazetteer_version, code, name, level, parent_code, valid_from, valid_to, lat, lon, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    // Parents first, so the self-referencing foreign key always resolves.
    let mut places: Vec<_> = gazetteer.places().iter().enumerate().collect();
    places.sort_by_key(|(i, p)| (p.level, *i));
    for (position, place) in places {
        stmt.execute(params![
            gazetteer.version,
            place.code.as_str(),
            place.name,
            place.level.as_str(),
            place.parent.as_ref().map(|p| p.as_str()),
            place.valid_from.to_string(),
            place.valid_to.map(|d| d.to_string()),
            place.chef_lieu.map(|c| c.lat),
            place.chef_lieu.map(|c| c.lon),
            position,
        ])?;
    }
    Ok(())
}

/// Inserts the study row and its team; returns the study id.
pub(super) fn insert_study(
    tx: &Transaction<'_>,
    study: &Study,
    gazetteer: &Gazetteer,
) -> Result<i64> {
    let existing: i64 = tx.query_row("SELECT count(*) FROM studies", [], |r| r.get(0))?;
    if existing > 0 {
        return Err(StoreError::StudyExists);
    }
    if study.gazetteer_version != gazetteer.version {
        return Err(StoreError::Stored {
            what: "study",
            detail: format!(
                "pins gazetteer {:?} but {:?} was given",
                study.gazetteer_version, gazetteer.version
            ),
        });
    }
    insert_gazetteer(tx, gazetteer)?;
    tx.execute(
        "INSERT INTO studies (guid, name, start_date, end_date, languages, gazetteer_version, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            guid(),
            study.name,
            study.start.to_string(),
            study.end.to_string(),
            languages(study),
            study.gazetteer_version,
            now()
        ],
    )?;
    let study_id = tx.last_insert_rowid();
    let mut stmt =
        tx.prepare("INSERT INTO team_members (study_id, handle, role) VALUES (?1, ?2, ?3)")?;
    for member in &study.team {
        stmt.execute(params![study_id, member.handle, member.role])?;
    }
    Ok(study_id)
}

/// Inserts the codebook as the study's current codes and as a version
/// snapshot; returns code ids by key.
fn insert_codebook(
    tx: &Transaction<'_>,
    study_id: i64,
    codebook: &Codebook,
) -> Result<HashMap<String, i64>> {
    let mut ids = HashMap::new();
    let mut codes: Vec<_> = codebook.codes().iter().enumerate().collect();
    codes.sort_by_key(|(i, c)| (codebook.depth(&c.key), *i));
    let mut stmt = tx.prepare(
        "INSERT INTO codes (study_id, guid, key, parent_id, name_fr, name_en, description_fr, description_en, color, research_questions, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (position, code) in codes {
        let parent = code
            .parent
            .as_ref()
            .and_then(|p| ids.get(p.as_str()).copied());
        let rqs = code
            .research_questions
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",");
        stmt.execute(params![
            study_id,
            guid(),
            code.key.as_str(),
            parent,
            code.name.fr,
            code.name.en,
            code.description.fr,
            code.description.en,
            code.color.to_string(),
            rqs,
            position
        ])?;
        ids.insert(code.key.to_string(), tx.last_insert_rowid());
    }
    let snapshot = serde_json::to_string(codebook).map_err(|e| StoreError::Stored {
        what: "codebook",
        detail: e.to_string(),
    })?;
    tx.execute(
        "INSERT INTO codebook_versions (study_id, version, label, snapshot, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![study_id, codebook.version, codebook.label, snapshot, now()],
    )?;
    Ok(ids)
}

/// The row id of a referenced record. An unknown key is the caller's
/// mistake (a session naming a facilitator who is not on the team), not
/// damaged data: a domain error naming the field (found by fuzzing the API).
fn lookup(ids: &HashMap<String, i64>, what: &'static str, key: &str) -> Result<i64> {
    ids.get(key).copied().ok_or_else(|| {
        StoreError::Domain(sankore_domain::DomainError::Invalid {
            field: what,
            reason: format!("unknown key {key}"),
        })
    })
}

/// Writes every record of a study. The caller commits.
/// Row ids of a study's records by key, to resolve references on insert.
pub(super) struct Keys {
    pub groups: HashMap<String, i64>,
    pub team: HashMap<String, i64>,
    pub participants: HashMap<String, i64>,
    pub sessions: HashMap<String, i64>,
}

impl Keys {
    fn map(tx: &Transaction<'_>, sql: &str, study_id: i64) -> Result<HashMap<String, i64>> {
        let mut stmt = tx.prepare_cached(sql)?;
        let rows = stmt
            .query_map([study_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn team(tx: &Transaction<'_>, study_id: i64) -> Result<HashMap<String, i64>> {
        Self::map(
            tx,
            "SELECT handle, id FROM team_members WHERE study_id = ?1",
            study_id,
        )
    }

    /// Every key of the study, read from the database.
    pub(super) fn load(tx: &Transaction<'_>, study_id: i64) -> Result<Keys> {
        Ok(Keys {
            groups: Self::map(
                tx,
                "SELECT key, id FROM stakeholder_groups WHERE study_id = ?1",
                study_id,
            )?,
            team: Self::team(tx, study_id)?,
            participants: Self::map(
                tx,
                "SELECT code, id FROM participants WHERE study_id = ?1",
                study_id,
            )?,
            sessions: Self::map(
                tx,
                "SELECT code, id FROM sessions WHERE study_id = ?1",
                study_id,
            )?,
        })
    }
}

/// Inserts one participant.
pub(super) fn insert_participant(
    tx: &Transaction<'_>,
    study_id: i64,
    keys: &mut Keys,
    p: &sankore_domain::Participant,
) -> Result<()> {
    let group = lookup(&keys.groups, "participant group", &p.group)?;
    tx.prepare_cached(
        "INSERT INTO participants (study_id, guid, code, gender, age_band, group_id, place_code, consent)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        study_id,
        guid(),
        p.code.as_str(),
        p.gender.as_str(),
        p.age_band.as_str(),
        group,
        p.place.as_str(),
        p.consent.as_str()
    ])?;
    keys.participants
        .insert(p.code.to_string(), tx.last_insert_rowid());
    Ok(())
}

/// Inserts one session with its facilitators, attendees and counts.
pub(super) fn insert_session(
    tx: &Transaction<'_>,
    study_id: i64,
    keys: &mut Keys,
    s: &sankore_domain::Session,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sessions (study_id, code, kind, place_code, date, declared_total) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        study_id,
        s.code,
        s.kind.as_str(),
        s.place.as_str(),
        s.date.to_string(),
        s.declared_total
    ])?;
    let session_id = tx.last_insert_rowid();
    insert_session_links(tx, session_id, keys, s)?;
    keys.sessions.insert(s.code.clone(), session_id);
    Ok(())
}

/// Inserts a session's facilitators, registered participants and
/// attendance counts.
pub(super) fn insert_session_links(
    tx: &Transaction<'_>,
    session_id: i64,
    keys: &Keys,
    s: &sankore_domain::Session,
) -> Result<()> {
    for f in &s.facilitators {
        tx.prepare_cached(
            "INSERT INTO session_facilitators (session_id, member_id) VALUES (?1, ?2)",
        )?
        .execute(params![session_id, lookup(&keys.team, "facilitator", f)?])?;
    }
    for (position, p) in s.participants.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO session_participants (session_id, participant_id, position) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            session_id,
            lookup(&keys.participants, "session participant", p.as_str())?,
            position
        ])?;
    }
    for (position, row) in s.composition.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO session_composition (session_id, group_id, gender, count, position) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            session_id,
            lookup(&keys.groups, "composition group", &row.group)?,
            row.gender.as_str(),
            row.count,
            position
        ])?;
    }
    Ok(())
}

/// Inserts one document with its turns; returns its row id.
pub(super) fn insert_document(
    tx: &Transaction<'_>,
    study_id: i64,
    keys: &Keys,
    d: &sankore_domain::Document,
) -> Result<i64> {
    let session = d
        .session
        .as_ref()
        .map(|s| lookup(&keys.sessions, "document session", s))
        .transpose()?;
    tx.prepare_cached(
        "INSERT INTO documents (study_id, guid, code, session_id, title, kind, language, body, char_len)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        study_id,
        guid(),
        d.code,
        session,
        d.title,
        d.kind.as_str(),
        d.language,
        d.body.as_str(),
        d.body.char_len()
    ])?;
    let document_id = tx.last_insert_rowid();
    for (position, t) in d.turns.iter().enumerate() {
        let participant = t
            .participant
            .as_ref()
            .map(|p| lookup(&keys.participants, "turn participant", p.as_str()))
            .transpose()?;
        tx.prepare_cached(
            "INSERT INTO turns (document_id, position, speaker, participant_id, start_offset, end_offset)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            document_id,
            position,
            t.speaker,
            participant,
            t.span.start(),
            t.span.end()
        ])?;
    }
    Ok(document_id)
}

pub(super) fn import_study(
    tx: &Transaction<'_>,
    records: &StudyRecords,
    progress: Progress<'_>,
) -> Result<()> {
    records.check()?;
    let total = (records.participants.len()
        + records.sessions.len()
        + records.documents.len()
        + records.codings.len()
        + 1) as u64;
    let mut done = 0u64;
    let mut step = |n: u64, progress: &mut dyn FnMut(u64, u64)| {
        done += n;
        progress(done, total);
    };
    let study_id = insert_study(tx, &records.study, &records.gazetteer)?;

    let mut stmt = tx.prepare("INSERT INTO research_questions (study_id, number, text_fr, text_en) VALUES (?1, ?2, ?3, ?4)")?;
    for q in &records.research_questions {
        stmt.execute(params![study_id, q.number, q.text.fr, q.text.en])?;
    }

    let mut groups = HashMap::new();
    let mut stmt = tx.prepare(
        "INSERT INTO stakeholder_groups (study_id, key, name, label_fr, label_en, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, g) in records.groups.iter().enumerate() {
        stmt.execute(params![
            study_id, g.key, g.name, g.label.fr, g.label.en, position
        ])?;
        groups.insert(g.key.clone(), tx.last_insert_rowid());
    }

    let mut stmt = tx.prepare(
        "INSERT INTO quotas (study_id, place_code, group_id, gender, target) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for q in &records.quotas {
        let group = lookup(&groups, "quota group", &q.group)?;
        stmt.execute(params![
            study_id,
            q.place.as_str(),
            group,
            q.gender.as_str(),
            q.target
        ])?;
    }

    let codes = insert_codebook(tx, study_id, &records.codebook)?;

    let mut keys = Keys {
        groups,
        team: HashMap::new(),
        participants: HashMap::new(),
        sessions: HashMap::new(),
    };
    for p in &records.participants {
        insert_participant(tx, study_id, &mut keys, p)?;
    }
    step(records.participants.len() as u64, progress);

    keys.team = Keys::team(tx, study_id)?;
    for session in &records.sessions {
        insert_session(tx, study_id, &mut keys, session)?;
    }
    step(records.sessions.len() as u64, progress);

    let mut documents = HashMap::new();
    for d in &records.documents {
        documents.insert(d.code.clone(), insert_document(tx, study_id, &keys, d)?);
        step(1, progress);
    }

    let mut insert_coding = tx.prepare(
        "INSERT INTO codings (guid, document_id, code_id, coder, start_offset, end_offset, memo, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, c) in records.codings.iter().enumerate() {
        insert_coding.execute(params![
            guid(),
            lookup(&documents, "coding document", &c.document)?,
            lookup(&codes, "coding code", c.code.as_str())?,
            c.coder,
            c.span.start(),
            c.span.end(),
            c.memo,
            c.origin.as_str()
        ])?;
        if i % 200 == 199 {
            step(200, progress);
        }
    }
    step((records.codings.len() % 200) as u64, progress);

    let mut stmt = tx.prepare(
        "INSERT INTO memos (study_id, title, body, author, target_kind, target_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for m in &records.memos {
        let (kind, key) = match &m.target {
            sankore_domain::MemoTarget::Study => ("study", None),
            sankore_domain::MemoTarget::Document(d) => ("document", Some(d.clone())),
            sankore_domain::MemoTarget::Code(k) => ("code", Some(k.to_string())),
        };
        stmt.execute(params![
            study_id,
            m.title,
            m.body.as_str(),
            m.author,
            kind,
            key
        ])?;
    }

    let mut findings = HashMap::new();
    let mut insert_finding = tx.prepare(
        "INSERT INTO findings (study_id, key, statement_fr, statement_en, research_question, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut insert_finding_place =
        tx.prepare("INSERT INTO finding_places (finding_id, place_code) VALUES (?1, ?2)")?;
    let mut insert_finding_code =
        tx.prepare("INSERT INTO finding_codes (finding_id, code_id) VALUES (?1, ?2)")?;
    for (position, f) in records.findings.iter().enumerate() {
        insert_finding.execute(params![
            study_id,
            f.key,
            f.statement.fr,
            f.statement.en,
            f.research_question,
            position
        ])?;
        let finding_id = tx.last_insert_rowid();
        for p in &f.places {
            insert_finding_place.execute(params![finding_id, p.as_str()])?;
        }
        for k in &f.codes {
            insert_finding_code.execute(params![
                finding_id,
                lookup(&codes, "finding code", k.as_str())?
            ])?;
        }
        findings.insert(f.key.clone(), finding_id);
    }

    let mut recommendations = HashMap::new();
    let mut insert_recommendation = tx.prepare(
        "INSERT INTO recommendations (study_id, key, text_fr, text_en, position) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut insert_link = tx.prepare(
        "INSERT INTO recommendation_findings (recommendation_id, finding_id) VALUES (?1, ?2)",
    )?;
    let mut insert_role = tx.prepare(
        "INSERT INTO recommendation_roles (recommendation_id, position, stakeholder, role_fr, role_en) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, r) in records.recommendations.iter().enumerate() {
        insert_recommendation.execute(params![study_id, r.key, r.text.fr, r.text.en, position])?;
        let id = tx.last_insert_rowid();
        for f in &r.findings {
            insert_link.execute(params![id, lookup(&findings, "recommendation finding", f)?])?;
        }
        for (i, (stakeholder, role)) in r.roles.iter().enumerate() {
            insert_role.execute(params![id, i, stakeholder, role.fr, role.en])?;
        }
        recommendations.insert(r.key.clone(), id);
    }

    let mut insert_action = tx.prepare(
        "INSERT INTO actions (study_id, key, title_fr, title_en, recommendation_id, start_date, due_date, responsible, status, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut insert_action_place =
        tx.prepare("INSERT INTO action_places (action_id, place_code) VALUES (?1, ?2)")?;
    for (position, a) in records.actions.iter().enumerate() {
        let recommendation = a
            .recommendation
            .as_ref()
            .map(|r| lookup(&recommendations, "action recommendation", r))
            .transpose()?;
        insert_action.execute(params![
            study_id,
            a.key,
            a.title.fr,
            a.title.en,
            recommendation,
            a.start.map(|d| d.to_string()),
            a.due.map(|d| d.to_string()),
            a.responsible,
            a.status.as_str(),
            position
        ])?;
        let id = tx.last_insert_rowid();
        for p in &a.places {
            insert_action_place.execute(params![id, p.as_str()])?;
        }
        if let Some(notes) = &a.outcome_notes {
            tx.prepare_cached("UPDATE actions SET outcome_notes = ?1 WHERE id = ?2")?
                .execute(params![notes, id])?;
        }
        for (position, row) in a.participants.iter().enumerate() {
            tx.prepare_cached(
                "INSERT INTO action_participants (action_id, group_id, gender, count, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                id,
                lookup(&keys.groups, "action participants group", &row.group)?,
                row.gender.as_str(),
                row.count,
                position
            ])?;
        }
    }
    for o in &records.forum_outcomes {
        super::forums::upsert_outcome(
            tx,
            lookup(&keys.sessions, "forum outcome session", &o.forum)?,
            lookup(&findings, "forum outcome finding", &o.finding)?,
            o,
        )?;
    }
    step(1, progress);
    Ok(())
}
