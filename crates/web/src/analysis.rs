//! The analyses in the workbench: matrix (with drill-down to the segments
//! of a cell), co-occurrence, agreement between coders, saturation and
//! words (frequencies and keyword in context). JSON under
//! `/api/v1/analysis/…` and pages under `/analysis/…` compute through the
//! same functions here, over `sankore_analysis`, so they cannot disagree
//! with each other or with `sankore analyze`.
//!
//! Roles: counts-only views (matrix, co-occurrence, agreement, saturation)
//! need [`Permission::ReadAggregates`]; anything showing transcript text or
//! words from it (the drill-down, word lists, keyword in context) needs
//! [`Permission::ReadTranscripts`], so a viewer never sees a passage.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sankore_analysis::AnalysisError;
use sankore_analysis::agreement::{Agreement, AgreementQuery, Scope, Statistics, UnitKind};
use sankore_analysis::cooccurrence::{Cooccurrence, CooccurrenceQuery, Proximity};
use sankore_analysis::corpus::{Corpus, Filter};
use sankore_analysis::matrix::{Attribute, Matrix, MatrixQuery};
use sankore_analysis::saturation::Saturation;
use sankore_analysis::words::{
    self, Concordance, Frequencies, KwicQuery, Language, Selection, WordsQuery,
};
use sankore_domain::{CodeKey, Lang, Permission, SessionKind};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AccessStore, Account, AssignmentStore, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::AppState;
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{Chrome, LangQuery, render};
use sankore_reports::charts::{self, Line, PALETTE};

/// Most terms a word list may ask for.
const MAX_TERMS: usize = 500;
/// Widest keyword context, in characters on each side.
const MAX_WIDTH: usize = 200;

impl From<AnalysisError> for AppError {
    fn from(error: AnalysisError) -> Self {
        match error {
            AnalysisError::Store(e) => e.into(),
            AnalysisError::NoStudy => AppError::NotFound,
            AnalysisError::TooLarge(_) => AppError::Internal,
            // The other errors name codes, coders or patterns, never text.
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

/// The API's analysis routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/analysis/matrix", get(api_matrix))
        .route("/analysis/matrix/cell", get(api_cell))
        .route("/analysis/cooccurrence", get(api_cooccurrence))
        .route("/analysis/agreement", get(api_agreement))
        .route("/analysis/saturation", get(api_saturation))
        .route("/analysis/words", get(api_words))
}

/// The analysis pages.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/analysis", get(index_page))
        .route("/analysis/matrix", get(matrix_page))
        .route("/analysis/matrix/cell", get(cell_page))
        .route("/analysis/cooccurrence", get(cooccurrence_page))
        .route("/analysis/agreement", get(agreement_page))
        .route("/analysis/saturation", get(saturation_page))
        .route("/analysis/words", get(words_page))
}

/// Query parameters shared by every analysis (each reads those it needs).
/// Lists are comma-separated; empty values count as absent, so that forms
/// can leave fields blank.
#[derive(Debug, Default, Clone, Deserialize)]
struct Params {
    /// Matrix columns: an attribute name as on the command line.
    by: Option<String>,
    /// Row codes (keys).
    codes: Option<String>,
    /// Row codes: those under this code.
    under: Option<String>,
    /// Only these coders' codings.
    coders: Option<String>,
    /// Only documents of these session kinds.
    kinds: Option<String>,
    /// Drill-down row, agreement's single code, words' coded text.
    code: Option<String>,
    /// Drill-down column key (absent or empty: unattributed).
    column: Option<String>,
    /// Co-occurrence proximity: `overlap`, `within`, `document`.
    proximity: Option<String>,
    /// Co-occurrence `within` gap, in characters.
    distance: Option<String>,
    /// Agreement unit: `character`, `paragraph`, `segment`.
    unit: Option<String>,
    /// Agreement scope: `any`, `all`.
    scope: Option<String>,
    /// Words: keyword in context instead of frequencies.
    keyword: Option<String>,
    /// Words: how many terms.
    limit: Option<String>,
    /// Words: characters of context.
    width: Option<String>,
    /// Interface language.
    lang: Option<String>,
}

/// A present, non-blank parameter.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A comma-separated parameter as a list (absent when blank).
fn list(value: &Option<String>) -> Option<Vec<String>> {
    let items: Vec<String> = given(value)?
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    (!items.is_empty()).then_some(items)
}

/// A numeric parameter, `default` when blank, at most `max`.
fn number(
    value: &Option<String>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, AppError> {
    match given(value) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| AppError::BadRequest(format!("{name} must be a number up to {max}"))),
    }
}

impl Params {
    /// The chosen co-occurrence proximity, for the form.
    fn proximity(&self) -> &str {
        given(&self.proximity).unwrap_or("overlap")
    }

    /// The chosen agreement unit, for the form.
    fn unit(&self) -> &str {
        given(&self.unit).unwrap_or("paragraph")
    }

    /// The chosen agreement scope, for the form.
    fn scope(&self) -> &str {
        given(&self.scope).unwrap_or("any")
    }

    fn lang_query(&self) -> LangQuery {
        LangQuery::from(self.lang.clone())
    }

    fn filter(&self) -> Result<Filter, AppError> {
        let kinds = list(&self.kinds)
            .map(|kinds| {
                kinds
                    .iter()
                    .map(|k| SessionKind::parse(k))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(Filter {
            coders: list(&self.coders),
            kinds,
        })
    }

    fn attribute(&self) -> Result<Attribute, AppError> {
        let by = given(&self.by).unwrap_or("cercle");
        Attribute::ALL
            .into_iter()
            .find(|a| a.as_str() == by)
            .ok_or_else(|| AppError::BadRequest(format!("unknown matrix attribute {by:?}")))
    }

    /// Row codes: `codes`, else those under `under`, else every code.
    fn codes(&self, corpus: &Corpus) -> Result<Option<Vec<CodeKey>>, AppError> {
        if let Some(root) = given(&self.under) {
            return Ok(Some(corpus.codes_under(root)?));
        }
        list(&self.codes)
            .map(|codes| {
                codes
                    .iter()
                    .map(|c| {
                        corpus.require_code(c)?;
                        Ok(CodeKey::new(c)?)
                    })
                    .collect::<Result<Vec<_>, AppError>>()
            })
            .transpose()
    }

    fn matrix_query(&self, corpus: &Corpus) -> Result<MatrixQuery, AppError> {
        Ok(MatrixQuery {
            attribute: self.attribute()?,
            codes: self.codes(corpus)?,
            filter: self.filter()?,
        })
    }

    fn agreement_query(&self) -> Result<AgreementQuery, AppError> {
        let unit = match self.unit() {
            "character" => UnitKind::Character,
            "paragraph" => UnitKind::Paragraph,
            "segment" => UnitKind::Segment,
            other => return Err(AppError::BadRequest(format!("unknown unit {other:?}"))),
        };
        let scope = match self.scope() {
            "any" => Scope::Any,
            "all" => Scope::All,
            other => return Err(AppError::BadRequest(format!("unknown scope {other:?}"))),
        };
        Ok(AgreementQuery {
            unit,
            coders: list(&self.coders),
            code: given(&self.code).map(CodeKey::new).transpose()?,
            scope,
        })
    }

    fn cooccurrence_query(&self, corpus: &Corpus) -> Result<CooccurrenceQuery, AppError> {
        let proximity = match self.proximity() {
            "overlap" => Proximity::Overlap,
            "within" => Proximity::Within(number(&self.distance, "distance", 0, 1_000_000)?),
            "document" => Proximity::Document,
            other => return Err(AppError::BadRequest(format!("unknown proximity {other:?}"))),
        };
        Ok(CooccurrenceQuery {
            proximity,
            codes: self.codes(corpus)?,
            filter: self.filter()?,
        })
    }

    fn selection(&self, store: &SqliteStore) -> Result<Selection, AppError> {
        let code = match given(&self.code) {
            Some(c) => {
                let key = CodeKey::new(c)?;
                if store.codebook()?.get(&key).is_none() {
                    return Err(AnalysisError::UnknownCode(c.to_owned()).into());
                }
                Some(key)
            }
            None => None,
        };
        let filter = self.filter()?;
        Ok(Selection {
            kinds: filter.kinds,
            code,
            coders: filter.coders,
            turns_only: false,
            exclude_speakers: Vec::new(),
        })
    }
}

/// Runs an analysis on the store on a blocking thread.
async fn compute<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&SqliteStore) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    state.with_store(move |store| Ok(work(store))).await?
}

/// The corpus of the study, or 404 without a study.
fn corpus(store: &SqliteStore) -> Result<Corpus, AppError> {
    Ok(Corpus::from_store(store)?)
}

/// A segment behind a matrix cell, with its text.
#[derive(Debug, Serialize)]
struct Segment {
    document: String,
    title: String,
    start: usize,
    end: usize,
    code: String,
    coder: String,
    speaker: Option<String>,
    /// The exact coded characters.
    text: String,
}

/// The codings behind one matrix cell, with their text.
/// Codings `user` may not see now (blind double-coding) are left out.
fn cell_segments(
    store: &SqliteStore,
    params: &Params,
    user: &Account,
) -> Result<Vec<Segment>, AppError> {
    let view = store.blind_view(user)?;
    let corpus = corpus(store)?;
    let query = params.matrix_query(&corpus)?;
    let code =
        given(&params.code).ok_or_else(|| AppError::BadRequest("code is required".to_owned()))?;
    let code = CodeKey::new(code)?;
    let refs = Matrix::drill_down(&corpus, &query, &code, given(&params.column))?;
    let mut texts: HashMap<String, (String, Vec<char>)> = HashMap::new();
    let mut out = Vec::with_capacity(refs.len());
    for r in refs
        .into_iter()
        .filter(|r| view.shows(&r.document, &r.coder))
    {
        if !texts.contains_key(&r.document) {
            let Some((document, _)) = store.document_for(user, &r.document)? else {
                continue;
            };
            texts.insert(
                r.document.clone(),
                (
                    document.title.clone(),
                    document.body.as_str().chars().collect(),
                ),
            );
        }
        let Some((title, chars)) = texts.get(&r.document) else {
            continue;
        };
        let text = chars
            .get(r.start..r.end.min(chars.len()))
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        out.push(Segment {
            title: title.clone(),
            document: r.document,
            start: r.start,
            end: r.end,
            code: r.code,
            coder: r.coder,
            speaker: r.speaker,
            text,
        });
    }
    Ok(out)
}

fn default_language(lang: Lang) -> Language {
    match lang {
        Lang::Fr => Language::Fr,
        Lang::En => Language::En,
    }
}

/// Word frequencies or, with a keyword, its occurrences in context.
enum WordsAnswer {
    /// The most frequent terms.
    Frequencies(Frequencies),
    /// Every occurrence of the keyword.
    Occurrences(Vec<Concordance>),
}

fn words_answer(
    store: &SqliteStore,
    params: &Params,
    lang: Lang,
    user: &Account,
) -> Result<WordsAnswer, AppError> {
    if store.study()?.is_none() {
        return Err(AppError::NotFound);
    }
    let selection = params.selection(store)?;
    let access = store.document_access(user)?;
    let mut documents = store.documents()?;
    documents.retain(|d| access.allows(&d.code));
    let sessions = store.sessions()?;
    let codings = store.codings()?;
    Ok(match given(&params.keyword) {
        Some(keyword) => {
            let query = KwicQuery {
                keyword: keyword.to_owned(),
                selection,
                default_language: default_language(lang),
                stem: true,
                width: number(&params.width, "width", 40, MAX_WIDTH)?,
            };
            WordsAnswer::Occurrences(words::keyword_in_context(
                &query, &documents, &sessions, &codings,
            )?)
        }
        None => {
            let query = WordsQuery {
                selection,
                default_language: default_language(lang),
                stem: true,
                stop_words: true,
                min_length: 2,
                limit: number(&params.limit, "limit", 50, MAX_TERMS)?,
            };
            WordsAnswer::Frequencies(words::frequencies(&query, &documents, &sessions, &codings))
        }
    })
}

// ---------------------------------------------------------------- API

/// `GET /api/v1/analysis/matrix`: the CLI's `analyze matrix` JSON.
async fn api_matrix(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let matrix = compute(&state, move |store| {
        let corpus = corpus(store)?;
        Ok(Matrix::compute(&corpus, &params.matrix_query(&corpus)?)?)
    })
    .await?;
    Ok(Json(matrix).into_response())
}

/// `GET /api/v1/analysis/matrix/cell`: the segments of one cell, with text.
async fn api_cell(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let account = user.account.clone();
    let segments = compute(&state, move |store| cell_segments(store, &params, &account)).await?;
    Ok(Json(serde_json::json!({ "codings": segments })).into_response())
}

/// `GET /api/v1/analysis/cooccurrence`: the CLI's JSON.
async fn api_cooccurrence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let answer = compute(&state, move |store| {
        let corpus = corpus(store)?;
        Ok(Cooccurrence::compute(
            &corpus,
            &params.cooccurrence_query(&corpus)?,
        )?)
    })
    .await?;
    Ok(Json(answer).into_response())
}

/// `GET /api/v1/analysis/agreement`: the CLI's `analyze agreement` JSON.
async fn api_agreement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let answer = compute(&state, move |store| {
        Ok(Agreement::from_store(store, &params.agreement_query()?)?)
    })
    .await?;
    Ok(Json(answer).into_response())
}

/// `GET /api/v1/analysis/saturation`: the CLI's JSON.
async fn api_saturation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadAggregates)?;
    let answer = compute(&state, move |store| {
        Ok(Saturation::compute(&corpus(store)?, &params.filter()?)?)
    })
    .await?;
    Ok(Json(answer).into_response())
}

/// `GET /api/v1/analysis/words`: frequencies, or `{"occurrences"}` with
/// `keyword`.
async fn api_words(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadTranscripts)?;
    let lang = state.default_lang;
    let account = user.account.clone();
    let answer = compute(&state, move |store| {
        words_answer(store, &params, lang, &account)
    })
    .await?;
    Ok(match answer {
        WordsAnswer::Frequencies(f) => Json(f).into_response(),
        WordsAnswer::Occurrences(o) => {
            Json(serde_json::json!({ "occurrences": o })).into_response()
        }
    })
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "analysis_index.html")]
struct IndexPage {
    chrome: Chrome,
}

/// `GET /analysis`: the list of analyses the role may open.
async fn index_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let chrome = Chrome::new(&state, &headers, &query, Some(&user));
    render(&IndexPage { chrome }, &query)
}

/// A matrix cell as drawn: its counts, heat class (0: empty, 1 to 5 by
/// participants relative to the largest cell) and drill-down link.
struct CellView {
    participants: u64,
    segments: u64,
    heat: u64,
    link: String,
}

/// A matrix row as drawn.
struct RowView {
    code: String,
    name: String,
    cells: Vec<CellView>,
    unattributed: CellView,
}

#[derive(Template)]
#[template(path = "analysis_matrix.html")]
struct MatrixPage {
    chrome: Chrome,
    params: Params,
    attributes: Vec<&'static str>,
    by: &'static str,
    columns: Vec<String>,
    rows: Vec<RowView>,
}

/// Percent-encodes a query value (every byte but ASCII letters, digits
/// and `-._~`).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `GET /analysis/matrix`: codes × an attribute as a heat-map table; each
/// cell links to its segments for roles that may read transcripts.
async fn matrix_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let lang_query = params.lang_query();
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let wanted = params.clone();
    let matrix = compute(&state, move |store| {
        let corpus = corpus(store)?;
        Ok(Matrix::compute(&corpus, &wanted.matrix_query(&corpus)?)?)
    })
    .await?;
    let max = matrix
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().chain([&r.unattributed]))
        .map(|c| c.participants.max(c.segments.min(1)))
        .max()
        .unwrap_or(1)
        .max(1);
    let base = format!(
        "/analysis/matrix/cell?by={}&coders={}&kinds={}",
        matrix.attribute.as_str(),
        encode(given(&params.coders).unwrap_or_default()),
        encode(given(&params.kinds).unwrap_or_default()),
    );
    let view = |code: &str, column: &str, cell: &sankore_analysis::matrix::Cell| CellView {
        participants: cell.participants,
        segments: cell.segments,
        heat: if cell.segments == 0 {
            0
        } else {
            1 + cell.participants.max(1) * 4 / max
        },
        link: format!("{base}&code={}&column={}", encode(code), encode(column)),
    };
    let rows = matrix
        .rows
        .iter()
        .filter(|r| {
            r.cells
                .iter()
                .chain([&r.unattributed])
                .any(|c| c.segments > 0)
        })
        .map(|r| RowView {
            name: chrome.pick(&r.name).to_owned(),
            cells: r
                .cells
                .iter()
                .zip(&matrix.columns)
                .map(|(c, col)| view(&r.code, &col.key, c))
                .collect(),
            unattributed: view(&r.code, "", &r.unattributed),
            code: r.code.clone(),
        })
        .collect();
    let page = MatrixPage {
        attributes: Attribute::ALL.iter().map(|a| a.as_str()).collect(),
        by: matrix.attribute.as_str(),
        columns: matrix.columns.into_iter().map(|c| c.label).collect(),
        rows,
        params,
        chrome,
    };
    render(&page, &lang_query)
}

#[derive(Template)]
#[template(path = "analysis_cell.html")]
struct CellPage {
    chrome: Chrome,
    code: String,
    column: String,
    segments: Vec<Segment>,
}

/// `GET /analysis/matrix/cell`: the segments behind one cell, in context.
async fn cell_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang_query = params.lang_query();
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let wanted = params.clone();
    let account = user.account.clone();
    let segments = compute(&state, move |store| cell_segments(store, &wanted, &account)).await?;
    let page = CellPage {
        chrome,
        code: given(&params.code).unwrap_or_default().to_owned(),
        column: given(&params.column).unwrap_or_default().to_owned(),
        segments,
    };
    render(&page, &lang_query)
}

#[derive(Template)]
#[template(path = "analysis_cooccurrence.html")]
struct CooccurrencePage {
    chrome: Chrome,
    params: Params,
    answer: Cooccurrence,
}

/// `GET /analysis/cooccurrence`: pairs of codes applied together.
async fn cooccurrence_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let lang_query = params.lang_query();
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let wanted = params.clone();
    let answer = compute(&state, move |store| {
        let corpus = corpus(store)?;
        Ok(Cooccurrence::compute(
            &corpus,
            &wanted.cooccurrence_query(&corpus)?,
        )?)
    })
    .await?;
    render(
        &CooccurrencePage {
            chrome,
            params,
            answer,
        },
        &lang_query,
    )
}

/// A line of the agreement table: the code (empty: every code pooled),
/// then units and the four statistics formatted, over all units and
/// without the uncoded ones.
struct AgreementRow {
    code: String,
    units: u64,
    all: Vec<String>,
    coded_units: u64,
    coded: Vec<String>,
}

#[derive(Template)]
#[template(path = "analysis_agreement.html")]
struct AgreementPage {
    chrome: Chrome,
    params: Params,
    answer: Agreement,
    rows: Vec<AgreementRow>,
}

/// The statistics for display: percent with one decimal, the others with
/// two, `—` where undefined.
fn figures(s: &Statistics) -> Vec<String> {
    let show = |value: Option<f64>, decimals: usize| {
        value.map_or_else(|| "—".to_owned(), |v| format!("{v:.decimals$}"))
    };
    vec![
        show(s.percent, 1),
        show(s.cohen_kappa, 2),
        show(s.fleiss_kappa, 2),
        show(s.krippendorff_alpha, 2),
    ]
}

/// `GET /analysis/agreement`: agreement between coders, overall and per code.
async fn agreement_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let lang_query = params.lang_query();
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let wanted = params.clone();
    let answer = compute(&state, move |store| {
        Ok(Agreement::from_store(store, &wanted.agreement_query()?)?)
    })
    .await?;
    let lookup = |list: &[(String, u64)], code: &str| {
        list.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n)
    };
    let coded_stats = |code: &str| {
        answer
            .excluding_uncoded
            .per_code
            .0
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, s)| figures(s))
    };
    let mut rows = vec![AgreementRow {
        code: String::new(),
        units: answer.units,
        all: figures(&answer.overall),
        coded_units: answer.excluding_uncoded.units,
        coded: figures(&answer.excluding_uncoded.overall),
    }];
    for (code, stats) in &answer.per_code.0 {
        let Some(coded) = coded_stats(code) else {
            continue;
        };
        rows.push(AgreementRow {
            code: code.clone(),
            units: lookup(&answer.per_code_units.0, code),
            all: figures(stats),
            coded_units: lookup(&answer.excluding_uncoded.per_code_units.0, code),
            coded,
        });
    }
    render(
        &AgreementPage {
            chrome,
            params,
            answer,
            rows,
        },
        &lang_query,
    )
}

#[derive(Template)]
#[template(path = "analysis_saturation.html")]
struct SaturationPage {
    chrome: Chrome,
    params: Params,
    chart: String,
    answer: Saturation,
}

/// `GET /analysis/saturation`: cumulative distinct codes per interview, as
/// a line chart (overall and per group) and a table.
async fn saturation_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadAggregates)?;
    let lang_query = params.lang_query();
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let wanted = params.clone();
    let answer = compute(&state, move |store| {
        Ok(Saturation::compute(&corpus(store)?, &wanted.filter()?)?)
    })
    .await?;
    let cumulative = |steps: &[sankore_analysis::saturation::Step]| {
        steps
            .iter()
            .map(|s| u32::try_from(s.cumulative).unwrap_or(u32::MAX))
            .collect()
    };
    let mut lines = vec![Line {
        name: chrome.t(Msg::AnalysisAllInterviews).to_owned(),
        colour: PALETTE[0],
        values: cumulative(&answer.overall),
    }];
    for (group, colour) in answer.by_group.iter().zip(PALETTE.iter().skip(1).cycle()) {
        lines.push(Line {
            name: group.name.clone(),
            colour,
            values: cumulative(&group.steps),
        });
    }
    let chart = charts::line_chart(&lines, chrome.t(Msg::Interviews));
    render(
        &SaturationPage {
            chrome,
            params,
            chart,
            answer,
        },
        &lang_query,
    )
}

#[derive(Template)]
#[template(path = "analysis_words.html")]
struct WordsPage {
    chrome: Chrome,
    params: Params,
    answer: WordsAnswer,
}

/// `GET /analysis/words`: word frequencies, or a keyword in context.
async fn words_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang_query = params.lang_query();
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let wanted = params.clone();
    let lang = state.default_lang;
    let account = user.account.clone();
    let answer = compute(&state, move |store| {
        words_answer(store, &wanted, lang, &account)
    })
    .await?;
    render(
        &WordsPage {
            chrome,
            params,
            answer,
        },
        &lang_query,
    )
}
