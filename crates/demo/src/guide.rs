//! The reference study's individual interview guide as an instrument: who
//! is interviewed (cercle, stakeholder group, gender, age band), then one
//! section per research question with its main question and probes, each
//! question linked to the research question it serves.

use std::collections::BTreeMap;

use sankore_domain::instrument::{
    Choice, ChoiceList, Expression, Group, Instrument, InstrumentError, Item, LocalizedText,
    MetaKind, Question, QuestionType, Repeat, Settings,
};
use sankore_domain::{PlaceLevel, StudyRecords};

const FR: &str = "Français (fr)";
const EN: &str = "English (en)";

fn text(fr: &str, en: &str) -> LocalizedText {
    let mut t = LocalizedText::default();
    t.set(Some(FR), fr);
    t.set(Some(EN), en);
    t
}

fn question(name: &str, kind: QuestionType, fr: &str, en: &str) -> Question {
    Question::new(name, kind, text(fr, en))
}

fn select_one(list: &str) -> QuestionType {
    QuestionType::SelectOne {
        list: list.to_owned(),
        or_other: false,
    }
}

fn choice(name: &str, fr: &str, en: &str) -> Choice {
    Choice {
        name: name.to_owned(),
        label: text(fr, en),
        extra: BTreeMap::new(),
    }
}

fn expr(source: &str) -> Result<Expression, InstrumentError> {
    Expression::parse(source).map_err(|e| InstrumentError::InvalidName {
        name: source.to_owned(),
        reason: e.to_string(),
    })
}

/// Probes asked after each research question's main question.
const PROBES: [(&str, &str); 6] = [
    (
        "Pouvez-vous donner un exemple que vous avez vu ou entendu ?",
        "Can you give an example you saw or heard of?",
    ),
    (
        "Dans quels quartiers ou villages ?",
        "In which neighbourhoods or villages?",
    ),
    (
        "Lequel de ces facteurs pèse le plus, selon vous ?",
        "Which of these factors weighs most, in your view?",
    ),
    (
        "Qui fait ce recrutement, et avec quelles promesses ?",
        "Who does this recruiting, and with what promises?",
    ),
    (
        "Qu'est-ce qui les aiderait à jouer ce rôle ?",
        "What would help them play this role?",
    ),
    (
        "Qui devrait le faire en premier ?",
        "Who should do it first?",
    ),
];

/// The interview guide (`guide-entretien`), built from the study's research
/// questions, stakeholder groups and cercles; French first, then English.
pub fn interview_guide(records: &StudyRecords) -> Result<Instrument, InstrumentError> {
    let mut intro = question(
        "intro",
        QuestionType::Note,
        "Présentez-vous, présentez l'étude et son but. Rappelez que l'entretien est anonyme : aucun nom n'est noté.",
        "Introduce yourself, the study and its purpose. Say that the interview is anonymous: no name is written down.",
    );
    intro.hint = text("Lisez ce texte à voix haute.", "Read this text aloud.");
    let mut consent = question(
        "consent",
        QuestionType::Acknowledge,
        "La personne accepte de participer et d'être enregistrée.",
        "The person agrees to take part and to be recorded.",
    );
    consent.required = Some(expr("true()")?);

    let mut code = question(
        "participant_code",
        QuestionType::Text,
        "Code du participant (jamais le nom)",
        "Participant code (never the name)",
    );
    code.required = Some(expr("true()")?);
    code.constraint = Some(expr("regex(., '^[A-Z]{3}-[0-9]{2,3}$')")?);
    code.constraint_message = text(
        "Le code s'écrit comme TBK-001.",
        "The code is written like TBK-001.",
    );
    let mut cercle = question("cercle", select_one("cercle"), "Cercle", "Circle");
    cercle.required = Some(expr("true()")?);
    let mut group = question(
        "stakeholder_group",
        select_one("stakeholder_group"),
        "Groupe d'acteurs",
        "Stakeholder group",
    );
    group.required = Some(expr("true()")?);
    let gender = question("gender", select_one("gender"), "Genre", "Gender");
    let mut age = question("age", QuestionType::Integer, "Âge (années)", "Age (years)");
    age.constraint = Some(expr(". >= 15 and . <= 99")?);
    age.constraint_message = text("Entre 15 et 99 ans.", "Between 15 and 99 years.");
    let interviewee = Item::Group(Group {
        name: "interviewee".to_owned(),
        label: text("La personne interrogée", "The interviewee"),
        relevant: Some(expr("${consent} = 'OK'")?),
        appearance: Some("field-list".to_owned()),
        extra: BTreeMap::new(),
        children: vec![
            Item::Question(code),
            Item::Question(cercle),
            Item::Question(group),
            Item::Question(gender),
            Item::Question(age),
        ],
    });

    let mut survey = vec![
        Item::Question(Question::new(
            "start",
            QuestionType::Meta {
                meta: MetaKind::Start,
            },
            LocalizedText::default(),
        )),
        Item::Question(intro),
        Item::Question(consent),
        interviewee,
    ];
    for (rq, (probe_fr, probe_en)) in records.research_questions.iter().zip(PROBES) {
        let n = rq.number;
        let mut main = question(
            &format!("rq{n}"),
            QuestionType::Text,
            &rq.text.fr,
            &rq.text.en,
        );
        main.appearance = Some("multiline".to_owned());
        main.research_questions = vec![n];
        let mut probe = question(
            &format!("rq{n}_probe"),
            QuestionType::Text,
            probe_fr,
            probe_en,
        );
        probe.appearance = Some("multiline".to_owned());
        probe.research_questions = vec![n];
        let mut children = vec![Item::Question(main), Item::Question(probe)];
        if n == 4 {
            // Recruitment: one entry per place the interviewee names.
            let mut place = question(
                "recruitment_place",
                QuestionType::Text,
                "Lieu de recrutement cité",
                "Recruitment place named",
            );
            place.research_questions = vec![2, 4];
            let mut how = question(
                "recruitment_how",
                QuestionType::SelectMultiple {
                    list: "recruitment_channel".to_owned(),
                    or_other: true,
                },
                "Par quels moyens ?",
                "Through which channels?",
            );
            how.research_questions = vec![4];
            children.push(Item::Repeat(Repeat {
                name: "recruitment".to_owned(),
                label: text("Lieux de recrutement", "Recruitment places"),
                relevant: None,
                appearance: None,
                repeat_count: None,
                extra: BTreeMap::new(),
                children: vec![Item::Question(place), Item::Question(how)],
            }));
        }
        survey.push(Item::Group(Group {
            name: format!("section_rq{n}"),
            label: text(
                &format!("Question de recherche {n}"),
                &format!("Research question {n}"),
            ),
            relevant: Some(expr("${consent} = 'OK'")?),
            appearance: None,
            extra: BTreeMap::new(),
            children,
        }));
    }
    survey.push(Item::Question(Question::new(
        "end",
        QuestionType::Meta {
            meta: MetaKind::End,
        },
        LocalizedText::default(),
    )));

    let cercles = records
        .gazetteer
        .at_level(PlaceLevel::Cercle)
        .map(|p| choice(p.code.as_str(), &p.name, &p.name))
        .collect();
    let groups = records
        .groups
        .iter()
        .map(|g| choice(&g.key, &g.label.fr, &g.label.en))
        .collect();
    let choices = vec![
        ChoiceList {
            name: "cercle".to_owned(),
            choices: cercles,
        },
        ChoiceList {
            name: "stakeholder_group".to_owned(),
            choices: groups,
        },
        ChoiceList {
            name: "gender".to_owned(),
            choices: vec![
                choice("female", "Femme", "Woman"),
                choice("male", "Homme", "Man"),
            ],
        },
        ChoiceList {
            name: "recruitment_channel".to_owned(),
            choices: vec![
                choice(
                    "mosque",
                    "Mosquée ou école coranique",
                    "Mosque or Koranic school",
                ),
                choice("market", "Marché", "Market"),
                choice(
                    "phone",
                    "Téléphone ou réseaux sociaux",
                    "Phone or social media",
                ),
                choice("family", "Famille ou amis", "Family or friends"),
                choice(
                    "money",
                    "Argent ou travail promis",
                    "Money or work promised",
                ),
            ],
        },
    ];
    let settings = Settings {
        form_id: "guide-entretien".to_owned(),
        form_title: Some("Guide d'entretien individuel — Tombouctou 2017".to_owned()),
        version: Some("2017-04-01".to_owned()),
        default_language: Some(FR.to_owned()),
        instance_name: Some("concat('entretien-', ${participant_code})".to_owned()),
        style: None,
        other: BTreeMap::new(),
    };
    Instrument::new(settings, survey, choices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_research_question_has_its_section() -> Result<(), InstrumentError> {
        let records = crate::reference_study();
        let guide = interview_guide(&records)?;
        for rq in &records.research_questions {
            let main = guide.question(&format!("rq{}", rq.number));
            assert_eq!(
                main.map(|q| q.question.research_questions.clone()),
                Some(vec![rq.number])
            );
            assert_eq!(
                main.and_then(|q| q.question.label.get(Some(FR))),
                Some(rq.text.fr.as_str())
            );
        }
        assert_eq!(
            guide.question("recruitment_how").and_then(|q| q.repeat),
            Some("/section_rq4/recruitment")
        );
        assert_eq!(
            guide.choice_label("cercle", "GDM", Some(EN)),
            Some("Goundam")
        );
        assert_eq!(guide, interview_guide(&records)?);
        Ok(())
    }
}
