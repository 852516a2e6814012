//! A study's codings indexed for fast queries.
//!
//! Every record a query groups by (code, coder, document, session, place,
//! participant, stakeholder group) is interned to a dense `u32` id, and the
//! codings are stored column-wise ("struct of arrays"), sorted by document
//! then position. Queries then run over flat integer arrays, never over
//! string maps: a matrix over a million codings touches a few megabytes.

use std::collections::HashMap;

use chrono::NaiveDate;
use sankore_domain::{
    AgeBand, CodeKey, Codebook, Coding, Document, Gazetteer, Gender, Localized, Participant,
    ParticipantCode, PlaceCode, Session, SessionKind, StakeholderGroup,
};
use sankore_store::Store;
use serde::Serialize;

use crate::error::{AnalysisError, Result, to_u32};

/// The id standing for "none" in the id columns.
pub const NONE: u32 = u32::MAX;

/// A code of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    /// Stable key, such as `push.economic.jobs`.
    pub key: CodeKey,
    /// Names in French and English.
    pub name: Localized,
    /// Id of the parent code, [`NONE`] for a top-level code.
    pub parent: u32,
    /// Research questions the code helps answer.
    pub research_questions: Vec<u8>,
}

/// A document, without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Stable code, such as `TBK-INT-023-T`.
    pub code: String,
    /// Id of the session it records, [`NONE`] if none.
    pub session: u32,
    /// Length in Unicode scalars.
    pub char_len: usize,
}

/// A session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Stable code, such as `TBK-FGD-02`.
    pub code: String,
    /// Interview, focus group, forum or roundtable.
    pub kind: SessionKind,
    /// Day it took place.
    pub date: NaiveDate,
    /// Id in [`Corpus::places`].
    pub place: u32,
    /// Id in [`Corpus::cercles`].
    pub cercle: u32,
    /// Ids of the registered participants who took part.
    pub participants: Vec<u32>,
}

/// A place (a commune or a cercle) or a cercle, by code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceInfo {
    /// Gazetteer code.
    pub code: String,
    /// Name in the gazetteer (the code when the gazetteer lacks it).
    pub name: String,
}

/// A registered participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantInfo {
    /// Pseudonymous code.
    pub code: ParticipantCode,
    /// Recorded gender.
    pub gender: Gender,
    /// Recorded age band.
    pub age_band: AgeBand,
    /// Id in [`Corpus::groups`], [`NONE`] when the group is unknown.
    pub group: u32,
}

/// Someone whose words were coded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Speaker {
    /// A registered participant, by id in [`Corpus::participants`].
    Participant(u32),
    /// An unregistered member of a focus group, known by the speaker label
    /// of the transcript (such as `P3 (jeune femme)`) inside one session.
    FocusGroupMember {
        /// Session id.
        session: u32,
        /// The label as written.
        label: String,
    },
}

/// The codings, column-wise, sorted by document, start, end, code, coder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Codings {
    /// Document id of each coding.
    pub document: Vec<u32>,
    /// Start offset (Unicode scalars, inclusive).
    pub start: Vec<u32>,
    /// End offset (exclusive).
    pub end: Vec<u32>,
    /// Code id.
    pub code: Vec<u32>,
    /// Coder id.
    pub coder: Vec<u32>,
    /// Speaker id of the turn the coding starts in, [`NONE`] outside any
    /// attributable turn.
    pub speaker: Vec<u32>,
}

impl Codings {
    /// Number of codings.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }
}

/// What a corpus is built from.
#[derive(Debug, Clone, Copy)]
pub struct CorpusInput<'a> {
    /// The codebook; codings of codes outside it are skipped.
    pub codebook: &'a Codebook,
    /// The gazetteer, to roll places up to cercles.
    pub gazetteer: &'a Gazetteer,
    /// Stakeholder groups, in the study's order.
    pub groups: &'a [StakeholderGroup],
    /// Registered participants.
    pub participants: &'a [Participant],
    /// Sessions.
    pub sessions: &'a [Session],
    /// Documents (their turns say who speaks where).
    pub documents: &'a [Document],
    /// Codings; those of unknown documents or codes are skipped.
    pub codings: &'a [Coding],
}

/// A study's codings and the records they refer to, interned.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Codes in codebook order; a code's id is its index.
    pub codes: Vec<CodeInfo>,
    /// Coder handles, sorted.
    pub coders: Vec<String>,
    /// Documents, in the order given.
    pub documents: Vec<DocumentInfo>,
    /// Sessions, in the order given.
    pub sessions: Vec<SessionInfo>,
    /// Places where sessions took place, in gazetteer order.
    pub places: Vec<PlaceInfo>,
    /// Cercles where sessions took place, in gazetteer order.
    pub cercles: Vec<PlaceInfo>,
    /// Registered participants, in the order given.
    pub participants: Vec<ParticipantInfo>,
    /// Stakeholder groups, in the study's order.
    pub groups: Vec<StakeholderGroup>,
    /// Speakers: every registered participant first (speaker id =
    /// participant id), then focus-group members met in coded turns.
    pub speakers: Vec<Speaker>,
    /// The codings.
    pub codings: Codings,
    /// Codings skipped because their document or code is unknown.
    pub skipped: usize,
    code_index: HashMap<CodeKey, u32>,
    coder_index: HashMap<String, u32>,
    document_index: HashMap<String, u32>,
}

/// Position of a place in the gazetteer, for ordering (unknown places last).
fn gazetteer_rank(gazetteer: &Gazetteer, code: &str) -> usize {
    gazetteer
        .places()
        .iter()
        .position(|p| p.code.as_str() == code)
        .unwrap_or(usize::MAX)
}

/// Interns place codes in gazetteer order.
fn intern_places(
    gazetteer: &Gazetteer,
    codes: Vec<String>,
) -> (Vec<PlaceInfo>, HashMap<String, u32>) {
    let mut codes = codes;
    codes.sort_by_key(|c| (gazetteer_rank(gazetteer, c), c.clone()));
    codes.dedup();
    let places: Vec<PlaceInfo> = codes
        .into_iter()
        .map(|code| {
            let name = PlaceCode::new(&code)
                .ok()
                .and_then(|pc| gazetteer.get(&pc).map(|p| p.name.clone()))
                .unwrap_or_else(|| code.clone());
            PlaceInfo { code, name }
        })
        .collect();
    let index = places
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.code.clone(), u32::try_from(i).ok()?)))
        .collect();
    (places, index)
}

impl Corpus {
    /// Interns the records and sorts the codings.
    pub fn build(input: &CorpusInput<'_>) -> Result<Corpus> {
        let book = input.codebook.codes();
        let mut code_index = HashMap::with_capacity(book.len());
        for (i, c) in book.iter().enumerate() {
            code_index.insert(c.key.clone(), to_u32(i, "codes")?);
        }
        let codes: Vec<CodeInfo> = book
            .iter()
            .map(|c| CodeInfo {
                key: c.key.clone(),
                name: c.name.clone(),
                parent: c
                    .parent
                    .as_ref()
                    .and_then(|p| code_index.get(p).copied())
                    .unwrap_or(NONE),
                research_questions: c.research_questions.clone(),
            })
            .collect();

        let mut group_index: HashMap<&str, u32> = HashMap::new();
        for (i, g) in input.groups.iter().enumerate() {
            group_index.insert(g.key.as_str(), to_u32(i, "groups")?);
        }
        let mut participant_index: HashMap<&ParticipantCode, u32> = HashMap::new();
        let mut participants = Vec::with_capacity(input.participants.len());
        for (i, p) in input.participants.iter().enumerate() {
            participant_index.insert(&p.code, to_u32(i, "participants")?);
            participants.push(ParticipantInfo {
                code: p.code.clone(),
                gender: p.gender,
                age_band: p.age_band,
                group: group_index.get(p.group.as_str()).copied().unwrap_or(NONE),
            });
        }

        let cercle_code = |place: &PlaceCode| {
            input
                .gazetteer
                .cercle_of(place)
                .map(|p| p.code.as_str().to_owned())
                .unwrap_or_else(|| place.as_str().to_owned())
        };
        let (places, place_index) = intern_places(
            input.gazetteer,
            input
                .sessions
                .iter()
                .map(|s| s.place.as_str().to_owned())
                .collect(),
        );
        let (cercles, cercle_index) = intern_places(
            input.gazetteer,
            input
                .sessions
                .iter()
                .map(|s| cercle_code(&s.place))
                .collect(),
        );
        let mut session_index: HashMap<&str, u32> = HashMap::new();
        let mut sessions = Vec::with_capacity(input.sessions.len());
        for (i, s) in input.sessions.iter().enumerate() {
            session_index.insert(s.code.as_str(), to_u32(i, "sessions")?);
            sessions.push(SessionInfo {
                code: s.code.clone(),
                kind: s.kind,
                date: s.date,
                place: place_index.get(s.place.as_str()).copied().unwrap_or(NONE),
                cercle: cercle_index
                    .get(&cercle_code(&s.place))
                    .copied()
                    .unwrap_or(NONE),
                participants: s
                    .participants
                    .iter()
                    .filter_map(|p| participant_index.get(p).copied())
                    .collect(),
            });
        }

        let mut document_index = HashMap::with_capacity(input.documents.len());
        let mut documents = Vec::with_capacity(input.documents.len());
        for (i, d) in input.documents.iter().enumerate() {
            document_index.insert(d.code.clone(), to_u32(i, "documents")?);
            documents.push(DocumentInfo {
                code: d.code.clone(),
                session: d
                    .session
                    .as_deref()
                    .and_then(|s| session_index.get(s).copied())
                    .unwrap_or(NONE),
                char_len: d.body.char_len(),
            });
        }

        let mut coders: Vec<String> = input.codings.iter().map(|c| c.coder.clone()).collect();
        coders.sort_unstable();
        coders.dedup();
        let mut coder_index = HashMap::with_capacity(coders.len());
        for (i, c) in coders.iter().enumerate() {
            coder_index.insert(c.clone(), to_u32(i, "coders")?);
        }

        let mut speakers: Vec<Speaker> = (0..participants.len())
            .filter_map(|i| Some(Speaker::Participant(u32::try_from(i).ok()?)))
            .collect();
        let mut member_index: HashMap<(u32, &str), u32> = HashMap::new();

        // Rows of (document, start, end, code, coder, speaker), then sorted.
        let mut rows: Vec<[u32; 6]> = Vec::with_capacity(input.codings.len());
        let mut skipped = 0;
        for coding in input.codings {
            let (Some(&doc), Some(&code)) = (
                document_index.get(coding.document.as_str()),
                code_index.get(&coding.code),
            ) else {
                skipped += 1;
                continue;
            };
            let coder = coder_index
                .get(coding.coder.as_str())
                .copied()
                .unwrap_or(NONE);
            let document = &input.documents[doc as usize];
            let start = coding.span.start();
            let turns = &document.turns;
            let t = turns.partition_point(|t| t.span.end() <= start);
            let speaker = match turns.get(t) {
                Some(turn) if turn.span.start() <= start => match &turn.participant {
                    Some(p) => participant_index.get(p).copied().unwrap_or(NONE),
                    None => {
                        let session = documents[doc as usize].session;
                        let in_focus_group = sessions
                            .get(session as usize)
                            .is_some_and(|s| s.kind == SessionKind::FocusGroup);
                        if in_focus_group {
                            let next = to_u32(speakers.len(), "speakers")?;
                            let id = *member_index
                                .entry((session, turn.speaker.as_str()))
                                .or_insert(next);
                            if id == next {
                                speakers.push(Speaker::FocusGroupMember {
                                    session,
                                    label: turn.speaker.clone(),
                                });
                            }
                            id
                        } else {
                            NONE
                        }
                    }
                },
                _ => NONE,
            };
            rows.push([
                doc,
                to_u32(start, "characters")?,
                to_u32(coding.span.end(), "characters")?,
                code,
                coder,
                speaker,
            ]);
        }
        rows.sort_unstable();
        let mut codings = Codings::default();
        for [doc, start, end, code, coder, speaker] in rows {
            codings.document.push(doc);
            codings.start.push(start);
            codings.end.push(end);
            codings.code.push(code);
            codings.coder.push(coder);
            codings.speaker.push(speaker);
        }

        Ok(Corpus {
            codes,
            coders,
            documents,
            sessions,
            places,
            cercles,
            participants,
            groups: input.groups.to_vec(),
            speakers,
            codings,
            skipped,
            code_index,
            coder_index,
            document_index,
        })
    }

    /// Loads the records a corpus needs from a store and builds it.
    pub fn from_store(store: &impl Store) -> Result<Corpus> {
        if store.study()?.is_none() {
            return Err(AnalysisError::NoStudy);
        }
        let codebook = store.codebook()?;
        let gazetteer = store.gazetteer()?;
        let groups = store.groups()?;
        let participants = store.participants()?;
        let sessions = store.sessions()?;
        let documents = store.documents()?;
        let codings = store.codings()?;
        Corpus::build(&CorpusInput {
            codebook: &codebook,
            gazetteer: &gazetteer,
            groups: &groups,
            participants: &participants,
            sessions: &sessions,
            documents: &documents,
            codings: &codings,
        })
    }

    /// Id of a code.
    pub fn code_id(&self, key: &CodeKey) -> Option<u32> {
        self.code_index.get(key).copied()
    }

    /// Id of a code given as text, or an error naming it.
    pub fn require_code(&self, key: &str) -> Result<u32> {
        CodeKey::new(key)
            .ok()
            .and_then(|k| self.code_id(&k))
            .ok_or_else(|| AnalysisError::UnknownCode(key.to_owned()))
    }

    /// Whether code `code` lies under `ancestor` (at any depth, not itself).
    pub fn is_under(&self, code: u32, ancestor: u32) -> bool {
        let mut cursor = self.codes.get(code as usize).map_or(NONE, |c| c.parent);
        let mut steps = 0;
        while cursor != NONE && steps <= self.codes.len() {
            if cursor == ancestor {
                return true;
            }
            cursor = self.codes.get(cursor as usize).map_or(NONE, |c| c.parent);
            steps += 1;
        }
        false
    }

    /// The keys of the codes under `root` (at any depth, not itself), in
    /// codebook order, or an error naming an unknown root.
    pub fn codes_under(&self, root: &str) -> Result<Vec<CodeKey>> {
        let id = self.require_code(root)?;
        Ok(self
            .codes
            .iter()
            .enumerate()
            .filter(|(i, _)| u32::try_from(*i).is_ok_and(|i| self.is_under(i, id)))
            .map(|(_, c)| c.key.clone())
            .collect())
    }

    /// Id of a coder.
    pub fn coder_id(&self, handle: &str) -> Option<u32> {
        self.coder_index.get(handle).copied()
    }

    /// Id of a document.
    pub fn document_id(&self, code: &str) -> Option<u32> {
        self.document_index.get(code).copied()
    }

    /// The session of a document, if any.
    pub fn session_of(&self, document: u32) -> Option<&SessionInfo> {
        let d = self.documents.get(document as usize)?;
        self.sessions.get(d.session as usize)
    }

    /// A coding as a reference a person can follow.
    pub fn coding_ref(&self, i: usize) -> Option<CodingRef> {
        let c = &self.codings;
        let doc = self.documents.get(*c.document.get(i)? as usize)?;
        Some(CodingRef {
            document: doc.code.clone(),
            start: *c.start.get(i)? as usize,
            end: *c.end.get(i)? as usize,
            code: self.codes.get(*c.code.get(i)? as usize)?.key.to_string(),
            coder: self
                .coders
                .get(*c.coder.get(i)? as usize)
                .cloned()
                .unwrap_or_default(),
            speaker: self.speaker_label(*c.speaker.get(i)?),
        })
    }

    /// How a speaker is shown: the participant code, or `SESSION/label` for
    /// a focus-group member.
    pub fn speaker_label(&self, speaker: u32) -> Option<String> {
        match self.speakers.get(speaker as usize)? {
            Speaker::Participant(p) => Some(self.participants.get(*p as usize)?.code.to_string()),
            Speaker::FocusGroupMember { session, label } => Some(format!(
                "{}/{label}",
                self.sessions.get(*session as usize)?.code
            )),
        }
    }

    /// Which coders to include: all when `None`; an error names a coder
    /// without codings.
    pub fn coder_mask(&self, coders: Option<&[String]>) -> Result<Vec<bool>> {
        match coders {
            None => Ok(vec![true; self.coders.len()]),
            Some(list) => {
                let mut mask = vec![false; self.coders.len()];
                for handle in list {
                    let id = self
                        .coder_id(handle)
                        .ok_or_else(|| AnalysisError::UnknownCoder(handle.clone()))?;
                    mask[id as usize] = true;
                }
                Ok(mask)
            }
        }
    }

    /// Which documents to include: those of sessions of the given kinds,
    /// or all when `None` (documents without a session only then).
    pub fn document_mask(&self, kinds: Option<&[SessionKind]>) -> Vec<bool> {
        self.documents
            .iter()
            .map(|d| match kinds {
                None => true,
                Some(kinds) => self
                    .sessions
                    .get(d.session as usize)
                    .is_some_and(|s| kinds.contains(&s.kind)),
            })
            .collect()
    }
}

/// A coding, by document code and offsets: what a drill-down returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodingRef {
    /// Document code.
    pub document: String,
    /// Start offset (Unicode scalars).
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// Code key.
    pub code: String,
    /// Coder handle.
    pub coder: String,
    /// Who spoke: a participant code, `SESSION/label` for a focus-group
    /// member, absent outside attributable turns.
    pub speaker: Option<String>,
}

/// Which codings a query looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Coders to include (all when `None`).
    pub coders: Option<Vec<String>>,
    /// Session kinds to include (all documents when `None`).
    pub kinds: Option<Vec<SessionKind>>,
}

impl Filter {
    /// A per-coding predicate over ids, checked against the corpus.
    pub(crate) fn compile(&self, corpus: &Corpus) -> Result<CompiledFilter> {
        Ok(CompiledFilter {
            coders: corpus.coder_mask(self.coders.as_deref())?,
            documents: corpus.document_mask(self.kinds.as_deref()),
        })
    }
}

/// A [`Filter`] turned into lookup tables.
pub(crate) struct CompiledFilter {
    coders: Vec<bool>,
    documents: Vec<bool>,
}

impl CompiledFilter {
    /// Whether coding `i` of the corpus passes.
    #[inline]
    pub(crate) fn keeps(&self, corpus: &Corpus, i: usize) -> bool {
        let c = &corpus.codings;
        self.documents
            .get(c.document[i] as usize)
            .copied()
            .unwrap_or(false)
            && self
                .coders
                .get(c.coder[i] as usize)
                .copied()
                .unwrap_or(false)
    }
}
