//! `sankore xlsform check`, `import xlsform` and `export xlsform` through the
//! real binary, on a real encrypted demo workspace, with PyPI's pyxform
//! converting what Sankore exports.

mod support;

use sankore_formats::xlsform::{self, FileKind, ReadOptions};
use std::path::Path;
use support::{fresh_demo, in_workspace, sankore, with_passphrase};

fn out(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let o = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn check_needs_no_workspace_and_names_the_fault() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let good = write(
        tmp.path(),
        "menage.md",
        "| survey |\n| | type | name | label::Français (fr) | label::English (en) |\n\
         | | begin_group | hh | Ménage | Household |\n\
         | | integer | size | Taille | Size |\n\
         | | begin_repeat | member | Membre | Member |\n\
         | | select_one sex | sex | Sexe | Sex |\n\
         | | end_repeat | | | |\n| | end_group | | | |\n\
         | choices |\n| | list_name | name | label::Français (fr) | label::English (en) |\n\
         | | sex | f | Femme | Woman |\n| | sex | m | Homme | Man |\n\
         | settings |\n| | form_id | default_language |\n| | menage | Français (fr) |\n",
    );
    let (code, stdout, _) = out(sankore().args(["xlsform", "check"]).arg(&good));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "form \"menage\" accepted: 2 questions, 1 group, 1 repeat, 1 choice list, languages fr, en\n"
    );
    let (code, stdout, _) = out(sankore()
        .args(["--lang", "fr", "xlsform", "check"])
        .arg(&good));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "formulaire « menage » accepté : 2 questions, 1 groupe, 1 répétition, 1 liste de choix, langues fr, en\n"
    );
    let (code, stdout, _) = out(sankore()
        .args(["xlsform", "check", "--format", "json"])
        .arg(&good));
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    assert_eq!(json["accepted"], true);
    assert_eq!(json["repeats"], 1);

    let bad = write(
        tmp.path(),
        "bad.md",
        "| survey |\n| | type | name | label |\n| | text | a | A |\n| | slect_one yn | b | B |\n",
    );
    let (code, stdout, stderr) = out(sankore().args(["xlsform", "check"]).arg(&bad));
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.ends_with(
            "refused: survey sheet, row 3, column \"type\": unknown question type \"slect_one yn\"\n"
        ),
        "{stderr}"
    );
    let (code, stdout, _) = out(sankore()
        .args(["xlsform", "check", "--format", "json"])
        .arg(&bad));
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    assert_eq!(json["error"]["row"], 3);
    assert_eq!(json["error"]["column"], "type");

    let truncated = tmp.path().join("cut.xlsx");
    let bytes = xlsform::write_xlsx(
        &xlsform::read(
            &std::fs::read(&good).unwrap_or_default(),
            FileKind::Markdown,
            &ReadOptions::new("menage"),
        )
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let (code, _, stderr) = out(sankore().args(["xlsform", "check"]).arg(&truncated));
    assert_eq!(code, 1);
    assert!(stderr.contains("not a readable XLSX workbook"), "{stderr}");

    let (code, _, stderr) = out(sankore().args(["xlsform", "check", "form.txt"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("not an XLSForm file name"), "{stderr}");

    // In JSON, a file that cannot be read is refused in the same shape.
    for (file, reason) in [
        ("form.txt", "not an XLSForm file name"),
        ("missing.xlsx", "cannot read"),
    ] {
        let (code, stdout, _) = out(sankore().args(["xlsform", "check", file, "--format", "json"]));
        assert_eq!(code, 1);
        let value: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!(value["accepted"], false, "{stdout}");
        assert!(value["error"]["sheet"].is_null() && value["error"]["row"].is_null());
        let message = value["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{stdout}");
    }
}

#[test]
fn import_and_export_through_a_workspace() {
    let (tmp, ws) = fresh_demo();

    let records = sankore_demo::reference_study();
    let guide = sankore_demo::interview_guide(&records).unwrap_or_else(|e| panic!("{e}"));
    let file = tmp.path().join("guide-entretien.xlsx");
    std::fs::write(
        &file,
        xlsform::write_xlsx(&guide).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let import = |file: &Path| out(in_workspace(&ws, &["import", "xlsform"]).arg(file));
    let (code, stdout, stderr) = import(&file);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "Imported: form \"guide-entretien\" (new), 23 questions, 7 groups, 1 repeat, 4 choice lists, languages fr, en; 14 questions linked to research questions\n"
    );
    let (_, stdout, _) = import(&file);
    assert!(stdout.contains("(unchanged)"), "{stdout}");

    // A link to a research question the study lacks: refused, nothing changes.
    let wrong = write(
        tmp.path(),
        "wrong.md",
        "| survey |\n| | type | name | label | rq |\n| | text | q | Q | 9 |\n| settings |\n| | form_id |\n| | wrong |\n",
    );
    let (code, _, stderr) = out(with_passphrase(sankore())
        .args(["import", "xlsform"])
        .arg(&wrong)
        .args(["--research-question-column", "rq", "--workspace"])
        .arg(&ws));
    assert_eq!(code, 1);
    assert!(stderr.contains("no research question 9"), "{stderr}");
    // A refused form: nothing changes either.
    let broken = write(
        tmp.path(),
        "broken.md",
        "| survey |\n| | type | name | label | relevant |\n| | text | q | Q | ${nope} |\n",
    );
    let (code, _, stderr) = import(&broken);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("survey sheet, row 2, column \"relevant\": ${nope} names no question"),
        "{stderr}"
    );

    // The column can be named; links land in the store.
    let linked = write(
        tmp.path(),
        "linked.md",
        "| survey |\n| | type | name | label | rq |\n| | text | q | Q | 2, 5 |\n| settings |\n| | form_id |\n| | linked |\n",
    );
    let (code, _, stderr) = out(with_passphrase(sankore())
        .args(["import", "xlsform"])
        .arg(&linked)
        .args(["--research-question-column", "rq", "--workspace"])
        .arg(&ws));
    assert_eq!(code, 0, "{stderr}");

    let list = || out(&mut in_workspace(&ws, &["xlsform", "list"])).1;
    assert_eq!(
        list(),
        "guide-entretien\t2017-04-01\tGuide d'entretien individuel — Tombouctou 2017\t14 questions linked to research questions\n\
         linked\t-\tlinked\t1 question linked to research questions\n"
    );
    let link = |numbers: &[&str]| {
        out(in_workspace(
            &ws,
            &[
                "xlsform",
                "link",
                "--instrument",
                "guide-entretien",
                "--question",
                "age",
            ],
        )
        .arg("--research-questions")
        .args(numbers))
    };
    assert_eq!(link(&["1,3"]).0, 0);
    assert!(list().contains("\t15 questions linked"));
    let (code, _, stderr) = link(&["9"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no research question 9"), "{stderr}");
    assert_eq!(link(&[]).0, 0);
    assert!(list().contains("\t14 questions linked"));

    let export = |key: &str, to: &Path| {
        out(with_passphrase(sankore())
            .args(["export", "xlsform", "--instrument", key, "--workspace"])
            .arg(&ws)
            .arg("--out")
            .arg(to))
    };
    let (code, _, stderr) = export("wrong", &tmp.path().join("x.xlsx"));
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "no instrument wrong in this workspace (instruments: guide-entretien, linked)"
        ),
        "{stderr}"
    );
    let back_file = tmp.path().join("back.xlsx");
    let (code, _, stderr) = export("guide-entretien", &back_file);
    assert_eq!(code, 0, "{stderr}");
    let back = xlsform::read(
        &std::fs::read(&back_file).unwrap_or_default(),
        FileKind::Xlsx,
        &ReadOptions::new("x"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, guide);
    let linked_file = tmp.path().join("linked-back.xlsx");
    export("linked", &linked_file);
    let linked_back = xlsform::read(
        &std::fs::read(&linked_file).unwrap_or_default(),
        FileKind::Xlsx,
        &ReadOptions::new("x"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        linked_back
            .question("q")
            .map(|q| q.question.research_questions.clone()),
        Some(vec![2, 5])
    );

    // pyxform converts the export.
    let xml = tmp.path().join("back.xml");
    let converted = std::process::Command::new("python3")
        .args(["-m", "pyxform.xls2xform"])
        .arg(&back_file)
        .arg(&xml)
        .output()
        .unwrap_or_else(|e| panic!("python3 -m pyxform.xls2xform (pip install pyxform): {e}"));
    assert!(converted.status.success(), "{converted:?}");
    assert!(xml.is_file());

    let (_, stdout, _) = out(&mut in_workspace(
        &ws,
        &["audit", "show", "--format", "json"],
    ));
    let entries: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    let targets: Vec<(String, String)> = entries
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| {
                    e["target"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("instrument"))
                })
                .map(|e| {
                    (
                        e["action"].as_str().unwrap_or_default().to_owned(),
                        e["target"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        targets,
        [
            ("import", "instrument guide-entretien"),
            ("import", "instrument guide-entretien"),
            ("import", "instrument linked"),
            ("export", "instrument guide-entretien"),
            ("export", "instrument linked"),
        ]
        .map(|(a, t)| (a.to_owned(), t.to_owned()))
    );
}
