//! The study report's annex of instruments: each XLSForm instrument of the
//! workspace with its questions in form order, their labels in the report's
//! language, types, choices and linked research questions. Groups and
//! repeats become headings that carry their nesting (`Group › Repeat`).

use sankore_domain::instrument::{Instrument, Item, LocalizedText, QuestionType};
use sankore_formats::submissions::export::form_language;
use sankore_i18n::{Lang, Msg};

use crate::study::Block;

/// Appends the annex listing `instruments` (nothing when there are none).
pub(crate) fn annex(blocks: &mut Vec<Block>, instruments: &[Instrument], lang: Lang) {
    if instruments.is_empty() {
        return;
    }
    let t = |m: Msg| m.text(lang).to_owned();
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading(1, t(Msg::ReportInstrumentsAnnex)));
    blocks.push(Block::Note(t(Msg::ReportInstrumentsNote)));
    for form in instruments {
        blocks.push(Block::Heading(2, form.title().to_owned()));
        blocks.push(Block::Paragraph(format!(
            "{} : {} · {} : {}",
            t(Msg::Version),
            form.version().unwrap_or("—"),
            t(Msg::XlsformLanguages),
            if form.languages().is_empty() {
                "—".to_owned()
            } else {
                form.languages().join(", ")
            }
        )));
        let mut walk = Walk {
            form,
            language: form_language(form, lang.code()),
            lang,
            number: 0,
            heading: None,
            rows: Vec::new(),
            blocks,
        };
        walk.items(form.survey(), &[]);
        walk.flush();
    }
}

/// A walk through an instrument's items, gathering question rows into one
/// table per group level.
struct Walk<'a, 'b> {
    form: &'a Instrument,
    language: Option<&'a str>,
    lang: Lang,
    number: usize,
    /// The heading to write before the next question.
    heading: Option<String>,
    rows: Vec<Vec<String>>,
    blocks: &'b mut Vec<Block>,
}

impl<'a> Walk<'a, '_> {
    /// A text in the report's language, else the default one, else `name`.
    fn text(&self, text: &'a LocalizedText, name: &'a str) -> &'a str {
        text.get(self.language)
            .or_else(|| text.get(None))
            .unwrap_or(name)
    }

    fn items(&mut self, items: &'a [Item], trail: &[&'a str]) {
        for item in items {
            match item {
                Item::Question(q) => {
                    if matches!(
                        q.kind,
                        QuestionType::Meta { .. } | QuestionType::Calculate | QuestionType::Hidden
                    ) {
                        continue;
                    }
                    self.number += 1;
                    if let Some(h) = self.heading.take() {
                        self.blocks.push(Block::Heading(3, h));
                    }
                    let kind = q.kind.xlsform_name();
                    let kind = kind.split_whitespace().next().unwrap_or("");
                    let choices = q
                        .kind
                        .choice_list()
                        .and_then(|l| self.form.choice_list(l))
                        .map(|l| {
                            l.choices
                                .iter()
                                .map(|c| self.text(&c.label, &c.name))
                                .collect::<Vec<_>>()
                                .join(" · ")
                        })
                        .map(|choices| format!("{kind} : {choices}"))
                        .unwrap_or_else(|| kind.to_owned());
                    self.rows.push(vec![
                        self.number.to_string(),
                        self.text(&q.label, &q.name).to_owned(),
                        choices,
                        q.research_questions
                            .iter()
                            .map(u8::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]);
                }
                Item::Group(g) => {
                    self.nested(self.text(&g.label, &g.name), None, &g.children, trail)
                }
                Item::Repeat(r) => self.nested(
                    self.text(&r.label, &r.name),
                    Some(Msg::XlsformRepeat),
                    &r.children,
                    trail,
                ),
            }
        }
    }

    /// A group or repeat: its questions under a heading naming the path to it;
    /// the questions after it, under its parent's heading again.
    fn nested(
        &mut self,
        label: &'a str,
        kind: Option<Msg>,
        children: &'a [Item],
        trail: &[&'a str],
    ) {
        self.flush();
        let mut inner = trail.to_vec();
        inner.push(label);
        let heading = inner.join(" › ");
        self.heading = Some(match kind {
            Some(m) => format!("{heading} ({})", m.text(self.lang)),
            None => heading,
        });
        self.items(children, &inner);
        self.flush();
        self.heading = (!trail.is_empty()).then(|| trail.join(" › "));
    }

    /// Writes the gathered rows as a table.
    fn flush(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        let t = |m: Msg| m.text(self.lang).to_owned();
        self.blocks.push(Block::Table {
            header: vec![
                "N°".to_owned(),
                t(Msg::ReportQuestionLabel),
                t(Msg::ReportQuestionType),
                t(Msg::ReportRqShort),
            ],
            rows: std::mem::take(&mut self.rows),
            numeric: vec![true, false, false, true],
        });
    }
}
