//! Errors of request handlers, turned into pages or JSON.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sankore_store::StoreError;

/// Why a request failed.
#[derive(Debug)]
pub enum AppError {
    /// Not signed in.
    Unauthenticated,
    /// Signed in, but the role does not allow it.
    Forbidden,
    /// The CSRF token or origin did not match.
    CsrfRejected,
    NotFound,
    /// The request is malformed; the text says why (never participant text).
    BadRequest(String),
    /// Someone else changed the record first.
    Conflict(String),
    /// Too many failed sign-ins; retry after this many seconds.
    TooManyAttempts(u64),
    Internal,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "sign in first".to_owned(),
            AppError::Forbidden => "your role does not allow this".to_owned(),
            AppError::CsrfRejected => {
                "the form expired or came from elsewhere; reload the page".to_owned()
            }
            AppError::NotFound => "not found".to_owned(),
            AppError::BadRequest(m) | AppError::Conflict(m) => m.clone(),
            AppError::TooManyAttempts(s) => format!("too many attempts; try again in {s} s"),
            AppError::Internal => "internal error".to_owned(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => AppError::NotFound,
            StoreError::Stale { .. } => AppError::Conflict(error.to_string()),
            StoreError::Domain(e) => AppError::BadRequest(e.to_string()),
            StoreError::Exists { .. } => AppError::Conflict(error.to_string()),
            StoreError::Forbidden { .. } => AppError::Forbidden,
            StoreError::VaultLocked | StoreError::NoVault => AppError::Conflict(error.to_string()),
            StoreError::Vault(sankore_store::VaultError::WrongPassword) => {
                AppError::BadRequest(error.to_string())
            }
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::Internal
            }
        }
    }
}

impl From<sankore_domain::DomainError> for AppError {
    fn from(error: sankore_domain::DomainError) -> Self {
        AppError::BadRequest(error.to_string())
    }
}

fn with_retry(mut response: Response, error: &AppError) -> Response {
    if let AppError::TooManyAttempts(seconds) = error
        && let Ok(value) = seconds.to_string().parse()
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// An error answered as a page (signed-out users go to `/login`).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        let body = format!(
            "<!doctype html><meta charset=\"utf-8\"><title>Sankore</title><link rel=\"stylesheet\" href=\"/static/app.css\"><main><p class=\"error\">{}</p><p><a href=\"/\">Sankore</a></p></main>",
            escape_html(&self.0.message())
        );
        let response = (
            self.0.status(),
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
        with_retry(response, &self.0)
    }
}

/// An error answered as JSON `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let response = (
            self.0.status(),
            Json(serde_json::json!({"error": self.0.message()})),
        )
            .into_response();
        with_retry(response, &self.0)
    }
}

pub use sankore_reports::escape_html;
