//! The codebook pages: the tree with counts, editing (add, rename, move,
//! recolour, redescribe, merge), and a code's segments across documents.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use sankore_domain::{Code, CodeKey, Codebook, Color, Localized, Permission};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AccessStore, AssignmentStore, CodebookStore, CodingStore, Store, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};
use crate::transcript::code_class;

/// A row of the tree.
pub struct CodeRow {
    pub code: Code,
    pub label: String,
    pub depth: usize,
    pub class: String,
    pub codings: usize,
    pub documents: usize,
}

#[derive(Template)]
#[template(path = "codebook.html")]
struct CodebookPage {
    chrome: Chrome,
    version: u32,
    rows: Vec<CodeRow>,
}

/// `GET /codebook`.
pub async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (codebook, usage) = state
        .with_store(|store| Ok((store.codebook()?, store.code_usage()?)))
        .await?;
    let rows = codebook
        .codes()
        .iter()
        .map(|code| {
            let used = usage.iter().find(|u| u.key == code.key);
            CodeRow {
                label: code.name.get(chrome.lang).to_owned(),
                depth: codebook.depth(&code.key),
                class: code_class(&code.key),
                codings: used.map_or(0, |u| u.codings),
                documents: used.map_or(0, |u| u.documents),
                code: code.clone(),
            }
        })
        .collect();
    render(
        &CodebookPage {
            chrome,
            version: codebook.version,
            rows,
        },
        &query,
    )
}

/// Adds `code`, or replaces the code with its key, as a new codebook
/// version.
pub fn upsert_code(
    store: &mut SqliteStore,
    code: Code,
    research_questions: u8,
) -> Result<(), StoreError> {
    let next = store.codebook()?.with_code(code, research_questions)?;
    store.save_codebook(&next, &[])
}

/// Merges `from` into `into` (codings move, `from` disappears) as a new
/// codebook version.
pub fn merge_codes(
    store: &mut SqliteStore,
    from: CodeKey,
    into: CodeKey,
    research_questions: u8,
) -> Result<(), StoreError> {
    let next: Codebook = store.codebook()?.merged(&from, &into, research_questions)?;
    store.save_codebook(&next, &[(from, into)])
}

/// Fields of the add-or-edit form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: Option<String>,
    key: String,
    parent: Option<String>,
    name_fr: String,
    name_en: Option<String>,
    description_fr: Option<String>,
    description_en: Option<String>,
    color: String,
}

pub async fn research_question_count(state: &AppState) -> Result<u8, AppError> {
    let questions = state.with_store(|store| store.research_questions()).await?;
    Ok(u8::try_from(questions.len()).unwrap_or(u8::MAX))
}

/// `POST /codebook/codes`: adds a code, or edits the one with that key.
pub async fn save(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CodeForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::EditCodebook)?;
    let rq = research_question_count(&state).await?;
    let key = CodeKey::new(form.key.trim())?;
    let parent = form
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(CodeKey::new)
        .transpose()?;
    let color = Color::parse(form.color.trim())?;
    state
        .with_store(move |store| {
            let research_questions = store
                .codebook()?
                .get(&key)
                .map(|c| c.research_questions.clone())
                .unwrap_or_default();
            let code = Code {
                key,
                parent,
                name: Localized::new(form.name_fr.trim(), form.name_en.unwrap_or_default().trim()),
                description: Localized::new(
                    form.description_fr.unwrap_or_default().trim(),
                    form.description_en.unwrap_or_default().trim(),
                ),
                color,
                research_questions,
            };
            upsert_code(store, code, rq)
        })
        .await?;
    Ok(Redirect::to("/codebook").into_response())
}

/// Fields of the merge form.
#[derive(Debug, Deserialize)]
pub struct MergeForm {
    csrf: Option<String>,
    from: String,
    into: String,
}

/// `POST /codebook/merge`: moves `from`'s codings to `into`, removes `from`.
pub async fn merge(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<MergeForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::EditCodebook)?;
    let rq = research_question_count(&state).await?;
    let (from, into) = (CodeKey::new(&form.from)?, CodeKey::new(&form.into)?);
    state
        .with_store(move |store| merge_codes(store, from, into, rq))
        .await?;
    Ok(Redirect::to("/codebook").into_response())
}

/// One coded segment with its surroundings.
pub struct SegmentRow {
    pub document: String,
    pub coder: String,
    pub before: String,
    pub text: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    chrome: Chrome,
    key: String,
    label: String,
    class: String,
    segments: Vec<SegmentRow>,
}

/// Characters of context shown on each side of a segment.
const CONTEXT: usize = 80;

/// `GET /codebook/{key}`: every segment coded with the code, in context.
pub async fn segments(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let key = CodeKey::new(&key).map_err(|_| AppError::NotFound)?;
    let lookup = key.clone();
    let account = user.account.clone();
    let (codebook, rows) = state
        .with_store(move |store| {
            let codebook = store.codebook()?;
            let view = store.blind_view(&account)?;
            let access = store.document_access(&account)?;
            let codings = store
                .code_codings(&lookup)?
                .into_iter()
                .filter(|c| view.shows(&c.coding.document, &c.coding.coder))
                .filter(|c| access.allows(&c.coding.document));
            let mut rows = Vec::new();
            let mut current: Option<sankore_domain::Document> = None;
            for stored in codings {
                if current.as_ref().map(|d| &d.code) != Some(&stored.coding.document) {
                    current = store.document(&stored.coding.document)?.map(|(d, _)| d);
                }
                let Some(document) = &current else { continue };
                let chars: Vec<char> = document.body.as_str().chars().collect();
                let span = stored.coding.span;
                let from = span.start().saturating_sub(CONTEXT);
                let to = (span.end() + CONTEXT).min(chars.len());
                rows.push(SegmentRow {
                    document: document.code.clone(),
                    coder: stored.coding.coder.clone(),
                    before: chars[from..span.start()].iter().collect(),
                    text: document.text_of(span).to_owned(),
                    after: chars[span.end()..to].iter().collect(),
                });
            }
            Ok((codebook, rows))
        })
        .await?;
    let code = codebook.get(&key).ok_or(AppError::NotFound)?;
    render(
        &CodePage {
            label: code.name.get(chrome.lang).to_owned(),
            class: code_class(&key),
            key: key.to_string(),
            chrome,
            segments: rows,
        },
        &query,
    )
}
