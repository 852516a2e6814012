//! Helpers shared by the integration tests: the real `sankore` binary, a
//! served workspace, and a small HTTP client that keeps cookies by hand.
#![allow(dead_code)] // Each test binary uses a different part.

pub mod browser;
pub mod fielddata;

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Passphrase of every test workspace.
pub const PASSPHRASE: &str = "une phrase secrète de test";

/// The workbench roles, in the order the route tables list them.
pub const ROLES: [&str; 5] = [
    "coordinator",
    "researcher",
    "coder",
    "facilitator",
    "viewer",
];

/// The `sankore` binary with a clean environment.
pub fn sankore() -> Command {
    let mut cmd = Command::cargo_bin("sankore").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env_remove("SANKORE_PASSPHRASE")
        .env_remove("SANKORE_WORKSPACE")
        .env_remove("SANKORE_LANG")
        .env("LANG", "C");
    cmd
}

/// The binary with the test passphrase in the environment.
pub fn with_passphrase(mut cmd: Command) -> Command {
    cmd.env("SANKORE_PASSPHRASE", PASSPHRASE);
    cmd
}

/// `sankore ARGS --workspace DIR` with the test passphrase, to run or to
/// add arguments to.
pub fn in_workspace(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = with_passphrase(sankore());
    cmd.args(args).arg("--workspace").arg(dir);
    cmd
}

/// The standard output of a command that must succeed (its standard error
/// in the panic otherwise).
pub fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "command failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap_or_else(|e| panic!("{e}"))
}

/// Creates the demo workspace in `dir`.
pub fn create_demo(dir: &Path) {
    with_passphrase(sankore())
        .arg("demo")
        .arg(dir)
        .assert()
        .success();
}

/// A new demo workspace, `demo` in a new temporary directory (kept while
/// the directory lives).
pub fn fresh_demo() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = root.path().join("demo");
    create_demo(&dir);
    (root, dir)
}

/// One demo workspace shared by the read-only tests of a test binary
/// (creating one takes a few seconds in a debug build).
pub fn shared_demo() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DEMO.get_or_init(fresh_demo).1
}

/// Creates an empty workspace in `dir`, for the study `Étude`.
pub fn init_workspace(dir: &Path) {
    with_passphrase(sankore())
        .args(["init", "--name", "Étude"])
        .arg(dir)
        .assert()
        .success();
}

/// Adds one account per role in `roles`: `ROLE-user`, password
/// `ROLE password` (see [`Client::as_role`]).
pub fn add_role_users(dir: &Path, roles: &[&str]) {
    for role in roles {
        add_user(
            dir,
            &format!("{role}-user"),
            role,
            &format!("{role} password"),
        );
    }
}

/// The text of a PDF, by `pdftotext -layout` (poppler-utils); pages end
/// with a form feed.
pub fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils) is needed: {e}"));
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Adds an account through the CLI.
pub fn add_user(dir: &Path, name: &str, role: &str, password: &str) {
    let file = dir.join(format!(".pw-{name}"));
    std::fs::write(&file, password).unwrap_or_else(|e| panic!("{e}"));
    with_passphrase(sankore())
        .args([
            "user",
            "add",
            "--name",
            name,
            "--role",
            role,
            "--password-file",
        ])
        .arg(&file)
        .arg("--workspace")
        .arg(dir)
        .assert()
        .success();
    let _ = std::fs::remove_file(file);
}

/// A running `sankore serve`, stopped when dropped.
pub struct Served {
    child: Child,
    pub base: String,
    /// Kept open for the server's lifetime.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serves `dir` on a free loopback port.
pub fn serve(dir: &Path, extra: &[&str]) -> Served {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sankore"))
        .env("SANKORE_PASSPHRASE", PASSPHRASE)
        .env("LANG", "C")
        .args(extra)
        .args(["serve", "--addr", "127.0.0.1:0", "--workspace"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut line = String::new();
    let started = Instant::now();
    let mut reader = BufReader::new(stdout);
    reader
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(started.elapsed() < Duration::from_secs(60));
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    Served {
        child,
        base,
        _stdout: reader,
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// A header's value, empty when absent.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>, url: &str) -> Answer {
    let mut response = result.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        headers,
        body,
    }
}

/// A browser-like client: one session cookie, sent back by hand.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub base: String,
    pub cookie: Option<String>,
}

impl Client {
    /// A signed-out client.
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_owned(),
            cookie: None,
        }
    }

    /// Signs in; panics unless the server sets a session cookie.
    pub fn signed_in(base: &str, name: &str, password: &str) -> Client {
        let mut client = Client::new(base);
        let answer = client.login(name, password);
        assert_eq!(answer.status, 303, "sign-in of {name}: {}", answer.body);
        let cookie = answer.header("set-cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        client.cookie = cookie.split(';').next().map(str::to_owned);
        client
    }

    /// Signs in as the account [`add_role_users`] made for `role`.
    pub fn as_role(base: &str, role: &str) -> Client {
        Client::signed_in(base, &format!("{role}-user"), &format!("{role} password"))
    }

    /// `POST /login` with a form.
    pub fn login(&self, name: &str, password: &str) -> Answer {
        let url = format!("{}/login", self.base);
        answer(
            agent()
                .post(&url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(format!(
                    "name={}&password={}",
                    form_encode(name),
                    form_encode(password)
                )),
            &url,
        )
    }

    /// Any request; `body` is sent as is with `content_type`.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &str)>,
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let result = match body {
            Some((content_type, text)) => {
                let request = request
                    .header("Content-Type", content_type)
                    .body(text.to_owned())
                    .unwrap_or_else(|e| panic!("{e}"));
                agent().run(request)
            }
            None => {
                let request = request.body(()).unwrap_or_else(|e| panic!("{e}"));
                agent().run(request)
            }
        };
        answer(result, &url)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Answer {
        self.send("GET", path, &[], None)
    }

    /// A JSON request with the CSRF token `csrf` in `X-CSRF-Token`.
    pub fn json(&self, csrf: &str, method: &str, path: &str, body: &str) -> Answer {
        self.send(
            method,
            path,
            &[("X-CSRF-Token", csrf)],
            Some(("application/json", body)),
        )
    }

    /// `POST path` with a form: the CSRF token `csrf`, then `fields`, each
    /// percent-encoded.
    pub fn form(&self, csrf: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = format!("csrf={}", form_encode(csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", form_encode(v)));
        }
        self.send(
            "POST",
            path,
            &[],
            Some(("application/x-www-form-urlencoded", &body)),
        )
    }

    /// The session's CSRF token, read from a page.
    pub fn csrf(&self) -> String {
        let page = self.get("/");
        let marker = "name=\"csrf\" value=\"";
        page.body
            .split(marker)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no CSRF token on the dashboard"))
            .to_owned()
    }
}

/// Percent-encodes a form value.
pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
