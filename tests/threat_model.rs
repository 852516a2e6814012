//! The promises of `docs/threat-model.md`, one test each, named after the
//! promise, against the real binary, a real server and real encrypted
//! files. (The identity-vault and withdrawal promises are tested beside the
//! vault's code; see the threat model for where.)

mod support;

use sankore_store::Passphrase;
use sankore_store::key::KdfParams;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{
    Client, PASSPHRASE, add_role_users, add_user, create_demo, in_workspace, init_workspace,
    sankore, serve, with_passphrase,
};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh demo workspace at `root/name`, with one account per role
/// (`ROLE-user`, password `ROLE password`).
fn demo(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    create_demo(&dir);
    add_role_users(&dir, &["coordinator", "researcher", "coder", "viewer"]);
    dir
}

/// The workspace database opened directly with its key, as someone holding
/// the passphrase (and nothing else of Sankore) could.
fn raw_database(dir: &Path) -> rusqlite::Connection {
    let descriptor: Value = ok(serde_json::from_str(&ok(std::fs::read_to_string(
        dir.join("sankore-workspace.json"),
    ))));
    let kdf: KdfParams = ok(serde_json::from_value(descriptor["kdf"].clone()));
    let key = ok(kdf.derive(&Passphrase::new(PASSPHRASE.to_owned())));
    let file = descriptor["database"].as_str().unwrap_or("sankore.db");
    // Version 1 descriptors name no page format: SQLCipher's defaults.
    let pages = &descriptor["pages"];
    let page_size = pages["page_size"].as_u64().unwrap_or(4096);
    let hmac = match pages["hmac"].as_str() {
        Some("hmac-sha256") => "HMAC_SHA256",
        _ => "HMAC_SHA512",
    };
    let conn = ok(rusqlite::Connection::open(dir.join(file)));
    ok(conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = {page_size};
         PRAGMA cipher_hmac_algorithm = {hmac}; PRAGMA busy_timeout = 10000;",
        hex_of(key.as_ref())
    )));
    conn
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in ok(std::fs::read_dir(dir)) {
        let path = ok(entry).path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Sentences of the demo's transcripts, long enough to be unmistakable.
fn transcript_sentences(count: usize) -> Vec<String> {
    let records = sankore_demo::reference_study();
    let mut sentences: Vec<String> = records
        .documents
        .iter()
        .flat_map(|d| d.body.as_str().split(['.', '\n', '?', '!']).map(str::trim))
        .filter(|s| s.chars().count() >= 30)
        .map(str::to_owned)
        .collect();
    sentences.sort();
    sentences.dedup();
    let step = (sentences.len() / count).max(1);
    sentences.into_iter().step_by(step).take(count).collect()
}

/// A JSON request with a fresh CSRF token.
fn api_json(client: &Client, method: &str, path: &str, body: &str) -> support::Answer {
    client.json(&client.csrf(), method, path, body)
}

/// A form post with a fresh CSRF token.
fn form_post(client: &Client, path: &str, fields: &[(&str, &str)]) -> support::Answer {
    client.form(&client.csrf(), path, fields)
}

/// Whether `sankore audit verify` passes on `dir`.
fn audit_verifies(dir: &Path) -> bool {
    in_workspace(dir, &["audit", "verify"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
        .status
        .success()
}

/// Backs `dir` up into `out`.
fn back_up(dir: &Path, out: &Path) {
    in_workspace(dir, &["backup"])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn audit_actions(dir: &Path) -> String {
    let out = in_workspace(dir, &["audit", "show"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A name and a sentence typed into the workbench by a field researcher.
const TYPED_NAME: &str = "Fatoumata Haïdara";
const TYPED_SENTENCE: &str =
    "mon cousin a rejoint le groupe armé après la fermeture du marché de Ber";

#[test]
fn promise_01_stolen_laptop_reveals_no_transcript_or_name() {
    let root = ok(tempfile::tempdir());
    let dir = demo(root.path(), "w");
    let served = serve(&dir, &[]);
    let researcher = Client::as_role(&served.base, "researcher");
    // A session and a transcript typed while the server runs: they sit in
    // the write-ahead log as well as in the database.
    let session = r#"{"code": "DIR-FGD-960", "kind": "focus-group", "place": "DIR", "date": "2017-05-21", "facilitators": ["R2"], "participants": [], "composition": [{"group": "youth-associations", "gender": "female", "count": 4}], "declared_total": 4}"#;
    assert_eq!(
        api_json(&researcher, "POST", "/api/v1/sessions", session).status,
        201
    );
    let text =
        format!("Animatrice : Présentez-vous.\nP1 : Je suis {TYPED_NAME} et {TYPED_SENTENCE}.");
    let typed = form_post(
        &researcher,
        "/sessions/DIR-FGD-960/documents",
        &[("title", "Groupe 960"), ("language", "fr"), ("text", &text)],
    );
    assert_eq!(typed.status, 303, "{}", typed.body);
    // A backup made meanwhile, beside the workspace.
    let backup = root.path().join("w.backup");
    back_up(&dir, &backup);
    let files = files_under(root.path());
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "the WAL is among the files searched: {files:?}"
    );
    assert!(files.contains(&backup));
    let mut needles: Vec<String> = transcript_sentences(40);
    needles.push(TYPED_NAME.to_owned());
    needles.push(TYPED_SENTENCE.to_owned());
    needles.push("researcher password".to_owned());
    for file in &files {
        let bytes = ok(std::fs::read(file));
        // The bytes read as UTF-8 and as UTF-16 (both alignments).
        let utf16 = |skip: usize| {
            let units: Vec<u16> = bytes[skip.min(bytes.len())..]
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        };
        let readings = [
            String::from_utf8_lossy(&bytes).into_owned(),
            utf16(0),
            utf16(1),
        ];
        for needle in &needles {
            assert!(
                readings.iter().all(|r| !r.contains(needle.as_str())),
                "{} holds a sentence in clear",
                file.display()
            );
        }
    }
    // The needles are really there, for someone with the passphrase.
    let conn = raw_database(&dir);
    let stored: i64 = ok(conn.query_row(
        "SELECT count(*) FROM documents WHERE body LIKE '%' || ?1 || '%'",
        [TYPED_SENTENCE],
        |r| r.get(0),
    ));
    assert_eq!(stored, 1);
}

#[test]
fn promise_02_backup_restores_every_table_of_the_demo() {
    let root = ok(tempfile::tempdir());
    let dir = demo(root.path(), "w");
    let backup = root.path().join("demo.backup");
    back_up(&dir, &backup);
    let restored = root.path().join("restored");
    in_workspace(&restored, &["restore"])
        .arg(&backup)
        .assert()
        .success();
    let original = raw_database(&dir);
    let copy = raw_database(&restored);
    let tables = |conn: &rusqlite::Connection| -> Vec<String> {
        let mut stmt = ok(conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ));
        ok(ok(stmt.query_map([], |r| r.get::<_, String>(0))).collect::<Result<Vec<_>, _>>())
    };
    let names = tables(&original);
    assert_eq!(names, tables(&copy), "same tables");
    assert!(names.len() > 20, "{names:?}");
    let rows = |conn: &rusqlite::Connection, table: &str| -> Vec<Vec<String>> {
        let mut stmt = ok(conn.prepare(&format!("SELECT * FROM \"{table}\"")));
        let columns = stmt.column_count();
        ok(ok(stmt.query_map([], |r| {
            (0..columns)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                        rusqlite::types::ValueRef::Blob(b) => hex_of(b),
                    })
                })
                .collect()
        }))
        .collect::<Result<Vec<_>, _>>())
    };
    let sorted = |mut rows: Vec<Vec<String>>| {
        rows.sort();
        rows
    };
    let mut compared = 0;
    for table in &names {
        let (a, b) = (rows(&original, table), rows(&copy, table));
        if table == "audit_log" {
            // The original logs the backup after the copy; the copy logs
            // its restore: everything before is the same.
            assert_eq!(a.len(), b.len());
            let seq = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
                let mut rows = rows.to_vec();
                rows.sort_by_key(|r| r[0].parse::<i64>().unwrap_or(0));
                rows.pop();
                rows
            };
            assert_eq!(seq(&a), seq(&b));
        } else {
            assert_eq!(a.len(), b.len(), "row count of {table}");
            assert!(sorted(a.clone()) == sorted(b), "content of {table}");
        }
        compared += a.len();
    }
    assert!(compared > 4_000, "{compared} rows compared");
    let actions = audit_actions(&restored);
    assert!(actions.contains("restore"), "{actions}");
    assert!(audit_actions(&dir).contains("backup"));
    in_workspace(&restored, &["audit", "verify"])
        .assert()
        .success();
    in_workspace(&restored, &["check"]).assert().success();
}

#[test]
fn promise_03_backup_works_while_the_server_writes() {
    let root = ok(tempfile::tempdir());
    let dir = demo(root.path(), "w");
    let served = serve(&dir, &[]);
    let researcher = Client::as_role(&served.base, "researcher");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let researcher = researcher.clone();
        std::thread::spawn(move || {
            let mut written = 0;
            let started = Instant::now();
            while !stop.load(std::sync::atomic::Ordering::Relaxed)
                && started.elapsed() < Duration::from_secs(120)
            {
                let code = format!("DIR-INT-{}", 700 + written);
                let body = format!(
                    r#"{{"code": "{code}", "gender": "female", "age_band": "25-34", "group": "youth-associations", "place": "DIR", "consent": "given"}}"#
                );
                let answer = api_json(&researcher, "POST", "/api/v1/participants", &body);
                assert_eq!(answer.status, 201, "{}", answer.body);
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let backup = root.path().join("online.backup");
    back_up(&dir, &backup);
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap_or_else(|_| panic!("writer"));
    assert!(written > 1, "the server kept writing: {written}");
    let restored = root.path().join("restored");
    in_workspace(&restored, &["restore"])
        .arg(&backup)
        .assert()
        .success();
    // A consistent snapshot: some of the participants written meanwhile,
    // without gaps, and the database passes its checks.
    let count = |dir: &Path| -> i64 {
        ok(raw_database(dir).query_row(
            "SELECT count(*) FROM participants WHERE code LIKE 'DIR-INT-7%'",
            [],
            |r| r.get(0),
        ))
    };
    let in_backup = count(&restored);
    assert!(
        in_backup >= 1 && in_backup <= written as i64,
        "{in_backup} of {written}"
    );
    let highest: Option<String> = ok(raw_database(&restored).query_row(
        "SELECT max(code) FROM participants WHERE code LIKE 'DIR-INT-7%'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(highest, Some(format!("DIR-INT-{}", 700 + in_backup - 1)));
    in_workspace(&restored, &["check"]).assert().success();
}

#[test]
fn promise_04_altered_backup_restores_nothing() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    let backup = root.path().join("b");
    back_up(&dir, &backup);
    let good = ok(std::fs::read(&backup));
    let header_end = 12 + u32::from_le_bytes([good[8], good[9], good[10], good[11]]) as usize;
    let last = good.len() - 1;
    // One byte flipped in each part: magic, header length, the header's
    // salt, nonce and date, the ciphertext's start, middle and end, the tag.
    let text = String::from_utf8_lossy(&good[12..header_end]).into_owned();
    let at = |needle: &str| {
        12 + text.find(needle).unwrap_or_else(|| panic!("{needle}")) + needle.len() + 1
    };
    let positions = [
        0,
        8,
        at("\"salt\":"),
        at("\"nonce\":"),
        at("\"created_at\":"),
        header_end,
        (header_end + last) / 2,
        last - 16,
        last,
    ];
    let refused = |bytes: &[u8], case: &str| {
        let file = root.path().join("altered");
        ok(std::fs::write(&file, bytes));
        let target = root.path().join("target");
        let out = in_workspace(&target, &["restore"])
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!out.status.success(), "{case}: restored");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{case}: {stderr}");
        assert!(!target.exists(), "{case}: something was written");
    };
    for position in positions {
        let mut bytes = good.clone();
        bytes[position] ^= 0x01;
        refused(&bytes, &format!("byte {position}"));
    }
    refused(&good[..last], "cut short");
    let mut longer = good.clone();
    longer.push(0);
    refused(&longer, "extended");
    // Wrong passphrase: refused too, nothing written.
    let target = root.path().join("target");
    sankore()
        .env("SANKORE_PASSPHRASE", "une autre phrase secrète")
        .arg("restore")
        .arg(&backup)
        .arg("--workspace")
        .arg(&target)
        .assert()
        .failure();
    assert!(!target.exists());
    // A non-empty target is refused; the intact file restores.
    ok(std::fs::create_dir(&target));
    ok(std::fs::write(target.join("notes.txt"), "à garder"));
    in_workspace(&target, &["restore"])
        .arg(&backup)
        .assert()
        .failure();
    assert_eq!(ok(std::fs::read_dir(&target)).count(), 1);
    in_workspace(&root.path().join("fresh"), &["restore"])
        .arg(&backup)
        .assert()
        .success();
}

#[test]
fn promise_05_any_change_to_an_audit_entry_is_detected() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    add_user(&dir, "awa", "coder", "coder password");
    in_workspace(
        &dir,
        &["user", "role", "--name", "awa", "--role", "researcher"],
    )
    .assert()
    .success();
    in_workspace(&dir, &["user", "sign-out-all", "--name", "awa"])
        .assert()
        .success();
    let verify = || audit_verifies(&dir);
    assert!(verify());
    // Someone holding the passphrase goes around the append-only triggers.
    let conn = raw_database(&dir);
    ok(conn.execute_batch("DROP TRIGGER audit_log_no_update;"));
    let columns = [
        "at",
        "actor",
        "action",
        "target",
        "detail",
        "prev_hash",
        "hash",
    ];
    let entries: i64 = ok(conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)));
    assert_eq!(entries, 3);
    let mut changes = 0;
    for seq in 1..=entries {
        for column in columns {
            let original: String = ok(conn.query_row(
                &format!("SELECT {column} FROM audit_log WHERE seq = ?1"),
                [seq],
                |r| r.get(0),
            ));
            // One byte changed: the last character swapped for another
            // ASCII one.
            let mut altered = original.clone();
            let last = altered.pop().unwrap_or('x');
            altered.push(if last == 'a' { 'b' } else { 'a' });
            ok(conn.execute(
                &format!("UPDATE audit_log SET {column} = ?2 WHERE seq = ?1"),
                rusqlite::params![seq, altered],
            ));
            assert!(!verify(), "entry {seq}, {column}: change not detected");
            ok(conn.execute(
                &format!("UPDATE audit_log SET {column} = ?2 WHERE seq = ?1"),
                rusqlite::params![seq, original],
            ));
            changes += 1;
        }
    }
    assert_eq!(changes, 21);
}

#[test]
fn promise_05_a_cut_short_audit_log_stays_detected() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    for name in ["awa", "binta", "coumba"] {
        add_user(&dir, name, "coder", "coder password");
    }
    let verify = || audit_verifies(&dir);
    assert!(verify());
    let conn = raw_database(&dir);
    ok(conn
        .execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;"));
    drop(conn);
    assert!(!verify());
    // Other commands open the workspace meanwhile: they must not anchor
    // the shortened log as if it were whole.
    let commands: [&[&str]; 2] = [
        &["check", "--workspace"],
        &["audit", "verify", "--workspace"],
    ];
    for command in commands {
        let _ = with_passphrase(sankore()).args(command).arg(&dir).output();
    }
    add_user(&dir, "dado", "coder", "coder password");
    assert!(!verify(), "a cut-short log passed once other commands ran");
}

/// Every `/api/v1` route of the OpenAPI description, with its path
/// parameters filled from the demo.
fn api_routes() -> Vec<(String, String)> {
    let spec: Value = ok(serde_json::from_str(include_str!(
        "../crates/web/assets/openapi.json"
    )));
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, _) in item.as_object().into_iter().flatten() {
            if method == "parameters" {
                continue;
            }
            let filled = path
                .replace("{code}", "TBK-INT-001-T")
                .replace("{id}", "1")
                .replace("{key}", "push.economic.jobs");
            routes.push((method.to_uppercase(), format!("/api/v1{filled}")));
        }
    }
    routes
}

#[test]
fn promise_06_viewer_is_refused_every_personal_data() {
    let root = ok(tempfile::tempdir());
    let dir = demo(root.path(), "w");
    let served = serve(&dir, &[]);
    let viewer = Client::as_role(&served.base, "viewer");
    // Transcript text, and participant records (pseudonymous codes appear
    // in document codes and are not, alone, personal data; a record with
    // a person's attributes is).
    let mut personal: Vec<String> = transcript_sentences(60);
    personal.extend(["\"age_band\"", "\"consent\"", "\"turns\"", "\"body\""].map(str::to_owned));
    let routes = api_routes();
    assert!(routes.len() >= 30, "{} routes", routes.len());
    let mut refused = 0;
    let mut answered = 0;
    for (method, path) in &routes {
        let query = match path.as_str() {
            "/api/v1/search" => "?q=jeunes",
            "/api/v1/analysis/matrix/cell" => "?code=push.economic.jobs&column=female",
            "/api/v1/analysis/words" => "?kwic=jeunes",
            _ => "",
        };
        let answer = if method == "GET" {
            viewer.get(&format!("{path}{query}"))
        } else {
            api_json(&viewer, method, path, "{}")
        };
        if method != "GET" {
            // Refused for the role, or for a body that does not parse
            // (read before the role is checked; nothing is read or written).
            assert!(
                [403, 400, 422].contains(&answer.status),
                "{method} {path}: {} {}",
                answer.status,
                answer.body
            );
            refused += 1;
            continue;
        }
        match answer.status {
            403 => refused += 1,
            200 => {
                for item in &personal {
                    assert!(
                        !answer.body.contains(item.as_str()),
                        "{method} {path} shows personal data to a viewer"
                    );
                }
                answered += 1;
            }
            other => panic!("{method} {path}: unexpected {other}: {}", answer.body),
        }
    }
    assert!(
        refused >= 20 && answered >= 5,
        "{refused} refused, {answered} answered"
    );
    // The same reads are allowed to a researcher: the refusals are the
    // role's, not broken routes.
    let researcher = Client::as_role(&served.base, "researcher");
    for path in [
        "/api/v1/documents/TBK-INT-001-T",
        "/api/v1/participants",
        "/api/v1/search?q=jeunes",
    ] {
        assert_eq!(researcher.get(path).status, 200, "{path}");
        assert_eq!(viewer.get(path).status, 403, "{path}");
    }
}

#[test]
fn promise_07_repeated_failed_sign_ins_lock_the_account() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    add_user(&dir, "awa", "coder", "the right password");
    // Five failures meet the per-address limit; a restart clears that
    // (it lives in memory), but not the account's count, kept in the
    // database: ten consecutive failures lock the account.
    for _ in 0..2 {
        let served = serve(&dir, &[]);
        let client = Client::new(&served.base);
        for _ in 0..5 {
            assert_eq!(client.login("awa", "a wrong password").status, 401);
        }
        assert_eq!(client.login("awa", "a wrong password").status, 429);
    }
    let served = serve(&dir, &[]);
    let client = Client::new(&served.base);
    let locked = client.login("awa", "the right password");
    let unknown = client.login("nobody", "the right password");
    assert_eq!(locked.status, 401, "locked: even the right password fails");
    assert_eq!(locked.body, unknown.body, "a lock tells nothing more");
    drop(served);
    let audit = audit_actions(&dir);
    assert!(
        audit.contains("account locked after 10 consecutive failures"),
        "{audit}"
    );
    assert!(audit.contains("sign_in_refused"));
    in_workspace(&dir, &["user", "unlock", "--name", "awa"])
        .assert()
        .success();
    let served = serve(&dir, &[]);
    Client::signed_in(&served.base, "awa", "the right password");
    drop(served);
    let audit = audit_actions(&dir);
    assert!(
        audit.contains("unlocked") && audit.contains("sign_in "),
        "{audit}"
    );
}

#[test]
fn promise_08_a_new_password_or_sign_out_everywhere_ends_every_session() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    add_user(&dir, "awa", "coder", "first password");
    let served = serve(&dir, &[]);
    let laptop = Client::signed_in(&served.base, "awa", "first password");
    let phone = Client::signed_in(&served.base, "awa", "first password");
    assert_eq!(laptop.get("/account").status, 200);
    // Refused changes change nothing.
    let mismatch = form_post(
        &laptop,
        "/account/password",
        &[
            ("current", "first password"),
            ("new", "second password"),
            ("confirm", "other password"),
        ],
    );
    assert_eq!(mismatch.status, 400);
    let short = form_post(
        &laptop,
        "/account/password",
        &[
            ("current", "first password"),
            ("new", "short"),
            ("confirm", "short"),
        ],
    );
    assert_eq!(short.status, 400);
    let wrong = form_post(
        &laptop,
        "/account/password",
        &[
            ("current", "wrong password"),
            ("new", "second password"),
            ("confirm", "second password"),
        ],
    );
    assert_eq!(wrong.status, 400);
    assert_eq!(phone.get("/").status, 200, "still signed in");
    // The change ends every session, this one included.
    let changed = form_post(
        &laptop,
        "/account/password",
        &[
            ("current", "first password"),
            ("new", "second password"),
            ("confirm", "second password"),
        ],
    );
    assert_eq!(changed.status, 303);
    assert!(changed.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(laptop.get("/").status, 303);
    assert_eq!(phone.get("/").status, 303);
    assert_eq!(phone.get("/api/v1/codebook").status, 401);
    assert_eq!(
        Client::new(&served.base)
            .login("awa", "first password")
            .status,
        401
    );
    // Sign-out everywhere from the account page.
    let laptop = Client::signed_in(&served.base, "awa", "second password");
    let phone = Client::signed_in(&served.base, "awa", "second password");
    let out = form_post(&laptop, "/logout/all", &[]);
    assert_eq!(out.status, 303);
    assert_eq!(phone.get("/").status, 303);
    // And from the command line, for a lost device, while the server runs.
    let phone = Client::signed_in(&served.base, "awa", "second password");
    in_workspace(&dir, &["user", "sign-out-all", "--name", "awa"])
        .assert()
        .success();
    assert_eq!(phone.get("/").status, 303);
    let phone = Client::signed_in(&served.base, "awa", "second password");
    let file = root.path().join("pw");
    ok(std::fs::write(&file, "third password\n"));
    in_workspace(&dir, &["user", "password", "--name", "awa"])
        .arg("--password-file")
        .arg(&file)
        .assert()
        .success();
    assert_eq!(phone.get("/").status, 303);
    Client::signed_in(&served.base, "awa", "third password");
    drop(served);
    let audit = audit_actions(&dir);
    assert_eq!(audit.matches("password_change").count(), 2, "{audit}");
    assert!(audit.matches("sign_out").count() >= 2, "{audit}");
}

#[test]
fn promise_09_sign_in_reveals_no_account_names() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    add_user(&dir, "awa", "coder", "the right password");
    let served = serve(&dir, &[]);
    let client = Client::new(&served.base);
    let timed = |name: &str| {
        let started = Instant::now();
        let answer = client.login(name, "a wrong password");
        (answer, started.elapsed())
    };
    let (known_a, t1) = timed("awa");
    let (unknown_a, t2) = timed("no-such-user");
    let (known_b, t3) = timed("awa");
    let (unknown_b, t4) = timed("another-stranger");
    for answer in [&known_a, &unknown_a, &known_b, &unknown_b] {
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body, known_a.body, "the same page for every failure");
    }
    // Both paths verify one Argon2 hash: no order-of-magnitude gap.
    let known = t1.min(t3);
    let unknown = t2.min(t4);
    let ratio = known.as_secs_f64() / unknown.as_secs_f64();
    assert!(
        (0.33..3.0).contains(&ratio),
        "known {known:?} vs unknown {unknown:?}"
    );
    drop(served);
    let audit = audit_actions(&dir);
    assert!(
        !audit.contains("no-such-user"),
        "unknown names are not kept"
    );
    assert_eq!(audit.matches("unknown name").count(), 2, "{audit}");
}

#[test]
fn promise_10_idle_sessions_end() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    add_user(&dir, "awa", "coder", "the right password");
    let served = serve(&dir, &[]);
    let idle = Client::signed_in(&served.base, "awa", "the right password");
    let active = Client::signed_in(&served.base, "awa", "the right password");
    assert_eq!(idle.get("/").status, 200);
    // Time passes for one session: last seen just past the idle limit.
    let hours = sankore_web::IDLE_TIMEOUT_HOURS;
    let conn = raw_database(&dir);
    let idle_hash = {
        let token = idle
            .cookie
            .as_deref()
            .and_then(|c| c.split_once('='))
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default();
        use sha2::Digest;
        hex_of(&sha2::Sha256::digest(token.as_bytes()))
    };
    let past = (chrono::Utc::now() - chrono::Duration::hours(hours) - chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let changed = ok(conn.execute(
        "UPDATE web_sessions SET last_seen = ?2 WHERE token_hash = ?1",
        rusqlite::params![idle_hash, past],
    ));
    assert_eq!(changed, 1);
    assert_eq!(idle.get("/").status, 303, "idle session ended");
    assert_eq!(idle.get("/api/v1/codebook").status, 401);
    assert_eq!(active.get("/").status, 200, "the other one lives on");
}

#[test]
fn promise_11_oversized_requests_are_refused() {
    let root = ok(tempfile::tempdir());
    let dir = root.path().join("w");
    init_workspace(&dir);
    add_user(&dir, "awa", "researcher", "the right password");
    let served = serve(&dir, &[]);
    let researcher = Client::signed_in(&served.base, "awa", "the right password");
    // The server answers on the declared length, before reading the body,
    // so only the head is sent.
    let too_large = |method: &str, path: &str, cookie: Option<&str>| -> String {
        use std::io::{BufRead, BufReader};
        let address = served.base.trim_start_matches("http://");
        let mut stream = ok(std::net::TcpStream::connect(address));
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{cookie}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            sankore_web::MAX_BODY_BYTES + 1
        );
        ok(stream.write_all(head.as_bytes()));
        let mut status = String::new();
        ok(BufReader::new(stream).read_line(&mut status));
        status
    };
    let cookie = researcher.cookie.as_deref();
    for (method, path, cookie) in [
        ("POST", "/login", None),
        ("POST", "/api/v1/participants", cookie),
        ("PUT", "/api/v1/codebook/codes", cookie),
        ("POST", "/sessions", cookie),
        ("POST", "/api/v1/documents/X/codings", cookie),
        ("GET", "/", cookie),
        ("POST", "/no-such-route", None),
    ] {
        let status = too_large(method, path, cookie);
        assert!(
            status.starts_with("HTTP/1.1 413"),
            "{method} {path}: {status}"
        );
    }

    // Just under the limit is read (and refused for what it says).
    let under = format!(
        "csrf={}&code={}",
        researcher.csrf(),
        "A".repeat(sankore_web::MAX_BODY_BYTES - 100)
    );
    let answer = researcher.send(
        "POST",
        "/participants",
        &[],
        Some(("application/x-www-form-urlencoded", under.as_str())),
    );
    assert!([400, 422].contains(&answer.status), "{}", answer.status);
}

#[test]
fn promise_12_zip_bombs_are_refused_and_nothing_is_created() {
    let root = ok(tempfile::tempdir());
    // 300 MiB of zeros compress to a few hundred KiB: an expansion far past
    // the ratio limit, and an entry past the size limit.
    let bomb = root.path().join("bomb.qdpx");
    {
        let file = ok(std::fs::File::create(&bomb));
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        ok(zip.start_file("project.qde", options));
        let chunk = vec![b' '; 1 << 20];
        ok(zip.write_all(b"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"b\">"));
        for _ in 0..300 {
            ok(zip.write_all(&chunk));
        }
        ok(zip.write_all(b"</Project>"));
        ok(zip.finish());
    }
    assert!(ok(std::fs::metadata(&bomb)).len() < 2 << 20);
    let dir = root.path().join("w");
    let started = Instant::now();
    let out = in_workspace(&dir, &["import", "qdpx"])
        .arg(&bomb)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("zip bomb"), "{stderr}");
    assert!(!dir.exists(), "nothing created");
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// The tests `docs/threat-model.md` names as proofs, each with whether it
/// is in the identity vault's section.
fn named_proofs() -> Vec<(String, bool)> {
    let doc = include_str!("../docs/threat-model.md");
    let vault_section = doc
        .find("### Promises kept by the identity vault")
        .unwrap_or(doc.len());
    let mut names = Vec::new();
    for (at, _) in doc.match_indices('`') {
        let rest = &doc[at + 1..];
        let Some(end) = rest.find('`') else { continue };
        let name = &rest[..end];
        // Test names: lower-case words joined by at least three `_`.
        let looks_like_test = name.matches('_').count() >= 3
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if looks_like_test && !names.iter().any(|(n, _): &(String, bool)| n == name) {
            names.push((name.to_owned(), at > vault_section));
        }
    }
    names
}

fn rust_sources(dir: &Path, out: &mut String) {
    for path in files_under(dir) {
        if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

#[test]
fn threat_model_names_only_tests_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = String::new();
    rust_sources(&root.join("tests"), &mut sources);
    rust_sources(&root.join("crates"), &mut sources);
    let vault_landed = root.join("tests/vault.rs").is_file();
    let names = named_proofs();
    assert!(names.len() >= 20, "{names:?}");
    let mut checked = 0;
    for (name, vault) in names {
        if vault && !vault_landed {
            continue;
        }
        assert!(
            sources.contains(&format!("fn {name}(")),
            "docs/threat-model.md names `{name}`, which is no test"
        );
        checked += 1;
    }
    assert!(checked >= 14);
}
