//! Hostile or random input never panics the XLSForm reader: it returns a
//! form or an error (the reader's entry point, `xlsform::read`, is what a
//! fuzz target would call).

use proptest::prelude::*;
use sankore_formats::xlsform::{self, FileKind, ReadOptions};

const FORM: &str = "| survey |\n| | type | name | label | relevant | parameters |\n\
| | begin_group | g | G | | |\n| | select_one yn | q | Q | ${n} > 1 | randomize=true |\n\
| | integer | n | N | | |\n| | begin_repeat | r | R | | |\n| | range | x | X | | start=0 end=10 |\n\
| | end_repeat | | | | |\n| | end_group | | | | |\n| choices |\n| | list_name | name | label |\n\
| | yn | y | Yes |\n| | yn | n | No |\n| settings |\n| | form_id | version |\n| | f | 1 |\n";

fn read(bytes: &[u8], kind: FileKind) {
    let _ = xlsform::read(bytes, kind, &ReadOptions::new("fuzz"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for kind in [FileKind::Markdown, FileKind::Csv, FileKind::Xlsx, FileKind::Xls] {
            read(&bytes, kind);
        }
    }

    #[test]
    fn mutated_forms_never_panic(
        cuts in proptest::collection::vec((0usize..FORM.len(), 0usize..8, "[|$\\{\\}()'a-z_ =\\-\n#]{0,6}"), 1..6)
    ) {
        let mut text = FORM.to_owned();
        for (at, len, insert) in cuts {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end, &insert);
        }
        read(text.as_bytes(), FileKind::Markdown);
    }

    #[test]
    fn written_then_cut_xlsx_never_panics(cut in 0usize..10_000) {
        let form = xlsform::read(FORM.as_bytes(), FileKind::Markdown, &ReadOptions::new("f"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let bytes = xlsform::write_xlsx(&form).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cut = cut % bytes.len();
        read(&bytes[..cut], FileKind::Xlsx);
    }
}

#[test]
fn the_sample_form_is_accepted() {
    assert!(xlsform::read(FORM.as_bytes(), FileKind::Markdown, &ReadOptions::new("f")).is_ok());
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let mut text = String::from("| survey |\n| | type | name | label |\n");
    for i in 0..10_000 {
        text.push_str(&format!("| | begin_group | g{i} | G |\n"));
    }
    let e = xlsform::read(text.as_bytes(), FileKind::Markdown, &ReadOptions::new("f"))
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some(
            "survey sheet, row 34, column \"type\": groups and repeats nest deeper than 32 levels"
        )
    );
    let deep = format!(
        "| survey |\n| | type | name | label | calculation |\n| | calculate | c | C | {}1{} |\n",
        "(".repeat(2000),
        ")".repeat(2000)
    );
    let e = xlsform::read(deep.as_bytes(), FileKind::Markdown, &ReadOptions::new("f"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("nested deeper than 64 levels"), "{e}");
}
