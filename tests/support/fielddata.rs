//! Field-data fixtures shared by the tests that import responses: the
//! survey form (a respondent group, a long text answer, a select_multiple,
//! a repeat), two submissions, a KoBoToolbox CSV export of them, the
//! mapping file that links them to the demo study, and helpers to run the
//! binary on a workspace and read what it prints.

use sankore_domain::instrument::{
    Choice, ChoiceList, Group, Instrument, Item, LocalizedText, Question, QuestionType, Repeat,
    Settings,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{create_demo, in_workspace};

pub fn text(fr: &str, en: &str) -> LocalizedText {
    let mut t = LocalizedText::default();
    t.set(Some("French (fr)"), fr);
    t.set(Some("English (en)"), en);
    t
}

pub fn question(name: &str, kind: QuestionType, fr: &str, en: &str) -> Item {
    Item::Question(Question::new(name, kind, text(fr, en)))
}

pub fn select_one(list: &str) -> QuestionType {
    QuestionType::SelectOne {
        list: list.to_owned(),
        or_other: false,
    }
}

/// The survey used throughout: a respondent group, a long text answer, a
/// select_multiple, and a repeat of household members.
pub fn form() -> Instrument {
    let list = |name: &str, items: &[(&str, &str, &str)]| ChoiceList {
        name: name.to_owned(),
        choices: items
            .iter()
            .map(|(n, fr, en)| Choice {
                name: (*n).to_owned(),
                label: text(fr, en),
                extra: BTreeMap::new(),
            })
            .collect(),
    };
    let group = |name: &str, label: LocalizedText, children: Vec<Item>| {
        Item::Group(Group {
            name: name.to_owned(),
            label,
            relevant: None,
            appearance: None,
            extra: BTreeMap::new(),
            children,
        })
    };
    let survey = vec![
        group(
            "resp",
            text("Répondant", "Respondent"),
            vec![
                question(
                    "code",
                    QuestionType::Text,
                    "Code du participant",
                    "Participant code",
                ),
                question("gender", select_one("gender"), "Sexe", "Sex"),
                question("age", QuestionType::Integer, "Âge", "Age"),
                question("grp", select_one("groups"), "Groupe", "Group"),
                question("commune", select_one("communes"), "Commune", "Commune"),
                question(
                    "day",
                    QuestionType::Date,
                    "Date de l'entretien",
                    "Interview date",
                ),
                question("gps", QuestionType::Geopoint, "Position", "Location"),
            ],
        ),
        question("story", QuestionType::Text, "Récit", "Story"),
        question(
            "reasons",
            QuestionType::SelectMultiple {
                list: "reasons".to_owned(),
                or_other: true,
            },
            "Raisons",
            "Reasons",
        ),
        Item::Repeat(Repeat {
            name: "member".to_owned(),
            label: text("Membre du ménage", "Household member"),
            relevant: None,
            appearance: None,
            repeat_count: None,
            extra: BTreeMap::new(),
            children: vec![
                question(
                    "m_age",
                    QuestionType::Integer,
                    "Âge du membre",
                    "Member's age",
                ),
                question(
                    "m_sex",
                    select_one("gender"),
                    "Sexe du membre",
                    "Member's sex",
                ),
            ],
        }),
    ];
    let lists = vec![
        list("gender", &[("f", "Femme", "Woman"), ("m", "Homme", "Man")]),
        list(
            "groups",
            &[("youth", "Jeunes", "Youth"), ("women", "Femmes", "Women")],
        ),
        list(
            "communes",
            &[("tbk1", "Alafia", "Alafia"), ("tbk2", "Ber", "Ber")],
        ),
        list(
            "reasons",
            &[
                ("jobs", "Emploi", "Jobs"),
                ("justice", "Justice", "Justice"),
                ("faith", "Foi", "Faith"),
            ],
        ),
    ];
    let settings = Settings {
        form_id: "enquete".to_owned(),
        form_title: Some("Enquête ménages".to_owned()),
        ..Settings::default()
    };
    Instrument::new(settings, survey, lists).unwrap_or_else(|e| panic!("{e}"))
}

/// The form as an XLSForm workbook, written by Sankore's XLSForm writer.
pub fn write_form(dir: &Path) -> PathBuf {
    let path = dir.join("enquete.xlsx");
    let bytes = sankore_formats::xlsform::write_xlsx(&form()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// One submission of the fixtures.
#[derive(Debug, Clone, Copy)]
pub struct Sub {
    pub uuid: &'static str,
    pub code: &'static str,
    pub gender: &'static str,
    pub age: &'static str,
    pub story: &'static str,
    pub reasons: &'static str,
    /// The "specify other" text of `reasons`.
    pub other: &'static str,
    /// The geopoint, `lat lon alt acc`.
    pub gps: &'static str,
    pub members: &'static [(&'static str, &'static str)],
}

pub const SUBS: [Sub; 2] = [
    Sub {
        uuid: "5b2c1e9a-0d1f-4c3b-9a8e-1f2d3c4b5a61",
        code: "TBK-K-001",
        gender: "f",
        age: "23",
        story: "« On nous promet 😀 un travail », dit-elle.\nPuis: \"rien\"; ni ça, ni ça.",
        reasons: "jobs faith other",
        other: "la pêche",
        gps: "16.7735 -3.0074 263 4.5",
        members: &[("12", "m"), ("40", "f")],
    },
    Sub {
        uuid: "7e4d2c1b-9a8f-4e6d-8c2b-3a4f5e6d7c82",
        code: "TBK-K-002",
        gender: "m",
        age: "31",
        story: "Les jeunes partent.",
        reasons: "justice",
        other: "",
        gps: "",
        members: &[],
    },
];

/// One CSV line, every field quoted, with `delimiter`.
pub fn quoted(fields: &[&str], delimiter: char) -> String {
    let cells: Vec<String> = fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect();
    cells.join(&delimiter.to_string()) + "\r\n"
}

/// A geopoint's four parts (latitude, longitude, altitude, accuracy), all
/// empty for an empty one.
pub fn gps_parts(gps: &str) -> [&str; 4] {
    let mut parts = gps.split(' ');
    std::array::from_fn(|_| parts.next().unwrap_or(""))
}

/// A KoBoToolbox CSV export (`;`, every field quoted; a geopoint inside a
/// group with its parts as `grp/_gps_latitude`...).
pub fn kobo_csv(subs: &[Sub]) -> String {
    let mut out = quoted(
        &[
            "resp/code",
            "resp/gender",
            "resp/age",
            "resp/grp",
            "resp/commune",
            "resp/day",
            "resp/gps",
            "resp/_gps_latitude",
            "resp/_gps_longitude",
            "resp/_gps_altitude",
            "resp/_gps_precision",
            "story",
            "reasons",
            "reasons_other",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_index",
        ],
        ';',
    );
    for (i, s) in subs.iter().enumerate() {
        let id = (1000 + i).to_string();
        let index = (i + 1).to_string();
        let [lat, lon, alt, acc] = gps_parts(s.gps);
        out.push_str(&quoted(
            &[
                s.code,
                s.gender,
                s.age,
                "youth",
                "tbk1",
                "2017-05-02",
                s.gps,
                lat,
                lon,
                alt,
                acc,
                s.story,
                s.reasons,
                s.other,
                &id,
                s.uuid,
                "2017-05-02T18:20:11",
                "",
                &index,
            ],
            ';',
        ));
    }
    out
}

/// `sankore import TOOL --form FORM --data DATA`, then `more` (for example
/// `--format json`, `--mapping M`).
pub fn import_args<'a>(
    tool: &'a str,
    form: &'a str,
    data: &'a Path,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "import",
        tool,
        "--form",
        form,
        "--data",
        data.to_str().unwrap_or_default(),
    ];
    args.extend_from_slice(more);
    args
}

pub fn run(args: &[&str], dir: &Path) -> assert_cmd::assert::Assert {
    in_workspace(dir, args).assert()
}

pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

pub fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The option that makes a command print its summary as JSON.
pub const JSON: &[&str] = &["--format", "json"];

pub fn json(assert: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_str(&stdout(assert)).unwrap_or_else(|e| panic!("{e}: {}", stdout(assert)))
}

/// Parses a CSV written by `export` into rows of cells.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

pub const MAPPING: &str = r#"
participant = "resp/code"
gender = "resp/gender"
age = "resp/age"
group = "resp/grp"
place = "resp/commune"
session_date = "resp/day"
documents = ["story"]
language = "fr"

[values.gender]
f = "female"
m = "male"

[values.group]
youth = "youth-associations"
women = "womens-associations"

[values.place]
tbk1 = "TBK-01"
tbk2 = "TBK-02"

[defaults]
consent = "given"
"#;

/// The demo workspace under `root`, with the form written beside it and
/// the fixtures' submissions imported from a KoBoToolbox CSV export
/// without a mapping (stored unlinked): `(workspace, form, export)`.
pub fn demo_with_unlinked_responses(root: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let dir = root.join("demo");
    create_demo(&dir);
    let form = write_form(root);
    let data = root.join("kobo.csv");
    std::fs::write(&data, kobo_csv(&SUBS)).unwrap_or_else(|e| panic!("{e}"));
    let args = import_args("kobo", form.to_str().unwrap_or_default(), &data, JSON);
    let summary = json(&run(&args, &dir).success());
    assert_eq!(
        (
            summary["new"].as_u64(),
            summary["participants_created"].as_u64()
        ),
        (Some(2), Some(0))
    );
    (dir, form, data)
}
