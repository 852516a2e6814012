//! Sankore's web workbench and JSON API.
//!
//! Server-rendered HTML with assets embedded in the binary, so it works on a
//! laptop with no internet. Every route but `/login`, `/healthz` and
//! `/static/*` needs a signed-in user, and every handler checks the user's
//! role before touching data. Every response carries strict security
//! headers. The store is shared behind a mutex and used on blocking
//! threads.

mod analysis;
mod api;
mod assignments;
mod auth;
mod codebook;
mod error;
mod fielddata;
mod forums;
mod framework;
mod limits;
mod pages;
mod quotes;
mod records;
mod report;
mod search;
mod security;
mod suggestions;
mod transcript;
mod vault;

use axum::Router;
use axum::routing::{get, post};
use sankore_i18n::Lang;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{Store, StoreError};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use thiserror::Error;

pub use auth::{IDLE_TIMEOUT_HOURS, LOCK_AFTER_FAILURES, SESSION_COOKIE};
pub use limits::MAX_BODY_BYTES;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<SqliteStore>>,
    /// Language used when a request does not ask for one.
    default_lang: Lang,
    limiter: Arc<auth::LoginLimiter>,
    /// Identity vaults opened by coordinators, per session.
    vaults: Arc<vault::OpenVaults>,
}

impl AppState {
    /// Runs `work` on the store on a blocking thread.
    async fn with_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut SqliteStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, error::AppError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = store.lock().map_err(|_| error::AppError::Internal)?;
            work(&mut store).map_err(error::AppError::from)
        })
        .await
        .map_err(|_| error::AppError::Internal)?
    }
}

/// Why the server could not run.
#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Server(#[source] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Builds the application's routes.
pub fn router(store: SqliteStore, default_lang: Lang) -> Router {
    let state = AppState {
        store: Arc::new(Mutex::new(store)),
        default_lang,
        limiter: Arc::new(auth::LoginLimiter::default()),
        vaults: Arc::new(vault::OpenVaults::default()),
    };
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/logout/all", post(auth::logout_everywhere))
        .route("/account", get(pages::account))
        .route("/account/password", post(auth::change_password))
        .route("/documents", get(pages::documents))
        .route("/documents/{code}", get(pages::document))
        .route("/codings/{id}", get(pages::coding))
        .route("/codings/{id}/update", post(pages::update_coding))
        .route("/codings/{id}/delete", post(pages::delete_coding))
        .route("/codebook.css", get(pages::codebook_css))
        .route(
            "/participants",
            get(records::participants).post(records::create_participant),
        )
        .route(
            "/participants/{code}",
            get(records::participant).post(records::update_participant),
        )
        .route(
            "/sessions",
            get(records::sessions).post(records::create_session),
        )
        .route(
            "/sessions/{code}",
            get(records::session).post(records::update_session),
        )
        .route("/sessions/{code}/documents", post(records::add_transcript))
        .route("/search", get(search::page))
        .route("/codebook", get(codebook::page))
        .route("/codebook/codes", post(codebook::save))
        .route("/codebook/merge", post(codebook::merge))
        .route("/codebook/{key}", get(codebook::segments))
        .route("/healthz", get(pages::healthz))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/static/coding.js", get(pages::coding_script))
        .merge(analysis::page_routes())
        .merge(assignments::page_routes())
        .merge(suggestions::page_routes())
        .merge(forums::page_routes())
        .merge(quotes::page_routes())
        .merge(report::page_routes())
        .merge(framework::page_routes())
        .merge(vault::page_routes())
        .merge(fielddata::page_routes())
        .route("/participants/new", get(records::register_page))
        .nest(
            "/api/v1",
            api::routes()
                .merge(forums::api_routes())
                .merge(quotes::api_routes())
                .merge(framework::api_routes())
                .merge(vault::api_routes()),
        )
        .fallback(pages::not_found)
        .layer(limits::body_limit())
        .layer(axum::middleware::from_fn(limits::refuse_large_bodies))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// A bound listener, so callers learn the real port before serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    app: Router,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(
        addr: SocketAddr,
        mut store: SqliteStore,
        default_lang: Lang,
    ) -> Result<Server, ServeError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        // Identities past the study's retention date are destroyed.
        let purged = sankore_store::VaultStore::purge_expired_identities(
            &mut store,
            chrono::Local::now().date_naive(),
        )
        .map_err(ServeError::Store)?;
        if purged > 0 {
            tracing::info!(
                identities = purged,
                "retention date passed: identities destroyed"
            );
        }
        // Documents imported since the last run join the search index.
        if store.study().map_err(ServeError::Store)?.is_some() {
            let indexed = search::index_missing(&mut store).map_err(ServeError::Store)?;
            if indexed > 0 {
                tracing::info!(documents = indexed, "search index updated");
            }
        }
        Ok(Server {
            listener,
            app: router(store, default_lang),
        })
    }

    /// The address actually listened on.
    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        self.listener.local_addr().map_err(ServeError::Server)
    }

    /// Serves until Ctrl+C (or SIGTERM).
    pub async fn run(self) -> Result<(), ServeError> {
        axum::serve(
            self.listener,
            self.app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(ServeError::Server)
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
