//! A headless Chromium driven over WebDriver by chromedriver (Debian's
//! `chromium` and `chromium-driver`, which scripts/test.sh installs).

use serde_json::{Value, json};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A chromedriver process and one browser session in it.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = webdriver(
            "DELETE",
            &format!("{}/session/{}", self.base, self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn webdriver(method: &str, url: &str, body: Option<Value>) -> Result<Value, String> {
    let request = ureq::http::Request::builder().method(method).uri(url);
    let result = match body {
        Some(body) => agent().run(
            request
                .header("Content-Type", "application/json")
                .body(body.to_string())
                .map_err(|e| e.to_string())?,
        ),
        None => agent().run(request.body(()).map_err(|e| e.to_string())?),
    };
    let mut response = result.map_err(|e| format!("{url}: {e}"))?;
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if value["value"]["error"].is_string() {
        return Err(format!("{method} {url}: {}", value["value"]));
    }
    Ok(value["value"].clone())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

impl Browser {
    pub fn start() -> Browser {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| panic!("chromedriver is missing: install Debian's chromium and chromium-driver (scripts/test.sh does)"));
        let port = free_port();
        let driver = std::process::Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver: {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while webdriver("GET", &format!("{base}/status"), None)
            .map(|v| v["ready"] != true)
            .unwrap_or(true)
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let session = webdriver("POST", &format!("{base}/session"), Some(capabilities))
            .unwrap_or_else(|e| panic!("new session: {e}"));
        let session = session["sessionId"].as_str().unwrap_or_default().to_owned();
        Browser {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        webdriver(
            method,
            &format!("{}/session/{}{path}", self.base, self.session),
            body,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn find(&self, css: &str) -> String {
        let element = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    pub fn script(&self, source: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": source, "args": args})),
        )
    }

    pub fn page_source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn sign_in(&self, site: &str, name: &str, password: &str) {
        self.goto(&format!("{site}/login"));
        self.type_into("input[name=name]", name);
        self.type_into("input[name=password]", password);
        self.click("#sign-in");
        let started = Instant::now();
        while self
            .call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .ends_with("/login")
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "sign-in of {name} did not complete: {}",
                self.page_source()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
