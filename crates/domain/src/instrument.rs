//! Data-collection instruments (questionnaires, interview guides) as XLSForm
//! describes them: a tree of questions, groups and repeats, choice lists,
//! texts per language and expressions (parsed, not evaluated).
//!
//! [`Instrument::new`] checks the rules every instrument keeps, whatever it
//! was read from: names are XML names, unique among their siblings (repeat
//! names across the whole form), every select names an existing choice list
//! and every `${name}` names exactly one question, group or repeat; it fills
//! in each reference's path. Paths are written from the form's root, without
//! the root element: `/household/member/age`.

mod expression;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use expression::{
    BinaryOp, Expr, Expression, ExpressionError, FieldRef, Step, text_references,
};

/// A text given in one or more languages. Languages are named as the form
/// writes them after `::` (`French (fr)`); the text of a plain `label`
/// column is the `default` one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LocalizedText {
    /// The text of the column without a language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The text per named language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_language: BTreeMap<String, String>,
}

impl LocalizedText {
    /// A text with only the unlabelled version.
    pub fn plain(text: impl Into<String>) -> Self {
        LocalizedText {
            default: Some(text.into()),
            by_language: BTreeMap::new(),
        }
    }

    /// Sets the text in `language` (`None`: the unlabelled one).
    pub fn set(&mut self, language: Option<&str>, text: impl Into<String>) {
        match language {
            None => self.default = Some(text.into()),
            Some(l) => {
                self.by_language.insert(l.to_owned(), text.into());
            }
        }
    }

    /// The text in `language`, falling back to the unlabelled one
    /// (`None` asks for the unlabelled one first, then any language).
    pub fn get(&self, language: Option<&str>) -> Option<&str> {
        let named = language.and_then(|l| self.by_language.get(l));
        named
            .or(self.default.as_ref())
            .or_else(|| match language {
                None => self.by_language.values().next(),
                Some(_) => None,
            })
            .map(String::as_str)
    }

    /// No text in any language.
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.by_language.is_empty()
    }

    /// Every text with its language (`None` for the unlabelled one).
    pub fn iter(&self) -> impl Iterator<Item = (Option<&str>, &str)> {
        self.default.iter().map(|t| (None, t.as_str())).chain(
            self.by_language
                .iter()
                .map(|(l, t)| (Some(l.as_str()), t.as_str())),
        )
    }
}

/// Metadata a form collects without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetaKind {
    Start,
    End,
    Today,
    DeviceId,
    SubscriberId,
    SimSerial,
    PhoneNumber,
    Username,
    Email,
    Audit,
    StartGeopoint,
    BackgroundAudio,
    BackgroundGeopoint,
}

impl MetaKind {
    /// The XLSForm type name.
    pub fn name(self) -> &'static str {
        match self {
            MetaKind::Start => "start",
            MetaKind::End => "end",
            MetaKind::Today => "today",
            MetaKind::DeviceId => "deviceid",
            MetaKind::SubscriberId => "subscriberid",
            MetaKind::SimSerial => "simserial",
            MetaKind::PhoneNumber => "phonenumber",
            MetaKind::Username => "username",
            MetaKind::Email => "email",
            MetaKind::Audit => "audit",
            MetaKind::StartGeopoint => "start-geopoint",
            MetaKind::BackgroundAudio => "background-audio",
            MetaKind::BackgroundGeopoint => "background-geopoint",
        }
    }
}

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum QuestionType {
    Text,
    Integer,
    Decimal,
    Range,
    Date,
    Time,
    DateTime,
    Geopoint,
    Geotrace,
    Geoshape,
    Note,
    Calculate,
    Acknowledge,
    Trigger,
    Image,
    Audio,
    Video,
    File,
    Barcode,
    Hidden,
    /// An OpenStreetMap feature (`osm tags`).
    Osm,
    /// One choice from a list of the form. `or_other` adds an `other` choice;
    /// the data then also hold a text question `NAME_other` beside this one
    /// (pyxform adds it).
    SelectOne {
        list: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        or_other: bool,
    },
    /// Any number of choices from a list of the form.
    SelectMultiple {
        list: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        or_other: bool,
    },
    /// The choices ranked.
    Rank {
        list: String,
    },
    /// One choice from a list shipped as a file with the form (`cities.csv`).
    SelectOneFromFile {
        file: String,
    },
    /// Any number of choices from a list shipped as a file.
    SelectMultipleFromFile {
        file: String,
    },
    /// One choice from the `external_choices` sheet, filtered on the device.
    SelectOneExternal {
        list: String,
    },
    /// A data file attached to the form (`xml-external`, `csv-external`).
    External {
        format: String,
    },
    /// Collected without asking.
    Meta {
        meta: MetaKind,
    },
}

impl QuestionType {
    /// The type as an XLSForm `type` cell writes it (`select_one yes_no`).
    pub fn xlsform_name(&self) -> String {
        let simple = match self {
            QuestionType::Text => "text",
            QuestionType::Integer => "integer",
            QuestionType::Decimal => "decimal",
            QuestionType::Range => "range",
            QuestionType::Date => "date",
            QuestionType::Time => "time",
            QuestionType::DateTime => "dateTime",
            QuestionType::Geopoint => "geopoint",
            QuestionType::Geotrace => "geotrace",
            QuestionType::Geoshape => "geoshape",
            QuestionType::Note => "note",
            QuestionType::Calculate => "calculate",
            QuestionType::Acknowledge => "acknowledge",
            QuestionType::Trigger => "trigger",
            QuestionType::Image => "image",
            QuestionType::Audio => "audio",
            QuestionType::Video => "video",
            QuestionType::File => "file",
            QuestionType::Barcode => "barcode",
            QuestionType::Hidden => "hidden",
            QuestionType::Osm => "osm",
            QuestionType::Meta { meta } => meta.name(),
            QuestionType::SelectOne { list, or_other } => {
                return format!("select_one {list}{}", or_other_suffix(*or_other));
            }
            QuestionType::SelectMultiple { list, or_other } => {
                return format!("select_multiple {list}{}", or_other_suffix(*or_other));
            }
            QuestionType::Rank { list } => return format!("rank {list}"),
            QuestionType::SelectOneFromFile { file } => {
                return format!("select_one_from_file {file}");
            }
            QuestionType::SelectMultipleFromFile { file } => {
                return format!("select_multiple_from_file {file}");
            }
            QuestionType::SelectOneExternal { list } => {
                return format!("select_one_external {list}");
            }
            QuestionType::External { format } => return format!("{format}-external"),
        };
        simple.to_owned()
    }

    /// The XForm data type the answer is stored as (`string`, `int`, ...).
    pub fn data_type(&self) -> &'static str {
        match self {
            QuestionType::Integer => "int",
            QuestionType::Decimal | QuestionType::Range => "decimal",
            QuestionType::Date
            | QuestionType::Meta {
                meta: MetaKind::Today,
            } => "date",
            QuestionType::Time => "time",
            QuestionType::DateTime
            | QuestionType::Meta {
                meta: MetaKind::Start | MetaKind::End,
            } => "dateTime",
            QuestionType::Geopoint
            | QuestionType::Meta {
                meta: MetaKind::StartGeopoint | MetaKind::BackgroundGeopoint,
            } => "geopoint",
            QuestionType::Geotrace => "geotrace",
            QuestionType::Geoshape => "geoshape",
            QuestionType::Image
            | QuestionType::Audio
            | QuestionType::Video
            | QuestionType::File
            | QuestionType::Osm
            | QuestionType::Meta {
                meta: MetaKind::Audit | MetaKind::BackgroundAudio,
            } => "binary",
            QuestionType::Barcode => "barcode",
            QuestionType::Rank { .. } => "odk:rank",
            _ => "string",
        }
    }

    /// The choice list a select or rank question draws from, if it is in the
    /// form (a list written `${question}` draws from earlier answers instead).
    pub fn choice_list(&self) -> Option<&str> {
        match self {
            QuestionType::SelectOne { list, .. }
            | QuestionType::SelectMultiple { list, .. }
            | QuestionType::Rank { list }
                if !list.starts_with("${") =>
            {
                Some(list)
            }
            _ => None,
        }
    }
}

fn or_other_suffix(or_other: bool) -> &'static str {
    if or_other { " or_other" } else { "" }
}

/// One question of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub label: LocalizedText,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub hint: LocalizedText,
    /// An answer is required (`true()`) or required when the expression holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Expression>,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub required_message: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<Expression>,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub constraint_message: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_filter: Option<Expression>,
    /// The default answer as written (it may hold `${name}` references).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `key=value` parameters (`start=0 end=10 step=1`, `max-pixels=1024`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// Other columns (media, `bind::...`, `body::...`, ...), per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, LocalizedText>,
    /// Numbers of the study's research questions this question serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub research_questions: Vec<u8>,
}

impl Question {
    /// A question with only a name, a type and a label.
    pub fn new(name: impl Into<String>, kind: QuestionType, label: LocalizedText) -> Self {
        Question {
            name: name.into(),
            kind,
            label,
            hint: LocalizedText::default(),
            required: None,
            required_message: LocalizedText::default(),
            relevant: None,
            constraint: None,
            constraint_message: LocalizedText::default(),
            calculation: None,
            read_only: None,
            appearance: None,
            choice_filter: None,
            default: None,
            parameters: BTreeMap::new(),
            extra: BTreeMap::new(),
            research_questions: Vec::new(),
        }
    }
}

/// A group of items shown together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub label: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, LocalizedText>,
    pub children: Vec<Item>,
}

/// Items asked again for each of several things (household members, visits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    pub name: String,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub label: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance: Option<String>,
    /// How many times, when the form fixes it. Unless it is a plain
    /// `${name}`, the data also hold a calculate `NAME_count` beside the
    /// repeat (pyxform adds it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<Expression>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, LocalizedText>,
    pub children: Vec<Item>,
}

/// A node of the survey tree.
// Items are built once per form and read many times: no boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Question(Question),
    Group(Group),
    Repeat(Repeat),
}

impl Item {
    /// The item's name.
    pub fn name(&self) -> &str {
        match self {
            Item::Question(q) => &q.name,
            Item::Group(g) => &g.name,
            Item::Repeat(r) => &r.name,
        }
    }

    /// The items inside a group or repeat.
    pub fn children(&self) -> &[Item] {
        match self {
            Item::Question(_) => &[],
            Item::Group(g) => &g.children,
            Item::Repeat(r) => &r.children,
        }
    }

    /// The expressions of the item with the column they come from.
    fn expressions_mut(&mut self) -> Vec<(&'static str, &mut Expression)> {
        let mut out: Vec<(&'static str, &mut Expression)> = Vec::new();
        match self {
            Item::Question(q) => {
                let fields = [
                    ("required", q.required.as_mut()),
                    ("relevant", q.relevant.as_mut()),
                    ("constraint", q.constraint.as_mut()),
                    ("calculation", q.calculation.as_mut()),
                    ("read_only", q.read_only.as_mut()),
                    ("choice_filter", q.choice_filter.as_mut()),
                ];
                out.extend(fields.into_iter().filter_map(|(c, e)| e.map(|e| (c, e))));
            }
            Item::Group(g) => out.extend(g.relevant.as_mut().map(|e| ("relevant", e))),
            Item::Repeat(r) => {
                out.extend(r.relevant.as_mut().map(|e| ("relevant", e)));
                out.extend(r.repeat_count.as_mut().map(|e| ("repeat_count", e)));
            }
        }
        out
    }

    /// The texts of the item that may hold `${name}` references.
    fn texts(&self) -> Vec<(String, &str)> {
        fn add<'a>(out: &mut Vec<(String, &'a str)>, column: &str, text: &'a LocalizedText) {
            for (lang, t) in text.iter() {
                let col = match lang {
                    Some(l) => format!("{column}::{l}"),
                    None => column.to_owned(),
                };
                out.push((col, t));
            }
        }
        let mut out = Vec::new();
        match self {
            Item::Question(q) => {
                add(&mut out, "label", &q.label);
                add(&mut out, "hint", &q.hint);
                add(&mut out, "constraint_message", &q.constraint_message);
                add(&mut out, "required_message", &q.required_message);
                if let Some(d) = &q.default {
                    out.push(("default".to_owned(), d.as_str()));
                }
            }
            Item::Group(g) => add(&mut out, "label", &g.label),
            Item::Repeat(r) => add(&mut out, "label", &r.label),
        }
        out
    }
}

/// One choice of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The value stored in the data.
    pub name: String,
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub label: LocalizedText,
    /// Other columns of the choices sheet (filter columns, media).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, LocalizedText>,
}

/// A named, ordered list of choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceList {
    pub name: String,
    pub choices: Vec<Choice>,
}

/// The form's settings sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    /// The form's identifier (its key in Sankore).
    pub form_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The language shown first (as written in the columns, `French (fr)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// The other settings, as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, String>,
}

/// A broken rule of an instrument, naming the item and column at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InstrumentError {
    #[error("the form needs a form_id")]
    NoFormId,
    #[error("{name:?} is not a valid name: {reason}")]
    InvalidName { name: String, reason: String },
    #[error("{name:?} is used twice in {parent}")]
    DuplicateName { name: String, parent: String },
    #[error("{name:?} nests groups and repeats deeper than {MAX_DEPTH} levels")]
    TooDeep { name: String },
    #[error("repeat name {name:?} is used twice in the form")]
    DuplicateRepeat { name: String },
    #[error("question {question:?} uses choice list {list:?}, which does not exist")]
    UnknownChoiceList { question: String, list: String },
    #[error("{item:?}, column {column:?}: ${{{reference}}} names no question of the form")]
    UnknownReference {
        item: String,
        column: String,
        reference: String,
    },
    #[error("{item:?}, column {column:?}: ${{{reference}}} names several items of the form")]
    AmbiguousReference {
        item: String,
        column: String,
        reference: String,
    },
}

/// A question with where it sits in the tree.
#[derive(Debug, Clone, Copy)]
pub struct QuestionAt<'a> {
    /// `/group/sub/question`.
    pub path: &'a str,
    pub question: &'a Question,
    /// The path of the innermost repeat holding the question.
    pub repeat: Option<&'a str>,
}

#[derive(Debug, Clone)]
struct Indexed {
    path: String,
    /// Index path through `survey` and `children`.
    position: Vec<usize>,
    repeat: Option<String>,
}

/// A sheet of an XLSForm that Sankore reads but does not model
/// (`external_choices`, `entities`, `osm`), kept as written so that the
/// form written back still works (its `select_one_external` questions find
/// their choices, its `save_to` columns their entity list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptSheet {
    /// The sheet's name, lower-case (`external_choices`).
    pub name: String,
    /// The header row.
    pub columns: Vec<String>,
    /// The data rows, a cell per column (empty when blank).
    pub rows: Vec<Vec<String>>,
}

/// A data-collection instrument: settings, survey tree and choice lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InstrumentParts", into = "InstrumentParts")]
pub struct Instrument {
    settings: Settings,
    languages: Vec<String>,
    survey: Vec<Item>,
    choices: Vec<ChoiceList>,
    /// Sheets kept as written (see [`KeptSheet`]).
    kept_sheets: Vec<KeptSheet>,
    #[serde(skip)]
    index: Vec<Indexed>,
    /// Path → position in `index`.
    #[serde(skip)]
    by_path: HashMap<String, usize>,
    /// Question name → position in `index` of the first question so named.
    #[serde(skip)]
    by_name: HashMap<String, usize>,
}

/// The stored shape of an instrument (checked again when read back).
#[derive(Serialize, Deserialize)]
struct InstrumentParts {
    settings: Settings,
    survey: Vec<Item>,
    choices: Vec<ChoiceList>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kept_sheets: Vec<KeptSheet>,
}

impl TryFrom<InstrumentParts> for Instrument {
    type Error = InstrumentError;
    fn try_from(p: InstrumentParts) -> Result<Self, InstrumentError> {
        Ok(Instrument::new(p.settings, p.survey, p.choices)?.with_kept_sheets(p.kept_sheets))
    }
}

impl From<Instrument> for InstrumentParts {
    fn from(i: Instrument) -> Self {
        InstrumentParts {
            settings: i.settings,
            survey: i.survey,
            choices: i.choices,
            kept_sheets: i.kept_sheets,
        }
    }
}

impl PartialEq for Indexed {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| {
            c.is_alphanumeric()
                || matches!(c, '-' | '.' | '_' | '\u{b7}' | '\u{300}'..='\u{36f}' | '\u{203f}'..='\u{2040}')
        })
}

/// The pattern of XML names (as pyxform checks them): a letter or `_`,
/// then letters, digits, `-`, `.` and `_`, with at most one `prefix:`.
pub fn check_name(name: &str) -> Result<(), InstrumentError> {
    let valid = match name.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(name),
    };
    if valid {
        Ok(())
    } else {
        Err(InstrumentError::InvalidName {
            name: name.to_owned(),
            reason: "names must begin with a letter or underscore and hold only letters, \
                     digits, hyphens, underscores and periods"
                .to_owned(),
        })
    }
}

impl Instrument {
    /// Builds an instrument, checking its rules and resolving every `${name}`.
    pub fn new(
        settings: Settings,
        mut survey: Vec<Item>,
        choices: Vec<ChoiceList>,
    ) -> Result<Self, InstrumentError> {
        if settings.form_id.trim().is_empty() {
            return Err(InstrumentError::NoFormId);
        }
        let mut index = Vec::new();
        index_items(&survey, "", None, &mut Vec::new(), &mut index)?;
        let mut repeats = HashMap::new();
        walk(&survey, &mut |item| {
            if let Item::Repeat(r) = item {
                *repeats.entry(r.name.clone()).or_insert(0) += 1;
            }
        });
        if let Some((name, _)) = repeats.into_iter().find(|(_, n)| *n > 1) {
            return Err(InstrumentError::DuplicateRepeat { name });
        }
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for ix in &index {
            let name = ix.path.rsplit('/').next().unwrap_or_default().to_owned();
            by_name.entry(name).or_default().push(ix.path.clone());
        }
        let list_names: Vec<&str> = choices.iter().map(|l| l.name.as_str()).collect();
        let mut problem = None;
        walk_mut(&mut survey, &mut |item| {
            if problem.is_some() {
                return;
            }
            if let Item::Question(q) = &*item
                && let Some(list) = q.kind.choice_list()
                && !list_names.contains(&list)
            {
                problem = Some(InstrumentError::UnknownChoiceList {
                    question: q.name.clone(),
                    list: list.to_owned(),
                });
                return;
            }
            let name = item.name().to_owned();
            for (column, text) in item.texts() {
                for (_, r) in text_references(text) {
                    if let Err(e) = resolve(&by_name, &name, &column, &r.name) {
                        problem = Some(e);
                        return;
                    }
                }
            }
            for (column, expr) in item.expressions_mut() {
                for r in expr.fields_mut() {
                    match resolve(&by_name, &name, column, &r.name) {
                        Ok(path) => r.path = Some(path),
                        Err(e) => {
                            problem = Some(e);
                            return;
                        }
                    }
                }
            }
        });
        if let Some(e) = problem {
            return Err(e);
        }
        let mut languages: Vec<String> = Vec::new();
        let mut note = |t: &LocalizedText| {
            for l in t.by_language.keys() {
                if !languages.contains(l) {
                    languages.push(l.clone());
                }
            }
        };
        walk(&survey, &mut |item| match item {
            Item::Question(q) => {
                note(&q.label);
                note(&q.hint);
            }
            Item::Group(g) => note(&g.label),
            Item::Repeat(r) => note(&r.label),
        });
        choices
            .iter()
            .flat_map(|l| &l.choices)
            .for_each(|c| note(&c.label));
        if let Some(d) = &settings.default_language
            && let Some(i) = languages.iter().position(|l| l == d)
        {
            let d = languages.remove(i);
            languages.insert(0, d);
        }
        let mut by_path = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, ix) in index.iter().enumerate() {
            by_path.insert(ix.path.clone(), i);
            if let Some(Item::Question(q)) = item_at(&survey, &ix.position) {
                by_name.entry(q.name.clone()).or_insert(i);
            }
        }
        Ok(Instrument {
            settings,
            languages,
            survey,
            choices,
            kept_sheets: Vec::new(),
            index,
            by_path,
            by_name,
        })
    }

    /// The instrument with these sheets kept as written (see
    /// [`KeptSheet`]).
    pub fn with_kept_sheets(mut self, sheets: Vec<KeptSheet>) -> Self {
        self.kept_sheets = sheets;
        self
    }

    /// The sheets kept as written, in the order they were read.
    pub fn kept_sheets(&self) -> &[KeptSheet] {
        &self.kept_sheets
    }

    /// The form's identifier, its key in Sankore.
    pub fn key(&self) -> &str {
        &self.settings.form_id
    }

    /// The title (the form_id when the form has none).
    pub fn title(&self) -> &str {
        self.settings
            .form_title
            .as_deref()
            .unwrap_or(&self.settings.form_id)
    }

    /// The form's version, if set.
    pub fn version(&self) -> Option<&str> {
        self.settings.version.as_deref()
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The named languages of the texts, the default language first.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// The top-level items.
    pub fn survey(&self) -> &[Item] {
        &self.survey
    }

    /// The choice lists, in the order of the choices sheet.
    pub fn choice_lists(&self) -> &[ChoiceList] {
        &self.choices
    }

    /// A choice list by name.
    pub fn choice_list(&self, name: &str) -> Option<&ChoiceList> {
        self.choices.iter().find(|l| l.name == name)
    }

    /// Every question, in form order, with its path and enclosing repeat.
    pub fn questions(&self) -> Vec<QuestionAt<'_>> {
        self.index
            .iter()
            .filter_map(|ix| match self.item_at(&ix.position) {
                Some(Item::Question(q)) => Some(QuestionAt {
                    path: &ix.path,
                    question: q,
                    repeat: ix.repeat.as_deref(),
                }),
                _ => None,
            })
            .collect()
    }

    /// The question with this name (the first one, if several share it).
    pub fn question(&self, name: &str) -> Option<QuestionAt<'_>> {
        self.question_by_index(*self.by_name.get(name)?)
    }

    /// The question at `/group/sub/q` (a leading root name such as `/data` is
    /// not part of the path).
    pub fn question_at(&self, path: &str) -> Option<QuestionAt<'_>> {
        self.question_by_index(*self.by_path.get(path)?)
    }

    fn question_by_index(&self, i: usize) -> Option<QuestionAt<'_>> {
        let ix = self.index.get(i)?;
        match self.item_at(&ix.position)? {
            Item::Question(q) => Some(QuestionAt {
                path: &ix.path,
                question: q,
                repeat: ix.repeat.as_deref(),
            }),
            _ => None,
        }
    }

    /// The item (question, group or repeat) at a path.
    pub fn item(&self, path: &str) -> Option<&Item> {
        let ix = self.index.get(*self.by_path.get(path)?)?;
        self.item_at(&ix.position)
    }

    /// Whether the item at `path` sits inside a repeat (a repeat itself counts
    /// only when it is nested in another one).
    pub fn in_repeat(&self, path: &str) -> bool {
        self.by_path
            .get(path)
            .and_then(|i| self.index.get(*i))
            .is_some_and(|ix| ix.repeat.is_some())
    }

    /// The label of the choice `value` of `list` in `language` (falling back
    /// to the unlabelled text).
    pub fn choice_label(&self, list: &str, value: &str, language: Option<&str>) -> Option<&str> {
        self.choice_list(list)?
            .choices
            .iter()
            .find(|c| c.name == value)?
            .label
            .get(language)
    }

    /// Links a question to research questions (replacing its links).
    pub fn link_research_questions(
        &mut self,
        question: &str,
        numbers: Vec<u8>,
    ) -> Result<(), InstrumentError> {
        let mut found = false;
        walk_mut(&mut self.survey, &mut |item| {
            if let Item::Question(q) = item
                && q.name == question
            {
                q.research_questions = numbers.clone();
                found = true;
            }
        });
        if found {
            Ok(())
        } else {
            Err(InstrumentError::UnknownReference {
                item: question.to_owned(),
                column: "research question link".to_owned(),
                reference: question.to_owned(),
            })
        }
    }

    /// Counts of questions, groups, repeats.
    pub fn counts(&self) -> (usize, usize, usize) {
        let (mut q, mut g, mut r) = (0, 0, 0);
        walk(&self.survey, &mut |item| match item {
            Item::Question(_) => q += 1,
            Item::Group(_) => g += 1,
            Item::Repeat(_) => r += 1,
        });
        (q, g, r)
    }

    fn item_at(&self, position: &[usize]) -> Option<&Item> {
        item_at(&self.survey, position)
    }
}

/// How deep groups and repeats may nest.
pub const MAX_DEPTH: usize = 32;

/// The submission's identifier, which every form has under `/meta`.
const INSTANCE_ID: &str = "instanceID";

fn resolve(
    by_name: &HashMap<String, Vec<String>>,
    item: &str,
    column: &str,
    reference: &str,
) -> Result<String, InstrumentError> {
    match by_name.get(reference).map(Vec::as_slice) {
        Some([path]) => Ok(path.clone()),
        None if reference == INSTANCE_ID => Ok(format!("/meta/{INSTANCE_ID}")),
        Some([_, _, ..]) => Err(InstrumentError::AmbiguousReference {
            item: item.to_owned(),
            column: column.to_owned(),
            reference: reference.to_owned(),
        }),
        _ => Err(InstrumentError::UnknownReference {
            item: item.to_owned(),
            column: column.to_owned(),
            reference: reference.to_owned(),
        }),
    }
}

fn index_items(
    items: &[Item],
    parent: &str,
    repeat: Option<&str>,
    position: &mut Vec<usize>,
    out: &mut Vec<Indexed>,
) -> Result<(), InstrumentError> {
    let mut seen: Vec<&str> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = item.name();
        check_name(name)?;
        if position.len() > MAX_DEPTH {
            return Err(InstrumentError::TooDeep {
                name: name.to_owned(),
            });
        }
        if seen.contains(&name) {
            return Err(InstrumentError::DuplicateName {
                name: name.to_owned(),
                parent: if parent.is_empty() {
                    "the survey".to_owned()
                } else {
                    parent.to_owned()
                },
            });
        }
        seen.push(name);
        let path = format!("{parent}/{name}");
        position.push(i);
        out.push(Indexed {
            path: path.clone(),
            position: position.clone(),
            repeat: repeat.map(str::to_owned),
        });
        let inner_repeat = match item {
            Item::Repeat(_) => Some(path.as_str()),
            _ => repeat,
        };
        index_items(item.children(), &path, inner_repeat, position, out)?;
        position.pop();
    }
    Ok(())
}

fn item_at<'a>(items: &'a [Item], position: &[usize]) -> Option<&'a Item> {
    let (first, rest) = position.split_first()?;
    let mut item = items.get(*first)?;
    for i in rest {
        item = item.children().get(*i)?;
    }
    Some(item)
}

fn walk<'a>(items: &'a [Item], f: &mut dyn FnMut(&'a Item)) {
    for item in items {
        f(item);
        walk(item.children(), f);
    }
}

fn walk_mut(items: &mut [Item], f: &mut dyn FnMut(&mut Item)) {
    for item in items {
        f(item);
        match item {
            Item::Group(g) => walk_mut(&mut g.children, f),
            Item::Repeat(r) => walk_mut(&mut r.children, f),
            Item::Question(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(q: &str) -> Item {
        Item::Question(Question::new(
            q,
            QuestionType::Text,
            LocalizedText::plain(q),
        ))
    }

    fn expr(s: &str) -> Option<Expression> {
        Expression::parse(s).ok()
    }

    fn household() -> Result<Instrument, InstrumentError> {
        let mut age = Question::new("age", QuestionType::Integer, LocalizedText::plain("Age"));
        age.constraint = expr(". < 120");
        let mut sex = Question::new(
            "sex",
            QuestionType::SelectOne {
                list: "sex".into(),
                or_other: false,
            },
            LocalizedText::default(),
        );
        sex.label.set(Some("French (fr)"), "Sexe");
        sex.label.set(Some("English (en)"), "Sex");
        sex.relevant = expr("${age} > 5");
        let member = Item::Repeat(Repeat {
            name: "member".into(),
            label: LocalizedText::plain("Member"),
            relevant: None,
            appearance: None,
            repeat_count: expr("${size}"),
            extra: BTreeMap::new(),
            children: vec![Item::Question(age), Item::Question(sex)],
        });
        let household = Item::Group(Group {
            name: "household".into(),
            label: LocalizedText::plain("Household"),
            relevant: None,
            appearance: Some("field-list".into()),
            extra: BTreeMap::new(),
            children: vec![text("size"), member],
        });
        let mut female = LocalizedText::default();
        female.set(Some("French (fr)"), "Femme");
        female.set(Some("English (en)"), "Woman");
        let choices = vec![ChoiceList {
            name: "sex".into(),
            choices: vec![Choice {
                name: "f".into(),
                label: female,
                extra: BTreeMap::new(),
            }],
        }];
        let settings = Settings {
            form_id: "household".into(),
            default_language: Some("English (en)".into()),
            ..Settings::default()
        };
        Instrument::new(settings, vec![text("village"), household], choices)
    }

    #[test]
    fn indexes_and_resolves() -> Result<(), InstrumentError> {
        let form = household()?;
        let paths: Vec<&str> = form.questions().iter().map(|q| q.path).collect();
        assert_eq!(
            paths,
            [
                "/village",
                "/household/size",
                "/household/member/age",
                "/household/member/sex"
            ]
        );
        let sex = form.question("sex").map(|q| q.question.clone());
        let refs: Vec<Option<String>> = sex
            .as_ref()
            .and_then(|q| q.relevant.as_ref())
            .map(|e| e.fields().iter().map(|f| f.path.clone()).collect())
            .unwrap_or_default();
        assert_eq!(refs, [Some("/household/member/age".to_owned())]);
        assert!(form.in_repeat("/household/member/age"));
        assert!(!form.in_repeat("/household/size"));
        assert_eq!(
            form.question_at("/household/member/sex").map(|q| q.repeat),
            Some(Some("/household/member"))
        );
        assert_eq!(
            form.choice_label("sex", "f", Some("French (fr)")),
            Some("Femme")
        );
        assert_eq!(form.choice_label("sex", "m", None), None);
        assert_eq!(form.languages(), ["English (en)", "French (fr)"]);
        assert_eq!(form.counts(), (4, 1, 1));
        Ok(())
    }

    #[test]
    fn survives_json() -> Result<(), Box<dyn std::error::Error>> {
        let form = household()?;
        let json = serde_json::to_string(&form)?;
        let back: Instrument = serde_json::from_str(&json)?;
        assert_eq!(back, form);
        assert_eq!(back.questions().len(), 4);
        // Kept sheets are stored with the instrument; instruments stored
        // before they were kept (no such field) still read.
        assert!(!json.contains("kept_sheets"));
        let kept = form.with_kept_sheets(vec![KeptSheet {
            name: "external_choices".to_owned(),
            columns: vec!["list_name".to_owned(), "name".to_owned()],
            rows: vec![vec!["towns".to_owned(), "tbk".to_owned()]],
        }]);
        let back: Instrument = serde_json::from_str(&serde_json::to_string(&kept)?)?;
        assert_eq!(back.kept_sheets(), kept.kept_sheets());
        assert_eq!(back, kept);
        Ok(())
    }

    #[test]
    fn refuses_broken_forms() {
        let settings = Settings {
            form_id: "f".into(),
            ..Settings::default()
        };
        let dup = Instrument::new(settings.clone(), vec![text("a"), text("a")], vec![]);
        assert!(matches!(dup, Err(InstrumentError::DuplicateName { .. })));
        let bad = Instrument::new(settings.clone(), vec![text("1a")], vec![]);
        assert!(matches!(bad, Err(InstrumentError::InvalidName { .. })));
        let mut q = Question::new("q", QuestionType::Text, LocalizedText::plain("Hi ${who}"));
        let unknown = Instrument::new(settings.clone(), vec![Item::Question(q.clone())], vec![]);
        assert_eq!(
            unknown.err().map(|e| e.to_string()),
            Some(r#""q", column "label": ${who} names no question of the form"#.to_owned())
        );
        q.label = LocalizedText::plain("Hi");
        q.kind = QuestionType::SelectOne {
            list: "nope".into(),
            or_other: false,
        };
        let no_list = Instrument::new(settings, vec![Item::Question(q)], vec![]);
        assert!(matches!(
            no_list,
            Err(InstrumentError::UnknownChoiceList { .. })
        ));
    }
}
