//! An instrument written back as an XLSForm workbook (`.xlsx`): `survey`,
//! `choices` and `settings` sheets with one column per text and language,
//! which pyxform, KoBoToolbox and ODK Central read.

use sankore_domain::instrument::{Expression, Instrument, Item, LocalizedText, Question};

use super::{DEFAULT_RESEARCH_QUESTION_COLUMN, XlsFormError};

/// A sheet being built: headers in first-use order, rows of (header, value).
#[derive(Default)]
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<(usize, String)>>,
}

impl Table {
    /// The headers in writing order, with where each one goes.
    fn ordered(&self) -> (Vec<&str>, Vec<usize>) {
        let mut order: Vec<usize> = (0..self.headers.len()).collect();
        order.sort_by_key(|i| column_rank(&self.headers[*i]));
        let mut position = vec![0; self.headers.len()];
        for (to, from) in order.iter().enumerate() {
            position[*from] = to;
        }
        (
            order.iter().map(|i| self.headers[*i].as_str()).collect(),
            position,
        )
    }

    fn column(&mut self, header: &str) -> usize {
        match self.headers.iter().position(|h| h == header) {
            Some(i) => i,
            None => {
                self.headers.push(header.to_owned());
                self.headers.len() - 1
            }
        }
    }

    fn row(&mut self) -> RowWriter<'_> {
        self.rows.push(Vec::new());
        RowWriter { table: self }
    }
}

struct RowWriter<'a> {
    table: &'a mut Table,
}

impl RowWriter<'_> {
    fn set(&mut self, header: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        let col = self.table.column(header);
        if let Some(row) = self.table.rows.last_mut() {
            row.push((col, value.to_owned()));
        }
    }

    fn text(&mut self, header: &str, text: &LocalizedText) {
        for (lang, value) in text.iter() {
            match lang {
                Some(l) => self.set(&format!("{header}::{l}"), value),
                None => self.set(header, value),
            }
        }
    }

    fn expr(&mut self, header: &str, e: Option<&Expression>) {
        if let Some(e) = e {
            self.set(header, &e.source);
        }
    }
}

/// The usual columns first (type, name, labels, hints), the rest as met.
fn column_rank(header: &str) -> usize {
    let base = header.split("::").next().unwrap_or(header);
    match base {
        "type" | "list_name" => 0,
        "name" => 1,
        "label" => 2,
        "hint" => 3,
        _ => 4,
    }
}

fn write_items(items: &[Item], survey: &mut Table) {
    for item in items {
        match item {
            Item::Question(q) => write_question(q, survey),
            Item::Group(g) => {
                let mut row = survey.row();
                row.set("type", "begin_group");
                row.set("name", &g.name);
                row.text("label", &g.label);
                row.expr("relevant", g.relevant.as_ref());
                row.set("appearance", g.appearance.as_deref().unwrap_or(""));
                for (k, v) in &g.extra {
                    row.text(k, v);
                }
                write_items(&g.children, survey);
                let mut end = survey.row();
                end.set("type", "end_group");
            }
            Item::Repeat(r) => {
                let mut row = survey.row();
                row.set("type", "begin_repeat");
                row.set("name", &r.name);
                row.text("label", &r.label);
                row.expr("relevant", r.relevant.as_ref());
                row.set("appearance", r.appearance.as_deref().unwrap_or(""));
                row.expr("repeat_count", r.repeat_count.as_ref());
                for (k, v) in &r.extra {
                    row.text(k, v);
                }
                write_items(&r.children, survey);
                let mut end = survey.row();
                end.set("type", "end_repeat");
            }
        }
    }
}

fn write_question(q: &Question, survey: &mut Table) {
    let mut row = survey.row();
    row.set("type", &q.kind.xlsform_name());
    row.set("name", &q.name);
    row.text("label", &q.label);
    row.text("hint", &q.hint);
    if let Some(r) = &q.required {
        row.set(
            "required",
            if r.source == "true()" {
                "yes"
            } else {
                &r.source
            },
        );
    }
    row.text("required_message", &q.required_message);
    row.expr("relevant", q.relevant.as_ref());
    row.expr("constraint", q.constraint.as_ref());
    row.text("constraint_message", &q.constraint_message);
    row.expr("calculation", q.calculation.as_ref());
    if let Some(r) = &q.read_only {
        row.set(
            "read_only",
            if r.source == "true()" {
                "yes"
            } else {
                &r.source
            },
        );
    }
    row.set("appearance", q.appearance.as_deref().unwrap_or(""));
    row.expr("choice_filter", q.choice_filter.as_ref());
    row.set("default", q.default.as_deref().unwrap_or(""));
    let parameters: Vec<String> = q
        .parameters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    row.set("parameters", &parameters.join(" "));
    for (k, v) in &q.extra {
        row.text(k, v);
    }
    let links: Vec<String> = q.research_questions.iter().map(u8::to_string).collect();
    row.set(DEFAULT_RESEARCH_QUESTION_COLUMN, &links.join(", "));
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> XlsFormError {
    XlsFormError::file(format!("the workbook could not be written: {e}"))
}

/// Writes a sheet, its columns in XLSForm's usual order, or as they were
/// added when `as_added` (a kept sheet, written back as read).
fn put_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    table: &Table,
    as_added: bool,
) -> Result<(), XlsFormError> {
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(xlsx_error)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let (headers, position) = if as_added {
        (
            table.headers.iter().map(String::as_str).collect(),
            (0..table.headers.len()).collect(),
        )
    } else {
        table.ordered()
    };
    for (c, h) in headers.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsFormError::file("too many columns".into()))?;
        sheet
            .write_string_with_format(0, col, *h, &bold)
            .map_err(xlsx_error)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsFormError::file("too many rows".into()))?;
        for (c, value) in row {
            let col = u16::try_from(position[*c])
                .map_err(|_| XlsFormError::file("too many columns".into()))?;
            sheet.write_string(r, col, value).map_err(xlsx_error)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    Ok(())
}

/// Writes the instrument as an XLSForm `.xlsx` (deterministic bytes for the
/// same instrument: the workbook's dates are fixed).
pub fn write_xlsx(instrument: &Instrument) -> Result<Vec<u8>, XlsFormError> {
    let mut survey = Table::default();
    write_items(instrument.survey(), &mut survey);

    let mut choices = Table::default();
    for list in instrument.choice_lists() {
        for choice in &list.choices {
            let mut row = choices.row();
            row.set("list_name", &list.name);
            row.set("name", &choice.name);
            row.text("label", &choice.label);
            for (k, v) in &choice.extra {
                row.text(k, v);
            }
        }
    }

    let s = instrument.settings();
    let mut settings = Table::default();
    let mut row = settings.row();
    row.set("form_title", s.form_title.as_deref().unwrap_or(""));
    row.set("form_id", &s.form_id);
    row.set("version", s.version.as_deref().unwrap_or(""));
    row.set(
        "default_language",
        s.default_language.as_deref().unwrap_or(""),
    );
    row.set("instance_name", s.instance_name.as_deref().unwrap_or(""));
    row.set("style", s.style.as_deref().unwrap_or(""));
    for (k, v) in &s.other {
        row.set(k, v);
    }

    let mut book = rust_xlsxwriter::Workbook::new();
    let epoch = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?;
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&epoch));
    put_sheet(&mut book, "survey", &survey, false)?;
    if !instrument.choice_lists().is_empty() {
        put_sheet(&mut book, "choices", &choices, false)?;
    }
    put_sheet(&mut book, "settings", &settings, false)?;
    for kept in instrument.kept_sheets() {
        let mut table = Table::default();
        for header in &kept.columns {
            table.column(header);
        }
        for cells in &kept.rows {
            let mut row = table.row();
            for (header, value) in kept.columns.iter().zip(cells) {
                row.set(header, value);
            }
        }
        put_sheet(&mut book, &kept.name, &table, true)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}
