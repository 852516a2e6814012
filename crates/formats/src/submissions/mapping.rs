//! The mapping file: which questions of a form give the participant's
//! code, gender, age, group, place and consent, the session date, and
//! which text answers become documents to code. Written in TOML (see
//! `docs/interop.md`):
//!
//! ```toml
//! participant = "resp/code"      # a question's name or path
//! gender = "resp/gender"
//! age = "resp/age"               # an integer age, or an age band
//! group = "resp/group"
//! place = "commune"
//! session_date = "resp/day"      # default: the submission's date
//! documents = ["story"]          # text questions, outside repeats
//! language = "fr"                # of the documents (default fr)
//!
//! [values.gender]                # answer → Sankore value
//! f = "female"
//! m = "male"
//!
//! [defaults]                     # when the form does not ask
//! group = "youth"
//! ```
//!
//! [`plan`] turns linked responses into the participants, interview
//! sessions and documents they give, checked against the study (groups,
//! gazetteer, period), naming the row and question at fault.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sankore_domain::instrument::{Instrument, QuestionType};
use sankore_domain::{
    AgeBand, ConsentStatus, Document, DocumentKind, Gazetteer, Gender, LinkedRecords, Participant,
    ParticipantCode, PlaceCode, Response, Session, SessionKind, StakeholderGroup, Study, TextBody,
    Turn,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::{Location, Submissions};

/// What a mapping file says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Question giving the participant's pseudonymous code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// An integer age (put in its band), or an answer naming a band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    /// Question giving the interview's date (else the submission's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_date: Option<String>,
    /// Text questions whose answers become documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// Language of those documents (ISO 639; default `fr`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Per attribute (`gender`, `age`, `group`, `place`, `consent`):
    /// answer value → Sankore value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Per attribute: the Sankore value when the form does not ask, or
    /// the answer is empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub defaults: BTreeMap<String, String>,
}

/// Why a mapping was refused or could not be applied.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MappingError {
    /// The file is not valid TOML for a mapping.
    #[error("{file}: {reason}")]
    Syntax { file: String, reason: String },
    /// The documents' language is not an ISO 639 code.
    #[error("{file}: language {language:?} is not an ISO 639 code such as fr")]
    Language { file: String, language: String },
    /// The mapping names a question the form lacks, or one that cannot
    /// serve.
    #[error("{file}: {key} = {question:?}: {problem}")]
    Question {
        file: String,
        key: String,
        question: String,
        problem: QuestionProblem,
    },
    /// `documents` lists a question twice.
    #[error("{file}: documents = {question:?}: the same question as {earlier:?}, listed twice")]
    DocumentTwice {
        file: String,
        question: String,
        earlier: String,
    },
    /// `documents` lists two questions of the same name, whose documents
    /// would get the same code.
    #[error(
        "{file}: documents = {question:?}: a question of the same name as {earlier:?}: their documents would get the same code (rename one in the form)"
    )]
    DocumentName {
        file: String,
        question: String,
        earlier: String,
    },
    /// The mapping is incomplete.
    #[error("{file}: {missing}")]
    Incomplete { file: String, missing: Missing },
    /// A submission's answer does not give a valid record.
    #[error("{at}: {problem}")]
    Answer {
        at: AnswerAt,
        problem: AnswerProblem,
    },
}

/// Why a submission's answer does not give a valid record. The texts a
/// variant carries come from the domain's own checks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerProblem {
    #[error("no participant code")]
    NoParticipantCode,
    #[error("not a pseudonymous code: {0}")]
    NotACode(String),
    #[error("{0} (add [values.gender])")]
    Gender(String),
    #[error("{0}")]
    Age(String),
    #[error("no group")]
    NoGroup,
    #[error("{0:?} is not a stakeholder group of the study (add [values.group])")]
    NotAGroup(String),
    #[error("no place")]
    NoPlace,
    #[error("not a place code of the study's gazetteer (add [values.place])")]
    NotAPlace,
    #[error("{0}")]
    Consent(String),
    #[error("not a date")]
    NotADate,
    #[error("no session date (map session_date)")]
    NoSessionDate,
    #[error("{date} is outside the study period {from} – {to}")]
    OutsidePeriod {
        date: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// The session or document the answers give is refused.
    #[error("{0}")]
    Record(String),
}

/// Why a question named by a mapping cannot serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QuestionProblem {
    #[error("no such question in the form")]
    NoSuchQuestion,
    #[error(
        "the question is inside a repeat: only questions asked once per submission can be mapped"
    )]
    InsideRepeat,
    #[error("only text questions become documents")]
    NotText,
}

/// What an incomplete mapping lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Missing {
    /// A participant needs this attribute (`group`, `place`).
    #[error("a participant needs a {0}: map a question to it, or give [defaults] {0}")]
    Attribute(&'static str),
    /// Attributes are mapped without a participant code.
    #[error(
        "participant attributes are mapped but no participant code: add participant = \"QUESTION\""
    )]
    ParticipantCode,
}

/// Where an answer a mapping could not use is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerAt {
    /// A row and column of an export being imported.
    Export(Location),
    /// A submission stored earlier, by key, and the question (path, or
    /// `[defaults] ATTRIBUTE`).
    Stored { key: String, question: String },
}

impl std::fmt::Display for AnswerAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnswerAt::Export(at) => at.fmt(f),
            AnswerAt::Stored { key, question } => {
                write!(f, "submission {key}, question {question:?}")
            }
        }
    }
}

/// The submission a mapping is applied to, for error positions.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Row `row` of an export being imported.
    Export {
        submissions: &'a Submissions,
        row: usize,
    },
    /// A submission stored earlier (errors name its key).
    Stored,
}

type Result<T> = std::result::Result<T, MappingError>;

/// Attributes `values` and `defaults` may name.
const ATTRIBUTES: [&str; 5] = ["gender", "age", "group", "place", "consent"];

impl Mapping {
    /// Parses a mapping file.
    pub fn parse(file: &str, text: &str) -> Result<Mapping> {
        let mapping: Mapping = basic_toml::from_str(text).map_err(|e| MappingError::Syntax {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
        for key in mapping.values.keys().chain(mapping.defaults.keys()) {
            if !ATTRIBUTES.contains(&key.as_str()) {
                return Err(MappingError::Syntax {
                    file: file.to_owned(),
                    reason: format!(
                        "unknown attribute {key:?} in [values] or [defaults]: use {}",
                        ATTRIBUTES.join(", ")
                    ),
                });
            }
        }
        Ok(mapping)
    }

    /// The mapping file's text, as [`Mapping::parse`] reads it back.
    pub fn to_toml(&self) -> String {
        // Strings, lists of strings and tables of strings always serialise.
        basic_toml::to_string(self).unwrap_or_default()
    }
}

/// What the study accepts, for checking mapped values.
#[derive(Debug, Clone)]
pub struct StudyContext {
    /// Stakeholder group keys.
    pub groups: Vec<String>,
    /// Place codes of the gazetteer.
    pub places: Vec<PlaceCode>,
    /// First and last day of the study.
    pub period: (NaiveDate, NaiveDate),
}

impl StudyContext {
    /// What `study`, its stakeholder groups and its gazetteer accept.
    pub fn new(study: &Study, groups: &[StakeholderGroup], gazetteer: &Gazetteer) -> Self {
        StudyContext {
            groups: groups.iter().map(|g| g.key.clone()).collect(),
            places: gazetteer.places().iter().map(|p| p.code.clone()).collect(),
            period: (study.start, study.end),
        }
    }
}

/// A checked mapping: question paths resolved.
#[derive(Debug, Clone)]
pub struct Resolved<'m> {
    mapping: &'m Mapping,
    file: String,
    form_id: String,
    paths: HashMap<&'static str, String>,
    documents: Vec<(String, String, String)>,
}

/// Resolves the mapping's questions in the form: each must exist, lie
/// outside repeats, and documents must be text questions.
pub fn resolve<'m>(file: &str, mapping: &'m Mapping, form: &Instrument) -> Result<Resolved<'m>> {
    let find = |key: &str, question: &str| {
        let path = if question.starts_with('/') {
            question.to_owned()
        } else {
            format!("/{question}")
        };
        let found = form.question_at(&path).or_else(|| form.question(question));
        let error = |problem| MappingError::Question {
            file: file.to_owned(),
            key: key.to_owned(),
            question: question.to_owned(),
            problem,
        };
        match found {
            None => Err(error(QuestionProblem::NoSuchQuestion)),
            Some(q) if q.repeat.is_some() => Err(error(QuestionProblem::InsideRepeat)),
            Some(q) => Ok(q),
        }
    };
    let mut paths = HashMap::new();
    let fields: [(&'static str, &Option<String>); 7] = [
        ("participant", &mapping.participant),
        ("gender", &mapping.gender),
        ("age", &mapping.age),
        ("group", &mapping.group),
        ("place", &mapping.place),
        ("consent", &mapping.consent),
        ("session_date", &mapping.session_date),
    ];
    for (key, question) in fields {
        if let Some(question) = question {
            paths.insert(key, find(key, question)?.path.to_owned());
        }
    }
    let mut documents: Vec<(String, String, String)> = Vec::new();
    for question in &mapping.documents {
        let q = find("documents", question)?;
        if !matches!(q.question.kind, QuestionType::Text) {
            return Err(MappingError::Question {
                file: file.to_owned(),
                key: "documents".to_owned(),
                question: question.clone(),
                problem: QuestionProblem::NotText,
            });
        }
        // A document's code ends with its question's name.
        let name = q.question.name.to_uppercase();
        // Documents so far, each beside the entry that gave it.
        let mut so_far = documents.iter().zip(&mapping.documents);
        if let Some(((path, ..), earlier)) = so_far.find(|((_, other, _), _)| *other == name) {
            let (file, question, earlier) = (file.to_owned(), question.clone(), earlier.clone());
            return Err(if path == q.path {
                MappingError::DocumentTwice {
                    file,
                    question,
                    earlier,
                }
            } else {
                MappingError::DocumentName {
                    file,
                    question,
                    earlier,
                }
            });
        }
        let language = form.languages().first().map(String::as_str);
        let label = q
            .question
            .label
            .get(language)
            .filter(|l| !l.trim().is_empty())
            .unwrap_or(&q.question.name)
            .trim()
            .to_owned();
        documents.push((q.path.to_owned(), name, label));
    }
    if paths.contains_key("participant") {
        for needed in ["group", "place"] {
            if !paths.contains_key(needed) && !mapping.defaults.contains_key(needed) {
                return Err(MappingError::Incomplete {
                    file: file.to_owned(),
                    missing: Missing::Attribute(needed),
                });
            }
        }
    } else if !paths.is_empty() {
        return Err(MappingError::Incomplete {
            file: file.to_owned(),
            missing: Missing::ParticipantCode,
        });
    }
    if let Some(language) = &mapping.language
        && !((2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(MappingError::Language {
            file: file.to_owned(),
            language: language.clone(),
        });
    }
    Ok(Resolved {
        mapping,
        file: file.to_owned(),
        form_id: form.key().to_owned(),
        paths,
        documents,
    })
}

/// Namespace of the session codes derived from submission keys.
const SESSION_NAMESPACE: Uuid = Uuid::from_u128(0x2b7e_51a0_c3d4_4e6f_9a81_0f1e_2d3c_4b5a);

/// The session code of a submission: stable, so that a re-import finds it.
pub fn session_code(form_id: &str, key: &str) -> String {
    let seed = format!("{form_id}\u{1f}{key}");
    let id = Uuid::new_v5(&SESSION_NAMESPACE, seed.as_bytes())
        .simple()
        .to_string();
    format!("RESP-{}", id[..12].to_uppercase())
}

/// The age band of an age in years.
fn age_band(age: i64) -> AgeBand {
    match age {
        ..18 => AgeBand::Under18,
        18..=24 => AgeBand::From18To24,
        25..=34 => AgeBand::From25To34,
        35..=49 => AgeBand::From35To49,
        50..=64 => AgeBand::From50To64,
        _ => AgeBand::Over64,
    }
}

impl Resolved<'_> {
    /// Whether the mapping creates anything.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.documents.is_empty()
    }

    /// The records a submission gives; `source` says where it is, for
    /// error positions.
    pub fn apply(
        &self,
        source: Source<'_>,
        response: &Response,
        study: &StudyContext,
    ) -> Result<LinkedRecords> {
        if self.is_empty() {
            return Ok(LinkedRecords::default());
        }
        let answers = &response.answers;
        let at = |question: String| match source {
            Source::Export { submissions, row } => AnswerAt::Export(Location {
                column: Some(question),
                ..submissions.main().location(row, None)
            }),
            Source::Stored => AnswerAt::Stored {
                key: response.key.clone(),
                question,
            },
        };
        let fail = |key: &str, problem: AnswerProblem| MappingError::Answer {
            at: at(self
                .paths
                .get(key)
                .cloned()
                .unwrap_or_else(|| format!("[defaults] {key}"))),
            problem,
        };
        // The Sankore value of an attribute: mapped answer, else default.
        let raw = |key: &str| -> Option<String> {
            let answer = self
                .paths
                .get(key)
                .and_then(|p| answers.get(p))
                .map(str::trim)
                .filter(|v| !v.is_empty());
            match answer {
                Some(a) => Some(
                    self.mapping
                        .values
                        .get(key)
                        .and_then(|m| m.get(a))
                        .cloned()
                        .unwrap_or_else(|| a.to_owned()),
                ),
                None => self.mapping.defaults.get(key).cloned(),
            }
        };
        let mut linked = LinkedRecords::default();
        if self.paths.contains_key("participant") {
            let code = raw("participant")
                .ok_or_else(|| fail("participant", AnswerProblem::NoParticipantCode))?;
            let code = ParticipantCode::new(&code.to_uppercase())
                .map_err(|e| fail("participant", AnswerProblem::NotACode(e.to_string())))?;
            let gender = match raw("gender") {
                Some(g) => Gender::parse(&g)
                    .map_err(|e| fail("gender", AnswerProblem::Gender(e.to_string())))?,
                None => Gender::Unspecified,
            };
            let age_band = match raw("age") {
                Some(a) => match a.parse::<i64>() {
                    Ok(years) => age_band(years),
                    Err(_) => AgeBand::parse(&a)
                        .map_err(|e| fail("age", AnswerProblem::Age(e.to_string())))?,
                },
                None => AgeBand::Unknown,
            };
            let group = raw("group").ok_or_else(|| fail("group", AnswerProblem::NoGroup))?;
            if !study.groups.contains(&group) {
                return Err(fail("group", AnswerProblem::NotAGroup(group)));
            }
            let place = raw("place").ok_or_else(|| fail("place", AnswerProblem::NoPlace))?;
            let place = PlaceCode::new(&place)
                .ok()
                .filter(|p| study.places.contains(p))
                .ok_or_else(|| fail("place", AnswerProblem::NotAPlace))?;
            let consent = match raw("consent") {
                Some(c) => ConsentStatus::parse(&c)
                    .map_err(|e| fail("consent", AnswerProblem::Consent(e.to_string())))?,
                None => ConsentStatus::Pending,
            };
            let date = match raw("session_date") {
                Some(d) => NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d")
                    .map_err(|_| fail("session_date", AnswerProblem::NotADate))?,
                None => response
                    .submitted_at
                    .as_deref()
                    .and_then(|s| s.get(..10))
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .ok_or_else(|| fail("session_date", AnswerProblem::NoSessionDate))?,
            };
            if date < study.period.0 || date > study.period.1 {
                return Err(fail(
                    "session_date",
                    AnswerProblem::OutsidePeriod {
                        date,
                        from: study.period.0,
                        to: study.period.1,
                    },
                ));
            }
            let session = Session::new(Session {
                code: session_code(&self.form_id, &response.key),
                kind: SessionKind::Interview,
                place: place.clone(),
                date,
                facilitators: Vec::new(),
                participants: vec![code.clone()],
                composition: Vec::new(),
                declared_total: None,
            })
            .map_err(|e| fail("participant", AnswerProblem::Record(e.to_string())))?;
            linked.participant = Some(Participant {
                code,
                gender,
                age_band,
                group,
                place,
                consent,
            });
            linked.session = Some(session);
        }
        let language = self
            .mapping
            .language
            .clone()
            .unwrap_or_else(|| "fr".to_owned());
        for (path, name, label) in &self.documents {
            let Some(text) = answers.get(path) else {
                continue;
            };
            if text.trim().is_empty() {
                continue;
            }
            let body = TextBody::new(text);
            let session = linked.session.as_ref().map(|s| s.code.clone());
            let base = session
                .clone()
                .unwrap_or_else(|| session_code(&self.form_id, &response.key));
            let turns = match &linked.participant {
                Some(p) => vec![Turn {
                    speaker: p.code.to_string(),
                    participant: Some(p.code.clone()),
                    span: body
                        .span(0, body.char_len())
                        .map_err(|e| fail("documents", AnswerProblem::Record(e.to_string())))?,
                }],
                None => Vec::new(),
            };
            let document = Document::new(Document {
                code: format!("{base}-{name}"),
                session,
                title: label.clone(),
                kind: DocumentKind::Transcript,
                language: language.clone(),
                body,
                turns,
            })
            .map_err(|e| MappingError::Answer {
                at: at(path.clone()),
                problem: AnswerProblem::Record(e.to_string()),
            })?;
            linked.documents.push(document);
        }
        Ok(linked)
    }

    /// The mapping file's name.
    pub fn file(&self) -> &str {
        &self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_domain::instrument::{Group, Item, LocalizedText, Question, Settings};

    const FILE: &str = r#"
participant = "resp/code"
gender = "resp/gender"
age = "resp/age"
group = "resp/grp"
place = "resp/commune"
session_date = "resp/day"
documents = ["story", "other \"story\""]
language = "fr"

[values.gender]
f = "female"
"m x" = "male"

[values.place]
tbk1 = "TBK-01"

[defaults]
consent = "given"
"#;

    #[test]
    fn a_mapping_serialises_to_the_toml_it_was_read_from() {
        let mapping = Mapping::parse("m.toml", FILE).unwrap_or_else(|e| panic!("{e}"));
        let text = mapping.to_toml();
        let again = Mapping::parse("again.toml", &text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(again, mapping);
        assert!(text.contains("[values.gender]"), "{text}");
        assert_eq!(Mapping::default().to_toml(), "");
        assert_eq!(
            Mapping::parse("empty.toml", "").unwrap_or_else(|e| panic!("{e}")),
            Mapping::default()
        );
    }

    #[test]
    fn a_question_twice_in_documents_is_refused_with_the_mapping_position() {
        let form = super::super::responses::tests::form();
        let refused = |documents: &str| {
            let text = format!("documents = {documents}");
            let mapping = Mapping::parse("m.toml", &text).unwrap_or_else(|e| panic!("{e}"));
            resolve("m.toml", &mapping, &form)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            refused(r#"["story", "/story"]"#).as_deref(),
            Some(r#"m.toml: documents = "/story": the same question as "story", listed twice"#)
        );
        assert_eq!(refused(r#"["story", "resp/code"]"#), None);
        // Questions of one name in two groups: their documents' codes.
        let survey = ["a", "b"]
            .map(|group| {
                Item::Group(Group {
                    name: group.to_owned(),
                    label: LocalizedText::plain(group),
                    relevant: None,
                    appearance: None,
                    extra: Default::default(),
                    children: vec![Item::Question(Question::new(
                        "story",
                        QuestionType::Text,
                        LocalizedText::plain("Story"),
                    ))],
                })
            })
            .to_vec();
        let settings = Settings {
            form_id: "f".to_owned(),
            ..Settings::default()
        };
        let form = Instrument::new(settings, survey, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        let mapping = Mapping::parse("m.toml", r#"documents = ["a/story", "b/story"]"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            resolve("m.toml", &mapping, &form)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                r#"m.toml: documents = "b/story": a question of the same name as "a/story": their documents would get the same code (rename one in the form)"#
            )
        );
    }
}
