//! The workbench over real HTTP against `sankore serve`: every route for
//! every role, CSRF, sign-in limits, stored XSS, stale edits.

mod support;

use sankore_domain::{Codebook, TextBody};
use sankore_store::{Passphrase, Store, Workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::{Client, PASSPHRASE, ROLES, add_role_users, serve};

const DOCUMENT: &str = "TBK-INT-001-T";
const SCRIPT: &str = "<script>alert('transcript')</script>";
const CODE_NAME: &str = "<img src=x onerror=alert('code')>";

/// A demo workspace with hostile text planted in a transcript and a code
/// name, and one account per role (`ROLE-user`, password `ROLE password`).
fn workspace() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, dir) = DIR.get_or_init(|| {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("w");
        let mut records = sankore_demo::reference_study();
        if let Some(doc) = records.documents.iter_mut().find(|d| d.code == DOCUMENT) {
            doc.body = TextBody::new(&format!("{}\n{SCRIPT}", doc.body.as_str()));
        }
        let mut codes = records.codebook.codes().to_vec();
        codes[0].name.en = CODE_NAME.to_owned();
        codes[0].name.fr = CODE_NAME.to_owned();
        records.codebook =
            Codebook::new(1, &records.codebook.label, codes, 6).unwrap_or_else(|e| panic!("{e}"));
        let (_, mut store) = Workspace::create(&dir, &Passphrase::new(PASSPHRASE.to_owned()))
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .import_study(&records, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
        drop(store);
        add_role_users(&dir, &ROLES);
        (root, dir)
    });
    dir
}

/// A route to try: method, path, JSON body, expected status for each role
/// (in `ROLES` order), expected status signed out.
type RouteCase<'a> = (&'a str, &'a str, Option<&'a str>, [u16; 5], u16);

fn new_coding_body() -> String {
    r#"{"codes": ["push.economic.jobs"], "start": 5, "end": 25, "memo": null}"#.to_owned()
}

#[test]
fn every_route_for_every_role() {
    let served = serve(workspace(), &[]);
    let anonymous = Client::new(&served.base);
    let readers = [200, 200, 200, 200, 403];
    let everyone = [200; 5];
    let coders = [201, 201, 201, 403, 403];
    let records = [200, 200, 200, 403, 403];
    let document_page = format!("/documents/{DOCUMENT}");
    let document_api = format!("/api/v1/documents/{DOCUMENT}");
    let codings_api = format!("/api/v1/documents/{DOCUMENT}/codings");
    let body = new_coding_body();
    let table: Vec<RouteCase> = vec![
        ("GET", "/", None, everyone, 303),
        ("GET", "/documents", None, readers, 303),
        ("GET", &document_page, None, readers, 303),
        ("GET", "/codebook.css", None, everyone, 303),
        ("GET", "/api/v1/study", None, everyone, 401),
        ("GET", "/api/v1/codebook", None, everyone, 401),
        ("GET", "/api/v1/openapi.json", None, everyone, 401),
        ("GET", "/api/v1/documents", None, readers, 401),
        ("GET", &document_api, None, readers, 401),
        ("POST", &codings_api, Some(&body), coders, 401),
        ("GET", "/search?q=jeunes", None, readers, 303),
        ("GET", "/codebook", None, everyone, 303),
        ("GET", "/codebook/push.economic.jobs", None, readers, 303),
        ("GET", "/participants", None, records, 303),
        ("GET", "/participants/TBK-INT-001", None, records, 303),
        ("GET", "/sessions", None, records, 303),
        ("GET", "/sessions/TBK-INT-001", None, records, 303),
        ("GET", "/api/v1/participants", None, records, 401),
        ("GET", "/api/v1/sessions", None, records, 401),
        ("GET", "/api/v1/search?q=jeunes", None, readers, 401),
        ("GET", "/healthz", None, everyone, 200),
        ("GET", "/login", None, everyone, 200),
        ("GET", "/static/app.css", None, everyone, 200),
        ("GET", "/static/coding.js", None, everyone, 200),
    ];
    for role in ROLES.iter().enumerate() {
        let (index, role) = role;
        let user = Client::as_role(&served.base, role);
        let csrf = user.csrf();
        for (method, path, body, expected, _) in &table {
            let headers = [("X-CSRF-Token", csrf.as_str())];
            let answer = user.send(
                method,
                path,
                &headers,
                body.map(|b| ("application/json", b)),
            );
            assert_eq!(
                answer.status, expected[index],
                "{role} {method} {path}: {}",
                answer.body
            );
        }
    }
    for (method, path, body, _, signed_out) in &table {
        let answer = anonymous.send(method, path, &[], body.map(|b| ("application/json", b)));
        assert_eq!(answer.status, *signed_out, "signed out {method} {path}");
        if *signed_out == 303 {
            assert_eq!(answer.header("location"), "/login");
        }
    }
    // A viewer never sees transcript text, even through the dashboard.
    let viewer = Client::as_role(&served.base, "viewer");
    assert!(!viewer.get("/").body.contains("SYNTHÉTIQUES"));
}

#[test]
fn state_changes_need_the_csrf_token_and_a_matching_origin() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let path = format!("/api/v1/documents/{DOCUMENT}/codings");
    let body = new_coding_body();
    let json = Some(("application/json", body.as_str()));
    assert_eq!(coder.send("POST", &path, &[], json).status, 403, "no token");
    assert_eq!(
        coder
            .send(
                "POST",
                &path,
                &[("X-CSRF-Token", "0".repeat(64).as_str())],
                json
            )
            .status,
        403
    );
    let csrf = coder.csrf();
    let foreign = [
        ("X-CSRF-Token", csrf.as_str()),
        ("Origin", "http://evil.example"),
    ];
    assert_eq!(
        coder.send("POST", &path, &foreign, json).status,
        403,
        "foreign origin"
    );
    assert_eq!(
        coder
            .send("POST", &path, &[("X-CSRF-Token", csrf.as_str())], json)
            .status,
        201
    );
    // Sign-out needs the token too, then the session is gone.
    let form = Some(("application/x-www-form-urlencoded", "csrf=wrong"));
    assert_eq!(coder.send("POST", "/logout", &[], form).status, 403);
    let good = format!("csrf={csrf}");
    let out = coder.send(
        "POST",
        "/logout",
        &[],
        Some(("application/x-www-form-urlencoded", good.as_str())),
    );
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(coder.get("/").status, 303, "the old cookie no longer works");
}

#[test]
fn sign_in_is_rate_limited_and_does_not_reveal_names() {
    let served = serve(workspace(), &[]);
    let anonymous = Client::new(&served.base);
    let unknown = anonymous.login("nobody-here", "whatever password");
    let wrong = anonymous.login("viewer-user", "wrong password");
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.status, 401);
    assert_eq!(
        unknown.body, wrong.body,
        "same answer for unknown names and wrong passwords"
    );
    for _ in 0..4 {
        anonymous.login("viewer-user", "wrong password");
    }
    let limited = anonymous.login("viewer-user", "viewer password");
    assert_eq!(limited.status, 429, "even the right password waits");
    assert!(
        limited
            .header("retry-after")
            .parse::<u64>()
            .is_ok_and(|s| s > 0)
    );
}

#[test]
fn stored_markup_renders_as_text() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let csrf = coder.csrf();
    let memo = "<svg onload=alert('memo')>";
    let body =
        serde_json::json!({"codes": ["push"], "start": 0, "end": 10, "memo": memo}).to_string();
    let path = format!("/api/v1/documents/{DOCUMENT}/codings");
    let created = coder.send(
        "POST",
        &path,
        &[("X-CSRF-Token", csrf.as_str())],
        Some(("application/json", &body)),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let page = coder.get(&format!("/documents/{DOCUMENT}")).body;
    for raw in [SCRIPT, CODE_NAME, memo] {
        assert!(!page.contains(raw), "{raw} rendered as markup");
    }
    // Escaped, whichever entity style the template engine picks.
    let escaped = |text: &str| {
        page.contains(&text.replace('<', "&lt;")) || page.contains(&text.replace('<', "&#60;"))
    };
    for visible in [
        "script&#62;alert(",
        "svg onload=alert(",
        "img src=x onerror=alert(",
    ] {
        let as_lt = visible.replace("&#62;", "&gt;");
        assert!(
            escaped(&format!("<{visible}")) || escaped(&format!("<{as_lt}")),
            "{visible} missing"
        );
    }
    // The API returns the text as data, JSON-encoded.
    let api: Value =
        serde_json::from_str(&coder.get(&format!("/api/v1/documents/{DOCUMENT}")).body)
            .unwrap_or_default();
    assert!(api["text"].as_str().is_some_and(|t| t.ends_with(SCRIPT)));
}

#[test]
fn stale_edits_are_refused_with_a_clear_message() {
    let served = serve(workspace(), &[]);
    let first = Client::as_role(&served.base, "coder");
    let second = Client::as_role(&served.base, "researcher");
    let (csrf1, csrf2) = (first.csrf(), second.csrf());
    let path = format!("/api/v1/documents/{DOCUMENT}/codings");
    let body = serde_json::json!({"codes": ["push"], "start_utf16": 3, "end_utf16": 9}).to_string();
    let created = first.send(
        "POST",
        &path,
        &[("X-CSRF-Token", csrf1.as_str())],
        Some(("application/json", &body)),
    );
    let coding: Value = serde_json::from_str(&created.body).unwrap_or_default();
    let id = coding[0]["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(coding[0]["version"], 1);
    let page = first.get(&format!("/codings/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"version\" value=\"1\""));
    assert_eq!(
        Client::as_role(&served.base, "viewer")
            .get(&format!("/codings/{id}"))
            .status,
        403
    );
    assert_eq!(
        Client::new(&served.base)
            .get(&format!("/codings/{id}"))
            .status,
        303
    );
    let change =
        |code: &str| serde_json::json!({"version": 1, "code": code, "memo": "vu"}).to_string();
    let one = change("push.economic");
    let two = change("pull");
    let ok = first.send(
        "PATCH",
        &format!("/api/v1/codings/{id}"),
        &[("X-CSRF-Token", csrf1.as_str())],
        Some(("application/json", &one)),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let stale = second.send(
        "PATCH",
        &format!("/api/v1/codings/{id}"),
        &[("X-CSRF-Token", csrf2.as_str())],
        Some(("application/json", &two)),
    );
    assert_eq!(stale.status, 409);
    assert!(
        stale.body.contains("changed by someone else"),
        "{}",
        stale.body
    );
    let gone = second.send(
        "DELETE",
        &format!("/api/v1/codings/{id}?version=1"),
        &[("X-CSRF-Token", csrf2.as_str())],
        None,
    );
    assert_eq!(gone.status, 409);
    let removed = second.send(
        "DELETE",
        &format!("/api/v1/codings/{id}?version=2"),
        &[("X-CSRF-Token", csrf2.as_str())],
        None,
    );
    assert_eq!(removed.status, 204);
}

#[test]
fn workspace_store_is_readable_after_the_web_changes() {
    // The hostile workspace still passes every integrity check.
    let dir = workspace();
    let store = Workspace::open(dir)
        .and_then(|w| w.open_store(&Passphrase::new(PASSPHRASE.to_owned())))
        .unwrap_or_else(|e| panic!("{e}"));
    let checks = store.check().unwrap_or_else(|e| panic!("{e}"));
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
}

#[test]
fn codebook_editing_adds_renames_moves_and_merges() {
    let served = serve(workspace(), &[]);
    let coordinator = Client::as_role(&served.base, "coordinator");
    let csrf = coordinator.csrf();
    let form = |fields: &str| format!("csrf={csrf}&{fields}");
    let post = |client: &Client, path: &str, body: &str| {
        client.send(
            "POST",
            path,
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
    };
    let added = post(
        &coordinator,
        "/codebook/codes",
        &form(
            "key=push.economic.transport&parent=push.economic&name_fr=Transport&name_en=Transport&color=%23aa3300",
        ),
    );
    assert_eq!(added.status, 303, "{}", added.body);
    let page = coordinator.get("/codebook").body;
    assert!(page.contains("push.economic.transport"));
    // Rename and move under another parent.
    let moved = post(
        &coordinator,
        "/codebook/codes",
        &form(
            "key=push.economic.transport&parent=push.governance&name_fr=Routes+coup%C3%A9es&name_en=Roads+cut&color=%23aa3300",
        ),
    );
    assert_eq!(moved.status, 303, "{}", moved.body);
    let book: Value =
        serde_json::from_str(&coordinator.get("/api/v1/codebook").body).unwrap_or_default();
    let code = book["codes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["key"] == "push.economic.transport")
        .cloned()
        .unwrap_or_default();
    assert_eq!(code["parent"], "push.governance");
    assert_eq!(code["name"]["fr"], "Routes coupées");
    // A cycle is refused with a message.
    let cycle = post(
        &coordinator,
        "/codebook/codes",
        &form("key=push&parent=push.economic&name_fr=Pouss%C3%A9e&color=%23000000"),
    );
    assert_eq!(cycle.status, 400);
    // Merge moves the codings: the segments page of the target lists them all.
    let count = |key: &str| {
        coordinator
            .get(&format!("/codebook/{key}"))
            .body
            .matches("class=\"context\"")
            .count()
    };
    // (Codes no other test of this file codes, as they run in parallel.)
    let (into, from) = (
        count("push.economic.deprivation"),
        count("push.economic.resources"),
    );
    assert!(from > 0);
    let merged = post(
        &coordinator,
        "/codebook/merge",
        &form("from=push.economic.resources&into=push.economic.deprivation"),
    );
    assert_eq!(merged.status, 303, "{}", merged.body);
    assert_eq!(count("push.economic.deprivation"), into + from);
    assert_eq!(
        coordinator.get("/codebook/push.economic.resources").status,
        404
    );
    // Roles without the right are refused.
    let facilitator = Client::as_role(&served.base, "facilitator");
    let token = facilitator.csrf();
    let refused = post(
        &facilitator,
        "/codebook/codes",
        &format!("csrf={token}&key=x1&name_fr=X&color=%23000000"),
    );
    assert_eq!(refused.status, 403);
}

#[test]
fn field_team_registers_participants_sessions_and_transcripts() {
    let served = serve(workspace(), &[]);
    let researcher = Client::as_role(&served.base, "researcher");
    let csrf = researcher.csrf();
    let post = |path: &str, fields: &str| {
        let body = format!("csrf={csrf}&{fields}");
        researcher.send(
            "POST",
            path,
            &[],
            Some(("application/x-www-form-urlencoded", body.as_str())),
        )
    };
    let participant = "code=GDM-INT-900&gender=female&age_band=18-24&group=youth-associations&place=GDM-03&consent=pending";
    let created = post("/participants", participant);
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.header("location"), "/participants/GDM-INT-900");
    assert_eq!(
        post("/participants", participant).status,
        409,
        "codes are unique"
    );
    let name_as_code = post(
        "/participants",
        &participant.replace("GDM-INT-900", "Fatouma+Maiga"),
    );
    assert_eq!(name_as_code.status, 400, "a name is not a code");
    let edited = post(
        "/participants/GDM-INT-900",
        &participant.replace("pending", "given"),
    );
    assert_eq!(edited.status, 303);
    let list = researcher
        .get("/participants?group=youth-associations&place=GDM&gender=female")
        .body;
    assert!(list.contains("GDM-INT-900"));
    assert!(
        researcher
            .get("/participants/GDM-INT-900")
            .body
            .contains(">given<")
    );

    let bad_counts = post(
        "/sessions",
        "code=GDM-FGD-900&kind=focus-group&place=GDM&date=2017-05-20&composition=youth-associations+female+3%0Ayouth-associations+male+2&declared_total=6",
    );
    assert_eq!(bad_counts.status, 400, "counts must add up");
    assert!(
        bad_counts.body.contains("add up to 5"),
        "{}",
        bad_counts.body
    );
    let outside = post(
        "/sessions",
        "code=GDM-INT-900&kind=interview&place=GDM-03&date=2018-01-01&participants=GDM-INT-900",
    );
    assert_eq!(outside.status, 400, "outside the study period");
    let session = post(
        "/sessions",
        "code=GDM-INT-900&kind=interview&place=GDM-03&date=2017-05-02&facilitators=R1&participants=GDM-INT-900",
    );
    assert_eq!(session.status, 303, "{}", session.body);
    let edited = post(
        "/sessions/GDM-INT-900",
        "kind=interview&place=GDM-04&date=2017-05-03&facilitators=R1%2C+R2&participants=GDM-INT-900",
    );
    assert_eq!(edited.status, 303, "{}", edited.body);
    let page = researcher.get("/sessions/GDM-INT-900").body;
    assert!(
        page.contains("2017-05-03") && page.contains("R1, R2"),
        "the edit landed"
    );
    let bad_edit = post(
        "/sessions/GDM-INT-900",
        "kind=interview&place=GDM-04&date=2017-05-03&participants=",
    );
    assert_eq!(bad_edit.status, 400, "an interview keeps one participant");
    let transcript = "Enqu%C3%AAtrice+%3A+Bonjour+%F0%9F%99%82%0AGDM-INT-900+%3A+Les+jeunes+n%27ont+pas+de+travail.";
    let typed = post(
        "/sessions/GDM-INT-900/documents",
        &format!("title=Entretien+900&language=fr&text={transcript}"),
    );
    assert_eq!(typed.status, 303, "{}", typed.body);
    let document = typed
        .header("location")
        .trim_start_matches("/documents/")
        .to_owned();
    let api: Value = serde_json::from_str(
        &researcher
            .get(&format!("/api/v1/documents/{document}"))
            .body,
    )
    .unwrap_or_default();
    assert_eq!(
        api["text"],
        "Enquêtrice : Bonjour 🙂\nGDM-INT-900 : Les jeunes n'ont pas de travail."
    );
    assert_eq!(api["turns"][0]["speaker"], "Enquêtrice");
    assert_eq!(api["turns"][1]["participant"], "GDM-INT-900");
    assert_eq!(
        api["turns"][1]["span"]["start"], 37,
        "scalar offsets: the emoji counts once"
    );

    // A coder reads but does not register.
    let coder = Client::as_role(&served.base, "coder");
    let token = coder.csrf();
    let body = format!("csrf={token}&{}", participant.replace("900", "901"));
    let refused = coder.send(
        "POST",
        "/participants",
        &[],
        Some(("application/x-www-form-urlencoded", body.as_str())),
    );
    assert_eq!(refused.status, 403);
}

#[test]
fn dashboard_shows_quotas_and_sessions_per_week() {
    let served = serve(workspace(), &[]);
    let viewer = Client::as_role(&served.base, "viewer");
    let page = viewer.get("/?lang=en").body;
    assert!(page.contains("Interviews against quotas"));
    assert_eq!(
        page.matches("<svg").count(),
        2,
        "a quota chart and a weekly chart"
    );
    assert!(page.contains(">18/18</text>"), "Tombouctou's men: 18 of 18");
    assert!(page.contains("Sessions per week"));
    assert!(
        page.contains("<td>Niafunké</td>"),
        "the detailed quota table"
    );
}

#[test]
fn search_is_french_aware_and_encrypted() {
    let served = serve(workspace(), &[]);
    let researcher = Client::as_role(&served.base, "researcher");
    // Without accents, singular for plural: « desoeuvre » finds « désœuvrés ».
    let page = researcher.get("/search?q=desoeuvre").body;
    assert!(
        page.contains("<mark>désœuvrés</mark>") || page.contains("<mark>Désœuvrés</mark>"),
        "{}",
        &page[..page.len().min(2000)]
    );
    let hits = page.matches("<li><a href=\"/documents/").count();
    assert!(hits > 0);
    // A word in no transcript finds nothing; markup in the query is text.
    let none = researcher.get("/search?q=%3Cscript%3Equantique").body;
    assert!(none.contains("<p>0 "));
    assert!(!none.contains("<script>quantique"));
    // The index is inside the encrypted file: no stem in clear on disk.
    drop(served);
    for entry in std::fs::read_dir(workspace()).unwrap_or_else(|e| panic!("{e}")) {
        let bytes =
            std::fs::read(entry.unwrap_or_else(|e| panic!("{e}")).path()).unwrap_or_default();
        assert!(
            !bytes.windows(8).any(|w| w == b"desoeuvr"),
            "a search term in clear"
        );
    }
}

#[test]
fn the_api_does_what_the_pages_do() {
    let served = serve(workspace(), &[]);
    let researcher = Client::as_role(&served.base, "researcher");
    let csrf = researcher.csrf();
    let headers = [("X-CSRF-Token", csrf.as_str())];
    let send = |method: &str, path: &str, body: &str| {
        researcher.send(method, path, &headers, Some(("application/json", body)))
    };
    let participant = r#"{"code": "DIR-INT-950", "gender": "male", "age_band": "25-34", "group": "youth-associations", "place": "DIR", "consent": "given"}"#;
    assert_eq!(
        send("POST", "/api/v1/participants", participant).status,
        201
    );
    assert_eq!(
        send("POST", "/api/v1/participants", participant).status,
        409
    );
    let moved = participant.replace("\"DIR\"", "\"DIR-05\"");
    assert_eq!(
        send("PUT", "/api/v1/participants/DIR-INT-950", &moved).status,
        204
    );
    let list: Value =
        serde_json::from_str(&researcher.get("/api/v1/participants").body).unwrap_or_default();
    assert!(
        list.as_array()
            .into_iter()
            .flatten()
            .any(|p| p["code"] == "DIR-INT-950" && p["place"] == "DIR-05")
    );
    let session = r#"{"code": "DIR-FGD-950", "kind": "focus-group", "place": "DIR", "date": "2017-05-21", "facilitators": ["R2"], "participants": [], "composition": [{"group": "youth-associations", "gender": "male", "count": 4}, {"group": "youth-associations", "gender": "female", "count": 3}], "declared_total": 7}"#;
    assert_eq!(send("POST", "/api/v1/sessions", session).status, 201);
    let wrong = session
        .replace("\"declared_total\": 7", "\"declared_total\": 8")
        .replace("950", "951");
    let refused = send("POST", "/api/v1/sessions", &wrong);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("add up"), "{}", refused.body);
    let code = r##"{"key": "prevention.radio", "parent": "prevention", "name": {"fr": "Radios communautaires", "en": "Community radio"}, "description": {"fr": "", "en": ""}, "color": "#336699", "research_questions": [6]}"##;
    assert_eq!(send("PUT", "/api/v1/codebook/codes", code).status, 204);
    let book: Value =
        serde_json::from_str(&researcher.get("/api/v1/codebook").body).unwrap_or_default();
    assert!(
        book["codes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["key"] == "prevention.radio")
    );
    let search: Value = serde_json::from_str(&researcher.get("/api/v1/search?q=orpaillage").body)
        .unwrap_or_default();
    for hit in search.as_array().into_iter().flatten() {
        assert!(
            hit["snippets"][0]["hit"]
                .as_str()
                .is_some_and(|h| h.to_lowercase().starts_with("orpaill")),
            "{hit}"
        );
    }
}

#[test]
fn quotes_back_findings_and_facilitators_record_attendance() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let csrf = coder.csrf();
    let form = |client: &Client, path: &str, body: String| {
        client.send(
            "POST",
            path,
            &[],
            Some(("application/x-www-form-urlencoded", body.as_str())),
        )
    };
    let findings: Value =
        serde_json::from_str(&coder.get("/api/v1/findings").body).unwrap_or_default();
    let finding = findings["findings"][0]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let document: Value = serde_json::from_str(&coder.get("/api/v1/documents/GDM-INT-001-T").body)
        .unwrap_or_default();
    let coding = &document["codings"][0];
    let (id, text) = (
        coding["id"].as_str().unwrap_or_default(),
        coding["text"].as_str().unwrap_or_default(),
    );
    assert!(!finding.is_empty() && !id.is_empty());

    let quoted = form(
        &coder,
        "/findings/quote",
        format!("csrf={csrf}&finding={finding}&coding={id}"),
    );
    assert_eq!(quoted.status, 303, "{}", quoted.body);
    let listed: Value = serde_json::from_str(
        &coder
            .get(&format!("/api/v1/findings/{finding}/quotes"))
            .body,
    )
    .unwrap_or_default();
    assert_eq!(
        listed[0]["text"].as_str(),
        Some(text),
        "the exact coded characters"
    );
    let page = coder.get("/findings").body;
    assert!(page.contains("Quotes (internal"));
    let viewer = Client::as_role(&served.base, "viewer");
    assert!(
        !viewer.get("/findings").body.contains("Quotes (internal"),
        "viewers never see quotes"
    );
    assert_eq!(
        viewer
            .get(&format!("/api/v1/findings/{finding}/quotes"))
            .status,
        403
    );
    let facilitator = Client::as_role(&served.base, "facilitator");
    let token = facilitator.csrf();
    let refused = form(
        &facilitator,
        "/findings/quote",
        format!("csrf={token}&finding={finding}&coding={id}"),
    );
    assert_eq!(refused.status, 403, "facilitators do not pick evidence");
    let dropped = form(
        &coder,
        "/findings/unquote",
        format!("csrf={csrf}&finding={finding}&coding={id}"),
    );
    assert_eq!(dropped.status, 303);
    let listed: Value = serde_json::from_str(
        &coder
            .get(&format!("/api/v1/findings/{finding}/quotes"))
            .body,
    )
    .unwrap_or_default();
    assert_eq!(listed.as_array().map(Vec::len), Some(0));

    // Attendance at a forum, by the facilitator.
    let sessions: Value = serde_json::from_str(
        &Client::as_role(&served.base, "researcher")
            .get("/api/v1/sessions")
            .body,
    )
    .unwrap_or_default();
    let forum = sessions
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["kind"] == "validation-forum")
        .and_then(|s| s["code"].as_str())
        .unwrap_or_default()
        .to_owned();
    let lines =
        "community-leaders+male+6%0Awomens-associations+female+9%0Ayouth-associations+male+5";
    let wrong = form(
        &facilitator,
        &format!("/forums/{forum}/attendance"),
        format!("csrf={token}&composition={lines}&declared_total=21"),
    );
    assert_eq!(wrong.status, 400, "counts must add up");
    let ok = form(
        &facilitator,
        &format!("/forums/{forum}/attendance"),
        format!("csrf={token}&composition={lines}&declared_total=20"),
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert!(
        facilitator
            .get(&format!("/forums/{forum}"))
            .body
            .contains(">20</td>")
    );
    let token = coder.csrf();
    let not_theirs = form(
        &coder,
        &format!("/forums/{forum}/attendance"),
        format!("csrf={token}&composition={lines}&declared_total=20"),
    );
    assert_eq!(not_theirs.status, 403);
}

#[test]
fn framework_matrix_with_editable_summaries() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let api: Value =
        serde_json::from_str(&coder.get("/api/v1/analysis/framework").body).unwrap_or_default();
    let themes = api["themes"].as_array().map(Vec::len).unwrap_or_default();
    assert!(themes >= 7, "the findings' codes are the default themes");
    let row = &api["rows"][0];
    let case = row["case"].as_str().unwrap_or_default().to_owned();
    let (column, theme) = api["themes"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(i, _)| row["cells"][*i].as_array().is_some_and(|c| !c.is_empty()))
        .map(|(i, t)| (i, t.as_str().unwrap_or_default().to_owned()))
        .unwrap_or_default();
    let excerpt = row["cells"][column][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!case.is_empty() && !excerpt.is_empty());
    assert!(
        coder
            .get("/analysis/framework")
            .body
            .contains("Framework matrix")
    );
    let encoded = support::form_encode(&case);
    let cell = coder.get(&format!(
        "/analysis/framework/cell?case={encoded}&theme={theme}"
    ));
    assert_eq!(cell.status, 200);
    assert!(
        cell.body
            .contains(&excerpt[..excerpt.len().min(20)].replace('\'', "&#39;"))
            || cell.body.contains("<blockquote>")
    );
    let csrf = coder.csrf();
    let body = format!(
        "csrf={csrf}&case={encoded}&theme={theme}&summary=Manque+de+travail+r%C3%A9p%C3%A9t%C3%A9"
    );
    let saved = coder.send(
        "POST",
        "/analysis/framework/summary",
        &[],
        Some(("application/x-www-form-urlencoded", body.as_str())),
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let api: Value =
        serde_json::from_str(&coder.get("/api/v1/analysis/framework").body).unwrap_or_default();
    assert_eq!(api["summaries"][&case][&theme], "Manque de travail répété");
    // Viewers never see the coded text; facilitators read but do not write.
    assert_eq!(
        Client::as_role(&served.base, "viewer")
            .get("/analysis/framework")
            .status,
        403
    );
    assert_eq!(
        Client::as_role(&served.base, "viewer")
            .get("/api/v1/analysis/framework")
            .status,
        403
    );
    let facilitator = Client::as_role(&served.base, "facilitator");
    let token = facilitator.csrf();
    let body = format!("csrf={token}&case={encoded}&theme={theme}&summary=x");
    let refused = facilitator.send(
        "POST",
        "/analysis/framework/summary",
        &[],
        Some(("application/x-www-form-urlencoded", body.as_str())),
    );
    assert_eq!(refused.status, 403);
}

#[test]
fn suggestions_by_speaker_cover_whole_turns() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let csrf = coder.csrf();
    let headers = [("X-CSRF-Token", csrf.as_str())];
    let body = r#"{"code": "resilience", "rule": {"by": "participant", "value": "NFK-INT-002"}}"#;
    let run = coder.send(
        "POST",
        "/api/v1/suggestions/speakers",
        &headers,
        Some(("application/json", body)),
    );
    assert_eq!(run.status, 201, "{}", run.body);
    let added: Value = serde_json::from_str(&run.body).unwrap_or_default();
    assert!(added["added"].as_u64().is_some_and(|n| n > 0), "{added}");
    let document: Value = serde_json::from_str(&coder.get("/api/v1/documents/NFK-INT-002-T").body)
        .unwrap_or_default();
    let turns: Vec<(u64, u64)> = document["turns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["participant"] == "NFK-INT-002")
        .map(|t| {
            (
                t["span"]["start"].as_u64().unwrap_or(0),
                t["span"]["end"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let pending: Value =
        serde_json::from_str(&coder.get("/api/v1/suggestions?document=NFK-INT-002-T").body)
            .unwrap_or_default();
    let mine: Vec<&Value> = pending
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["code"] == "resilience")
        .collect();
    assert!(!mine.is_empty());
    for s in &mine {
        let span = (
            s["start"].as_u64().unwrap_or(0),
            s["end"].as_u64().unwrap_or(0),
        );
        assert!(
            turns.contains(&span),
            "a suggestion is exactly one of the participant's turns: {span:?}"
        );
    }
    let unknown = r#"{"code": "no.such.code", "rule": {"by": "label", "value": "P1"}}"#;
    assert_eq!(
        coder
            .send(
                "POST",
                "/api/v1/suggestions/speakers",
                &headers,
                Some(("application/json", unknown))
            )
            .status,
        400
    );
    let facilitator = Client::as_role(&served.base, "facilitator");
    let token = facilitator.csrf();
    let refused = facilitator.send(
        "POST",
        "/api/v1/suggestions/speakers",
        &[("X-CSRF-Token", token.as_str())],
        Some(("application/json", body)),
    );
    assert_eq!(refused.status, 403);
}
