//! Bad XLSForms: each is refused with an error naming the sheet, row and
//! column at fault.

use sankore_formats::xlsform::{self, FileKind, ReadOptions, XlsFormError, write_xlsx};

fn md(text: &str) -> Result<(), XlsFormError> {
    xlsform::read(text.as_bytes(), FileKind::Markdown, &ReadOptions::new("f")).map(|_| ())
}

fn message(text: &str) -> String {
    match md(text) {
        Ok(()) => "accepted".to_owned(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_type_names_sheet_row_and_column() {
    let e = md(
        "| survey |\n| | type | name | label |\n| | text | a | A |\n| | slect_one yn | b | B |\n",
    );
    assert_eq!(
        e,
        Err(XlsFormError {
            sheet: Some("survey".into()),
            row: Some(3),
            column: Some("type".into()),
            message: "unknown question type \"slect_one yn\"".into(),
        })
    );
    assert_eq!(
        message("| survey |\n| | type | name | label |\n| | slect_one | b | B |\n"),
        "survey sheet, row 2, column \"type\": unknown question type \"slect_one\""
    );
}

#[test]
fn missing_survey_sheet() {
    assert_eq!(
        message(
            "| servey |\n| | type | name | label |\n| | text | a | A |\n| choices |\n| | list_name | name | label |\n| | yn | y | Yes |\n"
        ),
        "the form has no sheet named \"survey\" (sheets with similar names: servey)"
    );
}

#[test]
fn duplicate_names() {
    assert_eq!(
        message(
            "| survey |\n| | type | name | label |\n| | text | age | A |\n| | integer | age | B |\n"
        ),
        "survey sheet, row 3, column \"name\": \"age\" is already used in this group: questions, groups and repeats must be unique within their group or repeat"
    );
    // the same name in two different groups is allowed...
    assert_eq!(
        message(
            "| survey |\n| | type | name | label |\n| | begin_group | g1 | G |\n| | text | age | A |\n| | end_group | | |\n| | begin_group | g2 | G |\n| | text | age | A |\n| | end_group | | |\n"
        ),
        "accepted"
    );
    // ...but a reference to it is ambiguous
    assert_eq!(
        message(
            "| survey |\n| | type | name | label | relevant |\n| | begin_group | g1 | G | |\n| | text | age | A | |\n| | end_group | | | |\n| | begin_group | g2 | G | |\n| | text | age | A | |\n| | end_group | | | |\n| | note | n | N | ${age} > 3 |\n"
        ),
        "survey sheet, row 8, column \"relevant\": ${age} is ambiguous: several questions, groups or repeats have that name"
    );
    assert!(message("| survey |\n| | type | name | label |\n| | begin_repeat | r | R |\n| | text | a | A |\n| | end_repeat | | |\n| | begin_group | g | G |\n| | begin_repeat | r | R |\n| | text | b | B |\n| | end_repeat | | |\n| | end_group | | |\n").starts_with("survey sheet, row 6, column \"name\": repeat name \"r\" is used twice"));
}

#[test]
fn unknown_reference() {
    assert_eq!(
        message(
            "| survey |\n| | type | name | label | relevant |\n| | integer | age | Age | |\n| | text | job | Job | ${agee} > 15 |\n"
        ),
        "survey sheet, row 3, column \"relevant\": ${agee} names no question of the survey sheet"
    );
    assert_eq!(
        message(
            "| survey |\n| | type | name | label::English (en) |\n| | text | q | Hello ${nobody} |\n"
        ),
        "survey sheet, row 2, column \"label::English (en)\": ${nobody} names no question of the survey sheet"
    );
}

#[test]
fn missing_choice_list() {
    assert_eq!(
        message(
            "| survey |\n| | type | name | label |\n| | select_one yes_no | q | Q |\n| choices |\n| | list_name | name | label |\n| | yn | y | Yes |\n"
        ),
        "survey sheet, row 2, column \"type\": choice list \"yes_no\" is not in the choices sheet"
    );
    assert_eq!(
        message("| survey |\n| | type | name | label |\n| | select_one yes_no | q | Q |\n"),
        "survey sheet, row 2, column \"type\": the form has no choices sheet (with columns list_name, name and label) for \"yes_no\""
    );
    assert_eq!(
        message(
            "| survey |\n| | type | name | label |\n| | text | a | A |\n| | select_one_external places | q | Q |\n"
        ),
        "survey sheet, row 3, column \"type\": the form has no external_choices sheet (with columns list_name and name) for its select_one_external questions"
    );
}

#[test]
fn broken_expression_points_at_the_character() {
    assert_eq!(
        message(
            "| survey |\n| | type | name | label | constraint |\n| | integer | age | Age | . > 15 and |\n"
        ),
        "survey sheet, row 2, column \"constraint\": invalid expression at character 10: expression ends too early"
    );
}

#[test]
fn truncated_xlsx() -> Result<(), Box<dyn std::error::Error>> {
    let good = xlsform::read(
        b"| survey |\n| | type | name | label |\n| | text | a | A |\n",
        FileKind::Markdown,
        &ReadOptions::new("f"),
    )?;
    let bytes = write_xlsx(&good)?;
    assert!(xlsform::read(&bytes, FileKind::Xlsx, &ReadOptions::new("f")).is_ok());
    for cut in [bytes.len() / 2, bytes.len() - 30, 10] {
        let e = xlsform::read(&bytes[..cut], FileKind::Xlsx, &ReadOptions::new("f"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("not a readable XLSX workbook: "),
            "cut at {cut}: {e:?}"
        );
    }
    let e = xlsform::read(b"not a spreadsheet", FileKind::Xls, &ReadOptions::new("f"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("not a readable XLS workbook: "), "{e}");
    Ok(())
}

#[test]
fn csv_and_encoding() {
    let read = |b: &[u8]| {
        xlsform::read(b, FileKind::Csv, &ReadOptions::new("f")).map(|f| f.questions().len())
    };
    assert_eq!(
        read(b"\xEF\xBB\xBFsurvey,,,\n,type,name,label\n,text,a,A\n"),
        Ok(1)
    );
    assert_eq!(
        read(b"survey,,,\n,type,name,label\n,text,a,caf\xE9\n").map_err(|e| e.to_string()),
        Err("the CSV file is not UTF-8 text (invalid byte at offset 38)".to_owned())
    );
}

#[test]
fn unclosed_group() {
    assert_eq!(
        message(
            "| survey |\n| | type | name | label |\n| | begin_group | g | G |\n| | text | a | A |\n"
        ),
        "survey sheet, row 2, column \"type\": unmatched \"begin group\" \"g\": no \"end group\" closes it"
    );
}

#[test]
fn zip_bomb_xlsx_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options)?;
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..24 {
        zip.write_all(&zeros)?;
    }
    let bytes = zip.finish()?.into_inner();
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
    let e = xlsform::read(&bytes, FileKind::Xlsx, &ReadOptions::new("f"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.starts_with("not a readable XLSX workbook: ") && e.contains("xl/worksheets/sheet1.xml"),
        "{e}"
    );
    Ok(())
}

/// Found by the `xlsform` fuzz target: a 4 KB `.xls` whose sector chain
/// loops made the spreadsheet library allocate until memory ran out. It is
/// refused up front, whatever extension it claims.
#[test]
fn xls_whose_sector_chain_loops_is_refused_without_filling_memory() {
    for kind in [FileKind::Xls, FileKind::Xlsx] {
        let error = corpus_error("xls-sector-chain-loop", kind);
        assert!(error.contains("loops"), "{kind:?}: {error}");
    }
}

/// Found by the `xlsform` fuzz target: a sheet whose DIMENSIONS record
/// claims trillions of cells made the spreadsheet library ask for 600 TB
/// and abort the process.
#[test]
fn xls_claiming_trillions_of_cells_is_refused_without_aborting() {
    let error = corpus_error("xls-dimensions-trillions-of-cells", FileKind::Xls);
    assert!(error.contains("columns (more than"), "{error}");
}

/// Found by the `xlsform` fuzz target: one cell in column 60,000 made the
/// spreadsheet library lay the sheet out in 24 GB.
#[test]
fn xls_cell_beyond_the_last_column_is_refused_without_filling_memory() {
    let error = corpus_error("xls-cell-in-column-60000", FileKind::Xls);
    assert!(error.contains("a sheet has 256 columns"), "{error}");
}

/// The error reading a file of the `xlsform` fuzz corpus (whose first byte
/// is the fuzz target's kind selector) as `kind`.
fn corpus_error(name: &str, kind: FileKind) -> String {
    let path = format!(
        "{}/../../fuzz/corpus/xlsform/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    xlsform::read(&bytes[1..], kind, &ReadOptions::new("f"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}
