//! What the study led to: findings (the seven push factors and the
//! conclusions of the reference case), recommendations with stakeholder
//! roles, actions after the forums, and a few analysts' memos.

use sankore_domain::{
    Action, ActionStatus, Agreement, CodeKey, CompositionCount, Finding, ForumOutcome, Gender,
    Localized, Memo, MemoTarget, OutcomeKind, PlaceCode, Recommendation, TextBody,
};

use crate::codebook::{INSECURITY, PUSH_FACTORS};
use crate::study::{self, AUTHORITIES, COMMUNITY, COORD, CUSTOMARY, MUSLIM, NGO, WOMEN, YOUTH};

/// A push factor as the study reports it.
pub(crate) struct Factor {
    /// Finding key.
    pub slug: &'static str,
    /// Code key, one of [`PUSH_FACTORS`].
    pub code: &'static str,
    /// Statement in French.
    pub fr: &'static str,
    /// Statement in English, as in the reference case.
    pub en: &'static str,
    /// How the forum minutes name it.
    pub minutes: &'static str,
}

/// The seven push factors, in the order of [`PUSH_FACTORS`].
pub(crate) const FACTORS: [Factor; 7] = [
    Factor {
        slug: "f-transparency",
        code: PUSH_FACTORS[0],
        fr: "Manque de transparence des autorités chargées de la gestion des affaires locales ou publiques",
        en: "Lack of transparency among the authorities in charge of managing local or public affairs",
        minutes: "le manque de transparence des autorités",
    },
    Factor {
        slug: "f-participation",
        code: PUSH_FACTORS[1],
        fr: "Faible implication des jeunes et des femmes dans la prise de décision locale",
        en: "Low involvement of youth and women in local decision making",
        minutes: "la faible implication des jeunes et des femmes dans les décisions",
    },
    Factor {
        slug: "f-education",
        code: PUSH_FACTORS[2],
        fr: "Effritement des valeurs éducatives",
        en: "Erosion of educational values",
        minutes: "l'effritement des valeurs éducatives",
    },
    Factor {
        slug: "f-youth-jobs",
        code: PUSH_FACTORS[3],
        fr: "Manque d'accès des jeunes à des opportunités d'emploi décent",
        en: "Lack of youth access to decent employment opportunities",
        minutes: "le manque d'emplois décents pour les jeunes",
    },
    Factor {
        slug: "f-religion",
        code: PUSH_FACTORS[4],
        fr: "Mauvaise compréhension de la religion et de l'islam",
        en: "Misunderstanding of religion and Islam",
        minutes: "la mauvaise compréhension de la religion",
    },
    Factor {
        slug: "f-justice",
        code: PUSH_FACTORS[5],
        fr: "Faiblesse de la prestation des services judiciaires",
        en: "Poor judicial service delivery",
        minutes: "la faiblesse du service judiciaire",
    },
    Factor {
        slug: "f-marginalisation",
        code: PUSH_FACTORS[6],
        fr: "Injustice, marginalisation et discrimination",
        en: "Injustice, marginalization, and discrimination",
        minutes: "l'injustice, la marginalisation et la discrimination",
    },
];

fn keys(codes: &[&str]) -> Vec<CodeKey> {
    codes.iter().filter_map(|c| CodeKey::new(c).ok()).collect()
}

fn finding(key: &str, fr: &str, en: &str, rq: u8, codes: &[&str]) -> Finding {
    Finding {
        key: key.to_owned(),
        statement: Localized::new(fr, en),
        research_question: rq,
        places: Vec::new(),
        codes: keys(codes),
    }
}

/// The findings: the seven push factors (RQ3, whole region), then the
/// context and the conclusions the reference case drew.
pub(crate) fn findings() -> Vec<Finding> {
    let mut out: Vec<Finding> = FACTORS
        .iter()
        .map(|f| finding(f.slug, f.fr, f.en, 3, &[f.code]))
        .collect();
    out.push(finding(
        "f-insecurity",
        "L'insécurité (vols de bétail et de véhicules, pillages) aggrave la pauvreté et la vulnérabilité des populations : mobilité entravée, activités économiques et revenus perdus.",
        "Insecurity (theft of cattle and vehicles, looting of property) aggravates the poverty and vulnerability of local populations: hampered mobility, lost economic activity and income.",
        1,
        &[INSECURITY],
    ));
    out.push(finding(
        "f-weak-cohesion",
        "La faiblesse de la cohésion communautaire accroît la vulnérabilité à l'extrémisme violent.",
        "Weak community cohesion exacerbates vulnerability to VE.",
        5,
        &["resilience.leaders", "prevention.cohesion"],
    ));
    out.push(finding(
        "f-community-means",
        "Les communautés manquent de moyens, de ressources et de partenariats pour mener des activités de P/CVE et ont besoin d'appui pour renforcer la cohésion et la résilience.",
        "Communities lack the means, resources and partnerships to carry out P/CVE activities and need support to strengthen community cohesion and resilience.",
        6,
        &["prevention.cohesion"],
    ));
    let mut added = finding(
        ADDED_FINDING,
        "Les conflits entre agriculteurs et éleveurs pour l'accès aux terres, aux bourgoutières et aux points d'eau nourrissent le ressentiment dont profitent les groupes armés.",
        "Conflicts between farmers and herders over access to land, bourgou pastures and water points feed resentment that armed groups exploit.",
        3,
        &["push.economic.resources", "push.social.intercommunal"],
    );
    added.places = place("DIR");
    out.push(added);
    out.push(finding(
        "f-grassroots-engagement",
        "Il importe d'impliquer les communautés de base à toutes les étapes des activités de P/CVE, y compris les diagnostics et la conception.",
        "Grassroots communities must be engaged in all stages of P/CVE activities, including assessments and design.",
        6,
        &["prevention.dialogue", "prevention.cohesion"],
    ));
    out
}

/// The finding the Diré forum put forward itself.
const ADDED_FINDING: &str = "f-farmer-herder";

/// A forum's outcome that is not "validated by consensus".
struct OutcomeDef {
    /// Cercle code; the forum is `{cercle}-VAL-01`.
    cercle: &'static str,
    finding: &'static str,
    kind: OutcomeKind,
    /// New wording (amended) or reasons (rejected), French then English.
    text: (&'static str, &'static str),
    agreement: Agreement,
}

const OUTCOMES: &[OutcomeDef] = &[
    OutcomeDef {
        cercle: "TBK",
        finding: "f-transparency",
        kind: OutcomeKind::Amended,
        text: (
            "Manque de transparence des autorités chargées de la gestion des affaires locales ou publiques, y compris dans la distribution de l'aide humanitaire et les recrutements des projets",
            "Lack of transparency among the authorities in charge of managing local or public affairs, including in the distribution of humanitarian aid and in project hiring",
        ),
        agreement: Agreement::Consensus,
    },
    OutcomeDef {
        cercle: "GDM",
        finding: "f-marginalisation",
        kind: OutcomeKind::Amended,
        text: (
            "Injustice, marginalisation et discrimination, aggravées par les litiges fonciers nés du retrait du lac Faguibine",
            "Injustice, marginalization, and discrimination, made worse by the land disputes that followed the retreat of Lake Faguibine",
        ),
        agreement: Agreement::Majority,
    },
    OutcomeDef {
        cercle: "GRH",
        finding: "f-education",
        kind: OutcomeKind::Rejected,
        text: (
            "Pour la majorité des participants, les valeurs éducatives restent fortes dans les familles ; c'est l'absence d'écoles et d'enseignants dans les zones nomades qui pèse, et elle relève de l'absence de l'État.",
            "",
        ),
        agreement: Agreement::Split,
    },
    OutcomeDef {
        cercle: "DIR",
        finding: "f-youth-jobs",
        kind: OutcomeKind::Amended,
        text: (
            "Manque d'accès des jeunes à des opportunités d'emploi décent, aggravé par l'abandon des périmètres irrigués faute de motopompes",
            "Lack of youth access to decent employment opportunities, made worse by irrigated plots abandoned for want of motor pumps",
        ),
        agreement: Agreement::Consensus,
    },
    OutcomeDef {
        cercle: "DIR",
        finding: ADDED_FINDING,
        kind: OutcomeKind::Added,
        text: ("", ""),
        agreement: Agreement::Majority,
    },
    OutcomeDef {
        cercle: "NFK",
        finding: "f-religion",
        kind: OutcomeKind::Amended,
        text: (
            "Mauvaise compréhension de la religion et de l'islam, entretenue par des prêcheurs itinérants venus de l'extérieur",
            "Misunderstanding of religion and Islam, fed by itinerant preachers from outside the area",
        ),
        agreement: Agreement::Majority,
    },
];

/// What the five forums decided: each forum discussed the seven push
/// factors and the context of insecurity, validating them by consensus
/// except where [`OUTCOMES`] says otherwise (four amendments, one
/// rejection, one finding added by the Diré forum).
pub(crate) fn forum_outcomes() -> Vec<ForumOutcome> {
    let presented: Vec<&str> = FACTORS
        .iter()
        .map(|f| f.slug)
        .chain(["f-insecurity"])
        .collect();
    let mut out = Vec::new();
    for cercle in ["TBK", "GDM", "GRH", "DIR", "NFK"] {
        let special: Vec<&OutcomeDef> = OUTCOMES.iter().filter(|o| o.cercle == cercle).collect();
        for finding in presented.iter().copied().chain(
            special
                .iter()
                .filter(|o| o.kind == OutcomeKind::Added)
                .map(|o| o.finding),
        ) {
            let def = special.iter().find(|o| o.finding == finding);
            let kind = def.map_or(OutcomeKind::Validated, |d| d.kind);
            let text = def.map(|d| d.text);
            out.push(ForumOutcome {
                forum: format!("{cercle}-VAL-01"),
                finding: finding.to_owned(),
                kind,
                wording: text
                    .filter(|_| kind == OutcomeKind::Amended)
                    .map(|(fr, en)| Localized::new(fr, en)),
                reasons: text
                    .filter(|_| kind == OutcomeKind::Rejected)
                    .map(|(fr, _)| fr.to_owned()),
                agreement: def.map_or(Agreement::Consensus, |d| d.agreement),
            });
        }
    }
    out
}

fn role(who: &str, fr: &str, en: &str) -> (String, Localized) {
    (who.to_owned(), Localized::new(fr, en))
}

/// Recommendations from the forums, with who should do what.
pub(crate) fn recommendations() -> Vec<Recommendation> {
    vec![
        Recommendation {
            key: "r-whistleblower-law".to_owned(),
            text: Localized::new(
                "Adopter et faire connaître une législation protégeant les lanceurs d'alerte qui dénoncent la mauvaise gestion des affaires publiques.",
                "Adopt and publicise whistleblower legislation protecting those who report mismanagement of public affairs.",
            ),
            findings: vec!["f-transparency".to_owned(), "f-justice".to_owned()],
            roles: vec![
                role(
                    "national authorities",
                    "Préparer et faire adopter le texte de loi.",
                    "Draft the law and have it passed.",
                ),
                role(
                    "local authorities",
                    "Afficher les budgets et rendre compte publiquement de leur gestion.",
                    "Post budgets and report publicly on their management.",
                ),
                role(
                    "NGO representatives",
                    "Plaider pour la loi et en informer les communautés.",
                    "Advocate for the law and inform communities about it.",
                ),
            ],
        },
        Recommendation {
            key: "r-hotline".to_owned(),
            text: Localized::new(
                "Mettre en place une ligne verte gratuite pour signaler les cas de recrutement, les abus et la mauvaise gestion, sans exiger l'identité de l'appelant.",
                "Set up a toll-free hotline to report recruitment, abuses and mismanagement, without asking for the caller's identity.",
            ),
            findings: vec![
                "f-transparency".to_owned(),
                "f-justice".to_owned(),
                "f-marginalisation".to_owned(),
            ],
            roles: vec![
                role(
                    "regional authorities",
                    "Désigner un service chargé de donner suite aux signalements.",
                    "Designate a service to act on reports.",
                ),
                role(
                    "telecom operators",
                    "Rendre les appels gratuits et ne pas conserver les numéros appelants.",
                    "Make calls free and keep no caller numbers.",
                ),
                role(
                    "civil society organisations",
                    "Trier et suivre les signalements, et informer le public de leurs suites.",
                    "Triage and follow up reports, and tell the public what came of them.",
                ),
            ],
        },
        Recommendation {
            key: "r-digital-platforms".to_owned(),
            text: Localized::new(
                "Créer des plateformes web et des applications mobiles pour suivre les projets publics et signaler les problèmes.",
                "Create web platforms and mobile applications to follow public projects and report problems.",
            ),
            findings: vec!["f-transparency".to_owned(), "f-participation".to_owned()],
            roles: vec![
                role(
                    "youth associations",
                    "Co-concevoir les outils et les faire connaître auprès des jeunes.",
                    "Co-design the tools and promote them among young people.",
                ),
                role(
                    "local authorities",
                    "Publier les informations sur les projets et les budgets.",
                    "Publish information on projects and budgets.",
                ),
            ],
        },
        Recommendation {
            key: "r-roundtables".to_owned(),
            text: Localized::new(
                "Organiser des tables rondes réunissant les jeunes, les femmes et les leaders communautaires avec les autorités.",
                "Hold roundtables bringing youth, women and community leaders together with the authorities.",
            ),
            findings: vec![
                "f-participation".to_owned(),
                "f-youth-jobs".to_owned(),
                "f-religion".to_owned(),
                "f-grassroots-engagement".to_owned(),
            ],
            roles: vec![
                role(
                    "AMSS",
                    "Préparer et animer les tables rondes, et en publier les conclusions.",
                    "Prepare and facilitate the roundtables, and publish their conclusions.",
                ),
                role(
                    "community leaders",
                    "Mobiliser les participants et porter les engagements pris.",
                    "Mobilise participants and carry the commitments made.",
                ),
                role(
                    "women's associations",
                    "Désigner leurs représentantes et restituer les échanges aux membres.",
                    "Name their representatives and report back to members.",
                ),
                role(
                    "youth associations",
                    "Désigner leurs représentants et proposer des actions concrètes.",
                    "Name their representatives and propose concrete actions.",
                ),
            ],
        },
        Recommendation {
            key: "r-community-cohesion".to_owned(),
            text: Localized::new(
                "Soutenir des activités de cohésion conçues et menées par les communautés elles-mêmes.",
                "Support cohesion activities designed and led by the communities themselves.",
            ),
            findings: vec![
                "f-marginalisation".to_owned(),
                "f-education".to_owned(),
                "f-weak-cohesion".to_owned(),
                "f-community-means".to_owned(),
            ],
            roles: vec![
                role(
                    "community leaders",
                    "Concevoir et porter les activités avec leurs communautés.",
                    "Design and lead the activities with their communities.",
                ),
                role(
                    "religious leaders",
                    "Relayer les messages de paix et de tolérance.",
                    "Relay messages of peace and tolerance.",
                ),
                role(
                    "partners and donors",
                    "Apporter les moyens matériels et financiers.",
                    "Provide material and financial means.",
                ),
            ],
        },
    ]
}

/// The region's place code, and a cercle's.
fn place(code: &str) -> Vec<PlaceCode> {
    PlaceCode::new(code).into_iter().collect()
}

struct ActionDef {
    key: &'static str,
    fr: &'static str,
    en: &'static str,
    recommendation: &'static str,
    place: Option<&'static str>,
    start: (i32, u32, u32),
    due: (i32, u32, u32),
    responsible: &'static str,
    status: ActionStatus,
    /// Who took part: (group, men, women).
    participants: &'static [(&'static str, u32, u32)],
    /// What came of it.
    notes: Option<&'static str>,
}

const ACTIONS: &[ActionDef] = &[
    ActionDef {
        key: "a-roundtables-timbuktu",
        fr: "Tables rondes avec les jeunes, les femmes et les leaders communautaires — région de Tombouctou",
        en: "Roundtables with youth, women and community leaders — Timbuktu region",
        recommendation: "r-roundtables",
        place: Some("ML-6"),
        start: (2017, 7, 11),
        due: (2017, 8, 31),
        responsible: "AMSS",
        status: ActionStatus::Done,
        participants: &[
            (YOUTH, 9, 6),
            (WOMEN, 0, 12),
            (COMMUNITY, 8, 1),
            (AUTHORITIES, 4, 0),
        ],
        notes: Some(
            "Trois tables rondes tenues (Tombouctou, Goundam, Diré) ; les autorités se sont engagées à afficher les budgets communaux et à associer deux représentants des jeunes et deux des femmes aux sessions budgétaires.",
        ),
    },
    ActionDef {
        key: "a-roundtables-second-region",
        fr: "Tables rondes avec les jeunes, les femmes et les leaders communautaires — seconde région (hors de ce répertoire géographique)",
        en: "Roundtables with youth, women and community leaders — second region (outside this gazetteer)",
        recommendation: "r-roundtables",
        place: None,
        start: (2017, 9, 5),
        due: (2017, 10, 31),
        responsible: "AMSS",
        status: ActionStatus::Done,
        participants: &[(YOUTH, 8, 5), (WOMEN, 0, 10), (COMMUNITY, 7, 0)],
        notes: Some("Deux tables rondes tenues ; recommandations transmises au gouvernorat."),
    },
    ActionDef {
        key: "a-cohesion-tombouctou",
        fr: "Journée intercommunautaire de salubrité et de dialogue — Tombouctou",
        en: "Inter-community clean-up and dialogue day — Tombouctou",
        recommendation: "r-community-cohesion",
        place: Some("TBK"),
        start: (2017, 11, 4),
        due: (2017, 11, 30),
        responsible: "community leaders of Tombouctou, supported by AMSS",
        status: ActionStatus::Done,
        participants: &[
            (YOUTH, 40, 25),
            (WOMEN, 0, 30),
            (COMMUNITY, 6, 0),
            (MUSLIM, 3, 0),
        ],
        notes: Some(
            "Quartiers nettoyés par des équipes mixtes de jeunes de toutes les communautés ; un comité de suivi désigné.",
        ),
    },
    ActionDef {
        key: "a-cohesion-rharous",
        fr: "Tournoi sportif de la paix entre fractions — Gourma-Rharous",
        en: "Peace sports tournament between clans — Gourma-Rharous",
        recommendation: "r-community-cohesion",
        place: Some("GRH"),
        start: (2017, 12, 2),
        due: (2018, 1, 15),
        responsible: "youth associations of Gourma-Rharous, supported by AMSS",
        status: ActionStatus::UnderWay,
        participants: &[(YOUTH, 64, 0), (COMMUNITY, 5, 0), (CUSTOMARY, 3, 0)],
        notes: None,
    },
    ActionDef {
        key: "a-cohesion-niafunke",
        fr: "Caravane culturelle et causeries intergénérationnelles — Niafunké",
        en: "Cultural caravan and intergenerational talks — Niafunké",
        recommendation: "r-community-cohesion",
        place: Some("NFK"),
        start: (2018, 1, 20),
        due: (2018, 2, 28),
        responsible: "women's associations and community leaders of Niafunké, supported by AMSS",
        status: ActionStatus::Planned,
        participants: &[],
        notes: None,
    },
    ActionDef {
        key: "a-hotline-feasibility",
        fr: "Étude de faisabilité d'une ligne verte gratuite",
        en: "Feasibility study for a toll-free hotline",
        recommendation: "r-hotline",
        place: Some("ML-6"),
        start: (2017, 10, 2),
        due: (2017, 12, 22),
        responsible: "AMSS",
        status: ActionStatus::Planned,
        participants: &[],
        notes: None,
    },
    ActionDef {
        key: "a-whistleblower-advocacy",
        fr: "Plaidoyer national pour une loi sur les lanceurs d'alerte",
        en: "National advocacy for a whistleblower law",
        recommendation: "r-whistleblower-law",
        place: None,
        start: (2017, 9, 15),
        due: (2018, 6, 30),
        responsible: "civil society platform",
        status: ActionStatus::Dropped,
        participants: &[(NGO, 3, 1)],
        notes: Some(
            "Abandonné : le plaidoyer est repris par une plateforme nationale de la société civile.",
        ),
    },
];

/// Actions after the forums, with mixed statuses.
pub(crate) fn actions() -> Vec<Action> {
    ACTIONS
        .iter()
        .map(|a| Action {
            key: a.key.to_owned(),
            title: Localized::new(a.fr, a.en),
            recommendation: Some(a.recommendation.to_owned()),
            places: a.place.map(place).unwrap_or_default(),
            start: Some(study::day(a.start.0, a.start.1, a.start.2)),
            due: Some(study::day(a.due.0, a.due.1, a.due.2)),
            responsible: a.responsible.to_owned(),
            status: a.status,
            participants: a
                .participants
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
                .collect(),
            outcome_notes: a.notes.map(str::to_owned),
        })
        .collect()
}

/// A study memo on the data's nature, and an analyst's memo on a code.
pub(crate) fn memos() -> Vec<Memo> {
    let mut memos = vec![Memo {
        title: "Données synthétiques".to_owned(),
        body: TextBody::new(
            "[DONNÉES SYNTHÉTIQUES — SYNTHETIC DATA] Toutes les transcriptions, tous les comptes rendus et tous les codages de cette étude sont fictifs. Ils reproduisent la forme de l'étude de référence (97 entretiens dont 21 femmes, 188 participants aux groupes de discussion, cinq forums) pour la démonstration et les tests de Sankore.",
        ),
        author: COORD.to_owned(),
        target: MemoTarget::Study,
    }];
    if let Ok(code) = CodeKey::new("push.governance.participation") {
        memos.push(Memo {
            title: "Participation : deux voix différentes".to_owned(),
            body: TextBody::new(
                "Les jeunes parlent surtout d'être écoutés et d'avoir un rôle ; les femmes, d'être présentes là où les décisions se prennent. À distinguer dans le rapport, sans citer de passage identifiant.",
            ),
            author: "R1".to_owned(),
            target: MemoTarget::Code(code),
        });
    }
    memos
}
