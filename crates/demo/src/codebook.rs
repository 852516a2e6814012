//! The default codebook of `domain.md` §5 (drivers of violent extremism), as
//! a tree of codes with French and English names, colours and links to the
//! reference study's six research questions.
//!
//! Where §5 has no exact match for one of the reference study's seven push
//! factors, a child code is added (`push.governance.transparency`,
//! `push.governance.participation`); the context of insecurity gets its own
//! branch.

use sankore_domain::{Code, CodeKey, Codebook, Color, Localized};

/// The seven push factors of the reference study, as code keys, in the order
/// the study reports them.
pub const PUSH_FACTORS: [&str; 7] = [
    "push.governance.transparency",
    "push.governance.participation",
    "push.social.education",
    "push.economic.jobs",
    "push.social.religion",
    "push.governance.justice",
    "push.social.marginalisation",
];

/// The code for the context of insecurity (theft of cattle and vehicles,
/// looting, lost mobility and income).
pub const INSECURITY: &str = "context.insecurity";

/// Label of the default codebook.
pub const CODEBOOK_LABEL: &str = "Facteurs de l'extrémisme violent — v1 (défaut Sankore)";

/// Number of research questions the codebook's links refer to.
pub(crate) const RESEARCH_QUESTIONS: u8 = 6;

/// One code as written in the table below; the parent is the key minus its
/// last dotted segment.
struct Def {
    key: &'static str,
    fr: &'static str,
    en: &'static str,
    desc_fr: &'static str,
    desc_en: &'static str,
    color: &'static str,
    rqs: &'static [u8],
}

const fn def(
    key: &'static str,
    names: (&'static str, &'static str),
    desc: (&'static str, &'static str),
    color: &'static str,
    rqs: &'static [u8],
) -> Def {
    Def {
        key,
        fr: names.0,
        en: names.1,
        desc_fr: desc.0,
        desc_en: desc.1,
        color,
        rqs,
    }
}

const PUSH_RQ: &[u8] = &[1, 3];
const RQ3: &[u8] = &[3];

/// The codebook, parents before children.
const DEFS: &[Def] = &[
    def(
        "push",
        ("Facteurs de poussée", "Push factors"),
        (
            "Conditions structurelles (économiques, de gouvernance, sociales) qui rendent les personnes vulnérables.",
            "Structural conditions (economic, governance, social) that make people vulnerable.",
        ),
        "#b22222",
        PUSH_RQ,
    ),
    def(
        "push.economic",
        ("Économiques", "Economic"),
        (
            "Emploi, moyens de subsistance, privation, ressources naturelles.",
            "Jobs, livelihoods, deprivation, natural resources.",
        ),
        "#e6550d",
        PUSH_RQ,
    ),
    def(
        "push.economic.jobs",
        (
            "Manque d'emplois décents pour les jeunes",
            "Lack of decent jobs for youth",
        ),
        (
            "Manque d'accès des jeunes à des opportunités d'emploi décent ; chômage, moyens de subsistance perdus.",
            "Lack of youth access to decent employment opportunities; unemployment, lost livelihoods.",
        ),
        "#fd8d3c",
        PUSH_RQ,
    ),
    def(
        "push.economic.deprivation",
        ("Privation relative", "Relative deprivation"),
        (
            "Sentiment d'avoir moins que d'autres groupes ou que ce qui est dû.",
            "Feeling of having less than other groups or than one is owed.",
        ),
        "#fdae6b",
        PUSH_RQ,
    ),
    def(
        "push.economic.resources",
        (
            "Ressources naturelles et climat",
            "Natural resources and climate",
        ),
        (
            "Accès à la terre, à l'eau, aux pâturages ; sécheresse, retrait des lacs, crues.",
            "Access to land, water and pasture; drought, shrinking lakes, floods.",
        ),
        "#a63603",
        PUSH_RQ,
    ),
    def(
        "push.governance",
        ("Gouvernance", "Governance"),
        (
            "Rapports entre l'État, les autorités et les citoyens.",
            "Relations between the state, authorities and citizens.",
        ),
        "#756bb1",
        PUSH_RQ,
    ),
    def(
        "push.governance.absent-state",
        ("État et services absents", "Absent state and services"),
        (
            "Absence de l'administration, des écoles, des centres de santé, de la sécurité.",
            "No administration, schools, health centres or security.",
        ),
        "#9e9ac8",
        PUSH_RQ,
    ),
    def(
        "push.governance.corruption",
        ("Corruption et impunité", "Corruption and impunity"),
        (
            "Détournements, passe-droits, absence de sanction.",
            "Embezzlement, favours, no sanction.",
        ),
        "#54278f",
        PUSH_RQ,
    ),
    def(
        "push.governance.security-abuses",
        ("Abus des forces de sécurité", "Abuses by security forces"),
        (
            "Arrestations arbitraires, mauvais traitements, rackets aux postes de contrôle.",
            "Arbitrary arrests, ill-treatment, extortion at checkpoints.",
        ),
        "#bcbddc",
        PUSH_RQ,
    ),
    def(
        "push.governance.exclusion",
        (
            "Exclusion selon le lieu ou l'appartenance",
            "Exclusion by place or ethnicity",
        ),
        (
            "Zones ou communautés tenues à l'écart des services et des décisions.",
            "Areas or communities kept away from services and decisions.",
        ),
        "#6a51a3",
        PUSH_RQ,
    ),
    def(
        "push.governance.justice",
        (
            "Faiblesse du service judiciaire",
            "Poor judicial service delivery",
        ),
        (
            "Justice lointaine, lente, coûteuse ou partiale ; litiges non jugés ; justice parallèle des groupes armés.",
            "Distant, slow, costly or biased justice; cases never heard; armed groups' parallel justice.",
        ),
        "#3f007d",
        PUSH_RQ,
    ),
    def(
        "push.governance.transparency",
        (
            "Manque de transparence des autorités",
            "Lack of transparency of authorities",
        ),
        (
            "Manque de transparence des autorités chargées de la gestion des affaires locales ou publiques.",
            "Lack of transparency among the authorities in charge of managing local or public affairs.",
        ),
        "#807dba",
        PUSH_RQ,
    ),
    def(
        "push.governance.participation",
        (
            "Faible implication des jeunes et des femmes dans les décisions",
            "Low involvement of youth and women in decision making",
        ),
        (
            "Faible implication des jeunes et des femmes dans la prise de décision locale.",
            "Low involvement of youth and women in local decision making.",
        ),
        "#dadaeb",
        PUSH_RQ,
    ),
    def(
        "push.social",
        ("Sociaux et culturels", "Social and cultural"),
        (
            "Marginalisation, identité, conflits, éducation, religion.",
            "Marginalisation, identity, conflict, upbringing, religion.",
        ),
        "#3182bd",
        PUSH_RQ,
    ),
    def(
        "push.social.marginalisation",
        (
            "Injustice, marginalisation et discrimination",
            "Injustice, marginalisation and discrimination",
        ),
        (
            "Sentiment d'injustice, de mise à l'écart ou de discrimination d'une personne ou d'un groupe.",
            "Sense of injustice, exclusion or discrimination of a person or a group.",
        ),
        "#6baed6",
        PUSH_RQ,
    ),
    def(
        "push.social.identity",
        ("Menace identitaire", "Identity threat"),
        (
            "Sentiment que son groupe, sa culture ou son mode de vie sont menacés.",
            "Feeling that one's group, culture or way of life is threatened.",
        ),
        "#08519c",
        PUSH_RQ,
    ),
    def(
        "push.social.intercommunal",
        ("Conflits intercommunautaires", "Intercommunal conflict"),
        (
            "Tensions entre communautés, entre éleveurs et agriculteurs, entre fractions.",
            "Tensions between communities, herders and farmers, clans.",
        ),
        "#9ecae1",
        PUSH_RQ,
    ),
    def(
        "push.social.education",
        (
            "Éducation et effritement des valeurs éducatives",
            "Upbringing, education and erosion of educational values",
        ),
        (
            "Effritement des valeurs éducatives ; écoles fermées, décrochage, perte des repères familiaux.",
            "Erosion of educational values; closed schools, drop-out, loss of family guidance.",
        ),
        "#2171b5",
        PUSH_RQ,
    ),
    def(
        "push.social.religion",
        (
            "Mauvaise compréhension de la religion",
            "Misunderstanding of religion",
        ),
        (
            "Mauvaise compréhension de la religion et de l'islam ; prêches et messages qui déforment les textes.",
            "Misunderstanding of religion and Islam; preaching and messages that distort the texts.",
        ),
        "#c6dbef",
        PUSH_RQ,
    ),
    def(
        "pull",
        ("Facteurs d'attraction", "Pull factors"),
        (
            "Incitations individuelles offertes par un groupe.",
            "Individual incentives a group offers.",
        ),
        "#31a354",
        RQ3,
    ),
    def(
        "pull.material",
        ("Gain matériel", "Material gain"),
        (
            "Argent, motos, salaire, butin.",
            "Money, motorbikes, pay, loot.",
        ),
        "#74c476",
        RQ3,
    ),
    def(
        "pull.status",
        (
            "Statut, respect, appartenance",
            "Status, respect, belonging",
        ),
        (
            "Être reconnu, craint, faire partie d'un groupe.",
            "Being recognised, feared, part of a group.",
        ),
        "#a1d99b",
        RQ3,
    ),
    def(
        "pull.protection",
        ("Protection", "Protection"),
        (
            "Protection de soi, de la famille, du troupeau.",
            "Protection of oneself, one's family, one's herd.",
        ),
        "#006d2c",
        RQ3,
    ),
    def(
        "pull.ideology",
        ("Idéologie et religion", "Ideology and religion"),
        (
            "Promesse d'un ordre juste, d'une récompense religieuse.",
            "Promise of a just order, of a religious reward.",
        ),
        "#238b45",
        RQ3,
    ),
    def(
        "pull.networks",
        ("Réseaux familiaux et amicaux", "Family and friend networks"),
        (
            "Un parent ou un ami déjà engagé qui entraîne les autres.",
            "A relative or friend already involved who draws others in.",
        ),
        "#41ab5d",
        RQ3,
    ),
    def(
        "pull.recruiter",
        ("Recruteur charismatique", "Charismatic recruiter"),
        (
            "Une personne persuasive qui sait toucher les jeunes.",
            "A persuasive person who knows how to reach young people.",
        ),
        "#c7e9c0",
        RQ3,
    ),
    def(
        "pull.coercion",
        ("Contrainte", "Coercion"),
        (
            "Enrôlement forcé, menaces, impôts imposés par les groupes.",
            "Forced enrolment, threats, levies imposed by groups.",
        ),
        "#00441b",
        RQ3,
    ),
    def(
        "triggers",
        (
            "Déclencheurs et points de bascule",
            "Triggers and tipping points",
        ),
        (
            "Événements qui font basculer une personne vulnérable.",
            "Events that tip a vulnerable person over.",
        ),
        "#de2d26",
        RQ3,
    ),
    def(
        "triggers.state-action",
        (
            "Action des autorités ou des forces de sécurité",
            "Government or security-force action",
        ),
        (
            "Arrestation, mauvais traitement ou humiliation d'un proche par des agents de l'État.",
            "Arrest, ill-treatment or humiliation of a relative by state agents.",
        ),
        "#fb6a4a",
        RQ3,
    ),
    def(
        "triggers.personal-loss",
        (
            "Perte personnelle ou violence subie",
            "Personal loss or violence suffered",
        ),
        (
            "Perte du troupeau, d'un proche ou des biens ; violence subie.",
            "Loss of one's herd, a relative or property; violence suffered.",
        ),
        "#a50f15",
        RQ3,
    ),
    def(
        "recruitment",
        ("Recrutement", "Recruitment"),
        (
            "Où, comment et par qui les groupes recrutent.",
            "Where, how and by whom groups recruit.",
        ),
        "#636363",
        &[2, 4],
    ),
    def(
        "recruitment.where",
        ("Où", "Where"),
        (
            "Lieux de recrutement : foires, points d'eau, sites d'orpaillage, campements, quartiers.",
            "Places of recruitment: fairs, water points, gold-mining sites, camps, neighbourhoods.",
        ),
        "#969696",
        &[2, 4],
    ),
    def(
        "recruitment.how",
        ("Comment", "How"),
        (
            "Moyens : téléphones et réseaux sociaux, argent, services rendus, prêches.",
            "Means: phones and social media, money, favours, preaching.",
        ),
        "#252525",
        &[4],
    ),
    def(
        "recruitment.by-whom",
        ("Par qui", "By whom"),
        (
            "Recruteurs : proches, prêcheurs itinérants, intermédiaires, commerçants.",
            "Recruiters: relatives, itinerant preachers, go-betweens, traders.",
        ),
        "#bdbdbd",
        &[4],
    ),
    def(
        "resilience",
        ("Résilience et acteurs", "Resilience and actors"),
        (
            "Ce qui protège les jeunes, et qui peut agir.",
            "What protects young people, and who can act.",
        ),
        "#d4a017",
        &[5],
    ),
    def(
        "resilience.leaders",
        (
            "Leaders communautaires, coutumiers et religieux",
            "Community, customary and religious leaders",
        ),
        (
            "Rôle des chefs de village, notables, imams et autres responsables religieux.",
            "Role of village chiefs, notables, imams and other religious leaders.",
        ),
        "#f0c419",
        &[5],
    ),
    def(
        "resilience.women",
        ("Femmes", "Women"),
        (
            "Rôle des mères et des associations de femmes.",
            "Role of mothers and women's associations.",
        ),
        "#b8860b",
        &[5],
    ),
    def(
        "resilience.youth",
        ("Jeunes", "Youth"),
        (
            "Rôle des associations de jeunes et des pairs.",
            "Role of youth associations and peers.",
        ),
        "#ffd966",
        &[5],
    ),
    def(
        "prevention",
        ("Options de prévention", "Prevention options"),
        (
            "Moyens proposés pour prévenir la radicalisation menant à l'extrémisme violent.",
            "Proposed ways to prevent radicalisation leading to violent extremism.",
        ),
        "#17becf",
        &[6],
    ),
    def(
        "prevention.jobs",
        ("Emploi et formation des jeunes", "Youth jobs and training"),
        (
            "Formation professionnelle, kits d'installation, crédit, relance des filières locales.",
            "Vocational training, start-up kits, credit, local value chains.",
        ),
        "#0b8a99",
        &[6],
    ),
    def(
        "prevention.education",
        ("Éducation", "Education"),
        (
            "Réouverture des écoles, éducation civique, enseignement religieux de paix.",
            "Reopening schools, civic education, peaceful religious teaching.",
        ),
        "#7fdbe6",
        &[6],
    ),
    def(
        "prevention.reporting",
        (
            "Signalement : ligne verte, plateformes, lanceurs d'alerte",
            "Reporting: hotline, platforms, whistleblowers",
        ),
        (
            "Ligne verte gratuite, plateformes web et applications mobiles, protection des lanceurs d'alerte.",
            "Toll-free hotline, web platforms and mobile apps, whistleblower protection.",
        ),
        "#1f9e89",
        &[6],
    ),
    def(
        "prevention.dialogue",
        ("Dialogue et tables rondes", "Dialogue and roundtables"),
        (
            "Espaces de dialogue entre jeunes, femmes, leaders et autorités.",
            "Spaces for dialogue between youth, women, leaders and authorities.",
        ),
        "#35b779",
        &[6],
    ),
    def(
        "prevention.cohesion",
        (
            "Activités communautaires de cohésion",
            "Community-led cohesion activities",
        ),
        (
            "Activités conçues et menées par les communautés pour renforcer la cohésion.",
            "Activities designed and led by communities to strengthen cohesion.",
        ),
        "#0e6e7a",
        &[5, 6],
    ),
    def(
        "prevention.governance",
        (
            "Gouvernance redevable et justice de proximité",
            "Accountable governance and local justice",
        ),
        (
            "Redevabilité des autorités, retour de la justice dans les communes.",
            "Accountable authorities, justice back in the communes.",
        ),
        "#5ec9d6",
        &[6],
    ),
    def(
        "context",
        ("Contexte", "Context"),
        (
            "Situation dans laquelle les facteurs agissent.",
            "The situation in which the factors act.",
        ),
        "#8c564b",
        &[1],
    ),
    def(
        INSECURITY,
        (
            "Insécurité : vols, pillages, mobilité et revenus perdus",
            "Insecurity: theft, looting, lost mobility and income",
        ),
        (
            "Vols de bétail et de véhicules, pillages des biens ; mobilité entravée, activités économiques et revenus perdus.",
            "Theft of cattle and vehicles, looting of property; hampered mobility, lost economic activity and income.",
        ),
        "#c49c94",
        &[1, 3],
    ),
    def(
        "context.at-risk",
        (
            "Populations à risque et lieux de vie",
            "Populations at risk and where they live",
        ),
        (
            "Qui est le plus exposé à la radicalisation, et où ces personnes vivent.",
            "Who is most at risk of radicalisation, and where they live.",
        ),
        "#e377c2",
        &[1, 2],
    ),
];

/// Every code key of the default codebook, parents before children.
#[cfg(test)]
pub(crate) fn keys() -> impl Iterator<Item = &'static str> {
    DEFS.iter().map(|d| d.key)
}

/// The codes of the default codebook. A row whose key or colour the domain
/// refuses is left out (none is: the tests check every row is kept).
pub(crate) fn codes() -> Vec<Code> {
    DEFS.iter()
        .filter_map(|d| {
            let key = CodeKey::new(d.key).ok()?;
            let parent = match d.key.rsplit_once('.') {
                Some((parent, _)) => Some(CodeKey::new(parent).ok()?),
                None => None,
            };
            Some(Code {
                key,
                parent,
                name: Localized::new(d.fr, d.en),
                description: Localized::new(d.desc_fr, d.desc_en),
                color: Color::parse(d.color).ok()?,
                research_questions: d.rqs.to_vec(),
            })
        })
        .collect()
}

/// The default codebook of `domain.md` §5 (version 1), linked to six
/// research questions.
pub fn default_codebook() -> Codebook {
    // Constant data, checked by this crate's tests: a failure here is a bug
    // in the table above, never something a user or a file controls.
    Codebook::new(1, CODEBOOK_LABEL, codes(), RESEARCH_QUESTIONS)
        .expect("the default codebook table satisfies the domain's rules")
}
