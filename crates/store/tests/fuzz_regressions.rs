//! What the fuzzers found in the store, kept as ordinary tests (see
//! docs/fuzzing.md). Each input also stays in `fuzz/corpus/`.

use sankore_store::{Passphrase, RecordStore, Store, StoreError, Workspace};

/// `fuzz/corpus/api_json/session-with-unknown-facilitator`: a session
/// naming a facilitator who is not on the team gave 500 (the unknown key
/// was reported as damaged data); it is the caller's mistake, refused as
/// such, and nothing is written.
#[test]
fn session_with_an_unknown_facilitator_is_refused_as_bad_input() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_, mut store) = Workspace::create(
        &root.path().join("w"),
        &Passphrase::new("phrase secrète des tests".to_owned()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let records = sankore_demo::reference_study();
    store
        .import_study(&records, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let before = store.sessions().unwrap_or_default().len();
    let mut session = records.sessions[0].clone();
    session.code = "DIR-FGD-990".to_owned();
    session.facilitators = vec!["R4".to_owned()];
    let refused = store.add_session(&session);
    assert!(
        matches!(&refused, Err(StoreError::Domain(e)) if e.to_string().contains("R4")),
        "{refused:?}"
    );
    assert_eq!(store.sessions().unwrap_or_default().len(), before);
}
