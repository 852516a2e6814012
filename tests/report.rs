//! The study report end to end on the demo: French and English PDFs read
//! back with `pdftotext` (the right numbers; nothing that gives back the 3
//! religious (Christian) leaders; no participant code), pages rendered with
//! `pdftoppm`, the same bytes twice, a self-contained HTML report, quotes
//! blocked by the scan until approved, and the workbench download for the
//! roles allowed.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command as Process;
use support::{
    Client, add_user, fresh_demo, in_workspace, pdftotext, sankore, serve, with_passphrase,
};

fn report(dir: &Path, out: &Path, format: &str, lang: &str, extra: &[&str]) {
    with_passphrase(sankore())
        .args(["--lang", lang, "report", "study", "--format", format])
        .args(["--date", "2017-07-15", "--workspace"])
        .arg(dir)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Text without any whitespace or soft hyphen, to find a phrase that the
/// layout wrapped.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{ad}' && *c != '-')
        .collect()
}

/// Every whole number printed in a text.
fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The value column of the methodology table row whose label starts with
/// `label` (layout mode keeps a row on one line).
fn row_value(text: &str, label: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no row {label}"))
        .to_owned()
}

#[test]
fn study_report_pdfs_publish_the_right_numbers_and_nothing_that_gives_back_small_counts() {
    let (root, dir) = fresh_demo();
    let fr = root.path().join("rapport.pdf");
    let en = root.path().join("report.pdf");
    report(&dir, &fr, "pdf", "fr", &["--coordinator-copy"]);
    report(&dir, &en, "pdf", "en", &[]);
    let (text_fr, text_en) = (pdftotext(&fr), pdftotext(&en));

    for (text, heard, groups) in [
        (
            &text_fr,
            "Entretiens individuels — Participants",
            [
                "leaders communautaires",
                "leaders religieux (chrétiens)",
                "représentants d'ONG",
                "associations de femmes",
                "associations de jeunes",
            ],
        ),
        (
            &text_en,
            "Individual interviews — Participants",
            [
                "community leaders",
                "religious (Christian) leaders",
                "NGO representatives",
                "women's associations",
                "youth associations",
            ],
        ),
    ] {
        assert_eq!(row_value(text, heard), "97");
        for cercle in [
            "Tombouctou",
            "Goundam",
            "Gourma-Rharous",
            "Diré",
            "Niafunké",
        ] {
            assert!(text.contains(cercle), "{cercle} missing");
        }
        assert!(text.contains("188"), "focus-group participants");
        // The focus-group table: 188 = 35 + ? + ? + 72 + 72. The 3 and
        // its complement are withheld, so the shown counts leave 9 for
        // two unknowns.
        let values: Vec<String> = groups.iter().map(|g| row_value(text, g)).collect();
        let marker = if text == &text_fr {
            "masqué"
        } else {
            "withheld"
        };
        assert_eq!(values, ["35", marker, marker, "72", "72"], "{values:?}");
        // No line about religious leaders carries a number, and no number
        // anywhere is 3 next to a focus-group figure.
        for line in text.lines().filter(|l| l.contains(groups[1])) {
            assert!(
                numbers(line).is_empty(),
                "a number next to {}: {line}",
                groups[1]
            );
        }
        let all = numbers(text);
        assert!(!all.contains(&6) || !text.contains(&format!("{} 6", groups[2])));
        // Neither 188 - 35 - 72 - 72 - 6 nor any percentage of the
        // group: no percentage sign next to a group.
        for g in &groups {
            for line in text.lines().filter(|l| l.contains(g)) {
                assert!(!line.contains('%'), "{line}");
            }
        }
    }
    // No identity from the vault: the demo seals a synthetic one for each
    // of its participants (97 interviewed, plus the focus groups').
    for text in [&text_fr, &text_en] {
        for participant in 0..400 {
            let identity = sankore_demo::synthetic_identity(participant);
            for word in identity.name.split(' ') {
                assert!(!text.contains(word), "vault name word {word} in the report");
            }
            let phone = identity.phone.clone().unwrap_or_default();
            assert!(!text.contains(&phone), "vault phone in the report");
        }
    }
    // The coordinator's copy has the annex; the public one does not.
    assert!(text_fr.contains("Rapport de confidentialité"));
    assert!(!text_en.contains("Disclosure report"));
    assert!(text_en.contains("Public version"));
    // The disclosure report beside each file names what was withheld and why.
    let disclosure: Value = serde_json::from_str(
        &std::fs::read_to_string(root.path().join("rapport.pdf.disclosure.json"))
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let suppressed = disclosure["suppressed"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let reason = |path: &str| {
        suppressed
            .iter()
            .find(|s| s["path"] == path)
            .map(|s| s["reason"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(
        reason("focus_groups.by_group.religious (Christian) leaders").as_deref(),
        Some("below-threshold")
    );
    assert_eq!(
        reason("focus_groups.by_group.NGO representatives").as_deref(),
        Some("complementary")
    );
    assert_eq!(disclosure["k"], 5);

    // Same input, same bytes.
    let again = root.path().join("again.pdf");
    report(&dir, &again, "pdf", "en", &[]);
    assert_eq!(
        std::fs::read(&en).unwrap_or_default(),
        std::fs::read(&again).unwrap_or_default(),
        "two runs differ"
    );

    // Pages render; a programme manager gets a title page and chapters.
    let pages = root.path().join("page");
    let status = Process::new("pdftoppm")
        .args(["-r", "40", "-png"])
        .arg(&en)
        .arg(&pages)
        .status()
        .unwrap_or_else(|e| panic!("pdftoppm: {e}"));
    assert!(status.success());
    let rendered: Vec<_> = std::fs::read_dir(root.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("page"))
        .collect();
    assert!(rendered.len() >= 8, "{} pages", rendered.len());
    for page in rendered {
        assert!(page.metadata().map(|m| m.len()).unwrap_or(0) > 1000);
    }

    // A larger threshold hides more, and a bad one is refused.
    let k10 = root.path().join("k10.pdf");
    report(&dir, &k10, "pdf", "en", &["--k", "10"]);
    let text = pdftotext(&k10);
    assert_eq!(
        row_value(&text, "religious (Christian) leaders"),
        "withheld"
    );
    in_workspace(&dir, &["report", "study", "--k", "2"])
        .arg("--out")
        .arg(root.path().join("bad.pdf"))
        .assert()
        .failure();
}

#[test]
fn quotes_are_scanned_blocked_until_approved_and_the_html_report_is_self_contained() {
    let (root, dir) = fresh_demo();
    add_user(&dir, "coord", "coordinator", "coordinator password");
    add_user(&dir, "viewer", "viewer", "viewer password");
    // Find, over real HTTP, one coded passage naming a commune and one
    // that does not, for the finding on youth jobs.
    let served = serve(&dir, &[]);
    let coord = Client::signed_in(&served.base, "coord", "coordinator password");
    let findings: Value =
        serde_json::from_str(&coord.get("/api/v1/findings").body).unwrap_or_default();
    let finding = findings["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["key"] == "f-youth-jobs"))
        .cloned()
        .unwrap_or_else(|| panic!("no finding f-youth-jobs"));
    let codes: Vec<String> = finding["codes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let documents: Value =
        serde_json::from_str(&coord.get("/api/v1/documents").body).unwrap_or_default();
    let communes = [
        "Alafia",
        "Ber",
        "Bourem-Inaly",
        "Lafia",
        "Salam",
        "Gossi",
        "Tonka",
        "Léré",
        "Soumpi",
        "Banikane",
    ];
    let (mut placed, mut clean) = (None, None);
    for d in documents.as_array().into_iter().flatten() {
        let code = d["code"].as_str().unwrap_or_default();
        let doc: Value =
            serde_json::from_str(&coord.get(&format!("/api/v1/documents/{code}")).body)
                .unwrap_or_default();
        for c in doc["codings"].as_array().into_iter().flatten() {
            if !codes.iter().any(|k| c["code"] == k.as_str()) {
                continue;
            }
            let text = c["text"].as_str().unwrap_or_default().to_owned();
            let id = c["id"].as_str().unwrap_or_default().to_owned();
            let names_place = text
                .split(|ch: char| !ch.is_alphanumeric() && ch != '-')
                .any(|w| communes.contains(&w));
            if names_place && placed.is_none() {
                placed = Some((id, text));
            } else if !names_place && clean.is_none() && text.chars().count() > 40 {
                clean = Some((id, text));
            }
        }
        if placed.is_some() && clean.is_some() {
            break;
        }
    }
    let (placed, clean) = (
        placed.unwrap_or_else(|| panic!("no coded passage names a commune")),
        clean.unwrap_or_else(|| panic!("no clean passage")),
    );
    // The download is there for coordinators, refused to viewers.
    let pdf = coord.get("/report/study.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(coord.get("/findings").body.contains("/report/study.pdf"));
    let viewer = Client::signed_in(&served.base, "viewer", "viewer password");
    assert_eq!(viewer.get("/report/study.pdf").status, 403);
    assert_eq!(viewer.get("/report/study.html").status, 403);
    assert!(!viewer.get("/findings").body.contains("/report/study.pdf"));
    drop(served);

    for (id, _) in [&placed, &clean] {
        with_passphrase(sankore())
            .args([
                "quotes",
                "pick",
                "--finding",
                "f-youth-jobs",
                "--coding",
                id,
                "--workspace",
            ])
            .arg(&dir)
            .assert()
            .success();
    }
    let html = root.path().join("report.html");
    report(&dir, &html, "html", "en", &[]);
    let page = std::fs::read_to_string(&html).unwrap_or_default();
    let shown = |page: &str, text: &str| {
        let start: String = text.trim().chars().take(30).collect();
        squeeze(page).contains(&squeeze(&sankore_escape(&start)))
    };
    assert!(shown(&page, &clean.1), "the clean quote is published");
    assert!(
        !shown(&page, &placed.1),
        "the quote naming a commune is blocked"
    );
    let listed = in_workspace(&dir, &["quotes", "list"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap_or_default();
    let entry = listed["quotes"]
        .as_array()
        .and_then(|q| q.iter().find(|q| q["coding"] == placed.0.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(entry["decision"], "blocked");
    assert!(
        entry["flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|k| k == "place"))
    );
    assert!(
        !String::from_utf8_lossy(&serde_json::to_vec(&listed).unwrap_or_default())
            .contains(&placed.1),
        "the listing never holds the text"
    );
    // Approval needs a reason; with one it is recorded and published.
    with_passphrase(sankore())
        .args([
            "quotes",
            "approve",
            "--finding",
            "f-youth-jobs",
            "--coding",
            &placed.0,
        ])
        .args(["--reason", " ", "--by", "COORD", "--workspace"])
        .arg(&dir)
        .assert()
        .failure();
    with_passphrase(sankore())
        .args([
            "quotes",
            "approve",
            "--finding",
            "f-youth-jobs",
            "--coding",
            &placed.0,
        ])
        .args([
            "--reason",
            "the commune is public knowledge here",
            "--by",
            "COORD",
            "--workspace",
        ])
        .arg(&dir)
        .assert()
        .success();
    let coordinator = root.path().join("coordinator.html");
    report(&dir, &coordinator, "html", "en", &["--coordinator-copy"]);
    let page = std::fs::read_to_string(&coordinator).unwrap_or_default();
    assert!(shown(&page, &placed.1), "approved quotes are published");
    assert!(
        page.contains("the commune is public knowledge here"),
        "the annex says why"
    );
    let disclosure = std::fs::read_to_string(root.path().join("coordinator.html.disclosure.json"))
        .unwrap_or_default();
    assert!(disclosure.contains("\"approved\"") && disclosure.contains("COORD"));

    // Self-contained: no script, no stylesheet or image fetched, no URL
    // but the SVG namespace.
    for forbidden in ["<script", "<link", "src=", "@import", "<iframe", "https://"] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    let urls = page.matches("http://").count();
    assert_eq!(urls, page.matches("http://www.w3.org/2000/svg").count());
    assert!(!page.replace("url(#hatch)", "").contains("url("));
    // No participant code anywhere in the public report.
    let participants: Vec<String> = {
        let served = serve(&dir, &[]);
        let coord = Client::signed_in(&served.base, "coord", "coordinator password");
        let list: Value =
            serde_json::from_str(&coord.get("/api/v1/participants").body).unwrap_or_default();
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["code"].as_str().map(str::to_owned))
            .collect()
    };
    assert!(participants.len() >= 97, "{}", participants.len());
    let pdf = root.path().join("public.pdf");
    report(&dir, &pdf, "pdf", "fr", &[]);
    let text = pdftotext(&pdf);
    for code in &participants {
        assert!(
            !page.contains(code.as_str()) && !text.contains(code.as_str()),
            "{code}"
        );
    }
    // Same bytes for the same input.
    let again = root.path().join("again.html");
    report(&dir, &again, "html", "en", &["--coordinator-copy"]);
    assert_eq!(std::fs::read(&coordinator).ok(), std::fs::read(&again).ok());
}

/// Escapes text as the HTML report does.
fn sankore_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn instruments_are_annexed_when_the_workspace_holds_some() {
    let (root, dir) = fresh_demo();
    let before = root.path().join("before.pdf");
    report(&dir, &before, "pdf", "fr", &[]);
    let text = squeeze(&pdftotext(&before));
    assert!(
        !text.contains(&squeeze("Instruments de collecte")),
        "{text}"
    );

    let records = sankore_demo::reference_study();
    let guide = sankore_demo::interview_guide(&records).unwrap_or_else(|e| panic!("{e}"));
    let file = root.path().join("guide-entretien.xlsx");
    std::fs::write(
        &file,
        sankore_formats::xlsform::write_xlsx(&guide).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    in_workspace(&dir, &["import", "xlsform"])
        .arg(&file)
        .assert()
        .success();

    // French PDF: the annex, the form's French labels, nesting, choices.
    let fr = root.path().join("rapport.pdf");
    report(&dir, &fr, "pdf", "fr", &[]);
    let text = squeeze(&pdftotext(&fr));
    for phrase in [
        "Annexe — Instruments de collecte",
        "Version :",
        "Français (fr), English (en)",
        "Code du participant (jamais le nom)",
        "La personne interrogée",
        "Question de recherche 4 › Lieux de recrutement (répétition)",
        "Lieu de recrutement cité",
        "select_multiple",
    ] {
        assert!(text.contains(&squeeze(phrase)), "no {phrase:?} in {text}");
    }
    assert!(!text.contains(&squeeze("Recruitment place named")));
    // Questions in form order.
    let at = |p: &str| text.find(&squeeze(p)).unwrap_or_else(|| panic!("no {p:?}"));
    assert!(at("Code du participant") < at("Âge (années)"));
    assert!(at("Âge (années)") < at("Lieu de recrutement cité"));

    // English HTML: English labels and choice labels, links to research questions.
    let en = root.path().join("report.html");
    report(&dir, &en, "html", "en", &[]);
    let html = std::fs::read_to_string(&en).unwrap_or_else(|e| panic!("{e}"));
    for phrase in [
        "<h1>Annex — Data collection instruments</h1>",
        "<h3>Research question 4 › Recruitment places (repeat)</h3>",
        "<td>Recruitment place named</td><td>text</td><td class=\"n\">2, 4</td>",
        "<td>Gender</td><td>select_one : Woman · Man</td>",
    ] {
        assert!(html.contains(phrase), "no {phrase:?} in the HTML report");
    }
    assert!(!html.contains("Lieu de recrutement cité"));
}
