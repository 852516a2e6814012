//! Tests of the synthetic reference study.
