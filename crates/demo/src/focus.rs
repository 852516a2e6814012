//! The focus-group discussions: three per cercle (women's associations,
//! youth associations, leaders), recorded as composition counts with a
//! transcript whose speakers are numbered, never named.

use chrono::Days;
use sankore_domain::{CompositionCount, DocumentKind, Gazetteer, Gender, Session, SessionKind};

use crate::Batch;
use crate::codebook::{INSECURITY, PUSH_FACTORS};
use crate::phrases::{self, SYNTHETIC_LINE};
use crate::rng::Rng;
use crate::study::{
    self, CERCLES, CHRISTIAN, COMMUNITY, COORD, CercleInfo, GroupInfo, NGO, R1, R2, WOMEN, YOUTH,
    date_fr, de,
};
use crate::transcript::{Chooser, Context, Draft, Piece};

/// One numbered member of a focus group.
struct Member {
    label: String,
    group: &'static GroupInfo,
}

/// Which of the three discussions of a cercle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Women,
    Youth,
    Leaders,
}

/// Generates the fifteen focus groups.
pub(crate) fn generate(gazetteer: &Gazetteer) -> Batch {
    let mut batch = Batch::default();
    for cercle in &CERCLES {
        for (n, kind) in [Kind::Women, Kind::Youth, Kind::Leaders]
            .into_iter()
            .enumerate()
        {
            write_focus_group(gazetteer, cercle, n + 1, kind, &mut batch);
        }
    }
    batch
}

/// Composition rows of a discussion, zero counts left out.
fn composition(cercle: &CercleInfo, kind: Kind) -> Vec<CompositionCount> {
    let plan = &cercle.focus;
    let rows: Vec<(&str, Gender, u32)> = match kind {
        Kind::Women => vec![(WOMEN, Gender::Female, plan.women)],
        Kind::Youth => vec![
            (YOUTH, Gender::Male, plan.youth.0),
            (YOUTH, Gender::Female, plan.youth.1),
        ],
        Kind::Leaders => vec![
            (COMMUNITY, Gender::Male, plan.leaders.0),
            (COMMUNITY, Gender::Female, plan.leaders.1),
            (NGO, Gender::Male, plan.ngo.0),
            (NGO, Gender::Female, plan.ngo.1),
            (CHRISTIAN, Gender::Male, plan.christian),
        ],
    };
    rows.into_iter()
        .filter(|(_, _, count)| *count > 0)
        .map(|(group, gender, count)| CompositionCount {
            group: group.to_owned(),
            gender,
            count,
        })
        .collect()
}

/// Numbered members, in a shuffled order, labelled "P3 (jeune femme)".
fn members(rows: &[CompositionCount], rng: &mut Rng) -> Vec<Member> {
    let mut people: Vec<(&'static GroupInfo, Gender)> = Vec::new();
    for row in rows {
        let group = study::group(&row.group);
        people.extend((0..row.count).map(|_| (group, row.gender)));
    }
    rng.shuffle(&mut people);
    people
        .into_iter()
        .enumerate()
        .map(|(i, (group, gender))| {
            let what = if gender == Gender::Female {
                group.member.1
            } else {
                group.member.0
            };
            Member {
                label: format!("P{} ({what})", i + 1),
                group,
            }
        })
        .collect()
}

/// Picks a member other than the previous speaker.
fn next_speaker(rng: &mut Rng, members: &[Member], previous: &mut Option<usize>) -> usize {
    let mut i = rng.below(members.len());
    if Some(i) == *previous && members.len() > 1 {
        i = (i + 1 + rng.below(members.len() - 1)) % members.len();
    }
    *previous = Some(i);
    i
}

/// One discussion: session, transcript, codings.
fn write_focus_group(
    gazetteer: &Gazetteer,
    cercle: &'static CercleInfo,
    number: usize,
    kind: Kind,
    batch: &mut Batch,
) {
    let Some((place, commune)) = study::chef_lieu(gazetteer, cercle) else {
        return;
    };
    let code = format!("{}-FGD-{number:02}", cercle.code);
    let document_code = format!("{code}-T");
    let rows = composition(cercle, kind);
    let total: u32 = rows.iter().map(|r| r.count).sum();
    let mut ch = Chooser::new(Rng::for_key(&document_code));
    let members = members(&rows, &mut ch.rng);
    if members.is_empty() {
        return;
    }
    let elsewhere = study::communes(gazetteer, cercle)
        .into_iter()
        .map(|(_, n)| n)
        .filter(|n| *n != commune)
        .nth(ch.rng.below(3))
        .unwrap_or_else(|| cercle.name.to_owned());
    let livelihood = ch
        .rng
        .pick(&cercle.livelihoods)
        .copied()
        .unwrap_or_default();
    let ctx = Context {
        cercle,
        commune: commune.clone(),
        elsewhere,
        livelihood,
    };
    let (month, dom) = cercle.focus_day;
    let focus_day = study::day(2017, month, dom);
    let (date, facilitators, host, chair, group_label, openings, replies) = match kind {
        Kind::Women => (
            focus_day,
            vec![R2],
            "Animatrice",
            "Animatrice",
            study::group(WOMEN).fr.to_owned(),
            phrases::FGD_OPENINGS_WOMEN,
            phrases::FGD_REPLIES_WOMEN,
        ),
        Kind::Youth => {
            let (who, label) = if matches!(cercle.code, "GRH" | "NFK") {
                (R2, "Animatrice")
            } else {
                (R1, "Animateur")
            };
            (
                focus_day,
                vec![who],
                label,
                label,
                study::group(YOUTH).fr.to_owned(),
                phrases::FGD_OPENINGS_MIXED,
                phrases::FGD_REPLIES_YOUTH,
            )
        }
        Kind::Leaders => (
            focus_day
                .checked_add_days(Days::new(1))
                .unwrap_or(focus_day),
            vec![COORD, R1],
            "Animateur",
            "Coordination",
            "leaders communautaires et représentants d'ONG".to_owned(),
            phrases::FGD_OPENINGS_LEADERS,
            phrases::FGD_REPLIES_LEADERS,
        ),
    };
    let mut breakdown: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for r in &rows {
        if seen.contains(&r.group.as_str()) {
            continue;
        }
        seen.push(&r.group);
        let of_group: Vec<&CompositionCount> = rows.iter().filter(|x| x.group == r.group).collect();
        let genders: Vec<String> = of_group
            .iter()
            .map(|x| match x.gender {
                Gender::Female => plural(x.count, "femme"),
                _ => plural(x.count, "homme"),
            })
            .collect();
        breakdown.push(format!(
            "{} : {}",
            study::group(&r.group).fr,
            genders.join(" et ")
        ));
    }
    let header = vec![
        format!(
            "Groupe de discussion {code} — {group_label} — cercle de {}, commune {} — {}",
            cercle.name,
            de(&commune),
            date_fr(date)
        ),
        format!(
            "Composition : {total} personnes ({}), désignées P1 à P{total}. Animation : {}. Langue : français, avec des passages traduits {}.",
            breakdown.join(" ; "),
            facilitators.join(" et "),
            cercle.spoken
        ),
    ];
    let mut d = Draft::new(&document_code, SYNTHETIC_LINE, &header);
    let mut previous = None;

    // Opening.
    d.turn(chair, None, vec![ch.say(openings, &ctx)]);
    let first = next_speaker(&mut ch.rng, &members, &mut previous);
    say_turn(&mut d, &members, first, vec![ch.say(replies, &ctx)]);

    // Each theme: a question, then several members answer.
    let mut section =
        |d: &mut Draft,
         ch: &mut Chooser,
         question: &[&'static str],
         turns: usize,
         pick: &mut dyn FnMut(&mut Rng, &Member) -> Option<&'static str>| {
            let mut ask = vec![ch.say(question, &ctx)];
            if ch.rng.chance(50) {
                ask.push(ch.say(phrases::FGD_PROMPTS, &ctx));
            }
            d.turn(host, None, ask);
            for t in 0..turns {
                let i = next_speaker(&mut ch.rng, &members, &mut previous);
                let Some(member) = members.get(i) else {
                    continue;
                };
                let mut pieces = Vec::new();
                if t > 0 && ch.rng.chance(40) {
                    pieces.push(ch.say(phrases::FGD_AGREEMENTS, &ctx));
                }
                if let Some(key) = pick(&mut ch.rng, member) {
                    pieces.push(ch.passage(key, member.group.voice, &ctx));
                }
                say_turn(d, &members, i, pieces);
            }
        };

    section(&mut d, &mut ch, phrases::Q_AT_RISK, 2, &mut |_, _| {
        Some("context.at-risk")
    });
    section(&mut d, &mut ch, phrases::Q_CONTEXT, 2, &mut |_, _| {
        Some(INSECURITY)
    });

    let mut raised = [0u32; 7];
    let factor_turns = 5 + ch.rng.below(3);
    let mut pick_factor = |rng: &mut Rng, member: &Member| {
        let weights: Vec<u32> = (0..PUSH_FACTORS.len())
            .map(|f| {
                let w = member.group.weights.get(f).copied().unwrap_or(0)
                    * cercle.weights.get(f).copied().unwrap_or(0);
                w * 10 / (10 + 15 * raised.get(f).copied().unwrap_or(0))
            })
            .collect();
        let f = rng.weighted(&weights)?;
        if let Some(n) = raised.get_mut(f) {
            *n += 1;
        }
        PUSH_FACTORS.get(f).copied()
    };
    section(
        &mut d,
        &mut ch,
        phrases::Q_FACTORS,
        factor_turns / 2 + 1,
        &mut pick_factor,
    );
    section(
        &mut d,
        &mut ch,
        phrases::Q_MORE,
        factor_turns / 2,
        &mut pick_factor,
    );

    let pull: [&'static str; 7] = [
        "pull.material",
        "pull.status",
        "pull.protection",
        "pull.ideology",
        "pull.networks",
        "pull.recruiter",
        "pull.coercion",
    ];
    let pull_turns = 1 + ch.rng.below(2);
    section(
        &mut d,
        &mut ch,
        phrases::Q_PULL,
        pull_turns,
        &mut |rng, _| rng.pick(&pull).copied(),
    );
    if ch.rng.chance(40) {
        section(&mut d, &mut ch, phrases::Q_MORE, 1, &mut |rng, _| {
            rng.pick(&["triggers.state-action", "triggers.personal-loss"])
                .copied()
        });
    }
    section(&mut d, &mut ch, phrases::Q_RECRUITMENT, 2, &mut |rng, _| {
        rng.pick(&[
            "recruitment.where",
            "recruitment.how",
            "recruitment.by-whom",
        ])
        .copied()
    });
    section(&mut d, &mut ch, phrases::Q_ACTORS, 2, &mut |rng, member| {
        let own = match member.group.key {
            WOMEN => "resilience.women",
            YOUTH => "resilience.youth",
            _ => "resilience.leaders",
        };
        if rng.chance(60) {
            Some(own)
        } else {
            rng.pick(&["resilience.leaders", "resilience.women", "resilience.youth"])
                .copied()
        }
    });
    section(&mut d, &mut ch, phrases::Q_PREVENTION, 3, &mut |rng, _| {
        rng.pick(&[
            "prevention.jobs",
            "prevention.education",
            "prevention.reporting",
            "prevention.dialogue",
            "prevention.cohesion",
            "prevention.governance",
        ])
        .copied()
    });

    // Closing.
    d.turn(chair, None, vec![ch.say(phrases::FGD_CLOSINGS, &ctx)]);
    let last = next_speaker(&mut ch.rng, &members, &mut previous);
    say_turn(
        &mut d,
        &members,
        last,
        vec![ch.say(phrases::FGD_LAST_WORDS, &ctx)],
    );

    let title = format!(
        "Groupe de discussion {code} — {group_label} ({})",
        cercle.name
    );
    let (document, codings, passages) =
        d.finish(Some(code.clone()), title, DocumentKind::Transcript);
    batch.sessions.push(Session {
        code,
        kind: SessionKind::FocusGroup,
        place,
        date,
        facilitators: facilitators.into_iter().map(str::to_owned).collect(),
        participants: Vec::new(),
        composition: rows,
        declared_total: Some(total),
    });
    batch.documents.push(document);
    batch.codings.extend(codings);
    batch.passages.extend(passages);
}

/// A member's turn (members are not registered participants).
fn say_turn(d: &mut Draft, members: &[Member], i: usize, pieces: Vec<Piece>) {
    if let Some(member) = members.get(i) {
        d.turn(&member.label, None, pieces);
    }
}

/// "1 homme", "3 hommes".
fn plural(n: u32, word: &str) -> String {
    if n > 1 {
        format!("{n} {word}s")
    } else {
        format!("{n} {word}")
    }
}
