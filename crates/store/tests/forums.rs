//! Validation-forum outcomes on a real encrypted database: the demo's
//! outcomes round-trip, recording replaces a forum's earlier outcome, and
//! unknown forums, non-forum sessions, unknown findings and incomplete
//! outcomes are refused.

use sankore_domain::{
    ActionStatus, Agreement, CodeKey, Finding, ForumOutcome, Localized, OutcomeKind, PlaceCode,
};
use sankore_store::{FollowupStore, Passphrase, Store, StoreError, Workspace};

#[test]
fn forum_outcomes_round_trip_and_are_checked() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let passphrase = Passphrase::new("phrase secrète des tests".to_owned());
    let (_, mut store) =
        Workspace::create(&root.path().join("w"), &passphrase).unwrap_or_else(|e| panic!("{e}"));
    let records = sankore_demo::reference_study();
    store
        .import_study(&records, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let stored = store.forum_outcomes().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.len(), records.forum_outcomes.len());
    for o in &records.forum_outcomes {
        assert!(stored.contains(o), "{} at {}", o.finding, o.forum);
    }
    let loaded = store
        .load_study()
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no study"));
    assert_eq!(loaded.forum_outcomes.len(), records.forum_outcomes.len());

    let amended = ForumOutcome {
        forum: "TBK-VAL-01".into(),
        finding: "f-justice".into(),
        kind: OutcomeKind::Amended,
        wording: Some(Localized::new("Justice lointaine et lente", "")),
        reasons: None,
        agreement: Agreement::Split,
    };
    store
        .record_forum_outcome(&amended)
        .unwrap_or_else(|e| panic!("{e}"));
    let now = store.forum_outcomes().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(now.len(), stored.len(), "replaced, not added");
    assert!(now.contains(&amended));

    let cases = [
        ForumOutcome {
            forum: "TBK-INT-001".into(),
            ..amended.clone()
        },
        ForumOutcome {
            forum: "XXX-VAL-01".into(),
            ..amended.clone()
        },
        ForumOutcome {
            finding: "f-unknown".into(),
            ..amended.clone()
        },
    ];
    for case in cases {
        assert!(
            matches!(
                store.record_forum_outcome(&case),
                Err(StoreError::NotFound { .. })
            ),
            "{case:?}"
        );
    }
    let no_wording = ForumOutcome {
        wording: None,
        ..amended.clone()
    };
    assert!(matches!(
        store.record_forum_outcome(&no_wording),
        Err(StoreError::Domain(_))
    ));
    assert_eq!(store.forum_outcomes().ok(), Some(now));

    // A finding put forward by a forum lands with its "added" outcome;
    // its key must be new and the outcome must be the forum's "added".
    let finding = Finding {
        key: "f-tbk-1".into(),
        statement: Localized::new("Recrutement sur les sites d'orpaillage", ""),
        research_question: 4,
        places: vec![PlaceCode::new("TBK").unwrap_or_else(|e| panic!("{e}"))],
        codes: vec![CodeKey::new("recruitment").unwrap_or_else(|e| panic!("{e}"))],
    };
    let added = ForumOutcome {
        forum: "TBK-VAL-01".into(),
        finding: "f-tbk-1".into(),
        kind: OutcomeKind::Added,
        wording: None,
        reasons: None,
        agreement: Agreement::Consensus,
    };
    let validated = ForumOutcome {
        kind: OutcomeKind::Validated,
        ..added.clone()
    };
    assert!(matches!(
        store.add_forum_finding(&finding, &validated),
        Err(StoreError::Domain(_))
    ));
    store
        .add_forum_finding(&finding, &added)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        store.add_forum_finding(&finding, &added),
        Err(StoreError::Exists { .. })
    ));
    let findings = store.findings().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(findings.last(), Some(&finding));
    assert!(
        store
            .forum_outcomes()
            .unwrap_or_else(|e| panic!("{e}"))
            .contains(&added)
    );
    let unknown_rq = Finding {
        key: "f-tbk-2".into(),
        research_question: 9,
        ..finding.clone()
    };
    let outcome = ForumOutcome {
        finding: "f-tbk-2".into(),
        ..added.clone()
    };
    assert!(matches!(
        store.add_forum_finding(&unknown_rq, &outcome),
        Err(StoreError::NotFound { .. })
    ));

    // Action progress.
    store
        .update_action(
            "a-hotline-feasibility",
            ActionStatus::UnderWay,
            Some("Lancée"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let action = store
        .actions()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|a| a.key == "a-hotline-feasibility");
    assert_eq!(
        action.as_ref().map(|a| a.status),
        Some(ActionStatus::UnderWay)
    );
    assert_eq!(
        action.and_then(|a| a.outcome_notes),
        Some("Lancée".to_owned())
    );
    assert!(matches!(
        store.update_action("a-none", ActionStatus::Done, None),
        Err(StoreError::NotFound { .. })
    ));
    let roundtable = store
        .actions()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|a| a.key == "a-roundtables-timbuktu");
    assert!(roundtable.is_some_and(|a| !a.participants.is_empty() && a.outcome_notes.is_some()));
}
