//! Auto-coding suggestions in the workbench: dictionaries (a code and its
//! words, phrases or regular expressions, French-aware through
//! `sankore_analysis::autocode`) produce suggestions, stored apart from
//! codings; a person accepts one (a manual coding by them) or rejects it.
//!
//! Roles: running dictionaries, accepting and rejecting need
//! [`Permission::Code`]; the list shows transcript passages and needs
//! [`Permission::ReadTranscripts`].

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sankore_analysis::autocode::{self, Dictionary, Entry, Extent, SpeakerRule};
use sankore_domain::{CodeKey, Permission};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{
    AccessStore, Account, CodingStore, NewSuggestion, PendingSuggestion, Store, SuggestionStore,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::AppState;
use crate::analysis::encode;
use crate::auth::{ApiUser, CurrentUser, PageUser, check_origin};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};

/// Most suggestions listed on one page.
const PAGE_SIZE: usize = 200;

/// The API's suggestion routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/suggestions", get(api_list))
        .route("/suggestions/run", post(api_run))
        .route("/suggestions/speakers", post(api_run_speakers))
        .route("/suggestions/{id}/accept", post(api_accept))
        .route("/suggestions/{id}/reject", post(api_reject))
}

/// The suggestion page and forms.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/suggestions", get(page))
        .route("/suggestions/run", post(run_form))
        .route("/suggestions/speakers", post(speakers_form))
        .route("/suggestions/{id}/accept", post(accept_form))
        .route("/suggestions/{id}/reject", post(reject_form))
}

/// One code's dictionary as the API takes it.
#[derive(Debug, Deserialize)]
pub struct DictionaryIn {
    code: CodeKey,
    entries: Vec<Entry>,
}

/// `POST /api/v1/suggestions/run`.
#[derive(Debug, Deserialize)]
pub struct RunIn {
    dictionaries: Vec<DictionaryIn>,
    /// How much text around a match (default `sentence`).
    extent: Option<Extent>,
}

/// Runs dictionaries over every document and stores the new suggestions
/// (passages already coded with the code are not suggested); returns how
/// many were added.
fn run(
    store: &mut SqliteStore,
    dictionaries: Vec<Dictionary>,
    extent: Extent,
) -> Result<usize, AppError> {
    let codebook = store.codebook()?;
    if let Some(unknown) = dictionaries
        .iter()
        .find(|d| codebook.get(&d.code).is_none())
    {
        return Err(AppError::BadRequest(format!(
            "unknown code {}",
            unknown.code
        )));
    }
    let documents = store.documents()?;
    let codings = store.codings()?;
    let found = autocode::suggest(&dictionaries, extent, &documents, &codings)?;
    keep(store, found)
}

/// Suggests whole turns by who speaks; returns how many were new.
fn run_speakers(
    store: &mut SqliteStore,
    rules: Vec<(SpeakerRule, CodeKey)>,
) -> Result<usize, AppError> {
    let codebook = store.codebook()?;
    if let Some((_, unknown)) = rules.iter().find(|(_, code)| codebook.get(code).is_none()) {
        return Err(AppError::BadRequest(format!("unknown code {unknown}")));
    }
    let found = autocode::suggest_by_speaker(
        &rules,
        &store.participants()?,
        &store.documents()?,
        &store.codings()?,
    );
    keep(store, found)
}

/// Stores the suggestions not already coded; returns how many were new.
fn keep(store: &mut SqliteStore, found: Vec<autocode::Suggestion>) -> Result<usize, AppError> {
    let new: Vec<NewSuggestion> = found
        .into_iter()
        .filter(|s| !s.already_coded)
        .filter_map(|s| {
            Some(NewSuggestion {
                code: CodeKey::new(&s.code).ok()?,
                document: s.document,
                start: s.start,
                end: s.end,
                rules: s.rules,
            })
        })
        .collect();
    Ok(store.add_suggestions(&new)?)
}

/// A pending suggestion with the passage it points at.
#[derive(Debug, Serialize)]
struct SuggestionOut {
    #[serde(flatten)]
    pending: PendingSuggestion,
    /// The exact suggested characters.
    text: String,
}

/// Pending suggestions (of one document, or all) with their text.
fn pending_with_text(
    store: &SqliteStore,
    user: &Account,
    document: Option<&str>,
) -> Result<Vec<SuggestionOut>, AppError> {
    let access = store.document_access(user)?;
    let mut texts: HashMap<String, Vec<char>> = HashMap::new();
    let mut out = Vec::new();
    for pending in store.pending_suggestions(document)? {
        let code = &pending.suggestion.document;
        if !access.allows(code) {
            continue;
        }
        if !texts.contains_key(code) {
            let Some((doc, _)) = store.document(code)? else {
                continue;
            };
            texts.insert(code.clone(), doc.body.as_str().chars().collect());
        }
        let text = texts
            .get(code)
            .and_then(|chars| chars.get(pending.suggestion.start..pending.suggestion.end))
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        out.push(SuggestionOut { pending, text });
    }
    Ok(out)
}

/// Accepts or rejects after checking the role (shared by forms and API).
async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    accept: bool,
) -> Result<Option<sankore_store::StoredCoding>, AppError> {
    user.require(Permission::Code)?;
    let who = user.account.name.clone();
    state
        .with_store(move |store| {
            if accept {
                store.accept_suggestion(id, &who).map(Some)
            } else {
                store.reject_suggestion(id, &who).map(|()| None)
            }
        })
        .await
}

/// `?document=` and `?lang=`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    document: Option<String>,
    lang: Option<String>,
}

impl ListQuery {
    fn document(&self) -> Option<String> {
        self.document
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
    }
}

/// `GET /api/v1/suggestions?document=`: pending suggestions with their text.
async fn api_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let document = query.document();
    let account = user.account.clone();
    let list = state
        .with_store(move |store| Ok(pending_with_text(store, &account, document.as_deref())))
        .await??;
    Ok(Json(list).into_response())
}

/// `POST /api/v1/suggestions/run`: 201 with `{"added": N}`.
async fn api_run(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<RunIn>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    let dictionaries = body
        .dictionaries
        .into_iter()
        .map(|d| Dictionary {
            code: d.code,
            entries: d.entries,
        })
        .collect();
    let extent = body.extent.unwrap_or(Extent::Sentence);
    let added = state
        .with_store(move |store| Ok(run(store, dictionaries, extent)))
        .await??;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "added": added })),
    )
        .into_response())
}

/// `POST /api/v1/suggestions/{id}/accept`: 201 with the new coding.
async fn api_accept(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let coding = decide(&state, &user, id, true).await?;
    Ok((StatusCode::CREATED, Json(coding)).into_response())
}

/// `POST /api/v1/suggestions/{id}/reject`: 204.
async fn api_reject(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    decide(&state, &user, id, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Template)]
#[template(path = "suggestions.html")]
struct SuggestionsPage {
    chrome: Chrome,
    document: String,
    total: usize,
    suggestions: Vec<SuggestionOut>,
}

/// `GET /suggestions?document=`: pending suggestions with accept and
/// reject buttons, and the form to run a dictionary.
async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang_query = LangQuery::from(query.lang.clone());
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let document = query.document();
    let wanted = document.clone();
    let account = user.account.clone();
    let mut suggestions = state
        .with_store(move |store| Ok(pending_with_text(store, &account, wanted.as_deref())))
        .await??;
    let total = suggestions.len();
    suggestions.truncate(PAGE_SIZE);
    let page = SuggestionsPage {
        chrome,
        document: document.unwrap_or_default(),
        total,
        suggestions,
    };
    render(&page, &lang_query)
}

/// The form running one dictionary.
#[derive(Debug, Deserialize)]
pub struct RunForm {
    csrf: Option<String>,
    code: String,
    /// One entry a line: `word:…`, `phrase:…`, `regex:…`, or a bare word
    /// (several words: a phrase).
    entries: String,
    extent: Option<Extent>,
}

/// Reads the form's entry lines.
fn entries(text: &str) -> Vec<Entry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once(':') {
            Some(("word", w)) => Entry::Word(w.trim().to_owned()),
            Some(("phrase", p)) => Entry::Phrase(p.trim().to_owned()),
            Some(("regex", r)) => Entry::Regex(r.trim().to_owned()),
            _ if line.split_whitespace().nth(1).is_some() => Entry::Phrase(line.to_owned()),
            _ => Entry::Word(line.to_owned()),
        })
        .collect()
}

/// `POST /suggestions/run` (form: `csrf`, `code`, `entries`, `extent`).
async fn run_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<RunForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let dictionary = Dictionary {
        code: CodeKey::new(form.code.trim())?,
        entries: entries(&form.entries),
    };
    let extent = form.extent.unwrap_or(Extent::Sentence);
    state
        .with_store(move |store| Ok(run(store, vec![dictionary], extent)))
        .await??;
    Ok(Redirect::to("/suggestions").into_response())
}

/// The form of an accept or reject button.
#[derive(Debug, Deserialize)]
pub struct DecideForm {
    csrf: Option<String>,
    /// The document the list was showing, to go back to it.
    document: Option<String>,
}

async fn decide_form(
    state: AppState,
    user: CurrentUser,
    headers: HeaderMap,
    id: i64,
    form: DecideForm,
    accept: bool,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    decide(&state, &user, id, accept).await?;
    let back = match form.document.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => format!("/suggestions?document={}", encode(d)),
        _ => "/suggestions".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}

/// `POST /suggestions/{id}/accept` (form: `csrf`, `document`).
async fn accept_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<DecideForm>,
) -> Result<Response, PageError> {
    decide_form(state, user, headers, id, form, true).await
}

/// `POST /suggestions/{id}/reject` (form: `csrf`, `document`).
async fn reject_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<DecideForm>,
) -> Result<Response, PageError> {
    decide_form(state, user, headers, id, form, false).await
}

/// Body of `POST /api/v1/suggestions/speakers`: `{"code", "rule": {"by":
/// "participant"|"group"|"label", "value"}}`.
#[derive(Debug, Deserialize)]
struct SpeakersIn {
    code: CodeKey,
    rule: SpeakerRule,
}

/// `POST /api/v1/suggestions/speakers`: suggests the code on every turn of
/// the chosen speakers; 201 `{"added": N}`.
async fn api_run_speakers(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<SpeakersIn>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    let added = state
        .with_store(move |store| Ok(run_speakers(store, vec![(body.rule, body.code)])))
        .await??;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "added": added })),
    )
        .into_response())
}

/// Fields of the by-speaker form.
#[derive(Debug, Deserialize)]
pub struct SpeakersForm {
    csrf: Option<String>,
    code: String,
    /// `participant`, `group` or `label`.
    by: String,
    value: String,
}

/// `POST /suggestions/speakers`: the by-speaker form.
async fn speakers_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SpeakersForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let value = form.value.trim().to_owned();
    let rule = match form.by.as_str() {
        "participant" => SpeakerRule::Participant(value),
        "group" => SpeakerRule::Group(value),
        "label" => SpeakerRule::Label(value),
        other => {
            return Err(AppError::BadRequest(format!(
                "speaker rule {other:?}: use participant, group or label"
            ))
            .into());
        }
    };
    let code = CodeKey::new(form.code.trim())?;
    state
        .with_store(move |store| Ok(run_speakers(store, vec![(rule, code)])))
        .await??;
    Ok(Redirect::to("/suggestions").into_response())
}
