//! Instruments on a real encrypted database: saved with their
//! research-question links and an audit entry in one transaction.

use sankore_domain::{AuditAction, AuditEvent};
use sankore_store::{
    AuditFilter, AuditStore, InstrumentStore, Passphrase, SavedInstrument, Store, StoreError,
    Workspace,
};

fn event() -> AuditEvent {
    AuditEvent::new(
        "tester",
        AuditAction::Import,
        "instrument guide-entretien",
        "xlsform",
    )
}

#[test]
fn instruments_are_stored_linked_and_audited() -> Result<(), Box<dyn std::error::Error>> {
    let root = tempfile::tempdir()?;
    let passphrase = Passphrase::new("phrase secrète des tests".to_owned());
    let (workspace, mut store) = Workspace::create(&root.path().join("w"), &passphrase)?;
    let records = sankore_demo::reference_study();
    store.import_study(&records, &mut |_, _| {})?;
    let guide = sankore_demo::interview_guide(&records)?;

    assert_eq!(
        store.save_instrument(&guide, &event())?,
        SavedInstrument::New
    );
    assert_eq!(
        store.save_instrument(&guide, &event())?,
        SavedInstrument::Unchanged
    );
    drop(store);

    let mut store = workspace.open_store(&passphrase)?;
    assert_eq!(store.instrument("guide-entretien")?, Some(guide.clone()));
    assert_eq!(store.instrument("nope")?, None);
    let list = store.instruments()?;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].linked_questions, 14);
    let audited = store.audit_entries(&AuditFilter {
        action: Some(AuditAction::Import),
        ..AuditFilter::default()
    })?;
    assert_eq!(audited.len(), 2);

    store.link_research_questions("guide-entretien", "age", &[1, 3])?;
    let back = store.instrument("guide-entretien")?.ok_or("gone")?;
    assert_eq!(
        back.question("age")
            .map(|q| q.question.research_questions.clone()),
        Some(vec![1, 3])
    );
    assert_eq!(store.instruments()?[0].linked_questions, 15);

    // A link to a research question the study lacks changes nothing.
    let refused = store.link_research_questions("guide-entretien", "age", &[9]);
    assert!(matches!(
        refused,
        Err(StoreError::NotFound {
            what: "research question",
            ..
        })
    ));
    let mut bad = back.clone();
    bad.link_research_questions("gender", vec![7])?;
    let refused = store.save_instrument(&bad, &event());
    assert!(matches!(
        refused,
        Err(StoreError::NotFound {
            what: "research question",
            ..
        })
    ));
    assert_eq!(store.instrument("guide-entretien")?, Some(back));
    assert_eq!(
        store
            .audit_entries(&AuditFilter {
                action: Some(AuditAction::Import),
                ..AuditFilter::default()
            })?
            .len(),
        2
    );
    assert!(matches!(
        store.link_research_questions("guide-entretien", "nobody", &[1]),
        Err(StoreError::NotFound {
            what: "question",
            ..
        })
    ));
    Ok(())
}
