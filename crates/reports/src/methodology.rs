//! The methodology table as JSON, Markdown or CSV.
//!
//! JSON keeps the shape of [`Methodology`] exactly (documented in
//! `docs/cli.md`); CSV is long-form `measure,group,value` with stable
//! measure names; Markdown is for people, in French or English.

use sankore_analysis::Methodology;
use sankore_disclosure::{Cell, Equation, Reason, Suppressed, suppress};
use sankore_i18n::{Lang, Msg};
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::{Format, ReportError};

/// Renders the internal (unsuppressed) table in `format`; `lang` applies
/// to Markdown labels.
pub fn render(m: &Methodology, format: Format, lang: Lang) -> Result<String, ReportError> {
    match format {
        Format::Json => serde_json::to_string_pretty(m)
            .map(|s| s + "\n")
            .map_err(|e| ReportError::Render(e.to_string())),
        Format::Csv => csv(m, &Hidden::default()),
        Format::Markdown => Ok(markdown(m, lang, &Hidden::default(), false)),
    }
}

/// Hidden counts by path, with the marker shown in their place.
type Hidden = BTreeMap<String, String>;

/// What stands in a hidden count's place: `<k` for a count below the
/// threshold, `x` for one hidden only to protect another (saying `<5` of a
/// hidden 6 would be false, and would tell readers which cell is small).
fn marker(reason: Reason, k: u64) -> String {
    match reason {
        Reason::BelowThreshold | Reason::RevealingZero => format!("<{k}"),
        Reason::Complementary | Reason::TinyPopulation => "x".to_owned(),
    }
}

/// A count as published: the number, or its marker when hidden.
fn shown(hidden: &Hidden, path: &str, n: u64) -> String {
    match hidden.get(path) {
        Some(marker) => marker.clone(),
        None => n.to_string(),
    }
}

/// The counts of people in the table, as cells and the equations between
/// them, with the JSON location of each cell.
pub(crate) fn people(m: &Methodology) -> (Vec<Cell>, Vec<Equation>, Vec<Vec<String>>) {
    let mut cells = Vec::new();
    let mut pointers = Vec::new();
    let mut add = |path: String, pointer: Vec<&str>, count: u64| {
        cells.push(Cell { path, count });
        pointers.push(pointer.into_iter().map(str::to_owned).collect::<Vec<_>>());
        cells.len() - 1
    };
    let sessions = add(
        "interviews.sessions".into(),
        vec!["interviews", "sessions"],
        m.interviews.sessions,
    );
    let interviewed = add(
        "interviews.participants".into(),
        vec!["interviews", "participants"],
        m.interviews.participants,
    );
    let women = add(
        "interviews.women".into(),
        vec!["interviews", "women"],
        m.interviews.women,
    );
    let men = add(
        "interviews.men".into(),
        vec!["interviews", "men"],
        m.interviews.men,
    );
    let unspecified = add(
        "interviews.unspecified".into(),
        vec!["interviews", "unspecified"],
        m.interviews.unspecified,
    );
    let fg = add(
        "focus_groups.participants".into(),
        vec!["focus_groups", "participants"],
        m.focus_groups.participants,
    );
    let by_group: Vec<usize> = m
        .focus_groups
        .by_group
        .0
        .iter()
        .map(|(g, n)| {
            add(
                format!("focus_groups.by_group.{g}"),
                vec!["focus_groups", "by_group", g],
                *n,
            )
        })
        .collect();
    let by_gender: Vec<usize> = m
        .focus_groups
        .by_gender
        .0
        .iter()
        .map(|(g, n)| {
            add(
                format!("focus_groups.by_gender.{g}"),
                vec!["focus_groups", "by_gender", g],
                *n,
            )
        })
        .collect();
    add(
        "validation_forums.participants".into(),
        vec!["validation_forums", "participants"],
        m.validation_forums.participants,
    );
    let mut equations = vec![
        // One interview per participant: the sessions give the count back.
        Equation {
            total: sessions,
            parts: vec![interviewed],
        },
        Equation {
            total: interviewed,
            parts: vec![women, men, unspecified],
        },
    ];
    if !by_group.is_empty() {
        equations.push(Equation {
            total: fg,
            parts: by_group,
        });
    }
    if !by_gender.is_empty() {
        equations.push(Equation {
            total: fg,
            parts: by_gender,
        });
    }
    (cells, equations, pointers)
}

/// Renders the public view: counts of people below `k` hidden, with
/// secondary suppression so that no total gives them back. JSON keeps the
/// internal shape with hidden counts as `null`, adds `"suppressed"` (each
/// hidden path with its reason) and `"disclosure": {"k"}`; text formats
/// show `<k`.
pub fn render_public(
    m: &Methodology,
    format: Format,
    lang: Lang,
    k: u64,
) -> Result<String, ReportError> {
    let (cells, equations, pointers) = people(m);
    let hidden = suppress(&cells, &equations, k).map_err(|e| ReportError::Render(e.to_string()))?;
    let listed: Vec<Suppressed> = hidden
        .iter()
        .map(|(i, reason)| Suppressed {
            path: cells[*i].path.clone(),
            reason: *reason,
            k,
        })
        .collect();
    let by_path: Hidden = listed
        .iter()
        .map(|s| (s.path.clone(), marker(s.reason, k)))
        .collect();
    match format {
        Format::Json => {
            let mut value =
                serde_json::to_value(m).map_err(|e| ReportError::Render(e.to_string()))?;
            for (i, _) in &hidden {
                let mut slot = &mut value;
                for key in &pointers[*i] {
                    slot = &mut slot[key.as_str()];
                }
                *slot = serde_json::Value::Null;
            }
            value["suppressed"] =
                serde_json::to_value(&listed).map_err(|e| ReportError::Render(e.to_string()))?;
            value["disclosure"] = serde_json::json!({ "k": k });
            serde_json::to_string_pretty(&value)
                .map(|s| s + "\n")
                .map_err(|e| ReportError::Render(e.to_string()))
        }
        Format::Csv => csv(m, &by_path),
        Format::Markdown => Ok(markdown(m, lang, &by_path, true)),
    }
}

/// Every measure as `(measure, group, value)`, in a stable order.
fn measures(m: &Methodology, hidden: &Hidden) -> Vec<(String, String, String)> {
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
    let number = |measure: &str, value: u64| {
        (
            measure.to_owned(),
            String::new(),
            shown(hidden, measure, value),
        )
    };
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
        let value = shown(hidden, &format!("focus_groups.by_group.{group}"), *n);
        rows.push(("focus_groups.by_group".into(), group.clone(), value));
    }
    for (gender, n) in &m.focus_groups.by_gender.0 {
        rows.push((
            "focus_groups.by_gender".into(),
            gender.clone(),
            shown(hidden, &format!("focus_groups.by_gender.{gender}"), *n),
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

fn csv(m: &Methodology, hidden: &Hidden) -> Result<String, ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let render = |e: csv::Error| ReportError::Render(e.to_string());
    writer
        .write_record(["measure", "group", "value"])
        .map_err(render)?;
    for (measure, group, value) in measures(m, hidden) {
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

fn markdown(m: &Methodology, lang: Lang, hidden: &Hidden, public: bool) -> String {
    let t = |msg: Msg| msg.text(lang);
    let mut out = String::new();
    let _ = writeln!(out, "# {} — {}\n", t(Msg::Methodology), cell(&m.study.name));
    let note = if public {
        Msg::PublicView
    } else {
        Msg::InternalView
    };
    let _ = writeln!(out, "> {}\n", t(note));
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
        shown(hidden, "interviews.sessions", m.interviews.sessions),
    );
    row(
        section(Msg::Interviews, Msg::Participants),
        shown(hidden, "interviews.participants", m.interviews.participants),
    );
    row(
        section(Msg::Interviews, Msg::Women),
        shown(hidden, "interviews.women", m.interviews.women),
    );
    row(
        section(Msg::Interviews, Msg::Men),
        shown(hidden, "interviews.men", m.interviews.men),
    );
    if m.interviews.unspecified > 0 {
        row(
            section(Msg::Interviews, Msg::Unspecified),
            shown(hidden, "interviews.unspecified", m.interviews.unspecified),
        );
    }
    row(
        section(Msg::FocusGroups, Msg::Sessions),
        m.focus_groups.sessions.to_string(),
    );
    row(
        section(Msg::FocusGroups, Msg::Participants),
        shown(
            hidden,
            "focus_groups.participants",
            m.focus_groups.participants,
        ),
    );
    for (group, n) in &m.focus_groups.by_group.0 {
        row(
            format!("{} — {}: {group}", t(Msg::FocusGroups), t(Msg::ByGroup)),
            shown(hidden, &format!("focus_groups.by_group.{group}"), *n),
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
    fn public_view_hides_small_counts_and_their_complements() {
        let mut m = sample();
        m.focus_groups.participants = 188;
        m.focus_groups.by_group = OrderedCounts(vec![
            ("community leaders".into(), 35),
            ("religious (Christian) leaders".into(), 3),
            ("NGO representatives".into(), 6),
            ("women's associations".into(), 72),
            ("youth associations".into(), 72),
        ]);
        m.focus_groups.by_gender = OrderedCounts(vec![("female".into(), 100), ("male".into(), 88)]);
        let json = render_public(&m, Format::Json, Lang::En, 5).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert!(v["focus_groups"]["by_group"]["religious (Christian) leaders"].is_null());
        assert!(
            v["focus_groups"]["by_group"]["NGO representatives"].is_null(),
            "188 - 35 - 72 - 72 would give it back"
        );
        assert_eq!(v["focus_groups"]["participants"], 188);
        assert_eq!(
            v["suppressed"].as_array().map(Vec::len),
            Some(6),
            "the sample's two interviews too: {json}"
        );
        assert_eq!(v["disclosure"]["k"], 5);
        assert!(
            !json.contains("(Christian) leaders\": 3"),
            "the 3 is gone: {json}"
        );
        assert!(
            json.find("community leaders") < json.find("youth associations"),
            "the study's group order is kept"
        );
        let md = render_public(&m, Format::Markdown, Lang::En, 5).unwrap_or_default();
        assert!(md.contains("religious (Christian) leaders | <5 |"), "{md}");
        assert!(
            md.contains("NGO representatives | x |"),
            "the complement (6) is not claimed to be below 5: {md}"
        );
        let csv = render_public(&m, Format::Csv, Lang::En, 5).unwrap_or_default();
        assert!(csv.contains("focus_groups.by_group,religious (Christian) leaders,<5"));
        assert!(render_public(&m, Format::Json, Lang::En, 2).is_err());
    }

    #[test]
    fn json_is_stable() {
        let a = render(&sample(), Format::Json, Lang::En).unwrap_or_default();
        let b = render(&sample(), Format::Json, Lang::Fr).unwrap_or_default();
        assert_eq!(a, b, "JSON does not depend on the language");
        assert!(a.contains("\"by_group\": {\n      \"women's associations\": 10"));
    }
}
