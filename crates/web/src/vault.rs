//! The identity vault in the workbench: a coordinator opens it for their
//! session only (the unwrapped key stays in server memory, keyed by the
//! session, dropped at sign-out or after [`VAULT_IDLE`] unused), reads and
//! seals identities, withdraws participants; and the study's settings.
//! The store checks every role again and audits every opening and read.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sankore_analysis::search::SearchTerms;
use sankore_domain::{ParticipantCode, Permission};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{
    Account, Identity, Passphrase, StoreError, StudySettings, VaultSecret, VaultStore, Withdrawal,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};

/// An open vault unused for this long closes.
pub const VAULT_IDLE: Duration = Duration::from_secs(15 * 60);

/// Vault keys unwrapped by coordinators, by session (hash of its token),
/// with the account that opened them and when they were last used.
pub struct OpenVaults {
    open: Mutex<HashMap<String, OpenVault>>,
    idle: Duration,
}

struct OpenVault {
    secret: VaultSecret,
    account: i64,
    used: Instant,
}

impl Default for OpenVaults {
    fn default() -> Self {
        OpenVaults::closing_after(VAULT_IDLE)
    }
}

impl OpenVaults {
    /// Vaults that close after `idle` unused.
    pub fn closing_after(idle: Duration) -> Self {
        OpenVaults {
            open: Mutex::default(),
            idle,
        }
    }

    /// The session's open vault, if any, marked as used now. Vaults idle
    /// longer than [`VAULT_IDLE`] are dropped first.
    pub fn get(&self, session: &str) -> Option<VaultSecret> {
        let mut open = self.open.lock().ok()?;
        open.retain(|_, v| v.used.elapsed() < self.idle);
        let vault = open.get_mut(session)?;
        vault.used = Instant::now();
        Some(vault.secret.clone())
    }

    fn put(&self, session: &str, account: i64, secret: VaultSecret) {
        if let Ok(mut open) = self.open.lock() {
            open.insert(
                session.to_owned(),
                OpenVault {
                    secret,
                    account,
                    used: Instant::now(),
                },
            );
        }
    }

    /// Closes every vault the account opened (its sessions all ended).
    pub fn close_account(&self, account: i64) {
        if let Ok(mut open) = self.open.lock() {
            open.retain(|_, v| v.account != account);
        }
    }

    /// Closes the session's vault (sign-out, or the coordinator asks).
    pub fn close(&self, session: &str) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(session);
        }
    }
}

/// The page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/vault", get(page))
        .route("/vault/open", post(open))
        .route("/vault/close", post(close))
        .route(
            "/participants/{code}/identity",
            get(identity_page).post(save_identity),
        )
        .route("/participants/{code}/withdraw", post(withdraw_page))
        .route("/settings", get(settings_page).post(save_settings))
}

/// The API routes (under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/vault/open", post(api_open))
        .route("/participants/{code}/identity", get(api_identity))
        .route("/participants/{code}/withdraw", post(api_withdraw))
        .route("/settings", get(api_settings).put(api_save_settings))
}

#[derive(Template)]
#[template(path = "vault.html")]
struct VaultPage {
    chrome: Chrome,
    is_open: bool,
    wrong_password: bool,
    withdrawn: Option<String>,
}

/// `?lang=`, `?error=` and `?withdrawn=` of the vault page.
#[derive(Debug, Deserialize)]
pub struct VaultQuery {
    lang: Option<String>,
    error: Option<String>,
    withdrawn: Option<String>,
}

/// `GET /vault`: whether the vault is open for this session, and the form
/// to open or close it (coordinators).
async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<VaultQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::OpenVault)?;
    let query = LangQuery::from(params.lang.clone());
    let page = VaultPage {
        chrome: Chrome::new(&state, &headers, &query, Some(&user)),
        is_open: state.vaults.get(user.session()).is_some(),
        wrong_password: params.error.is_some(),
        withdrawn: params
            .withdrawn
            .filter(|w| w.starts_with("W-") && w.chars().skip(2).all(|c| c.is_ascii_hexdigit())),
    };
    render(&page, &query)
}

/// The password field of the opening form.
#[derive(Debug, Deserialize)]
pub struct OpenForm {
    csrf: Option<String>,
    password: String,
}

/// Unwraps the vault key for `user`'s session (audited by the store).
/// Wrong passwords count like failed sign-ins, under the account's own
/// key, so a stolen session cannot guess the password here either.
async fn open_for(state: &AppState, user: &CurrentUser, password: String) -> Result<(), AppError> {
    let key = format!("vault:{}", user.account.name);
    if let Some(wait) = state.limiter.blocked_for(&key, None) {
        return Err(AppError::TooManyAttempts(wait));
    }
    let account = user.account.clone();
    let password = Passphrase::new(password);
    let today = chrono::Local::now().date_naive();
    let secret = state
        .with_store(move |store| {
            // A server running past the retention date destroys them now.
            store.purge_expired_identities(today)?;
            store.open_vault(&account, &password)
        })
        .await
        .inspect_err(|e| {
            if matches!(e, AppError::BadRequest(_)) {
                state.limiter.failed(&key, None);
            }
        })?;
    state.limiter.succeeded(&key);
    state.vaults.put(user.session(), user.account.id, secret);
    Ok(())
}

/// `POST /vault/open`.
async fn open(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<OpenForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::OpenVault)?;
    match open_for(&state, &user, form.password).await {
        Ok(()) => Ok(Redirect::to("/vault").into_response()),
        Err(AppError::BadRequest(_)) => Ok(Redirect::to("/vault?error=password").into_response()),
        Err(other) => Err(other.into()),
    }
}

/// `POST /vault/close`.
async fn close(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<crate::auth::CsrfForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::OpenVault)?;
    state.vaults.close(user.session());
    Ok(Redirect::to("/vault").into_response())
}

/// The session's open vault, or 409 telling to open it first.
fn require_open(state: &AppState, user: &CurrentUser) -> Result<VaultSecret, AppError> {
    state
        .vaults
        .get(user.session())
        .ok_or_else(|| AppError::from(StoreError::VaultLocked))
}

#[derive(Template)]
#[template(path = "identity.html")]
struct IdentityPage {
    chrome: Chrome,
    code: String,
    is_open: bool,
    identity: Option<Identity>,
}

/// Refuses a path segment that is not a participant code.
fn participant_code(code: &str) -> Result<String, AppError> {
    ParticipantCode::new(code)
        .map(|c| c.to_string())
        .map_err(|_| AppError::NotFound)
}

/// `GET /participants/{code}/identity`: the identity, when this session
/// opened the vault (coordinators; each view is audited).
async fn identity_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::OpenVault)?;
    let code = participant_code(&code)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let secret = state.vaults.get(user.session());
    let is_open = secret.is_some();
    let identity = match secret {
        Some(secret) => {
            let account = user.account.clone();
            let lookup = code.clone();
            state
                .with_store(move |store| store.identity(&account, &secret, &lookup))
                .await?
        }
        None => {
            let lookup = code.clone();
            state
                .with_store(move |store| store.has_identity(&lookup))
                .await?;
            None
        }
    };
    let mut response = render(
        &IdentityPage {
            chrome,
            code,
            is_open,
            identity,
        },
        &query,
    )?;
    no_store(&mut response);
    Ok(response)
}

/// Keeps a response holding an identity out of every cache, the
/// browser's disk cache included.
fn no_store(response: &mut Response) {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
}

/// The identity form.
#[derive(Debug, Deserialize)]
pub struct IdentityForm {
    csrf: Option<String>,
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    location: String,
}

/// `POST /participants/{code}/identity`: seals a new identity in place of
/// the old (coordinators, the vault open).
async fn save_identity(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<IdentityForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::OpenVault)?;
    let code = participant_code(&code)?;
    let secret = require_open(&state, &user)?;
    let identity = Identity::from_fields(Some(&form.name), Some(&form.phone), Some(&form.location))
        .map_err(|e| AppError::BadRequest(e.to_string()))?
        .ok_or_else(|| AppError::BadRequest(sankore_store::VaultError::MissingName.to_string()))?;
    let account = user.account.clone();
    let target = code.clone();
    state
        .with_store(move |store| store.set_identity(&account, &secret, &target, &identity))
        .await?;
    Ok(Redirect::to(&format!("/participants/{code}/identity")).into_response())
}

/// The withdrawal form.
#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    csrf: Option<String>,
    #[serde(default)]
    reason: String,
}

/// Withdraws `code` on behalf of `user`, with the session's vault when open.
async fn withdraw_for(
    state: &AppState,
    user: &CurrentUser,
    code: String,
    reason: String,
) -> Result<Withdrawal, AppError> {
    let code = participant_code(&code)?;
    let secret = state.vaults.get(user.session());
    let account = user.account.clone();
    state
        .with_store(move |store| withdraw(store, &account, secret.as_ref(), &code, &reason))
        .await
}

fn withdraw(
    store: &mut SqliteStore,
    account: &Account,
    secret: Option<&VaultSecret>,
    code: &str,
    reason: &str,
) -> Result<Withdrawal, StoreError> {
    let terms = SearchTerms::default();
    let reason = Some(reason.trim()).filter(|r| !r.is_empty());
    store.withdraw_participant(account, secret, code, reason, &|text| terms.index(text))
}

/// `POST /participants/{code}/withdraw`: withdraws the participant
/// (coordinators; the vault open when it holds their identity).
async fn withdraw_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<WithdrawForm>,
) -> Result<Response, PageError> {
    user.authorize_post(
        &headers,
        form.csrf.as_deref(),
        Permission::WithdrawParticipants,
    )?;
    let done = withdraw_for(&state, &user, code, form.reason).await?;
    Ok(Redirect::to(&format!("/vault?withdrawn={}", done.id)).into_response())
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    settings: StudySettings,
}

/// `GET /settings` (coordinators).
async fn settings_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ManageStudy)?;
    let settings = state.with_store(|store| store.study_settings()).await?;
    render(
        &SettingsPage {
            chrome: Chrome::new(&state, &headers, &query, Some(&user)),
            settings,
        },
        &query,
    )
}

/// The settings form (an unchecked box is absent).
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    csrf: Option<String>,
    #[serde(default)]
    identity_retention_until: String,
    #[serde(default)]
    coders_see_assigned_only: Option<String>,
}

fn parse_date(text: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    match text.trim() {
        "" => Ok(None),
        date => date
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest("retention date: use YYYY-MM-DD".to_owned())),
    }
}

async fn store_settings(
    state: &AppState,
    user: &CurrentUser,
    settings: StudySettings,
) -> Result<(), AppError> {
    let account = user.account.clone();
    state
        .with_store(move |store| store.set_study_settings(&account, &settings))
        .await
}

/// `POST /settings` (coordinators).
async fn save_settings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SettingsForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::ManageStudy)?;
    let settings = StudySettings {
        identity_retention_until: parse_date(&form.identity_retention_until)?,
        coders_see_assigned_only: form.coders_see_assigned_only.is_some(),
    };
    store_settings(&state, &user, settings).await?;
    Ok(Redirect::to("/settings").into_response())
}

/// `{"password": …}` to open the vault through the API.
#[derive(Debug, Deserialize)]
pub struct OpenBody {
    password: String,
}

/// `POST /api/v1/vault/open`: 204 when opened for this session.
async fn api_open(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<OpenBody>,
) -> Result<Response, ApiError> {
    user.require(Permission::OpenVault)?;
    open_for(&state, &user, body.password).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/participants/{code}/identity` (coordinators, the vault
/// open; audited).
async fn api_identity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::OpenVault)?;
    let code = participant_code(&code)?;
    let secret = require_open(&state, &user)?;
    let account = user.account.clone();
    let lookup = code.clone();
    let identity = state
        .with_store(move |store| store.identity(&account, &secret, &lookup))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut response = Json(serde_json::json!({
        "code": code,
        "name": identity.name,
        "phone": identity.phone,
        "location": identity.location,
    }))
    .into_response();
    no_store(&mut response);
    Ok(response)
}

/// `{"reason": …}` of an API withdrawal.
#[derive(Debug, Deserialize, Default)]
pub struct WithdrawBody {
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/participants/{code}/withdraw`: the withdrawal's counts.
async fn api_withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    Json(body): Json<WithdrawBody>,
) -> Result<Response, ApiError> {
    user.require(Permission::WithdrawParticipants)?;
    let done = withdraw_for(&state, &user, code, body.reason).await?;
    Ok(Json(done).into_response())
}

/// `GET /api/v1/settings` (coordinators).
async fn api_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ManageStudy)?;
    let settings = state.with_store(|store| store.study_settings()).await?;
    Ok(Json(settings).into_response())
}

/// The settings as the API takes them.
#[derive(Debug, Deserialize)]
pub struct SettingsBody {
    identity_retention_until: Option<chrono::NaiveDate>,
    coders_see_assigned_only: bool,
}

/// `PUT /api/v1/settings` (coordinators).
async fn api_save_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<SettingsBody>,
) -> Result<Response, ApiError> {
    user.require(Permission::ManageStudy)?;
    let settings = StudySettings {
        identity_retention_until: body.identity_retention_until,
        coders_see_assigned_only: body.coders_see_assigned_only,
    };
    store_settings(&state, &user, settings.clone()).await?;
    Ok(Json(settings).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_vaults_are_per_session_and_close_when_idle_or_asked() {
        let vaults = OpenVaults::default();
        let (secret, public) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        vaults.put("session-a", 1, secret.clone());
        assert_eq!(
            vaults.get("session-a").map(|s| s.public_key()),
            Some(public)
        );
        assert!(vaults.get("session-b").is_none(), "other sessions: closed");
        vaults.close("session-a");
        assert!(vaults.get("session-a").is_none());
        vaults.put("session-a", 1, secret.clone());
        vaults.put("session-b", 1, secret.clone());
        vaults.put("session-c", 2, secret);
        vaults.close_account(1);
        assert!(vaults.get("session-a").is_none() && vaults.get("session-b").is_none());
        assert!(vaults.get("session-c").is_some(), "another account's stays");

        let quick = OpenVaults::closing_after(Duration::ZERO);
        let (secret, _) = VaultSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        quick.put("session-a", 1, secret);
        assert!(quick.get("session-a").is_none(), "idle: closed");
    }
}
