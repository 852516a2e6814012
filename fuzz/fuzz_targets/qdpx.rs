//! REFI-QDA projects (.qdpx: a zip holding project.qde and sources): any
//! bytes give a study or a positioned error, never a panic, a hang or an
//! allocation past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sankore_formats::refi::{ImportOptions, Limits, import_project};

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        gazetteer: sankore_domain::gazetteer::timbuktu_2017(),
        today: chrono::NaiveDate::from_ymd_opt(2017, 5, 1).unwrap_or_default(),
        fallback_name: "fuzz".to_owned(),
        allow_partial: data.first().is_some_and(|b| b & 1 == 1),
        limits: Limits::default(),
    };
    let _ = import_project(data, &options);
});
