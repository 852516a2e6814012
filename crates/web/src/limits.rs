//! Size limits on request bodies, on every route.
//!
//! A request declaring a body larger than [`MAX_BODY_BYTES`] is answered
//! 413 before any handler runs; a body sent without a length (chunked) is
//! cut at the same size by axum's body limit, which every extractor obeys.

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body accepted: 2 MiB, far above a long typed transcript
/// (an hour of speech is about 60 KB of text).
pub const MAX_BODY_BYTES: usize = 2 << 20;

/// axum's limit for extractors reading the body.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_BODY_BYTES)
}

/// Refuses with 413 a request whose declared length is over the limit.
pub async fn refuse_large_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    next.run(request).await
}
