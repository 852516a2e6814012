//! Search across transcripts: French-aware (accents folded, stemmed),
//! through the index inside the encrypted database.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use sankore_analysis::search::SearchTerms;
use sankore_domain::Permission;
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{AccessStore, Account, CodingStore, SearchStore, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::{Chrome, LangQuery, render};

/// Most documents listed for one query.
const MAX_RESULTS: usize = 50;
/// Passages shown per document.
const MAX_SNIPPETS: usize = 3;
/// Characters of context around a match.
const CONTEXT: usize = 60;

/// Indexes every document not yet in the index (after an import, or on a
/// workspace made before the index existed).
pub fn index_missing(store: &mut (impl SearchStore + ?Sized)) -> Result<usize, StoreError> {
    let terms = SearchTerms::default();
    let missing = store.unindexed_documents()?;
    for (code, text) in &missing {
        store.index_document(code, &terms.index(text))?;
    }
    Ok(missing.len())
}

/// A passage around a match: text before, the matched word, text after.
#[derive(serde::Serialize)]
pub struct Snippet {
    /// Scalar offsets of the matched word in the document.
    pub start: usize,
    pub end: usize,
    pub before: String,
    pub hit: String,
    pub after: String,
}

/// A matching document.
#[derive(serde::Serialize)]
pub struct Hit {
    pub code: String,
    pub title: String,
    pub snippets: Vec<Snippet>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    query: String,
    hits: Vec<Hit>,
}

/// The documents matching `query`, best first, with highlighted passages.
pub fn hits(store: &mut SqliteStore, user: &Account, query: &str) -> Result<Vec<Hit>, StoreError> {
    let terms = SearchTerms::default();
    let Some(expression) = terms.query(query) else {
        return Ok(Vec::new());
    };
    let access = store.document_access(user)?;
    let mut hits = Vec::new();
    for code in store.search(&expression, MAX_RESULTS)? {
        if !access.allows(&code) {
            continue;
        }
        let Some((document, _)) = store.document(&code)? else {
            continue;
        };
        let chars: Vec<char> = document.body.as_str().chars().collect();
        let snippets = terms
            .matches(document.body.as_str(), query)
            .into_iter()
            .take(MAX_SNIPPETS)
            .map(|(start, end)| Snippet {
                start,
                end,
                before: chars[start.saturating_sub(CONTEXT)..start].iter().collect(),
                hit: chars[start..end].iter().collect(),
                after: chars[end..(end + CONTEXT).min(chars.len())]
                    .iter()
                    .collect(),
            })
            .collect();
        hits.push(Hit {
            code: document.code.clone(),
            title: document.title.clone(),
            snippets,
        });
    }
    Ok(hits)
}

/// `?q=` and `?lang=`.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
}

/// `GET /search?q=`.
pub async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Query(params): Query<SearchQuery>,
) -> Result<Response, PageError> {
    user.require(Permission::ReadTranscripts)?;
    let lang_query = LangQuery::from(params.lang.clone());
    let chrome = Chrome::new(&state, &headers, &lang_query, Some(&user));
    let query = params.q.unwrap_or_default();
    let wanted = query.clone();
    let account = user.account.clone();
    let hits = state
        .with_store(move |store| hits(store, &account, &wanted))
        .await?;
    render(
        &SearchPage {
            chrome,
            query,
            hits,
        },
        &lang_query,
    )
}
