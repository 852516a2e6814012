//! `sankore export qdpx|qdc` and `sankore import qdpx|qdc` through the real
//! binary: real encrypted workspaces, `xmllint` against the REFI-QDA
//! schemas, the vendors' samples from `../shared/conformance/refi-qda/`.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

mod support;

use support::{in_workspace, shared_demo, stdout_of};

fn conformance() -> PathBuf {
    let dir = std::env::var_os("SANKORE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("conformance/refi-qda");
    assert!(
        dir.join("schemas/Project.xsd").is_file(),
        "REFI-QDA conformance material missing: expected {} (a copy of shared/ beside the repository)",
        dir.display()
    );
    dir
}

fn fail(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1), "expected a refusal");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn xmllint(file: &Path, schema: &str) {
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(conformance().join("schemas").join(schema))
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("xmllint not runnable ({e}): install libxml2-utils"));
    assert!(
        output.status.success(),
        "{} does not validate against {schema}:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn entries(qdpx: &Path) -> BTreeMap<String, Vec<u8>> {
    let bytes = std::fs::read(qdpx).unwrap_or_else(|e| panic!("{e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap_or_else(|e| panic!("{e}"));
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap_or_else(|e| panic!("{e}"));
        let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
        out.insert(name, data);
    }
    out
}

/// Codings as (source, start, end, code name, coder name, memo), users,
/// code names and notes, read from `project.qde` with GUIDs resolved.
fn project_lines(qde: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let text = String::from_utf8_lossy(qde).into_owned();
    let mut reader = quick_xml::reader::Reader::from_str(&text);
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut pending: Vec<(String, String, String, String, String)> = Vec::new();
    let mut lines = Vec::new();
    let (mut source, mut selection, mut coder) = (String::new(), String::new(), String::new());
    let mut stack: Vec<String> = Vec::new();
    let mut text_of: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("{e}"));
        let (start, empty) = match &event {
            Event::Start(s) => (Some(s.clone()), false),
            Event::Empty(s) => (Some(s.clone()), true),
            _ => (None, false),
        };
        if let Some(s) = start {
            let name = s.local_name().into_inner().to_owned();
            let attr = |k: &str| {
                s.attributes()
                    .flatten()
                    .find(|a| a.key.local_name().into_inner() == k)
                    .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
                    .map(|v| v.into_owned())
                    .unwrap_or_default()
            };
            match name.as_str() {
                "User" | "Code" => {
                    names.insert(attr("guid"), attr("name"));
                    lines.push(format!("{name} {}", attr("name")));
                }
                "TextSource" => source = attr("name"),
                "PlainTextSelection" => {
                    selection = format!("[{}, {})", attr("startPosition"), attr("endPosition"));
                }
                "Coding" => coder = attr("creatingUser"),
                "CodeRef" => pending.push((
                    source.clone(),
                    selection.clone(),
                    attr("targetGUID"),
                    coder.clone(),
                    String::new(),
                )),
                "Note" => {
                    source = format!("note {}", attr("name"));
                    selection.clear();
                    lines.push(format!("Note {} by {}", attr("name"), attr("creatingUser")));
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
            }
        } else {
            match event {
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last() {
                        let key = format!("{top} {source} {selection}");
                        text_of.entry(key).or_default().push_str(&t.xml10_content());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    for (source, selection, code, coder, _) in pending {
        let memo = text_of
            .get(&format!("Description {source} {selection}"))
            .cloned();
        lines.push(format!(
            "coding {source} {selection} {} by {} memo {memo:?}",
            names.get(&code).cloned().unwrap_or_default(),
            names.get(&coder).cloned().unwrap_or_default()
        ));
    }
    for (key, text) in text_of
        .into_iter()
        .filter(|(k, _)| k.starts_with("PlainTextContent"))
    {
        lines.push(format!("{key}: {text}"));
    }
    lines.sort();
    lines
}

#[test]
fn demo_exports_validate_and_round_trip_through_an_empty_workspace() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let first = root.path().join("demo.qdpx");
    let line = stdout_of(
        in_workspace(shared_demo(), &["export", "qdpx"])
            .arg("--out")
            .arg(&first),
    );
    assert!(
        line.starts_with("Exported: ") && line.contains(" codings"),
        "{line}"
    );
    let first_entries = entries(&first);
    let qde = root.path().join("project.qde");
    std::fs::write(&qde, &first_entries["project.qde"]).unwrap_or_else(|e| panic!("{e}"));
    xmllint(&qde, "Project.xsd");
    assert!(
        first_entries
            .keys()
            .filter(|k| k.starts_with("sources/"))
            .count()
            > 100
    );

    // The codebook alone.
    let qdc = root.path().join("demo.qdc");
    stdout_of(
        in_workspace(shared_demo(), &["export", "qdc"])
            .arg("--out")
            .arg(&qdc),
    );
    xmllint(&qdc, "Codebook.xsd");

    // Stable GUIDs: the same workspace exports the same bytes.
    let again = root.path().join("again.qdpx");
    stdout_of(
        in_workspace(shared_demo(), &["export", "qdpx"])
            .arg("--out")
            .arg(&again),
    );
    assert_eq!(std::fs::read(&first).ok(), std::fs::read(&again).ok());

    // Import into an empty workspace, export again: same project.
    let imported = root.path().join("imported");
    let summary = stdout_of(
        in_workspace(&imported, &["import", "qdpx"])
            .arg(&first)
            .args(["--format", "json"]),
    );
    let summary: Value = serde_json::from_str(&summary).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["positions"]["scheme"], "characters", "{summary}");
    assert!(
        summary["codings"].as_u64().unwrap_or_default() > 1000,
        "{summary}"
    );
    assert_eq!(summary["left_out"].as_array().map(Vec::len), Some(0));
    let second = root.path().join("second.qdpx");
    stdout_of(
        in_workspace(&imported, &["export", "qdpx"])
            .arg("--out")
            .arg(&second),
    );
    let second_entries = entries(&second);
    // Texts: same files under the same names (source GUIDs survive).
    let texts = |e: &BTreeMap<String, Vec<u8>>| -> Vec<(String, Vec<u8>)> {
        e.iter()
            .filter(|(k, _)| k.starts_with("sources/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_eq!(texts(&first_entries), texts(&second_entries));
    // Codes, spans, coders, notes.
    let (before, after) = (
        project_lines(&first_entries["project.qde"]),
        project_lines(&second_entries["project.qde"]),
    );
    let lost: Vec<&String> = before.iter().filter(|l| !after.contains(l)).collect();
    let gained: Vec<&String> = after.iter().filter(|l| !before.contains(l)).collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "lost {lost:?}\ngained {gained:?}"
    );
    assert_eq!(before.len(), after.len());
    // The imported workspace passes Sankore's own checks.
    stdout_of(&mut in_workspace(&imported, &["check"]));
}

#[test]
fn nvivo_sample_imports_with_its_position_scheme_reported() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("nvivo");
    let line = stdout_of(
        in_workspace(&dir, &["import", "qdpx"])
            .arg(conformance().join("samples/nvivo-12.6-oltas0517.qdpx")),
    );
    assert!(
        line.contains("303 codings") && line.contains("152 codes"),
        "{line}"
    );
    assert!(line.contains("UTF-16 code units (NVivo)"), "{line}");
    stdout_of(&mut in_workspace(&dir, &["check"]));
    let out = root.path().join("nvivo.qdpx");
    stdout_of(
        in_workspace(&dir, &["export", "qdpx"])
            .arg("--out")
            .arg(&out),
    );
    let qde = root.path().join("nvivo.qde");
    std::fs::write(&qde, &entries(&out)["project.qde"]).unwrap_or_else(|e| panic!("{e}"));
    xmllint(&qde, "Project.xsd");
}

#[test]
fn atlas_ti_sample_needs_consent_to_leave_parts_out() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sample = conformance().join("samples/atlasti-8.4-standard-project.qdpx");
    let dir = root.path().join("atlas");
    let stderr = fail(in_workspace(&dir, &["import", "qdpx"]).arg(&sample));
    assert!(stderr.contains("--allow-partial"), "{stderr}");
    assert!(!dir.exists(), "nothing created on refusal");
    let json = stdout_of(in_workspace(&dir, &["import", "qdpx"]).arg(&sample).args([
        "--allow-partial",
        "--format",
        "json",
    ]));
    let summary: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["codes"], 14);
    assert_eq!(summary["users"], 3);
    assert_eq!(summary["memos"], 2);
    assert!(
        summary["left_out"].as_array().is_some_and(|a| a.len() >= 5),
        "{summary}"
    );
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

#[test]
fn hostile_files_are_refused_and_nothing_is_created() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let project = b"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"/>";
    let past_end = b"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><CodeBook><Codes><Code guid=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\" name=\"c\" isCodable=\"true\"/></Codes></CodeBook><Sources><TextSource guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a41\" name=\"s\"><PlainTextContent>court</PlainTextContent><PlainTextSelection guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a42\" startPosition=\"0\" endPosition=\"50\"><Coding guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a43\"><CodeRef targetGUID=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\"/></Coding></PlainTextSelection></TextSource></Sources></Project>";
    let laughs = b"<?xml version=\"1.0\"?><!DOCTYPE Project [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"&b;\"/>";
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "traversal",
            zip_of(&[("project.qde", project), ("../../evil.txt", b"x")]),
            "unsafe path",
        ),
        (
            "past-end",
            zip_of(&[("project.qde", past_end)]),
            "past the end",
        ),
        (
            "laughs",
            zip_of(&[("project.qde", laughs)]),
            "document type declarations",
        ),
    ];
    for (name, bytes, reason) in cases {
        let file = root.path().join(format!("{name}.qdpx"));
        std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join(name);
        let stderr = fail(
            in_workspace(&dir, &["import", "qdpx"])
                .arg(&file)
                .arg("--allow-partial"),
        );
        assert!(stderr.contains(reason), "{name}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(!dir.exists(), "{name}: nothing created");
    }
}

#[test]
fn codebooks_import_and_existing_workspaces_are_refused() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let qdc = root.path().join("book.qdc");
    stdout_of(
        in_workspace(shared_demo(), &["export", "qdc"])
            .arg("--out")
            .arg(&qdc),
    );
    let dir = root.path().join("book");
    let json = stdout_of(
        in_workspace(&dir, &["import", "qdc"])
            .arg(&qdc)
            .args(["--format", "json"]),
    );
    let summary: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let exported = std::fs::read_to_string(&qdc).unwrap_or_default();
    assert_eq!(
        summary["codes"].as_u64(),
        Some(exported.matches("<Code ").count() as u64)
    );
    // Round trip of the codebook alone.
    let back = root.path().join("back.qdc");
    stdout_of(
        in_workspace(&dir, &["export", "qdc"])
            .arg("--out")
            .arg(&back),
    );
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split(" name=\"").nth(1))
            .map(|rest| rest.split('"').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        names(&exported),
        names(&std::fs::read_to_string(&back).unwrap_or_default())
    );

    let stderr = fail(in_workspace(shared_demo(), &["import", "qdc"]).arg(&qdc));
    assert!(stderr.contains("already a workspace"), "{stderr}");
}
