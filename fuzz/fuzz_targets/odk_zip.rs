//! ODK Central `submissions.csv.zip` (zip limits, `KEY`/`PARENT_KEY`
//! links): any bytes give linked tables whose rows are as wide as their
//! header and whose keys are unique, or a positioned error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sankore_formats::archive::ArchiveLimits;
use sankore_formats::submissions::{Submissions, odk};

/// What every reader promises about what it returns.
fn check(s: &Submissions) {
    let main = s.main();
    assert_eq!(s.keys.len(), main.rows.len());
    let unique: std::collections::HashSet<&String> = s.keys.iter().collect();
    assert_eq!(unique.len(), s.keys.len(), "duplicate keys");
    assert_eq!(s.parents.len(), s.tables.len());
    for (t, table) in s.tables.iter().enumerate() {
        assert_eq!(table.rows.len(), table.lines.len());
        for row in table.rows.iter() {
            assert_eq!(row.len(), table.headers.len());
        }
        assert_eq!(s.parents[t].len(), table.rows.len());
        for (r, parent) in s.parents[t].iter().enumerate() {
            if let Some((pt, pr)) = parent {
                assert!(*pt < s.tables.len() && *pr < s.tables[*pt].rows.len());
            }
            assert!(s.submission_of((t, r)) < main.rows.len());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = odk::read_zip("fuzz.zip", data, &ArchiveLimits::default()) {
        check(&s);
    }
});
