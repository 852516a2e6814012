//! End-to-end tests of the `sankore` binary: real processes, a real encrypted
//! SQLite file, real HTTP. One test binary for the whole CLI (less linking).

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod support;

use support::{
    Client, PASSPHRASE, in_workspace, sankore, serve, shared_demo, stdout_of, with_passphrase,
};

fn methodology_json(dir: &Path) -> Value {
    let text = stdout_of(&mut in_workspace(
        dir,
        &["report", "methodology", "--format", "json"],
    ));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn demo_methodology_reproduces_the_seed_numbers() {
    let m = methodology_json(shared_demo());
    assert_eq!(m["study"]["start"], "2017-04-20");
    assert_eq!(m["study"]["end"], "2017-06-10");
    assert_eq!(m["study"]["team_size"], 3);
    assert!(
        m["study"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("Timbuktu"))
    );
    let places: Vec<&str> = m["places"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        places,
        [
            "Tombouctou",
            "Goundam",
            "Gourma-Rharous",
            "Diré",
            "Niafunké"
        ]
    );
    assert_eq!(m["research_questions"], 6);
    assert_eq!(m["interviews"]["sessions"], 97);
    assert_eq!(m["interviews"]["participants"], 97);
    assert_eq!(m["interviews"]["women"], 21);
    assert_eq!(m["interviews"]["men"], 76);
    assert_eq!(m["focus_groups"]["participants"], 188);
    let by_group = &m["focus_groups"]["by_group"];
    assert_eq!(by_group["community leaders"], 35);
    assert_eq!(by_group["religious (Christian) leaders"], 3);
    assert_eq!(by_group["NGO representatives"], 6);
    assert_eq!(by_group["women's associations"], 72);
    assert_eq!(by_group["youth associations"], 72);
    assert_eq!(by_group.as_object().map(|o| o.len()), Some(5));
    assert_eq!(m["validation_forums"]["sessions"], 5);
    assert_eq!(m["validation_forums"]["places"], 5);
}

#[test]
fn methodology_in_markdown_and_csv() {
    let dir = shared_demo();
    let md = stdout_of(&mut in_workspace(
        dir,
        &["--lang", "fr", "report", "methodology", "--format", "md"],
    ));
    assert!(
        md.contains("Groupes de discussion — Participants | 188 |"),
        "{md}"
    );
    assert!(md.contains("Ne pas publier"));
    let csv = stdout_of(&mut in_workspace(
        dir,
        &["report", "methodology", "--format", "csv"],
    ));
    assert!(csv.starts_with("measure,group,value\n"));
    assert!(
        csv.contains("focus_groups.by_group,religious (Christian) leaders,3\n"),
        "{csv}"
    );
    assert!(csv.contains("interviews.women,,21\n"));
}

#[test]
fn demo_workspace_passes_check() {
    let text = stdout_of(&mut in_workspace(
        shared_demo(),
        &["check", "--format", "json"],
    ));
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["ok"], true, "{text}");
    let names: Vec<&str> = report["checks"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    for expected in [
        "sqlite.integrity",
        "sqlite.foreign_keys",
        "sqlcipher.page_authentication",
        "codings.inside_documents",
        "sessions.counts_add_up",
        "submissions.unique_keys",
        "documents.nfc_and_length",
    ] {
        assert!(names.contains(&expected), "missing check {expected}");
    }
}

#[test]
fn database_is_encrypted_at_rest() {
    let dir = shared_demo();
    let db = dir.join("sankore.db");
    // Plain sqlite3 cannot read it.
    let plain = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM sqlite_master;")
        .output()
        .unwrap_or_else(|e| panic!("sqlite3 must be installed (.ci/run installs it): {e}"));
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("not a database"));
    // No transcript text, code name or study name in clear in any file.
    let records = sankore_demo_phrases();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        for phrase in &records {
            assert!(
                !contains(&bytes, phrase.as_bytes()),
                "{} holds {phrase:?} in clear",
                path.display()
            );
        }
    }
}

/// Phrases that must never appear in clear: the SYNTHETIC marker that opens
/// every transcript, words of the study name, and the schema's table names.
fn sankore_demo_phrases() -> Vec<String> {
    vec![
        "SYNTHÉTIQUES".to_owned(),
        "Transcription".to_owned(),
        "Timbuktu Region".to_owned(),
        "CREATE TABLE".to_owned(),
        "TBK-INT-001".to_owned(),
    ]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("w");
    with_passphrase(sankore())
        .args(["init", "--name", "Étude test"])
        .arg(&dir)
        .assert()
        .success();
    let snapshot = |dir: &Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok())
            .map(|e| {
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                (e.file_name().to_string_lossy().into_owned(), bytes)
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&dir);
    let output = sankore()
        .env("SANKORE_PASSPHRASE", "not the right passphrase")
        .args(["report", "methodology", "--format", "json", "--workspace"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("wrong passphrase"), "{stderr}");
    assert!(
        stderr.contains(&dir.display().to_string()),
        "names the path: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(
        before,
        snapshot(&dir),
        "a wrong passphrase must not write anything"
    );
}

#[test]
fn passphrase_from_file_and_none_without_terminal() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("w");
    let file = root.path().join("pass.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\n")).unwrap_or_else(|e| panic!("{e}"));
    sankore()
        .arg("--passphrase-file")
        .arg(&file)
        .args([
            "init",
            "--name",
            "Study",
            "--start",
            "2017-04-20",
            "--end",
            "2017-06-10",
        ])
        .arg(&dir)
        .assert()
        .success();
    // The same passphrase from the environment opens it.
    let m = methodology_json(&dir);
    assert_eq!(m["study"]["name"], "Study");
    assert_eq!(m["interviews"]["sessions"], 0);
    // No file, no variable, no terminal: a clear refusal.
    let output = sankore()
        .args(["check", "--workspace"])
        .arg(&dir)
        .write_stdin("")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no passphrase"));
}

#[test]
fn init_refuses_non_empty_dir_and_weak_passphrase() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(root.path().join("notes.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
    let output = with_passphrase(sankore())
        .args(["init", "--name", "S"])
        .arg(root.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not empty"));
    assert!(!root.path().join("sankore.db").exists());

    let fresh = root.path().join("fresh");
    let output = sankore()
        .env("SANKORE_PASSPHRASE", "short")
        .args(["init", "--name", "S"])
        .arg(&fresh)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("too short"));
    assert!(!fresh.exists(), "nothing created for a refused passphrase");
}

#[test]
fn missing_and_corrupt_workspaces_name_the_path() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = root.path().join("nowhere");
    let output = in_workspace(&missing, &["check"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&missing.display().to_string())
            && stderr.contains("not a Sankore workspace"),
        "{stderr}"
    );

    // A damaged descriptor.
    let dir = root.path().join("w");
    with_passphrase(sankore())
        .args(["init", "--name", "S"])
        .arg(&dir)
        .assert()
        .success();
    let descriptor = dir.join("sankore-workspace.json");
    let good = std::fs::read(&descriptor).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&descriptor, b"{not json").unwrap_or_else(|e| panic!("{e}"));
    let output = in_workspace(&dir, &["check"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("damaged"));
    std::fs::write(&descriptor, good).unwrap_or_else(|e| panic!("{e}"));

    // A database cut short in the middle of a page.
    let db = dir.join("sankore.db");
    let bytes = std::fs::read(&db).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&db, &bytes[..bytes.len().min(3000)]).unwrap_or_else(|e| panic!("{e}"));
    for side in ["sankore.db-wal", "sankore.db-shm"] {
        let _ = std::fs::remove_file(dir.join(side));
    }
    let output = in_workspace(&dir, &["check"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&db.display().to_string()) && stderr.contains("damaged"),
        "{stderr}"
    );
}

#[test]
fn killed_demo_leaves_a_consistent_database() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary = assert_cmd::cargo::cargo_bin("sankore");
    let run_demo = |dir: &Path| {
        std::process::Command::new(&binary)
            .env("SANKORE_PASSPHRASE", PASSPHRASE)
            .arg("demo")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // Kill runs at points spread over the database's life: just after the
    // file appears (schema creation), then every few milliseconds through
    // the study's transaction and its commit.
    let steps = 20u64;
    let mut interrupted_with_database = 0;
    for i in 0..steps {
        let dir = root.path().join(format!("k{i}"));
        let db = dir.join("sankore.db");
        let mut child = run_demo(&dir);
        let started = Instant::now();
        while !db.exists() && started.elapsed() < Duration::from_secs(30) {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_millis(i * 3));
        let _ = child.kill(); // SIGKILL: no chance to clean up.
        let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
        if !dir.join("sankore.db").exists() {
            continue; // Killed before the database existed: nothing to check.
        }
        let output = in_workspace(&dir, &["check", "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.success(),
            "after a kill at step {i}: {} {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        // The study landed whole or not at all.
        let report = in_workspace(&dir, &["report", "methodology", "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        if report.status.success() {
            let m: Value = serde_json::from_slice(&report.stdout).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                m["interviews"]["sessions"], 97,
                "partial study after a kill at step {i}"
            );
        } else {
            assert!(String::from_utf8_lossy(&report.stderr).contains("no study"));
        }
        if !status.success() {
            interrupted_with_database += 1;
        }
        eprintln!(
            "step {i}: killed={} study={}",
            !status.success(),
            report.status.success()
        );
    }
    assert!(
        interrupted_with_database > 0,
        "no kill landed while the database was being written"
    );
}

#[test]
fn serve_answers_health_and_lists_the_study_numbers() {
    let dir = shared_demo();
    support::add_user(dir, "lectrice", "viewer", "mot de passe lectrice");
    let served = serve(dir, &[]);
    let anonymous = Client::new(&served.base);
    let health = anonymous.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, r#"{"status":"ok"}"#);
    assert_eq!(
        anonymous.get("/").status,
        303,
        "signed-out users go to /login"
    );

    let viewer = Client::signed_in(&served.base, "lectrice", "mot de passe lectrice");
    let page = viewer.get("/");
    assert_eq!(page.status, 200);
    for expected in [
        "188",
        "97",
        "21",
        "Niafunké",
        "religious (Christian) leaders",
        "Focus groups",
    ] {
        assert!(page.body.contains(expected), "dashboard lacks {expected}");
    }
    assert!(
        page.header("content-security-policy")
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "same-origin");
    assert_eq!(
        page.header("cache-control"),
        "no-store",
        "pages stay out of the browser's disk cache"
    );
    assert!(
        anonymous
            .get("/static/app.css")
            .header("cache-control")
            .contains("max-age"),
        "assets stay cacheable"
    );

    let french = viewer.get("/?lang=fr");
    assert!(french.body.contains("Groupes de discussion") && french.body.contains(r#"lang="fr""#));
    assert_eq!(anonymous.get("/no-such-page").status, 404);
}

#[test]
fn help_speaks_french_and_english() {
    let fr = stdout_of(sankore().args(["--lang", "fr", "--help"]));
    assert!(fr.contains("études diagnostiques participatives"), "{fr}");
    assert!(fr.contains("Utilisation"));
    let en = stdout_of(sankore().args(["report", "methodology", "--help"]));
    assert!(en.contains("Output format"), "{en}");
    let fr_env = stdout_of(
        sankore()
            .env("LANG", "fr_ML.UTF-8")
            .args(["check", "--help"]),
    );
    assert!(fr_env.contains("Vérifier l'intégrité"), "{fr_env}");
}

#[test]
fn common_arguments_are_localized_in_every_command() {
    // The line of `--help` that describes `option`.
    let help_line = |lang: &str, command: &[&str], option: &str| -> String {
        let help = stdout_of(sankore().args(["--lang", lang]).args(command).arg("--help"));
        help.lines()
            .find(|l| l.trim_start().starts_with(option))
            .unwrap_or_else(|| panic!("{command:?} {lang}: no {option} in {help}"))
            .to_owned()
    };
    let commands: [&[&str]; 9] = [
        &["check"],
        &["report", "methodology"],
        &["analyze", "matrix"],
        &["audit", "show"],
        &["findings", "list"],
        &["actions", "list"],
        &["import", "kobo"],
        &["xlsform", "list"],
        &["audit", "verify"],
    ];
    for command in commands {
        for (lang, workspace, format) in [
            ("en", "Workspace directory", "Output format"),
            (
                "fr",
                "Répertoire de l'espace de travail",
                "Format de sortie",
            ),
        ] {
            let line = help_line(lang, command, "--workspace");
            assert!(line.contains(workspace), "{command:?} {lang}: {line}");
            let line = help_line(lang, command, "--format");
            assert!(line.contains(format), "{command:?} {lang}: {line}");
        }
    }
    // Where the argument means more, the command's own help stays.
    for (lang, command, option, text) in [
        (
            "en",
            &["restore"] as &[&str],
            "--workspace",
            "New workspace directory",
        ),
        (
            "fr",
            &["restore"],
            "--workspace",
            "Nouveau répertoire d'espace de travail",
        ),
        (
            "en",
            &["import", "qdpx"],
            "--workspace",
            "Workspace directory to create",
        ),
        (
            "fr",
            &["import", "qdc"],
            "--workspace",
            "Répertoire de l'espace de travail à créer",
        ),
        ("en", &["export", "codings"], "--format", "File format"),
        ("fr", &["export", "matrix"], "--format", "Format du fichier"),
        (
            "en",
            &["forum", "pack"],
            "--format",
            "Output format (html by default, or pdf)",
        ),
        (
            "fr",
            &["forum", "pack"],
            "--format",
            "Format de sortie (html par défaut, ou pdf)",
        ),
    ] {
        let line = help_line(lang, command, option);
        assert!(line.contains(text), "{command:?} {lang}: {line}");
    }
}

#[test]
fn public_methodology_hides_the_three_religious_leaders_for_good() {
    let text = stdout_of(&mut in_workspace(
        shared_demo(),
        &["report", "methodology", "--public", "--format", "json"],
    ));
    let m: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let by_group = &m["focus_groups"]["by_group"];
    assert!(by_group["religious (Christian) leaders"].is_null());
    // 188 and the other shown groups must not give the 3 back.
    let shown: u64 = by_group
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, v)| v.as_u64())
        .sum();
    let total = m["focus_groups"]["participants"].as_u64();
    assert!(
        total.is_none()
            || by_group
                .as_object()
                .is_some_and(|o| o.values().filter(|v| v.is_null()).count() >= 2)
    );
    assert_ne!(total.map(|t| t - shown), Some(3));
    let paths: Vec<&str> = m["suppressed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["path"].as_str())
        .collect();
    assert!(paths.contains(&"focus_groups.by_group.religious (Christian) leaders"));
    assert_eq!(m["disclosure"]["k"], 5);
    assert_eq!(
        m["interviews"]["women"], 21,
        "counts above the threshold stay"
    );
    let md = stdout_of(&mut in_workspace(
        shared_demo(),
        &[
            "report",
            "methodology",
            "--public",
            "--k",
            "10",
            "--format",
            "md",
        ],
    ));
    assert!(md.contains("religious (Christian) leaders | <10 |"), "{md}");
    let refused = in_workspace(
        shared_demo(),
        &["report", "methodology", "--public", "--k", "2"],
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused.status.success());
}

#[test]
fn audit_log_records_account_additions_and_verifies() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("w");
    with_passphrase(sankore())
        .args(["init", "--name", "Audit"])
        .arg(&dir)
        .assert()
        .success();
    support::add_user(&dir, "awa", "coder", "long enough password");
    support::add_user(&dir, "moussa", "viewer", "long enough password");

    let audit = |args: &[&str]| {
        with_passphrase(sankore())
            .arg("audit")
            .args(args)
            .arg("--workspace")
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let shown = audit(&["show", "--format", "json"]);
    let entries: Value = serde_json::from_slice(&shown.stdout).unwrap_or_else(|e| panic!("{e}"));
    let targets: Vec<&str> = entries
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {entries}"))
        .iter()
        .filter(|e| e["action"] == "user_added")
        .filter_map(|e| e["target"].as_str())
        .collect();
    assert_eq!(targets, ["awa", "moussa"]);
    assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
    let none = audit(&["show", "--action", "withdrawal", "--format", "json"]);
    assert_eq!(String::from_utf8_lossy(&none.stdout).trim(), "[]");
    let bad = audit(&["show", "--action", "delete_all"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "unknown action is a usage error"
    );

    let verified = audit(&["verify", "--format", "json"]);
    assert!(verified.status.success());
    let verdict: Value = serde_json::from_slice(&verified.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verdict["status"], "intact");
    assert_eq!(verdict["entries"], entries.as_array().map_or(0, Vec::len));

    // Cutting the log short (here: losing the head anchor) is detected.
    std::fs::remove_file(dir.join("audit-head")).unwrap_or_else(|e| panic!("{e}"));
    let broken = audit(&["verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("BROKEN"));
}
