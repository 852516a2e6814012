//! REFI-QDA against real files: the vendors' samples and schemas in
//! `../shared/conformance/refi-qda/` (beside the repository), `xmllint`
//! for schema validation, real zip archives for hostile inputs.

mod common;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::process::Command;

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use sankore_domain::StudyRecords;
use sankore_domain::gazetteer::timbuktu_2017;
use sankore_formats::refi::{
    self, ImportOptions, Imported, Limits, LineEndings, PositionScheme, RefiError,
};
use unicode_normalization::UnicodeNormalization;
use zip::write::SimpleFileOptions;

fn conformance() -> PathBuf {
    let dir = common::shared("conformance/refi-qda");
    assert!(
        dir.join("schemas/Project.xsd").is_file(),
        "REFI-QDA conformance material missing: expected {} (a copy of shared/ beside the repository)",
        dir.display()
    );
    dir
}

fn sample(name: &str) -> Vec<u8> {
    let path = conformance().join("samples").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn options(allow_partial: bool) -> ImportOptions {
    ImportOptions {
        gazetteer: timbuktu_2017(),
        today: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
        fallback_name: "test".to_owned(),
        allow_partial,
        limits: Limits::default(),
    }
}

fn import(bytes: &[u8]) -> Imported {
    refi::import_project(bytes, &options(false)).unwrap_or_else(|e| panic!("import: {e}"))
}

/// Validates an XML document against a schema with `xmllint`.
fn validate(xml: &[u8], schema: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(conformance().join("schemas").join(schema))
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("xmllint not runnable ({e}): install libxml2-utils"));
    assert!(
        output.status.success(),
        "{schema} validation failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn entry(qdpx: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(qdpx)).unwrap_or_else(|e| panic!("{e}"));
    let mut file = zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = Vec::new();
    file.read_to_end(&mut out).unwrap_or_else(|e| panic!("{e}"));
    out
}

/// A minimal element tree for reading files independently of the crate.
#[derive(Debug, Default, Clone)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn attr(&self, k: &str) -> String {
        self.attrs.get(k).cloned().unwrap_or_default()
    }
    fn all<'a>(&'a self, name: &'a str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
    fn find_all<'a>(&'a self, name: &'a str) -> Vec<&'a Node> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }
}

fn tree(xml: &[u8]) -> Node {
    let text =
        String::from_utf8_lossy(xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml)).into_owned();
    let mut reader = Reader::from_str(&text);
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}")) {
            Event::Start(s) => stack.push(node(&s)),
            Event::Empty(s) => {
                if let Some(top) = stack.last_mut() {
                    top.children.push(node(&s));
                }
            }
            Event::End(_) => {
                let done = stack.pop().unwrap_or_default();
                if let Some(top) = stack.last_mut() {
                    top.children.push(done);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => match r.into_inner().as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            _ => "'".into(),
                        },
                    };
                    top.text.push_str(&c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap_or_default()
}

fn node(s: &quick_xml::events::BytesStart<'_>) -> Node {
    let mut n = Node {
        name: s.local_name().into_inner().to_owned(),
        ..Node::default()
    };
    for a in s.attributes().flatten() {
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .unwrap_or_default()
            .into_owned();
        n.attrs
            .insert(a.key.local_name().into_inner().to_owned(), v);
    }
    n
}

// ---------------------------------------------------------------------
// NVivo
// ---------------------------------------------------------------------

/// What NVivo selected, computed here from the file alone: the text file
/// decoded, its UTF-16 units sliced at the selection's positions, then put
/// in Sankore's form (LF line breaks, NFC).
struct Expected {
    guid: String,
    start: u64,
    end: u64,
    text: String,
    code_name: String,
    coder: String,
}

fn nvivo_expectations(qdpx: &[u8]) -> Vec<Expected> {
    let project = tree(&entry(qdpx, "project.qde"));
    let users: BTreeMap<String, String> = project
        .find_all("User")
        .iter()
        .map(|u| (u.attr("guid"), u.attr("name")))
        .collect();
    let codes: BTreeMap<String, String> = project
        .find_all("Code")
        .iter()
        .map(|c| (c.attr("guid"), c.attr("name")))
        .collect();
    let mut out = Vec::new();
    for source in project.find_all("TextSource") {
        let guid = source.attr("guid");
        let raw = entry(qdpx, &format!("Sources/{guid}.txt"));
        let text = String::from_utf8(raw).unwrap_or_else(|e| panic!("{e}"));
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let units: Vec<u16> = text.encode_utf16().collect();
        for sel in source.find_all("PlainTextSelection") {
            let start: u64 = sel.attr("startPosition").parse().unwrap_or_default();
            let end: u64 = sel.attr("endPosition").parse().unwrap_or_default();
            let slice = String::from_utf16(&units[start as usize..end as usize])
                .unwrap_or_else(|e| panic!("selection splits a surrogate pair: {e}"));
            let slice: String = slice.replace("\r\n", "\n").nfc().collect();
            for coding in sel.find_all("Coding") {
                let code = coding.find_all("CodeRef")[0].attr("targetGUID");
                out.push(Expected {
                    guid: sel.attr("guid"),
                    start,
                    end,
                    text: slice.clone(),
                    code_name: codes.get(&code).cloned().unwrap_or_default(),
                    coder: users
                        .get(&coding.attr("creatingUser"))
                        .cloned()
                        .unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn wordlike(c: char) -> bool {
    c.is_alphanumeric()
}

fn between_words(chars: &[char], i: usize) -> bool {
    i == 0 || i == chars.len() || !(wordlike(chars[i - 1]) && wordlike(chars[i]))
}

#[test]
fn nvivo_codings_land_on_the_exact_text() {
    let qdpx = sample("nvivo-12.6-oltas0517.qdpx");
    let expected = nvivo_expectations(&qdpx);
    assert_eq!(expected.len(), 303, "the sample holds 303 codings");
    let Imported { records, report } = import(&qdpx);
    let detection = report.detection.unwrap_or_else(|| panic!("no detection"));
    assert_eq!(detection.scheme, PositionScheme::Utf16);
    assert!(
        !detection.equivalent.contains(&PositionScheme::Characters),
        "the file must tell UTF-16 from characters: {detection:?}"
    );
    assert_eq!(records.codings.len(), 303);
    assert_eq!(records.documents.len(), 2);
    assert_eq!(records.codebook.codes().len(), 152);
    assert_eq!(records.study.team.len(), 2);

    let mut exact = 0;
    let mut emoji = 0;
    let mut off_words = Vec::new();
    for (coding, want) in records.codings.iter().zip(&expected) {
        let document = records
            .documents
            .iter()
            .find(|d| d.code == coding.document)
            .unwrap_or_else(|| panic!("document {}", coding.document));
        let got = document.text_of(coding.span);
        assert_eq!(
            got, want.text,
            "selection {} [{}, {})",
            want.guid, want.start, want.end
        );
        let code = records
            .codebook
            .get(&coding.code)
            .map(|c| c.name.en.clone());
        assert_eq!(
            code.as_deref(),
            Some(want.code_name.as_str()),
            "code of {}",
            want.guid
        );
        assert_eq!(coding.coder, want.coder, "coder of {}", want.guid);
        exact += 1;
        if got.chars().any(|c| c as u32 > 0xFFFF) {
            emoji += 1;
        }
        assert!(!got.contains('\u{FFFD}'));
        let chars: Vec<char> = document.body.as_str().chars().collect();
        if !(between_words(&chars, coding.span.start()) && between_words(&chars, coding.span.end()))
        {
            off_words.push(want.guid.clone());
        }
    }
    assert_eq!(exact, 303, "303/303 NVivo codings exact");
    assert!(emoji >= 10, "emoji inside codings: {emoji}");
    // Three selections cut a word in NVivo itself ("J|avitsatok",
    // "...A|KI", "hiede|lem"); they are reproduced as NVivo had them.
    off_words.sort();
    let mut known = Vec::new();
    for want in &expected {
        if [(7915, 8608), (23991, 24444), (24445, 24944)].contains(&(want.start, want.end)) {
            known.push(want.guid.clone());
        }
    }
    known.sort();
    known.dedup();
    assert_eq!(known.len(), 3);
    off_words.dedup();
    assert_eq!(off_words, known, "only NVivo's own mid-word selections");
}

#[test]
fn nvivo_import_exports_a_valid_project() {
    let Imported { records, .. } = import(&sample("nvivo-12.6-oltas0517.qdpx"));
    let qdpx = refi::export_project(&records, LineEndings::Crlf).unwrap_or_else(|e| panic!("{e}"));
    validate(&entry(&qdpx, "project.qde"), "Project.xsd");
    // Re-imported, the codings cover the same text.
    let again = import(&qdpx);
    let texts = |r: &StudyRecords| -> Vec<String> {
        r.codings
            .iter()
            .map(|c| {
                let d = r.documents.iter().find(|d| d.code == c.document);
                d.map(|d| d.text_of(c.span).to_owned()).unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(texts(&records), texts(&again.records));
    assert_eq!(
        again.report.detection.map(|d| d.scheme),
        Some(PositionScheme::Characters)
    );
}

// ---------------------------------------------------------------------
// ATLAS.ti
// ---------------------------------------------------------------------

#[test]
fn atlas_ti_project_imports_what_it_can_and_says_what_it_cannot() {
    let qdpx = sample("atlasti-8.4-standard-project.qdpx");
    // Its texts and media are not in the archive: refused by default...
    let refused = refi::import_project(&qdpx, &options(false));
    match refused {
        Err(RefiError::Partial { summary }) => assert!(summary.contains("codings"), "{summary}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // ... imported when the caller accepts leaving them out.
    let Imported { records, report } =
        refi::import_project(&qdpx, &options(true)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(records.study.name, "ATLAS.ti standard project");
    assert_eq!(records.study.team.len(), 3);
    assert_eq!(records.codebook.codes().len(), 14);
    let names: Vec<&str> = records
        .codebook
        .codes()
        .iter()
        .map(|c| c.name.en.as_str())
        .collect();
    assert!(names.contains(&"Coke::diet Coke") && names.contains(&"\"rushed\""));
    let cornflakes = records
        .codebook
        .codes()
        .iter()
        .find(|c| c.name.en == "cornflakes")
        .unwrap_or_else(|| panic!("cornflakes"));
    assert_eq!(cornflakes.color.to_string(), "#dc0000");
    assert_eq!(
        cornflakes.description.en,
        "breakfast cereal made by Kellogg’s"
    );
    assert_eq!(records.memos.len(), 2);
    assert!(
        records.memos.iter().any(|m| m.title == "Research Plan"
            && m.body.as_str().starts_with("This is a great project"))
    );
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.element.as_str()).collect();
    assert!(skipped.contains(&"TextSource") && skipped.contains(&"PictureSource"));
    assert!(report.skipped.iter().map(|s| s.codings).sum::<usize>() >= 10);
    assert!(report.not_kept.iter().any(|n| n.contains("sets")));
}

// ---------------------------------------------------------------------
// The demo: validation, stability, round trip
// ---------------------------------------------------------------------

/// The project as a set of comparable lines: users, code tree, texts,
/// selections with their codes and coders, notes. GUIDs are left out.
fn canonical(qdpx: &[u8]) -> Vec<String> {
    let project = tree(&entry(qdpx, "project.qde"));
    let users: BTreeMap<String, String> = project
        .find_all("User")
        .iter()
        .map(|u| (u.attr("guid"), u.attr("name")))
        .collect();
    let mut paths = BTreeMap::new();
    fn walk(n: &Node, prefix: &str, paths: &mut BTreeMap<String, String>, out: &mut Vec<String>) {
        for c in n.children.iter().filter(|c| c.name == "Code") {
            let path = format!("{prefix}/{}", c.attr("name"));
            let description = c
                .children
                .iter()
                .find(|d| d.name == "Description")
                .map(|d| d.text.clone());
            out.push(format!("code {path} {} {:?}", c.attr("color"), description));
            paths.insert(c.attr("guid"), path.clone());
            walk(c, &path, paths, out);
        }
    }
    let mut out: Vec<String> = users.values().map(|u| format!("user {u}")).collect();
    for codes in project.find_all("Codes") {
        walk(codes, "", &mut paths, &mut out);
    }
    let mut note_owner = BTreeMap::new();
    for source in project.find_all("TextSource") {
        let name = source.attr("name");
        let path = source.attr("plainTextPath");
        let file = path.trim_start_matches("internal://");
        let text = String::from_utf8(entry(qdpx, &format!("sources/{file}"))).unwrap_or_default();
        out.push(format!(
            "source {name} {:?} {}",
            source
                .children
                .iter()
                .find(|d| d.name == "Description")
                .map(|d| d.text.clone()),
            text.replace("\r\n", "\n")
        ));
        for sel in source
            .children
            .iter()
            .filter(|c| c.name == "PlainTextSelection")
        {
            let memo = sel
                .children
                .iter()
                .find(|d| d.name == "Description")
                .map(|d| d.text.clone());
            for coding in sel.find_all("Coding") {
                let code = coding.find_all("CodeRef")[0].attr("targetGUID");
                out.push(format!(
                    "coding {name} [{}, {}) {} by {} {memo:?}",
                    sel.attr("startPosition"),
                    sel.attr("endPosition"),
                    paths.get(&code).cloned().unwrap_or_default(),
                    users
                        .get(&coding.attr("creatingUser"))
                        .cloned()
                        .unwrap_or_default()
                ));
            }
        }
        for r in source.children.iter().filter(|c| c.name == "NoteRef") {
            note_owner.insert(r.attr("targetGUID"), format!("source {name}"));
        }
    }
    for code in project.find_all("Code") {
        for r in code.children.iter().filter(|c| c.name == "NoteRef") {
            note_owner.insert(
                r.attr("targetGUID"),
                format!(
                    "code {}",
                    paths.get(&code.attr("guid")).cloned().unwrap_or_default()
                ),
            );
        }
    }
    for note in project.find_all("Note") {
        let body = note
            .find_all("PlainTextContent")
            .first()
            .map(|c| c.text.clone())
            .unwrap_or_default();
        out.push(format!(
            "note {} by {} on {} {body}",
            note.attr("name"),
            users
                .get(&note.attr("creatingUser"))
                .cloned()
                .unwrap_or_default(),
            note_owner
                .get(&note.attr("guid"))
                .cloned()
                .unwrap_or_else(|| "project".to_owned())
        ));
    }
    out.sort();
    out
}

#[test]
fn demo_exports_validate_are_stable_and_round_trip() {
    let demo = sankore_demo::reference_study();
    let first = refi::export_project(&demo, LineEndings::Crlf).unwrap_or_else(|e| panic!("{e}"));
    let project = entry(&first, "project.qde");
    validate(&project, "Project.xsd");
    let codebook = refi::export_codebook(&demo.codebook, sankore_domain::Lang::Fr)
        .unwrap_or_else(|e| panic!("{e}"));
    validate(codebook.as_bytes(), "Codebook.xsd");

    // Same workspace, same bytes (hence the same GUIDs).
    let second = refi::export_project(&demo, LineEndings::Crlf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first, second);

    // Everything that matters is in the file.
    let lines = canonical(&first);
    let codings = lines.iter().filter(|l| l.starts_with("coding ")).count();
    assert_eq!(codings, demo.codings.len());
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("note ")).count(),
        demo.memos.len()
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("source ")).count(),
        demo.documents.len()
    );
    let cases = tree(&project).find_all("Case").len();
    assert_eq!(cases, demo.participants.len());
    assert!(
        tree(&project).find_all("Set").len() >= 8,
        "sets by session kind and cercle"
    );

    // Round trip: import, export again: same codes, texts, spans, coders, notes.
    let Imported { records, report } = import(&first);
    assert_eq!(
        report.detection.map(|d| d.scheme),
        Some(PositionScheme::Characters)
    );
    assert_eq!(records.codings.len(), demo.codings.len());
    let codings = |r: &StudyRecords| {
        let mut all: Vec<_> = r
            .codings
            .iter()
            .map(|c| {
                let name = r.codebook.get(&c.code).map(|k| k.name.fr.clone());
                (
                    c.document.clone(),
                    c.span,
                    name,
                    c.coder.clone(),
                    c.memo.clone(),
                )
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(codings(&records), codings(&demo));
    for (a, b) in demo.documents.iter().zip(&records.documents) {
        assert_eq!((&a.code, &a.title, &a.body), (&b.code, &b.title, &b.body));
    }
    assert_eq!(records.participants, demo.participants);
    let again = refi::export_project(&records, LineEndings::Crlf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(canonical(&again), lines);
    validate(&entry(&again, "project.qde"), "Project.xsd");

    // LF exports round-trip as well.
    let lf = refi::export_project(&demo, LineEndings::Lf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        canonical(&refi::export_project(&import(&lf).records, LineEndings::Lf).unwrap_or_default()),
        canonical(&lf)
    );
}

#[test]
fn codebook_round_trips() {
    let demo = sankore_demo::reference_study();
    let qdc = refi::export_codebook(&demo.codebook, sankore_domain::Lang::En)
        .unwrap_or_else(|e| panic!("{e}"));
    let imported =
        refi::import_codebook(qdc.as_bytes(), &options(false)).unwrap_or_else(|e| panic!("{e}"));
    let book = &imported.records.codebook;
    assert_eq!(book.codes().len(), demo.codebook.codes().len());
    for (a, b) in demo.codebook.codes().iter().zip(book.codes()) {
        assert_eq!(a.name.en, b.name.en);
        assert_eq!(a.description.en, b.description.en);
        assert_eq!(a.color, b.color);
        assert_eq!(
            a.parent
                .as_ref()
                .and_then(|p| demo.codebook.get(p))
                .map(|p| &p.name.en),
            b.parent
                .as_ref()
                .and_then(|p| book.get(p))
                .map(|p| &p.name.en)
        );
    }
    let again = refi::export_codebook(book, sankore_domain::Lang::En).unwrap_or_default();
    let names = |xml: &str| -> Vec<(String, String)> {
        tree(xml.as_bytes())
            .find_all("Code")
            .iter()
            .map(|c| (c.attr("name"), c.attr("color")))
            .collect()
    };
    assert_eq!(names(&again), names(&qdc));
}

// ---------------------------------------------------------------------
// Vendor quirks and position schemes, on projects built here
// ---------------------------------------------------------------------

const TEXT: &str = "Entretien à Diré 🙂 : « السلام عليكم ».\r\nLes jeunes 👩‍👩‍👧 n'ont pas de travail.\r\nÉté brûlant, très dur 😀 ici.\r\n";
const WORDS: [&str; 6] = ["Diré", "السلام", "jeunes", "travail", "brûlant", "ici"];

/// Position of `word` in TEXT counted with `scheme`.
fn position(scheme: PositionScheme, chars: usize) -> u64 {
    let text: Vec<char> = TEXT.chars().collect();
    let mut pos = 0u64;
    for (i, c) in text.iter().take(chars).enumerate() {
        let crlf_head = *c == '\r' && text.get(i + 1) == Some(&'\n');
        pos += match scheme {
            PositionScheme::Characters => 1,
            PositionScheme::CharactersCrlfAsOne => u64::from(!crlf_head),
            PositionScheme::Utf16 => c.len_utf16() as u64,
            PositionScheme::Utf16CrlfAsOne => {
                if crlf_head {
                    0
                } else {
                    c.len_utf16() as u64
                }
            }
            PositionScheme::Utf8Bytes => c.len_utf8() as u64,
        };
    }
    pos
}

struct Quirks {
    qde_name: &'static str,
    sources_dir: &'static str,
    bom: bool,
    braces: bool,
    inline: bool,
}

fn synthetic(scheme: PositionScheme, q: &Quirks) -> Vec<u8> {
    let wrap = |g: &str| {
        if q.braces {
            format!("{{{}}}", g.to_uppercase())
        } else {
            g.to_owned()
        }
    };
    let source = "0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a41";
    let code = "7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20";
    let user = "c1e2d3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";
    let mut selections = String::new();
    for (n, w) in WORDS.iter().enumerate() {
        let byte = TEXT.find(w).unwrap_or_default();
        let start = TEXT[..byte].chars().count();
        let end = start + w.chars().count();
        selections.push_str(&format!(
            "<PlainTextSelection guid=\"{}\" name=\"\" startPosition=\"{}\" endPosition=\"{}\" creatingUser=\"{}\"><Coding guid=\"{}\" creatingUser=\"{}\"><CodeRef targetGUID=\"{}\"/></Coding></PlainTextSelection>",
            wrap(&format!("00000000-0000-4000-8000-0000000000{n:02}")),
            position(scheme, start),
            position(scheme, end),
            wrap(user),
            wrap(&format!("00000000-0000-4000-8000-0000000001{n:02}")),
            wrap(user),
            wrap(code),
        ));
    }
    let content = if q.inline {
        // XML line-end handling would turn CRLF into LF: keep CR as a reference.
        format!(
            "<PlainTextContent>{}</PlainTextContent>",
            TEXT.replace('\r', "&#13;")
        )
    } else {
        String::new()
    };
    let path = if q.inline {
        String::new()
    } else {
        format!(" plainTextPath=\"internal://{}.txt\"", wrap(source))
    };
    let qde = format!(
        "{}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"Synthetic\" origin=\"test\"><Users><User guid=\"{}\" name=\"Coder One\"/></Users><CodeBook><Codes><Code guid=\"{}\" name=\"Mot\" isCodable=\"true\"/></Codes></CodeBook><Sources><TextSource guid=\"{}\" name=\"Entretien 1\"{path}>{content}{selections}</TextSource></Sources></Project>",
        if q.bom { "\u{feff}" } else { "" },
        wrap(user),
        wrap(code),
        wrap(source),
    );
    let mut entries = vec![(q.qde_name.to_owned(), qde.into_bytes())];
    if !q.inline {
        let mut bytes = if q.bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend_from_slice(TEXT.as_bytes());
        entries.push((format!("{}/{}.txt", q.sources_dir, wrap(source)), bytes));
    }
    zip_of(&entries)
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

#[test]
fn each_position_scheme_is_detected_and_converted() {
    let plain = Quirks {
        qde_name: "project.qde",
        sources_dir: "sources",
        bom: false,
        braces: false,
        inline: false,
    };
    let nvivo = Quirks {
        qde_name: "project.qde",
        sources_dir: "Sources",
        bom: true,
        braces: false,
        inline: false,
    };
    let odd = Quirks {
        qde_name: "Mon Projet.QDE",
        sources_dir: "SOURCES",
        bom: true,
        braces: true,
        inline: false,
    };
    let inline = Quirks {
        qde_name: "x.qde",
        sources_dir: "sources",
        bom: false,
        braces: true,
        inline: true,
    };
    for quirks in [&plain, &nvivo, &odd, &inline] {
        for scheme in PositionScheme::ALL {
            let qdpx = synthetic(scheme, quirks);
            let Imported { records, report } = refi::import_project(&qdpx, &options(false))
                .unwrap_or_else(|e| panic!("{scheme} in {}: {e}", quirks.qde_name));
            let detection = report.detection.unwrap_or_else(|| panic!("detection"));
            assert_eq!(detection.scheme, scheme, "{}", quirks.qde_name);
            let document = &records.documents[0];
            assert_eq!(document.body.as_str(), TEXT.replace("\r\n", "\n"));
            let got: Vec<&str> = records
                .codings
                .iter()
                .map(|c| document.text_of(c.span))
                .collect();
            assert_eq!(got, WORDS, "{scheme} in {}", quirks.qde_name);
            assert_eq!(records.codings[0].coder, "Coder One");
        }
    }
}

#[test]
fn decomposed_text_is_normalised_with_its_offsets() {
    // "Été brûlant" written decomposed (as macOS tools may), positions in
    // characters of the decomposed text.
    let text = "E\u{301}te\u{301} bru\u{302}lant et sec";
    let word = "bru\u{302}lant";
    let start = text[..text.find(word).unwrap_or_default()].chars().count();
    let end = start + word.chars().count();
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><CodeBook><Codes><Code guid=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\" name=\"c\" isCodable=\"true\"/></Codes></CodeBook><Sources><TextSource guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a41\" name=\"s\"><PlainTextContent>{text}</PlainTextContent><PlainTextSelection guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a42\" startPosition=\"{start}\" endPosition=\"{end}\"><Coding guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a43\"><CodeRef targetGUID=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\"/></Coding></PlainTextSelection></TextSource></Sources></Project>"
    );
    let Imported { records, .. } = import(&zip_of(&[("project.qde".to_owned(), qde.into_bytes())]));
    let d = &records.documents[0];
    assert_eq!(d.body.as_str(), "Été brûlant et sec");
    assert_eq!(d.text_of(records.codings[0].span), "brûlant");
}

// ---------------------------------------------------------------------
// Hostile files: each refused with a clear message, nothing returned
// ---------------------------------------------------------------------

fn refused(bytes: &[u8]) -> RefiError {
    match refi::import_project(bytes, &options(true)) {
        Ok(_) => panic!("a hostile file was accepted"),
        Err(e) => e,
    }
}

fn project_zip(qde: &str) -> Vec<u8> {
    zip_of(&[("project.qde".to_owned(), qde.as_bytes().to_vec())])
}

const MINIMAL: &str = "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"></Project>";

#[test]
fn billion_laughs_is_refused() {
    let mut dtd =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE Project [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"&lol9;\"/>");
    let e = refused(&project_zip(&dtd));
    assert!(matches!(e, RefiError::DocType { .. }), "{e:?}");
    assert!(e.to_string().contains("project.qde"), "{e}");
}

#[test]
fn external_entities_are_refused() {
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE Project [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"&xxe;\"/>";
    assert!(matches!(
        refused(&project_zip(xxe)),
        RefiError::DocType { .. }
    ));
    // Without a DTD, an undeclared entity is refused too.
    let bare = "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><Description>&xxe;</Description></Project>";
    let e = refused(&project_zip(bare));
    assert!(
        matches!(&e, RefiError::Entity { name, .. } if name == "xxe"),
        "{e:?}"
    );
}

#[test]
fn zip_path_traversal_is_refused() {
    for evil in [
        "../evil.txt",
        "sources/../../evil.txt",
        "/etc/evil",
        "..\\evil.txt",
    ] {
        let bytes = zip_of(&[
            ("project.qde".to_owned(), MINIMAL.as_bytes().to_vec()),
            (evil.to_owned(), b"x".to_vec()),
        ]);
        let e = refused(&bytes);
        assert!(
            matches!(&e, RefiError::UnsafeEntry { entry } if entry == evil),
            "{evil}: {e:?}"
        );
    }
}

#[test]
fn zip_bombs_are_refused() {
    // 64 MiB of zeros compress to about 64 KiB.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(
        "project.qde",
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    zip.write_all(b"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><Description>")
        .unwrap_or_else(|e| panic!("{e}"));
    let block = vec![b' '; 1 << 20];
    for _ in 0..64 {
        zip.write_all(&block).unwrap_or_else(|e| panic!("{e}"));
    }
    let bomb = zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
    assert!(bomb.len() < 1 << 20);
    let e = refused(&bomb);
    assert!(
        matches!(&e, RefiError::CompressionRatio { entry, .. } if entry == "project.qde"),
        "{e:?}"
    );
    assert!(e.to_string().contains("zip bomb"));
}

#[test]
fn enormous_attributes_and_elements_are_refused() {
    let long_name = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><CodeBook><Codes><Code guid=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\" isCodable=\"true\" name=\"{}\"/></Codes></CodeBook></Project>",
        "x".repeat(1 << 20)
    );
    let e = refused(&project_zip(&long_name));
    assert!(
        matches!(&e, RefiError::AttributeTooLong { element, attribute, .. } if element == "Code" && attribute == "name"),
        "{e:?}"
    );
    let long_text = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><Description>{}</Description></Project>",
        "y".repeat(5 << 20)
    );
    let e = refused(&project_zip(&long_text));
    assert!(
        matches!(&e, RefiError::TextTooLong { element, .. } if element == "Description"),
        "{e:?}"
    );
}

#[test]
fn a_selection_past_the_end_is_refused() {
    let qde = "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"N\"><CodeBook><Codes><Code guid=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\" name=\"c\" isCodable=\"true\"/></Codes></CodeBook><Sources><TextSource guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a41\" name=\"s\"><PlainTextContent>court 🙂</PlainTextContent><PlainTextSelection guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a42\" startPosition=\"2\" endPosition=\"11\"><Coding guid=\"0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a43\"><CodeRef targetGUID=\"7d0c2a51-93b4-4e1f-a7c2-1b9e8d3f6c20\"/></Coding></PlainTextSelection></TextSource></Sources></Project>";
    let e = refused(&project_zip(qde));
    assert!(
        matches!(&e, RefiError::SelectionPastEnd { selection, end: 11, chars: 7, utf16: 8, bytes: 10, .. } if selection == "0b6f1f4e-8f2a-4c59-9d1a-3e2b7c6d5a42"),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        !message.contains("court"),
        "no source text in messages: {message}"
    );
}

#[test]
fn archives_without_exactly_one_project_are_refused() {
    assert!(matches!(
        refused(&zip_of(&[("a.txt".to_owned(), b"x".to_vec())])),
        RefiError::NoProject
    ));
    let two = zip_of(&[
        ("a.qde".to_owned(), MINIMAL.as_bytes().to_vec()),
        ("b.QDE".to_owned(), MINIMAL.as_bytes().to_vec()),
    ]);
    assert!(matches!(refused(&two), RefiError::SeveralProjects { .. }));
    assert!(matches!(refused(b"not a zip"), RefiError::Zip { .. }));
}
