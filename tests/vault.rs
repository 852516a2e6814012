//! The identity vault, consent withdrawal, retention and the permissions
//! enforced in the store, end to end: the real binary on a real encrypted
//! demo workspace, real HTTP against the running server. Each test is
//! named after a promise of `docs/threat-model.md` (promises 20 to 28).

mod support;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use support::{
    Client, PASSPHRASE, add_role_users, add_user, in_workspace, sankore, serve, stdout_of,
    with_passphrase,
};

/// A fresh demo workspace and the demo accounts' passwords, by name.
fn demo() -> (tempfile::TempDir, PathBuf, HashMap<String, String>) {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("demo");
    let output = with_passphrase(sankore())
        .arg("demo")
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let passwords = stderr
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [name, _role, password] if password.len() == 18 => {
                    Some(((*name).to_owned(), (*password).to_owned()))
                }
                _ => None,
            }
        })
        .collect::<HashMap<_, _>>();
    assert_eq!(passwords.len(), 5, "{stderr}");
    (root, dir, passwords)
}

/// Runs the binary as `user` (password in `SANKORE_PASSWORD`).
fn as_user(dir: &Path, user: &str, password: &str, args: &[&str]) -> std::process::Output {
    in_workspace(dir, args)
        .env("SANKORE_PASSWORD", password)
        .args(["--user", user])
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ok(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn run(dir: &Path, args: &[&str]) -> String {
    stdout_of(&mut in_workspace(dir, args))
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn audit(dir: &Path, action: &str) -> Vec<Value> {
    let text = run(
        dir,
        &["audit", "show", "--format", "json", "--action", action],
    );
    match json_of(&text) {
        Value::Array(entries) => entries,
        other => panic!("not a list: {other}"),
    }
}

fn store(dir: &Path) -> sankore_store::sqlite::SqliteStore {
    sankore_store::Workspace::open(dir)
        .and_then(|w| w.open_store(&sankore_store::Passphrase::new(PASSPHRASE.to_owned())))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every file of the workspace, as bytes.
fn workspace_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        bytes.extend(std::fs::read(&path).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// An API call with the session's CSRF token.
fn api(client: &Client, csrf: &str, method: &str, path: &str, body: &Value) -> support::Answer {
    client.json(csrf, method, path, &body.to_string())
}

#[test]
fn promise_20_vault_holds_identities_encrypted_apart() {
    let (_root, dir, passwords) = demo();
    // The demo's synthetic names are invented words: nowhere in the
    // workspace's files, and in no table in clear, even to someone holding
    // the workspace passphrase.
    let bytes = workspace_bytes(&dir);
    let store = store(&dir);
    for word in [
        "Zorbamou",
        "Synthétikou",
        "Kelitane",
        "Imaginara",
        "Lieu fictif",
    ] {
        assert!(!contains(&bytes, word), "{word} in the files");
        assert_eq!(
            store
                .tables_containing(word)
                .unwrap_or_else(|e| panic!("{e}")),
            Vec::<String>::new(),
            "{word} in clear"
        );
    }
    drop(store);
    // A coordinator holding the vault reads an identity...
    let coordinator = &passwords["coordinatrice"];
    let shown = ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &["vault", "show", "TBK-INT-001", "--format", "json"],
    ));
    let identity = json_of(&shown);
    assert_eq!(identity["name"], "Zorbamou Synthétikou");
    assert_eq!(identity["phone"], "+223 00 00 00 00");
    // ...nobody else does: a wrong password, another role, a coordinator
    // without a copy of the key.
    let wrong = as_user(
        &dir,
        "coordinatrice",
        "not the password",
        &["vault", "show", "TBK-INT-001"],
    );
    assert!(!wrong.status.success());
    let researcher = as_user(
        &dir,
        "chercheur",
        &passwords["chercheur"],
        &["vault", "show", "TBK-INT-001"],
    );
    assert!(!researcher.status.success());
    assert!(
        String::from_utf8_lossy(&researcher.stderr).contains("researcher may not"),
        "{}",
        String::from_utf8_lossy(&researcher.stderr)
    );
    add_user(
        &dir,
        "second-coord",
        "coordinator",
        "second coordinator password",
    );
    let ungranted = as_user(
        &dir,
        "second-coord",
        "second coordinator password",
        &["vault", "show", "TBK-INT-001"],
    );
    assert!(!ungranted.status.success());
    // Once granted a copy (under their own password), they can.
    let grantee = dir.join(".grantee");
    std::fs::write(&grantee, "second coordinator password").unwrap_or_else(|e| panic!("{e}"));
    ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &[
            "vault",
            "grant",
            "second-coord",
            "--grantee-password-file",
            grantee.to_str().unwrap_or_default(),
        ],
    ));
    let granted = ok(&as_user(
        &dir,
        "second-coord",
        "second coordinator password",
        &["vault", "show", "TBK-INT-002", "--format", "json"],
    ));
    assert_eq!(json_of(&granted)["name"], "Kelitane Synthétikou");
}

#[test]
fn promise_21_vault_unlock_is_audited() {
    let (_root, dir, passwords) = demo();
    let coordinator = &passwords["coordinatrice"];
    ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &["vault", "show", "TBK-INT-005"],
    ));
    let refused = as_user(
        &dir,
        "coordinatrice",
        "wrong",
        &["vault", "show", "TBK-INT-005"],
    );
    assert!(!refused.status.success());
    // Over HTTP: a coordinator opens the vault for the session, reads an
    // identity on a page and through the API.
    let served = serve(&dir, &[]);
    let client = Client::signed_in(&served.base, "coordinatrice", coordinator);
    let csrf = client.csrf();
    let closed = client.get("/participants/TBK-INT-007/identity");
    assert_eq!(closed.status, 200);
    assert!(
        !closed.body.contains("Synthétikou"),
        "closed vault shows nothing"
    );
    let wrong = client.form(&csrf, "/vault/open", &[("password", "nope")]);
    assert_eq!(wrong.header("location"), "/vault?error=password");
    let opened = client.form(&csrf, "/vault/open", &[("password", coordinator)]);
    assert_eq!(opened.status, 303);
    let page = client.get("/participants/TBK-INT-007/identity");
    assert!(page.body.contains("Pendouri Synthétikou"), "{}", page.body);
    assert_eq!(page.header("cache-control"), "no-store");
    let via_api = client.get("/api/v1/participants/TBK-INT-008/identity");
    assert_eq!(via_api.status, 200);
    assert_eq!(via_api.header("cache-control"), "no-store");
    assert_eq!(json_of(&via_api.body)["name"], "Xaldimé Synthétikou");
    // Guessing is limited: five wrong passwords, then 429 even for the
    // right one, each attempt audited.
    for _ in 0..5 {
        let wrong = api(
            &client,
            &csrf,
            "POST",
            "/api/v1/vault/open",
            &json!({"password": "guess"}),
        );
        assert_eq!(wrong.status, 400);
    }
    let blocked = api(
        &client,
        &csrf,
        "POST",
        "/api/v1/vault/open",
        &json!({"password": coordinator}),
    );
    assert_eq!(blocked.status, 429);
    assert!(!blocked.header("retry-after").is_empty());
    // Signing out closes it: a new session starts closed.
    client.form(&csrf, "/logout", &[]);
    let again = Client::signed_in(&served.base, "coordinatrice", coordinator);
    assert_eq!(
        again
            .get("/api/v1/participants/TBK-INT-008/identity")
            .status,
        409
    );
    drop(served);

    let opens = audit(&dir, "vault_open");
    let details: Vec<&str> = opens.iter().filter_map(|e| e["detail"].as_str()).collect();
    // The CLI's wrong password is refused at sign-in, before the vault;
    // the blocked attempt never reaches it.
    assert_eq!(
        details,
        [
            "opened", "refused", "opened", "refused", "refused", "refused", "refused", "refused"
        ]
    );
    assert!(opens.iter().all(|e| e["actor"] == "coordinatrice"));
    let reads: Vec<String> = audit(&dir, "identity_read")
        .iter()
        .filter_map(|e| e["target"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(reads, ["TBK-INT-005", "TBK-INT-007", "TBK-INT-008"]);
    // No audit entry holds a name.
    let all = run(&dir, &["audit", "show", "--format", "json"]);
    assert!(!all.contains("Synthétikou") && !all.contains("Pendouri"));
    run(&dir, &["audit", "verify"]);
}

/// Words of the participant who will withdraw: invented, so that finding
/// any of them anywhere is a leak. Prefixes, to catch the search index's
/// stems too.
const THEIR_WORDS: [&str; 4] = ["zibelun", "chamelon", "xylograph", "ornithopt"];
const THEIR_NAME: [&str; 2] = ["Quixolandre", "Brumevent"];
const CODE: &str = "TBK-WD-001";
const OTHER_SPEAKER: &str = "Les puits sont loin et les routes dangereuses.";

fn methodology(dir: &Path) -> Value {
    json_of(&run(dir, &["report", "methodology", "--format", "json"]))
}

/// Text of a document through the API, and its codings.
fn document(client: &Client, code: &str) -> Value {
    let answer = client.get(&format!("/api/v1/documents/{code}"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    json_of(&answer.body)
}

/// Codes the characters of `passage` in document `code`; returns the
/// coding's id.
fn code_passage(client: &Client, csrf: &str, code: &str, passage: &str, key: &str) -> String {
    let doc = document(client, code);
    let text = doc["text"].as_str().unwrap_or_default().to_owned();
    let byte = text
        .find(passage)
        .unwrap_or_else(|| panic!("{passage} not in {code}"));
    let start = text[..byte].chars().count();
    let end = start + passage.chars().count();
    let answer = api(
        client,
        csrf,
        "POST",
        &format!("/api/v1/documents/{code}/codings"),
        &json!({"codes": [key], "start": start, "end": end}),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    json_of(&answer.body)[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn promise_23_withdrawal_leaves_no_trace() {
    let (_root, dir, passwords) = demo();
    // A researcher registers the participant in the field; the identity
    // goes straight into the vault.
    ok(&as_user(
        &dir,
        "chercheur",
        &passwords["chercheur"],
        &[
            "participant",
            "add",
            "--code",
            CODE,
            "--gender",
            "female",
            "--age-band",
            "18-24",
            "--group",
            "youth-associations",
            "--place",
            "TBK",
            "--name",
            "Quixolandre Brumevent",
            "--phone",
            "+223 00 11 22 33",
        ],
    ));
    let served = serve(&dir, &[]);
    let coordinator = &passwords["coordinatrice"];
    let client = Client::signed_in(&served.base, "coordinatrice", coordinator);
    let csrf = client.csrf();
    // Their interview, and a focus group where they speak among others.
    for session in [
        json!({"code": "TBK-WD-INT", "kind": "interview", "place": "TBK", "date": "2017-05-02",
               "facilitators": ["R1"], "participants": [CODE], "composition": [], "declared_total": null}),
        json!({"code": "TBK-WD-FGD", "kind": "focus-group", "place": "TBK", "date": "2017-05-03",
               "facilitators": ["R1"], "participants": [CODE],
               "composition": [{"group": "youth-associations", "gender": "female", "count": 3}],
               "declared_total": 3}),
    ] {
        let answer = api(&client, &csrf, "POST", "/api/v1/sessions", &session);
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let transcripts = [
        (
            "TBK-WD-INT",
            "Enquêtrice : Parlez-moi du quartier.\nTBK-WD-001 : Le zibelunaire ronflait sous le tamarinier, disait l'ornithoptère.\n",
        ),
        (
            "TBK-WD-FGD",
            "Animatrice : Bienvenue à toutes.\nTBK-WD-001 : Mon frère gardait les chamelons xylographiques près du fleuve.\nP2 : Les puits sont loin et les routes dangereuses.\n",
        ),
    ];
    for (session, text) in transcripts {
        let answer = client.form(
            &csrf,
            &format!("/sessions/{session}/documents"),
            &[
                ("title", "Transcription"),
                ("language", "fr"),
                ("text", text),
            ],
        );
        assert_eq!(answer.status, 303, "{}", answer.body);
    }
    let key = json_of(&client.get("/api/v1/codebook").body)["codes"][0]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let theirs = code_passage(
        &client,
        &csrf,
        "TBK-WD-FGD-T1",
        "les chamelons xylographiques",
        &key,
    );
    let other = code_passage(&client, &csrf, "TBK-WD-FGD-T1", OTHER_SPEAKER, &key);
    code_passage(
        &client,
        &csrf,
        "TBK-WD-INT-T1",
        "Le zibelunaire ronflait",
        &key,
    );
    let finding =
        json_of(&run(&dir, &["findings", "list", "--format", "json"]))["findings"][0]["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
    let quoted = api(
        &client,
        &csrf,
        "POST",
        &format!("/api/v1/findings/{finding}/quotes"),
        &json!({"coding": theirs}),
    );
    assert_eq!(quoted.status, 204, "{}", quoted.body);
    // Before: their words are found, the counts include them.
    let found = client.get("/api/v1/search?q=chamelons");
    assert!(found.body.contains("TBK-WD-FGD-T1"), "{}", found.body);
    let before = methodology(&dir);
    assert_eq!(before["interviews"]["sessions"], 98);
    assert_eq!(before["focus_groups"]["participants"], 191);
    // Read once so the server keeps the focus group in memory.
    assert!(
        client
            .get("/documents/TBK-WD-FGD-T1")
            .body
            .contains("chamelons")
    );

    let report = json_of(&ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &[
            "participant",
            "withdraw",
            CODE,
            "--reason",
            "demande de la personne",
        ],
    )));
    assert_eq!(report["identity_removed"], true);
    assert_eq!(report["sessions_removed"], 1);
    assert_eq!(report["documents_removed"], 1);
    assert_eq!(report["documents_redacted"], 1);
    assert_eq!(report["turns_redacted"], 1);
    assert_eq!(report["codings_removed"], 2);

    // The database: no table holds their words or name; their code
    // remains only in audit entries written before (append-only).
    let db = store(&dir);
    for word in THEIR_WORDS.iter().chain(THEIR_NAME.iter()) {
        assert_eq!(
            db.tables_containing(word).unwrap_or_else(|e| panic!("{e}")),
            Vec::<String>::new(),
            "{word}"
        );
    }
    assert_eq!(
        db.tables_containing(CODE).unwrap_or_else(|e| panic!("{e}")),
        ["audit_log"]
    );
    drop(db);
    // The search index, the pages and the API (the running server had the
    // document in memory).
    for word in ["zibelunaire", "chamelons", "xylographiques", "ornithoptère"] {
        let hits = client.get(&format!("/api/v1/search?q={word}"));
        assert_eq!(json_of(&hits.body), json!([]), "{word}");
    }
    assert!(
        client
            .get("/api/v1/search?q=puits")
            .body
            .contains("TBK-WD-FGD-T1"),
        "the redacted focus group is indexed again"
    );
    let page = client.get("/documents/TBK-WD-FGD-T1");
    assert!(page.body.contains("[retiré / withdrawn]"));
    assert_eq!(client.get("/documents/TBK-WD-INT-T1").status, 404);
    assert_eq!(client.get(&format!("/participants/{CODE}")).status, 404);
    let redacted = document(&client, "TBK-WD-FGD-T1");
    let codings = redacted["codings"].as_array().cloned().unwrap_or_default();
    assert_eq!(codings.len(), 1, "the coding on their words is gone");
    assert_eq!(codings[0]["id"], other.as_str());
    assert_eq!(
        codings[0]["text"], OTHER_SPEAKER,
        "the other speaker's coding follows its words"
    );
    for path in [
        "/documents",
        "/participants",
        "/sessions",
        "/sessions/TBK-WD-FGD",
        "/documents/TBK-WD-FGD-T1",
        "/codebook",
        &format!("/codebook/{key}"),
        "/findings",
        &format!("/api/v1/findings/{finding}/quotes"),
        "/api/v1/documents",
        "/api/v1/participants",
    ] {
        let answer = client.get(path);
        for word in THEIR_WORDS.iter().chain(THEIR_NAME.iter()).chain([&CODE]) {
            assert!(!contains(answer.body.as_bytes(), word), "{word} on {path}");
        }
    }
    drop(served);
    // The counts and reports.
    let after = methodology(&dir);
    assert_eq!(after["interviews"]["sessions"], 97);
    assert_eq!(after["interviews"]["participants"], 97);
    assert_eq!(after["focus_groups"]["participants"], 190);
    let public = run(&dir, &["report", "methodology", "--public"]);
    assert!(!public.contains(CODE));
    // An export.
    let out = dir.with_extension("qdpx");
    run(
        &dir,
        &["export", "qdpx", "--out", out.to_str().unwrap_or_default()],
    );
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&out).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap_or_else(|e| panic!("{e}"));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap_or_else(|e| panic!("{e}"));
        for word in THEIR_WORDS.iter().chain(THEIR_NAME.iter()).chain([&CODE]) {
            assert!(!contains(&bytes, word), "{word} in entry {i}");
        }
    }
    // The audit entry: a random id, counts and the reason; no code, no name.
    let withdrawals = audit(&dir, "withdrawal");
    assert_eq!(withdrawals.len(), 1);
    let entry = &withdrawals[0];
    assert_eq!(entry["target"], report["id"]);
    assert!(
        entry["target"]
            .as_str()
            .unwrap_or_default()
            .starts_with("W-")
    );
    let text = entry.to_string();
    assert!(
        !text.contains(CODE) && !text.contains("Quixolandre"),
        "{text}"
    );
    assert!(text.contains("demande de la personne"));
    run(&dir, &["audit", "verify"]);
    run(&dir, &["check"]);
}

#[test]
fn promise_24_withdrawal_reason_may_not_name_anyone() {
    let (_root, dir, passwords) = demo();
    let refused = as_user(
        &dir,
        "coordinatrice",
        &passwords["coordinatrice"],
        &[
            "participant",
            "withdraw",
            "TBK-INT-010",
            "--reason",
            "Zorbamou a appelé",
        ],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("withdrawal reason"), "{stderr}");
    assert!(!stderr.contains("Zorbamou"), "the error repeats no name");
    assert_eq!(
        methodology(&dir)["interviews"]["sessions"],
        97,
        "nothing changed"
    );
    // Only coordinators withdraw.
    let researcher = as_user(
        &dir,
        "chercheur",
        &passwords["chercheur"],
        &["participant", "withdraw", "TBK-INT-010"],
    );
    assert!(!researcher.status.success());
    assert_eq!(methodology(&dir)["interviews"]["sessions"], 97);
}

#[test]
fn promise_25_retention_date_destroys_identities() {
    let (_root, dir, passwords) = demo();
    let coordinator = &passwords["coordinatrice"];
    // A date still ahead destroys nothing.
    ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &["settings", "--identity-retention-until", "2999-01-01"],
    ));
    assert_eq!(
        run(&dir, &["vault", "purge-expired"]).trim(),
        "Identities destroyed: 0"
    );
    ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &["vault", "show", "TBK-INT-001"],
    ));
    // Once past, the command destroys them all.
    let settings = ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &[
            "settings",
            "--identity-retention-until",
            "2020-01-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(json_of(&settings)["identity_retention_until"], "2020-01-01");
    assert_eq!(
        run(&dir, &["vault", "purge-expired"]).trim(),
        "Identities destroyed: 97"
    );
    let gone = as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &["vault", "show", "TBK-INT-001"],
    );
    assert!(!gone.status.success());
    let purges = audit(&dir, "retention_purge");
    assert_eq!(purges.len(), 1);
    assert!(
        purges[0]["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("97 identities destroyed")
    );
    // Only coordinators set the date.
    let researcher = as_user(
        &dir,
        "chercheur",
        &passwords["chercheur"],
        &["settings", "--identity-retention-until", "none"],
    );
    assert!(!researcher.status.success());
}

#[test]
fn promise_26_retention_is_applied_when_the_server_starts() {
    let (_root, dir, passwords) = demo();
    let coordinator = &passwords["coordinatrice"];
    ok(&as_user(
        &dir,
        "coordinatrice",
        coordinator,
        &["settings", "--identity-retention-until", "2020-01-01"],
    ));
    let served = serve(&dir, &[]);
    let client = Client::signed_in(&served.base, "coordinatrice", coordinator);
    let csrf = client.csrf();
    client.form(&csrf, "/vault/open", &[("password", coordinator)]);
    assert_eq!(
        client
            .get("/api/v1/participants/TBK-INT-001/identity")
            .status,
        404
    );
    drop(served);
    assert_eq!(audit(&dir, "retention_purge").len(), 1);
}

#[test]
fn promise_22_field_staff_register_identities_without_opening_the_vault() {
    let (_root, dir, passwords) = demo();
    add_role_users(&dir, &["facilitator"]);
    let served = serve(&dir, &[]);
    let facilitator = Client::as_role(&served.base, "facilitator");
    let csrf = facilitator.csrf();
    assert_eq!(facilitator.get("/participants/new").status, 200);
    let answer = facilitator.form(
        &csrf,
        "/participants",
        &[
            ("code", "TBK-FLD-001"),
            ("gender", "male"),
            ("age_band", "25-34"),
            ("group", "youth-associations"),
            ("place", "TBK"),
            ("consent", "given"),
            ("identity_name", "Vorpalin Ombrecourt"),
            ("identity_phone", "+223 00 99 88 77"),
            ("identity_location", "Quartier fictif"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.header("location"),
        "/participants/new?registered=TBK-FLD-001"
    );
    // The same through the API.
    let registered = api(
        &facilitator,
        &csrf,
        "POST",
        "/api/v1/participants",
        &json!({"code": "TBK-FLD-002", "gender": "female", "age_band": "35-49",
                "group": "womens-associations", "place": "TBK", "consent": "given",
                "identity": {"name": "Carmillane Ventrefroid", "phone": null, "location": null}}),
    );
    assert_eq!(registered.status, 201, "{}", registered.body);
    // The facilitator cannot read it back, nor anyone's identity.
    assert_eq!(facilitator.get("/participants/TBK-FLD-001").status, 403);
    assert_eq!(
        facilitator.get("/participants/TBK-FLD-001/identity").status,
        403
    );
    assert_eq!(facilitator.get("/vault").status, 403);
    drop(served);
    let shown = ok(&as_user(
        &dir,
        "coordinatrice",
        &passwords["coordinatrice"],
        &["vault", "show", "TBK-FLD-001", "--format", "json"],
    ));
    assert_eq!(json_of(&shown)["name"], "Vorpalin Ombrecourt");
    let shown = ok(&as_user(
        &dir,
        "coordinatrice",
        &passwords["coordinatrice"],
        &["vault", "show", "TBK-FLD-002", "--format", "json"],
    ));
    assert_eq!(json_of(&shown)["name"], "Carmillane Ventrefroid");
    let writes = audit(&dir, "identity_write");
    let last: Vec<(&str, &str)> = writes[writes.len() - 2..]
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or_default(),
                e["target"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        last,
        [
            ("facilitator-user", "TBK-FLD-001"),
            ("facilitator-user", "TBK-FLD-002")
        ]
    );
    // The keyed index knows the name's words without the vault being open.
    let db = store(&dir);
    use sankore_store::VaultStore;
    assert_eq!(db.is_name_token("ombrecourt").ok(), Some(true));
    assert_eq!(db.is_name_token("Zorbamou").ok(), Some(true));
    assert_eq!(db.is_name_token("puits").ok(), Some(false));
}

#[test]
fn promise_27_viewer_never_sees_personal_data() {
    let (_root, dir, _) = demo();
    add_role_users(&dir, &["viewer", "coder", "researcher", "facilitator"]);
    let served = serve(&dir, &[]);
    let viewer = Client::as_role(&served.base, "viewer");
    let csrf = viewer.csrf();
    for path in [
        "/api/v1/participants",
        "/api/v1/participants/TBK-INT-001/identity",
        "/api/v1/documents",
        "/api/v1/documents/TBK-INT-001-T",
        "/api/v1/search?q=puits",
        "/api/v1/settings",
        "/participants",
        "/participants/TBK-INT-001",
        "/participants/TBK-INT-001/identity",
        "/participants/new",
        "/documents",
        "/vault",
        "/settings",
    ] {
        let answer = viewer.get(path);
        assert_eq!(answer.status, 403, "{path}: {}", answer.body);
        assert!(!answer.body.contains("Synthétikou"));
    }
    for (path, body) in [
        ("/api/v1/vault/open", json!({"password": "viewer password"})),
        ("/api/v1/participants/TBK-INT-001/withdraw", json!({})),
    ] {
        assert_eq!(
            api(&viewer, &csrf, "POST", path, &body).status,
            403,
            "{path}"
        );
    }
    // Other roles than coordinators never reach identities either.
    for role in ["coder", "researcher", "facilitator"] {
        let client = Client::as_role(&served.base, role);
        let csrf = client.csrf();
        assert_eq!(
            client
                .get("/api/v1/participants/TBK-INT-001/identity")
                .status,
            403
        );
        assert_eq!(
            api(
                &client,
                &csrf,
                "POST",
                "/api/v1/vault/open",
                &json!({"password": format!("{role} password")})
            )
            .status,
            403,
            "{role}"
        );
        assert_eq!(
            api(
                &client,
                &csrf,
                "POST",
                "/api/v1/participants/TBK-INT-001/withdraw",
                &json!({})
            )
            .status,
            403,
            "{role}"
        );
    }
    drop(served);
    assert!(audit(&dir, "identity_read").is_empty());
    assert!(audit(&dir, "withdrawal").is_empty());
}

#[test]
fn promise_28_coders_see_only_assigned_documents_when_the_coordinator_says_so() {
    let (_root, dir, passwords) = demo();
    add_role_users(&dir, &["coder"]);
    let served = serve(&dir, &[]);
    let coordinator = Client::signed_in(&served.base, "coordinatrice", &passwords["coordinatrice"]);
    let ccsrf = coordinator.csrf();
    let coder = Client::as_role(&served.base, "coder");
    let all = json_of(&coder.get("/api/v1/documents").body)
        .as_array()
        .map_or(0, Vec::len);
    assert!(all > 100, "every document while the switch is off");
    let assigned = api(
        &coordinator,
        &ccsrf,
        "POST",
        "/api/v1/assignments",
        &json!({"document": "TBK-INT-001-T", "coder": "coder-user"}),
    );
    assert!(assigned.status < 300, "{}", assigned.body);
    let on = api(
        &coordinator,
        &ccsrf,
        "PUT",
        "/api/v1/settings",
        &json!({"identity_retention_until": null, "coders_see_assigned_only": true}),
    );
    assert_eq!(on.status, 200, "{}", on.body);
    let listed: Vec<String> = json_of(&coder.get("/api/v1/documents").body)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(listed, ["TBK-INT-001-T"]);
    assert_eq!(coder.get("/api/v1/documents/TBK-INT-001-T").status, 200);
    assert_eq!(coder.get("/api/v1/documents/TBK-INT-002-T").status, 404);
    assert_eq!(coder.get("/documents/TBK-INT-002-T").status, 404);
    let page = coder.get("/documents");
    assert!(page.body.contains("TBK-INT-001-T") && !page.body.contains("TBK-INT-002-T"));
    let hits = json_of(&coder.get("/api/v1/search?q=puits").body);
    assert!(
        hits.as_array()
            .is_some_and(|h| h.iter().all(|hit| hit["code"] == "TBK-INT-001-T")),
        "{hits}"
    );
    let kwic = json_of(&coder.get("/api/v1/analysis/words?keyword=puits").body);
    assert!(
        kwic["occurrences"]
            .as_array()
            .is_some_and(|o| o.iter().all(|hit| hit["document"] == "TBK-INT-001-T")),
        "{kwic}"
    );
    let framework = coder.get("/api/v1/analysis/framework").body;
    assert!(
        !framework.contains("TBK-INT-002-T") && !framework.contains("GDM-INT-"),
        "framework excerpts only from their documents"
    );
    let coder_csrf = coder.csrf();
    let refused = api(
        &coder,
        &coder_csrf,
        "POST",
        "/api/v1/documents/TBK-INT-002-T/codings",
        &json!({"codes": ["x"], "start": 0, "end": 3}),
    );
    assert_eq!(
        refused.status, 404,
        "no coding on a document they cannot read"
    );
    // Researchers still see everything; a coder may not change the switch.
    assert_eq!(coder.get("/api/v1/settings").status, 403);
    assert_eq!(
        coordinator.get("/api/v1/documents/TBK-INT-002-T").status,
        200
    );
    // Off again from the settings page.
    let off = coordinator.form(&ccsrf, "/settings", &[("identity_retention_until", "")]);
    assert_eq!(off.status, 303);
    assert_eq!(coder.get("/api/v1/documents/TBK-INT-002-T").status, 200);
}

#[test]
fn the_vault_key_follows_a_password_change_in_the_workbench() {
    let (_root, dir, passwords) = demo();
    let old = passwords["coordinatrice"].clone();
    let served = serve(&dir, &[]);
    let client = Client::signed_in(&served.base, "coordinatrice", &old);
    let csrf = client.csrf();
    assert_eq!(
        api(
            &client,
            &csrf,
            "POST",
            "/api/v1/vault/open",
            &json!({"password": old})
        )
        .status,
        204
    );
    let new = "un tout nouveau mot de passe";
    let changed = client.form(
        &csrf,
        "/account/password",
        &[("current", &old), ("new", new), ("confirm", new)],
    );
    assert_eq!(changed.status, 303, "{}", changed.body);
    // Every session ended; a new one opens the vault with the new password.
    let again = Client::signed_in(&served.base, "coordinatrice", new);
    let csrf = again.csrf();
    assert_eq!(
        again
            .get("/api/v1/participants/TBK-INT-001/identity")
            .status,
        409,
        "the vault closed with the sessions"
    );
    assert_eq!(
        api(
            &again,
            &csrf,
            "POST",
            "/api/v1/vault/open",
            &json!({"password": old})
        )
        .status,
        400
    );
    assert_eq!(
        api(
            &again,
            &csrf,
            "POST",
            "/api/v1/vault/open",
            &json!({"password": new})
        )
        .status,
        204
    );
    let identity = again.get("/api/v1/participants/TBK-INT-001/identity");
    assert_eq!(json_of(&identity.body)["name"], "Zorbamou Synthétikou");
    drop(served);
    // A reset without the old password cannot re-wrap, and says so.
    let file = dir.join(".reset");
    std::fs::write(&file, "mot de passe remis à zéro").unwrap_or_else(|e| panic!("{e}"));
    let reset = in_workspace(&dir, &["user", "password", "--name", "coordinatrice"])
        .arg("--password-file")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(reset.status.success());
    assert!(String::from_utf8_lossy(&reset.stderr).contains("sankore vault grant"));
}
