//! `cdm-render edit`: the dossier written in the browser. This module is the server side: the
//! editor's routes added to the preview server ([`crate::serve`]), declared in one table
//! ([`ROUTES`]), their security (a token per launch, the page's own origin, JSON bodies of
//! bounded size), and the JSON API the page uses (documented in API.md and the README). The
//! dossier file stays the source of truth: every change is written into it ([`store`]), and a
//! change made on disk by another program is followed by the render loop of
//! `commands/edit.rs`.
//!
//! The page itself (HTML, JavaScript, CSS in `assets/`) is embedded in the binary.

pub mod api;
mod csv;
mod files;
mod markdown;
pub mod store;
mod terms;

use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::input::load::LoadOptions;
use crate::serve::{Extension, Preview, Reply, Request, Response};

const PAGE: &str = include_str!("assets/editeur.html");
const SCRIPT: &str = include_str!("assets/editeur.js");
const STYLE: &str = include_str!("assets/editeur.css");

/// Largest JSON body of a request that is not an upload (a table of 1 500 rows fits).
pub const MAX_JSON: usize = 4 << 20;
/// Largest body of an upload: a file of the project's limit (64 Mo), in base64, with room for
/// the rest of the request.
pub const MAX_UPLOAD: usize = (crate::fsutil::MAX_FILE_SIZE as usize).div_ceil(3) * 4 + 64 * 1024;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone who can reach the server (the page's own files, which hold nothing of the
    /// dossier).
    Open,
    /// The token in the header `X-Jeton`.
    Token,
    /// The token in the header, or in `?jeton=` (event stream and preview images, which the
    /// browser requests without headers).
    TokenOrQuery,
    /// A change: `POST`, the token in `X-Jeton`, `Origin` the page's own, a JSON body.
    Change,
}

/// What a route answers.
type Handler = fn(&Editor, &Request) -> Reply;

/// One route of the editor.
pub struct Route {
    /// `GET` (also answers `HEAD`) or `POST`.
    pub method: &'static str,
    /// The path, or a prefix when it ends with `/`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    handler: Handler,
}

/// Every route of the editor, in one place. Anything else is 404: the watch preview's own
/// page, script and state are not served by the editor.
pub static ROUTES: &[Route] = &[
    Route { method: "GET", path: "/", access: Access::Open, handler: page },
    Route { method: "GET", path: "/editeur.js", access: Access::Open, handler: script },
    Route { method: "GET", path: "/editeur.css", access: Access::Open, handler: style },
    Route { method: "GET", path: "/api/dossier", access: Access::Token, handler: api::dossier },
    Route { method: "GET", path: "/api/schema", access: Access::Token, handler: api::schema },
    Route { method: "GET", path: "/api/versions", access: Access::Token, handler: api::versions },
    Route {
        method: "GET",
        path: "/api/evenements",
        access: Access::TokenOrQuery,
        handler: |_, _| Reply::Events,
    },
    Route {
        method: "GET",
        path: "/page/",
        access: Access::TokenOrQuery,
        handler: |_, _| Reply::Preview,
    },
    Route { method: "POST", path: "/api/champ", access: Access::Change, handler: api::champ },
    Route { method: "POST", path: "/api/lignes", access: Access::Change, handler: api::lignes },
    Route { method: "POST", path: "/api/coller", access: Access::Change, handler: api::coller },
    Route { method: "POST", path: "/api/fichier", access: Access::Change, handler: api::fichier },
    Route {
        method: "POST",
        path: "/api/restaurer",
        access: Access::Change,
        handler: api::restaurer,
    },
    Route { method: "POST", path: "/api/markdown", access: Access::Change, handler: api::markdown },
];

/// The editor of one dossier: what the routes share.
pub struct Editor {
    /// The dossier file.
    pub dossier: PathBuf,
    /// How it is read (label of the command line, standards).
    pub options: LoadOptions,
    token: String,
    origin: String,
    preview: Preview,
    /// Held while a change is checked against the file and written: one change at a time.
    writing: Mutex<()>,
    /// The version of the file the editor last wrote or announced.
    known: Mutex<String>,
    /// The previous phase's dossier, read once for all the changes.
    previous: crate::input::previous::Cache,
    /// The dossier as the render loop last read it: a change is answered with it.
    read: Mutex<Option<Read>>,
    read_changed: Condvar,
}

/// The findings and completeness of the dossier as a render read it.
#[derive(Clone)]
pub(crate) struct Read {
    /// When that reading started.
    started: Instant,
    /// The version read.
    version: String,
    /// Findings and completeness, as the API gives them.
    assessed: api::Assessed,
}

/// Longest wait for the render loop's reading of a change before reading the dossier apart.
const READ_WAIT: Duration = Duration::from_secs(3);

impl Editor {
    /// An editor for `dossier` on a started preview server, with a fresh random token.
    pub fn new(
        dossier: PathBuf,
        options: LoadOptions,
        preview: &Preview,
    ) -> anyhow::Result<Editor> {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("impossible de tirer un jeton au hasard : {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let origin = format!("http://127.0.0.1:{}", preview.port());
        let known = std::fs::read(&dossier).map(|b| store::version_of(&b)).unwrap_or_default();
        Ok(Editor {
            dossier,
            options,
            token,
            origin,
            preview: preview.clone(),
            writing: Mutex::new(()),
            known: Mutex::new(known),
            previous: crate::input::previous::Cache::default(),
            read: Mutex::new(None),
            read_changed: Condvar::new(),
        })
    }

    /// The address to open: the page, with the token.
    pub fn url(&self) -> String {
        format!("{}/?jeton={}", self.origin, self.token)
    }

    /// Says to the page that the file is now at `version` (once per version).
    pub fn announce_version(&self, version: &str) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if *known != version {
            *known = version.to_string();
            drop(known);
            self.preview.announce("dossier", json!({ "version": version }).to_string());
        }
    }

    /// Takes the dossier as a render read it (or why it does not read), the reading having
    /// started at `started`: changes waiting for it are answered with it.
    pub fn publish(
        &self,
        result: Result<&crate::input::load::LoadedDossier, &anyhow::Error>,
        started: Instant,
    ) {
        let version = match result {
            Ok(loaded) => store::version_of(loaded.source.as_bytes()),
            Err(_) => {
                std::fs::read(&self.dossier).map(|b| store::version_of(&b)).unwrap_or_default()
            }
        };
        let assessed = api::assessed(self, result);
        *self.read.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Read { started, version, assessed });
        self.read_changed.notify_all();
    }

    /// The render loop's reading of `version` begun after `since`, waiting for it a moment.
    fn read_since(&self, since: Instant, version: &str) -> Option<api::Assessed> {
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let (read, _) = self
            .read_changed
            .wait_timeout_while(read, READ_WAIT, |r| r.as_ref().is_none_or(|r| r.started < since))
            .unwrap_or_else(|e| e.into_inner());
        read.as_ref()
            .filter(|r| r.started >= since && r.version == version)
            .map(|r| r.assessed.clone())
    }

    /// Says to the page that the dossier's tables changed (a table file was written), even
    /// though the dossier file itself did not: `tables` is their version
    /// ([`api::tables_version`]), by which the page tells a change made elsewhere (it reads the
    /// dossier again) from its own write.
    pub fn announce_tables(&self, version: &str, tables: &str) {
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) = version.to_string();
        let event = json!({ "version": version, "tableaux": tables });
        self.preview.announce("dossier", event.to_string());
    }

    /// Whether `request` may call a route of `access`; the refusal otherwise.
    fn allowed(&self, request: &Request, access: Access) -> Result<(), Response> {
        let header = request.header("x-jeton");
        let token_ok = |given: Option<&str>| given.is_some_and(|t| same_secret(t, &self.token));
        match access {
            Access::Open => Ok(()),
            Access::Token if token_ok(header) => Ok(()),
            Access::TokenOrQuery if token_ok(header) || token_ok(request.query_param("jeton")) => {
                Ok(())
            }
            Access::Change => {
                if !token_ok(header) {
                    return Err(refusal(
                        403,
                        "jeton absent ou faux : rouvrez l'adresse affichée par cdm-render edit",
                    ));
                }
                if request.header("origin") != Some(self.origin.as_str()) {
                    return Err(refusal(
                        403,
                        "requête refusée : elle ne vient pas de la page de l'éditeur",
                    ));
                }
                let mime = request.header("content-type").unwrap_or("");
                let essence = mime.split(';').next().unwrap_or("").trim();
                if !essence.eq_ignore_ascii_case("application/json") {
                    return Err(refusal(415, "requête refusée : le corps doit être du JSON"));
                }
                Ok(())
            }
            _ => Err(refusal(
                403,
                "jeton absent ou faux : rouvrez l'adresse affichée par cdm-render edit",
            )),
        }
    }
}

/// Compares a given token with the secret in a time that does not depend on where they differ.
fn same_secret(given: &str, secret: &str) -> bool {
    let (a, b) = (given.as_bytes(), secret.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A JSON error response `{"message": …}`.
pub fn refusal(status: u16, message: &str) -> Response {
    json_response(status, &json!({ "message": message }))
}

/// A JSON response.
pub fn json_response(status: u16, value: &Value) -> Response {
    Response {
        status,
        mime: "application/json; charset=utf-8",
        body: value.to_string().into_bytes(),
    }
}

fn page(_: &Editor, _: &Request) -> Reply {
    asset(PAGE, "text/html; charset=utf-8")
}

fn script(_: &Editor, _: &Request) -> Reply {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

fn style(_: &Editor, _: &Request) -> Reply {
    asset(STYLE, "text/css; charset=utf-8")
}

fn asset(text: &'static str, mime: &'static str) -> Reply {
    Reply::Respond(Response { status: 200, mime, body: text.as_bytes().to_vec() })
}

fn route_for(path: &str) -> impl Iterator<Item = &'static Route> + '_ {
    ROUTES.iter().filter(move |r| {
        r.path == path || (r.path.len() > 1 && r.path.ends_with('/') && path.starts_with(r.path))
    })
}

impl Extension for Editor {
    fn body_limit(&self, path: &str) -> usize {
        match route_for(path).find(|r| r.method == "POST") {
            Some(r) if r.path == "/api/fichier" => MAX_UPLOAD,
            Some(_) => MAX_JSON,
            None => 0,
        }
    }

    fn handle(&self, request: &Request) -> Reply {
        let method = if request.method == "HEAD" { "GET" } else { request.method.as_str() };
        let mut routes = route_for(&request.path).peekable();
        if routes.peek().is_none() {
            return Reply::Respond(refusal(404, "introuvable"));
        }
        let Some(route) = routes.find(|r| r.method == method) else {
            return Reply::Respond(refusal(405, "méthode refusée"));
        };
        if let Err(refused) = self.allowed(request, route.access) {
            return Reply::Respond(refused);
        }
        (route.handler)(self, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(!same_secret("", "abc"));
    }

    #[test]
    fn every_route_is_found_by_its_path() {
        for route in ROUTES {
            let path = if route.path.ends_with('/') && route.path.len() > 1 {
                format!("{}1.svg", route.path)
            } else {
                route.path.to_string()
            };
            assert!(route_for(&path).any(|r| std::ptr::eq(r, route)), "{}", route.path);
        }
        assert!(route_for("/etat").next().is_none());
        assert!(route_for("/apercu.js").next().is_none());
    }
}
