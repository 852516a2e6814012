//! The mapping of imported responses chosen in the workbench (issue 5,
//! item 5), against the real server and binary: who may see it, a refused
//! mapping saves nothing, applying links the unlinked submissions once and
//! all or nothing, the downloaded TOML gives through `import kobo
//! --mapping` the records the saved mapping gives (and `import kobo`
//! without `--mapping` uses the saved one), and the same form filled in a
//! headless Chromium.

mod support;

use sankore_formats::submissions::mapping::Mapping;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use support::browser::Browser;
use support::fielddata::{MAPPING, SUBS, Sub, demo_with_unlinked_responses, json, kobo_csv, run};
use support::{Answer, Client, add_user, form_encode, serve};

const FORM: &str = "/field-data/enquete";

/// The form fields that say what `MAPPING` says.
const FIELDS: &[(&str, &str)] = &[
    ("participant", "resp/code"),
    ("gender", "resp/gender"),
    ("age", "resp/age"),
    ("group", "resp/grp"),
    ("place", "resp/commune"),
    ("session_date", "resp/day"),
    ("documents", "story"),
    ("language", "fr"),
    ("value:gender:f", "female"),
    ("value:gender:m", "male"),
    ("value:group:youth", "youth-associations"),
    ("value:group:women", "womens-associations"),
    ("value:place:tbk1", "TBK-01"),
    ("value:place:tbk2", "TBK-02"),
    ("default:consent", "given"),
];

/// Posts form fields with the session's CSRF token.
fn post(client: &Client, path: &str, fields: &[(&str, &str)], extra: &[(&str, &str)]) -> Answer {
    let csrf = client.csrf();
    let body: Vec<String> = std::iter::once(("csrf", csrf.as_str()))
        .chain(fields.iter().copied())
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect();
    client.send(
        "POST",
        path,
        extra,
        Some(("application/x-www-form-urlencoded", &body.join("&"))),
    )
}

/// `(submissions, linked, unlinked)` as the form's page shows them.
fn counts(client: &Client) -> (u64, u64, u64) {
    let page = client.get(FORM);
    assert_eq!(page.status, 200, "{}", page.body);
    let count = |id: &str| -> u64 {
        page.body
            .split(&format!("id=\"{id}\">"))
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {id} on the page"))
    };
    (
        count("count-submissions"),
        count("count-linked"),
        count("count-unlinked"),
    )
}

/// The records the fixtures' submissions gave: participants, and the
/// sessions and documents derived from submissions (`RESP-…`), as the API
/// serves them.
fn linked_records(client: &Client) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let list = |path: &str| -> Vec<Value> {
        let answer = client.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let value: Value = serde_json::from_str(&answer.body).unwrap_or_default();
        value
            .as_array()
            .or_else(|| {
                value
                    .as_object()
                    .and_then(|o| o.values().find_map(Value::as_array))
            })
            .cloned()
            .unwrap_or_default()
    };
    let ours = |v: &Value| {
        let code = v["code"].as_str().unwrap_or_default();
        code.starts_with("TBK-K-") || code.starts_with("RESP-")
    };
    let participants = list("/api/v1/participants")
        .into_iter()
        .filter(ours)
        .collect();
    let sessions = list("/api/v1/sessions").into_iter().filter(ours).collect();
    let documents: Vec<Value> = list("/api/v1/documents").into_iter().filter(ours).collect();
    let documents = documents
        .iter()
        .map(|d| {
            let code = d["code"].as_str().unwrap_or_default();
            let full: Value =
                serde_json::from_str(&client.get(&format!("/api/v1/documents/{code}")).body)
                    .unwrap_or_default();
            serde_json::json!({"code": code, "text": full["text"], "title": full["title"]})
        })
        .collect();
    (participants, sessions, documents)
}

#[test]
fn roles_refusals_saving_and_applying_over_http() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (dir, _, _) = demo_with_unlinked_responses(root.path());
    add_user(
        &dir,
        "coord-test",
        "coordinator",
        "mot de passe coordination",
    );
    add_user(&dir, "cherch-test", "researcher", "mot de passe recherche");
    add_user(&dir, "codeuse-test", "coder", "mot de passe codeuse");
    add_user(&dir, "lecteur-test", "viewer", "mot de passe lecteur");
    let served = serve(&dir, &[]);
    let coordinator = Client::signed_in(&served.base, "coord-test", "mot de passe coordination");
    let researcher = Client::signed_in(&served.base, "cherch-test", "mot de passe recherche");

    // Viewers and coders never see it, nor act on it.
    for (name, password) in [
        ("lecteur-test", "mot de passe lecteur"),
        ("codeuse-test", "mot de passe codeuse"),
    ] {
        let client = Client::signed_in(&served.base, name, password);
        for path in ["/field-data", FORM, "/field-data/enquete/mapping.toml"] {
            assert_eq!(client.get(path).status, 403, "{name} GET {path}");
        }
        assert_eq!(post(&client, FORM, FIELDS, &[]).status, 403, "{name}");
        assert_eq!(
            post(&client, "/field-data/enquete/apply", &[], &[]).status,
            403,
            "{name}"
        );
        assert!(!client.get("/").body.contains("href=\"/field-data\""));
    }
    // Without the CSRF token, refused.
    let forged = coordinator.send(
        "POST",
        "/field-data/enquete/apply",
        &[],
        Some(("application/x-www-form-urlencoded", "csrf=forged")),
    );
    assert_eq!(forged.status, 403);

    let list = coordinator.get("/field-data");
    assert_eq!(list.status, 200);
    assert!(
        list.body
            .contains("<td class=\"n\">2</td><td class=\"n\">0</td><td class=\"n\">2</td>"),
        "{}",
        list.body
    );
    assert!(coordinator.get("/").body.contains("href=\"/field-data\""));
    assert_eq!(counts(&researcher), (2, 0, 2));
    let page = coordinator.get(FORM);
    assert!(
        page.body
            .contains("<option value=\"resp/code\">Participant code (code)</option>")
            || page
                .body
                .contains("<option value=\"resp/code\">Code du participant (code)</option>"),
        "the questions are listed by label and name: {}",
        page.body
    );

    // A question the form lacks: the page again with the error in its
    // language, and nothing saved.
    let mut bad = FIELDS.to_vec();
    bad[0] = ("participant", "resp/nope");
    let refused = post(&coordinator, FORM, &bad, &[]);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("id=\"problem\""), "{}", refused.body);
    assert!(
        refused.body.contains("no such question in the form"),
        "{}",
        refused.body
    );
    let refused = post(&coordinator, FORM, &bad, &[("Cookie", "sankore_lang=fr")]);
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("le formulaire n&#39;a pas cette question")
            || refused
                .body
                .contains("le formulaire n&#x27;a pas cette question")
            || refused
                .body
                .contains("le formulaire n'a pas cette question"),
        "{}",
        refused.body
    );
    assert_eq!(
        coordinator.get("/field-data/enquete/mapping.toml").status,
        404
    );

    // A value the study lacks passes the form's checks but refuses the
    // whole application, naming the submission and the question.
    let mut wrong_place = FIELDS.to_vec();
    wrong_place[12] = ("value:place:tbk1", "XX-99");
    let saved = post(&coordinator, FORM, &wrong_place, &[]);
    assert_eq!(saved.status, 303, "{}", saved.body);
    let applied = post(&coordinator, "/field-data/enquete/apply", &[], &[]);
    assert_eq!(applied.status, 400);
    assert!(
        applied.body.contains(SUBS[0].uuid) && applied.body.contains("/resp/commune"),
        "{}",
        applied.body
    );
    assert!(
        applied.body.contains("not a place code of the study"),
        "{}",
        applied.body
    );
    let applied = post(
        &coordinator,
        "/field-data/enquete/apply",
        &[],
        &[("Cookie", "sankore_lang=fr")],
    );
    assert_eq!(applied.status, 400);
    assert!(
        applied.body.contains("pas un code de lieu du répertoire"),
        "{}",
        applied.body
    );
    assert_eq!(counts(&coordinator), (2, 0, 2));
    assert!(!coordinator.get("/participants").body.contains("TBK-K-001"));

    // The right mapping: saved, downloaded as the file --mapping reads,
    // applied once.
    let saved = post(&researcher, FORM, FIELDS, &[]);
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.header("location"), "/field-data/enquete?saved=1");
    let file = coordinator.get("/field-data/enquete/mapping.toml");
    assert_eq!(file.status, 200);
    assert!(
        file.header("content-disposition")
            .contains("enquete-mapping.toml")
    );
    assert_eq!(
        Mapping::parse("downloaded.toml", &file.body),
        Mapping::parse("mapping.toml", MAPPING)
    );
    let applied = post(&coordinator, "/field-data/enquete/apply", &[], &[]);
    assert_eq!(applied.status, 303, "{}", applied.body);
    assert_eq!(applied.header("location"), "/field-data/enquete?linked=2");
    assert_eq!(counts(&coordinator), (2, 2, 0));
    let (participants, sessions, documents) = linked_records(&coordinator);
    assert_eq!(
        (participants.len(), sessions.len(), documents.len()),
        (2, 2, 2)
    );
    assert!(
        documents
            .iter()
            .any(|d| d["text"].as_str() == Some(SUBS[0].story)),
        "{documents:?}"
    );
    // Again: nothing new.
    let again = post(&coordinator, "/field-data/enquete/apply", &[], &[]);
    assert_eq!(again.header("location"), "/field-data/enquete?linked=0");
    assert_eq!(linked_records(&coordinator).2.len(), 2);
    assert_eq!(counts(&coordinator), (2, 2, 0));
    drop(served);

    let audit = json(
        &run(
            &[
                "audit",
                "show",
                "--action",
                "mapping_saved",
                "--format",
                "json",
            ],
            &dir,
        )
        .success(),
    );
    let actors: Vec<&str> = audit
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert_eq!(actors, ["coord-test", "cherch-test"]);
    run(&["audit", "verify"], &dir).success();
    run(&["check"], &dir).success();
}

/// A third submission, for a grown export.
const THIRD: Sub = Sub {
    uuid: "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c63",
    code: "TBK-K-003",
    gender: "f",
    age: "52",
    story: "Le marché a rouvert.",
    reasons: "jobs",
    other: "",
    gps: "",
    members: &[],
};

#[test]
fn the_downloaded_file_and_the_saved_mapping_give_the_same_records() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let saved_root = root.path().join("saved");
    let file_root = root.path().join("file");
    for r in [&saved_root, &file_root] {
        std::fs::create_dir_all(r).unwrap_or_else(|e| panic!("{e}"));
    }
    let (saved_dir, form, _) = demo_with_unlinked_responses(&saved_root);
    add_user(
        &saved_dir,
        "coord-test",
        "coordinator",
        "mot de passe coordination",
    );
    let served = serve(&saved_dir, &[]);
    let coordinator = Client::signed_in(&served.base, "coord-test", "mot de passe coordination");
    assert_eq!(post(&coordinator, FORM, FIELDS, &[]).status, 303);
    assert_eq!(
        post(&coordinator, "/field-data/enquete/apply", &[], &[]).status,
        303
    );
    let toml = coordinator.get("/field-data/enquete/mapping.toml").body;
    drop(served);
    let downloaded = root.path().join("enquete-mapping.toml");
    std::fs::write(&downloaded, &toml).unwrap_or_else(|e| panic!("{e}"));

    // A grown export, imported without --mapping: the saved mapping is
    // used, and said so.
    let grown = root.path().join("grown.csv");
    std::fs::write(&grown, kobo_csv(&[SUBS[0], SUBS[1], THIRD])).unwrap_or_else(|e| panic!("{e}"));
    let import = |dir: &Path, mapping: Option<&Path>, lang: &str| {
        let mut args = vec![
            "--lang".to_owned(),
            lang.to_owned(),
            "import".to_owned(),
            "kobo".to_owned(),
            "--form".to_owned(),
            form.display().to_string(),
            "--data".to_owned(),
            grown.display().to_string(),
            "--format".to_owned(),
            "json".to_owned(),
        ];
        if let Some(m) = mapping {
            args.extend(["--mapping".to_owned(), m.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, dir).success()
    };
    let assert = import(&saved_dir, None, "fr");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("Correspondance enregistrée dans l'atelier utilisée pour le formulaire enquete (coord-test"),
        "{stderr}"
    );
    let summary = json(&assert);
    assert_eq!(
        (
            summary["new"].as_u64(),
            summary["participants_created"].as_u64(),
            summary["documents_created"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );

    // Elsewhere, the downloaded file through --mapping: the same records.
    let file_dir = file_root.join("demo");
    support::create_demo(&file_dir);
    let summary = json(&import(&file_dir, Some(&downloaded), "en"));
    assert_eq!(
        (
            summary["new"].as_u64(),
            summary["participants_created"].as_u64(),
            summary["sessions_created"].as_u64(),
            summary["documents_created"].as_u64()
        ),
        (Some(3), Some(3), Some(3), Some(3))
    );
    add_user(
        &file_dir,
        "coord-test",
        "coordinator",
        "mot de passe coordination",
    );
    let records = |dir: &Path| {
        let served = serve(dir, &[]);
        let client = Client::signed_in(&served.base, "coord-test", "mot de passe coordination");
        linked_records(&client)
    };
    let (from_saved, from_file) = (records(&saved_dir), records(&file_dir));
    assert_eq!(from_saved.0.len(), 3);
    assert_eq!(from_saved, from_file);
}

#[test]
fn the_mapping_form_in_a_real_browser() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (dir, _, _) = demo_with_unlinked_responses(root.path());
    add_user(
        &dir,
        "coord-test",
        "coordinator",
        "mot de passe coordination",
    );
    let served = serve(&dir, &[]);
    let browser = Browser::start();
    browser.sign_in(&served.base, "coord-test", "mot de passe coordination");
    browser.goto(&format!("{}/field-data?lang=fr", served.base));
    assert!(browser.page_source().contains("Données de terrain"));
    browser.click("a[href='/field-data/enquete']");
    wait_for(&browser, "id=\"mapping\"");

    // The questions, the document, the defaults.
    for (attribute, question) in [
        ("participant", "resp/code"),
        ("gender", "resp/gender"),
        ("age", "resp/age"),
        ("group", "resp/grp"),
        ("place", "resp/commune"),
        ("session_date", "resp/day"),
    ] {
        browser.click(&format!("#q-{attribute} option[value='{question}']"));
    }
    browser.click("#doc-story");
    browser.type_into("#language", "fr");
    browser.click("#default-consent option[value='given']");
    browser.click("#save-mapping");
    wait_for(&browser, "id=\"notice\"");

    // No value map is saved yet (what the wait below tells pages apart by).
    assert!(!browser.page_source().contains("value=\"TBK-02\" selected"));
    // The choices of the select questions now have their value maps.
    for (name, value) in [
        ("value:gender:f", "female"),
        ("value:gender:m", "male"),
        ("value:group:youth", "youth-associations"),
        ("value:group:women", "womens-associations"),
        ("value:place:tbk1", "TBK-01"),
        ("value:place:tbk2", "TBK-02"),
    ] {
        browser.click(&format!("select[name='{name}'] option[value='{value}']"));
    }
    browser.click("#save-mapping");
    // The page after this save, not the one before it (which already
    // offers to apply the first save): it shows the value maps as saved.
    wait_for(&browser, "value=\"TBK-02\" selected");
    assert!(browser.page_source().contains("id=\"apply-mapping\""));
    browser.click("#apply-mapping");
    wait_for(&browser, "id=\"count-linked\">2<");

    let client = Client::signed_in(&served.base, "coord-test", "mot de passe coordination");
    assert_eq!(counts(&client), (2, 2, 0));
    let file = client.get("/field-data/enquete/mapping.toml").body;
    assert_eq!(
        Mapping::parse("browser.toml", &file),
        Mapping::parse("mapping.toml", MAPPING)
    );
    let (participants, sessions, documents) = linked_records(&client);
    assert_eq!(
        (participants.len(), sessions.len(), documents.len()),
        (2, 2, 2)
    );
}

/// Waits until the page holds `text`.
fn wait_for(browser: &Browser, text: &str) {
    let started = Instant::now();
    while !browser.page_source().contains(text) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never saw {text}: {}",
            browser.page_source()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
