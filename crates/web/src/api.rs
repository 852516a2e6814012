//! The JSON API under `/api/v1`: the same data, rules and roles as the
//! pages. Offsets are Unicode scalar offsets (`start`, `end`); requests may
//! give UTF-16 offsets instead (`start_utf16`, `end_utf16`), as browsers
//! count, and responses give both.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use sankore_domain::text::{scalar_from_utf16, utf16_from_scalar};
use sankore_domain::{
    Code, CodeKey, Coding, CodingOrigin, Document, Participant, Permission, Session,
};
use sankore_store::{
    AccessStore, AssignmentStore, CodingStore, RecordStore, Store, StoredCoding, VaultStore,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/study", get(study))
        .route("/codebook", get(codebook))
        .route("/documents", get(documents))
        .route("/documents/{code}", get(document))
        .route("/documents/{code}/codings", post(add_codings))
        .route("/codings/{id}", patch(update_coding).delete(delete_coding))
        .route("/participants", get(participants).post(add_participant))
        .route("/participants/{code}", put(update_participant))
        .route("/sessions", get(sessions).post(add_session))
        .route("/search", get(search))
        .route("/codebook/codes", put(save_code))
        .route("/codebook/merge", post(merge_codes))
        .merge(crate::analysis::api_routes())
        .merge(crate::assignments::api_routes())
        .merge(crate::suggestions::api_routes())
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// `GET /api/v1/openapi.json`: this API described.
async fn openapi(ApiUser(_): ApiUser) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("../assets/openapi.json"),
    )
        .into_response()
}

/// `GET /api/v1/study`: the methodology table (aggregates).
async fn study(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let methodology = state
        .with_store(|store| sankore_analysis::methodology::from_store(&*store))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(methodology).into_response())
}

/// `GET /api/v1/codebook`.
async fn codebook(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let codebook = state.with_store(|store| store.codebook()).await?;
    Ok(Json(codebook).into_response())
}

/// `GET /api/v1/documents`.
async fn documents(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let list = state
        .with_store(move |store| store.document_summaries_for(&account))
        .await?;
    Ok(Json(list).into_response())
}

/// A coding as the API shows it.
#[derive(Debug, Serialize)]
struct CodingOut {
    #[serde(flatten)]
    stored: StoredCoding,
    start_utf16: usize,
    end_utf16: usize,
    /// The exact coded characters.
    text: String,
}

fn coding_out(document: &Document, stored: StoredCoding) -> CodingOut {
    let text = document.body.as_str();
    CodingOut {
        start_utf16: utf16_from_scalar(text, stored.coding.span.start()).unwrap_or_default(),
        end_utf16: utf16_from_scalar(text, stored.coding.span.end()).unwrap_or_default(),
        text: document.text_of(stored.coding.span).to_owned(),
        stored,
    }
}

/// `GET /api/v1/documents/{code}`: text, turns, revision and codings.
async fn document(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let (found, codings) = state
        .with_store(move |store| {
            Ok((
                store.document_for(&account, &code)?,
                store.document_codings_visible_to(&code, &account)?,
            ))
        })
        .await?;
    let (document, revision) = found.ok_or(AppError::NotFound)?;
    let codings: Vec<CodingOut> = codings
        .into_iter()
        .map(|c| coding_out(&document, c))
        .collect();
    Ok(Json(serde_json::json!({
        "code": document.code,
        "title": document.title,
        "kind": document.kind,
        "language": document.language,
        "session": document.session,
        "revision": revision,
        "chars": document.body.char_len(),
        "text": document.body.as_str(),
        "turns": document.turns,
        "codings": codings,
    }))
    .into_response())
}

/// Body of `POST /api/v1/documents/{code}/codings`.
#[derive(Debug, Deserialize)]
struct NewCodings {
    codes: Vec<String>,
    start: Option<usize>,
    end: Option<usize>,
    start_utf16: Option<usize>,
    end_utf16: Option<usize>,
    memo: Option<String>,
}

/// Converts the request's offsets to scalar offsets of `text`.
fn scalar_span(text: &str, body: &NewCodings) -> Result<(usize, usize), AppError> {
    let bad = |what: &str| {
        AppError::BadRequest(format!(
            "{what} is not a character boundary of the document"
        ))
    };
    match (body.start, body.end, body.start_utf16, body.end_utf16) {
        (Some(s), Some(e), None, None) => Ok((s, e)),
        (None, None, Some(s), Some(e)) => Ok((
            scalar_from_utf16(text, s).ok_or_else(|| bad("start_utf16"))?,
            scalar_from_utf16(text, e).ok_or_else(|| bad("end_utf16"))?,
        )),
        _ => Err(AppError::BadRequest(
            "give either start and end, or start_utf16 and end_utf16".to_owned(),
        )),
    }
}

/// `POST /api/v1/documents/{code}/codings`: applies one or several codes
/// to a span; answers 201 with the new codings.
async fn add_codings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    Json(body): Json<NewCodings>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    if body.codes.is_empty() {
        return Err(AppError::BadRequest("choose at least one code".to_owned()).into());
    }
    let keys = body
        .codes
        .iter()
        .map(|k| CodeKey::new(k))
        .collect::<Result<Vec<_>, _>>()?;
    let coder = user.account.name.clone();
    let account = user.account.clone();
    let created = state
        .with_store(move |store| {
            let (document, _) = store.document_for(&account, &code)?.ok_or_else(|| {
                sankore_store::StoreError::NotFound {
                    what: "document",
                    key: code.clone(),
                }
            })?;
            let (start, end) = match scalar_span(document.body.as_str(), &body) {
                Ok(span) => span,
                Err(e) => return Ok(Err(e)),
            };
            let span = document.span(start, end)?;
            let memo = body.memo.clone().filter(|m| !m.trim().is_empty());
            let mut out = Vec::new();
            for key in keys {
                let coding = Coding {
                    document: document.code.clone(),
                    span,
                    code: key,
                    coder: coder.clone(),
                    memo: memo.clone(),
                    origin: CodingOrigin::Manual,
                };
                out.push(coding_out(&document, store.add_coding(&coding)?));
            }
            Ok(Ok(out))
        })
        .await??;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Body of `PATCH /api/v1/codings/{id}`.
#[derive(Debug, Deserialize)]
struct CodingChange {
    version: i64,
    code: String,
    memo: Option<String>,
}

/// `PATCH /api/v1/codings/{id}`: 409 when `version` is not current.
async fn update_coding(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Json(body): Json<CodingChange>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    let key = CodeKey::new(&body.code)?;
    let account = user.account.clone();
    let updated = state
        .with_store(move |store| {
            store.require_visible(&id, &account)?;
            store.update_coding(&id, body.version, &key, body.memo.as_deref())
        })
        .await?;
    Ok(Json(updated).into_response())
}

/// `?version=` of `DELETE /api/v1/codings/{id}`.
#[derive(Debug, Deserialize)]
struct VersionQuery {
    version: i64,
}

/// `DELETE /api/v1/codings/{id}?version=N`: 409 when not current.
async fn delete_coding(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    let account = user.account.clone();
    state
        .with_store(move |store| {
            store.require_visible(&id, &account)?;
            store.delete_coding(&id, query.version)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/participants`: pseudonymous participants.
async fn participants(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadParticipants)?;
    Ok(Json(state.with_store(|store| store.participants()).await?).into_response())
}

/// A participant to register, with the identity to seal, if any.
#[derive(Debug, Deserialize)]
struct NewParticipant {
    #[serde(flatten)]
    participant: Participant,
    identity: Option<sankore_store::Identity>,
}

/// `POST /api/v1/participants`: registers a participant (201), sealing
/// `identity` (`{"name", "phone", "location"}`) into the vault if given
/// (field staff: coordinator, researcher, facilitator).
async fn add_participant(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<NewParticipant>,
) -> Result<Response, ApiError> {
    user.require(Permission::RegisterParticipants)?;
    if body
        .identity
        .as_ref()
        .is_some_and(|i| i.name.trim().is_empty())
    {
        return Err(
            AppError::BadRequest(sankore_store::VaultError::MissingName.to_string()).into(),
        );
    }
    let account = user.account.clone();
    state
        .with_store(move |store| {
            store.register_participant(&account, &body.participant, body.identity.as_ref())
        })
        .await?;
    Ok(StatusCode::CREATED.into_response())
}

/// `PUT /api/v1/participants/{code}`: replaces a participant's attributes.
async fn update_participant(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    Json(participant): Json<Participant>,
) -> Result<Response, ApiError> {
    user.require(Permission::EditRecords)?;
    if participant.code.as_str() != code {
        return Err(
            AppError::BadRequest("the code in the body differs from the path".to_owned()).into(),
        );
    }
    state
        .with_store(move |store| store.update_participant(&participant))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/sessions`.
async fn sessions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadParticipants)?;
    Ok(Json(state.with_store(|store| store.sessions()).await?).into_response())
}

/// `POST /api/v1/sessions`: records a session (201).
async fn add_session(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(session): Json<Session>,
) -> Result<Response, ApiError> {
    user.require(Permission::EditRecords)?;
    state
        .with_store(move |store| store.add_session(&session))
        .await?;
    Ok(StatusCode::CREATED.into_response())
}

/// `?q=` of the search.
#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: String,
}

/// `GET /api/v1/search?q=`: matching documents with passages.
async fn search(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(query): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let hits = state
        .with_store(move |store| crate::search::hits(store, &account, &query.q))
        .await?;
    Ok(Json(hits).into_response())
}

/// `PUT /api/v1/codebook/codes`: adds a code or replaces the one with its
/// key (a new codebook version).
async fn save_code(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(code): Json<Code>,
) -> Result<Response, ApiError> {
    user.require(Permission::EditCodebook)?;
    let rq = crate::codebook::research_question_count(&state).await?;
    state
        .with_store(move |store| crate::codebook::upsert_code(store, code, rq))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Body of `POST /api/v1/codebook/merge`.
#[derive(Debug, Deserialize)]
struct Merge {
    from: CodeKey,
    into: CodeKey,
}

/// `POST /api/v1/codebook/merge`: moves `from`'s codings to `into`.
async fn merge_codes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(merge): Json<Merge>,
) -> Result<Response, ApiError> {
    user.require(Permission::EditCodebook)?;
    let rq = crate::codebook::research_question_count(&state).await?;
    state
        .with_store(move |store| crate::codebook::merge_codes(store, merge.from, merge.into, rq))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
