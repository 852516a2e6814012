//! Account lock, password and role changes and sign-out everywhere, on a
//! real encrypted database.

use sankore_domain::{AuditAction, Role};
use sankore_store::key::hash_password;
use sankore_store::{
    AccountStore, AuditFilter, AuditStore, AuditVerification, Passphrase, StoreError, Workspace,
};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn failures_lock_until_unlocked_and_password_changes_end_sessions() {
    let root = ok(tempfile::tempdir());
    let (_, mut store) = ok(Workspace::create(
        &root.path().join("w"),
        &Passphrase::new("phrase secrète des tests".to_owned()),
    ));
    let hash = ok(hash_password(&Passphrase::new("first password".into())));
    let awa = ok(store.add_user("awa", Role::Coder, &hash));

    // Failures below the limit, then a success: the count starts again.
    for _ in 0..2 {
        assert!(!ok(store.sign_in_failed(awa.id, 3, "wrong password")));
    }
    ok(store.create_web_session("s0", awa.id, "c0"));
    for _ in 0..2 {
        assert!(!ok(store.sign_in_failed(awa.id, 3, "wrong password")));
    }
    assert!(!ok(store.user_credentials("awa")).is_some_and(|c| c.locked));
    // The third consecutive failure locks, and ends the open session.
    assert!(ok(store.sign_in_failed(awa.id, 3, "wrong password")));
    assert!(
        !ok(store.sign_in_failed(awa.id, 3, "wrong password")),
        "locks once"
    );
    assert!(ok(store.user_credentials("AWA")).is_some_and(|c| c.locked));
    assert_eq!(
        ok(store.touch_web_session("s0", chrono::Duration::hours(1))),
        None
    );
    let (account, was_locked) = ok(store.unlock_user("Awa", "cli"));
    assert!(was_locked);
    assert_eq!(account, awa);
    assert!(!ok(store.user_credentials("awa")).is_some_and(|c| c.locked));
    assert!(!ok(store.unlock_user("awa", "cli")).1, "already open");

    // A new password ends every session of the account and only of it.
    let other = ok(store.add_user("binta", Role::Viewer, &hash));
    ok(store.create_web_session("a1", awa.id, "c1"));
    ok(store.create_web_session("a2", awa.id, "c2"));
    ok(store.create_web_session("b1", other.id, "c3"));
    let new_hash = ok(hash_password(&Passphrase::new("second password".into())));
    ok(store.set_password("awa", &new_hash, "cli"));
    for s in ["a1", "a2"] {
        assert_eq!(
            ok(store.touch_web_session(s, chrono::Duration::hours(1))),
            None
        );
    }
    assert!(ok(store.touch_web_session("b1", chrono::Duration::hours(1))).is_some());
    assert_eq!(
        ok(store.user_credentials("awa")).map(|c| c.password_hash),
        Some(new_hash)
    );

    // Sign-out everywhere, role change, unknown names.
    ok(store.create_web_session("b2", other.id, "c4"));
    let (_, ended) = ok(store.end_user_sessions("binta", "cli"));
    assert_eq!(ended, 2);
    let (changed, former) = ok(store.set_role("binta", Role::Researcher, "cli"));
    assert_eq!((changed.role, former), (Role::Researcher, Role::Viewer));
    assert_eq!(
        ok(store.users())
            .iter()
            .find(|a| a.name == "binta")
            .map(|a| a.role),
        Some(Role::Researcher)
    );
    for result in [
        store.set_role("nobody", Role::Viewer, "cli").map(|_| ()),
        store.set_password("nobody", &hash, "cli").map(|_| ()),
        store.unlock_user("nobody", "cli").map(|_| ()),
        store.end_user_sessions("nobody", "cli").map(|_| ()),
    ] {
        assert!(matches!(result, Err(StoreError::NotFound { .. })));
    }

    // Every change above is in the audit log, whose chain holds.
    let actions: Vec<AuditAction> = ok(store.audit_entries(&AuditFilter::default()))
        .iter()
        .map(|e| e.event.action)
        .collect();
    for action in [
        AuditAction::SignIn,
        AuditAction::SignInRefused,
        AuditAction::PasswordChange,
        AuditAction::SignOut,
        AuditAction::RoleChange,
    ] {
        assert!(actions.contains(&action), "{action} recorded");
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == AuditAction::SignInRefused)
            .count(),
        6
    );
    assert!(matches!(
        ok(store.verify_audit()),
        AuditVerification::Intact { .. }
    ));
}
