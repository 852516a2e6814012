//! The framework matrix in the workbench: cases × themes, each cell the
//! case's coded text for the theme and a summary the researcher writes
//! (the framework method, as in NVivo). Blind double-coding applies: a
//! reader sees only the codings the blind view lets them see.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use sankore_analysis::corpus::{Corpus, Filter};
use sankore_analysis::framework::{Cases, Excerpt, Framework};
use sankore_domain::{CodeKey, Permission};
use sankore_i18n::{Lang, Msg};
use sankore_store::sqlite::SqliteStore;
use sankore_store::{
    AccessStore, Account, AssignmentStore, FrameworkStore, FrameworkSummary, Store,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::AppState;
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};

/// Page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/analysis/framework", get(page))
        .route("/analysis/framework/cell", get(cell_page))
        .route("/analysis/framework/summary", post(save))
}

/// API routes.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/analysis/framework", get(api_framework))
        .route("/analysis/framework/summary", put(api_save))
}

/// `?themes=k1,k2&cases=speakers|sessions`.
#[derive(Debug, Deserialize, Default)]
pub struct FrameworkQuery {
    themes: Option<String>,
    cases: Option<String>,
    lang: Option<String>,
}

/// The matrix with its summaries, as the API returns it.
#[derive(Debug, Serialize)]
pub struct FrameworkAnswer {
    #[serde(flatten)]
    framework: Framework,
    /// `summaries[case][theme]`.
    summaries: BTreeMap<String, BTreeMap<String, String>>,
}

impl FrameworkQuery {
    fn cases(&self) -> Result<Cases, AppError> {
        match self.cases.as_deref().unwrap_or("speakers") {
            "speakers" => Ok(Cases::Speakers),
            "sessions" => Ok(Cases::Sessions),
            other => Err(AppError::BadRequest(format!(
                "cases {other:?}: use speakers or sessions"
            ))),
        }
    }
}

/// Builds the matrix for `user`: themes asked for, or the findings' codes.
fn compute(
    store: &SqliteStore,
    query: &FrameworkQuery,
    user: &Account,
) -> Result<FrameworkAnswer, AppError> {
    let themes: Vec<CodeKey> = match query.themes.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(list) => list
            .split(',')
            .map(|k| CodeKey::new(k.trim()))
            .collect::<Result<_, _>>()?,
        None => {
            let mut keys: Vec<CodeKey> = Vec::new();
            for finding in store.findings()? {
                for code in finding.codes {
                    if !keys.contains(&code) {
                        keys.push(code);
                    }
                }
            }
            keys
        }
    };
    let corpus = Corpus::from_store(store).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let documents = store.documents()?;
    let mut framework = Framework::compute(
        &corpus,
        &documents,
        query.cases()?,
        &themes,
        &Filter::default(),
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let view = store.blind_view(user)?;
    let access = store.document_access(user)?;
    for row in &mut framework.rows {
        for cell in &mut row.cells {
            cell.retain(|e| view.shows(&e.document, &e.coder) && access.allows(&e.document));
        }
    }
    framework
        .rows
        .retain(|r| r.cells.iter().any(|c| !c.is_empty()));
    let mut summaries: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for s in store.framework_summaries()? {
        summaries
            .entry(s.case)
            .or_default()
            .insert(s.theme.to_string(), s.summary);
    }
    Ok(FrameworkAnswer {
        framework,
        summaries,
    })
}

/// `GET /api/v1/analysis/framework`: `{"cases", "themes", "rows": [{"case", "cells": [[EXCERPT]]}], "summaries": {CASE: {THEME: TEXT}}}`.
async fn api_framework(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(query): Query<FrameworkQuery>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let answer = state
        .with_store(move |store| Ok(compute(store, &query, &account)))
        .await??;
    Ok(Json(answer).into_response())
}

/// A cell as the matrix page shows it.
pub struct CellView {
    pub theme: String,
    pub excerpts: usize,
    pub first: String,
    pub summary: String,
}

/// A row of the matrix page.
pub struct RowView {
    pub case: String,
    pub cells: Vec<CellView>,
}

#[derive(Template)]
#[template(path = "analysis_framework.html")]
struct FrameworkPage {
    chrome: Chrome,
    themes: Vec<(String, String)>,
    rows: Vec<RowView>,
    cases: String,
}

/// `(key, name in lang)` of each theme.
fn theme_names(
    store: &SqliteStore,
    lang: Lang,
    keys: &[String],
) -> Result<Vec<(String, String)>, AppError> {
    let codebook = store.codebook()?;
    Ok(keys
        .iter()
        .map(|k| {
            let name = CodeKey::new(k)
                .ok()
                .and_then(|key| codebook.get(&key).map(|c| c.name.get(lang).to_owned()))
                .unwrap_or_else(|| k.clone());
            (k.clone(), name)
        })
        .collect())
}

/// `GET /analysis/framework`: the matrix; each cell links to its page.
async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<FrameworkQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang = LangQuery::from(query.lang.clone());
    let chrome = Chrome::new(&state, &headers, &lang, Some(&user));
    let account = user.account.clone();
    let lang_code = chrome.lang;
    let cases = query.cases.clone().unwrap_or_else(|| "speakers".to_owned());
    let (answer, themes) = state
        .with_store(move |store| {
            let answer = match compute(store, &query, &account) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let themes = match theme_names(store, lang_code, &answer.framework.themes) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            Ok(Ok((answer, themes)))
        })
        .await??;
    let rows = answer
        .framework
        .rows
        .iter()
        .map(|row| RowView {
            case: row.case.clone(),
            cells: row
                .cells
                .iter()
                .zip(&answer.framework.themes)
                .map(|(excerpts, theme)| CellView {
                    theme: theme.clone(),
                    excerpts: excerpts.len(),
                    first: excerpts
                        .first()
                        .map(|e| shorten(&e.text))
                        .unwrap_or_default(),
                    summary: answer
                        .summaries
                        .get(&row.case)
                        .and_then(|m| m.get(theme))
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    render(
        &FrameworkPage {
            chrome,
            themes,
            rows,
            cases,
        },
        &lang,
    )
}

/// The first 140 characters of an excerpt.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        out.push('…');
    }
    out
}

/// `?case=&theme=` of a cell.
#[derive(Debug, Deserialize)]
pub struct CellQuery {
    case: String,
    theme: String,
    cases: Option<String>,
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "analysis_framework_cell.html")]
struct CellPage {
    chrome: Chrome,
    case: String,
    theme: String,
    theme_name: String,
    cases: String,
    excerpts: Vec<Excerpt>,
    summary: String,
}

/// `GET /analysis/framework/cell`: a cell's excerpts in full and its
/// summary, editable.
async fn cell_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<CellQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang = LangQuery::from(query.lang.clone());
    let chrome = Chrome::new(&state, &headers, &lang, Some(&user));
    let account = user.account.clone();
    let asked = FrameworkQuery {
        themes: Some(query.theme.clone()),
        cases: query.cases.clone(),
        lang: None,
    };
    let case = query.case.clone();
    let lang_code = chrome.lang;
    let (excerpts, summary, theme_name) = state
        .with_store(move |store| {
            let answer = match compute(store, &asked, &account) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let excerpts = answer
                .framework
                .rows
                .into_iter()
                .find(|r| r.case == case)
                .and_then(|r| r.cells.into_iter().next())
                .unwrap_or_default();
            let summary = answer
                .summaries
                .get(&case)
                .and_then(|m| m.values().next())
                .cloned()
                .unwrap_or_default();
            let name = match theme_names(store, lang_code, &answer.framework.themes) {
                Ok(t) => t.into_iter().next().map(|(_, n)| n).unwrap_or_default(),
                Err(e) => return Ok(Err(e)),
            };
            Ok(Ok((excerpts, summary, name)))
        })
        .await??;
    let page = CellPage {
        chrome,
        case: query.case,
        theme: query.theme,
        theme_name,
        cases: query.cases.unwrap_or_else(|| "speakers".to_owned()),
        excerpts,
        summary,
    };
    render(&page, &lang)
}

/// Fields of the summary form.
#[derive(Debug, Deserialize)]
pub struct SummaryForm {
    csrf: Option<String>,
    case: String,
    theme: String,
    summary: String,
    cases: Option<String>,
}

/// `POST /analysis/framework/summary`: writes a cell's summary (blank
/// removes it).
async fn save(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SummaryForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let summary = FrameworkSummary {
        case: form.case.clone(),
        theme: CodeKey::new(&form.theme)?,
        summary: form.summary.clone(),
        author: user.account.name.clone(),
    };
    state
        .with_store(move |store| store.set_framework_summary(&summary))
        .await?;
    let back = format!(
        "/analysis/framework/cell?case={}&theme={}&cases={}",
        crate::analysis::encode(&form.case),
        crate::analysis::encode(&form.theme),
        crate::analysis::encode(form.cases.as_deref().unwrap_or("speakers"))
    );
    Ok(Redirect::to(&back).into_response())
}

/// Body of `PUT /api/v1/analysis/framework/summary`.
#[derive(Debug, Deserialize)]
struct SummaryBody {
    case: String,
    theme: CodeKey,
    summary: String,
}

/// `PUT /api/v1/analysis/framework/summary` with `{"case", "theme", "summary"}`: 204.
async fn api_save(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<SummaryBody>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    let summary = FrameworkSummary {
        case: body.case,
        theme: body.theme,
        summary: body.summary,
        author: user.account.name.clone(),
    };
    state
        .with_store(move |store| store.set_framework_summary(&summary))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
