//! Analyses computed from a study's records. Pure functions over domain
//! values: the caller loads the records from a store.

pub mod methodology;

pub use methodology::Methodology;
