//! The live preview in a browser: a small local HTTP server showing the dossier's pages as SVG,
//! updated in place through server-sent events, with an error overlay and the completeness
//! panel.
//!
//! Our own tiny_http server rather than typst-kit's `http-server`: that one reloads the whole
//! page on every change (losing the scroll position), serves only on 127.0.0.1 and has no room
//! for a side panel or an overlay.
//!
//! Routes: `/` (the page), `/apercu.js`, `/apercu.css`, `/etat` (JSON state), `/page/N.svg`,
//! `/page/N.json` (page N, from 1, with its text layer, in one request) and `/evenements` (event stream). Nothing is
//! served from the disk, so there is no listing and no path to escape through.

mod pages;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{Result, bail};
use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::diag::Location;
use crate::input::load::LoadedDossier;
use pages::Page;
use typst_layout::PagedDocument;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/apercu.js");
const STYLE: &str = include_str!("assets/apercu.css");

/// First port tried when none is given; the next ones are tried if it is taken.
pub const DEFAULT_PORT: u16 = 3000;
const PORT_ATTEMPTS: u16 = 10;
/// A comment line sent on idle event streams, so that closed tabs are noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A render failure as the overlay shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Overlay {
    /// One-line summary.
    pub titre: String,
    /// Located problems in the user's files (empty when the error has no location).
    pub lieux: Vec<Location>,
    /// The full message, as printed in the terminal.
    pub texte: String,
}

/// What the last render produced, as the browser sees it.
#[derive(Default)]
struct State {
    version: u64,
    title: String,
    pages: Vec<Page>,
    status: Option<Status>,
    error: Option<Overlay>,
    report: Option<serde_json::Value>,
}

#[derive(Clone, Serialize)]
struct Status {
    heure: String,
    duree_ms: u128,
    pages: usize,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// The port the preview listens on (requests must name it in `Host`).
    port: u16,
    /// Requests being served.
    connections: AtomicUsize,
}

/// At most this many requests are served at once (each open tab holds one event stream).
const MAX_CONNECTIONS: usize = 64;

/// Whether a `Host` header names this server: `localhost` or an IP address, with its port.
/// A domain name is refused: a page using DNS rebinding to reach the preview sends its own
/// name, and no other site can then read the dossier being previewed.
fn host_allowed(host: &str, port: u16) -> bool {
    let Some((name, p)) = host.rsplit_once(':') else { return false };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    p.parse() == Ok(port)
        && (name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok())
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters to a preview, so a poisoned lock is simply taken over.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running preview server.
pub struct Preview {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Preview {
    /// Starts the server on `host` and `port` (or the first free port from 3000).
    pub fn start(host: IpAddr, port: Option<u16>) -> Result<Preview> {
        let listener = bind(host, port)?;
        let addr = listener.local_addr()?;
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow::anyhow!("impossible de démarrer le serveur d'aperçu : {e}"))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            port: addr.port(),
            connections: AtomicUsize::new(0),
        });
        let for_server = Arc::clone(&shared);
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let shared = Arc::clone(&for_server);
                // One thread per request (event streams stay open, the rest is short), up to a
                // cap: a flood of connections gets 503 instead of exhausting threads.
                if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    shared.connections.fetch_sub(1, Ordering::SeqCst);
                    let _ = request.respond(Response::empty(StatusCode(503)));
                    continue;
                }
                std::thread::spawn(move || {
                    let _ = handle(request, &shared);
                    shared.connections.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Ok(Preview { shared, addr })
    }

    /// The address to open in a browser.
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        format!("http://{host}:{}/", self.addr.port())
    }

    /// Shows a laid-out document (before its PDF is written); returns how many pages were
    /// exported again.
    pub fn show(
        &self,
        loaded: &LoadedDossier,
        document: &PagedDocument,
        duration: Duration,
        time: &str,
    ) -> usize {
        let previous = self.shared.lock().pages.clone();
        let (pages, exported) = pages::export(document, &previous);
        let mut state = self.shared.lock();
        state.title = loaded.dossier.cite.nom.clone();
        state.status = Some(Status {
            heure: time.to_string(),
            duree_ms: duration.as_millis(),
            pages: pages.len(),
        });
        state.pages = pages;
        state.error = None;
        state.report = serde_json::to_value(&loaded.report).ok();
        self.bump(state);
        exported
    }

    /// Shows a failed render over the last good pages.
    pub fn fail(&self, overlay: Overlay) {
        let mut state = self.shared.lock();
        state.error = Some(overlay);
        self.bump(state);
    }

    fn bump(&self, mut state: MutexGuard<'_, State>) {
        state.version += 1;
        drop(state);
        self.shared.changed.notify_all();
    }
}

fn bind(host: IpAddr, port: Option<u16>) -> Result<TcpListener> {
    let ports: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (DEFAULT_PORT..DEFAULT_PORT + PORT_ATTEMPTS).collect(),
    };
    for &p in &ports {
        match TcpListener::bind(SocketAddr::new(host, p)) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => bail!("impossible d'ouvrir le serveur d'aperçu sur {host}:{p} : {e}"),
        }
    }
    match port {
        Some(p) => bail!(
            "le port {p} est déjà utilisé\naide : choisissez-en un autre avec --port, ou --port 0 pour un port libre"
        ),
        None => bail!(
            "les ports {DEFAULT_PORT} à {} sont tous utilisés\naide : choisissez un port avec --port",
            DEFAULT_PORT + PORT_ATTEMPTS - 1
        ),
    }
}

fn handle(request: Request, shared: &Shared) -> std::io::Result<()> {
    let host = request.headers().iter().find(|h| h.field.equiv("Host"));
    if !host.is_some_and(|h| host_allowed(h.value.as_str(), shared.port)) {
        return request.respond(Response::from_string("adresse refusée").with_status_code(403));
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        return request.respond(Response::empty(StatusCode(405)));
    }
    let path = request.url().split(['?', '#']).next().unwrap_or("/").to_string();
    match path.as_str() {
        "/" => respond(request, INDEX.as_bytes(), "text/html; charset=utf-8"),
        "/apercu.js" => respond(request, SCRIPT.as_bytes(), "text/javascript; charset=utf-8"),
        "/apercu.css" => respond(request, STYLE.as_bytes(), "text/css; charset=utf-8"),
        "/etat" => {
            let json = state_json(&shared.lock());
            respond(request, json.as_bytes(), "application/json")
        }
        "/evenements" => events(request, shared),
        _ => {
            // The lock is released before writing: a slow reader must not hold up the others.
            let file = page_file(&path, &shared.lock());
            match file {
                Some((body, mime)) => respond(request, body.as_bytes(), mime),
                None => request.respond(Response::from_string("introuvable").with_status_code(404)),
            }
        }
    }
}

/// `/page/N.svg` or `/page/N.json` (SVG and text layer), pages numbered from 1.
fn page_file(path: &str, state: &State) -> Option<(Arc<str>, &'static str)> {
    let name = path.strip_prefix("/page/")?;
    let (number, extension) = name.split_once('.')?;
    let index = number.parse::<usize>().ok()?.checked_sub(1)?;
    let page = state.pages.get(index)?;
    match extension {
        "svg" => Some((Arc::clone(&page.svg), "image/svg+xml")),
        "json" => Some((Arc::clone(&page.json), "application/json")),
        _ => None,
    }
}

fn state_json(state: &State) -> String {
    let pages: Vec<serde_json::Value> = state
        .pages
        .iter()
        .map(|p| {
            serde_json::json!({
                "hash": format!("{:032x}", p.hash),
                "largeur": p.size.0,
                "hauteur": p.size.1,
            })
        })
        .collect();
    serde_json::json!({
        "version": state.version,
        "titre": state.title,
        "statut": state.status,
        "pages": pages,
        "erreur": state.error,
        "rapport": state.report,
    })
    .to_string()
}

fn respond(request: Request, body: &[u8], mime: &str) -> std::io::Result<()> {
    let headers = vec![
        header("Content-Type", mime),
        header("Cache-Control", "no-cache"),
        header("X-Content-Type-Options", "nosniff"),
    ];
    request.respond(Response::new(StatusCode(200), headers, body, Some(body.len()), None))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names and values")
}

/// The event stream: one `rendu` event per new state. Headers are written by hand because
/// tiny_http would otherwise use chunked encoding, which browsers dislike for event streams
/// (as typst-kit's server notes).
fn events(request: Request, shared: &Shared) -> std::io::Result<()> {
    let mut writer = request.into_writer();
    write!(
        writer,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    )?;
    let mut seen = shared.lock().version;
    write!(writer, "event: rendu\ndata: {seen}\n\n")?;
    writer.flush()?;
    loop {
        let state = shared.lock();
        let (state, _) = shared
            .changed
            .wait_timeout_while(state, KEEP_ALIVE, |s| s.version == seen)
            .unwrap_or_else(|e| e.into_inner());
        let version = state.version;
        drop(state);
        if version == seen {
            // A write to a closed tab fails, which ends this thread.
            write!(writer, ": en attente\n\n")?;
        } else {
            seen = version;
            write!(writer, "event: rendu\ndata: {version}\n\n")?;
        }
        writer.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn only_addresses_of_this_server_are_accepted_as_host() {
        assert!(host_allowed("127.0.0.1:3000", 3000));
        assert!(host_allowed("localhost:3000", 3000));
        assert!(host_allowed("[::1]:3000", 3000));
        assert!(host_allowed("192.168.1.5:3000", 3000), "--host 0.0.0.0 on a local network");
        assert!(!host_allowed("evil.example:3000", 3000));
        assert!(!host_allowed("127.0.0.1:3001", 3000));
        assert!(!host_allowed("localhost", 3000));
    }
}
