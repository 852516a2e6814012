//! The methodology table as JSON, Markdown or CSV.
//!
//! JSON keeps the shape of [`Methodology`] exactly (documented in
//! `docs/cli.md`); CSV is long-form `measure,group,value` with stable
//! measure names; Markdown is for people, in French or English.

use sankore_analysis::Methodology;
use sankore_i18n::{Lang, Msg};
use std::fmt::Write;

use crate::{Format, ReportError};

/// Renders the table in `format`; `lang` applies to Markdown labels.
pub fn render(m: &Methodology, format: Format, lang: Lang) -> Result<String, ReportError> {
    match format {
        Format::Json => serde_json::to_string_pretty(m)
            .map(|s| s + "\n")
            .map_err(|e| ReportError::Render(e.to_string())),
        Format::Csv => csv(m),
        Format::Markdown => Ok(markdown(m, lang)),
    }
}

/// Every measure as `(measure, group, value)`, in a stable order.
fn measures(m: &Methodology) -> Vec<(String, String, String)> {
    let mut rows = vec![
        ("study.name".into(), String::new(), m.study.name.clone()),
        (
            "study.start".into(),
            String::new(),
            m.study.start.to_string(),
        ),
        ("study.end".into(), String::new(), m.study.end.to_string()),
        (
            "study.team_size".into(),
            String::new(),
            m.study.team_size.to_string(),
        ),
    ];
    for p in &m.places {
        rows.push(("places".into(), p.code.clone(), p.name.clone()));
    }
    let number = |measure: &str, value: u64| (measure.to_owned(), String::new(), value.to_string());
    rows.extend([
        number("research_questions", m.research_questions),
        number("interviews.sessions", m.interviews.sessions),
        number("interviews.participants", m.interviews.participants),
        number("interviews.women", m.interviews.women),
        number("interviews.men", m.interviews.men),
        number("interviews.unspecified", m.interviews.unspecified),
        number("focus_groups.sessions", m.focus_groups.sessions),
        number("focus_groups.participants", m.focus_groups.participants),
    ]);
    for (group, n) in &m.focus_groups.by_group.0 {
        rows.push(("focus_groups.by_group".into(), group.clone(), n.to_string()));
    }
    for (gender, n) in &m.focus_groups.by_gender.0 {
        rows.push((
            "focus_groups.by_gender".into(),
            gender.clone(),
            n.to_string(),
        ));
    }
    rows.extend([
        number("validation_forums.sessions", m.validation_forums.sessions),
        number("validation_forums.places", m.validation_forums.places),
        number(
            "validation_forums.participants",
            m.validation_forums.participants,
        ),
    ]);
    rows
}

fn csv(m: &Methodology) -> Result<String, ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let render = |e: csv::Error| ReportError::Render(e.to_string());
    writer
        .write_record(["measure", "group", "value"])
        .map_err(render)?;
    for (measure, group, value) in measures(m) {
        writer
            .write_record([measure, group, value])
            .map_err(render)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::Render(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Render(e.to_string()))
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn markdown(m: &Methodology, lang: Lang) -> String {
    let t = |msg: Msg| msg.text(lang);
    let mut out = String::new();
    let _ = writeln!(out, "# {} — {}\n", t(Msg::Methodology), cell(&m.study.name));
    let _ = writeln!(out, "> {}\n", t(Msg::InternalView));
    let _ = writeln!(
        out,
        "| {} | {} |\n|---|---:|",
        t(Msg::Measure),
        t(Msg::Value)
    );
    let mut row = |label: String, value: String| {
        let _ = writeln!(out, "| {} | {} |", cell(&label), cell(&value));
    };
    row(
        t(Msg::Period).into(),
        format!("{} – {}", m.study.start, m.study.end),
    );
    row(t(Msg::TeamSize).into(), m.study.team_size.to_string());
    let places: Vec<_> = m.places.iter().map(|p| p.name.as_str()).collect();
    row(t(Msg::Places).into(), places.join(", "));
    row(
        t(Msg::ResearchQuestions).into(),
        m.research_questions.to_string(),
    );
    let section = |a: Msg, b: Msg| format!("{} — {}", t(a), t(b));
    row(
        section(Msg::Interviews, Msg::Sessions),
        m.interviews.sessions.to_string(),
    );
    row(
        section(Msg::Interviews, Msg::Participants),
        m.interviews.participants.to_string(),
    );
    row(
        section(Msg::Interviews, Msg::Women),
        m.interviews.women.to_string(),
    );
    row(
        section(Msg::Interviews, Msg::Men),
        m.interviews.men.to_string(),
    );
    if m.interviews.unspecified > 0 {
        row(
            section(Msg::Interviews, Msg::Unspecified),
            m.interviews.unspecified.to_string(),
        );
    }
    row(
        section(Msg::FocusGroups, Msg::Sessions),
        m.focus_groups.sessions.to_string(),
    );
    row(
        section(Msg::FocusGroups, Msg::Participants),
        m.focus_groups.participants.to_string(),
    );
    for (group, n) in &m.focus_groups.by_group.0 {
        row(
            format!("{} — {}: {group}", t(Msg::FocusGroups), t(Msg::ByGroup)),
            n.to_string(),
        );
    }
    row(
        section(Msg::ValidationForums, Msg::Sessions),
        m.validation_forums.sessions.to_string(),
    );
    row(
        section(Msg::ValidationForums, Msg::Places),
        m.validation_forums.places.to_string(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_analysis::methodology::{
        FocusGroupFacts, ForumFacts, InterviewFacts, OrderedCounts, PlaceRef, StudyFacts,
    };

    fn sample() -> Methodology {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2017, m, d).unwrap_or_default();
        Methodology {
            study: StudyFacts {
                name: "Étude | pipes, \"quotes\"".into(),
                start: day(4, 20),
                end: day(6, 10),
                team_size: 3,
            },
            places: vec![PlaceRef {
                code: "DIR".into(),
                name: "Diré".into(),
            }],
            research_questions: 6,
            interviews: InterviewFacts {
                sessions: 2,
                participants: 2,
                women: 1,
                men: 1,
                unspecified: 0,
            },
            focus_groups: FocusGroupFacts {
                sessions: 1,
                participants: 10,
                by_group: OrderedCounts(vec![("women's associations".into(), 10)]),
                by_gender: OrderedCounts(vec![("female".into(), 10)]),
            },
            validation_forums: ForumFacts {
                sessions: 1,
                places: 1,
                place_codes: vec!["DIR".into()],
                participants: 20,
            },
        }
    }

    #[test]
    fn csv_quotes_and_rows() {
        let text = render(&sample(), Format::Csv, Lang::En).unwrap_or_default();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().filter_map(|r| r.ok()).collect();
        assert_eq!(
            &rows[0][2], "Étude | pipes, \"quotes\"",
            "values survive quoting"
        );
        assert!(rows.iter().any(|r| &r[0] == "focus_groups.by_group"
            && &r[1] == "women's associations"
            && &r[2] == "10"));
        assert!(
            rows.iter()
                .any(|r| &r[0] == "places" && &r[1] == "DIR" && &r[2] == "Diré")
        );
    }

    #[test]
    fn markdown_escapes_cells_and_speaks_french() {
        let text = render(&sample(), Format::Markdown, Lang::Fr).unwrap_or_default();
        assert!(text.contains("Étude \\| pipes"));
        assert!(text.contains("| Entretiens individuels — Femmes | 1 |"));
        assert!(
            !text.contains("Non renseigné"),
            "no unspecified row when zero"
        );
    }

    #[test]
    fn json_is_stable() {
        let a = render(&sample(), Format::Json, Lang::En).unwrap_or_default();
        let b = render(&sample(), Format::Json, Lang::Fr).unwrap_or_default();
        assert_eq!(a, b, "JSON does not depend on the language");
        assert!(a.contains("\"by_group\": {\n      \"women's associations\": 10"));
    }
}
