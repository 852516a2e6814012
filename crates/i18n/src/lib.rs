//! Sankore's interface texts, in French and English.
//!
//! Each text is a variant of [`Msg`], so a missing translation or a typo in a
//! key is a compile error, not a blank on a field worker's screen.

pub use sankore_domain::Lang;

use sankore_domain::{Agreement, OutcomeKind};

/// How a forum outcome is named.
pub fn outcome_msg(kind: OutcomeKind) -> Msg {
    match kind {
        OutcomeKind::Validated => Msg::OutcomeValidated,
        OutcomeKind::Amended => Msg::OutcomeAmended,
        OutcomeKind::Rejected => Msg::OutcomeRejected,
        OutcomeKind::Added => Msg::OutcomeAdded,
    }
}

/// How a level of agreement is named.
pub fn agreement_msg(agreement: Agreement) -> Msg {
    match agreement {
        Agreement::Consensus => Msg::AgreementConsensus,
        Agreement::Majority => Msg::AgreementMajority,
        Agreement::Split => Msg::AgreementSplit,
    }
}

/// Declares the message catalogue: `Variant => "English", "Français";`.
macro_rules! catalogue {
    ($($(#[$meta:meta])* $name:ident => $en:literal, $fr:literal;)+) => {
        /// A text of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$meta])* $name),+
        }

        impl Msg {
            /// Every message, for completeness tests.
            pub const ALL: &'static [Msg] = &[$(Msg::$name),+];

            /// The text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$name, Lang::En) => $en, (Msg::$name, Lang::Fr) => $fr,)+
                }
            }
        }
    };
}

catalogue! {
    // Command-line help.
    CliAbout => "Sankore: participatory diagnostic studies, from plan to published report, safe by construction.",
        "Sankore : études diagnostiques participatives, du plan au rapport publié, sûres par construction.";
    CliLang => "Language of messages and outputs (fr or en)", "Langue des messages et des sorties (fr ou en)";
    CliWorkspace => "Workspace directory", "Répertoire de l'espace de travail";
    CliPassphraseFile => "Read the workspace passphrase from this file (first line)",
        "Lire la phrase secrète de l'espace de travail dans ce fichier (première ligne)";
    CliFormat => "Output format", "Format de sortie";
    CliInit => "Create an empty workspace holding a new study", "Créer un espace de travail vide contenant une nouvelle étude";
    CliInitName => "Name of the study", "Nom de l'étude";
    CliInitStart => "First day of the study (YYYY-MM-DD)", "Premier jour de l'étude (AAAA-MM-JJ)";
    CliInitEnd => "Last day of the study (YYYY-MM-DD)", "Dernier jour de l'étude (AAAA-MM-JJ)";
    CliInitDir => "Directory to create (must be new or empty)", "Répertoire à créer (nouveau ou vide)";
    CliDemo => "Create a workspace holding the synthetic reference study (Timbuktu region, 2017)",
        "Créer un espace de travail contenant l'étude de référence synthétique (région de Tombouctou, 2017)";
    CliDemoServe => "Serve the workbench once the demo is created", "Servir l'atelier une fois la démo créée";
    CliServe => "Serve the web workbench", "Servir l'atelier web";
    CliAddr => "Address to listen on", "Adresse d'écoute";
    CliReport => "Produce a report", "Produire un rapport";
    CliReportMethodology => "The methodology table: who was heard, where and how (internal, unsuppressed)",
        "Le tableau méthodologique : qui a été entendu, où et comment (interne, non masqué)";
    CliCheck => "Check the workspace's integrity (SQLite's checks and Sankore's rules)",
        "Vérifier l'intégrité de l'espace de travail (contrôles de SQLite et règles de Sankore)";
    // Findings, validation forums, recommendations, actions (issue 7).
    CliFindings => "Findings: evidence strength and validation-forum outcomes",
        "Constats : force des preuves et décisions des forums de validation";
    CliFindingsList => "List the findings with their research question, places, evidence strength and every forum outcome",
        "Lister les constats avec leur question de recherche, leurs lieux, la force des preuves et chaque décision de forum";
    CliForum => "Validation forums: printable packs", "Forums de validation : dossiers imprimables";
    CliForumPack => "Write a place's printable forum pack (HTML or PDF): findings, a page per finding, attendance sheet",
        "Écrire le dossier imprimable du forum d'un lieu (HTML ou PDF) : constats, une page par constat, feuille de présence";
    CliForumPackFormat => "Output format (html by default, or pdf)", "Format de sortie (html par défaut, ou pdf)";
    CliForumRecord => "Record (or replace) a validation forum's outcome for one finding",
        "Enregistrer (ou remplacer) la décision d'un forum de validation sur un constat";
    CliRecommendations => "List the recommendations, the findings they answer and who does what",
        "Lister les recommandations, les constats auxquels elles répondent et qui fait quoi";
    CliActions => "List the follow-up actions: places, dates, responsible party, participants, status",
        "Lister les actions de suivi : lieux, dates, responsable, participants, statut";
    CliActionsLate => "Only the late actions (planned or under way past their due date)",
        "Seulement les actions en retard (prévues ou en cours après leur échéance)";
    CliActionsUpdate => "Set a follow-up action's status and outcome notes",
        "Fixer le statut et les résultats d'une action de suivi";
    CliForumPlace => "Place code of the forum (a cercle, such as TBK)", "Code du lieu du forum (un cercle, comme TBK)";
    PackWritten => "Forum pack written", "Dossier du forum écrit";
    FindingsTitle => "Findings", "Constats";
    Finding => "Finding", "Constat";
    SuggestBySpeaker => "Suggest by speaker (every turn of a participant, a group or a label)",
        "Suggérer par locuteur (chaque tour d'une personne, d'un groupe ou d'une étiquette)";
    SpeakerRuleLabel => "Speakers chosen by", "Locuteurs choisis par";
    SpeakerValue => "Participant code, group key or speaker label", "Code participant, clé de groupe ou étiquette de locuteur";
    FrameworkMatrix => "Framework matrix", "Matrice-cadre";
    FrameworkHelp => "Cases × themes: each cell holds the case's coded text for the theme and your summary. Open a cell to read it all and write the summary.",
        "Cas × thèmes : chaque cellule contient le texte codé du cas pour le thème et votre synthèse. Ouvrez une cellule pour tout lire et écrire la synthèse.";
    Summary => "Summary", "Synthèse";
    CaseLabel => "Case", "Cas";
    RecordAttendance => "Record the forum's attendance", "Saisir la présence au forum";
    QuoteAsEvidence => "Quote as evidence for a finding", "Citer comme preuve d'un constat";
    Quotes => "Quotes (internal: not for publication as they are)", "Citations (interne : à ne pas publier telles quelles)";
    ResearchQuestion => "Research question", "Question de recherche";
    EvidenceStrength => "Evidence strength", "Force des preuves";
    Sources => "Sources (documents)", "Sources (documents)";
    Cercles => "Cercles", "Cercles";
    WholeArea => "Whole study area", "Toute la zone d'étude";
    ForumOutcomes => "Outcomes by forum", "Décisions des forums";
    NotDiscussed => "Not discussed in a forum yet.", "Pas encore discuté en forum.";
    ViewerFindingsNote => "Only findings validated, amended or added by a forum are shown.",
        "Seuls les constats validés, amendés ou ajoutés par un forum sont affichés.";
    OutcomeValidated => "Validated", "Validé";
    OutcomeAmended => "Amended", "Amendé";
    OutcomeRejected => "Rejected", "Rejeté";
    OutcomeAdded => "Added by the forum", "Ajouté par le forum";
    NewWordingFr => "New wording (French)", "Nouvelle formulation (français)";
    NewWordingEn => "New wording (English)", "Nouvelle formulation (anglais)";
    NewWording => "New wording", "Nouvelle formulation";
    Reasons => "Reasons for rejecting", "Raisons du rejet";
    AgreementLevel => "Level of agreement", "Niveau d'accord";
    AgreementConsensus => "Consensus", "Consensus";
    AgreementMajority => "Majority", "Majorité";
    AgreementSplit => "Split", "Partagé";
    ForumFacilitators => "Facilitated by", "Animé par";
    RecordOutcome => "Record the forum's outcome", "Enregistrer la décision du forum";
    PrintPack => "Printable forum pack", "Dossier imprimable du forum";
    PackTitle => "Validation forum pack", "Dossier du forum de validation";
    PackIntro => "These are the study's findings for this place, in plain words. For each one, the forum says whether it is right (validated), should be changed (amended: write the new wording) or is wrong (rejected: write the reasons). The forum may also add findings of its own.",
        "Voici, en termes simples, les constats de l'étude pour ce lieu. Pour chacun, le forum dit s'il est juste (validé), s'il faut le changer (amendé : écrire la nouvelle formulation) ou s'il est faux (rejeté : écrire les raisons). Le forum peut aussi ajouter ses propres constats.";
    PackHeardFrom => "Heard from", "Entendu auprès de";
    PackTick => "Tick one box", "Cocher une case";
    PackAdded => "Findings added by the forum", "Constats ajoutés par le forum";
    AttendanceSheet => "Attendance sheet", "Feuille de présence";
    Total => "Total", "Total";
    Signature => "Facilitator's signature", "Signature de l'animateur";
    Recommendations => "Recommendations", "Recommandations";
    StakeholderRoles => "Who does what", "Qui fait quoi";
    Stakeholder => "Stakeholder", "Acteur";
    Actions => "Follow-up actions", "Actions de suivi";
    Responsible => "Responsible", "Responsable";
    Status => "Status", "Statut";
    Due => "Due", "Échéance";
    Late => "Late", "En retard";
    StatementFr => "Statement (French)", "Énoncé (français)";
    StatementEn => "Statement (English)", "Énoncé (anglais)";
    EvidenceCodes => "Codes holding its evidence (keys, comma-separated)",
        "Codes qui en portent les preuves (clés, séparées par des virgules)";
    OutcomeNotes => "What came of it", "Résultats obtenus";
    // Prompts and messages.
    PromptPassphrase => "Workspace passphrase: ", "Phrase secrète de l'espace de travail : ";
    PromptNewPassphrase => "New workspace passphrase (at least 10 characters): ",
        "Nouvelle phrase secrète (au moins 10 caractères) : ";
    PromptConfirmPassphrase => "Repeat the passphrase: ", "Répétez la phrase secrète : ";
    PassphraseMismatch => "the two passphrases differ", "les deux phrases secrètes diffèrent";
    NoPassphrase => "no passphrase: use --passphrase-file, SANKORE_PASSPHRASE, or run in a terminal to be prompted",
        "aucune phrase secrète : utilisez --passphrase-file, SANKORE_PASSPHRASE, ou lancez dans un terminal pour la saisir";
    WritingStudy => "Writing the study", "Écriture de l'étude";
    WorkspaceCreated => "Workspace created", "Espace de travail créé";
    DemoSynthetic => "All demo data is synthetic: no real person.", "Toutes les données de démonstration sont synthétiques : aucune personne réelle.";
    Serving => "Workbench at", "Atelier disponible à";
    ServingSignIn => "Open it in a browser on this machine; stop with Ctrl+C.",
        "Ouvrez-la dans un navigateur sur cette machine ; arrêtez avec Ctrl+C.";
    CheckPassed => "all checks passed", "tous les contrôles sont passés";
    CheckFailed => "integrity problems found", "problèmes d'intégrité trouvés";
    // Methodology table.
    Methodology => "Methodology", "Méthodologie";
    Study => "Study", "Étude";
    Period => "Period", "Période";
    TeamSize => "Team size", "Taille de l'équipe";
    Places => "Places", "Lieux";
    ResearchQuestions => "Research questions", "Questions de recherche";
    Interviews => "Individual interviews", "Entretiens individuels";
    FocusGroups => "Focus groups", "Groupes de discussion";
    ValidationForums => "Validation forums", "Forums de validation";
    Sessions => "Sessions", "Séances";
    Participants => "Participants", "Participants";
    Women => "Women", "Femmes";
    Men => "Men", "Hommes";
    Woman => "Woman", "Femme";
    Man => "Man", "Homme";
    Unspecified => "Not recorded", "Non renseigné";
    ByGroup => "By stakeholder group", "Par groupe d'acteurs";
    Measure => "Measure", "Mesure";
    Value => "Value", "Valeur";
    CliPublic => "The public view: counts of people below the threshold hidden, with any count that would give them back",
        "La vue publique : effectifs inférieurs au seuil masqués, ainsi que tout effectif qui permettrait de les retrouver";
    CliThreshold => "Threshold of the public view (3 to 10)", "Seuil de la vue publique (3 à 10)";
    PublicView => "Public view: counts of people below the threshold are hidden (<k), and so is any count that would give them back (x).",
        "Vue publique : les effectifs inférieurs au seuil sont masqués (<k), ainsi que tout effectif qui permettrait de les retrouver (x).";
    InternalView => "Internal view: small counts are not suppressed. Do not publish.",
        "Vue interne : les petits effectifs ne sont pas masqués. Ne pas publier.";
    // Web.
    Home => "Home", "Accueil";
    NoStudy => "This workspace holds no study yet.", "Cet espace de travail ne contient encore aucune étude.";
    Language => "Language", "Langue";
    SignIn => "Sign in", "Se connecter";
    SignOut => "Sign out", "Se déconnecter";
    UserName => "User name", "Nom d'utilisateur";
    Password => "Password", "Mot de passe";
    SignInFailed => "Name or password incorrect, or account locked after too many failures (a coordinator can unlock it).",
        "Nom ou mot de passe incorrect, ou compte verrouillé après trop d'échecs (un coordinateur peut le déverrouiller).";
    Documents => "Transcripts and notes", "Transcriptions et notes";
    Document => "Document", "Document";
    Codings => "Codings", "Codages";
    CodingProgress => "Coding progress", "Avancement du codage";
    DocumentsCoded => "Documents with at least one coding", "Documents avec au moins un codage";
    CodeSelection => "Code the selected text", "Coder le texte sélectionné";
    FilterCodes => "Filter codes", "Filtrer les codes";
    Apply => "Apply", "Appliquer";
    Memo => "Memo", "Mémo";
    Save => "Save", "Enregistrer";
    Delete => "Delete", "Supprimer";
    Coder => "Coder", "Codeur";
    AllCoders => "All coders", "Tous les codeurs";
    Filter => "Filter", "Filtrer";
    Code => "Code", "Code";
    Text => "Text", "Texte";
    SelectFirst => "Select a passage of the transcript first.", "Sélectionnez d'abord un passage de la transcription.";
    Characters => "characters", "caractères";
    Role => "Role", "Rôle";
    CliUser => "Manage workbench accounts", "Gérer les comptes de l'atelier";
    CliUserAdd => "Add an account", "Ajouter un compte";
    CliUserName => "User name (letters, digits, '.', '-', '_')", "Nom d'utilisateur (lettres, chiffres, '.', '-', '_')";
    CliUserRole => "Role: coordinator, researcher, coder, facilitator or viewer",
        "Rôle : coordinator, researcher, coder, facilitator ou viewer";
    CliPasswordFile => "Read the account's password from this file (first line)",
        "Lire le mot de passe du compte dans ce fichier (première ligne)";
    UserAdded => "Account added", "Compte ajouté";
    Codebook => "Codebook", "Livre de codes";
    CodeKeyLabel => "Key", "Clé";
    Parent => "Parent", "Parent";
    TopLevel => "(top level)", "(premier niveau)";
    NameFr => "Name (French)", "Nom (français)";
    NameEn => "Name (English)", "Nom (anglais)";
    DescriptionFr => "Description (French)", "Description (français)";
    DescriptionEn => "Description (English)", "Description (anglais)";
    Colour => "Colour", "Couleur";
    AddOrEditCode => "Add or edit a code", "Ajouter ou modifier un code";
    AddOrEditHelp => "An existing key edits that code (rename, move, recolour); a new key adds a code.",
        "Une clé existante modifie ce code (renommer, déplacer, recolorer) ; une nouvelle clé ajoute un code.";
    Merge => "Merge", "Fusionner";
    MergeInto => "into", "dans";
    MergeHelp => "Merging moves every coding of the first code to the second, then removes the first.",
        "La fusion déplace tous les codages du premier code vers le second, puis supprime le premier.";
    Segments => "Coded segments", "Segments codés";
    Version => "Version", "Version";
    ParticipantsTitle => "Participant register", "Registre des participants";
    SessionsTitle => "Session register", "Séances de collecte";
    ParticipantCode => "Participant code", "Code participant";
    Gender => "Gender", "Genre";
    AgeBand => "Age band", "Tranche d'âge";
    Group => "Stakeholder group", "Groupe d'acteurs";
    Place => "Place", "Lieu";
    Consent => "Consent", "Consentement";
    Any => "(any)", "(tous)";
    NewParticipant => "Register a participant", "Enregistrer une personne";
    PseudonymNote => "Codes only: names, phone numbers and exact locations never go here.",
        "Codes uniquement : jamais de nom, de numéro de téléphone ni de lieu exact ici.";
    EditParticipant => "Edit the participant", "Modifier la fiche";
    SessionCode => "Session code", "Code de séance";
    Kind => "Kind", "Type";
    Date => "Date", "Date";
    Facilitators => "Facilitators (team handles, comma-separated)", "Animateurs (identifiants de l'équipe, séparés par des virgules)";
    SessionParticipants => "Registered participants (codes, comma-separated)", "Participants enregistrés (codes, séparés par des virgules)";
    Composition => "Attendance by group and gender", "Présence par groupe et genre";
    CompositionHelp => "One line per group and gender: GROUP-KEY GENDER COUNT, e.g. youth-associations female 5",
        "Une ligne par groupe et genre : CLÉ-DU-GROUPE GENRE NOMBRE, par ex. youth-associations female 5";
    DeclaredTotal => "Headcount on the attendance sheet", "Effectif sur la feuille de présence";
    NewSession => "Record a session", "Enregistrer une séance";
    EditSession => "Edit the session", "Modifier la séance";
    Headcount => "Headcount", "Effectif";
    AddTranscript => "Type or paste a transcript", "Saisir ou coller une transcription";
    TranscriptHelp => "One turn per line as SPEAKER: text. A speaker written as a participant code is linked to that participant.",
        "Un tour de parole par ligne sous la forme LOCUTEUR : texte. Un locuteur écrit comme un code participant est relié à cette personne.";
    Title => "Title", "Titre";
    DocumentLanguage => "Language code (fr, en, son, taq…)", "Code de langue (fr, en, son, taq…)";
    QuotaProgress => "Interviews against quotas", "Entretiens par rapport aux quotas";
    Target => "Target", "Cible";
    Achieved => "Achieved", "Réalisé";
    SessionsPerWeek => "Sessions per week", "Séances par semaine";
    OtherSessions => "Forums and roundtables", "Forums et tables rondes";
    Roundtables => "Roundtables", "Tables rondes";
    ConsentGiven => "consent given", "consentement donné";
    ConsentPending => "consent pending", "consentement en attente";
    ConsentRefused => "consent refused", "consentement refusé";
    ConsentWithdrawn => "consent withdrawn", "consentement retiré";
    WeekOf => "Week of", "Semaine du";
    Search => "Search", "Rechercher";
    DemoAccounts => "Sign in with one of these demo accounts (passwords shown once):",
        "Connectez-vous avec l'un de ces comptes de démonstration (mots de passe affichés une seule fois) :";
    // REFI-QDA exchange (NVivo, ATLAS.ti, MAXQDA...).
    CliExport => "Export the study to another tool's format", "Exporter l'étude au format d'un autre outil";
    CliExportQdpx => "The whole coded project as REFI-QDA (.qdpx), for NVivo, ATLAS.ti, MAXQDA...",
        "Tout le projet codé au format REFI-QDA (.qdpx), pour NVivo, ATLAS.ti, MAXQDA...";
    CliExportQdc => "The codebook alone as REFI-QDA (.qdc)", "Le livre de codes seul au format REFI-QDA (.qdc)";
    CliOut => "File to write (replaced if it exists)", "Fichier à écrire (remplacé s'il existe)";
    CliLineEndings => "Line breaks of the exported texts: crlf (MAXQDA, NVivo) or lf (ATLAS.ti)",
        "Fins de ligne des textes exportés : crlf (MAXQDA, NVivo) ou lf (ATLAS.ti)";
    CliImport => "Import a study from another tool's file into a new workspace",
        "Importer une étude depuis le fichier d'un autre outil dans un nouvel espace de travail";
    CliImportQdpx => "A REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder...",
        "Un projet REFI-QDA (.qdpx) venant de NVivo, ATLAS.ti, MAXQDA, QualCoder...";
    CliImportQdc => "A REFI-QDA codebook (.qdc)", "Un livre de codes REFI-QDA (.qdc)";
    CliImportFile => "File to import", "Fichier à importer";
    CliImportWorkspace => "Workspace directory to create (must be new or empty)",
        "Répertoire de l'espace de travail à créer (nouveau ou vide)";
    CliAllowPartial => "Import even if some sources or codings cannot be kept (non-text sources, missing texts); they are listed",
        "Importer même si des sources ou des codages ne peuvent être gardés (sources non textuelles, textes absents) ; ils sont listés";
    Exported => "Exported", "Exporté";
    Imported => "Imported", "Importé";
    PositionsCounted => "positions counted in", "positions comptées en";
    LeftOut => "Left out", "Laissé de côté";
    NotKept => "Not kept (no place in Sankore)", "Non conservé (pas de place dans Sankore)";
    // Analyses (`sankore analyze`).
    CliAnalyze => "Analyse the codings: matrices, co-occurrence, agreement, saturation, words",
        "Analyser les codages : matrices, cooccurrences, accord, saturation, mots";
    CliAnalyzeMatrix => "Codes × an attribute: segments, documents, participants, focus groups",
        "Codes × un attribut : segments, documents, participants, groupes de discussion";
    CliAnalyzeCooccurrence => "Codes applied together: overlapping, within N characters, or in the same document",
        "Codes appliqués ensemble : chevauchants, à moins de N caractères, ou dans le même document";
    CliAnalyzeAgreement => "Agreement between coders: percent, Cohen's and Fleiss' kappa, Krippendorff's alpha",
        "Accord entre codeurs : pourcentage, kappa de Cohen et de Fleiss, alpha de Krippendorff";
    CliAnalyzeSaturation => "New codes per successive interview, overall and per stakeholder group",
        "Nouveaux codes par entretien successif, en tout et par groupe d'acteurs";
    CliAnalyzeWords => "Word frequencies, or a keyword in context (stemmed, without stop words)",
        "Fréquences des mots, ou un mot-clé en contexte (racinisés, sans mots vides)";
    CliAnalyzeCoders => "Only these coders (comma-separated handles)", "Seulement ces codeurs (identifiants séparés par des virgules)";
    CliAnalyzeBy => "The columns: place, cercle, group, gender, age band, session kind, research question or coder",
        "Les colonnes : lieu, cercle, groupe, genre, tranche d'âge, type de séance, question de recherche ou codeur";
    CliAnalyzeRanking => "The push-factor ranking per cercle, by distinct participants",
        "Le classement des facteurs de poussée par cercle, par participants distincts";
    CliAnalyzeCell => "Drill down: the codings of one cell, as CODE=COLUMN",
        "Détail : les codages d'une cellule, sous la forme CODE=COLONNE";
    CliAnalyzeUnit => "The unit of text: character, paragraph or segment",
        "L'unité de texte : caractère, paragraphe ou segment";
    CliAnalyzeScope => "Documents counted: coded by any of the coders, or by all of them",
        "Documents comptés : codés par l'un des codeurs, ou par tous";
    CliAnalyzeKwic => "Keyword in context: every occurrence of this word",
        "Mot-clé en contexte : chaque occurrence de ce mot";
    // The audit log (`sankore audit`).
    CliAudit => "The tamper-evident audit log: verify it, list its entries",
        "Le journal d'audit infalsifiable : le vérifier, lister ses entrées";
    CliAuditVerify => "Check that no entry was altered, removed or reordered (exit 1 if one was)",
        "Vérifier qu'aucune entrée n'a été modifiée, supprimée ou déplacée (code 1 sinon)";
    CliAuditShow => "List entries, oldest first", "Lister les entrées, des plus anciennes aux plus récentes";
    CliAuditActor => "Only this actor's entries", "Seulement les entrées de cet acteur";
    CliAuditAction => "Only this action (sign_in, export, withdrawal, ...)",
        "Seulement cette action (sign_in, export, withdrawal, ...)";
    CliAuditSince => "Only entries recorded on or after this date (YYYY-MM-DD) or instant",
        "Seulement les entrées enregistrées à partir de cette date (AAAA-MM-JJ) ou de cet instant";
    CliAuditUntil => "Only entries recorded before this date (YYYY-MM-DD) or instant",
        "Seulement les entrées enregistrées avant cette date (AAAA-MM-JJ) ou cet instant";
    CliAuditLimit => "Only the most recent N entries", "Seulement les N entrées les plus récentes";
    AuditIntact => "Audit log intact", "Journal d'audit intact";
    AuditBroken => "Audit log BROKEN", "Journal d'audit ROMPU";
    AuditEntries => "entries", "entrées";
    AuditEntry => "entry", "entrée";
    AuditHead => "head", "tête";
    AnalysisUnattributed => "Not attributed", "Non attribué";
    AnalysisMatrixLegend => "Each cell: distinct participants (coded segments).",
        "Chaque cellule : participants distincts (segments codés).";
    AnalysisSegments => "Segments", "Segments";
    AnalysisUnit => "Unit:", "Unité :";
    AnalysisCoders => "Coders:", "Codeurs :";
    AnalysisDocuments => "Documents:", "Documents :";
    AnalysisExcludingUncoded => "Without the units no coder coded:", "Sans les unités qu'aucun codeur n'a codées :";
    AnalysisSaturationLegend => "Interviews by date then code; new: codes not seen in earlier interviews of the same curve.",
        "Entretiens par date puis code ; nouveaux : codes absents des entretiens précédents de la même courbe.";
    // Analyses in the workbench (`/analysis`).
    AnalysisTitle => "Analyses", "Analyses";
    AnalysisMatrix => "Matrix: codes × attribute", "Matrice : codes × attribut";
    AnalysisCooccurrence => "Co-occurrence of codes", "Cooccurrence des codes";
    AnalysisAgreement => "Agreement between coders", "Accord entre codeurs";
    AnalysisSaturation => "Saturation: new codes per interview", "Saturation : nouveaux codes par entretien";
    AnalysisWords => "Words and keyword in context", "Mots et mot-clé en contexte";
    AnalysisCell => "Segments behind the cell", "Segments derrière la cellule";
    AnalysisColumns => "Columns", "Colonnes";
    AnalysisUnder => "Only the codes under", "Seulement les codes sous";
    AnalysisCodersField => "Coders (comma-separated handles)", "Codeurs (identifiants séparés par des virgules)";
    AnalysisKinds => "Session kinds (comma-separated)", "Types de séance (séparés par des virgules)";
    AnalysisShow => "Show", "Afficher";
    AnalysisNothing => "Nothing to show.", "Rien à afficher.";
    AnalysisProximity => "Together when", "Ensemble quand";
    AnalysisDistance => "Largest gap (characters, for within)", "Écart maximal (caractères, pour within)";
    AnalysisBoth => "Together", "Ensemble";
    AnalysisEither => "Either", "L'un ou l'autre";
    AnalysisScope => "Documents counted", "Documents comptés";
    AnalysisAllUnits => "All units", "Toutes les unités";
    AnalysisUnits => "Units", "Unités";
    AnalysisOverall => "All codes pooled", "Tous les codes ensemble";
    AnalysisAllInterviews => "All interviews", "Tous les entretiens";
    AnalysisCodesApplied => "Codes applied", "Codes appliqués";
    AnalysisNew => "New codes", "Nouveaux codes";
    AnalysisCumulative => "Codes so far", "Codes jusqu'ici";
    AnalysisKeyword => "Keyword", "Mot-clé";
    AnalysisWordsRead => "Words read:", "Mots lus :";
    AnalysisTerm => "Word", "Mot";
    AnalysisCount => "Occurrences", "Occurrences";
    // Blind double-coding (`/assignments`).
    AssignmentsTitle => "Blind double-coding", "Double codage à l'aveugle";
    AssignmentsHelp => "Until every coder assigned to a document marks it done, each sees only their own codings on it (the coordinator who assigns sees all).",
        "Tant que chaque codeur affecté à un document ne l'a pas marqué terminé, chacun ne voit que ses propres codages sur ce document (la coordination qui affecte voit tout).";
    AssignedBy => "Assigned by", "Affecté par";
    AssignmentDone => "Done", "Terminé";
    AssignmentInProgress => "In progress", "En cours";
    MarkDone => "Mark done", "Marquer terminé";
    AssignmentAgreement => "Their agreement", "Leur accord";
    AssignTo => "Assign a document to a coder", "Affecter un document à un codeur";
    Assign => "Assign", "Affecter";
    // Auto-coding suggestions (`/suggestions`).
    SuggestionsTitle => "Auto-coding suggestions", "Suggestions de codage automatique";
    SuggestionsHelp => "Passages a dictionary points at. Nothing is coded until someone accepts a suggestion, which then becomes their own manual coding.",
        "Passages repérés par un dictionnaire. Rien n'est codé tant qu'une personne n'accepte pas la suggestion, qui devient alors son propre codage manuel.";
    SuggestionsPending => "pending suggestions", "suggestions en attente";
    RunDictionary => "Run a dictionary", "Lancer un dictionnaire";
    DictionaryEntries => "Entries, one a line: word:emploi*, phrase:pas de travail, regex:… (a bare line is a word, or a phrase if it has several words); accents and case are ignored",
        "Entrées, une par ligne : word:emploi*, phrase:pas de travail, regex:… (une ligne nue est un mot, ou une expression si elle a plusieurs mots) ; accents et casse ignorés";
    SuggestionExtent => "Text suggested around a match", "Texte suggéré autour d'une correspondance";
    Accept => "Accept", "Accepter";
    Reject => "Reject", "Rejeter";
    // Study report (issue 8).
    ReportStudyTitle => "Participatory diagnostic study — report", "Étude diagnostique participative — rapport";
    ReportCoordinatorCopy => "Coordinator's copy — includes the disclosure report; do not distribute",
        "Exemplaire du coordinateur — contient le rapport de confidentialité ; ne pas diffuser";
    ReportPublicCopy => "Public version: every count of people has passed disclosure control",
        "Version publique : tous les effectifs de personnes ont passé le contrôle de confidentialité";
    ReportMethodIntro => "Who was heard, where and how. Interviews were held one to one; focus groups gathered members of one stakeholder group; validation forums presented the findings back to each cercle.",
        "Qui a été entendu, où et comment. Les entretiens ont été individuels ; les groupes de discussion ont réuni les membres d'un même groupe d'acteurs ; les forums de validation ont restitué les résultats dans chaque cercle.";
    ReportSuppressionNote => "“withheld”: a count of fewer people than the threshold, or a count that would give such a count back (the same marker for both). Threshold k =",
        "« masqué » : un effectif inférieur au seuil, ou un effectif qui permettrait d'en retrouver un (la même marque pour les deux). Seuil k =";
    ReportTimeline => "Timeline", "Calendrier";
    ReportPhase => "Phase", "Phase";
    ReportMapCaption => "People heard (interviews and focus groups) by cercle; symbols at each cercle's chef-lieu, sized by the number of people.",
        "Personnes entendues (entretiens et groupes de discussion) par cercle ; symboles au chef-lieu de chaque cercle, proportionnels au nombre de personnes.";
    ReportPushFactors => "Push factors by cercle", "Facteurs de poussée par cercle";
    ReportPushCaption => "Distinct people whose words support each finding, by cercle (hatched: withheld).",
        "Personnes distinctes dont les propos étayent chaque constat, par cercle (hachuré : masqué).";
    ReportNoFindings => "No finding answers this question yet.", "Aucun constat ne répond encore à cette question.";
    ReportValidated => "validated by at least one forum", "validé par au moins un forum";
    ReportNotValidated => "not yet validated", "pas encore validé";
    ReportEvidence => "Evidence", "Éléments de preuve";
    ReportPeople => "people", "personnes";
    ReportSources => "sources", "sources";
    ReportCercles => "cercles", "cercles";
    ReportForumIntro => "Each cercle's validation forum reviewed the findings: validated, amended, rejected, or added.",
        "Le forum de validation de chaque cercle a examiné les constats : validés, amendés, rejetés ou ajoutés.";
    ReportOutcomeDetail => "Outcomes by finding", "Résultats par constat";
    ReportPlanned => "planned", "prévue";
    ReportUnderWay => "under way", "en cours";
    ReportDone => "done", "réalisée";
    ReportDropped => "dropped", "abandonnée";
    ReportWoman => "woman", "femme";
    ReportMan => "man", "homme";
    ReportParticipant => "a participant", "un participant";
    ReportDisclosureAnnex => "Annex — Disclosure report", "Annexe — Rapport de confidentialité";
    ReportThreshold => "Threshold", "Seuil";
    ReportQuasiIdentifiers => "quasi-identifiers", "quasi-identifiants";
    ReportBelowThreshold => "below the threshold", "sous le seuil";
    ReportComplementary => "secondary suppression (would give a hidden count back)",
        "suppression secondaire (permettrait de retrouver un effectif masqué)";
    ReportTinyPopulation => "complete count of a tiny population", "dénombrement complet d'une très petite population";
    ReportRevealingZero => "a zero beside a hidden count (would tell its category)",
        "zéro à côté d'un effectif masqué (en dirait la catégorie)";
    ReportSuppressed => "Counts withheld", "Effectifs masqués";
    ReportCell => "Cell", "Cellule";
    ReportWarnings => "Warnings", "Avertissements";
    ReportHomogeneous => "everyone in a small cell answered alike", "toutes les personnes d'une petite cellule ont répondu de même";
    ReportPercentWithheld => "percentage withheld", "pourcentage masqué";
    ReportQuotesReviewed => "Quotes scanned", "Citations contrôlées";
    ReportFlags => "Found", "Détecté";
    ReportDecision => "Decision", "Décision";
    ReportBy => "By, and why", "Par qui, et pourquoi";
    ReportWritten => "Report written", "Rapport écrit";
    ReportWithheld => "withheld", "masqué";
    ReportDownload => "Study report (public version, disclosure-controlled)", "Rapport d'étude (version publique, après contrôle de confidentialité)";
    ReportCountsWithheld => "counts withheld", "effectifs masqués";
    ReportQuotesBlocked => "quotes blocked", "citations bloquées";
    // The study report's annex of instruments.
    ReportInstrumentsAnnex => "Annex — Data collection instruments", "Annexe — Instruments de collecte";
    ReportQuestionLabel => "Question", "Question";
    ReportQuestionType => "Type and choices", "Type et choix";
    ReportRqShort => "RQ", "QR";
    ReportInstrumentsNote => "Questions in the order of the form, in the report's language where the form has it; RQ: the research questions each question serves.",
        "Questions dans l'ordre du formulaire, dans la langue du rapport quand le formulaire l'a ; QR : les questions de recherche que sert chaque question.";
    PdfNotInThisBuild => "PDF output is not part of this build of Sankore (built without the pdf feature); the HTML version is available.",
        "La sortie PDF ne fait pas partie de cette version de Sankore (compilée sans la fonction pdf) ; la version HTML est disponible.";
    CliReportStudy => "The study report (PDF or HTML), through disclosure control", "Le rapport d'étude (PDF ou HTML), après contrôle de confidentialité";
    CliStudyThreshold => "Threshold (3 to 10; default: the study's setting)", "Seuil (3 à 10 ; par défaut : celui de l'étude)";
    CliReportDate => "Date printed on the report (default: today)", "Date imprimée sur le rapport (par défaut : aujourd'hui)";
    CliCoordinatorCopy => "Annex the disclosure report (the coordinator's copy)", "Joindre en annexe le rapport de confidentialité (exemplaire du coordinateur)";
    CliGeojson => "GeoJSON file of the cercles' polygons to draw on the map", "Fichier GeoJSON des polygones des cercles à dessiner sur la carte";
    CliQuotes => "Quotes backing findings, and their disclosure scan", "Citations à l'appui des constats, et leur contrôle de confidentialité";
    CliQuotesList => "List quotes with what the scan found (never their text)", "Lister les citations et ce que le contrôle a détecté (jamais leur texte)";
    CliQuotesPick => "Pick a coding as a quote for a finding", "Choisir un codage comme citation d'un constat";
    CliQuotesApprove => "Approve a flagged quote as it stands (reason required, recorded)", "Approuver telle quelle une citation signalée (motif requis, consigné)";
    CliQuotesEdit => "Publish an edited wording of a quote (reason required, recorded)", "Publier une citation reformulée (motif requis, consigné)";
    CliQuoteFinding => "Key of the finding", "Clé du constat";
    CliQuoteCoding => "Identifier of the coding", "Identifiant du codage";
    CliQuoteReason => "Why (required)", "Pourquoi (obligatoire)";
    CliQuoteBy => "Who decides (a team handle)", "Qui décide (identifiant d'équipe)";
    CliQuoteTextFile => "File holding the edited wording", "Fichier contenant la citation reformulée";
    QuotePicked => "Quote picked", "Citation choisie";
    QuoteReviewed => "Quote decision recorded", "Décision sur la citation consignée";
    // The identity vault, withdrawal and study settings (`sankore vault`,
    // `sankore participant`, `sankore settings`, `/vault`, `/settings`).
    CliVault => "The identity vault: names, phones and exact locations, sealed apart",
        "Le coffre des identités : noms, téléphones et lieux exacts, scellés à part";
    CliVaultInit => "Create the identity vault, held by a coordinator",
        "Créer le coffre des identités, détenu par un coordinateur";
    CliVaultShow => "Show a participant's identity (coordinators; recorded in the audit log)",
        "Afficher l'identité d'un participant (coordinateurs ; inscrit au journal d'audit)";
    CliVaultGrant => "Give another coordinator their own copy of the vault key",
        "Donner à un autre coordinateur sa propre copie de la clé du coffre";
    CliVaultGrantee => "The coordinator receiving the key", "Le coordinateur qui reçoit la clé";
    CliVaultGranteePassword => "File holding the receiving coordinator's password (first line)",
        "Fichier contenant le mot de passe du coordinateur qui reçoit la clé (première ligne)";
    CliVaultPurge => "Destroy every identity once the study's retention date has passed",
        "Détruire toutes les identités une fois passée la date de conservation de l'étude";
    CliParticipant => "Participants: register from the field, withdraw consent",
        "Participants : enregistrer depuis le terrain, retirer le consentement";
    CliParticipantAdd => "Register a participant; their identity goes straight into the vault",
        "Enregistrer un participant ; son identité va directement dans le coffre";
    CliParticipantWithdraw => "Withdraw a participant's consent: remove their identity, interviews and words",
        "Retirer le consentement d'un participant : supprimer son identité, ses entretiens et ses paroles";
    CliParticipantCode => "Pseudonymous participant code", "Code pseudonyme du participant";
    CliParticipantGender => "female, male or unspecified", "female, male ou unspecified";
    CliParticipantAge => "Age band (under-18, 18-24, 25-34, 35-49, 50-64, 65+, unknown)",
        "Tranche d'âge (under-18, 18-24, 25-34, 35-49, 50-64, 65+, unknown)";
    CliParticipantGroup => "Stakeholder group key", "Clé du groupe d'acteurs";
    CliParticipantPlace => "Place code (commune or cercle)", "Code du lieu (commune ou cercle)";
    CliParticipantConsent => "Consent status (given, pending, refused)", "État du consentement (given, pending, refused)";
    CliIdentityName => "Full name (sealed in the vault)", "Nom complet (scellé dans le coffre)";
    CliIdentityPhone => "Phone number (sealed in the vault)", "Numéro de téléphone (scellé dans le coffre)";
    CliIdentityLocation => "Exact location (sealed in the vault)", "Lieu exact (scellé dans le coffre)";
    CliWithdrawReason => "Why (no names: recorded in the audit log)", "Pourquoi (sans noms : inscrit au journal d'audit)";
    CliSettings => "Show or change the study's settings (coordinators change them)",
        "Afficher ou modifier les paramètres de l'étude (les coordinateurs les modifient)";
    CliRetention => "Destroy identities after this day (YYYY-MM-DD), or none",
        "Détruire les identités après ce jour (AAAA-MM-JJ), ou none";
    CliAssignedOnly => "Coders read only the documents assigned to them (true or false)",
        "Les codeurs ne lisent que les documents qui leur sont affectés (true ou false)";
    CliActingUser => "The account acting (its password is checked)", "Le compte qui agit (son mot de passe est vérifié)";
    NoAccountPassword => "no account password: use --password-file or SANKORE_PASSWORD",
        "pas de mot de passe de compte : utilisez --password-file ou SANKORE_PASSWORD";
    PromptAccountPassword => "Password of", "Mot de passe de";
    WrongAccountPassword => "unknown account or wrong password", "compte inconnu ou mot de passe erroné";
    VaultCreated => "Identity vault created, held by", "Coffre des identités créé, détenu par";
    DemoVault => "The identity vault holds a SYNTHETIC identity (invented words, not real names) for each participant; the coordinator account holds its key.",
        "Le coffre des identités contient une identité SYNTHÉTIQUE (mots inventés, pas de vrais noms) pour chaque participant ; le compte coordinateur en détient la clé.";
    VaultGranted => "Vault key granted to", "Clé du coffre confiée à";
    VaultCopyStale => "This coordinator's copy of the identity-vault key still opens only with the old password: use the old one, or have another coordinator grant it again (sankore vault grant).",
        "La copie de la clé du coffre des identités de ce coordinateur ne s'ouvre encore qu'avec l'ancien mot de passe : utilisez l'ancien, ou faites-la confier de nouveau par un autre coordinateur (sankore vault grant).";
    NoIdentity => "the vault holds no identity for", "le coffre ne contient aucune identité pour";
    IdentitiesPurged => "Identities destroyed", "Identités détruites";
    ParticipantRegistered => "Participant registered", "Participant enregistré";
    ParticipantWithdrawn => "Participant withdrawn; withdrawal id", "Participant retiré ; identifiant du retrait";
    IdentityPhone => "Phone", "Téléphone";
    IdentityLocation => "Exact location", "Lieu exact";
    RetentionLabel => "Identities destroyed after", "Identités détruites après";
    AssignedOnlyLabel => "Coders see only their assigned documents", "Les codeurs ne voient que leurs documents affectés";
    VaultTitle => "Identity vault", "Coffre des identités";
    VaultHelp => "Names, phone numbers and exact locations are sealed apart from the research data. Only a coordinator can open them, for this session only; every opening and every identity read is recorded in the audit log.",
        "Les noms, numéros de téléphone et lieux exacts sont scellés à part des données de recherche. Seul un coordinateur peut les ouvrir, pour cette session seulement ; chaque ouverture et chaque lecture d'identité est inscrite au journal d'audit.";
    VaultOpenAction => "Open the vault", "Ouvrir le coffre";
    VaultCloseAction => "Close the vault", "Fermer le coffre";
    VaultIsOpen => "The vault is open for this session.", "Le coffre est ouvert pour cette session.";
    VaultIsClosed => "The vault is closed.", "Le coffre est fermé.";
    VaultWrongPassword => "Wrong password: the vault stays closed.", "Mot de passe erroné : le coffre reste fermé.";
    YourPassword => "Your password", "Votre mot de passe";
    IdentityTitle => "Identity (vault)", "Identité (coffre)";
    IdentityRegisterHelp => "Identity (optional): sealed straight into the vault, never shown elsewhere.",
        "Identité (facultative) : scellée directement dans le coffre, jamais affichée ailleurs.";
    IdentitySave => "Seal into the vault", "Sceller dans le coffre";
    IdentityNone => "The vault holds no identity for this participant.", "Le coffre ne contient aucune identité pour ce participant.";
    WithdrawTitle => "Withdraw consent", "Retrait du consentement";
    WithdrawHelp => "Removes this person's identity, their interviews and their words in every transcript (replaced by [retiré / withdrawn]), with every coding on them. This cannot be undone.",
        "Supprime l'identité de cette personne, ses entretiens et ses paroles dans chaque transcription (remplacées par [retiré / withdrawn]), avec tous les codages qui les touchent. C'est irréversible.";
    WithdrawAction => "Withdraw", "Retirer";
    WithdrawReason => "Reason (no names)", "Motif (sans noms)";
    WithdrawDone => "Participant withdrawn. Withdrawal id:", "Participant retiré. Identifiant du retrait :";
    SettingsTitle => "Study settings", "Paramètres de l'étude";
    SettingsSave => "Save the settings", "Enregistrer les paramètres";
    // Account security: sessions, passwords, roles, backups (issue 9).
    AccountTitle => "My account", "Mon compte";
    ChangePassword => "Change my password", "Changer mon mot de passe";
    CurrentPassword => "Current password", "Mot de passe actuel";
    NewPassword => "New password (10 characters or more)", "Nouveau mot de passe (10 caractères ou plus)";
    ConfirmPassword => "New password again", "Nouveau mot de passe, encore";
    PasswordChangeHelp => "Changing the password signs you out everywhere, this browser included.",
        "Changer le mot de passe vous déconnecte partout, ce navigateur compris.";
    PasswordWrong => "The current password is incorrect.", "Le mot de passe actuel est incorrect.";
    PasswordMismatch => "The two new passwords differ.", "Les deux nouveaux mots de passe diffèrent.";
    PasswordTooShort => "The new password needs 10 characters or more.", "Le nouveau mot de passe doit compter 10 caractères ou plus.";
    SignOutEverywhere => "Sign out everywhere", "Se déconnecter partout";
    SignOutEverywhereHelp => "Ends every session of this account, on every device (for a lost or shared device).",
        "Met fin à toutes les sessions de ce compte, sur tous les appareils (appareil perdu ou partagé).";
    CliUserSignOutAll => "End every workbench session of an account", "Mettre fin à toutes les sessions d'un compte dans l'atelier";
    CliUserPassword => "Set an account's password (ends its sessions)", "Définir le mot de passe d'un compte (met fin à ses sessions)";
    CliUserRoleChange => "Change an account's role", "Changer le rôle d'un compte";
    CliUserUnlock => "Unlock an account locked after failed sign-ins", "Déverrouiller un compte verrouillé après des échecs de connexion";
    SessionsEnded => "Sessions ended", "Sessions terminées";
    PasswordChanged => "Password changed; the account's sessions ended", "Mot de passe changé ; les sessions du compte sont terminées";
    RoleChanged => "Role changed", "Rôle changé";
    AccountUnlocked => "Account unlocked", "Compte déverrouillé";
    AccountWasNotLocked => "The account was not locked", "Le compte n'était pas verrouillé";
    CliBackup => "Write an encrypted, authenticated backup of a workspace (works while the server runs)",
        "Écrire une sauvegarde chiffrée et authentifiée d'un espace de travail (fonctionne pendant que le serveur tourne)";
    CliBackupOut => "Backup file to write", "Fichier de sauvegarde à écrire";
    CliRestore => "Restore a backup into a new workspace (checked before anything is written)",
        "Restaurer une sauvegarde dans un nouvel espace de travail (vérifiée avant toute écriture)";
    CliRestoreFile => "Backup file to restore", "Fichier de sauvegarde à restaurer";
    CliRestoreWorkspace => "New workspace directory (must be empty or absent)", "Nouveau répertoire d'espace de travail (vide ou absent)";
    BackupWritten => "Backup written", "Sauvegarde écrite";
    BackupRestored => "Backup restored", "Sauvegarde restaurée";
    // XLSForm instruments (`xlsform check`, `import xlsform`, `export xlsform`).
    CliXlsform => "XLSForm instruments (questionnaires, interview guides)",
        "Instruments XLSForm (questionnaires, guides d'entretien)";
    CliXlsformCheck => "Check an XLSForm (.xlsx, .xls, .csv, .md) as pyxform does, without a workspace; exit 1 if refused",
        "Vérifier un XLSForm (.xlsx, .xls, .csv, .md) comme pyxform, sans espace de travail ; code de sortie 1 s'il est refusé";
    CliXlsformFile => "XLSForm file (.xlsx, .xls, .csv or .md)", "Fichier XLSForm (.xlsx, .xls, .csv ou .md)";
    CliImportXlsform => "An XLSForm instrument into the study of an existing workspace (replaces the instrument with the same form_id)",
        "Un instrument XLSForm dans l'étude d'un espace de travail existant (remplace l'instrument de même form_id)";
    CliResearchQuestionColumn => "Survey column linking questions to research questions (numbers such as 1, 3)",
        "Colonne de la feuille survey liant les questions aux questions de recherche (numéros tels que 1, 3)";
    CliExportXlsform => "An instrument as an XLSForm workbook (.xlsx) for KoBoToolbox, ODK Central or pyxform",
        "Un instrument en classeur XLSForm (.xlsx) pour KoBoToolbox, ODK Central ou pyxform";
    CliInstrument => "Key of the instrument (its form_id)", "Clé de l'instrument (son form_id)";
    CliXlsformList => "List the workspace's instruments (key, version, title, questions linked to research questions)",
        "Lister les instruments de l'espace de travail (clé, version, titre, questions liées aux questions de recherche)";
    CliXlsformLink => "Link a question of an instrument to research questions (replaces its links)",
        "Lier une question d'un instrument à des questions de recherche (remplace ses liens)";
    CliXlsformQuestion => "Name of the question", "Nom de la question";
    CliXlsformResearchQuestions => "Research question numbers, such as 1,3 (none removes the links)",
        "Numéros des questions de recherche, tels que 1,3 (aucun retire les liens)";
    XlsformForm => "form", "formulaire";
    XlsformAccepted => "accepted", "accepté";
    XlsformRefused => "refused", "refusé";
    XlsformQuestion => "question", "question";
    XlsformQuestions => "questions", "questions";
    XlsformGroup => "group", "groupe";
    XlsformGroups => "groups", "groupes";
    XlsformRepeat => "repeat", "répétition";
    XlsformRepeats => "repeats", "répétitions";
    XlsformChoiceList => "choice list", "liste de choix";
    XlsformChoiceLists => "choice lists", "listes de choix";
    XlsformLanguages => "languages", "langues";
    XlsformLinked => "linked to research questions", "liées aux questions de recherche";
    InstrumentNew => "new", "nouveau";
    InstrumentReplaced => "replaced", "remplacé";
    InstrumentUnchanged => "unchanged", "inchangé";
    // Field data in (KoBoToolbox, ODK Central) and spreadsheets out.
    Name => "Name", "Nom";
    ExportStart => "Start (characters)", "Début (caractères)";
    ExportEnd => "End (characters)", "Fin (caractères)";
    ExportText => "Coded text", "Texte codé";
    CliExportResponses => "Responses to a form, with values and labels", "Réponses à un formulaire, avec valeurs et libellés";
    CliExportParticipants => "The participant register (pseudonymous codes and attributes)",
        "Le registre des participants (codes pseudonymes et attributs)";
    CliExportCodings => "Every coding with the exact text it covers", "Chaque codage avec le texte exact qu'il couvre";
    CliExportMatrix => "Codes × an attribute, as a table", "Codes × un attribut, en tableau";
    CliExportFileFormat => "File format", "Format du fichier";
    CliExportLabels => "Write labels in this language (fr or en) instead of codes",
        "Écrire les libellés dans cette langue (fr ou en) au lieu des codes";
    CliExportOut => "File to write (CSV goes to standard output when omitted)",
        "Fichier à écrire (le CSV va sur la sortie standard s'il est omis)";
    CliExportHxl => "Add an HXL hashtag row under the header", "Ajouter une ligne de hashtags HXL sous l'en-tête";
    CliExportSpss => "Also write SPSS syntax that reads the CSV and applies the labels",
        "Écrire aussi une syntaxe SPSS qui lit le CSV et applique les libellés";
    CliExportStata => "Also write a Stata do-file that reads the CSV and applies the labels",
        "Écrire aussi un do-file Stata qui lit le CSV et applique les libellés";
    CliExportForm => "The form (its form_id), when responses to several forms were imported",
        "Le formulaire (son form_id), quand des réponses à plusieurs formulaires ont été importées";
    CliExportSplit => "One 1/0 column per choice of select_multiple questions instead of one joined column",
        "Une colonne 1/0 par choix des questions select_multiple au lieu d'une colonne jointe";
    CliExportMeasure => "What each cell counts", "Ce que compte chaque cellule";
    CliExportPublic => "For people outside the team: counts of people below the threshold left empty",
        "Pour des personnes hors de l'équipe : effectifs sous le seuil laissés vides";
    CliImportKobo => "Submissions exported from KoBoToolbox (CSV or XLSX) into the workspace",
        "Soumissions exportées de KoBoToolbox (CSV ou XLSX) dans l'espace de travail";
    CliImportOdk => "Submissions from ODK Central (submissions.csv.zip, or pulled from the server) into the workspace",
        "Soumissions d'ODK Central (submissions.csv.zip, ou tirées du serveur) dans l'espace de travail";
    CliImportForm => "The XLSForm (.xlsx, .xls, .csv), or the form_id of a form imported before",
        "Le XLSForm (.xlsx, .xls, .csv), ou le form_id d'un formulaire déjà importé";
    CliImportData => "The export file", "Le fichier d'export";
    CliImportMapping => "Mapping file (TOML): which questions give participants, sessions and documents",
        "Fichier de correspondance (TOML) : quelles questions donnent participants, séances et documents";
    CliImportCentral => "ODK Central server to pull the submissions from, instead of --data",
        "Serveur ODK Central d'où tirer les soumissions, au lieu de --data";
    CliImportProject => "ODK Central project number", "Numéro de projet ODK Central";
    CliImportIncludeRejectedKobo => "Also import submissions marked \"Not approved\" in KoBoToolbox (set aside by default)",
        "Importer aussi les soumissions marquées « Non approuvé » dans KoBoToolbox (mises de côté par défaut)";
    CliImportIncludeRejectedOdk => "Also import submissions whose review state is \"rejected\" in ODK Central (set aside by default)",
        "Importer aussi les soumissions à l'état de revue « rejeté » dans ODK Central (mises de côté par défaut)";
    CliImportCaCert => "PEM certificate(s) to trust for the ODK Central server instead of the system's store",
        "Certificat(s) PEM à croire pour le serveur ODK Central au lieu du magasin du système";
    CliImportTokenFile => "File holding the ODK Central token (else the ODK_CENTRAL_TOKEN variable)",
        "Fichier contenant le jeton ODK Central (sinon la variable ODK_CENTRAL_TOKEN)";
    ReadingSubmissions => "Reading submissions", "Lecture des soumissions";
    WritingResponses => "Writing responses", "Écriture des réponses";
    ResponsesImported => "Responses imported", "Réponses importées";
    ResponsesNew => "new submissions", "nouvelles soumissions";
    ResponsesUnchanged => "unchanged submissions", "soumissions inchangées";
    ResponsesChanged => "changed since the first import (first version kept)", "modifiées depuis le premier import (première version conservée)";
    ResponsesRefused => "submissions refused", "soumissions refusées";
    ResponsesWithdrawn => "of withdrawn participants, skipped", "de participants retirés, ignorées";
    ImportRefused => "import refused, nothing was written", "import refusé, rien n'a été écrit";
    UsingSavedMapping => "Using the mapping saved in the workbench for form",
        "Correspondance enregistrée dans l'atelier utilisée pour le formulaire";
    ReadAsWindows1252 => "read as Windows-1252, the file not being UTF-8: check that accented letters came out right", "lu en Windows-1252, le fichier n'étant pas en UTF-8 : vérifiez que les lettres accentuées sont justes";
    // Field data in the workbench: forms, mappings, linking.
    FieldDataTitle => "Field data", "Données de terrain";
    FieldDataHelp => "Responses imported from KoBoToolbox and ODK Central, by form. A mapping says which questions give each submission's participant, interview and documents; it applies to the submissions still unlinked, and `sankore import` uses it when no --mapping is given.",
        "Réponses importées de KoBoToolbox et d'ODK Central, par formulaire. Une correspondance dit quelles questions donnent le participant, l'entretien et les documents de chaque soumission ; elle s'applique aux soumissions encore non liées, et `sankore import` l'utilise quand --mapping n'est pas donné.";
    FieldDataNone => "No responses imported yet (sankore import kobo|odk).", "Aucune réponse importée pour l'instant (sankore import kobo|odk).";
    FieldDataForm => "Form", "Formulaire";
    FieldDataSubmissions => "Submissions", "Soumissions";
    FieldDataLinked => "Linked", "Liées";
    FieldDataUnlinked => "Unlinked", "Non liées";
    FieldDataMapping => "Mapping", "Correspondance";
    FieldDataNoMapping => "none saved", "aucune enregistrée";
    FieldDataSavedBy => "Saved by", "Enregistrée par";
    FieldDataEditMapping => "Edit the mapping", "Modifier la correspondance";
    MappingTitle => "Mapping of the responses", "Correspondance des réponses";
    MappingQuestions => "Questions giving the participant and the interview", "Questions donnant le participant et l'entretien";
    MappingNotMapped => "(not mapped)", "(non reliée)";
    MappingSessionDate => "Interview date (default: the submission's date)", "Date de l'entretien (par défaut : celle de la soumission)";
    MappingDocuments => "Text answers that become documents to code", "Réponses textuelles qui deviennent des documents à coder";
    MappingNoTextQuestions => "The form has no text question outside repeats.", "Le formulaire n'a pas de question textuelle hors répétitions.";
    MappingLanguage => "Language of the documents (ISO 639, such as fr)", "Langue des documents (ISO 639, par exemple fr)";
    MappingDefaults => "Defaults, when the form does not ask or the answer is empty", "Valeurs par défaut, quand le formulaire ne demande pas ou que la réponse est vide";
    MappingNoDefault => "(no default)", "(pas de valeur par défaut)";
    MappingValues => "Answers and Sankore's values", "Réponses et valeurs de Sankore";
    MappingValuesHelp => "For each choice of the questions mapped above: the value Sankore records (as answered when left empty). Save after choosing a question to see its choices.",
        "Pour chaque choix des questions reliées ci-dessus : la valeur que Sankore enregistre (telle que répondue si laissée vide). Enregistrez après avoir choisi une question pour voir ses choix.";
    MappingAsAnswered => "(as answered)", "(telle que répondue)";
    MappingSave => "Save the mapping", "Enregistrer la correspondance";
    MappingSaved => "Mapping saved.", "Correspondance enregistrée.";
    MappingDownload => "Download the mapping file (TOML, for sankore import --mapping)", "Télécharger le fichier de correspondance (TOML, pour sankore import --mapping)";
    MappingApply => "Apply to the unlinked submissions", "Appliquer aux soumissions non liées";
    MappingApplied => "Submissions linked", "Soumissions liées";
    MappingNothingToApply => "Every submission is linked already.", "Toutes les soumissions sont déjà liées.";
    MappingEmpty => "The saved mapping links nothing: map a participant code or documents first.", "La correspondance enregistrée ne lie rien : reliez d'abord un code de participant ou des documents.";
    MappingRefused => "Mapping refused, nothing was saved", "Correspondance refusée, rien n'a été enregistré";
    MappingApplyRefused => "Not applied, nothing was written", "Non appliquée, rien n'a été écrit";
    MappingNoSuchQuestion => "no such question in the form", "le formulaire n'a pas cette question";
    MappingInsideRepeat => "the question is inside a repeat: only questions asked once per submission can be mapped",
        "la question est dans une répétition : seules les questions posées une fois par soumission peuvent être reliées";
    MappingNotText => "only text questions become documents", "seules les questions textuelles deviennent des documents";
    MappingNeedsAttribute => "a participant needs this attribute: map a question to it, or give a default",
        "un participant a besoin de cet attribut : reliez-lui une question, ou donnez une valeur par défaut";
    MappingNeedsParticipant => "participant attributes are mapped but no participant code: map the participant code",
        "des attributs du participant sont reliés mais pas de code de participant : reliez le code du participant";
    MappingBadLanguage => "is not an ISO 639 language code such as fr", "n'est pas un code de langue ISO 639 tel que fr";
    MappingSubmission => "submission", "soumission";
    MappingNoParticipantCode => "no participant code", "pas de code de participant";
    MappingNotACode => "not a pseudonymous code", "pas un code pseudonyme";
    MappingBadGender => "gender not recognised (add [values.gender])", "genre non reconnu (ajoutez [values.gender])";
    MappingBadAge => "age not recognised", "âge non reconnu";
    MappingNoGroup => "no group", "pas de groupe";
    MappingNotAGroup => "is not a stakeholder group of the study (add [values.group])", "n'est pas un groupe d'acteurs de l'étude (ajoutez [values.group])";
    MappingNoPlace => "no place", "pas de lieu";
    MappingNotAPlace => "not a place code of the study's gazetteer (add [values.place])", "pas un code de lieu du répertoire géographique de l'étude (ajoutez [values.place])";
    MappingBadConsent => "consent not recognised", "consentement non reconnu";
    MappingNotADate => "not a date", "pas une date";
    MappingNoSessionDate => "no session date (map session_date)", "pas de date de session (associez session_date)";
    MappingOutsidePeriod => "is outside the study period", "est hors de la période de l'étude";
    MappingBadRecord => "the record it gives is refused", "l'enregistrement qui en résulte est refusé";
    CellsHidden => "cells left empty (fewer people than the threshold)", "cellules laissées vides (moins de personnes que le seuil)";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_message_has_both_languages() {
        for msg in Msg::ALL {
            assert!(!msg.text(Lang::En).trim().is_empty(), "{msg:?} en");
            assert!(!msg.text(Lang::Fr).trim().is_empty(), "{msg:?} fr");
        }
    }

    #[test]
    fn help_texts_are_distinct() {
        let mut seen = HashSet::new();
        for msg in Msg::ALL {
            assert!(
                seen.insert(msg.text(Lang::En)),
                "{msg:?} repeats an English text"
            );
        }
    }
}
