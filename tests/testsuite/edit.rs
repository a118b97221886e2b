//! `cdm-render edit`, server side, through raw HTTP to the real binary: what is refused (no
//! token, a wrong one, another origin, a rebinding host, a body that is not JSON) leaves the
//! file byte for byte as it was; an edit made on disk is never overwritten; the starter's
//! comments survive edits; `kill -9` during writes never leaves a broken file; versions restore;
//! uploads stay in the dossier's folder.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{capture_stderr, copy_dir, root, scratch, wait_for};

const LIMIT: Duration = Duration::from_secs(60);

/// A running `cdm-render edit`, killed when dropped (also driven by the page's test).
pub struct Editing {
    child: Child,
    address: String,
    token: String,
    file: PathBuf,
}

impl Editing {
    /// Starts the editor on `target` (a file or a folder) and waits for its address.
    pub fn start(target: &Path, file: PathBuf) -> Editing {
        Editing::start_with(target, file, &[])
    }

    /// The same, with more options on the command line (`--label`).
    pub fn start_with(target: &Path, file: PathBuf, options: &[&str]) -> Editing {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cdm-render"))
            .args(["edit", "--no-open", "--port", "0", "-q"])
            .args(options)
            .arg(target)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the binary runs");
        let stderr = capture_stderr(&mut child);
        let url = wait_for("the editor's address", LIMIT, || {
            let text = stderr.lock().unwrap().clone();
            // A whole line only: standard error may arrive cut in the middle of the address.
            let mut lines = text.split_inclusive('\n').filter(|l| l.ends_with('\n'));
            let line = lines.find_map(|l| l.strip_prefix("éditeur : "));
            line.map(str::to_string).ok_or(text)
        });
        let rest = url.trim().strip_prefix("http://").expect("an http address");
        let (address, token) = rest.split_once("/?jeton=").expect("the token is in the address");
        Editing { child, address: address.to_string(), token: token.to_string(), file }
    }

    /// The editor on a copy of the fonctionnement example.
    fn example(name: &str) -> Editing {
        let dir = scratch(name);
        copy_dir(&root().join("data/fonctionnement"), &dir);
        // The previous phase is named relative to the example's place in data/.
        let file = dir.join("dossier.toml");
        Editing::start(&file, file.clone())
    }

    /// The address a person opens: the page, with the token.
    pub fn url(&self) -> String {
        format!("http://{}/?jeton={}", self.address, self.token)
    }

    fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.file).unwrap()
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.file).unwrap()
    }

    /// `GET` with the token.
    fn get(&self, path: &str) -> (u16, Value) {
        let token = format!("X-Jeton: {}", self.token);
        let (status, body) = http(&self.address, "GET", path, &[&token], None);
        (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
    }

    fn version(&self) -> String {
        let (status, dossier) = self.get("/api/dossier");
        assert_eq!(status, 200, "{dossier}");
        dossier["version"].as_str().unwrap().to_string()
    }

    /// `POST` as the page sends it: token, origin, JSON.
    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let token = format!("X-Jeton: {}", self.token);
        let origin = format!("Origin: {}", self.origin());
        let headers = [token.as_str(), origin.as_str(), "Content-Type: application/json"];
        let (status, body) = http(&self.address, "POST", path, &headers, Some(&body.to_string()));
        (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
    }

    fn set(&self, path: &str, value: Value) -> (u16, Value) {
        self.post(
            "/api/champ",
            &json!({ "version": self.version(), "chemin": path, "valeur": value }),
        )
    }
}

impl Drop for Editing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on its own connection: status and body. `headers` are sent as given;
/// `Host` is added unless one is given.
fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[&str],
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|h| h.to_ascii_lowercase().starts_with("host:")) {
        request.push_str(&format!("Host: {address}\r\n"));
    }
    for header in headers {
        request.push_str(&format!("{header}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method == "POST" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("Connection: close\r\n\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn requests_without_the_token_or_from_elsewhere_are_refused_and_change_nothing() {
    let editing = Editing::example("edit-refused");
    let before = editing.bytes();
    let version = editing.version();
    let change =
        json!({ "version": version, "chemin": "cite.porteur", "valeur": "Pirate" }).to_string();
    let token = format!("X-Jeton: {}", editing.token);
    let wrong = format!("X-Jeton: {}", "0".repeat(editing.token.len()));
    let origin = format!("Origin: {}", editing.origin());
    let json_type = "Content-Type: application/json";
    let foreign_host =
        format!("Host: evil.example:{}", editing.address.rsplit(':').next().unwrap());
    let attempts: Vec<(&str, Vec<&str>, &str, u16)> = vec![
        ("no token", vec![origin.as_str(), json_type], change.as_str(), 403),
        ("a wrong token", vec![wrong.as_str(), origin.as_str(), json_type], change.as_str(), 403),
        (
            "another origin",
            vec![token.as_str(), "Origin: http://evil.example", json_type],
            change.as_str(),
            403,
        ),
        ("no origin", vec![token.as_str(), json_type], change.as_str(), 403),
        (
            "localhost as origin",
            vec![token.as_str(), "Origin: http://localhost", json_type],
            change.as_str(),
            403,
        ),
        (
            "a rebinding host",
            vec![token.as_str(), origin.as_str(), json_type, foreign_host.as_str()],
            change.as_str(),
            403,
        ),
        (
            "a form body",
            vec![token.as_str(), origin.as_str(), "Content-Type: text/plain"],
            change.as_str(),
            415,
        ),
        (
            "a body that is not JSON",
            vec![token.as_str(), origin.as_str(), json_type],
            "cite.porteur=Pirate",
            400,
        ),
    ];
    for (what, headers, body, expected) in &attempts {
        let (status, answer) = http(&editing.address, "POST", "/api/champ", headers, Some(body));
        assert_eq!(status, *expected, "{what}: {answer}");
        assert_eq!(editing.bytes(), before, "{what}: the file is unchanged");
    }
    // Reading needs the token too, in the header (the query is for images and events only).
    let (status, _) = http(&editing.address, "GET", "/api/dossier", &[], None);
    assert_eq!(status, 403);
    let (status, _) =
        http(&editing.address, "GET", &format!("/api/dossier?jeton={}", editing.token), &[], None);
    assert_eq!(status, 403);
    let (status, _) = http(&editing.address, "GET", "/api/dossier", &[wrong.as_str()], None);
    assert_eq!(status, 403);
    let rebinding = [token.as_str(), foreign_host.as_str()];
    let (status, _) = http(&editing.address, "GET", "/api/dossier", &rebinding, None);
    assert_eq!(status, 403);
    let (status, _) = http(&editing.address, "GET", "/page/1.svg", &[], None);
    assert_eq!(status, 403, "preview pages need the token");
    // The watch preview's own routes are not part of the editor.
    let (status, _) = http(&editing.address, "GET", "/etat", &[token.as_str()], None);
    assert_eq!(status, 404);
    // A change that is allowed does change the file: the refusals above were not for nothing.
    let (status, answer) = editing.set("cite.porteur", json!("Nouveau porteur"));
    assert_eq!(status, 200, "{answer}");
    assert!(editing.text().contains("porteur = \"Nouveau porteur\""));
    assert_ne!(editing.bytes(), before);
}

#[test]
fn an_edit_made_on_disk_is_announced_and_never_overwritten_by_a_change_on_the_old_version() {
    let editing = Editing::example("edit-stale");
    let old = editing.version();
    let mut events = TcpStream::connect(&editing.address).unwrap();
    events.set_read_timeout(Some(LIMIT)).unwrap();
    write!(
        events,
        "GET /api/evenements?jeton={} HTTP/1.1\r\nHost: {}\r\n\r\n",
        editing.token, editing.address
    )
    .unwrap();
    let text = editing.text().replace("version = \"3.0", "version = \"3.1 (modifié à la main)");
    std::fs::write(&editing.file, &text).unwrap();
    let (status, answer) = editing
        .post("/api/champ", &json!({ "version": old, "chemin": "cite.version", "valeur": "page" }));
    assert_eq!(status, 409, "{answer}");
    assert_ne!(answer["version"], json!(old));
    assert!(answer["message"].as_str().unwrap().contains("a changé"));
    assert_eq!(editing.text(), text, "the edit made on disk survives");
    // The page is told the file changed, with its new version.
    let new = editing.version();
    assert_eq!(answer["version"], json!(new));
    let mut seen = String::new();
    wait_for("the dossier event", LIMIT, || {
        let mut buffer = [0u8; 4096];
        let n = events.read(&mut buffer).map_err(|e| e.to_string())?;
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        if seen.contains(&format!("event: dossier\ndata: {{\"version\":\"{new}\"}}")) {
            Ok(())
        } else {
            Err(seen.clone())
        }
    });
}

#[test]
fn the_comments_of_the_starter_survive_edits_of_values_and_rows() {
    let dir = scratch("edit-starter");
    let editing = Editing::start(&dir, dir.join("dossier.toml"));
    let starter = editing.text();
    let comments: Vec<&str> = starter.lines().filter(|l| l.trim_start().starts_with('#')).collect();
    assert!(comments.len() > 20, "the starter explains itself in comments");
    assert_eq!(editing.set("cite.porteur", json!("Ville de Lysmont")).0, 200);
    assert_eq!(
        editing.set("porteur.texte", json!("Un porteur « engagé » #panic(\"x\") *_@<[")).0,
        200
    );
    let rows = json!([
        { "nom": "Région", "categorie": "Collectivité", "roles": ["financeur"] },
        { "nom": "France Travail", "categorie": "Service public de l'emploi", "roles": ["services"] }
    ]);
    let (status, answer) = editing.post(
        "/api/lignes",
        &json!({ "version": editing.version(), "chemin": "fonctionnement.partenaires.liste", "lignes": rows }),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(editing.set("cite.porteur", Value::Null).0, 200, "null removes a key");
    let text = editing.text();
    for comment in &comments {
        assert!(text.contains(comment), "comment kept: {comment}");
    }
    let headers = text.lines().filter(|l| l.starts_with("[[fonctionnement.partenaires.liste]]"));
    assert_eq!(headers.count(), 2, "{text}");
    assert!(!text.contains("Ville de Lysmont"));
    let parsed: toml::Table = toml::from_str(&text).expect("still TOML");
    assert_eq!(
        parsed["porteur"]["texte"].as_str(),
        Some("Un porteur « engagé » #panic(\"x\") *_@<[")
    );
    // The API reads back what it wrote.
    let (_, dossier) = editing.get("/api/dossier");
    let table = &dossier["tableaux"]["fonctionnement.partenaires.liste"];
    assert_eq!(table["source"], "toml");
    assert_eq!(table["lignes"][1]["nom"], "France Travail");
}

#[test]
fn a_new_table_is_written_after_the_commented_lines_of_the_last_section_of_the_starter() {
    let dir = scratch("edit-starter-end");
    let editing = Editing::start(&dir, dir.join("dossier.toml"));
    let starter = editing.text();
    // The last table of the starter with the commented lines right under it (its template).
    let header = starter.rfind("\n[").expect("a table") + 1;
    let end = header + starter[header..].find("\n\n").expect("a blank line after it");
    let section = &starter[header..end];
    assert!(section.lines().filter(|l| l.starts_with('#')).count() > 2, "{section}");
    let (status, answer) = editing.set("apparence.couleur_principale", json!("#1d4f73"));
    assert_eq!(status, 200, "{answer}");
    let text = editing.text();
    let at = text.find(section).unwrap_or_else(|| panic!("section kept whole:\n{text}"));
    let table = text.find("\n[apparence]").expect("the new table");
    assert!(table > at + section.len() - 1, "written after the section:\n{text}");
    // The other sections' commented templates stay at the end, after the new table.
    assert!(text.rfind("# ─── Identité visuelle").unwrap() > table, "{text}");
}

#[test]
fn with_label_on_the_command_line_the_page_is_told_the_label_is_not_the_files() {
    let dir = scratch("edit-label");
    let file = dir.join("dossier.toml");
    let editing = Editing::start_with(&dir, file.clone(), &["--label", "fonctionnement"]);
    let (_, dossier) = editing.get("/api/dossier");
    assert_eq!(dossier["label_impose"], "fonctionnement", "{}", dossier["label"]);
    assert_eq!(dossier["label"], "fonctionnement");
    drop(editing);
    let editing = Editing::start(&dir, file);
    let (_, dossier) = editing.get("/api/dossier");
    assert_eq!(dossier["label_impose"], Value::Null, "without --label, the file's label decides");
}

#[test]
fn a_value_of_the_wrong_type_is_refused_in_french_and_nothing_is_written() {
    let editing = Editing::example("edit-types");
    let before = editing.bytes();
    for (path, value) in [
        ("cite.nom", json!(12)),
        ("cite.label", json!("platine")),
        ("cite.date", json!("2026-02-30")),
        ("cite.inconnue", json!("x")),
        ("fonctionnement.partenaires.liste[0].roles", json!("financeur")),
    ] {
        let (status, answer) = editing.set(path, value);
        assert_eq!(status, 422, "{path}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains("rien n'a été écrit"), "{answer}");
        assert_eq!(editing.bytes(), before, "{path}");
    }
    assert!(
        editing.get("/api/versions").1.as_array().unwrap().is_empty(),
        "nothing was kept either"
    );
}

#[test]
fn a_version_kept_before_a_change_restores_the_previous_value() {
    let editing = Editing::example("edit-restore");
    let original = editing.text();
    // Writes of one field a few seconds apart (typing) keep one version, the one before them.
    assert_eq!(editing.set("cite.version", json!("3.9")).0, 200);
    assert_eq!(editing.set("cite.version", json!("4.0")).0, 200);
    assert_eq!(editing.set("porteur.texte", json!("Un autre texte.")).0, 200);
    let (_, versions) = editing.get("/api/versions");
    let versions = versions.as_array().unwrap().clone();
    assert_eq!(versions.len(), 2, "{versions:?}");
    // Newest first: the state before the porteur's text was written, said in words.
    assert_eq!(versions[0]["modification"], "porteur.texte", "{versions:?}");
    assert!(versions[0]["item"].as_str().unwrap().starts_with("1.1 "), "{versions:?}");
    let when = versions[0]["date_texte"].as_str().unwrap();
    assert!(when.contains(" 20") && when.contains(" h "), "{when}");
    let (status, answer) = editing
        .post("/api/restaurer", &json!({ "version": editing.version(), "id": versions[0]["id"] }));
    assert_eq!(status, 200, "{answer}");
    assert!(editing.text().contains("version = \"4.0\""));
    let (status, _) = editing
        .post("/api/restaurer", &json!({ "version": editing.version(), "id": versions[1]["id"] }));
    assert_eq!(status, 200);
    assert_eq!(editing.text(), original, "the first version is the file as it was");
    let (status, _) = editing
        .post("/api/restaurer", &json!({ "version": editing.version(), "id": "../dossier.toml" }));
    assert_eq!(status, 404, "only kept versions are restored");
}

#[test]
fn uploads_are_copied_into_the_dossier_folder_only_and_checked() {
    use base64::Engine as _;
    let editing = Editing::example("edit-upload");
    let folder = editing.file.parent().unwrap().to_path_buf();
    let outside = folder.parent().unwrap().join("evil.png");
    let _ = std::fs::remove_file(&outside);
    let png = std::fs::read(root().join("tests/fixtures/apparence/couverture.png")).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
    let (status, answer) = editing.post(
        "/api/fichier",
        &json!({ "version": editing.version(), "chemin": "apparence.logo", "nom": "../evil.png", "contenu": encoded }),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["fichier"], "evil.png");
    assert!(!outside.exists(), "nothing written outside the folder");
    assert_eq!(std::fs::read(folder.join("evil.png")).unwrap(), png);
    assert!(editing.text().contains("logo = \"evil.png\""));
    // A different file of the same name is never replaced.
    let other = base64::engine::general_purpose::STANDARD.encode(tiny_png_red());
    let (status, answer) = editing.post(
        "/api/fichier",
        &json!({ "version": editing.version(), "chemin": "apparence.logo", "nom": "/etc/evil.png", "contenu": other }),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["fichier"], "evil-2.png");
    assert_eq!(std::fs::read(folder.join("evil.png")).unwrap(), png);
    // Content that is not what its name says is refused at the field, and its copy removed.
    let before = editing.bytes();
    let junk = base64::engine::general_purpose::STANDARD.encode(b"not an image at all");
    let (status, answer) = editing.post(
        "/api/fichier",
        &json!({ "version": editing.version(), "chemin": "apparence.logo", "nom": "faux.png", "contenu": junk }),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(!folder.join("faux.png").exists());
    // Only the fields that name files take an upload.
    let (status, answer) = editing.post(
        "/api/fichier",
        &json!({ "version": editing.version(), "chemin": "cite.nom", "nom": "x.png", "contenu": "" }),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(!folder.join("x.png").exists());
    assert_eq!(editing.bytes(), before);
}

/// A small red PNG.
fn tiny_png_red() -> Vec<u8> {
    let mut out = Vec::new();
    let image = image::RgbImage::from_pixel(2, 2, image::Rgb([255, 0, 0]));
    image.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[test]
fn a_block_pasted_from_a_spreadsheet_becomes_typed_rows_by_its_header() {
    let editing = Editing::example("edit-paste");
    let before = editing.bytes();
    let texte = "Poste\tMontant\r\nSalaires\t612 400,50\r\nLoyer\tbeaucoup\r\n";
    let (status, answer) = editing
        .post("/api/coller", &json!({ "chemin": "budget.fonctionnement.charges", "texte": texte }));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lignes"][0], json!({ "poste": "Salaires", "montant": 612400.5 }));
    assert_eq!(answer["lignes"][1], json!({ "poste": "Loyer" }));
    let finding = &answer["constats"][0];
    assert_eq!(finding["chemin"], "budget.fonctionnement.charges[1].montant");
    assert!(finding["message"].as_str().unwrap().contains("n'est pas un nombre"), "{finding}");
    assert_eq!(editing.bytes(), before, "pasting writes nothing");

    // A header the rules do not know (« Dépense », « Coût ») is refused cell by cell as data:
    // the page says it may be a header, and what the grid's columns are called.
    let texte = "Dépense\tCoût\r\nSalaires\t1 200\r\n";
    let (status, answer) = editing
        .post("/api/coller", &json!({ "chemin": "budget.fonctionnement.charges", "texte": texte }));
    assert_eq!(status, 200, "{answer}");
    let finding = &answer["constats"][0];
    assert_eq!(finding["lieu"], "ligne 1, colonne B", "{answer}");
    let hint = finding["aide"].as_str().unwrap();
    assert!(hint.contains("ligne d'en-têtes") && hint.contains("« Montant"), "{hint}");
}

#[test]
fn a_total_row_pasted_is_checked_against_the_rows_above_and_never_counted() {
    let editing = Editing::example("edit-paste-total");
    let paste = |texte: &str| {
        editing.post(
            "/api/coller",
            &json!({ "chemin": "budget.fonctionnement.charges", "texte": texte,
                     "colonnes": ["poste", "montant"] }),
        )
    };
    let (status, answer) = paste("Salaires\t182 000,50\nLoyer\t500\nTotal\t182 500,50\n");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lignes"].as_array().unwrap().len(), 2, "{answer}");
    assert_eq!(answer["lignes"][1], json!({ "poste": "Loyer", "montant": 500.0 }));
    assert!(answer["message"].as_str().unwrap().contains("total vérifiée et retirée"), "{answer}");
    let (status, answer) = paste("Salaires\t182 000,50\nLoyer\t500\nTOTAL\t365 001\n");
    assert_eq!(status, 422, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("ligne 3, colonne B"), "{message}");
    assert!(message.contains("ne correspond pas à la somme"), "{message}");
}

#[test]
fn a_date_out_of_range_or_a_colour_the_rules_refuse_is_not_written() {
    let editing = Editing::example("edit-control-rules");
    let before = editing.bytes();
    for (path, title, value, says) in [
        ("cite.date", "Date du dossier", "275760-02-15", "hors de la plage admise (1900 à 2100)"),
        ("cite.date", "Date du dossier", "2027-02-30", "le 30 février 2027 n'existe pas"),
        (
            "apparence.couleur_principale",
            "Couleur principale",
            "bordeaux",
            "couleur non reconnue « bordeaux »",
        ),
    ] {
        let (status, answer) = editing.set(path, json!(value));
        assert_eq!(status, 422, "{path}: {answer}");
        assert_eq!(answer["champs"], json!([path]), "the field the page marks");
        // Named as the page names the field, never by its path in the file.
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(title) && message.contains(says), "{message}");
        assert!(!message.contains(path), "{message}");
        assert_eq!(editing.bytes(), before, "{path}");
    }
    let (status, answer) = editing.set("apparence.couleur_principale", json!("#7a1f2b"));
    assert_eq!(status, 200, "a colour the rules accept is written: {answer}");
}

/// `check` speaks to people who write the TOML; the page's people see forms: the same
/// findings name the fields by the titles the forms show.
#[test]
fn the_findings_the_page_shows_name_fields_by_their_titles_not_by_toml_keys() {
    let editing = Editing::example("edit-form-terms");
    assert_eq!(editing.set("offre.frequentation.par_service_annee", Value::Null).0, 200);
    let (status, answer) = editing.set("contexte.social.chomage.source", json!(""));
    assert_eq!(status, 200, "{answer}");
    let (_, dossier) = editing.get("/api/dossier");
    let findings = dossier["constats"].as_array().unwrap();
    let hint_at = |field: &str| {
        let finding = findings.iter().find(|f| f["chemin"] == field);
        let finding = finding.unwrap_or_else(|| panic!("a finding at {field}: {findings:?}"));
        finding["aide"].as_str().unwrap().to_string()
    };
    let year = hint_at("offre.frequentation.par_service");
    assert!(year.starts_with("ajoutez « Année de la fréquentation par service »"), "{year}");
    let source = hint_at("contexte.social.chomage");
    assert!(source.starts_with("ajoutez « Source"), "{source}");
    for finding in findings {
        let text = format!("{} {}", finding["message"], finding["aide"]);
        assert!(!text.contains('`') && !text.contains("[["), "TOML in the page: {text}");
    }
    // `check` keeps the TOML's own words.
    let output = crate::support::run(&["check", editing.file.to_str().unwrap()]);
    assert!(crate::support::stderr(&output).contains("`par_service_annee = …`"));
}

#[test]
fn rows_of_a_csv_table_are_written_into_it_in_its_encoding_and_a_workbook_is_read_only() {
    let (dir, file) =
        example_with_csv_charges("edit-csv", "Poste de dépense;Montant\r\nSalaires;612 400,00\r\n");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("[[budget.investissement.charges]]").unwrap();
    let end = text[start..].find("[[budget.investissement.financements]]").unwrap() + start;
    let sheet = "charges = { fichier = \"tableaux.xlsx\", feuille = \"Charges\" }";
    let text = format!("{}{sheet}\n\n{}", &text[..start], &text[end..]);
    std::fs::write(&file, &text).unwrap();
    let workbook = root().join("tests/fixtures/classeur/tableaux.xlsx");
    std::fs::copy(&workbook, dir.join("tableaux.xlsx")).unwrap();
    let editing = Editing::start(&file, file.clone());
    let (_, dossier) = editing.get("/api/dossier");
    let table = &dossier["tableaux"]["budget.fonctionnement.charges"];
    assert_eq!(table["source"], "csv", "{table}");
    assert_eq!(table["lignes"][0]["montant"], json!(612400.0));
    let rows = json!([{ "poste": "Salaires", "montant": 612400.0 }, { "poste": "Énergie", "montant": 18250.5 }]);
    let (status, answer) = editing.post(
        "/api/lignes",
        &json!({ "version": editing.version(), "chemin": "budget.fonctionnement.charges", "lignes": rows }),
    );
    assert_eq!(status, 200, "{answer}");
    let written = std::fs::read(dir.join("charges.csv")).unwrap();
    let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(&written);
    assert_eq!(decoded, "Poste de dépense;Montant\r\nSalaires;612400\r\nÉnergie;18250,5\r\n");
    assert_eq!(editing.text(), text, "the dossier itself is unchanged");
    // A workbook sheet is shown, read only, and its rows are changed in the spreadsheet.
    let (_, dossier) = editing.get("/api/dossier");
    let table = &dossier["tableaux"]["budget.investissement.charges"];
    assert_eq!(table["source"], "classeur", "{table}");
    assert_eq!(table["lecture_seule"], true);
    assert!(!table["lignes"].as_array().unwrap().is_empty(), "{table}");
    let (status, answer) = editing.post(
        "/api/lignes",
        &json!({ "version": editing.version(), "chemin": "budget.investissement.charges", "lignes": [] }),
    );
    assert_eq!(status, 422, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("modifiez la feuille « Charges » du classeur tableaux.xlsx"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(dir.join("tableaux.xlsx")).unwrap(),
        std::fs::read(&workbook).unwrap()
    );
}

/// The fonctionnement example with its operating charges kept in `charges.csv` (Windows-1252,
/// semicolons, a Total row).
fn example_with_csv_charges(name: &str, csv: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    copy_dir(&root().join("data/fonctionnement"), &dir);
    let file = dir.join("dossier.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("[[budget.fonctionnement.charges]]").unwrap();
    let end = text[start..].find("[[budget.fonctionnement.financements]]").unwrap() + start;
    let text =
        format!("{}charges = {{ fichier = \"charges.csv\" }}\n\n{}", &text[..start], &text[end..]);
    std::fs::write(&file, &text).unwrap();
    std::fs::write(dir.join("charges.csv"), encoding_rs::WINDOWS_1252.encode(csv).0).unwrap();
    (dir, file)
}

#[test]
fn a_csv_table_written_by_the_page_keeps_its_total_row_right_and_its_previous_content_restorable() {
    let original = "Poste de dépense;Montant\r\nSalaires;612 400,00\r\nLoyer;20 000\r\nTotal général;632 400\r\n";
    let (dir, file) = example_with_csv_charges("edit-csv-somme", original);
    let csv = dir.join("charges.csv");
    let before = std::fs::read(&csv).unwrap();
    let editing = Editing::start(&file, file.clone());
    let (_, dossier) = editing.get("/api/dossier");
    let rows = &dossier["tableaux"]["budget.fonctionnement.charges"]["lignes"];
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "the total is not a row: {rows}");
    let rows = json!([
        { "poste": "Salaires", "montant": 612400.0 },
        { "poste": "Loyer", "montant": 20000.0 },
        { "poste": "Énergie", "montant": 18250.5 }
    ]);
    let (status, answer) = editing.post(
        "/api/lignes",
        &json!({ "version": editing.version(), "chemin": "budget.fonctionnement.charges", "lignes": rows }),
    );
    assert_eq!(status, 200, "{answer}");
    let written = std::fs::read(&csv).unwrap();
    let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(&written);
    assert_eq!(
        decoded,
        "Poste de dépense;Montant\r\nSalaires;612400\r\nLoyer;20000\r\nÉnergie;18250,5\r\nTotal général;650650,5\r\n",
        "the total row is kept, under its own label, and adds up again"
    );
    let totals: Vec<&Value> = answer["constats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["message"].as_str().unwrap_or_default().starts_with("le total"))
        .collect();
    assert!(totals.is_empty(), "the recomputed total agrees with the rows: {totals:?}");

    // The file's previous content is a version of its own, restorable like the dossier's.
    let (status, versions) = editing.get("/api/versions");
    assert_eq!(status, 200, "{versions}");
    let kept = versions.as_array().unwrap().iter().find(|v| v["fichier"] == "charges.csv");
    let kept = kept.unwrap_or_else(|| panic!("a version of charges.csv: {versions}"));
    let (status, answer) =
        editing.post("/api/restaurer", &json!({ "version": editing.version(), "id": kept["id"] }));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(std::fs::read(&csv).unwrap(), before, "the CSV file is back byte for byte");
    let (_, versions) = editing.get("/api/versions");
    let again = versions.as_array().unwrap().iter().filter(|v| v["fichier"] == "charges.csv");
    let ids: Vec<String> = again.map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2, "the restored-over content is kept too: {versions}");
    let newest = dir.join(".cdm-render/versions").join(&ids[0]);
    assert_eq!(std::fs::read(newest).unwrap(), written, "so that a restore can be undone");
}

#[test]
fn rows_sent_in_any_order_are_written_with_their_keys_in_the_order_of_the_model() {
    let editing = Editing::example("edit-row-order");
    let (_, dossier) = editing.get("/api/dossier");
    let count =
        dossier["valeurs"]["fonctionnement"]["partenaires"]["liste"].as_array().unwrap().len();
    let row = json!({
        "statut": "engage",
        "roles": ["services"],
        "categorie": "Association",
        "nom": "Maison de l'emploi",
    });
    let (status, answer) = editing.set(&format!("fonctionnement.partenaires.liste[{count}]"), row);
    assert_eq!(status, 200, "{answer}");
    let text = editing.text();
    let block = &text[text.find("nom = \"Maison de l'emploi\"").expect("the row is written")..];
    let place = |key: &str| {
        block.find(&format!("\n{key} = ")).unwrap_or_else(|| panic!("{key} in\n{block}"))
    };
    assert!(
        place("categorie") < place("roles") && place("roles") < place("statut"),
        "nom, categorie, roles, statut as Partenaire declares them:\n{}",
        &block[..block.len().min(200)]
    );
}

#[test]
fn the_markdown_preview_formats_what_the_pdf_formats_and_never_lets_html_through() {
    let editing = Editing::example("edit-markdown");
    let before = editing.bytes();
    let texte = "Un **point fort** :\n\n- accueil\n- conseil\n\n<img src=x onerror=alert(1)> [lien](javascript:alert(2))";
    let (status, answer) = editing.post("/api/markdown", &json!({ "texte": texte }));
    assert_eq!(status, 200, "{answer}");
    let html = answer["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>point fort</strong>") && html.contains("<li>accueil</li>"),
        "{html}"
    );
    assert!(!html.contains("<img") && !html.contains("javascript"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    let (status, _) = http(
        &editing.address,
        "POST",
        "/api/markdown",
        &["Content-Type: application/json"],
        Some(&json!({ "texte": "x" }).to_string()),
    );
    assert_eq!(status, 403, "the token is asked for");
    assert_eq!(editing.bytes(), before, "a preview writes nothing");
}

#[test]
fn fifty_kills_during_writes_leave_a_dossier_that_parses_every_time() {
    let dir = scratch("edit-kill");
    copy_dir(&root().join("data/fonctionnement"), &dir);
    let file = dir.join("dossier.toml");
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    for round in 0..50 {
        let editing = Editing::start(&file, file.clone());
        // Long texts, so that a write takes long enough to be cut.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (address, token, origin) =
                (editing.address.clone(), editing.token.clone(), editing.origin());
            let stop = Arc::clone(&stop);
            let started = started_tx.clone();
            std::thread::spawn(move || {
                let token_header = format!("X-Jeton: {token}");
                let (_, body) = http(&address, "GET", "/api/dossier", &[&token_header], None);
                let value: Value = serde_json::from_str(&body).unwrap_or_default();
                let mut version = value["version"].as_str().unwrap_or_default().to_string();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) && !version.is_empty() {
                    n += 1;
                    let body = json!({
                        "version": version,
                        "chemin": "porteur.texte",
                        "valeur": format!("Passage {round}, écriture {n} : {}", "texte long. ".repeat(2000)),
                    });
                    let headers = [
                        token_header.clone(),
                        format!("Origin: {origin}"),
                        "Content-Type: application/json".to_string(),
                    ];
                    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                    let (_, answer) =
                        http(&address, "POST", "/api/champ", &headers, Some(&body.to_string()));
                    let answer: Value = serde_json::from_str(&answer).unwrap_or_default();
                    version = answer["version"].as_str().unwrap_or_default().to_string();
                    let _ = started.send(());
                }
            })
        };
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Killed at a random time once writes are under way (the first write answered).
        let _ = started_rx.recv_timeout(LIMIT);
        while started_rx.try_recv().is_ok() {}
        std::thread::sleep(Duration::from_millis(seed % 300));
        let mut editing = editing;
        // SIGKILL: no chance to finish a write.
        let _ = editing.child.kill();
        let _ = editing.child.wait();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = writer.join();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let parsed: Result<toml::Table, _> = toml::from_str(&text);
        assert!(parsed.is_ok(), "round {round}: the dossier does not parse: {parsed:?}");
        assert!(text.contains("[cite]"), "round {round}: the dossier is whole");
    }
    let kept = std::fs::read_dir(dir.join(".cdm-render/versions")).unwrap().count();
    assert!(kept > 0 && kept <= 100, "{kept} versions kept");
}
