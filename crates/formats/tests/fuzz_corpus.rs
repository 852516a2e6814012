//! Promise 13 of the threat model: the fuzz corpus (`fuzz/corpus/`, seeds
//! and every input the fuzzers found worth keeping, crashes included once
//! fixed) goes through the parsers on every test run, without a fuzzer.

use sankore_formats::refi::{ImportOptions, Limits, import_codebook, import_project};
use sankore_formats::transcript;
use sankore_formats::xlsform::{self, FileKind, ReadOptions};
use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{e}"));
            (p, bytes)
        })
        .collect()
}

fn options(allow_partial: bool) -> ImportOptions {
    ImportOptions {
        gazetteer: sankore_domain::gazetteer::timbuktu_2017(),
        today: chrono::NaiveDate::from_ymd_opt(2017, 5, 1).unwrap_or_default(),
        fallback_name: "corpus".to_owned(),
        allow_partial,
        limits: Limits::default(),
    }
}

#[test]
fn promise_13_parsers_survive_the_fuzz_corpus() {
    let projects = corpus("qdpx");
    assert!(!projects.is_empty());
    let mut imported = 0;
    for (path, bytes) in &projects {
        for partial in [false, true] {
            if let Ok(project) = import_project(bytes, &options(partial)) {
                imported += 1;
                assert!(
                    project.records.documents.len() < 10_000,
                    "{}",
                    path.display()
                );
            }
        }
    }
    assert!(imported > 0, "the seeds include valid projects");
    let codebooks = corpus("qdc");
    assert!(!codebooks.is_empty());
    for (_, bytes) in &codebooks {
        let _ = import_codebook(bytes, &options(false));
    }
    let transcripts = corpus("transcript");
    assert!(!transcripts.is_empty());
    for (path, bytes) in &transcripts {
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        if let Ok(parsed) = transcript::parse(text) {
            let len = parsed.body.char_len();
            let mut previous_end = 0;
            for turn in &parsed.turns {
                assert!(turn.span.start() < turn.span.end(), "{}", path.display());
                assert!(turn.span.end() <= len, "{}", path.display());
                assert!(turn.span.start() >= previous_end, "{}", path.display());
                previous_end = turn.span.end();
            }
        }
    }
}

#[test]
fn promise_13_the_xlsform_reader_survives_its_fuzz_corpus() {
    let forms = corpus("xlsform");
    assert!(!forms.is_empty());
    let mut accepted = 0;
    for (path, bytes) in &forms {
        let Some((&selector, file)) = bytes.split_first() else {
            continue;
        };
        let kind = [
            FileKind::Xlsx,
            FileKind::Xls,
            FileKind::Csv,
            FileKind::Markdown,
        ][usize::from(selector % 4)];
        if let Ok(instrument) = xlsform::read(file, kind, &ReadOptions::new("corpus")) {
            accepted += 1;
            for question in instrument.questions() {
                assert!(
                    instrument.question_at(question.path).is_some(),
                    "{}: {}",
                    path.display(),
                    question.path
                );
            }
        }
    }
    assert!(accepted > 0, "the seeds include valid forms");
}

#[test]
fn field_data_readers_survive_the_fuzz_corpus() {
    use sankore_formats::archive::ArchiveLimits;
    use sankore_formats::submissions::mapping::Mapping;
    use sankore_formats::submissions::{kobo, odk};
    let mut read = 0;
    for (target, reader) in [
        (
            "kobo_csv",
            (|b: &[u8]| kobo::read_csv("seed.csv", b).map(|s| s.keys.len()))
                as fn(&[u8]) -> Result<usize, sankore_formats::submissions::SubmissionError>,
        ),
        ("kobo_xlsx", |b| {
            kobo::read_xlsx("seed.xlsx", b).map(|s| s.keys.len())
        }),
        ("odk_zip", |b| {
            odk::read_zip("seed.zip", b, &ArchiveLimits::default()).map(|s| s.keys.len())
        }),
    ] {
        let seeds = corpus(target);
        assert!(!seeds.is_empty(), "{target}");
        for (path, bytes) in &seeds {
            match reader(bytes) {
                Ok(keys) => {
                    assert!(keys > 0, "{}", path.display());
                    read += 1;
                }
                Err(e) => assert!(
                    e.to_string().starts_with("seed."),
                    "{}: {e}",
                    path.display()
                ),
            }
        }
    }
    assert!(read >= 4, "the seeds include valid exports");
    for (path, bytes) in corpus("mapping") {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Mapping::parse(&path.display().to_string(), &text);
    }
}
