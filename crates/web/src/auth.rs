//! Signing in and out, server-side sessions, CSRF and the login rate limit.
//!
//! The session cookie holds a random token; the store keeps only its
//! SHA-256, with the session's CSRF token. Every state-changing request
//! must carry that CSRF token (form field `csrf` or header `X-CSRF-Token`)
//! and, when the browser sends one, an `Origin` matching the host.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use sankore_domain::{AuditAction, AuditEvent, Permission};
use sankore_store::key::{hash_password, verify_password};
use sankore_store::{Account, AccountStore, AuditStore, Passphrase};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AppState;
use crate::error::{ApiError, AppError, PageError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sankore_session";
/// A session unused for this long ends.
pub const IDLE_TIMEOUT_HOURS: i64 = 8;
/// Failed sign-ins allowed per name and per address within [`WINDOW`].
const MAX_FAILURES: u32 = 5;
/// Consecutive failed sign-ins (across restarts and rate-limit windows)
/// that lock an account until `sankore user unlock`.
pub const LOCK_AFTER_FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// 32 random bytes, hex.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| AppError::Internal)?;
    Ok(hex::encode(bytes))
}

/// What the store keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub csrf: String,
    token_hash: String,
}

impl CurrentUser {
    /// Refuses with 403 unless the role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.account.role.allows(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Checks a state-changing form post: the origin, this session's CSRF
    /// token, then the role.
    pub fn authorize_post(
        &self,
        headers: &HeaderMap,
        csrf: Option<&str>,
        permission: Permission,
    ) -> Result<(), AppError> {
        check_origin(headers)?;
        self.check_csrf(csrf)?;
        self.require(permission)
    }

    /// The hash of this session's token (the key of its open vault).
    pub fn session(&self) -> &str {
        &self.token_hash
    }

    /// Refuses unless `token` is this session's CSRF token.
    pub fn check_csrf(&self, token: Option<&str>) -> Result<(), AppError> {
        match token {
            Some(t) if constant_time_eq(t, &self.csrf) => Ok(()),
            _ => Err(AppError::CsrfRejected),
        }
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Refuses a state-changing request whose `Origin` names another site.
pub fn check_origin(headers: &HeaderMap) -> Result<(), AppError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let expected = [format!("http://{host}"), format!("https://{host}")];
    if expected.iter().any(|e| e == origin) {
        Ok(())
    } else {
        Err(AppError::CsrfRejected)
    }
}

async fn current_user(parts: &Parts, state: &AppState) -> Result<CurrentUser, AppError> {
    let token = cookie_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
    let hash = token_hash(&token);
    let lookup = hash.clone();
    let found = state
        .with_store(move |store| {
            store.touch_web_session(&lookup, chrono::Duration::hours(IDLE_TIMEOUT_HOURS))
        })
        .await?;
    let (account, csrf) = found.ok_or(AppError::Unauthenticated)?;
    Ok(CurrentUser {
        account,
        csrf,
        token_hash: hash,
    })
}

/// The signed-in user of a page request (signed-out: redirect to `/login`).
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(PageUser(current_user(parts, state).await?))
    }
}

/// The signed-in user of an API request (signed-out: 401). State-changing
/// methods must carry the CSRF token in `X-CSRF-Token`.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = current_user(parts, state).await?;
        if !parts.method.is_safe() {
            check_origin(&parts.headers)?;
            let token = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            user.check_csrf(token)?;
        }
        Ok(ApiUser(user))
    }
}

/// Counts failed sign-ins per name and per address.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    fn keys(name: &str, ip: Option<IpAddr>) -> Vec<String> {
        let mut keys = vec![format!("name:{}", name.to_lowercase())];
        if let Some(ip) = ip {
            keys.push(format!("ip:{ip}"));
        }
        keys
    }

    /// Seconds to wait when any key is over the limit.
    pub fn blocked_for(&self, name: &str, ip: Option<IpAddr>) -> Option<u64> {
        let failures = self.failures.lock().ok()?;
        Self::keys(name, ip)
            .iter()
            .filter_map(|k| failures.get(k))
            .filter(|(count, since)| *count >= MAX_FAILURES && since.elapsed() < WINDOW)
            .map(|(_, since)| WINDOW.saturating_sub(since.elapsed()).as_secs().max(1))
            .max()
    }

    /// Records a failure for the name and the address.
    pub fn failed(&self, name: &str, ip: Option<IpAddr>) {
        if let Ok(mut failures) = self.failures.lock() {
            for key in Self::keys(name, ip) {
                let entry = failures.entry(key).or_insert((0, Instant::now()));
                if entry.1.elapsed() >= WINDOW {
                    *entry = (0, Instant::now());
                }
                entry.0 += 1;
            }
        }
    }

    /// Clears the name's failures after a successful sign-in.
    pub fn succeeded(&self, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("name:{}", name.to_lowercase()));
        }
    }
}

/// The sign-in form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    pub name: String,
    pub password: String,
}

/// A PHC hash checked when the name is unknown, so that unknown names and
/// wrong passwords take the same time (no user enumeration).
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        hash_password(&Passphrase::new("no such user".to_owned())).unwrap_or_default()
    })
}

fn session_cookie(token: &str, max_age: Option<i64>) -> Result<HeaderValue, AppError> {
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{age}"
    ))
    .map_err(|_| AppError::Internal)
}

/// `POST /login`: checks the password, opens a session, sets the cookie.
pub async fn login(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    let ip = Some(peer.ip());
    if let Some(wait) = state.limiter.blocked_for(&form.name, ip) {
        return Err(AppError::TooManyAttempts(wait).into());
    }
    let name = form.name.clone();
    let password = Passphrase::new(form.password);
    let account = state
        .with_store(move |store| {
            let found = store.user_credentials(&name)?;
            // Unknown names and locked accounts still pay for one Argon2
            // verification, so the answer's timing tells nothing.
            let hash = found
                .as_ref()
                .map(|c| c.password_hash.as_str())
                .unwrap_or(dummy_hash());
            let ok = verify_password(&password, hash);
            match found {
                Some(c) if ok && !c.locked => Ok(Some(c.account)),
                Some(c) if c.locked => {
                    store.record_audit(&AuditEvent::new(
                        &c.account.name,
                        AuditAction::SignInRefused,
                        &c.account.name,
                        "account locked",
                    ))?;
                    Ok(None)
                }
                Some(c) => {
                    if store.sign_in_failed(c.account.id, LOCK_AFTER_FAILURES, "wrong password")? {
                        tracing::warn!(user = c.account.id, "account locked after failed sign-ins");
                    }
                    Ok(None)
                }
                None => {
                    // The name typed is not kept: it may be a mistyped
                    // password or a person's name.
                    store.record_audit(&AuditEvent::new(
                        "anonymous",
                        AuditAction::SignInRefused,
                        "",
                        "unknown name",
                    ))?;
                    Ok(None)
                }
            }
        })
        .await?;
    let Some(account) = account else {
        state.limiter.failed(&form.name, ip);
        return Ok(crate::pages::login_page(&state, &headers, true).into_response());
    };
    state.limiter.succeeded(&form.name);
    let token = random_token()?;
    let csrf = random_token()?;
    let hash = token_hash(&token);
    let user_id = account.id;
    state
        .with_store(move |store| store.create_web_session(&hash, user_id, &csrf))
        .await?;
    tracing::info!(user = account.id, "signed in");
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&token, None)?);
    Ok(response)
}

/// The sign-out form's field.
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    let hash = user.token_hash.clone();
    state.vaults.close(&hash);
    state
        .with_store(move |store| store.delete_web_session(&hash))
        .await?;
    signed_out()
}

/// A redirect to `/login` that clears the session cookie.
fn signed_out() -> Result<Response, PageError> {
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie("", Some(0))?);
    Ok(response)
}

/// `POST /logout/all`: ends every session of the signed-in account, on
/// every device, and clears this browser's cookie.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    let name = user.account.name.clone();
    let (_, ended) = state
        .with_store(move |store| store.end_user_sessions(&name, &name))
        .await?;
    tracing::info!(
        user = user.account.id,
        sessions = ended,
        "signed out everywhere"
    );
    state.vaults.close_account(user.account.id);
    signed_out()
}

/// The password-change form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct PasswordForm {
    pub csrf: Option<String>,
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// `POST /account/password`: checks the current password (a wrong one
/// counts towards the account lock), sets the new one and ends every
/// session of the account, this one included.
pub async fn change_password(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<PasswordForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    let new = Passphrase::new(form.new);
    let problem = if new != Passphrase::new(form.confirm) {
        Some(sankore_i18n::Msg::PasswordMismatch)
    } else if new.check_strength().is_err() {
        Some(sankore_i18n::Msg::PasswordTooShort)
    } else {
        None
    };
    if let Some(problem) = problem {
        return Ok(
            crate::pages::account_page(&state, &headers, &user, Some(problem)).into_response(),
        );
    }
    let current = Passphrase::new(form.current);
    let name = user.account.name.clone();
    let changed = state
        .with_store(move |store| {
            let Some(credentials) = store.user_credentials(&name)? else {
                return Ok(false);
            };
            if !verify_password(&current, &credentials.password_hash) {
                store.sign_in_failed(
                    credentials.account.id,
                    LOCK_AFTER_FAILURES,
                    "wrong current password on password change",
                )?;
                return Ok(false);
            }
            // A coordinator's copy of the vault key follows the password.
            sankore_store::VaultStore::rewrap_vault(store, &credentials.account, &current, &new)?;
            let hash = hash_password(&new)?;
            store.set_password(&name, &hash, &name)?;
            Ok(true)
        })
        .await?;
    if !changed {
        return Ok(crate::pages::account_page(
            &state,
            &headers,
            &user,
            Some(sankore_i18n::Msg::PasswordWrong),
        )
        .into_response());
    }
    tracing::info!(user = user.account.id, "password changed");
    state.vaults.close_account(user.account.id);
    signed_out()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_five_failures() {
        let limiter = LoginLimiter::default();
        let ip: Option<IpAddr> = "127.0.0.1".parse().ok();
        for _ in 0..5 {
            assert_eq!(limiter.blocked_for("awa", ip), None);
            limiter.failed("awa", ip);
        }
        assert!(
            limiter.blocked_for("AWA", None).is_some(),
            "by name, any case"
        );
        assert!(limiter.blocked_for("other", ip).is_some(), "by address");
        limiter.succeeded("awa");
        assert!(limiter.blocked_for("awa", None).is_none());
    }

    #[test]
    fn cookie_parsing_and_comparisons() {
        let mut headers = HeaderMap::new();
        let token = "a".repeat(64);
        if let Ok(v) = HeaderValue::from_str(&format!("x=1; {SESSION_COOKIE}={token}")) {
            headers.insert(header::COOKIE, v);
        }
        assert_eq!(cookie_token(&headers), Some(token));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("sankore_session=short"),
        );
        assert_eq!(cookie_token(&headers), None);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
