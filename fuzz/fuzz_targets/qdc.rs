//! REFI-QDA codebooks (.qdc, XML): any bytes give a codebook or a
//! positioned error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sankore_formats::refi::{ImportOptions, Limits, import_codebook};

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        gazetteer: sankore_domain::gazetteer::timbuktu_2017(),
        today: chrono::NaiveDate::from_ymd_opt(2017, 5, 1).unwrap_or_default(),
        fallback_name: "fuzz".to_owned(),
        allow_partial: false,
        limits: Limits::default(),
    };
    let _ = import_codebook(data, &options);
});
