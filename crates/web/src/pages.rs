//! Handlers for the pages and the health check.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sankore_analysis::Methodology;
use sankore_i18n::{Lang, Msg};
use serde::Deserialize;

use crate::AppState;

/// `?lang=fr|en` on any page.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    fn resolve(&self, default: Lang) -> Lang {
        self.lang
            .as_deref()
            .and_then(|l| l.parse().ok())
            .unwrap_or(default)
    }
}

/// The dashboard: the study's numbers.
#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard<'a> {
    lang: Lang,
    methodology: Option<&'a Methodology>,
}

impl Dashboard<'_> {
    fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang)
    }
}

/// `GET /healthz`: the server answers and the database can be read.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let healthy = tokio::task::spawn_blocking(move || {
        store
            .lock()
            .map(|s| s.schema_version().is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    if healthy {
        Json(serde_json::json!({"status": "ok"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response()
    }
}

/// `GET /`: the study dashboard.
pub async fn dashboard(State(state): State<AppState>, Query(query): Query<LangQuery>) -> Response {
    let lang = query.resolve(state.default_lang);
    let store = state.store.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        let store = store.lock().map_err(|_| "store lock poisoned".to_owned())?;
        sankore_analysis::methodology::from_store(&*store).map_err(|e| e.to_string())
    })
    .await;
    let methodology = match loaded {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "dashboard: cannot read the study");
            return internal_error();
        }
        Err(_) => return internal_error(),
    };
    let page = Dashboard {
        lang,
        methodology: methodology.as_ref(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => internal_error(),
    }
}

/// `GET /static/app.css`, embedded in the binary.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../assets/app.css"),
    )
        .into_response()
}

/// Any other path.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}
