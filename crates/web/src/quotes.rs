//! Quotes chosen as a finding's evidence: an analyst picks a coding on its
//! page; readers of transcripts see the quotes under each finding. Viewers
//! never do (a quote is participant text: publishing one goes through the
//! reports' disclosure control).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sankore_domain::Permission;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AccessStore, Account, AssignmentStore, CodingStore, QuoteStore, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::AppState;
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};

/// A quote as shown: where it comes from, who coded it, the exact text.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub coding: String,
    pub document: String,
    pub coder: String,
    pub text: String,
}

/// Quotes by finding key, as `user` may see them (blind double-coding,
/// and the documents they may read).
pub fn by_finding(
    store: &SqliteStore,
    user: &Account,
) -> Result<BTreeMap<String, Vec<Quote>>, StoreError> {
    let view = store.blind_view(user)?;
    let access = store.document_access(user)?;
    let mut out: BTreeMap<String, Vec<Quote>> = BTreeMap::new();
    for (finding, stored) in store.finding_quotes()? {
        if !view.shows(&stored.coding.document, &stored.coding.coder)
            || !access.allows(&stored.coding.document)
        {
            continue;
        }
        let Some((document, _)) = store.document(&stored.coding.document)? else {
            continue;
        };
        out.entry(finding).or_default().push(Quote {
            text: document.text_of(stored.coding.span).to_owned(),
            document: stored.coding.document.clone(),
            coder: stored.coding.coder.clone(),
            coding: stored.id,
        });
    }
    Ok(out)
}

/// Page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/findings/quote", post(add))
        .route("/findings/unquote", post(remove))
}

/// API routes.
pub fn api_routes() -> Router<AppState> {
    Router::new().route(
        "/findings/{key}/quotes",
        get(api_list).post(api_add).delete(api_remove),
    )
}

/// The form: which coding, for which finding.
#[derive(Debug, Deserialize)]
pub struct QuoteForm {
    csrf: Option<String>,
    finding: String,
    coding: String,
}

/// `POST /findings/quote` (`finding`, `coding`): picks a coding as a quote.
async fn add(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<QuoteForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let (finding, coding) = (form.finding.clone(), form.coding.clone());
    state
        .with_store(move |store| store.quote_coding(&finding, &coding))
        .await?;
    Ok(Redirect::to(&format!(
        "/codings/{}",
        form.coding.replace(['/', '?', '#'], "")
    ))
    .into_response())
}

/// `POST /findings/unquote` (`finding`, `coding`): drops a quote.
async fn remove(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<QuoteForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let (finding, coding) = (form.finding.clone(), form.coding.clone());
    state
        .with_store(move |store| store.unquote_coding(&finding, &coding))
        .await?;
    Ok(Redirect::to(&format!(
        "/codings/{}",
        form.coding.replace(['/', '?', '#'], "")
    ))
    .into_response())
}

/// `GET /api/v1/findings/{key}/quotes`: `[{"coding", "document", "coder", "text"}]`.
async fn api_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let mut quotes = state
        .with_store(move |store| by_finding(store, &account))
        .await?;
    Ok(Json(quotes.remove(&key).unwrap_or_default()).into_response())
}

/// Body of the API's add and remove.
#[derive(Debug, Deserialize)]
struct QuoteBody {
    coding: String,
}

/// `POST /api/v1/findings/{key}/quotes` with `{"coding"}`: 204.
async fn api_add(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(key): Path<String>,
    Json(body): Json<QuoteBody>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    state
        .with_store(move |store| store.quote_coding(&key, &body.coding))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/findings/{key}/quotes` with `{"coding"}`: 204.
async fn api_remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(key): Path<String>,
    Json(body): Json<QuoteBody>,
) -> Result<Response, ApiError> {
    user.require(Permission::Code)?;
    state
        .with_store(move |store| store.unquote_coding(&key, &body.coding))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
