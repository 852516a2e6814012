//! Field data through the real binary: KoBoToolbox and ODK Central exports
//! (written here to the documented layouts) imported into real encrypted
//! workspaces, linked through a mapping, exported again with values and
//! labels; bad input refused with a precise error and the workspace left
//! byte for byte as it was; an ODK Central pull from a local stub server.

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use support::fielddata::{
    JSON, MAPPING, SUBS, Sub, csv_rows, gps_parts, import_args, json, kobo_csv, quoted, run,
    stderr, stdout, write_form,
};
use support::{fresh_demo, sankore, with_passphrase};

/// A KoBoToolbox XLSX export: the submissions sheet (named after the
/// form's title), one sheet per repeat linked by `_index` /
/// `_parent_table_name` / `_parent_index`, the tool's meta columns.
fn kobo_xlsx(subs: &[Sub]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    // KoBoToolbox names the sheet after the form's title, cut to Excel's 31
    // characters as formpack cuts it (28 and "..."), and writes the whole
    // title in `_parent_table_name`.
    let title = "Diagnostic participatif – enquête ménages Tombouctou";
    let main_name: String = title.chars().take(28).chain("...".chars()).collect();
    let headers = [
        "resp/code",
        "resp/gender",
        "resp/age",
        "resp/grp",
        "resp/commune",
        "resp/day",
        "resp/gps",
        "resp/_gps_latitude",
        "resp/_gps_longitude",
        "resp/_gps_altitude",
        "resp/_gps_precision",
        "story",
        "reasons",
        "reasons/jobs",
        "reasons/justice",
        "reasons/faith",
        "reasons/other",
        "reasons_other",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
    ];
    let sheet = book.add_worksheet();
    sheet.set_name(&main_name).unwrap_or_else(|e| panic!("{e}"));
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let at = |header: &str| {
        headers
            .iter()
            .position(|h| *h == header)
            .unwrap_or_else(|| panic!("no column {header}")) as u16
    };
    for (i, s) in subs.iter().enumerate() {
        let row = (i + 1) as u32;
        let split = |c: &str| {
            if s.reasons.split(' ').any(|r| r == c) {
                1.0
            } else {
                0.0
            }
        };
        let [lat, lon, alt, acc] = gps_parts(s.gps);
        let strings = [
            ("resp/code", s.code),
            ("resp/gender", s.gender),
            ("resp/grp", "youth"),
            ("resp/commune", "tbk1"),
            ("resp/day", "2017-05-02"),
            ("resp/gps", s.gps),
            ("story", s.story),
            ("reasons", s.reasons),
            ("reasons_other", s.other),
            ("_uuid", s.uuid),
            ("_submission_time", "2017-05-02T18:20:11"),
            ("_status", "submitted_via_web"),
        ];
        for (c, v) in strings {
            sheet
                .write_string(row, at(c), v)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let mut numbers = vec![
            ("resp/age", s.age.parse::<f64>().unwrap_or_default()),
            ("reasons/jobs", split("jobs")),
            ("reasons/justice", split("justice")),
            ("reasons/faith", split("faith")),
            ("reasons/other", split("other")),
            ("_id", 1000.0 + i as f64),
            ("_index", (i + 1) as f64),
        ];
        for (c, v) in [
            ("resp/_gps_latitude", lat),
            ("resp/_gps_longitude", lon),
            ("resp/_gps_altitude", alt),
            ("resp/_gps_precision", acc),
        ] {
            if let Ok(v) = v.parse::<f64>() {
                numbers.push((c, v));
            }
        }
        for (c, v) in numbers {
            sheet
                .write_number(row, at(c), v)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let member = book.add_worksheet();
    member.set_name("member").unwrap_or_else(|e| panic!("{e}"));
    let headers = [
        "member/m_age",
        "member/m_sex",
        "_index",
        "_parent_table_name",
        "_parent_index",
        "_submission__id",
        "_submission__uuid",
        "_submission__submission_time",
    ];
    for (c, h) in headers.iter().enumerate() {
        member
            .write_string(0, c as u16, *h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut row = 1;
    for (i, s) in subs.iter().enumerate() {
        for (age, sex) in s.members {
            member
                .write_number(row, 0, age.parse::<f64>().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
            member
                .write_string(row, 1, *sex)
                .unwrap_or_else(|e| panic!("{e}"));
            member
                .write_number(row, 2, f64::from(row))
                .unwrap_or_else(|e| panic!("{e}"));
            member
                .write_string(row, 3, title)
                .unwrap_or_else(|e| panic!("{e}"));
            member
                .write_number(row, 4, (i + 1) as f64)
                .unwrap_or_else(|e| panic!("{e}"));
            member
                .write_number(row, 5, 1000.0 + i as f64)
                .unwrap_or_else(|e| panic!("{e}"));
            member
                .write_string(row, 6, s.uuid)
                .unwrap_or_else(|e| panic!("{e}"));
            row += 1;
        }
    }
    book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
}

/// An ODK Central `submissions.csv.zip`: `enquete.csv` (groups joined by
/// `-`, a geopoint only as its four parts, `KEY` the instance ID) and
/// `enquete-member.csv` linked by `PARENT_KEY`.
fn odk_zip(subs: &[Sub]) -> Vec<u8> {
    odk_zip_reviewed(subs, &[])
}

/// [`odk_zip`] with the `ReviewState` of the `rejected` submissions (by
/// uuid) set to `rejected`.
fn odk_zip_reviewed(subs: &[Sub], rejected: &[&str]) -> Vec<u8> {
    let mut main = quoted(
        &[
            "SubmissionDate",
            "resp-code",
            "resp-gender",
            "resp-age",
            "resp-grp",
            "resp-commune",
            "resp-day",
            "resp-gps-Latitude",
            "resp-gps-Longitude",
            "resp-gps-Altitude",
            "resp-gps-Accuracy",
            "story",
            "reasons",
            "reasons_other",
            "meta-instanceID",
            "KEY",
            "SubmitterID",
            "SubmitterName",
            "AttachmentsPresent",
            "AttachmentsExpected",
            "Status",
            "ReviewState",
            "DeviceID",
            "Edits",
            "FormVersion",
        ],
        ',',
    );
    let mut members = quoted(&["m_age", "m_sex", "PARENT_KEY", "KEY"], ',');
    for s in subs {
        let key = format!("uuid:{}", s.uuid);
        let review = if rejected.contains(&s.uuid) {
            "rejected"
        } else {
            "approved"
        };
        let [lat, lon, alt, acc] = gps_parts(s.gps);
        main.push_str(&quoted(
            &[
                "2017-05-02T18:20:11.000Z",
                s.code,
                s.gender,
                s.age,
                "youth",
                "tbk1",
                "2017-05-02",
                lat,
                lon,
                alt,
                acc,
                s.story,
                s.reasons,
                s.other,
                &key,
                &key,
                "5",
                "enqueteur",
                "0",
                "0",
                "",
                review,
                "",
                "0",
                "1",
            ],
            ',',
        ));
        for (n, (age, sex)) in s.members.iter().enumerate() {
            let child = format!("{key}/member[{}]", n + 1);
            members.push_str(&quoted(&[age, sex, &key, &child], ','));
        }
    }
    zip_of(&[
        ("enquete.csv", main.as_bytes()),
        ("enquete-member.csv", members.as_bytes()),
    ])
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options)
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

/// A new empty workspace whose study covers the fixtures' dates.
fn workspace(root: &Path) -> PathBuf {
    let dir = root.join("ws");
    with_passphrase(sankore())
        .args([
            "init",
            "--name",
            "Enquête",
            "--start",
            "2017-04-01",
            "--end",
            "2017-07-01",
        ])
        .arg(&dir)
        .assert()
        .success();
    dir
}

/// Every file of the workspace, by name, byte for byte.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| {
            let e = e.unwrap_or_else(|e| panic!("{e}"));
            let bytes = std::fs::read(e.path()).unwrap_or_else(|e| panic!("{e}"));
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let c = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[c].clone()).collect()
}

/// Checks the exported responses against the fixtures: every value, and
/// every label in French.
fn check_exports(dir: &Path, root: &Path) {
    let out = root.join("responses.csv");
    let (sps, stata) = (root.join("responses.sps"), root.join("responses.do"));
    let exported = run(
        &[
            "export",
            "responses",
            "--out",
            out.to_str().unwrap_or_default(),
            "--spss",
            sps.to_str().unwrap_or_default(),
            "--stata",
            stata.to_str().unwrap_or_default(),
        ],
        dir,
    )
    .success();
    // The repeat table gets its own syntax files, with its value labels.
    let member_sps = std::fs::read_to_string(root.join("responses-member.sps")).unwrap_or_default();
    assert!(
        member_sps.contains("/FILE='responses-member.csv'")
            && member_sps.contains("  member_m_sex\n    'f' 'Woman'"),
        "{member_sps}"
    );
    let member_do = std::fs::read_to_string(root.join("responses-member.do")).unwrap_or_default();
    assert!(
        member_do.contains("label values member_m_sex member_m_sex"),
        "{member_do}"
    );
    // The answers that hold line breaks are pointed out to SPSS users.
    assert!(stderr(&exported).contains("SPSS reads as new cases"));
    // Each file written, with its own number of rows.
    let said = stderr(&exported);
    let members: usize = SUBS.iter().map(|s| s.members.len()).sum();
    let member_file = root.join("responses-member.csv");
    assert!(
        said.contains(&format!(": {} -> {}\n", SUBS.len(), out.display())),
        "{said}"
    );
    assert!(
        said.contains(&format!(": {members} -> {}\n", member_file.display())),
        "{said}"
    );
    let main = csv_rows(&std::fs::read_to_string(&out).unwrap_or_default());
    assert_eq!(
        column(&main, "_uuid"),
        SUBS.iter().map(|s| s.uuid).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "resp/code"),
        SUBS.iter().map(|s| s.code).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "resp/gender"),
        SUBS.iter().map(|s| s.gender).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "resp/age"),
        SUBS.iter().map(|s| s.age).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "story"),
        SUBS.iter().map(|s| s.story).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "reasons"),
        SUBS.iter().map(|s| s.reasons).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "reasons_other"),
        SUBS.iter().map(|s| s.other).collect::<Vec<_>>()
    );
    assert_eq!(
        column(&main, "resp/gps"),
        SUBS.iter().map(|s| s.gps).collect::<Vec<_>>()
    );
    assert_eq!(column(&main, "resp/day"), ["2017-05-02", "2017-05-02"]);
    let members =
        csv_rows(&std::fs::read_to_string(root.join("responses-member.csv")).unwrap_or_default());
    let expected: Vec<(String, String, String)> = SUBS
        .iter()
        .flat_map(|s| {
            s.members
                .iter()
                .map(|(a, x)| (a.to_string(), x.to_string(), s.uuid.to_owned()))
        })
        .collect();
    let got: Vec<(String, String, String)> = column(&members, "member/m_age")
        .into_iter()
        .zip(column(&members, "member/m_sex"))
        .zip(column(&members, "_submission__uuid"))
        .map(|((a, b), c)| (a, b, c))
        .collect();
    assert_eq!(got, expected);

    let labelled = stdout(&run(&["export", "responses", "--labels", "fr"], dir).success());
    let labelled = csv_rows(&labelled);
    assert_eq!(column(&labelled, "Sexe"), ["Femme", "Homme"]);
    assert_eq!(
        column(&labelled, "Raisons"),
        ["Emploi Foi other", "Justice"]
    );
    assert_eq!(column(&labelled, "Raisons_other"), ["la pêche", ""]);
    assert_eq!(column(&labelled, "Groupe"), ["Jeunes", "Jeunes"]);
    let english = csv_rows(&stdout(
        &run(&["export", "responses", "--labels", "en", "--split"], dir).success(),
    ));
    assert_eq!(column(&english, "Sex"), ["Woman", "Man"]);
    assert_eq!(column(&english, "Reasons/Faith"), ["1", "0"]);
}

#[test]
fn kobo_xlsx_with_a_repeat_round_trips_and_reimports_idempotently() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let data = root.path().join("kobo.xlsx");
    std::fs::write(&data, kobo_xlsx(&SUBS)).unwrap_or_else(|e| panic!("{e}"));
    let args = import_args("kobo", form.to_str().unwrap_or_default(), &data, JSON);
    let first = json(&run(&args, &dir).success());
    assert_eq!(
        (first["new"].as_u64(), first["unchanged"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(first["origin"], "kobo-xlsx");
    check_exports(&dir, root.path());

    // The same export again: nothing new.
    let again = json(&run(&args, &dir).success());
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    // Sankore's own XLSX export, with labels as headers and values (choice
    // labels joined by spaces), imports back as the same submissions.
    for (labels, split) in [("fr", false), ("en", true)] {
        let labelled = root.path().join(format!("labels-{labels}.xlsx"));
        let mut export = vec![
            "export",
            "responses",
            "--format",
            "xlsx",
            "--labels",
            labels,
            "--out",
            labelled.to_str().unwrap_or_default(),
        ];
        if split {
            export.push("--split");
        }
        run(&export, &dir).success();
        let back = json(&run(&import_args("kobo", "enquete", &labelled, JSON), &dir).success());
        assert_eq!(
            (
                back["new"].as_u64(),
                back["unchanged"].as_u64(),
                back["changed"].clone()
            ),
            (Some(0), Some(2), serde_json::json!([])),
            "{labels} {split}: {back}"
        );
    }
    // The same submissions as CSV: unchanged too (same answers).
    let csv_data = root.path().join("kobo.csv");
    std::fs::write(&csv_data, kobo_csv(&SUBS)).unwrap_or_else(|e| panic!("{e}"));
    // The CSV export carries no repeat sheet: the first submission's
    // members are missing, so it counts as changed.
    let csv_args = import_args("kobo", "enquete", &csv_data, JSON);
    let from_csv = json(&run(&csv_args, &dir).success());
    assert_eq!(from_csv["unchanged"].as_u64(), Some(1));
    assert_eq!(from_csv["changed"], serde_json::json!([SUBS[0].uuid]));

    // A grown export: one new submission, one changed.
    let grown = [
        Sub {
            story: "Texte corrigé après coup.",
            ..SUBS[0]
        },
        Sub { ..SUBS[1] },
        Sub {
            uuid: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            code: "TBK-K-003",
            members: &[("7", "f")],
            ..SUBS[1]
        },
    ];
    std::fs::write(&data, kobo_xlsx(&grown)).unwrap_or_else(|e| panic!("{e}"));
    let third = run(&args[..args.len() - 2], &dir).success();
    assert_eq!(
        stdout(&third).trim(),
        "Responses imported: 1 new submissions, 1 unchanged submissions, 1 changed since the first import (first version kept), 0 submissions refused; 0 participants, 0 sessions, 0 documents"
    );
    assert!(stderr(&third).contains(SUBS[0].uuid));
    let all = csv_rows(&stdout(&run(&["export", "responses"], &dir).success()));
    assert_eq!(
        column(&all, "story")[0],
        SUBS[0].story,
        "the first version is kept"
    );
    assert_eq!(all.len(), 4);
    let audit = stdout(&run(&["audit", "show", "--format", "json"], &dir).success());
    assert!(audit.matches("\"import\"").count() >= 4, "{audit}");
    assert!(audit.contains("\"export\""), "{audit}");
}

#[test]
fn odk_central_zip_round_trips() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let data = root.path().join("submissions.csv.zip");
    std::fs::write(&data, odk_zip(&SUBS)).unwrap_or_else(|e| panic!("{e}"));
    let summary = json(
        &run(
            &import_args("odk", form.to_str().unwrap_or_default(), &data, JSON),
            &dir,
        )
        .success(),
    );
    assert_eq!(summary["new"].as_u64(), Some(2));
    assert_eq!(summary["origin"], "odk-zip");
    check_exports(&dir, root.path());
}

/// Runs an import that must be refused; checks the message and that the
/// workspace did not change by a byte.
fn refused(root: &Path, dir: &Path, kind: &str, name: &str, bytes: &[u8], expected: &str) {
    let form = root.join("enquete.xlsx");
    let data = root.join(name);
    std::fs::write(&data, bytes).unwrap_or_else(|e| panic!("{e}"));
    let before = files(dir);
    let assert = run(
        &import_args(kind, form.to_str().unwrap_or_default(), &data, &[]),
        dir,
    )
    .failure();
    let message = stderr(&assert);
    assert!(
        message.contains(expected),
        "{name}: expected {expected:?} in {message:?}"
    );
    assert!(
        message.starts_with("sankore: error: import refused, nothing was written: "),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(files(dir) == before, "{name}: the workspace changed");
}

/// An import killed mid-way (the process gone, as in a power cut) leaves
/// nothing of itself in the workspace: its new pages were still in memory
/// and the database file untouched, so the rollback journal it leaves
/// behind is not even needed, and the next command's open removes it; the
/// next commands work and the same export then imports whole.
#[test]
fn an_import_killed_mid_way_keeps_nothing() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    // Enough submissions for the transaction to stay open a while.
    let rows = 50_000;
    let mut csv = kobo_csv(&[]);
    for i in 0..rows {
        let (id, index) = ((1000 + i).to_string(), (i + 1).to_string());
        let uuid = format!("00000000-0000-4000-8000-{i:012}");
        csv.push_str(&quoted(
            &[
                "TBK-K-001",
                "f",
                "23",
                "youth",
                "tbk1",
                "2017-05-02",
                "16.7735 -3.0074 263 4.5",
                "16.7735",
                "-3.0074",
                "263",
                "4.5",
                "Les jeunes partent.",
                "jobs",
                "",
                &id,
                &uuid,
                "2017-05-02T18:20:11",
                "",
                &index,
            ],
            ';',
        ));
    }
    let data = root.path().join("large.csv");
    std::fs::write(&data, csv).unwrap_or_else(|e| panic!("{e}"));
    let args = import_args("kobo", form.to_str().unwrap_or_default(), &data, JSON);
    let journal = dir.join("sankore.db-journal");
    let mut import = std::process::Command::new(assert_cmd::cargo::cargo_bin("sankore"))
        .args(&args)
        .arg("--workspace")
        .arg(&dir)
        .env("SANKORE_PASSPHRASE", support::PASSPHRASE)
        .env("LANG", "C")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    while !journal.exists() {
        let finished = import.try_wait().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            finished.is_none(),
            "the import ended before it was seen writing"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(120));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    import.kill().unwrap_or_else(|e| panic!("{e}"));
    import.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(journal.exists(), "the import was killed before its commit");

    run(&["check"], &dir).success();
    assert!(!journal.exists(), "the next open removes the stale journal");
    // None of the killed import's submissions were kept.
    let whole = json(&run(&args, &dir).success());
    assert_eq!(
        (whole["new"].as_u64(), whole["unchanged"].as_u64()),
        (Some(rows as u64), Some(0))
    );
    assert!(!journal.exists());
}

#[test]
fn bad_input_is_refused_precisely_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    write_form(root.path());
    // Something in the workspace already, so "unchanged" means something.
    std::fs::write(root.path().join("ok.csv"), kobo_csv(&SUBS[1..]))
        .unwrap_or_else(|e| panic!("{e}"));
    run(
        &[
            "import",
            "kobo",
            "--form",
            root.path()
                .join("enquete.xlsx")
                .to_str()
                .unwrap_or_default(),
            "--data",
            root.path().join("ok.csv").to_str().unwrap_or_default(),
        ],
        &dir,
    )
    .success();
    let r = root.path();
    let csv = kobo_csv(&SUBS);

    refused(
        r,
        &dir,
        "kobo",
        "commas.csv",
        csv.replace("\";\"", "\",\"").as_bytes(),
        "commas.csv: the header line is split by ',' into 19 columns, not by ';'",
    );
    let mut latin = csv.clone().into_bytes();
    latin.extend_from_slice(b"\"\x81\";\"\"");
    refused(
        r,
        &dir,
        "kobo",
        "mixed.csv",
        &latin,
        "mixed.csv, line 5, column 2: invalid UTF-8 in a file that is otherwise UTF-8 (mixed encodings)",
    );
    let undefined = kobo_csv(&SUBS[1..]).replace("Les jeunes", "Les \u{81}jeunes");
    let undefined: Vec<u8> = undefined
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    refused(
        r,
        &dir,
        "kobo",
        "undefined.csv",
        &undefined,
        "undefined.csv, line 2, column 70: neither UTF-8 nor Windows-1252 (byte 0x81)",
    );
    refused(
        r,
        &dir,
        "kobo",
        "unknown.csv",
        csv.replacen("\"story\"", "\"histoire\"", 1).as_bytes(),
        "unknown.csv: column \"histoire\" is not a question of the form",
    );
    refused(
        r,
        &dir,
        "kobo",
        "choice.csv",
        csv.replacen("\"f\"", "\"z\"", 1).as_bytes(),
        "choice.csv, line 2, column \"resp/gender\": value \"z\" is not a choice of list \"gender\"",
    );
    refused(
        r,
        &dir,
        "kobo",
        "dup.csv",
        csv.replace(SUBS[1].uuid, SUBS[0].uuid).as_bytes(),
        &format!(
            "dup.csv, line 4, column \"_uuid\": key {} appears twice (first at line 2)",
            SUBS[0].uuid
        ),
    );
    let xlsx = kobo_xlsx(&SUBS);
    refused(
        r,
        &dir,
        "kobo",
        "truncated.xlsx",
        &xlsx[..xlsx.len() / 2],
        "truncated.xlsx: not a readable XLSX workbook (truncated or damaged?)",
    );

    // A repeat row whose parent is not in the export.
    let orphan = {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(odk_zip(&SUBS)))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut main = String::new();
        zip.by_name("enquete.csv")
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut main)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut members = String::new();
        zip.by_name("enquete-member.csv")
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut members)
            .unwrap_or_else(|e| panic!("{e}"));
        let members = members.replacen(
            &format!("\"uuid:{}\",\"uuid", SUBS[0].uuid),
            "\"uuid:gone\",\"uuid",
            1,
        );
        zip_of(&[
            ("enquete.csv", main.as_bytes()),
            ("enquete-member.csv", members.as_bytes()),
        ])
    };
    refused(
        r,
        &dir,
        "odk",
        "orphan.zip",
        &orphan,
        "orphan.zip, entry \"enquete-member.csv\", line 2, column \"PARENT_KEY\": the parent uuid:gone of this repeat row is not in the export",
    );
    // `uuid:A` and `A` are the same submission once the scheme is gone.
    let twice = {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(odk_zip(&SUBS)))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut main = String::new();
        zip.by_name("enquete.csv")
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut main)
            .unwrap_or_else(|e| panic!("{e}"));
        let main = main.replace(&format!("uuid:{}", SUBS[1].uuid), SUBS[0].uuid);
        zip_of(&[("enquete.csv", main.as_bytes())])
    };
    refused(
        r,
        &dir,
        "odk",
        "twice.zip",
        &twice,
        &format!(
            "twice.zip, entry \"enquete.csv\", line 4, column \"KEY\": key {} appears twice (first at line 2)",
            SUBS[0].uuid
        ),
    );
    // A geopoint part without its latitude.
    let no_latitude = {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(odk_zip(&SUBS)))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut main = String::new();
        zip.by_name("enquete.csv")
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut main)
            .unwrap_or_else(|e| panic!("{e}"));
        let main = main.replace("\"16.7735\",\"-3.0074\"", "\"\",\"-3.0074\"");
        zip_of(&[("enquete.csv", main.as_bytes())])
    };
    refused(
        r,
        &dir,
        "odk",
        "no-latitude.zip",
        &no_latitude,
        "no-latitude.zip, entry \"enquete.csv\", line 2, column \"resp-gps-Longitude\": a geopoint part without its latitude",
    );
    let traversal = zip_of(&[("../enquete.csv", b"a,b\n")]);
    refused(
        r,
        &dir,
        "odk",
        "traversal.zip",
        &traversal,
        "traversal.zip: zip entry \"../enquete.csv\" has an unsafe path",
    );
    // 300 MB of zeros: past the entry limit, refused while expanding.
    let bomb = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("enquete.csv", options)
            .unwrap_or_else(|e| panic!("{e}"));
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..300 {
            zip.write_all(&zeros).unwrap_or_else(|e| panic!("{e}"));
        }
        zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    };
    refused(
        r,
        &dir,
        "odk",
        "bomb.zip",
        &bomb,
        "bomb.zip: zip entry \"enquete.csv\" expands",
    );
}

#[test]
fn windows_1252_is_detected_and_reported() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let text = kobo_csv(&SUBS[1..]).replace("Les jeunes partent.", "Ils sont partis à l'été.");
    let latin: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let data = root.path().join("latin.csv");
    std::fs::write(&data, latin).unwrap_or_else(|e| panic!("{e}"));
    let summary = json(
        &run(
            &import_args("kobo", form.to_str().unwrap_or_default(), &data, JSON),
            &dir,
        )
        .success(),
    );
    assert_eq!(summary["encoding"], "windows-1252");
    // The text summary says so, on standard error (standard output keeps
    // its one line).
    let again = run(&import_args("kobo", "enquete", &data, &[]), &dir).success();
    assert!(
        stderr(&again).contains("Windows-1252"),
        "{}",
        stderr(&again)
    );
    assert_eq!(stdout(&again).lines().count(), 1);
    let rows = csv_rows(&stdout(&run(&["export", "responses"], &dir).success()));
    assert_eq!(column(&rows, "story"), ["Ils sont partis à l'été."]);
    // With a byte-order mark: UTF-8.
    let bom = [&[0xEF, 0xBB, 0xBF][..], kobo_csv(&SUBS[..1]).as_bytes()].concat();
    std::fs::write(&data, bom).unwrap_or_else(|e| panic!("{e}"));
    let summary = json(&run(&import_args("kobo", "enquete", &data, JSON), &dir).success());
    assert_eq!(
        (summary["encoding"].as_str(), summary["new"].as_u64()),
        (Some("utf-8-bom"), Some(1))
    );
}

#[test]
fn a_mapping_links_participants_sessions_and_documents_in_one_transaction() {
    let (root, dir) = fresh_demo();
    let form = write_form(root.path());
    let data = root.path().join("kobo.xlsx");
    std::fs::write(&data, kobo_xlsx(&SUBS)).unwrap_or_else(|e| panic!("{e}"));
    let mapping = root.path().join("mapping.toml");

    // A value the mapping cannot place refuses the whole import.
    std::fs::write(
        &mapping,
        MAPPING.replace("tbk1 = \"TBK-01\"", "tbk1 = \"XX-99\""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = files(&dir);
    let args = import_args(
        "kobo",
        form.to_str().unwrap_or_default(),
        &data,
        &[
            "--mapping",
            mapping.to_str().unwrap_or_default(),
            "--format",
            "json",
        ],
    );
    let assert = run(&args, &dir).failure();
    assert!(
        stderr(&assert).contains("kobo.xlsx, sheet \"Diagnostic participatif – en...\", row 2, column \"/resp/commune\": not a place code of the study's gazetteer"),
        "{}",
        stderr(&assert)
    );
    assert!(files(&dir) == before, "the workspace changed");

    // A question listed twice in documents: refused with the mapping's
    // position, before the database is touched.
    std::fs::write(
        &mapping,
        MAPPING.replace(
            "documents = [\"story\"]",
            "documents = [\"story\", \"/story\"]",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let assert = run(&args, &dir).failure();
    assert!(
        stderr(&assert).contains(
            "mapping.toml: documents = \"/story\": the same question as \"story\", listed twice"
        ),
        "{}",
        stderr(&assert)
    );
    assert!(files(&dir) == before, "the workspace changed");

    std::fs::write(&mapping, MAPPING).unwrap_or_else(|e| panic!("{e}"));
    let summary = json(&run(&args, &dir).success());
    assert_eq!(summary["new"].as_u64(), Some(2));
    assert_eq!(summary["participants_created"].as_u64(), Some(2));
    assert_eq!(summary["sessions_created"].as_u64(), Some(2));
    assert_eq!(summary["documents_created"].as_u64(), Some(2));
    let people = csv_rows(&stdout(&run(&["export", "participants"], &dir).success()));
    let row = people
        .iter()
        .find(|r| r[0] == "TBK-K-001")
        .unwrap_or_else(|| panic!("no participant TBK-K-001"));
    assert_eq!(
        row[1..],
        ["female", "18-24", "youth-associations", "TBK-01", "given"]
    );
    let labelled = csv_rows(&stdout(
        &run(&["export", "participants", "--labels", "fr"], &dir).success(),
    ));
    assert!(
        labelled
            .iter()
            .any(|r| r[0] == "TBK-K-002" && r[1] == "Homme"),
        "{labelled:?}"
    );
    // Again: nothing new is created.
    let again = json(&run(&args, &dir).success());
    assert_eq!(
        (
            again["new"].as_u64(),
            again["participants_created"].as_u64()
        ),
        (Some(0), Some(0))
    );

    // A withdrawal takes TBK-K-002's submission out of every export; the
    // same export imported again skips it and does not recreate them.
    support::add_user(&dir, "coord", "coordinator", "coordinator password");
    let report = json(
        &support::in_workspace(
            &dir,
            &["participant", "withdraw", "TBK-K-002", "--user", "coord"],
        )
        .env("SANKORE_PASSWORD", "coordinator password")
        .assert()
        .success(),
    );
    assert_eq!(report["submissions_removed"].as_u64(), Some(1));
    let responses = stdout(&run(&["export", "responses"], &dir).success());
    assert_eq!(csv_rows(&responses).len(), 2, "{responses}");
    assert!(!responses.contains(SUBS[1].uuid), "{responses}");
    let after = json(&run(&args, &dir).success());
    assert_eq!(
        (
            after["new"].as_u64(),
            after["unchanged"].as_u64(),
            after["withdrawn"].as_u64(),
            after["participants_created"].as_u64()
        ),
        (Some(0), Some(1), Some(1), Some(0))
    );
    let text = stdout(&run(&args[..args.len() - 2], &dir).success());
    assert!(
        text.contains(", 1 of withdrawn participants, skipped;"),
        "{text}"
    );
    let people = stdout(&run(&["export", "participants"], &dir).success());
    assert!(!people.contains("TBK-K-002"), "{people}");
    run(&["check"], &dir).success();
}

#[test]
fn exports_of_codings_participants_and_matrix() {
    let (root, dir) = fresh_demo();
    let codings = csv_rows(&stdout(
        &run(&["export", "codings", "--hxl"], &dir).success(),
    ));
    assert_eq!(
        codings[0],
        [
            "document",
            "participant",
            "code",
            "code_name",
            "coder",
            "start",
            "end",
            "text"
        ]
    );
    assert_eq!(codings[1][0], "#meta+document");
    assert!(codings.len() > 100);
    assert!(
        codings[2..]
            .iter()
            .all(|r| !r[7].is_empty() && r[5].parse::<usize>().is_ok())
    );

    let out = root.path().join("people.csv");
    let sps = root.path().join("people.sps");
    let stata = root.path().join("people.do");
    run(
        &[
            "export",
            "participants",
            "--out",
            out.to_str().unwrap_or_default(),
            "--spss",
            sps.to_str().unwrap_or_default(),
            "--stata",
            stata.to_str().unwrap_or_default(),
            "--labels",
            "fr",
        ],
        &dir,
    )
    .success();
    let sps = std::fs::read_to_string(&sps).unwrap_or_default();
    assert!(
        sps.contains("/FILE='people.csv'")
            && sps.contains("VALUE LABELS\n  gender\n    'female' 'Femme'\n    'male' 'Homme'\n"),
        "{sps}"
    );
    let stata = std::fs::read_to_string(&stata).unwrap_or_default();
    assert!(stata.contains("label values gender gender\n"), "{stata}");
    // A syntax file elsewhere names the data relative to its own directory.
    let elsewhere = root.path().join("syntax");
    std::fs::create_dir_all(&elsewhere).unwrap_or_else(|e| panic!("{e}"));
    let far = elsewhere.join("people.do");
    run(
        &[
            "export",
            "participants",
            "--out",
            out.to_str().unwrap_or_default(),
            "--stata",
            far.to_str().unwrap_or_default(),
        ],
        &dir,
    )
    .success();
    let far = std::fs::read_to_string(&far).unwrap_or_default();
    assert!(far.contains("using `\"../people.csv\"', "), "{far}");
    // The data keeps codes for SPSS and Stata.
    let data = csv_rows(&std::fs::read_to_string(&out).unwrap_or_default());
    assert!(
        data[1..]
            .iter()
            .all(|r| ["female", "male", "unspecified"].contains(&r[1].as_str()))
    );

    let xlsx = root.path().join("matrix.xlsx");
    let (sps, stata) = (
        root.path().join("matrix.sps"),
        root.path().join("matrix.do"),
    );
    run(
        &[
            "export",
            "matrix",
            "--by",
            "gender",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap_or_default(),
            "--spss",
            sps.to_str().unwrap_or_default(),
            "--stata",
            stata.to_str().unwrap_or_default(),
        ],
        &dir,
    )
    .success();
    // With XLSX, the syntax files read the workbook's sheet.
    let sps = std::fs::read_to_string(&sps).unwrap_or_default();
    assert!(
        sps.contains("  /TYPE=XLSX\n  /FILE='matrix.xlsx'\n  /SHEET=NAME 'matrix'\n"),
        "{sps}"
    );
    let stata = std::fs::read_to_string(&stata).unwrap_or_default();
    assert!(
        stata.contains("import excel using `\"matrix.xlsx\"', sheet(`\"matrix\"') "),
        "{stata}"
    );
    assert!(std::fs::read(&xlsx).unwrap_or_default().starts_with(b"PK"));
    let open = csv_rows(&stdout(
        &run(&["export", "matrix", "--by", "group"], &dir).success(),
    ));
    let public = run(
        &["export", "matrix", "--by", "group", "--public", "--k", "5"],
        &dir,
    )
    .success();
    let hidden = csv_rows(&stdout(&public));
    assert!(
        stderr(&public).contains("cells left empty"),
        "{}",
        stderr(&public)
    );
    let mut emptied = 0;
    for (a, b) in open[1..].iter().zip(&hidden[1..]) {
        let small = |x: &String| (1..5).contains(&x.parse::<u64>().unwrap_or_default());
        let row_has_small = a[2..].iter().any(small);
        for (x, y) in a[2..].iter().zip(&b[2..]) {
            if small(x) {
                assert_eq!(y, "", "a count below 5 was published");
                emptied += 1;
            } else if x == "0" && row_has_small {
                assert_eq!(y, "", "a zero beside a hidden count was published");
            } else {
                assert_eq!(x, y);
            }
        }
    }
    assert!(emptied > 0);
    // A usage error (exit 2, like every other), and no binary on a terminal.
    let xlsx_to_terminal = run(&["export", "matrix", "--format", "xlsx"], &dir).code(2);
    assert!(stdout(&xlsx_to_terminal).is_empty());
    assert!(stderr(&xlsx_to_terminal).contains("--out"));
    let audit = stdout(&run(&["audit", "show", "--format", "json"], &dir).success());
    assert!(audit.contains("matrix:group:public"), "{audit}");
    assert!(audit.contains("participants"), "{audit}");
}

/// A stub ODK Central: answers `GET /v1/projects/7/forms/enquete/submissions.csv.zip`
/// with the recorded zip for the right bearer token, 401 otherwise, as
/// Central's API documents; over TLS when given an acceptor. Serves
/// `count` connections, then stops.
fn stub_central(
    zip: Vec<u8>,
    count: usize,
    tls: Option<native_tls::TlsAcceptor>,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let base = match tls {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..count {
            let Ok((stream, _)) = listener.accept() else {
                break;
            };
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .ok();
            let first = match &tls {
                // A client that refuses the certificate ends the handshake.
                Some(acceptor) => match acceptor.accept(stream) {
                    Ok(tls_stream) => answer_as_central(tls_stream, &zip),
                    Err(_) => "(TLS handshake refused)".to_owned(),
                },
                None => answer_as_central(stream, &zip),
            };
            seen.push(first);
        }
        seen
    });
    (base, handle)
}

/// Reads one request and answers it as Central would; returns the
/// request line.
fn answer_as_central<S: Read + Write>(mut stream: S, zip: &[u8]) -> String {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request).into_owned();
    let first = request.lines().next().unwrap_or_default().to_owned();
    let authorized = request
        .lines()
        .any(|l| l.eq_ignore_ascii_case("authorization: Bearer s3cr3t-t0ken"));
    let (status, body, kind): (&str, Vec<u8>, &str) = if !authorized {
        (
            "401 Unauthorized",
            br#"{"code":401.2,"message":"Could not authenticate with the provided credentials."}"#
                .to_vec(),
            "application/json",
        )
    } else if first
        == "GET /v1/projects/7/forms/enquete/submissions.csv.zip?attachments=false HTTP/1.1"
    {
        ("200 OK", zip.to_vec(), "application/zip")
    } else {
        (
            "404 Not Found",
            br#"{"code":404.1,"message":"Could not find the resource you were looking for."}"#
                .to_vec(),
            "application/json",
        )
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
    first
}

#[test]
fn odk_central_pull_with_a_token() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let (base, server) = stub_central(odk_zip(&SUBS), 2, None);
    let token = root.path().join("token");
    std::fs::write(&token, "wrong\n").unwrap_or_else(|e| panic!("{e}"));
    let args = |token: &Path| {
        vec![
            "import".to_owned(),
            "odk".to_owned(),
            "--form".to_owned(),
            form.display().to_string(),
            "--central".to_owned(),
            base.clone(),
            "--project".to_owned(),
            "7".to_owned(),
            "--token-file".to_owned(),
            token.display().to_string(),
            "--format".to_owned(),
            "json".to_owned(),
        ]
    };
    let before = files(&dir);
    let refused = with_passphrase(sankore())
        .args(args(&token))
        .arg("--workspace")
        .arg(&dir)
        .assert()
        .failure();
    assert!(
        stderr(&refused).contains("refused the token (401)"),
        "{}",
        stderr(&refused)
    );
    assert!(files(&dir) == before);
    std::fs::write(&token, "s3cr3t-t0ken\n").unwrap_or_else(|e| panic!("{e}"));
    let ok = with_passphrase(sankore())
        .args(args(&token))
        .arg("--workspace")
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(json(&ok)["new"].as_u64(), Some(2));
    let seen = server.join().unwrap_or_default();
    assert_eq!(seen.len(), 2);
    check_exports(&dir, root.path());
}

/// A self-signed certificate for `localhost` made by the `openssl` command
/// (a throwaway test authority): `(certificate PEM, PKCS#8 key PEM)`.
fn localhost_certificate(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let (cert, key) = (dir.join("central.pem"), dir.join("central.key"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| panic!("openssl: {e}"));
    assert!(made.status.success(), "{made:?}");
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{e}"));
    (read(&cert), read(&key))
}

#[test]
fn odk_central_pull_over_https_trusts_only_known_certificates() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let (cert, key) = localhost_certificate(root.path());
    let identity = native_tls::Identity::from_pkcs8(&cert, &key).unwrap_or_else(|e| panic!("{e}"));
    let acceptor = native_tls::TlsAcceptor::new(identity).unwrap_or_else(|e| panic!("{e}"));
    let (base, server) = stub_central(odk_zip(&SUBS), 2, Some(acceptor));
    let token = root.path().join("token");
    std::fs::write(&token, "s3cr3t-t0ken\n").unwrap_or_else(|e| panic!("{e}"));
    let pull = |extra: &[&str]| {
        let mut command = with_passphrase(sankore());
        command
            .args(["import", "odk", "--format", "json", "--project", "7"])
            .arg("--form")
            .arg(&form)
            .args(["--central", &base])
            .arg("--token-file")
            .arg(&token)
            .args(extra)
            .arg("--workspace")
            .arg(&dir);
        command.assert()
    };
    // A certificate the system does not know is refused, nothing written.
    let before = files(&dir);
    let refused = pull(&[]).failure();
    assert!(
        stderr(&refused).contains("cannot reach the ODK Central server"),
        "{}",
        stderr(&refused)
    );
    assert!(files(&dir) == before);
    // Trusting the server's own authority, the pull goes through.
    let ca = root.path().join("central.pem");
    let ok = pull(&["--ca-cert", &ca.display().to_string()]).success();
    assert_eq!(json(&ok)["new"].as_u64(), Some(2));
    let seen = server.join().unwrap_or_default();
    assert_eq!(
        seen,
        [
            "(TLS handshake refused)",
            "GET /v1/projects/7/forms/enquete/submissions.csv.zip?attachments=false HTTP/1.1"
        ]
    );
}

#[test]
fn a_token_never_crosses_the_network_in_clear() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let token = root.path().join("token");
    std::fs::write(&token, "s3cr3t-t0ken\n").unwrap_or_else(|e| panic!("{e}"));
    // 192.0.2.1 is a documentation address: nothing is sent anyway, the
    // address is refused before any connection.
    let refused = with_passphrase(sankore())
        .args(["import", "odk", "--project", "7"])
        .arg("--form")
        .arg(&form)
        .args(["--central", "http://192.0.2.1:8383"])
        .arg("--token-file")
        .arg(&token)
        .arg("--workspace")
        .arg(&dir)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .failure();
    assert!(
        stderr(&refused).contains("the token would cross the network in clear"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn submissions_rejected_by_a_reviewer_are_set_aside_and_counted() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(root.path());
    let form = write_form(root.path());
    let import = |data: &Path, extra: &[&str]| {
        let mut command = with_passphrase(sankore());
        command
            .args(["import", "odk", "--format", "json"])
            .arg("--form")
            .arg(&form)
            .arg("--data")
            .arg(data)
            .args(extra)
            .arg("--workspace")
            .arg(&dir);
        json(&command.assert().success())
    };
    // The first submission (with two household members) was rejected on
    // the server: neither it nor its repeat rows come in.
    let zip = root.path().join("submissions.csv.zip");
    std::fs::write(&zip, odk_zip_reviewed(&SUBS, &[SUBS[0].uuid]))
        .unwrap_or_else(|e| panic!("{e}"));
    let first = import(&zip, &[]);
    assert_eq!(first["new"].as_u64(), Some(1));
    assert_eq!(first["refused"].as_u64(), Some(1));
    // Keys lose their `uuid:` scheme, as everywhere.
    assert_eq!(first["refused_keys"], serde_json::json!([SUBS[0].uuid]));
    let exported = stdout(
        &with_passphrase(sankore())
            .args([
                "export",
                "responses",
                "--form",
                "enquete",
                "--format",
                "csv",
            ])
            .arg("--workspace")
            .arg(&dir)
            .assert()
            .success(),
    );
    assert!(!exported.contains(SUBS[0].uuid), "{exported}");
    assert!(exported.contains(SUBS[1].uuid), "{exported}");
    // The text summary says it too.
    let text = stdout(
        &with_passphrase(sankore())
            .args(["import", "odk"])
            .arg("--form")
            .arg(&form)
            .arg("--data")
            .arg(&zip)
            .arg("--workspace")
            .arg(&dir)
            .assert()
            .success(),
    );
    assert!(
        text.contains("0 new submissions, 1 unchanged submissions"),
        "{text}"
    );
    assert!(text.contains("1 submissions refused"), "{text}");
    // Asked for, the rejected one comes in with its repeat rows.
    let all = import(&zip, &["--include-rejected"]);
    assert_eq!(all["new"].as_u64(), Some(1));
    assert_eq!(all["unchanged"].as_u64(), Some(1));
    assert_eq!(all["refused"].as_u64(), Some(0));
    // KoBoToolbox's "Not approved", by label.
    let csv = kobo_csv(&SUBS).replacen(
        "\"2017-05-02T18:20:11\";\"\"",
        "\"2017-05-02T18:20:11\";\"Not Approved\"",
        1,
    );
    let data = root.path().join("kobo.csv");
    std::fs::write(&data, csv).unwrap_or_else(|e| panic!("{e}"));
    let other = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = workspace(other.path());
    let kobo = json(
        &with_passphrase(sankore())
            .args(["import", "kobo", "--format", "json"])
            .arg("--form")
            .arg(&form)
            .arg("--data")
            .arg(&data)
            .arg("--workspace")
            .arg(&dir)
            .assert()
            .success(),
    );
    assert_eq!(kobo["new"].as_u64(), Some(1));
    assert_eq!(kobo["refused_keys"], serde_json::json!([SUBS[0].uuid]));
}
