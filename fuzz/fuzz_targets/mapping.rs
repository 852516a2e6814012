//! Mapping files (TOML): any text gives a mapping or an error naming the
//! file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sankore_formats::submissions::mapping::Mapping;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Mapping::parse("fuzz.toml", text) {
        Ok(m) => assert!(m.values.keys().all(|k| !k.is_empty())),
        Err(e) => assert!(e.to_string().starts_with("fuzz.toml")),
    }
});
