//! The sheets of a form turned into an [`Instrument`], refusing what pyxform
//! refuses, with the sheet, row and column at fault.

use std::collections::{BTreeMap, HashMap, HashSet};

use sankore_domain::instrument::{
    Choice, ChoiceList, Expression, Group, Instrument, InstrumentError, Item, KeptSheet,
    LocalizedText, MetaKind, Question, QuestionType, Repeat, Settings, check_name,
};

use super::entities::{self, ContainerPath, Entities, Kind};
use super::headers::{self, Cells};
use super::sheets::Workbook;
use super::types::{self, FILE_EXTENSIONS, Select};
use super::{ReadOptions, XlsFormError};

const SURVEY: &str = "survey";
const CHOICES: &str = "choices";

fn yes_no(value: &str) -> Option<bool> {
    match value {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "true()" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "false()" => Some(false),
        _ => None,
    }
}

fn err(row: usize, column: &str, message: impl Into<String>) -> XlsFormError {
    XlsFormError::at(SURVEY, row, column, message.into())
}

/// Sheet names close to `wanted` (a misspelt `survey` sheet, say).
fn similar_sheets(wb: &Workbook, wanted: &str) -> String {
    let close: Vec<&str> = wb
        .sheet_names
        .iter()
        .filter(|n| {
            let n = n.to_lowercase();
            n != wanted && levenshtein(&n, wanted) <= 2
        })
        .map(String::as_str)
        .collect();
    if close.is_empty() {
        String::new()
    } else {
        format!(" (sheets with similar names: {})", close.join(", "))
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `key=value` pairs separated by spaces, commas or semicolons.
fn parse_parameters(raw: &str, row: usize) -> Result<BTreeMap<String, String>, XlsFormError> {
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in raw.chars() {
        if c.is_whitespace() || c == ',' || c == ';' || c == '=' {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
            if c == '=' {
                tokens.push("=".to_owned());
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let bad = || {
        err(
            row,
            "parameters",
            "parameters must be written key1=value1 key2=value2",
        )
    };
    if !tokens.len().is_multiple_of(3) {
        return Err(bad());
    }
    let mut out = BTreeMap::new();
    for t in tokens.chunks(3) {
        if t[0] == "=" || t[1] != "=" || t[2] == "=" {
            return Err(bad());
        }
        let key = t[0].to_lowercase();
        let value = if key == "label" || key == "value" {
            t[2].clone()
        } else {
            t[2].to_lowercase()
        };
        out.insert(key, value);
    }
    Ok(out)
}

fn check_parameters(
    params: &BTreeMap<String, String>,
    accepted: &[&str],
    row: usize,
) -> Result<(), XlsFormError> {
    let extra: Vec<&str> = params
        .keys()
        .map(String::as_str)
        .filter(|k| !accepted.contains(k))
        .collect();
    if extra.is_empty() {
        Ok(())
    } else {
        let mut accepted = accepted.to_vec();
        accepted.sort_unstable();
        Err(err(
            row,
            "parameters",
            format!(
                "parameter {} is not accepted for this question type (accepted: {})",
                extra.join(", "),
                accepted.join(", ")
            ),
        ))
    }
}

fn decimal(value: &str) -> Option<f64> {
    value.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A `${...}` reference as pyxform checks it: a name, maybe `last-saved#`.
#[derive(Debug)]
struct Ref {
    name: String,
}

/// The references in a text; a malformed one is an error.
fn references(value: &str) -> Result<Vec<Ref>, String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(0) => {
                rest = &after[1..];
                continue;
            }
            Some(j) => {
                let inner = &after[..j];
                let name = inner.strip_prefix("last-saved#").unwrap_or(inner);
                if check_name(name).is_err() {
                    return Err(format!(
                        "${{{inner}}} is not a valid reference: references are written ${{name}} with the name of a question"
                    ));
                }
                out.push(Ref {
                    name: name.to_owned(),
                });
                rest = &after[j + 1..];
            }
            None => {
                return Err("a reference opened with ${ is not closed with }".to_owned());
            }
        }
    }
    Ok(out)
}

fn is_reference(value: &str) -> bool {
    value.starts_with("${")
        && value.ends_with('}')
        && value.matches("${").count() == 1
        && references(value).is_ok_and(|r| r.len() == 1)
}

fn parse_expr(value: &str, row: usize, column: &str) -> Result<Expression, XlsFormError> {
    Expression::parse(value).map_err(|e| err(row, column, e.to_string()))
}

/// The secondary instances pyxform would write (files, pulldata CSVs, the
/// last saved submission, choice lists): one name must mean one source.
#[derive(Default)]
struct Instances {
    /// (name, source, row, from an `xml-external`/`csv-external` row)
    names: Vec<(String, Option<String>, usize, bool)>,
    last_saved: Option<usize>,
}

impl Instances {
    fn add(&mut self, name: &str, src: Option<String>, row: usize, external: bool) {
        self.names.push((name.to_owned(), src, row, external));
    }

    /// pulldata('file', ...) and ${last-saved#...} in a row's expressions.
    fn scan_row(&mut self, row: &Cells) {
        for (tokens, value, _) in &row.cells {
            let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
            let pulldata_column = matches!(
                t.as_slice(),
                [
                    "bind",
                    "calculate" | "constraint" | "readonly" | "required" | "relevant"
                ] | ["choice_filter"]
                    | ["default"]
            );
            if pulldata_column {
                let mut rest = value.as_str();
                while let Some(i) = rest.find("pulldata(") {
                    rest = &rest[i + 9..];
                    let arg = rest.trim_start();
                    if let Some(q) = arg.chars().next().filter(|c| *c == '\'' || *c == '"')
                        && let Some(end) = arg[1..].find(q)
                    {
                        let file = arg[1..1 + end].trim().to_owned();
                        self.add(
                            &file,
                            Some(format!("jr://file-csv/{file}.csv")),
                            row.number,
                            false,
                        );
                    }
                }
            }
            if value.contains("${last-saved#") && self.last_saved.is_none() {
                self.last_saved = Some(row.number);
            }
        }
    }

    fn check(mut self) -> Result<(), XlsFormError> {
        if let Some(row) = self.last_saved {
            self.add(
                "__last-saved",
                Some("jr://instance/last-saved".to_owned()),
                row,
                false,
            );
        }
        for (i, (name, src, row, external)) in self.names.iter().enumerate() {
            for (other, other_src, _, other_external) in &self.names[..i] {
                if other != name {
                    continue;
                }
                if *external && *other_external {
                    return Err(err(
                        *row,
                        "name",
                        format!(
                            "instance name {name:?} is used by two external data files: instance names must be unique"
                        ),
                    ));
                }
                if src != other_src {
                    return Err(err(
                        *row,
                        "type",
                        format!(
                            "two different sources would both be the form's data instance {name:?}"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Group,
    Repeat,
}

struct Frame {
    control: Option<Control>,
    /// `begin loop over LIST`: the children are asked for each choice.
    loop_over: Option<String>,
    path: ContainerPath,
    name: String,
    row: usize,
    cells: Cells,
    items: Vec<Item>,
    seen: HashSet<String>,
}

/// Where every survey name came from, to place errors found later.
#[derive(Default)]
struct Places {
    rows: HashMap<String, usize>,
}

impl Places {
    fn row(&self, name: &str) -> usize {
        self.rows.get(name).copied().unwrap_or(0)
    }
}

/// Builds the instrument from the workbook's sheets.
pub(crate) fn build(wb: &Workbook, options: &ReadOptions) -> Result<Instrument, XlsFormError> {
    let Some(survey_sheet) = wb.sheet(SURVEY) else {
        return Err(XlsFormError::file(format!(
            "the form has no sheet named \"survey\"{}",
            similar_sheets(wb, SURVEY)
        )));
    };

    // Settings
    let mut settings_row = Cells::default();
    if let Some(sheet) = wb.sheet("settings") {
        let mut sheet = sheet.clone();
        if sheet.headers.iter().any(|h| h == "id_string")
            && sheet.headers.iter().any(|h| h == "form_id")
        {
            // pyxform keeps form_id when both are given
            sheet.headers.retain(|h| h != "id_string");
            for r in &mut sheet.rows {
                r.cells.retain(|(h, _)| h != "id_string");
            }
        }
        let rows = headers::read_sheet(&headers::SETTINGS, &sheet, &[], false)?;
        if let Some(first) = rows.into_iter().next() {
            settings_row = first;
        }
        if let Some(name) = settings_row.get(&["name"])
            && check_name(name).is_err()
        {
            return Err(XlsFormError::at(
                "settings",
                2,
                "name",
                format!("{name:?} is not a valid XML name"),
            ));
        }
    }
    let setting = |k: &str| settings_row.get(&[k]).map(str::to_owned);
    let clean_text = setting("clean_text_values")
        .and_then(|v| yes_no(&v))
        .unwrap_or(true);
    let allow_duplicates = setting("allow_choice_duplicates")
        .and_then(|v| yes_no(&v))
        .unwrap_or(false);

    // External choices: only their list names matter here.
    let mut external_lists: HashSet<String> = HashSet::new();
    let has_external = match wb.sheet("external_choices") {
        Some(sheet) => {
            let rows = headers::read_sheet(&headers::EXTERNAL_CHOICES, sheet, &[], false)?;
            for r in &rows {
                if let Some(l) = r.get(&["list name"]) {
                    external_lists.insert(l.to_owned());
                }
            }
            !rows.is_empty()
        }
        None => false,
    };

    // Choices
    let mut choices: Vec<ChoiceList> = Vec::new();
    let mut choice_rows: Vec<Cells> = Vec::new();
    if let Some(sheet) = wb.sheet(CHOICES) {
        let rows = headers::read_sheet(&headers::CHOICES, sheet, &["name"], false)?;
        let mut seen: HashMap<String, HashSet<String>> = HashMap::new();
        for row in &rows {
            let Some(list) = row.get(&["list name"]) else {
                continue;
            };
            let Some(name) = row.get(&["name"]) else {
                return Err(XlsFormError::at(
                    CHOICES,
                    row.number,
                    "name",
                    "a choice has no name".to_owned(),
                ));
            };
            if !allow_duplicates
                && !seen
                    .entry(list.to_owned())
                    .or_default()
                    .insert(name.to_owned())
            {
                return Err(XlsFormError::at(
                    CHOICES,
                    row.number,
                    "name",
                    format!(
                        "choice name {name:?} is used twice in list {list:?} (set allow_choice_duplicates to allow it)"
                    ),
                ));
            }
            let mut extra = BTreeMap::new();
            for (tokens, value, header) in &row.cells {
                match tokens[0].as_str() {
                    "list name" | "name" | "label" => {}
                    "media" if tokens.len() >= 2 => {
                        let key = tokens[1].clone();
                        let lang = tokens.get(2).map(String::as_str);
                        extra
                            .entry(key)
                            .or_insert_with(LocalizedText::default)
                            .set(lang, value.clone());
                    }
                    _ if tokens[0].contains(' ') || tokens[0].is_empty() => {}
                    _ => {
                        extra.insert(header.clone(), LocalizedText::plain(value.clone()));
                    }
                }
            }
            let choice = Choice {
                name: name.to_owned(),
                label: row.localized(&["label"]),
                extra,
            };
            match choices.iter_mut().find(|l| l.name == list) {
                Some(l) => l.choices.push(choice),
                None => choices.push(ChoiceList {
                    name: list.to_owned(),
                    choices: vec![choice],
                }),
            }
        }
        choice_rows = rows;
    }

    // Entities: declarations, then where each can sit.
    let mut entity_rows: Vec<Cells> = Vec::new();
    let mut entities = Entities::default();
    if let Some(sheet) = wb.sheet("entities") {
        let rows = headers::read_sheet(&headers::ENTITIES, sheet, &[], false)?;
        entities = Entities::declare(&rows)?;
        entity_rows = rows;
    }
    let entity_lists: Vec<String> = entities
        .declarations
        .iter()
        .map(|d| d.dataset.clone())
        .collect();

    let survey_rows = headers::read_sheet(&headers::SURVEY, survey_sheet, &["type"], clean_text)?;
    add_other_choices(&survey_rows, &mut choices);
    // pyxform's `flat` (for ODK Tables): groups stay out of the data. Any
    // value turns it on, even `no`, as `settings.get("flat")` does there.
    let flat = setting("flat").is_some_and(|v| !v.trim().is_empty());

    let mut extra_settings: BTreeMap<String, String> = BTreeMap::new();
    let mut stack: Vec<Frame> = vec![Frame {
        control: None,
        loop_over: None,
        path: entities::root_path(),
        name: String::new(),
        row: 0,
        cells: Cells::default(),
        items: Vec::new(),
        seen: HashSet::new(),
    }];
    let mut places = Places::default();
    let mut element_names: HashMap<String, usize> = HashMap::new();
    let mut question_names: HashSet<String> = HashSet::new();
    let mut trigger_refs: Vec<(String, usize)> = Vec::new();
    let mut geo_refs: Vec<(String, usize)> = Vec::new();
    let mut repeat_names: HashSet<String> = HashSet::new();
    let mut instances = Instances::default();
    let mut geo_instances: HashSet<String> = HashSet::new();
    let mut search_lists: Vec<(String, String)> = Vec::new();
    let mut plain_lists: Vec<(String, String)> = Vec::new();
    let mut visible: HashSet<String> = HashSet::new();
    let research_column: Vec<&str> = options.research_question_column.split("::").collect();

    for mut row in survey_rows.iter().cloned() {
        let n = row.number;
        if let Some(disabled) = row.remove(&["disabled"])
            && yes_no(&disabled) == Some(true)
        {
            continue;
        }
        if row.is_empty() {
            continue;
        }
        let Some(type_cell) = row.get(&["type"]).map(str::to_owned) else {
            if row.get(&["name"]).is_none() && !row.has("label") {
                continue;
            }
            return Err(err(n, &row.header(&["type"]), "the row has no type"));
        };
        let type_cell = match type_cell.as_str() {
            "imei" => "deviceid".to_owned(),
            "image" | "add image prompt" | "add photo prompt" => "photo".to_owned(),
            "add audio prompt" => "audio".to_owned(),
            "add video prompt" => "video".to_owned(),
            "add file prompt" => "file".to_owned(),
            _ => type_cell,
        };
        let type_col = row.header(&["type"]);

        if let Some(trigger) = row.get(&["trigger"]) {
            if !(trigger.len() > 2 && trigger.contains("${")) {
                return Err(err(
                    n,
                    "trigger",
                    "a trigger must be a reference to a question, written ${name}",
                ));
            }
            for part in trigger.split(',') {
                let refs = references(part).map_err(|m| err(n, "trigger", m))?;
                if refs.len() > 1 {
                    return Err(err(n, "trigger", "only one reference per trigger item"));
                }
                trigger_refs.extend(refs.into_iter().map(|r| (r.name, n)));
            }
        }
        let dynamic_default = row
            .get(&["default"])
            .is_some_and(|d| default_is_dynamic(d, &type_cell));
        let parameters = parse_parameters(row.get(&["parameters"]).unwrap_or(""), n)?;

        if type_cell == "audit" {
            if let Some(name) = row.get(&["name"])
                && name != "audit"
            {
                return Err(err(
                    n,
                    "name",
                    "audits are always named \"audit\": leave the name column blank",
                ));
            }
            check_audit_parameters(&parameters, n)?;
            let mut q = Question::new(
                "audit",
                QuestionType::Meta {
                    meta: MetaKind::Audit,
                },
                LocalizedText::default(),
            );
            q.parameters = parameters;
            stack_top(&mut stack).items.push(Item::Question(q));
            continue;
        }
        if type_cell == "calculate" && row.get(&["bind", "calculate"]).is_none() && !dynamic_default
        {
            return Err(err(n, "calculation", "a calculate row needs a calculation"));
        }
        if let Some(setting) = match type_cell.as_str() {
            "form_title" | "set_form_title" => Some("title"),
            "form_id" | "set_form_id" => Some("id_string"),
            "prefix" => Some("compact_prefix"),
            _ => None,
        } {
            extra_settings.insert(
                setting.to_owned(),
                row.get(&["name"]).unwrap_or("None").to_owned(),
            );
            continue;
        }

        let begin = parse_begin(&type_cell);
        let end = parse_end(&type_cell);
        let mut name = String::new();
        if end.is_none() {
            name = match row.get(&["name"]) {
                Some(nm) => nm.to_owned(),
                None if type_cell == "note" => format!("generated_note_name_{n}"),
                None => return Err(err(n, "name", "a question or group has no name")),
            };
            if check_name(&name).is_err() {
                return Err(err(
                    n,
                    &row.header(&["name"]),
                    format!(
                        "{name:?} is not a valid name: names must begin with a letter or underscore and hold only letters, digits, hyphens, underscores and periods"
                    ),
                ));
            }
            *element_names.entry(name.clone()).or_default() += 1;
            let frame = stack_top(&mut stack);
            if name == "meta" {
                return Err(err(
                    n,
                    "name",
                    "the name \"meta\" is reserved for form metadata",
                ));
            }
            if !frame.seen.insert(name.clone()) {
                return Err(err(
                    n,
                    &row.header(&["name"]),
                    format!(
                        "{name:?} is already used in this group: questions, groups and repeats must be unique within their group or repeat"
                    ),
                ));
            }
            places.rows.entry(name.clone()).or_insert(n);
        }
        let parent_path = stack_top(&mut stack).path.clone();
        entities.note_row(
            &parent_path,
            n,
            row.get(&["bind", "entities:saveto"]),
            end.is_none().then_some(name.as_str()),
            begin.is_some() || end.is_some(),
        )?;

        if let Some(control) = end {
            let top = stack.len() - 1;
            if top == 0 || stack[top].control != Some(control) {
                return Err(err(
                    n,
                    &type_col,
                    format!(
                        "unmatched \"end {}\": no open {} matches it",
                        control_name(control),
                        control_name(control)
                    ),
                ));
            }
            close_frame(&mut stack, &research_column, &choices, flat)?;
            continue;
        }
        if let Some((control, loop_list)) = begin {
            if control == Control::Repeat {
                if name == "data" {
                    return Err(err(
                        n,
                        "name",
                        "a repeat cannot have the form's own name (\"data\")",
                    ));
                }
                if !repeat_names.insert(name.clone()) {
                    return Err(err(
                        n,
                        "name",
                        format!(
                            "repeat name {name:?} is used twice: repeat names must be unique in the form"
                        ),
                    ));
                }
            }
            if flat && control == Control::Repeat && loop_list.is_none() {
                return Err(err(
                    n,
                    &type_col,
                    format!(
                        "repeat {name:?} cannot be used with the settings' flat column, which leaves groups and repeats out of the data (pyxform would write a repeat of the whole form)"
                    ),
                ));
            }
            if let Some(list) = &loop_list
                && !choices.iter().any(|l| l.name == *list)
            {
                return Err(err(
                    n,
                    &type_col,
                    format!("loop list {list:?} is not in the choices sheet"),
                ));
            }
            instances.scan_row(&row);
            if control == Control::Repeat
                && let Some(count) = row.get(&["control", "jr:count"])
                && !is_reference(count)
            {
                let generated = format!("{name}_count");
                if !stack_top(&mut stack).seen.insert(generated.clone()) {
                    return Err(err(
                        n,
                        "repeat_count",
                        format!(
                            "{generated:?} is already used in this group, and the repeat's count needs that name"
                        ),
                    ));
                }
                *element_names.entry(generated).or_default() += 1;
            }
            if stack.len() > sankore_domain::instrument::MAX_DEPTH {
                return Err(err(
                    n,
                    &type_col,
                    format!(
                        "groups and repeats nest deeper than {} levels",
                        sankore_domain::instrument::MAX_DEPTH
                    ),
                ));
            }
            let mut path = parent_path.clone();
            path.push((
                name.clone(),
                if control == Control::Repeat && loop_list.is_none() {
                    Kind::Repeat
                } else {
                    Kind::Group
                },
            ));
            stack.push(Frame {
                control: Some(control),
                loop_over: loop_list,
                path,
                name: name.clone(),
                row: n,
                cells: row.clone(),
                items: Vec::new(),
                seen: HashSet::new(),
            });
            continue;
        }

        // A question.
        question_names.insert(name.clone());
        let kind = if let Some((select, list, or_other)) = types::select(&type_cell) {
            let ext = types::extension(list);
            match select {
                Select::OneExternal => {
                    if !has_external {
                        return Err(err(
                            n,
                            &type_col,
                            "the form has no external_choices sheet (with columns list_name and name) for its select_one_external questions".to_owned(),
                        ));
                    }
                    if !external_lists.contains(list) {
                        return Err(err(
                            n,
                            &type_col,
                            format!("list {list:?} is not in the external_choices sheet"),
                        ));
                    }
                }
                _ => {
                    let stem = list.strip_suffix(ext).unwrap_or(list);
                    geo_instances.insert(stem.to_owned());
                    if !ext.is_empty() && FILE_EXTENSIONS.contains(&ext) {
                        let src = if ext == ".csv" {
                            format!("jr://file-csv/{list}")
                        } else {
                            format!("jr://file/{list}")
                        };
                        instances.add(stem, Some(src), n, false);
                    }
                }
            }
            if matches!(select, Select::OneFromFile | Select::MultipleFromFile)
                && (ext.is_empty()
                    || !FILE_EXTENSIONS.contains(&ext)
                    || list[..list.len() - ext.len()].contains('.'))
            {
                return Err(err(
                    n,
                    &type_col,
                    format!(
                        "file name {list:?} should end with one of the supported extensions: .xml, .csv, .geojson"
                    ),
                ));
            }
            let from_file = FILE_EXTENSIONS.contains(&ext);
            let from_answers = is_reference(list);
            if select != Select::OneExternal
                && !from_file
                && !from_answers
                && !choices.iter().any(|l| l.name == list)
            {
                if choices.is_empty() {
                    return Err(err(
                        n,
                        &type_col,
                        format!(
                            "the form has no choices sheet (with columns list_name, name and label) for {list:?}{}",
                            similar_sheets(wb, CHOICES)
                        ),
                    ));
                }
                return Err(err(
                    n,
                    &type_col,
                    format!("choice list {list:?} is not in the choices sheet"),
                ));
            }
            if from_answers && list.starts_with("${") {
                references(list).map_err(|m| err(n, &type_col, m))?;
            }
            if select == Select::Multiple
                && !from_file
                && let Some(l) = choices.iter().find(|l| l.name == list)
                && let Some(c) = l.choices.iter().find(|c| c.name.contains(' '))
            {
                return Err(XlsFormError::at(
                    CHOICES,
                    0,
                    "name",
                    format!(
                        "choice {:?} of list {list:?} has a space in its name, which select_multiple cannot store",
                        c.name
                    ),
                ));
            }
            if or_other {
                if row.get(&["choice_filter"]).is_some() {
                    return Err(err(
                        n,
                        "choice_filter",
                        "a choice filter cannot be used with or_other",
                    ));
                }
                if !choices.iter().any(|l| l.name == list) {
                    return Err(err(
                        n,
                        &type_col,
                        "an \"or other\" question needs its choices",
                    ));
                }
            }
            if matches!(select, Select::OneFromFile | Select::MultipleFromFile) {
                check_parameters(&parameters, &["label", "randomize", "seed", "value"], n)?;
                for key in ["value", "label"] {
                    if let Some(v) = parameters.get(key)
                        && check_name(v).is_err()
                    {
                        return Err(err(
                            n,
                            &format!("parameters ({key})"),
                            format!("{v:?} is not a valid XML name"),
                        ));
                    }
                }
            } else {
                check_parameters(&parameters, &["randomize", "seed"], n)?;
            }
            if let Some(r) = parameters.get("randomize") {
                if r != "true" && r != "false" {
                    return Err(err(n, "parameters", "randomize must be true or false"));
                }
                if let Some(seed) = parameters.get("seed")
                    && !is_reference(seed)
                    && decimal(seed).is_none()
                {
                    return Err(err(
                        n,
                        "parameters",
                        "seed must be a number or a reference to another question",
                    ));
                }
            } else if parameters.contains_key("seed") {
                return Err(err(n, "parameters", "a seed needs randomize=true"));
            }
            match select {
                Select::One => QuestionType::SelectOne {
                    list: list.to_owned(),
                    or_other,
                },
                Select::Multiple => QuestionType::SelectMultiple {
                    list: list.to_owned(),
                    or_other,
                },
                Select::Rank => QuestionType::Rank {
                    list: list.to_owned(),
                },
                Select::OneFromFile => QuestionType::SelectOneFromFile {
                    file: list.to_owned(),
                },
                Select::MultipleFromFile => QuestionType::SelectMultipleFromFile {
                    file: list.to_owned(),
                },
                Select::OneExternal => QuestionType::SelectOneExternal {
                    list: list.to_owned(),
                },
            }
        } else if type_cell.starts_with("osm ") {
            QuestionType::Osm
        } else if let Some(kind) = types::simple_type(&type_cell) {
            check_type_parameters(&type_cell, &parameters, &row, n, &choices)?;
            if matches!(type_cell.as_str(), "geopoint" | "geotrace" | "geoshape")
                && let Some(target) = parameters.get("reference-geometry")
            {
                geo_refs.push((target.clone(), n));
            }
            if let QuestionType::External { format } = &kind {
                let src = if format == "csv" {
                    format!("jr://file-csv/{name}.csv")
                } else {
                    format!("jr://file/{name}.xml")
                };
                instances.add(&name, Some(src), n, true);
                geo_instances.insert(name.clone());
            }
            if kind
                == (QuestionType::Meta {
                    meta: MetaKind::BackgroundGeopoint,
                })
            {
                if row.get(&["trigger"]).is_none() {
                    return Err(err(n, "trigger", "a background-geopoint needs a trigger"));
                }
                if row.get(&["bind", "calculate"]).is_some() {
                    return Err(err(
                        n,
                        "calculation",
                        "a background-geopoint cannot have a calculation",
                    ));
                }
            }
            kind
        } else {
            return Err(err(
                n,
                &type_col,
                format!("unknown question type {type_cell:?}"),
            ));
        };

        instances.scan_row(&row);
        if let Some(list) = kind.choice_list() {
            let searching = row
                .get(&["control", "appearance"])
                .is_some_and(|a| a.contains("search(") && a.len() > 7);
            let entry = (list.to_owned(), name.clone());
            if searching {
                search_lists.push(entry);
            } else {
                plain_lists.push(entry);
            }
        }
        if matches!(
            kind,
            QuestionType::SelectOneFromFile { .. } | QuestionType::SelectMultipleFromFile { .. }
        ) && row
            .get(&["control", "appearance"])
            .is_some_and(|a| a.contains("search("))
        {
            return Err(err(
                n,
                "appearance",
                "a select from a file cannot use search(): remove search() or change the select type",
            ));
        }
        let question = question_from_row(&name, kind, &row, parameters, &research_column)?;
        if has_control(&question, &row) {
            check_label_or_hint(&question, n)?;
            visible.insert(name.clone());
        }
        stack_top(&mut stack).items.push(Item::Question(question));
    }

    // Triggers name questions that exist and that a person sees.
    for (target, row) in &trigger_refs {
        if !question_names.contains(target) {
            return Err(err(
                *row,
                "trigger",
                format!("${{{target}}} names no question of the survey sheet"),
            ));
        }
        if !visible.contains(target) {
            return Err(err(
                *row,
                "trigger",
                format!(
                    "${{{target}}} is not shown to the person filling the form, so it cannot trigger a calculation"
                ),
            ));
        }
    }
    for (target, row) in &geo_refs {
        let ok = geo_instances.contains(target)
            || choices.iter().any(|l| l.name == *target)
            || entity_lists.contains(target)
            || (is_reference(target)
                && references(target)
                    .ok()
                    .and_then(|r| r.into_iter().next())
                    .is_some_and(|r| repeat_names.contains(&r.name)));
        if !ok {
            return Err(err(
                *row,
                "parameters",
                format!(
                    "reference-geometry {target:?} must name a choice list, a file of the form, an entity list or a repeat"
                ),
            ));
        }
    }
    if stack.len() > 1 {
        let top = &stack[stack.len() - 1];
        return Err(err(
            top.row,
            "type",
            format!(
                "unmatched \"begin {}\" {:?}: no \"end {}\" closes it",
                control_name(top.control.unwrap_or(Control::Group)),
                top.name,
                control_name(top.control.unwrap_or(Control::Group)),
            ),
        ));
    }
    if setting("omit_instanceID").and_then(|v| yes_no(&v)) == Some(true)
        && setting("public_key").is_some()
    {
        return Err(XlsFormError::at(
            "settings",
            2,
            "omit_instanceID",
            "an encrypted form (public_key) cannot omit its instanceID".to_owned(),
        ));
    }
    for (list, question) in &search_lists {
        if let Some((_, other)) = plain_lists.iter().find(|(l, _)| l == list) {
            return Err(err(
                places.row(question),
                "appearance",
                format!(
                    "{question:?} uses search() with choice list {list:?}, which {other:?} uses without search(): give them different lists"
                ),
            ));
        }
    }
    for list in &choices {
        if !search_lists.iter().any(|(l, _)| *l == list.name) {
            instances.add(&list.name, None, 0, false);
        }
    }
    instances.check()?;
    entities.allocate()?;

    // Every ${name} names exactly one item of the survey sheet.
    if setting("omit_instanceID").and_then(|v| yes_no(&v)) != Some(true) {
        element_names.entry("instanceID".to_owned()).or_insert(1);
    }
    check_all_references(SURVEY, &survey_rows, &element_names, &|t: &[String]| {
        !matches!(t[0].as_str(), "type" | "name" | "trigger")
    })?;
    check_all_references(CHOICES, &choice_rows, &element_names, &|t: &[String]| {
        matches!(t[0].as_str(), "label" | "media")
    })?;
    check_all_references(
        "entities",
        &entity_rows,
        &element_names,
        &|t: &[String]| !matches!(t[0].as_str(), "dataset" | "list name" | "repeat"),
    )?;
    let settings_rows = vec![settings_row.clone()];
    check_all_references("settings", &settings_rows, &element_names, &|_| true)?;

    let survey = stack.pop().map(|f| f.items).unwrap_or_default();
    let form_id = extra_settings
        .get("id_string")
        .cloned()
        .or_else(|| setting("id_string"))
        .unwrap_or_else(|| options.form_id.clone());
    let mut other = BTreeMap::new();
    for (tokens, value, header) in &settings_row.cells {
        if !matches!(
            tokens[0].as_str(),
            "id_string" | "title" | "version" | "default_language" | "instance_name" | "style"
        ) {
            other.insert(header.clone(), value.clone());
        }
    }
    let settings = Settings {
        form_id,
        form_title: extra_settings
            .get("title")
            .cloned()
            .or_else(|| setting("title")),
        version: setting("version"),
        default_language: setting("default_language"),
        instance_name: setting("instance_name"),
        style: setting("style"),
        other,
    };
    Instrument::new(settings, survey, choices)
        .map(|i| i.with_kept_sheets(kept_sheets(wb)))
        .map_err(|e| place_error(e, &places))
}

/// The sheets Sankore checks but does not model, kept as written: the
/// written-back form needs them (`select_one_external` reads its choices
/// from `external_choices`, `save_to` its list from `entities`).
fn kept_sheets(wb: &Workbook) -> Vec<KeptSheet> {
    ["external_choices", "entities", "osm"]
        .iter()
        .filter_map(|name| wb.sheet(name).map(|sheet| (name, sheet)))
        .map(|(name, sheet)| KeptSheet {
            name: (*name).to_owned(),
            columns: sheet.headers.clone(),
            rows: sheet
                .rows
                .iter()
                .map(|row| {
                    sheet
                        .headers
                        .iter()
                        .map(|h| {
                            row.cells
                                .iter()
                                .find(|(header, _)| header == h)
                                .map(|(_, v)| v.clone())
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

fn stack_top(stack: &mut [Frame]) -> &mut Frame {
    let last = stack.len() - 1;
    &mut stack[last]
}

fn control_name(c: Control) -> &'static str {
    match c {
        Control::Group => "group",
        Control::Repeat => "repeat",
    }
}

/// `begin group`, `begin_repeat`, `begin loop over list`...
fn parse_begin(type_cell: &str) -> Option<(Control, Option<String>)> {
    let rest = type_cell
        .strip_prefix("begin")
        .and_then(|r| r.strip_prefix([' ', '_']))?;
    for (word, control) in [
        ("looped group", Control::Repeat),
        ("lgroup", Control::Repeat),
        ("group", Control::Group),
        ("repeat", Control::Repeat),
        ("loop", Control::Repeat),
    ] {
        if let Some(after) = rest.strip_prefix(word) {
            if after.is_empty() {
                return Some((control, None));
            }
            let list = after
                .strip_prefix(" over ")
                .or_else(|| after.strip_prefix(' '))?;
            if list.is_empty() || list.contains(char::is_whitespace) {
                return None;
            }
            return Some((control, (word == "loop").then(|| list.to_owned())));
        }
    }
    None
}

fn parse_end(type_cell: &str) -> Option<Control> {
    let rest = type_cell
        .strip_prefix("end")
        .and_then(|r| r.strip_prefix([' ', '_']))?;
    match rest {
        "group" => Some(Control::Group),
        "repeat" | "lgroup" | "looped group" | "loop" => Some(Control::Repeat),
        _ => None,
    }
}

/// pyxform adds an `other` choice, labelled "Other", to the list of every
/// "or other" select, unless the list has one: to the list itself, so every
/// question using the list offers it and a loop over the list gets a group
/// for it (wherever the select is in the survey sheet). Sankore does the
/// same when another row uses the list (a select without "or other", a
/// rank, a loop); a list only "or other" selects use is kept as written,
/// their flag offering `other` (so an instrument round-trips through the
/// writer unchanged).
fn add_other_choices(survey_rows: &[Cells], choices: &mut [ChoiceList]) {
    let enabled = || {
        survey_rows
            .iter()
            .filter(|r| r.get(&["disabled"]).and_then(yes_no) != Some(true))
            .filter_map(|r| r.get(&["type"]))
    };
    let or_other: HashSet<&str> = enabled()
        .filter_map(types::select)
        .filter_map(|(_, list, or_other)| or_other.then_some(list))
        .collect();
    let shared: HashSet<String> = enabled()
        .filter_map(|t| match types::select(t) {
            // a rank keeps no "or other" flag
            Some((Select::Rank, list, _) | (_, list, false)) => Some(list.to_owned()),
            Some(_) => None,
            None => parse_begin(t).and_then(|(_, loop_list)| loop_list),
        })
        .collect();
    for list in or_other.into_iter().filter(|l| shared.contains(*l)) {
        let Some(l) = choices.iter_mut().find(|l| l.name == list) else {
            continue;
        };
        if l.choices.iter().any(|c| c.name == "other") {
            continue;
        }
        // "Other" in every language of the list's labels, as pyxform does.
        let mut label = LocalizedText::default();
        for c in &l.choices {
            for lang in c.label.by_language.keys() {
                label.set(Some(lang), "Other");
            }
            if c.label.default.is_some() {
                label.set(None, "Other");
            }
        }
        if label.by_language.is_empty() {
            label = LocalizedText::plain("Other");
        }
        l.choices.push(Choice {
            name: "other".to_owned(),
            label,
            extra: BTreeMap::new(),
        });
    }
}

/// pyxform's `%(name)s` and `%(label)s` in a loop's text, filled with the
/// choice the copy is for (`%%` is a `%`); other `%` are kept.
fn fill_loop_text(text: &str, name: &str, label: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        rest = if let Some(r) = after.strip_prefix("%(name)s") {
            out.push_str(name);
            r
        } else if let Some(r) = after.strip_prefix("%(label)s") {
            out.push_str(label);
            r
        } else if let Some(r) = after.strip_prefix("%%") {
            out.push('%');
            r
        } else {
            out.push('%');
            &after[1..]
        };
    }
    out.push_str(rest);
    out
}

/// A text of a loop's question for one choice: in each language, the
/// choice's label in that language (else its label without language, else
/// its name).
fn fill_loop_texts(text: &mut LocalizedText, choice: &Choice) {
    let label = |lang: Option<&str>| {
        choice
            .label
            .get(lang)
            .or_else(|| choice.label.get(None))
            .unwrap_or(&choice.name)
            .to_owned()
    };
    if let Some(t) = &mut text.default {
        *t = fill_loop_text(t, &choice.name, &label(None));
    }
    for (lang, t) in &mut text.by_language {
        *t = fill_loop_text(t, &choice.name, &label(Some(lang)));
    }
}

/// A loop's item copied for one choice: pyxform fills `%(label)s` and
/// `%(name)s` in the texts of the loop's own items (not deeper).
fn loop_copy(item: &Item, choice: &Choice) -> Item {
    let mut item = item.clone();
    let (texts, extra) = match &mut item {
        Item::Question(q) => (
            vec![
                &mut q.label,
                &mut q.hint,
                &mut q.required_message,
                &mut q.constraint_message,
            ],
            &mut q.extra,
        ),
        Item::Group(g) => (vec![&mut g.label], &mut g.extra),
        Item::Repeat(r) => (vec![&mut r.label], &mut r.extra),
    };
    for t in texts.into_iter().chain(extra.values_mut()) {
        fill_loop_texts(t, choice);
    }
    item
}

/// `outer` joined to an item's own relevance, down to the questions (pyxform
/// puts a flattened group's relevance on its questions).
fn add_relevance(item: &mut Item, outer: &Expression, row: usize) -> Result<(), XlsFormError> {
    match item {
        Item::Question(q) => {
            q.relevant = Some(match &q.relevant {
                None => outer.clone(),
                Some(own) => parse_expr(
                    &format!("({}) and ({})", outer.source, own.source),
                    row,
                    "relevant",
                )?,
            });
        }
        Item::Group(Group { children, .. }) | Item::Repeat(Repeat { children, .. }) => {
            for c in children {
                add_relevance(c, outer, row)?;
            }
        }
    }
    Ok(())
}

fn close_frame(
    stack: &mut Vec<Frame>,
    research_column: &[&str],
    choices: &[ChoiceList],
    flat: bool,
) -> Result<(), XlsFormError> {
    let Some(frame) = stack.pop() else {
        return Ok(());
    };
    let row = &frame.cells;
    let n = frame.row;
    let relevant = row
        .get(&["bind", "relevant"])
        .map(|v| parse_expr(v, n, "relevant"))
        .transpose()?;
    let appearance = row.get(&["control", "appearance"]).map(str::to_owned);
    let extra = extra_columns(row, research_column, true);
    let children = match &frame.loop_over {
        // pyxform asks a loop's questions once per choice, in a group per choice.
        Some(list) => choices
            .iter()
            .find(|l| l.name == *list)
            .map(|l| {
                l.choices
                    .iter()
                    // pyxform leaves a choice named `none` out of a loop
                    .filter(|c| c.name != "none")
                    .map(|c| {
                        Item::Group(Group {
                            name: c.name.clone(),
                            label: c.label.clone(),
                            relevant: None,
                            appearance: None,
                            extra: BTreeMap::new(),
                            children: frame.items.iter().map(|i| loop_copy(i, c)).collect(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        None => frame.items,
    };
    let item = match frame.control {
        Some(Control::Repeat) if frame.loop_over.is_some() => Item::Group(Group {
            name: frame.name,
            label: row.localized(&["label"]),
            relevant,
            appearance,
            extra,
            children,
        }),
        Some(Control::Repeat) => Item::Repeat(Repeat {
            name: frame.name,
            label: row.localized(&["label"]),
            relevant,
            appearance,
            repeat_count: row
                .get(&["control", "jr:count"])
                .map(|v| parse_expr(v, n, "repeat_count"))
                .transpose()?,
            extra,
            children,
        }),
        _ => Item::Group(Group {
            name: frame.name,
            label: row.localized(&["label"]),
            relevant,
            appearance,
            extra,
            children,
        }),
    };
    let parent = stack_top(stack);
    match item {
        // `flat`: a group (or loop) leaves the data, its items take its
        // place, its relevance joined to theirs.
        Item::Group(group) if flat => {
            parent.seen.remove(&group.name);
            for mut child in group.children {
                if let Some(outer) = &group.relevant {
                    add_relevance(&mut child, outer, n)?;
                }
                if !parent.seen.insert(child.name().to_owned()) {
                    return Err(err(
                        n,
                        "name",
                        format!(
                            "{:?} of group {:?} is also a name beside the group: with the settings' flat column, groups leave the data, so their items' names must be unique with their parent's",
                            child.name(),
                            group.name
                        ),
                    ));
                }
                parent.items.push(child);
            }
        }
        item => parent.items.push(item),
    }
    Ok(())
}

/// Columns the model has no field for, kept as written (per language).
fn extra_columns(
    row: &Cells,
    research_column: &[&str],
    container: bool,
) -> BTreeMap<String, LocalizedText> {
    let mut extra: BTreeMap<String, LocalizedText> = BTreeMap::new();
    for (tokens, value, header) in &row.cells {
        let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let modelled = match t.as_slice() {
            ["type"]
            | ["name"]
            | ["label", ..]
            | ["hint", ..]
            | ["parameters"]
            | ["choice_filter"]
            | ["default"] => true,
            ["bind", "relevant"] | ["control", "appearance"] => true,
            ["control", "jr:count"] => container,
            ["bind", "required" | "constraint" | "calculate" | "readonly"] => !container,
            ["bind", "jr:constraintMsg" | "jr:requiredMsg", ..] => !container,
            _ => t == research_column,
        };
        if modelled {
            continue;
        }
        match t.as_slice() {
            ["media", kind, lang] => extra
                .entry((*kind).to_owned())
                .or_default()
                .set(Some(lang), value.clone()),
            ["media", kind] => extra
                .entry((*kind).to_owned())
                .or_default()
                .set(None, value.clone()),
            ["guidance_hint", lang] => extra
                .entry("guidance_hint".to_owned())
                .or_default()
                .set(Some(lang), value.clone()),
            _ => {
                extra.insert(header.clone(), LocalizedText::plain(value.clone()));
            }
        }
    }
    extra
}

fn question_from_row(
    name: &str,
    kind: QuestionType,
    row: &Cells,
    parameters: BTreeMap<String, String>,
    research_column: &[&str],
) -> Result<Question, XlsFormError> {
    let n = row.number;
    let mut q = Question::new(name, kind, row.localized(&["label"]));
    q.hint = row.localized(&["hint"]);
    let flag = |column: &str, value: &str| -> Result<Option<Expression>, XlsFormError> {
        match yes_no(value) {
            Some(true) => parse_expr("true()", n, column).map(Some),
            Some(false) => Ok(None),
            None => parse_expr(value, n, column).map(Some),
        }
    };
    if let Some(v) = row.get(&["bind", "required"]) {
        q.required = flag("required", v)?;
    }
    if let Some(v) = row.get(&["bind", "readonly"]) {
        q.read_only = flag("read_only", v)?;
    }
    q.required_message = row.localized(&["bind", "jr:requiredMsg"]);
    q.constraint_message = row.localized(&["bind", "jr:constraintMsg"]);
    for (tokens, column, slot) in [
        (["bind", "relevant"], "relevant", &mut q.relevant),
        (["bind", "constraint"], "constraint", &mut q.constraint),
        (["bind", "calculate"], "calculation", &mut q.calculation),
    ] {
        if let Some(v) = row.get(&tokens) {
            *slot = Some(parse_expr(v, n, column)?);
        }
    }
    if let Some(v) = row.get(&["choice_filter"]) {
        q.choice_filter = Some(parse_expr(v, n, "choice_filter")?);
    }
    q.appearance = row.get(&["control", "appearance"]).map(str::to_owned);
    q.default = row.get(&["default"]).map(str::to_owned);
    q.parameters = parameters;
    q.extra = extra_columns(row, research_column, false);
    if let Some(v) = row.get(research_column) {
        q.research_questions = research_numbers(v).ok_or_else(|| {
            err(
                n,
                &row.header(research_column),
                format!("{v:?} is not a list of research question numbers (such as \"1, 3\")"),
            )
        })?;
    }
    Ok(q)
}

/// `1`, `1, 3`, `RQ2; RQ4` → [1, 3] / [2, 4].
fn research_numbers(value: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for part in value
        .split([',', ';', ' '])
        .filter(|p| !p.trim().is_empty())
    {
        let p = part.trim();
        let digits = p
            .strip_prefix("RQ")
            .or_else(|| p.strip_prefix("rq"))
            .or_else(|| p.strip_prefix("QR"))
            .unwrap_or(p);
        let n: u8 = digits.parse().ok().filter(|n| *n > 0)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Some(out)
}

/// Whether pyxform gives the question a control in the form's body (and so
/// wants a label or a hint).
fn has_control(q: &Question, row: &Cells) -> bool {
    let shown = matches!(
        q.kind,
        QuestionType::Text
            | QuestionType::Integer
            | QuestionType::Decimal
            | QuestionType::Range
            | QuestionType::Date
            | QuestionType::Time
            | QuestionType::DateTime
            | QuestionType::Geopoint
            | QuestionType::Geotrace
            | QuestionType::Geoshape
            | QuestionType::Note
            | QuestionType::Acknowledge
            | QuestionType::Trigger
            | QuestionType::Image
            | QuestionType::Audio
            | QuestionType::Video
            | QuestionType::File
            | QuestionType::Barcode
            | QuestionType::Osm
            | QuestionType::SelectOne { .. }
            | QuestionType::SelectMultiple { .. }
            | QuestionType::Rank { .. }
            | QuestionType::SelectOneFromFile { .. }
            | QuestionType::SelectMultipleFromFile { .. }
            | QuestionType::SelectOneExternal { .. }
    );
    let calculated = row.get(&["bind", "calculate"]).is_some() || row.get(&["trigger"]).is_some();
    shown && !(calculated && q.label.is_empty() && q.hint.is_empty())
}

fn check_label_or_hint(q: &Question, row: usize) -> Result<(), XlsFormError> {
    let media = ["image", "audio", "video", "big-image", "media"]
        .iter()
        .any(|m| q.extra.contains_key(*m));
    if q.label.is_empty() && !media && q.hint.is_empty() {
        return Err(err(
            row,
            "label",
            format!("question {:?} has no label or hint", q.name),
        ));
    }
    if q.extra.contains_key("big-image") && !q.extra.contains_key("image") {
        return Err(err(
            row,
            "big-image",
            format!("question {:?} has a big-image without an image", q.name),
        ));
    }
    Ok(())
}

fn check_audit_parameters(p: &BTreeMap<String, String>, n: usize) -> Result<(), XlsFormError> {
    check_parameters(
        p,
        &[
            "identify-user",
            "location-max-age",
            "location-min-interval",
            "location-priority",
            "track-changes",
            "track-changes-reasons",
        ],
        n,
    )?;
    for key in ["track-changes", "identify-user"] {
        if let Some(v) = p.get(key)
            && v != "true"
            && v != "false"
        {
            return Err(err(n, "parameters", format!("{key} must be true or false")));
        }
    }
    if let Some(v) = p.get("track-changes-reasons")
        && v != "on-form-edit"
    {
        return Err(err(
            n,
            "parameters",
            "track-changes-reasons must be on-form-edit",
        ));
    }
    let loc = [
        "location-priority",
        "location-min-interval",
        "location-max-age",
    ];
    if loc.iter().any(|k| p.contains_key(*k)) {
        let (Some(priority), Some(min), Some(max)) = (p.get(loc[0]), p.get(loc[1]), p.get(loc[2]))
        else {
            return Err(err(
                n,
                "parameters",
                "location in an audit needs location-priority, location-min-interval and location-max-age",
            ));
        };
        if !["no-power", "low-power", "balanced", "high-accuracy"].contains(&priority.as_str()) {
            return Err(err(
                n,
                "parameters",
                "location-priority must be no-power, low-power, balanced or high-accuracy",
            ));
        }
        let min: i64 = min
            .parse()
            .map_err(|_| err(n, "parameters", "location-min-interval must be an integer"))?;
        let max: i64 = max
            .parse()
            .map_err(|_| err(n, "parameters", "location-max-age must be an integer"))?;
        if min < 0 || max < 0 {
            return Err(err(
                n,
                "parameters",
                "location intervals must not be negative",
            ));
        }
        if max < min {
            return Err(err(
                n,
                "parameters",
                "location-max-age must be at least location-min-interval",
            ));
        }
    }
    Ok(())
}

fn check_type_parameters(
    type_cell: &str,
    p: &BTreeMap<String, String>,
    row: &Cells,
    n: usize,
    choices: &[ChoiceList],
) -> Result<(), XlsFormError> {
    let appearance = row.get(&["control", "appearance"]);
    match type_cell {
        "range" => return check_range(p, appearance, n, choices),
        "text" => {
            check_parameters(p, &["rows"], n)?;
            if let Some(r) = p.get("rows")
                && r.parse::<i64>().is_err()
            {
                return Err(err(n, "parameters", "rows must be an integer"));
            }
        }
        "photo" => {
            check_parameters(p, &["app", "max-pixels"], n)?;
            if let Some(v) = p.get("max-pixels")
                && v.parse::<i64>().is_err()
            {
                return Err(err(n, "parameters", "max-pixels must be an integer"));
            }
            if let Some(app) = p.get("app")
                && (appearance.is_none() || appearance == Some("annotate"))
            {
                check_android_package(app, n)?;
            }
        }
        "audio" | "background-audio" => {
            check_parameters(p, &["quality"], n)?;
            let allowed: &[&str] = if type_cell == "audio" {
                &["voice-only", "low", "normal", "external"]
            } else {
                &["voice-only", "low", "normal"]
            };
            if let Some(q) = p.get("quality")
                && !allowed.contains(&q.as_str())
            {
                return Err(err(n, "parameters", format!("invalid audio quality {q:?}")));
            }
        }
        "geopoint" => {
            check_parameters(
                p,
                &[
                    "allow-mock-accuracy",
                    "capture-accuracy",
                    "reference-geometry",
                    "warning-accuracy",
                ],
                n,
            )?;
            for key in ["capture-accuracy", "warning-accuracy"] {
                if let Some(v) = p.get(key)
                    && decimal(v).is_none()
                {
                    return Err(err(n, "parameters", format!("{key} must be a number")));
                }
            }
            check_mock(p, n)?;
        }
        "geoshape" | "geotrace" => {
            check_parameters(
                p,
                &["allow-mock-accuracy", "incremental", "reference-geometry"],
                n,
            )?;
            if let Some(v) = p.get("incremental")
                && yes_no(v) != Some(true)
            {
                return Err(err(n, "parameters", "incremental can only be true"));
            }
            check_mock(p, n)?;
        }
        _ => {}
    }
    Ok(())
}

fn check_mock(p: &BTreeMap<String, String>, n: usize) -> Result<(), XlsFormError> {
    match p.get("allow-mock-accuracy").map(String::as_str) {
        None | Some("true" | "false") => Ok(()),
        Some(_) => Err(err(
            n,
            "parameters",
            "allow-mock-accuracy must be true or false",
        )),
    }
}

fn check_android_package(name: &str, n: usize) -> Result<(), XlsFormError> {
    let problem = if name.trim().is_empty() {
        Some("the package name is missing")
    } else if !name.contains('.') {
        Some("the package name must have at least one '.' separator")
    } else if name.ends_with('.') {
        Some("the package name cannot end in a '.' separator")
    } else {
        let segments: Vec<&str> = name.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            Some("package segments must not be empty")
        } else if segments.iter().any(|s| s.starts_with('_')) {
            Some("a package segment cannot start with '_'")
        } else if segments
            .iter()
            .any(|s| s.chars().next().is_some_and(|c| c.is_ascii_digit()))
        {
            Some("a package segment cannot start with a digit")
        } else if name
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        {
            Some("the package name can only hold letters, digits, dots and underscores")
        } else {
            None
        }
    };
    match problem {
        Some(p) => Err(err(n, "parameters", format!("parameter app: {p}"))),
        None => Ok(()),
    }
}

fn check_range(
    p: &BTreeMap<String, String>,
    appearance: Option<&str>,
    n: usize,
    choices: &[ChoiceList],
) -> Result<(), XlsFormError> {
    check_parameters(
        p,
        &[
            "end",
            "placeholder",
            "start",
            "step",
            "tick_interval",
            "tick_labelset",
        ],
        n,
    )?;
    if let Some(a) = appearance
        && !a.contains("vertical")
        && !a.contains("no-ticks")
        && ["tick_interval", "placeholder", "tick_labelset"]
            .iter()
            .any(|k| p.contains_key(*k))
    {
        return Err(err(
            n,
            "parameters",
            "tick_interval, placeholder and tick_labelset need the vertical or no-ticks appearance",
        ));
    }
    let num = |key: &str, default: Option<f64>| -> Result<Option<f64>, XlsFormError> {
        match p.get(key) {
            None => Ok(default),
            Some(v) => decimal(v).map(Some).ok_or_else(|| {
                err(
                    n,
                    "parameters",
                    format!("range parameter {key} must be a number"),
                )
            }),
        }
    };
    let start = num("start", Some(1.0))?.unwrap_or(1.0);
    let end = num("end", Some(10.0))?.unwrap_or(10.0);
    let step = num("step", Some(1.0))?.unwrap_or(1.0);
    let tick = num("tick_interval", None)?;
    let placeholder = num("placeholder", None)?;
    let width = (end - start).abs();
    let multiple = |v: f64, of: f64| ((v / of).round() * of - v).abs() < 1e-9;
    if step == 0.0 {
        return Err(err(n, "parameters", "range step must not be zero"));
    }
    if step > width {
        return Err(err(n, "parameters", "range step is larger than the range"));
    }
    if let Some(t) = tick {
        if t == 0.0 {
            return Err(err(n, "parameters", "tick_interval must not be zero"));
        }
        if t > width {
            return Err(err(
                n,
                "parameters",
                "tick_interval is larger than the range",
            ));
        }
        if !multiple(t, step) {
            return Err(err(
                n,
                "parameters",
                "tick_interval must be a multiple of step",
            ));
        }
    }
    if let Some(ph) = placeholder {
        if !multiple(ph - start, step) {
            return Err(err(n, "parameters", "placeholder must fall on a step"));
        }
        if ph < start.min(end) || ph > start.max(end) {
            return Err(err(
                n,
                "parameters",
                "placeholder must lie inside the range",
            ));
        }
    }
    if let Some(set) = p.get("tick_labelset") {
        let Some(list) = choices.iter().find(|l| l.name == *set) else {
            return Err(err(
                n,
                "parameters",
                format!("tick_labelset {set:?} is not a choice list"),
            ));
        };
        let no_ticks = appearance.is_some_and(|a| a.contains("no-ticks"));
        let mut values = Vec::new();
        for c in &list.choices {
            let v = decimal(&c.name)
                .ok_or_else(|| err(n, "parameters", "tick_labelset choices must be numbers"))?;
            if v < start.min(end) || v > start.max(end) {
                return Err(err(
                    n,
                    "parameters",
                    "tick_labelset choices must lie inside the range",
                ));
            }
            let of = tick.unwrap_or(step);
            if !multiple(v - start, of) {
                return Err(err(
                    n,
                    "parameters",
                    "tick_labelset choices must fall on a tick",
                ));
            }
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if no_ticks {
            let mut expected = vec![start, end];
            expected.dedup();
            values.sort_by(f64::total_cmp);
            expected.sort_by(f64::total_cmp);
            if values.len() > 2 || values != expected {
                return Err(err(
                    n,
                    "parameters",
                    "with no-ticks, tick_labelset holds only the start and the end",
                ));
            }
        }
    }
    Ok(())
}

/// pyxform's test for a default that is an expression (computed on load).
fn default_is_dynamic(value: &str, type_cell: &str) -> bool {
    let hyphen_ok = matches!(
        type_cell,
        "date" | "dateTime" | "geopoint" | "geotrace" | "geoshape"
    );
    if value.contains("${") || value.contains('(') || value.contains('|') || value.contains('[') {
        return true;
    }
    if value.contains('*')
        || value.contains('+')
        || value.contains(" div ")
        || value.contains(" mod ")
    {
        return !(hyphen_ok && value.contains('-'));
    }
    if value.contains('-') && !hyphen_ok {
        // a minus between two operands, as opposed to a negative number or a date
        return value.trim_start_matches('-').contains('-');
    }
    false
}

fn check_all_references(
    sheet: &str,
    rows: &[Cells],
    names: &HashMap<String, usize>,
    column_ok: &dyn Fn(&[String]) -> bool,
) -> Result<(), XlsFormError> {
    for row in rows {
        for (tokens, value, header) in &row.cells {
            if !column_ok(tokens) || !value.contains("${") || value.len() <= 2 {
                continue;
            }
            let refs =
                references(value).map_err(|m| XlsFormError::at(sheet, row.number, header, m))?;
            for r in refs {
                match names.get(&r.name) {
                    None => {
                        return Err(XlsFormError::at(
                            sheet,
                            row.number,
                            header,
                            format!("${{{}}} names no question of the survey sheet", r.name),
                        ));
                    }
                    Some(1) => {}
                    Some(_) => {
                        return Err(XlsFormError::at(
                            sheet,
                            row.number,
                            header,
                            format!(
                                "${{{}}} is ambiguous: several questions, groups or repeats have that name",
                                r.name
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn place_error(e: InstrumentError, places: &Places) -> XlsFormError {
    let (name, column) = match &e {
        InstrumentError::NoFormId => {
            return XlsFormError::at("settings", 0, "form_id", e.to_string());
        }
        InstrumentError::InvalidName { name, .. }
        | InstrumentError::TooDeep { name }
        | InstrumentError::DuplicateName { name, .. }
        | InstrumentError::DuplicateRepeat { name } => (name.clone(), "name".to_owned()),
        InstrumentError::UnknownChoiceList { question, .. } => {
            (question.clone(), "type".to_owned())
        }
        InstrumentError::UnknownReference { item, column, .. }
        | InstrumentError::AmbiguousReference { item, column, .. } => {
            (item.clone(), column.clone())
        }
    };
    err(places.row(&name), &column, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parameters_like_pyxform() -> Result<(), XlsFormError> {
        let p = parse_parameters("start=0 end = 10;step=1, label=Name", 2)?;
        assert_eq!(p.get("end").map(String::as_str), Some("10"));
        assert_eq!(p.get("label").map(String::as_str), Some("Name"));
        assert!(parse_parameters("start", 2).is_err());
        assert!(parse_parameters("a==b", 2).is_err());
        Ok(())
    }

    #[test]
    fn reads_research_numbers() {
        assert_eq!(research_numbers("1, 3"), Some(vec![1, 3]));
        assert_eq!(research_numbers("RQ2; RQ4"), Some(vec![2, 4]));
        assert_eq!(research_numbers("one"), None);
    }

    #[test]
    fn finds_references() {
        assert_eq!(
            references("a ${b} ${last-saved#c} ${}").map(|r| r.len()),
            Ok(2)
        );
        assert!(references("${a b}").is_err());
        assert!(references("${a").is_err());
        assert!(is_reference("${q}"));
        assert!(!is_reference("x${q}"));
    }

    fn read_md(md: &str) -> Result<Instrument, XlsFormError> {
        super::super::read(
            md.as_bytes(),
            super::super::FileKind::Markdown,
            &ReadOptions::new("data"),
        )
    }

    fn paths(form: &Instrument) -> Vec<&str> {
        form.questions().iter().map(|q| q.path).collect()
    }

    #[test]
    fn or_other_adds_other_to_the_list_as_pyxform_does() -> Result<(), XlsFormError> {
        let form = read_md(
            "| survey |\n\
             | | type | name | label::en |\n\
             | | begin loop over t | loop | Loop |\n\
             | | integer | n | How many %(label)s (%(name)s, 100%%)? |\n\
             | | end loop | | |\n\
             | | select_one t or_other | q | Q |\n\
             | | select_one t | r | R |\n\
             | choices |\n\
             | | list_name | name | label::en |\n\
             | | t | pit | Pit |\n\
             | | t | none | None |\n",
        )?;
        let list = form.choice_list("t").map(|l| {
            l.choices
                .iter()
                .map(|c| (c.name.as_str(), c.label.get(Some("en"))))
                .collect::<Vec<_>>()
        });
        assert_eq!(
            list,
            Some(vec![
                ("pit", Some("Pit")),
                ("none", Some("None")),
                ("other", Some("Other"))
            ])
        );
        // the loop, before the select, has a group for `other`, none for `none`
        assert_eq!(
            paths(&form)[..2],
            ["/loop/pit/n", "/loop/other/n"],
            "{:?}",
            paths(&form)
        );
        let label = |path: &str| match form.item(path) {
            Some(Item::Question(q)) => q.label.get(Some("en")).map(str::to_owned),
            _ => None,
        };
        assert_eq!(
            label("/loop/pit/n").as_deref(),
            Some("How many Pit (pit, 100%)?")
        );
        assert_eq!(
            label("/loop/other/n").as_deref(),
            Some("How many Other (other, 100%)?")
        );
        // a list only `or_other` selects use is kept as written
        let alone = read_md(
            "| survey |\n\
             | | type | name | label |\n\
             | | select_one t or_other | q | Q |\n\
             | choices |\n\
             | | list_name | name | label |\n\
             | | t | pit | Pit |\n",
        )?;
        assert_eq!(alone.choice_list("t").map(|l| l.choices.len()), Some(1));
        Ok(())
    }

    #[test]
    fn flat_leaves_groups_out_as_pyxform_does() -> Result<(), XlsFormError> {
        let form = read_md(
            "| survey |\n\
             | | type | name | label | relevant |\n\
             | | text | a | A | |\n\
             | | begin group | g | G | ${a} = 'x' or ${a} = 'y' |\n\
             | | text | b | B | ${a} != 'z' |\n\
             | | begin group | h | H | |\n\
             | | text | g | C | |\n\
             | | end group | | | |\n\
             | | end group | | | |\n\
             | settings |\n\
             | | flat |\n\
             | | yes |\n",
        )?;
        assert_eq!(paths(&form), ["/a", "/b", "/g"]);
        let relevant = |path: &str| match form.item(path) {
            Some(Item::Question(q)) => q.relevant.as_ref().map(|e| e.source.clone()),
            _ => None,
        };
        assert_eq!(
            relevant("/b").as_deref(),
            Some("(${a} = 'x' or ${a} = 'y') and (${a} != 'z')")
        );
        assert_eq!(relevant("/g").as_deref(), Some("${a} = 'x' or ${a} = 'y'"));
        // a name that flattening would repeat, and a repeat, are refused
        let clash = read_md(
            "| survey |\n\
             | | type | name | label |\n\
             | | text | a | A |\n\
             | | begin group | g | G |\n\
             | | text | a | A |\n\
             | | end group | | |\n\
             | settings |\n\
             | | flat |\n\
             | | yes |\n",
        );
        assert!(clash.is_err_and(|e| e.message.contains("flat")));
        let repeat = read_md(
            "| survey |\n\
             | | type | name | label |\n\
             | | begin repeat | r | R |\n\
             | | text | a | A |\n\
             | | end repeat | | |\n\
             | settings |\n\
             | | flat |\n\
             | | yes |\n",
        );
        assert!(repeat.is_err_and(|e| e.message.contains("flat")));
        Ok(())
    }
}
