//! XLSForm instruments (.xlsx, .xls, pyxform's CSV and markdown): any
//! bytes give an instrument or a positioned error, never a panic. The first
//! byte picks the file kind, the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sankore_formats::xlsform::{FileKind, ReadOptions, read};
use std::sync::Once;

/// calamine (the spreadsheet library) panics on some damaged files;
/// `xlsform::read` catches those panics and refuses the file. libFuzzer's
/// hook aborts on every panic, caught or not, so this hook lets panics
/// raised inside calamine unwind to that catch; any other panic still
/// aborts and is reported as a crash.
fn let_calamine_panics_unwind() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let abort_on_panic = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                abort_on_panic(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_calamine_panics_unwind();
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let kind = match selector % 4 {
        0 => FileKind::Xlsx,
        1 => FileKind::Xls,
        2 => FileKind::Csv,
        _ => FileKind::Markdown,
    };
    if let Ok(instrument) = read(bytes, kind, &ReadOptions::new("fuzz")) {
        // Every question the tree holds can be found again by its path.
        for question in instrument.questions() {
            assert!(
                instrument.question_at(question.path).is_some(),
                "{}",
                question.path
            );
        }
    }
});
