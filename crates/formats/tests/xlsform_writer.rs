//! The XLSForm writer: its `.xlsx` reads back into the same instrument and
//! PyPI's pyxform (the reference converter, installed by `scripts/test.sh`)
//! converts it without error.

mod common;
use std::path::PathBuf;
use std::process::Command;

use sankore_domain::instrument::Instrument;
use sankore_formats::xlsform::{self, FileKind, ReadOptions, write_xlsx};

fn round_trip(form: &Instrument) -> Result<Instrument, String> {
    let bytes = write_xlsx(form).map_err(|e| e.to_string())?;
    xlsform::read(&bytes, FileKind::Xlsx, &ReadOptions::new("unused")).map_err(|e| e.to_string())
}

#[test]
fn interview_guide_round_trips_and_pyxform_converts_it() -> Result<(), Box<dyn std::error::Error>> {
    let records = sankore_demo::reference_study();
    let guide = sankore_demo::interview_guide(&records)?;
    assert_eq!(guide.key(), "guide-entretien");
    assert_eq!(guide.languages(), ["Français (fr)", "English (en)"]);
    let back = round_trip(&guide)?;
    assert_eq!(back, guide);
    let links: Vec<(String, Vec<u8>)> = back
        .questions()
        .iter()
        .filter(|q| !q.question.research_questions.is_empty())
        .map(|q| {
            (
                q.question.name.clone(),
                q.question.research_questions.clone(),
            )
        })
        .collect();
    assert_eq!(links.len(), 14, "{links:?}");
    assert!(links.contains(&("recruitment_place".to_owned(), vec![2, 4])));

    let dir = tempfile::tempdir()?;
    let xlsx = dir.path().join("guide-entretien.xlsx");
    let xml = dir.path().join("guide-entretien.xml");
    std::fs::write(&xlsx, write_xlsx(&guide)?)?;
    let out = Command::new("python3")
        .args(["-m", "pyxform.xls2xform"])
        .arg(&xlsx)
        .arg(&xml)
        .output()
        .map_err(|e| {
            format!("xls2xform (python3 -m pyxform.xls2xform; pip install pyxform) cannot run: {e}")
        })?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.contains("Conversion complete"),
        "pyxform refused the guide: {said}"
    );
    let xform = std::fs::read_to_string(&xml)?;
    for node in [
        "<rq1/>",
        "<recruitment_how/>",
        "<participant_code/>",
        "jr:template",
    ] {
        assert!(xform.contains(node), "{node} missing from the XForm");
    }
    assert!(xform.contains("lang=\"English (en)\"") && xform.contains("lang=\"Français (fr)\""));
    Ok(())
}

fn corpus() -> Option<PathBuf> {
    common::xlsform_corpus()
}

#[test]
fn conformance_forms_round_trip_through_the_writer_and_pyxform()
-> Result<(), Box<dyn std::error::Error>> {
    let Some(root) = corpus() else {
        eprintln!("skipped: ../shared/conformance/xlsform is not next to the repository");
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let mut written = 0;
    for line in std::fs::read_to_string(root.join("cases.jsonl"))?.lines() {
        let case: serde_json::Value = serde_json::from_str(line)?;
        let (Some(id), Some("md"), Some("xform")) = (
            case["id"].as_str(),
            case["format"].as_str(),
            case["expect"].as_str(),
        ) else {
            continue;
        };
        let path = if id.contains('.') {
            root.join("spreadsheets").join(id)
        } else {
            root.join("forms").join(format!("{id}.md"))
        };
        let text = std::fs::read_to_string(path)?;
        // the few forms Sankore refuses are listed in docs/conformance.md
        let Ok(form) = xlsform::read(
            text.as_bytes(),
            FileKind::Markdown,
            &ReadOptions::new("data"),
        ) else {
            continue;
        };
        let back = round_trip(&form).map_err(|e| format!("{id}: {e}"))?;
        assert_eq!(back, form, "{id} changed through the writer");
        let stem = id.trim_end_matches(".md");
        std::fs::write(dir.path().join(format!("{stem}.xlsx")), write_xlsx(&form)?)?;
        written += 1;
    }
    assert!(written > 500, "only {written} forms written");
    // One Python process converts every file (a process per form would take minutes).
    let script = "import glob, os, sys\n\
        from pyxform.xls2xform import convert\n\
        bad = 0\n\
        for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.xlsx'))):\n\
        \x20   try:\n\
        \x20       convert(xlsform=f)\n\
        \x20   except Exception as e:\n\
        \x20       bad += 1\n\
        \x20       print('REFUSED', os.path.basename(f), str(e).replace('\\n', ' ')[:300])\n\
        print('converted', len(glob.glob(os.path.join(sys.argv[1], '*.xlsx'))) - bad, 'refused', bad)\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir.path())
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!(
        "{written} conformance forms written; pyxform: {}",
        stdout.lines().last().unwrap_or("")
    );
    assert!(
        out.status.success(),
        "pyxform did not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refused: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("REFUSED"))
        .collect();
    assert!(
        refused.is_empty(),
        "pyxform refused written forms: {refused:#?}"
    );
    Ok(())
}
