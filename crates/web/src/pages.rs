//! Server-rendered pages.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sankore_analysis::Methodology;
use sankore_domain::{CodeKey, Codebook, Permission, PlaceCode};
use sankore_i18n::{Lang, Msg};
use sankore_store::{
    AccessStore, Account, AssignmentStore, CodingStore, DocumentSummary, QuoteStore, Store,
    StoredCoding,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, PageUser};
use crate::error::{AppError, PageError};
use crate::transcript::{self, LineView};
use sankore_reports::charts::{self, BarRow};

/// Name of the cookie remembering the chosen language.
const LANG_COOKIE: &str = "sankore_lang";

/// `?lang=fr|en` on any page.
#[derive(Debug, Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

impl From<Option<String>> for LangQuery {
    fn from(lang: Option<String>) -> Self {
        LangQuery { lang }
    }
}

/// The language of a request: `?lang=`, else the language cookie, else the
/// server's default.
fn request_lang(headers: &HeaderMap, query: Option<&str>, default: Lang) -> Lang {
    let from_cookie = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| value.parse().ok())
    };
    query
        .and_then(|l| l.parse().ok())
        .or_else(from_cookie)
        .unwrap_or(default)
}

/// What every page's frame needs: language, user, CSRF token.
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<Account>,
    pub csrf: String,
}

impl Chrome {
    pub(crate) fn new(
        state: &AppState,
        headers: &HeaderMap,
        query: &LangQuery,
        user: Option<&CurrentUser>,
    ) -> Chrome {
        Chrome {
            lang: request_lang(headers, query.lang.as_deref(), state.default_lang),
            user: user.map(|u| u.account.clone()),
            csrf: user.map(|u| u.csrf.clone()).unwrap_or_default(),
        }
    }

    /// A text of the interface in the page's language.
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang)
    }

    /// The version of a bilingual text in the page's language.
    pub fn pick<'a>(&self, text: &'a sankore_domain::Localized) -> &'a str {
        text.get(self.lang)
    }

    /// Whether the signed-in user may do `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.allows(permission))
    }
}

/// Renders a template, remembering `?lang=` in a cookie.
pub(crate) fn render(template: &impl Template, query: &LangQuery) -> Result<Response, PageError> {
    let html = template.render().map_err(|e| {
        tracing::error!(error = %e, "template");
        AppError::Internal
    })?;
    let mut response = Html(html).into_response();
    if let Some(lang) = query.lang.as_deref().and_then(|l| l.parse::<Lang>().ok())
        && let Ok(cookie) = format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Strict").parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    failed: bool,
}

/// The sign-in page (also shown again after a failed attempt).
pub fn login_page(state: &AppState, headers: &HeaderMap, failed: bool) -> Response {
    let page = LoginPage {
        chrome: Chrome::new(state, headers, &LangQuery::default(), None),
        failed,
    };
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => PageError(AppError::Internal).into_response(),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    problem: Option<Msg>,
}

/// The account page (password change, sign-out everywhere), with a problem
/// to show after a refused change.
pub fn account_page(
    state: &AppState,
    headers: &HeaderMap,
    user: &CurrentUser,
    problem: Option<Msg>,
) -> Response {
    let page = AccountPage {
        chrome: Chrome::new(state, headers, &LangQuery::default(), Some(user)),
        problem,
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => PageError(AppError::Internal).into_response(),
    }
}

/// `GET /account`: every signed-in role.
pub async fn account(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let page = AccountPage {
        chrome: Chrome::new(&state, &headers, &query, Some(&user)),
        problem: None,
    };
    render(&page, &query)
}

/// `GET /login`.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let page = LoginPage {
        chrome: Chrome::new(&state, &headers, &query, None),
        failed: false,
    };
    render(&page, &query)
}

/// A row of the quota table, labelled for display.
pub struct QuotaRow {
    pub place: String,
    pub group: String,
    pub gender: sankore_domain::Gender,
    pub target: u32,
    pub achieved: u32,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    methodology: Option<Methodology>,
    documents: usize,
    documents_coded: usize,
    codings: usize,
    quotas: Vec<QuotaRow>,
    quota_chart: String,
    weeks_chart: String,
}

/// `GET /healthz`: the server answers and the database can be read.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.with_store(|store| store.schema_version()).await {
        Ok(_) => Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response(),
    }
}

/// `GET /`: the study dashboard (aggregates only).
pub async fn dashboard(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let loaded = state
        .with_store(|store| {
            let Some(methodology) = sankore_analysis::methodology::from_store(&*store)? else {
                return Ok(None);
            };
            Ok(Some((
                methodology,
                store.document_summaries()?,
                store.gazetteer()?,
                store.groups()?,
                store.quotas()?,
                store.participants()?,
                store.sessions()?,
            )))
        })
        .await?;
    let Some((methodology, summaries, gazetteer, groups, quotas, participants, sessions)) = loaded
    else {
        let page = Dashboard {
            chrome,
            methodology: None,
            documents: 0,
            documents_coded: 0,
            codings: 0,
            quotas: Vec::new(),
            quota_chart: String::new(),
            weeks_chart: String::new(),
        };
        return render(&page, &query);
    };
    let progress =
        sankore_analysis::progress::quotas(&gazetteer, &quotas, &participants, &sessions);
    let place_name = |code: &str| {
        PlaceCode::new(code)
            .ok()
            .and_then(|c| gazetteer.get(&c).map(|p| p.name.clone()))
            .unwrap_or_else(|| code.to_owned())
    };
    let quota_rows: Vec<QuotaRow> = progress
        .iter()
        .map(|p| QuotaRow {
            place: place_name(&p.place),
            group: groups
                .iter()
                .find(|g| g.key == p.group)
                .map_or_else(|| p.group.clone(), |g| g.label.get(chrome.lang).to_owned()),
            gender: p.gender,
            target: p.target,
            achieved: p.achieved,
        })
        .collect();
    let mut places: Vec<&str> = Vec::new();
    for p in &progress {
        if !places.contains(&p.place.as_str()) {
            places.push(&p.place);
        }
    }
    let bar_rows: Vec<BarRow> = places
        .iter()
        .map(|place| {
            let sum = |gender| {
                progress
                    .iter()
                    .filter(|p| p.place == *place && p.gender == gender)
                    .fold((0, 0), |(a, t), p| (a + p.achieved, t + p.target))
            };
            BarRow {
                label: place_name(place),
                values: vec![
                    sum(sankore_domain::Gender::Female),
                    sum(sankore_domain::Gender::Male),
                ],
            }
        })
        .collect();
    let quota_chart = charts::progress_bars(
        &bar_rows,
        &[
            (chrome.t(Msg::Women), "#b5485d"),
            (chrome.t(Msg::Men), "#2f6f8f"),
        ],
    );
    let weeks = sankore_analysis::progress::sessions_per_week(&sessions);
    let weeks_chart = charts::stacked_columns(
        &weeks
            .iter()
            .map(|w| w.week.format("%d/%m").to_string())
            .collect::<Vec<_>>(),
        &weeks
            .iter()
            .map(|w| vec![w.interviews, w.focus_groups, w.other])
            .collect::<Vec<_>>(),
        &[
            (chrome.t(Msg::Interviews), "#2f6f8f"),
            (chrome.t(Msg::FocusGroups), "#d08c2c"),
            (chrome.t(Msg::OtherSessions), "#5b8c5a"),
        ],
    );
    let page = Dashboard {
        methodology: Some(methodology),
        documents: summaries.len(),
        documents_coded: summaries.iter().filter(|d| d.codings > 0).count(),
        codings: summaries.iter().map(|d| d.codings).sum(),
        quotas: quota_rows,
        quota_chart,
        weeks_chart,
        chrome,
    };
    render(&page, &query)
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    chrome: Chrome,
    documents: Vec<DocumentSummary>,
}

/// `GET /documents`: transcripts and notes.
pub async fn documents(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let documents = state
        .with_store(move |store| store.document_summaries_for(&account))
        .await?;
    let page = DocumentsPage {
        chrome: Chrome::new(&state, &headers, &query, Some(&user)),
        documents,
    };
    render(&page, &query)
}

/// A code in the picker.
pub struct CodeOption {
    pub key: String,
    pub label: String,
    pub depth: usize,
}

/// A coding in the side list.
pub struct CodingRow {
    pub stored: StoredCoding,
    /// CSS class of the code's colour.
    pub class: String,
    pub code_name: String,
    pub excerpt: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    chrome: Chrome,
    code: String,
    title: String,
    language: String,
    revision: i64,
    lines: Vec<LineView>,
    codings: Vec<CodingRow>,
    codes: Vec<CodeOption>,
    coders: Vec<String>,
    coder_filter: String,
}

/// `?coder=` filter of the transcript view.
#[derive(Debug, Deserialize)]
pub struct DocumentQuery {
    lang: Option<String>,
    coder: Option<String>,
}

fn code_name(codebook: &Codebook, lang: Lang) -> impl Fn(&CodeKey) -> String + '_ {
    move |key| {
        codebook
            .get(key)
            .map(|c| c.name.get(lang).to_owned())
            .unwrap_or_else(|| key.to_string())
    }
}

/// `GET /documents/{code}`: the transcript with its codings.
pub async fn document(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<DocumentQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang_query = LangQuery {
        lang: query.lang.clone(),
    };
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let lookup = code.clone();
    let account = user.account.clone();
    let (found, all_codings, codebook) = state
        .with_store(move |store| {
            Ok((
                store.document_for(&account, &lookup)?,
                store.document_codings_visible_to(&lookup, &account)?,
                store.codebook()?,
            ))
        })
        .await?;
    let (document, revision) = found.ok_or(AppError::NotFound)?;
    let mut coders: Vec<String> = all_codings.iter().map(|c| c.coding.coder.clone()).collect();
    coders.sort();
    coders.dedup();
    let coder_filter = query.coder.unwrap_or_default();
    let shown: Vec<StoredCoding> = all_codings
        .into_iter()
        .filter(|c| coder_filter.is_empty() || c.coding.coder == coder_filter)
        .collect();
    let name_of = code_name(&codebook, chrome.lang);
    let lines = transcript::lines(&document, &shown, &name_of);
    let codings = shown
        .into_iter()
        .map(|stored| {
            let text = document.text_of(stored.coding.span);
            let mut excerpt: String = text.chars().take(160).collect();
            if text.chars().count() > 160 {
                excerpt.push('…');
            }
            CodingRow {
                code_name: name_of(&stored.coding.code),
                class: transcript::code_class(&stored.coding.code),
                stored,
                excerpt,
            }
        })
        .collect();
    let codes = code_options(&codebook, chrome.lang);
    let page = DocumentPage {
        chrome,
        code: document.code.clone(),
        title: document.title.clone(),
        language: document.language.clone(),
        revision,
        lines,
        codings,
        codes,
        coders,
        coder_filter,
    };
    render(&page, &lang_query)
}

#[derive(Template)]
#[template(path = "coding.html")]
struct CodingPage {
    chrome: Chrome,
    stored: StoredCoding,
    code_name: String,
    class: String,
    text: String,
    codes: Vec<CodeOption>,
    /// Findings it may be quoted for: `(key, statement)`.
    findings: Vec<(String, String)>,
    /// Keys of the findings quoting it.
    quoted_in: Vec<String>,
}

/// `GET /codings/{id}`: one coding, with the forms to change or remove it.
pub async fn coding(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let account = user.account.clone();
    let (stored, document, codebook, findings, quoted_in) = state
        .with_store(move |store| {
            let view = store.blind_view(&account)?;
            let stored = store
                .coding(&id)?
                .filter(|s| view.shows(&s.coding.document, &s.coding.coder));
            let document = match &stored {
                Some(s) => store
                    .document_for(&account, &s.coding.document)?
                    .map(|(d, _)| d),
                None => None,
            };
            let quoted_in: Vec<String> = store
                .finding_quotes()?
                .into_iter()
                .filter(|(_, q)| stored.as_ref().is_some_and(|s| s.id == q.id))
                .map(|(finding, _)| finding)
                .collect();
            Ok((
                stored,
                document,
                store.codebook()?,
                store.findings()?,
                quoted_in,
            ))
        })
        .await?;
    let (stored, document) = stored.zip(document).ok_or(AppError::NotFound)?;
    let page = CodingPage {
        code_name: code_name(&codebook, chrome.lang)(&stored.coding.code),
        class: transcript::code_class(&stored.coding.code),
        text: document.text_of(stored.coding.span).to_owned(),
        codes: code_options(&codebook, chrome.lang),
        findings: findings
            .iter()
            .map(|f| (f.key.clone(), chrome.pick(&f.statement).to_owned()))
            .collect(),
        quoted_in,
        stored,
        chrome,
    };
    render(&page, &query)
}

fn code_options(codebook: &Codebook, lang: Lang) -> Vec<CodeOption> {
    codebook
        .codes()
        .iter()
        .map(|c| CodeOption {
            key: c.key.to_string(),
            label: c.name.get(lang).to_owned(),
            depth: codebook.depth(&c.key),
        })
        .collect()
}

/// Fields of the coding edit form.
#[derive(Debug, Deserialize)]
pub struct CodingForm {
    csrf: Option<String>,
    version: i64,
    code: Option<String>,
    memo: Option<String>,
    document: String,
}

fn back_to(document: &str) -> Response {
    let safe: String = document
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    Redirect::to(&format!("/documents/{safe}")).into_response()
}

/// `POST /codings/{id}/update`: change a coding's code or memo.
pub async fn update_coding(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CodingForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let code = CodeKey::new(form.code.as_deref().unwrap_or_default())?;
    let memo = form.memo.filter(|m| !m.trim().is_empty());
    let account = user.account.clone();
    state
        .with_store(move |store| {
            store.require_visible(&id, &account)?;
            store.update_coding(&id, form.version, &code, memo.as_deref())
        })
        .await?;
    Ok(back_to(&form.document))
}

/// `POST /codings/{id}/delete`: remove a coding.
pub async fn delete_coding(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CodingForm>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, form.csrf.as_deref(), Permission::Code)?;
    let version = form.version;
    let account = user.account.clone();
    state
        .with_store(move |store| {
            store.require_visible(&id, &account)?;
            store.delete_coding(&id, version)
        })
        .await?;
    Ok(back_to(&form.document))
}

/// `GET /codebook.css`: one class per code carrying its colour.
pub async fn codebook_css(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let codebook = state.with_store(|store| store.codebook()).await?;
    let css: String = codebook
        .codes()
        .iter()
        .map(|c| {
            format!(
                ".{} {{ --c: {}; }}\n",
                transcript::code_class(&c.key),
                c.color
            )
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        css,
    )
        .into_response())
}

/// `GET /static/app.css`, embedded in the binary.
pub async fn stylesheet() -> Response {
    static_asset("text/css; charset=utf-8", include_str!("../assets/app.css"))
}

/// `GET /static/coding.js`, embedded in the binary.
pub async fn coding_script() -> Response {
    static_asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/coding.js"),
    )
}

/// An asset embedded in the binary, cached for an hour.
pub(crate) fn static_asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Any other path.
pub async fn not_found() -> Response {
    PageError(AppError::NotFound).into_response()
}

/// A PDF route (`/report/study.pdf`, `/forums/{code}/pack.pdf`) in a build
/// without the `pdf` feature, such as the fuzz build: 501 with a message in
/// the page's language. Signed-in users only, like the routes it stands for.
#[cfg(not(feature = "pdf"))]
pub async fn pdf_not_in_this_build(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Response {
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    (
        StatusCode::NOT_IMPLEMENTED,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        chrome.t(Msg::PdfNotInThisBuild),
    )
        .into_response()
}
