//! Findings, validation forums, recommendations and follow-up actions:
//! the facilitators' pages (a forum's findings, recording each outcome,
//! the printable pack) and the pages every role reads (findings with their
//! evidence strength and history, recommendations with who does what,
//! actions and what is late). Viewers see validated findings only.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sankore_analysis::AnalysisError;
use sankore_analysis::evidence::{self, FindingOverview};
use sankore_domain::{
    Action, Agreement, AuditAction, AuditEvent, ForumOutcome, Localized, OutcomeKind, Permission,
    Recommendation, Session, SessionKind, StakeholderGroup,
};
use sankore_i18n::{Msg, agreement_msg, outcome_msg};
use sankore_reports::followup::{actions_json, recommendations_json};
#[cfg(feature = "pdf")]
use sankore_reports::forum_pack::forum_pack_pdf;
use sankore_reports::forum_pack::{PACK_CSS, PackInput, Stylesheet, forum_pack};
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AuditStore, FollowupStore, Store, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser, PageUser, check_origin};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{Chrome, LangQuery, render, static_asset};

/// The pages: findings, forums (with outcome recording and packs),
/// recommendations, actions.
pub fn page_routes() -> Router<AppState> {
    #[cfg(not(feature = "pdf"))]
    let pack_pdf = crate::pages::pdf_not_in_this_build;
    Router::new()
        .route("/findings", get(findings))
        .route("/forums", get(forums))
        .route("/forums/{code}", get(forum))
        .route("/forums/{code}/outcomes", post(record_outcome))
        .route("/forums/{code}/findings", post(add_finding))
        .route("/forums/{code}/pack", get(pack))
        .route("/forums/{code}/pack.pdf", get(pack_pdf))
        .route("/forums/{code}/attendance", post(record_attendance))
        .route("/recommendations", get(recommendations))
        .route("/actions", get(actions))
        .route("/actions/{key}", post(update_action))
        .route("/static/forum-pack.css", get(pack_stylesheet))
}

/// The JSON API routes, to nest under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/findings", get(api_findings))
        .route("/recommendations", get(api_recommendations))
        .route("/actions", get(api_actions))
        .route("/forums/{code}/outcomes", post(api_record_outcome))
        .route("/forums/{code}/findings", post(api_add_finding))
}

/// The findings overview, read inside a store call.
fn overview(store: &SqliteStore) -> Result<Vec<FindingOverview>, StoreError> {
    evidence::from_store(store).map_err(|e| match e {
        AnalysisError::Store(e) => e,
        other => StoreError::Stored {
            what: "findings overview",
            detail: other.to_string(),
        },
    })
}

/// Whether `user` may see findings no forum validated yet.
fn sees_all_findings(user: &CurrentUser) -> bool {
    let role = user.account.role;
    role.allows(Permission::RecordForumOutcomes) || role.allows(Permission::ReadTranscripts)
}

/// The findings `user` may see: every one, or the validated ones only.
async fn visible_findings(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<FindingOverview>, AppError> {
    user.require(Permission::ReadAggregates)?;
    let all = state.with_store(|store| overview(store)).await?;
    let everything = sees_all_findings(user);
    Ok(all
        .into_iter()
        .filter(|f| everything || f.validated)
        .collect())
}

/// One outcome as a line of a finding's history.
pub struct OutcomeLine {
    pub forum: String,
    pub place: String,
    pub date: String,
    pub kind: OutcomeKind,
    pub label: &'static str,
    pub agreement: &'static str,
    /// New wording or reasons, in the page's language.
    pub detail: String,
}

/// A finding as shown.
pub struct FindingRow {
    pub key: String,
    pub statement: String,
    pub research_question: String,
    pub places: String,
    pub participants: u64,
    pub sources: u64,
    pub cercles: u64,
    pub validated: bool,
    pub history: Vec<OutcomeLine>,
}

fn finding_row(chrome: &Chrome, f: &FindingOverview) -> FindingRow {
    FindingRow {
        key: f.key.clone(),
        statement: chrome.pick(&f.statement).to_owned(),
        research_question: format!(
            "{}. {}",
            f.research_question.number,
            chrome.pick(&f.research_question.text)
        ),
        places: if f.places.is_empty() {
            chrome.t(Msg::WholeArea).to_owned()
        } else {
            f.places
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
        participants: f.strength.participants,
        sources: f.strength.sources,
        cercles: f.strength.cercles,
        validated: f.validated,
        history: f
            .outcomes
            .iter()
            .map(|o| OutcomeLine {
                forum: o.forum.clone(),
                place: o.place.to_string(),
                date: o.date.to_string(),
                kind: o.kind,
                label: chrome.t(outcome_msg(o.kind)),
                agreement: chrome.t(agreement_msg(o.agreement)),
                detail: o
                    .wording
                    .as_ref()
                    .map(|w| chrome.pick(w).to_owned())
                    .or_else(|| o.reasons.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    chrome: Chrome,
    findings: Vec<FindingRow>,
    all: bool,
    /// Quotes by finding key; empty for those who may not read transcripts.
    quotes: std::collections::BTreeMap<String, Vec<crate::quotes::Quote>>,
}

/// `GET /findings`: findings with strength and every forum's outcome.
pub async fn findings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let all = visible_findings(&state, &user).await?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let findings = all.iter().map(|f| finding_row(&chrome, f)).collect();
    let quotes = if user.account.role.allows(Permission::ReadTranscripts) {
        let account = user.account.clone();
        state
            .with_store(move |store| crate::quotes::by_finding(store, &account))
            .await?
    } else {
        Default::default()
    };
    let page = FindingsPage {
        findings,
        all: sees_all_findings(&user),
        quotes,
        chrome,
    };
    render(&page, &query)
}

/// `GET /api/v1/findings`: as `sankore findings list --format json`,
/// validated findings only for viewers.
pub async fn api_findings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    let findings = visible_findings(&state, &user).await?;
    Ok(Json(serde_json::json!({ "findings": findings })).into_response())
}

/// `GET /api/v1/recommendations`: as `sankore recommendations list
/// --format json`.
pub async fn api_recommendations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let list = state.with_store(|store| store.recommendations()).await?;
    Ok(Json(recommendations_json(&list)).into_response())
}

/// `GET /api/v1/actions`: as `sankore actions list --format json`.
pub async fn api_actions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let list = state.with_store(|store| store.actions()).await?;
    Ok(Json(actions_json(&list, chrono::Utc::now().date_naive())).into_response())
}

/// Fields of the action progress form.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    status: String,
    #[serde(default)]
    notes: Option<String>,
}

/// `POST /actions/{key}`: an action's status and outcome notes.
pub async fn update_action(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(key): Path<String>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, PageError> {
    user.authorize_post(
        &headers,
        form.csrf.as_deref(),
        Permission::RecordForumOutcomes,
    )?;
    let status = sankore_domain::ActionStatus::parse(form.status.trim())?;
    let notes = form
        .notes
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let target = key.clone();
    state
        .with_store(move |store| store.update_action(&target, status, notes.as_deref()))
        .await?;
    Ok(Redirect::to("/actions").into_response())
}

/// A forum in the list.
pub struct ForumRow {
    pub code: String,
    pub place: String,
    pub date: String,
    pub headcount: u32,
    pub recorded: usize,
}

#[derive(Template)]
#[template(path = "forums.html")]
struct ForumsPage {
    chrome: Chrome,
    forums: Vec<ForumRow>,
}

/// `GET /forums`: the validation forums.
pub async fn forums(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::RecordForumOutcomes)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (sessions, gazetteer, outcomes) = state
        .with_store(|store| {
            Ok((
                store.sessions()?,
                store.gazetteer()?,
                store.forum_outcomes()?,
            ))
        })
        .await?;
    let forums = sessions
        .iter()
        .filter(|s| s.kind == SessionKind::ValidationForum)
        .map(|s| ForumRow {
            code: s.code.clone(),
            place: gazetteer
                .get(&s.place)
                .map_or_else(|| s.place.to_string(), |p| p.name.clone()),
            date: s.date.to_string(),
            headcount: s.headcount(),
            recorded: outcomes.iter().filter(|o| o.forum == s.code).count(),
        })
        .collect();
    render(&ForumsPage { chrome, forums }, &query)
}

/// A finding on a forum's page, with this forum's outcome if recorded.
pub struct ForumFinding {
    pub row: FindingRow,
    pub outcome: Option<OutcomeLine>,
}

/// An attendance line.
pub struct AttendanceLine {
    pub group: String,
    pub women: u32,
    pub men: u32,
    pub total: u32,
}

#[derive(Template)]
#[template(path = "forum.html")]
struct ForumPage {
    chrome: Chrome,
    session: Session,
    place: String,
    attendance: Vec<AttendanceLine>,
    findings: Vec<ForumFinding>,
    kinds: &'static [OutcomeKind],
    agreements: &'static [Agreement],
    research_questions: Vec<(u8, String)>,
}

impl ForumPage {
    fn outcome_label(&self, kind: &OutcomeKind) -> &'static str {
        self.chrome.t(outcome_msg(*kind))
    }

    fn agreement_label(&self, agreement: &Agreement) -> &'static str {
        self.chrome.t(agreement_msg(*agreement))
    }
}

/// The validation forum with that code, or 404.
fn forum_session(sessions: Vec<Session>, code: &str) -> Result<Session, AppError> {
    sessions
        .into_iter()
        .find(|s| s.code == code && s.kind == SessionKind::ValidationForum)
        .ok_or(AppError::NotFound)
}

/// `GET /forums/{code}`: a forum's attendance and findings, with a form
/// to record each outcome.
pub async fn forum(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::RecordForumOutcomes)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (sessions, gazetteer, groups, all, questions) = state
        .with_store(|store| {
            Ok((
                store.sessions()?,
                store.gazetteer()?,
                store.groups()?,
                overview(store)?,
                store.research_questions()?,
            ))
        })
        .await?;
    let session = forum_session(sessions, &code)?;
    let place = gazetteer
        .get(&session.place)
        .map_or_else(|| session.place.to_string(), |p| p.name.clone());
    let research_questions = questions
        .iter()
        .map(|q| (q.number, format!("{}. {}", q.number, chrome.pick(&q.text))))
        .collect();
    let attendance = groups
        .iter()
        .filter_map(|g| {
            let count = |female: bool| -> u32 {
                session
                    .composition
                    .iter()
                    .filter(|r| {
                        r.group == g.key && (r.gender == sankore_domain::Gender::Female) == female
                    })
                    .map(|r| r.count)
                    .sum()
            };
            let (women, men) = (count(true), count(false));
            (women + men > 0).then(|| AttendanceLine {
                group: chrome.pick(&g.label).to_owned(),
                women,
                men,
                total: women + men,
            })
        })
        .collect();
    let findings = all
        .iter()
        .filter(|f| {
            f.applies_to(session.place.as_str()) || f.outcomes.iter().any(|o| o.forum == code)
        })
        .map(|f| {
            let mut row = finding_row(&chrome, f);
            let at = row.history.iter().position(|o| o.forum == code);
            let outcome = at.map(|i| row.history.remove(i));
            ForumFinding { row, outcome }
        })
        .collect();
    let page = ForumPage {
        chrome,
        session,
        place,
        attendance,
        findings,
        kinds: OutcomeKind::ALL,
        agreements: Agreement::ALL,
        research_questions,
    };
    render(&page, &query)
}

/// Fields of the outcome form (and body of the API call).
#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    csrf: Option<String>,
    finding: String,
    kind: String,
    #[serde(default)]
    wording_fr: Option<String>,
    #[serde(default)]
    wording_en: Option<String>,
    #[serde(default)]
    reasons: Option<String>,
    agreement: String,
}

impl OutcomeForm {
    /// The outcome for forum `code`, checked.
    fn outcome(self, code: String) -> Result<ForumOutcome, AppError> {
        let trimmed = |t: Option<String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let (fr, en) = (trimmed(self.wording_fr), trimmed(self.wording_en));
        let wording = (fr.is_some() || en.is_some())
            .then(|| Localized::new(fr.unwrap_or_default(), en.unwrap_or_default()));
        Ok(ForumOutcome::new(ForumOutcome {
            forum: code,
            finding: self.finding.trim().to_owned(),
            kind: OutcomeKind::parse(self.kind.trim())?,
            wording,
            reasons: trimmed(self.reasons),
            agreement: Agreement::parse(self.agreement.trim())?,
        })?)
    }
}

/// Records an outcome, after checking the role.
async fn record(
    state: &AppState,
    user: &CurrentUser,
    code: String,
    form: OutcomeForm,
) -> Result<(), AppError> {
    user.require(Permission::RecordForumOutcomes)?;
    let outcome = form.outcome(code)?;
    state
        .with_store(move |store| store.record_forum_outcome(&outcome))
        .await
}

/// `POST /forums/{code}/outcomes`: records (or replaces) this forum's
/// outcome for one finding.
pub async fn record_outcome(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<OutcomeForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    let finding = form.finding.clone();
    record(&state, &user, code.clone(), form).await?;
    Ok(Redirect::to(&format!("/forums/{code}#finding-{finding}")).into_response())
}

/// `POST /api/v1/forums/{code}/outcomes` with an outcome as JSON: 204.
/// The [`ApiUser`] extractor checks the origin and the CSRF header.
pub async fn api_record_outcome(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    Json(form): Json<OutcomeForm>,
) -> Result<Response, ApiError> {
    record(&state, &user, code, form).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Fields of the form for a finding a forum puts forward (and body of the
/// API call).
#[derive(Debug, Deserialize)]
pub struct NewFindingForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    statement_fr: String,
    #[serde(default)]
    statement_en: String,
    research_question: u8,
    /// Code keys, comma-separated.
    #[serde(default)]
    codes: String,
    agreement: String,
}

/// Adds a finding put forward by forum `code`, placed at the forum's
/// place, keyed `f-PLACE-N` (the first free `N`); returns the key.
async fn put_forward(
    state: &AppState,
    user: &CurrentUser,
    code: String,
    form: NewFindingForm,
) -> Result<String, AppError> {
    user.require(Permission::RecordForumOutcomes)?;
    let agreement = Agreement::parse(form.agreement.trim())?;
    let codes = form
        .codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(sankore_domain::CodeKey::new)
        .collect::<Result<Vec<_>, _>>()?;
    state
        .with_store(move |store| {
            let forum = store
                .sessions()?
                .into_iter()
                .find(|s| s.code == code && s.kind == SessionKind::ValidationForum)
                .ok_or(StoreError::NotFound {
                    what: "validation forum",
                    key: code.clone(),
                })?;
            let taken: Vec<String> = store.findings()?.into_iter().map(|f| f.key).collect();
            let prefix = format!("f-{}", forum.place.as_str().to_ascii_lowercase());
            let key = (1..)
                .map(|n| format!("{prefix}-{n}"))
                .find(|k| !taken.contains(k))
                .unwrap_or(prefix);
            let finding = sankore_domain::Finding::new(sankore_domain::Finding {
                key: key.clone(),
                statement: Localized::new(form.statement_fr.trim(), form.statement_en.trim()),
                research_question: form.research_question,
                places: vec![forum.place.clone()],
                codes,
            })?;
            store.add_forum_finding(
                &finding,
                &ForumOutcome {
                    forum: forum.code,
                    finding: key.clone(),
                    kind: OutcomeKind::Added,
                    wording: None,
                    reasons: None,
                    agreement,
                },
            )?;
            Ok(key)
        })
        .await
}

/// `POST /forums/{code}/findings`: a finding the forum puts forward.
pub async fn add_finding(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<NewFindingForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    user.check_csrf(form.csrf.as_deref())?;
    let key = put_forward(&state, &user, code.clone(), form).await?;
    Ok(Redirect::to(&format!("/forums/{code}#finding-{key}")).into_response())
}

/// `POST /api/v1/forums/{code}/findings`: 201 with `{"key"}`.
pub async fn api_add_finding(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    Json(form): Json<NewFindingForm>,
) -> Result<Response, ApiError> {
    let key = put_forward(&state, &user, code, form).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "key": key }))).into_response())
}

/// What a forum pack is printed from.
struct PackData {
    lang: sankore_i18n::Lang,
    study: String,
    session: Session,
    place: String,
    findings: Vec<FindingOverview>,
    groups: Vec<StakeholderGroup>,
}

impl PackData {
    fn input(&self) -> PackInput<'_> {
        PackInput {
            study: &self.study,
            place_code: self.session.place.as_str(),
            place_name: &self.place,
            forum: Some(&self.session),
            findings: &self.findings,
            groups: &self.groups,
        }
    }
}

/// Loads the pack of forum `code` for a user allowed to record outcomes,
/// and records the `report` entry in the audit log.
async fn pack_data(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    code: &str,
    query: &LangQuery,
) -> Result<PackData, PageError> {
    user.require(Permission::RecordForumOutcomes)?;
    let lang = Chrome::new(state, headers, query, Some(user)).lang;
    let (study, sessions, gazetteer, groups, all) = state
        .with_store(|store| {
            Ok((
                store.study()?,
                store.sessions()?,
                store.gazetteer()?,
                store.groups()?,
                overview(store)?,
            ))
        })
        .await?;
    let study = study.ok_or(AppError::NotFound)?;
    let session = forum_session(sessions, code)?;
    let place = gazetteer
        .get(&session.place)
        .map_or_else(|| session.place.to_string(), |p| p.name.clone());
    let findings: Vec<FindingOverview> = all
        .into_iter()
        .filter(|f| f.applies_to(session.place.as_str()))
        .collect();
    let event = AuditEvent::new(
        &user.account.name,
        AuditAction::Report,
        "forum pack",
        format!("place {}, {} findings", session.place, findings.len()),
    );
    state
        .with_store(move |store| store.record_audit(&event))
        .await?;
    Ok(PackData {
        lang,
        study: study.name,
        session,
        place,
        findings,
        groups,
    })
}

/// `GET /forums/{code}/pack`: the printable forum pack of the forum's
/// place.
pub async fn pack(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let data = pack_data(&state, &user, &headers, &code, &query).await?;
    let html = forum_pack(
        &data.input(),
        data.lang,
        Stylesheet::Link("/static/forum-pack.css"),
    );
    Ok(Html(html).into_response())
}

/// `GET /forums/{code}/pack.pdf`: the same pack as PDF.
#[cfg(feature = "pdf")]
pub async fn pack_pdf(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    let data = pack_data(&state, &user, &headers, &code, &query).await?;
    let bytes = tokio::task::spawn_blocking(move || forum_pack_pdf(&data.input(), data.lang))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "forum pack PDF");
            AppError::Internal
        })?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"forum-pack.pdf\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /static/forum-pack.css`, the pack's print styles.
pub async fn pack_stylesheet() -> Response {
    static_asset("text/css; charset=utf-8", PACK_CSS)
}

/// A recommendation as shown.
pub struct RecommendationRow {
    pub key: String,
    pub text: String,
    pub findings: Vec<String>,
    pub roles: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "recommendations.html")]
struct RecommendationsPage {
    chrome: Chrome,
    recommendations: Vec<RecommendationRow>,
}

/// `GET /recommendations`: recommendations with who does what.
pub async fn recommendations(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let list: Vec<Recommendation> = state.with_store(|store| store.recommendations()).await?;
    let recommendations = list
        .iter()
        .map(|r| RecommendationRow {
            key: r.key.clone(),
            text: chrome.pick(&r.text).to_owned(),
            findings: r.findings.clone(),
            roles: r
                .roles
                .iter()
                .map(|(who, what)| (who.clone(), chrome.pick(what).to_owned()))
                .collect(),
        })
        .collect();
    render(
        &RecommendationsPage {
            chrome,
            recommendations,
        },
        &query,
    )
}

/// An action as shown.
pub struct ActionRow {
    pub key: String,
    pub title: String,
    pub recommendation: String,
    pub places: String,
    pub start: String,
    pub due: String,
    pub responsible: String,
    pub status: String,
    pub status_key: sankore_domain::ActionStatus,
    pub late: bool,
    /// Who took part: `group: count (women)` lines.
    pub participants: Vec<String>,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    chrome: Chrome,
    actions: Vec<ActionRow>,
    late: usize,
    statuses: &'static [sankore_domain::ActionStatus],
}

/// `GET /actions`: follow-up actions, the late ones flagged.
pub async fn actions(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let (list, groups): (Vec<Action>, _) = state
        .with_store(|store| Ok((store.actions()?, store.groups()?)))
        .await?;
    let today = chrono::Utc::now().date_naive();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let actions: Vec<ActionRow> = list
        .iter()
        .map(|a| ActionRow {
            key: a.key.clone(),
            title: chrome.pick(&a.title).to_owned(),
            recommendation: a.recommendation.clone().unwrap_or_default(),
            places: a
                .places
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            start: date(a.start),
            due: date(a.due),
            responsible: a.responsible.clone(),
            status: a.status.to_string(),
            status_key: a.status,
            late: a.is_late(today),
            participants: groups
                .iter()
                .filter_map(|g| {
                    let rows = a.participants.iter().filter(|r| r.group == g.key);
                    let (total, women) = rows.fold((0, 0), |(t, w), r| {
                        let female = r.gender == sankore_domain::Gender::Female;
                        (t + r.count, w + if female { r.count } else { 0 })
                    });
                    (total > 0).then(|| {
                        format!(
                            "{}: {total} ({} {women})",
                            chrome.pick(&g.label),
                            chrome.t(Msg::Women).to_lowercase()
                        )
                    })
                })
                .collect(),
            notes: a.outcome_notes.clone().unwrap_or_default(),
        })
        .collect();
    let late = actions.iter().filter(|a| a.late).count();
    render(
        &ActionsPage {
            chrome,
            actions,
            late,
            statuses: sankore_domain::ActionStatus::ALL,
        },
        &query,
    )
}

/// Fields of the attendance form.
#[derive(Debug, Deserialize)]
pub struct AttendanceForm {
    csrf: Option<String>,
    composition: Option<String>,
    declared_total: Option<String>,
}

/// `POST /forums/{code}/attendance`: the facilitator records who came, by
/// group and gender (`GROUP-KEY GENDER COUNT` lines); counts must add up
/// to the headcount when one is given.
pub async fn record_attendance(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<AttendanceForm>,
) -> Result<Response, PageError> {
    user.authorize_post(
        &headers,
        form.csrf.as_deref(),
        Permission::RecordForumOutcomes,
    )?;
    let composition = crate::records::composition(form.composition.as_deref())?;
    let declared_total = crate::records::headcount(form.declared_total.as_deref())?;
    let forum = code.clone();
    state
        .with_store(move |store| {
            let Ok(mut session) = forum_session(store.sessions()?, &forum) else {
                return Ok(Err(AppError::NotFound));
            };
            session.composition = composition;
            session.declared_total = declared_total;
            sankore_store::RecordStore::update_session(store, &session)?;
            Ok(Ok(()))
        })
        .await??;
    Ok(Redirect::to(&format!("/forums/{}", code.replace(['/', '?', '#'], ""))).into_response())
}
