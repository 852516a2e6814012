//! Column headers as pyxform reads them: aliases (`relevance` is
//! `relevant`), `::` (or, in old forms, `:`) splitting a language or a
//! namespace off (`label::French (fr)`, `bind::odk:length`), and the rows
//! turned into cells keyed by those parts.

use sankore_domain::instrument::LocalizedText;

use super::XlsFormError;
use super::sheets::Sheet;

/// A sheet's aliases (header → the parts it stands for) and known columns.
pub(crate) struct SheetSpec {
    pub name: &'static str,
    pub aliases: &'static [(&'static str, &'static [&'static str])],
    pub known: &'static [&'static str],
}

pub(crate) const SURVEY: SheetSpec = SheetSpec {
    name: "survey",
    aliases: &[
        ("compact_tag", &["instance", "odk:tag"]),
        ("read_only", &["bind", "readonly"]),
        ("readonly", &["bind", "readonly"]),
        ("relevant", &["bind", "relevant"]),
        ("caption", &["label"]),
        ("appearance", &["control", "appearance"]),
        ("relevance", &["bind", "relevant"]),
        ("required", &["bind", "required"]),
        ("constraint", &["bind", "constraint"]),
        ("constraining_message", &["bind", "jr:constraintMsg"]),
        ("constraint_message", &["bind", "jr:constraintMsg"]),
        ("calculation", &["bind", "calculate"]),
        ("calculate", &["bind", "calculate"]),
        ("command", &["type"]),
        ("tag", &["name"]),
        ("value", &["name"]),
        ("image", &["media", "image"]),
        ("big-image", &["media", "big-image"]),
        ("audio", &["media", "audio"]),
        ("video", &["media", "video"]),
        ("count", &["control", "jr:count"]),
        ("repeat_count", &["control", "jr:count"]),
        ("jr:count", &["control", "jr:count"]),
        ("autoplay", &["control", "autoplay"]),
        ("rows", &["control", "rows"]),
        ("noapperrorstring", &["bind", "jr:noAppErrorString"]),
        ("no_app_error_string", &["bind", "jr:noAppErrorString"]),
        ("requiredmsg", &["bind", "jr:requiredMsg"]),
        ("required_message", &["bind", "jr:requiredMsg"]),
        ("body", &["control"]),
        ("save_to", &["bind", "entities:saveto"]),
        ("sms_field", &["sms_field"]),
        ("sms_option", &["sms_option"]),
        ("sms_separator", &["sms_separator"]),
        ("sms_allow_media", &["sms_allow_media"]),
        ("sms_date_format", &["sms_date_format"]),
        ("sms_datetime_format", &["sms_datetime_format"]),
        ("sms_response", &["sms_response"]),
    ],
    known: &[
        "actions",
        "bind",
        "choice_filter",
        "choices",
        "control",
        "default",
        "extra_data",
        "guidance_hint",
        "hint",
        "instance",
        "itemset",
        "label",
        "list_name",
        "media",
        "name",
        "parameters",
        "parent",
        "query",
        "sms_field",
        "trigger",
        "type",
    ],
};

const LIST_ALIASES: &[(&str, &[&str])] = &[
    ("caption", &["label"]),
    ("list_name", &["list name"]),
    ("value", &["name"]),
    ("image", &["media", "image"]),
    ("big-image", &["media", "big-image"]),
    ("audio", &["media", "audio"]),
    ("video", &["media", "video"]),
];

const OPTION_FIELDS: &[&str] = &[
    "extra_data",
    "label",
    "media",
    "name",
    "parent",
    "sms_option",
];

pub(crate) const CHOICES: SheetSpec = SheetSpec {
    name: "choices",
    aliases: LIST_ALIASES,
    known: OPTION_FIELDS,
};

pub(crate) const EXTERNAL_CHOICES: SheetSpec = SheetSpec {
    name: "external_choices",
    aliases: LIST_ALIASES,
    known: OPTION_FIELDS,
};

pub(crate) const SETTINGS: SheetSpec = SheetSpec {
    name: "settings",
    aliases: &[
        ("form_title", &["title"]),
        ("set_form_title", &["title"]),
        ("form_id", &["id_string"]),
        ("set_form_id", &["id_string"]),
        ("prefix", &["compact_prefix"]),
    ],
    known: &[
        "add_none_option",
        "allow_choice_duplicates",
        "attribute",
        "auto_delete",
        "auto_send",
        "clean_text_values",
        "client_editable",
        "default_language",
        "delimiter",
        "entity_version",
        "file_name",
        "flat",
        "id_string",
        "instance_name",
        "instance_xmlns",
        "name",
        "namespaces",
        "omit_instanceID",
        "prefix",
        "public_key",
        "sms_keyword",
        "style",
        "submission_url",
        "title",
        "version",
    ],
};

pub(crate) const ENTITIES: SheetSpec = SheetSpec {
    name: "entities",
    aliases: &[("list_name", &["dataset"])],
    known: &[
        "create_if",
        "dataset",
        "entity_id",
        "label",
        "repeat",
        "update_if",
    ],
};

/// A column: its header as written and the parts it was read as.
#[derive(Debug, Clone)]
struct Column {
    pub header: String,
    pub tokens: Vec<String>,
}

/// One row's cells keyed by column parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cells {
    pub number: usize,
    pub cells: Vec<(Vec<String>, String, String)>,
}

impl Cells {
    /// The value under exactly these parts.
    pub fn get(&self, tokens: &[&str]) -> Option<&str> {
        self.cells
            .iter()
            .find(|(t, _, _)| t.iter().map(String::as_str).eq(tokens.iter().copied()))
            .map(|(_, v, _)| v.as_str())
    }

    /// The header as written of the column with these parts (for errors).
    pub fn header(&self, tokens: &[&str]) -> String {
        self.cells
            .iter()
            .find(|(t, _, _)| t.iter().map(String::as_str).eq(tokens.iter().copied()))
            .map_or_else(|| tokens.join("::"), |(_, _, h)| h.clone())
    }

    /// Whether any column starts with this part.
    pub fn has(&self, first: &str) -> bool {
        self.cells.iter().any(|(t, _, _)| t[0] == first)
    }

    /// The texts of a column with and without a language.
    pub fn localized(&self, prefix: &[&str]) -> LocalizedText {
        let mut text = LocalizedText::default();
        for (tokens, value, _) in &self.cells {
            if tokens.len() >= prefix.len() && tokens.iter().zip(prefix).all(|(a, b)| a == b) {
                match &tokens[prefix.len()..] {
                    [] => text.set(None, value.clone()),
                    [lang] => text.set(Some(lang), value.clone()),
                    _ => {}
                }
            }
        }
        text
    }

    /// Takes the cells out of the row (they are then not read again).
    pub fn remove(&mut self, tokens: &[&str]) -> Option<String> {
        let i = self
            .cells
            .iter()
            .position(|(t, _, _)| t.iter().map(String::as_str).eq(tokens.iter().copied()))?;
        Some(self.cells.remove(i).1)
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

fn snake(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase()
}

fn alias<'a>(spec: &'a SheetSpec, name: &str) -> Option<&'a [&'static str]> {
    spec.aliases
        .iter()
        .find(|(a, _)| *a == name)
        .map(|(_, t)| *t)
}

fn process_header(spec: &SheetSpec, header: &str, double_colon: bool) -> (String, Vec<String>) {
    if spec.known.contains(&header) && alias(spec, header).is_none() {
        return (header.to_owned(), vec![header.to_owned()]);
    }
    let normal = snake(header);
    if spec.known.contains(&normal.as_str()) && alias(spec, &normal).is_none() {
        return (normal.clone(), vec![normal]);
    }
    let mut tokens: Vec<String> = if double_colon || header.contains("::") {
        header.split("::").map(|t| t.trim().to_owned()).collect()
    } else {
        let mut t: Vec<String> = header.split(':').map(|t| t.trim().to_owned()).collect();
        if let Some(i) = t.iter().position(|t| t == "jr")
            && i + 1 < t.len()
        {
            let joined = format!("jr:{}", t[i + 1]);
            t.splice(i..i + 2, [joined]);
        }
        t
    };
    let first = snake(&tokens[0]);
    if let Some(parts) = alias(spec, &first) {
        tokens.splice(0..1, parts.iter().map(|p| (*p).to_owned()));
        (tokens[0].clone(), tokens)
    } else if spec.known.contains(&first.as_str()) {
        tokens[0] = first.clone();
        (first, tokens)
    } else {
        (header.to_owned(), tokens)
    }
}

/// Reads a sheet's headers and rows into cells, refusing two headers that
/// mean the same column and missing required ones.
pub(crate) fn read_sheet(
    spec: &SheetSpec,
    sheet: &Sheet,
    required: &[&str],
    collapse_whitespace: bool,
) -> Result<Vec<Cells>, XlsFormError> {
    let double_colon = sheet.headers.iter().any(|h| h.contains("::"));
    let mut columns: Vec<Column> = Vec::new();
    for header in &sheet.headers {
        if columns.iter().any(|c| c.header == *header) {
            continue;
        }
        let (new_header, tokens) = process_header(spec, header, double_colon);
        if new_header != *header
            && let Some(other) = columns.iter().rev().find(|c| c.tokens == tokens)
        {
            return Err(XlsFormError::at(
                spec.name,
                1,
                header,
                format!(
                    "headers {:?} and {header:?} name the same column; rename or remove one of them",
                    other.header
                ),
            ));
        }
        columns.push(Column {
            header: header.clone(),
            tokens,
        });
    }
    let rows: Vec<Cells> = sheet
        .rows
        .iter()
        .map(|row| Cells {
            number: row.number,
            cells: row
                .cells
                .iter()
                .filter_map(|(h, v)| {
                    let col = columns.iter().find(|c| c.header == *h)?;
                    Some((
                        col.tokens.clone(),
                        clean_value(v, collapse_whitespace),
                        h.clone(),
                    ))
                })
                .collect(),
        })
        .collect();
    if !rows.is_empty() || spec.name == "survey" {
        for req in required {
            if !columns.iter().any(|c| c.tokens[0] == *req) {
                return Err(XlsFormError::at(
                    spec.name,
                    1,
                    "",
                    format!("the sheet has no {req:?} column"),
                ));
            }
        }
    }
    Ok(rows)
}

/// Curly quotes made straight; runs of whitespace made one space when asked.
fn clean_value(value: &str, collapse: bool) -> String {
    let v: String = value
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            c => c,
        })
        .collect();
    if collapse {
        v.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_like_pyxform() {
        let t = |h: &str, dc| process_header(&SURVEY, h, dc).1;
        assert_eq!(t("label::French (fr)", true), ["label", "French (fr)"]);
        assert_eq!(t("relevance", false), ["bind", "relevant"]);
        assert_eq!(
            t("constraint_message::en", true),
            ["bind", "jr:constraintMsg", "en"]
        );
        assert_eq!(t("bind::odk:length", true), ["bind", "odk:length"]);
        assert_eq!(t("jr:count", false), ["control", "jr:count"]);
        assert_eq!(t("Label", false), ["label"]);
        assert_eq!(
            t("sankore::research_question", true),
            ["sankore", "research_question"]
        );
        assert_eq!(t("label:English", false), ["label", "English"]);
    }
}
