//! Coding under concurrency and accounts, on a real encrypted database.

use sankore_domain::{CodeKey, Coding, CodingOrigin, Role};
use sankore_store::key::{hash_password, verify_password};
use sankore_store::{AccountStore, CodingStore, Passphrase, Store, StoreError, Workspace};
use std::path::Path;

fn passphrase() -> Passphrase {
    Passphrase::new("phrase secrète des tests".to_owned())
}

fn demo_workspace(dir: &Path) -> Workspace {
    let (workspace, mut store) =
        Workspace::create(dir, &passphrase()).unwrap_or_else(|e| panic!("{e}"));
    store
        .import_study(&sankore_demo::reference_study(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    workspace
}

fn key(k: &str) -> CodeKey {
    CodeKey::new(k).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn stale_edits_are_refused_and_concurrent_adds_all_land() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let workspace = demo_workspace(&root.path().join("w"));
    let document = "TBK-INT-001-T".to_owned();
    let mut store = workspace
        .open_store(&passphrase())
        .unwrap_or_else(|e| panic!("{e}"));
    let (doc, revision) = store
        .document(&document)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("demo document {document} missing"));
    let coding = Coding {
        document: document.clone(),
        span: doc.span(10, 30).unwrap_or_else(|e| panic!("{e}")),
        code: key(sankore_demo::PUSH_FACTORS[3]),
        coder: "awa".into(),
        memo: None,
        origin: CodingOrigin::Manual,
    };
    let added = store.add_coding(&coding).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(added.version, 1);
    let (_, after) = store
        .document(&document)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("document"));
    assert_eq!(after, revision + 1, "adding bumps the revision");

    // Two editors saw version 1; the first wins, the second is told.
    let first = store
        .update_coding(
            &added.id,
            1,
            &key(sankore_demo::PUSH_FACTORS[0]),
            Some("memo"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.version, 2);
    let second = store.update_coding(&added.id, 1, &key(sankore_demo::PUSH_FACTORS[1]), None);
    assert!(
        matches!(
            second,
            Err(StoreError::Stale {
                current: 2,
                expected: 1,
                ..
            })
        ),
        "{second:?}"
    );
    assert!(matches!(
        store.delete_coding(&added.id, 1),
        Err(StoreError::Stale { .. })
    ));
    store
        .delete_coding(&added.id, 2)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        store.delete_coding(&added.id, 2),
        Err(StoreError::NotFound { .. })
    ));

    // A span past the end is refused.
    let mut bad = coding.clone();
    bad.span = doc
        .span(0, doc.body.char_len())
        .unwrap_or_else(|e| panic!("{e}"));
    bad.document = "GDM-INT-001-T".into();
    let other_len = store
        .document("GDM-INT-001-T")
        .ok()
        .flatten()
        .map(|(d, _)| d.body.char_len())
        .unwrap_or_default();
    if bad.span.end() > other_len {
        assert!(store.add_coding(&bad).is_err());
    }

    // Four coders, each with their own connection, add codings at once.
    let before = store.document_codings(&document).unwrap_or_default().len();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let workspace = workspace.clone();
            let coding = coding.clone();
            std::thread::spawn(move || {
                let mut store = workspace
                    .open_store(&passphrase())
                    .unwrap_or_else(|e| panic!("{e}"));
                for i in 0..10 {
                    let mut c = coding.clone();
                    c.coder = format!("coder{t}");
                    c.memo = Some(format!("{i}"));
                    store.add_coding(&c).unwrap_or_else(|e| panic!("{e}"));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap_or_else(|_| panic!("thread"));
    }
    let after = store.document_codings(&document).unwrap_or_default().len();
    assert_eq!(after, before + 40, "no coding lost");
}

#[test]
fn accounts_and_sessions() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_, mut store) =
        Workspace::create(&root.path().join("w"), &passphrase()).unwrap_or_else(|e| panic!("{e}"));
    let hash =
        hash_password(&Passphrase::new("pw of awa".into())).unwrap_or_else(|e| panic!("{e}"));
    let awa = store
        .add_user("awa", Role::Coder, &hash)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        store.add_user("AWA", Role::Viewer, &hash),
        Err(StoreError::Exists { .. })
    ));
    assert!(
        store.add_user("Awa Touré", Role::Viewer, &hash).is_err(),
        "names with spaces refused"
    );
    let credentials = store
        .user_credentials("awa")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("user"));
    assert_eq!(credentials.account, awa);
    assert!(!credentials.locked);
    assert!(verify_password(
        &Passphrase::new("pw of awa".into()),
        &credentials.password_hash
    ));

    store
        .create_web_session("h1", awa.id, "csrf1")
        .unwrap_or_else(|e| panic!("{e}"));
    let live = store
        .touch_web_session("h1", chrono::Duration::hours(1))
        .unwrap_or_default();
    assert_eq!(live, Some((awa.clone(), "csrf1".to_owned())));
    // An idle limit of zero seconds ends it (last_seen is in whole seconds).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        store
            .touch_web_session("h1", chrono::Duration::zero())
            .unwrap_or_default(),
        None
    );
    assert_eq!(
        store
            .touch_web_session("h1", chrono::Duration::hours(1))
            .unwrap_or_default(),
        None,
        "expired sessions are deleted"
    );
    store
        .create_web_session("h2", awa.id, "csrf2")
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .delete_web_session("h2")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .touch_web_session("h2", chrono::Duration::hours(1))
            .unwrap_or_default(),
        None
    );
}

#[test]
fn codebook_edits_are_versions_and_merges_move_codings() {
    use sankore_store::CodebookStore;
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let workspace = demo_workspace(&root.path().join("w"));
    let mut store = workspace
        .open_store(&passphrase())
        .unwrap_or_else(|e| panic!("{e}"));
    let book = store.codebook().unwrap_or_else(|e| panic!("{e}"));
    let usage = |store: &sankore_store::sqlite::SqliteStore, k: &str| {
        store
            .code_usage()
            .unwrap_or_default()
            .into_iter()
            .find(|u| u.key.as_str() == k)
            .map_or(0, |u| u.codings)
    };
    let (from, into) = (sankore_demo::PUSH_FACTORS[5], sankore_demo::PUSH_FACTORS[6]);
    let (n_from, n_into) = (usage(&store, from), usage(&store, into));
    assert!(n_from > 0 && n_into > 0);
    let total_before = store.codings().unwrap_or_default().len();

    // Dropping a used code without merging it is refused, nothing changes.
    let dropped = book
        .merged(&key(from), &key(into), 6)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(store.save_codebook(&dropped, &[]).is_err());
    assert_eq!(usage(&store, from), n_from);

    store
        .save_codebook(&dropped, &[(key(from), key(into))])
        .unwrap_or_else(|e| panic!("{e}"));
    let after = store.codebook().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.version, book.version + 1);
    assert!(after.get(&key(from)).is_none());
    assert_eq!(usage(&store, into), n_from + n_into);
    assert_eq!(
        store.codings().unwrap_or_default().len(),
        total_before,
        "no coding lost"
    );
    assert_eq!(
        store.code_codings(&key(into)).unwrap_or_default().len(),
        n_from + n_into
    );
    assert!(store.check().unwrap_or_default().iter().all(|c| c.ok));
}
