//! The JSON API's request bodies, through the real router and an encrypted
//! demo workspace: the first byte picks a state-changing route of
//! `openapi.json`, the rest is its body, sent by a signed-in coordinator.
//! Any body gives an answer below 500 (refused or done), never a panic.
#![no_main]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use sankore_domain::Role;
use sankore_store::key::hash_password;
use sankore_store::{AccountStore, Passphrase, Store, Workspace};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
    cookie: String,
    csrf: String,
    routes: Vec<(String, String)>,
}

/// State-changing routes of the API description, with path parameters
/// filled from the demo.
fn routes() -> Vec<(String, String)> {
    let spec: serde_json::Value =
        serde_json::from_str(include_str!("../../crates/web/assets/openapi.json"))
            .unwrap_or_default();
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, _) in item.as_object().into_iter().flatten() {
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                let filled = path
                    .replace("{code}", "TBK-INT-001-T")
                    .replace("{id}", "1")
                    .replace("{key}", "push.economic.jobs");
                routes.push((method.to_uppercase(), format!("/api/v1{filled}")));
            }
        }
    }
    routes
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sankore-fuzz-api-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let passphrase = Passphrase::new("fuzzing passphrase only".to_owned());
        let (_, mut store) = Workspace::create(&dir, &passphrase).expect("workspace");
        store
            .import_study(&sankore_demo::reference_study(), &mut |_, _| {})
            .expect("demo");
        let hash = hash_password(&Passphrase::new("fuzz password".to_owned())).expect("hash");
        let account = store
            .add_user("fuzz", Role::Coordinator, &hash)
            .expect("user");
        let token = "ab".repeat(32);
        let csrf = "cd".repeat(32);
        let token_hash = hex::encode(Sha256::digest(token.as_bytes()));
        store
            .create_web_session(&token_hash, account.id, &csrf)
            .expect("session");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        Harness {
            runtime,
            app: sankore_web::router(store, sankore_i18n::Lang::En),
            cookie: format!("{}={token}", sankore_web::SESSION_COOKIE),
            csrf,
            routes: routes(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let harness = harness();
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let (method, path) = &harness.routes[usize::from(*first) % harness.routes.len()];
    let Ok(request) = Request::builder()
        .method(method.as_str())
        .uri(path.as_str())
        .header("cookie", &harness.cookie)
        .header("x-csrf-token", &harness.csrf)
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let response = harness
        .runtime
        .block_on(harness.app.clone().oneshot(request))
        .expect("infallible");
    assert!(
        response.status() < StatusCode::INTERNAL_SERVER_ERROR,
        "{method} {path}: {}",
        response.status()
    );
});
