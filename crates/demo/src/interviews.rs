//! The 97 individual interviews: participants, sessions, transcripts and
//! their pre-applied codings.

use chrono::{Days, NaiveDate};
use sankore_domain::{
    AgeBand, ConsentStatus, DocumentKind, Gazetteer, Gender, Participant, ParticipantCode,
    PlaceCode, Session, SessionKind,
};

use crate::Batch;
use crate::codebook::{INSECURITY, PUSH_FACTORS};
use crate::phrases::{self, SYNTHETIC_LINE};
use crate::rng::Rng;
use crate::study::{
    self, AUTHORITIES, CERCLES, COMMUNITY, CUSTOMARY, CercleInfo, GroupInfo, MUSLIM, NGO, R1, R2,
    TEACHERS, WOMEN, YOUTH, date_fr, de, gender_fr,
};
use crate::transcript::{Chooser, Context, Draft};

/// One planned interview.
struct Interviewee {
    participant: Participant,
    group: &'static GroupInfo,
    cercle: &'static CercleInfo,
    commune: String,
    elsewhere: String,
    date: NaiveDate,
    facilitator: &'static str,
    /// Indices into [`PUSH_FACTORS`], in the order the person raises them.
    factors: Vec<usize>,
}

/// How many interview participants of each cercle raise each push factor,
/// as `[cercle][factor]`, cercles and factors in their usual order.
pub(crate) type FactorTable = [[u32; 7]; 5];

/// Generates the interviews of the five cercles.
pub(crate) fn generate(gazetteer: &Gazetteer) -> (Batch, FactorTable) {
    let mut batch = Batch::default();
    let mut table = [[0u32; 7]; 5];
    for (c, cercle) in CERCLES.iter().enumerate() {
        let people = plan_cercle(gazetteer, cercle);
        for person in &people {
            for f in &person.factors {
                if let Some(cell) = table[c].get_mut(*f) {
                    *cell += 1;
                }
            }
            write_interview(person, &mut batch);
        }
    }
    (batch, table)
}

/// The interviewees of one cercle, their places, dates and factors.
fn plan_cercle(gazetteer: &Gazetteer, cercle: &'static CercleInfo) -> Vec<Interviewee> {
    let mut rng = Rng::for_key(&format!("interviews-{}", cercle.code));
    let mut slots: Vec<(&'static str, Gender)> = Vec::new();
    for (group, men, women) in cercle.interviews {
        slots.extend((0..*men).map(|_| (*group, Gender::Male)));
        slots.extend((0..*women).map(|_| (*group, Gender::Female)));
    }
    rng.shuffle(&mut slots);
    let communes = study::communes(gazetteer, cercle);
    let chef_lieu = study::chef_lieu(gazetteer, cercle);
    let cercle_place = study::cercle_place(gazetteer, cercle);
    let (month, first_day, days) = cercle.interview_days;
    let first = study::day(2017, month, first_day);
    let total = slots.len().max(1);
    let mut people: Vec<Interviewee> = Vec::new();
    for (i, (group_key, gender)) in slots.into_iter().enumerate() {
        let Ok(code) = ParticipantCode::new(&format!("{}-INT-{:03}", cercle.code, i + 1)) else {
            continue;
        };
        let group = study::group(group_key);
        // Officials are often recorded at cercle level; others in a commune,
        // the chef-lieu more often than not.
        let (place, commune) = match (&cercle_place, &chef_lieu) {
            (Some(cp), Some((_, name))) if group_key == AUTHORITIES && rng.chance(50) => {
                (cp.clone(), name.clone())
            }
            (_, Some((code, name))) if rng.chance(40) => (code.clone(), name.clone()),
            _ => match rng.pick(&communes) {
                Some((code, name)) => (code.clone(), name.clone()),
                None => continue,
            },
        };
        let others: Vec<&(PlaceCode, String)> =
            communes.iter().filter(|(_, n)| *n != commune).collect();
        let elsewhere = rng
            .pick(&others)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| cercle.chef_lieu.to_owned());
        let days = usize::try_from(days).unwrap_or(1);
        let offset = u64::try_from(i * days / total).unwrap_or(0);
        let date = first.checked_add_days(Days::new(offset)).unwrap_or(first);
        let facilitator = if gender == Gender::Female || rng.chance(30) {
            R2
        } else {
            R1
        };
        let factors = draw_factors(&mut rng, group, cercle);
        people.push(Interviewee {
            participant: Participant {
                code,
                gender,
                age_band: age_band(&mut rng, group_key),
                group: group_key.to_owned(),
                place,
                consent: ConsentStatus::Given,
            },
            group,
            cercle,
            commune,
            elsewhere,
            date,
            facilitator,
            factors,
        });
    }
    cover_every_factor(&mut people);
    people
}

/// The weight of factor `f` for a member of `group` in `cercle`.
fn weight(group: &GroupInfo, cercle: &CercleInfo, f: usize) -> u32 {
    group.weights.get(f).copied().unwrap_or(0) * cercle.weights.get(f).copied().unwrap_or(0)
}

/// Two to four factors, drawn without replacement by weight.
fn draw_factors(rng: &mut Rng, group: &GroupInfo, cercle: &CercleInfo) -> Vec<usize> {
    let mut weights: Vec<u32> = (0..PUSH_FACTORS.len())
        .map(|f| weight(group, cercle, f))
        .collect();
    let count = rng.between(2, 4);
    let mut chosen = Vec::new();
    for _ in 0..count {
        if let Some(f) = rng.weighted(&weights) {
            chosen.push(f);
            if let Some(w) = weights.get_mut(f) {
                *w = 0;
            }
        }
    }
    chosen
}

/// Makes sure every push factor is raised by someone in the cercle: a
/// factor nobody drew is given to the person most inclined to raise it.
fn cover_every_factor(people: &mut [Interviewee]) {
    for f in 0..PUSH_FACTORS.len() {
        if people.iter().any(|p| p.factors.contains(&f)) {
            continue;
        }
        let best = people
            .iter_mut()
            .filter(|p| p.factors.len() < 5)
            .max_by_key(|p| weight(p.group, p.cercle, f));
        if let Some(person) = best {
            person.factors.push(f);
        }
    }
}

fn age_band(rng: &mut Rng, group: &str) -> AgeBand {
    use AgeBand::*;
    let bands: &[AgeBand] = match group {
        YOUTH => &[From18To24, From18To24, From25To34],
        WOMEN => &[From25To34, From35To49, From35To49, From50To64],
        COMMUNITY | CUSTOMARY => &[From35To49, From50To64, From50To64, Over64],
        MUSLIM => &[From35To49, From50To64, Over64],
        AUTHORITIES => &[From35To49, From50To64],
        NGO => &[From25To34, From35To49],
        TEACHERS => &[From25To34, From35To49, From50To64],
        _ => &[Unknown],
    };
    rng.pick(bands).copied().unwrap_or(Unknown)
}

/// How an age band reads in a header.
pub(crate) fn age_fr(band: AgeBand) -> String {
    match band {
        AgeBand::Unknown => "âge non précisé".to_owned(),
        AgeBand::Under18 => "moins de 18 ans".to_owned(),
        other => format!("{} ans", other.as_str()),
    }
}

/// Codes beyond the push factors, drawn from a weighted list.
fn draw(rng: &mut Rng, options: &[(&'static str, u32)]) -> Option<&'static str> {
    let weights: Vec<u32> = options.iter().map(|(_, w)| *w).collect();
    rng.weighted(&weights)
        .and_then(|i| options.get(i))
        .map(|(code, _)| *code)
}

const PULL: &[(&str, u32)] = &[
    ("pull.material", 4),
    ("pull.status", 2),
    ("pull.protection", 2),
    ("pull.ideology", 2),
    ("pull.networks", 2),
    ("pull.recruiter", 1),
    ("pull.coercion", 1),
];

const RECRUITMENT: &[(&str, u32)] = &[
    ("recruitment.where", 3),
    ("recruitment.how", 3),
    ("recruitment.by-whom", 2),
];

const TRIGGERS: &[(&str, u32)] = &[("triggers.state-action", 2), ("triggers.personal-loss", 1)];

/// The prevention option that answers a push factor best.
fn prevention_for(factor: usize) -> &'static str {
    match PUSH_FACTORS.get(factor).copied().unwrap_or_default() {
        "push.governance.transparency" => "prevention.reporting",
        "push.governance.participation" => "prevention.dialogue",
        "push.social.education" => "prevention.education",
        "push.economic.jobs" => "prevention.jobs",
        "push.governance.justice" => "prevention.governance",
        "push.social.religion" => "prevention.education",
        _ => "prevention.cohesion",
    }
}

/// The resilience actor a member of a group most likely speaks of.
fn resilience_for(rng: &mut Rng, group: &str) -> &'static str {
    let options: &[(&str, u32)] = match group {
        WOMEN => &[
            ("resilience.women", 3),
            ("resilience.leaders", 1),
            ("resilience.youth", 1),
        ],
        YOUTH => &[
            ("resilience.youth", 3),
            ("resilience.leaders", 2),
            ("resilience.women", 1),
        ],
        _ => &[
            ("resilience.leaders", 3),
            ("resilience.women", 1),
            ("resilience.youth", 1),
        ],
    };
    draw(rng, options).unwrap_or("resilience.leaders")
}

/// Writes one interview: session, transcript, codings.
fn write_interview(person: &Interviewee, batch: &mut Batch) {
    let code = person.participant.code.clone();
    let session_code = code.as_str().to_owned();
    let document_code = format!("{session_code}-T");
    let mut ch = Chooser::new(Rng::for_key(&document_code));
    let livelihood = ch
        .rng
        .pick(&person.cercle.livelihoods)
        .copied()
        .unwrap_or_default();
    let ctx = Context {
        cercle: person.cercle,
        commune: person.commune.clone(),
        elsewhere: person.elsewhere.clone(),
        livelihood,
    };
    let interviewer = if person.facilitator == R2 {
        "Enquêtrice"
    } else {
        "Enquêteur"
    };
    let header = vec![
        format!(
            "Entretien individuel {session_code} — cercle de {}, commune {} — {}",
            person.cercle.name,
            de(&person.commune),
            date_fr(person.date)
        ),
        format!(
            "Personne interrogée : {session_code} ({}, {}, {}) · {interviewer} : {} · Langue : français, avec des passages traduits {}.",
            person.group.fr,
            gender_fr(person.participant.gender),
            age_fr(person.participant.age_band),
            person.facilitator,
            person.cercle.spoken
        ),
    ];
    let mut d = Draft::new(&document_code, SYNTHETIC_LINE, &header);
    let me = Some(&code);
    let speaker = session_code.as_str();
    let voice = person.group.voice;

    d.turn(
        interviewer,
        None,
        vec![ch.say(phrases::INTERVIEW_OPENINGS, &ctx)],
    );
    d.turn(speaker, me, vec![ch.say(phrases::CONSENT_REPLIES, &ctx)]);
    d.turn(
        interviewer,
        None,
        vec![ch.say(phrases::ROLE_QUESTIONS, &ctx)],
    );
    d.turn(
        speaker,
        me,
        vec![ch.say(phrases::introductions(person.group.key), &ctx)],
    );

    // RQ1-2: who is at risk, and where.
    d.turn(interviewer, None, vec![ch.say(phrases::Q_AT_RISK, &ctx)]);
    let mut answer = Vec::new();
    if ch.rng.chance(30) {
        answer.push(ch.say(phrases::FILLERS, &ctx));
    }
    answer.push(ch.passage("context.at-risk", voice, &ctx));
    d.turn(speaker, me, answer);

    // Context: insecurity.
    if ch.rng.chance(85) {
        d.turn(interviewer, None, vec![ch.say(phrases::Q_CONTEXT, &ctx)]);
        d.turn(speaker, me, vec![ch.passage(INSECURITY, voice, &ctx)]);
    }

    // RQ3: push factors, the strongest first, the rest after a follow-up.
    d.turn(interviewer, None, vec![ch.say(phrases::Q_FACTORS, &ctx)]);
    let split = if person.factors.len() > 2 {
        person.factors.len() / 2 + ch.rng.below(2)
    } else {
        person.factors.len()
    };
    let (first, rest) = person.factors.split_at(split.min(person.factors.len()));
    let mut answer = Vec::new();
    if ch.rng.chance(50) {
        answer.push(ch.say(phrases::FILLERS, &ctx));
    }
    for (i, f) in first.iter().enumerate() {
        if i > 0 {
            answer.push(ch.say(phrases::CONNECTORS, &ctx));
        }
        if let Some(key) = PUSH_FACTORS.get(*f) {
            answer.push(ch.passage(key, voice, &ctx));
        }
    }
    d.turn(speaker, me, answer);
    let trigger = ch.rng.chance(20);
    if !rest.is_empty() || trigger {
        d.turn(interviewer, None, vec![ch.say(phrases::Q_MORE, &ctx)]);
        let mut answer = Vec::new();
        for (i, f) in rest.iter().enumerate() {
            if i > 0 {
                answer.push(ch.say(phrases::CONNECTORS, &ctx));
            }
            if let Some(key) = PUSH_FACTORS.get(*f) {
                answer.push(ch.passage(key, voice, &ctx));
            }
        }
        if trigger && let Some(key) = draw(&mut ch.rng, TRIGGERS) {
            if !answer.is_empty() {
                answer.push(ch.say(phrases::CONNECTORS, &ctx));
            }
            answer.push(ch.passage(key, voice, &ctx));
        }
        d.turn(speaker, me, answer);
    }

    // RQ3: what the groups offer.
    if ch.rng.chance(45)
        && let Some(key) = draw(&mut ch.rng, PULL)
    {
        d.turn(interviewer, None, vec![ch.say(phrases::Q_PULL, &ctx)]);
        d.turn(speaker, me, vec![ch.passage(key, voice, &ctx)]);
    }

    // RQ4: recruitment.
    if ch.rng.chance(65) {
        d.turn(
            interviewer,
            None,
            vec![ch.say(phrases::Q_RECRUITMENT, &ctx)],
        );
        let mut answer = Vec::new();
        let first = draw(&mut ch.rng, RECRUITMENT);
        if let Some(key) = first {
            answer.push(ch.passage(key, voice, &ctx));
        }
        if ch.rng.chance(35)
            && let Some(key) = draw(&mut ch.rng, RECRUITMENT)
            && Some(key) != first
        {
            answer.push(ch.passage(key, voice, &ctx));
        }
        d.turn(speaker, me, answer);
    }

    // RQ5: actors.
    if ch.rng.chance(70) {
        d.turn(interviewer, None, vec![ch.say(phrases::Q_ACTORS, &ctx)]);
        let key = resilience_for(&mut ch.rng, person.group.key);
        d.turn(speaker, me, vec![ch.passage(key, voice, &ctx)]);
    }

    // RQ6: prevention, tied to what the person raised first.
    d.turn(interviewer, None, vec![ch.say(phrases::Q_PREVENTION, &ctx)]);
    let mut answer = Vec::new();
    let main = person
        .factors
        .first()
        .map_or("prevention.cohesion", |f| prevention_for(*f));
    answer.push(ch.passage(main, voice, &ctx));
    if ch.rng.chance(50) {
        let second = person
            .factors
            .get(1)
            .map_or("prevention.dialogue", |f| prevention_for(*f));
        if second != main {
            answer.push(ch.passage(second, voice, &ctx));
        }
    }
    d.turn(speaker, me, answer);

    d.turn(
        interviewer,
        None,
        vec![ch.say(phrases::INTERVIEW_CLOSINGS, &ctx)],
    );
    d.turn(speaker, me, vec![ch.say(phrases::CLOSING_REPLIES, &ctx)]);

    let title = format!(
        "Entretien {session_code} — {} ({})",
        person.group.fr, person.cercle.name
    );
    let (document, codings, passages) =
        d.finish(Some(session_code.clone()), title, DocumentKind::Transcript);
    batch.sessions.push(Session {
        code: session_code,
        kind: SessionKind::Interview,
        place: person.participant.place.clone(),
        date: person.date,
        facilitators: vec![person.facilitator.to_owned()],
        participants: vec![code],
        composition: Vec::new(),
        declared_total: None,
    });
    batch.participants.push(person.participant.clone());
    batch.documents.push(document);
    batch.codings.extend(codings);
    batch.passages.extend(passages);
}
