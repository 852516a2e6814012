//! The analyses in the workbench over real HTTP against `sankore serve`:
//! every analysis route for every role, the agreement JSON equal to the
//! CLI's, the matrix drill-down down to the segments (and never for a
//! viewer), the saturation chart, words and keyword in context; blind
//! double-coding (assignments, hiding, done, then agreement).

mod support;

use sankore_store::{Passphrase, Store, Workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::{
    Client, PASSPHRASE, ROLES, add_role_users, add_user, form_encode, in_workspace, serve,
};

/// A new demo workspace with one account per role (`ROLE-user`, password
/// `ROLE password`), and the first document double-coded by `R1` and `R2`.
fn new_workspace() -> (tempfile::TempDir, PathBuf, String) {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("w");
    let records = sankore_demo::reference_study();
    let (_, mut store) = Workspace::create(&dir, &Passphrase::new(PASSPHRASE.to_owned()))
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .import_study(&records, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let codings = store.codings().unwrap_or_else(|e| panic!("{e}"));
    let double = codings
        .iter()
        .find(|c| c.coder == "R2")
        .map(|c| c.document.clone())
        .unwrap_or_else(|| panic!("no second coder"));
    drop(store);
    add_role_users(&dir, &ROLES);
    (root, dir, double)
}

/// The demo workspace shared by the read-only tests.
fn workspace() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf, String)> = OnceLock::new();
    &DIR.get_or_init(new_workspace).1
}

fn json(client: &Client, path: &str) -> Value {
    let answer = client.get(path);
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_analysis_route_for_every_role() {
    let served = serve(workspace(), &[]);
    let anonymous = Client::new(&served.base);
    let everyone = [200; 5];
    let readers = [200, 200, 200, 200, 403];
    let cell = "?by=cercle&code=push.economic.jobs&column=TBK";
    let cases: Vec<(String, [u16; 5])> = vec![
        ("/analysis".into(), everyone),
        ("/analysis/matrix?under=push".into(), everyone),
        (format!("/analysis/matrix/cell{cell}"), readers),
        ("/analysis/cooccurrence".into(), everyone),
        ("/analysis/agreement?unit=paragraph".into(), everyone),
        ("/analysis/saturation".into(), everyone),
        ("/analysis/words".into(), readers),
        ("/analysis/words?keyword=terre".into(), readers),
        ("/api/v1/analysis/matrix".into(), everyone),
        (format!("/api/v1/analysis/matrix/cell{cell}"), readers),
        ("/api/v1/analysis/cooccurrence".into(), everyone),
        ("/api/v1/analysis/agreement?unit=segment".into(), everyone),
        ("/api/v1/analysis/saturation".into(), everyone),
        ("/api/v1/analysis/words".into(), readers),
        ("/api/v1/analysis/words?keyword=terre".into(), readers),
    ];
    for role_index in 0..ROLES.len() {
        let role = ROLES[role_index];
        let user = Client::as_role(&served.base, role);
        for (path, expected) in &cases {
            let answer = user.get(path);
            assert_eq!(
                answer.status, expected[role_index],
                "{role} GET {path}: {}",
                answer.body
            );
            if answer.status == 200 && path.starts_with("/analysis") {
                assert!(
                    !answer.body.contains("style=") && !answer.body.contains("<script"),
                    "{path}: inline style or script under the CSP"
                );
            }
        }
    }
    for (path, _) in &cases {
        let answer = anonymous.get(path);
        if path.starts_with("/api/") {
            assert_eq!(answer.status, 401, "signed-out GET {path}");
        } else {
            assert_eq!(answer.status, 303, "signed-out GET {path}");
            assert_eq!(answer.header("location"), "/login");
        }
    }
}

#[test]
fn agreement_api_gives_the_cli_json() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    for (unit, scope) in [
        ("paragraph", "any"),
        ("segment", "all"),
        ("character", "any"),
    ] {
        let api = json(
            &coder,
            &format!("/api/v1/analysis/agreement?unit={unit}&scope={scope}&coders=R1,R2"),
        );
        let output = in_workspace(workspace(), &["analyze", "agreement", "--format", "json"])
            .args(["--unit", unit, "--scope", scope, "--coders", "R1,R2"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(output.status.success());
        let cli: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(api, cli, "unit {unit}, scope {scope}");
    }
    let page = coder.get("/analysis/agreement?unit=paragraph&scope=all&coders=R1%2CR2");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Krippendorff") && page.body.contains("R1, R2"));
    let one = coder.get("/api/v1/analysis/agreement?coders=R1");
    assert_eq!(one.status, 400, "one coder: {}", one.body);
    assert!(one.body.contains("\"error\""));
}

#[test]
fn matrix_cells_drill_down_to_their_segments_but_not_for_viewers() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let matrix = json(&coder, "/api/v1/analysis/matrix?by=cercle&under=push");
    assert_eq!(matrix["attribute"], "cercle");
    let columns = matrix["columns"].as_array().cloned().unwrap_or_default();
    let rows = matrix["rows"].as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty() && !columns.is_empty());
    let (code, column, segments) = rows
        .iter()
        .find_map(|row| {
            let cells = row["cells"].as_array()?;
            let (i, cell) = cells
                .iter()
                .enumerate()
                .find(|(_, c)| c["segments"].as_u64().unwrap_or(0) > 0)?;
            Some((
                row["code"].as_str()?.to_owned(),
                columns[i]["key"].as_str()?.to_owned(),
                cell["segments"].as_u64()?,
            ))
        })
        .unwrap_or_else(|| panic!("no coded cell"));
    let path = format!("/api/v1/analysis/matrix/cell?by=cercle&code={code}&column={column}");
    let drilled = json(&coder, &path);
    let codings = drilled["codings"].as_array().cloned().unwrap_or_default();
    assert_eq!(codings.len() as u64, segments);
    for c in &codings {
        assert_eq!(c["code"], code.as_str());
        let text = c["text"].as_str().unwrap_or_default();
        let span = c["end"].as_u64().unwrap_or(0) - c["start"].as_u64().unwrap_or(0);
        assert_eq!(text.chars().count() as u64, span);
    }
    // The same cell on the pages: a link from the heat map, then the passages.
    let page = coder.get("/analysis/matrix?by=cercle&under=push");
    let link = format!("code={code}&#38;column={column}\"");
    assert!(
        page.body
            .contains("href=\"/analysis/matrix/cell?by=cercle&#38;")
            && page.body.contains(&link),
        "{}",
        page.body
    );
    assert!(page.body.contains("heat-"));
    let cell_page = coder.get(&format!(
        "/analysis/matrix/cell?by=cercle&code={code}&column={column}"
    ));
    assert_eq!(cell_page.status, 200);
    let first = codings[0]["text"].as_str().unwrap_or_default();
    let shown = first
        .replace('&', "&amp;")
        .replace('\'', "&#39;")
        .replace('"', "&quot;");
    assert!(
        cell_page.body.contains(shown.trim()),
        "the passage is shown"
    );
    // A viewer sees the counts, no link and no passage.
    let viewer = Client::as_role(&served.base, "viewer");
    let counts = viewer.get("/analysis/matrix?by=cercle&under=push");
    assert_eq!(counts.status, 200);
    assert!(counts.body.contains("heat-") && !counts.body.contains("/analysis/matrix/cell"));
    assert_eq!(viewer.get(&path).status, 403);
    // Unknown attributes and codes are refused with a reason.
    let bad = coder.get("/api/v1/analysis/matrix?by=shoe-size");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("shoe-size"));
    assert_eq!(coder.get("/api/v1/analysis/matrix?under=nope").status, 400);
}

#[test]
fn saturation_words_and_cooccurrence() {
    let served = serve(workspace(), &[]);
    let coder = Client::as_role(&served.base, "coder");
    let saturation = json(&coder, "/api/v1/analysis/saturation");
    let overall = saturation["overall"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(overall.len() > 10);
    let last = overall.last().map(|s| s["cumulative"].clone());
    let page = coder.get("/analysis/saturation?lang=fr");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<polyline") && page.body.contains("Tous les entretiens"));
    assert!(
        page.body
            .contains(&format!(">{}</text>", last.unwrap_or_default()))
    );

    let words = json(&coder, "/api/v1/analysis/words?limit=5");
    let terms = words["terms"].as_array().cloned().unwrap_or_default();
    assert_eq!(terms.len(), 5);
    let form = terms[0]["form"].as_str().unwrap_or_default().to_owned();
    let kwic = json(
        &coder,
        &format!("/api/v1/analysis/words?keyword={}", form_encode(&form)),
    );
    let occurrences = kwic["occurrences"].as_array().cloned().unwrap_or_default();
    assert!(occurrences.len() as u64 >= terms[0]["count"].as_u64().unwrap_or(0) / 2);
    assert_eq!(
        coder.get("/api/v1/analysis/words?keyword=two+words").status,
        400
    );
    assert_eq!(coder.get("/api/v1/analysis/words?limit=100000").status, 400);

    let pairs = json(
        &coder,
        "/api/v1/analysis/cooccurrence?proximity=document&under=push",
    );
    assert_eq!(pairs["proximity"]["kind"], "document");
    assert!(
        !pairs["pairs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .is_empty()
    );
    let page = coder.get("/analysis/cooccurrence?proximity=within&distance=50");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Jaccard"));
}

/// The coders of the codings the API shows `client` on `document`.
fn visible_coders(client: &Client, document: &str) -> Vec<String> {
    let doc = json(client, &format!("/api/v1/documents/{document}"));
    let mut coders: Vec<String> = doc["codings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["coder"].as_str().map(str::to_owned))
        .collect();
    coders.sort();
    coders.dedup();
    coders
}

#[test]
fn blind_double_coding_hides_each_coder_from_the_other_until_both_are_done() {
    let (_root, dir, document) = new_workspace();
    for coder in ["R1", "R2"] {
        add_user(&dir, coder, "coder", &format!("{coder} password"));
    }
    let served = serve(&dir, &[]);
    let boss = Client::as_role(&served.base, "coordinator");
    let r1 = Client::signed_in(&served.base, "R1", "R1 password");
    let r2 = Client::signed_in(&served.base, "R2", "R2 password");
    assert_eq!(
        visible_coders(&r1, &document),
        ["R1", "R2"],
        "not blind yet"
    );

    // Who may assign, list and finish; CSRF on every POST.
    let form = "application/x-www-form-urlencoded";
    for (index, role) in ROLES.iter().enumerate() {
        let user = Client::as_role(&served.base, role);
        let listed = [200, 200, 200, 200, 403][index];
        assert_eq!(user.get("/assignments").status, listed, "{role} page");
        assert_eq!(user.get("/api/v1/assignments").status, listed, "{role} API");
        let body = format!("csrf={}&document={document}&coder=R1", user.csrf());
        let expected = if index == 0 { 303 } else { 403 };
        let answer = user.send("POST", "/assignments", &[], Some((form, &body)));
        assert_eq!(answer.status, expected, "{role} assigns: {}", answer.body);
        let csrf = user.csrf();
        let json_body = format!(r#"{{"document": "{document}", "coder": "R2"}}"#);
        let answer = user.send(
            "POST",
            "/api/v1/assignments",
            &[("X-CSRF-Token", &csrf)],
            Some(("application/json", &json_body)),
        );
        let expected = if index == 0 { 201 } else { 403 };
        assert_eq!(
            answer.status, expected,
            "{role} assigns by API: {}",
            answer.body
        );
    }
    let again = boss.send(
        "POST",
        "/api/v1/assignments",
        &[("X-CSRF-Token", &boss.csrf())],
        Some((
            "application/json",
            &format!(r#"{{"document": "{document}", "coder": "R2"}}"#),
        )),
    );
    assert_eq!(again.status, 409);
    let no_token = boss.send(
        "POST",
        "/assignments",
        &[],
        Some((form, &format!("document={document}&coder=R2"))),
    );
    assert_eq!(no_token.status, 403);
    let no_header = r1.send(
        "POST",
        "/api/v1/assignments/done",
        &[],
        Some((
            "application/json",
            &format!(r#"{{"document": "{document}"}}"#),
        )),
    );
    assert_eq!(no_header.status, 403);

    // Blind: each coder sees only their own codings, on every path.
    assert_eq!(visible_coders(&r1, &document), ["R1"]);
    assert_eq!(visible_coders(&r2, &document), ["R2"]);
    assert_eq!(
        visible_coders(&boss, &document),
        ["R1", "R2"],
        "the coordinator oversees"
    );
    let page = r1.get(&format!("/documents/{document}"));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<option value=\"R2\"") && !page.body.contains(" · R2 · "));
    let codings = json(&boss, &format!("/api/v1/documents/{document}"));
    let theirs = codings["codings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .find(|c| c["coder"] == "R2")
        .unwrap_or_else(|| panic!("no R2 coding"));
    let code = theirs["code"].as_str().unwrap_or_default().to_owned();
    let id = theirs["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(r1.get(&format!("/codings/{id}")).status, 404);
    let version = theirs["version"].as_i64().unwrap_or_default();
    let change = format!(r#"{{"version": {version}, "code": "{code}", "memo": null}}"#);
    let patched = r1.send(
        "PATCH",
        &format!("/api/v1/codings/{id}"),
        &[("X-CSRF-Token", &r1.csrf())],
        Some(("application/json", &change)),
    );
    assert_eq!(
        patched.status, 404,
        "another's hidden coding cannot be changed"
    );
    let deleted = r1.send(
        "DELETE",
        &format!("/api/v1/codings/{id}?version={version}"),
        &[("X-CSRF-Token", &r1.csrf())],
        None,
    );
    assert_eq!(deleted.status, 404, "nor removed");
    let body = format!("csrf={}&version={version}&document={document}", r1.csrf());
    let removed = r1.send(
        "POST",
        &format!("/codings/{id}/delete"),
        &[],
        Some((form, &body)),
    );
    assert_eq!(removed.status, 404, "nor removed from the page");
    assert_eq!(boss.get(&format!("/codings/{id}")).status, 200);
    let cell = format!("/api/v1/analysis/matrix/cell?by=coder&code={code}&column=R2");
    let hidden = json(&r1, &cell);
    assert!(
        hidden["codings"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["document"] != document.as_str()))
    );
    let shown = json(&boss, &cell);
    assert!(
        shown["codings"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["document"] == document.as_str()))
    );
    let segments = r1.get(&format!("/codebook/{code}"));
    assert_eq!(segments.status, 200);

    // Marking done: only one's own assignment, only with the Code permission.
    let done = format!(r#"{{"document": "{document}"}}"#);
    let facilitator = Client::as_role(&served.base, "facilitator");
    let refused = facilitator.send(
        "POST",
        "/api/v1/assignments/done",
        &[("X-CSRF-Token", &facilitator.csrf())],
        Some(("application/json", &done)),
    );
    assert_eq!(refused.status, 403);
    let coder = Client::as_role(&served.base, "coder");
    let not_assigned = coder.send(
        "POST",
        "/api/v1/assignments/done",
        &[("X-CSRF-Token", &coder.csrf())],
        Some(("application/json", &done)),
    );
    assert_eq!(not_assigned.status, 404);
    let first = r1.send(
        "POST",
        "/api/v1/assignments/done",
        &[("X-CSRF-Token", &r1.csrf())],
        Some(("application/json", &done)),
    );
    assert_eq!(first.status, 204);
    assert_eq!(visible_coders(&r1, &document), ["R1"], "R2 is not done yet");
    let body = format!("csrf={}&document={document}", r2.csrf());
    let second = r2.send("POST", "/assignments/done", &[], Some((form, &body)));
    assert_eq!(second.status, 303);
    assert_eq!(visible_coders(&r1, &document), ["R1", "R2"]);
    assert_eq!(visible_coders(&r2, &document), ["R1", "R2"]);
    assert!(
        !json(&r1, &cell)["codings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .is_empty()
    );

    // Then the agreement page shows their agreement.
    let list = r1.get("/assignments");
    let link = "/analysis/agreement?unit=paragraph&#38;scope=all&#38;coders=R1,R2";
    assert!(list.body.contains(link), "{}", list.body);
    let agreement = r1.get("/analysis/agreement?unit=paragraph&scope=all&coders=R1,R2");
    assert_eq!(agreement.status, 200);
    assert!(agreement.body.contains("R1, R2") && agreement.body.contains("Krippendorff"));
}

/// The number of codings in the study, as the API lists them.
fn coding_count(client: &Client) -> u64 {
    json(client, "/api/v1/documents")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| d["codings"].as_u64().unwrap_or(0))
        .sum()
}

#[test]
fn suggestions_become_codings_only_when_accepted() {
    let (_root, dir, _) = new_workspace();
    let served = serve(&dir, &[]);
    let coder = Client::as_role(&served.base, "coder");
    let before = coding_count(&coder);
    let form = "application/x-www-form-urlencoded";
    let dictionary = r#"{"dictionaries": [{"code": "push.economic.jobs", "entries": [{"kind": "word", "text": "emploi*"}, {"kind": "phrase", "text": "pas de travail"}]}], "extent": "sentence"}"#;
    for (index, role) in ROLES.iter().enumerate() {
        let user = Client::as_role(&served.base, role);
        let readers = [200, 200, 200, 200, 403][index];
        assert_eq!(user.get("/suggestions").status, readers, "{role} page");
        assert_eq!(
            user.get("/api/v1/suggestions").status,
            readers,
            "{role} API"
        );
        let answer = user.send(
            "POST",
            "/api/v1/suggestions/run",
            &[("X-CSRF-Token", &user.csrf())],
            Some(("application/json", dictionary)),
        );
        assert_eq!(
            answer.status,
            [201, 201, 201, 403, 403][index],
            "{role}: {}",
            answer.body
        );
        let body = format!(
            "csrf={}&code=push.economic.jobs&entries={}&extent=sentence",
            user.csrf(),
            form_encode("sécurité\nregex:\\bchom\\w*")
        );
        let answer = user.send("POST", "/suggestions/run", &[], Some((form, &body)));
        assert_eq!(
            answer.status,
            [303, 303, 303, 403, 403][index],
            "{role}: {}",
            answer.body
        );
    }
    assert_eq!(coding_count(&coder), before, "suggestions are not codings");
    let again = coder.send(
        "POST",
        "/api/v1/suggestions/run",
        &[("X-CSRF-Token", &coder.csrf())],
        Some(("application/json", dictionary)),
    );
    assert_eq!(again.body, r#"{"added":0}"#, "nothing suggested twice");
    let no_header = coder.send(
        "POST",
        "/api/v1/suggestions/run",
        &[],
        Some(("application/json", dictionary)),
    );
    assert_eq!(no_header.status, 403);
    let no_token = coder.send(
        "POST",
        "/suggestions/run",
        &[],
        Some((form, "code=push.economic.jobs&entries=emploi")),
    );
    assert_eq!(no_token.status, 403);
    let bad = coder.send(
        "POST",
        "/api/v1/suggestions/run",
        &[("X-CSRF-Token", &coder.csrf())],
        Some((
            "application/json",
            r#"{"dictionaries": [{"code": "push.economic.jobs", "entries": [{"kind": "regex", "text": "(("}]}]}"#,
        )),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("push.economic.jobs"));
    let unknown = coder.send(
        "POST",
        "/api/v1/suggestions/run",
        &[("X-CSRF-Token", &coder.csrf())],
        Some((
            "application/json",
            r#"{"dictionaries": [{"code": "no.such.code", "entries": [{"kind": "word", "text": "x"}]}]}"#,
        )),
    );
    assert_eq!(unknown.status, 400);

    let pending = json(&coder, "/api/v1/suggestions");
    let pending = pending.as_array().cloned().unwrap_or_default();
    assert!(pending.len() >= 2, "{pending:?}");
    let first = &pending[0];
    let document = first["document"].as_str().unwrap_or_default().to_owned();
    let id = first["id"].as_i64().unwrap_or_default();
    assert!(!first["text"].as_str().unwrap_or_default().is_empty());
    let of_document = json(&coder, &format!("/api/v1/suggestions?document={document}"));
    assert!(
        of_document
            .as_array()
            .is_some_and(|l| l.iter().all(|s| s["document"] == document.as_str()))
    );

    // Accept: a manual coding by the accepting user, once.
    let viewer = Client::as_role(&served.base, "viewer");
    let refused = viewer.send(
        "POST",
        &format!("/api/v1/suggestions/{id}/accept"),
        &[("X-CSRF-Token", &viewer.csrf())],
        None,
    );
    assert_eq!(refused.status, 403);
    let accepted = coder.send(
        "POST",
        &format!("/api/v1/suggestions/{id}/accept"),
        &[("X-CSRF-Token", &coder.csrf())],
        None,
    );
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let coding: Value = serde_json::from_str(&accepted.body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(coding["coder"], "coder-user");
    assert_eq!(coding["origin"], "manual");
    assert_eq!(coding["code"], first["code"]);
    assert_eq!(coding["span"]["start"], first["start"]);
    assert_eq!(coding_count(&coder), before + 1);
    let twice = coder.send(
        "POST",
        &format!("/api/v1/suggestions/{id}/accept"),
        &[("X-CSRF-Token", &coder.csrf())],
        None,
    );
    assert_eq!(twice.status, 404);

    // Reject from the page: gone from the list, no coding.
    let second = pending[1]["id"].as_i64().unwrap_or_default();
    let page = coder.get("/suggestions");
    assert!(page.body.contains(&format!("/suggestions/{second}/reject")));
    let body = format!("csrf={}&document=", coder.csrf());
    let rejected = coder.send(
        "POST",
        &format!("/suggestions/{second}/reject"),
        &[],
        Some((form, &body)),
    );
    assert_eq!(rejected.status, 303);
    assert_eq!(rejected.header("location"), "/suggestions");
    let left = json(&coder, "/api/v1/suggestions");
    assert_eq!(left.as_array().map(Vec::len), Some(pending.len() - 2));
    assert_eq!(coding_count(&coder), before + 1);
}

#[test]
fn every_new_post_checks_role_csrf_and_origin() {
    let served = serve(workspace(), &[]);
    let form = "application/x-www-form-urlencoded";
    let json_type = "application/json";
    // Requests naming nothing that exists: the role is checked first (403),
    // then the lookup (404), so nothing changes in the shared workspace.
    let posts: [(&str, &str, [u16; 5]); 4] = [
        (
            "/assignments/done",
            "document=NOPE",
            [404, 404, 404, 403, 403],
        ),
        (
            "/suggestions/999999/accept",
            "document=",
            [404, 404, 404, 403, 403],
        ),
        (
            "/suggestions/999999/reject",
            "document=",
            [404, 404, 404, 403, 403],
        ),
        (
            "/assignments",
            "document=NOPE&coder=nobody",
            [404, 403, 403, 403, 403],
        ),
    ];
    let api: [(&str, &str, [u16; 5]); 4] = [
        (
            "/api/v1/assignments/done",
            r#"{"document": "NOPE"}"#,
            [404, 404, 404, 403, 403],
        ),
        (
            "/api/v1/suggestions/999999/accept",
            "",
            [404, 404, 404, 403, 403],
        ),
        (
            "/api/v1/suggestions/999999/reject",
            "",
            [404, 404, 404, 403, 403],
        ),
        (
            "/api/v1/assignments",
            r#"{"document": "NOPE", "coder": "nobody"}"#,
            [404, 403, 403, 403, 403],
        ),
    ];
    for (index, role) in ROLES.iter().enumerate() {
        let user = Client::as_role(&served.base, role);
        let csrf = user.csrf();
        for (path, fields, expected) in &posts {
            let good = format!("csrf={csrf}&{fields}");
            let answer = user.send("POST", path, &[], Some((form, &good)));
            assert_eq!(answer.status, expected[index], "{role} POST {path}");
            let missing = user.send("POST", path, &[], Some((form, fields)));
            assert_eq!(missing.status, 403, "{role} POST {path} without token");
            let elsewhere = user.send(
                "POST",
                path,
                &[("Origin", "http://evil.example")],
                Some((form, &good)),
            );
            assert_eq!(elsewhere.status, 403, "{role} POST {path} from elsewhere");
        }
        for (path, body, expected) in &api {
            let body = (!body.is_empty()).then_some((json_type, *body));
            let answer = user.send("POST", path, &[("X-CSRF-Token", &csrf)], body);
            assert_eq!(answer.status, expected[index], "{role} POST {path}");
            let missing = user.send("POST", path, &[], body);
            assert_eq!(missing.status, 403, "{role} POST {path} without token");
        }
    }
    let anonymous = Client::new(&served.base);
    for (path, fields, _) in &posts {
        let answer = anonymous.send("POST", path, &[], Some((form, fields)));
        assert_eq!(answer.status, 303, "signed-out POST {path}");
    }
    for (path, _, _) in &api {
        assert_eq!(anonymous.send("POST", path, &[], None).status, 401);
    }
}
