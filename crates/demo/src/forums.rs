//! The five validation forums, one per cercle, with attendance counts and
//! short minutes. Each forum ranks the push factors the way its cercle's
//! interviews did.

use sankore_domain::{CompositionCount, DocumentKind, Gazetteer, Gender, Session, SessionKind};

use crate::Batch;
use crate::followup::FACTORS;
use crate::interviews::FactorTable;
use crate::phrases::SYNTHETIC_NOTES_LINE;
use crate::rng::Rng;
use crate::study::{self, CERCLES, COORD, R1, R2, date_fr, de};
use crate::transcript::Draft;

/// Recommendations a forum may retain, in French.
const RECOMMENDATIONS: &[&str] = &[
    "créer une ligne verte gratuite pour signaler les cas de recrutement et les abus, sans que l'appelant ait à donner son nom",
    "adopter une loi protégeant les lanceurs d'alerte qui dénoncent la mauvaise gestion des affaires publiques",
    "développer des plateformes web et des applications mobiles pour suivre les projets et signaler les problèmes",
    "organiser des tables rondes régulières entre jeunes, femmes, leaders communautaires et autorités",
    "soutenir des activités de cohésion conçues et menées par les communautés elles-mêmes",
    "réserver des places aux jeunes et aux femmes dans les comités de gestion et les instances de décision locales",
    "organiser des audiences foraines du tribunal dans les communes éloignées",
];

/// Push factors of a cercle, most raised first (ties in the study's order).
pub(crate) fn ranking(row: &[u32; 7]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by_key(|f| std::cmp::Reverse(row.get(*f).copied().unwrap_or(0)));
    order
}

/// Generates the forums from the interview tallies.
pub(crate) fn generate(gazetteer: &Gazetteer, table: &FactorTable) -> Batch {
    let mut batch = Batch::default();
    for (c, cercle) in CERCLES.iter().enumerate() {
        let Some(place) = study::cercle_place(gazetteer, cercle) else {
            continue;
        };
        let code = format!("{}-VAL-01", cercle.code);
        let document_code = format!("{code}-N");
        let mut rng = Rng::for_key(&document_code);
        let (month, dom) = cercle.forum_day;
        let date = study::day(2017, month, dom);
        let second = if c % 2 == 0 { R1 } else { R2 };
        let composition: Vec<CompositionCount> = cercle
            .forum
            .iter()
            .flat_map(|(group, men, women)| {
                [(Gender::Male, *men), (Gender::Female, *women)]
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(gender, count)| CompositionCount {
                        group: (*group).to_owned(),
                        gender,
                        count,
                    })
            })
            .collect();
        let total: u32 = composition.iter().map(|r| r.count).sum();
        let women: u32 = composition
            .iter()
            .filter(|r| r.gender == Gender::Female)
            .map(|r| r.count)
            .sum();
        let attendance: Vec<String> = cercle
            .forum
            .iter()
            .map(|(group, men, w)| format!("{} : {}", study::group(group).fr, men + w))
            .collect();
        let order = table.get(c).map(ranking).unwrap_or_default();
        let top: Vec<&str> = order
            .iter()
            .take(3)
            .filter_map(|f| FACTORS.get(*f).map(|x| x.minutes))
            .collect();
        let mut picks: Vec<&str> = RECOMMENDATIONS.to_vec();
        rng.shuffle(&mut picks);
        picks.truncate(3);

        let header = vec![
            format!(
                "Compte rendu du forum multi-acteurs de validation — cercle de {} — {}",
                cercle.name,
                date_fr(date)
            ),
            format!(
                "Lieu : salle de réunion de la mairie {}. Facilitation : {COORD} et {second}.",
                de(cercle.chef_lieu)
            ),
        ];
        let mut d = Draft::new(&document_code, SYNTHETIC_NOTES_LINE, &header);
        d.line(&format!(
            "Participants : {total} personnes, dont {women} femmes ({}).",
            attendance.join(" ; ")
        ));
        d.line("");
        d.line("1. Présentation. L'équipe a rappelé le contexte d'insécurité (vols de bétail et de véhicules, pillages, mobilité entravée, revenus perdus), puis présenté les sept facteurs de poussée ressortis des entretiens et des groupes de discussion dans les cinq cercles.");
        d.line(&format!(
            "2. Validation. Les participants ont validé les sept facteurs. Pour le cercle de {}, ils placent en tête {}.",
            cercle.name,
            join_fr(&top)
        ));
        d.line(&format!(
            "3. Amendement. Le forum demande de {}.",
            cercle.amendment
        ));
        d.line(&format!(
            "4. Recommandations retenues : {}.",
            picks.join(" ; ")
        ));
        d.line("5. Suite. Le compte rendu sera partagé avec les autorités du cercle et les associations présentes ; l'équipe intégrera les amendements au rapport final.");
        let title = format!("Forum de validation — {} (compte rendu)", cercle.name);
        let (document, codings, passages) =
            d.finish(Some(code.clone()), title, DocumentKind::Notes);
        batch.sessions.push(Session {
            code,
            kind: SessionKind::ValidationForum,
            place,
            date,
            facilitators: vec![COORD.to_owned(), second.to_owned()],
            participants: Vec::new(),
            composition,
            declared_total: Some(total),
        });
        batch.documents.push(document);
        batch.codings.extend(codings);
        batch.passages.extend(passages);
    }
    batch
}

/// "a, b, puis c".
fn join_fr(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{}, puis {last}", init.join(", ")),
    }
}
