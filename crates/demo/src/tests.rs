//! Tests of the synthetic reference study: every requirement of the brief
//! is checked here against the generated records.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use sankore_domain::gazetteer::timbuktu_2017;
use sankore_domain::{
    ActionStatus, CodeKey, Codebook, ConsentStatus, Document, DocumentKind, Finding, ForumOutcome,
    Gender, Lang, OutcomeKind, PlaceLevel, Session, SessionKind, StakeholderGroup, StudyRecords,
};

use crate::codebook::{self, INSECURITY, PUSH_FACTORS, RESEARCH_QUESTIONS};
use crate::phrases::{self, SYNTHETIC_LINE, SYNTHETIC_NOTES_LINE};
use crate::study::CERCLES;
use crate::transcript::TEAM_LABELS;
use crate::{Generated, default_codebook, generate, reference_study};

fn generated() -> &'static Generated {
    static CELL: OnceLock<Generated> = OnceLock::new();
    CELL.get_or_init(generate)
}

fn records() -> &'static StudyRecords {
    &generated().records
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date"))
}

fn sessions(kind: SessionKind) -> Vec<&'static Session> {
    records()
        .sessions
        .iter()
        .filter(|s| s.kind == kind)
        .collect()
}

fn document_of(session: &str) -> Vec<&'static Document> {
    records()
        .documents
        .iter()
        .filter(|d| d.session.as_deref() == Some(session))
        .collect()
}

fn cercle_of(place: &sankore_domain::PlaceCode) -> String {
    records()
        .gazetteer
        .cercle_of(place)
        .map(|p| p.code.as_str().to_owned())
        .unwrap_or_else(|| panic!("{place} has no cercle"))
}

fn key(k: &str) -> CodeKey {
    CodeKey::new(k).unwrap_or_else(|e| panic!("{e}"))
}

// 1. The study.

#[test]
fn study_matches_the_reference_case() {
    let s = &records().study;
    assert_eq!(
        s.name,
        "Diagnostic Study on Violent Extremism in the Timbuktu Region (synthetic demo)"
    );
    assert_eq!(s.start, day(2017, 4, 20));
    assert_eq!(s.end, day(2017, 6, 10));
    assert_eq!(s.team.len(), 3);
    let handles: Vec<&str> = s.team.iter().map(|m| m.handle.as_str()).collect();
    assert_eq!(handles, ["COORD", "R1", "R2"]);
    assert_eq!(s.team[0].role, "coordinator");
    assert!(s.team[1..].iter().all(|m| m.role == "researcher"));
    assert_eq!(s.languages, [Lang::Fr, Lang::En]);
    assert_eq!(records().gazetteer, timbuktu_2017());
    assert_eq!(s.gazetteer_version, timbuktu_2017().version);
    let rebuilt = sankore_domain::Study::new(
        &s.name,
        s.start,
        s.end,
        s.team.clone(),
        s.languages.clone(),
        &s.gazetteer_version,
    );
    assert_eq!(rebuilt.as_ref(), Ok(s));
}

// 2. Research questions.

#[test]
fn six_research_questions_as_in_the_seed() {
    let seed = [
        "Which are the populations most at risk of radicalization leading to VE and why?",
        "Where do the people at risk live in your circle?",
        "What are the reasons or factors that foster radicalization among the youth of the target circles (ideological, economic, social, political)?",
        "Where and how do violent extremist groups recruit new members?",
        "What are the roles that community, customary and religious leaders play to fight youth recruitment and enrollment in extremist groups?",
        "What are the most efficient ways to prevent radicalization leading to VE?",
    ];
    let rqs = &records().research_questions;
    assert_eq!(rqs.len(), 6);
    for (i, (q, en)) in rqs.iter().zip(seed).enumerate() {
        assert_eq!(usize::from(q.number), i + 1);
        assert_eq!(q.text.en, en);
        assert!(
            q.text.fr.ends_with(" ?"),
            "French question mark spacing: {}",
            q.text.fr
        );
        assert!(q.text.fr.len() > 30);
    }
    assert!(sankore_domain::study::check_research_questions(rqs).is_ok());
}

// 3. Stakeholder groups.

#[test]
fn stakeholder_groups_carry_the_seed_names() {
    let groups = &records().groups;
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names[..5],
        [
            "community leaders",
            "religious (Christian) leaders",
            "NGO representatives",
            "women's associations",
            "youth associations",
        ]
    );
    assert!(names.contains(&"local authorities"));
    assert!(names.contains(&"religious (Muslim) leaders"));
    for g in groups {
        let rebuilt = StakeholderGroup::new(&g.key, &g.name, g.label.clone());
        assert_eq!(rebuilt.as_ref(), Ok(g));
        assert!(!g.label.fr.is_empty() && !g.label.en.is_empty());
        assert!(g.name.is_ascii(), "{}", g.name);
    }
}

// 4. Interviews.

#[test]
fn ninety_seven_interviewees_twenty_one_women() {
    let people = &records().participants;
    assert_eq!(people.len(), 97);
    let women = people.iter().filter(|p| p.gender == Gender::Female).count();
    let men = people.iter().filter(|p| p.gender == Gender::Male).count();
    assert_eq!((women, men), (21, 76));
    let mut by_cercle: BTreeMap<String, usize> = BTreeMap::new();
    let mut groups = BTreeSet::new();
    let mut bands = BTreeSet::new();
    for p in people {
        let cercle = cercle_of(&p.place);
        assert!(
            p.code.as_str().starts_with(&format!("{cercle}-INT-")),
            "{} lives in {cercle}",
            p.code
        );
        assert_eq!(p.code.as_str().len(), "TBK-INT-001".len());
        assert_eq!(p.consent, ConsentStatus::Given);
        let level = records()
            .gazetteer
            .get(&p.place)
            .map(|pl| pl.level)
            .unwrap_or_else(|| panic!("unknown place"));
        assert!(matches!(level, PlaceLevel::Cercle | PlaceLevel::Commune));
        *by_cercle.entry(cercle).or_default() += 1;
        groups.insert(p.group.as_str());
        bands.insert(p.age_band);
    }
    assert_eq!(by_cercle.len(), 5);
    assert!(by_cercle.values().all(|n| *n >= 15), "{by_cercle:?}");
    assert!(groups.len() >= 6, "{groups:?}");
    assert!(bands.len() >= 4, "{bands:?}");
}

#[test]
fn each_interviewee_has_one_interview_and_one_transcript() {
    let interviews = sessions(SessionKind::Interview);
    assert_eq!(interviews.len(), 97);
    let last_phase_one = day(2017, 5, 12);
    for p in &records().participants {
        let mine: Vec<&&Session> = interviews
            .iter()
            .filter(|s| s.participants.contains(&p.code))
            .collect();
        assert_eq!(mine.len(), 1, "{}", p.code);
        let s = mine[0];
        assert_eq!(s.code, p.code.as_str());
        assert!(s.date <= last_phase_one);
        assert_eq!(s.facilitators.len(), 1);
        assert!(["R1", "R2"].contains(&s.facilitators[0].as_str()));
        assert_eq!(Session::new((*s).clone()).as_ref(), Ok(*s));
        let docs = document_of(&s.code);
        assert_eq!(docs.len(), 1, "{}", s.code);
        let d = docs[0];
        assert_eq!(d.kind, DocumentKind::Transcript);
        assert_eq!(d.language, "fr");
        assert_eq!(Document::new(d.clone()).as_ref(), Ok(d));
        let interviewer = if s.facilitators[0] == "R2" {
            "Enquêtrice"
        } else {
            "Enquêteur"
        };
        let mut theirs = 0;
        for t in &d.turns {
            if t.speaker == interviewer {
                assert_eq!(t.participant, None);
            } else {
                assert_eq!(t.speaker, p.code.as_str());
                assert_eq!(t.participant.as_ref(), Some(&p.code));
                theirs += 1;
            }
        }
        assert!(theirs >= 6, "{} speaks {theirs} times", p.code);
    }
}

// 5. Focus groups.

#[test]
fn focus_groups_add_up_to_188() {
    let fgds = sessions(SessionKind::FocusGroup);
    assert_eq!(fgds.len(), 15);
    let mut by_group: BTreeMap<&str, u32> = BTreeMap::new();
    let mut cercles = BTreeSet::new();
    for s in &fgds {
        assert_eq!(Session::new((*s).clone()).as_ref(), Ok(*s));
        assert_eq!(s.declared_total, Some(s.counted_total()));
        assert!(s.participants.is_empty());
        for row in &s.composition {
            *by_group.entry(row.group.as_str()).or_default() += row.count;
        }
        cercles.insert(cercle_of(&s.place));
        let docs = document_of(&s.code);
        assert_eq!(docs.len(), 1);
        let d = docs[0];
        assert_eq!(d.kind, DocumentKind::Transcript);
        assert_eq!(d.language, "fr");
        assert_eq!(Document::new(d.clone()).as_ref(), Ok(d));
        let members = d
            .turns
            .iter()
            .filter(|t| t.speaker.starts_with('P'))
            .count();
        assert!(members >= 12, "{}: {members} member turns", s.code);
        for t in &d.turns {
            assert_eq!(t.participant, None);
            assert!(
                TEAM_LABELS.contains(&t.speaker.as_str())
                    || (t.speaker.starts_with('P') && t.speaker.contains(" (")),
                "{}",
                t.speaker
            );
            if let Some(n) = t
                .speaker
                .strip_prefix('P')
                .and_then(|r| r.split(' ').next())
            {
                let n: u32 = n.parse().unwrap_or_else(|e| panic!("{e}"));
                assert!((1..=s.headcount()).contains(&n));
            }
        }
    }
    let total: u32 = by_group.values().sum();
    assert_eq!(total, 188);
    assert_eq!(by_group.get("community-leaders"), Some(&35));
    assert_eq!(by_group.get("religious-christian-leaders"), Some(&3));
    assert_eq!(by_group.get("ngo-representatives"), Some(&6));
    assert_eq!(by_group.get("womens-associations"), Some(&72));
    assert_eq!(by_group.get("youth-associations"), Some(&72));
    assert_eq!(by_group.len(), 5);
    assert_eq!(cercles.len(), 5);
    let christian_cercles: BTreeSet<String> = fgds
        .iter()
        .filter(|s| {
            s.composition
                .iter()
                .any(|r| r.group == "religious-christian-leaders")
        })
        .map(|s| cercle_of(&s.place))
        .collect();
    assert_eq!(christian_cercles, BTreeSet::from(["TBK".to_owned()]));
    assert!(
        fgds.iter()
            .any(|s| s.composition.iter().any(|r| r.gender == Gender::Female)
                && s.composition.iter().any(|r| r.gender == Gender::Male))
    );
}

// 6. Validation forums.

#[test]
fn five_forums_in_early_june_with_minutes() {
    let forums = sessions(SessionKind::ValidationForum);
    assert_eq!(forums.len(), 5);
    let mut cercles = BTreeSet::new();
    for s in &forums {
        assert_eq!(Session::new((*s).clone()).as_ref(), Ok(*s));
        assert!(s.date >= day(2017, 6, 1) && s.date <= day(2017, 6, 10));
        assert!(s.headcount() >= 20);
        assert_eq!(s.declared_total, Some(s.counted_total()));
        let place = records().gazetteer.get(&s.place).map(|p| p.level);
        assert_eq!(place, Some(PlaceLevel::Cercle));
        cercles.insert(s.place.as_str().to_owned());
        let docs = document_of(&s.code);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].kind, DocumentKind::Notes);
        assert_eq!(docs[0].language, "fr");
        let text = docs[0].body.as_str();
        assert!(text.len() < 3000, "minutes are short");
        assert!(text.contains("placent en tête"));
    }
    assert_eq!(cercles.len(), 5);
}

// 7. Dates and phases.

#[test]
fn dates_lie_in_the_study_period_in_two_phases() {
    let r = records();
    for s in &r.sessions {
        assert!(r.study.covers(s.date), "{} on {}", s.code, s.date);
    }
    let span = |kind| {
        let dates: Vec<NaiveDate> = sessions(kind).iter().map(|s| s.date).collect();
        let min = dates.iter().min().copied().unwrap_or_default();
        let max = dates.iter().max().copied().unwrap_or_default();
        (min, max)
    };
    let interviews = span(SessionKind::Interview);
    let focus = span(SessionKind::FocusGroup);
    let forums = span(SessionKind::ValidationForum);
    assert!(interviews.1 < focus.0, "{interviews:?} then {focus:?}");
    assert!(focus.1 < forums.0, "{focus:?} then {forums:?}");
    for a in &r.actions {
        if let Some(start) = a.start {
            assert!(start > forums.1, "{} starts before the forums end", a.key);
        }
    }
}

// 8. Codebook.

#[test]
fn codebook_is_the_default_tree() {
    let book = &records().codebook;
    assert_eq!(book, &default_codebook());
    assert_eq!(
        book.codes().len(),
        codebook::keys().count(),
        "no row dropped"
    );
    let rebuilt = Codebook::new(
        book.version,
        &book.label,
        book.codes().to_vec(),
        RESEARCH_QUESTIONS,
    );
    assert!(rebuilt.is_ok());
    for root in [
        "push",
        "pull",
        "triggers",
        "recruitment",
        "resilience",
        "prevention",
    ] {
        let k = key(root);
        assert!(book.get(&k).is_some(), "{root}");
        assert!(book.children(Some(&k)).count() >= 2, "{root} has children");
    }
    for k in [
        "push.economic",
        "push.governance",
        "push.social",
        "push.governance.justice",
        "recruitment.where",
        "recruitment.how",
        "recruitment.by-whom",
        "resilience.leaders",
        "resilience.women",
        "resilience.youth",
    ] {
        assert!(book.get(&key(k)).is_some(), "{k}");
    }
    for k in PUSH_FACTORS {
        let code = book.get(&key(k)).unwrap_or_else(|| panic!("{k}"));
        assert_eq!(book.depth(&code.key), 2, "{k}");
        assert_eq!(code.research_questions, [1, 3]);
    }
    let insecurity = book
        .get(&key(INSECURITY))
        .unwrap_or_else(|| panic!("insecurity"));
    assert!(insecurity.description.en.contains("cattle"));
    assert!(insecurity.description.en.contains("looting"));
    let rq = |k: &str| book.get(&key(k)).map(|c| c.research_questions.clone());
    assert_eq!(rq("pull"), Some(vec![3]));
    assert_eq!(rq("triggers"), Some(vec![3]));
    assert_eq!(rq("recruitment"), Some(vec![2, 4]));
    assert_eq!(rq("resilience"), Some(vec![5]));
    assert_eq!(rq("prevention"), Some(vec![6]));
    let mut colours = BTreeSet::new();
    for c in book.codes() {
        assert!(colours.insert(c.color.to_string()), "colour of {}", c.key);
        assert!(!c.name.fr.is_empty() && !c.name.en.is_empty(), "{}", c.key);
        assert!(
            !c.description.fr.is_empty() && !c.description.en.is_empty(),
            "{}",
            c.key
        );
        assert!(!c.research_questions.is_empty(), "{}", c.key);
        if let Some(parent) = &c.parent {
            assert!(c.key.as_str().starts_with(&format!("{parent}.")));
        }
    }
}

#[test]
fn push_factors_are_in_the_seed_order() {
    assert_eq!(
        PUSH_FACTORS,
        [
            "push.governance.transparency",
            "push.governance.participation",
            "push.social.education",
            "push.economic.jobs",
            "push.social.religion",
            "push.governance.justice",
            "push.social.marginalisation",
        ]
    );
}

// 9. Transcripts.

#[test]
fn every_document_is_marked_synthetic() {
    for d in &records().documents {
        let first = d.body.as_str().lines().next().unwrap_or_default();
        assert!(
            first == SYNTHETIC_LINE || first == SYNTHETIC_NOTES_LINE,
            "{}",
            d.code
        );
        assert!(first.starts_with("[DONNÉES SYNTHÉTIQUES — SYNTHETIC DATA]"));
        assert!(sankore_domain::TextBody::is_nfc(d.body.as_str()));
    }
}

#[test]
fn no_phone_numbers_and_no_personal_names() {
    // Common given names and family names of the region: none may appear.
    const NAMES: &[&str] = &[
        "Amadou",
        "Moussa",
        "Oumar",
        "Ousmane",
        "Mamadou",
        "Ibrahim",
        "Aliou",
        "Boubacar",
        "Fatoumata",
        "Aïssata",
        "Aminata",
        "Mariam",
        "Hawa",
        "Kadidia",
        "Touré",
        "Traoré",
        "Maïga",
        "Cissé",
        "Diallo",
        "Koné",
        "Keïta",
        "Coulibaly",
        "Haïdara",
        "Ag ",
        "Walet",
        "Mohamed",
        "Ahmed",
    ];
    for d in &records().documents {
        let text = d.body.as_str();
        for name in NAMES {
            assert!(!text.contains(name), "{} contains {name:?}", d.code);
        }
        let mut run = 0;
        for c in text.chars() {
            if c.is_ascii_digit() {
                run += 1;
                assert!(run < 7, "{} has a long number", d.code);
            } else if c != ' ' && c != '.' && c != '-' {
                run = 0;
            }
        }
        let chars: Vec<char> = text.chars().collect();
        assert!(
            !chars
                .windows(2)
                .any(|w| w[0] == '+' && w[1].is_ascii_digit()),
            "{} has an international number",
            d.code
        );
    }
}

#[test]
fn transcripts_differ_and_exercise_unicode() {
    let docs = &records().documents;
    let bodies: BTreeSet<&str> = docs
        .iter()
        .map(|d| {
            // Compare the speech only, without the header lines.
            let text = d.body.as_str();
            text.split_once("\n\n").map_or(text, |(_, rest)| rest)
        })
        .collect();
    assert_eq!(bodies.len(), docs.len(), "two transcripts say the same");
    let all: String = docs.iter().map(|d| d.body.as_str()).collect();
    assert!(all.contains('é') && all.contains('è') && all.contains('ç') && all.contains('ï'));
    assert!(
        docs.iter().any(|d| d
            .body
            .as_str()
            .chars()
            .any(|c| ('\u{600}'..='\u{6ff}').contains(&c))),
        "some Arabic script"
    );
    assert!(
        docs.iter()
            .any(|d| d.body.as_str().chars().any(|c| c >= '\u{1f300}')),
        "some emoji"
    );
    // Offsets are in scalars, not bytes: the text must hold multi-byte
    // characters before coded passages for that to matter.
    assert!(all.len() > all.chars().count());
}

#[test]
fn total_text_is_moderate() {
    let bytes: usize = records()
        .documents
        .iter()
        .map(|d| d.body.as_str().len())
        .sum();
    assert!(
        (200_000..=600_000).contains(&bytes),
        "{bytes} bytes of text"
    );
}

#[test]
fn phrase_banks_are_rich_and_filled() {
    for k in PUSH_FACTORS.iter().chain([&INSECURITY]) {
        assert!(
            phrases::passages(k).len() >= phrases::MIN_FACTOR_PARAPHRASES,
            "{k}"
        );
    }
    let book = default_codebook();
    for k in phrases::coded_keys() {
        assert!(book.get(&key(k)).is_some(), "phrases for unknown code {k}");
        assert!(!phrases::passages(k).is_empty());
    }
    for g in &crate::study::GROUPS {
        for k in phrases::coded_keys() {
            assert!(
                phrases::passages(k).iter().any(|p| p.who & g.voice != 0),
                "no phrase of {k} suits {}",
                g.key
            );
        }
        assert!(!phrases::introductions(g.key).is_empty(), "{}", g.key);
    }
    for d in &records().documents {
        assert!(
            !d.body.as_str().contains('{'),
            "unfilled placeholder in {}",
            d.code
        );
        assert!(
            !d.body.as_str().contains("de A"),
            "missing elision in {}",
            d.code
        );
    }
}

/// Which push factors each interviewee raises, by cercle and group.
fn factors_by_person() -> BTreeMap<String, (String, String, BTreeSet<&'static str>)> {
    let r = records();
    let mut out = BTreeMap::new();
    for p in &r.participants {
        let doc = format!("{}-T", p.code);
        let raised: BTreeSet<&'static str> = PUSH_FACTORS
            .iter()
            .copied()
            .filter(|k| {
                r.codings
                    .iter()
                    .any(|c| c.coder == "R1" && c.document == doc && c.code.as_str() == *k)
            })
            .collect();
        out.insert(
            p.code.as_str().to_owned(),
            (cercle_of(&p.place), p.group.clone(), raised),
        );
    }
    out
}

#[test]
fn every_factor_is_raised_in_every_cercle_and_rankings_differ() {
    let people = factors_by_person();
    let table = &generated().factor_table;
    let mut tops = BTreeSet::new();
    for (c, cercle) in CERCLES.iter().enumerate() {
        let mut counts = [0u32; 7];
        for (cer, _, raised) in people.values() {
            if cer == cercle.code {
                for (f, k) in PUSH_FACTORS.iter().enumerate() {
                    if raised.contains(k) {
                        counts[f] += 1;
                    }
                }
            }
        }
        assert_eq!(&counts, &table[c], "table agrees with codings");
        assert!(counts.iter().all(|n| *n > 0), "{}: {counts:?}", cercle.code);
        let ranking = crate::forums::ranking(&counts);
        tops.insert(ranking[..3].to_vec());
    }
    assert!(tops.len() >= 3, "rankings differ between cercles: {tops:?}");
    for (_, _, raised) in people.values() {
        assert!(!raised.is_empty());
    }
}

#[test]
fn groups_stress_different_factors() {
    let people = factors_by_person();
    let share = |groups: &[&str], factor: &str| {
        let members: Vec<_> = people
            .values()
            .filter(|(_, g, _)| groups.contains(&g.as_str()))
            .collect();
        let raising = members
            .iter()
            .filter(|(_, _, r)| r.contains(factor))
            .count();
        raising as f64 / members.len().max(1) as f64
    };
    let youth = ["youth-associations"];
    let women = ["womens-associations"];
    let leaders = [
        "community-leaders",
        "customary-leaders",
        "religious-muslim-leaders",
    ];
    let jobs = "push.economic.jobs";
    let participation = "push.governance.participation";
    let education = "push.social.education";
    let religion = "push.social.religion";
    let justice = "push.governance.justice";
    assert!(share(&youth, jobs) > share(&leaders, jobs));
    assert!(share(&youth, participation) > share(&leaders, participation));
    assert!(share(&women, participation) > share(&leaders, participation));
    assert!(share(&women, education) > share(&youth, education));
    assert!(share(&leaders, religion) > share(&youth, religion));
    assert!(share(&leaders, justice) > share(&women, justice));
}

#[test]
fn other_codes_appear_too() {
    let used: BTreeSet<&str> = records().codings.iter().map(|c| c.code.as_str()).collect();
    for k in [
        INSECURITY,
        "context.at-risk",
        "pull.material",
        "triggers.state-action",
        "recruitment.where",
        "recruitment.how",
        "recruitment.by-whom",
        "resilience.leaders",
        "resilience.women",
        "resilience.youth",
        "prevention.reporting",
        "prevention.dialogue",
        "prevention.cohesion",
    ] {
        assert!(used.contains(k), "{k} never coded");
    }
}

// 10. Codings.

#[test]
fn codings_cover_exactly_their_passages_inside_speakers_turns() {
    let g = generated();
    let r = &g.records;
    let first: Vec<&sankore_domain::Coding> =
        r.codings.iter().filter(|c| c.coder == "R1").collect();
    assert_eq!(first.len(), g.passages.len());
    assert!(first.len() > 500);
    let docs: BTreeMap<&str, &Document> =
        r.documents.iter().map(|d| (d.code.as_str(), d)).collect();
    for (c, p) in first.into_iter().zip(&g.passages) {
        assert_eq!(c.document, p.document);
        assert_eq!(c.code.as_str(), p.code);
        assert_eq!((c.span.start(), c.span.end()), (p.start, p.end));
        assert_eq!(c.coder, "R1");
        assert_eq!(c.origin, sankore_domain::CodingOrigin::PreApplied);
        let d = docs
            .get(c.document.as_str())
            .unwrap_or_else(|| panic!("{}", c.document));
        let text = d.text_of(c.span);
        assert!(!text.trim().is_empty());
        assert_eq!(text, p.text, "re-slicing gives the passage");
        assert_eq!(text.trim(), text);
        assert_eq!(text.chars().count(), c.span.len());
        let turn = d
            .turns
            .iter()
            .find(|t| t.span.contains(c.span))
            .unwrap_or_else(|| panic!("coding outside any turn in {}", d.code));
        assert!(
            !TEAM_LABELS.contains(&turn.speaker.as_str()),
            "coded an interviewer in {}",
            d.code
        );
        if d.code.contains("-INT-") {
            assert!(turn.participant.is_some());
        }
        let rebuilt = sankore_domain::Coding::new(
            d,
            &r.codebook,
            c.span.start(),
            c.span.end(),
            c.code.clone(),
            &c.coder,
            c.origin,
        );
        assert_eq!(rebuilt.as_ref(), Ok(c));
    }
}

#[test]
fn offsets_are_scalars_not_bytes() {
    // A coding after non-ASCII text would be misplaced if offsets were
    // bytes: check one explicitly.
    let r = records();
    let c = r
        .codings
        .iter()
        .find(|c| {
            r.documents.iter().any(|d| {
                d.code == c.document && {
                    let before: String = d.body.as_str().chars().take(c.span.start()).collect();
                    before.len() != before.chars().count()
                }
            })
        })
        .unwrap_or_else(|| panic!("no coding after multi-byte text"));
    let d = r
        .documents
        .iter()
        .find(|d| d.code == c.document)
        .unwrap_or_else(|| panic!("document"));
    let by_chars: String = d
        .body
        .as_str()
        .chars()
        .skip(c.span.start())
        .take(c.span.len())
        .collect();
    assert_eq!(d.text_of(c.span), by_chars);
}

// 11. Findings, recommendations, actions.

#[test]
fn findings_are_the_seven_push_factors() {
    let r = records();
    let seed = [
        "Lack of transparency among the authorities in charge of managing local or public affairs",
        "Low involvement of youth and women in local decision making",
        "Erosion of educational values",
        "Lack of youth access to decent employment opportunities",
        "Misunderstanding of religion and Islam",
        "Poor judicial service delivery",
        "Injustice, marginalization, and discrimination",
    ];
    for (k, en) in PUSH_FACTORS.iter().zip(seed) {
        let f: Vec<&Finding> = r.findings.iter().filter(|f| f.codes == [key(k)]).collect();
        assert_eq!(f.len(), 1, "{k}");
        let f = f[0];
        assert_eq!(f.statement.en, en);
        assert!(!f.statement.fr.is_empty());
        assert_eq!(f.research_question, 3);
        assert!(f.places.is_empty());
        assert_eq!(Finding::new(f.clone()).as_ref(), Ok(f));
    }
    let keys: BTreeSet<&str> = r.findings.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys.len(), r.findings.len());
}

#[test]
fn forums_validate_amend_reject_and_add() {
    let r = records();
    assert_eq!(r.check(), Ok(()));
    let count = |kind| r.forum_outcomes.iter().filter(|o| o.kind == kind).count();
    assert_eq!(count(OutcomeKind::Rejected), 1);
    assert_eq!(count(OutcomeKind::Added), 1);
    assert!(count(OutcomeKind::Amended) >= 3);
    let forums: BTreeSet<&str> = r.forum_outcomes.iter().map(|o| o.forum.as_str()).collect();
    assert_eq!(forums.len(), 5);
    for o in &r.forum_outcomes {
        assert_eq!(ForumOutcome::new(o.clone()).as_ref(), Ok(o));
    }
}

#[test]
fn recommendations_and_actions_follow_the_seed() {
    let r = records();
    let text: String = r
        .recommendations
        .iter()
        .map(|x| x.text.en.to_lowercase())
        .collect::<Vec<_>>()
        .join(" | ");
    for needle in [
        "whistleblower",
        "toll-free hotline",
        "web platforms",
        "mobile applications",
        "roundtables",
        "cohesion",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    for rec in &r.recommendations {
        assert!(!rec.roles.is_empty(), "{}", rec.key);
        assert!(!rec.findings.is_empty(), "{}", rec.key);
    }
    let roundtables: Vec<_> = r
        .actions
        .iter()
        .filter(|a| a.recommendation.as_deref() == Some("r-roundtables"))
        .collect();
    assert_eq!(roundtables.len(), 2, "roundtables in two regions");
    let cohesion = r
        .actions
        .iter()
        .filter(|a| a.recommendation.as_deref() == Some("r-community-cohesion"))
        .count();
    assert_eq!(cohesion, 3, "three community-led cohesion activities");
    let statuses: BTreeSet<ActionStatus> = r.actions.iter().map(|a| a.status).collect();
    assert!(statuses.len() >= 3, "{statuses:?}");
}

// 12. The whole.

#[test]
fn records_pass_the_domain_check() {
    assert_eq!(records().check(), Ok(()));
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(&reference_study(), records());
    assert_eq!(reference_study(), reference_study());
}

#[test]
fn quotas_match_the_interviews() {
    let r = records();
    let mut done: BTreeMap<(String, String, Gender), u32> = BTreeMap::new();
    for p in &r.participants {
        *done
            .entry((cercle_of(&p.place), p.group.clone(), p.gender))
            .or_default() += 1;
    }
    let mut planned = BTreeMap::new();
    for q in &r.quotas {
        planned.insert(
            (q.place.as_str().to_owned(), q.group.clone(), q.gender),
            q.target,
        );
    }
    assert_eq!(done, planned);
}

/// Writes the documents to a folder for reading: `DEMO_DUMP=/tmp/x cargo
/// test -p sankore-demo dump -- --ignored`.
#[test]
#[ignore = "writes files; run by hand"]
fn dump() {
    let dir = std::env::var("DEMO_DUMP").unwrap_or_else(|_| "/tmp/sankore-demo".to_owned());
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    for d in &records().documents {
        std::fs::write(format!("{dir}/{}.txt", d.code), d.body.as_str())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut table = String::from("cercle");
    for k in PUSH_FACTORS {
        table.push_str(&format!("\t{}", k.rsplit('.').next().unwrap_or(k)));
    }
    table.push('\n');
    for (c, row) in CERCLES.iter().zip(&generated().factor_table) {
        table.push_str(c.code);
        for n in row {
            table.push_str(&format!("\t{n}"));
        }
        table.push('\n');
    }
    let mut by_group = String::from("group\tpeople");
    for k in PUSH_FACTORS {
        by_group.push_str(&format!("\t{}", k.rsplit('.').next().unwrap_or(k)));
    }
    by_group.push('\n');
    let people = factors_by_person();
    for g in &records().groups {
        let members: Vec<_> = people
            .values()
            .filter(|(_, grp, _)| *grp == g.key)
            .collect();
        if members.is_empty() {
            continue;
        }
        by_group.push_str(&format!("{}\t{}", g.key, members.len()));
        for k in PUSH_FACTORS {
            let n = members.iter().filter(|(_, _, r)| r.contains(k)).count();
            by_group.push_str(&format!("\t{n}"));
        }
        by_group.push('\n');
    }
    let r = records();
    let totals = format!(
        "documents\t{}\ncodings\t{}\nbytes\t{}\n",
        r.documents.len(),
        r.codings.len(),
        r.documents
            .iter()
            .map(|d| d.body.as_str().len())
            .sum::<usize>()
    );
    std::fs::write(
        format!("{dir}/factors.tsv"),
        table + "\n" + &by_group + "\n" + &totals,
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

// 13. The second coder.

#[test]
fn second_coder_double_codes_twenty_interviews_and_three_focus_groups() {
    let r = records();
    let docs: BTreeSet<&str> = r
        .codings
        .iter()
        .filter(|c| c.coder == "R2")
        .map(|c| c.document.as_str())
        .collect();
    let interviews: Vec<&&str> = docs.iter().filter(|d| d.contains("-INT-")).collect();
    let focus: Vec<&&str> = docs.iter().filter(|d| d.contains("-FGD-")).collect();
    assert_eq!(interviews.len(), 20, "{interviews:?}");
    assert_eq!(focus.len(), 3, "{focus:?}");
    for cercle in &CERCLES {
        let n = interviews
            .iter()
            .filter(|d| d.starts_with(&format!("{}-", cercle.code)))
            .count();
        assert_eq!(n, 4, "{}", cercle.code);
    }
    assert!(r.study.team.iter().any(|m| m.handle == "R2"));
    assert!(
        r.codings
            .iter()
            .filter(|c| c.coder == "R2")
            .all(|c| c.origin == sankore_domain::CodingOrigin::PreApplied)
    );
}

#[test]
fn second_coder_disagrees_realistically() {
    let r = records();
    let second: Vec<&sankore_domain::Coding> =
        r.codings.iter().filter(|c| c.coder == "R2").collect();
    let docs: BTreeSet<&str> = second.iter().map(|c| c.document.as_str()).collect();
    let (mut exact, mut shifted, mut recoded, mut missed) = (0, 0, 0, 0);
    for c in r
        .codings
        .iter()
        .filter(|c| c.coder == "R1" && docs.contains(c.document.as_str()))
    {
        let mine: Vec<&&sankore_domain::Coding> = second
            .iter()
            .filter(|x| x.document == c.document && x.span.overlaps(c.span))
            .collect();
        if mine.iter().any(|x| x.span == c.span && x.code == c.code) {
            exact += 1;
        } else if mine.iter().any(|x| x.code == c.code) {
            shifted += 1;
        } else if mine.iter().any(|x| x.span == c.span) {
            recoded += 1;
        } else {
            missed += 1;
        }
    }
    let total = f64::from(exact + shifted + recoded + missed);
    assert!(total > 200.0, "{total}");
    let share = |n: u32| f64::from(n) / total;
    assert!(
        (0.55..0.8).contains(&share(exact)),
        "exact {exact} of {total}"
    );
    for (what, n) in [
        ("shifted", shifted),
        ("recoded", recoded),
        ("missed", missed),
    ] {
        assert!((0.03..0.25).contains(&share(n)), "{what} {n} of {total}");
    }
    // R2 stays in the speakers' turns, never the team's.
    let by_code: BTreeMap<&str, &Document> =
        r.documents.iter().map(|d| (d.code.as_str(), d)).collect();
    for c in &second {
        let d = by_code
            .get(c.document.as_str())
            .unwrap_or_else(|| panic!("{}", c.document));
        let turn = d
            .turns
            .iter()
            .find(|t| t.span.contains(c.span))
            .unwrap_or_else(|| panic!("R2 coding outside a turn in {}", d.code));
        assert!(!TEAM_LABELS.contains(&turn.speaker.as_str()));
        assert!(!d.text_of(c.span).trim().is_empty());
    }
}
