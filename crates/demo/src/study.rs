//! The study record, its research questions, stakeholder groups, cercles and
//! the plan of who is heard where.

use chrono::NaiveDate;
use sankore_domain::gazetteer::timbuktu_2017;
use sankore_domain::{
    Gazetteer, Gender, Lang, Localized, PlaceCode, PlaceLevel, Quota, ResearchQuestion,
    StakeholderGroup, Study, TeamMember,
};

/// Name of the synthetic reference study.
pub const STUDY_NAME: &str =
    "Diagnostic Study on Violent Extremism in the Timbuktu Region (synthetic demo)";

/// A date of the study calendar; the constants used are all valid.
pub(crate) fn day(year: i32, month: u32, dom: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, dom).unwrap_or_default()
}

/// First day of the study.
pub(crate) fn start() -> NaiveDate {
    day(2017, 4, 20)
}

/// Last day of the study.
pub(crate) fn end() -> NaiveDate {
    day(2017, 6, 10)
}

/// Team handles.
pub(crate) const COORD: &str = "COORD";
/// The first field researcher (transcripts call him "Enquêteur").
pub(crate) const R1: &str = "R1";
/// The second field researcher (transcripts call her "Enquêtrice").
pub(crate) const R2: &str = "R2";

/// The study record, pinned to the 2017 Timbuktu gazetteer.
pub(crate) fn study(gazetteer: &Gazetteer) -> Study {
    Study {
        name: STUDY_NAME.to_owned(),
        start: start(),
        end: end(),
        team: vec![
            TeamMember {
                handle: COORD.to_owned(),
                role: "coordinator".to_owned(),
            },
            TeamMember {
                handle: R1.to_owned(),
                role: "researcher".to_owned(),
            },
            TeamMember {
                handle: R2.to_owned(),
                role: "researcher".to_owned(),
            },
        ],
        languages: vec![Lang::Fr, Lang::En],
        gazetteer_version: gazetteer.version.clone(),
    }
}

/// The gazetteer the study uses.
pub(crate) fn gazetteer() -> Gazetteer {
    timbuktu_2017()
}

/// The six research questions: English as in the reference case, French
/// translated.
pub(crate) const RESEARCH_QUESTIONS: [(&str, &str); 6] = [
    (
        "Quelles sont les populations les plus exposées à la radicalisation menant à l'extrémisme violent, et pourquoi ?",
        "Which are the populations most at risk of radicalization leading to VE and why?",
    ),
    (
        "Où vivent les personnes à risque dans votre cercle ?",
        "Where do the people at risk live in your circle?",
    ),
    (
        "Quels sont les raisons ou facteurs qui favorisent la radicalisation des jeunes des cercles ciblés (idéologiques, économiques, sociaux, politiques) ?",
        "What are the reasons or factors that foster radicalization among the youth of the target circles (ideological, economic, social, political)?",
    ),
    (
        "Où et comment les groupes extrémistes violents recrutent-ils de nouveaux membres ?",
        "Where and how do violent extremist groups recruit new members?",
    ),
    (
        "Quels rôles les leaders communautaires, coutumiers et religieux jouent-ils pour lutter contre le recrutement et l'enrôlement des jeunes dans les groupes extrémistes ?",
        "What are the roles that community, customary and religious leaders play to fight youth recruitment and enrollment in extremist groups?",
    ),
    (
        "Quels sont les moyens les plus efficaces de prévenir la radicalisation menant à l'extrémisme violent ?",
        "What are the most efficient ways to prevent radicalization leading to VE?",
    ),
];

/// The research questions, numbered from 1.
pub(crate) fn research_questions() -> Vec<ResearchQuestion> {
    RESEARCH_QUESTIONS
        .iter()
        .zip(1u8..)
        .map(|((fr, en), number)| ResearchQuestion {
            number,
            text: Localized::new(*fr, *en),
        })
        .collect()
}

/// Voices: which phrases suit a speaker. A phrase fits a speaker when their
/// masks share a bit.
pub(crate) mod voice {
    /// Members of youth associations.
    pub(crate) const YOUTH: u8 = 1;
    /// Members of women's associations.
    pub(crate) const WOMEN: u8 = 1 << 1;
    /// Community, customary and religious leaders.
    pub(crate) const ELDERS: u8 = 1 << 2;
    /// Muslim religious leaders.
    pub(crate) const IMAM: u8 = 1 << 3;
    /// NGO staff.
    pub(crate) const STAFF: u8 = 1 << 4;
    /// Teachers.
    pub(crate) const TEACHER: u8 = 1 << 5;
    /// Local authorities.
    pub(crate) const OFFICIAL: u8 = 1 << 6;
    /// Christian religious leaders.
    pub(crate) const CHRISTIAN: u8 = 1 << 7;
    /// Anyone.
    pub(crate) const ANY: u8 = u8::MAX;
    /// Anyone but local authorities (for complaints about being left out).
    pub(crate) const NOT_OFFICIAL: u8 = ANY & !OFFICIAL;
    /// Those who are kept out of decisions: youth and women, and the staff
    /// and teachers who work with them.
    pub(crate) const LEFT_OUT: u8 = YOUTH | WOMEN | STAFF | TEACHER;
}

/// A stakeholder group with what the generator needs to know about it.
pub(crate) struct GroupInfo {
    pub key: &'static str,
    pub name: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
    /// French description of a member in a focus-group label, by gender.
    pub member: (&'static str, &'static str),
    pub voice: u8,
    /// How readily members raise each of the seven push factors, in the
    /// order of [`crate::PUSH_FACTORS`].
    pub weights: [u32; 7],
}

/// Group keys.
pub(crate) const COMMUNITY: &str = "community-leaders";
pub(crate) const CHRISTIAN: &str = "religious-christian-leaders";
pub(crate) const NGO: &str = "ngo-representatives";
pub(crate) const WOMEN: &str = "womens-associations";
pub(crate) const YOUTH: &str = "youth-associations";
pub(crate) const MUSLIM: &str = "religious-muslim-leaders";
pub(crate) const CUSTOMARY: &str = "customary-leaders";
pub(crate) const AUTHORITIES: &str = "local-authorities";
pub(crate) const TEACHERS: &str = "teachers";

/// The stakeholder groups: the five of the reference case's focus groups
/// first, in its order, then those heard only in interviews and forums.
pub(crate) const GROUPS: [GroupInfo; 9] = [
    GroupInfo {
        key: COMMUNITY,
        name: "community leaders",
        fr: "leaders communautaires",
        en: "community leaders",
        member: ("leader communautaire", "femme leader"),
        voice: voice::ELDERS,
        weights: [3, 2, 4, 3, 7, 7, 3],
    },
    GroupInfo {
        key: CHRISTIAN,
        name: "religious (Christian) leaders",
        fr: "leaders religieux (chrétiens)",
        en: "religious (Christian) leaders",
        member: ("responsable religieux", "responsable religieuse"),
        voice: voice::ELDERS | voice::CHRISTIAN,
        weights: [2, 2, 4, 3, 7, 4, 6],
    },
    GroupInfo {
        key: NGO,
        name: "NGO representatives",
        fr: "représentants d'ONG",
        en: "NGO representatives",
        member: ("représentant d'ONG", "représentante d'ONG"),
        voice: voice::STAFF,
        weights: [7, 5, 3, 5, 3, 3, 4],
    },
    GroupInfo {
        key: WOMEN,
        name: "women's associations",
        fr: "associations de femmes",
        en: "women's associations",
        member: ("homme", "femme"),
        voice: voice::WOMEN,
        weights: [2, 8, 7, 4, 2, 2, 3],
    },
    GroupInfo {
        key: YOUTH,
        name: "youth associations",
        fr: "associations de jeunes",
        en: "youth associations",
        member: ("jeune homme", "jeune femme"),
        voice: voice::YOUTH,
        weights: [3, 7, 2, 9, 2, 2, 5],
    },
    GroupInfo {
        key: MUSLIM,
        name: "religious (Muslim) leaders",
        fr: "leaders religieux (musulmans)",
        en: "religious (Muslim) leaders",
        member: ("imam", "prêcheuse"),
        voice: voice::ELDERS | voice::IMAM,
        weights: [2, 1, 4, 2, 9, 5, 3],
    },
    GroupInfo {
        key: CUSTOMARY,
        name: "customary leaders",
        fr: "chefs coutumiers",
        en: "customary leaders",
        member: ("chef coutumier", "notable"),
        voice: voice::ELDERS,
        weights: [2, 1, 4, 3, 6, 8, 4],
    },
    GroupInfo {
        key: AUTHORITIES,
        name: "local authorities",
        fr: "autorités locales",
        en: "local authorities",
        member: ("élu local", "élue locale"),
        voice: voice::OFFICIAL,
        weights: [1, 3, 4, 7, 4, 5, 2],
    },
    GroupInfo {
        key: TEACHERS,
        name: "teachers",
        fr: "enseignants",
        en: "teachers",
        member: ("enseignant", "enseignante"),
        voice: voice::TEACHER,
        weights: [2, 3, 9, 5, 4, 2, 2],
    },
];

/// The group with this key (the first one when the key is unknown, which
/// the generator never asks for).
pub(crate) fn group(key: &str) -> &'static GroupInfo {
    GROUPS.iter().find(|g| g.key == key).unwrap_or(&GROUPS[0])
}

/// The stakeholder group records.
pub(crate) fn groups() -> Vec<StakeholderGroup> {
    GROUPS
        .iter()
        .map(|g| StakeholderGroup {
            key: g.key.to_owned(),
            name: g.name.to_owned(),
            label: Localized::new(g.fr, g.en),
        })
        .collect()
}

/// What the generator knows of a cercle.
pub(crate) struct CercleInfo {
    pub code: &'static str,
    pub name: &'static str,
    /// Name of the commune of the chef-lieu.
    pub chef_lieu: &'static str,
    /// Languages interviews were partly held in, after "traduits".
    pub spoken: &'static str,
    /// Sentences about the local economy and what was lost.
    pub livelihoods: [&'static str; 3],
    /// Main activity, after "relancer".
    pub activity: &'static str,
    /// Multipliers (in tenths) of the push-factor weights here.
    pub weights: [u32; 7],
    /// Interviews planned: group key, men, women.
    pub interviews: &'static [(&'static str, u32, u32)],
    /// First day of interviews (phase 1).
    pub interview_days: (u32, u32, u32),
    /// Day of the focus groups (phase 2), as (month, day).
    pub focus_day: (u32, u32),
    /// Day of the validation forum, as (month, day).
    pub forum_day: (u32, u32),
    /// Focus groups: youth men, youth women, women, community leaders (men,
    /// women), NGO (men, women), Christian leaders (men).
    pub focus: FocusPlan,
    /// Forum attendance: group key, men, women.
    pub forum: &'static [(&'static str, u32, u32)],
    /// What the forum of this cercle asked to amend.
    pub amendment: &'static str,
}

/// Who took part in a cercle's three focus groups.
pub(crate) struct FocusPlan {
    pub youth: (u32, u32),
    pub women: u32,
    pub leaders: (u32, u32),
    pub ngo: (u32, u32),
    pub christian: u32,
}

/// The five cercles of 2017, in gazetteer order.
pub(crate) const CERCLES: [CercleInfo; 5] = [
    CercleInfo {
        code: "TBK",
        name: "Tombouctou",
        chef_lieu: "Tombouctou",
        spoken: "du songhaï",
        livelihoods: [
            "Depuis que les touristes ne viennent plus à Tombouctou, les guides, les artisans et les hôteliers n'ont plus de travail.",
            "Le commerce entre le port de Kabara et la ville a beaucoup diminué, et les camions venant du sud sont rares.",
            "Les ateliers de maroquinerie et de broderie ferment les uns après les autres faute de clients.",
        ],
        activity: "l'artisanat et le tourisme",
        weights: [16, 10, 10, 12, 10, 8, 8],
        interviews: &[
            (YOUTH, 6, 1),
            (WOMEN, 0, 3),
            (COMMUNITY, 4, 0),
            (CUSTOMARY, 1, 0),
            (MUSLIM, 2, 0),
            (AUTHORITIES, 2, 0),
            (NGO, 1, 1),
            (TEACHERS, 2, 0),
        ],
        interview_days: (4, 24, 5),
        focus_day: (5, 15),
        forum_day: (6, 1),
        focus: FocusPlan {
            youth: (10, 5),
            women: 15,
            leaders: (7, 0),
            ngo: (1, 1),
            christian: 3,
        },
        forum: &[
            (COMMUNITY, 8, 1),
            (AUTHORITIES, 5, 1),
            (WOMEN, 0, 7),
            (YOUTH, 6, 3),
            (MUSLIM, 3, 0),
            (NGO, 2, 2),
            (CUSTOMARY, 2, 0),
        ],
        amendment: "préciser que le manque de transparence concerne aussi la distribution de l'aide humanitaire et les recrutements des projets",
    },
    CercleInfo {
        code: "GDM",
        name: "Goundam",
        chef_lieu: "Goundam",
        spoken: "du songhaï et du tamasheq",
        livelihoods: [
            "Depuis que le lac Faguibine s'est asséché, les cultures autour des lacs ne nourrissent plus les familles.",
            "Les terres de décrue autour de Goundam donnent de moins en moins, et les pêcheurs du lac Télé ont perdu leur métier.",
            "Le bourgou et les champs de blé d'autrefois ont laissé la place au sable.",
        ],
        activity: "l'agriculture autour des lacs",
        weights: [10, 10, 9, 11, 9, 16, 12],
        interviews: &[
            (YOUTH, 5, 1),
            (WOMEN, 0, 3),
            (COMMUNITY, 3, 0),
            (CUSTOMARY, 2, 0),
            (MUSLIM, 2, 0),
            (AUTHORITIES, 2, 0),
            (NGO, 1, 0),
            (TEACHERS, 1, 0),
        ],
        interview_days: (4, 29, 4),
        focus_day: (5, 17),
        forum_day: (6, 2),
        focus: FocusPlan {
            youth: (9, 6),
            women: 15,
            leaders: (6, 1),
            ngo: (1, 0),
            christian: 0,
        },
        forum: &[
            (COMMUNITY, 7, 1),
            (AUTHORITIES, 4, 0),
            (WOMEN, 0, 6),
            (YOUTH, 5, 2),
            (MUSLIM, 2, 0),
            (NGO, 1, 1),
            (CUSTOMARY, 3, 0),
        ],
        amendment: "ajouter les litiges fonciers nés du retrait du lac Faguibine comme facteur aggravant de l'injustice",
    },
    CercleInfo {
        code: "GRH",
        name: "Gourma-Rharous",
        chef_lieu: "Rharous",
        spoken: "du tamasheq et du songhaï",
        livelihoods: [
            "Dans le Gourma, l'élevage était notre seule richesse, mais les pâturages et les puits sont devenus dangereux.",
            "La foire de Gossi ne réunit plus autant d'acheteurs qu'avant, et les éleveurs vendent leurs animaux à perte.",
            "Les éleveurs ne peuvent plus suivre les pistes de transhumance habituelles vers les mares.",
        ],
        activity: "l'élevage",
        weights: [10, 8, 7, 9, 10, 13, 18],
        interviews: &[
            (YOUTH, 4, 1),
            (WOMEN, 0, 2),
            (COMMUNITY, 3, 0),
            (CUSTOMARY, 2, 0),
            (MUSLIM, 2, 0),
            (AUTHORITIES, 2, 0),
            (NGO, 0, 1),
            (TEACHERS, 1, 0),
        ],
        interview_days: (5, 6, 4),
        focus_day: (5, 22),
        forum_day: (6, 5),
        focus: FocusPlan {
            youth: (10, 4),
            women: 14,
            leaders: (7, 0),
            ngo: (0, 1),
            christian: 0,
        },
        forum: &[
            (COMMUNITY, 6, 0),
            (AUTHORITIES, 4, 0),
            (WOMEN, 0, 5),
            (YOUTH, 5, 2),
            (MUSLIM, 2, 0),
            (NGO, 1, 1),
            (CUSTOMARY, 4, 0),
        ],
        amendment: "insister sur la situation des éleveurs nomades, souvent oubliés des projets comme des services publics",
    },
    CercleInfo {
        code: "DIR",
        name: "Diré",
        chef_lieu: "Diré",
        spoken: "du songhaï",
        livelihoods: [
            "Sur les périmètres irrigués de Diré, il manque des motopompes et du gasoil ; beaucoup de parcelles restent sans culture.",
            "Quand la crue du fleuve est mauvaise, toute la campagne de riz est perdue et les jeunes n'ont plus rien à faire.",
            "Le blé et le riz de Diré se vendaient jusqu'à Tombouctou, mais les routes sont devenues trop dangereuses.",
        ],
        activity: "la riziculture sur les périmètres irrigués",
        weights: [9, 10, 13, 16, 9, 10, 9],
        interviews: &[
            (YOUTH, 4, 1),
            (WOMEN, 0, 3),
            (COMMUNITY, 3, 0),
            (CUSTOMARY, 1, 0),
            (MUSLIM, 2, 0),
            (AUTHORITIES, 2, 0),
            (NGO, 1, 0),
            (TEACHERS, 1, 0),
        ],
        interview_days: (5, 2, 4),
        focus_day: (5, 19),
        forum_day: (6, 3),
        focus: FocusPlan {
            youth: (9, 5),
            women: 14,
            leaders: (7, 0),
            ngo: (1, 0),
            christian: 0,
        },
        forum: &[
            (COMMUNITY, 7, 0),
            (AUTHORITIES, 4, 1),
            (WOMEN, 0, 6),
            (YOUTH, 6, 2),
            (MUSLIM, 2, 0),
            (NGO, 1, 0),
            (TEACHERS, 2, 1),
        ],
        amendment: "relier explicitement le chômage des jeunes à l'abandon des périmètres irrigués faute de motopompes",
    },
    CercleInfo {
        code: "NFK",
        name: "Niafunké",
        chef_lieu: "Soboundou",
        spoken: "du songhaï et du peul",
        livelihoods: [
            "Les bourgoutières et la pêche faisaient vivre Niafunké, mais le poisson diminue et l'accès aux pâturages est disputé.",
            "Depuis la crise, les pêcheurs ne peuvent plus descendre le fleuve vers Léré comme avant.",
            "Les champs de riz le long du fleuve ne suffisent plus, et la moitié des jeunes partent en exode.",
        ],
        activity: "la pêche et l'exploitation des bourgoutières",
        weights: [10, 13, 10, 10, 16, 9, 10],
        interviews: &[
            (YOUTH, 4, 1),
            (WOMEN, 0, 3),
            (COMMUNITY, 3, 0),
            (CUSTOMARY, 1, 0),
            (MUSLIM, 2, 0),
            (AUTHORITIES, 1, 0),
            (NGO, 1, 0),
            (TEACHERS, 2, 0),
        ],
        interview_days: (5, 9, 4),
        focus_day: (5, 24),
        forum_day: (6, 6),
        focus: FocusPlan {
            youth: (10, 4),
            women: 14,
            leaders: (6, 1),
            ngo: (1, 0),
            christian: 0,
        },
        forum: &[
            (COMMUNITY, 6, 1),
            (AUTHORITIES, 3, 0),
            (WOMEN, 0, 6),
            (YOUTH, 5, 3),
            (MUSLIM, 3, 0),
            (NGO, 1, 0),
            (CUSTOMARY, 2, 0),
        ],
        amendment: "mentionner le rôle des prêcheurs itinérants venus de l'extérieur dans la mauvaise compréhension de la religion",
    },
];

/// Interview quotas: per cercle, group and gender, as planned.
pub(crate) fn quotas(gazetteer: &Gazetteer) -> Vec<Quota> {
    let mut out = Vec::new();
    for cercle in &CERCLES {
        let Some(place) = cercle_place(gazetteer, cercle) else {
            continue;
        };
        for (group, men, women) in cercle.interviews {
            for (gender, target) in [(Gender::Male, *men), (Gender::Female, *women)] {
                if target > 0 {
                    out.push(Quota {
                        place: place.clone(),
                        group: (*group).to_owned(),
                        gender,
                        target,
                    });
                }
            }
        }
    }
    out
}

/// The communes of a cercle in the gazetteer, as (code, name).
pub(crate) fn communes(gazetteer: &Gazetteer, cercle: &CercleInfo) -> Vec<(PlaceCode, String)> {
    gazetteer
        .at_level(PlaceLevel::Commune)
        .filter(|p| p.parent.as_ref().is_some_and(|c| c.as_str() == cercle.code))
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect()
}

/// The cercle's own place code.
pub(crate) fn cercle_place(gazetteer: &Gazetteer, cercle: &CercleInfo) -> Option<PlaceCode> {
    gazetteer
        .at_level(PlaceLevel::Cercle)
        .find(|p| p.code.as_str() == cercle.code)
        .map(|p| p.code.clone())
}

/// The chef-lieu commune of a cercle.
pub(crate) fn chef_lieu(gazetteer: &Gazetteer, cercle: &CercleInfo) -> Option<(PlaceCode, String)> {
    communes(gazetteer, cercle)
        .into_iter()
        .find(|(_, name)| name == cercle.chef_lieu)
}

/// French "de X" with elision before a vowel.
pub(crate) fn de(name: &str) -> String {
    let elide = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÉÈÊaeiouyéèê".contains(c));
    if elide {
        format!("d'{name}")
    } else {
        format!("de {name}")
    }
}

/// French name of a gender, for headers.
pub(crate) fn gender_fr(gender: Gender) -> &'static str {
    match gender {
        Gender::Female => "femme",
        Gender::Male => "homme",
        Gender::Unspecified => "non précisé",
    }
}

/// A date written the French way: "1er juin 2017".
pub(crate) fn date_fr(date: NaiveDate) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = usize::try_from(date.month0())
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or_default();
    let dom = if date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{dom} {month} {}", date.year())
}
