//! The vault, withdrawal and access rules in the store itself, below any
//! route: on a real encrypted database holding the demo study.

use sankore_domain::{
    AgeBand, CodeKey, Coding, CodingOrigin, CompositionCount, ConsentStatus, Document,
    DocumentKind, Gender, Participant, ParticipantCode, PlaceCode, Role, Session, SessionKind,
    TextBody, Turn,
};
use sankore_store::key::hash_password;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{
    AccessStore, Account, AccountStore, AssignmentStore, CodingStore, Identity, Passphrase,
    RecordStore, Store, StoreError, StudySettings, VaultStore, WITHDRAWN_MARKER, Workspace,
};

fn demo() -> (tempfile::TempDir, SqliteStore) {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let passphrase = Passphrase::new("phrase secrète des tests".to_owned());
    let (_, mut store) =
        Workspace::create(&root.path().join("w"), &passphrase).unwrap_or_else(|e| panic!("{e}"));
    store
        .import_study(&sankore_demo::reference_study(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    (root, store)
}

fn user(store: &mut SqliteStore, name: &str, role: Role) -> Account {
    let hash = hash_password(&password(name)).unwrap_or_else(|e| panic!("{e}"));
    store
        .add_user(name, role, &hash)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn password(name: &str) -> Passphrase {
    Passphrase::new(format!("{name} password"))
}

fn forbidden<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(
        matches!(result, Err(StoreError::Forbidden { .. })),
        "{result:?}"
    );
}

fn participant(code: &str) -> Participant {
    Participant {
        code: ParticipantCode::new(code).unwrap_or_else(|e| panic!("{e}")),
        gender: Gender::Female,
        age_band: AgeBand::From18To24,
        group: "youth-associations".to_owned(),
        place: PlaceCode::new("TBK").unwrap_or_else(|e| panic!("{e}")),
        consent: ConsentStatus::Given,
    }
}

#[test]
fn roles_are_checked_in_the_store_whatever_the_caller_holds() {
    let (_root, mut store) = demo();
    let coordinator = user(&mut store, "coord", Role::Coordinator);
    let researcher = user(&mut store, "researcher", Role::Researcher);
    let viewer = user(&mut store, "viewer", Role::Viewer);
    forbidden(store.init_vault(&researcher, &password("researcher")));
    store
        .init_vault(&coordinator, &password("coord"))
        .unwrap_or_else(|e| panic!("{e}"));
    let identity = Identity {
        name: "Albérone Quistrelle".to_owned(),
        phone: None,
        location: None,
    };
    forbidden(store.register_participant(&viewer, &participant("TBK-SL-001"), Some(&identity)));
    store
        .register_participant(&researcher, &participant("TBK-SL-001"), Some(&identity))
        .unwrap_or_else(|e| panic!("{e}"));
    // Holding the unwrapped key is not enough: the role is asked again.
    let secret = store
        .open_vault(&coordinator, &password("coord"))
        .unwrap_or_else(|e| panic!("{e}"));
    forbidden(store.identity(&researcher, &secret, "TBK-SL-001"));
    forbidden(store.open_vault(&researcher, &password("researcher")));
    let read = store
        .identity(&coordinator, &secret, "TBK-SL-001")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read, Some(identity));
    // Withdrawal: coordinators only, and the vault open when it holds them.
    let index = |text: &str| text.to_owned();
    forbidden(store.withdraw_participant(&researcher, Some(&secret), "TBK-SL-001", None, &index));
    assert!(matches!(
        store.withdraw_participant(&coordinator, None, "TBK-SL-001", None, &index),
        Err(StoreError::VaultLocked)
    ));
    assert!(
        store.has_identity("TBK-SL-001").unwrap_or(false),
        "nothing changed"
    );
    // Transcripts: never to viewers.
    forbidden(store.document_for(&viewer, "TBK-INT-001-T"));
    forbidden(store.document_summaries_for(&viewer));
    forbidden(store.set_study_settings(&researcher, &StudySettings::default()));
}

#[test]
fn coders_read_only_their_documents_once_switched_on() {
    let (_root, mut store) = demo();
    let coordinator = user(&mut store, "coord", Role::Coordinator);
    let coder = user(&mut store, "awa", Role::Coder);
    let researcher = user(&mut store, "researcher", Role::Researcher);
    store
        .assign("TBK-INT-003-T", "awa", "coord")
        .unwrap_or_else(|e| panic!("{e}"));
    let all = store.document_summaries().map_or(0, |d| d.len());
    assert_eq!(
        store.document_summaries_for(&coder).map_or(0, |d| d.len()),
        all
    );
    store
        .set_study_settings(
            &coordinator,
            &StudySettings {
                identity_retention_until: None,
                coders_see_assigned_only: true,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let listed: Vec<String> = store
        .document_summaries_for(&coder)
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(listed, ["TBK-INT-003-T"]);
    assert!(matches!(
        store.document_for(&coder, "TBK-INT-004-T"),
        Ok(None)
    ));
    assert!(matches!(
        store.document_for(&coder, "TBK-INT-003-T"),
        Ok(Some(_))
    ));
    assert!(matches!(
        store.document_for(&researcher, "TBK-INT-004-T"),
        Ok(Some(_))
    ));
}

/// A focus group where `TBK-SL-002` speaks between two others.
fn focus_group(store: &mut SqliteStore) -> (Document, usize) {
    let session = Session {
        code: "TBK-SL-FGD".to_owned(),
        kind: SessionKind::FocusGroup,
        place: PlaceCode::new("TBK").unwrap_or_else(|e| panic!("{e}")),
        date: "2017-05-04".parse().unwrap_or_else(|e| panic!("{e}")),
        facilitators: vec!["R1".to_owned()],
        participants: vec![ParticipantCode::new("TBK-SL-002").unwrap_or_else(|e| panic!("{e}"))],
        composition: vec![CompositionCount {
            group: "youth-associations".to_owned(),
            gender: Gender::Female,
            count: 4,
        }],
        declared_total: Some(4),
    };
    store
        .add_session(&session)
        .unwrap_or_else(|e| panic!("{e}"));
    let lines = [
        ("P1", None, "Avant : les champs sont secs."),
        (
            "TBK-SL-002",
            Some("TBK-SL-002"),
            "Mon oncle vendait des mélopées vertigineuses.",
        ),
        ("P3", None, "Après : l'école a fermé, ça c'est sûr."),
    ];
    let mut text = String::new();
    let mut turns = Vec::new();
    for (label, who, said) in lines {
        text.push_str(label);
        text.push_str(" : ");
        let start = text.chars().count();
        text.push_str(said);
        let end = text.chars().count();
        text.push('\n');
        turns.push((label, who, start, end));
    }
    let body = TextBody::new(&text);
    let len = body.char_len();
    let document = Document {
        code: "TBK-SL-FGD-T".to_owned(),
        session: Some(session.code.clone()),
        title: "Groupe".to_owned(),
        kind: DocumentKind::Transcript,
        language: "fr".to_owned(),
        turns: turns
            .iter()
            .map(|(label, who, start, end)| Turn {
                speaker: (*label).to_owned(),
                participant: who.map(|c| ParticipantCode::new(c).unwrap_or_else(|e| panic!("{e}"))),
                span: sankore_domain::Span::new(*start, *end, len)
                    .unwrap_or_else(|e| panic!("{e}")),
            })
            .collect(),
        body,
    };
    store
        .add_document(&document)
        .unwrap_or_else(|e| panic!("{e}"));
    let third = turns[2].2;
    (document, third)
}

#[test]
fn redaction_removes_touching_codings_and_rebases_the_others() {
    let (_root, mut store) = demo();
    let coordinator = user(&mut store, "coord", Role::Coordinator);
    store
        .register_participant(&coordinator, &participant("TBK-SL-002"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let (document, third) = focus_group(&mut store);
    let key = CodeKey::new(
        store
            .codebook()
            .unwrap_or_else(|e| panic!("{e}"))
            .codes()
            .first()
            .map(|c| c.key.as_str().to_owned())
            .unwrap_or_default()
            .as_str(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let coding = |start: usize, end: usize| Coding {
        document: document.code.clone(),
        span: document.span(start, end).unwrap_or_else(|e| panic!("{e}")),
        code: key.clone(),
        coder: "R1".to_owned(),
        memo: None,
        origin: CodingOrigin::Manual,
    };
    let before = document.turns[0].span;
    let theirs = document.turns[1].span;
    let after = document.turns[2].span;
    let kept_before = store
        .add_coding(&coding(before.start(), before.end()))
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .add_coding(&coding(theirs.start() + 3, theirs.end()))
        .unwrap_or_else(|e| panic!("{e}"));
    // Spans the end of their turn and the next line: touches their words.
    store
        .add_coding(&coding(theirs.end() - 4, third + 5))
        .unwrap_or_else(|e| panic!("{e}"));
    let kept_after = store
        .add_coding(&coding(after.start(), after.end()))
        .unwrap_or_else(|e| panic!("{e}"));
    // Read once: the store keeps it in memory.
    let _ = store.document("TBK-SL-FGD-T");

    let report = store
        .withdraw_participant(
            &coordinator,
            None,
            "TBK-SL-002",
            Some("consent withdrawn"),
            &|t| t.to_lowercase(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.codings_removed, 2);
    assert_eq!((report.documents_redacted, report.turns_redacted), (1, 1));
    assert!(!report.identity_removed);

    let (redacted, _) = store
        .document("TBK-SL-FGD-T")
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("gone"));
    assert_eq!(
        redacted.body.as_str(),
        format!(
            "P1 : Avant : les champs sont secs.\n{WITHDRAWN_MARKER}\nP3 : Après : l'école a fermé, ça c'est sûr.\n"
        )
    );
    assert_eq!(redacted.turns[1].speaker, WITHDRAWN_MARKER);
    assert_eq!(redacted.turns[1].participant, None);
    assert_eq!(redacted.text_of(redacted.turns[1].span), WITHDRAWN_MARKER);
    assert_eq!(
        redacted.text_of(redacted.turns[2].span),
        "Après : l'école a fermé, ça c'est sûr."
    );
    let codings = store
        .document_codings("TBK-SL-FGD-T")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(codings.len(), 2);
    assert_eq!(codings[0].id, kept_before.id);
    assert_eq!(codings[0].version, kept_before.version, "unmoved");
    assert_eq!(
        redacted.text_of(codings[0].coding.span),
        "Avant : les champs sont secs."
    );
    assert_eq!(codings[1].id, kept_after.id);
    assert!(
        codings[1].version > kept_after.version,
        "moved: new version"
    );
    assert_eq!(
        redacted.text_of(codings[1].coding.span),
        "Après : l'école a fermé, ça c'est sûr."
    );
    // One fewer in the attendance, and the study still passes its checks.
    let session = store
        .sessions()
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.code == "TBK-SL-FGD")
        .unwrap_or_else(|| panic!("session gone"));
    assert_eq!(session.declared_total, Some(3));
    assert_eq!(session.composition[0].count, 3);
    assert!(session.participants.is_empty());
    let failed: Vec<_> = store
        .check()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !c.ok)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(
        store
            .tables_containing("vertigineuses")
            .unwrap_or_default()
            .is_empty()
    );
}
