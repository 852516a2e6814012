//! French phrase banks for the synthetic transcripts.
//!
//! Every passage is invented. None names a person: speakers are described
//! by their role only. Placeholders are filled per speaker:
//! `{commune}`, `{de_commune}` ("de Ber", "d'Alafia"), `{cercle}`,
//! `{ailleurs}` (another commune of the cercle), `{vie}` (a sentence on the
//! local economy) and `{activite}` (the cercle's main activity).

use crate::study::voice::{
    ANY, CHRISTIAN, ELDERS, IMAM, LEFT_OUT, NOT_OFFICIAL, OFFICIAL, STAFF, TEACHER, WOMEN, YOUTH,
};

/// A sentence or two, and the voices it suits.
pub(crate) struct Phrase {
    pub who: u8,
    pub text: &'static str,
}

const fn p(who: u8, text: &'static str) -> Phrase {
    Phrase { who, text }
}

/// The first line of every document.
pub(crate) const SYNTHETIC_LINE: &str = "[DONNÉES SYNTHÉTIQUES — SYNTHETIC DATA] Transcription fictive produite pour la démonstration de Sankore ; aucune personne réelle.";

/// The first line of forum minutes.
pub(crate) const SYNTHETIC_NOTES_LINE: &str = "[DONNÉES SYNTHÉTIQUES — SYNTHETIC DATA] Compte rendu fictif produit pour la démonstration de Sankore ; aucune personne réelle.";

/// Passages expressing one code each, by code key.
pub(crate) fn passages(code: &str) -> &'static [Phrase] {
    PASSAGES
        .iter()
        .find(|(key, _)| *key == code)
        .map_or(&[], |(_, bank)| *bank)
}

/// Every code with a phrase bank.
#[cfg(test)]
pub(crate) fn coded_keys() -> impl Iterator<Item = &'static str> {
    PASSAGES.iter().map(|(key, _)| *key)
}

const PASSAGES: &[(&str, &[Phrase])] = &[
    (
        "push.governance.transparency",
        &[
            p(
                ANY,
                "Les autorités qui gèrent les affaires publiques ne rendent compte à personne : on ne sait jamais où va l'argent des projets ni celui des taxes du marché.",
            ),
            p(
                ANY,
                "À {commune}, le budget de la mairie n'est jamais affiché ; les jeunes voient des projets annoncés qui ne se réalisent pas, et ils perdent confiance.",
            ),
            p(
                ANY,
                "Quand l'aide arrive, elle est partagée entre quelques personnes proches des responsables ; il n'y a aucune transparence, et cela crée beaucoup de frustration.",
            ),
            p(
                NOT_OFFICIAL,
                "Personne ne nous explique comment sont choisis les bénéficiaires des vivres ou des emplois des projets ; tout se décide en cachette.",
            ),
            p(
                ANY,
                "Les gens disent que ceux qui gèrent les affaires locales s'enrichissent pendant que le cercle de {cercle} reste sans routes ni écoles, et les recruteurs reprennent ce discours.",
            ),
            p(
                ANY,
                "La gestion des affaires publiques manque de transparence ; un jeune qui ne comprend pas où passent les ressources finit par croire ceux qui promettent un autre ordre.",
            ),
            p(
                YOUTH,
                "Nous, les jeunes, on a demandé à voir les comptes de la mairie ; on nous a répondu que ce n'était pas notre affaire.",
            ),
            p(
                STAFF,
                "Dans nos projets, nous voyons que les autorités locales ne publient ni les budgets ni les listes de bénéficiaires ; cette opacité nourrit la méfiance envers l'État.",
            ),
            p(
                OFFICIAL,
                "On nous reproche de manquer de transparence, et c'est en partie vrai : nous n'expliquons pas assez aux populations comment les ressources de la commune sont utilisées.",
            ),
        ],
    ),
    (
        "push.governance.participation",
        &[
            p(
                LEFT_OUT,
                "Les jeunes et les femmes ne sont jamais associés aux décisions : les réunions se tiennent entre notables et on les informe après.",
            ),
            p(
                YOUTH | WOMEN,
                "Au conseil communal {de_commune}, il n'y a presque pas de jeunes ni de femmes ; on ne demande notre avis que pendant les campagnes électorales.",
            ),
            p(
                ANY,
                "Un jeune qu'on n'écoute jamais va chercher ailleurs quelqu'un qui lui donne la parole et un rôle à jouer.",
            ),
            p(
                ANY,
                "Les décisions sur les terres, les puits et les projets se prennent sans les jeunes ni les femmes ; ils se sentent exclus de la vie de leur propre communauté.",
            ),
            p(
                YOUTH,
                "Nos associations de jeunes déposent des propositions à la mairie, mais elles restent dans les tiroirs ; on a l'impression de ne compter pour rien dans les décisions locales.",
            ),
            p(
                YOUTH,
                "Les anciens décident de tout ; quand un jeune veut parler dans une réunion, on lui dit d'attendre son tour, et ce tour ne vient jamais.",
            ),
            p(
                WOMEN,
                "Nous, les femmes, on nous invite pour préparer le repas de la réunion, pas pour prendre la parole.",
            ),
            p(
                WOMEN,
                "Quand on organise une rencontre sur la sécurité ou sur les projets, les femmes restent dehors ; pourtant ce sont elles qui connaissent les problèmes des familles.",
            ),
            p(
                WOMEN,
                "Il n'y a qu'une seule femme au conseil communal {de_commune}, et elle n'est jamais consultée sur les vraies décisions.",
            ),
            p(
                ELDERS | OFFICIAL,
                "Nous, les aînés, nous avons pris l'habitude de décider seuls ; il faudrait faire une place aux jeunes et aux femmes dans nos conseils, sinon ils iront chercher leur place ailleurs.",
            ),
            p(
                STAFF,
                "Les comités de gestion mis en place par les projets sont dominés par les mêmes notables ; les jeunes et les femmes n'y ont qu'une place symbolique.",
            ),
        ],
    ),
    (
        "push.social.education",
        &[
            p(
                ANY,
                "Les valeurs de l'éducation se perdent : les enfants n'écoutent plus les parents, et l'école ne transmet plus le respect d'autrefois.",
            ),
            p(
                ANY,
                "Beaucoup d'écoles {de_commune} sont restées fermées après la crise de 2012 ; des enfants ont grandi sans maître et sans repères.",
            ),
            p(
                ANY,
                "Les parents sont partis chercher du travail et les enfants restent seuls ; personne ne leur apprend les valeurs de la famille et de la communauté.",
            ),
            p(
                ANY,
                "Autrefois la famille, le grin et le quartier éduquaient ensemble les enfants ; aujourd'hui chacun regarde son téléphone et l'éducation de base s'effrite.",
            ),
            p(
                ANY,
                "Les jeunes qui abandonnent l'école trop tôt n'ont plus de repères, et ceux qui recrutent profitent de ce vide.",
            ),
            p(
                WOMEN,
                "Nous, les mères, nous voyons nos filles retirées de l'école pour être mariées et nos garçons qui traînent ; l'éducation ne compte plus comme avant.",
            ),
            p(
                WOMEN,
                "Une femme qui n'a pas été à l'école ne peut pas suivre les devoirs de ses enfants ; il faut alphabétiser les mères si l'on veut sauver l'éducation.",
            ),
            p(
                TEACHER,
                "En classe, on manque de tout : de manuels, de maîtres formés, de cantines ; l'éducation civique a presque disparu des programmes.",
            ),
            p(
                ELDERS,
                "Les enfants ne saluent plus les anciens, ne connaissent plus l'histoire de leur famille ; c'est l'éducation elle-même qui s'effondre.",
            ),
        ],
    ),
    (
        "push.economic.jobs",
        &[
            p(
                ANY,
                "Le premier problème, c'est le manque d'emploi : un jeune diplômé {de_commune} peut rester des années sans travail décent.",
            ),
            p(
                ANY,
                "{vie} Les jeunes n'ont plus rien à faire de leurs journées, et certains partent vers les sites d'orpaillage ou vers les groupes armés.",
            ),
            p(
                ANY,
                "Il n'y a pas d'emplois décents ici : quelques jours de travail au marché, un peu de maçonnerie, et c'est tout.",
            ),
            p(
                ANY,
                "Les jeunes sortent de la formation professionnelle sans kit d'installation et sans crédit ; ils restent au chômage et se découragent.",
            ),
            p(
                ANY,
                "Le chômage des jeunes est la porte d'entrée : un garçon sans travail à {commune} devient une proie facile.",
            ),
            p(
                ANY,
                "{vie} Sans revenu, un jeune ne peut ni se marier ni aider ses parents, et il se sent inutile.",
            ),
            p(
                YOUTH,
                "Moi-même, j'ai un diplôme et je vends du crédit téléphonique au bord de la route ; beaucoup de mes camarades n'ont même pas ça.",
            ),
            p(
                YOUTH,
                "Nous, les jeunes, on ne demande pas la charité, on demande du travail ; mais il n'y a rien pour nous ici.",
            ),
            p(
                OFFICIAL,
                "La commune n'a pas les moyens de créer des emplois ; les quelques postes des projets ne durent que quelques mois.",
            ),
        ],
    ),
    (
        "push.social.religion",
        &[
            p(
                ANY,
                "Beaucoup de jeunes ne connaissent pas bien l'islam ; ils écoutent des prêcheurs venus d'ailleurs qui déforment le sens du Coran.",
            ),
            p(
                ANY,
                "L'islam que nous pratiquons dans le cercle de {cercle} est une religion de paix et de tolérance, mais certains jeunes en ont une mauvaise compréhension.",
            ),
            p(
                ANY,
                "Des cassettes et des messages audio circulent sur les téléphones ; ils présentent le jihad d'une manière que nos érudits n'ont jamais enseignée.",
            ),
            p(
                ANY,
                "Les jeunes qui n'ont pas étudié auprès de maîtres coraniques reconnus confondent la religion avec ce que disent les groupes armés.",
            ),
            p(
                ANY,
                "Il y a une mauvaise interprétation des textes : on fait croire aux jeunes que prendre les armes est un devoir religieux.",
            ),
            p(
                IMAM,
                "Dans nos prêches du vendredi, nous expliquons que la violence n'a rien à voir avec l'islam, mais nos moyens sont faibles face aux radios et aux téléphones.",
            ),
            p(
                IMAM,
                "Un jeune qui apprend trois versets hors de leur contexte croit tout savoir ; il n'écoute plus l'imam du quartier et suit celui qui crie le plus fort.",
            ),
            p(
                CHRISTIAN,
                "Ici, chrétiens et musulmans ont toujours vécu en bon voisinage ; ce sont des gens venus d'ailleurs qui ont apporté une lecture violente de la religion.",
            ),
            p(
                ELDERS,
                "La religion est mal comprise : nos enfants récitent sans comprendre, et ceux qui recrutent leur donnent une explication fausse.",
            ),
        ],
    ),
    (
        "push.governance.justice",
        &[
            p(
                ANY,
                "La justice ne fonctionne pas : le tribunal est loin, les procès traînent et il faut payer à chaque étape.",
            ),
            p(
                ANY,
                "Quand un litige foncier ou un vol de bétail n'est jamais jugé, les gens se font justice eux-mêmes ou vont voir les groupes armés, qui tranchent vite.",
            ),
            p(
                ANY,
                "À {commune}, il n'y a ni juge ni gendarmerie qui fonctionne correctement ; les plaintes restent sans suite.",
            ),
            p(
                ANY,
                "Les groupes armés ont installé leurs propres cadis, et certains villageois préfèrent cette justice rapide à celle de l'État, lente et coûteuse.",
            ),
            p(
                ANY,
                "Celui qui a de l'argent gagne toujours devant le juge ; le pauvre n'a aucun recours.",
            ),
            p(
                ANY,
                "Les services judiciaires sont absents depuis la crise ; les affaires de champs, de puits et d'animaux s'accumulent sans jugement.",
            ),
            p(
                ELDERS,
                "Nous, les notables, nous réglons ce que nous pouvons par la médiation, mais quand il y a eu du sang, il faut un juge, et le juge n'est pas là.",
            ),
            p(
                WOMEN,
                "Une femme qui porte plainte pour un héritage ou une violence n'obtient jamais justice ; on lui conseille de se taire.",
            ),
            p(
                OFFICIAL,
                "Le tribunal de {cercle} a repris, mais avec très peu de personnel ; les dossiers des communes éloignées attendent des mois.",
            ),
        ],
    ),
    (
        "push.social.marginalisation",
        &[
            p(
                ANY,
                "Certaines communautés se sentent mises à l'écart : les projets vont toujours aux mêmes villages, et les autres sont oubliés.",
            ),
            p(
                ANY,
                "Il y a de l'injustice et de la discrimination : selon ton origine ou ta fraction, on t'écoute ou on t'ignore.",
            ),
            p(
                ANY,
                "Les éleveurs et les nomades ont le sentiment d'être traités comme des étrangers chez eux ; on les soupçonne à chaque contrôle.",
            ),
            p(
                ANY,
                "Des jeunes {de_commune} ont été arrêtés sur simple soupçon, à cause de leur teint ou de leur campement ; ce sentiment d'humiliation les pousse vers les groupes.",
            ),
            p(
                ANY,
                "On parle d'injustice quand les recrutements dans l'administration se font toujours en faveur des mêmes familles.",
            ),
            p(
                ANY,
                "Les villages éloignés, du côté {de_ailleurs}, n'ont ni école, ni centre de santé, ni visite des autorités : les gens se sentent marginalisés.",
            ),
            p(
                YOUTH,
                "Les jeunes des familles dites de bas statut sont méprisés ; ils disent que dans le groupe armé, au moins, personne ne leur rappelle leur origine.",
            ),
            p(
                WOMEN,
                "Les veuves et les femmes seules sont mises de côté dans les distributions ; on leur dit de passer par un homme de la famille.",
            ),
        ],
    ),
    (
        "context.insecurity",
        &[
            p(
                ANY,
                "L'insécurité a tout aggravé : vols de bétail, braquages de véhicules sur la route, pillages des boutiques ; les gens ont peur de se déplacer.",
            ),
            p(
                ANY,
                "Avec les coupeurs de route, plus personne ne va aux foires ; les commerçants ont perdu leurs revenus et les prix ont monté.",
            ),
            p(
                ANY,
                "Les motos et les véhicules sont enlevés en plein jour ; on ne peut plus circuler librement entre {commune} et {ailleurs}.",
            ),
            p(
                ANY,
                "Les pillages ont vidé les magasins et les greniers ; la pauvreté a augmenté et les jeunes restent sans revenu.",
            ),
            p(
                ANY,
                "Même pour aller au champ ou au pâturage, il faut faire attention ; cette insécurité empêche toute activité économique.",
            ),
            p(
                ANY,
                "On a volé des animaux à plusieurs familles de notre quartier cette année ; sans troupeau, une famille n'a plus rien.",
            ),
            p(
                ANY,
                "{vie} À cela s'ajoutent les vols et les braquages : les gens ne peuvent plus travailler ni voyager.",
            ),
            p(
                WOMEN,
                "Les femmes ne vont plus vendre au marché {de_ailleurs} parce que les véhicules sont attaqués en route ; nos petits commerces sont morts.",
            ),
            p(
                ELDERS,
                "Les voleurs de bétail traversent le cercle sans être inquiétés ; les éleveurs ont perdu en quelques mois ce qu'ils avaient construit en une vie.",
            ),
        ],
    ),
    (
        "context.at-risk",
        &[
            p(
                ANY,
                "Les plus exposés sont les jeunes de quinze à trente ans sans emploi, surtout ceux qui ont quitté l'école tôt.",
            ),
            p(
                ANY,
                "Les jeunes des villages éloignés et des campements, du côté {de_ailleurs}, loin de tout service, sont les plus vulnérables.",
            ),
            p(
                ANY,
                "Les talibés et les enfants qui errent sans encadrement dans les quartiers périphériques {de_commune} sont très exposés.",
            ),
            p(
                ANY,
                "Les jeunes qui reviennent de l'exode ou des sites d'orpaillage les mains vides sont à risque, parce qu'ils ont honte de rentrer sans rien.",
            ),
            p(
                ANY,
                "Ce sont surtout les garçons désœuvrés des hameaux autour {de_commune}, là où l'État n'est pas revenu.",
            ),
            p(
                WOMEN,
                "Même des femmes peuvent être touchées, à travers leurs maris ou leurs fils, ou quand elles sont veuves sans soutien.",
            ),
            p(
                ELDERS,
                "Les jeunes éleveurs qui passent des mois seuls en brousse avec les troupeaux sont les plus faciles à approcher.",
            ),
        ],
    ),
    (
        "pull.material",
        &[
            p(
                ANY,
                "Ils proposent de l'argent, une moto, parfois un salaire chaque mois ; pour un jeune sans revenu, c'est très tentant.",
            ),
            p(
                ANY,
                "On raconte qu'un jeune reçoit une somme dès qu'il accepte de faire le guet ou de transporter quelque chose.",
            ),
            p(
                ANY,
                "Les groupes paient mieux qu'un mois de travail au marché, et ils paient tout de suite.",
            ),
        ],
    ),
    (
        "pull.status",
        &[
            p(
                ANY,
                "Avec une arme, un jeune qu'on méprisait devient quelqu'un qu'on respecte et qu'on craint.",
            ),
            p(
                ANY,
                "Certains veulent simplement être reconnus, avoir un nom et une place dans un groupe.",
            ),
        ],
    ),
    (
        "pull.protection",
        &[
            p(
                ANY,
                "Certaines familles laissent un fils rejoindre un groupe pour protéger le troupeau et le campement.",
            ),
            p(
                ANY,
                "Quand l'État ne protège pas, on cherche la protection de celui qui a les armes.",
            ),
        ],
    ),
    (
        "pull.ideology",
        &[
            p(
                ANY,
                "Ils promettent le paradis et une société juste, et cela attire ceux qui sont déçus de tout.",
            ),
            p(
                ANY,
                "Leur discours sur la pureté et la justice divine touche des jeunes qui ne voient que l'injustice autour d'eux.",
            ),
        ],
    ),
    (
        "pull.networks",
        &[
            p(
                ANY,
                "Souvent, c'est un cousin ou un ami déjà dans le groupe qui fait venir les autres.",
            ),
            p(
                ANY,
                "Quand un garçon du quartier part, ses camarades de grin le suivent quelques mois plus tard.",
            ),
        ],
    ),
    (
        "pull.recruiter",
        &[
            p(
                ANY,
                "Il y a des hommes qui parlent bien, qui connaissent le Coran par cœur et qui savent toucher les jeunes.",
            ),
            p(
                ANY,
                "Le recruteur est souvent quelqu'un de respecté, généreux, qui écoute les jeunes comme personne ne les écoute.",
            ),
        ],
    ),
    (
        "pull.coercion",
        &[
            p(
                ANY,
                "Dans certains villages, on oblige les familles à donner un jeune ou à payer la zakat au groupe.",
            ),
            p(
                ANY,
                "Certains n'ont pas choisi : on les a menacés, eux ou leurs parents, s'ils refusaient.",
            ),
        ],
    ),
    (
        "triggers.state-action",
        &[
            p(
                ANY,
                "Quand un père ou un frère est arrêté et maltraité sans raison, le jeune peut basculer du jour au lendemain.",
            ),
            p(
                ANY,
                "Après une opération où des innocents ont été emmenés, plusieurs jeunes ont disparu du village la semaine suivante.",
            ),
        ],
    ),
    (
        "triggers.personal-loss",
        &[
            p(
                ANY,
                "Un jeune de notre fraction a perdu tout son troupeau dans un vol ; c'est ce jour-là qu'il a décidé de partir.",
            ),
            p(
                ANY,
                "La mort d'un proche, la perte de tous ses biens, c'est souvent là que tout bascule.",
            ),
        ],
    ),
    (
        "recruitment.where",
        &[
            p(
                ANY,
                "Ils recrutent dans les foires hebdomadaires, aux points d'eau et dans les campements éloignés.",
            ),
            p(
                ANY,
                "Les sites d'orpaillage et les marchés à bétail sont devenus des lieux de recrutement.",
            ),
            p(
                ANY,
                "Cela se passe autour des grins de thé, le soir, dans les quartiers périphériques {de_commune}.",
            ),
            p(
                ANY,
                "Sur la route entre {commune} et {ailleurs}, dans les hameaux où il n'y a personne de l'État, ils viennent parler aux jeunes.",
            ),
        ],
    ),
    (
        "recruitment.how",
        &[
            p(
                ANY,
                "Par les téléphones : des vidéos, des messages vocaux, des promesses d'argent qui circulent de main en main.",
            ),
            p(
                ANY,
                "Ils commencent par rendre de petits services, donner du crédit ou des vivres, puis ils demandent au jeune de les aider.",
            ),
            p(
                ANY,
                "Ils approchent les jeunes un par un, jamais en groupe, et leur parlent de l'injustice qu'ils subissent.",
            ),
            p(
                YOUTH,
                "Tout passe par WhatsApp 📱 : un audio, une vidéo de combat avec des chants, et un numéro à rappeler.",
            ),
        ],
    ),
    (
        "recruitment.by-whom",
        &[
            p(
                ANY,
                "Ce sont souvent des gens du milieu, des jeunes du village déjà engagés, pas des étrangers.",
            ),
            p(
                ANY,
                "Des prêcheurs itinérants et des commerçants qui circulent entre les foires servent d'intermédiaires.",
            ),
            p(
                ANY,
                "Parfois c'est un ancien camarade d'école qui revient avec une moto neuve et qui parle aux autres.",
            ),
        ],
    ),
    (
        "resilience.leaders",
        &[
            p(
                ANY,
                "Les chefs de village, les notables et les imams peuvent parler aux familles ; quand ils s'unissent, les recruteurs reculent.",
            ),
            p(
                ANY,
                "Les leaders religieux doivent expliquer le vrai sens de la religion ; certains le font déjà à chaque prière du vendredi.",
            ),
            p(
                ANY,
                "Les chefs coutumiers règlent beaucoup de conflits par la médiation, mais ils n'ont pas de moyens et l'État ne les reconnaît pas assez.",
            ),
            p(
                ELDERS,
                "Nous, les anciens, nous rendons visite aux familles dont un fils a changé de comportement ; souvent, la parole d'un notable suffit à le ramener.",
            ),
            p(
                CHRISTIAN,
                "Les responsables religieux, musulmans et chrétiens, peuvent parler d'une même voix pour la paix ; nous l'avons fait lors des fêtes.",
            ),
            p(
                YOUTH,
                "Certains leaders ont perdu la confiance des jeunes parce qu'ils sont trop proches des autorités ; il faut des leaders qui écoutent aussi.",
            ),
        ],
    ),
    (
        "resilience.women",
        &[
            p(
                ANY,
                "Les mères sont les premières à voir qu'un fils change ; si on les forme, elles peuvent alerter et dialoguer.",
            ),
            p(
                ANY,
                "Les associations de femmes organisent des causeries et des tontines qui gardent les familles unies.",
            ),
            p(
                WOMEN,
                "Nous, les femmes, nous pouvons convaincre un fils ou un mari mieux que n'importe qui, à condition qu'on nous donne la parole.",
            ),
        ],
    ),
    (
        "resilience.youth",
        &[
            p(
                ANY,
                "Les associations de jeunes font du sport, des journées de salubrité et des débats ; cela occupe les jeunes et crée des liens.",
            ),
            p(
                ANY,
                "Les jeunes qui ont réussi peuvent servir d'exemple aux autres et les conseiller.",
            ),
            p(
                YOUTH,
                "Nous avons une radio de proximité où les jeunes animent une émission sur la paix ; les auditeurs appellent de tout le cercle.",
            ),
        ],
    ),
    (
        "prevention.jobs",
        &[
            p(
                ANY,
                "Il faut des formations professionnelles avec des kits d'installation et du crédit pour les jeunes.",
            ),
            p(
                ANY,
                "Il faut relancer {activite}, avec des projets qui emploient les jeunes d'ici, pas des gens venus d'ailleurs.",
            ),
        ],
    ),
    (
        "prevention.education",
        &[
            p(
                ANY,
                "Il faut rouvrir les écoles, payer les maîtres et enseigner l'éducation civique et une lecture pacifique de la religion.",
            ),
            p(
                ANY,
                "Il faut des centres d'alphabétisation pour les jeunes qui ont quitté l'école et pour les mères.",
            ),
        ],
    ),
    (
        "prevention.reporting",
        &[
            p(
                ANY,
                "Un numéro vert gratuit permettrait de signaler les cas sans s'exposer ; les gens ont peur de parler.",
            ),
            p(
                ANY,
                "Il faut une loi qui protège ceux qui dénoncent la mauvaise gestion, sinon personne n'osera parler.",
            ),
            p(
                ANY,
                "Une application sur téléphone ou un site web pour signaler les abus et suivre les projets : les jeunes savent utiliser ces outils.",
            ),
        ],
    ),
    (
        "prevention.dialogue",
        &[
            p(
                ANY,
                "Il faut des tables rondes où les jeunes, les femmes et les leaders parlent ensemble avec les autorités.",
            ),
            p(
                ANY,
                "Des espaces de dialogue entre communautés éviteraient beaucoup de rancunes.",
            ),
        ],
    ),
    (
        "prevention.cohesion",
        &[
            p(
                ANY,
                "Les activités communautaires, comme les journées culturelles et les tournois, renforcent la cohésion ; mais nous manquons de moyens pour les organiser.",
            ),
            p(
                ANY,
                "Comme on dit chez nous, une seule main ne peut pas attacher un fagot : il faut des activités qui rassemblent toutes les communautés.",
            ),
            p(
                ANY,
                "La communauté doit être impliquée dès le début des projets, pas seulement à la fin ; c'est elle qui sait ce qui marche ici.",
            ),
        ],
    ),
    (
        "prevention.governance",
        &[
            p(
                ANY,
                "Il faut que les autorités rendent compte publiquement de leur gestion et que la justice revienne dans les communes.",
            ),
            p(
                ANY,
                "Des audiences foraines du tribunal et des séances publiques de reddition des comptes rétabliraient la confiance.",
            ),
        ],
    ),
];

/// The seven push factors' banks and the context bank must be rich enough
/// to vary; the other banks may be small.
#[cfg(test)]
pub(crate) const MIN_FACTOR_PARAPHRASES: usize = 6;

/// Interviewer's opening, with the consent reminder.
pub(crate) const INTERVIEW_OPENINGS: &[&str] = &[
    "Bonjour et merci de nous recevoir. Comme convenu, l'entretien est anonyme : votre nom ne sera écrit nulle part et vous pouvez arrêter à tout moment. Êtes-vous d'accord pour continuer ?",
    "Bonjour. Je vous remercie d'avoir accepté cet entretien. Je vous rappelle que nous ne notons pas votre nom et que vous êtes libre de ne pas répondre à une question. On peut commencer ?",
    "As-salamu alaykum. Merci pour votre accueil à {commune}. Nous menons une étude sur la paix et la sécurité dans le cercle de {cercle} ; vos réponses resteront anonymes. Acceptez-vous de participer ?",
    "Bonsoir, et merci de prendre ce temps malgré vos occupations. L'étude porte sur ce qui expose les jeunes à l'extrémisme violent ; rien de ce que vous direz ne sera rattaché à votre nom. Êtes-vous toujours d'accord ?",
];

/// Participant's reply to the opening.
pub(crate) const CONSENT_REPLIES: &[&str] = &[
    "Oui, je suis d'accord. On peut commencer.",
    "Wa alaykum as-salam — وعليكم السلام. Oui, j'accepte, tant que mon nom n'apparaît pas.",
    "D'accord. C'est important que quelqu'un vienne nous écouter.",
    "Oui, allez-y. Je répondrai à ce que je sais.",
    "Je suis d'accord, mais je ne parlerai pas des personnes, seulement de la situation.",
];

/// Interviewer: "tell us what you do".
pub(crate) const ROLE_QUESTIONS: &[&str] = &[
    "Pouvez-vous d'abord nous dire quel est votre rôle dans la communauté ?",
    "Pour commencer, parlez-nous de vos activités à {commune}.",
    "Présentez-nous brièvement ce que vous faites, sans citer de nom.",
];

/// Participant's self-introduction, by group key.
pub(crate) fn introductions(group: &str) -> &'static [&'static str] {
    INTRODUCTIONS
        .iter()
        .find(|(key, _)| *key == group)
        .map_or(&[], |(_, bank)| *bank)
}

const INTRODUCTIONS: &[(&str, &[&str])] = &[
    (
        crate::study::YOUTH,
        &[
            "Je suis membre d'une association de jeunes {de_commune}. Nous organisons des tournois de football, des journées de salubrité et des causeries.",
            "Je fais partie du bureau de l'association des jeunes du quartier ; à côté, je fais un peu de commerce.",
            "Je suis dans une association de jeunes qui fait de la sensibilisation sur la paix, surtout pendant les vacances scolaires.",
            "Je suis dans l'association des jeunes ressortissants {de_commune} ; nous essayons d'aider ceux qui cherchent du travail.",
        ],
    ),
    (
        crate::study::WOMEN,
        &[
            "Je suis membre d'une association de femmes {de_commune} ; nous avons un jardin maraîcher et une caisse d'épargne.",
            "Je suis trésorière d'un groupement féminin qui transforme les produits locaux.",
            "J'anime des causeries avec les femmes du quartier sur la santé et l'éducation des enfants.",
            "Notre association de femmes s'occupe de la teinture et de la vente de savon ; nous sommes une trentaine.",
        ],
    ),
    (
        crate::study::COMMUNITY,
        &[
            "Je suis conseiller du chef de village et je participe au règlement des petits conflits.",
            "Je suis chef de quartier à {commune} depuis plusieurs années.",
            "Je suis membre du conseil de village ; on me consulte pour les affaires de la communauté.",
        ],
    ),
    (
        crate::study::CUSTOMARY,
        &[
            "Je siège parmi les notables coutumiers ; nous réglons les conflits entre éleveurs et agriculteurs.",
            "Ma famille exerce la chefferie coutumière de la fraction ; je représente les anciens dans les réunions.",
        ],
    ),
    (
        crate::study::MUSLIM,
        &[
            "Je suis imam d'une mosquée de quartier et j'enseigne le Coran aux enfants.",
            "Je suis maître coranique ; j'ai une école de talibés depuis plus de vingt ans.",
            "Je fais le prêche du vendredi et je conseille les familles qui viennent me voir.",
        ],
    ),
    (
        crate::study::AUTHORITIES,
        &[
            "Je travaille à la mairie {de_commune}, au service de l'état civil.",
            "Je suis conseiller communal {de_commune} depuis les dernières élections.",
            "Je représente l'administration dans les réunions de sécurité du cercle.",
        ],
    ),
    (
        crate::study::NGO,
        &[
            "Je travaille pour une ONG locale qui intervient dans l'éducation et la gouvernance.",
            "J'anime des projets de cohésion sociale dans plusieurs communes du cercle de {cercle}.",
        ],
    ),
    (
        crate::study::TEACHERS,
        &[
            "J'enseigne à l'école fondamentale {de_commune}.",
            "Je dirige une école fondamentale ; nous avons rouvert il y a deux ans seulement.",
            "J'enseigne dans une médersa et j'ai des élèves de tous les âges.",
        ],
    ),
    (
        crate::study::CHRISTIAN,
        &["Je suis responsable d'une petite communauté chrétienne de la ville."],
    ),
];

/// Questions, by theme.
pub(crate) const Q_AT_RISK: &[&str] = &[
    "Selon vous, quelles sont les personnes les plus exposées à la radicalisation ici, et pourquoi ?",
    "Qui sont, à votre avis, les jeunes les plus à risque dans le cercle, et où vivent-ils ?",
    "Dans votre commune, quelles catégories de personnes sont les plus vulnérables face aux groupes extrémistes ?",
];

/// Questions on the situation since the crisis.
pub(crate) const Q_CONTEXT: &[&str] = &[
    "Comment la situation sécuritaire a-t-elle changé la vie des gens ces dernières années ?",
    "Parlez-nous de la vie quotidienne ici depuis la crise.",
    "Comment l'insécurité touche-t-elle les activités économiques de votre commune ?",
];

/// Questions on push factors (RQ3).
pub(crate) const Q_FACTORS: &[&str] = &[
    "Qu'est-ce qui pousse certains jeunes à rejoindre les groupes extrémistes violents ?",
    "À votre avis, quelles sont les raisons, économiques, sociales, politiques ou religieuses, qui favorisent la radicalisation des jeunes ici ?",
    "Pourquoi, selon vous, des jeunes {de_commune} se laissent-ils attirer par ces groupes ?",
];

/// Follow-ups asking for more factors.
pub(crate) const Q_MORE: &[&str] = &[
    "Y a-t-il d'autres raisons, à votre avis ?",
    "Voyez-vous d'autres facteurs, par exemple du côté de l'État ou de la société ?",
    "Et à part cela ?",
    "Vous avez cité des causes ; en voyez-vous d'autres ?",
];

/// Questions on what groups offer.
pub(crate) const Q_PULL: &[&str] = &[
    "Que proposent ces groupes aux jeunes pour les attirer ?",
    "Qu'est-ce qui rend ces groupes attirants aux yeux d'un jeune ?",
];

/// Questions on recruitment (RQ2, RQ4).
pub(crate) const Q_RECRUITMENT: &[&str] = &[
    "Où et comment ces groupes recrutent-ils de nouveaux membres ?",
    "Comment se passe le recrutement, concrètement ? Qui approche les jeunes, et où ?",
    "Avez-vous connaissance des lieux ou des moyens utilisés pour recruter ?",
];

/// Questions on leaders and other actors (RQ5).
pub(crate) const Q_ACTORS: &[&str] = &[
    "Quel rôle jouent les leaders communautaires, coutumiers et religieux pour empêcher le recrutement des jeunes ?",
    "Que font les notables, les imams et les chefs de village face à ce phénomène ?",
    "Qui, dans la communauté, peut aider à protéger les jeunes ?",
];

/// Questions on prevention (RQ6).
pub(crate) const Q_PREVENTION: &[&str] = &[
    "Selon vous, quels seraient les moyens les plus efficaces de prévenir la radicalisation ?",
    "Si vous pouviez proposer deux ou trois actions prioritaires, lesquelles choisiriez-vous ?",
    "Que faudrait-il faire, et par qui, pour prévenir l'extrémisme violent ici ?",
];

/// Interviewer's closing.
pub(crate) const INTERVIEW_CLOSINGS: &[&str] = &[
    "Merci beaucoup pour votre temps et votre franchise. Avez-vous quelque chose à ajouter ?",
    "Nous arrivons à la fin. Souhaitez-vous ajouter un point que nous n'avons pas abordé ?",
    "Je vous remercie. Les résultats seront présentés lors d'un forum dans le cercle au mois de juin. Un dernier mot ?",
];

/// Participant's last words.
pub(crate) const CLOSING_REPLIES: &[&str] = &[
    "Non, j'ai tout dit. Merci à vous d'être venus jusqu'ici.",
    "Seulement ceci : revenez nous dire ce que l'étude a donné ; on nous interroge souvent et on ne voit jamais la suite.",
    "Que Dieu ramène la paix dans le cercle de {cercle}. Merci.",
    "Je souhaite que cette étude serve vraiment aux jeunes. Merci.",
    "Rien à ajouter. Nous comptons sur vous pour porter notre parole.",
];

/// Uncoded sentences that open an answer.
pub(crate) const FILLERS: &[&str] = &[
    "Je vais vous parler franchement.",
    "C'est une question que nous nous posons souvent entre nous.",
    "Vous savez, ici tout le monde se connaît.",
    "Je ne veux accuser personne, mais c'est la réalité.",
    "Je le constate tous les jours.",
    "C'est difficile à dire en quelques mots.",
    "Ce n'est pas une seule cause, il y en a plusieurs.",
    "Beaucoup de gens pensent la même chose, même s'ils ne le disent pas en public.",
    "Il faut le dire sans détour.",
    "Bon, je vais essayer d'expliquer.",
    "C'est un sujet sensible, vous le savez.",
];

/// Uncoded sentences between two passages.
pub(crate) const CONNECTORS: &[&str] = &[
    "Il y a aussi autre chose.",
    "Ensuite, il y a un autre problème.",
    "Autre chose encore.",
    "Et ce n'est pas tout.",
    "J'ajoute un point.",
    "À côté de cela, il faut voir une autre réalité.",
];

/// Focus-group facilitator's opening, for a group of women.
pub(crate) const FGD_OPENINGS_WOMEN: &[&str] = &[
    "Bonjour à toutes et merci d'être venues. Nous allons discuter pendant environ deux heures. Personne ne sera cité par son nom : chacune parlera sous un numéro. Vous pouvez ne pas répondre à une question.",
    "Merci, mesdames, d'avoir accepté cette discussion. Ce que vous direz restera anonyme ; nous utiliserons seulement des numéros. N'hésitez pas à parler dans la langue qui vous convient.",
];

/// Focus-group facilitator's opening, for a mixed group.
pub(crate) const FGD_OPENINGS_MIXED: &[&str] = &[
    "Bonjour à tous et merci d'être venus. Nous allons discuter pendant environ deux heures. Personne ne sera cité par son nom : chacun parlera sous un numéro. Vous pouvez ne pas répondre à une question.",
    "Merci d'avoir accepté cette discussion de groupe. Ce que vous direz restera anonyme ; nous noterons seulement des numéros. Chacun peut parler dans la langue qui lui convient.",
];

/// Focus-group facilitator's opening, for leaders.
pub(crate) const FGD_OPENINGS_LEADERS: &[&str] = &[
    "As-salamu alaykum — السلام عليكم — et bienvenue à tous. Merci aux leaders d'avoir répondu à l'invitation. Personne ne sera cité par son nom ; nous noterons des numéros.",
    "As-salamu alaykum — السلام عليكم. Honorables leaders, merci d'être là. La discussion est anonyme : seuls des numéros seront notés.",
];

/// First reply in a women's focus group.
pub(crate) const FGD_REPLIES_WOMEN: &[&str] = &[
    "Merci à vous. Nous sommes prêtes, et nous avons beaucoup à dire.",
    "Soyez les bienvenues chez nous. Les femmes sont rarement consultées, alors nous allons parler.",
];

/// First reply in a youth focus group.
pub(crate) const FGD_REPLIES_YOUTH: &[&str] = &[
    "Merci à vous 🙏. Nous sommes prêts, les jeunes ont beaucoup à dire.",
    "Bienvenue 👍. Enfin quelqu'un qui vient écouter les jeunes.",
];

/// First reply in a leaders' focus group.
pub(crate) const FGD_REPLIES_LEADERS: &[&str] = &[
    "Wa alaykum as-salam. Merci à l'équipe. Nous parlerons au nom de nos communautés.",
    "Soyez les bienvenus. Que Dieu bénisse cette rencontre et qu'elle serve la paix.",
];

/// Uncoded openers of a focus-group turn that follows another speaker.
pub(crate) const FGD_AGREEMENTS: &[&str] = &[
    "Je suis d'accord avec ce qui vient d'être dit.",
    "Je voudrais compléter.",
    "Moi, je vois les choses un peu autrement.",
    "C'est vrai.",
    "Permettez-moi d'ajouter quelque chose.",
    "Je confirme.",
];

/// Focus-group facilitator's closing.
pub(crate) const FGD_CLOSINGS: &[&str] = &[
    "Merci à toutes et à tous pour cette discussion très riche. Nous reviendrons présenter les résultats lors du forum de validation du cercle.",
    "Nous allons nous arrêter ici. Merci pour votre franchise ; les résultats seront discutés au forum de juin.",
];

/// Last reply in a focus group.
pub(crate) const FGD_LAST_WORDS: &[&str] = &[
    "Merci. Nous espérons que cette fois, il y aura une suite.",
    "Que la paix revienne dans le cercle de {cercle}. Merci à vous.",
    "Merci. Dites bien aux autorités ce que nous avons dit.",
];

/// Opens a focus-group question to the floor.
pub(crate) const FGD_PROMPTS: &[&str] = &[
    "Qui veut commencer ?",
    "Je donne la parole à qui le souhaite.",
    "Prenez la parole librement.",
];
