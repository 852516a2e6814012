//! Blind double-coding in the workbench: a coordinator assigns a document
//! to coders; each assigned coder marks it done. The hiding itself lives in
//! the store ([`AssignmentStore::blind_view`]), which the document page,
//! the document API, the code's segments and the matrix drill-down all go
//! through; this module holds the assignment routes and page.
//!
//! Roles: assigning needs [`Permission::ManageUsers`] (coordinators: they
//! run the team's work); marking done needs [`Permission::Code`] and an
//! assignment of one's own; the list needs [`Permission::ReadTranscripts`].

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sankore_domain::Permission;
use sankore_i18n::Msg;
use sankore_store::{Assignment, AssignmentStore};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser, PageUser, check_origin};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};

/// The API's assignment routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/assignments", get(api_list).post(api_assign))
        .route("/assignments/done", post(api_done))
}

/// The assignment pages and forms.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/assignments", get(page).post(assign_form))
        .route("/assignments/done", post(done_form))
}

/// A new assignment: the document and the coder's account name.
#[derive(Debug, Deserialize)]
pub struct NewAssignment {
    document: String,
    coder: String,
    /// The session's CSRF token (forms only; the API uses a header).
    csrf: Option<String>,
}

/// A document the signed-in coder has finished.
#[derive(Debug, Deserialize)]
pub struct Done {
    document: String,
    /// The session's CSRF token (forms only; the API uses a header).
    csrf: Option<String>,
}

/// Assigns after checking the role (shared by form and API).
async fn assign(
    state: &AppState,
    user: &CurrentUser,
    wanted: NewAssignment,
) -> Result<Assignment, AppError> {
    user.require(Permission::ManageUsers)?;
    let by = user.account.name.clone();
    state
        .with_store(move |store| store.assign(wanted.document.trim(), wanted.coder.trim(), &by))
        .await
}

/// Marks the user's own assignment done (shared by form and API).
async fn done(state: &AppState, user: &CurrentUser, document: String) -> Result<(), AppError> {
    user.require(Permission::Code)?;
    let coder = user.account.name.clone();
    state
        .with_store(move |store| store.mark_done(document.trim(), &coder))
        .await
}

/// `GET /api/v1/assignments`: `[{"document", "coder", "assigned_by", "done"}]`.
async fn api_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let list = state.with_store(|store| store.assignments()).await?;
    Ok(Json(list).into_response())
}

/// `POST /api/v1/assignments` with `{"document", "coder"}`: 201 with the
/// assignment, 409 when already assigned.
async fn api_assign(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(wanted): Json<NewAssignment>,
) -> Result<Response, ApiError> {
    let stored = assign(&state, &user, wanted).await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

/// `POST /api/v1/assignments/done` with `{"document"}`: 204.
async fn api_done(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(finished): Json<Done>,
) -> Result<Response, ApiError> {
    done(&state, &user, finished.document).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One document under double-coding, with its coders.
struct DocumentRow {
    document: String,
    assignments: Vec<Assignment>,
    /// Every assigned coder is done: the link to their agreement.
    agreement: Option<String>,
}

#[derive(Template)]
#[template(path = "assignments.html")]
struct AssignmentsPage {
    chrome: Chrome,
    documents: Vec<DocumentRow>,
}

/// Groups assignments (sorted by document) by document.
fn by_document(assignments: &[Assignment]) -> Vec<DocumentRow> {
    assignments
        .chunk_by(|a, b| a.document == b.document)
        .filter_map(|list| {
            let first = list.first()?;
            let finished = list.len() > 1 && list.iter().all(|a| a.done);
            let coders: Vec<&str> = list.iter().map(|a| a.coder.as_str()).collect();
            Some(DocumentRow {
                document: first.document.clone(),
                agreement: finished.then(|| {
                    format!(
                        "/analysis/agreement?unit=paragraph&scope=all&coders={}",
                        coders.join(",")
                    )
                }),
                assignments: list.to_vec(),
            })
        })
        .collect()
}

/// `GET /assignments`: every assignment, the form to assign (coordinators)
/// and a "done" button on the user's own pending ones.
async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let assignments = state.with_store(|store| store.assignments()).await?;
    let documents = by_document(&assignments);
    render(&AssignmentsPage { chrome, documents }, &query)
}

/// `POST /assignments` (form: `csrf`, `document`, `coder`).
async fn assign_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<NewAssignment>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    assign(&state, &user, form).await?;
    Ok(Redirect::to("/assignments").into_response())
}

/// `POST /assignments/done` (form: `csrf`, `document`).
async fn done_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Done>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    done(&state, &user, form.document).await?;
    Ok(Redirect::to("/assignments").into_response())
}
