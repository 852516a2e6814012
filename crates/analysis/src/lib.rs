//! Analyses computed from a study's records. Pure functions over domain
//! values: the caller loads the records from a store (each module has a
//! thin `from_store` loader).
//!
//! - [`methodology`]: who was heard, where and how;
//! - [`progress`]: collection against quotas, sessions per week;
//! - [`corpus`]: the codings interned into flat integer arrays, which the
//!   queries below run over;
//! - [`matrix`]: codes × an attribute, with drill-down, and the push-factor
//!   ranking per cercle;
//! - [`cooccurrence`]: codes applied together;
//! - [`agreement`]: agreement between coders;
//! - [`saturation`]: new codes per successive interview;
//! - [`triangulation`]: each finding's evidence by source kind and cercle;
//! - [`evidence`]: each finding's evidence strength and forum outcomes;
//! - [`search`]: French-aware full-text search terms;
//! - [`words`]: word frequencies and keyword in context;
//! - [`autocode`]: coding suggestions from dictionaries and speakers;
//! - [`framework`]: the framework matrix (cases × themes).
//!
//! Definitions and choices are in `docs/analysis.md`.

pub mod agreement;
pub mod autocode;
pub mod cooccurrence;
pub mod corpus;
pub mod error;
pub mod evidence;
pub mod framework;
pub mod matrix;
pub mod methodology;
pub mod progress;
pub mod saturation;
pub mod search;
mod text;
pub mod triangulation;
pub mod words;

pub use error::{AnalysisError, Result};
pub use methodology::Methodology;
