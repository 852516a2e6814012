//! Findings, validation forums, recommendations and actions end to end on
//! the demo: `sankore findings list` and `sankore forum pack`, every new
//! route for every role (viewers see validated findings only), CSRF on the
//! outcome form, evidence strength following the codings, and a
//! facilitator recording an amendment in a real headless browser.

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::browser::Browser;
use support::{
    Client, ROLES, add_role_users, form_encode, fresh_demo, in_workspace, pdftotext, serve,
};

/// Text without whitespace, to find a phrase the layout wrapped.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A fresh demo workspace with one account per role (`ROLE-user`,
/// password `ROLE password`).
fn demo() -> (tempfile::TempDir, PathBuf) {
    let (root, dir) = fresh_demo();
    add_role_users(&dir, &ROLES);
    (root, dir)
}

fn findings_json(dir: &Path) -> Value {
    let output = in_workspace(dir, &["findings", "list", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn finding<'a>(all: &'a Value, key: &str) -> &'a Value {
    all["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no finding {key}"))
}

#[test]
fn findings_list_and_forum_pack_from_the_command_line() {
    let (_root, dir) = demo();
    let all = findings_json(&dir);
    let list = all["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 12);
    for f in &list {
        assert!(f["research_question"]["number"].as_u64().is_some(), "{f}");
        assert!(f["research_question"]["text"]["fr"].is_string(), "{f}");
        assert!(f["places"].is_array());
        for key in ["participants", "sources", "cercles", "segments"] {
            assert!(f["strength"][key].as_u64().is_some(), "{key} in {f}");
        }
        assert!(f["outcomes"].is_array());
    }
    let jobs = finding(&all, "f-youth-jobs");
    assert_eq!(jobs["outcomes"].as_array().map(Vec::len), Some(5));
    assert_eq!(jobs["strength"]["cercles"], 5);
    assert!(jobs["strength"]["participants"].as_u64() > Some(10));
    let amended = jobs["outcomes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["kind"] == "amended")
        .unwrap_or_else(|| panic!("no amendment: {jobs}"));
    assert_eq!(amended["forum"], "DIR-VAL-01");
    assert!(
        amended["wording"]["fr"]
            .as_str()
            .is_some_and(|w| w.contains("motopompes"))
    );
    let education = finding(&all, "f-education");
    let rejected: Vec<&Value> = education["outcomes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["kind"] == "rejected")
        .collect();
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0]["reasons"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(education["validated"], true, "other forums validated it");
    let added = finding(&all, "f-farmer-herder");
    assert_eq!(added["places"], json!(["DIR"]));
    assert_eq!(added["outcomes"][0]["kind"], "added");
    assert_eq!(finding(&all, "f-weak-cohesion")["validated"], false);

    // The forum pack of Tombouctou: the eleven findings for the whole
    // region (not Diré's own), a page each, an attendance sheet by group.
    let pack = dir.join("pack-tbk.html");
    in_workspace(&dir, &["--lang", "fr", "forum", "pack", "--place", "TBK"])
        .arg("--out")
        .arg(&pack)
        .assert()
        .success();
    let html = std::fs::read_to_string(&pack).unwrap_or_else(|e| panic!("{e}"));
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("@media print") && html.contains("page-break-after:always"));
    assert_eq!(html.matches("class=\"page finding\"").count(), 11);
    for f in &list {
        let statement = f["statement"]["fr"].as_str().unwrap_or_default();
        let escaped = statement.replace('\'', "&#39;");
        let present = html.contains(&escaped);
        assert_eq!(present, f["key"] != "f-farmer-herder", "{}", f["key"]);
    }
    assert!(html.contains("Feuille de présence"));
    let groups = sankore_demo::reference_study().groups.len();
    assert_eq!(
        html.matches("data-group=").count(),
        groups,
        "one row per group"
    );
    assert!(html.contains("Validé") && html.contains("Amendé") && html.contains("Rejeté"));

    // In English, for Diré: its own finding is in.
    let pack = dir.join("pack-dir.html");
    in_workspace(&dir, &["--lang", "en", "forum", "pack", "--place", "DIR"])
        .arg("--out")
        .arg(&pack)
        .assert()
        .success();
    let html = std::fs::read_to_string(&pack).unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains("Attendance sheet"));
    assert!(html.contains("farmers and herders"));
    assert_eq!(html.matches("class=\"page finding\"").count(), 12);

    // The same pack as PDF: the place, every finding's wording, the
    // attendance sheet's groups, a page per section; the same bytes twice.
    let pdf_pack = |name: &str| {
        let file = dir.join(name);
        in_workspace(&dir, &["--lang", "fr", "forum", "pack", "--place", "TBK"])
            .args(["--format", "pdf", "--out"])
            .arg(&file)
            .assert()
            .success();
        file
    };
    let (first, second) = (pdf_pack("pack-tbk.pdf"), pdf_pack("pack-tbk-2.pdf"));
    let bytes = std::fs::read(&first).unwrap_or_else(|e| panic!("{e}"));
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(
        bytes,
        std::fs::read(&second).unwrap_or_else(|e| panic!("{e}")),
        "the same pack twice gives the same bytes"
    );
    let text = pdftotext(&first);
    let squeezed = squeeze(&text);
    assert!(squeezed.contains(&squeeze("Dossier du forum de validation — Tombouctou")));
    for f in &list {
        let statement = f["statement"]["fr"].as_str().unwrap_or_default();
        assert_eq!(
            squeezed.contains(&squeeze(statement)),
            f["key"] != "f-farmer-herder",
            "{}",
            f["key"]
        );
    }
    // Cover, 11 findings, added findings, attendance: each from a new page.
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 14, "{} pages", pages.len());
    let attendance = pages.last().copied().unwrap_or_default();
    assert!(attendance.contains("Feuille de présence"));
    for g in &sankore_demo::reference_study().groups {
        assert!(
            squeeze(attendance).contains(&squeeze(&g.label.fr)),
            "no group {} on the attendance sheet",
            g.key
        );
    }
    for finding_page in &pages[pages.len() - 13..pages.len() - 2] {
        assert!(finding_page.contains("Constat"), "{finding_page}");
        assert!(finding_page.contains("Validé") && finding_page.contains("Rejeté"));
    }

    // Recording from the command line; an amendment needs its wording.
    let record = |extra: &[&str]| {
        in_workspace(
            &dir,
            &[
                "forum",
                "record",
                "--forum",
                "GRH-VAL-01",
                "--finding",
                "f-weak-cohesion",
            ],
        )
        .args(extra)
        .assert()
    };
    record(&["--outcome", "amended", "--agreement", "majority"]).failure();
    record(&[
        "--outcome",
        "amended",
        "--wording-fr",
        "La cohésion s'effrite entre nomades et sédentaires",
        "--agreement",
        "majority",
    ])
    .success();
    let all = findings_json(&dir);
    let cohesion = finding(&all, "f-weak-cohesion");
    assert_eq!(cohesion["validated"], true);
    assert_eq!(cohesion["outcomes"][0]["forum"], "GRH-VAL-01");

    // Recommendations with roles; actions with participants, notes, late.
    let output = in_workspace(&dir, &["recommendations", "list", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let recommendations: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let list = recommendations["recommendations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 5);
    assert!(
        list.iter()
            .all(|r| r["roles"][0]["stakeholder"].is_string())
    );
    assert!(list.iter().all(|r| r["roles"][0]["role"]["fr"].is_string()));
    let output = in_workspace(&dir, &["actions", "list", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let actions: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let list = actions["actions"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 7);
    let roundtable = list
        .iter()
        .find(|a| a["key"] == "a-roundtables-timbuktu")
        .unwrap_or_else(|| panic!("no roundtable"));
    assert_eq!(roundtable["status"], "done");
    assert_eq!(roundtable["late"], false);
    assert!(roundtable["outcome_notes"].is_string());
    assert!(roundtable["participants"][0]["count"].as_u64() > Some(0));
    let output = in_workspace(&dir, &["actions", "list", "--late", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let late: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let late = late["actions"].as_array().cloned().unwrap_or_default();
    assert!(!late.is_empty());
    assert!(
        late.iter()
            .all(|a| a["late"] == true && (a["status"] == "planned" || a["status"] == "under-way"))
    );

    // Progress: the Niafunké caravan is done, with what came of it.
    in_workspace(
        &dir,
        &[
            "actions",
            "update",
            "--key",
            "a-cohesion-niafunke",
            "--status",
            "done",
        ],
    )
    .args(["--notes", "Caravane tenue dans quatre communes"])
    .assert()
    .success();
    in_workspace(
        &dir,
        &[
            "actions",
            "update",
            "--key",
            "a-unknown",
            "--status",
            "done",
        ],
    )
    .assert()
    .failure();
    let output = in_workspace(&dir, &["actions", "list", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let actions: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let caravan = actions["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == "a-cohesion-niafunke")
        .cloned()
        .unwrap_or_default();
    assert_eq!(caravan["status"], "done");
    assert_eq!(caravan["late"], false);
    assert_eq!(
        caravan["outcome_notes"],
        "Caravane tenue dans quatre communes"
    );

    // A place outside the gazetteer is refused.
    in_workspace(&dir, &["forum", "pack", "--place", "XYZ"])
        .arg("--out")
        .arg(dir.join("x.html"))
        .assert()
        .failure();
}

/// Records an outcome through the form; returns the status.
fn post_outcome(user: &Client, csrf: &str, forum: &str, fields: &[(&str, &str)]) -> u16 {
    user.form(csrf, &format!("/forums/{forum}/outcomes"), fields)
        .status
}

#[test]
fn forum_routes_roles_csrf_and_strength() {
    let (_root, dir) = demo();
    let served = serve(&dir, &[]);
    let anonymous = Client::new(&served.base);
    let everyone = [200; 5];
    let facilitators = [200, 200, 403, 200, 403];
    let table: [(&str, [u16; 5], u16); 12] = [
        ("/api/v1/recommendations", everyone, 401),
        ("/api/v1/actions", everyone, 401),
        ("/findings", everyone, 303),
        ("/recommendations", everyone, 303),
        ("/actions", everyone, 303),
        ("/forums", facilitators, 303),
        ("/forums/TBK-VAL-01", facilitators, 303),
        ("/forums/TBK-VAL-01/pack", facilitators, 303),
        ("/forums/TBK-VAL-01/pack.pdf", facilitators, 303),
        ("/api/v1/findings", everyone, 401),
        ("/static/forum-pack.css", everyone, 200),
        ("/forums/TBK-INT-001", [404, 404, 403, 404, 403], 303),
    ];
    for (index, role) in ROLES.iter().enumerate() {
        let user = Client::as_role(&served.base, role);
        for (path, expected, _) in &table {
            let answer = user.get(path);
            assert_eq!(answer.status, expected[index], "{role} GET {path}");
        }
    }
    for (path, _, signed_out) in &table {
        assert_eq!(anonymous.get(path).status, *signed_out, "signed out {path}");
    }
    let pdf = Client::as_role(&served.base, "facilitator").get("/forums/TBK-VAL-01/pack.pdf");
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.header("content-disposition").contains("forum-pack.pdf"));
    // Who may record outcomes and action progress.
    let validate = [
        ("finding", "f-justice"),
        ("kind", "validated"),
        ("agreement", "consensus"),
    ];
    for (role, expected) in ROLES.iter().zip([303, 303, 403, 303, 403]) {
        let user = Client::as_role(&served.base, role);
        let token = user.csrf();
        assert_eq!(
            post_outcome(&user, &token, "GRH-VAL-01", &validate),
            expected,
            "{role}"
        );
        let status = user
            .form(
                &token,
                "/actions/a-hotline-feasibility",
                &[("status", "planned")],
            )
            .status;
        assert_eq!(status, expected, "{role} action progress");
    }
    assert_eq!(
        anonymous
            .send(
                "POST",
                "/forums/GRH-VAL-01/outcomes",
                &[],
                Some((
                    "application/x-www-form-urlencoded",
                    "finding=f-justice&kind=validated&agreement=split"
                )),
            )
            .status,
        303,
        "signed out: to the sign-in page"
    );

    // Viewers see validated findings only; others see every one.
    let viewer = Client::as_role(&served.base, "viewer");
    let page = viewer.get("/findings").body;
    assert!(page.contains("f-youth-jobs") && !page.contains("f-weak-cohesion"));
    let api: Value = serde_json::from_str(&viewer.get("/api/v1/findings").body)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        api["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|f| f["validated"] == true)
    );
    assert!(!viewer.get("/").body.contains("/forums"), "no forum link");
    let coordinator = Client::as_role(&served.base, "coordinator");
    assert!(
        coordinator
            .get("/findings")
            .body
            .contains("f-weak-cohesion")
    );
    let roles = coordinator.get("/recommendations?lang=en").body;
    for needle in [
        "local authorities",
        "youth associations",
        "Set up a toll-free hotline",
    ] {
        assert!(roles.contains(needle), "{needle}");
    }
    let actions = coordinator.get("/actions?lang=en").body;
    assert!(
        actions.contains("class=\"late\""),
        "late actions are flagged"
    );

    // Recording an outcome: CSRF and origin checked, role checked, rules
    // checked (an amendment needs its wording).
    let facilitator = Client::as_role(&served.base, "facilitator");
    let csrf = facilitator.csrf();
    let amend = [
        ("finding", "f-weak-cohesion"),
        ("kind", "amended"),
        (
            "wording_fr",
            "La cohésion communautaire s'effrite là où les jeunes n'ont plus d'espace de dialogue.",
        ),
        ("agreement", "majority"),
    ];
    assert_eq!(
        post_outcome(&facilitator, "wrong", "TBK-VAL-01", &amend),
        403
    );
    let foreign = facilitator.send(
        "POST",
        "/forums/TBK-VAL-01/outcomes",
        &[("Origin", "http://evil.example")],
        Some((
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&finding=f-weak-cohesion&kind=validated&agreement=split").as_str(),
        )),
    );
    assert_eq!(foreign.status, 403);
    let coder = Client::as_role(&served.base, "coder");
    let coder_csrf = coder.csrf();
    assert_eq!(post_outcome(&coder, &coder_csrf, "TBK-VAL-01", &amend), 403);
    let no_wording = [
        ("finding", "f-weak-cohesion"),
        ("kind", "amended"),
        ("agreement", "majority"),
    ];
    assert_eq!(
        post_outcome(&facilitator, &csrf, "TBK-VAL-01", &no_wording),
        400
    );
    assert_eq!(
        post_outcome(&facilitator, &csrf, "TBK-INT-001", &amend),
        404
    );
    assert_eq!(post_outcome(&facilitator, &csrf, "TBK-VAL-01", &amend), 303);
    let after = findings_after(&coordinator, "f-weak-cohesion");
    assert_eq!(after["validated"], true);
    assert_eq!(after["outcomes"][0]["kind"], "amended");
    assert!(
        viewer.get("/findings").body.contains("f-weak-cohesion"),
        "now validated"
    );

    // A forum puts a finding forward: placed at the forum's cercle, with
    // the forum's "added" outcome.
    let new_finding = format!(
        "csrf={}&statement_fr={}&research_question=4&codes=recruitment&agreement=consensus",
        form_encode(&csrf),
        form_encode("Les orpailleurs recrutés sur les sites d'or du nord")
    );
    let form = |body: &str| {
        facilitator
            .send(
                "POST",
                "/forums/TBK-VAL-01/findings",
                &[],
                Some(("application/x-www-form-urlencoded", body)),
            )
            .status
    };
    assert_eq!(form(&new_finding.replace(&csrf, "wrong")), 403);
    assert_eq!(
        form(&new_finding.replace("codes=recruitment", "codes=no.such.code")),
        404
    );
    assert_eq!(form(&new_finding), 303);
    let added = findings_after(&coordinator, "f-tbk-1");
    assert_eq!(added["places"], json!(["TBK"]));
    assert_eq!(added["research_question"]["number"], 4);
    assert_eq!(added["outcomes"][0]["kind"], "added");
    assert_eq!(added["outcomes"][0]["forum"], "TBK-VAL-01");
    assert_eq!(added["validated"], true);
    assert!(
        coordinator
            .get("/forums/TBK-VAL-01")
            .body
            .contains("id=\"finding-f-tbk-1\"")
    );
    assert_eq!(
        viewer
            .send(
                "POST",
                "/api/v1/forums/TBK-VAL-01/findings",
                &[("X-CSRF-Token", viewer.csrf().as_str())],
                Some((
                    "application/json",
                    r#"{"statement_fr": "x", "research_question": 4, "agreement": "split"}"#
                )),
            )
            .status,
        403
    );

    // Action progress from the workbench: facilitators yes, viewers no.
    let progress = |user: &Client, token: &str| {
        user.form(
            token,
            "/actions/a-hotline-feasibility",
            &[("status", "under-way"), ("notes", "Lancée")],
        )
        .status
    };
    assert_eq!(progress(&facilitator, "wrong"), 403);
    assert_eq!(progress(&viewer, &viewer.csrf()), 403);
    assert_eq!(progress(&facilitator, &csrf), 303);
    let actions = coordinator.get("/actions").body;
    assert!(actions.contains("Lancée"));
    assert!(!viewer.get("/actions").body.contains("action-form"));

    // The JSON API takes the CSRF header.
    let body = r#"{"finding": "f-community-means", "kind": "rejected", "reasons": "Hors sujet pour ce cercle", "agreement": "split"}"#;
    let path = "/api/v1/forums/GDM-VAL-01/outcomes";
    let json_body = Some(("application/json", body));
    assert_eq!(facilitator.send("POST", path, &[], json_body).status, 403);
    let ok = facilitator.send("POST", path, &[("X-CSRF-Token", csrf.as_str())], json_body);
    assert_eq!(ok.status, 204, "{}", ok.body);
    assert_eq!(
        findings_after(&coordinator, "f-community-means")["validated"],
        false
    );

    // Evidence strength follows the codings: add one in a document where
    // the finding's codes are absent, then remove it.
    let before = findings_after(&coordinator, "f-farmer-herder")["strength"].clone();
    let researcher = Client::as_role(&served.base, "researcher");
    let researcher_csrf = researcher.csrf();
    let (document, start, end) = uncoded_turn(&researcher, "push.economic.resources");
    let body =
        json!({"codes": ["push.economic.resources"], "start": start, "end": end}).to_string();
    let created = researcher.send(
        "POST",
        &format!("/api/v1/documents/{document}/codings"),
        &[("X-CSRF-Token", researcher_csrf.as_str())],
        Some(("application/json", body.as_str())),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let coding: Value = serde_json::from_str(&created.body).unwrap_or_else(|e| panic!("{e}"));
    let more = findings_after(&coordinator, "f-farmer-herder")["strength"].clone();
    assert_eq!(more["sources"], before["sources"].as_u64().unwrap_or(0) + 1);
    assert_eq!(
        more["participants"],
        before["participants"].as_u64().unwrap_or(0) + 1
    );
    assert_eq!(
        more["segments"],
        before["segments"].as_u64().unwrap_or(0) + 1
    );
    let removed = researcher.send(
        "DELETE",
        &format!(
            "/api/v1/codings/{}?version={}",
            coding[0]["id"].as_str().unwrap_or_default(),
            coding[0]["version"]
        ),
        &[("X-CSRF-Token", researcher_csrf.as_str())],
        None,
    );
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(
        findings_after(&coordinator, "f-farmer-herder")["strength"],
        before
    );
}

fn findings_after(user: &Client, key: &str) -> Value {
    let all: Value =
        serde_json::from_str(&user.get("/api/v1/findings").body).unwrap_or_else(|e| panic!("{e}"));
    finding(&all, key).clone()
}

/// An interview turn by a registered participant in a document with no
/// coding of `code`: `(document, start, end)`.
fn uncoded_turn(user: &Client, code: &str) -> (String, u64, u64) {
    let list: Value = serde_json::from_str(&user.get("/api/v1/documents").body).unwrap_or_default();
    for doc in list.as_array().into_iter().flatten() {
        let name = doc["code"].as_str().unwrap_or_default();
        if !name.contains("-INT-") {
            continue;
        }
        let full: Value =
            serde_json::from_str(&user.get(&format!("/api/v1/documents/{name}")).body)
                .unwrap_or_default();
        let coded = full["codings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["code"] == code);
        let turn = full["turns"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["participant"].is_string());
        if let (false, Some(turn)) = (coded, turn) {
            let start = turn["span"]["start"].as_u64().unwrap_or(0);
            let end = turn["span"]["end"].as_u64().unwrap_or(0);
            return (name.to_owned(), start, end.min(start + 20));
        }
    }
    panic!("every interview holds {code}")
}

#[test]
fn facilitator_records_an_amendment_in_a_real_browser() {
    let (_root, dir) = demo();
    let served = serve(&dir, &[]);
    let browser = Browser::start();
    browser.sign_in(&served.base, "facilitator-user", "facilitator password");
    browser.goto(&format!("{}/forums", served.base));
    browser.click("a[href='/forums/NFK-VAL-01']");
    wait_for(&browser, "id=\"finding-f-justice\"");
    let form = "#finding-f-justice form";
    browser.click(&format!("{form} select[name=kind] option[value=amended]"));
    let wording =
        "Faiblesse de la justice, surtout loin des chefs-lieux : audiences foraines réclamées";
    browser.type_into(&format!("{form} textarea[name=wording_fr]"), wording);
    browser.click(&format!(
        "{form} select[name=agreement] option[value=consensus]"
    ));
    browser.click(&format!("{form} button[type=submit]"));
    wait_for(&browser, "audiences foraines");

    // The finding's history shows it, with the new wording.
    browser.goto(&format!("{}/findings", served.base));
    let page = browser.page_source();
    let history = page
        .split("id=\"finding-f-justice\"")
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .unwrap_or_default();
    assert!(history.contains("data-forum=\"NFK-VAL-01\""), "{history}");
    assert!(history.contains("audiences foraines"), "{history}");
    assert!(history.contains("class=\"outcome amended\""), "{history}");
    // The forum pack prints: a PDF with a page per finding, plus the
    // cover, the page for added findings and the attendance sheet.
    browser.goto(&format!("{}/forums/NFK-VAL-01/pack", served.base));
    wait_for(&browser, "data-group=");
    let pdf = browser.call("POST", "/print", Some(json!({"background": false})));
    let pdf = base64(pdf.as_str().unwrap_or_default());
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    let findings = browser_findings(&browser);
    assert_eq!(findings, 11, "the region's findings, none of Diré's own");
    assert!(
        pages >= findings + 3,
        "{pages} pages for {findings} findings"
    );

    let all = findings_json(&dir);
    let justice = finding(&all, "f-justice");
    let nfk = justice["outcomes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["forum"] == "NFK-VAL-01")
        .cloned()
        .unwrap_or_default();
    assert_eq!(nfk["kind"], "amended");
    assert_eq!(nfk["wording"]["fr"], wording);
    assert_eq!(nfk["agreement"], "consensus");
}

/// Findings pages in the pack the browser shows.
fn browser_findings(browser: &Browser) -> usize {
    browser
        .page_source()
        .matches("class=\"page finding\"")
        .count()
}

/// Decodes standard base64 (WebDriver's print answer).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let sextets: Vec<u8> = text.bytes().filter_map(value).collect();
    sextets
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().fold(0u32, |acc, v| (acc << 6) | u32::from(*v)) << (6 * (4 - c.len()));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(c.len().saturating_sub(1))
        })
        .collect()
}

fn wait_for(browser: &Browser, needle: &str) {
    let started = Instant::now();
    while !browser.page_source().contains(needle) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never saw {needle}: {}",
            browser.page_source()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
