//! `cdm-render watch`: the PDF follows the saves, a bad save keeps the last good PDF, and the
//! browser preview (driven in headless Chromium through chromedriver) updates in place, shows
//! located errors and recovers.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::browser::Browser;
use crate::support::{capture_stderr, copy_dir, pdf_text, root, scratch, wait_for};

/// Deadline of each functional wait (a render takes well under a second).
const LIMIT: Duration = Duration::from_secs(60);

const VERSION_LINE: &str = "version = \"3.0 — commission du 15 janvier 2027\"";

/// A running `cdm-render watch`, killed when dropped; its standard error is collected.
struct Watching {
    child: Child,
    stderr: Arc<Mutex<String>>,
    dir: PathBuf,
}

impl Watching {
    fn start(name: &str, extra: &[&str]) -> Watching {
        let dir = scratch(name);
        copy_dir(&root().join("data/fonctionnement"), &dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_cdm-render"))
            .arg("watch")
            .arg(dir.join("dossier.toml"))
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the binary runs");
        let stderr = capture_stderr(&mut child);
        Watching { child, stderr, dir }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until standard error contains `needle` `times` times.
    fn wait_messages(&self, needle: &str, times: usize) {
        wait_for(&format!("{times}× « {needle} »"), LIMIT, || {
            let text = self.stderr();
            if text.matches(needle).count() >= times { Ok(()) } else { Err(text) }
        });
    }

    fn toml(&self) -> PathBuf {
        self.dir.join("dossier.toml")
    }

    fn pdf(&self) -> PathBuf {
        self.dir.join("dossier.pdf")
    }

    /// Replaces a line of the dossier as an editor does (whole file rewritten).
    fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.toml()).unwrap();
        assert!(text.contains(from), "the example has the line {from}");
        std::fs::write(self.toml(), text.replacen(from, to, 1)).unwrap();
    }

    /// Saves as vim and many IDEs do: a new file renamed over the old one.
    fn edit_by_rename(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.toml()).unwrap();
        let tmp = self.dir.join(".dossier.toml.swp");
        std::fs::write(&tmp, text.replacen(from, to, 1)).unwrap();
        std::fs::rename(tmp, self.toml()).unwrap();
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().position(|l| l.contains(needle)).expect("line present") + 1
}

#[test]
fn watch_rewrites_the_pdf_at_each_save_and_keeps_the_last_good_one_on_a_bad_save() {
    let watching = Watching::start("watch-pdf", &[]);
    watching.wait_messages("dossier.pdf écrit", 1);
    let first = std::fs::read(watching.pdf()).unwrap();
    assert!(pdf_text(&watching.pdf()).contains("commission du 15 janvier 2027"));

    watching.edit(VERSION_LINE, "version = \"3.1 — commission du 19 mars 2027\"");
    watching.wait_messages("dossier.pdf écrit", 2);
    let second = std::fs::read(watching.pdf()).unwrap();
    assert_ne!(first, second, "the PDF changed");
    let text = pdf_text(&watching.pdf());
    assert!(
        text.contains("commission du 19 mars 2027") && !text.contains("commission du 15 janvier"),
        "{}",
        watching.stderr()
    );

    let line = line_of(&watching.toml(), "3.1 — commission");
    watching.edit("version = \"3.1 — commission du 19 mars 2027\"", "version = \"3.1 — commission");
    watching.wait_messages("le PDF précédent est conservé", 1);
    let stderr = watching.stderr();
    assert!(stderr.contains(&format!("dossier.toml:{line}:")), "located error:\n{stderr}");
    assert_eq!(std::fs::read(watching.pdf()).unwrap(), second, "the last good PDF is intact");

    // Recovery, saved the way editors that write a new file and rename it do.
    watching.edit_by_rename(
        "version = \"3.1 — commission",
        "version = \"3.2 — commission du 2 avril 2027\"",
    );
    watching.wait_messages("dossier.pdf écrit", 3);
    assert!(pdf_text(&watching.pdf()).contains("commission du 2 avril 2027"));
    let leftovers: Vec<_> = std::fs::read_dir(&watching.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left: {leftovers:?}");
}

/// The live preview lays a changed dossier out from its previous document (one pass instead of
/// Typst's three from nothing): what it writes must be what a render from nothing makes.
#[test]
fn the_pdf_watch_writes_after_changes_is_byte_for_byte_the_one_render_makes() {
    let watching = Watching::start("watch-same-as-render", &[]);
    watching.wait_messages("dossier.pdf écrit", 1);
    let fresh = watching.dir.join("rendu.pdf");
    // A figure that moves nothing, then a text that pushes every later page (the table of
    // contents and the page numbers change), then the text taken away again.
    let long = "Une convention pluriannuelle lie l'agglomération à ses partenaires. ".repeat(60);
    let steps = [
        ("montant = 318500", "montant = 318517".to_string()),
        ("ouverte au public le 4 mars 2025", format!("ouverte au public le 4 mars 2025. {long}")),
        (long.as_str(), String::new()),
    ];
    for (i, (from, to)) in steps.iter().enumerate() {
        watching.edit(from, to);
        watching.wait_messages("dossier.pdf écrit", i + 2);
        crate::support::render(&watching.toml(), &fresh);
        let (live, rendered) =
            (std::fs::read(watching.pdf()).unwrap(), std::fs::read(&fresh).unwrap());
        assert!(live == rendered, "step {}: the PDF of watch differs from render's", i + 1);
    }
}

#[test]
fn watch_follows_the_files_the_dossier_names() {
    let watching = Watching::start("watch-deps", &[]);
    watching.wait_messages("dossier.pdf écrit", 1);
    // The territory outline (GeoJSON) only feeds the maps, 5.3's and L'essentiel's: two charts
    // redrawn of the 19.
    let outline = watching.dir.join("territoire.geojson");
    let text = std::fs::read_to_string(&outline).unwrap();
    std::fs::write(&outline, text.replacen("0.", "0.0", 1)).unwrap();
    watching.wait_messages("dossier.pdf écrit", 2);
    assert!(watching.stderr().contains(", 2 graphiques redessinés"), "{}", watching.stderr());
    // Writing the output PDF itself does not trigger a render.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(watching.stderr().matches("dossier.pdf écrit").count(), 2, "{}", watching.stderr());
}

#[test]
fn browser_preview_updates_in_place_shows_located_errors_and_recovers() {
    let Some(mut browser) = Browser::start() else {
        assert!(std::env::var_os("CI").is_none(), "chromium-driver must be installed in CI");
        eprintln!(
            "chromedriver absent: preview test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let watching = Watching::start("watch-serve", &["--serve", "--port", "0"]);
    watching.wait_messages("dossier.pdf écrit", 1);
    let stderr = watching.stderr();
    let url = stderr
        .lines()
        .find_map(|l| l.strip_prefix("aperçu : "))
        .expect("the preview address is printed")
        .trim()
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "local only by default: {url}");

    browser.diagnostic = "return [document.body.dataset.version, \
         document.getElementById('statut').innerText, \
         document.getElementById('erreur').innerText, \
         document.querySelectorAll('.page').length, \
         Array.from(document.querySelectorAll('.page img')).filter(i => !i.src).length, \
         Array.from(document.querySelectorAll('.texte')).filter(t => !t.children.length).length]"
        .into();
    browser.open(&url);
    let pages_text = "document.getElementById('pages').innerText";
    browser.wait(
        "the pages",
        &format!("return {pages_text}.includes('commission du 15 janvier 2027')"),
    );
    browser.wait(
        "the completeness panel",
        "return document.getElementById('items').children.length >= 29",
    );
    browser.eval("window.scrollTo(0, 2500); window.__marqueur = 'même page'; return true");

    watching.edit(VERSION_LINE, "version = \"3.1 — commission du 19 mars 2027\"");
    browser.wait(
        "the new value",
        &format!("return {pages_text}.includes('commission du 19 mars 2027')"),
    );
    let kept = browser.eval("return [window.__marqueur, window.scrollY]");
    assert_eq!(kept[0], "même page", "updated in place, not reloaded");
    assert_eq!(kept[1].as_f64(), Some(2500.0), "scroll position kept");

    let line = line_of(&watching.toml(), "3.1 — commission");
    watching.edit("version = \"3.1 — commission du 19 mars 2027\"", "version = \"3.1 — commission");
    browser.wait(
        "the error overlay with the line",
        &format!(
            "const box = document.getElementById('erreur'); \
             return !box.hidden && box.innerText.includes('dossier.toml:{line}:')"
        ),
    );
    assert!(
        browser.eval(&format!("return {pages_text}.includes('commission du 19 mars 2027')"))
            == true,
        "the last good pages stay under the overlay"
    );

    watching.edit("version = \"3.1 — commission", "version = \"3.2 — commission du 2 avril 2027\"");
    browser.wait("the overlay to go", "return document.getElementById('erreur').hidden");
    browser.wait(
        "the fixed value",
        &format!("return {pages_text}.includes('commission du 2 avril 2027')"),
    );
}

#[test]
fn watch_follows_template_overrides_and_reports_a_broken_one() {
    let templates = scratch("watch-templates");
    let cover = "#import \"/lib.typ\": *\n#page[Couverture personnalisée {{ d.cite.nom }}]\n";
    std::fs::write(templates.join("couverture.typ"), cover).unwrap();
    let watching = Watching::start("watch-tpl", &["--templates", templates.to_str().unwrap()]);
    watching.wait_messages("dossier.pdf écrit", 1);
    assert!(pdf_text(&watching.pdf()).contains("Couverture personnalisée"));
    let good = std::fs::read(watching.pdf()).unwrap();
    // A Typst error in the override: reported, the last good PDF stays.
    std::fs::write(templates.join("couverture.typ"), "#import \"/lib.typ\": *\n#page[#nope]\n")
        .unwrap();
    watching.wait_messages("le PDF précédent est conservé", 1);
    assert!(watching.stderr().contains("couverture.typ"), "{}", watching.stderr());
    assert_eq!(std::fs::read(watching.pdf()).unwrap(), good);
    std::fs::write(templates.join("couverture.typ"), cover.replace("personnalisée", "refaite"))
        .unwrap();
    watching.wait_messages("dossier.pdf écrit", 2);
    assert!(pdf_text(&watching.pdf()).contains("Couverture refaite"));
}

#[test]
fn the_preview_server_serves_only_its_own_routes() {
    let watching = Watching::start("watch-http", &["--serve", "--port", "0", "-q"]);
    wait_for("the preview address", LIMIT, || {
        let text = watching.stderr();
        if text.contains("aperçu : ") { Ok(()) } else { Err(text) }
    });
    let stderr = watching.stderr();
    let url = stderr.lines().find_map(|l| l.strip_prefix("aperçu : ")).unwrap().trim().to_string();
    let state: serde_json::Value = wait_for("a first render", LIMIT, || {
        let state: serde_json::Value = ureq::get(&format!("{url}etat"))
            .call()
            .map_err(|e| e.to_string())?
            .body_mut()
            .read_json()
            .map_err(|e| e.to_string())?;
        if state["pages"].as_array().is_some_and(|p| !p.is_empty()) {
            Ok(state)
        } else {
            Err(state.to_string())
        }
    });
    assert_eq!(state["rapport"]["label"], "fonctionnement");
    let page = ureq::get(&format!("{url}page/1.svg")).call().unwrap();
    assert_eq!(page.headers()["content-type"], "image/svg+xml");
    for path in
        ["page/0.svg", "page/999.svg", "src/main.rs", "..%2F..%2FCargo.toml", "data/", "page/1.typ"]
    {
        let status = match ureq::get(&format!("{url}{path}")).call() {
            Ok(r) => r.status().as_u16(),
            Err(ureq::Error::StatusCode(code)) => code,
            Err(e) => panic!("{path}: {e}"),
        };
        assert_eq!(status, 404, "{path}");
    }
    let post = ureq::post(&format!("{url}etat")).send("x");
    assert!(matches!(post, Err(ureq::Error::StatusCode(405))), "{post:?}");
    // A page on another site that resolves its name to this machine (DNS rebinding) is
    // refused: the dossier's text never leaves for another origin.
    let foreign = ureq::get(&format!("{url}etat")).header("Host", "evil.example").call();
    assert!(matches!(foreign, Err(ureq::Error::StatusCode(403))), "{foreign:?}");
}

#[test]
fn a_new_csv_table_with_an_error_is_followed_until_it_is_fixed() {
    let watching = Watching::start("watch-csv", &[]);
    watching.wait_messages("dossier.pdf écrit", 1);
    let csv = watching.dir.join("charges.csv");
    std::fs::write(&csv, "poste;montant\nSalaires;beaucoup\n").unwrap();
    let text = std::fs::read_to_string(watching.toml()).unwrap();
    let start = text.find("[[budget.fonctionnement.charges]]").unwrap();
    let end = text[start..].find("[[budget.fonctionnement.financements]]").unwrap() + start;
    let edited =
        format!("{}charges = {{ fichier = \"charges.csv\" }}\n\n{}", &text[..start], &text[end..]);
    std::fs::write(watching.toml(), edited).unwrap();
    watching.wait_messages("le PDF précédent est conservé", 1);
    assert!(watching.stderr().contains("charges.csv:2:"), "{}", watching.stderr());
    std::fs::write(&csv, "poste;montant\nSalaires;612 400,00\n").unwrap();
    watching.wait_messages("dossier.pdf écrit", 2);
    assert!(pdf_text(&watching.pdf()).contains("Salaires 612 400 €"));
}

/// The address of a running preview, once its first render is served.
fn preview_address(watching: &Watching) -> String {
    wait_for("the preview address", LIMIT, || {
        let text = watching.stderr();
        if text.contains("aperçu : ") { Ok(()) } else { Err(text) }
    });
    let stderr = watching.stderr();
    let url = stderr.lines().find_map(|l| l.strip_prefix("aperçu : ")).unwrap().trim().to_string();
    url.trim_start_matches("http://").trim_end_matches('/').to_string()
}

/// Opens a connection and sends the request for the event stream; returns the connection and
/// the status line of its answer.
fn event_stream(address: &str) -> (std::net::TcpStream, String) {
    use std::io::{BufRead, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    write!(stream, "GET /evenements HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut line = String::new();
    let _ = std::io::BufReader::new(&stream).read_line(&mut line);
    (stream, line)
}

fn threads_of(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("Threads:")).map_or(0, |n| n.trim().parse().unwrap())
}

#[test]
fn the_page_is_served_while_idle_connections_and_many_event_streams_are_open() {
    let watching = Watching::start("watch-flood", &["--serve", "--port", "0", "-q"]);
    let address = preview_address(&watching);
    wait_for("a first render", LIMIT, || {
        let state =
            ureq::get(&format!("http://{address}/etat")).call().map_err(|e| e.to_string())?;
        Ok::<_, String>(state)
    });
    // Seventy tabs' event streams: some are turned away, the page is not.
    let streams: Vec<_> = (0..70).map(|_| event_stream(&address)).collect();
    let open = streams.iter().filter(|(_, status)| status.contains(" 200 ")).count();
    assert!((1..70).contains(&open), "{open} streams accepted of 70");
    let page = ureq::get(&format!("http://{address}/")).call();
    assert!(page.is_ok(), "the page is served beside the streams: {page:?}");
    // The streams' tabs close: their slots are free again (no write needed to notice it).
    drop(streams);
    let again: Vec<_> = wait_for("the streams' slots to be free again", LIMIT, || {
        let streams: Vec<_> = (0..10).map(|_| event_stream(&address)).collect();
        let refused = streams.iter().filter(|(_, s)| !s.contains(" 200 ")).count();
        if refused == 0 { Ok(streams) } else { Err(format!("{refused} refused")) }
    });
    drop(again);
    // Two thousand connections that never send a request: threads stay bounded, the page is
    // still served.
    #[cfg(target_os = "linux")]
    {
        let idle: Vec<_> =
            (0..2000).filter_map(|_| std::net::TcpStream::connect(&address).ok()).collect();
        let page = ureq::get(&format!("http://{address}/")).call();
        assert!(page.is_ok(), "the page is served beside idle connections: {page:?}");
        let threads = threads_of(watching.child.id());
        assert!(threads < 150, "{threads} threads for {} idle connections", idle.len());
    }
}

#[cfg(unix)]
#[test]
fn a_dossier_replaced_by_a_link_to_an_endless_device_is_an_error_and_watch_goes_on() {
    let watching = Watching::start("watch-dev-zero", &[]);
    watching.wait_messages("dossier.pdf écrit", 1);
    let saved = std::fs::read(watching.toml()).unwrap();
    let link = watching.dir.join("lien.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    std::fs::rename(&link, watching.toml()).unwrap();
    watching.wait_messages("n'est pas un fichier ordinaire", 1);
    let spare = watching.dir.join("retour.toml");
    std::fs::write(&spare, saved).unwrap();
    std::fs::rename(&spare, watching.toml()).unwrap();
    watching.wait_messages("dossier.pdf écrit", 2);
}
