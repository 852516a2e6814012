//! Responses out, laid out as a KoBoToolbox XLSX export (so they can be
//! imported again): one table for the submissions, one per repeat group
//! linked by `_index` / `_parent_table_name` / `_parent_index`, answers as
//! choice names (or labels in one language), select_multiple joined or
//! split into one 1/0 column per choice.

use std::collections::HashMap;

use sankore_domain::Response;
use sankore_domain::instrument::{ChoiceList, Instrument, QuestionAt, QuestionType};

use super::kobo::{INDEX, KEY, PARENT_INDEX, PARENT_TABLE, SUBMISSION_TIME};
use crate::tabular::{Column, Table};

/// How responses are written.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseLayout<'a> {
    /// Write headers and answers as labels in this language of the form
    /// (as the form names it, `French (fr)`); `None`: XML names and
    /// choice names.
    pub labels: Option<&'a str>,
    /// The language of variable and value labels (SPSS, Stata) when
    /// answers stay as names.
    pub label_language: Option<&'a str>,
    /// One 1/0 column per choice of select_multiple questions.
    pub split: bool,
}

/// The language of the form matching an ISO code (`fr` matches
/// `French (fr)`, `fr`, `Français`...).
pub fn form_language<'f>(form: &'f Instrument, code: &str) -> Option<&'f str> {
    form.languages()
        .iter()
        .find(|l| {
            l.eq_ignore_ascii_case(code)
                || l.trim_end().ends_with(&format!("({code})"))
                || (code == "fr" && l.starts_with("Fr"))
                || (code == "en" && l.starts_with("En"))
        })
        .map(String::as_str)
}

/// A spreadsheet's sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// The columns one question gives, with how to fill them.
enum Slot {
    /// The answer (a label in labels mode).
    Whole,
    /// 1 when the choice is selected.
    Choice(String),
    /// The "specify other" text of an `or_other` select.
    Other,
}

struct Plan<'f> {
    columns: Vec<Column>,
    slots: Vec<(QuestionAt<'f>, Slot)>,
}

fn plan<'f>(form: &'f Instrument, scope: Option<&str>, layout: &ResponseLayout<'_>) -> Plan<'f> {
    let mut columns = Vec::new();
    let mut slots = Vec::new();
    let text_language = layout.labels.or(layout.label_language);
    for q in form.questions() {
        if q.repeat != scope || matches!(q.question.kind, QuestionType::Note) {
            continue;
        }
        let xml = q.path.trim_start_matches('/').to_owned();
        let label = q
            .question
            .label
            .get(text_language)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_owned());
        let header = match layout.labels {
            Some(_) => label.clone().unwrap_or_else(|| xml.clone()),
            None => xml.clone(),
        };
        let numeric = matches!(
            q.question.kind,
            QuestionType::Integer | QuestionType::Decimal | QuestionType::Range
        );
        let list = q
            .question
            .kind
            .choice_list()
            .and_then(|l| form.choice_list(l));
        let multiple = matches!(q.question.kind, QuestionType::SelectMultiple { .. });
        let or_other = matches!(
            q.question.kind,
            QuestionType::SelectOne { or_other: true, .. }
                | QuestionType::SelectMultiple { or_other: true, .. }
        );
        // The "specify other" text, after the question's own columns, as
        // KoBoToolbox writes it.
        let other = or_other.then(|| {
            let mut column = Column::text(format!("{header}_other"));
            column.label = label.as_ref().map(|l| format!("{l}: other"));
            (column, (q, Slot::Other))
        });
        if multiple && layout.split {
            let mut choices: Vec<(&str, &str)> = list
                .map(|l| l.choices.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|c| {
                    (
                        c.name.as_str(),
                        c.label.get(text_language).unwrap_or(&c.name).trim(),
                    )
                })
                .collect();
            if or_other && !choices.iter().any(|(name, _)| *name == "other") {
                choices.push(("other", "other"));
            }
            for (choice, choice_label) in choices {
                let name = match layout.labels {
                    Some(_) => format!("{header}/{choice_label}"),
                    None => format!("{header}/{choice}"),
                };
                let mut column = Column::number(name);
                column.label = Some(match &label {
                    Some(l) => format!("{l}: {choice_label}"),
                    None => choice_label.to_owned(),
                });
                columns.push(column);
                slots.push((q, Slot::Choice(choice.to_owned())));
            }
        } else {
            columns.push(whole_column(q, header, label, numeric, list, layout));
            slots.push((q, Slot::Whole));
        }
        if let Some((column, slot)) = other {
            columns.push(column);
            slots.push(slot);
        }
    }
    Plan { columns, slots }
}

/// The one column of a question's whole answer, with its HXL tag and, for
/// a select_one written as names, its value labels.
fn whole_column(
    q: QuestionAt<'_>,
    header: String,
    label: Option<String>,
    numeric: bool,
    list: Option<&ChoiceList>,
    layout: &ResponseLayout<'_>,
) -> Column {
    let text_language = layout.labels.or(layout.label_language);
    let mut column = Column {
        name: header,
        label,
        numeric,
        ..Column::default()
    };
    if let Some(hxl) = q.question.extra.get("hxl").and_then(|t| t.get(None)) {
        column.hxl = Some(hxl.to_owned());
    }
    if layout.labels.is_none()
        && let QuestionType::SelectOne { or_other, .. } = &q.question.kind
        && let Some(list) = list
    {
        column.value_labels = list
            .choices
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.label
                        .get(text_language)
                        .unwrap_or(&c.name)
                        .trim()
                        .to_owned(),
                )
            })
            .collect();
        // "other" of an or_other select, unless the list has it already.
        if *or_other && !list.choices.iter().any(|c| c.name == "other") {
            column
                .value_labels
                .push(("other".to_owned(), "other".to_owned()));
        }
    }
    column
}

/// The text of a slot for one row's answers.
fn cell(
    form: &Instrument,
    (q, slot): &(QuestionAt<'_>, Slot),
    answers: &HashMap<&str, &str>,
    layout: &ResponseLayout<'_>,
) -> String {
    let value = answers.get(q.path).copied().unwrap_or("");
    match slot {
        Slot::Other => answers
            .get(format!("{}_other", q.path).as_str())
            .copied()
            .unwrap_or("")
            .to_owned(),
        Slot::Choice(name) => {
            if value.is_empty() {
                String::new()
            } else if value.split(' ').any(|v| v == name) {
                "1".to_owned()
            } else {
                "0".to_owned()
            }
        }
        Slot::Whole => match (layout.labels, q.question.kind.choice_list()) {
            (Some(language), Some(list)) if !value.is_empty() => value
                .split(' ')
                .map(|v| {
                    form.choice_label(list, v, Some(language))
                        .unwrap_or(v)
                        .trim()
                })
                .collect::<Vec<_>>()
                .join(" "),
            _ => value.to_owned(),
        },
    }
}

/// The responses as tables: the submissions first (`_uuid`,
/// `_submission_time`, `_index` after the answers), then one table per
/// repeat of the form, in form order.
pub fn response_tables(
    form: &Instrument,
    responses: &[Response],
    layout: &ResponseLayout<'_>,
) -> Vec<Table> {
    let main_name = sheet_name(form.key());
    let main_plan = plan(form, None, layout);
    let mut main = Table {
        name: main_name.clone(),
        columns: main_plan.columns.clone(),
        rows: Vec::with_capacity(responses.len()),
    };
    main.columns.push(Column::text(KEY).hxl("#meta+id"));
    main.columns
        .push(Column::text(SUBMISSION_TIME).hxl("#date+submitted"));
    main.columns.push(Column::number(INDEX));
    // Repeats in form order, each with its plan.
    let mut repeats: Vec<&str> = Vec::new();
    for q in form.questions() {
        if let Some(r) = q.repeat
            && !repeats.contains(&r)
        {
            repeats.push(r);
        }
    }
    let mut tables: Vec<(Table, Plan<'_>)> = repeats
        .iter()
        .map(|path| {
            let name = sheet_name(path.rsplit('/').next().unwrap_or(path));
            let plan = plan(form, Some(path), layout);
            let mut columns = plan.columns.clone();
            columns.push(Column::number(INDEX));
            columns.push(Column::text(PARENT_TABLE));
            columns.push(Column::number(PARENT_INDEX));
            columns.push(Column::text("_submission__uuid"));
            (
                Table {
                    name,
                    columns,
                    rows: Vec::new(),
                },
                plan,
            )
        })
        .collect();
    let table_of: HashMap<&str, usize> = repeats.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    for (n, response) in responses.iter().enumerate() {
        let answers: HashMap<&str, &str> = response.answers.iter().collect();
        let mut row: Vec<String> = main_plan
            .slots
            .iter()
            .map(|slot| cell(form, slot, &answers, layout))
            .collect();
        row.push(response.key.clone());
        row.push(response.submitted_at.clone().unwrap_or_default());
        row.push((n + 1).to_string());
        main.rows.push(row);
        // Where each repeat row landed: (table, its _index).
        let mut placed: Vec<Option<(usize, usize)>> = Vec::with_capacity(response.repeats.len());
        for r in &response.repeats {
            let Some(&t) = table_of.get(r.repeat.as_str()) else {
                placed.push(None);
                continue;
            };
            let (parent_table, parent_index) =
                match r.parent.and_then(|p| placed.get(p).copied().flatten()) {
                    Some((pt, pi)) => (tables[pt].0.name.clone(), pi),
                    None => (main_name.clone(), n + 1),
                };
            let answers: HashMap<&str, &str> = r.answers.iter().collect();
            let (table, plan) = &mut tables[t];
            let mut row: Vec<String> = plan
                .slots
                .iter()
                .map(|slot| cell(form, slot, &answers, layout))
                .collect();
            let index = table.rows.len() + 1;
            row.push(index.to_string());
            row.push(parent_table);
            row.push(parent_index.to_string());
            row.push(response.key.clone());
            table.rows.push(row);
            placed.push(Some((t, index)));
        }
    }
    std::iter::once(main)
        .chain(tables.into_iter().map(|(t, _)| t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submissions::responses::{link, tests::form};
    use crate::tabular::to_xlsx;
    use sankore_domain::{Answers, RepeatRow};

    fn responses() -> Vec<Response> {
        vec![
            Response {
                key: "u-1".into(),
                submitted_at: Some("2024-03-01T10:00:00".into()),
                answers: Answers::from_pairs([
                    ("/resp/code", "TBK-001"),
                    ("/resp/gender", "f"),
                    ("/resp/age", "34"),
                    ("/story", "« Il a dit non. »\nPuis 😀"),
                    ("/reasons", "jobs faith other"),
                    ("/reasons_other", "la pêche"),
                ]),
                // Canonical order: outer repeats first (as reading gives).
                repeats: vec![
                    RepeatRow {
                        repeat: "/member".into(),
                        parent: None,
                        answers: Answers::from_pairs([("/member/m_age", "12")]),
                    },
                    RepeatRow {
                        repeat: "/member".into(),
                        parent: None,
                        answers: Answers::from_pairs([("/member/m_age", "40")]),
                    },
                    RepeatRow {
                        repeat: "/member/job".into(),
                        parent: Some(0),
                        answers: Answers::from_pairs([("/member/job/job_name", "berger")]),
                    },
                ],
            },
            Response {
                key: "u-2".into(),
                submitted_at: None,
                answers: Answers::from_pairs([("/resp/gender", "m")]),
                repeats: vec![],
            },
        ]
    }

    #[test]
    fn xlsx_export_reads_back_identically() {
        let form = form();
        for split in [false, true] {
            let layout = ResponseLayout {
                split,
                ..ResponseLayout::default()
            };
            let tables = response_tables(&form, &responses(), &layout);
            assert_eq!(tables.len(), 3);
            let bytes = to_xlsx(&tables, false).unwrap_or_else(|e| panic!("{e}"));
            let read = crate::submissions::kobo::read_xlsx("r.xlsx", &bytes)
                .unwrap_or_else(|e| panic!("{e}"));
            let back = link(&read, &form).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, responses(), "split: {split}");
        }
    }

    #[test]
    fn other_is_labelled_once_when_the_list_has_it_too() {
        use sankore_domain::instrument::{
            Choice, ChoiceList, Item, LocalizedText, Question, Settings,
        };
        let choice = |name: &str| Choice {
            name: name.to_owned(),
            label: LocalizedText::plain(name),
            extra: Default::default(),
        };
        let form = Instrument::new(
            Settings {
                form_id: "f".to_owned(),
                ..Settings::default()
            },
            vec![Item::Question(Question::new(
                "colour",
                QuestionType::SelectOne {
                    list: "colours".to_owned(),
                    or_other: true,
                },
                LocalizedText::plain("Colour"),
            ))],
            vec![ChoiceList {
                name: "colours".to_owned(),
                choices: vec![choice("red"), choice("other")],
            }],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let tables = response_tables(&form, &[], &ResponseLayout::default());
        let labels = &tables[0].columns[0].value_labels;
        assert_eq!(
            labels.iter().filter(|(v, _)| v == "other").count(),
            1,
            "{labels:?}"
        );
    }

    #[test]
    fn labels_in_one_language() {
        let form = form();
        let fr = form_language(&form, "fr");
        assert_eq!(fr, Some("French (fr)"));
        let layout = ResponseLayout {
            labels: fr,
            ..ResponseLayout::default()
        };
        let tables = response_tables(&form, &responses(), &layout);
        let main = &tables[0];
        let gender = main.columns.iter().position(|c| c.name == "Sexe");
        assert_eq!(gender.map(|g| main.rows[0][g].as_str()), Some("Femme"));
        let reasons = main.columns.iter().position(|c| c.name == "Raisons");
        assert_eq!(
            reasons.map(|g| main.rows[0][g].as_str()),
            Some("Emploi Foi other")
        );
        // The "specify other" text has its column after the question's.
        let other = main.columns.iter().position(|c| c.name == "Raisons_other");
        assert_eq!(other, reasons.map(|r| r + 1));
        assert_eq!(other.map(|o| main.rows[0][o].as_str()), Some("la pêche"));
    }
}
