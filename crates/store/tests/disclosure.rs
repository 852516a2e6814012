//! Disclosure settings and quote decisions on a real encrypted workspace:
//! settings round-trip, a bad threshold is refused, a decision needs a
//! reason, replaces the previous one, and lands in the audit log with it.

use sankore_disclosure::rules::{QuasiIdentifier, Settings};
use sankore_domain::audit::AuditAction;
use sankore_store::{
    AuditFilter, AuditStore, CodingStore, DisclosureStore, Passphrase, QuoteReview, QuoteStore,
    Store, Workspace,
};

#[test]
fn settings_and_quote_reviews_round_trip_and_are_audited() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let passphrase = Passphrase::new("phrase secrète des tests".to_owned());
    let (_, mut store) =
        Workspace::create(&root.path().join("w"), &passphrase).unwrap_or_else(|e| panic!("{e}"));
    let records = sankore_demo::reference_study();
    store
        .import_study(&records, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(store.disclosure_settings().ok(), Some(Settings::default()));
    let settings = Settings {
        k: 7,
        quasi_identifiers: vec![QuasiIdentifier::Place, QuasiIdentifier::Religion],
        populations: vec![("focus_groups.by_group.NGO representatives".into(), 6)],
    };
    store
        .set_disclosure_settings(&settings)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.disclosure_settings().ok(), Some(settings.clone()));
    let bad = Settings {
        k: 11,
        ..settings.clone()
    };
    assert!(store.set_disclosure_settings(&bad).is_err());
    assert_eq!(store.disclosure_settings().ok(), Some(settings));

    let document = records
        .documents
        .first()
        .map(|d| d.code.clone())
        .unwrap_or_default();
    let coding = store
        .document_codings(&document)
        .ok()
        .and_then(|c| c.into_iter().next())
        .unwrap_or_else(|| panic!("no coding in {document}"));
    store
        .quote_coding("f-youth-jobs", &coding.id)
        .unwrap_or_else(|e| panic!("{e}"));
    let review = |reason: &str, edited: Option<&str>| QuoteReview {
        finding: "f-youth-jobs".into(),
        coding: coding.id.clone(),
        text_sha256: "ab".repeat(32),
        edited_text: edited.map(str::to_owned),
        reason: reason.into(),
        actor: "COORD".into(),
        decided_at: String::new(),
    };
    assert!(
        store.review_quote(&review("  ", None)).is_err(),
        "a reason is required"
    );
    assert!(
        store.review_quote(&review("ok", Some(" "))).is_err(),
        "an edit is not blank"
    );
    store
        .review_quote(&review("public figure", None))
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .review_quote(&review(
            "name removed",
            Some("Les jeunes de [commune] partent."),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let stored = store.quote_reviews().unwrap_or_default();
    assert_eq!(stored.len(), 1, "the second decision replaces the first");
    assert_eq!(stored[0].reason, "name removed");
    assert!(!stored[0].decided_at.is_empty());

    let entries = store
        .audit_entries(&AuditFilter {
            action: Some(AuditAction::DisclosureOverride),
            ..AuditFilter::default()
        })
        .unwrap_or_default();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].event.actor, "COORD");
    assert!(entries[1].event.detail.contains("edited: name removed"));
    assert!(
        !entries.iter().any(|e| e.event.detail.contains("[commune]")),
        "the edited wording stays out of the log"
    );
    assert!(store.verify_audit().is_ok());
}
