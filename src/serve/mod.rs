//! The live preview in a browser: a small local HTTP server showing the dossier's pages as SVG,
//! updated in place through server-sent events, with an error overlay and the completeness
//! panel.
//!
//! Our own server rather than typst-kit's `http-server`: that one reloads the whole page on
//! every change (losing the scroll position), serves only on 127.0.0.1 and has no room for a
//! side panel or an overlay.
//!
//! HTTP is written here over `std::net` (one request per connection, `GET`/`HEAD` without a
//! body, ~150 lines) rather than with tiny_http, which we used before: tiny_http accepts every
//! connection and gives each its own thread before any request arrives (2 000 idle connections
//! made 2 006 threads), and hides the socket, so a closed event stream was only noticed at the
//! next keep-alive write (its slot held for up to 15 s). Here connections are bounded, a
//! connection that has not sent its request yet gives way to a new one, and a stream whose
//! reader has gone is noticed within a quarter of a second.
//!
//! Routes: `/` (the page), `/apercu.js`, `/apercu.css`, `/etat` (JSON state), `/page/N.svg`,
//! `/page/N.json` (page N, from 1, with its text layer, in one request) and `/evenements` (event stream). Nothing is
//! served from the disk, so there is no listing and no path to escape through.

mod pages;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde::Serialize;

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
/// A comment line sent on idle event streams, so that the browser knows the server is there.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often an event stream checks whether its reader has gone.
const STREAM_CHECK: Duration = Duration::from_millis(250);
/// Longest wait for a request's first line and headers once connected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the browser to take a response (or an event).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers) read.
const MAX_HEAD: usize = 16 * 1024;
/// Longest wait for a request's body (an upload of up to 64 Mo on the loopback).
const BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// Events kept for the streams of [`Reply::Events`] (a reader further behind skips the rest).
const LOG_LENGTH: usize = 64;

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
    /// Named events for [`Reply::Events`] streams: (version when sent, name, JSON data).
    log: VecDeque<(u64, &'static str, String)>,
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
    /// Connections open (each has its thread), event streams included.
    connections: AtomicUsize,
    /// Event streams open.
    streams: AtomicUsize,
    /// Connections whose request has not arrived yet, oldest first, by number: the first to
    /// give way when every slot is taken.
    waiting: Mutex<VecDeque<(u64, TcpStream)>>,
    /// Routes added to the preview's (the editor's), asked first.
    extension: OnceLock<Arc<dyn Extension>>,
}

/// At most this many connections are open at once, each with its thread: a flood of
/// connections gets 503 (or pushes out idle ones) instead of exhausting threads.
const MAX_CONNECTIONS: usize = 64;
/// At most this many of them are event streams (one per open tab), so that the page, its
/// script and its pages are always served.
const MAX_STREAMS: usize = 16;

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

/// A running preview server (clones share it).
#[derive(Clone)]
pub struct Preview {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Preview {
    /// Starts the server on `host` and `port` (or the first free port from 3000).
    pub fn start(host: IpAddr, port: Option<u16>) -> Result<Preview> {
        Preview::start_with(host, port, |_| None)
    }

    /// Starts the server with routes of its own, made by `extension` once the port is known
    /// and before the first connection is accepted.
    pub fn start_with(
        host: IpAddr,
        port: Option<u16>,
        extension: impl FnOnce(&Preview) -> Option<Arc<dyn Extension>>,
    ) -> Result<Preview> {
        let listener = bind(host, port)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            port: addr.port(),
            connections: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
            waiting: Mutex::new(VecDeque::new()),
            extension: OnceLock::new(),
        });
        let preview = Preview { shared, addr };
        if let Some(extension) = extension(&preview) {
            let _ = preview.shared.extension.set(extension);
        }
        let for_server = Arc::clone(&preview.shared);
        std::thread::spawn(move || accept(&listener, &for_server));
        Ok(preview)
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
        let data = preview_event(&state, state.version + 1);
        self.bump(state, Some(("apercu", data.to_string())));
        exported
    }

    /// Shows a failed render over the last good pages.
    pub fn fail(&self, overlay: Overlay) {
        let mut state = self.shared.lock();
        let data = serde_json::to_string(&overlay).unwrap_or_default();
        state.error = Some(overlay);
        self.bump(state, Some(("erreur", data)));
    }

    /// Sends a named event (JSON data) to the streams of [`Reply::Events`].
    pub fn announce(&self, name: &'static str, data: String) {
        let state = self.shared.lock();
        self.bump(state, Some((name, data)));
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    fn bump(&self, mut state: MutexGuard<'_, State>, event: Option<(&'static str, String)>) {
        state.version += 1;
        if let Some((name, data)) = event {
            let version = state.version;
            state.log.push_back((version, name, data));
            if state.log.len() > LOG_LENGTH {
                state.log.pop_front();
            }
        }
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

/// Accepts connections, each served on its own thread, at most [`MAX_CONNECTIONS`] at once.
/// When every slot is taken, the oldest connection that has not sent its request yet is closed
/// to make room; when none is idle, the newcomer gets 503 at once.
fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if shared.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let idle = lock(&shared.waiting).pop_front();
            match idle {
                // Its thread sees the socket closed and ends, freeing the slot.
                Some((_, idle)) => {
                    let _ = idle.shutdown(Shutdown::Both);
                }
                None => {
                    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
                    let _ = write_response(&stream, 503, "text/plain", b"serveur occupe", false);
                    continue;
                }
            }
        }
        next_id += 1;
        let id = next_id;
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.waiting).push_back((id, clone));
        }
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let for_thread = Arc::clone(shared);
        let spawned = std::thread::Builder::new().spawn(move || {
            let _ = serve(&stream, id, &for_thread);
            forget_waiting(&for_thread, id);
            for_thread.connections.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            // No thread to be had: the connection is dropped (closed) with its slot.
            forget_waiting(shared, id);
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget_waiting(shared: &Shared, id: u64) {
    lock(&shared.waiting).retain(|(i, _)| *i != id);
}

/// A request: method, path, query string, headers and body (empty unless the route accepts
/// one, see [`Extension::body_limit`]).
pub struct Request {
    /// `GET`, `HEAD`, `POST`…
    pub method: String,
    /// The path, without query string or fragment.
    pub path: String,
    /// What follows `?` in the target, undecoded.
    pub query: String,
    headers: Vec<(String, String)>,
    /// The body, as long as `Content-Length` said.
    pub body: Vec<u8>,
}

impl Request {
    /// The value of a header (names compared without case), if sent once or more (the first).
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut found = self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        found.next().map(|(_, v)| v.as_str())
    }

    /// The value of a query parameter (`?jeton=…`), percent-decoding left out: the values this
    /// server reads are made of letters and digits.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// Why a request could not be read.
enum Unread {
    /// The connection closed or stalled first, or sent what is not HTTP: nothing to answer.
    Gone,
    /// A body that is too long, or whose length is not given: answered with this status.
    Refused(u16, &'static str),
}

/// Reads the request head (until the blank line) within [`REQUEST_TIMEOUT`] and [`MAX_HEAD`]
/// bytes, then its body when `body_limit` for its path allows one (`Content-Length` only: a
/// chunked body is refused), within [`BODY_TIMEOUT`].
fn read_request(
    mut stream: &TcpStream,
    body_limit: &dyn Fn(&str) -> usize,
) -> Result<Request, Unread> {
    let deadline = Instant::now() + REQUEST_TIMEOUT;
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 8192];
    let mut raw_headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut raw_headers);
    let end = loop {
        let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero());
        let left = left.ok_or(Unread::Gone)?;
        stream.set_read_timeout(Some(left)).map_err(|_| Unread::Gone)?;
        let n = stream.read(&mut buffer).ok().filter(|n| *n > 0).ok_or(Unread::Gone)?;
        head.extend_from_slice(&buffer[..n]);
        // Parsed again from the start on each read: heads are small, and httparse keeps no
        // state between calls.
        let mut attempt_headers = [httparse::EMPTY_HEADER; 64];
        let mut attempt = httparse::Request::new(&mut attempt_headers);
        match attempt.parse(&head) {
            Ok(httparse::Status::Complete(end)) => break end,
            Ok(httparse::Status::Partial) if head.len() <= MAX_HEAD => continue,
            _ => return Err(Unread::Gone),
        }
    };
    if end > MAX_HEAD {
        return Err(Unread::Gone);
    }
    let _ = parsed.parse(&head[..end]).map_err(|_| Unread::Gone)?;
    let method = parsed.method.unwrap_or("GET").to_string();
    let target = parsed.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = path.split('#').next().unwrap_or("/").to_string();
    let query = query.split('#').next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).trim().to_string()))
        .collect();
    let mut request = Request { method, path, query, headers, body: Vec::new() };
    if request.header("transfer-encoding").is_some() {
        return Err(Unread::Refused(411, "longueur de requête exigée"));
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(text) => {
            text.parse::<usize>().map_err(|_| Unread::Refused(400, "longueur invalide"))?
        }
    };
    let limit = body_limit(&request.path);
    if limit == 0 {
        // A route without a body (or a method it does not take): the body is not read, and the
        // route answers (405 for a POST to the preview), closing the connection.
        return Ok(request);
    }
    if length > limit {
        return Err(Unread::Refused(413, "requête trop grande"));
    }
    let mut body = head.split_off(end);
    body.truncate(length);
    body.reserve_exact(length - body.len());
    let deadline = Instant::now() + BODY_TIMEOUT;
    while body.len() < length {
        let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero());
        let left = left.ok_or(Unread::Gone)?;
        stream.set_read_timeout(Some(left)).map_err(|_| Unread::Gone)?;
        let want = (length - body.len()).min(buffer.len());
        let n = stream.read(&mut buffer[..want]).ok().filter(|n| *n > 0).ok_or(Unread::Gone)?;
        body.extend_from_slice(&buffer[..n]);
    }
    request.body = body;
    Ok(request)
}

/// A response of an [`Extension`].
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Content type.
    pub mime: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

/// What an [`Extension`] makes of a request.
pub enum Reply {
    /// This response.
    Respond(Response),
    /// The event stream of [`Preview::announce`] and of renders (`apercu`, `erreur`).
    Events,
    /// Served by the preview's own routes (the pages).
    Preview,
}

/// Routes added to the preview server (the editor's API): asked first about every request
/// whose `Host` names this server.
pub trait Extension: Send + Sync {
    /// The longest body accepted on `path` (0: none).
    fn body_limit(&self, path: &str) -> usize;
    /// Answers a request.
    fn handle(&self, request: &Request) -> Reply;
}

fn serve(stream: &TcpStream, id: u64, shared: &Shared) -> std::io::Result<()> {
    let extension = shared.extension.get();
    let limit = |path: &str| extension.map_or(0, |e| e.body_limit(path));
    let request = match read_request(stream, &limit) {
        Ok(request) => request,
        Err(Unread::Gone) => return Ok(()),
        Err(Unread::Refused(status, message)) => {
            stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
            return write_response(stream, status, TEXT, message.as_bytes(), false);
        }
    };
    forget_waiting(shared, id);
    stream.set_read_timeout(None)?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    if !request.header("host").is_some_and(|h| host_allowed(h, shared.port)) {
        return write_response(stream, 403, TEXT, "adresse refusée".as_bytes(), false);
    }
    if let Some(extension) = extension {
        match extension.handle(&request) {
            Reply::Respond(r) => {
                let head_only = request.method == "HEAD";
                return write_response(stream, r.status, r.mime, &r.body, head_only);
            }
            Reply::Events => return counted_stream(stream, shared, log_events),
            Reply::Preview => {}
        }
    }
    let head_only = match request.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => return write_response(stream, 405, "text/plain", b"", false),
    };
    let respond = |body: &[u8], mime: &str| write_response(stream, 200, mime, body, head_only);
    match request.path.as_str() {
        "/" => respond(INDEX.as_bytes(), "text/html; charset=utf-8"),
        "/apercu.js" => respond(SCRIPT.as_bytes(), "text/javascript; charset=utf-8"),
        "/apercu.css" => respond(STYLE.as_bytes(), "text/css; charset=utf-8"),
        "/etat" => {
            let json = state_json(&shared.lock());
            respond(json.as_bytes(), "application/json")
        }
        "/evenements" => counted_stream(stream, shared, events),
        path => {
            // The lock is released before writing: a slow reader must not hold up the others.
            let file = page_file(path, &shared.lock());
            match file {
                Some((body, mime)) => respond(body.as_bytes(), mime),
                None => write_response(stream, 404, "text/plain", b"introuvable", false),
            }
        }
    }
}

const TEXT: &str = "text/plain; charset=utf-8";

/// Runs an event stream within the [`MAX_STREAMS`] bound.
fn counted_stream(
    stream: &TcpStream,
    shared: &Shared,
    run: fn(&TcpStream, &Shared) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        return write_response(stream, 503, "text/plain", b"trop d'onglets ouverts", false);
    }
    let result = run(stream, shared);
    shared.streams.fetch_sub(1, Ordering::SeqCst);
    result
}

fn write_response(
    mut stream: &TcpStream,
    status: u16,
    mime: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
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

/// Whether the other end of a connection has closed it (or reset it), without blocking.
fn peer_closed(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let closed = match stream.peek(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    closed || stream.set_nonblocking(false).is_err()
}

/// The data of an `apercu` event: the number of pages, the generation, and a hash of each page
/// (`empreintes`), by which a page that did not change is not fetched again.
fn preview_event(state: &State, generation: u64) -> serde_json::Value {
    let hashes: Vec<String> = state.pages.iter().map(|p| format!("{:032x}", p.hash)).collect();
    serde_json::json!({ "pages": state.pages.len(), "generation": generation, "empreintes": hashes })
}

/// The event stream of the preview page: one `rendu` event per new state.
fn events(stream: &TcpStream, shared: &Shared) -> std::io::Result<()> {
    let rendu = |state: &State| format!("event: rendu\ndata: {}\n\n", state.version);
    event_stream(stream, shared, rendu, |state, _| rendu(state))
}

/// The stream of named events ([`Preview::announce`], `apercu`, `erreur`): each as
/// `event: NAME` with its JSON data; the current preview first (`apercu` when pages are shown)
/// so that a new reader knows where it stands.
fn log_events(stream: &TcpStream, shared: &Shared) -> std::io::Result<()> {
    let first = |state: &State| {
        let current = (!state.pages.is_empty()).then(|| {
            let data = preview_event(state, state.version);
            format!("event: apercu\ndata: {data}\n\n")
        });
        current.unwrap_or_default() + ": pret\n\n"
    };
    let fresh = |state: &State, seen: u64| {
        let events = state.log.iter().filter(|(v, _, _)| *v > seen);
        events.map(|(_, name, data)| format!("event: {name}\ndata: {data}\n\n")).collect()
    };
    event_stream(stream, shared, first, fresh)
}

/// An event stream: `first` of the current state, then `fresh` of each new state (given the
/// version last seen), a comment line when idle. It ends as soon as the browser closes it
/// (checked every [`STREAM_CHECK`]), freeing its slot.
fn event_stream(
    mut stream: &TcpStream,
    shared: &Shared,
    first: impl Fn(&State) -> String,
    fresh: impl Fn(&State, u64) -> String,
) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    )?;
    let (mut seen, opening) = {
        let state = shared.lock();
        (state.version, first(&state))
    };
    stream.write_all(opening.as_bytes())?;
    stream.flush()?;
    let mut idle_since = Instant::now();
    loop {
        let state = shared.lock();
        let (state, _) = shared
            .changed
            .wait_timeout_while(state, STREAM_CHECK, |s| s.version == seen)
            .unwrap_or_else(|e| e.into_inner());
        let text = if state.version != seen { fresh(&state, seen) } else { String::new() };
        seen = state.version;
        drop(state);
        if peer_closed(stream) {
            return Ok(());
        }
        if !text.is_empty() {
            stream.write_all(text.as_bytes())?;
        } else if idle_since.elapsed() >= KEEP_ALIVE {
            write!(stream, ": en attente\n\n")?;
        } else {
            continue;
        }
        idle_since = Instant::now();
        stream.flush()?;
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
