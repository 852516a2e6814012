//! Field data: the forms whose responses were imported (KoBoToolbox, ODK
//! Central) with how many submissions are linked, and per form the mapping
//! that `sankore import --mapping` reads, edited as a form, saved with the
//! CLI's own checks (`mapping::resolve`), downloaded as its TOML file, and
//! applied to the submissions still unlinked. Coordinators and
//! researchers (`EditRecords`): applying creates participants, sessions
//! and documents.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sankore_domain::instrument::{Instrument, QuestionAt, QuestionType};
use sankore_domain::{
    AgeBand, ConsentStatus, Gazetteer, Gender, LinkedRecords, Permission, StakeholderGroup,
};
use sankore_formats::submissions::export::form_language;
use sankore_formats::submissions::mapping::{
    self, AnswerAt, AnswerProblem, Mapping, MappingError, Missing, QuestionProblem, Source,
    StudyContext,
};
use sankore_i18n::{Lang, Msg};
use sankore_store::sqlite::SqliteStore;
use sankore_store::{
    ResponseCounts, ResponseImportOutcome, ResponseLink, ResponseStore, SavedMapping, Store,
    StoreError,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};
use crate::records::place_options;

/// The pages under `/field-data`.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/field-data", get(forms))
        .route("/field-data/{form}", get(mapping_page).post(save_mapping))
        .route("/field-data/{form}/apply", post(apply_mapping))
        .route("/field-data/{form}/mapping.toml", get(download_mapping))
}

/// Attributes a question can give, in the page's order.
const ATTRIBUTES: [&str; 7] = [
    "participant",
    "gender",
    "age",
    "group",
    "place",
    "consent",
    "session_date",
];

/// Attributes with Sankore values (value maps and defaults).
const VALUED: [&str; 5] = ["gender", "age", "group", "place", "consent"];

/// How the page names an attribute of the mapping.
fn attribute_msg(key: &str) -> Msg {
    match key {
        "participant" => Msg::ParticipantCode,
        "gender" => Msg::Gender,
        "age" => Msg::AgeBand,
        "group" => Msg::Group,
        "place" => Msg::Place,
        "consent" => Msg::Consent,
        "session_date" => Msg::MappingSessionDate,
        _ => Msg::MappingDocuments,
    }
}

/// The mapping's question for an attribute.
fn mapped<'m>(mapping: &'m Mapping, key: &str) -> Option<&'m String> {
    match key {
        "participant" => mapping.participant.as_ref(),
        "gender" => mapping.gender.as_ref(),
        "age" => mapping.age.as_ref(),
        "group" => mapping.group.as_ref(),
        "place" => mapping.place.as_ref(),
        "consent" => mapping.consent.as_ref(),
        "session_date" => mapping.session_date.as_ref(),
        _ => None,
    }
}

/// Whether a question of this type can give the attribute.
fn suits(key: &str, kind: &QuestionType) -> bool {
    use QuestionType::*;
    match key {
        "participant" => matches!(kind, Text | Barcode | Calculate | Hidden),
        "age" => matches!(kind, Integer | SelectOne { .. } | Text | Calculate | Hidden),
        "session_date" => matches!(
            kind,
            Date | DateTime | Text | Calculate | Hidden | Meta { .. }
        ),
        _ => matches!(kind, SelectOne { .. } | Text | Calculate | Hidden),
    }
}

/// The question a mapping names (by path or name, as `resolve` finds it).
fn find<'f>(form: &'f Instrument, question: &str) -> Option<QuestionAt<'f>> {
    form.question_at(&format!("/{}", question.trim_start_matches('/')))
        .or_else(|| form.question(question))
}

/// A question as the mapping file names it: its path without the slash.
fn mapping_path(question: &QuestionAt<'_>) -> String {
    question.path.trim_start_matches('/').to_owned()
}

/// A choice in a select.
pub struct OptionItem {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One attribute and the questions that can give it.
pub struct AttributeRow {
    pub key: &'static str,
    pub label: &'static str,
    pub options: Vec<OptionItem>,
}

/// A default value for an attribute.
pub struct DefaultRow {
    pub key: &'static str,
    pub label: &'static str,
    pub options: Vec<OptionItem>,
}

/// One answer of a mapped question and the Sankore value it becomes.
pub struct ValueRow {
    pub answer: String,
    pub label: String,
    pub options: Vec<OptionItem>,
}

/// The value map of one attribute.
pub struct ValueMap {
    pub key: &'static str,
    pub label: &'static str,
    pub question: String,
    pub rows: Vec<ValueRow>,
}

/// A text question that can become a document.
pub struct DocumentOption {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A form in the list.
pub struct FormRow {
    pub key: String,
    pub title: String,
    pub counts: ResponseCounts,
    pub saved: Option<SavedMapping>,
}

#[derive(Template)]
#[template(path = "field_data.html")]
struct FormsPage {
    chrome: Chrome,
    rows: Vec<FormRow>,
}

#[derive(Template)]
#[template(path = "field_mapping.html")]
struct MappingPage {
    chrome: Chrome,
    key: String,
    title: String,
    counts: ResponseCounts,
    saved: Option<SavedMapping>,
    attributes: Vec<AttributeRow>,
    documents: Vec<DocumentOption>,
    language: String,
    defaults: Vec<DefaultRow>,
    values: Vec<ValueMap>,
    /// Why the last action was refused, in the page's language.
    problem: Option<String>,
    /// What the last action did.
    notice: Option<String>,
}

/// What a form's page needs from the store.
struct FormData {
    form: Instrument,
    counts: ResponseCounts,
    saved: Option<SavedMapping>,
    groups: Vec<StakeholderGroup>,
    gazetteer: Gazetteer,
}

fn load(store: &SqliteStore, key: &str) -> Result<FormData, StoreError> {
    let not_found = || StoreError::NotFound {
        what: "response form",
        key: key.to_owned(),
    };
    let form = store
        .response_forms()?
        .into_iter()
        .find(|f| f.key() == key)
        .ok_or_else(not_found)?;
    let counts = store
        .response_counts()?
        .into_iter()
        .find(|c| c.form == key)
        .ok_or_else(not_found)?;
    Ok(FormData {
        form,
        counts,
        saved: store.response_mapping(key)?,
        groups: store.groups()?,
        gazetteer: store.gazetteer()?,
    })
}

/// The Sankore values an attribute takes, as `(value, label)`.
fn sankore_values(key: &str, data: &FormData, lang: Lang) -> Vec<(String, String)> {
    let plain = |v: &str| (v.to_owned(), v.to_owned());
    match key {
        "gender" => Gender::ALL.iter().map(|g| plain(g.as_str())).collect(),
        "age" => AgeBand::ALL.iter().map(|a| plain(a.as_str())).collect(),
        "consent" => ConsentStatus::ALL
            .iter()
            .map(|c| plain(c.as_str()))
            .collect(),
        "group" => data
            .groups
            .iter()
            .map(|g| (g.key.clone(), g.label.get(lang).to_owned()))
            .collect(),
        "place" => place_options(&data.gazetteer)
            .into_iter()
            .map(|p| (p.code, p.label))
            .collect(),
        _ => Vec::new(),
    }
}

/// `(value, label)` pairs as options, `chosen` selected, after an empty
/// option labelled `none`.
fn options(pairs: Vec<(String, String)>, chosen: Option<&str>, none: &str) -> Vec<OptionItem> {
    let mut items = vec![OptionItem {
        value: String::new(),
        label: none.to_owned(),
        selected: chosen.is_none_or(str::is_empty),
    }];
    let mut found = false;
    for (value, label) in pairs {
        let selected = chosen == Some(value.as_str());
        found |= selected;
        items.push(OptionItem {
            value,
            label,
            selected,
        });
    }
    // A value the lists lack (a file written by hand) stays visible.
    if let Some(chosen) = chosen.filter(|c| !c.is_empty() && !found) {
        items.push(OptionItem {
            value: chosen.to_owned(),
            label: chosen.to_owned(),
            selected: true,
        });
    }
    items
}

impl MappingPage {
    /// The page for `mapping` (saved, or as just posted).
    fn new(chrome: Chrome, data: FormData, mapping: &Mapping) -> MappingPage {
        let lang = chrome.lang;
        let form = &data.form;
        let language = form_language(form, lang.code())
            .or_else(|| form.languages().first().map(String::as_str));
        let label = |q: &QuestionAt<'_>| {
            let text = q
                .question
                .label
                .get(language)
                .map(str::trim)
                .filter(|l| !l.is_empty());
            match text {
                Some(text) => format!("{text} ({})", q.question.name),
                None => q.question.name.clone(),
            }
        };
        let questions: Vec<QuestionAt<'_>> = form
            .questions()
            .into_iter()
            .filter(|q| q.repeat.is_none())
            .collect();
        // The mapping's questions as paths, when the form has them.
        let chosen = |key: &str| {
            mapped(mapping, key)
                .map(|q| find(form, q).map_or_else(|| q.clone(), |q| mapping_path(&q)))
        };
        let attributes = ATTRIBUTES
            .into_iter()
            .map(|key| {
                let pairs = questions
                    .iter()
                    .filter(|q| suits(key, &q.question.kind))
                    .map(|q| (mapping_path(q), label(q)))
                    .collect();
                AttributeRow {
                    key,
                    label: chrome.t(attribute_msg(key)),
                    options: options(
                        pairs,
                        chosen(key).as_deref(),
                        chrome.t(Msg::MappingNotMapped),
                    ),
                }
            })
            .collect();
        let wanted: Vec<String> = mapping
            .documents
            .iter()
            .map(|d| find(form, d).map_or_else(|| d.clone(), |q| mapping_path(&q)))
            .collect();
        let documents = questions
            .iter()
            .filter(|q| matches!(q.question.kind, QuestionType::Text))
            .map(|q| DocumentOption {
                checked: wanted.contains(&mapping_path(q)),
                value: mapping_path(q),
                label: label(q),
            })
            .collect();
        let defaults = VALUED
            .into_iter()
            .map(|key| DefaultRow {
                key,
                label: chrome.t(attribute_msg(key)),
                options: options(
                    sankore_values(key, &data, lang),
                    mapping.defaults.get(key).map(String::as_str),
                    chrome.t(Msg::MappingNoDefault),
                ),
            })
            .collect();
        let values = VALUED
            .into_iter()
            .filter_map(|key| {
                let question = find(form, mapped(mapping, key)?)?;
                let saved = mapping.values.get(key);
                let mut answers: Vec<(String, String)> = question
                    .question
                    .kind
                    .choice_list()
                    .and_then(|list| form.choice_list(list))
                    .map(|list| {
                        list.choices
                            .iter()
                            .map(|c| {
                                let text = c.label.get(language).unwrap_or(c.name.as_str());
                                (c.name.clone(), format!("{} ({})", text.trim(), c.name))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                for answer in saved.into_iter().flat_map(|m| m.keys()) {
                    if !answers.iter().any(|(a, _)| a == answer) {
                        answers.push((answer.clone(), answer.clone()));
                    }
                }
                if answers.is_empty() {
                    return None;
                }
                let rows = answers
                    .into_iter()
                    .map(|(answer, label)| ValueRow {
                        options: options(
                            sankore_values(key, &data, lang),
                            saved.and_then(|m| m.get(&answer)).map(String::as_str),
                            chrome.t(Msg::MappingAsAnswered),
                        ),
                        answer,
                        label,
                    })
                    .collect();
                Some(ValueMap {
                    key,
                    label: chrome.t(attribute_msg(key)),
                    question: label(&question),
                    rows,
                })
            })
            .collect();
        MappingPage {
            key: form.key().to_owned(),
            title: form.title().to_owned(),
            language: mapping.language.clone().unwrap_or_default(),
            counts: data.counts,
            saved: data.saved,
            attributes,
            documents,
            defaults,
            values,
            problem: None,
            notice: None,
            chrome,
        }
    }
}

/// A refusal, in the page's language.
fn describe(error: &MappingError, lang: Lang) -> String {
    let t = |m: Msg| m.text(lang);
    let attribute = |key: &str| {
        if ATTRIBUTES.contains(&key) || key == "documents" {
            t(attribute_msg(key)).to_owned()
        } else {
            key.to_owned()
        }
    };
    match error {
        MappingError::Question {
            key,
            question,
            problem,
            ..
        } => {
            let problem = match problem {
                QuestionProblem::NoSuchQuestion => Msg::MappingNoSuchQuestion,
                QuestionProblem::InsideRepeat => Msg::MappingInsideRepeat,
                QuestionProblem::NotText => Msg::MappingNotText,
            };
            format!("{} — {question:?} : {}", attribute(key), t(problem))
        }
        MappingError::Incomplete {
            missing: Missing::Attribute(key),
            ..
        } => format!("{} — {}", attribute(key), t(Msg::MappingNeedsAttribute)),
        MappingError::Incomplete {
            missing: Missing::ParticipantCode,
            ..
        } => t(Msg::MappingNeedsParticipant).to_owned(),
        MappingError::Language { language, .. } => {
            format!("{language:?} {}", t(Msg::MappingBadLanguage))
        }
        MappingError::Answer {
            at: AnswerAt::Stored { key, question },
            problem,
        } => format!(
            "{} {key}, {question}: {}",
            t(Msg::MappingSubmission),
            answer_problem(problem, lang)
        ),
        other => other.to_string(),
    }
}

/// Why an answer gives no valid record, in the page's language (with the
/// domain check's own words, in English, where it gave some).
fn answer_problem(problem: &AnswerProblem, lang: Lang) -> String {
    let t = |m: Msg| m.text(lang);
    let with = |m: Msg, detail: &str| format!("{} ({detail})", t(m));
    match problem {
        AnswerProblem::NoParticipantCode => t(Msg::MappingNoParticipantCode).to_owned(),
        AnswerProblem::NotACode(detail) => with(Msg::MappingNotACode, detail),
        AnswerProblem::Gender(detail) => with(Msg::MappingBadGender, detail),
        AnswerProblem::Age(detail) => with(Msg::MappingBadAge, detail),
        AnswerProblem::NoGroup => t(Msg::MappingNoGroup).to_owned(),
        AnswerProblem::NotAGroup(group) => format!("{group:?} {}", t(Msg::MappingNotAGroup)),
        AnswerProblem::NoPlace => t(Msg::MappingNoPlace).to_owned(),
        AnswerProblem::NotAPlace => t(Msg::MappingNotAPlace).to_owned(),
        AnswerProblem::Consent(detail) => with(Msg::MappingBadConsent, detail),
        AnswerProblem::NotADate => t(Msg::MappingNotADate).to_owned(),
        AnswerProblem::NoSessionDate => t(Msg::MappingNoSessionDate).to_owned(),
        AnswerProblem::OutsidePeriod { date, from, to } => {
            format!("{date} {} ({from} – {to})", t(Msg::MappingOutsidePeriod))
        }
        AnswerProblem::Record(detail) => with(Msg::MappingBadRecord, detail),
    }
}

/// `GET /field-data`: the forms with responses, counted.
async fn forms(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::EditRecords)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let rows = state
        .with_store(|store| {
            let forms = store.response_forms()?;
            let mut rows = Vec::new();
            for counts in store.response_counts()? {
                let title = forms
                    .iter()
                    .find(|f| f.key() == counts.form)
                    .map_or_else(|| counts.form.clone(), |f| f.title().to_owned());
                rows.push(FormRow {
                    key: counts.form.clone(),
                    title,
                    saved: store.response_mapping(&counts.form)?,
                    counts,
                });
            }
            Ok(rows)
        })
        .await?;
    render(&FormsPage { chrome, rows }, &query)
}

/// `?lang=`, and what the last action did.
#[derive(Debug, Deserialize, Default)]
pub struct MappingQuery {
    lang: Option<String>,
    saved: Option<String>,
    linked: Option<usize>,
}

/// `GET /field-data/{form}`: the form's mapping, as a form.
async fn mapping_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(params): Query<MappingQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::EditRecords)?;
    let query = LangQuery::from(params.lang.clone());
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    let data = state.with_store(move |store| load(store, &key)).await?;
    let mapping = match &data.saved {
        Some(saved) => Mapping::parse(&mapping_file(data.form.key()), &saved.toml)
            .map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => Mapping::default(),
    };
    let lang = chrome.lang;
    let mut page = MappingPage::new(chrome, data, &mapping);
    page.notice = match (params.saved, params.linked) {
        (_, Some(n)) => Some(format!("{}: {n}", Msg::MappingApplied.text(lang))),
        (Some(_), None) => Some(Msg::MappingSaved.text(lang).to_owned()),
        (None, None) => None,
    };
    render(&page, &query)
}

/// The name mapping errors give the saved file.
fn mapping_file(form: &str) -> String {
    let safe: String = form
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-mapping.toml")
}

/// The mapping a posted form describes (fields `participant` … `session_date`,
/// `documents` (repeated), `language`, `default:ATTRIBUTE`,
/// `value:ATTRIBUTE:ANSWER`), keeping only value maps of mapped questions
/// (and, for a select, of its choices).
fn posted_mapping(fields: &[(String, String)], form: &Instrument) -> Mapping {
    let mut mapping = Mapping::default();
    let mut values: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (name, value) in fields {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let text = Some(value.to_owned());
        match name.as_str() {
            "participant" => mapping.participant = text,
            "gender" => mapping.gender = text,
            "age" => mapping.age = text,
            "group" => mapping.group = text,
            "place" => mapping.place = text,
            "consent" => mapping.consent = text,
            "session_date" => mapping.session_date = text,
            "language" => mapping.language = text,
            "documents" => mapping.documents.push(value.to_owned()),
            other => {
                if let Some(key) = other.strip_prefix("default:")
                    && VALUED.contains(&key)
                {
                    mapping.defaults.insert(key.to_owned(), value.to_owned());
                } else if let Some((key, answer)) = other
                    .strip_prefix("value:")
                    .and_then(|rest| rest.split_once(':'))
                    && VALUED.contains(&key)
                {
                    values
                        .entry(key.to_owned())
                        .or_default()
                        .insert(answer.to_owned(), value.to_owned());
                }
            }
        }
    }
    for (key, answers) in values {
        let Some(question) = mapped(&mapping, &key).and_then(|q| find(form, q)) else {
            continue;
        };
        let choices = question
            .question
            .kind
            .choice_list()
            .and_then(|list| form.choice_list(list));
        let answers: BTreeMap<String, String> = answers
            .into_iter()
            .filter(|(answer, _)| {
                choices.is_none_or(|list| list.choices.iter().any(|c| &c.name == answer))
            })
            .collect();
        if !answers.is_empty() {
            mapping.values.insert(key, answers);
        }
    }
    mapping
}

/// The CSRF field of a posted form.
fn csrf(fields: &[(String, String)]) -> Option<&str> {
    fields
        .iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value.as_str())
}

/// The page again with a refusal, answered 400.
fn refused(mut page: MappingPage, prefix: Msg, error: &MappingError) -> Response {
    let lang = page.chrome.lang;
    page.problem = Some(format!("{}: {}", prefix.text(lang), describe(error, lang)));
    match page.render() {
        Ok(html) => (StatusCode::BAD_REQUEST, Html(html)).into_response(),
        Err(_) => PageError(AppError::Internal).into_response(),
    }
}

/// `POST /field-data/{form}`: checks the mapping as `sankore import` does
/// and saves it (audited); refused with the page and its error otherwise.
async fn save_mapping(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(key): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, csrf(&fields), Permission::EditRecords)?;
    let chrome = Chrome::new(&state, &headers, &LangQuery::default(), Some(&user));
    let lookup = key.clone();
    let data = state.with_store(move |store| load(store, &lookup)).await?;
    let mapping = posted_mapping(&fields, &data.form);
    let file = mapping_file(&key);
    if let Err(error) = mapping::resolve(&file, &mapping, &data.form) {
        let page = MappingPage::new(chrome, data, &mapping);
        return Ok(refused(page, Msg::MappingRefused, &error));
    }
    let toml = mapping.to_toml();
    let actor = user.account.name.clone();
    let form = key.clone();
    state
        .with_store(move |store| store.save_response_mapping(&form, &toml, &actor))
        .await?;
    Ok(Redirect::to(&format!("/field-data/{key}?saved=1")).into_response())
}

/// Why the saved mapping was not applied.
enum ApplyError {
    /// The mapping refused a submission (or is no longer valid).
    Refused(MappingError),
    Store(StoreError),
}

impl From<MappingError> for ApplyError {
    fn from(error: MappingError) -> Self {
        ApplyError::Refused(error)
    }
}

impl From<StoreError> for ApplyError {
    fn from(error: StoreError) -> Self {
        ApplyError::Store(error)
    }
}

/// The records the saved mapping gives each unlinked submission of a form,
/// linked in one transaction; documents join the search index.
fn apply(
    store: &mut SqliteStore,
    key: &str,
    actor: &str,
) -> Result<ResponseImportOutcome, ApplyError> {
    let data = load(store, key)?;
    let file = mapping_file(key);
    let text = data.saved.map(|s| s.toml).unwrap_or_default();
    let mapping = Mapping::parse(&file, &text)?;
    let resolved = mapping::resolve(&file, &mapping, &data.form)?;
    if resolved.is_empty() {
        return Ok(ResponseImportOutcome::default());
    }
    let study = store.study()?.ok_or_else(|| StoreError::NotFound {
        what: "study",
        key: String::new(),
    })?;
    let context = StudyContext::new(&study, &data.groups, &data.gazetteer);
    let mut records: Vec<(String, LinkedRecords)> = Vec::new();
    for stored in store.responses(key)?.into_iter().filter(|r| !r.linked) {
        let linked = resolved.apply(Source::Stored, &stored.response, &context)?;
        records.push((stored.response.key, linked));
    }
    if records.is_empty() {
        return Ok(ResponseImportOutcome::default());
    }
    let outcome = store.link_responses(&ResponseLink {
        form: key,
        records: &records,
        actor,
    })?;
    crate::search::index_missing(store)?;
    Ok(outcome)
}

/// `POST /field-data/{form}/apply`: the saved mapping applied to the
/// submissions still unlinked, all or nothing.
async fn apply_mapping(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(key): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    user.authorize_post(&headers, csrf(&fields), Permission::EditRecords)?;
    let chrome = Chrome::new(&state, &headers, &LangQuery::default(), Some(&user));
    let actor = user.account.name.clone();
    let form = key.clone();
    // A refusal is an answer (the page again), a store error is not.
    let applied = state
        .with_store(move |store| match apply(store, &form, &actor) {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(ApplyError::Refused(error)) => Ok(Err(error)),
            Err(ApplyError::Store(error)) => Err(error),
        })
        .await?;
    match applied {
        Ok(outcome) => {
            Ok(Redirect::to(&format!("/field-data/{key}?linked={}", outcome.new)).into_response())
        }
        Err(error) => {
            let lookup = key.clone();
            let data = state.with_store(move |store| load(store, &lookup)).await?;
            let mapping = data
                .saved
                .as_ref()
                .and_then(|s| Mapping::parse(&mapping_file(&key), &s.toml).ok())
                .unwrap_or_default();
            let page = MappingPage::new(chrome, data, &mapping);
            Ok(refused(page, Msg::MappingApplyRefused, &error))
        }
    }
}

/// `GET /field-data/{form}/mapping.toml`: the saved mapping, the file
/// `sankore import --mapping` reads.
async fn download_mapping(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    user.require(Permission::EditRecords)?;
    let lookup = key.clone();
    let saved = state
        .with_store(move |store| store.response_mapping(&lookup))
        .await?
        .ok_or(AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", mapping_file(&key));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        saved.toml,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(mapping_file("enquête 1/x"), "enqu_te_1_x-mapping.toml");
    }
}
