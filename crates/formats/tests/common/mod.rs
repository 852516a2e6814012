//! Where the tests find the shared conformance material: `SANKORE_SHARED`
//! when set (`.ci/run` sets it), else `shared/` beside the repository.

use std::path::PathBuf;

/// `shared/SUBPATH`.
pub fn shared(subpath: &str) -> PathBuf {
    std::env::var_os("SANKORE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join(subpath)
}

/// The XLSForm corpus, if present.
#[allow(dead_code, reason = "not every test file uses it")]
pub fn xlsform_corpus() -> Option<PathBuf> {
    let root = shared("conformance/xlsform");
    root.join("cases.jsonl").is_file().then_some(root)
}
