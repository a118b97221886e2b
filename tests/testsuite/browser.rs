//! A minimal WebDriver client (W3C protocol: JSON over HTTP) driving a headless Chromium through
//! chromedriver, shared by the browser tests (the preview of `watch --serve`, the editor page).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{scratch, wait_for};

/// Deadline of each functional wait.
const LIMIT: Duration = Duration::from_secs(60);

/// Deadline of one WebDriver command.
const COMMAND_LIMIT: Duration = Duration::from_secs(120);

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium and its chromedriver, both ended when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: PathBuf,
    /// Script whose result a failed wait shows (what the page says about itself).
    pub diagnostic: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or returns None when they are not
    /// installed (the tests that need them then say so and check that we are not in CI, where
    /// .ci/run installs them).
    pub fn start() -> Option<Browser> {
        let driver_path = ["chromedriver", "/usr/bin/chromedriver"]
            .into_iter()
            .find(|p| Command::new(p).arg("--version").output().is_ok())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        wait_for("chromedriver", LIMIT, || {
            ureq::get(&format!("{base}/status")).call().map(|_| ()).map_err(|e| e.to_string())
        });
        let profile = scratch("chromium-profile");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--no-first-run".into(),
            "--lang=fr-FR".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = serde_json::json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "args": args }
            }}
        });
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            _profile: profile,
            diagnostic: "return document.body.innerText.slice(0, 3000)".into(),
        };
        let reply = browser.post("/session", capabilities);
        browser.session = reply["sessionId"].as_str().expect("a WebDriver session").to_string();
        Some(browser)
    }

    fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let url = format!("{}{path}", self.base);
        // A page that stops answering fails the test instead of holding it forever.
        let request = ureq::post(&url).config().timeout_global(Some(COMMAND_LIMIT)).build();
        let mut reply = request.send_json(body).unwrap_or_else(|e| panic!("{url}: {e}"));
        let json: serde_json::Value = reply.body_mut().read_json().unwrap();
        json["value"].clone()
    }

    pub fn open(&self, url: &str) {
        self.post(&format!("/session/{}/url", self.session), serde_json::json!({ "url": url }));
    }

    /// Runs a script in the page and returns its result.
    pub fn eval(&self, script: &str) -> serde_json::Value {
        let body = serde_json::json!({ "script": script, "args": [] });
        self.post(&format!("/session/{}/execute/sync", self.session), body)
    }

    /// Runs an asynchronous script (it calls `arguments[0]` with its result).
    pub fn eval_async(&self, script: &str) -> serde_json::Value {
        let body = serde_json::json!({ "script": script, "args": [] });
        self.post(&format!("/session/{}/execute/async", self.session), body)
    }

    /// Waits until the script returns true.
    pub fn wait(&self, what: &str, script: &str) {
        wait_for(what, LIMIT, || match self.eval(script) {
            serde_json::Value::Bool(true) => Ok(()),
            _ => Err(self.eval(&self.diagnostic).to_string()),
        });
    }

    /// The element the CSS selector finds (the first one).
    pub fn find(&self, css: &str) -> String {
        let body = serde_json::json!({ "using": "css selector", "value": css });
        let found = self.post(&format!("/session/{}/element", self.session), body);
        found[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {found}")).to_string()
    }

    /// Types into an element as the keyboard does (a path, for a file input).
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        let body = serde_json::json!({ "text": text });
        self.post(&format!("/session/{}/element/{element}/value", self.session), body);
    }

    pub fn click(&self, css: &str) {
        let element = self.find(css);
        self.post(
            &format!("/session/{}/element/{element}/click", self.session),
            serde_json::json!({}),
        );
    }

    /// Writes a PNG of the window.
    pub fn screenshot(&self, path: &Path) {
        let url = format!("{}/session/{}/screenshot", self.base, self.session);
        let mut reply = ureq::get(&url).call().unwrap_or_else(|e| panic!("{url}: {e}"));
        let json: serde_json::Value = reply.body_mut().read_json().unwrap();
        let png = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            json["value"].as_str().expect("a screenshot"),
        )
        .expect("a base64 screenshot");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
