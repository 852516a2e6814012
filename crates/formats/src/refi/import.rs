//! Reading QDA-XML as vendors write it, into checked study records.
//!
//! Accepted quirks: any single `*.qde` at the top of the archive whatever
//! its name and case; `sources/` in any case (and `\` separators); a
//! byte-order mark (UTF-8 or UTF-16) on the project or on a text; inline
//! `PlainTextContent`; GUIDs with or without braces, in any case; missing
//! colours; duplicate sibling code names (renamed "name (2)"); and the
//! position schemes of [`super::positions`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sankore_domain::{
    AgeBand, Code, CodeKey, Codebook, Coding, CodingOrigin, ConsentStatus, Document, DocumentKind,
    Gazetteer, Gender, Lang, Localized, Memo, MemoTarget, Participant, ParticipantCode, PlaceCode,
    PlaceLevel, StakeholderGroup, Study, StudyRecords, TeamMember, TextBody,
};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::error::{RefiError, Result};
use super::positions::{self, Detection, RawSelection, RawSource};
use super::xml::{self, Element};
use super::{CODEBOOK_NAMESPACE, Limits, PROJECT_NAMESPACE, normalise_guid};
use crate::archive::Archive;

/// What the caller decides for an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The gazetteer the new study pins (participants' places come from it).
    pub gazetteer: Gazetteer,
    /// The study's period when the file carries no dates.
    pub today: NaiveDate,
    /// The study's name when the file gives none (a codebook, an unnamed
    /// project).
    pub fallback_name: String,
    /// Import even though some sources or codings cannot be held (non-text
    /// sources, texts missing from the archive); they are listed in the
    /// report. Without it such a file is refused whole.
    pub allow_partial: bool,
    /// Ceilings against hostile files.
    pub limits: Limits,
}

/// Something in the file that Sankore could not keep, with the codings it
/// carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The element, such as `PictureSource`.
    pub element: String,
    pub guid: String,
    pub codings: usize,
    pub reason: &'static str,
}

/// What an import found and did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// The `origin` attribute: the tool that wrote the file.
    pub origin: Option<String>,
    /// How positions were counted (projects only).
    pub detection: Option<Detection>,
    pub users: usize,
    pub codes: usize,
    pub documents: usize,
    pub codings: usize,
    pub memos: usize,
    pub participants: usize,
    /// Cases whose name was not a pseudonymous code: they got one
    /// (`CASE-001`...) and the name was not kept.
    pub cases_renamed: usize,
    /// Codes renamed because a sibling had the same name.
    pub codes_renamed: usize,
    /// Sources and codings left out (only with `allow_partial`).
    pub skipped: Vec<Skipped>,
    /// Parts of the file with no place in Sankore, by kind (sets, links,
    /// graphs, unmatched variables...), for the summary.
    pub not_kept: Vec<String>,
}

/// A file read into a study.
#[derive(Debug, Clone)]
pub struct Imported {
    pub records: StudyRecords,
    pub report: ImportReport,
}

fn invalid(element: &str, guid: Option<&str>, reason: impl Into<String>) -> RefiError {
    RefiError::Invalid {
        element: element.to_owned(),
        guid: guid.map(str::to_owned),
        reason: reason.into(),
    }
}

fn required_guid(e: &Element) -> Result<String> {
    let raw = e
        .attr("guid")
        .ok_or_else(|| invalid(&e.name, None, "missing guid attribute"))?;
    let guid = normalise_guid(raw);
    let valid = guid.len() == 36
        && guid.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if valid {
        Ok(guid)
    } else {
        Err(invalid(&e.name, None, "guid attribute is not a GUID"))
    }
}

fn ref_guid(e: &Element) -> Option<String> {
    e.attr("targetGUID").map(normalise_guid)
}

/// A lowercase ASCII slug of a name: accents dropped, other characters
/// turned into `-`.
fn slug(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.chars().take(max).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Hands out unique names, adding a suffix on collisions.
#[derive(Default)]
struct Unique(BTreeSet<String>);

impl Unique {
    fn take(&mut self, base: &str, suffix: impl Fn(usize) -> String) -> String {
        if self.0.insert(base.to_owned()) {
            return base.to_owned();
        }
        (2..)
            .map(|n| format!("{base}{}", suffix(n)))
            .find(|candidate| self.0.insert(candidate.clone()))
            .unwrap_or_default()
    }
}

/// Reads the codes under `parent` (a `Codes` or `Code` element).
struct CodeReader {
    codes: Vec<Code>,
    by_guid: BTreeMap<String, CodeKey>,
    keys: Unique,
    renamed: usize,
    notes: Vec<(String, MemoTarget)>,
}

impl CodeReader {
    fn new() -> Self {
        CodeReader {
            codes: Vec::new(),
            by_guid: BTreeMap::new(),
            keys: Unique::default(),
            renamed: 0,
            notes: Vec::new(),
        }
    }

    fn read(&mut self, parent: &Element, parent_key: Option<&CodeKey>) -> Result<()> {
        let mut sibling_names = Unique::default();
        for e in parent.children_named("Code") {
            let guid = required_guid(e)?;
            if self.by_guid.contains_key(&guid) {
                return Err(invalid("Code", Some(&guid), "defined twice"));
            }
            let raw_name = e.attr("name").unwrap_or_default().trim();
            let base_name = if raw_name.is_empty() {
                format!("code {}", &guid[..8])
            } else {
                raw_name.to_owned()
            };
            let folded = base_name.to_lowercase();
            let unique_folded = sibling_names.take(&folded, |n| format!(" ({n})"));
            let name = if unique_folded == folded {
                base_name
            } else {
                self.renamed += 1;
                format!("{base_name}{}", &unique_folded[folded.len()..])
            };
            let base_key = match slug(&name, 48) {
                s if s.is_empty() => "code".to_owned(),
                s => s,
            };
            let key = self.keys.take(&base_key, |n| format!("-{n}"));
            let key = CodeKey::new(&key)?;
            let color = match e.attr("color").and_then(parse_color) {
                Some(color) => color,
                None => sankore_domain::Color::parse(DEFAULT_COLOR)?,
            };
            let description = e.child_text("Description").unwrap_or_default().trim();
            self.codes.push(Code {
                key: key.clone(),
                parent: parent_key.cloned(),
                name: Localized::new(name.clone(), name),
                description: Localized::new(description, description),
                color,
                research_questions: Vec::new(),
            });
            self.by_guid.insert(guid, key.clone());
            for note in e.children_named("NoteRef").filter_map(ref_guid) {
                self.notes.push((note, MemoTarget::Code(key.clone())));
            }
            self.read(e, Some(&key))?;
        }
        Ok(())
    }
}

fn parse_color(text: &str) -> Option<sankore_domain::Color> {
    let hex = text.trim().strip_prefix('#')?;
    let full = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => hex.to_owned(),
        _ => return None,
    };
    sankore_domain::Color::parse(&format!("#{full}")).ok()
}

/// Colour of codes that come without one.
const DEFAULT_COLOR: &str = "#808080";

fn check_root(
    file: &str,
    root: &Element,
    expected: &'static str,
    namespace: &'static str,
) -> Result<()> {
    let ns = root.attr("xmlns");
    if root.name != expected || ns.is_some_and(|ns| ns != namespace) {
        return Err(RefiError::WrongRoot {
            file: file.to_owned(),
            found: root.name.chars().take(64).collect(),
            expected,
            namespace,
        });
    }
    Ok(())
}

/// Reads a codebook (`.qdc`) into a new study holding only that codebook.
pub fn import_codebook(bytes: &[u8], options: &ImportOptions) -> Result<Imported> {
    let limits = &options.limits;
    if bytes.len() as u64 > limits.max_entry_bytes {
        return Err(RefiError::TooLarge {
            entry: "codebook".to_owned(),
            limit: limits.max_entry_bytes,
        });
    }
    let text = xml::decode_text("codebook", bytes)?;
    let root = xml::parse("codebook", &text, limits)?;
    check_root("codebook", &root, "CodeBook", CODEBOOK_NAMESPACE)?;
    let codes = root
        .child("Codes")
        .ok_or_else(|| invalid("CodeBook", None, "no <Codes>"))?;
    let mut reader = CodeReader::new();
    reader.read(codes, None)?;
    let origin = root.attr("origin").map(str::to_owned);
    let mut report = ImportReport {
        origin: origin.clone(),
        codes: reader.codes.len(),
        codes_renamed: reader.renamed,
        ..ImportReport::default()
    };
    if let Some(sets) = root.child("Sets") {
        report
            .not_kept
            .push(format!("{} code sets", sets.children_named("Set").count()));
    }
    let codebook = Codebook::new(1, &codebook_label(origin.as_deref()), reader.codes, 0)?;
    let study = Study::new(
        &options.fallback_name,
        options.today,
        options.today,
        Vec::new(),
        vec![Lang::Fr, Lang::En],
        &options.gazetteer.version,
    )?;
    let records = StudyRecords {
        study,
        gazetteer: options.gazetteer.clone(),
        research_questions: Vec::new(),
        groups: Vec::new(),
        quotas: Vec::new(),
        participants: Vec::new(),
        sessions: Vec::new(),
        documents: Vec::new(),
        codebook,
        codings: Vec::new(),
        memos: Vec::new(),
        findings: Vec::new(),
        recommendations: Vec::new(),
        actions: Vec::new(),
        forum_outcomes: Vec::new(),
    };
    records.check()?;
    Ok(Imported { records, report })
}

fn codebook_label(origin: Option<&str>) -> String {
    match origin.map(str::trim).filter(|o| !o.is_empty()) {
        Some(origin) => format!(
            "Imported from {}",
            origin.chars().take(120).collect::<String>()
        ),
        None => "Imported codebook".to_owned(),
    }
}

/// A selection read from the file, before positions are converted.
struct PendingSelection {
    raw: RawSelection,
    /// Code GUID and coder user GUID of each coding.
    codings: Vec<(String, Option<String>)>,
    /// Selection description and notes referenced by it or its codings.
    memo_parts: Vec<String>,
    note_refs: Vec<String>,
    creator: Option<String>,
}

/// A text source read from the file.
struct PendingSource {
    guid: String,
    name: String,
    description: String,
    chars: Vec<char>,
    selections: Vec<PendingSelection>,
    /// Codings of the whole source: code GUID and coder.
    whole: Vec<(String, Option<String>)>,
    creator: Option<String>,
}

fn count_codings(e: &Element) -> usize {
    e.children
        .iter()
        .map(|c| usize::from(c.name == "Coding") + count_codings(c))
        .sum()
}

/// Which variable of a case feeds which participant field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Gender,
    AgeBand,
    Group,
    Place,
    Consent,
}

fn field_of(variable: &str) -> Option<Field> {
    let folded: String = slug(variable, 64).replace('-', "");
    match folded.as_str() {
        "gender" | "sex" | "genre" | "sexe" => Some(Field::Gender),
        "ageband" | "age" | "agegroup" | "trancheage" | "tranchedage" => Some(Field::AgeBand),
        "stakeholdergroup" | "group" | "groupe" | "groupedacteurs" => Some(Field::Group),
        "place" | "lieu" | "cercle" | "commune" | "location" => Some(Field::Place),
        "consent" | "consentement" => Some(Field::Consent),
        _ => None,
    }
}

fn gender_of(value: &str) -> Gender {
    let v = slug(value, 32);
    Gender::parse(&v).unwrap_or(match v.as_str() {
        "f" | "woman" | "women" | "femme" | "feminin" | "girl" | "fille" => Gender::Female,
        "m" | "man" | "men" | "homme" | "masculin" | "boy" | "garcon" => Gender::Male,
        _ => Gender::Unspecified,
    })
}

fn age_band_of(value: &str) -> AgeBand {
    let v = value.trim();
    if let Ok(band) = AgeBand::parse(v) {
        return band;
    }
    match v.parse::<f64>().ok().filter(|a| a.is_finite() && *a >= 0.0) {
        Some(a) if a < 18.0 => AgeBand::Under18,
        Some(a) if a < 25.0 => AgeBand::From18To24,
        Some(a) if a < 35.0 => AgeBand::From25To34,
        Some(a) if a < 50.0 => AgeBand::From35To49,
        Some(a) if a < 65.0 => AgeBand::From50To64,
        Some(_) => AgeBand::Over64,
        None => AgeBand::Unknown,
    }
}

fn variable_value(e: &Element) -> Option<(String, String)> {
    let variable = e.child("VariableRef").and_then(ref_guid)?;
    let value = e
        .children
        .iter()
        .find(|c| c.name.ends_with("Value"))
        .map(|c| c.text.trim().to_owned())?;
    Some((variable, value))
}

/// Dates found on the project's elements, earliest and latest.
fn date_range(e: &Element, range: &mut Option<(NaiveDate, NaiveDate)>) {
    for key in ["creationDateTime", "modifiedDateTime"] {
        if let Some(date) = e
            .attr(key)
            .and_then(|t| t.get(..10))
            .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        {
            *range = Some(match *range {
                Some((a, b)) => (a.min(date), b.max(date)),
                None => (date, date),
            });
        }
    }
    for c in &e.children {
        date_range(c, range);
    }
}

fn line_breaks_to_lf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Reads a `.qdpx` project into a new study.
pub fn import_project(bytes: &[u8], options: &ImportOptions) -> Result<Imported> {
    let limits = &options.limits;
    let mut archive = Archive::open(bytes, &limits.archive())?;
    let projects = archive.top_level_with_suffix(".qde");
    let entry = match projects.as_slice() {
        [] => return Err(RefiError::NoProject),
        [one] => one.clone(),
        _ => return Err(RefiError::SeveralProjects { entries: projects }),
    };
    let project_bytes = archive.read(&entry)?;
    let text = xml::decode_text(&entry, &project_bytes)?;
    drop(project_bytes);
    let root = xml::parse(&entry, &text, limits)?;
    drop(text);
    check_root(&entry, &root, "Project", PROJECT_NAMESPACE)?;

    let mut report = ImportReport {
        origin: root.attr("origin").map(str::to_owned),
        ..ImportReport::default()
    };

    // Users become team members; the project's creator coordinates.
    let creator = root.attr("creatingUserGUID").map(normalise_guid);
    let mut handles = Unique::default();
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    let mut team: Vec<TeamMember> = Vec::new();
    for u in root
        .child("Users")
        .iter()
        .flat_map(|u| u.children_named("User"))
    {
        let guid = required_guid(u)?;
        let base = [u.attr("id"), u.attr("name")]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|h| !h.is_empty())
            .map(|h| h.chars().take(64).collect::<String>())
            .unwrap_or_else(|| format!("user-{}", &guid[..8]));
        let handle = handles.take(&base, |n| format!("-{n}"));
        let role = if creator.as_deref() == Some(guid.as_str()) {
            "coordinator"
        } else {
            "coder"
        };
        team.push(TeamMember {
            handle: handle.clone(),
            role: role.to_owned(),
        });
        users.insert(guid, handle);
    }

    // Codes.
    let mut codes = CodeReader::new();
    if let Some(book) = root.child("CodeBook") {
        let list = book
            .child("Codes")
            .ok_or_else(|| invalid("CodeBook", None, "no <Codes>"))?;
        codes.read(list, None)?;
    }

    // Sources.
    let mut pending: Vec<PendingSource> = Vec::new();
    let mut note_targets: Vec<(String, NoteUse)> = codes
        .notes
        .iter()
        .map(|(g, t)| (g.clone(), NoteUse::Memo(t.clone())))
        .collect();
    let mut source_variables = 0usize;
    if let Some(sources) = root.child("Sources") {
        for s in &sources.children {
            let guid = required_guid(s)?;
            match s.name.as_str() {
                "TextSource" => {
                    source_variables += s.children_named("VariableValue").count();
                    read_text_source(
                        &mut archive,
                        s,
                        &guid,
                        s,
                        &mut pending,
                        &mut report,
                        &mut note_targets,
                    )?;
                }
                "PDFSource" => {
                    let regions: usize = s
                        .children_named("PDFSelection")
                        .map(count_codings)
                        .sum::<usize>()
                        + s.children_named("Coding").count();
                    if regions > 0 {
                        report.skipped.push(Skipped {
                            element: "PDFSelection".to_owned(),
                            guid: guid.clone(),
                            codings: regions,
                            reason: "codings of PDF regions (page areas) have no text positions",
                        });
                    }
                    match s.child("Representation") {
                        Some(r) => {
                            let rguid = required_guid(r)?;
                            read_text_source(
                                &mut archive,
                                r,
                                &rguid,
                                s,
                                &mut pending,
                                &mut report,
                                &mut note_targets,
                            )?;
                        }
                        None => report.skipped.push(Skipped {
                            element: "PDFSource".to_owned(),
                            guid,
                            codings: 0,
                            reason: "a PDF without a text representation",
                        }),
                    }
                }
                "PictureSource" | "AudioSource" | "VideoSource" => report.skipped.push(Skipped {
                    element: s.name.clone(),
                    guid,
                    codings: count_codings(s),
                    reason: "Sankore codes text only",
                }),
                other => {
                    return Err(invalid(
                        "Sources",
                        None,
                        format!(
                            "unknown source element <{}>",
                            other.chars().take(64).collect::<String>()
                        ),
                    ));
                }
            }
        }
    }
    if source_variables > 0 {
        report
            .not_kept
            .push(format!("{source_variables} source variable values"));
    }

    // Positions: one scheme for the whole project.
    let raw: Vec<RawSource> = pending
        .iter()
        .map(|p| RawSource {
            guid: p.guid.clone(),
            chars: p.chars.clone(),
            selections: p.selections.iter().map(|s| s.raw.clone()).collect(),
        })
        .collect();
    let (detection, spans) = positions::detect(&raw)?;
    drop(raw);
    report.detection = Some(detection);

    // Notes.
    // Notes, in the file's order.
    let mut notes: BTreeMap<String, (String, String, Option<String>)> = BTreeMap::new();
    let mut note_order: Vec<String> = Vec::new();
    if let Some(list) = root.child("Notes") {
        for n in list.children_named("Note") {
            let guid = required_guid(n)?;
            let text = match n.child("PlainTextContent") {
                Some(c) => c.text.clone(),
                None => match n
                    .attr("plainTextPath")
                    .and_then(|p| internal_entry(&archive, p))
                {
                    Some(entry) => xml::decode_text(&entry, &archive.read(&entry)?)?,
                    None => n.child_text("Description").unwrap_or_default().to_owned(),
                },
            };
            let title = n
                .attr("name")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .unwrap_or("Note");
            note_order.push(guid.clone());
            notes.insert(
                guid,
                (
                    title.to_owned(),
                    line_breaks_to_lf(&text),
                    n.attr("creatingUser").map(normalise_guid),
                ),
            );
        }
    }
    for r in root.children_named("NoteRef").filter_map(ref_guid) {
        note_targets.push((r, NoteUse::Memo(MemoTarget::Study)));
    }

    let mut coder_of =
        |user: Option<&String>, fallback: Option<&String>, team: &mut Vec<TeamMember>| -> String {
            let guid = user.or(fallback).or(creator.as_ref());
            if let Some(handle) = guid.and_then(|g| users.get(g)) {
                return handle.clone();
            }
            let base = match guid {
                Some(g) => format!("user-{}", g.chars().take(8).collect::<String>()),
                None => "imported".to_owned(),
            };
            if let Some(g) = guid {
                users.insert(g.clone(), base.clone());
            }
            if !team.iter().any(|m| m.handle == base) {
                team.push(TeamMember {
                    handle: base.clone(),
                    role: "coder".to_owned(),
                });
            }
            base
        };

    // Documents and codings.
    let mut documents = Vec::new();
    let mut codings = Vec::new();
    let mut memos = Vec::new();
    let mut notes_of_codings: BTreeSet<String> = BTreeSet::new();
    let mut document_codes = Unique::default();
    let mut document_of: BTreeMap<String, String> = BTreeMap::new();
    for (source, spans) in pending.iter().zip(&spans) {
        let selections: Vec<(String, usize, usize)> = source
            .selections
            .iter()
            .zip(spans)
            .map(|(s, (a, b))| (s.raw.guid.clone(), *a, *b))
            .collect();
        let (text, mapped) = positions::normalise(&source.guid, &source.chars, &selections)?;
        let body = TextBody::new(&text);
        let base = match source.name.trim() {
            "" => format!("source-{}", &source.guid[..8]),
            n => n.chars().take(120).collect(),
        };
        let code = document_codes.take(&base, |n| format!(" ({n})"));
        document_of.insert(source.guid.clone(), code.clone());
        let description = source.description.trim();
        let title = if !description.is_empty()
            && !description.contains('\n')
            && description.chars().count() <= 200
        {
            description.to_owned()
        } else {
            code.clone()
        };
        let author = coder_of(source.creator.as_ref(), None, &mut team);
        if title != description && !description.is_empty() {
            memos.push(Memo {
                title: "Description".to_owned(),
                body: TextBody::new(&line_breaks_to_lf(description)),
                author: author.clone(),
                target: MemoTarget::Document(code.clone()),
            });
        }
        let document = Document::new(Document {
            code: code.clone(),
            session: None,
            title,
            kind: DocumentKind::Transcript,
            language: "und".to_owned(),
            body,
            turns: Vec::new(),
        })?;
        for (s, (start, end)) in source.selections.iter().zip(&mapped) {
            let span = document.span(*start, *end)?;
            let mut memo_parts = s.memo_parts.clone();
            for r in &s.note_refs {
                notes_of_codings.insert(r.clone());
                if let Some((_, text, _)) = notes.get(r) {
                    memo_parts.push(text.clone());
                }
            }
            let memo = Some(memo_parts.join("\n\n")).filter(|m| !m.trim().is_empty());
            if s.codings.is_empty() {
                if let Some(body) = memo {
                    let title = match s.raw.name.trim() {
                        n if !n.is_empty() && n.chars().count() <= 100 => n.to_owned(),
                        _ => format!("Selection {start}–{end}"),
                    };
                    let author = coder_of(s.creator.as_ref(), None, &mut team);
                    memos.push(Memo {
                        title,
                        body: TextBody::new(&body),
                        author,
                        target: MemoTarget::Document(code.clone()),
                    });
                }
                continue;
            }
            for (code_guid, user) in &s.codings {
                let key = codes.by_guid.get(code_guid).cloned().ok_or_else(|| {
                    RefiError::UnknownReference {
                        element: "CodeRef",
                        target: "code",
                        guid: code_guid.clone(),
                    }
                })?;
                let coder = coder_of(user.as_ref(), s.creator.as_ref(), &mut team);
                codings.push(Coding {
                    document: code.clone(),
                    span,
                    code: key,
                    coder,
                    memo: memo.clone(),
                    origin: CodingOrigin::Imported,
                });
            }
        }
        for (code_guid, user) in &source.whole {
            let key = codes.by_guid.get(code_guid).cloned().ok_or_else(|| {
                RefiError::UnknownReference {
                    element: "CodeRef",
                    target: "code",
                    guid: code_guid.clone(),
                }
            })?;
            if document.body.char_len() == 0 {
                continue;
            }
            let coder = coder_of(user.as_ref(), source.creator.as_ref(), &mut team);
            codings.push(Coding {
                document: code.clone(),
                span: document.span(0, document.body.char_len())?,
                code: key,
                coder,
                memo: None,
                origin: CodingOrigin::Imported,
            });
        }
        documents.push(document);
    }

    // Notes become memos, unless they were a coding's memo.
    for guid in &note_order {
        let Some((title, text, author)) = notes.get(guid) else {
            continue;
        };
        if notes_of_codings.contains(guid) {
            continue;
        }
        let target = note_targets
            .iter()
            .find(|(g, _)| g == guid)
            .map(|(_, t)| t.clone());
        let target = match target {
            Some(NoteUse::Memo(t)) => t,
            Some(NoteUse::Source(source)) => match document_of.get(&source) {
                Some(code) => MemoTarget::Document(code.clone()),
                None => MemoTarget::Study,
            },
            None => MemoTarget::Study,
        };
        let author = coder_of(author.as_ref(), None, &mut team);
        memos.push(Memo {
            title: title.clone(),
            body: TextBody::new(text),
            author,
            target,
        });
    }
    for (r, _) in &note_targets {
        if !notes.contains_key(r) {
            return Err(RefiError::UnknownReference {
                element: "NoteRef",
                target: "note",
                guid: r.clone(),
            });
        }
    }

    // Cases become participants; variables their attributes.
    let variables: BTreeMap<String, String> = root
        .child("Variables")
        .iter()
        .flat_map(|v| v.children_named("Variable"))
        .filter_map(|v| Some((required_guid(v).ok()?, v.attr("name")?.trim().to_owned())))
        .collect();
    let (participants, groups) = participants(&root, &variables, options, &mut report)?;

    for kind in ["Sets", "Links", "Graphs"] {
        if let Some(e) = root.child(kind) {
            let n = e.children.len();
            if n > 0 {
                report.not_kept.push(format!("{n} {}", kind.to_lowercase()));
            }
        }
    }

    if !report.skipped.is_empty() && !options.allow_partial {
        let sources = report.skipped.len();
        let lost: usize = report.skipped.iter().map(|s| s.codings).sum();
        return Err(RefiError::Partial {
            summary: format!(
                "{sources} sources or source parts cannot be held by Sankore (non-text sources, PDF regions, or texts missing from the archive), carrying {lost} codings"
            ),
        });
    }

    let mut range = None;
    date_range(&root, &mut range);
    let (start, end) = range.unwrap_or((options.today, options.today));
    let name = root
        .attr("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&options.fallback_name);
    let study = Study::new(
        name,
        start,
        end,
        team,
        vec![Lang::Fr, Lang::En],
        &options.gazetteer.version,
    )?;
    let codebook = Codebook::new(1, &codebook_label(report.origin.as_deref()), codes.codes, 0)?;
    report.users = study.team.len();
    report.codes = codebook.codes().len();
    report.codes_renamed = codes.renamed;
    report.documents = documents.len();
    report.codings = codings.len();
    report.memos = memos.len();
    report.participants = participants.len();
    let records = StudyRecords {
        study,
        gazetteer: options.gazetteer.clone(),
        research_questions: Vec::new(),
        groups,
        quotas: Vec::new(),
        participants,
        sessions: Vec::new(),
        documents,
        codebook,
        codings,
        memos,
        findings: Vec::new(),
        recommendations: Vec::new(),
        actions: Vec::new(),
        forum_outcomes: Vec::new(),
    };
    records.check()?;
    Ok(Imported { records, report })
}

/// What a note referenced from somewhere becomes.
#[derive(Debug, Clone)]
enum NoteUse {
    Memo(MemoTarget),
    /// A memo on the source with this GUID (its document code is known
    /// later).
    Source(String),
}

/// The archive entry an `internal://NAME` path designates, if present.
fn internal_entry(archive: &Archive<'_>, path: &str) -> Option<String> {
    let name = path.trim().strip_prefix("internal://")?;
    let bare = name.trim_start_matches('{').replace('}', "");
    ["sources/", ""]
        .iter()
        .flat_map(|dir| [format!("{dir}{name}"), format!("{dir}{bare}")])
        .find_map(|candidate| archive.find(&candidate))
}

#[allow(clippy::too_many_arguments)]
fn read_text_source(
    archive: &mut Archive<'_>,
    s: &Element,
    guid: &str,
    owner: &Element,
    pending: &mut Vec<PendingSource>,
    report: &mut ImportReport,
    note_targets: &mut Vec<(String, NoteUse)>,
) -> Result<()> {
    let text = match s.child("PlainTextContent") {
        Some(content) => Some(content.text.clone()),
        None => match s
            .attr("plainTextPath")
            .and_then(|p| internal_entry(archive, p))
        {
            Some(entry) => Some(xml::decode_text(&entry, &archive.read(&entry)?)?),
            None => None,
        },
    };
    let Some(text) = text else {
        report.skipped.push(Skipped {
            element: s.name.clone(),
            guid: guid.to_owned(),
            codings: count_codings(s),
            reason: "its text is not in the archive",
        });
        return Ok(());
    };
    let user = |e: &Element| e.attr("creatingUser").map(normalise_guid);
    let mut selections = Vec::new();
    for sel in s.children_named("PlainTextSelection") {
        let sguid = required_guid(sel)?;
        let position = |key: &str| -> Result<u64> {
            sel.attr(key)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    invalid(
                        "PlainTextSelection",
                        Some(&sguid),
                        format!("{key} is missing or not a non-negative integer"),
                    )
                })
        };
        let mut codings = Vec::new();
        let mut note_refs: Vec<String> =
            sel.children_named("NoteRef").filter_map(ref_guid).collect();
        for c in sel.children_named("Coding") {
            let code = c
                .child("CodeRef")
                .and_then(ref_guid)
                .ok_or_else(|| invalid("Coding", c.attr("guid"), "no CodeRef"))?;
            codings.push((code, user(c)));
            note_refs.extend(c.children_named("NoteRef").filter_map(ref_guid));
        }
        let memo_parts = sel
            .child_text("Description")
            .map(|d| line_breaks_to_lf(d.trim()))
            .filter(|d| !d.is_empty())
            .into_iter()
            .collect();
        selections.push(PendingSelection {
            raw: RawSelection {
                guid: sguid.clone(),
                start: position("startPosition")?,
                end: position("endPosition")?,
                name: sel.attr("name").unwrap_or_default().to_owned(),
            },
            codings,
            memo_parts,
            note_refs,
            creator: user(sel),
        });
    }
    let mut whole = Vec::new();
    for c in s.children_named("Coding") {
        let code = c
            .child("CodeRef")
            .and_then(ref_guid)
            .ok_or_else(|| invalid("Coding", c.attr("guid"), "no CodeRef"))?;
        whole.push((code, user(c)));
    }
    for r in s.children_named("NoteRef").filter_map(ref_guid) {
        note_targets.push((r, NoteUse::Source(guid.to_owned())));
    }
    pending.push(PendingSource {
        guid: guid.to_owned(),
        name: owner.attr("name").unwrap_or_default().to_owned(),
        description: owner
            .child_text("Description")
            .unwrap_or_default()
            .to_owned(),
        chars: text.chars().collect(),
        selections,
        whole,
        creator: user(owner),
    });
    Ok(())
}

/// Cases as participants: a pseudonymous code (the case name when it is
/// one, else `CASE-001`...), and the variables Sankore has a field for.
fn participants(
    root: &Element,
    variables: &BTreeMap<String, String>,
    options: &ImportOptions,
    report: &mut ImportReport,
) -> Result<(Vec<Participant>, Vec<StakeholderGroup>)> {
    let Some(cases) = root.child("Cases") else {
        return Ok((Vec::new(), Vec::new()));
    };
    let region = options
        .gazetteer
        .places()
        .iter()
        .find(|p| p.level == PlaceLevel::Region)
        .map(|p| p.code.clone())
        .ok_or_else(|| {
            invalid(
                "Cases",
                None,
                "the gazetteer has no region to place participants in",
            )
        })?;
    let mut codes = Unique::default();
    let mut groups: Vec<StakeholderGroup> = Vec::new();
    let mut unmatched: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    let mut links = 0usize;
    for (n, case) in cases.children_named("Case").enumerate() {
        required_guid(case)?;
        let name = case.attr("name").unwrap_or_default().trim();
        let code = match ParticipantCode::new(name) {
            Ok(code) if codes.0.insert(code.as_str().to_owned()) => code,
            _ => {
                report.cases_renamed += 1;
                let generated = codes.take(&format!("CASE-{:03}", n + 1), |k| format!("-{k}"));
                ParticipantCode::new(&generated)?
            }
        };
        let mut participant = Participant {
            code,
            gender: Gender::Unspecified,
            age_band: AgeBand::Unknown,
            group: String::new(),
            place: region.clone(),
            consent: ConsentStatus::Pending,
        };
        for (variable, value) in case
            .children_named("VariableValue")
            .filter_map(variable_value)
        {
            let Some(vname) = variables.get(&variable) else {
                return Err(RefiError::UnknownReference {
                    element: "VariableRef",
                    target: "variable",
                    guid: variable,
                });
            };
            match field_of(vname) {
                Some(Field::Gender) => participant.gender = gender_of(&value),
                Some(Field::AgeBand) => participant.age_band = age_band_of(&value),
                Some(Field::Consent) => {
                    participant.consent =
                        ConsentStatus::parse(&slug(&value, 32)).unwrap_or(ConsentStatus::Pending);
                }
                Some(Field::Place) => {
                    let by_code = PlaceCode::new(value.trim())
                        .ok()
                        .filter(|c| options.gazetteer.get(c).is_some());
                    let by_name = || {
                        options
                            .gazetteer
                            .places()
                            .iter()
                            .find(|p| p.name.to_lowercase() == value.trim().to_lowercase())
                            .map(|p| p.code.clone())
                    };
                    match by_code.or_else(by_name) {
                        Some(place) => participant.place = place,
                        None => {
                            unmatched.insert(format!("{vname} (value not in the gazetteer)"));
                        }
                    }
                }
                Some(Field::Group) => {
                    let key = match slug(&value, 48) {
                        k if k.is_empty() => "imported".to_owned(),
                        k => k,
                    };
                    if !groups.iter().any(|g| g.key == key) {
                        let label = value.trim().to_owned();
                        let shown = if label.is_empty() { key.clone() } else { label };
                        groups.push(StakeholderGroup::new(
                            &key,
                            &shown,
                            Localized::new(shown.clone(), shown.clone()),
                        )?);
                    }
                    participant.group = key;
                }
                None => {
                    unmatched.insert(vname.chars().take(64).collect());
                }
            }
        }
        if participant.group.is_empty() {
            if !groups.iter().any(|g| g.key == "imported") {
                groups.push(StakeholderGroup::new(
                    "imported",
                    "imported cases",
                    Localized::new("cas importés", "imported cases"),
                )?);
            }
            participant.group = "imported".to_owned();
        }
        links +=
            case.children_named("SourceRef").count() + case.children_named("SelectionRef").count();
        out.push(participant);
    }
    if !unmatched.is_empty() {
        report.not_kept.push(format!(
            "case variables with no participant field: {}",
            unmatched.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if links > 0 {
        report
            .not_kept
            .push(format!("{links} links from cases to sources or selections"));
    }
    Ok((out, groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_keys() {
        assert_eq!(
            slug("2. Attitűd szint az oltáshoz", 48),
            "2-attitud-szint-az-oltashoz"
        );
        assert_eq!(slug("Coke::diet Coke", 48), "coke-diet-coke");
        assert_eq!(slug("\"rushed\"", 48), "rushed");
        assert_eq!(slug("🙂 السلام", 48), "");
        assert!(CodeKey::new(&slug("Été — très chaud!", 48)).is_ok());
    }

    #[test]
    fn unique_names_get_suffixes() {
        let mut u = Unique::default();
        assert_eq!(u.take("a", |n| format!("-{n}")), "a");
        assert_eq!(u.take("a", |n| format!("-{n}")), "a-2");
        assert_eq!(u.take("a", |n| format!("-{n}")), "a-3");
    }

    #[test]
    fn variables_map_to_fields() {
        assert_eq!(field_of("Gender"), Some(Field::Gender));
        assert_eq!(field_of("Tranche d'âge"), Some(Field::AgeBand));
        assert_eq!(field_of("favourite colour"), None);
        assert_eq!(gender_of("Femme"), Gender::Female);
        assert_eq!(gender_of("male"), Gender::Male);
        assert_eq!(age_band_of("67"), AgeBand::Over64);
        assert_eq!(age_band_of("18-24"), AgeBand::From18To24);
    }

    #[test]
    fn colours_accept_short_forms() {
        assert_eq!(
            parse_color("#F00").map(|c| c.to_string()),
            Some("#ff0000".to_owned())
        );
        assert_eq!(parse_color("red"), None);
    }
}
