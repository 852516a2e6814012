//! Writing QDA-XML: a project (`.qdpx`) or a codebook (`.qdc`).
//!
//! Mapping: team members and coders are users; codes keep their tree,
//! colour and description (in the study's first working language);
//! participants are cases with their pseudonymous attributes as text
//! variables (code, gender, age band, stakeholder group, place, consent:
//! never anything from the identity vault); documents are text sources
//! named by their code (title in the description) with their text in
//! `sources/GUID.txt`; each coding is one selection with one coding by its
//! coder, the coding memo as the selection's description; memos are notes
//! referenced from the project, the source or the code they are about;
//! documents are grouped in sets by session kind and by cercle.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use sankore_domain::{Code, CodeKey, Codebook, Lang, MemoTarget, StudyRecords};

use super::error::{RefiError, Result};
use super::xml::{attr_escape, text_escape};
use super::{CODEBOOK_NAMESPACE, PROJECT_ENTRY, PROJECT_NAMESPACE, guid};

/// Line breaks of the exported source texts. Positions follow the
/// standard either way: Unicode characters, each of CR and LF counting one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEndings {
    /// CRLF, as MAXQDA and NVivo expect on Windows (the default).
    #[default]
    Crlf,
    /// LF, as Sankore stores them (ATLAS.ti counts a CRLF as one character,
    /// so LF files avoid any shift there).
    Lf,
}

/// The value written in the `origin` attribute.
fn origin() -> String {
    format!("Sankore {}", env!("CARGO_PKG_VERSION"))
}

/// Longest selection name written (the selected text, cut with "…").
const SELECTION_NAME_CHARS: usize = 100;

fn code_guid(key: &CodeKey) -> String {
    guid("code", &[key.as_str()])
}

fn codes_xml(out: &mut String, book: &Codebook, lang: Lang, notes: &NoteRefs, indent: usize) {
    fn walk(
        out: &mut String,
        book: &Codebook,
        parent: Option<&CodeKey>,
        lang: Lang,
        notes: &NoteRefs,
        depth: usize,
    ) {
        for code in book.children(parent) {
            let pad = "  ".repeat(depth);
            write_code_open(out, code, lang, &pad);
            let description = code.description.get(lang);
            let refs = notes.get(&NoteOwner::Code(code.key.as_str().to_owned()));
            let has_children = book.children(Some(&code.key)).next().is_some();
            if description.is_empty() && refs.is_empty() && !has_children {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            if !description.is_empty() {
                let _ = writeln!(
                    out,
                    "{pad}  <Description>{}</Description>",
                    text_escape(description)
                );
            }
            for r in refs {
                let _ = writeln!(out, "{pad}  <NoteRef targetGUID=\"{r}\"/>");
            }
            walk(out, book, Some(&code.key), lang, notes, depth + 1);
            let _ = writeln!(out, "{pad}</Code>");
        }
    }
    walk(out, book, None, lang, notes, indent);
}

fn write_code_open(out: &mut String, code: &Code, lang: Lang, pad: &str) {
    let _ = write!(
        out,
        "{pad}<Code guid=\"{}\" name=\"{}\" isCodable=\"true\" color=\"{}\"",
        code_guid(&code.key),
        attr_escape(code.name.get(lang)),
        code.color
    );
}

/// The codebook as a QDA-XML codebook (`.qdc`), names and descriptions in
/// `lang`. An empty codebook cannot be written (the schema wants a code).
pub fn export_codebook(codebook: &Codebook, lang: Lang) -> Result<String> {
    if codebook.codes().is_empty() {
        return Err(RefiError::Write {
            reason: "the codebook has no code".to_owned(),
        });
    }
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = writeln!(
        out,
        "<CodeBook xmlns=\"{CODEBOOK_NAMESPACE}\" origin=\"{}\">",
        attr_escape(&origin())
    );
    out.push_str("  <Codes>\n");
    codes_xml(&mut out, codebook, lang, &NoteRefs::default(), 2);
    out.push_str("  </Codes>\n</CodeBook>\n");
    Ok(out)
}

/// What a note is attached to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NoteOwner {
    Project,
    Source(String),
    Code(String),
}

/// GUIDs of the notes attached to each owner.
#[derive(Debug, Default)]
struct NoteRefs(BTreeMap<NoteOwner, Vec<String>>);

impl NoteRefs {
    fn get(&self, owner: &NoteOwner) -> &[String] {
        self.0.get(owner).map(Vec::as_slice).unwrap_or_default()
    }
}

/// Counts line feeds before each character, to turn offsets into offsets
/// over the CRLF text.
fn crlf_shift(text: &str, endings: LineEndings) -> Vec<usize> {
    let mut shift = Vec::with_capacity(text.len() + 1);
    let mut feeds = 0;
    for c in text.chars() {
        shift.push(feeds);
        if c == '\n' && endings == LineEndings::Crlf {
            feeds += 1;
        }
    }
    shift.push(feeds);
    shift
}

fn selection_name(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > SELECTION_NAME_CHARS {
        let cut: String = collapsed.chars().take(SELECTION_NAME_CHARS).collect();
        format!("{}…", cut.trim_end())
    } else {
        collapsed
    }
}

/// The pseudonymous participant attributes exported as case variables.
const VARIABLES: [&str; 5] = [
    "gender",
    "age band",
    "stakeholder group",
    "place",
    "consent",
];

/// The study as a `.qdpx` archive.
pub fn export_project(records: &StudyRecords, endings: LineEndings) -> Result<Vec<u8>> {
    records.check()?;
    let study = records.study.name.as_str();
    let lang = records.study.languages.first().copied().unwrap_or(Lang::Fr);

    // Users: the team, then anyone else who coded or wrote a memo.
    let mut handles: Vec<&str> = records
        .study
        .team
        .iter()
        .map(|m| m.handle.as_str())
        .collect();
    let others: BTreeSet<&str> = records
        .codings
        .iter()
        .map(|c| c.coder.as_str())
        .chain(records.memos.iter().map(|m| m.author.as_str()))
        .filter(|h| !handles.contains(h))
        .collect();
    handles.extend(others);
    let user_guid = |handle: &str| guid("user", &[study, handle]);

    // Notes and what they hang from.
    let mut notes = NoteRefs::default();
    let mut note_xml = String::new();
    let mut seen_notes: BTreeMap<String, usize> = BTreeMap::new();
    for memo in &records.memos {
        let (owner, kind, key) = match &memo.target {
            MemoTarget::Study => (NoteOwner::Project, "study", String::new()),
            MemoTarget::Document(d) => (NoteOwner::Source(d.clone()), "document", d.clone()),
            MemoTarget::Code(k) => (
                NoteOwner::Code(k.as_str().to_owned()),
                "code",
                k.as_str().to_owned(),
            ),
        };
        let seed = format!("{kind}\u{1f}{key}\u{1f}{}\u{1f}{}", memo.title, memo.author);
        let occurrence = seen_notes.entry(seed.clone()).or_insert(0);
        *occurrence += 1;
        let id = guid("note", &[study, &seed, &occurrence.to_string()]);
        let _ = writeln!(
            note_xml,
            "    <Note guid=\"{id}\" name=\"{}\" creatingUser=\"{}\">\n      <PlainTextContent>{}</PlainTextContent>\n    </Note>",
            attr_escape(&memo.title),
            user_guid(&memo.author),
            text_escape(memo.body.as_str())
        );
        notes.0.entry(owner).or_default().push(id);
    }

    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = write!(
        out,
        "<Project xmlns=\"{PROJECT_NAMESPACE}\" name=\"{}\" origin=\"{}\"",
        attr_escape(study),
        attr_escape(&origin())
    );
    if let Some(first) = handles.first() {
        let _ = write!(out, " creatingUserGUID=\"{}\"", user_guid(first));
    }
    out.push_str(">\n");

    if !handles.is_empty() {
        out.push_str("  <Users>\n");
        for h in &handles {
            let _ = writeln!(
                out,
                "    <User guid=\"{}\" name=\"{}\" id=\"{}\"/>",
                user_guid(h),
                attr_escape(h),
                attr_escape(h)
            );
        }
        out.push_str("  </Users>\n");
    }

    if !records.codebook.codes().is_empty() {
        out.push_str("  <CodeBook>\n    <Codes>\n");
        codes_xml(&mut out, &records.codebook, lang, &notes, 3);
        out.push_str("    </Codes>\n  </CodeBook>\n");
    }

    // Cases: participants, their attributes, the sources of their sessions.
    let document_guid = |code: &str| guid("source", &[study, code]);
    if !records.participants.is_empty() {
        out.push_str("  <Variables>\n");
        for v in VARIABLES {
            let _ = writeln!(
                out,
                "    <Variable guid=\"{}\" name=\"{v}\" typeOfVariable=\"Text\"/>",
                guid("variable", &[v])
            );
        }
        out.push_str("  </Variables>\n  <Cases>\n");
        let mut sources_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for s in &records.sessions {
            for d in records
                .documents
                .iter()
                .filter(|d| d.session.as_deref() == Some(s.code.as_str()))
            {
                for p in &s.participants {
                    sources_of
                        .entry(p.as_str())
                        .or_default()
                        .push(d.code.as_str());
                }
            }
        }
        for p in &records.participants {
            let _ = writeln!(
                out,
                "    <Case guid=\"{}\" name=\"{}\">",
                guid("case", &[study, p.code.as_str()]),
                attr_escape(p.code.as_str())
            );
            let values = [
                p.gender.as_str(),
                p.age_band.as_str(),
                p.group.as_str(),
                p.place.as_str(),
                p.consent.as_str(),
            ];
            for (v, value) in VARIABLES.iter().zip(values) {
                let _ = writeln!(
                    out,
                    "      <VariableValue>\n        <VariableRef targetGUID=\"{}\"/>\n        <TextValue>{}</TextValue>\n      </VariableValue>",
                    guid("variable", &[v]),
                    text_escape(value)
                );
            }
            for d in sources_of
                .get(p.code.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let _ = writeln!(
                    out,
                    "      <SourceRef targetGUID=\"{}\"/>",
                    document_guid(d)
                );
            }
            out.push_str("    </Case>\n");
        }
        out.push_str("  </Cases>\n");
    }

    // Sources and their selections.
    let mut files = Vec::new();
    if !records.documents.is_empty() {
        out.push_str("  <Sources>\n");
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for d in &records.documents {
            let id = document_guid(&d.code);
            let _ = writeln!(
                out,
                "    <TextSource guid=\"{id}\" name=\"{}\" plainTextPath=\"internal://{id}.txt\">",
                attr_escape(&d.code)
            );
            let _ = writeln!(
                out,
                "      <Description>{}</Description>",
                text_escape(&d.title)
            );
            let text = d.body.as_str();
            let shift = crlf_shift(text, endings);
            for c in records.codings.iter().filter(|c| c.document == d.code) {
                let start = c.span.start() + shift[c.span.start()];
                let end = c.span.end() + shift[c.span.end()];
                let seed = format!(
                    "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                    d.code,
                    c.code,
                    c.coder,
                    c.span.start(),
                    c.span.end()
                );
                let occurrence = seen.entry(seed.clone()).or_insert(0);
                *occurrence += 1;
                let n = occurrence.to_string();
                let coder = user_guid(&c.coder);
                let _ = writeln!(
                    out,
                    "      <PlainTextSelection guid=\"{}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{end}\" creatingUser=\"{coder}\">",
                    guid("selection", &[study, &seed, &n]),
                    attr_escape(&selection_name(d.text_of(c.span)))
                );
                if let Some(memo) = c.memo.as_deref().filter(|m| !m.is_empty()) {
                    let _ = writeln!(
                        out,
                        "        <Description>{}</Description>",
                        text_escape(memo)
                    );
                }
                let _ = writeln!(
                    out,
                    "        <Coding guid=\"{}\" creatingUser=\"{coder}\">\n          <CodeRef targetGUID=\"{}\"/>\n        </Coding>\n      </PlainTextSelection>",
                    guid("coding", &[study, &seed, &n]),
                    code_guid(&c.code)
                );
            }
            for r in notes.get(&NoteOwner::Source(d.code.clone())) {
                let _ = writeln!(out, "      <NoteRef targetGUID=\"{r}\"/>");
            }
            out.push_str("    </TextSource>\n");
            let body = match endings {
                LineEndings::Crlf => text.replace('\n', "\r\n"),
                LineEndings::Lf => text.to_owned(),
            };
            files.push((format!("sources/{id}.txt"), body.into_bytes()));
        }
        out.push_str("  </Sources>\n");
    }

    if !note_xml.is_empty() {
        out.push_str("  <Notes>\n");
        out.push_str(&note_xml);
        out.push_str("  </Notes>\n");
    }

    // Sets: documents by session kind and by cercle.
    let mut sets: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for d in &records.documents {
        let Some(session) = d
            .session
            .as_deref()
            .and_then(|code| records.sessions.iter().find(|s| s.code == code))
        else {
            continue;
        };
        sets.entry(format!("session kind: {}", session.kind))
            .or_default()
            .push(d.code.as_str());
        if let Some(cercle) = records.gazetteer.cercle_of(&session.place) {
            sets.entry(format!("cercle: {} {}", cercle.code, cercle.name))
                .or_default()
                .push(d.code.as_str());
        }
    }
    if !sets.is_empty() {
        out.push_str("  <Sets>\n");
        for (name, members) in &sets {
            let _ = writeln!(
                out,
                "    <Set guid=\"{}\" name=\"{}\">",
                guid("set", &[study, name]),
                attr_escape(name)
            );
            for m in members {
                let _ = writeln!(
                    out,
                    "      <MemberSource targetGUID=\"{}\"/>",
                    document_guid(m)
                );
            }
            out.push_str("    </Set>\n");
        }
        out.push_str("  </Sets>\n");
    }

    for r in notes.get(&NoteOwner::Project) {
        let _ = writeln!(out, "  <NoteRef targetGUID=\"{r}\"/>");
    }
    out.push_str("</Project>\n");

    let mut entries = vec![(PROJECT_ENTRY.to_owned(), out.into_bytes())];
    entries.extend(files);
    Ok(crate::archive::write(&entries)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_names_are_collapsed_and_cut() {
        assert_eq!(selection_name("a\r\n  b"), "a b");
        let long = "mot ".repeat(40);
        let name = selection_name(&long);
        assert!(name.ends_with('…'));
        assert!(name.chars().count() <= SELECTION_NAME_CHARS + 1);
    }

    #[test]
    fn crlf_shift_counts_feeds_before_each_offset() {
        assert_eq!(crlf_shift("a\nb\n", LineEndings::Crlf), vec![0, 0, 1, 1, 2]);
        assert_eq!(crlf_shift("a\nb", LineEndings::Lf), vec![0, 0, 0, 0]);
    }

    #[test]
    fn guids_are_stable_and_distinct() {
        let a = guid("code", &["push"]);
        assert_eq!(a, guid("code", &["push"]));
        assert_ne!(a, guid("code", &["pull"]));
        assert_ne!(guid("user", &["S", "R1"]), guid("user", &["S R1"]));
    }
}
