//! Reads, and the [`Store`] implementation tying reads and writes together.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row};
use sankore_domain::{
    Action, ActionStatus, AgeBand, Code, CodeKey, Codebook, Coding, CodingOrigin, CompositionCount,
    ConsentStatus, Coordinates, Document, DocumentKind, Finding, Gazetteer, Gender, Localized,
    Memo, MemoTarget, Participant, ParticipantCode, Place, PlaceCode, PlaceLevel, Quota,
    Recommendation, ResearchQuestion, Session, SessionKind, Span, StakeholderGroup, Study,
    StudyRecords, TeamMember, TextBody, Turn,
};
use std::collections::HashMap;

use super::{SqliteStore, check, write};
use crate::error::{Result, StoreError};
use crate::{CheckResult, Progress, Store};

/// Wraps a conversion failure of stored data.
fn stored<T>(
    what: &'static str,
    value: std::result::Result<T, impl std::fmt::Display>,
) -> Result<T> {
    value.map_err(|e| StoreError::Stored {
        what,
        detail: e.to_string(),
    })
}

fn date(what: &'static str, text: &str) -> Result<NaiveDate> {
    stored(what, text.parse::<NaiveDate>())
}

fn optional_date(what: &'static str, text: Option<String>) -> Result<Option<NaiveDate>> {
    text.map(|t| date(what, &t)).transpose()
}

/// A turn row: speaker, participant id, start and end offsets.
type StoredTurn = (String, Option<i64>, i64, i64);

fn offset(value: i64) -> Result<usize> {
    stored("text offset", usize::try_from(value))
}

impl SqliteStore {
    /// Runs `sql` (with `?1` bound to the study id) and maps each row.
    pub(super) fn rows<T>(
        &self,
        sql: &str,
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map([study], map)?
            .collect::<rusqlite::Result<Vec<T>>>()?;
        Ok(rows)
    }

    /// Like [`Self::rows`], with `?2` bound to `filter` (NULL when `None`).
    fn rows_with<T>(
        &self,
        sql: &str,
        filter: Option<&str>,
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map(rusqlite::params![study, filter], map)?
            .collect::<rusqlite::Result<Vec<T>>>()?;
        Ok(rows)
    }

    /// Documents with text and turns; all of them, or the one with code
    /// `only`.
    pub(super) fn documents_where(&self, only: Option<&str>) -> Result<Vec<Document>> {
        let _snapshot = self.snapshot()?;
        let participants = self.keys("SELECT id, code FROM participants WHERE study_id = ?1")?;
        let mut turns: HashMap<i64, Vec<StoredTurn>> = HashMap::new();
        for (doc, speaker, participant, start, end) in self.rows_with(
            "SELECT t.document_id, t.speaker, t.participant_id, t.start_offset, t.end_offset FROM turns t
             JOIN documents d ON d.id = t.document_id WHERE d.study_id = ?1 AND (?2 IS NULL OR d.code = ?2)
             ORDER BY t.document_id, t.position",
            only,
            |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )? {
            turns.entry(doc).or_default().push((speaker, participant, start, end));
        }
        let rows = self.rows_with(
            "SELECT d.id, d.code, s.code, d.title, d.kind, d.language, d.body FROM documents d
             LEFT JOIN sessions s ON s.id = d.session_id WHERE d.study_id = ?1 AND (?2 IS NULL OR d.code = ?2)
             ORDER BY d.code",
            only,
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(id, code, session, title, kind, language, body)| {
                let body = TextBody::new(&body);
                let turns = turns
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(speaker, participant, start, end)| {
                        Ok(Turn {
                            speaker,
                            participant: participant
                                .map(|p| Self::key_of(&participants, "turn participant", p))
                                .transpose()?
                                .map(|c| ParticipantCode::new(&c))
                                .transpose()?,
                            span: body.span(offset(start)?, offset(end)?)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Document::new(Document {
                    code,
                    session,
                    title,
                    kind: DocumentKind::parse(&kind)?,
                    language,
                    body,
                    turns,
                })?)
            })
            .collect()
    }

    /// Counts of people by group and gender, grouped by the id of what they
    /// belong to (a session, an action); `sql` selects owner id, group key,
    /// gender and count.
    fn counts_by_owner(&self, sql: &str) -> Result<HashMap<i64, Vec<CompositionCount>>> {
        let mut out: HashMap<i64, Vec<CompositionCount>> = HashMap::new();
        for (owner, group, gender, count) in self.rows(sql, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
            ))
        })? {
            out.entry(owner).or_default().push(CompositionCount {
                group,
                gender: Gender::parse(&gender)?,
                count,
            });
        }
        Ok(out)
    }

    /// Rows of `(owner id, text)` of the study (`?1`), each text made a `T`
    /// by `convert`, grouped by owner in the query's order.
    fn texts_by_owner<T>(
        &self,
        sql: &str,
        convert: impl Fn(String) -> Result<T>,
    ) -> Result<HashMap<i64, Vec<T>>> {
        let mut out: HashMap<i64, Vec<T>> = HashMap::new();
        for (owner, text) in
            self.rows(sql, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        {
            out.entry(owner).or_default().push(convert(text)?);
        }
        Ok(out)
    }

    /// Map from a row id to a code or key, for resolving references.
    fn keys(&self, sql: &str) -> Result<HashMap<i64, String>> {
        Ok(self
            .rows(sql, |r| Ok((r.get(0)?, r.get(1)?)))?
            .into_iter()
            .collect())
    }

    fn key_of(map: &HashMap<i64, String>, what: &'static str, id: i64) -> Result<String> {
        map.get(&id).cloned().ok_or_else(|| StoreError::Stored {
            what,
            detail: format!("dangling reference {id}"),
        })
    }
}

impl Store for SqliteStore {
    fn study(&self) -> Result<Option<Study>> {
        let Some(id) = self.study_id()? else {
            return Ok(None);
        };
        let row = self
            .conn
            .query_row(
                "SELECT name, start_date, end_date, languages, gazetteer_version FROM studies WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((name, start, end, languages, gazetteer)) = row else {
            return Ok(None);
        };
        let team = self.rows(
            "SELECT handle, role FROM team_members WHERE study_id = ?1 ORDER BY id",
            |r| {
                Ok(TeamMember {
                    handle: r.get(0)?,
                    role: r.get(1)?,
                })
            },
        )?;
        Ok(Some(Study::new(
            &name,
            date("study start", &start)?,
            date("study end", &end)?,
            team,
            write::parse_languages(&languages)?,
            &gazetteer,
        )?))
    }

    fn gazetteer(&self) -> Result<Gazetteer> {
        let rows = self.rows(
            "SELECT p.code, p.name, p.level, p.parent_code, p.valid_from, p.valid_to, p.lat, p.lon, s.gazetteer_version
             FROM places p JOIN studies s ON s.gazetteer_version = p.gazetteer_version
             WHERE s.id = ?1 ORDER BY p.position",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<f64>>(6)?,
                    r.get::<_, Option<f64>>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )?;
        let version = rows.first().map(|r| r.8.clone()).unwrap_or_default();
        let places = rows
            .into_iter()
            .map(|(code, name, level, parent, from, to, lat, lon, _)| {
                Ok(Place {
                    code: PlaceCode::new(&code)?,
                    name,
                    level: PlaceLevel::parse(&level)?,
                    parent: parent.as_deref().map(PlaceCode::new).transpose()?,
                    valid_from: date("place validity", &from)?,
                    valid_to: optional_date("place validity", to)?,
                    chef_lieu: match (lat, lon) {
                        (Some(lat), Some(lon)) => Some(Coordinates::new(lat, lon)?),
                        _ => None,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Gazetteer::new(&version, places)?)
    }

    fn research_questions(&self) -> Result<Vec<ResearchQuestion>> {
        self.rows(
            "SELECT number, text_fr, text_en FROM research_questions WHERE study_id = ?1 ORDER BY number",
            |r| {
                Ok(ResearchQuestion {
                    number: r.get(0)?,
                    text: Localized::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                })
            },
        )
    }

    fn groups(&self) -> Result<Vec<StakeholderGroup>> {
        self.rows(
            "SELECT key, name, label_fr, label_en FROM stakeholder_groups WHERE study_id = ?1 ORDER BY position",
            |r| {
                Ok(StakeholderGroup {
                    key: r.get(0)?,
                    name: r.get(1)?,
                    label: Localized::new(r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                })
            },
        )
    }

    fn quotas(&self) -> Result<Vec<Quota>> {
        let rows = self.rows(
            "SELECT q.place_code, g.key, q.gender, q.target FROM quotas q
             JOIN stakeholder_groups g ON g.id = q.group_id
             WHERE q.study_id = ?1 ORDER BY q.place_code, g.position, q.gender",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(place, group, gender, target)| {
                Ok(Quota {
                    place: PlaceCode::new(&place)?,
                    group,
                    gender: Gender::parse(&gender)?,
                    target,
                })
            })
            .collect()
    }

    fn participants(&self) -> Result<Vec<Participant>> {
        let rows = self.rows(
            "SELECT p.code, p.gender, p.age_band, g.key, p.place_code, p.consent FROM participants p
             JOIN stakeholder_groups g ON g.id = p.group_id
             WHERE p.study_id = ?1 ORDER BY p.code",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(code, gender, age, group, place, consent)| {
                Ok(Participant {
                    code: ParticipantCode::new(&code)?,
                    gender: Gender::parse(&gender)?,
                    age_band: AgeBand::parse(&age)?,
                    group,
                    place: PlaceCode::new(&place)?,
                    consent: ConsentStatus::parse(&consent)?,
                })
            })
            .collect()
    }

    fn sessions(&self) -> Result<Vec<Session>> {
        let _snapshot = self.snapshot()?;
        let mut facilitators = self.texts_by_owner(
            "SELECT f.session_id, m.handle FROM session_facilitators f
             JOIN team_members m ON m.id = f.member_id WHERE m.study_id = ?1 ORDER BY m.id",
            Ok,
        )?;
        let mut attendees = self.texts_by_owner(
            "SELECT sp.session_id, p.code FROM session_participants sp
             JOIN participants p ON p.id = sp.participant_id WHERE p.study_id = ?1 ORDER BY sp.position",
            |code| Ok(ParticipantCode::new(&code)?),
        )?;
        let mut composition = self.counts_by_owner(
            "SELECT c.session_id, g.key, c.gender, c.count FROM session_composition c
             JOIN stakeholder_groups g ON g.id = c.group_id WHERE g.study_id = ?1 ORDER BY c.position",
        )?;
        let rows = self.rows(
            "SELECT id, code, kind, place_code, date, declared_total FROM sessions WHERE study_id = ?1 ORDER BY date, code",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<u32>>(5)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(id, code, kind, place, day, declared_total)| {
                Ok(Session::new(Session {
                    code,
                    kind: SessionKind::parse(&kind)?,
                    place: PlaceCode::new(&place)?,
                    date: date("session date", &day)?,
                    facilitators: facilitators.remove(&id).unwrap_or_default(),
                    participants: attendees.remove(&id).unwrap_or_default(),
                    composition: composition.remove(&id).unwrap_or_default(),
                    declared_total,
                })?)
            })
            .collect()
    }

    fn documents(&self) -> Result<Vec<Document>> {
        self.documents_where(None)
    }

    fn codebook(&self) -> Result<Codebook> {
        let _snapshot = self.snapshot()?;
        let study = self.require_study()?;
        let (version, label): (u32, String) = self
            .conn
            .query_row(
                "SELECT version, label FROM codebook_versions WHERE study_id = ?1 ORDER BY version DESC LIMIT 1",
                [study],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, "—".to_owned()));
        let keys = self.keys("SELECT id, key FROM codes WHERE study_id = ?1")?;
        let rows = self.rows(
            "SELECT key, parent_id, name_fr, name_en, description_fr, description_en, color, research_questions
             FROM codes WHERE study_id = ?1 ORDER BY position",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )?;
        let codes = rows
            .into_iter()
            .map(
                |(key, parent, name_fr, name_en, desc_fr, desc_en, color, rqs)| {
                    Ok(Code {
                        key: CodeKey::new(&key)?,
                        parent: parent
                            .map(|p| Self::key_of(&keys, "parent code", p))
                            .transpose()?
                            .map(|k| CodeKey::new(&k))
                            .transpose()?,
                        name: Localized::new(name_fr, name_en),
                        description: Localized::new(desc_fr, desc_en),
                        color: sankore_domain::Color::parse(&color)?,
                        research_questions: rqs
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(|s| stored("code research question", s.parse::<u8>()))
                            .collect::<Result<_>>()?,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        let rq_count: u8 = self.conn.query_row(
            "SELECT count(*) FROM research_questions WHERE study_id = ?1",
            [study],
            |r| r.get(0),
        )?;
        Ok(Codebook::new(version, &label, codes, rq_count)?)
    }

    fn codings(&self) -> Result<Vec<Coding>> {
        let rows = self.rows(
            "SELECT d.code, c.start_offset, c.end_offset, k.key, c.coder, c.memo, c.origin, d.char_len
             FROM codings c JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id
             WHERE d.study_id = ?1 ORDER BY d.code, c.start_offset, c.end_offset, c.id",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(document, start, end, code, coder, memo, origin, len)| {
                Ok(Coding {
                    document,
                    span: Span::new(offset(start)?, offset(end)?, offset(len)?)?,
                    code: CodeKey::new(&code)?,
                    coder,
                    memo,
                    origin: CodingOrigin::parse(&origin)?,
                })
            })
            .collect()
    }

    fn memos(&self) -> Result<Vec<Memo>> {
        let rows = self.rows(
            "SELECT title, body, author, target_kind, target_key FROM memos WHERE study_id = ?1 ORDER BY id",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(title, body, author, kind, key)| {
                let target = match (kind.as_str(), key) {
                    ("study", _) => MemoTarget::Study,
                    ("document", Some(k)) => MemoTarget::Document(k),
                    ("code", Some(k)) => MemoTarget::Code(CodeKey::new(&k)?),
                    (other, _) => {
                        return Err(StoreError::Stored {
                            what: "memo target",
                            detail: format!("{other} without a key"),
                        });
                    }
                };
                Ok(Memo {
                    title,
                    body: TextBody::new(&body),
                    author,
                    target,
                })
            })
            .collect()
    }

    fn findings(&self) -> Result<Vec<Finding>> {
        let _snapshot = self.snapshot()?;
        let mut places = self.texts_by_owner(
            "SELECT fp.finding_id, fp.place_code FROM finding_places fp
             JOIN findings f ON f.id = fp.finding_id WHERE f.study_id = ?1 ORDER BY fp.place_code",
            |code| Ok(PlaceCode::new(&code)?),
        )?;
        let mut codes = self.texts_by_owner(
            "SELECT fc.finding_id, k.key FROM finding_codes fc JOIN codes k ON k.id = fc.code_id
             WHERE k.study_id = ?1 ORDER BY k.position",
            |key| Ok(CodeKey::new(&key)?),
        )?;
        let rows = self.rows(
            "SELECT id, key, statement_fr, statement_en, research_question FROM findings WHERE study_id = ?1 ORDER BY position",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u8>(4)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(id, key, fr, en, rq)| {
                Ok(Finding::new(Finding {
                    key,
                    statement: Localized::new(fr, en),
                    research_question: rq,
                    places: places.remove(&id).unwrap_or_default(),
                    codes: codes.remove(&id).unwrap_or_default(),
                })?)
            })
            .collect()
    }

    fn recommendations(&self) -> Result<Vec<Recommendation>> {
        let _snapshot = self.snapshot()?;
        let mut findings = self.texts_by_owner(
            "SELECT rf.recommendation_id, f.key FROM recommendation_findings rf
             JOIN findings f ON f.id = rf.finding_id WHERE f.study_id = ?1 ORDER BY f.position",
            Ok,
        )?;
        let mut roles: HashMap<i64, Vec<(String, Localized)>> = HashMap::new();
        for (id, stakeholder, fr, en) in self.rows(
            "SELECT rr.recommendation_id, rr.stakeholder, rr.role_fr, rr.role_en FROM recommendation_roles rr
             JOIN recommendations r ON r.id = rr.recommendation_id WHERE r.study_id = ?1 ORDER BY rr.position",
            |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)),
        )? {
            roles.entry(id).or_default().push((stakeholder, Localized::new(fr, en)));
        }
        self.rows(
            "SELECT id, key, text_fr, text_en FROM recommendations WHERE study_id = ?1 ORDER BY position",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?
        .into_iter()
        .map(|(id, key, fr, en)| {
            Ok(Recommendation {
                key,
                text: Localized::new(fr, en),
                findings: findings.remove(&id).unwrap_or_default(),
                roles: roles.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
    }

    fn actions(&self) -> Result<Vec<Action>> {
        let _snapshot = self.snapshot()?;
        let mut places = self.texts_by_owner(
            "SELECT ap.action_id, ap.place_code FROM action_places ap
             JOIN actions a ON a.id = ap.action_id WHERE a.study_id = ?1 ORDER BY ap.place_code",
            |code| Ok(PlaceCode::new(&code)?),
        )?;
        let mut participants = self.counts_by_owner(
            "SELECT p.action_id, g.key, p.gender, p.count FROM action_participants p
             JOIN stakeholder_groups g ON g.id = p.group_id WHERE g.study_id = ?1 ORDER BY p.position",
        )?;
        let rows = self.rows(
            "SELECT a.id, a.key, a.title_fr, a.title_en, r.key, a.start_date, a.due_date, a.responsible, a.status, a.outcome_notes
             FROM actions a LEFT JOIN recommendations r ON r.id = a.recommendation_id
             WHERE a.study_id = ?1 ORDER BY a.position",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(
                |(id, key, fr, en, recommendation, start, due, responsible, status, notes)| {
                    Ok(Action {
                        key,
                        title: Localized::new(fr, en),
                        recommendation,
                        places: places.remove(&id).unwrap_or_default(),
                        start: optional_date("action start", start)?,
                        due: optional_date("action due date", due)?,
                        responsible,
                        status: ActionStatus::parse(&status)?,
                        participants: participants.remove(&id).unwrap_or_default(),
                        outcome_notes: notes,
                    })
                },
            )
            .collect()
    }

    fn create_study(&mut self, study: &Study, gazetteer: &Gazetteer) -> Result<()> {
        let tx = self.write_transaction()?;
        write::insert_study(&tx, study, gazetteer)?;
        tx.commit()?;
        Ok(())
    }

    fn import_study(&mut self, records: &StudyRecords, progress: Progress<'_>) -> Result<()> {
        let tx = self.write_transaction()?;
        write::import_study(&tx, records, progress)?;
        tx.commit()?;
        Ok(())
    }

    fn check(&self) -> Result<Vec<CheckResult>> {
        check::run(self)
    }
}
