//! `GET /report/study.pdf` and `GET /report/study.html`: the public study
//! report (no disclosure annex), in the page's language, for the roles that
//! edit records (coordinator, researcher). Same builder as `sankore report
//! study`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sankore_domain::Permission;
use sankore_reports::study::{self, Options};

use crate::AppState;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, LangQuery};

/// The report routes.
pub fn page_routes() -> Router<AppState> {
    #[cfg(not(feature = "pdf"))]
    let pdf = crate::pages::pdf_not_in_this_build;
    Router::new()
        .route("/report/study.pdf", get(pdf))
        .route("/report/study.html", get(html))
}

async fn built(
    state: &AppState,
    headers: &HeaderMap,
    query: &LangQuery,
    user: &crate::auth::CurrentUser,
) -> Result<study::Built, PageError> {
    user.require(Permission::EditRecords)?;
    let lang = Chrome::new(state, headers, query, Some(user)).lang;
    let date = chrono::Local::now().date_naive();
    let built = state
        .with_store(move |store| {
            let names = match study::names(store) {
                Ok(names) => names,
                Err(e) => return Ok(Err(e)),
            };
            Ok(study::from_store(
                store,
                &names,
                &Options {
                    lang,
                    k: None,
                    date,
                    coordinator_copy: false,
                    areas: None,
                },
            ))
        })
        .await?;
    built.map_err(|e| {
        tracing::error!(error = %e, "study report");
        PageError::from(AppError::Internal)
    })
}

/// `GET /report/study.pdf`.
#[cfg(feature = "pdf")]
async fn pdf(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let built = built(&state, &headers, &query, &user).await?;
    let date = chrono::Local::now().date_naive();
    let bytes = tokio::task::spawn_blocking(move || study::pdf(&built, date))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "study report PDF");
            AppError::Internal
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"study-report.pdf\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /report/study.html`.
async fn html(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let built = built(&state, &headers, &query, &user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"study-report.html\"",
            ),
        ],
        study::html(&built),
    )
        .into_response())
}
