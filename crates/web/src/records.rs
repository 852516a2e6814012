//! Participants and sessions: lists with filters, detail pages, creating
//! and editing them, and typing a transcript with speaker turns.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use sankore_domain::{
    AgeBand, CompositionCount, ConsentStatus, Document, DocumentKind, Gazetteer, Gender,
    Participant, ParticipantCode, Permission, PlaceCode, PlaceLevel, Session, SessionKind,
    StakeholderGroup,
};
use sankore_i18n::Msg;
use sankore_store::{CodingStore, DocumentSummary, RecordStore, Store, VaultStore};
use serde::Deserialize;

use crate::AppState;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, render};

/// A place in a picker.
pub struct PlaceOption {
    pub code: String,
    pub label: String,
}

pub(crate) fn place_options(gazetteer: &Gazetteer) -> Vec<PlaceOption> {
    gazetteer
        .places()
        .iter()
        .filter(|p| p.level != PlaceLevel::Region)
        .map(|p| PlaceOption {
            code: p.code.to_string(),
            label: match p.level {
                PlaceLevel::Commune => format!("— {}", p.name),
                _ => p.name.clone(),
            },
        })
        .collect()
}

fn place_name(gazetteer: &Gazetteer, code: &PlaceCode) -> String {
    gazetteer
        .get(code)
        .map_or_else(|| code.to_string(), |p| p.name.clone())
}

/// Filters of the participant list.
#[derive(Debug, Deserialize, Default)]
pub struct ParticipantFilter {
    lang: Option<String>,
    group: Option<String>,
    place: Option<String>,
    gender: Option<String>,
}

/// A participant row.
pub struct ParticipantRow {
    pub participant: Participant,
    pub place: String,
    pub group: String,
}

#[derive(Template)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    chrome: Chrome,
    rows: Vec<ParticipantRow>,
    groups: Vec<StakeholderGroup>,
    places: Vec<PlaceOption>,
    filter_group: String,
    filter_place: String,
    filter_gender: String,
    genders: &'static [Gender],
    ages: &'static [AgeBand],
    consents: &'static [ConsentStatus],
}

/// `GET /participants`: pseudonymous participants, filtered.
pub async fn participants(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(filter): Query<ParticipantFilter>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadParticipants)?;
    let query = crate::pages::LangQuery::from(filter.lang.clone());
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (participants, groups, gazetteer) = state
        .with_store(|store| Ok((store.participants()?, store.groups()?, store.gazetteer()?)))
        .await?;
    let wanted = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
    let (group, place, gender) = (
        wanted(&filter.group),
        wanted(&filter.place),
        wanted(&filter.gender),
    );
    let rows = participants
        .into_iter()
        .filter(|p| group.as_ref().is_none_or(|g| &p.group == g))
        .filter(|p| gender.as_ref().is_none_or(|g| p.gender.as_str() == g))
        .filter(|p| {
            place.as_ref().is_none_or(|wanted| {
                p.place.as_str() == wanted
                    || gazetteer
                        .cercle_of(&p.place)
                        .is_some_and(|c| c.code.as_str() == wanted)
            })
        })
        .map(|p| ParticipantRow {
            place: place_name(&gazetteer, &p.place),
            group: groups
                .iter()
                .find(|g| g.key == p.group)
                .map_or_else(|| p.group.clone(), |g| g.label.get(chrome.lang).to_owned()),
            participant: p,
        })
        .collect();
    let page = ParticipantsPage {
        rows,
        places: place_options(&gazetteer),
        groups,
        filter_group: group.unwrap_or_default(),
        filter_place: place.unwrap_or_default(),
        filter_gender: gender.unwrap_or_default(),
        genders: Gender::ALL,
        ages: AgeBand::ALL,
        consents: ConsentStatus::ALL,
        chrome,
    };
    render(&page, &query)
}

/// Fields of the participant form.
#[derive(Debug, Deserialize)]
pub struct ParticipantForm {
    csrf: Option<String>,
    code: String,
    gender: String,
    age_band: String,
    group: String,
    place: String,
    consent: String,
    /// Identity fields of the registration form, sealed into the vault.
    #[serde(default)]
    identity_name: Option<String>,
    #[serde(default)]
    identity_phone: Option<String>,
    #[serde(default)]
    identity_location: Option<String>,
}

impl ParticipantForm {
    /// The identity typed in the registration form, if any (a phone or a
    /// place without a name is refused: the vault keys on the person).
    fn identity(&self) -> Result<Option<sankore_store::Identity>, AppError> {
        sankore_store::Identity::from_fields(
            self.identity_name.as_deref(),
            self.identity_phone.as_deref(),
            self.identity_location.as_deref(),
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))
    }

    fn participant(&self) -> Result<Participant, AppError> {
        Ok(Participant {
            code: ParticipantCode::new(self.code.trim())?,
            gender: Gender::parse(&self.gender)?,
            age_band: AgeBand::parse(&self.age_band)?,
            group: self.group.clone(),
            place: PlaceCode::new(&self.place)?,
            consent: ConsentStatus::parse(&self.consent)?,
        })
    }
}

/// `POST /participants`: registers a participant from the field; the
/// identity fields, when filled, go straight into the vault, sealed (the
/// store checks the role again).
pub async fn create_participant(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ParticipantForm>,
) -> Result<Response, PageError> {
    user.authorize_post(
        &headers,
        form.csrf.as_deref(),
        Permission::RegisterParticipants,
    )?;
    let participant = form.participant()?;
    let identity = form.identity()?;
    let code = participant.code.to_string();
    let account = user.account.clone();
    state
        .with_store(move |store| {
            store.register_participant(&account, &participant, identity.as_ref())
        })
        .await?;
    if user.account.role.allows(Permission::ReadParticipants) {
        Ok(Redirect::to(&format!("/participants/{code}")).into_response())
    } else {
        Ok(Redirect::to(&format!("/participants/new?registered={code}")).into_response())
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    registered: Option<String>,
    groups: Vec<StakeholderGroup>,
    places: Vec<PlaceOption>,
    genders: &'static [Gender],
    ages: &'static [AgeBand],
    consents: &'static [ConsentStatus],
}

/// `?registered=` after a registration, and `?lang=`.
#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    lang: Option<String>,
    registered: Option<String>,
}

/// `GET /participants/new`: the registration form for field staff
/// (coordinators, researchers, facilitators).
pub async fn register_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::RegisterParticipants)?;
    let query = crate::pages::LangQuery::from(params.lang.clone());
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (groups, gazetteer) = state
        .with_store(|store| Ok((store.groups()?, store.gazetteer()?)))
        .await?;
    let registered = params
        .registered
        .filter(|c| ParticipantCode::new(c).is_ok());
    let page = RegisterPage {
        chrome,
        registered,
        places: place_options(&gazetteer),
        groups,
        genders: Gender::ALL,
        ages: AgeBand::ALL,
        consents: ConsentStatus::ALL,
    };
    render(&page, &query)
}

/// `POST /participants/{code}`: edits a participant's attributes.
pub async fn update_participant(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(mut form): axum::Form<ParticipantForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::EditRecords)?;
    form.code = code;
    let participant = form.participant()?;
    let code = participant.code.to_string();
    state
        .with_store(move |store| store.update_participant(&participant))
        .await?;
    Ok(Redirect::to(&format!("/participants/{code}")).into_response())
}

#[derive(Template)]
#[template(path = "participant.html")]
struct ParticipantPage {
    chrome: Chrome,
    participant: Participant,
    place: String,
    sessions: Vec<Session>,
    groups: Vec<StakeholderGroup>,
    places: Vec<PlaceOption>,
    genders: &'static [Gender],
    ages: &'static [AgeBand],
    consents: &'static [ConsentStatus],
}

/// `GET /participants/{code}`.
pub async fn participant(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<crate::pages::LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadParticipants)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (participants, sessions, groups, gazetteer) = state
        .with_store(|store| {
            Ok((
                store.participants()?,
                store.sessions()?,
                store.groups()?,
                store.gazetteer()?,
            ))
        })
        .await?;
    let participant = participants
        .into_iter()
        .find(|p| p.code.as_str() == code)
        .ok_or(AppError::NotFound)?;
    let sessions = sessions
        .into_iter()
        .filter(|s| s.participants.contains(&participant.code))
        .collect();
    let page = ParticipantPage {
        place: place_name(&gazetteer, &participant.place),
        participant,
        sessions,
        groups,
        places: place_options(&gazetteer),
        genders: Gender::ALL,
        ages: AgeBand::ALL,
        consents: ConsentStatus::ALL,
        chrome,
    };
    render(&page, &query)
}

/// Filters of the session list.
#[derive(Debug, Deserialize, Default)]
pub struct SessionFilter {
    lang: Option<String>,
    kind: Option<String>,
    place: Option<String>,
}

/// A session row.
pub struct SessionRow {
    pub session: Session,
    pub place: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    rows: Vec<SessionRow>,
    kinds: &'static [SessionKind],
    places: Vec<PlaceOption>,
    filter_kind: String,
    filter_place: String,
}

/// `GET /sessions`.
pub async fn sessions(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(filter): Query<SessionFilter>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadParticipants)?;
    let query = crate::pages::LangQuery::from(filter.lang.clone());
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (sessions, gazetteer) = state
        .with_store(|store| Ok((store.sessions()?, store.gazetteer()?)))
        .await?;
    let kind = filter.kind.filter(|k| !k.is_empty());
    let place = filter.place.filter(|p| !p.is_empty());
    let rows = sessions
        .into_iter()
        .filter(|s| kind.as_ref().is_none_or(|k| s.kind.as_str() == k))
        .filter(|s| {
            place.as_ref().is_none_or(|wanted| {
                s.place.as_str() == wanted
                    || gazetteer
                        .cercle_of(&s.place)
                        .is_some_and(|c| c.code.as_str() == wanted)
            })
        })
        .map(|s| SessionRow {
            place: place_name(&gazetteer, &s.place),
            session: s,
        })
        .collect();
    let page = SessionsPage {
        rows,
        kinds: SessionKind::ALL,
        places: place_options(&gazetteer),
        filter_kind: kind.unwrap_or_default(),
        filter_place: place.unwrap_or_default(),
        chrome,
    };
    render(&page, &query)
}

/// Fields of the session form.
#[derive(Debug, Deserialize)]
pub struct SessionForm {
    csrf: Option<String>,
    /// Taken from the path when editing.
    #[serde(default)]
    code: String,
    kind: String,
    place: String,
    date: String,
    facilitators: Option<String>,
    participants: Option<String>,
    composition: Option<String>,
    declared_total: Option<String>,
}

fn comma_list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses composition lines `GROUP GENDER COUNT`.
/// Parses the headcount written on an attendance sheet (blank: none).
pub(crate) fn headcount(text: Option<&str>) -> Result<Option<u32>, AppError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::parse::<u32>)
        .transpose()
        .map_err(|_| AppError::BadRequest("the headcount must be a whole number".to_owned()))
}

pub(crate) fn composition(text: Option<&str>) -> Result<Vec<CompositionCount>, AppError> {
    text.unwrap_or_default()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [group, gender, count] = parts.as_slice() else {
                return Err(AppError::BadRequest(format!(
                    "attendance line {}: write GROUP-KEY GENDER COUNT",
                    i + 1
                )));
            };
            Ok(CompositionCount {
                group: (*group).to_owned(),
                gender: Gender::parse(gender)?,
                count: count.parse().map_err(|_| {
                    AppError::BadRequest(format!(
                        "attendance line {}: {count:?} is not a count",
                        i + 1
                    ))
                })?,
            })
        })
        .collect()
}

impl SessionForm {
    /// The session the form describes, checked.
    fn session(&self) -> Result<Session, AppError> {
        let date: NaiveDate = self
            .date
            .parse()
            .map_err(|_| AppError::BadRequest("date must be YYYY-MM-DD".to_owned()))?;
        let declared_total = headcount(self.declared_total.as_deref())?;
        Ok(Session::new(Session {
            code: self.code.trim().to_owned(),
            kind: SessionKind::parse(&self.kind)?,
            place: PlaceCode::new(&self.place)?,
            date,
            facilitators: comma_list(self.facilitators.as_deref()),
            participants: comma_list(self.participants.as_deref())
                .iter()
                .map(|c| ParticipantCode::new(c))
                .collect::<Result<_, _>>()?,
            composition: composition(self.composition.as_deref())?,
            declared_total,
        })?)
    }
}

/// `POST /sessions`: records a session.
pub async fn create_session(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SessionForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::EditRecords)?;
    let session = form.session()?;
    let code = session.code.clone();
    state
        .with_store(move |store| store.add_session(&session))
        .await?;
    Ok(Redirect::to(&format!("/sessions/{code}")).into_response())
}

/// `POST /sessions/{code}`: edits a session (the code stays).
pub async fn update_session(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(mut form): axum::Form<SessionForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::EditRecords)?;
    form.code = code;
    let session = form.session()?;
    let code = session.code.clone();
    state
        .with_store(move |store| store.update_session(&session))
        .await?;
    Ok(Redirect::to(&format!("/sessions/{code}")).into_response())
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    chrome: Chrome,
    session: Session,
    place: String,
    groups: Vec<StakeholderGroup>,
    documents: Vec<DocumentSummary>,
    kinds: &'static [SessionKind],
    places: Vec<PlaceOption>,
    /// The attendance as the edit form writes it.
    composition_text: String,
}

impl SessionPage {
    fn group_label(&self, key: &str) -> String {
        self.groups.iter().find(|g| g.key == key).map_or_else(
            || key.to_owned(),
            |g| g.label.get(self.chrome.lang).to_owned(),
        )
    }
}

/// `GET /sessions/{code}`.
pub async fn session(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<crate::pages::LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadParticipants)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (sessions, groups, gazetteer, documents) = state
        .with_store(|store| {
            Ok((
                store.sessions()?,
                store.groups()?,
                store.gazetteer()?,
                store.document_summaries()?,
            ))
        })
        .await?;
    let session = sessions
        .into_iter()
        .find(|s| s.code == code)
        .ok_or(AppError::NotFound)?;
    let documents = documents
        .into_iter()
        .filter(|d| d.session.as_deref() == Some(code.as_str()))
        .collect();
    let composition_text = session
        .composition
        .iter()
        .map(|row| format!("{} {} {}", row.group, row.gender, row.count))
        .collect::<Vec<_>>()
        .join("\n");
    let page = SessionPage {
        place: place_name(&gazetteer, &session.place),
        places: place_options(&gazetteer),
        kinds: SessionKind::ALL,
        composition_text,
        session,
        groups,
        documents,
        chrome,
    };
    render(&page, &query)
}

/// Fields of the transcript form.
#[derive(Debug, Deserialize)]
pub struct TranscriptForm {
    csrf: Option<String>,
    title: String,
    language: String,
    text: String,
}

/// `POST /sessions/{code}/documents`: a typed transcript, its speaker turns
/// read from `SPEAKER: text` lines.
pub async fn add_transcript(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<TranscriptForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::EditRecords)?;
    let parsed = sankore_formats::transcript::parse(&form.text.replace("\r\n", "\n"))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let session_code = code.clone();
    let document_code = state
        .with_store(move |store| {
            let sessions = store.sessions()?;
            let session = sessions
                .iter()
                .find(|s| s.code == session_code)
                .ok_or_else(|| sankore_store::StoreError::NotFound {
                    what: "session",
                    key: session_code.clone(),
                })?;
            let existing = store
                .document_summaries()?
                .iter()
                .filter(|d| d.session.as_deref() == Some(session_code.as_str()))
                .count();
            let turns = parsed
                .turns
                .into_iter()
                .map(|mut turn| {
                    turn.participant = session
                        .participants
                        .iter()
                        .find(|p| p.as_str() == turn.speaker)
                        .cloned();
                    turn
                })
                .collect();
            let document = Document::new(Document {
                code: format!("{session_code}-T{}", existing + 1),
                session: Some(session_code.clone()),
                title: form.title.trim().to_owned(),
                kind: DocumentKind::Transcript,
                language: form.language.trim().to_owned(),
                body: parsed.body,
                turns,
            })?;
            store.add_document(&document)?;
            let terms = sankore_analysis::search::SearchTerms::default();
            sankore_store::SearchStore::index_document(
                store,
                &document.code,
                &terms.index(document.body.as_str()),
            )?;
            Ok(document.code)
        })
        .await?;
    Ok(Redirect::to(&format!("/documents/{document_code}")).into_response())
}
